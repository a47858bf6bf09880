//! Values every kind shares: timestamps, validated ARNs, regions, output locations.

use chrono::{DateTime, SecondsFormat, Utc};

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
    fn arn_parts() {
        let p =
            ArnParts::parse("arn:aws-cn:sagemaker:cn-north-1:123456789012:training-job/x").unwrap();
        assert_eq!(p.partition, "aws-cn");
        assert_eq!(p.region, "cn-north-1");
        assert_eq!(p.account_id, "123456789012");
        assert!(ArnParts::parse("training-job/x").is_none());
    }
}
