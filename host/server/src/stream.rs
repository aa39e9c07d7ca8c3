//! Continuous audit streams (`[[audit.sinks]]`): a tenant's audit trail, formatted by an
//! exporter, appended to a file or POSTed to an HTTP endpoint, batch by batch, as it grows.
//!
//! A sink reads each tenant chain in its scope through a feed cursor, from the chain's start.
//! Each batch (the events of one chain between two positions) is recorded as pending before
//! it is written and cleared in the transaction that moves the cursor. After a crash the
//! pending batch is written again, exactly as it was: a file is first cut back to the length
//! its committed batches had, so it holds every event once; an HTTP endpoint receives the same
//! `Siteward-Batch` id, so it can drop what it already has. Nothing is skipped either: chain
//! positions have no gaps.

use std::io::{Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use siteward_core::audit::AuditScope;
use siteward_storage::{SinkBatch, StorageError};

use tokio_util::sync::CancellationToken;

use crate::audit::{ChainPartners, TrailWrites, Written};
use crate::config::AuditSinkConfig;
use crate::plugins::calls::export_batch;
use crate::state::AppState;
use crate::webhooks::Deliverer;

/// Events per batch.
const BATCH: u32 = 1_000;
/// How long a host holds a sink while it writes a batch.
const LEASE: chrono::Duration = chrono::Duration::minutes(2);

/// Where a sink writes.
#[derive(Clone)]
enum Output {
    File(PathBuf),
    Http {
        url: reqwest::Url,
        secret: Arc<[u8]>,
    },
}

/// One configured stream.
#[derive(Clone)]
pub struct Sink {
    name: String,
    scope: AuditScope,
    format: String,
    output: Output,
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let output = match &self.output {
            Output::File(path) => path.display().to_string(),
            Output::Http { url, .. } => url.to_string(),
        };
        f.debug_struct("Sink")
            .field("name", &self.name)
            .field("scope", &self.scope)
            .field("format", &self.format)
            .field("output", &output)
            .finish()
    }
}

/// Why a round of a sink stopped.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The format has no exporter switched on for the sink's tenant, or it failed.
    #[error("the {format} exporter: {message}")]
    Exporter {
        /// The format.
        format: String,
        /// What happened.
        message: String,
    },
    /// The file could not be written.
    #[error("writing {path}: {source}")]
    File {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The endpoint did not take the batch.
    #[error("posting to {url}: {message}")]
    Http {
        /// The endpoint.
        url: String,
        /// Why.
        message: String,
    },
}

impl Sink {
    /// The sink `[[audit.sinks]]` describes (checked when the configuration was loaded).
    pub fn from_config(config: &AuditSinkConfig) -> anyhow::Result<Self> {
        let scope = AuditScope::from_chain_name(&config.scope)
            .ok_or_else(|| anyhow::anyhow!("[[audit.sinks]] {}: bad scope", config.name))?;
        let output = match (&config.file, &config.url, &config.secret) {
            (Some(path), _, _) => Output::File(path.clone()),
            (None, Some(url), Some(secret)) => Output::Http {
                url: reqwest::Url::parse(url)?,
                secret: Arc::from(secret.as_bytes()),
            },
            _ => anyhow::bail!(
                "[[audit.sinks]] {}: needs `file` or `url` and `secret`",
                config.name
            ),
        };
        Ok(Self {
            name: config.name.clone(),
            scope,
            format: config.format.clone(),
            output,
        })
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Writes every event of the sink's scope it has not written; returns how many it wrote.
/// Stops at the first failure, leaving the failed batch pending for the next round.
pub async fn stream_once(
    state: &AppState,
    sink: &Sink,
    deliverer: &Deliverer,
) -> Result<usize, StreamError> {
    let round = stream_until(state, sink, deliverer, &CancellationToken::new()).await?;
    Ok(round.written)
}

/// What a round of a sink did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Streamed {
    /// Events written.
    pub written: usize,
    /// Whether the sink holds every event the round found: it was not stopped, and no other
    /// host held the sink.
    pub caught_up: bool,
}

/// As [`stream_once`], but once `stop` is cancelled no further batch is taken: the batch in
/// hand is written and recorded.
pub async fn stream_until(
    state: &AppState,
    sink: &Sink,
    deliverer: &Deliverer,
    stop: &CancellationToken,
) -> Result<Streamed, StreamError> {
    stream_round(state, sink, deliverer, stop, &mut ChainPartners::default()).await
}

async fn stream_round(
    state: &AppState,
    sink: &Sink,
    deliverer: &Deliverer,
    stop: &CancellationToken,
    partners: &mut ChainPartners,
) -> Result<Streamed, StreamError> {
    let consumer = format!("sink/{}", sink.name);
    let sink_state = state.store.sink_state(&sink.name).await?;
    let mut offset = sink_state.offset;
    let mut written = 0;
    let left_behind = |written| Streamed {
        written,
        caught_up: false,
    };
    if let Some(batch) = sink_state.pending {
        if sink_state
            .lease_until
            .is_some_and(|until| until > state.now())
        {
            // Another host is writing it.
            return Ok(left_behind(0));
        }
        match write(state, sink, deliverer, &batch, offset).await? {
            Some((end, count)) => {
                offset = end;
                written += count;
            }
            None => return Ok(left_behind(0)),
        }
    }
    let cursors = state.store.feed_cursors(&consumer).await?;
    for (chain, head) in state.store.chain_heads().await? {
        let mut from = cursors.chains.get(&chain).copied();
        // Only a chain with events the sink has not seen is looked at (and a site's partner
        // is read once): a round's reads grow with what is new, not with the number of sites.
        if from.unwrap_or(0) >= head.seq || !in_scope(state, &sink.scope, &chain, partners).await? {
            continue;
        }
        while from.unwrap_or(0) < head.seq {
            if stop.is_cancelled() {
                return Ok(left_behind(written));
            }
            let to = head.seq.min(from.unwrap_or(0) + u64::from(BATCH));
            let batch = SinkBatch {
                chain: chain.clone(),
                from,
                to,
            };
            match write(state, sink, deliverer, &batch, offset).await? {
                Some((end, count)) => {
                    offset = end;
                    written += count;
                }
                None => return Ok(left_behind(written)),
            }
            from = Some(to);
        }
    }
    Ok(Streamed {
        written,
        caught_up: true,
    })
}

/// Takes `batch`, writes it after `offset` and records it: the new offset and the events
/// written, or `None` when another host holds the sink.
async fn write(
    state: &AppState,
    sink: &Sink,
    deliverer: &Deliverer,
    batch: &SinkBatch,
    offset: u64,
) -> Result<Option<(u64, usize)>, StreamError> {
    let now = state.now();
    match state
        .store
        .begin_sink_batch(&sink.name, batch, now, now + LEASE)
        .await
    {
        Ok(()) => {}
        Err(StorageError::Conflict(_)) => return Ok(None),
        Err(error) => return Err(error.into()),
    }
    let after = batch.from.unwrap_or(0);
    let count = u32::try_from(batch.to - after).unwrap_or(BATCH);
    let events: Vec<_> = state
        .store
        .chain_events(&batch.chain, after, count)
        .await?
        .into_iter()
        .filter(|(seq, _)| *seq <= batch.to)
        .map(|(_, event)| event)
        .collect();
    let tenant = match &sink.scope {
        AuditScope::Platform => None,
        AuditScope::Partner(partner) => Some((partner.clone(), None)),
        AuditScope::Site(site) => Some((state.store.site(site).await?.partner_id, Some(site))),
    };
    let exporter_error = |message: String| StreamError::Exporter {
        format: sink.format.clone(),
        message,
    };
    let chosen = state
        .plugins
        .exporter(
            &sink.format,
            tenant.as_ref().map(|(partner, site)| (partner, *site)),
        )
        .ok_or_else(|| {
            exporter_error("not installed, or switched off for this tenant".to_owned())
        })?;
    // A file has one header (CSV); each POST is a document of its own.
    let first = match &sink.output {
        Output::File(_) => offset == 0,
        Output::Http { .. } => true,
    };
    let exported = export_batch(state, (&sink.scope, None), &chosen, &events, first, None)
        .await
        .map_err(|failure| exporter_error(failure.to_string()))?;
    let end = match &sink.output {
        Output::File(path) => append(path, offset, exported.bytes).await?,
        Output::Http { url, secret } => {
            let id = format!("{}/{}/{}-{}", sink.name, batch.chain, after + 1, batch.to);
            deliverer
                .post_signed(
                    url,
                    secret,
                    &[
                        ("content-type", &exported.content_type),
                        ("siteward-batch", &id),
                    ],
                    exported.bytes,
                    state.now(),
                )
                .await
                .map_err(|failure| StreamError::Http {
                    url: url.to_string(),
                    message: failure.error,
                })?;
            offset
        }
    };
    match state.store.finish_sink_batch(&sink.name, batch, end).await {
        Ok(()) => Ok(Some((end, events.len()))),
        Err(StorageError::Conflict(_)) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Cuts the file back to `offset` (a batch written but never recorded), appends `bytes` and
/// flushes them to disk; returns the new length.
async fn append(path: &std::path::Path, offset: u64, bytes: Vec<u8>) -> Result<u64, StreamError> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let failed = |source| StreamError::File {
            path: path.display().to_string(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(failed)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(failed)?;
        file.set_len(offset).map_err(failed)?;
        file.seek(SeekFrom::Start(offset)).map_err(failed)?;
        file.write_all(&bytes).map_err(failed)?;
        file.sync_data().map_err(failed)?;
        Ok(offset + bytes.len() as u64)
    })
    .await
    .expect("writing a file does not panic")
}

/// Whether `chain` belongs to `scope`; a site's partner is read once.
async fn in_scope(
    state: &AppState,
    scope: &AuditScope,
    chain: &str,
    partners: &mut ChainPartners,
) -> Result<bool, StorageError> {
    let Some(chain_scope) = AuditScope::from_chain_name(chain) else {
        return Ok(false);
    };
    Ok(match (scope, chain_scope) {
        (AuditScope::Platform, _) => true,
        (AuditScope::Site(site), AuditScope::Site(other)) => *site == other,
        (AuditScope::Partner(partner), AuditScope::Partner(other)) => *partner == other,
        (AuditScope::Partner(partner), AuditScope::Site(_)) => {
            partners.of(state, chain).await?.as_ref() == Some(partner)
        }
        _ => false,
    })
}

/// The configured sinks, streamed in proportion to what changed: a round of a sink reads its
/// cursors and every chain's head, so after a round that left a sink caught up, the next runs
/// only once an audit event was written since ([`TrailWrites`]). A sink that failed, or that
/// another host held, runs again at the next tick.
#[derive(Debug)]
pub struct Streams {
    sinks: Vec<Sink>,
    /// For each sink, what had been written when its last round that caught up started.
    caught_up_at: Vec<Option<Written>>,
    writes: TrailWrites,
    partners: ChainPartners,
}

impl Streams {
    /// Streams `sinks`.
    pub fn new(sinks: Vec<Sink>) -> Self {
        Self {
            caught_up_at: vec![None; sinks.len()],
            sinks,
            writes: TrailWrites::default(),
            partners: ChainPartners::default(),
        }
    }

    /// A round of each sink that may have something to write, in the order configured: how
    /// many events it wrote, or why it stopped; `None` for a sink that was caught up with
    /// everything written since. Once `stop` is cancelled no further batch is taken.
    pub async fn tick(
        &mut self,
        state: &AppState,
        deliverer: &Deliverer,
        stop: &CancellationToken,
    ) -> Vec<Option<Result<usize, StreamError>>> {
        let now = self.writes.now(state).await;
        let mut rounds = Vec::with_capacity(self.sinks.len());
        for (sink, caught_up_at) in self.sinks.iter().zip(&mut self.caught_up_at) {
            if now.is_some() && *caught_up_at == now {
                rounds.push(None);
                continue;
            }
            *caught_up_at = None;
            let round = stream_round(state, sink, deliverer, stop, &mut self.partners).await;
            if let Ok(Streamed {
                caught_up: true, ..
            }) = round
            {
                *caught_up_at = now;
            }
            rounds.push(Some(round.map(|round| round.written)));
        }
        rounds
    }
}

/// Streams every sink every `interval` (when it may have something to write: [`Streams`]);
/// stops when `stop` is cancelled, after the round in hand (a batch being written is finished,
/// so nothing is redone needlessly).
pub async fn run_sinks(
    state: AppState,
    sinks: Vec<Sink>,
    deliverer: Deliverer,
    interval: Duration,
    stop: CancellationToken,
) {
    if sinks.is_empty() {
        return;
    }
    let mut streams = Streams::new(sinks);
    loop {
        let rounds = streams.tick(&state, &deliverer, &stop).await;
        for (sink, round) in streams.sinks.iter().zip(rounds) {
            if let Some(Err(error)) = round {
                tracing::warn!(sink = sink.name, %error, "audit stream stopped; will retry");
            }
        }
        if crate::stopped(&stop, interval).await {
            return;
        }
    }
}
