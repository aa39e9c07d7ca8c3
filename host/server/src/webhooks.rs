//! Delivering webhook calls: the operator's targets, signed POSTs, retries with backoff, and
//! a refusal to call loopback, link-local and metadata addresses unless allowed.
//!
//! Notification hooks ask for calls by target name (see [`crate::notify`]); each becomes a
//! `webhook_delivery` row written with the hook's feed cursor. Any host's worker claims due
//! rows under a lease and POSTs them. Every attempt carries the same `Siteward-Delivery` id,
//! so a receiver can drop a repeat after an answer that was lost on the way back.
//!
//! Addresses are checked where the connection is made: a name is resolved by the host and
//! only addresses the policy accepts are dialled, so a name that resolves to `127.0.0.1` —
//! or starts to, after the check (DNS rebinding) — is refused like the literal address.
//! Redirects are not followed, and no proxy from the environment is used.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use siteward_core::Timestamp;
use siteward_core::mail::retry_delay;
use siteward_core::webhook::{AddressPolicy, Refusal, SIGNATURE_HEADER, signature};
use siteward_storage::{Attempt, StorageError, WebhookDelivery};

use tokio_util::sync::CancellationToken;

use crate::config::WebhooksConfig;
use crate::state::{AppState, random};

/// A place deliveries go.
#[derive(Clone)]
struct Target {
    url: reqwest::Url,
    secret: Arc<[u8]>,
    /// `None`: every partner.
    partners: Option<HashSet<String>>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("url", &self.url.as_str())
            .field("partners", &self.partners)
            .finish_non_exhaustive()
    }
}

/// Delivers webhook calls as `[webhooks]` says.
#[derive(Debug, Clone)]
pub struct Deliverer {
    client: reqwest::Client,
    targets: HashMap<String, Target>,
    policy: Arc<AddressPolicy>,
    max_attempts: u32,
    retry_initial: chrono::Duration,
    retry_max: chrono::Duration,
}

/// Why an attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// The target's status, if it answered.
    pub(crate) status: Option<u16>,
    /// What went wrong.
    pub(crate) error: String,
    /// Trying again cannot help (the configuration or the address forbids the call).
    pub(crate) permanent: bool,
}

impl Failure {
    fn permanent(error: String) -> Self {
        Self {
            status: None,
            error,
            permanent: true,
        }
    }
}

/// An address the policy refused, found while resolving a target's name.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to {address}, a {why} address; allow it with [{section}] allow_networks")]
pub(crate) struct RefusedAddress {
    section: &'static str,
    host: String,
    address: IpAddr,
    why: &'static str,
}

/// Resolves names with the system resolver and keeps only addresses the policy accepts;
/// a refusal names the configuration section that allows more.
#[derive(Debug)]
pub(crate) struct GuardedResolver {
    pub(crate) policy: Arc<AddressPolicy>,
    pub(crate) section: &'static str,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        let section = self.section;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let mut refused = None;
            let accepted: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|address| match policy.check(address.ip()) {
                    Ok(()) => true,
                    Err(why) => {
                        refused.get_or_insert((address.ip(), why));
                        false
                    }
                })
                .collect();
            match (accepted.is_empty(), refused) {
                (true, Some((address, why))) => Err(Box::new(RefusedAddress {
                    section,
                    host,
                    address,
                    why: why.as_str(),
                })
                    as Box<dyn std::error::Error + Send + Sync>),
                _ => Ok(Box::new(accepted.into_iter()) as reqwest::dns::Addrs),
            }
        })
    }
}

impl Deliverer {
    /// The deliverer `[webhooks]` describes (checked when the configuration was loaded).
    pub fn from_config(config: &WebhooksConfig) -> anyhow::Result<Self> {
        let policy = Arc::new(AddressPolicy {
            allowed: config.networks().map_err(anyhow::Error::msg)?,
        });
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver {
                policy: policy.clone(),
                section: "webhooks",
            }))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(Duration::from_secs(u64::from(
                config.timeout_seconds.max(1),
            )))
            .user_agent(concat!("Siteward-Webhook/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let mut targets = HashMap::new();
        for target in &config.targets {
            targets.insert(
                target.name.clone(),
                Target {
                    url: reqwest::Url::parse(&target.url)?,
                    secret: Arc::from(target.secret.as_bytes()),
                    partners: (!target.partners.iter().any(|p| p == "*"))
                        .then(|| target.partners.iter().cloned().collect()),
                },
            );
        }
        Ok(Self {
            client,
            targets,
            policy,
            max_attempts: config.max_attempts.max(1),
            retry_initial: chrono::Duration::seconds(i64::from(config.retry_initial_seconds)),
            retry_max: chrono::Duration::seconds(i64::from(config.retry_max_seconds)),
        })
    }

    /// The configured targets' names, for the start-up log line.
    pub fn target_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.targets.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// One attempt at a delivery, made at `now`: the status of a 2xx answer, or why not.
    async fn attempt(&self, delivery: &WebhookDelivery, now: Timestamp) -> Result<u16, Failure> {
        let name = &delivery.target;
        let target = self.targets.get(name).ok_or_else(|| {
            Failure::permanent(format!(
                "no webhook target named {name:?} is configured ([[webhooks.targets]])"
            ))
        })?;
        if let Some(partners) = &target.partners
            && !partners.contains(delivery.partner_id.as_str())
        {
            return Err(Failure::permanent(format!(
                "the target {name:?} does not accept this partner's events (its `partners` list)"
            )));
        }
        let body = delivery
            .body
            .clone()
            .ok_or_else(|| Failure::permanent("the delivery's body is gone".to_owned()))?;
        self.post_signed(
            &target.url,
            &target.secret,
            &[
                ("content-type", "application/json"),
                ("siteward-delivery", delivery.id.as_str()),
                ("siteward-event", &delivery.event_kind),
            ],
            body.into_bytes(),
            now,
        )
        .await
    }

    /// POSTs `body` to `url` with `headers` and a `Siteward-Signature` made with `secret` at
    /// `now`, dialling only addresses the policy accepts: the status of a 2xx answer, or why
    /// not. Audit streams to HTTP sinks go out this way too.
    pub(crate) async fn post_signed(
        &self,
        url: &reqwest::Url,
        secret: &[u8],
        headers: &[(&str, &str)],
        body: Vec<u8>,
        now: Timestamp,
    ) -> Result<u16, Failure> {
        if let Some(address) = literal_address(url)
            && let Err(why) = self.policy.check(address)
        {
            return Err(Failure::permanent(refused(
                "webhooks",
                &address.to_string(),
                address,
                why,
            )));
        }
        let mut request = self
            .client
            .post(url.clone())
            .header(SIGNATURE_HEADER, signature(secret, now.timestamp(), &body));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response =
            request
                .body(body)
                .send()
                .await
                .map_err(|error| match refused_in(&error) {
                    Some(refused) => Failure::permanent(refused.to_string()),
                    None => Failure {
                        status: None,
                        error: describe(&error),
                        permanent: false,
                    },
                })?;
        let status = response.status();
        if status.is_success() {
            return Ok(status.as_u16());
        }
        let text = response.text().await.unwrap_or_default();
        let excerpt: String = text.chars().take(200).collect();
        Err(Failure {
            status: Some(status.as_u16()),
            error: format!("the target answered {status}: {excerpt}")
                .trim_end_matches([' ', ':'])
                .to_owned(),
            permanent: false,
        })
    }

    /// How an attempt that ended in `result` is recorded, as attempt number `attempts`.
    fn outcome(&self, result: Result<u16, Failure>, attempts: u32, now: Timestamp) -> Attempt {
        match result {
            Ok(status) => Attempt::Delivered(status),
            Err(Failure {
                status,
                error,
                permanent,
            }) if permanent || attempts >= self.max_attempts => Attempt::GaveUp { status, error },
            Err(Failure { status, error, .. }) => {
                let wait = retry_delay(
                    attempts,
                    self.retry_initial,
                    self.retry_max,
                    u32::from_le_bytes(random()),
                );
                Attempt::Retry {
                    status,
                    error,
                    next: now + wait,
                }
            }
        }
    }
}

/// The address a URL names literally (`http://127.0.0.1/`, `http://[::1]/`), which is dialled
/// without resolving.
pub(crate) fn literal_address(url: &reqwest::Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

pub(crate) fn refused(section: &'static str, host: &str, address: IpAddr, why: Refusal) -> String {
    RefusedAddress {
        section,
        host: host.to_owned(),
        address,
        why: why.as_str(),
    }
    .to_string()
}

/// The refusal behind a failed request, if that is why it failed.
pub(crate) fn refused_in(error: &reqwest::Error) -> Option<&RefusedAddress> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = source {
        if let Some(refused) = error.downcast_ref::<RefusedAddress>() {
            return Some(refused);
        }
        source = error.source();
    }
    None
}

/// A transport error with its causes, which reqwest keeps out of its own message.
pub(crate) fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// How long a claimed delivery stays claimed by one worker.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// Deliveries claimed per round.
const BATCH: u32 = 32;

/// Attempts every delivery due now; returns how many were attempted.
pub async fn deliver_due(state: &AppState, deliverer: &Deliverer) -> Result<usize, StorageError> {
    deliver_until(state, deliverer, &CancellationToken::new()).await
}

/// As [`deliver_due`], but once `stop` is cancelled no further batch is claimed: the batch in
/// hand is delivered and recorded.
pub async fn deliver_until(
    state: &AppState,
    deliverer: &Deliverer,
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
            .claim_due_webhooks(now, now + LEASE, BATCH)
            .await?;
        if due.is_empty() {
            return Ok(attempted);
        }
        attempted += due.len();
        for delivery in due {
            let attempts = delivery.attempts + 1;
            let result = deliverer.attempt(&delivery, state.now()).await;
            let outcome = deliverer.outcome(result, attempts, state.now());
            match &outcome {
                Attempt::Delivered(_) => {}
                Attempt::Retry { error, next, .. } => {
                    tracing::info!(delivery = %delivery.id, target = delivery.target, %error, attempts, %next, "webhook delivery failed; will retry")
                }
                Attempt::GaveUp { error, .. } => {
                    tracing::warn!(delivery = %delivery.id, target = delivery.target, %error, attempts, "giving up on a webhook delivery")
                }
            }
            state
                .store
                .record_webhook_attempt(&delivery.id, attempts, &outcome, state.now())
                .await?;
        }
    }
}

/// The webhook worker: delivers what is due, then waits to be woken by new calls or for the
/// next poll (retries and calls queued by other hosts). Stops when `stop` is cancelled,
/// after the round in hand.
pub async fn run_webhooks(
    state: AppState,
    deliverer: Deliverer,
    poll: Duration,
    stop: CancellationToken,
) {
    loop {
        if let Err(error) = deliver_until(&state, &deliverer, &stop).await {
            tracing::error!(%error, "webhook delivery round failed");
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = state.webhooks_ready.notified() => {}
            () = tokio::time::sleep(poll) => {}
        }
    }
}
