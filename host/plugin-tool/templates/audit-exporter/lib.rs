//! {{name}}: writes audit events as lines of text, one per event, in the order given.

use siteward_guest_sdk::config_value;
use siteward_guest_sdk::exporter::{AuditEvent, Exported, Guest, PluginError};

/// The plugin.
pub struct Plugin;

impl Guest for Plugin {
    fn export_batch(
        config: Vec<(String, String)>,
        events: Vec<AuditEvent>,
    ) -> Result<Exported, PluginError> {
        let prefix = config_value(&config, "prefix").unwrap_or("");
        if prefix.chars().any(char::is_control) {
            return Err(PluginError {
                code: "invalid_config".to_owned(),
                message: "`prefix` must be one line".to_owned(),
            });
        }
        let mut text = String::new();
        for event in &events {
            // An event's values come from people: keep each line one line.
            let one_line = |value: &str| value.replace(char::is_control, " ");
            text.push_str(&format!(
                "{prefix}{} {} {} {}/{}\n",
                event.at,
                event.action,
                event.actor_id.as_deref().map_or_else(|| event.actor_kind.clone(), one_line),
                event.target_kind,
                one_line(&event.target_id)
            ));
        }
        Ok(Exported {
            content_type: "text/plain; charset=utf-8".to_owned(),
            bytes: text.into_bytes(),
        })
    }
}

siteward_guest_sdk::export_audit_exporter!(Plugin);
