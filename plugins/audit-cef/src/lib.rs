//! Audit events as ArcSight Common Event Format lines for syslog collectors:
//! `<PRI>1 TIMESTAMP HOST siteward - - - CEF:0|Siteward|Siteward Host|1|<action>|<name>|<severity>|<extension>`
//! (the RFC 5424 header can be switched off). Header fields escape `\` and `|`; extension
//! values escape `\`, `=` and line breaks, as the CEF specification says.

use audit_format::{changes_summary, epoch_millis, error, setting};
use siteward_guest_sdk::exporter::{AuditEvent, Exported, Guest, PluginError};

/// The plugin.
pub struct Cef;

impl Guest for Cef {
    fn export_batch(
        config: Vec<(String, String)>,
        events: Vec<AuditEvent>,
    ) -> Result<Exported, PluginError> {
        let syslog = match setting(&config, "syslog_header").unwrap_or("rfc5424") {
            "rfc5424" => true,
            "none" => false,
            other => {
                return Err(error(
                    "invalid-config",
                    format!("syslog_header {other:?} is not rfc5424 or none"),
                ));
            }
        };
        let host = setting(&config, "hostname").unwrap_or("siteward");
        if host.contains(char::is_whitespace) {
            return Err(error("invalid-config", "hostname must not contain spaces"));
        }
        let mut out = String::new();
        for e in &events {
            let millis = epoch_millis(&e.at)
                .ok_or_else(|| error("invalid-time", format!("{:?} is not a UTC time", e.at)))?;
            let severity = severity(&e.action);
            if syslog {
                // Facility 13 (log audit); severity 6 (informational) or 4 (warning).
                let pri = 13 * 8 + if severity >= 5 { 4 } else { 6 };
                out.push_str(&format!("<{pri}>1 {} {host} siteward - - - ", e.at));
            }
            out.push_str(&format!(
                "CEF:0|Siteward|Siteward Host|1|{}|{}|{severity}|",
                header(&e.action),
                header(&name(&e.action)),
            ));
            let mut ext = Extension::default();
            ext.add("rt", &millis.to_string());
            ext.add("externalId", &e.id);
            ext.add("act", &e.action);
            ext.add("suser", e.actor_id.as_deref().unwrap_or(&e.actor_kind));
            ext.add("cs1Label", "actorKind");
            ext.add("cs1", &e.actor_kind);
            if let Some(partner) = &e.partner_id {
                ext.add("cs2Label", "partnerId");
                ext.add("cs2", partner);
            }
            if let Some(site) = &e.site_id {
                ext.add("cs3Label", "siteId");
                ext.add("cs3", site);
            }
            ext.add("cs4Label", "targetKind");
            ext.add("cs4", &e.target_kind);
            ext.add("duid", &e.target_id);
            if let Some(request) = &e.request_id {
                ext.add("cs5Label", "requestId");
                ext.add("cs5", request);
            }
            if !e.changes.is_empty() {
                ext.add("msg", &changes_summary(e));
            }
            out.push_str(&ext.0);
            out.push('\n');
        }
        Ok(Exported {
            content_type: "text/plain; charset=utf-8".to_owned(),
            bytes: out.into_bytes(),
        })
    }
}

/// `assignment.level_changed` → `Assignment level changed`.
fn name(action: &str) -> String {
    let words = action.replace(['.', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// 0 to 10: failed and locked-out logins, quarantines and failed plugin calls are notable;
/// changes to who may enter sites come next; the rest is routine.
fn severity(action: &str) -> u8 {
    match action {
        "auth.locked_out" | "plugin.quarantined" => 7,
        "auth.login_failed" | "plugin.call_failed" | "account.status_changed" => 5,
        a if a.starts_with("assignment.")
            || a.starts_with("grant.")
            || a.starts_with("member.")
            || a.starts_with("api_token.")
            || a == "site.technician_access_changed" =>
        {
            3
        }
        _ => 1,
    }
}

/// Escapes a header field.
fn header(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|")
}

/// The `key=value` extension, space separated.
#[derive(Default)]
struct Extension(String);

impl Extension {
    fn add(&mut self, key: &str, value: &str) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        self.0.push_str(key);
        self.0.push('=');
        for c in value.chars() {
            match c {
                '\\' => self.0.push_str("\\\\"),
                '=' => self.0.push_str("\\="),
                '\n' => self.0.push_str("\\n"),
                '\r' => self.0.push_str("\\r"),
                c => self.0.push(c),
            }
        }
    }
}

siteward_guest_sdk::export_audit_exporter!(Cef);
