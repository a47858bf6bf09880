//! The registry of checks: every registered kind's checks in the kinds' order. It is the only
//! list of rule ids (waivers, merges and baselines validate
//! against it; tests derive counts from it).

use std::sync::LazyLock;

use crate::rules::{Check, RuleMeta};

/// Every check, in report order: by kind, in each kind the order its declaration gives.
pub static REGISTRY: LazyLock<Vec<&'static dyn Check>> = LazyLock::new(|| {
    super::KINDS
        .iter()
        .flat_map(|k| k.checks.iter().copied())
        .collect()
});

/// The check with this id.
pub fn find(id: &str) -> Option<&'static RuleMeta> {
    REGISTRY.iter().map(|c| c.meta()).find(|m| m.id == id)
}

/// A check's position in the registry: its place in every report's order.
pub fn rank(meta: &RuleMeta) -> usize {
    REGISTRY
        .iter()
        .position(|c| std::ptr::eq(c.meta(), meta))
        .unwrap_or(usize::MAX)
}

/// Every rule id, in report order (for messages that list them).
pub fn ids() -> Vec<&'static str> {
    REGISTRY.iter().map(|c| c.meta().id).collect()
}

/// Every compliance framework the checks map to, sorted.
pub fn frameworks() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = REGISTRY
        .iter()
        .flat_map(|r| r.meta().compliance.iter().map(|c| c.framework))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Finds the framework `--framework NAME` means: case and punctuation are ignored and any
/// unambiguous part of the name works (`nist`, `iso27001`, `pci`, `c5`).
pub fn find_framework(query: &str) -> Result<&'static str, String> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let q = norm(query);
    let all = frameworks();
    let hits: Vec<&'static str> = all
        .iter()
        .copied()
        .filter(|f| {
            !q.is_empty() && (norm(f).contains(&q) || norm(f).replace("iec", "").contains(&q))
        })
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "--framework {query:?} matches none of: {}",
            all.join(", ")
        )),
        many => Err(format!(
            "--framework {query:?} is ambiguous: {}",
            many.join(", ")
        )),
    }
}
