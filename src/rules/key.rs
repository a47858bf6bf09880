//! The judgement both checks share: is this key reference a usable customer-managed key?

use crate::kms::{KeyManager, KeyRef};
use crate::resource::{KeySlot, KeySource, Resource};
use crate::verdict::Status;

use super::{Context, Verdict};

/// Which key field is being judged, for messages and line numbers.
pub(super) struct KeyField<'a> {
    /// The API field path, e.g. `OutputDataConfig.KmsKeyId`.
    pub field: &'a str,
    /// What the key protects, e.g. `model artifacts in S3`.
    pub protects: &'static str,
    /// What AWS does when the key is not set, as the end of a sentence, e.g. `the model
    /// artifacts get the account's default S3 encryption`.
    pub without_key: &'static str,
    /// The value as written (`None` for missing or null).
    pub value: Option<&'a str>,
    /// Line of the key itself, when present.
    pub key_line: Option<u32>,
    /// Line of the enclosing object (or the document) otherwise.
    pub parent_line: u32,
}

/// [`judge`] on the key a slot holds. In a pipeline definition the key may come from a
/// parameter's default (judged, and said to be replaceable per execution), from a parameter
/// without a default (no key unless every execution passes one), or from an expression known
/// only at run time (never a silent PASS: UNVERIFIED, with the expression shown).
pub(super) fn judge_slot(
    slot: &KeySlot,
    protects: &'static str,
    without_key: &'static str,
    resource: &Resource,
    ctx: &Context<'_>,
) -> Verdict {
    let line = slot.value_line.unwrap_or(slot.parent_line);
    match &slot.source {
        KeySource::NoDefault(parameters) => {
            return Verdict {
                status: Status::Fail,
                kms_key: None,
                key_manager: KeyManager::None,
                key_state: None,
                message: format!(
                    "{} comes from pipeline parameter {}, which has no default, so the {protects} \
                     have no customer-managed key unless every execution passes one.",
                    slot.field,
                    parameters.join(", ")
                ),
                line,
            };
        }
        KeySource::Expression(expression) => {
            return Verdict {
                status: Status::Pass,
                kms_key: Some(expression.clone()),
                key_manager: KeyManager::Unverified,
                key_state: None,
                message: format!(
                    "{} is {expression}, known only when the pipeline runs: no AWS-managed \
                     alias is written there, but which key protects the {protects} cannot be \
                     checked before the run.",
                    slot.field
                ),
                line,
            };
        }
        KeySource::Literal | KeySource::Parameters(_) => {}
    }
    let mut verdict = judge(
        KeyField {
            field: &slot.field,
            protects,
            without_key,
            value: slot.value.as_deref(),
            key_line: slot.value_line,
            parent_line: slot.parent_line,
        },
        resource,
        ctx,
    );
    if let KeySource::Parameters(parameters) = &slot.source {
        verdict.message.push_str(&format!(
            " The key is the default of pipeline parameter {}; an execution can pass another.",
            parameters.join(", ")
        ));
    }
    verdict
}

/// PASS, FAIL with the reason, or PASS `UNVERIFIED` when KMS facts are absent.
pub(super) fn judge(field: KeyField<'_>, resource: &Resource, ctx: &Context<'_>) -> Verdict {
    let line = field.key_line.unwrap_or(field.parent_line);
    let verdict =
        |status, kms_key: Option<&str>, manager, state: Option<String>, message| Verdict {
            status,
            kms_key: kms_key.map(str::to_owned),
            key_manager: manager,
            key_state: state,
            message,
            line,
        };
    let Some(raw) = field.value else {
        return verdict(
            Status::Fail,
            None,
            KeyManager::None,
            None,
            format!(
                "{} is not set, so {}, not a customer-managed key.",
                field.field, field.without_key
            ),
        );
    };
    if raw.trim().is_empty() {
        return verdict(
            Status::Fail,
            Some(raw),
            KeyManager::None,
            None,
            format!(
                "{} is empty, so {}, not a customer-managed key.",
                field.field, field.without_key
            ),
        );
    }
    let key = KeyRef::parse(raw);
    if key == KeyRef::Unrecognised {
        return verdict(
            Status::Fail,
            Some(raw),
            KeyManager::None,
            None,
            format!(
                "{} is not a KMS key id, key ARN, alias name or alias ARN, so no customer-managed key protects the {}.",
                field.field, field.protects
            ),
        );
    }
    let assessment = ctx
        .keys
        .assess(raw, &key, &resource.account_id, &resource.region);
    let state = assessment.state.clone();
    match assessment.manager {
        KeyManager::Aws if key.is_aws_managed_alias() => verdict(
            Status::Fail,
            Some(raw),
            KeyManager::Aws,
            state,
            format!(
                "{} names the AWS-managed key {raw}; its policy, rotation and revocation are not under your control.",
                field.field
            ),
        ),
        KeyManager::Aws => verdict(
            Status::Fail,
            Some(raw),
            KeyManager::Aws,
            state,
            format!(
                "KMS reports the key in {} ({raw}) as AWS-managed, not customer-managed.",
                field.field
            ),
        ),
        KeyManager::Customer => match state.as_deref() {
            Some("Enabled") | None => verdict(
                Status::Pass,
                Some(raw),
                KeyManager::Customer,
                state,
                format!(
                    "The {} are encrypted with the customer-managed key {raw} (enabled).",
                    field.protects
                ),
            ),
            Some(other) => verdict(
                Status::Fail,
                Some(raw),
                KeyManager::Customer,
                Some(other.to_owned()),
                format!(
                    "The customer-managed key {raw} in {} is in state {other}, not Enabled, so it cannot protect new data.",
                    field.field
                ),
            ),
        },
        KeyManager::Unverified | KeyManager::None => verdict(
            Status::Pass,
            Some(raw),
            KeyManager::Unverified,
            None,
            match &assessment.note {
                None => format!(
                    "The {} use the key {raw} ({}), not an AWS-managed alias; who manages it was not verified with KMS.",
                    field.protects,
                    key.form()
                ),
                Some(reason) => format!(
                    "The {} use the key {raw} ({}), not an AWS-managed alias; KMS would not confirm who manages it ({reason}).",
                    field.protects,
                    key.form()
                ),
            },
        ),
    }
}
