//! `GET /metrics` in the Prometheus text format (0.0.4).
//!
//! Two kinds of figures. What happens in this process is counted as it happens: HTTP requests
//! by route template and status with their latency (the middleware here), checks by reason
//! (the app's counters), plugin calls by outcome and duration (the plugin host's), and what
//! the store did — transactions, retries, audit events by action, email and webhook attempts
//! (the store's counters). What the database holds is read when scraped: the outbox's and the
//! webhook queue's backlog, how far each feed consumer is behind the audit chains, and how far
//! this host's permission index is behind the change log. Counters restart with the process,
//! as Prometheus expects; the read figures are the same on every host of a shared database.
//!
//! Served on the API listener to the operator (session or API token), and without
//! authentication on `[metrics] listen` when set (a private address for the scraper).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::extract::{MatchedPath, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use siteward_app::plugins::{CALL_BUCKETS_MICROS, PluginMetrics};
use siteward_core::permission::index::{Reason, Stats};
use siteward_storage::{Backlog, StorageError, StoreStats};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;

/// The content type of the Prometheus text format.
const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Request latency buckets, in seconds.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: Route,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: Route,
}

/// A route template as a label: the router's own shared text, so measuring a request copies
/// no string.
#[derive(Debug, Clone)]
struct Route(Option<MatchedPath>);

impl Route {
    fn as_str(&self) -> &str {
        self.0.as_ref().map_or("unmatched", MatchedPath::as_str)
    }
}

impl PartialEq for Route {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Route {}

impl std::hash::Hash for Route {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl prometheus_client::encoding::EncodeLabelValue for Route {
    fn encode(
        &self,
        encoder: &mut prometheus_client::encoding::LabelValueEncoder<'_>,
    ) -> Result<(), std::fmt::Error> {
        self.as_str().encode(encoder)
    }
}

type Latencies = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// What the HTTP middleware counts; lives as long as the state.
#[derive(Debug)]
pub struct HttpMetrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latencies: Latencies,
}

/// One route's figures, found in the families on the route's first request and kept by the
/// route's layer, so that its later requests are counted without the families' lock and hash
/// lookups (#19). A route can serve more than one method, and the router's fallback every path
/// no route matched, so each request's method and route are compared with the kept ones; a
/// request that differs, or ends with another status than the first, is counted through the
/// families as before.
#[derive(Debug, Default)]
pub struct RouteFigures(OnceLock<Figures>);

#[derive(Debug)]
struct Figures {
    method: &'static str,
    route: Route,
    latency: Histogram,
    status: u16,
    answered: Counter,
}

impl HttpMetrics {
    /// Counts and times a request by its route template (`/v1/sites/{site_id}`, never the
    /// path itself); a request no route matched counts as `unmatched`. `kept` is the route's
    /// own figures, filled on its first request.
    pub fn record(
        &self,
        kept: &RouteFigures,
        method: &Method,
        route: Option<MatchedPath>,
        status: StatusCode,
        latency: std::time::Duration,
    ) {
        let method = method_label(method);
        let route = Route(route);
        let status = status.as_u16();
        let latency = latency.as_secs_f64();
        let kept = kept.0.get_or_init(|| Figures {
            latency: self.latency(method, &route),
            answered: self.answered(method, &route, status),
            method,
            route: route.clone(),
            status,
        });
        if kept.method == method && kept.route == route {
            kept.latency.observe(latency);
            if kept.status == status {
                kept.answered.inc();
                return;
            }
        } else {
            self.latency(method, &route).observe(latency);
        }
        self.answered(method, &route, status).inc();
    }

    /// The latency histogram of a route (shared with the family: a clone counts into it).
    fn latency(&self, method: &'static str, route: &Route) -> Histogram {
        let labels = RouteLabels {
            method,
            route: route.clone(),
        };
        self.latencies.get_or_create(&labels).clone()
    }

    /// The request counter of a route and status (shared with the family).
    fn answered(&self, method: &'static str, route: &Route, status: u16) -> Counter {
        let labels = RequestLabels {
            method,
            route: route.clone(),
            status,
        };
        self.requests.get_or_create(&labels).clone()
    }
}

impl Default for HttpMetrics {
    fn default() -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let latencies: Latencies = Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS));
        let mut registry = Registry::default();
        registry.register(
            "siteward_http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        registry.register(
            "siteward_http_request_duration_seconds",
            "Time to answer an HTTP request (to its headers), by method and route template",
            latencies.clone(),
        );
        Self {
            registry,
            requests,
            latencies,
        }
    }
}

/// A method as a label: the usual ones by name, any other as `other` (a label set must stay
/// small whatever clients send).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// `GET /metrics` on the API listener: the operator only.
pub async fn operator_metrics(State(state): State<AppState>, auth: Auth) -> ApiResult<Response> {
    state.may_read_metrics(&auth)?;
    Ok(scrape(&state).await)
}

/// `GET /metrics` on `[metrics] listen`: whoever reaches that address.
pub async fn open_metrics(State(state): State<AppState>) -> Response {
    scrape(&state).await
}

/// The exposition, or 503 when the database does not answer.
pub async fn scrape(state: &AppState) -> Response {
    match render(state).await {
        Ok(text) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        Err(error) => {
            tracing::warn!(%error, "reading the figures for /metrics failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "the database did not answer (the host logs why)\n",
            )
                .into_response()
        }
    }
}

/// Every metric, as text.
pub async fn render(state: &AppState) -> Result<String, StorageError> {
    let (outbox, webhooks) = state.store.backlogs().await?;
    let feed_lags = state.store.feed_lags().await?;
    let revision = state.permissions.revision();
    let latest_revision = if state.permissions.is_shared() {
        state.store.access_revision().await?
    } else {
        revision
    };
    let loaded = state.plugins.loaded();
    let quarantined = loaded
        .plugins()
        .map(|entry| {
            let name = entry.record.name.clone();
            let count = loaded.quarantined_for(&name).count() as u64;
            (name, count)
        })
        .collect();
    let snapshot = Snapshot {
        now: state.now(),
        store: state.store.stats(),
        outbox,
        webhooks,
        feed_lags,
        checks: state.checks_answered(),
        plugins: state.plugins.all_metrics(),
        quarantined,
        pool: state.plugins.runtime().pool(),
        index: state.permissions.read().stats(),
        revision,
        latest_revision,
        revision_reads: state.permissions.revision_reads(),
    };
    let mut text = String::new();
    prometheus_client::encoding::prometheus_text::encode(&mut text, &state.http_metrics().registry)
        .expect("writing to a string cannot fail");
    let mut scraped = Registry::default();
    scraped.register_collector(Box::new(snapshot));
    prometheus_client::encoding::prometheus_text::encode(&mut text, &scraped)
        .expect("writing to a string cannot fail");
    Ok(text)
}

/// The figures of one scrape.
#[derive(Debug)]
struct Snapshot {
    now: siteward_core::Timestamp,
    store: StoreStats,
    outbox: Backlog,
    webhooks: Backlog,
    feed_lags: BTreeMap<String, u64>,
    checks: [u64; 16],
    plugins: Vec<(String, PluginMetrics)>,
    quarantined: Vec<(String, u64)>,
    pool: siteward_plugins::PoolStats,
    index: Stats,
    revision: i64,
    latest_revision: i64,
    revision_reads: u64,
}

/// Writes one metric family: a descriptor, then a value per label set.
fn family<'a, L: EncodeLabelSet + 'a, M: EncodeMetric + 'a>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    kind: MetricType,
    values: impl IntoIterator<Item = (L, M)>,
) -> Result<(), std::fmt::Error> {
    let mut metric = encoder.encode_descriptor(name, help, None, kind)?;
    for (labels, value) in values {
        value.encode(metric.encode_family(&labels)?)?;
    }
    Ok(())
}

/// One value without labels.
fn single<M: EncodeMetric>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: M,
) -> Result<(), std::fmt::Error> {
    let kind = value.metric_type();
    value.encode(encoder.encode_descriptor(name, help, None, kind)?)
}

fn gauge(value: u64) -> ConstGauge<i64> {
    ConstGauge::new(i64::try_from(value).unwrap_or(i64::MAX))
}

fn age_seconds(now: siteward_core::Timestamp, backlog: &Backlog) -> ConstGauge<f64> {
    ConstGauge::new(backlog.oldest.map_or(0.0, |oldest| {
        (now - oldest).num_milliseconds().max(0) as f64 / 1000.0
    }))
}

impl Collector for Snapshot {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let e = &mut encoder;
        family(
            e,
            "siteward_checks",
            "Permission checks answered by this host, by decision and reason",
            MetricType::Counter,
            Reason::CODES.iter().zip(self.checks).map(|(code, count)| {
                let decision = if code.starts_with("granted_") {
                    "allow"
                } else {
                    "deny"
                };
                (
                    [("decision", decision), ("reason", *code)],
                    ConstCounter::new(count),
                )
            }),
        )?;
        let invitations = self
            .store
            .audit_events
            .iter()
            .filter_map(|(action, count)| {
                let outcome = action.strip_prefix("invitation.")?;
                Some(([("outcome", outcome.to_owned())], ConstCounter::new(*count)))
            });
        family(
            e,
            "siteward_invitations",
            "Invitation events written by this host, by outcome (created, accepted, revoked, \
             expired, approved, denied, …: the audit action after `invitation.`)",
            MetricType::Counter,
            invitations,
        )?;
        family(
            e,
            "siteward_audit_events",
            "Audit events written by this host, by action",
            MetricType::Counter,
            self.store
                .audit_events
                .iter()
                .map(|(action, count)| ([("action", action.clone())], ConstCounter::new(*count))),
        )?;
        single(
            e,
            "siteward_outbox_pending",
            "Emails waiting to be delivered (all hosts)",
            gauge(self.outbox.pending),
        )?;
        single(
            e,
            "siteward_outbox_oldest_pending_age_seconds",
            "Age of the oldest email waiting to be delivered; 0 when none waits (all hosts)",
            age_seconds(self.now, &self.outbox),
        )?;
        let attempts = |a: siteward_storage::Attempts| {
            [
                ([("outcome", "delivered")], ConstCounter::new(a.delivered)),
                ([("outcome", "retry")], ConstCounter::new(a.retry)),
                ([("outcome", "failed")], ConstCounter::new(a.failed)),
            ]
        };
        family(
            e,
            "siteward_email_attempts",
            "Email delivery attempts by this host, by outcome (failed: given up)",
            MetricType::Counter,
            attempts(self.store.emails),
        )?;
        single(
            e,
            "siteward_webhook_pending",
            "Webhook calls waiting to be delivered (all hosts)",
            gauge(self.webhooks.pending),
        )?;
        single(
            e,
            "siteward_webhook_oldest_pending_age_seconds",
            "Age of the oldest webhook call waiting to be delivered; 0 when none waits",
            age_seconds(self.now, &self.webhooks),
        )?;
        family(
            e,
            "siteward_webhook_attempts",
            "Webhook delivery attempts by this host, by outcome (failed: given up)",
            MetricType::Counter,
            attempts(self.store.webhooks),
        )?;
        family(
            e,
            "siteward_feed_lag_events",
            "Audit events a consumer has yet to handle (hook/<plugin> for notification hooks, \
             sink/<name> for audit streams; all hosts)",
            MetricType::Gauge,
            self.feed_lags
                .iter()
                .map(|(consumer, lag)| ([("consumer", consumer.clone())], gauge(*lag))),
        )?;
        self.encode_plugins(e)?;
        family(
            e,
            "siteward_permission_index_entries",
            "What this host's permission index holds, by kind",
            MetricType::Gauge,
            [
                ("accounts", self.index.accounts),
                ("sites", self.index.sites),
                ("assignments", self.index.assignments),
                ("devices", self.index.devices),
                ("departments", self.index.departments),
                ("grants", self.index.grants),
            ]
            .map(|(kind, n)| ([("kind", kind)], gauge(n as u64))),
        )?;
        single(
            e,
            "siteward_permission_index_revision",
            "The permission change log's revision this host's index has applied (shared \
             storage; stays 0 on embedded storage, which keeps no log)",
            ConstGauge::new(self.revision),
        )?;
        single(
            e,
            "siteward_permission_index_lag_revisions",
            "Revisions other hosts committed that this host's index has not applied yet",
            ConstGauge::new((self.latest_revision - self.revision).max(0)),
        )?;
        single(
            e,
            "siteward_permission_revision_reads",
            "Reads of the permission change log's latest revision before requests (shared \
             storage: one read serves every request that arrived before it started)",
            ConstCounter::new(self.revision_reads),
        )?;
        family(
            e,
            "siteward_db_transactions",
            "Database transactions by how they ended: committed, refused (a guard: a 409 \
             conflict), raced_out (lost the race on every attempt), failed",
            MetricType::Counter,
            [
                ("committed", self.store.committed),
                ("refused", self.store.refused),
                ("raced_out", self.store.raced_out),
                ("failed", self.store.failed),
            ]
            .map(|(outcome, n)| ([("outcome", outcome)], ConstCounter::new(n))),
        )?;
        single(
            e,
            "siteward_db_transaction_retries",
            "Transaction attempts that lost a race for the same records and were tried again",
            ConstCounter::new(self.store.retries),
        )
    }
}

impl Snapshot {
    fn encode_plugins(&self, e: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let mut calls = Vec::new();
        for (plugin, m) in &self.plugins {
            let failed: u64 = m.failures.values().sum();
            calls.push((
                [("plugin", plugin.clone()), ("outcome", "ok".to_owned())],
                ConstCounter::new(m.calls.saturating_sub(failed)),
            ));
            for (code, n) in &m.failures {
                calls.push((
                    [("plugin", plugin.clone()), ("outcome", code.clone())],
                    ConstCounter::new(*n),
                ));
            }
        }
        family(
            e,
            "siteward_plugin_calls",
            "Plugin calls by this host, by plugin and outcome (ok, or the failure's code: \
             trap, deadline, busy — no pool slot came free in time —, starved, …)",
            MetricType::Counter,
            calls,
        )?;
        let mut durations = e.encode_descriptor(
            "siteward_plugin_call_duration_seconds",
            "Wall time of plugin calls, instantiation included, by plugin",
            None,
            MetricType::Histogram,
        )?;
        for (plugin, m) in &self.plugins {
            let buckets: Vec<(f64, u64)> = CALL_BUCKETS_MICROS
                .iter()
                .zip(m.buckets)
                .map(|(le, n)| (*le as f64 / 1e6, n))
                .collect();
            let labels = [("plugin", plugin.as_str())];
            durations
                .encode_family(&labels)?
                .encode_histogram::<prometheus_client::encoding::NoLabelSet>(
                    m.total_micros as f64 / 1e6,
                    m.calls,
                    &buckets,
                    None,
                )?;
        }
        family(
            e,
            "siteward_plugin_quarantines",
            "Times this host quarantined a plugin for a partner",
            MetricType::Counter,
            self.plugins.iter().map(|(plugin, m)| {
                (
                    [("plugin", plugin.clone())],
                    ConstCounter::new(m.quarantines),
                )
            }),
        )?;
        family(
            e,
            "siteward_plugin_pool_slots",
            "The plugin instance pool's slots: all of them, and those calls hold now",
            MetricType::Gauge,
            [("total", self.pool.slots), ("in_use", self.pool.in_use)]
                .map(|(state, n)| ([("state", state)], gauge(u64::from(n)))),
        )?;
        single(
            e,
            "siteward_plugin_pool_waits",
            "Plugin calls that found no pool slot free at once (then given one, or busy)",
            ConstCounter::new(self.pool.waits),
        )?;
        single(
            e,
            "siteward_plugin_pool_wait_seconds",
            "How long plugin calls waited for a pool slot, in all",
            ConstCounter::new(self.pool.waited.as_secs_f64()),
        )?;
        family(
            e,
            "siteward_plugin_quarantined_partners",
            "Partners a plugin is quarantined for now (all hosts, as this host last loaded them)",
            MetricType::Gauge,
            self.quarantined
                .iter()
                .map(|(plugin, n)| ([("plugin", plugin.clone())], gauge(*n))),
        )
    }
}
