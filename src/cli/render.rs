//! Every cluster of a command's input rendered through the library's one
//! [`crate::render`], and checked together: no two clusters may render the
//! same object.

use std::collections::BTreeMap;

use super::{GenArgs, Request};
use crate::output::Manifests;
use crate::spec::SpecError;
use crate::Error;

/// Every cluster of the input, rendered.
#[derive(Debug)]
pub struct Clusters {
    /// Each request with its objects, in input order.
    pub clusters: Vec<(Request, Manifests)>,
    /// True when each cluster gets its own directory (a directory, or several documents).
    pub nested: bool,
    /// The warnings a person should see, once each.
    pub warnings: Vec<String>,
}

impl Clusters {
    /// Renders every cluster of the input; fails with every invalid cluster
    /// and every collision at once.
    pub fn render(args: &GenArgs) -> Result<Clusters, Error> {
        let (requests, nested, mut errors) = args.requests()?;
        let mut clusters = Vec::new();
        let mut warnings = Vec::new();
        for request in requests {
            match crate::render(&request.spec) {
                Ok(rendering) => {
                    warnings.extend(rendering.warnings);
                    clusters.push((request, rendering.manifests));
                }
                Err(e) => errors.push(request.locate(e)),
            }
        }
        Error::many(errors)?;
        check_collisions(&clusters)?;
        warnings.dedup();
        Ok(Clusters { clusters, nested, warnings })
    }

    /// The objects of every cluster, in one stable order.
    pub fn combined(&self) -> Manifests {
        Manifests::new(self.clusters.iter().flat_map(|(_, m)| m.objects().iter().cloned()).collect())
    }
}

/// Two clusters must never produce the same object: one error per pair of
/// clusters that collide, with how many objects and the first of them.
fn check_collisions(clusters: &[(Request, Manifests)]) -> Result<(), Error> {
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
