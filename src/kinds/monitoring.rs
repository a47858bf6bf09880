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
};

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
