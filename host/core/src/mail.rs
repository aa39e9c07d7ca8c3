//! Invitation emails: the context a renderer gets, the email it returns, the renderer
//! interface, and the built-in renderer that always works.
//!
//! Every renderer — this built-in one, or a WebAssembly plugin behind the same trait — is a
//! pure function of its input. When a plugin fails, the host falls back to [`BuiltinRenderer`],
//! so an invitation is never lost to a plugin.

use crate::Timestamp;

/// Everything an invitation email may show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationContext {
    /// The invitee's address.
    pub invitee_email: String,
    /// Who invites.
    pub inviter_name: String,
    /// The partner's display name.
    pub partner_name: String,
    /// How the partner presents itself (its display name is `partner_name`).
    pub branding: crate::tenancy::Branding,
    /// The site, for a site invitation.
    pub site_name: Option<String>,
    /// The partner role offered, for a partner invitation (`admin`, `technician`), or
    /// [`SITE_ADMIN`] for an invitation to administer the site.
    pub role: Option<String>,
    /// The site permission level offered, for a site invitation.
    pub level: Option<String>,
    /// The link that accepts the invitation (it carries the token).
    pub accept_link: String,
    /// When the link stops working.
    pub expires_at: Timestamp,
    /// The invitee's language (BCP 47).
    pub locale: String,
}

/// An email ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    /// The subject line.
    pub subject: String,
    /// The HTML part.
    pub html: String,
    /// The plain-text part.
    pub text: String,
}

/// A renderer could not produce an email.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rendering failed ({code}): {message}")]
pub struct RenderError {
    /// A stable code.
    pub code: String,
    /// What went wrong.
    pub message: String,
}

/// Turns an invitation into an email.
pub trait InvitationRenderer: Send + Sync {
    /// Renders one email.
    fn render(&self, context: &InvitationContext) -> Result<RenderedEmail, RenderError>;
}

/// The `role` of an invitation to administer a site.
pub const SITE_ADMIN: &str = "site_admin";

/// The renderer built into the host: plain, English, and always available.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltinRenderer;

impl InvitationRenderer for BuiltinRenderer {
    fn render(&self, c: &InvitationContext) -> Result<RenderedEmail, RenderError> {
        let expires = c.expires_at.format("%-d %B %Y, %H:%M UTC").to_string();
        let (subject, offer) = match (&c.site_name, &c.level, &c.role) {
            (Some(site), _, Some(role)) if role == SITE_ADMIN => (
                format!(
                    "{} invites you to administer the site {site}",
                    c.partner_name
                ),
                format!(
                    "{} of {} invites you to become an admin of the site {site}: you decide which technicians may enter it.",
                    c.inviter_name, c.partner_name
                ),
            ),
            (Some(site), level, _) => (
                format!("{} invites you to the site {site}", c.partner_name),
                format!(
                    "{} of {} invites you to support the site {site}{}.",
                    c.inviter_name,
                    c.partner_name,
                    level
                        .as_deref()
                        .map(|l| format!(" with the permission level {}", level_name(l)))
                        .unwrap_or_default()
                ),
            ),
            (None, _, role) => (
                format!("{} invites you to join {}", c.inviter_name, c.partner_name),
                format!(
                    "{} invites you to join {} as {}.",
                    c.inviter_name,
                    c.partner_name,
                    role.as_deref().map(role_name).unwrap_or("a member")
                ),
            ),
        };
        let site_note = if c.site_name.is_some() && c.role.as_deref() != Some(SITE_ADMIN) {
            "\nYour access starts locked: a site administrator unlocks it once you have accepted."
        } else {
            ""
        };
        let text = format!(
            "{offer}\n\nAccept the invitation:\n{}\n\nThe link works until {expires}.{site_note}\n\nIf you did not expect this email, you can ignore it.\n",
            c.accept_link
        );
        let html = format!(
            "<!DOCTYPE html><html><body style=\"font-family:Arial,sans-serif;color:#222\">\
             <p>{}</p>\
             <p><a href=\"{}\" style=\"display:inline-block;padding:10px 18px;background:#1f6feb;color:#fff;text-decoration:none;border-radius:4px\">Accept the invitation</a></p>\
             <p style=\"color:#555\">The link works until {}.{}</p>\
             <p style=\"color:#888;font-size:12px\">If you did not expect this email, you can ignore it.</p>\
             </body></html>",
            escape_html(&offer),
            escape_html(&c.accept_link),
            escape_html(&expires),
            escape_html(site_note)
        );
        Ok(RenderedEmail {
            subject,
            html,
            text,
        })
    }
}

fn role_name(role: &str) -> &'static str {
    match role {
        "admin" => "an Admin",
        "super_admin" => "a Super Admin",
        _ => "a Technician",
    }
}

fn level_name(level: &str) -> &'static str {
    match level {
        "devices_only" => "Devices Only",
        "full_excluding_users" => "Full Excluding Users",
        "full_including_users" => "Full Including Users",
        _ => "None",
    }
}

/// How long to wait before delivery attempt `attempt + 1` after `attempt` failures: doubling
/// from `initial` up to `max`, with "equal jitter" (half fixed, half drawn from `random`) so
/// that many messages failing together do not retry in lockstep.
pub fn retry_delay(
    attempt: u32,
    initial: chrono::Duration,
    max: chrono::Duration,
    random: u32,
) -> chrono::Duration {
    let doubled = initial
        .checked_mul(1 << attempt.saturating_sub(1).min(20))
        .unwrap_or(max);
    let base = doubled.min(max);
    let half = base / 2;
    let jitter_ms = i64::from(random) % (half.num_milliseconds() + 1);
    half + chrono::Duration::milliseconds(jitter_ms)
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn context() -> InvitationContext {
        InvitationContext {
            invitee_email: "tech@example.com".to_owned(),
            inviter_name: "Ana <script>".to_owned(),
            partner_name: "Acme & Sons".to_owned(),
            branding: crate::tenancy::Branding::default(),
            site_name: Some("Head office".to_owned()),
            role: None,
            level: Some("devices_only".to_owned()),
            accept_link: "https://siteward.example/accept?token=abc".to_owned(),
            expires_at: chrono::Utc.with_ymd_and_hms(2026, 3, 8, 9, 0, 0).unwrap(),
            locale: "en".to_owned(),
        }
    }

    #[test]
    fn both_parts_carry_the_link_the_names_and_the_expiry() {
        let email = BuiltinRenderer.render(&context()).unwrap();
        assert_eq!(
            email.subject,
            "Acme & Sons invites you to the site Head office"
        );
        assert!(
            email
                .text
                .contains("https://siteward.example/accept?token=abc")
        );
        assert!(email.text.contains("8 March 2026, 09:00 UTC"));
        assert!(email.text.contains("Devices Only"));
        assert!(
            email
                .html
                .contains("href=\"https://siteward.example/accept?token=abc\"")
        );
    }

    #[test]
    fn retries_back_off_exponentially_within_bounds() {
        let initial = chrono::Duration::seconds(30);
        let max = chrono::Duration::hours(1);
        for attempt in 1..=12 {
            let ceiling = (initial * (1 << (attempt - 1))).min(max);
            for random in [0, 7, u32::MAX] {
                let delay = retry_delay(attempt, initial, max, random);
                assert!(
                    delay >= ceiling / 2 && delay <= ceiling,
                    "attempt {attempt}: {delay}"
                );
            }
        }
    }

    #[test]
    fn user_supplied_values_are_escaped_in_html() {
        let email = BuiltinRenderer.render(&context()).unwrap();
        assert!(!email.html.contains("<script>"));
        assert!(email.html.contains("Ana &lt;script&gt;"));
        assert!(email.html.contains("Acme &amp; Sons"));
    }
}
