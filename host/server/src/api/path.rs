//! Ids in a request's path, typed at the edge. A malformed id is as unknown as a missing one
//! (404, `not_found`), so a caller learns nothing from the shape of what it tried.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use siteward_core::ids::{
    AccessRequestId, AccountId, ApiTokenId, ConnectionId, CustomerId, DepartmentId, DeviceGroupId,
    DeviceId, GrantId, GroupRuleId, InvitationId, PartnerId, ReviewId, SessionId, SiteId,
};

use crate::error::ApiError;

/// One segment of a path: an id of a kind, or a name taken as it is.
pub trait Segment: Sized {
    /// The value of the segment's text, if it is one.
    fn from_segment(text: String) -> Option<Self>;
}

macro_rules! id_segments {
    ($($id:ty),*) => {$(
        impl Segment for $id {
            fn from_segment(text: String) -> Option<Self> {
                <$id>::parse("id", &text).ok()
            }
        }
    )*};
}

id_segments!(
    AccessRequestId,
    AccountId,
    ApiTokenId,
    ConnectionId,
    CustomerId,
    DepartmentId,
    DeviceGroupId,
    DeviceId,
    GrantId,
    GroupRuleId,
    InvitationId,
    PartnerId,
    ReviewId,
    SessionId,
    SiteId
);

/// A name (a plugin's, a role's that may be a system role's): any text.
impl Segment for String {
    fn from_segment(text: String) -> Option<Self> {
        Some(text)
    }
}

/// The path's segments, typed: `Ids(site): Ids<SiteId>`, `Ids((site, account)): Ids<(SiteId,
/// AccountId)>`.
#[derive(Debug)]
pub struct Ids<T>(pub T);

fn segment<T: Segment>(text: String) -> Result<T, ApiError> {
    T::from_segment(text).ok_or_else(ApiError::not_found)
}

async fn texts<T, S>(parts: &mut Parts, state: &S) -> Result<T, ApiError>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    let Path(texts) = Path::<T>::from_request_parts(parts, state)
        .await
        .map_err(|_| ApiError::not_found())?;
    Ok(texts)
}

impl<S: Send + Sync, A: Segment> FromRequestParts<S> for Ids<A> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let a = texts::<String, S>(parts, state).await?;
        Ok(Self(segment(a)?))
    }
}

impl<S: Send + Sync, A: Segment, B: Segment> FromRequestParts<S> for Ids<(A, B)> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let (a, b) = texts::<(String, String), S>(parts, state).await?;
        Ok(Self((segment(a)?, segment(b)?)))
    }
}

impl<S: Send + Sync, A: Segment, B: Segment, C: Segment> FromRequestParts<S> for Ids<(A, B, C)> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let (a, b, c) = texts::<(String, String, String), S>(parts, state).await?;
        Ok(Self((segment(a)?, segment(b)?, segment(c)?)))
    }
}
