//! Audit events as newline-delimited JSON: one object per line, the fields the audit API shows,
//! ready for `jq`, log shippers and data lakes.

use audit_format::{JsonObject, changes_json};
use siteward_guest_sdk::exporter::{AuditEvent, Exported, Guest, PluginError};

/// The plugin.
pub struct Ndjson;

impl Guest for Ndjson {
    fn export_batch(
        _config: Vec<(String, String)>,
        events: Vec<AuditEvent>,
    ) -> Result<Exported, PluginError> {
        let mut out = String::new();
        for e in &events {
            out.push_str(&line(e));
            out.push('\n');
        }
        Ok(Exported {
            content_type: "application/x-ndjson".to_owned(),
            bytes: out.into_bytes(),
        })
    }
}

fn line(e: &AuditEvent) -> String {
    let actor = JsonObject::new()
        .str("kind", &e.actor_kind)
        .opt("id", e.actor_id.as_deref())
        .finish();
    let target = JsonObject::new()
        .str("kind", &e.target_kind)
        .str("id", &e.target_id)
        .finish();
    JsonObject::new()
        .str("id", &e.id)
        .str("at", &e.at)
        .raw("actor", &actor)
        .opt("partner_id", e.partner_id.as_deref())
        .opt("site_id", e.site_id.as_deref())
        .str("action", &e.action)
        .raw("target", &target)
        .raw("changes", &changes_json(e))
        .opt("request_id", e.request_id.as_deref())
        .finish()
}

siteward_guest_sdk::export_audit_exporter!(Ndjson);
