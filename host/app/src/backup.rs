//! Backups while the host serves: the operator's, audited before the first byte.

use futures_util::Stream;
use siteward_core::access::{Action, authorize};
use siteward_core::audit::{AuditAction, AuditTarget, TargetKind};
use siteward_storage::StorageError;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::services::App;

impl App {
    /// The whole database as SurrealQL, a consistent snapshot read in one transaction (the
    /// operator; `platform.backup_taken` is on the platform's trail before the first byte,
    /// so the backup holds its own record). A SurrealDB server's engine does not export
    /// through a client: `409 backup_unsupported` says to use `surreal export` there.
    #[tracing::instrument(name = "app.backup", skip_all)]
    pub async fn backup(
        &self,
        caller: &Caller,
    ) -> AppResult<impl Stream<Item = Result<Vec<u8>, StorageError>> + Send + Unpin + 'static> {
        authorize(&caller.principal, Action::OperatePlatform)?;
        if self.permissions.is_shared() {
            return Err(AppError::conflict(
                "backup_unsupported",
                "this host's database is a SurrealDB server, whose engine does not export \
                 through a client: back it up with `surreal export` against the server",
            ));
        }
        let event = caller.audit.event(
            self,
            AuditAction::BackupTaken,
            (None, None),
            AuditTarget {
                kind: TargetKind::Database,
                id: "siteward".to_owned(),
            },
            Vec::new(),
        );
        self.store.record_events(&[event]).await?;
        Ok(self.store.export().await?)
    }
}
