//! Retries over HTTP: a write that takes an `Idempotency-Key` header stores its answer (status
//! and JSON body) with its change, and a retry with the same key gets that answer again. The
//! key's rules and the storing belong to the app layer ([`siteward_app::idempotency`]); this
//! module reads the header and turns answers into responses.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use siteward_app::AppError;
use siteward_app::idempotency::{Answer, Retry, StoredAnswer};

use crate::error::{ApiError, ApiResult};

/// The header clients send.
pub const HEADER: &str = "idempotency-key";

/// A request body in the form its retries are compared in.
pub fn request_text(body: &impl Serialize) -> ApiResult<String> {
    serde_json::to_string(body).map_err(|e| ApiError::internal(&e))
}

/// The retry key a request carries, with its body as [`request_text`] gave it.
pub fn retry<'a>(headers: &'a HeaderMap, request: &'a str) -> Retry<'a> {
    Retry {
        key: headers.get(HEADER).map(HeaderValue::as_bytes),
        request,
    }
}

/// An answer as it is stored for retries.
pub fn stored(status: StatusCode, body: &impl Serialize) -> Result<StoredAnswer, AppError> {
    Ok(StoredAnswer {
        status: status.as_u16(),
        body: serde_json::to_string(body).map_err(|e| AppError::internal(&e))?,
    })
}

/// The response to a retryable write: `view` of what it did, or the stored answer of the
/// request that did it first.
pub fn respond<T, V: Serialize>(
    answer: Answer<T>,
    status: StatusCode,
    view: impl FnOnce(&T) -> V,
) -> ApiResult<Response> {
    let StoredAnswer { status, body } = match answer {
        Answer::Done(output) => stored(status, &view(&output))?,
        Answer::Replayed(stored) => stored,
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let json = HeaderValue::from_static("application/json");
    Ok((status, [(header::CONTENT_TYPE, json)], body).into_response())
}
