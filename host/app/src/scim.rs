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
use siteward_core::audit::FieldChange;
use siteward_core::identity::Domain;
use siteward_core::ids::{AccountId, PartnerId};
use siteward_core::tenancy::MemberStatus;
use siteward_core::validate::Email;
use siteward_storage::StorageError;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::partners::{Member, MemberChange};
use crate::services::App;

/// A list filter SCIM clients send: `userName eq "…"` is the one provisioning needs (Okta and
/// Entra look a person up by it before creating them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// `userName eq "value"`.
    UserName(String),
}

impl Filter {
    /// Parses a filter; anything else is refused with SCIM's `invalidFilter`.
    pub fn parse(text: &str) -> AppResult<Self> {
        let refuse = || {
            AppError::new(
                crate::Kind::Invalid,
                "invalidFilter",
                "only the filter userName eq \"<email>\" is supported",
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
            .unwrap_or(attribute);
        if !attribute.eq_ignore_ascii_case("userName") || !op.eq_ignore_ascii_case("eq") {
            return Err(refuse());
        }
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(refuse)?;
        Ok(Self::UserName(value.replace("\\\"", "\"")))
    }
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
        let accounts: Vec<AccountId> = members
            .iter()
            .map(|m| m.membership.account_id.clone())
            .collect();
        let external = self.store.scim_external_ids(partner, &accounts).await?;
        Ok(members
            .into_iter()
            .map(|member| ScimUser {
                external_id: external
                    .iter()
                    .find(|(a, _)| *a == member.membership.account_id)
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
            let Filter::UserName(user_name) = Filter::parse(filter)?;
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
        let claimed = self.store.claimed_domains(&partner).await?;
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
                .set_scim_external_id(&partner, &account, external_id.as_deref())
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
            .set_scim_external_id(&partner, account, None)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_name_filter_is_read_as_clients_write_it() {
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
        for text in [
            "displayName eq \"Ana\"",
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
