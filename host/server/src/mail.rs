//! Delivering the outbox: SMTP through lettre, or `.eml` files when no SMTP server is
//! configured (never silently dropped). Each message keeps its Message-ID on every attempt, so
//! a retry after an unclear failure is recognisable as the same mail.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, SinglePart, header};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use siteward_core::mail::retry_delay;
use siteward_storage::OutboxMessage;

use tokio_util::sync::CancellationToken;

use crate::config::{MailConfig, MailSecurity};
use crate::state::{AppState, random};

/// Where mail goes.
#[derive(Debug, Clone)]
pub enum Transport {
    /// An SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// A folder of `.eml` files.
    Files(PathBuf),
}

/// How the worker delivers.
#[derive(Debug, Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    max_attempts: u32,
    retry_initial: chrono::Duration,
    retry_max: chrono::Duration,
    lease: chrono::Duration,
}

/// The mail configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The From address does not parse.
    #[error("mail.from {0:?} is not an address like `Name <user@example.com>`")]
    From(String),
    /// The SMTP transport could not be set up.
    #[error("cannot set up SMTP to {host}: {source}")]
    Smtp {
        /// The server.
        host: String,
        /// Why.
        source: lettre::transport::smtp::Error,
    },
}

impl Mailer {
    /// The mailer the configuration describes; without an SMTP host, `.eml` files in `mail_dir`.
    pub fn from_config(config: &MailConfig, mail_dir: PathBuf) -> Result<Self, MailError> {
        let transport = if config.smtp_host.is_empty() {
            Transport::Files(mail_dir)
        } else {
            let smtp_error = |source| MailError::Smtp {
                host: config.smtp_host.clone(),
                source,
            };
            let mut builder = match config.security {
                MailSecurity::Starttls => {
                    AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.smtp_host)
                        .map_err(smtp_error)?
                }
                MailSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.smtp_host)
                    .map_err(smtp_error)?,
                MailSecurity::None => {
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.smtp_host)
                }
            }
            .port(config.smtp_port)
            .timeout(Some(Duration::from_secs(30)));
            if let (Some(user), Some(password)) = (&config.username, &config.password) {
                builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
            }
            Transport::Smtp(builder.build())
        };
        Ok(Self {
            transport,
            from: config
                .from
                .parse()
                .map_err(|_| MailError::From(config.from.clone()))?,
            max_attempts: config.max_attempts.max(1),
            retry_initial: chrono::Duration::seconds(i64::from(config.retry_initial_seconds)),
            retry_max: chrono::Duration::seconds(i64::from(config.retry_max_seconds)),
            lease: chrono::Duration::seconds(i64::from(config.lease_seconds.max(1))),
        })
    }

    /// Where mail goes, for the start-up log line.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "SMTP".to_owned(),
            Transport::Files(dir) => format!(
                "no SMTP server configured: emails are written as .eml files to {}",
                dir.display()
            ),
        }
    }

    fn message(&self, outgoing: &OutboxMessage) -> Result<Message, String> {
        let to: Mailbox = outgoing
            .recipient
            .parse()
            .map_err(|e| format!("recipient {}: {e}", outgoing.recipient))?;
        let text = outgoing.text.clone().ok_or("the message body is gone")?;
        let html = outgoing.html.clone().unwrap_or_default();
        let body = if html.is_empty() {
            MultiPart::alternative().singlepart(SinglePart::plain(text))
        } else {
            MultiPart::alternative()
                .singlepart(SinglePart::plain(text))
                .singlepart(
                    SinglePart::builder()
                        .header(header::ContentType::TEXT_HTML)
                        .body(html),
                )
        };
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(outgoing.subject.clone())
            .message_id(Some(outgoing.message_id.clone()))
            .multipart(body)
            .map_err(|e| e.to_string())
    }

    /// Sends one message.
    pub async fn send(&self, outgoing: &OutboxMessage) -> Result<(), SendError> {
        let message = self.message(outgoing).map_err(SendError::permanent)?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(drop).map_err(|e| SendError {
                // A 5xx reply (no such mailbox, refused by policy) will not change on a retry.
                permanent: e.is_permanent(),
                reply: e.to_string(),
            }),
            Transport::Files(dir) => {
                let bytes = message.formatted();
                let path = dir.join(format!("{}.eml", outgoing.id));
                let temporary = dir.join(format!(".{}.eml.tmp", outgoing.id));
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(SendError::transient)?;
                tokio::fs::write(&temporary, bytes)
                    .await
                    .map_err(SendError::transient)?;
                tokio::fs::rename(&temporary, &path)
                    .await
                    .map_err(SendError::transient)?;
                tracing::info!(path = %path.display(), to = %outgoing.recipient, "no SMTP server configured: wrote the email to a file");
                Ok(())
            }
        }
    }
}

/// Why a message was not sent.
#[derive(Debug)]
pub struct SendError {
    /// Whether trying again cannot help: the server answered 5xx, or the message cannot be
    /// built.
    pub permanent: bool,
    /// What went wrong, with the server's reply; shown on the invitation.
    pub reply: String,
}

impl SendError {
    fn permanent(reply: impl ToString) -> Self {
        Self {
            permanent: true,
            reply: reply.to_string(),
        }
    }

    fn transient(reply: impl ToString) -> Self {
        Self {
            permanent: false,
            reply: reply.to_string(),
        }
    }
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reply)
    }
}

/// Messages claimed per round.
const BATCH: u32 = 32;

/// Delivers every message due now; returns how many were attempted.
pub async fn deliver_due(
    state: &AppState,
    mailer: &Mailer,
) -> Result<usize, siteward_storage::StorageError> {
    let mut attempted = 0;
    loop {
        let now = state.now();
        let due = state
            .store
            .claim_due_messages(now, now + mailer.lease, BATCH)
            .await?;
        if due.is_empty() {
            return Ok(attempted);
        }
        attempted += due.len();
        for message in due {
            let attempts = message.attempts + 1;
            match mailer.send(&message).await {
                Ok(()) => {
                    state
                        .store
                        .mark_message_sent(&message.id, attempts, state.now())
                        .await?
                }
                Err(error) if error.permanent || attempts >= mailer.max_attempts => {
                    tracing::warn!(message = %message.id, to = %message.recipient, %error, attempts, permanent = error.permanent, "giving up on an email");
                    state
                        .store
                        .mark_message_failed(&message.id, attempts, &error.reply)
                        .await?;
                }
                Err(error) => {
                    let random = u32::from_le_bytes(random());
                    let next = state.now()
                        + retry_delay(attempts, mailer.retry_initial, mailer.retry_max, random);
                    tracing::info!(message = %message.id, %error, attempts, next = %next, "email delivery failed; will retry");
                    state
                        .store
                        .mark_message_retry(&message.id, attempts, next, &error.reply)
                        .await?;
                }
            }
        }
    }
}

/// The delivery worker: delivers what is due, then waits to be woken by new mail or for the
/// next poll (retries and mail written by other hosts). Stops when `stop` is cancelled,
/// after the round in hand.
pub async fn run_delivery(
    state: AppState,
    mailer: Mailer,
    poll: Duration,
    stop: CancellationToken,
) {
    loop {
        if let Err(error) = deliver_due(&state, &mailer).await {
            tracing::error!(%error, "email delivery round failed");
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = state.mail_ready.notified() => {}
            () = tokio::time::sleep(poll) => {}
        }
    }
}
