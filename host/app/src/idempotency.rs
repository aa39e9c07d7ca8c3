//! Idempotency keys: a retried request with the same key gets the first answer again instead
//! of doing the work twice. The answer is stored in the same transaction as the change it
//! reports, so there is never a change without its answer or an answer without its change.
//!
//! The answer is stored as the frontend gave it (for the JSON API: a status and a body); this
//! layer keeps it opaque and hands it back on a retry.

use siteward_core::FieldError;
use siteward_core::audit::Actor;
use siteward_core::secret;
use siteward_storage::{Conflict, IdempotencyRecord, StorageError};

use crate::auth::Caller;
use crate::error::{AppError, AppResult, Kind};
use crate::services::App;

/// What a frontend passes so a write can be retried safely.
#[derive(Debug, Clone, Copy, Default)]
pub struct Retry<'a> {
    /// The client's key (the `Idempotency-Key` header), as sent: 1 to 255 visible ASCII
    /// characters. `None`: the request is not retried safely.
    pub key: Option<&'a [u8]>,
    /// The request in a canonical form (the JSON API's: its body): the same key with a
    /// different request is refused.
    pub request: &'a str,
}

/// An answer as the frontend stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    /// The frontend's status (HTTP's, for the JSON API).
    pub status: u16,
    /// The frontend's body.
    pub body: String,
}

/// What a retryable write did: the work, or the answer of the earlier request with its key.
#[derive(Debug)]
pub enum Answer<T> {
    /// Done now.
    Done(T),
    /// Done by an earlier request with the same key: its answer, as stored.
    Replayed(StoredAnswer),
}

/// A request's key, scoped to the caller, and its fingerprint.
#[derive(Debug)]
pub(crate) struct Idempotency {
    key: Option<String>,
    fingerprint: String,
}

/// The stored key for a caller's key (1 to 255 visible ASCII characters): the caller's id, a
/// `/`, and the key, so one caller's key never replays another's answer.
fn scoped_key(caller: &str, key: &[u8]) -> Option<String> {
    let valid = (1..=255).contains(&key.len()) && key.iter().all(u8::is_ascii_graphic);
    valid.then(|| format!("{caller}/{}", String::from_utf8_lossy(key)))
}

impl Idempotency {
    /// Checks the key and fingerprints the request of the use case `scope` (for example
    /// `invite-partner/<id>`).
    pub(crate) fn new(caller: &Caller, retry: &Retry<'_>, scope: &str) -> AppResult<Self> {
        let key = match retry.key {
            None => None,
            Some(key) => {
                let actor = match &caller.audit.actor {
                    Actor::Account(id) => id.to_string(),
                    Actor::ApiToken(id) => id.to_string(),
                    Actor::System => "system".to_owned(),
                };
                Some(scoped_key(&actor, key).ok_or_else(|| {
                    FieldError::new(
                        "Idempotency-Key",
                        "must be 1 to 255 visible ASCII characters",
                    )
                })?)
            }
        };
        Ok(Self {
            key,
            fingerprint: secret::token_hash(&format!("{scope}{}", retry.request)),
        })
    }

    /// The stored answer of an earlier request with this key, if there is one. The same key
    /// with a different request is refused.
    pub(crate) async fn replay(&self, app: &App) -> AppResult<Option<StoredAnswer>> {
        let Some(key) = &self.key else {
            return Ok(None);
        };
        let Some(record) = app.store.idempotent_response(key).await? else {
            return Ok(None);
        };
        if record.fingerprint != self.fingerprint {
            return Err(AppError::new(
                Kind::Invalid,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request",
            ));
        }
        Ok(Some(StoredAnswer {
            status: record.status,
            body: record.body,
        }))
    }

    /// The record to store with the change, if the request has a key: `answer` is asked only
    /// then.
    pub(crate) fn record<T>(
        &self,
        app: &App,
        output: &T,
        answer: impl FnOnce(&T) -> AppResult<StoredAnswer>,
    ) -> AppResult<Option<IdempotencyRecord>> {
        let Some(key) = &self.key else {
            return Ok(None);
        };
        let StoredAnswer { status, body } = answer(output)?;
        Ok(Some(IdempotencyRecord {
            key: key.clone(),
            fingerprint: self.fingerprint.clone(),
            status,
            body,
            created_at: app.now(),
        }))
    }

    /// Settles a failed write that carried this key: if a concurrent request with the same key
    /// won, its stored answer is this one's too.
    pub(crate) async fn settle<T>(&self, app: &App, error: StorageError) -> AppResult<Answer<T>> {
        // A concurrent request with the same key may win on the invitations themselves (an
        // address it invited first) before the key: either way, its answer is this one's.
        if matches!(
            error,
            StorageError::Conflict(Conflict::IdempotencyKeyInUse | Conflict::AlreadyInvited)
        ) && let Some(answer) = self.replay(app).await?
        {
            return Ok(Answer::Replayed(answer));
        }
        Err(error.into())
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::scoped_key;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Visible ASCII up to 255 bytes is a key; anything else (empty, longer, spaces,
        /// control or non-ASCII bytes) is refused.
        #[test]
        fn a_key_is_one_to_255_visible_ascii_characters(header in prop::collection::vec(any::<u8>(), 0..300)) {
            let expected = (1..=255).contains(&header.len()) && header.iter().all(|b| (0x21..=0x7e).contains(b));
            prop_assert_eq!(scoped_key("01KJ0000000000000000000000", &header).is_some(), expected);
        }

        /// Two callers (ids of one length, without `/`) never share a stored key, whatever
        /// keys they send.
        #[test]
        fn callers_never_share_a_key(
            a in "[0-9A-HJKMNP-TV-Z]{26}", b in "[0-9A-HJKMNP-TV-Z]{26}",
            k in "[!-~]{1,255}", l in "[!-~]{1,255}",
        ) {
            prop_assume!(a != b);
            prop_assert_ne!(scoped_key(&a, k.as_bytes()), scoped_key(&b, l.as_bytes()));
            prop_assert_eq!(scoped_key(&a, k.as_bytes()) == scoped_key(&a, l.as_bytes()), k == l);
        }
    }
}
