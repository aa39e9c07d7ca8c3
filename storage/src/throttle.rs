//! Failed-login counting per email address, claimed before a password is checked.
//!
//! A read-increment-write of a failure count lets concurrent failures overwrite each other;
//! so an attempt is *claimed* first — read, decided by the core's
//! [`LoginThrottle::claim`], and written back guarded on the version it read — and only a
//! stored claim may have its password checked. Within this process, claims for one address
//! also take a lane (a small array of locks chosen by the address's hash), so a burst against
//! one address queues here rather than failing the guard over and over; the guard is what
//! holds across hosts sharing a database.

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use siteward_core::Timestamp;
use siteward_core::account::LoginThrottle;
use siteward_core::validate::Email;

use crate::error::{Conflict, StorageError};
use crate::rows::rid;
use crate::{Store, tx::Tx};

/// How often a claim that lost a race with another host is tried again.
const ATTEMPTS: u32 = 12;

/// Lanes that serialise this process's claims per address.
#[derive(Debug)]
pub(crate) struct Lanes([tokio::sync::Mutex<()>; 64]);

impl Default for Lanes {
    fn default() -> Self {
        Self(std::array::from_fn(|_| tokio::sync::Mutex::new(())))
    }
}

/// The throttle record of an address: keyed by its SHA-256, so unknown addresses people
/// typed are not kept in the clear.
pub(crate) fn record(email: &Email) -> RecordId {
    rid(
        "login_throttle",
        &siteward_core::secret::token_hash(email.as_str()),
    )
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ThrottleRow {
    failures: i64,
    locked_until: Option<DateTime<Utc>>,
    version: i64,
}

impl Store {
    /// Claims one login attempt for `email`: `Ok(Err(until))` while the address is locked
    /// out; otherwise the stored state with this attempt counted (a later success clears it).
    pub async fn claim_login_attempt(
        &self,
        email: &Email,
        claim: impl Fn(LoginThrottle) -> Result<LoginThrottle, Timestamp>,
    ) -> Result<Result<LoginThrottle, Timestamp>, StorageError> {
        let hash = siteward_core::secret::token_hash(email.as_str());
        // A hex SHA-256: its first two digits are evenly spread.
        let lane = usize::from_str_radix(&hash[..2], 16).unwrap_or(0) % self.login_lanes.0.len();
        let _lane = self.login_lanes.0[lane].lock().await;
        let record = rid("login_throttle", &hash);
        for attempt in 1..=ATTEMPTS {
            let row: Option<ThrottleRow> = self
                .db
                .query("SELECT failures, locked_until, version FROM ONLY $throttle")
                .bind(("throttle", record.clone()))
                .await
                .and_then(|mut r| r.take(0))
                .map_err(StorageError::backend)?;
            let (read, version) = row.map_or((LoginThrottle::default(), 0), |row| {
                let throttle = LoginThrottle {
                    failures: u32::try_from(row.failures).unwrap_or(u32::MAX),
                    locked_until: row.locked_until,
                };
                (throttle, row.version)
            });
            let claimed = match claim(read) {
                Ok(claimed) => claimed,
                Err(until) => return Ok(Err(until)),
            };
            let mut tx = Tx::new();
            tx.bind("throttle", record.clone())
                .bind("version", version)
                .bind("failures", i64::from(claimed.failures))
                .bind("locked_until", claimed.locked_until)
                .guard(
                    "IF ((SELECT VALUE version FROM ONLY $throttle) ?? 0) != $version { THROW 'claimed meanwhile' }",
                    Conflict::Concurrent,
                )
                .run(
                    "UPSERT $throttle SET failures = $failures, locked_until = $locked_until, \
                     version = $version + 1",
                );
            match tx.commit(self).await {
                Ok(()) => return Ok(Ok(claimed)),
                Err(StorageError::Conflict(Conflict::Concurrent)) if attempt < ATTEMPTS => {
                    tokio::time::sleep(std::time::Duration::from_millis(u64::from(attempt))).await;
                }
                Err(other) => return Err(other),
            }
        }
        Err(StorageError::Conflict(Conflict::Concurrent))
    }
}
