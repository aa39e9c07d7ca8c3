//! A site's Admins & Technicians › Admins (reference 002): the site's admins, one added by
//! email — an account the site's tenant already has, or a new one with a password — and one
//! removed after a confirmation. Anyone who may see the site reads the list; its admins and
//! the partner's change it.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::AppError;
use siteward_app::page::Paging;
use siteward_app::people::Person;
use siteward_app::sites::{AddedSiteAdmin, SiteAccess};
use siteward_core::ids::{AccountId, SiteId};

use super::lang::Lang;
use super::session::Viewer;
use super::site::{SiteNav, Tab};
use super::{
    Chrome, CsrfForm, NO_RETRY, PageIds, ask_first, back_to, csrf_matches, not_found, not_stored,
    problem, render, said, with_csrf_cookie,
};
use crate::error::status_of;
use crate::state::AppState;

struct AdminRow {
    account_id: String,
    name: String,
    email: String,
    since: String,
}

/// Problems with the add form, each next to its field.
#[derive(Debug, Default)]
struct FormErrors {
    general: Option<String>,
    email: Option<String>,
    name: Option<String>,
    password: Option<String>,
}

impl FormErrors {
    fn of(error: &AppError) -> Self {
        let message = Some(said(error));
        match error.field.as_deref() {
            Some("email") => Self {
                email: message,
                ..Self::default()
            },
            Some("name") => Self {
                name: message,
                ..Self::default()
            },
            Some("password") => Self {
                password: message,
                ..Self::default()
            },
            _ => Self {
                general: message,
                ..Self::default()
            },
        }
    }
}

/// The add form as sent, kept when it is refused (never the password).
#[derive(Debug, Default, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "site_admins.html")]
struct AdminsPage {
    chrome: Chrome,
    csrf: String,
    nav: SiteNav,
    site: String,
    site_id: String,
    admins: Vec<AdminRow>,
    next: Option<String>,
    /// Whether the viewer adds and removes admins.
    manage: bool,
    form: AddForm,
    errors: FormErrors,
    /// What the last action did.
    done: Option<&'static str>,
}

/// The list's page, and what the last action did (`added` or `removed`).
#[derive(Debug, Default, Deserialize)]
pub struct AdminsQuery {
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    done: String,
}

fn admins_path(site: &SiteId) -> String {
    format!("/sites/{site}/admins")
}

async fn admins_page(
    state: &AppState,
    viewer: Viewer,
    site: &SiteId,
    query: &AdminsQuery,
    (status, form, errors): (StatusCode, AddForm, FormErrors),
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let found = match state.visible_site(&caller, site, SiteAccess::View).await {
        Ok(found) => found,
        Err(error) => return problem(&error),
    };
    let paging = Paging {
        limit: Some(50),
        cursor: query.after.as_deref(),
    };
    let admins = match state.site_admins(&caller, site, paging).await {
        Ok(admins) => admins,
        Err(error) => return problem(&error),
    };
    let lang = Lang::current();
    let t = lang.text();
    let page = AdminsPage {
        csrf: chrome.csrf(),
        chrome,
        nav: SiteNav::new(&caller, &found, Tab::Admins),
        site: found.name.clone(),
        site_id: found.id.to_string(),
        admins: admins
            .items
            .into_iter()
            .map(|admin| AdminRow {
                account_id: admin.site_admin.account_id.to_string(),
                name: admin.name,
                email: admin.email.to_string(),
                since: lang.date(admin.site_admin.created_at),
            })
            .collect(),
        next: admins.next_cursor,
        manage: SiteAccess::ManageAdmins.allows(&caller, &found),
        form: AddForm {
            password: String::new(),
            ..form
        },
        errors,
        done: match query.done.as_str() {
            "added" => Some(t.site_admin_added.as_str()),
            "invited" => Some(t.site_admin_invited.as_str()),
            "removed" => Some(t.site_admin_removed.as_str()),
            _ => None,
        },
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// `GET /sites/{site_id}/admins`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Query(query): Query<AdminsQuery>,
) -> Response {
    let fine = (StatusCode::OK, AddForm::default(), FormErrors::default());
    admins_page(&state, viewer, &site, &query, fine).await
}

/// `POST /sites/{site_id}/admins`: adds an admin.
pub async fn add(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Form(form): Form<AddForm>,
) -> Response {
    let query = AdminsQuery::default();
    if !csrf_matches(&headers, &form.csrf) {
        let errors = FormErrors {
            general: Some(Lang::current().text().form_expired.to_string()),
            ..FormErrors::default()
        };
        let refused = (StatusCode::FORBIDDEN, form, errors);
        return admins_page(&state, viewer, &site, &query, refused).await;
    }
    let person = Person {
        email: form.email.clone(),
        name: form.name.clone(),
        password: Some(form.password.clone()).filter(|p| !p.is_empty()),
    };
    let added = match state.add_site_admin(&viewer.caller, &site, &person).await {
        Ok(AddedSiteAdmin::Invite) => state
            .invite_site_admin(
                &viewer.caller,
                &site,
                &form.email,
                None,
                NO_RETRY,
                not_stored,
            )
            .await
            .map(|_| "invited"),
        Ok(AddedSiteAdmin::Admin(_)) => Ok("added"),
        Err(error) => Err(error),
    };
    match added {
        Ok(done) => Redirect::to(&format!("{}?done={done}", admins_path(&site))).into_response(),
        Err(error) if error.kind == siteward_app::Kind::NotFound => not_found(),
        Err(error) => {
            let refused = (status_of(error.kind), form, FormErrors::of(&error));
            admins_page(&state, viewer, &site, &query, refused).await
        }
    }
}

/// `GET /sites/{site_id}/admins/{account_id}/remove`: asks first.
pub async fn confirm_remove(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds((site, account)): PageIds<(SiteId, AccountId)>,
) -> Response {
    let admin = match state.site_admin(&viewer.caller, &site, &account).await {
        Ok(admin) => admin,
        Err(error) => return problem(&error),
    };
    let t = viewer.chrome.t;
    ask_first(
        viewer,
        t.remove_site_admin_heading.as_str(),
        t.remove_site_admin_question
            .with("who", format!("{} ({})", admin.name, admin.email))
            .into(),
        t.remove_site_admin.as_str(),
        (
            format!("/sites/{site}/admins/{account}/remove"),
            admins_path(&site),
        ),
    )
}

/// `POST /sites/{site_id}/admins/{account_id}/remove`.
pub async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((site, account)): PageIds<(SiteId, AccountId)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&admins_path(&site)).into_response();
    }
    let removed = state
        .remove_site_admin(&viewer.caller, &site, &account)
        .await;
    back_to(&format!("{}?done=removed", admins_path(&site)), removed)
}
