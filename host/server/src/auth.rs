//! Finding the caller's credential in a request (the bearer header; resolving it is the
//! application's), the client's address, and the limit on failed logins per address.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use siteward_core::Timestamp;

pub use siteward_app::auth::{
    ApiTokenCache, Caller as Auth, ResolvedToken, creator_may_hold, decoy_hash, hash_password,
    hash_password_blocking, new_password, verify_password, verify_password_blocking,
};

use crate::error::ApiError;
use crate::state::AppState;

/// The caller of a request that needs one: `Authorization: Bearer <token>`, resolved by the
/// application.
impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or_else(|| {
            ApiError::unauthenticated(
                "send a session or API token as `Authorization: Bearer <token>`",
            )
        })?;
        let caller = state
            .resolve(token, request_id(&parts.headers), state.api_tokens())
            .await?;
        if caller.must_enrol
            && !ENROLMENT_PATHS.contains(&(parts.method.as_str(), parts.uri.path()))
        {
            return Err(siteward_app::security::enrolment_required().into());
        }
        Ok(caller)
    }
}

/// The token of an `Authorization: Bearer <token>` header.
pub(crate) fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// What a session that must enrol in two-step sign-in may still do: read who it is, enrol,
/// and log out.
const ENROLMENT_PATHS: [(&str, &str); 4] = [
    ("GET", "/v1/me"),
    ("POST", "/v1/me/totp"),
    ("POST", "/v1/me/totp/confirm"),
    ("POST", "/v1/auth/logout"),
];

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

/// The request id `api::observe` gave the request (the client's own, or one it made).
pub fn request_id(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(&crate::api::observe::REQUEST_ID)
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

/// Where a sign-in comes from, as its owner's list of sessions shows it: the browser or client
/// and its system, read roughly from `User-Agent`, and the address ("Firefox on Linux ·
/// 203.0.113.7").
pub fn client_description(headers: &axum::http::HeaderMap, address: Option<IpAddr>) -> String {
    let agent = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("HeadlessChrome/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .into_iter()
    .find(|(mark, _)| agent.contains(mark))
    .map_or("A client", |(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(mark, _)| agent.contains(mark))
    .map(|(_, name)| name);
    let mut description = match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_owned(),
    };
    if let Some(address) = address {
        description.push_str(&format!(" · {address}"));
    }
    description
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
    /// Claims one login attempt from `address` at `now`, counted as a failure until
    /// [`AddressLimiter::forgive`] says it succeeded; `false` once `limit` attempts were
    /// claimed in the current minute. Counting before the password is checked is what keeps
    /// a burst of concurrent guesses to the limit.
    pub fn claim(&self, address: Option<IpAddr>, now: Timestamp, limit: u32) -> bool {
        let Some(address) = address else { return true };
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
        if entry.1 >= limit {
            return false;
        }
        entry.1 += 1;
        true
    }

    /// Takes back a claimed attempt that succeeded.
    pub fn forgive(&self, address: Option<IpAddr>) {
        let Some(address) = address else { return };
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(entry) = windows.get_mut(&address) {
            entry.1 = entry.1.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_address_is_refused_after_its_limit_within_a_minute() {
        let limiter = AddressLimiter::default();
        let now = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let address = Some(IpAddr::from([192, 0, 2, 1]));
        for _ in 0..3 {
            assert!(limiter.claim(address, now, 3));
        }
        assert!(!limiter.claim(address, now, 3));
        limiter.forgive(address);
        assert!(limiter.claim(address, now, 3));
        assert!(!limiter.claim(address, now, 3));
        assert!(limiter.claim(Some(IpAddr::from([192, 0, 2, 2])), now, 3));
        assert!(limiter.claim(address, now + WINDOW, 3));
    }
}
