//! `/v1/me/…`: what the caller holds and did, for their own page — the sites they work at, the
//! invitations waiting for them, and their own actions. Any signed-in account reads its own; an
//! API token has no "own" (403).

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::dto::{AuditEventView, ListQuery, Page};
use super::invitations::InvitationView;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::ApiQuery;
use crate::state::AppState;

/// A site the caller works at as a technician.
#[derive(Debug, Serialize, ToSchema)]
pub struct MySiteView {
    /// The site.
    pub site_id: String,
    /// Its name.
    pub site_name: String,
    /// The partner the caller works for there.
    pub partner_id: String,
    /// That partner's name.
    pub partner_name: String,
    /// The permission level.
    pub level: &'static str,
    /// Locked assignments grant nothing until a site admin unlocks them.
    pub locked: bool,
    /// Whether the site's Technician Access is on; while off, nobody enters it.
    pub technician_access: bool,
    /// When the access begins; absent for at once.
    pub starts_at: Option<DateTime<Utc>>,
    /// When the access ends (exclusive); absent for no end.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The sites the caller works at, by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct MySitesView {
    /// Every one of them.
    pub items: Vec<MySiteView>,
}

/// An invitation waiting for the caller, with the names it is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyInvitationView {
    /// The invitation.
    pub invitation: InvitationView,
    /// The inviting partner's name.
    pub partner_name: String,
    /// The site's name, for an invitation to a site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
}

/// The invitations waiting for the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyInvitationsView {
    /// The Pending invitations to the caller's address, oldest first (at most 100); each is
    /// accepted through the link in its email.
    pub items: Vec<MyInvitationView>,
}

/// The sites I work at as a technician, with level, Locked and end of access.
#[utoipa::path(get, path = "/v1/me/sites", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MySitesView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn my_sites(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<MySitesView>> {
    let access = state.my_access(&auth).await?;
    Ok(Json(MySitesView {
        items: access
            .sites
            .into_iter()
            .map(|mine| MySiteView {
                site_id: mine.site.id.to_string(),
                site_name: mine.site.name,
                partner_id: mine.assignment.partner_id.to_string(),
                partner_name: mine.partner_name,
                level: mine.assignment.level.as_str(),
                locked: mine.assignment.locked,
                technician_access: mine.site.technician_access,
                starts_at: mine.assignment.starts_at,
                expires_at: mine.assignment.expires_at,
            })
            .collect(),
    }))
}

/// The invitations waiting for me: Pending, to my address, from any partner.
#[utoipa::path(get, path = "/v1/me/invitations", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MyInvitationsView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn my_invitations(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<MyInvitationsView>> {
    let now = state.now();
    let waiting = state.my_invitations(&auth).await?;
    Ok(Json(MyInvitationsView {
        items: waiting
            .into_iter()
            .map(|mine| MyInvitationView {
                invitation: InvitationView::new(&mine.invitation, now),
                partner_name: mine.partner_name,
                site_name: mine.site_name,
            })
            .collect(),
    }))
}

/// What I did: the audit events where I am the actor, in every tenant, newest first.
#[utoipa::path(get, path = "/v1/me/audit-events", tag = "auth", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = Page<AuditEventView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn my_activity(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<AuditEventView>>> {
    let events = state.my_activity(&auth, query.paging()).await?;
    Ok(Json(Page::from(events, AuditEventView::from)))
}
