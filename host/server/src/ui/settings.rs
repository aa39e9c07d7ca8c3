//! Partner › Settings (its admins): how long invitations stay open, the invitation emails'
//! language and branding, and a preview of the invitation email as the partner's enabled
//! renderer plugin writes it now — its subject and text on the page, its HTML on a page of its
//! own whose policy lets the email's inline styles and `https` images through, and nothing
//! else.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use siteward_app::AppError;
use siteward_app::partners::{BrandingInput, PartnerSettings};
use siteward_core::ids::PartnerId;

use super::lang::Lang;
use super::session::Viewer;
use super::{Chrome, PageIds, back_to, csrf_matches, problem, render, said, with_csrf_cookie};
use crate::error::status_of;
use crate::state::AppState;

/// The settings as the form shows them (as saved, or as typed when refused).
#[derive(Debug, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    ttl_hours: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    logo_url: String,
    #[serde(default)]
    accent_colour: String,
    #[serde(default)]
    support_contact: String,
}

/// A refusal, next to its field.
#[derive(Debug, Default)]
struct FieldErrors {
    general: Option<String>,
    ttl: Option<String>,
    locale: Option<String>,
    display_name: Option<String>,
    logo_url: Option<String>,
    accent_colour: Option<String>,
    support_contact: Option<String>,
}

impl FieldErrors {
    fn of(error: &AppError) -> Self {
        let message = Some(said(error));
        let mut errors = Self::default();
        let slot = match error.field.as_deref() {
            Some("invitation_ttl_hours") => &mut errors.ttl,
            Some("locale") => &mut errors.locale,
            Some("branding.display_name") => &mut errors.display_name,
            Some("branding.logo_url") => &mut errors.logo_url,
            Some("branding.accent_colour") => &mut errors.accent_colour,
            Some("branding.support_contact") => &mut errors.support_contact,
            _ => &mut errors.general,
        };
        *slot = message;
        errors
    }
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage<'a> {
    chrome: Chrome,
    csrf: String,
    partner: String,
    base: String,
    form: &'a SettingsForm,
    /// The languages invitation emails are written in (the console's own): tag and name, in
    /// that language.
    languages: Vec<(&'static str, &'static str)>,
    errors: FieldErrors,
    saved: bool,
    subject: String,
    text: String,
    renderer: String,
    alerts: Vec<AlertRow>,
    /// The plugins running for the partner whose manifest lets partners set some settings.
    plugin_settings: Vec<PluginSettingsRow>,
    /// What the partner asks of its members at sign-in.
    policy: super::security::PolicyForm,
    /// Partner › Settings › Identity.
    identity: String,
}

/// One plugin's settings the partner sets for itself.
struct PluginSettingsRow {
    name: String,
    /// Each setting: its name, what it means, and its value now (or its default).
    fields: Vec<(String, String, String)>,
}

/// A Super Admin and whether they receive alerts; the viewer's own row has the switch.
struct AlertRow {
    name: String,
    email: String,
    on: bool,
    mine: bool,
}

fn base(partner: &PartnerId) -> String {
    format!("/partners/{partner}/settings")
}

async fn settings_page(
    state: &AppState,
    viewer: Viewer,
    partner: &PartnerId,
    shown: Option<&SettingsForm>,
    status: StatusCode,
    (errors, saved): (FieldErrors, bool),
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let (details, preview, alerts, plugins, policy) = match tokio::join!(
        state.partner(&caller, partner),
        state.invitation_email_preview(&caller, partner),
        state.alert_recipients(&caller, partner),
        state.partner_plugins(&caller, partner),
        state.partner_security(&caller, partner),
    ) {
        (Ok(details), Ok(preview), Ok(alerts), Ok(plugins), Ok(policy)) => {
            (details, preview, alerts, plugins, policy)
        }
        (Err(error), ..)
        | (_, Err(error), ..)
        | (_, _, Err(error), ..)
        | (_, _, _, Err(error), _)
        | (.., Err(error)) => {
            return problem(&error);
        }
    };
    let (loaded, _) = plugins;
    let mut plugin_settings: Vec<PluginSettingsRow> = loaded
        .plugins()
        .filter_map(|entry| {
            let effective = loaded.effective(&entry.record.name, partner, None);
            let fields: Vec<(String, String, String)> = entry
                .manifest
                .config
                .iter()
                .filter(|field| field.partner_editable && effective.enabled)
                .map(|field| {
                    let value = effective
                        .config
                        .get(&field.name)
                        .or(field.default.as_ref())
                        .cloned()
                        .unwrap_or_default();
                    (field.name.clone(), field.description.clone(), value)
                })
                .collect();
            (!fields.is_empty()).then(|| PluginSettingsRow {
                name: entry.record.name.clone(),
                fields,
            })
        })
        .collect();
    plugin_settings.sort_by(|a, b| a.name.cmp(&b.name));
    let me = caller.account().ok().map(|a| a.id.clone());
    let saved_form = SettingsForm {
        csrf: String::new(),
        ttl_hours: details.invitation_ttl_hours.to_string(),
        locale: details.locale.clone(),
        display_name: details.branding.display_name.clone().unwrap_or_default(),
        logo_url: details.branding.logo_url.clone().unwrap_or_default(),
        accent_colour: details.branding.accent_colour.clone().unwrap_or_default(),
        support_contact: details.branding.support_contact.clone().unwrap_or_default(),
    };
    let csrf = chrome.csrf();
    let page = SettingsPage {
        chrome,
        csrf,
        partner: details.name,
        base: base(partner),
        form: shown.unwrap_or(&saved_form),
        languages: Lang::ALL.map(|l| (l.tag(), l.name())).into(),
        errors,
        saved,
        subject: preview.email.subject,
        text: preview.email.text,
        renderer: preview.renderer.map_or_else(
            || "the built-in renderer (English)".to_owned(),
            |name| format!("the {name} plugin"),
        ),
        alerts: alerts
            .into_iter()
            .map(|(member, on)| AlertRow {
                mine: me.as_ref() == Some(&member.membership.account_id),
                name: member.name,
                email: member.email.to_string(),
                on,
            })
            .collect(),
        plugin_settings,
        policy: super::security::PolicyForm::new(
            format!("{}/security", base(partner)),
            policy,
            state.host_session_hours(),
        ),
        identity: format!("/partners/{partner}/identity"),
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// `GET /partners/{partner_id}/settings`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
) -> Response {
    let nothing_said = (FieldErrors::default(), false);
    settings_page(&state, viewer, &partner, None, StatusCode::OK, nothing_said).await
}

/// `POST /partners/{partner_id}/settings`: every setting at once.
pub async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Form(form): Form<SettingsForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        let errors = FieldErrors {
            general: Some(Lang::current().text().form_expired.to_string()),
            ..FieldErrors::default()
        };
        let status = StatusCode::FORBIDDEN;
        return settings_page(
            &state,
            viewer,
            &partner,
            Some(&form),
            status,
            (errors, false),
        )
        .await;
    }
    let Ok(hours) = form.ttl_hours.trim().parse::<u32>() else {
        let errors = FieldErrors {
            ttl: Some(Lang::current().text().ttl_error.to_string()),
            ..FieldErrors::default()
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return settings_page(
            &state,
            viewer,
            &partner,
            Some(&form),
            status,
            (errors, false),
        )
        .await;
    };
    let given = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    let settings = PartnerSettings {
        invitation_ttl_hours: Some(hours),
        branding: Some(BrandingInput {
            display_name: given(&form.display_name),
            logo_url: given(&form.logo_url),
            accent_colour: given(&form.accent_colour),
            support_contact: given(&form.support_contact),
        }),
        locale: Some(form.locale.clone()),
    };
    match state
        .update_partner_settings(&viewer.caller, &partner, &settings)
        .await
    {
        Ok(_) => {
            let said = (FieldErrors::default(), true);
            settings_page(&state, viewer, &partner, None, StatusCode::OK, said).await
        }
        Err(error) if error.kind == siteward_app::Kind::NotFound => problem(&error),
        Err(error) => {
            let said = (FieldErrors::of(&error), false);
            let status = status_of(error.kind);
            settings_page(&state, viewer, &partner, Some(&form), status, said).await
        }
    }
}

/// `GET /partners/{partner_id}/settings/preview`: the invitation email's HTML as a page of its
/// own. Emails style themselves inline and may show an `https` logo, so this page's policy
/// allows exactly that — and still no script, no form, no frame.
pub async fn preview(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
) -> Response {
    match state
        .invitation_email_preview(&viewer.caller, &partner)
        .await
    {
        Ok(preview) => {
            let mut response = Html(preview.email.html).into_response();
            response.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; \
                     form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
                ),
            );
            response
        }
        Err(error) => problem(&error),
    }
}

/// `POST /partners/{partner_id}/settings/plugins/{name}`: the settings of one plugin that the
/// partner sets for itself (every field of the form but the CSRF token).
pub async fn plugin_settings(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, name)): PageIds<(PartnerId, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let csrf = fields
        .iter()
        .find(|(key, _)| key == "csrf")
        .map(|(_, value)| value.as_str())
        .unwrap_or_default();
    if !csrf_matches(&headers, csrf) {
        return axum::response::Redirect::to(&base(&partner)).into_response();
    }
    let values = fields
        .iter()
        .filter(|(key, _)| key != "csrf")
        .map(|(key, value)| (key.clone(), value.trim().to_owned()))
        .collect();
    let done = state
        .set_partner_plugin_settings(&viewer.caller, &partner, &name, values)
        .await;
    saved_or_said(&state, viewer, &partner, done).await
}

/// The alerts switch.
#[derive(Debug, Default, Deserialize)]
pub struct AlertsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    on: String,
}

/// `POST /partners/{partner_id}/settings/alerts`: the viewer's own alerts on or off.
pub async fn alerts(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Form(form): Form<AlertsForm>,
) -> Response {
    let back = base(&partner);
    if !csrf_matches(&headers, &form.csrf) {
        return axum::response::Redirect::to(&back).into_response();
    }
    let done = state
        .set_my_alerts(&viewer.caller, &partner, form.on == "true")
        .await;
    back_to(&back, done)
}

/// `POST /partners/{partner_id}/settings/security`: what the partner asks of its members.
pub async fn security(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Form(form): Form<super::security::PolicyFields>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return axum::response::Redirect::to(&base(&partner)).into_response();
    }
    let done = match form.input() {
        Ok(input) => {
            state
                .set_partner_security(&viewer.caller, &partner, input)
                .await
        }
        Err(error) => Err(error),
    };
    saved_or_said(&state, viewer, &partner, done).await
}

/// The page after a section's form: saved, or why not at the top (a missing partner or
/// plugin is the not-found page).
async fn saved_or_said<T>(
    state: &AppState,
    viewer: Viewer,
    partner: &PartnerId,
    done: Result<T, siteward_app::AppError>,
) -> Response {
    match done {
        Ok(_) => {
            let said = (FieldErrors::default(), true);
            settings_page(state, viewer, partner, None, StatusCode::OK, said).await
        }
        Err(error) if error.kind == siteward_app::Kind::NotFound => problem(&error),
        Err(error) => {
            let said = (
                FieldErrors {
                    general: Some(said(&error)),
                    ..FieldErrors::default()
                },
                false,
            );
            let status = status_of(error.kind);
            settings_page(state, viewer, partner, None, status, said).await
        }
    }
}
