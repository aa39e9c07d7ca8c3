//! SCIM 2.0 provisioning (RFC 7643/7644) of a partner's members: how Okta and Entra ID push
//! people without LDAP. The client is a partner API token (its Admins' rights, revocable like
//! any token); a User is a member of the token's partner, its `id` the account id and its
//! `userName` the email.
//!
//! A provider vouches for its own company's addresses only: a User is created only for an
//! email in a domain the partner claimed for single sign-on — a new account, or an existing
//! one joining at once, as just-in-time sign-in makes them. Deactivating disables the
//! membership (never the account, which may belong to other partners too); deleting removes
//! the membership with what it held, as the team page does. Every change is audited with the
//! token as the actor.

use siteward_core::FieldError;
use siteward_core::access::{Principal, TokenScope};
use siteward_core::audit::{AuditAction, AuditTarget, FieldChange, TargetKind};
use siteward_core::identity::Domain;
use siteward_core::ids::{AccountId, DepartmentId, PartnerId};
use siteward_core::permission::index::Change;
use siteward_core::permission::records::Department;
use siteward_core::tenancy::MemberStatus;
use siteward_core::validate::Email;
use siteward_storage::StorageError;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::partners::{Member, MemberChange};
use crate::services::App;

/// A list filter SCIM clients send: `userName eq "…"` for Users and `displayName eq "…"` for
/// Groups are the ones provisioning needs (Okta and Entra look a person or a group up by it
/// before creating them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// `userName eq "value"`.
    UserName(String),
    /// `displayName eq "value"`.
    DisplayName(String),
}

impl Filter {
    /// Parses a filter; anything else is refused with SCIM's `invalidFilter`.
    pub fn parse(text: &str) -> AppResult<Self> {
        let refuse = || {
            AppError::new(
                crate::Kind::Invalid,
                "invalidFilter",
                "only the filters userName eq \"<email>\" (Users) and displayName eq \"<name>\" \
                 (Groups) are supported",
            )
        };
        let mut parts = text.trim().splitn(3, ' ');
        let (attribute, op, value) = (
            parts.next().ok_or_else(refuse)?,
            parts.next().ok_or_else(refuse)?,
            parts.next().ok_or_else(refuse)?.trim(),
        );
        let attribute = attribute
            .strip_prefix("urn:ietf:params:scim:schemas:core:2.0:User:")
            .or_else(|| attribute.strip_prefix("urn:ietf:params:scim:schemas:core:2.0:Group:"))
            .unwrap_or(attribute);
        if !op.eq_ignore_ascii_case("eq") {
            return Err(refuse());
        }
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(refuse)?
            .replace("\\\"", "\"");
        if attribute.eq_ignore_ascii_case("userName") {
            Ok(Self::UserName(value))
        } else if attribute.eq_ignore_ascii_case("displayName") {
            Ok(Self::DisplayName(value))
        } else {
            Err(refuse())
        }
    }
}

/// A Group: a department of the partner, with its members.
#[derive(Debug, Clone)]
pub struct ScimGroup {
    /// The department.
    pub department: Department,
    /// Its members, in id order.
    pub members: Vec<AccountId>,
    /// The client's `externalId`, when it gave one.
    pub external_id: Option<String>,
}

/// A Group's version for `ETag` and `If-Match`.
pub fn group_version(group: &ScimGroup) -> String {
    let mut text = group.department.name.clone();
    text.push('\u{0}');
    text.push_str(group.external_id.as_deref().unwrap_or_default());
    for member in &group.members {
        text.push('\u{0}');
        text.push_str(member.as_str());
    }
    siteward_core::secret::token_hash(&text)[..16].to_owned()
}

/// What a `PUT` or `PATCH` changes of a Group.
#[derive(Debug, Clone, Default)]
pub struct GroupChange {
    /// A new `displayName`.
    pub display_name: Option<String>,
    /// The members it has now, replacing all (`PUT`, or `replace` of `members`).
    pub members: Option<Vec<String>>,
    /// Members to add.
    pub add: Vec<String>,
    /// Members to remove.
    pub remove: Vec<String>,
    /// `externalId`: set (`Some(Some(_))`), removed (`Some(None)`) or left (`None`).
    pub external_id: Option<Option<String>>,
}

/// A User: a member, with what the client calls them.
#[derive(Debug, Clone)]
pub struct ScimUser {
    /// The member.
    pub member: Member,
    /// The client's `externalId`, when it gave one.
    pub external_id: Option<String>,
}

/// What a `PUT` or `PATCH` changes of a User.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    /// `active`, when it is set.
    pub active: Option<bool>,
    /// `externalId`: set (`Some(Some(_))`), removed (`Some(None)`) or left (`None`).
    pub external_id: Option<Option<String>>,
}

/// A User to create, as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    /// `userName`: the email.
    pub user_name: String,
    /// The name to give a new account (`name.formatted`, or given and family names, or
    /// `displayName`).
    pub name: Option<String>,
    /// `active`.
    pub active: bool,
    /// `externalId`.
    pub external_id: Option<String>,
}

/// A member's version for `ETag` and `If-Match`: it changes whenever what a User shows does.
pub fn version(user: &ScimUser) -> String {
    let member = &user.member;
    let text = format!(
        "{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}",
        member.email,
        member.name,
        member.membership.status.as_str(),
        member.membership.role.as_str(),
        user.external_id.as_deref().unwrap_or_default(),
    );
    siteward_core::secret::token_hash(&text)[..16].to_owned()
}

impl App {
    /// The partner a SCIM client provisions: the one its partner token belongs to.
    fn scim_partner(caller: &Caller) -> AppResult<PartnerId> {
        match &caller.principal {
            Principal::ApiToken {
                scope: TokenScope::Partner(partner),
                ..
            } => Ok(partner.clone()),
            _ => Err(AppError::unauthenticated(
                "scim_token_required",
                "SCIM clients authenticate with a partner API token (Partner › Identity › SCIM)",
            )),
        }
    }

    /// A member of the client's partner by the id in a path; anyone else is not found.
    async fn scim_member(&self, partner: &PartnerId, id: &str) -> AppResult<Member> {
        let account = AccountId::parse("id", id).map_err(|_| AppError::not_found())?;
        match self.store.member(partner, &account).await {
            Ok(member) => Ok(member),
            Err(StorageError::NotFound) => Err(AppError::not_found()),
            Err(other) => Err(other.into()),
        }
    }

    /// Members as Users, with their external ids.
    async fn scim_users_of(
        &self,
        partner: &PartnerId,
        members: Vec<Member>,
    ) -> AppResult<Vec<ScimUser>> {
        let accounts: Vec<&str> = members
            .iter()
            .map(|m| m.membership.account_id.as_str())
            .collect();
        let external = self.store.scim_external_ids(partner, &accounts).await?;
        Ok(members
            .into_iter()
            .map(|member| ScimUser {
                external_id: external
                    .iter()
                    .find(|(a, _)| a == member.membership.account_id.as_str())
                    .map(|(_, e)| e.clone()),
                member,
            })
            .collect())
    }

    async fn scim_user_of(&self, partner: &PartnerId, member: Member) -> AppResult<ScimUser> {
        let mut users = self.scim_users_of(partner, vec![member]).await?;
        users
            .pop()
            .ok_or_else(|| AppError::internal(&"a member went missing"))
    }

    /// Users, by filter or a page at a time: the total and the page (`start_index` counts
    /// from 1, as SCIM does).
    pub async fn scim_users(
        &self,
        caller: &Caller,
        filter: Option<&str>,
        (start_index, count): (u32, u32),
    ) -> AppResult<(u64, Vec<ScimUser>)> {
        let partner = Self::scim_partner(caller)?;
        if let Some(filter) = filter {
            let Filter::UserName(user_name) = Filter::parse(filter)? else {
                return Err(AppError::new(
                    crate::Kind::Invalid,
                    "invalidFilter",
                    "Users are found by userName eq \"<email>\"",
                ));
            };
            let found = match Email::parse("userName", &user_name) {
                Ok(email) => match self.store.account_id_by_email(&email).await? {
                    Some(account) => match self.store.member(&partner, &account).await {
                        Ok(member) => vec![member],
                        Err(StorageError::NotFound) => vec![],
                        Err(other) => return Err(other.into()),
                    },
                    None => vec![],
                },
                Err(_) => vec![],
            };
            let total = found.len() as u64;
            let skip = start_index.saturating_sub(1) as usize;
            let page = found.into_iter().skip(skip).take(count as usize).collect();
            return Ok((total, self.scim_users_of(&partner, page).await?));
        }
        let start = start_index.saturating_sub(1);
        let (total, page) = self
            .store
            .members_window(&partner, start, count.min(siteward_core::page::MAX_LIMIT))
            .await?;
        Ok((total, self.scim_users_of(&partner, page).await?))
    }

    /// One User.
    pub async fn scim_user(&self, caller: &Caller, id: &str) -> AppResult<ScimUser> {
        let partner = Self::scim_partner(caller)?;
        let member = self.scim_member(&partner, id).await?;
        self.scim_user_of(&partner, member).await
    }

    /// Creates a User: a member at once, for an email in one of the partner's claimed
    /// domains. A member already is a conflict (`uniqueness`).
    pub async fn scim_create_user(&self, caller: &Caller, user: &NewUser) -> AppResult<ScimUser> {
        let partner = Self::scim_partner(caller)?;
        let email = Email::parse("userName", &user.user_name)?;
        let claimed = self.own_domains(&partner).await?;
        if !claimed.iter().any(|d| d.domain == Domain::of(&email)) {
            return Err(FieldError::new(
                "userName",
                "is not in a domain this team claimed (Partner › Identity): a directory \
                 provisions its own company's addresses only",
            )
            .into());
        }
        let existing = self.store.account_by_email(&email).await?.map(|(a, _)| a);
        if let Some(account) = &existing
            && self.store.member(&partner, &account.id).await.is_ok()
        {
            return Err(AppError::conflict(
                "uniqueness",
                "a member with this userName exists already",
            ));
        }
        let via = FieldChange::set("via", "scim");
        let account = self
            .join_partner(
                &partner,
                &email,
                existing,
                user.name.as_deref(),
                &caller.audit,
                via,
            )
            .await?;
        let change = UserChange {
            active: Some(user.active),
            external_id: Some(user.external_id.clone()),
        };
        self.scim_update_user(caller, account.id.as_str(), &change)
            .await
    }

    /// Changes a User: `active` is the membership's status; `externalId` what the client
    /// calls them.
    pub async fn scim_update_user(
        &self,
        caller: &Caller,
        id: &str,
        change: &UserChange,
    ) -> AppResult<ScimUser> {
        let partner = Self::scim_partner(caller)?;
        let mut member = self.scim_member(&partner, id).await?;
        let account = member.membership.account_id.clone();
        if let Some(external_id) = &change.external_id {
            if let Some(text) = external_id {
                siteward_core::validate::text("externalId", text, 500)?;
            }
            self.store
                .set_scim_external_id(&partner, account.as_str(), external_id.as_deref())
                .await?;
        }
        let wanted = change.active.map(|active| {
            if active {
                MemberStatus::Active
            } else {
                MemberStatus::Disabled
            }
        });
        if let Some(wanted) = wanted
            && member.membership.status != wanted
        {
            let status = MemberChange {
                role: None,
                status: Some(wanted.as_str().to_owned()),
                privileges: None,
            };
            member = self
                .update_member(caller, &partner, &account, &status)
                .await?;
        }
        self.scim_user_of(&partner, member).await
    }

    /// Deletes a User: the membership goes, with what it held.
    pub async fn scim_delete_user(&self, caller: &Caller, id: &str) -> AppResult<()> {
        let partner = Self::scim_partner(caller)?;
        let member = self.scim_member(&partner, id).await?;
        let account = &member.membership.account_id;
        self.remove_member(caller, &partner, account).await?;
        self.store
            .set_scim_external_id(&partner, account.as_str(), None)
            .await?;
        Ok(())
    }

    /// A department of the client's partner by the id in a path, with its members.
    async fn scim_department(&self, partner: &PartnerId, id: &str) -> AppResult<ScimGroup> {
        let id = DepartmentId::parse("id", id).map_err(|_| AppError::not_found())?;
        let department = self.partner_department(partner, &id).await?;
        let members = self.store.department_members(&department.id).await?;
        let external_id = self
            .store
            .scim_external_ids(partner, &[department.id.as_str()])
            .await?
            .pop()
            .map(|(_, e)| e);
        Ok(ScimGroup {
            department,
            members,
            external_id,
        })
    }

    /// Groups, by filter or a page at a time (`start_index` counts from 1).
    pub async fn scim_groups(
        &self,
        caller: &Caller,
        filter: Option<&str>,
        (start_index, count): (u32, u32),
    ) -> AppResult<(u64, Vec<ScimGroup>)> {
        let partner = Self::scim_partner(caller)?;
        let mut departments = self.all_departments(&partner).await?;
        departments.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(filter) = filter {
            let Filter::DisplayName(name) = Filter::parse(filter)? else {
                return Err(AppError::new(
                    crate::Kind::Invalid,
                    "invalidFilter",
                    "Groups are found by displayName eq \"<name>\"",
                ));
            };
            departments.retain(|d| d.name == name);
        }
        let total = departments.len() as u64;
        let page: Vec<Department> = departments
            .into_iter()
            .skip(start_index.saturating_sub(1) as usize)
            .take(count as usize)
            .collect();
        let ids: Vec<&str> = page.iter().map(|d| d.id.as_str()).collect();
        let external = self.store.scim_external_ids(&partner, &ids).await?;
        let mut groups = Vec::new();
        for department in page {
            let members = self.store.department_members(&department.id).await?;
            let external_id = external
                .iter()
                .find(|(id, _)| id == department.id.as_str())
                .map(|(_, e)| e.clone());
            groups.push(ScimGroup {
                department,
                members,
                external_id,
            });
        }
        Ok((total, groups))
    }

    /// One Group.
    pub async fn scim_group(&self, caller: &Caller, id: &str) -> AppResult<ScimGroup> {
        let partner = Self::scim_partner(caller)?;
        self.scim_department(&partner, id).await
    }

    /// Creates a Group: a department with its members, in one transaction.
    pub async fn scim_create_group(
        &self,
        caller: &Caller,
        name: &str,
        members: &[String],
        external_id: Option<String>,
    ) -> AppResult<ScimGroup> {
        let partner = Self::scim_partner(caller)?;
        let department = Department {
            id: self.new_id(DepartmentId::from_trusted),
            partner_id: partner.clone(),
            name: siteward_core::validate::name("displayName", name)?,
            created_at: self.now(),
        };
        let change = GroupChange {
            members: Some(members.to_vec()),
            external_id: Some(external_id),
            ..GroupChange::default()
        };
        let group = (department, vec![], None);
        self.write_group(caller, &partner, group, true, &change)
            .await
    }

    /// Changes a Group: its name, and who is in it — in one transaction.
    pub async fn scim_change_group(
        &self,
        caller: &Caller,
        id: &str,
        change: &GroupChange,
    ) -> AppResult<ScimGroup> {
        let partner = Self::scim_partner(caller)?;
        let ScimGroup {
            department,
            members,
            external_id,
        } = self.scim_department(&partner, id).await?;
        let group = (department, members, external_id);
        self.write_group(caller, &partner, group, false, change)
            .await
    }

    async fn write_group(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        (mut department, before, mut external_id): (Department, Vec<AccountId>, Option<String>),
        create: bool,
        change: &GroupChange,
    ) -> AppResult<ScimGroup> {
        // Every member named must be the partner's: they are checked before anything is
        // written, by their place in the request.
        let named = |ids: &[String], field: &str| -> AppResult<Vec<AccountId>> {
            ids.iter()
                .enumerate()
                .map(|(n, id)| {
                    let field = format!("{field}[{n}].value");
                    let account = AccountId::parse(&field, id)?;
                    Ok(account)
                })
                .collect()
        };
        let set = change
            .members
            .as_deref()
            .map(|m| named(m, "members"))
            .transpose()?;
        let add = named(&change.add, "members")?;
        let remove = named(&change.remove, "members")?;
        for account in set.iter().flatten().chain(&add) {
            if self.store.member(partner, account).await.is_err() {
                return Err(FieldError::new(
                    "members",
                    format!("{account} is not a member of this team"),
                )
                .into());
            }
        }
        let mut after: Vec<AccountId> = set.unwrap_or_else(|| before.clone());
        after.extend(add);
        after.retain(|a| !remove.contains(a));
        after.sort();
        after.dedup();
        let rename = match &change.display_name {
            Some(name) if !create && *name != department.name => {
                let name = siteward_core::validate::name("displayName", name)?;
                let old = std::mem::replace(&mut department.name, name);
                Some(old)
            }
            _ => None,
        };
        let mut joins: Vec<(AccountId, bool)> = after
            .iter()
            .filter(|a| !before.contains(a))
            .map(|a| (a.clone(), true))
            .collect();
        joins.extend(
            before
                .iter()
                .filter(|a| !after.contains(a))
                .map(|a| (a.clone(), false)),
        );
        if let Some(new) = &change.external_id {
            if let Some(text) = new {
                siteward_core::validate::text("externalId", text, 500)?;
            }
            external_id.clone_from(new);
        }
        if !create && rename.is_none() && joins.is_empty() {
            self.store
                .set_scim_external_id(partner, department.id.as_str(), external_id.as_deref())
                .await?;
            return Ok(ScimGroup {
                department,
                members: after,
                external_id,
            });
        }
        let tenant = (Some(partner), None);
        let department_target = AuditTarget {
            kind: TargetKind::Department,
            id: department.id.to_string(),
        };
        let mut events = Vec::new();
        let mut changes = Vec::new();
        if create {
            events.push(caller.audit.event(
                self,
                AuditAction::DepartmentCreated,
                tenant,
                department_target.clone(),
                vec![
                    FieldChange::set("name", &department.name),
                    FieldChange::set("via", "scim"),
                ],
            ));
            changes.push(Change::Department {
                department: department.id.key(),
                partner: partner.key(),
            });
        }
        if let Some(old) = &rename {
            events.push(caller.audit.event(
                self,
                AuditAction::DepartmentRenamed,
                tenant,
                department_target,
                vec![FieldChange::changed("name", old, &department.name)],
            ));
        }
        for (account, joins) in &joins {
            let (event, change) = self.department_membership(
                &caller.audit,
                partner,
                (&department.id, account),
                *joins,
                Some(FieldChange::set("via", "scim")),
            );
            events.push(event);
            changes.push(change);
        }
        let written = department.clone();
        let at = self.now();
        self.permissions
            .commit(changes, move |store| async move {
                store
                    .write_department(&written, (create, rename.is_some()), &joins, at, &events)
                    .await
            })
            .await?;
        self.store
            .set_scim_external_id(partner, department.id.as_str(), external_id.as_deref())
            .await?;
        Ok(ScimGroup {
            department,
            members: after,
            external_id,
        })
    }

    /// Deletes a Group: the department, its memberships and the grants naming it.
    pub async fn scim_delete_group(&self, caller: &Caller, id: &str) -> AppResult<()> {
        let partner = Self::scim_partner(caller)?;
        let group = self.scim_department(&partner, id).await?;
        self.delete_department(caller, &partner, &group.department.id)
            .await?;
        self.store
            .set_scim_external_id(&partner, group.department.id.as_str(), None)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filters_are_read_as_clients_write_them() {
        for text in [
            "userName eq \"ana@acme.example\"",
            "username EQ \"ana@acme.example\"",
            "urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"ana@acme.example\"",
        ] {
            assert_eq!(
                Filter::parse(text).unwrap(),
                Filter::UserName("ana@acme.example".to_owned()),
                "{text}"
            );
        }
        assert_eq!(
            Filter::parse("displayName eq \"Field North\"").unwrap(),
            Filter::DisplayName("Field North".to_owned())
        );
        for text in [
            "title eq \"Ana\"",
            "userName co \"ana\"",
            "userName eq ana",
            "",
        ] {
            assert_eq!(
                Filter::parse(text).unwrap_err().code,
                "invalidFilter",
                "{text}"
            );
        }
    }
}
