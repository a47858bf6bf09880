//! `DescribeModelPackage`: SageMaker Model Registry entries. A model package (a version in a
//! model package group, or an unversioned package for AWS Marketplace) keeps the model's
//! registry information (inference specification, metrics, an embedded model card) encrypted
//! under `SecurityConfig.KmsKeyId` (botocore 1.44.8, `ModelPackageSecurityConfig`: "an optional
//! Key Management Service key to encrypt, decrypt, and re-encrypt model package information").
//! A package may carry a `ValidationSpecification` whose profiles SageMaker runs as batch
//! transform jobs (read in `validation.rs`): each profile's `TransformJobDefinition` names a
//! volume key and an output key at the paths of a transform job, judged like a transform job's,
//! one finding per profile. A package without validation profiles runs nothing, and those two
//! checks do not apply.
//!
//! A versioned package's ARN ends in `<group>/<version>`, and its `ModelPackageName` is the
//! group's; the resource is named `<group>/<version>`, as the ARN names it, so every version is
//! its own resource.

use serde::Deserialize;

use super::{
    Api, At, Draft, Fields, Identity, KindDecl, Names, Scope, Settled, SlotDraft, Text,
    distinct_types, resource,
};
use crate::document::DocumentError;
use crate::model::ArnParts;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::store::{StoreCheck, StoreText};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::verdict::Severity;

/// Everything about model packages.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::ModelPackage,
    names: Names {
        resource_type: "model-package",
        arn_resource: "model-package",
        arn_nested: false,
        arn_id: false,
        noun: "Model package",
        plural: "model packages",
    },
    api: Api {
        list: "ListModelPackages",
        summaries: "ModelPackageSummaryList",
        describe: "DescribeModelPackage",
        name_field: "ModelPackageName",
        marker: "ModelPackageName",
        arn_field: "ModelPackageArn",
        within: None,
    },
    unlisted: None,
    // ListModelPackages filters by approval, not by status.
    statuses: &[],
    // UpdateModelPackage changes a package after it is created.
    settled: Settled::Never,
    keys: &[SECURITY_KEY, VOLUME_KEY, OUTPUT_KEY],
    describe_fields: &["ModelPackageStatusDetails", "InferenceSpecification"],
    refers_to: &[],
    // A RegisterModel step's Arguments are a CreateModelPackage request.
    pipeline_steps: &["RegisterModel"],
    creates: &["CreateModelPackage"],
    terraform: &[],
    cloudformation: &["AWS::SageMaker::ModelPackage"],
    parse,
    slots,
    checks: &[&SECURITY, &VOLUME, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::Calls {
        // `ListModelPackages` lists unversioned packages unless asked for both kinds; a
        // versioned package's summary names its group, and is named `<group>/<version>` here
        // as its ARN names it.
        list: crate::calls::list_call!(
            list_model_packages
                .model_package_type(aws_sdk_sagemaker::types::ModelPackageType::Both),
            no_status,
            model_package_summary_list,
            (|s| versioned_name(
                s.model_package_name().unwrap_or_default(),
                s.model_package_group_name(),
                s.model_package_version().map(i64::from),
            )),
            model_package_arn
        ),
        describe: live::describe,
        shards: true,
    },
};

const SECURITY_KEY: &str = "SecurityConfig.KmsKeyId";
const VOLUME_KEY: &str = "ValidationSpecification.ValidationProfiles[].TransformJobDefinition.TransformResources.VolumeKmsKeyId";
const OUTPUT_KEY: &str =
    "ValidationSpecification.ValidationProfiles[].TransformJobDefinition.TransformOutput.KmsKeyId";

/// The live Describe call: `DescribeModelPackage` takes the ARN (a name alone means an
/// unversioned package) and is asked for metadata only, which needs no `kms:Decrypt` on the key
/// of an embedded model card.
#[cfg(feature = "aws")]
mod live {
    use aws_sdk_sagemaker::Client;
    use aws_sdk_sagemaker::types::IncludedData;
    use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;

    use crate::calls::{Pending, describe_error};

    pub(super) fn describe<'a>(
        client: &'a Client,
        name: &'a str,
        arn: &'a str,
        capture: SharedInterceptor,
    ) -> Pending<'a, ()> {
        Box::pin(async move {
            client
                .describe_model_package()
                .model_package_name(if arn.is_empty() { name } else { arn })
                .included_data(IncludedData::MetadataOnly)
                .customize()
                .interceptor(capture)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| describe_error(&e))
        })
    }
}

/// A package's name in reports: its own for an unversioned package, `<group>/<version>` for a
/// version of a group (whose `ModelPackageName` is the group's).
fn versioned_name(name: &str, group: Option<&str>, version: Option<i64>) -> String {
    match (group.filter(|g| !g.is_empty()), version) {
        (Some(group), Some(version)) => format!("{group}/{version}"),
        (None, Some(version)) => format!("{name}/{version}"),
        _ => name.to_owned(),
    }
}

/// The name and ARN of a describe document, checked against each other.
fn identity(f: &Fields<'_>) -> Result<Identity, DocumentError> {
    let name = f.string("ModelPackageName")?;
    let arn = f.string("ModelPackageArn")?;
    let (Some(name), Some(arn)) = (name, arn) else {
        return Err(DocumentError::new(format!(
            "DescribeModelPackage document without {}",
            if f.has("ModelPackageName") {
                "ModelPackageArn"
            } else {
                "ModelPackageName"
            }
        )));
    };
    let group = f.string("ModelPackageGroupName")?;
    let version = match f.raw("ModelPackageVersion") {
        None => None,
        Some(raw) => Some(serde_json::from_str::<i64>(raw.get()).map_err(|_| {
            DocumentError::new(format!(
                "ModelPackageVersion is {}, not a version number",
                crate::text::one_line(raw.get(), 40)
            ))
        })?),
    };
    let name = versioned_name(&name, group.as_deref(), version);
    let (parts, arn_name) = ArnParts::sagemaker(&arn, "model-package")
        .map_err(|e| DocumentError::new(format!("ModelPackageArn {e}")))?;
    if !arn_name.eq_ignore_ascii_case(&name) {
        return Err(DocumentError::new(format!(
            "ModelPackageArn names {:?} but the package is {:?}",
            crate::text::one_line(arn_name, 100),
            crate::text::one_line(&name, 100)
        )));
    }
    Ok(Identity { name, arn, parts })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Security<'a> {
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let security = f.get::<Option<Security<'a>>>("SecurityConfig")?;
    let mut slots = vec![SlotDraft::new(
        KeySlot::new(Role::Store, SECURITY_KEY),
        security
            .as_ref()
            .and_then(|s| s.value.as_ref())
            .map(|s| &s.kms_key_id),
        security.as_ref().and_then(At::slice),
        scope,
    )?];
    slots.extend(super::validation::slots(
        f,
        scope,
        super::validation::Jobs::Transform,
        VOLUME_KEY,
        OUTPUT_KEY,
    )?);
    Ok(slots)
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f)?;
    let mut r = resource(Kind::ModelPackage, id);
    r.status = f.string("ModelPackageStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?.or(r.creation_time);
    let slots = slots(f, Scope::Describe)?;
    r.instance_types = distinct_types(&slots);
    Ok(Draft { resource: r, slots })
}

/// Documentation of `model-package-information-cmk`.
pub static SECURITY_META: RuleMeta = RuleMeta {
    id: "model-package-information-cmk",
    kind: Kind::ModelPackage,
    role: Role::Store,
    name: "ModelPackageInformationCustomerManagedKey",
    title: "Model package information is encrypted with a customer-managed KMS key",
    description: "Checks SecurityConfig.KmsKeyId of each SageMaker model package (a version in \
        the Model Registry, or an unversioned package). SageMaker encrypts the information it \
        keeps about the package, including an embedded model card, with this key. The check \
        passes when the field names an enabled customer-managed KMS key (key id, key ARN, \
        alias or alias ARN, in any account). It fails when SecurityConfig or its KmsKeyId is \
        missing, null or empty (the information is then encrypted with a key you do not \
        control), when it names an alias/aws/* key, or when KMS reports the key as \
        AWS-managed or not enabled.",
    risk: "A registry entry says where the model's artifacts are, which containers serve it, \
        how well it performed and, in its model card, what data it was trained on and what it \
        must not be used for. Without a key of your own you cannot limit who may decrypt it \
        through a key policy, audit each use in CloudTrail, or revoke access at once by \
        disabling the key.",
    remediation: Remediation {
        console: "The key is set when a package is registered; UpdateModelPackage cannot add it. \
        Register the model again as a new version (in Studio: Models > Registered models, or \
        through the API) with SecurityConfig.KmsKeyId set to your customer-managed KMS key, \
        then retire the old version.",
        aws_cli: "aws sagemaker create-model-package --model-package-group-name GROUP \
        --security-config KmsKeyId=arn:aws:kms:REGION:ACCOUNT:key/KEY_ID ... (the other \
        arguments as in the old version, from aws sagemaker describe-model-package)",
        boto3: "boto3.client('sagemaker').create_model_package(ModelPackageGroupName='group', \
        SecurityConfig={'KmsKeyId': key_arn}, ...) with the remaining arguments copied from \
        describe_model_package of the old version.",
        python_sdk: "SageMaker Python SDK 2 has no argument for this key on Model.register(): \
        register with boto3 as above, or set SecurityConfig.KmsKeyId in the RegisterModel \
        step's arguments.",
        pipeline: "Add SecurityConfig.KmsKeyId to the RegisterModel step's arguments (the \
        CreateModelPackage request) and run the pipeline again.",
    },
    references: &[
        Reference {
            title: "SageMaker API: ModelPackageSecurityConfig",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ModelPackageSecurityConfig.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.0",
};

/// The information check.
pub static SECURITY: StoreCheck = StoreCheck {
    meta: &SECURITY_META,
    text: StoreText {
        protects: "model package records",
        without_key: "SageMaker encrypts the package's records with a key you do not control",
        // Every package has records to protect.
        absent: "has no records",
    },
};

/// Documentation of `model-package-validation-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "model-package-validation-volume-cmk",
    kind: Kind::ModelPackage,
    role: Role::Volume,
    name: "ModelPackageValidationVolumeCustomerManagedKey",
    title: "Model package validation volumes are encrypted with a customer-managed KMS key",
    description: "Checks TransformResources.VolumeKmsKeyId of each validation profile of a \
        SageMaker model package. SageMaker validates the package by running each profile as a \
        batch transform job, whose instances' storage volume holds the model and the records \
        being scored. One finding per profile. It passes, fails and does not apply as a batch \
        transform job's volume check does: it fails when the field is missing, null or empty, \
        names an alias/aws/* key, or KMS reports the key as AWS-managed or not enabled, and \
        does not apply when the profile's instance type has local NVMe instance storage (AWS \
        takes no volume key there) or when the package has no validation profile (nothing \
        runs).",
    risk: "Validation runs the model on the data the profile names. Without a key you \
        control you cannot restrict who may decrypt the volume through a key policy or make \
        the data unreadable at once by disabling the key.",
    remediation: Remediation {
        console: "Validation profiles cannot be changed. Register the model again with each \
        profile's TransformJobDefinition.TransformResources.VolumeKmsKeyId set to your \
        customer-managed KMS key.",
        aws_cli: "aws sagemaker create-model-package ... --validation-specification \
        '{\"ValidationRole\":\"ROLE_ARN\",\"ValidationProfiles\":[{\"ProfileName\":\"NAME\",\
        \"TransformJobDefinition\":{...,\"TransformResources\":{\"InstanceType\":\"ml.m5.xlarge\",\
        \"InstanceCount\":1,\"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}}]}'",
        boto3: "boto3.client('sagemaker').create_model_package(..., ValidationSpecification=\
        {'ValidationRole': role_arn, 'ValidationProfiles': [{'ProfileName': 'name', \
        'TransformJobDefinition': {..., 'TransformResources': {'InstanceType': 'ml.m5.xlarge', \
        'InstanceCount': 1, 'VolumeKmsKeyId': key_arn}}}]})",
        python_sdk: "Set VolumeKmsKeyId in the validation specification you pass to \
        Model.register() (validation_specification) in the SageMaker Python SDK 2.",
        pipeline: "Set the volume key in each validation profile of the RegisterModel step's \
        ValidationSpecification and run the pipeline again.",
    },
    references: &[
        Reference {
            title: "SageMaker API: ModelPackageValidationProfile",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ModelPackageValidationProfile.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.0",
};

/// The validation volume check.
pub static VOLUME: VolumeCheck = VolumeCheck {
    meta: &VOLUME_META,
    text: VolumeText {
        protects: "validation transform volumes",
        without_key: "SageMaker encrypts the validation transform volumes with a transient \
            key it discards",
        nvme_exempt: true,
        no_instance: "it has no validation profile",
    },
};

/// Documentation of `model-package-validation-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "model-package-validation-output-cmk",
    kind: Kind::ModelPackage,
    role: Role::Output,
    name: "ModelPackageValidationOutputCustomerManagedKey",
    title: "Model package validation output is encrypted with a customer-managed KMS key",
    description: "Checks TransformOutput.KmsKeyId of each validation profile of a SageMaker \
        model package: the key of the predictions the validation transform job writes to \
        TransformOutput.S3OutputPath. One finding per profile. It passes when the field names \
        an enabled customer-managed KMS key, and fails when it is missing, null or empty \
        (SageMaker then uses the account's default KMS key for S3, an AWS-managed key), names \
        an alias/aws/* key, KMS reports the key as AWS-managed or not enabled, or the output \
        is an S3 Express One Zone directory bucket. It does not apply when the package has no \
        validation profile.",
    risk: "Validation predictions show what the model does with the validation data. Under \
        an AWS-managed key anyone allowed to read the bucket can read them.",
    remediation: Remediation {
        console: "Validation profiles cannot be changed. Register the model again with each \
        profile's TransformJobDefinition.TransformOutput.KmsKeyId set to your customer-managed \
        KMS key.",
        aws_cli: "aws sagemaker create-model-package ... --validation-specification \
        '{\"ValidationRole\":\"ROLE_ARN\",\"ValidationProfiles\":[{\"ProfileName\":\"NAME\",\
        \"TransformJobDefinition\":{...,\"TransformOutput\":{\"S3OutputPath\":\"s3://BUCKET/PREFIX/\",\
        \"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}}]}'",
        boto3: "boto3.client('sagemaker').create_model_package(..., ValidationSpecification=\
        {'ValidationRole': role_arn, 'ValidationProfiles': [{'ProfileName': 'name', \
        'TransformJobDefinition': {..., 'TransformOutput': {'S3OutputPath': \
        's3://bucket/prefix/', 'KmsKeyId': key_arn}}}]})",
        python_sdk: "Set KmsKeyId in TransformOutput of the validation specification you pass to \
        Model.register() (validation_specification) in the SageMaker Python SDK 2.",
        pipeline: "Set the output key in each validation profile of the RegisterModel step's \
        ValidationSpecification and run the pipeline again.",
    },
    references: &[
        Reference {
            title: "SageMaker API: TransformOutput",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_TransformOutput.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.0",
};

/// The validation output check.
pub static OUTPUT: OutputCheck = OutputCheck {
    meta: &OUTPUT_META,
    text: OutputText {
        protects: "validation predictions in S3",
        without_key: "SageMaker encrypts the validation predictions with the account's default \
            (AWS-managed) KMS key for S3",
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_named_as_their_arn_names_them() {
        assert_eq!(versioned_name("churn", Some("churn"), Some(3)), "churn/3");
        assert_eq!(versioned_name("legacy", None, None), "legacy");
        let doc = r#"{"ModelPackageName":"churn","ModelPackageGroupName":"churn",
            "ModelPackageVersion":3,
            "ModelPackageArn":"arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/3"}"#;
        let f = Fields::parse(doc).unwrap();
        assert_eq!(identity(&f).unwrap().name, "churn/3");
        let wrong = doc.replace("\"ModelPackageVersion\":3", "\"ModelPackageVersion\":4");
        assert!(identity(&Fields::parse(&wrong).unwrap()).is_err());
        let text = doc.replace("\"ModelPackageVersion\":3", "\"ModelPackageVersion\":\"x\"");
        assert!(identity(&Fields::parse(&text).unwrap()).is_err());
    }

    #[test]
    fn each_validation_profile_is_a_part_and_none_leaves_nothing_to_protect() {
        let slots_of = |json: &str| -> Vec<KeySlot> {
            slots(&Fields::parse(json).unwrap(), Scope::Describe)
                .unwrap()
                .into_iter()
                .map(|d| d.slot)
                .collect()
        };
        let bare = slots_of(r#"{"SecurityConfig":{"KmsKeyId":"alias/registry"}}"#);
        assert_eq!(bare[0].value.as_deref(), Some("alias/registry"));
        assert!(bare[1].nothing_to_protect && bare[2].nothing_to_protect);
        assert_eq!(bare[1].part.as_deref(), Some("no validation profile"));
        let two = slots_of(
            r#"{"ValidationSpecification":{"ValidationProfiles":[
            {"ProfileName":"batch","TransformJobDefinition":{"TransformResources":
              {"InstanceType":"ml.g5.xlarge","VolumeKmsKeyId":"alias/v"},
             "TransformOutput":{"S3OutputPath":"s3://b/o/","KmsKeyId":"alias/o"}}},
            {"ProfileName":"batch","TransformJobDefinition":{}}]}}"#,
        );
        assert_eq!(two.len(), 5);
        assert!(two[0].value.is_none());
        assert_eq!(two[1].part.as_deref(), Some("validation profile batch"));
        assert_eq!(two[1].instance_types, ["ml.g5.xlarge"]);
        assert_eq!(two[2].locations, ["s3://b/o/"]);
        assert_eq!(two[3].part.as_deref(), Some("validation profile 2"));
        assert!(!two[3].nothing_to_protect && two[3].value.is_none());
    }
}
