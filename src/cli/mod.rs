//! The command line: [`args`] holds the clap types and each command's
//! examples, [`input`] reads specs (files, directories, stdin, several
//! documents) into requests, [`render`] renders every cluster of a request
//! through the library, and this module dispatches each command and prints
//! its outcome.

pub mod args;
pub mod input;
pub mod render;

use std::io::Write;
use std::process::ExitCode;

use kube::CustomResourceExt;

pub use args::{Cli, Command, GenArgs, GenOutput, InitArgs, OutputFormat, PortsArgs, ValuesArgs, VERSION};
pub use input::{Request, Source};
use render::{Clusters, Text};

use crate::output::policy::PolicyFormat;
use crate::output::{ports, values};
use crate::spec::crd::ImpalaCluster;
use crate::Error;

/// What a command prints: stdout on success, warnings for stderr.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Everything for stdout, written only once the command has succeeded.
    pub stdout: String,
    /// Rendered objects for stdout after `stdout`, written from where they
    /// wait (memory or a temporary file) in their stable order.
    pub objects: Option<Clusters>,
    /// Warnings for stderr.
    pub warnings: Vec<String>,
    /// Other messages for stderr (what was written where).
    pub notes: Vec<String>,
    /// True when `diff` found drift: exit status 1.
    pub drift: bool,
}

impl Outcome {
    /// Just text for stdout.
    fn stdout(stdout: String) -> Self {
        Outcome { stdout, ..Default::default() }
    }
}

/// Runs a command and returns what it prints, or the error.
pub fn execute(command: &Command) -> Result<Outcome, Error> {
    match command {
        Command::Gen { args, output } => gen(args, output),
        Command::Policy { manifests: Some(path), format, .. } => {
            let analysis = crate::policy::analyze(&crate::output::diff::read_manifests(path)?);
            Ok(Outcome::stdout(crate::output::policy::render(&analysis, *format)))
        }
        Command::Policy { args, manifests: None, format } => policy(args, *format),
        Command::Diff { args, path } => {
            let mut rendered = Clusters::render(args, Text::Yaml)?;
            let diff = rendered.diff(path)?;
            let drift = !diff.is_empty();
            Ok(Outcome { stdout: diff, warnings: rendered.warnings, drift, ..Default::default() })
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut <Cli as clap::CommandFactory>::command(), "impala-k8s", &mut out);
            Ok(Outcome::stdout(String::from_utf8(out).expect("completions are UTF-8")))
        }
        Command::Man { all: None } => Ok(Outcome::stdout(man_page())),
        Command::Man { all: Some(dir) } => man_pages(dir),
        Command::Ports(args) => {
            let registry = match &args.cdh_release {
                None => args.profile.registry(),
                Some(release) => {
                    // The same checks as a spec's cdhRelease, with the same words.
                    let mut spec = crate::spec::ClusterSpec::default();
                    spec.spec.profile = Some(args.profile);
                    spec.spec.cdh_release = Some(release.clone());
                    spec.check_release()?;
                    args.profile.registry_for(Some(release)).expect("a release the profile knows")
                }
            };
            Ok(Outcome::stdout(ports::render(registry, args.format)))
        }
        Command::Crd => {
            let crd = serde_json::to_value(ImpalaCluster::crd()).expect("a CRD serializes");
            Ok(Outcome::stdout(format!("---\n{}", crate::output::yaml::to_string(&crd))))
        }
        Command::Schema => Ok(Outcome::stdout(pretty_json(&crate::spec::load::json_schema()))),
        Command::Init(args) => Ok(Outcome::stdout(crate::spec::starter::starter(args.profile))),
        Command::Values(args) if args.schema => Ok(Outcome::stdout(pretty_json(&values::schema()))),
        Command::Values(args) => values_of(args),
    }
}

fn pretty_json(value: &serde_json::Value) -> String {
    let mut json = serde_json::to_string_pretty(value).expect("JSON values serialize");
    json.push('\n');
    json
}

/// `gen`: every cluster to stdout (YAML or JSON), or into a directory.
fn gen(args: &GenArgs, output: &GenOutput) -> Result<Outcome, Error> {
    let Some(dir) = &output.out_dir else {
        let text = match output.output.unwrap_or_default() {
            OutputFormat::Yaml => Text::Yaml,
            OutputFormat::Json => Text::Json,
        };
        let mut rendered = Clusters::render(args, text)?;
        let warnings = std::mem::take(&mut rendered.warnings);
        return Ok(Outcome { objects: Some(rendered), warnings, ..Default::default() });
    };
    let mut rendered = Clusters::render(args, Text::Yaml)?;
    let count = rendered.clusters.len();
    let mut files = 0;
    let mut notes = crate::output::files::write_files(dir, rendered.files().inspect(|_| files += 1))?;
    notes.push(format!("wrote {files} files for {count} cluster(s) to {}", dir.display()));
    Ok(Outcome { warnings: rendered.warnings, notes, ..Default::default() })
}

/// `policy` of a rendering.
fn policy(args: &GenArgs, format: PolicyFormat) -> Result<Outcome, Error> {
    let (objects, warnings) = Clusters::objects(args)?;
    let analysis = crate::policy::analyze(&objects);
    Ok(Outcome { stdout: crate::output::policy::render(&analysis, format), warnings, ..Default::default() })
}

/// Runs the command line: prints the result, or an error on stderr with exit
/// status 2 for bad input and 1 for any other failure. Nothing reaches stdout
/// unless the command succeeded.
pub fn run(cli: Cli) -> ExitCode {
    let mut stderr = std::io::stderr().lock();
    match execute(&cli.command) {
        Ok(mut outcome) => {
            for warning in &outcome.warnings {
                let _ = writeln!(stderr, "warning: {warning}");
            }
            for note in &outcome.notes {
                let _ = writeln!(stderr, "{note}");
            }
            let mut stdout = std::io::stdout().lock();
            let written = stdout.write_all(outcome.stdout.as_bytes()).and_then(|()| match &mut outcome.objects {
                Some(objects) => objects.write(&mut stdout),
                None => Ok(()),
            });
            match written.and_then(|()| stdout.flush()) {
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

/// The command without its `help` subcommand, which has no page of its own.
fn manual_command() -> clap::Command {
    let mut command = <Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
    command.build();
    command
}

/// A page in roff; rendering into memory cannot fail.
fn roff(command: clap::Command) -> String {
    let mut out = Vec::new();
    clap_mangen::Man::new(command).render(&mut out).expect("roff into memory");
    String::from_utf8(out).expect("roff is UTF-8")
}

/// The main page alone: it names each subcommand as text, not as a page
/// (`impala-k8s-gen(1)`) it does not install, and says how to install them.
fn man_page() -> String {
    let page = roff(manual_command());
    let mut out = String::new();
    for line in page.lines() {
        match line.strip_prefix("impala\\-k8s\\-").and_then(|rest| rest.strip_suffix("(1)")) {
            Some(sub) => out.push_str(&format!("\\fBimpala\\-k8s {sub}\\fR")),
            None => out.push_str(line),
        }
        out.push('\n');
        if line == ".SH SUBCOMMANDS" {
            out.push_str("A page for each: \\fBimpala\\-k8s man \\-\\-all\\fR \\fIDIR\\fR.\n");
        }
    }
    out
}

/// Every page, the main one and one per subcommand, written into `dir`.
fn man_pages(dir: &std::path::Path) -> Result<Outcome, Error> {
    let io = |path: &std::path::Path| {
        let path = path.to_owned();
        move |source| Error::Write(crate::output::files::WriteError::Io { path, source })
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let command = manual_command();
    let mut pages = vec![("impala-k8s.1".to_owned(), roff(command.clone()))];
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        pages.push((format!("impala-k8s-{}.1", sub.get_name()), roff(sub.clone())));
    }
    for (name, page) in &pages {
        let path = dir.join(name);
        std::fs::write(&path, page).map_err(io(&path))?;
    }
    let note = format!("wrote {} manual pages to {}", pages.len(), dir.display());
    Ok(Outcome { notes: vec![note], ..Default::default() })
}

/// `values`: the chart's values for a spec. Helm, not the values, names the
/// release and its namespace, and `helm install --create-namespace` creates
/// the namespace: flags that would be ignored are refused, and a spec's
/// release, namespace and createNamespace are noted with what to pass to Helm.
fn values_of(args: &crate::cli::args::ValuesArgs) -> Result<Outcome, Error> {
    for (flag, given, helm) in [
        ("--namespace", &args.gen.namespace, "helm install -n NAMESPACE"),
        ("--release", &args.gen.release, "helm install RELEASE"),
    ] {
        if let Some(value) = given {
            let message = format!(
                "Helm names the release and its namespace, so values cannot carry '{value}': pass it to {helm} charts/impala"
            );
            return Err(crate::spec::SpecError::new(flag, message).into());
        }
    }
    if args.gen.create_namespace == Some(true) {
        let message = "helm install --create-namespace creates the namespace, and a Namespace object in the chart would collide with it: pass --create-namespace to helm";
        return Err(crate::spec::SpecError::new("--create-namespace", message).into());
    }
    let request = args.gen.request()?;
    let values = values::values(&request.spec).map_err(|e| request.locate(e.into()))?;
    let spec = &request.spec;
    let mut notes = vec![format!(
        "values: install as `helm install {} charts/impala -n {} --create-namespace -f values.yaml`; Helm names the release and namespace",
        spec.release, spec.namespace
    )];
    if spec.spec.create_namespace == Some(true) {
        notes.push(format!("values: the spec's createNamespace is left to `helm install --create-namespace`, which creates namespace {} without the restricted Pod Security labels; label it with `kubectl label namespace {} pod-security.kubernetes.io/enforce=restricted`", spec.namespace, spec.namespace));
    }
    let stdout = if args.full {
        values::to_commented_yaml(&values)
    } else {
        let defaults = values::values(&crate::spec::ClusterSpec::default()).expect("the default spec resolves");
        values::changes_to_commented_yaml(&values, &defaults)
    };
    Ok(Outcome { stdout, notes, ..Default::default() })
}
