//! Just-in-time access (beyond the references): a technician asks for a level at a site for a
//! while with a reason, the site's policy routes it — refused when it asks for too long,
//! approved by itself within the automatic rule, else waiting for one or two approvers (the
//! site's admins, and the partner's Super Admins up to a level the site chooses) — and
//! approval makes the technician's assignment at the site that level, unlocked, for exactly
//! the request's window. The technician can end it early; the sweeper starts approved access
//! that waited for its start, expires requests nobody decided, and gives back what the
//! technician held before once the window is over. Every step is audited under the request's
//! id, so the site's log answers "who let them in, when, for what"; hooks and webhooks hear of
//! each step through those events.

use siteward_core::access::{Action, SiteRef, authorize};
use siteward_core::access_request::{
    AccessPolicy, AccessRequest, AutomaticApproval, BusinessHours, Decided, DecisionError,
    DeviceAccess, MAX_TEXT_LEN, Refusal, RequestStatus, RequestTerms, Restore, Route,
    already_holds,
};
use siteward_core::assignment::SiteAssignment;
use siteward_core::audit::{Actor, AuditAction, AuditEvent, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::{AccessRequestId, AccountId, DeviceGroupId, DeviceId, GrantId, SiteId};
use siteward_core::invitation::PermissionLevel;
use siteward_core::page::{MAX_LIMIT, Page, PageRequest};
use siteward_core::permission::index::Change;
use siteward_core::permission::records::{GrantScope, RoleName, check_grant};
use siteward_core::review::{ReviewSchedule, ReviewTerms, Unconfirmed};
use siteward_core::tenancy::Site;
use siteward_core::validate::{self, Email};
use siteward_core::{FieldError, Timestamp};
use siteward_storage::{AssignmentWrite, Conflict, GrantWrite, RequestWrite, StorageError};

use crate::auth::Caller;
use crate::error::{AppError, AppResult, Kind};
use crate::page::Paging;
use crate::services::{App, AuditContext};
use crate::sites::SiteAccess;

/// How often a step that lost a race is made again from a fresh read.
const ATTEMPTS: u32 = 8;
/// How many due requests the sweeper takes at a time.
const SWEEP_BATCH: u32 = 200;

/// A request as asked; text and numbers are checked after the caller is authorized.
#[derive(Debug, Clone, Default)]
pub struct NewAccessRequest {
    /// The level (`devices_only`, `full_excluding_users`, `full_including_users`).
    pub level: String,
    /// From when; absent: now.
    pub starts_at: Option<Timestamp>,
    /// Until when; or give `minutes`.
    pub ends_at: Option<Timestamp>,
    /// For how long, from the start; or give `ends_at`.
    pub minutes: Option<u32>,
    /// Why: a ticket number or words.
    pub reason: String,
    /// A device role besides the level: `device` or `group` and its id, at the site …
    pub scope: Option<(String, String)>,
    /// … and the role (a devices-and-groups role: a system role's name or a custom role's id).
    pub role: Option<String>,
}

/// A site's access policy as given: levels as text.
#[derive(Debug, Clone, Default)]
pub struct AccessPolicyInput {
    /// The longest access, in minutes.
    pub max_minutes: u32,
    /// The partner's Super Admins approve up to this level too.
    pub super_admins_up_to: Option<String>,
    /// Two different people approve.
    pub two_approvers: bool,
    /// What is approved by itself.
    pub automatic: Option<AutomaticInput>,
    /// No standing access: technicians enter through approved requests only.
    pub requests_only: bool,
    /// Lock access unused this many days.
    pub lock_unused_days: Option<u32>,
    /// Review the site's access on a schedule.
    pub review: Option<ReviewScheduleInput>,
}

/// A review schedule as given.
#[derive(Debug, Clone, Default)]
pub struct ReviewScheduleInput {
    /// Days between reviews.
    pub every_days: u32,
    /// Days each review stays open; absent: 14.
    pub days: Option<u32>,
    /// `lock` (the default) or `leave`.
    pub unconfirmed: Option<String>,
}

/// The automatic-approval rule as given.
#[derive(Debug, Clone)]
pub struct AutomaticInput {
    /// The highest level (text).
    pub up_to: String,
    /// The longest access, in minutes.
    pub max_minutes: u32,
    /// Within these hours only.
    pub hours: Option<BusinessHours>,
}

/// An approver's answer.
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    /// Approve (`true`) or deny.
    pub approve: bool,
    /// What they say; a denial must say why.
    pub comment: Option<String>,
    /// Approve for less time: the access ends here instead.
    pub ends_at: Option<Timestamp>,
}

/// A request with the names a page shows.
#[derive(Debug, Clone)]
pub struct RequestedAccess {
    /// The request; its `status` is the effective one now.
    pub request: AccessRequest,
    /// The technician's name.
    pub technician_name: String,
    /// The technician's email.
    pub technician_email: Email,
    /// The site's name.
    pub site_name: String,
    /// Each decision's person by name, in the decisions' order; `None` where the site's rules
    /// or a token decided, or the account is gone.
    pub decided_by: Vec<Option<String>>,
}

/// Which requests of a site to list.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Only those of this status (text).
    pub status: Option<String>,
}

fn target(id: &AccessRequestId) -> AuditTarget {
    AuditTarget {
        kind: TargetKind::AccessRequest,
        id: id.to_string(),
    }
}

fn time(t: Timestamp) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn not_pending(status: RequestStatus) -> AppError {
    AppError::conflict(
        "request_not_pending",
        format!("this request is {status} and no longer waits for a decision"),
    )
}

fn decision_error(error: DecisionError) -> AppError {
    match error {
        DecisionError::NotPending(status) => not_pending(status),
        DecisionError::OwnRequest => AppError::refused("own_request", error.to_string()),
        DecisionError::AlreadyApproved => AppError::conflict("already_approved", error.to_string()),
        DecisionError::BadEnd => FieldError::new("ends_at", error.to_string()).into(),
    }
}

impl ReviewScheduleInput {
    fn parse(&self) -> Result<ReviewSchedule, FieldError> {
        let defaults = ReviewTerms::default();
        Ok(ReviewSchedule {
            every_days: self.every_days,
            terms: ReviewTerms {
                days: self.days.unwrap_or(defaults.days),
                unconfirmed: self
                    .unconfirmed
                    .as_deref()
                    .map(|u| Unconfirmed::parse("review.unconfirmed", u))
                    .transpose()?
                    .unwrap_or(defaults.unconfirmed),
            },
        })
    }
}

impl From<ReviewSchedule> for ReviewScheduleInput {
    fn from(schedule: ReviewSchedule) -> Self {
        Self {
            every_days: schedule.every_days,
            days: Some(schedule.terms.days),
            unconfirmed: Some(schedule.terms.unconfirmed.as_str().to_owned()),
        }
    }
}

impl AccessPolicyInput {
    fn parse(&self) -> Result<AccessPolicy, FieldError> {
        let level = |field: &str, text: &str| PermissionLevel::parse(field, text);
        let policy = AccessPolicy {
            max_minutes: self.max_minutes,
            super_admins_up_to: self
                .super_admins_up_to
                .as_deref()
                .map(|l| level("super_admins_up_to", l))
                .transpose()?,
            two_approvers: self.two_approvers,
            automatic: self
                .automatic
                .as_ref()
                .map(|a| {
                    Ok::<_, FieldError>(AutomaticApproval {
                        up_to: level("automatic.up_to", &a.up_to)?,
                        max_minutes: a.max_minutes,
                        hours: a.hours,
                    })
                })
                .transpose()?,
            requests_only: self.requests_only,
            lock_unused_days: self.lock_unused_days,
            review: self
                .review
                .as_ref()
                .map(ReviewScheduleInput::parse)
                .transpose()?,
        };
        policy.check()?;
        Ok(policy)
    }
}

impl App {
    /// A site's rules for access requests (anyone who may see the site: technicians read them
    /// before asking).
    pub async fn access_policy(&self, caller: &Caller, site: &SiteId) -> AppResult<AccessPolicy> {
        let site = self.visible_site(caller, site, SiteAccess::View).await?;
        Ok(self.store.access_policy(&site.id).await?)
    }

    /// Sets a site's rules for access requests (its admins, after a fresh sign-in where a
    /// policy asks). Turning `requests_only` on locks every technician whose access is not an
    /// approved request's, in the same transaction, one `assignment.locked` event each.
    pub async fn set_access_policy(
        &self,
        caller: &Caller,
        site: &SiteId,
        input: &AccessPolicyInput,
    ) -> AppResult<AccessPolicy> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageTechnicians)
            .await?;
        let policy = input.parse()?;
        self.require_fresh_sign_in(caller).await?;
        self.put_access_policy(caller, &site, policy).await
    }

    /// Sets or clears a site's schedule of access reviews, leaving its other rules as they
    /// are (its admins, as [`App::set_access_policy`]).
    pub async fn set_review_schedule(
        &self,
        caller: &Caller,
        site: &SiteId,
        schedule: Option<&ReviewScheduleInput>,
    ) -> AppResult<AccessPolicy> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageTechnicians)
            .await?;
        let review = schedule.map(ReviewScheduleInput::parse).transpose()?;
        if let Some(review) = &review {
            review.check()?;
        }
        self.require_fresh_sign_in(caller).await?;
        let current = self.store.access_policy(&site.id).await?;
        self.put_access_policy(caller, &site, AccessPolicy { review, ..current })
            .await
    }

    async fn put_access_policy(
        &self,
        caller: &Caller,
        site: &Site,
        policy: AccessPolicy,
    ) -> AppResult<AccessPolicy> {
        for _ in 0..ATTEMPTS {
            let (before, next_review) = self.store.access_policy_and_next_review(&site.id).await?;
            // The first scheduled review comes one interval after the schedule is set (or
            // changed); an unchanged schedule keeps its date.
            let next_review_at = match (policy.review, before.review) {
                (Some(now), Some(was))
                    if now.every_days == was.every_days && next_review.is_some() =>
                {
                    next_review
                }
                (Some(schedule), _) => {
                    Some(self.now() + chrono::Duration::days(i64::from(schedule.every_days)))
                }
                (None, _) => None,
            };
            let locks = if policy.requests_only {
                self.standing_access(site).await?
            } else {
                Vec::new()
            };
            let tenant = (Some(&site.partner_id), Some(&site.id));
            let mut events: Vec<AuditEvent> = locks
                .iter()
                .map(|(_, locked)| {
                    caller.audit.event(
                        self,
                        AuditAction::AssignmentLocked,
                        tenant,
                        AuditTarget {
                            kind: TargetKind::SiteAssignment,
                            id: locked.account_id.to_string(),
                        },
                        vec![FieldChange::changed("locked", false, true)],
                    )
                })
                .collect();
            events.push(caller.audit.event(
                self,
                AuditAction::SiteAccessPolicyChanged,
                tenant,
                AuditTarget {
                    kind: TargetKind::Site,
                    id: site.id.to_string(),
                },
                policy_changes(&before, &policy),
            ));
            let changes: Vec<Change> = locks.iter().map(|(_, new)| new.change()).collect();
            let written = self
                .permissions
                .commit(changes, {
                    let (site, now) = (site.id.clone(), self.now());
                    move |store| async move {
                        store
                            .set_access_policy(&site, &policy, next_review_at, now, &locks, &events)
                            .await
                    }
                })
                .await;
            match written {
                Ok(()) => return Ok(policy),
                Err(StorageError::Conflict(Conflict::Concurrent)) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(concurrent())
    }

    /// The unlocked assignments at a site that no access request put in force, each with
    /// itself locked.
    async fn standing_access(
        &self,
        site: &Site,
    ) -> AppResult<Vec<(SiteAssignment, SiteAssignment)>> {
        let mut active = Vec::new();
        let mut page = first_page();
        loop {
            let found = self
                .store
                .site_access_requests(&site.id, Some(RequestStatus::Active), &page)
                .await?;
            active.extend(found.items.into_iter().map(|r| r.technician));
            match found.next_cursor {
                Some(cursor) => page = next_page(&cursor)?,
                None => break,
            }
        }
        let now = self.now();
        let mut locks = Vec::new();
        let mut page = first_page();
        loop {
            let found = self
                .store
                .site_assignments(&site.id, Some(false), None, &page)
                .await?;
            for a in found.items {
                if !active.contains(&a.account_id) {
                    let locked = SiteAssignment {
                        locked: true,
                        updated_at: now,
                        ..a.clone()
                    };
                    locks.push((a, locked));
                }
            }
            match found.next_cursor {
                Some(cursor) => page = next_page(&cursor)?,
                None => return Ok(locks),
            }
        }
    }

    /// A technician asks for access to a site of a partner they are an active member of.
    /// Refused when they already hold that much for the whole time, when they have an open
    /// request there, or when it asks for longer than the site allows; approved at once when
    /// the site's automatic rule covers it.
    pub async fn request_access(
        &self,
        caller: &Caller,
        site: &SiteId,
        new: &NewAccessRequest,
    ) -> AppResult<RequestedAccess> {
        let site = self.store.site(site).await?;
        authorize(
            &caller.principal,
            Action::RequestSiteAccess(SiteRef {
                site: &site.id,
                partner: &site.partner_id,
            }),
        )?;
        let me = caller.account()?.clone();
        let now = self.now();
        let level = PermissionLevel::parse("level", &new.level)?;
        let reason = validate::text("reason", &new.reason, MAX_TEXT_LEN)?;
        let starts_at = validate::to_the_millisecond("starts_at", new.starts_at)?;
        let ends_at = match (
            validate::to_the_millisecond("ends_at", new.ends_at)?,
            new.minutes,
        ) {
            (Some(end), None) => end,
            (None, Some(minutes)) => {
                starts_at.map_or(now, |s| s.max(now))
                    + chrono::Duration::minutes(i64::from(minutes))
            }
            _ => {
                return Err(FieldError::new("ends_at", "give either ends_at or minutes").into());
            }
        };
        let terms = RequestTerms::new(level, starts_at, ends_at, now)?;
        let devices = match (&new.scope, &new.role) {
            (None, None) => None,
            (Some(scope), Some(role)) => Some(self.device_access(&site, scope, role).await?),
            (None, Some(_)) => {
                return Err(
                    FieldError::new("scope", "name the device or group the role is for").into(),
                );
            }
            (Some(_), None) => {
                return Err(FieldError::new(
                    "role",
                    "name the role asked for on the device or group",
                )
                .into());
            }
        };
        if !site.technician_access {
            return Err(AppError::conflict(
                "technician_access_off",
                "Technician Access is off for this site: no technician can enter it now",
            ));
        }
        let policy = self.store.access_policy(&site.id).await?;
        let route = policy.route(&terms).map_err(|refusal| {
            let field = match refusal {
                Refusal::TooLong { .. } if new.minutes.is_some() => "minutes",
                Refusal::TooLong { .. } => "ends_at",
            };
            let mut error = AppError::new(Kind::Invalid, "beyond_policy", refusal.to_string());
            error.field = Some(field.to_owned());
            error
        })?;
        let current = self.assignment(&site.id, &me.id).await?;
        if devices.is_none()
            && already_holds(current.as_ref(), level, terms.starts_at, terms.ends_at)
        {
            return Err(AppError::conflict(
                "already_has_access",
                format!(
                    "you already hold {level} or more at this site for all of that time: \
                     there is nothing to ask for"
                ),
            ));
        }
        let request = AccessRequest {
            id: self.new_id(AccessRequestId::from_trusted),
            partner_id: site.partner_id.clone(),
            site_id: site.id.clone(),
            technician: me.id.clone(),
            terms,
            devices,
            reason,
            status: RequestStatus::Pending,
            approvals_needed: policy.approvals_needed(),
            decisions: Vec::new(),
            previous: None,
            created_at: now,
            closed_at: None,
        };
        let automatic = match route {
            Route::Automatic => Some(
                request
                    .decide(&Actor::System, true, None, None, now)
                    .map_err(decision_error)?
                    .0,
            ),
            Route::Approval { .. } => None,
        };
        let status = match &automatic {
            Some(approved) if approved.begins_now(current.as_ref(), now) => RequestStatus::Active,
            Some(_) => RequestStatus::Approved,
            None => RequestStatus::Pending,
        };
        let mut changes = Vec::new();
        if let Some(devices) = &request.devices {
            let (kind, id) = devices.scope.kind_and_id();
            changes.push(FieldChange::set("scope", format!("{kind}:{id}")));
            changes.push(FieldChange::set("role", devices.role.as_str()));
        }
        let created = caller.audit.event(
            self,
            AuditAction::AccessRequestCreated,
            (Some(&site.partner_id), Some(&site.id)),
            target(&request.id),
            [
                FieldChange::set("level", level),
                FieldChange::set("starts_at", time(terms.starts_at)),
                FieldChange::set("ends_at", time(terms.ends_at)),
                FieldChange::set("reason", &request.reason),
                FieldChange::set(
                    "approvers",
                    if policy.super_admins_approve(level) {
                        "site_admins,partner_super_admins"
                    } else {
                        "site_admins"
                    },
                ),
                FieldChange::set("status", status),
            ]
            .into_iter()
            .chain(changes)
            .collect(),
        );
        let mut write = RequestWrite {
            read: None,
            request: request.clone(),
            assignment: AssignmentWrite::Keep,
            grant: GrantWrite::Keep,
            events: vec![created],
        };
        if let Some(approved) = automatic {
            // The site's policy approves: the event's actor is the host, for the policy.
            let system = AuditContext {
                actor: Actor::System,
                request_id: caller.audit.request_id.clone(),
            };
            self.approve_into(&mut write, &system, approved, current, &me.id, (None, None));
        }
        let mut written = self.write_request(write.clone()).await;
        if let Err(StorageError::Conflict(Conflict::AlreadyRequested)) = written {
            // The open request may be over by its time, with the sweeper not yet round:
            // close what is due, and try once more.
            self.sweep_access_requests().await?;
            written = self.write_request(write).await;
        }
        written.map_err(|error| match error {
            StorageError::Conflict(Conflict::Concurrent) => concurrent(),
            other => other.into(),
        })?;
        self.requested(caller, &request.id).await
    }

    /// A device role asked for at `site`: a device or group of the site, and a role of the
    /// devices-and-groups purpose the partner has.
    async fn device_access(
        &self,
        site: &Site,
        (kind, id): &(String, String),
        role: &str,
    ) -> AppResult<DeviceAccess> {
        let unknown = || FieldError::new("scope.id", "is not a device or group of this site");
        let scope = match kind.as_str() {
            "device" => {
                let id = DeviceId::parse("scope.id", id)?;
                let device = self.store.device(&id).await.map_err(|_| unknown())?;
                if device.site_id != site.id {
                    return Err(unknown().into());
                }
                GrantScope::Device(id)
            }
            "group" => {
                let id = DeviceGroupId::parse("scope.id", id)?;
                let group = self.store.device_group(&id).await.map_err(|_| unknown())?;
                if group.site_id != site.id {
                    return Err(unknown().into());
                }
                GrantScope::Group(id)
            }
            _ => return Err(FieldError::new("scope.kind", "must be one of: device, group").into()),
        };
        let role = RoleName::parse("role", role)?;
        let purpose = match &role {
            RoleName::System(system) => system.purpose(),
            RoleName::Custom(id) => {
                self.store
                    .role(id)
                    .await
                    .ok()
                    .filter(|r| r.partner_id == site.partner_id)
                    .ok_or_else(|| FieldError::new("role", "does not exist at this partner"))?
                    .purpose
            }
        };
        check_grant(&scope, purpose, None, None)?;
        Ok(DeviceAccess {
            grant: self.new_id(GrantId::from_trusted),
            scope,
            role,
        })
    }

    /// Approves or denies a request: the site's admins and tokens, and the partner's Super
    /// Admins where the site lets them for the level asked. Two approvers at once yield one
    /// decision: the second is told the request is no longer pending (or, with two approvers
    /// needed, is the second approval).
    pub async fn decide_access_request(
        &self,
        caller: &Caller,
        id: &AccessRequestId,
        input: &DecisionInput,
    ) -> AppResult<RequestedAccess> {
        let (request, site) = self.request_and_site(id).await?;
        let policy = self.store.access_policy(&site.id).await?;
        authorize(
            &caller.principal,
            Action::DecideSiteAccess {
                site: SiteRef {
                    site: &site.id,
                    partner: &site.partner_id,
                },
                super_admins: policy.super_admins_approve(request.terms.level),
            },
        )?;
        let comment = input
            .comment
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .map(|c| validate::text("comment", c, MAX_TEXT_LEN))
            .transpose()?;
        if !input.approve && comment.is_none() {
            return Err(
                FieldError::new("comment", "say why you deny it: the technician reads it").into(),
            );
        }
        let ends_at = validate::to_the_millisecond("ends_at", input.ends_at)?;
        if input.approve
            && let Err(StorageError::NotFound) = self
                .store
                .member(&site.partner_id, &request.technician)
                .await
        {
            return Err(AppError::conflict(
                "not_a_member",
                "the technician is no longer a member of the partner: there is no one to let in",
            ));
        }
        let set_by = match &caller.audit.actor {
            Actor::Account(account) => account.clone(),
            _ => request.technician.clone(),
        };
        let mut read = request;
        for _ in 0..ATTEMPTS {
            let now = self.now();
            let (decided_request, decided) = read
                .decide(
                    &caller.audit.actor,
                    input.approve,
                    comment.clone(),
                    ends_at,
                    now,
                )
                .map_err(decision_error)?;
            let tenant = (Some(&site.partner_id), Some(&site.id));
            let mut write = RequestWrite {
                read: Some(read.clone()),
                request: decided_request.clone(),
                assignment: AssignmentWrite::Keep,
                grant: GrantWrite::Keep,
                events: Vec::new(),
            };
            let mut changes = vec![FieldChange::changed(
                "status",
                RequestStatus::Pending,
                decided_request.status,
            )];
            if let Some(comment) = &comment {
                changes.push(FieldChange::set("comment", comment));
            }
            match decided {
                Decided::Denied => write.events.push(caller.audit.event(
                    self,
                    AuditAction::AccessRequestDenied,
                    tenant,
                    target(id),
                    changes,
                )),
                Decided::Waiting => write.events.push(caller.audit.event(
                    self,
                    AuditAction::AccessRequestApprovalAdded,
                    tenant,
                    target(id),
                    changes,
                )),
                Decided::Approved => {
                    let current = self.assignment(&site.id, &read.technician).await?;
                    let shortened = (decided_request.terms.ends_at != read.terms.ends_at)
                        .then_some(read.terms.ends_at);
                    self.approve_into(
                        &mut write,
                        &caller.audit,
                        decided_request,
                        current,
                        &set_by,
                        (shortened, comment.clone()),
                    );
                }
            }
            match self.write_request(write).await {
                Ok(()) => return self.requested(caller, id).await,
                Err(StorageError::Conflict(Conflict::Concurrent)) => {
                    read = self.store.access_request(id).await?;
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(concurrent())
    }

    /// Ends a request: before its access began it is cancelled; in force, its access ends now
    /// and what the technician held before comes back. The technician themself, or whoever
    /// may decide it.
    pub async fn end_access_request(
        &self,
        caller: &Caller,
        id: &AccessRequestId,
    ) -> AppResult<RequestedAccess> {
        let (mut read, site) = self.request_and_site(id).await?;
        let policy = self.store.access_policy(&site.id).await?;
        let own = caller
            .account
            .as_ref()
            .is_some_and(|a| a.id == read.technician);
        if !own {
            authorize(
                &caller.principal,
                Action::DecideSiteAccess {
                    site: SiteRef {
                        site: &site.id,
                        partner: &site.partner_id,
                    },
                    super_admins: policy.super_admins_approve(read.terms.level),
                },
            )?;
        }
        for _ in 0..ATTEMPTS {
            let now = self.now();
            let status = read.status_at(now);
            let write = match status {
                RequestStatus::Pending | RequestStatus::Approved => {
                    self.closed(&caller.audit, &read, RequestStatus::Cancelled, None, false)
                }
                RequestStatus::Active => {
                    let current = self.assignment(&site.id, &read.technician).await?;
                    self.closed(
                        &caller.audit,
                        &read,
                        RequestStatus::Ended,
                        current,
                        policy.requests_only,
                    )
                }
                other => return Err(not_pending_or_over(other)),
            };
            match self.write_request(write).await {
                Ok(()) => return self.requested(caller, id).await,
                Err(StorageError::Conflict(Conflict::Concurrent)) => {
                    read = self.store.access_request(id).await?;
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(concurrent())
    }

    /// One request: the technician's own, or any at a site whose requests the caller may read.
    pub async fn access_request(
        &self,
        caller: &Caller,
        id: &AccessRequestId,
    ) -> AppResult<RequestedAccess> {
        self.requested(caller, id).await
    }

    /// A site's requests, newest first (its admins and tokens, the partner's people with
    /// `admin.team`, the operator).
    pub async fn site_access_requests(
        &self,
        caller: &Caller,
        site: &SiteId,
        filter: &RequestFilter,
        paging: Paging<'_>,
    ) -> AppResult<Page<RequestedAccess>> {
        let site = self.store.site(site).await?;
        authorize(
            &caller.principal,
            Action::ReviewSiteAccess(SiteRef {
                site: &site.id,
                partner: &site.partner_id,
            }),
        )?;
        let status = filter
            .status
            .as_deref()
            .map(|s| RequestStatus::parse("status", s))
            .transpose()?;
        let page = self
            .store
            .site_access_requests(&site.id, status, &paging.parse()?)
            .await?;
        self.named(page, Some(&site)).await
    }

    /// The sites the caller may ask for access to, by name, with their partner's name: those
    /// of every partner they are an active member of whose Technician Access is on (the first
    /// 200 of each partner).
    pub async fn requestable_sites(&self, caller: &Caller) -> AppResult<Vec<(Site, String)>> {
        let siteward_core::access::Principal::Account(holds) = &caller.principal else {
            return Ok(Vec::new());
        };
        let first = first_page();
        let mut sites = Vec::new();
        for standing in holds
            .partners
            .iter()
            .filter(|s| s.status == siteward_core::tenancy::MemberStatus::Active)
        {
            let partner = self.store.partner(&standing.partner).await?;
            for site in self.store.sites(&partner.id, &first).await?.items {
                if site.technician_access {
                    sites.push((site, partner.name.clone()));
                }
            }
        }
        sites.sort_by(|a, b| (&a.0.name, &a.1).cmp(&(&b.0.name, &b.1)));
        Ok(sites)
    }

    /// The device groups a person may ask a device role on, at `sites` (the ones
    /// [`App::requestable_sites`] gave them): up to 500, by name.
    pub async fn requestable_groups(
        &self,
        sites: &[Site],
    ) -> AppResult<Vec<siteward_core::permission::records::DeviceGroup>> {
        if sites.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<SiteId> = sites.iter().map(|s| s.id.clone()).collect();
        Ok(self.store.device_groups_of_sites(&ids, 500).await?)
    }

    /// The caller's own requests, newest first.
    pub async fn my_access_requests(
        &self,
        caller: &Caller,
        paging: Paging<'_>,
    ) -> AppResult<Page<RequestedAccess>> {
        let me = caller.account()?;
        let page = self
            .store
            .technician_access_requests(&me.id, &paging.parse()?)
            .await?;
        self.named(page, None).await
    }

    /// Takes every request whose next step is due: expires the undecided, starts approved
    /// access whose start has come, ends access whose window is over. Returns how many
    /// requests moved; one that changed meanwhile waits for the next round.
    pub async fn sweep_access_requests(&self) -> AppResult<usize> {
        let system = AuditContext {
            actor: Actor::System,
            request_id: None,
        };
        let mut moved = 0;
        loop {
            let now = self.now();
            let due = self.store.due_access_requests(now, SWEEP_BATCH).await?;
            let batch = due.len();
            let mut moved_here = 0;
            for request in due {
                let write = match request.status {
                    RequestStatus::Pending => {
                        self.closed(&system, &request, RequestStatus::Expired, None, false)
                    }
                    RequestStatus::Approved if request.terms.ends_at <= now => {
                        self.closed(&system, &request, RequestStatus::Ended, None, false)
                    }
                    RequestStatus::Approved => {
                        let set_by = approver(&request);
                        let current = self
                            .assignment(&request.site_id, &request.technician)
                            .await?;
                        let (active, assignment, grant) = self.begun(&request, current, &set_by);
                        RequestWrite {
                            read: Some(request.clone()),
                            events: vec![system.event(
                                self,
                                AuditAction::AccessRequestStarted,
                                (Some(&request.partner_id), Some(&request.site_id)),
                                target(&request.id),
                                vec![FieldChange::changed(
                                    "status",
                                    RequestStatus::Approved,
                                    RequestStatus::Active,
                                )],
                            )],
                            request: active,
                            assignment,
                            grant,
                        }
                    }
                    _ => {
                        let current = self
                            .assignment(&request.site_id, &request.technician)
                            .await?;
                        let requests_only = self
                            .store
                            .access_policy(&request.site_id)
                            .await?
                            .requests_only;
                        self.closed(
                            &system,
                            &request,
                            RequestStatus::Ended,
                            current,
                            requests_only,
                        )
                    }
                };
                match self.write_request(write).await {
                    Ok(()) => moved_here += 1,
                    Err(StorageError::Conflict(_)) => {}
                    Err(other) => return Err(other.into()),
                }
            }
            moved += moved_here;
            if batch < SWEEP_BATCH as usize || moved_here == 0 {
                return Ok(moved);
            }
        }
    }

    /// Locks, at every site whose rules ask it, the access of technicians who have not acted
    /// there for the site's number of days (nor since their access was first unlocked), one
    /// `assignment.locked` event each, by the host. Returns how many were locked; one that
    /// changed meanwhile waits for the next round.
    pub async fn lock_unused_access(&self) -> AppResult<usize> {
        let system = AuditContext {
            actor: Actor::System,
            request_id: None,
        };
        let mut locked = 0;
        for (site, days) in self.store.sites_locking_unused_access().await? {
            let now = self.now();
            let before = now - chrono::Duration::days(i64::from(days));
            let unused = self
                .store
                .unused_assignments(&site, before, SWEEP_BATCH)
                .await?;
            if unused.is_empty() {
                continue;
            }
            let mut events = Vec::with_capacity(unused.len());
            let mut changes = Vec::with_capacity(unused.len());
            for read in unused {
                events.push(system.event(
                    self,
                    AuditAction::AssignmentLocked,
                    (Some(&read.partner_id), Some(&read.site_id)),
                    AuditTarget {
                        kind: TargetKind::SiteAssignment,
                        id: read.account_id.to_string(),
                    },
                    vec![
                        FieldChange::changed("locked", false, true),
                        FieldChange::set("reason", format!("unused for {days} days")),
                    ],
                ));
                let new = SiteAssignment {
                    locked: true,
                    updated_at: now,
                    ..read.clone()
                };
                changes.push((read, new));
            }
            let index: Vec<Change> = changes.iter().map(|(_, new)| new.change()).collect();
            let count = changes.len();
            match self
                .permissions
                .commit(index, move |store| async move {
                    store.update_assignments(&changes, &events).await
                })
                .await
            {
                Ok(()) => locked += count,
                Err(StorageError::Conflict(_)) => {}
                Err(other) => return Err(other.into()),
            }
        }
        Ok(locked)
    }

    /// The request with its access begun now, and what that writes: the assignment over
    /// `current`, and the grant of the device role asked for.
    fn begun(
        &self,
        request: &AccessRequest,
        current: Option<SiteAssignment>,
        set_by: &AccountId,
    ) -> (AccessRequest, AssignmentWrite, GrantWrite) {
        let now = self.now();
        let (active, new) = request.begin(current.as_ref(), set_by, now);
        let grant = request
            .grant(set_by, now)
            .map_or(GrantWrite::Keep, GrantWrite::Put);
        (active, AssignmentWrite::Put { read: current, new }, grant)
    }

    /// `write` made the approval of `request`: its access begun when it can begin now (else
    /// waiting for its start), and the `access_request.approved` event; `said` is the end
    /// asked for when the approver chose an earlier one, and their comment.
    fn approve_into(
        &self,
        write: &mut RequestWrite,
        audit: &AuditContext,
        request: AccessRequest,
        current: Option<SiteAssignment>,
        set_by: &AccountId,
        said: (Option<Timestamp>, Option<String>),
    ) {
        let now = self.now();
        let request = if request.begins_now(current.as_ref(), now) {
            let (active, assignment, grant) = self.begun(&request, current, set_by);
            write.assignment = assignment;
            write.grant = grant;
            active
        } else {
            request
        };
        let mut changes = vec![
            FieldChange::changed("status", RequestStatus::Pending, request.status),
            FieldChange::set("level", request.terms.level),
            FieldChange::set("starts_at", time(request.terms.starts_at)),
        ];
        let (shortened, comment) = said;
        changes.push(match shortened {
            Some(asked) => {
                FieldChange::changed("ends_at", time(asked), time(request.terms.ends_at))
            }
            None => FieldChange::set("ends_at", time(request.terms.ends_at)),
        });
        if let Some(comment) = comment {
            changes.push(FieldChange::set("comment", comment));
        }
        write.events.push(audit.event(
            self,
            AuditAction::AccessRequestApproved,
            (Some(&request.partner_id), Some(&request.site_id)),
            target(&request.id),
            changes,
        ));
        write.request = request;
    }

    /// The write that closes a request as `status`, giving back what the technician held
    /// before when its access was in force (`current`: their assignment now) — locked, at a
    /// site that keeps no standing access (`requests_only`).
    fn closed(
        &self,
        audit: &AuditContext,
        request: &AccessRequest,
        status: RequestStatus,
        current: Option<SiteAssignment>,
        requests_only: bool,
    ) -> RequestWrite {
        let now = self.now();
        let was_active = request.status == RequestStatus::Active;
        let assignment = if was_active {
            match request.restore(current.as_ref(), now) {
                Restore::Put(mut new) => {
                    if requests_only && request.previous.is_some_and(|p| !p.locked) {
                        new.locked = true;
                    }
                    AssignmentWrite::Put { read: current, new }
                }
                Restore::Delete => AssignmentWrite::Delete {
                    read: current.expect("a deletion restores an assignment that exists"),
                },
                Restore::Leave => AssignmentWrite::Keep,
            }
        } else {
            AssignmentWrite::Keep
        };
        let action = match status {
            RequestStatus::Cancelled => AuditAction::AccessRequestCancelled,
            RequestStatus::Expired => AuditAction::AccessRequestExpired,
            _ => AuditAction::AccessRequestEnded,
        };
        let event = audit.event(
            self,
            action,
            (Some(&request.partner_id), Some(&request.site_id)),
            target(&request.id),
            vec![FieldChange::changed("status", request.status, status)],
        );
        let grant = match (&request.devices, was_active) {
            (Some(devices), true) => GrantWrite::Delete(devices.grant.clone()),
            _ => GrantWrite::Keep,
        };
        RequestWrite {
            read: Some(request.clone()),
            request: request.closed(status, now),
            assignment,
            grant,
            events: vec![event],
        }
    }

    /// Writes a request's step, through the permission lane when it changes an assignment.
    async fn write_request(&self, write: RequestWrite) -> Result<(), StorageError> {
        let mut changes: Vec<Change> = match &write.assignment {
            AssignmentWrite::Keep => Vec::new(),
            AssignmentWrite::Put { new, .. } => vec![new.change()],
            AssignmentWrite::Delete { read } => vec![Change::Assignment {
                site: read.site_id.key(),
                account: read.account_id.key(),
                assignment: None,
            }],
        };
        match &write.grant {
            GrantWrite::Keep => {}
            GrantWrite::Put(grant) => changes.extend(grant.change()),
            GrantWrite::Delete(id) => changes.push(Change::GrantRemoved { grant: id.key() }),
        }
        self.permissions
            .commit(changes, move |store| async move {
                store.write_access_request(&write).await
            })
            .await
    }

    /// The technician's assignment at the site, if any.
    async fn assignment(
        &self,
        site: &SiteId,
        account: &AccountId,
    ) -> AppResult<Option<SiteAssignment>> {
        Ok(self
            .store
            .assignments_of(site, std::slice::from_ref(account))
            .await?
            .pop())
    }

    async fn request_and_site(&self, id: &AccessRequestId) -> AppResult<(AccessRequest, Site)> {
        let request = self.store.access_request(id).await?;
        let site = self.store.site(&request.site_id).await?;
        Ok((request, site))
    }

    /// A request the caller may read, with names: their own, or one at a site whose requests
    /// they may read (anyone else: not found).
    async fn requested(&self, caller: &Caller, id: &AccessRequestId) -> AppResult<RequestedAccess> {
        let (request, site) = self.request_and_site(id).await?;
        let own = caller
            .account
            .as_ref()
            .is_some_and(|a| a.id == request.technician);
        if !own {
            authorize(
                &caller.principal,
                Action::ReviewSiteAccess(SiteRef {
                    site: &site.id,
                    partner: &site.partner_id,
                }),
            )?;
        }
        let mut named = self
            .named(
                Page {
                    items: vec![request],
                    next_cursor: None,
                },
                Some(&site),
            )
            .await?;
        named.items.pop().ok_or_else(AppError::not_found)
    }

    /// Requests with their technicians' and sites' names, and their status as of now.
    async fn named(
        &self,
        page: Page<AccessRequest>,
        site: Option<&Site>,
    ) -> AppResult<Page<RequestedAccess>> {
        let now = self.now();
        let mut people: Vec<AccountId> = Vec::new();
        for request in &page.items {
            people.push(request.technician.clone());
            people.extend(request.decisions.iter().filter_map(|d| match &d.by {
                Actor::Account(account) => Some(account.clone()),
                _ => None,
            }));
        }
        people.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
        people.dedup();
        let accounts = self.store.accounts(&people).await?;
        let mut sites: Vec<Site> = site.into_iter().cloned().collect();
        let mut items = Vec::with_capacity(page.items.len());
        for mut request in page.items {
            let site_name = match sites.iter().find(|s| s.id == request.site_id) {
                Some(site) => site.name.clone(),
                None => {
                    let site = self.store.site(&request.site_id).await?;
                    let name = site.name.clone();
                    sites.push(site);
                    name
                }
            };
            let Some(account) = accounts.iter().find(|a| a.id == request.technician) else {
                continue;
            };
            request.status = request.status_at(now);
            let decided_by = request
                .decisions
                .iter()
                .map(|d| match &d.by {
                    Actor::Account(id) => accounts
                        .iter()
                        .find(|a| &a.id == id)
                        .map(|a| a.name.clone()),
                    _ => None,
                })
                .collect();
            items.push(RequestedAccess {
                technician_name: account.name.clone(),
                technician_email: account.email.clone(),
                site_name,
                decided_by,
                request,
            });
        }
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
        })
    }
}

/// Who set an assignment a request's access put in force: its last approving person, else the
/// technician (approved by the site's policy or a token).
fn approver(request: &AccessRequest) -> AccountId {
    request
        .decisions
        .iter()
        .rev()
        .find_map(|d| match &d.by {
            Actor::Account(account) if d.approved => Some(account.clone()),
            _ => None,
        })
        .unwrap_or_else(|| request.technician.clone())
}

/// The first page of a listing, as long as a page may be.
fn first_page() -> PageRequest {
    PageRequest {
        limit: MAX_LIMIT,
        after: None,
    }
}

/// The page after `cursor`.
fn next_page(cursor: &str) -> Result<PageRequest, FieldError> {
    PageRequest::parse(Some(MAX_LIMIT), Some(cursor))
}

fn not_pending_or_over(status: RequestStatus) -> AppError {
    AppError::conflict(
        "request_closed",
        format!("this request is {status} already: there is nothing to end"),
    )
}

fn concurrent() -> AppError {
    AppError::conflict(
        "concurrent_change",
        "this request or the technician's access kept changing meanwhile; reload and try again",
    )
}

/// The fields a policy change changed.
fn policy_changes(before: &AccessPolicy, after: &AccessPolicy) -> Vec<FieldChange> {
    let level = |l: Option<PermissionLevel>| l.map_or_else(|| "-".to_owned(), |l| l.to_string());
    let automatic = |p: &AccessPolicy| {
        p.automatic.map_or_else(
            || "-".to_owned(),
            |a| {
                let hours = a.hours.map_or_else(String::new, |h| {
                    format!(
                        " {:02}-{:02}{} UTC{:+}min",
                        h.from_hour,
                        h.until_hour,
                        if h.weekdays_only { " weekdays" } else { "" },
                        h.utc_offset_minutes
                    )
                });
                format!("{} {}min{hours}", a.up_to, a.max_minutes)
            },
        )
    };
    let mut changes = Vec::new();
    let mut field = |name: &str, before: String, after: String| {
        if before != after {
            changes.push(FieldChange::changed(name, before, after));
        }
    };
    field(
        "max_minutes",
        before.max_minutes.to_string(),
        after.max_minutes.to_string(),
    );
    field(
        "super_admins_up_to",
        level(before.super_admins_up_to),
        level(after.super_admins_up_to),
    );
    field(
        "two_approvers",
        before.two_approvers.to_string(),
        after.two_approvers.to_string(),
    );
    field("automatic", automatic(before), automatic(after));
    field(
        "requests_only",
        before.requests_only.to_string(),
        after.requests_only.to_string(),
    );
    let days = |d: Option<u32>| d.map_or_else(|| "-".to_owned(), |d| d.to_string());
    let review = |p: &AccessPolicy| {
        p.review.map_or_else(
            || "-".to_owned(),
            |r| {
                format!(
                    "every {} days, open {} days, unconfirmed {}",
                    r.every_days, r.terms.days, r.terms.unconfirmed
                )
            },
        )
    };
    field("review", review(before), review(after));
    field(
        "lock_unused_days",
        days(before.lock_unused_days),
        days(after.lock_unused_days),
    );
    changes
}
