//! Where each field of a YAML document stands, so that an error found after
//! parsing (a port collision, a bad CIDR) can still name its line and column.

use std::collections::BTreeMap;

use saphyr_parser::{Event, Parser, Span};

use super::FieldPath;

enum Frame {
    Map { path: FieldPath, key: Option<String> },
    Seq { path: FieldPath, index: usize },
}

/// Line and column (both 1-based) of the fields of a document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Positions {
    /// Where each field's key stands (sequence items: where the item starts).
    pub keys: BTreeMap<FieldPath, (usize, usize)>,
    /// Where each scalar value stands.
    pub values: BTreeMap<FieldPath, (usize, usize)>,
}

impl Positions {
    /// The position of a field's value, else of its key, else of its nearest
    /// ancestor that the document has.
    pub fn locate(&self, path: &FieldPath) -> Option<(usize, usize)> {
        self.values.get(path).copied().or_else(|| locate(&self.keys, path))
    }

    /// The position of a field's key (or its nearest ancestor's).
    pub fn locate_key(&self, path: &FieldPath) -> Option<(usize, usize)> {
        locate(&self.keys, path)
    }
}

/// The positions of every field path of the first document, in the notation
/// of the errors: `spec.roles.coordinator.ports.hs2`,
/// `spec.networkPolicy.clientSources[0].ipBlock.cidr`. A malformed document
/// gives the positions read before the fault.
pub fn positions(text: &str) -> Positions {
    positions_in(text, 0)
}

/// The positions of the fields of document `document` (0-based) of a stream.
pub fn positions_in(text: &str, document: usize) -> Positions {
    let mut found = BTreeMap::new();
    let mut values = BTreeMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let at = |span: &Span| (span.start.line(), span.start.col() + 1);
    let mut documents = 0;
    let mut events = Parser::new_from_str(text);
    // Skip to the wanted document.
    for event in events.by_ref() {
        let Ok((event, _)) = event else { return Positions::default() };
        // The parser repeats StreamEnd rather than ending.
        if let Event::StreamEnd = event {
            return Positions::default();
        }
        if let Event::DocumentStart(_) = event {
            documents += 1;
            if documents == document + 1 {
                break;
            }
        }
    }
    if documents != document + 1 {
        return Positions::default();
    }
    for event in events {
        let Ok((event, span)) = event else { break };
        // The path a value event stands for, given the frame it appears in.
        let value_path = match stack.last_mut() {
            Some(Frame::Map { path, key: Some(k) }) => Some(path.key(k.as_str())),
            Some(Frame::Seq { path, index }) => {
                let p = path.index(*index);
                *index += 1;
                found.entry(p.clone()).or_insert(at(&span));
                Some(p)
            }
            _ => None,
        };
        match event {
            Event::Scalar(value, ..) => match stack.last_mut() {
                Some(Frame::Map { path, key }) => {
                    if key.is_none() {
                        found.entry(path.key(value.as_ref())).or_insert(at(&span));
                        *key = Some(value.into_owned());
                    } else {
                        // A scalar value: errors point at the value, as serde's do.
                        if let Some(p) = &value_path {
                            values.insert(p.clone(), at(&span));
                        }
                        *key = None;
                    }
                }
                Some(Frame::Seq { .. }) | None => {}
            },
            Event::Alias(_) => {
                if let Some(Frame::Map { key, .. }) = stack.last_mut() {
                    *key = None;
                }
            }
            Event::MappingStart(..) => stack.push(Frame::Map { path: value_path.unwrap_or_default(), key: None }),
            Event::SequenceStart(..) => stack.push(Frame::Seq { path: value_path.unwrap_or_default(), index: 0 }),
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                if let Some(Frame::Map { key, .. }) = stack.last_mut() {
                    *key = None;
                }
            }
            Event::DocumentEnd | Event::StreamEnd => break,
            _ => {}
        }
    }
    Positions { keys: found, values }
}

fn locate(positions: &BTreeMap<FieldPath, (usize, usize)>, path: &FieldPath) -> Option<(usize, usize)> {
    let mut path = path.clone();
    loop {
        if let Some(&p) = positions.get(&path) {
            return Some(p);
        }
        path = path.parent().filter(|p| !p.is_root())?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_and_items() {
        let text = "\
apiVersion: x
spec:
  roles:
    coordinator:
      ports: {hs2: 21000}
  networkPolicy:
    clientSources:
      - ipBlock:
          cidr: 10.0.0.1/8
      - podSelector: {}
";
        let p = positions(text);
        assert_eq!(p.locate(&"apiVersion".into()), Some((1, 13)));
        assert_eq!(p.locate_key(&"apiVersion".into()), Some((1, 1)));
        assert_eq!(p.locate(&"spec.roles.coordinator.ports.hs2".into()), Some((5, 20)));
        assert_eq!(p.locate_key(&"spec.roles.coordinator.ports.hs2".into()), Some((5, 15)));
        assert_eq!(p.locate(&"spec.networkPolicy.clientSources[0].ipBlock.cidr".into()), Some((9, 17)));
        assert_eq!(p.locate(&"spec.networkPolicy.clientSources[1]".into()), Some((10, 9)));
        assert_eq!(p.locate(&"spec.roles.coordinator.replicas".into()), Some((4, 5)));
        assert_eq!(p.locate(&"metadata.name".into()), None);
    }

    #[test]
    fn later_documents() {
        let p = positions_in("a: 1\n---\nb:\n  c: 2\n", 1);
        assert_eq!(p.locate(&"b.c".into()), Some((4, 6)));
        assert_eq!(p.locate(&"a".into()), None);
        assert_eq!(positions_in("a: 1\n", 3), Positions::default());
    }

    #[test]
    fn never_panics_on_broken_input() {
        for text in ["", "[1, 2", "a: [b: {c", "- - - x", "? [a]\n: b\n", "&a x: *a", "\u{0}\u{1}"] {
            let _ = positions(text);
        }
    }
}
