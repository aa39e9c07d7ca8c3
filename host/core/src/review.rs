//! Access reviews: someone answerable looks at every technician who holds access to a site —
//! their level, since when and from whom, when they last used it — and confirms or removes
//! each. Identity-governance products call these certification campaigns; none of the
//! reference products has them.
//!
//! A review lists the site's technicians as they stand when it starts (one [`ReviewItem`]
//! each). Reviewers confirm or remove them; removing deletes the access at once. What nobody
//! decided by the review's deadline is locked, or left as it is, as the review says
//! ([`Unconfirmed`]). The review and its items are kept as they ended: the record of who
//! vouched for whom.

use chrono::Duration;

use crate::assignment::SiteAssignment;
use crate::audit::Actor;
use crate::ids::{AccountId, PartnerId, ReviewId, SiteId};
use crate::invitation::PermissionLevel;
use crate::tenancy::string_enum;
use crate::{FieldError, Timestamp};

/// How long reviewers have where nobody said: two weeks.
pub const DEFAULT_REVIEW_DAYS: u32 = 14;
/// The longest a review may stay open, in days.
pub const MAX_REVIEW_DAYS: u32 = 90;
/// The longest interval between scheduled reviews, in days (about two years).
pub const MAX_REVIEW_EVERY_DAYS: u32 = 730;

string_enum! {
    /// What becomes of access nobody confirmed by a review's deadline.
    Unconfirmed {
        /// It is locked: the technician needs a site admin to unlock it.
        Lock = "lock",
        /// It stays as it is; the review records that nobody confirmed it.
        Leave = "leave",
    }
}

string_enum! {
    /// Where a review stands.
    ReviewStatus {
        /// Reviewers are deciding.
        Open = "open",
        /// Every technician was decided, or the deadline came.
        Completed = "completed",
    }
}

string_enum! {
    /// What became of one technician's access in a review.
    Verdict {
        /// Nobody has decided yet.
        Pending = "pending",
        /// A reviewer confirmed it.
        Confirmed = "confirmed",
        /// A reviewer removed it: the access was deleted.
        Removed = "removed",
        /// Unconfirmed at the deadline, and locked.
        Locked = "locked",
        /// Unconfirmed at the deadline, and left as it was.
        Left = "left",
        /// The access was deleted outside the review before anyone decided.
        Gone = "gone",
    }
}

impl Verdict {
    /// Whether the item is decided: anything but pending.
    pub fn decided(self) -> bool {
        self != Self::Pending
    }
}

/// A site's schedule of reviews: one every `every_days`, open for `days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewSchedule {
    /// Days between the starts of two reviews.
    pub every_days: u32,
    /// The terms of each review.
    pub terms: ReviewTerms,
}

/// How a review runs: how many days reviewers have, and what the deadline does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewTerms {
    /// Days from the start to the deadline.
    pub days: u32,
    /// What becomes of access unconfirmed at the deadline.
    pub unconfirmed: Unconfirmed,
}

impl Default for ReviewTerms {
    fn default() -> Self {
        Self {
            days: DEFAULT_REVIEW_DAYS,
            unconfirmed: Unconfirmed::Lock,
        }
    }
}

impl ReviewTerms {
    /// Checks the terms as given; `field` is where they were (`review`, or empty).
    pub fn check(&self, field: &str) -> Result<(), FieldError> {
        if !(1..=MAX_REVIEW_DAYS).contains(&self.days) {
            return Err(FieldError::new(
                named(field, "days"),
                format!("must be 1 to {MAX_REVIEW_DAYS} days"),
            ));
        }
        Ok(())
    }
}

impl ReviewSchedule {
    /// Checks the schedule as given: a review at most every two years, not more often than it
    /// lasts (one review at a time).
    pub fn check(&self) -> Result<(), FieldError> {
        self.terms.check("review")?;
        if !(1..=MAX_REVIEW_EVERY_DAYS).contains(&self.every_days) {
            return Err(FieldError::new(
                "review.every_days",
                format!("must be 1 to {MAX_REVIEW_EVERY_DAYS} days"),
            ));
        }
        if self.every_days < self.terms.days {
            return Err(FieldError::new(
                "review.every_days",
                "must be at least the review's days: one review at a time",
            ));
        }
        Ok(())
    }
}

fn named(field: &str, name: &str) -> String {
    if field.is_empty() {
        name.to_owned()
    } else {
        format!("{field}.{name}")
    }
}

/// A review of a site's access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// Its id.
    pub id: ReviewId,
    /// The partner whose technicians it reviews.
    pub partner_id: PartnerId,
    /// The site.
    pub site_id: SiteId,
    /// Who started it; `System` for a scheduled review.
    pub started_by: Actor,
    /// When.
    pub started_at: Timestamp,
    /// Its terms.
    pub terms: ReviewTerms,
    /// When undecided access gets its fate.
    pub deadline: Timestamp,
    /// Open or completed.
    pub status: ReviewStatus,
    /// How many technicians it lists.
    pub items: u32,
    /// How many of them nobody has decided yet.
    pub pending: u32,
    /// When it completed.
    pub completed_at: Option<Timestamp>,
}

impl Review {
    /// A review of `site` starting at `now`, listing `items` technicians.
    pub fn start(
        id: ReviewId,
        site: (&SiteId, &PartnerId),
        started_by: Actor,
        terms: ReviewTerms,
        items: u32,
        now: Timestamp,
    ) -> Self {
        Self {
            id,
            partner_id: site.1.clone(),
            site_id: site.0.clone(),
            started_by,
            started_at: now,
            terms,
            deadline: now + Duration::days(i64::from(terms.days)),
            status: ReviewStatus::Open,
            items,
            pending: items,
            completed_at: None,
        }
    }

    /// The review after `decided` more items were decided at `now`: completed when none is
    /// left.
    pub fn decided(&self, decided: u32, now: Timestamp) -> Self {
        let pending = self.pending.saturating_sub(decided);
        Self {
            pending,
            status: if pending == 0 {
                ReviewStatus::Completed
            } else {
                ReviewStatus::Open
            },
            completed_at: (pending == 0).then_some(now),
            ..self.clone()
        }
    }
}

/// One technician's access in a review: as it stood when the review started, and its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItem {
    /// The review.
    pub review_id: ReviewId,
    /// The technician.
    pub technician: AccountId,
    /// Their level when the review started.
    pub level: PermissionLevel,
    /// Whether it was locked then.
    pub locked: bool,
    /// When the access was granted: first unlocked, or created if it never was.
    pub granted_at: Timestamp,
    /// Who gave the access as it stood: the last to set its level or lock.
    pub granted_by: AccountId,
    /// When the technician last used it: their last action at the site, or the last check
    /// that let them in.
    pub last_used_at: Option<Timestamp>,
    /// What became of it.
    pub verdict: Verdict,
    /// Who decided; `System` for the deadline.
    pub decided_by: Option<Actor>,
    /// When.
    pub decided_at: Option<Timestamp>,
}

impl ReviewItem {
    /// The item listing `assignment` in `review`.
    pub fn of(review: &ReviewId, assignment: &SiteAssignment) -> Self {
        Self {
            review_id: review.clone(),
            technician: assignment.account_id.clone(),
            level: assignment.level,
            locked: assignment.locked,
            granted_at: assignment
                .first_unlocked_at
                .unwrap_or(assignment.created_at),
            granted_by: assignment.set_by.clone(),
            last_used_at: assignment.last_activity_at,
            verdict: Verdict::Pending,
            decided_by: None,
            decided_at: None,
        }
    }

    /// The item with its verdict given by `by` at `now`.
    pub fn judged(&self, verdict: Verdict, by: &Actor, now: Timestamp) -> Self {
        Self {
            verdict,
            decided_by: Some(by.clone()),
            decided_at: Some(now),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0).unwrap()
    }

    #[test]
    fn a_review_completes_when_its_last_item_is_decided() {
        let review = Review::start(
            ReviewId::generate(at(1), [1; 10]),
            (
                &SiteId::generate(at(1), [2; 10]),
                &PartnerId::generate(at(1), [3; 10]),
            ),
            Actor::System,
            ReviewTerms::default(),
            3,
            at(1),
        );
        assert_eq!(review.deadline, at(15));
        let two = review.decided(2, at(2));
        assert_eq!((two.pending, two.status), (1, ReviewStatus::Open));
        let all = two.decided(1, at(3));
        assert_eq!((all.pending, all.status), (0, ReviewStatus::Completed));
        assert_eq!(all.completed_at, Some(at(3)));
    }

    #[test]
    fn a_schedule_runs_one_review_at_a_time() {
        let schedule = |every_days, days| ReviewSchedule {
            every_days,
            terms: ReviewTerms {
                days,
                unconfirmed: Unconfirmed::Lock,
            },
        };
        assert!(schedule(90, 14).check().is_ok());
        assert_eq!(
            schedule(7, 14).check().unwrap_err().field,
            "review.every_days"
        );
        assert_eq!(schedule(90, 0).check().unwrap_err().field, "review.days");
        assert_eq!(
            schedule(1000, 14).check().unwrap_err().field,
            "review.every_days"
        );
    }
}
