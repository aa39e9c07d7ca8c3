//! Audit events as Open Cybersecurity Schema Framework (OCSF 1.3.0) events, one JSON object
//! per line, in the Identity & Access Management category:
//!
//! | Siteward actions | OCSF class |
//! |---|---|
//! | accounts, memberships, passwords, second factors, lockouts | Account Change (3001) |
//! | logins and logouts | Authentication (3002) |
//! | site assignments, grants, department memberships, accepted invitations | User Access Management (3005) |
//! | everything else (partners, sites, roles, devices, plugins, …) | Entity Management (3004) |
//!
//! Siteward's own fields (the action's name, partner, site, target, field changes) are kept
//! under `unmapped`, so nothing is lost in the mapping.

use audit_format::{JsonObject, changes_json, changes_summary, epoch_millis, error};
use siteward_guest_sdk::exporter::{AuditEvent, Exported, Guest, PluginError};

/// The plugin.
pub struct Ocsf;

const VERSION: &str = "1.3.0";

impl Guest for Ocsf {
    fn export_batch(
        _config: Vec<(String, String)>,
        events: Vec<AuditEvent>,
    ) -> Result<Exported, PluginError> {
        let mut out = String::new();
        for e in &events {
            out.push_str(&event(e)?);
            out.push('\n');
        }
        Ok(Exported {
            content_type: "application/x-ndjson".to_owned(),
            bytes: out.into_bytes(),
        })
    }
}

/// An OCSF class and activity.
struct Class {
    uid: i64,
    name: &'static str,
    activity: i64,
    activity_name: &'static str,
}

fn class(e: &AuditEvent) -> Class {
    let after = |field: &str| {
        e.changes
            .iter()
            .find(|c| c.field == field)
            .and_then(|c| c.after.as_deref())
    };
    let account = |activity, activity_name| Class {
        uid: 3001,
        name: "Account Change",
        activity,
        activity_name,
    };
    let access = |activity, activity_name| Class {
        uid: 3005,
        name: "User Access Management",
        activity,
        activity_name,
    };
    let status_change = || match after("status") {
        Some("disabled") => account(5, "Disable"),
        Some("active") => account(2, "Enable"),
        _ => account(99, "Other"),
    };
    match e.action.as_str() {
        "operator.created" | "account.created" | "member.added" => account(1, "Create"),
        "member.removed" => account(6, "Delete"),
        "account.status_changed" | "member.updated" => status_change(),
        "member.licence_disabled" => account(5, "Disable"),
        "account.password_changed" => account(3, "Password Change"),
        "auth.totp_enabled" => account(10, "MFA Factor Enable"),
        "auth.totp_disabled" | "member.totp_reset" => account(11, "MFA Factor Disable"),
        "auth.locked_out" => account(9, "Lock"),
        "auth.login" | "auth.login_failed" => Class {
            uid: 3002,
            name: "Authentication",
            activity: 1,
            activity_name: "Logon",
        },
        "auth.logout" => Class {
            uid: 3002,
            name: "Authentication",
            activity: 2,
            activity_name: "Logoff",
        },
        "assignment.created"
        | "assignment.unlocked"
        | "assignment.level_changed"
        | "assignment.start_changed"
        | "assignment.expiry_changed"
        | "grant.created"
        | "department.member_added"
        | "invitation.accepted" => access(1, "Assign Privileges"),
        "assignment.locked"
        | "assignment.deleted"
        | "grant.deleted"
        | "department.member_removed" => access(2, "Revoke Privileges"),
        action => {
            let (activity, activity_name) = if action.ends_with(".created")
                || action.ends_with(".added")
                || action.ends_with(".installed")
            {
                (1, "Create")
            } else if action.ends_with(".deleted")
                || action.ends_with(".removed")
                || action.ends_with(".revoked")
            {
                (4, "Delete")
            } else {
                (3, "Update")
            };
            Class {
                uid: 3004,
                name: "Entity Management",
                activity,
                activity_name,
            }
        }
    }
}

fn event(e: &AuditEvent) -> Result<String, PluginError> {
    let time = epoch_millis(&e.at)
        .ok_or_else(|| error("invalid-time", format!("{:?} is not a UTC time", e.at)))?;
    let class = class(e);
    let failed = e.action == "auth.login_failed";
    let severity = match e.action.as_str() {
        "auth.locked_out" | "plugin.quarantined" => 3,
        "auth.login_failed" | "plugin.call_failed" => 2,
        _ => 1,
    };
    let product = JsonObject::new()
        .str("name", "Siteward Host")
        .str("vendor_name", "Siteward")
        .finish();
    let metadata = JsonObject::new()
        .str("version", VERSION)
        .raw("product", &product)
        .str("uid", &e.id)
        .some("correlation_uid", e.request_id.as_deref())
        .str("log_name", "audit")
        .finish();
    let actor_user = JsonObject::new()
        .some("uid", e.actor_id.as_deref())
        .str(
            "type",
            if e.actor_kind == "account" {
                "User"
            } else {
                "Other"
            },
        )
        .finish();
    let actor = JsonObject::new().raw("user", &actor_user).finish();
    let target_user = JsonObject::new().str("uid", &e.target_id).finish();
    let unmapped = JsonObject::new()
        .str("action", &e.action)
        .str("actor_kind", &e.actor_kind)
        .opt("partner_id", e.partner_id.as_deref())
        .opt("site_id", e.site_id.as_deref())
        .str("target_kind", &e.target_kind)
        .str("target_id", &e.target_id)
        .raw("changes", &changes_json(e))
        .finish();
    let mut object = JsonObject::new()
        .num("class_uid", class.uid)
        .str("class_name", class.name)
        .num("category_uid", 3)
        .str("category_name", "Identity & Access Management")
        .num("activity_id", class.activity)
        .str("activity_name", class.activity_name)
        .num("type_uid", class.uid * 100 + class.activity)
        .num("time", time)
        .num("severity_id", severity)
        .num("status_id", if failed { 2 } else { 1 })
        .str("status", if failed { "Failure" } else { "Success" })
        .raw("metadata", &metadata)
        .raw("actor", &actor)
        .str("message", &message(e));
    object = match class.uid {
        3001 | 3002 => object.raw("user", &target_user),
        3005 => {
            let privilege = e
                .changes
                .iter()
                .find(|c| c.field == "level" || c.field == "role")
                .and_then(|c| c.after.clone().or_else(|| c.before.clone()))
                .unwrap_or_else(|| "site_access".to_owned());
            let mut privileges = String::new();
            audit_format::json_string(&mut privileges, &privilege);
            let resource = JsonObject::new()
                .some("uid", e.site_id.as_deref().or(e.partner_id.as_deref()))
                .str(
                    "type",
                    if e.site_id.is_some() {
                        "site"
                    } else {
                        "partner"
                    },
                )
                .finish();
            object
                .raw("user", &target_user)
                .raw("privileges", &format!("[{privileges}]"))
                .raw("resources", &format!("[{resource}]"))
        }
        _ => {
            let entity = JsonObject::new()
                .str("uid", &e.target_id)
                .str("type", &e.target_kind)
                .finish();
            object.raw("entity", &entity)
        }
    };
    Ok(object.raw("unmapped", &unmapped).finish())
}

fn message(e: &AuditEvent) -> String {
    let changes = changes_summary(e);
    if changes.is_empty() {
        e.action.clone()
    } else {
        format!("{}: {changes}", e.action)
    }
}

siteward_guest_sdk::export_audit_exporter!(Ocsf);
