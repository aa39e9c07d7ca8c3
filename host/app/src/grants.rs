//! Grants (reference 003): a role given to a technician or a department, at a site, a device
//! group, a device or a partner section, for a while or for good. What a grant's parts must
//! satisfy together is the core's (`permission::records::check_grant`); that they exist at
//! the partner is checked here.

use siteward_core::FieldError;
use siteward_core::Timestamp;
use siteward_core::audit::{AuditAction, FieldChange, TargetKind};
use siteward_core::ids::{
    AccountId, DepartmentId, DeviceGroupId, DeviceId, GrantId, InvitationId, PartnerId, SiteId,
};
use siteward_core::invitation::{InvitationStatus, InvitationTarget};
use siteward_core::page::Page;
use siteward_core::permission::Section;
use siteward_core::permission::index::Change;
use siteward_core::permission::records::{
    AccessGrant, GrantScope, GrantSubject, RoleName, check_grant,
};
use siteward_core::validate;
use siteward_storage::{Conflict, StorageError};

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::page::Paging;
use crate::roles::target;
use crate::services::App;

/// Why a grant cannot wait for an invitation.
const INVITATION_NOT_PENDING: &str =
    "is not a pending invitation to join this partner; grants wait only for those";

/// A grant as given: kinds and ids as text (checked after the caller is authorized).
#[derive(Debug, Clone)]
pub struct NewGrant {
    /// `technician`, `department` or `invitation` (a Pending invitation to join the partner:
    /// the grant waits for whoever accepts it), and its id.
    pub subject: (String, String),
    /// What it gives, where and when.
    pub grant: GrantFor,
}

/// What a grant gives, where and when, as given: a [`NewGrant`] without its subject, as an
/// invitation carries it for whoever accepts.
#[derive(Debug, Clone)]
pub struct GrantFor {
    /// `site`, `group` or `device` and its id, or `section` and its name.
    pub scope: (String, String),
    /// A system role's name or a custom role's id.
    pub role: String,
    /// From when (inclusive); absent: from acceptance.
    pub valid_from: Option<Timestamp>,
    /// Until when (exclusive); absent: for good.
    pub expires_at: Option<Timestamp>,
}

/// What a grant gives, where and when, checked at its partner: everything but its subject.
#[derive(Debug, Clone)]
pub(crate) struct GrantTerms {
    scope: GrantScope,
    role: RoleName,
    valid_from: Option<Timestamp>,
    expires_at: Option<Timestamp>,
}

impl GrantTerms {
    /// The grant of these terms to `subject`, made now by the caller.
    pub(crate) fn grant(
        &self,
        app: &App,
        caller: &Caller,
        partner: &PartnerId,
        subject: GrantSubject,
    ) -> AccessGrant {
        AccessGrant {
            id: app.new_id(GrantId::from_trusted),
            partner_id: partner.clone(),
            subject,
            scope: self.scope.clone(),
            role: self.role.clone(),
            valid_from: self.valid_from,
            expires_at: self.expires_at,
            created_by: caller.account.as_ref().map(|a| a.id.clone()),
            created_at: app.now(),
        }
    }
}

impl App {
    /// Gives a role to a technician, a department or a Pending invitation's future member at
    /// a scope of the partner.
    pub async fn create_grant(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        new: &NewGrant,
    ) -> AppResult<AccessGrant> {
        let partner = self.managed_partner(caller, partner).await?;
        let subject = self.grant_subject(&partner, &new.subject).await?;
        let terms = self.grant_terms(&partner, &new.grant).await?;
        let grant = terms.grant(self, caller, &partner, subject);
        let event = caller.audit.event(
            self,
            AuditAction::GrantCreated,
            (Some(&partner), None),
            target(TargetKind::Grant, grant.id.as_str()),
            vec![
                FieldChange::set("role", grant.role.as_str()),
                FieldChange::set("subject", &new.subject.1),
                FieldChange::set("scope", &new.grant.scope.1),
            ],
        );
        self.permissions
            .commit(grant.change(), {
                let grant = grant.clone();
                move |store| async move { store.create_grant(&grant, &event).await }
            })
            .await
            .map_err(|error| match error {
                StorageError::Conflict(Conflict::InvitationNotPending) => {
                    AppError::from(FieldError::new("subject.id", INVITATION_NOT_PENDING))
                }
                other => AppError::from(other),
            })?;
        Ok(grant)
    }

    /// A grant's scope, role and window (whoever it is for), checked at the partner.
    pub(crate) async fn grant_terms(
        &self,
        partner: &PartnerId,
        new: &GrantFor,
    ) -> AppResult<GrantTerms> {
        let scope = self.grant_scope(partner, &new.scope).await?;
        let role = RoleName::parse("role", &new.role)?;
        let role_purpose = match &role {
            RoleName::System(system) => system.purpose(),
            RoleName::Custom(id) => {
                self.store
                    .role(id)
                    .await
                    .ok()
                    .filter(|r| &r.partner_id == partner)
                    .ok_or_else(|| FieldError::new("role", "does not exist at this partner"))?
                    .purpose
            }
        };
        validate::to_the_millisecond("valid_from", new.valid_from)?;
        validate::to_the_millisecond("expires_at", new.expires_at)?;
        check_grant(&scope, role_purpose, new.valid_from, new.expires_at)?;
        Ok(GrantTerms {
            scope,
            role,
            valid_from: new.valid_from,
            expires_at: new.expires_at,
        })
    }

    /// A partner's grants, a page at a time.
    pub async fn grants(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        paging: Paging<'_>,
    ) -> AppResult<Page<AccessGrant>> {
        let partner = self.managed_partner(caller, partner).await?;
        Ok(self.store.grants(&partner, &paging.parse()?).await?)
    }

    /// Deletes a grant; what it gave ends at once.
    pub async fn delete_grant(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        id: &GrantId,
    ) -> AppResult<()> {
        let partner = self.managed_partner(caller, partner).await?;
        let grant = self.store.grant(id).await?;
        if grant.partner_id != partner {
            return Err(AppError::not_found());
        }
        let event = caller.audit.event(
            self,
            AuditAction::GrantDeleted,
            (Some(&partner), None),
            target(TargetKind::Grant, id.as_str()),
            vec![FieldChange {
                field: "role".to_owned(),
                before: Some(grant.role.as_str().to_owned()),
                after: None,
            }],
        );
        self.permissions
            .commit([Change::GrantRemoved { grant: id.key() }], {
                let id = id.clone();
                move |store| async move { store.delete_grant(&id, &event).await }
            })
            .await?;
        Ok(())
    }

    /// A grant's subject, which must be a member or a department of the partner.
    async fn grant_subject(
        &self,
        partner: &PartnerId,
        (kind, id): &(String, String),
    ) -> AppResult<GrantSubject> {
        let unknown = || FieldError::new("subject.id", "does not exist at this partner");
        match kind.as_str() {
            "technician" => {
                let id = AccountId::parse("subject.id", id)?;
                self.store
                    .member(partner, &id)
                    .await
                    .map_err(|_| unknown())?;
                Ok(GrantSubject::Technician(id))
            }
            "department" => {
                let id = DepartmentId::parse("subject.id", id)?;
                self.partner_department(partner, &id)
                    .await
                    .map_err(|_| unknown())?;
                Ok(GrantSubject::Department(id))
            }
            "invitation" => {
                let id = InvitationId::parse("subject.id", id)?;
                let invitation = self.store.invitation(&id).await.map_err(|_| unknown())?;
                if &invitation.partner_id != partner {
                    return Err(unknown().into());
                }
                let waits = matches!(invitation.target, InvitationTarget::Partner { .. })
                    && invitation.status_at(self.now()) == InvitationStatus::Pending;
                if !waits {
                    return Err(FieldError::new("subject.id", INVITATION_NOT_PENDING).into());
                }
                Ok(GrantSubject::Invitation(id))
            }
            _ => Err(FieldError::new(
                "subject.kind",
                "must be one of: technician, department, invitation",
            )
            .into()),
        }
    }

    /// A grant's scope, which must be the partner's.
    async fn grant_scope(
        &self,
        partner: &PartnerId,
        (kind, id): &(String, String),
    ) -> AppResult<GrantScope> {
        let unknown = || FieldError::new("scope.id", "does not exist at this partner");
        let ours = |owner: &PartnerId| {
            if owner == partner {
                Ok(())
            } else {
                Err(unknown())
            }
        };
        match kind.as_str() {
            "site" => {
                let id = SiteId::parse("scope.id", id)?;
                ours(
                    &self
                        .store
                        .site(&id)
                        .await
                        .map_err(|_| unknown())?
                        .partner_id,
                )?;
                Ok(GrantScope::Site(id))
            }
            "group" => {
                let id = DeviceGroupId::parse("scope.id", id)?;
                ours(
                    &self
                        .store
                        .device_group(&id)
                        .await
                        .map_err(|_| unknown())?
                        .partner_id,
                )?;
                Ok(GrantScope::Group(id))
            }
            "device" => {
                let id = DeviceId::parse("scope.id", id)?;
                ours(
                    &self
                        .store
                        .device(&id)
                        .await
                        .map_err(|_| unknown())?
                        .partner_id,
                )?;
                Ok(GrantScope::Device(id))
            }
            "section" => Ok(GrantScope::Section(Section::parse("scope.id", id)?)),
            _ => Err(
                FieldError::new("scope.kind", "must be one of: site, group, device, section")
                    .into(),
            ),
        }
    }
}
