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

/// One YAML node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Line where the node starts (for a block scalar: its first line that is not blank).
    pub line: u32,
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

struct Builder<'l> {
    lines: &'l Lines,
    /// Open collections, with their anchor and the key awaiting a value in a mapping.
    stack: Vec<(Node, usize, Option<String>)>,
    root: Option<Node>,
    done: bool,
    error: Option<(String, u32)>,
    /// Anchored nodes by anchor id, for aliases.
    anchors: std::collections::HashMap<usize, Node>,
    /// Nodes made so far, aliases expanded.
    nodes: usize,
}

fn tag(tag: Option<yaml_rust2::parser::Tag>) -> Option<String> {
    tag.filter(|t| t.handle == "!").map(|t| t.suffix)
}

/// The number of nodes in a tree.
fn size(node: &Node) -> usize {
    1 + match &node.value {
        Value::Scalar(..) => 0,
        Value::Seq(items) => items.iter().map(size).sum(),
        Value::Map(entries) => entries.iter().map(|(_, v)| size(v)).sum(),
    }
}

impl Builder<'_> {
    fn fail(&mut self, message: String, line: u32) {
        self.error.get_or_insert((message, line));
    }

    fn count(&mut self, n: usize, line: u32) {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            self.fail(
                format!("aliases expand the document past {MAX_NODES} nodes"),
                line,
            );
        }
    }

    fn add(&mut self, node: Node, anchor: usize) {
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
                Some(k) => entries.push((k, node)),
                None => match node.value {
                    Value::Scalar(k, _) => *key = Some(k),
                    _ => {
                        *key = Some(String::new());
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
                self.count(1, line);
                self.add(
                    Node {
                        line,
                        tag: tag(t),
                        value: Value::Scalar(text, style),
                    },
                    anchor,
                );
            }
            Event::SequenceStart(anchor, t) => {
                self.count(1, line);
                self.open(
                    Node {
                        line,
                        tag: tag(t),
                        value: Value::Seq(Vec::new()),
                    },
                    anchor,
                );
            }
            Event::MappingStart(anchor, t) => {
                self.count(1, line);
                self.open(
                    Node {
                        line,
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

#[cfg(test)]
mod tests {
    use super::*;

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
