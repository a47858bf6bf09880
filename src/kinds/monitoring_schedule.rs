//! `DescribeMonitoringSchedule`: when SageMaker Model Monitor runs a monitoring job against an
//! endpoint or batch transform job. A schedule either carries the job's definition itself
//! (`MonitoringScheduleConfig.MonitoringJobDefinition`: the cluster's volume key under
//! `MonitoringResources.ClusterConfig.VolumeKmsKeyId`, the reports' key under
//! `MonitoringOutputConfig.KmsKeyId`), or names a job definition of its `MonitoringType`
//! (`MonitoringJobDefinitionName`), whose keys then apply: its slots inherit them from that
//! definition when the scan holds it (botocore 1.44.8, `MonitoringScheduleConfig`). botocore
//! documents no local-storage exception for the volume key, so none is made.

use serde::Deserialize;

use super::monitoring::{ClusterConfig, OutputConfig, VOLUME_KEY, VOLUME_TEXT};
use super::{
    Api, At, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, identity, resource,
};
use crate::document::DocumentError;
use crate::resource::{Inherit, KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::volume::VolumeCheck;
use crate::verdict::Severity;

/// Everything about monitoring schedules.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::MonitoringSchedule,
    names: Names {
        resource_type: "monitoring-schedule",
        arn_resource: "monitoring-schedule",
        arn_nested: false,
        arn_id: false,
        noun: "Monitoring schedule",
        plural: "monitoring schedules",
    },
    api: Api {
        list: "ListMonitoringSchedules",
        summaries: "MonitoringScheduleSummaries",
        describe: "DescribeMonitoringSchedule",
        name_field: "MonitoringScheduleName",
        marker: "MonitoringScheduleConfig",
        arn_field: "MonitoringScheduleArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8: ListMonitoringSchedules' StatusEquals, shape ScheduleStatus.
    statuses: &["Pending", "Failed", "Scheduled", "Stopped"],
    // UpdateMonitoringSchedule changes the job definition.
    settled: Settled::Never,
    keys: &[
        "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringResources.ClusterConfig.VolumeKmsKeyId",
        "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringOutputConfig.KmsKeyId",
    ],
    describe_fields: &["MonitoringScheduleConfig", "MonitoringScheduleStatus"],
    // The endpoint it monitors (the endpoint kind's marker).
    refers_to: &["EndpointName"],
    pipeline_steps: &[],
    creates: &["CreateMonitoringSchedule"],
    terraform: &[],
    cloudformation: &["AWS::SageMaker::MonitoringSchedule"],
    parse,
    slots,
    checks: &[&VOLUME, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_monitoring_schedules, ScheduleStatus, monitoring_schedule_summaries,
        monitoring_schedule_name, monitoring_schedule_arn;
        describe_monitoring_schedule, monitoring_schedule_name
    ),
};

const DEFINITION: &str = "MonitoringScheduleConfig.MonitoringJobDefinition";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Config<'a> {
    #[serde(borrow)]
    monitoring_job_definition: Option<At<'a, Definition<'a>>>,
    monitoring_job_definition_name: Option<String>,
    monitoring_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Definition<'a> {
    #[serde(borrow)]
    monitoring_resources: Option<At<'a, Resources<'a>>>,
    #[serde(borrow)]
    monitoring_output_config: Option<At<'a, OutputConfig<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Resources<'a> {
    #[serde(borrow)]
    cluster_config: Option<At<'a, ClusterConfig<'a>>>,
}

/// The job definition kind a `MonitoringType` names, and its output key's field (absent
/// means data quality, the type schedules had before the others existed).
fn named_definition(monitoring_type: Option<&str>) -> Option<(Kind, &'static str)> {
    Some(match monitoring_type.unwrap_or("DataQuality") {
        "DataQuality" => (
            Kind::DataQualityJobDefinition,
            "DataQualityJobOutputConfig.KmsKeyId",
        ),
        "ModelQuality" => (
            Kind::ModelQualityJobDefinition,
            "ModelQualityJobOutputConfig.KmsKeyId",
        ),
        "ModelBias" => (
            Kind::ModelBiasJobDefinition,
            "ModelBiasJobOutputConfig.KmsKeyId",
        ),
        "ModelExplainability" => (
            Kind::ModelExplainabilityJobDefinition,
            "ModelExplainabilityJobOutputConfig.KmsKeyId",
        ),
        _ => return None,
    })
}

/// The cluster's volume, then the reports' key: the schedule's own definition's, or those of
/// the job definition it names.
fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let config = f.get::<Config<'a>>("MonitoringScheduleConfig")?;
    let definition = config
        .as_ref()
        .and_then(|c| c.value.monitoring_job_definition.as_ref());
    let cluster = definition
        .and_then(|d| d.value.monitoring_resources.as_ref())
        .and_then(|r| r.value.cluster_config.as_ref());
    let output_config = definition.and_then(|d| d.value.monitoring_output_config.as_ref());
    let mut volume = KeySlot::new(
        Role::Volume,
        format!("{DEFINITION}.MonitoringResources.ClusterConfig.VolumeKmsKeyId"),
    );
    volume.instance_types = match cluster {
        Some(c) => scope.types(
            "MonitoringResources.ClusterConfig.InstanceType",
            &c.value.instance_type,
        )?,
        None => Vec::new(),
    };
    let mut output = KeySlot::new(
        Role::Output,
        format!("{DEFINITION}.MonitoringOutputConfig.KmsKeyId"),
    );
    match output_config {
        Some(o) => {
            output.locations = o.value.locations(
                "MonitoringOutputConfig.MonitoringOutputs.S3Output.S3Uri",
                scope,
            )?;
            output.nothing_to_protect = output.locations.is_empty();
        }
        None => output.nothing_to_protect = definition.is_some(),
    }
    let named = config
        .as_ref()
        .filter(|_| definition.is_none())
        .and_then(|c| {
            let name = c.value.monitoring_job_definition_name.clone()?;
            Some((name, named_definition(c.value.monitoring_type.as_deref())?))
        });
    if let Some((name, (kind, output_key))) = named {
        for (slot, field) in [(&mut volume, VOLUME_KEY), (&mut output, output_key)] {
            slot.inherits = Some(Box::new(Inherit {
                kind,
                name: name.clone(),
                field: field.into(),
                key: true,
                applicability: true,
            }));
        }
    }
    let parent = config.as_ref().map(|c| c.raw);
    Ok(vec![
        SlotDraft::new(
            volume,
            cluster.map(|c| &c.value.volume_kms_key_id),
            cluster
                .map(|c| c.raw)
                .or(definition.map(|d| d.raw))
                .or(parent),
            scope,
        )?,
        SlotDraft::new(
            output,
            output_config.map(|o| &o.value.kms_key_id),
            output_config
                .map(|o| o.raw)
                .or(definition.map(|d| d.raw))
                .or(parent),
            scope,
        )?,
    ])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::MonitoringSchedule)?;
    let mut r = resource(Kind::MonitoringSchedule, id);
    r.status = f.string("MonitoringScheduleStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    r.instance_types = slots[0].slot.instance_types.clone();
    Ok(Draft { resource: r, slots })
}

/// The Model Monitor page on schedules.
const SCHEDULES: Reference = Reference {
    title: "SageMaker Model Monitor: schedule monitoring jobs",
    url: "https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-scheduling.html",
};

/// Documentation of `monitoring-schedule-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "monitoring-schedule-volume-cmk",
    kind: Kind::MonitoringSchedule,
    role: Role::Volume,
    name: "MonitoringScheduleVolumeCustomerManagedKey",
    title: "Monitoring schedule volumes are encrypted with a customer-managed KMS key",
    description: "Checks the volume key of the monitoring jobs each SageMaker Model Monitor \
        schedule runs: MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringResources.\
        ClusterConfig.VolumeKmsKeyId when the schedule carries its job definition, otherwise \
        JobResources.ClusterConfig.VolumeKmsKeyId of the job definition it names \
        (MonitoringJobDefinitionName, of its MonitoringType). The check passes when the key \
        names an enabled customer-managed KMS key in any form KMS accepts, and passes \
        unverified when the named job definition is not in the scan. It fails when the key is \
        missing, null or empty, names an alias/aws/* key, or KMS reports the key as \
        AWS-managed or not enabled. AWS documents no local-storage exception for this key, so \
        none is made for any instance type.",
    risk: "Every run copies the endpoint's captured requests and responses onto the monitoring \
        instances' volume. Without a customer-managed key you cannot limit decryption through \
        a key policy, rotate on your schedule, audit each use in CloudTrail, or revoke access \
        at once.",
    remediation: Remediation {
        console: "Update the schedule (or its job definition, by creating a new one) so that the \
        monitoring cluster's volume KMS key is your customer-managed key.",
        aws_cli: "aws sagemaker update-monitoring-schedule --monitoring-schedule-name NAME \
        --monitoring-schedule-config '{\"MonitoringJobDefinition\":{...,\"MonitoringResources\":\
        {\"ClusterConfig\":{...,\"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}}}'",
        boto3: "boto3.client('sagemaker').update_monitoring_schedule(MonitoringScheduleName=name, \
        MonitoringScheduleConfig={'MonitoringJobDefinition': {..., 'MonitoringResources': \
        {'ClusterConfig': {..., 'VolumeKmsKeyId': key_arn}}}})",
        python_sdk: "sagemaker.model_monitor.ModelMonitor(..., volume_kms_key=key_arn, \
        output_kms_key=key_arn).create_monitoring_schedule(...)",
        // No pipeline step creates a schedule.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: MonitoringClusterConfig.VolumeKmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MonitoringClusterConfig.html",
        },
        SCHEDULES,
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

/// The volume check.
pub static VOLUME: VolumeCheck = VolumeCheck {
    meta: &VOLUME_META,
    text: VOLUME_TEXT,
};

/// Documentation of `monitoring-schedule-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "monitoring-schedule-output-cmk",
    kind: Kind::MonitoringSchedule,
    role: Role::Output,
    name: "MonitoringScheduleOutputCustomerManagedKey",
    title: "Monitoring schedule reports are encrypted with a customer-managed KMS key",
    description: "Checks the key of the reports the monitoring jobs of each SageMaker Model \
        Monitor schedule write to S3: MonitoringScheduleConfig.MonitoringJobDefinition.\
        MonitoringOutputConfig.KmsKeyId when the schedule carries its job definition, otherwise \
        the output key of the job definition it names. The check passes when the key names an \
        enabled customer-managed KMS key in any form KMS accepts, and passes unverified when the \
        named job definition is not in the scan. It fails when the key is missing, null or \
        empty (the reports then get the bucket's default encryption), names an alias/aws/* \
        key, or KMS reports the key as AWS-managed or not enabled, and when the output goes to \
        an S3 Express One Zone directory bucket. It does not apply to a definition with no S3 \
        output.",
    risk: "The reports profile production traffic and the model's behaviour on it. Under an \
        AWS-managed or S3-managed key anyone with read access to the bucket can read them, \
        with no key policy, rotation or revocation under your control.",
    remediation: Remediation {
        console: "Update the schedule (or its job definition, by creating a new one) so that the \
        output KMS key is your customer-managed key, then re-encrypt or delete the old reports \
        in S3.",
        aws_cli: "aws sagemaker update-monitoring-schedule --monitoring-schedule-name NAME \
        --monitoring-schedule-config '{\"MonitoringJobDefinition\":{...,\"MonitoringOutputConfig\":\
        {\"MonitoringOutputs\":[...],\"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}}'",
        boto3: "boto3.client('sagemaker').update_monitoring_schedule(MonitoringScheduleName=name, \
        MonitoringScheduleConfig={'MonitoringJobDefinition': {..., 'MonitoringOutputConfig': \
        {'MonitoringOutputs': outputs, 'KmsKeyId': key_arn}}})",
        python_sdk: "sagemaker.model_monitor.ModelMonitor(..., output_kms_key=key_arn, \
        volume_kms_key=key_arn).create_monitoring_schedule(...)",
        // No pipeline step creates a schedule.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: MonitoringOutputConfig.KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MonitoringOutputConfig.html",
        },
        SCHEDULES,
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

/// The output check.
pub static OUTPUT: OutputCheck = OutputCheck {
    meta: &OUTPUT_META,
    text: OutputText {
        protects: "monitoring reports",
        without_key: "the reports get the bucket's default S3 encryption",
    },
};

#[cfg(test)]
mod tests {
    use crate::resource::{Kind, Role};

    const HEAD: &str = r#""MonitoringScheduleName": "s", "MonitoringScheduleArn": "arn:aws:sagemaker:us-east-1:111122223333:monitoring-schedule/s", "MonitoringScheduleStatus": "Scheduled""#;

    #[test]
    fn a_schedule_with_its_own_definition_is_judged_on_its_keys() {
        let r = crate::kinds::read_resource(&format!(
            r#"{{{HEAD}, "MonitoringScheduleConfig": {{"MonitoringJobDefinition": {{
"MonitoringResources": {{"ClusterConfig": {{"InstanceType": "ml.m5.xlarge", "VolumeKmsKeyId": "alias/vol"}}}},
"MonitoringOutputConfig": {{"MonitoringOutputs": [{{"S3Output": {{"S3Uri": "s3://b/r/", "LocalPath": "/o"}}}}], "KmsKeyId": "alias/out"}}}}}}}}"#
        ));
        let rows: Vec<_> = r
            .slots
            .iter()
            .map(|s| (s.role, s.value.as_deref(), s.inherits.is_some()))
            .collect();
        assert_eq!(
            rows,
            [
                (Role::Volume, Some("alias/vol"), false),
                (Role::Output, Some("alias/out"), false)
            ]
        );
        assert_eq!(r.slots[1].locations, ["s3://b/r/"]);
    }

    #[test]
    fn a_schedule_naming_a_job_definition_inherits_its_keys() {
        let r = crate::kinds::read_resource(&format!(
            r#"{{{HEAD}, "MonitoringScheduleConfig": {{"MonitoringJobDefinitionName": "bias-def", "MonitoringType": "ModelBias"}}}}"#
        ));
        for (slot, field) in r.slots.iter().zip([
            "JobResources.ClusterConfig.VolumeKmsKeyId",
            "ModelBiasJobOutputConfig.KmsKeyId",
        ]) {
            let i = slot.inherits.as_deref().expect("inherits");
            assert_eq!(
                (i.kind, i.name.as_str(), i.field.as_ref()),
                (Kind::ModelBiasJobDefinition, "bias-def", field)
            );
            assert!(slot.value.is_none() && !slot.nothing_to_protect);
        }
    }

    #[test]
    fn the_definition_a_schedule_names_decides_its_verdicts() {
        let schedule = format!(
            r#"{{{HEAD}, "MonitoringScheduleConfig": {{"MonitoringJobDefinitionName": "dq"}}}}"#
        );
        let definition = r#"{"JobDefinitionName": "dq", "JobDefinitionArn": "arn:aws:sagemaker:us-east-1:111122223333:data-quality-job-definition/dq",
"DataQualityAppSpecification": {"ImageUri": "img"},
"JobResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge", "VolumeKmsKeyId": "alias/vol"}},
"DataQualityJobOutputConfig": {"MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://b/dq/", "LocalPath": "/o"}}], "KmsKeyId": "alias/out"}}"#;
        let mut resources = vec![
            crate::kinds::read_resource(&schedule),
            crate::kinds::read_resource(definition),
        ];
        crate::inherit::resolve(&mut resources);
        let values: Vec<_> = resources[0]
            .slots
            .iter()
            .map(|s| (s.value.as_deref(), s.inherited_from.as_deref()))
            .collect();
        assert_eq!(
            values,
            [
                (
                    Some("alias/vol"),
                    Some(
                        "JobResources.ClusterConfig.VolumeKmsKeyId of data quality job definition dq"
                    )
                ),
                (
                    Some("alias/out"),
                    Some("DataQualityJobOutputConfig.KmsKeyId of data quality job definition dq")
                )
            ]
        );
        assert_eq!(resources[0].slots[1].locations, ["s3://b/dq/"]);
    }
}
