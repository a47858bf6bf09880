//! `DescribeHyperParameterTuningJob`: each training job definition (`TrainingJobDefinition`,
//! `TrainingJobDefinitions[]`) has its own volume key (in `ResourceConfig` or
//! `HyperParameterTuningResourceConfig`) and output key (`OutputDataConfig`).

use serde::Deserialize;

use super::training::{OutputDataConfig, ResourceConfig, output_slot, volume_slot};
use super::{At, Draft, Fields, KindParser, Scope, SlotDraft, distinct_types, identity, resource};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};

/// Recognises and reads hyperparameter tuning jobs.
pub static PARSER: KindParser = KindParser {
    kind: Kind::Tuning,
    marker: "HyperParameterTuningJobName",
    arn_field: "HyperParameterTuningJobArn",
    list_marker: "HyperParameterTuningJobSummaries",
    commands: (
        "list-hyper-parameter-tuning-jobs",
        "describe-hyper-parameter-tuning-job",
        "--hyper-parameter-tuning-job-name",
    ),
    describe_fields: &[
        "HyperParameterTuningJobConfig",
        "TrainingJobDefinition",
        "TrainingJobDefinitions",
        "TrainingJobStatusCounters",
    ],
    parse,
    slots,
};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Definition<'a> {
    definition_name: Option<String>,
    #[serde(borrow)]
    resource_config: Option<At<'a, ResourceConfig<'a>>>,
    #[serde(borrow)]
    hyper_parameter_tuning_resource_config: Option<At<'a, ResourceConfig<'a>>>,
    #[serde(borrow)]
    output_data_config: Option<At<'a, OutputDataConfig<'a>>>,
}

/// The two slots of one definition at `path`, named `part` when the job has several.
fn definition_slots<'a>(
    path: &str,
    part: Option<String>,
    def: &At<'a, Definition<'a>>,
    scope: Scope<'_>,
) -> Result<[SlotDraft<'a>; 2], DocumentError> {
    let d = &def.value;
    let (config_field, config) = match (
        &d.resource_config,
        &d.hyper_parameter_tuning_resource_config,
    ) {
        (Some(rc), _) => ("ResourceConfig", Some(rc)),
        (None, Some(hrc)) => ("HyperParameterTuningResourceConfig", Some(hrc)),
        (None, None) => ("ResourceConfig", None),
    };
    let mut volume = volume_slot(
        format!("{path}.{config_field}.VolumeKmsKeyId").into(),
        config,
        scope,
    )?;
    let mut output = output_slot(
        format!("{path}.OutputDataConfig.KmsKeyId").into(),
        d.output_data_config.as_ref(),
        scope,
    )?;
    for s in [&mut volume, &mut output] {
        s.slot.part.clone_from(&part);
        // Without the holding object, point at the definition.
        s.parent_at = s.parent_at.or(Some(def.raw));
    }
    Ok([volume, output])
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let single = f.get::<Option<Definition<'a>>>("TrainingJobDefinition")?;
    let many = f.get::<Option<Vec<At<'a, Definition<'a>>>>>("TrainingJobDefinitions")?;
    let many = many.and_then(|m| m.value).unwrap_or_default();
    let mut slots = Vec::new();
    if let Some(At {
        raw,
        value: Some(def),
    }) = single
    {
        let part = (!many.is_empty()).then(|| "TrainingJobDefinition".to_owned());
        slots.extend(definition_slots(
            "TrainingJobDefinition",
            part,
            &At { raw, value: def },
            scope,
        )?);
    }
    // Parts identify findings, so they must differ: a definition without a name, or with the
    // name of an earlier one, is named by its position.
    let mut used = std::collections::HashSet::new();
    for (i, def) in many.iter().enumerate() {
        let mut part = match &def.value.definition_name {
            Some(name) if !name.trim().is_empty() => format!("definition {name}"),
            _ => format!("definition {}", i + 1),
        };
        if used.contains(&part) {
            part = format!("definition {}", i + 1);
        }
        while used.contains(&part) {
            part.push('\'');
        }
        used.insert(part.clone());
        slots.extend(definition_slots(
            &format!("TrainingJobDefinitions[{i}]"),
            Some(part),
            def,
            scope,
        )?);
    }
    if slots.is_empty() {
        // No definition at all: nothing names a key, so both checks judge a missing one.
        slots.push(SlotDraft::new(
            KeySlot::new(
                Role::Volume,
                "TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId",
            ),
            None,
            None,
            scope,
        )?);
        slots.push(SlotDraft::new(
            KeySlot::new(
                Role::Output,
                "TrainingJobDefinition.OutputDataConfig.KmsKeyId",
            ),
            None,
            None,
            scope,
        )?);
    }
    Ok(slots)
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::Tuning)?;
    let mut r = resource(Kind::Tuning, id);
    r.status = f.string("HyperParameterTuningJobStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    r.instance_types = distinct_types(&slots);
    Ok(Draft { resource: r, slots })
}
