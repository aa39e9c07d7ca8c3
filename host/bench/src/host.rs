//! A Siteward host as the suite drives it: the real router over embedded `surrealkv://`, with
//! an operator and a partner, called in-process.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use tower::ServiceExt;

use siteward_core::Clock;
use siteward_server::{AppState, Settings, SystemClock, router};
use siteward_storage::{Store, StoreConfig};

/// Every account's password here.
const PASSWORD: &str = "benchmark passphrase";

/// A host on a fresh `surrealkv://` folder with a partner.
pub struct Host {
    /// Its state.
    pub state: AppState,
    /// Its router.
    pub app: axum::Router,
    /// The partner's id.
    pub partner: String,
    /// The partner's Super Admin's session.
    pub owner: String,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("partner", &self.partner)
            .finish_non_exhaustive()
    }
}

/// POSTs `body` to `path`; fails on anything but success.
pub async fn post(
    app: &axum::Router,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> anyhow::Result<Value> {
    send(app, "POST", path, token, body).await
}

/// Sends `body` to `path` with `method`; fails on anything but success.
async fn send(
    app: &axum::Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> anyhow::Result<Value> {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body.to_string()))?)
        .await?;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    anyhow::ensure!(status.is_success(), "{method} {path}: {status} {value}");
    Ok(value)
}

/// Serves `app` on a loopback socket as `siteward serve` does (with the peer's address); returns
/// where.
pub async fn serve(app: axum::Router) -> anyhow::Result<std::net::SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .ok();
    });
    Ok(address)
}

/// Installs the log subscriber `siteward serve` installs (its default filter, `info`, text to
/// stderr), so a figure includes what production logging costs; in a run of every step in one
/// process the first step to install it has done so already.
pub fn production_logging() {
    let _ = siteward_server::telemetry::init(
        siteward_server::config::LogFormat::Pretty,
        &siteward_server::config::TracingConfig::default(),
    );
}

/// A string field of a reply.
pub fn text(value: &Value, field: &str) -> anyhow::Result<String> {
    value[field]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no `{field}` in {value}"))
}

impl Host {
    /// Opens (and migrates) a database in `folder` as `serve` does: the store, the
    /// permission index read from it, the plugins.
    pub async fn open(folder: &std::path::Path) -> anyhow::Result<AppState> {
        Self::open_with(&Self::embedded(folder), Settings::defaults()).await
    }

    /// The embedded engine's configuration for `folder`.
    fn embedded(folder: &std::path::Path) -> StoreConfig {
        StoreConfig {
            url: format!("surrealkv://{}", folder.display()),
            ..StoreConfig::memory()
        }
    }

    /// Opens (and migrates) the database `config` names, with `settings`.
    async fn open_with(config: &StoreConfig, settings: Settings) -> anyhow::Result<AppState> {
        let store = Store::open(config).await?;
        Ok(AppState::new(store, Arc::new(SystemClock), settings).await?)
    }

    /// Opens (and migrates) a new database in `folder` and sets up the operator and a partner.
    pub async fn start(folder: &std::path::Path) -> anyhow::Result<Self> {
        Self::start_with(&Self::embedded(folder), Settings::defaults()).await
    }

    /// Opens (and migrates) the new database `config` names, with `settings`, and sets up the
    /// operator and a partner.
    pub async fn start_with(config: &StoreConfig, settings: Settings) -> anyhow::Result<Self> {
        let state = Self::open_with(config, settings).await?;
        siteward_server::operator::create_operator(
            &state.store,
            "ops@bench.example",
            "Ops",
            PASSWORD,
            SystemClock.now(),
        )
        .await?;
        let app = router(state.clone(), 16 * 1024 * 1024);
        let operator = login(&app, "ops@bench.example").await?;
        let partner = post(&app, "/v1/partners", Some(&operator), json!({
            "name": "Bench Partner",
            "super_admin": { "email": "owner@bench.example", "name": "Owner", "password": PASSWORD },
        }))
        .await?;
        Ok(Self {
            partner: text(&partner, "id")?,
            owner: login(&app, "owner@bench.example").await?,
            state,
            app,
        })
    }

    /// POSTs as the partner's Super Admin.
    pub async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        post(&self.app, path, Some(&self.owner), body).await
    }

    /// Invites `count` new addresses in one request.
    pub async fn invite(&self, prefix: &str, count: usize) -> anyhow::Result<()> {
        let emails: Vec<String> = (0..count)
            .map(|n| format!("{prefix}x{n}@bench.example"))
            .collect();
        let reply = self
            .post(
                &format!("/v1/partners/{}/invitations", self.partner),
                json!({ "emails": emails, "role": "technician" }),
            )
            .await?;
        let results = reply["results"].as_array().map_or(0, Vec::len);
        anyhow::ensure!(results == count, "{results} results for {count} addresses");
        Ok(())
    }

    /// Adds a member with a new account; returns the account id.
    pub async fn member(&self, email: &str, role: &str) -> anyhow::Result<String> {
        let member = self
            .post(
                &format!("/v1/partners/{}/members", self.partner),
                json!({ "email": email, "name": "Member", "password": PASSWORD, "role": role }),
            )
            .await?;
        text(&member, "account_id")
    }

    /// Makes a customer of the partner through the API; its id.
    pub async fn customer(&self) -> anyhow::Result<String> {
        let customer = self
            .post(
                &format!("/v1/partners/{}/customers", self.partner),
                json!({ "name": "Customer" }),
            )
            .await?;
        text(&customer, "id")
    }

    /// Creates a customer and a site with its first admin, who switches the site's
    /// Technician Access on (new sites start with it off); returns the site id.
    pub async fn site(&self, admin_email: &str) -> anyhow::Result<String> {
        let customer = self.customer().await?;
        let site = self
            .post(
                &format!("/v1/partners/{}/sites", self.partner),
                json!({
                    "customer_id": customer,
                    "name": "Head office",
                    "admin": { "email": admin_email, "name": "Site Admin", "password": PASSWORD },
                }),
            )
            .await?;
        let site = text(&site, "id")?;
        let admin = login(&self.app, admin_email).await?;
        send(
            &self.app,
            "PATCH",
            &format!("/v1/sites/{site}"),
            Some(&admin),
            json!({ "technician_access": true }),
        )
        .await?;
        Ok(site)
    }
}

pub async fn login(app: &axum::Router, email: &str) -> anyhow::Result<String> {
    let reply = post(
        app,
        "/v1/auth/login",
        None,
        json!({ "email": email, "password": PASSWORD }),
    )
    .await?;
    text(&reply, "token")
}
