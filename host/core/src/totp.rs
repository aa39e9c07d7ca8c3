//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), the
//! second factor authenticator apps speak.

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::Timestamp;

const STEP_SECONDS: i64 = 30;
const DIGITS: u32 = 6;

/// A TOTP secret as authenticator apps take it: base32 text of 20 random bytes.
pub fn secret_text(random: [u8; 20]) -> String {
    BASE32_NOPAD.encode(&random)
}

/// The `otpauth://` URI an authenticator app scans from a QR code.
pub fn provisioning_uri(secret: &str, issuer: &str, account: &str) -> String {
    let escape = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        escape(issuer),
        escape(account),
        escape(issuer)
    )
}

/// The time step `at` falls in.
pub fn step(at: Timestamp) -> i64 {
    at.timestamp().div_euclid(STEP_SECONDS)
}

/// The code for one time step, or `None` if the secret is not valid base32.
pub fn code_at_step(secret: &str, step: i64) -> Option<String> {
    let key = BASE32_NOPAD.decode(secret.as_bytes()).ok()?;
    let mut mac = Hmac::<Sha1>::new_from_slice(&key).ok()?;
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    Some(format!("{:06}", binary % 10u32.pow(DIGITS)))
}

/// Checks `code` against the steps around `now` (one step of clock drift either way) and
/// returns the step it matched. Codes from `last_used_step` or earlier are refused, so a code
/// seen over someone's shoulder cannot be replayed.
pub fn verify(
    secret: &str,
    code: &str,
    now: Timestamp,
    last_used_step: Option<i64>,
) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step(now);
    (current - 1..=current + 1)
        .filter(|candidate| last_used_step.is_none_or(|last| *candidate > last))
        .find(|candidate| {
            code_at_step(secret, *candidate)
                .is_some_and(|expected| bool::from(expected.as_bytes().ct_eq(code.as_bytes())))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    // RFC 6238 appendix B, SHA1 rows, with the RFC's 20-byte ASCII key; the RFC lists 8 digits
    // and the 6-digit code is their last six.
    #[test]
    fn rfc_6238_vectors() {
        let secret = BASE32_NOPAD.encode(b"12345678901234567890");
        for (time, eight_digits) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (2_000_000_000, "69279037"),
        ] {
            let at = chrono::Utc.timestamp_opt(time, 0).unwrap();
            assert_eq!(code_at_step(&secret, step(at)).unwrap(), eight_digits[2..]);
        }
    }

    #[test]
    fn drift_is_tolerated_and_replay_is_refused() {
        let secret = secret_text([42; 20]);
        let now = chrono::Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let previous = code_at_step(&secret, step(now) - 1).unwrap();
        let matched = verify(&secret, &previous, now, None).unwrap();
        assert_eq!(matched, step(now) - 1);
        assert_eq!(verify(&secret, &previous, now, Some(matched)), None);
        let stale = code_at_step(&secret, step(now) - 2).unwrap();
        assert_eq!(verify(&secret, &stale, now, None), None);
        assert_eq!(verify(&secret, "12345", now, None), None);
    }
}
