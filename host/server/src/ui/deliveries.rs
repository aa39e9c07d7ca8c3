//! A partner's deliveries (its admins and the operator): the outgoing email — sent, waiting for
//! a retry, failed — and the webhook calls its notification hooks asked for, each with its
//! attempts, the next try or when it finished, and the last failure as the server said it.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use siteward_app::invite::OutboxStatus;
use siteward_app::page::Paging;
use siteward_app::webhooks::{DeliveryFilter, DeliveryStatus};
use siteward_core::ids::PartnerId;

use super::lang::Lang;
use super::session::Viewer;
use super::{Chrome, PageIds, problem, render, with_csrf_cookie};
use crate::state::AppState;

struct DeliveryRow {
    to: String,
    what: String,
    /// The badge's class and words.
    status: (&'static str, &'static str),
    attempts: u32,
    /// When it was sent, or when it is tried next.
    when: String,
    error: String,
}

#[derive(Template)]
#[template(path = "deliveries.html")]
struct DeliveriesPage {
    chrome: Chrome,
    partner: String,
    partner_id: String,
    email_status: String,
    webhook_status: String,
    emails: Vec<DeliveryRow>,
    emails_next: Option<String>,
    webhooks: Vec<DeliveryRow>,
    webhooks_next: Option<String>,
}

/// The filters and pages of both lists.
#[derive(Debug, Default, Deserialize)]
pub struct DeliveriesQuery {
    /// `pending`, `sent` or `failed`.
    #[serde(default)]
    email_status: String,
    #[serde(default)]
    emails_after: Option<String>,
    /// `pending`, `delivered` or `failed`.
    #[serde(default)]
    webhook_status: String,
    #[serde(default)]
    webhooks_after: Option<String>,
}

/// `GET /partners/{partner_id}/deliveries`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Query(query): Query<DeliveriesQuery>,
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let page_of = |cursor| Paging {
        limit: Some(50),
        cursor,
    };
    let status = |text: &str| Some(text).filter(|s| !s.is_empty()).map(str::to_owned);
    let (email_status, webhook_status) =
        (status(&query.email_status), status(&query.webhook_status));
    let filter = DeliveryFilter {
        status: webhook_status.as_deref(),
        target: None,
    };
    let (details, emails, webhooks) = match tokio::join!(
        state.partner(&caller, &partner),
        state.outbox(
            &caller,
            &partner,
            email_status.as_deref(),
            page_of(query.emails_after.as_deref())
        ),
        state.webhook_deliveries(
            &caller,
            &partner,
            filter,
            page_of(query.webhooks_after.as_deref())
        ),
    ) {
        (Ok(details), Ok(emails), Ok(webhooks)) => (details, emails, webhooks),
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => return problem(&error),
    };
    let lang = Lang::current();
    let t = lang.text();
    let page = DeliveriesPage {
        chrome,
        partner: details.name,
        partner_id: partner.to_string(),
        email_status: query.email_status.clone(),
        webhook_status: query.webhook_status.clone(),
        emails: emails
            .items
            .into_iter()
            .map(|m| DeliveryRow {
                to: m.recipient,
                what: m.subject,
                status: match m.status {
                    OutboxStatus::Pending => ("pending", t.delivery_pending.as_str()),
                    OutboxStatus::Sent => ("accepted", t.delivery_sent.as_str()),
                    OutboxStatus::Failed => ("revoked", t.delivery_failed.as_str()),
                },
                attempts: m.attempts,
                when: match (m.status, m.sent_at) {
                    (OutboxStatus::Sent, Some(at)) => lang.date_time(at),
                    (OutboxStatus::Pending, _) => t
                        .next_try
                        .with("at", lang.date_time(m.next_attempt_at))
                        .into(),
                    _ => String::new(),
                },
                error: m.last_error.unwrap_or_default(),
            })
            .collect(),
        emails_next: emails.next_cursor,
        webhooks: webhooks
            .items
            .into_iter()
            .map(|d| DeliveryRow {
                to: d.target,
                what: d.event_kind,
                status: match d.status {
                    DeliveryStatus::Pending => ("pending", t.delivery_pending.as_str()),
                    DeliveryStatus::Delivered => ("accepted", t.delivery_delivered.as_str()),
                    DeliveryStatus::Failed => ("revoked", t.delivery_failed.as_str()),
                },
                attempts: d.attempts,
                when: match (d.status, d.finished_at) {
                    (DeliveryStatus::Pending, _) => t
                        .next_try
                        .with("at", lang.date_time(d.next_attempt_at))
                        .into(),
                    (_, Some(at)) => lang.date_time(at),
                    (_, None) => String::new(),
                },
                error: match (d.last_status, d.last_error) {
                    (Some(code), Some(error)) => format!("HTTP {code}: {error}"),
                    (Some(code), None) => format!("HTTP {code}"),
                    (None, Some(error)) => error,
                    (None, None) => String::new(),
                },
            })
            .collect(),
        webhooks_next: webhooks.next_cursor,
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}
