//! An invitation policy. Configuration:
//!
//! - `allowed_domains`: comma-separated email domains invitees must belong to (for example
//!   `acme.example, acme-partner.example`); empty or absent allows every domain;
//! - `approval_levels`: comma-separated site levels whose invitations need approval (for
//!   example `full_including_users`).

use siteward_guest_sdk::config_value;
use siteward_guest_sdk::policy::{Decision, Guest, PluginError, ProposedInvitation};

/// The plugin.
pub struct DomainPolicy;

fn list(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(|item| item.trim().to_ascii_lowercase())
        .filter(|item| !item.is_empty())
        .collect()
}

impl Guest for DomainPolicy {
    fn evaluate(
        config: Vec<(String, String)>,
        invitation: ProposedInvitation,
    ) -> Result<Decision, PluginError> {
        let Some((_, domain)) = invitation.invitee_email.rsplit_once('@') else {
            return Err(PluginError {
                code: "invalid-email".to_owned(),
                message: format!("{:?} has no domain", invitation.invitee_email),
            });
        };
        let domain = domain.to_ascii_lowercase();
        let allowed = list(config_value(&config, "allowed_domains"));
        if !allowed.is_empty() && !allowed.contains(&domain) {
            return Ok(Decision::Deny(format!(
                "invitations go only to addresses at {}",
                allowed.join(", ")
            )));
        }
        let approval = list(config_value(&config, "approval_levels"));
        if let Some(level) = &invitation.level
            && approval.contains(level)
        {
            return Ok(Decision::RequireApproval(format!(
                "the level {level} needs approval"
            )));
        }
        Ok(Decision::Allow)
    }
}

siteward_guest_sdk::export_invitation_policy!(DomainPolicy);
