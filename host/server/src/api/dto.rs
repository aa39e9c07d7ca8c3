//! The JSON shapes (data transfer objects) the API returns, and the list query parameters
//! every list shares. Their type names are the OpenAPI schema names, a public contract: the
//! `*View` ones keep theirs, though "view" in the console means an HTML page.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use siteward_app::audit::ChainReport;
use siteward_app::partners::Member;
use siteward_app::sites::SiteAdminRecord;
use siteward_app::tokens::ApiToken;
use siteward_core::access::TokenScope;
use siteward_core::audit::AuditEvent;
use siteward_core::page::{self, PageRequest};
use siteward_core::tenancy::{Customer, Partner, Site};

use crate::error::ApiError;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items, oldest first.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Converts a domain page.
    pub fn from<U>(page: page::Page<U>, f: impl FnMut(U) -> T) -> Self {
        let page = page.map(f);
        Self {
            items: page.items,
            next_cursor: page.next_cursor,
        }
    }
}

/// `limit` and `cursor`, shared by every list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
}

impl ListQuery {
    /// The validated page request.
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        Ok(PageRequest::parse(self.limit, self.cursor.as_deref())?)
    }

    /// The paging asked for, for the application layer to check.
    pub fn paging(&self) -> siteward_app::page::Paging<'_> {
        siteward_app::page::Paging {
            limit: self.limit,
            cursor: self.cursor.as_deref(),
        }
    }
}

/// A partner.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// How long its invitations stay open, in hours.
    pub invitation_ttl_hours: u32,
    /// How its invitation emails present it.
    pub branding: BrandingView,
    /// The language of its invitation emails unless an invitation names its own.
    pub locale: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// How a partner's invitation emails present it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BrandingView {
    /// The name shown instead of the partner's name.
    pub display_name: Option<String>,
    /// The logo.
    pub logo_url: Option<String>,
    /// The accent colour, `#rrggbb`.
    pub accent_colour: Option<String>,
    /// Where invitees get help.
    pub support_contact: Option<String>,
}

impl From<Partner> for PartnerView {
    fn from(p: Partner) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name,
            invitation_ttl_hours: p.invitation_ttl_hours,
            branding: BrandingView {
                display_name: p.branding.display_name,
                logo_url: p.branding.logo_url,
                accent_colour: p.branding.accent_colour,
                support_contact: p.branding.support_contact,
            },
            locale: p.locale,
            created_at: p.created_at,
        }
    }
}

/// A partner member.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberViewJson {
    /// The member's account id.
    pub account_id: String,
    /// The member's email.
    pub email: String,
    /// The member's name.
    pub name: String,
    /// `super_admin`, `admin` or `technician`.
    pub role: String,
    /// `active` or `disabled`.
    pub status: String,
    /// Why the member is disabled: `manual`; `licence` when lowering a licence disabled
    /// them automatically; `directory` when they left the partner's directory (or its
    /// group) and a sync disabled them. Absent while active.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    /// The privileges held: `remote_support`, `unattended_access`.
    pub privileges: Vec<String>,
    /// When the account joined the partner.
    pub created_at: DateTime<Utc>,
}

impl From<Member> for MemberViewJson {
    fn from(m: Member) -> Self {
        Self {
            account_id: m.membership.account_id.to_string(),
            email: m.email.to_string(),
            name: m.name,
            role: m.membership.role.as_str().to_owned(),
            status: m.membership.status.as_str().to_owned(),
            disabled_reason: m.membership.disabled_reason.map(|r| r.as_str().to_owned()),
            privileges: m
                .membership
                .privileges
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            created_at: m.membership.created_at,
        }
    }
}

/// A customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerView {
    /// Its id.
    pub id: String,
    /// The partner that manages it.
    pub partner_id: String,
    /// Its name.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<Customer> for CustomerView {
    fn from(c: Customer) -> Self {
        Self {
            id: c.id.to_string(),
            partner_id: c.partner_id.to_string(),
            name: c.name,
            created_at: c.created_at,
        }
    }
}

/// A site.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteView {
    /// Its id.
    pub id: String,
    /// The customer that owns it.
    pub customer_id: String,
    /// The partner that manages it.
    pub partner_id: String,
    /// Its name.
    pub name: String,
    /// The site's Technician Access switch.
    pub technician_access: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<Site> for SiteView {
    fn from(s: Site) -> Self {
        Self {
            id: s.id.to_string(),
            customer_id: s.customer_id.to_string(),
            partner_id: s.partner_id.to_string(),
            name: s.name,
            technician_access: s.technician_access,
            created_at: s.created_at,
        }
    }
}

/// A site admin.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteAdminJson {
    /// The admin's account id.
    pub account_id: String,
    /// The admin's email.
    pub email: String,
    /// The admin's name.
    pub name: String,
    /// When the account became a site admin.
    pub created_at: DateTime<Utc>,
}

impl From<SiteAdminRecord> for SiteAdminJson {
    fn from(a: SiteAdminRecord) -> Self {
        Self {
            account_id: a.site_admin.account_id.to_string(),
            email: a.email.to_string(),
            name: a.name,
            created_at: a.site_admin.created_at,
        }
    }
}

/// An API token. The secret itself appears only in the response that created it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The partner it acts for, if partner-scoped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<String>,
    /// The site it acts for, if site-scoped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_id: Option<String>,
    /// The account that created it.
    pub created_by: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked; absent while it works.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Whether it works: `active`; `revoked`; or `suspended` while the account that created
    /// it is disabled or may no longer manage tokens here (it works again if that changes).
    pub status: TokenStatus,
    /// The secret, shown once: store it now, it cannot be shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// Whether an API token works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenStatus {
    /// It works.
    Active,
    /// It was revoked, for good.
    Revoked,
    /// Its creator is disabled or may no longer manage tokens at its scope.
    Suspended,
}

impl ApiTokenView {
    /// The token's view, with whether it works (`suspended` is only ever a later state of
    /// `active`: the caller decides it).
    pub fn new(t: ApiToken, suspended: bool) -> Self {
        let status = match (&t.revoked_at, suspended) {
            (Some(_), _) => TokenStatus::Revoked,
            (None, true) => TokenStatus::Suspended,
            (None, false) => TokenStatus::Active,
        };
        let (partner_id, site_id) = match t.scope {
            TokenScope::Partner(p) => (Some(p.to_string()), None),
            TokenScope::Site(s) => (None, Some(s.to_string())),
        };
        Self {
            id: t.id.to_string(),
            name: t.name,
            partner_id,
            site_id,
            created_by: t.created_by.to_string(),
            created_at: t.created_at,
            revoked_at: t.revoked_at,
            status,
            token: None,
        }
    }
}

/// Who acted.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorView {
    /// `account`, `api_token` or `system`.
    pub kind: &'static str,
    /// The account or token id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// What an audit event acted on.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetView {
    /// The kind of record.
    pub kind: String,
    /// Its id.
    pub id: String,
}

/// One field's change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeView {
    /// The field.
    pub field: String,
    /// Its value before; absent if it did not exist.
    pub before: Option<String>,
    /// Its value after; absent if it no longer exists.
    pub after: Option<String>,
}

/// An audit event.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    /// Its id.
    pub id: String,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who acted.
    pub actor: ActorView,
    /// The partner it belongs to.
    pub partner_id: Option<String>,
    /// The site it concerns.
    pub site_id: Option<String>,
    /// What happened, for example `member.added`.
    pub action: &'static str,
    /// What was acted on.
    pub target: TargetView,
    /// Field-level changes.
    pub changes: Vec<ChangeView>,
    /// The request that caused it.
    pub request_id: Option<String>,
}

impl From<AuditEvent> for AuditEventView {
    fn from(e: AuditEvent) -> Self {
        let (kind, id) = e.actor.kind_and_id();
        let actor = ActorView {
            kind,
            id: id.map(str::to_owned),
        };
        Self {
            id: e.id.to_string(),
            at: e.at,
            actor,
            partner_id: e.partner_id.map(|p| p.to_string()),
            site_id: e.site_id.map(|s| s.to_string()),
            action: e.action.as_str(),
            target: TargetView {
                kind: e.target.kind.to_string(),
                id: e.target.id,
            },
            changes: e
                .changes
                .into_iter()
                .map(|c| ChangeView {
                    field: c.field,
                    before: c.before,
                    after: c.after,
                })
                .collect(),
            request_id: e.request_id,
        }
    }
}

/// What verifying audit chains found.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditVerificationView {
    /// Whether every chain verified.
    pub intact: bool,
    /// Each tenant chain of the scope.
    pub chains: Vec<ChainReportView>,
}

impl AuditVerificationView {
    /// The view of these reports.
    pub fn new(reports: Vec<ChainReport>) -> Self {
        Self {
            intact: reports.iter().all(ChainReport::is_intact),
            chains: reports.into_iter().map(ChainReportView::from).collect(),
        }
    }
}

/// One tenant's hash chain, verified.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainReportView {
    /// The chain: `platform`, `partner/<id>` or `site/<id>`.
    pub chain: String,
    /// Whether every link holds and no event of the tenant sits outside the chain.
    pub intact: bool,
    /// Events whose links were checked and held.
    pub events_checked: u64,
    /// The chain's recorded end.
    pub head: ChainLinkView,
    /// Where retention cut the chain: the remaining events continue from this signed link.
    pub checkpoint: Option<CheckpointView>,
    /// Events of the tenant that carry no link at all (written around the chain).
    pub unchained_events: u64,
    /// The first broken link, if any.
    pub first_broken_link: Option<BrokenLinkView>,
}

/// A position in a chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainLinkView {
    /// The position, from 1 (0: the chain is empty).
    pub seq: u64,
    /// The hash at that position (SHA-256, hex).
    pub hash: String,
}

/// Where retention cut a chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointView {
    /// The last dropped event's position.
    pub seq: u64,
    /// Its hash.
    pub hash: String,
    /// When the chain was cut.
    pub at: DateTime<Utc>,
}

/// Where a chain breaks, and how.
#[derive(Debug, Serialize, ToSchema)]
pub struct BrokenLinkView {
    /// The position.
    pub seq: u64,
    /// The event found there, if any.
    pub event_id: Option<String>,
    /// `altered`, `unlinked`, `missing`, `truncated`, `head_mismatch`, `forged_checkpoint`
    /// or `unverified_checkpoint`.
    pub problem: &'static str,
    /// What it means.
    pub message: &'static str,
}

impl From<ChainReport> for ChainReportView {
    fn from(report: ChainReport) -> Self {
        Self {
            intact: report.is_intact(),
            chain: report.chain,
            events_checked: report.verification.checked,
            head: ChainLinkView {
                seq: report.head.seq,
                hash: report.head.hash,
            },
            checkpoint: report.checkpoint.map(|c| CheckpointView {
                seq: c.seq,
                hash: c.hash,
                at: c.at,
            }),
            unchained_events: report.unchained,
            first_broken_link: report.verification.broken.map(|b| BrokenLinkView {
                seq: b.seq,
                event_id: b.event_id,
                problem: b.problem.as_str(),
                message: b.problem.describe(),
            }),
        }
    }
}

/// Schemas of strings that name one of the core's stable values, built from the lists the
/// core parses them with, so the document cannot drift from what the server accepts.
pub mod names {
    use siteward_core::audit::AuditAction;
    use siteward_core::permission::Permission;
    use siteward_core::tenancy::{MemberStatus, PartnerRole, Privilege};
    use utoipa::openapi::Array;
    use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, Type};

    fn one_of(description: &str, values: impl IntoIterator<Item = &'static str>) -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
            .enum_values(Some(values))
            .build()
    }

    /// A permission's name.
    pub fn permission() -> Object {
        one_of(
            "A permission, for example `devices.edit`, `device.screen_control` or `invitations.all`.",
            Permission::ALL.iter().map(|p| p.as_str()),
        )
    }

    /// A check's reason code.
    pub fn reason() -> Object {
        one_of(
            "Why the check answered as it did.",
            siteward_core::permission::index::Reason::CODES,
        )
    }

    /// Permissions' names, at least one.
    pub fn permissions() -> Array {
        ArrayBuilder::new()
            .items(permission())
            .min_items(Some(1))
            .description(Some(
                "Permissions, at least one, all of the role's purpose.",
            ))
            .build()
    }

    /// An audit action's name.
    pub fn audit_action() -> Object {
        one_of(
            "Only events with this action, for example `member.added`.",
            AuditAction::ALL.iter().map(|a| a.as_str()),
        )
    }

    /// A member role's name.
    pub fn role() -> Object {
        one_of(
            "Only members with this role.",
            PartnerRole::ALL.iter().map(|r| r.as_str()),
        )
    }

    /// A member status's name.
    pub fn member_status() -> Object {
        one_of(
            "Only members with this status: `active`, `disabled` (for any reason) or \
             `disabled_by_licence` (disabled because the partner's licences were lowered).",
            MemberStatus::ALL
                .iter()
                .map(|s| s.as_str())
                .chain(["disabled_by_licence"]),
        )
    }

    /// Privileges' names.
    pub fn privileges() -> Array {
        ArrayBuilder::new()
            .items(one_of(
                "A privilege.",
                Privilege::ALL.iter().map(|p| p.as_str()),
            ))
            .description(Some(
                "The privileges to hold (`remote_support`, `unattended_access`).",
            ))
            .build()
    }
}
