//! Idempotency keys: a retried request with the same `Idempotency-Key` header gets the first
//! response again instead of doing the work twice. The response is stored in the same
//! transaction as the change it reports.

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};

use siteward_core::audit::Actor;
use siteward_storage::IdempotencyRecord;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The header clients send.
pub const HEADER: &str = "idempotency-key";

/// A request's idempotency key, scoped to the caller, and its fingerprint.
#[derive(Debug, Clone)]
pub struct Idempotency {
    key: Option<String>,
    fingerprint: String,
}

/// The stored key for a caller's `Idempotency-Key` header (1 to 255 visible ASCII characters):
/// the caller's id, a `/`, and the key, so one caller's key never replays another's answer.
fn scoped_key(caller: &str, header: &[u8]) -> Option<String> {
    let valid = (1..=255).contains(&header.len()) && header.iter().all(u8::is_ascii_graphic);
    valid.then(|| format!("{caller}/{}", String::from_utf8_lossy(header)))
}

impl Idempotency {
    /// Reads the header (1 to 255 visible ASCII characters) and fingerprints the request.
    pub fn from_request(
        headers: &HeaderMap,
        auth: &Auth,
        route: &str,
        body: &impl Serialize,
    ) -> ApiResult<Self> {
        let key = match headers.get(HEADER) {
            None => None,
            Some(value) => {
                let caller = match &auth.audit.actor {
                    Actor::Account(id) => id.to_string(),
                    Actor::ApiToken(id) => id.to_string(),
                    Actor::System => "system".to_owned(),
                };
                let key = scoped_key(&caller, value.as_bytes()).ok_or_else(|| {
                    ApiError::from(siteward_core::FieldError::new(
                        "Idempotency-Key",
                        "must be 1 to 255 visible ASCII characters",
                    ))
                })?;
                Some(key)
            }
        };
        let mut hash = Sha256::new();
        hash.update(route.as_bytes());
        hash.update(serde_json::to_vec(body).map_err(|e| ApiError::internal(&e))?);
        Ok(Self {
            key,
            fingerprint: data_encoding::HEXLOWER.encode(&hash.finalize()),
        })
    }

    /// The stored response of an earlier request with this key, if there is one. The same key
    /// with a different request is refused.
    pub async fn replay(&self, state: &AppState) -> ApiResult<Option<Response>> {
        let Some(key) = &self.key else {
            return Ok(None);
        };
        let Some(record) = state.store.idempotent_response(key).await? else {
            return Ok(None);
        };
        if record.fingerprint != self.fingerprint {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request",
            ));
        }
        let status = StatusCode::from_u16(record.status).unwrap_or(StatusCode::OK);
        let body: serde_json::Value =
            serde_json::from_str(&record.body).map_err(|e| ApiError::internal(&e))?;
        Ok(Some((status, Json(body)).into_response()))
    }

    /// The record to store with the change, if the request has a key.
    pub fn record(
        &self,
        state: &AppState,
        status: StatusCode,
        body: &impl Serialize,
    ) -> ApiResult<Option<IdempotencyRecord>> {
        let Some(key) = &self.key else {
            return Ok(None);
        };
        Ok(Some(IdempotencyRecord {
            key: key.clone(),
            fingerprint: self.fingerprint.clone(),
            status: status.as_u16(),
            body: serde_json::to_string(body).map_err(|e| ApiError::internal(&e))?,
            created_at: state.now(),
        }))
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
