//! Just-in-time access: each site's `access_policy` and the technicians' `access_request`s.
//! A request's every step — made, decided, begun, closed — is one transaction with its audit
//! events and, where the access begins or ends, the technician's site assignment, each guarded
//! on being as it was read: two approvers deciding at once yield one decision.

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue, Variables};

use siteward_core::Timestamp;
use siteward_core::access_request::{
    AccessPolicy, AccessRequest, AutomaticApproval, BusinessHours, Decision, DeviceAccess, Held,
    RequestStatus, RequestTerms,
};
use siteward_core::assignment::SiteAssignment;
use siteward_core::audit::AuditEvent;
use siteward_core::ids::{
    AccessRequestId, AccountId, DeviceGroupId, DeviceId, GrantId, PartnerId, SiteId,
};
use siteward_core::invitation::PermissionLevel;
use siteward_core::page::{Page, PageRequest};
use siteward_core::permission::records::{AccessGrant, GrantScope, RoleName};
use siteward_core::review::{ReviewSchedule, ReviewTerms, Unconfirmed};

use crate::error::{Conflict, StorageError};
use crate::invitations::AssignmentRow;
use crate::permissions::GrantRow;
use crate::rows::{actor, key, rid, site_admin_key, stored};
use crate::{Store, tx::Tx};

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct PolicyRow {
    id: RecordId,
    site_id: String,
    max_minutes: i64,
    super_admins_up_to: Option<String>,
    two_approvers: bool,
    automatic_up_to: Option<String>,
    automatic_max_minutes: Option<i64>,
    hours_from: Option<i64>,
    hours_until: Option<i64>,
    hours_weekdays_only: Option<bool>,
    hours_utc_offset_minutes: Option<i64>,
    requests_only: bool,
    lock_unused_days: Option<i64>,
    review_every_days: Option<i64>,
    review_days: Option<i64>,
    review_unconfirmed: Option<String>,
    next_review_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

impl PolicyRow {
    fn new(
        site: &SiteId,
        policy: &AccessPolicy,
        next_review_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Self {
        let review = policy.review.as_ref();
        let automatic = policy.automatic.as_ref();
        let hours = automatic.and_then(|a| a.hours.as_ref());
        Self {
            id: rid("access_policy", site.as_str()),
            site_id: site.to_string(),
            max_minutes: i64::from(policy.max_minutes),
            super_admins_up_to: policy.super_admins_up_to.map(|l| l.as_str().to_owned()),
            two_approvers: policy.two_approvers,
            automatic_up_to: automatic.map(|a| a.up_to.as_str().to_owned()),
            automatic_max_minutes: automatic.map(|a| i64::from(a.max_minutes)),
            hours_from: hours.map(|h| i64::from(h.from_hour)),
            hours_until: hours.map(|h| i64::from(h.until_hour)),
            hours_weekdays_only: hours.map(|h| h.weekdays_only),
            hours_utc_offset_minutes: hours.map(|h| i64::from(h.utc_offset_minutes)),
            requests_only: policy.requests_only,
            lock_unused_days: policy.lock_unused_days.map(i64::from),
            review_every_days: review.map(|r| i64::from(r.every_days)),
            review_days: review.map(|r| i64::from(r.terms.days)),
            review_unconfirmed: review.map(|r| r.terms.unconfirmed.as_str().to_owned()),
            next_review_at: review.and(next_review_at),
            updated_at: now,
        }
    }

    fn into_policy(self) -> Result<AccessPolicy, StorageError> {
        let number = |value: i64| {
            u32::try_from(value)
                .map_err(|_| StorageError::Invalid(format!("stored minutes {value}")))
        };
        let level =
            |text: Option<String>| text.map(|t| stored(PermissionLevel::parse, &t)).transpose();
        let hours = match (self.hours_from, self.hours_until) {
            (Some(from), Some(until)) => Some(BusinessHours {
                from_hour: u8::try_from(from).unwrap_or_default(),
                until_hour: u8::try_from(until).unwrap_or(24),
                weekdays_only: self.hours_weekdays_only.unwrap_or(false),
                utc_offset_minutes: self
                    .hours_utc_offset_minutes
                    .and_then(|m| i32::try_from(m).ok())
                    .unwrap_or_default(),
            }),
            _ => None,
        };
        let automatic = match (level(self.automatic_up_to)?, self.automatic_max_minutes) {
            (Some(up_to), Some(max)) => Some(AutomaticApproval {
                up_to,
                max_minutes: number(max)?,
                hours,
            }),
            _ => None,
        };
        let review = match (self.review_every_days, self.review_days) {
            (Some(every), Some(days)) => Some(ReviewSchedule {
                every_days: number(every)?,
                terms: ReviewTerms {
                    days: number(days)?,
                    unconfirmed: self
                        .review_unconfirmed
                        .map(|u| stored(Unconfirmed::parse, &u))
                        .transpose()?
                        .unwrap_or(Unconfirmed::Lock),
                },
            }),
            _ => None,
        };
        Ok(AccessPolicy {
            review,
            max_minutes: number(self.max_minutes)?,
            super_admins_up_to: level(self.super_admins_up_to)?,
            two_approvers: self.two_approvers,
            automatic,
            requests_only: self.requests_only,
            lock_unused_days: self.lock_unused_days.map(number).transpose()?,
        })
    }
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct DecisionRow {
    by_kind: String,
    by_id: Option<String>,
    at: DateTime<Utc>,
    approved: bool,
    comment: Option<String>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct RequestRow {
    id: RecordId,
    partner_id: String,
    site_id: String,
    technician: String,
    level: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    reason: String,
    device_grant_id: Option<String>,
    device_scope_kind: Option<String>,
    device_scope_id: Option<String>,
    device_role: Option<String>,
    status: String,
    approvals_needed: i64,
    decisions: Vec<DecisionRow>,
    previous_level: Option<String>,
    previous_locked: Option<bool>,
    previous_starts_at: Option<DateTime<Utc>>,
    previous_expires_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
}

impl RequestRow {
    fn new(r: &AccessRequest) -> Self {
        let previous = r.previous.as_ref();
        let devices = r.devices.as_ref();
        let (scope_kind, scope_id) = devices.map(|d| d.scope.kind_and_id()).unzip();
        Self {
            id: rid("access_request", r.id.as_str()),
            partner_id: r.partner_id.to_string(),
            site_id: r.site_id.to_string(),
            technician: r.technician.to_string(),
            level: r.terms.level.as_str().to_owned(),
            starts_at: r.terms.starts_at,
            ends_at: r.terms.ends_at,
            reason: r.reason.clone(),
            device_grant_id: devices.map(|d| d.grant.to_string()),
            device_scope_kind: scope_kind.map(str::to_owned),
            device_scope_id: scope_id,
            device_role: devices.map(|d| d.role.as_str().to_owned()),
            status: r.status.as_str().to_owned(),
            approvals_needed: i64::from(r.approvals_needed),
            decisions: r
                .decisions
                .iter()
                .map(|d| {
                    let (kind, id) = d.by.kind_and_id();
                    DecisionRow {
                        by_kind: kind.to_owned(),
                        by_id: id.map(str::to_owned),
                        at: d.at,
                        approved: d.approved,
                        comment: d.comment.clone(),
                    }
                })
                .collect(),
            previous_level: previous.map(|p| p.level.as_str().to_owned()),
            previous_locked: previous.map(|p| p.locked),
            previous_starts_at: previous.and_then(|p| p.starts_at),
            previous_expires_at: previous.and_then(|p| p.expires_at),
            created_at: r.created_at,
            closed_at: r.closed_at,
        }
    }

    fn into_request(self) -> Result<AccessRequest, StorageError> {
        let previous = match self.previous_level {
            Some(level) => Some(Held {
                level: stored(PermissionLevel::parse, &level)?,
                locked: self.previous_locked.unwrap_or(true),
                starts_at: self.previous_starts_at,
                expires_at: self.previous_expires_at,
            }),
            None => None,
        };
        let devices = match (
            self.device_grant_id,
            self.device_scope_kind.as_deref(),
            self.device_scope_id,
            self.device_role,
        ) {
            (Some(grant), Some(kind), Some(id), Some(role)) => Some(DeviceAccess {
                grant: GrantId::from_trusted(grant),
                scope: match kind {
                    "group" => GrantScope::Group(DeviceGroupId::from_trusted(id)),
                    _ => GrantScope::Device(DeviceId::from_trusted(id)),
                },
                role: stored(RoleName::parse, &role)?,
            }),
            _ => None,
        };
        Ok(AccessRequest {
            id: AccessRequestId::from_trusted(key(&self.id)),
            partner_id: PartnerId::from_trusted(self.partner_id),
            site_id: SiteId::from_trusted(self.site_id),
            technician: AccountId::from_trusted(self.technician),
            terms: RequestTerms {
                level: stored(PermissionLevel::parse, &self.level)?,
                starts_at: self.starts_at,
                ends_at: self.ends_at,
            },
            devices,
            reason: self.reason,
            status: stored(RequestStatus::parse, &self.status)?,
            approvals_needed: u8::try_from(self.approvals_needed).unwrap_or(1),
            decisions: self
                .decisions
                .into_iter()
                .map(|d| Decision {
                    by: actor(&d.by_kind, d.by_id),
                    at: d.at,
                    approved: d.approved,
                    comment: d.comment,
                })
                .collect(),
            previous,
            created_at: self.created_at,
            closed_at: self.closed_at,
        })
    }
}

/// What a request's step does to the technician's site assignment.
#[derive(Debug, Clone)]
pub enum AssignmentWrite {
    /// Nothing.
    Keep,
    /// Writes it, guarded on it being as read (`None`: there was none).
    Put {
        /// As read.
        read: Option<SiteAssignment>,
        /// As it should be.
        new: SiteAssignment,
    },
    /// Deletes it, guarded on it being as read.
    Delete {
        /// As read.
        read: SiteAssignment,
    },
}

/// What a request's step does to the grant of the device role it asked for.
#[derive(Debug, Clone)]
pub enum GrantWrite {
    /// Nothing.
    Keep,
    /// Writes it (the access begins).
    Put(AccessGrant),
    /// Deletes it, if it is still there (the access is over).
    Delete(GrantId),
}

/// One step of a request, written as one transaction.
#[derive(Debug, Clone)]
pub struct RequestWrite {
    /// The request as read; `None` for a new request (which then takes the technician's one
    /// open request at the site: [`Conflict::AlreadyRequested`] if they have one).
    pub read: Option<AccessRequest>,
    /// The request as it should be.
    pub request: AccessRequest,
    /// What happens to the technician's assignment.
    pub assignment: AssignmentWrite,
    /// What happens to the grant of the device role asked for.
    pub grant: GrantWrite,
    /// The audit events.
    pub events: Vec<AuditEvent>,
}

fn open_slot(request: &AccessRequest) -> RecordId {
    rid(
        "access_request_open",
        &site_admin_key(&request.site_id, &request.technician),
    )
}

fn held(assignment: &SiteAssignment) -> (&'static str, bool, Option<Timestamp>, Option<Timestamp>) {
    (
        assignment.level.as_str(),
        assignment.locked,
        assignment.starts_at,
        assignment.expires_at,
    )
}

impl Store {
    /// A site's access policy; the defaults where it has set none.
    pub async fn access_policy(&self, site: &SiteId) -> Result<AccessPolicy, StorageError> {
        Ok(self.access_policy_and_next_review(site).await?.0)
    }

    /// A site's access policy, and when its next scheduled review starts (if it has a
    /// schedule).
    pub async fn access_policy_and_next_review(
        &self,
        site: &SiteId,
    ) -> Result<(AccessPolicy, Option<Timestamp>), StorageError> {
        match self
            .record::<PolicyRow>("access_policy", site.as_str())
            .await
        {
            Ok(row) => {
                let next = row.next_review_at;
                Ok((row.into_policy()?, next))
            }
            Err(StorageError::NotFound) => Ok((AccessPolicy::default(), None)),
            Err(other) => Err(other),
        }
    }

    /// Sets a site's access policy and when its next scheduled review starts, with the
    /// assignments it locks — each `(as read, locked)`, guarded on being as read — and the
    /// events, in one transaction.
    pub async fn set_access_policy(
        &self,
        site: &SiteId,
        policy: &AccessPolicy,
        next_review_at: Option<Timestamp>,
        now: Timestamp,
        locks: &[(SiteAssignment, SiteAssignment)],
        events: &[AuditEvent],
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("policy_id", rid("access_policy", site.as_str()))
            .bind("policy", PolicyRow::new(site, policy, next_review_at, now))
            .run("UPSERT $policy_id CONTENT $policy");
        for (n, (read, new)) in locks.iter().enumerate() {
            put_assignment(&mut tx, &format!("lock_{n}"), Some(read), new);
        }
        tx.audit_all(events);
        tx.commit(self).await
    }

    /// The sites that lock unused access, with after how many days.
    pub async fn sites_locking_unused_access(&self) -> Result<Vec<(SiteId, u32)>, StorageError> {
        let rows: Vec<PolicyRow> = self
            .db
            .query("SELECT * FROM access_policy WHERE lock_unused_days != NONE")
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let days = u32::try_from(row.lock_unused_days?).ok()?;
                Some((SiteId::from_trusted(row.site_id), days))
            })
            .collect())
    }

    /// Up to `limit` unlocked assignments at `site` whose technician has not acted there
    /// since `before` (nor since the access was first unlocked, when they never have).
    pub async fn unused_assignments(
        &self,
        site: &SiteId,
        before: Timestamp,
        limit: u32,
    ) -> Result<Vec<SiteAssignment>, StorageError> {
        let rows: Vec<AssignmentRow> = self
            .db
            .query(
                "SELECT * FROM site_assignment WHERE site_id = $site AND locked = false \
                 AND (last_activity_at ?? first_unlocked_at ?? created_at) < $before LIMIT $limit",
            )
            .bind(("site", site.to_string()))
            .bind(("before", before))
            .bind(("limit", i64::from(limit)))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        rows.into_iter()
            .map(AssignmentRow::into_assignment)
            .collect()
    }

    /// One request.
    pub async fn access_request(
        &self,
        id: &AccessRequestId,
    ) -> Result<AccessRequest, StorageError> {
        self.record::<RequestRow>("access_request", id.as_str())
            .await?
            .into_request()
    }

    /// A site's requests, newest first, optionally of one status.
    pub async fn site_access_requests(
        &self,
        site: &SiteId,
        status: Option<RequestStatus>,
        page: &PageRequest,
    ) -> Result<Page<AccessRequest>, StorageError> {
        let mut vars = Variables::new();
        vars.insert("site", site.to_string());
        let condition = match status {
            Some(status) => {
                vars.insert("status", status.as_str().to_owned());
                "site_id = $site AND status = $status"
            }
            None => "site_id = $site",
        };
        self.request_page(condition, vars, page).await
    }

    /// A technician's own requests, newest first.
    pub async fn technician_access_requests(
        &self,
        technician: &AccountId,
        page: &PageRequest,
    ) -> Result<Page<AccessRequest>, StorageError> {
        let mut vars = Variables::new();
        vars.insert("technician", technician.to_string());
        self.request_page("technician = $technician", vars, page)
            .await
    }

    async fn request_page(
        &self,
        condition: &str,
        vars: Variables,
        page: &PageRequest,
    ) -> Result<Page<AccessRequest>, StorageError> {
        let rows: Vec<RequestRow> = self
            .page_in_order("access_request", condition, vars, page, str::to_owned, true)
            .await?;
        let items = rows
            .into_iter()
            .map(RequestRow::into_request)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetch(items, page.limit, |r| r.id.as_str()))
    }

    /// Up to `limit` requests whose next step is due at `now`: pending ones past their end
    /// (to expire), approved ones whose start has come or whose end has passed, and active
    /// ones past their end (to end).
    pub async fn due_access_requests(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<AccessRequest>, StorageError> {
        let rows: Vec<RequestRow> = self
            .db
            .query(
                "SELECT * FROM access_request WHERE status = 'pending' AND ends_at <= $now LIMIT $limit; \
                 SELECT * FROM access_request WHERE status = 'approved' AND starts_at <= $now LIMIT $limit; \
                 SELECT * FROM access_request WHERE status = 'approved' AND ends_at <= $now LIMIT $limit; \
                 SELECT * FROM access_request WHERE status = 'active' AND ends_at <= $now LIMIT $limit;",
            )
            .bind(("now", now))
            .bind(("limit", i64::from(limit)))
            .await
            .and_then(|mut r| {
                let mut rows: Vec<RequestRow> = Vec::new();
                for n in 0..4 {
                    rows.extend(r.take::<Vec<RequestRow>>(n)?);
                }
                Ok(rows)
            })
            .map_err(StorageError::backend)?;
        let mut due = Vec::with_capacity(rows.len());
        for row in rows {
            let request = row.into_request()?;
            if !due.iter().any(|r: &AccessRequest| r.id == request.id) {
                due.push(request);
            }
        }
        due.truncate(limit as usize);
        Ok(due)
    }

    /// Writes one step of a request: the request (guarded on its status and decisions being
    /// as read), its open slot (taken by a new request, freed when it closes), the
    /// technician's assignment, and the events.
    pub async fn write_access_request(&self, write: &RequestWrite) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        let request = &write.request;
        tx.bind("request_id", rid("access_request", request.id.as_str()))
            .bind("request", RequestRow::new(request))
            .bind("slot", open_slot(request));
        match &write.read {
            None => {
                tx.bind("open", request.id.to_string()).guard(
                    "CREATE $slot SET request_id = $open",
                    Conflict::AlreadyRequested,
                );
                tx.run("CREATE $request_id CONTENT $request");
            }
            Some(read) => {
                let decisions = i64::try_from(read.decisions.len()).unwrap_or(i64::MAX);
                tx.bind("read", (read.status.as_str(), decisions)).guard(
                    "IF (SELECT VALUE [status, array::len(decisions)] FROM ONLY $request_id) != $read { THROW 'changed' }",
                    Conflict::Concurrent,
                );
                tx.run("UPSERT $request_id CONTENT $request");
            }
        }
        if !request.status.is_open() {
            tx.run("DELETE $slot");
        }
        match &write.assignment {
            AssignmentWrite::Keep => {}
            AssignmentWrite::Put { read, new } => {
                put_assignment(&mut tx, "assignment", read.as_ref(), new);
            }
            AssignmentWrite::Delete { read } => {
                tx.bind(
                    "assignment_id",
                    rid("site_assignment", &site_admin_key(&read.site_id, &read.account_id)),
                )
                .bind("assignment_read", held(read))
                .guard(
                    "IF (SELECT VALUE [level, locked, starts_at, expires_at] FROM ONLY $assignment_id) != $assignment_read { THROW 'changed' }",
                    Conflict::Concurrent,
                )
                .run("DELETE $assignment_id");
            }
        }
        match &write.grant {
            GrantWrite::Keep => {}
            GrantWrite::Put(grant) => {
                tx.bind("device_grant_id", rid("access_grant", grant.id.as_str()))
                    .bind("device_grant", GrantRow::from_grant(grant))
                    .run("UPSERT $device_grant_id CONTENT $device_grant");
            }
            GrantWrite::Delete(id) => {
                tx.bind("device_grant_id", rid("access_grant", id.as_str()))
                    .run("DELETE $device_grant_id");
            }
        }
        tx.audit_all(&write.events);
        tx.commit(self).await
    }
}

/// Writes `new` over the assignment, guarded on it being as `read` (or absent).
fn put_assignment(tx: &mut Tx, name: &str, read: Option<&SiteAssignment>, new: &SiteAssignment) {
    tx.bind(
        &format!("{name}_id"),
        rid(
            "site_assignment",
            &site_admin_key(&new.site_id, &new.account_id),
        ),
    )
    .bind(&format!("{name}_row"), AssignmentRow::from_assignment(new));
    match read {
        Some(read) => {
            tx.bind(&format!("{name}_read"), held(read)).guard(
                format!(
                    "IF (SELECT VALUE [level, locked, starts_at, expires_at] FROM ONLY ${name}_id) != ${name}_read {{ THROW 'changed' }}"
                ),
                Conflict::Concurrent,
            );
        }
        None => {
            tx.guard(
                format!("IF (SELECT VALUE id FROM ONLY ${name}_id) != NONE {{ THROW 'changed' }}"),
                Conflict::Concurrent,
            );
        }
    }
    tx.run(format!("UPSERT ${name}_id CONTENT ${name}_row"));
}
