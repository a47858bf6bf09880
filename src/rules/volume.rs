//! `training-volume-cmk`: the training instances' storage volume is encrypted with a
//! customer-managed KMS key.
//!
//! NOT_APPLICABLE only where AWS says no key can be set: every instance type in use has local
//! NVMe storage (SageMaker API reference, `ResourceConfig.VolumeKmsKeyId`: "You can't request a
//! VolumeKmsKeyId when using an instance type with local storage"; the table and its sources
//! are in `data/local-nvme-families.toml`).
//!
//! Serverless jobs (`ServerlessJobConfig`) are judged like any other: the model documents that
//! SageMaker sizes their storage volume itself (`ResourceConfig.VolumeSizeInGB`: "SageMaker
//! automatically selects the volume size for serverless training jobs"), and nothing in the
//! API reference says such a volume takes no key, so a missing `VolumeKmsKeyId` fails there
//! too (botocore 1.44.8, sagemaker 2017-07-24 model, checked 2026-11).

use crate::kms::KeyManager;
use crate::model::{TrainingJob, non_empty};
use crate::report::{Severity, Status};

use super::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use super::key::{KeyField, judge};
use super::{Context, Rule, RuleId, RuleMeta, Verdict};

/// The check itself.
pub struct TrainingVolumeCmk;

/// Documentation of `training-volume-cmk`.
pub static META: RuleMeta = RuleMeta {
    id: RuleId::TrainingVolumeCmk,
    name: "TrainingVolumeCustomerManagedKey",
    title: "Training volume is encrypted with a customer-managed KMS key",
    description: "Checks ResourceConfig.VolumeKmsKeyId of each SageMaker training job. The EBS \
        volume attached to every training instance holds the training data copied from S3, \
        checkpoints and logs while the job runs. The check passes when the field names a \
        customer-managed KMS key (by key id, key ARN, alias or alias ARN, in any account) that \
        is enabled. It fails when the field is missing, null or empty (SageMaker then encrypts \
        the volume with a transient key it discards), names an alias/aws/* key, or KMS reports \
        the key as AWS-managed or not enabled; a serverless job without the key fails too. It \
        does not apply when every instance type of the job has local NVMe instance storage \
        (hardware-encrypted, no EBS volume, and AWS accepts no key there).",
    risk: "Without a key you control, you cannot restrict who may decrypt the volume through a \
        key policy, choose the rotation schedule, audit each use of the key in CloudTrail, or \
        make the data unreadable at once by disabling the key. Training volumes can hold raw, \
        sensitive training data; many regulated workloads must show customer control of the key.",
    remediation: Remediation {
        console: "A training job cannot be changed after it is created. In the SageMaker \
            console open Training > Training jobs, select the job and choose Clone. Under \
            Resource configuration set Volume encryption key to your customer-managed KMS key \
            (not aws/sagemaker), create the new job, and delete or retire the old one once the \
            new one has succeeded. The execution role needs kms:CreateGrant, kms:Decrypt, \
            kms:GenerateDataKey and kms:DescribeKey on the key.",
        aws_cli: "aws sagemaker create-training-job --training-job-name NEW_NAME \
            --resource-config '{\"InstanceType\":\"ml.m5.xlarge\",\"InstanceCount\":1,\
            \"VolumeSizeInGB\":50,\"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' \
            ... (the remaining arguments as in the original job; read them with \
            aws sagemaker describe-training-job --training-job-name OLD_NAME)",
        boto3: "boto3.client('sagemaker').create_training_job(TrainingJobName='new-name', \
            ResourceConfig={'InstanceType': 'ml.m5.xlarge', 'InstanceCount': 1, \
            'VolumeSizeInGB': 50, 'VolumeKmsKeyId': key_arn}, ...) with the other arguments \
            copied from describe_training_job of the old job.",
        python_sdk: "sagemaker.estimator.Estimator(..., volume_kms_key=key_arn, \
            output_kms_key=key_arn).fit(inputs) creates the replacement job with the volume \
            key set; in SageMaker Pipelines pass that estimator to the TrainingStep.",
    },
    references: &[
        Reference {
            title: "SageMaker API: ResourceConfig.VolumeKmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ResourceConfig.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

impl Rule for TrainingVolumeCmk {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn evaluate<'a>(&self, job: &'a TrainingJob, ctx: &Context<'_>) -> Verdict {
        let origin = &job.origin;
        let field = |value: Option<&'a str>| KeyField {
            field: "ResourceConfig.VolumeKmsKeyId",
            protects: "training volumes",
            without_key: "SageMaker encrypts the training volumes with a transient key it \
                discards",
            value,
            key_line: origin.volume_key_line,
            parent_line: origin.resource_config_line.unwrap_or(origin.document_line),
        };
        let Some(resource) = &job.resource else {
            // No ResourceConfig at all (serverless jobs may omit it): no key was asked for.
            return judge(field(None), job, ctx);
        };
        let types = resource.instance_types();
        if !types.is_empty() && types.iter().all(|t| ctx.storage.has_local_nvme(t)) {
            return Verdict {
                status: Status::NotApplicable,
                kms_key: non_empty(&resource.volume_kms_key_id).map(str::to_owned),
                key_manager: KeyManager::None,
                key_state: None,
                message: format!(
                    "Every instance type of the job ({}) has local NVMe instance storage, \
                     which is hardware-encrypted and takes no volume key.",
                    types.join(", ")
                ),
                line: origin.resource_config_line.unwrap_or(origin.document_line),
            };
        }
        judge(field(resource.volume_kms_key_id.as_deref()), job, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kms::{KeyFact, KeyFacts};
    use crate::model::{Origin, ResourceConfig};
    use crate::rules::InstanceStorageTable;

    fn job(resource: Option<ResourceConfig>) -> TrainingJob {
        TrainingJob {
            name: "j".into(),
            arn: "arn:aws:sagemaker:us-east-1:111122223333:training-job/j".into(),
            account_id: "111122223333".into(),
            region: "us-east-1".into(),
            partition: "aws".into(),
            status: Some("Completed".into()),
            creation_time: None,
            last_modified_time: None,
            resource,
            output: None,
            serverless: false,
            origin: Origin {
                file: "j.json".into(),
                document_line: 1,
                resource_config_line: Some(10),
                volume_key_line: Some(14),
                ..Origin::default()
            },
        }
    }

    fn rc(types: &[&str], key: Option<&str>) -> Option<ResourceConfig> {
        let (instance_type, groups) = match types {
            [one] => (Some(one.to_string()), vec![]),
            many => (None, many.iter().map(|s| s.to_string()).collect()),
        };
        Some(ResourceConfig {
            instance_type,
            instance_groups: groups,
            selected_instance_type: None,
            instance_preferences: Vec::new(),
            volume_kms_key_id: key.map(str::to_owned),
        })
    }

    fn eval_with(job: &TrainingJob, keys: &KeyFacts) -> Verdict {
        let storage = InstanceStorageTable::built_in();
        TrainingVolumeCmk.evaluate(
            job,
            &Context {
                keys,
                storage: &storage,
            },
        )
    }

    fn eval(job: &TrainingJob) -> Verdict {
        eval_with(job, &KeyFacts::default())
    }

    #[test]
    fn customer_key_in_every_form_passes_unverified() {
        for key in [
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "alias/ml-training",
            "arn:aws:kms:us-east-1:111122223333:alias/ml-training",
            "arn:aws:kms:eu-west-1:999988887777:key/cross-account-key",
        ] {
            let v = eval(&job(rc(&["ml.m5.xlarge"], Some(key))));
            assert_eq!(v.status, Status::Pass, "{key}");
            assert_eq!(v.key_manager, KeyManager::Unverified, "{key}");
            assert_eq!(v.line, 14);
        }
    }

    #[test]
    fn missing_null_empty_and_aws_managed_keys_fail() {
        let missing = eval(&job(rc(&["ml.m5.xlarge"], None)));
        assert_eq!(missing.status, Status::Fail);
        assert!(missing.message.contains("is not set"));
        assert!(
            missing.message.contains("transient key it discards"),
            "{}",
            missing.message
        );
        let empty = eval(&job(rc(&["ml.m5.xlarge"], Some(""))));
        assert_eq!(empty.status, Status::Fail);
        assert!(empty.message.contains("is empty"));
        for aws in [
            "alias/aws/sagemaker",
            "arn:aws:kms:us-east-1:111122223333:alias/aws/ebs",
        ] {
            let v = eval(&job(rc(&["ml.m5.xlarge"], Some(aws))));
            assert_eq!(
                (v.status, v.key_manager),
                (Status::Fail, KeyManager::Aws),
                "{aws}"
            );
        }
        let junk = eval(&job(rc(&["ml.m5.xlarge"], Some("<img src=x>"))));
        assert_eq!(junk.status, Status::Fail);
    }

    #[test]
    fn missing_key_points_at_resource_config() {
        let mut j = job(rc(&["ml.m5.xlarge"], None));
        j.origin.volume_key_line = None;
        assert_eq!(eval(&j).line, 10);
    }

    #[test]
    fn local_nvme_only_jobs_are_not_applicable() {
        let nvme = eval(&job(rc(&["ml.p4d.24xlarge"], None)));
        assert_eq!(nvme.status, Status::NotApplicable);
        assert!(nvme.message.contains("ml.p4d.24xlarge"));
        let all_nvme_groups = eval(&job(rc(&["ml.g5.xlarge", "ml.p4d.24xlarge"], None)));
        assert_eq!(all_nvme_groups.status, Status::NotApplicable);
        let g7e = eval(&job(rc(&["ml.g7e.2xlarge"], None)));
        assert_eq!(g7e.status, Status::NotApplicable);
    }

    #[test]
    fn serverless_jobs_without_a_volume_key_fail() {
        // AWS documents a volume for serverless jobs and no exception for its key.
        let mut serverless = job(None);
        serverless.serverless = true;
        serverless.origin.resource_config_line = None;
        serverless.origin.volume_key_line = None;
        let v = eval(&serverless);
        assert_eq!(v.status, Status::Fail);
        assert_eq!(v.line, 1);
        let mut with_key = job(rc(&[], Some("alias/ml")));
        with_key.serverless = true;
        assert_eq!(eval(&with_key).status, Status::Pass);
    }

    #[test]
    fn instance_preferences_decide_until_one_is_selected() {
        let mut r = rc(&["ml.m5.xlarge"], None).unwrap();
        r.instance_type = None;
        r.instance_preferences = vec!["ml.p5.48xlarge".into(), "ml.g6e.12xlarge".into()];
        assert_eq!(eval(&job(Some(r.clone()))).status, Status::NotApplicable);
        r.instance_preferences.push("ml.m5.xlarge".into());
        assert_eq!(
            eval(&job(Some(r.clone()))).status,
            Status::Fail,
            "an EBS-backed preference may run the job"
        );
        r.selected_instance_type = Some("ml.p5.48xlarge".into());
        assert_eq!(eval(&job(Some(r))).status, Status::NotApplicable);
    }

    #[test]
    fn one_ebs_backed_group_makes_the_key_required() {
        let v = eval(&job(rc(&["ml.p4d.24xlarge", "ml.m5.xlarge"], None)));
        assert_eq!(v.status, Status::Fail);
    }

    #[test]
    fn selected_instance_type_decides_when_nothing_else_is_set() {
        let mut r = rc(&["ml.m5.xlarge"], None).unwrap();
        r.instance_type = None;
        r.selected_instance_type = Some("ml.g6.2xlarge".into());
        assert_eq!(eval(&job(Some(r))).status, Status::NotApplicable);
    }

    #[test]
    fn unknown_families_need_a_key() {
        let v = eval(&job(rc(&["ml.zz9.large"], None)));
        assert_eq!(v.status, Status::Fail);
        let no_type = eval(&job(rc(&[""], None)));
        assert_eq!(no_type.status, Status::Fail);
    }

    #[test]
    fn kms_facts_decide_when_known() {
        let mut keys = KeyFacts::default();
        for (id, manager, state) in [
            ("aws-key", KeyManager::Aws, "Enabled"),
            ("off-key", KeyManager::Customer, "Disabled"),
            ("good-key", KeyManager::Customer, "Enabled"),
        ] {
            keys.add_key(KeyFact {
                key_id: id.into(),
                arn: None,
                manager,
                state: state.into(),
            });
        }
        let v = eval_with(&job(rc(&["ml.m5.xlarge"], Some("aws-key"))), &keys);
        assert_eq!((v.status, v.key_manager), (Status::Fail, KeyManager::Aws));
        let v = eval_with(&job(rc(&["ml.m5.xlarge"], Some("off-key"))), &keys);
        assert_eq!(v.status, Status::Fail);
        assert!(v.message.contains("Disabled"), "{}", v.message);
        let v = eval_with(&job(rc(&["ml.m5.xlarge"], Some("good-key"))), &keys);
        assert_eq!(
            (v.status, v.key_manager),
            (Status::Pass, KeyManager::Customer)
        );
    }
}
