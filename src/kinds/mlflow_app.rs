//! `DescribeMlflowApp`: a SageMaker MLflow App, the managed MLflow that keeps experiments, runs
//! and registered models. The data SageMaker keeps for the app is encrypted under `KmsKeyId`
//! (botocore 1.44.8, `DescribeMlflowAppResponse.KmsKeyId`: "the data at rest associated with the
//! MLflow App"; without it "the MLflow App is not encrypted with a customer-managed key"). The
//! artifacts live in the S3 bucket of `ArtifactStoreUri` under that bucket's own encryption,
//! which the app does not set. `UpdateMlflowApp` cannot change the key, so the fix is a new app.
//! The app is described by its ARN; the ARN is not assumed to end in the name.

use super::{
    Api, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, Text, identity, resource,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::store::{StoreCheck, StoreText};
use crate::verdict::Severity;

/// Everything about MLflow Apps.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::MlflowApp,
    names: Names {
        resource_type: "mlflow-app",
        arn_resource: "mlflow-app",
        arn_nested: false,
        // botocore's MlflowAppArn pattern (`mlflow-app/.*`) does not say the ARN ends in the
        // name: it is not checked against it, and collect names the file after the ARN.
        arn_id: true,
        noun: "MLflow App",
        plural: "MLflow Apps",
    },
    api: Api {
        list: "ListMlflowApps",
        summaries: "Summaries",
        describe: "DescribeMlflowApp",
        name_field: "Name",
        marker: "ArtifactStoreUri",
        arn_field: "Arn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum MlflowAppStatus (ListMlflowApps.Status).
    statuses: &[
        "Creating",
        "Created",
        "CreateFailed",
        "Updating",
        "Updated",
        "UpdateFailed",
        "Deleting",
        "DeleteFailed",
        "Deleted",
    ],
    // UpdateMlflowApp changes an app.
    settled: Settled::Never,
    keys: &["KmsKeyId"],
    describe_fields: &["ArtifactStoreUri", "RoleArn"],
    refers_to: &[],
    // SageMaker Pipelines has no step that creates an MLflow App.
    pipeline_steps: &[],
    creates: &["CreateMlflowApp"],
    terraform: &[],
    cloudformation: &[],
    parse,
    slots,
    checks: &[&STORE],
    #[cfg(feature = "aws")]
    live: crate::calls::Calls {
        list: crate::calls::list_call!(
            list_mlflow_apps,
            created: (set_created_after, set_created_before),
            (MlflowAppStatus, set_status),
            summaries,
            name,
            arn
        ),
        describe: crate::calls::describe!(describe_mlflow_app, arn: arn),
        shards: true,
    },
};

/// The app's key: every app has data at rest to protect.
fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let key = f.get::<Option<Text<'a>>>("KmsKeyId")?;
    Ok(vec![SlotDraft::new(
        KeySlot::new(Role::Store, "KmsKeyId"),
        key.as_ref(),
        None,
        scope,
    )?])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::MlflowApp)?;
    let mut r = resource(Kind::MlflowApp, id);
    r.status = f.string("Status")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// Documentation of `mlflow-app-store-cmk`.
pub static STORE_META: RuleMeta = RuleMeta {
    id: "mlflow-app-store-cmk",
    kind: Kind::MlflowApp,
    role: Role::Store,
    name: "MlflowAppStoreCustomerManagedKey",
    title: "MLflow App data is encrypted with a customer-managed KMS key",
    description: "Checks KmsKeyId of each SageMaker MLflow App, the key of the data SageMaker \
        keeps for the app (experiments, runs, their parameters and metrics, registered \
        models). The check passes when the field names an enabled customer-managed KMS key \
        (key id, key ARN, alias or alias ARN, in any account). It fails when the field is \
        missing, null or empty (the app is then not encrypted with a customer-managed key), \
        when it names an alias/aws/* key, or when KMS reports the key as AWS-managed or not \
        enabled. The artifacts in the ArtifactStoreUri bucket take that bucket's encryption, \
        which the app does not set and this check does not judge.",
    risk: "An MLflow App records how every model was built: the data it saw, the parameters \
        tried, the metrics reached. Without a key you control you cannot restrict who may \
        decrypt it through a key policy, audit each use in CloudTrail, or make it unreadable \
        at once by disabling the key.",
    remediation: Remediation {
        console: "UpdateMlflowApp cannot change the key. Create a new MLflow App (SageMaker \
        Studio: MLflow > Create) with your customer-managed KMS key, move the experiments to \
        it, and delete the old app.",
        aws_cli: "aws sagemaker create-mlflow-app --name NEW_NAME --artifact-store-uri \
        s3://BUCKET/PREFIX --role-arn ROLE_ARN --kms-key-id \
        arn:aws:kms:REGION:ACCOUNT:key/KEY_ID",
        boto3: "boto3.client('sagemaker').create_mlflow_app(Name='new-name', \
        ArtifactStoreUri='s3://bucket/prefix', RoleArn=role_arn, KmsKeyId=key_arn)",
        python_sdk: "The SageMaker Python SDK creates no MLflow Apps: create one with boto3 as \
        above.",
        // No pipeline step creates an MLflow App.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: CreateMlflowApp",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateMlflowApp.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.0",
};

/// The store check.
pub static STORE: StoreCheck = StoreCheck {
    meta: &STORE_META,
    text: StoreText {
        protects: "MLflow App records",
        without_key: "the app is not encrypted with a customer-managed key",
        // Every app keeps data.
        absent: "keeps no data",
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_sits_at_the_top_level() {
        let f = Fields::parse(r#"{"KmsKeyId":"alias/mlflow"}"#).unwrap();
        let slots = slots(&f, Scope::Describe).unwrap();
        assert_eq!(slots[0].slot.value.as_deref(), Some("alias/mlflow"));
        let none = Fields::parse("{}").unwrap();
        assert!(slots_of(&none)[0].value.is_none());
    }

    fn slots_of(f: &Fields<'_>) -> Vec<KeySlot> {
        slots(f, Scope::Describe)
            .unwrap()
            .into_iter()
            .map(|d| d.slot)
            .collect()
    }
}
