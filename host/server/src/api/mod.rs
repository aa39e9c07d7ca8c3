//! The versioned JSON API (`/v1`), its OpenAPI document, and the health probes.

pub mod access;
pub mod access_requests;
pub mod audit;
pub mod backup;
pub mod check;
pub mod dto;
pub mod idempotency;
pub mod invitations;
pub mod licences;
pub mod mine;
pub mod observe;
pub mod partners;
pub mod path;
pub mod people;
pub mod plugins;
pub mod reviews;
pub mod scim;
pub mod security;
pub mod session;
pub mod sites;
pub mod technicians;
pub mod tokens;
pub mod webhooks;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Siteward API", description = "Technician access to customer sites, without shared admin accounts."),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Logging in, sessions, the caller's account and second factor"),
        (name = "partners", description = "Partners (created by the operator)"),
        (name = "members", description = "A partner's Super Admins, Admins and Technicians"),
        (name = "customers", description = "A partner's customers"),
        (name = "sites", description = "Customer sites and their site admins"),
        (name = "invitations", description = "Invitations to a partner or a site, site assignments, outgoing email"),
        (name = "technicians", description = "A site's technicians: levels, locks, access"),
        (name = "check", description = "The permission check, one or many questions, and who can reach what"),
        (name = "access", description = "Custom roles, departments, device groups, devices and grants"),
        (name = "access-requests", description = "Just-in-time access: technicians ask for a level at a site for a while; the site's policy and approvers decide"),
        (name = "reviews", description = "Access reviews: who holds access to a site, confirmed or removed by someone answerable, on demand or on a schedule"),
        (name = "api-tokens", description = "Tokens for integrations, scoped to a partner or a site"),
        (name = "audit", description = "The audit log"),
        (name = "plugins", description = "WebAssembly plugins: install, upgrade, switch on and off, configure"),
        (name = "platform", description = "Running the host: backups (the operator)"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The largest plugin install request: a 48 MiB component in base64, with its manifest.
const MAX_COMPONENT_REQUEST_BYTES: usize = 64 << 20;

/// The largest bulk check request: 10,000 questions (the most one may ask) with room to spare.
const MAX_BULK_CHECK_REQUEST_BYTES: usize = 4 << 20;

/// The API routes with their OpenAPI document.
fn api() -> (Router<AppState>, OpenApiDoc) {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::login))
        .routes(routes!(session::logout))
        .routes(routes!(session::me))
        .routes(routes!(mine::my_sites))
        .routes(routes!(mine::my_invitations))
        .routes(routes!(mine::my_activity))
        .routes(routes!(session::change_password))
        .routes(routes!(session::update_account))
        .routes(routes!(session::totp_enroll, session::totp_remove))
        .routes(routes!(session::totp_confirm))
        .routes(routes!(partners::create_partner, partners::list_partners))
        .routes(routes!(partners::get_partner, invitations::update_partner))
        .routes(routes!(licences::get_licences, licences::set_licences))
        .routes(routes!(
            invitations::invite_to_partner,
            invitations::partner_invitations
        ))
        .routes(routes!(
            invitations::invite_to_site,
            invitations::site_invitations
        ))
        .routes(routes!(invitations::candidates))
        .routes(routes!(invitations::invite_to_sites))
        .routes(routes!(invitations::get_invitation))
        .routes(routes!(invitations::revoke))
        .routes(routes!(invitations::resend))
        .routes(routes!(invitations::approve))
        .routes(routes!(invitations::deny))
        .routes(routes!(invitations::preview, invitations::accept))
        .routes(routes!(technicians::site_technicians))
        .routes(routes!(technicians::update_technician))
        .routes(routes!(technicians::lock_technicians))
        .routes(routes!(technicians::level_technicians))
        .routes(routes!(technicians::remove_technicians))
        .routes(routes!(
            access_requests::get_access_policy,
            access_requests::set_access_policy
        ))
        .routes(routes!(
            access_requests::request_access,
            access_requests::site_access_requests
        ))
        .routes(routes!(access_requests::my_access_requests))
        .routes(routes!(access_requests::get_access_request))
        .routes(routes!(access_requests::approve_access_request))
        .routes(routes!(access_requests::deny_access_request))
        .routes(routes!(access_requests::end_access_request))
        .routes(routes!(reviews::start_review, reviews::site_reviews))
        .routes(routes!(reviews::get_review))
        .routes(routes!(reviews::review_technicians))
        .routes(routes!(reviews::decide_review))
        .routes(routes!(reviews::export_review))
        .routes(routes!(access::system_roles))
        .routes(routes!(access::create_role, access::list_roles))
        .routes(routes!(access::update_role, access::delete_role))
        .routes(routes!(access::create_department, access::list_departments))
        .routes(routes!(access::delete_department))
        .routes(routes!(access::department_members))
        .routes(routes!(
            access::add_department_member,
            access::remove_department_member
        ))
        .routes(routes!(access::create_grant, access::list_grants))
        .routes(routes!(access::delete_grant))
        .routes(routes!(
            access::create_device_group,
            access::list_device_groups
        ))
        .routes(routes!(access::delete_device_group))
        .routes(routes!(access::create_device, access::list_devices))
        .routes(routes!(access::update_device, access::delete_device))
        .routes(routes!(check::check))
        // 10,000 questions are about 1.2 MB, more than the default limit for other requests.
        .merge(
            OpenApiRouter::new()
                .routes(routes!(check::check_bulk))
                .layer(DefaultBodyLimit::max(MAX_BULK_CHECK_REQUEST_BYTES)),
        )
        .routes(routes!(check::reachable_by))
        .routes(routes!(check::device_reachable_by))
        .routes(routes!(check::reachable_sites))
        .routes(routes!(check::reachable_devices))
        .routes(routes!(invitations::outbox))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(partners::add_member, partners::list_members))
        .routes(routes!(
            partners::get_member,
            partners::update_member,
            partners::remove_member
        ))
        .routes(routes!(partners::reset_member_totp))
        .routes(routes!(
            security::get_partner_security,
            security::set_partner_security
        ))
        .routes(routes!(
            security::get_site_security,
            security::set_site_security
        ))
        .routes(routes!(sites::create_customer, sites::list_customers))
        .routes(routes!(sites::get_customer))
        .routes(routes!(sites::create_site, sites::list_sites))
        .routes(routes!(sites::get_site, technicians::update_site))
        .routes(routes!(sites::add_site_admin, sites::list_site_admins))
        .routes(routes!(sites::remove_site_admin))
        .routes(routes!(
            tokens::create_partner_token,
            tokens::list_partner_tokens
        ))
        .routes(routes!(tokens::create_site_token, tokens::list_site_tokens))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(plugins::list_plugins))
        .routes(routes!(plugins::get_plugin, plugins::remove_plugin))
        .routes(routes!(plugins::set_default_binding))
        .routes(routes!(plugins::partner_plugins))
        .routes(routes!(plugins::set_partner_settings))
        .routes(routes!(
            plugins::set_partner_binding,
            plugins::remove_partner_binding
        ))
        .routes(routes!(
            plugins::set_site_binding,
            plugins::remove_site_binding
        ))
        // A component is larger than any other request: its route has a body limit of its own.
        .merge(
            OpenApiRouter::new()
                .routes(routes!(plugins::install_plugin))
                .layer(DefaultBodyLimit::max(MAX_COMPONENT_REQUEST_BYTES)),
        )
        .routes(routes!(audit::platform_events))
        .routes(routes!(audit::partner_events))
        .routes(routes!(audit::site_events))
        .routes(routes!(audit::verify_platform))
        .routes(routes!(audit::verify_partner))
        .routes(routes!(audit::verify_site))
        .routes(routes!(audit::export_platform))
        .routes(routes!(audit::export_partner))
        .routes(routes!(audit::export_site))
        .routes(routes!(backup::backup))
        .split_for_parts();
    (router, with_common_responses(doc))
}

/// Adds what every operation may answer besides its own responses: 401 to a request without a
/// valid token where a token is required, 400 to a body that is not JSON, 413 to one over the
/// size limit, 415 to one not declared as JSON, and 422 to a body or query parameter that is
/// not valid (unknown query parameters included).
fn with_common_responses(mut doc: OpenApiDoc) -> OpenApiDoc {
    use utoipa::openapi::path::HttpMethod;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

    let error = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build(),
        )
    };
    for item in doc.paths.paths.values_mut() {
        for method in [
            HttpMethod::Get,
            HttpMethod::Post,
            HttpMethod::Put,
            HttpMethod::Patch,
            HttpMethod::Delete,
        ] {
            let operation = match method {
                HttpMethod::Get => item.get.as_mut(),
                HttpMethod::Post => item.post.as_mut(),
                HttpMethod::Put => item.put.as_mut(),
                HttpMethod::Patch => item.patch.as_mut(),
                HttpMethod::Delete => item.delete.as_mut(),
                _ => None,
            };
            let Some(operation) = operation else {
                continue;
            };
            let responses = &mut operation.responses.responses;
            if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
                responses.entry("401".to_owned()).or_insert_with(|| {
                    error(
                        "No valid token: none, unknown, expired, revoked, or its account disabled",
                    )
                });
            }
            let queried = operation.parameters.as_ref().is_some_and(|parameters| {
                parameters
                    .iter()
                    .any(|p| p.parameter_in == utoipa::openapi::path::ParameterIn::Query)
            });
            if operation.request_body.is_some() || queried {
                responses.entry("422".to_owned()).or_insert_with(|| {
                    error("A field of the body or a query parameter is not valid; `field` names it")
                });
            }
            if operation.request_body.is_some() {
                responses
                    .entry("400".to_owned())
                    .or_insert_with(|| error("The body is not valid JSON"));
                responses
                    .entry("413".to_owned())
                    .or_insert_with(|| error("The body is over the size limit"));
                responses
                    .entry("415".to_owned())
                    .or_insert_with(|| error("The body is not declared as `application/json`"));
            }
        }
    }
    doc
}

/// The OpenAPI 3.1 document of the API, as served at `/openapi.json`.
pub fn openapi() -> OpenApiDoc {
    api().1
}

/// The complete HTTP application: API, docs, probes and the middleware around them.
pub fn router(state: AppState, max_body_bytes: usize) -> Router {
    let (api, doc) = api();
    let doc = serde_json::to_value(&doc).expect("the OpenAPI document serialises");
    let api = api.merge(crate::ui::routes()).merge(scim::routes());
    // Only other hosts can change what the index must hold behind this host's back.
    let api = if state.permissions.is_shared() {
        api.route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            follow_other_hosts,
        ))
    } else {
        api
    };
    api.route(
        "/openapi.json",
        get(move || std::future::ready(Json(doc.clone()))),
    )
    .route("/metrics", get(crate::metrics::operator_metrics))
    .route("/healthz", get(healthz))
    .route("/readyz", get(readyz))
    .fallback(|| async { ApiError::not_found() })
    .method_not_allowed_fallback(|| async {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this method is not allowed here",
        )
    })
    .with_state(state.clone())
    .layer(observe::Observe::new(state, max_body_bytes))
}

/// Before an API request is answered, the permission index catches up with what other hosts
/// committed (nothing to do on embedded storage). An index that cannot catch up answers nothing:
/// 503, rather than a decision from stale facts.
async fn follow_other_hosts(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Err(error) = state.catch_up().await {
        return ApiError::from(error).into_response();
    }
    next.run(request).await
}

/// Liveness: the process answers.
async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: the database answers.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.ready().await {
        (
            StatusCode::OK,
            Json(serde_json::json!({ "status": "ready" })),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "unavailable" })),
        )
    }
}
