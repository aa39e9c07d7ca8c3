//! {{name}}: tells a partner's Super Admins of the events they chose. The host resolves the
//! role to addresses, leaves out whoever made the change, and sends only to the partner's
//! people (or addresses the operator allowed).

use siteward_guest_sdk::config_value;
use siteward_guest_sdk::hook::{Action, DomainEvent, Email, Guest, PluginError, Recipient};

/// The plugin.
pub struct Plugin;

impl Guest for Plugin {
    fn on_event(
        config: Vec<(String, String)>,
        event: DomainEvent,
    ) -> Result<Vec<Action>, PluginError> {
        let kinds: Vec<&str> = config_value(&config, "kinds")
            .unwrap_or("invitation.accepted")
            .split(',')
            .map(str::trim)
            .filter(|kind| !kind.is_empty())
            .collect();
        if kinds.is_empty() {
            return Err(PluginError {
                code: "invalid_config".to_owned(),
                message: "`kinds` names no event kind".to_owned(),
            });
        }
        if !kinds.contains(&event.kind.as_str()) {
            return Ok(Vec::new());
        }
        let who = event
            .actor
            .as_ref()
            .map_or_else(|| "Someone".to_owned(), |actor| actor.email.clone());
        let place = event.site_name.as_deref().or(event.partner_name.as_deref());
        let subject = match place {
            Some(place) => format!("{}: {who} at {place}", event.kind),
            None => format!("{}: {who}", event.kind),
        };
        Ok(vec![Action::SendEmail(Email {
            to: vec![Recipient::PartnerSuperAdmins],
            subject,
            text: format!("{}\n\nSee {}\n", event.kind, event.console_url),
            html: None,
        })])
    }
}

siteward_guest_sdk::export_notification_hook!(Plugin);
