//! The paging guard over any sequence of NextTokens (one per line): a listing ends exactly
//! when a token is absent or empty, or as an error when a token comes back (any earlier one,
//! not only the last) or the page bound is passed; it never asks for a page twice.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use sagemaker_audit::paging::{MAX_PAGES, Pages};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut pages = Pages::new();
    let mut seen = HashSet::new();
    for (i, token) in text.split('\n').enumerate() {
        let next = (!token.is_empty()).then_some(token);
        match pages.next(next) {
            Ok(true) => {
                assert!(seen.insert(token), "{token:?} asked for twice");
                assert!(i + 1 < MAX_PAGES);
            }
            Ok(false) => {
                assert!(next.is_none());
                return;
            }
            Err(_) => {
                assert!(
                    seen.contains(token) || i + 1 >= MAX_PAGES,
                    "{token:?} refused"
                );
                return;
            }
        }
    }
});
