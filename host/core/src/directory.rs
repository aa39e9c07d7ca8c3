//! A partner's directory (LDAP, Active Directory): where its people are read from, and what a
//! sync makes of them. Reading the directory is the application layer's (it needs the
//! network); the plan — who joins, who is renamed, who is disabled or comes back, and which
//! departments each is in — is decided here, from what was read and what the host holds.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::FieldError;
use crate::Timestamp;
use crate::identity::Domain;
use crate::ids::{AccountId, DepartmentId, PartnerId};
use crate::tenancy::{DisabledReason, MemberStatus, PartnerMembership, PartnerRole};
use crate::validate::Email;

/// The filter people are found by when a directory names none: people (or Active Directory
/// users) with an email address.
pub const DEFAULT_FILTER: &str = "(&(|(objectClass=inetOrgPerson)(objectClass=user))(mail=*))";

/// How a directory is reached and read, as a form gives it, checked. Its `Debug` form
/// leaves the password out.
#[derive(Clone, PartialEq, Eq)]
pub struct DirectorySettings {
    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    pub url: String,
    /// Upgrade an `ldap://` connection with StartTLS before binding.
    pub starttls: bool,
    /// The account the host binds as (a read-only service account).
    pub bind_dn: String,
    /// Its password; `None` keeps the one stored.
    pub bind_password: Option<String>,
    /// Where people and groups are searched for.
    pub base_dn: String,
    /// Which entries under the base are people.
    pub filter: String,
    /// The attribute holding a person's email (`mail`; `userPrincipalName` in some AD forests).
    pub email_attribute: String,
    /// The attribute holding a person's name (`displayName`, or `cn`).
    pub name_attribute: String,
    /// Only members of this group (directly or through nested groups) are the partner's
    /// people; `None` takes everyone the filter finds.
    pub group: Option<String>,
    /// Minutes between automatic syncs; 0 syncs only when someone asks.
    pub interval_minutes: u32,
}

impl std::fmt::Debug for DirectorySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectorySettings")
            .field("url", &self.url)
            .field("starttls", &self.starttls)
            .field("bind_dn", &self.bind_dn)
            .field("bind_password", &self.bind_password.as_ref().map(|_| "…"))
            .field("base_dn", &self.base_dn)
            .field("filter", &self.filter)
            .field("email_attribute", &self.email_attribute)
            .field("name_attribute", &self.name_attribute)
            .field("group", &self.group)
            .field("interval_minutes", &self.interval_minutes)
            .finish()
    }
}

/// The most minutes between automatic syncs (a week).
pub const MAX_INTERVAL_MINUTES: u32 = 7 * 24 * 60;

fn attribute(field: &str, text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    let valid = !text.is_empty()
        && text.len() <= 64
        && text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if valid {
        Ok(text.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "must be an attribute name such as mail or displayName",
        ))
    }
}

fn dn(field: &str, text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.is_empty() || text.len() > 500 || !text.contains('=') || text.contains(char::is_control)
    {
        return Err(FieldError::new(
            field,
            "must be a distinguished name such as dc=example,dc=com",
        ));
    }
    Ok(text.to_owned())
}

impl DirectorySettings {
    /// Checks each field, naming the first that is wrong. `fields` are, in order: the URL, the
    /// bind DN, the bind password, the base DN, the filter, the email and name attributes and
    /// the group (empty for none).
    pub fn parse(
        fields: [&str; 8],
        starttls: bool,
        interval_minutes: u32,
    ) -> Result<Self, FieldError> {
        let [url, bind_dn, password, base_dn, filter, email, name, group] = fields;
        let url = url.trim();
        let rest = url
            .strip_prefix("ldap://")
            .or_else(|| url.strip_prefix("ldaps://"));
        let host = rest.map(|r| r.trim_end_matches('/')).unwrap_or_default();
        if host.is_empty()
            || host.contains(['/', '?', '#', '@'])
            || host.contains(char::is_whitespace)
            || url.len() > 300
        {
            return Err(FieldError::new(
                "url",
                "must be ldap://host or ldaps://host, with a port if it is not the usual one",
            ));
        }
        if starttls && url.starts_with("ldaps://") {
            return Err(FieldError::new(
                "starttls",
                "StartTLS upgrades an ldap:// connection; an ldaps:// one is encrypted already",
            ));
        }
        let password = password.trim_end_matches(['\r', '\n']);
        let bind_password = if password.is_empty() {
            None
        } else if password.len() > 500 || password.contains(char::is_control) {
            return Err(FieldError::new(
                "bind_password",
                "must be the service account's password (at most 500 characters)",
            ));
        } else {
            Some(password.to_owned())
        };
        let filter = match filter.trim() {
            "" => DEFAULT_FILTER.to_owned(),
            f if f.starts_with('(') && f.ends_with(')') && f.len() <= 1000 => f.to_owned(),
            _ => {
                return Err(FieldError::new(
                    "filter",
                    "must be an LDAP filter in parentheses, such as (objectClass=person)",
                ));
            }
        };
        let group = match group.trim() {
            "" => None,
            g => Some(self::dn("group", g)?),
        };
        if interval_minutes > MAX_INTERVAL_MINUTES {
            return Err(FieldError::new(
                "interval_minutes",
                "must be at most 10080 (a week); 0 syncs only on demand",
            ));
        }
        Ok(Self {
            url: format!(
                "{}{host}",
                &url[..url.len() - rest.unwrap_or_default().len()]
            ),
            starttls,
            bind_dn: self::dn("bind_dn", bind_dn)?,
            bind_password,
            base_dn: self::dn("base_dn", base_dn)?,
            filter,
            email_attribute: attribute("email_attribute", email)?,
            name_attribute: attribute("name_attribute", name)?,
            group,
            interval_minutes,
        })
    }
}

/// A group of the directory whose members join a department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The group's distinguished name.
    pub group: String,
    /// The department its members (directly or through nested groups) are in.
    pub department: DepartmentId,
}

/// What the last sync did, or why it failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncOutcome {
    /// When it ran.
    pub at: Option<Timestamp>,
    /// People who joined.
    pub joined: u32,
    /// People whose name changed.
    pub renamed: u32,
    /// Members disabled because they left the directory or its group.
    pub disabled: u32,
    /// Members enabled because they came back.
    pub enabled: u32,
    /// Department memberships given or taken.
    pub department_changes: u32,
    /// Entries not taken, each with its reason.
    pub skipped: u32,
    /// Why it failed, if it did (nothing was changed then).
    pub error: Option<String>,
}

/// A partner's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directory {
    /// The partner whose people it holds (one directory per partner).
    pub partner_id: PartnerId,
    /// How it is reached and read; `bind_password` is always `Some` here.
    pub settings: DirectorySettings,
    /// Groups whose members join departments.
    pub mappings: Vec<Mapping>,
    /// What the last sync did.
    pub last_sync: SyncOutcome,
    /// When the next automatic sync is due (`None`: only on demand).
    pub next_sync_at: Option<Timestamp>,
}

impl Directory {
    /// The password the host binds with.
    pub fn bind_password(&self) -> &str {
        self.settings.bind_password.as_deref().unwrap_or_default()
    }
}

/// A person's entry as the directory gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its distinguished name.
    pub dn: String,
    /// The email attribute's first value.
    pub email: Option<String>,
    /// The name attribute's first value.
    pub name: Option<String>,
}

/// A group as the directory gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Its distinguished name.
    pub dn: String,
    /// The distinguished names of its members: people, or other groups.
    pub members: Vec<String>,
}

/// Everything one read of a directory found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// The people the filter found.
    pub people: Vec<Entry>,
    /// The groups under the base.
    pub groups: Vec<Group>,
}

/// A distinguished name in the one form they are compared in: lower case, without the spaces
/// that may surround its separators.
pub fn normal_dn(dn: &str) -> String {
    dn.split(',')
        .map(|rdn| rdn.split('=').map(str::trim).collect::<Vec<_>>().join("="))
        .collect::<Vec<_>>()
        .join(",")
        .to_lowercase()
}

/// Each entry's groups, direct and through nested groups (a cycle of groups is harmless),
/// by the entry's normal DN.
pub fn groups_of(groups: &[Group]) -> HashMap<String, BTreeSet<String>> {
    // Which groups each DN is a direct member of.
    let mut parents: HashMap<String, Vec<String>> = HashMap::new();
    for group in groups {
        let dn = normal_dn(&group.dn);
        for member in &group.members {
            parents
                .entry(normal_dn(member))
                .or_default()
                .push(dn.clone());
        }
    }
    let mut all = HashMap::new();
    for member in parents.keys() {
        let mut found = BTreeSet::new();
        let mut todo: Vec<&String> = parents[member].iter().collect();
        while let Some(group) = todo.pop() {
            if found.insert(group.clone()) {
                todo.extend(parents.get(group).into_iter().flatten());
            }
        }
        all.insert(member.clone(), found);
    }
    all
}

/// A person the host holds whom a sync may concern: a member the directory manages, or
/// someone the directory lists who has an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    /// The account.
    pub account_id: AccountId,
    /// Its email.
    pub email: Email,
    /// Its name.
    pub name: String,
    /// Their membership of the partner, if they are a member.
    pub member: Option<KnownMember>,
}

/// A member's standing, as a sync needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownMember {
    /// Their membership.
    pub membership: PartnerMembership,
    /// The directory manages the membership (it brought them in, or found them in it).
    pub managed: bool,
    /// The directory made the account (so the directory's name for them is theirs).
    pub created: bool,
    /// The mapped departments they are in.
    pub departments: Vec<DepartmentId>,
}

/// Why a directory entry is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// It has no email attribute, or not an address.
    NoEmail,
    /// Its email's domain is not one the partner claimed.
    DomainNotClaimed,
    /// Two entries have the same email (the first is taken).
    Duplicate,
}

impl Skip {
    /// A stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::NoEmail => "no_email",
            Self::DomainNotClaimed => "domain_not_claimed",
            Self::Duplicate => "duplicate_email",
        }
    }
}

/// What a sync does to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Joins as a technician: a new account (`None`), or an existing one.
    Join(Option<AccountId>),
    /// A member the directory now manages (found in it, nothing else changes of them).
    Adopt(AccountId),
    /// Stays a member; only what `Planned` lists changes.
    Keep(AccountId),
    /// Disabled (the membership as it becomes): they left the directory or its group.
    Disable(PartnerMembership),
    /// Enabled (the membership as it becomes): they were disabled for leaving and are back.
    Enable(PartnerMembership),
}

/// One person in a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// Their email.
    pub email: Email,
    /// Their name as the directory has it (or as the host has it, for those who left).
    pub name: String,
    /// What happens to their membership.
    pub step: Step,
    /// A new name for an account the directory made: (before, after).
    pub rename: Option<(String, String)>,
    /// Departments joined (`true`) and left (`false`).
    pub departments: Vec<(DepartmentId, bool)>,
}

impl Planned {
    /// Whether the sync changes anything of this person.
    pub fn changes(&self) -> bool {
        !matches!(self.step, Step::Keep(_)) || self.rename.is_some() || !self.departments.is_empty()
    }
}

/// What a sync does, all of it in one transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// People whose standing changes, in email order.
    pub people: Vec<Planned>,
    /// Entries not taken: (DN, email if any, why).
    pub skipped: Vec<(String, Option<String>, Skip)>,
    /// People the directory lists who are already as it says.
    pub unchanged: u32,
}

impl Plan {
    /// The counts a sync reports.
    pub fn outcome(&self, at: Timestamp) -> SyncOutcome {
        let mut outcome = SyncOutcome {
            at: Some(at),
            skipped: u32::try_from(self.skipped.len()).unwrap_or(u32::MAX),
            ..SyncOutcome::default()
        };
        for person in &self.people {
            match person.step {
                Step::Join(_) => outcome.joined += 1,
                Step::Disable(_) => outcome.disabled += 1,
                Step::Enable(_) => outcome.enabled += 1,
                Step::Adopt(_) | Step::Keep(_) => {}
            }
            outcome.renamed += u32::from(person.rename.is_some());
            outcome.department_changes +=
                u32::try_from(person.departments.len()).unwrap_or(u32::MAX);
        }
        outcome
    }
}

/// What a sync makes of `listing` for a partner that claimed `domains`, given what the host
/// holds of the people concerned (`known`, by email). Members the directory does not manage
/// are never disabled; a Super Admin is never disabled by a sync (the partner keeps its
/// owners whatever the directory says).
pub fn plan(listing: &Listing, directory: &Directory, domains: &[Domain], known: &[Known]) -> Plan {
    let memberships = groups_of(&listing.groups);
    let none = BTreeSet::new();
    let groups = |dn: &str| memberships.get(&normal_dn(dn)).unwrap_or(&none);
    let required = directory.settings.group.as_deref().map(normal_dn);
    let mapped: BTreeMap<String, Vec<&DepartmentId>> =
        directory
            .mappings
            .iter()
            .fold(BTreeMap::new(), |mut map, mapping| {
                map.entry(normal_dn(&mapping.group))
                    .or_insert_with(Vec::new)
                    .push(&mapping.department);
                map
            });
    let managed_departments: BTreeSet<&DepartmentId> =
        directory.mappings.iter().map(|m| &m.department).collect();
    let known: HashMap<&str, &Known> = known.iter().map(|k| (k.email.as_str(), k)).collect();

    let mut plan = Plan::default();
    let mut listed: BTreeMap<Email, (&Entry, BTreeSet<&DepartmentId>)> = BTreeMap::new();
    for entry in &listing.people {
        let in_scope = required
            .as_ref()
            .is_none_or(|group| groups(&entry.dn).contains(group));
        if !in_scope {
            continue;
        }
        let email = entry
            .email
            .as_deref()
            .and_then(|e| Email::parse("email", e).ok());
        let Some(email) = email else {
            plan.skipped
                .push((entry.dn.clone(), entry.email.clone(), Skip::NoEmail));
            continue;
        };
        if !domains.contains(&Domain::of(&email)) {
            plan.skipped.push((
                entry.dn.clone(),
                Some(email.to_string()),
                Skip::DomainNotClaimed,
            ));
            continue;
        }
        if listed.contains_key(&email) {
            plan.skipped
                .push((entry.dn.clone(), Some(email.to_string()), Skip::Duplicate));
            continue;
        }
        let departments = groups(&entry.dn)
            .iter()
            .filter_map(|group| mapped.get(group))
            .flatten()
            .copied()
            .collect();
        listed.insert(email, (entry, departments));
    }

    let department_changes = |held: &[DepartmentId], wanted: &BTreeSet<&DepartmentId>| {
        managed_departments
            .iter()
            .filter_map(|department| {
                let (held, wanted) = (held.contains(department), wanted.contains(department));
                (held != wanted).then(|| ((*department).clone(), wanted))
            })
            .collect::<Vec<_>>()
    };
    for (email, (entry, wanted)) in &listed {
        let name = entry
            .name
            .as_deref()
            .and_then(|n| crate::validate::name("name", n).ok());
        let person = known.get(email.as_str());
        let planned = match person {
            None => Planned {
                email: email.clone(),
                name: name.unwrap_or_else(|| email.local_part().to_owned()),
                step: Step::Join(None),
                rename: None,
                departments: wanted.iter().map(|d| ((*d).clone(), true)).collect(),
            },
            Some(known) => {
                let account = known.account_id.clone();
                let (step, held, created) = match &known.member {
                    None => (Step::Join(Some(account)), &[][..], false),
                    Some(member) => {
                        let m = &member.membership;
                        let step = if m.status == MemberStatus::Disabled
                            && m.disabled_reason == Some(DisabledReason::Directory)
                        {
                            Step::Enable(PartnerMembership {
                                status: MemberStatus::Active,
                                disabled_reason: None,
                                ..m.clone()
                            })
                        } else if member.managed {
                            Step::Keep(account)
                        } else {
                            Step::Adopt(account)
                        };
                        (step, &member.departments[..], member.created)
                    }
                };
                let rename = name
                    .filter(|n| created && *n != known.name)
                    .map(|n| (known.name.clone(), n));
                Planned {
                    email: email.clone(),
                    name: rename
                        .as_ref()
                        .map_or_else(|| known.name.clone(), |(_, n)| n.clone()),
                    step,
                    rename,
                    departments: department_changes(held, wanted),
                }
            }
        };
        if planned.changes() {
            plan.people.push(planned);
        } else {
            plan.unchanged += 1;
        }
    }

    // Managed members the directory no longer lists (or lists outside its group) leave.
    let mut leaving: Vec<&Known> = known
        .values()
        .filter(|k| !listed.contains_key(&k.email))
        .copied()
        .collect();
    leaving.sort_by(|a, b| a.email.cmp(&b.email));
    for known in leaving {
        let Some(member) = &known.member else {
            continue;
        };
        let m = &member.membership;
        let disable =
            member.managed && m.status == MemberStatus::Active && m.role != PartnerRole::SuperAdmin;
        if disable {
            plan.people.push(Planned {
                email: known.email.clone(),
                name: known.name.clone(),
                step: Step::Disable(PartnerMembership {
                    status: MemberStatus::Disabled,
                    disabled_reason: Some(DisabledReason::Directory),
                    ..m.clone()
                }),
                rename: None,
                departments: Vec::new(),
            });
        }
    }
    plan.people.sort_by(|a, b| a.email.cmp(&b.email));
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(group: &str) -> DirectorySettings {
        DirectorySettings::parse(
            [
                "ldap://dc.example.com",
                "cn=reader,dc=example,dc=com",
                "secret",
                "dc=example,dc=com",
                "",
                "mail",
                "displayName",
                group,
            ],
            false,
            60,
        )
        .unwrap()
    }

    fn department(n: u8) -> DepartmentId {
        DepartmentId::from_trusted(format!("01J00000000000000000000D{n:02}"))
    }

    fn account(n: u8) -> AccountId {
        AccountId::from_trusted(format!("01J00000000000000000000A{n:02}"))
    }

    fn directory(group: &str, mappings: &[(&str, u8)]) -> Directory {
        Directory {
            partner_id: PartnerId::from_trusted("01J0000000000000000000000P".to_owned()),
            settings: settings(group),
            mappings: mappings
                .iter()
                .map(|(group, n)| Mapping {
                    group: (*group).to_owned(),
                    department: department(*n),
                })
                .collect(),
            last_sync: SyncOutcome::default(),
            next_sync_at: None,
        }
    }

    fn person(uid: &str, email: Option<&str>) -> Entry {
        Entry {
            dn: format!("uid={uid},ou=People,dc=example,dc=com"),
            email: email.map(str::to_owned),
            name: Some(format!("{uid} Person")),
        }
    }

    fn group(cn: &str, members: &[&str]) -> Group {
        Group {
            dn: format!("cn={cn},ou=Groups,dc=example,dc=com"),
            members: members.iter().map(|m| (*m).to_owned()).collect(),
        }
    }

    fn email(text: &str) -> Email {
        Email::parse("email", text).unwrap()
    }

    fn member(n: u8, text: &str, managed: bool, departments: &[u8]) -> Known {
        Known {
            account_id: account(n),
            email: email(text),
            name: format!("{text} Name"),
            member: Some(KnownMember {
                membership: PartnerMembership::new(
                    directory("", &[]).partner_id,
                    account(n),
                    PartnerRole::Technician,
                    chrono::DateTime::UNIX_EPOCH,
                ),
                managed,
                created: managed,
                departments: departments.iter().map(|d| department(*d)).collect(),
            }),
        }
    }

    #[test]
    fn settings_name_the_wrong_field() {
        let wrong = |fields: [&str; 8], starttls| {
            DirectorySettings::parse(fields, starttls, 60)
                .unwrap_err()
                .field
        };
        let good = [
            "ldaps://dc.example.com:636/",
            "cn=r,dc=x",
            "pw",
            "dc=x",
            "",
            "mail",
            "cn",
            "",
        ];
        let parsed = DirectorySettings::parse(good, false, 0).unwrap();
        assert_eq!(parsed.url, "ldaps://dc.example.com:636");
        assert_eq!(parsed.filter, DEFAULT_FILTER);
        assert_eq!(wrong(good, true), "starttls");
        let mut bad = good;
        bad[0] = "http://dc.example.com";
        assert_eq!(wrong(bad, false), "url");
        let mut bad = good;
        bad[3] = "example.com";
        assert_eq!(wrong(bad, false), "base_dn");
        let mut bad = good;
        bad[4] = "objectClass=person";
        assert_eq!(wrong(bad, false), "filter");
        let mut bad = good;
        bad[5] = "mail;binary";
        assert_eq!(wrong(bad, false), "email_attribute");
        assert_eq!(
            DirectorySettings::parse(good, false, MAX_INTERVAL_MINUTES + 1)
                .unwrap_err()
                .field,
            "interval_minutes"
        );
    }

    #[test]
    fn the_password_stays_out_of_debug_output() {
        let shown = format!("{:?}", settings(""));
        assert!(shown.contains("cn=reader"), "{shown}");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn nested_groups_pass_their_members_on_and_cycles_end() {
        let groups = [
            group("engineers", &["cn=field,ou=Groups,dc=example,dc=com"]),
            group(
                "field",
                &[
                    "UID=ann, ou=People, dc=example, dc=com",
                    "cn=engineers,ou=Groups,dc=example,dc=com",
                ],
            ),
        ];
        let of = groups_of(&groups);
        let ann = &of["uid=ann,ou=people,dc=example,dc=com"];
        assert_eq!(
            ann.iter().map(String::as_str).collect::<Vec<_>>(),
            [
                "cn=engineers,ou=groups,dc=example,dc=com",
                "cn=field,ou=groups,dc=example,dc=com"
            ]
        );
    }

    #[test]
    fn a_sync_joins_the_new_adopts_the_known_and_disables_those_who_left() {
        let group_dn = "cn=techs,ou=Groups,dc=example,dc=com";
        let directory = directory(group_dn, &[("cn=field,ou=Groups,dc=example,dc=com", 1)]);
        let listing = Listing {
            people: vec![
                person("ann", Some("ann@example.com")),
                person("bob", Some("bob@example.com")),
                person("cy", Some("cy@elsewhere.org")),
                person("dee", None),
                person("eve", Some("eve@example.com")),
                person("out", Some("out@example.com")),
            ],
            groups: vec![
                group(
                    "techs",
                    &[
                        "cn=field,ou=Groups,dc=example,dc=com",
                        "uid=bob,ou=People,dc=example,dc=com",
                        "uid=cy,ou=People,dc=example,dc=com",
                        "uid=dee,ou=People,dc=example,dc=com",
                        "uid=eve,ou=People,dc=example,dc=com",
                    ],
                ),
                group("field", &["uid=ann,ou=People,dc=example,dc=com"]),
            ],
        };
        let domains = [Domain::parse("d", "example.com").unwrap()];
        let known = [
            // Bob is a member the directory does not manage yet, in the mapped department.
            member(2, "bob@example.com", false, &[1]),
            // Eve is managed and as the directory says.
            Known {
                name: "eve Person".to_owned(),
                ..member(5, "eve@example.com", true, &[])
            },
            // Out is managed, and in the directory but no longer in its group.
            member(6, "out@example.com", true, &[1]),
            // Zed is managed and gone from the directory; Una is not managed.
            member(7, "zed@example.com", true, &[]),
            member(8, "una@example.com", false, &[]),
        ];
        let plan = plan(&listing, &directory, &domains, &known);
        let disabled = |n| {
            let mut membership = known
                .iter()
                .find(|k| k.account_id == account(n))
                .unwrap()
                .member
                .clone()
                .unwrap()
                .membership;
            membership.status = MemberStatus::Disabled;
            membership.disabled_reason = Some(DisabledReason::Directory);
            Step::Disable(membership)
        };
        type Row<'a> = (&'a str, &'a Step, &'a [(DepartmentId, bool)]);
        let steps: Vec<Row> = plan
            .people
            .iter()
            .map(|p| (p.email.as_str(), &p.step, &p.departments[..]))
            .collect();
        assert_eq!(
            steps,
            [
                (
                    "ann@example.com",
                    &Step::Join(None),
                    &[(department(1), true)][..]
                ),
                (
                    "bob@example.com",
                    &Step::Adopt(account(2)),
                    &[(department(1), false)][..]
                ),
                ("out@example.com", &disabled(6), &[][..]),
                ("zed@example.com", &disabled(7), &[][..]),
            ]
        );
        assert_eq!(plan.unchanged, 1);
        let skipped: Vec<Skip> = plan.skipped.iter().map(|s| s.2).collect();
        assert_eq!(skipped, [Skip::DomainNotClaimed, Skip::NoEmail]);
    }

    #[test]
    fn those_disabled_for_leaving_come_back_and_only_made_accounts_are_renamed() {
        let directory = directory("", &[]);
        let listing = Listing {
            people: vec![
                person("ann", Some("ann@example.com")),
                person("bob", Some("bob@example.com")),
            ],
            groups: Vec::new(),
        };
        let domains = [Domain::parse("d", "example.com").unwrap()];
        let mut ann = member(1, "ann@example.com", true, &[]);
        if let Some(m) = &mut ann.member {
            m.membership.status = MemberStatus::Disabled;
            m.membership.disabled_reason = Some(DisabledReason::Directory);
        }
        let mut bob = member(2, "bob@example.com", true, &[]);
        if let Some(m) = &mut bob.member {
            m.created = false;
        }
        let plan = plan(&listing, &directory, &domains, &[ann, bob]);
        assert_eq!(plan.people.len(), 1, "{plan:?}");
        assert!(
            matches!(&plan.people[0].step, Step::Enable(m) if m.account_id == account(1) && m.status == MemberStatus::Active),
            "{plan:?}"
        );
        assert_eq!(
            plan.people[0].rename,
            Some(("ann@example.com Name".to_owned(), "ann Person".to_owned()))
        );
        assert_eq!(plan.unchanged, 1);
    }
}
