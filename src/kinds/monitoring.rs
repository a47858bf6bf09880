//! What SageMaker Model Monitor's four job definitions (data quality, model quality, model bias
//! and model explainability) have in common: each run is a monitoring job on
//! `JobResources.ClusterConfig` instances whose storage volume takes
//! `JobResources.ClusterConfig.VolumeKmsKeyId`, and it writes its reports to
//! `{Prefix}JobOutputConfig.MonitoringOutputs[].S3Output.S3Uri` under
//! `{Prefix}JobOutputConfig.KmsKeyId` (botocore 1.44.8, `MonitoringClusterConfig`,
//! `MonitoringOutputConfig`, which all four Describe outputs use). Each definition's kind is
//! still its own file; this is the reading they share.

use serde::Deserialize;

use super::{At, Draft, Fields, Scope, SlotDraft, Text, identity, resource};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};

/// The cluster's volume key, the same path in every definition.
pub const VOLUME_KEY: &str = "JobResources.ClusterConfig.VolumeKmsKeyId";

/// What a monitoring cluster's volume check says, for every kind that runs monitoring jobs.
/// botocore documents no local-storage exception for its key, so none is made.
pub const VOLUME_TEXT: crate::rules::volume::VolumeText = crate::rules::volume::VolumeText {
    protects: "monitoring volumes",
    without_key: "SageMaker chooses the key for the monitoring volumes",
    nvme_exempt: false,
    no_instance: "",
};

/// A job definition kind's `DEFINITION` (its output settings under `{prefix}JobOutputConfig`)
/// and the `slots` and `parse` functions its declaration names.
macro_rules! job_definition {
    ($kind:ident, $prefix:literal) => {
        /// Where this definition's reports and their key sit.
        static DEFINITION: super::monitoring::Definition = super::monitoring::Definition {
            kind: Kind::$kind,
            output_config: concat!($prefix, "JobOutputConfig"),
            output_key: concat!($prefix, "JobOutputConfig.KmsKeyId"),
            output_uri: concat!($prefix, "JobOutputConfig.MonitoringOutputs.S3Output.S3Uri"),
        };

        fn slots<'a>(
            f: &super::Fields<'a>,
            scope: super::Scope<'_>,
        ) -> Result<Vec<super::SlotDraft<'a>>, crate::document::DocumentError> {
            DEFINITION.slots(f, scope)
        }

        fn parse<'a>(
            f: &super::Fields<'a>,
        ) -> Result<super::Draft<'a>, crate::document::DocumentError> {
            DEFINITION.parse(f)
        }
    };
}
pub(super) use job_definition;

/// Where one definition's output settings sit.
pub struct Definition {
    /// The kind it is.
    pub kind: Kind,
    /// e.g. `DataQualityJobOutputConfig`.
    pub output_config: &'static str,
    /// e.g. `DataQualityJobOutputConfig.KmsKeyId`.
    pub output_key: &'static str,
    /// e.g. `DataQualityJobOutputConfig.MonitoringOutputs.S3Output.S3Uri`.
    pub output_uri: &'static str,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JobResources<'a> {
    #[serde(borrow)]
    cluster_config: Option<At<'a, ClusterConfig<'a>>>,
}

/// `MonitoringClusterConfig`: the instances of a monitoring job.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ClusterConfig<'a> {
    #[serde(borrow)]
    pub(super) instance_type: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub(super) volume_kms_key_id: At<'a, Option<Text<'a>>>,
}

/// `MonitoringOutputConfig`: where a monitoring job's reports go, and their key.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct OutputConfig<'a> {
    #[serde(borrow, default)]
    monitoring_outputs: Vec<Output<'a>>,
    #[serde(borrow, default)]
    pub(super) kms_key_id: At<'a, Option<Text<'a>>>,
}

impl OutputConfig<'_> {
    /// The S3 locations of the reports; `field` names them in errors.
    pub(super) fn locations(
        &self,
        field: &str,
        scope: Scope<'_>,
    ) -> Result<Vec<String>, DocumentError> {
        let mut out = Vec::new();
        for o in &self.monitoring_outputs {
            if let Some(s3) = &o.s3_output {
                out.extend(scope.text(field, &s3.s3_uri)?);
            }
        }
        Ok(out)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Output<'a> {
    #[serde(borrow)]
    s3_output: Option<S3Output<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct S3Output<'a> {
    #[serde(borrow)]
    s3_uri: Option<Text<'a>>,
}

impl Definition {
    /// The cluster's volume, then the reports' key (not applicable without an S3 output).
    pub fn slots<'a>(
        &self,
        f: &Fields<'a>,
        scope: Scope<'_>,
    ) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
        let resources = f.get::<JobResources<'a>>("JobResources")?;
        let cluster = resources
            .as_ref()
            .and_then(|r| r.value.cluster_config.as_ref());
        let volume = SlotDraft::new(
            KeySlot::new(Role::Volume, VOLUME_KEY),
            cluster.map(|c| &c.value.volume_kms_key_id),
            cluster.map(|c| c.raw).or(resources.as_ref().map(|r| r.raw)),
            scope,
        )?;
        let config = f.get::<OutputConfig<'a>>(self.output_config)?;
        let locations = match &config {
            Some(c) => c.value.locations(self.output_uri, scope)?,
            None => Vec::new(),
        };
        let mut output = KeySlot::new(Role::Output, self.output_key);
        output.nothing_to_protect = locations.is_empty();
        output.locations = locations;
        let output = SlotDraft::new(
            output,
            config.as_ref().map(|c| &c.value.kms_key_id),
            config.as_ref().map(|c| c.raw),
            scope,
        )?;
        Ok(vec![volume, output])
    }

    /// One Describe response.
    pub fn parse<'a>(&self, f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
        let id = identity(f, self.kind)?;
        let mut r = resource(self.kind, id);
        r.creation_time = f.time("CreationTime")?;
        // A definition cannot be changed (there is no Update call): created is last modified.
        r.last_modified_time = r.creation_time;
        let resources = f.get::<JobResources<'a>>("JobResources")?;
        if let Some(c) = resources
            .as_ref()
            .and_then(|r| r.value.cluster_config.as_ref())
        {
            r.instance_types = Scope::Describe.types(
                "JobResources.ClusterConfig.InstanceType",
                &c.value.instance_type,
            )?;
        }
        let slots = self.slots(f, Scope::Describe)?;
        Ok(Draft { resource: r, slots })
    }
}

#[cfg(test)]
mod tests {
    use crate::resource::{Kind, Role};

    #[test]
    fn each_definition_reads_its_own_output_config_and_the_shared_cluster() {
        for (kind, prefix, arn) in [
            (
                Kind::ModelQualityJobDefinition,
                "ModelQuality",
                "model-quality-job-definition",
            ),
            (
                Kind::ModelBiasJobDefinition,
                "ModelBias",
                "model-bias-job-definition",
            ),
            (
                Kind::ModelExplainabilityJobDefinition,
                "ModelExplainability",
                "model-explainability-job-definition",
            ),
        ] {
            let r = crate::kinds::read_resource(&format!(
                r#"{{"JobDefinitionName": "d", "JobDefinitionArn": "arn:aws:sagemaker:us-east-1:111122223333:{arn}/d",
"{prefix}AppSpecification": {{"ImageUri": "img"}},
"JobResources": {{"ClusterConfig": {{"InstanceType": "ml.r5d.xlarge", "VolumeKmsKeyId": "alias/vol"}}}},
"DataQualityJobOutputConfig": {{"KmsKeyId": "alias/not-this-kind"}},
"{prefix}JobOutputConfig": {{"MonitoringOutputs": [{{"S3Output": {{"S3Uri": "s3://b/m/", "LocalPath": "/opt"}}}}], "KmsKeyId": "alias/out"}}}}"#
            ));
            assert_eq!(r.kind, kind);
            let rows: Vec<_> = r
                .slots
                .iter()
                .map(|s| {
                    (
                        s.role,
                        s.field.to_string(),
                        s.value.as_deref(),
                        s.locations.clone(),
                    )
                })
                .collect();
            assert_eq!(
                rows,
                [
                    (
                        Role::Volume,
                        "JobResources.ClusterConfig.VolumeKmsKeyId".to_owned(),
                        Some("alias/vol"),
                        vec![]
                    ),
                    (
                        Role::Output,
                        format!("{prefix}JobOutputConfig.KmsKeyId"),
                        Some("alias/out"),
                        vec!["s3://b/m/".to_owned()]
                    )
                ],
                "{prefix}"
            );
            // The NVMe type is reported on the resource but not given to the volume slot.
            assert_eq!(r.instance_types, ["ml.r5d.xlarge"]);
            assert!(r.slots[0].instance_types.is_empty());
        }
    }
}
