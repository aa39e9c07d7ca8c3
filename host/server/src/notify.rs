//! Notification hooks: each installed `notification-hook` plugin hears of every audit event
//! of the partners it is switched on for, in each tenant chain's order, and the emails and
//! webhook calls it asks for are queued in the same transaction that records how far it has
//! read — so every event is handled once, none is skipped, and a crash or a second host queues
//! nothing twice.
//!
//! Partners are worked on at once (as many as `HookSettings::concurrency`), each partner's
//! chains — its own and its sites' — in order by one task: a hook spinning to its deadline at
//! one partner holds up that partner's notifications only, and its calls hold no more than the
//! partner's share of the plugin pool.
//!
//! What a hook asks for is vetted before anything is queued (see
//! [`siteward_app::plugins::hooks`]): it writes to the partner's people and the addresses the
//! operator allowed, within a limit per event and per hour; a refusal is audited and counted
//! as the hook's failure. Each role is resolved to addresses once per event.
//!
//! A hook whose configuration has `digest_minutes` above 0 has its emails held per recipient
//! instead: when the oldest held for a recipient is that many minutes old, everything held for
//! them goes out as one email (the digest written and the items deleted in one transaction).
//!
//! A round reads every chain's head and every hook's cursors, so the worker runs one only when
//! something can have changed ([`Notifier`]): an audit event written since the last round that
//! left every hook caught up, or the installed hooks changed. On a shared database other hosts
//! write too, and a live query on the chains' heads tells this one when they did.
//!
//! A hook starts reading at the moment it is first seen (it does not replay history); chains
//! that appear later are read from their beginning. Events about plugins themselves
//! (`plugin.call_failed`, `plugin.quarantined`) are not passed to hooks, so a failing hook
//! cannot feed on its own failures.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use futures_util::StreamExt;
use siteward_core::Timestamp;
use siteward_core::audit::{AuditAction, AuditEvent};
use siteward_core::ids::{DigestItemId, OutboxMessageId, PartnerId, SiteId, WebhookDeliveryId};
use siteward_core::page::{MAX_LIMIT, PageRequest};
use siteward_core::tenancy::{MemberStatus, PartnerRole};
use siteward_core::validate::Email;
use siteward_plugins::worlds::hook::{Action, Recipient};
use siteward_plugins::{Failure, World};
use siteward_storage::{
    DigestItem, DigestKey, FeedOutput, OutboxMessage, StorageError, VolumeKey, WebhookDelivery,
};

use tokio_util::sync::CancellationToken;

use crate::audit::{ChainPartners, TrailWrites, Written};
use crate::plugins::calls::{HookReply, domain_event, hook_event};
use crate::state::AppState;

/// Events read per chain and round.
const BATCH: u32 = 200;

/// Gives every hook the events it has not seen; returns how many emails, webhook calls and
/// digest items were queued.
pub async fn notify_once(state: &AppState) -> Result<usize, StorageError> {
    let hooks = state.plugins.hook_names();
    Ok(round(state, &hooks, &mut ChainPartners::default())
        .await?
        .queued)
}

/// What a round of the hooks did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Round {
    /// Emails, webhook calls and digest items queued.
    queued: usize,
    /// Whether every hook heard every event the round found: nothing was left for later (a
    /// chain longer than a batch, a plugin with no free slot, a feed just started, another
    /// host first).
    caught_up: bool,
}

/// Runs the hooks' rounds in proportion to what changed: a round reads every chain's head and
/// every hook's cursors, so after a round that left every hook caught up, the next runs only
/// once an audit event was written since ([`TrailWrites`]), or the installed hooks changed.
#[derive(Debug, Default)]
pub struct Notifier {
    /// What had been written, and the hooks installed, when the last round that caught up
    /// started.
    caught_up_at: Option<(Written, Vec<String>)>,
    writes: TrailWrites,
    partners: ChainPartners,
}

impl Notifier {
    /// A round, unless nothing can have changed since the last one caught up; how many
    /// deliveries it queued, `None` when it was not needed.
    pub async fn tick(&mut self, state: &AppState) -> Result<Option<usize>, StorageError> {
        let hooks = state.plugins.hook_names();
        let now = self
            .writes
            .now(state)
            .await
            .map(|written| (written, hooks.clone()));
        if now.is_some() && self.caught_up_at == now {
            return Ok(None);
        }
        self.caught_up_at = None;
        let round = round(state, &hooks, &mut self.partners).await?;
        if round.caught_up {
            self.caught_up_at = now;
        }
        Ok(Some(round.queued))
    }
}

/// Gives `hooks` the events they have not seen.
async fn round(
    state: &AppState,
    hooks: &[String],
    partners: &mut ChainPartners,
) -> Result<Round, StorageError> {
    if hooks.is_empty() {
        return Ok(Round {
            queued: 0,
            caught_up: true,
        });
    }
    let heads = state.store.chain_heads().await?;
    let mut work = Vec::new();
    let mut caught_up = true;
    for hook in hooks {
        let consumer = format!("hook/{hook}");
        let cursors = state.store.feed_cursors(&consumer).await?;
        if !cursors.started {
            match state.store.start_feed(&consumer, &heads).await {
                Ok(()) | Err(StorageError::Conflict(_)) => {}
                Err(error) => return Err(error),
            }
            caught_up = false;
            continue;
        }
        let mut behind: BTreeMap<Option<PartnerId>, Vec<Behind>> = BTreeMap::new();
        for (chain, head) in &heads {
            let from = cursors.chains.get(chain).copied();
            if from.unwrap_or(0) >= head.seq {
                continue;
            }
            let partner = partners.of(state, chain).await?;
            behind.entry(partner).or_default().push(Behind {
                chain: chain.clone(),
                from,
            });
        }
        work.extend(behind.into_iter().map(|(partner, chains)| Work {
            hook: hook.clone(),
            consumer: consumer.clone(),
            partner,
            chains,
        }));
    }
    let done: Vec<Result<Round, StorageError>> = futures_util::stream::iter(work)
        .map(|work| work.run(state))
        .buffer_unordered(state.hooks.concurrency.max(1))
        .collect()
        .await;
    let mut queued = 0;
    for work in done {
        let work = work?;
        queued += work.queued;
        caught_up &= work.caught_up;
    }
    Ok(Round { queued, caught_up })
}

/// A chain with events a hook has not handled, from where its cursor is.
struct Behind {
    chain: String,
    from: Option<u64>,
}

/// A hook's unhandled events at one partner (`None`: the platform's chain, which no hook
/// hears of), handled by one task, chain after chain, each in order.
struct Work {
    hook: String,
    consumer: String,
    partner: Option<PartnerId>,
    chains: Vec<Behind>,
}

impl Work {
    async fn run(self, state: &AppState) -> Result<Round, StorageError> {
        let hour = hour_of(state.now());
        // The hour's deliveries so far, read once: what this round queues is added as it goes.
        let mut volume = match &self.partner {
            Some(partner) => {
                state
                    .store
                    .feed_volume(&self.consumer, partner, hour)
                    .await?
            }
            None => 0,
        };
        let mut queued = 0;
        let mut caught_up = true;
        for Behind { chain, from } in &self.chains {
            let events = state
                .store
                .chain_events(chain, from.unwrap_or(0), BATCH)
                .await?;
            // A full batch may not be the chain's end.
            caught_up &= events.len() < BATCH as usize;
            let mut output = FeedOutput {
                volume: self
                    .partner
                    .clone()
                    .map(|partner| VolumeKey { partner, hour }),
                ..FeedOutput::default()
            };
            let mut handled = None;
            for (seq, event) in &events {
                if let Some(partner) = &self.partner {
                    // The plugin runtime had no slot: the rest of the chain waits for a later round.
                    let Some(more) = output_for(state, &self.hook, partner, event, volume).await?
                    else {
                        caught_up = false;
                        break;
                    };
                    volume += more.deliveries() as u64;
                    output.extend(more);
                }
                handled = Some(*seq);
            }
            let Some(last) = handled else {
                continue;
            };
            match state
                .store
                .advance_feed(&self.consumer, chain, *from, last, &output)
                .await
            {
                Ok(()) => {
                    queued += output.deliveries();
                    if !output.emails.is_empty() {
                        state.mail_ready.notify_one();
                    }
                    if !output.webhooks.is_empty() {
                        state.webhooks_ready.notify_one();
                    }
                }
                // Another host handled these events first; what it queued is what is sent, and
                // the volume read here is behind: the next round reads it again.
                Err(StorageError::Conflict(_)) => {
                    return Ok(Round {
                        queued,
                        caught_up: false,
                    });
                }
                Err(error) => return Err(error),
            }
        }
        Ok(Round { queued, caught_up })
    }
}

/// The start of the clock hour (UTC) `at` falls in.
fn hour_of(at: Timestamp) -> Timestamp {
    let seconds = at.timestamp();
    chrono::DateTime::from_timestamp(seconds - seconds.rem_euclid(3600), 0).unwrap_or(at)
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
    let mut notifier = Notifier::default();
    loop {
        if let Err(error) = notifier.tick(&state).await {
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

/// The emails (addressed), digest items and webhook calls `hook` asks for after `event` at
/// `partner`, vetted: `volume` is what the hook caused there this hour before it. `None` when
/// the plugin runtime had no slot to ask it.
async fn output_for(
    state: &AppState,
    hook: &str,
    partner: &PartnerId,
    event: &AuditEvent,
    volume: u64,
) -> Result<Option<FeedOutput>, StorageError> {
    let mut output = FeedOutput::default();
    if matches!(
        event.action,
        AuditAction::PluginCallFailed | AuditAction::PluginQuarantined
    ) {
        return Ok(Some(output));
    }
    let Some(chosen) = state
        .plugins
        .chosen(World::NotificationHook, partner, event.site_id.as_ref())
        .into_iter()
        .find(|c| c.name == hook && !c.quarantined)
    else {
        return Ok(Some(output));
    };
    let input = domain_event(state, event).await;
    // Whoever made the change knows of it: their address is left out below.
    let actor = input.actor.as_ref().map(|person| person.email.clone());
    let answer = match hook_event(state, &chosen, partner, event, input).await {
        HookReply::Busy => return Ok(None),
        HookReply::Failed => return Ok(Some(output)),
        HookReply::Answered(answer) => answer,
    };
    let limits = &state.hooks;
    let per_event = u64::from(limits.per_event);
    let mut people = People::new(state, partner, event.site_id.as_ref());
    // Who each email goes to, counted as it is resolved: resolving stops past the limit.
    let mut addressed = Vec::with_capacity(answer.actions.len());
    let mut deliveries: u64 = 0;
    for action in &answer.actions {
        let addresses = match action {
            Action::SendEmail(email) => {
                let mut addresses = BTreeSet::new();
                for to in &email.to {
                    addresses.extend(people.resolve(to).await?);
                    // Past the limit the event is refused whole: look up no more.
                    if deliveries + addresses.len() as u64 > per_event + 1
                        || people.outside.len() as u64 > per_event
                    {
                        break;
                    }
                }
                if let Some(actor) = &actor {
                    addresses.remove(actor);
                }
                addresses
            }
            Action::CallWebhook(_) => BTreeSet::new(),
        };
        deliveries += match action {
            Action::SendEmail(_) => addresses.len() as u64,
            Action::CallWebhook(_) => 1,
        };
        addressed.push(addresses);
        if deliveries > per_event || people.outside.len() as u64 > per_event {
            break;
        }
    }
    let refused = if deliveries > per_event || people.outside.len() as u64 > per_event {
        Some(format!(
            "it asked for more than {per_event} deliveries for one event (`[plugins] \
             hook_max_per_event`); none were queued"
        ))
    } else if volume + deliveries > u64::from(limits.per_hour) {
        Some(format!(
            "{deliveries} more deliveries would pass its limit of {} an hour at this partner \
             ({volume} so far; `[plugins] hook_max_per_hour`); none were queued",
            limits.per_hour
        ))
    } else {
        None
    };
    if let Some(why) = refused {
        answer.settle(state, Some(Failure::Refused(why))).await;
        return Ok(Some(output));
    }
    let digest = digest_window(&chosen.config);
    for (action, addresses) in answer.actions.iter().zip(addressed) {
        match action {
            Action::SendEmail(email) => {
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
                call.target.clone(),
                event.id.clone(),
                event.action.as_str(),
                call.body.clone(),
                state.now(),
            )),
        }
    }
    // Writing to someone outside the partner is refused for them alone, and is a failure.
    let refused = (!people.outside.is_empty()).then(|| {
        let shown: Vec<&str> = people.outside.iter().take(3).map(String::as_str).collect();
        Failure::Refused(format!(
            "{} address(es) are neither the partner's people nor allowed by the operator \
             (`[plugins] hook_allowed_recipients`), and were left out: {}{}",
            people.outside.len(),
            shown.join(", "),
            if people.outside.len() > shown.len() {
                ", …"
            } else {
                ""
            }
        ))
    });
    answer.settle(state, refused).await;
    Ok(Some(output))
}

/// The people a hook's recipients stand for at one partner and site, each role and address
/// looked up once per event; addresses it may not write to are gathered in `outside`.
struct People<'a> {
    state: &'a AppState,
    partner: &'a PartnerId,
    site: Option<&'a SiteId>,
    roles: HashMap<Role, Vec<String>>,
    addresses: HashMap<String, Option<String>>,
    outside: BTreeSet<String>,
}

impl<'a> People<'a> {
    fn new(state: &'a AppState, partner: &'a PartnerId, site: Option<&'a SiteId>) -> Self {
        Self {
            state,
            partner,
            site,
            roles: HashMap::new(),
            addresses: HashMap::new(),
            outside: BTreeSet::new(),
        }
    }

    async fn resolve(&mut self, to: &Recipient) -> Result<Vec<String>, StorageError> {
        let role = match to {
            Recipient::Address(address) => {
                if let Some(known) = self.addresses.get(address) {
                    return Ok(known.iter().cloned().collect());
                }
                let allowed = match Email::parse("to", address) {
                    Ok(email)
                        if self.state.hooks.allowed.allows(&email)
                            || self
                                .state
                                .store
                                .is_partner_person(self.partner, &email)
                                .await? =>
                    {
                        Some(email.to_string())
                    }
                    _ => {
                        self.outside.insert(address.chars().take(254).collect());
                        None
                    }
                };
                self.addresses.insert(address.clone(), allowed.clone());
                return Ok(allowed.into_iter().collect());
            }
            Recipient::SiteAdmins => Role::SiteAdmins,
            Recipient::PartnerSuperAdmins => Role::PartnerSuperAdmins,
            Recipient::PartnerAdmins => Role::PartnerAdmins,
        };
        if let Some(known) = self.roles.get(&role) {
            return Ok(known.clone());
        }
        let addresses = role_addresses(self.state, self.partner, self.site, role).await?;
        self.roles.insert(role, addresses.clone());
        Ok(addresses)
    }
}

/// The people a hook may name by their role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[expect(
    clippy::enum_variant_names,
    reason = "named as the WIT recipients they stand for"
)]
enum Role {
    SiteAdmins,
    PartnerSuperAdmins,
    PartnerAdmins,
}

/// The addresses a role stands for at this partner and site.
async fn role_addresses(
    state: &AppState,
    partner: &PartnerId,
    site: Option<&SiteId>,
    role: Role,
) -> Result<Vec<String>, StorageError> {
    let roles: &[PartnerRole] = match role {
        Role::SiteAdmins => {
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
        Role::PartnerSuperAdmins => &[PartnerRole::SuperAdmin],
        Role::PartnerAdmins => &[PartnerRole::SuperAdmin, PartnerRole::Admin],
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
