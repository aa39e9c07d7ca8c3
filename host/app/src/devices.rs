//! A site's devices and device groups (reference 003): what grants at a group or a device
//! reach. Every change commits with its audit event and its permission-index change.

use siteward_core::FieldError;
use siteward_core::audit::{AuditAction, FieldChange, TargetKind};
use siteward_core::ids::{DeviceGroupId, DeviceId, SiteId};
use siteward_core::page::Page;
use siteward_core::permission::index::Change;
use siteward_core::permission::records::{Device, DeviceGroup};
use siteward_core::tenancy::Site;
use siteward_core::validate;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::page::Paging;
use crate::roles::target;
use crate::services::App;
use crate::sites::SiteAccess;

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
