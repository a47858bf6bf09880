//! The paging guard every `List*` loop shares: a listing ends when the token is gone, and a
//! hostile or broken endpoint cannot keep it going. Any token seen before in the same listing
//! (not only the previous one: `A → B → A` loops too) and more than [`MAX_PAGES`] pages are
//! errors, so the listing ends as one ERROR instead of running forever with growing memory.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

/// Pages one listing may take: 100,000 pages of 100 are ten million resources of one kind in
/// one account and region, far past any quota.
pub const MAX_PAGES: usize = 100_000;

/// Tokens of one listing seen so far (as hashes, so long tokens cost no memory).
#[derive(Debug, Default)]
pub struct Pages {
    seen: HashSet<u64>,
    hasher: RandomState,
    pages: usize,
}

impl Pages {
    /// A new listing.
    pub fn new() -> Self {
        Pages::default()
    }

    /// Records a page whose answer carried `next` (`None` or empty: the last page). `Ok(true)`:
    /// ask for the next page with it; `Ok(false)`: the listing is complete; `Err`: why it
    /// cannot go on (the listing is incomplete).
    pub fn next(&mut self, next: Option<&str>) -> Result<bool, String> {
        self.pages += 1;
        let Some(token) = next.filter(|t| !t.is_empty()) else {
            return Ok(false);
        };
        if self.pages >= MAX_PAGES {
            return Err(format!(
                "the listing went past {MAX_PAGES} pages, so it was stopped and is incomplete"
            ));
        }
        if !self.seen.insert(self.hasher.hash_one(token)) {
            return Err(format!(
                "NextToken {} came back after it was used, so the listing would loop; it is \
                 incomplete",
                crate::text::one_line(token, 100)
            ));
        }
        Ok(true)
    }

    /// Pages recorded so far.
    pub fn count(&self) -> usize {
        self.pages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_ends_with_its_last_token() {
        let mut p = Pages::new();
        assert_eq!(p.next(Some("a")), Ok(true));
        // An empty page with a token is not the end.
        assert_eq!(p.next(Some("b")), Ok(true));
        assert_eq!(p.next(Some("")), Ok(false));
        assert_eq!(p.count(), 3);
    }

    #[test]
    fn any_token_seen_before_ends_the_listing() {
        let mut p = Pages::new();
        assert_eq!(p.next(Some("A")), Ok(true));
        assert_eq!(p.next(Some("B")), Ok(true));
        let e = p.next(Some("A")).unwrap_err();
        assert!(e.contains("came back"), "{e}");
        let mut p = Pages::new();
        assert_eq!(p.next(Some("A")), Ok(true));
        assert!(p.next(Some("A")).is_err(), "the same token twice");
    }

    #[test]
    fn endless_fresh_tokens_stop_at_the_page_bound() {
        let mut p = Pages::new();
        let mut n = 0usize;
        let e = loop {
            match p.next(Some(&n.to_string())) {
                Ok(true) => n += 1,
                Ok(false) => panic!("ended"),
                Err(e) => break e,
            }
        };
        assert_eq!(n + 1, MAX_PAGES);
        assert!(e.contains("past"), "{e}");
    }
}
