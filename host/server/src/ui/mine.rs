//! `/`: a person's own page — the partners they belong to, the sites they work at with level,
//! lock and end, the sites they administer, the invitations waiting for them, and what they
//! did themselves (newest first).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use siteward_app::mine::MyAccess;
use siteward_app::page::Paging;
use siteward_core::invitation::InvitationTarget;
use siteward_core::tenancy::{MemberStatus, PartnerRole, Privilege};

use super::audit::{EventRow, event_row};
use super::lang::Lang;
use super::session::Viewer;
use super::{Chrome, Notice, level_name, render, role_name, with_csrf_cookie};
use crate::error::status_of;
use crate::state::AppState;

struct PartnerRow {
    name: String,
    /// The partner's id, for its admins' links (Team, Customers and sites, Audit log).
    manages: Option<String>,
    role: &'static str,
    status: &'static str,
    privileges: String,
}

struct SiteRow {
    site: String,
    partner: String,
    level: &'static str,
    locked: bool,
    /// The site's Technician Access is off: nobody enters, whatever the lock says.
    access_off: bool,
    until: String,
}

/// An invitation waiting for the person.
struct WaitingRow {
    partner: String,
    offer: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "my_access.html")]
struct MyAccessPage {
    chrome: Chrome,
    email: String,
    partners: Vec<PartnerRow>,
    sites: Vec<SiteRow>,
    /// Each administered site's technicians page, and its name.
    admin_of: Vec<(String, String)>,
    waiting: Vec<WaitingRow>,
    activity: Vec<EventRow>,
    /// The cursor of older activity.
    older: Option<String>,
    /// Whether they run the platform: the operator console's links.
    operator: bool,
    /// The Request access form and their requests.
    requests: super::access_requests::MyRequests,
    csrf: String,
}

/// The page's paging of the person's own activity.
#[derive(Debug, Default, Deserialize)]
pub struct MineQuery {
    #[serde(default)]
    activity_after: Option<String>,
}

/// How many of their own actions the page shows at a time.
const ACTIVITY_PAGE: u32 = 20;

fn rows(access: MyAccess) -> (Vec<PartnerRow>, Vec<SiteRow>, Vec<(String, String)>) {
    let lang = Lang::current();
    let t = lang.text();
    let partners = access
        .partners
        .into_iter()
        .map(|mine| {
            let held: Vec<&str> = [
                (
                    Privilege::RemoteSupport,
                    t.privilege_remote_support.as_str(),
                ),
                (
                    Privilege::UnattendedAccess,
                    t.privilege_unattended_access.as_str(),
                ),
            ]
            .into_iter()
            .filter(|(privilege, _)| mine.standing.privileges.contains(*privilege))
            .map(|(_, name)| name)
            .collect();
            let manages = matches!(
                mine.standing.role,
                PartnerRole::SuperAdmin | PartnerRole::Admin
            );
            PartnerRow {
                manages: manages.then(|| mine.partner.id.to_string()),
                name: mine.partner.name,
                role: role_name(mine.standing.role),
                status: match mine.standing.status {
                    MemberStatus::Active => t.active,
                    MemberStatus::Disabled => t.disabled,
                }
                .as_str(),
                privileges: if held.is_empty() {
                    t.none.to_string()
                } else {
                    held.join(", ")
                },
            }
        })
        .collect();
    let sites = access
        .sites
        .into_iter()
        .map(|mine| SiteRow {
            site: mine.site.name,
            partner: mine.partner_name,
            level: level_name(mine.assignment.level),
            locked: mine.assignment.locked,
            access_off: !mine.site.technician_access,
            until: mine
                .assignment
                .expires_at
                .map_or_else(|| t.no_end.to_string(), |end| lang.date_time(end)),
        })
        .collect();
    let admin_of = access
        .site_admin_of
        .into_iter()
        .map(|s| (format!("/sites/{}/technicians", s.id), s.name))
        .collect();
    (partners, sites, admin_of)
}

/// `GET /`: the signed-in person's own access, the invitations waiting for them and what
/// they did.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<MineQuery>,
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let paging = Paging {
        limit: Some(ACTIVITY_PAGE),
        cursor: query.activity_after.as_deref(),
    };
    let (access, waiting, activity, requests) = match tokio::join!(
        state.my_access(&caller),
        state.my_invitations(&caller),
        state.my_activity(&caller, paging),
        super::access_requests::MyRequests::read(&state, &caller),
    ) {
        (Ok(access), Ok(waiting), Ok(activity), Ok(requests)) => {
            (access, waiting, activity, requests)
        }
        (Err(error), _, _, _)
        | (_, Err(error), _, _)
        | (_, _, Err(error), _)
        | (_, _, _, Err(error)) => {
            return render(status_of(error.kind), &Notice::problem(&error));
        }
    };
    let email = caller
        .account()
        .map(|a| a.email.to_string())
        .unwrap_or_default();
    let (partners, sites, admin_of) = rows(access);
    let page = MyAccessPage {
        requests,
        csrf: chrome.csrf(),
        operator: caller.account().is_ok_and(|a| a.is_operator),
        chrome,
        email,
        partners,
        sites,
        admin_of,
        waiting: waiting
            .into_iter()
            .map(|mine| WaitingRow {
                partner: mine.partner_name,
                offer: match (&mine.invitation.target, mine.site_name) {
                    (InvitationTarget::Site { level, .. }, Some(site)) => {
                        format!("{site}, {}", level_name(*level))
                    }
                    (target, _) => super::offer_name(target),
                },
                expires: Lang::current().date(mine.invitation.expires_at),
            })
            .collect(),
        activity: activity
            .items
            .iter()
            .map(|event| event_row(event, &[]))
            .collect(),
        older: activity.next_cursor,
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}
