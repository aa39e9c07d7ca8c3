//! Schema migrations: SurrealQL files applied in order at start, each recorded so it runs once.
//!
//! A migration and its record are written in one transaction, so a crash leaves it either
//! applied and recorded or neither. Released migrations are never edited: a change is a new
//! file. A database that records a migration this binary does not know was written by a newer
//! host, and is refused rather than silently used.

use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

use crate::error::StorageError;
use crate::rows::{key, rid};
use crate::{Store, tx::Tx};

/// Every migration, in the order it applies: (name, SurrealQL).
pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_foundation",
        include_str!("../migrations/0001_foundation.surql"),
    ),
    (
        "0002_invitations",
        include_str!("../migrations/0002_invitations.surql"),
    ),
    (
        "0003_permissions",
        include_str!("../migrations/0003_permissions.surql"),
    ),
    (
        "0004_licences",
        include_str!("../migrations/0004_licences.surql"),
    ),
    (
        "0005_plugins",
        include_str!("../migrations/0005_plugins.surql"),
    ),
    (
        "0006_audit_chain",
        include_str!("../migrations/0006_audit_chain.surql"),
    ),
    (
        "0007_first_party",
        include_str!("../migrations/0007_first_party.surql"),
    ),
    ("0008_feeds", include_str!("../migrations/0008_feeds.surql")),
    (
        "0009_webhooks",
        include_str!("../migrations/0009_webhooks.surql"),
    ),
    (
        "0010_digests",
        include_str!("../migrations/0010_digests.surql"),
    ),
    (
        "0011_audit_sinks",
        include_str!("../migrations/0011_audit_sinks.surql"),
    ),
    (
        "0012_access_log",
        include_str!("../migrations/0012_access_log.surql"),
    ),
    (
        "0013_login_throttle",
        include_str!("../migrations/0013_login_throttle.surql"),
    ),
    (
        "0014_account_email_skeleton",
        include_str!("../migrations/0014_account_email_skeleton.surql"),
    ),
    (
        "0015_outbox_invitation",
        include_str!("../migrations/0015_outbox_invitation.surql"),
    ),
    (
        "0016_own_page",
        include_str!("../migrations/0016_own_page.surql"),
    ),
    (
        "0017_password_reset",
        include_str!("../migrations/0017_password_reset.surql"),
    ),
    (
        "0018_session_client",
        include_str!("../migrations/0018_session_client.surql"),
    ),
    (
        "0019_member_alerts",
        include_str!("../migrations/0019_member_alerts.surql"),
    ),
    (
        "0020_account_locale",
        include_str!("../migrations/0020_account_locale.surql"),
    ),
    (
        "0021_sign_in_challenge",
        include_str!("../migrations/0021_sign_in_challenge.surql"),
    ),
    (
        "0022_invitation_privileges",
        include_str!("../migrations/0022_invitation_privileges.surql"),
    ),
    (
        "0023_site_assignment_order",
        include_str!("../migrations/0023_site_assignment_order.surql"),
    ),
    (
        "0024_last_activity",
        include_str!("../migrations/0024_last_activity.surql"),
    ),
    (
        "0025_invitation_departments",
        include_str!("../migrations/0025_invitation_departments.surql"),
    ),
    (
        "0026_assignment_start",
        include_str!("../migrations/0026_assignment_start.surql"),
    ),
    (
        "0027_first_unlock",
        include_str!("../migrations/0027_first_unlock.surql"),
    ),
    (
        "0028_site_admin_invitations",
        include_str!("../migrations/0028_site_admin_invitations.surql"),
    ),
    (
        "0029_invitation_grants",
        include_str!("../migrations/0029_invitation_grants.surql"),
    ),
    (
        "0030_security_policies",
        include_str!("../migrations/0030_security_policies.surql"),
    ),
    (
        "0031_hook_volume",
        include_str!("../migrations/0031_hook_volume.surql"),
    ),
    (
        "0032_access_requests",
        include_str!("../migrations/0032_access_requests.surql"),
    ),
    (
        "0033_access_reviews",
        include_str!("../migrations/0033_access_reviews.surql"),
    ),
    (
        "0034_invitation_approval",
        include_str!("../migrations/0034_invitation_approval.surql"),
    ),
    (
        "0035_licence_use",
        include_str!("../migrations/0035_licence_use.surql"),
    ),
    (
        "0036_identity",
        include_str!("../migrations/0036_identity.surql"),
    ),
    (
        "0037_directory",
        include_str!("../migrations/0037_directory.surql"),
    ),
    ("0038_saml", include_str!("../migrations/0038_saml.surql")),
    (
        "0039_customer_identity",
        include_str!("../migrations/0039_customer_identity.surql"),
    ),
    (
        "0040_invitation_indexes",
        include_str!("../migrations/0040_invitation_indexes.surql"),
    ),
];

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct MigrationRow {
    id: surrealdb::types::RecordId,
    applied_at: DateTime<Utc>,
}

impl Store {
    /// The migrations not yet recorded, in the order [`Store::migrate`] would apply them, with
    /// their statements; changes nothing. A database written by a newer version is refused
    /// as `migrate` refuses it.
    pub async fn pending_migrations(
        &self,
    ) -> Result<Vec<(&'static str, &'static str)>, StorageError> {
        let applied = self.applied_migrations().await?;
        Ok(MIGRATIONS
            .iter()
            .filter(|(name, _)| !applied.iter().any(|a| a == name))
            .copied()
            .collect())
    }

    /// Applies the migrations not yet recorded and returns their names.
    pub async fn migrate(&self) -> Result<Vec<&'static str>, StorageError> {
        self.db
            .query(
                "DEFINE TABLE IF NOT EXISTS migration SCHEMAFULL;
                 DEFINE FIELD IF NOT EXISTS applied_at ON migration TYPE datetime;",
            )
            .await
            .and_then(|r| r.check())
            .map_err(StorageError::backend)?;
        let applied = self.applied_migrations().await?;
        let mut done = Vec::new();
        for (name, sql) in MIGRATIONS {
            if applied.iter().any(|a| a == name) {
                continue;
            }
            let mut tx = Tx::new();
            tx.run(sql.trim().trim_end_matches(';'));
            tx.bind("migration", rid("migration", name))
                .bind("applied_at", Utc::now())
                .run("CREATE $migration SET applied_at = $applied_at");
            tx.commit(self).await?;
            tracing::info!(migration = name, "applied migration");
            done.push(*name);
        }
        if done.contains(&"0014_account_email_skeleton") {
            self.compute_email_skeletons().await?;
        }
        Ok(done)
    }

    /// The names of the migrations a database records (none for a new one), refusing one
    /// that records a migration this binary does not know.
    async fn applied_migrations(&self) -> Result<Vec<String>, StorageError> {
        let applied: Vec<MigrationRow> = match self
            .db
            .query("SELECT * FROM migration ORDER BY id")
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)
        {
            Ok(rows) => rows,
            // No `migration` table yet: a new database, nothing applied.
            Err(StorageError::NotFound) => Vec::new(),
            Err(other) => return Err(other),
        };
        let applied: Vec<String> = applied.iter().map(|row| key(&row.id)).collect();
        if let Some(unknown) = applied
            .iter()
            .find(|name| !MIGRATIONS.iter().any(|(known, _)| known == name))
        {
            return Err(StorageError::Invalid(format!(
                "the database has migration {unknown}, which this version of Siteward does not know; \
                 it was written by a newer version"
            )));
        }
        Ok(applied)
    }

    /// Replaces the placeholder skeletons migration 0014 left with the real ones. Two
    /// accounts that already had confusable addresses keep both: the second gets its skeleton
    /// made unique with its id, and the operator is told.
    async fn compute_email_skeletons(&self) -> Result<(), StorageError> {
        #[derive(Debug, SurrealValue)]
        #[surreal(crate = "surrealdb::types")]
        struct Pending {
            id: surrealdb::types::RecordId,
            email: String,
        }
        let pending: Vec<Pending> = self
            .db
            // A placeholder has no `@`, which every skeleton has. (`string::starts_with` on this
            // uniquely indexed field finds nothing in SurrealDB 3.3 — the upgrade test saw it.)
            .query("SELECT id, email FROM account WHERE !string::contains(email_skeleton, '@')")
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        for account in pending {
            let skeleton =
                siteward_core::validate::Email::from_trusted(account.email.clone()).skeleton();
            let set = |skeleton: String| {
                self.db
                    .query("UPDATE $account SET email_skeleton = $skeleton")
                    .bind(("account", account.id.clone()))
                    .bind(("skeleton", skeleton))
            };
            if set(skeleton.clone()).await.and_then(|r| r.check()).is_err() {
                tracing::warn!(
                    email = account.email,
                    "two accounts have addresses a person could mistake for each other; both are kept"
                );
                set(format!("{skeleton}#{}", key(&account.id)))
                    .await
                    .and_then(|r| r.check())
                    .map_err(StorageError::backend)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;

    #[test]
    fn every_migration_file_is_applied_in_order() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|name| name.strip_suffix(".surql").map(str::to_owned))
            .collect();
        files.sort();
        let listed: Vec<&str> = MIGRATIONS.iter().map(|(name, _)| *name).collect();
        assert_eq!(listed, files, "storage/migrations and MIGRATIONS differ");
    }
}
