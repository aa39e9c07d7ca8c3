//! `/`: a person's own page — the partners they belong to, the sites they work at with level,
//! lock and end, and the sites they administer.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use siteward_app::mine::MyAccess;
use siteward_core::tenancy::{MemberStatus, PartnerRole, Privilege};

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
    until: String,
}

#[derive(Template)]
#[template(path = "my_access.html")]
struct MyAccessPage {
    chrome: Chrome,
    partners: Vec<PartnerRow>,
    sites: Vec<SiteRow>,
    /// Each administered site's technicians page, and its name.
    admin_of: Vec<(String, String)>,
}

fn rows(access: MyAccess) -> (Vec<PartnerRow>, Vec<SiteRow>, Vec<(String, String)>) {
    let partners = access
        .partners
        .into_iter()
        .map(|mine| {
            let held: Vec<&str> = [
                (Privilege::RemoteSupport, "Remote support"),
                (Privilege::UnattendedAccess, "Unattended access"),
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
                    MemberStatus::Active => "Active",
                    MemberStatus::Disabled => "Disabled",
                },
                privileges: if held.is_empty() {
                    "None".to_owned()
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
            until: mine.assignment.expires_at.map_or_else(
                || "No end".to_owned(),
                |end| end.format("%-d %B %Y, %H:%M UTC").to_string(),
            ),
        })
        .collect();
    let admin_of = access
        .site_admin_of
        .into_iter()
        .map(|s| (format!("/sites/{}/technicians", s.id), s.name))
        .collect();
    (partners, sites, admin_of)
}

/// `GET /`: the signed-in person's own access.
pub async fn page(State(state): State<AppState>, viewer: Viewer) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let access = match state.my_access(&caller).await {
        Ok(access) => access,
        Err(error) => return render(status_of(error.kind), &Notice::problem(&error)),
    };
    let (partners, sites, admin_of) = rows(access);
    let page = MyAccessPage {
        chrome,
        partners,
        sites,
        admin_of,
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}
