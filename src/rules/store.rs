//! The store judgement: a key SageMaker uses for data it keeps for a resource outside any
//! instance volume and any S3 output the resource names (a Studio domain's home file system, a
//! feature group's online store). No instance type exempts it; a store the resource does not
//! enable (an online store turned off) has nothing for the key to protect.

use super::key::judge_slot;
use super::{Check, Context, RuleMeta, Verdict};
use crate::kms::KeyManager;
use crate::model::non_empty;
use crate::resource::{KeySlot, Resource};
use crate::verdict::Status;

/// What a kind's store holds, what AWS does without a key, and what it means for the store
/// to be absent, for messages.
pub struct StoreText {
    /// e.g. `records of the online store`.
    pub protects: &'static str,
    /// The end of a sentence saying what happens without a key.
    pub without_key: &'static str,
    /// The end of a sentence saying why the store is absent when the resource has none,
    /// e.g. `has no online store (EnableOnlineStore is not true)`.
    pub absent: &'static str,
}

/// A check of store keys: its documentation and its words; the judgement is shared.
pub struct StoreCheck {
    /// What the check is.
    pub meta: &'static RuleMeta,
    /// What the store holds, for messages.
    pub text: StoreText,
}

impl Check for StoreCheck {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn evaluate(&self, resource: &Resource, slot: &KeySlot, ctx: &Context<'_>) -> Verdict {
        if slot.nothing_to_protect {
            return Verdict {
                status: Status::NotApplicable,
                kms_key: non_empty(&slot.value).map(str::to_owned),
                key_manager: KeyManager::None,
                key_state: None,
                message: format!(
                    "The {} {}, so {} protects nothing.{}",
                    resource.kind.singular(),
                    self.text.absent,
                    slot.field,
                    super::key::inherited_note(slot, resource)
                ),
                line: slot.line(),
            };
        }
        judge_slot(
            slot,
            self.text.protects,
            self.text.without_key,
            resource,
            ctx,
        )
    }
}
