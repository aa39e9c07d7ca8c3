//! Reading the audit log, per partner, per site, or for the whole platform (operator), and
//! verifying its tamper-evident chains.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use siteward_core::access::{Action, authorize};
use siteward_core::audit::{AuditAction, AuditFilter, AuditScope};
use siteward_core::page::PageRequest;

use super::partners::partner_id;
use super::sites::{SiteAccess, visible_site};
use super::views::{AuditEventView, AuditVerificationView, Page};
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::ApiQuery;
use crate::state::AppState;

/// Filters and paging for audit lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events by this account or API token id (for example one technician's actions).
    pub actor: Option<String>,
    /// Only events with this action, for example `member.added`.
    pub action: Option<String>,
    /// Only events at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Only events before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl AuditQuery {
    fn parse(&self) -> ApiResult<(AuditFilter, PageRequest)> {
        let filter = AuditFilter {
            actor: self.actor.clone(),
            action: self
                .action
                .as_deref()
                .map(|a| AuditAction::parse("action", a))
                .transpose()?,
            from: self.from,
            to: self.to,
        };
        Ok((
            filter,
            PageRequest::parse(self.limit, self.cursor.as_deref())?,
        ))
    }
}

async fn list(
    state: &AppState,
    scope: AuditScope,
    query: &AuditQuery,
) -> ApiResult<Json<Page<AuditEventView>>> {
    let (filter, page) = query.parse()?;
    Ok(Json(Page::from(
        state.store.audit_events(&scope, &filter, &page).await?,
        AuditEventView::from,
    )))
}

/// Every audit event of the platform (operator only).
#[utoipa::path(get, path = "/v1/audit-events", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = Page<AuditEventView>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn platform_events(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditEventView>>> {
    authorize(&auth.principal, Action::OperatePlatform)?;
    list(&state, AuditScope::Platform, &query).await
}

/// A partner's audit events, its sites' included (the partner's admins).
#[utoipa::path(get, path = "/v1/partners/{partner_id}/audit-events", tag = "audit", security(("bearer" = [])),
    params(("partner_id" = String, Path), AuditQuery),
    responses((status = 200, body = Page<AuditEventView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn partner_events(
    State(state): State<AppState>,
    auth: Auth,
    Path(partner): Path<String>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditEventView>>> {
    let partner = partner_id(&partner)?;
    authorize(&auth.principal, Action::ViewPartnerAudit(&partner))?;
    list(&state, AuditScope::Partner(partner), &query).await
}

/// A site's audit events (the site's admins and the managing partner's admins).
#[utoipa::path(get, path = "/v1/sites/{site_id}/audit-events", tag = "audit", security(("bearer" = [])),
    params(("site_id" = String, Path), AuditQuery),
    responses((status = 200, body = Page<AuditEventView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn site_events(
    State(state): State<AppState>,
    auth: Auth,
    Path(site): Path<String>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditEventView>>> {
    let site = visible_site(&state, &auth, &site, SiteAccess::ViewAudit).await?;
    list(&state, AuditScope::Site(site.id), &query).await
}

async fn verify(state: &AppState, scope: &AuditScope) -> ApiResult<AuditVerificationView> {
    let key = state.audit.checkpoint_key.as_deref();
    Ok(crate::audit::verify(&state.store, scope, key).await?)
}

/// Verifies every tenant's audit chain (operator only): reports, per chain, the first broken
/// link if any — an event altered, removed, inserted or moved, or the end cut off.
#[utoipa::path(get, path = "/v1/audit-events/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = AuditVerificationView), (status = 403, body = ErrorBody)))]
pub async fn verify_platform(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<AuditVerificationView>> {
    authorize(&auth.principal, Action::OperatePlatform)?;
    Ok(Json(verify(&state, &AuditScope::Platform).await?))
}

/// Verifies the partner's own audit chain (what happened at the partner outside its sites'
/// chains: members, partner invitations, roles, settings).
#[utoipa::path(get, path = "/v1/partners/{partner_id}/audit-events/verify", tag = "audit", security(("bearer" = [])),
    params(("partner_id" = String, Path)),
    responses((status = 200, body = AuditVerificationView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn verify_partner(
    State(state): State<AppState>,
    auth: Auth,
    Path(partner): Path<String>,
) -> ApiResult<Json<AuditVerificationView>> {
    let partner = partner_id(&partner)?;
    authorize(&auth.principal, Action::ViewPartnerAudit(&partner))?;
    Ok(Json(verify(&state, &AuditScope::Partner(partner)).await?))
}

/// Verifies a site's audit chain: everything that happened at the site, whoever did it.
#[utoipa::path(get, path = "/v1/sites/{site_id}/audit-events/verify", tag = "audit", security(("bearer" = [])),
    params(("site_id" = String, Path)),
    responses((status = 200, body = AuditVerificationView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn verify_site(
    State(state): State<AppState>,
    auth: Auth,
    Path(site): Path<String>,
) -> ApiResult<Json<AuditVerificationView>> {
    let site = visible_site(&state, &auth, &site, SiteAccess::ViewAudit).await?;
    Ok(Json(verify(&state, &AuditScope::Site(site.id)).await?))
}
