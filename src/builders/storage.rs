//! What table storage and data directories add to a release: the Hadoop
//! configuration files, the shared warehouse claim and the claim templates of
//! roles that keep data.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PersistentVolumeClaim, PersistentVolumeClaimSpec, VolumeResourceRequirements};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::config::hadoop_xml;
use crate::spec::storage::CreatedClaim;
use crate::spec::{Cluster, DataClaim};

/// core-site.xml.
pub const CORE_SITE: &str = "core-site.xml";
/// hive-site.xml.
pub const HIVE_SITE: &str = "hive-site.xml";
/// hdfs-site.xml (HDFS storage only).
pub const HDFS_SITE: &str = "hdfs-site.xml";
/// The Hive property that names the metastore.
const METASTORE_URIS: &str = "hive.metastore.uris";

/// The Hadoop client files every daemon reads: core-site.xml (the storage's
/// properties and the user's), hive-site.xml (the warehouse, the user's and
/// the metastore URI), and hdfs-site.xml for HDFS. `own_hive_site` is a
/// metastore's own settings, in place of the metastore URI.
pub fn hadoop_files(
    cluster: &Cluster<'_>,
    own_hive_site: Option<&BTreeMap<String, String>>,
) -> BTreeMap<&'static str, String> {
    let storage = cluster.storage.as_ref();
    let mut core = storage.map(|s| s.core_site.clone()).unwrap_or_default();
    core.extend(cluster.core_site.clone());
    let mut hive = storage.map(|s| s.hive_site.clone()).unwrap_or_default();
    hive.extend(cluster.hive_site.clone());
    match own_hive_site {
        Some(own) => hive.extend(own.clone()),
        None => {
            hive.insert(METASTORE_URIS.to_owned(), cluster.metastore_uri.clone());
        }
    }
    let mut files = BTreeMap::from([(CORE_SITE, hadoop_xml(&core)), (HIVE_SITE, hadoop_xml(&hive))]);
    if let Some(hdfs) = storage.map(|s| &s.hdfs_site).filter(|h| !h.is_empty()) {
        files.insert(HDFS_SITE, hadoop_xml(hdfs));
    }
    files
}

fn claim_spec(access_mode: &str, size: &str, storage_class_name: Option<&String>) -> PersistentVolumeClaimSpec {
    PersistentVolumeClaimSpec {
        access_modes: Some(vec![access_mode.to_owned()]),
        storage_class_name: storage_class_name.cloned(),
        resources: Some(VolumeResourceRequirements {
            requests: Some(BTreeMap::from([("storage".to_owned(), Quantity(size.to_owned()))])),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The shared warehouse's ReadWriteMany claim.
pub fn warehouse_claim(meta: ObjectMeta, claim: &CreatedClaim) -> PersistentVolumeClaim {
    PersistentVolumeClaim {
        metadata: meta,
        spec: Some(claim_spec("ReadWriteMany", &claim.size, claim.storage_class_name.as_ref())),
        ..Default::default()
    }
}

/// A data directory's claim template: one ReadWriteOnce claim per pod.
pub fn data_claim_template(claim: &DataClaim) -> PersistentVolumeClaim {
    PersistentVolumeClaim {
        metadata: ObjectMeta { name: Some(claim.volume.clone()), ..Default::default() },
        spec: Some(claim_spec("ReadWriteOnce", &claim.size, claim.storage_class_name.as_ref())),
        ..Default::default()
    }
}
