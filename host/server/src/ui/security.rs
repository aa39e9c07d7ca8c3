//! A site's Settings › Site › Security (reference 002): the Technician Access switch. On, the
//! site's menu becomes "Admins & Technicians" and technicians may enter as their access says;
//! off, no technician passes a check at the site and their screens say why. The site's admins
//! switch it; whoever may see the site reads it. Below it, what the site asks of its admins at
//! sign-in (two-step sign-in, session lifetime, fresh sign-in), set by those who manage its
//! admins; [`PolicyForm`] is that form, which Partner › Settings shows for the team.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::security::{PolicyInput, optional_number};
use siteward_app::sites::SiteAccess;
use siteward_core::ids::SiteId;
use siteward_core::security::SecurityPolicy;

use super::session::Viewer;
use super::site::{SiteNav, Tab};
use super::{Chrome, PageIds, csrf_matches, problem, render, with_csrf_cookie};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "site_security.html")]
struct SecurityPage {
    chrome: Chrome,
    csrf: String,
    nav: SiteNav,
    site: String,
    site_id: String,
    technician_access: bool,
    /// Whether the viewer may switch it.
    may_switch: bool,
    saved: bool,
    /// What the site asks of its admins, for those who manage them.
    policy: Option<PolicyForm>,
}

/// The security settings form of a partner (for its members) or a site (for its admins).
#[derive(Debug)]
pub struct PolicyForm {
    /// Where it posts.
    pub action: String,
    /// Whether two-step sign-in is required.
    pub require_two_factor: bool,
    /// The chosen lifetime in hours, or empty for the host's.
    pub session_hours: String,
    /// The chosen fresh sign-in window in minutes, or empty.
    pub fresh_minutes: String,
    /// The lifetimes offered: value and label.
    pub hours: Vec<(String, String)>,
    /// The windows offered: value and label.
    pub minutes: Vec<(String, String)>,
}

impl PolicyForm {
    /// The form for `policy`, offering lifetimes up to the host's own.
    pub fn new(action: String, policy: SecurityPolicy, host_hours: u32) -> Self {
        let t = super::Lang::current().text();
        let text = |value: Option<u32>| value.map(|v| v.to_string()).unwrap_or_default();
        let mut hours: Vec<u32> = [1, 2, 4, 8, 12, 24, 72, 168]
            .into_iter()
            .filter(|h| *h < host_hours)
            .collect();
        // A lifetime set when the host allowed more stays on offer, so saving keeps it.
        if let Some(chosen) = policy.session_hours
            && !hours.contains(&chosen)
        {
            hours.push(chosen);
            hours.sort_unstable();
        }
        let mut minutes = vec![5, 15, 30, 60, 240, 1440];
        if let Some(chosen) = policy.fresh_sign_in_minutes
            && !minutes.contains(&chosen)
        {
            minutes.push(chosen);
            minutes.sort_unstable();
        }
        Self {
            action,
            require_two_factor: policy.require_two_factor,
            session_hours: text(policy.session_hours),
            fresh_minutes: text(policy.fresh_sign_in_minutes),
            hours: std::iter::once((
                String::new(),
                t.host_lifetime.with("hours", host_hours).into(),
            ))
            .chain(
                hours
                    .into_iter()
                    .map(|h| (h.to_string(), t.hours_count.with("hours", h).into())),
            )
            .collect(),
            minutes: std::iter::once((String::new(), t.not_asked.to_string()))
                .chain(
                    minutes
                        .into_iter()
                        .map(|m| (m.to_string(), t.minutes_count.with("minutes", m).into())),
                )
                .collect(),
        }
    }
}

/// The security settings as a form sends them.
#[derive(Debug, Deserialize)]
pub struct PolicyFields {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    require_two_factor: Option<String>,
    #[serde(default)]
    session_hours: String,
    #[serde(default)]
    fresh_sign_in_minutes: String,
}

impl PolicyFields {
    /// The settings, or the field that is not a number.
    pub fn input(&self) -> Result<PolicyInput, siteward_app::AppError> {
        Ok(PolicyInput {
            require_two_factor: self.require_two_factor.as_deref() == Some("true"),
            session_hours: optional_number("session_hours", &self.session_hours)?,
            fresh_sign_in_minutes: optional_number(
                "fresh_sign_in_minutes",
                &self.fresh_sign_in_minutes,
            )?,
        })
    }
}

/// Whether the page follows a save.
#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /sites/{site_id}/security`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Query(query): Query<SavedQuery>,
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let found = match state.visible_site(&caller, &site, SiteAccess::View).await {
        Ok(found) => found,
        Err(error) => return problem(&error),
    };
    let policy = if SiteAccess::ManageAdmins.allows(&caller, &found) {
        match state.site_security(&caller, &found.id).await {
            Ok(policy) => Some(PolicyForm::new(
                format!("/sites/{}/security/admins", found.id),
                policy,
                state.host_session_hours(),
            )),
            Err(error) => return problem(&error),
        }
    } else {
        None
    };
    let page = SecurityPage {
        policy,
        csrf: chrome.csrf(),
        chrome,
        nav: SiteNav::new(&caller, &found, Tab::Security),
        site: found.name.clone(),
        site_id: found.id.to_string(),
        technician_access: found.technician_access,
        may_switch: SiteAccess::ManageTechnicians.allows(&caller, &found),
        saved: query.saved.is_some(),
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

/// The switch, as the form sends it: `on` or `off`.
#[derive(Debug, Deserialize)]
pub struct SecurityForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    technician_access: String,
}

/// `POST /sites/{site_id}/security`.
pub async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Form(form): Form<SecurityForm>,
) -> Response {
    let path = format!("/sites/{site}/security");
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&path).into_response();
    }
    // Anything but "on" is off: the form offers the two, and off is the safe side.
    let on = form.technician_access == "on";
    match state
        .set_technician_access(&viewer.caller, &site, Some(on))
        .await
    {
        Ok(_) => Redirect::to(&format!("{path}?saved=1")).into_response(),
        Err(error) => problem(&error),
    }
}

/// `POST /sites/{site_id}/security/admins`: what the site asks of its admins.
pub async fn save_admins_policy(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Form(form): Form<PolicyFields>,
) -> Response {
    let path = format!("/sites/{site}/security");
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&path).into_response();
    }
    let done = match form.input() {
        Ok(input) => state.set_site_security(&viewer.caller, &site, input).await,
        Err(error) => Err(error),
    };
    super::back_to(&format!("{path}?saved=1"), done)
}
