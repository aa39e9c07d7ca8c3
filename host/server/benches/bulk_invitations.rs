//! Benchmark: bulk invitations persisted with their outbox rows and audit events on embedded
//! SurrealDB (`surrealkv://`), through the product's own code path (the HTTP router, the
//! domain rules, the renderer and one transaction per request of 1,000 addresses).
//!
//! Run with `cargo bench -p siteward-server --bench bulk_invitations`. Prints invitations per
//! second for each batch and the median; not a test, and asserts nothing about speed.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use tower::ServiceExt;

use siteward_core::Clock;
use siteward_server::{AppState, Settings, SystemClock, router};
use siteward_storage::{Store, StoreConfig};

const BATCHES: usize = 10;
const BATCH: usize = 1000;
const PASSWORD: &str = "benchmark passphrase";

async fn call(
    app: &axum::Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> Value {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{method} {path}: {}",
        response.status()
    );
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let config = StoreConfig {
        url: format!("surrealkv://{}", dir.path().join("db").display()),
        ..StoreConfig::memory()
    };
    let store = Store::open(&config).await.unwrap();
    siteward_server::operator::create_operator(
        &store,
        "ops@bench.example",
        "Ops",
        PASSWORD,
        SystemClock.now(),
    )
    .await
    .unwrap();
    let state = AppState::new(store.clone(), Arc::new(SystemClock), Settings::defaults())
        .await
        .unwrap();
    let app = router(state, 16 * 1024 * 1024);
    let login = |email: &'static str| {
        let app = app.clone();
        async move {
            call(
                &app,
                "POST",
                "/v1/auth/login",
                None,
                json!({ "email": email, "password": PASSWORD }),
            )
            .await["token"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let operator = login("ops@bench.example").await;
    let partner = call(&app, "POST", "/v1/partners", Some(&operator), json!({
        "name": "Bench Partner",
        "super_admin": { "email": "owner@bench.example", "name": "Owner", "password": PASSWORD },
    }))
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let owner = login("owner@bench.example").await;

    let mut rates = Vec::new();
    for batch in 0..BATCHES {
        let emails: Vec<String> = (0..BATCH)
            .map(|n| format!("tech{batch}x{n}@bench.example"))
            .collect();
        let started = Instant::now();
        let reply = call(
            &app,
            "POST",
            &format!("/v1/partners/{partner}/invitations"),
            Some(&owner),
            json!({ "emails": emails, "role": "technician" }),
        )
        .await;
        let elapsed = started.elapsed();
        assert_eq!(reply["results"].as_array().unwrap().len(), BATCH);
        let rate = BATCH as f64 / elapsed.as_secs_f64();
        println!(
            "batch {batch:>2}: {BATCH} invitations + outbox rows + audit events in {:>7.1} ms = {rate:>8.0} invitations/s",
            elapsed.as_secs_f64() * 1e3
        );
        rates.push(rate);
    }
    let (pending, _, _) = store.outbox_counts().await.unwrap();
    assert_eq!(pending as usize, BATCHES * BATCH);
    rates.sort_by(f64::total_cmp);
    println!(
        "bulk invitations on surrealkv://, {} x {BATCH}: min {:.0}, median {:.0}, max {:.0} invitations/s",
        BATCHES,
        rates[0],
        rates[rates.len() / 2],
        rates[rates.len() - 1]
    );
}
