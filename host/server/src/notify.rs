//! Notification hooks: each installed `notification-hook` plugin hears of every audit event
//! of the partners it is switched on for, in each tenant chain's order, and the emails and
//! webhook calls it asks for are queued in the same transaction that records how far it has
//! read — so every event is handled once, none is skipped, and a crash or a second host queues
//! nothing twice.
//!
//! A hook whose configuration has `digest_minutes` above 0 has its emails held per recipient
//! instead: when the oldest held for a recipient is that many minutes old, everything held for
//! them goes out as one email (the digest written and the items deleted in one transaction).
//!
//! A hook starts reading at the moment it is first seen (it does not replay history); chains
//! that appear later are read from their beginning. Events about plugins themselves
//! (`plugin.call_failed`, `plugin.quarantined`) are not passed to hooks, so a failing hook
//! cannot feed on its own failures.

use std::collections::BTreeSet;
use std::time::Duration;

use siteward_core::audit::{AuditAction, AuditEvent};
use siteward_core::ids::{DigestItemId, OutboxMessageId, PartnerId, SiteId, WebhookDeliveryId};
use siteward_core::page::{MAX_LIMIT, PageRequest};
use siteward_core::tenancy::{MemberStatus, PartnerRole};
use siteward_core::validate::Email;
use siteward_plugins::World;
use siteward_plugins::worlds::hook::{Action, Recipient};
use siteward_storage::{
    DigestItem, DigestKey, FeedOutput, OutboxMessage, StorageError, WebhookDelivery,
};

use tokio_util::sync::CancellationToken;

use crate::plugins::calls::{domain_event, hook_event};
use crate::state::AppState;

/// Events read per chain and round.
const BATCH: u32 = 200;

/// Gives every hook the events it has not seen; returns how many emails, webhook calls and
/// digest items were queued.
pub async fn notify_once(state: &AppState) -> Result<usize, StorageError> {
    let hooks = state.plugins.hook_names();
    if hooks.is_empty() {
        return Ok(0);
    }
    let heads = state.store.chain_heads().await?;
    let mut queued = 0;
    for hook in hooks {
        let consumer = format!("hook/{hook}");
        let cursors = state.store.feed_cursors(&consumer).await?;
        if !cursors.started {
            match state.store.start_feed(&consumer, &heads).await {
                Ok(()) | Err(StorageError::Conflict(_)) => {}
                Err(error) => return Err(error),
            }
            continue;
        }
        for (chain, head) in &heads {
            let from = cursors.chains.get(chain).copied();
            let read = from.unwrap_or(0);
            if read >= head.seq {
                continue;
            }
            let events = state.store.chain_events(chain, read, BATCH).await?;
            let mut output = FeedOutput::default();
            let mut handled = None;
            for (seq, event) in &events {
                // The plugin runtime had no slot: the rest of the chain waits for a later round.
                let Some(more) = output_for(state, &hook, event).await? else {
                    break;
                };
                output.extend(more);
                handled = Some(*seq);
            }
            let Some(last) = handled else {
                continue;
            };
            match state
                .store
                .advance_feed(&consumer, chain, from, last, &output)
                .await
            {
                Ok(()) => {
                    queued += output.emails.len() + output.webhooks.len() + output.digests.len();
                    if !output.emails.is_empty() {
                        state.mail_ready.notify_one();
                    }
                    if !output.webhooks.is_empty() {
                        state.webhooks_ready.notify_one();
                    }
                }
                // Another host handled these events first; what it queued is what is sent.
                Err(StorageError::Conflict(_)) => {}
                Err(error) => return Err(error),
            }
        }
    }
    Ok(queued)
}

/// Sends every digest whose window has ended; returns how many were sent.
pub async fn send_digests(state: &AppState) -> Result<usize, StorageError> {
    let mut sent = 0;
    for digest in state.store.due_digests(state.now()).await? {
        let items = state.store.digest_items(&digest).await?;
        if items.is_empty() {
            continue;
        }
        let partner = state.store.partner(&digest.partner_id).await?;
        let email = digest_email(state, &digest, &partner.name, &items);
        let ids: Vec<DigestItemId> = items.into_iter().map(|item| item.id).collect();
        match state.store.send_digest(&ids, &email).await {
            Ok(()) => {
                sent += 1;
                state.mail_ready.notify_one();
            }
            // Another host sent it.
            Err(StorageError::Conflict(_)) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(sent)
}

/// One email for everything held for a recipient: a single item goes out as it was.
fn digest_email(
    state: &AppState,
    digest: &DigestKey,
    partner: &str,
    items: &[DigestItem],
) -> OutboxMessage {
    let (subject, text) = match items {
        [one] => (one.subject.clone(), one.text.clone()),
        _ => {
            let mut text = format!("{} notifications for {partner}:\n", items.len());
            for (n, item) in items.iter().enumerate() {
                text.push_str(&format!(
                    "\n{}. {} ({})\n\n{}\n",
                    n + 1,
                    item.subject,
                    item.created_at.format("%Y-%m-%d %H:%M UTC"),
                    item.text.trim_end()
                ));
            }
            (format!("{} notifications for {partner}", items.len()), text)
        }
    };
    OutboxMessage::pending(
        state.new_id(OutboxMessageId::from_trusted),
        &state.message_id_domain,
        Some(digest.partner_id.clone()),
        None,
        digest.recipient.clone(),
        subject,
        None,
        Some(text),
        state.now(),
    )
}

/// How long a hook's emails are held for a digest, if its configuration asks for one.
fn digest_window(config: &[(String, String)]) -> Option<chrono::Duration> {
    let (_, minutes) = config.iter().find(|(name, _)| name == "digest_minutes")?;
    let minutes: u32 = minutes.trim().parse().ok()?;
    (minutes > 0).then(|| chrono::Duration::minutes(i64::from(minutes)))
}

/// Runs the hooks and sends due digests every `interval`; stops when `stop` is cancelled,
/// after the round in hand.
pub async fn run_notifications(state: AppState, interval: Duration, stop: CancellationToken) {
    loop {
        if let Err(error) = notify_once(&state).await {
            tracing::error!(%error, "notification hooks failed");
        }
        if let Err(error) = send_digests(&state).await {
            tracing::error!(%error, "sending notification digests failed");
        }
        if crate::stopped(&stop, interval).await {
            return;
        }
    }
}

/// The emails (addressed) and webhook calls `hook` asks for after `event`; `None` when the
/// plugin runtime had no slot to ask it.
async fn output_for(
    state: &AppState,
    hook: &str,
    event: &AuditEvent,
) -> Result<Option<FeedOutput>, StorageError> {
    let mut output = FeedOutput::default();
    if matches!(
        event.action,
        AuditAction::PluginCallFailed | AuditAction::PluginQuarantined
    ) {
        return Ok(Some(output));
    }
    let partner = match (&event.partner_id, &event.site_id) {
        (Some(partner), _) => partner.clone(),
        (None, Some(site)) => state.store.site(site).await?.partner_id,
        (None, None) => return Ok(Some(output)),
    };
    let Some(chosen) = state
        .plugins
        .chosen(World::NotificationHook, &partner, event.site_id.as_ref())
        .into_iter()
        .find(|c| c.name == hook && !c.quarantined)
    else {
        return Ok(Some(output));
    };
    let input = domain_event(state, event).await;
    // Whoever made the change knows of it: their address is left out below.
    let actor = input.actor.as_ref().map(|person| person.email.clone());
    let Some(actions) = hook_event(state, &chosen, &partner, event, input).await else {
        return Ok(None);
    };
    let digest = digest_window(&chosen.config);
    for action in actions {
        match action {
            Action::SendEmail(email) => {
                let mut addresses = BTreeSet::new();
                for to in &email.to {
                    addresses
                        .extend(recipients(state, &partner, event.site_id.as_ref(), to).await?);
                }
                // Whoever made the change knows of it.
                if let Some(actor) = &actor {
                    addresses.remove(actor);
                }
                for address in addresses {
                    match digest {
                        Some(window) => output.digests.push(DigestItem {
                            id: state.new_id(DigestItemId::from_trusted),
                            consumer: hook.to_owned(),
                            partner_id: partner.clone(),
                            recipient: address,
                            subject: email.subject.clone(),
                            text: email.text.clone(),
                            created_at: state.now(),
                            due_at: state.now() + window,
                        }),
                        None => output.emails.push(OutboxMessage::pending(
                            state.new_id(OutboxMessageId::from_trusted),
                            &state.message_id_domain,
                            Some(partner.clone()),
                            None,
                            address,
                            email.subject.clone(),
                            email.html.clone(),
                            Some(email.text.clone()),
                            state.now(),
                        )),
                    }
                }
            }
            Action::CallWebhook(call) => output.webhooks.push(WebhookDelivery::pending(
                state.new_id(WebhookDeliveryId::from_trusted),
                partner.clone(),
                hook,
                call.target,
                event.id.clone(),
                event.action.as_str(),
                call.body,
                state.now(),
            )),
        }
    }
    Ok(Some(output))
}

/// The addresses a recipient stands for at this partner and site.
async fn recipients(
    state: &AppState,
    partner: &PartnerId,
    site: Option<&SiteId>,
    to: &Recipient,
) -> Result<Vec<String>, StorageError> {
    let roles: &[PartnerRole] = match to {
        Recipient::Address(address) => {
            return Ok(Email::parse("to", address)
                .map(|email| vec![email.to_string()])
                .unwrap_or_default());
        }
        Recipient::SiteAdmins => {
            let Some(site) = site else {
                return Ok(Vec::new());
            };
            let mut addresses = Vec::new();
            let mut page = PageRequest::parse(Some(MAX_LIMIT), None).expect("a valid page");
            loop {
                let admins = state.store.site_admins(site, &page).await?;
                addresses.extend(admins.items.into_iter().map(|a| a.email.to_string()));
                match admins.next_cursor {
                    Some(cursor) => {
                        page = PageRequest::following(MAX_LIMIT, &cursor).expect("our cursor")
                    }
                    None => return Ok(addresses),
                }
            }
        }
        Recipient::PartnerSuperAdmins => &[PartnerRole::SuperAdmin],
        Recipient::PartnerAdmins => &[PartnerRole::SuperAdmin, PartnerRole::Admin],
    };
    let mut addresses = Vec::new();
    let mut page = PageRequest::parse(Some(MAX_LIMIT), None).expect("a valid page");
    // Whoever turned alerts off for themselves hears nothing (reference 004, "Notify me").
    let off = state.store.alerts_off(partner).await?;
    loop {
        let members = state
            .store
            .members(partner, &siteward_storage::MemberFilter::default(), &page)
            .await?;
        addresses.extend(
            members
                .items
                .into_iter()
                .filter(|m| {
                    roles.contains(&m.membership.role)
                        && m.membership.status == MemberStatus::Active
                        && !off.contains(&m.membership.account_id)
                })
                .map(|m| m.email.to_string()),
        );
        match members.next_cursor {
            Some(cursor) => page = PageRequest::following(MAX_LIMIT, &cursor).expect("our cursor"),
            None => return Ok(addresses),
        }
    }
}
