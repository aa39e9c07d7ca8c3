//! Just-in-time access. The reference products give standing access: once unlocked, a
//! technician enters a site until someone remembers to lock them (reference 000 lists "no
//! expiration" among its limitations). Here a technician asks for a level at a site for a
//! while, with a reason; the site's [`AccessPolicy`] says how long at most, who approves,
//! whether two must, and what is approved by itself.
//!
//! Approved access is the technician's site assignment at the level asked, unlocked, valid for
//! exactly the request's window — the check already honours an assignment's window, so the
//! access ends at its end to the millisecond, whatever any worker is doing then. What the
//! assignment was before comes back once the window is over (the [`Restore`]), unless someone
//! changed it meanwhile, in which case their change stands.

use chrono::{Datelike, Duration, FixedOffset, NaiveTime, TimeZone, Weekday};

use crate::assignment::SiteAssignment;
use crate::audit::Actor;
use crate::ids::{AccessRequestId, AccountId, GrantId, PartnerId, SiteId};
use crate::invitation::PermissionLevel;
use crate::permission::records::{AccessGrant, GrantScope, GrantSubject, RoleName};
use crate::review::ReviewSchedule;
use crate::tenancy::string_enum;
use crate::{FieldError, Timestamp};

/// The longest a site may let access last, in minutes (30 days).
pub const LONGEST_MINUTES: u32 = 30 * 24 * 60;
/// The shortest longest-duration a site may set, in minutes.
pub const SHORTEST_MINUTES: u32 = 5;
/// How long access lasts at most where the site has not said: 8 hours, a working day.
pub const DEFAULT_MAX_MINUTES: u32 = 8 * 60;
/// How far ahead a request may start.
pub const MAX_LEAD: Duration = Duration::days(30);
/// The longest reason or comment, in characters.
pub const MAX_TEXT_LEN: usize = 500;

string_enum! {
    /// Where a request stands.
    RequestStatus {
        /// Waiting for its approvers.
        Pending = "pending",
        /// Approved; the access begins at its start.
        Approved = "approved",
        /// The access is in force (until its end).
        Active = "active",
        /// An approver refused it.
        Denied = "denied",
        /// The technician withdrew it before it began.
        Cancelled = "cancelled",
        /// Its time passed before it was decided.
        Expired = "expired",
        /// Its access is over: at its end, or ended early.
        Ended = "ended",
    }
}

impl RequestStatus {
    /// Whether the request is still open: waiting, approved, or in force. A technician has at
    /// most one open request per site.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Approved | Self::Active)
    }
}

/// A site's rules for access requests. The default: at most 8 hours, approved by one of the
/// site's admins, nothing approved by itself, standing access allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessPolicy {
    /// The longest access a request may ask for, in minutes.
    pub max_minutes: u32,
    /// The partner's Super Admins may approve requests up to this level, besides the site's
    /// admins; `None`: only the site's admins approve.
    pub super_admins_up_to: Option<PermissionLevel>,
    /// Two different people must approve.
    pub two_approvers: bool,
    /// Requests approved by themselves, without anyone asked.
    pub automatic: Option<AutomaticApproval>,
    /// Technicians have no standing access here: they enter through approved requests only.
    pub requests_only: bool,
    /// Lock a technician's access once it has gone unused this many days (no action of theirs
    /// at the site since, nor since it was first unlocked).
    pub lock_unused_days: Option<u32>,
    /// Review the site's access on a schedule.
    pub review: Option<ReviewSchedule>,
}

impl Default for AccessPolicy {
    fn default() -> Self {
        Self {
            max_minutes: DEFAULT_MAX_MINUTES,
            super_admins_up_to: None,
            two_approvers: false,
            automatic: None,
            requests_only: false,
            lock_unused_days: None,
            review: None,
        }
    }
}

/// The longest a site may let access go unused before it is locked, in days.
pub const MAX_UNUSED_DAYS: u32 = 365;

/// Which requests are approved by themselves: up to a level, up to a duration, and, if set,
/// only when the whole access lies within the site's business hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutomaticApproval {
    /// The highest level approved by itself.
    pub up_to: PermissionLevel,
    /// The longest access approved by itself, in minutes.
    pub max_minutes: u32,
    /// The hours within which it applies.
    pub hours: Option<BusinessHours>,
}

/// A site's business hours: from one hour to another on the same day, in the site's UTC
/// offset, on weekdays only or every day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusinessHours {
    /// The first hour (0–23).
    pub from_hour: u8,
    /// The hour they end (1–24), after `from_hour`.
    pub until_hour: u8,
    /// Monday to Friday only.
    pub weekdays_only: bool,
    /// The site's offset from UTC, in minutes (−840 to 840).
    pub utc_offset_minutes: i32,
}

impl BusinessHours {
    /// Whether the whole of `[from, until)` lies within one day's business hours.
    pub fn cover(&self, from: Timestamp, until: Timestamp) -> bool {
        let Some(offset) = FixedOffset::east_opt(self.utc_offset_minutes * 60) else {
            return false;
        };
        let start = from.with_timezone(&offset);
        let day = start.date_naive();
        if self.weekdays_only && matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            return false;
        }
        let at = |hour: u8| {
            let time = NaiveTime::from_hms_opt(u32::from(hour % 24), 0, 0)?;
            let day = if hour == 24 { day.succ_opt()? } else { day };
            offset
                .from_local_datetime(&day.and_time(time))
                .single()
                .map(|t| t.to_utc())
        };
        match (at(self.from_hour), at(self.until_hour)) {
            (Some(opens), Some(closes)) => opens <= from && until <= closes,
            _ => false,
        }
    }
}

impl AccessPolicy {
    /// Checks a policy as given: durations from 5 minutes to 30 days, automatic approval no
    /// longer than any access and above level None, business hours within a day.
    pub fn check(&self) -> Result<(), FieldError> {
        let minutes = |field: &str, value: u32, max: u32| {
            if (SHORTEST_MINUTES..=max).contains(&value) {
                Ok(())
            } else {
                Err(FieldError::new(
                    field,
                    format!("must be {SHORTEST_MINUTES} to {max} minutes"),
                ))
            }
        };
        minutes("max_minutes", self.max_minutes, LONGEST_MINUTES)?;
        if self
            .lock_unused_days
            .is_some_and(|days| !(1..=MAX_UNUSED_DAYS).contains(&days))
        {
            return Err(FieldError::new(
                "lock_unused_days",
                format!("must be 1 to {MAX_UNUSED_DAYS} days"),
            ));
        }
        if let Some(review) = &self.review {
            review.check()?;
        }
        if self.super_admins_up_to == Some(PermissionLevel::None) {
            return Err(FieldError::new(
                "super_admins_up_to",
                "level None gives no access to approve: name a higher level, or leave it out",
            ));
        }
        if let Some(automatic) = &self.automatic {
            if automatic.up_to == PermissionLevel::None {
                return Err(FieldError::new(
                    "automatic.up_to",
                    "level None gives no access to approve: name a higher level",
                ));
            }
            minutes(
                "automatic.max_minutes",
                automatic.max_minutes,
                self.max_minutes,
            )?;
            if let Some(hours) = &automatic.hours {
                if hours.from_hour >= 24 || hours.until_hour > 24 {
                    return Err(FieldError::new("automatic.hours", "hours run from 0 to 24"));
                }
                if hours.until_hour <= hours.from_hour {
                    return Err(FieldError::new(
                        "automatic.hours.until_hour",
                        "must be after from_hour",
                    ));
                }
                if hours.utc_offset_minutes.abs() > 14 * 60 {
                    return Err(FieldError::new(
                        "automatic.hours.utc_offset_minutes",
                        "must be between -840 and 840",
                    ));
                }
            }
        }
        Ok(())
    }

    /// How many different people must approve a request.
    pub fn approvals_needed(&self) -> u8 {
        if self.two_approvers { 2 } else { 1 }
    }

    /// Whether the partner's Super Admins may approve a request for `level`.
    pub fn super_admins_approve(&self, level: PermissionLevel) -> bool {
        self.super_admins_up_to.is_some_and(|up_to| level <= up_to)
    }

    /// What becomes of a request on these terms: approved by itself, or waiting for
    /// approvers; refused when it asks for longer than the site allows.
    pub fn route(&self, terms: &RequestTerms) -> Result<Route, Refusal> {
        let minutes = terms.minutes();
        if minutes > i64::from(self.max_minutes) {
            return Err(Refusal::TooLong {
                max_minutes: self.max_minutes,
            });
        }
        let automatic = self.automatic.as_ref().is_some_and(|a| {
            terms.level <= a.up_to
                && minutes <= i64::from(a.max_minutes)
                && a.hours
                    .is_none_or(|hours| hours.cover(terms.starts_at, terms.ends_at))
        });
        Ok(if automatic {
            Route::Automatic
        } else {
            Route::Approval {
                approvals: self.approvals_needed(),
            }
        })
    }
}

/// A request's terms: a level, from when, until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestTerms {
    /// The level asked for.
    pub level: PermissionLevel,
    /// From when (inclusive).
    pub starts_at: Timestamp,
    /// Until when (exclusive).
    pub ends_at: Timestamp,
}

impl RequestTerms {
    /// Terms as asked at `now`: no start, or one already past, is now; a start at most 30
    /// days ahead; an end after the start; a level above None.
    pub fn new(
        level: PermissionLevel,
        starts_at: Option<Timestamp>,
        ends_at: Timestamp,
        now: Timestamp,
    ) -> Result<Self, FieldError> {
        if level == PermissionLevel::None {
            return Err(FieldError::new(
                "level",
                "level None gives no access: ask for devices_only or higher",
            ));
        }
        let starts_at = starts_at.map_or(now, |start| start.max(now));
        if starts_at > now + MAX_LEAD {
            return Err(FieldError::new(
                "starts_at",
                "must be at most 30 days from now",
            ));
        }
        if ends_at <= starts_at {
            return Err(FieldError::new(
                "ends_at",
                "must be after the start (and after now)",
            ));
        }
        Ok(Self {
            level,
            starts_at,
            ends_at,
        })
    }

    /// How long the access lasts, in whole minutes rounded up.
    pub fn minutes(&self) -> i64 {
        let millis = (self.ends_at - self.starts_at).num_milliseconds();
        (millis + 59_999) / 60_000
    }
}

/// What becomes of a new request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The site's policy approves it.
    Automatic,
    /// It waits for this many different approvers.
    Approval {
        /// How many.
        approvals: u8,
    },
}

/// Why a request is refused outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// It asks for longer than the site allows.
    #[error("this site allows access for at most {max_minutes} minutes at a time")]
    TooLong {
        /// The site's longest.
        max_minutes: u32,
    },
}

/// One approver's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Who: a person, an integration's token, or the site's policy (`System`).
    pub by: Actor,
    /// When.
    pub at: Timestamp,
    /// Approved (`true`) or denied.
    pub approved: bool,
    /// What they said.
    pub comment: Option<String>,
}

/// A technician's site assignment as a request found or left it: what is restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    /// Its level.
    pub level: PermissionLevel,
    /// Whether it was locked.
    pub locked: bool,
    /// Its start.
    pub starts_at: Option<Timestamp>,
    /// Its end.
    pub expires_at: Option<Timestamp>,
}

impl Held {
    /// What `assignment` holds.
    pub fn of(assignment: &SiteAssignment) -> Self {
        Self {
            level: assignment.level,
            locked: assignment.locked,
            starts_at: assignment.starts_at,
            expires_at: assignment.expires_at,
        }
    }
}

/// A device role asked for besides the level: a role of the devices-and-groups purpose on one
/// of the site's devices or device groups, given as a grant for the request's window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAccess {
    /// The grant the access puts in force (its id is chosen with the request).
    pub grant: GrantId,
    /// A device or a device group of the site.
    pub scope: GrantScope,
    /// The role.
    pub role: RoleName,
}

/// A technician's request for access to a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRequest {
    /// Its id.
    pub id: AccessRequestId,
    /// The partner the technician works for at the site.
    pub partner_id: PartnerId,
    /// The site.
    pub site_id: SiteId,
    /// Who asks.
    pub technician: AccountId,
    /// What for, from when, until when; an approver may shorten it.
    pub terms: RequestTerms,
    /// A device role asked for besides the level, if any.
    pub devices: Option<DeviceAccess>,
    /// Why (a ticket number or words).
    pub reason: String,
    /// Where it stands; see [`AccessRequest::status_at`].
    pub status: RequestStatus,
    /// How many different approvers it needs.
    pub approvals_needed: u8,
    /// The decisions so far, in order.
    pub decisions: Vec<Decision>,
    /// What the technician's assignment at the site was when the access began (`None`: they
    /// had none); restored at the end. Meaningless before the access began.
    pub previous: Option<Held>,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was denied, cancelled, expired or ended.
    pub closed_at: Option<Timestamp>,
}

/// Why a decision cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// The request is no longer waiting.
    #[error("the request is {0}, no longer pending")]
    NotPending(RequestStatus),
    /// Technicians do not approve their own requests.
    #[error("you cannot decide your own request")]
    OwnRequest,
    /// Two approvals must come from two people.
    #[error("you approved this request already; it needs another approver")]
    AlreadyApproved,
    /// A shortened end must fall inside the request's window and after now.
    #[error("the new end must be after now and the start, and no later than the end asked for")]
    BadEnd,
}

/// What a decision came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    /// Approved; its access can begin.
    Approved,
    /// Approved by this approver; it waits for another.
    Waiting,
    /// Denied.
    Denied,
}

/// What becomes of a technician's assignment when a request's access is over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restore {
    /// Put back what they held before.
    Put(SiteAssignment),
    /// They held nothing before: the assignment goes.
    Delete,
    /// Someone changed the assignment while the access was in force: their change stands.
    Leave,
}

impl AccessRequest {
    /// The status at `now`: a Pending request whose window has passed is Expired.
    pub fn status_at(&self, now: Timestamp) -> RequestStatus {
        if self.status == RequestStatus::Pending && now >= self.terms.ends_at {
            RequestStatus::Expired
        } else {
            self.status
        }
    }

    /// The request after `by`'s decision at `now`: approved — optionally ending earlier, at
    /// `ends_at` — or denied, with a comment.
    pub fn decide(
        &self,
        by: &Actor,
        approved: bool,
        comment: Option<String>,
        ends_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(Self, Decided), DecisionError> {
        let status = self.status_at(now);
        if status != RequestStatus::Pending {
            return Err(DecisionError::NotPending(status));
        }
        if *by == Actor::Account(self.technician.clone()) {
            return Err(DecisionError::OwnRequest);
        }
        if by != &Actor::System && self.decisions.iter().any(|d| &d.by == by) {
            return Err(DecisionError::AlreadyApproved);
        }
        let mut next = self.clone();
        if let Some(end) = ends_at {
            if end <= self.terms.starts_at.max(now) || end > self.terms.ends_at {
                return Err(DecisionError::BadEnd);
            }
            next.terms.ends_at = end;
        }
        next.decisions.push(Decision {
            by: by.clone(),
            at: now,
            approved,
            comment,
        });
        let decided = if !approved {
            next.status = RequestStatus::Denied;
            next.closed_at = Some(now);
            Decided::Denied
        } else if next.decisions.iter().filter(|d| d.approved).count()
            >= usize::from(self.approvals_needed)
        {
            next.status = RequestStatus::Approved;
            Decided::Approved
        } else {
            Decided::Waiting
        };
        Ok((next, decided))
    }

    /// Whether an approved request's access should begin at `now`, given the technician's
    /// assignment: at once when its start has come, or when there is no assignment to keep in
    /// force until then (the assignment's own window then holds the start exactly).
    pub fn begins_now(&self, current: Option<&SiteAssignment>, now: Timestamp) -> bool {
        self.status == RequestStatus::Approved && (self.terms.starts_at <= now || current.is_none())
    }

    /// The request and assignment once its access begins at `now`: the assignment at the
    /// level asked, unlocked, for the request's window; what was there before is kept in the
    /// request.
    pub fn begin(
        &self,
        current: Option<&SiteAssignment>,
        set_by: &AccountId,
        now: Timestamp,
    ) -> (Self, SiteAssignment) {
        let mut request = self.clone();
        request.status = RequestStatus::Active;
        request.previous = current.map(Held::of);
        let assignment = SiteAssignment {
            site_id: self.site_id.clone(),
            account_id: self.technician.clone(),
            partner_id: self.partner_id.clone(),
            level: self.terms.level,
            locked: false,
            first_unlocked_at: current.and_then(|a| a.first_unlocked_at).or(Some(now)),
            starts_at: Some(self.terms.starts_at),
            expires_at: Some(self.terms.ends_at),
            invitation_id: current.and_then(|a| a.invitation_id.clone()),
            set_by: set_by.clone(),
            created_at: current.map_or(now, |a| a.created_at),
            updated_at: now,
            last_activity_at: current.and_then(|a| a.last_activity_at),
        };
        (request, assignment)
    }

    /// The grant of the device role asked for, for the request's window, as set by `set_by`
    /// at `now`; `None` when only a level was asked.
    pub fn grant(&self, set_by: &AccountId, now: Timestamp) -> Option<AccessGrant> {
        self.devices.as_ref().map(|devices| AccessGrant {
            id: devices.grant.clone(),
            partner_id: self.partner_id.clone(),
            subject: GrantSubject::Technician(self.technician.clone()),
            scope: devices.scope.clone(),
            role: devices.role.clone(),
            valid_from: Some(self.terms.starts_at),
            expires_at: Some(self.terms.ends_at),
            created_by: Some(set_by.clone()),
            created_at: now,
        })
    }

    /// What the access put in force, as its assignment holds it.
    pub fn in_force(&self) -> Held {
        Held {
            level: self.terms.level,
            locked: false,
            starts_at: Some(self.terms.starts_at),
            expires_at: Some(self.terms.ends_at),
        }
    }

    /// The request closed at `now` as `status` (cancelled, expired or ended).
    pub fn closed(&self, status: RequestStatus, now: Timestamp) -> Self {
        let mut request = self.clone();
        request.status = status;
        request.closed_at = Some(now);
        request
    }

    /// What becomes of the assignment when this request's access is over at `now`: what
    /// was held before comes back; if someone changed the assignment meanwhile their change
    /// stands, but an access ended early still ends now.
    pub fn restore(&self, current: Option<&SiteAssignment>, now: Timestamp) -> Restore {
        let Some(current) = current else {
            return Restore::Leave;
        };
        if Held::of(current) != self.in_force() {
            if current.expires_at == Some(self.terms.ends_at) && now < self.terms.ends_at {
                return Restore::Put(SiteAssignment {
                    expires_at: Some(now),
                    updated_at: now,
                    ..current.clone()
                });
            }
            return Restore::Leave;
        }
        match self.previous {
            None => Restore::Delete,
            Some(held) => Restore::Put(SiteAssignment {
                level: held.level,
                locked: held.locked,
                starts_at: held.starts_at,
                expires_at: held.expires_at,
                updated_at: now,
                ..current.clone()
            }),
        }
    }
}

/// Whether `current` already gives `level` or more for the whole of `[from, until)`.
pub fn already_holds(
    current: Option<&SiteAssignment>,
    level: PermissionLevel,
    from: Timestamp,
    until: Timestamp,
) -> bool {
    current.is_some_and(|a| {
        !a.locked
            && a.level >= level
            && a.starts_at.is_none_or(|start| start <= from)
            && a.expires_at.is_none_or(|end| until <= end)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn request(policy: &AccessPolicy, terms: RequestTerms) -> AccessRequest {
        AccessRequest {
            id: AccessRequestId::from_trusted("r".to_owned()),
            partner_id: PartnerId::from_trusted("p".to_owned()),
            site_id: SiteId::from_trusted("s".to_owned()),
            technician: AccountId::from_trusted("t".to_owned()),
            terms,
            devices: None,
            reason: "ticket 1".to_owned(),
            status: RequestStatus::Pending,
            approvals_needed: policy.approvals_needed(),
            decisions: Vec::new(),
            previous: None,
            created_at: terms.starts_at,
            closed_at: None,
        }
    }

    fn person(id: &str) -> Actor {
        Actor::Account(AccountId::from_trusted(id.to_owned()))
    }

    #[test]
    fn terms_start_no_earlier_than_now_and_end_after_they_start() {
        let now = at("2026-12-07T09:00:00Z");
        let end = at("2026-12-07T11:00:00Z");
        let terms = RequestTerms::new(
            PermissionLevel::DevicesOnly,
            Some(at("2026-12-01T00:00:00Z")),
            end,
            now,
        )
        .unwrap();
        assert_eq!(terms.starts_at, now);
        assert_eq!(terms.minutes(), 120);
        let field = |r: Result<RequestTerms, FieldError>| r.unwrap_err().field;
        assert_eq!(
            field(RequestTerms::new(PermissionLevel::None, None, end, now)),
            "level"
        );
        assert_eq!(
            field(RequestTerms::new(
                PermissionLevel::DevicesOnly,
                None,
                now,
                now
            )),
            "ends_at"
        );
        assert_eq!(
            field(RequestTerms::new(
                PermissionLevel::DevicesOnly,
                Some(now + Duration::days(31)),
                now + Duration::days(32),
                now
            )),
            "starts_at"
        );
    }

    #[test]
    fn the_policy_routes_short_low_requests_within_hours_and_refuses_long_ones() {
        let policy = AccessPolicy {
            automatic: Some(AutomaticApproval {
                up_to: PermissionLevel::DevicesOnly,
                max_minutes: 240,
                hours: Some(BusinessHours {
                    from_hour: 8,
                    until_hour: 18,
                    weekdays_only: true,
                    utc_offset_minutes: 60,
                }),
            }),
            two_approvers: true,
            ..AccessPolicy::default()
        };
        policy.check().unwrap();
        // Monday 2026-12-07, 09:00–12:00 at UTC+1 is 08:00–11:00 UTC.
        let terms = |level, from: &str, to: &str| RequestTerms {
            level,
            starts_at: at(from),
            ends_at: at(to),
        };
        let devices = PermissionLevel::DevicesOnly;
        assert_eq!(
            policy.route(&terms(
                devices,
                "2026-12-07T08:00:00Z",
                "2026-12-07T11:00:00Z"
            )),
            Ok(Route::Automatic)
        );
        let waits = Ok(Route::Approval { approvals: 2 });
        // Before opening (06:30 local), past closing (18:30 local), on Saturday, too long,
        // too high.
        for (level, from, to) in [
            (devices, "2026-12-07T05:30:00Z", "2026-12-07T08:00:00Z"),
            (devices, "2026-12-07T15:00:00Z", "2026-12-07T17:30:00Z"),
            (devices, "2026-12-12T08:00:00Z", "2026-12-12T09:00:00Z"),
            (devices, "2026-12-07T07:00:00Z", "2026-12-07T11:01:00Z"),
            (
                PermissionLevel::FullExcludingUsers,
                "2026-12-07T08:00:00Z",
                "2026-12-07T09:00:00Z",
            ),
        ] {
            assert_eq!(policy.route(&terms(level, from, to)), waits, "{from}–{to}");
        }
        assert_eq!(
            policy.route(&terms(
                devices,
                "2026-12-07T08:00:00Z",
                "2026-12-07T16:00:01Z"
            )),
            Err(Refusal::TooLong { max_minutes: 480 })
        );
    }

    #[test]
    fn policies_that_make_no_sense_are_refused_with_the_field() {
        let field = |policy: AccessPolicy| policy.check().unwrap_err().field;
        let automatic = AutomaticApproval {
            up_to: PermissionLevel::DevicesOnly,
            max_minutes: 60,
            hours: None,
        };
        assert_eq!(
            field(AccessPolicy {
                max_minutes: 1,
                ..AccessPolicy::default()
            }),
            "max_minutes"
        );
        assert_eq!(
            field(AccessPolicy {
                automatic: Some(AutomaticApproval {
                    max_minutes: DEFAULT_MAX_MINUTES + 1,
                    ..automatic
                }),
                ..AccessPolicy::default()
            }),
            "automatic.max_minutes"
        );
        assert_eq!(
            field(AccessPolicy {
                automatic: Some(AutomaticApproval {
                    hours: Some(BusinessHours {
                        from_hour: 18,
                        until_hour: 8,
                        weekdays_only: false,
                        utc_offset_minutes: 0,
                    }),
                    ..automatic
                }),
                ..AccessPolicy::default()
            }),
            "automatic.hours.until_hour"
        );
        assert_eq!(
            field(AccessPolicy {
                super_admins_up_to: Some(PermissionLevel::None),
                ..AccessPolicy::default()
            }),
            "super_admins_up_to"
        );
    }

    #[test]
    fn two_approvals_come_from_two_people_and_a_denial_closes() {
        let policy = AccessPolicy {
            two_approvers: true,
            ..AccessPolicy::default()
        };
        let now = at("2026-12-07T08:00:00Z");
        let r = request(
            &policy,
            RequestTerms {
                level: PermissionLevel::DevicesOnly,
                starts_at: now,
                ends_at: at("2026-12-07T12:00:00Z"),
            },
        );
        assert_eq!(
            r.decide(&person("t"), true, None, None, now).unwrap_err(),
            DecisionError::OwnRequest
        );
        let (once, decided) = r.decide(&person("a"), true, None, None, now).unwrap();
        assert_eq!(decided, Decided::Waiting);
        assert_eq!(
            once.decide(&person("a"), true, None, None, now)
                .unwrap_err(),
            DecisionError::AlreadyApproved
        );
        let shorter = at("2026-12-07T10:00:00Z");
        let (twice, decided) = once
            .decide(&person("b"), true, None, Some(shorter), now)
            .unwrap();
        assert_eq!(decided, Decided::Approved);
        assert_eq!(twice.terms.ends_at, shorter);
        assert_eq!(
            twice
                .decide(&person("c"), false, None, None, now)
                .unwrap_err(),
            DecisionError::NotPending(RequestStatus::Approved)
        );
        let (denied, decided) = once
            .decide(&person("b"), false, Some("not today".to_owned()), None, now)
            .unwrap();
        assert_eq!(decided, Decided::Denied);
        assert_eq!(denied.status, RequestStatus::Denied);
        assert_eq!(
            r.decide(
                &person("a"),
                true,
                None,
                Some(at("2026-12-07T13:00:00Z")),
                now
            )
            .unwrap_err(),
            DecisionError::BadEnd
        );
        let late = at("2026-12-07T12:00:00Z");
        assert_eq!(r.status_at(late), RequestStatus::Expired);
        assert_eq!(
            r.decide(&person("a"), true, None, None, late).unwrap_err(),
            DecisionError::NotPending(RequestStatus::Expired)
        );
    }

    #[test]
    fn access_begins_over_what_was_held_and_gives_it_back_unless_changed() {
        let now = at("2026-12-07T08:00:00Z");
        let policy = AccessPolicy::default();
        let mut r = request(
            &policy,
            RequestTerms {
                level: PermissionLevel::FullIncludingUsers,
                starts_at: at("2026-12-07T09:00:00Z"),
                ends_at: at("2026-12-07T12:00:00Z"),
            },
        );
        r.status = RequestStatus::Approved;
        let standing = SiteAssignment {
            site_id: r.site_id.clone(),
            account_id: r.technician.clone(),
            partner_id: r.partner_id.clone(),
            level: PermissionLevel::DevicesOnly,
            locked: false,
            first_unlocked_at: Some(now - Duration::days(3)),
            starts_at: None,
            expires_at: None,
            invitation_id: None,
            set_by: AccountId::from_trusted("admin".to_owned()),
            created_at: now - Duration::days(4),
            updated_at: now - Duration::days(3),
            last_activity_at: None,
        };
        // Standing access stays in force until the request's start; with none, at once.
        assert!(!r.begins_now(Some(&standing), now));
        assert!(r.begins_now(None, now));
        let start = r.terms.starts_at;
        assert!(r.begins_now(Some(&standing), start));
        let approver = AccountId::from_trusted("admin".to_owned());
        let (active, assignment) = r.begin(Some(&standing), &approver, start);
        assert_eq!(active.status, RequestStatus::Active);
        assert_eq!(active.previous, Some(Held::of(&standing)));
        assert_eq!(Held::of(&assignment), r.in_force());
        let end = r.terms.ends_at;
        match active.restore(Some(&assignment), end) {
            Restore::Put(back) => {
                assert_eq!(Held::of(&back), Held::of(&standing));
                assert_eq!(back.first_unlocked_at, standing.first_unlocked_at);
            }
            other => panic!("expected the standing access back, got {other:?}"),
        }
        let locked = SiteAssignment {
            locked: true,
            ..assignment.clone()
        };
        assert_eq!(active.restore(Some(&locked), end), Restore::Leave);
        // Ended early after a level change: the change stands, the access still ends.
        let raised = SiteAssignment {
            level: PermissionLevel::FullExcludingUsers,
            ..assignment.clone()
        };
        let early = start + Duration::hours(1);
        match active.restore(Some(&raised), early) {
            Restore::Put(cut) => {
                assert_eq!(cut.level, PermissionLevel::FullExcludingUsers);
                assert_eq!(cut.expires_at, Some(early));
            }
            other => panic!("expected the access cut short, got {other:?}"),
        }
        let (fresh, assignment) = r.begin(None, &approver, now);
        assert_eq!(fresh.restore(Some(&assignment), end), Restore::Delete);
        assert_eq!(fresh.restore(None, end), Restore::Leave);
        assert!(already_holds(
            Some(&assignment),
            PermissionLevel::DevicesOnly,
            start,
            end
        ));
        assert!(!already_holds(
            Some(&assignment),
            PermissionLevel::DevicesOnly,
            start,
            end + Duration::milliseconds(1)
        ));
        assert!(!already_holds(
            Some(&locked),
            PermissionLevel::DevicesOnly,
            start,
            end
        ));
    }
}
