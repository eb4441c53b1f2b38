//! The admission pools' ConfigMap, and how a role that reads it mounts it
//! and finds its files.

use k8s_openapi::api::core::v1::{ConfigMap, Volume, VolumeMount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::config::{hadoop_xml, ConfigMapBuilder};
use super::volumes;
use crate::spec::admission::{ClusterAdmission, ADMISSION_DIR, ADMISSION_VOLUME, FAIR_SCHEDULER_XML, LLAMA_SITE_XML};

/// fair-scheduler.xml and llama-site.xml.
pub fn config_map(meta: ObjectMeta, admission: &ClusterAdmission<'_>) -> ConfigMap {
    ConfigMapBuilder::new(meta)
        .add_file(FAIR_SCHEDULER_XML, admission.fair_scheduler_xml())
        .add_file(LLAMA_SITE_XML, hadoop_xml(&admission.llama_site()))
        .build()
}

/// The flags that point the daemon at the files.
pub fn settings(admission: &ClusterAdmission<'_>) -> [(String, String); 2] {
    [
        (admission.flags.allocation_file.to_string(), format!("{ADMISSION_DIR}/{FAIR_SCHEDULER_XML}")),
        (admission.flags.llama_site.to_string(), format!("{ADMISSION_DIR}/{LLAMA_SITE_XML}")),
    ]
}

/// The ConfigMap's volume and its read-only mount.
pub fn volume(config_map: &str) -> (Volume, VolumeMount) {
    (volumes::config_map(ADMISSION_VOLUME, config_map), volumes::read_only(ADMISSION_VOLUME, ADMISSION_DIR))
}
