//! SCIM 2.0 (RFC 7643/7644) at `/scim/v2`: Users are a partner's members, for Okta's and Entra
//! ID's provisioning. Its own protocol, so not in the OpenAPI document: `application/scim+json`
//! in and out, errors as SCIM's `Error` message, `ETag`s (weak, a hash of what a User shows)
//! and `If-Match` on changes, offset paging (`startIndex`, `count`) and the one filter
//! provisioning clients use, `userName eq "…"`. The use cases are `siteward_app::scim`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

use siteward_app::AppError;
use siteward_app::auth::Caller;
use siteward_app::scim::{
    GroupChange, NewUser, ScimGroup, ScimUser, UserChange, group_version, version,
};
use siteward_core::tenancy::MemberStatus;

use crate::auth::request_id;
use crate::error::status_of;
use crate::state::AppState;

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const CONTENT_TYPE: &str = "application/scim+json";

/// SCIM's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/scim/v2/ServiceProviderConfig",
            get(service_provider_config),
        )
        .route("/scim/v2/ResourceTypes", get(resource_types))
        .route("/scim/v2/ResourceTypes/{id}", get(resource_type))
        .route("/scim/v2/Schemas", get(schemas))
        .route("/scim/v2/Schemas/{id}", get(schema))
        .route("/scim/v2/{*rest}", axum::routing::any(no_such_endpoint))
        .route("/scim/v2/Users", get(list_users).post(create_user))
        .route("/scim/v2/Users/.search", axum::routing::post(search_users))
        .route("/scim/v2/.search", axum::routing::post(search_everything))
        .route("/scim/v2/Groups", get(list_groups).post(create_group))
        .route(
            "/scim/v2/Groups/.search",
            axum::routing::post(search_groups),
        )
        .route(
            "/scim/v2/Groups/{id}",
            get(get_group)
                .put(replace_group)
                .patch(patch_group)
                .delete(delete_group),
        )
        .route(
            "/scim/v2/Users/{id}",
            get(get_user)
                .put(replace_user)
                .patch(patch_user)
                .delete(delete_user),
        )
}

/// `POST /scim/v2/.search`: searching Users and Groups at once is not offered (RFC 7644
/// §3.4.3 lets a server decline it with 501); `/Users/.search` and `/Groups/.search` are.
async fn search_everything() -> ScimError {
    ScimError::new(
        StatusCode::NOT_IMPLEMENTED,
        None,
        "search Users at /Users/.search and Groups at /Groups/.search",
    )
}

/// A SCIM error message with its status (and `scimType` where SCIM names one).
#[derive(Debug)]
pub struct ScimError {
    status: StatusCode,
    scim_type: Option<&'static str>,
    detail: String,
}

impl ScimError {
    fn new(status: StatusCode, scim_type: Option<&'static str>, detail: impl Into<String>) -> Self {
        Self {
            status,
            scim_type,
            detail: detail.into(),
        }
    }
}

impl From<AppError> for ScimError {
    fn from(error: AppError) -> Self {
        let status = status_of(error.kind);
        let scim_type = match error.code {
            "uniqueness" | "already_member" | "email_taken" => Some("uniqueness"),
            "invalidFilter" => Some("invalidFilter"),
            _ if status == StatusCode::UNPROCESSABLE_ENTITY => Some("invalidValue"),
            _ => None,
        };
        // SCIM has no 422: a value it cannot take is a 400.
        let status = if status == StatusCode::UNPROCESSABLE_ENTITY {
            StatusCode::BAD_REQUEST
        } else {
            status
        };
        let detail = if status.is_server_error() {
            "the request could not be completed; try again".to_owned()
        } else {
            error.message.to_string()
        };
        Self::new(status, scim_type, detail)
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let Some(scim_type) = self.scim_type {
            body["scimType"] = json!(scim_type);
        }
        scim_json(self.status, &body)
    }
}

fn scim_json(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
        body.to_string(),
    )
        .into_response()
}

/// The SCIM client: a partner API token as `Authorization: Bearer`.
#[derive(Debug)]
pub struct ScimClient(Caller);

impl FromRequestParts<AppState> for ScimClient {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ScimError> {
        let token = crate::auth::bearer(&parts.headers).ok_or_else(|| {
            ScimError::new(
                StatusCode::UNAUTHORIZED,
                None,
                "send the team's SCIM token as `Authorization: Bearer <token>`",
            )
        })?;
        let caller = state
            .resolve(token, request_id(&parts.headers), state.api_tokens())
            .await?;
        Ok(Self(caller))
    }
}

/// A User as SCIM shows a member.
fn user(state: &AppState, scim_user: &ScimUser) -> Value {
    let member = &scim_user.member;
    let id = member.membership.account_id.as_str();
    let mut user = json!({
        "schemas": [USER_SCHEMA],
        "id": id,
        "userName": member.email.as_str(),
        "name": { "formatted": member.name },
        "displayName": member.name,
        "emails": [{ "value": member.email.as_str(), "type": "work", "primary": true }],
        "active": member.membership.status == MemberStatus::Active,
        "meta": {
            "resourceType": "User",
            "created": member.membership.created_at.to_rfc3339(),
            "lastModified": member.membership.created_at.to_rfc3339(),
            "location": format!("{}/scim/v2/Users/{id}", state.public_url),
            "version": etag(scim_user),
        },
    });
    if let Some(external_id) = &scim_user.external_id {
        user["externalId"] = json!(external_id);
    }
    user
}

fn etag(user: &ScimUser) -> String {
    format!("W/\"{}\"", version(user))
}

/// Which attributes an answer carries (RFC 7644 §3.4.2.5): `attributes` names the only ones,
/// `excludedAttributes` ones to leave out; `id` and `schemas` are always returned.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Projection {
    attributes: Option<String>,
    excluded_attributes: Option<String>,
}

impl Projection {
    fn apply(&self, mut resource: Value) -> Value {
        let names = |list: &Option<String>| -> Vec<String> {
            list.as_deref()
                .unwrap_or_default()
                .split(',')
                .map(|a| {
                    let a = a.trim();
                    // A full name (`urn:…:User:userName`) names the attribute after its URN.
                    let a = if a.starts_with("urn:") {
                        a.rsplit(':').next().unwrap_or(a)
                    } else {
                        a
                    };
                    a.split('.').next().unwrap_or_default().to_ascii_lowercase()
                })
                .filter(|a| !a.is_empty())
                .collect()
        };
        let (only, excluded) = (names(&self.attributes), names(&self.excluded_attributes));
        if let Some(object) = resource.as_object_mut() {
            object.retain(|key, _| {
                let key = key.to_ascii_lowercase();
                key == "id"
                    || key == "schemas"
                    || ((only.is_empty() || only.contains(&key)) && !excluded.contains(&key))
            });
        }
        resource
    }
}

/// A User's answer with its `ETag` and `Location`.
fn user_response(state: &AppState, status: StatusCode, member: &ScimUser) -> Response {
    user_answer(state, status, member, &Projection::default())
}

/// A User's answer, projected.
fn user_answer(
    state: &AppState,
    status: StatusCode,
    member: &ScimUser,
    projection: &Projection,
) -> Response {
    answer(status, user(state, member), &etag(member), projection)
}

/// A resource's answer, projected, with its `ETag` and its `Location` (from its `meta`).
fn answer(status: StatusCode, body: Value, etag: &str, projection: &Projection) -> Response {
    let location = body["meta"]["location"].as_str().map(str::to_owned);
    let mut response = scim_json(status, &projection.apply(body));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    if let Some(location) = location
        && let Ok(value) = HeaderValue::from_str(&location)
    {
        headers.insert(header::LOCATION, value);
    }
    response
}

/// Refuses a change whose `If-Match` names another version than the User's now.
fn check_if_match(headers: &HeaderMap, member: &ScimUser) -> Result<(), ScimError> {
    if_match(headers, &etag(member))
}

/// Refuses a change whose `If-Match` names another version than `now`.
fn if_match(headers: &HeaderMap, now: &str) -> Result<(), ScimError> {
    let Some(wanted) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let strip = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    if wanted.trim() == "*" || wanted.split(',').any(|tag| strip(tag) == strip(now)) {
        Ok(())
    } else {
        Err(ScimError::new(
            StatusCode::PRECONDITION_FAILED,
            None,
            "the resource changed since that version was read; read it again",
        ))
    }
}

/// The operations of a `PatchOp` message.
fn patch_operations(patch: &Value) -> Result<Vec<Value>, ScimError> {
    let is_patch = patch["schemas"]
        .as_array()
        .is_some_and(|all| all.iter().any(|s| s == PATCH_SCHEMA));
    patch["Operations"]
        .as_array()
        .filter(|_| is_patch)
        .cloned()
        .ok_or_else(|| {
            ScimError::new(
                StatusCode::BAD_REQUEST,
                Some("invalidSyntax"),
                "a PatchOp message with Operations is expected",
            )
        })
}

/// The body as JSON, whichever of SCIM's or JSON's content type it was sent with.
fn body(bytes: &Bytes) -> Result<Value, ScimError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ScimError::new(
            StatusCode::BAD_REQUEST,
            Some("invalidSyntax"),
            format!("the body is not JSON: {e}"),
        )
    })
}

/// `true`/`false`, as a JSON boolean or the strings Entra ID sends (`"True"`, `"False"`).
fn boolean(value: &Value, field: &str) -> Result<bool, ScimError> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(ScimError::new(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            format!("{field} must be true or false"),
        )),
    }
}

/// The name a User's body gives: `name.formatted`, the given and family names, or
/// `displayName`.
fn name_of(user: &Value) -> Option<String> {
    let name = &user["name"];
    name["formatted"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| {
            let parts: Vec<&str> = [&name["givenName"], &name["familyName"]]
                .into_iter()
                .filter_map(Value::as_str)
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        })
        .or_else(|| user["displayName"].as_str().map(str::to_owned))
}

/// `GET /scim/v2/ServiceProviderConfig`.
async fn service_provider_config(State(state): State<AppState>) -> Response {
    scim_json(
        StatusCode::OK,
        &json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "documentationUri": format!("{}/#single-sign-on", state.public_url),
            "patch": { "supported": true },
            "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
            "filter": { "supported": true, "maxResults": siteward_core::page::MAX_LIMIT },
            "changePassword": { "supported": false },
            "sort": { "supported": false },
            "etag": { "supported": true },
            "authenticationSchemes": [{
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A partner API token made on Partner › Identity › SCIM",
                "primary": true,
            }],
            "meta": { "resourceType": "ServiceProviderConfig" },
        }),
    )
}

/// The one resource type, User.
fn user_resource_type() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "A member of the team",
        "schema": USER_SCHEMA,
        "meta": { "resourceType": "ResourceType", "location": "/scim/v2/ResourceTypes/User" },
    })
}

/// The User attributes this server keeps.
fn user_schema() -> Value {
    let attribute = |name: &str, kind: &str, mutability: &str, uniqueness: &str| {
        json!({
            "name": name, "type": kind, "multiValued": false,
            // Every member is active or not: `active` is always there.
            "required": name == "userName" || name == "active",
            "caseExact": false, "mutability": mutability, "returned": "default",
            "uniqueness": uniqueness,
        })
    };
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": USER_SCHEMA,
        "name": "User",
        "description": "A member of the team",
        "attributes": [
            attribute("userName", "string", "immutable", "server"),
            attribute("displayName", "string", "readOnly", "none"),
            attribute("active", "boolean", "readWrite", "none"),
            attribute("externalId", "string", "readWrite", "none"),
            json!({
                "name": "name", "type": "complex", "multiValued": false, "required": false,
                "mutability": "readOnly", "returned": "default", "uniqueness": "none",
                "subAttributes": [attribute("formatted", "string", "readOnly", "none")],
            }),
            json!({
                "name": "emails", "type": "complex", "multiValued": true, "required": false,
                "mutability": "readOnly", "returned": "default", "uniqueness": "none",
                "subAttributes": [
                    attribute("value", "string", "readOnly", "none"),
                    attribute("type", "string", "readOnly", "none"),
                    attribute("primary", "boolean", "readOnly", "none"),
                ],
            }),
        ],
        "meta": { "resourceType": "Schema", "location": format!("/scim/v2/Schemas/{USER_SCHEMA}") },
    })
}

fn not_found() -> ScimError {
    ScimError::new(StatusCode::NOT_FOUND, None, "there is no such resource")
}

/// The Group resource type: a department.
fn group_resource_type() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "Group",
        "name": "Group",
        "endpoint": "/Groups",
        "description": "A department of the team",
        "schema": GROUP_SCHEMA,
        "meta": { "resourceType": "ResourceType", "location": "/scim/v2/ResourceTypes/Group" },
    })
}

/// The Group attributes this server keeps.
fn group_schema() -> Value {
    let sub = |name: &str, kind: &str| {
        // A member is written by its id (or its reference); members are Users.
        let mut attribute = json!({
            "name": name, "type": kind, "multiValued": false, "required": name == "value",
            "caseExact": false, "mutability": "immutable", "returned": "default",
            "uniqueness": "none",
        });
        if kind == "reference" {
            attribute["referenceTypes"] = json!(["User"]);
        }
        attribute
    };
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": GROUP_SCHEMA,
        "name": "Group",
        "description": "A department of the team",
        "attributes": [
            {
                "name": "displayName", "type": "string", "multiValued": false, "required": true,
                "caseExact": false, "mutability": "readWrite", "returned": "default",
                "uniqueness": "none",
            },
            {
                "name": "externalId", "type": "string", "multiValued": false, "required": false,
                "caseExact": true, "mutability": "readWrite", "returned": "default",
                "uniqueness": "none",
            },
            {
                "name": "members", "type": "complex", "multiValued": true, "required": false,
                "mutability": "readWrite", "returned": "default", "uniqueness": "none",
                "subAttributes": [sub("value", "string"), sub("$ref", "reference")],
            },
        ],
        "meta": { "resourceType": "Schema", "location": format!("/scim/v2/Schemas/{GROUP_SCHEMA}") },
    })
}

/// A list of resources, all of them.
fn list_of(resources: Vec<Value>) -> Response {
    list_response(1, resources.len() as u64, resources)
}

/// `GET /scim/v2/ResourceTypes`.
async fn resource_types() -> Response {
    list_of(vec![user_resource_type(), group_resource_type()])
}

/// `GET /scim/v2/ResourceTypes/{id}`.
async fn resource_type(Path(id): Path<String>) -> Result<Response, ScimError> {
    match id.as_str() {
        "User" => Ok(scim_json(StatusCode::OK, &user_resource_type())),
        "Group" => Ok(scim_json(StatusCode::OK, &group_resource_type())),
        _ => Err(not_found()),
    }
}

/// `GET /scim/v2/Schemas`.
async fn schemas() -> Response {
    list_of(vec![user_schema(), group_schema()])
}

/// `GET /scim/v2/Schemas/{id}`.
async fn schema(Path(id): Path<String>) -> Result<Response, ScimError> {
    match id.as_str() {
        USER_SCHEMA => Ok(scim_json(StatusCode::OK, &user_schema())),
        GROUP_SCHEMA => Ok(scim_json(StatusCode::OK, &group_schema())),
        _ => Err(not_found()),
    }
}

/// Any other path under `/scim/v2`: SCIM's 404.
async fn no_such_endpoint() -> ScimError {
    not_found()
}

/// The list query.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    filter: Option<String>,
    start_index: Option<u32>,
    count: Option<u32>,
    #[serde(flatten)]
    projection: Projection,
}

impl ListQuery {
    /// Where the page starts (from 1) and how long it is at most.
    fn window(&self) -> (u32, u32) {
        let start_index = self.start_index.unwrap_or(1).max(1);
        let count = self
            .count
            .unwrap_or(siteward_core::page::DEFAULT_LIMIT)
            .min(siteward_core::page::MAX_LIMIT);
        (start_index, count)
    }
}

/// A `ListResponse` of a page that starts at `start_index`, of `total`.
fn list_response(start_index: u32, total: u64, resources: Vec<Value>) -> Response {
    scim_json(
        StatusCode::OK,
        &json!({
            "schemas": [LIST_SCHEMA],
            "totalResults": total,
            "startIndex": start_index,
            "itemsPerPage": resources.len(),
            "Resources": resources,
        }),
    )
}

/// A page of Users, as `GET /Users` and `POST /Users/.search` answer.
async fn users_page(
    state: &AppState,
    caller: &Caller,
    query: ListQuery,
) -> Result<Response, ScimError> {
    let (start_index, count) = query.window();
    let (total, users) = state
        .scim_users(caller, query.filter.as_deref(), (start_index, count))
        .await?;
    let resources = users
        .iter()
        .map(|u| query.projection.apply(user(state, u)))
        .collect();
    Ok(list_response(start_index, total, resources))
}

/// `GET /scim/v2/Users`.
async fn list_users(
    State(state): State<AppState>,
    ScimClient(caller): ScimClient,
    Query(query): Query<ListQuery>,
) -> Result<Response, ScimError> {
    users_page(&state, &caller, query).await
}

/// `POST /scim/v2/Users/.search`: the list's query in a `SearchRequest` body.
async fn search_users(
    State(state): State<AppState>,
    ScimClient(caller): ScimClient,
    bytes: Bytes,
) -> Result<Response, ScimError> {
    let query = search_query(&body(&bytes)?);
    users_page(&state, &caller, query).await
}

/// A `SearchRequest` body as the list's query.
fn search_query(search: &Value) -> ListQuery {
    let list = |key: &str| match &search[key] {
        Value::Array(all) => Some(
            all.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
        ),
        Value::String(one) => Some(one.clone()),
        _ => None,
    };
    let number = |key: &str| search[key].as_u64().and_then(|n| u32::try_from(n).ok());
    ListQuery {
        filter: search["filter"].as_str().map(str::to_owned),
        start_index: number("startIndex"),
        count: number("count"),
        projection: Projection {
            attributes: list("attributes"),
            excluded_attributes: list("excludedAttributes"),
        },
    }
}

/// `GET /scim/v2/Users/{id}`.
async fn get_user(
    State(state): State<AppState>,
    ScimClient(caller): ScimClient,
    Path(id): Path<String>,
    Query(projection): Query<Projection>,
) -> Result<Response, ScimError> {
    let member = state.scim_user(&caller, &id).await?;
    Ok(user_answer(&state, StatusCode::OK, &member, &projection))
}

/// `externalId` as a body gives it: text, or absent.
fn external_id(value: &Value) -> Result<Option<String>, ScimError> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.clone())),
        _ => Err(ScimError::new(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            "externalId must be text",
        )),
    }
}

/// `POST /scim/v2/Users`.
async fn create_user(
    State(state): State<AppState>,
    ScimClient(caller): ScimClient,
    bytes: Bytes,
) -> Result<Response, ScimError> {
    let user = body(&bytes)?;
    let user_name = user["userName"].as_str().ok_or_else(|| {
        ScimError::new(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            "userName (the person's work email) is required",
        )
    })?;
    let active = match user.get("active") {
        Some(value) => boolean(value, "active")?,
        None => true,
    };
    let new = NewUser {
        user_name: user_name.to_owned(),
        name: name_of(&user),
        active,
        external_id: external_id(&user["externalId"])?,
    };
    let member = state.scim_create_user(&caller, &new).await?;
    Ok(user_response(&state, StatusCode::CREATED, &member))
}

/// `PUT /scim/v2/Users/{id}`: the User as the client holds it; `active` is what may change
/// (`userName` is the account's email, which the person's other teams share).
async fn replace_user(
    State(state): State<AppState>,
    ScimClient(caller): ScimClient,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ScimError> {
    let member = state.scim_user(&caller, &id).await?;
    check_if_match(&headers, &member)?;
    let user = body(&bytes)?;
    if let Some(user_name) = user["userName"].as_str()
        && !user_name.eq_ignore_ascii_case(member.member.email.as_str())
    {
        return Err(ScimError::new(
            StatusCode::BAD_REQUEST,
            Some("mutability"),
            "userName is the person's email on Siteward and cannot change here",
        ));
    }
    let active = match user.get("active") {
        Some(value) => boolean(value, "active")?,
        None => true,
    };
    let change = UserChange {
        active: Some(active),
        external_id: Some(external_id(&user["externalId"])?),
    };
    let member = state.scim_update_user(&caller, &id, &change).await?;
    Ok(user_response(&state, StatusCode::OK, &member))
}

/// `PATCH /scim/v2/Users/{id}`: `replace` (or `add`) of `active`, with a path or in a value
/// object; the name a directory sends is taken at creation.
async fn patch_user(
    State(state): State<AppState>,
    ScimClient(caller): ScimClient,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ScimError> {
    let member = state.scim_user(&caller, &id).await?;
    check_if_match(&headers, &member)?;
    let operations = patch_operations(&body(&bytes)?)?;
    let mut change = UserChange::default();
    for operation in &operations {
        let op = operation["op"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let value = &operation["value"];
        let path = operation["path"].as_str();
        let is = |name: &str| path.is_some_and(|p| p.eq_ignore_ascii_case(name));
        match op.as_str() {
            "remove" if is("active") => {
                return Err(ScimError::new(
                    StatusCode::BAD_REQUEST,
                    Some("mutability"),
                    "active is required here: replace it with false to deactivate",
                ));
            }
            "remove" if is("externalId") => change.external_id = Some(None),
            "replace" | "add" if is("active") => change.active = Some(boolean(value, "active")?),
            "replace" | "add" if is("externalId") => {
                change.external_id = Some(external_id(value)?);
            }
            "replace" | "add" if path.is_none() => {
                if let Some(value) = value.get("active") {
                    change.active = Some(boolean(value, "active")?);
                }
                if let Some(value) = value.get("externalId") {
                    change.external_id = Some(external_id(value)?);
                }
            }
            "replace" | "add" | "remove" => {
                return Err(ScimError::new(
                    StatusCode::BAD_REQUEST,
                    Some("mutability"),
                    format!(
                        "{} cannot be changed here (active and externalId can)",
                        path.unwrap_or("that")
                    ),
                ));
            }
            _ => {
                return Err(ScimError::new(
                    StatusCode::BAD_REQUEST,
                    Some("invalidSyntax"),
                    format!("{op:?} is not a PATCH operation"),
                ));
            }
        }
    }
    let member = state.scim_update_user(&caller, &id, &change).await?;
    Ok(user_response(&state, StatusCode::OK, &member))
}

/// `DELETE /scim/v2/Users/{id}`.
async fn delete_user(
    State(state): State<AppState>,
    ScimClient(caller): ScimClient,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ScimError> {
    let member = state.scim_user(&caller, &id).await?;
    check_if_match(&headers, &member)?;
    state.scim_delete_user(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A Group as SCIM shows a department.
fn group(state: &AppState, group: &ScimGroup) -> Value {
    let id = group.department.id.as_str();
    let members: Vec<Value> = group
        .members
        .iter()
        .map(|member| {
            json!({
                "value": member.as_str(),
                "$ref": format!("{}/scim/v2/Users/{member}", state.public_url),
            })
        })
        .collect();
    let mut body = json!({
        "schemas": [GROUP_SCHEMA],
        "id": id,
        "displayName": group.department.name,
        "members": members,
        "meta": {
            "resourceType": "Group",
            "created": group.department.created_at.to_rfc3339(),
            "lastModified": group.department.created_at.to_rfc3339(),
            "location": format!("{}/scim/v2/Groups/{id}", state.public_url),
            "version": group_etag(group),
        },
    });
    if let Some(external_id) = &group.external_id {
        body["externalId"] = json!(external_id);
    }
    body
}

fn group_etag(group: &ScimGroup) -> String {
    format!("W/\"{}\"", group_version(group))
}

/// A Group's answer with its `ETag` and `Location`, projected.
fn group_answer(
    state: &AppState,
    status: StatusCode,
    scim_group: &ScimGroup,
    projection: &Projection,
) -> Response {
    answer(
        status,
        group(state, scim_group),
        &group_etag(scim_group),
        projection,
    )
}

/// The member ids a `members` value names (`[{"value": "<id>"}, …]`).
fn member_ids(value: &Value) -> Result<Vec<String>, ScimError> {
    let bad = || {
        ScimError::new(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            "members must be a list of {\"value\": \"<User id>\"}",
        )
    };
    match value {
        Value::Null => Ok(vec![]),
        Value::Array(all) => all
            .iter()
            .map(|m| m["value"].as_str().map(str::to_owned).ok_or_else(bad))
            .collect(),
        Value::Object(_) => Ok(vec![value["value"].as_str().ok_or_else(bad)?.to_owned()]),
        _ => Err(bad()),
    }
}

/// A page of Groups, as `GET /Groups` and `POST /Groups/.search` answer.
async fn groups_page(
    state: &AppState,
    caller: &Caller,
    query: ListQuery,
) -> Result<Response, ScimError> {
    let (start_index, count) = query.window();
    let (total, groups) = state
        .scim_groups(caller, query.filter.as_deref(), (start_index, count))
        .await?;
    let resources = groups
        .iter()
        .map(|g| query.projection.apply(group(state, g)))
        .collect();
    Ok(list_response(start_index, total, resources))
}

/// `GET /scim/v2/Groups`.
async fn list_groups(
    State(state): State<AppState>,
    ScimClient(caller): ScimClient,
    Query(query): Query<ListQuery>,
) -> Result<Response, ScimError> {
    groups_page(&state, &caller, query).await
}

/// `POST /scim/v2/Groups/.search`.
async fn search_groups(
    State(state): State<AppState>,
    ScimClient(caller): ScimClient,
    bytes: Bytes,
) -> Result<Response, ScimError> {
    let query = search_query(&body(&bytes)?);
    groups_page(&state, &caller, query).await
}

/// `GET /scim/v2/Groups/{id}`.
async fn get_group(
    State(state): State<AppState>,
    ScimClient(caller): ScimClient,
    Path(id): Path<String>,
    Query(projection): Query<Projection>,
) -> Result<Response, ScimError> {
    let group = state.scim_group(&caller, &id).await?;
    Ok(group_answer(&state, StatusCode::OK, &group, &projection))
}

/// `POST /scim/v2/Groups`: a department with its members.
async fn create_group(
    State(state): State<AppState>,
    ScimClient(caller): ScimClient,
    bytes: Bytes,
) -> Result<Response, ScimError> {
    let new = body(&bytes)?;
    let name = new["displayName"].as_str().ok_or_else(|| {
        ScimError::new(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            "displayName (the department's name) is required",
        )
    })?;
    let members = member_ids(&new["members"])?;
    let external = external_id(&new["externalId"])?;
    let group = state
        .scim_create_group(&caller, name, &members, external)
        .await?;
    let answer = Projection::default();
    Ok(group_answer(&state, StatusCode::CREATED, &group, &answer))
}

/// `PUT /scim/v2/Groups/{id}`: its name and exactly these members.
async fn replace_group(
    State(state): State<AppState>,
    ScimClient(caller): ScimClient,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ScimError> {
    let now = state.scim_group(&caller, &id).await?;
    if_match(&headers, &group_etag(&now))?;
    let new = body(&bytes)?;
    let change = GroupChange {
        display_name: new["displayName"].as_str().map(str::to_owned),
        members: Some(member_ids(&new["members"])?),
        external_id: Some(external_id(&new["externalId"])?),
        ..GroupChange::default()
    };
    let group = state.scim_change_group(&caller, &id, &change).await?;
    Ok(group_answer(
        &state,
        StatusCode::OK,
        &group,
        &Projection::default(),
    ))
}

/// The member a `members[value eq "<id>"]` path names.
fn one_member(path: &str) -> Option<String> {
    let inner = path.strip_prefix("members[")?.strip_suffix(']')?.trim();
    inner.get(..5).filter(|v| v.eq_ignore_ascii_case("value"))?;
    let (op, value) = inner[5..].trim().split_once(' ')?;
    let value = value.trim().strip_prefix('"')?.strip_suffix('"')?;
    op.eq_ignore_ascii_case("eq").then(|| value.to_owned())
}

fn invalid_value(detail: &str) -> ScimError {
    ScimError::new(StatusCode::BAD_REQUEST, Some("invalidValue"), detail)
}

/// `PATCH /scim/v2/Groups/{id}`: members added, removed (all, some, or one by a
/// `members[value eq "…"]` path) or replaced, and the name replaced.
async fn patch_group(
    State(state): State<AppState>,
    ScimClient(caller): ScimClient,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ScimError> {
    let now = state.scim_group(&caller, &id).await?;
    if_match(&headers, &group_etag(&now))?;
    let operations = patch_operations(&body(&bytes)?)?;
    let mut change = GroupChange::default();
    for operation in &operations {
        let op = operation["op"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let value = &operation["value"];
        let path = operation["path"].as_str().map(str::trim);
        let is = |name: &str| path.is_some_and(|p| p.eq_ignore_ascii_case(name));
        let one = path.and_then(one_member);
        match op.as_str() {
            "add" if is("members") => change.add.extend(member_ids(value)?),
            "remove" if is("members") && value.is_null() => change.members = Some(vec![]),
            "remove" if is("members") => change.remove.extend(member_ids(value)?),
            "remove" if one.is_some() => change.remove.extend(one),
            "replace" if is("members") => change.members = Some(member_ids(value)?),
            "replace" | "add" if is("displayName") => {
                let name = value
                    .as_str()
                    .ok_or_else(|| invalid_value("displayName must be text"))?;
                change.display_name = Some(name.to_owned());
            }
            "replace" | "add" if path.is_none() => {
                if let Some(name) = value.get("displayName").and_then(Value::as_str) {
                    change.display_name = Some(name.to_owned());
                }
                if let Some(value) = value.get("externalId") {
                    change.external_id = Some(external_id(value)?);
                }
                if let Some(members) = value.get("members") {
                    let ids = member_ids(members)?;
                    if op == "add" {
                        change.add.extend(ids);
                    } else {
                        change.members = Some(ids);
                    }
                }
            }
            "replace" | "add" if is("externalId") => {
                change.external_id = Some(external_id(value)?);
            }
            "remove" if is("externalId") => change.external_id = Some(None),
            "remove" if is("displayName") => {
                return Err(ScimError::new(
                    StatusCode::BAD_REQUEST,
                    Some("mutability"),
                    "displayName is required: replace it instead",
                ));
            }
            "add" | "replace" | "remove" => {
                return Err(ScimError::new(
                    StatusCode::BAD_REQUEST,
                    Some("invalidPath"),
                    format!("{} cannot be changed on a Group", path.unwrap_or("that")),
                ));
            }
            _ => {
                return Err(ScimError::new(
                    StatusCode::BAD_REQUEST,
                    Some("invalidSyntax"),
                    format!("{op:?} is not a PATCH operation"),
                ));
            }
        }
    }
    let group = state.scim_change_group(&caller, &id, &change).await?;
    Ok(group_answer(
        &state,
        StatusCode::OK,
        &group,
        &Projection::default(),
    ))
}

/// `DELETE /scim/v2/Groups/{id}`.
async fn delete_group(
    State(state): State<AppState>,
    ScimClient(caller): ScimClient,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ScimError> {
    let now = state.scim_group(&caller, &id).await?;
    if_match(&headers, &group_etag(&now))?;
    state.scim_delete_group(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
