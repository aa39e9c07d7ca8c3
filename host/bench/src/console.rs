//! Console pages beside the JSON endpoints that list the same rows, at scale: a partner with
//! 10,000 sites and 100,000 site assignments (10,000 technicians at 10 sites each), under the
//! same `wrk` load, in the same run.
//!
//! - Partner › Team (`GET /partners/{id}/team`, cookie session) beside
//!   `GET /v1/partners/{id}/members?limit=50` (bearer session): the page also reads the
//!   partner and its invitations.
//! - The site picker (`GET /sites/{id}/invite`) beside `GET /v1/sites/{id}/technician-candidates?limit=20`.
//!
//! - A site's Technicians page (`GET /sites/{id}/technicians`, its admin's cookie session) at a
//!   site with 2,000 technicians beside `GET /v1/sites/{id}/technicians?limit=50`; and a bulk
//!   lock of 1,000 of them as the page's confirmed form posts it
//!   (`POST /sites/{id}/technicians/bulk`) beside the same bulk call over JSON
//!   (`POST /v1/sites/{id}/technicians/lock`), each timed alone, alternating lock and unlock.
//!
//! The partner is made through the API; its sites, technicians and assignments are written as
//! rows in a few raw SurrealQL inserts (argon2 for 10,000 accounts would take longer than the
//! measurement).

use std::net::SocketAddr;

use serde_json::json;

use siteward_core::ids::{AccountId, SiteId};
use siteward_core::validate::Email;
use siteward_storage::Store;

use crate::Effort;
use crate::host::{Host, serve};
use crate::http::{Load, wrk_get};
use crate::report::{Figure, Section, Target, Unit};

/// Sites per technician.
pub(crate) const SITES_EACH: u64 = 10;

/// Connections `wrk` keeps open: a few people loading pages back to back. (At 32, as the
/// check endpoint is measured, a page's p99 is mostly the queue in front of it.)
const CONNECTIONS: u32 = 4;

/// Rows per insert statement.
const BATCH: usize = 5_000;

/// Runs both pairs under `wrk`, alternating, `effort.rounds` times.
pub fn run(effort: Effort) -> anyhow::Result<Section> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    let sites = effort.console_sites;
    let served = runtime.block_on(start(&dir.path().join("db"), sites))?;
    let pairs = [
        (
            "Partner › Team page",
            format!("/partners/{}/team", served.partner),
            "GET /v1/partners/{id}/members?limit=50",
            format!("/v1/partners/{}/members?limit=50", served.partner),
        ),
        (
            "site's Technicians page (2,000 technicians)",
            format!("/sites/{}/technicians", served.big_site),
            "GET /v1/sites/{id}/technicians?limit=50",
            format!("/v1/sites/{}/technicians?limit=50", served.big_site),
        ),
        (
            "site picker page",
            format!("/sites/{}/invite", served.site),
            "GET /v1/sites/{id}/technician-candidates?limit=20",
            format!("/v1/sites/{}/technician-candidates?limit=20", served.site),
        ),
    ];
    let cookie = format!("Cookie: siteward_session={}", served.token);
    let bearer = format!("Authorization: Bearer {}", served.token);
    let admin_cookie = format!("Cookie: siteward_session={}", served.admin);
    let admin_bearer = format!("Authorization: Bearer {}", served.admin);
    let mut section = Section::new("Console pages vs the JSON endpoints that list the same rows");
    section.note(format!(
        "One partner with {} sites and {} site assignments ({} technicians at {SITES_EACH} sites \
         each), on `surrealkv://`; `wrk`, 1 thread, {} connections, {} s per run, page and JSON \
         alternating, {} rounds; the host runs in the suite's process on a 2-worker Tokio \
         runtime. The page is the whole HTML response (session cookie, every read the page \
         makes); the JSON endpoint lists the same rows (bearer session). Every response was 200.",
        crate::report::thousands(sites as f64),
        crate::report::thousands((sites * SITES_EACH) as f64),
        crate::report::thousands(sites as f64),
        CONNECTIONS,
        effort.http_seconds,
        effort.rounds,
    ));
    for (page_name, page_path, json_name, json_path) in pairs {
        // The site's pages are its admin's; the partner's are its Super Admin's.
        let (cookie, bearer) =
            match page_path.starts_with("/sites/") && page_path.ends_with("/technicians") {
                true => (&admin_cookie, &admin_bearer),
                false => (&cookie, &bearer),
            };
        let mut pages: Vec<Load> = Vec::new();
        let mut jsons: Vec<Load> = Vec::new();
        for _ in 0..effort.rounds {
            let (address, seconds) = (served.address, effort.http_seconds);
            pages.push(wrk_get(
                address,
                (&page_path, cookie),
                CONNECTIONS,
                seconds,
            )?);
            jsons.push(wrk_get(
                address,
                (&json_path, bearer),
                CONNECTIONS,
                seconds,
            )?);
        }
        let p99 = |loads: &[Load]| loads.iter().map(|l| l.p99_seconds).collect::<Vec<_>>();
        section.add(
            Figure::new(
                format!("p99 latency — {page_name}"),
                Unit::Time,
                p99(&pages),
            )
            .target(Target::AtMost(0.030)),
        );
        section.add(Figure::new(
            format!("p99 latency — {json_name}"),
            Unit::Time,
            p99(&jsons),
        ));
        section.add(
            Figure::new(
                format!("{page_name}'s p99 over the JSON endpoint's"),
                Unit::Times,
                pages
                    .iter()
                    .zip(&jsons)
                    .map(|(p, j)| p.p99_seconds / j.p99_seconds)
                    .collect(),
            )
            .target(Target::AtMost(1.5)),
        );
        section.add(Figure::new(
            format!("requests per second — {page_name}"),
            Unit::PerSecond,
            pages.iter().map(|l| l.requests_per_second).collect(),
        ));
    }
    let (pages, jsons) = runtime.block_on(bulk_locks(&served, effort.rounds.max(3) * 2))?;
    let bulk = crate::report::thousands(served.bulk as f64);
    section.add(Figure::new(
        format!("bulk unlock of {bulk} from the page (confirmed form)"),
        Unit::Time,
        pages.clone(),
    ));
    section.add(Figure::new(
        format!("bulk lock of {bulk} over JSON"),
        Unit::Time,
        jsons.clone(),
    ));
    section.add(
        Figure::new(
            "the page's bulk change over the JSON call's",
            Unit::Times,
            pages.iter().zip(&jsons).map(|(p, j)| p / j).collect(),
        )
        .target(Target::AtMost(1.5)),
    );
    drop(runtime);
    Ok(section)
}

/// Times `times` bulk changes of `served.bulk` technicians each way: the page's confirmed
/// form, then the JSON call, each changing every row.
async fn bulk_locks(served: &Served, times: usize) -> anyhow::Result<(Vec<f64>, Vec<f64>)> {
    use tower::ServiceExt;
    let ids: Vec<String> = (0..served.bulk).map(account_id).collect();
    let csrf = "b".repeat(43);
    let (mut pages, mut jsons) = (Vec::new(), Vec::new());
    // The technicians start Locked: the page unlocks them all, the JSON call locks them all
    // again, so every call changes every row.
    for _ in 0..times {
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("do", "unlock")];
        form.extend(ids.iter().map(|id| ("account", id.as_str())));
        let request = axum::http::Request::builder()
            .method("POST")
            .uri(format!("/sites/{}/technicians/bulk", served.big_site))
            .header("content-type", "application/x-www-form-urlencoded")
            .header(
                "cookie",
                format!("siteward_session={}; siteward_csrf={csrf}", served.admin),
            )
            .body(axum::body::Body::from(serde_urlencoded::to_string(&form)?))?;
        let started = std::time::Instant::now();
        let response = served.app.clone().oneshot(request).await?;
        pages.push(started.elapsed().as_secs_f64());
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        anyhow::ensure!(
            location.contains(&format!("n={}", served.bulk)),
            "the page's bulk lock answered {} {location}",
            response.status()
        );
        let body = json!({ "account_ids": ids, "locked": true });
        let started = std::time::Instant::now();
        crate::host::post(
            &served.app,
            &format!("/v1/sites/{}/technicians/lock", served.big_site),
            Some(&served.admin),
            body,
        )
        .await?;
        jsons.push(started.elapsed().as_secs_f64());
    }
    Ok((pages, jsons))
}

/// The host being measured.
struct Served {
    address: SocketAddr,
    partner: String,
    site: String,
    token: String,
    /// The site with many technicians, and its admin's session.
    big_site: String,
    admin: String,
    /// How many technicians a bulk lock names.
    bulk: u64,
    app: axum::Router,
}

/// Makes the partner through the API, writes its sites, technicians and assignments raw,
/// and serves the host on a socket. (The permission index does not hold the raw rows; neither
/// the pages nor the JSON lists measured here read it.)
async fn start(folder: &std::path::Path, sites: u64) -> anyhow::Result<Served> {
    let host = Host::start(folder).await?;
    let customer = host.customer().await?;
    seed(&host.state.store, &host.partner, &customer, sites).await?;
    let big_site = host.site("siteadmin@bench.example").await?;
    let technicians = sites.min(2_000);
    seed_big_site(&host.state.store, &host.partner, &big_site, technicians).await?;
    let admin = crate::host::login(&host.app, "siteadmin@bench.example").await?;
    let address = serve(host.app.clone()).await?;
    Ok(Served {
        address,
        partner: host.partner.clone(),
        site: site_id(0),
        token: host.owner.clone(),
        big_site,
        admin,
        bulk: technicians / 2,
        app: host.app.clone(),
    })
}

/// When the seeded ids say they were made: a fixed instant, so every id is the same on
/// every call.
fn made() -> siteward_core::Timestamp {
    chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("a valid instant")
}

fn site_id(n: u64) -> String {
    SiteId::generate(made(), seed_bytes(1, n)).to_string()
}

pub(crate) fn account_id(n: u64) -> String {
    AccountId::generate(made(), seed_bytes(2, n)).to_string()
}

/// Ten random bytes of an id, made from a kind and a number: distinct, and the same on
/// every call within a run.
fn seed_bytes(kind: u8, n: u64) -> [u8; 10] {
    let mut bytes = [0u8; 10];
    bytes[0] = kind;
    bytes[2..].copy_from_slice(&n.to_be_bytes());
    bytes
}

/// Writes `sites` sites, as many technicians, and ten assignments each.
pub(crate) async fn seed(
    store: &Store,
    partner: &str,
    customer: &str,
    sites: u64,
) -> anyhow::Result<()> {
    seed_technicians(store, partner, sites).await?;
    let site_ids: Vec<String> = (0..sites).map(site_id).collect();
    let site_rows: Vec<serde_json::Value> = site_ids
        .iter()
        .enumerate()
        .map(|(n, id)| {
            json!({
                "id": id, "customer_id": customer, "partner_id": partner,
                "name": format!("Site {n:05}"), "technician_access": true,
            })
        })
        .collect();
    let assignments: Vec<serde_json::Value> = (0..sites)
        .flat_map(|t| (0..SITES_EACH).map(move |k| (t, (t * 7 + k * 997) % sites)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|(t, s)| {
            let (site, account) = (&site_ids[s as usize], account_id(t));
            json!({
                "id": format!("{site}/{account}"), "site_id": site, "account_id": account,
                "partner_id": partner, "level": "devices_only", "locked": false,
                "set_by": account,
            })
        })
        .collect();
    insert(store, "site", site_rows, "$now AS created_at").await?;
    insert(
        store,
        "site_assignment",
        assignments,
        "$now AS created_at, $now AS updated_at",
    )
    .await
}

/// Writes `count` technicians of `partner` (accounts and memberships; `account_id(n)`,
/// `tech{n}@bench.example`), raw.
pub(crate) async fn seed_technicians(
    store: &Store,
    partner: &str,
    count: u64,
) -> anyhow::Result<()> {
    let account_ids: Vec<String> = (0..count).map(account_id).collect();
    let accounts: Vec<serde_json::Value> = account_ids
        .iter()
        .enumerate()
        .map(|(n, id)| {
            let email = format!("tech{n:06}@bench.example");
            let skeleton = Email::parse("email", &email)
                .map(|e| e.skeleton())
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            anyhow::Ok(json!({
                "id": id, "email": email, "name": format!("Technician {n:06}"),
                "password_hash": "$argon2id$not-used", "status": "active", "is_operator": false,
                "email_skeleton": skeleton,
            }))
        })
        .collect::<anyhow::Result<_>>()?;
    let members: Vec<serde_json::Value> = account_ids
        .iter()
        .map(|id| {
            json!({
                "id": format!("{partner}/{id}"), "partner_id": partner, "account_id": id,
                "role": "technician", "status": "active",
            })
        })
        .collect();
    insert(store, "account", accounts, "$now AS created_at").await?;
    insert(store, "partner_member", members, "$now AS created_at").await
}

/// Inserts `rows` into `table` in statements of [`BATCH`], each row stamped with `stamps`.
async fn insert(
    store: &Store,
    table: &str,
    rows: Vec<serde_json::Value>,
    stamps: &str,
) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    for chunk in rows.chunks(BATCH) {
        store
            .surreal()
            .query(format!(
                "INSERT INTO {table} (SELECT *, {stamps} FROM $rows)"
            ))
            .bind(("rows", chunk.to_vec()))
            .bind(("now", now))
            .await?
            .check()?;
    }
    Ok(())
}

/// Assigns the first `technicians` seeded technicians to `site`, raw, Locked as new ones are.
pub(crate) async fn seed_big_site(
    store: &Store,
    partner: &str,
    site: &str,
    technicians: u64,
) -> anyhow::Result<()> {
    let rows: Vec<serde_json::Value> = (0..technicians)
        .map(account_id)
        .map(|account| {
            json!({
                "id": format!("{site}/{account}"), "site_id": site, "account_id": account,
                "partner_id": partner, "level": "devices_only", "locked": true,
                "set_by": account,
            })
        })
        .collect();
    insert(
        store,
        "site_assignment",
        rows,
        "$now AS created_at, $now AS updated_at",
    )
    .await
}
