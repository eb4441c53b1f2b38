//! The input of a request: spec files, directories of them, stdin, several
//! documents in one file, a registry file; and where each value came from.

use std::io::Read;

use super::GenArgs;
use crate::registry::Registry;
use crate::spec::positions::positions_in;
use crate::spec::{load, ClusterSpec, FieldPath, Location, SpecError};
use crate::Error;

impl GenArgs {
    /// Every request of the input: one per ImpalaCluster document of the file,
    /// or of each `.yaml`/`.yml` file of a directory (or the defaults), each
    /// with the registry file and the flags applied. The flag is true when each
    /// cluster gets its own directory (a directory, or several documents).
    /// Invalid documents come back as errors beside the valid requests, so
    /// that every one is reported.
    pub fn requests(&self) -> Result<(Vec<Request>, bool, Vec<Error>), Error> {
        let (mut requests, mut errors) = (Vec::new(), Vec::new());
        let nested = self.each_request(|request| match request {
            Ok(request) => requests.push(request),
            Err(e) => errors.push(e),
        })?;
        Ok((requests, nested, errors))
    }

    /// [`GenArgs::requests`] one at a time, in input order, each file parsed
    /// only when its turn comes: a run over thousands of clusters holds one
    /// parsed request at a time. Returns the nesting flag.
    pub fn each_request(&self, mut each: impl FnMut(Result<Request, Error>)) -> Result<bool, Error> {
        let mut sources: Vec<Source> = Vec::new();
        let mut nested = false;
        match &self.file {
            None => {}
            Some(dir) if dir.as_os_str() != "-" && dir.is_dir() => {
                nested = true;
                let files = spec_files(dir)?;
                if files.is_empty() {
                    let file = dir.display().to_string();
                    return Err(Error::Input { file, message: "holds no .yaml or .yml file".into() });
                }
                for file in files {
                    sources.push((file.display().to_string(), read_input(&file)?.into()));
                }
            }
            Some(file) => sources.push((file.display().to_string(), read_input(file)?.into())),
        }
        let registry = match &self.registry {
            Some(file) => Some(Registry::from_yaml(&file.display().to_string(), &read_input(file)?)?),
            None => None,
        };
        let request = |spec: ClusterSpec, source: Option<Source>| -> Result<Request, Error> {
            let mut spec = spec;
            if let Some(registry) = &registry {
                if spec.spec.registry.is_some() {
                    let message = format!(
                        "the spec has its own registry; --registry {} would replace it: use one",
                        self.registry.as_deref().map(|p| p.display().to_string()).unwrap_or_default()
                    );
                    return Err(SpecError::new("spec.registry", message).into());
                }
                spec.spec.registry = Some(registry.clone());
            }
            let flags = self.apply(&mut spec)?;
            Ok(Request { spec, flags, source })
        };
        if sources.is_empty() {
            each(request(ClusterSpec::default(), None));
        }
        for (file, text) in &sources {
            let documents = load::documents(file, text);
            nested |= documents.len() > 1;
            for spec in documents {
                each(spec.map_err(Error::from).and_then(|spec| request(spec, Some((file.clone(), text.clone())))));
            }
        }
        Ok(nested)
    }

    /// The request, which must be one cluster.
    pub fn request(&self) -> Result<Request, Error> {
        let (mut requests, nested, errors) = self.requests()?;
        Error::many(errors)?;
        if nested || requests.len() != 1 {
            let file = self.file.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
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
    pub flags: Vec<(FieldPath, &'static str)>,
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
                        position: {
                            let positions = positions_in(text, self.spec.document);
                            if e.at_key {
                                positions.locate_key(&e.field)
                            } else {
                                positions.locate(&e.field)
                            }
                        },
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
fn spec_files(dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>, Error> {
    let input = |file: &std::path::Path, e: std::io::Error| Error::Input {
        file: file.display().to_string(),
        message: e.to_string(),
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| input(dir, e))? {
        let path = entry.map_err(|e| input(dir, e))?.path();
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

/// Reads a file, or stdin for `-`; a name that is not UTF-8 is named with
/// its invalid bytes replaced.
fn read_input(path: &std::path::Path) -> Result<String, Error> {
    let file = path.display().to_string();
    let file = file.as_str();
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes).map(drop)
    } else {
        std::fs::read(path).map(|b| bytes = b)
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
