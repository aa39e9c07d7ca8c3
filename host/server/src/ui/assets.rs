//! The console's assets, embedded in the binary and served under a name that carries a hash
//! of their content, so a browser may keep them for a year: a new build has new names.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

const STYLESHEET: &str = include_str!("../../assets/siteward.css");

/// The stylesheet's path: `/assets/siteward.<first 16 hex digits of its SHA-256>.css`.
pub static STYLESHEET_PATH: LazyLock<String> = LazyLock::new(|| {
    let hash = siteward_core::secret::token_hash(STYLESHEET);
    format!("/assets/siteward.{}.css", &hash[..16])
});

/// `GET /assets/{name}`: an asset under its current name; any other name is unknown.
pub async fn asset(Path(name): Path<String>) -> Response {
    if format!("/assets/{name}") != *STYLESHEET_PATH {
        return ApiError::not_found().into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        STYLESHEET,
    )
        .into_response()
}
