//! What a notification hook may ask for: whom it may write to, and how much.
//!
//! A hook writes to a partner's people (members of any role, admins of the sites it serves)
//! and to the addresses the operator allowed, never to anyone else: a hook is not an open
//! relay. What one event may cause, and what a hook may cause at one partner within a clock
//! hour, is capped; beyond a cap the event's deliveries are refused, the refusal audited and
//! counted as the hook's failure. Deliveries are an email to one address, an email held for a
//! digest, or a webhook call.

use std::collections::BTreeSet;

use siteward_core::validate::Email;

/// How the notification worker runs hooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookSettings {
    /// Deliveries one event may cause, per hook.
    pub per_event: u32,
    /// Deliveries per hook at one partner within a clock hour.
    pub per_hour: u32,
    /// Addresses outside a partner's people that hooks may write to.
    pub allowed: AllowedRecipients,
    /// Partners whose events are handled at once (each partner's in order).
    pub concurrency: usize,
}

impl Default for HookSettings {
    fn default() -> Self {
        Self {
            per_event: 100,
            per_hour: 5_000,
            allowed: AllowedRecipients::default(),
            concurrency: 8,
        }
    }
}

/// Addresses the operator lets hooks write to besides a partner's people: whole addresses
/// (`noc@example.com`) or every address of a domain (`@example.com`, not its subdomains).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedRecipients {
    addresses: BTreeSet<String>,
    domains: BTreeSet<String>,
}

impl AllowedRecipients {
    /// Reads the operator's list; an entry that is neither an address nor `@domain` is
    /// refused with a message naming it.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        let mut allowed = Self::default();
        for entry in entries {
            let entry = entry.as_ref().trim();
            let refused = |why: String| format!("`{entry}` is not an address or @domain: {why}");
            match entry.strip_prefix('@') {
                Some(domain) => {
                    // A domain is valid when an address at it is.
                    let email = Email::parse("domain", &format!("x@{domain}"))
                        .map_err(|e| refused(e.message))?;
                    let (_, domain) = email.as_str().rsplit_once('@').expect("parsed");
                    allowed.domains.insert(domain.to_owned());
                }
                None => {
                    let email = Email::parse("address", entry).map_err(|e| refused(e.message))?;
                    allowed.addresses.insert(email.to_string());
                }
            }
        }
        Ok(allowed)
    }

    /// Whether the operator allowed `email`.
    pub fn allows(&self, email: &Email) -> bool {
        let domain = email.as_str().rsplit_once('@').map_or("", |(_, d)| d);
        self.addresses.contains(email.as_str()) || self.domains.contains(domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(text: &str) -> Email {
        Email::parse("to", text).unwrap()
    }

    #[test]
    fn addresses_and_whole_domains_are_allowed_and_nothing_else() {
        let allowed =
            AllowedRecipients::parse(&["NOC@Example.com", "@alerts.example.net"]).unwrap();
        assert!(allowed.allows(&email("noc@example.com")));
        assert!(!allowed.allows(&email("other@example.com")));
        assert!(allowed.allows(&email("anyone@alerts.example.net")));
        assert!(!allowed.allows(&email("anyone@sub.alerts.example.net")));
        assert!(!allowed.allows(&email("anyone@example.net")));
        assert!(!AllowedRecipients::default().allows(&email("noc@example.com")));
    }

    #[test]
    fn an_entry_that_is_neither_is_refused_by_name() {
        let refused = AllowedRecipients::parse(&["@", "ok@example.com"]).unwrap_err();
        assert!(refused.starts_with("`@` is not"), "{refused}");
        assert!(AllowedRecipients::parse(&["example.com"]).is_err());
    }
}
