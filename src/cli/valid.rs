//! Flags turned into configuration, checked before any input is read (cargo-deny's `Valid…`
//! idea): what reaches a command is already known to be usable, and every problem is a usage
//! failure naming the flag.

use std::path::PathBuf;

#[cfg(feature = "aws")]
use super::AwsArgs;
use super::{Failure, ReportArgs, usage};
use crate::audit::Audit;
use crate::render::{Format, RenderOptions, template::Templates};
use crate::report::Severity;
#[cfg(feature = "aws")]
use crate::resource::Group;

pub(super) struct Output {
    pub(super) formats: Vec<Format>,
    pub(super) out_dir: Option<PathBuf>,
    pub(super) options: RenderOptions,
}

/// Everything about reporting, validated before any input is read.
pub(super) struct Reporting {
    pub(super) output: Output,
    pub(super) audit: Audit,
    pub(super) fail_on: Option<Severity>,
}

impl Reporting {
    /// The reporting flags, checked: formats and templates, waivers, baseline, framework.
    pub(super) fn from_args(args: &ReportArgs) -> Result<Reporting, Failure> {
        prepare(args)
    }
}

fn prepare(args: &ReportArgs) -> Result<Reporting, Failure> {
    let output = validate_output(args)?;
    let waivers = match &args.waivers {
        Some(path) => Some((
            path.display().to_string(),
            crate::waivers::load(path).map_err(|e| usage(e.to_string()))?,
        )),
        None => None,
    };
    let baseline = match &args.baseline {
        Some(path) => Some(crate::baseline::load(path).map_err(|e| usage(e.to_string()))?),
        None => None,
    };
    let framework = match &args.framework {
        Some(name) => Some(crate::kinds::checks::find_framework(name).map_err(usage)?),
        None => None,
    };
    Ok(Reporting {
        output,
        audit: Audit {
            waivers,
            baseline,
            fail_on_new: args.fail_on_new,
            framework,
        },
        fail_on: args.fail_on.threshold(),
    })
}

#[cfg(feature = "aws")]
pub(super) fn live_options(
    aws: &AwsArgs,
    generated_at: String,
) -> Result<crate::aws::LiveOptions, Failure> {
    let regions = if aws.all_regions {
        crate::aws::regions::sagemaker_regions()
            .into_iter()
            .map(str::to_owned)
            .collect()
    } else if let Some(r) = &aws.region {
        vec![r.clone()]
    } else {
        aws.regions.clone()
    };
    let created_after = match &aws.created_after {
        None => None,
        Some(text) => Some(parse_time(text).ok_or_else(|| {
            usage(format!(
                "--created-after {text:?}: expected RFC 3339 (2025-01-31T00:00:00Z) or a date (2025-01-31)"
            ))
        })?),
    };
    for g in &aws.kinds {
        if let Group::Kind(k) = g
            && let Some(advice) = k.decl().not_listed()
        {
            return Err(usage(format!(
                "--kinds {g}: a live scan cannot list {}: {advice}",
                g.plural()
            )));
        }
    }
    let mut kinds = chosen_kinds(&aws.kinds);
    if let Some(status) = &aws.status {
        if aws.kinds.is_empty() {
            kinds = kinds_with_status(status, kinds);
        }
        check_status(status, &kinds)?;
    }
    let accounts = account_scope(aws)?;
    Ok(crate::aws::LiveOptions {
        kinds,
        every_kind: aws.kinds.is_empty(),
        accounts,
        max_concurrency: usize::from(aws.max_concurrency),
        profile: aws.profile.clone(),
        regions,
        created_after,
        created_after_text: aws.created_after.clone(),
        status: aws.status.clone(),
        concurrency: usize::from(aws.concurrency),
        split_listings: !aws.sequential_listing,
        cache: None,
        max_attempts: aws.max_attempts,
        timeouts: crate::aws::Timeouts {
            connect: std::time::Duration::from_secs(aws.connect_timeout),
            attempt: std::time::Duration::from_secs(aws.attempt_timeout),
            operation: std::time::Duration::from_secs(aws.operation_timeout),
        },
        progress: crate::log::level() >= 1,
        generated_at,
    })
}

/// `--accounts`, `--organization`, `--exclude-accounts`, `--role-name` and `--external-id`,
/// checked: account ids are 12 digits, the role name and external id use only the characters
/// IAM and STS accept (they become part of an ARN and a request).
#[cfg(feature = "aws")]
fn account_scope(aws: &AwsArgs) -> Result<crate::aws::accounts::AccountScope, Failure> {
    let ids = |flag: &str, list: &[String]| -> Result<Vec<String>, Failure> {
        list.iter()
            .map(|a| a.trim().to_owned())
            .map(|a| {
                if crate::model::is_account_id(&a) {
                    Ok(a)
                } else {
                    Err(usage(format!(
                        "{flag}: {:?} is not a 12-digit account id",
                        crate::text::one_line(&a, 40)
                    )))
                }
            })
            .collect()
    };
    let accounts = ids("--accounts", &aws.accounts)?;
    let exclude = ids("--exclude-accounts", &aws.exclude_accounts)?;
    let multi = aws.organization || !accounts.is_empty();
    if !multi && (!exclude.is_empty() || aws.role_name.is_some()) {
        return Err(usage(
            "--exclude-accounts and --role-name apply to --accounts or --organization",
        ));
    }
    let allowed = |c: char, extra: &str| {
        c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) || extra.contains(c)
    };
    if let Some(role) = &aws.role_name
        && (role.is_empty() || role.len() > 64 || !role.chars().all(|c| allowed(c, "")))
    {
        return Err(usage(format!(
            "--role-name {:?}: a role name is 1 to 64 letters, digits and _+=,.@-",
            crate::text::one_line(role, 80)
        )));
    }
    if let Some(id) = &aws.external_id
        && (id.len() < 2 || id.len() > 1224 || !id.chars().all(|c| allowed(c, ":/")))
    {
        return Err(usage(
            "--external-id: 2 to 1224 letters, digits and _+=,.@:/-",
        ));
    }
    Ok(crate::aws::accounts::AccountScope {
        accounts,
        organization: aws.organization,
        exclude,
        role_name: aws.role_name.clone(),
        external_id: aws.external_id.clone(),
    })
}

/// The kinds `--kinds` chose, in report order; all of them when it is not given.
#[cfg(feature = "aws")]
fn chosen_kinds(given: &[Group]) -> Vec<Group> {
    let mut kinds: Vec<Group> = if given.is_empty() {
        Group::listed()
    } else {
        given.to_vec()
    };
    kinds.sort();
    kinds.dedup();
    kinds
}

/// Without `--kinds`, `--status` scans the kinds that have that status (and those that have
/// none, listed whole), saying which it leaves out; when no kind has it, all stay, so that
/// [`check_status`] refuses it.
#[cfg(feature = "aws")]
fn kinds_with_status(status: &str, kinds: Vec<Group>) -> Vec<Group> {
    let has = |g: &Group| match g {
        Group::Kind(k) => k.statuses().is_empty() || k.status(status).is_some(),
        _ => true,
    };
    if !kinds
        .iter()
        .any(|g| matches!(g, Group::Kind(k) if k.status(status).is_some()))
    {
        return kinds;
    }
    let (keep, left_out): (Vec<Group>, Vec<Group>) = kinds.into_iter().partition(has);
    if !left_out.is_empty() {
        let names: Vec<&str> = left_out.iter().map(|g| g.plural()).collect();
        crate::info!(
            "--status {}: not listing {}, which have no such status (name them with --kinds to \
             see theirs)",
            crate::text::one_line(status, 40),
            names.join(", ")
        );
    }
    keep
}

/// `--status` must be a status of every chosen kind (declared with the kind, in any case: each
/// kind's List call gets its own spelling): the List calls reject any other, and a filter that
/// silently matched nothing would be a false pass.
#[cfg(feature = "aws")]
fn check_status(status: &str, kinds: &[Group]) -> Result<(), Failure> {
    // Pipelines and endpoint configurations are definitions, not runs: no status filters
    // them, and a filter over nothing but them would filter nothing.
    let has_status = |g: &Group| matches!(g, Group::Kind(k) if !k.statuses().is_empty());
    if !kinds.iter().any(has_status) {
        let names: Vec<&str> = kinds.iter().map(|g| g.plural()).collect();
        return Err(usage(format!(
            "--status: {} have no status to filter by (it applies to jobs)",
            names.join(" and ")
        )));
    }
    for kind in kinds.iter().filter_map(|g| match g {
        Group::Kind(k) => Some(k),
        Group::PipelineSteps
        | Group::SdkConfig
        | Group::StateMachineTasks
        | Group::IacResources => None,
    }) {
        let known = kind.statuses();
        // A kind without a status (an endpoint configuration) is listed whole.
        if !known.is_empty() && kind.status(status).is_none() {
            return Err(usage(format!(
                "--status {:?}: {} have no such status (theirs: {}){}",
                crate::text::one_line(status, 40),
                kind.plural(),
                known.join(", "),
                if kinds.len() > 1 {
                    "; narrow the scan with --kinds"
                } else {
                    ""
                }
            )));
        }
    }
    Ok(())
}

#[cfg(feature = "aws")]
fn parse_time(text: &str) -> Option<i64> {
    if let Some(t) = crate::model::Timestamp::parse_iso(text) {
        return Some(t.0.timestamp());
    }
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc().timestamp())
}

fn validate_output(args: &ReportArgs) -> Result<Output, Failure> {
    let mut formats = args.format.clone();
    formats.sort_by_key(|f| f.rank());
    formats.dedup();
    if formats.is_empty() {
        formats = match args.out_dir {
            Some(_) => Format::defaults(),
            None => vec![Format::named("md").expect("the Markdown writer")],
        };
    }
    if args.out_dir.is_none() && formats.len() > 1 {
        return Err(usage(
            "several formats need --out-dir DIR; without it, pick one --format for stdout",
        ));
    }
    let templates = match &args.templates {
        Some(dir) => Templates::from_dir(dir).map_err(|e| usage(e.to_string()))?,
        None => Templates::default(),
    };
    if args.sarif_category.trim_matches('/').is_empty() {
        return Err(usage("--sarif-category must not be empty"));
    }
    Ok(Output {
        formats,
        out_dir: args.out_dir.clone(),
        options: RenderOptions {
            sarif_all_results: args.sarif_all_results,
            sarif_category: args.sarif_category.clone(),
            templates,
        },
    })
}

/// The run's timestamp and id; `SOURCE_DATE_EPOCH` pins both for reproducible reports.
pub(super) fn run_stamp() -> crate::report::RunStamp {
    let pinned = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0));
    let now = pinned.unwrap_or_else(chrono::Utc::now);
    crate::report::RunStamp::new(
        now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        pinned.is_some(),
    )
}

#[cfg(all(test, feature = "aws"))]
mod tests {
    use super::*;
    use crate::resource::Kind;

    #[test]
    fn a_status_must_exist_for_every_chosen_kind() {
        let all = Group::listed();
        let only = |kinds: &[Kind]| kinds.iter().map(|&k| Group::Kind(k)).collect::<Vec<_>>();
        // Every kind named: endpoints and notebook instances have no status Completed.
        let e = check_status("Completed", &all).unwrap_err().to_string();
        assert!(e.contains("endpoints have no such status"), "{e}");
        assert!(check_status("Completed", &kinds_with_status("Completed", all.clone())).is_ok());
        assert!(check_status("Deleting", &only(&[Kind::Training, Kind::Tuning])).is_ok());
        let e = check_status("Deleting", &all).unwrap_err().to_string();
        assert!(e.contains("processing jobs have no such status"), "{e}");
        assert!(e.contains("--kinds"), "{e}");
        // Without --kinds, the kinds without the status are left out instead.
        let deleting = kinds_with_status("Deleting", all.clone());
        assert!(deleting.contains(&Group::Kind(Kind::Training)));
        assert!(deleting.contains(&Group::Kind(Kind::Notebook)));
        assert!(deleting.contains(&Group::Kind(Kind::EndpointConfig)));
        assert!(!deleting.contains(&Group::Kind(Kind::Processing)));
        assert!(check_status("Deleting", &deleting).is_ok());
        let completed = kinds_with_status("Completed", all.clone());
        assert!(!completed.contains(&Group::Kind(Kind::Notebook)));
        assert_eq!(kinds_with_status("Done", all.clone()), all);
        // Any case or punctuation names the kind's own spelling; a status no kind has does not.
        assert!(check_status("completed", &only(&[Kind::Training])).is_ok());
        assert_eq!(Kind::Compilation.status("Completed"), Some("COMPLETED"));
        assert_eq!(Kind::Training.status("in-progress"), Some("InProgress"));
        assert!(check_status("Done", &only(&[Kind::Training])).is_err());
        assert!(
            check_status("Completed", &kinds_with_status("Completed", all.clone())).is_ok(),
            "pipelines take no status"
        );
        assert!(check_status("Completed", &[Group::PipelineSteps]).is_err());
        // Endpoint configurations have no status: listed whole next to the filtered jobs.
        assert!(check_status("Failed", &only(&[Kind::Training, Kind::EndpointConfig])).is_ok());
        assert_eq!(chosen_kinds(&[]), all);
        assert_eq!(
            chosen_kinds(&only(&[Kind::Tuning, Kind::Training, Kind::Tuning])),
            only(&[Kind::Training, Kind::Tuning])
        );
    }
}
