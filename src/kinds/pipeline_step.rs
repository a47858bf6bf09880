//! Steps of SageMaker Pipelines are an origin, not a kind (`crate::resource::Origin`): each step
//! that creates a resource is judged by that kind's checks, from the step's arguments. What is
//! left here is how pipelines are listed live and the rule ids steps had before (schema 2.2),
//! which waivers and baselines still accept.

use super::Api;
use crate::resource::Role;

/// How pipelines are listed and described live (their steps are then read from the
/// definition). `ListPipelines` filters by creation time only: pipelines have no status.
pub static API: Api = Api {
    list: "ListPipelines",
    summaries: "PipelineSummaries",
    describe: "DescribePipeline",
    name_field: "PipelineName",
    marker: "PipelineName",
    arn_field: "PipelineArn",
    within: None,
};

/// The `--kinds` name of pipelines (`pipelines` is accepted too).
pub const NAME: &str = "pipeline";

/// The rule ids pipeline steps were judged by before they took their job kind's checks (up to
/// schema 2.2): each still names every check of its key role on a pipeline step, in waivers
/// and baselines.
pub const RULE_ALIASES: &[(&str, Role)] = &[
    ("pipeline-step-volume-cmk", Role::Volume),
    ("pipeline-step-output-cmk", Role::Output),
];

/// The former pipeline-step rule id of a key role, if there is one.
pub fn alias_of(role: Role) -> Option<&'static str> {
    RULE_ALIASES
        .iter()
        .find(|(_, r)| *r == role)
        .map(|(alias, _)| *alias)
}

/// The key role a former pipeline-step rule id names.
pub fn alias_role(id: &str) -> Option<Role> {
    RULE_ALIASES
        .iter()
        .find(|(alias, _)| *alias == id)
        .map(|(_, role)| *role)
}
