//! The volumes that carry a Secret's or ConfigMap's files into a daemon,
//! mounted read-only: certificates, keys, passwords, keytabs, krb5.conf.

use k8s_openapi::api::core::v1::{ConfigMapVolumeSource, SecretVolumeSource, Volume, VolumeMount};

use crate::spec::tls::CaBundle;

/// Owner and group may read a key or password; the pods' fsGroup is the group.
pub const PRIVATE: Option<i32> = Some(0o440);

/// A volume of a Secret's keys, with this file mode (the API's default, 0644, for `None`).
pub fn secret(volume: &str, secret: &str, mode: Option<i32>) -> Volume {
    Volume {
        name: volume.to_owned(),
        secret: Some(SecretVolumeSource {
            secret_name: Some(secret.to_owned()),
            default_mode: mode,
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A volume of a ConfigMap's keys.
pub fn config_map(volume: &str, config_map: &str) -> Volume {
    Volume {
        name: volume.to_owned(),
        config_map: Some(ConfigMapVolumeSource { name: config_map.to_owned(), ..Default::default() }),
        ..Default::default()
    }
}

/// A volume of the Secret or ConfigMap a [`CaBundle`] names (checked to name one).
pub fn bundle(volume: &str, source: &CaBundle, mode: Option<i32>) -> Volume {
    match (&source.secret_name, &source.config_map_name) {
        (Some(name), _) => secret(volume, name, mode),
        (None, Some(name)) => config_map(volume, name),
        (None, None) => unreachable!("checked: a Secret or a ConfigMap"),
    }
}

/// A read-only mount of a volume.
pub fn read_only(volume: &str, path: &str) -> VolumeMount {
    VolumeMount { name: volume.to_owned(), mount_path: path.to_owned(), read_only: Some(true), ..Default::default() }
}
