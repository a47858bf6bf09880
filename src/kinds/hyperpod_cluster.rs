//! `DescribeCluster`: a SageMaker HyperPod cluster, long-lived instance groups for distributed
//! training and inference. Each instance of a group has a root EBS volume and, when the group
//! asks for one, an additional EBS volume mounted at `/opt/sagemaker`, where jobs keep
//! checkpoints, datasets and logs. `InstanceStorageConfigs[].EbsVolumeConfig` configures both:
//! the entry with `RootVolume` true carries the root volume's key, another entry the additional
//! volume's (botocore 1.44.8, `ClusterEbsVolumeConfig`). Without a key, HyperPod encrypts a
//! volume with an AWS managed key. `RestrictedInstanceGroups` (groups for SageMaker's managed
//! workloads) take the same settings. botocore documents no local-storage exception, so none is
//! made. Real cluster ARNs end in a 12-character id, not the name (`ClusterArn`'s pattern).

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{
    Api, At, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, Text, distinct_types,
    identity, resource,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::verdict::Severity;

/// Everything about HyperPod clusters.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::HyperPodCluster,
    names: Names {
        resource_type: "hyperpod-cluster",
        arn_resource: "cluster",
        arn_nested: false,
        arn_id: true,
        noun: "HyperPod cluster",
        plural: "HyperPod clusters",
    },
    api: Api {
        list: "ListClusters",
        summaries: "ClusterSummaries",
        describe: "DescribeCluster",
        name_field: "ClusterName",
        marker: "InstanceGroups",
        arn_field: "ClusterArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8: ListClusters filters by no status.
    statuses: &[],
    // UpdateCluster changes instance groups, their storage included.
    settled: Settled::Never,
    keys: &[
        "InstanceGroups[].InstanceStorageConfigs[].EbsVolumeConfig.VolumeKmsKeyId",
        "RestrictedInstanceGroups[].InstanceStorageConfigs[].EbsVolumeConfig.VolumeKmsKeyId",
    ],
    describe_fields: &[
        "InstanceGroups",
        "RestrictedInstanceGroups",
        "ClusterStatus",
    ],
    refers_to: &[],
    pipeline_steps: &[],
    creates: &["CreateCluster"],
    terraform: &[],
    cloudformation: &["AWS::SageMaker::Cluster"],
    parse,
    slots,
    checks: &[&VOLUME],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_clusters, no_status, cluster_summaries, cluster_name, cluster_arn;
        describe_cluster, cluster_name
    ),
};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Group<'a> {
    instance_group_name: Option<String>,
    #[serde(borrow)]
    instance_type: Option<Text<'a>>,
    #[serde(borrow, default)]
    instance_storage_configs: Option<Vec<StorageConfig<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StorageConfig<'a> {
    #[serde(borrow)]
    ebs_volume_config: Option<At<'a, EbsVolumeConfig<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EbsVolumeConfig<'a> {
    #[serde(borrow, default)]
    volume_kms_key_id: At<'a, Option<Text<'a>>>,
    /// A boolean in a describe response, the text `true` in a YAML template.
    #[serde(borrow)]
    root_volume: Option<&'a RawValue>,
}

impl EbsVolumeConfig<'_> {
    fn is_root(&self) -> bool {
        self.root_volume.is_some_and(|r| {
            matches!(
                r.get()
                    .trim()
                    .trim_matches('"')
                    .to_ascii_lowercase()
                    .as_str(),
                "true"
            )
        })
    }
}

/// Per instance group, the root volume (always there), then each additional volume.
fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let mut slots = Vec::new();
    for (member, label) in [
        ("InstanceGroups", "instance group"),
        ("RestrictedInstanceGroups", "restricted instance group"),
    ] {
        let groups = f.get::<Option<Vec<At<'a, Group<'a>>>>>(member)?;
        let groups = groups.as_ref().and_then(|g| g.value.as_ref());
        for (i, group) in groups.into_iter().flatten().enumerate() {
            let name = match &group.value.instance_group_name {
                Some(n) if !n.trim().is_empty() => n.clone(),
                _ => (i + 1).to_string(),
            };
            let types = scope.types(
                &format!("{member}.InstanceType"),
                &group.value.instance_type,
            )?;
            let configs = group.value.instance_storage_configs.iter().flatten();
            let ebs: Vec<(usize, &At<'a, EbsVolumeConfig<'a>>)> = configs
                .enumerate()
                .filter_map(|(j, c)| c.ebs_volume_config.as_ref().map(|e| (j, e)))
                .collect();
            let root = ebs.iter().find(|(_, e)| e.value.is_root());
            let field = |j: Option<usize>| {
                format!(
                    "{member}[{i}].InstanceStorageConfigs[{}].EbsVolumeConfig.VolumeKmsKeyId",
                    j.map(|j| j.to_string()).unwrap_or_default()
                )
            };
            let mut slot = KeySlot::new(Role::Volume, field(root.map(|(j, _)| *j)));
            slot.part = Some(format!("{label} {name} root volume"));
            slot.instance_types = types.clone();
            slots.push(SlotDraft::new(
                slot,
                root.map(|(_, e)| &e.value.volume_kms_key_id),
                Some(root.map_or(group.raw, |(_, e)| e.raw)),
                scope,
            )?);
            let additional: Vec<_> = ebs.iter().filter(|(_, e)| !e.value.is_root()).collect();
            for (n, (j, e)) in additional.iter().enumerate() {
                let mut slot = KeySlot::new(Role::Volume, field(Some(*j)));
                slot.part = Some(if additional.len() == 1 {
                    format!("{label} {name} volume at /opt/sagemaker")
                } else {
                    format!("{label} {name} additional volume {}", n + 1)
                });
                slot.instance_types = types.clone();
                slots.push(SlotDraft::new(
                    slot,
                    Some(&e.value.volume_kms_key_id),
                    Some(e.raw),
                    scope,
                )?);
            }
        }
    }
    if slots.is_empty() {
        // No instance group at all (AWS requires one): nothing names a key, so a missing one is
        // judged, never nothing.
        slots.push(SlotDraft::new(
            KeySlot::new(
                Role::Volume,
                "InstanceGroups[].InstanceStorageConfigs[].EbsVolumeConfig.VolumeKmsKeyId",
            ),
            None,
            None,
            scope,
        )?);
    }
    Ok(slots)
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::HyperPodCluster)?;
    let mut r = resource(Kind::HyperPodCluster, id);
    r.status = f.string("ClusterStatus")?;
    r.creation_time = f.time("CreationTime")?;
    let slots = slots(f, Scope::Describe)?;
    r.instance_types = distinct_types(&slots);
    Ok(Draft { resource: r, slots })
}

/// Documentation of `hyperpod-cluster-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "hyperpod-cluster-volume-cmk",
    kind: Kind::HyperPodCluster,
    role: Role::Volume,
    name: "HyperPodClusterVolumeCustomerManagedKey",
    title: "HyperPod cluster EBS volumes are encrypted with a customer-managed KMS key",
    description: "Checks the EBS volumes of every instance group (and restricted instance group) \
        of each SageMaker HyperPod cluster: the root volume, whose key is VolumeKmsKeyId of the \
        InstanceStorageConfigs entry with RootVolume true, and each additional volume mounted at \
        /opt/sagemaker, whose key is VolumeKmsKeyId of its own entry. Each volume is one finding. \
        The check passes when the key names an enabled customer-managed KMS key in any form KMS \
        accepts. It fails when it is missing (HyperPod then uses an AWS managed key), null or \
        empty, names an alias/aws/* key, or KMS reports the key as AWS-managed or not enabled. \
        AWS documents no local-storage exception for these keys, so none is made for any \
        instance type.",
    risk: "Cluster instances live for weeks: their volumes gather training data shards, \
        checkpoints of the model being trained, container images and logs. Without a \
        customer-managed key you cannot limit decryption through a key policy, rotate on your \
        schedule, audit each use in CloudTrail, or revoke access at once.",
    remediation: Remediation {
        console: "A volume's key cannot be changed on a running instance group. Add a new instance \
        group whose storage configuration sets your customer-managed key for the root volume \
        (RootVolume true) and for the additional volume, move the workload, then delete the old \
        group.",
        aws_cli: "aws sagemaker update-cluster --cluster-name NAME --instance-groups \
        '[{\"InstanceGroupName\":\"NEW_GROUP\",...,\"InstanceStorageConfigs\":[{\"EbsVolumeConfig\":\
        {\"RootVolume\":true,\"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}},\
        {\"EbsVolumeConfig\":{\"VolumeSizeInGB\":500,\"VolumeKmsKeyId\":\
        \"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}]}]' (every existing group listed too)",
        boto3: "boto3.client('sagemaker').update_cluster(ClusterName=name, InstanceGroups=[..., \
        {'InstanceGroupName': 'new-group', ..., 'InstanceStorageConfigs': [{'EbsVolumeConfig': \
        {'RootVolume': True, 'VolumeKmsKeyId': key_arn}}, {'EbsVolumeConfig': \
        {'VolumeSizeInGB': 500, 'VolumeKmsKeyId': key_arn}}]}])",
        python_sdk: "The SageMaker Python SDK does not create HyperPod clusters; use boto3, the \
        AWS CLI or CloudFormation (AWS::SageMaker::Cluster).",
        // No pipeline step creates a cluster.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: ClusterEbsVolumeConfig",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ClusterEbsVolumeConfig.html",
        },
        Reference {
            title: "Amazon SageMaker HyperPod",
            url: "https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-hyperpod.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

/// The volume check.
pub static VOLUME: VolumeCheck = VolumeCheck {
    meta: &VOLUME_META,
    text: VolumeText {
        protects: "cluster volumes",
        without_key: "HyperPod encrypts the volume with an AWS managed key",
        nvme_exempt: false,
        no_instance: "",
    },
};

#[cfg(test)]
mod tests {
    use crate::resource::Kind;

    #[test]
    fn every_group_has_a_root_volume_and_its_additional_volumes() {
        let r = crate::kinds::read_resource(
            r#"{"ClusterName": "llm", "ClusterArn": "arn:aws:sagemaker:us-east-1:111122223333:cluster/a1b2c3d4e5f6",
"ClusterStatus": "InService",
"InstanceGroups": [
  {"InstanceGroupName": "controller", "InstanceType": "ml.m5.xlarge"},
  {"InstanceGroupName": "workers", "InstanceType": "ml.p5.48xlarge", "InstanceStorageConfigs": [
    {"EbsVolumeConfig": {"VolumeSizeInGB": 500, "VolumeKmsKeyId": "alias/data"}},
    {"FsxLustreConfig": {"DnsName": "fs", "MountName": "m", "MountPath": "/fsx"}},
    {"EbsVolumeConfig": {"RootVolume": true, "VolumeKmsKeyId": "alias/root"}}]}],
"RestrictedInstanceGroups": [{"InstanceGroupName": "rig", "InstanceType": "ml.p5.48xlarge"}]}"#,
        );
        // The ARN ends in an id, not the name.
        assert_eq!((r.kind, r.name.as_str()), (Kind::HyperPodCluster, "llm"));
        let rows: Vec<_> = r
            .slots
            .iter()
            .map(|s| {
                (
                    s.part.as_deref().unwrap(),
                    s.field.as_ref(),
                    s.value.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "instance group controller root volume",
                    "InstanceGroups[0].InstanceStorageConfigs[].EbsVolumeConfig.VolumeKmsKeyId",
                    None
                ),
                (
                    "instance group workers root volume",
                    "InstanceGroups[1].InstanceStorageConfigs[2].EbsVolumeConfig.VolumeKmsKeyId",
                    Some("alias/root")
                ),
                (
                    "instance group workers volume at /opt/sagemaker",
                    "InstanceGroups[1].InstanceStorageConfigs[0].EbsVolumeConfig.VolumeKmsKeyId",
                    Some("alias/data")
                ),
                (
                    "restricted instance group rig root volume",
                    "RestrictedInstanceGroups[0].InstanceStorageConfigs[].EbsVolumeConfig.VolumeKmsKeyId",
                    None
                ),
            ]
        );
        assert_eq!(r.instance_types, ["ml.m5.xlarge", "ml.p5.48xlarge"]);
    }
}
