//! `impala-k8s ports`: a registry as a table, Markdown, JSON or CSV.

use comfy_table::presets::{ASCII_MARKDOWN, NOTHING};
use comfy_table::{ContentArrangement, Table};

use crate::registry::Registry;

/// How `ports` prints a registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PortsFormat {
    /// Aligned columns for a terminal.
    #[default]
    Table,
    /// A Markdown table.
    Markdown,
    /// The whole registry (roles and ports) as JSON.
    Json,
    /// One row per port, with a header row.
    Csv,
}

const HEADER: [&str; 10] =
    ["ROLE", "COMPONENT", "SERVICE", "PORT", "NAME", "ACCESS", "FLAG", "CONNECTED BY", "PROTOCOL", "COMMENT"];

/// The extra column of a registry whose releases differ: which releases have the port.
const RELEASES: &str = "RELEASES";

fn header(registry: &Registry) -> Vec<&'static str> {
    let mut header = HEADER.to_vec();
    header.extend(registry.releases.iter().map(|_| RELEASES));
    header
}

fn rows(registry: &Registry) -> Vec<Vec<String>> {
    registry
        .ports
        .iter()
        .map(|p| {
            let component = p
                .component
                .clone()
                .or_else(|| registry.role(p.role.as_str()).map(|r| r.component.clone()))
                .unwrap_or_default();
            let peers = if p.peers.is_empty() {
                "clients".to_owned()
            } else {
                p.peers.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" ")
            };
            let mut row = vec![
                p.role.to_string(),
                component,
                p.service.clone(),
                p.number.to_string(),
                p.name.to_string(),
                p.access.as_str().to_owned(),
                p.flag.to_string(),
                peers,
                format!("{} ({})", p.protocol.as_str(), p.application),
                p.description.clone(),
            ];
            if let Some(releases) = &registry.releases {
                // A port has the releases of its entry and of its role.
                let role = registry.role(p.role.as_str()).and_then(|r| r.releases.as_ref());
                let range = p.releases.as_ref().or(role).cloned().unwrap_or_default();
                row.push(range.describe(&releases.name));
            }
            row
        })
        .collect()
}

fn csv_bytes(registry: &Registry) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header(registry))?;
    for row in rows(registry) {
        writer.write_record(&row)?;
    }
    Ok(writer.into_inner().map_err(|e| e.into_error())?)
}

/// Renders the registry in the given format, ending in a newline.
pub fn render(registry: &Registry, format: PortsFormat) -> String {
    let mut out = match format {
        PortsFormat::Table | PortsFormat::Markdown => {
            let mut table = Table::new();
            table.load_style(if format == PortsFormat::Table { NOTHING } else { ASCII_MARKDOWN });
            table.set_content_arrangement(ContentArrangement::Disabled);
            table.set_header(header(registry));
            for row in rows(registry) {
                table.add_row(row);
            }
            let text = table.to_string();
            // The NOTHING preset pads every cell with one space on both sides.
            text.lines()
                .map(|l| if format == PortsFormat::Table { l.trim() } else { l.trim_end() })
                .collect::<Vec<_>>()
                .join("\n")
        }
        PortsFormat::Json => serde_json::to_string_pretty(registry).expect("a registry serializes to JSON"),
        PortsFormat::Csv => {
            // Writing CSV into memory cannot fail.
            let bytes = csv_bytes(registry).expect("CSV into memory");
            String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8").trim_end().to_owned()
        }
    };
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Profile;

    #[test]
    fn cdh5_carries_the_documents_rows() {
        let csv = render(Profile::Cdh5.registry(), PortsFormat::Csv);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 15, "the document's 14 rows, and KRPC");
        assert_eq!(&rows[14][3], "27000");
        assert_eq!(&rows[14][10], "CDH 5.15 and later");
        assert_eq!(&rows[13][10], "up to CDH 5.10");
        assert_eq!(&rows[4][1], "Catalog Daemon");
        assert_eq!(&rows[4][3], "23020");
        assert_eq!(
            &rows[13][9],
            "Llama service web interface for administrators to monitor and troubleshoot. New in CDH 5.0 and higher."
        );
    }

    #[test]
    fn formats() {
        let r = Profile::Impala4.registry();
        assert!(render(r, PortsFormat::Markdown).starts_with("| ROLE"));
        assert!(render(r, PortsFormat::Table).starts_with("ROLE"));
        let json: serde_json::Value = serde_json::from_str(&render(r, PortsFormat::Json)).unwrap();
        assert_eq!(json["ports"].as_array().unwrap().len(), 24);
    }
}
