//! `impala-k8s init`: a commented starter ImpalaCluster that renders as is.

use std::fmt::Write as _;

use crate::registry::{Access, Profile};

use super::crd::API_VERSION;
use super::{DEFAULT_METASTORE_URI, DEFAULT_NAMESPACE, DEFAULT_RELEASE};

/// The starter spec of a profile, with every role and its ports listed.
pub fn starter(profile: Profile) -> String {
    let registry = profile.registry_for(None).expect("a profile has its default release");
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "\
# An ImpalaCluster: every setting of impala-k8s in one file.
#   impala-k8s gen -f cluster.yaml > manifests.yaml
# Editors and CI can check this file against its schema:
#   impala-k8s schema > impalacluster.schema.json
# yaml-language-server: $schema=impalacluster.schema.json
apiVersion: {API_VERSION}
kind: ImpalaCluster
metadata:
  name: {DEFAULT_RELEASE}        # the release: prefix of every object name
  namespace: {DEFAULT_NAMESPACE}
spec:
  profile: {profile}      # {title}{release}
  image:
    repository: {repository}{placeholder}
    tag: {tag}           # each role runs <repository>:<tag>-<role image>
    pullPolicy: IfNotPresent
  serviceType: ClusterIP # of the external Services: ClusterIP, NodePort or LoadBalancer
  metastoreUri: {DEFAULT_METASTORE_URI}
  networkPolicy:
    enabled: true        # default deny; internal ports only from the roles that use them
  logging:
    destination: stderr  # kubectl logs sees every line; or files, rotated in each pod's log directory
  # storage:             # where tables live: one of s3, abfs, gcs, hdfs, ozone or sharedVolume
  #   s3: {{ bucket: my-tables, region: eu-west-1 }}
  #   credentials: {{ secretName: s3-keys }}   # or workloadIdentity: {{ awsRoleArn: ... }}{admission}
  roles:
",
        title = registry.title,
        release = profile.registry().releases.as_ref().map_or(String::new(), |r| format!(
            "\n  cdhRelease: \"{}\"      # the {} release, {} to {}; which roles and ports each has: impala-k8s ports --profile {profile}",
            r.default, r.name, r.known.first().map_or("", String::as_str), r.known.last().map_or("", String::as_str)
        )),
        repository = registry.image.repository,
        placeholder = if registry.image.placeholder { "   # a placeholder: no public image exists" } else { "" },
        tag = registry.image.tag,
        admission = if registry.admission.is_some() {
            "\n  # admission:           # admission control pools, reloaded without a restart\n  #   pools: [{ name: etl, maxRunningQueries: 4, maxQueryMemoryLimit: 8Gi }]"
        } else {
            ""
        },
    );
    for role in &registry.roles {
        let ports: Vec<String> = registry
            .ports_of(&role.name)
            .map(|p| {
                let when = match p.when {
                    None => "",
                    Some(crate::registry::PortCondition::WebUiAuth) => ", with auth.webUi",
                    Some(crate::registry::PortCondition::StatestoredHa) => ", with ha",
                    Some(crate::registry::PortCondition::Metrics) => ", with metrics or auth.webUi",
                };
                match p.access {
                    Access::Internal => format!("{} {} (internal{when})", p.name, p.number),
                    Access::External if when.is_empty() => format!("{} {}", p.name, p.number),
                    Access::External => format!("{} {} ({})", p.name, p.number, &when[2..]),
                }
            })
            .collect();
        let _ = writeln!(out, "    {}:  # {}: {}", role.name, role.component, ports.join(", "));
        if role.provides.is_some() {
            let _ = writeln!(out, "      enabled: false     # optional: true runs it (then remove metastoreUri); its Derby database suits evaluation, not production (point metastoreUri at a metastore on MySQL or PostgreSQL instead)");
        } else if role.optional {
            let _ = writeln!(out, "      enabled: false     # optional: set true to run it");
        } else if role.is_singleton() {
            let _ = writeln!(out, "      replicas: 1        # a singleton: exactly one pod");
            let pairs =
                [registry.statestored_ha.as_ref().map(|h| &h.role), registry.catalogd_ha.as_ref().map(|h| &h.role)];
            if pairs.contains(&Some(&role.name)) {
                let _ = writeln!(out, "      # ha: {{ enabled: true }}   # or an active and a standby pod");
            }
        } else {
            let _ = writeln!(out, "      replicas: {}", role.replicas.default);
        }
        if registry.executor_groups.as_ref().is_some_and(|g| g.role == role.name) {
            let _ = writeln!(out, "      # or spec.executorGroups: StatefulSets of executors for the pools of spec.admission.pools, each with its own size and autoscaling");
        }
        if let Some(drain) = &role.drain {
            let _ = writeln!(
                out,
                "      drain:             # on stop: {}, then exit once idle or at the deadline",
                drain.signal
            );
            let _ = writeln!(out, "        gracePeriodSeconds: {}", drain.grace_period_seconds);
            let _ = writeln!(
                out,
                "        deadlineSeconds: {}   # the pod gets this plus 30 s to stop",
                drain.deadline_seconds
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starters_render_as_they_are() {
        for profile in Profile::ALL {
            let text = starter(profile);
            let spec =
                super::super::load::from_yaml("init.yaml", &text).unwrap_or_else(|e| panic!("{profile}: {e}\n{text}"));
            assert_eq!(spec.profile(), profile);
            spec.resolve().unwrap_or_else(|e| panic!("{profile}: {e}"));
        }
    }
}
