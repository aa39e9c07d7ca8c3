//! {{name}}: refuses invitations to blocked domains, and asks a Super Admin to send large
//! requests.

use siteward_guest_sdk::config_value;
use siteward_guest_sdk::policy::{Decision, Guest, PluginError, ProposedInvitation};

/// The plugin.
pub struct Plugin;

impl Guest for Plugin {
    fn evaluate(
        config: Vec<(String, String)>,
        invitation: ProposedInvitation,
    ) -> Result<Decision, PluginError> {
        let limit = config_value(&config, "approval_above").unwrap_or("20");
        let Ok(limit) = limit.trim().parse::<u32>() else {
            return Err(PluginError {
                code: "invalid_config".to_owned(),
                message: format!("`approval_above` must be a whole number, not `{limit}`"),
            });
        };
        let domain = invitation
            .invitee_email
            .rsplit_once('@')
            .map_or("", |(_, domain)| domain);
        let blocked = config_value(&config, "blocked_domains")
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .any(|blocked| !blocked.is_empty() && blocked.eq_ignore_ascii_case(domain));
        Ok(if blocked {
            Decision::Deny(format!("{domain} is not invited here"))
        } else if invitation.batch_size > limit {
            Decision::RequireApproval(format!(
                "a request for more than {limit} addresses needs a Super Admin"
            ))
        } else {
            Decision::Allow
        })
    }
}

siteward_guest_sdk::export_invitation_policy!(Plugin);
