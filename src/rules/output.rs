//! The output judgement every kind's output check shares.
//!
//! Output in an S3 Express One Zone directory bucket fails with its own message: the API
//! reference for `OutputDataConfig.KmsKeyId` says such output is written with SSE-S3 and takes
//! no KMS key (botocore 1.44.8, sagemaker 2017-07-24). A processing job with no S3 output has
//! nothing for its output key to protect ("The KmsKeyId is applied to all outputs",
//! `ProcessingOutputConfig.KmsKeyId`), so the check does not apply to it.

use super::key::judge_slot;
use super::{Check, Context, RuleMeta, Verdict};
use crate::kms::KeyManager;
use crate::model::non_empty;
use crate::resource::{KeySlot, Resource};
use crate::verdict::Status;

/// What a kind's output is and what AWS does without a key, for messages.
pub struct OutputText {
    /// e.g. `model artifacts in S3`.
    pub protects: &'static str,
    /// The end of a sentence saying what happens without a key.
    pub without_key: &'static str,
}

/// A check of output keys: its documentation and its words; the judgement is shared.
pub struct OutputCheck {
    /// What the check is.
    pub meta: &'static RuleMeta,
    /// What the output is, for messages.
    pub text: OutputText,
}

impl Check for OutputCheck {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn evaluate(&self, resource: &Resource, slot: &KeySlot, ctx: &Context<'_>) -> Verdict {
        judge_output(resource, slot, ctx, &self.text)
    }
}

/// Judges one output slot.
pub(super) fn judge_output(
    resource: &Resource,
    slot: &KeySlot,
    ctx: &Context<'_>,
    text: &OutputText,
) -> Verdict {
    let verdict = |status, message| Verdict {
        status,
        kms_key: non_empty(&slot.value).map(str::to_owned),
        key_manager: KeyManager::None,
        key_state: None,
        message,
        line: slot.line(),
    };
    let (protects, without_key) = slot.protects.unwrap_or((text.protects, text.without_key));
    if slot.nothing_to_protect {
        return verdict(
            Status::NotApplicable,
            format!(
                "The {} writes nothing to S3 under this key, so {} protects nothing.{}",
                resource.kind.singular(),
                slot.field,
                super::key::inherited_note(slot, resource)
            ),
        );
    }
    if let Some(bucket) = slot
        .locations
        .iter()
        .find_map(|l| express_one_zone_bucket(l))
    {
        return Verdict {
            line: slot.parent_line,
            ..verdict(
                Status::Fail,
                format!(
                    "The output goes to the S3 Express One Zone directory bucket {bucket}, where \
                     SageMaker writes with SSE-S3 and accepts no KMS key, so no customer-managed \
                     key can protect the {}; write them to a general purpose bucket with {} set.",
                    protects, slot.field
                ),
            )
        };
    }
    judge_slot(slot, protects, without_key, resource, ctx)
}

/// The S3 Express One Zone directory bucket an output location names, if it names one.
/// Directory buckets end in `--x-s3`; the location is `s3://bucket/…` or an HTTPS URL with
/// the bucket in the host or the first path segment.
pub fn express_one_zone_bucket(location: &str) -> Option<&str> {
    let location = location.trim();
    let candidates: Vec<&str> = if let Some(rest) = location.strip_prefix("s3://") {
        vec![rest.split('/').next().unwrap_or_default()]
    } else if let Some(rest) = location.strip_prefix("https://") {
        let mut parts = rest.splitn(3, '/');
        let host = parts.next().unwrap_or_default();
        vec![
            host.split('.').next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        ]
    } else {
        Vec::new()
    };
    candidates
        .into_iter()
        .find(|b| b.len() > "--x-s3".len() && b.ends_with("--x-s3"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn express_one_zone_buckets_are_recognised() {
        for (location, bucket) in [
            (
                "s3://models--usw2-az1--x-s3/out/",
                Some("models--usw2-az1--x-s3"),
            ),
            ("s3://models/out/", None),
            ("s3://x-s3/out", None),
            (
                "https://models--use1-az4--x-s3.s3express-use1-az4.us-east-1.amazonaws.com/out",
                Some("models--use1-az4--x-s3"),
            ),
            (
                "https://s3.us-east-1.amazonaws.com/models--use1-az4--x-s3/out",
                Some("models--use1-az4--x-s3"),
            ),
            ("", None),
        ] {
            assert_eq!(express_one_zone_bucket(location), bucket, "{location}");
        }
    }
}
