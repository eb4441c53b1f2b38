//! Validated newtypes for the names and numbers that end up in Kubernetes objects.
//!
//! A value of one of these types has passed its check, so a registry or a
//! builder that holds one cannot produce an invalid object name, port name or
//! port number.

use std::fmt;
use std::num::NonZeroU16;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Kubernetes quantity (`500m`, `2`, `1.5Gi`, `4e3`) as a number of its
/// base unit (cores, bytes), for comparing requests with limits; `None` when
/// it is no quantity.
pub fn quantity(q: &str) -> Option<f64> {
    let end = q.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-')).unwrap_or(q.len());
    let (number, suffix) = q.split_at(end);
    let number: f64 = number.parse().ok().filter(|n: &f64| n.is_finite() && *n >= 0.0)?;
    let scale = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        exponent => 10f64.powi(exponent.strip_prefix(['e', 'E'])?.parse().ok()?),
    };
    Some(number * scale)
}

/// A quantity's value, or why `value` is refused where one is required.
pub fn check_quantity(value: &str) -> Result<f64, String> {
    quantity(value).ok_or_else(|| {
        format!("'{value}' is not a quantity: expected a number with an optional suffix, like 500m, 2 or 4Gi")
    })
}

/// The words for a request above its limit.
pub fn request_above_limit(request: &str, limit: &str) -> String {
    format!("request {request} is more than the limit {limit}; a request must not exceed its limit")
}

/// A name or number that failed its check; the message names the value and
/// what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// A port name that is not a valid IANA service name.
    #[error("port name '{0}' is invalid: a port name has 1 to 15 characters, lowercase letters, digits and '-', at least one letter, and no '-' at either end or twice in a row")]
    PortName(String),
    /// A port number outside 1-65535.
    #[error("port {0} is out of range: a port is a number from 1 to 65535")]
    PortNumber(i64),
    /// A name that is not an RFC 1123 label.
    #[error("{what} '{value}' is invalid: it must have 1 to 63 characters, lowercase letters, digits and '-', and start and end with a letter or digit")]
    Label {
        /// What the name is for ("role name", "namespace").
        what: &'static str,
        /// The rejected value.
        value: String,
    },
    /// A name that is not an RFC 1035 label.
    #[error("{what} '{value}' is invalid: it must have 1 to 63 characters, lowercase letters, digits and '-', start with a letter and end with a letter or digit")]
    Label1035 {
        /// What the name is for ("release name").
        what: &'static str,
        /// The rejected value.
        value: String,
    },
    /// A daemon flag or configuration property name with characters a flag cannot have.
    #[error("flag '{0}' is invalid: a gflag name starts with a lowercase letter and has only letters, digits and '_'; a property name (with '.') may also have '-'")]
    Flag(String),
}

/// True when `s` is an RFC 1123 label: 1-63 of `[a-z0-9-]`, alphanumeric at both ends.
pub fn is_rfc1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// True when `s` is an RFC 1035 label: an RFC 1123 label that starts with a letter.
/// Service names must be RFC 1035 labels.
pub fn is_rfc1035_label(s: &str) -> bool {
    is_rfc1123_label(s) && s.as_bytes()[0].is_ascii_lowercase()
}

/// True when `s` is an RFC 1123 subdomain: dot-separated labels, at most 253 characters.
pub fn is_rfc1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_rfc1123_label)
}

/// True when `s` is a key of a ConfigMap or Secret: letters, digits, '-', '_' and '.', at most 253.
pub fn is_config_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// True when `s` is a label value: at most 63 characters of `[A-Za-z0-9_.-]`,
/// alphanumeric at both ends, or empty.
pub fn is_label_value(s: &str) -> bool {
    s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && s.bytes().next().is_none_or(|b| b.is_ascii_alphanumeric())
        && s.bytes().last().is_none_or(|b| b.is_ascii_alphanumeric())
}

/// True when `s` is a label or annotation key: an optional RFC 1123 subdomain
/// prefix and '/', then a name of 1 to 63 characters of `[A-Za-z0-9_.-]`,
/// alphanumeric at both ends.
pub fn is_qualified_name(s: &str) -> bool {
    let (prefix, name) = match s.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, s),
    };
    prefix.is_none_or(is_rfc1123_subdomain) && !name.is_empty() && is_label_value(name)
}

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident, $check:expr, $err:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The name as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = NameError;
            fn try_from(value: String) -> Result<Self, NameError> {
                let check: fn(&str) -> bool = $check;
                if check(&value) {
                    Ok(Self(value))
                } else {
                    let err: fn(String) -> NameError = $err;
                    Err(err(value))
                }
            }
        }

        impl TryFrom<&str> for $name {
            type Error = NameError;
            fn try_from(value: &str) -> Result<Self, NameError> {
                Self::try_from(value.to_owned())
            }
        }

        impl std::str::FromStr for $name {
            type Err = NameError;
            fn from_str(value: &str) -> Result<Self, NameError> {
                Self::try_from(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_newtype!(
    /// A Kubernetes port name: an IANA service name (RFC 6335), at most 15
    /// characters of `[a-z0-9-]` with at least one letter.
    PortName,
    |s| {
        !s.is_empty()
            && s.len() <= 15
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && s.bytes().any(|b| b.is_ascii_lowercase())
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--")
    },
    NameError::PortName
);

string_newtype!(
    /// The name of an Impala role (`coordinator`, `statestored`): an RFC 1035
    /// label, since it becomes part of Service names and the container name.
    RoleName,
    is_rfc1035_label,
    |value| NameError::Label1035 { what: "role name", value }
);

string_newtype!(
    /// A release name, the prefix of every object name: an RFC 1035 label.
    ReleaseName,
    is_rfc1035_label,
    |value| NameError::Label1035 { what: "release name", value }
);

string_newtype!(
    /// A namespace name: an RFC 1123 label.
    NamespaceName,
    is_rfc1123_label,
    |value| NameError::Label { what: "namespace", value }
);

string_newtype!(
    /// The name of a pod volume: an RFC 1123 label.
    VolumeName,
    is_rfc1123_label,
    |value| NameError::Label { what: "volume name", value }
);

string_newtype!(
    /// A daemon gflag (`hs2_port`, `ldap_baseDN`: letters, digits and '_',
    /// starting with a lowercase letter) or configuration property name
    /// (`javax.jdo.option.ConnectionURL`: with '.', and '-' too).
    FlagName,
    |s| {
        let property = s.contains('.');
        s.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || (property && b == b'-'))
    },
    NameError::Flag
);

impl FlagName {
    /// True for a gflag name (no '.'), false for a configuration property name.
    pub fn is_gflag(&self) -> bool {
        !self.0.contains('.')
    }
}

/// A TCP or UDP port number, 1 to 65535.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u16")]
pub struct PortNumber(NonZeroU16);

impl JsonSchema for PortNumber {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PortNumber".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A TCP or UDP port number, 1 to 65535.",
            "type": "integer",
            "minimum": 1,
            "maximum": 65535,
        })
    }
}

impl PortNumber {
    /// The port as a `u16`.
    pub fn get(self) -> u16 {
        self.0.get()
    }

    /// The port as the `i32` that Kubernetes API types use.
    pub fn as_i32(self) -> i32 {
        i32::from(self.0.get())
    }
}

impl TryFrom<i64> for PortNumber {
    type Error = NameError;
    fn try_from(value: i64) -> Result<Self, NameError> {
        u16::try_from(value).ok().and_then(NonZeroU16::new).map(Self).ok_or(NameError::PortNumber(value))
    }
}

impl From<PortNumber> for u16 {
    fn from(value: PortNumber) -> u16 {
        value.get()
    }
}

impl fmt::Display for PortNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_names_follow_iana_rules() {
        for ok in ["hs2", "hs2-http", "statestore-sub", "a", "123456789012345a"[1..].as_ref()] {
            assert!(PortName::try_from(ok).is_ok(), "{ok}");
        }
        for bad in ["", "HS2", "hs2_port", "-hs2", "hs2-", "hs--2", "2100", "statestore-subsc"] {
            let err = PortName::try_from(bad).unwrap_err();
            assert!(err.to_string().contains(&format!("'{bad}'")), "{err}");
        }
    }

    #[test]
    fn port_numbers_are_1_to_65535() {
        assert_eq!(PortNumber::try_from(21050).unwrap().get(), 21050);
        assert_eq!(PortNumber::try_from(65535).unwrap().as_i32(), 65535);
        for bad in [0, -1, 65536, i64::MAX] {
            let err = PortNumber::try_from(bad).unwrap_err();
            assert_eq!(err, NameError::PortNumber(bad));
            assert!(err.to_string().contains("1 to 65535"));
        }
    }

    #[test]
    fn labels() {
        assert!(is_rfc1123_label("0abc"));
        assert!(!is_rfc1035_label("0abc"));
        assert!(is_rfc1035_label("impala"));
        assert!(!is_rfc1123_label(&"a".repeat(64)));
        assert!(ReleaseName::try_from("My-Release").is_err());
        assert!(NamespaceName::try_from("team-1").is_ok());
    }

    #[test]
    fn label_keys_and_values() {
        for ok in ["app", "example.com/team", "a.b-c_d", "impala-k8s.dev/x"] {
            assert!(is_qualified_name(ok), "{ok}");
        }
        for bad in ["", "/x", "Example.com/x", "x/", "-x", &"a".repeat(64)] {
            assert!(!is_qualified_name(bad), "{bad}");
        }
        assert!(is_label_value("") && is_label_value("4.5.0") && !is_label_value("a b") && !is_label_value("x-"));
        assert!(is_rfc1123_subdomain("regcred.example") && !is_rfc1123_subdomain("Regcred"));
    }

    #[test]
    fn flags() {
        assert!(FlagName::try_from("hs2_port").unwrap().is_gflag());
        assert!(!FlagName::try_from("llama.am.server.thrift.address").unwrap().is_gflag());
        assert!(FlagName::try_from("-hs2_port").is_err());
        assert!(FlagName::try_from("Hs2").is_err());
    }
}
