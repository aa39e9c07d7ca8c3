//! The shapes records have in SurrealDB, and their conversion to and from the domain types.
//! Enums are stored as their stable text; ids as the record key (foreign keys as plain text).

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, RecordIdKey, SurrealValue};

use siteward_core::account::{Account, AccountStatus};
use siteward_core::audit::chain::{Head, Link};
use siteward_core::audit::{Actor, AuditAction, AuditEvent, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::{AccountId, ApiTokenId, AuditEventId, CustomerId, PartnerId, SiteId};
use siteward_core::tenancy::{
    Branding, Customer, DisabledReason, MemberStatus, Partner, PartnerMembership, PartnerRole,
    Privilege, Privileges, Site,
};
use siteward_core::validate::Email;

use crate::error::StorageError;

/// The record id `table:⟨key⟩`.
pub(crate) fn rid(table: &str, key: &str) -> RecordId {
    RecordId::new(table, key)
}

/// An actor as stored, from its kind and id (`Actor::kind_and_id` read back): a person, an
/// integration's token, or the host itself.
pub(crate) fn actor(kind: &str, id: Option<String>) -> Actor {
    match (kind, id) {
        ("account", Some(id)) => Actor::Account(AccountId::from_trusted(id)),
        ("api_token", Some(id)) => Actor::ApiToken(ApiTokenId::from_trusted(id)),
        _ => Actor::System,
    }
}

/// The key of a record id this crate wrote (always text).
pub(crate) fn key(id: &RecordId) -> String {
    match &id.key {
        RecordIdKey::String(text) => text.clone(),
        other => format!("{other:?}"),
    }
}

/// Reads a stored enum's text; a value outside the enum means the data is damaged.
pub(crate) fn stored<T>(
    parse: fn(&str, &str) -> Result<T, siteward_core::FieldError>,
    text: &str,
) -> Result<T, StorageError> {
    parse("stored", text)
        .map_err(|e| StorageError::Invalid(format!("stored value {text:?}: {}", e.message)))
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct AccountRow {
    pub id: RecordId,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub status: String,
    pub is_operator: bool,
    pub totp_secret: Option<String>,
    pub totp_pending_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub email_skeleton: String,
    pub locale: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl AccountRow {
    pub(crate) fn to_account(&self) -> Result<Account, StorageError> {
        Ok(Account {
            id: AccountId::from_trusted(key(&self.id)),
            email: Email::from_trusted(self.email.clone()),
            name: self.name.clone(),
            status: stored(AccountStatus::parse, &self.status)?,
            is_operator: self.is_operator,
            totp_enabled: self.totp_secret.is_some(),
            locale: self.locale.clone(),
            created_at: self.created_at,
        })
    }
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct PartnerRow {
    pub id: RecordId,
    pub name: String,
    pub invitation_ttl_hours: i64,
    pub branding: Option<BrandingRow>,
    pub locale: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct BrandingRow {
    pub display_name: Option<String>,
    pub logo_url: Option<String>,
    pub accent_colour: Option<String>,
    pub support_contact: Option<String>,
}

impl BrandingRow {
    pub(crate) fn from_branding(b: &Branding) -> Self {
        Self {
            display_name: b.display_name.clone(),
            logo_url: b.logo_url.clone(),
            accent_colour: b.accent_colour.clone(),
            support_contact: b.support_contact.clone(),
        }
    }
}

impl PartnerRow {
    pub(crate) fn from_partner(partner: &Partner) -> Self {
        Self {
            id: rid("partner", partner.id.as_str()),
            name: partner.name.clone(),
            invitation_ttl_hours: i64::from(partner.invitation_ttl_hours),
            branding: Some(BrandingRow::from_branding(&partner.branding)),
            locale: Some(partner.locale.clone()),
            created_at: partner.created_at,
        }
    }

    pub(crate) fn into_partner(self) -> Partner {
        let branding = self.branding.map_or_else(Branding::default, |b| Branding {
            display_name: b.display_name,
            logo_url: b.logo_url,
            accent_colour: b.accent_colour,
            support_contact: b.support_contact,
        });
        Partner {
            id: PartnerId::from_trusted(key(&self.id)),
            name: self.name,
            invitation_ttl_hours: u32::try_from(self.invitation_ttl_hours).unwrap_or(168),
            branding,
            locale: self
                .locale
                .unwrap_or_else(|| siteward_core::validate::DEFAULT_LOCALE.to_owned()),
            created_at: self.created_at,
        }
    }
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct MemberRow {
    pub id: RecordId,
    pub partner_id: String,
    pub account_id: String,
    pub role: String,
    pub status: String,
    pub disabled_reason: Option<String>,
    pub privileges: Vec<String>,
    pub created_at: DateTime<Utc>,
}

pub(crate) fn member_key(partner: &PartnerId, account: &AccountId) -> String {
    format!("{partner}/{account}")
}

impl MemberRow {
    pub(crate) fn from_membership(m: &PartnerMembership) -> Self {
        Self {
            id: rid("partner_member", &member_key(&m.partner_id, &m.account_id)),
            partner_id: m.partner_id.to_string(),
            account_id: m.account_id.to_string(),
            role: m.role.as_str().to_owned(),
            status: m.status.as_str().to_owned(),
            disabled_reason: m.disabled_reason.map(|r| r.as_str().to_owned()),
            privileges: m.privileges.iter().map(|p| p.as_str().to_owned()).collect(),
            created_at: m.created_at,
        }
    }

    pub(crate) fn to_membership(&self) -> Result<PartnerMembership, StorageError> {
        Ok(PartnerMembership {
            partner_id: PartnerId::from_trusted(self.partner_id.clone()),
            account_id: AccountId::from_trusted(self.account_id.clone()),
            role: stored(PartnerRole::parse, &self.role)?,
            status: stored(MemberStatus::parse, &self.status)?,
            disabled_reason: self
                .disabled_reason
                .as_deref()
                .map(|r| stored(DisabledReason::parse, r))
                .transpose()?,
            privileges: Privileges::of(
                self.privileges
                    .iter()
                    .map(|p| stored(Privilege::parse, p))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            created_at: self.created_at,
        })
    }
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct CustomerRow {
    pub id: RecordId,
    pub partner_id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl CustomerRow {
    pub(crate) fn from_customer(c: &Customer) -> Self {
        Self {
            id: rid("customer", c.id.as_str()),
            partner_id: c.partner_id.to_string(),
            name: c.name.clone(),
            created_at: c.created_at,
        }
    }

    pub(crate) fn into_customer(self) -> Customer {
        Customer {
            id: CustomerId::from_trusted(key(&self.id)),
            partner_id: PartnerId::from_trusted(self.partner_id),
            name: self.name,
            created_at: self.created_at,
        }
    }
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct SiteRow {
    pub id: RecordId,
    pub customer_id: String,
    pub partner_id: String,
    pub name: String,
    pub technician_access: bool,
    pub created_at: DateTime<Utc>,
}

impl SiteRow {
    pub(crate) fn from_site(s: &Site) -> Self {
        Self {
            id: rid("site", s.id.as_str()),
            customer_id: s.customer_id.to_string(),
            partner_id: s.partner_id.to_string(),
            name: s.name.clone(),
            technician_access: s.technician_access,
            created_at: s.created_at,
        }
    }

    pub(crate) fn into_site(self) -> Site {
        Site {
            id: SiteId::from_trusted(key(&self.id)),
            customer_id: CustomerId::from_trusted(self.customer_id),
            partner_id: PartnerId::from_trusted(self.partner_id),
            name: self.name,
            technician_access: self.technician_access,
            created_at: self.created_at,
        }
    }
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct SiteAdminRow {
    pub id: RecordId,
    pub site_id: String,
    pub account_id: String,
    pub created_at: DateTime<Utc>,
}

pub(crate) fn site_admin_key(site: &SiteId, account: &AccountId) -> String {
    format!("{site}/{account}")
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct ChangeRow {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct AuditEventRow {
    pub id: RecordId,
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub partner_id: Option<String>,
    pub site_id: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub changes: Vec<ChangeRow>,
    pub request_id: Option<String>,
    pub chain: Option<String>,
    pub seq: Option<i64>,
    pub prev: Option<String>,
    pub hash: Option<String>,
}

impl AuditEventRow {
    /// The row of `event` at `link` in its chain.
    pub(crate) fn from_event(event: &AuditEvent, link: Link) -> Self {
        let (actor_kind, actor_id) = event.actor.kind_and_id();
        Self {
            id: rid("audit_event", event.id.as_str()),
            at: event.at,
            actor_kind: actor_kind.to_owned(),
            actor_id: actor_id.map(str::to_owned),
            partner_id: event.partner_id.as_ref().map(ToString::to_string),
            site_id: event.site_id.as_ref().map(ToString::to_string),
            action: event.action.as_str().to_owned(),
            target_kind: event.target.kind.as_str().to_owned(),
            target_id: event.target.id.clone(),
            changes: event
                .changes
                .iter()
                .map(|c| ChangeRow {
                    field: c.field.clone(),
                    before: c.before.clone(),
                    after: c.after.clone(),
                })
                .collect(),
            request_id: event.request_id.clone(),
            chain: Some(event.chain().chain_name()),
            seq: Some(i64::try_from(link.seq).expect("fewer than 2^63 events in a chain")),
            prev: Some(link.prev),
            hash: Some(link.hash),
        }
    }

    /// Where the event stands in its chain; `None` for events recorded before chaining.
    pub(crate) fn link(&self) -> Option<Link> {
        Some(Link {
            seq: u64::try_from(self.seq?).ok()?,
            prev: self.prev.clone()?,
            hash: self.hash.clone()?,
        })
    }

    pub(crate) fn into_event(self) -> Result<AuditEvent, StorageError> {
        let actor = actor(&self.actor_kind, self.actor_id);
        Ok(AuditEvent {
            id: AuditEventId::from_trusted(key(&self.id)),
            at: self.at,
            actor,
            partner_id: self.partner_id.map(PartnerId::from_trusted),
            site_id: self.site_id.map(SiteId::from_trusted),
            action: stored(AuditAction::parse, &self.action)?,
            target: AuditTarget {
                kind: TargetKind::from_stored(&self.target_kind),
                id: self.target_id,
            },
            changes: self
                .changes
                .into_iter()
                .map(|c| FieldChange {
                    field: c.field,
                    before: c.before,
                    after: c.after,
                })
                .collect(),
            request_id: self.request_id,
        })
    }
}

/// An `audit_chain` record: a tenant chain's name (the record key) and head.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct ChainHeadRow {
    pub id: RecordId,
    pub seq: i64,
    pub hash: String,
}

impl ChainHeadRow {
    /// The chain's name and head.
    pub(crate) fn into_head(self) -> (String, Head) {
        let head = Head {
            seq: u64::try_from(self.seq).unwrap_or_default(),
            hash: self.hash,
        };
        (key(&self.id), head)
    }
}
