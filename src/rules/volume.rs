//! The volume judgement every kind's volume check shares.
//!
//! NOT_APPLICABLE only where AWS says no key can be set: every instance type that may run on
//! the volume has local NVMe storage. The API reference says so for each kind's field —
//! `ResourceConfig.VolumeKmsKeyId`, `ProcessingClusterConfig.VolumeKmsKeyId`,
//! `TransformResources.VolumeKmsKeyId` and `HyperParameterTuningResourceConfig.VolumeKmsKeyId`:
//! "You can't request a VolumeKmsKeyId when using an instance type with local storage"
//! (botocore 1.44.8, sagemaker 2017-07-24). The family table and its sources are in
//! `data/local-nvme-families.toml`. Where no instance type is known (AutoML, a serverless
//! training job), the key is judged as written.

use super::key::{KeyField, judge};
use super::{Context, Verdict};
use crate::kms::KeyManager;
use crate::model::non_empty;
use crate::resource::{KeySlot, Resource};
use crate::verdict::Status;

/// What a kind's volume holds and what AWS does without a key, for messages.
pub(super) struct VolumeText {
    /// e.g. `processing volumes`.
    pub protects: &'static str,
    /// The end of a sentence saying what happens without a key.
    pub without_key: &'static str,
}

/// Judges one volume slot.
pub(super) fn judge_volume(
    resource: &Resource,
    slot: &KeySlot,
    ctx: &Context<'_>,
    text: &VolumeText,
) -> Verdict {
    let types = &slot.instance_types;
    if !types.is_empty() && types.iter().all(|t| ctx.storage.has_local_nvme(t)) {
        return Verdict {
            status: Status::NotApplicable,
            kms_key: non_empty(&slot.value).map(str::to_owned),
            key_manager: KeyManager::None,
            key_state: None,
            message: format!(
                "Every instance type of the job ({}) has local NVMe instance storage, which is \
                 hardware-encrypted and takes no volume key.",
                types.join(", ")
            ),
            line: slot.parent_line,
        };
    }
    judge(
        KeyField {
            field: &slot.field,
            protects: text.protects,
            without_key: text.without_key,
            value: slot.value.as_deref(),
            key_line: slot.value_line,
            parent_line: slot.parent_line,
        },
        resource,
        ctx,
    )
}
