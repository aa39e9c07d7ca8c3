//! Audit export through the first-party exporters: 10,000 events in each format, streamed,
//! read back with a parser for that format; who may export what; bad requests.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;

use siteward_server::plugins::bundled::ensure;

use super::{Partner, TestApp};

/// A partner with 10,000 invitations (and the events of setting it up).
async fn busy_partner(app: &TestApp) -> Partner {
    ensure(&app.state).await.unwrap();
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    app.invite_many(&acme, "tech", "acme.example", 10_000).await;
    acme
}

/// The raw answer: status, content type, body text.
pub(crate) async fn download(
    app: &TestApp,
    path: &str,
    token: &str,
) -> (StatusCode, String, String) {
    let request = Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        content_type,
        String::from_utf8(bytes.to_vec()).unwrap(),
    )
}

/// One CEF record read as the specification writes it: an optional RFC 5424 header, seven
/// `|`-separated header fields (`\|` and `\\` escaped), then `key=value` pairs (`\=`, `\\`,
/// `\n` escaped) whose values run to the next unescaped ` key=`.
fn parse_cef(line: &str) -> (Vec<String>, Vec<(String, String)>) {
    let start = line.find("CEF:").expect("a CEF record");
    let record = &line[start..];
    let (mut header, mut field, mut chars) = (Vec::new(), String::new(), record.chars());
    while header.len() < 7 {
        match chars.next().expect("seven header fields") {
            '\\' => field.push(chars.next().expect("an escaped character")),
            '|' => header.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    let extension: String = chars.collect();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let (mut key, mut value, mut in_key) = (String::new(), String::new(), true);
    let mut chars = extension.chars().peekable();
    while let Some(c) = chars.next() {
        if in_key {
            if c == '=' {
                in_key = false;
            } else {
                key.push(c);
            }
            continue;
        }
        match c {
            '\\' => match chars.next().expect("an escaped character") {
                'n' => value.push('\n'),
                'r' => value.push('\r'),
                other => value.push(other),
            },
            ' ' => {
                // A space ends the value when a key and `=` follow.
                let rest: String = chars.clone().collect();
                let next_key = rest.split('=').next().unwrap_or("");
                if !next_key.is_empty()
                    && rest.contains('=')
                    && next_key.chars().all(|c| c.is_ascii_alphanumeric())
                {
                    pairs.push((std::mem::take(&mut key), std::mem::take(&mut value)));
                    in_key = true;
                } else {
                    value.push(' ');
                }
            }
            c => value.push(c),
        }
    }
    pairs.push((key, value));
    (header, pairs)
}

#[tokio::test]
async fn an_export_of_10000_events_parses_in_every_format() {
    let app = TestApp::new().await;
    let acme = busy_partner(&app).await;
    let base = format!("/v1/partners/{}/audit-events/export", acme.id);

    let (status, content_type, ndjson) =
        download(&app, &format!("{base}?format=ndjson"), &acme.owner_token).await;
    assert_eq!(status, StatusCode::OK, "{ndjson}");
    assert_eq!(content_type, "application/x-ndjson");
    let events: Vec<Value> = ndjson
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    let total = events.len();
    assert!(total > 10_000, "{total}");
    let created = events
        .iter()
        .filter(|e| e["action"] == "invitation.created")
        .count();
    assert_eq!(created, 10_000);
    let mut ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.dedup();
    assert_eq!(ids.len(), total, "no event twice across batches");

    let (status, content_type, csv_text) =
        download(&app, &format!("{base}?format=csv"), &acme.owner_token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "id",
            "at",
            "actor_kind",
            "actor_id",
            "partner_id",
            "site_id",
            "action",
            "target_kind",
            "target_id",
            "changes",
            "request_id"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), total, "one header row, then one row per event");
    assert_eq!(&rows[0][0], ids[0]);

    let (status, _, cef) = download(&app, &format!("{base}?format=cef"), &acme.owner_token).await;
    assert_eq!(status, StatusCode::OK);
    let records: Vec<_> = cef.lines().map(parse_cef).collect();
    assert_eq!(records.len(), total);
    for ((header, extension), event) in records.iter().zip(&events) {
        assert_eq!(header[0], "CEF:0");
        assert_eq!(header[4], event["action"].as_str().unwrap());
        let get = |key: &str| {
            extension
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("externalId"), event["id"].as_str());
        assert!(get("rt").unwrap().parse::<i64>().is_ok());
    }

    let (status, _, ocsf) = download(&app, &format!("{base}?format=ocsf"), &acme.owner_token).await;
    assert_eq!(status, StatusCode::OK);
    let ocsf: Vec<Value> = ocsf
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(ocsf.len(), total);
    for (event, source) in ocsf.iter().zip(&events) {
        let class = event["class_uid"].as_i64().unwrap();
        assert!([3001, 3002, 3004, 3005].contains(&class), "{event}");
        assert_eq!(event["category_uid"], 3);
        assert_eq!(
            event["type_uid"].as_i64().unwrap(),
            class * 100 + event["activity_id"].as_i64().unwrap()
        );
        assert_eq!(event["metadata"]["version"], "1.3.0");
        assert_eq!(event["metadata"]["uid"], source["id"]);
        assert!(event["time"].as_i64().unwrap() > 1_700_000_000_000);
        assert_eq!(event["unmapped"]["action"], source["action"]);
    }

    // Filters apply: only the Super Admin's own invitations, here every one of them.
    let (_, _, filtered) = download(
        &app,
        &format!("{base}?format=ndjson&action=invitation.created"),
        &acme.owner_token,
    )
    .await;
    assert_eq!(filtered.lines().count(), 10_000);
}

#[tokio::test]
async fn exports_are_refused_to_those_who_may_not_read_the_log_and_for_unknown_formats() {
    let app = TestApp::new().await;
    ensure(&app.state).await.unwrap();
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let other = app.partner(&operator, "other").await;
    app.member(&acme, "tech@acme.example", "technician").await;
    let base = format!("/v1/partners/{}/audit-events/export", acme.id);

    let (status, _, body) = download(&app, &format!("{base}?format=csv"), &other.owner_token).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let technician = app.token("tech@acme.example").await;
    let (status, _, body) = download(&app, &format!("{base}?format=csv"), &technician).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _, body) = download(&app, &format!("{base}?format=pdf"), &acme.owner_token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("available: cef, csv, ndjson, ocsf"), "{body}");
    let (status, _, body) = download(&app, &base, &acme.owner_token).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a format is required: {body}"
    );

    // Switched off for the partner, a format is not offered there.
    let off = app
        .call(
            axum::http::Method::PUT,
            &format!("/v1/partners/{}/plugins/audit-csv", acme.id),
            Some(&operator),
            Some(json!({ "enabled": false })),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    let (status, _, _) = download(&app, &format!("{base}?format=csv"), &acme.owner_token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, platform) =
        download(&app, "/v1/audit-events/export?format=csv", &operator).await;
    assert_eq!(status, StatusCode::OK);
    assert!(platform.starts_with("id,at,"), "{platform}");
}

/// A sink over a partner's trail, with a deliverer allowed to call loopback.
fn sink(
    name: &str,
    scope: String,
    file: Option<std::path::PathBuf>,
    url: Option<String>,
) -> (
    siteward_server::stream::Sink,
    siteward_server::webhooks::Deliverer,
) {
    use siteward_server::config::{AuditSinkConfig, WebhooksConfig};
    let config = AuditSinkConfig {
        name: name.to_owned(),
        scope,
        format: "ndjson".to_owned(),
        secret: url.as_ref().map(|_| STREAM_SECRET.to_owned()),
        file,
        url,
    };
    let deliverer = siteward_server::webhooks::Deliverer::from_config(&WebhooksConfig {
        allow_networks: vec!["127.0.0.1/32".to_owned()],
        ..WebhooksConfig::default()
    })
    .unwrap();
    (
        siteward_server::stream::Sink::from_config(&config).unwrap(),
        deliverer,
    )
}

const STREAM_SECRET: &str = "the-stream-endpoint-shares-this";

/// The ids of an NDJSON text, checking each line is JSON of `partner`'s trail.
fn ndjson_ids(text: &str, app_partner: &str, sites: &[&str]) -> Vec<String> {
    text.lines()
        .map(|line| {
            let event: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            let mine = event["partner_id"] == app_partner
                || sites.iter().any(|site| event["site_id"] == *site);
            assert!(mine, "another tenant's event: {line}");
            event["id"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_file_stream_holds_every_event_of_its_tenant_once_across_a_crash() {
    use siteward_server::stream::stream_once;
    use siteward_storage::SinkBatch;

    let app = TestApp::new().await;
    ensure(&app.state).await.unwrap();
    let (acme, site, site_admin, techs) = super::technicians::site_with_technicians(&app, 2).await;
    let operator = app.operator().await;
    let other = app.partner(&operator, "other").await;
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("audit/acme.ndjson");
    let (sink, deliverer) = sink(
        "acme-file",
        format!("partner/{}", acme.id),
        Some(path.clone()),
        None,
    );
    let lock = |locked| super::technicians::set_locked(&app, &site, &site_admin, &techs, locked);

    let first = stream_once(&app.state, &sink, &deliverer).await.unwrap();
    let trail = app
        .get(
            &format!("/v1/partners/{}/audit-events?limit=200", acme.id),
            &operator,
        )
        .await;
    let expected = trail.body["items"].as_array().unwrap().len();
    assert_eq!(first, expected, "the history, from the chains' start");
    assert_eq!(stream_once(&app.state, &sink, &deliverer).await.unwrap(), 0);
    lock(false).await;
    assert_eq!(stream_once(&app.state, &sink, &deliverer).await.unwrap(), 2);

    // A host took the next batch, wrote part of it, and died before recording it.
    lock(true).await;
    let chain = format!("site/{site}");
    let heads = app.store.chain_heads().await.unwrap();
    let head = heads.iter().find(|(name, _)| *name == chain).unwrap().1.seq;
    let cursor = app
        .store
        .feed_cursors("sink/acme-file")
        .await
        .unwrap()
        .chains[&chain];
    let batch = SinkBatch {
        chain: chain.clone(),
        from: Some(cursor),
        to: head,
    };
    let now = app.state.now();
    app.store
        .begin_sink_batch("acme-file", &batch, now, now)
        .await
        .unwrap();
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("{\"id\":\"half-writ");
    std::fs::write(&path, &text).unwrap();

    assert_eq!(
        stream_once(&app.state, &sink, &deliverer).await.unwrap(),
        2,
        "the same batch again"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let ids = ndjson_ids(&text, &acme.id, &[site.as_str()]);
    let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), expected + 4, "{text}");
    assert_eq!(unique.len(), ids.len(), "no event twice");
    assert!(
        !text.contains(&other.id),
        "another partner's trail stays out"
    );
}

#[tokio::test]
async fn an_http_stream_is_signed_and_a_failed_batch_is_sent_again_with_its_id() {
    use siteward_server::stream::stream_once;

    let (receiver, port) = super::first_party::Receiver::start().await;
    let app = TestApp::new().await;
    ensure(&app.state).await.unwrap();
    let (acme, site, _, _) = super::technicians::site_with_technicians(&app, 1).await;
    let (sink, deliverer) = sink(
        "acme-http",
        format!("site/{site}"),
        None,
        Some(format!("http://127.0.0.1:{port}/hook")),
    );
    let error = stream_once(&app.state, &sink, &deliverer)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("503"), "{error}");
    // The failed batch waits for its lease to run out, then goes again.
    assert_eq!(stream_once(&app.state, &sink, &deliverer).await.unwrap(), 0);
    app.clock.advance(chrono::Duration::minutes(3));
    let sent = stream_once(&app.state, &sink, &deliverer).await.unwrap();
    assert!(sent > 0);
    let requests = receiver.requests();
    assert_eq!(requests.len(), 2);
    let batch = |n: usize| requests[n].0["siteward-batch"].to_str().unwrap().to_owned();
    assert_eq!(batch(0), batch(1), "the same batch, the same id");
    assert_eq!(batch(1), format!("acme-http/site/{site}/1-{sent}"));
    assert_eq!(requests[0].1, requests[1].1);
    let (headers, body) = &requests[1];
    assert_eq!(headers["content-type"], "application/x-ndjson");
    assert!(super::first_party::signature_holds(
        STREAM_SECRET,
        headers["siteward-signature"].to_str().unwrap(),
        body
    ));
    assert_eq!(ndjson_ids(body, &acme.id, &[site.as_str()]).len(), sent);
    assert_eq!(stream_once(&app.state, &sink, &deliverer).await.unwrap(), 0);
}

#[tokio::test]
async fn a_stream_runs_a_round_only_when_events_were_written_since_it_caught_up() {
    use siteward_server::stream::Streams;

    let (receiver, port) = super::first_party::Receiver::start().await;
    let app = TestApp::new().await;
    ensure(&app.state).await.unwrap();
    let (acme, site, site_admin, techs) = super::technicians::site_with_technicians(&app, 2).await;
    let folder = tempfile::tempdir().unwrap();
    let (file, deliverer) = sink(
        "acme-file",
        format!("partner/{}", acme.id),
        Some(folder.path().join("acme.ndjson")),
        None,
    );
    // The endpoint refuses the first batch: the sink is left behind until its lease runs out.
    let (http, _) = sink(
        "acme-http",
        format!("site/{site}"),
        None,
        Some(format!("http://127.0.0.1:{port}/hook")),
    );
    let mut streams = Streams::new(vec![file, http]);
    let stop = tokio_util::sync::CancellationToken::new();
    let mut tick = async || {
        let rounds = streams.tick(&app.state, &deliverer, &stop).await;
        rounds
            .into_iter()
            .map(|round| round.map(|written| written.map_err(|error| error.to_string())))
            .collect::<Vec<_>>()
    };

    let first = tick().await;
    assert!(matches!(first[0], Some(Ok(n)) if n > 0), "{first:?}");
    assert!(
        matches!(&first[1], Some(Err(e)) if e.contains("503")),
        "{first:?}"
    );
    // The file sink is caught up and reads nothing; the failed one is tried each tick.
    assert_eq!(tick().await, [None, Some(Ok(0))]);
    assert_eq!(tick().await, [None, Some(Ok(0))]);
    app.clock.advance(chrono::Duration::minutes(3));
    let sent = tick().await;
    assert!(matches!(sent[..], [None, Some(Ok(n))] if n > 0), "{sent:?}");
    assert_eq!(receiver.requests().len(), 2);
    assert_eq!(tick().await, [None, None]);

    // Two events on the site's chain: both sinks' scopes, one round each.
    super::technicians::set_locked(&app, &site, &site_admin, &techs, false).await;
    assert_eq!(tick().await, [Some(Ok(2)), Some(Ok(2))]);
    assert_eq!(tick().await, [None, None]);
    assert_eq!(receiver.requests().len(), 3);
}

#[tokio::test]
async fn a_failing_exporter_is_audited_and_quarantined_for_its_partner_like_any_plugin() {
    let app = TestApp::new().await;
    ensure(&app.state).await.unwrap();
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let bravo = app.partner(&operator, "bravo").await;
    // A hostname with a space: the CEF exporter refuses every batch.
    let broken = app
        .call(
            axum::http::Method::PUT,
            &format!("/v1/partners/{}/plugins/audit-cef", acme.id),
            Some(&operator),
            Some(json!({ "enabled": true, "config": { "hostname": "two words" } })),
        )
        .await;
    assert_eq!(broken.status, StatusCode::OK, "{}", broken.body);
    let export =
        |partner: &Partner| format!("/v1/partners/{}/audit-events/export?format=cef", partner.id);

    for _ in 0..5 {
        let (status, _, body) = download(&app, &export(&acme), &acme.owner_token).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(body.contains("exporter_unavailable"), "{body}");
    }
    let log = app
        .get(
            &format!("/v1/partners/{}/audit-events?limit=100", acme.id),
            &acme.owner_token,
        )
        .await;
    let actions: Vec<&str> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    let count = |action: &str| actions.iter().filter(|a| **a == action).count();
    assert_eq!(count("plugin.call_failed"), 5, "{actions:?}");
    assert_eq!(count("plugin.quarantined"), 1, "{actions:?}");

    // Quarantined, it is not called again for acme; bravo's exports are untouched.
    let (status, _, body) = download(&app, &export(&acme), &acme.owner_token).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.contains("exporter_quarantined"), "{body}");
    let (status, _, body) = download(&app, &export(&bravo), &bravo.owner_token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("CEF:0|Siteward"), "{body}");
}

#[tokio::test]
async fn a_stream_told_to_stop_writes_the_batch_in_hand_and_the_next_round_goes_on_from_it() {
    use siteward_server::stream::{stream_once, stream_until};
    use std::sync::{Arc, Mutex};

    let app = TestApp::new().await;
    ensure(&app.state).await.unwrap();
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    // More events than one batch (1,000).
    app.invite_many(&acme, "t", "acme.example", 1_400).await;
    // The stop comes while the first batch is on its way (as SIGTERM would): the receiver
    // gives the signal before it answers.
    let stop = tokio_util::sync::CancellationToken::new();
    let received = Arc::new(Mutex::new(Vec::<String>::new()));
    let receiver = axum::Router::new().route(
        "/stream",
        axum::routing::post({
            let (stop, received) = (stop.clone(), received.clone());
            move |body: String| async move {
                received.lock().unwrap().push(body);
                stop.cancel();
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });
    let (sink, deliverer) = sink(
        "acme-stop",
        format!("partner/{}", acme.id),
        None,
        Some(format!("http://127.0.0.1:{port}/stream")),
    );
    let round = stream_until(&app.state, &sink, &deliverer, &stop)
        .await
        .unwrap();
    assert_eq!(round.written, 1_000, "the batch in hand, and no other");
    assert!(!round.caught_up, "stopped with events left");
    assert_eq!(received.lock().unwrap().len(), 1);
    // The next round (after a restart) goes on from there: every event once.
    let rest = stream_once(&app.state, &sink, &deliverer).await.unwrap();
    assert!(rest > 400, "{rest}");
    let text = received.lock().unwrap().concat();
    let ids = ndjson_ids(&text, &acme.id, &[]);
    let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), 1_000 + rest);
    assert_eq!(unique.len(), ids.len(), "no event twice");
}
