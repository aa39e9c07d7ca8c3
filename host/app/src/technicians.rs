//! A site's technicians (references 001 and 002): the list, levels, locks, when access
//! applies, deleting access, and the site's Technician Access switch. The site's admins do all
//! of it; the partner's admins (`admin.team`) lock, unlock and delete access — but new access
//! waits for the site's first unlock, and levels and windows stay with the site.

use siteward_core::FieldError;
use siteward_core::Timestamp;
use siteward_core::assignment::SiteAssignment;
use siteward_core::audit::{AuditAction, AuditEvent, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::{AccountId, SiteId};
use siteward_core::invitation::PermissionLevel;
use siteward_core::page::Page;
use siteward_core::permission::index::Change;
use siteward_core::tenancy::Site;
use siteward_core::validate::{self, Email};
use siteward_storage::StorageError;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::page::Paging;
use crate::services::App;
use crate::sites::SiteAccess;

/// The most technicians one bulk change may name.
pub const MAX_BULK: usize = 1000;

/// A technician's assignment to a site, with who they are.
#[derive(Debug, Clone)]
pub struct Technician {
    /// The assignment: level, lock, end, who set it.
    pub assignment: SiteAssignment,
    /// Their email.
    pub email: Email,
    /// Their name.
    pub name: String,
}

// Input is checked after the caller is authorized, so that someone who may not act learns
// nothing from what the input would have been refused for: levels and ids arrive as text.

/// Which technicians to list.
#[derive(Debug, Clone, Default)]
pub struct TechnicianFilter {
    /// Only locked (`true`) or unlocked (`false`) ones.
    pub locked: Option<bool>,
    /// Only those with this level (`level`).
    pub level: Option<String>,
}

/// A change to one technician; what is `None` stays as it is.
#[derive(Debug, Clone, Default)]
pub struct TechnicianChange {
    /// A new level (`level`).
    pub level: Option<String>,
    /// Lock or unlock.
    pub locked: Option<bool>,
    /// A new start of access (`Some(None)` removes the start: access at once).
    pub starts_at: Option<Option<Timestamp>>,
    /// A new end of access (`Some(None)` removes the end).
    pub expires_at: Option<Option<Timestamp>>,
}

/// Who is changing a site's technicians: the site's side (its admins and tokens, the
/// operator) may do everything; the partner's side locks, unlocks and deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Site,
    Partner,
}

/// Sets the lock as asked; the partner's side may not unlock access the site's side has not
/// unlocked yet (reference 001: "To unlock the Locked status, use an account with
/// administrator rights for that site").
fn set_lock(a: &mut SiteAssignment, locked: bool, side: Side) -> AppResult<()> {
    if !locked && a.locked && a.first_unlocked_at.is_none() && side == Side::Partner {
        return Err(AppError::conflict(
            "awaiting_site_admin",
            format!(
                "the access of {} is new and waits for one of the site's admins to unlock it \
                 the first time; after that the partner may lock and unlock it too",
                a.account_id
            ),
        ));
    }
    a.locked = locked;
    Ok(())
}

/// The site, if its Technician Access is on: while off, technician management is refused.
fn switched_on(site: Site) -> AppResult<Site> {
    if !site.technician_access {
        return Err(AppError::conflict(
            "technician_access_off",
            "Technician Access is off for this site; turn it on (PATCH /v1/sites/{id}) to manage technicians",
        ));
    }
    Ok(site)
}

fn site_admins_only() -> AppError {
    AppError::refused(
        "site_admins_only",
        "only the site's admins change a technician's level or when their access applies; \
         the partner locks, unlocks and deletes access",
    )
}

/// The technicians a bulk change names (`account_ids`, 1 to [`MAX_BULK`], none twice).
fn account_ids(ids: &[String]) -> Result<Vec<AccountId>, FieldError> {
    if ids.is_empty() || ids.len() > MAX_BULK {
        return Err(FieldError::new(
            "account_ids",
            format!("must hold 1 to {MAX_BULK} account ids"),
        ));
    }
    let mut parsed: Vec<AccountId> = Vec::with_capacity(ids.len());
    for (n, id) in ids.iter().enumerate() {
        let id = AccountId::parse(&format!("account_ids[{n}]"), id)?;
        if parsed.contains(&id) {
            return Err(FieldError::new(
                format!("account_ids[{n}]"),
                "is listed twice",
            ));
        }
        parsed.push(id);
    }
    Ok(parsed)
}

/// A level given as text (`level`), if any.
fn level(text: Option<&str>) -> Result<Option<PermissionLevel>, FieldError> {
    text.map(|l| PermissionLevel::parse("level", l)).transpose()
}

fn target(account: &AccountId) -> AuditTarget {
    AuditTarget {
        kind: TargetKind::SiteAssignment,
        id: account.to_string(),
    }
}

impl App {
    /// The site's technicians, a page at a time (anyone who may see the site).
    pub async fn site_technicians(
        &self,
        caller: &Caller,
        site: &SiteId,
        filter: TechnicianFilter,
        paging: Paging<'_>,
    ) -> AppResult<Page<Technician>> {
        let site = self.visible_site(caller, site, SiteAccess::View).await?;
        let level = level(filter.level.as_deref())?;
        let page = paging.parse()?;
        let assignments = self
            .store
            .site_assignments(&site.id, filter.locked, level, &page)
            .await?;
        Ok(Page {
            next_cursor: assignments.next_cursor,
            items: self.technicians(assignments.items).await?,
        })
    }

    /// One technician of the site (anyone who may see the site).
    pub async fn site_technician(
        &self,
        caller: &Caller,
        site: &SiteId,
        account: &AccountId,
    ) -> AppResult<Technician> {
        let site = self.visible_site(caller, site, SiteAccess::View).await?;
        let found = self
            .store
            .assignments_of(&site.id, std::slice::from_ref(account))
            .await?;
        self.technicians(found)
            .await?
            .pop()
            .ok_or_else(AppError::not_found)
    }

    /// Some of the site's technicians, in the order asked, all of which must be at the site
    /// (anyone who may see the site): the people a bulk action's confirmation names.
    pub async fn selected_technicians(
        &self,
        caller: &Caller,
        site: &SiteId,
        accounts: &[String],
    ) -> AppResult<Vec<Technician>> {
        let site = self.visible_site(caller, site, SiteAccess::View).await?;
        let accounts = account_ids(accounts)?;
        let assignments = self.assignments(&site, &accounts).await?;
        self.technicians(assignments).await
    }

    /// Changes one technician's level, lock, start or end of access (the site's admins; the
    /// partner's admins only the lock).
    #[tracing::instrument(name = "app.update_technician", skip_all)]
    pub async fn update_technician(
        &self,
        caller: &Caller,
        site: &SiteId,
        account: &AccountId,
        change: TechnicianChange,
    ) -> AppResult<Technician> {
        let (site, side) = self.lockable_site(caller, site).await?;
        if side == Side::Partner
            && (change.level.is_some() || change.starts_at.is_some() || change.expires_at.is_some())
        {
            return Err(site_admins_only());
        }
        if self
            .store
            .assignments_of(&site.id, std::slice::from_ref(account))
            .await?
            .is_empty()
        {
            return Err(AppError::not_found());
        }
        let new_level = level(change.level.as_deref())?;
        let starts_at = change
            .starts_at
            .map(|t| validate::to_the_millisecond("starts_at", t))
            .transpose()?;
        let expires_at = change
            .expires_at
            .map(|t| validate::to_the_millisecond("expires_at", t))
            .transpose()?;
        if change.locked == Some(false) {
            self.standing_access_allowed(&site).await?;
        }
        let mut updated = self
            .change_assignments(caller, &site, std::slice::from_ref(account), |a| {
                if let Some(level) = new_level {
                    a.level = level;
                }
                if let Some(locked) = change.locked {
                    set_lock(a, locked, side)?;
                }
                if let Some(starts_at) = starts_at {
                    a.starts_at = starts_at;
                }
                if let Some(expires_at) = expires_at {
                    a.expires_at = expires_at;
                }
                Ok(validate::window("starts_at", a.starts_at, a.expires_at)?)
            })
            .await?;
        Ok(updated.remove(0))
    }

    /// Locks or unlocks technicians together: a mixed selection becomes all locked or all
    /// unlocked, as asked. All or nothing; one audit event per technician whose lock changed.
    /// The partner's admins may too, except unlock access that waits for the site's first
    /// unlock.
    #[tracing::instrument(name = "app.lock_technicians", skip_all)]
    pub async fn lock_technicians(
        &self,
        caller: &Caller,
        site: &SiteId,
        accounts: &[String],
        locked: bool,
    ) -> AppResult<Vec<Technician>> {
        let (site, side) = self.lockable_site(caller, site).await?;
        let accounts = account_ids(accounts)?;
        if !locked {
            self.standing_access_allowed(&site).await?;
        }
        self.change_assignments(caller, &site, &accounts, |a| set_lock(a, locked, side))
            .await
    }

    /// Gives technicians one level. All or nothing; audited per technician.
    #[tracing::instrument(name = "app.level_technicians", skip_all)]
    pub async fn level_technicians(
        &self,
        caller: &Caller,
        site: &SiteId,
        accounts: &[String],
        level: &str,
    ) -> AppResult<Vec<Technician>> {
        let site = self.managed_site(caller, site).await?;
        let accounts = account_ids(accounts)?;
        let level = PermissionLevel::parse("level", level)?;
        self.change_assignments(caller, &site, &accounts, |a| {
            a.level = level;
            Ok(())
        })
        .await
    }

    /// Deletes technicians' access to the site (its admins, or the partner's); their accounts
    /// remain, and inviting them again restores access (Locked). All or nothing; audited per
    /// technician.
    #[tracing::instrument(name = "app.remove_technicians", skip_all)]
    pub async fn remove_technicians(
        &self,
        caller: &Caller,
        site: &SiteId,
        accounts: &[String],
    ) -> AppResult<()> {
        let (site, _) = self.lockable_site(caller, site).await?;
        let accounts = account_ids(accounts)?;
        let removed = self.assignments(&site, &accounts).await?;
        let tenant = (Some(&site.partner_id), Some(&site.id));
        let events: Vec<AuditEvent> = removed
            .iter()
            .map(|a| {
                caller.audit.event(
                    self,
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
        self.permissions
            .commit(removed, {
                let site = site.id.clone();
                move |store| async move { store.delete_assignments(&site, &accounts, &events).await }
            })
            .await?;
        Ok(())
    }

    /// Turns the site's Technician Access on or off (reference 002). While off, no technician
    /// passes any check at the site and technician management is refused; turning it on
    /// restores everything as it was. Returns the site as it is now.
    #[tracing::instrument(name = "app.set_technician_access", skip_all)]
    pub async fn set_technician_access(
        &self,
        caller: &Caller,
        site: &SiteId,
        on: Option<bool>,
    ) -> AppResult<Site> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageTechnicians)
            .await?;
        if let Some(on) = on
            && on != site.technician_access
        {
            self.require_fresh_sign_in(caller).await?;
            let event = caller.audit.event(
                self,
                AuditAction::TechnicianAccessChanged,
                (Some(&site.partner_id), Some(&site.id)),
                AuditTarget {
                    kind: TargetKind::Site,
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
            self.permissions
                .commit([switched.change()], {
                    let site = site.id.clone();
                    move |store| async move { store.set_technician_access(&site, on, &event).await }
                })
                .await?;
        }
        Ok(self.store.site(&site.id).await?)
    }

    /// Refuses unlocking at a site that gives access through approved requests only.
    async fn standing_access_allowed(&self, site: &Site) -> AppResult<()> {
        if self.store.access_policy(&site.id).await?.requests_only {
            return Err(AppError::conflict(
                "requests_only",
                "this site gives technicians access through approved access requests only: \
                 the technician asks for access, or the site's admins turn requests-only off",
            ));
        }
        Ok(())
    }

    /// A site whose technicians the caller may manage: its admins. While the site's
    /// Technician Access is off, technician management is refused.
    async fn managed_site(&self, caller: &Caller, id: &SiteId) -> AppResult<Site> {
        let site = self
            .visible_site(caller, id, SiteAccess::ManageTechnicians)
            .await?;
        switched_on(site)
    }

    /// A site whose technicians' access the caller may lock, unlock and delete, with which
    /// side they are on. While the site's Technician Access is off, this is refused too.
    async fn lockable_site(&self, caller: &Caller, id: &SiteId) -> AppResult<(Site, Side)> {
        let site = self
            .visible_site(caller, id, SiteAccess::LockTechnicians)
            .await?;
        let side = if SiteAccess::ManageTechnicians.allows(caller, &site) {
            Side::Site
        } else {
            Side::Partner
        };
        Ok((switched_on(site)?, side))
    }

    /// The assignments with who holds them: their accounts read by id, a page's worth, not
    /// the partner's whole membership.
    async fn technicians(&self, assignments: Vec<SiteAssignment>) -> AppResult<Vec<Technician>> {
        let ids: Vec<AccountId> = assignments.iter().map(|a| a.account_id.clone()).collect();
        let accounts = self.store.accounts(&ids).await?;
        assignments
            .into_iter()
            .map(|assignment| {
                let account = accounts
                    .iter()
                    .find(|a| a.id == assignment.account_id)
                    .ok_or_else(AppError::not_found)?;
                Ok(Technician {
                    email: account.email.clone(),
                    name: account.name.clone(),
                    assignment,
                })
            })
            .collect()
    }

    /// The assignments of `accounts` at `site`, all of which must exist (all or nothing).
    async fn assignments(
        &self,
        site: &Site,
        accounts: &[AccountId],
    ) -> AppResult<Vec<SiteAssignment>> {
        let found = self.store.assignments_of(&site.id, accounts).await?;
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

    /// Applies `change` to the assignments, writes the ones that changed with one audit event
    /// per technician and change, and returns them all. The write is guarded on the
    /// assignments being as read; when another request changed one meanwhile, the change is
    /// made again from a fresh read (so a lock and a level change at once both hold), and a
    /// technician deleted meanwhile is reported as no longer at the site.
    async fn change_assignments(
        &self,
        caller: &Caller,
        site: &Site,
        accounts: &[AccountId],
        change: impl Fn(&mut SiteAssignment) -> AppResult<()>,
    ) -> AppResult<Vec<Technician>> {
        const ATTEMPTS: u32 = 8;
        for _ in 0..ATTEMPTS {
            let before = self.assignments(site, accounts).await?;
            let (after, events) = self.changed(caller, site, &before, &change)?;
            let changes: Vec<(SiteAssignment, SiteAssignment)> = before
                .into_iter()
                .zip(after.iter().cloned())
                .filter(|(read, new)| read != new)
                .collect();
            if changes.is_empty() {
                return self.technicians(after).await;
            }
            let index_changes: Vec<Change> = changes.iter().map(|(_, new)| new.change()).collect();
            match self
                .permissions
                .commit(index_changes, move |store| async move {
                    store.update_assignments(&changes, &events).await
                })
                .await
            {
                Ok(()) => return self.technicians(after).await,
                Err(StorageError::Conflict(_)) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(AppError::conflict(
            "concurrent_change",
            "these technicians kept changing meanwhile; reload and try again",
        ))
    }

    /// The assignments after `change`, with one audit event per technician and change.
    fn changed(
        &self,
        caller: &Caller,
        site: &Site,
        before: &[SiteAssignment],
        change: &impl Fn(&mut SiteAssignment) -> AppResult<()>,
    ) -> AppResult<(Vec<SiteAssignment>, Vec<AuditEvent>)> {
        let actor = caller.account.as_ref().map(|a| a.id.clone());
        let now = self.now();
        let mut after = Vec::with_capacity(before.len());
        let mut events: Vec<AuditEvent> = Vec::new();
        let tenant = (Some(&site.partner_id), Some(&site.id));
        for old in before {
            let mut new = old.clone();
            change(&mut new)?;
            if old.locked && !new.locked && new.first_unlocked_at.is_none() {
                new.first_unlocked_at = Some(now);
            }
            if new.level != old.level {
                events.push(caller.audit.event(
                    self,
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
                events.push(caller.audit.event(
                    self,
                    action,
                    tenant,
                    target(&new.account_id),
                    vec![FieldChange::changed("locked", old.locked, new.locked)],
                ));
            }
            let text = |t: Option<Timestamp>| t.map(|t| t.to_rfc3339());
            if new.starts_at != old.starts_at {
                events.push(caller.audit.event(
                    self,
                    AuditAction::AssignmentStartChanged,
                    tenant,
                    target(&new.account_id),
                    vec![FieldChange {
                        field: "starts_at".to_owned(),
                        before: text(old.starts_at),
                        after: text(new.starts_at),
                    }],
                ));
            }
            if new.expires_at != old.expires_at {
                events.push(caller.audit.event(
                    self,
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
        Ok((after, events))
    }
}
