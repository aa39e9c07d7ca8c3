//! Request extractors whose failures speak the API's error shape: a JSON body whose type
//! errors name the offending field, and query strings and paths likewise.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON request body. Malformed JSON is 400, a wrong or missing field 422 naming the field,
/// a body over the limit 413.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as application/json",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "body_too_large",
                        "the request body is too large",
                    )
                } else {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "malformed_request",
                        "the request body could not be read",
                    )
                }
            })?;
        parse(&bytes).map(ApiJson)
    }
}

/// Parses JSON, telling syntax errors (400) from type errors (422 with the field's path).
///
/// A body that parses is read once, by serde alone: tracking the path to every field costs an
/// allocation per field, so the path is only traced by a second reading of a body that failed
/// (which fails the same way).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    match serde_json::from_slice(bytes) {
        Ok(value) => Ok(value),
        Err(_) => parse_tracing_the_path(bytes),
    }
}

fn parse_tracing_the_path<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_data() {
            let message = inner.to_string();
            // serde's message ends with " at line 1 column 9"; the field's name says where.
            let message = message.split(" at line ").next().unwrap_or(&message);
            // A missing or unknown field is reported at its parent; name the field itself.
            let named = |prefix: &str| {
                message
                    .strip_prefix(prefix)
                    .and_then(|m| m.split('`').next())
            };
            let (field, message) = match (named("missing field `"), named("unknown field `")) {
                (Some(missing), _) => (child(&path, missing), "is required".to_owned()),
                // serde_path_to_error's path already ends with the unknown field.
                (_, Some(_)) => (path, "is not a known field".to_owned()),
                _ if path == "." => ("body".to_owned(), message.to_owned()),
                _ => (path, message.to_owned()),
            };
            siteward_core::FieldError::new(field, message).into()
        } else {
            malformed(&inner)
        }
    })?;
    deserializer.end().map_err(|e| malformed(&e))?;
    Ok(value)
}

fn child(parent: &str, field: &str) -> String {
    if parent == "." {
        field.to_owned()
    } else {
        format!("{parent}.{field}")
    }
}

fn malformed(error: &serde_json::Error) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "malformed_json",
        format!("the body is not valid JSON: {error}"),
    )
}

/// A query string, whose errors are 422 naming the parameter where serde says which.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|error| {
                let field = error.path().to_string();
                let field = if field == "." {
                    "query".to_owned()
                } else {
                    field
                };
                siteward_core::FieldError::new(field, error.into_inner().to_string()).into()
            })
    }
}

/// Tells a field given as `null` (`Some(None)`) from a field left out (`None`), for
/// `#[serde(default, deserialize_with = "crate::json::present")]`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}
