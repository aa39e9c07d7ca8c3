//! The tamper-evident audit trail: each tenant's events form a hash chain.
//!
//! Every event belongs to one tenant's chain — its site's (the customer's record of what
//! happened there), else its partner's, else the platform's —
//! and carries its position (`seq`, from 1), the hash of the event before it (`prev`, the
//! [`GENESIS`] hash for the first) and its own `hash`, which covers `prev`, `seq` and the
//! event's content. Altering, removing, inserting or reordering an event breaks the link at
//! that point; dropping events from the end is caught against the chain's head, which storage
//! keeps beside the events. [`Verifier`] walks a chain and reports the first broken link.
//!
//! Events dropped by retention leave a [`Checkpoint`]: the link the chain continues from,
//! signed with the operator's key, so what remains still verifies and a forged start does not.

use data_encoding::HEXLOWER;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::{AuditEvent, AuditScope};
use crate::Timestamp;

/// The `prev` of a chain's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Names the hash construction, so a later one can live beside it.
const DOMAIN: &[u8] = b"siteward/audit-chain/v1";

impl AuditEvent {
    /// The tenant chain this event belongs to: its site's, else its partner's, else the
    /// platform's. What happens at a site is the site's record whoever did it, so a site's
    /// admins can verify everything that happened there.
    pub fn chain(&self) -> AuditScope {
        match (&self.site_id, &self.partner_id) {
            (Some(site), _) => AuditScope::Site(site.clone()),
            (None, Some(partner)) => AuditScope::Partner(partner.clone()),
            (None, None) => AuditScope::Platform,
        }
    }
}

impl AuditScope {
    /// The chain's stable name: `platform`, `partner/<id>` or `site/<id>`.
    pub fn chain_name(&self) -> String {
        match self {
            Self::Platform => "platform".to_owned(),
            Self::Partner(id) => format!("partner/{id}"),
            Self::Site(id) => format!("site/{id}"),
        }
    }

    /// The tenant of a chain, from its name.
    pub fn from_chain_name(name: &str) -> Option<Self> {
        match name.split_once('/') {
            None if name == "platform" => Some(Self::Platform),
            Some(("partner", id)) => crate::ids::PartnerId::parse("chain", id)
                .ok()
                .map(Self::Partner),
            Some(("site", id)) => crate::ids::SiteId::parse("chain", id).ok().map(Self::Site),
            _ => None,
        }
    }
}

/// Where an event stands in its chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Its position, from 1.
    pub seq: u64,
    /// The hash of the event before it, or [`GENESIS`].
    pub prev: String,
    /// Its own hash.
    pub hash: String,
}

/// The end of a chain: the last event's position and hash (`seq` 0 and [`GENESIS`] when empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The last event's position.
    pub seq: u64,
    /// The last event's hash.
    pub hash: String,
}

impl Head {
    /// An empty chain.
    pub fn genesis() -> Self {
        Self {
            seq: 0,
            hash: GENESIS.to_owned(),
        }
    }

    /// Appends `event`: returns its link and moves the head past it.
    pub fn append(&mut self, event: &AuditEvent) -> Link {
        let seq = self.seq + 1;
        let hash = link_hash(&self.hash, seq, event);
        let prev = std::mem::replace(&mut self.hash, hash);
        self.seq = seq;
        Link {
            seq,
            prev,
            hash: self.hash.clone(),
        }
    }
}

/// The hash of `event` at position `seq` after `prev`.
pub fn link_hash(prev: &str, seq: u64, event: &AuditEvent) -> String {
    let mut hasher = Sha256::new();
    hasher.update(DOMAIN);
    hasher.update(prev.as_bytes());
    hasher.update(seq.to_be_bytes());
    content(&mut hasher, event);
    HEXLOWER.encode(&hasher.finalize())
}

/// Feeds every field of the event to the hasher, each length-prefixed so no two events share
/// an encoding.
fn content(hasher: &mut Sha256, event: &AuditEvent) {
    let mut field = |value: Option<&str>| match value {
        None => hasher.update([0]),
        Some(text) => {
            hasher.update([1]);
            hasher.update((text.len() as u64).to_be_bytes());
            hasher.update(text.as_bytes());
        }
    };
    let (actor_kind, actor_id) = event.actor.kind_and_id();
    field(Some(event.id.as_str()));
    field(Some(&timestamp(event.at)));
    field(Some(actor_kind));
    field(actor_id);
    field(event.partner_id.as_ref().map(|id| id.as_str()));
    field(event.site_id.as_ref().map(|id| id.as_str()));
    field(Some(event.action.as_str()));
    field(Some(event.target.kind.as_str()));
    field(Some(&event.target.id));
    field(Some(&event.changes.len().to_string()));
    for change in &event.changes {
        field(Some(&change.field));
        field(change.before.as_deref());
        field(change.after.as_deref());
    }
    field(event.request_id.as_deref());
}

fn timestamp(at: Timestamp) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// What is wrong at a broken link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The event's content or hash is not what was recorded: it was altered.
    Altered,
    /// The event does not follow the one before it: an event was removed, inserted or moved.
    Unlinked,
    /// The chain's positions skip here: events are missing.
    Missing,
    /// The chain ends before its recorded head: events were removed from its end.
    Truncated,
    /// The chain's recorded head is not its last event: the end was rewritten.
    HeadMismatch,
    /// The chain starts at a checkpoint whose signature does not verify.
    ForgedCheckpoint,
    /// The chain starts at a checkpoint and no key was given to check its signature.
    UnverifiedCheckpoint,
}

impl Problem {
    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Altered => "altered",
            Self::Unlinked => "unlinked",
            Self::Missing => "missing",
            Self::Truncated => "truncated",
            Self::HeadMismatch => "head_mismatch",
            Self::ForgedCheckpoint => "forged_checkpoint",
            Self::UnverifiedCheckpoint => "unverified_checkpoint",
        }
    }

    /// What it means, for a person.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Altered => "the event's content no longer matches the hash recorded for it",
            Self::Unlinked => {
                "the event does not follow the one before it: an event was removed, inserted or moved"
            }
            Self::Missing => "events are missing before this position",
            Self::Truncated => "events were removed from the end of the chain",
            Self::HeadMismatch => {
                "the chain's recorded head does not match its last event: its end was rewritten"
            }
            Self::ForgedCheckpoint => {
                "the chain starts at a retention checkpoint whose signature does not verify"
            }
            Self::UnverifiedCheckpoint => {
                "the chain starts at a retention checkpoint and no checkpoint key is configured to check it"
            }
        }
    }
}

/// The first broken link of a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The position where the chain breaks.
    pub seq: u64,
    /// The event found there, if any.
    pub event_id: Option<String>,
    /// What is wrong.
    pub problem: Problem,
}

/// Where retention cut a chain: the last dropped event's link, signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The chain's name.
    pub chain: String,
    /// The last dropped event's position …
    pub seq: u64,
    /// … and hash: the remaining chain continues from here.
    pub hash: String,
    /// When retention cut the chain.
    pub at: Timestamp,
    /// HMAC-SHA256 over the fields above with the operator's checkpoint key, hex.
    pub signature: String,
}

impl Checkpoint {
    /// Signs the point `head` of `chain` at `at` with `key`.
    pub fn sign(chain: &str, head: &Head, at: Timestamp, key: &[u8]) -> Self {
        let mut checkpoint = Self {
            chain: chain.to_owned(),
            seq: head.seq,
            hash: head.hash.clone(),
            at,
            signature: String::new(),
        };
        checkpoint.signature = HEXLOWER.encode(&checkpoint.mac(key).finalize().into_bytes());
        checkpoint
    }

    /// Whether the signature was made with `key` over these fields.
    pub fn is_signed_with(&self, key: &[u8]) -> bool {
        HEXLOWER
            .decode(self.signature.as_bytes())
            .is_ok_and(|signature| self.mac(key).verify_slice(&signature).is_ok())
    }

    fn mac(&self, key: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
        mac.update(DOMAIN);
        mac.update(b"/checkpoint");
        for part in [self.chain.as_str(), &self.hash, &timestamp(self.at)] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac.update(&self.seq.to_be_bytes());
        mac
    }

    /// The head the remaining chain continues from.
    pub fn head(&self) -> Head {
        Head {
            seq: self.seq,
            hash: self.hash.clone(),
        }
    }
}

/// Walks one chain in order of position and finds its first broken link.
#[derive(Debug)]
pub struct Verifier {
    expected: Head,
    broken: Option<Broken>,
    checked: u64,
}

impl Verifier {
    /// Starts at the chain's beginning.
    pub fn new() -> Self {
        Self::from_head(Head::genesis())
    }

    /// Starts where retention cut the chain: at `checkpoint`, if `key` signed it.
    pub fn from_checkpoint(checkpoint: &Checkpoint, key: &[u8]) -> Self {
        let mut verifier = Self::from_head(checkpoint.head());
        if !checkpoint.is_signed_with(key) {
            verifier.broken = Some(Broken {
                seq: checkpoint.seq,
                event_id: None,
                problem: Problem::ForgedCheckpoint,
            });
        }
        verifier
    }

    /// Starts at `checkpoint` without a key to check its signature: the chain cannot be
    /// verified.
    pub fn unverifiable(checkpoint: &Checkpoint) -> Self {
        let mut verifier = Self::from_head(checkpoint.head());
        verifier.broken = Some(Broken {
            seq: checkpoint.seq,
            event_id: None,
            problem: Problem::UnverifiedCheckpoint,
        });
        verifier
    }

    fn from_head(expected: Head) -> Self {
        Self {
            expected,
            broken: None,
            checked: 0,
        }
    }

    /// Takes the next event (by position) with its stored link. Returns whether the chain
    /// is still intact; after the first break, further events are not examined.
    pub fn next(&mut self, event: &AuditEvent, link: &Link) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let expected_seq = self.expected.seq + 1;
        let problem = if link.seq != expected_seq {
            Some(Problem::Missing)
        } else if link.prev != self.expected.hash {
            Some(Problem::Unlinked)
        } else if link_hash(&link.prev, link.seq, event) != link.hash {
            Some(Problem::Altered)
        } else {
            None
        };
        if let Some(problem) = problem {
            self.broken = Some(Broken {
                seq: expected_seq.min(link.seq),
                event_id: Some(event.id.to_string()),
                problem,
            });
            return false;
        }
        self.checked += 1;
        self.expected = Head {
            seq: link.seq,
            hash: link.hash.clone(),
        };
        true
    }

    /// Ends a walk of part of the chain, which was to reach position `seq`: an event missing
    /// at its end is [`Problem::Truncated`].
    pub fn finish_through(mut self, seq: u64) -> Verification {
        if self.broken.is_none() && self.expected.seq < seq {
            self.broken = Some(Broken {
                seq: self.expected.seq + 1,
                event_id: None,
                problem: Problem::Truncated,
            });
        }
        self.verification()
    }

    /// Ends the walk against the chain's recorded head.
    pub fn finish(mut self, head: &Head) -> Verification {
        if self.broken.is_none() && self.expected != *head {
            self.broken = Some(if head.seq > self.expected.seq {
                Broken {
                    seq: self.expected.seq + 1,
                    event_id: None,
                    problem: Problem::Truncated,
                }
            } else {
                Broken {
                    seq: self.expected.seq,
                    event_id: None,
                    problem: Problem::HeadMismatch,
                }
            });
        }
        self.verification()
    }

    fn verification(self) -> Verification {
        Verification {
            checked: self.checked,
            head: self.expected,
            broken: self.broken,
        }
    }
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new()
    }
}

/// The result of walking a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Events whose links held.
    pub checked: u64,
    /// The last intact link.
    pub head: Head,
    /// The first broken link, if any.
    pub broken: Option<Broken>,
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::audit::{Actor, AuditAction, AuditTarget, FieldChange, TargetKind};
    use crate::ids::{AccountId, AuditEventId, PartnerId};

    fn event(n: u8) -> AuditEvent {
        let at = Utc
            .timestamp_opt(1_800_000_000 + i64::from(n), 123_456_789)
            .unwrap();
        AuditEvent {
            id: AuditEventId::generate(at, [n; 10]),
            at,
            actor: Actor::Account(AccountId::generate(at, [1; 10])),
            partner_id: Some(PartnerId::generate(at, [2; 10])),
            site_id: None,
            action: AuditAction::AssignmentLocked,
            target: AuditTarget {
                kind: TargetKind::SiteAssignment,
                id: format!("a{n}"),
            },
            changes: vec![FieldChange::changed("locked", false, true)],
            request_id: None,
        }
    }

    fn chain(n: u8) -> Vec<(AuditEvent, Link)> {
        let mut head = Head::genesis();
        (1..=n)
            .map(|i| {
                let e = event(i);
                let link = head.append(&e);
                (e, link)
            })
            .collect()
    }

    fn verify(events: &[(AuditEvent, Link)], head: &Head) -> Verification {
        let mut verifier = Verifier::new();
        for (event, link) in events {
            verifier.next(event, link);
        }
        verifier.finish(head)
    }

    fn head_of(events: &[(AuditEvent, Link)]) -> Head {
        let (_, last) = events.last().unwrap();
        Head {
            seq: last.seq,
            hash: last.hash.clone(),
        }
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let events = chain(5);
        let report = verify(&events, &head_of(&events));
        assert_eq!(report.broken, None);
        assert_eq!(report.checked, 5);
        assert_eq!(events[0].1.prev, GENESIS);
        assert_eq!(events[1].1.prev, events[0].1.hash);
    }

    #[test]
    fn each_kind_of_tampering_is_found_at_its_position() {
        let events = chain(5);
        let head = head_of(&events);

        let mut altered = events.clone();
        altered[2].0.changes[0].after = Some("false".into());
        let broken = verify(&altered, &head).broken.unwrap();
        assert_eq!((broken.seq, broken.problem), (3, Problem::Altered));

        let mut removed = events.clone();
        removed.remove(1);
        let broken = verify(&removed, &head).broken.unwrap();
        assert_eq!((broken.seq, broken.problem), (2, Problem::Missing));

        let mut reordered = events.clone();
        reordered.swap(1, 2);
        let (a, b) = (reordered[1].1.seq, reordered[2].1.seq);
        reordered[1].1.seq = b;
        reordered[2].1.seq = a;
        let broken = verify(&reordered, &head).broken.unwrap();
        assert_eq!((broken.seq, broken.problem), (2, Problem::Unlinked));

        let broken = verify(&events[..3], &head).broken.unwrap();
        assert_eq!((broken.seq, broken.problem), (4, Problem::Truncated));

        let mut relinked = events.clone();
        relinked[4].0.request_id = Some("forged".into());
        relinked[4].1.hash = link_hash(&relinked[4].1.prev, 5, &relinked[4].0);
        let broken = verify(&relinked, &head).broken.unwrap();
        assert_eq!((broken.seq, broken.problem), (5, Problem::HeadMismatch));
    }

    #[test]
    fn a_signed_checkpoint_lets_the_rest_verify_and_a_forged_one_does_not() {
        let events = chain(6);
        let at = events[2].0.at;
        let cut = Head {
            seq: 3,
            hash: events[2].1.hash.clone(),
        };
        let checkpoint = Checkpoint::sign("partner/x", &cut, at, b"operator key");
        let mut verifier = Verifier::from_checkpoint(&checkpoint, b"operator key");
        for (event, link) in &events[3..] {
            assert!(verifier.next(event, link));
        }
        assert_eq!(verifier.finish(&head_of(&events)).broken, None);

        let mut forged = checkpoint.clone();
        forged.seq = 4;
        let verifier = Verifier::from_checkpoint(&forged, b"operator key");
        let broken = verifier.finish(&head_of(&events)).broken.unwrap();
        assert_eq!(broken.problem, Problem::ForgedCheckpoint);
        assert!(!checkpoint.is_signed_with(b"another key"));
    }
}
