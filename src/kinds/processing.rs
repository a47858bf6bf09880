//! `DescribeProcessingJob`: the volume key in `ProcessingResources.ClusterConfig`, the output
//! key in `ProcessingOutputConfig` (applied to every S3 output), and the key of each input
//! whose data an Athena or Redshift query writes to S3 before the job reads it
//! (`ProcessingInputs[].DatasetDefinition`).

use serde::Deserialize;

use super::{
    Api, At, Draft, Fields, InstanceEntry, KindDecl, Names, Scope, Settled, SlotDraft, Text,
    distinct_types, identity, resource, types_of,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::verdict::Severity;

/// Everything about processing jobs.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::Processing,
    names: Names {
        resource_type: "processing-job",
        arn_resource: "processing-job",
        arn_nested: false,
        arn_id: false,
        noun: "Processing job",
        plural: "processing jobs",
    },
    api: Api {
        list: "ListProcessingJobs",
        summaries: "ProcessingJobSummaries",
        describe: "DescribeProcessingJob",
        name_field: "ProcessingJobName",
        marker: "ProcessingJobName",
        arn_field: "ProcessingJobArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum ProcessingJobStatus (ListProcessingJobs.StatusEquals).
    statuses: &["InProgress", "Completed", "Failed", "Stopping", "Stopped"],
    settled: Settled::When {
        field: "ProcessingJobStatus",
        values: &["Completed", "Failed", "Stopped"],
    },
    keys: &[
        "ProcessingResources.ClusterConfig.VolumeKmsKeyId",
        "ProcessingOutputConfig.KmsKeyId",
        "ProcessingInputs[].DatasetDefinition.AthenaDatasetDefinition.KmsKeyId",
        "ProcessingInputs[].DatasetDefinition.RedshiftDatasetDefinition.KmsKeyId",
    ],
    describe_fields: &[
        "ProcessingResources",
        "AppSpecification",
        "ProcessingOutputConfig",
        "ProcessingInputs",
        "RoleArn",
        "StoppingCondition",
    ],
    refers_to: &[],
    pipeline_steps: &["Processing", "QualityCheck", "ClarifyCheck"],
    creates: &["CreateProcessingJob"],
    terraform: &[],
    // The only job kind with a CloudFormation type (cfn-lint 1.58.0 registry schemas,
    // AWS::SageMaker::ProcessingJob: its properties are CreateProcessingJob's).
    cloudformation: &["AWS::SageMaker::ProcessingJob"],
    parse,
    slots,
    checks: &[&VOLUME, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_processing_jobs, ProcessingJobStatus, processing_job_summaries, processing_job_name, processing_job_arn;
        describe_processing_job, processing_job_name
    ),
};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProcessingResources<'a> {
    #[serde(borrow)]
    cluster_config: Option<At<'a, ClusterConfig<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ClusterConfig<'a> {
    #[serde(borrow)]
    instance_type: Option<Text<'a>>,
    #[serde(borrow)]
    selected_instance_type: Option<Text<'a>>,
    #[serde(borrow)]
    instance_preferences: Option<Vec<InstanceEntry<'a>>>,
    #[serde(borrow, default)]
    volume_kms_key_id: At<'a, Option<Text<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OutputConfig<'a> {
    #[serde(borrow, default)]
    outputs: Vec<At<'a, Output<'a>>>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Output<'a> {
    output_name: Option<String>,
    #[serde(borrow)]
    s3_output: Option<At<'a, S3Output<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct S3Output<'a> {
    #[serde(borrow)]
    s3_uri: Option<Text<'a>>,
    /// Not in the API: the quality and clarify check steps of a pipeline name a key for each
    /// output here.
    #[serde(borrow)]
    kms_key_id: Option<At<'a, Option<Text<'a>>>>,
}

/// `ProcessingInputs[]`: only inputs a query makes carry a key.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Input<'a> {
    input_name: Option<String>,
    #[serde(borrow)]
    dataset_definition: Option<DatasetDefinition<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DatasetDefinition<'a> {
    #[serde(borrow)]
    athena_dataset_definition: Option<At<'a, QueryResults<'a>>>,
    #[serde(borrow)]
    redshift_dataset_definition: Option<At<'a, QueryResults<'a>>>,
}

/// What Athena's and Redshift's dataset definitions share: where the query's results are
/// written (`OutputS3Uri`) and the key SageMaker has them written under (`KmsKeyId`;
/// botocore 1.44.8, `AthenaDatasetDefinition` and `RedshiftDatasetDefinition`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct QueryResults<'a> {
    #[serde(borrow)]
    output_s3_uri: Option<Text<'a>>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

/// One output slot per Athena or Redshift query among the inputs, named by the input.
fn dataset_slots<'a>(
    f: &Fields<'a>,
    scope: Scope<'_>,
) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let inputs = f.get::<Option<Vec<Input<'a>>>>("ProcessingInputs")?;
    let inputs = inputs.as_ref().and_then(|i| i.value.as_ref());
    let mut slots = Vec::new();
    for (i, input) in inputs.into_iter().flatten().enumerate() {
        let Some(dataset) = &input.dataset_definition else {
            continue;
        };
        let name = match &input.input_name {
            Some(name) if !name.trim().is_empty() => name.clone(),
            _ => (i + 1).to_string(),
        };
        for (engine, member, query) in [
            (
                "Athena",
                "AthenaDatasetDefinition",
                &dataset.athena_dataset_definition,
            ),
            (
                "Redshift",
                "RedshiftDatasetDefinition",
                &dataset.redshift_dataset_definition,
            ),
        ] {
            let Some(query) = query else { continue };
            let mut slot = KeySlot::new(
                Role::Output,
                format!("ProcessingInputs[{i}].DatasetDefinition.{member}.KmsKeyId"),
            );
            slot.part = Some(format!("input {name} ({engine} query results)"));
            slot.protects = Some((
                "query results",
                "the query results get the bucket's default S3 encryption",
            ));
            slots.push(SlotDraft::output(
                slot,
                &format!("ProcessingInputs.DatasetDefinition.{member}.OutputS3Uri"),
                Some(&query.value.output_s3_uri),
                Some(&query.value.kms_key_id),
                Some(query.raw),
                scope,
            )?);
        }
    }
    Ok(slots)
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let mut slots = output_slots(f, scope)?;
    slots.extend(dataset_slots(f, scope)?);
    Ok(slots)
}

/// The volume slot and the output slots.
fn output_slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let resources = f.get::<ProcessingResources<'a>>("ProcessingResources")?;
    let cluster = resources
        .as_ref()
        .and_then(|r| r.value.cluster_config.as_ref());
    let mut volume = KeySlot::new(
        Role::Volume,
        "ProcessingResources.ClusterConfig.VolumeKmsKeyId",
    );
    if let Some(c) = cluster {
        let c = &c.value;
        // As for training: the type, else the selected preference, else every preference.
        let field = "ProcessingResources.ClusterConfig.InstanceType";
        let named = scope.types(field, &c.instance_type)?;
        let selected = scope.types(field, &c.selected_instance_type)?;
        volume.instance_types = if !named.is_empty() {
            named
        } else if !selected.is_empty() {
            selected
        } else {
            types_of(field, &c.instance_preferences, scope)?
        };
    }
    let volume = SlotDraft::new(
        volume,
        cluster.map(|c| &c.value.volume_kms_key_id),
        cluster.map(|c| c.raw).or(resources.as_ref().map(|r| r.raw)),
        scope,
    )?;
    let config = f.get::<OutputConfig<'a>>("ProcessingOutputConfig")?;
    let outputs = config.as_ref().map_or(&[][..], |c| &c.value.outputs[..]);
    let mut locations = Vec::new();
    for o in outputs {
        if let Some(s3) = &o.value.s3_output {
            locations.extend(scope.text(
                "ProcessingOutputConfig.Outputs.S3Output.S3Uri",
                &s3.value.s3_uri,
            )?);
        }
    }
    // A check step of a pipeline keys each output instead of the whole configuration.
    let per_output = config
        .as_ref()
        .is_some_and(|c| c.value.kms_key_id.slice().is_none())
        && outputs.iter().any(|o| {
            o.value
                .s3_output
                .as_ref()
                .is_some_and(|s| s.value.kms_key_id.is_some())
        });
    let mut slots = vec![volume];
    if per_output {
        for (i, o) in outputs.iter().enumerate() {
            let Some(s3) = &o.value.s3_output else {
                continue;
            };
            let mut slot = KeySlot::new(
                Role::Output,
                format!("ProcessingOutputConfig.Outputs[{i}].S3Output.KmsKeyId"),
            );
            slot.part = Some(match &o.value.output_name {
                Some(name) if !name.trim().is_empty() => format!("output {name}"),
                _ => format!("output {}", i + 1),
            });
            slot.locations = scope
                .text(
                    "ProcessingOutputConfig.Outputs.S3Output.S3Uri",
                    &s3.value.s3_uri,
                )?
                .into_iter()
                .collect();
            slots.push(SlotDraft::new(
                slot,
                s3.value.kms_key_id.as_ref(),
                Some(s3.raw),
                scope,
            )?);
        }
        return Ok(slots);
    }
    let mut output = KeySlot::new(Role::Output, "ProcessingOutputConfig.KmsKeyId");
    // The key applies to S3 outputs; a job without any writes nothing for it to protect.
    output.nothing_to_protect = locations.is_empty();
    output.locations = locations;
    slots.push(SlotDraft::new(
        output,
        config.as_ref().map(|o| &o.value.kms_key_id),
        config.as_ref().map(|o| o.raw),
        scope,
    )?);
    Ok(slots)
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::Processing)?;
    let mut r = resource(Kind::Processing, id);
    r.status = f.string("ProcessingJobStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    r.instance_types = distinct_types(&slots);
    Ok(Draft { resource: r, slots })
}

/// Documentation of `processing-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "processing-volume-cmk",
    kind: Kind::Processing,
    role: Role::Volume,
    name: "ProcessingVolumeCustomerManagedKey",
    title: "Processing volume is encrypted with a customer-managed KMS key",
    description: "Checks ProcessingResources.ClusterConfig.VolumeKmsKeyId of each SageMaker processing \
        job. The storage volume of every processing instance holds the inputs copied from S3 \
        and the outputs before they are uploaded: often the raw data that feature \
        engineering or evaluation reads. The check passes when the field names an enabled \
        customer-managed KMS key in any form KMS accepts. It fails when the field is \
        missing, null or empty, names an alias/aws/* key, or KMS reports the key as \
        AWS-managed or not enabled. It does not apply when every instance type the job may \
        run on (InstanceType, SelectedInstanceType or every InstancePreferences entry) has \
        local NVMe instance storage, which AWS encrypts in hardware and where it accepts no \
        key.",
    risk: "Processing jobs prepare the data the models are trained on, so their volumes hold it \
        in full. Without a customer-managed key you cannot limit decryption through a key \
        policy, rotate on your schedule, audit each use in CloudTrail, or revoke access at \
        once.",
    remediation: Remediation {
        console: "Processing jobs cannot be changed. Re-run the job with a volume key: in SageMaker \
        Studio or through the API, create the processing job again with Volume KMS key set \
        to your customer-managed key under the cluster configuration, and retire the old \
        job's outputs once the new run has succeeded.",
        aws_cli: "aws sagemaker create-processing-job --processing-job-name NEW_NAME \
        --processing-resources \
        '{\"ClusterConfig\":{\"InstanceCount\":1,\"InstanceType\":\"ml.m5.xlarge\",\"VolumeSizeInGB\":30,\"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}' \
        ... (the other arguments from aws sagemaker describe-processing-job \
        --processing-job-name OLD_NAME)",
        boto3: "boto3.client('sagemaker').create_processing_job(ProcessingJobName='new-name', \
        ProcessingResources={'ClusterConfig': {'InstanceCount': 1, 'InstanceType': \
        'ml.m5.xlarge', 'VolumeSizeInGB': 30, 'VolumeKmsKeyId': key_arn}}, ...) with the \
        other arguments copied from describe_processing_job.",
        python_sdk: "sagemaker.processing.Processor(..., volume_kms_key=key_arn, output_kms_key=key_arn) \
        (or ScriptProcessor, SKLearnProcessor and the framework processors, which take the \
        same arguments); in SageMaker Pipelines pass it to the ProcessingStep.",
        pipeline: "Set ProcessingResources.ClusterConfig.VolumeKmsKeyId in the step's Arguments \
        (Processing, QualityCheck and ClarifyCheck steps; volume_kms_key= on the processor or \
        check config), then update the pipeline.",
    },
    references: &[
        Reference {
            title: "SageMaker API: ProcessingClusterConfig.VolumeKmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingClusterConfig.html",
        },
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
    text: VolumeText {
        protects: "processing volumes",
        without_key: "SageMaker chooses the key for the processing volumes",
        nvme_exempt: true,
        no_instance: "",
    },
};

/// Documentation of `processing-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "processing-output-cmk",
    kind: Kind::Processing,
    role: Role::Output,
    name: "ProcessingOutputCustomerManagedKey",
    title: "Processing outputs are encrypted with a customer-managed KMS key",
    description: "Checks ProcessingOutputConfig.KmsKeyId of each SageMaker processing job, the key \
        SageMaker applies to every output it uploads to S3. The check passes when the field \
        names an enabled customer-managed KMS key in any form KMS accepts. It fails when the \
        field is missing, null or empty (the outputs then get the bucket's default \
        encryption), names an alias/aws/* key, or KMS reports the key as AWS-managed or not \
        enabled, and when an output goes to an S3 Express One Zone directory bucket. It does \
        not apply to a job with no S3 output: the key would protect nothing. Each input that \
        an Athena or Redshift query makes (ProcessingInputs[].DatasetDefinition) gives one \
        more finding of this check, on its KmsKeyId: the key under which SageMaker has the \
        query's results written to OutputS3Uri before the job reads them; without it they \
        get the bucket's default encryption.",
    risk: "Processing outputs are usually the training and evaluation datasets themselves. \
        Encrypted only with an AWS-managed or S3-managed key, they are readable by anyone \
        with S3 read access, with no key policy, rotation or revocation under your control.",
    remediation: Remediation {
        console: "Processing jobs cannot be changed. Create the job again with an output KMS key set \
        to your customer-managed key (Output configuration, KMS key) and, for an input made by \
        an Athena or Redshift query, the dataset definition's KMS key, then re-encrypt or \
        delete the old outputs and query results in S3.",
        aws_cli: "aws sagemaker create-processing-job --processing-job-name NEW_NAME \
        --processing-output-config \
        '{\"Outputs\":[...],\"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' ... \
        (the other arguments from aws sagemaker describe-processing-job)",
        boto3: "boto3.client('sagemaker').create_processing_job(ProcessingJobName='new-name', \
        ProcessingOutputConfig={'Outputs': outputs, 'KmsKeyId': key_arn}, ...) with the \
        other arguments copied from describe_processing_job; for a query input set \
        ProcessingInputs[].DatasetDefinition.AthenaDatasetDefinition.KmsKeyId (or \
        RedshiftDatasetDefinition.KmsKeyId) as well.",
        python_sdk: "sagemaker.processing.Processor(..., output_kms_key=key_arn, \
        volume_kms_key=key_arn).run(outputs=[...]) sets the key for every output; a query \
        input takes it as kms_key_id= of sagemaker.dataset_definition.inputs.AthenaDatasetDefinition \
        or RedshiftDatasetDefinition.",
        pipeline: "Set ProcessingOutputConfig.KmsKeyId in the step's Arguments (output_kms_key= on the \
        processor, or the check config's output key), then update the pipeline so every run \
        writes its outputs under that key.",
    },
    references: &[
        Reference {
            title: "SageMaker API: ProcessingOutputConfig.KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingOutputConfig.html",
        },
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
        protects: "processing outputs",
        without_key: "the processing outputs get the bucket's default S3 encryption",
    },
};

#[cfg(test)]
mod tests {
    use crate::resource::Role;

    #[test]
    fn each_query_input_is_an_output_slot_named_by_its_input() {
        let r = crate::kinds::read_resource(
            r#"{"ProcessingJobName": "q", "ProcessingJobArn": "arn:aws:sagemaker:us-east-1:111122223333:processing-job/q",
"ProcessingInputs": [
 {"InputName": "code", "S3Input": {"S3Uri": "s3://b/code/"}},
 {"InputName": "sales", "DatasetDefinition": {"AthenaDatasetDefinition": {"OutputS3Uri": "s3://b/athena/", "KmsKeyId": "alias/athena"}}},
 {"DatasetDefinition": {"RedshiftDatasetDefinition": {"OutputS3Uri": "s3://b/redshift/", "KmsKeyId": null}}},
 {"InputName": "  ", "DatasetDefinition": {}}
]}"#,
        );
        let rows: Vec<_> = r
            .slots
            .iter()
            .map(|s| {
                (
                    s.role,
                    s.part.as_deref(),
                    s.field.as_ref(),
                    s.value.as_deref(),
                    s.locations.clone(),
                    s.protects.is_some(),
                )
            })
            .collect();
        assert_eq!(
            rows[2..],
            [
                (
                    Role::Output,
                    Some("input sales (Athena query results)"),
                    "ProcessingInputs[1].DatasetDefinition.AthenaDatasetDefinition.KmsKeyId",
                    Some("alias/athena"),
                    vec!["s3://b/athena/".to_owned()],
                    true
                ),
                (
                    Role::Output,
                    Some("input 3 (Redshift query results)"),
                    "ProcessingInputs[2].DatasetDefinition.RedshiftDatasetDefinition.KmsKeyId",
                    None,
                    vec!["s3://b/redshift/".to_owned()],
                    true
                ),
            ]
        );
        // The volume and the job's own output come first, as before.
        assert_eq!(
            (rows[0].2, rows[1].2, rows.len()),
            (
                "ProcessingResources.ClusterConfig.VolumeKmsKeyId",
                "ProcessingOutputConfig.KmsKeyId",
                4
            )
        );
    }

    #[test]
    fn inputs_that_are_not_a_list_make_the_document_an_error() {
        let text = r#"{"ProcessingJobName": "q", "ProcessingJobArn": "arn:aws:sagemaker:us-east-1:111122223333:processing-job/q",
"ProcessingInputs": {"InputName": "x"}}"#;
        let error = match crate::ingest::document::parse(text, 1, "f.json") {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a malformed ProcessingInputs was accepted"),
        };
        assert!(error.contains("ProcessingInputs"), "{error}");
    }
}
