//! Live mode: list and describe jobs of every kind through the AWS API (read-only calls only),
//! look the keys up in KMS, and hand the raw response bodies to the same parser and rules
//! as offline mode. `collect` writes those same bodies to disk.

pub mod accounts;
pub mod cache;
mod capture;
pub mod collect;
mod fetch;
mod keys;
pub mod regions;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use futures_util::StreamExt;

use crate::calls::describe_error;
use crate::manifest::{Manifest, Scope};

/// What to fetch and how hard to try, already validated.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Named profile from the AWS config files.
    pub profile: Option<String>,
    /// Regions to visit; empty means the default region of the credential chain.
    pub regions: Vec<String>,
    /// Only jobs created after this time (epoch seconds).
    pub created_after: Option<i64>,
    /// Same, as given, for the manifest.
    pub created_after_text: Option<String>,
    /// Only jobs in this status (a status every chosen kind has).
    pub status: Option<String>,
    /// The kinds (and pipelines) to list, in report order.
    pub kinds: Vec<crate::resource::Group>,
    /// True when `--kinds` chose none, so every kind was asked for: the scan then says which
    /// kinds it cannot list (their declaration's `unlisted`) once it starts listing.
    pub every_kind: bool,
    /// The accounts to scan (the caller's alone by default).
    pub accounts: accounts::AccountScope,
    /// Calls in flight at once in one account and region.
    pub concurrency: usize,
    /// Calls in flight at once in the whole scan.
    pub max_concurrency: usize,
    /// Keep describe responses that can no longer change here, and read them instead of
    /// describing those resources again (`--cache`; `collect` uses its own export).
    pub cache: Option<std::path::PathBuf>,
    /// Split a listing of more than one page into creation-time ranges listed side by side
    /// (`--sequential-listing` turns it off).
    pub split_listings: bool,
    /// Attempts per call, adaptive retry mode.
    pub max_attempts: u32,
    /// Connection, per-attempt and per-call limits.
    pub timeouts: Timeouts,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Run timestamp.
    pub generated_at: String,
}

/// How long a call may take; a hung endpoint ends as an ERROR per call, never a hung scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing a connection.
    pub connect: Duration,
    /// One attempt, from sending the request to the last byte of the response.
    pub attempt: Duration,
    /// One call, retries and back-off included.
    pub operation: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            attempt: Duration::from_secs(30),
            operation: Duration::from_secs(120),
        }
    }
}

/// Everything fetched: documents keyed by the path `collect` writes them to.
#[derive(Debug, Default)]
pub struct Fetched {
    /// `<account>/<region>/<kind>/<job>.json` → the describe response body (pretty JSON).
    pub jobs: Vec<(String, Vec<u8>)>,
    /// `kms/<region>/…` → describe-key bodies and alias tables.
    pub keys: Vec<(String, Vec<u8>)>,
    /// Scope, counts and every failed call.
    pub manifest: Manifest,
}

/// Live mode could not start.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// No region from flags or the credential chain.
    #[error(
        "no AWS region: pass --region, --regions or --all-regions, or set AWS_REGION / a profile region"
    )]
    NoRegion,
    /// The accounts to scan could not be established.
    #[error("{0}")]
    Accounts(String),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

/// Lists, describes and looks up keys, with bounded concurrency and adaptive retries.
pub fn fetch(options: &LiveOptions) -> Result<Fetched, LiveError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| LiveError::Runtime(e.to_string()))?;
    runtime.block_on(fetch_async(options))
}

async fn fetch_async(options: &LiveOptions) -> Result<Fetched, LiveError> {
    let t = options.timeouts;
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(
            RetryConfig::adaptive()
                .with_max_attempts(options.max_attempts)
                .with_initial_backoff(Duration::from_millis(200)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(t.connect)
                .read_timeout(t.attempt)
                .operation_attempt_timeout(t.attempt)
                .operation_timeout(t.operation)
                .build(),
        );
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    let sdk = loader.load().await;
    let regions = if options.regions.is_empty() {
        vec![
            sdk.region()
                .map(|r| r.to_string())
                .ok_or(LiveError::NoRegion)?,
        ]
    } else {
        options.regions.clone()
    };
    let scope = &options.accounts;
    let mut manifest = Manifest {
        schema_version: crate::manifest::MANIFEST_VERSION.to_owned(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        generated_at: options.generated_at.clone(),
        scope: Scope {
            profile: options.profile.clone(),
            regions: regions.clone(),
            created_after: options.created_after_text.clone(),
            status: options.status.clone(),
            kinds: options.kinds.iter().map(|k| k.name().to_owned()).collect(),
            accounts: scope.accounts.clone(),
            organization: scope.organization,
            exclude_accounts: scope.exclude.clone(),
            role_name: scope.role_name.clone(),
        },
        ..Manifest::default()
    };
    let targets = accounts::targets(&sdk, scope, &mut manifest, &options.generated_at).await?;
    if options.every_kind {
        for d in crate::kinds::KINDS {
            if let Some(advice) = d.not_listed() {
                crate::info!("not listing {}: {advice}", d.names.plural);
            }
        }
    }
    let progress = fetch::Progress::new(options.progress, targets.len());

    // One task per account, region and kind, all under one global bound and a bound per
    // account and region; an account is done when its last task is.
    let global = Arc::new(tokio::sync::Semaphore::new(options.max_concurrency.max(1)));
    let per_target = regions.len() * options.kinds.len();
    let remaining: Vec<AtomicUsize> = targets
        .iter()
        .map(|_| AtomicUsize::new(per_target))
        .collect();
    let mut work = Vec::with_capacity(targets.len() * per_target);
    for t in 0..targets.len() {
        for region in &regions {
            let gate = fetch::Gate::new(global.clone(), options.concurrency);
            for &kind in &options.kinds {
                work.push((t, region.as_str(), kind, gate.clone()));
            }
        }
    }
    let (targets_ref, progress_ref, remaining_ref) = (&targets, &progress, &remaining);
    let in_flight = options.max_concurrency.max(1).saturating_mul(2).max(16);
    let results: Vec<(usize, fetch::TaskResult)> =
        futures_util::stream::iter(work.into_iter().map(|(t, region, kind, gate)| async move {
            let result =
                fetch::task(&targets_ref[t], region, kind, options, gate, progress_ref).await;
            if remaining_ref[t].fetch_sub(1, Ordering::AcqRel) == 1 {
                progress_ref.account_done();
            }
            (t, result)
        }))
        .buffer_unordered(in_flight)
        .collect()
        .await;

    let mut jobs_by_target: Vec<Vec<(String, Vec<u8>)>> =
        targets.iter().map(|_| Vec::new()).collect();
    let mut not_enabled = std::collections::BTreeMap::new();
    for (t, result) in results {
        jobs_by_target[t].extend(result.jobs);
        let m = result.manifest;
        manifest.counts.jobs_listed += m.counts.jobs_listed;
        manifest.counts.jobs_described += m.counts.jobs_described;
        manifest.counts.jobs_cached += m.counts.jobs_cached;
        manifest.counts.calls += m.counts.calls;
        manifest.failed_calls.extend(m.failed_calls);
        manifest.jobs_gone.extend(m.jobs_gone);
        if let Some((label, text)) = result.not_enabled {
            not_enabled.entry(label).or_insert(text);
        }
    }
    for (label, text) in &not_enabled {
        match label.split_once('/') {
            Some((account, region)) => crate::warn!(
                "region {region} is not enabled for account {account} ({text}); skipped"
            ),
            None => {
                crate::warn!("region {label} is not enabled for this account ({text}); skipped")
            }
        }
    }
    manifest.regions_not_enabled = not_enabled.into_keys().collect();

    // Keys are looked up with the credentials of the account whose jobs name them.
    let lookups = targets
        .iter()
        .zip(&jobs_by_target)
        .map(|(target, jobs)| keys::describe_keys(&target.sdk, jobs, options, &progress));
    let mut key_results = keys::KeyResults::default();
    for r in futures_util::future::join_all(lookups).await {
        key_results.absorb(r);
    }
    manifest.counts.calls += key_results.manifest.counts.calls;
    manifest.counts.keys_described += key_results.manifest.counts.keys_described;
    manifest
        .unverified_keys
        .extend(std::mem::take(&mut key_results.manifest.unverified_keys));
    let keys = key_results.into_documents();
    progress.finish();

    let mut jobs: Vec<(String, Vec<u8>)> = jobs_by_target.into_iter().flatten().collect();
    jobs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut accounts: Vec<String> = jobs
        .iter()
        .filter_map(|(path, _)| path.split('/').next().map(str::to_owned))
        .chain(targets.iter().filter_map(|t| t.account.clone()))
        .collect();
    accounts.sort();
    accounts.dedup();
    manifest.accounts = accounts;
    manifest
        .failed_calls
        .sort_by(|a, b| a.source.cmp(&b.source));
    manifest.jobs_gone.sort();
    manifest.unverified_keys.sort();
    manifest.unverified_keys.dedup();
    manifest.accounts_failed.sort();
    Ok(Fetched {
        jobs,
        keys,
        manifest,
    })
}
