//! Signing in and out, and a person's own account: password, second factor; and the
//! operator disabling an account platform-wide.

use siteward_core::access::{AccountPrincipal, Action, Principal, authorize};
use siteward_core::account::{Account, AccountStatus};
use siteward_core::audit::{Actor, AuditAction, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::{AccountId, SessionId};
use siteward_core::permission::index::Change;
use siteward_core::secret::{self, TokenKind};
use siteward_core::security::SecurityPolicy;
use siteward_core::tenancy::MemberStatus;
use siteward_core::validate::Email;
use siteward_core::{FieldError, Timestamp, totp};
use siteward_storage::{Conflict, SessionRecord, SignInChallenge, StorageError};

use crate::auth::{self, Caller};
use crate::error::{AppError, AppResult};
use crate::services::{App, AuditContext, random};

/// What a person signs in with.
#[derive(Debug)]
pub struct Credentials {
    /// The account's email, as typed.
    pub email: String,
    /// The password.
    pub password: String,
    /// The authenticator app's current code, for accounts with a second factor.
    pub totp: Option<String>,
    /// Where the sign-in comes from (the browser or client, and the address), shown in the
    /// account's list of sessions.
    pub client: Option<String>,
}

/// One of a person's sessions, as their account page lists it.
#[derive(Debug, Clone)]
pub struct MySession {
    /// Its id.
    pub id: SessionId,
    /// Where it was started.
    pub client: Option<String>,
    /// When.
    pub created_at: Timestamp,
    /// When it ends by itself.
    pub expires_at: Timestamp,
    /// Whether it is the one asking.
    pub current: bool,
}

/// A session just started. The token is shown once; storage keeps its hash.
#[derive(Debug)]
pub struct NewSession {
    /// The bearer token (or cookie value).
    pub token: String,
    /// When the session ends.
    pub expires_at: Timestamp,
    /// Whose session it is.
    pub account_id: AccountId,
    /// Whether a team requires two-step sign-in of them and they have not set it up: the
    /// session may do nothing else until they have.
    pub must_enrol: bool,
}

/// A new second factor, waiting for its first code.
#[derive(Debug)]
pub struct TotpEnrollment {
    /// The base32 secret, for manual entry.
    pub secret: String,
    /// The `otpauth://` URI, for a QR code.
    pub otpauth_uri: String,
}

/// The caller's own account and what it holds now.
#[derive(Debug)]
pub struct Me<'a> {
    /// The account.
    pub account: &'a Account,
    /// Its partner memberships and administered sites, from the permission index.
    pub holds: &'a AccountPrincipal,
}

/// The answer to a wrong email or password, the same for both.
fn wrong_credentials() -> AppError {
    AppError::unauthenticated("invalid_credentials", "the email or password is wrong")
}

/// The answer while an address is locked out; the same whether an account has it or not.
fn locked(until: Timestamp) -> AppError {
    AppError::throttled(
        "account_locked",
        format!(
            "too many failed logins for this email; try again after {}",
            until.to_rfc3339()
        ),
    )
}

/// The answer when failed logins from one client address are over their limit.
pub fn too_many_attempts() -> AppError {
    AppError::throttled(
        "too_many_attempts",
        "too many failed logins from your address; wait a minute and try again",
    )
}

/// How long a sign-in waits for its authenticator code.
const CHALLENGE_TTL: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// How many wrong codes end a sign-in challenge (each also counts against the lockout).
const CHALLENGE_ATTEMPTS: u32 = 5;

/// What the first step of signing in gave.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in.
    Done(NewSession),
    /// The password was right; the authenticator's code comes next, with this challenge.
    SecondFactor {
        /// The challenge's token, for the browser to hold (only its hash is stored).
        challenge: String,
        /// When it stops working.
        expires_at: Timestamp,
    },
}

/// A sign-in attempt, as [`App::authenticate`] takes it.
struct Attempt {
    email: String,
    proof: Proof,
    totp: Option<String>,
    client: Option<String>,
}

impl Attempt {
    /// An attempt with a password, as the credentials give it.
    fn password(credentials: Credentials) -> Self {
        Self {
            email: credentials.email,
            proof: Proof::Password(credentials.password),
            totp: credentials.totp,
            client: credentials.client,
        }
    }
}

/// What shows the first factor.
enum Proof {
    /// A password.
    Password(String),
    /// A challenge left by a right password a few minutes ago.
    Challenge(SignInChallenge),
}

fn not_the_current_code() -> FieldError {
    FieldError::new("code", "is not the current code of the authenticator app")
}

/// An account as an audit event's target.
pub(crate) fn account_target(id: &AccountId) -> AuditTarget {
    AuditTarget {
        kind: TargetKind::Account,
        id: id.to_string(),
    }
}

impl App {
    /// Signs a person in with email, password and (when enabled) a second factor. Each
    /// attempt is claimed against the email's lockout before its password is checked, and an
    /// unknown email costs and answers the same as a wrong password, so neither a burst of
    /// concurrent guesses nor the answers tell whether an account exists. The frontend limits
    /// attempts per client address around this call.
    #[tracing::instrument(name = "app.login", skip_all)]
    pub async fn login(
        &self,
        credentials: Credentials,
        request_id: Option<String>,
    ) -> AppResult<NewSession> {
        let attempt = Attempt::password(credentials);
        match self.authenticate(attempt, false, request_id).await? {
            SignIn::Done(session) => Ok(session),
            SignIn::SecondFactor { .. } => Err(AppError::internal(&"a code was asked for")),
        }
    }

    /// The first step of signing in, in two: email and password. An account with two-step
    /// sign-in is not signed in yet; it gets a challenge, whose token [`App::finish_sign_in`]
    /// takes with the authenticator's code for a few minutes. The lockout and the answers are
    /// [`App::login`]'s.
    #[tracing::instrument(name = "app.begin_sign_in", skip_all)]
    pub async fn begin_sign_in(
        &self,
        credentials: Credentials,
        request_id: Option<String>,
    ) -> AppResult<SignIn> {
        let attempt = Attempt {
            totp: None,
            ..Attempt::password(credentials)
        };
        self.authenticate(attempt, true, request_id).await
    }

    /// The second step: the authenticator's code for a challenge from
    /// [`App::begin_sign_in`]. A wrong code counts against the account's lockout like a wrong
    /// password, and ends the challenge after a few; a challenge starts one session at most.
    #[tracing::instrument(name = "app.finish_sign_in", skip_all)]
    pub async fn finish_sign_in(
        &self,
        challenge: &str,
        code: &str,
        request_id: Option<String>,
    ) -> AppResult<NewSession> {
        let gone = || {
            AppError::unauthenticated(
                "sign_in_expired",
                "the sign-in took too long or was finished already; enter your password again",
            )
        };
        if !secret::is_token_text(TokenKind::SignIn, challenge) {
            return Err(gone());
        }
        let found = self
            .store
            .sign_in_challenge(&secret::token_hash(challenge), self.now())
            .await?
            .ok_or_else(gone)?;
        let account = self.store.account(&found.account_id).await?;
        let attempt = Attempt {
            email: account.email.to_string(),
            client: found.client.clone(),
            proof: Proof::Challenge(found),
            totp: Some(code.to_owned()),
        };
        match self.authenticate(attempt, false, request_id).await {
            Ok(SignIn::Done(session)) => Ok(session),
            Ok(SignIn::SecondFactor { .. }) => Err(AppError::internal(&"a code was asked for")),
            Err(error) if error.code == "sign_in_challenge_gone" => Err(gone()),
            Err(error) => Err(error),
        }
    }

    /// One sign-in attempt: the first factor (a password, or a challenge that proved one),
    /// then the code when the account has two-step sign-in — or, when `ask_code` and no code
    /// came, a challenge that waits for it.
    async fn authenticate(
        &self,
        attempt: Attempt,
        ask_code: bool,
        request_id: Option<String>,
    ) -> AppResult<SignIn> {
        let now = self.now();
        let Ok(email) = Email::parse("email", &attempt.email) else {
            return Err(wrong_credentials());
        };
        let policy = self.auth.lockout;
        let claimed = match self
            .store
            .claim_login_attempt(&email, |throttle| throttle.claim(now, policy))
            .await
        {
            Ok(Ok(claimed)) => claimed,
            Ok(Err(until)) => return Err(locked(until)),
            Err(StorageError::Conflict(Conflict::Concurrent)) => return Err(too_many_attempts()),
            Err(other) => return Err(other.into()),
        };
        let account = self.store.account_by_email(&email).await?;
        let (hash, totp_secret, totp_last_step) = match &account {
            Some((_, credentials)) => (
                credentials.password_hash.clone(),
                credentials.totp_secret.clone(),
                credentials.totp_last_step,
            ),
            // Spend the same time as for a real account, so timing does not reveal which exist.
            None => (auth::decoy_hash().to_owned(), None, None),
        };
        let first_factor_ok = match &attempt.proof {
            Proof::Password(password) => {
                auth::verify_password_blocking(password.clone(), hash).await? && account.is_some()
            }
            Proof::Challenge(challenge) => account
                .as_ref()
                .is_some_and(|(account, _)| account.id == challenge.account_id),
        };
        let totp_step = match (&totp_secret, first_factor_ok) {
            (Some(secret), true) => match &attempt.totp {
                None if ask_code => {
                    let Some((account, _)) = &account else {
                        return Err(wrong_credentials());
                    };
                    return self.challenge(account, attempt.client, now).await;
                }
                None => {
                    return Err(AppError::unauthenticated(
                        "totp_required",
                        "enter the code from your authenticator app",
                    ));
                }
                Some(code) => totp::verify(secret, code, now, totp_last_step).map(Some),
            },
            (None, true) => Some(None),
            (_, false) => None,
        };
        let audit = AuditContext {
            actor: account.as_ref().map_or(Actor::System, |(account, _)| {
                Actor::Account(account.id.clone())
            }),
            request_id,
        };
        let (Some(totp_step), Some((account, _))) = (totp_step, &account) else {
            // A failure for an address without an account is recorded on the platform's trail
            // under the address's hash: operators see credential stuffing, and the work done
            // is the same.
            let target = match &account {
                Some((account, _)) => account_target(&account.id),
                None => AuditTarget {
                    kind: TargetKind::Login,
                    id: secret::token_hash(email.as_str()),
                },
            };
            let mut events = vec![audit.event(
                self,
                AuditAction::LoginFailed,
                (None, None),
                target.clone(),
                vec![],
            )];
            if claimed.check(now).is_err() {
                // This attempt's claim started the lockout.
                events.push(audit.event(
                    self,
                    AuditAction::LoginLockedOut,
                    (None, None),
                    target,
                    vec![],
                ));
            }
            self.store.record_events(&events).await?;
            if let Proof::Challenge(challenge) = &attempt.proof {
                self.store
                    .sign_in_challenge_failed(&challenge.token_hash, CHALLENGE_ATTEMPTS)
                    .await?;
            }
            return Err(if first_factor_ok {
                AppError::unauthenticated(
                    "invalid_totp",
                    "the authenticator code is wrong or already used",
                )
            } else {
                wrong_credentials()
            });
        };
        let principal = self.principal(account);
        let all_memberships_disabled = !principal.partners.is_empty()
            && principal
                .partners
                .iter()
                .all(|s| s.status == MemberStatus::Disabled)
            && principal.site_admin_of.is_empty()
            && !principal.is_operator;
        if account.status == AccountStatus::Disabled || all_memberships_disabled {
            return Err(AppError::refused(
                "account_disabled",
                "this account is disabled; ask your administrator",
            ));
        }
        if self.password_refused_by_sso(account).await? {
            return Err(AppError::refused(
                "sso_required",
                "your team signs you in through its identity provider: choose \
                 \"Sign in with single sign-on\" and use your company account",
            ));
        }
        let (token, session) = self
            .new_session(account, &principal, attempt.client.clone(), true)
            .await?;
        let event = audit.event(
            self,
            AuditAction::LoginSucceeded,
            (None, None),
            account_target(&account.id),
            vec![],
        );
        let challenge = match &attempt.proof {
            Proof::Challenge(challenge) => Some(challenge.token_hash.as_str()),
            Proof::Password(_) => None,
        };
        self.store
            .start_session(&email, &session, totp_step, challenge, &event)
            .await?;
        Ok(SignIn::Done(NewSession {
            token,
            expires_at: session.expires_at,
            account_id: account.id.clone(),
            must_enrol: session.must_enrol,
        }))
    }

    /// A new session of `account`: its token (shown once) and the record storage keeps, with
    /// the lifetime the person's teams allow. `enrol`: whether the teams' two-step sign-in
    /// applies to this way of signing in — if it does and they have none, the session may
    /// do nothing but set it up.
    pub(crate) async fn new_session(
        &self,
        account: &Account,
        principal: &AccountPrincipal,
        client: Option<String>,
        enrol: bool,
    ) -> AppResult<(String, SessionRecord)> {
        let now = self.now();
        let policies = self.policies_for(principal).await?;
        let held = SecurityPolicy::strictest(policies.iter().map(|(_, p)| p));
        let token = secret::token_text(TokenKind::Session, random());
        let session = SessionRecord {
            id: self.new_id(SessionId::from_trusted),
            account_id: account.id.clone(),
            token_hash: secret::token_hash(&token),
            created_at: now,
            expires_at: now + held.session_lifetime(self.auth.session_ttl),
            client,
            must_enrol: enrol && held.require_two_factor && !account.totp_enabled,
        };
        Ok((token, session))
    }

    /// A challenge that waits for the authenticator's code of a sign-in whose password was
    /// right. The attempt's claim stays counted until the code comes, as a wrong one would.
    async fn challenge(
        &self,
        account: &Account,
        client: Option<String>,
        now: Timestamp,
    ) -> AppResult<SignIn> {
        let token = secret::token_text(TokenKind::SignIn, random());
        let challenge = SignInChallenge {
            token_hash: secret::token_hash(&token),
            account_id: account.id.clone(),
            client,
            expires_at: now + CHALLENGE_TTL,
            attempts: 0,
        };
        self.store.start_sign_in_challenge(&challenge, now).await?;
        Ok(SignIn::SecondFactor {
            challenge: token,
            expires_at: challenge.expires_at,
        })
    }

    /// The caller's sessions, oldest first, the one in use marked.
    pub async fn my_sessions(&self, caller: &Caller) -> AppResult<Vec<MySession>> {
        let account = caller.account()?;
        let sessions = self.store.account_sessions(&account.id, self.now()).await?;
        Ok(sessions
            .into_iter()
            .map(|s| MySession {
                current: caller.session.as_ref() == Some(&s.id),
                id: s.id,
                client: s.client,
                created_at: s.created_at,
                expires_at: s.expires_at,
            })
            .collect())
    }

    /// Ends one of the caller's own sessions (another's is not found).
    pub async fn end_my_session(&self, caller: &Caller, id: &SessionId) -> AppResult<()> {
        let account = caller.account()?;
        let mine = self.store.account_sessions(&account.id, self.now()).await?;
        if !mine.iter().any(|s| &s.id == id) {
            return Err(AppError::not_found());
        }
        let event = caller.audit.event(
            self,
            AuditAction::Logout,
            (None, None),
            account_target(&account.id),
            vec![FieldChange::changed("session", id.as_str(), "ended")],
        );
        self.store.end_session(id, &event).await?;
        Ok(())
    }

    /// Ends every session of the caller's account but the one in use: "sign out everywhere
    /// else".
    pub async fn end_my_other_sessions(&self, caller: &Caller) -> AppResult<()> {
        let account = caller.account()?;
        let Some(keep) = &caller.session else {
            return Err(AppError::forbidden());
        };
        let event = caller.audit.event(
            self,
            AuditAction::Logout,
            (None, None),
            account_target(&account.id),
            vec![FieldChange::changed("sessions", "others", "ended")],
        );
        self.store
            .end_other_sessions(&account.id, keep, &event)
            .await?;
        Ok(())
    }

    /// Ends the caller's session.
    pub async fn logout(&self, caller: &Caller) -> AppResult<()> {
        let account = caller.account()?;
        let session = caller.session.as_ref().ok_or_else(AppError::forbidden)?;
        let event = caller.audit.event(
            self,
            AuditAction::Logout,
            (None, None),
            account_target(&account.id),
            vec![],
        );
        self.store.end_session(session, &event).await?;
        Ok(())
    }

    /// The caller's own account, with its memberships and administered sites.
    pub fn me<'a>(&self, caller: &'a Caller) -> AppResult<Me<'a>> {
        let account = caller.account()?;
        let Principal::Account(holds) = &caller.principal else {
            return Err(AppError::forbidden());
        };
        Ok(Me { account, holds })
    }

    /// Starts enrolling a second factor: a secret for an authenticator app, which takes
    /// effect once confirmed with a code.
    pub async fn totp_enroll(&self, caller: &Caller) -> AppResult<TotpEnrollment> {
        let account = caller.account()?;
        if account.totp_enabled {
            return Err(AppError::conflict(
                "totp_already_enabled",
                "a second factor is already enabled; remove it first",
            ));
        }
        let secret = totp::secret_text(random());
        self.store.set_pending_totp(&account.id, &secret).await?;
        Ok(TotpEnrollment {
            otpauth_uri: totp::provisioning_uri(&secret, "Siteward", account.email.as_str()),
            secret,
        })
    }

    /// Confirms the pending second factor with a current code.
    pub async fn totp_confirm(&self, caller: &Caller, code: &str) -> AppResult<()> {
        let account = caller.account()?;
        let (_, credentials) = self.store.credentials(&account.id).await?;
        let pending = credentials.totp_pending_secret.ok_or_else(|| {
            AppError::conflict(
                "totp_not_pending",
                "start enrolment first (POST /v1/me/totp)",
            )
        })?;
        let step =
            totp::verify(&pending, code, self.now(), None).ok_or_else(not_the_current_code)?;
        let event = caller.audit.event(
            self,
            AuditAction::TotpEnabled,
            (None, None),
            account_target(&account.id),
            vec![FieldChange::changed("totp_enabled", false, true)],
        );
        self.store.enable_totp(&account.id, step, &event).await?;
        Ok(())
    }

    /// Removes the caller's second factor; takes a current code.
    pub async fn totp_remove(&self, caller: &Caller, code: &str) -> AppResult<()> {
        let account = caller.account()?;
        let (_, credentials) = self.store.credentials(&account.id).await?;
        let secret = credentials
            .totp_secret
            .ok_or_else(|| AppError::conflict("totp_not_enabled", "no second factor is enabled"))?;
        if let Principal::Account(principal) = &caller.principal {
            let policies = self.policies_for(principal).await?;
            if policies.iter().any(|(_, policy)| policy.require_two_factor) {
                return Err(AppError::conflict(
                    "two_factor_required",
                    "your team requires two-step sign-in, so it cannot be removed; an admin \
                     can reset it if your authenticator is lost",
                ));
            }
        }
        totp::verify(&secret, code, self.now(), credentials.totp_last_step)
            .ok_or_else(not_the_current_code)?;
        let event = caller.audit.event(
            self,
            AuditAction::TotpDisabled,
            (None, None),
            account_target(&account.id),
            vec![FieldChange::changed("totp_enabled", true, false)],
        );
        self.store.disable_totp(&account.id, &event).await?;
        Ok(())
    }

    /// Changes the caller's password. Every other session of the account ends (whoever
    /// signed in with the old password is signed out); the caller's own session stays.
    pub async fn change_password(
        &self,
        caller: &Caller,
        current: String,
        new: String,
    ) -> AppResult<()> {
        let account = caller.account()?;
        auth::new_password(
            "new_password",
            &new,
            &[account.email.as_str(), &account.name],
        )?;
        let (_, credentials) = self.store.credentials(&account.id).await?;
        if !auth::verify_password_blocking(current, credentials.password_hash).await? {
            return Err(
                FieldError::new("current_password", "is not the account's password").into(),
            );
        }
        let hash = auth::hash_password_blocking(new).await?;
        let event = caller.audit.event(
            self,
            AuditAction::PasswordChanged,
            (None, None),
            account_target(&account.id),
            vec![],
        );
        self.store
            .set_password(&account.id, &hash, caller.session.as_ref(), &event)
            .await?;
        Ok(())
    }

    /// Sets the language the console speaks to the caller (a language tag), or with `None`
    /// lets it follow the browser again. Which languages exist is the console's to say; this
    /// checks the tag's form.
    pub async fn set_my_language(&self, caller: &Caller, locale: Option<&str>) -> AppResult<()> {
        let account = caller.account()?;
        let locale = locale
            .map(|tag| siteward_core::validate::locale("locale", tag))
            .transpose()?;
        if account.locale == locale {
            return Ok(());
        }
        let event = caller.audit.event(
            self,
            AuditAction::AccountUpdated,
            (None, None),
            account_target(&account.id),
            // No language is no value: the browser's is used.
            vec![FieldChange {
                field: "locale".to_owned(),
                before: account.locale.clone(),
                after: locale.clone(),
            }],
        );
        self.store
            .set_account_locale(&account.id, locale.as_deref(), &event)
            .await?;
        Ok(())
    }

    /// Disables or re-enables an account platform-wide (operator only): `status` is `active`
    /// or `disabled`. A disabled account
    /// cannot sign in anywhere, its sessions end, and every check for it denies.
    pub async fn set_account_status(
        &self,
        caller: &Caller,
        id: &AccountId,
        status: &str,
    ) -> AppResult<()> {
        authorize(&caller.principal, Action::OperatePlatform)?;
        let status = AccountStatus::parse("status", status)?;
        let account = self.store.account(id).await?;
        if account.is_operator && caller.account.as_ref().is_some_and(|me| me.id == *id) {
            return Err(AppError::conflict(
                "cannot_disable_self",
                "an operator cannot disable their own account",
            ));
        }
        if account.status == status {
            return Ok(());
        }
        let event = caller.audit.event(
            self,
            AuditAction::AccountStatusChanged,
            (None, None),
            account_target(id),
            vec![FieldChange::changed("status", account.status, status)],
        );
        let change = Change::Account {
            account: id.key(),
            active: status == AccountStatus::Active,
        };
        self.permissions
            .commit([change], {
                let id = id.clone();
                move |store| async move { store.set_account_status(&id, status, &event).await }
            })
            .await?;
        Ok(())
    }
}
