//! Partners, their members, customers, sites and site admins.

use surrealdb::types::{RecordId, SurrealValue, Variables};

use siteward_core::audit::AuditEvent;
use siteward_core::ids::{AccountId, CustomerId, PartnerId, SiteId};
use siteward_core::page::{Page, PageRequest};
use siteward_core::tenancy::{
    Customer, DisabledReason, MemberStatus, Partner, PartnerMembership, PartnerRole, Site,
    SiteAdmin,
};
use siteward_core::validate::Email;

use crate::accounts::NewAccount;
use crate::error::{Conflict, StorageError};
use crate::licences::guard_licences;
use crate::rows::{
    CustomerRow, MemberRow, PartnerRow, SiteAdminRow, SiteRow, key, member_key, rid, site_admin_key,
};
use crate::{Store, tx::Tx};

/// The account a new membership or site admin refers to: one that exists, or one to create
/// in the same transaction.
#[derive(Debug, Clone)]
pub enum PersonResolution {
    /// An account that already exists.
    Existing(AccountId),
    /// An account to create.
    New(NewAccount),
}

impl PersonResolution {
    /// The account's id.
    pub fn account_id(&self) -> &AccountId {
        match self {
            Self::Existing(id) => id,
            Self::New(new) => &new.account.id,
        }
    }

    pub(crate) fn insert(&self, tx: &mut Tx, name: &str) {
        if let Self::New(new) = self {
            new.insert(tx, name);
        }
    }
}

/// A partner member with the account's email and name, as lists show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    /// The membership.
    pub membership: PartnerMembership,
    /// The member's email.
    pub email: Email,
    /// The member's name.
    pub name: String,
}

/// Which members to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberFilter {
    /// Only members with this role.
    pub role: Option<PartnerRole>,
    /// Only members with this status.
    pub status: Option<MemberStatus>,
    /// Only disabled members disabled for this reason (reference 003 marks those the licences
    /// disabled apart).
    pub disabled_reason: Option<DisabledReason>,
    /// Only members whose name or email contains this text (any case).
    pub search: Option<String>,
}

/// A site admin with the account's email and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteAdminRecord {
    /// The site admin record.
    pub site_admin: SiteAdmin,
    /// The admin's email.
    pub email: Email,
    /// The admin's name.
    pub name: String,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct Person {
    id: RecordId,
    email: String,
    name: String,
}

impl Store {
    /// Reads one page of `table`'s records matching `condition`, in id order. `after_key`
    /// turns the page cursor into the record key to continue after.
    pub(crate) async fn page<R: SurrealValue>(
        &self,
        table: &str,
        condition: &str,
        vars: Variables,
        page: &PageRequest,
        after_key: impl Fn(&str) -> String,
    ) -> Result<Vec<R>, StorageError> {
        self.page_in_order(table, condition, vars, page, after_key, false)
            .await
    }

    /// As [`page`](Self::page), in descending id order when `descending` (the cursor then
    /// means "before").
    pub(crate) async fn page_in_order<R: SurrealValue>(
        &self,
        table: &str,
        condition: &str,
        mut vars: Variables,
        page: &PageRequest,
        after_key: impl Fn(&str) -> String,
        descending: bool,
    ) -> Result<Vec<R>, StorageError> {
        let mut sql = format!("SELECT * FROM {table} WHERE {condition}");
        if let Some(after) = &page.after {
            sql.push_str(if descending {
                " AND id < $after_id"
            } else {
                " AND id > $after_id"
            });
            vars.insert("after_id", rid(table, &after_key(after)));
        }
        sql.push_str(if descending {
            " ORDER BY id DESC LIMIT $limit"
        } else {
            " ORDER BY id LIMIT $limit"
        });
        vars.insert("limit", i64::from(page.limit) + 1);
        self.db
            .query(sql)
            .bind(vars)
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)
    }

    /// Reads the records with these ids (those that exist), in no particular order.
    pub(crate) async fn records<R: SurrealValue>(
        &self,
        ids: Vec<RecordId>,
    ) -> Result<Vec<R>, StorageError> {
        self.db
            .query("SELECT * FROM $ids")
            .bind(("ids", ids))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)
    }

    pub(crate) async fn record<R: SurrealValue>(
        &self,
        table: &str,
        id: &str,
    ) -> Result<R, StorageError> {
        let row: Option<R> = self
            .db
            .select(rid(table, id))
            .await
            .map_err(StorageError::backend)?;
        row.ok_or(StorageError::NotFound)
    }

    async fn people(&self, ids: impl Iterator<Item = &str>) -> Result<Vec<Person>, StorageError> {
        let ids: Vec<RecordId> = ids.map(|id| rid("account", id)).collect();
        self.db
            .query("SELECT id, email, name FROM $ids")
            .bind(("ids", ids))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)
    }

    /// Finds the account with this email, if any.
    pub async fn account_id_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<AccountId>, StorageError> {
        let ids: Vec<RecordId> = self
            .db
            .query("SELECT VALUE id FROM account WHERE email = $email LIMIT 1")
            .bind(("email", email.to_string()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(ids.first().map(|id| AccountId::from_trusted(key(id))))
    }

    /// Creates a partner with its first Super Admin.
    pub async fn create_partner(
        &self,
        partner: &Partner,
        super_admin: &PersonResolution,
        membership: &PartnerMembership,
        events: &[AuditEvent],
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("partner", PartnerRow::from_partner(partner))
            .run("INSERT INTO partner $partner");
        super_admin.insert(&mut tx, "account");
        tx.bind("member", MemberRow::from_membership(membership))
            .guard(
                "INSERT INTO partner_member $member",
                Conflict::AlreadyMember,
            );
        tx.audit_all(events);
        tx.commit(self).await
    }

    /// Lists partners: all of them, or only those in `only`.
    pub async fn partners(
        &self,
        page: &PageRequest,
        only: Option<&[PartnerId]>,
    ) -> Result<Page<Partner>, StorageError> {
        let mut vars = Variables::new();
        let condition = match only {
            None => "true",
            Some(ids) => {
                vars.insert(
                    "only",
                    ids.iter()
                        .map(|id| rid("partner", id.as_str()))
                        .collect::<Vec<_>>(),
                );
                "id IN $only"
            }
        };
        let rows: Vec<PartnerRow> = self
            .page("partner", condition, vars, page, str::to_owned)
            .await?;
        let partners: Vec<Partner> = rows.into_iter().map(PartnerRow::into_partner).collect();
        Ok(Page::from_overfetch(partners, page.limit, |p| {
            p.id.as_str()
        }))
    }

    /// How many members and sites a partner has (through their partner indexes).
    pub async fn partner_counts(&self, id: &PartnerId) -> Result<(u64, u64), StorageError> {
        let mut response = self
            .db
            .query("SELECT VALUE count() FROM partner_member WHERE partner_id = $partner GROUP ALL")
            .query("SELECT VALUE count() FROM site WHERE partner_id = $partner GROUP ALL")
            .bind(("partner", id.to_string()))
            .await
            .map_err(StorageError::backend)?;
        let mut count = |n: usize| -> Result<u64, StorageError> {
            let found: Option<i64> = response.take(n).map_err(StorageError::backend)?;
            Ok(found.map_or(0, |n| u64::try_from(n).unwrap_or_default()))
        };
        Ok((count(0)?, count(1)?))
    }

    /// Reads a partner.
    pub async fn partner(&self, id: &PartnerId) -> Result<Partner, StorageError> {
        Ok(self
            .record::<PartnerRow>("partner", id.as_str())
            .await?
            .into_partner())
    }

    /// Adds an account (existing or new) to a partner.
    pub async fn add_member(
        &self,
        membership: &PartnerMembership,
        person: &PersonResolution,
        events: &[AuditEvent],
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        person.insert(&mut tx, "account");
        tx.bind("member", MemberRow::from_membership(membership))
            .guard(
                "INSERT INTO partner_member $member",
                Conflict::AlreadyMember,
            );
        guard_licences(&mut tx, &membership.partner_id, Conflict::LicenceExhausted);
        tx.audit_all(events);
        tx.commit(self).await
    }

    /// Lists a partner's members, in account id order.
    pub async fn members(
        &self,
        partner: &PartnerId,
        filter: &MemberFilter,
        page: &PageRequest,
    ) -> Result<Page<MemberRecord>, StorageError> {
        // The partner's members in account order from the cursor on, through the unique index
        // on (partner, account): a page costs the same wherever it starts and however many
        // members there are. (A range of record keys with LIMIT read the whole range first in
        // SurrealDB 3, and `ORDER BY` on the partner's index alone sorted them all.)
        let mut vars = Variables::new();
        vars.insert("partner", partner.to_string());
        let mut conditions = vec!["partner_id = $partner"];
        if let Some(after) = &page.after {
            vars.insert("after", after.clone());
            conditions.push("account_id > $after");
        }
        if let Some(role) = filter.role {
            vars.insert("role", role.as_str());
            conditions.push("role = $role");
        }
        if let Some(status) = filter.status {
            vars.insert("status", status.as_str());
            conditions.push("status = $status");
        }
        if let Some(reason) = filter.disabled_reason {
            vars.insert("disabled_reason", reason.as_str());
            conditions.push("disabled_reason = $disabled_reason");
        }
        // A search finds its accounts once, before the members are read.
        let mut sql = String::new();
        if let Some(search) = &filter.search {
            vars.insert("search", search.to_lowercase());
            sql.push_str(
                "LET $found = (SELECT VALUE record::id(id) FROM account \
                 WHERE string::contains(string::lowercase(name), $search) \
                 OR string::contains(email, $search)); ",
            );
            conditions.push("account_id IN $found");
        }
        vars.insert("limit", i64::from(page.limit) + 1);
        sql.push_str(&format!(
            "SELECT * FROM partner_member WHERE {} ORDER BY account_id LIMIT $limit",
            conditions.join(" AND ")
        ));
        let last = usize::from(filter.search.is_some());
        let rows: Vec<MemberRow> = self
            .db
            .query(sql)
            .bind(vars)
            .await
            .and_then(|mut r| r.take(last))
            .map_err(StorageError::backend)?;
        let people = self
            .people(rows.iter().map(|r| r.account_id.as_str()))
            .await?;
        let views = rows
            .iter()
            .map(|row| member_view(row, &people))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetch(views, page.limit, |v| {
            v.membership.account_id.as_str()
        }))
    }

    /// A partner's members from the `start`-th (counting from 0) in account order, at most
    /// `count`, and how many there are: the offset paging SCIM clients ask for.
    pub async fn members_window(
        &self,
        partner: &PartnerId,
        start: u32,
        count: u32,
    ) -> Result<(u64, Vec<MemberRecord>), StorageError> {
        let mut response = self
            .db
            .query(
                "SELECT count() AS n FROM partner_member WHERE partner_id = $partner GROUP ALL;
                 SELECT * FROM partner_member WHERE partner_id = $partner
                 ORDER BY account_id LIMIT $count START $start",
            )
            .bind(("partner", partner.to_string()))
            .bind(("count", i64::from(count)))
            .bind(("start", i64::from(start)))
            .await
            .map_err(StorageError::backend)?;
        let total: Option<i64> = response.take((0, "n")).map_err(StorageError::backend)?;
        let rows: Vec<MemberRow> = response.take(1).map_err(StorageError::backend)?;
        let people = self
            .people(rows.iter().map(|r| r.account_id.as_str()))
            .await?;
        let views = rows
            .iter()
            .map(|row| member_view(row, &people))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((u64::try_from(total.unwrap_or(0)).unwrap_or(0), views))
    }

    /// The members of a partner who turned alerts off for themselves.
    pub async fn alerts_off(&self, partner: &PartnerId) -> Result<Vec<AccountId>, StorageError> {
        let ids: Vec<String> = self
            .db
            .query(
                "SELECT VALUE account_id FROM partner_member \
                 WHERE partner_id = $partner AND alerts_off = true",
            )
            .bind(("partner", partner.to_string()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(ids.into_iter().map(AccountId::from_trusted).collect())
    }

    /// Turns a member's alerts on or off, with the audit event.
    pub async fn set_member_alerts(
        &self,
        partner: &PartnerId,
        account: &AccountId,
        on: bool,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind(
            "member",
            rid("partner_member", &member_key(partner, account)),
        )
        .bind("off", !on)
        .run("UPDATE $member SET alerts_off = $off")
        .audit(event);
        tx.commit(self).await
    }

    /// Reads one membership.
    pub async fn member(
        &self,
        partner: &PartnerId,
        account: &AccountId,
    ) -> Result<MemberRecord, StorageError> {
        let row: MemberRow = self
            .record("partner_member", &member_key(partner, account))
            .await?;
        let people = self
            .people(std::iter::once(row.account_id.as_str()))
            .await?;
        member_view(&row, &people)
    }

    /// Whether `email` is one of a partner's people: a member (of any role or status) or an
    /// admin of one of the sites it serves.
    pub async fn is_partner_person(
        &self,
        partner: &PartnerId,
        email: &Email,
    ) -> Result<bool, StorageError> {
        let Some(account) = self.account_id_by_email(email).await? else {
            return Ok(false);
        };
        // By the member's key, then by the admin's few sites (`site_admin_account`).
        let mut answer = self
            .db
            .query("RETURN record::exists($member)")
            .query("SELECT VALUE site_id FROM site_admin WHERE account_id = $account")
            .bind((
                "member",
                rid("partner_member", &member_key(partner, &account)),
            ))
            .bind(("account", account.to_string()))
            .await
            .map_err(StorageError::backend)?;
        let member: Option<bool> = answer.take(0).map_err(StorageError::backend)?;
        if member == Some(true) {
            return Ok(true);
        }
        let sites: Vec<String> = answer.take(1).map_err(StorageError::backend)?;
        if sites.is_empty() {
            return Ok(false);
        }
        let partners: Vec<String> = self
            .db
            .query("SELECT VALUE partner_id FROM $sites")
            .bind((
                "sites",
                sites
                    .iter()
                    .map(|site| rid("site", site))
                    .collect::<Vec<_>>(),
            ))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(partners.iter().any(|p| p.as_str() == partner.as_str()))
    }

    /// Changes a member's role, status or privileges. Refuses to leave the partner without an
    /// active Super Admin, or to exceed a licence.
    pub async fn update_member(
        &self,
        updated: &PartnerMembership,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        update_member_in(&mut tx, updated);
        tx.audit(event);
        tx.commit(self).await
    }

    /// Creates a customer.
    pub async fn create_customer(
        &self,
        customer: &Customer,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("customer", CustomerRow::from_customer(customer))
            .run("INSERT INTO customer $customer")
            .audit(event);
        tx.commit(self).await
    }

    /// Lists a partner's customers.
    pub async fn customers(
        &self,
        partner: &PartnerId,
        page: &PageRequest,
    ) -> Result<Page<Customer>, StorageError> {
        let mut vars = Variables::new();
        vars.insert("partner", partner.to_string());
        let rows: Vec<CustomerRow> = self
            .page(
                "customer",
                "partner_id = $partner",
                vars,
                page,
                str::to_owned,
            )
            .await?;
        Ok(Page::from_overfetch(
            rows.into_iter().map(CustomerRow::into_customer).collect(),
            page.limit,
            |c: &Customer| c.id.as_str(),
        ))
    }

    /// Reads a customer.
    pub async fn customer(&self, id: &CustomerId) -> Result<Customer, StorageError> {
        Ok(self
            .record::<CustomerRow>("customer", id.as_str())
            .await?
            .into_customer())
    }

    /// Creates a site with its first site admin (an existing account or a new one).
    pub async fn create_site(
        &self,
        site: &Site,
        admin: &PersonResolution,
        site_admin: &SiteAdmin,
        events: &[AuditEvent],
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("site", SiteRow::from_site(site))
            .run("INSERT INTO site $site");
        admin.insert(&mut tx, "account");
        insert_site_admin(&mut tx, site_admin);
        tx.audit_all(events);
        tx.commit(self).await
    }

    /// Lists a partner's sites.
    pub async fn sites(
        &self,
        partner: &PartnerId,
        page: &PageRequest,
    ) -> Result<Page<Site>, StorageError> {
        let mut vars = Variables::new();
        vars.insert("partner", partner.to_string());
        let rows: Vec<SiteRow> = self
            .page("site", "partner_id = $partner", vars, page, str::to_owned)
            .await?;
        Ok(Page::from_overfetch(
            rows.into_iter().map(SiteRow::into_site).collect(),
            page.limit,
            |s: &Site| s.id.as_str(),
        ))
    }

    /// Reads the sites with these ids (those that exist), in no particular order.
    pub async fn sites_by_id(&self, ids: &[SiteId]) -> Result<Vec<Site>, StorageError> {
        let ids = ids.iter().map(|id| rid("site", id.as_str())).collect();
        let rows: Vec<SiteRow> = self.records(ids).await?;
        Ok(rows.into_iter().map(SiteRow::into_site).collect())
    }

    /// Reads a site.
    pub async fn site(&self, id: &SiteId) -> Result<Site, StorageError> {
        Ok(self
            .record::<SiteRow>("site", id.as_str())
            .await?
            .into_site())
    }

    /// Makes an account (existing or new) an admin of a site.
    pub async fn add_site_admin(
        &self,
        site_admin: &SiteAdmin,
        person: &PersonResolution,
        events: &[AuditEvent],
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        person.insert(&mut tx, "account");
        insert_site_admin(&mut tx, site_admin);
        tx.audit_all(events);
        tx.commit(self).await
    }

    /// Lists a site's admins, in account id order.
    pub async fn site_admins(
        &self,
        site: &SiteId,
        page: &PageRequest,
    ) -> Result<Page<SiteAdminRecord>, StorageError> {
        let mut vars = Variables::new();
        vars.insert("site", site.to_string());
        let rows: Vec<SiteAdminRow> = self
            .page("site_admin", "site_id = $site", vars, page, |after| {
                site_admin_key(site, &AccountId::from_trusted(after.to_owned()))
            })
            .await?;
        let people = self
            .people(rows.iter().map(|r| r.account_id.as_str()))
            .await?;
        let views = rows
            .into_iter()
            .map(|row| {
                let person = find_person(&people, &row.account_id)?;
                Ok(SiteAdminRecord {
                    site_admin: SiteAdmin {
                        site_id: SiteId::from_trusted(row.site_id),
                        account_id: AccountId::from_trusted(row.account_id),
                        created_at: row.created_at,
                    },
                    email: Email::from_trusted(person.email.clone()),
                    name: person.name.clone(),
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        Ok(Page::from_overfetch(views, page.limit, |v| {
            v.site_admin.account_id.as_str()
        }))
    }

    /// One admin of a site, with their name and email.
    pub async fn site_admin(
        &self,
        site: &SiteId,
        account: &AccountId,
    ) -> Result<SiteAdminRecord, StorageError> {
        let row: SiteAdminRow = self
            .db
            .select(rid("site_admin", &site_admin_key(site, account)))
            .await
            .map_err(StorageError::backend)?
            .ok_or(StorageError::NotFound)?;
        let people = self
            .people(std::iter::once(row.account_id.as_str()))
            .await?;
        let person = find_person(&people, &row.account_id)?;
        Ok(SiteAdminRecord {
            email: Email::from_trusted(person.email.clone()),
            name: person.name.clone(),
            site_admin: SiteAdmin {
                site_id: SiteId::from_trusted(row.site_id),
                account_id: AccountId::from_trusted(row.account_id),
                created_at: row.created_at,
            },
        })
    }

    /// Removes a site admin (the account remains).
    pub async fn remove_site_admin(
        &self,
        site: &SiteId,
        account: &AccountId,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let existing: Option<SiteAdminRow> = self
            .db
            .select(rid("site_admin", &site_admin_key(site, account)))
            .await
            .map_err(StorageError::backend)?;
        if existing.is_none() {
            return Err(StorageError::NotFound);
        }
        let mut tx = Tx::new();
        tx.bind(
            "site_admin",
            rid("site_admin", &site_admin_key(site, account)),
        )
        .run("DELETE $site_admin")
        .audit(event);
        tx.commit(self).await
    }
}

/// Fails the transaction when no other active Super Admin than `$account_id` would remain.
pub(crate) const LAST_SUPER_ADMIN_GUARD: &str = "IF array::len(SELECT id FROM partner_member WHERE partner_id = $partner_id \
     AND account_id != $account_id AND role = 'super_admin' AND status = 'active') = 0 \
     AND (SELECT VALUE role FROM ONLY $member) = 'super_admin' { THROW 'last_super_admin' }";

/// The statements that change a member's role, status or privileges: never leaving the
/// partner without an active Super Admin, nor beyond a licence.
pub(crate) fn update_member_in(tx: &mut Tx, updated: &PartnerMembership) {
    bind_member(tx, &updated.partner_id, &updated.account_id);
    let keeps_super_admin =
        updated.role == PartnerRole::SuperAdmin && updated.status == MemberStatus::Active;
    if !keeps_super_admin {
        tx.guard(LAST_SUPER_ADMIN_GUARD, Conflict::LastSuperAdmin);
    }
    let row = MemberRow::from_membership(updated);
    tx.bind("role", row.role)
        .bind("status", row.status)
        .bind("disabled_reason", row.disabled_reason)
        .bind("privileges", row.privileges)
        .run(
            "UPDATE $member SET role = $role, status = $status, \
             disabled_reason = $disabled_reason, privileges = $privileges",
        );
    guard_licences(tx, &updated.partner_id, Conflict::LicenceExhausted);
}

pub(crate) fn bind_member(tx: &mut Tx, partner: &PartnerId, account: &AccountId) {
    tx.bind(
        "member",
        rid("partner_member", &member_key(partner, account)),
    )
    .bind("partner_id", partner.to_string())
    .bind("account_id", account.to_string());
}

/// Inserts a site admin, unless they are its admin already or one of its technicians: a
/// site's admins are not its technicians (they hold the site whole).
pub(crate) fn insert_site_admin(tx: &mut Tx, site_admin: &SiteAdmin) {
    insert_site_admin_as(tx, site_admin, "site_admin");
}

/// [`insert_site_admin`] with its variables named after `name`, for several in one
/// transaction.
pub(crate) fn insert_site_admin_as(tx: &mut Tx, site_admin: &SiteAdmin, name: &str) {
    let key = site_admin_key(&site_admin.site_id, &site_admin.account_id);
    tx.bind(&format!("{name}_assignment"), rid("site_assignment", &key))
        .guard(
            format!(
                "IF (SELECT VALUE id FROM ONLY ${name}_assignment) != NONE {{ THROW 'technician' }}"
            ),
            Conflict::AlreadyTechnician,
        );
    tx.bind(
        name,
        SiteAdminRow {
            id: rid(
                "site_admin",
                &site_admin_key(&site_admin.site_id, &site_admin.account_id),
            ),
            site_id: site_admin.site_id.to_string(),
            account_id: site_admin.account_id.to_string(),
            created_at: site_admin.created_at,
        },
    )
    .guard(
        format!("INSERT INTO site_admin ${name}"),
        Conflict::AlreadySiteAdmin,
    );
}

fn find_person<'a>(people: &'a [Person], account_id: &str) -> Result<&'a Person, StorageError> {
    people
        .iter()
        .find(|p| key(&p.id) == account_id)
        .ok_or_else(|| {
            StorageError::Invalid(format!("membership refers to missing account {account_id}"))
        })
}

fn member_view(row: &MemberRow, people: &[Person]) -> Result<MemberRecord, StorageError> {
    let person = find_person(people, &row.account_id)?;
    Ok(MemberRecord {
        membership: row.to_membership()?,
        email: Email::from_trusted(person.email.clone()),
        name: person.name.clone(),
    })
}
