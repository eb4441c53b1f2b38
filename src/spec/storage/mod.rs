//! Table storage (`spec.storage`): one object store or file system, with
//! `fs.defaultFS` and the warehouse directories set coherently, credentials
//! from a Secret or from workload identity (never in a ConfigMap), or one
//! ReadWriteMany volume shared by every role that reads and writes tables.
//!
//! Connector facts (Apache Impala 4.5.0 images, Hadoop 3.1.1.7.3.1 per
//! bin/impala-config.sh:235):
//! - S3A uses AWS SDK v1 (java/shaded-deps/s3a-aws-sdk/pom.xml), so its
//!   credential providers are `com.amazonaws.auth.*`; the STS classes that
//!   web identity needs are kept in that minimal bundle.
//! - Hadoop 3 expands `${env.NAME}` in a configuration value (HADOOP-9642):
//!   ABFS's shared key stays in a Secret and reaches core-site.xml as a reference.
//! - Ozone is read through `ofs://` with `fs.ofs.impl` set to
//!   `org.apache.hadoop.fs.ozone.RootedOzoneFileSystem`
//!   (testdata/cluster/node_templates/common/etc/hadoop/conf/core-site.xml.py:111-112).
//! - The quickstart keeps managed and external tables under one warehouse
//!   (docker/quickstart_conf/hive-site.xml:40-47), which every role that does
//!   file operations mounts (docker/quickstart.yml:33-38, 62-66, 92-94).

mod credentials;
mod kinds;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{EnvVar, Volume, VolumeMount};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names::PortNumber;

pub(super) use kinds::resolve;

/// Where tables live: exactly one of `s3`, `abfs`, `gcs`, `hdfs`, `ozone` or
/// `sharedVolume`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StorageSpec {
    /// Amazon S3 or an S3-compatible store, through S3A.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3Storage>,
    /// Azure Data Lake Storage Gen2, through ABFS (`abfss://`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abfs: Option<AbfsStorage>,
    /// Google Cloud Storage, through the GCS connector (`gs://`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gcs: Option<GcsStorage>,
    /// HDFS: a NameNode or an HA nameservice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hdfs: Option<HdfsStorage>,
    /// Apache Ozone, through `ofs://`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ozone: Option<OzoneStorage>,
    /// One ReadWriteMany PersistentVolumeClaim mounted at the warehouse in
    /// catalogd, every impalad and the built-in metastore: for small and
    /// test clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_volume: Option<SharedVolumeStorage>,
    /// The warehouse directory (default `/user/hive/warehouse`): managed
    /// tables go to `<dir>/managed`, external ones to `<dir>/external`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse_dir: Option<String>,
    /// Where the daemons get their credentials for an object store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<StorageCredentials>,
}

impl StorageSpec {
    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self == &StorageSpec::default()
    }
}

/// An S3 bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct S3Storage {
    /// The bucket.
    pub bucket: String,
    /// An S3-compatible endpoint (`https://minio.storage:9000`); default AWS's for the region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The AWS region (`eu-west-1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Path-style requests (`endpoint/bucket/key`), as most S3-compatible stores need.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_style_access: Option<bool>,
}

/// An ADLS Gen2 container.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AbfsStorage {
    /// The storage account.
    pub account: String,
    /// The container (file system).
    pub container: String,
}

/// A GCS bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GcsStorage {
    /// The bucket.
    pub bucket: String,
}

/// An HDFS file system.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HdfsStorage {
    /// `HOST:PORT` of the NameNode, or the name of an HA nameservice (defined in `hdfsSite`).
    pub namenode: String,
    /// hdfs-site.xml properties (`dfs.nameservices`, `dfs.ha.namenodes.<ns>`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hdfs_site: BTreeMap<String, String>,
}

/// An Ozone bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OzoneStorage {
    /// `HOST[:PORT]` of the Ozone Manager, or its HA service id.
    pub service: String,
    /// The Ozone volume.
    pub volume: String,
    /// The bucket in the volume.
    pub bucket: String,
}

/// The shared warehouse volume: an existing claim, or one created here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SharedVolumeStorage {
    /// An existing ReadWriteMany PersistentVolumeClaim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_claim: Option<String>,
    /// The StorageClass of a created claim; it must offer ReadWriteMany (NFS, CephFS, EFS, Azure Files, Filestore).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
    /// The size of a created claim (default 10Gi).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
}

/// Credentials for an object store: a Secret, or workload identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StorageCredentials {
    /// An existing Secret: for S3 the keys `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY` (and optionally `AWS_SESSION_TOKEN`), read as
    /// environment variables; for ABFS the key `AZURE_STORAGE_ACCOUNT_KEY`;
    /// for GCS the key `key.json`, a service account key mounted as a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
    /// Workload identity: the release's ServiceAccount is annotated (and the
    /// pods labelled) so that the cloud's identity webhook or metadata
    /// server gives the pods short-lived credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_identity: Option<WorkloadIdentity>,
}

/// The cloud identity the pods take: give the one of the storage's cloud.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkloadIdentity {
    /// S3 on EKS (IAM roles for service accounts): the IAM role's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_role_arn: Option<String>,
    /// GCS on GKE: the Google service account (`NAME@PROJECT.iam.gserviceaccount.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gcp_service_account: Option<String>,
    /// ABFS on AKS (Azure AD workload identity): the managed identity's client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_client_id: Option<String>,
    /// ABFS on AKS: the tenant id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_tenant_id: Option<String>,
}

/// The kinds of table storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageKind {
    /// S3 through S3A.
    S3,
    /// ADLS Gen2 through ABFS.
    Abfs,
    /// GCS.
    Gcs,
    /// HDFS.
    Hdfs,
    /// Ozone.
    Ozone,
    /// A shared ReadWriteMany volume.
    SharedVolume,
}

impl StorageKind {
    /// The field of `spec.storage` that selects it.
    pub fn as_str(self) -> &'static str {
        match self {
            StorageKind::S3 => "s3",
            StorageKind::Abfs => "abfs",
            StorageKind::Gcs => "gcs",
            StorageKind::Hdfs => "hdfs",
            StorageKind::Ozone => "ozone",
            StorageKind::SharedVolume => "sharedVolume",
        }
    }
}

/// A PersistentVolumeClaim the release creates for the shared warehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedClaim {
    /// Its StorageClass (the cluster's default when none).
    pub storage_class_name: Option<String>,
    /// Its size.
    pub size: String,
}

/// Table storage, resolved: what the configuration files, the pods of the
/// roles that reach storage, the ServiceAccount and the egress lockdown get.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterStorage {
    /// Which kind.
    pub kind: StorageKind,
    /// core-site.xml properties.
    pub core_site: BTreeMap<String, String>,
    /// hive-site.xml properties (the warehouse directories).
    pub hive_site: BTreeMap<String, String>,
    /// hdfs-site.xml properties (HDFS only).
    pub hdfs_site: BTreeMap<String, String>,
    /// Environment variables from the credentials Secret.
    pub env: Vec<EnvVar>,
    /// Volumes of the pods (the credentials file, the shared warehouse).
    pub volumes: Vec<Volume>,
    /// Where the daemon containers mount them.
    pub mounts: Vec<VolumeMount>,
    /// The shared claim to create, if any, named by [`warehouse_claim_name`].
    pub created_claim: Option<CreatedClaim>,
    /// Annotations the ServiceAccount needs for workload identity.
    pub service_account_annotations: BTreeMap<String, String>,
    /// Labels the pods need for workload identity.
    pub pod_labels: BTreeMap<String, String>,
    /// The TCP ports of the storage endpoints, for egress entries that list none
    /// (empty: every port).
    pub egress_ports: Vec<PortNumber>,
}

/// The managed-table warehouse of the quickstart layout, under the warehouse directory.
pub(super) const DEFAULT_WAREHOUSE: &str = "/user/hive/warehouse";
/// Where a GCS key file is mounted.
pub(super) const GCS_KEY_DIR: &str = "/etc/impala-k8s/gcs";
/// The volume of the GCS key file.
pub(super) const GCS_KEY_VOLUME: &str = "gcs-credentials";
/// The volume of the shared warehouse.
pub const WAREHOUSE_VOLUME: &str = "warehouse";
/// The default size of a created warehouse claim.
pub(super) const DEFAULT_CLAIM_SIZE: &str = "10Gi";
/// The HDFS NameNode's RPC port (Hadoop's default) and the DataNodes' data
/// transfer port (Hadoop 3's `dfs.datanode.address` default, 9866).
pub(super) const HDFS_PORTS: [u16; 2] = [8020, 9866];

/// The name of the warehouse claim a release creates: `<release>-warehouse`.
pub fn warehouse_claim_name(release: &str) -> String {
    format!("{release}-{WAREHOUSE_VOLUME}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn storage(yaml: &str) -> Result<Option<ClusterStorage>, crate::spec::SpecError> {
        let spec: StorageSpec = serde_yaml::from_str(yaml).unwrap();
        resolve(&spec, "lake", true)
    }

    fn ports(s: &ClusterStorage) -> Vec<u16> {
        s.egress_ports.iter().map(|p| p.get()).collect()
    }

    #[test]
    fn nothing_set_is_no_storage() {
        assert_eq!(storage("{}").unwrap(), None);
    }

    #[test]
    fn s3_endpoints_and_their_ports() {
        let s = storage("s3: {bucket: lake, endpoint: 'http://minio:9000/', pathStyleAccess: true}").unwrap().unwrap();
        assert_eq!(s.core_site["fs.defaultFS"], "s3a://lake");
        assert_eq!(s.core_site["fs.s3a.endpoint"], "http://minio:9000");
        assert_eq!(s.core_site["fs.s3a.connection.ssl.enabled"], "false");
        assert_eq!(s.hive_site["hive.metastore.warehouse.dir"], "s3a://lake/user/hive/warehouse/managed");
        assert_eq!(ports(&s), [9000]);
        let s = storage("s3: {bucket: lake, region: eu-west-1}").unwrap().unwrap();
        assert_eq!(s.core_site["fs.s3a.endpoint"], "s3.eu-west-1.amazonaws.com");
        assert_eq!(ports(&s), [443]);
        let e = storage("s3: {bucket: lake, endpoint: 'ftp://x'}").unwrap_err();
        assert_eq!(e.field, "spec.storage.s3.endpoint");
    }

    #[test]
    fn hdfs_needs_a_port_or_a_nameservice() {
        let s = storage("hdfs: {namenode: 'nn:8021'}").unwrap().unwrap();
        assert_eq!(ports(&s), [8021, 9866]);
        let s = storage("hdfs: {namenode: ns, hdfsSite: {dfs.nameservices: 'a, ns'}}").unwrap().unwrap();
        assert_eq!(s.core_site["fs.defaultFS"], "hdfs://ns");
        assert_eq!(ports(&s), [8020, 9866]);
        assert_eq!(s.hdfs_site["dfs.nameservices"], "a, ns");
        assert!(storage("hdfs: {namenode: ns}").unwrap_err().message.contains("no nameservice"));
    }

    #[test]
    fn ozone_and_shared_volumes_lay_out_the_warehouse() {
        let s = storage("{ozone: {service: om, volume: lake, bucket: tables}, warehouseDir: /wh}").unwrap().unwrap();
        assert_eq!(s.hive_site["hive.metastore.warehouse.external.dir"], "ofs://om/lake/tables/wh/external");
        assert!(s.egress_ports.is_empty(), "every port of the listed endpoints");
        let s = storage("sharedVolume: {storageClassName: nfs}").unwrap().unwrap();
        assert_eq!(s.core_site["fs.defaultFS"], "file:///");
        assert_eq!(s.hive_site["hive.metastore.warehouse.dir"], "file:///user/hive/warehouse/managed");
        assert_eq!(s.created_claim, Some(CreatedClaim { storage_class_name: Some("nfs".into()), size: "10Gi".into() }));
        assert_eq!(s.volumes[0].persistent_volume_claim.as_ref().unwrap().claim_name, "lake-warehouse");
        assert_eq!(s.mounts[0].mount_path, "/user/hive/warehouse");
        let s = storage("sharedVolume: {existingClaim: mine}").unwrap().unwrap();
        assert_eq!(s.created_claim, None);
        assert_eq!(s.volumes[0].persistent_volume_claim.as_ref().unwrap().claim_name, "mine");
    }

    #[test]
    fn credentials_are_references_only() {
        let s = storage("{abfs: {account: acct, container: tables}, credentials: {secretName: k}}").unwrap().unwrap();
        let key = &s.core_site["fs.azure.account.key.acct.dfs.core.windows.net"];
        assert_eq!(key, "${env.AZURE_STORAGE_ACCOUNT_KEY}");
        assert_eq!(s.env[0].value_from.as_ref().unwrap().secret_key_ref.as_ref().unwrap().name, "k");
        let s = storage("{gcs: {bucket: lake}, credentials: {secretName: k}}").unwrap().unwrap();
        assert_eq!(s.core_site["google.cloud.auth.service.account.json.keyfile"], "/etc/impala-k8s/gcs/key.json");
        assert_eq!(s.volumes[0].secret.as_ref().unwrap().secret_name.as_deref(), Some("k"));
        let wi =
            "credentials: {workloadIdentity: {azureClientId: 00000000-0000-0000-0000-000000000000, azureTenantId: x}}";
        let e = storage(&format!("{{abfs: {{account: acct, container: tables}}, {wi}}}")).unwrap_err();
        assert_eq!(e.field, "spec.storage.credentials.workloadIdentity.azureTenantId");
        let e = resolve(
            &serde_yaml::from_str(
                "s3: {bucket: lake}\ncredentials: {workloadIdentity: {awsRoleArn: 'arn:aws:iam::1:role/x'}}",
            )
            .unwrap(),
            "lake",
            false,
        )
        .unwrap_err();
        assert!(e.message.contains("spec.serviceAccount.create is false"), "{e}");
    }
}
