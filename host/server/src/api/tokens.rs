//! API tokens: created by a partner's admins or a site's admins, scoped to that tenant,
//! shown once, stored hashed, revocable.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use siteward_core::access::{Action, SiteRef, TokenScope, authorize};
use siteward_core::audit::{AuditAction, AuditTarget, FieldChange};
use siteward_core::ids::{ApiTokenId, PartnerId, SiteId};
use siteward_core::secret::{self, TokenKind};
use siteward_core::validate;
use siteward_storage::{ApiToken, ApiTokenScopeFilter};

use super::partners::partner_id;
use super::sites::{SiteAccess, visible_site};
use super::views::{ApiTokenView, ListQuery, Page};
use crate::auth::{Auth, creator_may_hold};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::{AppState, random};

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

async fn create(
    state: &AppState,
    auth: &Auth,
    scope: TokenScope,
    name: &str,
) -> ApiResult<ApiTokenView> {
    let account = auth.account()?;
    let secret = secret::token_text(TokenKind::Api, random());
    let token = ApiToken {
        id: state.new_id(ApiTokenId::from_trusted),
        name: validate::name("name", name)?,
        scope,
        token_hash: secret::token_hash(&secret),
        created_by: account.id.clone(),
        created_at: state.now(),
        revoked_at: None,
    };
    let event = auth.audit.event(
        state,
        AuditAction::ApiTokenCreated,
        tenant_of(state, &token.scope).await?.as_refs(),
        target(&token.id),
        vec![FieldChange::set("name", &token.name)],
    );
    state.store.create_api_token(&token, &event).await?;
    let mut view = ApiTokenView::new(token, false);
    view.token = Some(secret);
    Ok(view)
}

/// A page of tokens with whether each works now.
async fn views(
    state: &AppState,
    tokens: siteward_core::page::Page<ApiToken>,
) -> ApiResult<Page<ApiTokenView>> {
    let mut items = Vec::with_capacity(tokens.items.len());
    for token in tokens.items {
        // Most creators are not operators: read the account only when that answer is no.
        let works = creator_may_hold(state, &token, false)
            || (state.store.account(&token.created_by).await?.is_operator
                && creator_may_hold(state, &token, true));
        items.push(ApiTokenView::new(token, !works));
    }
    Ok(Page {
        items,
        next_cursor: tokens.next_cursor,
    })
}

/// The audit tenancy of a token scope.
struct Tenant(Option<PartnerId>, Option<SiteId>);

impl Tenant {
    fn as_refs(&self) -> (Option<&PartnerId>, Option<&SiteId>) {
        (self.0.as_ref(), self.1.as_ref())
    }
}

async fn tenant_of(state: &AppState, scope: &TokenScope) -> ApiResult<Tenant> {
    Ok(match scope {
        TokenScope::Partner(p) => Tenant(Some(p.clone()), None),
        TokenScope::Site(s) => Tenant(Some(state.store.site(s).await?.partner_id), Some(s.clone())),
    })
}

/// Create an API token acting as an Admin of the partner. The secret is in this response only.
#[utoipa::path(post, path = "/v1/partners/{partner_id}/api-tokens", tag = "api-tokens", security(("bearer" = [])),
    params(("partner_id" = String, Path)), request_body = CreateApiToken,
    responses((status = 201, body = ApiTokenView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_partner_token(
    State(state): State<AppState>,
    auth: Auth,
    Path(partner): Path<String>,
    ApiJson(body): ApiJson<CreateApiToken>,
) -> ApiResult<(StatusCode, Json<ApiTokenView>)> {
    let partner = partner_id(&partner)?;
    authorize(&auth.principal, Action::ManagePartnerTokens(&partner))?;
    state.store.partner(&partner).await?;
    Ok((
        StatusCode::CREATED,
        Json(create(&state, &auth, TokenScope::Partner(partner), &body.name).await?),
    ))
}

/// List a partner's API tokens (without their secrets).
#[utoipa::path(get, path = "/v1/partners/{partner_id}/api-tokens", tag = "api-tokens", security(("bearer" = [])),
    params(("partner_id" = String, Path), ListQuery),
    responses((status = 200, body = Page<ApiTokenView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_partner_tokens(
    State(state): State<AppState>,
    auth: Auth,
    Path(partner): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<ApiTokenView>>> {
    let partner = partner_id(&partner)?;
    authorize(&auth.principal, Action::ManagePartnerTokens(&partner))?;
    let tokens = state
        .store
        .api_tokens(ApiTokenScopeFilter::Partner(&partner), &query.page()?)
        .await?;
    Ok(Json(views(&state, tokens).await?))
}

/// Create an API token acting as an admin of the site. The secret is in this response only.
#[utoipa::path(post, path = "/v1/sites/{site_id}/api-tokens", tag = "api-tokens", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = CreateApiToken,
    responses((status = 201, body = ApiTokenView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_site_token(
    State(state): State<AppState>,
    auth: Auth,
    Path(site): Path<String>,
    ApiJson(body): ApiJson<CreateApiToken>,
) -> ApiResult<(StatusCode, Json<ApiTokenView>)> {
    let site = visible_site(&state, &auth, &site, SiteAccess::ManageTokens).await?;
    Ok((
        StatusCode::CREATED,
        Json(create(&state, &auth, TokenScope::Site(site.id), &body.name).await?),
    ))
}

/// List a site's API tokens (without their secrets).
#[utoipa::path(get, path = "/v1/sites/{site_id}/api-tokens", tag = "api-tokens", security(("bearer" = [])),
    params(("site_id" = String, Path), ListQuery),
    responses((status = 200, body = Page<ApiTokenView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_site_tokens(
    State(state): State<AppState>,
    auth: Auth,
    Path(site): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<ApiTokenView>>> {
    let site = visible_site(&state, &auth, &site, SiteAccess::ManageTokens).await?;
    let tokens = state
        .store
        .api_tokens(ApiTokenScopeFilter::Site(&site.id), &query.page()?)
        .await?;
    Ok(Json(views(&state, tokens).await?))
}

/// Revoke an API token; it stops working at once.
#[utoipa::path(delete, path = "/v1/api-tokens/{token_id}", tag = "api-tokens", security(("bearer" = [])),
    params(("token_id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = ApiTokenId::parse("token_id", &id).map_err(|_| ApiError::not_found())?;
    let token = state.store.api_token(&id).await?;
    let tenant = tenant_of(&state, &token.scope).await?;
    match (&token.scope, &tenant.0) {
        (TokenScope::Partner(p), _) => authorize(&auth.principal, Action::ManagePartnerTokens(p))?,
        (TokenScope::Site(s), Some(p)) => authorize(
            &auth.principal,
            Action::ManageSiteTokens(SiteRef {
                site: s,
                partner: p,
            }),
        )?,
        (TokenScope::Site(_), None) => return Err(ApiError::not_found()),
    }
    if token.revoked_at.is_none() {
        let event = auth.audit.event(
            &state,
            AuditAction::ApiTokenRevoked,
            tenant.as_refs(),
            target(&token.id),
            vec![],
        );
        state
            .store
            .revoke_api_token(&token.id, state.now(), &event)
            .await?;
        state.api_tokens().forget_all();
    }
    Ok(StatusCode::NO_CONTENT)
}

fn target(id: &ApiTokenId) -> AuditTarget {
    AuditTarget {
        kind: "api_token",
        id: id.to_string(),
    }
}
