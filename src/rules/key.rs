//! The judgement both checks share: is this key reference a usable customer-managed key?

use crate::expr::{KeyShape, Part, Reading, key_shape};
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

impl<'a> KeyField<'a> {
    /// The field of `slot`, holding `value`.
    fn of(
        slot: &'a KeySlot,
        value: Option<&'a str>,
        protects: &'static str,
        without_key: &'static str,
    ) -> Self {
        KeyField {
            field: &slot.field,
            protects,
            without_key,
            value,
            key_line: slot.value_line,
            parent_line: slot.parent_line,
        }
    }
}

/// [`judge`] on the key a slot holds. In a pipeline definition the key may come from a
/// parameter's default (judged, and said to be replaceable per execution), from a parameter
/// without a default (no key unless every execution passes one), from an expression known only
/// in part ([`judge_partial`]: its written text decides what it can), or from a template that
/// allows several values ([`judge_readings`]: the weakest is the verdict).
pub(super) fn judge_slot(
    slot: &KeySlot,
    protects: &'static str,
    without_key: &'static str,
    resource: &Resource,
    ctx: &Context<'_>,
) -> Verdict {
    let line = slot.value_line.unwrap_or(slot.parent_line);
    if let Some(inherit) = slot.inherits.as_ref().filter(|i| i.key) {
        return Verdict {
            status: Status::Pass,
            kms_key: None,
            key_manager: KeyManager::Unverified,
            key_state: None,
            message: format!(
                "{} is not set, so the {} uses {} of {} {}, which is not in the scan: which key \
                 protects the {protects} cannot be checked. Scan that {} too.",
                slot.field,
                resource.kind.singular(),
                inherit.field,
                inherit.kind.singular(),
                crate::text::one_line(&inherit.name, 100),
                inherit.kind.singular()
            ),
            line,
        };
    }
    let mut verdict = judge_source(slot, protects, without_key, resource, ctx, line);
    verdict.message.push_str(&inherited_note(slot, resource));
    verdict
}

/// The sentence saying where an inherited setting came from (empty when it is the
/// resource's own).
pub(super) fn inherited_note(slot: &KeySlot, resource: &Resource) -> String {
    match &slot.inherited_from {
        Some(from) => format!(
            " The {} does not set this itself: {from} applies.",
            resource.kind.singular()
        ),
        None => String::new(),
    }
}

/// [`judge_slot`] by where the key came from.
fn judge_source(
    slot: &KeySlot,
    protects: &'static str,
    without_key: &'static str,
    resource: &Resource,
    ctx: &Context<'_>,
    line: u32,
) -> Verdict {
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
        KeySource::Expression { shown, parts } => {
            return judge_partial(slot, shown, parts, protects, line);
        }
        KeySource::Readings(readings) => {
            return judge_readings(slot, readings, protects, without_key, resource, ctx);
        }
        KeySource::Literal | KeySource::Parameters(_) => {}
    }
    let mut verdict = judge(
        KeyField::of(slot, slot.value.as_deref(), protects, without_key),
        resource,
        ctx,
    );
    if let KeySource::Parameters(parameters) = &slot.source {
        verdict.message.push_str(&format!(
            " The key is the default of pipeline parameter {}; an execution can pass another.",
            parameters.join(", ")
        ));
    }
    if resource.origin == crate::resource::Origin::SdkConfig {
        verdict.message.push_str(if slot.value.is_some() {
            " The SDK writes this key into every request of the kind whose code names none."
        } else {
            " The SDK then adds no key to requests whose code names none."
        });
    }
    verdict
}

/// A key known only in part: what its literal text already rules out FAILs; only what
/// truly depends on run-time (or deploy-time) input stays PASS with the key manager
/// UNVERIFIED, saying what it depends on.
fn judge_partial(
    slot: &KeySlot,
    shown: &str,
    parts: &[Part],
    protects: &str,
    line: u32,
) -> Verdict {
    // Hole names come from the input: one line, bounded.
    let holes = crate::text::one_line(&crate::expr::holes(parts).join(", "), 300);
    let (status, manager, message) = match key_shape(parts) {
        KeyShape::AwsManaged => (
            Status::Fail,
            KeyManager::Aws,
            format!(
                "{} is {shown}: whatever fills {holes}, the written text makes it an AWS-managed \
                 key (alias/aws/…), whose policy, rotation and revocation are not \
                 under your control.",
                slot.field
            ),
        ),
        KeyShape::NotAKey => (
            Status::Fail,
            KeyManager::None,
            format!(
                "{} is {shown}: whatever fills {holes}, the written text cannot form a KMS key \
                 id, key ARN, alias name or alias ARN, so no customer-managed key \
                 protects the {protects}.",
                slot.field
            ),
        ),
        KeyShape::Depends => {
            let depends = if holes == shown {
                String::new()
            } else {
                format!(" depends on {holes}, so it")
            };
            (
                Status::Pass,
                KeyManager::Unverified,
                format!(
                    "{} is {shown}: which key protects the {protects}{depends} is known only at \
                     run time or when the stack is deployed. Nothing written there rules out a \
                     customer-managed key, but it cannot be checked before then.",
                    slot.field
                ),
            )
        }
    };
    Verdict {
        status,
        kms_key: Some(shown.to_owned()),
        key_manager: manager,
        key_state: None,
        message,
        line,
    }
}

/// Several values a template allows: each is judged and the worst is the verdict, saying
/// under which condition it arises (a FAIL in any branch is a FAIL).
fn judge_readings(
    slot: &KeySlot,
    readings: &[Reading],
    protects: &'static str,
    without_key: &'static str,
    resource: &Resource,
    ctx: &Context<'_>,
) -> Verdict {
    let line = slot.value_line.unwrap_or(slot.parent_line);
    let rank = |v: &Verdict| match (v.status, v.key_manager) {
        (Status::Fail, _) => 0,
        (_, KeyManager::Unverified) => 1,
        _ => 2,
    };
    let mut worst: Option<(Verdict, &Reading)> = None;
    for reading in readings {
        let verdict = match reading.text() {
            Some(text) => judge(
                KeyField::of(slot, Some(&text), protects, without_key),
                resource,
                ctx,
            ),
            None => {
                let shown = crate::text::one_line(&crate::expr::written(&reading.parts), 200);
                judge_partial(slot, &shown, &reading.parts, protects, line)
            }
        };
        if worst.as_ref().is_none_or(|(w, _)| rank(&verdict) < rank(w)) {
            worst = Some((verdict, reading));
        }
    }
    let Some((mut verdict, reading)) = worst else {
        return judge_partial(slot, "", &[], protects, line);
    };
    let when = if reading.when.is_empty() {
        String::new()
    } else {
        format!("When {}: ", reading.when.join(" and "))
    };
    verdict.message = format!(
        "{when}{} ({} value{} the template allows {} checked; this is the weakest.)",
        verdict.message,
        readings.len(),
        if readings.len() == 1 { "" } else { "s" },
        if readings.len() == 1 { "was" } else { "were" },
    );
    verdict.line = line;
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
