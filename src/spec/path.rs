//! Field paths (`spec.roles.coordinator.ports.hs2`,
//! `spec.networkPolicy.clientSources[0].ipBlock.cidr`): what errors name,
//! what flags set, and what the position lookup finds in a file.
//!
//! A path is a list of map keys and list indexes, so a key that holds dots
//! (a label key like `app.kubernetes.io/part-of`) is still one key.

use std::fmt;

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// A map key or field name.
    Key(String),
    /// A list index.
    Index(usize),
}

/// A path from the document's root to a field.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldPath(Vec<Segment>);

impl FieldPath {
    /// The document itself.
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    /// The path to a key of this field.
    pub fn key(&self, key: impl Into<String>) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.into()));
        FieldPath(segments)
    }

    /// The path to an item of this list.
    pub fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        FieldPath(segments)
    }

    /// This path followed by `rest` (a path relative to it).
    pub fn join(&self, rest: impl Into<FieldPath>) -> Self {
        let mut segments = self.0.clone();
        segments.extend(rest.into().0);
        FieldPath(segments)
    }

    /// The path one step up, or `None` at the root.
    pub fn parent(&self) -> Option<Self> {
        let (_, rest) = self.0.split_last()?;
        Some(FieldPath(rest.to_vec()))
    }

    /// The steps.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// True for the document itself.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Segment> for FieldPath {
    fn from_iter<I: IntoIterator<Item = Segment>>(iter: I) -> Self {
        FieldPath(iter.into_iter().collect())
    }
}

/// Reads a literal path in the notation of the errors (`spec.image.tag`,
/// `a.b[2].c`); for paths written in the code, where no key holds a dot.
impl From<&str> for FieldPath {
    fn from(text: &str) -> Self {
        let mut segments = Vec::new();
        for part in text.split('.').filter(|p| !p.is_empty()) {
            let (key, indexes) = part.split_once('[').map_or((part, ""), |(k, rest)| (k, rest));
            if !key.is_empty() {
                segments.push(Segment::Key(key.to_owned()));
            }
            for index in indexes.split('[').filter(|i| !i.is_empty()) {
                match index.trim_end_matches(']').parse() {
                    Ok(i) => segments.push(Segment::Index(i)),
                    Err(_) => segments.push(Segment::Key(format!("[{index}"))),
                }
            }
        }
        FieldPath(segments)
    }
}

impl From<String> for FieldPath {
    fn from(text: String) -> Self {
        FieldPath::from(text.as_str())
    }
}

impl From<&FieldPath> for FieldPath {
    fn from(path: &FieldPath) -> Self {
        path.clone()
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if i == 0 => f.write_str(key)?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// Compares with a path in the notation of the errors, as printed.
impl PartialEq<&str> for FieldPath {
    fn eq(&self, other: &&str) -> bool {
        let printed = self.to_string();
        printed.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_reads_and_prints() {
        let path = FieldPath::from("spec.networkPolicy").key("clientSources").index(0).key("ipBlock");
        assert_eq!(path.to_string(), "spec.networkPolicy.clientSources[0].ipBlock");
        assert_eq!(FieldPath::from("spec.networkPolicy.clientSources[0].ipBlock"), path);
        assert_eq!(path.parent().unwrap().to_string(), "spec.networkPolicy.clientSources[0]");
        assert_eq!(
            FieldPath::from("a[1][2]").segments(),
            [Segment::Key("a".into()), Segment::Index(1), Segment::Index(2)]
        );
        assert!(FieldPath::root().parent().is_none());
    }

    #[test]
    fn a_key_with_dots_is_one_key() {
        let path = FieldPath::from("spec.roles.coordinator.podLabels").key("app.kubernetes.io/part-of");
        assert_eq!(path.segments().len(), 5);
        assert_eq!(path.to_string(), "spec.roles.coordinator.podLabels.app.kubernetes.io/part-of");
        assert_ne!(path, FieldPath::from(path.to_string()));
    }
}
