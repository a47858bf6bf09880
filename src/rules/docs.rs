//! Shapes of a rule's documentation, shared by every check.

use serde::Serialize;

/// How to fix a failing job, per tool a user may hold.
#[derive(Debug, Serialize)]
pub struct Remediation {
    /// AWS console steps.
    pub console: &'static str,
    /// AWS CLI commands.
    pub aws_cli: &'static str,
    /// Python with boto3.
    pub boto3: &'static str,
    /// The SageMaker Python SDK.
    pub python_sdk: &'static str,
}

/// A page worth reading.
#[derive(Debug, Serialize)]
pub struct Reference {
    /// Link text.
    pub title: &'static str,
    /// Address.
    pub url: &'static str,
}

/// A framework control the check gives evidence for.
#[derive(Debug, Serialize)]
pub struct Compliance {
    /// Framework name, e.g. `NIST SP 800-53 r5`.
    pub framework: &'static str,
    /// Control id, e.g. `SC-28(1)`.
    pub control: &'static str,
    /// Control title, in short.
    pub title: &'static str,
}

/// Controls both checks support: encryption at rest under keys the customer controls.
pub(super) const COMPLIANCE: &[Compliance] = &[
    Compliance {
        framework: "NIST SP 800-53 r5",
        control: "SC-28(1)",
        title: "Protection of information at rest: cryptographic protection",
    },
    Compliance {
        framework: "NIST SP 800-53 r5",
        control: "SC-12",
        title: "Cryptographic key establishment and management",
    },
    Compliance {
        framework: "NIST SP 800-53 r5",
        control: "SC-13",
        title: "Cryptographic protection",
    },
    Compliance {
        framework: "ISO/IEC 27001:2022",
        control: "A.8.24",
        title: "Use of cryptography",
    },
    Compliance {
        framework: "PCI DSS v4.0",
        control: "3.5.1",
        title: "Stored account data is rendered unreadable",
    },
    Compliance {
        framework: "HIPAA Security Rule",
        control: "164.312(a)(2)(iv)",
        title: "Encryption and decryption",
    },
    Compliance {
        framework: "SOC 2",
        control: "CC6.1",
        title: "Logical access security measures, including encryption",
    },
    Compliance {
        framework: "CIS Controls v8.1",
        control: "3.11",
        title: "Encrypt sensitive data at rest",
    },
    Compliance {
        framework: "CSA CCM v4",
        control: "CEK-03",
        title: "Data encryption",
    },
    Compliance {
        framework: "BSI C5:2020",
        control: "CRY-03",
        title: "Encryption of sensitive data for storage",
    },
    Compliance {
        framework: "BSI C5:2020",
        control: "CRY-04",
        title: "Secure key management",
    },
];

/// Pages both checks point to.
pub(super) const KMS_REFERENCE: Reference = Reference {
    title: "AWS KMS: customer managed keys and AWS managed keys",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-mgmt",
};

/// SageMaker's page on protecting data at rest.
pub(super) const SAGEMAKER_AT_REST: Reference = Reference {
    title: "Amazon SageMaker AI: protect data at rest using encryption",
    url: "https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest.html",
};
