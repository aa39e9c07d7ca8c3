//! The invitation sweeper: marks invitations whose time has passed as Expired and records an
//! `invitation.expired` event for each, so that expiry is visible and can be acted on. It
//! also moves access requests whose next step is due (`App::sweep_access_requests`) and drops
//! the permission change log's old entries. Each round begins by writing the technicians' last
//! use the check recorded in memory, and ends access reviews whose deadline came and starts
//! those sites scheduled.

use std::time::Duration;

use siteward_core::audit::{Actor, AuditAction, AuditTarget, TargetKind};
use siteward_storage::StorageError;
use tokio_util::sync::CancellationToken;

use crate::state::{AppState, AuditContext};

const BATCH: u32 = 500;

/// How long the permission change log keeps a change: a host further behind than this (down,
/// or cut off) rebuilds its index from storage.
const ACCESS_LOG_KEPT: Duration = Duration::from_secs(3600);

/// Expires every invitation due at the state's `now`; returns how many.
pub async fn sweep_once(state: &AppState) -> Result<usize, StorageError> {
    let system = AuditContext {
        actor: Actor::System,
        request_id: None,
    };
    let mut total = 0;
    loop {
        let expired = state
            .store
            .expire_due_invitations(state.now(), BATCH, |inv| {
                system.event(
                    state,
                    AuditAction::InvitationExpired,
                    (Some(&inv.partner_id), inv.target.site()),
                    AuditTarget {
                        kind: TargetKind::Invitation,
                        id: inv.id.to_string(),
                    },
                    vec![siteward_core::audit::FieldChange::changed(
                        "status", "pending", "expired",
                    )],
                )
            })
            .await?;
        total += expired.len();
        if expired.len() < BATCH as usize {
            return Ok(total);
        }
    }
}

/// Runs the sweeper every `interval`; stops when `stop` is cancelled, after the round in hand.
pub async fn run_sweeper(state: AppState, interval: Duration, stop: CancellationToken) {
    loop {
        // First, so that locking unused access and reviews see the latest use.
        if let Err(error) = state.record_use().await {
            tracing::error!(%error, "recording technicians' last use failed");
        }
        match sweep_once(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "marked expired invitations"),
            Err(error) => tracing::error!(%error, "invitation sweep failed"),
        }
        match state.sweep_access_requests().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(moved = n, "access requests expired, started or ended"),
            Err(error) => tracing::error!(%error, "access request sweep failed"),
        }
        match state.lock_unused_access().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(locked = n, "locked access unused past its site's limit"),
            Err(error) => tracing::error!(%error, "locking unused access failed"),
        }
        match state.complete_due_reviews().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(completed = n, "access reviews reached their deadline"),
            Err(error) => tracing::error!(%error, "completing access reviews failed"),
        }
        match state.start_scheduled_reviews().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(started = n, "scheduled access reviews started"),
            Err(error) => tracing::error!(%error, "starting scheduled access reviews failed"),
        }
        if let Err(error) = state.store.prune_access_changes(ACCESS_LOG_KEPT).await {
            tracing::error!(%error, "pruning the permission change log failed");
        }
        if crate::stopped(&stop, interval).await {
            // What the check recorded since the last round is not lost to a restart.
            if let Err(error) = state.record_use().await {
                tracing::error!(%error, "recording technicians' last use failed");
            }
            return;
        }
    }
}
