//! A forgotten password: a link by email, through the outbox, to the address's account; the
//! link sets a new password once and ends every session of the account. Two-step sign-in
//! stays on: the next sign-in still asks for the authenticator's code.
//!
//! Asking answers the same whether an account has the address or not, and an account gets at
//! most one email per [`RESEND_AFTER`] however often it is asked for (the frontend also limits
//! asks per client address).

use chrono::Duration;

use siteward_core::FieldError;
use siteward_core::account::{Account, AccountStatus};
use siteward_core::audit::{Actor, AuditAction};
use siteward_core::ids::OutboxMessageId;
use siteward_core::mail::escape_html;
use siteward_core::secret::{self, TokenKind};
use siteward_core::validate::Email;
use siteward_storage::{Conflict, OutboxMessage, PasswordReset, StorageError};

use crate::auth;
use crate::error::{AppError, AppResult};
use crate::services::{App, AuditContext, random};
use crate::session::account_target;

/// How long a reset link works.
pub const LINK_LIFETIME: Duration = Duration::hours(1);
/// How soon another email may go to the same account.
pub const RESEND_AFTER: Duration = Duration::minutes(5);

/// What a link that no longer works answers.
fn link_gone() -> AppError {
    AppError::conflict(
        "reset_link_gone",
        "this password reset link no longer works: it was used, a newer one was sent, or its hour passed; ask for a new one",
    )
}

impl App {
    /// Sends a password reset link to the account with this address, if there is an active
    /// one and it was not sent one in the last few minutes. Answers the same either way.
    pub async fn request_password_reset(
        &self,
        email: &str,
        request_id: Option<String>,
    ) -> AppResult<()> {
        let email = Email::parse("email", email.trim())?;
        let Some((account, _)) = self.store.account_by_email(&email).await? else {
            return Ok(());
        };
        if account.status != AccountStatus::Active {
            return Ok(());
        }
        let now = self.now();
        if let Some(made) = self.store.password_reset_made(&account.id).await?
            && now < made + RESEND_AFTER
        {
            return Ok(());
        }
        let token = secret::token_text(TokenKind::PasswordReset, random());
        let reset = PasswordReset {
            account_id: account.id.clone(),
            token_hash: secret::token_hash(&token),
            created_at: now,
            expires_at: now + LINK_LIFETIME,
        };
        let link = format!("{}/reset-password?token={token}", self.public_url);
        let (subject, html, text) = reset_email(&account, &link);
        let message = OutboxMessage::pending(
            self.new_id(OutboxMessageId::from_trusted),
            &self.message_id_domain,
            None,
            None,
            account.email.to_string(),
            subject,
            Some(html),
            Some(text),
            now,
        );
        let event = AuditContext {
            actor: Actor::System,
            request_id,
        }
        .event(
            self,
            AuditAction::PasswordResetRequested,
            (None, None),
            account_target(&account.id),
            vec![],
        );
        self.queue_mail(move |store| async move {
            store.start_password_reset(&reset, &message, &event).await
        })
        .await?;
        Ok(())
    }

    /// The account a reset link is for, while it works.
    pub async fn password_reset_account(&self, token: &str) -> AppResult<Account> {
        let reset = self.open_reset(token).await?;
        Ok(self.store.account(&reset.account_id).await?)
    }

    /// Sets a new password through a reset link: the link is used up, and every session of
    /// the account ends. Returns the account, for the frontend to say whose password changed.
    pub async fn reset_password(
        &self,
        token: &str,
        new_password: String,
        request_id: Option<String>,
    ) -> AppResult<Account> {
        let reset = self.open_reset(token).await?;
        let account = self.store.account(&reset.account_id).await?;
        auth::new_password(
            "password",
            &new_password,
            &[account.email.as_str(), &account.name],
        )?;
        let hash = auth::hash_password_blocking(new_password).await?;
        let event = AuditContext {
            actor: Actor::Account(account.id.clone()),
            request_id,
        }
        .event(
            self,
            AuditAction::PasswordReset,
            (None, None),
            account_target(&account.id),
            vec![],
        );
        self.store
            .finish_password_reset(&reset, &hash, &event)
            .await
            .map_err(|error| match error {
                StorageError::Conflict(Conflict::ResetLinkGone) => link_gone(),
                other => other.into(),
            })?;
        Ok(account)
    }

    /// The open reset behind a link's token, or why the link does not work.
    async fn open_reset(&self, token: &str) -> AppResult<PasswordReset> {
        if !secret::is_token_text(TokenKind::PasswordReset, token) {
            return Err(FieldError::new("token", "is not a password reset link's token").into());
        }
        let reset = self
            .store
            .password_reset(&secret::token_hash(token))
            .await?
            .filter(|reset| self.now() < reset.expires_at)
            .ok_or_else(link_gone)?;
        Ok(reset)
    }
}

/// The reset email: subject, HTML and text.
fn reset_email(account: &Account, link: &str) -> (String, String, String) {
    let subject = "Reset your Siteward password".to_owned();
    let name = escape_html(&account.name);
    let href = escape_html(link);
    let html = format!(
        "<!doctype html><html lang=\"en\"><body style=\"font-family: sans-serif\">\
         <p>Hello {name},</p>\
         <p>Someone asked to reset the password of your Siteward account. If it was you, choose \
         a new password here; the link works once, for one hour.</p>\
         <p><a href=\"{href}\" style=\"display:inline-block;padding:10px 18px;background:#0b57d0;\
         color:#ffffff;text-decoration:none;border-radius:6px\">Choose a new password</a></p>\
         <p>If it was not you, ignore this email: your password stays as it is.</p>\
         </body></html>"
    );
    let text = format!(
        "Hello {},\n\nSomeone asked to reset the password of your Siteward account. If it was \
         you, choose a new password here; the link works once, for one hour:\n\n{link}\n\n\
         If it was not you, ignore this email: your password stays as it is.\n",
        account.name
    );
    (subject, html, text)
}
