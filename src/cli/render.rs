//! Every cluster of a command's input rendered through the library's one
//! [`crate::render`], and checked together: no two clusters may render the
//! same object.
//!
//! A run holds one cluster's objects at a time. Each object's text goes to a
//! [`Spool`] (memory, then a temporary file) as its cluster is rendered, and
//! only its identity, its place in the stable order and where its text lies
//! stay in memory; once every cluster is valid, the texts are written out in
//! order. Memory stays flat from one cluster to thousands.

use std::io::{self, Write};

use super::{GenArgs, Request};
use crate::builders::Object;
use crate::output::files::WriteError;
use crate::output::spool::{Span, Spool};
use crate::output::{files, Manifests};
use crate::spec::SpecError;
use crate::Error;

/// How each object is written to the spool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// A YAML document (without `---`), as in a file of `--out-dir`.
    Yaml,
    /// Pretty JSON, as an item of a `List`.
    Json,
}

/// One cluster of the input.
#[derive(Debug)]
pub struct Cluster {
    /// Its namespace.
    pub namespace: String,
    /// Its release name.
    pub release: String,
    /// Where it came from, for messages (`cluster c1 in a.yaml (document 1)`).
    origin: String,
    /// Its file and the index of its document there, to place an error.
    source: Option<(super::Source, usize)>,
}

impl Cluster {
    /// Where the cluster's name stands in its file (its document's start when
    /// the name is left to its default).
    fn location(&self) -> Option<crate::spec::Location> {
        let ((file, text), document) = self.source.as_ref()?;
        let positions = crate::spec::positions::positions_in(text, *document);
        let name = crate::spec::FieldPath::from("metadata.name");
        let position = positions.locate(&name).or_else(|| positions.keys.values().min().copied());
        Some(crate::spec::Location { file: file.clone(), position })
    }
}

/// One rendered object: its identity, its place in the order, its text.
#[derive(Debug)]
struct Entry {
    rank: u8,
    kind: &'static str,
    /// Index into [`Clusters::namespaces`] (the empty name for none).
    namespace: u32,
    name: Box<str>,
    cluster: u32,
    text: Span,
}

impl Entry {
    fn order(&self) -> (u8, &str) {
        (self.rank, &self.name)
    }

    /// Its identity: kind, namespace (empty for none) and name.
    fn key<'a>(&'a self, namespaces: &'a [Box<str>]) -> (&'static str, &'a str, &'a str) {
        (self.kind, &namespaces[self.namespace as usize], &self.name)
    }
}

/// Every cluster of the input, rendered.
#[derive(Debug)]
pub struct Clusters {
    /// Each cluster, in input order.
    pub clusters: Vec<Cluster>,
    /// True when each cluster gets its own directory (a directory, or several documents).
    pub nested: bool,
    /// The warnings a person should see, once each.
    pub warnings: Vec<String>,
    /// Every object, cluster by cluster in input order, each cluster's in its order.
    entries: Vec<Entry>,
    /// The namespaces of the objects, each once (thousands of objects share one).
    namespaces: Vec<Box<str>>,
    /// Indices of `entries` in the stable order of all clusters together.
    order: Vec<u32>,
    spool: Spool,
    text: Text,
}

/// An I/O failure of the spool, named by the directory its file lives in.
fn spool_error(source: io::Error) -> Error {
    Error::Write(WriteError::Io { path: std::env::temp_dir(), source })
}

/// Renders every request of the input, handing each valid cluster's objects
/// to `each`; fails with every invalid cluster at once. Returns the nesting
/// flag and the warnings, once each.
fn render_each(
    args: &GenArgs,
    mut each: impl FnMut(&Request, Manifests) -> Result<(), Error>,
) -> Result<(bool, Vec<String>), Error> {
    let mut errors = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let nested = args.each_request(|request| {
        let outcome = request.and_then(|request| {
            let rendering = crate::render(&request.spec).map_err(|e| request.locate(e))?;
            for warning in rendering.warnings {
                if seen.insert(warning.clone()) {
                    warnings.push(warning);
                }
            }
            each(&request, rendering.manifests)
        });
        if let Err(e) = outcome {
            errors.push(e);
        }
    })?;
    Error::many(errors)?;
    Ok((nested, warnings))
}

impl Clusters {
    /// Renders every cluster of the input, each object's text as `text`;
    /// fails with every invalid cluster and every collision at once.
    pub fn render(args: &GenArgs, text: Text) -> Result<Clusters, Error> {
        let mut clusters = Vec::new();
        let mut entries = Vec::new();
        let mut spool = Spool::default();
        let mut namespaces: Vec<Box<str>> = vec!["".into()];
        let mut namespace_index: std::collections::HashMap<Box<str>, u32> = [("".into(), 0)].into();
        let (nested, warnings) = render_each(args, |request, manifests| {
            let cluster = u32::try_from(clusters.len()).expect("fewer than 4 billion clusters");
            clusters.push(Cluster {
                namespace: request.spec.namespace.clone(),
                release: request.spec.release.clone(),
                origin: origin(request),
                source: request.source.clone().map(|source| (source, request.spec.document)),
            });
            for object in manifests.objects() {
                let value = object.to_json();
                let written = match text {
                    Text::Yaml => crate::output::yaml::to_string(&value),
                    Text::Json => serde_json::to_string_pretty(&value).expect("JSON values serialize"),
                };
                let namespace = object.metadata().namespace.as_deref().unwrap_or_default();
                let namespace = match namespace_index.get(namespace) {
                    Some(&i) => i,
                    None => {
                        let i = u32::try_from(namespaces.len()).expect("fewer than 4 billion namespaces");
                        namespaces.push(namespace.into());
                        namespace_index.insert(namespace.into(), i);
                        i
                    }
                };
                entries.push(Entry {
                    rank: object.apply_rank(),
                    kind: object.kind(),
                    namespace,
                    name: object.name().into(),
                    cluster,
                    text: spool.push(&written).map_err(spool_error)?,
                });
            }
            Ok(())
        })?;
        let mut order: Vec<u32> = (0..u32::try_from(entries.len()).expect("fewer than 4 billion objects")).collect();
        // Stable: equal places keep input order, as one sort of every object would.
        order.sort_by(|&a, &b| entries[a as usize].order().cmp(&entries[b as usize].order()));
        let clusters = Clusters { clusters, nested, warnings, entries, namespaces, order, spool, text };
        clusters.check_collisions()?;
        Ok(clusters)
    }

    /// Every cluster's objects together, for an analysis that needs them all
    /// (`policy`), and the warnings.
    pub fn objects(args: &GenArgs) -> Result<(Vec<Object>, Vec<String>), Error> {
        let mut objects = Vec::new();
        let (_, warnings) = render_each(args, |_, manifests| {
            objects.extend(manifests.objects().iter().cloned());
            Ok(())
        })?;
        Ok((Manifests::new(objects).objects().to_vec(), warnings))
    }

    /// Writes every object in the stable order: a `---` before each YAML
    /// document, or a `v1` `List` of JSON items; the same bytes as
    /// [`Manifests::to_yaml`] and [`Manifests::to_json`] of all the objects.
    pub fn write(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let mut out = io::BufWriter::with_capacity(64 * 1024, out);
        match self.text {
            Text::Yaml => {
                for &i in &self.order {
                    out.write_all(b"---\n")?;
                    self.spool.copy_to(self.entries[i as usize].text, &mut out)?;
                }
            }
            Text::Json if self.order.is_empty() => {
                out.write_all(b"{\n  \"apiVersion\": \"v1\",\n  \"items\": [],\n  \"kind\": \"List\"\n}\n")?
            }
            Text::Json => {
                out.write_all(b"{\n  \"apiVersion\": \"v1\",\n  \"items\": [\n")?;
                for (n, &i) in self.order.iter().enumerate() {
                    if n > 0 {
                        out.write_all(b",\n")?;
                    }
                    // An item stands two levels in: every line of it four spaces further.
                    let item = self.spool.read(self.entries[i as usize].text)?;
                    for (l, line) in item.lines().enumerate() {
                        if l > 0 {
                            out.write_all(b"\n")?;
                        }
                        out.write_all(b"    ")?;
                        out.write_all(line.as_bytes())?;
                    }
                }
                out.write_all(b"\n  ],\n  \"kind\": \"List\"\n}\n")?;
            }
        }
        out.flush()
    }

    /// The files of `--out-dir`, one cluster at a time: one per object and a
    /// kustomization per release, under `<namespace>/<release>/` when nested,
    /// and the kustomization of those directories last.
    pub fn files(&mut self) -> impl Iterator<Item = io::Result<(String, String)>> + '_ {
        assert_eq!(self.text, Text::Yaml, "files hold YAML");
        let nested = self.nested;
        let Clusters { clusters, entries, spool, .. } = self;
        let prefixes: Vec<String> = match nested {
            true => clusters.iter().map(|c| format!("{}/{}/", c.namespace, c.release)).collect(),
            false => vec![String::new(); clusters.len()],
        };
        let top = nested.then(|| {
            let dirs: Vec<&str> = prefixes.iter().map(|p| p.trim_end_matches('/')).collect();
            Ok((files::KUSTOMIZATION.to_owned(), files::kustomization(dirs)))
        });
        // Each cluster's objects stand together, in its order (every cluster has some).
        entries
            .chunk_by(|a, b| a.cluster == b.cluster)
            .zip(clusters.iter().zip(prefixes))
            .flat_map(move |(objects, (cluster, prefix))| {
                let mut names = Vec::with_capacity(objects.len());
                let mut out: Vec<io::Result<(String, String)>> = Vec::with_capacity(objects.len() + 1);
                for entry in objects {
                    let name = files::file_name_of(entry.kind, &entry.name, &cluster.release);
                    out.push(spool.read(entry.text).map(|text| (format!("{prefix}{name}"), text)));
                    names.push(name);
                }
                let kustomization = files::kustomization(names.iter().map(String::as_str));
                out.push(Ok((format!("{prefix}{}", files::KUSTOMIZATION), kustomization)));
                out
            })
            .chain(top)
    }

    /// What differs between the rendered objects and those committed at `path`
    /// (see [`crate::output::diff::diff_sorted`]).
    pub fn diff(&mut self, path: &std::path::Path) -> Result<String, Error> {
        let mut sorted: Vec<u32> =
            (0..u32::try_from(self.entries.len()).expect("fewer than 4 billion objects")).collect();
        let (entries, namespaces) = (&self.entries, &self.namespaces);
        sorted.sort_by(|&a, &b| entries[a as usize].key(namespaces).cmp(&entries[b as usize].key(namespaces)));
        let spool = &mut self.spool;
        crate::output::diff::diff_sorted(
            &sorted,
            |&i| entries[i as usize].key(namespaces),
            |&i| spool.read(entries[i as usize].text).map_err(spool_error),
            path,
        )
    }

    /// Two clusters must never produce the same object: one error per pair of
    /// clusters that collide, with how many objects and the first of them.
    /// Objects that collide share their place in the order, so they stand
    /// side by side in it.
    fn check_collisions(&self) -> Result<(), Error> {
        let mut pairs: std::collections::BTreeMap<(u32, u32), (usize, String)> = Default::default();
        let mut run = 0;
        while run < self.order.len() {
            let first = &self.entries[self.order[run] as usize];
            let mut end = run + 1;
            while end < self.order.len() && self.entries[self.order[end] as usize].order() == first.order() {
                end += 1;
            }
            let same_place = &self.order[run..end];
            for (n, &i) in same_place.iter().enumerate() {
                let object = &self.entries[i as usize];
                let earlier = same_place[..n]
                    .iter()
                    .map(|&j| &self.entries[j as usize])
                    .find(|e| e.kind == object.kind && e.namespace == object.namespace && e.cluster != object.cluster);
                if let Some(earlier) = earlier {
                    let ns = match &*self.namespaces[object.namespace as usize] {
                        "" => String::new(),
                        namespace => format!("{namespace}/"),
                    };
                    let example = format!("{} {ns}{}", object.kind, object.name);
                    pairs.entry((earlier.cluster, object.cluster)).or_insert((0, example)).0 += 1;
                }
            }
            run = end;
        }
        let errors = pairs
            .into_iter()
            .map(|((a, b), (count, example))| {
                let (first, later) = (&self.clusters[a as usize], &self.clusters[b as usize]);
                // The location names the later cluster's file.
                let named = match &later.source {
                    Some((_, document)) => format!("cluster {} (document {})", later.release, document + 1),
                    None => format!("cluster {}", later.release),
                };
                let mut error = SpecError::new(
                    "metadata.name",
                    format!(
                        "{named} would render the same {count} object(s) as {}, {example} first; give the clusters different names or namespaces",
                        first.origin
                    ),
                );
                // Placed at the later cluster's name, which is where to act.
                error.location = later.location();
                error.into()
            })
            .collect();
        Error::many(errors)
    }
}

/// Where a request came from, for messages.
fn origin(request: &Request) -> String {
    match &request.source {
        Some((file, _)) => {
            format!("cluster {} in {file} (document {})", request.spec.release, request.spec.document + 1)
        }
        None => format!("cluster {}", request.spec.release),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn gen_args(args: &[&str]) -> GenArgs {
        match Cli::try_parse_from([&["impala-k8s", "gen"], args].concat()).unwrap().command {
            Command::Gen { args, .. } => args,
            _ => unreachable!(),
        }
    }

    fn all_objects(dir: &str) -> Manifests {
        let (objects, _) = Clusters::objects(&gen_args(&["-f", dir])).unwrap();
        Manifests::new(objects)
    }

    #[test]
    fn streamed_output_is_the_bytes_of_one_sort_of_every_object() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/multi-tenant/specs");
        let expected = all_objects(dir);
        assert!(expected.objects().len() > 40, "three clusters");
        for (text, want) in [(Text::Yaml, expected.to_yaml()), (Text::Json, expected.to_json())] {
            let mut rendered = Clusters::render(&gen_args(&["-f", dir]), text).unwrap();
            let mut out = Vec::new();
            rendered.write(&mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), want, "{text:?}");
        }
    }

    #[test]
    fn files_come_cluster_by_cluster_with_their_kustomizations() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/multi-tenant/specs");
        let mut rendered = Clusters::render(&gen_args(&["-f", dir]), Text::Yaml).unwrap();
        let files: Vec<(String, String)> = rendered.files().map(Result::unwrap).collect();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.last(), Some(&"kustomization.yaml"));
        let top = &files.last().unwrap().1;
        assert!(top.ends_with("resources:\n- analytics/adhoc\n- analytics/reporting\n- finance/ledger\n"), "{top}");
        let per_release = names.iter().filter(|n| n.ends_with("/kustomization.yaml")).count();
        assert_eq!(per_release, 3);
        assert_eq!(files.len(), all_objects(dir).objects().len() + 4);
    }
}
