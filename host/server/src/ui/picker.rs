//! Invite technicians to a site (reference 001's picker, for the partner's admins): search the
//! partner's Admins and Technicians by name or email, add them to the Selected list with a
//! level each (or one level for all, after a confirmation), Confirm to review, then Apply to
//! send. Site admins, technicians of the site and people with an open invitation to it are
//! never offered.
//!
//! The selection travels in the form itself (a GET form, so the back button and a reload keep
//! it), and everything works without JavaScript; only Apply, a POST with the CSRF token,
//! changes anything.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use siteward_app::AppError;
use siteward_app::idempotency::Answer;
use siteward_app::invite::{Pick, SiteInvite};
use siteward_app::page::Paging;
use siteward_app::sites::SiteAccess;
use siteward_core::ids::SiteId;
use siteward_core::invitation::PermissionLevel;

use super::lang::Lang;
use super::session::Viewer;
use super::{
    Chrome, LevelOption, NO_RETRY, PageIds, csrf_matches, level_name, level_options, not_stored,
    problem, render, role_name, said, with_csrf_cookie,
};
use crate::state::AppState;

/// How many candidates a page lists.
const PAGE: u32 = 20;

/// The level a newly added person starts with, until changed: the least that lets them in.
const FIRST_LEVEL: PermissionLevel = PermissionLevel::DevicesOnly;

/// Where the picker stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Step {
    /// Searching and picking.
    #[default]
    Pick,
    /// Asking whether to give everyone selected one level.
    AskAll,
    /// Reviewing the selection before Apply.
    Review,
}

/// The selection as the form carries it. Levels stay as sent: the select only offers valid
/// ones, and the app names a tampered one.
#[derive(Debug, Default)]
struct Selection {
    search: String,
    /// The picked accounts with their level, in the order they were added.
    picks: Vec<(String, String)>,
    /// The level of "apply to all", also a new pick's level.
    all: String,
    after: Option<String>,
    step: Step,
}

impl Selection {
    /// Reads the form's fields (repeated `pick`, one `level.{id}` each) and applies the button
    /// that sent it: `add`, `remove`, or `op` (`all`, `all_yes`, `review`).
    fn read(fields: Vec<(String, String)>) -> Self {
        let mut selection = Self {
            all: FIRST_LEVEL.as_str().to_owned(),
            ..Self::default()
        };
        let mut levels = Vec::new();
        let (mut add, mut remove, mut op) = (None, None, String::new());
        for (name, value) in fields {
            match name.as_str() {
                "q" => selection.search = value.trim().to_owned(),
                "pick" if !selection.picks.iter().any(|(id, _)| *id == value) => {
                    selection.picks.push((value, String::new()));
                }
                "all" => selection.all = value,
                "after" => selection.after = Some(value).filter(|a| !a.is_empty()),
                "add" => add = Some(value),
                "remove" => remove = Some(value),
                "op" => op = value,
                _ => {
                    if let Some(id) = name.strip_prefix("level.") {
                        levels.push((id.to_owned(), value));
                    }
                }
            }
        }
        for (id, level) in &mut selection.picks {
            *level = levels
                .iter()
                .find(|(for_id, _)| for_id == id)
                .map_or_else(|| selection.all.clone(), |(_, l)| l.clone());
        }
        if let Some(id) = add.filter(|id| !selection.picks.iter().any(|(p, _)| p == id)) {
            selection.picks.push((id, selection.all.clone()));
        }
        if let Some(id) = remove {
            selection.picks.retain(|(p, _)| *p != id);
        }
        selection.step = match op.as_str() {
            "all" if !selection.picks.is_empty() => Step::AskAll,
            "all_yes" => {
                for (_, level) in &mut selection.picks {
                    level.clone_from(&selection.all);
                }
                Step::Pick
            }
            "review" => Step::Review,
            _ => Step::Pick,
        };
        selection
    }

    fn picked_ids(&self) -> Vec<&str> {
        self.picks.iter().map(|(id, _)| id.as_str()).collect()
    }
}

struct CandidateRow {
    id: String,
    name: String,
    email: String,
    role: &'static str,
}

struct PickedRow {
    id: String,
    name: String,
    email: String,
    level: String,
    level_label: &'static str,
}

/// A level as the selects offer it: value and label.
#[derive(Template)]
#[template(path = "picker.html")]
struct PickerPage<'a> {
    chrome: Chrome,
    csrf: String,
    site: String,
    site_id: String,
    search: &'a str,
    candidates: Vec<CandidateRow>,
    next: Option<String>,
    picked: Vec<PickedRow>,
    /// How many are picked, as the page's language writes the number.
    picked_count: String,
    levels: Vec<LevelOption>,
    all: &'a str,
    all_label: &'static str,
    /// Asking whether to give everyone selected the level of "apply to all".
    asking_all: bool,
    /// Reviewing the selection before Apply.
    reviewing: bool,
    problem: Option<String>,
}

/// `GET /sites/{site_id}/invite`: the picker, as the selection in the query leaves it.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Query(fields): Query<Vec<(String, String)>>,
) -> Response {
    let mut selection = Selection::read(fields);
    let problem = (selection.step == Step::Review && selection.picks.is_empty())
        .then(|| Lang::current().text().pick_someone_first.to_string());
    if problem.is_some() {
        selection.step = Step::Pick;
    }
    picker_page(&state, viewer, &site, &selection, StatusCode::OK, problem).await
}

/// `POST /sites/{site_id}/invite`: Apply — invites everyone selected, all or nothing, then
/// shows the site, where they are now Pending.
pub async fn apply(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let csrf = fields
        .iter()
        .find(|(name, _)| name == "csrf")
        .map(|(_, value)| value.clone())
        .unwrap_or_default();
    let mut selection = Selection::read(fields);
    selection.step = Step::Review;
    if !csrf_matches(&headers, &csrf) {
        let problem = Lang::current().text().form_expired.to_string();
        return picker_page(
            &state,
            viewer,
            &site,
            &selection,
            StatusCode::FORBIDDEN,
            Some(problem),
        )
        .await;
    }
    let input = SiteInvite {
        level: None,
        technicians: selection
            .picks
            .iter()
            .map(|(id, level)| Pick {
                account_id: id,
                level: Some(level),
            })
            .collect(),
        locale: None,
    };
    let sent = state
        .invite_to_site(&viewer.caller, &site, input, NO_RETRY, not_stored)
        .await;
    match sent {
        Ok(Answer::Done(_) | Answer::Replayed(_)) => {
            Redirect::to(&format!("/sites/{site}/technicians")).into_response()
        }
        Err(error) if error.kind == siteward_app::Kind::NotFound => problem(&error),
        Err(error) => {
            let status = crate::error::status_of(error.kind);
            picker_page(
                &state,
                viewer,
                &site,
                &selection,
                status,
                Some(explain(&error)),
            )
            .await
        }
    }
}

/// A refused Apply in words. A pick's error is about someone who can no longer be invited
/// (someone else invited or assigned them meanwhile); the page's Selected list no longer has
/// them.
fn explain(error: &AppError) -> String {
    match error.field.as_deref() {
        Some(field) if field.starts_with("technicians[") => {
            let what = error.message.strip_prefix(field).unwrap_or(&error.message);
            format!(
                "Someone selected{what} (someone else may have invited them meanwhile), so \
                 nothing was sent. They are no longer in the Selected list: check it and apply \
                 again."
            )
        }
        _ => said(error),
    }
}

/// The picker page for `selection`.
async fn picker_page(
    state: &AppState,
    viewer: Viewer,
    site: &SiteId,
    selection: &Selection,
    status: StatusCode,
    problem_text: Option<String>,
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let paging = Paging {
        limit: Some(PAGE),
        cursor: selection.after.as_deref(),
    };
    let picked_ids = selection.picked_ids();
    let (found, picker) = tokio::join!(
        state.visible_site(&caller, site, SiteAccess::View),
        state.picker(&caller, site, &selection.search, &picked_ids, paging),
    );
    let (found, picker) = match (found, picker) {
        (Ok(found), Ok(picker)) => (found, picker),
        (Err(error), _) | (_, Err(error)) => return problem(&error),
    };
    let picked: Vec<PickedRow> = picker
        .picked
        .into_iter()
        .map(|c| {
            let id = c.account_id().to_string();
            let level = selection
                .picks
                .iter()
                .find(|(p, _)| *p == id)
                .map(|(_, l)| l.clone())
                .unwrap_or_default();
            PickedRow {
                level_label: label(&level),
                id,
                name: c.member.name,
                email: c.member.email.to_string(),
                level,
            }
        })
        .collect();
    let csrf = chrome.csrf();
    let picked_count = chrome.lang.number(picked.len() as u64);
    let page = PickerPage {
        chrome,
        csrf,
        site: found.name,
        site_id: site.to_string(),
        search: &selection.search,
        candidates: picker
            .candidates
            .items
            .into_iter()
            .map(|c| CandidateRow {
                id: c.account_id().to_string(),
                role: role_name(c.member.membership.role),
                name: c.member.name,
                email: c.member.email.to_string(),
            })
            .collect(),
        next: picker.candidates.next_cursor,
        picked_count,
        picked,
        levels: level_options(),
        all: &selection.all,
        all_label: label(&selection.all),
        asking_all: selection.step == Step::AskAll,
        reviewing: selection.step == Step::Review,
        problem: problem_text,
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// A level's name, from its form value.
fn label(level: &str) -> &'static str {
    PermissionLevel::parse("level", level)
        .map_or(Lang::current().text().level_unknown.as_str(), level_name)
}
