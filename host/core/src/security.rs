//! Team security settings (reference 003: "configure security settings for all technician
//! accounts in your team"): what a partner asks of its members, and a site of its admins —
//! two-step sign-in, a session lifetime shorter than the host's, and a fresh sign-in before
//! sensitive changes. A person under several is held to the strictest of each.

use chrono::TimeDelta;

use crate::FieldError;
use crate::ids::{PartnerId, SiteId};

/// The shortest session lifetime a team may set, in hours.
pub const MIN_SESSION_HOURS: u32 = 1;

/// The fresh sign-in windows a team may ask for, in minutes.
pub const FRESH_SIGN_IN_MINUTES: std::ops::RangeInclusive<u32> = 5..=1440;

/// Whose people a policy holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PolicyOwner {
    /// A partner: its members.
    Partner(PartnerId),
    /// A site of a customer: its admins.
    Site(SiteId),
}

impl PolicyOwner {
    /// `partner` or `site`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Partner(_) => "partner",
            Self::Site(_) => "site",
        }
    }

    /// The owner's id.
    pub fn id(&self) -> &str {
        match self {
            Self::Partner(id) => id.as_str(),
            Self::Site(id) => id.as_str(),
        }
    }
}

/// What a partner asks of its members, or a site of its admins. The default asks nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SecurityPolicy {
    /// Two-step sign-in: someone without it enrols at their next sign-in and can do nothing
    /// else until then.
    pub require_two_factor: bool,
    /// Sessions end this many hours after sign-in at the latest; the host's lifetime when
    /// absent.
    pub session_hours: Option<u32>,
    /// Sensitive changes need a sign-in at most this many minutes old.
    pub fresh_sign_in_minutes: Option<u32>,
}

impl SecurityPolicy {
    /// A policy as given: a lifetime from one hour up to the host's own (`max_session_hours`),
    /// a fresh sign-in window of 5 to 1,440 minutes.
    pub fn parse(
        require_two_factor: bool,
        session_hours: Option<u32>,
        fresh_sign_in_minutes: Option<u32>,
        max_session_hours: u32,
    ) -> Result<Self, FieldError> {
        if let Some(hours) = session_hours
            && !(MIN_SESSION_HOURS..=max_session_hours).contains(&hours)
        {
            return Err(FieldError::new(
                "session_hours",
                format!(
                    "must be {MIN_SESSION_HOURS} to {max_session_hours} (this host's own session \
                     lifetime, which a team may only shorten)"
                ),
            ));
        }
        if let Some(minutes) = fresh_sign_in_minutes
            && !FRESH_SIGN_IN_MINUTES.contains(&minutes)
        {
            return Err(FieldError::new(
                "fresh_sign_in_minutes",
                format!(
                    "must be {} to {}",
                    FRESH_SIGN_IN_MINUTES.start(),
                    FRESH_SIGN_IN_MINUTES.end()
                ),
            ));
        }
        Ok(Self {
            require_two_factor,
            session_hours,
            fresh_sign_in_minutes,
        })
    }

    /// The strictest of each setting among `policies`: what a person under all of them is
    /// held to.
    pub fn strictest<'a>(policies: impl IntoIterator<Item = &'a Self>) -> Self {
        policies
            .into_iter()
            .fold(Self::default(), |held, policy| Self {
                require_two_factor: held.require_two_factor || policy.require_two_factor,
                session_hours: min_of(held.session_hours, policy.session_hours),
                fresh_sign_in_minutes: min_of(
                    held.fresh_sign_in_minutes,
                    policy.fresh_sign_in_minutes,
                ),
            })
    }

    /// How long a session started under this policy lasts, given the host's lifetime.
    pub fn session_lifetime(&self, host: TimeDelta) -> TimeDelta {
        self.session_hours
            .map_or(host, |hours| host.min(TimeDelta::hours(i64::from(hours))))
    }

    /// Whether a sign-in made at `signed_in_at` is fresh enough at `now` for a sensitive
    /// change.
    pub fn fresh_enough(&self, signed_in_at: crate::Timestamp, now: crate::Timestamp) -> bool {
        self.fresh_sign_in_minutes
            .is_none_or(|minutes| now - signed_in_at <= TimeDelta::minutes(i64::from(minutes)))
    }
}

fn min_of(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_strictest_of_each_setting_holds() {
        let partner = SecurityPolicy {
            require_two_factor: true,
            session_hours: Some(12),
            fresh_sign_in_minutes: None,
        };
        let site = SecurityPolicy {
            require_two_factor: false,
            session_hours: Some(8),
            fresh_sign_in_minutes: Some(15),
        };
        assert_eq!(
            SecurityPolicy::strictest([&partner, &site]),
            SecurityPolicy {
                require_two_factor: true,
                session_hours: Some(8),
                fresh_sign_in_minutes: Some(15),
            }
        );
        assert_eq!(SecurityPolicy::strictest([]), SecurityPolicy::default());
    }

    #[test]
    fn a_team_may_only_shorten_the_hosts_lifetime() {
        let host = 24;
        assert_eq!(
            SecurityPolicy::parse(false, Some(25), None, host)
                .unwrap_err()
                .field,
            "session_hours"
        );
        assert_eq!(
            SecurityPolicy::parse(false, Some(0), None, host)
                .unwrap_err()
                .field,
            "session_hours"
        );
        assert_eq!(
            SecurityPolicy::parse(false, None, Some(4), host)
                .unwrap_err()
                .field,
            "fresh_sign_in_minutes"
        );
        let policy = SecurityPolicy::parse(true, Some(8), Some(15), host).unwrap();
        assert_eq!(
            policy.session_lifetime(TimeDelta::hours(24)),
            TimeDelta::hours(8)
        );
        assert_eq!(
            SecurityPolicy::default().session_lifetime(TimeDelta::hours(24)),
            TimeDelta::hours(24)
        );
    }

    #[test]
    fn a_sign_in_is_fresh_for_the_window_and_not_after() {
        let policy = SecurityPolicy {
            fresh_sign_in_minutes: Some(15),
            ..SecurityPolicy::default()
        };
        let signed_in = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        assert!(policy.fresh_enough(signed_in, signed_in + TimeDelta::minutes(15)));
        assert!(!policy.fresh_enough(signed_in, signed_in + TimeDelta::minutes(16)));
        assert!(SecurityPolicy::default().fresh_enough(signed_in, signed_in + TimeDelta::days(9)));
    }
}
