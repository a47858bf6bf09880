//! The source tree's top-level modules import each other without a circle (issue 17 found
//! `ingest` ↔ `kinds` ↔ `pipeline`, `cli` ↔ `docs` and `report` ↔ `schema`): an edge is a
//! `crate::MODULE` path outside comments and test modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::repo;

fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let src = repo().join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let module = top_module(&src, path);
        if module == "main" || module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let deps = graph.entry(module.clone()).or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (i, _) in line.match_indices("crate::") {
                let name: String = line[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    deps.insert(name);
                }
            }
        }
    }
    graph
}

fn top_module(src: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

#[test]
fn modules_import_each_other_without_a_circle() {
    let graph = edges();
    assert!(graph.len() > 20, "{graph:?}");
    // Depth-first search from every module; a module met again on the current path closes a
    // circle.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(m) {
            return;
        }
        if let Some(i) = path.iter().position(|p| p == m) {
            panic!("import circle: {} -> {m}", path[i..].join(" -> "));
        }
        path.push(m.to_owned());
        for d in graph.get(m).into_iter().flatten() {
            if graph.contains_key(d) {
                visit(d, graph, path, done);
            }
        }
        path.pop();
        done.insert(m.to_owned());
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done);
    }
}
