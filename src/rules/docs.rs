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
    /// In a SageMaker Pipeline definition, for a step that creates the resource (empty when
    /// no step type creates it).
    pub pipeline: &'static str,
}

/// How a check judges a pipeline step that creates a resource of its kind, shown with every
/// check whose kind a step can create.
pub const PIPELINE_STEPS: &str = "In a SageMaker Pipeline definition (a definition file, \
    describe-pipeline output, a CloudFormation template or a Terraform plan), each step that \
    creates a resource of this kind is judged from the step's Arguments, the request the step \
    sends, before any resource exists: a key written there as for the resource itself; a \
    pipeline parameter by its default (an execution may pass another); a parameter without a \
    default fails, since the resource gets no key unless every execution passes one; a value \
    known only at run time passes as UNVERIFIED with the expression shown, unless its written \
    text already rules a customer-managed key out. Such findings carry the origin \
    pipeline-step and the name PIPELINE/STEP.";

/// How a check judges Step Functions state machines, and how to fix one, for the checks of
/// kinds a Step Functions task can create.
pub const STATE_MACHINES: &str = "In an AWS Step Functions state machine (Amazon States \
    Language as a .asl.json or YAML file, or AWS::StepFunctions::StateMachine and \
    AWS::Serverless::StateMachine in a CloudFormation template), each Task state that calls this \
    kind's Create operation (arn:aws:states:::sagemaker:createTrainingJob, .sync or \
    .waitForTaskToken, or the aws-sdk:sagemaker integration) is judged from its Parameters \
    (Arguments in a JSONata state), the request it sends, at any depth of Parallel and Map \
    states. A key the state reads from its input (a .$ field, an intrinsic function, a JSONata \
    expression) passes as UNVERIFIED with the expression shown, since only the execution knows \
    it. Such findings carry the origin state-machine-task and the name MACHINE/STATE. Fix: set \
    the key field in the task's Parameters to a customer-managed key, or make sure every input \
    the execution receives carries one.";

/// How a check judges SageMaker Python SDK configuration files, and how to fix one, for the
/// checks of kinds a configuration key fills in.
pub const SDK_CONFIG: &str = "In a SageMaker Python SDK configuration file (config.yaml, found \
    through SAGEMAKER_ADMIN_CONFIG_OVERRIDE, SAGEMAKER_USER_CONFIG_OVERRIDE or the platform's \
    config directories, or named as a scan path), each key path the SDK writes into this kind's \
    requests is judged like the resource's own field, on the line of the key or of the section \
    that should hold it; an unset key fails, since the SDK then adds none to a request whose code \
    names none. Such findings carry the origin sdk-config and the section's key path as their \
    name. Fix: set the key path the finding names to a customer-managed key (its ARN, id or an \
    alias), preferably in the administrator's file so that every user inherits it; a user's file \
    overrides it key by key. SageMaker Python SDK 2 drops a configured volume key from training \
    jobs and endpoint configurations whose instance type has local NVMe storage (sagemaker \
    2.257.7, Session.get_train_request and Session.create_endpoint_config); its other requests, \
    and SDK 3's resource classes, carry the key whatever the instance type.";

/// A page worth reading.
#[derive(Debug, Serialize)]
pub struct Reference {
    /// Link text.
    pub title: &'static str,
    /// Address.
    pub url: &'static str,
}

/// A framework control the check gives evidence for, with why and on whose authority.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Compliance {
    /// Framework name, e.g. `NIST SP 800-53 r5`.
    pub framework: &'static str,
    /// Control id, e.g. `SC-28(1)`.
    pub control: &'static str,
    /// Control title, in short.
    pub title: &'static str,
    /// Why this check is evidence for the control.
    pub rationale: &'static str,
    /// Where the mapping comes from: the control text and, where one exists, a peer's public
    /// mapping of the same or the analogous check.
    pub source: &'static str,
}

impl Compliance {
    /// How reports name the control: `FRAMEWORK CONTROL`, e.g. `NIST SP 800-53 r5 SC-28(1)`.
    pub fn label(&self) -> String {
        format!("{} {}", self.framework, self.control)
    }
}

/// Controls the key checks support: data at rest encrypted under keys the customer controls.
/// `docs/compliance.md` lists these with the mappings considered and dropped.
pub const COMPLIANCE: &[Compliance] = &[
    Compliance {
        framework: "NIST SP 800-53 r5",
        control: "SC-28(1)",
        title: "Protection of information at rest: cryptographic protection",
        rationale: "The check shows whether data the job writes at rest is protected by \
            cryptography under a key the organisation controls.",
        source: "NIST SP 800-53 Rev. 5, SC-28(1); Prowler maps the analogous SageMaker \
            notebook-instance KMS check to it (compliance/aws/nist_800_53_revision_5_aws.json).",
    },
    Compliance {
        framework: "NIST SP 800-53 r5",
        control: "SC-12",
        title: "Cryptographic key establishment and management",
        rationale: "A customer-managed key puts generation, rotation, access policy and \
            revocation of the key under the organisation's own key management.",
        source: "NIST SP 800-53 Rev. 5, SC-12 (control text); no peer maps this check to it.",
    },
    Compliance {
        framework: "NIST SP 800-53 r5",
        control: "SC-13",
        title: "Cryptographic protection",
        rationale: "The check verifies that the cryptography protecting the data uses a key \
            the organisation chose.",
        source: "NIST SP 800-53 Rev. 5, SC-13; Prowler maps this check to SC-13 in its \
            FedRAMP Low (Rev. 4) mapping and the notebook-instance check in its Rev. 5 one.",
    },
    Compliance {
        framework: "FedRAMP Low (Rev. 4)",
        control: "SC-13",
        title: "Use of cryptography",
        rationale: "FedRAMP baselines take SC-13 from NIST SP 800-53; the same evidence applies.",
        source: "FedRAMP Rev. 4 Low baseline; Prowler maps this exact check to sc-13 \
            (compliance/aws/fedramp_low_revision_4_aws.json).",
    },
    Compliance {
        framework: "ISO/IEC 27001:2022",
        control: "A.8.24",
        title: "Use of cryptography",
        rationale: "The control asks for rules on effective use of cryptography and key \
            management; the check shows whether SageMaker data follows them.",
        source: "ISO/IEC 27001:2022 Annex A 8.24; Prowler maps this exact check to A.8.24 \
            (compliance/aws/iso27001_2022_aws.json).",
    },
    Compliance {
        framework: "PCI DSS v4.0",
        control: "3.5.1",
        title: "Primary account number (PAN) is rendered unreadable wherever it is stored \
            (applies only where training data or model artifacts hold PAN)",
        rationale: "Strong cryptography with associated key management is one way to render \
            stored PAN unreadable; the requirement concerns PAN only.",
        source: "PCI DSS v4.0 requirement 3.5.1; Prowler maps the analogous notebook-instance \
            KMS check to 3.5.1 (compliance/aws/pci_4.0_aws.json).",
    },
    Compliance {
        framework: "HIPAA Security Rule",
        control: "164.312(a)(2)(iv)",
        title: "Encryption and decryption (addressable), where jobs process ePHI",
        rationale: "Encrypting ePHI at rest under a key the covered entity controls \
            implements this addressable specification for SageMaker data.",
        source: "45 CFR 164.312(a)(2)(iv); Prowler maps the analogous notebook-instance KMS \
            check to it (compliance/aws/hipaa_aws.json).",
    },
    Compliance {
        framework: "SOC 2",
        control: "CC6.1",
        title: "Logical access security over information assets, including encryption",
        rationale: "CC6.1 covers protecting information assets with encryption as part of \
            logical access security.",
        source: "AICPA Trust Services Criteria (2017) CC6.1, reached through CSA CCM v4 \
            CEK-03, whose scope applicability lists CC6.1 (Prowler compliance/csa_ccm_4.0.json).",
    },
    Compliance {
        framework: "CIS Controls v8.1",
        control: "3.11",
        title: "Encrypt sensitive data at rest",
        rationale: "The safeguard asks for encryption of sensitive data at rest; the check \
            shows it for SageMaker volumes and artifacts.",
        source: "CIS Critical Security Controls v8.1, safeguard 3.11; Prowler maps this exact \
            check to it (compliance/cis_controls_8.1.json).",
    },
    Compliance {
        framework: "CSA CCM v4",
        control: "CEK-03",
        title: "Data encryption",
        rationale: "The control asks for cryptographic protection of data at rest.",
        source: "Cloud Controls Matrix v4, CEK-03; Prowler maps this exact check to it \
            (compliance/csa_ccm_4.0.json).",
    },
    Compliance {
        framework: "BSI C5:2025",
        control: "CRY-05",
        title: "Data encryption",
        rationale: "The criterion asks for encryption of customer data at rest with keys \
            under appropriate control.",
        source: "BSI Cloud Computing Compliance Criteria Catalogue (C5) 2025, CRY-05; Prowler \
            maps this exact check to CRY-05.01AC (compliance/aws/c5_aws.json).",
    },
    Compliance {
        framework: "AWS Well-Architected Security Pillar",
        control: "SEC08-BP02",
        title: "Enforce encryption at rest",
        rationale: "The best practice asks that data at rest only be stored encrypted, with \
            KMS keys.",
        source: "AWS Well-Architected Framework, Security Pillar SEC08-BP02; Prowler maps this \
            exact check to it (compliance/aws/aws_well_architected_framework_security_pillar_aws.json).",
    },
];

/// The common mappings followed by those only one kind's checks have (the AWS Config rules
/// and Security Hub controls about that kind): `N` is their total, checked when compiled.
pub const fn with_common<const N: usize>(own: &[Compliance]) -> [Compliance; N] {
    assert!(
        N == COMPLIANCE.len() + own.len(),
        "N is the count of both lists"
    );
    let mut out = [COMPLIANCE[0]; N];
    let mut i = 0;
    while i < COMPLIANCE.len() {
        out[i] = COMPLIANCE[i];
        i += 1;
    }
    while i < N {
        out[i] = own[i - COMPLIANCE.len()];
        i += 1;
    }
    out
}

/// Pages both checks point to.
pub const KMS_REFERENCE: Reference = Reference {
    title: "AWS KMS: customer managed keys and AWS managed keys",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-mgmt",
};

/// SageMaker's page on protecting data at rest.
pub const SAGEMAKER_AT_REST: Reference = Reference {
    title: "Amazon SageMaker AI: protect data at rest using encryption",
    url: "https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest.html",
};
