//! HTTP tests: the real axum router on a fresh in-memory SurrealDB per test, driven through
//! `oneshot`; and the real `siteward` binary over a socket.

mod access_requests;
mod app_layer;
mod audit;
mod auth;
mod backup;
mod browser;
mod cancellation;
mod console;
mod directory;
mod errors;
mod export;
mod first_party;
mod hooks;
mod invitations;
mod isolation;
mod layering;
mod mail;
mod metrics;
mod openapi;
mod packaging;
mod plugins;
mod races;
mod reviews;
mod saml;
mod scale_out;
mod scim;
mod shutdown;
mod smtp;
mod socket;
mod sso;
mod stale_access;
mod technicians;
mod tenancy;
mod traces;
mod upgrade;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::TimeZone;
use serde_json::{Value, json};
use tower::ServiceExt;

use siteward_core::{Clock, Timestamp};
use siteward_server::{AppState, Settings, router};
use siteward_storage::{Store, StoreConfig};

/// A clock the test moves by hand.
#[derive(Debug)]
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    /// Sets the time (to the real one, for a provider that stamps its tokens with it).
    pub fn set(&self, to: Timestamp) {
        *self.0.lock().unwrap() = to;
    }

    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap() += by;
    }

    /// The current time.
    pub fn now_time(&self) -> Timestamp {
        self.now()
    }

    /// The current time as a query-string value.
    pub fn now_text(&self) -> String {
        self.now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

pub const OPERATOR_EMAIL: &str = "operator@siteward.example";
pub const PASSWORD: &str = "correct horse battery staple";

/// One host on a fresh in-memory database, with an operator.
#[derive(Debug)]
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub store: Store,
    pub clock: Arc<ManualClock>,
}

/// A response: status and JSON body (`Value::Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    /// The error code of an error response.
    pub fn code(&self) -> &str {
        self.body["error"]["code"]
            .as_str()
            .unwrap_or("<no error code>")
    }

    /// The message of an error response.
    pub fn message(&self) -> &str {
        self.body["error"]["message"]
            .as_str()
            .unwrap_or("<no error message>")
    }

    /// A string field of the body.
    pub fn str(&self, key: &str) -> String {
        self.body[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in {}", self.body))
            .to_owned()
    }
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_settings(Settings::defaults()).await
    }

    /// A host with these settings on a fresh in-memory database.
    pub async fn with_settings(settings: Settings) -> Self {
        let store = Store::open(&StoreConfig::memory()).await.unwrap();
        let clock = Arc::new(ManualClock(Mutex::new(
            chrono::Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
        )));
        let state = AppState::new(store.clone(), clock.clone(), settings)
            .await
            .unwrap();
        siteward_server::operator::create_operator(
            &store,
            OPERATOR_EMAIL,
            "Operator",
            PASSWORD,
            clock.now(),
        )
        .await
        .unwrap();
        Self {
            router: router(state.clone(), 64 * 1024),
            state,
            store,
            clock,
        }
    }

    /// Another host on the same database and clock, as a second `siteward serve` would be.
    pub async fn second_host(&self) -> Self {
        self.another_host(Settings::defaults()).await
    }

    /// Another host on the same database and clock, with these settings.
    pub async fn another_host(&self, settings: Settings) -> Self {
        let state = AppState::new(self.store.clone(), self.clock.clone(), settings)
            .await
            .unwrap();
        Self {
            router: router(state.clone(), 64 * 1024),
            state,
            store: self.store.clone(),
            clock: self.clock.clone(),
        }
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
            None => request.body(Body::empty()).unwrap(),
        };
        self.send(request).await
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        Reply { status, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.call(
            Method::POST,
            "/v1/auth/login",
            None,
            Some(json!({ "email": email, "password": password })),
        )
        .await
    }

    /// Logs in and returns the session token.
    pub async fn token(&self, email: &str) -> String {
        let reply = self.login(email, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.str("token")
    }

    pub async fn operator(&self) -> String {
        self.token(OPERATOR_EMAIL).await
    }

    /// Creates a partner whose Super Admin is a new account `owner@<slug>.example`.
    pub async fn partner(&self, operator: &str, slug: &str) -> Partner {
        let owner = format!("owner@{slug}.example");
        let reply = self
            .post(
                "/v1/partners",
                operator,
                json!({
                    "name": format!("{slug} Installers"),
                    "super_admin": { "email": owner, "name": "Owner", "password": PASSWORD },
                }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let id = reply.str("id");
        let owner_token = self.token(&owner).await;
        Partner { id, owner_token }
    }

    /// Adds a member with a new account `<local>@<domain>` and returns its account id.
    pub async fn member(&self, partner: &Partner, email: &str, role: &str) -> String {
        let reply = self
            .post(
                &format!("/v1/partners/{}/members", partner.id),
                &partner.owner_token,
                json!({
                    "email": email, "name": "Member", "password": PASSWORD, "role": role,
                }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.str("account_id")
    }

    /// Invites `count` addresses `<prefix><n>@<domain>` to the partner as technicians, in
    /// bulks of at most 1,000.
    pub async fn invite_many(&self, partner: &Partner, prefix: &str, domain: &str, count: usize) {
        let emails: Vec<String> = (0..count)
            .map(|n| format!("{prefix}{n}@{domain}"))
            .collect();
        for bulk in emails.chunks(1_000) {
            let reply = self
                .post(
                    &format!("/v1/partners/{}/invitations", partner.id),
                    &partner.owner_token,
                    json!({ "emails": bulk, "role": "technician" }),
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        }
    }

    /// Creates a customer and a site whose first admin is a new account; returns the site id.
    pub async fn site(&self, partner: &Partner, admin_email: &str) -> String {
        let customer = self
            .post(
                &format!("/v1/partners/{}/customers", partner.id),
                &partner.owner_token,
                json!({ "name": "Customer" }),
            )
            .await;
        assert_eq!(customer.status, StatusCode::CREATED, "{}", customer.body);
        let site = self
            .post(
                &format!("/v1/partners/{}/sites", partner.id),
                &partner.owner_token,
                json!({
                    "customer_id": customer.str("id"),
                    "name": "Head office",
                    "admin": { "email": admin_email, "name": "Site Admin", "password": PASSWORD },
                }),
            )
            .await;
        assert_eq!(site.status, StatusCode::CREATED, "{}", site.body);
        // New sites start with Technician Access off; their admin switches it on, as
        // reference 002 has them do.
        let site = site.str("id");
        let admin = self.token(admin_email).await;
        let on = self
            .call(
                Method::PATCH,
                &format!("/v1/sites/{site}"),
                Some(&admin),
                Some(json!({ "technician_access": true })),
            )
            .await;
        assert_eq!(on.status, StatusCode::OK, "{}", on.body);
        site
    }
}

/// A partner and its Super Admin's session.
#[derive(Debug)]
pub struct Partner {
    pub id: String,
    pub owner_token: String,
}

/// Where this crate's snapshots live: the workspace's `snapshots/` folder.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../snapshots/server"
    ));
    settings.set_prepend_module_to_snapshot(false);
    // Keys in sorted order whatever map serde_json was built with: a workspace build unifies
    // features, and a crate elsewhere in it (cedar-policy, in the benchmark suite) turns on
    // `preserve_order`.
    settings.set_sort_maps(true);
    settings
}

/// The Python of a virtual environment in the test folder (`name`) with what `requirements`
/// pins, from PyPI, installed on first use (once for the whole test run).
pub(crate) fn python_with(name: &str, requirements: &std::path::Path) -> std::path::PathBuf {
    static INSTALLING: Mutex<()> = Mutex::new(());
    let venv = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let python = venv.join("bin/python");
    let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
    if !venv.join("installed").exists() {
        let run = |program: &std::path::Path, args: &[&str]| {
            let status = std::process::Command::new(program)
                .args(args)
                .status()
                .unwrap_or_else(|e| panic!("{} runs: {e}", program.display()));
            assert!(status.success(), "{} {args:?} failed", program.display());
        };
        run(
            std::path::Path::new("python3"),
            &["-m", "venv", venv.to_str().unwrap()],
        );
        run(
            &venv.join("bin/pip"),
            &["install", "--quiet", "-r", requirements.to_str().unwrap()],
        );
        std::fs::write(venv.join("installed"), "").unwrap();
    }
    python
}
