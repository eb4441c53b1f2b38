//! The command line: argument types (clap derive) and what each command does.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::output::ports::{self, PortsFormat};
use crate::registry::Profile;
use crate::spec::{ClusterSpec, ServiceType};
use crate::Error;

/// The version line: the crate's version and what `gen` renders by default.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (default profile impala4: Apache Impala 4.5.0)"
);

const GEN_EXAMPLES: &str = "\
Examples:
  impala-k8s gen > manifests.yaml && kubectl apply -f manifests.yaml
  impala-k8s gen --release prod --namespace analytics --replicas executor=8 --service-type LoadBalancer
  impala-k8s gen --enable admissiond --metastore-uri thrift://hms.data.svc:9083
  impala-k8s gen --profile cdh5 --image-repository registry.example.com/cdh5 --tag 5.16.2";

const PORTS_EXAMPLES: &str = "\
Examples:
  impala-k8s ports
  impala-k8s ports --profile cdh5 --format markdown
  impala-k8s ports --format csv > ports.csv";

/// Kubernetes manifests for Apache Impala, from its port registry.
///
/// Every port is declared once in a registry; its daemon flag, containerPort,
/// Service port, NetworkPolicy rule and probe all follow from it.
#[derive(Debug, Parser)]
#[command(name = "impala-k8s", version = VERSION, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render the manifests of an Impala cluster as multi-document YAML on stdout.
    #[command(after_help = GEN_EXAMPLES)]
    Gen(GenArgs),
    /// Print a port registry: roles, ports, flags and who connects to whom.
    #[command(after_help = PORTS_EXAMPLES)]
    Ports(PortsArgs),
}

/// Flags of `gen`; each one overrides the built-in default.
#[derive(Debug, Clone, Default, Args)]
pub struct GenArgs {
    /// Port registry to render [default: impala4].
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,
    /// Namespace of every object [default: impala].
    #[arg(long, short = 'n')]
    pub namespace: Option<String>,
    /// Emit the Namespace object, with the restricted Pod Security Standard enforced [default: true].
    #[arg(long, value_name = "BOOL")]
    pub create_namespace: Option<bool>,
    /// Prefix of every object name and the app.kubernetes.io/instance label [default: impala].
    #[arg(long)]
    pub release: Option<String>,
    /// Image repository [default: apache/impala; a placeholder for cdh5].
    #[arg(long, value_name = "REPOSITORY")]
    pub image_repository: Option<String>,
    /// Image tag prefix; each role appends -<image>, as in 4.5.0-catalogd [default: 4.5.0].
    #[arg(long)]
    pub tag: Option<String>,
    /// Pod count of a role, as ROLE=N; repeat for several roles.
    #[arg(long, value_name = "ROLE=N", value_parser = parse_replicas)]
    pub replicas: Vec<(String, u32)>,
    /// Type of the Services that carry external ports [default: ClusterIP].
    #[arg(long, value_enum, ignore_case = true)]
    pub service_type: Option<ServiceType>,
    /// Hive Metastore URI(s) for hive-site.xml [default: thrift://hive-metastore:9083].
    #[arg(long, value_name = "URI")]
    pub metastore_uri: Option<String>,
    /// Run an optional role (impala4: admissiond); repeatable.
    #[arg(long, value_name = "ROLE")]
    pub enable: Vec<String>,
}

fn parse_replicas(value: &str) -> Result<(String, u32), String> {
    let (role, count) = value
        .split_once('=')
        .ok_or_else(|| "expected ROLE=N, for example executor=4".to_owned())?;
    let count = count.parse::<u32>().map_err(|_| {
        format!(
            "'{count}' is not a pod count: expected a whole number from 0 to {}",
            u32::MAX
        )
    })?;
    Ok((role.to_owned(), count))
}

impl GenArgs {
    /// Applies the flags that were given on top of `spec`.
    pub fn apply(&self, spec: &mut ClusterSpec) -> Result<(), Error> {
        if let Some(v) = self.profile {
            spec.profile = v;
        }
        if let Some(v) = &self.namespace {
            spec.namespace.clone_from(v);
        }
        if let Some(v) = self.create_namespace {
            spec.create_namespace = v;
        }
        if let Some(v) = &self.release {
            spec.release.clone_from(v);
        }
        if let Some(v) = &self.image_repository {
            spec.image_repository = Some(v.clone());
        }
        if let Some(v) = &self.tag {
            spec.tag = Some(v.clone());
        }
        let mut given = BTreeMap::new();
        for (role, count) in &self.replicas {
            if given.insert(role, count).is_some() {
                return Err(crate::spec::SpecError {
                    field: format!("replicas.{role}"),
                    message: format!("--replicas gives role '{role}' twice"),
                }
                .into());
            }
            spec.replicas.insert(role.clone(), *count);
        }
        if let Some(v) = self.service_type {
            spec.service_type = v;
        }
        if let Some(v) = &self.metastore_uri {
            spec.metastore_uri.clone_from(v);
        }
        spec.enable.extend(self.enable.iter().cloned());
        Ok(())
    }
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

/// What a command prints: stdout on success, warnings for stderr.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Everything for stdout, written only once the command has succeeded.
    pub stdout: String,
    /// Warnings for stderr.
    pub warnings: Vec<String>,
}

/// Runs a command and returns what it prints, or the error.
pub fn execute(command: &Command) -> Result<Outcome, Error> {
    match command {
        Command::Gen(args) => {
            let mut spec = ClusterSpec::default();
            args.apply(&mut spec)?;
            let cluster = spec.resolve()?;
            let mut warnings = Vec::new();
            if cluster.placeholder_image {
                let image = &cluster.registry.image;
                warnings.push(format!(
                    "profile {} has no public image: the manifests use the placeholder {}:{}-<role>, which never resolves; pass --image-repository and --tag to use your own images",
                    cluster.registry.profile, image.repository, cluster.version
                ));
            }
            let manifests = crate::output::Manifests::new(crate::builders::build(&cluster));
            Ok(Outcome {
                stdout: manifests.to_yaml(),
                warnings,
            })
        }
        Command::Ports(args) => Ok(Outcome {
            stdout: ports::render(args.profile.registry(), args.format),
            warnings: Vec::new(),
        }),
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
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(outcome.stdout.as_bytes())
                .and_then(|()| stdout.flush())
            {
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
    fn version_names_the_default_profile() {
        let r = Profile::default().registry();
        assert!(VERSION.contains(&format!(
            "default profile {}: {}",
            r.profile, "Apache Impala"
        )));
        assert!(VERSION.ends_with(&format!("{})", r.version)));
    }

    #[test]
    fn replicas_flag() {
        assert_eq!(parse_replicas("executor=4"), Ok(("executor".into(), 4)));
        assert!(parse_replicas("executor").unwrap_err().contains("ROLE=N"));
        assert!(parse_replicas("executor=-1")
            .unwrap_err()
            .contains("'-1' is not a pod count"));
    }
}
