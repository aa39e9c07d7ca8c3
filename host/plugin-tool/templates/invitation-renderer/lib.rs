//! {{name}}: writes a partner's invitation emails.

use siteward_guest_sdk::config_value;
use siteward_guest_sdk::renderer::{Guest, InvitationContext, PluginError, RenderedEmail};

/// The plugin.
pub struct Plugin;

impl Guest for Plugin {
    fn render(
        config: Vec<(String, String)>,
        invitation: InvitationContext,
    ) -> Result<RenderedEmail, PluginError> {
        let greeting = config_value(&config, "greeting").unwrap_or("Hello").trim();
        if greeting.is_empty() {
            return Err(PluginError {
                code: "invalid_config".to_owned(),
                message: "`greeting` must not be empty".to_owned(),
            });
        }
        let partner = &invitation.branding.display_name;
        let place = match &invitation.site_name {
            Some(site) => format!("{site} for {partner}"),
            None => partner.clone(),
        };
        // `accept_link` is a stand-in: the host puts the real link wherever it appears.
        Ok(RenderedEmail {
            subject: format!("{} invites you to {place}", invitation.inviter_name),
            html: format!(
                "<p>{}, {}.</p><p><a href=\"{}\">Accept the invitation</a></p>",
                escape(greeting),
                escape(&invitation.invitee_email),
                invitation.accept_link
            ),
            text: format!(
                "{greeting}, {}.\n\nAccept the invitation: {}\n",
                invitation.invitee_email, invitation.accept_link
            ),
        })
    }
}

/// Text as HTML shows it.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

siteward_guest_sdk::export_invitation_renderer!(Plugin);
