//! Site technician management (the site admin's side, reference 002): levels, locks, deleting
//! access, the site's Technician Access switch; and the check "may technician T do P at site S".

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use siteward_core::FieldError;
use siteward_core::assignment::SiteAssignment;
use siteward_core::audit::{AuditAction, AuditEvent, AuditTarget, FieldChange};
use siteward_core::ids::AccountId;
use siteward_core::invitation::PermissionLevel;
use siteward_core::page::PageRequest;
use siteward_core::permission::index::Change;
use siteward_core::tenancy::Site;
use siteward_storage::StorageError;

use super::sites::{SiteAccess, visible_site};
use super::views::{Page, SiteView};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

/// A technician's assignment to a site.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    /// The technician's account.
    pub account_id: String,
    /// Their email.
    pub email: String,
    /// Their name.
    pub name: String,
    /// The permission level.
    pub level: &'static str,
    /// Locked assignments grant nothing until a site admin unlocks them.
    pub locked: bool,
    /// When the access ends (exclusive); absent for no end.
    pub expires_at: Option<DateTime<Utc>>,
    /// The invitation it came from.
    pub invitation_id: Option<String>,
    /// Who last set it.
    pub set_by: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Filters and paging for the technician list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TechnicianQuery {
    /// Only locked (`true`) or unlocked (`false`) technicians.
    pub locked: Option<bool>,
    /// Only technicians with this level.
    #[param(pattern = "^(none|devices_only|full_excluding_users|full_including_users)$")]
    pub level: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
}

async fn views(
    state: &AppState,
    site: &Site,
    assignments: Vec<SiteAssignment>,
) -> ApiResult<Vec<AssignmentView>> {
    let members = state.store.all_members(&site.partner_id).await?;
    let mut views = Vec::with_capacity(assignments.len());
    for a in assignments {
        let account = match members.iter().find(|(_, acc)| acc.id == a.account_id) {
            Some((_, account)) => account.clone(),
            None => state.store.account(&a.account_id).await?,
        };
        views.push(AssignmentView {
            account_id: a.account_id.to_string(),
            email: account.email.to_string(),
            name: account.name,
            level: a.level.as_str(),
            locked: a.locked,
            expires_at: a.expires_at,
            invitation_id: a.invitation_id.as_ref().map(ToString::to_string),
            set_by: a.set_by.to_string(),
            created_at: a.created_at,
            updated_at: a.updated_at,
        });
    }
    Ok(views)
}

/// The site's technicians: level and lock state of each assignment.
#[utoipa::path(get, path = "/v1/sites/{site_id}/technicians", tag = "technicians", security(("bearer" = [])),
    params(("site_id" = String, Path), TechnicianQuery),
    responses((status = 200, body = Page<AssignmentView>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn site_technicians(
    State(state): State<AppState>,
    auth: Auth,
    Path(site): Path<String>,
    ApiQuery(query): ApiQuery<TechnicianQuery>,
) -> ApiResult<Json<Page<AssignmentView>>> {
    let site = visible_site(&state, &auth, &site, SiteAccess::View).await?;
    let level = query
        .level
        .as_deref()
        .map(|l| PermissionLevel::parse("level", l))
        .transpose()?;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let assignments = state
        .store
        .site_assignments(&site.id, query.locked, level, &page)
        .await?;
    Ok(Json(Page {
        next_cursor: assignments.next_cursor,
        items: views(&state, &site, assignments.items).await?,
    }))
}

/// Loads a site whose technicians the caller may manage: its admins. While the site's
/// Technician Access is off, technician management answers 409.
async fn managed_site(state: &AppState, auth: &Auth, id: &str) -> ApiResult<Site> {
    let site = visible_site(state, auth, id, SiteAccess::ManageTechnicians).await?;
    if !site.technician_access {
        return Err(ApiError::conflict(
            "technician_access_off",
            "Technician Access is off for this site; turn it on (PATCH /v1/sites/{id}) to manage technicians",
        ));
    }
    Ok(site)
}

fn account_ids(ids: &[String]) -> ApiResult<Vec<AccountId>> {
    if ids.is_empty() || ids.len() > 1000 {
        return Err(FieldError::new("account_ids", "must hold 1 to 1000 account ids").into());
    }
    let mut parsed: Vec<AccountId> = Vec::with_capacity(ids.len());
    for (n, id) in ids.iter().enumerate() {
        let id = AccountId::parse(&format!("account_ids[{n}]"), id)?;
        if parsed.contains(&id) {
            return Err(FieldError::new(format!("account_ids[{n}]"), "is listed twice").into());
        }
        parsed.push(id);
    }
    Ok(parsed)
}

/// The assignments of `accounts` at `site`, all of which must exist (all or nothing).
async fn assignments(
    state: &AppState,
    site: &Site,
    accounts: &[AccountId],
) -> ApiResult<Vec<SiteAssignment>> {
    let found = state.store.assignments_of(&site.id, accounts).await?;
    let mut ordered = Vec::with_capacity(accounts.len());
    for (n, account) in accounts.iter().enumerate() {
        let assignment = found
            .iter()
            .find(|a| &a.account_id == account)
            .ok_or_else(|| {
                FieldError::new(
                    format!("account_ids[{n}]"),
                    "is not a technician of this site",
                )
            })?;
        ordered.push(assignment.clone());
    }
    Ok(ordered)
}

fn target(account: &AccountId) -> AuditTarget {
    AuditTarget {
        kind: "site_assignment",
        id: account.to_string(),
    }
}

/// Applies a change to the assignments, writes the ones that changed with one audit event per
/// technician and change, and returns them all. The write is guarded on the assignments being
/// as read; when another request changed one meanwhile, the change is made again from a fresh
/// read (so a lock and a level change at once both hold), and a technician deleted meanwhile
/// is reported as no longer at the site.
async fn apply(
    state: &AppState,
    auth: &Auth,
    site: &Site,
    accounts: &[AccountId],
    change: impl Fn(&mut SiteAssignment),
) -> ApiResult<Vec<AssignmentView>> {
    const ATTEMPTS: u32 = 8;
    for _ in 0..ATTEMPTS {
        let before = assignments(state, site, accounts).await?;
        let (after, events) = changed(state, auth, site, &before, &change);
        let changes: Vec<(SiteAssignment, SiteAssignment)> = before
            .into_iter()
            .zip(after.iter().cloned())
            .filter(|(read, new)| read != new)
            .collect();
        if changes.is_empty() {
            return views(state, site, after).await;
        }
        match state
            .permissions
            .commit(
                changes
                    .iter()
                    .map(|(_, new)| new.change())
                    .collect::<Vec<_>>(),
                move |store| async move { store.update_assignments(&changes, &events).await },
            )
            .await
        {
            Ok(()) => return views(state, site, after).await,
            Err(StorageError::Conflict(_)) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(ApiError::conflict(
        "concurrent_change",
        "these technicians kept changing meanwhile; reload and try again",
    ))
}

/// The assignments after `change`, with one audit event per technician and change.
fn changed(
    state: &AppState,
    auth: &Auth,
    site: &Site,
    before: &[SiteAssignment],
    change: &impl Fn(&mut SiteAssignment),
) -> (Vec<SiteAssignment>, Vec<AuditEvent>) {
    let actor = auth.account.as_ref().map(|a| a.id.clone());
    let now = state.now();
    let mut after = Vec::with_capacity(before.len());
    let mut events: Vec<AuditEvent> = Vec::new();
    let tenant = (Some(&site.partner_id), Some(&site.id));
    for old in before {
        let mut new = old.clone();
        change(&mut new);
        if new.level != old.level {
            events.push(auth.audit.event(
                state,
                AuditAction::AssignmentLevelChanged,
                tenant,
                target(&new.account_id),
                vec![FieldChange::changed("level", old.level, new.level)],
            ));
        }
        if new.locked != old.locked {
            let action = if new.locked {
                AuditAction::AssignmentLocked
            } else {
                AuditAction::AssignmentUnlocked
            };
            events.push(auth.audit.event(
                state,
                action,
                tenant,
                target(&new.account_id),
                vec![FieldChange::changed("locked", old.locked, new.locked)],
            ));
        }
        if new.expires_at != old.expires_at {
            let text = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339());
            events.push(auth.audit.event(
                state,
                AuditAction::AssignmentExpiryChanged,
                tenant,
                target(&new.account_id),
                vec![FieldChange {
                    field: "expires_at".to_owned(),
                    before: text(old.expires_at),
                    after: text(new.expires_at),
                }],
            ));
        }
        if new != *old {
            new.updated_at = now;
            if let Some(actor) = &actor {
                new.set_by = actor.clone();
            }
        }
        after.push(new);
    }
    (after, events)
}

/// A change to one technician at a site.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTechnician {
    /// The new permission level.
    #[schema(pattern = "^(none|devices_only|full_excluding_users|full_including_users)$")]
    pub level: Option<String>,
    /// Lock (`true`) or unlock (`false`) the technician's access.
    pub locked: Option<bool>,
    /// Time-bound access: the time the technician's access to the site ends (exclusive, exact
    /// to the millisecond); `null` removes the end.
    #[serde(default, deserialize_with = "crate::json::present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub expires_at: Option<Option<DateTime<Utc>>>,
}

/// Change one technician's level or lock (site admins).
#[utoipa::path(patch, path = "/v1/sites/{site_id}/technicians/{account_id}", tag = "technicians", security(("bearer" = [])),
    params(("site_id" = String, Path), ("account_id" = String, Path)), request_body = UpdateTechnician,
    responses((status = 200, body = AssignmentView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`technician_access_off`"), (status = 422, body = ErrorBody)))]
pub async fn update_technician(
    State(state): State<AppState>,
    auth: Auth,
    Path((site, account)): Path<(String, String)>,
    ApiJson(body): ApiJson<UpdateTechnician>,
) -> ApiResult<Json<AssignmentView>> {
    let site = managed_site(&state, &auth, &site).await?;
    let account = AccountId::parse("account_id", &account).map_err(|_| ApiError::not_found())?;
    if state
        .store
        .assignments_of(&site.id, std::slice::from_ref(&account))
        .await?
        .is_empty()
    {
        return Err(ApiError::not_found());
    }
    let level = body
        .level
        .as_deref()
        .map(|l| PermissionLevel::parse("level", l))
        .transpose()?;
    let mut updated = apply(&state, &auth, &site, &[account], |a| {
        if let Some(level) = level {
            a.level = level;
        }
        if let Some(locked) = body.locked {
            a.locked = locked;
        }
        if let Some(expires_at) = body.expires_at {
            a.expires_at = expires_at;
        }
    })
    .await?;
    Ok(Json(updated.remove(0)))
}

/// Several technicians, locked or unlocked together.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockTechnicians {
    /// The technicians' account ids (1 to 1,000).
    pub account_ids: Vec<String>,
    /// `true` locks them all, `false` unlocks them all, whatever each was before.
    pub locked: bool,
}

/// Lock or unlock one or many technicians: a mixed selection becomes all locked or all
/// unlocked, as asked. All or nothing; one audit event per technician whose lock changed.
#[utoipa::path(post, path = "/v1/sites/{site_id}/technicians/lock", tag = "technicians", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = LockTechnicians,
    responses((status = 200, body = Vec<AssignmentView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn lock_technicians(
    State(state): State<AppState>,
    auth: Auth,
    Path(site): Path<String>,
    ApiJson(body): ApiJson<LockTechnicians>,
) -> ApiResult<Json<Vec<AssignmentView>>> {
    let site = managed_site(&state, &auth, &site).await?;
    let accounts = account_ids(&body.account_ids)?;
    Ok(Json(
        apply(&state, &auth, &site, &accounts, |a| a.locked = body.locked).await?,
    ))
}

/// Several technicians given one level.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelTechnicians {
    /// The technicians' account ids (1 to 1,000).
    pub account_ids: Vec<String>,
    /// The level for all of them.
    #[schema(pattern = "^(none|devices_only|full_excluding_users|full_including_users)$")]
    pub level: String,
}

/// Change the level of one or many technicians. All or nothing; audited per technician.
#[utoipa::path(post, path = "/v1/sites/{site_id}/technicians/level", tag = "technicians", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = LevelTechnicians,
    responses((status = 200, body = Vec<AssignmentView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn level_technicians(
    State(state): State<AppState>,
    auth: Auth,
    Path(site): Path<String>,
    ApiJson(body): ApiJson<LevelTechnicians>,
) -> ApiResult<Json<Vec<AssignmentView>>> {
    let site = managed_site(&state, &auth, &site).await?;
    let accounts = account_ids(&body.account_ids)?;
    let level = PermissionLevel::parse("level", &body.level)?;
    Ok(Json(
        apply(&state, &auth, &site, &accounts, |a| a.level = level).await?,
    ))
}

/// Technicians whose access to delete.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveTechnicians {
    /// The technicians' account ids (1 to 1,000).
    pub account_ids: Vec<String>,
}

/// Delete one or many technicians' access to the site. Their accounts remain; inviting them
/// again restores access. All or nothing; audited per technician.
#[utoipa::path(post, path = "/v1/sites/{site_id}/technicians/remove", tag = "technicians", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = RemoveTechnicians,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn remove_technicians(
    State(state): State<AppState>,
    auth: Auth,
    Path(site): Path<String>,
    ApiJson(body): ApiJson<RemoveTechnicians>,
) -> ApiResult<StatusCode> {
    let site = managed_site(&state, &auth, &site).await?;
    let accounts = account_ids(&body.account_ids)?;
    let removed = assignments(&state, &site, &accounts).await?;
    let tenant = (Some(&site.partner_id), Some(&site.id));
    let events: Vec<AuditEvent> = removed
        .iter()
        .map(|a| {
            auth.audit.event(
                &state,
                AuditAction::AssignmentDeleted,
                tenant,
                target(&a.account_id),
                vec![FieldChange {
                    field: "level".to_owned(),
                    before: Some(a.level.to_string()),
                    after: None,
                }],
            )
        })
        .collect();
    let removed: Vec<Change> = accounts
        .iter()
        .map(|account| Change::Assignment {
            site: site.id.key(),
            account: account.key(),
            assignment: None,
        })
        .collect();
    state
        .permissions
        .commit(removed, {
            let site = site.id.clone();
            move |store| async move { store.delete_assignments(&site, &accounts, &events).await }
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A change to a site.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSite {
    /// The Technician Access switch (reference 002). While off, no technician passes any check
    /// at the site and technician management answers 409; turning it on restores everything
    /// as it was.
    pub technician_access: Option<bool>,
}

/// Change a site's settings (site admins).
#[utoipa::path(patch, path = "/v1/sites/{site_id}", tag = "sites", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = UpdateSite,
    responses((status = 200, body = SiteView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_site(
    State(state): State<AppState>,
    auth: Auth,
    Path(site): Path<String>,
    ApiJson(body): ApiJson<UpdateSite>,
) -> ApiResult<Json<SiteView>> {
    let site = visible_site(&state, &auth, &site, SiteAccess::ManageTechnicians).await?;
    if let Some(on) = body.technician_access
        && on != site.technician_access
    {
        let event = auth.audit.event(
            &state,
            AuditAction::TechnicianAccessChanged,
            (Some(&site.partner_id), Some(&site.id)),
            AuditTarget {
                kind: "site",
                id: site.id.to_string(),
            },
            vec![FieldChange::changed(
                "technician_access",
                site.technician_access,
                on,
            )],
        );
        let switched = Site {
            technician_access: on,
            ..site.clone()
        };
        state
            .permissions
            .commit([switched.change()], {
                let site = site.id.clone();
                move |store| async move { store.set_technician_access(&site, on, &event).await }
            })
            .await?;
    }
    Ok(Json(state.store.site(&site.id).await?.into()))
}
