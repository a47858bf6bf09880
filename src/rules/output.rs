//! `training-output-cmk`: model artifacts written to S3 are encrypted with a
//! customer-managed KMS key.

use crate::model::TrainingJob;
use crate::report::Severity;

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
        accounts. It fails when the field or the whole OutputDataConfig is missing, when the \
        value is null or empty, names an alias/aws/* key, or KMS reports the key as AWS-managed \
        or not enabled.",
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
        judge(
            KeyField {
                field: "OutputDataConfig.KmsKeyId",
                protects: "model artifacts in S3",
                value,
                key_line: origin.output_key_line,
                parent_line: origin.output_config_line.unwrap_or(origin.document_line),
            },
            job,
            ctx,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kms::{KeyFacts, KeyManager};
    use crate::model::{Origin, OutputDataConfig};
    use crate::report::Status;
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
    fn there_is_no_not_applicable_for_outputs() {
        for key in [None, Some(""), Some("k"), Some("alias/aws/s3")] {
            assert_ne!(eval(&with_key(key)).status, Status::NotApplicable);
        }
    }
}
