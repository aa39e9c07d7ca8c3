//! Sending invitations: to a partner (one address or up to 1,000 at once), to a site (picked
//! members, one level each or one for all, all or nothing), one member to many sites; resending
//! one; the picker of who could be invited to a site; the lists and the outgoing email.
//!
//! Each send asks the partner's invitation policies first, renders the emails (through the
//! renderer plugin where one is enabled), and writes the invitations, their emails, their audit
//! events and the retry answer in one transaction, then wakes the delivery worker.

use std::collections::{HashMap, HashSet};

use siteward_core::FieldError;
use siteward_core::access::{Action, Denial, Principal, SiteRef, authorize};
use siteward_core::audit::{AuditAction, AuditEvent, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::{
    AccountId, DepartmentId, InvitationId, OutboxMessageId, PartnerId, SiteId,
};
use siteward_core::invitation::{
    self, BulkOutcome, Invitation, InvitationStatus, InvitationTarget, MAX_BULK, PermissionLevel,
};
use siteward_core::mail::{InvitationContext, SITE_ADMIN};
use siteward_core::page::{Page, PageRequest};
use siteward_core::permission::records::{AccessGrant, GrantSubject};
use siteward_core::secret::{self, TokenKind};
use siteward_core::tenancy::{MemberStatus, Partner, PartnerRole, Privileges, Site};
use siteward_core::validate::{self, Email};
use siteward_plugins::worlds::policy::ProposedInvitation;
use siteward_storage::{Delivery, InvitationScope, MemberFilter, NewInvitation, StorageError};

/// A message of a partner's outbox, and its state.
pub use siteward_storage::{OutboxMessage, OutboxStatus};

use crate::auth::Caller;
use crate::error::{AppError, AppResult, Kind};
use crate::grants::GrantFor;
use crate::idempotency::{Answer, Idempotency, Retry, StoredAnswer};
use crate::invitations::invitation_target;
use crate::page::Paging;
use crate::partners::Member;
use crate::plugins::calls::{
    Proposal, RenderJob, Verdict, evaluate_invitations, render_invitations,
};
use crate::services::{App, random};
use crate::sites::SiteAccess;

/// An invitation to a partner, of one address or up to 1,000.
#[derive(Debug, Clone, Copy)]
pub struct PartnerInvite<'a> {
    /// The addresses (`emails`), as given.
    pub emails: &'a [String],
    /// `admin` or `technician` (`role`).
    pub role: &'a str,
    /// The emails' language (`locale`, BCP 47); the partner's when absent.
    pub locale: Option<&'a str>,
    /// The privileges each member holds from acceptance (`privileges`); a new member's
    /// default when absent. Licence seats are counted at acceptance, when they are taken.
    pub privileges: Option<&'a [String]>,
    /// The departments (ids) each member is in from acceptance (`departments`).
    pub departments: &'a [String],
    /// Grants each future member holds from acceptance (`grants`): at sites, device groups,
    /// devices or sections of the partner; until then they give nothing.
    pub grants: &'a [GrantFor],
}

/// The outcome for one address of a [`PartnerInvite`].
#[derive(Debug, Clone)]
pub struct Invited {
    /// The address as given.
    pub email: String,
    /// What happened to it.
    pub outcome: BulkOutcome,
    /// Why, for a denial or a wanted approval: the policy's words.
    pub reason: Option<String>,
    /// The invitation, for one sent now or already open.
    pub invitation: Option<Invitation>,
}

/// One member picked for a site (`technicians[n]`).
#[derive(Debug, Clone, Copy)]
pub struct Pick<'a> {
    /// Their account (`account_id`).
    pub account_id: &'a str,
    /// Their level (`level`); the request's when absent.
    pub level: Option<&'a str>,
}

/// Members of the site's partner invited to the site, confirmed all at once.
#[derive(Debug, Clone)]
pub struct SiteInvite<'a> {
    /// The level for everyone without one of their own (`level`).
    pub level: Option<&'a str>,
    /// The picks (`technicians`), 1 to 1,000.
    pub technicians: Vec<Pick<'a>>,
    /// The emails' language (`locale`); the partner's when absent.
    pub locale: Option<&'a str>,
}

/// One member invited to several of the partner's sites.
#[derive(Debug, Clone, Copy)]
pub struct SitesInvite<'a> {
    /// The sites (`site_ids`), 1 to 1,000.
    pub site_ids: &'a [String],
    /// The level at every one (`level`).
    pub level: &'a str,
    /// The emails' language (`locale`); the partner's when absent.
    pub locale: Option<&'a str>,
}

/// A member who could be invited to a site.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The member: membership (role included), email and name.
    pub member: Member,
}

impl Candidate {
    /// Their account.
    pub fn account_id(&self) -> &AccountId {
        &self.member.membership.account_id
    }
}

/// Members read per batch while the picker fills a page: a few pages' worth, since most
/// members of a partner are candidates for most of its sites.
const CANDIDATE_BATCH: u32 = 64;

/// The picker of who to invite to a site, as a page shows it.
#[derive(Debug, Clone)]
pub struct Picker {
    /// Who matches the search and is not picked yet, a page at a time.
    pub candidates: Page<Candidate>,
    /// Who is picked and still could be invited.
    pub picked: Vec<Candidate>,
}

/// Whether the caller invites people to the partner and its sites, and manages those
/// invitations (its admins): what a page asks to decide which actions to offer.
pub fn may_invite(caller: &Caller, partner: &PartnerId) -> bool {
    authorize(&caller.principal, Action::ManageMembers(partner)).is_ok()
}

/// How the inviter stands at the inviting partner, as invitation policies see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviterRole {
    /// The partner's Super Admin.
    SuperAdmin,
    /// The partner's Admin.
    Admin,
    /// Anyone else acting with their own rights.
    Technician,
    /// The host's operator.
    Operator,
    /// An API token.
    ApiToken,
}

impl InviterRole {
    /// The inviter's role at `partner`.
    pub fn of(principal: &Principal, partner: &PartnerId) -> Self {
        match principal {
            Principal::Account(account) if account.is_operator => Self::Operator,
            Principal::Account(account) => account
                .partners
                .iter()
                .find(|s| &s.partner == partner)
                .map_or(Self::Technician, |s| match s.role {
                    PartnerRole::SuperAdmin => Self::SuperAdmin,
                    PartnerRole::Admin => Self::Admin,
                    PartnerRole::Technician => Self::Technician,
                }),
            Principal::ApiToken { .. } => Self::ApiToken,
        }
    }

    /// The text policies get: `super_admin`, `admin`, `technician`, `operator`, `api_token`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SuperAdmin => "super_admin",
            Self::Admin => "admin",
            Self::Technician => "technician",
            Self::Operator => "operator",
            Self::ApiToken => "api_token",
        }
    }

    /// Whether sending approves what a policy says needs approval: Super Admins and the
    /// operator approve by sending.
    fn approves(self) -> bool {
        matches!(self, Self::SuperAdmin | Self::Operator)
    }
}

/// Who invites, as the invitations and their emails name them.
struct Inviter {
    account: AccountId,
    name: String,
    role: InviterRole,
}

/// An invitation whose email is still to be rendered.
struct Drafted {
    invitation: Invitation,
    /// Its email; none while it awaits approval.
    job: Option<RenderJob>,
    /// The grants waiting for its acceptance, written with it.
    grants: Vec<AccessGrant>,
}

/// Invitations drafted by a request, and the expired ones they replace.
#[derive(Default)]
struct Written {
    new: Vec<Drafted>,
    expired: Vec<(Invitation, AuditEvent)>,
}

/// An invitation the policies are asked about.
struct Ask<'a> {
    site: Option<SiteId>,
    email: &'a Email,
    level: Option<PermissionLevel>,
    role: Option<PartnerRole>,
}

/// Everything needed to write one invitation and its email.
struct Drafter<'a> {
    app: &'a App,
    partner: &'a Partner,
    site: Option<&'a Site>,
    inviter: &'a Inviter,
    /// The language of new invitations' emails.
    locale: &'a str,
}

impl Drafter<'_> {
    /// A fresh token, and what the email will show (the link carries the token, which leaves
    /// the host only in the email).
    fn draft(&self, invitation: &mut Invitation) -> RenderJob {
        let token = secret::token_text(TokenKind::Invitation, random());
        invitation.token_hash = secret::token_hash(&token);
        let (role, level) = match &invitation.target {
            InvitationTarget::Partner { role } => (Some(role.as_str().to_owned()), None),
            InvitationTarget::Site { level, .. } => (None, Some(level.as_str().to_owned())),
            InvitationTarget::SiteAdmin { .. } => (Some(SITE_ADMIN.to_owned()), None),
        };
        let context = InvitationContext {
            invitee_email: invitation.email.to_string(),
            inviter_name: self.inviter.name.clone(),
            partner_name: self
                .partner
                .branding
                .display_name
                .clone()
                .unwrap_or_else(|| self.partner.name.clone()),
            branding: self.partner.branding.clone(),
            site_name: self.site.map(|s| s.name.clone()),
            role,
            level,
            accept_link: format!("{}/invitations/accept?token={token}", self.app.public_url),
            expires_at: invitation.expires_at,
            locale: invitation.locale.clone(),
        };
        RenderJob {
            partner: self.partner.id.clone(),
            site: self.site.map(|s| s.id.clone()),
            context,
        }
    }

    /// A new Pending invitation with its email.
    fn new_invitation(&self, target: InvitationTarget, email: Email) -> Drafted {
        let now = self.app.now();
        let mut invitation = Invitation {
            id: self.app.new_id(InvitationId::from_trusted),
            partner_id: self.partner.id.clone(),
            target,
            email,
            invited_by: self.inviter.account.clone(),
            status: InvitationStatus::Pending,
            token_hash: String::new(),
            expires_at: now + chrono::Duration::hours(i64::from(self.partner.invitation_ttl_hours)),
            created_at: now,
            sent_at: now,
            resend_count: 0,
            locale: self.locale.to_owned(),
            privileges: None,
            departments: Vec::new(),
            accepted: None,
            approval_reason: None,
            denial_reason: None,
        };
        let job = self.draft(&mut invitation);
        Drafted {
            invitation,
            job: Some(job),
            grants: Vec::new(),
        }
    }

    /// An invitation an invitation policy wants approved, for `reason`: written Awaiting
    /// Approval, with no email. Its token's hash only holds the column's uniqueness: the
    /// token is never sent, and approval drafts a fresh one.
    fn awaiting_approval(&self, target: InvitationTarget, email: Email, reason: &str) -> Drafted {
        let mut drafted = self.new_invitation(target, email);
        drafted.invitation.status = InvitationStatus::AwaitingApproval;
        drafted.invitation.approval_reason = Some(reason.to_owned());
        drafted.job = None;
        drafted
    }
}

/// The language of new invitations' emails: the request's, else the partner's.
fn email_locale(requested: Option<&str>, partner: &Partner) -> AppResult<String> {
    Ok(match requested {
        Some(tag) => siteward_core::validate::locale("locale", tag)?,
        None => partner.locale.clone(),
    })
}

/// Whether an invitation found open for a key is still Pending; one whose time has passed is
/// added to `expired`, to be marked so in the transaction whose new invitation takes its place.
fn still_open<'a>(
    app: &App,
    caller: &Caller,
    existing: Option<&'a Invitation>,
    expired: &mut Vec<(Invitation, AuditEvent)>,
) -> Option<&'a Invitation> {
    let existing = existing?;
    if existing.status_at(app.now()).is_open() {
        return Some(existing);
    }
    let event = caller.audit.event(
        app,
        AuditAction::InvitationExpired,
        (Some(&existing.partner_id), existing.target.site()),
        invitation_target(&existing.id),
        vec![FieldChange::changed("status", "pending", "expired")],
    );
    expired.push((existing.clone(), event));
    None
}

fn created_event(
    app: &App,
    caller: &Caller,
    inv: &Invitation,
    grants: &[AccessGrant],
) -> AuditEvent {
    let mut changes = vec![
        FieldChange::set("email", &inv.email),
        FieldChange::set("expires_at", inv.expires_at.to_rfc3339()),
    ];
    match &inv.target {
        InvitationTarget::Partner { role } => changes.push(FieldChange::set("role", role)),
        InvitationTarget::Site { level, .. } => changes.push(FieldChange::set("level", level)),
        InvitationTarget::SiteAdmin { .. } => changes.push(FieldChange::set("role", SITE_ADMIN)),
    }
    if let Some(privileges) = inv.privileges {
        changes.push(FieldChange::set(
            "privileges",
            crate::partners::privileges_text(privileges),
        ));
    }
    if !inv.departments.is_empty() {
        let ids: Vec<&str> = inv.departments.iter().map(DepartmentId::as_str).collect();
        changes.push(FieldChange::set("departments", ids.join(",")));
    }
    if !grants.is_empty() {
        let ids: Vec<&str> = grants.iter().map(|g| g.id.as_str()).collect();
        changes.push(FieldChange::set("grants", ids.join(",")));
    }
    if inv.status == InvitationStatus::AwaitingApproval {
        changes.push(FieldChange::set("status", inv.status));
        if let Some(reason) = &inv.approval_reason {
            changes.push(FieldChange::set("approval_reason", reason));
        }
    }
    caller.audit.event(
        app,
        AuditAction::InvitationCreated,
        (Some(&inv.partner_id), inv.target.site()),
        invitation_target(&inv.id),
        changes,
    )
}

/// Who decides an invitation held for approval: the partner's Super Admins (and the
/// operator), and for an invitation to a site also the site's admins.
fn may_decide(caller: &Caller, inv: &Invitation) -> Result<(), Denial> {
    let as_partner = authorize(
        &caller.principal,
        Action::ManageSuperAdmins(&inv.partner_id),
    );
    match &inv.target {
        InvitationTarget::Site { site_id, .. } => as_partner.or_else(|_| {
            authorize(
                &caller.principal,
                Action::ManageSiteTechnicians(SiteRef {
                    site: site_id,
                    partner: &inv.partner_id,
                }),
            )
        }),
        _ => as_partner,
    }
}

/// The longest reason an approver gives, in characters.
const MAX_DENIAL_LEN: usize = 500;

/// The most grants one invitation to a partner carries.
const MAX_INVITATION_GRANTS: usize = 50;

fn count_between_1_and_max(field: &str, count: usize, what: &str) -> AppResult<()> {
    if count == 0 || count > MAX_BULK {
        return Err(FieldError::new(field, format!("must hold 1 to {MAX_BULK} {what}")).into());
    }
    Ok(())
}

impl App {
    /// Invites addresses to join a partner as Admin or Technician (its admins). Each address
    /// gets its own outcome; the invitations sent are written at once.
    #[tracing::instrument(name = "app.invite_to_partner", skip_all)]
    pub async fn invite_to_partner(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        input: PartnerInvite<'_>,
        retry: Retry<'_>,
        answer: impl FnOnce(&Vec<Invited>) -> AppResult<StoredAnswer>,
    ) -> AppResult<Answer<Vec<Invited>>> {
        let partner_id = partner;
        authorize(&caller.principal, Action::ManageMembers(partner_id))?;
        let role = match PartnerRole::parse("role", input.role)? {
            PartnerRole::SuperAdmin => {
                return Err(FieldError::new(
                    "role",
                    "must be admin or technician; promote to super_admin after joining",
                )
                .into());
            }
            role => role,
        };
        count_between_1_and_max("emails", input.emails.len(), "addresses")?;
        let privileges = input
            .privileges
            .map(|names| Privileges::parse("privileges", names))
            .transpose()?;
        let departments = self
            .partner_departments(partner_id, input.departments)
            .await?;
        if input.grants.len() > MAX_INVITATION_GRANTS {
            return Err(FieldError::new(
                "grants",
                format!("must hold at most {MAX_INVITATION_GRANTS} grants"),
            )
            .into());
        }
        let mut grants = Vec::with_capacity(input.grants.len());
        for (n, given) in input.grants.iter().enumerate() {
            let terms = self
                .grant_terms(partner_id, given)
                .await
                .map_err(|error| error.within(&format!("grants[{n}]")))?;
            grants.push(terms);
        }
        let idempotency =
            Idempotency::new(caller, &retry, &format!("invite-partner/{partner_id}"))?;
        if let Some(stored) = idempotency.replay(self).await? {
            return Ok(Answer::Replayed(stored));
        }
        let partner = self.store.partner(partner_id).await?;
        let inviter = self.inviter(caller, partner_id).await?;
        let locale = email_locale(input.locale, &partner)?;
        let triaged = invitation::triage(input.emails);
        let given: Vec<Email> = triaged
            .iter()
            .filter_map(|t| t.as_ref().ok())
            .cloned()
            .collect();
        let members = self.store.member_emails_among(partner_id, &given).await?;
        let keys: Vec<String> = triaged
            .iter()
            .filter_map(|t| t.as_ref().ok())
            .map(|email| invitation::open_key(partner_id, None, email))
            .collect();
        let open = self.open_invitations(&keys).await?;

        let mut written = Written::default();
        let mut outcomes: Vec<Invited> = input
            .emails
            .iter()
            .map(|email| Invited {
                email: email.clone(),
                outcome: BulkOutcome::Invited,
                reason: None,
                invitation: None,
            })
            .collect();
        // Addresses that may be invited, with their place in `outcomes`: the policies decide.
        let mut proposed: Vec<(usize, Email)> = Vec::new();
        for (slot, item) in triaged.into_iter().enumerate() {
            let email = match item {
                Ok(email) => email,
                Err(outcome) => {
                    outcomes[slot].outcome = outcome;
                    continue;
                }
            };
            if members.contains(&email) {
                outcomes[slot].outcome = BulkOutcome::AlreadyMember;
                continue;
            }
            let key = invitation::open_key(partner_id, None, &email);
            if let Some(existing) = still_open(self, caller, open.get(&key), &mut written.expired) {
                outcomes[slot].outcome = BulkOutcome::AlreadyInvited;
                outcomes[slot].invitation = Some(existing.clone());
                continue;
            }
            proposed.push((slot, email));
        }
        let asks = proposed
            .iter()
            .map(|(_, email)| Ask {
                site: None,
                email,
                level: None,
                role: Some(role),
            })
            .collect();
        let verdicts = self
            .ask_policies(caller, &inviter, partner_id, asks)
            .await?;
        let drafter = Drafter {
            app: self,
            partner: &partner,
            site: None,
            inviter: &inviter,
            locale: &locale,
        };
        for ((slot, email), verdict) in proposed.into_iter().zip(verdicts) {
            let outcome = &mut outcomes[slot];
            match verdict {
                Verdict::Deny { reason, .. } => {
                    outcome.outcome = BulkOutcome::Denied;
                    outcome.reason = Some(reason);
                }
                Verdict::Allow | Verdict::ApprovalRequired { .. } => {
                    let target = InvitationTarget::Partner { role };
                    let mut item = match &verdict {
                        Verdict::ApprovalRequired { reason, .. } if !inviter.role.approves() => {
                            outcome.outcome = BulkOutcome::AwaitingApproval;
                            outcome.reason = Some(reason.clone());
                            drafter.awaiting_approval(target, email, reason)
                        }
                        _ => drafter.new_invitation(target, email),
                    };
                    item.invitation.privileges = privileges;
                    item.invitation.departments.clone_from(&departments);
                    item.grants = grants
                        .iter()
                        .map(|terms| {
                            let subject = GrantSubject::Invitation(item.invitation.id.clone());
                            terms.grant(self, caller, partner_id, subject)
                        })
                        .collect();
                    outcome.invitation = Some(item.invitation.clone());
                    written.new.push(item);
                }
            }
        }
        self.commit(caller, written, &idempotency, outcomes, answer)
            .await
    }

    /// Departments given by id (`departments[i]`), each one of the partner's, none twice.
    async fn partner_departments(
        &self,
        partner: &PartnerId,
        ids: &[String],
    ) -> AppResult<Vec<DepartmentId>> {
        let parsed: Vec<Option<DepartmentId>> = ids
            .iter()
            .map(|id| DepartmentId::parse("departments", id).ok())
            .collect();
        let asked: Vec<DepartmentId> = parsed.iter().flatten().cloned().collect();
        let ours: HashSet<DepartmentId> = self
            .store
            .departments_by_id(&asked)
            .await?
            .into_iter()
            .filter(|d| &d.partner_id == partner)
            .map(|d| d.id)
            .collect();
        let mut departments: Vec<DepartmentId> = Vec::with_capacity(ids.len());
        for (n, id) in parsed.into_iter().enumerate() {
            let field = format!("departments[{n}]");
            let Some(id) = id.filter(|id| ours.contains(id)) else {
                return Err(FieldError::new(field, "is not a department of this partner").into());
            };
            if departments.contains(&id) {
                return Err(FieldError::new(field, "is listed twice").into());
            }
            departments.push(id);
        }
        Ok(departments)
    }

    /// Invites members of the site's partner to the site (the partner's admins). All or
    /// nothing: if any pick is invalid, nothing is sent and the error names it
    /// (`technicians[2].account_id`). An open invitation is returned as it is.
    #[tracing::instrument(name = "app.invite_to_site", skip_all)]
    pub async fn invite_to_site(
        &self,
        caller: &Caller,
        site: &SiteId,
        input: SiteInvite<'_>,
        retry: Retry<'_>,
        answer: impl FnOnce(&Vec<Invitation>) -> AppResult<StoredAnswer>,
    ) -> AppResult<Answer<Vec<Invitation>>> {
        let site = self.visible_site(caller, site, SiteAccess::View).await?;
        authorize(&caller.principal, Action::ManageMembers(&site.partner_id))?;
        count_between_1_and_max("technicians", input.technicians.len(), "picks")?;
        let idempotency = Idempotency::new(caller, &retry, &format!("invite-site/{}", site.id))?;
        if let Some(stored) = idempotency.replay(self).await? {
            return Ok(Answer::Replayed(stored));
        }
        let default_level = input
            .level
            .map(|l| PermissionLevel::parse("level", l))
            .transpose()?;
        let asked: Vec<AccountId> = input
            .technicians
            .iter()
            .filter_map(|pick| AccountId::parse("account_id", pick.account_id).ok())
            .collect();
        let members = self.store.members_among(&site.partner_id, &asked).await?;
        let excluded = self.store.site_people_among(&site.id, &asked).await?;
        let mut picks: Vec<(&Site, Email, PermissionLevel)> =
            Vec::with_capacity(input.technicians.len());
        let mut picked: HashSet<AccountId> = HashSet::new();
        for (n, pick) in input.technicians.iter().enumerate() {
            let field = |name: &str| format!("technicians[{n}].{name}");
            let account_id = AccountId::parse(&field("account_id"), pick.account_id)?;
            let Some((_, account)) = members
                .iter()
                .find(|(m, _)| m.account_id == account_id && m.status == MemberStatus::Active)
            else {
                return Err(FieldError::new(
                    field("account_id"),
                    "is not an active member of the site's partner",
                )
                .into());
            };
            if excluded.contains(&account_id) {
                return Err(FieldError::new(
                    field("account_id"),
                    "is already an admin or a technician of this site",
                )
                .into());
            }
            if !picked.insert(account_id) {
                return Err(FieldError::new(field("account_id"), "is picked twice").into());
            }
            let level = match pick.level {
                Some(level) => PermissionLevel::parse(&field("level"), level)?,
                None => default_level.ok_or_else(|| {
                    FieldError::new(
                        field("level"),
                        "is required when the request has no `level` for all",
                    )
                })?,
            };
            picks.push((&site, account.email.clone(), level));
        }
        let (written, invitations) = self
            .draft_site_invitations(caller, &site.partner_id, picks, input.locale)
            .await?;
        self.commit(caller, written, &idempotency, invitations, answer)
            .await
    }

    /// Invites one member of a partner to many of its sites at once (its admins). All or
    /// nothing: a site that is not the partner's, or where the member is already an admin or
    /// a technician, fails the whole request and is named (`site_ids[3]`). An open invitation
    /// to a site is returned as it is.
    #[tracing::instrument(name = "app.invite_to_sites", skip_all)]
    pub async fn invite_to_sites(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        account: &AccountId,
        input: SitesInvite<'_>,
        retry: Retry<'_>,
        answer: impl FnOnce(&Vec<Invitation>) -> AppResult<StoredAnswer>,
    ) -> AppResult<Answer<Vec<Invitation>>> {
        let partner_id = partner;
        authorize(&caller.principal, Action::ManageMembers(partner_id))?;
        let account_id = account;
        let member = self.store.member(partner_id, account_id).await?;
        if member.membership.status != MemberStatus::Active {
            return Err(AppError::conflict(
                "membership_disabled",
                "the member is disabled; enable them first",
            ));
        }
        count_between_1_and_max("site_ids", input.site_ids.len(), "sites")?;
        let level = PermissionLevel::parse("level", input.level)?;
        let idempotency = Idempotency::new(
            caller,
            &retry,
            &format!("invite-sites/{partner_id}/{account_id}"),
        )?;
        if let Some(stored) = idempotency.replay(self).await? {
            return Ok(Answer::Replayed(stored));
        }
        let mut sites: Vec<Site> = Vec::with_capacity(input.site_ids.len());
        for (n, id) in input.site_ids.iter().enumerate() {
            let field = format!("site_ids[{n}]");
            let not_ours = || FieldError::new(field.clone(), "is not a site of this partner");
            let site_id = SiteId::parse(&field, id)?;
            let site = match self.store.site(&site_id).await {
                Ok(site) if site.partner_id == *partner_id => site,
                Ok(_) | Err(StorageError::NotFound) => return Err(not_ours().into()),
                Err(other) => return Err(other.into()),
            };
            if sites.iter().any(|s| s.id == site.id) {
                return Err(FieldError::new(field, "is listed twice").into());
            }
            let already = self
                .store
                .site_people_among(&site.id, std::slice::from_ref(account_id))
                .await?;
            if already.contains(account_id) {
                return Err(FieldError::new(
                    field,
                    "already has this member as an admin or a technician",
                )
                .into());
            }
            sites.push(site);
        }
        let picks = sites
            .iter()
            .map(|site| (site, member.email.clone(), level))
            .collect();
        let (written, invitations) = self
            .draft_site_invitations(caller, partner_id, picks, input.locale)
            .await?;
        self.commit(caller, written, &idempotency, invitations, answer)
            .await
    }

    /// Whether the caller may approve or deny `inv` if it is held for approval: what a page
    /// asks to offer Approve and Deny, by the rule [`App::decide_invitation`] applies.
    pub fn approves_invitation(&self, caller: &Caller, inv: &Invitation) -> bool {
        may_decide(caller, inv).is_ok()
    }

    /// Approves or denies an invitation awaiting approval: the partner's Super Admins (and the
    /// operator), and for an invitation to a site also the site's admins. Approved, it is sent
    /// as its inviter's — a fresh link, its time counted from now; denied, the inviter is told
    /// why (`reason` is required). Two approvers at once yield one decision: the later gets
    /// `409 invitation_not_awaiting_approval`. Another tenant's invitation is `404`.
    #[tracing::instrument(name = "app.decide_invitation", skip_all)]
    pub async fn decide_invitation(
        &self,
        caller: &Caller,
        id: &InvitationId,
        approve: bool,
        reason: Option<&str>,
    ) -> AppResult<Invitation> {
        let mut inv = self.store.invitation(id).await?;
        may_decide(caller, &inv)?;
        let reason = match (approve, reason.map(str::trim).filter(|r| !r.is_empty())) {
            (_, Some(reason)) => Some(validate::text("reason", reason, MAX_DENIAL_LEN)?),
            (true, None) => None,
            (false, None) => {
                return Err(FieldError::new(
                    "reason",
                    "say why it is denied: the inviter reads it",
                )
                .into());
            }
        };
        let partner = self.store.partner(&inv.partner_id).await?;
        let site = match inv.target.site() {
            Some(site) => Some(self.store.site(site).await?),
            None => None,
        };
        let now = self.now();
        let ttl = chrono::Duration::hours(i64::from(partner.invitation_ttl_hours));
        inv.decide(approve, reason.clone(), now, ttl)?;
        let invited_by = self.store.account(&inv.invited_by).await?;
        let (partner_id, site_id) = (inv.partner_id.clone(), inv.target.site().cloned());
        let tenant = (Some(&partner_id), site_id.as_ref());
        let (item, event) = if approve {
            let inviter = Inviter {
                account: invited_by.id.clone(),
                name: invited_by.name.clone(),
                role: InviterRole::Admin,
            };
            let drafter = Drafter {
                app: self,
                partner: &partner,
                site: site.as_ref(),
                inviter: &inviter,
                locale: &inv.locale.clone(),
            };
            let job = drafter.draft(&mut inv);
            let drafted = vec![Drafted {
                invitation: inv.clone(),
                job: Some(job),
                grants: Vec::new(),
            }];
            let item = self
                .with_emails(caller, drafted)
                .await
                .pop()
                .expect("one invitation in, one out");
            let mut changes = vec![
                FieldChange::changed(
                    "status",
                    InvitationStatus::AwaitingApproval,
                    InvitationStatus::Pending,
                ),
                FieldChange::set("email", &inv.email),
                FieldChange::set("expires_at", inv.expires_at.to_rfc3339()),
            ];
            if let Some(comment) = &reason {
                changes.push(FieldChange::set("comment", comment));
            }
            let event = caller.audit.event(
                self,
                AuditAction::InvitationApproved,
                tenant,
                invitation_target(&inv.id),
                changes,
            );
            (item, event)
        } else {
            let event = caller.audit.event(
                self,
                AuditAction::InvitationDenied,
                tenant,
                invitation_target(&inv.id),
                vec![
                    FieldChange::changed(
                        "status",
                        InvitationStatus::AwaitingApproval,
                        InvitationStatus::Denied,
                    ),
                    FieldChange::set("email", &inv.email),
                    FieldChange::set("reason", reason.as_deref().unwrap_or_default()),
                    // Whom the notification hooks tell: the inviter.
                    FieldChange::set("inviter_email", &invited_by.email),
                ],
            );
            let item = NewInvitation {
                invitation: inv.clone(),
                message: None,
                grants: Vec::new(),
            };
            (item, event)
        };
        let written = self
            .queue_mail(move |store| async move { store.decide_invitation(&item, &event).await })
            .await;
        match written {
            Ok(()) => Ok(inv),
            Err(StorageError::Conflict(siteward_storage::Conflict::InvitationNotPending)) => {
                Err(AppError::conflict(
                    "invitation_not_awaiting_approval",
                    "someone decided this invitation meanwhile; reload to see what became of it",
                ))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Resends an invitation that is Pending, Expired or Revoked (the partner's admins): a
    /// fresh link and expiry, and back to Pending; the old link stops working.
    #[tracing::instrument(name = "app.resend_invitation", skip_all)]
    pub async fn resend_invitation(
        &self,
        caller: &Caller,
        id: &InvitationId,
        retry: Retry<'_>,
        answer: impl FnOnce(&Invitation) -> AppResult<StoredAnswer>,
    ) -> AppResult<Answer<Invitation>> {
        let mut inv = self.manageable_invitation(caller, id).await?;
        let idempotency = Idempotency::new(caller, &retry, &format!("resend/{}", inv.id))?;
        if let Some(stored) = idempotency.replay(self).await? {
            return Ok(Answer::Replayed(stored));
        }
        let partner = self.store.partner(&inv.partner_id).await?;
        let site = match inv.target.site() {
            Some(site) => Some(self.store.site(site).await?),
            None => None,
        };
        let now = self.now();
        let before = inv.status_at(now);
        inv.resend(
            now,
            chrono::Duration::hours(i64::from(partner.invitation_ttl_hours)),
            String::new(),
        )?;
        let inviter = self.inviter(caller, &inv.partner_id).await?;
        let drafter = Drafter {
            app: self,
            partner: &partner,
            site: site.as_ref(),
            inviter: &inviter,
            locale: &inv.locale.clone(),
        };
        let job = drafter.draft(&mut inv);
        let event = caller.audit.event(
            self,
            AuditAction::InvitationResent,
            (Some(&inv.partner_id), inv.target.site()),
            invitation_target(&inv.id),
            vec![
                FieldChange::changed("status", before, InvitationStatus::Pending),
                FieldChange::set("expires_at", inv.expires_at.to_rfc3339()),
            ],
        );
        let record = idempotency.record(self, &inv, answer)?;
        let drafted = vec![Drafted {
            invitation: inv.clone(),
            job: Some(job),
            grants: Vec::new(),
        }];
        let mut items = self.with_emails(caller, drafted).await;
        let item = items.pop().expect("one invitation in, one out");
        let written = self
            .queue_mail(move |store| async move {
                store
                    .resend_invitation(&item, &event, record.as_ref())
                    .await
            })
            .await;
        match written {
            Ok(()) => Ok(Answer::Done(inv)),
            Err(error) => idempotency.settle(self, error).await,
        }
    }

    /// The picker (the partner's admins): the partner's active Admins and Technicians who
    /// could be invited to the site — not its site admins, not already assigned, and without
    /// an open invitation to it — whose name or email contains `search`.
    pub async fn candidates(
        &self,
        caller: &Caller,
        site: &SiteId,
        search: Option<&str>,
        paging: Paging<'_>,
    ) -> AppResult<Page<Candidate>> {
        let picker = self
            .picker(caller, site, search.unwrap_or_default(), &[], paging)
            .await?;
        Ok(picker.candidates)
    }

    /// The picker as a page shows it (the partner's admins): the candidates whose name or
    /// email contains `search`, less the ones already `picked`; and the picked ones that are
    /// still candidates, in the order given (an id that is not, or is malformed, is dropped).
    /// It reads the partner's members a batch at a time, as far as the page needs: a page
    /// costs the same with 100 members or 100,000.
    pub async fn picker(
        &self,
        caller: &Caller,
        site: &SiteId,
        search: &str,
        picked: &[&str],
        paging: Paging<'_>,
    ) -> AppResult<Picker> {
        let site = self.visible_site(caller, site, SiteAccess::View).await?;
        authorize(&caller.principal, Action::ManageMembers(&site.partner_id))?;
        let page = paging.parse()?;
        let excluded: HashSet<AccountId> = self
            .store
            .site_people(&site.id)
            .await?
            .into_iter()
            .collect();
        let mut chosen = Vec::with_capacity(picked.len());
        for id in picked {
            let Ok(id) = AccountId::parse("pick", id) else {
                continue;
            };
            match self.store.member(&site.partner_id, &id).await {
                Ok(member) => chosen.push(member),
                Err(StorageError::NotFound) => {}
                Err(other) => return Err(other.into()),
            }
        }
        let picked_ids: HashSet<AccountId> = chosen
            .iter()
            .map(|m| m.membership.account_id.clone())
            .collect();
        let chosen = self.candidates_among(&site, &excluded, chosen).await?;
        // Status is checked among the batch (`candidates_among`): a condition beside the
        // search keeps the members' read a plain walk of its index from the cursor on.
        let filter = MemberFilter {
            search: Some(search.trim().to_owned()).filter(|s| !s.is_empty()),
            ..MemberFilter::default()
        };
        let wanted = page.limit as usize + 1;
        let mut matching: Vec<Candidate> = Vec::with_capacity(wanted);
        let mut after = page.after.clone();
        loop {
            let batch = self
                .store
                .members(
                    &site.partner_id,
                    &filter,
                    &PageRequest {
                        limit: CANDIDATE_BATCH,
                        after: after.clone(),
                    },
                )
                .await?;
            let fresh: Vec<Member> = batch
                .items
                .into_iter()
                .filter(|m| !picked_ids.contains(&m.membership.account_id))
                .collect();
            matching.extend(self.candidates_among(&site, &excluded, fresh).await?);
            match batch.next_cursor {
                Some(cursor) if matching.len() < wanted => after = Some(cursor),
                _ => break,
            }
        }
        matching.truncate(wanted);
        Ok(Picker {
            candidates: Page::from_overfetch(matching, page.limit, |c| c.account_id().as_str()),
            picked: chosen,
        })
    }

    /// The members who could be invited to the site, in the order given: active members of
    /// any role (a Super Admin works at sites like anyone, as the API allows), not its site
    /// admins or technicians, without an open invitation to it.
    async fn candidates_among(
        &self,
        site: &Site,
        excluded: &HashSet<AccountId>,
        members: Vec<Member>,
    ) -> AppResult<Vec<Candidate>> {
        let members: Vec<Member> = members
            .into_iter()
            .filter(|m| {
                m.membership.status == MemberStatus::Active
                    && !excluded.contains(&m.membership.account_id)
            })
            .collect();
        let keys: Vec<String> = members
            .iter()
            .map(|m| invitation::open_key(&site.partner_id, Some(&site.id), &m.email))
            .collect();
        let now = self.now();
        let invited: HashSet<Email> = self
            .store
            .open_invitations(&keys)
            .await?
            .into_iter()
            .filter(|inv| inv.status_at(now) == InvitationStatus::Pending)
            .map(|inv| inv.email)
            .collect();
        Ok(members
            .into_iter()
            .filter(|m| !invited.contains(&m.email))
            .map(|member| Candidate { member })
            .collect())
    }

    /// A partner's invitations, to the partner and to its sites (its admins), with where each
    /// one's latest email stands; `status` (as given) filters them as of now.
    pub async fn partner_invitations(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        status: Option<&str>,
        paging: Paging<'_>,
    ) -> AppResult<Page<(Invitation, Option<Delivery>)>> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        self.list_invitations(InvitationScope::Partner(partner), status, paging)
            .await
    }

    /// A site's invitations (its admins and the partner's admins).
    pub async fn site_invitations(
        &self,
        caller: &Caller,
        site: &SiteId,
        status: Option<&str>,
        paging: Paging<'_>,
    ) -> AppResult<Page<(Invitation, Option<Delivery>)>> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageAdmins)
            .await?;
        self.list_invitations(InvitationScope::Site(&site.id), status, paging)
            .await
    }

    /// The partner's outgoing email (its admins): what was sent, what waits for a retry, what
    /// failed; `status` is `pending`, `sent` or `failed`.
    pub async fn outbox(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        status: Option<&str>,
        paging: Paging<'_>,
    ) -> AppResult<Page<OutboxMessage>> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let status = match status {
            None => None,
            Some("pending") => Some(OutboxStatus::Pending),
            Some("sent") => Some(OutboxStatus::Sent),
            Some("failed") => Some(OutboxStatus::Failed),
            Some(_) => {
                return Err(
                    FieldError::new("status", "must be one of: pending, sent, failed").into(),
                );
            }
        };
        let page = paging.parse()?;
        Ok(self.store.outbox_messages(partner, status, &page).await?)
    }

    async fn list_invitations(
        &self,
        scope: InvitationScope<'_>,
        status: Option<&str>,
        paging: Paging<'_>,
    ) -> AppResult<Page<(Invitation, Option<Delivery>)>> {
        let status = status
            .map(|s| InvitationStatus::parse("status", s))
            .transpose()?;
        let page = paging.parse()?;
        let invitations = self
            .store
            .invitations(scope, status, self.now(), &page)
            .await?;
        let ids: Vec<InvitationId> = invitations.items.iter().map(|i| i.id.clone()).collect();
        let mut deliveries: HashMap<InvitationId, Delivery> = self
            .store
            .invitation_deliveries(&ids)
            .await?
            .into_iter()
            .map(|d| (d.invitation_id.clone(), d))
            .collect();
        Ok(invitations.map(|inv| {
            let delivery = deliveries.remove(&inv.id);
            (inv, delivery)
        }))
    }

    /// The invitations open under `keys`, by key.
    async fn open_invitations(&self, keys: &[String]) -> AppResult<HashMap<String, Invitation>> {
        Ok(self
            .store
            .open_invitations(keys)
            .await?
            .into_iter()
            .map(|inv| (inv.open_key(), inv))
            .collect())
    }

    /// Who acts, for "invited by" and the email: the person, or the token's creator.
    async fn inviter(&self, caller: &Caller, partner: &PartnerId) -> AppResult<Inviter> {
        let role = InviterRole::of(&caller.principal, partner);
        if let Some(account) = &caller.account {
            return Ok(Inviter {
                account: account.id.clone(),
                name: account.name.clone(),
                role,
            });
        }
        let Principal::ApiToken { token_id, .. } = &caller.principal else {
            return Err(AppError::forbidden());
        };
        let token = self.store.api_token(token_id).await?;
        let creator = self.store.account(&token.created_by).await?;
        Ok(Inviter {
            account: creator.id,
            name: creator.name,
            role,
        })
    }

    /// Invites an address to become an admin of a site (the site's admins, and the partner's
    /// with `admin.team`): how someone the site's tenant does not know yet — an account of
    /// another organisation, or an address with no account — becomes its admin, by accepting.
    /// The answer is the same whether the address has an account. An open invitation of the
    /// address to the site is returned as it is (no second email); one to work there as a
    /// technician is `409 already_invited`. Invitation policies are about technicians and
    /// members; they are not asked.
    #[tracing::instrument(name = "app.invite_site_admin", skip_all)]
    pub async fn invite_site_admin(
        &self,
        caller: &Caller,
        site: &SiteId,
        email: &str,
        locale: Option<&str>,
        retry: Retry<'_>,
        answer: impl FnOnce(&Invitation) -> AppResult<StoredAnswer>,
    ) -> AppResult<Answer<Invitation>> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageAdmins)
            .await?;
        let email = Email::parse("email", email)?;
        let idempotency =
            Idempotency::new(caller, &retry, &format!("invite-site-admin/{}", site.id))?;
        if let Some(stored) = idempotency.replay(self).await? {
            return Ok(Answer::Replayed(stored));
        }
        // The site's own people are the caller's to see: who is there already is no secret.
        if let Some(account) = self.store.account_id_by_email(&email).await?
            && !self
                .store
                .site_people_among(&site.id, std::slice::from_ref(&account))
                .await?
                .is_empty()
        {
            return Err(AppError::conflict(
                "already_at_site",
                "this address is already an admin or a technician of this site",
            ));
        }
        let partner = self.store.partner(&site.partner_id).await?;
        let locale = email_locale(locale, &partner)?;
        let inviter = self.inviter(caller, &site.partner_id).await?;
        let key = invitation::open_key(&site.partner_id, Some(&site.id), &email);
        let open = self.open_invitations(std::slice::from_ref(&key)).await?;
        let mut written = Written::default();
        let target = InvitationTarget::SiteAdmin {
            site_id: site.id.clone(),
        };
        let invitation = match still_open(self, caller, open.get(&key), &mut written.expired) {
            Some(existing) if existing.target == target => existing.clone(),
            Some(_) => {
                return Err(AppError::conflict(
                    "already_invited",
                    "this address has an open invitation to work at this site; revoke it first",
                ));
            }
            None => {
                let drafter = Drafter {
                    app: self,
                    partner: &partner,
                    site: Some(&site),
                    inviter: &inviter,
                    locale: &locale,
                };
                let drafted = drafter.new_invitation(target, email);
                let invitation = drafted.invitation.clone();
                written.new.push(drafted);
                invitation
            }
        };
        self.commit(caller, written, &idempotency, invitation, answer)
            .await
    }

    /// Asks the partner's invitation policies about proposed invitations.
    async fn ask_policies(
        &self,
        caller: &Caller,
        inviter: &Inviter,
        partner: &PartnerId,
        asks: Vec<Ask<'_>>,
    ) -> AppResult<Vec<Verdict>> {
        let now = self
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let batch_size = u32::try_from(asks.len()).unwrap_or(u32::MAX);
        let asked: Vec<(Email, Option<SiteId>)> = asks
            .iter()
            .map(|ask| (ask.email.clone(), ask.site.clone()))
            .collect();
        let proposals = asks
            .into_iter()
            .map(|ask| Proposal {
                invitation: ProposedInvitation {
                    partner_id: partner.to_string(),
                    inviter_id: inviter.account.to_string(),
                    inviter_role: inviter.role.as_str().to_owned(),
                    invitee_email: ask.email.to_string(),
                    site_id: ask.site.as_ref().map(ToString::to_string),
                    level: ask.level.map(|l| l.as_str().to_owned()),
                    role: ask.role.map(|r| r.as_str().to_owned()),
                    now: now.clone(),
                    batch_size,
                },
                site: ask.site,
            })
            .collect();
        let verdicts =
            evaluate_invitations(self, caller.audit.request_id.as_deref(), partner, proposals)
                .await
                .map_err(|unavailable| {
                    AppError::unavailable(
                        "policy_unavailable",
                        format!(
                            "the invitation policy {} could not be asked ({}); nothing was sent",
                            unavailable.plugin, unavailable.reason
                        ),
                    )
                })?;
        self.audit_policy_decisions(caller, inviter, partner, &asked, &verdicts)
            .await;
        Ok(verdicts)
    }

    /// Records what the policies decided besides allowing, whether or not the request goes
    /// on: a denial, or a call for approval with whether the inviter's sending gives it. In
    /// their own transaction, before the request's: a refused request writes nothing else.
    async fn audit_policy_decisions(
        &self,
        caller: &Caller,
        inviter: &Inviter,
        partner: &PartnerId,
        asked: &[(Email, Option<SiteId>)],
        verdicts: &[Verdict],
    ) {
        let events: Vec<AuditEvent> = asked
            .iter()
            .zip(verdicts)
            .filter_map(|((email, site), verdict)| {
                let (plugin, decision, reason) = match verdict {
                    Verdict::Allow => return None,
                    Verdict::Deny { plugin, reason } => (plugin, "deny", reason),
                    Verdict::ApprovalRequired { plugin, reason } => {
                        let approved = inviter.role.approves();
                        let decision = if approved {
                            "approval_required: approved by the inviter's role"
                        } else {
                            "approval_required: held for an approver"
                        };
                        (plugin, decision, reason)
                    }
                };
                Some(caller.audit.event(
                    self,
                    AuditAction::InvitationPolicyDecided,
                    (Some(partner), site.as_ref()),
                    AuditTarget {
                        kind: TargetKind::Plugin,
                        id: plugin.clone(),
                    },
                    vec![
                        FieldChange::set("email", email),
                        FieldChange::set("decision", decision),
                        FieldChange::set("reason", reason),
                    ],
                ))
            })
            .collect();
        if events.is_empty() {
            return;
        }
        if let Err(error) = self.store.record_events(&events).await {
            tracing::error!(%error, "recording invitation policy decisions failed");
        }
    }

    /// Drafts the site invitations of `(site, email, level)` picks, in order: an open
    /// invitation for a site and email is reused as it is (no second email), a new one is
    /// drafted otherwise. A policy's refusal of any refuses them all.
    async fn draft_site_invitations(
        &self,
        caller: &Caller,
        partner_id: &PartnerId,
        picks: Vec<(&Site, Email, PermissionLevel)>,
        locale: Option<&str>,
    ) -> AppResult<(Written, Vec<Invitation>)> {
        let partner = self.store.partner(partner_id).await?;
        let locale = email_locale(locale, &partner)?;
        let inviter = self.inviter(caller, partner_id).await?;
        let keys: Vec<String> = picks
            .iter()
            .map(|(site, email, _)| invitation::open_key(partner_id, Some(&site.id), email))
            .collect();
        let open = self.open_invitations(&keys).await?;
        let now = self.now();
        let fresh: Vec<bool> = keys
            .iter()
            .map(|key| {
                open.get(key)
                    .is_none_or(|inv| !inv.status_at(now).is_open())
            })
            .collect();
        let asks = picks
            .iter()
            .zip(&fresh)
            .filter(|(_, fresh)| **fresh)
            .map(|((site, email, level), _)| Ask {
                site: Some(site.id.clone()),
                email,
                level: Some(*level),
                role: None,
            })
            .collect();
        let verdicts = self
            .ask_policies(caller, &inviter, partner_id, asks)
            .await?;
        let fresh_picks = picks.iter().zip(&fresh).filter(|(_, fresh)| **fresh);
        for (((site, email, _), _), verdict) in fresh_picks.zip(&verdicts) {
            let refused = |kind, code, reason: &str| {
                Err(AppError::new(
                    kind,
                    code,
                    format!(
                        "the invitation of {email} to the site {} was refused by an invitation policy: {reason}; nothing was sent",
                        site.name
                    ),
                ))
            };
            match verdict {
                Verdict::Deny { reason, .. } => {
                    return refused(Kind::Invalid, "invitation_denied", reason);
                }
                Verdict::Allow | Verdict::ApprovalRequired { .. } => {}
            }
        }
        let mut written = Written::default();
        let mut invitations = Vec::with_capacity(picks.len());
        // The fresh picks' verdicts, in their order: one per pick that `still_open` passes.
        let mut verdicts = verdicts.into_iter();
        for ((site, email, level), key) in picks.into_iter().zip(keys) {
            if let Some(existing) = still_open(self, caller, open.get(&key), &mut written.expired) {
                invitations.push(existing.clone());
                continue;
            }
            let verdict = verdicts.next();
            let drafter = Drafter {
                app: self,
                partner: &partner,
                site: Some(site),
                inviter: &inviter,
                locale: &locale,
            };
            let target = InvitationTarget::Site {
                site_id: site.id.clone(),
                level,
            };
            let item = match &verdict {
                Some(Verdict::ApprovalRequired { reason, .. }) if !inviter.role.approves() => {
                    drafter.awaiting_approval(target, email, reason)
                }
                _ => drafter.new_invitation(target, email),
            };
            invitations.push(item.invitation.clone());
            written.new.push(item);
        }
        Ok((written, invitations))
    }

    /// Renders the drafts' emails (through the renderer plugin where one is enabled) and makes
    /// their outbox rows.
    async fn with_emails(&self, caller: &Caller, drafted: Vec<Drafted>) -> Vec<NewInvitation> {
        let mut jobs = Vec::with_capacity(drafted.len());
        let invitations: Vec<(Invitation, Vec<AccessGrant>, bool)> = drafted
            .into_iter()
            .map(|d| {
                let sending = d.job.is_some();
                jobs.extend(d.job);
                (d.invitation, d.grants, sending)
            })
            .collect();
        let rendered = render_invitations(self, caller.audit.request_id.as_deref(), jobs).await;
        let mut rendered = rendered.into_iter();
        invitations
            .into_iter()
            .map(|(invitation, grants, sending)| {
                let email = if sending { rendered.next() } else { None };
                let message = email.map(|email| {
                    OutboxMessage::pending(
                        self.new_id(OutboxMessageId::from_trusted),
                        &self.message_id_domain,
                        Some(invitation.partner_id.clone()),
                        Some(invitation.id.clone()),
                        invitation.email.to_string(),
                        email.subject,
                        Some(email.html),
                        Some(email.text),
                        self.now(),
                    )
                });
                NewInvitation {
                    invitation,
                    message,
                    grants,
                }
            })
            .collect()
    }

    /// Writes a request's invitations, their emails and audit events, and its answer under
    /// the retry key, in one transaction; then wakes the delivery worker.
    async fn commit<T>(
        &self,
        caller: &Caller,
        written: Written,
        idempotency: &Idempotency,
        output: T,
        answer: impl FnOnce(&T) -> AppResult<StoredAnswer>,
    ) -> AppResult<Answer<T>> {
        let record = idempotency.record(self, &output, answer)?;
        let new = self.with_emails(caller, written.new).await;
        let events: Vec<AuditEvent> = new
            .iter()
            .map(|n| created_event(self, caller, &n.invitation, &n.grants))
            .collect();
        let expired = written.expired;
        let result = self
            .queue_mail(move |store| async move {
                store
                    .create_invitations(&new, &expired, &events, record.as_ref())
                    .await
            })
            .await;
        match result {
            Ok(()) => Ok(Answer::Done(output)),
            Err(error) => idempotency.settle(self, error).await,
        }
    }
}
