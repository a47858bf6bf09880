//! Settings one resource leaves to another. A Studio user profile that sets no S3 key uses its
//! domain's default user settings ("For all other settings in UserSettings, the values
//! specified in CreateUserProfile take precedence over those specified in CreateDomain",
//! botocore 1.44.8, `CreateDomainRequest.DefaultUserSettings`), so the key that protects its
//! data is the domain's. Resolved once every resource of a scan is read and before any check
//! runs, so the checks judge the key that applies; a slot whose resource is not in the scan
//! keeps its mark, and its check says which key applies cannot be known.

use std::collections::HashMap;

use crate::resource::{KeySlot, Kind, Resource};

/// What a slot takes from the resource it inherits from.
struct Fill {
    resource: usize,
    slot: usize,
    from: KeySlot,
    note: String,
}

/// Fills each slot that leaves its key (or whether it applies) to another resource of the
/// scan from that resource's slot of the same role and part.
pub fn resolve(resources: &mut [Resource]) {
    // The kinds inherited from, each once (a list per slot made the index quadratic).
    let mut wanted: Vec<Kind> = resources
        .iter()
        .flat_map(|r| &r.slots)
        .filter_map(|s| s.inherits.as_ref().map(|i| i.kind))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.is_empty() {
        return;
    }
    // Names are compared as SageMaker compares them in ARNs: without case.
    let place = |kind: Kind, account: &str, region: &str, name: &str| {
        (
            kind,
            account.to_owned(),
            region.to_owned(),
            name.to_ascii_lowercase(),
        )
    };
    let index: HashMap<(Kind, String, String, String), usize> = resources
        .iter()
        .enumerate()
        .filter(|(_, r)| wanted.contains(&r.kind))
        .map(|(i, r)| (place(r.kind, &r.account_id, &r.region, &r.name), i))
        .collect();
    let mut fills = Vec::new();
    for (ri, r) in resources.iter().enumerate() {
        for (si, slot) in r.slots.iter().enumerate() {
            let Some(inherit) = &slot.inherits else {
                continue;
            };
            let key = place(inherit.kind, &r.account_id, &r.region, &inherit.name);
            let Some(&parent) = index.get(&key) else {
                continue;
            };
            let p = &resources[parent];
            let Some(from) = p
                .slots
                .iter()
                .find(|s| s.role == slot.role && s.part == slot.part && s.inherits.is_none())
            else {
                continue;
            };
            fills.push(Fill {
                resource: ri,
                slot: si,
                from: from.clone(),
                note: format!("{} of {} {}", from.field, p.kind.singular(), p.name),
            });
        }
    }
    for fill in fills {
        let slot = &mut resources[fill.resource].slots[fill.slot];
        let Some(inherit) = slot.inherits.take() else {
            continue;
        };
        if inherit.key {
            slot.value = fill.from.value;
            slot.source = fill.from.source;
            if slot.locations.is_empty() {
                slot.locations = fill.from.locations;
            }
        }
        if inherit.applicability {
            slot.nothing_to_protect = fill.from.nothing_to_protect;
        }
        slot.inherited_from = Some(fill.note);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::{Inherit, Role};

    fn slot(part: &str, value: Option<&str>) -> KeySlot {
        let mut s = KeySlot::new(Role::Output, format!("Settings.{part}"));
        s.part = Some(part.to_owned());
        s.value = value.map(str::to_owned);
        s
    }

    fn inheriting(part: &str, from: &str, key: bool, applicability: bool) -> KeySlot {
        let mut s = slot(part, None);
        s.inherits = Some(Box::new(Inherit {
            kind: Kind::Domain,
            name: from.to_owned(),
            field: format!("Default.{part}").into(),
            key,
            applicability,
        }));
        s
    }

    #[test]
    fn a_slot_takes_the_key_of_the_same_part_of_the_resource_it_names() {
        let mut shared = slot("sharing", Some("alias/team"));
        shared.nothing_to_protect = true;
        let domain = Resource::for_test(
            Kind::Domain,
            "d-ABC",
            "111122223333",
            "us-east-1",
            vec![shared, slot("canvas", None)],
        );
        let profile = |account: &str| {
            Resource::for_test(
                Kind::Notebook,
                "alice",
                account,
                "us-east-1",
                vec![
                    inheriting("sharing", "d-abc", true, true),
                    inheriting("canvas", "d-abc", true, false),
                ],
            )
        };
        let mut all = vec![domain, profile("111122223333"), profile("444455556666")];
        resolve(&mut all);
        let [sharing, canvas] = &all[1].slots[..] else {
            panic!()
        };
        assert_eq!(sharing.value.as_deref(), Some("alias/team"));
        assert!(sharing.nothing_to_protect && sharing.inherits.is_none());
        assert_eq!(
            sharing.inherited_from.as_deref(),
            Some("Settings.sharing of Studio domain d-ABC")
        );
        assert_eq!(
            (canvas.value.as_deref(), canvas.inherits.is_none()),
            (None, true)
        );
        // A domain of another account is another domain: the mark stays.
        assert!(all[2].slots.iter().all(|s| s.inherits.is_some()));
    }
}
