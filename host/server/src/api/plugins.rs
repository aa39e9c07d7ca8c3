//! The operator's plugin API: install and upgrade (manifest and component), list, inspect
//! with metrics, remove; switch a plugin on or off and configure it for every partner, one
//! partner, or one site. Partner admins read which plugins act for their partner.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use siteward_app::plugins::BindingScope;
use siteward_core::FieldError;
use siteward_core::ids::{PartnerId, SiteId};
use siteward_plugins::Manifest;

use super::path::Ids;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::plugins::admin::AdminError;
use crate::plugins::manage::{Binding, Chosen, PluginHome};
use crate::plugins::{Entry, Loaded};
use crate::state::AppState;
use siteward_app::AppError;

/// A setting a plugin accepts.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingView {
    /// Its name.
    pub name: String,
    /// What it means.
    pub description: String,
    /// Whether it must be given (it has no default).
    pub required: bool,
    /// Its default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Whether it is a secret (never shown back).
    pub secret: bool,
}

/// The limits a plugin's calls run under.
#[derive(Debug, Serialize, ToSchema)]
pub struct LimitsView {
    /// Wall deadline per call, in milliseconds.
    pub deadline_ms: u64,
    /// Memory over every memory of the component, in bytes.
    pub memory_bytes: usize,
    /// Fuel per call; absent is unlimited (still metered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fuel: Option<u64>,
    /// Bytes of input per call.
    pub input_bytes: usize,
    /// Bytes of output per call.
    pub output_bytes: usize,
}

/// Where a plugin is switched on or off.
#[derive(Debug, Serialize, ToSchema)]
pub struct BindingView {
    /// `all`, `partner` or `site`.
    pub scope: &'static str,
    /// The partner, for `partner` and `site`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<String>,
    /// The site, for `site`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_id: Option<String>,
    /// Whether it runs there.
    pub enabled: bool,
    /// The configuration set there (secrets shown as `********`); absent inherits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<BTreeMap<String, String>>,
}

/// An interface a plugin imports.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportView {
    /// Its name, `wasi:random/random@0.2.6` for example.
    pub name: String,
    /// Whether the host answers it; otherwise each call traps.
    pub answered: bool,
}

/// An installed plugin.
#[derive(Debug, Serialize, ToSchema)]
pub struct PluginView {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// `invitation-renderer`, `notification-hook`, `audit-exporter` or `invitation-policy`.
    pub world: String,
    /// The WIT package version it is built against.
    pub wit: String,
    /// What it does.
    pub description: String,
    /// The SHA-256 of the component.
    pub content_hash: String,
    /// When it was first installed.
    pub installed_at: chrono::DateTime<chrono::Utc>,
    /// When it was last installed or upgraded.
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Why this host could not load it, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_error: Option<String>,
    /// What it imports (WASI interfaces and `siteward:plugin`'s own types; anything else is
    /// refused at install), and
    /// whether the host answers each — the rest trap when called. Empty when not loaded.
    pub imports: Vec<ImportView>,
    /// The settings it accepts.
    pub settings: Vec<SettingView>,
    /// The webhook targets it calls by name.
    pub webhook_targets: Vec<String>,
    /// The limits its calls run under.
    pub limits: LimitsView,
    /// Where it is switched on or off.
    pub bindings: Vec<BindingView>,
    /// Partners it is quarantined for after repeated failures.
    pub quarantined_for: Vec<String>,
    /// Its calls on this host since the host started.
    pub metrics: PluginMetrics,
}

/// Calls, failures and cost of one plugin on this host since it started.
#[derive(Debug, Serialize, ToSchema)]
pub struct PluginMetrics {
    /// Calls made.
    pub calls: u64,
    /// Failed calls by kind (`plugin_error`, `trap`, `deadline`, `memory`, `fuel`,
    /// `input_too_large`, `output_too_large`).
    pub failures: std::collections::BTreeMap<String, u64>,
    /// Total wall time of the calls, in microseconds.
    pub total_micros: u64,
    /// The longest call, in microseconds.
    pub max_micros: u64,
    /// Total fuel used.
    pub fuel: u64,
}

impl From<crate::plugins::PluginMetrics> for PluginMetrics {
    fn from(m: crate::plugins::PluginMetrics) -> Self {
        Self {
            calls: m.calls,
            failures: m.failures,
            total_micros: m.total_micros,
            max_micros: m.max_micros,
            fuel: m.fuel,
        }
    }
}

/// Installed plugins.
#[derive(Debug, Serialize, ToSchema)]
pub struct PluginList {
    /// By name.
    pub plugins: Vec<PluginView>,
}

fn view(state: &AppState, loaded: &Loaded, entry: &Entry) -> PluginView {
    let m = &entry.manifest;
    // The limits calls run under: the loaded plugin's, or (when this host could not load it)
    // its manifest's, which were checked when it was installed.
    let limits = match &entry.plugin {
        Ok(plugin) => plugin.limits(),
        Err(_) => m
            .limits()
            .unwrap_or_else(|_| siteward_plugins::Limits::ceiling()),
    };
    let mut bindings: Vec<BindingView> = loaded
        .bindings(&entry.record.name)
        .map(|(scope, enabled, config)| {
            let (kind, partner, site) = match scope {
                BindingScope::All => ("all", None, None),
                BindingScope::Partner(p) => ("partner", Some(p.to_string()), None),
                BindingScope::Site(p, s) => ("site", Some(p.to_string()), Some(s.to_string())),
            };
            BindingView {
                scope: kind,
                partner_id: partner,
                site_id: site,
                enabled,
                config: config.map(|c| m.redact(c)),
            }
        })
        .collect();
    bindings.sort_by(|a, b| {
        (a.scope != "all", &a.partner_id, &a.site_id).cmp(&(
            b.scope != "all",
            &b.partner_id,
            &b.site_id,
        ))
    });
    let mut quarantined_for: Vec<String> = loaded
        .quarantined_for(&entry.record.name)
        .map(ToString::to_string)
        .collect();
    quarantined_for.sort();
    PluginView {
        name: entry.record.name.clone(),
        version: entry.record.version.clone(),
        world: entry.record.world.clone(),
        wit: m.wit.clone(),
        description: m.description.clone(),
        content_hash: entry.record.content_hash.clone(),
        installed_at: entry.record.installed_at,
        updated_at: entry.record.updated_at,
        load_error: entry.plugin.as_ref().err().cloned(),
        imports: entry
            .plugin
            .as_ref()
            .map(|plugin| {
                plugin
                    .imports()
                    .iter()
                    .map(|import| ImportView {
                        name: import.name.clone(),
                        answered: import.answered,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        settings: m
            .config
            .iter()
            .map(|f| SettingView {
                name: f.name.clone(),
                description: f.description.clone(),
                required: f.required && f.default.is_none(),
                default: if f.secret { None } else { f.default.clone() },
                secret: f.secret,
            })
            .collect(),
        webhook_targets: m.webhook_targets.clone(),
        limits: LimitsView {
            deadline_ms: u64::try_from(limits.deadline.as_millis()).unwrap_or(u64::MAX),
            memory_bytes: limits.memory_bytes,
            fuel: limits.fuel,
            input_bytes: limits.input_bytes,
            output_bytes: limits.output_bytes,
        },
        bindings,
        quarantined_for,
        metrics: PluginMetrics::from(state.plugins.metrics(&entry.record.name)),
    }
}

impl From<AdminError> for ApiError {
    fn from(error: AdminError) -> Self {
        AppError::from(error).into()
    }
}

/// Installed plugins, with where they run and their metrics on this host (operator only).
#[utoipa::path(get, path = "/v1/plugins", tag = "plugins", security(("bearer" = [])),
    responses((status = 200, body = PluginList), (status = 403, body = ErrorBody)))]
pub async fn list_plugins(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<PluginList>> {
    let loaded = state.plugins(&auth).await?;
    Ok(Json(PluginList {
        plugins: loaded.plugins().map(|e| view(&state, &loaded, e)).collect(),
    }))
}

/// A plugin to install: its manifest and its component.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstallPlugin {
    /// The manifest (`siteward-plugin.toml` as JSON): name, version, world, wit,
    /// description, config, webhook_targets, limits.
    #[schema(value_type = Object)]
    pub manifest: serde_json::Value,
    /// The WebAssembly component, base64.
    pub component: String,
}

/// Install a plugin, or upgrade the installed one of the same name (operator only). The
/// component is compiled and checked against its manifest before anything is stored; an
/// upgrade must raise the version, keep the world and fit every stored configuration, and
/// calls in flight finish on the old version. 201 for an install, 200 for an upgrade.
#[utoipa::path(post, path = "/v1/plugins", tag = "plugins", security(("bearer" = [])), request_body = InstallPlugin,
    responses((status = 201, body = PluginView), (status = 200, body = PluginView), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`plugin_version_not_newer`, `plugin_world_changed`, `plugin_config_incompatible`"),
        (status = 422, body = ErrorBody, description = "`invalid_field` (the manifest), `invalid_component`")))]
pub async fn install_plugin(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<InstallPlugin>,
) -> ApiResult<(StatusCode, Json<PluginView>)> {
    let manifest: Manifest = serde_json::from_value(body.manifest)
        .map_err(|e| FieldError::new("manifest", e.to_string()))?;
    let component = data_encoding::BASE64
        .decode(body.component.trim().as_bytes())
        .map_err(|_| FieldError::new("component", "must be the component's bytes in base64"))?;
    let installed = state.install_plugin(&auth, manifest, component).await?;
    let status = if installed.upgraded_from.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(view(&state, &state.plugins.loaded(), &installed.entry)),
    ))
}

/// One installed plugin (operator only).
#[utoipa::path(get, path = "/v1/plugins/{name}", tag = "plugins", security(("bearer" = [])),
    params(("name" = String, Path)),
    responses((status = 200, body = PluginView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_plugin(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<PluginView>> {
    let chosen = state.plugin(&auth, &name).await?;
    Ok(Json(view(&state, &chosen.loaded, &chosen.entry)))
}

/// Remove a plugin with its bindings (operator only).
#[utoipa::path(delete, path = "/v1/plugins/{name}", tag = "plugins", security(("bearer" = [])),
    params(("name" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_plugin(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    state.remove_plugin(&auth, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Switch a plugin on or off, and configure it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetBinding {
    /// Whether it runs. Switching it on for a partner ends a quarantine there.
    pub enabled: bool,
    /// Values for its settings (not for a site); absent inherits from the wider scope.
    #[serde(default)]
    pub config: Option<BTreeMap<String, String>>,
}

impl SetBinding {
    fn binding(self) -> Binding {
        Binding {
            enabled: self.enabled,
            config: self.config,
        }
    }
}

/// Where a plugin runs for the scope a binding was just set at.
fn chosen_view(chosen: &Chosen) -> EffectiveView {
    let (partner, site) = match &chosen.scope {
        BindingScope::Partner(partner) => (partner, None),
        BindingScope::Site(partner, site) => (partner, Some(site)),
        BindingScope::All => unreachable!("partner and site bindings only"),
    };
    effective(&chosen.loaded, &chosen.entry, partner, site)
}

/// Where a plugin runs for a scope, after a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct EffectiveView {
    /// The plugin.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its world.
    pub world: String,
    /// Whether it runs there.
    pub enabled: bool,
    /// Which binding decided: `site`, `partner`, `all`, or `default` (off).
    pub source: &'static str,
    /// Whether it is quarantined for the partner after repeated failures.
    pub quarantined: bool,
    /// The configuration in force (secrets shown as `********`, defaults not included).
    pub config: BTreeMap<String, String>,
}

fn effective(
    loaded: &Loaded,
    entry: &Entry,
    partner: &PartnerId,
    site: Option<&SiteId>,
) -> EffectiveView {
    let e = loaded.effective(&entry.record.name, partner, site);
    EffectiveView {
        name: entry.record.name.clone(),
        version: entry.record.version.clone(),
        world: entry.record.world.clone(),
        enabled: e.enabled,
        source: e.source,
        quarantined: e.quarantined,
        config: entry.manifest.redact(&e.config),
    }
}

/// Switch a plugin on or off, and configure it, for every partner without a binding of its
/// own (operator only).
#[utoipa::path(put, path = "/v1/plugins/{name}/default", tag = "plugins", security(("bearer" = [])),
    params(("name" = String, Path)), request_body = SetBinding,
    responses((status = 200, body = PluginView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_default_binding(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<SetBinding>,
) -> ApiResult<Json<PluginView>> {
    let chosen = state
        .bind_plugin(&auth, PluginHome::Everyone, &name, body.binding())
        .await?;
    Ok(Json(view(&state, &chosen.loaded, &chosen.entry)))
}

/// Every installed plugin as it stands for a partner (the operator, and the partner's
/// Super Admins and Admins).
#[utoipa::path(get, path = "/v1/partners/{partner_id}/plugins", tag = "plugins", security(("bearer" = [])),
    params(("partner_id" = String, Path)),
    responses((status = 200, body = Vec<EffectiveView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn partner_plugins(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<PartnerId>,
) -> ApiResult<Json<Vec<EffectiveView>>> {
    let (loaded, partner) = state.partner_plugins(&auth, &id).await?;
    Ok(Json(
        loaded
            .plugins()
            .map(|e| effective(&loaded, e, &partner, None))
            .collect(),
    ))
}

/// Switch a plugin on or off, and configure it, for one partner (operator only).
#[utoipa::path(put, path = "/v1/partners/{partner_id}/plugins/{name}", tag = "plugins", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("name" = String, Path)), request_body = SetBinding,
    responses((status = 200, body = EffectiveView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_partner_binding(
    State(state): State<AppState>,
    auth: Auth,
    Ids((id, name)): Ids<(PartnerId, String)>,
    ApiJson(body): ApiJson<SetBinding>,
) -> ApiResult<Json<EffectiveView>> {
    let chosen = state
        .bind_plugin(&auth, PluginHome::Partner(&id), &name, body.binding())
        .await?;
    Ok(Json(chosen_view(&chosen)))
}

/// Settings a partner sets for itself.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerSettings {
    /// Values for the settings the plugin's manifest marks `partner_editable` (for example
    /// `footer`, `default_locale`, `digest_minutes`), at least one; others are refused, naming
    /// them.
    #[serde(default)]
    pub config: BTreeMap<String, String>,
}

/// Set, for one partner, the settings of a plugin that its manifest lets partners set (the
/// partner's admins). Whether it runs, its other settings and a quarantine stay the
/// operator's: the partner's binding keeps whether it runs, as it did when saved.
#[utoipa::path(put, path = "/v1/partners/{partner_id}/plugins/{name}/settings", tag = "plugins", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("name" = String, Path)), request_body = PartnerSettings,
    responses((status = 200, body = EffectiveView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`plugin_quarantined`"), (status = 422, body = ErrorBody)))]
pub async fn set_partner_settings(
    State(state): State<AppState>,
    auth: Auth,
    Ids((id, name)): Ids<(PartnerId, String)>,
    ApiJson(body): ApiJson<PartnerSettings>,
) -> ApiResult<Json<EffectiveView>> {
    let chosen = state
        .set_partner_plugin_settings(&auth, &id, &name, body.config)
        .await?;
    Ok(Json(chosen_view(&chosen)))
}

/// Remove a partner's binding: the partner follows the default again (operator only).
#[utoipa::path(delete, path = "/v1/partners/{partner_id}/plugins/{name}", tag = "plugins", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("name" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_partner_binding(
    State(state): State<AppState>,
    auth: Auth,
    Ids((id, name)): Ids<(PartnerId, String)>,
) -> ApiResult<StatusCode> {
    state
        .unbind_plugin(&auth, PluginHome::Partner(&id), &name)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Override, for one site, whether a plugin runs (operator only). Sites take their
/// partner's configuration.
#[utoipa::path(put, path = "/v1/sites/{site_id}/plugins/{name}", tag = "plugins", security(("bearer" = [])),
    params(("site_id" = String, Path), ("name" = String, Path)), request_body = SetBinding,
    responses((status = 200, body = EffectiveView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_site_binding(
    State(state): State<AppState>,
    auth: Auth,
    Ids((id, name)): Ids<(SiteId, String)>,
    ApiJson(body): ApiJson<SetBinding>,
) -> ApiResult<Json<EffectiveView>> {
    let chosen = state
        .bind_plugin(&auth, PluginHome::Site(&id), &name, body.binding())
        .await?;
    Ok(Json(chosen_view(&chosen)))
}

/// Remove a site's override: the site follows its partner again (operator only).
#[utoipa::path(delete, path = "/v1/sites/{site_id}/plugins/{name}", tag = "plugins", security(("bearer" = [])),
    params(("site_id" = String, Path), ("name" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_site_binding(
    State(state): State<AppState>,
    auth: Auth,
    Ids((id, name)): Ids<(SiteId, String)>,
) -> ApiResult<StatusCode> {
    state
        .unbind_plugin(&auth, PluginHome::Site(&id), &name)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
