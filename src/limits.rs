//! Bounds on YAML input, checked in one linear pass before any other reader
//! sees the text: a YAML reader expands aliases without limit (a 60 KB
//! "billion laughs" grows to gigabytes) and libyaml's scanner is quadratic in
//! nesting depth (100,000 levels took a minute). Specs, registries and
//! committed manifests are all read through [`check`].

use saphyr_parser::{Event, Parser, Span};

/// The largest input file: a spec is a few kilobytes, a rendered release
/// about 30 KB, a directory of them is read file by file.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// The deepest nesting of mappings and sequences (a Kubernetes affinity, the
/// deepest thing a spec holds, needs about 12).
pub const MAX_DEPTH: usize = 64;

/// The most nodes a document may hold once its aliases are expanded.
pub const MAX_NODES: u64 = 1_000_000;

/// Input over one of the bounds: where (line and column, 1-based) and which bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitError {
    /// Where the bound was crossed, when known.
    pub position: Option<(usize, usize)>,
    /// What was too large, and the bound.
    pub message: String,
}

/// Checks `text` against [`MAX_BYTES`], [`MAX_DEPTH`] and [`MAX_NODES`]
/// (per document, aliases expanded). A text the YAML parser rejects passes:
/// the reader that follows reports the syntax error with its own words.
pub fn check(text: &str) -> Result<(), LimitError> {
    if text.len() > MAX_BYTES {
        return Err(LimitError {
            position: None,
            message: format!("the input is {} bytes; at most {MAX_BYTES} are read", text.len()),
        });
    }
    let at = |span: &Span| Some((span.start.line(), span.start.col() + 1));
    // The node count of each open collection, and of each anchor once closed.
    let mut open: Vec<(usize, u64)> = Vec::new();
    let mut anchors: Vec<u64> = Vec::new();
    let mut total: u64 = 0;
    for event in Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(event) => event,
            // The scanner reads a flow collection's nesting ahead and stops at 255 levels.
            Err(e) if e.info().contains("recursion limit") => {
                let position = Some((e.marker().line(), e.marker().col() + 1));
                return Err(LimitError { position, message: depth_message() });
            }
            Err(_) => return Ok(()),
        };
        let (anchor, size, opens) = match event {
            Event::Scalar(_, _, anchor, _) => (anchor, 1, false),
            Event::Alias(id) => (0, anchors.get(id).copied().unwrap_or(1), false),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => (anchor, 1, true),
            Event::SequenceEnd | Event::MappingEnd => {
                let (anchor, size) = open.pop().unwrap_or_default();
                record(&mut anchors, anchor, size);
                if let Some(parent) = open.last_mut() {
                    parent.1 = parent.1.saturating_add(size);
                }
                continue;
            }
            Event::DocumentStart(_) => {
                total = 0;
                continue;
            }
            Event::StreamEnd => break,
            _ => continue,
        };
        total = total.saturating_add(size);
        if total > MAX_NODES {
            return Err(LimitError {
                position: at(&span),
                message: format!(
                    "the document expands to more than {MAX_NODES} values (aliases of anchors that hold aliases); write the values out instead"
                ),
            });
        }
        if opens {
            if open.len() >= MAX_DEPTH {
                return Err(LimitError { position: at(&span), message: depth_message() });
            }
            open.push((anchor, size));
        } else {
            record(&mut anchors, anchor, size);
            if let Some(parent) = open.last_mut() {
                parent.1 = parent.1.saturating_add(size);
            }
        }
    }
    Ok(())
}

fn depth_message() -> String {
    format!("mappings and lists nest more than {MAX_DEPTH} levels deep")
}

fn record(anchors: &mut Vec<u64>, anchor: usize, size: u64) {
    if anchor == 0 {
        return;
    }
    if anchors.len() <= anchor {
        anchors.resize(anchor + 1, 1);
    }
    anchors[anchor] = size;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn laughs(levels: usize) -> String {
        let mut text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n".to_owned();
        for i in 1..levels {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        text
    }

    #[test]
    fn aliases_are_counted_expanded() {
        assert_eq!(check(&laughs(4)), Ok(()), "10,000 values are fine");
        let e = check(&laughs(9)).unwrap_err();
        assert!(e.message.contains("expands to more than"), "{e:?}");
        assert_eq!(e.position.map(|p| p.0), Some(6), "the line where the bound is crossed");
    }

    #[test]
    fn depth_is_bounded_fast() {
        let ok = format!("a: {}{}\n", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
        assert_eq!(check(&ok), Ok(()));
        let deep = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let start = std::time::Instant::now();
        let e = check(&deep).unwrap_err();
        assert!(e.message.contains("nest more than 64"), "{e:?}");
        let block = format!("a:\n{}x\n", "- ".repeat(100_000));
        let e = check(&block).unwrap_err();
        assert!(e.message.contains("nest more than 64"), "{e:?}");
        assert_eq!(e.position, Some((2, 1 + 2 * (MAX_DEPTH - 1))));
        // Linear: the pass stops at the bound (a debug build takes well under a second).
        assert!(start.elapsed().as_secs() < 5);
    }

    #[test]
    fn size_is_bounded() {
        let big = "#".repeat(MAX_BYTES + 1);
        assert!(check(&big).unwrap_err().message.contains("at most"));
    }

    #[test]
    fn broken_text_is_left_to_the_reader() {
        assert_eq!(check("a: [b"), Ok(()));
        assert_eq!(check("*unknown"), Ok(()));
    }
}
