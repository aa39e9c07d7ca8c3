//! Access reviews (`review`, `review_item`, one `review_open` per site) and technicians' last
//! use of their access. Starting a review, each round of decisions and the deadline are one
//! transaction each, with their audit events and the assignments they lock or delete; a
//! decision is guarded on its item still being pending, so two reviewers deciding the same
//! technician at once yield one decision.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue, Variables};

use siteward_core::Timestamp;
use siteward_core::assignment::SiteAssignment;
use siteward_core::audit::{Actor, AuditEvent};
use siteward_core::ids::{AccountId, PartnerId, ReviewId, SiteId};
use siteward_core::invitation::PermissionLevel;
use siteward_core::page::{Page, PageRequest};
use siteward_core::review::{Review, ReviewItem, ReviewStatus, ReviewTerms, Unconfirmed, Verdict};

use crate::error::{Conflict, StorageError};
use crate::invitations::AssignmentRow;
use crate::rows::{actor, key, rid, site_admin_key, stored};
use crate::{Store, tx::Tx};

/// Last-use times written per transaction.
const USE_BATCH: usize = 500;

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ReviewRow {
    id: RecordId,
    partner_id: String,
    site_id: String,
    started_by_kind: String,
    started_by_id: Option<String>,
    started_at: DateTime<Utc>,
    days: i64,
    unconfirmed: String,
    deadline: DateTime<Utc>,
    status: String,
    items: i64,
    pending: i64,
    completed_at: Option<DateTime<Utc>>,
}

impl ReviewRow {
    fn new(r: &Review) -> Self {
        let (kind, id) = r.started_by.kind_and_id();
        Self {
            id: rid("review", r.id.as_str()),
            partner_id: r.partner_id.to_string(),
            site_id: r.site_id.to_string(),
            started_by_kind: kind.to_owned(),
            started_by_id: id.map(str::to_owned),
            started_at: r.started_at,
            days: i64::from(r.terms.days),
            unconfirmed: r.terms.unconfirmed.as_str().to_owned(),
            deadline: r.deadline,
            status: r.status.as_str().to_owned(),
            items: i64::from(r.items),
            pending: i64::from(r.pending),
            completed_at: r.completed_at,
        }
    }

    fn into_review(self) -> Result<Review, StorageError> {
        let count = |value: i64| u32::try_from(value).unwrap_or_default();
        Ok(Review {
            id: ReviewId::from_trusted(key(&self.id)),
            partner_id: PartnerId::from_trusted(self.partner_id),
            site_id: SiteId::from_trusted(self.site_id),
            started_by: actor(&self.started_by_kind, self.started_by_id),
            started_at: self.started_at,
            terms: ReviewTerms {
                days: count(self.days),
                unconfirmed: stored(Unconfirmed::parse, &self.unconfirmed)?,
            },
            deadline: self.deadline,
            status: stored(ReviewStatus::parse, &self.status)?,
            items: count(self.items),
            pending: count(self.pending),
            completed_at: self.completed_at,
        })
    }
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ItemRow {
    id: RecordId,
    review_id: String,
    technician: String,
    level: String,
    locked: bool,
    granted_at: DateTime<Utc>,
    granted_by: String,
    last_used_at: Option<DateTime<Utc>>,
    verdict: String,
    decided_by_kind: Option<String>,
    decided_by_id: Option<String>,
    decided_at: Option<DateTime<Utc>>,
}

fn item_id(review: &ReviewId, technician: &AccountId) -> RecordId {
    rid("review_item", &format!("{review}/{technician}"))
}

impl ItemRow {
    fn new(item: &ReviewItem) -> Self {
        let decided_by = item.decided_by.as_ref().map(Actor::kind_and_id);
        Self {
            id: item_id(&item.review_id, &item.technician),
            review_id: item.review_id.to_string(),
            technician: item.technician.to_string(),
            level: item.level.as_str().to_owned(),
            locked: item.locked,
            granted_at: item.granted_at,
            granted_by: item.granted_by.to_string(),
            last_used_at: item.last_used_at,
            verdict: item.verdict.as_str().to_owned(),
            decided_by_kind: decided_by.map(|(kind, _)| kind.to_owned()),
            decided_by_id: decided_by.and_then(|(_, id)| id.map(str::to_owned)),
            decided_at: item.decided_at,
        }
    }

    fn into_item(self) -> Result<ReviewItem, StorageError> {
        Ok(ReviewItem {
            review_id: ReviewId::from_trusted(self.review_id),
            technician: AccountId::from_trusted(self.technician),
            level: stored(PermissionLevel::parse, &self.level)?,
            locked: self.locked,
            granted_at: self.granted_at,
            granted_by: AccountId::from_trusted(self.granted_by),
            last_used_at: self.last_used_at,
            verdict: stored(Verdict::parse, &self.verdict)?,
            decided_by: self
                .decided_by_kind
                .map(|kind| actor(&kind, self.decided_by_id)),
            decided_at: self.decided_at,
        })
    }
}

/// What happens to a technician's access with a verdict.
#[derive(Debug, Clone)]
pub enum AccessChange {
    /// Nothing.
    Keep,
    /// Written as it should be, guarded on being as read (locked at the deadline).
    Update {
        /// As read.
        read: Box<SiteAssignment>,
        /// As it should be.
        new: Box<SiteAssignment>,
    },
    /// Deleted, whatever it is now (a reviewer removed it).
    Delete,
}

/// One round of verdicts in a review, written as one transaction.
#[derive(Debug, Clone)]
pub struct ReviewWrite {
    /// The review as read (its `pending` count guards the write).
    pub read: Review,
    /// The review as it should be.
    pub review: Review,
    /// The items decided, each pending when read, and what happens to their access.
    pub items: Vec<(ReviewItem, AccessChange)>,
    /// The audit events.
    pub events: Vec<AuditEvent>,
}

impl Store {
    /// Starts a review with its items and event, taking the site's one open review
    /// ([`Conflict::ReviewOpen`] if it has one), and moves the site's next scheduled review
    /// to `next_review_at` when given.
    pub async fn start_review(
        &self,
        review: &Review,
        items: &[ReviewItem],
        next_review_at: Option<Timestamp>,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("slot", rid("review_open", review.site_id.as_str()))
            .bind("open", review.id.to_string())
            .guard("CREATE $slot SET review_id = $open", Conflict::ReviewOpen)
            .bind("review_id", rid("review", review.id.as_str()))
            .bind("review", ReviewRow::new(review))
            .run("CREATE $review_id CONTENT $review");
        if !items.is_empty() {
            let rows: Vec<ItemRow> = items.iter().map(ItemRow::new).collect();
            tx.bind("items", rows)
                .run("INSERT INTO review_item $items RETURN NONE");
        }
        if let Some(next) = next_review_at {
            tx.bind("policy_id", rid("access_policy", review.site_id.as_str()))
                .bind("next", next)
                .run("UPDATE $policy_id SET next_review_at = $next");
        }
        tx.audit(event);
        tx.commit(self).await
    }

    /// Writes a round of verdicts: each item guarded on being pending (else
    /// [`Conflict::AlreadyDecided`]), the review guarded on its pending count as read, the
    /// access changes, and the events. A completed review frees the site's open slot.
    pub async fn write_review(&self, write: &ReviewWrite) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        let review = &write.review;
        tx.bind("review_id", rid("review", review.id.as_str()))
            .bind("pending_read", i64::from(write.read.pending))
            .guard(
                "IF (SELECT VALUE pending FROM ONLY $review_id) != $pending_read { THROW 'changed' }",
                Conflict::Concurrent,
            )
            .bind("review", ReviewRow::new(review))
            .run("UPSERT $review_id CONTENT $review");
        if review.status == ReviewStatus::Completed {
            tx.bind("slot", rid("review_open", review.site_id.as_str()))
                .run("DELETE $slot");
        }
        for (n, (item, change)) in write.items.iter().enumerate() {
            tx.bind(&format!("item_{n}"), item_id(&item.review_id, &item.technician))
                .bind(&format!("item_row_{n}"), ItemRow::new(item))
                .guard(
                    format!(
                        "IF (SELECT VALUE verdict FROM ONLY $item_{n}) != 'pending' {{ THROW 'decided' }}"
                    ),
                    Conflict::AlreadyDecided,
                )
                .run(format!("UPSERT $item_{n} CONTENT $item_row_{n}"));
            let assignment = rid(
                "site_assignment",
                &site_admin_key(&review.site_id, &item.technician),
            );
            match change {
                AccessChange::Keep => {}
                AccessChange::Delete => {
                    tx.bind(&format!("access_{n}"), assignment)
                        .run(format!("DELETE $access_{n}"));
                }
                AccessChange::Update { read, new } => {
                    tx.bind(&format!("access_{n}"), assignment)
                        .bind(
                            &format!("access_read_{n}"),
                            (read.level.as_str(), read.locked, read.starts_at, read.expires_at),
                        )
                        .bind(&format!("access_row_{n}"), AssignmentRow::from_assignment(new))
                        .guard(
                            format!(
                                "IF (SELECT VALUE [level, locked, starts_at, expires_at] FROM ONLY $access_{n}) != $access_read_{n} {{ THROW 'changed' }}"
                            ),
                            Conflict::Concurrent,
                        )
                        .run(format!("UPSERT $access_{n} CONTENT $access_row_{n}"));
                }
            }
        }
        tx.audit_all(&write.events);
        tx.commit(self).await
    }

    /// One review.
    pub async fn review(&self, id: &ReviewId) -> Result<Review, StorageError> {
        self.record::<ReviewRow>("review", id.as_str())
            .await?
            .into_review()
    }

    /// A site's reviews, newest first.
    pub async fn site_reviews(
        &self,
        site: &SiteId,
        page: &PageRequest,
    ) -> Result<Page<Review>, StorageError> {
        let mut vars = Variables::new();
        vars.insert("site", site.to_string());
        let rows: Vec<ReviewRow> = self
            .page_in_order("review", "site_id = $site", vars, page, str::to_owned, true)
            .await?;
        let items = rows
            .into_iter()
            .map(ReviewRow::into_review)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetch(items, page.limit, |r| r.id.as_str()))
    }

    /// A review's items in technician order, optionally only those with one verdict.
    pub async fn review_items(
        &self,
        review: &ReviewId,
        verdict: Option<Verdict>,
        page: &PageRequest,
    ) -> Result<Page<ReviewItem>, StorageError> {
        let mut vars = Variables::new();
        vars.insert("review", review.to_string());
        let condition = match verdict {
            Some(verdict) => {
                vars.insert("verdict", verdict.as_str().to_owned());
                "review_id = $review AND verdict = $verdict"
            }
            None => "review_id = $review",
        };
        let prefix = format!("{review}/");
        let rows: Vec<ItemRow> = self
            .page_in_order(
                "review_item",
                condition,
                vars,
                page,
                |after| format!("{prefix}{after}"),
                false,
            )
            .await?;
        let items = rows
            .into_iter()
            .map(ItemRow::into_item)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetch(items, page.limit, |i| {
            i.technician.as_str()
        }))
    }

    /// Every item of a review in technician order (the CSV export, the deadline's round),
    /// optionally only those with one verdict: one read.
    pub async fn every_review_item(
        &self,
        review: &ReviewId,
        verdict: Option<Verdict>,
    ) -> Result<Vec<ReviewItem>, StorageError> {
        let condition = if verdict.is_some() {
            "review_id = $review AND verdict = $verdict"
        } else {
            "review_id = $review"
        };
        let rows: Vec<ItemRow> = self
            .db
            .query(format!(
                "SELECT * FROM review_item WHERE {condition} ORDER BY id"
            ))
            .bind(("review", review.to_string()))
            .bind(("verdict", verdict.map(|v| v.as_str().to_owned())))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        rows.into_iter().map(ItemRow::into_item).collect()
    }

    /// How many of a review's items have each verdict.
    pub async fn review_tally(
        &self,
        review: &ReviewId,
    ) -> Result<BTreeMap<Verdict, i64>, StorageError> {
        #[derive(Debug, SurrealValue)]
        #[surreal(crate = "surrealdb::types")]
        struct Count {
            verdict: String,
            n: i64,
        }
        let counts: Vec<Count> = self
            .db
            .query(
                "SELECT verdict, count() AS n FROM review_item WHERE review_id = $review GROUP BY verdict",
            )
            .bind(("review", review.to_string()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        counts
            .into_iter()
            .map(|c| Ok((stored(Verdict::parse, &c.verdict)?, c.n)))
            .collect()
    }

    /// The items of a review for these technicians (those it lists).
    pub async fn review_items_of(
        &self,
        review: &ReviewId,
        technicians: &[AccountId],
    ) -> Result<Vec<ReviewItem>, StorageError> {
        let ids = technicians.iter().map(|t| item_id(review, t)).collect();
        let rows: Vec<ItemRow> = self.records(ids).await?;
        rows.into_iter().map(ItemRow::into_item).collect()
    }

    /// Up to `limit` open reviews whose deadline has come.
    pub async fn due_reviews(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<Review>, StorageError> {
        let rows: Vec<ReviewRow> = self
            .db
            .query("SELECT * FROM review WHERE status = 'open' AND deadline <= $now LIMIT $limit")
            .bind(("now", now))
            .bind(("limit", i64::from(limit)))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        rows.into_iter().map(ReviewRow::into_review).collect()
    }

    /// The sites whose scheduled review is due, with their partner.
    pub async fn sites_due_for_review(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<SiteId>, StorageError> {
        let sites: Vec<String> = self
            .db
            .query(
                "SELECT VALUE site_id FROM access_policy WHERE next_review_at <= $now LIMIT $limit",
            )
            .bind(("now", now))
            .bind(("limit", i64::from(limit)))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(sites.into_iter().map(SiteId::from_trusted).collect())
    }

    /// Every assignment of a site, in technician order: what a review lists.
    pub async fn all_site_assignments(
        &self,
        site: &SiteId,
    ) -> Result<Vec<SiteAssignment>, StorageError> {
        let rows: Vec<AssignmentRow> = self
            .db
            .query("SELECT * FROM site_assignment WHERE site_id = $site ORDER BY account_id")
            .bind(("site", site.to_string()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        rows.into_iter()
            .map(AssignmentRow::into_assignment)
            .collect()
    }

    /// Records technicians' last use of their access, each `(site, technician, when)`: an
    /// assignment's `last_activity_at` moves forward to `when`, never back, and a deleted
    /// assignment is left deleted. In transactions of 500.
    pub async fn record_use(
        &self,
        used: &[(SiteId, AccountId, Timestamp)],
    ) -> Result<(), StorageError> {
        for batch in used.chunks(USE_BATCH) {
            let mut tx = Tx::new();
            for (n, (site, technician, at)) in batch.iter().enumerate() {
                tx.bind(
                    &format!("used_{n}"),
                    rid("site_assignment", &site_admin_key(site, technician)),
                )
                .bind(&format!("used_at_{n}"), *at)
                .run(format!(
                    "UPDATE $used_{n} SET last_activity_at = $used_at_{n} \
                     WHERE (last_activity_at ?? created_at) < $used_at_{n}"
                ));
            }
            tx.commit(self).await?;
        }
        Ok(())
    }
}
