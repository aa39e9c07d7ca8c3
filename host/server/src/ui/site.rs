//! A site's portal for its admins (reference 002), one tab per menu: Admins & Technicians ›
//! Technicians — each technician with level, Locked or not and end of access; a level changed
//! from its row after a confirmation, locked and unlocked by its toggle, several at once locked,
//! unlocked, given one level or deleted after a confirmation that names how many people it
//! touches (a mixed selection becomes all locked or all unlocked, as asked); technicians
//! waiting for their first unlock stand out. Below them, the site's invitations with their
//! status, which the partner's admins resend or revoke, and their way to the picker.
//!
//! While the site's Technician Access is off the tab says why technicians cannot be managed,
//! and where to turn it on.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::auth::Caller;
use siteward_app::invite::may_invite;
use siteward_app::page::Paging;
use siteward_app::sites::SiteAccess;
use siteward_app::technicians::{TechnicianChange, TechnicianFilter};
use siteward_core::FieldError;
use siteward_core::ids::{AccountId, SiteId};
use siteward_core::invitation::PermissionLevel;
use siteward_core::tenancy::Site;

use super::audit::site_person_audit;
use super::lang::Lang;
use super::session::Viewer;
use super::{
    Chrome, ConfirmPage, CsrfForm, InvitationRow, LevelOption, Notice, PageIds, back_to,
    csrf_matches, day_after, day_start, level_name, level_options, problem, render,
    with_csrf_cookie,
};
use crate::state::AppState;

/// A tab of a site's portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Admins & Technicians › Admins.
    Admins,
    /// Admins & Technicians › Technicians.
    Technicians,
    /// Settings › Site › Security.
    Security,
    /// Devices.
    Devices,
    /// Access requests.
    AccessRequests,
    /// Access reviews.
    Reviews,
}

/// The tabs above each page of a site's portal, as the viewer may use them. With Technician
/// Access off the menu is "Admins" alone; on, it is "Admins & Technicians" with both tabs.
#[derive(Debug)]
pub struct SiteNav {
    pub(super) site_id: String,
    /// The current tab, as the template compares it.
    pub(super) current: &'static str,
    pub(super) technician_access: bool,
    /// Whether the viewer reads the site's audit log.
    pub(super) audit: bool,
    /// Whether the viewer manages the site's devices.
    pub(super) devices: bool,
    /// Whether the viewer reads the site's access requests.
    pub(super) requests: bool,
}

impl SiteNav {
    /// The tabs of `site` for `caller`, on `current`.
    pub fn new(caller: &Caller, site: &Site, current: Tab) -> Self {
        Self {
            site_id: site.id.to_string(),
            current: match current {
                Tab::Admins => "admins",
                Tab::Technicians => "technicians",
                Tab::Security => "security",
                Tab::Devices => "devices",
                Tab::AccessRequests => "access_requests",
                Tab::Reviews => "reviews",
            },
            requests: SiteAccess::ReviewAccess.allows(caller, site),
            devices: SiteAccess::ManageDevices.allows(caller, site),
            technician_access: site.technician_access,
            audit: SiteAccess::ViewAudit.allows(caller, site),
        }
    }
}

struct TechnicianRow {
    account_id: String,
    name: String,
    email: String,
    /// Name and email: what the row's controls are labelled with (names repeat).
    who: String,
    level: &'static str,
    level_value: &'static str,
    locked: bool,
    /// Never unlocked yet: waiting for the site's first unlock.
    waiting: bool,
    until: String,
    /// When they last acted at the site, if ever.
    last_activity: Option<LastActivity>,
}

/// The day a technician last acted at a site, linked to the site's log of their actions.
struct LastActivity {
    day: String,
    /// The moment, for `<time datetime>`.
    at: String,
    log: String,
}

#[derive(Template)]
#[template(path = "site_technicians.html")]
struct TechniciansPage {
    chrome: Chrome,
    csrf: String,
    nav: SiteNav,
    site: String,
    site_id: String,
    technicians: Vec<TechnicianRow>,
    next: Option<String>,
    /// Whether the viewer changes technicians here: the site's admins, while Technician
    /// Access is on.
    manage_technicians: bool,
    /// Whether the viewer locks, unlocks and deletes access here: the site's admins and the
    /// partner's admins, while Technician Access is on.
    lock_technicians: bool,
    /// Whether the viewer may turn Technician Access on (shown when it is off).
    may_switch: bool,
    levels: Vec<LevelOption>,
    /// What the last action did, said at the top.
    done: Option<String>,
    /// The site's invitations, when the viewer may see them.
    invitations: Option<Vec<InvitationRow>>,
    invitations_next: Option<String>,
    /// Whether the viewer invites to the site, resends and revokes (the partner's admins).
    manage: bool,
    /// Whether the viewer revokes the site's invitations (also the site's admins, who see
    /// them; resending stays with the partner).
    revoke_invitations: bool,
}

/// The page's paging, and what the last action did.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    invitations_after: Option<String>,
    /// The action that led here: `locked`, `unlocked`, `level`, `deleted` or `end`.
    #[serde(default)]
    done: String,
    /// How many technicians it touched.
    #[serde(default)]
    n: usize,
}

/// The page's own path.
fn technicians_path(site: &SiteId) -> String {
    format!("/sites/{site}/technicians")
}

/// Back to the list, saying what was done to how many.
fn done(site: &SiteId, what: &str, n: usize) -> String {
    format!("/sites/{site}/technicians?done={what}&n={n}")
}

/// `GET /sites/{site_id}/technicians`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Query(query): Query<PageQuery>,
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
    let page_of = |cursor| Paging {
        limit: Some(50),
        cursor,
    };
    let see_invitations = SiteAccess::ManageAdmins.allows(&caller, &found);
    let (technicians, invitations) = tokio::join!(
        state.site_technicians(
            &caller,
            &site,
            TechnicianFilter::default(),
            page_of(query.after.as_deref())
        ),
        async {
            match see_invitations {
                true => state
                    .site_invitations(
                        &caller,
                        &site,
                        None,
                        page_of(query.invitations_after.as_deref()),
                    )
                    .await
                    .map(Some),
                false => Ok(None),
            }
        },
    );
    let (technicians, invitations) = match (technicians, invitations) {
        (Ok(technicians), Ok(invitations)) => (technicians, invitations),
        (Err(error), _) | (_, Err(error)) => return problem(&error),
    };
    let now = state.now();
    let lang = Lang::current();
    let t = lang.text();
    let may_switch = SiteAccess::ManageTechnicians.allows(&caller, &found);
    let done = match query.done.as_str() {
        "locked" => Some(t.done_locked),
        "unlocked" => Some(t.done_unlocked),
        "level" => Some(t.done_level),
        "deleted" => Some(t.done_deleted),
        "end" => Some(t.done_end),
        _ => None,
    }
    .map(|msg| msg.with("n", lang.number(query.n as u64)).into());
    let invitations_next = invitations.as_ref().and_then(|p| p.next_cursor.clone());
    let csrf = chrome.csrf();
    let page = TechniciansPage {
        chrome,
        csrf,
        nav: SiteNav::new(&caller, &found, Tab::Technicians),
        site: found.name.clone(),
        site_id: site.to_string(),
        technicians: technicians
            .items
            .into_iter()
            .map(|t| TechnicianRow {
                account_id: t.assignment.account_id.to_string(),
                who: format!("{} ({})", t.name, t.email),
                name: t.name,
                email: t.email.to_string(),
                level: level_name(t.assignment.level),
                level_value: t.assignment.level.as_str(),
                locked: t.assignment.locked,
                waiting: t.assignment.first_unlocked_at.is_none(),
                until: {
                    let end = t
                        .assignment
                        .expires_at
                        .map_or_else(|| lang.text().no_end.to_string(), |end| lang.date_time(end));
                    // Access that has not begun yet says from when.
                    match t.assignment.starts_at.filter(|start| *start > now) {
                        Some(start) => format!(
                            "{}; {end}",
                            lang.text().from_day.with("from", lang.date_time(start))
                        ),
                        None => end,
                    }
                },
                last_activity: t.assignment.last_activity_at.map(|at| LastActivity {
                    day: lang.date(at),
                    at: at.to_rfc3339(),
                    log: site_person_audit(&found.id, t.email.as_str()),
                }),
            })
            .collect(),
        next: technicians.next_cursor,
        manage_technicians: may_switch && found.technician_access,
        lock_technicians: SiteAccess::LockTechnicians.allows(&caller, &found)
            && found.technician_access,
        may_switch,
        levels: level_options(),
        done,
        invitations: invitations.map(|page| {
            page.items
                .iter()
                .map(|(inv, _)| {
                    InvitationRow::new(inv, now)
                        .approvable_by(state.approves_invitation(&caller, inv))
                })
                .collect()
        }),
        invitations_next,
        manage: may_invite(&caller, &found.partner_id),
        revoke_invitations: see_invitations,
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

/// The lock form.
#[derive(Debug, Deserialize)]
pub struct LockForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    locked: String,
}

/// `POST /sites/{site_id}/technicians/{account_id}/lock`: locks or unlocks one technician
/// (the row's toggle: no confirmation, as in the reference).
pub async fn lock(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((site, account)): PageIds<(SiteId, AccountId)>,
    Form(form): Form<LockForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&technicians_path(&site)).into_response();
    }
    let locked = form.locked == "true";
    let change = TechnicianChange {
        locked: Some(locked),
        ..TechnicianChange::default()
    };
    let changed = state
        .update_technician(&viewer.caller, &site, &account, change)
        .await;
    let what = if locked { "locked" } else { "unlocked" };
    back_to(&done(&site, what, 1), changed)
}

/// The level a row's dropdown asks for.
#[derive(Debug, Deserialize)]
pub struct LevelQuery {
    #[serde(default)]
    level: String,
}

/// `GET /sites/{site_id}/technicians/{account_id}/level?level=…`: asks before changing one
/// technician's level (reference 002's confirmation).
pub async fn confirm_level(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds((site, account)): PageIds<(SiteId, AccountId)>,
    Query(query): Query<LevelQuery>,
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let technician = match state.site_technician(&caller, &site, &account).await {
        Ok(technician) => technician,
        Err(error) => return problem(&error),
    };
    let level = match PermissionLevel::parse("level", &query.level) {
        Ok(level) => level,
        Err(error) => return problem(&error.into()),
    };
    if level == technician.assignment.level {
        return Redirect::to(&technicians_path(&site)).into_response();
    }
    let csrf = chrome.csrf();
    let t = chrome.t;
    let page = ConfirmPage {
        chrome,
        csrf,
        heading: t.change_level_heading.as_str(),
        question: t
            .change_level_question
            .with("who", format!("{} ({})", technician.name, technician.email))
            .with("from", level_name(technician.assignment.level))
            .with("to", level_name(level))
            .into(),
        confirm: t.change_level.as_str(),
        action: format!("/sites/{site}/technicians/{account}/level"),
        back: technicians_path(&site),
        fields: vec![("level", level.as_str().to_owned())],
        danger: false,
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

/// The confirmed level.
#[derive(Debug, Deserialize)]
pub struct LevelForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    level: String,
}

/// `POST /sites/{site_id}/technicians/{account_id}/level`.
pub async fn set_level(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((site, account)): PageIds<(SiteId, AccountId)>,
    Form(form): Form<LevelForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&technicians_path(&site)).into_response();
    }
    let change = TechnicianChange {
        level: Some(form.level),
        ..TechnicianChange::default()
    };
    let changed = state
        .update_technician(&viewer.caller, &site, &account, change)
        .await;
    back_to(&done(&site, "level", 1), changed)
}

#[derive(Template)]
#[template(path = "technician_end.html")]
struct EndPage {
    chrome: Chrome,
    csrf: String,
    site_id: String,
    account_id: String,
    who: String,
    /// The first day as the form shows it (`YYYY-MM-DD`), empty for access at once.
    first_day: String,
    /// The last day as the form shows it (`YYYY-MM-DD`), empty for no end.
    last_day: String,
    /// What is wrong with the first day, if anything.
    first_day_error: Option<String>,
    /// What is wrong with the last day (or the two together), if anything.
    error: Option<String>,
}

/// `GET /sites/{site_id}/technicians/{account_id}/end`: when one technician's access begins
/// and ends.
pub async fn end_page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds((site, account)): PageIds<(SiteId, AccountId)>,
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let technician = match state.site_technician(&caller, &site, &account).await {
        Ok(technician) => technician,
        Err(error) => return problem(&error),
    };
    let first_day = technician
        .assignment
        .starts_at
        .map(|start| start.date_naive().format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    // Access ends at the start of the day after the last one.
    let last_day = technician
        .assignment
        .expires_at
        .and_then(|end| end.date_naive().pred_opt())
        .map(|day| day.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let page = EndPage {
        csrf: chrome.csrf(),
        chrome,
        site_id: site.to_string(),
        account_id: account.to_string(),
        who: format!("{} ({})", technician.name, technician.email),
        first_day,
        last_day,
        first_day_error: None,
        error: None,
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

/// The access-window form: the first and last day of access (UTC), each empty for none.
#[derive(Debug, Deserialize)]
pub struct EndForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    first_day: String,
    #[serde(default)]
    last_day: String,
}

/// Which of the window's two fields a refusal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WindowField {
    FirstDay,
    LastDay,
}

/// `POST /sites/{site_id}/technicians/{account_id}/end`.
pub async fn set_end(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((site, account)): PageIds<(SiteId, AccountId)>,
    Form(form): Form<EndForm>,
) -> Response {
    let path = format!("/sites/{site}/technicians/{account}/end");
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&path).into_response();
    }
    let refused = |viewer: Viewer, who: String, field: WindowField, error: String| {
        let Viewer {
            chrome, set_csrf, ..
        } = viewer;
        let (first_day_error, error) = match field {
            WindowField::FirstDay => (Some(error), None),
            WindowField::LastDay => (None, Some(error)),
        };
        let page = EndPage {
            csrf: chrome.csrf(),
            chrome,
            site_id: site.to_string(),
            account_id: account.to_string(),
            who,
            first_day: form.first_day.clone(),
            last_day: form.last_day.clone(),
            first_day_error,
            error,
        };
        with_csrf_cookie(render(StatusCode::UNPROCESSABLE_ENTITY, &page), set_csrf)
    };
    let technician = match state.site_technician(&viewer.caller, &site, &account).await {
        Ok(technician) => technician,
        Err(error) => return problem(&error),
    };
    let who = format!("{} ({})", technician.name, technician.email);
    let start = match day_start(&form.first_day) {
        Ok(start) => start,
        Err(error) => return refused(viewer, who, WindowField::FirstDay, error),
    };
    let end = match day_after(&form.last_day) {
        Ok(end) => end,
        Err(error) => return refused(viewer, who, WindowField::LastDay, error),
    };
    if end.is_some_and(|end| end <= state.now()) {
        let error = Lang::current().text().last_day_passed.to_string();
        return refused(viewer, who, WindowField::LastDay, error);
    }
    if let (Some(start), Some(end)) = (start, end)
        && start >= end
    {
        let error = Lang::current().text().last_day_before_first.to_string();
        return refused(viewer, who, WindowField::LastDay, error);
    }
    let change = TechnicianChange {
        starts_at: Some(start),
        expires_at: Some(end),
        ..TechnicianChange::default()
    };
    match state
        .update_technician(&viewer.caller, &site, &account, change)
        .await
    {
        Ok(_) => Redirect::to(&done(&site, "end", 1)).into_response(),
        Err(error) => problem(&error),
    }
}

/// What a bulk action does to the selected technicians.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bulk {
    Lock,
    Unlock,
    Level(PermissionLevel),
    Delete,
}

impl Bulk {
    /// The action a form names (`do`, and `level` for a level).
    fn read(fields: &[(String, String)]) -> Result<Self, FieldError> {
        let field = |name: &str| {
            fields
                .iter()
                .find(|(key, _)| key == name)
                .map_or("", |(_, value)| value.as_str())
        };
        match field("do") {
            "lock" => Ok(Self::Lock),
            "unlock" => Ok(Self::Unlock),
            "delete" => Ok(Self::Delete),
            "level" => PermissionLevel::parse("level", field("level")).map(Self::Level),
            _ => Err(FieldError::new(
                "do",
                "must be lock, unlock, level or delete",
            )),
        }
    }

    /// The form fields that name it again.
    fn fields(self) -> Vec<(&'static str, String)> {
        match self {
            Self::Lock => vec![("do", "lock".to_owned())],
            Self::Unlock => vec![("do", "unlock".to_owned())],
            Self::Delete => vec![("do", "delete".to_owned())],
            Self::Level(level) => vec![
                ("do", "level".to_owned()),
                ("level", level.as_str().to_owned()),
            ],
        }
    }
}

/// The selected technicians' account ids, as the checkboxes send them.
fn selected(fields: &[(String, String)]) -> Vec<String> {
    fields
        .iter()
        .filter(|(key, _)| key == "account")
        .map(|(_, value)| value.clone())
        .collect()
}

#[derive(Template)]
#[template(path = "bulk_confirm.html")]
struct BulkConfirmPage {
    chrome: Chrome,
    csrf: String,
    heading: String,
    confirm: &'static str,
    danger: bool,
    site_id: String,
    /// Each selected technician: account id, and name with email.
    people: Vec<(String, String)>,
    fields: Vec<(&'static str, String)>,
}

/// `GET /sites/{site_id}/technicians/bulk?do=…&account=…`: asks before changing the selected
/// technicians, naming how many and who.
pub async fn confirm_bulk(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Query(fields): Query<Vec<(String, String)>>,
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
    let accounts = selected(&fields);
    let t = chrome.t;
    if accounts.is_empty() {
        let page = Notice {
            heading: t.nothing_selected.as_str(),
            explanation: t.nothing_selected_why.to_string(),
            next_step: t.nothing_selected_next.to_string(),
            link: None,
            chrome,
        };
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let bulk = match Bulk::read(&fields) {
        Ok(bulk) => bulk,
        Err(error) => return problem(&error.into()),
    };
    let technicians = match state.selected_technicians(&caller, &site, &accounts).await {
        Ok(technicians) => technicians,
        Err(error) => return problem(&error),
    };
    let n = Lang::current().number(technicians.len() as u64);
    let (heading, confirm) = match bulk {
        Bulk::Lock => (t.bulk_lock_heading.with("n", n), t.lock_them),
        Bulk::Unlock => (t.bulk_unlock_heading.with("n", n), t.unlock_them),
        Bulk::Delete => (t.bulk_delete_heading.with("n", n), t.delete_their_access),
        Bulk::Level(level) => (
            t.bulk_level_heading
                .with("n", n)
                .with("level", level_name(level)),
            t.change_level,
        ),
    };
    let mut fields = bulk.fields();
    fields.extend(
        technicians
            .iter()
            .map(|tech| ("account", tech.assignment.account_id.to_string())),
    );
    let page = BulkConfirmPage {
        csrf: chrome.csrf(),
        chrome,
        heading: heading.into(),
        confirm: confirm.as_str(),
        danger: matches!(bulk, Bulk::Delete),
        site_id: found.id.to_string(),
        people: technicians
            .into_iter()
            .map(|tech| {
                (
                    tech.assignment.account_id.to_string(),
                    format!("{} ({})", tech.name, tech.email),
                )
            })
            .collect(),
        fields,
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

/// `POST /sites/{site_id}/technicians/bulk`: the confirmed bulk action, all or nothing.
pub async fn bulk(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let csrf = fields
        .iter()
        .find(|(key, _)| key == "csrf")
        .map_or("", |(_, value)| value.as_str());
    if !csrf_matches(&headers, csrf) {
        return Redirect::to(&technicians_path(&site)).into_response();
    }
    let accounts = selected(&fields);
    let caller = &viewer.caller;
    let bulk = match Bulk::read(&fields) {
        Ok(bulk) => bulk,
        // Whose site it is comes first: another tenant's is not found, whatever was sent.
        Err(error) => {
            return match state.visible_site(caller, &site, SiteAccess::View).await {
                Ok(_) => problem(&error.into()),
                Err(hidden) => problem(&hidden),
            };
        }
    };
    let n = accounts.len();
    match bulk {
        Bulk::Lock => back_to(
            &done(&site, "locked", n),
            state.lock_technicians(caller, &site, &accounts, true).await,
        ),
        Bulk::Unlock => back_to(
            &done(&site, "unlocked", n),
            state
                .lock_technicians(caller, &site, &accounts, false)
                .await,
        ),
        Bulk::Level(level) => back_to(
            &done(&site, "level", n),
            state
                .level_technicians(caller, &site, &accounts, level.as_str())
                .await,
        ),
        Bulk::Delete => back_to(
            &done(&site, "deleted", n),
            state.remove_technicians(caller, &site, &accounts).await,
        ),
    }
}

/// `GET /sites/{site_id}/technicians/{account_id}/remove`: asks first.
pub async fn confirm_remove(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds((site, account)): PageIds<(SiteId, AccountId)>,
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let technician = match state.site_technician(&caller, &site, &account).await {
        Ok(technician) => technician,
        Err(error) => return problem(&error),
    };
    let csrf = chrome.csrf();
    let t = chrome.t;
    let page = ConfirmPage {
        chrome,
        csrf,
        heading: t.delete_access_heading.as_str(),
        question: t
            .delete_access_question
            .with("who", format!("{} ({})", technician.name, technician.email))
            .into(),
        confirm: t.delete_access.as_str(),
        action: format!("/sites/{site}/technicians/{account}/remove"),
        back: technicians_path(&site),
        fields: vec![],
        danger: true,
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

/// `POST /sites/{site_id}/technicians/{account_id}/remove`: deletes one technician's access.
pub async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((site, account)): PageIds<(SiteId, AccountId)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&technicians_path(&site)).into_response();
    }
    let removed = state
        .remove_technicians(&viewer.caller, &site, &[account.to_string()])
        .await;
    back_to(&done(&site, "deleted", 1), removed)
}
