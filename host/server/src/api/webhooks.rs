//! The webhook delivery log: every call a notification hook asked for, and what became of it.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use siteward_app::page::Paging;
use siteward_app::webhooks::{DeliveryFilter, DeliveryStatus};
use siteward_core::ids::PartnerId;

use super::dto::Page;
use super::path::Ids;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::ApiQuery;
use crate::state::AppState;

/// One webhook delivery, as the log shows it (the body is not kept once it is finished).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// Its id, sent as `Siteward-Delivery` with every attempt.
    pub id: String,
    /// The target's name in the host's configuration.
    pub target: String,
    /// The hook that asked for it.
    pub plugin: String,
    /// The audit event it follows …
    pub event_id: String,
    /// … and that event's action.
    pub event: String,
    /// `pending`, `delivered` or `failed`.
    pub status: &'static str,
    /// Attempts made.
    pub attempts: u32,
    /// The HTTP status of the last answer, if the target answered.
    pub last_status: Option<u16>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the hook asked for it.
    pub created_at: DateTime<Utc>,
    /// When it was delivered or given up on.
    pub finished_at: Option<DateTime<Utc>>,
}

/// Filters and paging for the delivery log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// `pending`, `delivered` or `failed`.
    #[param(pattern = "^(pending|delivered|failed)$")]
    pub status: Option<String>,
    /// Only deliveries to this target.
    pub target: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
}

/// The partner's webhook deliveries, oldest first: delivered, waiting for a retry, failed.
#[utoipa::path(get, path = "/v1/partners/{partner_id}/webhook-deliveries", tag = "plugins", security(("bearer" = [])),
    params(("partner_id" = String, Path), DeliveriesQuery),
    responses((status = 200, body = Page<DeliveryView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn deliveries(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiQuery(query): ApiQuery<DeliveriesQuery>,
) -> ApiResult<Json<Page<DeliveryView>>> {
    let filter = DeliveryFilter {
        status: query.status.as_deref(),
        target: query.target.as_deref(),
    };
    let paging = Paging {
        limit: query.limit,
        cursor: query.cursor.as_deref(),
    };
    let deliveries = state
        .webhook_deliveries(&auth, &partner, filter, paging)
        .await?;
    Ok(Json(Page::from(deliveries, |d| DeliveryView {
        id: d.id.to_string(),
        target: d.target,
        plugin: d.plugin,
        event_id: d.event_id.to_string(),
        event: d.event_kind,
        status: d.status.as_str(),
        attempts: d.attempts,
        last_status: d.last_status,
        last_error: d.last_error,
        next_attempt_at: (d.status == DeliveryStatus::Pending).then_some(d.next_attempt_at),
        created_at: d.created_at,
        finished_at: d.finished_at,
    })))
}
