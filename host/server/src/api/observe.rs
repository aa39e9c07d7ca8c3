//! What every request passes through on its way in and out, in one layer: its request id (the
//! client's `x-request-id`, or a new one), echoed on the response; its `request` span, named by
//! its route template; the server's default body limit; its count and latency for `/metrics`;
//! a failure logged; and a panic answered `500 internal` instead of a dropped connection.
//!
//! One layer rather than six (tower-http's request-id pair, trace and catch-panic layers, a
//! metrics middleware and axum's body limit) because axum wraps a route in a layer by boxing
//! it, and clones that box and boxes its future for every request: on the check endpoint, where
//! the handler itself takes a couple of microseconds, the six cost more than the handler (#19).

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::{Route, future::RouteFuture};
use futures_util::FutureExt;
use futures_util::future::CatchUnwind;
use tower::{Layer, Service};

use crate::error::ApiError;
use crate::metrics::RouteFigures;
use crate::state::AppState;

/// The header that carries a request's id, both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The layer: put it on the router with `Router::layer`, so that it sees the matched route.
#[derive(Debug, Clone)]
pub struct Observe {
    state: AppState,
    limit: DefaultBodyLimit,
}

impl Observe {
    /// Counts requests into `state`'s HTTP metrics, and lets extractors read bodies of at most
    /// `max_body_bytes` (a route's own `DefaultBodyLimit` still has the last word).
    pub fn new(state: AppState, max_body_bytes: usize) -> Self {
        Self {
            state,
            limit: DefaultBodyLimit::max(max_body_bytes),
        }
    }
}

impl Layer<Route> for Observe {
    type Service = Observed;

    fn layer(&self, inner: Route) -> Observed {
        Observed {
            inner: self.limit.layer(inner),
            state: self.state.clone(),
            figures: Arc::default(),
        }
    }
}

/// A route with the body limit set: axum's own service for it, which only marks the request,
/// held here rather than given a boxed route of its own.
type Limited = <DefaultBodyLimit as Layer<Route>>::Service;

/// A route, observed. Only a route is (`Router::layer` gives each layer its `Route`), which is
/// always ready and clones itself for every call: the request is handed to it as it is, with
/// no clone here and no future boxed here (the router boxes this one).
#[derive(Debug, Clone)]
pub struct Observed {
    inner: Limited,
    state: AppState,
    /// The route's figures for `/metrics`, kept from its first request.
    figures: Arc<RouteFigures>,
}

impl Service<Request> for Observed {
    type Response = Response;
    type Error = Infallible;
    type Future = Observing;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Service::<Request>::poll_ready(&mut self.inner, cx)
    }

    fn call(&mut self, mut request: Request) -> Observing {
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
        // Calling a route only makes its future: the handler, extractors included, runs when
        // it is polled — inside the span, and inside `CatchUnwind`, which answers a panic.
        let answer = AssertUnwindSafe(self.inner.call(request)).catch_unwind();
        Observing {
            answer,
            span,
            started,
            done: Some(Done {
                method,
                route,
                id,
                state: self.state.clone(),
                figures: Arc::clone(&self.figures),
            }),
        }
    }
}

/// A request being answered: the route's future, polled in the request's span, then the
/// answer counted, logged and given its id.
pub struct Observing {
    answer: CatchUnwind<AssertUnwindSafe<RouteFuture<Infallible>>>,
    span: tracing::Span,
    started: Instant,
    /// What the end of the request needs; taken when it comes.
    done: Option<Done>,
}

impl std::fmt::Debug for Observing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observing")
            .field("span", &self.span)
            .field("started", &self.started)
            .field("answered", &self.done.is_none())
            .finish_non_exhaustive()
    }
}

struct Done {
    method: Method,
    route: Option<MatchedPath>,
    id: HeaderValue,
    state: AppState,
    figures: Arc<RouteFigures>,
}

impl Future for Observing {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let _entered = this.span.enter();
        let answered = std::task::ready!(Pin::new(&mut this.answer).poll(cx));
        let mut response = match answered {
            Ok(Ok(response)) => response,
            Ok(Err(never)) => match never {},
            Err(_) => ApiError::internal(&"a handler panicked").into_response(),
        };
        let Done {
            method,
            route,
            id,
            state,
            figures,
        } = this
            .done
            .take()
            .expect("an answered request is not polled again");
        let status = response.status();
        let latency = this.started.elapsed();
        state
            .http_metrics()
            .record(&figures, &method, route, status, latency);
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), ?latency, "response failed");
        } else {
            tracing::debug!(status = status.as_u16(), ?latency, "answered");
        }
        response.headers_mut().entry(REQUEST_ID).or_insert(id);
        Poll::Ready(Ok(response))
    }
}

/// The span of a request: a root (a request is inside no other span, so the subscriber need
/// not look for one). A trace is named by its route template, never by a path with ids in
/// it. The span's fields are formatted for the log at every request: what only the trace
/// exporter reads is left out when there is none, and every field is written as it is (a
/// route template and an id need no quoting, and escaping them costs a scan each).
fn request_span(method: &Method, route: Option<&MatchedPath>, id: &HeaderValue) -> tracing::Span {
    let id = id.to_str().unwrap_or("-");
    let route = route.map_or("unmatched", MatchedPath::as_str);
    if crate::telemetry::exporting() {
        tracing::info_span!(
            parent: None,
            "request",
            otel.name = %format_args!("{method} {route}"),
            otel.kind = "server",
            %method,
            route = %route,
            request_id = %id,
        )
    } else {
        tracing::info_span!(parent: None, "request", %method, route = %route, request_id = %id)
    }
}

/// A request id without a system call per request: a random 64-bit prefix drawn once per
/// process, then a counter — unique across hosts and restarts, written like a UUID. Its bytes
/// are shared, so the copy kept for the response is a count, not an allocation.
fn new_request_id() -> HeaderValue {
    static PROCESS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let process = *PROCESS.get_or_init(|| u64::from_le_bytes(siteward_app::services::random()));
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    HeaderValue::from_maybe_shared(Bytes::from_owner(uuid_text(process, n)))
        .expect("hex digits and dashes make a header value")
}

/// `high` and `low` as the 36 characters of a UUID: 8-4-4-4-12 lowercase hex digits.
fn uuid_text(high: u64, low: u64) -> [u8; 36] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [b'-'; 36];
    let digits = (0..16)
        .map(|i| high >> (60 - 4 * i))
        .chain((0..16).map(|i| low >> (60 - 4 * i)));
    let places = (0..36).filter(|&i| !matches!(i, 8 | 13 | 18 | 23));
    for (place, digit) in places.zip(digits) {
        text[place] = HEX[(digit & 0xf) as usize];
    }
    text
}

#[cfg(test)]
mod tests {
    use super::uuid_text;

    #[test]
    fn a_request_id_is_written_as_a_uuid_is() {
        let id = uuid_text(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210);
        assert_eq!(
            std::str::from_utf8(&id).unwrap(),
            "01234567-89ab-cdef-fedc-ba9876543210"
        );
        let zero = uuid_text(0, 1);
        assert_eq!(
            std::str::from_utf8(&zero).unwrap(),
            "00000000-0000-0000-0000-000000000001"
        );
    }
}
