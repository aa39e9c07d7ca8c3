//! Siteward's permission model written for Cedar (`cedar-policy`): a schema, policies and
//! entities made from the same [`Change`] stream the index is built from.
//!
//! The encoding is the one that gives Cedar its best case: a fixed, small policy set (Cedar
//! evaluates every policy on every request, so the policy count is what its checks cost),
//! with the per-tenant facts in entities, where Cedar looks them up by key.
//!
//! - `Account` (a technician) has `active`, its memberships as **tags** keyed by partner
//!   (`role`, `active`, privileges), an `access` entity whose tags are its site assignments
//!   keyed by site (`level` 0–3, `locked`, `from`, `until`), and as parents its departments
//!   and the grant holders it was granted directly.
//! - A grant without a time window becomes membership of a `Holder` entity, one per
//!   (scope, permission): the scope (`Site`, `Group`, `Device`, or `Partner` for a section)
//!   carries a tag `"<permission>" → Holder`, and the grant's subject (technician or
//!   department) is a child of the holder, so `principal in resource.getTag("...")` follows
//!   departments transitively. Custom roles are expanded into the permissions they hold.
//! - A grant with a window is a static policy of its own (the way Cedar writes a temporary
//!   grant, with `context.now`); the world keeps those few.
//! - Deny rules are `forbid` policies; levels, partner roles and grants are `permit`s.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::str::FromStr;

use cedar_policy::{
    Context, Entities, Entity, EntityId, EntityTypeName, EntityUid, PolicySet, Request,
    RestrictedExpression, Schema, ValidationMode, Validator,
};
use siteward_core::invitation::PermissionLevel;
use siteward_core::permission::index::{
    Assignment, Change, Grant, Key, Membership, Question, Scope, Subject, Target, Window,
};
use siteward_core::permission::role::RoleRef;
use siteward_core::permission::{Permission, PermissionClass, PermissionSet, Section};
use siteward_core::tenancy::{MemberStatus, PartnerRole, Privilege};

/// The facts the changes leave, folded the way the index folds them (last write wins).
#[derive(Debug, Default)]
pub struct Facts {
    accounts: HashMap<Key, bool>,
    memberships: HashMap<Key, Vec<(Key, Membership)>>,
    sites: HashMap<Key, (Key, bool)>,
    assignments: HashMap<Key, HashMap<Key, Assignment>>,
    roles: HashMap<Key, PermissionSet>,
    departments: HashMap<Key, Key>,
    members: HashMap<Key, HashSet<Key>>,
    groups: HashMap<Key, Key>,
    devices: HashMap<Key, (Key, Option<Key>)>,
    grants: HashMap<Key, Grant>,
}

impl Facts {
    /// Folds the changes the benchmark world is made of.
    pub fn from_changes<'a>(changes: impl IntoIterator<Item = &'a Change>) -> Self {
        let mut facts = Self::default();
        for change in changes {
            facts.apply(change);
        }
        facts
    }

    /// Applies one change. The world only creates and updates, so removals are not needed.
    pub fn apply(&mut self, change: &Change) {
        match *change {
            Change::Account { account, active } => {
                self.accounts.insert(account, active);
            }
            Change::Membership {
                partner,
                account,
                membership,
            } => {
                let list = self.memberships.entry(account).or_default();
                list.retain(|(p, _)| *p != partner);
                list.extend(membership.map(|m| (partner, m)));
            }
            Change::Site {
                site,
                partner,
                technician_access,
            } => {
                self.sites.insert(site, (partner, technician_access));
            }
            Change::Assignment {
                site,
                account,
                assignment,
            } => {
                let of = self.assignments.entry(account).or_default();
                match assignment {
                    Some(a) => of.insert(site, a),
                    None => of.remove(&site),
                };
            }
            Change::Role {
                role, permissions, ..
            } => {
                self.roles.insert(role, permissions);
            }
            Change::Department {
                department,
                partner,
            } => {
                self.departments.insert(department, partner);
            }
            Change::DepartmentMember {
                department,
                account,
                member,
            } => {
                let of = self.members.entry(account).or_default();
                if member {
                    of.insert(department);
                } else {
                    of.remove(&department);
                }
            }
            Change::Group { group, site } => {
                self.groups.insert(group, site);
            }
            Change::Device {
                device,
                site,
                group,
            } => {
                self.devices.insert(device, (site, group));
            }
            Change::Grant { grant, value } => {
                self.grants.insert(grant, value);
            }
            other => panic!("the benchmark world does not make {other:?}"),
        }
    }

    fn role_permissions(&self, role: RoleRef) -> PermissionSet {
        match role {
            RoleRef::System(system) => system.permissions(),
            RoleRef::Custom(key) => self.roles.get(&key).copied().unwrap_or_default(),
        }
    }
}

/// The permissions a grant on `scope` can give: device actions on sites, groups and devices,
/// the section's functions on a section.
fn fits(scope: Scope, permission: Permission) -> bool {
    match scope {
        Scope::Site(_) | Scope::Group(_) | Scope::Device(_) => {
            permission.class() == PermissionClass::Device
        }
        Scope::Section { section, .. } => permission.class() == PermissionClass::Section(section),
    }
}

fn id(key: Key) -> String {
    format!("{key:032x}")
}

fn uid(kind: &str, id: &str) -> EntityUid {
    EntityUid::from_type_name_and_id(
        EntityTypeName::from_str(kind).expect("a valid type name"),
        EntityId::new(id),
    )
}

fn level_number(level: PermissionLevel) -> i64 {
    match level {
        PermissionLevel::None => 0,
        PermissionLevel::DevicesOnly => 1,
        PermissionLevel::FullExcludingUsers => 2,
        PermissionLevel::FullIncludingUsers => 3,
    }
}

/// The Cedar action group and resource type of a permission.
fn action_shape(permission: Permission) -> (&'static str, &'static str) {
    match permission.class() {
        PermissionClass::SiteMenu => ("site_menus", "Site"),
        PermissionClass::Device => ("device_actions", "Device"),
        PermissionClass::Section(Section::Invitations) => ("invitations_section", "Partner"),
        PermissionClass::Section(Section::Administration) => ("administration_section", "Partner"),
    }
}

/// The schema, in Cedar's schema syntax.
pub fn schema_text() -> String {
    let mut text = String::from(
        r#"type Membership = { role: String, active: Bool, unattended: Bool, remote_support: Bool };
type SiteAssignment = { level: Long, locked: Bool, from: Long, until: Long };
entity Holder;
entity Department in [Holder];
entity Access tags SiteAssignment;
entity Account in [Department, Holder] { active: Bool, access: Access } tags Membership;
entity Partner { partner: String } tags Holder;
entity Site { partner: String, key: String, technician_access: Bool } tags Holder;
entity Group in [Site] tags Holder;
entity Device in [Group, Site] { partner: String, site: Site, group?: Group } tags Holder;
action site_menus, device_actions, invitations_section, administration_section;
"#,
    );
    for permission in Permission::ALL {
        let (group, resource) = action_shape(*permission);
        writeln!(
            text,
            "action \"{permission}\" in [{group}] appliesTo {{ principal: Account, resource: {resource}, context: {{ now: Long }} }};"
        )
        .expect("writing to a string");
    }
    text
}

/// The fixed policies: the deny rules, the levels, the partner roles, and grants by holder.
fn fixed_policies() -> String {
    let usable = |site: &str| {
        format!(
            "principal.access.hasTag({site}) && !principal.access.getTag({site}).locked \
             && principal.access.getTag({site}).from <= context.now \
             && context.now < principal.access.getTag({site}).until \
             && principal.access.getTag({site}).level > 0"
        )
    };
    let mut text = format!(
        r#"@id("account-disabled")
forbid(principal, action, resource) unless {{ principal.active }};
@id("not-a-member-or-disabled")
forbid(principal, action, resource)
unless {{ principal.hasTag(resource.partner) && principal.getTag(resource.partner).active }};
@id("unattended-access-not-held")
forbid(principal, action in Action::"device_actions", resource)
when {{ principal.hasTag(resource.partner) && !principal.getTag(resource.partner).unattended }};
@id("remote-support-not-held")
forbid(principal, action in Action::"invitations_section", resource)
when {{ principal.hasTag(resource.partner) && !principal.getTag(resource.partner).remote_support }};
@id("site-access-off")
forbid(principal, action, resource is Site) unless {{ resource.technician_access }};
@id("device-site-access-off")
forbid(principal, action, resource is Device) unless {{ resource.site.technician_access }};
@id("site-assignment-unusable")
forbid(principal, action, resource is Site) unless {{ {site_usable} }};
@id("device-site-assignment-unusable")
forbid(principal, action, resource is Device) unless {{ {device_usable} }};
@id("super-admin-sections")
permit(principal, action, resource is Partner)
when {{ principal.hasTag(resource.partner) && principal.getTag(resource.partner).role == "super_admin" }};
@id("admin-sections")
permit(principal, action, resource is Partner)
when {{ principal.hasTag(resource.partner) && principal.getTag(resource.partner).role == "admin" }}
unless {{ action == Action::"admin.billing" }};
@id("technician-own-invitations")
permit(principal, action == Action::"invitations.own", resource is Partner)
when {{ principal.hasTag(resource.partner) && principal.getTag(resource.partner).role == "technician" }};
"#,
        site_usable = usable("resource.key"),
        device_usable = usable("resource.site.key"),
    );
    for level in [
        PermissionLevel::DevicesOnly,
        PermissionLevel::FullExcludingUsers,
        PermissionLevel::FullIncludingUsers,
    ] {
        // The permissions this level adds to the one below it.
        let below = PermissionLevel::ALL[level_number(level) as usize - 1].permissions();
        let added: Vec<String> = level
            .permissions()
            .iter()
            .filter(|p| !below.contains(*p))
            .map(|p| format!("Action::\"{p}\""))
            .collect();
        writeln!(
            text,
            "@id(\"level-{level}\")\npermit(principal, action in [{}], resource is Site)\n\
             when {{ principal.access.hasTag(resource.key) && principal.access.getTag(resource.key).level >= {} }};",
            added.join(", "),
            level_number(level)
        )
        .expect("writing to a string");
    }
    for permission in Permission::ALL {
        let holder = |on: &str| {
            format!("({on}.hasTag(\"{permission}\") && principal in {on}.getTag(\"{permission}\"))")
        };
        let condition = match permission.class() {
            PermissionClass::Device => format!(
                "{} || {} || (resource has group && {})",
                holder("resource"),
                holder("resource.site"),
                holder("resource.group")
            ),
            PermissionClass::Section(_) => holder("resource"),
            PermissionClass::SiteMenu => continue,
        };
        writeln!(
            text,
            "@id(\"grant-{permission}\")\npermit(principal, action == Action::\"{permission}\", resource)\nwhen {{ {condition} }};"
        )
        .expect("writing to a string");
    }
    text
}

/// A grant with a window, as a policy of its own.
fn timed_policy(n: usize, grant: &Grant, permissions: PermissionSet) -> String {
    let principal = match grant.subject {
        Subject::Technician(t) => format!("Account::\"{}\"", id(t)),
        Subject::Department(d) => format!("Department::\"{}\"", id(d)),
    };
    let resource = match grant.scope {
        Scope::Site(s) => format!("resource in Site::\"{}\"", id(s)),
        Scope::Group(g) => format!("resource in Group::\"{}\"", id(g)),
        Scope::Device(d) => format!("resource == Device::\"{}\"", id(d)),
        Scope::Section { partner, .. } => format!("resource == Partner::\"{}\"", id(partner)),
    };
    let actions: Vec<String> = permissions
        .iter()
        .filter(|p| fits(grant.scope, *p))
        .map(|p| format!("Action::\"{p}\""))
        .collect();
    let mut when = Vec::new();
    if let Some(from) = grant.window.from {
        when.push(format!("context.now >= {from}"));
    }
    if let Some(until) = grant.window.until {
        when.push(format!("context.now < {until}"));
    }
    format!(
        "@id(\"timed-grant-{n}\")\npermit(principal in {principal}, action in [{}], {resource})\nwhen {{ {} }};\n",
        actions.join(", "),
        when.join(" && ")
    )
}

/// Siteward's model, in Cedar.
#[derive(Debug)]
pub struct CedarModel {
    /// The schema.
    pub schema: Schema,
    /// The policies.
    pub policies: PolicySet,
    /// The entities.
    pub entities: Entities,
    /// How many policies there are.
    pub policy_count: usize,
    /// How many of them are time-bound grants.
    pub timed_policies: usize,
    /// How many entities there are.
    pub entity_count: usize,
}

fn string(value: impl Into<String>) -> RestrictedExpression {
    RestrictedExpression::new_string(value.into())
}

fn record(
    fields: impl IntoIterator<Item = (&'static str, RestrictedExpression)>,
) -> RestrictedExpression {
    RestrictedExpression::new_record(fields.into_iter().map(|(k, v)| (k.to_owned(), v)))
        .expect("distinct field names")
}

fn holder(scope: Scope, permission: Permission) -> EntityUid {
    let scope = match scope {
        Scope::Site(k) | Scope::Group(k) | Scope::Device(k) => id(k),
        Scope::Section { partner, section } => format!("{}:{section}", id(partner)),
    };
    uid("Holder", &format!("{scope}:{permission}"))
}

/// The entity holding technician `account`'s site assignments.
pub fn access_entity(facts: &Facts, account: Key) -> Entity {
    let tags = facts
        .assignments
        .get(&account)
        .into_iter()
        .flatten()
        .map(|(site, a)| {
            (
                id(*site),
                record([
                    (
                        "level",
                        RestrictedExpression::new_long(level_number(a.level)),
                    ),
                    ("locked", RestrictedExpression::new_bool(a.locked)),
                    (
                        "from",
                        RestrictedExpression::new_long(a.window.from.unwrap_or(i64::MIN)),
                    ),
                    (
                        "until",
                        RestrictedExpression::new_long(a.window.until.unwrap_or(i64::MAX)),
                    ),
                ]),
            )
        });
    Entity::new_with_tags(uid("Access", &id(account)), [], [], tags).expect("valid values")
}

impl CedarModel {
    /// Encodes the facts.
    pub fn encode(facts: &Facts) -> anyhow::Result<Self> {
        let (schema, _) = Schema::from_cedarschema_str(&schema_text())?;

        // Grants: holders for those without a window, policies for those with one.
        let mut policies = fixed_policies();
        let mut parents: HashMap<Key, Vec<EntityUid>> = HashMap::new();
        let mut tags: HashMap<Key, Vec<(String, RestrictedExpression)>> = HashMap::new();
        let mut seen = HashSet::new();
        let mut timed_policies = 0;
        let mut grants: Vec<(&Key, &Grant)> = facts.grants.iter().collect();
        grants.sort_by_key(|(k, _)| **k);
        for (n, (_, grant)) in grants.into_iter().enumerate() {
            let permissions = facts.role_permissions(grant.role);
            if grant.window != Window::ALWAYS {
                policies.push_str(&timed_policy(n, grant, permissions));
                timed_policies += 1;
                continue;
            }
            let subject = match grant.subject {
                Subject::Technician(k) | Subject::Department(k) => k,
            };
            let scope_key = match grant.scope {
                Scope::Site(k) | Scope::Group(k) | Scope::Device(k) => k,
                Scope::Section { partner, .. } => partner,
            };
            for permission in permissions.iter().filter(|p| fits(grant.scope, *p)) {
                let holder = holder(grant.scope, permission);
                parents.entry(subject).or_default().push(holder.clone());
                if seen.insert(holder.clone()) {
                    tags.entry(scope_key).or_default().push((
                        permission.to_string(),
                        RestrictedExpression::new_entity_uid(holder),
                    ));
                }
            }
        }
        let mut take_tags = |key: Key| tags.remove(&key).unwrap_or_default();
        let mut entities: Vec<Entity> = Vec::new();

        let mut partners: HashSet<Key> = facts.sites.values().map(|(p, _)| *p).collect();
        partners.extend(facts.departments.values());
        for partner in partners {
            entities.push(Entity::new_with_tags(
                uid("Partner", &id(partner)),
                [("partner".to_owned(), string(id(partner)))],
                [],
                take_tags(partner),
            )?);
        }
        for (site, (partner, access)) in &facts.sites {
            entities.push(Entity::new_with_tags(
                uid("Site", &id(*site)),
                [
                    ("partner".to_owned(), string(id(*partner))),
                    ("key".to_owned(), string(id(*site))),
                    (
                        "technician_access".to_owned(),
                        RestrictedExpression::new_bool(*access),
                    ),
                ],
                [],
                take_tags(*site),
            )?);
        }
        for (group, site) in &facts.groups {
            entities.push(Entity::new_with_tags(
                uid("Group", &id(*group)),
                [],
                [uid("Site", &id(*site))],
                take_tags(*group),
            )?);
        }
        for (device, (site, group)) in &facts.devices {
            let partner = facts.sites[site].0;
            let mut attrs = vec![
                ("partner".to_owned(), string(id(partner))),
                (
                    "site".to_owned(),
                    RestrictedExpression::new_entity_uid(uid("Site", &id(*site))),
                ),
            ];
            let mut device_parents = vec![uid("Site", &id(*site))];
            if let Some(group) = group {
                attrs.push((
                    "group".to_owned(),
                    RestrictedExpression::new_entity_uid(uid("Group", &id(*group))),
                ));
                device_parents.push(uid("Group", &id(*group)));
            }
            entities.push(Entity::new_with_tags(
                uid("Device", &id(*device)),
                attrs,
                device_parents,
                take_tags(*device),
            )?);
        }
        for department in facts.departments.keys() {
            entities.push(Entity::new_with_tags(
                uid("Department", &id(*department)),
                [],
                parents.remove(department).unwrap_or_default(),
                [],
            )?);
        }
        for (account, active) in &facts.accounts {
            entities.push(account_entity(
                facts,
                *account,
                *active,
                parents.remove(account).unwrap_or_default(),
            )?);
            entities.push(access_entity(facts, *account));
        }
        for holder in seen {
            entities.push(Entity::new_no_attrs(holder, HashSet::new()));
        }
        let entity_count = entities.len();
        let entities = Entities::from_entities(entities, Some(&schema))?;

        let policies = PolicySet::from_str(&policies)?;
        let validation = Validator::new(schema.clone()).validate(&policies, ValidationMode::Strict);
        if !validation.validation_passed() {
            let errors: Vec<String> = validation
                .validation_errors()
                .map(|e| e.to_string())
                .collect();
            anyhow::bail!("the Cedar policies do not validate against the schema: {errors:#?}");
        }
        let policy_count = policies.policies().count();
        Ok(Self {
            schema,
            policies,
            entities,
            policy_count,
            timed_policies,
            entity_count,
        })
    }

    /// The request for a question, built once (as the index's question is).
    pub fn request(&self, question: &Question, now: i64) -> Request {
        let resource = match question.target {
            Target::Site {
                device: Some(d), ..
            } => uid("Device", &id(d)),
            Target::Site { site, device: None } => uid("Site", &id(site)),
            Target::Partner(p) => uid("Partner", &id(p)),
        };
        let context =
            Context::from_pairs([("now".to_owned(), RestrictedExpression::new_long(now))])
                .expect("a valid context");
        Request::new(
            uid("Account", &id(question.technician)),
            uid("Action", question.permission.as_str()),
            resource,
            context,
            Some(&self.schema),
        )
        .expect("a request the schema allows")
    }
}

fn account_entity(
    facts: &Facts,
    account: Key,
    active: bool,
    mut parents: Vec<EntityUid>,
) -> anyhow::Result<Entity> {
    parents.extend(
        facts
            .members
            .get(&account)
            .into_iter()
            .flatten()
            .map(|d| uid("Department", &id(*d))),
    );
    let memberships = facts
        .memberships
        .get(&account)
        .into_iter()
        .flatten()
        .map(|(partner, m)| {
            let role = match m.role {
                PartnerRole::SuperAdmin => "super_admin",
                PartnerRole::Admin => "admin",
                PartnerRole::Technician => "technician",
            };
            (
                id(*partner),
                record([
                    ("role", string(role)),
                    (
                        "active",
                        RestrictedExpression::new_bool(m.status == MemberStatus::Active),
                    ),
                    (
                        "unattended",
                        RestrictedExpression::new_bool(
                            m.privileges.contains(Privilege::UnattendedAccess),
                        ),
                    ),
                    (
                        "remote_support",
                        RestrictedExpression::new_bool(
                            m.privileges.contains(Privilege::RemoteSupport),
                        ),
                    ),
                ]),
            )
        });
    Ok(Entity::new_with_tags(
        uid("Account", &id(account)),
        [
            ("active".to_owned(), RestrictedExpression::new_bool(active)),
            (
                "access".to_owned(),
                RestrictedExpression::new_entity_uid(uid("Access", &id(account))),
            ),
        ],
        parents,
        memberships,
    )?)
}
