//! `ListTrainingJobs` (always `MaxResults=100`, following `NextToken` across empty pages) and
//! `DescribeTrainingJob` per job with bounded concurrency.

use std::io::IsTerminal;

use aws_sdk_sagemaker::Client;
use aws_sdk_sagemaker::config::Region;
use aws_sdk_sagemaker::types::TrainingJobStatus;
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::capture::{BodyLimit, CaptureBody};
use super::regions::NOT_ENABLED_CODES;
use super::{LiveOptions, describe_error};
use crate::manifest::{FailedCall, Manifest};

/// A progress bar on stderr when it is a terminal; silent otherwise.
pub(super) struct Progress(ProgressBar);

impl Progress {
    pub(super) fn new(enabled: bool) -> Self {
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
        Progress(bar)
    }

    pub(super) fn stage(&self, prefix: &str, len: u64, msg: String) {
        self.0.set_prefix(prefix.to_owned());
        self.0.set_length(len);
        self.0.set_position(0);
        self.0.set_message(msg);
    }

    pub(super) fn tick(&self) {
        self.0.inc(1);
    }

    pub(super) fn listed(&self, n: u64) {
        self.0.set_length(n);
        self.0.set_position(n);
    }

    pub(super) fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// Lists and describes every job of one region, appending documents and failures.
pub(super) async fn region(
    sdk: &aws_config::SdkConfig,
    region: &str,
    options: &LiveOptions,
    progress: &Progress,
    manifest: &mut Manifest,
    jobs: &mut Vec<(String, Vec<u8>)>,
) {
    let config = aws_sdk_sagemaker::config::Builder::from(sdk)
        .region(Region::new(region.to_owned()))
        .interceptor(BodyLimit)
        .build();
    let client = Client::from_conf(config);
    progress.stage("listing", 0, region.to_owned());
    let summaries = match list(&client, options, progress, manifest).await {
        Ok(s) => s,
        Err((code, text)) => {
            if code
                .as_deref()
                .is_some_and(|c| NOT_ENABLED_CODES.contains(&c))
            {
                crate::warn!("region {region} is not enabled for this account ({text}); skipped");
                manifest.regions_not_enabled.push(region.to_owned());
            } else {
                manifest.failed_calls.push(FailedCall {
                    source: format!("ListTrainingJobs in {region}"),
                    file: false,
                    message: format!(
                        "listing training jobs failed after up to {} attempts: {text}",
                        options.max_attempts
                    ),
                });
            }
            return;
        }
    };
    manifest.counts.jobs_listed += summaries.len();
    let summaries = checked(summaries, region, manifest);
    progress.stage("describing", summaries.len() as u64, region.to_owned());
    let mut described = futures_util::stream::iter(summaries.into_iter().map(|job| {
        let client = client.clone();
        async move {
            let capture = CaptureBody::default();
            let result = client
                .describe_training_job()
                .training_job_name(&job.name)
                .customize()
                .interceptor(capture.clone())
                .send()
                .await;
            (job, result.map(|_| capture.body()))
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
            Ok(Some(body)) => match described_arn(&body) {
                Some(arn) if arn == job.arn => {
                    manifest.counts.jobs_described += 1;
                    jobs.push((job.path, pretty(&body)));
                }
                other => fail(
                    manifest,
                    format!(
                        "DescribeTrainingJob for {} answered with {}; the answer was not used",
                        crate::text::one_line(&job.arn, 200),
                        other.map_or_else(
                            || "no TrainingJobArn".to_owned(),
                            |a| format!("another job, {}", crate::text::one_line(&a, 200))
                        )
                    ),
                ),
            },
            Ok(None) => fail(manifest, "DescribeTrainingJob returned no body".to_owned()),
            Err(err) => {
                let (code, text) = describe_error(&err);
                if code.as_deref() == Some("ValidationException") && text.contains("not found") {
                    crate::info!(
                        "training job {} was deleted before it could be described",
                        job.arn
                    );
                    manifest.jobs_gone.push(job.arn);
                } else {
                    fail(
                        manifest,
                        format!(
                            "DescribeTrainingJob failed after up to {} attempts: {text}",
                            options.max_attempts
                        ),
                    );
                }
            }
        }
    }
}

/// A listed job that passed the checks, with the path its document goes to.
struct Listed {
    name: String,
    arn: String,
    path: String,
}

/// Keeps the listed jobs whose ARN is a training-job ARN of this region naming the listed job,
/// once each, and gives each the path `collect` writes it to. Anything else is one ERROR for
/// that job: an ARN is what account and region directories are made of.
fn checked(summaries: Vec<(String, String)>, region: &str, manifest: &mut Manifest) -> Vec<Listed> {
    let mut out = Vec::with_capacity(summaries.len());
    let mut seen_arns = std::collections::HashMap::new();
    // Case-folded paths: two names must not land on one file even where case is ignored.
    let mut seen_paths = std::collections::HashSet::new();
    for (name, arn) in summaries {
        let problem = match crate::model::ArnParts::sagemaker(&arn, "training-job") {
            Err(e) => e.to_string(),
            Ok((parts, _)) if parts.region != region => {
                format!("its ARN is in region {}, not {region}", parts.region)
            }
            Ok((_, arn_name)) if !arn_name.eq_ignore_ascii_case(&name) => {
                "its ARN names another job".to_owned()
            }
            Ok((parts, _)) => {
                let path = crate::layout::job_path(&parts.account_id, region, &name);
                match seen_arns.get(&arn) {
                    // The same job listed twice (a page boundary moving under a listing).
                    Some(seen) if *seen == name => continue,
                    Some(_) => {
                        manifest.failed_calls.push(FailedCall {
                            source: format!("ListTrainingJobs in {region}"),
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
            source: format!("ListTrainingJobs in {region}"),
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

/// The `TrainingJobArn` a describe response names.
fn described_arn(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "TrainingJobArn")]
        arn: Option<String>,
    }
    serde_json::from_slice::<Probe>(body).ok()?.arn
}

/// Every `(name, arn)` of the region, page by page.
async fn list(
    client: &Client,
    options: &LiveOptions,
    progress: &Progress,
    manifest: &mut Manifest,
) -> Result<Vec<(String, String)>, (Option<String>, String)> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut request = client.list_training_jobs().max_results(100);
        if let Some(t) = &token {
            request = request.next_token(t);
        }
        if let Some(after) = options.created_after {
            request = request.creation_time_after(aws_smithy_types::DateTime::from_secs(after));
        }
        if let Some(status) = &options.status {
            request = request.status_equals(TrainingJobStatus::from(status.as_str()));
        }
        manifest.counts.calls += 1;
        let page = request.send().await.map_err(|e| describe_error(&e))?;
        for s in page.training_job_summaries() {
            if let (Some(name), Some(arn)) = (s.training_job_name(), s.training_job_arn()) {
                out.push((name.to_owned(), arn.to_owned()));
            }
        }
        progress.listed(out.len() as u64);
        // An empty page with a token is not the end: keep going until the token is gone.
        match page.next_token() {
            Some(next) if !next.is_empty() => {
                if token.as_deref() == Some(next) {
                    return Err((
                        None,
                        format!("ListTrainingJobs returned the same NextToken twice ({next})"),
                    ));
                }
                token = Some(next.to_owned());
            }
            _ => return Ok(out),
        }
    }
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
}
