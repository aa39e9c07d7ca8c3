//! What grants are made of, at a partner (reference 003): custom roles and departments with
//! their members. Every change commits with its audit event and its permission-index change.

use siteward_core::access::{Action, authorize};
use siteward_core::audit::{AuditAction, AuditEvent, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::{AccountId, DepartmentId, PartnerId, RoleId};
use siteward_core::page::Page;
use siteward_core::permission::Section;
use siteward_core::permission::index::Change;
use siteward_core::permission::records::{
    AccessGrant, CustomRole, Department, GrantScope, GrantSubject, RoleName,
};
use siteward_core::permission::role::{Purpose, SystemRole, custom_permissions};
use siteward_core::{FieldError, validate};

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::page::Paging;
use crate::services::{App, AuditContext};

/// The audit target of a record of this kind.
pub fn target(kind: TargetKind, id: &str) -> AuditTarget {
    AuditTarget {
        kind,
        id: id.to_owned(),
    }
}

/// A change to a custom role; what is `None` stays as it is.
#[derive(Debug, Clone, Default)]
pub struct RoleChange {
    /// A new name.
    pub name: Option<String>,
    /// New permissions (all of them), which must fit the role's purpose.
    pub permissions: Option<Vec<String>>,
}

/// What deleting a role does: the grants that use it go with it.
#[derive(Debug)]
pub struct RoleDeletion {
    /// Whether it was deleted (not a dry run).
    pub deleted: bool,
    /// The grants deleted with it (or that would be).
    pub grants: Vec<AccessGrant>,
}

/// A grant as a person reads it: who holds it, which role and where, by name.
#[derive(Debug, Clone)]
pub struct GrantSummary {
    /// The grant.
    pub grant: AccessGrant,
    /// Its role, by name.
    pub role: crate::devices::RoleName,
    /// Who holds it: a technician or a department, by name.
    pub subject: GrantHolder,
    /// Where it applies, by name.
    pub place: GrantPlace,
}

/// A department as its page shows it.
#[derive(Debug)]
pub struct DepartmentView {
    /// The department.
    pub department: Department,
    /// Its members.
    pub members: Vec<siteward_core::account::Account>,
    /// The grants it holds, which its members inherit.
    pub grants: Vec<GrantSummary>,
}

/// Who holds a grant, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantHolder {
    /// A technician: name and email.
    Technician(String),
    /// A department's members: its name.
    Department(String),
    /// Whoever accepts a Pending invitation: the address it was sent to.
    Invited(String),
}

/// Where a grant applies, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantPlace {
    /// Every device of the site.
    Site(String),
    /// Every device of a group: the group and its site.
    Group(String, String),
    /// One device: the device and its site.
    Device(String, String),
    /// A partner-wide section.
    Section(Section),
}

impl App {
    /// The partner `partner` (as given), which the caller must manage: Super Admins, Admins,
    /// partner tokens, the operator.
    pub async fn managed_partner(
        &self,
        caller: &Caller,
        partner: &PartnerId,
    ) -> AppResult<PartnerId> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        self.store.partner(partner).await?;
        Ok(partner.clone())
    }

    /// Creates a custom role of a purpose, with permissions of that purpose.
    pub async fn create_role(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        name: &str,
        purpose: &str,
        permissions: &[String],
    ) -> AppResult<CustomRole> {
        let partner = self.managed_partner(caller, partner).await?;
        let purpose = Purpose::parse("purpose", purpose)?;
        let role = CustomRole {
            id: self.new_id(RoleId::from_trusted),
            partner_id: partner.clone(),
            name: validate::name("name", name)?,
            purpose,
            permissions: custom_permissions("permissions", purpose, permissions)?,
            created_at: self.now(),
        };
        let event = caller.audit.event(
            self,
            AuditAction::RoleCreated,
            (Some(&partner), None),
            target(TargetKind::Role, role.id.as_str()),
            vec![
                FieldChange::set("name", &role.name),
                FieldChange::set("purpose", role.purpose),
            ],
        );
        self.permissions
            .commit([role.change()], {
                let role = role.clone();
                move |store| async move { store.create_role(&role, &event).await }
            })
            .await?;
        Ok(role)
    }

    /// A partner's custom roles, a page at a time.
    pub async fn roles(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        paging: Paging<'_>,
    ) -> AppResult<Page<CustomRole>> {
        let partner = self.managed_partner(caller, partner).await?;
        Ok(self.store.roles(&partner, &paging.parse()?).await?)
    }

    /// One of the partner's custom roles.
    pub async fn role(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        role: &str,
    ) -> AppResult<CustomRole> {
        let partner = self.managed_partner(caller, partner).await?;
        self.partner_role(&partner, role).await
    }

    /// What deleting a custom role would take with it, as a person reads it: the role, and
    /// the grants that use it with who holds them and where. Nothing changes.
    pub async fn role_deletion_preview(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        role: &str,
    ) -> AppResult<(CustomRole, Vec<GrantSummary>)> {
        let partner = self.managed_partner(caller, partner).await?;
        let role = self.partner_role(&partner, role).await?;
        let grants = self
            .store
            .grants_using(&partner, &RoleName::Custom(role.id.clone()))
            .await?;
        Ok((role, self.summarize_grants(grants).await?))
    }

    /// The partner's grants as a person reads them, a page at a time.
    pub async fn grant_summaries(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        paging: Paging<'_>,
    ) -> AppResult<Page<GrantSummary>> {
        let partner = self.managed_partner(caller, partner).await?;
        let page = self.store.grants(&partner, &paging.parse()?).await?;
        Ok(Page {
            items: self.summarize_grants(page.items).await?,
            next_cursor: page.next_cursor,
        })
    }

    /// One of the partner's grants as a person reads it.
    pub async fn grant_summary(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        grant: &siteward_core::ids::GrantId,
    ) -> AppResult<GrantSummary> {
        let partner = self.managed_partner(caller, partner).await?;
        let grant = self.store.grant(grant).await?;
        if grant.partner_id != partner {
            return Err(AppError::not_found());
        }
        let mut summaries = self.summarize_grants(vec![grant]).await?;
        summaries.pop().ok_or_else(AppError::not_found)
    }

    /// The grants a member holds at the partner, by name: their own (`None`), then those they
    /// inherit from each of their departments (the department's name).
    pub async fn member_grants(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        account: &AccountId,
    ) -> AppResult<Vec<(GrantSummary, Option<String>)>> {
        let partner = self.managed_partner(caller, partner).await?;
        self.store.member(&partner, account).await?;
        let own = self
            .store
            .grants_held_by(&partner, account.as_str())
            .await?;
        let mut held: Vec<(GrantSummary, Option<String>)> = self
            .summarize_grants(own)
            .await?
            .into_iter()
            .map(|summary| (summary, None))
            .collect();
        for department in self.departments_of_member(&partner, account).await? {
            let inherited = self
                .store
                .grants_held_by(&partner, department.id.as_str())
                .await?;
            held.extend(
                self.summarize_grants(inherited)
                    .await?
                    .into_iter()
                    .map(|summary| (summary, Some(department.name.clone()))),
            );
        }
        Ok(held)
    }

    /// The partner's departments a member is in, by name (the partner's admins).
    pub async fn member_departments(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        account: &AccountId,
    ) -> AppResult<Vec<Department>> {
        let partner = self.managed_partner(caller, partner).await?;
        self.store.member(&partner, account).await?;
        let mut departments = self.departments_of_member(&partner, account).await?;
        departments.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(departments)
    }

    /// The departments of `partner` that `account` is in.
    async fn departments_of_member(
        &self,
        partner: &PartnerId,
        account: &AccountId,
    ) -> AppResult<Vec<Department>> {
        let ids = self.store.departments_of(account).await?;
        let mut found = self.store.departments_by_id(&ids).await?;
        found.retain(|department| &department.partner_id == partner);
        Ok(found)
    }

    /// A department with its members and the grants it holds, by name.
    pub async fn department_view(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        department: &DepartmentId,
    ) -> AppResult<DepartmentView> {
        let partner = self.managed_partner(caller, partner).await?;
        let department = self.partner_department(&partner, department).await?;
        let members = self.store.department_members(&department.id).await?;
        let members = self.store.accounts(&members).await?;
        let grants = self
            .store
            .grants_held_by(&partner, department.id.as_str())
            .await?;
        Ok(DepartmentView {
            department,
            members,
            grants: self.summarize_grants(grants).await?,
        })
    }

    /// Whom a grant form's address names: the member of the partner with it, or else the
    /// Pending invitation to join the partner sent to it — the grant then waits for its
    /// acceptance (reference 003: configure the future technician). As `(kind, id)` for a
    /// [`NewGrant`](crate::grants::NewGrant)'s subject.
    pub async fn grant_holder_by_email(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        field: &str,
        email: &str,
    ) -> AppResult<(String, String)> {
        let refused = match self.member_by_email(caller, partner, field, email).await {
            Ok(account) => return Ok(("technician".to_owned(), account.to_string())),
            Err(error) if error.kind == crate::Kind::Invalid => error,
            Err(error) => return Err(error),
        };
        let Ok(email) = siteward_core::validate::Email::parse(field, email) else {
            return Err(refused);
        };
        let key = siteward_core::invitation::open_key(partner, None, &email);
        let waiting = self
            .store
            .open_invitations(&[key])
            .await?
            .into_iter()
            .find(|inv| {
                inv.status_at(self.now()) == siteward_core::invitation::InvitationStatus::Pending
            });
        match waiting {
            Some(inv) => Ok(("invitation".to_owned(), inv.id.to_string())),
            None => Err(FieldError::new(
                field,
                "is not the address of a member of this partner or of someone invited to join it",
            )
            .into()),
        }
    }

    /// The member of the partner with this email, for a form that names people by address.
    /// Anyone else — no account, or another organisation's — is the same refusal.
    pub async fn member_by_email(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        field: &str,
        email: &str,
    ) -> AppResult<AccountId> {
        let partner = self.managed_partner(caller, partner).await?;
        let not_ours = || FieldError::new(field, "is not the address of a member of this partner");
        let email = siteward_core::validate::Email::parse(field, email)?;
        let account = self
            .store
            .account_id_by_email(&email)
            .await?
            .ok_or_else(not_ours)?;
        match self.store.member(&partner, &account).await {
            Ok(_) => Ok(account),
            Err(siteward_storage::StorageError::NotFound) => Err(not_ours().into()),
            Err(other) => Err(other.into()),
        }
    }

    /// Grants of one partner as a person reads them (who and where, by name).
    async fn summarize_grants(&self, grants: Vec<AccessGrant>) -> AppResult<Vec<GrantSummary>> {
        let mut summaries = Vec::with_capacity(grants.len());
        for grant in grants {
            let subject = match &grant.subject {
                GrantSubject::Technician(account) => {
                    let account = self.store.account(account).await?;
                    GrantHolder::Technician(format!("{} ({})", account.name, account.email))
                }
                GrantSubject::Department(department) => {
                    GrantHolder::Department(self.store.department(department).await?.name)
                }
                GrantSubject::Invitation(invitation) => {
                    GrantHolder::Invited(self.store.invitation(invitation).await?.email.to_string())
                }
            };
            let place = match &grant.scope {
                GrantScope::Site(site) => GrantPlace::Site(self.store.site(site).await?.name),
                GrantScope::Group(group) => {
                    let group = self.store.device_group(group).await?;
                    let site = self.store.site(&group.site_id).await?;
                    GrantPlace::Group(group.name, site.name)
                }
                GrantScope::Device(device) => {
                    let device = self.store.device(device).await?;
                    let site = self.store.site(&device.site_id).await?;
                    GrantPlace::Device(device.name, site.name)
                }
                GrantScope::Section(section) => GrantPlace::Section(*section),
            };
            let role = match &grant.role {
                RoleName::System(system) => crate::devices::RoleName::System(*system),
                RoleName::Custom(id) => {
                    crate::devices::RoleName::Custom(self.store.role(id).await?.name)
                }
            };
            summaries.push(GrantSummary {
                grant,
                role,
                subject,
                place,
            });
        }
        Ok(summaries)
    }

    /// Renames a custom role or changes its permissions; system roles cannot change.
    pub async fn update_role(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        role: &str,
        change: &RoleChange,
    ) -> AppResult<CustomRole> {
        let partner = self.managed_partner(caller, partner).await?;
        let before = self.partner_role(&partner, role).await?;
        let mut after = before.clone();
        if let Some(name) = &change.name {
            after.name = validate::name("name", name)?;
        }
        if let Some(permissions) = &change.permissions {
            after.permissions = custom_permissions("permissions", after.purpose, permissions)?;
        }
        if after == before {
            return Ok(after);
        }
        let names = |r: &CustomRole| {
            r.permissions
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut changes = Vec::new();
        if after.name != before.name {
            changes.push(FieldChange::changed("name", &before.name, &after.name));
        }
        if after.permissions != before.permissions {
            changes.push(FieldChange::changed(
                "permissions",
                names(&before),
                names(&after),
            ));
        }
        let event = caller.audit.event(
            self,
            AuditAction::RoleUpdated,
            (Some(&partner), None),
            target(TargetKind::Role, after.id.as_str()),
            changes,
        );
        self.permissions
            .commit([after.change()], {
                let after = after.clone();
                move |store| async move { store.update_role(&after, &event).await }
            })
            .await?;
        Ok(after)
    }

    /// Deletes a custom role and the grants that use it, in one transaction; a dry run only
    /// tells which grants would go.
    pub async fn delete_role(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        role: &str,
        dry_run: bool,
    ) -> AppResult<RoleDeletion> {
        let partner = self.managed_partner(caller, partner).await?;
        let found = self.partner_role(&partner, role).await?;
        let role = found.id.clone();
        let grants = self
            .store
            .grants_using(&partner, &RoleName::Custom(role.clone()))
            .await?;
        if !dry_run {
            let tenant = (Some(&partner), None);
            let mut events: Vec<AuditEvent> = grants
                .iter()
                .map(|g| {
                    caller.audit.event(
                        self,
                        AuditAction::GrantDeleted,
                        tenant,
                        target(TargetKind::Grant, g.id.as_str()),
                        vec![FieldChange {
                            field: "role".to_owned(),
                            before: Some(role.to_string()),
                            after: None,
                        }],
                    )
                })
                .collect();
            events.push(caller.audit.event(
                self,
                AuditAction::RoleDeleted,
                tenant,
                target(TargetKind::Role, role.as_str()),
                vec![FieldChange {
                    field: "name".to_owned(),
                    before: Some(found.name),
                    after: None,
                }],
            ));
            self.permissions
                .commit([Change::RoleRemoved { role: role.key() }], {
                    let role = role.clone();
                    move |store| async move { store.delete_role(&role, &events).await }
                })
                .await?;
        }
        Ok(RoleDeletion {
            deleted: !dry_run,
            grants,
        })
    }

    /// Creates a department.
    pub async fn create_department(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        name: &str,
    ) -> AppResult<Department> {
        let partner = self.managed_partner(caller, partner).await?;
        let department = Department {
            id: self.new_id(DepartmentId::from_trusted),
            partner_id: partner.clone(),
            name: validate::name("name", name)?,
            created_at: self.now(),
        };
        let event = caller.audit.event(
            self,
            AuditAction::DepartmentCreated,
            (Some(&partner), None),
            target(TargetKind::Department, department.id.as_str()),
            vec![FieldChange::set("name", &department.name)],
        );
        let change = Change::Department {
            department: department.id.key(),
            partner: partner.key(),
        };
        self.permissions
            .commit([change], {
                let department = department.clone();
                move |store| async move { store.create_department(&department, &event).await }
            })
            .await?;
        Ok(department)
    }

    /// A partner's departments, a page at a time.
    pub async fn departments(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        paging: Paging<'_>,
    ) -> AppResult<Page<Department>> {
        let partner = self.managed_partner(caller, partner).await?;
        Ok(self.store.departments(&partner, &paging.parse()?).await?)
    }

    /// Deletes a department; its members' access through it ends, and the grants naming it
    /// go with it.
    pub async fn delete_department(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        department: &DepartmentId,
    ) -> AppResult<()> {
        let partner = self.managed_partner(caller, partner).await?;
        let department = self.partner_department(&partner, department).await?;
        let event = caller.audit.event(
            self,
            AuditAction::DepartmentDeleted,
            (Some(&partner), None),
            target(TargetKind::Department, department.id.as_str()),
            vec![FieldChange {
                field: "name".to_owned(),
                before: Some(department.name),
                after: None,
            }],
        );
        let change = Change::DepartmentRemoved {
            department: department.id.key(),
        };
        self.permissions
            .commit([change], {
                let department = department.id.clone();
                move |store| async move { store.delete_department(&department, &event).await }
            })
            .await?;
        Ok(())
    }

    /// A department's members.
    pub async fn department_members(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        department: &DepartmentId,
    ) -> AppResult<Vec<AccountId>> {
        let partner = self.managed_partner(caller, partner).await?;
        let department = self.partner_department(&partner, department).await?;
        Ok(self.store.department_members(&department.id).await?)
    }

    /// Puts a member of the partner in a department (`member`) or takes them out.
    pub async fn set_department_member(
        &self,
        caller: &Caller,
        (partner, department, account): (&PartnerId, &DepartmentId, &AccountId),
        member: bool,
    ) -> AppResult<()> {
        let partner = self.managed_partner(caller, partner).await?;
        let department = self.partner_department(&partner, department).await?;
        self.store.member(&partner, account).await?;
        let (event, change) = self.department_membership(
            &caller.audit,
            &partner,
            (&department.id, account),
            member,
            None,
        );
        self.permissions
            .commit([change], {
                let (department, account, now) =
                    (department.id.clone(), account.clone(), self.now());
                move |store| async move {
                    store
                        .set_department_member(&department, &account, member, now, &event)
                        .await
                }
            })
            .await?;
        Ok(())
    }

    /// A custom role of the partner; a system role's name answers `system_role`.
    async fn partner_role(&self, partner: &PartnerId, role: &str) -> AppResult<CustomRole> {
        if SystemRole::parse("role_id", role).is_ok() {
            return Err(AppError::conflict(
                "system_role",
                "system roles are immutable and cannot be changed or deleted",
            ));
        }
        let role = RoleId::parse("role_id", role).map_err(|_| AppError::not_found())?;
        let found = self.store.role(&role).await?;
        if &found.partner_id != partner {
            return Err(AppError::not_found());
        }
        Ok(found)
    }

    /// A department membership given (`joins`) or taken, as the audit trail and the
    /// permission index see it: the event (on the account, naming the department, and `via`
    /// where the change came from a provider or a directory) and the index's change.
    pub(crate) fn department_membership(
        &self,
        audit: &AuditContext,
        partner: &PartnerId,
        (department, account): (&DepartmentId, &AccountId),
        joins: bool,
        via: Option<FieldChange>,
    ) -> (AuditEvent, Change) {
        let (action, change) = if joins {
            (
                AuditAction::DepartmentMemberAdded,
                FieldChange::set("department", department),
            )
        } else {
            (
                AuditAction::DepartmentMemberRemoved,
                FieldChange {
                    field: "department".to_owned(),
                    before: Some(department.to_string()),
                    after: None,
                },
            )
        };
        let event = audit.event(
            self,
            action,
            (Some(partner), None),
            target(TargetKind::Account, account.as_str()),
            std::iter::once(change).chain(via).collect(),
        );
        let change = Change::DepartmentMember {
            department: department.key(),
            account: account.key(),
            member: joins,
        };
        (event, change)
    }

    /// A department of the partner.
    pub async fn partner_department(
        &self,
        partner: &PartnerId,
        department: &DepartmentId,
    ) -> AppResult<Department> {
        let department = self.store.department(department).await?;
        if &department.partner_id != partner {
            return Err(AppError::not_found());
        }
        Ok(department)
    }
}
