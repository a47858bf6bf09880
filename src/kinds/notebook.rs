//! `DescribeNotebookInstance`: a notebook instance keeps its users' notebooks and data on an ML
//! storage volume (`/home/ec2-user/SageMaker`, `VolumeSizeInGB`, 5 GB by default) under
//! `KmsKeyId`. That volume is an attached volume whatever the instance type, so no NVMe
//! exemption applies: its instance type is reported, not given to the volume check (the API
//! reference for `CreateNotebookInstance.KmsKeyId` documents no local-storage exception).

use super::{
    Api, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, Text, identity, resource,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{
    Compliance, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST, with_common,
};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::verdict::Severity;

/// Everything about notebook instances.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::Notebook,
    names: Names {
        resource_type: "notebook-instance",
        arn_resource: "notebook-instance",
        arn_nested: false,
        arn_id: false,
        noun: "Notebook instance",
        plural: "notebook instances",
    },
    api: Api {
        list: "ListNotebookInstances",
        summaries: "NotebookInstances",
        describe: "DescribeNotebookInstance",
        name_field: "NotebookInstanceName",
        marker: "NotebookInstanceName",
        arn_field: "NotebookInstanceArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum NotebookInstanceStatus
    // (ListNotebookInstances.StatusEquals).
    statuses: &[
        "Pending",
        "InService",
        "Stopping",
        "Stopped",
        "Failed",
        "Deleting",
        "Updating",
        "PendingMaintenance",
        "InMaintenance",
    ],
    settled: Settled::Never,
    keys: &["KmsKeyId"],
    describe_fields: &["InstanceType", "RoleArn"],
    refers_to: &[],
    // SageMaker Pipelines has no step that creates a notebook instance.
    pipeline_steps: &[],
    creates: &["CreateNotebookInstance"],
    terraform: &["aws_sagemaker_notebook_instance"],
    cloudformation: &["AWS::SageMaker::NotebookInstance"],
    parse,
    slots,
    checks: &[&VOLUME],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_notebook_instances, NotebookInstanceStatus, notebook_instances,
        notebook_instance_name, notebook_instance_arn;
        describe_notebook_instance, notebook_instance_name
    ),
};

/// The only key: `KmsKeyId`, at the top level of the request and the response.
fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let key = f.get::<Option<Text<'a>>>("KmsKeyId")?;
    Ok(vec![SlotDraft::new(
        KeySlot::new(Role::Volume, "KmsKeyId"),
        key.as_ref(),
        None,
        scope,
    )?])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::Notebook)?;
    let mut r = resource(Kind::Notebook, id);
    r.status = f.string("NotebookInstanceStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    r.instance_types = f.string("InstanceType")?.into_iter().collect();
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// The AWS Config managed rules and the Security Hub control about notebook instances' keys,
/// on top of the common mappings.
static NOTEBOOK_COMPLIANCE: [Compliance; 15] = with_common(&[
    Compliance {
        framework: "AWS Config managed rules",
        control: "sagemaker-notebook-instance-kms-key-configured",
        title: "A KMS key is configured for the notebook instance",
        rationale: "The rule is NON_COMPLIANT when KmsKeyId is not set on the notebook instance; \
        this check fails in that case too, and also on AWS-managed keys and on keys KMS \
        reports as not enabled.",
        source: "AWS Config Developer Guide, managed rule \
        sagemaker-notebook-instance-kms-key-configured \
        (https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-notebook-instance-kms-key-configured.html).",
    },
    Compliance {
        framework: "AWS Config managed rules",
        control: "sagemaker-notebook-instance-storage-vol-kms-encrypted",
        title: "A KMS key encrypts the notebook instance's storage volume",
        rationale: "The rule behind Security Hub's SageMaker.21 is NON_COMPLIANT when no KMS \
            key is configured for the notebook instance's storage volume; this check fails in \
            that case too, and also on AWS-managed keys and on keys KMS reports as not enabled.",
        source: "AWS Security Hub User Guide, control [SageMaker.21], which names this rule \
        (https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-21).",
    },
    Compliance {
        framework: "AWS Security Hub CSPM controls",
        control: "SageMaker.21",
        title: "SageMaker notebook instances are encrypted with customer managed KMS keys",
        rationale: "The control fails when no KMS key is configured for the notebook instance's \
            storage volume; this check fails in that case too, and also when the key is \
            AWS-managed or not enabled, which the control's title excludes but its rule does not \
            test.",
        source: "AWS Security Hub User Guide, Security Hub CSPM controls for SageMaker AI, \
        [SageMaker.21] (https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-21).",
    },
]);

/// Documentation of `notebook-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "notebook-volume-cmk",
    kind: Kind::Notebook,
    role: Role::Volume,
    name: "NotebookVolumeCustomerManagedKey",
    title: "Notebook instance storage volume is encrypted with a customer-managed KMS key",
    description: "Checks KmsKeyId of each SageMaker notebook instance, the key for the ML \
        storage volume mounted at /home/ec2-user/SageMaker, where its users keep notebooks, \
        downloaded datasets and credentials. The check passes when the field names an enabled \
        customer-managed KMS key in any form KMS accepts. It fails when the field is missing, \
        null or empty (SageMaker then encrypts the volume with a system-managed key), names an \
        alias/aws/* key, or KMS reports the key as AWS-managed or not enabled. It always \
        applies: the volume is attached whatever the instance type.",
    risk: "A notebook volume outlives every session: it accumulates copies of training data, \
        query results and secrets pasted into notebooks. Without a customer-managed key you \
        cannot limit decryption through a key policy, rotate on your schedule, audit each use \
        or revoke access at once by disabling the key.",
    remediation: Remediation {
        console: "The key of a notebook instance cannot be changed. Create a new notebook instance \
        (SageMaker console, Applications and IDEs > Notebooks > Create notebook instance) with \
        Encryption key set to your customer-managed key, move the contents of \
        /home/ec2-user/SageMaker to it, then delete the old instance.",
        aws_cli: "aws sagemaker create-notebook-instance --notebook-instance-name NEW_NAME \
        --instance-type ml.t3.medium --role-arn ROLE_ARN --kms-key-id \
        arn:aws:kms:REGION:ACCOUNT:key/KEY_ID, copy the data over, then aws sagemaker \
        stop-notebook-instance and delete-notebook-instance --notebook-instance-name OLD_NAME",
        boto3: "boto3.client('sagemaker').create_notebook_instance(NotebookInstanceName='new-name', \
        InstanceType='ml.t3.medium', RoleArn=role_arn, KmsKeyId=key_arn)",
        python_sdk: "The SageMaker Python SDK does not create notebook instances; with SDK 3's \
        resources set SageMaker.PythonSDK.Resources.NotebookInstance.kms_key_id in config.yaml, \
        or pass kms_key_id to NotebookInstance.create.",
        // No pipeline step creates a notebook instance.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: CreateNotebookInstance, KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateNotebookInstance.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: &NOTEBOOK_COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

/// The volume check.
pub static VOLUME: VolumeCheck = VolumeCheck {
    meta: &VOLUME_META,
    text: VolumeText {
        protects: "notebook storage volumes",
        without_key: "SageMaker encrypts the notebook storage volume with a system-managed key",
        nvme_exempt: false,
        no_instance: "",
    },
};
