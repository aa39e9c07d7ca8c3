//! The audit trail's upkeep: verifying tenant chains (the API and `siteward audit verify`)
//! and retention behind signed checkpoints.

use siteward_core::audit::{Actor, AuditAction, AuditScope, AuditTarget, FieldChange, TargetKind};
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
