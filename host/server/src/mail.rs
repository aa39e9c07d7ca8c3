//! Delivering the outbox: SMTP (see [`smtp`]), or `.eml` files when no SMTP server is
//! configured (never silently dropped). The worker claims a batch of due messages under a
//! lease, sends them over several connections at once, and records every outcome of the batch
//! in one transaction. Each message keeps its Message-ID on every attempt, so a retry after an
//! unclear failure is recognisable as the same mail.

pub mod smtp;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::Message;
use lettre::message::{Mailbox, MultiPart, SinglePart, header};

use siteward_core::mail::retry_delay;
use siteward_storage::{Delivered, OutboxMessage, StorageError};

use tokio_util::sync::CancellationToken;

use crate::config::MailConfig;
use crate::state::{AppState, random};

use self::smtp::{Failure, Outgoing, Smtp};

/// Where mail goes.
#[derive(Debug, Clone)]
pub enum Transport {
    /// An SMTP server.
    Smtp(Arc<Smtp>),
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
    /// The SMTP settings cannot be used.
    #[error(transparent)]
    Smtp(#[from] smtp::SetupError),
}

impl Mailer {
    /// The mailer the configuration describes; without an SMTP host, `.eml` files in `mail_dir`.
    pub fn from_config(config: &MailConfig, mail_dir: PathBuf) -> Result<Self, MailError> {
        let transport = if config.smtp_host.is_empty() {
            Transport::Files(mail_dir)
        } else {
            Transport::Smtp(Arc::new(Smtp::new(config)?))
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
            Transport::Smtp(smtp) => format!("SMTP, {} connections", smtp.connections()),
            Transport::Files(dir) => format!(
                "no SMTP server configured: emails are written as .eml files to {}",
                dir.display()
            ),
        }
    }

    /// How many messages one round claims: enough to keep every connection busy for a while,
    /// few enough that a slow server finishes them well inside the lease.
    fn batch(&self) -> u32 {
        match &self.transport {
            Transport::Smtp(smtp) => u32::try_from(smtp.connections() * 64).unwrap_or(u32::MAX),
            Transport::Files(_) => 32,
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

    /// What to record for an attempt that ended with `answer`.
    fn outcome(
        &self,
        message: &OutboxMessage,
        answer: Result<(), SendError>,
        now: siteward_core::Timestamp,
    ) -> Delivered {
        let attempts = message.attempts + 1;
        let id = message.id.clone();
        match answer {
            Ok(()) => Delivered::sent(id, attempts),
            Err(error) if error.permanent || attempts >= self.max_attempts => {
                tracing::warn!(message = %message.id, to = %message.recipient, %error, attempts, permanent = error.permanent, "giving up on an email");
                Delivered::failed(id, attempts, error.reply)
            }
            Err(error) => {
                let random = u32::from_le_bytes(random());
                let next = now + retry_delay(attempts, self.retry_initial, self.retry_max, random);
                tracing::info!(message = %message.id, %error, attempts, next = %next, "email delivery failed; will retry");
                Delivered::retry(id, attempts, next, error.reply)
            }
        }
    }
}

/// Writes a message as `<dir>/<id>.eml`, whole or not at all.
async fn write_file(
    dir: &std::path::Path,
    outgoing: &OutboxMessage,
    message: &Message,
) -> Result<(), SendError> {
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

/// Delivers every message due now; returns how many were attempted.
///
/// Over SMTP, each round's messages are shared among the connections, which send side by side;
/// their outcomes are written together every few milliseconds (see [`Journal`]).
pub async fn deliver_due(state: &AppState, mailer: &Mailer) -> Result<usize, StorageError> {
    deliver_until(state, mailer, &CancellationToken::new()).await
}

/// As [`deliver_due`], but once `stop` is cancelled no further round is claimed: the round in
/// hand is sent and its outcomes written, so a host told to stop sends nothing twice.
pub async fn deliver_until(
    state: &AppState,
    mailer: &Mailer,
    stop: &CancellationToken,
) -> Result<usize, StorageError> {
    let mut attempted = 0;
    loop {
        if stop.is_cancelled() {
            return Ok(attempted);
        }
        let now = state.now();
        let due = state
            .store
            .claim_due_messages(now, now + mailer.lease, mailer.batch())
            .await?;
        if due.is_empty() {
            return Ok(attempted);
        }
        attempted += due.len();
        match &mailer.transport {
            Transport::Smtp(smtp) => deliver_over_smtp(state, mailer, smtp, due).await?,
            Transport::Files(dir) => {
                for message in due {
                    let answer = match mailer.message(&message) {
                        Ok(built) => write_file(dir, &message, &built).await,
                        Err(reason) => Err(SendError::permanent(reason)),
                    };
                    let outcome = mailer.outcome(&message, answer, state.now());
                    state
                        .store
                        .record_deliveries(&[outcome], state.now())
                        .await?;
                }
            }
        }
    }
}

/// One round over SMTP: the messages dealt out to the connections in turn, their outcomes
/// journaled as they come.
async fn deliver_over_smtp(
    state: &AppState,
    mailer: &Mailer,
    smtp: &Arc<Smtp>,
    due: Vec<OutboxMessage>,
) -> Result<(), StorageError> {
    let journal = Arc::new(Journal::default());
    let lanes = smtp.connections().min(due.len()).max(1);
    let mut work: Vec<Vec<OutboxMessage>> = (0..lanes).map(|_| Vec::new()).collect();
    for (n, message) in due.into_iter().enumerate() {
        work[n % lanes].push(message);
    }
    let mut senders = tokio::task::JoinSet::new();
    for messages in work {
        let (mailer, journal, mut sender) = (mailer.clone(), Arc::clone(&journal), smtp.sender());
        let state = state.clone();
        senders.spawn(async move {
            for message in messages {
                let answer = match mailer.message(&message) {
                    Ok(built) => sender
                        .send(&Outgoing {
                            envelope: built.envelope().clone(),
                            bytes: built.formatted(),
                        })
                        .await
                        .map_err(|failure| match failure {
                            // A 5xx reply (no such mailbox, refused by policy) will not change
                            // on a retry.
                            Failure::Refused(reply) => SendError::permanent(reply),
                            Failure::Transient(reply) => SendError::transient(reply),
                        }),
                    Err(reason) => Err(SendError::permanent(reason)),
                };
                journal.add(mailer.outcome(&message, answer, state.now()));
            }
        });
    }
    let sending = async {
        while let Some(done) = senders.join_next().await {
            if let Err(error) = done {
                tracing::error!(%error, "an SMTP sending task ended abnormally");
            }
        }
    };
    journal.write_while(state, sending).await
}

/// Delivery outcomes on their way to storage. Senders add them without waiting; the writer
/// stores what has gathered every [`JOURNAL_INTERVAL`] (or as soon as it is idle again), in
/// one transaction. A host killed mid-round therefore sends again only the messages accepted
/// in its last few milliseconds — the same messages, with the same Message-IDs.
#[derive(Debug, Default)]
struct Journal {
    waiting: std::sync::Mutex<Vec<Delivered>>,
    added: tokio::sync::Notify,
}

/// How long the journal gathers outcomes before writing them.
const JOURNAL_INTERVAL: Duration = Duration::from_millis(2);

impl Journal {
    fn add(&self, outcome: Delivered) {
        self.waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(outcome);
        self.added.notify_one();
    }

    fn take(&self) -> Vec<Delivered> {
        std::mem::take(&mut *self.waiting.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Writes outcomes as they gather until `sending` is over, then the rest.
    async fn write_while(
        &self,
        state: &AppState,
        sending: impl Future<Output = ()>,
    ) -> Result<(), StorageError> {
        let mut sending = std::pin::pin!(sending);
        let mut done = false;
        while !done {
            tokio::select! {
                () = &mut sending => done = true,
                () = self.added.notified() => {
                    tokio::time::sleep(JOURNAL_INTERVAL).await;
                }
            }
            let outcomes = self.take();
            if !outcomes.is_empty() {
                // A failed write leaves the messages to their lease: sent again after it.
                state
                    .store
                    .record_deliveries(&outcomes, state.now())
                    .await?;
            }
        }
        Ok(())
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
        if let Err(error) = deliver_until(&state, &mailer, &stop).await {
            tracing::error!(%error, "email delivery round failed");
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = state.mail_ready.notified() => {}
            () = tokio::time::sleep(poll) => {}
        }
    }
}
