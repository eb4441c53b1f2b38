//! Pods and StatefulSets.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    Affinity, ConfigMapProjection, Container, EmptyDirVolumeSource, LocalObjectReference, PersistentVolumeClaim,
    PodSecurityContext, PodSpec, PodTemplateSpec, ProjectedVolumeSource, SeccompProfile, Toleration,
    TopologySpreadConstraint, Volume, VolumeProjection,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// Builds a [`PodSpec`].
#[derive(Debug, Clone, Default)]
pub struct PodSpecBuilder {
    spec: PodSpec,
}

impl PodSpecBuilder {
    /// A pod that runs as this ServiceAccount without mounting its token, and
    /// without the legacy Service environment variables.
    pub fn new(service_account: impl Into<String>) -> Self {
        PodSpecBuilder {
            spec: PodSpec {
                service_account_name: Some(service_account.into()),
                automount_service_account_token: Some(false),
                enable_service_links: Some(false),
                ..Default::default()
            },
        }
    }

    /// Appends a container.
    pub fn add_container(mut self, container: Container) -> Self {
        self.spec.containers.push(container);
        self
    }

    /// Appends init containers, run in order before the others.
    pub fn add_init_containers(mut self, containers: Vec<Container>) -> Self {
        if !containers.is_empty() {
            self.spec.init_containers.get_or_insert_with(Vec::new).extend(containers);
        }
        self
    }

    /// Appends volumes as given.
    pub fn add_volumes(mut self, volumes: &[Volume]) -> Self {
        if !volumes.is_empty() {
            self.spec.volumes.get_or_insert_with(Vec::new).extend(volumes.iter().cloned());
        }
        self
    }

    /// Sets the pods' PriorityClass.
    pub fn priority_class(mut self, name: Option<&str>) -> Self {
        self.spec.priority_class_name = name.map(str::to_owned);
        self
    }

    /// Appends an emptyDir volume that may hold `size_limit` (a quantity).
    pub fn add_empty_dir(mut self, name: impl Into<String>, size_limit: &str) -> Self {
        self.spec.volumes.get_or_insert_with(Vec::new).push(Volume {
            name: name.into(),
            empty_dir: Some(EmptyDirVolumeSource {
                size_limit: Some(Quantity(size_limit.to_owned())),
                ..Default::default()
            }),
            ..Default::default()
        });
        self
    }

    /// Appends a volume that projects every key of these ConfigMaps into one directory.
    pub fn add_config_maps(mut self, name: impl Into<String>, config_maps: impl IntoIterator<Item = String>) -> Self {
        let sources = config_maps
            .into_iter()
            .map(|cm| VolumeProjection {
                config_map: Some(ConfigMapProjection { name: cm, ..Default::default() }),
                ..Default::default()
            })
            .collect();
        self.spec.volumes.get_or_insert_with(Vec::new).push(Volume {
            name: name.into(),
            projected: Some(ProjectedVolumeSource { sources: Some(sources), ..Default::default() }),
            ..Default::default()
        });
        self
    }

    /// Schedules the pods onto nodes with these labels.
    pub fn node_selector(mut self, labels: &BTreeMap<String, String>) -> Self {
        self.spec.node_selector = (!labels.is_empty()).then(|| labels.clone());
        self
    }

    /// Lets the pods tolerate these taints.
    pub fn tolerations(mut self, tolerations: &[Toleration]) -> Self {
        self.spec.tolerations = (!tolerations.is_empty()).then(|| tolerations.to_vec());
        self
    }

    /// Sets node and pod affinity.
    pub fn affinity(mut self, affinity: Option<&Affinity>) -> Self {
        self.spec.affinity = affinity.cloned();
        self
    }

    /// Pulls images with the credentials of these Secrets.
    pub fn image_pull_secrets(mut self, secrets: &[String]) -> Self {
        self.spec.image_pull_secrets = (!secrets.is_empty())
            .then(|| secrets.iter().map(|name| LocalObjectReference { name: name.clone() }).collect());
        self
    }

    /// Spreads the pods that match `selector` over nodes: at most one more on
    /// any node than on another, preferred, or `required` (which still
    /// schedules every pod on a single node, where the skew is 0).
    pub fn spread_over_nodes(mut self, selector: BTreeMap<String, String>, required: bool) -> Self {
        self.spec.topology_spread_constraints = Some(vec![TopologySpreadConstraint {
            max_skew: 1,
            topology_key: "kubernetes.io/hostname".to_owned(),
            when_unsatisfiable: if required { "DoNotSchedule" } else { "ScheduleAnyway" }.to_owned(),
            label_selector: Some(LabelSelector { match_labels: Some(selector), ..Default::default() }),
            ..Default::default()
        }]);
        self
    }

    /// Sets how long the kubelet waits for the pod to stop before it kills it.
    pub fn termination_grace_period(mut self, seconds: i64) -> Self {
        self.spec.termination_grace_period_seconds = Some(seconds);
        self
    }

    /// Runs every container as this non-root uid/gid with RuntimeDefault seccomp.
    pub fn restricted(mut self, uid: i64, gid: i64) -> Self {
        self.spec.security_context = Some(PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: Some(uid),
            run_as_group: Some(gid),
            fs_group: Some(gid),
            seccomp_profile: Some(SeccompProfile { type_: "RuntimeDefault".to_owned(), ..Default::default() }),
            ..Default::default()
        });
        self
    }

    /// Sets the group that owns the pod's volumes, when the kubelet changes
    /// their ownership, and further groups of every container.
    pub fn groups(mut self, fs_group: i64, change_policy: Option<&str>, supplemental: &[i64]) -> Self {
        let sc = self.spec.security_context.get_or_insert_with(Default::default);
        sc.fs_group = Some(fs_group);
        sc.fs_group_change_policy = change_policy.map(str::to_owned);
        sc.supplemental_groups = (!supplemental.is_empty()).then(|| supplemental.to_vec());
        self
    }

    /// The pod spec.
    pub fn build(self) -> PodSpec {
        self.spec
    }
}

/// A budget that lets voluntary disruptions (drains, upgrades) take at most
/// one of the selected pods at a time.
pub fn one_at_a_time(meta: ObjectMeta, selector: BTreeMap<String, String>) -> PodDisruptionBudget {
    PodDisruptionBudget {
        metadata: meta,
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(LabelSelector { match_labels: Some(selector), ..Default::default() }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Builds a [`StatefulSet`].
#[derive(Debug, Clone)]
pub struct StatefulSetBuilder {
    meta: ObjectMeta,
    spec: StatefulSetSpec,
}

impl StatefulSetBuilder {
    /// A StatefulSet of `replicas` pods that match `selector`, from this template.
    pub fn new(
        meta: ObjectMeta,
        replicas: i32,
        selector: BTreeMap<String, String>,
        template_meta: ObjectMeta,
        pod: PodSpec,
    ) -> Self {
        StatefulSetBuilder {
            meta,
            spec: StatefulSetSpec {
                replicas: Some(replicas),
                selector: LabelSelector { match_labels: Some(selector), ..Default::default() },
                template: PodTemplateSpec { metadata: Some(template_meta), spec: Some(pod) },
                ..Default::default()
            },
        }
    }

    /// Sets the governing (headless) Service that gives each pod a DNS name.
    pub fn service_name(mut self, service: impl Into<String>) -> Self {
        self.spec.service_name = Some(service.into());
        self
    }

    /// Adds a claim template: each pod gets its own PersistentVolumeClaim.
    pub fn add_claim_template(mut self, claim: PersistentVolumeClaim) -> Self {
        self.spec.volume_claim_templates.get_or_insert_with(Vec::new).push(claim);
        self
    }

    /// Leaves the pod count to an autoscaler: no `replicas`, so that a
    /// GitOps tool applying the object does not fight the autoscaler.
    pub fn autoscaled(mut self) -> Self {
        self.spec.replicas = None;
        self
    }

    /// Starts and stops pods in parallel rather than one by one.
    pub fn parallel(mut self) -> Self {
        self.spec.pod_management_policy = Some("Parallel".to_owned());
        self
    }

    /// The StatefulSet.
    pub fn build(self) -> StatefulSet {
        StatefulSet { metadata: self.meta, spec: Some(self.spec), ..Default::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builders::meta::ObjectMetaBuilder;

    #[test]
    fn restricted_pod_without_token() {
        let pod = PodSpecBuilder::new("impala")
            .add_empty_dir("tmp", "1Gi")
            .add_config_maps("conf", ["a".to_owned(), "b".to_owned()])
            .restricted(1000, 1000)
            .build();
        assert_eq!(pod.automount_service_account_token, Some(false));
        assert_eq!(pod.security_context.as_ref().unwrap().run_as_user, Some(1000));
        let volumes = pod.volumes.unwrap();
        assert!(volumes[0].empty_dir.is_some());
        assert_eq!(volumes[1].projected.as_ref().unwrap().sources.as_ref().unwrap().len(), 2);
    }

    #[test]
    fn statefulset() {
        let sel = BTreeMap::from([("k".to_owned(), "v".to_owned())]);
        let sts = StatefulSetBuilder::new(
            ObjectMetaBuilder::new("x").build(),
            3,
            sel,
            ObjectMeta::default(),
            PodSpec::default(),
        )
        .service_name("x-internal")
        .parallel()
        .build();
        let spec = sts.spec.unwrap();
        assert_eq!(spec.replicas, Some(3));
        assert_eq!(spec.service_name.as_deref(), Some("x-internal"));
        assert_eq!(spec.pod_management_policy.as_deref(), Some("Parallel"));
    }
}
