//! Line numbers for the values findings point at.
//!
//! The parser hands back the values as slices of the file's text, so a line is the number of
//! newlines before the slice: counted with `memchr`, moving forward through one document and
//! never rescanning what came before it.

/// Counts lines of one text, forward from a checkpoint.
pub struct LineCounter<'t> {
    text: &'t str,
    first_line: u32,
    /// Start of the current document, and its line: lookups never go back before it.
    doc: (usize, u32),
    /// Where counting got to, and the line there.
    at: (usize, u32),
}

impl<'t> LineCounter<'t> {
    /// Lines of `text`, whose first line is `first_line` (1-based).
    pub fn new(text: &'t str, first_line: u32) -> Self {
        LineCounter {
            text,
            first_line,
            doc: (0, first_line),
            at: (0, first_line),
        }
    }

    /// Byte offset of `slice`, which must lie within the text.
    fn offset(&self, slice: &str) -> usize {
        let offset = (slice.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
        debug_assert!(offset <= self.text.len(), "slice outside the text");
        offset.min(self.text.len())
    }

    /// Line where `slice` begins, and from now on the earliest place lookups go back to:
    /// documents come in order, their values in any order.
    pub fn start_document(&mut self, slice: &str) -> u32 {
        let offset = self.offset(slice);
        if offset < self.doc.0 {
            self.doc = (0, self.first_line);
            self.at = self.doc;
        }
        let line = self.line_at(offset);
        self.doc = (offset, line);
        line
    }

    /// Line where `slice` (within the current document) begins.
    pub fn line_of(&mut self, slice: &str) -> u32 {
        let offset = self.offset(slice);
        self.line_at(offset)
    }

    fn line_at(&mut self, offset: usize) -> u32 {
        if offset < self.at.0 {
            self.at = if offset >= self.doc.0 {
                self.doc
            } else {
                (0, self.first_line)
            };
        }
        let newlines = memchr::memchr_iter(b'\n', &self.text.as_bytes()[self.at.0..offset]).count();
        self.at = (offset, self.at.1 + newlines as u32);
        self.at.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_slices_in_any_order_within_a_document() {
        let text = "[\n {\"a\": 1,\n  \"b\": 2},\n {\"c\":\n 3}\n]";
        let mut lines = LineCounter::new(text, 1);
        let at = |needle: &str| &text[text.find(needle).unwrap()..];
        assert_eq!(lines.start_document(at("{\"a\"")), 2);
        assert_eq!(lines.line_of(at("2}")), 3);
        assert_eq!(lines.line_of(at("1,")), 2);
        assert_eq!(lines.start_document(at("{\"c\"")), 4);
        assert_eq!(lines.line_of(at("3}")), 5);
        // Going back to an earlier document starts over rather than failing.
        assert_eq!(lines.start_document(at("{\"a\"")), 2);
    }

    #[test]
    fn first_line_offsets_a_line_of_jsonl() {
        let text = "{\"k\": \"v\"}";
        let mut lines = LineCounter::new(text, 7);
        assert_eq!(lines.start_document(text), 7);
        assert_eq!(lines.line_of(&text[6..]), 7);
    }
}
