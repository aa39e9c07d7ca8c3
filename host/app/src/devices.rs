//! A site's devices and device groups (reference 003): what grants at a group or a device
//! reach. Every change commits with its audit event and its permission-index change.

use std::collections::HashMap;

use siteward_core::FieldError;
use siteward_core::account::Account;
use siteward_core::audit::{AuditAction, FieldChange, TargetKind};
use siteward_core::ids::{AccountId, DepartmentId, DeviceGroupId, DeviceId, RoleId, SiteId};
use siteward_core::invitation::PermissionLevel;
use siteward_core::page::Page;
use siteward_core::permission::index::{Change, Reason, Scope};
use siteward_core::permission::records::{Device, DeviceGroup};
use siteward_core::permission::role::{RoleRef, SystemRole};
use siteward_core::tenancy::{PartnerRole, Site};
use siteward_core::validate;

use crate::auth::Caller;
use crate::check::{Ask, Reach};
use crate::error::{AppError, AppResult};
use crate::page::Paging;
use crate::roles::target;
use crate::services::App;
use crate::sites::SiteAccess;

/// Who reaches a device now with a permission, and why: the device's page.
#[derive(Debug)]
pub struct DeviceReach {
    /// The device.
    pub device: Device,
    /// Its group, if any.
    pub group: Option<DeviceGroup>,
    /// A page of the technicians the check allows, each with why.
    pub reachers: Page<Reacher>,
}

/// A technician who reaches a device, and why.
#[derive(Debug)]
pub struct Reacher {
    /// Their account.
    pub account: Account,
    /// Why the check allows them.
    pub why: Why,
}

/// Why a check allows, with the names a person reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// Their level at the site.
    Level(PermissionLevel),
    /// A grant of a role on the device, its group or its site, their own or a department's.
    Grant {
        /// The role.
        role: RoleName,
        /// What the grant is on.
        on: GrantedOn,
        /// The department they inherit it from, by name, if not their own grant.
        department: Option<String>,
    },
    /// Their role in the partner.
    PartnerRole(PartnerRole),
}

/// A role, by name: a system role, or a custom role's own name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleName {
    /// A system role.
    System(SystemRole),
    /// A custom role's name.
    Custom(String),
}

/// What a grant that reaches a device is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantedOn {
    /// The whole site.
    Site,
    /// The device's group, by name.
    Group(String),
    /// The device itself.
    Device,
}

/// A device as given: on creation the name is required; on update what is `None` stays,
/// except the group, which is set as given (`None` takes it out of its group).
#[derive(Debug, Clone, Default)]
pub struct DeviceInput {
    /// Its name.
    pub name: Option<String>,
    /// The id of a device group of the same site.
    pub group_id: Option<String>,
}

fn removed(field: &str, before: String) -> FieldChange {
    FieldChange {
        field: field.to_owned(),
        before: Some(before),
        after: None,
    }
}

impl App {
    /// Creates a device group at a site.
    pub async fn create_device_group(
        &self,
        caller: &Caller,
        site: &SiteId,
        name: &str,
    ) -> AppResult<DeviceGroup> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageDevices)
            .await?;
        let group = DeviceGroup {
            id: self.new_id(DeviceGroupId::from_trusted),
            site_id: site.id.clone(),
            partner_id: site.partner_id.clone(),
            name: validate::name("name", name)?,
            created_at: self.now(),
        };
        let event = caller.audit.event(
            self,
            AuditAction::DeviceGroupCreated,
            (Some(&site.partner_id), Some(&site.id)),
            target(TargetKind::DeviceGroup, group.id.as_str()),
            vec![FieldChange::set("name", &group.name)],
        );
        let change = Change::Group {
            group: group.id.key(),
            site: site.id.key(),
        };
        self.permissions
            .commit([change], {
                let group = group.clone();
                move |store| async move { store.create_device_group(&group, &event).await }
            })
            .await?;
        Ok(group)
    }

    /// A site's device groups, a page at a time.
    pub async fn device_groups(
        &self,
        caller: &Caller,
        site: &SiteId,
        paging: Paging<'_>,
    ) -> AppResult<Page<DeviceGroup>> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageDevices)
            .await?;
        Ok(self.store.device_groups(&site.id, &paging.parse()?).await?)
    }

    /// Deletes a device group: its devices stay, without a group; grants at it go with it.
    pub async fn delete_device_group(
        &self,
        caller: &Caller,
        site: &SiteId,
        group: &DeviceGroupId,
    ) -> AppResult<()> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageDevices)
            .await?;
        let group = self.site_group(&site, group).await?;
        let event = caller.audit.event(
            self,
            AuditAction::DeviceGroupDeleted,
            (Some(&site.partner_id), Some(&site.id)),
            target(TargetKind::DeviceGroup, group.id.as_str()),
            vec![removed("name", group.name)],
        );
        let change = Change::GroupRemoved {
            group: group.id.key(),
        };
        self.permissions
            .commit([change], {
                let group = group.id.clone();
                move |store| async move { store.delete_device_group(&group, &event).await }
            })
            .await?;
        Ok(())
    }

    /// Creates a device at a site, in a group of the site or none.
    pub async fn create_device(
        &self,
        caller: &Caller,
        site: &SiteId,
        input: &DeviceInput,
    ) -> AppResult<Device> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageDevices)
            .await?;
        let Some(name) = &input.name else {
            return Err(FieldError::new("name", "is required").into());
        };
        let device = Device {
            id: self.new_id(DeviceId::from_trusted),
            site_id: site.id.clone(),
            partner_id: site.partner_id.clone(),
            group_id: None,
            name: validate::name("name", name)?,
            created_at: self.now(),
        };
        self.save_device(caller, &site, device, input).await
    }

    /// Renames a device or moves it to another group of its site.
    pub async fn update_device(
        &self,
        caller: &Caller,
        site: &SiteId,
        device: &DeviceId,
        input: &DeviceInput,
    ) -> AppResult<Device> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageDevices)
            .await?;
        let device = self.site_device(&site, device).await?;
        self.save_device(caller, &site, device, input).await
    }

    /// A site's devices, a page at a time.
    pub async fn devices(
        &self,
        caller: &Caller,
        site: &SiteId,
        paging: Paging<'_>,
    ) -> AppResult<Page<Device>> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageDevices)
            .await?;
        Ok(self.store.devices(&site.id, &paging.parse()?).await?)
    }

    /// Deletes a device; grants at it go with it.
    pub async fn delete_device(
        &self,
        caller: &Caller,
        site: &SiteId,
        device: &DeviceId,
    ) -> AppResult<()> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageDevices)
            .await?;
        let device = self.site_device(&site, device).await?;
        let event = caller.audit.event(
            self,
            AuditAction::DeviceDeleted,
            (Some(&site.partner_id), Some(&site.id)),
            target(TargetKind::Device, device.id.as_str()),
            vec![removed("name", device.name)],
        );
        let change = Change::DeviceRemoved {
            device: device.id.key(),
        };
        self.permissions
            .commit([change], {
                let device = device.id.clone();
                move |store| async move { store.delete_device(&device, &event).await }
            })
            .await?;
        Ok(())
    }

    async fn save_device(
        &self,
        caller: &Caller,
        site: &Site,
        mut device: Device,
        input: &DeviceInput,
    ) -> AppResult<Device> {
        if let Some(name) = &input.name {
            device.name = validate::name("name", name)?;
        }
        device.group_id = match &input.group_id {
            Some(group) => {
                let id = DeviceGroupId::parse("group_id", group)?;
                self.site_group(site, &id).await.map_err(|_| {
                    FieldError::new("group_id", "is not a device group of this site")
                })?;
                Some(id)
            }
            None => None,
        };
        let event = caller.audit.event(
            self,
            AuditAction::DeviceSaved,
            (Some(&site.partner_id), Some(&site.id)),
            target(TargetKind::Device, device.id.as_str()),
            vec![
                FieldChange::set("name", &device.name),
                FieldChange::set(
                    "group_id",
                    device.group_id.as_ref().map_or("", |g| g.as_str()),
                ),
            ],
        );
        self.permissions
            .commit([device.change()], {
                let device = device.clone();
                move |store| async move { store.put_device(&device, &event).await }
            })
            .await?;
        Ok(device)
    }

    /// One device of the site.
    pub async fn device(
        &self,
        caller: &Caller,
        site: &SiteId,
        device: &DeviceId,
    ) -> AppResult<Device> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageDevices)
            .await?;
        self.site_device(&site, device).await
    }

    /// One device group of the site.
    pub async fn device_group(
        &self,
        caller: &Caller,
        site: &SiteId,
        group: &DeviceGroupId,
    ) -> AppResult<DeviceGroup> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageDevices)
            .await?;
        self.site_group(&site, group).await
    }

    /// Who reaches a device of the site now with `permission` (default `device.screen_view`),
    /// a page at a time, and why, by name (the site's admins and the partner's; not its
    /// technicians). The answers come from one read of the index per technician; one whose
    /// access ended between the list and the reason is left out.
    pub async fn device_reach(
        &self,
        caller: &Caller,
        site: &SiteId,
        device: &DeviceId,
        permission: Option<&str>,
        paging: Paging<'_>,
    ) -> AppResult<DeviceReach> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageDevices)
            .await?;
        let device = self.site_device(&site, device).await?;
        let reach = Reach {
            permission,
            level: None,
            paging,
        };
        let found = self.reaching_technicians(caller, &site.id, Some(&device.id), reach)?;
        let (site_id, device_id) = (site.id.to_string(), device.id.to_string());
        let permission = permission.unwrap_or("device.screen_view");
        let mut reasons = Vec::with_capacity(found.items.len());
        for (account, _) in &found.items {
            let ask = Ask {
                technician_id: account.as_str(),
                permission,
                site_id: Some(&site_id),
                device_id: Some(&device_id),
                partner_id: None,
            };
            let reason = self.check(caller, &ask)?;
            if reason.allows() {
                reasons.push((account.clone(), reason));
            }
        }
        let ids: Vec<AccountId> = reasons.iter().map(|(id, _)| id.clone()).collect();
        let accounts: HashMap<AccountId, Account> = self
            .store
            .accounts(&ids)
            .await?
            .into_iter()
            .map(|account| (account.id.clone(), account))
            .collect();
        let group = match &device.group_id {
            Some(group) => Some(self.store.device_group(group).await?),
            None => None,
        };
        let mut names = Names::default();
        let mut reachers = Vec::with_capacity(reasons.len());
        for (id, reason) in reasons {
            let Some(account) = accounts.get(&id) else {
                continue;
            };
            reachers.push(Reacher {
                account: account.clone(),
                why: names.why(self, reason, group.as_ref()).await?,
            });
        }
        Ok(DeviceReach {
            device,
            group,
            reachers: Page {
                items: reachers,
                next_cursor: found.next_cursor,
            },
        })
    }

    async fn site_group(&self, site: &Site, group: &DeviceGroupId) -> AppResult<DeviceGroup> {
        let group = self.store.device_group(group).await?;
        if group.site_id != site.id {
            return Err(AppError::not_found());
        }
        Ok(group)
    }

    async fn site_device(&self, site: &Site, device: &DeviceId) -> AppResult<Device> {
        let device = self.store.device(device).await?;
        if device.site_id != site.id {
            return Err(AppError::not_found());
        }
        Ok(device)
    }
}

/// The names of the custom roles and departments a page's reasons name, each read once.
#[derive(Debug, Default)]
struct Names {
    roles: HashMap<u128, String>,
    departments: HashMap<u128, String>,
}

impl Names {
    /// Why `reason` allows, by name; `group` is the device's group.
    async fn why(
        &mut self,
        app: &App,
        reason: Reason,
        group: Option<&DeviceGroup>,
    ) -> AppResult<Why> {
        let path = match reason {
            Reason::GrantedByLevel(level) => return Ok(Why::Level(level)),
            Reason::GrantedByPartnerRole(role) => return Ok(Why::PartnerRole(role)),
            Reason::GrantedByRole(path) => path,
            _ => return Err(AppError::internal(&"a denial has no why")),
        };
        let role = match path.role {
            RoleRef::System(system) => RoleName::System(system),
            RoleRef::Custom(key) => RoleName::Custom(match self.roles.get(&key) {
                Some(name) => name.clone(),
                None => {
                    let name = app.store.role(&RoleId::from_key(key)).await?.name;
                    self.roles.insert(key, name.clone());
                    name
                }
            }),
        };
        let department = match path.department {
            Some(key) => Some(match self.departments.get(&key) {
                Some(name) => name.clone(),
                None => {
                    let id = DepartmentId::from_key(key);
                    let name = app.store.department(&id).await?.name;
                    self.departments.insert(key, name.clone());
                    name
                }
            }),
            None => None,
        };
        let on = match path.scope {
            Scope::Group(_) => GrantedOn::Group(group.map(|g| g.name.clone()).unwrap_or_default()),
            Scope::Device(_) => GrantedOn::Device,
            Scope::Site(_) | Scope::Section { .. } => GrantedOn::Site,
        };
        Ok(Why::Grant {
            role,
            on,
            department,
        })
    }
}
