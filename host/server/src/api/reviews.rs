//! Access reviews: who holds access to a site, confirmed or removed by someone answerable.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use siteward_app::page::Paging;
use siteward_app::reviews::{Judgement, ReviewInput, ReviewLine, ReviewView as Reviewed};
use siteward_core::ids::{ReviewId, SiteId};

use super::dto::Page;
use super::path::Ids;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

/// A review of a site's access.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    /// Its id: its audit events (`review.started`, `review.decided`, `review.completed`) name
    /// it as their target.
    pub id: String,
    /// The site.
    pub site_id: String,
    /// The site's name.
    pub site_name: String,
    /// The partner whose technicians it reviews.
    pub partner_id: String,
    /// `account`, `api_token`, or `system` (the site's schedule).
    pub started_by_kind: &'static str,
    /// The account's or token's id.
    pub started_by_id: Option<String>,
    /// The person's name, where a person started it.
    pub started_by_name: Option<String>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When undecided access gets its fate.
    pub deadline: DateTime<Utc>,
    /// What becomes of access nobody confirmed by the deadline: `lock` or `leave`.
    pub unconfirmed: &'static str,
    /// `open` or `completed`.
    pub status: &'static str,
    /// How many technicians it lists.
    pub technicians: u32,
    /// How many of them nobody has decided yet.
    pub pending: u32,
    /// When it completed.
    pub completed_at: Option<DateTime<Utc>>,
}

impl From<Reviewed> for ReviewView {
    fn from(r: Reviewed) -> Self {
        let review = r.review;
        let (kind, id) = review.started_by.kind_and_id();
        Self {
            id: review.id.to_string(),
            site_id: review.site_id.to_string(),
            site_name: r.site_name,
            partner_id: review.partner_id.to_string(),
            started_by_kind: kind,
            started_by_id: id.map(str::to_owned),
            started_by_name: r.started_by_name,
            started_at: review.started_at,
            deadline: review.deadline,
            unconfirmed: review.terms.unconfirmed.as_str(),
            status: review.status.as_str(),
            technicians: review.items,
            pending: review.pending,
            completed_at: review.completed_at,
        }
    }
}

/// One technician's access in a review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewLineView {
    /// The technician's account.
    pub technician_id: String,
    /// Their name.
    pub technician_name: String,
    /// Their email.
    pub technician_email: String,
    /// Their level when the review started.
    pub level: &'static str,
    /// Whether their access was locked then.
    pub locked: bool,
    /// When the access was granted: first unlocked, or created if it never was.
    pub granted_at: DateTime<Utc>,
    /// Who gave the access as it stood: the last to set its level or lock.
    pub granted_by_id: String,
    /// Their name.
    pub granted_by_name: Option<String>,
    /// When the technician last used the access: their last action at the site, or the last
    /// check that let them in (to the minute); absent: never since it was granted.
    pub last_used_at: Option<DateTime<Utc>>,
    /// `pending`, `confirmed`, `removed`, `locked` (unconfirmed at the deadline), `left`
    /// (unconfirmed, left as it was) or `gone` (deleted outside the review first).
    pub verdict: &'static str,
    /// Who decided: `account`, `api_token`, or `system` (the deadline).
    pub decided_by_kind: Option<&'static str>,
    /// The account's or token's id.
    pub decided_by_id: Option<String>,
    /// The person's name.
    pub decided_by_name: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<ReviewLine> for ReviewLineView {
    fn from(line: ReviewLine) -> Self {
        let item = line.item;
        let decided_by = item.decided_by.as_ref().map(|a| {
            let (kind, id) = a.kind_and_id();
            (kind, id.map(str::to_owned))
        });
        Self {
            technician_id: item.technician.to_string(),
            technician_name: line.technician_name,
            technician_email: line.technician_email.to_string(),
            level: item.level.as_str(),
            locked: item.locked,
            granted_at: item.granted_at,
            granted_by_id: item.granted_by.to_string(),
            granted_by_name: line.granted_by_name,
            last_used_at: item.last_used_at,
            verdict: item.verdict.as_str(),
            decided_by_kind: decided_by.as_ref().map(|(kind, _)| *kind),
            decided_by_id: decided_by.and_then(|(_, id)| id),
            decided_by_name: line.decided_by_name,
            decided_at: item.decided_at,
        }
    }
}

/// A new review's terms.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReviewBody {
    /// Days until the deadline (1 to 90; default 14).
    #[schema(minimum = 1, maximum = 90)]
    pub days: Option<u32>,
    /// What becomes of access nobody confirmed by the deadline: `lock` (default) or `leave`.
    #[schema(pattern = "^(lock|leave)$")]
    pub unconfirmed: Option<String>,
}

/// Start a review of a site's access (its admins and site tokens, the partner's people and
/// tokens with `admin.team`): every technician assigned there now is listed, with their level,
/// since when and from whom, and when they last used it. `409 review_open` while another
/// review of the site is open.
#[utoipa::path(post, path = "/v1/sites/{site_id}/reviews", tag = "reviews", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = NewReviewBody,
    responses((status = 201, body = ReviewView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`review_open`"), (status = 422, body = ErrorBody)))]
pub async fn start_review(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiJson(body): ApiJson<NewReviewBody>,
) -> ApiResult<(StatusCode, Json<ReviewView>)> {
    let input = ReviewInput {
        days: body.days,
        unconfirmed: body.unconfirmed,
    };
    let review = state.start_review(&auth, &site, &input).await?;
    Ok((StatusCode::CREATED, Json(review.into())))
}

/// Paging.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
}

/// A site's reviews, newest first (whoever may read its access requests).
#[utoipa::path(get, path = "/v1/sites/{site_id}/reviews", tag = "reviews", security(("bearer" = [])),
    params(("site_id" = String, Path), ReviewQuery),
    responses((status = 200, body = Page<ReviewView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn site_reviews(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiQuery(query): ApiQuery<ReviewQuery>,
) -> ApiResult<Json<Page<ReviewView>>> {
    let paging = Paging {
        limit: query.limit,
        cursor: query.cursor.as_deref(),
    };
    let page = state.site_reviews(&auth, &site, paging).await?;
    Ok(Json(Page::from(page, ReviewView::from)))
}

/// One review.
#[utoipa::path(get, path = "/v1/reviews/{review_id}", tag = "reviews", security(("bearer" = [])),
    params(("review_id" = String, Path)),
    responses((status = 200, body = ReviewView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_review(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<ReviewId>,
) -> ApiResult<Json<ReviewView>> {
    Ok(Json(state.review(&auth, &id).await?.into()))
}

/// Filters and paging for a review's technicians.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LineQuery {
    /// Only technicians with this verdict (`pending` is what is left to decide).
    #[param(pattern = "^(pending|confirmed|removed|locked|left|gone)$")]
    pub verdict: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A review's technicians, in account order.
#[utoipa::path(get, path = "/v1/reviews/{review_id}/technicians", tag = "reviews", security(("bearer" = [])),
    params(("review_id" = String, Path), LineQuery),
    responses((status = 200, body = Page<ReviewLineView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review_technicians(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<ReviewId>,
    ApiQuery(query): ApiQuery<LineQuery>,
) -> ApiResult<Json<Page<ReviewLineView>>> {
    let paging = Paging {
        limit: query.limit,
        cursor: query.cursor.as_deref(),
    };
    let page = state
        .review_lines(&auth, &id, query.verdict.as_deref(), paging)
        .await?;
    Ok(Json(Page::from(page, ReviewLineView::from)))
}

/// Verdicts on technicians in a review.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictBody {
    /// The technicians' account ids (1 to 1,000), each listed by the review and not yet
    /// decided.
    pub technicians: Vec<String>,
    /// `confirm` (their access stays) or `remove` (their access is deleted now).
    #[schema(pattern = "^(confirm|remove)$")]
    pub verdict: String,
}

/// Confirm or remove technicians in an open review (its site's admins and site tokens, the
/// partner's people and tokens with `admin.team`). All or nothing, in one transaction with
/// one `review.decided` event each (and `assignment.deleted` for a removal). The review
/// completes with its last verdict (`review.completed`).
#[utoipa::path(post, path = "/v1/reviews/{review_id}/verdicts", tag = "reviews", security(("bearer" = [])),
    params(("review_id" = String, Path)), request_body = VerdictBody,
    responses((status = 200, body = ReviewView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`already_decided`, `review_completed`"), (status = 422, body = ErrorBody)))]
pub async fn decide_review(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<ReviewId>,
    ApiJson(body): ApiJson<VerdictBody>,
) -> ApiResult<Json<ReviewView>> {
    let judgement = Judgement::parse("verdict", &body.verdict)?;
    let review = state
        .decide_review(&auth, &id, &body.technicians, judgement)
        .await?;
    Ok(Json(review.into()))
}

/// A review as CSV, one row per technician with the verdict and who gave it: the record to
/// file with an auditor.
#[utoipa::path(get, path = "/v1/reviews/{review_id}/export", tag = "reviews", security(("bearer" = [])),
    params(("review_id" = String, Path)),
    responses((status = 200, description = "The review as CSV", content_type = "text/csv"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export_review(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<ReviewId>,
) -> ApiResult<Response> {
    Ok(csv_download(state.review_csv(&auth, &id).await?))
}

/// A review's CSV as a download.
pub(crate) fn csv_download((review, csv): (siteward_core::review::Review, String)) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"review-{}.csv\"", review.id),
            ),
        ],
        csv,
    )
        .into_response()
}
