//! Audit events as CSV (RFC 4180): one row per event, a header row first, changes summarised
//! in one column. Spreadsheet-safe: a cell that starts with `=`, `+`, `-`, `@`, tab or carriage
//! return gets a leading `'`, so a name like `=HYPERLINK(…)` is shown, not run.

use audit_format::{changes_summary, flag};
use siteward_guest_sdk::exporter::{AuditEvent, Exported, Guest, PluginError};

/// The plugin.
pub struct Csv;

const HEADER: [&str; 11] = [
    "id",
    "at",
    "actor_kind",
    "actor_id",
    "partner_id",
    "site_id",
    "action",
    "target_kind",
    "target_id",
    "changes",
    "request_id",
];

impl Guest for Csv {
    fn export_batch(
        config: Vec<(String, String)>,
        events: Vec<AuditEvent>,
    ) -> Result<Exported, PluginError> {
        let mut out = String::new();
        if flag(&config, "header", true) {
            row(&mut out, HEADER.iter().copied());
        }
        for e in &events {
            let changes = changes_summary(e);
            row(
                &mut out,
                [
                    e.id.as_str(),
                    &e.at,
                    &e.actor_kind,
                    e.actor_id.as_deref().unwrap_or(""),
                    e.partner_id.as_deref().unwrap_or(""),
                    e.site_id.as_deref().unwrap_or(""),
                    &e.action,
                    &e.target_kind,
                    &e.target_id,
                    &changes,
                    e.request_id.as_deref().unwrap_or(""),
                ],
            );
        }
        Ok(Exported {
            content_type: "text/csv; charset=utf-8".to_owned(),
            bytes: out.into_bytes(),
        })
    }
}

fn row<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        cell_text(out, cell);
    }
    out.push_str("\r\n");
}

fn cell_text(out: &mut String, cell: &str) {
    let guarded = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quoted = guarded || cell.contains([',', '"', '\r', '\n']);
    if quoted {
        out.push('"');
    }
    if guarded {
        out.push('\'');
    }
    for c in cell.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quoted {
        out.push('"');
    }
}

siteward_guest_sdk::export_audit_exporter!(Csv);
