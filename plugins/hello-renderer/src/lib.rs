//! The smallest invitation renderer: subject, HTML and text from the invitation context.
//! It shows the shape of a plugin; the localized, branded renderer is `invitation-email`.
//!
//! It stays on WIT 0.1.0 on purpose: the host loads it beside the 0.2.0 plugins, and the
//! tests prove both versions run in one host (a 0.1.0 renderer still gets the real link).

use siteward_guest_sdk::v0_1::renderer::{Guest, InvitationContext, PluginError, RenderedEmail};

/// The plugin.
pub struct HelloRenderer;

impl Guest for HelloRenderer {
    fn render(
        _config: Vec<(String, String)>,
        invitation: InvitationContext,
    ) -> Result<RenderedEmail, PluginError> {
        if invitation.accept_link.is_empty() {
            return Err(PluginError {
                code: "missing-link".to_owned(),
                message: "the invitation has no accept link".to_owned(),
            });
        }
        let place = invitation
            .site_name
            .as_deref()
            .unwrap_or(&invitation.branding.display_name);
        Ok(RenderedEmail {
            subject: format!("{} invites you to {place}", invitation.inviter_name),
            html: String::new(),
            text: format!(
                "Accept before {}: {}",
                invitation.expires_at, invitation.accept_link
            ),
        })
    }
}

siteward_guest_sdk::v0_1::export_invitation_renderer!(HelloRenderer);
