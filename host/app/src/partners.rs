//! Partners (created by the operator) and their members: the team's roles, privileges and
//! status, removing a member with what they held, and resetting a member's second factor.

use siteward_core::access::{Action, Principal, TokenScope, authorize};
use siteward_core::audit::{AuditAction, AuditEvent, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::{AccountId, PartnerId};
use siteward_core::mail::{InvitationContext, RenderedEmail};
use siteward_core::page::Page;
use siteward_core::permission::index::Change;
use siteward_core::tenancy::{
    Branding, DisabledReason, MemberStatus, Partner, PartnerMembership, PartnerRole, Privilege,
    Privileges,
};
use siteward_core::validate::{self, Email};
use siteward_core::{FieldError, invitation};
use siteward_plugins::World;
use siteward_storage::{Conflict, MemberAccess, MemberFilter, StorageError, TeamInvitationFilter};

pub use siteward_storage::MemberRecord as Member;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::page::Paging;
use crate::people::{Linkable, Person};
use crate::plugins::calls::{RenderJob, render_invitations};
use crate::services::App;
use crate::sites::viewable_partner;

/// How often removing a member is tried again when what they hold changed meanwhile.
const REMOVAL_ATTEMPTS: usize = 5;

/// A change to a member; what is `None` stays as it is. Values as given (checked after the
/// caller is authorized).
#[derive(Debug, Clone, Default)]
pub struct MemberChange {
    /// `super_admin`, `admin` or `technician`.
    pub role: Option<String>,
    /// `active` or `disabled`.
    pub status: Option<String>,
    /// The privileges (`remote_support`, `unattended_access`).
    pub privileges: Option<Vec<String>>,
}

/// An invitation email as a partner's invitees get it now.
#[derive(Debug, Clone)]
pub struct EmailPreview {
    /// The email.
    pub email: RenderedEmail,
    /// The renderer plugin that wrote it; `None` for the built-in renderer.
    pub renderer: Option<String>,
}

/// Which members to list, as given.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemberQuery<'a> {
    /// Only this role (`role`).
    pub role: Option<&'a str>,
    /// Only this status (`status`).
    pub status: Option<&'a str>,
    /// Only names or emails containing this, in any case (`search`).
    pub search: Option<&'a str>,
}

/// Which people a team list shows, as given: members and invitations to become one.
#[derive(Debug, Clone, Copy, Default)]
pub struct TeamQuery<'a> {
    /// Only this role (`role`).
    pub role: Option<&'a str>,
    /// Only members (`member`) or only invitations (`invitation`) (`state`).
    pub state: Option<&'a str>,
    /// Only this status (`status`): a member's `active` or `disabled`, an invitation's
    /// `pending`, `expired` or `revoked`.
    pub status: Option<&'a str>,
    /// Only names or emails containing this, in any case (`search`).
    pub search: Option<&'a str>,
}

/// One person of a team list.
#[derive(Debug, Clone)]
pub enum TeamEntry {
    /// A member.
    Member(Member),
    /// An invitation to become one, not accepted (yet).
    Invitation(Box<invitation::Invitation>),
}

/// A new member as given.
#[derive(Debug, Clone)]
pub struct NewMember {
    /// The person: with a password, a new account.
    pub person: Person,
    /// `super_admin`, `admin` or `technician`.
    pub role: String,
    /// The privileges; the default when absent.
    pub privileges: Option<Vec<String>>,
}

/// A change to a partner's settings, as given; what is `None` stays as it is.
#[derive(Debug, Clone, Default)]
pub struct PartnerSettings {
    /// How long new invitations stay open, in hours (1 to 720).
    pub invitation_ttl_hours: Option<u32>,
    /// The branding invitation emails show (replaced whole: what is absent is cleared).
    pub branding: Option<BrandingInput>,
    /// The language of its invitation emails (BCP 47).
    pub locale: Option<String>,
}

/// A partner's branding, as given.
#[derive(Debug, Clone, Default)]
pub struct BrandingInput {
    /// The name emails show instead of the partner's.
    pub display_name: Option<String>,
    /// An https URL of a logo.
    pub logo_url: Option<String>,
    /// A colour as `#rrggbb`.
    pub accent_colour: Option<String>,
    /// Whom invitees may contact.
    pub support_contact: Option<String>,
}

/// What adding a member did.
#[derive(Debug)]
pub enum Added {
    /// A new account joined as a member.
    Member(Member),
    /// The address is to be invited instead (no password given, or it already has an
    /// account, whose owner must agree): the caller may, and the role is `role`.
    Invite {
        /// The role to invite as.
        role: PartnerRole,
    },
}

/// Privileges as audit text.
pub fn privileges_text(privileges: Privileges) -> String {
    privileges
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn partner_target(id: &PartnerId) -> AuditTarget {
    AuditTarget {
        kind: TargetKind::Partner,
        id: id.to_string(),
    }
}

pub(crate) fn member_target(account: &AccountId) -> AuditTarget {
    AuditTarget {
        kind: TargetKind::Membership,
        id: account.to_string(),
    }
}

/// A partner as the operator's list shows it.
#[derive(Debug)]
pub struct PartnerOverview {
    /// The partner.
    pub partner: Partner,
    /// Its seats and seats in use per privilege.
    pub licences: Vec<siteward_storage::LicenceUse>,
    /// How many members it has.
    pub members: u64,
    /// How many sites it has.
    pub sites: u64,
}

/// A member-status filter as given (`status`): `active`, `disabled` (for any reason) or
/// `disabled_by_licence` (disabled when the partner's licences were lowered, as reference
/// 003's list marks them apart).
fn member_status_filter(
    text: Option<&str>,
) -> Result<(Option<MemberStatus>, Option<DisabledReason>), FieldError> {
    match text {
        None => Ok((None, None)),
        Some("disabled_by_licence") => {
            Ok((Some(MemberStatus::Disabled), Some(DisabledReason::Licence)))
        }
        Some(text) => MemberStatus::parse("status", text)
            .map(|status| (Some(status), None))
            .map_err(|_| {
                FieldError::new(
                    "status",
                    "must be `active`, `disabled` or `disabled_by_licence`",
                )
            }),
    }
}
impl App {
    /// Creates a partner with its first Super Admin (the operator): a new account, or any
    /// existing one.
    pub async fn create_partner(
        &self,
        caller: &Caller,
        name: &str,
        super_admin: &Person,
    ) -> AppResult<Partner> {
        authorize(&caller.principal, Action::OperatePlatform)?;
        let name = validate::name("name", name)?;
        let partner = Partner {
            branding: Branding::default(),
            locale: validate::DEFAULT_LOCALE.to_owned(),
            id: self.new_id(PartnerId::from_trusted),
            name,
            invitation_ttl_hours: u32::try_from(invitation::DEFAULT_TTL.num_hours()).unwrap_or(168),
            created_at: self.now(),
        };
        let tenant = (Some(&partner.id), None);
        let (person, mut events) = self
            .resolve_person(caller, super_admin, "super_admin", tenant, Linkable::Anyone)
            .await?;
        // The first Super Admin holds every privilege: a new partner has no licences yet, so
        // all are allowed, and without remote support their own invitations would be refused.
        let membership = PartnerMembership {
            privileges: Privileges::of(Privilege::ALL.iter().copied()),
            ..PartnerMembership::new(
                partner.id.clone(),
                person.account_id().clone(),
                PartnerRole::SuperAdmin,
                partner.created_at,
            )
        };
        events.push(caller.audit.event(
            self,
            AuditAction::PartnerCreated,
            tenant,
            partner_target(&partner.id),
            vec![FieldChange::set("name", &partner.name)],
        ));
        events.push(caller.audit.event(
            self,
            AuditAction::MemberAdded,
            tenant,
            member_target(person.account_id()),
            vec![
                FieldChange::set("role", PartnerRole::SuperAdmin),
                FieldChange::set("privileges", privileges_text(membership.privileges)),
            ],
        ));
        self.permissions
            .commit([membership.change()], {
                let partner = partner.clone();
                move |store| async move {
                    store
                        .create_partner(&partner, &person, &membership, &events)
                        .await
                }
            })
            .await?;
        Ok(partner)
    }

    /// The partners the caller sees: all for the operator, else those it is an active member
    /// of (or a partner token's own).
    pub async fn partners(&self, caller: &Caller, paging: Paging<'_>) -> AppResult<Page<Partner>> {
        let page = paging.parse()?;
        let own: Vec<PartnerId>;
        let only = match &caller.principal {
            Principal::Account(a) if a.is_operator => None,
            Principal::Account(a) => {
                own = a
                    .partners
                    .iter()
                    .filter(|s| s.status == MemberStatus::Active)
                    .map(|s| s.partner.clone())
                    .collect();
                Some(own.as_slice())
            }
            Principal::ApiToken {
                scope: TokenScope::Partner(p),
                ..
            } => Some(std::slice::from_ref(p)),
            Principal::ApiToken { .. } => Some(&[][..]),
        };
        Ok(self.store.partners(&page, only).await?)
    }

    /// Every partner with its seats and how many members and sites it has, a page at a time
    /// (the operator).
    pub async fn partner_overview(
        &self,
        caller: &Caller,
        paging: Paging<'_>,
    ) -> AppResult<Page<PartnerOverview>> {
        authorize(&caller.principal, Action::OperatePlatform)?;
        let page = self.store.partners(&paging.parse()?, None).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for partner in page.items {
            let licences = self.store.licences(&partner.id).await?;
            let (members, sites) = self.store.partner_counts(&partner.id).await?;
            items.push(PartnerOverview {
                partner,
                licences,
                members,
                sites,
            });
        }
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
        })
    }

    /// The account with this email, for the operator's platform-wide actions.
    pub async fn account_by_email(
        &self,
        caller: &Caller,
        email: &str,
    ) -> AppResult<siteward_core::account::Account> {
        authorize(&caller.principal, Action::OperatePlatform)?;
        let email = validate::Email::parse("email", email)?;
        let id = self
            .store
            .account_id_by_email(&email)
            .await?
            .ok_or_else(|| FieldError::new("email", "has no account on this platform"))?;
        Ok(self.store.account(&id).await?)
    }

    /// One partner (any member).
    pub async fn partner(&self, caller: &Caller, id: &PartnerId) -> AppResult<Partner> {
        let id = viewable_partner(caller, id)?;
        Ok(self.store.partner(&id).await?)
    }

    /// A partner's invitation email as it is written now (its admins): an example invitation
    /// of a technician from the caller, rendered by the renderer plugin enabled for the
    /// partner (the first by name, if several), or the built-in one. The plugin's call counts
    /// like any other.
    pub async fn invitation_email_preview(
        &self,
        caller: &Caller,
        partner: &PartnerId,
    ) -> AppResult<EmailPreview> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let partner = self.store.partner(partner).await?;
        let inviter_name = caller
            .account()
            .map_or_else(|_| partner.name.clone(), |a| a.name.clone());
        let context = InvitationContext {
            invitee_email: "new.technician@example.com".to_owned(),
            inviter_name,
            partner_name: partner
                .branding
                .display_name
                .clone()
                .unwrap_or_else(|| partner.name.clone()),
            branding: partner.branding.clone(),
            site_name: None,
            role: Some(PartnerRole::Technician.as_str().to_owned()),
            level: None,
            accept_link: format!("{}/invitations/accept?token=example", self.public_url),
            expires_at: self.now()
                + chrono::Duration::hours(i64::from(partner.invitation_ttl_hours)),
            locale: partner.locale.clone(),
        };
        let renderer = self
            .plugins
            .chosen(World::InvitationRenderer, &partner.id, None)
            .into_iter()
            .filter(|c| !c.quarantined)
            .map(|c| c.name)
            .min();
        let job = RenderJob {
            partner: partner.id.clone(),
            site: None,
            context,
        };
        let email = render_invitations(self, caller.audit.request_id.as_deref(), vec![job])
            .await
            .pop()
            .ok_or_else(|| AppError::internal(&"rendering one email gave none"))?;
        Ok(EmailPreview { email, renderer })
    }

    /// The partner's Super Admins, each with whether they receive technician management
    /// alerts (its admins). Up to 200, by account.
    pub async fn alert_recipients(
        &self,
        caller: &Caller,
        partner: &PartnerId,
    ) -> AppResult<Vec<(Member, bool)>> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let filter = MemberFilter {
            role: Some(PartnerRole::SuperAdmin),
            ..MemberFilter::default()
        };
        let page = Paging {
            limit: Some(200),
            cursor: None,
        }
        .parse()?;
        let (admins, off) = tokio::join!(
            self.store.members(partner, &filter, &page),
            self.store.alerts_off(partner),
        );
        let off = off?;
        Ok(admins?
            .items
            .into_iter()
            .map(|m| {
                let on = !off.contains(&m.membership.account_id);
                (m, on)
            })
            .collect())
    }

    /// Turns the caller's own technician management alerts at the partner on or off: each
    /// person chooses for themselves (reference 004, "Notify me").
    pub async fn set_my_alerts(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        on: bool,
    ) -> AppResult<()> {
        let account = caller.account()?;
        let member =
            self.store
                .member(partner, &account.id)
                .await
                .map_err(|error| match error {
                    StorageError::NotFound => AppError::not_found(),
                    other => other.into(),
                })?;
        let event = caller.audit.event(
            self,
            AuditAction::MemberUpdated,
            (Some(partner), None),
            member_target(&member.membership.account_id),
            vec![FieldChange::changed("alerts", !on, on)],
        );
        self.store
            .set_member_alerts(partner, &account.id, on, &event)
            .await?;
        Ok(())
    }

    /// Changes a partner's settings (its admins): invitation lifetime, branding, language.
    pub async fn update_partner_settings(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        settings: &PartnerSettings,
    ) -> AppResult<Partner> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let before = self.store.partner(partner).await?;
        let mut after = before.clone();
        if let Some(hours) = settings.invitation_ttl_hours {
            invitation::ttl_from_hours("invitation_ttl_hours", hours)?;
            after.invitation_ttl_hours = hours;
        }
        if let Some(b) = &settings.branding {
            after.branding = Branding::parse(
                "branding",
                b.display_name.as_deref(),
                b.logo_url.as_deref(),
                b.accent_colour.as_deref(),
                b.support_contact.as_deref(),
            )?;
        }
        if let Some(locale) = &settings.locale {
            after.locale = validate::locale("locale", locale)?;
        }
        let mut changes = Vec::new();
        let mut changed = |field: &str, before: Option<String>, after: Option<String>| {
            if before != after {
                changes.push(FieldChange {
                    field: field.to_owned(),
                    before,
                    after,
                });
            }
        };
        changed(
            "invitation_ttl_hours",
            Some(before.invitation_ttl_hours.to_string()),
            Some(after.invitation_ttl_hours.to_string()),
        );
        changed(
            "locale",
            Some(before.locale.clone()),
            Some(after.locale.clone()),
        );
        let (b, a) = (&before.branding, &after.branding);
        changed(
            "branding.display_name",
            b.display_name.clone(),
            a.display_name.clone(),
        );
        changed("branding.logo_url", b.logo_url.clone(), a.logo_url.clone());
        changed(
            "branding.accent_colour",
            b.accent_colour.clone(),
            a.accent_colour.clone(),
        );
        changed(
            "branding.support_contact",
            b.support_contact.clone(),
            a.support_contact.clone(),
        );
        if !changes.is_empty() {
            let event = caller.audit.event(
                self,
                AuditAction::PartnerUpdated,
                (Some(partner), None),
                partner_target(partner),
                changes,
            );
            self.store.update_partner_settings(&after, &event).await?;
        }
        Ok(self.store.partner(partner).await?)
    }

    /// Adds a member. With a password and an address no account has, a new account joins at
    /// once; otherwise the answer is [`Added::Invite`]: the person is invited and joins by
    /// accepting (an existing account's owner must agree, and nothing tells whether one
    /// exists).
    pub async fn add_member(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        new: &NewMember,
    ) -> AppResult<Added> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let role = PartnerRole::parse("role", &new.role)?;
        let privileges = new
            .privileges
            .as_deref()
            .map(|p| Privileges::parse("privileges", p))
            .transpose()?
            .unwrap_or(Privileges::DEFAULT);
        if role != PartnerRole::Technician || privileges != Privileges::DEFAULT {
            authorize(&caller.principal, Action::AssignRoles(partner))?;
        }
        if role == PartnerRole::SuperAdmin {
            authorize(&caller.principal, Action::ManageSuperAdmins(partner))?;
        }
        self.store.partner(partner).await?;
        let email = Email::parse("email", &new.person.email)?;
        if new.person.password.is_none() || self.store.account_id_by_email(&email).await?.is_some()
        {
            if privileges != Privileges::DEFAULT {
                return Err(FieldError::new(
                    "privileges",
                    "can be given once the person has accepted the invitation",
                )
                .into());
            }
            return Ok(Added::Invite { role });
        }
        let tenant = (Some(partner), None);
        let (person, mut events) = self
            .resolve_person(caller, &new.person, "", tenant, Linkable::Nobody)
            .await?;
        let membership = PartnerMembership {
            privileges,
            ..PartnerMembership::new(
                partner.clone(),
                person.account_id().clone(),
                role,
                self.now(),
            )
        };
        events.push(caller.audit.event(
            self,
            AuditAction::MemberAdded,
            tenant,
            member_target(person.account_id()),
            vec![
                FieldChange::set("role", role),
                FieldChange::set("privileges", privileges_text(privileges)),
            ],
        ));
        self.permissions
            .commit([membership.change()], {
                let person = person.clone();
                move |store| async move { store.add_member(&membership, &person, &events).await }
            })
            .await?;
        Ok(Added::Member(
            self.store.member(partner, person.account_id()).await?,
        ))
    }

    /// A partner's members, a page at a time, filtered (any member).
    pub async fn members(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        filter: MemberQuery<'_>,
        paging: Paging<'_>,
    ) -> AppResult<Page<Member>> {
        let partner = viewable_partner(caller, partner)?;
        let (status, disabled_reason) = member_status_filter(filter.status)?;
        let filter = MemberFilter {
            role: filter
                .role
                .map(|r| PartnerRole::parse("role", r))
                .transpose()?,
            status,
            disabled_reason,
            search: filter
                .search
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        };
        Ok(self
            .store
            .members(&partner, &filter, &paging.parse()?)
            .await?)
    }

    /// A partner's people in one list (its admins), as reference 003's team list shows them:
    /// the members, then the invitations to join that were not accepted, each kind in id
    /// order and paged on together — the cursor says which kind it continues.
    pub async fn team(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        query: TeamQuery<'_>,
        paging: Paging<'_>,
    ) -> AppResult<Page<TeamEntry>> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let role = query
            .role
            .map(|r| PartnerRole::parse("role", r))
            .transpose()?;
        let search = query
            .search
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        // Reference 003 calls a member an "activated" technician.
        let (mut members, mut invitations) = match query.state {
            None => (true, true),
            Some("member" | "activated") => (true, false),
            Some("invitation") => (false, true),
            Some(_) => {
                return Err(FieldError::new(
                    "state",
                    "must be `member` (or `activated`) or `invitation`",
                )
                .into());
            }
        };
        let (mut member_status, mut disabled_reason, mut invitation_status) = (None, None, None);
        match query.status {
            None => {}
            Some(status @ ("active" | "disabled" | "disabled_by_licence")) => {
                (member_status, disabled_reason) = member_status_filter(Some(status))?;
                invitations = false;
            }
            Some(status @ ("pending" | "expired" | "revoked")) => {
                invitation_status = Some(invitation::InvitationStatus::parse("status", status)?);
                members = false;
            }
            Some(_) => {
                return Err(FieldError::new(
                    "status",
                    "must be `active`, `disabled`, `disabled_by_licence`, `pending`, `expired` \
                     or `revoked`",
                )
                .into());
            }
        }
        let limit = paging.limit;
        // Where this page starts: in the members, or (once they are done) in the invitations.
        let (in_members, after) = match paging.cursor {
            None => (members, None),
            Some(cursor) => match cursor.split_at_checked(1) {
                Some(("m", rest)) if members => (true, Some(rest)),
                Some(("i", rest)) if invitations => (false, Some(rest).filter(|r| !r.is_empty())),
                _ => return Err(FieldError::new("cursor", "is not a cursor of this list").into()),
            },
        };
        let mut page = Page {
            items: Vec::new(),
            next_cursor: None,
        };
        let mut invitations_after = None;
        if in_members {
            let filter = MemberFilter {
                role,
                status: member_status,
                disabled_reason,
                search: search.clone(),
            };
            let request = Paging {
                limit,
                cursor: after,
            }
            .parse()?;
            let found = self.store.members(partner, &filter, &request).await?;
            page.items
                .extend(found.items.into_iter().map(TeamEntry::Member));
            if let Some(next) = found.next_cursor {
                page.next_cursor = Some(format!("m{next}"));
                return Ok(page);
            }
            if !invitations {
                return Ok(page);
            }
        } else {
            invitations_after = after;
        }
        let request = Paging {
            limit,
            cursor: invitations_after,
        }
        .parse()?;
        let room = request.limit.saturating_sub(len_u32(page.items.len()));
        if room == 0 {
            page.next_cursor = Some("i".to_owned());
            return Ok(page);
        }
        let filter = TeamInvitationFilter {
            role,
            status: invitation_status,
            search,
        };
        let request = siteward_core::page::PageRequest {
            limit: room,
            ..request
        };
        let found = self
            .store
            .team_invitations(partner, &filter, self.now(), &request)
            .await?;
        page.items.extend(
            found
                .items
                .into_iter()
                .map(|inv| TeamEntry::Invitation(Box::new(inv))),
        );
        page.next_cursor = found.next_cursor.map(|next| format!("i{next}"));
        Ok(page)
    }

    /// One member (any member of the partner).
    pub async fn member(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        account: &AccountId,
    ) -> AppResult<Member> {
        let partner = viewable_partner(caller, partner)?;
        Ok(self.store.member(&partner, account).await?)
    }

    /// Changes a member's role, status or privileges. Roles and privileges take the right to
    /// assign them, a Super Admin the right to manage Super Admins; the last Super Admin
    /// stays, and licences hold.
    pub async fn update_member(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        account: &AccountId,
        change: &MemberChange,
    ) -> AppResult<Member> {
        let (partner, account, before) = self.managed_member(caller, partner, account).await?;
        let role = change
            .role
            .as_deref()
            .map(|r| PartnerRole::parse("role", r))
            .transpose()?;
        let status = change
            .status
            .as_deref()
            .map(|s| MemberStatus::parse("status", s))
            .transpose()?;
        let privileges = change
            .privileges
            .as_deref()
            .map(|p| Privileges::parse("privileges", p))
            .transpose()?;
        let mut after = before.clone();
        after.role = role.unwrap_or(before.role);
        after.status = status.unwrap_or(before.status);
        after.privileges = privileges.unwrap_or(before.privileges);
        if after.status != before.status {
            after.disabled_reason =
                (after.status == MemberStatus::Disabled).then_some(DisabledReason::Manual);
        }
        if after.role != before.role || after.privileges != before.privileges {
            authorize(&caller.principal, Action::AssignRoles(&partner))?;
        }
        if after.role == PartnerRole::SuperAdmin {
            authorize(&caller.principal, Action::ManageSuperAdmins(&partner))?;
        }
        if after != before {
            self.require_fresh_sign_in(caller).await?;
        }
        let mut changes = Vec::new();
        if before.role != after.role {
            changes.push(FieldChange::changed("role", before.role, after.role));
        }
        if before.status != after.status {
            changes.push(FieldChange::changed("status", before.status, after.status));
        }
        if before.privileges != after.privileges {
            changes.push(FieldChange::changed(
                "privileges",
                privileges_text(before.privileges),
                privileges_text(after.privileges),
            ));
        }
        if !changes.is_empty() {
            let event = caller.audit.event(
                self,
                AuditAction::MemberUpdated,
                (Some(&partner), None),
                member_target(&account),
                changes,
            );
            self.permissions
                .commit([after.change()], move |store| async move {
                    store.update_member(&after, &event).await
                })
                .await?;
        }
        Ok(self.store.member(&partner, &account).await?)
    }

    /// Removes a member with what they hold at the partner — site assignments, grants naming
    /// them, department memberships — in one transaction, so re-joining brings nothing back:
    /// access comes again only from a new invitation, Locked.
    pub async fn remove_member(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        account: &AccountId,
    ) -> AppResult<()> {
        let (partner, account, member) = self.managed_member(caller, partner, account).await?;
        self.require_fresh_sign_in(caller).await?;
        for _ in 0..REMOVAL_ATTEMPTS {
            let access = self.store.member_access(&partner, &account).await?;
            let (events, changes) = self.removal(caller, &partner, &account, &member, &access);
            let written = self
                .permissions
                .commit(changes, {
                    let (partner, account) = (partner.clone(), account.clone());
                    move |store| async move {
                        store
                            .remove_member(&partner, &account, &access, &events)
                            .await
                    }
                })
                .await;
            match written {
                Ok(()) => return Ok(()),
                Err(StorageError::Conflict(Conflict::Concurrent)) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(AppError::conflict(
            "concurrent_change",
            "this member's access kept changing meanwhile; try again",
        ))
    }

    /// Removes a member's second factor, so they enrol again at their next sign-in.
    pub async fn reset_member_totp(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        account: &AccountId,
    ) -> AppResult<()> {
        let (partner, account, _) = self.managed_member(caller, partner, account).await?;
        self.require_fresh_sign_in(caller).await?;
        let event = caller.audit.event(
            self,
            AuditAction::MemberTotpReset,
            (Some(&partner), None),
            member_target(&account),
            vec![],
        );
        self.store.disable_totp(&account, &event).await?;
        Ok(())
    }

    /// A member the caller may manage: Super Admins take the right to manage Super Admins,
    /// Admins the right to assign roles.
    async fn managed_member(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        account: &AccountId,
    ) -> AppResult<(PartnerId, AccountId, PartnerMembership)> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let member = self.store.member(partner, account).await?.membership;
        match member.role {
            PartnerRole::SuperAdmin => {
                authorize(&caller.principal, Action::ManageSuperAdmins(partner))?;
            }
            PartnerRole::Admin => authorize(&caller.principal, Action::AssignRoles(partner))?,
            PartnerRole::Technician => {}
        }
        Ok((partner.clone(), account.clone(), member))
    }

    /// The events and index changes of removing a member who holds `access`.
    fn removal(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        account: &AccountId,
        member: &PartnerMembership,
        access: &MemberAccess,
    ) -> (Vec<AuditEvent>, Vec<Change>) {
        let ended = |field: &str, before: String| FieldChange {
            field: field.to_owned(),
            before: Some(before),
            after: None,
        };
        let event = |action, site, target, changes| {
            caller
                .audit
                .event(self, action, (Some(partner), site), target, changes)
        };
        let mut events = vec![event(
            AuditAction::MemberRemoved,
            None,
            member_target(account),
            vec![ended("role", member.role.to_string())],
        )];
        let mut changes = vec![Change::Membership {
            partner: partner.key(),
            account: account.key(),
            membership: None,
        }];
        for assignment in &access.assignments {
            events.push(event(
                AuditAction::AssignmentDeleted,
                Some(&assignment.site_id),
                AuditTarget {
                    kind: TargetKind::SiteAssignment,
                    id: account.to_string(),
                },
                vec![ended("level", assignment.level.to_string())],
            ));
            changes.push(Change::Assignment {
                site: assignment.site_id.key(),
                account: account.key(),
                assignment: None,
            });
        }
        for grant in &access.grants {
            events.push(event(
                AuditAction::GrantDeleted,
                None,
                AuditTarget {
                    kind: TargetKind::Grant,
                    id: grant.id.to_string(),
                },
                vec![ended("role", grant.role.as_str().to_owned())],
            ));
            changes.push(Change::GrantRemoved {
                grant: grant.id.key(),
            });
        }
        for department in &access.departments {
            events.push(event(
                AuditAction::DepartmentMemberRemoved,
                None,
                AuditTarget {
                    kind: TargetKind::Account,
                    id: account.to_string(),
                },
                vec![ended("department", department.to_string())],
            ));
            changes.push(Change::DepartmentMember {
                department: department.key(),
                account: account.key(),
                member: false,
            });
        }
        (events, changes)
    }
}

/// A count of items, as a page's limit counts them.
fn len_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}
