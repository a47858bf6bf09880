//! `DescribeDataQualityJobDefinition`: what SageMaker Model Monitor runs on a schedule to compare
//! an endpoint's captured traffic with a baseline. Each run is a monitoring job on
//! `JobResources.ClusterConfig` instances whose storage volume holds the captured records under
//! `JobResources.ClusterConfig.VolumeKmsKeyId`, and it writes its statistics and violation
//! reports to `DataQualityJobOutputConfig.MonitoringOutputs[].S3Output.S3Uri` under
//! `DataQualityJobOutputConfig.KmsKeyId` (botocore 1.44.8, `MonitoringClusterConfig`,
//! `MonitoringOutputConfig`). botocore documents no local-storage exception for the volume key, so
//! none is made: the instance type is reported, not given to the volume check.

use super::monitoring::{VOLUME_KEY, VOLUME_TEXT};
use super::{Api, KindDecl, Names, Settled};
use crate::resource::{Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::volume::VolumeCheck;
use crate::verdict::Severity;

/// Everything about data quality job definitions.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::DataQualityJobDefinition,
    names: Names {
        resource_type: "data-quality-job-definition",
        arn_resource: "data-quality-job-definition",
        arn_nested: false,
        arn_id: false,
        noun: "Data quality job definition",
        plural: "data quality job definitions",
    },
    api: Api {
        list: "ListDataQualityJobDefinitions",
        summaries: "JobDefinitionSummaries",
        describe: "DescribeDataQualityJobDefinition",
        name_field: "JobDefinitionName",
        // The name and ARN fields are shared by the four monitoring job definitions: the
        // application specification names the one this is.
        marker: "DataQualityAppSpecification",
        arn_field: "JobDefinitionArn",
        within: None,
    },
    unlisted: None,
    // A job definition has no status (ListDataQualityJobDefinitions filters by none).
    statuses: &[],
    // There is no Update call for a job definition.
    settled: Settled::Always,
    keys: &[VOLUME_KEY, "DataQualityJobOutputConfig.KmsKeyId"],
    describe_fields: &[
        "DataQualityAppSpecification",
        "DataQualityJobInput",
        "DataQualityJobOutputConfig",
        "JobResources",
        "RoleArn",
    ],
    refers_to: &[],
    // SageMaker Pipelines' QualityCheck step runs a processing job, not a job definition.
    pipeline_steps: &[],
    creates: &["CreateDataQualityJobDefinition"],
    terraform: &["aws_sagemaker_data_quality_job_definition"],
    cloudformation: &["AWS::SageMaker::DataQualityJobDefinition"],
    parse,
    slots,
    checks: &[&VOLUME, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_data_quality_job_definitions, no_status, job_definition_summaries,
        monitoring_job_definition_name, monitoring_job_definition_arn;
        describe_data_quality_job_definition, job_definition_name
    ),
};

super::monitoring::job_definition!(DataQualityJobDefinition, "DataQuality");

/// The Model Monitor page on data quality.
const DATA_QUALITY: Reference = Reference {
    title: "SageMaker Model Monitor: monitor data quality",
    url: "https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-data-quality.html",
};

/// Documentation of `data-quality-job-definition-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "data-quality-job-definition-volume-cmk",
    kind: Kind::DataQualityJobDefinition,
    role: Role::Volume,
    name: "DataQualityJobDefinitionVolumeCustomerManagedKey",
    title: "Data quality monitoring volumes are encrypted with a customer-managed KMS key",
    description: "Checks JobResources.ClusterConfig.VolumeKmsKeyId of each SageMaker Model Monitor \
        data quality job definition. Every monitoring job run from the definition copies the \
        endpoint's captured requests and responses onto the storage volume of its instances. \
        The check passes when the field names an enabled customer-managed KMS key in any form \
        KMS accepts. It fails when the field is missing, null or empty, names an alias/aws/* \
        key, or KMS reports the key as AWS-managed or not enabled. AWS documents no \
        local-storage exception for this key, so none is made for any instance type.",
    risk: "The captured traffic is production inference data: the inputs your customers send \
        and the predictions they get. Without a customer-managed key you cannot limit \
        decryption through a key policy, rotate on your schedule, audit each use in \
        CloudTrail, or revoke access at once.",
    remediation: Remediation {
        console: "A job definition cannot be changed. Create a new data quality monitoring \
        schedule (SageMaker Studio, the endpoint's Model Monitor tab) with the volume KMS key \
        set to your customer-managed key, then delete the old schedule and job definition.",
        aws_cli: "aws sagemaker create-data-quality-job-definition --job-definition-name NEW_NAME \
        --job-resources '{\"ClusterConfig\":{\"InstanceCount\":1,\"InstanceType\":\"ml.m5.xlarge\",\
        \"VolumeSizeInGB\":20,\"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}' ... \
        (the other arguments from aws sagemaker describe-data-quality-job-definition)",
        boto3: "boto3.client('sagemaker').create_data_quality_job_definition(JobDefinitionName=\
        'new-name', JobResources={'ClusterConfig': {'InstanceCount': 1, 'InstanceType': \
        'ml.m5.xlarge', 'VolumeSizeInGB': 20, 'VolumeKmsKeyId': key_arn}}, ...) with the \
        other arguments copied from describe_data_quality_job_definition.",
        python_sdk: "sagemaker.model_monitor.DefaultModelMonitor(..., volume_kms_key=key_arn, \
        output_kms_key=key_arn).create_monitoring_schedule(...)",
        // No pipeline step creates a job definition.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: MonitoringClusterConfig.VolumeKmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MonitoringClusterConfig.html",
        },
        DATA_QUALITY,
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

/// Documentation of `data-quality-job-definition-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "data-quality-job-definition-output-cmk",
    kind: Kind::DataQualityJobDefinition,
    role: Role::Output,
    name: "DataQualityJobDefinitionOutputCustomerManagedKey",
    title: "Data quality monitoring reports are encrypted with a customer-managed KMS key",
    description: "Checks DataQualityJobOutputConfig.KmsKeyId of each SageMaker Model Monitor data \
        quality job definition, the key for the statistics and constraint violation reports \
        each monitoring job writes to S3. The check passes when the field names an enabled \
        customer-managed KMS key in any form KMS accepts. It fails when the field is missing, \
        null or empty (the reports then get the bucket's default encryption), names an \
        alias/aws/* key, or KMS reports the key as AWS-managed or not enabled, and when the \
        output goes to an S3 Express One Zone directory bucket. It does not apply to a \
        definition with no S3 output.",
    risk: "The reports summarise production traffic feature by feature (distributions, missing \
        values, outliers): a profile of your customers' data. Under an AWS-managed or \
        S3-managed key anyone with read access to the bucket can read them, with no key \
        policy, rotation or revocation under your control.",
    remediation: Remediation {
        console: "A job definition cannot be changed. Create a new data quality monitoring \
        schedule with the output KMS key set to your customer-managed key, delete the old \
        schedule and job definition, then re-encrypt or delete the old reports in S3.",
        aws_cli: "aws sagemaker create-data-quality-job-definition --job-definition-name NEW_NAME \
        --data-quality-job-output-config '{\"MonitoringOutputs\":[...],\"KmsKeyId\":\
        \"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' ... (the other arguments from aws \
        sagemaker describe-data-quality-job-definition)",
        boto3: "boto3.client('sagemaker').create_data_quality_job_definition(JobDefinitionName=\
        'new-name', DataQualityJobOutputConfig={'MonitoringOutputs': outputs, 'KmsKeyId': \
        key_arn}, ...) with the other arguments copied from \
        describe_data_quality_job_definition.",
        python_sdk: "sagemaker.model_monitor.DefaultModelMonitor(..., output_kms_key=key_arn, \
        volume_kms_key=key_arn).create_monitoring_schedule(...)",
        // No pipeline step creates a job definition.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: MonitoringOutputConfig.KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MonitoringOutputConfig.html",
        },
        DATA_QUALITY,
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
        without_key: "the monitoring reports get the bucket's default S3 encryption",
    },
};

#[cfg(test)]
mod tests {
    use crate::resource::Role;

    fn read(rest: &str) -> crate::resource::Resource {
        crate::kinds::read_resource(&format!(
            r#"{{"JobDefinitionName": "dq", "JobDefinitionArn": "arn:aws:sagemaker:us-east-1:111122223333:data-quality-job-definition/dq",
"CreationTime": "2025-04-01T10:00:00Z", "DataQualityAppSpecification": {{"ImageUri": "img"}},
"JobResources": {{"ClusterConfig": {{"InstanceCount": 1, "InstanceType": "ml.r5d.xlarge", "VolumeSizeInGB": 20{rest}}}}}}}"#
        ))
    }

    #[test]
    fn the_cluster_volume_and_the_reports_are_two_slots() {
        let r = crate::kinds::read_resource(
            r#"{"JobDefinitionName": "dq", "JobDefinitionArn": "arn:aws:sagemaker:us-east-1:111122223333:data-quality-job-definition/dq",
"DataQualityAppSpecification": {"ImageUri": "img"},
"JobResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge", "VolumeKmsKeyId": "alias/vol"}},
"DataQualityJobOutputConfig": {"MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://b/dq/", "LocalPath": "/opt"}}], "KmsKeyId": "alias/out"}}"#,
        );
        let rows: Vec<_> = r
            .slots
            .iter()
            .map(|s| {
                (
                    s.role,
                    s.value.as_deref(),
                    s.locations.clone(),
                    s.nothing_to_protect,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (Role::Volume, Some("alias/vol"), vec![], false),
                (
                    Role::Output,
                    Some("alias/out"),
                    vec!["s3://b/dq/".to_owned()],
                    false
                )
            ]
        );
        assert_eq!(r.instance_types, ["ml.m5.xlarge"]);
    }

    #[test]
    fn no_instance_type_exempts_the_volume_and_no_output_leaves_nothing_to_protect() {
        let r = read("");
        // The NVMe type is reported on the resource but not given to the volume slot.
        assert_eq!(r.instance_types, ["ml.r5d.xlarge"]);
        assert!(r.slots[0].instance_types.is_empty());
        assert!(r.slots[1].nothing_to_protect);
        assert_eq!(r.creation_time, r.last_modified_time);
    }
}
