//! The argument types (clap derive), with each command's help examples, and
//! how `gen`'s flags override a spec.

use std::collections::BTreeSet;

use clap::{Args, Parser, Subcommand};

use crate::output::ports::PortsFormat;
use crate::registry::Profile;
use crate::spec::{ClusterSpec, FieldPath, ServiceType, SpecError};
use crate::Error;

/// The version line: the crate's version and what `gen` renders by default.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (default profile impala4: Apache Impala 4.5.0)");

const TOP_EXAMPLES: &str = "\
Examples:
  impala-k8s gen > manifests.yaml && kubectl apply -f manifests.yaml
  impala-k8s init > cluster.yaml && impala-k8s gen -f cluster.yaml --out-dir deploy/impala
  impala-k8s diff -f cluster.yaml deploy/impala
  impala-k8s values -f cluster.yaml > values.yaml && helm install impala charts/impala -f values.yaml";

const GEN_EXAMPLES: &str = "\
Examples:
  impala-k8s gen > manifests.yaml && kubectl apply -f manifests.yaml
  impala-k8s gen -f cluster.yaml > manifests.yaml
  impala-k8s gen -f cluster.yaml --replicas executor=8      # a flag overrides the file
  cat cluster.yaml | impala-k8s gen -f -
  impala-k8s gen --release prod --namespace analytics --service-type LoadBalancer --enable admissiond
  impala-k8s gen --profile cdh5 --image-repository registry.example.com/cdh5 --tag 5.16.2";

const PORTS_EXAMPLES: &str = "\
Examples:
  impala-k8s ports
  impala-k8s ports --profile cdh5 --format markdown
  impala-k8s ports --format csv > ports.csv";

const POLICY_EXAMPLES: &str = "\
Examples:
  impala-k8s policy                                   # the default cluster, as a table
  impala-k8s policy -f cluster.yaml --format markdown
  impala-k8s policy --profile cdh5 --format mermaid
  impala-k8s policy -f cluster.yaml --format dot | dot -Tsvg > reachability.svg
  kubectl kustomize deploy/overlays/prod | impala-k8s policy --manifests -   # what an overlay really opens";

const CRD_EXAMPLES: &str = "\
Examples:
  impala-k8s crd > impalacluster-crd.yaml
  impala-k8s crd | kubectl apply -f -";

const SCHEMA_EXAMPLES: &str = "\
Examples:
  impala-k8s schema > impalacluster.schema.json
  # then, first line of cluster.yaml: # yaml-language-server: $schema=impalacluster.schema.json";

const VALUES_EXAMPLES: &str = "\
Examples:
  impala-k8s values -f cluster.yaml > values.yaml && helm install impala charts/impala -f values.yaml
  impala-k8s values --profile cdh5 --image-repository registry.example.com/cdh5 > values.yaml
  impala-k8s values --schema > values.schema.json";

const INIT_EXAMPLES: &str = "\
Examples:
  impala-k8s init > cluster.yaml && impala-k8s gen -f cluster.yaml
  impala-k8s init --profile cdh5 > cdh5.yaml";

/// Kubernetes manifests for Apache Impala, from its port registry.
///
/// Every port is declared once in a registry; its daemon flag, containerPort,
/// Service port, NetworkPolicy rule and probe all follow from it.
#[derive(Debug, Parser)]
#[command(name = "impala-k8s", version = VERSION, propagate_version = true, after_help = TOP_EXAMPLES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
// Parsed once per run: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render the manifests of an Impala cluster as multi-document YAML on stdout.
    #[command(after_help = GEN_EXAMPLES)]
    Gen {
        /// The request.
        #[command(flatten)]
        args: GenArgs,
        /// Where and how to write.
        #[command(flatten)]
        output: GenOutput,
    },
    /// Print a port registry: roles, ports, flags and who connects to whom.
    #[command(after_help = PORTS_EXAMPLES)]
    Ports(PortsArgs),
    /// Show who can reach which port: roles, other pods, other namespaces and the outside world.
    ///
    /// Computed from the generated objects (StatefulSets, Services, NetworkPolicies) with
    /// Kubernetes NetworkPolicy semantics, not from the registry.
    #[command(after_help = POLICY_EXAMPLES)]
    Policy {
        /// The request, as for `gen`.
        #[command(flatten)]
        args: GenArgs,
        /// Analyze committed manifests instead of a rendering: a YAML file, '-' for stdin
        /// (`kubectl kustomize overlay | impala-k8s policy --manifests -`), or an --out-dir directory.
        #[arg(long, value_name = "PATH", conflicts_with_all = GEN_ARG_IDS)]
        manifests: Option<std::path::PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: crate::output::policy::PolicyFormat,
    },
    /// Print the ImpalaCluster CustomResourceDefinition.
    #[command(after_help = CRD_EXAMPLES)]
    Crd,
    /// Print the JSON Schema of an ImpalaCluster file (for editors and CI).
    #[command(after_help = SCHEMA_EXAMPLES)]
    Schema,
    /// Print a commented starter ImpalaCluster that renders as is.
    #[command(after_help = INIT_EXAMPLES)]
    Init(InitArgs),
    /// Compare what a spec renders with what is committed at PATH (a file or an --out-dir directory).
    ///
    /// Exit status 0 when they match, 1 with a unified diff per object when they drift, 2 on bad input.
    #[command(
        after_help = "Examples:\n  impala-k8s diff -f cluster.yaml deploy/impala/        # in a GitOps repository's CI\n  impala-k8s diff --release prod manifests.yaml"
    )]
    Diff {
        /// The request, as for `gen`.
        #[command(flatten)]
        args: GenArgs,
        /// The committed manifests: a YAML file or a directory.
        path: std::path::PathBuf,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  impala-k8s completions bash > /etc/bash_completion.d/impala-k8s\n  impala-k8s completions zsh > \"${fpath[1]}/_impala-k8s\""
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write a page per subcommand into a directory.
    #[command(
        after_help = "Examples:\n  impala-k8s man > impala-k8s.1 && man ./impala-k8s.1\n  impala-k8s man --all ~/.local/share/man/man1 && man impala-k8s-gen"
    )]
    Man {
        /// Write impala-k8s.1 and a page per subcommand (impala-k8s-gen.1, ...) into DIR,
        /// creating it; the main page names the others, which are then installed.
        #[arg(long, value_name = "DIR")]
        all: Option<std::path::PathBuf>,
    },
    /// Print values.yaml for charts/impala (or its values.schema.json), from a spec and the flags.
    #[command(after_help = VALUES_EXAMPLES)]
    Values(ValuesArgs),
}

/// Flags of `values`: those of `gen`, and `--schema`.
#[derive(Debug, Clone, Default, Args)]
pub struct ValuesArgs {
    /// Print values.schema.json instead of values.yaml.
    #[arg(long)]
    pub schema: bool,
    /// Print every value (the chart's own values.yaml), not only what differs from the chart's defaults.
    #[arg(long, conflicts_with = "schema")]
    pub full: bool,
    /// The request, as for `gen` (the release and namespace come from helm).
    #[command(flatten)]
    pub gen: GenArgs,
}

/// The format of `gen` on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    /// Multi-document YAML.
    #[default]
    Yaml,
    /// A `v1` `List` as JSON.
    Json,
}

/// Where and how `gen` writes.
#[derive(Debug, Clone, Default, Args)]
pub struct GenOutput {
    /// Write one file per object and a kustomization.yaml into DIR (atomically) instead of stdout.
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    pub out_dir: Option<std::path::PathBuf>,
    /// Format on stdout.
    #[arg(long, short = 'o', value_enum)]
    pub output: Option<OutputFormat>,
}

/// The ids of [`GenArgs`]' flags, for flags that exclude a request.
pub(crate) const GEN_ARG_IDS: [&str; 15] = [
    "file",
    "registry",
    "profile",
    "namespace",
    "create_namespace",
    "release",
    "image_repository",
    "tag",
    "replicas",
    "service_type",
    "metastore_uri",
    "enable",
    "shared_volume_class",
    "cdh_release",
    "yarn_resource_manager",
];

/// Flags of `gen`; each one overrides the same setting of the file (or the default).
#[derive(Debug, Clone, Default, Args)]
pub struct GenArgs {
    /// ImpalaCluster file to render; '-' reads stdin [default: the built-in defaults].
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Option<std::path::PathBuf>,
    /// Custom port registry file, for other Impala builds (replaces the profile's).
    #[arg(long, value_name = "FILE")]
    pub registry: Option<std::path::PathBuf>,
    /// Port registry to render (spec.profile) [default: impala4].
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,
    /// Namespace of every object (metadata.namespace) [default: impala].
    #[arg(long, short = 'n')]
    pub namespace: Option<String>,
    /// Emit the Namespace object, with the restricted Pod Security Standard enforced (spec.createNamespace) [default: true].
    #[arg(long, value_name = "BOOL")]
    pub create_namespace: Option<bool>,
    /// Prefix of every object name and the app.kubernetes.io/instance label (metadata.name) [default: impala].
    #[arg(long)]
    pub release: Option<String>,
    /// Image repository (spec.image.repository) [default: apache/impala; a placeholder for cdh5].
    #[arg(long, value_name = "REPOSITORY")]
    pub image_repository: Option<String>,
    /// Image tag prefix; each role appends `-<image>`, as in 4.5.0-catalogd (spec.image.tag) [default: 4.5.0].
    #[arg(long)]
    pub tag: Option<String>,
    /// Pod count of a role, as ROLE=N (spec.roles.ROLE.replicas); repeatable.
    #[arg(long, value_name = "ROLE=N", value_parser = parse_replicas)]
    pub replicas: Vec<(String, u32)>,
    /// Type of the Services that carry external ports (spec.serviceType) [default: ClusterIP].
    #[arg(long, value_enum, ignore_case = true)]
    pub service_type: Option<ServiceType>,
    /// Hive Metastore URI(s) for hive-site.xml (spec.metastoreUri) [default: thrift://hive-metastore:9083].
    #[arg(long, value_name = "URI")]
    pub metastore_uri: Option<String>,
    /// Run an optional role, such as admissiond (spec.roles.ROLE.enabled); repeatable.
    #[arg(long, value_name = "ROLE")]
    pub enable: Vec<String>,
    /// Keep tables on one ReadWriteMany volume of this StorageClass, mounted by
    /// catalogd, every impalad and the built-in metastore (spec.storage.sharedVolume.storageClassName).
    #[arg(long, value_name = "STORAGE_CLASS")]
    pub shared_volume_class: Option<String>,
    /// The CDH 5 release of the cdh5 profile, 5.0 to 5.16 (spec.cdhRelease) [default: 5.16].
    #[arg(long, value_name = "RELEASE")]
    pub cdh_release: Option<String>,
    /// The YARN ResourceManager's host, for Llama up to CDH 5.10 (spec.yarnResourceManager).
    #[arg(long, value_name = "HOST")]
    pub yarn_resource_manager: Option<String>,
}

fn parse_replicas(value: &str) -> Result<(String, u32), String> {
    let (role, count) = value.split_once('=').ok_or_else(|| "expected ROLE=N, for example executor=4".to_owned())?;
    let count = count
        .parse::<u32>()
        .map_err(|_| format!("'{count}' is not a pod count: expected a whole number from 0 to {}", u32::MAX))?;
    Ok((role.to_owned(), count))
}

impl GenArgs {
    /// Applies the flags that were given on top of `spec`; returns the field
    /// paths they set (an error at exactly one of them is the flag's), each
    /// with its flag.
    pub fn apply(&self, spec: &mut ClusterSpec) -> Result<Vec<(FieldPath, &'static str)>, Error> {
        let mut set = Vec::new();
        let s = &mut spec.spec;
        if let Some(v) = self.profile {
            s.profile = Some(v);
            set.push((FieldPath::from("spec.profile"), "--profile"));
        }
        if let Some(v) = &self.namespace {
            spec.namespace.clone_from(v);
            set.push((FieldPath::from("metadata.namespace"), "--namespace"));
        }
        if let Some(v) = self.create_namespace {
            s.create_namespace = Some(v);
        }
        if let Some(v) = &self.release {
            spec.release.clone_from(v);
            set.push((FieldPath::from("metadata.name"), "--release"));
        }
        if let Some(v) = &self.image_repository {
            s.image.repository = Some(v.clone());
            set.push((FieldPath::from("spec.image.repository"), "--image-repository"));
        }
        if let Some(v) = &self.tag {
            s.image.tag = Some(v.clone());
            set.push((FieldPath::from("spec.image.tag"), "--tag"));
        }
        let mut given = BTreeSet::new();
        for (role, count) in &self.replicas {
            let role_path = FieldPath::from("spec.roles").key(role.as_str());
            let path = role_path.key("replicas");
            if !given.insert(role) {
                return Err(SpecError::new(path, format!("--replicas gives role '{role}' twice")).into());
            }
            s.roles.entry(role.clone()).or_default().replicas = Some(*count);
            set.push((path, "--replicas"));
            set.push((role_path, "--replicas"));
        }
        if let Some(v) = self.service_type {
            s.service_type = Some(v);
            set.push((FieldPath::from("spec.serviceType"), "--service-type"));
        }
        if let Some(v) = &self.metastore_uri {
            s.metastore_uri = Some(v.clone());
            set.push((FieldPath::from("spec.metastoreUri"), "--metastore-uri"));
        }
        for role in &self.enable {
            s.roles.entry(role.clone()).or_default().enabled = Some(true);
            let role_path = FieldPath::from("spec.roles").key(role.as_str());
            set.push((role_path.key("enabled"), "--enable"));
            set.push((role_path, "--enable"));
        }
        if let Some(v) = &self.shared_volume_class {
            s.storage.shared_volume.get_or_insert_with(Default::default).storage_class_name = Some(v.clone());
            set.push((FieldPath::from("spec.storage.sharedVolume.storageClassName"), "--shared-volume-class"));
            set.push((FieldPath::from("spec.storage.sharedVolume"), "--shared-volume-class"));
        }
        if let Some(v) = &self.cdh_release {
            s.cdh_release = Some(v.clone());
            set.push((FieldPath::from("spec.cdhRelease"), "--cdh-release"));
        }
        if let Some(v) = &self.yarn_resource_manager {
            s.yarn_resource_manager = Some(v.clone());
            set.push((FieldPath::from("spec.yarnResourceManager"), "--yarn-resource-manager"));
        }
        Ok(set)
    }
}

/// Flags of `ports`.
#[derive(Debug, Clone, Args)]
pub struct PortsArgs {
    /// Port registry to print.
    #[arg(long, value_enum, default_value_t)]
    pub profile: Profile,
    /// Print one CDH release's roles and ports only (cdh5: 5.0 to 5.16) [default: every release, with a RELEASES column].
    #[arg(long, value_name = "RELEASE")]
    pub cdh_release: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: PortsFormat,
}

/// Flags of `init`.
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Port registry of the starter spec.
    #[arg(long, value_enum, default_value_t)]
    pub profile: Profile,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_has_an_example() {
        let mut cli = Cli::command();
        assert!(cli.render_long_help().to_string().contains("Examples:"));
        // clap's own `help` subcommand aside.
        for sub in cli.get_subcommands_mut().filter(|s| s.get_name() != "help") {
            let name = sub.get_name().to_owned();
            assert!(sub.render_long_help().to_string().contains("Examples:"), "{name}");
        }
    }

    #[test]
    fn version_names_the_default_profile() {
        let r = Profile::default().registry();
        assert!(VERSION.contains(&format!("default profile {}: {}", r.profile, "Apache Impala")));
        assert!(VERSION.ends_with(&format!("{})", r.version)));
    }

    #[test]
    fn replicas_flag() {
        assert_eq!(parse_replicas("executor=4"), Ok(("executor".into(), 4)));
        assert!(parse_replicas("executor").unwrap_err().contains("ROLE=N"));
        assert!(parse_replicas("executor=-1").unwrap_err().contains("'-1' is not a pod count"));
    }

    #[test]
    fn flags_override_the_file() {
        let mut spec = ClusterSpec::default();
        spec.spec.roles.entry("executor".into()).or_default().replicas = Some(3);
        spec.spec.service_type = Some(ServiceType::NodePort);
        let args =
            GenArgs { replicas: vec![("executor".into(), 5)], release: Some("prod".into()), ..Default::default() };
        args.apply(&mut spec).unwrap();
        assert_eq!(spec.spec.roles["executor"].replicas, Some(5));
        assert_eq!(spec.spec.service_type, Some(ServiceType::NodePort), "untouched without the flag");
        assert_eq!(spec.release, "prod");
    }

    #[test]
    fn the_flags_that_exclude_a_request_are_every_flag_of_gen_args() {
        let gen = Cli::command();
        let gen = gen.find_subcommand("gen").unwrap();
        let output: Vec<&str> = ["out_dir", "output"].into();
        let mut ids: Vec<&str> = gen
            .get_arguments()
            .map(|a| a.get_id().as_str())
            .filter(|id| !output.contains(id) && !["help", "version"].contains(id))
            .collect();
        ids.sort_unstable();
        let mut listed = GEN_ARG_IDS.to_vec();
        listed.sort_unstable();
        assert_eq!(ids, listed, "GEN_ARG_IDS must name every flag of GenArgs");
    }
}
