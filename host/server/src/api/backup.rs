//! `GET /v1/backup`: the whole database while the host serves (what `siteward backup
//! --from-host` downloads).

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::state::AppState;

/// The last line of a complete backup. The body is streamed, so a failure after the first
/// byte can only cut the connection: a download without this line was cut short.
pub const BACKUP_END: &str = "-- siteward backup complete\n";

/// Download a backup of the whole database (operator only): SurrealDB's export as SurrealQL,
/// a consistent snapshot read in one transaction while the host serves, ending with the line
/// `-- siteward backup complete`. `siteward restore --from FILE` loads it into an empty
/// database. Audited as `platform.backup_taken`.
#[utoipa::path(get, path = "/v1/backup", tag = "platform", security(("bearer" = [])),
    responses((status = 200, description = "The backup, streamed", content_type = "application/sql"),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`backup_unsupported`: the database is a SurrealDB server; use `surreal export`")))]
pub async fn backup(State(state): State<AppState>, auth: Auth) -> ApiResult<Response> {
    let chunks = state.backup(&auth).await?;
    let body = chunks
        .map(|chunk| chunk.map_err(|error| std::io::Error::other(error.to_string())))
        .chain(futures_util::stream::iter([Ok(BACKUP_END
            .as_bytes()
            .to_vec())]));
    let filename = format!("siteward-{}.surql", state.now().format("%Y-%m-%dT%H%M%SZ"));
    Ok((
        [
            (header::CONTENT_TYPE, "application/sql".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
