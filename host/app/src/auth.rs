//! Who is calling: passwords (argon2id, and the policy for new ones), resolving a session or
//! API token to a [`Caller`], and the short-lived cache of API tokens a frontend keeps.
//!
//! Finding the credential is the frontend's business (a bearer header in the JSON API, a
//! cookie in the console); turning it into a caller is this module's, for both.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use siteward_core::Timestamp;
use siteward_core::access::{AccountPrincipal, Action, Principal, SiteRef, TokenScope, authorize};
use siteward_core::account::{Account, AccountStatus};
use siteward_core::audit::Actor;
use siteward_core::ids::{PartnerId, SessionId};
use siteward_core::permission::index::Key;
use siteward_core::secret::{self, TokenDigest, TokenKind};
use siteward_storage::ApiToken;

use crate::error::{AppError, AppResult};
use crate::services::{App, AuditContext, random};

/// Hashes a password with argon2id and a fresh salt. Slow by design: call it off the async
/// runtime's worker threads ([`hash_password_blocking`]).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&random::<16>()).expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 accepts any password up to the validated length")
        .to_string()
}

/// The characters of a password the guessability estimate looks at: it costs more than
/// linear time, and a password this long is not guessed by its first part alone.
const GUESSABILITY_CHARS: usize = 100;

/// The password policy for a new password (NIST SP 800-63B): the core's rules
/// ([`siteward_core::validate::new_password`]: length once normalised, no control characters,
/// not the account's own email or name), and not common, breached or otherwise easy to guess.
/// The last is zxcvbn's estimate, whose built-in lists hold the commonest passwords of public
/// breaches, English words and names, and which also sees keyboard walks, repeats, dates and
/// the account's own details (`known`): a password it judges crackable in 10^8 guesses or
/// fewer is refused, with its reason. No composition rules.
pub fn new_password(
    field: &str,
    password: &str,
    known: &[&str],
) -> Result<(), siteward_core::FieldError> {
    siteward_core::validate::new_password(field, password, known)?;
    let head: String = password.chars().take(GUESSABILITY_CHARS).collect();
    // The details whole and in their words: `jamie.doe@acme.example` is also `jamie` and `acme`.
    let words: Vec<String> = known
        .iter()
        .flat_map(|text| text.split(|c: char| !c.is_alphanumeric()))
        .filter(|word| word.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect();
    let inputs: Vec<&str> = known
        .iter()
        .copied()
        .chain(words.iter().map(String::as_str))
        .collect();
    let estimate = zxcvbn::zxcvbn(&head, &inputs);
    if u8::from(estimate.score()) < 3 {
        let why = estimate
            .feedback()
            .and_then(zxcvbn::feedback::Feedback::warning)
            .map(|warning| {
                format!(
                    " ({})",
                    warning.to_string().trim_end_matches('.').to_lowercase()
                )
            })
            .unwrap_or_default();
        return Err(siteward_core::FieldError::new(
            field,
            format!("is too easy to guess{why}; a few unrelated words make a strong password"),
        ));
    }
    Ok(())
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
pub async fn hash_password_blocking(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::internal(&e))
}

/// [`verify_password`] on the blocking pool.
pub async fn verify_password_blocking(password: String, hash: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| AppError::internal(&e))
}

/// The password hash of accounts whose password nobody knows (made by a directory sync): a
/// hash of random bytes this process drew and forgot, so no password matches it, and
/// checking one costs what any password check costs. Made once per process, not per account.
pub async fn unusable_password_hash() -> AppResult<String> {
    static UNUSABLE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    UNUSABLE
        .get_or_try_init(|| {
            let unknown = data_encoding::BASE64URL_NOPAD.encode(&crate::services::random::<32>());
            hash_password_blocking(unknown)
        })
        .await
        .cloned()
}

/// A hash to verify against when the email is unknown, so that an unknown email costs the
/// same time as a wrong password and response times do not reveal which accounts exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password that no account has"))
}

/// The authenticated caller of a use case.
#[derive(Debug, Clone)]
pub struct Caller {
    /// What authorization sees.
    pub principal: Principal,
    /// The account, for session callers.
    pub account: Option<Account>,
    /// The session, for session callers.
    pub session: Option<SessionId>,
    /// When the session signed in, for session callers: a sensitive change may ask for a
    /// recent one.
    pub signed_in_at: Option<Timestamp>,
    /// Whether the session may do nothing but enrol in two-step sign-in, which a team the
    /// person belongs to requires and they had not set up when they signed in.
    pub must_enrol: bool,
    /// For the audit events the call writes.
    pub audit: AuditContext,
}

impl Caller {
    /// The account of a session caller; API tokens are refused for personal use cases.
    pub fn account(&self) -> AppResult<&Account> {
        self.account.as_ref().ok_or_else(AppError::session_required)
    }
}

fn invalid_token() -> AppError {
    AppError::unauthenticated(
        "unauthenticated",
        "the token is invalid, expired or revoked",
    )
}

impl App {
    /// The caller a bearer token stands for: a session of an active account, or an API token
    /// whose creator could still create it. `request_id` goes into the audit events the
    /// caller's actions write; `api_tokens` is the frontend's cache of API tokens.
    pub async fn resolve(
        &self,
        token: &str,
        request_id: Option<String>,
        api_tokens: &ApiTokenCache,
    ) -> AppResult<Caller> {
        if secret::is_token_text(TokenKind::Session, token) {
            let session = self
                .store
                .session_by_hash(&secret::token_hash(token), self.now())
                .await?
                .ok_or_else(invalid_token)?;
            let account = self.store.account(&session.account_id).await?;
            if account.status != AccountStatus::Active {
                return Err(invalid_token());
            }
            let principal = self.principal(&account);
            Ok(Caller {
                principal: Principal::Account(principal),
                audit: AuditContext {
                    actor: Actor::Account(account.id.clone()),
                    request_id,
                },
                // Enrolling since ends the restriction.
                must_enrol: session.must_enrol && !account.totp_enabled,
                account: Some(account),
                session: Some(session.id),
                signed_in_at: Some(session.created_at),
            })
        } else if secret::is_token_text(TokenKind::Api, token) {
            let digest = secret::token_digest(token);
            let now = self.now();
            let resolved = match api_tokens.get(&digest, now) {
                Ok(resolved) => resolved,
                Err(generation) => {
                    let token = self
                        .store
                        .api_token_by_hash(&secret::digest_text(&digest))
                        .await?
                        .ok_or_else(invalid_token)?;
                    let creator_is_operator =
                        self.store.account(&token.created_by).await?.is_operator;
                    let resolved = Arc::new(ResolvedToken {
                        token,
                        creator_is_operator,
                    });
                    api_tokens.put(digest, Arc::clone(&resolved), now, generation);
                    resolved
                }
            };
            let token = &resolved.token;
            if !creator_may_hold(self, token, resolved.creator_is_operator) {
                return Err(AppError::unauthenticated(
                    "token_suspended",
                    "the account that created this token is disabled or may no longer manage \
                     tokens here, so the token is suspended; ask an admin for a new one",
                ));
            }
            Ok(Caller {
                principal: Principal::ApiToken {
                    token_id: token.id.clone(),
                    scope: token.scope.clone(),
                },
                account: None,
                session: None,
                signed_in_at: None,
                must_enrol: false,
                audit: AuditContext {
                    actor: Actor::ApiToken(token.id.clone()),
                    request_id,
                },
            })
        } else {
            Err(invalid_token())
        }
    }
}

/// An API token with what its standing is judged by.
#[derive(Debug, Clone)]
pub struct ResolvedToken {
    /// The token.
    pub token: ApiToken,
    /// Whether the account that created it is an operator.
    pub creator_is_operator: bool,
}

/// Whether the account that created `token` could create it now: it is active and still
/// holds what creating a token at its scope takes. A token belongs to its creator's standing:
/// disabling the account, removing it from the partner or taking away its admin rights
/// suspends the token (every request refused `401 token_suspended`), and giving them back
/// restores it. Read from the permission index, so it holds from the next request on.
pub fn creator_may_hold(app: &App, token: &ApiToken, creator_is_operator: bool) -> bool {
    let index = app.permissions.read();
    if !index.account_active(token.created_by.key()) {
        return false;
    }
    // The creator's standing at the token's partner is all either action reads.
    let creator = |partner: Key| {
        Principal::Account(AccountPrincipal::at_partner(
            &index,
            token.created_by.clone(),
            creator_is_operator,
            partner,
            app.now().timestamp_millis(),
        ))
    };
    match &token.scope {
        TokenScope::Partner(partner) => authorize(
            &creator(partner.key()),
            Action::ManagePartnerTokens(partner),
        )
        .is_ok(),
        TokenScope::Site(site) => index.site_partner(site.key()).is_some_and(|key| {
            let partner = PartnerId::from_key(key);
            authorize(
                &creator(key),
                Action::ManageSiteTokens(SiteRef {
                    site,
                    partner: &partner,
                }),
            )
            .is_ok()
        }),
    }
}

/// The most tokens the cache remembers; when full, it starts over.
const CACHE_CAPACITY: usize = 100_000;

/// API tokens this host resolved recently, by hash, so that a busy integration (asking the
/// check API thousands of times a second) does not cost a database query per request. Sessions
/// are not cached: people make few requests, and their account is read fresh each time.
///
/// An entry lives `ttl` at most. This host forgets every entry when it revokes a token, so
/// its own revocations apply to the next request; another host's apply within `ttl`
/// (`[auth] api_token_cache_seconds`; 0 turns the cache off).
#[derive(Debug, Default)]
pub struct ApiTokenCache {
    ttl: chrono::Duration,
    entries: RwLock<Entries>,
}

/// The cached tokens, and how many times they were forgotten: a lookup that started before a
/// revocation must not put back what the revocation removed.
#[derive(Debug, Default)]
struct Entries {
    generation: u64,
    tokens: HashMap<TokenDigest, (Arc<ResolvedToken>, Timestamp)>,
}

impl ApiTokenCache {
    /// A cache whose entries live `ttl`.
    pub fn new(ttl: chrono::Duration) -> Self {
        Self {
            ttl,
            entries: RwLock::default(),
        }
    }

    /// The token whose hash is `digest`, if this host found it unrevoked less than `ttl` ago;
    /// otherwise the generation to hand [`ApiTokenCache::put`] after asking the database.
    /// Shared, not copied: a request reads the token without cloning its strings.
    pub fn get(&self, digest: &TokenDigest, now: Timestamp) -> Result<Arc<ResolvedToken>, u64> {
        let entries = self
            .entries
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries
            .tokens
            .get(digest)
            .filter(|(_, until)| now < *until)
            .map(|(token, _)| Arc::clone(token))
            .ok_or(entries.generation)
    }

    /// Remembers an unrevoked token, unless tokens were forgotten since `generation`.
    pub fn put(
        &self,
        digest: TokenDigest,
        token: Arc<ResolvedToken>,
        now: Timestamp,
        generation: u64,
    ) {
        if self.ttl <= chrono::Duration::zero() {
            return;
        }
        let mut entries = self
            .entries
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.generation != generation {
            return;
        }
        if entries.tokens.len() >= CACHE_CAPACITY {
            entries.tokens.retain(|_, (_, until)| now < *until);
            if entries.tokens.len() >= CACHE_CAPACITY {
                entries.tokens.clear();
            }
        }
        entries.tokens.insert(digest, (token, now + self.ttl));
    }

    /// Forgets every token: called when this host revokes one.
    pub fn forget_all(&self) {
        let mut entries = self
            .entries
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.generation += 1;
        entries.tokens.clear();
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

    fn api_token(now: Timestamp) -> Arc<ResolvedToken> {
        Arc::new(ResolvedToken {
            creator_is_operator: false,
            token: ApiToken {
                id: siteward_core::ids::ApiTokenId::from_trusted("tok".to_owned()),
                name: "integration".to_owned(),
                scope: TokenScope::Partner(siteward_core::ids::PartnerId::from_trusted(
                    "p".to_owned(),
                )),
                token_hash: "hash".to_owned(),
                created_by: siteward_core::ids::AccountId::from_trusted("a".to_owned()),
                created_at: now,
                revoked_at: None,
            },
        })
    }

    #[test]
    fn cached_api_tokens_expire_and_a_lookup_started_before_a_revocation_is_not_kept() {
        let now = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let cache = ApiTokenCache::new(chrono::Duration::seconds(2));
        let (hash, other) = (secret::token_digest("hash"), secret::token_digest("other"));
        let generation = cache.get(&hash, now).unwrap_err();
        cache.put(hash, api_token(now), now, generation);
        assert!(
            cache
                .get(&hash, now + chrono::Duration::milliseconds(1999))
                .is_ok()
        );
        assert!(
            cache
                .get(&hash, now + chrono::Duration::seconds(2))
                .is_err()
        );

        // A lookup begins, a revocation forgets everything, the lookup ends: not cached.
        let generation = cache.get(&other, now).unwrap_err();
        cache.forget_all();
        cache.put(other, api_token(now), now, generation);
        assert!(cache.get(&other, now).is_err());
        assert!(cache.get(&hash, now).is_err());

        let off = ApiTokenCache::new(chrono::Duration::zero());
        off.put(hash, api_token(now), now, 0);
        assert!(off.get(&hash, now).is_err());
    }
}
