//! Invitations: to a partner (one address or up to 1,000 at once) and to a site (picked
//! members, one level each or one for all, all or nothing); listing, revoking, resending and
//! accepting them; the site's technicians; the partner's outgoing email.

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use siteward_core::FieldError;
use siteward_core::access::{Action, Principal, authorize};
use siteward_core::account::Account;
use siteward_core::audit::{AuditAction, AuditEvent, FieldChange};
use siteward_core::ids::{AccountId, InvitationId, OutboxMessageId, PartnerId, SiteId};
use siteward_core::invitation::{
    self, BulkOutcome, Invitation, InvitationStatus, InvitationTarget, MAX_BULK, PermissionLevel,
};
use siteward_core::mail::InvitationContext;
use siteward_core::secret::{self, TokenKind};
use siteward_core::tenancy::{MemberStatus, Partner, PartnerRole, Site};
use siteward_core::validate::Email;
use siteward_storage::{
    Conflict, Delivery, InvitationScope, NewInvitation, OutboxMessage, OutboxStatus, StorageError,
};

use super::idempotency::Idempotency;
use super::partners::partner_id;
use super::sites::{SiteAccess, visible_site};
use super::views::Page;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::plugins::calls::{
    Proposal, RenderJob, Verdict, evaluate_invitations, render_invitations,
};
use crate::state::{AppState, random};
use siteward_plugins::worlds::policy::ProposedInvitation;

/// An invitation as lists show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    /// Its id.
    pub id: String,
    /// `partner` or `site`.
    pub kind: &'static str,
    /// The partner that invites.
    pub partner_id: String,
    /// Who is invited.
    pub email: String,
    /// The role offered, for a partner invitation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
    /// The site, for a site invitation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_id: Option<String>,
    /// The permission level offered, for a site invitation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<&'static str>,
    /// `pending`, `accepted`, `expired` or `revoked`, as of now.
    pub status: &'static str,
    /// The account that invited.
    pub invited_by: String,
    /// When it was first sent.
    pub created_at: DateTime<Utc>,
    /// When it was last sent.
    pub sent_at: DateTime<Utc>,
    /// When the current link stops working.
    pub expires_at: DateTime<Utc>,
    /// How often it was resent.
    pub resend_count: u32,
    /// Who accepted it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_by: Option<String>,
    /// When it was accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<DateTime<Utc>>,
    /// Where its latest email stands (in reads of invitations; absent before any was queued).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliveryView>,
}

/// Where an invitation's latest email stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// `pending` (queued or waiting to be retried), `sent` (the mail server accepted it) or
    /// `failed` (given up: the server refused it for good, or every retry failed).
    pub status: &'static str,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// The last failure, with the mail server's reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

impl From<Delivery> for DeliveryView {
    fn from(delivery: Delivery) -> Self {
        Self {
            status: delivery.status.as_str(),
            attempts: delivery.attempts,
            last_error: delivery.last_error,
        }
    }
}

/// Fills in where each invitation's latest email stands, in one read.
async fn with_deliveries(state: &AppState, views: &mut [InvitationView]) -> ApiResult<()> {
    let ids: Vec<InvitationId> = views
        .iter()
        .map(|v| InvitationId::from_trusted(v.id.clone()))
        .collect();
    for delivery in state.store.invitation_deliveries(&ids).await? {
        if let Some(view) = views
            .iter_mut()
            .find(|v| v.id == delivery.invitation_id.as_str())
        {
            view.delivery = Some(delivery.into());
        }
    }
    Ok(())
}

impl InvitationView {
    fn new(inv: &Invitation, now: DateTime<Utc>) -> Self {
        let (kind, role, site_id, level) = match &inv.target {
            InvitationTarget::Partner { role } => ("partner", Some(role.as_str()), None, None),
            InvitationTarget::Site { site_id, level } => (
                "site",
                None,
                Some(site_id.to_string()),
                Some(level.as_str()),
            ),
        };
        Self {
            id: inv.id.to_string(),
            kind,
            partner_id: inv.partner_id.to_string(),
            email: inv.email.to_string(),
            role,
            site_id,
            level,
            status: inv.status_at(now).as_str(),
            invited_by: inv.invited_by.to_string(),
            created_at: inv.created_at,
            sent_at: inv.sent_at,
            expires_at: inv.expires_at,
            resend_count: inv.resend_count,
            accepted_by: inv.accepted.as_ref().map(|(a, _)| a.to_string()),
            accepted_at: inv.accepted.as_ref().map(|(_, at)| *at),
            delivery: None,
        }
    }
}

use siteward_app::invitations::{Preview, SignUp, invitation_target};
use siteward_app::partners::{BrandingInput, PartnerSettings};

/// Everything needed to write one invitation and its email.
struct Drafter<'a> {
    state: &'a AppState,
    partner: &'a Partner,
    site: Option<&'a Site>,
    inviter_name: String,
    /// The language of new invitations' emails.
    locale: String,
}

impl Drafter<'_> {
    /// A fresh token, and what the email will show (the link carries the token, which
    /// leaves the host only in the email).
    fn draft(&self, invitation: &mut Invitation) -> RenderJob {
        let token = secret::token_text(TokenKind::Invitation, random());
        invitation.token_hash = secret::token_hash(&token);
        let (role, level) = match &invitation.target {
            InvitationTarget::Partner { role } => (Some(role.as_str().to_owned()), None),
            InvitationTarget::Site { level, .. } => (None, Some(level.as_str().to_owned())),
        };
        let context = InvitationContext {
            invitee_email: invitation.email.to_string(),
            inviter_name: self.inviter_name.clone(),
            partner_name: self
                .partner
                .branding
                .display_name
                .clone()
                .unwrap_or_else(|| self.partner.name.clone()),
            branding: self.partner.branding.clone(),
            site_name: self.site.map(|s| s.name.clone()),
            role,
            level,
            accept_link: format!(
                "{}/v1/invitations/accept?token={token}",
                self.state.public_url
            ),
            expires_at: invitation.expires_at,
            locale: invitation.locale.clone(),
        };
        RenderJob {
            partner: self.partner.id.clone(),
            site: self.site.map(|s| s.id.clone()),
            context,
        }
    }

    /// A new Pending invitation with its email.
    fn new_invitation(
        &self,
        auth_account: &AccountId,
        target: InvitationTarget,
        email: Email,
    ) -> Drafted {
        let now = self.state.now();
        let mut invitation = Invitation {
            id: self.state.new_id(InvitationId::from_trusted),
            partner_id: self.partner.id.clone(),
            target,
            email,
            invited_by: auth_account.clone(),
            status: InvitationStatus::Pending,
            token_hash: String::new(),
            expires_at: now + chrono::Duration::hours(i64::from(self.partner.invitation_ttl_hours)),
            created_at: now,
            sent_at: now,
            resend_count: 0,
            locale: self.locale.clone(),
            accepted: None,
        };
        let job = self.draft(&mut invitation);
        Drafted { invitation, job }
    }
}

/// The language of new invitations' emails: the request's, else the partner's.
fn email_locale(requested: Option<&str>, partner: &Partner) -> ApiResult<String> {
    Ok(match requested {
        Some(tag) => siteward_core::validate::locale("locale", tag)?,
        None => partner.locale.clone(),
    })
}

/// An invitation whose email is still to be rendered.
struct Drafted {
    invitation: Invitation,
    job: RenderJob,
}

/// Renders the drafts' emails (through the renderer plugin where one is enabled) and makes
/// their outbox rows.
async fn with_emails(state: &AppState, auth: &Auth, drafted: Vec<Drafted>) -> Vec<NewInvitation> {
    let (invitations, jobs): (Vec<Invitation>, Vec<RenderJob>) =
        drafted.into_iter().map(|d| (d.invitation, d.job)).unzip();
    let emails = render_invitations(state, auth.audit.request_id.as_deref(), jobs).await;
    invitations
        .into_iter()
        .zip(emails)
        .map(|(invitation, email)| {
            let id: OutboxMessageId = state.new_id(OutboxMessageId::from_trusted);
            let message = OutboxMessage::pending(
                id,
                &state.message_id_domain,
                Some(invitation.partner_id.clone()),
                Some(invitation.id.clone()),
                invitation.email.to_string(),
                email.subject,
                Some(email.html),
                Some(email.text),
                state.now(),
            );
            NewInvitation {
                invitation,
                message,
            }
        })
        .collect()
}

/// The inviter's role at the partner, as policies see it: `super_admin`, `admin`,
/// `technician`, `operator` or `api_token`.
fn inviter_role(auth: &Auth, partner: &PartnerId) -> &'static str {
    match &auth.principal {
        Principal::Account(account) if account.is_operator => "operator",
        Principal::Account(account) => account
            .partners
            .iter()
            .find(|s| &s.partner == partner)
            .map_or("technician", |s| s.role.as_str()),
        Principal::ApiToken { .. } => "api_token",
    }
}

/// Whether the inviter may send what a policy says needs approval: Super Admins and the
/// operator approve by sending.
fn approves(role: &str) -> bool {
    matches!(role, "super_admin" | "operator")
}

/// An invitation the policies are asked about.
struct Ask<'a> {
    site: Option<SiteId>,
    email: &'a Email,
    level: Option<&'a str>,
    role: Option<&'a str>,
}

/// Asks the partner's invitation policies about proposed invitations.
async fn ask_policies(
    state: &AppState,
    auth: &Auth,
    inviter: &AccountId,
    partner: &PartnerId,
    proposals: Vec<Ask<'_>>,
) -> ApiResult<Vec<Verdict>> {
    let role = inviter_role(auth, partner);
    let now = state
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let proposals = proposals
        .into_iter()
        .map(|ask| Proposal {
            invitation: ProposedInvitation {
                partner_id: partner.to_string(),
                inviter_id: inviter.to_string(),
                inviter_role: role.to_owned(),
                invitee_email: ask.email.to_string(),
                site_id: ask.site.as_ref().map(ToString::to_string),
                level: ask.level.map(str::to_owned),
                role: ask.role.map(str::to_owned),
                now: now.clone(),
            },
            site: ask.site,
        })
        .collect();
    evaluate_invitations(state, auth.audit.request_id.as_deref(), partner, proposals)
        .await
        .map_err(|unavailable| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "policy_unavailable",
                format!(
                    "the invitation policy {} could not be asked ({}); nothing was sent",
                    unavailable.plugin, unavailable.reason
                ),
            )
        })
}

/// The account acting for audit and "invited by": the person, or the token's creator.
async fn acting_account(state: &AppState, auth: &Auth) -> ApiResult<(AccountId, String)> {
    if let Some(account) = &auth.account {
        return Ok((account.id.clone(), account.name.clone()));
    }
    let siteward_core::access::Principal::ApiToken { token_id, .. } = &auth.principal else {
        return Err(ApiError::forbidden());
    };
    let token = state.store.api_token(token_id).await?;
    let creator = state.store.account(&token.created_by).await?;
    Ok((creator.id, creator.name))
}

fn created_event(state: &AppState, auth: &Auth, inv: &Invitation) -> AuditEvent {
    let mut changes = vec![
        FieldChange::set("email", &inv.email),
        FieldChange::set("expires_at", inv.expires_at.to_rfc3339()),
    ];
    match &inv.target {
        InvitationTarget::Partner { role } => changes.push(FieldChange::set("role", role)),
        InvitationTarget::Site { level, .. } => changes.push(FieldChange::set("level", level)),
    }
    auth.audit.event(
        state,
        AuditAction::InvitationCreated,
        (Some(&inv.partner_id), inv.target.site()),
        invitation_target(&inv.id),
        changes,
    )
}

fn expired_event(state: &AppState, auth: &Auth, inv: &Invitation) -> AuditEvent {
    auth.audit.event(
        state,
        AuditAction::InvitationExpired,
        (Some(&inv.partner_id), inv.target.site()),
        invitation_target(&inv.id),
        vec![FieldChange::changed("status", "pending", "expired")],
    )
}

/// The open invitation for a key, if it is still Pending. One whose time has passed is added
/// to `expired`, to be marked so in the transaction whose new invitation takes its place.
fn still_open<'a>(
    state: &AppState,
    auth: &Auth,
    existing: Option<&'a Invitation>,
    expired: &mut Vec<(InvitationId, AuditEvent)>,
) -> Option<&'a Invitation> {
    let existing = existing?;
    if existing.status_at(state.now()) == InvitationStatus::Pending {
        return Some(existing);
    }
    expired.push((existing.id.clone(), expired_event(state, auth, existing)));
    None
}

/// Invitations drafted by a request, and the expired ones they replace.
struct Written {
    new: Vec<Drafted>,
    expired: Vec<(InvitationId, AuditEvent)>,
}

impl Written {
    /// Writes the invitations, their emails and audit events, and the response under the
    /// idempotency key, in one transaction; then wakes the delivery worker.
    async fn commit(
        self,
        state: &AppState,
        auth: &Auth,
        idempotency: &Idempotency,
        status: StatusCode,
        response: &impl Serialize,
    ) -> ApiResult<Response> {
        let new = with_emails(state, auth, self.new).await;
        let events: Vec<AuditEvent> = new
            .iter()
            .map(|n| created_event(state, auth, &n.invitation))
            .collect();
        let record = idempotency.record(state, status, response)?;
        let expired = self.expired;
        let written = state
            .queue_mail(move |store| async move {
                store
                    .create_invitations(&new, &expired, &events, record.as_ref())
                    .await
            })
            .await;
        if let Err(error) = written {
            return settle(state, idempotency, error).await;
        }
        Ok((status, Json(response)).into_response())
    }
}

/// Maps a storage failure of a write that carried an idempotency key: if a concurrent request
/// with the same key won, answer with its stored response.
async fn settle(
    state: &AppState,
    idempotency: &Idempotency,
    error: StorageError,
) -> ApiResult<Response> {
    // A concurrent request with the same key may win on the invitations themselves (an address
    // it invited first) before the key: either way, its stored response is this one's answer.
    if matches!(
        error,
        StorageError::Conflict(Conflict::IdempotencyKeyInUse | Conflict::AlreadyInvited)
    ) && let Some(response) = idempotency.replay(state).await?
    {
        return Ok(response);
    }
    Err(error.into())
}

/// A bulk invitation to a partner.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteToPartner {
    /// 1 to 1,000 email addresses.
    #[schema(min_items = 1, max_items = 1000)]
    pub emails: Vec<String>,
    /// `admin` or `technician`.
    #[schema(pattern = "^(admin|technician)$")]
    pub role: String,
    /// The language of the invitation emails (BCP 47, for example `ko` or `de-AT`); the
    /// partner's language when absent.
    #[serde(default)]
    pub locale: Option<String>,
}

/// The outcome for one address.
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteResult {
    /// The address as given.
    pub email: String,
    /// `invited`, `already_invited`, `already_member`, `invalid_address`,
    /// `duplicate_in_request`, `denied` (by an invitation policy) or `approval_required` (an
    /// invitation policy wants a Super Admin to send it).
    pub outcome: &'static str,
    /// Why, for `denied` and `approval_required`: the policy's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The invitation, for `invited` and `already_invited`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation: Option<InvitationView>,
}

/// One address's outcome while a bulk request is worked out.
struct Outcome {
    outcome: BulkOutcome,
    invitation: Option<Invitation>,
    reason: Option<String>,
}

impl Outcome {
    fn of(outcome: BulkOutcome) -> Self {
        Self {
            outcome,
            invitation: None,
            reason: None,
        }
    }
}

/// Per-address outcomes, in the order of the request.
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteResults {
    /// One entry per address given.
    pub results: Vec<InviteResult>,
}

/// Invite people by email to join the partner as Admin or Technician: one address or up to
/// 1,000. Send an `Idempotency-Key` header to make retries safe.
#[utoipa::path(post, path = "/v1/partners/{partner_id}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = InviteToPartner,
    responses((status = 200, body = InviteResults), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "`already_invited`: a concurrent request invited one of these addresses first; `idempotency_key_in_use`: the key was used for another request"), (status = 422, body = ErrorBody)))]
pub async fn invite_to_partner(
    State(state): State<AppState>,
    auth: Auth,
    Path(partner): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<InviteToPartner>,
) -> ApiResult<Response> {
    let partner_id = partner_id(&partner)?;
    authorize(&auth.principal, Action::ManageMembers(&partner_id))?;
    let role = match PartnerRole::parse("role", &body.role)? {
        PartnerRole::SuperAdmin => {
            return Err(FieldError::new(
                "role",
                "must be admin or technician; promote to super_admin after joining",
            )
            .into());
        }
        role => role,
    };
    if body.emails.is_empty() || body.emails.len() > MAX_BULK {
        return Err(
            FieldError::new("emails", format!("must hold 1 to {MAX_BULK} addresses")).into(),
        );
    }
    let idempotency = Idempotency::from_request(
        &headers,
        &auth,
        &format!("invite-partner/{partner_id}"),
        &body,
    )?;
    if let Some(response) = idempotency.replay(&state).await? {
        return Ok(response);
    }
    let partner = state.store.partner(&partner_id).await?;
    let (inviter, inviter_name) = acting_account(&state, &auth).await?;
    let drafter = Drafter {
        state: &state,
        locale: email_locale(body.locale.as_deref(), &partner)?,
        partner: &partner,
        site: None,
        inviter_name,
    };
    let members: HashSet<Email> = state
        .store
        .all_members(&partner_id)
        .await?
        .into_iter()
        .map(|(_, a)| a.email)
        .collect();
    let triaged = invitation::triage(&body.emails);
    let keys: Vec<String> = triaged
        .iter()
        .filter_map(|t| t.as_ref().ok())
        .map(|email| invitation::open_key(&partner_id, None, email))
        .collect();
    let open: HashMap<String, Invitation> = state
        .store
        .open_invitations(&keys)
        .await?
        .into_iter()
        .map(|inv| (inv.open_key(), inv))
        .collect();
    let now = state.now();

    let mut expired = Vec::new();
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(triaged.len());
    // Addresses that may be invited, with their place in `outcomes`: the policies decide.
    let mut proposed: Vec<(usize, Email)> = Vec::new();
    for item in triaged {
        let email = match item {
            Ok(email) => email,
            Err(outcome) => {
                outcomes.push(Outcome::of(outcome));
                continue;
            }
        };
        if members.contains(&email) {
            outcomes.push(Outcome::of(BulkOutcome::AlreadyMember));
            continue;
        }
        let key = invitation::open_key(&partner_id, None, &email);
        if let Some(existing) = still_open(&state, &auth, open.get(&key), &mut expired) {
            outcomes.push(Outcome {
                invitation: Some(existing.clone()),
                ..Outcome::of(BulkOutcome::AlreadyInvited)
            });
            continue;
        }
        proposed.push((outcomes.len(), email));
        outcomes.push(Outcome::of(BulkOutcome::Invited));
    }
    let verdicts = ask_policies(
        &state,
        &auth,
        &inviter,
        &partner_id,
        proposed
            .iter()
            .map(|(_, email)| Ask {
                site: None,
                email,
                level: None,
                role: Some(role.as_str()),
            })
            .collect(),
    )
    .await?;
    let approver = approves(inviter_role(&auth, &partner_id));
    let mut new = Vec::new();
    for ((slot, email), verdict) in proposed.into_iter().zip(verdicts) {
        outcomes[slot] = match verdict {
            Verdict::Deny { reason, .. } => Outcome {
                reason: Some(reason),
                ..Outcome::of(BulkOutcome::Denied)
            },
            Verdict::ApprovalRequired { reason, .. } if !approver => Outcome {
                reason: Some(reason),
                ..Outcome::of(BulkOutcome::ApprovalRequired)
            },
            Verdict::Allow | Verdict::ApprovalRequired { .. } => {
                let item =
                    drafter.new_invitation(&inviter, InvitationTarget::Partner { role }, email);
                let outcome = Outcome {
                    invitation: Some(item.invitation.clone()),
                    ..Outcome::of(BulkOutcome::Invited)
                };
                new.push(item);
                outcome
            }
        };
    }
    let response = InviteResults {
        results: body
            .emails
            .iter()
            .zip(outcomes)
            .map(|(email, outcome)| InviteResult {
                email: email.clone(),
                outcome: outcome.outcome.as_str(),
                reason: outcome.reason,
                invitation: outcome
                    .invitation
                    .as_ref()
                    .map(|i| InvitationView::new(i, now)),
            })
            .collect(),
    };
    let written = Written { new, expired };
    written
        .commit(&state, &auth, &idempotency, StatusCode::OK, &response)
        .await
}

/// One technician picked for a site.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PickedTechnician {
    /// The account of a member of the site's partner.
    #[schema(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub account_id: String,
    /// The permission level for this one; defaults to the request's `level`.
    #[serde(default)]
    #[schema(pattern = "^(none|devices_only|full_excluding_users|full_including_users)$")]
    pub level: Option<String>,
}

/// Technicians to invite to a site, confirmed all at once.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteToSite {
    /// The level for everyone without one of their own ("apply to all").
    #[serde(default)]
    #[schema(pattern = "^(none|devices_only|full_excluding_users|full_including_users)$")]
    pub level: Option<String>,
    /// The picked members, 1 to 1,000.
    pub technicians: Vec<PickedTechnician>,
    /// The language of the invitation emails (BCP 47, for example `ko` or `de-AT`); the
    /// partner's language when absent.
    #[serde(default)]
    pub locale: Option<String>,
}

/// The site's invitations from this request.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteInvitations {
    /// One per picked technician, in the order of the request. An open invitation that
    /// already existed is returned as it is, and no second email is sent.
    pub invitations: Vec<InvitationView>,
}

/// Invite members of the site's partner to the site. All or nothing: if any pick is invalid,
/// nothing is sent and the error names it (`technicians[2].account_id`).
#[utoipa::path(post, path = "/v1/sites/{site_id}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("site_id" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = InviteToSite,
    responses((status = 201, body = SiteInvitations), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "`already_invited`: a concurrent request invited one of these addresses first; `idempotency_key_in_use`: the key was used for another request"), (status = 422, body = ErrorBody)))]
pub async fn invite_to_site(
    State(state): State<AppState>,
    auth: Auth,
    Path(site): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<InviteToSite>,
) -> ApiResult<Response> {
    let site = visible_site(&state, &auth, &site, SiteAccess::View).await?;
    authorize(&auth.principal, Action::ManageMembers(&site.partner_id))?;
    if body.technicians.is_empty() || body.technicians.len() > MAX_BULK {
        return Err(
            FieldError::new("technicians", format!("must hold 1 to {MAX_BULK} picks")).into(),
        );
    }
    let idempotency =
        Idempotency::from_request(&headers, &auth, &format!("invite-site/{}", site.id), &body)?;
    if let Some(response) = idempotency.replay(&state).await? {
        return Ok(response);
    }
    let default_level = body
        .level
        .as_deref()
        .map(|l| PermissionLevel::parse("level", l))
        .transpose()?;
    let members = state.store.all_members(&site.partner_id).await?;
    let excluded = state.store.site_people(&site.id).await?;
    let mut picks: Vec<(Account, PermissionLevel)> = Vec::with_capacity(body.technicians.len());
    for (n, pick) in body.technicians.iter().enumerate() {
        let field = |name: &str| format!("technicians[{n}].{name}");
        let account_id = AccountId::parse(&field("account_id"), &pick.account_id)?;
        let Some((_, account)) = members
            .iter()
            .find(|(m, _)| m.account_id == account_id && m.status == MemberStatus::Active)
        else {
            return Err(FieldError::new(
                field("account_id"),
                "is not an active member of the site's partner",
            )
            .into());
        };
        if excluded.contains(&account_id) {
            return Err(FieldError::new(
                field("account_id"),
                "is already an admin or a technician of this site",
            )
            .into());
        }
        if picks.iter().any(|(a, _)| a.id == account_id) {
            return Err(FieldError::new(field("account_id"), "is picked twice").into());
        }
        let level = match &pick.level {
            Some(level) => PermissionLevel::parse(&field("level"), level)?,
            None => default_level.ok_or_else(|| {
                FieldError::new(
                    field("level"),
                    "is required when the request has no `level` for all",
                )
            })?,
        };
        picks.push((account.clone(), level));
    }
    let picks = picks
        .into_iter()
        .map(|(account, level)| (&site, account.email, level))
        .collect();
    let (written, views) = draft_site_invitations(
        &state,
        &auth,
        &site.partner_id,
        picks,
        body.locale.as_deref(),
    )
    .await?;
    let response = SiteInvitations { invitations: views };
    written
        .commit(&state, &auth, &idempotency, StatusCode::CREATED, &response)
        .await
}

/// Drafts the site invitations of `(site, email, level)` picks, in order: an open invitation
/// for a site and email is reused as it is (no second email), a new one is drafted otherwise.
async fn draft_site_invitations(
    state: &AppState,
    auth: &Auth,
    partner_id: &siteward_core::ids::PartnerId,
    picks: Vec<(&Site, Email, PermissionLevel)>,
    locale: Option<&str>,
) -> ApiResult<(Written, Vec<InvitationView>)> {
    let partner = state.store.partner(partner_id).await?;
    let locale = email_locale(locale, &partner)?;
    let (inviter, inviter_name) = acting_account(state, auth).await?;
    let keys: Vec<String> = picks
        .iter()
        .map(|(site, email, _)| invitation::open_key(partner_id, Some(&site.id), email))
        .collect();
    let open: HashMap<String, Invitation> = state
        .store
        .open_invitations(&keys)
        .await?
        .into_iter()
        .map(|inv| (inv.open_key(), inv))
        .collect();
    let now = state.now();
    let fresh: Vec<bool> = picks
        .iter()
        .zip(&keys)
        .map(|(_, key)| {
            open.get(key)
                .is_none_or(|inv| inv.status_at(now) != InvitationStatus::Pending)
        })
        .collect();
    let verdicts = ask_policies(
        state,
        auth,
        &inviter,
        partner_id,
        picks
            .iter()
            .zip(&fresh)
            .filter(|(_, fresh)| **fresh)
            .map(|((site, email, level), _)| Ask {
                site: Some(site.id.clone()),
                email,
                level: Some(level.as_str()),
                role: None,
            })
            .collect(),
    )
    .await?;
    let approver = approves(inviter_role(auth, partner_id));
    let fresh_picks = picks.iter().zip(&fresh).filter(|(_, fresh)| **fresh);
    for (((site, email, _), _), verdict) in fresh_picks.zip(&verdicts) {
        let refused = |status, code, reason: &str| {
            Err(ApiError::new(
                status,
                code,
                format!(
                    "the invitation of {email} to the site {} was refused by an invitation policy: {reason}; nothing was sent",
                    site.name
                ),
            ))
        };
        match verdict {
            Verdict::Deny { reason, .. } => {
                return refused(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invitation_denied",
                    reason,
                );
            }
            Verdict::ApprovalRequired { reason, .. } if !approver => {
                return refused(StatusCode::FORBIDDEN, "approval_required", reason);
            }
            Verdict::Allow | Verdict::ApprovalRequired { .. } => {}
        }
    }
    let (mut new, mut expired, mut views) = (Vec::new(), Vec::new(), Vec::new());
    for ((site, email, level), key) in picks.into_iter().zip(keys) {
        if let Some(existing) = still_open(state, auth, open.get(&key), &mut expired) {
            views.push(InvitationView::new(existing, now));
            continue;
        }
        let drafter = Drafter {
            state,
            partner: &partner,
            site: Some(site),
            inviter_name: inviter_name.clone(),
            locale: locale.clone(),
        };
        let target = InvitationTarget::Site {
            site_id: site.id.clone(),
            level,
        };
        let item = drafter.new_invitation(&inviter, target, email);
        views.push(InvitationView::new(&item.invitation, now));
        new.push(item);
    }
    Ok((Written { new, expired }, views))
}

/// One technician sent to several sites at once.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteToSites {
    /// The partner's sites (1 to 1,000).
    pub site_ids: Vec<String>,
    /// The permission level at every one of them.
    #[schema(pattern = "^(none|devices_only|full_excluding_users|full_including_users)$")]
    pub level: String,
    /// The language of the invitation emails (BCP 47, for example `ko` or `de-AT`); the
    /// partner's language when absent.
    #[serde(default)]
    pub locale: Option<String>,
}

/// Invite one member of the partner to many of its sites at once (the reference assigns one
/// site at a time). All or nothing: a site that is not the partner's, or where the member is
/// already an admin or a technician, fails the whole request and is named
/// (`site_ids[3]`). An open invitation to a site is returned as it is.
#[utoipa::path(post, path = "/v1/partners/{partner_id}/members/{account_id}/site-invitations", tag = "invitations",
    security(("bearer" = [])),
    params(("partner_id" = String, Path), ("account_id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = InviteToSites,
    responses((status = 201, body = SiteInvitations), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "`already_invited`: a concurrent request invited one of these addresses first; `idempotency_key_in_use`: the key was used for another request"), (status = 422, body = ErrorBody)))]
pub async fn invite_to_sites(
    State(state): State<AppState>,
    auth: Auth,
    Path((partner, account)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<InviteToSites>,
) -> ApiResult<Response> {
    let partner_id = partner_id(&partner)?;
    authorize(&auth.principal, Action::ManageMembers(&partner_id))?;
    let account_id = AccountId::parse("account_id", &account).map_err(|_| ApiError::not_found())?;
    let member = state.store.member(&partner_id, &account_id).await?;
    if member.membership.status != MemberStatus::Active {
        return Err(ApiError::conflict(
            "membership_disabled",
            "the member is disabled; enable them first",
        ));
    }
    if body.site_ids.is_empty() || body.site_ids.len() > MAX_BULK {
        return Err(FieldError::new("site_ids", format!("must hold 1 to {MAX_BULK} sites")).into());
    }
    let level = PermissionLevel::parse("level", &body.level)?;
    let idempotency = Idempotency::from_request(
        &headers,
        &auth,
        &format!("invite-sites/{partner_id}/{account_id}"),
        &body,
    )?;
    if let Some(response) = idempotency.replay(&state).await? {
        return Ok(response);
    }
    let mut sites: Vec<Site> = Vec::with_capacity(body.site_ids.len());
    for (n, id) in body.site_ids.iter().enumerate() {
        let field = format!("site_ids[{n}]");
        let not_ours = || FieldError::new(field.clone(), "is not a site of this partner");
        let site_id = siteward_core::ids::SiteId::parse(&field, id)?;
        let site = match state.store.site(&site_id).await {
            Ok(site) if site.partner_id == partner_id => site,
            Ok(_) | Err(StorageError::NotFound) => return Err(not_ours().into()),
            Err(other) => return Err(other.into()),
        };
        if sites.iter().any(|s| s.id == site.id) {
            return Err(FieldError::new(field, "is listed twice").into());
        }
        if state
            .store
            .site_people(&site.id)
            .await?
            .contains(&account_id)
        {
            return Err(FieldError::new(
                field,
                "already has this member as an admin or a technician",
            )
            .into());
        }
        sites.push(site);
    }
    let picks = sites
        .iter()
        .map(|site| (site, member.email.clone(), level))
        .collect();
    let (written, views) =
        draft_site_invitations(&state, &auth, &partner_id, picks, body.locale.as_deref()).await?;
    let response = SiteInvitations { invitations: views };
    written
        .commit(&state, &auth, &idempotency, StatusCode::CREATED, &response)
        .await
}

/// A candidate for a site invitation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Candidate {
    /// The account.
    pub account_id: String,
    /// Its email.
    pub email: String,
    /// Its name.
    pub name: String,
    /// The role at the partner.
    pub role: &'static str,
}

/// Search and paging for the candidate picker.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CandidateQuery {
    /// Only members whose name or email contains this (case-insensitive).
    pub q: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
}

/// The picker: the partner's active Admins and Technicians who could be invited to the site —
/// not its site admins, not already assigned, and without an open invitation to it.
#[utoipa::path(get, path = "/v1/sites/{site_id}/technician-candidates", tag = "invitations", security(("bearer" = [])),
    params(("site_id" = String, Path), CandidateQuery),
    responses((status = 200, body = Page<Candidate>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn candidates(
    State(state): State<AppState>,
    auth: Auth,
    Path(site): Path<String>,
    ApiQuery(query): ApiQuery<CandidateQuery>,
) -> ApiResult<Json<Page<Candidate>>> {
    let site = visible_site(&state, &auth, &site, SiteAccess::View).await?;
    authorize(&auth.principal, Action::ManageMembers(&site.partner_id))?;
    let page = siteward_core::page::PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let excluded = state.store.site_people(&site.id).await?;
    let members = state.store.all_members(&site.partner_id).await?;
    let keys: Vec<String> = members
        .iter()
        .map(|(_, a)| invitation::open_key(&site.partner_id, Some(&site.id), &a.email))
        .collect();
    let now = state.now();
    let invited: Vec<Email> = state
        .store
        .open_invitations(&keys)
        .await?
        .into_iter()
        .filter(|inv| inv.status_at(now) == InvitationStatus::Pending)
        .map(|inv| inv.email)
        .collect();
    let needle = query
        .q
        .as_deref()
        .map(str::to_lowercase)
        .unwrap_or_default();
    let mut matching: Vec<Candidate> = members
        .into_iter()
        .filter(|(m, a)| {
            m.status == MemberStatus::Active
                && m.role != PartnerRole::SuperAdmin
                && !excluded.contains(&a.id)
                && !invited.contains(&a.email)
                && (a.name.to_lowercase().contains(&needle) || a.email.as_str().contains(&needle))
        })
        .filter(|(_, a)| {
            page.after
                .as_deref()
                .is_none_or(|after| a.id.as_str() > after)
        })
        .map(|(m, a)| Candidate {
            account_id: a.id.to_string(),
            email: a.email.to_string(),
            name: a.name,
            role: m.role.as_str(),
        })
        .collect();
    matching.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    matching.truncate(page.limit as usize + 1);
    let page =
        siteward_core::page::Page::from_overfetch(matching, page.limit, |c| c.account_id.as_str());
    Ok(Json(Page::from(page, |c| c)))
}

/// Status filter and paging for invitation lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvitationQuery {
    /// Only invitations with this status as of now: `pending`, `accepted`, `expired`, `revoked`.
    #[param(pattern = "^(pending|accepted|expired|revoked)$")]
    pub status: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
}

async fn list(
    state: &AppState,
    scope: InvitationScope<'_>,
    query: &InvitationQuery,
) -> ApiResult<Json<Page<InvitationView>>> {
    let status = query
        .status
        .as_deref()
        .map(|s| InvitationStatus::parse("status", s))
        .transpose()?;
    let page = siteward_core::page::PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let now = state.now();
    let invitations = state.store.invitations(scope, status, now, &page).await?;
    let mut page = Page::from(invitations, |inv| InvitationView::new(&inv, now));
    with_deliveries(state, &mut page.items).await?;
    Ok(Json(page))
}

/// A partner's invitations (to the partner and to its sites).
#[utoipa::path(get, path = "/v1/partners/{partner_id}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("partner_id" = String, Path), InvitationQuery),
    responses((status = 200, body = Page<InvitationView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn partner_invitations(
    State(state): State<AppState>,
    auth: Auth,
    Path(partner): Path<String>,
    ApiQuery(query): ApiQuery<InvitationQuery>,
) -> ApiResult<Json<Page<InvitationView>>> {
    let partner = partner_id(&partner)?;
    authorize(&auth.principal, Action::ManageMembers(&partner))?;
    list(&state, InvitationScope::Partner(&partner), &query).await
}

/// A site's invitations (its admins and the partner's admins).
#[utoipa::path(get, path = "/v1/sites/{site_id}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("site_id" = String, Path), InvitationQuery),
    responses((status = 200, body = Page<InvitationView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn site_invitations(
    State(state): State<AppState>,
    auth: Auth,
    Path(site): Path<String>,
    ApiQuery(query): ApiQuery<InvitationQuery>,
) -> ApiResult<Json<Page<InvitationView>>> {
    let site = visible_site(&state, &auth, &site, SiteAccess::ManageAdmins).await?;
    list(&state, InvitationScope::Site(&site.id), &query).await
}

/// Loads an invitation the caller may manage (the partner's admins).
async fn manageable(state: &AppState, auth: &Auth, id: &str) -> ApiResult<Invitation> {
    Ok(state.manageable_invitation(auth, id).await?)
}

/// Read an invitation.
#[utoipa::path(get, path = "/v1/invitations/{invitation_id}", tag = "invitations", security(("bearer" = [])),
    params(("invitation_id" = String, Path)),
    responses((status = 200, body = InvitationView), (status = 404, body = ErrorBody)))]
pub async fn get_invitation(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<InvitationView>> {
    let (inv, delivery) = state.invitation(&auth, &id).await?;
    let mut view = InvitationView::new(&inv, state.now());
    view.delivery = delivery.map(DeliveryView::from);
    Ok(Json(view))
}

/// Revoke a Pending invitation; its link stops working.
#[utoipa::path(post, path = "/v1/invitations/{invitation_id}/revoke", tag = "invitations", security(("bearer" = [])),
    params(("invitation_id" = String, Path)),
    responses((status = 200, body = InvitationView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "`invitation_not_pending`")))]
pub async fn revoke(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<InvitationView>> {
    let inv = state.revoke_invitation(&auth, &id).await?;
    Ok(Json(InvitationView::new(&inv, state.now())))
}

/// Resend an invitation that is Pending, Expired or Revoked: a fresh link and expiry, and
/// back to Pending; the old link stops working. Send an `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/v1/invitations/{invitation_id}/resend", tag = "invitations", security(("bearer" = [])),
    params(("invitation_id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = InvitationView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn resend(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let mut inv = manageable(&state, &auth, &id).await?;
    let idempotency =
        Idempotency::from_request(&headers, &auth, &format!("resend/{}", inv.id), &())?;
    if let Some(response) = idempotency.replay(&state).await? {
        return Ok(response);
    }
    let partner = state.store.partner(&inv.partner_id).await?;
    let site = match inv.target.site() {
        Some(site) => Some(state.store.site(site).await?),
        None => None,
    };
    let now = state.now();
    let before = inv.status_at(now);
    inv.resend(
        now,
        chrono::Duration::hours(i64::from(partner.invitation_ttl_hours)),
        String::new(),
    )?;
    let (_, inviter_name) = acting_account(&state, &auth).await?;
    let drafter = Drafter {
        state: &state,
        partner: &partner,
        site: site.as_ref(),
        inviter_name,
        locale: inv.locale.clone(),
    };
    let job = drafter.draft(&mut inv);
    let event = auth.audit.event(
        &state,
        AuditAction::InvitationResent,
        (Some(&inv.partner_id), inv.target.site()),
        invitation_target(&inv.id),
        vec![
            FieldChange::changed("status", before, InvitationStatus::Pending),
            FieldChange::set("expires_at", inv.expires_at.to_rfc3339()),
        ],
    );
    let view = InvitationView::new(&inv, now);
    let record = idempotency.record(&state, StatusCode::OK, &view)?;
    let mut items = with_emails(
        &state,
        &auth,
        vec![Drafted {
            invitation: inv,
            job,
        }],
    )
    .await;
    let item = items.pop().expect("one invitation in, one out");
    let written = state
        .queue_mail(move |store| async move {
            store
                .resend_invitation(&item, &event, record.as_ref())
                .await
        })
        .await;
    if let Err(error) = written {
        return settle(&state, &idempotency, error).await;
    }

    Ok((StatusCode::OK, Json(view)).into_response())
}

/// The token of an invitation link.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TokenQuery {
    /// The `token` parameter of the link.
    pub token: String,
}

/// What an invitation link offers, for the accept page.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationPreview {
    /// Who is invited.
    pub email: String,
    /// The partner that invites.
    pub partner_name: String,
    /// The site, for a site invitation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    /// The role offered, for a partner invitation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
    /// The level offered, for a site invitation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<&'static str>,
    /// `pending`, `accepted`, `expired` or `revoked`, as of now.
    pub status: &'static str,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// Whether an account with this email exists: log in to accept; otherwise sign up.
    pub account_exists: bool,
}

/// What an invitation link offers. Needs no login: the token is the credential.
#[utoipa::path(get, path = "/v1/invitations/accept", tag = "invitations", params(TokenQuery),
    responses((status = 200, body = InvitationPreview), (status = 404, body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TokenQuery>,
) -> ApiResult<Json<InvitationPreview>> {
    let Preview {
        invitation: inv,
        partner_name,
        site_name,
        account_exists,
    } = state.preview_invitation(&query.token).await?;
    let (role, level) = match &inv.target {
        InvitationTarget::Partner { role } => (Some(role.as_str()), None),
        InvitationTarget::Site { level, .. } => (None, Some(level.as_str())),
    };
    Ok(Json(InvitationPreview {
        email: inv.email.to_string(),
        partner_name,
        site_name,
        role,
        level,
        status: inv.status_at(state.now()).as_str(),
        expires_at: inv.expires_at,
        account_exists,
    }))
}

/// Accepting an invitation: logged in as the invited account, or signing up with a name and
/// password (the email is the invitation's).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// The `token` parameter of the link.
    pub token: String,
    /// For a new account: its name.
    #[serde(default)]
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: Option<String>,
    /// For a new account: its password (at least 12 characters, not easy to guess).
    #[serde(default)]
    #[schema(min_length = 12)]
    pub password: Option<String>,
}

/// Accept an invitation. A partner invitation makes the account a member; a site invitation
/// creates its site assignment, Locked until a site admin unlocks it. Each link works once.
#[utoipa::path(post, path = "/v1/invitations/accept", tag = "invitations", request_body = AcceptInvitation,
    responses((status = 200, body = InvitationView), (status = 401, body = ErrorBody, description = "log in or sign up"),
        (status = 403, body = ErrorBody, description = "`invitation_email_mismatch`"), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "used, expired or revoked")))]
pub async fn accept(
    State(state): State<AppState>,
    auth: Option<Auth>,
    ApiJson(body): ApiJson<AcceptInvitation>,
) -> ApiResult<Json<InvitationView>> {
    let sign_up = SignUp {
        name: body.name,
        password: body.password,
    };
    let inv = state
        .accept_invitation(auth.as_ref(), &body.token, sign_up)
        .await?;
    Ok(Json(InvitationView::new(&inv, state.now())))
}

/// An outgoing email, as admins see it (the body is not shown).
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxView {
    /// Its id.
    pub id: String,
    /// The recipient.
    pub recipient: String,
    /// The subject.
    pub subject: String,
    /// `pending`, `sent` or `failed`.
    pub status: &'static str,
    /// Delivery attempts made.
    pub attempts: u32,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: DateTime<Utc>,
    /// The invitation it announces.
    pub invitation_id: Option<String>,
    /// The Message-ID, the same on every attempt.
    pub message_id: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
}

/// Status filter and paging for the outbox.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// `pending`, `sent` or `failed`.
    #[param(pattern = "^(pending|sent|failed)$")]
    pub status: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
}

/// The partner's outgoing email: what was sent, what waits for a retry, what failed.
#[utoipa::path(get, path = "/v1/partners/{partner_id}/outbox", tag = "invitations", security(("bearer" = [])),
    params(("partner_id" = String, Path), OutboxQuery),
    responses((status = 200, body = Page<OutboxView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn outbox(
    State(state): State<AppState>,
    auth: Auth,
    Path(partner): Path<String>,
    ApiQuery(query): ApiQuery<OutboxQuery>,
) -> ApiResult<Json<Page<OutboxView>>> {
    let partner = partner_id(&partner)?;
    authorize(&auth.principal, Action::ManageMembers(&partner))?;
    let status = match query.status.as_deref() {
        None => None,
        Some("pending") => Some(OutboxStatus::Pending),
        Some("sent") => Some(OutboxStatus::Sent),
        Some("failed") => Some(OutboxStatus::Failed),
        Some(_) => {
            return Err(FieldError::new("status", "must be one of: pending, sent, failed").into());
        }
    };
    let page = siteward_core::page::PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let messages = state.store.outbox_messages(&partner, status, &page).await?;
    Ok(Json(Page::from(messages, |m| OutboxView {
        id: m.id.to_string(),
        recipient: m.recipient,
        subject: m.subject,
        status: m.status.as_str(),
        attempts: m.attempts,
        last_error: m.last_error,
        next_attempt_at: m.next_attempt_at,
        invitation_id: m.invitation_id.map(|i| i.to_string()),
        message_id: m.message_id,
        created_at: m.created_at,
        sent_at: m.sent_at,
    })))
}

/// A change to a partner's settings; what is absent stays as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePartner {
    /// How long new invitations stay open, in hours: 1 to 720 (30 days).
    #[schema(minimum = 1, maximum = 720)]
    pub invitation_ttl_hours: Option<u32>,
    /// How invitation emails present the partner. Replaces the whole branding: a value left
    /// out is cleared.
    pub branding: Option<BrandingBody>,
    /// The language of invitation emails (BCP 47, for example `ko`) unless an invitation
    /// names its own.
    pub locale: Option<String>,
}

/// How invitation emails present a partner.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BrandingBody {
    /// The name to show instead of the partner's name.
    pub display_name: Option<String>,
    /// A logo, `https://` only.
    pub logo_url: Option<String>,
    /// The accent colour, `#rrggbb`.
    pub accent_colour: Option<String>,
    /// Where invitees get help: an email address or an `https://` URL.
    pub support_contact: Option<String>,
}

/// Change a partner's settings: invitation time, branding, language.
#[utoipa::path(patch, path = "/v1/partners/{partner_id}", tag = "partners", security(("bearer" = [])),
    params(("partner_id" = String, Path)), request_body = UpdatePartner,
    responses((status = 200, body = super::views::PartnerView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_partner(
    State(state): State<AppState>,
    auth: Auth,
    Path(partner): Path<String>,
    ApiJson(body): ApiJson<UpdatePartner>,
) -> ApiResult<Json<super::views::PartnerView>> {
    let settings = PartnerSettings {
        invitation_ttl_hours: body.invitation_ttl_hours,
        branding: body.branding.map(|b| BrandingInput {
            display_name: b.display_name,
            logo_url: b.logo_url,
            accent_colour: b.accent_colour,
            support_contact: b.support_contact,
        }),
        locale: body.locale,
    };
    let partner = state
        .update_partner_settings(&auth, &partner, &settings)
        .await?;
    Ok(Json(partner.into()))
}
