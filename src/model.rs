//! The part of a `DescribeTrainingJob` response the rules read.
//!
//! Only what the reports need is kept, so a scan of 100,000 jobs stays small in memory.

use chrono::{DateTime, SecondsFormat, Utc};

/// A training job as the rules see it, whatever mode it was read in.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingJob {
    /// `TrainingJobName`.
    pub name: String,
    /// `TrainingJobArn`.
    pub arn: String,
    /// Account id taken from the ARN (empty when the ARN does not carry one).
    pub account_id: String,
    /// Region taken from the ARN (empty when the ARN does not carry one).
    pub region: String,
    /// ARN partition (`aws`, `aws-cn`, `aws-us-gov`), used to build key ARNs.
    pub partition: String,
    /// `TrainingJobStatus`, e.g. `Completed`.
    pub status: Option<String>,
    /// `CreationTime`.
    pub creation_time: Option<Timestamp>,
    /// `LastModifiedTime`.
    pub last_modified_time: Option<Timestamp>,
    /// `ResourceConfig`; `None` for jobs without one (serverless training).
    pub resource: Option<ResourceConfig>,
    /// `OutputDataConfig`; `None` when the document has none.
    pub output: Option<OutputDataConfig>,
    /// True when the document has a `ServerlessJobConfig`: SageMaker picks the compute.
    pub serverless: bool,
    /// Where the job was read from.
    pub origin: Origin,
}

/// `ResourceConfig`, reduced to what decides the volume check.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResourceConfig {
    /// `ResourceConfig.InstanceType`.
    pub instance_type: Option<String>,
    /// `ResourceConfig.InstanceGroups[].InstanceType` (heterogeneous clusters).
    pub instance_groups: Vec<String>,
    /// `ResourceConfig.SelectedInstanceType`: the preference SageMaker picked, once it has.
    pub selected_instance_type: Option<String>,
    /// `ResourceConfig.InstancePreferences[].InstanceType`, in priority order.
    pub instance_preferences: Vec<String>,
    /// `ResourceConfig.VolumeKmsKeyId` as written, which may be empty.
    pub volume_kms_key_id: Option<String>,
}

impl ResourceConfig {
    /// The instance types the job runs on, in the order the API documents them:
    /// `InstanceType`, else every instance group's type, else the type SageMaker selected
    /// from `InstancePreferences`, else every preferred type (before SageMaker has picked,
    /// any of them may run the job).
    pub fn instance_types(&self) -> Vec<&str> {
        if let Some(t) = non_empty(&self.instance_type) {
            return vec![t];
        }
        let groups: Vec<&str> = self
            .instance_groups
            .iter()
            .map(String::as_str)
            .filter(|t| !t.is_empty())
            .collect();
        if !groups.is_empty() {
            return groups;
        }
        if let Some(selected) = non_empty(&self.selected_instance_type) {
            return vec![selected];
        }
        self.instance_preferences
            .iter()
            .map(String::as_str)
            .filter(|t| !t.trim().is_empty())
            .collect()
    }
}

/// `OutputDataConfig`, reduced to its key and where the output goes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutputDataConfig {
    /// `OutputDataConfig.KmsKeyId` as written, which may be empty.
    pub kms_key_id: Option<String>,
    /// `OutputDataConfig.S3OutputPath`.
    pub s3_output_path: Option<String>,
}

/// The S3 Express One Zone directory bucket an output location names, if it names one.
/// Directory buckets end in `--x-s3`; the location is `s3://bucket/…` or an HTTPS URL with
/// the bucket in the host or the first path segment.
pub fn express_one_zone_bucket(location: &str) -> Option<&str> {
    let location = location.trim();
    let candidates: Vec<&str> = if let Some(rest) = location.strip_prefix("s3://") {
        vec![rest.split('/').next().unwrap_or_default()]
    } else if let Some(rest) = location.strip_prefix("https://") {
        let mut parts = rest.splitn(3, '/');
        let host = parts.next().unwrap_or_default();
        vec![
            host.split('.').next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        ]
    } else {
        Vec::new()
    };
    candidates
        .into_iter()
        .find(|b| b.len() > "--x-s3".len() && b.ends_with("--x-s3"))
}

/// Where a job came from: the file (relative to the working directory when it can be)
/// and the lines of the keys that findings point at.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Origin {
    /// Path of the scanned file, as shown in reports.
    pub file: String,
    /// Line of the start of this job's document.
    pub document_line: u32,
    /// Line of `ResourceConfig`, if present.
    pub resource_config_line: Option<u32>,
    /// Line of `ResourceConfig.VolumeKmsKeyId`, if present.
    pub volume_key_line: Option<u32>,
    /// Line of `OutputDataConfig`, if present.
    pub output_config_line: Option<u32>,
    /// Line of `OutputDataConfig.KmsKeyId`, if present.
    pub output_key_line: Option<u32>,
}

/// A point in time from the API, accepted as epoch seconds or ISO 8601.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    /// Parses epoch seconds (`1710407565.123`, as the wire and AWS CLI v1 print them).
    pub fn from_epoch_seconds(secs: f64) -> Option<Self> {
        if !secs.is_finite() {
            return None;
        }
        let millis = (secs * 1000.0).round();
        if millis.abs() > 8.0e15 {
            return None;
        }
        DateTime::from_timestamp_millis(millis as i64).map(Timestamp)
    }

    /// Parses ISO 8601 with any offset (`2024-03-14T09:12:45.123000+00:00`, AWS CLI v2).
    pub fn parse_iso(text: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(text.trim())
            .ok()
            .map(|t| Timestamp(t.with_timezone(&Utc)))
    }

    /// RFC 3339 in UTC with millisecond precision, as every report prints it.
    pub fn to_rfc3339(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

/// The parts of a SageMaker ARN the reports show.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArnParts {
    /// `aws`, `aws-cn`, …
    pub partition: String,
    /// e.g. `us-east-1`.
    pub region: String,
    /// Twelve-digit account id.
    pub account_id: String,
}

impl ArnParts {
    /// Splits `arn:partition:service:region:account:resource`; `None` if it is not an ARN.
    pub fn parse(arn: &str) -> Option<Self> {
        let mut parts = arn.splitn(6, ':');
        let (arn_tag, partition, _service, region, account, _resource) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        (arn_tag == "arn").then(|| ArnParts {
            partition: partition.to_owned(),
            region: region.to_owned(),
            account_id: account.to_owned(),
        })
    }
}

/// Why an ARN from a document or the API was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ArnError(pub String);

impl ArnParts {
    /// Parses and validates the ARN of a SageMaker resource of `kind` (for example
    /// `training-job`), as the API documents it: partition `aws` or `aws-…`, service
    /// `sagemaker`, a region of the documented shape, a 12-digit account id and
    /// `<kind>/<name>`. Returns the parts and the name. Anything else is refused, because these
    /// parts become report columns and, in `collect`, directory names.
    pub fn sagemaker<'a>(arn: &'a str, kind: &str) -> Result<(ArnParts, &'a str), ArnError> {
        let shown = crate::text::one_line(arn, 120);
        let refuse =
            |why: String| ArnError(format!("{shown:?} is not a SageMaker {kind} ARN: {why}"));
        let mut parts = arn.splitn(6, ':');
        let fields: Vec<&str> = parts.by_ref().collect();
        let [tag, partition, service, region, account, resource] = fields[..] else {
            return Err(refuse("it does not have six `:`-separated parts".into()));
        };
        if tag != "arn" {
            return Err(refuse("it does not start with `arn:`".into()));
        }
        if !is_partition(partition) {
            return Err(refuse(format!(
                "partition {partition:?} is not `aws` or `aws-…`"
            )));
        }
        if service != "sagemaker" {
            return Err(refuse(format!("service {service:?} is not `sagemaker`")));
        }
        if !is_region(region) {
            return Err(refuse(format!("{region:?} is not a region")));
        }
        if !is_account_id(account) {
            return Err(refuse(format!("account {account:?} is not 12 digits")));
        }
        let Some(name) = resource
            .strip_prefix(kind)
            .and_then(|r| r.strip_prefix('/'))
        else {
            return Err(refuse(format!(
                "the resource does not begin with `{kind}/`"
            )));
        };
        Ok((
            ArnParts {
                partition: partition.to_owned(),
                region: region.to_owned(),
                account_id: account.to_owned(),
            },
            name,
        ))
    }
}

/// An AWS account id: exactly 12 digits.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A region name of the documented shape: lower-case words joined by `-`, ending in a number,
/// such as `us-east-1`, `us-gov-west-1` or `eu-isoe-west-1`.
pub fn is_region(s: &str) -> bool {
    let mut words = s.split('-');
    let first = words.next().unwrap_or_default();
    let rest: Vec<&str> = words.collect();
    let Some((number, middle)) = rest.split_last() else {
        return false;
    };
    (2..=4).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && !middle.is_empty()
        && middle
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && (1..=2).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// An ARN partition: `aws`, or `aws-` and lower-case words (`aws-cn`, `aws-us-gov`, `aws-iso-b`).
pub fn is_partition(s: &str) -> bool {
    s == "aws"
        || s.strip_prefix("aws-").is_some_and(|rest| {
            rest.split('-')
                .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        })
}

/// `Some(s)` when the option holds a non-empty string.
pub fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_both_cli_styles_agree() {
        let v2 = Timestamp::parse_iso("2024-03-14T09:12:45.123000+00:00").unwrap();
        let v1 = Timestamp::from_epoch_seconds(1710407565.123).unwrap();
        assert_eq!(v1, v2);
        let offset = Timestamp::parse_iso("2024-03-14T11:12:45.123+02:00").unwrap();
        assert_eq!(offset, v2);
        assert_eq!(v2.to_rfc3339(), "2024-03-14T09:12:45.123Z");
    }

    #[test]
    fn bad_timestamps_are_rejected() {
        assert!(Timestamp::parse_iso("yesterday").is_none());
        assert!(Timestamp::from_epoch_seconds(f64::NAN).is_none());
        assert!(Timestamp::from_epoch_seconds(1e300).is_none());
    }

    #[test]
    fn express_one_zone_buckets_are_recognised() {
        for (location, bucket) in [
            (
                "s3://models--usw2-az1--x-s3/out/",
                Some("models--usw2-az1--x-s3"),
            ),
            ("s3://models/out/", None),
            ("s3://x-s3/out", None),
            (
                "https://models--use1-az4--x-s3.s3express-use1-az4.us-east-1.amazonaws.com/out",
                Some("models--use1-az4--x-s3"),
            ),
            (
                "https://s3.us-east-1.amazonaws.com/models--use1-az4--x-s3/out",
                Some("models--use1-az4--x-s3"),
            ),
            ("", None),
        ] {
            assert_eq!(express_one_zone_bucket(location), bucket, "{location}");
        }
    }

    #[test]
    fn instance_types_follow_the_documented_precedence() {
        let mut rc = ResourceConfig {
            instance_type: Some("ml.m5.xlarge".into()),
            instance_groups: vec!["ml.p4d.24xlarge".into()],
            selected_instance_type: Some("ml.g5.xlarge".into()),
            instance_preferences: vec!["ml.g6.xlarge".into(), "ml.m5.xlarge".into()],
            volume_kms_key_id: None,
        };
        assert_eq!(rc.instance_types(), vec!["ml.m5.xlarge"]);
        rc.instance_type = Some(String::new());
        assert_eq!(rc.instance_types(), vec!["ml.p4d.24xlarge"]);
        rc.instance_groups.clear();
        assert_eq!(rc.instance_types(), vec!["ml.g5.xlarge"]);
        rc.selected_instance_type = None;
        assert_eq!(rc.instance_types(), vec!["ml.g6.xlarge", "ml.m5.xlarge"]);
        rc.instance_preferences.clear();
        assert!(rc.instance_types().is_empty());
    }

    #[test]
    fn sagemaker_arns_are_validated() {
        let (p, name) = ArnParts::sagemaker(
            "arn:aws-us-gov:sagemaker:us-gov-west-1:123456789012:training-job/My-Job",
            "training-job",
        )
        .unwrap();
        assert_eq!((p.region.as_str(), name), ("us-gov-west-1", "My-Job"));
        for bad in [
            "arn:aws:sagemaker:us-east-1:../../../../tmp/x:training-job/j",
            "arn:aws:sagemaker:us-east-1:/etc:training-job/j",
            "arn:aws:sagemaker:us-east-1:12345678901:training-job/j",
            "arn:aws:sagemaker:../x:123456789012:training-job/j",
            "arn:aws:sagemaker::123456789012:training-job/j",
            "arn:evil:sagemaker:us-east-1:123456789012:training-job/j",
            "arn:aws:s3:us-east-1:123456789012:training-job/j",
            "arn:aws:sagemaker:us-east-1:123456789012:processing-job/j",
            "arn:aws:sagemaker:us-east-1:123456789012",
        ] {
            assert!(ArnParts::sagemaker(bad, "training-job").is_err(), "{bad}");
        }
    }

    #[test]
    fn region_and_partition_shapes() {
        for good in [
            "us-east-1",
            "ap-southeast-7",
            "us-gov-west-1",
            "eu-isoe-west-1",
            "eusc-de-east-1",
            "cn-northwest-1",
        ] {
            assert!(is_region(good), "{good}");
        }
        for bad in [
            "",
            "us",
            "us-east",
            "US-EAST-1",
            "us-east-1a",
            "us--1",
            "x-1",
            "us-east-123",
            "../1",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
        for good in ["aws", "aws-cn", "aws-us-gov", "aws-iso-b", "aws-eusc"] {
            assert!(is_partition(good), "{good}");
        }
        for bad in ["", "aws-", "awsx", "aws-X", "azure"] {
            assert!(!is_partition(bad), "{bad}");
        }
    }

    #[test]
    fn arn_parts() {
        let p =
            ArnParts::parse("arn:aws-cn:sagemaker:cn-north-1:123456789012:training-job/x").unwrap();
        assert_eq!(p.partition, "aws-cn");
        assert_eq!(p.region, "cn-north-1");
        assert_eq!(p.account_id, "123456789012");
        assert!(ArnParts::parse("training-job/x").is_none());
    }
}
