//! The pods of a release: each role's StatefulSets (one, the statestored
//! pair's two, or one per executor group, with a group's autoscaler and
//! budget), the daemon's container and the pod's metadata.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Container, Volume, VolumeMount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use sha2::{Digest, Sha256};

use super::cluster::{Release, CHECKSUM_ANNOTATION, LIVENESS, READINESS, STARTUP};
use super::container::{http_get_probe, tcp_probe, ContainerBuilder, ContainerError};
use super::meta::ObjectMetaBuilder;
use super::storage;
use super::workload::{PodSpecBuilder, StatefulSetBuilder};
use super::Object;
use crate::registry::{ConfigStyle, CONF_VOLUME};
use crate::spec::tls::ClusterTls;
use crate::spec::{ClusterRole, POD_NAME};

impl Release<'_, '_> {
    /// The daemon's container: image, flags, ports, probes (GET /healthz where
    /// the daemon serves it, a TCP check otherwise), drain and mounts.
    fn container(&self, role: &ClusterRole<'_>, settings: &BTreeMap<String, String>) -> ContainerBuilder {
        let tls = super::tls::role_tls(self.cluster, role);
        let https = tls.as_ref().is_some_and(|t| t.web_ui);
        let web_auth = super::auth::role_web_ui_auth(self.cluster, role);
        // Behind a login, /healthz answers 401: the metrics webserver serves it without one.
        let probe_port = match (&web_auth, &role.role.probe.unauthenticated_port) {
            (Some(_), Some(port)) if role.port(port).is_some() => port,
            _ => &role.role.probe.port,
        };
        let probe = |timing| match &role.role.probe.http_path {
            Some(path) => http_get_probe(probe_port, path, https, timing),
            None => tcp_probe(&role.role.probe.port, timing),
        };
        let mut container = ContainerBuilder::new(role.name().as_str())
            .image(&role.image, role.pull_policy.as_str())
            .resources(role.resources.clone())
            .startup_probe(probe(STARTUP))
            .liveness_probe(probe(LIVENESS))
            .readiness_probe(probe(READINESS))
            .restricted(role.run_as.user, role.run_as.group)
            .add_volume_mount(CONF_VOLUME, &role.role.conf_dir, true);
        if role.role.config == ConfigStyle::Gflags {
            container = container.add_args(settings.iter().map(|(flag, value)| format!("-{flag}={value}")));
        } else {
            container = container.add_args(role.role.args.iter().cloned());
        }
        for port in &role.ports {
            container = container.add_container_port(port.name(), port.number, port.entry.protocol);
        }
        if let Some(drain) = &role.drain {
            container = container.drain_on_stop(&drain.drain.signal);
        }
        if (self.cluster.registry.hostname_flag.is_some() || self.cluster.kerberos.is_some())
            && role.role.config == ConfigStyle::Gflags
            && !role.is_singleton()
        {
            container = container.add_field_env(POD_NAME, "metadata.name");
        }
        if let (Some(heap), Some(jvm)) = (role.jvm_heap_mib, &role.role.jvm) {
            // The images' entrypoint puts -Xmx2g first; the JVM takes the last -Xmx.
            let (name, value) = jvm.heap_setting(heap);
            container = container.add_env(name, value);
        }
        for (name, value) in &role.role.env {
            container = container.add_env(name, value.clone());
        }
        for (volume, dir) in &role.role.writable_dirs {
            container = container.add_volume_mount(volume.as_str(), &dir.path, false);
        }
        for claim in &role.data_claims {
            container = container.add_volume_mount(claim.volume.as_str(), &claim.path, false);
        }
        if let Some(storage) = self.cluster.storage_of(role.role) {
            container = container.add_env_vars(&storage.env);
        }
        container = container.add_volume_mounts(&self.mounted_files(role).1);
        let w = &role.wiring;
        container.add_env_vars(&w.env).add_env_from(&w.env_from).add_volume_mounts(&w.volume_mounts)
    }

    /// The volumes of the files a role's daemon reads, with their mounts:
    /// the storage's credentials, TLS, LDAP, web UI logins, Kerberos and the
    /// admission pools (in their own volume, outside the checksum, so that
    /// the kubelet updates the files and Impala reloads them).
    fn mounted_files(&self, role: &ClusterRole<'_>) -> (Vec<Volume>, Vec<VolumeMount>) {
        let cluster = self.cluster;
        let gflags = role.role.config == ConfigStyle::Gflags;
        let mut pairs: Vec<(Vec<Volume>, Vec<VolumeMount>)> = Vec::new();
        if let Some(storage) = cluster.storage_of(role.role) {
            pairs.push((storage.volumes.clone(), storage.mounts.clone()));
        }
        if let Some(tls) = cluster.tls.as_ref().filter(|_| super::tls::role_tls(cluster, role).is_some()) {
            pairs.push(super::tls::volumes(tls));
        }
        if let Some(ldap) = super::auth::role_ldap(cluster, role) {
            pairs.push(super::auth::volumes(ldap));
        }
        if let Some(web) = super::auth::role_web_ui_auth(cluster, role) {
            pairs.push(super::auth::web_ui_volumes(web));
        }
        if let Some(k) = cluster.kerberos.as_ref().filter(|_| gflags) {
            pairs.push(super::auth::kerberos_volumes(k));
        }
        if cluster.admission_of(role.name()).is_some() {
            let (volume, mount) = super::admission::volume(&cluster.admission_config_name());
            pairs.push((vec![volume], vec![mount]));
        }
        pairs.into_iter().fold((Vec::new(), Vec::new()), |(mut volumes, mut mounts), (v, m)| {
            volumes.extend(v);
            mounts.extend(m);
            (volumes, mounts)
        })
    }

    /// The pods' labels (the user's, workload identity's, ours) and
    /// annotations: the configuration's checksum, the certificate's reload
    /// annotations, the user's.
    fn pod_meta(&self, role: &ClusterRole<'_>, config_maps: &[&ConfigMap], tls: Option<&ClusterTls<'_>>) -> ObjectMeta {
        let storage = self.cluster.storage_of(role.role);
        let mut template = ObjectMetaBuilder::unnamed()
            .with_labels(role.pod_labels.clone())
            .with_labels(storage.map(|s| s.pod_labels.clone()).unwrap_or_default())
            .with_labels(self.labels.labels(Some(role.name().as_str())))
            .with_annotation(CHECKSUM_ANNOTATION, checksum(config_maps));
        for (key, value) in tls.map(super::tls::reload_annotations).unwrap_or_default() {
            template = template.with_annotation(key, &value);
        }
        for (key, value) in &role.pod_annotations {
            template = template.with_annotation(key, value);
        }
        template.build()
    }

    /// The StatefulSets (one, or one per member of the statestored pair), and
    /// a PodDisruptionBudget for a role of several pods.
    pub(super) fn workload(
        &self,
        role: &ClusterRole<'_>,
        settings: &BTreeMap<String, String>,
        config_maps: &[&ConfigMap],
    ) -> Result<Vec<Object>, ContainerError> {
        let (cluster, name) = (self.cluster, role.name());
        let component = Some(name.as_str());
        let mut objects = Vec::new();
        // Scalable roles spread over nodes, and drains take one pod at a time
        // (of each executor group).
        if role.replicas > 1 && role.groups.is_empty() {
            let meta = self.meta(cluster.workload_name(name), component).build();
            objects.push(Object::PodDisruptionBudget(super::workload::one_at_a_time(
                meta,
                self.labels.selector(component),
            )));
        }
        for member in super::members::members(cluster, role) {
            let mut settings = settings.clone();
            settings.extend(member.settings.clone());
            let role = member.group.map_or_else(|| role.clone(), |g| g.apply_to(role));
            let autoscaling = member.group.and_then(|g| g.autoscaling.as_ref());
            let most = autoscaling.map_or(member.replicas, |a| a.max_replicas);
            if member.group.is_some() && most > 1 {
                let mut selector = self.labels.selector(component);
                selector.extend(member.label.clone());
                let meta = self.meta(member.name.clone(), component).build();
                objects.push(Object::PodDisruptionBudget(super::workload::one_at_a_time(meta, selector)));
            }
            if let Some(a) = autoscaling {
                let meta = self.meta(member.name.clone(), component).build();
                objects.push(super::autoscaling::autoscaler(meta, &member.name, a));
            }
            objects.push(Object::StatefulSet(Box::new(self.statefulset(&role, &member, &settings, config_maps)?)));
        }
        Ok(objects)
    }

    /// One StatefulSet of a role.
    fn statefulset(
        &self,
        role: &ClusterRole<'_>,
        member: &super::members::Member<'_>,
        settings: &BTreeMap<String, String>,
        config_maps: &[&ConfigMap],
    ) -> Result<StatefulSet, ContainerError> {
        let (cluster, name) = (self.cluster, role.name());
        let component = Some(name.as_str());
        let role_selector = self.labels.selector(component);
        let mut selector = role_selector.clone();
        selector.extend(member.label.clone());
        let mut pod = PodSpecBuilder::new(cluster.service_account_name())
            .restricted(role.run_as.pod_user, role.run_as.pod_group)
            .groups(
                role.run_as.fs_group,
                role.run_as.fs_group_change_policy.as_deref(),
                &role.run_as.supplemental_groups,
            )
            .image_pull_secrets(&cluster.pull_secrets)
            .node_selector(&role.node_selector)
            .tolerations(&role.tolerations)
            .affinity(role.affinity.as_ref());
        if !role.is_singleton() {
            // A pair is kept apart wherever there is a second node.
            pod = pod.spread_over_nodes(role_selector, cluster.ha.pairs(name.as_str()));
        }
        if let Some(drain) = &role.drain {
            pod = pod.termination_grace_period(drain.termination_grace_period_seconds());
        }
        for (volume, dir) in &role.role.writable_dirs {
            pod = pod.add_empty_dir(volume.as_str(), &dir.size_limit);
        }
        // The user's containers run as restricted as the daemon.
        let restricted = |c: &Container| {
            ContainerBuilder::from_container(c.clone()).restricted(role.run_as.user, role.run_as.group).build()
        };
        pod = pod.add_volumes(&self.mounted_files(role).0);
        let tls = cluster.tls.as_ref().filter(|_| super::tls::role_tls(cluster, role).is_some());
        let w = &role.wiring;
        let init: Vec<Container> = w.init_containers.iter().map(restricted).collect::<Result<_, _>>()?;
        let mut pod = pod
            .add_volumes(&w.volumes)
            .add_init_containers(init)
            .priority_class(w.priority_class_name.as_deref())
            .add_container(self.container(role, settings).build()?);
        for sidecar in &w.sidecars {
            pod = pod.add_container(restricted(sidecar)?);
        }
        let pod = pod
            .add_config_maps(CONF_VOLUME, config_maps.iter().map(|cm| cm.metadata.name.clone().unwrap_or_default()))
            .build();
        let mut template = self.pod_meta(role, config_maps, tls);
        template.labels.get_or_insert_default().extend(member.label.clone());
        let meta = self.meta(member.name.clone(), component).build();
        let mut sts = StatefulSetBuilder::new(meta, member.replicas, selector, template, pod);
        if member.group.is_some_and(|g| g.autoscaling.is_some()) {
            sts = sts.autoscaled();
        }
        if !role.is_singleton() {
            sts = sts.service_name(cluster.internal_service_name(name)).parallel();
        }
        for claim in &role.data_claims {
            sts = sts.add_claim_template(storage::data_claim_template(claim));
        }
        Ok(sts.build())
    }
}

/// A digest of the configuration a pod mounts, so that a change rolls the pods.
fn checksum(config_maps: &[&ConfigMap]) -> String {
    let mut hash = Sha256::new();
    for cm in config_maps {
        for (key, value) in cm.data.iter().flatten() {
            hash.update(key.as_bytes());
            hash.update([0]);
            hash.update(value.as_bytes());
            hash.update([0]);
        }
    }
    format!("{:x}", hash.finalize())
}
