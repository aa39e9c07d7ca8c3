//! Invitations: to a partner (one address or up to 1,000 at once) and to a site (picked
//! members, one level each or one for all, all or nothing); listing, revoking, resending and
//! accepting them; the site's technicians; the partner's outgoing email.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use siteward_app::grants::GrantFor;
use siteward_app::invitations::{Delivery, Preview, SignUp};
use siteward_app::invite::{self, Invited, PartnerInvite, Pick, SiteInvite, SitesInvite};
use siteward_app::page::Paging;
use siteward_app::partners::{BrandingInput, PartnerSettings};
use siteward_core::Timestamp;
use siteward_core::ids::{AccountId, InvitationId, PartnerId, SiteId};
use siteward_core::invitation::{Invitation, InvitationTarget};

use super::access::KindAndId;
use super::dto::Page;
use super::idempotency::{request_text, respond, retry, stored};
use super::path::Ids;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

/// An invitation as lists show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    /// Its id.
    pub id: String,
    /// `partner`, `site` (to work at a site as a technician) or `site_admin` (to become a
    /// site's admin).
    #[schema(pattern = "^(partner|site|site_admin)$")]
    pub kind: &'static str,
    /// The partner that invites.
    pub partner_id: String,
    /// Who is invited.
    pub email: String,
    /// The role offered, for a partner invitation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
    /// The privileges the member holds from acceptance, for a partner invitation sent with
    /// them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privileges: Option<Vec<&'static str>>,
    /// The departments the member is in from acceptance, for a partner invitation sent with
    /// them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<String>,
    /// The site, for a site invitation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_id: Option<String>,
    /// The permission level offered, for a site invitation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<&'static str>,
    /// `pending`, `accepted`, `expired`, `revoked`, `awaiting_approval` (an invitation policy
    /// wants it approved: nothing is sent until an approver does) or `denied` (an approver
    /// refused it), as of now.
    pub status: &'static str,
    /// Why an invitation policy wants it approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval_reason: Option<String>,
    /// Why an approver refused it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denial_reason: Option<String>,
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

impl InvitationView {
    pub(crate) fn new(inv: &Invitation, now: DateTime<Utc>) -> Self {
        let (kind, role, site_id, level) = match &inv.target {
            InvitationTarget::Partner { role } => ("partner", Some(role.as_str()), None, None),
            InvitationTarget::Site { site_id, level } => (
                "site",
                None,
                Some(site_id.to_string()),
                Some(level.as_str()),
            ),
            InvitationTarget::SiteAdmin { site_id } => {
                ("site_admin", None, Some(site_id.to_string()), None)
            }
        };
        Self {
            id: inv.id.to_string(),
            kind,
            partner_id: inv.partner_id.to_string(),
            email: inv.email.to_string(),
            role,
            privileges: inv
                .privileges
                .map(|set| set.iter().map(|p| p.as_str()).collect()),
            departments: inv.departments.iter().map(ToString::to_string).collect(),
            site_id,
            level,
            status: inv.status_at(now).as_str(),
            approval_reason: inv.approval_reason.clone(),
            denial_reason: inv.denial_reason.clone(),
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

    fn with_delivery((inv, delivery): (Invitation, Option<Delivery>), now: Timestamp) -> Self {
        Self {
            delivery: delivery.map(DeliveryView::from),
            ..Self::new(&inv, now)
        }
    }
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
    /// The privileges each new member holds from acceptance (`remote_support`,
    /// `unattended_access`); `["unattended_access"]` when left out. Seats are counted at
    /// acceptance: one that would exceed a licence is refused then (`licence_exhausted`).
    #[serde(default)]
    #[schema(schema_with = super::dto::names::privileges)]
    pub privileges: Option<Vec<String>>,
    /// The departments (ids) each new member is in from acceptance: the partner's own, none
    /// twice. A department deleted before the invitation is accepted is left out then.
    #[serde(default)]
    pub departments: Vec<String>,
    /// Grants each new member holds from acceptance (at most 50): device groups, devices,
    /// sites or sections of the partner, each with a role and an optional window. Until the
    /// invitation is accepted they give nothing; a revoked or expired invitation's never do.
    /// More can be given while it waits (`POST /v1/partners/{partner_id}/grants` with
    /// `subject: {"kind": "invitation", …}`).
    #[serde(default)]
    pub grants: Vec<CarriedGrant>,
}

/// A grant an invitation carries, for whoever accepts it.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CarriedGrant {
    /// `{"kind": "site" | "group" | "device", "id": …}` for device roles, or
    /// `{"kind": "section", "id": "invitations" | "administration"}`.
    pub scope: KindAndId,
    /// A system role's name or a custom role's id; its purpose must fit the scope.
    pub role: String,
    /// From when it is valid (inclusive); absent: from acceptance.
    #[serde(default)]
    pub valid_from: Option<DateTime<Utc>>,
    /// When it ends (exclusive); absent: never.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// The outcome for one address.
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteResult {
    /// The address as given.
    pub email: String,
    /// `invited`, `already_invited`, `already_member`, `invalid_address`,
    /// `duplicate_in_request`, `denied` (by an invitation policy) or `awaiting_approval` (an
    /// invitation policy wants it approved: it waits, unsent, for the partner's Super Admins).
    pub outcome: &'static str,
    /// Why, for `denied` and `awaiting_approval`: the policy's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The invitation, for `invited` and `already_invited`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation: Option<InvitationView>,
}

/// Per-address outcomes, in the order of the request.
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteResults {
    /// One entry per address given.
    pub results: Vec<InviteResult>,
}

impl InviteResults {
    fn new(results: &[Invited], now: Timestamp) -> Self {
        Self {
            results: results
                .iter()
                .map(|r| InviteResult {
                    email: r.email.clone(),
                    outcome: r.outcome.as_str(),
                    reason: r.reason.clone(),
                    invitation: r.invitation.as_ref().map(|i| InvitationView::new(i, now)),
                })
                .collect(),
        }
    }
}

/// Invite people by email to join the partner as Admin or Technician: one address or up to
/// 1,000. Send an `Idempotency-Key` header to make retries safe.
#[utoipa::path(post, path = "/v1/partners/{partner_id}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = InviteToPartner,
    responses((status = 200, body = InviteResults), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "`already_invited`: a concurrent request invited one of these addresses first; `idempotency_key_in_use`: the key was used for another request"), (status = 422, body = ErrorBody)))]
pub async fn invite_to_partner(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<InviteToPartner>,
) -> ApiResult<Response> {
    let request = request_text(&body)?;
    let grants: Vec<GrantFor> = body
        .grants
        .iter()
        .map(|g| GrantFor {
            scope: (g.scope.kind.clone(), g.scope.id.clone()),
            role: g.role.clone(),
            valid_from: g.valid_from,
            expires_at: g.expires_at,
        })
        .collect();
    let input = PartnerInvite {
        emails: &body.emails,
        role: &body.role,
        locale: body.locale.as_deref(),
        privileges: body.privileges.as_deref(),
        departments: &body.departments,
        grants: &grants,
    };
    let now = state.now();
    let view = |results: &Vec<Invited>| InviteResults::new(results, now);
    let answer = state
        .invite_to_partner(&auth, &partner, input, retry(&headers, &request), |r| {
            stored(StatusCode::OK, &view(r))
        })
        .await?;
    respond(answer, StatusCode::OK, view)
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

impl SiteInvitations {
    fn new(invitations: &[Invitation], now: Timestamp) -> Self {
        Self {
            invitations: invitations
                .iter()
                .map(|i| InvitationView::new(i, now))
                .collect(),
        }
    }
}

/// Invite members of the site's partner to the site. All or nothing: if any pick is invalid,
/// nothing is sent and the error names it (`technicians[2].account_id`).
#[utoipa::path(post, path = "/v1/sites/{site_id}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("site_id" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = InviteToSite,
    responses((status = 201, body = SiteInvitations), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "`already_invited`: a concurrent request invited one of these addresses first; `idempotency_key_in_use`: the key was used for another request"), (status = 422, body = ErrorBody)))]
pub async fn invite_to_site(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<InviteToSite>,
) -> ApiResult<Response> {
    let request = request_text(&body)?;
    let input = SiteInvite {
        level: body.level.as_deref(),
        technicians: body
            .technicians
            .iter()
            .map(|t| Pick {
                account_id: &t.account_id,
                level: t.level.as_deref(),
            })
            .collect(),
        locale: body.locale.as_deref(),
    };
    let now = state.now();
    let view = |invitations: &Vec<Invitation>| SiteInvitations::new(invitations, now);
    let answer = state
        .invite_to_site(&auth, &site, input, retry(&headers, &request), |i| {
            stored(StatusCode::CREATED, &view(i))
        })
        .await?;
    respond(answer, StatusCode::CREATED, view)
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
    Ids((partner, account)): Ids<(PartnerId, AccountId)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<InviteToSites>,
) -> ApiResult<Response> {
    let request = request_text(&body)?;
    let input = SitesInvite {
        site_ids: &body.site_ids,
        level: &body.level,
        locale: body.locale.as_deref(),
    };
    let now = state.now();
    let view = |invitations: &Vec<Invitation>| SiteInvitations::new(invitations, now);
    let answer = state
        .invite_to_sites(
            &auth,
            &partner,
            &account,
            input,
            retry(&headers, &request),
            |i| stored(StatusCode::CREATED, &view(i)),
        )
        .await?;
    respond(answer, StatusCode::CREATED, view)
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
    Ids(site): Ids<SiteId>,
    ApiQuery(query): ApiQuery<CandidateQuery>,
) -> ApiResult<Json<Page<Candidate>>> {
    let paging = Paging {
        limit: query.limit,
        cursor: query.cursor.as_deref(),
    };
    let page = state
        .candidates(&auth, &site, query.q.as_deref(), paging)
        .await?;
    Ok(Json(Page::from(page, |c: invite::Candidate| Candidate {
        account_id: c.account_id().to_string(),
        email: c.member.email.to_string(),
        name: c.member.name,
        role: c.member.membership.role.as_str(),
    })))
}

/// Status filter and paging for invitation lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvitationQuery {
    /// Only invitations with this status as of now: `pending`, `accepted`, `expired`,
    /// `revoked`, `awaiting_approval` (the approvers' queue) or `denied`.
    #[param(pattern = "^(pending|accepted|expired|revoked|awaiting_approval|denied)$")]
    pub status: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
}

impl InvitationQuery {
    fn paging(&self) -> Paging<'_> {
        Paging {
            limit: self.limit,
            cursor: self.cursor.as_deref(),
        }
    }
}

/// A partner's invitations (to the partner and to its sites).
#[utoipa::path(get, path = "/v1/partners/{partner_id}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("partner_id" = String, Path), InvitationQuery),
    responses((status = 200, body = Page<InvitationView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn partner_invitations(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiQuery(query): ApiQuery<InvitationQuery>,
) -> ApiResult<Json<Page<InvitationView>>> {
    let status = query.status.as_deref();
    let page = state
        .partner_invitations(&auth, &partner, status, query.paging())
        .await?;
    let now = state.now();
    Ok(Json(Page::from(page, |i| {
        InvitationView::with_delivery(i, now)
    })))
}

/// A site's invitations (its admins and the partner's admins).
#[utoipa::path(get, path = "/v1/sites/{site_id}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("site_id" = String, Path), InvitationQuery),
    responses((status = 200, body = Page<InvitationView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn site_invitations(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiQuery(query): ApiQuery<InvitationQuery>,
) -> ApiResult<Json<Page<InvitationView>>> {
    let status = query.status.as_deref();
    let page = state
        .site_invitations(&auth, &site, status, query.paging())
        .await?;
    let now = state.now();
    Ok(Json(Page::from(page, |i| {
        InvitationView::with_delivery(i, now)
    })))
}

/// Read an invitation.
#[utoipa::path(get, path = "/v1/invitations/{invitation_id}", tag = "invitations", security(("bearer" = [])),
    params(("invitation_id" = String, Path)),
    responses((status = 200, body = InvitationView), (status = 404, body = ErrorBody)))]
pub async fn get_invitation(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<InvitationId>,
) -> ApiResult<Json<InvitationView>> {
    let invitation = state.invitation(&auth, &id).await?;
    Ok(Json(InvitationView::with_delivery(invitation, state.now())))
}

/// Revoke a Pending invitation, or one awaiting approval; its link stops working.
#[utoipa::path(post, path = "/v1/invitations/{invitation_id}/revoke", tag = "invitations", security(("bearer" = [])),
    params(("invitation_id" = String, Path)),
    responses((status = 200, body = InvitationView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "`invitation_not_pending`")))]
pub async fn revoke(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<InvitationId>,
) -> ApiResult<Json<InvitationView>> {
    let inv = state.revoke_invitation(&auth, &id).await?;
    Ok(Json(InvitationView::new(&inv, state.now())))
}

/// An approver's decision on an invitation awaiting approval.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationDecision {
    /// Why (up to 500 characters): required to deny — the inviter reads it —, a comment when
    /// approving.
    pub reason: Option<String>,
}

/// Approve an invitation awaiting approval (the partner's Super Admins; for an invitation to a
/// site, also the site's admins): it is sent as its inviter's, with a fresh link whose time
/// counts from now. Two approvers at once yield one decision.
#[utoipa::path(post, path = "/v1/invitations/{invitation_id}/approve", tag = "invitations", security(("bearer" = [])),
    params(("invitation_id" = String, Path)), request_body = InvitationDecision,
    responses((status = 200, body = InvitationView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`invitation_not_awaiting_approval`"), (status = 422, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<InvitationId>,
    ApiJson(body): ApiJson<InvitationDecision>,
) -> ApiResult<Json<InvitationView>> {
    let inv = state
        .decide_invitation(&auth, &id, true, body.reason.as_deref())
        .await?;
    Ok(Json(InvitationView::new(&inv, state.now())))
}

/// Deny an invitation awaiting approval, saying why (as approving); the inviter is told.
#[utoipa::path(post, path = "/v1/invitations/{invitation_id}/deny", tag = "invitations", security(("bearer" = [])),
    params(("invitation_id" = String, Path)), request_body = InvitationDecision,
    responses((status = 200, body = InvitationView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`invitation_not_awaiting_approval`"), (status = 422, body = ErrorBody)))]
pub async fn deny(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<InvitationId>,
    ApiJson(body): ApiJson<InvitationDecision>,
) -> ApiResult<Json<InvitationView>> {
    let inv = state
        .decide_invitation(&auth, &id, false, body.reason.as_deref())
        .await?;
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
    Ids(id): Ids<InvitationId>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let request = request_text(&())?;
    let now = state.now();
    let view = |inv: &Invitation| InvitationView::new(inv, now);
    let answer = state
        .resend_invitation(&auth, &id, retry(&headers, &request), |i| {
            stored(StatusCode::OK, &view(i))
        })
        .await?;
    respond(answer, StatusCode::OK, view)
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
    /// For a site invitation, whether the site's Technician Access is on. While it is off the
    /// invitation can still be accepted, and the access waits until the site's admins switch
    /// it on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub technician_access: Option<bool>,
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
        technician_access,
        account_exists,
    } = state.preview_invitation(&query.token).await?;
    let (role, level) = match &inv.target {
        InvitationTarget::Partner { role } => (Some(role.as_str()), None),
        InvitationTarget::Site { level, .. } => (None, Some(level.as_str())),
        InvitationTarget::SiteAdmin { .. } => (Some("site_admin"), None),
    };
    Ok(Json(InvitationPreview {
        email: inv.email.to_string(),
        partner_name,
        site_name,
        role,
        level,
        technician_access,
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
        (status = 409, body = ErrorBody, description = "used, expired or revoked; `licence_exhausted`: the privileges it sets up need a licence seat that is taken")))]
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
    Ids(partner): Ids<PartnerId>,
    ApiQuery(query): ApiQuery<OutboxQuery>,
) -> ApiResult<Json<Page<OutboxView>>> {
    let paging = Paging {
        limit: query.limit,
        cursor: query.cursor.as_deref(),
    };
    let messages = state
        .outbox(&auth, &partner, query.status.as_deref(), paging)
        .await?;
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
    responses((status = 200, body = super::dto::PartnerView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_partner(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiJson(body): ApiJson<UpdatePartner>,
) -> ApiResult<Json<super::dto::PartnerView>> {
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
