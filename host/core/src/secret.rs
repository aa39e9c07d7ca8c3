//! Bearer secrets (session and API tokens): their text form, and the hash that storage keeps.
//!
//! Tokens carry 256 random bits, so a single SHA-256 is enough to make the stored form useless
//! to a thief; a slow password hash would only slow down every request. Lookups go by hash,
//! so the secret itself is never compared byte by byte.

use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use sha2::{Digest, Sha256};

/// What a bearer token is for; its prefix makes a leaked token recognisable in logs and scanners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A login session.
    Session,
    /// An API token for an integration.
    Api,
    /// The token in an invitation link.
    Invitation,
    /// The token in a password reset link.
    PasswordReset,
    /// A sign-in waiting for its authenticator code.
    SignIn,
    /// A sign-in sent to an identity provider (its `state`).
    SsoState,
}

impl TokenKind {
    fn prefix(self) -> &'static str {
        match self {
            Self::Session => "sws_",
            Self::Api => "swa_",
            Self::Invitation => "swi_",
            Self::PasswordReset => "swr_",
            Self::SignIn => "swc_",
            Self::SsoState => "swo_",
        }
    }
}

/// Makes a token's text from 32 random bytes the caller drew.
pub fn token_text(kind: TokenKind, random: [u8; 32]) -> String {
    format!("{}{}", kind.prefix(), BASE64URL_NOPAD.encode(&random))
}

/// Whether `text` looks like a token of `kind` (cheap check before any lookup).
pub fn is_token_text(kind: TokenKind, text: &str) -> bool {
    // 43 characters are 32 bytes: decoded onto the stack, since every request asks.
    let mut bytes = [0; 32];
    text.strip_prefix(kind.prefix()).is_some_and(|rest| {
        rest.len() == 43
            && BASE64URL_NOPAD
                .decode_mut(rest.as_bytes(), &mut bytes)
                .is_ok()
    })
}

/// The hash under which storage keeps a token.
pub fn token_hash(text: &str) -> String {
    digest_text(&token_digest(text))
}

/// A token's hash as bytes: what a lookup in memory can key by without writing it out.
pub fn token_digest(text: &str) -> TokenDigest {
    Sha256::digest(text.as_bytes()).into()
}

/// A token's SHA-256 digest.
pub type TokenDigest = [u8; 32];

/// A digest written as storage keeps it (`token_hash` of the token).
pub fn digest_text(digest: &TokenDigest) -> String {
    HEXLOWER.encode(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_recognisable_and_hash_stably() {
        let token = token_text(TokenKind::Api, [7; 32]);
        assert!(is_token_text(TokenKind::Api, &token));
        assert!(!is_token_text(TokenKind::Session, &token));
        assert_eq!(token_hash(&token), token_hash(&token));
        assert_ne!(
            token_hash(&token),
            token_hash(&token_text(TokenKind::Api, [8; 32]))
        );
        assert_eq!(token_hash(&token).len(), 64);
    }
}
