//! Accounts, their login state, sessions, and the second factor.

use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

use siteward_core::Timestamp;
use siteward_core::account::Account;
use siteward_core::audit::AuditEvent;
use siteward_core::ids::{AccountId, SessionId};
use siteward_core::validate::Email;

use crate::error::{Conflict, StorageError};
use crate::outbox::{OutboxMessage, OutboxRow};
use crate::rows::{AccountRow, key, rid};
use crate::{Store, tx::Tx};

/// An account to create, with its password already hashed.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// The account.
    pub account: Account,
    /// Its argon2id password hash (PHC string).
    pub password_hash: String,
}

impl NewAccount {
    pub(crate) fn row(&self) -> AccountRow {
        AccountRow {
            id: rid("account", self.account.id.as_str()),
            email: self.account.email.to_string(),
            name: self.account.name.clone(),
            password_hash: self.password_hash.clone(),
            status: self.account.status.as_str().to_owned(),
            is_operator: self.account.is_operator,
            totp_secret: None,
            totp_pending_secret: None,
            totp_last_step: None,
            email_skeleton: self.account.email.skeleton(),
            locale: self.account.locale.clone(),
            created_at: self.account.created_at,
        }
    }

    /// Adds the statements that create this account, refusing a taken email as a conflict.
    /// An address that looks like an existing one counts as taken.
    pub(crate) fn insert(&self, tx: &mut Tx, name: &str) {
        tx.bind(&format!("{name}_email"), self.account.email.to_string())
            .bind(&format!("{name}_skeleton"), self.account.email.skeleton())
            .guard(
                format!(
                    "IF array::len(SELECT id FROM account WHERE email = ${name}_email \
                     OR email_skeleton = ${name}_skeleton) > 0 {{ THROW 'email_taken' }}"
                ),
                Conflict::EmailTaken,
            )
            .bind(name, self.row())
            .guard(format!("INSERT INTO account ${name}"), Conflict::EmailTaken);
    }
}

/// What login checks an account against.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The argon2id hash of the password.
    pub password_hash: String,
    /// The confirmed TOTP secret, if a second factor is enabled.
    pub totp_secret: Option<String>,
    /// A TOTP secret issued but not yet confirmed with a code.
    pub totp_pending_secret: Option<String>,
    /// The last TOTP time step used, to refuse replays.
    pub totp_last_step: Option<i64>,
}

/// A login session as stored (the token itself only as its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// The session's id.
    pub id: SessionId,
    /// Whose session it is.
    pub account_id: AccountId,
    /// SHA-256 of the bearer token.
    pub token_hash: String,
    /// When it started.
    pub created_at: Timestamp,
    /// When it stops being accepted.
    pub expires_at: Timestamp,
    /// Where it was started: the browser or client, and the address.
    pub client: Option<String>,
    /// Whether it was started by someone a team asks to enrol in two-step sign-in who had
    /// not yet: it may do nothing else until they have.
    pub must_enrol: bool,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct SessionRow {
    id: surrealdb::types::RecordId,
    token_hash: String,
    account_id: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    client: Option<String>,
    must_enrol: Option<bool>,
}

impl SessionRow {
    fn into_record(self) -> SessionRecord {
        SessionRecord {
            id: SessionId::from_trusted(key(&self.id)),
            account_id: AccountId::from_trusted(self.account_id),
            token_hash: self.token_hash,
            created_at: self.created_at,
            expires_at: self.expires_at,
            client: self.client,
            must_enrol: self.must_enrol.unwrap_or(false),
        }
    }
}

impl AccountRow {
    fn into_credentials(self) -> Result<(Account, Credentials), StorageError> {
        let account = self.to_account()?;
        let credentials = Credentials {
            password_hash: self.password_hash,
            totp_secret: self.totp_secret,
            totp_pending_secret: self.totp_pending_secret,
            totp_last_step: self.totp_last_step,
        };
        Ok((account, credentials))
    }
}

impl Store {
    /// Whether any operator account exists.
    pub async fn operator_exists(&self) -> Result<bool, StorageError> {
        let ids: Vec<surrealdb::types::RecordId> = self
            .db
            .query("SELECT VALUE id FROM account WHERE is_operator = true LIMIT 1")
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(!ids.is_empty())
    }

    /// Creates an operator account.
    pub async fn create_operator(
        &self,
        new: &NewAccount,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        new.insert(&mut tx, "account");
        tx.audit(event);
        tx.commit(self).await
    }

    /// Finds an account by email, with what login needs to check it.
    pub async fn account_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<(Account, Credentials)>, StorageError> {
        let row: Option<AccountRow> = self
            .db
            .query("SELECT * FROM ONLY account WHERE email = $email LIMIT 1")
            .bind(("email", email.to_string()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        row.map(AccountRow::into_credentials).transpose()
    }

    /// Reads an account.
    pub async fn account(&self, id: &AccountId) -> Result<Account, StorageError> {
        self.account_row(id).await?.to_account()
    }

    /// Reads the accounts with these ids (those that exist), in no particular order.
    pub async fn accounts(&self, ids: &[AccountId]) -> Result<Vec<Account>, StorageError> {
        let ids = ids.iter().map(|id| rid("account", id.as_str())).collect();
        let rows: Vec<AccountRow> = self.records(ids).await?;
        rows.iter().map(AccountRow::to_account).collect()
    }

    pub(crate) async fn account_row(&self, id: &AccountId) -> Result<AccountRow, StorageError> {
        let row: Option<AccountRow> = self
            .db
            .select(rid("account", id.as_str()))
            .await
            .map_err(StorageError::backend)?;
        row.ok_or(StorageError::NotFound)
    }

    /// Reads an account with its login state.
    pub async fn credentials(
        &self,
        id: &AccountId,
    ) -> Result<(Account, Credentials), StorageError> {
        self.account_row(id).await?.into_credentials()
    }

    /// Records audit events that go with no other write: a failed login's (the attempt was
    /// counted when it was claimed), a policy's decision about a refused invitation.
    pub async fn record_events(&self, events: &[AuditEvent]) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.audit_all(events);
        tx.commit(self).await
    }

    /// Starts a session after a successful login with `email`: clears the address's failure
    /// count, records the TOTP step used (if any), stores the session and the audit event.
    pub async fn start_session(
        &self,
        email: &Email,
        session: &SessionRecord,
        totp_step: Option<i64>,
        challenge: Option<&str>,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        if let Some(token_hash) = challenge {
            // The second step of a sign-in ends its challenge: it starts one session, once.
            tx.bind("challenge", rid("sign_in_challenge", token_hash))
                .guard(
                    "IF (SELECT VALUE id FROM ONLY $challenge) = NONE { THROW 'gone' }",
                    Conflict::SignInChallengeGone,
                )
                .run("DELETE $challenge");
        }
        tx.bind("throttle", crate::throttle::record(email))
            .run("DELETE $throttle")
            .bind("account", rid("account", session.account_id.as_str()));
        if let Some(step) = totp_step {
            // Refuse the step if a concurrent login already used it: the replay guard.
            tx.bind("step", step).guard(
                "IF (SELECT VALUE totp_last_step FROM ONLY $account) >= $step { THROW 'totp_replayed' }",
                Conflict::Concurrent,
            );
            tx.run("UPDATE $account SET totp_last_step = $step");
        }
        tx.bind(
            "new_session",
            SessionRow {
                id: rid("session", session.id.as_str()),
                token_hash: session.token_hash.clone(),
                account_id: session.account_id.to_string(),
                created_at: session.created_at,
                expires_at: session.expires_at,
                client: session.client.clone(),
                must_enrol: Some(session.must_enrol),
            },
        )
        .run("INSERT INTO session $new_session")
        .audit(event);
        tx.commit(self).await
    }

    /// Finds the unexpired session with this token hash.
    pub async fn session_by_hash(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<SessionRecord>, StorageError> {
        let row: Option<SessionRow> = self
            .db
            .query(
                "SELECT * FROM ONLY session WHERE token_hash = $hash AND expires_at > $now LIMIT 1",
            )
            .bind(("hash", token_hash.to_owned()))
            .bind(("now", now))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(row.map(SessionRow::into_record))
    }

    /// An account's unexpired sessions, oldest first.
    pub async fn account_sessions(
        &self,
        account: &AccountId,
        now: Timestamp,
    ) -> Result<Vec<SessionRecord>, StorageError> {
        let rows: Vec<SessionRow> = self
            .db
            .query(
                "SELECT * FROM session WHERE account_id = $account AND expires_at > $now \
                 ORDER BY created_at, id",
            )
            .bind(("account", account.to_string()))
            .bind(("now", now))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(rows.into_iter().map(SessionRow::into_record).collect())
    }

    /// Ends every session of an account but `keep`, with the audit event.
    pub async fn end_other_sessions(
        &self,
        account: &AccountId,
        keep: &SessionId,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("account_id", account.to_string())
            .bind("keep", rid("session", keep.as_str()))
            .run("DELETE session WHERE account_id = $account_id AND id != $keep")
            .audit(event);
        tx.commit(self).await
    }

    /// Ends a session.
    pub async fn end_session(
        &self,
        session: &SessionId,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("ended_session", rid("session", session.as_str()))
            .run("DELETE $ended_session")
            .audit(event);
        tx.commit(self).await
    }

    /// Disables or re-enables an account platform-wide; disabling also ends its sessions.
    pub async fn set_account_status(
        &self,
        account: &AccountId,
        status: siteward_core::account::AccountStatus,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("account", rid("account", account.as_str()))
            .bind("account_id", account.to_string())
            .bind("status", status.as_str())
            .run("UPDATE $account SET status = $status");
        if status == siteward_core::account::AccountStatus::Disabled {
            tx.run("DELETE session WHERE account_id = $account_id");
        }
        tx.audit(event);
        tx.commit(self).await
    }

    /// Replaces an account's password hash and ends every session of the account but `keep`
    /// (the one that changed it): whoever else was signed in with the old password is out.
    pub async fn set_password(
        &self,
        account: &AccountId,
        password_hash: &str,
        keep: Option<&SessionId>,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("account", rid("account", account.as_str()))
            .bind("account_id", account.to_string())
            .bind("hash", password_hash.to_owned())
            .bind("keep", keep.map(|id| rid("session", id.as_str())))
            .run("UPDATE $account SET password_hash = $hash")
            .run("DELETE session WHERE account_id = $account_id AND id != $keep")
            .audit(event);
        tx.commit(self).await
    }

    /// Sets or clears the console language an account's owner chose, with the audit event.
    pub async fn set_account_locale(
        &self,
        account: &AccountId,
        locale: Option<&str>,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("account", rid("account", account.as_str()))
            .bind("locale", locale.map(str::to_owned))
            .run("UPDATE $account SET locale = $locale")
            .audit(event);
        tx.commit(self).await
    }

    /// Stores a TOTP secret that waits for confirmation with a code.
    pub async fn set_pending_totp(
        &self,
        account: &AccountId,
        secret: &str,
    ) -> Result<(), StorageError> {
        self.db
            .query("UPDATE $account SET totp_pending_secret = $secret")
            .bind(("account", rid("account", account.as_str())))
            .bind(("secret", secret.to_owned()))
            .await
            .and_then(|r| r.check())
            .map_err(StorageError::backend)?;
        Ok(())
    }

    /// Turns the pending secret into the account's second factor.
    pub async fn enable_totp(
        &self,
        account: &AccountId,
        step: i64,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("account", rid("account", account.as_str()))
            .bind("step", step)
            .run("UPDATE $account SET totp_secret = totp_pending_secret, totp_pending_secret = NONE, totp_last_step = $step")
            .audit(event);
        tx.commit(self).await
    }

    /// Removes the account's second factor (by its owner, or an admin's reset).
    pub async fn disable_totp(
        &self,
        account: &AccountId,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("account", rid("account", account.as_str()))
            .run("UPDATE $account SET totp_secret = NONE, totp_pending_secret = NONE, totp_last_step = NONE")
            .audit(event);
        tx.commit(self).await
    }

    /// Keeps a sign-in whose password was right until its authenticator code comes; the
    /// challenges that ran out are deleted on the way.
    pub async fn start_sign_in_challenge(
        &self,
        challenge: &SignInChallenge,
        now: Timestamp,
    ) -> Result<(), StorageError> {
        let row = SignInChallengeRow {
            id: rid("sign_in_challenge", &challenge.token_hash),
            account_id: challenge.account_id.to_string(),
            client: challenge.client.clone(),
            expires_at: challenge.expires_at,
            attempts: i64::from(challenge.attempts),
        };
        let mut tx = Tx::new();
        tx.bind("now", now)
            .bind("challenge", row)
            .run("DELETE sign_in_challenge WHERE expires_at <= $now")
            .run("INSERT INTO sign_in_challenge $challenge");
        tx.commit(self).await
    }

    /// The sign-in challenge with this token hash, unless it ran out at `now`.
    pub async fn sign_in_challenge(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<SignInChallenge>, StorageError> {
        let row: Option<SignInChallengeRow> = self
            .db
            .select(rid("sign_in_challenge", token_hash))
            .await
            .map_err(StorageError::backend)?;
        Ok(row.filter(|r| r.expires_at > now).map(|r| SignInChallenge {
            token_hash: token_hash.to_owned(),
            account_id: AccountId::from_trusted(r.account_id),
            client: r.client,
            expires_at: r.expires_at,
            attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
        }))
    }

    /// Counts a wrong code against a sign-in challenge; the one that reaches `max` ends it.
    pub async fn sign_in_challenge_failed(
        &self,
        token_hash: &str,
        max: u32,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("challenge", rid("sign_in_challenge", token_hash))
            .bind("max", i64::from(max))
            .run("UPDATE $challenge SET attempts += 1")
            .run("DELETE $challenge WHERE attempts >= $max");
        tx.commit(self).await
    }

    /// When the account's open password reset link was made, if it has one.
    pub async fn password_reset_made(
        &self,
        account: &AccountId,
    ) -> Result<Option<Timestamp>, StorageError> {
        let row: Option<PasswordResetRow> = self
            .db
            .select(rid("password_reset", account.as_str()))
            .await
            .map_err(StorageError::backend)?;
        Ok(row.map(|r| r.created_at))
    }

    /// Opens a password reset link for an account (replacing any earlier one) and queues the
    /// email that carries it, with its audit event: all or nothing.
    pub async fn start_password_reset(
        &self,
        reset: &PasswordReset,
        message: &OutboxMessage,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let row = PasswordResetRow {
            id: rid("password_reset", reset.account_id.as_str()),
            account_id: reset.account_id.to_string(),
            token_hash: reset.token_hash.clone(),
            created_at: reset.created_at,
            expires_at: reset.expires_at,
        };
        let mut tx = Tx::new();
        tx.bind("reset_id", rid("password_reset", reset.account_id.as_str()))
            .bind("reset", row)
            .bind("message", OutboxRow::from_message(message))
            .run("UPSERT $reset_id CONTENT $reset")
            .run("INSERT INTO outbox_message $message")
            .audit(event);
        tx.commit(self).await
    }

    /// The open password reset link with this token hash.
    pub async fn password_reset(
        &self,
        token_hash: &str,
    ) -> Result<Option<PasswordReset>, StorageError> {
        let row: Option<PasswordResetRow> = self
            .db
            .query("SELECT * FROM ONLY password_reset WHERE token_hash = $hash LIMIT 1")
            .bind(("hash", token_hash.to_owned()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(row.map(|r| PasswordReset {
            account_id: AccountId::from_trusted(r.account_id),
            token_hash: r.token_hash,
            created_at: r.created_at,
            expires_at: r.expires_at,
        }))
    }

    /// Uses a password reset link: the account gets the new password hash, every one of its
    /// sessions ends, and the link is gone — unless it was used or replaced meanwhile
    /// ([`Conflict::ResetLinkGone`]).
    pub async fn finish_password_reset(
        &self,
        reset: &PasswordReset,
        password_hash: &str,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("reset", rid("password_reset", reset.account_id.as_str()))
            .bind("token_hash", reset.token_hash.clone())
            .guard(
                "IF (SELECT VALUE token_hash FROM ONLY $reset) != $token_hash { THROW 'gone' }",
                Conflict::ResetLinkGone,
            )
            .bind("account", rid("account", reset.account_id.as_str()))
            .bind("account_id", reset.account_id.to_string())
            .bind("hash", password_hash.to_owned())
            .run("DELETE $reset")
            .run("UPDATE $account SET password_hash = $hash")
            .run("DELETE session WHERE account_id = $account_id")
            .audit(event);
        tx.commit(self).await
    }
}

/// A sign-in whose password was right, waiting for the authenticator's code; kept by the hash
/// of the token the browser holds for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInChallenge {
    /// The hash of its token.
    pub token_hash: String,
    /// Who is signing in.
    pub account_id: AccountId,
    /// Where the sign-in comes from, for the session it starts.
    pub client: Option<String>,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// Wrong codes given so far.
    pub attempts: u32,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct SignInChallengeRow {
    id: surrealdb::types::RecordId,
    account_id: String,
    client: Option<String>,
    expires_at: DateTime<Utc>,
    attempts: i64,
}

/// An open password reset link: one per account, kept by its token's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReset {
    /// Whose password it resets.
    pub account_id: AccountId,
    /// The hash of the link's token.
    pub token_hash: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct PasswordResetRow {
    id: surrealdb::types::RecordId,
    account_id: String,
    token_hash: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}
