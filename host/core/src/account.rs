//! Accounts: one identity per email across the platform, and the rules that guard logging in.

use chrono::Duration;

use crate::Timestamp;
use crate::ids::AccountId;
use crate::tenancy::string_enum;
use crate::validate::Email;

string_enum! {
    /// Whether an account may log in at all. Platform-wide; partners disable memberships instead.
    AccountStatus {
        /// May log in.
        Active = "active",
        /// Disabled by the operator; cannot log in anywhere.
        Disabled = "disabled",
    }
}

/// A person's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its id.
    pub id: AccountId,
    /// The login email, normalised.
    pub email: Email,
    /// The display name.
    pub name: String,
    /// Whether it may log in.
    pub status: AccountStatus,
    /// Whether this account runs the platform.
    pub is_operator: bool,
    /// Whether a TOTP second factor is required at login.
    pub totp_enabled: bool,
    /// The console's language its owner chose (a language tag); `None` follows the browser.
    pub locale: Option<String>,
    /// When it was created.
    pub created_at: Timestamp,
}

/// How many failed logins lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Consecutive failures that start a lockout.
    pub max_failures: u32,
    /// How long the lockout lasts.
    pub lockout: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lockout: Duration::minutes(15),
        }
    }
}

/// The failed-login state of one account, kept in storage so that every host sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginThrottle {
    /// Consecutive failures since the last success or lockout.
    pub failures: u32,
    /// Until when logins are refused, if locked.
    pub locked_until: Option<Timestamp>,
}

impl LoginThrottle {
    /// `Err(until)` while the account is locked out at `now`.
    pub fn check(&self, now: Timestamp) -> Result<(), Timestamp> {
        match self.locked_until {
            Some(until) if until > now => Err(until),
            _ => Ok(()),
        }
    }

    /// Claims one login attempt at `now`, before the password is checked: `Err(until)` while
    /// locked, otherwise the state with this attempt counted as a failure (which a success
    /// then clears). Counting before checking is what bounds concurrent guesses: whoever
    /// stores the claim that reaches the limit starts the lockout, and every attempt after it
    /// is refused unchecked — however many arrive at once, at most `max_failures` passwords
    /// are checked per lockout window.
    pub fn claim(self, now: Timestamp, policy: LockoutPolicy) -> Result<Self, Timestamp> {
        self.check(now)?;
        Ok(self.after_failure(now, policy))
    }

    /// The state after one more failure at `now`: reaching the limit starts a lockout and
    /// resets the count, so the next window starts fresh.
    #[must_use]
    pub fn after_failure(self, now: Timestamp, policy: LockoutPolicy) -> Self {
        let failures = self.failures + 1;
        if failures >= policy.max_failures {
            Self {
                failures: 0,
                locked_until: Some(now + policy.lockout),
            }
        } else {
            Self {
                failures,
                locked_until: self.locked_until,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn claims_count_before_checking_and_the_limit_th_claim_locks() {
        let policy = LockoutPolicy::default();
        let now = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut throttle = LoginThrottle::default();
        for _ in 0..policy.max_failures {
            throttle = throttle.claim(now, policy).expect("under the limit");
        }
        assert_eq!(throttle.claim(now, policy), Err(now + policy.lockout));
        assert!(throttle.claim(now + policy.lockout, policy).is_ok());
    }

    #[test]
    fn five_failures_lock_for_the_policy_window_then_release() {
        let policy = LockoutPolicy::default();
        let now = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut throttle = LoginThrottle::default();
        for _ in 0..4 {
            throttle = throttle.after_failure(now, policy);
            assert!(throttle.check(now).is_ok());
        }
        throttle = throttle.after_failure(now, policy);
        assert_eq!(throttle.check(now), Err(now + policy.lockout));
        assert!(
            throttle
                .check(now + policy.lockout - Duration::seconds(1))
                .is_err()
        );
        assert!(throttle.check(now + policy.lockout).is_ok());
    }
}
