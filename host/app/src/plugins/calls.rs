//! The host calling plugins where the product needs them: invitation emails through a
//! renderer (the built-in renderer stands in whenever a plugin cannot), and proposed
//! invitations through policies. Calls run on the blocking pool, never on the async threads,
//! a batch of them in one hop.

use std::collections::HashMap;

use siteward_core::audit::{Actor, AuditScope, TargetKind};
use siteward_core::ids::{
    AccessRequestId, AccountId, AuditEventId, InvitationId, PartnerId, SiteId,
};
use siteward_core::mail::{
    BuiltinRenderer, InvitationContext, InvitationRenderer, RenderedEmail, SITE_ADMIN,
};
use siteward_plugins::worlds::{exporter, hook, policy, renderer};
use siteward_plugins::{Failure, Outcome, World};

use super::{Chosen, FailedCall};
use crate::App;

/// One invitation email to render, for a partner and maybe a site.
#[derive(Debug, Clone)]
pub struct RenderJob {
    /// The partner that invites.
    pub partner: PartnerId,
    /// The site, for a site invitation.
    pub site: Option<SiteId>,
    /// What the email may show.
    pub context: InvitationContext,
}

fn wit_context(c: &InvitationContext) -> renderer::InvitationContext {
    renderer::InvitationContext {
        kind: match (&c.site_name, c.role.as_deref()) {
            (Some(_), Some(SITE_ADMIN)) => renderer::InvitationKind::SiteAdmin,
            (Some(_), _) => renderer::InvitationKind::Site,
            (None, _) => renderer::InvitationKind::Partner,
        },
        invitee_email: c.invitee_email.clone(),
        inviter_name: c.inviter_name.clone(),
        branding: renderer::Branding {
            display_name: c.partner_name.clone(),
            logo_url: c.branding.logo_url.clone(),
            accent_colour: c.branding.accent_colour.clone(),
            support_contact: c.branding.support_contact.clone(),
        },
        site_name: c.site_name.clone(),
        level: c.level.clone(),
        role: c.role.clone(),
        accept_link: c.accept_link.clone(),
        expires_at: c
            .expires_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        locale: c.locale.clone(),
    }
}

/// A finished call, to be measured and, if it failed, recorded.
#[derive(Debug)]
struct Call {
    plugin: String,
    site: Option<SiteId>,
    outcome: Outcome<()>,
}

impl Call {
    fn new<T>(chosen: &Chosen, site: Option<&SiteId>, outcome: &Outcome<T>) -> Self {
        Self {
            plugin: chosen.name.clone(),
            site: site.cloned(),
            outcome: Outcome {
                result: outcome.result.as_ref().map(drop).map_err(Clone::clone),
                fuel_used: outcome.fuel_used,
                elapsed: outcome.elapsed,
            },
        }
    }
}

/// Measures calls and keeps each plugin's count of consecutive failures, in call order: a
/// failure is recorded (audit, count, quarantine at the limit) and a success clears the count
/// — the same whether the calls came one per request or many in one bulk, so a plugin failing
/// one call in three is never quarantined.
async fn settle(
    state: &App,
    partner: &PartnerId,
    world: World,
    fallback: &str,
    request_id: Option<&str>,
    calls: Vec<Call>,
) {
    let host = &state.plugins;
    for call in &calls {
        host.measure(&call.plugin, &call.outcome);
        match &call.outcome.result {
            // Costs nothing unless the plugin has failures to forget.
            Ok(()) => host.succeeded(&state.store, &call.plugin, partner).await,
            // The host found no slot for it: not the plugin's doing, so not held against it.
            Err(failure) if !failure.is_the_plugins() => {
                tracing::warn!(plugin = %call.plugin, %partner, %failure, "a plugin call was not made: the runtime is busy");
            }
            Err(failure) => {
                tracing::warn!(plugin = %call.plugin, %partner, kind = failure.code(), %failure, "a plugin call failed");
                let failed = FailedCall {
                    plugin: &call.plugin,
                    world,
                    partner,
                    site: call.site.as_ref(),
                    failure,
                    fallback,
                    request_id,
                };
                host.failed(&state.store, failed, state.now(), &|| {
                    state.new_id(AuditEventId::from_trusted)
                })
                .await;
            }
        }
    }
}

/// Renders invitation emails, in order: each with the renderer plugin enabled where it is
/// sent (the first by name, if several), or the built-in renderer when none is, when it is
/// quarantined, or when it fails or finds no free slot. A plugin that fails (or finds no
/// slot) as many times in a row as the quarantine limit is not called again in that batch.
/// Every email is rendered: none is lost to a plugin.
pub async fn render_invitations(
    state: &App,
    request_id: Option<&str>,
    jobs: Vec<RenderJob>,
) -> Vec<RenderedEmail> {
    let mut renderers: HashMap<(PartnerId, Option<SiteId>), Option<Chosen>> = HashMap::new();
    let plan: Vec<(RenderJob, Option<Chosen>)> = jobs
        .into_iter()
        .map(|job| {
            let chosen = renderers
                .entry((job.partner.clone(), job.site.clone()))
                .or_insert_with(|| {
                    state
                        .plugins
                        .chosen(World::InvitationRenderer, &job.partner, job.site.as_ref())
                        .into_iter()
                        .find(|c| !c.quarantined)
                })
                .clone();
            (job, chosen)
        })
        .collect();
    if plan.iter().all(|(_, chosen)| chosen.is_none()) {
        return plan.iter().map(|(job, _)| builtin(&job.context)).collect();
    }
    let limit = state.plugins.quarantine_after();
    let (emails, calls) = on_blocking_pool(move || {
        let mut failures: HashMap<String, u32> = HashMap::new();
        let mut calls: Vec<(PartnerId, Call)> = Vec::new();
        let emails = plan
            .iter()
            .map(|(job, chosen)| {
                let Some(chosen) = chosen
                    .as_ref()
                    .filter(|c| failures.get(&c.name).copied().unwrap_or(0) < limit)
                else {
                    return builtin(&job.context);
                };
                let outcome = chosen.plugin.render(
                    &tenant(&job.partner),
                    &chosen.config,
                    &wit_context(&job.context),
                );
                calls.push((
                    job.partner.clone(),
                    Call::new(chosen, job.site.as_ref(), &outcome),
                ));
                match outcome.result {
                    Ok(email) => {
                        failures.remove(&chosen.name);
                        RenderedEmail {
                            subject: email.subject,
                            html: email.html,
                            text: email.text,
                        }
                    }
                    Err(_) => {
                        *failures.entry(chosen.name.clone()).or_default() += 1;
                        builtin(&job.context)
                    }
                }
            })
            .collect::<Vec<_>>();
        (emails, calls)
    })
    .await
    .expect("rendering does not panic: plugin traps are failures, not panics");
    let mut by_partner: HashMap<PartnerId, Vec<Call>> = HashMap::new();
    for (partner, call) in calls {
        by_partner.entry(partner).or_default().push(call);
    }
    for (partner, calls) in by_partner {
        settle(
            state,
            &partner,
            World::InvitationRenderer,
            "builtin_renderer",
            request_id,
            calls,
        )
        .await;
    }
    emails
}

fn builtin(context: &InvitationContext) -> RenderedEmail {
    BuiltinRenderer
        .render(context)
        .expect("the built-in renderer does not fail")
}

/// What the invitation policies say about one proposed invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every policy allows it (or none is enabled).
    Allow,
    /// A policy refuses it.
    Deny {
        /// Which.
        plugin: String,
        /// Why, for the inviter.
        reason: String,
    },
    /// A policy wants a Super Admin to send it.
    ApprovalRequired {
        /// Which.
        plugin: String,
        /// Why, for the inviter.
        reason: String,
    },
}

/// A policy could not be asked (it failed, or is quarantined), so nothing is sent: a guard
/// that cannot answer does not let through what it was installed to stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyUnavailable {
    /// The policy.
    pub plugin: String,
    /// What happened.
    pub reason: String,
}

/// One proposed invitation for the policies.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// The site, for a site invitation.
    pub site: Option<SiteId>,
    /// The input the policies get.
    pub invitation: policy::ProposedInvitation,
}

/// Asks every invitation policy enabled for `partner` (and each proposal's site) about each
/// proposal: the first denial decides, else the first request for approval, else allow.
pub async fn evaluate_invitations(
    state: &App,
    request_id: Option<&str>,
    partner: &PartnerId,
    proposals: Vec<Proposal>,
) -> Result<Vec<Verdict>, PolicyUnavailable> {
    let mut policies: HashMap<Option<SiteId>, Vec<Chosen>> = HashMap::new();
    for proposal in &proposals {
        policies.entry(proposal.site.clone()).or_insert_with(|| {
            state
                .plugins
                .chosen(World::InvitationPolicy, partner, proposal.site.as_ref())
        });
    }
    if policies.values().all(Vec::is_empty) {
        return Ok(vec![Verdict::Allow; proposals.len()]);
    }
    if let Some(quarantined) = policies.values().flatten().find(|c| c.quarantined) {
        return Err(PolicyUnavailable {
            plugin: quarantined.name.clone(),
            reason: "it is quarantined after repeated failures; the operator re-enables it"
                .to_owned(),
        });
    }
    let tenant = tenant(partner);
    let (verdicts, calls) = on_blocking_pool(move || {
        let mut calls = Vec::new();
        let mut verdicts = Vec::with_capacity(proposals.len());
        for proposal in &proposals {
            let mut verdict = Verdict::Allow;
            for chosen in &policies[&proposal.site] {
                let outcome = chosen
                    .plugin
                    .evaluate(&tenant, &chosen.config, &proposal.invitation);
                calls.push(Call::new(chosen, proposal.site.as_ref(), &outcome));
                match outcome.result {
                    Err(failure) => {
                        return (Err(unavailable(chosen, &failure)), calls);
                    }
                    Ok(policy::Decision::Deny(reason)) => {
                        verdict = Verdict::Deny {
                            plugin: chosen.name.clone(),
                            reason,
                        };
                        break;
                    }
                    Ok(policy::Decision::RequireApproval(reason)) => {
                        if verdict == Verdict::Allow {
                            verdict = Verdict::ApprovalRequired {
                                plugin: chosen.name.clone(),
                                reason,
                            };
                        }
                    }
                    Ok(policy::Decision::Allow) => {}
                }
            }
            verdicts.push(verdict);
        }
        (Ok(verdicts), calls)
    })
    .await
    .expect("evaluating does not panic: plugin traps are failures, not panics");
    settle(
        state,
        partner,
        World::InvitationPolicy,
        "refused",
        request_id,
        calls,
    )
    .await;
    verdicts
}

fn unavailable(chosen: &Chosen, failure: &Failure) -> PolicyUnavailable {
    let reason = if failure.is_the_plugins() {
        format!("it failed ({}): {failure}", failure.code())
    } else {
        format!("{failure}; try again shortly")
    };
    PolicyUnavailable {
        plugin: chosen.name.clone(),
        reason,
    }
}

/// Whose share of the plugin runtime a call uses: the tenant's audit chain name
/// (`partner/<id>`, `site/<id>`, `platform`), so one tenant's calls cannot take every slot.
pub fn tenant(partner: &PartnerId) -> String {
    AuditScope::Partner(partner.clone()).chain_name()
}

fn wit_event(e: &siteward_core::audit::AuditEvent) -> exporter::AuditEvent {
    let (actor_kind, actor_id) = e.actor.kind_and_id();
    exporter::AuditEvent {
        id: e.id.to_string(),
        at: e.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        actor_kind: actor_kind.to_owned(),
        actor_id: actor_id.map(str::to_owned),
        partner_id: e.partner_id.as_ref().map(ToString::to_string),
        site_id: e.site_id.as_ref().map(ToString::to_string),
        action: e.action.as_str().to_owned(),
        target_kind: e.target.kind.to_string(),
        target_id: e.target.id.clone(),
        changes: e
            .changes
            .iter()
            .map(|c| exporter::FieldChange {
                field: c.field.clone(),
                before: c.before.clone(),
                after: c.after.clone(),
            })
            .collect(),
        request_id: e.request_id.clone(),
    }
}

/// Formats one batch of audit events with an exporter, on the blocking pool. An exporter whose
/// manifest has a `header` setting gets `header=false` for every batch after an export's
/// first, so a format with a header row (CSV) writes it once. The call uses `scope`'s share of
/// the runtime. For a partner's or a site's export (`tenant`), a failure is recorded like every
/// plugin failure — audited in the partner's log, counted, quarantining at the limit — and a
/// success clears the count; the operator's streams only measure.
pub async fn export_batch(
    state: &App,
    (scope, tenant): (&AuditScope, Option<(&PartnerId, Option<&SiteId>)>),
    chosen: &Chosen,
    events: &[siteward_core::audit::AuditEvent],
    first: bool,
    request_id: Option<&str>,
) -> Result<exporter::Exported, Failure> {
    let events: Vec<exporter::AuditEvent> = events.iter().map(wit_event).collect();
    let mut config = chosen.config.clone();
    if !first {
        for (key, value) in &mut config {
            if key == "header" {
                "false".clone_into(value);
            }
        }
    }
    let plugin = chosen.plugin.clone();
    let tenant_of_export = tenant;
    let tenant = scope.chain_name();
    let outcome = on_blocking_pool(move || plugin.export_batch(&tenant, &config, &events))
        .await
        .expect("exporting does not panic: plugin traps are failures, not panics");
    match tenant_of_export {
        Some((partner, site)) => {
            let call = Call::new(chosen, site, &outcome);
            settle(
                state,
                partner,
                World::AuditExporter,
                "export_refused",
                request_id,
                vec![call],
            )
            .await;
        }
        None => state.plugins.measure(&chosen.name, &outcome),
    }
    outcome.result
}

/// An account as a hook names a person, if it (still) exists.
async fn person(state: &App, id: &AccountId) -> Option<hook::Person> {
    let account = state.store.account(id).await.ok()?;
    Some(hook::Person {
        id: Some(account.id.to_string()),
        name: Some(account.name),
        email: account.email.to_string(),
    })
}

/// The person an event is about: the technician of an assignment, the member of a
/// membership, the account itself; for an invitation, who accepted it, or the invitee's
/// address (and account, if they have one). What was deleted since is left unnamed.
async fn subject(state: &App, e: &siteward_core::audit::AuditEvent) -> Option<hook::Person> {
    let id = &e.target.id;
    match e.target.kind {
        TargetKind::SiteAssignment
        | TargetKind::Membership
        | TargetKind::Account
        | TargetKind::SiteAdmin => person(state, &AccountId::parse("target", id).ok()?).await,
        TargetKind::AccessRequest => {
            let request = state
                .store
                .access_request(&AccessRequestId::parse("target", id).ok()?)
                .await
                .ok()?;
            person(state, &request.technician).await
        }
        TargetKind::Invitation => {
            let inv = state
                .store
                .invitation(&InvitationId::parse("target", id).ok()?)
                .await
                .ok()?;
            if let Some((account, _)) = &inv.accepted {
                return person(state, account).await;
            }
            match state.store.account_id_by_email(&inv.email).await.ok()? {
                Some(account) => person(state, &account).await,
                None => Some(hook::Person {
                    id: None,
                    name: None,
                    email: inv.email.to_string(),
                }),
            }
        }
        _ => None,
    }
}

/// An audit event as a hook reads it, with the names an email shows (read now: a renamed
/// site shows its new name). The caller reads it once per event and passes it to
/// [`hook_event`]; its `actor` is also who a notification leaves out.
pub async fn domain_event(state: &App, e: &siteward_core::audit::AuditEvent) -> hook::DomainEvent {
    let partner_name = match &e.partner_id {
        Some(id) => state.store.partner(id).await.ok().map(|p| p.name),
        None => None,
    };
    let site_name = match &e.site_id {
        Some(id) => state.store.site(id).await.ok().map(|s| s.name),
        None => None,
    };
    let actor = match &e.actor {
        Actor::Account(id) => person(state, id).await,
        _ => None,
    };
    hook::DomainEvent {
        id: e.id.to_string(),
        kind: e.action.as_str().to_owned(),
        at: e.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        partner_id: e.partner_id.as_ref().map(ToString::to_string),
        partner_name,
        site_id: e.site_id.as_ref().map(ToString::to_string),
        site_name,
        actor_id: e.actor.kind_and_id().1.map(str::to_owned),
        actor,
        target_kind: e.target.kind.to_string(),
        target_id: e.target.id.clone(),
        person: subject(state, e).await,
        console_url: state.public_url.clone(),
        changes: e
            .changes
            .iter()
            .map(|c| hook::FieldChange {
                field: c.field.clone(),
                before: c.before.clone(),
                after: c.after.clone(),
            })
            .collect(),
    }
}

/// What a notification hook answered about an event.
#[derive(Debug)]
pub enum HookReply {
    /// The runtime had no slot for the call: the event is to be offered again later rather
    /// than skipped (and this is not held against the plugin).
    Busy,
    /// The call failed, and the failure is recorded like every plugin failure (audited,
    /// counted, quarantining at the limit): nothing follows the event.
    Failed,
    /// What the hook asks for, which the host vets before it is settled.
    Answered(HookAnswer),
}

/// A hook's actions, measured but not yet settled: the host vets what they ask for first
/// (recipients, volume), and a refusal is the call's failure — so a hook whose every answer
/// is refused is quarantined like one that traps.
#[derive(Debug)]
#[must_use = "an answer is settled once its actions are vetted"]
pub struct HookAnswer {
    call: Call,
    partner: PartnerId,
    /// What the hook asks for.
    pub actions: Vec<hook::Action>,
}

impl HookAnswer {
    /// Records the call: a success, or `refused` as its failure.
    pub async fn settle(mut self, state: &App, refused: Option<Failure>) {
        if let Some(failure) = refused {
            self.call.outcome.result = Err(failure);
        }
        settle_hook(state, &self.partner, self.call).await;
    }
}

async fn settle_hook(state: &App, partner: &PartnerId, call: Call) {
    settle(
        state,
        partner,
        World::NotificationHook,
        "no_notification",
        None,
        vec![call],
    )
    .await;
}

/// Asks a notification hook what should follow an event, on the blocking pool.
pub async fn hook_event(
    state: &App,
    chosen: &Chosen,
    partner: &PartnerId,
    event: &siteward_core::audit::AuditEvent,
    input: hook::DomainEvent,
) -> HookReply {
    let plugin = chosen.plugin.clone();
    let config = chosen.config.clone();
    let tenant = tenant(partner);
    let outcome = on_blocking_pool(move || plugin.on_event(&tenant, &config, &input))
        .await
        .expect("hooks do not panic: plugin traps are failures, not panics");
    let call = Call::new(chosen, event.site_id.as_ref(), &outcome);
    match outcome.result {
        Ok(actions) => HookReply::Answered(HookAnswer {
            call,
            partner: partner.clone(),
            actions,
        }),
        Err(failure) => {
            settle_hook(state, partner, call).await;
            if failure.is_the_plugins() {
                HookReply::Failed
            } else {
                HookReply::Busy
            }
        }
    }
}

/// Runs `work` on the blocking pool inside the caller's span, so each plugin call's span (and
/// a trace's) is a child of the request or worker round that made it.
async fn on_blocking_pool<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(work)).await
}
