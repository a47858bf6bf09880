//! Line numbers for the values findings point at.
//!
//! The parser hands back the values as slices of the document's text, so a line is the
//! number of newlines before the slice, counted with `memchr` and moving forward.

/// Counts the lines of one document's text.
pub struct LineCounter<'t> {
    text: &'t str,
    first_line: u32,
    /// Where counting got to, and the line there.
    at: (usize, u32),
}

impl<'t> LineCounter<'t> {
    /// Lines of `text`, whose first line is `first_line` (1-based).
    pub fn new(text: &'t str, first_line: u32) -> Self {
        LineCounter {
            text,
            first_line,
            at: (0, first_line),
        }
    }

    /// Line where `slice`, which lies within the text, begins. Asking in text order counts
    /// each byte once; asking backwards starts over from the top.
    pub fn line_of(&mut self, slice: &str) -> u32 {
        let offset = (slice.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
        debug_assert!(offset <= self.text.len(), "slice outside the text");
        let offset = offset.min(self.text.len());
        if offset < self.at.0 {
            self.at = (0, self.first_line);
        }
        let skipped = &self.text.as_bytes()[self.at.0..offset];
        let newlines = memchr::memchr_iter(b'\n', skipped).count() as u32;
        self.at = (offset, self.at.1 + newlines);
        self.at.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_slices_in_any_order() {
        let text = "[\n {\"a\": 1,\n  \"b\": 2},\n {\"c\":\n 3}\n]";
        let mut lines = LineCounter::new(text, 1);
        let at = |needle: &str| &text[text.find(needle).unwrap()..];
        assert_eq!(lines.line_of(at("{\"a\"")), 2);
        assert_eq!(lines.line_of(at("2}")), 3);
        assert_eq!(lines.line_of(at("1,")), 2);
        assert_eq!(lines.line_of(at("{\"c\"")), 4);
        assert_eq!(lines.line_of(at("3}")), 5);
        assert_eq!(lines.line_of(text), 1);
    }

    #[test]
    fn first_line_offsets_a_line_of_jsonl() {
        let text = "{\"k\": \"v\"}";
        let mut lines = LineCounter::new(text, 7);
        assert_eq!(lines.line_of(text), 7);
        assert_eq!(lines.line_of(&text[6..]), 7);
    }
}
