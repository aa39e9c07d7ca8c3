//! The operator console's plugins: every installed plugin with its version, world, whether
//! this host could load it, its calls and failures, where it is switched on and which
//! partners quarantined it (each switched on again from here); a plugin installed or upgraded
//! from its component and manifest files (the manifest's errors said next to the file); one
//! plugin's page switching it on or off for everyone or one partner with a form made from its
//! manifest's settings (secrets never shown back; left empty, they keep their value), and
//! removing it after a confirmation.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use siteward_app::page::Paging;
use siteward_app::plugins::BindingScope;
use siteward_app::plugins::manage::{Binding, PluginHome};
use siteward_core::ids::PartnerId;
use siteward_plugins::Manifest;

use super::lang::Lang;
use super::session::Viewer;
use super::{Chrome, CsrfForm, ask_first, csrf_matches, problem, render, said, with_csrf_cookie};
use crate::error::status_of;
use crate::state::AppState;

const PLUGINS: &str = "/operator/plugins";

struct PluginRow {
    name: String,
    version: String,
    world: String,
    /// The WIT version it speaks, once loaded.
    wit: Option<String>,
    /// Why this host could not load it, if it could not.
    load_error: Option<String>,
    calls: u64,
    failures: u64,
    /// Where it is switched on or off: the scope and whether it runs.
    bindings: Vec<(String, bool)>,
    /// The partners it is quarantined for: id and name.
    quarantined: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "operator_plugins.html")]
struct PluginsPage {
    chrome: Chrome,
    csrf: String,
    plugins: Vec<PluginRow>,
    upload_error: Option<String>,
    done: Option<String>,
}

/// A scope as the page says it, with partners by name.
fn scope_said(scope: &BindingScope, names: &BTreeMap<String, String>) -> String {
    let t = Lang::current().text();
    let partner = |id: &PartnerId| {
        names
            .get(id.as_str())
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    match scope {
        BindingScope::All => t.everyone.to_string(),
        BindingScope::Partner(p) => partner(p),
        BindingScope::Site(p, s) => format!("{} › {s}", partner(p)),
    }
}

/// The partners' names, for the scopes a page names (the first 200).
async fn partner_names(state: &AppState, viewer: &Viewer) -> BTreeMap<String, String> {
    let paging = Paging {
        limit: Some(200),
        cursor: None,
    };
    state
        .partners(&viewer.caller, paging)
        .await
        .map(|page| {
            page.items
                .into_iter()
                .map(|p| (p.id.to_string(), p.name))
                .collect()
        })
        .unwrap_or_default()
}

async fn plugins_page(
    state: &AppState,
    viewer: Viewer,
    (status, done, upload_error): (StatusCode, Option<String>, Option<String>),
) -> Response {
    let loaded = match state.plugins(&viewer.caller).await {
        Ok(loaded) => loaded,
        Err(error) => return problem(&error),
    };
    let names = partner_names(state, &viewer).await;
    let Viewer {
        chrome, set_csrf, ..
    } = viewer;
    let plugins = loaded
        .plugins()
        .map(|entry| {
            let name = entry.record.name.clone();
            let metrics = state.plugins.metrics(&name);
            let mut bindings: Vec<(String, bool)> = loaded
                .bindings(&name)
                .map(|(scope, enabled, _)| (scope_said(scope, &names), enabled))
                .collect();
            bindings.sort();
            PluginRow {
                version: entry.record.version.clone(),
                world: entry.record.world.clone(),
                wit: entry.plugin.as_ref().ok().map(|p| p.version().to_string()),
                load_error: entry.plugin.as_ref().err().cloned(),
                calls: metrics.calls,
                failures: metrics.failures.values().sum(),
                bindings,
                quarantined: loaded
                    .quarantined_for(&name)
                    .map(|p| {
                        let label = names
                            .get(p.as_str())
                            .cloned()
                            .unwrap_or_else(|| p.to_string());
                        (p.to_string(), label)
                    })
                    .collect(),
                name,
            }
        })
        .collect();
    let page = PluginsPage {
        csrf: chrome.csrf(),
        chrome,
        plugins,
        upload_error,
        done,
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// What the last action did.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

/// `GET /operator/plugins`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(query): axum::extract::Query<DoneQuery>,
) -> Response {
    let t = Lang::current().text();
    let done = match query.done.as_str() {
        "installed" => Some(t.plugin_installed.to_string()),
        "removed" => Some(t.plugin_removed.to_string()),
        "switched" => Some(t.saved.to_string()),
        _ => None,
    };
    plugins_page(&state, viewer, (StatusCode::OK, done, None)).await
}

/// `POST /operator/plugins` (multipart): installs a plugin from its component and manifest
/// files, or upgrades the installed one of its name.
pub async fn install(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Response {
    let (mut csrf, mut manifest, mut component) = (String::new(), String::new(), Vec::new());
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let Ok(bytes) = field.bytes().await else {
                    break;
                };
                match name.as_str() {
                    "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
                    "manifest" => manifest = String::from_utf8_lossy(&bytes).into_owned(),
                    "component" => component = bytes.to_vec(),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => break,
        }
    }
    if !csrf_matches(&headers, &csrf) {
        return Redirect::to(PLUGINS).into_response();
    }
    let t = Lang::current().text();
    let refused = |message: String| (StatusCode::UNPROCESSABLE_ENTITY, None, Some(message));
    if component.is_empty() {
        return plugins_page(&state, viewer, refused(t.choose_component.to_string())).await;
    }
    let manifest = match Manifest::from_toml(&manifest) {
        Ok(manifest) => manifest,
        Err(error) => {
            let message = t.manifest_refused.with("why", error.to_string()).into();
            return plugins_page(&state, viewer, refused(message)).await;
        }
    };
    match state
        .install_plugin(&viewer.caller, manifest, component)
        .await
    {
        Ok(_) => Redirect::to(&format!("{PLUGINS}?done=installed")).into_response(),
        Err(error) if error.kind == siteward_app::Kind::Forbidden => problem(&error),
        Err(error) => {
            let refusal = (status_of(error.kind), None, Some(said(&error)));
            plugins_page(&state, viewer, refusal).await
        }
    }
}

/// `POST /operator/plugins/{name}/partners/{partner_id}/resume`: switches a quarantined plugin
/// on again for the partner (its own binding, with the settings it inherits).
pub async fn resume(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Path((name, partner)): Path<(String, String)>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(PLUGINS).into_response();
    }
    let Ok(partner) = PartnerId::parse("partner_id", &partner) else {
        return super::not_found();
    };
    let binding = Binding {
        enabled: true,
        config: None,
    };
    match state
        .bind_plugin(
            &viewer.caller,
            PluginHome::Partner(&partner),
            &name,
            binding,
        )
        .await
    {
        Ok(_) => Redirect::to(&format!("{PLUGINS}?done=switched")).into_response(),
        Err(error) => problem(&error),
    }
}

struct SettingRow {
    name: String,
    description: String,
    secret: bool,
    /// The value in force for everyone, shown back unless secret.
    value: String,
}

#[derive(Template)]
#[template(path = "operator_plugin.html")]
struct PluginPage {
    chrome: Chrome,
    csrf: String,
    name: String,
    description: String,
    /// Partners for the scope's choice: id and name.
    partners: Vec<(String, String)>,
    settings: Vec<SettingRow>,
    bindings: Vec<(String, bool)>,
    problem: Option<String>,
    /// What it imports, and whether the host answers each (the rest trap when called).
    imports: Vec<(String, bool)>,
}

async fn plugin_page(
    state: &AppState,
    viewer: Viewer,
    name: &str,
    (status, problem_text): (StatusCode, Option<String>),
) -> Response {
    let chosen = match state.plugin(&viewer.caller, name).await {
        Ok(chosen) => chosen,
        Err(error) => return problem(&error),
    };
    let names = partner_names(state, &viewer).await;
    let Viewer {
        chrome, set_csrf, ..
    } = viewer;
    let manifest = &chosen.entry.manifest;
    let everyone: BTreeMap<String, String> = chosen
        .loaded
        .bindings(name)
        .find(|(scope, _, _)| matches!(scope, BindingScope::All))
        .and_then(|(_, _, config)| config.cloned())
        .unwrap_or_default();
    let mut bindings: Vec<(String, bool)> = chosen
        .loaded
        .bindings(name)
        .map(|(scope, enabled, _)| (scope_said(scope, &names), enabled))
        .collect();
    bindings.sort();
    let page = PluginPage {
        csrf: chrome.csrf(),
        chrome,
        name: name.to_owned(),
        description: manifest.description.clone(),
        partners: names.into_iter().collect(),
        settings: manifest
            .config
            .iter()
            .map(|field| SettingRow {
                name: field.name.clone(),
                description: field.description.clone(),
                secret: field.secret,
                value: if field.secret {
                    String::new()
                } else {
                    everyone
                        .get(&field.name)
                        .cloned()
                        .or_else(|| field.default.clone())
                        .unwrap_or_default()
                },
            })
            .collect(),
        bindings,
        problem: problem_text,
        imports: chosen
            .entry
            .plugin
            .as_ref()
            .map(|plugin| {
                plugin
                    .imports()
                    .iter()
                    .map(|import| (import.name.clone(), import.answered))
                    .collect()
            })
            .unwrap_or_default(),
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// `GET /operator/plugins/{name}`.
pub async fn plugin(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> Response {
    plugin_page(&state, viewer, &name, (StatusCode::OK, None)).await
}

/// `POST /operator/plugins/{name}`: switches it on or off for everyone or one partner, with
/// its settings (`setting.<name>`; an empty secret keeps its value).
pub async fn switch(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Path(name): Path<String>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let field = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    };
    if !csrf_matches(&headers, field("csrf")) {
        return Redirect::to(&format!("{PLUGINS}/{name}")).into_response();
    }
    let chosen = match state.plugin(&viewer.caller, &name).await {
        Ok(chosen) => chosen,
        Err(error) => return problem(&error),
    };
    let partner = match field("scope") {
        "" | "everyone" => None,
        id => match PartnerId::parse("scope", id) {
            Ok(partner) => Some(partner),
            Err(error) => {
                let refusal = (StatusCode::UNPROCESSABLE_ENTITY, Some(error.to_string()));
                return plugin_page(&state, viewer, &name, refusal).await;
            }
        },
    };
    let current: BTreeMap<String, String> = chosen
        .loaded
        .bindings(&name)
        .find(|(scope, _, _)| match (&partner, scope) {
            (None, BindingScope::All) => true,
            (Some(p), BindingScope::Partner(q)) => p == q,
            _ => false,
        })
        .and_then(|(_, _, config)| config.cloned())
        .unwrap_or_default();
    let mut config = BTreeMap::new();
    for setting in &chosen.entry.manifest.config {
        let given = field(&format!("setting.{}", setting.name)).trim();
        let value = match (given.is_empty(), setting.secret) {
            (false, _) => Some(given.to_owned()),
            (true, true) => current.get(&setting.name).cloned(),
            (true, false) => None,
        };
        if let Some(value) = value {
            config.insert(setting.name.clone(), value);
        }
    }
    let binding = Binding {
        enabled: field("enabled") == "on",
        config: Some(config),
    };
    let home = match &partner {
        None => PluginHome::Everyone,
        Some(partner) => PluginHome::Partner(partner),
    };
    match state
        .bind_plugin(&viewer.caller, home, &name, binding)
        .await
    {
        Ok(_) => Redirect::to(&format!("{PLUGINS}?done=switched")).into_response(),
        Err(error) if error.kind == siteward_app::Kind::Invalid => {
            let refusal = (status_of(error.kind), Some(said(&error)));
            plugin_page(&state, viewer, &name, refusal).await
        }
        Err(error) => problem(&error),
    }
}

/// `GET /operator/plugins/{name}/remove`: asks first.
pub async fn confirm_remove(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> Response {
    if let Err(error) = state.plugin(&viewer.caller, &name).await {
        return problem(&error);
    }
    let t = viewer.chrome.t;
    ask_first(
        viewer,
        t.remove_plugin_heading.as_str(),
        t.remove_plugin_question.with("plugin", &name).into(),
        t.remove_plugin.as_str(),
        (
            format!("{PLUGINS}/{name}/remove"),
            format!("{PLUGINS}/{name}"),
        ),
    )
}

/// `POST /operator/plugins/{name}/remove`.
pub async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Path(name): Path<String>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(PLUGINS).into_response();
    }
    match state.remove_plugin(&viewer.caller, &name).await {
        Ok(()) => Redirect::to(&format!("{PLUGINS}?done=removed")).into_response(),
        Err(error) => problem(&error),
    }
}
