//! A YAML reader that keeps what a template check needs: every node's line, its tag
//! (CloudFormation's short forms such as `!Sub`) and a scalar's style (a literal block keeps
//! its lines, so a definition written in one maps line for line onto the template).
//!
//! Aliases are expanded and `<<` merge keys applied, as `aws cloudformation package` and SAM
//! read them, within a bound on the nodes they make (so no alias bomb can grow the document);
//! a key given twice in one mapping is refused (YAML forbids it, and readers disagree about
//! which copy wins); documents past the first are ignored, and nesting is bounded.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Nodes nest at most this deep.
const MAX_DEPTH: usize = 256;

/// A document makes at most this many nodes, aliases expanded.
const MAX_NODES: usize = 1_000_000;

/// A document's scalars hold at most this many bytes, aliases expanded (one anchored long
/// scalar named by many aliases would otherwise grow without a bound on nodes alone).
const MAX_TEXT_BYTES: usize = 256 << 20;

/// One YAML node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Line where the node starts (for a block scalar: its first line that is not blank).
    pub line: u32,
    /// For a mapping's value: the line of its key (a block mapping under `Key:` starts on the
    /// line after it); else the node's own line.
    pub key_line: u32,
    /// The tag's suffix for `!Tag` (`Sub`, `Ref`, …); `None` without a tag.
    pub tag: Option<String>,
    /// What it is.
    pub value: Value,
}

/// A node's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar and its style.
    Scalar(String, Style),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in order (keys as text).
    Map(Vec<(String, Node)>),
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Plain or quoted.
    Inline,
    /// A literal block (`|`): its lines are kept.
    Literal,
    /// A folded block (`>`): its lines are joined.
    Folded,
}

/// The first document of `text`, or why it cannot be read (with the line).
pub fn load(text: &str) -> Result<Option<Node>, (String, u32)> {
    let lines = Lines::of(text);
    let mut builder = Builder {
        lines: &lines,
        stack: Vec::new(),
        root: None,
        done: false,
        error: None,
        anchors: std::collections::HashMap::new(),
        nodes: 0,
        bytes: 0,
    };
    let mut parser = Parser::new_from_str(text);
    parser
        .load(&mut builder, false)
        .map_err(|e| (e.info().to_owned(), lines.line(*e.marker())))?;
    if let Some(e) = builder.error {
        return Err(e);
    }
    Ok(builder.root)
}

/// Lines as every other part of the tool counts them: a line ends at `\n`. The parser's own
/// line count agrees, except that it also ends a line at a lone `\r`; only then are lines
/// counted from the parser's character positions instead (which drift after some non-ASCII
/// text in block scalars, found by the fuzzer, so they are not used otherwise). The
/// cloudformation module points a whole literal block at its first line in that case.
struct Lines {
    /// Character positions of every `\n`, when the text has a lone `\r`.
    newlines: Option<Vec<usize>>,
}

impl Lines {
    fn of(text: &str) -> Lines {
        let lone_cr = has_lone_cr(text);
        Lines {
            newlines: lone_cr.then(|| {
                text.chars()
                    .enumerate()
                    .filter_map(|(i, c)| (c == '\n').then_some(i))
                    .collect()
            }),
        }
    }

    /// The line of a parser position.
    fn line(&self, mark: Marker) -> u32 {
        match &self.newlines {
            None => u32::try_from(mark.line()).unwrap_or(u32::MAX).max(1),
            Some(newlines) => {
                let before = newlines.partition_point(|&n| n < mark.index());
                u32::try_from(before).unwrap_or(u32::MAX).saturating_add(1)
            }
        }
    }
}

/// True when `text` has a carriage return that no line feed follows.
pub fn has_lone_cr(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'\r' && w[1] != b'\n')
        || text.ends_with('\r')
}

/// A mapping key read and waiting for its value, with its line.
type PendingKey = (String, u32);

struct Builder<'l> {
    lines: &'l Lines,
    /// Open collections, with their anchor and the key awaiting a value in a mapping.
    stack: Vec<(Node, usize, Option<PendingKey>)>,
    root: Option<Node>,
    done: bool,
    error: Option<(String, u32)>,
    /// Anchored nodes by anchor id, for aliases.
    anchors: std::collections::HashMap<usize, Node>,
    /// Nodes made so far, aliases expanded.
    nodes: usize,
    /// Bytes of scalar text made so far, aliases expanded.
    bytes: usize,
}

fn tag(tag: Option<yaml_rust2::parser::Tag>) -> Option<String> {
    tag.filter(|t| t.handle == "!").map(|t| t.suffix)
}

/// The number of nodes in a tree and the bytes of its scalars (keys included).
fn size(node: &Node) -> (usize, usize) {
    match &node.value {
        Value::Scalar(text, _) => (1, text.len()),
        Value::Seq(items) => items.iter().map(size).fold((1, 0), add),
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| {
                let (n, b) = size(v);
                (n, b.saturating_add(k.len()))
            })
            .fold((1, 0), add),
    }
}

fn add(a: (usize, usize), b: (usize, usize)) -> (usize, usize) {
    (a.0.saturating_add(b.0), a.1.saturating_add(b.1))
}

impl Builder<'_> {
    fn fail(&mut self, message: String, line: u32) {
        self.error.get_or_insert((message, line));
    }

    fn count(&mut self, (n, bytes): (usize, usize), line: u32) {
        self.nodes = self.nodes.saturating_add(n);
        self.bytes = self.bytes.saturating_add(bytes);
        if self.nodes > MAX_NODES {
            self.fail(
                format!("aliases expand the document past {MAX_NODES} nodes"),
                line,
            );
        } else if self.bytes > MAX_TEXT_BYTES {
            self.fail(
                format!(
                    "aliases expand the document past {} MiB of text",
                    MAX_TEXT_BYTES >> 20
                ),
                line,
            );
        }
    }

    fn add(&mut self, mut node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let Some((parent, _, key)) = self.stack.last_mut() else {
            self.root = Some(node);
            self.done = true;
            return;
        };
        match &mut parent.value {
            Value::Seq(items) => items.push(node),
            Value::Map(entries) => match key.take() {
                Some((k, line)) => {
                    node.key_line = line;
                    entries.push((k, node));
                }
                None => match node.value {
                    Value::Scalar(k, _) => *key = Some((k, node.line)),
                    _ => {
                        *key = Some((String::new(), node.line));
                        self.fail("a mapping key is not text".into(), node.line);
                    }
                },
            },
            Value::Scalar(..) => {}
        }
    }

    fn open(&mut self, node: Node, anchor: usize) {
        if self.stack.len() >= MAX_DEPTH {
            self.fail(format!("nested more than {MAX_DEPTH} levels"), node.line);
        }
        self.stack.push((node, anchor, None));
    }

    fn close(&mut self) {
        if let Some((mut node, anchor, _)) = self.stack.pop() {
            if let Value::Map(entries) = &mut node.value
                && let Err(message) = merge(entries)
            {
                self.fail(message, node.line);
            }
            self.add(node, anchor);
        }
    }
}

/// Applies `<<` merge keys (a mapping, or a list of mappings, whose entries fill in keys the
/// mapping does not give itself) and refuses a key the mapping gives twice.
fn merge(entries: &mut Vec<(String, Node)>) -> Result<(), String> {
    let (merged, own): (Vec<_>, Vec<_>) = std::mem::take(entries)
        .into_iter()
        .partition(|(k, n)| k == "<<" && n.tag.is_none());
    let mut seen = std::collections::HashSet::new();
    for (k, _) in &own {
        if !seen.insert(k.clone()) {
            return Err(format!(
                "the key {:?} is given twice in one mapping, so it has no single meaning",
                crate::text::one_line(k, 80)
            ));
        }
    }
    *entries = own;
    for (_, source) in merged {
        let sources = match source.value {
            Value::Map(_) => vec![source],
            Value::Seq(items) => items,
            Value::Scalar(..) => return Err("a << merge key must name a mapping".into()),
        };
        for source in sources {
            let Value::Map(more) = source.value else {
                return Err("a << merge key must name mappings".into());
            };
            for (k, v) in more {
                if seen.insert(k.clone()) {
                    entries.push((k, v));
                }
            }
        }
    }
    Ok(())
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.done || self.error.is_some() {
            return;
        }
        let line = self.lines.line(mark);
        match ev {
            Event::Scalar(text, style, anchor, t) => {
                let style = match style {
                    TScalarStyle::Literal => Style::Literal,
                    TScalarStyle::Folded => Style::Folded,
                    _ => Style::Inline,
                };
                self.count((1, text.len()), line);
                self.add(
                    Node {
                        line,
                        key_line: line,
                        tag: tag(t),
                        value: Value::Scalar(text, style),
                    },
                    anchor,
                );
            }
            Event::SequenceStart(anchor, t) => {
                self.count((1, 0), line);
                self.open(
                    Node {
                        line,
                        key_line: line,
                        tag: tag(t),
                        value: Value::Seq(Vec::new()),
                    },
                    anchor,
                );
            }
            Event::MappingStart(anchor, t) => {
                self.count((1, 0), line);
                self.open(
                    Node {
                        line,
                        key_line: line,
                        tag: tag(t),
                        value: Value::Map(Vec::new()),
                    },
                    anchor,
                );
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(id) => match self.anchors.get(&id) {
                Some(node) => {
                    let node = node.clone();
                    self.count(size(&node), line);
                    if self.error.is_none() {
                        self.add(node, 0);
                    }
                }
                None => self.fail("an alias names no anchor before it".into(), line),
            },
            _ => {}
        }
    }
}

impl Node {
    /// An empty mapping on line 1 (what an empty file holds).
    pub fn empty_map() -> Node {
        Node {
            line: 1,
            key_line: 1,
            tag: None,
            value: Value::Map(Vec::new()),
        }
    }

    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a scalar without a tag.
    pub fn text(&self) -> Option<&str> {
        match (&self.value, &self.tag) {
            (Value::Scalar(t, _), None) => Some(t),
            _ => None,
        }
    }

    /// The node as JSON text laid out on the YAML's lines: every key and scalar sits on the
    /// line it has in the file, and a mapping or list under a key opens on the key's line, so
    /// a line counted in the JSON is the file's (a node an alias repeats stays on the line
    /// where it is repeated). A tagged node is refused with its tag and line: the readers this
    /// serves (`yaml.safe_load`) know no tags.
    pub fn to_json_on_lines(&self) -> Result<String, (String, u32)> {
        let mut w = LineWriter {
            out: String::new(),
            line: 1,
            intrinsics: false,
        };
        w.node(self, true)?;
        Ok(w.out)
    }

    /// [`Node::to_json_on_lines`] for CloudFormation: a tagged node is written out as the
    /// intrinsic function it is ([`Node::to_json`], `!Ref k` → `{"Ref":"k"}`) on its line.
    pub fn to_template_json_on_lines(&self) -> String {
        let mut w = LineWriter {
            out: String::new(),
            line: 1,
            intrinsics: true,
        };
        w.node(self, true)
            .expect("a template writer writes every tag out");
        w.out
    }

    /// The node as JSON, with CloudFormation's short-form tags written out (`!Sub x` →
    /// `{"Fn::Sub": x}`, `!Ref x` → `{"Ref": x}`).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        let plain = match &self.value {
            Value::Scalar(t, _) => J::String(t.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        };
        match self.tag.as_deref() {
            None => plain,
            Some("Ref") => serde_json::json!({ "Ref": plain }),
            Some("GetAtt") => {
                let parts = match plain {
                    J::String(s) => {
                        J::Array(s.splitn(2, '.').map(|p| J::String(p.to_owned())).collect())
                    }
                    other => other,
                };
                serde_json::json!({ "Fn::GetAtt": parts })
            }
            Some(other) => {
                let mut o = serde_json::Map::new();
                o.insert(format!("Fn::{other}"), plain);
                J::Object(o)
            }
        }
    }
}

/// Writes JSON whose lines follow the YAML's ([`Node::to_json_on_lines`]).
struct LineWriter {
    out: String,
    line: u32,
    /// Tags are CloudFormation's intrinsic functions, written out; else refused.
    intrinsics: bool,
}

impl LineWriter {
    fn to(&mut self, line: u32) {
        while self.line < line {
            self.out.push('\n');
            self.line += 1;
        }
    }

    fn text(&mut self, text: &str) {
        // A JSON string holds no raw line break, so the line count stays true.
        self.out
            .push_str(&serde_json::Value::String(text.to_owned()).to_string());
    }

    fn node(&mut self, node: &Node, own_line: bool) -> Result<(), (String, u32)> {
        if node.tag.is_some() && self.intrinsics {
            if own_line {
                self.to(node.line);
            }
            // On one line: a JSON text holds the function and its argument.
            self.out.push_str(&node.to_json().to_string());
            return Ok(());
        }
        if let Some(tag) = &node.tag {
            return Err((
                format!("the tag !{}", crate::text::one_line(tag, 40)),
                node.line,
            ));
        }
        if own_line {
            self.to(node.line);
        }
        match &node.value {
            Value::Scalar(text, _) => self.text(text),
            Value::Seq(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.node(item, true)?;
                }
                self.out.push(']');
            }
            Value::Map(entries) => {
                self.out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.to(value.key_line);
                    self.text(key);
                    self.out.push(':');
                    let collection = matches!(value.value, Value::Seq(_) | Value::Map(_));
                    self.node(value, !collection)?;
                }
                self.out.push('}');
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_on_lines_keeps_every_key_on_its_yaml_line() {
        let text = "SchemaVersion: '1.0'\n# a comment\nSageMaker:\n  TrainingJob:\n    \
                    ResourceConfig:\n      VolumeKmsKeyId: \"k\\\"1\"\n    Tags:\n      - Key: a\n        \
                    Value: b\n";
        let json = load(text).unwrap().unwrap().to_json_on_lines().unwrap();
        let lines: Vec<&str> = json.lines().collect();
        assert_eq!(lines.len(), 9, "{json}");
        assert!(lines[2].starts_with("\"SageMaker\":{"), "{json}");
        assert!(lines[4].starts_with("\"ResourceConfig\":{"), "{json}");
        assert!(
            lines[5].starts_with("\"VolumeKmsKeyId\":\"k\\\"1\""),
            "{json}"
        );
        assert!(lines[7].starts_with("{\"Key\":\"a\""), "{json}");
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            value["SageMaker"]["TrainingJob"]["Tags"][0]["Value"],
            serde_json::json!("b")
        );
        assert_eq!(
            load("a:\n  b: !Ref k\n  c: !Sub\n    - x\n")
                .unwrap()
                .unwrap()
                .to_template_json_on_lines(),
            "{\"a\":{\n\"b\":{\"Ref\":\"k\"},\n\"c\":{\"Fn::Sub\":[\"x\"]}}}"
        );
        assert_eq!(
            load("a: !Ref b\n").unwrap().unwrap().to_json_on_lines(),
            Err(("the tag !Ref".to_owned(), 1))
        );
    }

    #[test]
    fn a_long_scalar_repeated_by_aliases_stops_at_the_text_bound() {
        let long = "x".repeat(1 << 20);
        let mut text = format!("a: &a {long}\nb: [");
        text.push_str(&"*a, ".repeat(300));
        text.push_str("*a]\n");
        let (message, _) = load(&text).unwrap_err();
        assert!(message.contains("MiB of text"), "{message}");
    }

    const TEMPLATE: &str = "AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Pipeline:
    Type: AWS::SageMaker::Pipeline
    Properties:
      PipelineName: !Ref Name
      PipelineDefinition:
        PipelineDefinitionBody: !Sub |
          {
            \"Steps\": []
          }
      Tags:
        - {Key: a, Value: b}
";

    #[test]
    fn nodes_keep_their_lines_tags_and_styles() {
        let root = load(TEMPLATE).unwrap().unwrap();
        let pipeline = root.get("Resources").unwrap().get("Pipeline").unwrap();
        assert_eq!(pipeline.line, 4);
        let props = pipeline.get("Properties").unwrap();
        let name = props.get("PipelineName").unwrap();
        assert_eq!(name.tag.as_deref(), Some("Ref"));
        assert_eq!(name.to_json(), serde_json::json!({"Ref": "Name"}));
        let body = props
            .get("PipelineDefinition")
            .unwrap()
            .get("PipelineDefinitionBody")
            .unwrap();
        assert_eq!(body.tag.as_deref(), Some("Sub"));
        let Value::Scalar(text, Style::Literal) = &body.value else {
            panic!("{body:?}")
        };
        assert_eq!(text, "{\n  \"Steps\": []\n}\n");
        assert_eq!(
            body.line, 9,
            "a block scalar starts at its first line of text"
        );
        let tags = props.get("Tags").unwrap();
        assert_eq!(
            tags.to_json(),
            serde_json::json!([{"Key": "a", "Value": "b"}])
        );
    }

    #[test]
    fn bad_yaml_names_its_line_and_aliases_do_not_expand() {
        let (_, line) = load("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(line >= 1);
        let root = load("a: &x [1, 2]\nb: *x\n").unwrap().unwrap();
        assert_eq!(root.get("b").unwrap().value, root.get("a").unwrap().value);
        assert_eq!(load("").unwrap(), None);
        let deep = "[".repeat(300) + &"]".repeat(300);
        assert!(load(&deep).is_err());
        // A lone carriage return ends no line here, as everywhere else in the tool (the YAML
        // parser would count it; found by the fuzzer).
        let (_, line) = load("# x\nowner: ml-platfo\rrm\n").unwrap_err();
        assert!(
            (2..=3).contains(&line),
            "{line} is past the text's 2 lines and its end"
        );
        // Non-ASCII text before a node, in a quoted or a block scalar, does not move its line
        // (found by the fuzzer: the parser's character positions drift after some in blocks).
        for text in ["xxx", "\u{362e9}", "\u{16}", "é€"] {
            let quoted = load(&format!("a: \"{text}\"\nb: |\n  x\nc: 1\n"))
                .unwrap()
                .unwrap();
            assert_eq!(quoted.get("c").map(|n| n.line), Some(4), "{text:?}");
            let block = load(&format!("a: |\n  {text}\nc: 1\n")).unwrap().unwrap();
            assert_eq!(block.get("c").map(|n| n.line), Some(3), "{text:?}");
        }
        let root = load("a: 1\r\nb: 2\r\n").unwrap().unwrap();
        assert_eq!(root.get("b").unwrap().line, 2, "CRLF is one line end");
    }

    /// Aliases and merge keys are expanded as CloudFormation's tools do (they dropped a
    /// pipeline before), within a bound; a key given twice is refused, never read either way.
    #[test]
    fn aliases_merges_and_duplicates() {
        let text = "base: &b {KmsKeyId: alias/aws/sagemaker, Size: 1}
own:
  <<: *b
  Size: 2
twice:
  KmsKeyId: alias/team
  KmsKeyId: alias/aws/sagemaker
";
        let (message, line) = load(text).unwrap_err();
        assert!(message.contains("\"KmsKeyId\" is given twice"), "{message}");
        assert_eq!(line, 6);
        let root = load(&text[..text.find("twice").unwrap()]).unwrap().unwrap();
        let own = root.get("own").unwrap();
        assert_eq!(
            own.get("KmsKeyId").unwrap().text(),
            Some("alias/aws/sagemaker")
        );
        assert_eq!(own.get("Size").unwrap().text(), Some("2"), "own keys win");
        // A billion laughs stops at the bound.
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        let (message, _) = load(&bomb).unwrap_err();
        assert!(message.contains("past"), "{message}");
    }
}
