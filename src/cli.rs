//! Command-line interface: flags, validation into a scan configuration, exit codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::audit::Audit;
use crate::render::{self, Format, RenderOptions, template::Templates};
use crate::report::{Report, Severity};
use crate::resource::{Group, Kind};
use crate::rules::InstanceStorageTable;
use crate::scan::{self, ScanConfig};

/// Audit Amazon SageMaker jobs (training, processing, batch transform, hyperparameter tuning,
/// AutoML) for customer-managed KMS encryption of their volumes and outputs.
#[derive(Debug, Parser)]
#[command(name = "sagemaker-audit", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Only print errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail on stderr.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Check saved `describe-*-job` JSON files and directories (or, in builds with the `aws`
    /// feature, an account through the API with --live).
    Scan(ScanArgs),
    /// Combine JSON reports from many accounts or regions into one set of reports.
    Merge(MergeArgs),
    /// Export an account's jobs and key facts for an offline review.
    #[cfg(feature = "aws")]
    Collect(CollectArgs),
    /// Print a shell completion script (bash: `source <(sagemaker-audit completions bash)`).
    Completions(CompletionsArgs),
    /// List the kinds of resource the tool audits: their API calls, `--status` values and
    /// checks, or the read-only IAM policy a live scan needs.
    Kinds(KindsArgs),
}

/// Flags of `kinds`.
#[derive(Debug, Args)]
pub struct KindsArgs {
    /// Write the catalogue as JSON (name, resource type, List and Describe operations,
    /// statuses, rule ids).
    #[arg(long, conflicts_with = "iam_policy")]
    pub json: bool,
    /// Write the minimal read-only IAM policy of a live scan (every kind's List and Describe
    /// call and kms:DescribeKey).
    #[arg(long)]
    pub iam_policy: bool,
}

/// Flags of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// Where and how to call AWS (live mode and `collect`).
#[cfg(feature = "aws")]
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "AWS")]
pub struct AwsArgs {
    /// Named profile from ~/.aws/config (else the default credential chain).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// One region (else the profile's or AWS_REGION).
    #[arg(long, value_name = "REGION", conflicts_with_all = ["regions", "all_regions"])]
    pub region: Option<String>,
    /// Several regions, comma-separated.
    #[arg(
        long,
        value_name = "REGIONS",
        value_delimiter = ',',
        conflicts_with = "all_regions"
    )]
    pub regions: Vec<String>,
    /// Every SageMaker region of the aws partition (regions not enabled are reported).
    #[arg(long)]
    pub all_regions: bool,
    /// Kinds to audit, comma-separated, `pipeline` for the steps of pipeline definitions
    /// (default: all; `sagemaker-audit kinds` lists them).
    #[arg(
        long,
        value_name = "KINDS",
        value_delimiter = ',',
        value_parser = kind_parser()
    )]
    pub kinds: Vec<Group>,
    /// Only jobs created after this time (RFC 3339, or a date like 2025-01-31).
    #[arg(long, value_name = "TIME")]
    pub created_after: Option<String>,
    /// Only jobs in this status, e.g. Completed (each kind's List call's own status names;
    /// a status a chosen kind does not have is refused).
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Scan these accounts, comma-separated 12-digit ids (each through --role-name, except the
    /// caller's own).
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        conflicts_with = "organization"
    )]
    pub accounts: Vec<String>,
    /// Scan every active account of the AWS Organization (organizations:ListAccounts, from the
    /// management or a delegated administrator account).
    #[arg(long)]
    pub organization: bool,
    /// Leave these accounts out of --accounts or --organization, comma-separated.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub exclude_accounts: Vec<String>,
    /// Role to assume in every scanned account but the caller's:
    /// arn:PARTITION:iam::ACCOUNT:role/NAME (the read-only role of docs/org-role.yaml).
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,
    /// External id the role's trust policy requires.
    #[arg(long, value_name = "ID", requires = "role_name")]
    pub external_id: Option<String>,
    /// Calls in flight at once in one account and region (API quotas are per account and
    /// region).
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Calls in flight at once in the whole scan, over every account and region.
    #[arg(long, value_name = "N", default_value_t = 128, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub max_concurrency: u16,
    /// Attempts per API call (adaptive retry mode).
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// Seconds to wait for a connection to an endpoint.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub connect_timeout: u64,
    /// Seconds one attempt of a call may take, response included.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub attempt_timeout: u64,
    /// Seconds one call may take, retries included; then it is an ERROR.
    #[arg(long, value_name = "SECONDS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=7200))]
    pub operation_timeout: u64,
}

/// Flags of `collect`.
#[cfg(feature = "aws")]
#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Directory to write `<account>/<region>/<kind>/<job>.json`, `kms/` and `manifest.json`
    /// to.
    #[arg(short, long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// AWS scope.
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// Flags of `scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories of exported `aws sagemaker describe-training-job`,
    /// `describe-processing-job`, `describe-transform-job`,
    /// `describe-hyper-parameter-tuning-job` or `describe-auto-ml-job-v2` output, in any mix
    /// (.json with one document, an array or a sequence of objects; .jsonl/.ndjson with one
    /// per line), or `-` for standard input; SageMaker Pipeline definitions (`.json` files,
    /// `describe-pipeline` output), CloudFormation templates (JSON or YAML) and Terraform plans
    /// or states (`terraform show -json`), whose job-creating steps are judged before any job
    /// exists. Directories are walked recursively; KMS `describe-key` and `list-aliases` output
    /// found there is used as key facts.
    #[arg(value_name = "PATH")]
    #[cfg_attr(feature = "aws", arg(required_unless_present = "live"))]
    #[cfg_attr(not(feature = "aws"), arg(required = true))]
    pub paths: Vec<PathBuf>,

    /// Audit the account live through the AWS API instead of saved files.
    #[cfg(feature = "aws")]
    #[arg(long, conflicts_with = "paths")]
    pub live: bool,

    /// AWS scope for --live.
    #[cfg(feature = "aws")]
    #[command(flatten)]
    pub aws: AwsArgs,

    /// Saved `aws kms describe-key` / `aws kms list-aliases` output (file or directory),
    /// so the key manager and key state decide instead of UNVERIFIED. Repeatable.
    #[arg(long, value_name = "PATH", help_heading = "Inputs")]
    pub kms_keys: Vec<PathBuf>,

    /// Exit 0 rather than 3 when the inputs hold no job at all (an empty stream,
    /// `[]`, an empty directory), and accept empty files.
    #[arg(long, help_heading = "Inputs")]
    pub allow_empty: bool,

    /// TOML file extending or overriding the built-in table of instance families with
    /// local NVMe storage (see data/local-nvme-families.toml).
    #[arg(long, value_name = "FILE", help_heading = "Inputs")]
    pub nvme_families: Option<PathBuf>,

    /// Reports, waivers, baseline and exit-code gating.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Flags of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports written by `scan` (for example one per account from a CI matrix).
    #[arg(required = true, value_name = "REPORT.json")]
    pub reports: Vec<PathBuf>,

    /// Which finding wins when reports disagree about one resource's check: `worst` (a FAIL
    /// is never replaced by a PASS, whatever the times say) or `newest` (the report with the
    /// newest LastModifiedTime, which a forged or skewed time can steer).
    #[arg(long, value_enum, default_value = "worst", value_name = "POLICY")]
    pub prefer: crate::merge::Prefer,

    /// Reports, waivers, baseline and exit-code gating.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// What to write and what counts as failing; shared by `scan` and `merge`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report formats, comma-separated. Default: sarif, csv, html, md and json with --out-dir;
    /// md on stdout without.
    #[arg(
        short,
        long,
        value_parser = format_parser(),
        value_delimiter = ',',
        value_name = "FORMATS",
        help_heading = "Output"
    )]
    pub format: Vec<Format>,

    /// Write DIR/report.<format> for each format (created if missing).
    #[arg(short, long, value_name = "DIR", help_heading = "Output")]
    pub out_dir: Option<PathBuf>,

    /// Directory with report.html and/or report.md replacing the embedded templates.
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub templates: Option<PathBuf>,

    /// SARIF automationDetails category, to keep several analyses apart in GitHub.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "sagemaker-audit",
        help_heading = "Output"
    )]
    pub sarif_category: String,

    /// Also put PASS and NOT_APPLICABLE results in SARIF (FAIL only by default).
    #[arg(long, help_heading = "Output")]
    pub sarif_all_results: bool,

    /// Exit 1 when a FAIL of at least this severity remains; `never` disables it.
    #[arg(
        long,
        value_enum,
        default_value = "high",
        value_name = "SEVERITY",
        help_heading = "Exit code"
    )]
    pub fail_on: FailOn,

    /// Exit 1 only for failures that are new against --baseline.
    #[arg(long, requires = "baseline", help_heading = "Exit code")]
    pub fail_on_new: bool,

    /// TOML file of waivers (rule, kind, account, region, job glob and/or ARN; reason, owner
    /// and expiry required). Waived failures are marked and do not count for the exit code.
    #[arg(long, value_name = "FILE", help_heading = "Audit")]
    pub waivers: Option<PathBuf>,

    /// A previous JSON or SARIF report: failures are marked new or unchanged, and fixed
    /// ones are listed.
    #[arg(long, value_name = "FILE", help_heading = "Audit")]
    pub baseline: Option<PathBuf>,

    /// Limit the compliance views to one framework (e.g. nist, iso27001, pci, hipaa, soc2,
    /// cis, ccm, c5).
    #[arg(long, value_name = "NAME", help_heading = "Audit")]
    pub framework: Option<String>,
}

/// `--fail-on` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any failure.
    Low,
    /// Medium and above.
    Medium,
    /// High and above.
    High,
    /// Critical only.
    Critical,
    /// Never exit 1 for failures.
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Low => Some(Severity::Low),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::High => Some(Severity::High),
            FailOn::Critical => Some(Severity::Critical),
            FailOn::Never => None,
        }
    }
}

/// Documented exit codes.
pub mod exit {
    /// Nothing failing at or above `--fail-on`.
    pub const CLEAN: u8 = 0;
    /// Failing findings.
    pub const FAILURES: u8 = 1;
    /// Usage or configuration error.
    pub const USAGE: u8 = 2;
    /// Some input could not be evaluated (takes precedence over 1).
    pub const INCOMPLETE: u8 = 3;
    /// The scan ran but its reports could not be written.
    pub const OUTPUT: u8 = 4;
}

/// Why a command stopped before it could finish; each maps to one exit code.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The command line or a configuration file is wrong (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// The reports (or `collect`'s files) could not be written (exit code 4).
    #[error("{0}")]
    Output(String),
}

impl Failure {
    /// The exit code this failure ends the process with.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => exit::USAGE,
            Failure::Output(_) => exit::OUTPUT,
        }
    }
}

fn usage(message: impl Into<String>) -> Failure {
    Failure::Usage(message.into())
}

/// `--kinds` values.
#[cfg(feature = "aws")]
fn kind_parser() -> impl clap::builder::TypedValueParser<Value = Group> {
    use clap::builder::PossibleValue;
    let names = Group::all()
        .into_iter()
        .map(|g| PossibleValue::new(g.name()))
        // Accepted, not listed.
        .chain([PossibleValue::new("pipelines").hide(true)]);
    clap::builder::PossibleValuesParser::new(names)
        .map(|name| Group::parse(&name).expect("a possible value"))
}

/// `--format` values: one per writer.
fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    clap::builder::PossibleValuesParser::new(render::possible_values())
        .map(|name| Format::named(&name).expect("a possible value"))
}

/// Reports a command-line error as one line naming the problem (exit code 2); help and version
/// requests print as clap renders them.
pub fn parse_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::from(if e.use_stderr() {
            exit::USAGE
        } else {
            exit::CLEAN
        });
    }
    // clap spreads one problem over several lines (the problem, possible values, a tip, the
    // usage and a pointer to --help); keep what names the problem, on one line.
    let rendered = e.render().to_string();
    let parts: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information")
        })
        .collect();
    let line = parts.join("; ");
    crate::error!(
        "{} (see --help)",
        line.strip_prefix("error: ").unwrap_or(&line)
    );
    ExitCode::from(exit::USAGE)
}

/// Runs the parsed command and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    crate::log::set_level(match (cli.quiet, cli.verbose) {
        (true, _) => 0,
        (_, true) => 2,
        _ => 1,
    });
    let result = match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Merge(args) => run_merge(args),
        #[cfg(feature = "aws")]
        Command::Collect(args) => run_collect(args),
        Command::Completions(args) => run_completions(&args),
        Command::Kinds(args) => run_kinds(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            crate::error!("{e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// The command-line definition, for the documents generated from it ([`crate::docs`]).
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command()
}

fn run_completions(args: &CompletionsArgs) -> Result<u8, Failure> {
    use std::io::Write;
    let script = crate::docs::completions(&command(), args.shell);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Output(format!("cannot write the completion script: {e}")))?;
    Ok(exit::CLEAN)
}

fn run_kinds(args: &KindsArgs) -> Result<u8, Failure> {
    use std::io::Write;
    let text = if args.json {
        crate::catalogue::json()
    } else if args.iam_policy {
        crate::catalogue::iam_policy()
    } else {
        crate::catalogue::table()
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Output(format!("cannot write the catalogue: {e}")))?;
    Ok(exit::CLEAN)
}

struct Output {
    formats: Vec<Format>,
    out_dir: Option<PathBuf>,
    options: RenderOptions,
}

/// Everything about reporting, validated before any input is read.
struct Prepared {
    output: Output,
    audit: Audit,
    fail_on: Option<Severity>,
}

fn prepare(args: &ReportArgs) -> Result<Prepared, Failure> {
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
    Ok(Prepared {
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

/// Annotates the report (waivers, baseline, framework), writes it, and picks the exit code.
fn finish(mut report: Report, prepared: &Prepared) -> Result<u8, Failure> {
    prepared.audit.annotate(&mut report);
    for e in &report.errors {
        crate::error!("{e}");
    }
    write_reports(&report, &prepared.output)?;
    summarise(&report, &prepared.output);
    Ok(exit_code(&report))
}

fn run_scan(args: ScanArgs) -> Result<u8, Failure> {
    let mut storage = InstanceStorageTable::built_in();
    if let Some(file) = &args.nvme_families {
        storage
            .apply_file(file)
            .map_err(|e| usage(format!("--nvme-families {e}")))?;
    }
    let prepared = prepare(&args.report)?;
    let cwd = std::env::current_dir()
        .map_err(|e| usage(format!("cannot read the working directory: {e}")))?;
    let config = ScanConfig {
        paths: args.paths,
        kms_paths: args.kms_keys,
        allow_empty: args.allow_empty,
        storage,
        fail_on: prepared.fail_on,
        run: run_stamp(),
    };
    #[cfg(feature = "aws")]
    let report = if args.live {
        let options = live_options(&args.aws, config.run.generated_at.clone())?;
        let fetched = crate::aws::fetch(&options).map_err(|e| usage(e.to_string()))?;
        scan::live(&config, fetched)
    } else {
        scan::offline(&config, &cwd)
    };
    #[cfg(not(feature = "aws"))]
    let report = scan::offline(&config, &cwd);
    finish(report, &prepared)
}

fn run_merge(args: MergeArgs) -> Result<u8, Failure> {
    let prepared = prepare(&args.report)?;
    let cwd = std::env::current_dir()
        .map_err(|e| usage(format!("cannot read the working directory: {e}")))?;
    let report = crate::merge::merge(
        &args.reports,
        &cwd,
        run_stamp(),
        prepared.fail_on,
        args.prefer,
    );
    finish(report, &prepared)
}

#[cfg(feature = "aws")]
fn live_options(aws: &AwsArgs, generated_at: String) -> Result<crate::aws::LiveOptions, Failure> {
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
    let kinds = chosen_kinds(&aws.kinds);
    if let Some(status) = &aws.status {
        check_status(status, &kinds)?;
    }
    let accounts = account_scope(aws)?;
    Ok(crate::aws::LiveOptions {
        kinds,
        accounts,
        max_concurrency: usize::from(aws.max_concurrency),
        profile: aws.profile.clone(),
        regions,
        created_after,
        created_after_text: aws.created_after.clone(),
        status: aws.status.clone(),
        concurrency: usize::from(aws.concurrency),
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
        Group::all()
    } else {
        given.to_vec()
    };
    kinds.sort();
    kinds.dedup();
    kinds
}

/// `--status` must be a status of every chosen kind (declared with the kind, in any case: each
/// kind's List call gets its own spelling): the List calls reject any other, and a filter that
/// silently matched nothing would be a false pass.
#[cfg(feature = "aws")]
fn check_status(status: &str, kinds: &[Group]) -> Result<(), Failure> {
    // Pipelines are definitions, not runs: no status filters them.
    if kinds == [Group::PipelineSteps] {
        return Err(usage(
            "--status: pipelines have no status to filter by (it applies to jobs)",
        ));
    }
    for kind in kinds.iter().filter_map(|g| match g {
        Group::Kind(k) => Some(k),
        Group::PipelineSteps => None,
    }) {
        let known = kind.statuses();
        if kind.status(status).is_none() {
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

#[cfg(feature = "aws")]
fn run_collect(args: CollectArgs) -> Result<u8, Failure> {
    let options = live_options(&args.aws, run_stamp().generated_at)?;
    let fetched = crate::aws::fetch(&options).map_err(|e| usage(e.to_string()))?;
    for call in &fetched.manifest.failed_calls {
        crate::error!("{}: {}", call.source, call.message);
    }
    let written = crate::aws::collect::write(&args.out_dir, &fetched).map_err(|e| {
        Failure::Output(format!(
            "--out-dir {}: cannot write the manifest: {e}",
            args.out_dir.display()
        ))
    })?;
    let m = &fetched.manifest;
    crate::info!(
        "sagemaker-audit collect: {} jobs listed, {} described, {} gone, {} keys described, {} failed calls; {} files in {}{}",
        m.counts.jobs_listed,
        m.counts.jobs_described,
        m.jobs_gone.len(),
        m.counts.keys_described,
        m.failed_calls.len() + written.failed,
        written.files,
        args.out_dir.display(),
        if written.failed > 0 {
            format!(" ({} could not be written)", written.failed)
        } else {
            String::new()
        }
    );
    Ok(if m.failed_calls.is_empty() && written.failed == 0 {
        exit::CLEAN
    } else {
        exit::INCOMPLETE
    })
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

fn write_reports(report: &Report, output: &Output) -> Result<(), Failure> {
    let fail = Failure::Output;
    let Some(dir) = &output.out_dir else {
        // Without --out-dir there is exactly one format, for stdout.
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        for &format in &output.formats {
            render::render(report, format, &output.options, &mut out)
                .map_err(|e| fail(format!("stdout: {e}")))?;
        }
        std::io::Write::flush(&mut out).map_err(|e| fail(format!("stdout: {e}")))?;
        return Ok(());
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(format!("--out-dir {}: {e}", dir.display())))?;
    let stale = crate::fsutil::remove_stale_temporaries(dir);
    if stale > 0 {
        crate::debug!("removed {stale} temporary files left by an interrupted run");
    }
    // Formats are independent: render each into its own temporary in parallel, one task per
    // format, the costliest first (the writers' order) so the two cores finish together. Only
    // when every format is complete are they renamed into place, so a failure or a kill never
    // leaves a set of reports mixed from two runs (and each carries the run id, should a
    // rename be cut short).
    use rayon::prelude::*;
    let mut formats = output.formats.clone();
    formats.sort_by_key(|f| std::cmp::Reverse(f.0.cost()));
    let prepared: Vec<crate::fsutil::Prepared> = formats
        .par_iter()
        .with_max_len(1)
        .map(|&format| {
            let started = std::time::Instant::now();
            let path = render::output_path(dir, format);
            let file = crate::fsutil::prepare(&path, |out| {
                render::render(report, format, &output.options, out)
            })
            .map_err(|e| fail(format!("{}: {e}", path.display())))?;
            crate::debug!(
                "wrote {} in {:.2} s",
                path.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(file)
        })
        .collect::<Result<_, Failure>>()?;
    let mut set = crate::fsutil::FileSet::default();
    prepared.into_iter().for_each(|p| set.add(p));
    set.commit()
        .map_err(|e| fail(format!("--out-dir {}: {e}", dir.display())))
}

fn summarise(report: &Report, output: &Output) {
    let c = report.counts();
    let where_to = match &output.out_dir {
        Some(dir) => {
            let exts: Vec<&str> = output.formats.iter().map(|f| f.extension()).collect();
            format!(
                "; reports in {}",
                shown(&dir.join(format!("report.{{{}}}", exts.join(","))))
            )
        }
        None => String::new(),
    };
    let source = match report.mode {
        crate::report::Mode::Offline => format!("{} files", report.inputs.files_read),
        crate::report::Mode::Live => "the AWS API".to_owned(),
        crate::report::Mode::Merged => format!("{} reports", report.inputs.paths.len()),
    };
    let kinds = report.kind_summaries();
    let jobs = match kinds.as_slice() {
        [] => "0 jobs".to_owned(),
        [only] if only.kind == Group::Kind(Kind::Training) => format!("{} jobs", only.resources),
        [only] => format!("{} {}", only.resources, only.kind.plural()),
        _ => format!(
            "{} jobs ({})",
            report.job_count(),
            kinds
                .iter()
                .map(|k| match k.kind {
                    Group::PipelineSteps => format!("{} pipeline steps", k.resources),
                    Group::Kind(kind) => format!("{} {}", k.resources, kind.name()),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    crate::info!(
        "sagemaker-audit: {jobs} from {source}: {} FAIL, {} PASS, {} NOT_APPLICABLE, {} not evaluated{}",
        c.fail,
        c.pass,
        c.not_applicable,
        report.errors.len(),
        where_to
    );
    let i = &report.inputs;
    if i.skipped_files + i.skipped_links + i.skipped_special > 0 {
        crate::info!(
            "skipped {} non-JSON files, {} symbolic links and {} FIFOs, sockets or devices in the scanned directories",
            i.skipped_files,
            i.skipped_links,
            i.skipped_special
        );
    }
    if let Some(w) = &report.waivers {
        crate::info!(
            "waivers: {} failing findings waived; {} waivers expired, {} matched nothing",
            w.applied,
            w.expired.len(),
            w.unused.len()
        );
        for warning in &w.warnings {
            crate::warn!("{}: {warning}", w.file);
        }
        for x in &w.expired {
            crate::warn!(
                "waiver at {}:{} ({}) expired on {}",
                w.file,
                x.line,
                x.matches,
                x.expires
            );
        }
    }
    if let Some(b) = &report.baseline {
        crate::info!(
            "since the baseline: {} new, {} unchanged, {} fixed",
            b.new,
            b.unchanged,
            b.fixed.len()
        );
    }
    if report.inputs.duplicate_jobs > 0 {
        crate::warn!(
            "{} jobs appeared more than once; the copy with the newest LastModifiedTime was kept",
            report.inputs.duplicate_jobs
        );
    }
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// 3 when incomplete (precedence), else 1 with gating failures, else 0.
pub fn exit_code(report: &Report) -> u8 {
    if report.is_incomplete() {
        exit::INCOMPLETE
    } else if report.gating_failures() > 0 {
        exit::FAILURES
    } else {
        exit::CLEAN
    }
}

/// The run's timestamp and id; `SOURCE_DATE_EPOCH` pins both for reproducible reports.
fn run_stamp() -> crate::report::RunStamp {
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

    #[test]
    fn a_status_must_exist_for_every_chosen_kind() {
        let all = Group::all();
        let only = |kinds: &[Kind]| kinds.iter().map(|&k| Group::Kind(k)).collect::<Vec<_>>();
        assert!(check_status("Completed", &all).is_ok());
        assert!(check_status("Deleting", &only(&[Kind::Training, Kind::Tuning])).is_ok());
        let e = check_status("Deleting", &all).unwrap_err().to_string();
        assert!(e.contains("processing jobs have no such status"), "{e}");
        assert!(e.contains("--kinds"), "{e}");
        // Any case or punctuation names the kind's own spelling; a status no kind has does not.
        assert!(check_status("completed", &only(&[Kind::Training])).is_ok());
        assert_eq!(Kind::Compilation.status("Completed"), Some("COMPLETED"));
        assert_eq!(Kind::Training.status("in-progress"), Some("InProgress"));
        assert!(check_status("Done", &only(&[Kind::Training])).is_err());
        assert!(
            check_status("Completed", &all).is_ok(),
            "pipelines take no status"
        );
        assert!(check_status("Completed", &[Group::PipelineSteps]).is_err());
        assert_eq!(chosen_kinds(&[]), all);
        assert_eq!(
            chosen_kinds(&only(&[Kind::Tuning, Kind::Training, Kind::Tuning])),
            only(&[Kind::Training, Kind::Tuning])
        );
    }
}
