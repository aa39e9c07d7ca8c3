//! API tokens: created by a partner's admins or a site's admins, scoped to that tenant,
//! shown once, stored hashed, revocable.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use siteward_app::tokens::{ListedToken, NewToken, TokenHome};
use siteward_core::ids::{ApiTokenId, PartnerId, SiteId};

use super::dto::{ApiTokenView, ListQuery, Page};
use super::path::Ids;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

/// A new API token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiToken {
    /// A name to recognise it by, for example the integration's name.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: String,
}

fn created(new: NewToken) -> (StatusCode, Json<ApiTokenView>) {
    let mut view = ApiTokenView::new(new.token, false);
    view.token = Some(new.secret);
    (StatusCode::CREATED, Json(view))
}

fn listed(tokens: siteward_core::page::Page<ListedToken>) -> Json<Page<ApiTokenView>> {
    Json(Page {
        items: tokens
            .items
            .into_iter()
            .map(|t| ApiTokenView::new(t.token, t.suspended))
            .collect(),
        next_cursor: tokens.next_cursor,
    })
}

/// Create an API token acting as an Admin of the partner. The secret is in this response only.
#[utoipa::path(post, path = "/v1/partners/{partner_id}/api-tokens", tag = "api-tokens", security(("bearer" = [])),
    params(("partner_id" = String, Path)), request_body = CreateApiToken,
    responses((status = 201, body = ApiTokenView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_partner_token(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiJson(body): ApiJson<CreateApiToken>,
) -> ApiResult<(StatusCode, Json<ApiTokenView>)> {
    let home = TokenHome::Partner(&partner);
    Ok(created(
        state.create_api_token(&auth, home, &body.name).await?,
    ))
}

/// List a partner's API tokens (without their secrets).
#[utoipa::path(get, path = "/v1/partners/{partner_id}/api-tokens", tag = "api-tokens", security(("bearer" = [])),
    params(("partner_id" = String, Path), ListQuery),
    responses((status = 200, body = Page<ApiTokenView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_partner_tokens(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<ApiTokenView>>> {
    let home = TokenHome::Partner(&partner);
    Ok(listed(
        state.list_api_tokens(&auth, home, query.paging()).await?,
    ))
}

/// Create an API token acting as an admin of the site. The secret is in this response only.
#[utoipa::path(post, path = "/v1/sites/{site_id}/api-tokens", tag = "api-tokens", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = CreateApiToken,
    responses((status = 201, body = ApiTokenView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_site_token(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiJson(body): ApiJson<CreateApiToken>,
) -> ApiResult<(StatusCode, Json<ApiTokenView>)> {
    let home = TokenHome::Site(&site);
    Ok(created(
        state.create_api_token(&auth, home, &body.name).await?,
    ))
}

/// List a site's API tokens (without their secrets).
#[utoipa::path(get, path = "/v1/sites/{site_id}/api-tokens", tag = "api-tokens", security(("bearer" = [])),
    params(("site_id" = String, Path), ListQuery),
    responses((status = 200, body = Page<ApiTokenView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_site_tokens(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<ApiTokenView>>> {
    let home = TokenHome::Site(&site);
    Ok(listed(
        state.list_api_tokens(&auth, home, query.paging()).await?,
    ))
}

/// Revoke an API token; it stops working at once.
#[utoipa::path(delete, path = "/v1/api-tokens/{token_id}", tag = "api-tokens", security(("bearer" = [])),
    params(("token_id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<ApiTokenId>,
) -> ApiResult<StatusCode> {
    state
        .revoke_api_token(&auth, &id, state.api_tokens())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
