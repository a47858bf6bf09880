//! `training-output-cmk`: model artifacts written to S3 are encrypted with a
//! customer-managed KMS key.
//!
//! Never NOT_APPLICABLE: every job writes output to S3. Output in an S3 Express One Zone
//! directory bucket fails with its own message: the API reference for
//! `OutputDataConfig.KmsKeyId` says such output is encrypted with SSE-S3 and takes no KMS key
//! (botocore 1.44.8, sagemaker 2017-07-24 model).

use crate::kms::KeyManager;
use crate::model::{TrainingJob, express_one_zone_bucket};
use crate::report::{Severity, Status};

use super::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use super::key::{KeyField, judge};
use super::{Context, Rule, RuleId, RuleMeta, Verdict};

/// The check itself.
pub struct TrainingOutputCmk;

/// Documentation of `training-output-cmk`.
pub static META: RuleMeta = RuleMeta {
    id: RuleId::TrainingOutputCmk,
    name: "TrainingOutputCustomerManagedKey",
    title: "Training output artifacts are encrypted with a customer-managed KMS key",
    description: "Checks OutputDataConfig.KmsKeyId of each SageMaker training job. SageMaker \
        uses this key to encrypt the model artifacts (model.tar.gz and output data) it uploads \
        to S3 when the job ends. The check passes when the field names an enabled \
        customer-managed KMS key in any of the forms KMS accepts, including keys in other \
        accounts. It fails when the field or the whole OutputDataConfig is missing (the artifacts \
        then get the account's default S3 encryption), when the value is null or empty, names an \
        alias/aws/* key, or KMS reports the key as AWS-managed or not enabled. It also fails when \
        S3OutputPath is an S3 Express One Zone directory bucket, where SageMaker writes with \
        SSE-S3 and accepts no KMS key.",
    risk: "Model artifacts can memorise and leak the data they were trained on. Encrypted only \
        with an AWS-managed or S3-managed key, they can be read by anyone with S3 read access in \
        the account, without a key policy you control, a rotation schedule you choose, or the \
        ability to cut access off at once by disabling the key.",
    remediation: Remediation {
        console: "Training jobs are immutable. In the SageMaker console open Training > \
            Training jobs, select the job, choose Clone, and under Output data configuration \
            set Encryption key to your customer-managed KMS key. Create the new job, then \
            re-encrypt or delete the old artifacts in S3 (for example by copying them with \
            aws s3 cp --sse aws:kms --sse-kms-key-id KEY).",
        aws_cli: "aws sagemaker create-training-job --training-job-name NEW_NAME \
            --output-data-config '{\"S3OutputPath\":\"s3://BUCKET/PREFIX/\",\
            \"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' ... (the other arguments \
            as in the original job, from aws sagemaker describe-training-job)",
        boto3: "boto3.client('sagemaker').create_training_job(TrainingJobName='new-name', \
            OutputDataConfig={'S3OutputPath': 's3://bucket/prefix/', 'KmsKeyId': key_arn}, ...) \
            with the remaining arguments copied from describe_training_job of the old job.",
        python_sdk: "sagemaker.estimator.Estimator(..., output_path='s3://bucket/prefix/', \
            output_kms_key=key_arn, volume_kms_key=key_arn).fit(inputs); the same estimator \
            works inside a SageMaker Pipelines TrainingStep.",
    },
    references: &[
        Reference {
            title: "SageMaker API: OutputDataConfig.KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_OutputDataConfig.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

impl Rule for TrainingOutputCmk {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn evaluate(&self, job: &TrainingJob, ctx: &Context<'_>) -> Verdict {
        let origin = &job.origin;
        let value = job.output.as_ref().and_then(|o| o.kms_key_id.as_deref());
        let parent_line = origin.output_config_line.unwrap_or(origin.document_line);
        let express = job
            .output
            .as_ref()
            .and_then(|o| o.s3_output_path.as_deref())
            .and_then(express_one_zone_bucket);
        if let Some(bucket) = express {
            return Verdict {
                status: Status::Fail,
                kms_key: value.map(str::to_owned),
                key_manager: KeyManager::None,
                key_state: None,
                message: format!(
                    "OutputDataConfig.S3OutputPath is the S3 Express One Zone directory bucket \
                     {bucket}, where SageMaker writes the model artifacts with SSE-S3 and accepts \
                     no KMS key, so no customer-managed key can protect them; write them to a \
                     general purpose bucket with OutputDataConfig.KmsKeyId set."
                ),
                line: parent_line,
            };
        }
        judge(
            KeyField {
                field: "OutputDataConfig.KmsKeyId",
                protects: "model artifacts in S3",
                without_key: "the model artifacts get the account's default S3 encryption",
                value,
                key_line: origin.output_key_line,
                parent_line,
            },
            job,
            ctx,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kms::KeyFacts;
    use crate::model::{Origin, OutputDataConfig};
    use crate::rules::InstanceStorageTable;

    fn job(output: Option<OutputDataConfig>) -> TrainingJob {
        TrainingJob {
            name: "j".into(),
            arn: "arn:aws:sagemaker:us-east-1:111122223333:training-job/j".into(),
            account_id: "111122223333".into(),
            region: "us-east-1".into(),
            partition: "aws".into(),
            status: None,
            creation_time: None,
            last_modified_time: None,
            resource: None,
            output,
            serverless: false,
            origin: Origin {
                file: "j.json".into(),
                document_line: 1,
                output_config_line: Some(20),
                output_key_line: Some(21),
                ..Origin::default()
            },
        }
    }

    fn eval(job: &TrainingJob) -> Verdict {
        let storage = InstanceStorageTable::built_in();
        let keys = KeyFacts::default();
        TrainingOutputCmk.evaluate(
            job,
            &Context {
                keys: &keys,
                storage: &storage,
            },
        )
    }

    fn with_key(key: Option<&str>) -> TrainingJob {
        job(Some(OutputDataConfig {
            kms_key_id: key.map(str::to_owned),
            s3_output_path: Some("s3://bucket/out/".into()),
        }))
    }

    #[test]
    fn output_key_verdicts() {
        assert_eq!(eval(&with_key(Some("alias/ml"))).status, Status::Pass);
        assert_eq!(
            eval(&with_key(Some("alias/ml"))).key_manager,
            KeyManager::Unverified
        );
        assert_eq!(eval(&with_key(None)).status, Status::Fail);
        assert_eq!(eval(&with_key(Some(" "))).status, Status::Fail);
        let aws = eval(&with_key(Some("alias/aws/s3")));
        assert_eq!(
            (aws.status, aws.key_manager),
            (Status::Fail, KeyManager::Aws)
        );
    }

    #[test]
    fn no_output_config_fails_at_the_document() {
        let mut j = job(None);
        j.origin.output_config_line = None;
        j.origin.output_key_line = None;
        let v = eval(&j);
        assert_eq!(v.status, Status::Fail);
        assert_eq!(v.line, 1);
    }

    #[test]
    fn missing_output_keys_say_what_aws_does_instead() {
        let v = eval(&with_key(None));
        assert!(
            v.message.contains("the account's default S3 encryption"),
            "{}",
            v.message
        );
    }

    #[test]
    fn s3_express_one_zone_output_fails_with_its_own_message() {
        for key in [None, Some("alias/ml")] {
            let mut j = with_key(key);
            if let Some(o) = j.output.as_mut() {
                o.s3_output_path = Some("s3://models--usw2-az1--x-s3/out/".into());
            }
            let v = eval(&j);
            assert_eq!(v.status, Status::Fail, "{key:?}");
            assert!(v.message.contains("S3 Express One Zone"), "{}", v.message);
            assert!(
                v.message.contains("general purpose bucket"),
                "{}",
                v.message
            );
            assert_eq!(v.line, 20);
        }
    }

    #[test]
    fn there_is_no_not_applicable_for_outputs() {
        for key in [None, Some(""), Some("k"), Some("alias/aws/s3")] {
            assert_ne!(eval(&with_key(key)).status, Status::NotApplicable);
        }
    }
}
