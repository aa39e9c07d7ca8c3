//! Invitations, one at a time: reading and revoking one (the inviting partner's admins), and
//! the invitee's side — what a link offers, and accepting it, signed in or signing up.

use subtle::ConstantTimeEq;

use siteward_core::access::{Action, SiteRef, authorize};
use siteward_core::account::{Account, AccountStatus};
use siteward_core::assignment::SiteAssignment;
use siteward_core::audit::{Actor, AuditAction, AuditEvent, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::{AccountId, InvitationId};
use siteward_core::invitation::{Invitation, InvitationTarget};
use siteward_core::permission::index::Change;
use siteward_core::permission::records::GrantSubject;
use siteward_core::secret::{self, TokenKind};
use siteward_core::tenancy::{MemberStatus, PartnerMembership, SiteAdmin};
use siteward_core::validate;
use siteward_storage::{Acceptance, Conflict, NewAccount, StorageError};

/// Where an invitation's latest email stands.
pub use siteward_storage::Delivery;

use crate::auth::{self, Caller};
use crate::error::{AppError, AppResult};
use crate::services::{App, AuditContext};

/// What an invitation link offers, for the page the link opens.
#[derive(Debug)]
pub struct Preview {
    /// The invitation.
    pub invitation: Invitation,
    /// The partner that invites.
    pub partner_name: String,
    /// The site, for a site invitation.
    pub site_name: Option<String>,
    /// For a site invitation, whether the site's Technician Access is on: while off, access
    /// accepted now waits until the site's admins switch it on.
    pub technician_access: Option<bool>,
    /// Whether an account with the invited email exists: sign in to accept; otherwise sign up.
    pub account_exists: bool,
}

/// A new account made while accepting: the email is the invitation's.
#[derive(Debug, Default)]
pub struct SignUp {
    /// Its name (`name`).
    pub name: Option<String>,
    /// Its password (`password`).
    pub password: Option<String>,
}

/// The audit target of an invitation.
pub fn invitation_target(id: &InvitationId) -> AuditTarget {
    AuditTarget {
        kind: TargetKind::Invitation,
        id: id.to_string(),
    }
}

fn link_not_valid() -> AppError {
    AppError::new(
        crate::Kind::NotFound,
        "invitation_not_found",
        "this invitation link is not valid; it may have been replaced by a newer one",
    )
}

impl App {
    /// An invitation the caller may see (the inviting partner's admins; for an invitation to a
    /// site, also the site's admins, who list it), with where its latest email stands.
    pub async fn invitation(
        &self,
        caller: &Caller,
        id: &InvitationId,
    ) -> AppResult<(Invitation, Option<Delivery>)> {
        let inv = self.visible_invitation(caller, id).await?;
        let delivery = self
            .store
            .invitation_deliveries(std::slice::from_ref(&inv.id))
            .await?
            .pop();
        Ok((inv, delivery))
    }

    /// Revokes a Pending invitation; its link stops working. The inviting partner's admins,
    /// and for an invitation to a site its admins too (who would otherwise have to delete the
    /// access once accepted). Resending stays with the partner: it sends the partner's email.
    #[tracing::instrument(name = "app.revoke_invitation", skip_all)]
    pub async fn revoke_invitation(
        &self,
        caller: &Caller,
        id: &InvitationId,
    ) -> AppResult<Invitation> {
        let mut inv = self.visible_invitation(caller, id).await?;
        inv.revoke(self.now())?;
        let event = caller.audit.event(
            self,
            AuditAction::InvitationRevoked,
            (Some(&inv.partner_id), inv.target.site()),
            invitation_target(&inv.id),
            vec![FieldChange::changed("status", "pending", "revoked")],
        );
        self.store
            .revoke_invitation(&inv, &event)
            .await
            .map_err(|error| match error {
                StorageError::Conflict(Conflict::InvitationNotPending) => AppError::conflict(
                    "invitation_not_pending",
                    "the invitation changed meanwhile (accepted, revoked or resent); reload it",
                ),
                other => other.into(),
            })?;
        Ok(inv)
    }

    /// What the invitation behind a link's token offers. Needs no caller: the token is the
    /// credential.
    pub async fn preview_invitation(&self, token: &str) -> AppResult<Preview> {
        let invitation = self.invitation_by_token(token).await?;
        let partner = self.store.partner(&invitation.partner_id).await?;
        let (site_name, technician_access) = match invitation.target.site() {
            Some(site) => {
                let site = self.store.site(site).await?;
                (Some(site.name), Some(site.technician_access))
            }
            None => (None, None),
        };
        let account_exists = self
            .store
            .account_id_by_email(&invitation.email)
            .await?
            .is_some();
        Ok(Preview {
            invitation,
            partner_name: partner.name,
            site_name,
            technician_access,
            account_exists,
        })
    }

    /// Accepts the invitation behind a link's token, as the signed-in `caller` or as a new
    /// account signing up with the invited email. A partner invitation makes the account a
    /// member; a site invitation creates its site assignment, Locked until a site admin
    /// unlocks it. Each link works once; everything is one transaction.
    #[tracing::instrument(name = "app.accept_invitation", skip_all)]
    pub async fn accept_invitation(
        &self,
        caller: Option<&Caller>,
        token: &str,
        sign_up: SignUp,
    ) -> AppResult<Invitation> {
        let mut inv = self.invitation_by_token(token).await?;
        let now = self.now();
        // A used, expired or withdrawn link says so first, whether one signs up or logs in.
        inv.check_open(now)?;
        let (account, new_account) = match (caller, sign_up.password) {
            (Some(caller), _) => (caller.account()?.clone(), None),
            (None, Some(password)) => {
                let name = validate::name("name", sign_up.name.as_deref().unwrap_or_default())?;
                auth::new_password("password", &password, &[inv.email.as_str(), &name])?;
                if self.store.account_id_by_email(&inv.email).await?.is_some() {
                    return Err(AppError::conflict(
                        "account_exists",
                        "an account with this email exists; log in to accept the invitation",
                    ));
                }
                let account = Account {
                    id: self.new_id(AccountId::from_trusted),
                    email: inv.email.clone(),
                    name,
                    status: AccountStatus::Active,
                    is_operator: false,
                    totp_enabled: false,
                    locale: None,
                    created_at: now,
                };
                let password_hash = auth::hash_password_blocking(password).await?;
                (
                    account.clone(),
                    Some(NewAccount {
                        account,
                        password_hash,
                    }),
                )
            }
            (None, None) => {
                return Err(AppError::unauthenticated(
                    "unauthenticated",
                    "log in as the invited account, or sign up with a name and password, to accept",
                ));
            }
        };
        inv.accept(&account.id, &account.email, now)?;
        // Events are the caller's, or — for a person signing up — the new account's.
        let audit = caller.map_or_else(
            || AuditContext {
                actor: Actor::Account(account.id.clone()),
                request_id: None,
            },
            |caller| caller.audit.clone(),
        );
        let tenant = (Some(&inv.partner_id), inv.target.site());
        let event = |action, target, changes| audit.event(self, action, tenant, target, changes);
        let mut events: Vec<AuditEvent> = Vec::new();
        if let Some(new) = &new_account {
            events.push(event(
                AuditAction::AccountCreated,
                AuditTarget {
                    kind: TargetKind::Account,
                    id: new.account.id.to_string(),
                },
                vec![FieldChange::set("email", &new.account.email)],
            ));
        }
        // Grants configured for the future member while the invitation waited: theirs now.
        let waiting = match inv.target {
            InvitationTarget::Partner { .. } => self.store.grants_waiting_for(&inv.id).await?,
            _ => Vec::new(),
        };
        let mut accepted = vec![FieldChange::changed("status", "pending", "accepted")];
        if !waiting.is_empty() {
            let ids: Vec<&str> = waiting.iter().map(|g| g.id.as_str()).collect();
            accepted.push(FieldChange::set("grants", ids.join(",")));
        }
        events.push(event(
            AuditAction::InvitationAccepted,
            invitation_target(&inv.id),
            accepted,
        ));
        let acceptance = match &inv.target {
            InvitationTarget::Partner { role } => {
                let already = match self.store.member(&inv.partner_id, &account.id).await {
                    Ok(_) => true,
                    Err(StorageError::NotFound) => false,
                    Err(other) => return Err(other.into()),
                };
                let membership = (!already).then(|| {
                    let mut membership = PartnerMembership::new(
                        inv.partner_id.clone(),
                        account.id.clone(),
                        *role,
                        now,
                    );
                    // The set-up the invitation carries, counted against licences now.
                    if let Some(privileges) = inv.privileges {
                        membership.privileges = privileges;
                    }
                    membership
                });
                let mut departments = Vec::new();
                if let Some(membership) = &membership {
                    events.push(event(
                        AuditAction::MemberAdded,
                        AuditTarget {
                            kind: TargetKind::Membership,
                            id: account.id.to_string(),
                        },
                        vec![
                            FieldChange::set("role", role),
                            FieldChange::set(
                                "privileges",
                                crate::partners::privileges_text(membership.privileges),
                            ),
                        ],
                    ));
                    // The departments the invitation names that still exist, in its order.
                    let existing: Vec<_> = self
                        .store
                        .departments_by_id(&inv.departments)
                        .await?
                        .into_iter()
                        .filter(|found| found.partner_id == inv.partner_id)
                        .map(|found| found.id)
                        .collect();
                    for department in inv.departments.iter().filter(|d| existing.contains(d)) {
                        events.push(event(
                            AuditAction::DepartmentMemberAdded,
                            AuditTarget {
                                kind: TargetKind::Account,
                                id: account.id.to_string(),
                            },
                            vec![FieldChange::set("department", department)],
                        ));
                        departments.push(department.clone());
                    }
                }
                Acceptance::Membership(membership.map(|m| (m, departments)))
            }
            InvitationTarget::SiteAdmin { site_id } => {
                events.push(event(
                    AuditAction::SiteAdminAdded,
                    AuditTarget {
                        kind: TargetKind::SiteAdmin,
                        id: account.id.to_string(),
                    },
                    vec![],
                ));
                Acceptance::SiteAdmin(SiteAdmin {
                    site_id: site_id.clone(),
                    account_id: account.id.clone(),
                    created_at: now,
                })
            }
            InvitationTarget::Site { site_id, level } => {
                let member = self.store.member(&inv.partner_id, &account.id).await;
                if !matches!(&member, Ok(m) if m.membership.status == MemberStatus::Active) {
                    return Err(AppError::conflict(
                        "not_a_member",
                        "only an active member of the inviting partner can accept a site invitation",
                    ));
                }
                events.push(event(
                    AuditAction::AssignmentCreated,
                    AuditTarget {
                        kind: TargetKind::SiteAssignment,
                        id: account.id.to_string(),
                    },
                    vec![
                        FieldChange::set("level", level),
                        FieldChange::set("locked", true),
                    ],
                ));
                Acceptance::Assignment(SiteAssignment {
                    site_id: site_id.clone(),
                    account_id: account.id.clone(),
                    partner_id: inv.partner_id.clone(),
                    level: *level,
                    locked: true,
                    first_unlocked_at: None,
                    starts_at: None,
                    expires_at: None,
                    invitation_id: Some(inv.id.clone()),
                    set_by: inv.invited_by.clone(),
                    created_at: now,
                    updated_at: now,
                    // Set by the acceptance's own audit event, in the same transaction.
                    last_activity_at: None,
                })
            }
        };
        let mut changes: Vec<Change> = match &acceptance {
            Acceptance::Membership(None) => Vec::new(),
            Acceptance::Membership(Some((membership, departments))) => {
                std::iter::once(membership.change())
                    .chain(
                        departments
                            .iter()
                            .map(|department| Change::DepartmentMember {
                                department: department.key(),
                                account: membership.account_id.key(),
                                member: true,
                            }),
                    )
                    .collect()
            }
            Acceptance::Assignment(assignment) => vec![assignment.change()],
            Acceptance::SiteAdmin(site_admin) => vec![site_admin.change(true)],
        };
        let waiting_grants = waiting.len();
        changes.extend(waiting.into_iter().filter_map(|mut grant| {
            grant.subject = GrantSubject::Technician(account.id.clone());
            grant.change()
        }));
        self.permissions
            .commit(changes, {
                let inv = inv.clone();
                move |store| async move {
                    store
                        .accept_invitation(
                            &inv,
                            new_account.as_ref(),
                            &acceptance,
                            waiting_grants,
                            &events,
                        )
                        .await
                }
            })
            .await
            .map_err(|error| match error {
                StorageError::Conflict(Conflict::InvitationNotPending) => AppError::conflict(
                    "invitation_used",
                    "this invitation has already been accepted or was changed meanwhile",
                ),
                other => other.into(),
            })?;
        Ok(inv)
    }

    /// An invitation the caller may manage: the inviting partner's member admins.
    pub async fn manageable_invitation(
        &self,
        caller: &Caller,
        id: &InvitationId,
    ) -> AppResult<Invitation> {
        let inv = self.store.invitation(id).await?;
        authorize(&caller.principal, Action::ManageMembers(&inv.partner_id))?;
        Ok(inv)
    }

    /// An invitation the caller may read and revoke: one they may manage, or one to a site
    /// whose admins they are (the same who see it in the site's list).
    async fn visible_invitation(
        &self,
        caller: &Caller,
        id: &InvitationId,
    ) -> AppResult<Invitation> {
        let inv = self.store.invitation(id).await?;
        let as_partner = authorize(&caller.principal, Action::ManageMembers(&inv.partner_id));
        let as_site = inv.target.site().map(|site| {
            authorize(
                &caller.principal,
                Action::ManageSiteAdmins(SiteRef {
                    site,
                    partner: &inv.partner_id,
                }),
            )
        });
        match (as_partner, as_site) {
            (Ok(()), _) | (_, Some(Ok(()))) => Ok(inv),
            (Err(denial), _) => Err(denial.into()),
        }
    }

    /// The invitation a link's token belongs to.
    async fn invitation_by_token(&self, token: &str) -> AppResult<Invitation> {
        if !secret::is_token_text(TokenKind::Invitation, token) {
            return Err(link_not_valid());
        }
        let hash = secret::token_hash(token);
        let inv = self
            .store
            .invitation_by_token_hash(&hash)
            .await?
            .ok_or_else(link_not_valid)?;
        // The lookup went by hash; compare again in constant time before trusting the match.
        if !bool::from(inv.token_hash.as_bytes().ct_eq(hash.as_bytes())) {
            return Err(link_not_valid());
        }
        Ok(inv)
    }
}
