//! One KMS `DescribeKey` per distinct key reference, in the key's own region when the
//! reference is an ARN, else the job's (of any kind). Never for `alias/aws/*`: asking about one can make
//! AWS create the managed key, and the prefix already says who manages it.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_kms::config::Region;
use futures_util::StreamExt;
use serde_json::json;

use super::capture::CaptureBody;
use super::fetch::{Progress, pretty};
use super::{LiveOptions, describe_error};
use crate::ingest::document::{Document, parse};
use crate::kms::{KeyFacts, KeyRef};
use crate::manifest::{Manifest, UnverifiedKey};
use crate::model::{ArnParts, non_empty};

/// What the key lookups of one account found: describe-key documents by path, alias entries by
/// region (one table per region is written for all accounts: [`alias_documents`]), and in
/// `manifest` the counts and the keys KMS would not describe.
#[derive(Default)]
pub(super) struct KeyResults {
    pub documents: BTreeMap<String, Vec<u8>>,
    pub aliases: BTreeMap<String, BTreeSet<(String, String, String)>>,
    pub manifest: Manifest,
}

impl KeyResults {
    /// Adds another account's results.
    pub(super) fn absorb(&mut self, other: KeyResults) {
        self.documents.extend(other.documents);
        for (region, entries) in other.aliases {
            self.aliases.entry(region).or_default().extend(entries);
        }
        self.manifest
            .unverified_keys
            .extend(other.manifest.unverified_keys);
        self.manifest.counts.calls += other.manifest.counts.calls;
        self.manifest.counts.keys_described += other.manifest.counts.keys_described;
    }

    /// Every document, alias tables included, by path.
    pub(super) fn into_documents(self) -> Vec<(String, Vec<u8>)> {
        let mut documents = self.documents;
        for (region, entries) in self.aliases {
            let list: Vec<_> = entries
                .into_iter()
                .map(|(name, arn, target)| json!({"AliasName": name, "AliasArn": arn, "TargetKeyId": target}))
                .collect();
            let body = serde_json::to_vec(&json!({ "Aliases": list })).unwrap_or_default();
            documents.insert(crate::layout::aliases_path(&region), pretty(&body));
        }
        documents.into_iter().collect()
    }
}

/// Describes every key the jobs of one account reference, with that account's credentials.
pub(super) async fn describe_keys(
    sdk: &aws_config::SdkConfig,
    jobs: &[(String, Vec<u8>)],
    options: &LiveOptions,
    progress: &Progress,
) -> KeyResults {
    let mut results = KeyResults::default();
    let manifest = &mut results.manifest;
    let (references, unusable) = references(jobs);
    manifest.unverified_keys.extend(unusable);
    progress.keys(references.len() as u64);
    let mut clients: BTreeMap<String, aws_sdk_kms::Client> = BTreeMap::new();
    for (region, _) in &references {
        clients.entry(region.clone()).or_insert_with(|| {
            let config = aws_sdk_kms::config::Builder::from(sdk)
                .region(Region::new(region.clone()))
                .interceptor(super::capture::BodyLimit)
                .build();
            aws_sdk_kms::Client::from_conf(config)
        });
    }
    let mut calls =
        futures_util::stream::iter(references.into_iter().filter_map(|(region, reference)| {
            let client = clients.get(&region)?.clone();
            Some(async move {
                let capture = CaptureBody::default();
                let result = client
                    .describe_key()
                    .key_id(&reference)
                    .customize()
                    .interceptor(capture.clone())
                    .send()
                    .await;
                (region, reference, result.map(|out| (out, capture.body())))
            })
        }))
        .buffer_unordered(options.concurrency.max(1));
    let documents = &mut results.documents;
    let aliases = &mut results.aliases;
    while let Some((region, reference, result)) = calls.next().await {
        progress.tick();
        manifest.counts.calls += 1;
        match result {
            Ok((out, body)) => {
                let Some(meta) = out.key_metadata() else {
                    continue;
                };
                manifest.counts.keys_described += 1;
                let key_id = meta.key_id().to_owned();
                if let Some(body) = body {
                    documents.insert(crate::layout::key_path(&region, &key_id), pretty(&body));
                }
                if reference.contains("alias/") {
                    let (partition, account) = meta
                        .arn()
                        .and_then(ArnParts::parse)
                        .map(|p| (p.partition, p.account_id))
                        .unwrap_or_else(|| {
                            (
                                "aws".into(),
                                meta.aws_account_id().unwrap_or_default().to_owned(),
                            )
                        });
                    let (name, alias_region, alias_account) = match KeyRef::parse(&reference) {
                        KeyRef::AliasArn { at, name } => {
                            (name.to_owned(), at.region, at.account_id)
                        }
                        _ => (reference.clone(), region.clone(), account),
                    };
                    let alias_arn =
                        format!("arn:{partition}:kms:{alias_region}:{alias_account}:{name}");
                    aliases
                        .entry(alias_region)
                        .or_default()
                        .insert((name, alias_arn, key_id));
                }
            }
            Err(err) => {
                let (_, text) = describe_error(&err);
                manifest.unverified_keys.push(UnverifiedKey {
                    region,
                    reference,
                    reason: format!("DescribeKey: {text}"),
                });
            }
        }
    }
    results
}

/// Distinct `(region, reference)` pairs worth asking KMS about, and the references that name
/// a region that is no region (KMS is not asked about those: the region would become part of
/// an endpoint's host name).
fn references(jobs: &[(String, Vec<u8>)]) -> (BTreeSet<(String, String)>, Vec<UnverifiedKey>) {
    let mut out = BTreeSet::new();
    let mut unusable = BTreeSet::new();
    for (_, body) in jobs {
        let Ok(text) = std::str::from_utf8(body) else {
            continue;
        };
        let resources = match parse(text, 1, "") {
            Ok(Document::Resource(r)) => vec![*r],
            Ok(Document::Pipeline(steps)) => steps.resources,
            _ => continue,
        };
        for (resource, value) in resources.iter().flat_map(|r| {
            r.slots
                .iter()
                .filter_map(move |s| Some((r, non_empty(&s.value)?)))
        }) {
            let key = KeyRef::parse(value);
            if key == KeyRef::Unrecognised || key.is_aws_managed_alias() {
                continue;
            }
            let region = KeyFacts::lookup_region(&key, &resource.region).to_owned();
            if crate::model::is_region(&region) {
                out.insert((region, value.trim().to_owned()));
            } else {
                unusable.insert(UnverifiedKey {
                    reason: format!(
                        "the key's ARN names the region {:?}, which is not a region; KMS was not asked",
                        crate::text::one_line(&region, 60)
                    ),
                    region,
                    reference: value.trim().to_owned(),
                });
            }
        }
    }
    (out, unusable.into_iter().collect())
}
