//! Authentication: password hashing, bearer tokens (sessions and API tokens), and the limit
//! on failed logins per client address.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use siteward_core::Timestamp;
use siteward_core::access::{Principal, TokenScope};
use siteward_core::account::{Account, AccountStatus};
use siteward_core::audit::Actor;
use siteward_core::ids::SessionId;
use siteward_core::secret::{self, TokenKind};

use crate::error::ApiError;
use crate::state::{AppState, AuditContext, random};

/// Hashes a password with argon2id and a fresh salt. Slow by design: call it off the async
/// runtime's worker threads ([`hash_password_blocking`]).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&random::<16>()).expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 accepts any password up to the validated length")
        .to_string()
}

/// Whether `password` matches `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// [`hash_password`] on the blocking pool.
pub async fn hash_password_blocking(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::internal(&e))
}

/// [`verify_password`] on the blocking pool.
pub async fn verify_password_blocking(password: String, hash: String) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::internal(&e))
}

/// A hash to verify against when the email is unknown, so that an unknown email costs the
/// same time as a wrong password and response times do not reveal which accounts exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password that no account has"))
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Auth {
    /// What authorization sees.
    pub principal: Principal,
    /// The account, for session callers.
    pub account: Option<Account>,
    /// The session, for session callers.
    pub session: Option<SessionId>,
    /// For the audit events this request writes.
    pub audit: AuditContext,
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let request_id = request_id(parts);
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::unauthenticated(
                    "send a session or API token as `Authorization: Bearer <token>`",
                )
            })?;
        let invalid = || ApiError::unauthenticated("the token is invalid, expired or revoked");
        if secret::is_token_text(TokenKind::Session, token) {
            let session = state
                .store
                .session_by_hash(&secret::token_hash(token), state.now())
                .await?
                .ok_or_else(invalid)?;
            let account = state.store.account(&session.account_id).await?;
            if account.status != AccountStatus::Active {
                return Err(invalid());
            }
            let principal = state.principal(&account);
            Ok(Self {
                principal: Principal::Account(principal),
                audit: AuditContext {
                    actor: Actor::Account(account.id.clone()),
                    request_id,
                },
                account: Some(account),
                session: Some(session.id),
            })
        } else if secret::is_token_text(TokenKind::Api, token) {
            let token = state
                .store
                .api_token_by_hash(&secret::token_hash(token))
                .await?
                .ok_or_else(invalid)?;
            Ok(Self {
                principal: Principal::ApiToken {
                    token_id: token.id.clone(),
                    scope: token.scope,
                },
                account: None,
                session: None,
                audit: AuditContext {
                    actor: Actor::ApiToken(token.id),
                    request_id,
                },
            })
        } else {
            Err(invalid())
        }
    }
}

/// Endpoints that work with or without a caller (accepting an invitation): no
/// `Authorization` header means no caller; a header with a bad token is still refused.
impl axum::extract::OptionalFromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        if parts
            .headers
            .contains_key(axum::http::header::AUTHORIZATION)
        {
            <Self as FromRequestParts<AppState>>::from_request_parts(parts, state)
                .await
                .map(Some)
        } else {
            Ok(None)
        }
    }
}

impl Auth {
    /// The account of a session caller; API tokens are refused for personal endpoints.
    pub fn account(&self) -> Result<&Account, ApiError> {
        self.account.as_ref().ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "session_required",
                "this needs a login session, not an API token",
            )
        })
    }

    /// The scope of an API-token caller, if it is one.
    pub fn token_scope(&self) -> Option<&TokenScope> {
        match &self.principal {
            Principal::ApiToken { scope, .. } => Some(scope),
            Principal::Account(_) => None,
        }
    }
}

/// The request id the request-id layer assigned.
pub fn request_id(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The client's address, where the server knows it (not in in-process tests).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}

/// Counts failed logins per client address in fixed one-minute windows. Per host: each host
/// of a deployment limits the addresses it sees; the per-account lockout, kept in storage,
/// is what holds across hosts.
#[derive(Debug, Default)]
pub struct AddressLimiter {
    windows: Mutex<HashMap<IpAddr, (Timestamp, u32)>>,
}

const WINDOW: chrono::TimeDelta = chrono::TimeDelta::minutes(1);
const MAX_TRACKED: usize = 100_000;

impl AddressLimiter {
    /// Whether `address` may try again at `now`.
    pub fn allows(&self, address: Option<IpAddr>, now: Timestamp, limit: u32) -> bool {
        let Some(address) = address else { return true };
        let windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        windows
            .get(&address)
            .is_none_or(|(start, failures)| now - *start >= WINDOW || *failures < limit)
    }

    /// Counts a failure from `address` at `now`.
    pub fn record_failure(&self, address: Option<IpAddr>, now: Timestamp) {
        let Some(address) = address else { return };
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() >= MAX_TRACKED {
            windows.retain(|_, (start, _)| now - *start < WINDOW);
        }
        let entry = windows.entry(address).or_insert((now, 0));
        if now - entry.0 >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn passwords_verify_and_hashes_are_salted() {
        let hash = hash_password("correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert_ne!(hash, hash_password("correct horse battery"));
    }

    #[test]
    fn an_address_is_refused_after_its_limit_within_a_minute() {
        let limiter = AddressLimiter::default();
        let now = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let address = Some(IpAddr::from([192, 0, 2, 1]));
        for _ in 0..3 {
            assert!(limiter.allows(address, now, 3));
            limiter.record_failure(address, now);
        }
        assert!(!limiter.allows(address, now, 3));
        assert!(limiter.allows(Some(IpAddr::from([192, 0, 2, 2])), now, 3));
        assert!(limiter.allows(address, now + WINDOW, 3));
    }
}
