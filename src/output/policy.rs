//! `impala-k8s policy`: a release's reachability ([`crate::policy`]) as a
//! table, Markdown, a Mermaid flowchart, Graphviz DOT or JSON.

use std::collections::{BTreeMap, BTreeSet};

use comfy_table::presets::{ASCII_MARKDOWN, NOTHING};
use comfy_table::{ContentArrangement, Table};

use crate::policy::{Analysis, Endpoint, EndpointKind, PortReach, PortRef, Ports};

/// How `policy` prints the reachability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PolicyFormat {
    /// Aligned columns for a terminal.
    #[default]
    Table,
    /// Markdown tables.
    Markdown,
    /// A Mermaid flowchart (for READMEs, GitHub and GitLab render it).
    Mermaid,
    /// A Graphviz DOT digraph (`dot -Tsvg`).
    Dot,
    /// Every endpoint, port and Service as JSON.
    Json,
}

/// Renders the analysis in the given format, ending in a newline.
pub fn render(analysis: &Analysis, format: PolicyFormat) -> String {
    match format {
        PolicyFormat::Table | PolicyFormat::Markdown => tables(analysis, format == PolicyFormat::Markdown),
        PolicyFormat::Mermaid => mermaid(&graph(analysis)),
        PolicyFormat::Dot => dot(&graph(analysis)),
        PolicyFormat::Json => {
            let mut json = serde_json::to_string_pretty(analysis).expect("the analysis serializes");
            json.push('\n');
            json
        }
    }
}

fn label<'a>(analysis: &'a Analysis, id: &'a str) -> &'a str {
    analysis.endpoint(id).map_or(id, |e| e.label.as_str())
}

/// Who among the pods reaches a port, in words.
fn pods_cell(analysis: &Analysis, reach: &PortReach) -> String {
    if reach.from_every_pod {
        return "every pod".to_owned();
    }
    let from: Vec<&Endpoint> =
        reach.from.iter().filter_map(|id| analysis.endpoint(id)).filter(|e| e.is_pod()).collect();
    if from.is_empty() {
        "no pod".to_owned()
    } else {
        from.iter().map(|e| e.label.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// How a port is reached from outside the cluster, in words.
fn outside_cell(analysis: &Analysis, reach: &PortReach) -> String {
    let external: Vec<String> = reach
        .exposed_by
        .iter()
        .filter(|x| x.is_external())
        .map(|x| {
            let node_port = x.node_port.map(|n| format!(" (node port {n})")).unwrap_or_default();
            format!("{} {}:{}{node_port}", x.type_, x.service, x.port)
        })
        .collect();
    let routed: Vec<String> = reach
        .routed_by
        .iter()
        .map(|r| format!("{} {} {}{}", r.kind, r.name, r.host.as_deref().unwrap_or("*"), r.path))
        .collect();
    if external.is_empty() && routed.is_empty() {
        return "not exposed".to_owned();
    }
    let security = reach.security.as_ref().map(|s| format!("; {}", s.describe())).unwrap_or_default();
    if external.is_empty() {
        return format!("{} through its controller's pods{security}", routed.join(", "));
    }
    let from = if reach.from_outside.iter().any(|id| id == "anywhere") {
        "any address".to_owned()
    } else if reach.from_outside.is_empty() {
        "no address (NetworkPolicy)".to_owned()
    } else {
        reach.from_outside.iter().map(|id| label(analysis, id)).collect::<Vec<_>>().join(", ")
    };
    let routes = if routed.is_empty() {
        String::new()
    } else {
        format!("; {} through its controller's pods", routed.join(", "))
    };
    format!("{} from {from}{routes}{security}", external.join(", "))
}

/// Where a role may connect, one line per destination group.
fn egress_lines(analysis: &Analysis, role: &str) -> Vec<String> {
    let Some(egress) = analysis.egress.iter().find(|e| e.role == role) else { return Vec::new() };
    if !egress.restricted {
        return vec!["anywhere (no egress NetworkPolicy)".to_owned()];
    }
    let mut lines = Vec::new();
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for target in &egress.to {
        let is_role = analysis.endpoint(&target.endpoint).is_some_and(|e| e.kind == EndpointKind::Role);
        let ports = target.ports.to_string();
        if is_role {
            lines.push(format!("{}: {ports}", label(analysis, &target.endpoint)));
        } else if let Some(group) = groups.iter_mut().find(|(p, _)| *p == ports) {
            group.1.push(label(analysis, &target.endpoint));
        } else {
            groups.push((ports, vec![label(analysis, &target.endpoint)]));
        }
    }
    // The group that holds any other address, when every destination is in
    // some group, is simply "anywhere (else)".
    let others = analysis.endpoints.iter().filter(|e| e.kind != EndpointKind::Role).count();
    let complete = groups.iter().map(|(_, who)| who.len()).sum::<usize>() == others;
    let anywhere = label(analysis, "anywhere");
    let single = groups.len() == 1;
    lines.extend(groups.into_iter().map(|(ports, who)| {
        let who = match (complete && who.contains(&anywhere), single) {
            (true, true) => "anywhere".to_owned(),
            (true, false) => "anywhere else".to_owned(),
            (false, _) => who.join(", "),
        };
        format!("{who}: {ports}")
    }));
    if lines.is_empty() {
        lines.push("nowhere".to_owned());
    }
    lines
}

fn table(markdown: bool) -> Table {
    let mut table = Table::new();
    table.load_style(if markdown { ASCII_MARKDOWN } else { NOTHING });
    table.set_content_arrangement(ContentArrangement::Disabled);
    table
}

fn finish(table: &Table, markdown: bool) -> String {
    // The NOTHING preset pads every cell with one space on both sides.
    let text = table.to_string();
    let lines: Vec<&str> =
        text.lines().map(|l| if markdown { l } else { l.strip_prefix(' ').unwrap_or(l) }.trim_end()).collect();
    lines.join("\n")
}

fn tables(analysis: &Analysis, markdown: bool) -> String {
    let break_ = if markdown { "<br>" } else { "\n" };
    let mut ingress = table(markdown);
    ingress.set_header(["ROLE", "PORT", "NUMBER", "FROM PODS", "FROM OUTSIDE THE CLUSTER"]);
    for reach in &analysis.ingress {
        ingress.add_row([
            reach.role.clone(),
            reach.port.name.clone(),
            format!("{}/{}", reach.port.number, reach.port.protocol),
            pods_cell(analysis, reach),
            outside_cell(analysis, reach),
        ]);
    }
    let mut egress = table(markdown);
    egress.set_header(["ROLE", "MAY CONNECT TO"]);
    for w in &analysis.workloads {
        egress.add_row([w.id.clone(), egress_lines(analysis, &w.id).join(break_)]);
    }
    let namespaces = format!(
        "{} {}",
        if analysis.namespaces.len() == 1 { "Namespace" } else { "Namespaces" },
        analysis.namespaces.join(", ")
    );
    let summary = if analysis.network_policies == 0 {
        format!("{namespaces}: no NetworkPolicy, so every pod, and every address that can route to the pods, reaches every port.")
    } else {
        format!(
            "{namespaces}: {} NetworkPolicies, evaluated over {} workloads and their Services.",
            analysis.network_policies,
            analysis.workloads.len()
        )
    };
    if markdown {
        format!(
            "{summary}\n\n### Ingress: who reaches each port\n\n{}\n\n### Egress: where each role may connect\n\n{}\n",
            finish(&ingress, true),
            finish(&egress, true)
        )
    } else {
        format!("{summary}\n\nINGRESS\n{}\n\nEGRESS\n{}\n", finish(&ingress, false), finish(&egress, false))
    }
}

/// A reachability picture: nodes and labelled edges.
struct Graph {
    namespaces: Vec<String>,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

struct Node {
    id: String,
    label: String,
    /// The namespace it is drawn in, if any.
    namespace: Option<String>,
    kind: EndpointKind,
}

struct Edge {
    from: String,
    to: String,
    label: String,
    /// A connection beyond the release that only egress policies limit.
    egress: bool,
}

/// The ports one endpoint reaches on one role, and the Service types that carry them.
#[derive(Default)]
struct Inbound {
    ports: BTreeSet<(u16, String)>,
    via: BTreeSet<String>,
    /// Ports reached from outside that ask for no authentication.
    unauthenticated: BTreeSet<(u16, String)>,
}

fn numbers(ports: &BTreeSet<(u16, String)>) -> String {
    let list: Vec<String> =
        ports.iter().map(|(n, p)| if p == "TCP" { n.to_string() } else { format!("{n}/{p}") }).collect();
    list.join(", ")
}

/// Node ids of the picture: `n<i>` for endpoint i, `pods` for a node that
/// stands for every pod.
struct Ids<'a> {
    analysis: &'a Analysis,
    every_pod: usize,
}

impl Ids<'_> {
    fn index(&self, id: &str) -> usize {
        self.analysis.endpoints.iter().position(|e| e.id == id).unwrap_or_default()
    }

    fn node_id(&self, i: usize) -> String {
        if i == self.every_pod {
            "pods".to_owned()
        } else {
            format!("n{i}")
        }
    }
}

fn graph(analysis: &Analysis) -> Graph {
    // A port every pod reaches gets one edge, from a node that stands for them all.
    let ids = Ids { analysis, every_pod: analysis.endpoints.len() };
    let mut edges = ingress_edges(&ids);
    let role_notes = egress_edges(&ids, &mut edges);
    let used: BTreeSet<&String> = edges.iter().flat_map(|e| [&e.from, &e.to]).collect();
    let mut nodes: Vec<Node> = analysis
        .endpoints
        .iter()
        .enumerate()
        .filter(|(i, e)| e.kind == EndpointKind::Role || used.contains(&ids.node_id(*i)))
        .map(|(i, e)| {
            let mut label = e.label.clone();
            if let Some(w) = analysis.workloads.iter().find(|w| w.id == e.id && e.kind == EndpointKind::Role) {
                if w.replicas != 1 {
                    label = format!("{label} ×{}", w.replicas);
                }
                if let Some(note) = role_notes.get(&w.id) {
                    label = format!("{label}\n{note}");
                }
            }
            let namespace = e.namespace().filter(|ns| analysis.namespaces.iter().any(|n| n == ns)).map(str::to_owned);
            Node { id: ids.node_id(i), label, namespace, kind: e.kind }
        })
        .collect();
    if used.contains(&ids.node_id(ids.every_pod)) {
        let label = "any pod in the cluster".to_owned();
        nodes.push(Node {
            id: ids.node_id(ids.every_pod),
            label,
            namespace: None,
            kind: EndpointKind::OtherNamespaces,
        });
    }
    Graph { namespaces: analysis.namespaces.clone(), nodes, edges }
}

/// One edge per (source, role) with the ports it reaches, and the Service
/// types that carry them for outside addresses.
fn ingress_edges(ids: &Ids<'_>) -> Vec<Edge> {
    let analysis = ids.analysis;
    // (from, to) → ports, and for outside addresses the Service types used.
    let mut inbound: BTreeMap<(usize, usize), Inbound> = BTreeMap::new();
    for reach in &analysis.ingress {
        let dst = ids.index(&reach.role);
        let port = (reach.port.number, reach.port.protocol.clone());
        let from_pods: Vec<&String> =
            reach.from.iter().filter(|id| analysis.endpoint(id).is_some_and(Endpoint::is_pod)).collect();
        if reach.from_every_pod {
            inbound.entry((ids.every_pod, dst)).or_default().ports.insert(port.clone());
        } else {
            for id in from_pods {
                inbound.entry((ids.index(id), dst)).or_default().ports.insert(port.clone());
            }
        }
        let types: BTreeSet<String> =
            reach.exposed_by.iter().filter(|x| x.is_external()).map(|x| x.type_.clone()).collect();
        let open = reach.security.as_ref().is_some_and(|s| s.authentication.is_empty());
        for id in &reach.from_outside {
            let entry = inbound.entry((ids.index(id), dst)).or_default();
            entry.ports.insert(port.clone());
            entry.via.extend(types.iter().cloned());
            if open {
                entry.unauthenticated.insert(port.clone());
            }
        }
    }
    // A CIDR adds nothing to a role that any other address reaches on the same ports.
    let anywhere = ids.index("anywhere");
    let redundant: Vec<(usize, usize)> = inbound
        .iter()
        .filter(|((src, dst), reach)| {
            analysis.endpoints.get(*src).is_some_and(|e| e.kind == EndpointKind::Cidr)
                && inbound.get(&(anywhere, *dst)).is_some_and(|all| reach.ports.is_subset(&all.ports))
        })
        .map(|(k, _)| *k)
        .collect();
    for key in redundant {
        inbound.remove(&key);
    }
    inbound
        .iter()
        .map(|((src, dst), reach)| {
            let via = if reach.via.is_empty() {
                String::new()
            } else {
                format!("{}: ", reach.via.iter().cloned().collect::<Vec<_>>().join("/"))
            };
            // Exposure without authentication is marked in the picture.
            let open = if reach.unauthenticated.is_empty() {
                String::new()
            } else if reach.unauthenticated == reach.ports {
                " (no authentication)".to_owned()
            } else {
                format!(" (no authentication: {})", numbers(&reach.unauthenticated))
            };
            Edge {
                from: ids.node_id(*src),
                to: ids.node_id(*dst),
                label: format!("{via}{}{open}", numbers(&reach.ports)),
                egress: false,
            }
        })
        .collect()
}

/// Egress beyond the release: what every destination gets goes on the
/// role's label (returned, by role), the rest on dashed edges.
fn egress_edges(ids: &Ids<'_>, edges: &mut Vec<Edge>) -> BTreeMap<String, String> {
    let analysis = ids.analysis;
    let mut role_notes: BTreeMap<String, String> = BTreeMap::new();
    for egress in analysis.egress.iter().filter(|e| e.restricted) {
        let outside: Vec<_> = egress
            .to
            .iter()
            .filter(|t| analysis.endpoint(&t.endpoint).is_some_and(|e| e.kind != EndpointKind::Role))
            .collect();
        let every_endpoint = analysis.endpoints.iter().filter(|e| e.kind != EndpointKind::Role).count();
        let common: BTreeSet<PortRef> = if outside.len() == every_endpoint {
            let mut sets = outside.iter().map(|t| match &t.ports {
                Ports::Only(p) => p.clone(),
                Ports::All => BTreeSet::new(),
            });
            let first = sets.next().unwrap_or_default();
            sets.fold(first, |acc, s| acc.intersection(&s).cloned().collect())
        } else {
            BTreeSet::new()
        };
        let note = if common.is_empty() {
            "egress restricted".to_owned()
        } else {
            format!("egress anywhere: {}", Ports::Only(common.clone()))
        };
        role_notes.insert(egress.role.clone(), note);
        for target in outside {
            let rest = match &target.ports {
                Ports::All => "every port".to_owned(),
                Ports::Only(p) => Ports::Only(p.difference(&common).cloned().collect()).to_string(),
            };
            if !rest.is_empty() {
                edges.push(Edge {
                    from: ids.node_id(ids.index(&egress.role)),
                    to: ids.node_id(ids.index(&target.endpoint)),
                    label: rest,
                    egress: true,
                });
            }
        }
    }
    role_notes
}

/// How a picture language writes each part of a [`Graph`].
struct Syntax {
    /// The first lines.
    header: &'static str,
    /// The last lines.
    footer: &'static str,
    /// The id of the box of namespace `i` of `count`.
    group_id: fn(usize, usize) -> String,
    /// Opens a box: (its id, its title).
    open_group: fn(&str, &str) -> String,
    /// Closes a box.
    close_group: &'static str,
    /// A node.
    node: fn(&Node, &str) -> String,
    /// An edge, with its escaped label.
    edge: fn(&Edge, &str) -> String,
    /// Escapes a label.
    escape: fn(&str) -> String,
}

const MERMAID: Syntax = Syntax {
    header: "flowchart LR\n",
    footer: "",
    group_id: |i, count| if count == 1 { "ns".to_owned() } else { format!("ns{i}") },
    open_group: |id, title| format!("  subgraph {id}[\"{title}\"]\n"),
    close_group: "  end\n",
    node: |n, label| match n.kind {
        EndpointKind::Role => format!("{}[\"{label}\"]", n.id),
        EndpointKind::Cidr | EndpointKind::Anywhere => format!("{}{{{{\"{label}\"}}}}", n.id),
        _ => format!("{}([\"{label}\"])", n.id),
    },
    edge: |e, label| {
        let arrow = if e.egress { "-.->" } else { "-->" };
        format!("{} {arrow}|\"{label}\"| {}", e.from, e.to)
    },
    escape: |s| s.replace('"', "#quot;").replace('\n', "<br/>"),
};

const DOT: Syntax = Syntax {
    header: "digraph reachability {\n  rankdir=LR;\n",
    footer: "}\n",
    group_id: |i, count| if count == 1 { "cluster_namespace".to_owned() } else { format!("cluster_namespace{i}") },
    open_group: |id, title| format!("  subgraph {id} {{\n    label=\"{title}\";\n"),
    close_group: "  }\n",
    node: |n, label| {
        let shape = match n.kind {
            EndpointKind::Role => "box",
            EndpointKind::Cidr | EndpointKind::Anywhere => "hexagon",
            _ => "ellipse",
        };
        format!("{} [label=\"{label}\", shape={shape}];", n.id)
    },
    edge: |e, label| {
        let style = if e.egress { ", style=dashed" } else { "" };
        format!("{} -> {} [label=\"{label}\"{style}];", e.from, e.to)
    },
    escape: |s| s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"),
};

/// Writes a graph: a box per namespace with its nodes, the other nodes, then the edges.
fn draw(graph: &Graph, syntax: &Syntax) -> String {
    let node = |n: &Node| (syntax.node)(n, &(syntax.escape)(&n.label));
    let mut out = String::from(syntax.header);
    for (i, ns) in graph.namespaces.iter().enumerate() {
        let id = (syntax.group_id)(i, graph.namespaces.len());
        out.push_str(&(syntax.open_group)(&id, &(syntax.escape)(&format!("namespace {ns}"))));
        for n in graph.nodes.iter().filter(|n| n.namespace.as_ref() == Some(ns)) {
            out.push_str(&format!("    {}\n", node(n)));
        }
        out.push_str(syntax.close_group);
    }
    for n in graph.nodes.iter().filter(|n| n.namespace.is_none()) {
        out.push_str(&format!("  {}\n", node(n)));
    }
    for e in &graph.edges {
        out.push_str(&format!("  {}\n", (syntax.edge)(e, &(syntax.escape)(&e.label))));
    }
    out.push_str(syntax.footer);
    out
}

fn mermaid(graph: &Graph) -> String {
    draw(graph, &MERMAID)
}

fn dot(graph: &Graph) -> String {
    draw(graph, &DOT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::load::from_yaml;

    fn analysis(spec: &str) -> Analysis {
        let text = format!("apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata: {{name: r, namespace: n}}\nspec:\n{spec}");
        let manifests = crate::render(&from_yaml("t.yaml", &text).unwrap()).unwrap().manifests;
        crate::policy::analyze(manifests.objects())
    }

    fn reach<'a>(a: &'a Analysis, role: &str, port: &str) -> &'a PortReach {
        a.ingress.iter().find(|r| r.role == role && r.port.name == port).unwrap()
    }

    #[test]
    fn cells_say_who_reaches_a_port() {
        let a = analysis("  serviceType: NodePort\n");
        assert_eq!(pods_cell(&a, reach(&a, "statestored", "statestore")), "catalogd, coordinator, executor");
        assert_eq!(pods_cell(&a, reach(&a, "coordinator", "hs2")), "every pod");
        assert_eq!(
            outside_cell(&a, reach(&a, "coordinator", "hs2")),
            "NodePort r-coordinator:21050 from any address; no TLS, no authentication"
        );
        let secured = "  serviceType: NodePort\n  tls: {clients: true, secretName: t}\n  auth:\n    ldap: {uri: 'ldaps://l', domain: corp}\n  roles:\n    coordinator: {access: {webui: external}}\n";
        let s = analysis(secured);
        assert_eq!(
            outside_cell(&s, reach(&s, "coordinator", "hs2")),
            "NodePort r-coordinator:21050 from any address; TLS, LDAP"
        );
        assert_eq!(
            outside_cell(&s, reach(&s, "coordinator", "webui")).split("; ").nth(1),
            Some("no TLS, no authentication")
        );
        assert_eq!(outside_cell(&a, reach(&a, "coordinator", "krpc")), "not exposed");
        // A web UI leaves the cluster only where the spec exposes it.
        assert_eq!(outside_cell(&a, reach(&a, "coordinator", "webui")), "not exposed");
        let sources = "  serviceType: NodePort\n  networkPolicy:\n    clientSources: [{namespaceSelector: {matchLabels: {team: bi}}}]\n";
        let a = analysis(sources);
        assert_eq!(
            outside_cell(&a, reach(&a, "coordinator", "hs2")),
            "NodePort r-coordinator:21050 from no address (NetworkPolicy); no TLS, no authentication"
        );
        assert_eq!(pods_cell(&a, reach(&a, "coordinator", "hs2")), "pods of namespaces team=bi");
    }

    #[test]
    fn egress_groups_destinations_with_the_same_ports() {
        let a =
            analysis("  networkPolicy:\n    egress:\n      enabled: true\n      metastore: [{cidr: 10.96.0.0/24}]\n");
        assert_eq!(
            egress_lines(&a, "statestored"),
            ["catalogd: 23020/TCP", "coordinator: 23000/TCP", "executor: 23000/TCP", "anywhere: 53/TCP, 53/UDP"]
        );
        let catalogd = egress_lines(&a, "catalogd");
        assert_eq!(
            catalogd[1..],
            ["anywhere else: 53/TCP, 53/UDP".to_owned(), "10.96.0.0/24: 53/TCP, 53/UDP, 9083/TCP".to_owned()]
        );
        let open = analysis("");
        assert_eq!(egress_lines(&open, "executor"), ["anywhere (no egress NetworkPolicy)"]);
    }

    #[test]
    fn pictures_escape_their_labels() {
        let graph = Graph {
            namespaces: vec!["ns".into()],
            nodes: vec![Node {
                id: "n0".into(),
                label: "a \"b\"\nc".into(),
                namespace: Some("ns".into()),
                kind: EndpointKind::Role,
            }],
            edges: vec![Edge { from: "n0".into(), to: "n0".into(), label: "1\\2".into(), egress: true }],
        };
        let m = mermaid(&graph);
        assert!(m.contains("n0[\"a #quot;b#quot;<br/>c\"]") && m.contains("n0 -.->|\"1\\2\"| n0"), "{m}");
        let d = dot(&graph);
        assert!(
            d.contains("n0 [label=\"a \\\"b\\\"\\nc\", shape=box];") && d.contains("[label=\"1\\\\2\", style=dashed]"),
            "{d}"
        );
    }
}
