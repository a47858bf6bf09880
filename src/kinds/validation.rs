//! What model packages and algorithms share: a `ValidationSpecification` whose profiles
//! SageMaker runs as jobs before it lists the resource (botocore 1.44.8,
//! `ModelPackageValidationProfile`, `AlgorithmValidationProfile`). A profile's
//! `TransformJobDefinition` is shaped as a batch transform job's request and its
//! `TrainingJobDefinition` as a training job's, so their keys are read at the same paths and
//! judged alike: one volume slot and one output slot per job of each profile. Each kind is still
//! its own file; this is the reading they share.

use serde::Deserialize;

use super::training::{OutputDataConfig, ResourceConfig, output_slot, volume_slot};
use super::{At, Fields, Scope, SlotDraft, Text};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Role};

/// Where the profiles are.
const PROFILES: &str = "ValidationSpecification.ValidationProfiles";

/// The part of the findings of a resource without validation profiles.
pub const NO_PROFILE: &str = "no validation profile";

/// Which jobs a kind's profiles run.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Jobs {
    /// A transform job per profile (model packages): parts are `validation profile NAME`.
    Transform,
    /// A training job and, optionally, a transform job per profile (algorithms): parts are
    /// `validation profile NAME training` and `… transform`.
    TrainingAndTransform,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Validation<'a> {
    #[serde(borrow, default)]
    validation_profiles: Vec<At<'a, Profile<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Profile<'a> {
    #[serde(borrow)]
    profile_name: Option<Text<'a>>,
    #[serde(borrow)]
    training_job_definition: Option<At<'a, TrainingDefinition<'a>>>,
    #[serde(borrow)]
    transform_job_definition: Option<At<'a, TransformDefinition<'a>>>,
}

/// `TrainingJobDefinition`: what a training job of the profile runs with.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrainingDefinition<'a> {
    #[serde(borrow)]
    resource_config: Option<At<'a, ResourceConfig<'a>>>,
    #[serde(borrow)]
    output_data_config: Option<At<'a, OutputDataConfig<'a>>>,
}

/// `TransformJobDefinition`: what a transform job of the profile runs with.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TransformDefinition<'a> {
    #[serde(borrow)]
    transform_resources: Option<At<'a, TransformResources<'a>>>,
    #[serde(borrow)]
    transform_output: Option<At<'a, TransformOutput<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TransformResources<'a> {
    #[serde(borrow)]
    instance_type: Option<Text<'a>>,
    #[serde(borrow, default)]
    volume_kms_key_id: At<'a, Option<Text<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TransformOutput<'a> {
    #[serde(borrow)]
    s3_output_path: Option<Text<'a>>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

/// The volume and output slots of a transform definition at `at`.
fn transform_slots<'a>(
    at: &str,
    part: String,
    def: Option<&At<'a, TransformDefinition<'a>>>,
    profile: &'a str,
    scope: Scope<'_>,
) -> Result<[SlotDraft<'a>; 2], DocumentError> {
    let resources = def.and_then(|d| d.value.transform_resources.as_ref());
    let mut volume = KeySlot::new(
        Role::Volume,
        format!("{at}.TransformResources.VolumeKmsKeyId"),
    );
    volume.part = Some(part.clone());
    if let Some(r) = resources {
        volume.instance_types = scope.types(
            &format!("{at}.TransformResources.InstanceType"),
            &r.value.instance_type,
        )?;
    }
    // Without the holding object, point at the definition, else at the profile.
    let parent = |raw: Option<&'a str>| raw.or(def.map(|d| d.raw)).or(Some(profile));
    let volume = SlotDraft::new(
        volume,
        resources.map(|r| &r.value.volume_kms_key_id),
        parent(resources.map(|r| r.raw)),
        scope,
    )?;
    let out = def.and_then(|d| d.value.transform_output.as_ref());
    let mut output = KeySlot::new(Role::Output, format!("{at}.TransformOutput.KmsKeyId"));
    output.part = Some(part);
    let output = SlotDraft::output(
        output,
        &format!("{at}.TransformOutput.S3OutputPath"),
        out.map(|o| &o.value.s3_output_path),
        out.map(|o| &o.value.kms_key_id),
        parent(out.map(|o| o.raw)),
        scope,
    )?;
    Ok([volume, output])
}

/// The volume and output slots of a training definition at `at`.
fn training_slots<'a>(
    at: &str,
    part: String,
    def: Option<&At<'a, TrainingDefinition<'a>>>,
    profile: &'a str,
    scope: Scope<'_>,
) -> Result<[SlotDraft<'a>; 2], DocumentError> {
    let d = def.map(|d| &d.value);
    let mut volume = volume_slot(
        format!("{at}.ResourceConfig.VolumeKmsKeyId").into(),
        d.and_then(|d| d.resource_config.as_ref()),
        scope,
    )?;
    let mut output = output_slot(
        format!("{at}.OutputDataConfig.KmsKeyId").into(),
        d.and_then(|d| d.output_data_config.as_ref()),
        scope,
    )?;
    for s in [&mut volume, &mut output] {
        s.slot.part = Some(part.clone());
        s.parent_at = s.parent_at.or(def.map(|d| d.raw)).or(Some(profile));
    }
    Ok([volume, output])
}

/// Every slot of the resource's validation profiles. A resource without profiles runs nothing:
/// one slot of each role whose `nothing_to_protect` says so, at the first profile's paths of
/// `volume_field` and `output_field` and with the part [`NO_PROFILE`], so each check still has
/// a verdict.
pub fn slots<'a>(
    f: &Fields<'a>,
    scope: Scope<'_>,
    jobs: Jobs,
    volume_field: &str,
    output_field: &str,
) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let validation = f.get::<Option<Validation<'a>>>("ValidationSpecification")?;
    let profiles = validation
        .as_ref()
        .and_then(|v| v.value.as_ref())
        .map_or(&[][..], |v| &v.validation_profiles[..]);
    let mut slots = Vec::new();
    // Parts identify findings, so they must differ: a profile without a name, or with the name
    // of an earlier one, is named by its position.
    let mut used = std::collections::HashSet::new();
    for (i, profile) in profiles.iter().enumerate() {
        let name = scope.text(
            &format!("{PROFILES}[{i}].ProfileName"),
            &profile.value.profile_name,
        )?;
        let mut part = match name {
            Some(name) if !name.trim().is_empty() => format!("validation profile {name}"),
            _ => format!("validation profile {}", i + 1),
        };
        if used.contains(&part) {
            part = format!("validation profile {}", i + 1);
        }
        while used.contains(&part) {
            part.push('\'');
        }
        used.insert(part.clone());
        let at = format!("{PROFILES}[{i}]");
        let p = &profile.value;
        match jobs {
            Jobs::Transform => slots.extend(transform_slots(
                &format!("{at}.TransformJobDefinition"),
                part,
                p.transform_job_definition.as_ref(),
                profile.raw,
                scope,
            )?),
            Jobs::TrainingAndTransform => {
                slots.extend(training_slots(
                    &format!("{at}.TrainingJobDefinition"),
                    format!("{part} training"),
                    p.training_job_definition.as_ref(),
                    profile.raw,
                    scope,
                )?);
                // The transform job is optional in an algorithm's profile.
                if p.transform_job_definition.is_some() {
                    slots.extend(transform_slots(
                        &format!("{at}.TransformJobDefinition"),
                        format!("{part} transform"),
                        p.transform_job_definition.as_ref(),
                        profile.raw,
                        scope,
                    )?);
                }
            }
        }
    }
    if profiles.is_empty() {
        for (role, field) in [(Role::Volume, volume_field), (Role::Output, output_field)] {
            let mut slot = KeySlot::new(role, field.replace("[]", "[0]"));
            // Its own part, so its findings never share a row with another slot's.
            slot.part = Some(NO_PROFILE.to_owned());
            slot.nothing_to_protect = true;
            slots.push(SlotDraft::new(slot, None, None, scope)?);
        }
    }
    Ok(slots)
}
