//! Team security settings (reference 003: "configure security settings for all technician
//! accounts in your team"): a partner's admins set what its members are held to, a site's
//! admins what the site's admins are held to — two-step sign-in, a session lifetime shorter
//! than the host's, a fresh sign-in before sensitive changes. A person is held to the
//! strictest of every policy of the partners they belong to and the sites they administer.
//!
//! Two-step sign-in and the lifetime take effect at each sign-in (a lifetime also cuts the
//! sessions people hold when it is set); the fresh sign-in is checked at each sensitive
//! change, so it holds from the moment it is set.

use chrono::TimeDelta;

use siteward_core::FieldError;
use siteward_core::Timestamp;
use siteward_core::access::{AccountPrincipal, Action, Principal, authorize};
use siteward_core::audit::{AuditAction, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::{PartnerId, SiteId};
use siteward_core::security::{FRESH_SIGN_IN_MINUTES, PolicyOwner, SecurityPolicy};

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::services::App;
use crate::sites::SiteAccess;

/// A policy as a form or request gives it.
#[derive(Debug, Clone, Copy, Default)]
pub struct PolicyInput {
    /// Require two-step sign-in.
    pub require_two_factor: bool,
    /// Session lifetime in hours; the host's when absent.
    pub session_hours: Option<u32>,
    /// Minutes a sign-in stays fresh enough for sensitive changes; not asked when absent.
    pub fresh_sign_in_minutes: Option<u32>,
}

/// What the caller is held to, and by whom.
#[derive(Debug, Clone, Default)]
pub struct MySecurity {
    /// The strictest of each setting.
    pub held: SecurityPolicy,
    /// The partners and sites whose policies ask anything of them.
    pub by: Vec<PolicyOwner>,
    /// When the caller's session signed in.
    pub signed_in_at: Option<Timestamp>,
    /// Whether the caller's session may do nothing but enrol in two-step sign-in.
    pub must_enrol: bool,
}

/// The answer to a sensitive change from a sign-in older than a team allows.
pub fn fresh_sign_in_required(minutes: u32) -> AppError {
    AppError::refused(
        "fresh_sign_in_required",
        format!(
            "your team asks for a sign-in at most {minutes} minutes old before this change; \
             sign out, sign in again and repeat it"
        ),
    )
}

/// The answer to anything but enrolling from a session that must enrol first.
pub fn enrolment_required() -> AppError {
    AppError::refused(
        "two_factor_enrolment_required",
        "your team requires two-step sign-in: set up an authenticator app first \
         (POST /v1/me/totp, then POST /v1/me/totp/confirm, or the console's Account page)",
    )
}

impl App {
    /// A partner's policy (its admins).
    pub async fn partner_security(
        &self,
        caller: &Caller,
        partner: &PartnerId,
    ) -> AppResult<SecurityPolicy> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        self.store.partner(partner).await?;
        self.policy_of(PolicyOwner::Partner(partner.clone())).await
    }

    /// Sets what a partner holds its members to (its admins), audited. Taking a setting
    /// away is a sensitive change like setting one.
    pub async fn set_partner_security(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        input: PolicyInput,
    ) -> AppResult<SecurityPolicy> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        self.store.partner(partner).await?;
        let owner = PolicyOwner::Partner(partner.clone());
        self.set_policy(caller, owner, input, (Some(partner), None))
            .await
    }

    /// A site's policy for its admins (those who manage its admins).
    pub async fn site_security(&self, caller: &Caller, site: &SiteId) -> AppResult<SecurityPolicy> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageAdmins)
            .await?;
        self.policy_of(PolicyOwner::Site(site.id)).await
    }

    /// Sets what a site holds its admins to (those who manage its admins), audited.
    pub async fn set_site_security(
        &self,
        caller: &Caller,
        site: &SiteId,
        input: PolicyInput,
    ) -> AppResult<SecurityPolicy> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageAdmins)
            .await?;
        let owner = PolicyOwner::Site(site.id.clone());
        self.set_policy(
            caller,
            owner,
            input,
            (Some(&site.partner_id), Some(&site.id)),
        )
        .await
    }

    /// What the caller is held to, and by whom.
    pub async fn my_security(&self, caller: &Caller) -> AppResult<MySecurity> {
        caller.account()?;
        let Principal::Account(principal) = &caller.principal else {
            return Err(AppError::forbidden());
        };
        let policies = self.policies_for(principal).await?;
        Ok(MySecurity {
            held: SecurityPolicy::strictest(policies.iter().map(|(_, p)| p)),
            by: policies.into_iter().map(|(owner, _)| owner).collect(),
            signed_in_at: caller.signed_in_at,
            must_enrol: caller.must_enrol,
        })
    }

    /// Refuses a sensitive change when the caller's sign-in is older than a policy they are
    /// held to allows. API tokens are not sign-ins and pass: making one is itself sensitive.
    pub(crate) async fn require_fresh_sign_in(&self, caller: &Caller) -> AppResult<()> {
        let (Principal::Account(principal), Some(signed_in_at)) =
            (&caller.principal, caller.signed_in_at)
        else {
            return Ok(());
        };
        // Younger than the shortest window any policy may ask for: fresh whatever they ask,
        // without reading them.
        let shortest = TimeDelta::minutes(i64::from(*FRESH_SIGN_IN_MINUTES.start()));
        if self.now() - signed_in_at <= shortest {
            return Ok(());
        }
        let policies = self.policies_for(principal).await?;
        let held = SecurityPolicy::strictest(policies.iter().map(|(_, p)| p));
        match held.fresh_sign_in_minutes {
            Some(minutes) if !held.fresh_enough(signed_in_at, self.now()) => {
                Err(fresh_sign_in_required(minutes))
            }
            _ => Ok(()),
        }
    }

    /// The policies that ask anything of an account: its partners' and its sites'.
    pub(crate) async fn policies_for(
        &self,
        principal: &AccountPrincipal,
    ) -> AppResult<Vec<(PolicyOwner, SecurityPolicy)>> {
        let owners: Vec<PolicyOwner> = principal
            .partners
            .iter()
            .map(|standing| PolicyOwner::Partner(standing.partner.clone()))
            .chain(
                principal
                    .site_admin_of
                    .iter()
                    .cloned()
                    .map(PolicyOwner::Site),
            )
            .collect();
        let mut policies = self.store.security_policies(&owners).await?;
        policies.retain(|(_, policy)| *policy != SecurityPolicy::default());
        Ok(policies)
    }

    /// One owner's policy; asking nothing when it has none.
    async fn policy_of(&self, owner: PolicyOwner) -> AppResult<SecurityPolicy> {
        Ok(self
            .store
            .security_policies(&[owner])
            .await?
            .pop()
            .map(|(_, policy)| policy)
            .unwrap_or_default())
    }

    /// The host's own session lifetime in whole hours (at least one): the longest a team may
    /// set.
    pub fn host_session_hours(&self) -> u32 {
        u32::try_from(self.auth.session_ttl.num_hours())
            .unwrap_or(u32::MAX)
            .max(1)
    }

    async fn set_policy(
        &self,
        caller: &Caller,
        owner: PolicyOwner,
        input: PolicyInput,
        tenant: (Option<&PartnerId>, Option<&SiteId>),
    ) -> AppResult<SecurityPolicy> {
        let policy = SecurityPolicy::parse(
            input.require_two_factor,
            input.session_hours,
            input.fresh_sign_in_minutes,
            self.host_session_hours(),
        )?;
        self.require_fresh_sign_in(caller).await?;
        let before = self.policy_of(owner.clone()).await?;
        if before == policy {
            return Ok(policy);
        }
        let text = |value: Option<u32>| value.map_or_else(|| "none".to_owned(), |v| v.to_string());
        let mut changes = Vec::new();
        if before.require_two_factor != policy.require_two_factor {
            changes.push(FieldChange::changed(
                "require_two_factor",
                before.require_two_factor,
                policy.require_two_factor,
            ));
        }
        if before.session_hours != policy.session_hours {
            changes.push(FieldChange::changed(
                "session_hours",
                text(before.session_hours),
                text(policy.session_hours),
            ));
        }
        if before.fresh_sign_in_minutes != policy.fresh_sign_in_minutes {
            changes.push(FieldChange::changed(
                "fresh_sign_in_minutes",
                text(before.fresh_sign_in_minutes),
                text(policy.fresh_sign_in_minutes),
            ));
        }
        let (action, kind) = match owner {
            PolicyOwner::Partner(_) => (AuditAction::PartnerSecurityChanged, TargetKind::Partner),
            PolicyOwner::Site(_) => (AuditAction::SiteSecurityChanged, TargetKind::Site),
        };
        let event = caller.audit.event(
            self,
            action,
            tenant,
            AuditTarget {
                kind,
                id: owner.id().to_owned(),
            },
            changes,
        );
        self.store
            .set_security_policy(&owner, &policy, self.now(), &event)
            .await?;
        Ok(policy)
    }
}

/// A policy's setting given as text in a form: empty is "none".
pub fn optional_number(field: &str, text: &str) -> Result<Option<u32>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| FieldError::new(field, "must be a whole number"))
}
