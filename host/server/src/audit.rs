//! The audit trail's upkeep: verifying tenant chains (the API and `siteward audit verify`),
//! retention behind signed checkpoints, and telling the workers that follow the trail (hooks,
//! audit streams) whether it grew.

use std::collections::HashMap;

use futures_util::{FutureExt, StreamExt};
use siteward_core::audit::{Actor, AuditAction, AuditScope, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::PartnerId;
use siteward_storage::{Retention, StorageError, Store};

use crate::api::dto::AuditVerificationView;
use crate::state::{AppState, AuditContext};

/// Verifies every chain of `scope`, checking retention checkpoints with `checkpoint_key`.
pub async fn verify(
    store: &Store,
    scope: &AuditScope,
    checkpoint_key: Option<&[u8]>,
) -> Result<AuditVerificationView, StorageError> {
    let reports = siteward_app::audit::verify_chains(store, scope, checkpoint_key).await?;
    Ok(AuditVerificationView::new(reports))
}

/// The report as lines for a person: one per chain, with the first broken link.
pub fn describe(report: &AuditVerificationView) -> String {
    let mut text = String::new();
    for chain in &report.chains {
        let state = match (&chain.first_broken_link, chain.unchained_events) {
            (Some(broken), _) => format!(
                "BROKEN at {}{}: {} ({})",
                broken.seq,
                broken
                    .event_id
                    .as_ref()
                    .map_or_else(String::new, |id| format!(" (event {id})")),
                broken.message,
                broken.problem,
            ),
            (None, 0) => "intact".to_owned(),
            (None, n) => format!("BROKEN: {n} event(s) of this tenant sit outside the chain"),
        };
        text.push_str(&format!(
            "{}  {} event(s) checked, head {}  {state}\n",
            chain.chain, chain.events_checked, chain.head.seq
        ));
    }
    text.push_str(&if report.chains.is_empty() {
        "no audit chains yet\n".to_owned()
    } else if report.intact {
        format!("all {} chain(s) intact\n", report.chains.len())
    } else {
        let broken = report.chains.iter().filter(|c| !c.intact).count();
        format!("{broken} of {} chain(s) broken\n", report.chains.len())
    });
    text
}

/// Applies retention to every chain: events older than `[audit] retention_days` are dropped
/// behind a signed checkpoint, each cut recorded as an `audit.retention_applied` event of its
/// chain. A chain that does not verify is left whole and logged. Returns the events dropped.
pub async fn apply_retention(state: &AppState) -> Result<u64, StorageError> {
    let (Some(retention), Some(key)) = (state.audit.retention, &state.audit.checkpoint_key) else {
        return Ok(0);
    };
    let now = state.now();
    let system = AuditContext {
        actor: Actor::System,
        request_id: None,
    };
    let mut total = 0;
    for chain in state.store.audit_chains(&AuditScope::Platform).await? {
        let Some(tenant) = AuditScope::from_chain_name(&chain) else {
            continue;
        };
        let (partner, site) = match &tenant {
            AuditScope::Partner(partner) => (Some(partner), None),
            AuditScope::Site(site) => (None, Some(site)),
            AuditScope::Platform => (None, None),
        };
        let outcome = state
            .store
            .apply_audit_retention(&chain, now - retention, key, now, |dropped| {
                system.event(
                    state,
                    AuditAction::AuditRetentionApplied,
                    (partner, site),
                    AuditTarget {
                        kind: TargetKind::AuditChain,
                        id: chain.clone(),
                    },
                    vec![
                        FieldChange::set("dropped_events", dropped),
                        FieldChange::set("retention_days", retention.num_days()),
                    ],
                )
            })
            .await;
        match outcome {
            Ok(Retention::Dropped(dropped)) => total += dropped,
            Ok(Retention::NothingToDrop) | Err(StorageError::Conflict(_)) => {}
            Ok(Retention::Refused(report)) => tracing::error!(
                chain,
                broken = ?report.verification.broken,
                unchained = report.unchained,
                "audit chain does not verify; retention left it whole"
            ),
            Err(error) => return Err(error),
        }
    }
    Ok(total)
}

/// Applies retention every `interval`; stops when `stop` is cancelled, after the round in
/// hand.
pub async fn run_retention(
    state: AppState,
    interval: std::time::Duration,
    stop: tokio_util::sync::CancellationToken,
) {
    loop {
        match apply_retention(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(dropped = n, "audit retention dropped old events"),
            Err(error) => tracing::error!(%error, "audit retention failed"),
        }
        if crate::stopped(&stop, interval).await {
            return;
        }
    }
}

/// How much of the audit trail had been written, as far as this host can tell: a worker that
/// follows the trail (notification hooks, audit streams) compares it with what it was when the
/// worker last caught up, and reads the chains only if it moved. On embedded storage this
/// process writes every event, and counts them; on a shared database other hosts write too, so
/// it subscribes to changes of the chains' heads (a live query) and counts what it is told.
/// Without a subscription (being made, or lost) it cannot tell, and says so: the worker then
/// reads every tick.
#[derive(Default)]
pub struct TrailWrites {
    /// On a shared database: the subscription to the chains' changes.
    watch: Option<Watch>,
    /// Subscriptions made: a new one may have missed changes made before it.
    subscriptions: u64,
}

/// How much had been written: a subscription's number and the changes it reported, or this
/// process's count of events on embedded storage.
pub type Written = (u64, u64);

struct Watch {
    changes: std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<(), StorageError>> + Send>>,
    seen: u64,
}

impl std::fmt::Debug for TrailWrites {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrailWrites")
            .field("watching", &self.watch.as_ref().map(|w| w.seen))
            .field("subscriptions", &self.subscriptions)
            .finish()
    }
}

impl TrailWrites {
    /// How much had been written by now; `None` when this host cannot tell. Read it before a
    /// round: an event is counted (or reported) after its commit is visible, so one committed
    /// during the round was either read by it or moves the count for the next.
    pub async fn now(&mut self, state: &AppState) -> Option<Written> {
        if !state.permissions.is_shared() {
            return Some((0, state.store.audit_events_written()));
        }
        if self.watch.is_none() {
            match state.store.watch_audit_chains().await {
                Ok(changes) => {
                    self.subscriptions += 1;
                    self.watch = Some(Watch {
                        changes: Box::pin(changes),
                        seen: 0,
                    });
                }
                Err(error) => {
                    tracing::warn!(%error, "could not watch the audit chains; the trail is read every tick");
                    return None;
                }
            }
        }
        let watch = self.watch.as_mut()?;
        // What has arrived, without waiting for more.
        while let Some(change) = watch.changes.next().now_or_never() {
            match change {
                Some(Ok(())) => watch.seen += 1,
                // A notification that did not read is still a change.
                Some(Err(error)) => {
                    tracing::warn!(%error, "a change of an audit chain could not be read");
                    watch.seen += 1;
                }
                None => {
                    tracing::warn!("the watch of the audit chains ended; subscribing again");
                    self.watch = None;
                    return None;
                }
            }
        }
        Some((self.subscriptions, watch.seen))
    }
}

/// The partner each chain belongs to, a site's read once: a site never changes partner, and a
/// deleted one never comes back.
#[derive(Debug, Default)]
pub(crate) struct ChainPartners(HashMap<String, Option<PartnerId>>);

impl ChainPartners {
    /// The partner `chain` belongs to; `None` for the platform's chain and a site not found.
    pub(crate) async fn of(
        &mut self,
        state: &AppState,
        chain: &str,
    ) -> Result<Option<PartnerId>, StorageError> {
        if let Some(known) = self.0.get(chain) {
            return Ok(known.clone());
        }
        let partner = match AuditScope::from_chain_name(chain) {
            Some(AuditScope::Partner(partner)) => Some(partner),
            Some(AuditScope::Site(site)) => match state.store.site(&site).await {
                Ok(site) => Some(site.partner_id),
                Err(StorageError::NotFound) => None,
                Err(error) => return Err(error),
            },
            _ => None,
        };
        self.0.insert(chain.to_owned(), partner.clone());
        Ok(partner)
    }
}
