//! What the tool covers, written from the registry of kinds (`crate::kinds`): the table and
//! JSON of `sagemaker-audit kinds`, and the read-only IAM policy a live scan needs. The README's
//! policy, `docs/org-role.yaml` and the botocore tests are checked against these, so none of
//! them can drift from the kinds the code declares.

use serde::Serialize;

use crate::kinds::Settled;
use crate::kinds::checks::REGISTRY;
use crate::resource::Kind;

/// One kind as `kinds --json` writes it.
#[derive(Debug, Serialize)]
pub struct KindEntry {
    /// `--kinds` name.
    pub name: &'static str,
    /// The report's `resource_type`.
    pub resource_type: &'static str,
    /// The resource part of its ARNs.
    pub arn_resource: &'static str,
    /// True when a live scan lists it (`--kinds` offers it, the IAM policy names its calls).
    pub listed: bool,
    /// Why a live scan cannot list it (only with `listed` false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unlisted: Option<&'static str>,
    /// The List operation (botocore's name).
    pub list: &'static str,
    /// The member of the List output holding the summaries.
    pub summaries: &'static str,
    /// The Describe operation the live scan calls.
    pub describe: &'static str,
    /// The Describe request's name member.
    pub name_field: &'static str,
    /// The describe output's field that marks the kind.
    pub marker: &'static str,
    /// The describe output's ARN field.
    pub arn_field: &'static str,
    /// The key fields its checks read from a describe response (botocore paths).
    pub keys: &'static [&'static str],
    /// `--status` values (the List operation's `StatusEquals` enum).
    pub statuses: &'static [&'static str],
    /// When a describe response is final (`--cache` keeps it): `{"field": …, "values": […]}`
    /// for a status, `"always"` for a resource the API cannot change, `"never"`.
    pub settled: serde_json::Value,
    /// Rule ids of the checks, in report order (none for pipelines: each step is judged by
    /// the checks of the kind it creates).
    pub checks: Vec<&'static str>,
    /// The pipeline step types that create a resource of the kind (`kinds` of steps).
    pub pipeline_steps: &'static [&'static str],
    /// The API operations that create it (what Step Functions tasks call).
    pub creates: &'static [&'static str],
    /// The Terraform AWS provider's resource types that create it.
    pub terraform: &'static [&'static str],
    /// The CloudFormation resource types that create it.
    pub cloudformation: &'static [&'static str],
}

/// Every kind, in report order: the registered kinds (those a live scan cannot list say
/// so), then pipelines (whose steps are judged as the resources they create).
pub fn entries() -> Vec<KindEntry> {
    let checks_of = |kind: Kind| -> Vec<&'static str> {
        REGISTRY
            .iter()
            .map(|c| c.meta())
            .filter(|m| m.kind == kind)
            .map(|m| m.id)
            .collect()
    };
    let mut out: Vec<KindEntry> = crate::kinds::KINDS
        .iter()
        .map(|d| KindEntry {
            name: d.kind.name(),
            resource_type: d.names.resource_type,
            arn_resource: d.names.arn_resource,
            listed: d.unlisted.is_none(),
            unlisted: d.unlisted,
            list: d.api.list,
            summaries: d.api.summaries,
            describe: d.api.describe,
            name_field: d.api.name_field,
            marker: d.api.marker,
            arn_field: d.api.arn_field,
            keys: d.keys,
            statuses: d.statuses,
            settled: match d.settled {
                Settled::Never => "never".into(),
                Settled::Always => "always".into(),
                Settled::When { field, values } => {
                    serde_json::json!({ "field": field, "values": values })
                }
            },
            checks: checks_of(d.kind),
            pipeline_steps: d.pipeline_steps,
            creates: d.creates,
            terraform: d.terraform,
            cloudformation: d.cloudformation,
        })
        .collect();
    let pipelines = &crate::kinds::pipeline_step::API;
    out.push(KindEntry {
        name: crate::resource::PIPELINE,
        resource_type: crate::resource::PIPELINE_STEP,
        arn_resource: "pipeline",
        listed: true,
        unlisted: None,
        list: pipelines.list,
        summaries: pipelines.summaries,
        describe: pipelines.describe,
        name_field: pipelines.name_field,
        marker: pipelines.marker,
        arn_field: pipelines.arn_field,
        keys: &[],
        statuses: &[],
        settled: "never".into(),
        checks: Vec::new(),
        pipeline_steps: &[],
        creates: &[],
        terraform: &[],
        cloudformation: &[],
    });
    out
}

/// The IAM actions a live scan calls: each listed kind's List and Describe operation and
/// `kms:DescribeKey` (optional: without it keys are UNVERIFIED).
pub fn actions() -> Vec<String> {
    entries()
        .iter()
        .filter(|e| e.listed)
        .flat_map(|e| [e.list, e.describe])
        .map(|op| format!("sagemaker:{op}"))
        .chain(["kms:DescribeKey".to_owned()])
        .collect()
}

/// The minimal read-only IAM policy of a live scan, as JSON.
pub fn iam_policy() -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Policy {
        version: &'static str,
        statement: [Statement; 1],
    }
    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Statement {
        effect: &'static str,
        action: Vec<String>,
        resource: &'static str,
    }
    let policy = Policy {
        version: "2012-10-17",
        statement: [Statement {
            effect: "Allow",
            action: actions(),
            resource: "*",
        }],
    };
    let mut text = serde_json::to_string_pretty(&policy).expect("a policy serialises");
    text.push('\n');
    text
}

/// `kinds --json`.
pub fn json() -> String {
    let mut text = serde_json::to_string_pretty(&entries()).expect("entries serialise");
    text.push('\n');
    text
}

/// `kinds`: one line per kind with its resource type, API calls and checks.
pub fn table() -> String {
    let rows: Vec<[String; 4]> = entries()
        .into_iter()
        .map(|e| {
            [
                e.name.to_owned(),
                e.resource_type.to_owned(),
                if e.listed {
                    format!("{} / {}", e.list, e.describe)
                } else {
                    format!("{} (saved responses only)", e.describe)
                },
                if e.checks.is_empty() {
                    "each step: the checks of the kind it creates".to_owned()
                } else {
                    e.checks.join(", ")
                },
            ]
        })
        .collect();
    let head = ["KIND", "RESOURCE TYPE", "LIST / DESCRIBE", "CHECKS"].map(str::to_owned);
    let mut widths = [0usize; 4];
    for row in std::iter::once(&head).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&head).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_and_kind_is_in_the_catalogue() {
        let entries = entries();
        assert_eq!(
            entries.len(),
            Kind::ALL.len() + 1,
            "the kinds and pipelines"
        );
        let checks: usize = entries.iter().map(|e| e.checks.len()).sum();
        assert_eq!(checks, REGISTRY.len());
        let policy: serde_json::Value = serde_json::from_str(&iam_policy()).unwrap();
        let actions = policy["Statement"][0]["Action"].as_array().unwrap();
        let listed = entries.iter().filter(|e| e.listed).count();
        assert_eq!(actions.len(), 2 * listed + 1);
        // A kind is listed exactly when it has no reason not to be.
        assert!(entries.iter().all(|e| e.listed == e.unlisted.is_none()));
        assert!(table().lines().count() == entries.len() + 1);
    }
}
