//! What a partner's size costs the requests that read its members: the same requests against
//! partners of 100, 10,000 and 100,000 members, each size a fresh host on `surrealkv://`.
//!
//! - a site's Technicians page (`GET /sites/{id}/technicians`, its admin's cookie session), the
//!   site holding 50 of the members;
//! - the site picker's candidates (`GET /v1/sites/{id}/technician-candidates?limit=20`);
//! - a site invitation of 10 members (`POST /v1/sites/{id}/invitations`), each time to a new
//!   site (made before the clock starts), so every pick is a new invitation;
//! - a bulk invitation of 10 new addresses to the partner (`POST /v1/partners/{id}/invitations`);
//! - Partner › Team (`GET /partners/{id}/team`, the Super Admin's cookie session).
//!
//! Each request is timed alone through the real router, in process; the figure is the median
//! over the requests, and the target is the largest size within twice the smallest. The
//! members are written as rows (see [`crate::console`]); the site and the people who sign in are
//! made through the API.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::Effort;
use crate::console::{account_id, seed_big_site, seed_technicians};
use crate::host::{Host, login, post};
use crate::report::{Figure, Section, Target, Unit, thousands};

/// The members of the site whose Technicians page is read.
const AT_SITE: u64 = 50;

/// Invitations per invitation request.
const INVITED: u64 = 10;

/// The requests measured, by name.
const REQUESTS: [&str; 5] = [
    "site's Technicians page",
    "site picker's candidates",
    "site invitation of 10 members",
    "bulk invitation of 10 addresses",
    "Partner › Team page",
];

/// Runs every request at every size in `effort.scaling_members`.
pub fn run(effort: Effort) -> anyhow::Result<Section> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let sizes = effort.scaling_members;
    let mut times: Vec<Vec<Vec<Duration>>> = Vec::new();
    let mut seeded = Vec::new();
    for &members in sizes {
        let dir = tempfile::tempdir()?;
        let started = Instant::now();
        let host = runtime.block_on(start(&dir.path().join("db"), members))?;
        seeded.push(started.elapsed());
        times.push(runtime.block_on(measure(&host, effort.scaling_requests))?);
    }

    let mut section =
        Section::new("The requests that read a partner's members, by the partner's size");
    section.note(format!(
        "One partner of {} members (rows written raw; seeding took {}), one site holding {AT_SITE} \
         of them, on `surrealkv://`; each request timed alone through the real router, {} times \
         per size (site invitations of the same {INVITED} members to a new site each time, bulk \
         invitations of new addresses). The target: the largest size's median within twice the \
         smallest's.",
        sizes
            .iter()
            .map(|n| thousands(*n as f64))
            .collect::<Vec<_>>()
            .join(", "),
        seeded
            .iter()
            .map(|d| format!("{d:.1?}"))
            .collect::<Vec<_>>()
            .join(", "),
        effort.scaling_requests,
    ));
    for (r, name) in REQUESTS.iter().enumerate() {
        for (s, members) in sizes.iter().enumerate() {
            section.add(Figure::times(
                format!("{name} — {} members", thousands(*members as f64)),
                &times[s][r],
            ));
        }
        let median = |s: usize| {
            let mut t = times[s][r].clone();
            t.sort_unstable();
            t[t.len() / 2].as_secs_f64()
        };
        let (first, last) = (0, sizes.len() - 1);
        section.add(
            Figure::new(
                format!(
                    "{name}: {} members over {}",
                    thousands(sizes[last] as f64),
                    thousands(sizes[first] as f64)
                ),
                Unit::Times,
                vec![median(last) / median(first)],
            )
            .target(Target::AtMost(2.0)),
        );
    }
    Ok(section)
}

/// A host whose partner has `members` technicians and a site holding [`AT_SITE`] of them.
struct Sized {
    host: Host,
    site: String,
    /// The site admin's session.
    admin: String,
    /// The first of the members that site invitations pick (none is at any site yet).
    picked: u64,
}

async fn start(folder: &std::path::Path, members: u64) -> anyhow::Result<Sized> {
    let host = Host::start(folder).await?;
    seed_technicians(&host.state.store, &host.partner, members).await?;
    let site = host.site("siteadmin@bench.example").await?;
    let at_site = AT_SITE.min(members);
    seed_big_site(&host.state.store, &host.partner, &site, at_site).await?;
    let admin = login(&host.app, "siteadmin@bench.example").await?;
    Ok(Sized {
        host,
        site,
        admin,
        picked: at_site,
    })
}

/// `rounds` of each request, in [`REQUESTS`] order.
async fn measure(sized: &Sized, rounds: usize) -> anyhow::Result<Vec<Vec<Duration>>> {
    let host = &sized.host;
    let picked: Vec<Value> = (sized.picked..sized.picked + INVITED)
        .map(|n| json!({ "account_id": account_id(n) }))
        .collect();
    let mut times = vec![Vec::new(); REQUESTS.len()];
    for round in 0..rounds {
        let technicians = format!("/sites/{}/technicians", sized.site);
        times[0].push(timed(page(host, &technicians, &sized.admin)).await?);
        let candidates = format!("/v1/sites/{}/technician-candidates?limit=20", sized.site);
        times[1].push(timed(page(host, &candidates, &host.owner)).await?);
        let site = host.site(&format!("admin{round}@bench.example")).await?;
        let invite = format!("/v1/sites/{site}/invitations");
        let body = json!({ "level": "devices_only", "technicians": picked });
        times[2].push(timed(post(&host.app, &invite, Some(&host.owner), body)).await?);
        let emails: Vec<String> = (0..INVITED)
            .map(|n| format!("new{round}x{n}@bench.example"))
            .collect();
        let invite = format!("/v1/partners/{}/invitations", host.partner);
        let body = json!({ "emails": emails, "role": "technician" });
        times[3].push(timed(post(&host.app, &invite, Some(&host.owner), body)).await?);
        let team = format!("/partners/{}/team", host.partner);
        times[4].push(timed(page(host, &team, &host.owner)).await?);
    }
    Ok(times)
}

/// How long `request` took; fails if it did.
async fn timed<T>(request: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<Duration> {
    let started = Instant::now();
    request.await?;
    Ok(started.elapsed())
}

/// GETs `path` with `session` as both the console's cookie and a bearer token; fails on
/// anything but 200, and reads the whole body.
async fn page(host: &Host, path: &str, session: &str) -> anyhow::Result<()> {
    let request = Request::builder()
        .uri(path)
        .header("cookie", format!("siteward_session={session}"))
        .header("authorization", format!("Bearer {session}"))
        .body(Body::empty())?;
    let response = host.app.clone().oneshot(request).await?;
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
    anyhow::ensure!(
        status.is_success(),
        "GET {path}: {status} {}",
        String::from_utf8_lossy(&body)
    );
    Ok(())
}
