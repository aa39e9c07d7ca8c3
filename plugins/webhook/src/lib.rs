//! Every domain event of a partner, as JSON, to a webhook target the operator configured.
//!
//! The plugin only decides what is sent and where: the host looks the target up by name,
//! checks the partner may use it, signs the body (`Siteward-Signature`), delivers it and retries.
//! The body:
//!
//! ```json
//! {"id": "…", "type": "assignment.locked", "occurred_at": "2026-11-29T10:00:00Z",
//!  "partner_id": "…", "site_id": "…", "actor_id": "…",
//!  "target": {"kind": "assignment", "id": "…"},
//!  "changes": [{"field": "locked", "before": "false", "after": "true"}]}
//! ```

use audit_format::{JsonObject, json_array, setting};
use siteward_guest_sdk::hook::{Action, DomainEvent, Guest, PluginError, WebhookCall};

/// The plugin.
pub struct Webhook;

impl Guest for Webhook {
    fn on_event(
        config: Vec<(String, String)>,
        event: DomainEvent,
    ) -> Result<Vec<Action>, PluginError> {
        let target = setting(&config, "target").ok_or_else(|| PluginError {
            code: "missing-target".to_owned(),
            message: "the `target` setting names no webhook target".to_owned(),
        })?;
        let events = setting(&config, "events").unwrap_or("*");
        if !selected(events, &event.kind) {
            return Ok(Vec::new());
        }
        Ok(vec![Action::CallWebhook(WebhookCall {
            target: target.to_owned(),
            body: body(&event),
        })])
    }
}

siteward_guest_sdk::export_notification_hook!(Webhook);

/// Whether `kind` is among the comma-separated `patterns` (exact names, `prefix.*`, `*`).
fn selected(patterns: &str, kind: &str) -> bool {
    patterns.split(',').map(str::trim).any(|pattern| {
        pattern == "*"
            || pattern == kind
            || pattern
                .strip_suffix('*')
                .is_some_and(|prefix| prefix.ends_with('.') && kind.starts_with(prefix))
    })
}

fn body(event: &DomainEvent) -> String {
    let changes = json_array(event.changes.iter().map(|c| {
        JsonObject::new()
            .str("field", &c.field)
            .opt("before", c.before.as_deref())
            .opt("after", c.after.as_deref())
            .finish()
    }));
    JsonObject::new()
        .str("id", &event.id)
        .str("type", &event.kind)
        .str("occurred_at", &event.at)
        .opt("partner_id", event.partner_id.as_deref())
        .opt("site_id", event.site_id.as_deref())
        .opt("actor_id", event.actor_id.as_deref())
        .raw(
            "target",
            &JsonObject::new()
                .str("kind", &event.target_kind)
                .str("id", &event.target_id)
                .finish(),
        )
        .raw("changes", &changes)
        .finish()
}
