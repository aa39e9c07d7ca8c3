//! Customers, their sites, and site admins.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use siteward_app::sites::AddedSiteAdmin;
use siteward_core::invitation::Invitation;
use utoipa::ToSchema;

use super::dto::{CustomerView, ListQuery, Page, SiteAdminJson, SiteView};
use super::idempotency::{request_text, respond, retry, stored};
use super::invitations::InvitationView;
use super::path::Ids;
use super::people::PersonInput;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

use siteward_core::ids::{AccountId, CustomerId, PartnerId, SiteId};

pub use siteward_app::sites::SiteAccess;

/// A new customer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomer {
    /// The customer's name.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: String,
}

/// Create a customer of a partner.
#[utoipa::path(post, path = "/v1/partners/{partner_id}/customers", tag = "customers", security(("bearer" = [])),
    params(("partner_id" = String, Path)), request_body = CreateCustomer,
    responses((status = 201, body = CustomerView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_customer(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiJson(body): ApiJson<CreateCustomer>,
) -> ApiResult<(StatusCode, Json<CustomerView>)> {
    let customer = state.create_customer(&auth, &partner, &body.name).await?;
    Ok((StatusCode::CREATED, Json(customer.into())))
}

/// List a partner's customers.
#[utoipa::path(get, path = "/v1/partners/{partner_id}/customers", tag = "customers", security(("bearer" = [])),
    params(("partner_id" = String, Path), ListQuery),
    responses((status = 200, body = Page<CustomerView>), (status = 404, body = ErrorBody)))]
pub async fn list_customers(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<CustomerView>>> {
    let customers = state.customers(&auth, &partner, query.paging()).await?;
    Ok(Json(Page::from(customers, CustomerView::from)))
}

/// Read a customer.
#[utoipa::path(get, path = "/v1/customers/{customer_id}", tag = "customers", security(("bearer" = [])),
    params(("customer_id" = String, Path)),
    responses((status = 200, body = CustomerView), (status = 404, body = ErrorBody)))]
pub async fn get_customer(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<CustomerId>,
) -> ApiResult<Json<CustomerView>> {
    Ok(Json(state.customer(&auth, &id).await?.into()))
}

/// A new site and its first site admin.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSite {
    /// The customer that owns the site.
    #[schema(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub customer_id: String,
    /// The site's name.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: String,
    /// The first site admin: an existing account (by email) or a new one (with a password).
    pub admin: PersonInput,
}

/// Create a site of one of the partner's customers, with its first site admin, in one transaction.
#[utoipa::path(post, path = "/v1/partners/{partner_id}/sites", tag = "sites", security(("bearer" = [])),
    params(("partner_id" = String, Path)), request_body = CreateSite,
    responses((status = 201, body = SiteView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_site(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiJson(body): ApiJson<CreateSite>,
) -> ApiResult<(StatusCode, Json<SiteView>)> {
    let admin = body.admin.person();
    let site = state
        .create_site(&auth, &partner, &body.customer_id, &body.name, &admin)
        .await?;
    Ok((StatusCode::CREATED, Json(site.into())))
}

/// List a partner's sites.
#[utoipa::path(get, path = "/v1/partners/{partner_id}/sites", tag = "sites", security(("bearer" = [])),
    params(("partner_id" = String, Path), ListQuery),
    responses((status = 200, body = Page<SiteView>), (status = 404, body = ErrorBody)))]
pub async fn list_sites(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<SiteView>>> {
    let sites = state.sites(&auth, &partner, query.paging()).await?;
    Ok(Json(Page::from(sites, SiteView::from)))
}

/// Read a site.
#[utoipa::path(get, path = "/v1/sites/{site_id}", tag = "sites", security(("bearer" = [])),
    params(("site_id" = String, Path)),
    responses((status = 200, body = SiteView), (status = 404, body = ErrorBody)))]
pub async fn get_site(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<SiteId>,
) -> ApiResult<Json<SiteView>> {
    let site = state.visible_site(&auth, &id, SiteAccess::View).await?;
    Ok(Json(site.into()))
}

/// Make someone an admin of a site (its admins, and the partner's). A new account with a
/// password, for an address no account has, or an account the site's tenant already has (a
/// member of its partner, an admin of another site of its customer), is its admin at once
/// (`201`). Anyone else — an account of another organisation, or an address without a
/// password — is sent an invitation to become its admin (`202`, the invitation: `kind`
/// `site_admin`), the same answer whether the address has an account; they are its admin once
/// they accept. A retry with the same `Idempotency-Key` gets the first answer.
#[utoipa::path(post, path = "/v1/sites/{site_id}/admins", tag = "sites", security(("bearer" = [])),
    params(("site_id" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = PersonInput,
    responses((status = 201, body = SiteAdminJson), (status = 202, body = InvitationView),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`already_site_admin`, `already_technician`, `account_exists`; for an invitation, `already_at_site`, `already_invited`"),
        (status = 422, body = ErrorBody)))]
pub async fn add_site_admin(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<SiteId>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PersonInput>,
) -> ApiResult<Response> {
    match state.add_site_admin(&auth, &id, &body.person()).await? {
        AddedSiteAdmin::Admin(added) => Ok((
            StatusCode::CREATED,
            Json(SiteAdminJson {
                account_id: added.account.id.to_string(),
                email: added.account.email.to_string(),
                name: added.account.name,
                created_at: added.created_at,
            }),
        )
            .into_response()),
        AddedSiteAdmin::Invite => {
            let request = request_text(&body)?;
            let now = state.now();
            let view = |invitation: &Invitation| InvitationView::new(invitation, now);
            let answer = state
                .invite_site_admin(
                    &auth,
                    &id,
                    &body.email,
                    None,
                    retry(&headers, &request),
                    |i| stored(StatusCode::ACCEPTED, &view(i)),
                )
                .await?;
            respond(answer, StatusCode::ACCEPTED, view)
        }
    }
}

/// List a site's admins.
#[utoipa::path(get, path = "/v1/sites/{site_id}/admins", tag = "sites", security(("bearer" = [])),
    params(("site_id" = String, Path), ListQuery),
    responses((status = 200, body = Page<SiteAdminJson>), (status = 404, body = ErrorBody)))]
pub async fn list_site_admins(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<SiteId>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<SiteAdminJson>>> {
    let admins = state.site_admins(&auth, &id, query.paging()).await?;
    Ok(Json(Page::from(admins, SiteAdminJson::from)))
}

/// Remove a site admin. The account remains.
#[utoipa::path(delete, path = "/v1/sites/{site_id}/admins/{account_id}", tag = "sites", security(("bearer" = [])),
    params(("site_id" = String, Path), ("account_id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_site_admin(
    State(state): State<AppState>,
    auth: Auth,
    Ids((site, account)): Ids<(SiteId, AccountId)>,
) -> ApiResult<StatusCode> {
    state.remove_site_admin(&auth, &site, &account).await?;
    Ok(StatusCode::NO_CONTENT)
}
