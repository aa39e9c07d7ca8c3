//! The webhook delivery log: every call a notification hook asked for, and what became of it.

use siteward_core::FieldError;
use siteward_core::access::{Action, authorize};
use siteward_core::ids::PartnerId;
use siteward_core::page::Page;

pub use siteward_storage::{DeliveryStatus, WebhookDelivery};

use crate::auth::Caller;
use crate::error::AppResult;
use crate::page::Paging;
use crate::services::App;

/// Which deliveries to list, as given.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeliveryFilter<'a> {
    /// `pending`, `delivered` or `failed`.
    pub status: Option<&'a str>,
    /// A target's name.
    pub target: Option<&'a str>,
}

impl App {
    /// A partner's webhook deliveries, newest first, a page at a time (its admins).
    pub async fn webhook_deliveries(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        filter: DeliveryFilter<'_>,
        paging: Paging<'_>,
    ) -> AppResult<Page<WebhookDelivery>> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let status = match filter.status {
            None => None,
            Some(text) => Some(DeliveryStatus::parse(text).ok_or_else(|| {
                FieldError::new("status", "must be one of: pending, delivered, failed")
            })?),
        };
        let page = paging.parse()?;
        Ok(self
            .store
            .webhook_deliveries(partner, status, filter.target, &page)
            .await?)
    }
}
