//! Audit events: an append-only record of every change and who made it.
//!
//! An event names its tenant (partner and/or site, or neither for platform events), so each
//! tenant's admins read their own trail; it carries field-level before/after changes rather
//! than opaque blobs, so exporters (CSV, CEF, OCSF) can map them without guessing.

use crate::Timestamp;
use crate::ids::{AccountId, ApiTokenId, AuditEventId, PartnerId, SiteId};

pub mod chain;
use crate::tenancy::string_enum;

string_enum! {
    /// What happened. The text forms are stable: exporters and filters depend on them.
    AuditAction {
        /// An operator account was created.
        OperatorCreated = "operator.created",
        /// An account was created (by an admin, or at sign-up).
        AccountCreated = "account.created",
        /// The operator disabled or re-enabled an account platform-wide.
        AccountStatusChanged = "account.status_changed",
        /// An account's password was changed by its owner.
        PasswordChanged = "account.password_changed",
        /// An account's owner changed its own settings (the console's language).
        AccountUpdated = "account.updated",
        /// Someone asked for a password reset link for an account.
        PasswordResetRequested = "account.password_reset_requested",
        /// An account's password was reset through a link sent to its address.
        PasswordReset = "account.password_reset",
        /// A partner was created.
        PartnerCreated = "partner.created",
        /// An account joined a partner.
        MemberAdded = "member.added",
        /// A member's role or status changed.
        MemberUpdated = "member.updated",
        /// A member left a partner.
        MemberRemoved = "member.removed",
        /// A member's second factor was reset by an admin.
        MemberTotpReset = "member.totp_reset",
        /// A partner's settings changed.
        PartnerUpdated = "partner.updated",
        /// A partner's admins changed what it asks of its members at sign-in (two-step
        /// sign-in, session lifetime, fresh sign-in).
        PartnerSecurityChanged = "partner.security_changed",
        /// The operator changed a partner's licence seats.
        LicencesChanged = "partner.licences_changed",
        /// Lowering a licence disabled a member automatically (reference 003).
        MemberLicenceDisabled = "member.licence_disabled",
        /// An invitation was sent.
        InvitationCreated = "invitation.created",
        /// An invitation was sent again with a fresh link.
        InvitationResent = "invitation.resent",
        /// An invitation was withdrawn.
        InvitationRevoked = "invitation.revoked",
        /// An invitation was accepted.
        InvitationAccepted = "invitation.accepted",
        /// An invitation's time passed before it was accepted.
        InvitationExpired = "invitation.expired",
        /// An approver approved an invitation that waited for approval: it is sent.
        InvitationApproved = "invitation.approved",
        /// An approver refused an invitation that waited for approval, saying why.
        InvitationDenied = "invitation.denied",
        /// A technician was assigned to a site (Locked until a site admin unlocks it).
        AssignmentCreated = "assignment.created",
        /// A site admin or a partner admin locked a technician's assignment.
        AssignmentLocked = "assignment.locked",
        /// A site admin (the first time) or a partner admin unlocked a technician's assignment.
        AssignmentUnlocked = "assignment.unlocked",
        /// A site admin changed a technician's permission level.
        AssignmentLevelChanged = "assignment.level_changed",
        /// A site admin set or cleared the time a technician's access begins.
        AssignmentStartChanged = "assignment.start_changed",
        /// A site admin set or cleared the time a technician's access ends.
        AssignmentExpiryChanged = "assignment.expiry_changed",
        /// A site admin or a partner admin deleted a technician's access to the site.
        AssignmentDeleted = "assignment.deleted",
        /// A site admin switched the site's Technician Access.
        TechnicianAccessChanged = "site.technician_access_changed",
        /// A site's admins changed what the site asks of them at sign-in (two-step sign-in,
        /// session lifetime, fresh sign-in).
        SiteSecurityChanged = "site.security_changed",
        /// A site's admins changed its rules for access requests.
        SiteAccessPolicyChanged = "site.access_policy_changed",
        /// A technician asked for access to a site for a while.
        AccessRequestCreated = "access_request.created",
        /// One of two approvers approved a request; it waits for the other.
        AccessRequestApprovalAdded = "access_request.approval_added",
        /// A request was approved (by its approvers, or by the site's policy).
        AccessRequestApproved = "access_request.approved",
        /// An approver denied a request.
        AccessRequestDenied = "access_request.denied",
        /// The technician withdrew a request before its access began.
        AccessRequestCancelled = "access_request.cancelled",
        /// A request's time passed before anyone decided it.
        AccessRequestExpired = "access_request.expired",
        /// An approved request's access began (at its start, when it had to wait for it).
        AccessRequestStarted = "access_request.started",
        /// A request's access ended: at its end, or early.
        AccessRequestEnded = "access_request.ended",
        /// A review of a site's access began (started by someone, or by the site's schedule).
        ReviewStarted = "review.started",
        /// A reviewer confirmed or removed a technician's access in a review.
        ReviewDecided = "review.decided",
        /// A review ended: every technician decided, or its deadline came (and locked or
        /// left the rest).
        ReviewCompleted = "review.completed",
        /// A custom role was created.
        RoleCreated = "role.created",
        /// A custom role's name or permissions changed.
        RoleUpdated = "role.updated",
        /// A custom role was deleted (its grants are deleted with their own events).
        RoleDeleted = "role.deleted",
        /// A department was created.
        DepartmentCreated = "department.created",
        /// A department was renamed.
        DepartmentRenamed = "department.renamed",
        /// A department was deleted, with its memberships and grants.
        DepartmentDeleted = "department.deleted",
        /// A technician joined a department.
        DepartmentMemberAdded = "department.member_added",
        /// A technician left a department; inherited rights end at once.
        DepartmentMemberRemoved = "department.member_removed",
        /// A device group was created.
        DeviceGroupCreated = "device_group.created",
        /// A device group was deleted; its devices left it and grants on it were deleted.
        DeviceGroupDeleted = "device_group.deleted",
        /// A device was created or changed.
        DeviceSaved = "device.saved",
        /// A device was deleted, with the grants on it.
        DeviceDeleted = "device.deleted",
        /// A role was granted on a scope.
        GrantCreated = "grant.created",
        /// A grant was deleted.
        GrantDeleted = "grant.deleted",
        /// A customer was created.
        CustomerCreated = "customer.created",
        /// A site was created.
        SiteCreated = "site.created",
        /// An account became a site admin.
        SiteAdminAdded = "site_admin.added",
        /// A site admin was removed.
        SiteAdminRemoved = "site_admin.removed",
        /// An API token was created.
        ApiTokenCreated = "api_token.created",
        /// An API token was revoked.
        ApiTokenRevoked = "api_token.revoked",
        /// The operator installed a plugin.
        PluginInstalled = "plugin.installed",
        /// The operator upgraded a plugin to another version.
        PluginUpgraded = "plugin.upgraded",
        /// The operator removed a plugin, with its bindings.
        PluginRemoved = "plugin.removed",
        /// A plugin was switched on or off, or configured, for everyone, a partner or a site.
        PluginBindingChanged = "plugin.binding_changed",
        /// A binding was removed; its scope inherits again.
        PluginBindingRemoved = "plugin.binding_removed",
        /// A plugin call failed (error, trap, deadline, memory, fuel, size).
        PluginCallFailed = "plugin.call_failed",
        /// Repeated failures quarantined a plugin for a partner until it is re-enabled.
        PluginQuarantined = "plugin.quarantined",
        /// An invitation policy denied a proposed invitation, or asked for approval (which a
        /// Super Admin's sending gives).
        InvitationPolicyDecided = "invitation.policy_decided",
        /// An account logged in.
        LoginSucceeded = "auth.login",
        /// A login failed (wrong password or second factor).
        LoginFailed = "auth.login_failed",
        /// A sign-in through an identity provider was refused (a token that failed a check,
        /// an address outside the connection's domains, nobody to sign in).
        SsoRefused = "auth.sso_refused",
        /// An identity provider connection was created or changed.
        ConnectionSaved = "identity.connection_saved",
        /// An identity provider connection was deleted, with its domains.
        ConnectionDeleted = "identity.connection_deleted",
        /// A partner claimed an email domain for one of its connections.
        DomainClaimed = "identity.domain_claimed",
        /// A partner gave up an email domain.
        DomainReleased = "identity.domain_released",
        /// A connection's rule was added: a provider group gives a role or a department.
        GroupRuleAdded = "identity.group_rule_added",
        /// A connection's rule was removed.
        GroupRuleRemoved = "identity.group_rule_removed",
        /// A partner's directory (LDAP, Active Directory) was set up or changed.
        DirectorySaved = "identity.directory_saved",
        /// A partner's directory was removed (its people stay members, no longer synced).
        DirectoryDeleted = "identity.directory_deleted",
        /// A directory group's members were mapped to a department, or no longer are.
        DirectoryMappingChanged = "identity.directory_mapping_changed",
        /// A directory sync ran: what it changed, in counts (each change has its own event).
        DirectorySynced = "identity.directory_synced",
        /// A directory sync failed (the directory could not be read, or the changes were
        /// refused): nothing changed.
        DirectorySyncFailed = "identity.directory_sync_failed",
        /// Failed logins locked an account for a while.
        LoginLockedOut = "auth.locked_out",
        /// A session was ended by its owner.
        Logout = "auth.logout",
        /// An account enabled a TOTP second factor.
        TotpEnabled = "auth.totp_enabled",
        /// An account removed its TOTP second factor.
        TotpDisabled = "auth.totp_disabled",
        /// Retention dropped a chain's old events behind a signed checkpoint.
        AuditRetentionApplied = "audit.retention_applied",
        /// The operator took a backup of the whole database.
        BackupTaken = "platform.backup_taken",
    }
}

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A person.
    Account(AccountId),
    /// An integration.
    ApiToken(ApiTokenId),
    /// The host itself (sweepers, the command line).
    System,
}

impl Actor {
    /// The stable kind (`account`, `api_token`, `system`) and the id, as stored and exported.
    pub fn kind_and_id(&self) -> (&'static str, Option<&str>) {
        match self {
            Self::Account(id) => ("account", Some(id.as_str())),
            Self::ApiToken(id) => ("api_token", Some(id.as_str())),
            Self::System => ("system", None),
        }
    }
}

/// What was acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditTarget {
    /// The kind of record.
    pub kind: TargetKind,
    /// Its id.
    pub id: String,
}

macro_rules! target_kinds {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// The kinds of record an audit event can be about. The text forms are stored, exported
        /// and covered by the audit chain's hashes, so they never change.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum TargetKind {
            $($(#[$doc])* $variant,)*
            /// A kind this host does not know (written by a newer host), kept exactly as
            /// stored: the chain's hashes cover it.
            Other(String),
        }

        impl TargetKind {
            /// Every kind this host writes.
            pub const KNOWN: &[TargetKind] = &[$(Self::$variant),*];

            /// The stable text form.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(text) => text,
                }
            }

            /// The kind stored as `text`; any text is a kind.
            pub fn from_stored(text: &str) -> Self {
                match text {
                    $($text => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }
    };
}

target_kinds! {
    /// A technician's request for access to a site.
    AccessRequest = "access_request",
    /// A person's account.
    Account = "account",
    /// An API token.
    ApiToken = "api_token",
    /// A tenant's audit chain (retention cuts).
    AuditChain = "audit_chain",
    /// An identity provider connection.
    Connection = "identity_connection",
    /// A customer of a partner.
    Customer = "customer",
    /// The database as a whole (a backup).
    Database = "database",
    /// A department.
    Department = "department",
    /// A partner's directory (LDAP, Active Directory); its id is the partner's.
    Directory = "directory",
    /// A device.
    Device = "device",
    /// A device group.
    DeviceGroup = "device_group",
    /// An email domain a partner claimed for single sign-on.
    Domain = "domain",
    /// A grant of a role on a scope.
    Grant = "grant",
    /// An invitation.
    Invitation = "invitation",
    /// A sign-in attempt.
    Login = "login",
    /// A membership of a partner.
    Membership = "membership",
    /// A partner.
    Partner = "partner",
    /// A review of a site's access.
    Review = "review",
    /// A plugin.
    Plugin = "plugin",
    /// A role.
    Role = "role",
    /// A site.
    Site = "site",
    /// A site admin.
    SiteAdmin = "site_admin",
    /// A technician's assignment to a site.
    SiteAssignment = "site_assignment",
}

impl std::fmt::Display for TargetKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One field's value before and after a change. Absent values mean "did not exist".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field's name.
    pub field: String,
    /// Its value before.
    pub before: Option<String>,
    /// Its value after.
    pub after: Option<String>,
}

impl FieldChange {
    /// A field set on a new record.
    pub fn set(field: &str, after: impl ToString) -> Self {
        Self {
            field: field.to_owned(),
            before: None,
            after: Some(after.to_string()),
        }
    }

    /// A field that changed from `before` to `after`.
    pub fn changed(field: &str, before: impl ToString, after: impl ToString) -> Self {
        Self {
            field: field.to_owned(),
            before: Some(before.to_string()),
            after: Some(after.to_string()),
        }
    }
}

/// One audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Its id; ids sort by time.
    pub id: AuditEventId,
    /// When it happened.
    pub at: Timestamp,
    /// Who acted.
    pub actor: Actor,
    /// The partner whose tenancy it belongs to, if any.
    pub partner_id: Option<PartnerId>,
    /// The site it concerns, if any.
    pub site_id: Option<SiteId>,
    /// What happened.
    pub action: AuditAction,
    /// What was acted on.
    pub target: AuditTarget,
    /// Field-level changes.
    pub changes: Vec<FieldChange>,
    /// The request that caused it, for correlation with logs.
    pub request_id: Option<String>,
}

/// Which audit events to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditFilter {
    /// Only events acted by this account or token id.
    pub actor: Option<String>,
    /// Only events with this action.
    pub action: Option<AuditAction>,
    /// Only events at or after this time.
    pub from: Option<Timestamp>,
    /// Only events before this time.
    pub to: Option<Timestamp>,
    /// Newest first (a person reading the log) rather than oldest first (exports, streams).
    pub newest_first: bool,
}

/// The tenancy an audit listing is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditScope {
    /// Every event (the operator's view).
    Platform,
    /// One partner's events, including those of its sites.
    Partner(PartnerId),
    /// One site's events.
    Site(SiteId),
}

#[cfg(test)]
mod tests {
    use super::TargetKind;

    #[test]
    fn a_stored_target_kind_reads_back_as_written_known_or_not() {
        for kind in TargetKind::KNOWN {
            assert_eq!(&TargetKind::from_stored(kind.as_str()), kind);
        }
        let newer = TargetKind::from_stored("access_review");
        assert_eq!(newer, TargetKind::Other("access_review".to_owned()));
        assert_eq!(newer.as_str(), "access_review");
    }
}
