//! OpenTelemetry traces: the real binary exports over OTLP/HTTP to a receiver that decodes
//! what it gets with the OpenTelemetry protocol's own definitions. A request's trace holds its
//! span (with the request id), the app's use case, each database transaction and plugin call.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use prost::Message;
use serde_json::json;

use super::socket::{
    create_partner, first_password, login, login_as, request_with_headers, start_with, terminate,
    wait_for,
};

/// A received span: its trace, its own and its parent's ids, name and string attributes.
#[derive(Debug, Clone)]
struct Received {
    trace: Vec<u8>,
    id: Vec<u8>,
    parent: Vec<u8>,
    name: String,
    attributes: BTreeMap<String, String>,
    service: String,
}

/// An OTLP/HTTP receiver on loopback: `POST /v1/traces` with a protobuf body.
fn receiver() -> (String, Arc<Mutex<Vec<Received>>>) {
    let spans = Arc::new(Mutex::new(Vec::new()));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let kept = spans.clone();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                let app = axum::Router::new().route(
                    "/v1/traces",
                    axum::routing::post(move |body: axum::body::Bytes| {
                        let kept = kept.clone();
                        async move {
                            let export = ExportTraceServiceRequest::decode(body).unwrap();
                            let mut kept = kept.lock().unwrap();
                            for resource in export.resource_spans {
                                let service = resource
                                    .resource
                                    .iter()
                                    .flat_map(|r| &r.attributes)
                                    .find(|a| a.key == "service.name")
                                    .and_then(|a| text(a.value.as_ref()?.value.as_ref()?))
                                    .unwrap_or_default();
                                for scope in resource.scope_spans {
                                    for span in scope.spans {
                                        kept.push(Received {
                                            trace: span.trace_id,
                                            id: span.span_id,
                                            parent: span.parent_span_id,
                                            name: span.name,
                                            attributes: span
                                                .attributes
                                                .iter()
                                                .filter_map(|a| {
                                                    Some((
                                                        a.key.clone(),
                                                        text(a.value.as_ref()?.value.as_ref()?)?,
                                                    ))
                                                })
                                                .collect(),
                                            service: service.clone(),
                                        });
                                    }
                                }
                            }
                            axum::http::StatusCode::OK
                        }
                    }),
                );
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, app).await.unwrap();
            });
    });
    (address, spans)
}

fn text(value: &Any) -> Option<String> {
    match value {
        Any::StringValue(s) => Some(s.clone()),
        Any::IntValue(n) => Some(n.to_string()),
        Any::BoolValue(b) => Some(b.to_string()),
        _ => None,
    }
}

#[test]
fn a_requests_trace_holds_its_use_case_its_transactions_and_its_plugin_calls() {
    let (collector, spans) = receiver();
    let dir = tempfile::tempdir().unwrap();
    let host = start_with(
        dir.path(),
        &[
            (
                "SITEWARD_TRACING__OTLP_ENDPOINT",
                format!("http://{collector}"),
            ),
            ("SITEWARD_TRACING__SERVICE_NAME", "siteward-test".to_owned()),
        ],
    );
    let operator = login(&host.address, &first_password(&host));
    let partner = create_partner(&host.address, &operator, "Traced", "owner@traced.example");
    let owner = login_as(
        &host.address,
        "owner@traced.example",
        "correct horse battery",
    );
    let (status, reply) = request_with_headers(
        &host.address,
        "POST",
        &format!(
            "/v1/partners/{}/invitations",
            partner["id"].as_str().unwrap()
        ),
        Some(&owner),
        Some(&json!({ "emails": ["new@traced.example"], "role": "technician" })),
        &[("x-request-id", "trace-me-1")],
    );
    assert_eq!(status, 200, "{reply}");
    // Stopping flushes what the batch processor still holds.
    terminate(host);
    wait_for(Duration::from_secs(10), "the request's span", || {
        spans.lock().unwrap().iter().any(|s| {
            s.attributes
                .get("request_id")
                .is_some_and(|id| id == "trace-me-1")
        })
    });
    let spans = spans.lock().unwrap().clone();
    let request = spans
        .iter()
        .find(|s| {
            s.attributes
                .get("request_id")
                .is_some_and(|id| id == "trace-me-1")
        })
        .unwrap();
    assert_eq!(request.name, "POST /v1/partners/{partner_id}/invitations");
    assert_eq!(request.service, "siteward-test");
    assert_eq!(
        request.parent,
        Vec::<u8>::new(),
        "the request is the trace's root"
    );
    let in_trace: Vec<&Received> = spans.iter().filter(|s| s.trace == request.trace).collect();
    let names: Vec<&str> = in_trace.iter().map(|s| s.name.as_str()).collect();
    let use_case = in_trace
        .iter()
        .find(|s| s.name == "app.invite_to_partner")
        .unwrap_or_else(|| panic!("{names:?}"));
    assert_eq!(use_case.parent, request.id);
    // The invitation's transaction and the renderer's call are the use case's.
    let transaction = in_trace
        .iter()
        .find(|s| s.name == "db.transaction" && s.parent == use_case.id)
        .unwrap_or_else(|| panic!("{names:?}"));
    assert_eq!(transaction.attributes["outcome"], "committed");
    let render = in_trace
        .iter()
        .find(|s| s.name == "plugin.call")
        .unwrap_or_else(|| panic!("{names:?}"));
    assert_eq!(render.attributes["world"], "invitation-renderer");
    assert_eq!(render.attributes["outcome"], "ok");
    assert!(
        in_trace.iter().any(|s| s.id == render.parent),
        "the plugin call hangs in the request's trace: {names:?}"
    );
}
