//! The command line: argument types (clap derive) and what each command does.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use kube::CustomResourceExt;

use crate::output::ports::{self, PortsFormat};
use crate::output::values;
use crate::output::Manifests;
use crate::registry::{Profile, Registry};
use crate::spec::crd::ImpalaCluster;
use crate::spec::positions::positions_in;
use crate::spec::{load, ClusterSpec, Location, ServiceType, SpecError};
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
    /// Print the manual page (roff).
    #[command(after_help = "Examples:\n  impala-k8s man > impala-k8s.1 && man ./impala-k8s.1")]
    Man,
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
const GEN_ARG_IDS: [&str; 12] = [
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
];

/// Flags of `gen`; each one overrides the same setting of the file (or the default).
#[derive(Debug, Clone, Default, Args)]
pub struct GenArgs {
    /// ImpalaCluster file to render; '-' reads stdin [default: the built-in defaults].
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Option<String>,
    /// Custom port registry file, for other Impala builds (replaces the profile's).
    #[arg(long, value_name = "FILE")]
    pub registry: Option<String>,
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
    pub fn apply(&self, spec: &mut ClusterSpec) -> Result<Vec<(String, &'static str)>, Error> {
        let mut set = Vec::new();
        let s = &mut spec.spec;
        if let Some(v) = self.profile {
            s.profile = Some(v);
            set.push(("spec.profile".to_owned(), "--profile"));
        }
        if let Some(v) = &self.namespace {
            spec.namespace.clone_from(v);
            set.push(("metadata.namespace".to_owned(), "--namespace"));
        }
        if let Some(v) = self.create_namespace {
            s.create_namespace = Some(v);
        }
        if let Some(v) = &self.release {
            spec.release.clone_from(v);
            set.push(("metadata.name".to_owned(), "--release"));
        }
        if let Some(v) = &self.image_repository {
            s.image.repository = Some(v.clone());
            set.push(("spec.image.repository".to_owned(), "--image-repository"));
        }
        if let Some(v) = &self.tag {
            s.image.tag = Some(v.clone());
            set.push(("spec.image.tag".to_owned(), "--tag"));
        }
        let mut given = BTreeSet::new();
        for (role, count) in &self.replicas {
            let path = format!("spec.roles.{role}.replicas");
            if !given.insert(role) {
                return Err(SpecError::new(path, format!("--replicas gives role '{role}' twice")).into());
            }
            s.roles.entry(role.clone()).or_default().replicas = Some(*count);
            set.push((path, "--replicas"));
            set.push((format!("spec.roles.{role}"), "--replicas"));
        }
        if let Some(v) = self.service_type {
            s.service_type = Some(v);
            set.push(("spec.serviceType".to_owned(), "--service-type"));
        }
        if let Some(v) = &self.metastore_uri {
            s.metastore_uri = Some(v.clone());
            set.push(("spec.metastoreUri".to_owned(), "--metastore-uri"));
        }
        for role in &self.enable {
            s.roles.entry(role.clone()).or_default().enabled = Some(true);
            set.push((format!("spec.roles.{role}"), "--enable"));
            set.push((format!("spec.roles.{role}.enabled"), "--enable"));
        }
        Ok(set)
    }

    /// Every request of the input: one per ImpalaCluster document of the file,
    /// or of each `.yaml`/`.yml` file of a directory (or the defaults), each
    /// with the registry file and the flags applied. The flag is true when each
    /// cluster gets its own directory (a directory, or several documents).
    /// Invalid documents come back as errors beside the valid requests, so
    /// that every one is reported.
    pub fn requests(&self) -> Result<(Vec<Request>, bool, Vec<Error>), Error> {
        let mut sources: Vec<Source> = Vec::new();
        let mut nested = false;
        match &self.file {
            None => {}
            Some(dir) if dir != "-" && std::path::Path::new(dir).is_dir() => {
                nested = true;
                let files = spec_files(dir)?;
                if files.is_empty() {
                    return Err(Error::Input { file: dir.clone(), message: "holds no .yaml or .yml file".into() });
                }
                for file in files {
                    let name = file.display().to_string();
                    let text = read_input(&name)?;
                    sources.push((name, text.into()));
                }
            }
            Some(file) => sources.push((file.clone(), read_input(file)?.into())),
        }
        let registry = match &self.registry {
            Some(file) => Some(Registry::from_yaml(file, &read_input(file)?)?),
            None => None,
        };
        let mut specs: Vec<(ClusterSpec, Option<Source>)> = Vec::new();
        let mut errors = Vec::new();
        if sources.is_empty() {
            specs.push((ClusterSpec::default(), None));
        }
        for (file, text) in &sources {
            let documents = load::documents(file, text);
            nested |= documents.len() > 1;
            for spec in documents {
                match spec {
                    Ok(spec) => specs.push((spec, Some((file.clone(), text.clone())))),
                    Err(e) => errors.push(e.into()),
                }
            }
        }
        let mut requests = Vec::new();
        for (mut spec, source) in specs {
            if let Some(registry) = &registry {
                if spec.spec.registry.is_some() {
                    let message = format!(
                        "the spec has its own registry; --registry {} would replace it: use one",
                        self.registry.as_deref().unwrap_or_default()
                    );
                    errors.push(SpecError::new("spec.registry", message).into());
                    continue;
                }
                spec.spec.registry = Some(registry.clone());
            }
            match self.apply(&mut spec) {
                Ok(flags) => requests.push(Request { spec, flags, source }),
                Err(e) => errors.push(e),
            }
        }
        Ok((requests, nested, errors))
    }

    /// The request, which must be one cluster.
    pub fn request(&self) -> Result<Request, Error> {
        let (mut requests, nested, errors) = self.requests()?;
        Error::many(errors)?;
        if nested || requests.len() != 1 {
            let file = self.file.clone().unwrap_or_default();
            return Err(Error::Input { file, message: "holds several clusters; this command takes one".into() });
        }
        Ok(requests.remove(0))
    }
}

/// An input file's name and text (shared by the clusters it holds).
pub type Source = (String, std::sync::Arc<str>);

/// A request and where its values came from.
#[derive(Debug, Clone)]
pub struct Request {
    /// The request.
    pub spec: ClusterSpec,
    /// The field paths the flags set, each with its flag.
    pub flags: Vec<(String, &'static str)>,
    /// The file and its text, when the request came from one.
    pub source: Option<Source>,
}

impl Request {
    /// Points an error found after parsing at the file, line and column of the
    /// value at fault, or at the flag that set it.
    pub fn locate(&self, error: Error) -> Error {
        match error {
            Error::Spec(mut e) if e.location.is_none() => {
                let by_flag = self.flags.iter().find(|(path, _)| e.field == *path);
                if let Some((_, flag)) = by_flag {
                    e.message.push_str(&format!(" (set by {flag})"));
                } else if let Some((file, text)) = &self.source {
                    e.location = Some(Location {
                        file: file.clone(),
                        position: positions_in(text, self.spec.document).locate(&e.field),
                    });
                }
                Error::Spec(e)
            }
            other => other,
        }
    }
}

/// The `.yaml` and `.yml` files of a directory, sorted. A name with that
/// ending that cannot be read as a file (a dangling or looping symbolic
/// link, an entry that cannot be listed) is an error, never skipped: a
/// skipped spec would look like a deleted cluster to `--out-dir` and `diff`.
fn spec_files(dir: &str) -> Result<Vec<std::path::PathBuf>, Error> {
    let input = |file: &std::path::Path, e: std::io::Error| Error::Input {
        file: file.display().to_string(),
        message: e.to_string(),
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| input(std::path::Path::new(dir), e))? {
        let path = entry.map_err(|e| input(std::path::Path::new(dir), e))?.path();
        if !path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            continue;
        }
        // Follows symbolic links: a dangling or looping one fails here.
        let meta = std::fs::metadata(&path).map_err(|e| match std::fs::read_link(&path) {
            Ok(target) => Error::Input {
                file: path.display().to_string(),
                message: format!("is a symbolic link to '{}' that cannot be followed: {e}", target.display()),
            },
            Err(_) => input(&path, e),
        })?;
        if meta.is_file() {
            files.push(path);
        } else if !meta.is_dir() {
            return Err(Error::Input {
                file: path.display().to_string(),
                message: "is not a regular file; expected an ImpalaCluster YAML file".into(),
            });
        }
    }
    files.sort();
    Ok(files)
}

/// Reads a file, or stdin for `-`.
fn read_input(file: &str) -> Result<String, Error> {
    let mut bytes = Vec::new();
    let read = if file == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes).map(drop)
    } else {
        std::fs::read(file).map(|b| bytes = b)
    };
    read.map_err(|source| Error::Input { file: file.to_owned(), message: source.to_string() })?;
    String::from_utf8(bytes).map_err(|e| Error::Input {
        file: file.to_owned(),
        message: format!(
            "not UTF-8 text (invalid byte at offset {}); expected a YAML file",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// Flags of `ports`.
#[derive(Debug, Clone, Args)]
pub struct PortsArgs {
    /// Port registry to print.
    #[arg(long, value_enum, default_value_t)]
    pub profile: Profile,
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

/// What a command prints: stdout on success, warnings for stderr.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Everything for stdout, written only once the command has succeeded.
    pub stdout: String,
    /// Warnings for stderr.
    pub warnings: Vec<String>,
    /// Other messages for stderr (what was written where).
    pub notes: Vec<String>,
    /// True when `diff` found drift: exit status 1.
    pub drift: bool,
}

/// Renders a request into manifests, with the warnings a person should see.
pub fn render(spec: &ClusterSpec) -> Result<(Manifests, Vec<String>), Error> {
    let cluster = spec.resolve()?;
    let warnings = crate::spec::warnings::warnings(&cluster);
    Ok((Manifests::new(crate::builders::build(&cluster)), warnings))
}

/// Every cluster of the input rendered, with the warnings a person should
/// see; fails with every invalid cluster and every collision at once. The
/// flag is true when each cluster gets its own directory.
type Rendered = (Vec<(Request, Manifests)>, bool, Vec<String>);

fn render_requests(args: &GenArgs) -> Result<Rendered, Error> {
    let (requests, nested, mut errors) = args.requests()?;
    let mut clusters = Vec::new();
    let mut warnings = Vec::new();
    for request in requests {
        match render(&request.spec) {
            Ok((manifests, w)) => {
                warnings.extend(w);
                clusters.push((request, manifests));
            }
            Err(e) => errors.push(request.locate(e)),
        }
    }
    Error::many(errors)?;
    check_collisions(&clusters)?;
    warnings.dedup();
    Ok((clusters, nested, warnings))
}

/// The objects of every cluster, in one stable order.
fn combined(clusters: &[(Request, Manifests)]) -> Manifests {
    Manifests::new(clusters.iter().flat_map(|(_, m)| m.objects().iter().cloned()).collect())
}

/// Every cluster of the input as one set of objects.
fn render_all(args: &GenArgs) -> Result<(Manifests, Vec<String>), Error> {
    let (clusters, _, warnings) = render_requests(args)?;
    Ok((combined(&clusters), warnings))
}

/// Two clusters must never produce the same object: one error per pair of
/// clusters that collide, with how many objects and the first of them.
fn check_collisions(clusters: &[(Request, Manifests)]) -> Result<(), Error> {
    use std::collections::BTreeMap;
    let origin = |request: &Request| match &request.source {
        Some((file, _)) => {
            format!("cluster {} in {file} (document {})", request.spec.release, request.spec.document + 1)
        }
        None => format!("cluster {}", request.spec.release),
    };
    let mut seen: BTreeMap<(&str, Option<&str>, &str), usize> = BTreeMap::new();
    let mut pairs: BTreeMap<(usize, usize), (usize, String)> = BTreeMap::new();
    for (i, (_, manifests)) in clusters.iter().enumerate() {
        for object in manifests.objects() {
            let key = (object.kind(), object.metadata().namespace.as_deref(), object.name());
            if let Some(&first) = seen.get(&key) {
                let ns = key.1.map(|n| format!("{n}/")).unwrap_or_default();
                let entry = pairs.entry((first, i)).or_insert((0, format!("{} {ns}{}", key.0, key.2)));
                entry.0 += 1;
            } else {
                seen.insert(key, i);
            }
        }
    }
    let errors = pairs
        .into_iter()
        .map(|((a, b), (count, example))| {
            SpecError::new(
                "metadata",
                format!(
                    "{} and {} would render the same {count} object(s), {example} first; give the clusters different names or namespaces",
                    origin(&clusters[a].0),
                    origin(&clusters[b].0)
                ),
            )
            .into()
        })
        .collect();
    Error::many(errors)
}

/// Runs a command and returns what it prints, or the error.
pub fn execute(command: &Command) -> Result<Outcome, Error> {
    match command {
        Command::Gen { args, output } => {
            let (clusters, nested, warnings) = render_requests(args)?;
            let objects = || combined(&clusters);
            match (&output.out_dir, output.output.unwrap_or_default()) {
                (Some(dir), _) => {
                    let files = if nested {
                        let tree: Vec<(&str, &str, &Manifests)> = clusters
                            .iter()
                            .map(|(r, m)| (r.spec.namespace.as_str(), r.spec.release.as_str(), m))
                            .collect();
                        crate::output::files::cluster_tree(&tree)
                    } else {
                        crate::output::files::files(&clusters[0].1, &clusters[0].0.spec.release)
                    };
                    let mut notes = crate::output::files::write_dir(dir, &files)?;
                    notes.push(format!(
                        "wrote {} files for {} cluster(s) to {}",
                        files.len(),
                        clusters.len(),
                        dir.display()
                    ));
                    Ok(Outcome { stdout: String::new(), warnings, notes, drift: false })
                }
                (None, OutputFormat::Yaml) => {
                    Ok(Outcome { stdout: objects().to_yaml(), warnings, notes: Vec::new(), drift: false })
                }
                (None, OutputFormat::Json) => {
                    Ok(Outcome { stdout: objects().to_json(), warnings, notes: Vec::new(), drift: false })
                }
            }
        }
        Command::Policy { args, manifests: Some(path), format } => {
            debug_assert!(args.file.is_none(), "clap keeps --manifests and the request apart");
            let analysis = crate::policy::analyze(&crate::policy::read_manifests(path)?);
            Ok(Outcome {
                stdout: crate::output::policy::render(&analysis, *format),
                warnings: Vec::new(),
                notes: Vec::new(),
                drift: false,
            })
        }
        Command::Policy { args, manifests: None, format } => {
            let (manifests, warnings) = render_all(args)?;
            let analysis = crate::policy::analyze(manifests.objects());
            Ok(Outcome {
                stdout: crate::output::policy::render(&analysis, *format),
                warnings,
                notes: Vec::new(),
                drift: false,
            })
        }
        Command::Diff { args, path } => {
            let (manifests, warnings) = render_all(args)?;
            let committed = crate::output::diff::read_committed(path)?;
            let diff = crate::output::diff::diff(&manifests, &committed);
            let drift = !diff.is_empty();
            Ok(Outcome { stdout: diff, warnings, notes: Vec::new(), drift })
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut <Cli as clap::CommandFactory>::command(), "impala-k8s", &mut out);
            Ok(Outcome {
                stdout: String::from_utf8(out).expect("completions are UTF-8"),
                warnings: Vec::new(),
                notes: Vec::new(),
                drift: false,
            })
        }
        Command::Man => {
            let mut out = Vec::new();
            // Rendering into memory cannot fail.
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut out).expect("roff into memory");
            Ok(Outcome {
                stdout: String::from_utf8(out).expect("roff is UTF-8"),
                warnings: Vec::new(),
                notes: Vec::new(),
                drift: false,
            })
        }
        Command::Ports(args) => Ok(Outcome {
            stdout: ports::render(args.profile.registry(), args.format),
            warnings: Vec::new(),
            notes: Vec::new(),
            drift: false,
        }),
        Command::Crd => {
            let crd = serde_json::to_value(ImpalaCluster::crd()).expect("a CRD serializes");
            let yaml = crate::output::yaml::to_string(&crd);
            Ok(Outcome { stdout: format!("---\n{yaml}"), warnings: Vec::new(), notes: Vec::new(), drift: false })
        }
        Command::Schema => {
            let mut json = serde_json::to_string_pretty(&load::json_schema()).expect("JSON values serialize");
            json.push('\n');
            Ok(Outcome { stdout: json, warnings: Vec::new(), notes: Vec::new(), drift: false })
        }
        Command::Init(args) => Ok(Outcome {
            stdout: crate::spec::starter::starter(args.profile),
            warnings: Vec::new(),
            notes: Vec::new(),
            drift: false,
        }),
        Command::Values(args) if args.schema => {
            let mut json = serde_json::to_string_pretty(&values::schema()).expect("JSON values serialize");
            json.push('\n');
            Ok(Outcome { stdout: json, warnings: Vec::new(), notes: Vec::new(), drift: false })
        }
        Command::Values(args) => {
            let request = args.gen.request()?;
            let values = values::values(&request.spec).map_err(|e| request.locate(e.into()))?;
            Ok(Outcome {
                stdout: values::to_commented_yaml(&values),
                warnings: Vec::new(),
                notes: Vec::new(),
                drift: false,
            })
        }
    }
}

/// Runs the command line: prints the result, or an error on stderr with exit
/// status 2 for bad input and 1 for any other failure. Nothing reaches stdout
/// unless the command succeeded.
pub fn run(cli: Cli) -> ExitCode {
    let mut stderr = std::io::stderr().lock();
    match execute(&cli.command) {
        Ok(outcome) => {
            for warning in &outcome.warnings {
                let _ = writeln!(stderr, "warning: {warning}");
            }
            for note in &outcome.notes {
                let _ = writeln!(stderr, "{note}");
            }
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(outcome.stdout.as_bytes()).and_then(|()| stdout.flush()) {
                Ok(()) if outcome.drift => ExitCode::from(1),
                Ok(()) => ExitCode::SUCCESS,
                // The reader went away (`| head`): nothing to report.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    let _ = writeln!(stderr, "error: writing to stdout: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Err(e) => {
            let _ = writeln!(stderr, "error: {e}");
            ExitCode::from(if e.is_bad_input() { 2 } else { 1 })
        }
    }
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
}
