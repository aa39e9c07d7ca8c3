//! The console's assets, embedded in the binary and served under a name that carries a hash
//! of their content, so a browser may keep them for a year: a new build has new names. The
//! stylesheet is our own; the script is htmx 2.0.11 (0BSD, `assets/htmx.LICENSE`), vendored
//! from the npm registry, which makes forms and links happen in place.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

const STYLESHEET: &str = include_str!("../../assets/siteward.css");
const SCRIPT: &str = include_str!("../../assets/htmx-2.0.11.min.js");

/// `/assets/<stem>.<first 16 hex digits of the content's SHA-256>.<extension>`.
fn hashed(stem: &str, extension: &str, content: &str) -> String {
    let hash = siteward_core::secret::token_hash(content);
    format!("/assets/{stem}.{}.{extension}", &hash[..16])
}

/// The stylesheet's path.
pub static STYLESHEET_PATH: LazyLock<String> =
    LazyLock::new(|| hashed("siteward", "css", STYLESHEET));

/// The script's path.
pub static SCRIPT_PATH: LazyLock<String> = LazyLock::new(|| hashed("htmx", "js", SCRIPT));

/// `GET /assets/{name}`: an asset under its current name; any other name is unknown.
pub async fn asset(Path(name): Path<String>) -> Response {
    let path = format!("/assets/{name}");
    let (content_type, body) = if path == *STYLESHEET_PATH {
        ("text/css; charset=utf-8", STYLESHEET)
    } else if path == *SCRIPT_PATH {
        ("text/javascript; charset=utf-8", SCRIPT)
    } else {
        return ApiError::not_found().into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        body,
    )
        .into_response()
}
