//! Reading the audit log, per partner, per site, or for the whole platform (operator);
//! exporting it in a format an audit-exporter plugin writes; verifying its tamper-evident
//! chains.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use siteward_app::audit::{AuditExport, AuditHome, EventFilter};
use siteward_app::page::Paging;
use siteward_core::ids::{PartnerId, SiteId};

use super::dto::{AuditEventView, AuditVerificationView, Page};
use super::path::Ids;
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
    #[param(schema_with = super::dto::names::audit_action)]
    pub action: Option<String>,
    /// Only events at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Only events before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
}

impl AuditQuery {
    fn filter(&self) -> EventFilter<'_> {
        EventFilter {
            actor: self.actor.as_deref(),
            action: self.action.as_deref(),
            from: self.from,
            to: self.to,
            person: None,
        }
    }

    fn paging(&self) -> Paging<'_> {
        Paging {
            limit: self.limit,
            cursor: self.cursor.as_deref(),
        }
    }
}

async fn list(
    state: &AppState,
    auth: &Auth,
    home: AuditHome<'_>,
    query: &AuditQuery,
) -> ApiResult<Json<Page<AuditEventView>>> {
    let events = state
        .audit_events(auth, home, query.filter(), query.paging())
        .await?;
    Ok(Json(Page::from(events, AuditEventView::from)))
}

/// Every audit event of the platform (operator only).
#[utoipa::path(get, path = "/v1/audit-events", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = Page<AuditEventView>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn platform_events(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditEventView>>> {
    list(&state, &auth, AuditHome::Platform, &query).await
}

/// A partner's audit events, its sites' included (the partner's admins).
#[utoipa::path(get, path = "/v1/partners/{partner_id}/audit-events", tag = "audit", security(("bearer" = [])),
    params(("partner_id" = String, Path), AuditQuery),
    responses((status = 200, body = Page<AuditEventView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn partner_events(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditEventView>>> {
    list(&state, &auth, AuditHome::Partner(&partner), &query).await
}

/// A site's audit events (the site's admins and the managing partner's admins).
#[utoipa::path(get, path = "/v1/sites/{site_id}/audit-events", tag = "audit", security(("bearer" = [])),
    params(("site_id" = String, Path), AuditQuery),
    responses((status = 200, body = Page<AuditEventView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn site_events(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditEventView>>> {
    list(&state, &auth, AuditHome::Site(&site), &query).await
}

async fn verify(
    state: &AppState,
    auth: &Auth,
    home: AuditHome<'_>,
) -> ApiResult<Json<AuditVerificationView>> {
    let reports = state.verify_audit(auth, home).await?;
    Ok(Json(AuditVerificationView::new(reports)))
}

/// Verifies every tenant's audit chain (operator only): reports, per chain, the first broken
/// link if any — an event altered, removed, inserted or moved, or the end cut off.
#[utoipa::path(get, path = "/v1/audit-events/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = AuditVerificationView), (status = 403, body = ErrorBody)))]
pub async fn verify_platform(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<AuditVerificationView>> {
    verify(&state, &auth, AuditHome::Platform).await
}

/// Verifies the partner's own audit chain (what happened at the partner outside its sites'
/// chains: members, partner invitations, roles, settings).
#[utoipa::path(get, path = "/v1/partners/{partner_id}/audit-events/verify", tag = "audit", security(("bearer" = [])),
    params(("partner_id" = String, Path)),
    responses((status = 200, body = AuditVerificationView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn verify_partner(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
) -> ApiResult<Json<AuditVerificationView>> {
    verify(&state, &auth, AuditHome::Partner(&partner)).await
}

/// Verifies a site's audit chain: everything that happened at the site, whoever did it.
#[utoipa::path(get, path = "/v1/sites/{site_id}/audit-events/verify", tag = "audit", security(("bearer" = [])),
    params(("site_id" = String, Path)),
    responses((status = 200, body = AuditVerificationView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn verify_site(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
) -> ApiResult<Json<AuditVerificationView>> {
    verify(&state, &auth, AuditHome::Site(&site)).await
}

/// What to export, and which events.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `ndjson`, `csv`, `cef` (syslog CEF lines), `ocsf` (OCSF 1.3.0 events, one JSON object
    /// per line), or the name of another installed audit-exporter plugin.
    pub format: String,
    /// Only events by this account or API token id.
    pub actor: Option<String>,
    /// Only events with this action, for example `assignment.locked`.
    #[param(schema_with = super::dto::names::audit_action)]
    pub action: Option<String>,
    /// Only events at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Only events before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

/// Streams every event of `home` that passes the filters, oldest first, formatted by the
/// exporter `format` names, a batch at a time. The first batch is formatted before the answer
/// starts, so an unknown format or a failing exporter is a clean error; a failure later cuts
/// the stream short (and is logged).
async fn export(
    state: AppState,
    auth: &Auth,
    home: AuditHome<'_>,
    query: ExportQuery,
) -> ApiResult<Response> {
    let filter = EventFilter {
        actor: query.actor.as_deref(),
        action: query.action.as_deref(),
        from: query.from,
        to: query.to,
        person: None,
    };
    let export = state
        .export_audit(auth, home, &query.format, filter)
        .await?;
    Ok(export_response(export))
}

/// An export as a download: its first batch, then the rest as the exporter formats it.
pub(crate) fn export_response(export: AuditExport) -> Response {
    let rest = futures_util::stream::unfold(export.rest, |mut rest| async move {
        let batch = rest.next().await?;
        Some((batch.map_err(|e| std::io::Error::other(e.message)), rest))
    });
    let body = futures_util::stream::StreamExt::chain(
        futures_util::stream::iter([Ok::<_, std::io::Error>(export.first)]),
        rest,
    );
    (
        [
            (header::CONTENT_TYPE, export.content_type),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", export.filename),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// Export every audit event of the platform (operator only), streamed in a format.
#[utoipa::path(get, path = "/v1/audit-events/export", tag = "audit", security(("bearer" = [])), params(ExportQuery),
    responses((status = 200, description = "The events in the format, streamed", content_type = "application/octet-stream"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn export_platform(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    export(state, &auth, AuditHome::Platform, query).await
}

/// Export a partner's audit events, its sites' included, streamed in a format (the exporter
/// must be switched on for the partner).
#[utoipa::path(get, path = "/v1/partners/{partner_id}/audit-events/export", tag = "audit", security(("bearer" = [])),
    params(("partner_id" = String, Path), ExportQuery),
    responses((status = 200, description = "The events in the format, streamed", content_type = "application/octet-stream"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn export_partner(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    export(state, &auth, AuditHome::Partner(&partner), query).await
}

/// Export a site's audit events, streamed in a format.
#[utoipa::path(get, path = "/v1/sites/{site_id}/audit-events/export", tag = "audit", security(("bearer" = [])),
    params(("site_id" = String, Path), ExportQuery),
    responses((status = 200, description = "The events in the format, streamed", content_type = "application/octet-stream"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn export_site(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    export(state, &auth, AuditHome::Site(&site), query).await
}
