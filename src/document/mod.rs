//! The leaf every document reader shares: why a document was refused
//! ([`DocumentError`]) and the lines of the values findings point at ([`lines`]). Kinds,
//! pipeline readers and the ingest all import it; it imports none of them, so no module
//! imports its own importer.

pub mod lines;

use std::fmt;

/// Why a document was refused; the message says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentError {
    /// What is wrong, without a position.
    pub message: String,
    /// Line of the problem within the parsed text (1-based), when the parser knows it.
    pub line: Option<u32>,
    /// Address of the text at fault, when a reader knows the value but not its line; turned
    /// into `line` by whoever holds the whole document.
    pub at: Option<usize>,
}

impl DocumentError {
    /// An error with a message and no position.
    pub fn new(message: impl Into<String>) -> Self {
        DocumentError {
            message: message.into(),
            line: None,
            at: None,
        }
    }

    /// A parser error, with its position kept apart from the message.
    pub fn json(e: &serde_json::Error) -> Self {
        DocumentError {
            message: describe_json_error(e),
            line: (e.line() > 0).then(|| u32::try_from(e.line()).unwrap_or(u32::MAX)),
            at: None,
        }
    }

    /// An error about the value written at `slice` (a part of the document).
    pub fn at(message: impl Into<String>, slice: &str) -> Self {
        DocumentError {
            at: Some(slice.as_ptr() as usize),
            ..DocumentError::new(message)
        }
    }

    /// Fills in the line from `at`, when `text` (starting at line 1) holds it.
    pub fn locate(mut self, text: &str) -> Self {
        if self.line.is_none()
            && let Some(addr) = self.at
            && let Some(before) = text.get(..addr.wrapping_sub(text.as_ptr() as usize))
        {
            let lines = memchr::memchr_iter(b'\n', before.as_bytes()).count();
            self.line = Some(u32::try_from(lines).unwrap_or(u32::MAX).saturating_add(1));
        }
        self
    }
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Turns a serde_json error into one readable sentence, without its position.
pub fn describe_json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    let text = text.strip_suffix(&position).unwrap_or(&text);
    if text.contains("recursion limit exceeded") {
        return format!(
            "JSON is nested more than 128 levels deep ({text}); an exported API response never is"
        );
    }
    match e.classify() {
        serde_json::error::Category::Eof => {
            format!("JSON ends early, the file looks truncated ({text})")
        }
        serde_json::error::Category::Syntax => format!("not valid JSON ({text})"),
        serde_json::error::Category::Data => {
            format!("a field has an unexpected type or value ({text})")
        }
        serde_json::error::Category::Io => format!("could not be read ({text})"),
    }
}
