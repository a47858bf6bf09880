//! Finds the documents in a JSON text without parsing them: the elements of a top-level array,
//! or a sequence of top-level objects (one document, JSON Lines, or concatenated objects).
//!
//! The scanner only tracks strings, escapes and bracket depth, so it runs in constant memory
//! over text of any size and nesting, fed in chunks. Each document it finds is then parsed on
//! its own, so one bad element is one error and the elements around it are still evaluated.
//! What lies between documents must be what JSON allows there (whitespace, `,`, `]`); anything
//! else ends the text with one error naming the line.

/// How the text holds its documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `[ doc, doc, ... ]`.
    Array,
    /// `doc doc ...`: one object, or several separated by whitespace.
    Sequence,
}

/// Where a document lies in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Byte offset of its first byte.
    pub start: u64,
    /// Byte offset just past its last byte.
    pub end: u64,
    /// 1-based line it starts on.
    pub line: u32,
    /// 1-based position among the documents (array element number).
    pub index: usize,
}

/// What the scanner saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A complete document.
    Document(Span),
    /// The text is not a JSON object, an array or a sequence of objects; nothing after `line`
    /// is read.
    Broken {
        /// Line of the problem.
        line: u32,
        /// What is wrong, in one sentence.
        message: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Top {
    /// Nothing but whitespace yet.
    Start,
    /// After `[`: a value or `]`.
    ArrayOpen,
    /// After `,`: a value.
    ArrayNeedValue,
    /// After an element: `,` or `]`.
    ArrayAfterValue,
    /// After a top-level object: whitespace or another object.
    Between,
    /// After the closing `]`: whitespace only.
    Closed,
    /// Broken: everything else is ignored.
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    /// An object or array: ends when the depth returns to zero.
    Nested,
    /// A string element: ends at its closing quote.
    Text,
    /// A number, `true`, `false` or `null` element: ends before whitespace, `,` or `]`.
    Bare,
}

/// The scanner's state, carried from one chunk to the next.
#[derive(Debug, Clone)]
pub struct Scanner {
    top: Top,
    shape: Option<Shape>,
    value: Option<Value>,
    depth: u64,
    in_string: bool,
    escaped: bool,
    start: u64,
    start_line: u32,
    offset: u64,
    line: u32,
    documents: usize,
    /// Bytes of a UTF-8 byte order mark matched at the very start.
    bom: u8,
}

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

impl Default for Scanner {
    fn default() -> Self {
        Scanner {
            top: Top::Start,
            shape: None,
            value: None,
            depth: 0,
            in_string: false,
            escaped: false,
            start: 0,
            start_line: 1,
            offset: 0,
            line: 1,
            documents: 0,
            bom: 0,
        }
    }
}

impl Scanner {
    /// The shape, once the first non-blank byte has been seen.
    pub fn shape(&self) -> Option<Shape> {
        self.shape
    }

    /// Documents found so far.
    pub fn documents(&self) -> usize {
        self.documents
    }

    /// Offset where the document being scanned began, if one is open.
    pub fn open_document(&self) -> Option<u64> {
        self.value.map(|_| self.start)
    }

    /// True once the text is known to be broken.
    pub fn failed(&self) -> bool {
        self.top == Top::Failed
    }

    /// Scans the next chunk of the text (which continues where the last one ended), pushing
    /// what it finds onto `events`.
    pub fn feed(&mut self, chunk: &[u8], events: &mut Vec<Event>) {
        let mut i = 0;
        while i < chunk.len() {
            if self.top == Top::Failed {
                break;
            }
            let b = chunk[i];
            let at = self.offset + i as u64;
            // A UTF-8 byte order mark may open the text, even split across chunks.
            if at < 3 && u64::from(self.bom) == at {
                if b == BOM[at as usize] {
                    self.bom += 1;
                    i += 1;
                    continue;
                }
                if self.bom > 0 {
                    self.fail(
                        events,
                        "the text begins with a broken byte order mark".into(),
                    );
                    break;
                }
            }
            if let Some(kind) = self.value {
                if self.in_string {
                    if self.escaped {
                        self.escaped = false;
                    } else if b == b'\\' {
                        self.escaped = true;
                    } else if b == b'"' {
                        self.in_string = false;
                        if kind == Value::Text {
                            self.close(at + 1, events);
                        }
                    } else if b == b'\n' {
                        self.line += 1;
                    }
                    i += 1;
                    continue;
                }
                match (kind, b) {
                    (Value::Nested, b'"') => self.in_string = true,
                    (Value::Nested, b'{' | b'[') => self.depth += 1,
                    (Value::Nested, b'}' | b']') => {
                        self.depth -= 1;
                        if self.depth == 0 {
                            self.close(at + 1, events);
                        }
                    }
                    (Value::Bare, b' ' | b'\t' | b'\r' | b'\n' | b',' | b']' | b'}') => {
                        // The byte belongs to what follows the value: look at it again.
                        self.close(at, events);
                        continue;
                    }
                    (_, b'\n') => self.line += 1,
                    _ => {}
                }
                i += 1;
                continue;
            }
            match b {
                b' ' | b'\t' | b'\r' => {}
                b'\n' => self.line += 1,
                _ => self.structure(b, at, events),
            }
            i += 1;
        }
        self.offset += chunk.len() as u64;
    }

    /// A byte outside any document.
    fn structure(&mut self, b: u8, at: u64, events: &mut Vec<Event>) {
        match (self.top, b) {
            (Top::Start, b'[') => {
                self.shape = Some(Shape::Array);
                self.top = Top::ArrayOpen;
            }
            (Top::Start | Top::Between, b'{') => {
                self.shape = Some(Shape::Sequence);
                self.open(Value::Nested, at);
            }
            (Top::Start, _) => self.fail(
                events,
                "expected a JSON object or an array of objects".to_owned(),
            ),
            (Top::ArrayOpen, b']') => self.top = Top::Closed,
            (Top::ArrayOpen | Top::ArrayNeedValue, b'{' | b'[') => self.open(Value::Nested, at),
            (Top::ArrayOpen | Top::ArrayNeedValue, b'"') => {
                self.open(Value::Text, at);
                self.in_string = true;
            }
            (Top::ArrayNeedValue, b']') => self.fail(
                events,
                format!(
                    "the array has a `,` after element {} but no element follows",
                    self.documents
                ),
            ),
            (Top::ArrayOpen | Top::ArrayNeedValue, b',' | b'}') => self.fail(
                events,
                format!(
                    "unexpected `{}` where array element {} should begin",
                    b as char,
                    self.documents + 1
                ),
            ),
            (Top::ArrayOpen | Top::ArrayNeedValue, _) => self.open(Value::Bare, at),
            (Top::ArrayAfterValue, b',') => self.top = Top::ArrayNeedValue,
            (Top::ArrayAfterValue, b']') => self.top = Top::Closed,
            (Top::ArrayAfterValue, _) => self.fail(
                events,
                format!(
                    "expected `,` or `]` after array element {}, found {}",
                    self.documents,
                    shown_byte(b)
                ),
            ),
            (Top::Between, _) => self.fail(
                events,
                format!(
                    "expected another JSON object after document {}, found {}",
                    self.documents,
                    shown_byte(b)
                ),
            ),
            (Top::Closed, _) => self.fail(
                events,
                format!("text after the end of the array: {}", shown_byte(b)),
            ),
            (Top::Failed, _) => {}
        }
    }

    fn open(&mut self, kind: Value, at: u64) {
        self.value = Some(kind);
        self.depth = u64::from(kind == Value::Nested);
        self.start = at;
        self.start_line = self.line;
        self.documents += 1;
    }

    fn close(&mut self, end: u64, events: &mut Vec<Event>) {
        self.value = None;
        self.in_string = false;
        self.escaped = false;
        events.push(Event::Document(Span {
            start: self.start,
            end,
            line: self.start_line,
            index: self.documents,
        }));
        self.top = match self.shape {
            Some(Shape::Array) => Top::ArrayAfterValue,
            _ => Top::Between,
        };
    }

    fn fail(&mut self, events: &mut Vec<Event>, message: String) {
        self.top = Top::Failed;
        events.push(Event::Broken {
            line: self.line,
            message,
        });
    }

    /// Called at the end of the text: reports a document or array left open. Returns false
    /// when the text held nothing but whitespace.
    pub fn finish(&mut self, events: &mut Vec<Event>) -> bool {
        if self.value.is_some() {
            let (line, index) = (self.start_line, self.documents);
            self.value = None;
            let what = match self.shape {
                Some(Shape::Array) => format!("array element {index}"),
                _ => format!("document {index}"),
            };
            self.top = Top::Failed;
            events.push(Event::Broken {
                line,
                message: format!(
                    "JSON ends early inside {what}, which begins on line {line}; the file looks truncated"
                ),
            });
            return true;
        }
        match self.top {
            Top::Start => false,
            Top::ArrayOpen | Top::ArrayNeedValue | Top::ArrayAfterValue => {
                let message = format!(
                    "JSON ends early: the array is not closed after element {}; the file looks truncated",
                    self.documents
                );
                self.fail(events, message);
                true
            }
            _ => true,
        }
    }
}

fn shown_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

/// Scans a whole text at once.
pub fn split(text: &[u8]) -> (Scanner, Vec<Event>) {
    let mut scanner = Scanner::default();
    let mut events = Vec::new();
    scanner.feed(text, &mut events);
    scanner.finish(&mut events);
    (scanner, events)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> (Vec<String>, Vec<String>) {
        let (_, events) = split(text.as_bytes());
        let mut docs = Vec::new();
        let mut errors = Vec::new();
        for e in events {
            match e {
                Event::Document(s) => docs.push(format!(
                    "{}@{}#{}",
                    &text[s.start as usize..s.end as usize],
                    s.line,
                    s.index
                )),
                Event::Broken { line, message } => errors.push(format!("{line}: {message}")),
            }
        }
        (docs, errors)
    }

    #[test]
    fn arrays_yield_their_elements_with_lines() {
        let (docs, errors) = pieces("[\n {\"a\": \"]}\\\"\"},\n [1,{}],\n \"s,]\" , 42 ,null\n]\n");
        assert_eq!(
            docs,
            [
                "{\"a\": \"]}\\\"\"}@2#1",
                "[1,{}]@3#2",
                "\"s,]\"@4#3",
                "42@4#4",
                "null@4#5"
            ]
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(pieces("[]").0.len(), 0);
        assert!(pieces(" [ ] ").1.is_empty());
    }

    #[test]
    fn sequences_of_objects_are_documents() {
        let (docs, errors) = pieces("\u{feff}{\"a\":1}\n{\"b\":\n2}  {\"c\":3}\r\n");
        assert_eq!(docs, ["{\"a\":1}@1#1", "{\"b\":\n2}@2#2", "{\"c\":3}@3#3"]);
        assert!(errors.is_empty());
    }

    #[test]
    fn broken_structure_is_one_error_naming_the_line() {
        let (docs, errors) = pieces("[{\"a\":1}\n}, {\"b\":2}]");
        assert_eq!(docs.len(), 1);
        assert_eq!(
            errors,
            ["2: expected `,` or `]` after array element 1, found `}`"]
        );
        assert_eq!(
            pieces("[{\"a\":1},]").1,
            ["1: the array has a `,` after element 1 but no element follows"]
        );
        assert_eq!(
            pieces("{\"a\":1} x").1,
            ["1: expected another JSON object after document 1, found `x`"]
        );
        assert_eq!(
            pieces("oops").1,
            ["1: expected a JSON object or an array of objects"]
        );
        assert_eq!(
            pieces("[1] [2]").1,
            ["1: text after the end of the array: `[`"]
        );
    }

    #[test]
    fn truncation_is_reported_where_the_open_document_begins() {
        let (docs, errors) = pieces("[\n{\"a\":1},\n{\"b\": \"cut");
        assert_eq!(docs.len(), 1);
        assert_eq!(
            errors,
            [
                "3: JSON ends early inside array element 2, which begins on line 3; the file looks truncated"
            ]
        );
        assert!(pieces("[{\"a\":1}").1[0].contains("the array is not closed after element 1"));
        let (_, events) = split(b"  \n ");
        assert!(events.is_empty());
        assert!(!Scanner::default().finish(&mut Vec::new()));
    }

    #[test]
    fn a_byte_order_mark_split_across_chunks_is_still_one() {
        // Found by the fuzzer: a stream read one byte at a time.
        let text = b"\xEF\xBB\xBF{\"a\": 1}";
        let (_, whole) = split(text);
        for cut in 0..text.len() {
            let mut s = Scanner::default();
            let mut events = Vec::new();
            s.feed(&text[..cut], &mut events);
            s.feed(&text[cut..], &mut events);
            s.finish(&mut events);
            assert_eq!(events, whole, "cut at {cut}");
        }
        assert!(matches!(whole.as_slice(), [Event::Document(_)]));
        assert_eq!(pieces("\u{feff}").1.len(), 0);
        let (_, broken) = split(b"\xEF\xBB{}");
        assert!(
            matches!(broken.as_slice(), [Event::Broken { .. }]),
            "{broken:?}"
        );
    }

    #[test]
    fn chunk_boundaries_change_nothing() {
        let text = "[{\"x\": \"a\\\\\\\"b\"}, {\"y\": [1, 2, {\"z\": \"}\"}]}, 7]";
        let (_, whole) = split(text.as_bytes());
        for cut in 0..text.len() {
            let mut s = Scanner::default();
            let mut events = Vec::new();
            s.feed(&text.as_bytes()[..cut], &mut events);
            s.feed(&text.as_bytes()[cut..], &mut events);
            s.finish(&mut events);
            assert_eq!(events, whole, "cut at {cut}");
        }
    }

    #[test]
    fn deep_nesting_costs_no_memory() {
        let deep = format!("[{}{}]", "[".repeat(1_000_000), "]".repeat(1_000_000));
        let (scanner, events) = split(deep.as_bytes());
        assert_eq!(scanner.documents(), 1);
        assert_eq!(events.len(), 1);
    }
}
