//! The check endpoint on a SurrealDB server (`ws://`) beside the same endpoint on the embedded
//! engine.
//!
//! On shared storage a host cannot know from its own writes whether another host changed a
//! permission, so each check first reads the change log's revision from the server (a network
//! round trip), one read in flight serving every check waiting for it. This part measures what
//! that costs a check: the real router (API-token authentication included) answering
//! `POST /v1/check` in-process, once on `surrealkv://` as a host alone runs, once on a real
//! SurrealDB server on loopback (`surreal start … memory`, built from `storage/test-server` in
//! the suite's own profile) as hosts that share storage run; one caller at a time, then
//! [`CALLERS`] at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

use siteward_server::Settings;
use siteward_storage::test_server::{Profile, SurrealServer};

use crate::Effort;
use crate::host::{Host, production_logging};
use crate::http::check_question;
use crate::report::{Figure, Section, Unit, quantile};

/// Callers asking at once in the concurrent figures.
const CALLERS: usize = 32;

/// Runs both hosts, alternating, `effort.rounds` times.
pub fn run(effort: Effort) -> anyhow::Result<Section> {
    let profile = if cfg!(debug_assertions) {
        Profile::Debug
    } else {
        Profile::Release
    };
    let server = SurrealServer::start(profile);
    production_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    let section = runtime.block_on(async {
        let embedded = Asker::new(Host::start(&dir.path().join("db")).await?).await?;
        let shared = Settings {
            shared_storage: true,
            ..Settings::defaults()
        };
        let shared = Asker::new(Host::start_with(&server.config(), shared).await?).await?;
        let mut runs = [Runs::default(), Runs::default()];
        for _ in 0..effort.rounds {
            for (asker, runs) in [&embedded, &shared].into_iter().zip(&mut runs) {
                runs.one
                    .add(asker.one_at_a_time(effort.shared_checks).await?);
                runs.many.add(asker.at_once(effort.shared_checks).await?);
            }
        }
        let mut section = Section::new("The check endpoint on a SurrealDB server (ws://)");
        section.note(format!(
            "`POST /v1/check` through the real router in-process (API-token authentication \
             included; no socket between caller and host), {} checks per round and host, hosts \
             alternating: on `surrealkv://` as a host alone runs, and on a SurrealDB {} server \
             on loopback (`surreal start … memory`, {} build) as hosts sharing storage run, \
             where each check first reads the permission change log's revision from the server \
             (one read in flight serves every check waiting). One caller at a time, then {CALLERS} \
             callers at once. Every answer was 200 with `allowed`.",
            crate::report::thousands(effort.shared_checks as f64),
            crate::locked_version("surrealdb"),
            match profile {
                Profile::Debug => "a debug",
                Profile::Release => "a release",
            },
        ));
        let many = format!("{CALLERS} callers at once");
        for (callers, at_once) in [("one caller", false), (many.as_str(), true)] {
            for (host, runs) in ["embedded", "ws://"].into_iter().zip(&runs) {
                let Quantiles { p50, p99 } = if at_once { &runs.many } else { &runs.one };
                for (q, values) in [("p50", p50), ("p99", p99)] {
                    let name = format!("check {q}, {callers} — {host}");
                    section.add(Figure::new(name, Unit::Time, values.clone()));
                }
            }
        }
        anyhow::Ok(section)
    })?;
    drop(runtime);
    drop(server);
    Ok(section)
}

/// A host's p50 and p99 of each round, in seconds.
#[derive(Default)]
struct Quantiles {
    p50: Vec<f64>,
    p99: Vec<f64>,
}

impl Quantiles {
    fn add(&mut self, (p50, p99): (f64, f64)) {
        self.p50.push(p50);
        self.p99.push(p99);
    }
}

/// A host's rounds: one caller at a time, and [`CALLERS`] at once.
#[derive(Default)]
struct Runs {
    one: Quantiles,
    many: Quantiles,
}

/// A host with the question it is asked.
struct Asker {
    host: Host,
    body: String,
    token: String,
}

impl Asker {
    async fn new(host: Host) -> anyhow::Result<Arc<Self>> {
        let (body, token) = check_question(&host).await?;
        Ok(Arc::new(Self { host, body, token }))
    }

    /// Asks once; how long the answer took.
    async fn ask(&self) -> anyhow::Result<Duration> {
        let request = Request::post("/v1/check")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", self.token))
            .body(Body::from(self.body.clone()))?;
        let started = Instant::now();
        let response = self.host.app.clone().oneshot(request).await?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
        let took = started.elapsed();
        anyhow::ensure!(
            status.is_success() && bytes.windows(9).any(|w| w == b"\"allowed\""),
            "/v1/check: {status} {}",
            String::from_utf8_lossy(&bytes)
        );
        Ok(took)
    }

    /// `checks` checks one after another: their p50 and p99.
    async fn one_at_a_time(&self, checks: usize) -> anyhow::Result<(f64, f64)> {
        let mut times = Vec::with_capacity(checks);
        for _ in 0..checks {
            times.push(self.ask().await?);
        }
        Ok(quantiles(times))
    }

    /// `checks` checks by [`CALLERS`] callers at once, each a task of its own: their p50 and
    /// p99.
    async fn at_once(self: &Arc<Self>, checks: usize) -> anyhow::Result<(f64, f64)> {
        let each = checks.div_ceil(CALLERS);
        let mut callers = tokio::task::JoinSet::new();
        for _ in 0..CALLERS {
            let asker = Arc::clone(self);
            callers.spawn(async move {
                let mut times = Vec::with_capacity(each);
                for _ in 0..each {
                    times.push(asker.ask().await?);
                }
                anyhow::Ok(times)
            });
        }
        let mut times = Vec::with_capacity(each * CALLERS);
        while let Some(caller) = callers.join_next().await {
            times.extend(caller??);
        }
        Ok(quantiles(times))
    }
}

/// p50 and p99 of `times`, in seconds.
fn quantiles(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort_unstable();
    (
        quantile(&times, 0.5).as_secs_f64(),
        quantile(&times, 0.99).as_secs_f64(),
    )
}
