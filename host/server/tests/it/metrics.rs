//! `/metrics`: the operator's alone on the API listener, open on `[metrics] listen`; what it
//! counts; Prometheus's own `promtool` reads the exposition; and the sample dashboard and
//! alert rules use only metrics a host exposes.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::TestApp;
use super::export::download;

/// The value of the sample `name{labels}` (labels exactly as written, in order), if exposed.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.trim().parse().unwrap())
}

fn packaging() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging")
}

/// Runs Prometheus's `promtool` with `args` (and `input` on stdin); panics with its output
/// unless it succeeds.
fn promtool(args: &[&str], input: Option<&str>, dir: &Path) {
    let mut child = Command::new("promtool")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool runs (.ci/run installs Debian's prometheus package)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.unwrap_or_default().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool {args:?}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn metrics_count_what_the_host_does_and_answer_the_operator_alone() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let partner = app.partner(&operator, "acme").await;
    let tech = app
        .member(&partner, "tech@acme.example", "technician")
        .await;
    let site = app.site(&partner, "admin@customer.example").await;
    for _ in 0..2 {
        let reply = app
            .post(
                "/v1/check",
                &partner.owner_token,
                json!({ "technician_id": tech, "permission": "dashboard.view", "site_id": site }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.str("reason"), "not_assigned");
    }
    let invited = app
        .post(
            &format!("/v1/partners/{}/invitations", partner.id),
            &partner.owner_token,
            json!({ "emails": ["new@acme.example"], "role": "technician" }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    // A route keeps its figures from its first request: another status of the same route, and
    // another method on the router's fallback, are counted apart all the same.
    let refused = app
        .post(
            "/v1/check",
            &partner.owner_token,
            json!({ "technician_id": tech, "permission": "no.such.permission", "site_id": site }),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let nowhere = app.get("/v1/no/such/thing", &operator).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    let nowhere = app.post("/v1/no/such/thing", &operator, json!({})).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    app.clock.advance(chrono::Duration::seconds(90));

    // Not public: no token, or anyone's but the operator's, is refused.
    assert_eq!(
        download(&app, "/metrics", "").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        download(&app, "/metrics", &partner.owner_token).await.0,
        StatusCode::FORBIDDEN
    );
    let operator = app.operator().await;
    let (status, content_type, text) = download(&app, "/metrics", &operator).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");

    // Requests by route template, never by path; latency per route.
    assert_eq!(
        sample(
            &text,
            r#"siteward_http_requests_total{method="POST",route="/v1/check",status="200"}"#
        ),
        Some(2.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"siteward_http_requests_total{method="POST",route="/v1/check",status="422"}"#
        ),
        Some(1.0)
    );
    for method in ["GET", "POST"] {
        let series = format!(
            r#"siteward_http_requests_total{{method="{method}",route="unmatched",status="404"}}"#
        );
        assert_eq!(sample(&text, &series), Some(1.0), "{series}");
    }
    assert!(!text.contains("/v1/no/such/thing"));
    assert_eq!(
        sample(
            &text,
            r#"siteward_http_request_duration_seconds_count{method="POST",route="/v1/check"}"#
        ),
        Some(3.0)
    );
    // Checks by decision and reason.
    assert_eq!(
        sample(
            &text,
            r#"siteward_checks_total{decision="deny",reason="not_assigned"}"#
        ),
        Some(2.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"siteward_checks_total{decision="allow",reason="granted_by_level"}"#
        ),
        Some(0.0)
    );
    // Invitations by outcome, and what the store wrote.
    assert_eq!(
        sample(&text, r#"siteward_invitations_total{outcome="created"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"siteward_audit_events_total{action="invitation.created"}"#
        ),
        Some(1.0)
    );
    assert!(
        sample(
            &text,
            r#"siteward_db_transactions_total{outcome="committed"}"#
        )
        .unwrap()
            > 5.0
    );
    // The outbox as the database holds it: the invitation's email, waiting 90 s.
    assert_eq!(sample(&text, "siteward_outbox_pending"), Some(1.0));
    assert_eq!(
        sample(&text, "siteward_outbox_oldest_pending_age_seconds"),
        Some(90.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"siteward_email_attempts_total{outcome="delivered"}"#
        ),
        Some(0.0)
    );
    assert_eq!(
        sample(&text, r#"siteward_permission_index_entries{kind="sites"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, "siteward_permission_index_lag_revisions"),
        Some(0.0)
    );

    // Prometheus's own parser and linter read it.
    promtool(&["check", "metrics"], Some(&text), &packaging());
}

/// Every metric the host exposes, by the names queries use (a counter's `_total`, a
/// histogram's `_bucket`, `_sum` and `_count`).
async fn exposed_names() -> BTreeSet<String> {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let (status, _, text) = download(&app, "/metrics", &operator).await;
    assert_eq!(status, StatusCode::OK);
    let mut names = BTreeSet::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("# TYPE ") else {
            continue;
        };
        let (name, kind) = rest.split_once(' ').unwrap();
        if kind == "histogram" {
            for suffix in ["_bucket", "_sum", "_count"] {
                names.insert(format!("{name}{suffix}"));
            }
        } else {
            names.insert(name.to_owned());
        }
    }
    names
}

/// The `siteward_…` metric names a PromQL text uses.
fn used_names(expr: &str) -> Vec<String> {
    let mut used = Vec::new();
    let mut rest = expr;
    while let Some(at) = rest.find("siteward_") {
        let name: String = rest[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        rest = &rest[at + name.len()..];
        used.push(name);
    }
    used
}

fn exprs(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("expr", Value::String(expr)) => found.push(expr.clone()),
                    _ => exprs(value, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| exprs(item, found)),
        _ => {}
    }
}

#[tokio::test]
async fn the_dashboard_and_alert_rules_use_only_exposed_metrics_and_the_alerts_fire_as_tested() {
    let exposed = exposed_names().await;
    let prometheus = packaging().join("prometheus");
    promtool(
        &["check", "rules", "siteward-alerts.yml"],
        None,
        &prometheus,
    );
    promtool(
        &["test", "rules", "siteward-alerts.test.yml"],
        None,
        &prometheus,
    );
    let rules = std::fs::read_to_string(prometheus.join("siteward-alerts.yml")).unwrap();
    let rule_exprs: Vec<&str> = rules
        .split("expr:")
        .skip(1)
        .map(|rest| rest.split("for:").next().unwrap())
        .map(|rest| rest.split("labels:").next().unwrap())
        .collect();
    assert_eq!(rule_exprs.len(), 6);

    let dashboard: Value = serde_json::from_str(
        &std::fs::read_to_string(packaging().join("grafana/siteward-dashboard.json")).unwrap(),
    )
    .expect("the dashboard is JSON");
    let mut dashboard_exprs = Vec::new();
    exprs(&dashboard["panels"], &mut dashboard_exprs);
    assert!(dashboard_exprs.len() >= 15, "{dashboard_exprs:?}");
    let variable = dashboard["templating"]["list"][1]["definition"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut used = BTreeSet::new();
    for expr in rule_exprs
        .iter()
        .copied()
        .chain(dashboard_exprs.iter().map(String::as_str))
        .chain([variable.as_str()])
    {
        let names = used_names(expr);
        assert!(!names.is_empty(), "{expr} reads no Siteward metric");
        used.extend(names);
    }
    let missing: Vec<_> = used.difference(&exposed).collect();
    assert!(
        missing.is_empty(),
        "not exposed: {missing:?}\nexposed: {exposed:?}"
    );
}

#[test]
fn a_host_serves_metrics_without_a_token_on_its_metrics_listener_alone() {
    let data = tempfile::tempdir().unwrap();
    // A free port for the metrics listener (the system's choice, released for the host).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let metrics = format!("127.0.0.1:{port}");
    let host = super::socket::start_with(
        data.path(),
        &[("SITEWARD_METRICS__LISTEN", metrics.clone())],
    );
    let text = http_get_text(&metrics, "/metrics");
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        text.contains("# TYPE siteward_checks_total counter"),
        "{text}"
    );
    // The listener serves nothing else; the API listener still wants the operator.
    assert!(http_get_text(&metrics, "/v1/me").starts_with("HTTP/1.1 404"));
    let (status, _) = super::socket::request(&host.address, "GET", "/metrics", None, None);
    assert_eq!(status, 401);
}

/// A plain HTTP/1.1 GET; the whole response as text.
fn http_get_text(address: &str, path: &str) -> String {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[tokio::test]
async fn every_answer_carries_its_request_id_and_a_panic_is_answered_500_and_counted() {
    use axum::body::{Body, to_bytes};
    use axum::http::Request;
    use tower::ServiceExt;

    let app = TestApp::new().await;
    let router = axum::Router::new()
        .route(
            "/seen",
            axum::routing::get(|headers: axum::http::HeaderMap| async move {
                headers["x-request-id"].to_str().unwrap().to_owned()
            }),
        )
        .route(
            "/boom/{n}",
            axum::routing::get(|| async {
                if true {
                    panic!("a handler's bug, on purpose");
                }
                "never"
            }),
        )
        .layer(siteward_server::api::observe::Observe::new(
            app.state.clone(),
            1024,
        ));
    let send = |request: Request<Body>| async {
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, id, String::from_utf8(body.to_vec()).unwrap())
    };

    // Made by the host, like a UUID, different for every request; the handler sees it too.
    let (status, first, seen) = send(Request::get("/seen").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen, first);
    let dashes: Vec<usize> = first.match_indices('-').map(|(i, _)| i).collect();
    assert_eq!((first.len(), dashes), (36, vec![8, 13, 18, 23]), "{first}");
    let (_, second, _) = send(Request::get("/seen").body(Body::empty()).unwrap()).await;
    assert_ne!(first, second);
    // The client's own, kept.
    let (_, id, seen) = send(
        Request::get("/seen")
            .header("x-request-id", "client-chosen-1")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        (id.as_str(), seen.as_str()),
        ("client-chosen-1", "client-chosen-1")
    );

    // A panic is an answer: 500 with the API's error body, the id, and a count by route.
    let (status, id, body) = send(Request::get("/boom/7").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(id.len(), 36);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"]["code"], "internal", "{body}");
    let text = siteward_server::metrics::render(&app.state).await.unwrap();
    assert_eq!(
        sample(
            &text,
            r#"siteward_http_requests_total{method="GET",route="/boom/{n}",status="500"}"#
        ),
        Some(1.0),
        "{text}"
    );
}
