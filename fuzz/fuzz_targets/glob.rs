//! Waiver globs against a plain backtracking matcher (on short inputs, where it is quick).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sagemaker_audit::waivers::Glob;

fn reference(p: &[char], t: &[char]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some(('*', rest)) => (0..=t.len()).any(|i| reference(rest, &t[i..])),
        Some((c, rest)) => !t.is_empty() && (*c == '?' || *c == t[0]) && reference(rest, &t[1..]),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some((pattern, subject)) = text.split_once('\n') else {
        return;
    };
    if pattern.chars().count() > 12 || subject.chars().count() > 16 {
        return;
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = subject.chars().collect();
    assert_eq!(
        Glob::new(pattern).matches(&t),
        reference(&p, &t),
        "{pattern:?} vs {subject:?}"
    );
});
