//! The checks of a request: each refuses a value with its field path, the
//! value and what is allowed.

use std::collections::BTreeMap;
use std::str::FromStr;

use ipnet::IpNet;
use k8s_openapi::api::networking::v1::NetworkPolicyPeer;

use super::crd::EgressEndpoint;
use super::model::{Cluster, EgressRule, MAX_STATEFULSET_NAME};
use super::{did_you_mean, FieldPath, SpecError};
use crate::names::{is_config_key, is_label_value, is_qualified_name, is_rfc1123_subdomain, PortNumber};

pub(super) fn fail<T>(field: impl Into<FieldPath>, message: impl Into<String>) -> Result<T, SpecError> {
    Err(SpecError::new(field, message))
}

/// A refusal of the key that names `field` (see [`SpecError::of_key`]).
pub(super) fn fail_key<T>(field: impl Into<FieldPath>, message: impl Into<String>) -> Result<T, SpecError> {
    Err(SpecError::of_key(field, message))
}

/// " (did you mean 'x'?)" when a candidate is close to `value`, else "".
pub(super) fn hint<'a>(value: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(value, candidates).map(|c| format!(" (did you mean '{c}'?)")).unwrap_or_default()
}

/// The node port range of a default cluster.
pub(super) const NODE_PORTS: std::ops::RangeInclusive<i64> = 30000..=32767;

/// An image repository, as the distribution reference grammar has it: an
/// optional registry host (`host[.host][:port]/`), then path components of
/// lowercase letters and digits joined by `.`, `_`, `__` or dashes.
/// Checked without a regex engine: every run checks one, and compiling a
/// pattern costs more than the rest of the check.
pub(super) fn is_repository(repository: &str) -> bool {
    fn path_component(c: &str) -> bool {
        let b = c.as_bytes();
        let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
        if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
            return false;
        }
        // Separators between alphanumeric runs: `.`, `_`, `__` or one or more `-`.
        let mut i = 0;
        while i < b.len() {
            if alnum(b[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && !alnum(b[i]) {
                i += 1;
            }
            let sep = &c[start..i];
            if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-')) {
                return false;
            }
        }
        true
    }
    fn host(h: &str) -> bool {
        let (name, port) = h.split_once(':').map_or((h, None), |(n, p)| (n, Some(p)));
        let label = |l: &str| {
            let b = l.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
        };
        name.split('.').all(label) && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|x| x.is_ascii_digit()))
    }
    let parts: Vec<&str> = repository.split('/').collect();
    parts.iter().all(|c| path_component(c))
        || (parts.len() > 1 && host(parts[0]) && parts[1..].iter().all(|c| path_component(c)))
}

/// An image tag: a letter, digit or `_`, then up to 127 of those, `.` and `-`.
pub(super) fn is_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter().all(|x| x.is_ascii_alphanumeric() || matches!(x, b'_' | b'.' | b'-'))
}

/// An image digest: `sha256:` and 64 lowercase hex digits.
pub(super) fn is_digest(digest: &str) -> bool {
    digest
        .strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|x| x.is_ascii_digit() || (b'a'..=b'f').contains(&x)))
}

/// Checks a CIDR; Kubernetes wants the network address (`10.0.0.0/8`, not `10.0.0.1/8`).
pub(super) fn check_cidr(field: &FieldPath, cidr: &str) -> Result<(), SpecError> {
    match IpNet::from_str(cidr) {
        Ok(net) if net.trunc() == net => Ok(()),
        Ok(net) => fail(field, format!("'{cidr}' is not a network address; did you mean '{}'?", net.trunc())),
        Err(_) => fail(
            field,
            format!("'{cidr}' is not a CIDR: expected an address and a prefix length, like 10.0.0.0/8 or fd00::/8"),
        ),
    }
}

/// The most the annotations of an object may hold, keys and values together
/// (apimachinery's `TotalAnnotationSizeLimitB`, 256 KiB).
pub const MAX_ANNOTATION_BYTES: usize = 256 * 1024;

pub(super) fn check_labels(
    field: &FieldPath,
    labels: &BTreeMap<String, String>,
    values_are_labels: bool,
) -> Result<(), SpecError> {
    let total: usize = labels.iter().map(|(k, v)| k.len() + v.len()).sum();
    if !values_are_labels && total > MAX_ANNOTATION_BYTES {
        return fail(
            field,
            format!("annotations of {total} bytes; the API server takes at most {MAX_ANNOTATION_BYTES} (256 KiB) on an object, keys and values together"),
        );
    }
    for (key, value) in labels {
        // The API server lower-cases an annotation key before it checks it (ValidateAnnotations).
        let checked = if values_are_labels { key.clone() } else { key.to_lowercase() };
        check_label_key(&field.key(key.as_str()), &checked, key).map_err(SpecError::on_key)?;
        if values_are_labels {
            check_label_value(&field.key(key.as_str()), value)?;
        }
    }
    Ok(())
}

/// A label value (or a toleration's value): at most 63 characters.
pub(super) fn check_label_value(field: &FieldPath, value: &str) -> Result<(), SpecError> {
    if is_label_value(value) {
        return Ok(());
    }
    fail(field, format!("'{value}' is not a valid label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"))
}

/// A label key (or an annotation key, lower-cased as `checked`): an
/// optional DNS prefix and `/`, then a name; refused as the user wrote it.
pub(super) fn check_label_key(field: &FieldPath, checked: &str, written: &str) -> Result<(), SpecError> {
    if is_qualified_name(checked) {
        return Ok(());
    }
    fail(field, format!("'{written}' is not a valid key: an optional DNS prefix and '/', then 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"))
}

/// The name of a Secret, ConfigMap or other object a pod refers to: a DNS
/// subdomain (ValidateSecretName, ValidateConfigMapName).
pub(super) fn check_object_name(field: &FieldPath, name: &str, kind: &str) -> Result<(), SpecError> {
    if is_rfc1123_subdomain(name) {
        return Ok(());
    }
    fail(field, format!("'{name}' is not a {kind} name: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"))
}

/// A key of a Secret or ConfigMap (IsConfigMapKey).
pub(super) fn check_data_key(field: &FieldPath, key: &str) -> Result<(), SpecError> {
    if is_config_key(key) {
        return Ok(());
    }
    fail(field, format!("'{key}' is not a key of a Secret or ConfigMap: letters, digits, '-', '_' and '.'"))
}

/// A user or group id of a security context: 0 to 2147483647 (IsValidUserID, IsValidGroupID).
pub(super) fn check_id(field: &FieldPath, id: i64) -> Result<(), SpecError> {
    if (0..=i64::from(i32::MAX)).contains(&id) {
        return Ok(());
    }
    fail(field, format!("{id} is not a user or group id: 0 to 2147483647"))
}

/// An image reference, `[host[:port]/]path[:tag][@sha256:digest]`.
pub(super) fn is_image(image: &str) -> bool {
    let (rest, digest) = image.split_once('@').map_or((image, None), |(r, d)| (r, Some(d)));
    let name_start = rest.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match rest[name_start..].rfind(':') {
        Some(i) => (&rest[..name_start + i], Some(&rest[name_start + i + 1..])),
        None => (rest, None),
    };
    is_repository(repository) && tag.is_none_or(is_tag) && digest.is_none_or(is_digest)
}

pub(super) fn check_metastore_uri(uris: &str) -> Result<Vec<PortNumber>, SpecError> {
    let mut ports = Vec::new();
    for uri in uris.split(',') {
        let port = url::Url::parse(uri.trim()).ok().filter(|u| {
            u.scheme() == "thrift"
                && u.host_str().is_some_and(|h| !h.is_empty())
                && u.path().trim_matches('/').is_empty()
        });
        match port.and_then(|u| u.port()).and_then(|p| PortNumber::try_from(i64::from(p)).ok()) {
            Some(port) => ports.push(port),
            None => {
                return fail(
                    "spec.metastoreUri",
                    format!(
                        "'{uri}' is not a Hive Metastore URI: expected thrift://HOST:PORT, several separated by commas"
                    ),
                )
            }
        }
    }
    Ok(ports)
}

pub(super) fn check_peers(field: &FieldPath, peers: &Option<Vec<NetworkPolicyPeer>>) -> Result<(), SpecError> {
    let Some(peers) = peers else { return Ok(()) };
    if peers.is_empty() {
        return fail(field, "an empty list would admit no one; omit the field to admit everyone, or list the sources");
    }
    for (i, peer) in peers.iter().enumerate() {
        if peer.ip_block.is_none() && peer.namespace_selector.is_none() && peer.pod_selector.is_none() {
            return fail(field.index(i), "a source needs ipBlock, namespaceSelector or podSelector");
        }
        if let Some(block) = &peer.ip_block {
            check_cidr(&field.index(i).key("ipBlock").key("cidr"), &block.cidr)?;
            for (j, except) in block.except.iter().flatten().enumerate() {
                check_cidr(&field.index(i).key("ipBlock").key("except").index(j), except)?;
            }
        }
        super::api_rules::check_peer(&field.index(i), peer)?;
    }
    Ok(())
}

pub(super) fn egress_rules(
    field: &FieldPath,
    endpoints: &[EgressEndpoint],
    default_ports: &[PortNumber],
) -> Result<Vec<EgressRule>, SpecError> {
    let mut rules = Vec::new();
    for (i, endpoint) in endpoints.iter().enumerate() {
        check_cidr(&field.index(i).key("cidr"), &endpoint.cidr)?;
        let mut ports = Vec::new();
        for (j, &port) in endpoint.ports.iter().enumerate() {
            ports.push(
                PortNumber::try_from(port).or_else(|e| fail(field.index(i).key("ports").index(j), e.to_string()))?,
            );
        }
        if ports.is_empty() {
            ports = default_ports.to_vec();
        }
        ports.sort();
        ports.dedup();
        rules.push(EgressRule { cidr: endpoint.cidr.clone(), ports });
    }
    Ok(rules)
}

/// Every object name the release makes is within Kubernetes' limits.
pub(super) fn check_names(cluster: &Cluster<'_>) -> Result<(), SpecError> {
    for role in &cluster.roles {
        let name = role.name();
        if let Some(sts) = cluster.workload_names(name).into_iter().find(|s| s.len() > MAX_STATEFULSET_NAME) {
            return fail("metadata.name", format!("release name '{}' makes StatefulSet name '{sts}' {} characters long; at most {MAX_STATEFULSET_NAME} are allowed (its pods' controller-revision-hash label adds 11)", cluster.release, sts.len()));
        }
        for service in [cluster.internal_service_name(name), cluster.external_service_name(name)] {
            if service.len() > 63 {
                return fail("metadata.name", format!("release name '{}' makes Service name '{service}' {} characters long; Kubernetes allows at most 63", cluster.release, service.len()));
            }
        }
    }
    Ok(())
}

/// A Kubernetes quantity of bytes (`2Gi`, `500M`, `1048576`) in MiB, rounded
/// down; `None` for anything else.
pub(crate) fn mebibytes(quantity: &str) -> Option<u64> {
    bytes(quantity).map(|b| b >> 20)
}

/// A whole Kubernetes quantity of bytes (`2Gi`, `500M`, `1048576`) in bytes;
/// `None` for anything else.
pub(crate) fn bytes(quantity: &str) -> Option<u64> {
    let digits = quantity.find(|c: char| !c.is_ascii_digit()).unwrap_or(quantity.len());
    let (number, suffix) = quantity.split_at(digits);
    let number: u128 = number.parse().ok()?;
    let bytes: u128 = match suffix {
        "" => 1,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        "Pi" => 1 << 50,
        "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "T" => 1_000_000_000_000,
        "P" => 1_000_000_000_000_000,
        _ => return None,
    };
    u64::try_from(number.checked_mul(bytes)?).ok()
}

pub(super) use crate::names::quantity;

/// A JVM memory size as `-Xmx` takes it (`6g`, `512m`, `1048576k`) in MiB.
pub(super) fn jvm_mebibytes(size: &str) -> Option<u64> {
    let (number, unit) = size.split_at(size.len().checked_sub(1)?);
    let number: u64 = number.parse().ok()?;
    match unit {
        "g" | "G" => number.checked_mul(1024),
        "m" | "M" => Some(number),
        "k" | "K" => Some(number / 1024),
        _ => None,
    }
}

/// Impala's `-mem_limit` (`ParseUtil::ParseMemSpec`: bytes with an optional
/// b, k, m, g or t, or a percentage) in MiB of a limit of `limit_mib`.
pub(super) fn impala_mem_mebibytes(spec: &str, limit_mib: u64) -> Option<u64> {
    let spec = spec.trim();
    if let Some(percent) = spec.strip_suffix('%') {
        let percent: f64 = percent.parse().ok()?;
        return Some((limit_mib as f64 * percent / 100.0) as u64);
    }
    let lower = spec.to_ascii_lowercase();
    let (number, shift) = match lower.char_indices().last()? {
        (i, 'b') => (&lower[..i], 0),
        (i, 'k') => (&lower[..i], 10),
        (i, 'm') => (&lower[..i], 20),
        (i, 'g') => (&lower[..i], 30),
        (i, 't') => (&lower[..i], 40),
        _ => (lower.as_str(), 0),
    };
    let bytes = number.parse::<f64>().ok()? * 2f64.powi(shift);
    Some((bytes / 2f64.powi(20)) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_keys_are_checked_lower_cased_and_label_keys_as_written() {
        let field = FieldPath::from("f");
        let upper = BTreeMap::from([("Example.COM/Key".to_owned(), "a b".to_owned())]);
        assert!(check_labels(&field, &upper, false).is_ok(), "the API server lower-cases annotation keys");
        let e = check_labels(&field, &upper, true).unwrap_err().to_string();
        assert!(e.contains("f.Example.COM/Key: 'Example.COM/Key' is not a valid key"), "{e}");
        let bad = BTreeMap::from([("a b/c".to_owned(), String::new())]);
        assert!(check_labels(&field, &bad, false).is_err());
    }

    /// The patterns the image checks replace (the distribution reference grammar).
    const REPOSITORY: &str = r"^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$";
    const TAG: &str = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$";
    const DIGEST: &str = r"^sha256:[0-9a-f]{64}$";
    /// A whole reference, as charts/impala/templates/_checks.tpl checks a sidecar's image.
    const IMAGE: &str = r"^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$";

    #[test]
    fn image_checks_agree_with_the_grammar() {
        let (repository, tag, digest) = (
            regex::Regex::new(REPOSITORY).unwrap(),
            regex::Regex::new(TAG).unwrap(),
            regex::Regex::new(DIGEST).unwrap(),
        );
        let cases = [
            "apache/impala",
            "registry.example.com:5000/team/impala",
            "localhost/x",
            "a",
            "a__b",
            "a___b",
            "a--b",
            "a-",
            "-a",
            "A/b",
            "Host.Example:80/a",
            "host:/a",
            "host:x/a",
            "a//b",
            "/a",
            "a/",
            "a.b_c-d/e",
            "x..y",
            "h.-x/a",
            "h-x.y/a_b",
            "a:1",
            "",
        ];
        for case in cases {
            assert_eq!(is_repository(case), repository.is_match(case), "repository {case:?}");
            assert_eq!(is_tag(case), tag.is_match(case), "tag {case:?}");
        }
        let long = "a".repeat(129);
        assert_eq!(is_tag(&long), tag.is_match(&long));
        let sha = format!("sha256:{}", "0a".repeat(32));
        for case in [sha.as_str(), "sha256:0A", "sha512:00", &sha[..70], &format!("{sha}0")] {
            assert_eq!(is_digest(case), digest.is_match(case), "digest {case:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn image_checks_agree_with_the_grammar_on_any_input(s in "[a-zA-Z0-9._:/-]{0,40}") {
            let repository = regex::Regex::new(REPOSITORY).unwrap();
            proptest::prop_assert_eq!(is_repository(&s), repository.is_match(&s), "{:?}", s);
            proptest::prop_assert_eq!(is_tag(&s), regex::Regex::new(TAG).unwrap().is_match(&s), "{:?}", s);
        }

        #[test]
        fn image_references_agree_with_the_chart_on_any_input(
            s in "[a-zA-Z0-9._:/-]{0,30}(@sha256:[0-9a-f]{64})?",
        ) {
            proptest::prop_assert_eq!(is_image(&s), regex::Regex::new(IMAGE).unwrap().is_match(&s), "{:?}", s);
        }
    }

    #[test]
    fn image_references() {
        let sha = format!("sha256:{}", "0a".repeat(32));
        for ok in [
            "busybox",
            "busybox:1.36",
            "registry.example.com:5000/team/agent:v1",
            &format!("agent@{sha}"),
            &format!("a/b:1@{sha}"),
        ] {
            assert!(is_image(ok), "{ok}");
        }
        for bad in ["Agent Image:1", "Agent:1", "agent:", "agent@sha256:00", "agent:-x", "/agent", "agent/"] {
            assert!(!is_image(bad), "{bad}");
        }
    }

    #[test]
    fn quantities_in_mebibytes() {
        assert_eq!(mebibytes("2Gi"), Some(2048));
        assert_eq!(mebibytes("512Mi"), Some(512));
        assert_eq!(mebibytes("1G"), Some(953));
        assert_eq!(mebibytes("1048576"), Some(1));
        assert_eq!(mebibytes("1.5Gi"), None);
        assert_eq!(mebibytes("Gi"), None);
    }

    #[test]
    fn quantities_compare() {
        assert_eq!(quantity("500m"), Some(0.5));
        assert_eq!(quantity("2"), Some(2.0));
        assert_eq!(quantity("1.5Gi"), Some(1.5 * 1024f64.powi(3)));
        assert_eq!(quantity("4e3"), Some(4000.0));
        assert!(quantity("1.5.5Gi").is_none() && quantity("1 Gi").is_none() && quantity("x").is_none());
        assert!(quantity("3Gi") > quantity("3G"));
    }

    #[test]
    fn jvm_and_impala_sizes() {
        assert_eq!(jvm_mebibytes("6g"), Some(6144));
        assert_eq!(jvm_mebibytes("512m"), Some(512));
        assert_eq!(jvm_mebibytes("2097152k"), Some(2048));
        assert_eq!(jvm_mebibytes("6"), None);
        assert_eq!(jvm_mebibytes("6gb"), None);
        assert_eq!(impala_mem_mebibytes("80%", 4096), Some(3276));
        assert_eq!(impala_mem_mebibytes("3g", 4096), Some(3072));
        assert_eq!(impala_mem_mebibytes("3GB", 4096), None);
        assert_eq!(impala_mem_mebibytes("1073741824", 4096), Some(1024));
        assert_eq!(impala_mem_mebibytes("1t", 4096), Some(1024 * 1024));
    }
}
