//! Access reviews in the console: a site's Access reviews tab — the open review (or the one
//! asked for) with each technician's level, who gave it, when they last used it and the
//! verdict, selected lines confirmed or removed together; starting a review; the site's
//! schedule; the past reviews, each shown or downloaded as CSV.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::access_requests::ReviewScheduleInput;
use siteward_app::page::Paging;
use siteward_app::reviews::{Judgement, ReviewInput, ReviewLine, ReviewView};
use siteward_app::sites::SiteAccess;
use siteward_core::audit::Actor;
use siteward_core::ids::{ReviewId, SiteId};
use siteward_core::review::{ReviewStatus, Unconfirmed, Verdict};

use super::access_requests::number;
use super::lang::Lang;
use super::session::Viewer;
use super::site::{SiteNav, Tab};
use super::{
    Chrome, PageIds, back_to, csrf_matches, level_name, problem, render, with_csrf_cookie,
};
use crate::state::AppState;

/// The deadlines a review may have, in days.
const REVIEW_DAYS: [u32; 4] = [7, 14, 30, 60];
/// The intervals a schedule offers, in days.
const EVERY_DAYS: [u32; 5] = [30, 60, 90, 180, 365];
/// Lines a page shows.
const LINES_PAGE: u32 = 200;

fn verdict_name(verdict: Verdict) -> &'static str {
    let t = Lang::current().text();
    match verdict {
        Verdict::Pending => t.verdict_pending,
        Verdict::Confirmed => t.verdict_confirmed,
        Verdict::Removed => t.verdict_removed,
        Verdict::Locked => t.verdict_locked,
        Verdict::Left => t.verdict_left,
        Verdict::Gone => t.verdict_gone,
    }
    .as_str()
}

struct LineRow {
    account_id: String,
    who: String,
    level: &'static str,
    granted: String,
    last_used: Option<String>,
    verdict: String,
    pending: bool,
}

fn line_row(line: &ReviewLine) -> LineRow {
    let lang = Lang::current();
    let t = lang.text();
    let item = &line.item;
    let granted_by = line
        .granted_by_name
        .clone()
        .unwrap_or_else(|| item.granted_by.to_string());
    let verdict = verdict_name(item.verdict);
    let verdict = match (&item.decided_by, &line.decided_by_name) {
        (Some(Actor::Account(_)), Some(name)) => t
            .decided_by_name
            .with("verdict", verdict)
            .with("who", name)
            .into(),
        (Some(Actor::ApiToken(_)), _) => t
            .decided_by_name
            .with("verdict", verdict)
            .with("who", t.actor_token)
            .into(),
        _ => verdict.to_owned(),
    };
    LineRow {
        account_id: item.technician.to_string(),
        who: format!("{} ({})", line.technician_name, line.technician_email),
        level: level_name(item.level),
        granted: t
            .granted_by_on
            .with("date", lang.date(item.granted_at))
            .with("who", granted_by)
            .into(),
        last_used: item.last_used_at.map(|at| lang.date_time(at)),
        verdict,
        pending: item.verdict == Verdict::Pending,
    }
}

struct ReviewRow {
    id: String,
    started: String,
    by: String,
    status: &'static str,
    technicians: u32,
}

fn review_row(view: &ReviewView) -> ReviewRow {
    let lang = Lang::current();
    let t = lang.text();
    let review = &view.review;
    ReviewRow {
        id: review.id.to_string(),
        started: lang.date(review.started_at),
        by: match (&review.started_by, &view.started_by_name) {
            (Actor::System, _) => t.by_the_schedule.to_string(),
            (Actor::ApiToken(_), _) => t.actor_token.to_string(),
            (Actor::Account(id), name) => name.clone().unwrap_or_else(|| id.to_string()),
        },
        status: match review.status {
            ReviewStatus::Open => t.review_status_open.as_str(),
            ReviewStatus::Completed => t.review_status_completed.as_str(),
        },
        technicians: review.items,
    }
}

/// The review a page shows in full.
struct Shown {
    id: String,
    heading: String,
    open: bool,
    /// Progress and deadline, or when it completed.
    summary: String,
    /// What the deadline does.
    deadline_does: &'static str,
    lines: Vec<LineRow>,
    more: Option<String>,
}

#[derive(Template)]
#[template(path = "site_reviews.html")]
struct SiteReviewsPage {
    chrome: Chrome,
    csrf: String,
    nav: SiteNav,
    site: String,
    site_id: String,
    saved: bool,
    shown: Option<Shown>,
    /// Whether the viewer may start reviews and give verdicts.
    may_review: bool,
    /// Whether a review is open (none may start meanwhile).
    any_open: bool,
    /// Whether the viewer may set the schedule.
    may_schedule: bool,
    every_days: u32,
    schedule_days: u32,
    schedule_leave: bool,
    next_review: Option<String>,
    every_options: Vec<u32>,
    day_options: Vec<u32>,
    reviews: Vec<ReviewRow>,
    older: Option<String>,
}

/// The page's choices and notices.
#[derive(Debug, Default, Deserialize)]
pub struct ReviewsQuery {
    #[serde(default)]
    saved: Option<String>,
    /// The review to show (default: the open one, else the newest).
    #[serde(default)]
    review: Option<String>,
    /// Where its lines continue.
    #[serde(default)]
    lines_after: Option<String>,
    /// Where the list of reviews continues.
    #[serde(default)]
    after: Option<String>,
}

/// `GET /sites/{site_id}/reviews`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Query(query): Query<ReviewsQuery>,
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
    let listed = state
        .site_reviews(
            &caller,
            &site,
            Paging {
                limit: Some(25),
                cursor: query.after.as_deref(),
            },
        )
        .await;
    let (reviews, (policy, next_review)) =
        match (listed, state.review_schedule(&caller, &site).await) {
            (Ok(reviews), Ok(schedule)) => (reviews, schedule),
            (Err(error), _) | (_, Err(error)) => return problem(&error),
        };
    // Only one review is open at a time, and it is the newest.
    let open = reviews
        .items
        .first()
        .filter(|r| r.review.status == ReviewStatus::Open);
    let chosen = match query.review.as_deref() {
        Some(id) => match ReviewId::parse("review", id) {
            Ok(id) => match state.review(&caller, &id).await {
                Ok(view) if view.review.site_id == found.id => Some(view),
                Ok(_) => return problem(&siteward_app::AppError::not_found()),
                Err(error) => return problem(&error),
            },
            Err(_) => return problem(&siteward_app::AppError::not_found()),
        },
        None => open.or(reviews.items.first()).cloned(),
    };
    let shown = match chosen {
        Some(view) => {
            let lines = match state
                .review_lines(
                    &caller,
                    &view.review.id,
                    None,
                    Paging {
                        limit: Some(LINES_PAGE),
                        cursor: query.lines_after.as_deref(),
                    },
                )
                .await
            {
                Ok(lines) => lines,
                Err(error) => return problem(&error),
            };
            let lang = Lang::current();
            let t = lang.text();
            let review = &view.review;
            let open = review.status == ReviewStatus::Open;
            Some(Shown {
                id: review.id.to_string(),
                heading: if open {
                    t.open_review_started
                } else {
                    t.review_of_date
                }
                .with("date", lang.date(review.started_at))
                .into(),
                open,
                summary: if open {
                    t.review_progress
                        .with("left", review.pending)
                        .with("count", review.items)
                        .with("deadline", lang.date_time(review.deadline))
                        .into()
                } else {
                    t.review_completed_on
                        .with(
                            "date",
                            lang.date(review.completed_at.unwrap_or(review.deadline)),
                        )
                        .into()
                },
                deadline_does: match review.terms.unconfirmed {
                    Unconfirmed::Lock => t.review_deadline_lock.as_str(),
                    Unconfirmed::Leave => t.review_deadline_leave.as_str(),
                },
                lines: lines.items.iter().map(line_row).collect(),
                more: lines.next_cursor,
            })
        }
        None => None,
    };
    let schedule = policy.review;
    let with = |mut options: Vec<u32>, chosen: Option<u32>| {
        if let Some(chosen) = chosen
            && !options.contains(&chosen)
        {
            options.push(chosen);
            options.sort_unstable();
        }
        options
    };
    let page = SiteReviewsPage {
        csrf: chrome.csrf(),
        chrome,
        nav: SiteNav::new(&caller, &found, Tab::Reviews),
        site: found.name.clone(),
        site_id: found.id.to_string(),
        saved: query.saved.is_some(),
        any_open: open.is_some(),
        shown,
        may_review: SiteAccess::LockTechnicians.allows(&caller, &found),
        may_schedule: SiteAccess::ManageTechnicians.allows(&caller, &found),
        every_days: schedule.map_or(0, |s| s.every_days),
        schedule_days: schedule.map_or(14, |s| s.terms.days),
        schedule_leave: schedule.is_some_and(|s| s.terms.unconfirmed == Unconfirmed::Leave),
        next_review: next_review.map(|at| Lang::current().date(at)),
        every_options: with(EVERY_DAYS.to_vec(), schedule.map(|s| s.every_days)),
        day_options: with(REVIEW_DAYS.to_vec(), schedule.map(|s| s.terms.days)),
        reviews: reviews.items.iter().map(review_row).collect(),
        older: reviews.next_cursor,
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

fn reviews_path(site: &SiteId) -> String {
    format!("/sites/{site}/reviews")
}

/// A new review as the form sends it.
#[derive(Debug, Deserialize)]
pub struct StartFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    unconfirmed: String,
}

/// `POST /sites/{site_id}/reviews`.
pub async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Form(form): Form<StartFields>,
) -> Response {
    let path = reviews_path(&site);
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&path).into_response();
    }
    let days = match number("days", &form.days) {
        Ok(days) => Some(days),
        Err(error) => return problem(&error),
    };
    let input = ReviewInput {
        days,
        unconfirmed: Some(form.unconfirmed),
    };
    let done = state.start_review(&viewer.caller, &site, &input).await;
    back_to(&path, done)
}

/// The schedule as the form sends it.
#[derive(Debug, Deserialize)]
pub struct ScheduleFields {
    #[serde(default)]
    csrf: String,
    /// Empty: no schedule.
    #[serde(default)]
    every_days: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    unconfirmed: String,
}

/// `POST /sites/{site_id}/review-schedule`.
pub async fn save_schedule(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Form(form): Form<ScheduleFields>,
) -> Response {
    let path = reviews_path(&site);
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&path).into_response();
    }
    let schedule = if form.every_days.trim().is_empty() {
        Ok(None)
    } else {
        number("review.every_days", &form.every_days).and_then(|every_days| {
            Ok(Some(ReviewScheduleInput {
                every_days,
                days: Some(number("review.days", &form.days)?),
                unconfirmed: Some(form.unconfirmed.clone()),
            }))
        })
    };
    let done = match schedule {
        Ok(schedule) => {
            state
                .set_review_schedule(&viewer.caller, &site, schedule.as_ref())
                .await
        }
        Err(error) => Err(error),
    };
    back_to(&format!("{path}?saved=1"), done)
}

/// `POST /reviews/{review_id}/verdicts`: the selected lines confirmed or removed together.
pub async fn verdicts(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(id): PageIds<ReviewId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    };
    let caller = &viewer.caller;
    // Whose review it is comes first: another tenant's is not found, whatever was sent.
    let review = match state.review(caller, &id).await {
        Ok(review) => review,
        Err(error) => return problem(&error),
    };
    let path = format!(
        "{}?review={}",
        reviews_path(&review.review.site_id),
        review.review.id
    );
    if !csrf_matches(&headers, field("csrf")) {
        return Redirect::to(&path).into_response();
    }
    let technicians: Vec<String> = fields
        .iter()
        .filter(|(key, _)| key == "account")
        .map(|(_, value)| value.clone())
        .collect();
    let done = match Judgement::parse("verdict", field("verdict")) {
        Ok(judgement) => {
            state
                .decide_review(caller, &id, &technicians, judgement)
                .await
        }
        Err(error) => Err(error.into()),
    };
    back_to(&path, done)
}

/// `GET /reviews/{review_id}/export.csv`.
pub async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(id): PageIds<ReviewId>,
) -> Response {
    match state.review_csv(&viewer.caller, &id).await {
        Ok(csv) => crate::api::reviews::csv_download(csv),
        Err(error) => problem(&error),
    }
}
