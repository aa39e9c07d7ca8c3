//! Access reviews (beyond the references): a site's admins — or the partner's people with
//! `admin.team`, for their own technicians there — start a review, or the site's schedule
//! does; each technician holding access is listed with their level, since when and from whom,
//! and when they last used it; reviewers confirm or remove each; at the deadline what nobody
//! confirmed is locked or left, as the review says. Every step is audited under the review's
//! id (`review.started`, `review.decided`, `review.completed`), and the review with its
//! verdicts is kept, to read and to export.
//!
//! "Last used" is the technician's last action at the site or the last check that let them in.
//! The check records the minute on its in-memory assignment (no write per check);
//! [`App::record_use`] writes what is new, from the sweeper and before a review lists anyone.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{TimeZone, Utc};

use siteward_core::access_request::AccessPolicy;
use siteward_core::assignment::SiteAssignment;
use siteward_core::audit::{Actor, AuditAction, AuditEvent, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::{AccountId, ReviewId, SiteId};
use siteward_core::page::Page;
use siteward_core::permission::index::Change;
use siteward_core::review::{
    Review, ReviewItem, ReviewSchedule, ReviewStatus, ReviewTerms, Unconfirmed, Verdict,
};
use siteward_core::tenancy::Site;
use siteward_core::validate::Email;
use siteward_core::{FieldError, Timestamp};
use siteward_storage::{AccessChange, Conflict, ReviewWrite, StorageError};

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::page::Paging;
use crate::services::{App, AuditContext};
use crate::sites::SiteAccess;

/// How often a round of verdicts that lost a race is made again from a fresh read.
const ATTEMPTS: u32 = 8;
/// How many due reviews (and sites due for one) the sweeper takes at a time.
const SWEEP_BATCH: u32 = 50;
/// The most technicians one round of verdicts may name.
pub const MAX_VERDICTS: usize = 1_000;

/// A review's terms as given.
#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    /// Days until the deadline; absent: 14.
    pub days: Option<u32>,
    /// `lock` (the default) or `leave`.
    pub unconfirmed: Option<String>,
}

impl ReviewInput {
    fn parse(&self) -> Result<ReviewTerms, FieldError> {
        let defaults = ReviewTerms::default();
        let terms = ReviewTerms {
            days: self.days.unwrap_or(defaults.days),
            unconfirmed: self
                .unconfirmed
                .as_deref()
                .map(|u| Unconfirmed::parse("unconfirmed", u))
                .transpose()?
                .unwrap_or(defaults.unconfirmed),
        };
        terms.check("")?;
        Ok(terms)
    }
}

/// A reviewer's verdict, as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judgement {
    /// Keep the access.
    Confirm,
    /// Delete it now.
    Remove,
}

impl Judgement {
    /// Parses `confirm` or `remove`.
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        match text {
            "confirm" => Ok(Self::Confirm),
            "remove" => Ok(Self::Remove),
            _ => Err(FieldError::new(field, "must be one of: confirm, remove")),
        }
    }

    fn verdict(self) -> Verdict {
        match self {
            Self::Confirm => Verdict::Confirmed,
            Self::Remove => Verdict::Removed,
        }
    }
}

/// A review with what a page shows of it.
#[derive(Debug, Clone)]
pub struct ReviewView {
    /// The review.
    pub review: Review,
    /// The site's name.
    pub site_name: String,
    /// The name of whoever started it; `None` for the site's schedule or a token.
    pub started_by_name: Option<String>,
}

/// One technician's line in a review, with names.
#[derive(Debug, Clone)]
pub struct ReviewLine {
    /// The item.
    pub item: ReviewItem,
    /// The technician's name.
    pub technician_name: String,
    /// The technician's email.
    pub technician_email: Email,
    /// The name of who gave the access.
    pub granted_by_name: Option<String>,
    /// The name of who decided; `None` for the deadline, a token, or not yet.
    pub decided_by_name: Option<String>,
}

fn target(id: &ReviewId) -> AuditTarget {
    AuditTarget {
        kind: TargetKind::Review,
        id: id.to_string(),
    }
}

fn millis(at: i64) -> Timestamp {
    Utc.timestamp_millis_opt(at).single().unwrap_or_default()
}

fn concurrent() -> AppError {
    AppError::conflict(
        "concurrent_change",
        "this review kept changing meanwhile; reload and try again",
    )
}

fn not_open(review: &Review) -> AppError {
    AppError::conflict(
        "review_completed",
        format!(
            "this review completed on {}; start a new one",
            review
                .completed_at
                .unwrap_or(review.deadline)
                .format("%Y-%m-%d")
        ),
    )
}

impl App {
    /// Writes the last use the check recorded since the last time: each assignment's
    /// `last_activity_at` moves forward to the minute of its newest allowed check. Returns how
    /// many assignments it wrote.
    pub async fn record_use(&self) -> AppResult<usize> {
        let used = self.permissions.read().unwritten_use();
        if used.is_empty() {
            return Ok(0);
        }
        let rows: Vec<(SiteId, AccountId, Timestamp)> = used
            .iter()
            .map(|u| {
                (
                    SiteId::from_key(u.site),
                    AccountId::from_key(u.technician),
                    millis(u.at),
                )
            })
            .collect();
        self.store.record_use(&rows).await?;
        self.permissions.read().mark_written(&used);
        Ok(used.len())
    }

    /// Starts a review of the site's access (its admins and site tokens, the partner's people
    /// and tokens with `admin.team`, the operator): every technician assigned there now,
    /// locked or not, one line each. `409 review_open` while another is open.
    pub async fn start_review(
        &self,
        caller: &Caller,
        site: &SiteId,
        input: &ReviewInput,
    ) -> AppResult<ReviewView> {
        let site = self
            .visible_site(caller, site, SiteAccess::LockTechnicians)
            .await?;
        let terms = input.parse()?;
        let schedule = self.store.access_policy(&site.id).await?.review;
        let review = self
            .begin_review(&site, &caller.audit, terms, schedule)
            .await?;
        self.viewed(review, &site).await
    }

    /// Starts the reviews sites scheduled and whose day has come. Returns how many.
    pub async fn start_scheduled_reviews(&self) -> AppResult<usize> {
        let system = AuditContext {
            actor: Actor::System,
            request_id: None,
        };
        let mut started = 0;
        for site in self
            .store
            .sites_due_for_review(self.now(), SWEEP_BATCH)
            .await?
        {
            let site = self.store.site(&site).await?;
            let (policy, _) = self.store.access_policy_and_next_review(&site.id).await?;
            let Some(schedule) = policy.review else {
                continue;
            };
            match self
                .begin_review(&site, &system, schedule.terms, Some(schedule))
                .await
            {
                Ok(_) => started += 1,
                // One is open still: the schedule waits for it, and tries again next round
                // (the slot frees when it completes, at its deadline at the latest).
                Err(error) if error.code == "review_open" => {}
                Err(error) => return Err(error),
            }
        }
        Ok(started)
    }

    /// Starts a review of `site` on `terms`; with the site's `schedule`, its next scheduled
    /// review moves to one interval from now.
    async fn begin_review(
        &self,
        site: &Site,
        by: &AuditContext,
        terms: ReviewTerms,
        schedule: Option<ReviewSchedule>,
    ) -> AppResult<Review> {
        // The lines show last use as of now.
        self.record_use().await?;
        let assignments = self.store.all_site_assignments(&site.id).await?;
        let now = self.now();
        let id = self.new_id(ReviewId::from_trusted);
        let items: Vec<ReviewItem> = assignments.iter().map(|a| ReviewItem::of(&id, a)).collect();
        let count = u32::try_from(items.len()).unwrap_or(u32::MAX);
        let review = Review::start(
            id,
            (&site.id, &site.partner_id),
            by.actor.clone(),
            terms,
            count,
            now,
        );
        let next = schedule.map(|s| now + chrono::Duration::days(i64::from(s.every_days)));
        let event = by.event(
            self,
            AuditAction::ReviewStarted,
            (Some(&site.partner_id), Some(&site.id)),
            target(&review.id),
            vec![
                FieldChange::set("technicians", count.to_string()),
                FieldChange::set("deadline", review.deadline.to_rfc3339()),
                FieldChange::set("unconfirmed", terms.unconfirmed.as_str()),
            ],
        );
        let written = self.store.start_review(&review, &items, next, &event).await;
        match written {
            Ok(()) => {}
            Err(StorageError::Conflict(Conflict::ReviewOpen)) => {
                return Err(AppError::conflict(
                    "review_open",
                    Conflict::ReviewOpen.to_string(),
                ));
            }
            Err(other) => return Err(other.into()),
        }
        // A review with nobody to list is over as soon as it starts.
        if review.items == 0 {
            return self.settle(&review, Vec::new(), by).await;
        }
        Ok(review)
    }

    /// A site's rules with when its next scheduled review starts (whoever may read its
    /// reviews).
    pub async fn review_schedule(
        &self,
        caller: &Caller,
        site: &SiteId,
    ) -> AppResult<(AccessPolicy, Option<Timestamp>)> {
        let site = self
            .visible_site(caller, site, SiteAccess::ReviewAccess)
            .await?;
        Ok(self.store.access_policy_and_next_review(&site.id).await?)
    }

    /// A review (whoever may read the site's access requests).
    pub async fn review(&self, caller: &Caller, id: &ReviewId) -> AppResult<ReviewView> {
        let (review, site) = self.readable_review(caller, id).await?;
        self.viewed(review, &site).await
    }

    /// A site's reviews, newest first.
    pub async fn site_reviews(
        &self,
        caller: &Caller,
        site: &SiteId,
        paging: Paging<'_>,
    ) -> AppResult<Page<ReviewView>> {
        let site = self
            .visible_site(caller, site, SiteAccess::ReviewAccess)
            .await?;
        let page = self.store.site_reviews(&site.id, &paging.parse()?).await?;
        let starters: Vec<AccountId> = page
            .items
            .iter()
            .filter_map(|r| match &r.started_by {
                Actor::Account(id) => Some(id.clone()),
                _ => None,
            })
            .collect();
        let names = self.names(starters).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|review| view(review, &site, &names))
                .collect(),
            next_cursor: page.next_cursor,
        })
    }

    /// A review's lines in technician order, optionally of one verdict.
    pub async fn review_lines(
        &self,
        caller: &Caller,
        id: &ReviewId,
        verdict: Option<&str>,
        paging: Paging<'_>,
    ) -> AppResult<Page<ReviewLine>> {
        let (review, _) = self.readable_review(caller, id).await?;
        let verdict = verdict.map(|v| Verdict::parse("verdict", v)).transpose()?;
        let page = self
            .store
            .review_items(&review.id, verdict, &paging.parse()?)
            .await?;
        self.lines(page).await
    }

    /// A review as CSV: one row per technician, with the verdict and who gave it.
    pub async fn review_csv(&self, caller: &Caller, id: &ReviewId) -> AppResult<(Review, String)> {
        let (review, site) = self.readable_review(caller, id).await?;
        let mut csv = String::from(
            "review_id,site_id,site_name,technician_id,technician_name,technician_email,level,locked,granted_at,granted_by,last_used_at,verdict,decided_by,decided_at\r\n",
        );
        let items = self.store.every_review_item(&review.id, None).await?;
        let lines = self
            .lines(Page {
                items,
                next_cursor: None,
            })
            .await?;
        for line in lines.items {
            let item = &line.item;
            let time = |t: Option<Timestamp>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
            let decided_by = match (&item.decided_by, &line.decided_by_name) {
                (_, Some(name)) => name.clone(),
                (Some(actor), None) => {
                    let (kind, id) = actor.kind_and_id();
                    id.map_or_else(|| kind.to_owned(), |id| format!("{kind}:{id}"))
                }
                (None, None) => String::new(),
            };
            let fields = [
                review.id.to_string(),
                site.id.to_string(),
                site.name.clone(),
                item.technician.to_string(),
                line.technician_name.clone(),
                line.technician_email.to_string(),
                item.level.to_string(),
                item.locked.to_string(),
                item.granted_at.to_rfc3339(),
                line.granted_by_name
                    .clone()
                    .unwrap_or_else(|| item.granted_by.to_string()),
                time(item.last_used_at),
                item.verdict.to_string(),
                decided_by,
                time(item.decided_at),
            ];
            let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            let _ = write!(csv, "{}\r\n", row.join(","));
        }
        Ok((review, csv))
    }

    /// Confirms or removes technicians in an open review (its admins and site tokens, the
    /// partner's people and tokens with `admin.team`, the operator). Removing deletes their
    /// access at once. All or nothing: a technician the review does not list is `404`, one
    /// decided already `409 already_decided`. The review completes with its last verdict.
    pub async fn decide_review(
        &self,
        caller: &Caller,
        id: &ReviewId,
        technicians: &[String],
        judgement: Judgement,
    ) -> AppResult<ReviewView> {
        let review = self.store.review(id).await?;
        let site = self
            .visible_site(caller, &review.site_id, SiteAccess::LockTechnicians)
            .await?;
        if technicians.is_empty() || technicians.len() > MAX_VERDICTS {
            return Err(FieldError::new(
                "technicians",
                format!("name 1 to {MAX_VERDICTS} technicians"),
            )
            .into());
        }
        let mut accounts = technicians
            .iter()
            .enumerate()
            .map(|(i, t)| AccountId::parse(&format!("technicians[{i}]"), t))
            .collect::<Result<Vec<_>, _>>()?;
        accounts.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
        accounts.dedup();
        let mut review = review;
        for _ in 0..ATTEMPTS {
            if review.status != ReviewStatus::Open {
                return Err(not_open(&review));
            }
            let items = self.store.review_items_of(&review.id, &accounts).await?;
            if items.len() != accounts.len() {
                return Err(AppError::not_found());
            }
            if let Some(decided) = items.iter().find(|i| i.verdict.decided()) {
                return Err(AppError::conflict(
                    "already_decided",
                    format!(
                        "{} was already {} in this review",
                        decided.technician, decided.verdict
                    ),
                ));
            }
            let now = self.now();
            let actor = &caller.audit.actor;
            let tenant = (Some(&site.partner_id), Some(&site.id));
            let mut events = Vec::with_capacity(items.len() * 2);
            let mut judged = Vec::with_capacity(items.len());
            let mut index = Vec::new();
            for item in &items {
                let verdict = judgement.verdict();
                events.push(caller.audit.event(
                    self,
                    AuditAction::ReviewDecided,
                    tenant,
                    target(&review.id),
                    vec![
                        FieldChange::set("technician", item.technician.to_string()),
                        FieldChange::changed("verdict", Verdict::Pending, verdict),
                    ],
                ));
                let change = match judgement {
                    Judgement::Confirm => AccessChange::Keep,
                    Judgement::Remove => {
                        events.push(caller.audit.event(
                            self,
                            AuditAction::AssignmentDeleted,
                            tenant,
                            AuditTarget {
                                kind: TargetKind::SiteAssignment,
                                id: item.technician.to_string(),
                            },
                            vec![
                                FieldChange {
                                    field: "level".to_owned(),
                                    before: Some(item.level.to_string()),
                                    after: None,
                                },
                                FieldChange::set("review", review.id.to_string()),
                            ],
                        ));
                        index.push(Change::Assignment {
                            site: site.id.key(),
                            account: item.technician.key(),
                            assignment: None,
                        });
                        AccessChange::Delete
                    }
                };
                judged.push((item.judged(verdict, actor, now), change));
            }
            match self
                .settle_round(&review, judged, events, index, &caller.audit)
                .await
            {
                Ok(settled) => return self.viewed(settled, &site).await,
                Err(StorageError::Conflict(Conflict::Concurrent)) => {
                    review = self.store.review(id).await?;
                }
                Err(StorageError::Conflict(Conflict::AlreadyDecided)) => {
                    return Err(AppError::conflict(
                        "already_decided",
                        Conflict::AlreadyDecided.to_string(),
                    ));
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(concurrent())
    }

    /// Gives the reviews whose deadline has come their end: what nobody decided is locked or
    /// left, as each says. Returns how many completed.
    pub async fn complete_due_reviews(&self) -> AppResult<usize> {
        let system = AuditContext {
            actor: Actor::System,
            request_id: None,
        };
        let mut completed = 0;
        for review in self.store.due_reviews(self.now(), SWEEP_BATCH).await? {
            match self.settle(&review, Vec::new(), &system).await {
                Ok(_) => completed += 1,
                // Someone decided meanwhile, or the access changed: next round reads afresh.
                Err(error) if error.code == "concurrent_change" => {}
                Err(error) => return Err(error),
            }
        }
        Ok(completed)
    }

    /// Ends `review` at its deadline (or at once when it lists nobody): every pending line
    /// gets its fate in one transaction with `review.completed`.
    async fn settle(
        &self,
        review: &Review,
        mut events: Vec<AuditEvent>,
        by: &AuditContext,
    ) -> AppResult<Review> {
        let pending = self
            .store
            .every_review_item(&review.id, Some(Verdict::Pending))
            .await?;
        let technicians: Vec<AccountId> = pending.iter().map(|i| i.technician.clone()).collect();
        let current = self
            .store
            .assignments_of(&review.site_id, &technicians)
            .await?;
        let now = self.now();
        let tenant = (Some(&review.partner_id), Some(&review.site_id));
        let mut index = Vec::new();
        let mut judged = Vec::with_capacity(pending.len());
        for item in pending {
            let held = current.iter().find(|a| a.account_id == item.technician);
            let (verdict, change) = match (held, review.terms.unconfirmed) {
                (None, _) => (Verdict::Gone, AccessChange::Keep),
                (Some(_), Unconfirmed::Leave) => (Verdict::Left, AccessChange::Keep),
                (Some(held), Unconfirmed::Lock) if held.locked => {
                    (Verdict::Locked, AccessChange::Keep)
                }
                (Some(held), Unconfirmed::Lock) => {
                    let new = SiteAssignment {
                        locked: true,
                        updated_at: now,
                        ..held.clone()
                    };
                    events.push(by.event(
                        self,
                        AuditAction::AssignmentLocked,
                        tenant,
                        AuditTarget {
                            kind: TargetKind::SiteAssignment,
                            id: item.technician.to_string(),
                        },
                        vec![
                            FieldChange::changed("locked", false, true),
                            FieldChange::set(
                                "reason",
                                format!("not confirmed in review {} by its deadline", review.id),
                            ),
                        ],
                    ));
                    index.push(new.change());
                    (
                        Verdict::Locked,
                        AccessChange::Update {
                            read: Box::new(held.clone()),
                            new: Box::new(new),
                        },
                    )
                }
            };
            judged.push((item.judged(verdict, &Actor::System, now), change));
        }
        let review = Review {
            // The deadline's round decides whatever is left.
            pending: u32::try_from(judged.len()).unwrap_or(u32::MAX),
            ..review.clone()
        };
        match self.settle_round(&review, judged, events, index, by).await {
            Ok(settled) => Ok(settled),
            Err(StorageError::Conflict(_)) => Err(concurrent()),
            Err(other) => Err(other.into()),
        }
    }

    /// Writes a round of verdicts, completing the review (with `review.completed` and its
    /// tally) when it decides the last pending line.
    async fn settle_round(
        &self,
        read: &Review,
        judged: Vec<(ReviewItem, AccessChange)>,
        mut events: Vec<AuditEvent>,
        index: Vec<Change>,
        by: &AuditContext,
    ) -> Result<Review, StorageError> {
        let now = self.now();
        let decided = u32::try_from(judged.len()).unwrap_or(u32::MAX);
        let review = read.decided(decided, now);
        if review.status == ReviewStatus::Completed {
            let mut tally = self.store.review_tally(&read.id).await?;
            for (item, _) in &judged {
                *tally.entry(Verdict::Pending).or_default() -= 1;
                *tally.entry(item.verdict).or_default() += 1;
            }
            let mut changes = vec![FieldChange::changed(
                "status",
                ReviewStatus::Open,
                ReviewStatus::Completed,
            )];
            changes.extend(
                tally
                    .iter()
                    .filter(|(verdict, n)| **verdict != Verdict::Pending && **n > 0)
                    .map(|(verdict, n)| FieldChange::set(verdict.as_str(), n.to_string())),
            );
            events.push(by.event(
                self,
                AuditAction::ReviewCompleted,
                (Some(&read.partner_id), Some(&read.site_id)),
                target(&read.id),
                changes,
            ));
        }
        let write = ReviewWrite {
            read: read.clone(),
            review: review.clone(),
            items: judged,
            events,
        };
        self.permissions
            .commit(index, move |store| async move {
                store.write_review(&write).await
            })
            .await?;
        Ok(review)
    }

    /// The review and its site, if the caller may read the site's access requests (else
    /// `404`/`403` as for the site).
    async fn readable_review(&self, caller: &Caller, id: &ReviewId) -> AppResult<(Review, Site)> {
        let review = self.store.review(id).await?;
        let site = self
            .visible_site(caller, &review.site_id, SiteAccess::ReviewAccess)
            .await?;
        Ok((review, site))
    }

    async fn viewed(&self, review: Review, site: &Site) -> AppResult<ReviewView> {
        let starter: Vec<AccountId> = match &review.started_by {
            Actor::Account(id) => vec![id.clone()],
            _ => Vec::new(),
        };
        let names = self.names(starter).await?;
        Ok(view(review, site, &names))
    }

    async fn lines(&self, page: Page<ReviewItem>) -> AppResult<Page<ReviewLine>> {
        let mut people: Vec<AccountId> = Vec::new();
        for item in &page.items {
            people.push(item.technician.clone());
            people.push(item.granted_by.clone());
            if let Some(Actor::Account(id)) = &item.decided_by {
                people.push(id.clone());
            }
        }
        people.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
        people.dedup();
        let accounts = self.store.accounts(&people).await?;
        let find = |id: &AccountId| accounts.iter().find(|a| &a.id == id);
        let items = page
            .items
            .into_iter()
            .filter_map(|item| {
                let technician = find(&item.technician)?;
                Some(ReviewLine {
                    technician_name: technician.name.clone(),
                    technician_email: technician.email.clone(),
                    granted_by_name: find(&item.granted_by).map(|a| a.name.clone()),
                    decided_by_name: match &item.decided_by {
                        Some(Actor::Account(id)) => find(id).map(|a| a.name.clone()),
                        _ => None,
                    },
                    item,
                })
            })
            .collect();
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
        })
    }

    async fn names(&self, mut ids: Vec<AccountId>) -> AppResult<BTreeMap<AccountId, String>> {
        ids.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
        ids.dedup();
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        Ok(self
            .store
            .accounts(&ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect())
    }
}

fn view(review: Review, site: &Site, names: &BTreeMap<AccountId, String>) -> ReviewView {
    let started_by_name = match &review.started_by {
        Actor::Account(id) => names.get(id).cloned(),
        _ => None,
    };
    ReviewView {
        review,
        site_name: site.name.clone(),
        started_by_name,
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break, and made inert for
/// spreadsheets when it starts like a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}
