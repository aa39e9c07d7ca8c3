//! What every request passes through on its way in and out, in one layer: its request id (the
//! client's `x-request-id`, or a new one), echoed on the response; its `request` span, named by
//! its route template; its count and latency for `/metrics`; a failure logged; and a panic
//! answered `500 internal` instead of a dropped connection.
//!
//! One layer rather than five (tower-http's request-id pair, trace and catch-panic layers, and a
//! metrics middleware) because axum clones a route's whole layer stack for every request, and
//! each layer adds a future to poll: on the check endpoint, where the handler itself takes a
//! couple of microseconds, the five cost more than the handler (#19).

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use tower::{Layer, Service};
use tracing::Instrument;

use crate::error::ApiError;
use crate::state::AppState;

/// The header that carries a request's id, both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The layer: put it on the router with `Router::layer`, so that it sees the matched route.
#[derive(Debug, Clone)]
pub struct Observe {
    state: AppState,
}

impl Observe {
    /// Counts requests into `state`'s HTTP metrics.
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

impl<S> Layer<S> for Observe {
    type Service = Observed<S>;

    fn layer(&self, inner: S) -> Observed<S> {
        Observed {
            inner,
            state: self.state.clone(),
        }
    }
}

/// A route's service, observed.
#[derive(Debug, Clone)]
pub struct Observed<S> {
    inner: S,
    state: AppState,
}

impl<S> Service<Request> for Observed<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let started = Instant::now();
        let id = match request.headers().get(&REQUEST_ID) {
            Some(given) => given.clone(),
            None => {
                let id = new_request_id();
                request.headers_mut().insert(REQUEST_ID, id.clone());
                id
            }
        };
        let method = request.method().clone();
        let route = request.extensions().get::<MatchedPath>().cloned();
        let span = request_span(&method, route.as_ref(), &id);
        // The service that was polled ready is the one to call; its clone waits for the next.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let state = self.state.clone();
        Box::pin(
            async move {
                let answered =
                    match std::panic::catch_unwind(AssertUnwindSafe(|| inner.call(request))) {
                        Ok(future) => AssertUnwindSafe(future).catch_unwind().await,
                        Err(panic) => Err(panic),
                    };
                let mut response = match answered {
                    Ok(Ok(response)) => response,
                    Ok(Err(never)) => match never {},
                    Err(_) => ApiError::internal(&"a handler panicked").into_response(),
                };
                let status = response.status();
                let latency = started.elapsed();
                state.http_metrics().record(&method, route, status, latency);
                if status.is_server_error() {
                    tracing::error!(status = status.as_u16(), ?latency, "response failed");
                } else {
                    tracing::debug!(status = status.as_u16(), ?latency, "answered");
                }
                response.headers_mut().entry(REQUEST_ID).or_insert(id);
                Ok(response)
            }
            .instrument(span),
        )
    }
}

/// The span of a request. A trace is named by its route template, never by a path with ids in
/// it. The span's fields are formatted for the log at every request: what only the trace
/// exporter reads is left out when there is none, and every field is written as it is (a
/// route template and an id need no quoting, and escaping them costs a scan each).
fn request_span(
    method: &axum::http::Method,
    route: Option<&MatchedPath>,
    id: &HeaderValue,
) -> tracing::Span {
    let id = id.to_str().unwrap_or("-");
    let route = route.map_or("unmatched", MatchedPath::as_str);
    if crate::telemetry::exporting() {
        tracing::info_span!(
            "request",
            otel.name = %format_args!("{method} {route}"),
            otel.kind = "server",
            %method,
            route = %route,
            request_id = %id,
        )
    } else {
        tracing::info_span!("request", %method, route = %route, request_id = %id)
    }
}

/// A request id without a system call per request: a random 64-bit prefix drawn once per
/// process, then a counter — unique across hosts and restarts, written like a UUID.
fn new_request_id() -> HeaderValue {
    static PROCESS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let process = *PROCESS.get_or_init(|| u64::from_le_bytes(siteward_app::services::random()));
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let id = format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        process >> 32,
        (process >> 16) & 0xffff,
        process & 0xffff,
        n >> 48,
        n & 0xffff_ffff_ffff
    );
    HeaderValue::try_from(id).expect("hex digits and dashes make a header value")
}
