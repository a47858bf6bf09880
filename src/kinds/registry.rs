//! The registry of kinds: each kind's declaration ([`KindDecl`], one per file in this
//! directory), and everything other modules ask about a kind, answered from it.

use std::fmt;

use super::{Draft, Fields, Scope, SlotDraft};
use crate::document::DocumentError;
use crate::resource::{Group, Kind};

/// Everything about one kind of resource, declared once in its file: how reports name it,
/// the API calls that list and describe it, how its documents are recognised and read, and
/// the checks its key slots feed.
pub struct KindDecl {
    /// The kind (its variant, from `crate::resource::registered_kinds`).
    pub kind: Kind,
    /// How reports and messages name it.
    pub names: Names,
    /// The List and Describe operations and the fields that mark their outputs.
    pub api: Api,
    /// Why a live scan cannot list the kind's resources, which are then read from saved
    /// describe responses only (not offered by `--kinds`, left out of the IAM policy);
    /// `None` for every kind the AWS SDK for Rust the live scan uses can list and describe.
    pub unlisted: Option<&'static str>,
    /// The status values the List operation's `StatusEquals` accepts (`--status`), as
    /// botocore's SageMaker model gives them; empty when it filters by none.
    pub statuses: &'static [&'static str],
    /// When a describe response of it can no longer change (`scan --live --cache` keeps such
    /// responses instead of describing the resource again).
    pub settled: Settled,
    /// The key fields its slots read from a describe response, as botocore paths (`[]` for
    /// the items of a list). Every slot a describe document yields names one of them, and
    /// tests/aws-model checks that each KMS key field of the model is read here or listed
    /// in `data/key-fields.toml` with the reason it is not.
    pub keys: &'static [&'static str],
    /// Fields only a full describe response has (a list summary has none of them).
    pub describe_fields: &'static [&'static str],
    /// Fields of its describe response that name another kind's resource with that kind's
    /// marker field (a `DescribeEndpoint` response's `EndpointConfigName`): references, not
    /// marks of the other kind.
    pub refers_to: &'static [&'static str],
    /// The types of SageMaker Pipelines step whose `Arguments` are this kind's Create request
    /// (the pipeline definition schema's step types); each such step is judged as a resource
    /// of this kind.
    pub pipeline_steps: &'static [&'static str],
    /// The API operations that create it (botocore's names): their request is what a Step
    /// Functions task that calls them sends, judged as a resource of this kind.
    pub creates: &'static [&'static str],
    /// The Terraform AWS provider's resource types that create it (their planned values,
    /// read as the Create request, are judged as a resource of this kind).
    pub terraform: &'static [&'static str],
    /// The CloudFormation resource types that create it (their `Properties`, read as the
    /// Create request, are judged as a resource of this kind).
    pub cloudformation: &'static [&'static str],
    /// Reads a describe document.
    pub parse: for<'a> fn(&Fields<'a>) -> Result<Draft<'a>, DocumentError>,
    /// Reads the key slots from the kind's describe response or Create request (a pipeline
    /// step's arguments); instance types come with the volume slots.
    pub slots: for<'a> fn(&Fields<'a>, Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError>,
    /// The checks of its key slots, in report order.
    pub checks: &'static [&'static dyn crate::rules::Check],
    /// The live List and Describe calls (`crate::calls::calls!`; `crate::calls::UNLISTED`
    /// for a kind with an `unlisted` reason).
    #[cfg(feature = "aws")]
    pub live: crate::calls::Calls,
}

impl KindDecl {
    /// For a kind a live scan cannot list: why, and how to scan its resources instead (the
    /// end of a sentence that names them); `None` for a listed kind.
    pub fn not_listed(&self) -> Option<String> {
        self.unlisted.map(|why| {
            format!(
                "{why}; scan their saved `aws sagemaker {}` responses offline",
                self.api.describe_command()
            )
        })
    }

    /// True when infrastructure code (a Terraform plan, a CloudFormation template) can
    /// declare the kind's resources.
    pub fn in_infrastructure_code(&self) -> bool {
        !self.terraform.is_empty() || !self.cloudformation.is_empty()
    }
}

/// When a kind's describe response is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// Never: the resource can change (an endpoint moves to another configuration).
    Never,
    /// Once the response's status field holds one of these values (a job that has ended
    /// keeps its settings).
    When {
        /// The status field of the describe response.
        field: &'static str,
        /// Its final values.
        values: &'static [&'static str],
    },
    /// Always: the API has no operation that changes it after creation.
    Always,
}

impl Settled {
    /// True when `response` (a describe response's top-level fields) can no longer change.
    pub fn holds(self, status: impl Fn(&str) -> Option<String>) -> bool {
        match self {
            Settled::Never => false,
            Settled::Always => true,
            Settled::When { field, values } => {
                status(field).is_some_and(|s| values.contains(&s.as_str()))
            }
        }
    }
}

/// How reports and messages name a kind.
pub struct Names {
    /// The resource type reports show (`resource_type` column), e.g. `training-job`.
    pub resource_type: &'static str,
    /// The resource part of the kind's ARNs (`arn:…:<this>/<name>`), as botocore's ARN
    /// patterns give it.
    pub arn_resource: &'static str,
    /// True when the ARN puts one more segment before the name
    /// (`arn:…:job/<category>/<name>`, model customization jobs).
    pub arn_nested: bool,
    /// True when the ARN ends in an id SageMaker assigns, not in the name
    /// (`arn:…:cluster/<12-character id>`, HyperPod clusters): the name is not checked against
    /// it, and `collect` names the resource's file after the id.
    pub arn_id: bool,
    /// How messages name one resource, e.g. `Training job`.
    pub noun: &'static str,
    /// The kind's resources in a sentence, e.g. `batch transform jobs`.
    pub plural: &'static str,
}

/// A kind's List and Describe operations, as botocore's SageMaker model names them.
pub struct Api {
    /// The List operation, e.g. `ListTrainingJobs`.
    pub list: &'static str,
    /// The member of the List output holding the summaries; a document with it is a list
    /// output, refused with advice.
    pub summaries: &'static str,
    /// The Describe operation, e.g. `DescribeTrainingJob`.
    pub describe: &'static str,
    /// The Describe request's name member, e.g. `TrainingJobName`.
    pub name_field: &'static str,
    /// The describe output's field that marks the kind: its name field, unless other
    /// responses share that name (`DescribeInferenceExperiment`'s `Name` is also
    /// `DescribePartnerApp`'s), then a member only this kind's output has.
    pub marker: &'static str,
    /// The describe output's field holding the ARN.
    pub arn_field: &'static str,
    /// The member of the describe output that wraps every other field, the name and ARN
    /// fields included (`DescribeTrainingSession`'s `TrainingSessionDetail`); `None` when the
    /// fields sit at the top level.
    pub within: Option<&'static str>,
}

impl Api {
    /// The AWS CLI command of the List operation, e.g. `list-training-jobs`.
    pub fn list_command(&self) -> String {
        cli_name(self.list)
    }

    /// The AWS CLI command of the Describe operation, e.g. `describe-training-job`.
    pub fn describe_command(&self) -> String {
        cli_name(self.describe)
    }

    /// The AWS CLI option naming the resource, e.g. `--training-job-name`.
    pub fn name_option(&self) -> String {
        format!("--{}", cli_name(self.name_field))
    }
}

/// An operation or member name as the AWS CLI spells it: botocore's `xform_name` with `-`
/// (`DescribeAutoMLJobV2` → `describe-auto-ml-job-v2`).
pub fn cli_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            // A word starts at a capital after a small letter or digit, or at the last
            // capital of a run that a small letter follows (`MLJob` → `ml-job`).
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('-');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Declares the kinds' modules and the registry from `crate::resource::registered_kinds`.
macro_rules! declare_modules {
    ($($variant:ident => $module:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Every registered kind's declaration, in report order.
        pub static KINDS: &[&KindDecl] = &[$(&$module::KIND),*];
    };
}

pub(super) use declare_modules;

impl Kind {
    /// The kind's declaration.
    pub fn decl(self) -> &'static KindDecl {
        super::KINDS
            .iter()
            .copied()
            .find(|d| d.kind == self)
            .expect("every kind is declared")
    }

    fn names(self) -> &'static Names {
        &self.decl().names
    }

    /// The resource type reports show (`resource_type` column).
    pub fn resource_type(self) -> &'static str {
        self.names().resource_type
    }

    /// The resource part of the kind's ARNs (`arn:…:<this>/<name>`).
    pub fn arn_resource(self) -> &'static str {
        self.names().arn_resource
    }

    /// True when its ARN puts a parent's name before its own ([`Names::arn_nested`]).
    pub fn arn_nested(self) -> bool {
        self.names().arn_nested
    }

    /// True when the ARN ends in an id, not the name ([`Names::arn_id`]).
    pub fn arn_id(self) -> bool {
        self.names().arn_id
    }

    /// The resource's name in the part of its ARN after `<arn_resource>/`: all of it, or the
    /// last segment of a nested ARN (`None` when it has not exactly that one more segment).
    pub fn name_in_arn(self, rest: &str) -> Option<&str> {
        if !self.arn_nested() {
            return Some(rest);
        }
        match rest.split_once('/') {
            Some((segment, name)) if !segment.is_empty() && !name.contains('/') => Some(name),
            _ => None,
        }
    }

    /// How messages name a resource of this kind.
    pub fn noun(self) -> &'static str {
        self.names().noun
    }

    /// The kind's resources in a sentence, e.g. `batch transform jobs`.
    pub fn plural(self) -> &'static str {
        self.names().plural
    }

    /// One resource of the kind in a sentence, e.g. `AutoML job`, `Studio domain`: the
    /// plural without its `s`, so names keep their capitals.
    pub fn singular(self) -> &'static str {
        let plural = self.plural();
        plural.strip_suffix('s').unwrap_or(plural)
    }

    /// True for a kind of job (its Describe operation describes a job, as botocore names
    /// them: `DescribeTrainingJob`, `DescribeAutoMLJobV2`); false for endpoint
    /// configurations, notebook instances and the like.
    pub fn is_job(self) -> bool {
        self.decl().api.describe.contains("Job")
    }

    /// The status values the kind's List call accepts.
    pub fn statuses(self) -> &'static [&'static str] {
        self.decl().statuses
    }

    /// The kind's spelling of a `--status` value: the same status whatever its case and
    /// punctuation (`Completed` is a compilation job's `COMPLETED`, `InProgress` its
    /// `INPROGRESS`); `None` when the kind has no such status.
    pub fn status(self, text: &str) -> Option<&'static str> {
        let norm = |s: &str| -> String {
            s.chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect()
        };
        let wanted = norm(text);
        self.statuses()
            .iter()
            .copied()
            .find(|s| *s == text)
            .or_else(|| self.statuses().iter().copied().find(|s| norm(s) == wanted))
    }

    /// The kind a `--kinds` name or a report's `resource_type` names.
    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == text || k.resource_type() == text)
    }
}

/// How reports name a group: a kind's words, or pipeline steps'.
impl Group {
    /// The resource type of the group's resources (`pipeline-step` for steps).
    pub fn resource_type(self) -> &'static str {
        match self {
            Group::Kind(k) => k.resource_type(),
            Group::PipelineSteps => crate::resource::PIPELINE_STEP,
            Group::SdkConfig => crate::resource::SDK_CONFIG,
            Group::StateMachineTasks => crate::resource::STATE_MACHINE_TASK,
            Group::IacResources => crate::resource::IAC_RESOURCE,
        }
    }

    /// How a message names one of them.
    pub fn noun(self) -> &'static str {
        match self {
            Group::Kind(k) => k.noun(),
            Group::PipelineSteps => "Pipeline step",
            Group::SdkConfig => "SDK config section",
            Group::StateMachineTasks => "State machine task",
            Group::IacResources => "Infrastructure-code resource",
        }
    }

    /// Them in a sentence.
    pub fn plural(self) -> &'static str {
        match self {
            Group::Kind(k) => k.plural(),
            Group::PipelineSteps => "pipeline steps",
            Group::SdkConfig => "SDK config sections",
            Group::StateMachineTasks => "state machine tasks",
            Group::IacResources => "infrastructure-code resources",
        }
    }

    /// One of them in a sentence ([`Kind::singular`]).
    pub fn singular(self) -> &'static str {
        let plural = self.plural();
        plural.strip_suffix('s').unwrap_or(plural)
    }

    /// The group a report's `resource_type` names (`pipeline-step` in 2.x reports).
    pub fn of_resource_type(text: &str) -> Option<Group> {
        if text == crate::resource::PIPELINE_STEP {
            return Some(Group::PipelineSteps);
        }
        if text == crate::resource::SDK_CONFIG {
            return Some(Group::SdkConfig);
        }
        if text == crate::resource::STATE_MACHINE_TASK {
            return Some(Group::StateMachineTasks);
        }
        if text == crate::resource::IAC_RESOURCE {
            return Some(Group::IacResources);
        }
        Kind::parse(text).map(Group::Kind)
    }

    /// The resource part of their ARNs (a step's ARN is its pipeline's, then `/STEP`).
    pub fn arn_resource(self) -> &'static str {
        match self {
            Group::Kind(k) => k.arn_resource(),
            Group::PipelineSteps => "pipeline",
            Group::SdkConfig => crate::resource::SDK_CONFIG,
            Group::StateMachineTasks => "stateMachine",
            Group::IacResources => crate::resource::IAC,
        }
    }

    /// True for a kind whose ARN nests its resources under a parent ([`Kind::arn_nested`]).
    pub fn arn_nested(self) -> bool {
        matches!(self, Group::Kind(k) if k.arn_nested())
    }

    /// True when the ARN ends in an id, not the name ([`Kind::arn_id`]).
    pub fn arn_id(self) -> bool {
        matches!(self, Group::Kind(k) if k.arn_id())
    }

    /// The resource's name in the part of its ARN after `<arn_resource>/`
    /// ([`Kind::name_in_arn`]).
    pub fn name_in_arn(self, rest: &str) -> Option<&str> {
        match self {
            Group::Kind(k) => k.name_in_arn(rest),
            _ => Some(rest),
        }
    }
}

/// The kind an API operation (`CreateTrainingJob`, in any case of its first letter, as Step
/// Functions writes it: `createTrainingJob`) creates, if any.
pub fn of_create_call(operation: &str) -> Option<Kind> {
    super::KINDS
        .iter()
        .find(|d| {
            d.creates.iter().any(|c| {
                c.len() == operation.len()
                    && operation.is_char_boundary(1)
                    && c[..1].eq_ignore_ascii_case(&operation[..1])
                    && c[1..] == operation[1..]
            })
        })
        .map(|d| d.kind)
}

/// The kind a Terraform resource type creates, if any.
pub fn of_terraform_type(type_name: &str) -> Option<Kind> {
    super::KINDS
        .iter()
        .find(|d| d.terraform.contains(&type_name))
        .map(|d| d.kind)
}

/// The kind a CloudFormation resource type creates, if any.
pub fn of_cloudformation_type(type_name: &str) -> Option<Kind> {
    super::KINDS
        .iter()
        .find(|d| d.cloudformation.contains(&type_name))
        .map(|d| d.kind)
}

/// The kind a pipeline step of this type creates, if any.
pub fn of_step(step_type: &str) -> Option<Kind> {
    super::KINDS
        .iter()
        .find(|d| d.pipeline_steps.contains(&step_type))
        .map(|d| d.kind)
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.resource_type())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A slot's field as its kind declares it: list indices written as `[]`.
    fn declared_form(field: &str) -> String {
        let mut out = String::with_capacity(field.len());
        let mut in_index = false;
        for c in field.chars() {
            match c {
                '[' => {
                    in_index = true;
                    out.push('[');
                }
                ']' => {
                    in_index = false;
                    out.push(']');
                }
                _ if in_index => {}
                _ => out.push(c),
            }
        }
        out
    }

    /// Every describe response under `samples/` and the mixed-kind fixtures.
    fn describe_documents() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut dirs = vec![root.join("samples"), root.join("tests/fixtures/kinds")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("readable directory") {
                let path = entry.expect("directory entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path
                    .extension()
                    .is_some_and(|e| e == "json" || e == "jsonl")
                {
                    files.push(path);
                }
            }
        }
        let mut docs = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).expect("readable sample");
            let name = path.display().to_string();
            let texts: Vec<String> = match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(serde_json::Value::Array(items)) => {
                    items.iter().map(|v| v.to_string()).collect()
                }
                Ok(_) => vec![text],
                // JSON Lines.
                Err(_) => text
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_owned)
                    .collect(),
            };
            docs.extend(texts.into_iter().map(|t| (name.clone(), t)));
        }
        docs
    }

    #[test]
    fn every_slot_of_a_describe_document_reads_a_declared_key_and_every_declared_key_is_read() {
        use crate::ingest::document::{Document, parse};
        let mut seen: std::collections::BTreeSet<(Kind, String)> = Default::default();
        let mut resources = 0;
        for (name, text) in describe_documents() {
            let Ok(Document::Resource(r)) = parse(&text, 1, &name) else {
                continue;
            };
            resources += 1;
            for slot in &r.slots {
                let field = declared_form(&slot.field);
                assert!(
                    r.kind.decl().keys.contains(&field.as_str()),
                    "{name}: a {} slot reads {field}, which the kind does not declare in `keys`",
                    r.kind.name()
                );
                seen.insert((r.kind, field));
            }
        }
        assert!(resources > 40, "only {resources} describe documents found");
        let unread: Vec<String> = super::super::KINDS
            .iter()
            .flat_map(|d| d.keys.iter().map(move |k| (d.kind, *k)))
            .filter(|(kind, key)| !seen.contains(&(*kind, (*key).to_owned())))
            .map(|(kind, key)| format!("{} {key}", kind.name()))
            .collect();
        assert!(
            unread.is_empty(),
            "no sample or fixture has a slot reading these declared keys (add one, so the \
             declaration is known to match what the parser reads): {unread:#?}"
        );
    }

    #[test]
    fn cli_names_are_botocores() {
        for (op, cli) in [
            ("ListTrainingJobs", "list-training-jobs"),
            ("DescribeAutoMLJobV2", "describe-auto-ml-job-v2"),
            ("ListAutoMLJobs", "list-auto-ml-jobs"),
            (
                "DescribeHyperParameterTuningJob",
                "describe-hyper-parameter-tuning-job",
            ),
            ("AutoMLJobName", "auto-ml-job-name"),
            ("DescribeCompilationJob", "describe-compilation-job"),
        ] {
            assert_eq!(cli_name(op), cli, "{op}");
        }
    }

    #[test]
    fn every_slot_a_kind_reads_has_a_check() {
        // A document with none of the kind's fields still gives its slots (empty): each
        // role among them must have a check of the kind, or that key would go unjudged.
        let empty = super::super::Fields::parse("{}").unwrap();
        for d in super::super::KINDS {
            let slots = (d.slots)(&empty, super::super::Scope::Describe).unwrap();
            assert!(!slots.is_empty(), "{}", d.kind);
            for s in &slots {
                assert!(
                    d.checks.iter().any(|c| c.meta().role == s.slot.role),
                    "{}: no check judges {}",
                    d.kind,
                    s.slot.field
                );
            }
        }
    }

    #[test]
    fn every_kind_is_declared_once_with_its_own_names() {
        for &k in Kind::ALL {
            let d = k.decl();
            assert_eq!(d.kind, k);
            assert_eq!(Kind::parse(k.name()), Some(k));
            assert_eq!(Kind::parse(k.resource_type()), Some(k));
            // A kind's statuses are its own spellings (none: it filters by none).
            for status in d.statuses {
                assert_eq!(k.status(status), Some(*status), "{k}");
            }
            assert!(d.api.list.starts_with("List") && d.api.describe.starts_with("Describe"));
            // The sentence form is the noun, but for the capitals of names.
            assert!(k.noun().eq_ignore_ascii_case(k.singular()), "{k}");
            for check in d.checks {
                assert_eq!(
                    check.meta().kind,
                    k,
                    "{} is declared with {k}",
                    check.meta().id
                );
            }
        }
        assert_eq!(super::super::KINDS.len(), Kind::ALL.len());
        assert_eq!(Kind::parse("pipeline-step"), None);
        assert!(Kind::Training.statuses().contains(&"Deleting"));
        assert!(!Kind::Processing.statuses().contains(&"Deleting"));
        assert!(Kind::EndpointConfig.statuses().is_empty());
        assert_eq!(
            serde_json::to_value(Kind::AutoMl).unwrap(),
            serde_json::json!("automl")
        );
        assert_eq!(
            serde_json::from_value::<Kind>(serde_json::json!("automl")).unwrap(),
            Kind::AutoMl
        );
    }
}
