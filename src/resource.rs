//! A SageMaker resource as the checks see it, whatever its kind and however it was read: its
//! identity, where it was read, and the key slots the checks judge.
//!
//! Each kind has one small parser (`crate::kinds`) that fills this shape; checks, reports and
//! writers only ever see this shape.

use std::borrow::Cow;
use std::fmt;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::Timestamp;

/// The registry of resource kinds: one line per kind, `Variant => module`, in report order.
/// The module `src/kinds/<module>.rs` declares everything about the kind (its names, API
/// operations, document markers, statuses, key slots and their checks); the module's name is
/// the kind's name (`--kinds`, `collect` directories, JSON). Everything else derives from this
/// list: the [`Kind`] enum here, and `crate::kinds`' modules and registry.
macro_rules! registered_kinds {
    ($then:ident) => {
        $then! {
            Training => training,
            Processing => processing,
            Transform => transform,
            Tuning => tuning,
            AutoMl => automl,
            Compilation => compilation,
            Customization => customization,
            EndpointConfig => endpoint_config,
            Endpoint => endpoint,
            Notebook => notebook,
            Domain => domain,
            UserProfile => user_profile,
            FeatureGroup => feature_group,
            InferenceExperiment => inference_experiment,
            ModelCard => model_card,
            DataQualityJobDefinition => data_quality_job_definition,
            ModelQualityJobDefinition => model_quality_job_definition,
            ModelBiasJobDefinition => model_bias_job_definition,
            ModelExplainabilityJobDefinition => model_explainability_job_definition,
            MonitoringSchedule => monitoring_schedule,
            HyperPodCluster => hyperpod_cluster,
            Labeling => labeling,
            Optimization => optimization,
            FlowDefinition => flow_definition,
            EdgePackaging => edge_packaging,
            DeviceFleet => device_fleet,
            ModelPackage => model_package,
            Algorithm => algorithm,
            MlflowApp => mlflow_app,
            PartnerApp => partner_app,
            TrainingSession => training_session,
            InferenceRecommendations => inference_recommendations,
            InferenceRouter => inference_router,
        }
    };
}
pub(crate) use registered_kinds;

/// Declares [`Kind`] from the registry.
macro_rules! declare_kind {
    ($($variant:ident => $module:ident),* $(,)?) => {
        /// The kinds of resource the tool audits: every registered kind (`crate::kinds` has
        /// each one's declaration). Where a resource comes from (a pipeline step that will
        /// create it, say) is its [`Origin`], not a kind.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind {
            $(
                #[doc = concat!("Declared in `src/kinds/", stringify!($module), ".rs`.")]
                $variant,
            )*
        }

        impl Kind {
            /// Every kind, in report order.
            pub const ALL: &[Kind] = &[$(Kind::$variant),*];

            /// The short name `--kinds`, `collect` directories and JSON use: the name of the
            /// kind's module.
            pub fn name(self) -> &'static str {
                match self {
                    $(Kind::$variant => stringify!($module),)*
                }
            }
        }
    };
}

registered_kinds!(declare_kind);

/// A kind is written as its name.
impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Cow::<str>::deserialize(d)?;
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == text)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "unknown kind {:?}",
                    crate::text::one_line(&text, 60)
                ))
            })
    }
}

/// Where a resource comes from: the resource itself (a describe document, read from a file
/// or the API), or a step of a SageMaker Pipeline definition that will create it on every run,
/// judged before it exists by its kind's checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// The resource itself.
    #[default]
    Resource,
    /// A pipeline step (named `PIPELINE/STEP`) that creates a resource of its kind.
    PipelineStep,
    /// A section of a SageMaker Python SDK configuration file (named by its key path, e.g.
    /// `SageMaker.TrainingJob`) whose keys the SDK writes into every request of its kind that
    /// does not set them itself.
    SdkConfig,
    /// A Task state of a Step Functions state machine (named `MACHINE/STATE`) that calls the
    /// Create operation of its kind.
    StateMachineTask,
    /// A resource declared in infrastructure code (a Terraform plan's `aws_sagemaker_training_job`),
    /// named by its address, judged before it exists.
    IacResource,
}

impl Origin {
    /// How reports name a pipeline step's origin (`origin` field and column); `None` for the
    /// resource itself.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Origin::Resource => None,
            Origin::PipelineStep => Some(PIPELINE_STEP),
            Origin::SdkConfig => Some(SDK_CONFIG),
            Origin::StateMachineTask => Some(STATE_MACHINE_TASK),
            Origin::IacResource => Some(IAC_RESOURCE),
        }
    }

    /// The origin a report's `origin` names.
    pub fn parse(text: Option<&str>) -> Option<Origin> {
        match text {
            None | Some("") => Some(Origin::Resource),
            Some(PIPELINE_STEP) => Some(Origin::PipelineStep),
            Some(SDK_CONFIG) => Some(Origin::SdkConfig),
            Some(STATE_MACHINE_TASK) => Some(Origin::StateMachineTask),
            Some(IAC_RESOURCE) => Some(Origin::IacResource),
            Some(_) => None,
        }
    }
}

/// What reports count resources by, and what a scan lists: the resources of one kind, or the
/// steps of pipelines (whatever kind each creates). `--kinds` and a collect manifest name
/// groups; so does the `kinds` summary of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    /// Resources of one kind.
    Kind(Kind),
    /// Steps of pipelines.
    PipelineSteps,
    /// Sections of SageMaker Python SDK configuration files.
    SdkConfig,
    /// Task states of Step Functions state machines.
    StateMachineTasks,
    /// Resources declared in infrastructure code.
    IacResources,
}

/// The name of the pipeline steps' group (`--kinds pipeline`, `collect` directories).
pub const PIPELINE: &str = "pipeline";

impl Group {
    /// The groups a live scan lists from the API (`--kinds`, `collect`): all but those read
    /// from files only.
    pub fn listed() -> Vec<Group> {
        let mut all = Group::all();
        all.retain(|g| !g.files_only());
        all
    }

    /// True for what is read from files only: SDK config sections, state machine tasks,
    /// infrastructure-code resources, and the kinds a live scan cannot list (their
    /// declaration's `unlisted` says why).
    pub fn files_only(self) -> bool {
        match self {
            Group::Kind(k) => k.decl().unlisted.is_some(),
            Group::PipelineSteps => false,
            Group::SdkConfig | Group::StateMachineTasks | Group::IacResources => true,
        }
    }

    /// True when its resources are jobs (or pipeline steps, which create jobs): reports
    /// count "jobs" while every group does, "resources" once one does not.
    pub fn counts_as_jobs(self) -> bool {
        match self {
            Group::Kind(k) => k.is_job(),
            Group::PipelineSteps => true,
            Group::SdkConfig | Group::StateMachineTasks | Group::IacResources => false,
        }
    }

    /// Every group, in report order: the kinds, pipeline steps, then SDK config sections.
    pub fn all() -> Vec<Group> {
        Kind::ALL
            .iter()
            .map(|&k| Group::Kind(k))
            .chain([
                Group::PipelineSteps,
                Group::StateMachineTasks,
                Group::IacResources,
                Group::SdkConfig,
            ])
            .collect()
    }

    /// The group's name: the kind's, or `pipeline`.
    pub fn name(self) -> &'static str {
        match self {
            Group::Kind(k) => k.name(),
            Group::PipelineSteps => PIPELINE,
            Group::SdkConfig => SDK_CONFIG,
            Group::StateMachineTasks => STATE_MACHINE,
            Group::IacResources => IAC,
        }
    }

    /// The group a name (or a kind's resource type) names; `pipelines` is accepted too.
    pub fn parse(text: &str) -> Option<Group> {
        if text == PIPELINE || text == "pipelines" {
            return Some(Group::PipelineSteps);
        }
        if text == SDK_CONFIG {
            return Some(Group::SdkConfig);
        }
        if text == STATE_MACHINE || text == "state-machines" {
            return Some(Group::StateMachineTasks);
        }
        if text == IAC {
            return Some(Group::IacResources);
        }
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == text)
            .map(Group::Kind)
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Group {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Group {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Cow::<str>::deserialize(d)?;
        Group::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown kind {:?}",
                crate::text::one_line(&text, 60)
            ))
        })
    }
}

/// The name of the pipeline-step origin in reports (and the resource type steps had before
/// schema 2.3).
pub const PIPELINE_STEP: &str = "pipeline-step";

/// The origin, group and resource type of SageMaker Python SDK configuration sections
/// (`--kinds sdk-config`).
pub const SDK_CONFIG: &str = "sdk-config";

/// The group of Step Functions task states (waivers' `kind`, summaries).
pub const STATE_MACHINE: &str = "state-machine";

/// The origin and resource type of a Step Functions task state.
pub const STATE_MACHINE_TASK: &str = "state-machine-task";

/// The group of resources declared in infrastructure code (waivers' `kind`, summaries).
pub const IAC: &str = "iac";

/// The origin and resource type of a resource declared in infrastructure code.
pub const IAC_RESOURCE: &str = "iac-resource";

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.name() {
            Some(name) => s.serialize_str(name),
            None => s.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for Origin {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Option::<Cow<'_, str>>::deserialize(d)?;
        Origin::parse(text.as_deref()).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown origin {:?}",
                crate::text::one_line(text.as_deref().unwrap_or_default(), 60)
            ))
        })
    }
}

/// What a key protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// The storage volume of the instances that run the job.
    Volume,
    /// The output the job writes to S3.
    Output,
    /// A store SageMaker keeps for the resource outside any instance and any S3 output the
    /// resource names: a Studio domain's home file system, a feature group's online store.
    Store,
}

/// One place a resource names (or should name) a KMS key.
#[derive(Debug, Clone, PartialEq)]
pub struct KeySlot {
    /// Volume or output.
    pub role: Role,
    /// Which of several slots of one role this is (`definition xgb`, `data capture`); `None`
    /// for a resource's only slot of the role. Part of a finding's identity.
    pub part: Option<String>,
    /// The field path as the API names it, e.g. `ProcessingOutputConfig.KmsKeyId` (static for
    /// every slot but a tuning job's numbered definitions).
    pub field: Cow<'static, str>,
    /// The value as written; `None` when missing or `null`.
    pub value: Option<String>,
    /// Line of the value, when present.
    pub value_line: Option<u32>,
    /// Line of the object that holds (or should hold) the key, else the document's.
    pub parent_line: u32,
    /// Volume slots: the instance types that may run on the volume (empty when the document
    /// names none, e.g. AutoML).
    pub instance_types: Vec<String>,
    /// Output slots: the S3 locations written under this key.
    pub locations: Vec<String>,
    /// True when the resource declares nothing this key would protect (a processing job
    /// without S3 outputs): the check does not apply.
    pub nothing_to_protect: bool,
    /// Where the value came from: always written out in a job; in a pipeline definition
    /// possibly a parameter's default or an expression known only at run time.
    pub source: KeySource,
    /// The resource sets no key here and leaves it to another resource (a user profile to its
    /// Studio domain): until [`crate::inherit::resolve`] finds that resource in the scan, which
    /// key applies is unknown.
    pub inherits: Option<Box<Inherit>>,
    /// Once resolved: where the key (and whether it applies) came from, e.g.
    /// `DefaultUserSettings.SharingSettings.S3KmsKeyId of Studio domain d-abc`.
    pub inherited_from: Option<String>,
    /// Output slots whose key protects something other than what their check's messages name
    /// (a processing input's query results): that thing, and the end of a sentence saying
    /// what becomes of it without a key.
    pub protects: Option<(&'static str, &'static str)>,
}

/// A setting a resource leaves to another resource: a user profile that sets no key uses its
/// Studio domain's default user settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inherit {
    /// The kind of the resource whose setting applies.
    pub kind: Kind,
    /// That resource's name (its kind's name field), as this resource gives it.
    pub name: String,
    /// The field of that resource holding the setting: its slot of the same role and part.
    pub field: Cow<'static, str>,
    /// True when the key is that resource's (this one sets none).
    pub key: bool,
    /// True when whether the slot applies at all is also that resource's to say (this one
    /// does not say whether, for instance, notebook output is shared).
    pub applicability: bool,
}

/// An entry of a slot's instance types saying the set is open: the definition lets the run
/// choose any type, so no NVMe exemption can apply. `why` ends a sentence ("it comes from …").
pub fn open_instance_type(why: &str) -> String {
    format!("{OPEN_TYPE}{why})")
}

/// The reason an open entry gives ([`open_instance_type`]), or `None` for an instance type.
pub fn open_instance_type_reason(entry: &str) -> Option<&str> {
    entry.strip_prefix(OPEN_TYPE)?.strip_suffix(')')
}

const OPEN_TYPE: &str = "(any type: ";

/// Where a key's value came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum KeySource {
    /// Written out (or missing) where the slot is.
    #[default]
    Literal,
    /// Built from the defaults of these pipeline parameters; an execution may pass others.
    Parameters(Vec<String>),
    /// From pipeline parameters of which these have no default: no key unless every
    /// execution passes one.
    NoDefault(Vec<String>),
    /// Known only in part until the pipeline runs (or the stack is deployed): the expression
    /// as written and its literal parts with holes.
    Expression {
        /// The expression as written, on one line.
        shown: String,
        /// Its literal text and holes.
        parts: Vec<crate::expr::Part>,
    },
    /// A CloudFormation template allows several values (parameter `AllowedValues`, `Fn::If`
    /// branches, …): each reading is judged, and the worst is the verdict.
    Readings(Vec<crate::expr::Reading>),
}

impl KeySlot {
    /// A slot of `role` for the key at `field`, with nothing known yet.
    pub fn new(role: Role, field: impl Into<Cow<'static, str>>) -> Self {
        KeySlot {
            role,
            part: None,
            field: field.into(),
            value: None,
            value_line: None,
            parent_line: 0,
            instance_types: Vec::new(),
            locations: Vec::new(),
            nothing_to_protect: false,
            source: KeySource::Literal,
            inherits: None,
            inherited_from: None,
            protects: None,
        }
    }

    /// The line a finding points at: the key, or the object that should hold it.
    pub fn line(&self) -> u32 {
        self.value_line.unwrap_or(self.parent_line)
    }
}

/// What reports say about a resource: its identity, times, status, instance types and the
/// file it was read from. Built once when the document is read and shared (through an `Arc`)
/// by the resource while it is judged and by every finding about it afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceRef {
    /// Its kind.
    pub kind: Kind,
    /// Where it comes from: the resource itself, or a pipeline step that creates it.
    pub origin: Origin,
    /// Its name.
    pub name: String,
    /// Its ARN (validated).
    pub arn: String,
    /// Account id from the ARN.
    pub account_id: String,
    /// Region from the ARN.
    pub region: String,
    /// The kind's status field, e.g. `Completed`.
    pub status: Option<String>,
    /// `CreationTime`, RFC 3339.
    pub creation_time: Option<String>,
    /// `LastModifiedTime` (or the kind's stand-in), RFC 3339.
    pub last_modified_time: Option<String>,
    /// Every instance type the resource may run on.
    pub instance_types: Vec<String>,
    /// The file it was read from (live: the path `collect` writes it to).
    pub source_file: String,
}

impl ResourceRef {
    /// The group reports count it in: its kind, or pipeline steps.
    pub fn group(&self) -> Group {
        match self.origin {
            Origin::Resource => Group::Kind(self.kind),
            Origin::PipelineStep => Group::PipelineSteps,
            Origin::SdkConfig => Group::SdkConfig,
            Origin::StateMachineTask => Group::StateMachineTasks,
            Origin::IacResource => Group::IacResources,
        }
    }

    /// The ARN's partition (`aws`, `aws-cn`, …); `None` for the stand-in of a pipeline step
    /// read from a file, which has no ARN.
    pub fn partition(&self) -> Option<&str> {
        self.arn.strip_prefix("arn:")?.split(':').next()
    }
}

/// A resource read from a document: what reports say about it, and the key slots the checks
/// judge. It reads as its [`ResourceRef`] (`resource.account_id`, `resource.kind`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// Identity and the rest reports show, shared with its findings.
    pub about: Arc<ResourceRef>,
    /// ARN partition (`aws`, `aws-cn`, …), used to build key ARNs.
    pub partition: String,
    /// `LastModifiedTime` as a time, to keep the newest of two copies.
    pub last_modified: Option<Timestamp>,
    /// The key slots the checks judge; every kind has at least one of each role.
    pub slots: Vec<KeySlot>,
    /// Line where its document begins.
    pub document_line: u32,
}

impl std::ops::Deref for Resource {
    type Target = ResourceRef;

    fn deref(&self) -> &ResourceRef {
        &self.about
    }
}

#[cfg(test)]
impl Resource {
    /// A resource for unit tests: the identity and slots given, nothing else known.
    pub(crate) fn for_test(
        kind: Kind,
        name: &str,
        account_id: &str,
        region: &str,
        slots: Vec<KeySlot>,
    ) -> Resource {
        Resource {
            about: Arc::new(ResourceRef {
                kind,
                origin: Origin::Resource,
                name: name.to_owned(),
                arn: format!(
                    "arn:aws:sagemaker:{region}:{account_id}:{}/{name}",
                    kind.arn_resource()
                ),
                account_id: account_id.to_owned(),
                region: region.to_owned(),
                status: None,
                creation_time: None,
                last_modified_time: None,
                instance_types: Vec::new(),
                source_file: "f.json".to_owned(),
            }),
            partition: "aws".to_owned(),
            last_modified: None,
            slots,
            document_line: 1,
        }
    }
}
