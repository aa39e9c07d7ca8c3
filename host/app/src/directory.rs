//! A partner's directory (LDAP, Active Directory): set up on the Identity page, previewed,
//! and synced — on demand and every so many minutes. A sync reads the directory through the
//! frontend's [`ProviderTransport`](crate::identity::ProviderTransport), plans the changes in
//! the core ([`siteward_core::directory::plan`]) and writes them in one transaction with an
//! event for each, through the permission index's lane.
//!
//! People are brought in only with addresses in the partner's claimed domains (as SCIM
//! does): the host cannot check that a directory's administrator owns other addresses. They
//! join as technicians with an account whose password nobody knows, and sign in through
//! single sign-on (or set a password by a reset link, where passwords are allowed).

use chrono::TimeDelta;

use siteward_core::FieldError;
use siteward_core::access::{Action, authorize};
use siteward_core::account::{Account, AccountStatus};
use siteward_core::audit::{Actor, AuditAction, AuditEvent, AuditTarget, FieldChange, TargetKind};
use siteward_core::directory::{
    Directory, DirectorySettings, Known, Mapping, Plan, Step, SyncOutcome, normal_dn,
};
use siteward_core::identity::Domain;
use siteward_core::ids::{AccountId, DepartmentId, PartnerId};
use siteward_core::permission::index::Change;
use siteward_core::permission::records::Department;
use siteward_core::tenancy::{PartnerMembership, PartnerRole};
use siteward_core::validate::Email;
use siteward_storage::{NewAccount, SyncWrite};

use crate::auth::{self, Caller};
use crate::error::{AppError, AppResult};
use crate::services::{App, AuditContext};

/// How many due directories one round of the worker syncs.
const DUE_PER_ROUND: u32 = 10;

/// A failed automatic sync is tried again after this long (or its interval, if shorter).
const RETRY_AFTER: TimeDelta = TimeDelta::minutes(15);

/// A partner's directory as its Identity page shows it.
#[derive(Debug, Clone)]
pub struct DirectorySetup {
    /// The directory, its password removed; `None` until one is set up.
    pub directory: Option<Directory>,
    /// The partner's departments, by name, for mappings.
    pub departments: Vec<Department>,
    /// The domains people may be brought in from.
    pub domains: Vec<Domain>,
}

fn target(partner: &PartnerId) -> AuditTarget {
    AuditTarget {
        kind: TargetKind::Directory,
        id: partner.to_string(),
    }
}

fn unreachable(error: &str) -> AppError {
    AppError::unavailable(
        "directory_unreachable",
        format!("the directory could not be read: {error}"),
    )
}

fn none_yet() -> AppError {
    AppError::conflict(
        "directory_not_set_up",
        "this team has no directory yet: set one up first",
    )
}

impl App {
    /// A partner's directory and what setting it up needs (its admins).
    pub async fn directory_setup(
        &self,
        caller: &Caller,
        partner: &PartnerId,
    ) -> AppResult<DirectorySetup> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        self.store.partner(partner).await?;
        let (directory, departments, domains) = tokio::try_join!(
            self.store.directory(partner),
            self.all_departments(partner),
            self.own_domains(partner),
        )?;
        Ok(DirectorySetup {
            directory: directory.map(|mut d| {
                d.settings.bind_password = None;
                d
            }),
            departments,
            domains: domains.into_iter().map(|d| d.domain).collect(),
        })
    }

    /// Sets up or changes the partner's directory, audited; a sensitive change. The first
    /// setup needs the bind password; a change keeps it unless a new one is given.
    pub async fn save_directory(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        settings: DirectorySettings,
    ) -> AppResult<Directory> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        self.store.partner(partner).await?;
        let before = self.store.directory(partner).await?;
        let bind_password = match (&settings.bind_password, &before) {
            (Some(password), _) => password.clone(),
            (None, Some(before)) => before.bind_password().to_owned(),
            (None, None) => {
                return Err(FieldError::new(
                    "bind_password",
                    "is needed: the password of the account the host binds as",
                )
                .into());
            }
        };
        self.require_fresh_sign_in(caller).await?;
        let next_sync_at = (settings.interval_minutes > 0)
            .then(|| self.now() + TimeDelta::minutes(i64::from(settings.interval_minutes)));
        let changes = settings_changes(before.as_ref().map(|b| &b.settings), &settings);
        let after = Directory {
            partner_id: partner.clone(),
            settings: DirectorySettings {
                bind_password: Some(bind_password),
                ..settings
            },
            mappings: before
                .as_ref()
                .map(|b| b.mappings.clone())
                .unwrap_or_default(),
            last_sync: before
                .as_ref()
                .map(|b| b.last_sync.clone())
                .unwrap_or_default(),
            next_sync_at,
        };
        let event = caller.audit.event(
            self,
            AuditAction::DirectorySaved,
            (Some(partner), None),
            target(partner),
            changes,
        );
        self.store.save_directory(&after, &event).await?;
        Ok(after)
    }

    /// Removes the partner's directory: its people stay members, no longer synced. Audited,
    /// sensitive.
    pub async fn delete_directory(&self, caller: &Caller, partner: &PartnerId) -> AppResult<()> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let directory = self.partner_directory(partner).await?;
        self.require_fresh_sign_in(caller).await?;
        let event = caller.audit.event(
            self,
            AuditAction::DirectoryDeleted,
            (Some(partner), None),
            target(partner),
            vec![FieldChange {
                field: "url".to_owned(),
                before: Some(directory.settings.url),
                after: None,
            }],
        );
        self.store.delete_directory(partner, &event).await?;
        Ok(())
    }

    /// Maps a directory group to a department (`add`), or removes that mapping: the group's
    /// members, directly or through nested groups, are in the department after each sync.
    pub async fn change_directory_mapping(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        (group, department): (&str, &DepartmentId),
        add: bool,
    ) -> AppResult<Directory> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let mut directory = self.partner_directory(partner).await?;
        let department = self.partner_department(partner, department).await?;
        let group = group.trim();
        if !group.contains('=') || group.len() > 500 || group.contains(char::is_control) {
            return Err(FieldError::new(
                "group",
                "must be the group's distinguished name, such as cn=Field,ou=Groups,dc=example,dc=com",
            )
            .into());
        }
        let same =
            |m: &Mapping| normal_dn(&m.group) == normal_dn(group) && m.department == department.id;
        let exists = directory.mappings.iter().any(same);
        if add == exists {
            return Ok(directory);
        }
        self.require_fresh_sign_in(caller).await?;
        if add {
            directory.mappings.push(Mapping {
                group: group.to_owned(),
                department: department.id.clone(),
            });
        } else {
            directory.mappings.retain(|m| !same(m));
        }
        let change = FieldChange::set("mapping", format!("{group} → {}", department.name));
        let event = caller.audit.event(
            self,
            AuditAction::DirectoryMappingChanged,
            (Some(partner), None),
            target(partner),
            vec![if add {
                change
            } else {
                FieldChange {
                    field: change.field,
                    before: change.after,
                    after: None,
                }
            }],
        );
        self.store.save_directory(&directory, &event).await?;
        Ok(directory)
    }

    /// What a sync would do now, changing nothing.
    pub async fn preview_directory(&self, caller: &Caller, partner: &PartnerId) -> AppResult<Plan> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let directory = self.partner_directory(partner).await?;
        self.plan_sync(&directory).await
    }

    /// Syncs the partner's directory now, for one of its admins.
    pub async fn sync_directory(
        &self,
        caller: &Caller,
        partner: &PartnerId,
    ) -> AppResult<SyncOutcome> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let directory = self.partner_directory(partner).await?;
        self.sync(&directory, &caller.audit).await
    }

    /// Syncs the directories whose automatic sync is due; how many were synced (a failure is
    /// recorded on its directory and its trail, and tried again later).
    pub async fn sync_due_directories(&self) -> AppResult<usize> {
        let now = self.now();
        let due = self
            .store
            .claim_due_directories(now, now + RETRY_AFTER, DUE_PER_ROUND)
            .await?;
        let audit = AuditContext {
            actor: Actor::System,
            request_id: None,
        };
        let mut synced = 0;
        for directory in due {
            match self.sync(&directory, &audit).await {
                Ok(_) => synced += 1,
                Err(error) => {
                    let partner = &directory.partner_id;
                    tracing::warn!(%partner, %error, "a directory sync failed");
                }
            }
        }
        Ok(synced)
    }

    async fn partner_directory(&self, partner: &PartnerId) -> AppResult<Directory> {
        self.store.partner(partner).await?;
        self.store.directory(partner).await?.ok_or_else(none_yet)
    }

    async fn plan_sync(&self, directory: &Directory) -> AppResult<Plan> {
        let listing = self
            .identity
            .read_directory(&directory.settings)
            .await
            .map_err(|e| unreachable(&e))?;
        let partner = &directory.partner_id;
        let domains: Vec<Domain> = self
            .own_domains(partner)
            .await?
            .into_iter()
            .map(|d| d.domain)
            .collect();
        let emails: Vec<Email> = listing
            .people
            .iter()
            .filter_map(|p| p.email.as_deref())
            .filter_map(|e| Email::parse("email", e).ok())
            .collect();
        let mapped: Vec<DepartmentId> = directory
            .mappings
            .iter()
            .map(|m| m.department.clone())
            .collect();
        let known: Vec<Known> = self
            .store
            .directory_known(partner, &emails, &mapped)
            .await?;
        Ok(siteward_core::directory::plan(
            &listing, directory, &domains, &known,
        ))
    }

    /// Reads the directory and applies what changed, in one transaction; a failure (the
    /// directory unreachable, the licences exceeded) changes nothing and is recorded on the
    /// directory and the partner's trail.
    async fn sync(&self, directory: &Directory, audit: &AuditContext) -> AppResult<SyncOutcome> {
        let partner = &directory.partner_id;
        let interval = TimeDelta::minutes(i64::from(directory.settings.interval_minutes));
        let next = |after: TimeDelta| (interval > TimeDelta::zero()).then(|| self.now() + after);
        let applied = async {
            let plan = self.plan_sync(directory).await?;
            let outcome = plan.outcome(self.now());
            self.apply(directory, &plan, &outcome, next(interval), audit)
                .await?;
            Ok::<_, AppError>(outcome)
        }
        .await;
        match applied {
            Ok(outcome) => Ok(outcome),
            Err(error) => {
                let outcome = SyncOutcome {
                    at: Some(self.now()),
                    error: Some(error.message.to_string()),
                    ..SyncOutcome::default()
                };
                let event = audit.event(
                    self,
                    AuditAction::DirectorySyncFailed,
                    (Some(partner), None),
                    target(partner),
                    vec![FieldChange::set("error", error.code)],
                );
                self.store
                    .record_directory_failure(
                        partner,
                        &outcome,
                        next(interval.min(RETRY_AFTER)),
                        &event,
                    )
                    .await?;
                Err(error)
            }
        }
    }

    async fn apply(
        &self,
        directory: &Directory,
        plan: &Plan,
        outcome: &SyncOutcome,
        next_sync_at: Option<chrono::DateTime<chrono::Utc>>,
        audit: &AuditContext,
    ) -> AppResult<()> {
        let partner = &directory.partner_id;
        let tenant = (Some(partner), None);
        let via = FieldChange::set("directory", &directory.settings.url);
        let mut events: Vec<AuditEvent> = Vec::new();
        let mut changes: Vec<Change> = Vec::new();
        let mut new_accounts = Vec::new();
        let hash = auth::unusable_password_hash().await?;
        for person in &plan.people {
            let account: AccountId = match &person.step {
                Step::Join(existing) => {
                    let id = match existing {
                        Some(id) => id.clone(),
                        None => {
                            let account = Account {
                                id: self.new_id(AccountId::from_trusted),
                                email: person.email.clone(),
                                name: person.name.clone(),
                                status: AccountStatus::Active,
                                is_operator: false,
                                totp_enabled: false,
                                locale: None,
                                created_at: self.now(),
                            };
                            events.push(audit.event(
                                self,
                                AuditAction::AccountCreated,
                                tenant,
                                crate::session::account_target(&account.id),
                                vec![via.clone()],
                            ));
                            let id = account.id.clone();
                            new_accounts.push(NewAccount {
                                account,
                                password_hash: hash.clone(),
                            });
                            id
                        }
                    };
                    let membership = PartnerMembership::new(
                        partner.clone(),
                        id.clone(),
                        PartnerRole::Technician,
                        self.now(),
                    );
                    changes.push(membership.change());
                    events.push(audit.event(
                        self,
                        AuditAction::MemberAdded,
                        tenant,
                        crate::partners::member_target(&id),
                        vec![
                            FieldChange::set("role", PartnerRole::Technician),
                            via.clone(),
                        ],
                    ));
                    id
                }
                Step::Adopt(id) | Step::Keep(id) => id.clone(),
                Step::Disable(membership) | Step::Enable(membership) => {
                    changes.push(membership.change());
                    let before = match membership.status {
                        siteward_core::tenancy::MemberStatus::Active => {
                            siteward_core::tenancy::MemberStatus::Disabled
                        }
                        siteward_core::tenancy::MemberStatus::Disabled => {
                            siteward_core::tenancy::MemberStatus::Active
                        }
                    };
                    events.push(audit.event(
                        self,
                        AuditAction::MemberUpdated,
                        tenant,
                        crate::partners::member_target(&membership.account_id),
                        vec![
                            FieldChange::changed("status", before, membership.status),
                            via.clone(),
                        ],
                    ));
                    membership.account_id.clone()
                }
            };
            if let Some((before, after)) = &person.rename {
                events.push(audit.event(
                    self,
                    AuditAction::AccountUpdated,
                    tenant,
                    crate::session::account_target(&account),
                    vec![FieldChange::changed("name", before, after), via.clone()],
                ));
            }
            for (department, joins) in &person.departments {
                let (event, change) = self.department_membership(
                    audit,
                    partner,
                    (department, &account),
                    *joins,
                    Some(via.clone()),
                );
                events.push(event);
                changes.push(change);
            }
        }
        events.push(audit.event(
            self,
            AuditAction::DirectorySynced,
            tenant,
            target(partner),
            outcome_changes(outcome),
        ));
        let (partner, plan, outcome, at) =
            (partner.clone(), plan.clone(), outcome.clone(), self.now());
        self.permissions
            .commit(changes, move |store| async move {
                let write = SyncWrite {
                    plan: &plan,
                    new_accounts: &new_accounts,
                    outcome: &outcome,
                    next_sync_at,
                    at,
                };
                store.apply_directory_sync(&partner, &write, &events).await
            })
            .await?;
        Ok(())
    }
}

/// A sync's counts, as its event records them.
fn outcome_changes(outcome: &SyncOutcome) -> Vec<FieldChange> {
    [
        ("joined", outcome.joined),
        ("renamed", outcome.renamed),
        ("disabled", outcome.disabled),
        ("enabled", outcome.enabled),
        ("department_changes", outcome.department_changes),
        ("skipped", outcome.skipped),
    ]
    .into_iter()
    .map(|(field, count)| FieldChange::set(field, count))
    .collect()
}

/// What changed between a directory's two settings (the password only as "changed").
fn settings_changes(
    before: Option<&DirectorySettings>,
    after: &DirectorySettings,
) -> Vec<FieldChange> {
    let text = |s: &DirectorySettings| {
        [
            ("url", s.url.clone()),
            ("starttls", s.starttls.to_string()),
            ("bind_dn", s.bind_dn.clone()),
            ("base_dn", s.base_dn.clone()),
            ("filter", s.filter.clone()),
            ("email_attribute", s.email_attribute.clone()),
            ("name_attribute", s.name_attribute.clone()),
            ("group", s.group.clone().unwrap_or_default()),
            ("interval_minutes", s.interval_minutes.to_string()),
        ]
    };
    let old = before.map(text);
    let mut changes: Vec<FieldChange> = text(after)
        .into_iter()
        .enumerate()
        .filter_map(|(n, (field, value))| {
            let was = old.as_ref().map(|o| o[n].1.clone());
            (was.as_ref() != Some(&value)).then(|| FieldChange {
                field: field.to_owned(),
                before: was,
                after: Some(value),
            })
        })
        .collect();
    if after.bind_password.is_some() {
        changes.push(FieldChange::set("bind_password", "changed"));
    }
    changes
}
