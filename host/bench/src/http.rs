//! The HTTP check endpoint beside a bare axum handler, under the same load generator (`wrk`,
//! from Debian's packages), on loopback, for the same time with the same connections.
//!
//! Siteward serves `POST /v1/check` as the `siteward` binary does (the real router, on the
//! embedded `surrealkv://` store, authenticated by an API token). The bare handler parses the
//! same JSON body into a struct and answers a fixed JSON body of the same shape: the floor any
//! axum service pays for a request. Both run with the log subscriber `siteward serve`
//! installs (its default filter, `info`), so the figure includes what production logging costs.

use std::net::SocketAddr;
use std::process::Command;

use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::Effort;
use crate::host::{Host, post, production_logging, serve, text};
use crate::report::{Figure, Section, Target, Unit, thousands};

/// Connections `wrk` keeps open (one thread: the other core is the server's).
const CONNECTIONS: u32 = 32;

/// What one `wrk` run measured.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Load {
    pub(crate) requests_per_second: f64,
    pub(crate) p99_seconds: f64,
}

/// Runs both servers under `wrk`, alternating, `effort.check_runs` times.
pub fn run(effort: Effort) -> anyhow::Result<Section> {
    production_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    let (siteward, app, body, token) = runtime.block_on(start_siteward(dir.path()))?;
    let bare = runtime.block_on(start_bare())?;
    let script = dir.path().join("check.lua");
    std::fs::write(
        &script,
        format!(
            "wrk.method = \"POST\"\nwrk.body = [[{body}]]\n\
             wrk.headers[\"Content-Type\"] = \"application/json\"\n\
             wrk.headers[\"Authorization\"] = \"Bearer {token}\"\n"
        ),
    )?;
    let version = Command::new("wrk").arg("-v").output().map_err(|e| {
        anyhow::anyhow!("`wrk` is needed for the HTTP figures (Debian: `apt-get install wrk`): {e}")
    })?;
    let version = String::from_utf8_lossy(&version.stdout)
        .lines()
        .next()
        .unwrap_or("wrk")
        .split(" [")
        .next()
        .unwrap_or("wrk")
        .to_owned();

    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..effort.check_runs {
        ours.push(wrk(siteward, &script, effort.check_seconds)?);
        theirs.push(wrk(bare, &script, effort.check_seconds)?);
    }
    // The same requests handed to each router in this process, no socket in between.
    let authorization = format!("Bearer {token}");
    let mut ours_inside = Vec::new();
    let mut theirs_inside = Vec::new();
    for _ in 0..effort.check_runs {
        ours_inside.push(runtime.block_on(in_process(&app, &body, Some(&authorization)))?);
        theirs_inside.push(runtime.block_on(in_process(&bare_router(), &body, None))?);
    }
    drop(runtime);

    let mut section = Section::new("HTTP check endpoint vs a bare axum handler");
    section.note(format!(
        "`{version}`, 1 thread, {CONNECTIONS} connections, {} runs of {} s per server, each \
         Siteward run followed by a bare one (the share is each such pair's); the \
         servers run in the suite's process on a 2-worker Tokio runtime. Siteward answers \
         `POST /v1/check` (`{{\"technician_id\", \"permission\": \"dashboard.view\", \"site_id\"}}`) \
         through the real router, API-token authentication included, on `surrealkv://`; the bare \
         handler deserialises the same body and returns a fixed answer. Both run with the log \
         subscriber `siteward serve` installs (filter `info`, text to stderr). Every response \
         was 200. The in-process figures hand each router the same request in the suite's \
         process, no socket in between ({} runs of {} requests each, alternating), and read \
         each answer to its end: the time the service itself takes per request, without the \
         kernel's share, which is the same for both and moves most with the machine's other \
         load.",
        effort.check_runs,
        effort.check_seconds,
        effort.check_runs,
        thousands(f64::from(IN_PROCESS_REQUESTS)),
    ));
    let rps = |loads: &[Load]| {
        loads
            .iter()
            .map(|l| l.requests_per_second)
            .collect::<Vec<_>>()
    };
    let p99 = |loads: &[Load]| loads.iter().map(|l| l.p99_seconds).collect::<Vec<_>>();
    section.add(Figure::new(
        "requests per second — Siteward /v1/check",
        Unit::PerSecond,
        rps(&ours),
    ));
    section.add(Figure::new(
        "requests per second — bare axum",
        Unit::PerSecond,
        rps(&theirs),
    ));
    section.add(
        Figure::new(
            "Siteward's requests per second as a share of bare axum's",
            Unit::Share,
            ours.iter()
                .zip(&theirs)
                .map(|(o, t)| o.requests_per_second / t.requests_per_second)
                .collect(),
        )
        .target(Target::AtLeast(0.9)),
    );
    section.add(Figure::new(
        "p99 latency — Siteward /v1/check",
        Unit::Time,
        p99(&ours),
    ));
    section.add(Figure::new(
        "p99 latency — bare axum",
        Unit::Time,
        p99(&theirs),
    ));
    section.add(Figure::new(
        "time per request in process — Siteward /v1/check",
        Unit::Time,
        ours_inside.clone(),
    ));
    section.add(Figure::new(
        "time per request in process — bare axum",
        Unit::Time,
        theirs_inside.clone(),
    ));
    section.add(Figure::new(
        "what Siteward adds per request in process",
        Unit::Time,
        ours_inside
            .iter()
            .zip(&theirs_inside)
            .map(|(o, t)| o - t)
            .collect(),
    ));
    Ok(section)
}

/// Requests per run of [`in_process`].
const IN_PROCESS_REQUESTS: u32 = 20_000;

/// The mean time `app` takes to answer the check question `body` (sent with `authorization`,
/// if any), handed the request in this process and read to the end of its body: what the
/// service costs without the kernel's share of a request, which is the same for both routers
/// and is what moves most with the machine's other load.
async fn in_process(
    app: &axum::Router,
    body: &str,
    authorization: Option<&str>,
) -> anyhow::Result<f64> {
    use axum::body::{Body, Bytes};
    use axum::extract::ConnectInfo;
    use axum::http::{Request, header};
    use tower::ServiceExt;

    let body = Bytes::copy_from_slice(body.as_bytes());
    let peer = ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40_000)));
    let started = std::time::Instant::now();
    for _ in 0..IN_PROCESS_REQUESTS {
        let mut request = Request::post("/v1/check")
            .header(header::CONTENT_TYPE, "application/json")
            .extension(peer);
        if let Some(authorization) = authorization {
            request = request.header(header::AUTHORIZATION, authorization);
        }
        let response = app
            .clone()
            .oneshot(request.body(Body::from(body.clone()))?)
            .await?;
        anyhow::ensure!(
            response.status() == StatusCode::OK,
            "the check answered {}",
            response.status()
        );
        axum::body::to_bytes(response.into_body(), usize::MAX).await?;
    }
    Ok(started.elapsed().as_secs_f64() / f64::from(IN_PROCESS_REQUESTS))
}

/// The host as `siteward serve` runs it, with a partner, a site, a technician and a partner
/// API token; returns its address, the question's body and the token.
async fn start_siteward(
    dir: &std::path::Path,
) -> anyhow::Result<(SocketAddr, axum::Router, String, String)> {
    let host = Host::start(&dir.join("db")).await?;
    let (body, token) = check_question(&host).await?;
    Ok((serve(host.app.clone()).await?, host.app, body, token))
}

/// Sets up a site, a technician and a partner API token on `host`; returns a check question's
/// body (may the technician view the site's dashboard) and the token to ask it with.
pub(crate) async fn check_question(host: &Host) -> anyhow::Result<(String, String)> {
    let site = host.site("admin@site.example").await?;
    let technician = host.member("tech@bench.example", "technician").await?;
    let token = host
        .post(
            &format!("/v1/partners/{}/api-tokens", host.partner),
            json!({ "name": "bench" }),
        )
        .await?;
    let token = text(&token, "token")?;
    let body =
        json!({ "technician_id": technician, "permission": "dashboard.view", "site_id": site })
            .to_string();
    // The question is a real one the endpoint answers.
    let answer = post(
        &host.app,
        "/v1/check",
        Some(&token),
        serde_json::from_str(&body)?,
    )
    .await?;
    anyhow::ensure!(
        answer.get("allowed").is_some(),
        "an answer without `allowed`: {answer}"
    );
    Ok((body, token))
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)] // Parsed like the real question, never read.
struct BareQuestion {
    technician_id: String,
    permission: String,
    site_id: Option<String>,
    device_id: Option<String>,
    partner_id: Option<String>,
    #[serde(default)]
    explain: bool,
}

#[derive(Debug, Serialize)]
struct BareAnswer {
    allowed: bool,
    reason: &'static str,
    level: Option<&'static str>,
}

async fn bare_check(Json(_question): Json<BareQuestion>) -> (StatusCode, Json<BareAnswer>) {
    (
        StatusCode::OK,
        Json(BareAnswer {
            allowed: false,
            reason: "not_assigned",
            level: None,
        }),
    )
}

fn bare_router() -> axum::Router {
    axum::Router::new().route("/v1/check", axum::routing::post(bare_check))
}

async fn start_bare() -> anyhow::Result<SocketAddr> {
    let app = bare_router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    Ok(address)
}

/// One `wrk` run against `address`.
fn wrk(address: SocketAddr, script: &std::path::Path, seconds: u32) -> anyhow::Result<Load> {
    let output = Command::new("wrk")
        .args([
            "-t1",
            &format!("-c{CONNECTIONS}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-s",
        ])
        .arg(script)
        .arg(format!("http://{address}/v1/check"))
        .output()?;
    let out = String::from_utf8_lossy(&output.stdout);
    anyhow::ensure!(
        output.status.success(),
        "wrk failed: {out}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    parse_wrk(&out)
}

/// One `wrk` run of `GET path` with one extra `header` (`Name: value`) over `connections`.
pub(crate) fn wrk_get(
    address: SocketAddr,
    (path, header): (&str, &str),
    connections: u32,
    seconds: u32,
) -> anyhow::Result<Load> {
    let output = Command::new("wrk")
        .args([
            "-t1",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-H",
            header,
        ])
        .arg(format!("http://{address}{path}"))
        .output()?;
    let out = String::from_utf8_lossy(&output.stdout);
    anyhow::ensure!(
        output.status.success(),
        "wrk failed: {out}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    parse_wrk(&out)
}

fn parse_wrk(out: &str) -> anyhow::Result<Load> {
    anyhow::ensure!(
        !out.contains("Non-2xx or 3xx responses") && !out.contains("Socket errors"),
        "requests failed under load:\n{out}"
    );
    let requests_per_second = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .ok_or_else(|| anyhow::anyhow!("no Requests/sec in wrk's output:\n{out}"))?;
    let p99 = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .and_then(|v| duration(v.trim()))
        .ok_or_else(|| anyhow::anyhow!("no 99% latency in wrk's output:\n{out}"))?;
    Ok(Load {
        requests_per_second,
        p99_seconds: p99,
    })
}

/// `wrk`'s durations: `812.00us`, `1.23ms`, `2.00s`, `1.5m`.
fn duration(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale = match unit {
        "us" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" => 60.0,
        _ => return None,
    };
    Some(number * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrk_output() {
        let out = "Running 1s test @ http://127.0.0.1:1/v1/check\n  1 threads and 32 connections\n\
                   Latency Distribution\n     50%  410.00us\n     99%    1.23ms\n\
                   20000 requests in 1.00s, 3.00MB read\nRequests/sec:  19987.65\n";
        let load = parse_wrk(out).unwrap();
        assert!((load.requests_per_second - 19987.65).abs() < 1e-6);
        assert!((load.p99_seconds - 1.23e-3).abs() < 1e-12);
        assert!(parse_wrk("Non-2xx or 3xx responses: 5\nRequests/sec: 1\n").is_err());
        assert_eq!(duration("2.00s"), Some(2.0));
    }
}
