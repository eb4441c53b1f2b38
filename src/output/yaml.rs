//! A block-style YAML emitter for JSON values that every YAML reader reads
//! back as the same data, YAML 1.1 readers included.
//!
//! `serde_yaml` (like libyaml, whose layout it uses) quotes a string only
//! when a YAML 1.2 reader would take it for something else, so `yes`, `on`,
//! `NO`, `1_000` or `2001-12-14` came out plain and kubectl's YAML 1.1 reader,
//! PyYAML and Go's `yaml.v2` read them as booleans, numbers or dates. This
//! emitter writes the same layout as `serde_yaml` byte for byte (the golden
//! files prove it) and single-quotes every string that a YAML 1.1 or 1.2
//! resolver would not read as a string.
//!
//! The scalar analysis follows libyaml's `yaml_emitter_analyze_scalar`: a
//! string is plain when plain style can carry it, single-quoted when that
//! can, in a literal block (`|`) when it spans lines, else double-quoted.

use serde_json::Value;

/// One YAML document (without `---`) for a JSON value, ending in a newline.
pub fn to_string(value: &Value) -> String {
    let mut out = String::with_capacity(4096);
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0, false),
        Value::Array(items) if !items.is_empty() => write_seq(&mut out, items, 0, false),
        scalar => {
            if !write_scalar(&mut out, scalar, 0) {
                out.push('\n');
            }
        }
    }
    out
}

/// A scalar (or empty collection) on one line, as it follows `key: ` or `- `:
/// never a literal block, so it can stand in a hand-written line.
pub fn inline_scalar(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::String(s) => write_inline(&mut out, s, style(s, false)),
        other => {
            write_scalar(&mut out, other, 0);
        }
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn is_block(value: &Value) -> bool {
    match value {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    }
}

/// A mapping whose keys stand at `indent`; `inline` when the first key follows
/// a sequence item's `- ` on the current line.
fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize, inline: bool) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        if key.len() > 128 && key.chars().count() > 128 {
            // libyaml writes no simple key longer than 128 characters.
            out.push_str("? ");
            write_inline(out, key, style(key, false));
            out.push('\n');
            pad(out, indent);
        } else {
            write_inline(out, key, style(key, true));
        }
        out.push(':');
        write_value(out, value, indent);
    }
}

/// A string on one line (a literal block becomes double-quoted).
fn write_inline(out: &mut String, s: &str, style: Style) {
    match style {
        Style::Plain => out.push_str(s),
        Style::SingleQuoted => {
            out.push('\'');
            out.push_str(&s.replace('\'', "''"));
            out.push('\'');
        }
        Style::DoubleQuoted | Style::Literal => out.push_str(&double_quoted(s)),
    }
}

/// The value after `key:`; nested sequences are not indented (libyaml's layout).
fn write_value(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(out, m, indent + 2, false);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(out, a, indent, false);
        }
        scalar => {
            out.push(' ');
            if !write_scalar(out, scalar, indent + 2) {
                out.push('\n');
            }
        }
    }
}

/// A sequence whose dashes stand at `indent`.
fn write_seq(out: &mut String, items: &[Value], indent: usize, inline: bool) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        out.push_str("- ");
        match item {
            Value::Object(m) if is_block(item) => write_map(out, m, indent + 2, true),
            Value::Array(a) if is_block(item) => write_seq(out, a, indent + 2, true),
            scalar => {
                if !write_scalar(out, scalar, indent + 2) {
                    out.push('\n');
                }
            }
        }
    }
}

/// Writes a scalar or an empty collection; a literal block's lines stand at
/// `block_indent`. True when it ended its own last line.
fn write_scalar(out: &mut String, value: &Value, block_indent: usize) -> bool {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n)),
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
        Value::String(s) => match style(s, false) {
            Style::Literal => {
                literal(out, s, block_indent);
                return s.ends_with('\n');
            }
            other => write_inline(out, s, other),
        },
    }
    false
}

fn number(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.is_nan() => ".nan".to_owned(),
        Some(f) if n.is_f64() && f.is_infinite() => if f > 0.0 { ".inf" } else { "-.inf" }.to_owned(),
        _ => n.to_string(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// What libyaml allows for a string (`yaml_emitter_analyze_scalar`).
struct Allowed {
    plain: bool,
    single_quoted: bool,
    block: bool,
    multiline: bool,
}

/// libyaml's `IS_PRINTABLE` (with unicode output on).
fn printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        && c != '\u{FEFF}'
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank_or_end(c: Option<char>) -> bool {
    c.is_none_or(|c| c == ' ' || c == '\t' || is_break(c))
}

fn analyze(s: &str) -> Allowed {
    if s.is_empty() {
        return Allowed { plain: false, single_quoted: true, block: false, multiline: false };
    }
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let (mut leading, mut trailing_space, mut trailing_break) = (false, false, false);
    let (mut break_space, mut space_break, mut special, mut line_breaks) = (false, false, false, false);
    let (mut previous_space, mut previous_break, mut preceded_by_whitespace) = (false, false, true);
    // One pass with a look at the next character: this runs for every string of the output.
    let mut chars = s.chars().peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let last = next.is_none();
        let followed_by_whitespace = is_blank_or_end(next);
        if first {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
                    block_indicators = true
                }
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else if (c == ':' && followed_by_whitespace) || (c == '#' && preceded_by_whitespace) {
            block_indicators = true;
        }
        special |= !printable(c);
        if c == ' ' {
            leading |= first;
            trailing_space |= last;
            break_space |= previous_break;
            (previous_space, previous_break) = (true, false);
        } else if is_break(c) {
            line_breaks = true;
            leading |= first;
            trailing_break |= last;
            space_break |= previous_space;
            (previous_space, previous_break) = (false, true);
        } else {
            (previous_space, previous_break) = (false, false);
        }
        preceded_by_whitespace = c == ' ' || c == '\t' || is_break(c);
        first = false;
    }
    let mut allowed = Allowed { plain: true, single_quoted: true, block: true, multiline: line_breaks };
    if leading || trailing_space || trailing_break || line_breaks || block_indicators {
        allowed.plain = false;
    }
    if trailing_space {
        allowed.block = false;
    }
    if break_space {
        allowed.plain = false;
        allowed.single_quoted = false;
    }
    if space_break || special {
        allowed = Allowed { plain: false, single_quoted: false, block: false, multiline: line_breaks };
    }
    allowed
}

/// The style of a string: libyaml's choice, except that a string any YAML
/// 1.1 or 1.2 resolver reads as something else is never plain.
fn style(s: &str, key: bool) -> Style {
    // Most strings of a manifest (keys, names, labels, paths, image
    // references) are letters, digits and `-./_` after a letter or digit:
    // libyaml allows them plain, so only the resolvers' reading is left.
    let b = s.as_bytes();
    if b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'/' | b'_'))
    {
        return if is_ambiguous(s) { Style::SingleQuoted } else { Style::Plain };
    }
    let allowed = analyze(s);
    if s.contains('\n') && !key {
        // Like serde_yaml: a string of several lines is a literal block when it can be.
        // Other line breaks, and more than one final newline, read back safest double-quoted.
        let simple_breaks = !s.contains(['\r', '\u{85}', '\u{2028}', '\u{2029}']) && !s.ends_with("\n\n") && s != "\n";
        return if allowed.block && simple_breaks { Style::Literal } else { Style::DoubleQuoted };
    }
    if allowed.plain && !allowed.multiline && !is_ambiguous(s) {
        Style::Plain
    } else if allowed.single_quoted && !allowed.multiline {
        Style::SingleQuoted
    } else {
        Style::DoubleQuoted
    }
}

/// libyaml's double-quoted scalar, on one line.
fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{B}' => out.push_str("\\v"),
            '\u{C}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1B}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{A0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if printable(c) => out.push(c),
            c if (c as u32) <= 0xFF => out.push_str(&format!("\\x{:02X}", c as u32)),
            c if (c as u32) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// libyaml's literal block: `|`, `|-` (no final newline), with an indentation
/// indicator when the text starts with a space or a newline.
fn literal(out: &mut String, s: &str, indent: usize) {
    out.push('|');
    if s.starts_with([' ', '\n']) {
        out.push('2');
    }
    if !s.ends_with('\n') {
        out.push('-');
    }
    out.push('\n');
    let body = s.strip_suffix('\n').unwrap_or(s);
    for (i, line) in body.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
    }
    if s.ends_with('\n') {
        out.push('\n');
    }
}

/// True when a YAML 1.2 (core schema) or YAML 1.1 resolver, as kubectl,
/// PyYAML and Go's yaml.v2 use them, reads the plain scalar `s` as anything
/// but this string: null, a boolean, an integer, a float, a timestamp, `<<`
/// or `=`.
pub fn is_ambiguous(s: &str) -> bool {
    matches!(
        s,
        "" | "~"
            | "null"
            | "Null"
            | "NULL"
            | "<<"
            | "="
            | "y"
            | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    ) || is_number(s)
        || is_timestamp(s)
}

/// Integers and floats of YAML 1.2 (as serde_yaml resolves them) and YAML
/// 1.1 (`_` separators, `0b`, legacy octal `017`, base 60 `1:30`, `.inf`),
/// and anything Go's `strconv` takes after yaml.v2 removes the `_`s.
fn is_number(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    if !unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return false;
    }
    let digits: String = unsigned.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() || digits == "." {
        return false;
    }
    let radix = |prefix: [&str; 2], radix: u32| {
        prefix.iter().find_map(|p| digits.strip_prefix(p)).is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_digit(radix) || (radix == 16 && "pP.+-".contains(c)))
        })
    };
    if radix(["0x", "0X"], 16) || radix(["0o", "0O"], 8) || radix(["0b", "0B"], 2) {
        return true;
    }
    // Decimal integers (also with leading zeros: legacy octal) and floats, with an exponent.
    if is_decimal(&digits) {
        return true;
    }
    // Base 60: 1:30, 190:20:30.15.
    let mut parts = digits.split(':');
    let head = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && !head.is_empty()
        && head.chars().all(|c| c.is_ascii_digit())
        && rest.iter().enumerate().all(|(i, p)| {
            let (whole, fraction) = match p.split_once('.') {
                Some((w, f)) if i + 1 == rest.len() => (w, Some(f)),
                Some(_) => return false,
                None => (*p, None),
            };
            (1..=2).contains(&whole.len())
                && whole.chars().all(|c| c.is_ascii_digit())
                && (whole.len() == 1 || whole.as_bytes()[0] <= b'5')
                && fraction.is_none_or(|f| f.chars().all(|c| c.is_ascii_digit()))
        })
}

/// `123`, `1.5`, `.5`, `1.`, `1e3`, `1.5E-3`.
fn is_decimal(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = digits(whole) && digits(fraction) && !(whole.is_empty() && fraction.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// YAML 1.1 timestamps: `2001-12-14`, `2001-1-2`, `2001-12-14t21:59:43.10-05:00`,
/// `2001-12-14 21:59:43.10 -5`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let rest = &s[5..];
    let month_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&month_len) || rest.as_bytes().get(month_len) != Some(&b'-') {
        return false;
    }
    let rest = &rest[month_len + 1..];
    let day_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&day_len) {
        return false;
    }
    let time = &rest[day_len..];
    time.is_empty() || time.starts_with(['T', 't', ' ', '\t'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_1_1_words_and_numbers_are_quoted() {
        for s in [
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "N",
            "~",
            "null",
            "true",
            "1_000",
            "0o17",
            "017",
            "0x1F",
            "0b101",
            "190:20:30",
            "1:30.5",
            "2001-12-14",
            "2001-1-2",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14 21:59:43.10 -5",
            "1e3",
            "+1",
            "-1.5",
            ".5",
            "1.",
            ".inf",
            "-.Inf",
            ".NaN",
            "<<",
            "=",
            "",
        ] {
            assert!(is_ambiguous(s), "{s}");
            assert_eq!(inline_scalar(&json!(s)), format!("'{s}'"), "{s}");
        }
    }

    #[test]
    fn ordinary_strings_stay_plain() {
        for s in ["4.5.0", "1Gi", "500m", "impala", "apache/impala:4.5.0-catalogd", "a:b", "yesterday", "1.2.3.4", "e1"]
        {
            assert!(!is_ambiguous(s), "{s}");
            assert_eq!(inline_scalar(&json!(s)), s, "{s}");
        }
    }

    #[test]
    fn layout_is_serde_yaml_s() {
        let value = json!({
            "a": {"b": [1, {"c": "d", "e": []}, ["x", "z"]], "f": {}},
            "g": "line one\nline two\n",
            "h": " lead\nx",
            "i": "it's: here",
            "j": "tab\there",
            "k": "trailing ",
            "l": "- item",
            "m": "#no",
            "o": "a #b",
        });
        assert_eq!(to_string(&value), serde_yaml::to_string(&value).unwrap());
    }

    #[test]
    fn every_string_reads_back_as_itself() {
        let strings = [
            "yes",
            "a\nb",
            "a\n",
            "a\n\n",
            " x",
            "x ",
            "a \nb",
            "\ttab",
            "é",
            "\u{85}",
            "\u{2028}x",
            "'",
            "\"",
            "\\",
            "",
            "- ",
            "? x",
            "a: b",
            "[x]",
            "\u{1}",
            "\u{FEFF}x",
            "line\r\nnext",
        ];
        for s in strings {
            let doc = to_string(&json!({ "k": s, "list": [s] }));
            let back: serde_json::Value = serde_yaml::from_str(&doc).unwrap_or_else(|e| panic!("{s:?}: {e}\n{doc}"));
            assert_eq!(back, json!({ "k": s, "list": [s] }), "{s:?}\n{doc}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_string_reads_back(s in "\\PC*|[ -~\n\t]{0,12}", key in "[a-z0-9./_-]{1,12}") {
            let value = json!({ key.clone(): s.clone(), "list": [s.clone(), { key: [s.clone()] }] });
            let doc = to_string(&value);
            let back: serde_json::Value = serde_yaml::from_str(&doc).unwrap();
            proptest::prop_assert_eq!(back, value, "{}", doc);
        }

        #[test]
        fn layout_matches_serde_yaml_for_unambiguous_strings(s in "[a-zA-Z][a-zA-Z0-9 ./:#-]{0,10}( ?\n[a-z ]{0,6}){0,3}") {
            // Deliberate differences: more than one final newline is written double-quoted.
            proptest::prop_assume!(!is_ambiguous(&s) && !s.ends_with("\n\n"));
            let value = json!({ "k": s.clone(), "list": [s.clone(), { "m": [s] }] });
            proptest::prop_assert_eq!(to_string(&value), serde_yaml::to_string(&value).unwrap());
        }
    }
}
