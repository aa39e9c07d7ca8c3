//! Partner › Customers and sites (its admins): the sites with their customer, and creating a
//! customer, or a site with its first site admin in one step.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::AppError;
use siteward_app::page::Paging;
use siteward_app::people::Person;
use siteward_core::ids::PartnerId;

use super::lang::Lang;
use super::session::Viewer;
use super::{Chrome, PageIds, csrf_matches, not_found, problem, render, said, with_csrf_cookie};
use crate::error::status_of;
use crate::state::AppState;

struct SiteRow {
    id: String,
    name: String,
    customer: String,
    access: bool,
}

/// Problems with the forms, each next to its field.
#[derive(Debug, Default)]
struct FormErrors {
    general: Option<String>,
    customer_name: Option<String>,
    site_name: Option<String>,
    admin_email: Option<String>,
    admin_name: Option<String>,
    admin_password: Option<String>,
}

impl FormErrors {
    fn of_site(error: &AppError) -> Self {
        let message = Some(said(error));
        match error.field.as_deref() {
            Some("name") => Self {
                site_name: message,
                ..Self::default()
            },
            Some("admin.email") => Self {
                admin_email: message,
                ..Self::default()
            },
            Some("admin.name") => Self {
                admin_name: message,
                ..Self::default()
            },
            Some("admin.password") => Self {
                admin_password: message,
                ..Self::default()
            },
            _ => Self {
                general: message,
                ..Self::default()
            },
        }
    }
}

#[derive(Template)]
#[template(path = "customers.html")]
struct CustomersPage {
    chrome: Chrome,
    csrf: String,
    partner: String,
    partner_id: String,
    /// Customers for the new-site form: id and name.
    customers: Vec<(String, String)>,
    sites: Vec<SiteRow>,
    sites_next: Option<String>,
    errors: FormErrors,
}

/// The list's page.
#[derive(Debug, Default, Deserialize)]
pub struct SitesQuery {
    #[serde(default)]
    sites_after: Option<String>,
}

async fn customers_page(
    state: &AppState,
    viewer: Viewer,
    partner: &PartnerId,
    query: &SitesQuery,
    (status, errors): (StatusCode, FormErrors),
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let first = |cursor| Paging {
        limit: Some(200),
        cursor,
    };
    // Three reads of one page, side by side.
    let (details, customers, sites) = match tokio::join!(
        state.partner(&caller, partner),
        state.customers(&caller, partner, first(None)),
        state.sites(&caller, partner, first(query.sites_after.as_deref())),
    ) {
        (Ok(details), Ok(customers), Ok(sites)) => (details, customers, sites),
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => return problem(&error),
    };
    let names: HashMap<_, _> = customers
        .items
        .iter()
        .map(|c| (c.id.clone(), c.name.clone()))
        .collect();
    let page = CustomersPage {
        csrf: chrome.csrf(),
        chrome,
        partner: details.name,
        partner_id: partner.to_string(),
        sites: sites
            .items
            .into_iter()
            .map(|site| SiteRow {
                id: site.id.to_string(),
                customer: names.get(&site.customer_id).cloned().unwrap_or_default(),
                name: site.name,
                access: site.technician_access,
            })
            .collect(),
        sites_next: sites.next_cursor,
        customers: customers
            .items
            .into_iter()
            .map(|c| (c.id.to_string(), c.name))
            .collect(),
        errors,
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// `GET /partners/{partner_id}/sites`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Query(query): Query<SitesQuery>,
) -> Response {
    let fine = (StatusCode::OK, FormErrors::default());
    customers_page(&state, viewer, &partner, &query, fine).await
}

/// The new-customer form.
#[derive(Debug, Deserialize)]
pub struct CustomerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

fn back(partner: &PartnerId) -> Response {
    Redirect::to(&format!("/partners/{partner}/sites")).into_response()
}

fn expired() -> FormErrors {
    FormErrors {
        general: Some(Lang::current().text().form_expired.to_string()),
        ..FormErrors::default()
    }
}

/// `POST /partners/{partner_id}/customers`.
pub async fn create_customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Form(form): Form<CustomerForm>,
) -> Response {
    let query = SitesQuery::default();
    if !csrf_matches(&headers, &form.csrf) {
        let refused = (StatusCode::FORBIDDEN, expired());
        return customers_page(&state, viewer, &partner, &query, refused).await;
    }
    match state
        .create_customer(&viewer.caller, &partner, &form.name)
        .await
    {
        Ok(_) => back(&partner),
        Err(error) if error.kind == siteward_app::Kind::NotFound => not_found(),
        Err(error) => {
            let errors = FormErrors {
                customer_name: Some(said(&error)),
                ..FormErrors::default()
            };
            let refused = (status_of(error.kind), errors);
            customers_page(&state, viewer, &partner, &query, refused).await
        }
    }
}

/// The new-site form.
#[derive(Debug, Deserialize)]
pub struct SiteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    customer_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    admin_email: String,
    #[serde(default)]
    admin_name: String,
    #[serde(default)]
    admin_password: String,
}

/// `POST /partners/{partner_id}/sites`: the site and its first admin, in one transaction.
pub async fn create_site(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Form(form): Form<SiteForm>,
) -> Response {
    let query = SitesQuery::default();
    if !csrf_matches(&headers, &form.csrf) {
        let refused = (StatusCode::FORBIDDEN, expired());
        return customers_page(&state, viewer, &partner, &query, refused).await;
    }
    let admin = Person {
        email: form.admin_email.clone(),
        name: form.admin_name.clone(),
        password: Some(form.admin_password.clone()).filter(|p| !p.is_empty()),
    };
    match state
        .create_site(
            &viewer.caller,
            &partner,
            &form.customer_id,
            &form.name,
            &admin,
        )
        .await
    {
        Ok(_) => back(&partner),
        Err(error) if error.kind == siteward_app::Kind::NotFound => not_found(),
        Err(error) => {
            let refused = (status_of(error.kind), FormErrors::of_site(&error));
            customers_page(&state, viewer, &partner, &query, refused).await
        }
    }
}
