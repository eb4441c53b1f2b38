//! The result of the analysis: endpoints, the ports roles listen on, who
//! reaches each, through which Services, and where each role may connect.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use ipnet::IpNet;

use super::selectors::Labels;

/// What an endpoint stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndpointKind {
    /// The pods of one role of a release.
    Role,
    /// Any other pod of a namespace that holds a release.
    OtherPods,
    /// Any pod of another namespace.
    OtherNamespaces,
    /// The pods a NetworkPolicy peer selects, which no endpoint above stands for.
    Selected,
    /// The addresses of a CIDR a NetworkPolicy names (except those of smaller
    /// CIDRs named too, which are endpoints of their own).
    Cidr,
    /// Any other address outside the cluster.
    Anywhere,
}

/// Where an endpoint is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Place {
    /// A pod of a namespace.
    Pod { namespace: String, namespace_labels: Labels, labels: Labels },
    /// Addresses outside the cluster: a CIDR, or any other address (`None`).
    Address(Option<IpNet>),
}

/// A source or destination of traffic.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Endpoint {
    /// A stable identifier: the role name (`namespace/release/role` for
    /// several releases), `other-pods` (`other-pods:NAMESPACE` for several
    /// namespaces), `other-namespaces`, `namespace:NAME`, `pods:SELECTOR`, a
    /// CIDR, or `anywhere`.
    pub id: String,
    /// What a person reads.
    pub label: String,
    /// What it stands for.
    pub kind: EndpointKind,
    #[serde(skip)]
    pub(super) place: Place,
}

impl Endpoint {
    /// True for the pods of the roles and other pods in the cluster.
    pub fn is_pod(&self) -> bool {
        matches!(self.place, Place::Pod { .. })
    }

    /// The namespace of a pod endpoint.
    pub fn namespace(&self) -> Option<&str> {
        match &self.place {
            Place::Pod { namespace, .. } => Some(namespace),
            Place::Address(_) => None,
        }
    }
}

/// A port a role's container declares.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListeningPort {
    /// The containerPort's name.
    pub name: String,
    /// Its number.
    pub number: u16,
    /// Its protocol (`TCP`).
    pub protocol: String,
}

/// One or more ports of one protocol, as a NetworkPolicy names them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PortRef {
    /// A port number or a range of them.
    Numbers {
        /// The first port.
        from: u16,
        /// The last port (equal to `from` for one port).
        to: u16,
        /// The protocol.
        protocol: String,
    },
    /// A named container port.
    Named {
        /// The name.
        name: String,
        /// The protocol.
        protocol: String,
    },
    /// Every port of a protocol.
    Every {
        /// The protocol.
        protocol: String,
    },
}

impl fmt::Display for PortRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortRef::Numbers { from, to, protocol } if from == to => write!(f, "{from}/{protocol}"),
            PortRef::Numbers { from, to, protocol } => write!(f, "{from}-{to}/{protocol}"),
            PortRef::Named { name, protocol } => write!(f, "{name}/{protocol}"),
            PortRef::Every { protocol } => write!(f, "every {protocol} port"),
        }
    }
}

impl serde::Serialize for PortRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The ports a rule admits: every port, or some.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ports {
    /// Every port of every protocol.
    All,
    /// These ports.
    Only(BTreeSet<PortRef>),
}

impl Ports {
    pub(super) fn none() -> Self {
        Ports::Only(BTreeSet::new())
    }

    /// True when no port is admitted.
    pub fn is_empty(&self) -> bool {
        matches!(self, Ports::Only(p) if p.is_empty())
    }

    pub(super) fn union(&mut self, other: Ports) {
        match (&mut *self, other) {
            (Ports::All, _) => {}
            (_, Ports::All) => *self = Ports::All,
            (Ports::Only(a), Ports::Only(b)) => a.extend(b),
        }
    }
}

impl fmt::Display for Ports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ports::All => f.write_str("every port"),
            Ports::Only(ports) => {
                let list: Vec<String> = ports.iter().map(ToString::to_string).collect();
                f.write_str(&list.join(", "))
            }
        }
    }
}

impl serde::Serialize for Ports {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Ports::All => serializer.serialize_str("all"),
            Ports::Only(ports) => serializer.collect_seq(ports),
        }
    }
}

/// A Service that carries a role's port.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exposure {
    /// The Service's name.
    pub service: String,
    /// Its type (`ClusterIP`, `NodePort`, `LoadBalancer`).
    #[serde(rename = "type")]
    pub type_: String,
    /// The Service port.
    pub port: i32,
    /// The node port, when one is fixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_port: Option<i32>,
    /// `loadBalancerSourceRanges`: the only client addresses a load balancer admits.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source_ranges: Vec<String>,
    /// The Service port's name.
    #[serde(skip)]
    pub port_name: Option<String>,
}

/// An Ingress path or HTTPRoute rule that routes to a role's port.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Routing {
    /// `Ingress` or `HTTPRoute`.
    pub kind: String,
    /// The object's name.
    pub name: String,
    /// The host, when the rule names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The path prefix.
    pub path: String,
}

impl Exposure {
    /// True when the Service opens the port outside the cluster.
    pub fn is_external(&self) -> bool {
        self.type_ == "NodePort" || self.type_ == "LoadBalancer"
    }

    /// True when clients at these addresses get through the load balancer's
    /// source ranges (always true without ranges).
    pub(super) fn admits(&self, address: Option<&IpNet>) -> bool {
        self.source_ranges.is_empty()
            || self.source_ranges.iter().filter_map(|r| IpNet::from_str(r).ok()).any(|range| match address {
                Some(net) => range.contains(net),
                None => range.prefix_len() == 0,
            })
    }
}

/// Who reaches one port of one role.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortReach {
    /// The role.
    pub role: String,
    /// The port.
    #[serde(flatten)]
    pub port: ListeningPort,
    /// True when every pod endpoint gets through the NetworkPolicies: `from`
    /// then lists only the addresses (one word, not thousands of ids, for a
    /// port every pod of a thousand releases reaches).
    pub from_every_pod: bool,
    /// The endpoints the NetworkPolicies let through (their ids), pods and
    /// addresses alike, whatever the Services; without the pods when
    /// `fromEveryPod` ([`PortReach::sources`] lists them all).
    pub from: Vec<String>,
    /// The Services that carry the port.
    pub exposed_by: Vec<Exposure>,
    /// The Ingress paths and HTTPRoute rules that route to it through those
    /// Services (their controller's pods connect, as `from` shows).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routed_by: Vec<Routing>,
    /// The addresses outside the cluster that actually reach the port: through
    /// a NodePort or LoadBalancer Service and admitted by the NetworkPolicies
    /// and the load balancer's source ranges.
    pub from_outside: Vec<String>,
    /// For a port a NodePort or LoadBalancer Service carries: whether it
    /// requires TLS and which authentication, from the daemon's flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<PortSecurity>,
}

impl PortReach {
    /// Every endpoint that reaches the port (its id), the pods included when
    /// `from_every_pod` says so, in the order of [`Analysis::endpoints`].
    pub fn sources<'a>(&'a self, analysis: &'a Analysis) -> impl Iterator<Item = &'a str> {
        let pods = analysis.endpoints.iter().filter(|e| self.from_every_pod && e.is_pod()).map(|e| e.id.as_str());
        pods.chain(self.from.iter().map(String::as_str))
    }

    /// True when the endpoint with this id reaches the port.
    pub fn reached_by(&self, analysis: &Analysis, id: &str) -> bool {
        (self.from_every_pod && analysis.endpoint(id).is_some_and(Endpoint::is_pod))
            || self.from.iter().any(|f| f == id)
    }
}

/// What an exposed port asks of its clients, read from the daemon's flags.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortSecurity {
    /// True when the port speaks TLS only.
    pub tls: bool,
    /// The authentication it requires (`LDAP`, `Kerberos`, `password file`,
    /// `SPNEGO`); empty for none.
    pub authentication: Vec<String>,
}

impl PortSecurity {
    /// What a daemon with these flags asks on a port: its web UI (`webserver_*`)
    /// or its other ports (`ssl_*`, LDAP, Kerberos). Impala 4.5's flag names.
    pub fn of(flags: &std::collections::BTreeMap<String, String>, port: u16) -> PortSecurity {
        let on = |flag: &str| flags.get(flag).is_some_and(|v| v == "true");
        let is_port = |flag: &str| flags.get(flag).is_some_and(|v| v == &port.to_string());
        let web = is_port("webserver_port") || (!flags.contains_key("webserver_port") && port == 25000);
        let (tls, authentication) = if web {
            let auth = [
                (flags.contains_key("webserver_password_file"), "password file"),
                (on("webserver_require_ldap"), "LDAP"),
                (on("webserver_require_spnego"), "SPNEGO"),
            ];
            (flags.contains_key("webserver_certificate_file"), auth)
        } else {
            let auth = [(on("enable_ldap_auth"), "LDAP"), (flags.contains_key("principal"), "Kerberos"), (false, "")];
            (flags.contains_key("ssl_server_certificate"), auth)
        };
        PortSecurity {
            tls,
            authentication: authentication.iter().filter(|(on, _)| *on).map(|(_, a)| (*a).to_owned()).collect(),
        }
    }

    /// `TLS, LDAP`, or what is missing: `no TLS, no authentication`.
    pub fn describe(&self) -> String {
        let tls = if self.tls { "TLS" } else { "no TLS" };
        let auth = if self.authentication.is_empty() {
            "no authentication".to_owned()
        } else {
            self.authentication.join(" and ")
        };
        format!("{tls}, {auth}")
    }
}

/// Where one role's pods may open connections.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EgressReach {
    /// The role.
    pub role: String,
    /// True when an egress NetworkPolicy selects the role's pods.
    pub restricted: bool,
    /// Per endpoint (by id), the ports the role's pods may connect to;
    /// endpoints they cannot reach at all are left out. A role no egress
    /// policy restricts may connect to whatever port of the roles admits it,
    /// which `ingress` says: the roles are left out of its list.
    pub to: Vec<EgressTarget>,
}

/// The ports a role may connect to at one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EgressTarget {
    /// The endpoint's id.
    pub endpoint: String,
    /// The ports.
    pub ports: Ports,
}

/// A role's workload as the analysis sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Workload {
    /// Its endpoint id: the role, or `namespace/release/role` when the
    /// objects hold several releases.
    pub id: String,
    /// The role (its `app.kubernetes.io/component` label).
    pub role: String,
    /// The release (its `app.kubernetes.io/instance` label).
    pub release: String,
    /// The StatefulSet's namespace.
    pub namespace: String,
    /// The StatefulSet's name.
    pub name: String,
    /// Its pod count.
    pub replicas: i32,
    /// Its containers' ports.
    pub ports: Vec<ListeningPort>,
    #[serde(skip)]
    pub(super) labels: Labels,
    /// Its daemon's flags (`-name=value` arguments of its first container).
    #[serde(skip)]
    pub(super) flags: std::collections::BTreeMap<String, String>,
}

/// The reachability of one or more releases.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    /// The namespaces of the workloads, sorted.
    pub namespaces: Vec<String>,
    /// How many NetworkPolicies the objects hold.
    pub network_policies: usize,
    /// The roles, by namespace and StatefulSet name.
    pub workloads: Vec<Workload>,
    /// Every endpoint: the roles first, then the others.
    pub endpoints: Vec<Endpoint>,
    /// Per role and port, who reaches it.
    pub ingress: Vec<PortReach>,
    /// Per role, where it may connect.
    pub egress: Vec<EgressReach>,
    /// Each endpoint's index by id.
    #[serde(skip)]
    pub(super) by_id: std::collections::HashMap<String, usize>,
}

impl Analysis {
    /// The endpoint with this id.
    pub fn endpoint(&self, id: &str) -> Option<&Endpoint> {
        self.by_id.get(id).map(|&i| &self.endpoints[i])
    }
}
