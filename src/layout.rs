//! Where `collect` puts each document, and the path live reports show for it.
//!
//! ```text
//! DIR/<account>/<region>/<kind>/<encoded job name>.json
//! DIR/kms/<region>/describe-key-<encoded key id>.json
//! DIR/kms/<region>/aliases.json
//! DIR/manifest.json
//! ```
//!
//! The account and region are validated before they get here (12 digits; a region's
//! documented shape), so they are safe path components. Names come from the API and may be
//! anything, so they are encoded, reversibly and without collisions even on file systems that
//! ignore case:
//!
//! - the bytes `a`–`z`, `0`–`9` and `-` are kept;
//! - every other byte (capitals, `.`, `_`, `/`, anything beyond ASCII) becomes `_` and two
//!   lower-case hex digits, so `Job-A` is `_4aob-_41` and `a.b` is `a_2eb`;
//! - the empty name is `_`, and a Windows device name (`con`, `nul`, `com1`, …) has its first
//!   letter escaped;
//! - an encoding longer than 200 bytes keeps its first 150 bytes and adds `~` and 32 hex digits
//!   of the name's SHA-256 (`~` never appears otherwise); the document itself still holds the
//!   full name.

use sha2::{Digest, Sha256};

use crate::resource::Group;

/// Longest file-name stem written; longer encodings are shortened with a digest.
const MAX_STEM: usize = 200;
/// What a shortened stem keeps of the encoding.
const KEPT_STEM: usize = 150;

const WINDOWS_DEVICES: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// The file-name stem for `name` (see the module documentation).
pub fn encode_name(name: &str) -> String {
    if name.is_empty() {
        return "_".to_owned();
    }
    let mut out = String::with_capacity(name.len());
    for &b in name.as_bytes() {
        if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' {
            out.push(b as char);
        } else {
            out.push_str(&format!("_{b:02x}"));
        }
    }
    if WINDOWS_DEVICES.contains(&out.as_str()) {
        out = format!("_{:02x}{}", out.as_bytes()[0], &out[1..]);
    }
    if out.len() > MAX_STEM {
        // Cut before an escape that would be split.
        let mut keep = KEPT_STEM;
        while let Some(u) = out[..keep].rfind('_').filter(|&u| u + 3 > keep) {
            keep = u;
        }
        let digest = Sha256::digest(name.as_bytes());
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        out = format!("{}~{hex}", &out[..keep]);
    }
    out
}

/// The name a stem encodes, when the stem is not a shortened one.
pub fn decode_name(stem: &str) -> Option<String> {
    if stem == "_" {
        return Some(String::new());
    }
    if stem.contains('~') {
        return None;
    }
    let bytes = stem.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'_' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `<account>/<region>/<kind>/<encoded name>.json`: where `collect` writes a job, and the
/// path every live report shows for it. The kind keeps names apart across kinds (a training
/// job and a processing job may share a name).
pub fn job_path(account: &str, region: &str, kind: Group, name: &str) -> String {
    format!(
        "{account}/{region}/{}/{}.json",
        kind.name(),
        encode_name(name)
    )
}

/// `kms/<region>/describe-key-<encoded key id>.json`.
pub fn key_path(region: &str, key_id: &str) -> String {
    format!("kms/{region}/describe-key-{}.json", encode_name(key_id))
}

/// `kms/<region>/aliases.json`.
pub fn aliases_path(region: &str) -> String {
    format!("kms/{region}/aliases.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_stay_readable() {
        assert_eq!(
            encode_name("fraud-detector-xgb-2024-03-14"),
            "fraud-detector-xgb-2024-03-14"
        );
        assert_eq!(encode_name("Job-A"), "_4aob-_41");
        assert_eq!(encode_name("a.b"), "a_2eb");
        assert_eq!(encode_name("a_b"), "a_5fb");
        assert_eq!(encode_name(""), "_");
        assert_eq!(
            encode_name("../../etc/passwd"),
            "_2e_2e_2f_2e_2e_2fetc_2fpasswd"
        );
        assert_eq!(encode_name("CON"), "_43_4f_4e");
        assert_eq!(encode_name("con"), "_63on");
        assert_eq!(encode_name("nul"), "_6eul");
    }

    #[test]
    fn encoding_round_trips_and_never_collides_even_ignoring_case() {
        let names = [
            "",
            "_",
            "a",
            "A",
            "a.b",
            "a_b",
            "a-b",
            "Job-A",
            "job-a",
            "JOB-A",
            "con",
            "Con",
            "x_41",
            "x~1",
            "é",
            "../x",
            "a/b",
            "a\\b",
            "\u{202e}",
            "with space",
            ".hidden",
        ];
        let mut seen = std::collections::HashMap::new();
        for name in names {
            let stem = encode_name(name);
            assert_eq!(decode_name(&stem).as_deref(), Some(name), "{name:?}");
            assert!(
                stem.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'-'
                    || b == b'_'),
                "{stem}"
            );
            assert!(!stem.starts_with('.') && !stem.is_empty());
            let folded = stem.to_ascii_lowercase();
            assert_eq!(
                seen.insert(folded.clone(), name),
                None,
                "{name:?} and {:?}",
                seen[&folded]
            );
        }
    }

    #[test]
    fn long_names_are_shortened_with_a_digest() {
        let long = "n".repeat(10_000);
        let other = format!("{}m", "n".repeat(9_999));
        let (a, b) = (encode_name(&long), encode_name(&other));
        assert!(a.len() <= MAX_STEM && b.len() <= MAX_STEM, "{}", a.len());
        assert_ne!(a, b);
        assert!(a.contains('~'));
        assert_eq!(decode_name(&a), None);
        // An escape is never cut in half.
        let escapes = encode_name(&".".repeat(100));
        assert!(
            escapes.split('~').next().unwrap().len().is_multiple_of(3),
            "{escapes}"
        );
    }

    #[test]
    fn paths_have_the_documented_layout() {
        assert_eq!(
            job_path(
                "123456789012",
                "us-east-1",
                Group::Kind(crate::resource::Kind::Training),
                "My.Job"
            ),
            "123456789012/us-east-1/training/_4dy_2e_4aob.json"
        );
        assert_eq!(
            job_path(
                "123456789012",
                "us-east-1",
                Group::Kind(crate::resource::Kind::Tuning),
                "hpo"
            ),
            "123456789012/us-east-1/tuning/hpo.json"
        );
        assert_eq!(
            key_path("eu-west-1", "1234abcd-12ab"),
            "kms/eu-west-1/describe-key-1234abcd-12ab.json"
        );
    }
}
