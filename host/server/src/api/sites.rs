//! Customers, their sites, and site admins.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use siteward_core::access::{Action, authorize};
use siteward_core::audit::{AuditAction, AuditTarget, FieldChange};
use siteward_core::ids::{AccountId, CustomerId, SiteId};
use siteward_core::permission::index::Change;
use siteward_core::tenancy::{Customer, Site, SiteAdmin};
use siteward_core::{FieldError, validate};
use siteward_storage::StorageError;

use super::partners::partner_id;
use super::people::{Linkable, PersonInput, resolve_person};
use super::views::{CustomerView, ListQuery, Page, SiteAdminJson, SiteView};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

pub use siteward_app::sites::SiteAccess;

/// Reads a site the caller may access as asked, or answers 404 / 403.
pub async fn visible_site(
    state: &AppState,
    auth: &Auth,
    id: &str,
    access: SiteAccess,
) -> ApiResult<Site> {
    Ok(state.visible_site(auth, id, access).await?)
}

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
    Path(partner): Path<String>,
    ApiJson(body): ApiJson<CreateCustomer>,
) -> ApiResult<(StatusCode, Json<CustomerView>)> {
    let partner = partner_id(&partner)?;
    authorize(&auth.principal, Action::ManageCustomers(&partner))?;
    state.store.partner(&partner).await?;
    let customer = Customer {
        id: state.new_id(CustomerId::from_trusted),
        partner_id: partner.clone(),
        name: validate::name("name", &body.name)?,
        created_at: state.now(),
    };
    let event = auth.audit.event(
        &state,
        AuditAction::CustomerCreated,
        (Some(&partner), None),
        AuditTarget {
            kind: "customer",
            id: customer.id.to_string(),
        },
        vec![FieldChange::set("name", &customer.name)],
    );
    state.store.create_customer(&customer, &event).await?;
    Ok((StatusCode::CREATED, Json(customer.into())))
}

/// List a partner's customers.
#[utoipa::path(get, path = "/v1/partners/{partner_id}/customers", tag = "customers", security(("bearer" = [])),
    params(("partner_id" = String, Path), ListQuery),
    responses((status = 200, body = Page<CustomerView>), (status = 404, body = ErrorBody)))]
pub async fn list_customers(
    State(state): State<AppState>,
    auth: Auth,
    Path(partner): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<CustomerView>>> {
    let partner = partner_id(&partner)?;
    authorize(&auth.principal, Action::ViewPartner(&partner))?;
    Ok(Json(Page::from(
        state.store.customers(&partner, &query.page()?).await?,
        CustomerView::from,
    )))
}

/// Read a customer.
#[utoipa::path(get, path = "/v1/customers/{customer_id}", tag = "customers", security(("bearer" = [])),
    params(("customer_id" = String, Path)),
    responses((status = 200, body = CustomerView), (status = 404, body = ErrorBody)))]
pub async fn get_customer(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<CustomerView>> {
    let id = CustomerId::parse("customer_id", &id).map_err(|_| ApiError::not_found())?;
    let customer = state.store.customer(&id).await?;
    authorize(&auth.principal, Action::ViewPartner(&customer.partner_id))?;
    Ok(Json(customer.into()))
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
    Path(partner): Path<String>,
    ApiJson(body): ApiJson<CreateSite>,
) -> ApiResult<(StatusCode, Json<SiteView>)> {
    let partner = partner_id(&partner)?;
    authorize(&auth.principal, Action::ManageCustomers(&partner))?;
    let not_ours = || FieldError::new("customer_id", "does not name a customer of this partner");
    let customer_id = CustomerId::parse("customer_id", &body.customer_id)?;
    let customer = match state.store.customer(&customer_id).await {
        Ok(customer) if customer.partner_id == partner => customer,
        Ok(_) | Err(StorageError::NotFound) => return Err(not_ours().into()),
        Err(other) => return Err(other.into()),
    };
    let site = Site {
        id: state.new_id(SiteId::from_trusted),
        customer_id: customer.id,
        partner_id: partner.clone(),
        name: validate::name("name", &body.name)?,
        technician_access: true,
        created_at: state.now(),
    };
    let tenant = (Some(&partner), Some(&site.id));
    let linkable = Linkable::KnownTo {
        partner: &partner,
        customer: &site.customer_id,
    };
    let (person, mut events) =
        resolve_person(&state, &auth, &body.admin, "admin", tenant, linkable).await?;
    let site_admin = SiteAdmin {
        site_id: site.id.clone(),
        account_id: person.account_id().clone(),
        created_at: site.created_at,
    };
    events.push(auth.audit.event(
        &state,
        AuditAction::SiteCreated,
        tenant,
        AuditTarget {
            kind: "site",
            id: site.id.to_string(),
        },
        vec![
            FieldChange::set("name", &site.name),
            FieldChange::set("customer_id", &site.customer_id),
        ],
    ));
    events.push(auth.audit.event(
        &state,
        AuditAction::SiteAdminAdded,
        tenant,
        site_admin_target(&site_admin.account_id),
        vec![],
    ));
    state
        .permissions
        .commit([site.change(), site_admin.change(true)], {
            let site = site.clone();
            move |store| async move {
                store
                    .create_site(&site, &person, &site_admin, &events)
                    .await
            }
        })
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
    Path(partner): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<SiteView>>> {
    let partner = partner_id(&partner)?;
    authorize(&auth.principal, Action::ViewPartner(&partner))?;
    Ok(Json(Page::from(
        state.store.sites(&partner, &query.page()?).await?,
        SiteView::from,
    )))
}

/// Read a site.
#[utoipa::path(get, path = "/v1/sites/{site_id}", tag = "sites", security(("bearer" = [])),
    params(("site_id" = String, Path)),
    responses((status = 200, body = SiteView), (status = 404, body = ErrorBody)))]
pub async fn get_site(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<SiteView>> {
    Ok(Json(
        visible_site(&state, &auth, &id, SiteAccess::View)
            .await?
            .into(),
    ))
}

/// Make an account (existing, or new with a password) an admin of a site.
#[utoipa::path(post, path = "/v1/sites/{site_id}/admins", tag = "sites", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = PersonInput,
    responses((status = 201, body = SiteAdminJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_site_admin(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PersonInput>,
) -> ApiResult<(StatusCode, Json<SiteAdminJson>)> {
    let site = visible_site(&state, &auth, &id, SiteAccess::ManageAdmins).await?;
    let tenant = (Some(&site.partner_id), Some(&site.id));
    let linkable = Linkable::KnownTo {
        partner: &site.partner_id,
        customer: &site.customer_id,
    };
    let (person, mut events) = resolve_person(&state, &auth, &body, "", tenant, linkable).await?;
    let site_admin = SiteAdmin {
        site_id: site.id.clone(),
        account_id: person.account_id().clone(),
        created_at: state.now(),
    };
    events.push(auth.audit.event(
        &state,
        AuditAction::SiteAdminAdded,
        tenant,
        site_admin_target(&site_admin.account_id),
        vec![],
    ));
    state
        .permissions
        .commit([site_admin.change(true)], {
            let site_admin = site_admin.clone();
            move |store| async move { store.add_site_admin(&site_admin, &person, &events).await }
        })
        .await?;
    let account = state.store.account(&site_admin.account_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(SiteAdminJson {
            account_id: account.id.to_string(),
            email: account.email.to_string(),
            name: account.name,
            created_at: site_admin.created_at,
        }),
    ))
}

/// List a site's admins.
#[utoipa::path(get, path = "/v1/sites/{site_id}/admins", tag = "sites", security(("bearer" = [])),
    params(("site_id" = String, Path), ListQuery),
    responses((status = 200, body = Page<SiteAdminJson>), (status = 404, body = ErrorBody)))]
pub async fn list_site_admins(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<SiteAdminJson>>> {
    let site = visible_site(&state, &auth, &id, SiteAccess::View).await?;
    Ok(Json(Page::from(
        state.store.site_admins(&site.id, &query.page()?).await?,
        SiteAdminJson::from,
    )))
}

/// Remove a site admin. The account remains.
#[utoipa::path(delete, path = "/v1/sites/{site_id}/admins/{account_id}", tag = "sites", security(("bearer" = [])),
    params(("site_id" = String, Path), ("account_id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_site_admin(
    State(state): State<AppState>,
    auth: Auth,
    Path((site, account)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let site = visible_site(&state, &auth, &site, SiteAccess::ManageAdmins).await?;
    let account = AccountId::parse("account_id", &account).map_err(|_| ApiError::not_found())?;
    let event = auth.audit.event(
        &state,
        AuditAction::SiteAdminRemoved,
        (Some(&site.partner_id), Some(&site.id)),
        site_admin_target(&account),
        vec![],
    );
    let removed = Change::SiteAdmin {
        site: site.id.key(),
        account: account.key(),
        admin: false,
    };
    state
        .permissions
        .commit([removed], {
            let site = site.id.clone();
            move |store| async move { store.remove_site_admin(&site, &account, &event).await }
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn site_admin_target(account: &AccountId) -> AuditTarget {
    AuditTarget {
        kind: "site_admin",
        id: account.to_string(),
    }
}
