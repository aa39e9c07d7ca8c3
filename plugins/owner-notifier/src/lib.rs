//! Notifications for the people who answer for a partner and for a site:
//!
//! - a partner's **Super Admins** hear when someone else manages technicians — invited, level
//!   changed, locked, access deleted, disabled or removed — as the reference's "notify me on
//!   technician management alerts" does;
//! - a site's **admins** hear when a technician has accepted an invitation and waits for them
//!   to unlock the access, so support is not held up by nobody noticing.
//!
//! The host resolves the roles to addresses and leaves out whoever made the change.

use siteward_guest_sdk::hook::{
    Action, DomainEvent, Email, FieldChange, Guest, PluginError, Recipient,
};

/// The plugin.
pub struct OwnerNotifier;

impl Guest for OwnerNotifier {
    fn on_event(
        config: Vec<(String, String)>,
        event: DomainEvent,
    ) -> Result<Vec<Action>, PluginError> {
        let setting = |name: &str| {
            config
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.trim())
                .unwrap_or("")
        };
        let on = |name: &str| !matches!(setting(name), "false" | "no" | "0");
        let console = setting("console_url").trim_end_matches('/');
        let mut actions = Vec::new();
        if on("technician_changes")
            && let Some(what) = technician_change(&event)
        {
            actions.push(email(
                Recipient::PartnerSuperAdmins,
                format!("Technician management: {what}"),
                describe(&event, &what, console),
            ));
        }
        if on("waiting_for_unlock")
            && event.kind == "invitation.accepted"
            && let Some(site) = &event.site_id
        {
            let mut text = format!(
                "A technician has accepted an invitation to your site ({site}) and is waiting \
                 for you to unlock their access. Until then they cannot connect.\n\nTechnician: {}\n",
                event.target_id
            );
            if !console.is_empty() {
                text.push_str(&format!("Unlock: {console}/sites/{site}/technicians\n"));
            }
            actions.push(email(
                Recipient::SiteAdmins,
                "A technician is waiting for you to unlock their access".to_owned(),
                text,
            ));
        }
        Ok(actions)
    }
}

siteward_guest_sdk::export_notification_hook!(OwnerNotifier);

fn email(to: Recipient, subject: String, text: String) -> Action {
    Action::SendEmail(Email {
        to: vec![to],
        subject,
        text,
        html: None,
    })
}

fn after<'a>(changes: &'a [FieldChange], field: &str) -> Option<&'a str> {
    changes
        .iter()
        .find(|c| c.field == field)
        .and_then(|c| c.after.as_deref())
}

/// What happened to technicians, in words, if this event is a technician change.
fn technician_change(event: &DomainEvent) -> Option<String> {
    let changes = &event.changes;
    Some(match event.kind.as_str() {
        "invitation.created" if event.site_id.is_some() => {
            "a technician was invited to a site".to_owned()
        }
        "invitation.created" if after(changes, "role") == Some("technician") => {
            "a technician was invited".to_owned()
        }
        "assignment.level_changed" => match after(changes, "level") {
            Some(level) => format!("a technician's level was changed to {level}"),
            None => "a technician's level was changed".to_owned(),
        },
        "assignment.locked" => "a technician was locked".to_owned(),
        "assignment.deleted" => "a technician's access to a site was deleted".to_owned(),
        "member.updated" if after(changes, "status") == Some("disabled") => {
            "a member was disabled".to_owned()
        }
        "member.licence_disabled" => "a member was disabled by a lowered licence".to_owned(),
        "member.removed" => "a member was removed".to_owned(),
        _ => return None,
    })
}

fn describe(event: &DomainEvent, what: &str, console: &str) -> String {
    let mut text = format!("{}{}.\n\n", capitalise(what), by(event));
    text.push_str(&format!("When: {}\n", event.at));
    text.push_str(&format!("Who: {} {}\n", event.target_kind, event.target_id));
    if let Some(site) = &event.site_id {
        text.push_str(&format!("Site: {site}\n"));
    }
    for change in &event.changes {
        let before = change.before.as_deref().unwrap_or("-");
        let after = change.after.as_deref().unwrap_or("-");
        text.push_str(&format!("{}: {before} -> {after}\n", change.field));
    }
    if !console.is_empty() {
        let place = match &event.site_id {
            Some(site) => format!("{console}/sites/{site}/technicians"),
            None => format!("{console}/team"),
        };
        text.push_str(&format!("\nReview: {place}\n"));
    }
    text.push_str(&format!(
        "\nYou receive this as a Super Admin of your partner. Audit event {}.\n",
        event.id
    ));
    text
}

fn by(event: &DomainEvent) -> String {
    event
        .actor_id
        .as_ref()
        .map_or_else(String::new, |actor| format!(" by {actor}"))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
