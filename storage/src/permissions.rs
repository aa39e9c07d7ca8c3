//! Custom roles, departments, device groups, devices and grants, and the snapshot of every
//! fact the permission index reads.

use std::ops::Bound;

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, RecordIdKey, RecordIdKeyRange, SurrealValue, Variables};

use siteward_core::audit::AuditEvent;
use siteward_core::ids::{
    AccountId, DepartmentId, DeviceGroupId, DeviceId, GrantId, InvitationId, PartnerId, RoleId,
    SiteId,
};
use siteward_core::page::{Page, PageRequest};
use siteward_core::permission::index::Change;
use siteward_core::permission::records::{
    AccessGrant, CustomRole, Department, Device, DeviceGroup, GrantScope, GrantSubject, RoleName,
};
use siteward_core::permission::role::Purpose;
use siteward_core::permission::{Permission, PermissionSet, Section};

use crate::error::{Conflict, StorageError};
use crate::invitations::AssignmentRow;
use crate::rows::{MemberRow, key, rid, stored};
use crate::{Store, tx::Tx};

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct RoleRow {
    id: RecordId,
    partner_id: String,
    name: String,
    purpose: String,
    permissions: Vec<String>,
    created_at: DateTime<Utc>,
}

impl RoleRow {
    fn from_role(r: &CustomRole) -> Self {
        Self {
            id: rid("role", r.id.as_str()),
            partner_id: r.partner_id.to_string(),
            name: r.name.clone(),
            purpose: r.purpose.as_str().to_owned(),
            permissions: r
                .permissions
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            created_at: r.created_at,
        }
    }

    fn into_role(self) -> Result<CustomRole, StorageError> {
        let permissions = self
            .permissions
            .iter()
            .map(|p| stored(Permission::parse, p))
            .collect::<Result<PermissionSet, _>>()?;
        Ok(CustomRole {
            id: RoleId::from_trusted(key(&self.id)),
            partner_id: PartnerId::from_trusted(self.partner_id),
            name: self.name,
            purpose: stored(Purpose::parse, &self.purpose)?,
            permissions,
            created_at: self.created_at,
        })
    }
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct DepartmentRow {
    id: RecordId,
    partner_id: String,
    name: String,
    created_at: DateTime<Utc>,
}

impl DepartmentRow {
    fn into_department(self) -> Department {
        Department {
            id: DepartmentId::from_trusted(key(&self.id)),
            partner_id: PartnerId::from_trusted(self.partner_id),
            name: self.name,
            created_at: self.created_at,
        }
    }
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct DepartmentMemberRow {
    id: RecordId,
    department_id: String,
    account_id: String,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct GroupRow {
    id: RecordId,
    site_id: String,
    partner_id: String,
    name: String,
    created_at: DateTime<Utc>,
}

impl GroupRow {
    fn into_group(self) -> DeviceGroup {
        DeviceGroup {
            id: DeviceGroupId::from_trusted(key(&self.id)),
            site_id: SiteId::from_trusted(self.site_id),
            partner_id: PartnerId::from_trusted(self.partner_id),
            name: self.name,
            created_at: self.created_at,
        }
    }
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct DeviceRow {
    id: RecordId,
    site_id: String,
    partner_id: String,
    group_id: Option<String>,
    name: String,
    created_at: DateTime<Utc>,
}

impl DeviceRow {
    fn from_device(d: &Device) -> Self {
        Self {
            id: rid("device", d.id.as_str()),
            site_id: d.site_id.to_string(),
            partner_id: d.partner_id.to_string(),
            group_id: d.group_id.as_ref().map(ToString::to_string),
            name: d.name.clone(),
            created_at: d.created_at,
        }
    }

    fn into_device(self) -> Device {
        Device {
            id: DeviceId::from_trusted(key(&self.id)),
            site_id: SiteId::from_trusted(self.site_id),
            partner_id: PartnerId::from_trusted(self.partner_id),
            group_id: self.group_id.map(DeviceGroupId::from_trusted),
            name: self.name,
            created_at: self.created_at,
        }
    }
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct GrantRow {
    id: RecordId,
    partner_id: String,
    subject_kind: String,
    subject_id: String,
    scope_kind: String,
    scope_id: String,
    role: String,
    valid_from: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    created_by: Option<String>,
    created_at: DateTime<Utc>,
}

impl GrantRow {
    pub(crate) fn from_grant(g: &AccessGrant) -> Self {
        let (subject_kind, subject_id) = match &g.subject {
            GrantSubject::Technician(id) => ("technician", id.to_string()),
            GrantSubject::Department(id) => ("department", id.to_string()),
            GrantSubject::Invitation(id) => ("invitation", id.to_string()),
        };
        let (scope_kind, scope_id) = g.scope.kind_and_id();
        Self {
            id: rid("access_grant", g.id.as_str()),
            partner_id: g.partner_id.to_string(),
            subject_kind: subject_kind.to_owned(),
            subject_id,
            scope_kind: scope_kind.to_owned(),
            scope_id,
            role: g.role.as_str().to_owned(),
            valid_from: g.valid_from,
            expires_at: g.expires_at,
            created_by: g.created_by.as_ref().map(ToString::to_string),
            created_at: g.created_at,
        }
    }

    fn into_grant(self) -> Result<AccessGrant, StorageError> {
        let subject = match self.subject_kind.as_str() {
            "technician" => GrantSubject::Technician(AccountId::from_trusted(self.subject_id)),
            "invitation" => GrantSubject::Invitation(InvitationId::from_trusted(self.subject_id)),
            _ => GrantSubject::Department(DepartmentId::from_trusted(self.subject_id)),
        };
        let scope = match self.scope_kind.as_str() {
            "site" => GrantScope::Site(SiteId::from_trusted(self.scope_id)),
            "group" => GrantScope::Group(DeviceGroupId::from_trusted(self.scope_id)),
            "device" => GrantScope::Device(DeviceId::from_trusted(self.scope_id)),
            _ => GrantScope::Section(stored(Section::parse, &self.scope_id)?),
        };
        Ok(AccessGrant {
            id: GrantId::from_trusted(key(&self.id)),
            partner_id: PartnerId::from_trusted(self.partner_id),
            subject,
            scope,
            role: stored(RoleName::parse, &self.role)?,
            valid_from: self.valid_from,
            expires_at: self.expires_at,
            created_by: self.created_by.map(AccountId::from_trusted),
            created_at: self.created_at,
        })
    }
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct SiteAdminFact {
    site_id: String,
    account_id: String,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct SiteFact {
    id: RecordId,
    partner_id: String,
    technician_access: bool,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct MemberFact {
    id: RecordId,
    department_id: String,
    account_id: String,
}

/// Rows per page when a host reads the permission index's facts
/// ([`Store::permission_facts`]): a few megabytes of rows at a time.
pub const FACTS_PER_PAGE: u32 = 10_000;

/// A row read a page at a time, in id order.
trait Paged: SurrealValue {
    fn id(&self) -> &RecordId;
}

macro_rules! paged {
    ($($row:ty),*) => {
        $(impl Paged for $row {
            fn id(&self) -> &RecordId {
                &self.id
            }
        })*
    };
}

paged!(
    MemberRow,
    SiteFact,
    AssignmentRow,
    MemberFact,
    DeviceRow,
    GrantRow
);

/// The records of `table` whose ids come after `after` (every record for `None`), as a
/// record range: a scan of the table's keys from there, which `LIMIT` ends.
fn after(table: &str, after: Option<RecordIdKey>) -> RecordId {
    RecordId::new(
        table,
        RecordIdKey::Range(Box::new(RecordIdKeyRange {
            start: after.map_or(Bound::Unbounded, Bound::Excluded),
            end: Bound::Unbounded,
        })),
    )
}

impl Store {
    /// Every fact the permission index reads, as the changes that build it, handed to
    /// `apply` a page of up to `per_page` rows at a time ([`FACTS_PER_PAGE`] for a host) in
    /// the order the index needs them (a department before its members, a site before its
    /// assignments); returns the revision of the permission change log read before the first
    /// page.
    ///
    /// The pages are separate reads, so nothing the size of the whole database is ever held:
    /// at most one page of rows and its changes beside the index being built. They are
    /// consistent because the host reads them only where no change to these facts can commit
    /// in between — at start, before serving, or holding the permission write lane — and, where
    /// other hosts share the database, the change log from the revision read first replays
    /// whatever they committed meanwhile (a change carries its record's whole new state, so
    /// replaying one a page already showed is harmless).
    pub async fn permission_facts(
        &self,
        per_page: u32,
        mut apply: impl FnMut(Vec<Change>),
    ) -> Result<i64, StorageError> {
        let revision: Option<i64> = self
            .db
            .query("SELECT VALUE revision FROM ONLY access_revision:current")
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        // The small tables, whole: disabled accounts are few, and roles, departments, groups
        // and site admins are counted in the thousands at most.
        let mut response = self
            .db
            .query(
                "SELECT VALUE id FROM account WHERE status = 'disabled';
                 SELECT site_id, account_id FROM site_admin;
                 SELECT * FROM role;
                 SELECT * FROM department;
                 SELECT * FROM device_group;",
            )
            .await
            .map_err(StorageError::backend)?;
        let take = |e| StorageError::backend(e);
        let disabled: Vec<RecordId> = response.take(0).map_err(take)?;
        let site_admins: Vec<SiteAdminFact> = response.take(1).map_err(take)?;
        let roles: Vec<RoleRow> = response.take(2).map_err(take)?;
        let departments: Vec<DepartmentRow> = response.take(3).map_err(take)?;
        let groups: Vec<GroupRow> = response.take(4).map_err(take)?;
        drop(response);

        apply(
            disabled
                .iter()
                .map(|id| Change::Account {
                    account: AccountId::from_trusted(key(id)).key(),
                    active: false,
                })
                .collect(),
        );
        self.each_page(
            "partner_member",
            "*",
            per_page,
            &mut apply,
            |m: MemberRow| Ok(Some(m.to_membership()?.change())),
        )
        .await?;
        apply(
            site_admins
                .into_iter()
                .map(|a| Change::SiteAdmin {
                    site: SiteId::from_trusted(a.site_id).key(),
                    account: AccountId::from_trusted(a.account_id).key(),
                    admin: true,
                })
                .collect(),
        );
        self.each_page(
            "site",
            "id, partner_id, technician_access",
            per_page,
            &mut apply,
            |s: SiteFact| {
                Ok(Some(Change::Site {
                    site: SiteId::from_trusted(key(&s.id)).key(),
                    partner: PartnerId::from_trusted(s.partner_id).key(),
                    technician_access: s.technician_access,
                }))
            },
        )
        .await?;
        self.each_page(
            "site_assignment",
            "*",
            per_page,
            &mut apply,
            |a: AssignmentRow| Ok(Some(a.into_assignment()?.change())),
        )
        .await?;
        apply(
            roles
                .into_iter()
                .map(|r| r.into_role().map(|r| r.change()))
                .collect::<Result<_, _>>()?,
        );
        apply(
            departments
                .into_iter()
                .map(|d| Change::Department {
                    department: DepartmentId::from_trusted(key(&d.id)).key(),
                    partner: PartnerId::from_trusted(d.partner_id).key(),
                })
                .collect(),
        );
        self.each_page(
            "department_member",
            "id, department_id, account_id",
            per_page,
            &mut apply,
            |m: MemberFact| {
                Ok(Some(Change::DepartmentMember {
                    department: DepartmentId::from_trusted(m.department_id).key(),
                    account: AccountId::from_trusted(m.account_id).key(),
                    member: true,
                }))
            },
        )
        .await?;
        apply(
            groups
                .into_iter()
                .map(|g| Change::Group {
                    group: DeviceGroupId::from_trusted(key(&g.id)).key(),
                    site: SiteId::from_trusted(g.site_id).key(),
                })
                .collect(),
        );
        self.each_page("device", "*", per_page, &mut apply, |d: DeviceRow| {
            Ok(Some(d.into_device().change()))
        })
        .await?;
        // A grant to an invitation is not the index's until the invitation is accepted.
        self.each_page("access_grant", "*", per_page, &mut apply, |g: GrantRow| {
            Ok(g.into_grant()?.change())
        })
        .await?;
        Ok(revision.unwrap_or(0))
    }

    /// Reads `fields` of every record of `table` a page of `per_page` at a time, in id
    /// order, and hands `apply` each page's changes (what `change` makes of each row).
    async fn each_page<R: Paged>(
        &self,
        table: &str,
        fields: &str,
        per_page: u32,
        apply: &mut impl FnMut(Vec<Change>),
        change: impl Fn(R) -> Result<Option<Change>, StorageError>,
    ) -> Result<(), StorageError> {
        let per_page = per_page.max(1);
        // The range is a value the planner cannot know before running the statement: SurrealDB
        // 3.3 reads a range known at plan time (`FROM $from`) whole and applies LIMIT after, so
        // every page would read the rest of the table; one found at run time is scanned with
        // the limit pushed down, reading only the page.
        let sql = format!("SELECT {fields} FROM type::record($from[0]) LIMIT $limit");
        let mut from = after(table, None);
        loop {
            let rows: Vec<R> = self
                .db
                .query(sql.as_str())
                .bind(("from", [from]))
                .bind(("limit", i64::from(per_page)))
                .await
                .and_then(|mut r| r.take(0))
                .map_err(StorageError::backend)?;
            let last = (rows.len() == per_page as usize)
                .then(|| rows.last().map(|row| row.id().key.clone()))
                .flatten();
            apply(
                rows.into_iter()
                    .filter_map(|row| change(row).transpose())
                    .collect::<Result<_, _>>()?,
            );
            match last {
                Some(last) => from = after(table, Some(last)),
                None => return Ok(()),
            }
        }
    }

    /// Creates a custom role.
    pub async fn create_role(
        &self,
        role: &CustomRole,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("role", RoleRow::from_role(role))
            .run("INSERT INTO role $role");
        tx.audit(event);
        tx.commit(self).await
    }

    /// Changes a custom role's name and permissions.
    pub async fn update_role(
        &self,
        role: &CustomRole,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let row = RoleRow::from_role(role);
        let mut tx = Tx::new();
        tx.bind("id", row.id.clone())
            .bind("name", row.name)
            .bind("permissions", row.permissions)
            .run("UPDATE $id SET name = $name, permissions = $permissions");
        tx.audit(event);
        tx.commit(self).await
    }

    /// Deletes a custom role and every grant that uses it, with one event per grant.
    pub async fn delete_role(
        &self,
        role: &RoleId,
        events: &[AuditEvent],
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("id", rid("role", role.as_str()))
            .bind("role_id", role.to_string())
            .run("DELETE access_grant WHERE role = $role_id")
            .run("DELETE $id")
            .audit_all(events);
        tx.commit(self).await
    }

    /// A custom role.
    pub async fn role(&self, id: &RoleId) -> Result<CustomRole, StorageError> {
        self.record::<RoleRow>("role", id.as_str())
            .await?
            .into_role()
    }

    /// A partner's custom roles.
    pub async fn roles(
        &self,
        partner: &PartnerId,
        page: &PageRequest,
    ) -> Result<Page<CustomRole>, StorageError> {
        let mut vars = Variables::new();
        vars.insert("partner", partner.to_string());
        let rows: Vec<RoleRow> = self
            .page("role", "partner_id = $partner", vars, page, str::to_owned)
            .await?;
        let roles = rows
            .into_iter()
            .map(RoleRow::into_role)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetch(roles, page.limit, |r| r.id.as_str()))
    }

    /// The grants that use a role (a system role's name or a custom role's id) at a partner.
    pub async fn grants_using(
        &self,
        partner: &PartnerId,
        role: &RoleName,
    ) -> Result<Vec<AccessGrant>, StorageError> {
        let rows: Vec<GrantRow> = self
            .db
            .query("SELECT * FROM access_grant WHERE partner_id = $partner AND role = $role ORDER BY id")
            .bind(("partner", partner.to_string()))
            .bind(("role", role.as_str().to_owned()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        rows.into_iter().map(GrantRow::into_grant).collect()
    }

    /// The grants a technician or a department of the partner holds, by its id, oldest first.
    pub async fn grants_held_by(
        &self,
        partner: &PartnerId,
        subject: &str,
    ) -> Result<Vec<AccessGrant>, StorageError> {
        let rows: Vec<GrantRow> = self
            .db
            .query("SELECT * FROM access_grant WHERE subject_id = $subject AND partner_id = $partner ORDER BY id")
            .bind(("partner", partner.to_string()))
            .bind(("subject", subject.to_owned()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        rows.into_iter().map(GrantRow::into_grant).collect()
    }

    /// The departments an account is a member of, at any partner.
    pub async fn departments_of(
        &self,
        account: &AccountId,
    ) -> Result<Vec<DepartmentId>, StorageError> {
        let ids: Vec<String> = self
            .db
            .query("SELECT VALUE department_id FROM department_member WHERE account_id = $account ORDER BY department_id")
            .bind(("account", account.to_string()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(ids.into_iter().map(DepartmentId::from_trusted).collect())
    }

    /// Creates a department.
    pub async fn create_department(
        &self,
        department: &Department,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind(
            "department",
            DepartmentRow {
                id: rid("department", department.id.as_str()),
                partner_id: department.partner_id.to_string(),
                name: department.name.clone(),
                created_at: department.created_at,
            },
        )
        .run("INSERT INTO department $department");
        tx.audit(event);
        tx.commit(self).await
    }

    /// A department as a directory (SCIM) writes it, in one transaction with its events:
    /// created (`create`) or renamed (`rename`), and members joining (`true`) or leaving.
    pub async fn write_department(
        &self,
        department: &Department,
        (create, rename): (bool, bool),
        members: &[(AccountId, bool)],
        at: DateTime<Utc>,
        events: &[AuditEvent],
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        if create {
            tx.bind(
                "department",
                DepartmentRow {
                    id: rid("department", department.id.as_str()),
                    partner_id: department.partner_id.to_string(),
                    name: department.name.clone(),
                    created_at: department.created_at,
                },
            )
            .run("INSERT INTO department $department");
        } else if rename {
            tx.bind("department", rid("department", department.id.as_str()))
                .bind("name", department.name.clone())
                .run("UPDATE $department SET name = $name");
        }
        for (n, (account, member)) in members.iter().enumerate() {
            department_member_in(
                &mut tx,
                (&department.id, account),
                *member,
                at,
                &format!("member_{n}"),
            );
        }
        tx.audit_all(events);
        tx.commit(self).await
    }

    /// A department.
    pub async fn department(&self, id: &DepartmentId) -> Result<Department, StorageError> {
        Ok(self
            .record::<DepartmentRow>("department", id.as_str())
            .await?
            .into_department())
    }

    /// The departments among `ids` that exist, of any partner, in one read.
    pub async fn departments_by_id(
        &self,
        ids: &[DepartmentId],
    ) -> Result<Vec<Department>, StorageError> {
        let ids = ids
            .iter()
            .map(|id| rid("department", id.as_str()))
            .collect();
        let rows: Vec<DepartmentRow> = self.records(ids).await?;
        Ok(rows
            .into_iter()
            .map(DepartmentRow::into_department)
            .collect())
    }

    /// A partner's departments.
    pub async fn departments(
        &self,
        partner: &PartnerId,
        page: &PageRequest,
    ) -> Result<Page<Department>, StorageError> {
        let mut vars = Variables::new();
        vars.insert("partner", partner.to_string());
        let rows: Vec<DepartmentRow> = self
            .page(
                "department",
                "partner_id = $partner",
                vars,
                page,
                str::to_owned,
            )
            .await?;
        let items = rows
            .into_iter()
            .map(DepartmentRow::into_department)
            .collect();
        Ok(Page::from_overfetch(items, page.limit, |d: &Department| {
            d.id.as_str()
        }))
    }

    /// Deletes a department with its memberships and grants.
    pub async fn delete_department(
        &self,
        id: &DepartmentId,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("id", rid("department", id.as_str()))
            .bind("department_id", id.to_string())
            .run("DELETE department_member WHERE department_id = $department_id")
            .run("DELETE access_grant WHERE subject_kind = 'department' AND subject_id = $department_id")
            .run("DELETE $id");
        tx.audit(event);
        tx.commit(self).await
    }

    /// Adds (`member`) or removes a technician from a department.
    pub async fn set_department_member(
        &self,
        department: &DepartmentId,
        account: &AccountId,
        member: bool,
        at: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        department_member_in(&mut tx, (department, account), member, at, "member");
        tx.audit(event);
        tx.commit(self).await
    }

    /// A department's members.
    pub async fn department_members(
        &self,
        department: &DepartmentId,
    ) -> Result<Vec<AccountId>, StorageError> {
        let ids: Vec<String> = self
            .db
            .query("SELECT VALUE account_id FROM department_member WHERE department_id = $department ORDER BY account_id")
            .bind(("department", department.to_string()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(ids.into_iter().map(AccountId::from_trusted).collect())
    }

    /// Creates a device group.
    pub async fn create_device_group(
        &self,
        group: &DeviceGroup,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind(
            "group",
            GroupRow {
                id: rid("device_group", group.id.as_str()),
                site_id: group.site_id.to_string(),
                partner_id: group.partner_id.to_string(),
                name: group.name.clone(),
                created_at: group.created_at,
            },
        )
        .run("INSERT INTO device_group $group");
        tx.audit(event);
        tx.commit(self).await
    }

    /// A device group.
    pub async fn device_group(&self, id: &DeviceGroupId) -> Result<DeviceGroup, StorageError> {
        Ok(self
            .record::<GroupRow>("device_group", id.as_str())
            .await?
            .into_group())
    }

    /// A site's device groups.
    pub async fn device_groups(
        &self,
        site: &SiteId,
        page: &PageRequest,
    ) -> Result<Page<DeviceGroup>, StorageError> {
        let mut vars = Variables::new();
        vars.insert("site", site.to_string());
        let rows: Vec<GroupRow> = self
            .page("device_group", "site_id = $site", vars, page, str::to_owned)
            .await?;
        let items = rows.into_iter().map(GroupRow::into_group).collect();
        Ok(Page::from_overfetch(
            items,
            page.limit,
            |g: &DeviceGroup| g.id.as_str(),
        ))
    }

    /// The device groups of these sites, up to `limit`, by name.
    pub async fn device_groups_of_sites(
        &self,
        sites: &[SiteId],
        limit: u32,
    ) -> Result<Vec<DeviceGroup>, StorageError> {
        let sites: Vec<String> = sites.iter().map(ToString::to_string).collect();
        let rows: Vec<GroupRow> = self
            .db
            .query("SELECT * FROM device_group WHERE site_id IN $sites ORDER BY name LIMIT $limit")
            .bind(("sites", sites))
            .bind(("limit", i64::from(limit)))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(rows.into_iter().map(GroupRow::into_group).collect())
    }

    /// Deletes a device group: its devices leave it, grants on it are deleted.
    pub async fn delete_device_group(
        &self,
        id: &DeviceGroupId,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("id", rid("device_group", id.as_str()))
            .bind("group_id", id.to_string())
            .run("UPDATE device SET group_id = NONE WHERE group_id = $group_id")
            .run("DELETE access_grant WHERE scope_kind = 'group' AND scope_id = $group_id")
            .run("DELETE $id");
        tx.audit(event);
        tx.commit(self).await
    }

    /// Creates or replaces a device.
    pub async fn put_device(
        &self,
        device: &Device,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("device", DeviceRow::from_device(device))
            .run("UPSERT $device.id CONTENT $device");
        tx.audit(event);
        tx.commit(self).await
    }

    /// A device.
    pub async fn device(&self, id: &DeviceId) -> Result<Device, StorageError> {
        Ok(self
            .record::<DeviceRow>("device", id.as_str())
            .await?
            .into_device())
    }

    /// The devices with these ids that exist.
    pub async fn devices_by_id(&self, ids: &[DeviceId]) -> Result<Vec<Device>, StorageError> {
        let rows: Vec<DeviceRow> = self
            .records(ids.iter().map(|id| rid("device", id.as_str())).collect())
            .await?;
        Ok(rows.into_iter().map(DeviceRow::into_device).collect())
    }

    /// A site's devices.
    pub async fn devices(
        &self,
        site: &SiteId,
        page: &PageRequest,
    ) -> Result<Page<Device>, StorageError> {
        let mut vars = Variables::new();
        vars.insert("site", site.to_string());
        let rows: Vec<DeviceRow> = self
            .page("device", "site_id = $site", vars, page, str::to_owned)
            .await?;
        let items = rows.into_iter().map(DeviceRow::into_device).collect();
        Ok(Page::from_overfetch(items, page.limit, |d: &Device| {
            d.id.as_str()
        }))
    }

    /// Deletes a device and the grants on it.
    pub async fn delete_device(
        &self,
        id: &DeviceId,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("id", rid("device", id.as_str()))
            .bind("device_id", id.to_string())
            .run("DELETE access_grant WHERE scope_kind = 'device' AND scope_id = $device_id")
            .run("DELETE $id");
        tx.audit(event);
        tx.commit(self).await
    }

    /// Creates a grant.
    pub async fn create_grant(
        &self,
        grant: &AccessGrant,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        if let GrantSubject::Invitation(invitation) = &grant.subject {
            // Only while the invitation waits; writing it as well makes an acceptance that
            // commits meanwhile conflict with this transaction rather than miss the grant.
            tx.bind("grant_invitation", rid("invitation", invitation.as_str()))
                .guard(
                    "IF (SELECT VALUE status FROM ONLY $grant_invitation) != 'pending' { THROW 'not_pending' }",
                    Conflict::InvitationNotPending,
                )
                .run("UPDATE $grant_invitation SET status = 'pending'");
        }
        tx.bind("grant", GrantRow::from_grant(grant))
            .run("INSERT INTO access_grant $grant");
        tx.audit(event);
        tx.commit(self).await
    }

    /// The grants waiting for an invitation to be accepted, oldest first.
    pub async fn grants_waiting_for(
        &self,
        invitation: &InvitationId,
    ) -> Result<Vec<AccessGrant>, StorageError> {
        let rows: Vec<GrantRow> = self
            .db
            .query("SELECT * FROM access_grant WHERE subject_id = $invitation AND subject_kind = 'invitation' ORDER BY created_at, id")
            .bind(("invitation", invitation.to_string()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        rows.into_iter().map(GrantRow::into_grant).collect()
    }

    /// A grant.
    pub async fn grant(&self, id: &GrantId) -> Result<AccessGrant, StorageError> {
        self.record::<GrantRow>("access_grant", id.as_str())
            .await?
            .into_grant()
    }

    /// A partner's grants.
    pub async fn grants(
        &self,
        partner: &PartnerId,
        page: &PageRequest,
    ) -> Result<Page<AccessGrant>, StorageError> {
        let mut vars = Variables::new();
        vars.insert("partner", partner.to_string());
        let rows: Vec<GrantRow> = self
            .page(
                "access_grant",
                "partner_id = $partner",
                vars,
                page,
                str::to_owned,
            )
            .await?;
        let items = rows
            .into_iter()
            .map(GrantRow::into_grant)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetch(items, page.limit, |g| g.id.as_str()))
    }

    /// Deletes a grant.
    pub async fn delete_grant(&self, id: &GrantId, event: &AuditEvent) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("id", rid("access_grant", id.as_str()))
            .run("DELETE $id");
        tx.audit(event);
        tx.commit(self).await
    }
}

/// What a partner member holds beyond the membership itself: site assignments at the
/// partner's sites, grants naming them, and department memberships in the partner's
/// departments. Removing the member removes all of it with the membership.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberAccess {
    /// Site assignments at the partner's sites.
    pub assignments: Vec<siteward_core::assignment::SiteAssignment>,
    /// Grants whose subject is the member.
    pub grants: Vec<AccessGrant>,
    /// The partner's departments the member is in.
    pub departments: Vec<DepartmentId>,
}

impl Store {
    /// What `account` holds at `partner` beyond the membership (see [`MemberAccess`]).
    pub async fn member_access(
        &self,
        partner: &PartnerId,
        account: &AccountId,
    ) -> Result<MemberAccess, StorageError> {
        let mut response = self
            .db
            .query(
                "SELECT * FROM site_assignment WHERE partner_id = $partner AND account_id = $account ORDER BY id;
                 SELECT * FROM access_grant WHERE partner_id = $partner AND subject_kind = 'technician' \
                   AND subject_id = $account ORDER BY id;
                 SELECT VALUE department_id FROM department_member WHERE account_id = $account \
                   AND department_id IN (SELECT VALUE record::id(id) FROM department WHERE partner_id = $partner) \
                   ORDER BY department_id;",
            )
            .bind(("partner", partner.to_string()))
            .bind(("account", account.to_string()))
            .await
            .map_err(StorageError::backend)?;
        let assignments: Vec<AssignmentRow> = response.take(0).map_err(StorageError::backend)?;
        let grants: Vec<GrantRow> = response.take(1).map_err(StorageError::backend)?;
        let departments: Vec<String> = response.take(2).map_err(StorageError::backend)?;
        Ok(MemberAccess {
            assignments: assignments
                .into_iter()
                .map(AssignmentRow::into_assignment)
                .collect::<Result<_, _>>()?,
            grants: grants
                .into_iter()
                .map(GrantRow::into_grant)
                .collect::<Result<_, _>>()?,
            departments: departments
                .into_iter()
                .map(DepartmentId::from_trusted)
                .collect(),
        })
    }

    /// Removes `account` from `partner` with everything it held there (`access`, as read by
    /// [`Store::member_access`]), in one transaction with `events`. The transaction refuses
    /// with [`Conflict::Concurrent`](crate::Conflict::Concurrent) when the member gained or
    /// lost anything since `access` was read, so nothing is removed unrecorded; read again and
    /// retry.
    pub async fn remove_member(
        &self,
        partner: &PartnerId,
        account: &AccountId,
        access: &MemberAccess,
        events: &[AuditEvent],
    ) -> Result<(), StorageError> {
        let assignments: Vec<RecordId> = access
            .assignments
            .iter()
            .map(|a| {
                rid(
                    "site_assignment",
                    &crate::rows::site_admin_key(&a.site_id, account),
                )
            })
            .collect();
        let grants: Vec<RecordId> = access
            .grants
            .iter()
            .map(|g| rid("access_grant", g.id.as_str()))
            .collect();
        let departments: Vec<RecordId> = access
            .departments
            .iter()
            .map(|d| rid("department_member", &format!("{d}/{account}")))
            .collect();
        let mut tx = Tx::new();
        crate::tenancy::bind_member(&mut tx, partner, account);
        tx.bind("partner", partner.to_string())
            .bind("account", account.to_string())
            .bind("assignment_count", assignments.len() as i64)
            .bind("grant_count", grants.len() as i64)
            .bind("department_count", departments.len() as i64)
            .guard(
                "IF array::len(SELECT id FROM site_assignment WHERE partner_id = $partner AND account_id = $account) \
                   != $assignment_count \
                 OR array::len(SELECT id FROM access_grant WHERE partner_id = $partner AND subject_kind = 'technician' \
                   AND subject_id = $account) != $grant_count \
                 OR array::len(SELECT id FROM department_member WHERE account_id = $account AND department_id IN \
                   (SELECT VALUE record::id(id) FROM department WHERE partner_id = $partner)) != $department_count \
                 { THROW 'the member changed meanwhile' }",
                crate::Conflict::Concurrent,
            )
            .guard(crate::tenancy::LAST_SUPER_ADMIN_GUARD, crate::Conflict::LastSuperAdmin);
        for (name, ids) in [
            ("assignments", assignments),
            ("grants", grants),
            ("departments", departments),
        ] {
            if !ids.is_empty() {
                tx.bind(name, ids).run(format!("DELETE ${name}"));
            }
        }
        tx.run("DELETE $member").audit_all(events);
        tx.commit(self).await
    }
}

/// A department membership's row.
/// The statement that puts `account` in `department` (`member`) or takes them out, its
/// record bound as `$<name>`.
pub(crate) fn department_member_in(
    tx: &mut Tx,
    (department, account): (&DepartmentId, &AccountId),
    member: bool,
    at: DateTime<Utc>,
    name: &str,
) {
    if member {
        tx.bind(name, department_member_row(department, account, at))
            .run(format!("UPSERT ${name}.id CONTENT ${name}"));
    } else {
        let id = rid("department_member", &format!("{department}/{account}"));
        tx.bind(name, id).run(format!("DELETE ${name}"));
    }
}

pub(crate) fn department_member_row(
    department: &DepartmentId,
    account: &AccountId,
    at: DateTime<Utc>,
) -> DepartmentMemberRow {
    DepartmentMemberRow {
        id: rid("department_member", &format!("{department}/{account}")),
        department_id: department.to_string(),
        account_id: account.to_string(),
        created_at: at,
    }
}
