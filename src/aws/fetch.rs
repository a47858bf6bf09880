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
use super::cache::{Cache, Listed as CacheKey};
use super::capture::{BodyLimit, CaptureBody};
use super::regions::NOT_ENABLED_CODES;
use crate::calls::{Calls, ListArgs, Summary, describe_error};
use crate::kinds::Settled;
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
                    crate::calls::Summary::new(
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
    shards: false,
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
    let cache = options
        .cache
        .as_deref()
        .and_then(|dir| match Cache::open(dir) {
            Ok(c) => Some(c),
            Err(e) => {
                crate::warn!(
                    "--cache {}: cannot be used ({e}); every resource is described",
                    dir.display()
                );
                None
            }
        });
    let settled = match kind {
        Group::Kind(k) => k.decl().settled,
        _ => Settled::Never,
    };
    let field = arn_field(kind);
    fn key<'a>(job: &'a Listed, arn_field: &'a str, settled: Settled) -> CacheKey<'a> {
        CacheKey {
            arn_field,
            arn: &job.arn,
            created: job.created,
            settled,
        }
    }
    let mut summaries = summaries;
    if let Some(cache) = &cache {
        summaries.retain(
            |job| match cache.get(&job.path, &key(job, field, settled)) {
                Some(body) => {
                    manifest.counts.jobs_cached += 1;
                    progress.tick();
                    jobs.push((job.path.clone(), body));
                    false
                }
                None => true,
            },
        );
    }
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
                    let body = pretty(&body);
                    if let Some(cache) = &cache {
                        cache.put(&job.path, &key(&job, field, settled), &body);
                    }
                    jobs.push((job.path, body));
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
    /// The listed creation time (what a kept response must match).
    created: Option<i64>,
}

/// Keeps the listed jobs whose ARN is an ARN of the kind in this region naming the listed job,
/// once each, and gives each the path `collect` writes it to. Anything else is one ERROR for
/// that job: an ARN is what account and region directories are made of.
fn checked(
    summaries: Vec<Summary>,
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
    for Summary { name, arn, created } in summaries {
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
                if !kind.arn_id()
                    && !kind
                        .name_in_arn(arn_name)
                        .is_some_and(|n| n.eq_ignore_ascii_case(&name)) =>
            {
                "its ARN names another job".to_owned()
            }
            Ok((parts, rest)) => {
                // A nested ARN's name is unique only under its parent (one profile name in
                // two domains): the file is named by the whole rest of the ARN.
                // An id in the ARN is as unique as the name, and names the file alike.
                let file_name = if kind.arn_nested() || kind.arn_id() {
                    rest
                } else {
                    &name
                };
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
                    out.push(Listed {
                        name,
                        arn,
                        path,
                        created,
                    });
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
    let fields = match api(kind).within {
        Some(member) => fields.get(member)?.as_object()?.get(arn_field(kind)),
        None => fields.get(arn_field(kind)),
    };
    fields?.as_str().map(str::to_owned)
}

/// Every summary of one kind in the region, each once. A kind whose List operation filters by
/// creation time on both sides is listed in creation-time ranges side by side ([`Ranges`]);
/// any other is one chain of pages.
async fn list(
    client: &Client,
    kind: Group,
    options: &LiveOptions,
    gate: &Gate,
    progress: &Progress,
    manifest: &mut Manifest,
) -> Result<Vec<Summary>, (Option<String>, String)> {
    let (list_op, _) = operations(kind);
    let root = Range {
        after: options.created_after,
        before: None,
    };
    let ranges = Ranges::new(
        calls(kind).shards && options.split_listings,
        options.concurrency,
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
    );
    let mut pending = futures_util::stream::FuturesUnordered::new();
    pending.push(list_range(
        client, kind, options, gate, progress, root, &ranges,
    ));
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    let mut pages = 0usize;
    let mut failure = None;
    while let Some(listed) = pending.next().await {
        ranges.ended();
        pages += listed.pages;
        manifest.counts.calls += listed.pages;
        match listed.outcome {
            Err(e) => {
                // The first failure ends the listing: the ranges still in flight are dropped.
                failure.get_or_insert(e);
                break;
            }
            Ok(children) if failure.is_none() && pages < crate::paging::MAX_PAGES => {
                for range in children {
                    pending.push(list_range(
                        client, kind, options, gate, progress, range, &ranges,
                    ));
                }
            }
            Ok(_) if failure.is_none() => {
                failure = Some((
                    None,
                    format!(
                        "{list_op}: the listing went past {} pages, so it was stopped and is \
                         incomplete",
                        crate::paging::MAX_PAGES
                    ),
                ));
            }
            Ok(_) => {}
        }
        // Ranges overlap by a second at each boundary, so a resource on one is listed twice.
        for summary in listed.summaries {
            if seen.insert((summary.name.clone(), summary.arn.clone())) {
                out.push(summary);
            }
        }
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// A creation-time range of one listing, as asked of the List operation: `CreationTimeAfter`
/// and `CreationTimeBefore` in epoch seconds, each open when `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    after: Option<i64>,
    before: Option<i64>,
}

/// How a listing splits: whether it may, how many ranges may be in flight, and the time the
/// newest range's width is reckoned to (the end of the scan's day, so that two scans on one day
/// ask the same questions).
struct Ranges {
    shards: bool,
    target: usize,
    ceiling: i64,
    active: AtomicUsize,
}

/// No range is split narrower than this.
const MIN_RANGE_SECS: i64 = 120;
/// Full pages a range shows before it is split: a listing of a few hundred resources stays one
/// chain of pages, as cheap in calls as AWS's paginators, and a large one loses two calls'
/// time.
const SPLIT_AFTER_PAGES: usize = 3;

impl Ranges {
    fn new(shards: bool, concurrency: usize, now: i64) -> Self {
        Ranges {
            shards,
            // Twice the calls allowed in flight, so the bound stays full while ranges end.
            target: concurrency.max(1) * 2,
            ceiling: (now.div_euclid(86_400) + 1) * 86_400,
            active: AtomicUsize::new(1),
        }
    }

    /// One range finished.
    fn ended(&self) {
        self.active.fetch_sub(1, Ordering::Relaxed);
    }

    /// The ranges to list instead of `range`, whose first pages were full and spanned `page`'s
    /// creation times; empty to page on through it. It splits into as
    /// many equal ranges as there are places left under the target. The first range keeps
    /// `range`'s lower bound and the last its upper one; neighbours overlap by a second on each
    /// side, so a resource on a boundary is listed whether the service's bounds are inclusive
    /// or not (the listing drops the second copy).
    fn split(&self, range: Range, page: PageTimes) -> Vec<Range> {
        if !self.shards {
            return Vec::new();
        }
        let Some(lo) = range.after.or(page.oldest) else {
            return Vec::new();
        };
        let hi = range.before.unwrap_or(self.ceiling);
        let width = hi.saturating_sub(lo);
        // This range's own place is given up to its parts.
        let places = self
            .target
            .saturating_sub(self.active.load(Ordering::Relaxed))
            + 1;
        // How many pages' worth the range may hold, judged from the time the first pages span
        // (AWS lists oldest first by default): no more parts than that, so a listing of a few
        // pages more costs a few calls more, not one per place.
        let pages = width / page.span().max(1) + 1;
        let parts = i64::try_from(places)
            .unwrap_or(i64::MAX)
            .min(pages)
            .min(width / MIN_RANGE_SECS);
        if parts < 2 {
            return Vec::new();
        }
        let bounds: Vec<i64> = (1..parts).map(|i| lo + width / parts * i).collect();
        let children: Vec<Range> = (0..bounds.len() + 1)
            .map(|i| Range {
                after: if i == 0 {
                    range.after
                } else {
                    Some(bounds[i - 1] - 1)
                },
                before: bounds.get(i).map(|b| b + 1).or(range.before),
            })
            .collect();
        self.active.fetch_add(children.len(), Ordering::Relaxed);
        children
    }
}

/// The creation times one page of summaries spans.
#[derive(Debug, Clone, Copy, Default)]
struct PageTimes {
    oldest: Option<i64>,
    newest: Option<i64>,
}

impl PageTimes {
    fn of(page: &[Summary]) -> Self {
        PageTimes {
            oldest: page.iter().filter_map(|s| s.created).min(),
            newest: page.iter().filter_map(|s| s.created).max(),
        }
    }

    /// The times of two pages together.
    fn and(self, other: Self) -> Self {
        let pick = |a: Option<i64>, b: Option<i64>, f: fn(i64, i64) -> i64| match (a, b) {
            (Some(a), Some(b)) => Some(f(a, b)),
            (a, b) => a.or(b),
        };
        PageTimes {
            oldest: pick(self.oldest, other.oldest, i64::min),
            newest: pick(self.newest, other.newest, i64::max),
        }
    }

    /// Seconds from the oldest to the newest (0 when unknown).
    fn span(self) -> i64 {
        match (self.oldest, self.newest) {
            (Some(o), Some(n)) => n.saturating_sub(o),
            _ => 0,
        }
    }
}

/// What listing one range gave.
struct RangeListed {
    summaries: Vec<Summary>,
    pages: usize,
    /// The ranges to list in its place (its first pages were full and it was split), or why
    /// the listing failed.
    outcome: Result<Vec<Range>, (Option<String>, String)>,
}

/// Lists one range page by page; after [`SPLIT_AFTER_PAGES`] full pages it may hand the rest
/// to narrower ranges instead ([`Ranges::split`]).
async fn list_range(
    client: &Client,
    kind: Group,
    options: &LiveOptions,
    gate: &Gate,
    progress: &Progress,
    range: Range,
    ranges: &Ranges,
) -> RangeListed {
    let (list_op, _) = operations(kind);
    let mut summaries = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = crate::paging::Pages::new();
    let mut count = 0;
    let mut times = PageTimes::default();
    loop {
        count += 1;
        progress.more(1);
        let page = {
            let _place = gate.enter().await;
            list_page(client, kind, options, range, token.as_deref()).await
        };
        progress.tick();
        let (page, next) = match page {
            Ok(p) => p,
            Err(e) => {
                return RangeListed {
                    summaries,
                    pages: count,
                    outcome: Err(e),
                };
            }
        };
        times = times.and(PageTimes::of(&page));
        summaries.extend(page);
        // An empty page with a token is not the end: keep going until the token is gone, but
        // never round a loop of tokens or past the page bound.
        match pages.next(next.as_deref()) {
            Ok(true) if count == SPLIT_AFTER_PAGES => {
                let children = ranges.split(range, times);
                if !children.is_empty() {
                    return RangeListed {
                        summaries,
                        pages: count,
                        outcome: Ok(children),
                    };
                }
                token = next;
            }
            Ok(true) => token = next,
            Ok(false) => {
                return RangeListed {
                    summaries,
                    pages: count,
                    outcome: Ok(Vec::new()),
                };
            }
            Err(why) => {
                return RangeListed {
                    summaries,
                    pages: count,
                    outcome: Err((None, format!("{list_op}: {why}"))),
                };
            }
        }
    }
}

/// One page of a kind's listing in `range`: its summaries and the next token.
async fn list_page(
    client: &Client,
    kind: Group,
    options: &LiveOptions,
    range: Range,
    token: Option<&str>,
) -> Result<(Vec<Summary>, Option<String>), (Option<String>, String)> {
    let args = ListArgs {
        token,
        created_after: range.after,
        created_before: range.before,
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

    /// Whether `range` lists a resource created at `t` when the service's bounds are strict
    /// (`inclusive` false) or not.
    fn lists(range: Range, t: i64, inclusive: bool) -> bool {
        let above = range
            .after
            .is_none_or(|a| if inclusive { t >= a } else { t > a });
        let below = range
            .before
            .is_none_or(|b| if inclusive { t <= b } else { t < b });
        above && below
    }

    #[test]
    fn split_ranges_cover_every_second_and_keep_the_outer_bounds() {
        let day = 86_400;
        let ranges = Ranges::new(true, 8, 20_000 * day + 5);
        assert_eq!(ranges.ceiling, 20_001 * day, "the end of the scan's day");
        for parent in [
            Range {
                after: None,
                before: None,
            },
            Range {
                after: Some(19_000 * day),
                before: None,
            },
            Range {
                after: Some(19_990 * day),
                before: Some(19_990 * day + 3_601),
            },
        ] {
            ranges.active.store(9, Ordering::Relaxed);
            let children = ranges.split(
                parent,
                PageTimes {
                    oldest: Some(19_500 * day),
                    newest: Some(19_500 * day + 60),
                },
            );
            assert_eq!(
                children.len(),
                8,
                "{parent:?}: 16 places, 9 taken, its own freed"
            );
            assert_eq!(children[0].after, parent.after);
            assert_eq!(children.last().unwrap().before, parent.before);
            let lo = parent.after.unwrap_or(19_500 * day) - 5;
            let hi = parent.before.unwrap_or(20_001 * day) + 5;
            // Every second around each bound, and points in between.
            let mut times: Vec<i64> = children
                .iter()
                .flat_map(|c| [c.after, c.before])
                .flatten()
                .chain([lo + 5, hi - 5])
                .flat_map(|b| b - 3..=b + 3)
                .collect();
            times.extend((lo..=hi).step_by(usize::try_from((hi - lo) / 997).unwrap().max(1)));
            for inclusive in [false, true] {
                for &t in &times {
                    if !lists(parent, t, inclusive) {
                        continue;
                    }
                    assert!(
                        children.iter().any(|c| lists(*c, t, inclusive)),
                        "{parent:?}: nothing lists a resource created at {t}"
                    );
                    assert!(
                        children
                            .iter()
                            .all(|c| !lists(*c, t, inclusive) || lists(parent, t, inclusive)),
                        "a child lists outside its parent"
                    );
                }
            }
        }
    }

    #[test]
    fn page_times_join_and_span() {
        let of = |times: &[Option<i64>]| {
            PageTimes::of(
                &times
                    .iter()
                    .map(|&created| Summary {
                        name: "n".into(),
                        arn: "a".into(),
                        created,
                    })
                    .collect::<Vec<_>>(),
            )
        };
        let first = of(&[Some(50), None, Some(20)]);
        assert_eq!(
            (first.oldest, first.newest, first.span()),
            (Some(20), Some(50), 30)
        );
        let both = first.and(of(&[Some(90)])).and(of(&[None]));
        assert_eq!(
            (both.oldest, both.newest, both.span()),
            (Some(20), Some(90), 70)
        );
        assert_eq!(of(&[None]).span(), 0);
    }

    #[test]
    fn a_listing_is_not_split_when_it_cannot_or_need_not_be() {
        let wide = Range {
            after: Some(0),
            before: Some(1_000_000),
        };
        assert!(
            Ranges::new(false, 8, 0)
                .split(wide, PageTimes::default())
                .is_empty()
        );
        // A range is never split narrower than MIN_RANGE_SECS.
        let narrow = Range {
            after: Some(0),
            before: Some(MIN_RANGE_SECS * 3 - 1),
        };
        assert_eq!(
            Ranges::new(true, 8, 0)
                .split(narrow, PageTimes::default())
                .len(),
            2
        );
        let narrower = Range {
            after: Some(0),
            before: Some(MIN_RANGE_SECS * 2 - 1),
        };
        assert!(
            Ranges::new(true, 8, 0)
                .split(narrower, PageTimes::default())
                .is_empty()
        );
        // No lower bound and no creation time seen: nothing to split.
        let open = Range {
            after: None,
            before: None,
        };
        assert!(
            Ranges::new(true, 8, 0)
                .split(open, PageTimes::default())
                .is_empty()
        );
        // No more parts than the pages the first one suggests: 100 resources in 10 days of a
        // range of 25 days are about 3 pages.
        let few = Ranges::new(true, 8, 0);
        let days = Range {
            after: Some(0),
            before: Some(25 * 86_400),
        };
        let page = PageTimes {
            oldest: Some(0),
            newest: Some(10 * 86_400),
        };
        assert_eq!(few.split(days, page).len(), 3);
        // The first split fills the places under the target; then there are none left.
        let busy = Ranges::new(true, 1, 0);
        assert_eq!(busy.split(wide, PageTimes::default()).len(), 2);
        assert!(
            busy.split(wide, PageTimes::default()).is_empty(),
            "3 in flight, target 2"
        );
    }

    #[test]
    fn one_name_under_two_parents_is_two_files() {
        let arn = |domain: &str| {
            format!("arn:aws:sagemaker:us-east-1:111122223333:user-profile/{domain}/alice")
        };
        let mut manifest = Manifest::default();
        let listed = checked(
            vec![
                Summary::new("alice".to_owned(), arn("d-one")),
                Summary::new("alice".to_owned(), arn("d-two")),
                Summary::new("bob".to_owned(), arn("d-one")),
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
