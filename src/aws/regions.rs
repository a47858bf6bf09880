//! Regions `--all-regions` visits: `data/sagemaker-regions.txt`, the `aws` partition's
//! SageMaker regions as botocore's endpoint data lists them (the test suite checks the file
//! against botocore). Opt-in regions the account has not enabled are reported as such, not as
//! errors.

const REGIONS: &str = include_str!("../../data/sagemaker-regions.txt");

/// SageMaker regions in the `aws` partition.
pub fn sagemaker_regions() -> Vec<&'static str> {
    REGIONS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// Error codes AWS answers with in a region the account has not enabled.
pub const NOT_ENABLED_CODES: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "AuthFailure",
    "OptInRequired",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_list_holds_regions() {
        let regions = sagemaker_regions();
        assert!(regions.len() >= 34, "{regions:?}");
        assert!(
            regions.iter().all(|r| crate::model::is_region(r)),
            "{regions:?}"
        );
        assert!(regions.contains(&"ap-east-2") && regions.contains(&"ap-southeast-6"));
    }
}
