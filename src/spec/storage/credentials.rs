//! Credentials for an object store: an existing Secret, read the way the
//! connector reads it, or workload identity through the ServiceAccount.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, SecretKeySelector, SecretVolumeSource, Volume, VolumeMount};

use super::super::checks::fail;
use super::super::{FieldPath, SpecError};
use super::{ClusterStorage, StorageCredentials, StorageKind, WorkloadIdentity, GCS_KEY_DIR, GCS_KEY_VOLUME};
use crate::names::is_rfc1123_subdomain;

fn secret_env(name: &str, secret: &str, optional: bool) -> EnvVar {
    EnvVar {
        name: name.to_owned(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.to_owned(),
                key: name.to_owned(),
                optional: optional.then_some(true),
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The credentials: a Secret or workload identity, as the storage's connector reads them.
pub(super) fn credentials(
    field: &FieldPath,
    credentials: Option<&StorageCredentials>,
    service_account_created: bool,
    storage: &mut ClusterStorage,
) -> Result<(), SpecError> {
    let Some(c) = credentials else { return Ok(()) };
    let kind = storage.kind;
    if matches!(kind, StorageKind::Hdfs | StorageKind::Ozone | StorageKind::SharedVolume) {
        let why = if kind == StorageKind::SharedVolume {
            "the volume is mounted by the kubelet"
        } else {
            "it authenticates with Kerberos, or trusts the daemon's user"
        };
        return fail(field, format!("{} storage takes no credentials: {why}", kind.as_str()));
    }
    match (&c.secret_name, &c.workload_identity) {
        (Some(_), Some(_)) => fail(field, "set secretName or workloadIdentity, not both"),
        (None, None) => fail(field, "set secretName (an existing Secret) or workloadIdentity"),
        (Some(secret), None) => {
            if !is_rfc1123_subdomain(secret) {
                return fail(
                    field.key("secretName"),
                    format!("'{secret}' is not a Secret name: lowercase letters, digits, '-' and '.'"),
                );
            }
            secret_credentials(secret, storage);
            Ok(())
        }
        (None, Some(wi)) => workload_identity(&field.key("workloadIdentity"), wi, service_account_created, storage),
    }
}

fn secret_credentials(secret: &str, storage: &mut ClusterStorage) {
    let core = &mut storage.core_site;
    match storage.kind {
        StorageKind::S3 => {
            core.insert(
                "fs.s3a.aws.credentials.provider".to_owned(),
                "com.amazonaws.auth.EnvironmentVariableCredentialsProvider".to_owned(),
            );
            storage.env = vec![
                secret_env("AWS_ACCESS_KEY_ID", secret, false),
                secret_env("AWS_SECRET_ACCESS_KEY", secret, false),
                secret_env("AWS_SESSION_TOKEN", secret, true),
            ];
        }
        StorageKind::Abfs => {
            let host = abfs_host(core);
            core.insert(format!("fs.azure.account.auth.type.{host}"), "SharedKey".to_owned());
            // Hadoop 3 expands ${env.NAME} (HADOOP-9642): the key stays in the Secret.
            core.insert(format!("fs.azure.account.key.{host}"), "${env.AZURE_STORAGE_ACCOUNT_KEY}".to_owned());
            storage.env = vec![secret_env("AZURE_STORAGE_ACCOUNT_KEY", secret, false)];
        }
        StorageKind::Gcs => {
            // GCS connector 2.x (Hadoop 3) property names.
            core.insert("google.cloud.auth.service.account.enable".to_owned(), "true".to_owned());
            core.insert("google.cloud.auth.service.account.json.keyfile".to_owned(), format!("{GCS_KEY_DIR}/key.json"));
            storage.volumes.push(Volume {
                name: GCS_KEY_VOLUME.to_owned(),
                secret: Some(SecretVolumeSource {
                    secret_name: Some(secret.to_owned()),
                    default_mode: Some(0o440),
                    ..Default::default()
                }),
                ..Default::default()
            });
            storage.mounts.push(VolumeMount {
                name: GCS_KEY_VOLUME.to_owned(),
                mount_path: GCS_KEY_DIR.to_owned(),
                read_only: Some(true),
                ..Default::default()
            });
        }
        StorageKind::Hdfs | StorageKind::Ozone | StorageKind::SharedVolume => unreachable!("refused before"),
    }
}

/// `<account>.dfs.core.windows.net`, from fs.defaultFS.
fn abfs_host(core: &BTreeMap<String, String>) -> String {
    let fs = core.get("fs.defaultFS").map(String::as_str).unwrap_or_default();
    fs.rsplit_once('@').map(|(_, host)| host.to_owned()).unwrap_or_default()
}

fn workload_identity(
    field: &FieldPath,
    wi: &WorkloadIdentity,
    service_account_created: bool,
    storage: &mut ClusterStorage,
) -> Result<(), SpecError> {
    let (wanted, other): (&[&str], Vec<&str>) = match storage.kind {
        StorageKind::S3 => (&["awsRoleArn"], vec!["gcpServiceAccount", "azureClientId", "azureTenantId"]),
        StorageKind::Gcs => (&["gcpServiceAccount"], vec!["awsRoleArn", "azureClientId", "azureTenantId"]),
        _ => (&["azureClientId", "azureTenantId"], vec!["awsRoleArn", "gcpServiceAccount"]),
    };
    let given = |name: &str| match name {
        "awsRoleArn" => wi.aws_role_arn.as_deref(),
        "gcpServiceAccount" => wi.gcp_service_account.as_deref(),
        "azureClientId" => wi.azure_client_id.as_deref(),
        _ => wi.azure_tenant_id.as_deref(),
    };
    let kind = storage.kind.as_str();
    if let Some(name) = other.iter().find(|n| given(n).is_some()) {
        return fail(
            field.key(*name),
            format!("{kind} storage takes {} for workload identity, not {name}", wanted.join(" and ")),
        );
    }
    if let Some(name) = wanted.iter().find(|n| given(n).is_none()) {
        return fail(field.key(*name), format!("{kind} storage needs {name} for workload identity"));
    }
    if !service_account_created {
        return fail(field, "workload identity annotates the ServiceAccount, but spec.serviceAccount.create is false; annotate your ServiceAccount yourself and drop workloadIdentity, or let impala-k8s create it");
    }
    match storage.kind {
        StorageKind::S3 => aws_identity(field, wi, storage),
        StorageKind::Gcs => gcp_identity(field, wi, storage),
        _ => azure_identity(field, wi, storage),
    }
}

/// S3 on EKS: IAM roles for service accounts.
fn aws_identity(field: &FieldPath, wi: &WorkloadIdentity, storage: &mut ClusterStorage) -> Result<(), SpecError> {
    let core = &mut storage.core_site;
    let annotations = &mut storage.service_account_annotations;
    let arn = wi.aws_role_arn.clone().unwrap_or_default();
    if !arn.starts_with("arn:aws") || arn.split(':').count() != 6 || !arn.contains(":role/") {
        return fail(
            field.key("awsRoleArn"),
            format!("'{arn}' is not an IAM role ARN: arn:aws:iam::ACCOUNT:role/NAME"),
        );
    }
    // The EKS pod identity webhook mounts a web identity token and sets
    // AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE for this provider.
    core.insert(
        "fs.s3a.aws.credentials.provider".to_owned(),
        "com.amazonaws.auth.WebIdentityTokenCredentialsProvider".to_owned(),
    );
    annotations.insert("eks.amazonaws.com/role-arn".to_owned(), arn);
    Ok(())
}

/// GCS on GKE: workload identity through the metadata server.
fn gcp_identity(field: &FieldPath, wi: &WorkloadIdentity, storage: &mut ClusterStorage) -> Result<(), SpecError> {
    let annotations = &mut storage.service_account_annotations;
    let account = wi.gcp_service_account.clone().unwrap_or_default();
    if !account.ends_with(".iam.gserviceaccount.com") || !account.contains('@') {
        return fail(
            field.key("gcpServiceAccount"),
            format!("'{account}' is not a Google service account: NAME@PROJECT.iam.gserviceaccount.com"),
        );
    }
    // The connector's default credentials come from the GKE metadata server.
    annotations.insert("iam.gke.io/gcp-service-account".to_owned(), account);
    Ok(())
}

/// ABFS on AKS: Azure AD workload identity.
fn azure_identity(field: &FieldPath, wi: &WorkloadIdentity, storage: &mut ClusterStorage) -> Result<(), SpecError> {
    let core = &mut storage.core_site;
    let annotations = &mut storage.service_account_annotations;
    for (name, id) in [("azureClientId", &wi.azure_client_id), ("azureTenantId", &wi.azure_tenant_id)] {
        let id = id.as_deref().unwrap_or_default();
        if !is_uuid(id) {
            return fail(
                field.key(name),
                format!("'{id}' is not an Azure id: a UUID such as 00000000-0000-0000-0000-000000000000"),
            );
        }
    }
    let host = abfs_host(core);
    // The Azure workload identity webhook sets AZURE_CLIENT_ID,
    // AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE in pods labelled
    // azure.workload.identity/use; ABFS reads the token through its
    // WorkloadIdentityTokenProvider (Apache Hadoop 3.4.1, HADOOP-18610).
    core.insert(format!("fs.azure.account.auth.type.{host}"), "OAuth".to_owned());
    core.insert(
        format!("fs.azure.account.oauth.provider.type.{host}"),
        "org.apache.hadoop.fs.azurebfs.oauth2.WorkloadIdentityTokenProvider".to_owned(),
    );
    core.insert(format!("fs.azure.account.oauth2.client.id.{host}"), "${env.AZURE_CLIENT_ID}".to_owned());
    core.insert(format!("fs.azure.account.oauth2.msi.tenant.{host}"), "${env.AZURE_TENANT_ID}".to_owned());
    core.insert(format!("fs.azure.account.oauth2.token.file.{host}"), "${env.AZURE_FEDERATED_TOKEN_FILE}".to_owned());
    annotations.insert("azure.workload.identity/client-id".to_owned(), wi.azure_client_id.clone().unwrap_or_default());
    annotations.insert("azure.workload.identity/tenant-id".to_owned(), wi.azure_tenant_id.clone().unwrap_or_default());
    storage.pod_labels.insert("azure.workload.identity/use".to_owned(), "true".to_owned());
    Ok(())
}

fn is_uuid(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}
