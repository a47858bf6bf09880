//! The command line as clap parses it: subcommands and their flags, and the value parsers
//! that take their possible values from the registries (kinds, writers).

use std::path::PathBuf;

use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::render::Format;
use crate::report::Severity;
#[cfg(feature = "aws")]
use crate::resource::Group;

/// The command line. Its one-line description names the kinds from the registry.
#[derive(Debug, Parser)]
#[command(name = "sagemaker-audit", version, about = about(), long_about = None)]
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

/// "Audit Amazon SageMaker jobs (training, …) for …", the kinds as the registry lists them.
fn about() -> String {
    let kinds: Vec<&str> = crate::kinds::KINDS
        .iter()
        .map(|k| k.names.plural.trim_end_matches(" jobs"))
        .collect();
    format!(
        "Audit Amazon SageMaker jobs ({}) and pipeline definitions for customer-managed KMS \
         encryption of their volumes and outputs.",
        kinds.join(", ")
    )
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
    /// Only resources in this status, e.g. Completed (each kind's List call's own status
    /// names). Without --kinds, kinds that lack it are left out, named on stderr; a kind named
    /// with --kinds that lacks it is refused. Pipelines and endpoint configurations have no
    /// status and are listed whole.
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
    /// List each kind as one chain of pages, as AWS's paginators do. By default a listing
    /// with more than three pages is split into creation-time ranges listed side by side,
    /// which makes a few more List calls and is many times faster in an account with
    /// thousands of jobs.
    #[arg(long)]
    pub sequential_listing: bool,
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
    #[cfg_attr(
        feature = "aws",
        arg(required_unless_present_any = ["live", "sdk_config"])
    )]
    #[cfg_attr(not(feature = "aws"), arg(required_unless_present = "sdk_config"))]
    pub paths: Vec<PathBuf>,

    /// Also judge the SageMaker Python SDK's configuration files where the SDK reads them:
    /// SAGEMAKER_ADMIN_CONFIG_OVERRIDE and SAGEMAKER_USER_CONFIG_OVERRIDE (SDK 3's resource
    /// classes: SAGEMAKER_CORE_ADMIN_CONFIG_OVERRIDE, SAGEMAKER_CORE_USER_CONFIG_OVERRIDE), else
    /// config.yaml in the platform's site and user config directories. Each key path gets the
    /// verdict of the merged configuration, on the line of the file that decides it.
    #[cfg_attr(
        feature = "aws",
        arg(long, conflicts_with = "live", help_heading = "Inputs")
    )]
    #[cfg_attr(not(feature = "aws"), arg(long, help_heading = "Inputs"))]
    pub sdk_config: bool,

    /// Audit the account live through the AWS API instead of saved files.
    #[cfg(feature = "aws")]
    #[arg(long, conflicts_with = "paths")]
    pub live: bool,

    /// AWS scope for --live.
    #[cfg(feature = "aws")]
    #[command(flatten)]
    pub aws: AwsArgs,

    /// With --live: keep the describe response of every job that has ended (and of
    /// resources AWS cannot change) in DIR, and read it there on the next scan instead of
    /// describing the job again; key facts are always read anew.
    #[cfg(feature = "aws")]
    #[arg(long, value_name = "DIR", requires = "live")]
    pub cache: Option<PathBuf>,

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
    /// The lowest severity that fails the run (`None` for `never`).
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Low => Some(Severity::Low),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::High => Some(Severity::High),
            FailOn::Critical => Some(Severity::Critical),
            FailOn::Never => None,
        }
    }
}

/// `--kinds` values.
#[cfg(feature = "aws")]
fn kind_parser() -> impl clap::builder::TypedValueParser<Value = Group> {
    use clap::builder::PossibleValue;
    let names = Group::listed()
        .into_iter()
        .map(|g| PossibleValue::new(g.name()))
        // Accepted, not listed.
        .chain([PossibleValue::new("pipelines").hide(true)])
        // Accepted so that the scan can say why it cannot list them.
        .chain(
            crate::kinds::KINDS
                .iter()
                .filter(|d| d.unlisted.is_some())
                .map(|d| PossibleValue::new(d.kind.name()).hide(true)),
        );
    clap::builder::PossibleValuesParser::new(names)
        .map(|name| Group::parse(&name).expect("a possible value"))
}

/// `--format` values: one per writer.
fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    clap::builder::PossibleValuesParser::new(crate::render::possible_values())
        .map(|name| Format::named(&name).expect("a possible value"))
}
