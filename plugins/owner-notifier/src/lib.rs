//! Notifications for the people who answer for a partner and for a site:
//!
//! - a partner's **Super Admins** hear when someone else manages technicians — invited, level
//!   changed, locked, access deleted, disabled or removed — as the reference's "notify me on
//!   technician management alerts" does;
//! - a site's **admins** hear when a technician has accepted an invitation and waits for them
//!   to unlock the access, so support is not held up by nobody noticing.
//!
//! - a site's **approvers** hear when a technician asks for access there (the partner's Super
//!   Admins too, where the site lets them approve that level), and the **technician** hears
//!   when their request is approved, denied, or expired undecided.
//! - a site's **admins** hear when a review of who holds access there starts, with how many
//!   technicians to decide, by when, and what the deadline does to the rest.
//! - a partner's **Super Admins** (and, for an invitation to a site, its admins) hear of an
//!   invitation an invitation policy holds for their approval, and the **inviter** hears when
//!   one of theirs is denied, and why.
//!
//! The host resolves the roles to addresses and leaves out whoever made the change. Emails
//! name people and places ("Tom Lee (tom@acme.example) accepted access to Head office") and
//! link to the console page where the reader acts, and to where a Super Admin chooses their
//! alerts.

use siteward_guest_sdk::hook::{
    Action, DomainEvent, Email, FieldChange, Guest, Person, PluginError, Recipient,
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
        // The operator's setting wins; else the host's own address.
        let console = match setting("console_url") {
            "" => event.console_url.trim_end_matches('/'),
            url => url.trim_end_matches('/'),
        };
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
            let who = event
                .person
                .as_ref()
                .map_or_else(|| "A technician".to_owned(), named);
            let place = event.site_name.as_deref().unwrap_or("your site");
            let partner = event
                .partner_name
                .as_deref()
                .map_or_else(String::new, |p| format!(" for {p}"));
            let mut text = format!(
                "{who} accepted access to {place}{partner} and waits for you to unlock it. \
                 Until then they cannot connect.\n"
            );
            if !console.is_empty() {
                text.push_str(&format!("\nUnlock: {console}/sites/{site}/technicians\n"));
            }
            text.push_str(&format!(
                "\nYou receive this as an admin of {place}. Audit event {}.\n",
                event.id
            ));
            actions.push(email(
                Recipient::SiteAdmins,
                format!("{who} waits for you to unlock their access to {place}"),
                text,
            ));
        }
        if on("access_requests") {
            actions.extend(access_request(&event, console));
        }
        if on("reviews") {
            actions.extend(review(&event, console));
        }
        if on("invitation_approvals") {
            actions.extend(invitation_approval(&event, console));
        }
        Ok(actions)
    }
}

/// What an access request's step tells whom: the approvers of a new request that waits for
/// them, the technician of a decision or an expiry.
fn access_request(event: &DomainEvent, console: &str) -> Option<Action> {
    let who = event
        .person
        .as_ref()
        .map_or_else(|| "A technician".to_owned(), named);
    let place = event.site_name.as_deref().unwrap_or("a site");
    let level = level_name(after(&event.changes, "level").unwrap_or("-"));
    let window = || {
        format!(
            "From: {}\nUntil: {}\n",
            after(&event.changes, "starts_at").unwrap_or("-"),
            after(&event.changes, "ends_at").unwrap_or("-"),
        )
    };
    match event.kind.as_str() {
        "access_request.created" if after(&event.changes, "status") == Some("pending") => {
            let site = event.site_id.as_deref()?;
            let mut text = format!(
                "{who} asks for {level} access to {place}.\n\n{}Reason: {}\n",
                window(),
                after(&event.changes, "reason").unwrap_or("-"),
            );
            if !console.is_empty() {
                text.push_str(&format!(
                    "\nApprove or deny: {console}/sites/{site}/access-requests\n"
                ));
            }
            text.push_str(&format!(
                "\nYou receive this as one of the approvers for {place}. Request {}.\n",
                event.target_id
            ));
            let mut to = vec![Recipient::SiteAdmins];
            if after(&event.changes, "approvers")
                .is_some_and(|a| a.split(',').any(|r| r == "partner_super_admins"))
            {
                to.push(Recipient::PartnerSuperAdmins);
            }
            Some(Action::SendEmail(Email {
                to,
                subject: format!("{who} asks for access to {place}"),
                text,
                html: None,
            }))
        }
        kind @ ("access_request.approved" | "access_request.denied" | "access_request.expired") => {
            let person = event.person.as_ref()?;
            let (subject, mut text) = match kind {
                "access_request.approved" => (
                    format!("Your access to {place} is approved"),
                    format!(
                        "Your request for {level} access to {place} was approved{}.\n\n{}",
                        by(event),
                        window()
                    ),
                ),
                "access_request.denied" => (
                    format!("Your access request for {place} was denied"),
                    format!(
                        "Your request for access to {place} was denied{}.\n\nWhy: {}\n",
                        by(event),
                        after(&event.changes, "comment").unwrap_or("-")
                    ),
                ),
                _ => (
                    format!("Your access request for {place} expired"),
                    format!(
                        "Nobody decided your request for access to {place} before its time \
                         passed. Ask again if you still need it.\n"
                    ),
                ),
            };
            if let Some(comment) = after(&event.changes, "comment")
                && kind == "access_request.approved"
            {
                text.push_str(&format!("Comment: {comment}\n"));
            }
            if !console.is_empty() {
                text.push_str(&format!("\nYour requests: {console}/\n"));
            }
            text.push_str(&format!("\nRequest {}.\n", event.target_id));
            Some(Action::SendEmail(Email {
                to: vec![Recipient::Address(person.email.clone())],
                subject,
                text,
                html: None,
            }))
        }
        _ => None,
    }
}

/// An invitation held for approval tells its approvers; a denied one tells its inviter why.
fn invitation_approval(event: &DomainEvent, console: &str) -> Option<Action> {
    let invitee = after(&event.changes, "email").unwrap_or("someone");
    match event.kind.as_str() {
        "invitation.created" if after(&event.changes, "status") == Some("awaiting_approval") => {
            let who = event
                .actor
                .as_ref()
                .map_or_else(|| "A member of your team".to_owned(), named);
            let offer = match (after(&event.changes, "level"), &event.site_name) {
                (Some(level), Some(site)) => format!("{} access to {site}", level_name(level)),
                _ => format!(
                    "the team as {}",
                    after(&event.changes, "role").unwrap_or("a member")
                ),
            };
            let mut text = format!(
                "{who} wants to invite {invitee} to {offer}. An invitation policy wants it \
                 approved: {}\n\nNothing is sent until someone approves it.\n",
                after(&event.changes, "approval_reason").unwrap_or("-"),
            );
            if !console.is_empty() {
                let list = match &event.site_id {
                    Some(site) => format!("{console}/sites/{site}/technicians"),
                    None => format!("{console}/partners/{}/team", event.partner_id.as_deref()?),
                };
                text.push_str(&format!("\nApprove or deny: {list}\n"));
            }
            text.push_str(&format!("\nInvitation {}.\n", event.target_id));
            let mut to = vec![Recipient::PartnerSuperAdmins];
            if event.site_id.is_some() {
                to.push(Recipient::SiteAdmins);
            }
            Some(Action::SendEmail(Email {
                to,
                subject: format!("Approve the invitation of {invitee}?"),
                text,
                html: None,
            }))
        }
        "invitation.denied" => {
            let inviter = after(&event.changes, "inviter_email")?;
            let text = format!(
                "Your invitation of {invitee} was denied{} and was not sent.\n\nWhy: {}\n\nInvitation {}.\n",
                by(event),
                after(&event.changes, "reason").unwrap_or("-"),
                event.target_id,
            );
            Some(email(
                Recipient::Address(inviter.to_owned()),
                format!("Your invitation of {invitee} was denied"),
                text,
            ))
        }
        _ => None,
    }
}

/// A review that starts tells the site's admins what there is to decide, by when.
fn review(event: &DomainEvent, console: &str) -> Option<Action> {
    if event.kind != "review.started" {
        return None;
    }
    let site = event.site_id.as_deref()?;
    let place = event.site_name.as_deref().unwrap_or("your site");
    let count = after(&event.changes, "technicians").unwrap_or("-");
    let deadline = after(&event.changes, "deadline").unwrap_or("-");
    let fate = match after(&event.changes, "unconfirmed") {
        Some("leave") => "stays as it is, recorded as unconfirmed",
        _ => "is locked",
    };
    let people = if count == "1" { "technician" } else { "technicians" };
    let mut text = format!(
        "A review of who holds access to {place} has started{}: {count} {people} to confirm \
         or remove by {deadline}. At the deadline, access nobody confirmed {fate}.\n",
        by(event)
    );
    if !console.is_empty() {
        text.push_str(&format!("\nReview: {console}/sites/{site}/reviews\n"));
    }
    text.push_str(&format!(
        "\nYou receive this as an admin of {place}. Review {}.\n",
        event.target_id
    ));
    Some(email(
        Recipient::SiteAdmins,
        format!("Review who holds access to {place} by {}", day(deadline)),
        text,
    ))
}

/// The day of an RFC 3339 time (`2026-03-15T09:00:00+00:00` → `2026-03-15`).
fn day(time: &str) -> &str {
    time.split('T').next().unwrap_or(time)
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
    // One held for approval is not sent yet: its approvers hear of it as such.
    if after(changes, "status") == Some("awaiting_approval") {
        return None;
    }
    Some(match event.kind.as_str() {
        "invitation.approved" => "an invitation held for approval was approved and sent".to_owned(),
        "invitation.created" if event.site_id.is_some() => {
            "a technician was invited to a site".to_owned()
        }
        "invitation.created" if after(changes, "role") == Some("technician") => {
            "a technician was invited".to_owned()
        }
        "assignment.level_changed" => match after(changes, "level") {
            Some(level) => format!("a technician's level was changed to {}", level_name(level)),
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
    match &event.person {
        Some(person) => text.push_str(&format!("Who: {}\n", named(person))),
        None => text.push_str(&format!("Who: {} {}\n", event.target_kind, event.target_id)),
    }
    match (&event.site_name, &event.site_id) {
        (Some(name), _) => text.push_str(&format!("Site: {name}\n")),
        (None, Some(site)) => text.push_str(&format!("Site: {site}\n")),
        (None, None) => {}
    }
    for change in &event.changes {
        let before = change.before.as_deref().unwrap_or("-");
        let after = change.after.as_deref().unwrap_or("-");
        text.push_str(&format!("{}: {before} -> {after}\n", change.field));
    }
    let partner = event.partner_id.as_deref().unwrap_or_default();
    if !console.is_empty() {
        let place = match &event.site_id {
            Some(site) => format!("{console}/sites/{site}/technicians"),
            None => format!("{console}/partners/{partner}/team"),
        };
        text.push_str(&format!("\nReview: {place}\n"));
    }
    let partner_name = event.partner_name.as_deref().unwrap_or("your partner");
    text.push_str(&format!(
        "\nYou receive this as a Super Admin of {partner_name}. Audit event {}.\n",
        event.id
    ));
    if !console.is_empty() {
        text.push_str(&format!(
            "Choose whether you get these alerts: {console}/partners/{partner}/settings\n"
        ));
    }
    text
}

/// Who did it: a person by name and address, else the id (an API token's).
fn by(event: &DomainEvent) -> String {
    match (&event.actor, &event.actor_id) {
        (Some(person), _) => format!(" by {}", named(person)),
        (None, Some(actor)) => format!(" by {actor}"),
        (None, None) => String::new(),
    }
}

/// A person as an email names them: `Tom Lee (tom@acme.example)`, or the address alone.
fn named(person: &Person) -> String {
    match &person.name {
        Some(name) => format!("{name} ({})", person.email),
        None => person.email.clone(),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A permission level as the product's pages name it.
fn level_name(level: &str) -> &str {
    match level {
        "none" => "None",
        "devices_only" => "Devices Only",
        "full_excluding_users" => "Full Excluding Users",
        "full_including_users" => "Full Including Users",
        other => other,
    }
}
