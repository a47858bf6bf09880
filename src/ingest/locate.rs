//! Finds the lines of the keys findings point at, without a second full JSON parse.
//!
//! serde_json gives no positions, so one iterative byte scan records, for each document
//! (the top-level object, or each object element of a top-level array), the line where it
//! starts and where `ResourceConfig`, `VolumeKmsKeyId`, `OutputDataConfig` and `KmsKeyId`
//! appear. It never recurses, so deep nesting cannot exhaust the stack.

/// Lines of interest in one document (1-based).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DocLines {
    /// Where the document's `{` is.
    pub start: u32,
    /// `"ResourceConfig"` key.
    pub resource_config: Option<u32>,
    /// `"VolumeKmsKeyId"` inside `ResourceConfig`.
    pub volume_key: Option<u32>,
    /// `"OutputDataConfig"` key.
    pub output_config: Option<u32>,
    /// `"KmsKeyId"` inside `OutputDataConfig`.
    pub output_key: Option<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Other,
    Resource,
    Output,
}

struct Frame {
    is_object: bool,
    expect_key: bool,
    section: Section,
    last_key: Section,
}

/// Deepest nesting an exported API response plausibly has; deeper input is refused.
pub const MAX_DEPTH: usize = 128;

/// What a scan of one JSON text found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Located {
    /// One entry per document, in order.
    pub docs: Vec<DocLines>,
    /// Line where nesting first went past [`MAX_DEPTH`], if it did.
    pub too_deep_at: Option<u32>,
}

/// Byte classes for the scan: 0 = nothing to do, else the byte itself matters.
const INTERESTING: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = matches!(i as u8, b'"' | b'{' | b'}' | b'[' | b']' | b',' | b'\n');
        i += 1;
    }
    t
};

/// Scans `bytes` (one JSON text starting at line `first_line`).
pub fn locate(bytes: &[u8], first_line: u32) -> Located {
    let mut docs = Vec::new();
    let mut too_deep_at = None;
    let mut stack: Vec<Frame> = Vec::new();
    let mut line = first_line;
    // Documents are objects at this stack depth: 1 for a single object, 2 inside an array.
    let mut doc_depth = 0usize;
    let mut i = 0usize;
    let len = bytes.len();
    while i < len {
        // Skip whitespace, numbers, literals and colons in one tight loop.
        while i < len && !INTERESTING[usize::from(bytes[i])] {
            i += 1;
        }
        if i >= len {
            break;
        }
        let b = bytes[i];
        match b {
            b'\n' => line += 1,
            b'"' => {
                let start = i + 1;
                let mut j = start;
                // Jump from escape to escape; a raw newline cannot occur in valid JSON strings,
                // and invalid documents are refused by the parser anyway.
                loop {
                    match memchr::memchr2(b'"', b'\\', &bytes[j..]) {
                        Some(k) if bytes[j + k] == b'\\' => j += k + 2,
                        Some(k) => {
                            j += k;
                            break;
                        }
                        None => {
                            j = len;
                            break;
                        }
                    }
                }
                let end = j.min(len);
                let text = &bytes[start.min(end)..end];
                let depth = stack.len();
                if let Some(frame) = stack.last_mut()
                    && frame.is_object
                    && frame.expect_key
                {
                    frame.expect_key = false;
                    frame.last_key = Section::Other;
                    if let Some(doc) = docs.last_mut() {
                        record_key(doc, frame, depth, doc_depth, text, line);
                    }
                }
                i = end;
            }
            b'{' | b'[' => {
                let is_object = b == b'{';
                if stack.is_empty() {
                    doc_depth = if is_object { 1 } else { 2 };
                }
                let section = stack.last().map_or(Section::Other, |p| p.last_key);
                stack.push(Frame {
                    is_object,
                    expect_key: is_object,
                    section,
                    last_key: Section::Other,
                });
                if stack.len() > MAX_DEPTH && too_deep_at.is_none() {
                    too_deep_at = Some(line);
                }
                if is_object && stack.len() == doc_depth {
                    docs.push(DocLines {
                        start: line,
                        ..DocLines::default()
                    });
                }
            }
            b'}' | b']' => {
                stack.pop();
            }
            _ => {
                // ','
                if let Some(frame) = stack.last_mut() {
                    frame.expect_key = frame.is_object;
                    frame.last_key = Section::Other;
                }
            }
        }
        i += 1;
    }
    Located { docs, too_deep_at }
}

fn record_key(
    doc: &mut DocLines,
    frame: &mut Frame,
    depth: usize,
    doc_depth: usize,
    key: &[u8],
    line: u32,
) {
    if depth == doc_depth {
        match key {
            b"ResourceConfig" => {
                doc.resource_config = Some(line);
                frame.last_key = Section::Resource;
            }
            b"OutputDataConfig" => {
                doc.output_config = Some(line);
                frame.last_key = Section::Output;
            }
            _ => {}
        }
    } else if depth == doc_depth + 1 {
        match (frame.section, key) {
            (Section::Resource, b"VolumeKmsKeyId") => doc.volume_key = Some(line),
            (Section::Output, b"KmsKeyId") => doc.output_key = Some(line),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_key_lines_in_a_single_document() {
        let text = "{\n  \"TrainingJobName\": \"a\",\n  \"ResourceConfig\": {\n    \"InstanceType\": \"ml.m5.xlarge\",\n    \"VolumeKmsKeyId\": \"k\"\n  },\n  \"OutputDataConfig\": {\"KmsKeyId\": \"\"}\n}\n";
        let docs = locate(text.as_bytes(), 1).docs;
        assert_eq!(
            docs,
            vec![DocLines {
                start: 1,
                resource_config: Some(3),
                volume_key: Some(5),
                output_config: Some(7),
                output_key: Some(7),
            }]
        );
    }

    #[test]
    fn array_elements_are_documents_and_nested_lookalikes_are_ignored() {
        let text = r#"[
 {"HyperParameters": {"ResourceConfig": "x", "KmsKeyId": "y"},
  "OutputDataConfig": {"S3OutputPath": "s3://b/\"KmsKeyId\"", "Nested": {"KmsKeyId": "z"}}},
 {"ResourceConfig": {"VolumeKmsKeyId": null}}
]"#;
        let docs = locate(text.as_bytes(), 1).docs;
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].start, 2);
        assert_eq!(docs[0].resource_config, None);
        assert_eq!(docs[0].output_config, Some(3));
        assert_eq!(docs[0].output_key, None);
        assert_eq!(docs[1].start, 4);
        assert_eq!(docs[1].volume_key, Some(4));
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let text = format!("{{\"a\":{}{}}}", "[".repeat(200_000), "]".repeat(200_000));
        let located = locate(text.as_bytes(), 1);
        assert_eq!(located.docs.len(), 1);
        assert_eq!(located.too_deep_at, Some(1));
        assert_eq!(locate(b"[[{}]]", 1).too_deep_at, None);
    }

    #[test]
    fn first_line_offsets_jsonl_documents() {
        let docs = locate(br#"{"OutputDataConfig":{"KmsKeyId":"k"}}"#, 7).docs;
        assert_eq!(docs[0].start, 7);
        assert_eq!(docs[0].output_key, Some(7));
    }
}
