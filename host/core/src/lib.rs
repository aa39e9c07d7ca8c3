//! The pure domain core of Siteward: tenancy, accounts, authorization and audit events.
//!
//! Nothing in this crate performs I/O, reads a clock or draws randomness. Callers pass the
//! current time and random bytes in, and receive values, decisions and events back. That
//! keeps every rule here testable with plain function calls and makes the boundary to the
//! storage and HTTP layers a crate boundary the compiler enforces.

pub mod access;
pub mod access_request;
pub mod account;
pub mod assignment;
pub mod audit;
pub mod directory;
pub mod error;
pub mod identity;
pub mod ids;
pub mod invitation;
pub mod mail;
pub mod page;
pub mod permission;
pub mod review;
pub mod secret;
pub mod security;
pub mod tenancy;
pub mod totp;
pub mod validate;
pub mod webhook;

pub use error::{DomainError, FieldError};

/// A point in time, always UTC. The core never reads the clock: callers pass `now` in.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// The source of the current time, injected so that expiry and lockout are testable by
/// moving a clock rather than by waiting.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// SplitMix64: the next value of a small, fast, seeded pseudo-random stream whose state is
/// `state`. Not for secrets: for reproducible streams (test worlds, benchmark worlds, the
/// fixed stream a plugin call sees).
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
