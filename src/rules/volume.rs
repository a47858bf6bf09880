//! The volume judgement every kind's volume check shares.
//!
//! NOT_APPLICABLE only where AWS says no key can be set: every instance type that may run on
//! the volume has local NVMe storage. The API reference says so for each kind's field —
//! `ResourceConfig.VolumeKmsKeyId`, `ProcessingClusterConfig.VolumeKmsKeyId`,
//! `TransformResources.VolumeKmsKeyId` and `HyperParameterTuningResourceConfig.VolumeKmsKeyId`:
//! "You can't request a VolumeKmsKeyId when using an instance type with local storage"
//! (botocore 1.44.8, sagemaker 2017-07-24); for an endpoint configuration's `KmsKeyId`, that
//! on instances with local storage the key "does not encrypt instance local storage". A slot
//! with no volume at all (every variant serverless, a labeling job without automated labeling)
//! does not apply either. The family table and its sources are in
//! `data/local-nvme-families.toml`. Where no instance type is known (AutoML, a serverless
//! training job), the key is judged as written.

use super::key::judge_slot;
use super::{Check, Context, RuleMeta, Verdict};
use crate::kms::KeyManager;
use crate::model::non_empty;
use crate::resource::{KeySlot, Resource};
use crate::verdict::Status;

/// What a kind's volume holds and what AWS does without a key, for messages.
pub struct VolumeText {
    /// e.g. `processing volumes`.
    pub protects: &'static str,
    /// The end of a sentence saying what happens without a key.
    pub without_key: &'static str,
    /// True when instance types with local NVMe storage take no key (a job's or an endpoint's
    /// volume); false when the volume is attached whatever the type (a notebook's).
    pub nvme_exempt: bool,
    /// Why a resource of the kind may run on no instance at all, which makes its volume key
    /// protect nothing (`every variant is serverless`); empty for kinds that always run on
    /// instances.
    pub no_instance: &'static str,
}

/// A check of volume keys: its documentation and its words; the judgement is shared.
pub struct VolumeCheck {
    /// What the check is.
    pub meta: &'static RuleMeta,
    /// What the volume holds, for messages.
    pub text: VolumeText,
}

impl Check for VolumeCheck {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn evaluate(&self, resource: &Resource, slot: &KeySlot, ctx: &Context<'_>) -> Verdict {
        judge_volume(resource, slot, ctx, &self.text)
    }
}

/// Judges one volume slot.
pub(super) fn judge_volume(
    resource: &Resource,
    slot: &KeySlot,
    ctx: &Context<'_>,
    text: &VolumeText,
) -> Verdict {
    let none = Vec::new();
    let types = if text.nvme_exempt {
        &slot.instance_types
    } else {
        &none
    };
    let noun = resource.kind.singular();
    if slot.nothing_to_protect {
        return Verdict {
            status: Status::NotApplicable,
            kms_key: non_empty(&slot.value).map(str::to_owned),
            key_manager: KeyManager::None,
            key_state: None,
            message: match text.no_instance {
                "" => format!(
                    "The {noun} runs on no instance with a storage volume, so {} protects \
                     nothing.",
                    slot.field
                ),
                why => format!(
                    "The {noun} runs on no instance with a storage volume ({why}), so {} \
                     protects nothing.",
                    slot.field
                ),
            },
            line: slot.parent_line,
        };
    }
    if !types.is_empty() && types.iter().all(|t| ctx.storage.has_local_nvme(t)) {
        return Verdict {
            status: Status::NotApplicable,
            kms_key: non_empty(&slot.value).map(str::to_owned),
            key_manager: KeyManager::None,
            key_state: None,
            message: format!(
                "Every instance type of the {noun} ({}) has local NVMe instance storage, which is \
                 hardware-encrypted and takes no volume key.",
                types.join(", ")
            ),
            line: slot.parent_line,
        };
    }
    let mut verdict = judge_slot(slot, text.protects, text.without_key, resource, ctx);
    // A type the run may choose where the written ones are all NVMe-backed: say why the
    // exemption does not apply.
    let open = types
        .iter()
        .find_map(|t| crate::resource::open_instance_type_reason(t));
    let written_nvme = types.iter().all(|t| {
        crate::resource::open_instance_type_reason(t).is_some() || ctx.storage.has_local_nvme(t)
    });
    if let Some(why) = open.filter(|_| written_nvme) {
        verdict.message.push_str(&format!(
            " The instance type is not fixed ({why}), so a volume key is required unless every \
             type it can take has local NVMe storage."
        ));
    }
    verdict
}
