//! Each kind of storage: its names checked, its root URI, its properties,
//! volumes and egress ports.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PersistentVolumeClaimVolumeSource, Volume, VolumeMount};

use super::super::checks::{fail, quantity};
use super::super::{FieldPath, SpecError};
use super::{
    warehouse_claim_name, AbfsStorage, ClusterStorage, CreatedClaim, HdfsStorage, OzoneStorage, S3Storage,
    SharedVolumeStorage, StorageKind, StorageSpec, DEFAULT_CLAIM_SIZE, DEFAULT_WAREHOUSE, HDFS_PORTS, WAREHOUSE_VOLUME,
};
use crate::names::{is_rfc1123_subdomain, PortNumber};

/// `spec.storage`, checked.
pub(in crate::spec) fn resolve(
    spec: &StorageSpec,
    release: &str,
    service_account_created: bool,
) -> Result<Option<ClusterStorage>, SpecError> {
    if spec.is_empty() {
        return Ok(None);
    }
    let field = FieldPath::from("spec.storage");
    let kind = chosen_kind(&field, spec)?;
    let dir = warehouse_dir(&field, spec.warehouse_dir.as_deref())?;
    let mut storage = ClusterStorage {
        kind,
        core_site: BTreeMap::new(),
        hive_site: BTreeMap::new(),
        hdfs_site: BTreeMap::new(),
        env: Vec::new(),
        volumes: Vec::new(),
        mounts: Vec::new(),
        created_claim: None,
        service_account_annotations: BTreeMap::new(),
        pod_labels: BTreeMap::new(),
        egress_ports: Vec::new(),
    };
    let root = match kind {
        StorageKind::S3 => s3(&field.key("s3"), spec.s3.as_ref().expect("chosen"), &mut storage)?,
        StorageKind::Abfs => abfs(&field.key("abfs"), spec.abfs.as_ref().expect("chosen"), &mut storage)?,
        StorageKind::Gcs => {
            let gcs = spec.gcs.as_ref().expect("chosen");
            bucket(&field.key("gcs").key("bucket"), &gcs.bucket)?;
            storage.egress_ports = vec![port(443)];
            format!("gs://{}", gcs.bucket)
        }
        StorageKind::Hdfs => hdfs(&field.key("hdfs"), spec.hdfs.as_ref().expect("chosen"), &mut storage)?,
        StorageKind::Ozone => ozone(&field.key("ozone"), spec.ozone.as_ref().expect("chosen"), &mut storage)?,
        StorageKind::SharedVolume => {
            let shared = spec.shared_volume.as_ref().expect("chosen");
            shared_volume(&field.key("sharedVolume"), shared, release, &dir, &mut storage)?;
            "file://".to_owned()
        }
    };
    storage.core_site.insert(
        "fs.defaultFS".to_owned(),
        if kind == StorageKind::SharedVolume { "file:///".to_owned() } else { root.clone() },
    );
    let base = match kind {
        StorageKind::Ozone => {
            let o = spec.ozone.as_ref().expect("chosen");
            format!("{root}/{}/{}{dir}", o.volume, o.bucket)
        }
        _ => format!("{root}{dir}"),
    };
    storage.hive_site.insert("hive.metastore.warehouse.dir".to_owned(), format!("{base}/managed"));
    storage.hive_site.insert("hive.metastore.warehouse.external.dir".to_owned(), format!("{base}/external"));
    super::credentials::credentials(
        &field.key("credentials"),
        spec.credentials.as_ref(),
        service_account_created,
        &mut storage,
    )?;
    Ok(Some(storage))
}

/// The one kind of storage the spec chooses.
fn chosen_kind(field: &FieldPath, spec: &StorageSpec) -> Result<StorageKind, SpecError> {
    let kinds: Vec<StorageKind> = [
        (spec.s3.is_some(), StorageKind::S3),
        (spec.abfs.is_some(), StorageKind::Abfs),
        (spec.gcs.is_some(), StorageKind::Gcs),
        (spec.hdfs.is_some(), StorageKind::Hdfs),
        (spec.ozone.is_some(), StorageKind::Ozone),
        (spec.shared_volume.is_some(), StorageKind::SharedVolume),
    ]
    .into_iter()
    .filter_map(|(set, kind)| set.then_some(kind))
    .collect();
    match kinds.as_slice() {
        [kind] => Ok(*kind),
        [] => fail(field, "no storage is chosen: set one of s3, abfs, gcs, hdfs, ozone or sharedVolume"),
        several => {
            let names: Vec<&str> = several.iter().map(|k| k.as_str()).collect();
            fail(
                field,
                format!(
                    "{} are set; a cluster keeps its tables in one storage, so set exactly one",
                    names.join(" and ")
                ),
            )
        }
    }
}

fn port(n: u16) -> PortNumber {
    PortNumber::try_from(i64::from(n)).expect("a valid port")
}

/// An absolute path without `.`, `..` or a trailing '/'.
fn warehouse_dir(field: &FieldPath, dir: Option<&str>) -> Result<String, SpecError> {
    let dir = dir.unwrap_or(DEFAULT_WAREHOUSE);
    let ok = dir.starts_with('/')
        && dir.len() > 1
        && !dir.ends_with('/')
        && dir[1..].split('/').all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains(char::is_whitespace));
    if !ok {
        return fail(field.key("warehouseDir"), format!("'{dir}' is not a warehouse directory: an absolute path such as /user/hive/warehouse, without '.', '..', spaces or a trailing '/'"));
    }
    Ok(dir.to_owned())
}

/// A bucket name: 3 to 63 lowercase letters, digits, '-' and '.'.
pub(super) fn bucket(field: &FieldPath, name: &str) -> Result<(), SpecError> {
    let ok = (3..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        fail(field, format!("'{name}' is not a bucket name: 3 to 63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"))
    }
}

/// `HOST[:PORT]`: the host, and the port when given.
fn host_port(field: &FieldPath, what: &str, value: &str) -> Result<(String, Option<PortNumber>), SpecError> {
    let bad = || fail(field, format!("'{value}' is not {what}: HOST or HOST:PORT"));
    let (host, port) = match value.rsplit_once(':') {
        Some((host, p)) => match p.parse::<i64>().ok().and_then(|n| PortNumber::try_from(n).ok()) {
            Some(p) => (host, Some(p)),
            None => return bad(),
        },
        None => (value, None),
    };
    if host.is_empty()
        || !host.split('.').all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        return bad();
    }
    Ok((host.to_owned(), port))
}

fn s3(field: &FieldPath, s3: &S3Storage, storage: &mut ClusterStorage) -> Result<String, SpecError> {
    bucket(&field.key("bucket"), &s3.bucket)?;
    let core = &mut storage.core_site;
    if let Some(region) = &s3.region {
        let ok =
            !region.is_empty() && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return fail(field.key("region"), format!("'{region}' is not an AWS region such as eu-west-1"));
        }
        core.insert("fs.s3a.endpoint.region".to_owned(), region.clone());
        if s3.endpoint.is_none() {
            // S3A before Hadoop 3.3 reads the region from the endpoint only.
            core.insert("fs.s3a.endpoint".to_owned(), format!("s3.{region}.amazonaws.com"));
        }
    }
    storage.egress_ports = vec![port(443)];
    if let Some(endpoint) = &s3.endpoint {
        let at = field.key("endpoint");
        let (tls, rest) = match endpoint.split_once("://") {
            Some(("https", rest)) => (true, rest),
            Some(("http", rest)) => (false, rest),
            _ => {
                return fail(at, format!("'{endpoint}' is not an endpoint: https://HOST[:PORT] or http://HOST[:PORT]"))
            }
        };
        let (_, p) = host_port(&at, "an endpoint", rest.trim_end_matches('/'))?;
        storage.egress_ports = vec![p.unwrap_or(port(if tls { 443 } else { 80 }))];
        core.insert("fs.s3a.endpoint".to_owned(), endpoint.trim_end_matches('/').to_owned());
        core.insert("fs.s3a.connection.ssl.enabled".to_owned(), tls.to_string());
    }
    if let Some(path_style) = s3.path_style_access {
        core.insert("fs.s3a.path.style.access".to_owned(), path_style.to_string());
    }
    Ok(format!("s3a://{}", s3.bucket))
}

fn abfs(field: &FieldPath, abfs: &AbfsStorage, storage: &mut ClusterStorage) -> Result<String, SpecError> {
    let account_ok = (3..=24).contains(&abfs.account.len())
        && abfs.account.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !account_ok {
        return fail(
            field.key("account"),
            format!("'{}' is not a storage account name: 3 to 24 lowercase letters and digits", abfs.account),
        );
    }
    bucket(&field.key("container"), &abfs.container)?;
    storage.egress_ports = vec![port(443)];
    Ok(format!("abfss://{}@{}.dfs.core.windows.net", abfs.container, abfs.account))
}

fn hdfs(field: &FieldPath, hdfs: &HdfsStorage, storage: &mut ClusterStorage) -> Result<String, SpecError> {
    let (host, p) = host_port(&field.key("namenode"), "a NameNode or nameservice", &hdfs.namenode)?;
    let nameservices = hdfs.hdfs_site.get("dfs.nameservices").map(String::as_str).unwrap_or_default();
    if p.is_none() && !nameservices.split(',').any(|ns| ns.trim() == host) {
        return fail(field.key("namenode"), format!("'{host}' has no port and is no nameservice of hdfsSite's dfs.nameservices; give HOST:PORT of the NameNode (usually 8020), or define the nameservice in hdfsSite"));
    }
    for key in hdfs.hdfs_site.keys() {
        if key.trim().is_empty() || key.chars().any(char::is_whitespace) {
            return fail(field.key("hdfsSite"), format!("'{key}' is not a property name"));
        }
        if super::super::wiring::looks_secret(key) {
            return fail(field.key("hdfsSite").key(key.as_str()), format!("'{key}' holds a credential, and hdfs-site.xml lands in a ConfigMap in the clear; HDFS authenticates with Kerberos"));
        }
    }
    storage.hdfs_site = hdfs.hdfs_site.clone();
    storage.egress_ports = match p {
        Some(p) => vec![p, port(HDFS_PORTS[1])],
        None => HDFS_PORTS.iter().map(|&n| port(n)).collect(),
    };
    Ok(format!("hdfs://{}", hdfs.namenode))
}

fn ozone(field: &FieldPath, ozone: &OzoneStorage, storage: &mut ClusterStorage) -> Result<String, SpecError> {
    host_port(&field.key("service"), "an Ozone Manager or service id", &ozone.service)?;
    bucket(&field.key("volume"), &ozone.volume)?;
    bucket(&field.key("bucket"), &ozone.bucket)?;
    storage.core_site.insert("fs.ofs.impl".to_owned(), "org.apache.hadoop.fs.ozone.RootedOzoneFileSystem".to_owned());
    // The Ozone Manager and the DataNodes listen on several ports: every port
    // of the listed endpoints unless the entries name them.
    Ok(format!("ofs://{}", ozone.service))
}

fn shared_volume(
    field: &FieldPath,
    shared: &SharedVolumeStorage,
    release: &str,
    dir: &str,
    storage: &mut ClusterStorage,
) -> Result<(), SpecError> {
    let claim_name = match (&shared.existing_claim, &shared.storage_class_name, &shared.size) {
        (Some(claim), None, None) => {
            if !is_rfc1123_subdomain(claim) {
                return fail(field.key("existingClaim"), format!("'{claim}' is not a PersistentVolumeClaim name: lowercase letters, digits, '-' and '.'"));
            }
            claim.clone()
        }
        (Some(_), _, _) => {
            return fail(field.key("existingClaim"), "an existing claim is used as it is: storageClassName and size are for a claim impala-k8s creates; remove them or existingClaim")
        }
        (None, class, size) => {
            if let Some(class) = class.as_ref().filter(|c| !is_rfc1123_subdomain(c)) {
                return fail(field.key("storageClassName"), format!("'{class}' is not a StorageClass name: lowercase letters, digits, '-' and '.'"));
            }
            let size = size.clone().unwrap_or_else(|| DEFAULT_CLAIM_SIZE.to_owned());
            if quantity(&size).is_none_or(|q| q <= 0.0) {
                return fail(field.key("size"), format!("'{size}' is not a size: a quantity of bytes such as 10Gi"));
            }
            storage.created_claim = Some(CreatedClaim { storage_class_name: class.clone(), size });
            warehouse_claim_name(release)
        }
    };
    storage.volumes.push(Volume {
        name: WAREHOUSE_VOLUME.to_owned(),
        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource { claim_name, ..Default::default() }),
        ..Default::default()
    });
    storage.mounts.push(VolumeMount {
        name: WAREHOUSE_VOLUME.to_owned(),
        mount_path: dir.to_owned(),
        ..Default::default()
    });
    Ok(())
}
