//! Newtype identifiers. Every id is a ULID: 48 bits of milliseconds and 80 random bits in
//! Crockford base32, so ids sort by creation time and serve directly as pagination cursors.

use std::fmt;

use crate::{FieldError, Timestamp};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// The length of every id's text form.
pub const ID_LEN: usize = 26;

const RANDOM_BITS: u32 = 80;

fn millis(at: Timestamp) -> u128 {
    u128::try_from(at.timestamp_millis()).unwrap_or(0) & ((1 << 48) - 1)
}

/// A ULID's value: 48 bits of `at`'s milliseconds, then 80 random bits (the caller draws them).
fn ulid(at: Timestamp, random: [u8; 10]) -> u128 {
    (millis(at) << RANDOM_BITS) | u128::from_be_bytes(pad16(random))
}

/// Builds the text of a ULID from its time and 80 random bits (the caller draws them).
pub fn ulid_text(at: Timestamp, random: [u8; 10]) -> String {
    encode(ulid(at, random))
}

/// Makes ULIDs that strictly increase, even when the clock stands still or steps back (as a
/// test's clock does): within the same millisecond the random part of the previous id is
/// incremented, the usual monotonic-ULID rule. Ids then sort in the order they were made.
#[derive(Debug, Default)]
pub struct IdGenerator {
    last: Option<u128>,
}

impl IdGenerator {
    /// The next id's text, made at `at` from 80 random bits the caller drew.
    pub fn next_text(&mut self, at: Timestamp, random: [u8; 10]) -> String {
        let fresh = ulid(at, random);
        let value = match self.last {
            Some(last) if fresh >> RANDOM_BITS <= last >> RANDOM_BITS => last + 1,
            _ => fresh,
        };
        self.last = Some(value);
        encode(value)
    }
}

fn encode(value: u128) -> String {
    encode_text(value, |text| text.to_owned())
}

/// The id text of `value`, written on the stack and handed to `keep`.
fn encode_text<T>(value: u128, keep: impl FnOnce(&str) -> T) -> T {
    let mut text = [0; ID_LEN];
    for (i, digit) in text.iter_mut().enumerate() {
        let shift = 5 * (ID_LEN - 1 - i);
        *digit = ALPHABET[((value >> shift) & 0x1f) as usize];
    }
    keep(std::str::from_utf8(&text).expect("the alphabet is ASCII"))
}

/// An id's text, shared: cloning an id (a request's caller, an audit event's actor) counts a
/// reference rather than copying the text into a new allocation (#19).
type Text = std::sync::Arc<str>;

/// Reads an id's text as serde gives it, into one allocation.
fn deserialize_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
    struct Visitor;
    impl serde::de::Visitor<'_> for Visitor {
        type Value = Text;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an id")
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Text, E> {
            Ok(Text::from(text))
        }
    }
    deserializer.deserialize_str(Visitor)
}

/// Each byte's value as a digit of the alphabet; [`NOT_A_DIGIT`] for the bytes outside it.
const DIGITS: [u8; 256] = {
    let mut digits = [NOT_A_DIGIT; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        digits[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    digits
};

const NOT_A_DIGIT: u8 = 0xff;

/// The value of id text this crate made (see [`is_id_text`]); other text gives an unspecified value.
fn decode(text: &str) -> u128 {
    text.bytes().fold(0, |value, byte| {
        (value << 5) | u128::from(DIGITS[usize::from(byte)] & 0x1f)
    })
}

fn pad16(random: [u8; 10]) -> [u8; 16] {
    let mut out = [0; 16];
    out[6..].copy_from_slice(&random);
    out
}

/// The form of an id as a regular expression, for API documents: see [`is_id_text`].
pub const ID_PATTERN: &str = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$";

/// Whether `text` has the form of an id: 26 characters of upper-case Crockford base32
/// whose first character keeps the value within 128 bits.
pub fn is_id_text(text: &str) -> bool {
    text.len() == ID_LEN
        && text.as_bytes()[0] <= b'7'
        && text.bytes().all(|b| DIGITS[usize::from(b)] != NOT_A_DIGIT)
}

macro_rules! define_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Text);

        impl $name {
            /// A new id made at `at` from 80 random bits the caller drew.
            pub fn generate(at: Timestamp, random: [u8; 10]) -> Self {
                Self::from_key(ulid(at, random))
            }

            /// Parses an id from its text, as found in a URL path or a request body.
            pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
                if is_id_text(text) {
                    Ok(Self(Text::from(text)))
                } else {
                    Err(FieldError::new(field, "is not a valid id"))
                }
            }

            /// Wraps text that storage returned; storage only holds ids this crate made.
            pub fn from_trusted(text: String) -> Self {
                Self(Text::from(text))
            }

            /// The id's text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as a number: 128 bits that sort as the text does. Indexes key on it.
            pub fn key(&self) -> u128 {
                decode(&self.0)
            }

            /// The id whose [`key`](Self::key) is `key`.
            pub fn from_key(key: u128) -> Self {
                Self(encode_text(key, |text| Text::from(text)))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserialize_text(deserializer).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

define_id! {
    /// A partner: an installer, distributor or support firm.
    PartnerId,
    /// A customer of a partner, owning sites.
    CustomerId,
    /// A customer site that technicians are sent into.
    SiteId,
    /// A person's account: one per email across the platform.
    AccountId,
    /// A login session.
    SessionId,
    /// An API token for integrations.
    ApiTokenId,
    /// An audit event.
    AuditEventId,
    /// An invitation.
    InvitationId,
    /// An outgoing email.
    OutboxMessageId,
    /// A call to a webhook target.
    WebhookDeliveryId,
    /// A notification held for a recipient's digest.
    DigestItemId,
    /// A partner's custom role.
    RoleId,
    /// A partner's department of technicians.
    DepartmentId,
    /// A device at a site.
    DeviceId,
    /// A group of devices at a site.
    DeviceGroupId,
    /// A grant of a role on a scope to a technician or department.
    GrantId,
    /// A technician's request for access to a site for a while.
    AccessRequestId,
    /// A review of who holds access to a site.
    ReviewId,
    /// A partner's connection to its identity provider (single sign-on).
    ConnectionId,
    /// A rule of a connection: an identity provider group gives a role or a department.
    GroupRuleId,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_clone_shares_the_text_and_an_id_reads_and_prints_as_before() {
        use serde::Deserialize;
        use serde::de::IntoDeserializer;
        let id = PartnerId::from_key(0x0123_4567_89ab_cdef);
        let copy = id.clone();
        assert!(std::ptr::eq(copy.as_str(), id.as_str()));
        let text: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
            id.as_str().into_deserializer();
        assert_eq!(PartnerId::deserialize(text).unwrap(), id);
        assert_eq!(format!("{id:?}"), format!("PartnerId({:?})", id.as_str()));
        let generated = PartnerId::generate(
            chrono::Utc.timestamp_millis_opt(1_700_000_000_000).unwrap(),
            [7; 10],
        );
        assert_eq!(
            generated.as_str(),
            ulid_text(
                chrono::Utc.timestamp_millis_opt(1_700_000_000_000).unwrap(),
                [7; 10]
            )
        );
    }

    #[test]
    fn ids_sort_by_time_and_round_trip() {
        let early = chrono::Utc.timestamp_millis_opt(1_700_000_000_000).unwrap();
        let late = chrono::Utc.timestamp_millis_opt(1_700_000_000_001).unwrap();
        let a = PartnerId::generate(early, [0xff; 10]);
        let b = PartnerId::generate(late, [0; 10]);
        assert!(a < b);
        assert_eq!(PartnerId::parse("id", a.as_str()).unwrap(), a);
        assert!(a.key() < b.key());
        assert_eq!(PartnerId::from_key(b.key()), b);
    }

    #[test]
    fn generated_ids_increase_while_the_clock_stands_still() {
        let now = chrono::Utc.timestamp_millis_opt(1_700_000_000_000).unwrap();
        let mut generator = IdGenerator::default();
        let first = generator.next_text(now, [0xff; 10]);
        let second = generator.next_text(now, [0; 10]);
        let earlier = generator.next_text(now - chrono::Duration::seconds(5), [0; 10]);
        assert!(
            first < second && second < earlier,
            "{first} {second} {earlier}"
        );
        assert!(is_id_text(&earlier));
    }

    #[test]
    fn malformed_ids_are_refused_with_the_field_name() {
        for bad in [
            "",
            "abc",
            "01HZZZZZZZZZZZZZZZZZZZZZZU",
            "81HZZZZZZZZZZZZZZZZZZZZZZZ",
            "01hzzzzzzzzzzzzzzzzzzzzzzz",
        ] {
            let error = SiteId::parse("site_id", bad).unwrap_err();
            assert_eq!(error.field, "site_id", "{bad}");
        }
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// An id's text parses back to it, and ids sort by number as they do by text (the
        /// index keys on the number, listings and cursors on the text).
        #[test]
        fn ids_round_trip_and_sort_alike(a in any::<u128>(), b in any::<u128>()) {
            let (x, y) = (SiteId::from_key(a), SiteId::from_key(b));
            prop_assert_eq!(SiteId::parse("id", x.as_str()), Ok(x.clone()));
            prop_assert_eq!(x.key(), a);
            prop_assert_eq!(a.cmp(&b), x.as_str().cmp(y.as_str()));
        }

        /// Whatever arrives in a path, only an id's own text is taken as one.
        #[test]
        fn only_an_ids_text_parses(text in any::<String>()) {
            if let Ok(id) = AccountId::parse("id", &text) {
                prop_assert_eq!(AccountId::from_key(id.key()), id);
            }
        }

        #[test]
        fn ids_made_later_sort_later(
            ms in 0i64..(1 << 47), later in 1i64..1_000_000, r1 in any::<[u8; 10]>(), r2 in any::<[u8; 10]>(),
        ) {
            let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).unwrap();
            let first = PartnerId::generate(at(ms), r1);
            let second = PartnerId::generate(at(ms + later), r2);
            prop_assert!(first < second);
        }
    }
}
