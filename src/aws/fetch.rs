//! The `List*` calls of every job kind (always `MaxResults=100`, following `NextToken` across
//! empty pages) and one `Describe*` call per job with bounded concurrency. Each kind declares
//! its own calls (`crate::calls`); nothing here knows a kind's operations.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_sagemaker::Client;
use aws_sdk_sagemaker::config::Region;
use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::LiveOptions;
use super::accounts::Target;
use super::capture::{BodyLimit, CaptureBody};
use super::regions::NOT_ENABLED_CODES;
use crate::calls::{Calls, ListArgs, describe_error};
use crate::kinds::pipeline_step::API as PIPELINES;
use crate::manifest::{FailedCall, Manifest};
use crate::resource::Group;
/// A progress bar on stderr when it is a terminal; silent otherwise. It counts calls made
/// against calls known to be needed (the total grows as listings come in) and, in a scan of
/// several accounts, the accounts finished.
pub(super) struct Progress {
    bar: ProgressBar,
    accounts: usize,
    accounts_done: AtomicUsize,
}

impl Progress {
    pub(super) fn new(enabled: bool, accounts: usize) -> Self {
        let bar = if enabled && std::io::stderr().is_terminal() {
            ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix("scanning");
        let progress = Progress {
            bar,
            accounts,
            accounts_done: AtomicUsize::new(0),
        };
        progress.show_accounts();
        progress
    }

    fn show_accounts(&self) {
        if self.accounts > 1 {
            self.bar.set_message(format!(
                "accounts {}/{} done",
                self.accounts_done.load(Ordering::Relaxed),
                self.accounts
            ));
        }
    }

    /// `n` more calls to make.
    pub(super) fn more(&self, n: u64) {
        self.bar.inc_length(n);
    }

    /// One call made.
    pub(super) fn tick(&self) {
        self.bar.inc(1);
    }

    /// Every list and describe call of one account made.
    pub(super) fn account_done(&self) {
        self.accounts_done.fetch_add(1, Ordering::Relaxed);
        self.show_accounts();
    }

    /// The key lookups begin.
    pub(super) fn keys(&self, n: u64) {
        self.bar.set_prefix("keys");
        self.more(n);
    }

    pub(super) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The bounds on calls in flight: one for the whole scan and one per account and region (API
/// quotas are per account and region). Every list and describe call holds both.
#[derive(Clone)]
pub(super) struct Gate {
    global: Arc<tokio::sync::Semaphore>,
    local: Arc<tokio::sync::Semaphore>,
}

impl Gate {
    pub(super) fn new(global: Arc<tokio::sync::Semaphore>, per_account_region: usize) -> Self {
        Gate {
            global,
            local: Arc::new(tokio::sync::Semaphore::new(per_account_region.max(1))),
        }
    }

    /// Waits for a place under both bounds; the place is held until the result is dropped.
    async fn enter(
        &self,
    ) -> (
        Option<tokio::sync::SemaphorePermit<'_>>,
        Option<tokio::sync::SemaphorePermit<'_>>,
    ) {
        // The account's own bound first, so that waiting on it never holds a global place.
        let local = self.local.acquire().await.ok();
        let global = self.global.acquire().await.ok();
        (local, global)
    }
}

/// The List and Describe operations of a kind, as errors and messages name them.
fn operations(kind: Group) -> (&'static str, &'static str) {
    let api = api(kind);
    (api.list, api.describe)
}

/// The List and Describe operations of a kind, or of pipelines.
fn api(kind: Group) -> &'static crate::kinds::Api {
    match kind {
        Group::Kind(k) => &k.decl().api,
        Group::PipelineSteps => &PIPELINES,
        // `--kinds` offers only the groups `Group::listed` names.
        Group::SdkConfig | Group::StateMachineTasks | Group::IacResources => {
            unreachable!("SDK config sections and state machines are read from files, never listed")
        }
    }
}

/// The field of a kind's describe response that holds its ARN.
fn arn_field(kind: Group) -> &'static str {
    api(kind).arn_field
}

/// The live calls of a kind: its declaration's, or the pipelines' (which are listed and
/// described like a kind, each step then judged as its job kind).
fn calls(kind: Group) -> Calls {
    match kind {
        Group::Kind(k) => k.decl().live,
        Group::PipelineSteps => PIPELINE_CALLS,
        Group::SdkConfig | Group::StateMachineTasks | Group::IacResources => {
            unreachable!("SDK config sections and state machines are read from files, never listed")
        }
    }
}

/// `ListPipelines` filters by creation time only (pipelines have no status) and names the
/// filter `CreatedAfter`.
const PIPELINE_CALLS: Calls = Calls {
    list: |client, args| {
        Box::pin(async move {
            let page = client
                .list_pipelines()
                .max_results(100)
                .set_next_token(args.token.map(str::to_owned))
                .set_created_after(
                    args.created_after
                        .map(aws_smithy_types::DateTime::from_secs),
                )
                .send()
                .await
                .map_err(|e| describe_error(&e))?;
            let pairs = page
                .pipeline_summaries()
                .iter()
                .map(|s| {
                    (
                        s.pipeline_name().unwrap_or_default().to_owned(),
                        s.pipeline_arn().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            Ok((pairs, page.next_token().map(str::to_owned)))
        })
    },
    describe: |client, name, _arn, capture| {
        Box::pin(async move {
            client
                .describe_pipeline()
                .pipeline_name(name)
                .customize()
                .interceptor(capture)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| describe_error(&e))
        })
    },
};

/// What one task (an account, a region, a kind) found: the documents and, in a manifest of
/// its own, its counts, failed calls, jobs gone and a region found not enabled.
pub(super) struct TaskResult {
    pub jobs: Vec<(String, Vec<u8>)>,
    pub manifest: Manifest,
    /// The region as the manifest names it and AWS's answer, when it is not enabled.
    pub not_enabled: Option<(String, String)>,
}

/// Lists and describes every job of one kind in one region of one account. A kind that cannot
/// be listed (AccessDenied, say) is one failed call for that kind, account and region; a
/// region the account has not enabled is noted (as `ACCOUNT/REGION` when the scan names its
/// accounts), not an error.
pub(super) async fn task(
    target: &Target,
    region: &str,
    kind: Group,
    options: &LiveOptions,
    gate: Gate,
    progress: &Progress,
) -> TaskResult {
    let mut manifest = Manifest::default();
    let mut jobs = Vec::new();
    let config = aws_sdk_sagemaker::config::Builder::from(&target.sdk)
        .region(Region::new(region.to_owned()))
        .interceptor(BodyLimit)
        .build();
    let client = Client::from_conf(config);
    let (list_op, _) = operations(kind);
    let place = match &target.account {
        Some(account) => format!("{region} of account {account}"),
        None => region.to_owned(),
    };
    let summaries = match list(&client, kind, options, &gate, progress, &mut manifest).await {
        Ok(s) => s,
        Err((code, text)) => {
            if code
                .as_deref()
                .is_some_and(|c| NOT_ENABLED_CODES.contains(&c))
            {
                let label = match &target.account {
                    Some(account) => format!("{account}/{region}"),
                    None => region.to_owned(),
                };
                return TaskResult {
                    jobs,
                    manifest,
                    not_enabled: Some((label, text)),
                };
            } else {
                manifest.failed_calls.push(FailedCall {
                    source: format!("{list_op} in {place}"),
                    file: false,
                    message: format!(
                        "listing {} failed after up to {} attempts: {text}",
                        kind.plural(),
                        options.max_attempts
                    ),
                });
            }
            return TaskResult {
                jobs,
                manifest,
                not_enabled: None,
            };
        }
    };
    manifest.counts.jobs_listed += summaries.len();
    let summaries = checked(
        summaries,
        kind,
        region,
        target.account.as_deref(),
        &place,
        &mut manifest,
    );
    progress.more(summaries.len() as u64);
    describe_all(
        &client,
        kind,
        summaries,
        options,
        &gate,
        progress,
        &mut manifest,
        &mut jobs,
    )
    .await;
    TaskResult {
        jobs,
        manifest,
        not_enabled: None,
    }
}

/// Describes the listed jobs of one kind, `--concurrency` at a time.
#[allow(clippy::too_many_arguments)]
async fn describe_all(
    client: &Client,
    kind: Group,
    summaries: Vec<Listed>,
    options: &LiveOptions,
    gate: &Gate,
    progress: &Progress,
    manifest: &mut Manifest,
    jobs: &mut Vec<(String, Vec<u8>)>,
) {
    let (_, describe_op) = operations(kind);
    let mut described = futures_util::stream::iter(summaries.into_iter().map(|job| {
        let client = client.clone();
        async move {
            let _place = gate.enter().await;
            let capture = CaptureBody::default();
            let result = describe(&client, kind, &job.name, &job.arn, capture.clone()).await;
            (job, result.map(|()| capture.body()))
        }
    }))
    .buffer_unordered(options.concurrency.max(1));
    while let Some((job, result)) = described.next().await {
        progress.tick();
        manifest.counts.calls += 1;
        let fail = |manifest: &mut Manifest, message: String| {
            manifest.failed_calls.push(FailedCall {
                source: job.path.clone(),
                file: true,
                message,
            })
        };
        match result {
            Ok(Some(body)) => match described_arn(&body, kind) {
                Some(arn) if arn == job.arn => {
                    manifest.counts.jobs_described += 1;
                    jobs.push((job.path, pretty(&body)));
                }
                other => fail(
                    manifest,
                    format!(
                        "{describe_op} for {} answered with {}; the answer was not used",
                        crate::text::one_line(&job.arn, 200),
                        other.map_or_else(
                            || format!("no {}", arn_field(kind)),
                            |a| format!("another job, {}", crate::text::one_line(&a, 200))
                        )
                    ),
                ),
            },
            Ok(None) => fail(manifest, format!("{describe_op} returned no body")),
            Err((code, text)) => {
                if code.as_deref() == Some("ValidationException") && text.contains("not found")
                    || code.as_deref() == Some("ResourceNotFound")
                {
                    crate::info!(
                        "{} {} was deleted before it could be described",
                        kind.singular(),
                        job.arn
                    );
                    manifest.jobs_gone.push(job.arn);
                } else {
                    fail(
                        manifest,
                        format!(
                            "{describe_op} failed after up to {} attempts: {text}",
                            options.max_attempts
                        ),
                    );
                }
            }
        }
    }
}

/// One describe call; the response body is left in `capture`.
async fn describe(
    client: &Client,
    kind: Group,
    name: &str,
    arn: &str,
    capture: CaptureBody,
) -> Result<(), (Option<String>, String)> {
    (calls(kind).describe)(client, name, arn, SharedInterceptor::new(capture)).await
}

/// A listed job that passed the checks, with the path its document goes to.
struct Listed {
    name: String,
    arn: String,
    path: String,
}

/// Keeps the listed jobs whose ARN is an ARN of the kind in this region naming the listed job,
/// once each, and gives each the path `collect` writes it to. Anything else is one ERROR for
/// that job: an ARN is what account and region directories are made of.
fn checked(
    summaries: Vec<(String, String)>,
    kind: Group,
    region: &str,
    account: Option<&str>,
    place: &str,
    manifest: &mut Manifest,
) -> Vec<Listed> {
    let (list_op, _) = operations(kind);
    let mut out = Vec::with_capacity(summaries.len());
    let mut seen_arns = std::collections::HashMap::new();
    // Case-folded paths: two names must not land on one file even where case is ignored.
    let mut seen_paths = std::collections::HashSet::new();
    for (name, arn) in summaries {
        let problem = match crate::model::ArnParts::sagemaker(&arn, kind.arn_resource()) {
            Err(e) => e.to_string(),
            Ok((parts, _)) if parts.region != region => {
                format!("its ARN is in region {}, not {region}", parts.region)
            }
            Ok((parts, _)) if account.is_some_and(|a| a != parts.account_id) => format!(
                "its ARN is in account {}, not {}",
                parts.account_id,
                account.unwrap_or_default()
            ),
            Ok((_, arn_name))
                if !kind
                    .name_in_arn(arn_name)
                    .is_some_and(|n| n.eq_ignore_ascii_case(&name)) =>
            {
                "its ARN names another job".to_owned()
            }
            Ok((parts, rest)) => {
                // A nested ARN's name is unique only under its parent (one profile name in
                // two domains): the file is named by the whole rest of the ARN.
                let file_name = if kind.arn_nested() { rest } else { &name };
                let path = crate::layout::job_path(&parts.account_id, region, kind, file_name);
                match seen_arns.get(&arn) {
                    // The same job listed twice (a page boundary moving under a listing).
                    Some(seen) if *seen == name => continue,
                    Some(_) => {
                        manifest.failed_calls.push(FailedCall {
                            source: format!("{list_op} in {place}"),
                            file: false,
                            message: format!(
                                "the listing returned job {:?} with the ARN of another listed job, {:?}; it was not described",
                                crate::text::one_line(&name, 200),
                                crate::text::one_line(&arn, 200)
                            ),
                        });
                        continue;
                    }
                    None => {
                        seen_arns.insert(arn.clone(), name.clone());
                    }
                }
                if seen_paths.insert(path.to_ascii_lowercase()) {
                    out.push(Listed { name, arn, path });
                    continue;
                }
                format!("its file name {path} is taken by another listed job")
            }
        };
        manifest.failed_calls.push(FailedCall {
            source: format!("{list_op} in {place}"),
            file: false,
            message: format!(
                "the listing returned job {:?} with ARN {:?}, which was not described: {problem}",
                crate::text::one_line(&name, 200),
                crate::text::one_line(&arn, 200)
            ),
        });
    }
    out
}

/// The ARN a describe response names, in the kind's ARN field.
fn described_arn(body: &[u8], kind: Group) -> Option<String> {
    let fields: std::collections::HashMap<String, serde_json::Value> =
        serde_json::from_slice(body).ok()?;
    fields.get(arn_field(kind))?.as_str().map(str::to_owned)
}

/// Every `(name, arn)` of one kind in the region, page by page.
async fn list(
    client: &Client,
    kind: Group,
    options: &LiveOptions,
    gate: &Gate,
    progress: &Progress,
    manifest: &mut Manifest,
) -> Result<Vec<(String, String)>, (Option<String>, String)> {
    let (list_op, _) = operations(kind);
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = crate::paging::Pages::new();
    loop {
        manifest.counts.calls += 1;
        progress.more(1);
        let (page, next) = {
            let _place = gate.enter().await;
            list_page(client, kind, options, token.as_deref()).await
        }?;
        progress.tick();
        out.extend(page);
        // An empty page with a token is not the end: keep going until the token is gone, but
        // never round a loop of tokens or past the page bound.
        match pages.next(next.as_deref()) {
            Ok(true) => token = next,
            Ok(false) => return Ok(out),
            Err(why) => return Err((None, format!("{list_op}: {why}"))),
        }
    }
}

/// One page of a kind's listing: `(name, arn)` pairs and the next token.
async fn list_page(
    client: &Client,
    kind: Group,
    options: &LiveOptions,
    token: Option<&str>,
) -> Result<(Vec<(String, String)>, Option<String>), (Option<String>, String)> {
    let args = ListArgs {
        token,
        created_after: options.created_after,
        // Each kind's own spelling of the status (`COMPLETED` for `Completed`).
        status: match kind {
            Group::Kind(k) if k.statuses().is_empty() => None,
            Group::Kind(k) => options.status.as_deref().map(|s| k.status(s).unwrap_or(s)),
            Group::PipelineSteps
            | Group::SdkConfig
            | Group::StateMachineTasks
            | Group::IacResources => None,
        },
    };
    (calls(kind).list)(client, args).await
}

/// Re-indents a JSON body as the file `collect` writes; bytes that are not JSON stay as they are
/// so the parser reports them.
pub(super) fn pretty(body: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => {
            let mut out = serde_json::to_vec_pretty(&v).unwrap_or_else(|_| body.to_vec());
            out.push(b'\n');
            out
        }
        Err(_) => body.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_pretty_printed_and_garbage_kept() {
        assert_eq!(pretty(br#"{"a":1}"#), b"{\n  \"a\": 1\n}\n");
        assert_eq!(pretty(b"not json"), b"not json");
    }

    #[test]
    fn one_name_under_two_parents_is_two_files() {
        let arn = |domain: &str| {
            format!("arn:aws:sagemaker:us-east-1:111122223333:user-profile/{domain}/alice")
        };
        let mut manifest = Manifest::default();
        let listed = checked(
            vec![
                ("alice".to_owned(), arn("d-one")),
                ("alice".to_owned(), arn("d-two")),
                ("bob".to_owned(), arn("d-one")),
            ],
            Group::Kind(crate::resource::Kind::UserProfile),
            "us-east-1",
            None,
            "111122223333/us-east-1",
            &mut manifest,
        );
        let paths: Vec<&str> = listed.iter().map(|l| l.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "111122223333/us-east-1/user_profile/d-one_2falice.json",
                "111122223333/us-east-1/user_profile/d-two_2falice.json",
            ]
        );
        // bob's ARN names alice: refused, as one failed call.
        assert_eq!(manifest.failed_calls.len(), 1);
    }
}
