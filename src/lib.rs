//! impala-k8s turns Apache Impala's port registry into Kubernetes manifests.
//!
//! The layers, each feeding the next:
//! - [`registry`]: data. Roles, their ports, the flag that sets each port and
//!   the roles that connect to it, validated when loaded.
//! - [`spec`]: what the user asked for ([`spec::ClusterSpec`]), checked
//!   against a registry into a [`spec::Cluster`].
//! - [`builders`]: typed k8s-openapi objects built from a cluster.
//! - [`output`]: the objects in a stable order, as YAML or JSON.
//! - [`policy`]: who reaches which port, computed back from the objects.
//!
//! Around them: [`limits`] bounds every YAML input before it is read,
//! [`render`] is the one way from a request to its objects and warnings, and
//! [`cli`] reads the command line's input and prints each command's outcome.
//!
//! ```
//! use impala_k8s::spec::ClusterSpec;
//! let manifests = impala_k8s::render(&ClusterSpec::default()).unwrap().manifests;
//! assert!(manifests.to_yaml().contains("kind: StatefulSet"));
//! ```

#![deny(missing_docs)]

pub mod builders;
pub mod cli;
pub mod limits;
pub mod names;
pub mod output;
pub mod policy;
pub mod registry;
pub mod spec;

use output::Manifests;
use spec::ClusterSpec;

/// Any failure of the library: bad input, or an I/O failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request that cannot be honoured.
    #[error(transparent)]
    Spec(#[from] spec::SpecError),
    /// A registry that is not valid.
    #[error(transparent)]
    Registry(#[from] registry::RegistryError),
    /// A container an API server would refuse (a custom registry can make one).
    #[error(transparent)]
    Container(#[from] builders::container::ContainerError),
    /// An output directory that cannot be written or is not ours to replace.
    #[error(transparent)]
    Write(#[from] output::files::WriteError),
    /// A committed tree that cannot be read as Kubernetes objects.
    #[error(transparent)]
    Committed(#[from] output::diff::ReadError),
    /// Committed manifests that `policy` cannot analyze.
    #[error(transparent)]
    Manifests(#[from] output::diff::ManifestsError),
    /// Several errors, each in its own right (every invalid cluster of a run).
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\nerror: "))]
    Many(Vec<Error>),
    /// An input file that cannot be read as text.
    #[error("{file}: cannot read it: {message}")]
    Input {
        /// The file (`-` for stdin).
        file: String,
        /// Why.
        message: String,
    },
}

impl Error {
    /// True when the user's input is at fault (exit status 2), false for an
    /// internal failure (exit status 1).
    pub fn is_bad_input(&self) -> bool {
        if let Error::Many(errors) = self {
            return errors.iter().all(Error::is_bad_input);
        }
        matches!(
            self,
            Error::Spec(_)
                | Error::Registry(_)
                | Error::Container(_)
                | Error::Input { .. }
                | Error::Committed(_)
                | Error::Manifests(_)
                | Error::Write(output::files::WriteError::Refused { .. })
        )
    }
}

impl Error {
    /// `Ok` for no errors, the error itself for one, [`Error::Many`] for several.
    pub fn many(mut errors: Vec<Error>) -> Result<(), Error> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(Error::Many(errors)),
        }
    }
}

/// A rendered request: its objects, and the warnings a person should see.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendering {
    /// The objects, in their stable order.
    pub manifests: Manifests,
    /// Settings that work but deserve a second look (exposure without
    /// authentication, for example), for stderr.
    pub warnings: Vec<String>,
}

/// Checks a request against its profile's registry and builds every object.
pub fn render(spec: &ClusterSpec) -> Result<Rendering, Error> {
    let cluster = spec.resolve()?;
    let warnings = spec::warnings::warnings(&cluster);
    let objects = builders::build(&cluster)?;
    check_config_map_sizes(&cluster, &objects)?;
    Ok(Rendering { manifests: Manifests::new(objects), warnings })
}

/// The most a ConfigMap holds: the API server refuses more (its `data`
/// values together, pkg/apis/core/validation: `MaxSecretSize`, 1 MiB).
pub const MAX_CONFIG_MAP_BYTES: usize = 1024 * 1024;

/// Every ConfigMap within what the API server stores, named by the spec
/// field that fills it.
fn check_config_map_sizes(cluster: &spec::Cluster<'_>, objects: &[builders::Object]) -> Result<(), Error> {
    for object in objects {
        let builders::Object::ConfigMap(map) = object else { continue };
        let bytes: usize = map.data.iter().flatten().map(|(_, v)| v.len()).sum();
        if bytes <= MAX_CONFIG_MAP_BYTES {
            continue;
        }
        let name = map.metadata.name.clone().unwrap_or_default();
        let field = if name == cluster.admission_config_name() { "spec.admission.pools" } else { "spec.hiveSite" };
        let message = format!(
            "the ConfigMap {name} would hold {bytes} bytes; the API server takes at most {MAX_CONFIG_MAP_BYTES} (1 MiB): keep large settings out of hiveSite, coreSite and the pools"
        );
        return Err(spec::SpecError::new(field, message).into());
    }
    Ok(())
}
