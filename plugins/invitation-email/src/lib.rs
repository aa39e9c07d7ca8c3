//! Siteward's invitation emails: an HTML part that common mail clients render (one table,
//! inline styles, no scripts, no external CSS) and a plain-text part, in English, Korean,
//! German, Japanese or Spanish, with the partner's branding.
//!
//! Every value that comes from people — names, the site, the support contact, the footer — is
//! escaped in HTML, isolated for bidirectional text (a right-to-left name does not reorder
//! the sentence around it), cut to a sane length, and kept out of the subject's line breaks.

mod locale;

use siteward_guest_sdk::renderer::{
    Guest, InvitationContext, InvitationKind, PluginError, RenderedEmail,
};

use locale::{DateTime, Locale};

/// The longest a person-given value is shown in the body, in characters.
const BODY_MAX: usize = 200;
/// The longest a person-given value is shown in the subject, in characters.
const SUBJECT_MAX: usize = 60;
/// The accent when the partner has none (or an invalid one).
const DEFAULT_ACCENT: &str = "#1f6feb";

/// The plugin.
pub struct InvitationEmail;

impl Guest for InvitationEmail {
    fn render(
        config: Vec<(String, String)>,
        invitation: InvitationContext,
    ) -> Result<RenderedEmail, PluginError> {
        let setting = |name: &str| {
            config
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.trim())
                .filter(|value| !value.is_empty())
        };
        let fallback = match setting("default_locale") {
            None => Locale::En,
            Some(tag) => Locale::from_tag(tag).ok_or_else(|| {
                error(
                    "invalid-config",
                    format!("default_locale {tag:?} is not one of en, ko, de, ja, es"),
                )
            })?,
        };
        let locale = Locale::from_tag(&invitation.locale).unwrap_or(fallback);
        let link = &invitation.accept_link;
        if !(link.starts_with("https://") || link.starts_with("http://")) {
            return Err(error(
                "invalid-link",
                "the accept link is not an http(s) URL",
            ));
        }
        let expires = DateTime::parse(&invitation.expires_at).ok_or_else(|| {
            error(
                "invalid-expiry",
                format!(
                    "expires-at {:?} is not an RFC 3339 UTC time",
                    invitation.expires_at
                ),
            )
        })?;
        Ok(Email::new(locale, &invitation, expires, setting("footer")).render())
    }
}

siteward_guest_sdk::export_invitation_renderer!(InvitationEmail);

fn error(code: &str, message: impl Into<String>) -> PluginError {
    PluginError {
        code: code.to_owned(),
        message: message.into(),
    }
}

/// A person-given value, ready for each place it appears.
struct Value<'a>(&'a str);

impl Value<'_> {
    /// For the subject: one line, control characters removed, cut short.
    fn subject(&self) -> String {
        cut(&one_line(self.0), SUBJECT_MAX)
    }

    /// For the plain text: one line, cut, between Unicode isolates.
    fn text(&self) -> String {
        format!("\u{2068}{}\u{2069}", cut(&one_line(self.0), BODY_MAX))
    }

    /// For HTML: one line, cut, escaped, in an element whose direction follows its text.
    fn html(&self) -> String {
        format!(
            "<span dir=\"auto\">{}</span>",
            escape(&cut(&one_line(self.0), BODY_MAX))
        )
    }
}

/// Everything the email says, worked out once for both parts.
struct Email<'a> {
    locale: Locale,
    invitation: &'a InvitationContext,
    expires: String,
    footer: Option<&'a str>,
}

impl<'a> Email<'a> {
    fn new(
        locale: Locale,
        invitation: &'a InvitationContext,
        expires: DateTime,
        footer: Option<&'a str>,
    ) -> Self {
        Self {
            locale,
            invitation,
            expires: locale.date(&expires),
            footer,
        }
    }

    /// The site, for an invitation to work at one or to administer it.
    fn site(&self) -> Option<&'a str> {
        match self.invitation.kind {
            InvitationKind::Site | InvitationKind::SiteAdmin => {
                Some(self.invitation.site_name.as_deref().unwrap_or(""))
            }
            InvitationKind::Partner => None,
        }
    }

    /// Whether the access it offers starts Locked (a technician's at a site).
    fn starts_locked(&self) -> bool {
        self.invitation.kind == InvitationKind::Site
    }

    /// The offer sentence with each person-given value written by `show`.
    fn offer(&self, show: impl Fn(&str) -> String) -> String {
        let i = self.invitation;
        let partner = show(&i.branding.display_name);
        let inviter = show(&i.inviter_name);
        match self.site() {
            Some(site) if i.kind == InvitationKind::SiteAdmin => {
                self.locale.site_admin_offer(&inviter, &partner, &show(site))
            }
            Some(site) => {
                let level = self.locale.level(i.level.as_deref().unwrap_or("none"));
                self.locale
                    .site_offer(&inviter, &partner, &show(site), level)
            }
            None => {
                let role = self.locale.role(i.role.as_deref().unwrap_or("technician"));
                self.locale.partner_offer(&inviter, &partner, role)
            }
        }
    }

    fn subject(&self) -> String {
        let i = self.invitation;
        let partner = Value(&i.branding.display_name).subject();
        match self.site() {
            Some(site) if i.kind == InvitationKind::SiteAdmin => self
                .locale
                .site_admin_subject(&partner, &Value(site).subject()),
            Some(site) => self.locale.site_subject(&partner, &Value(site).subject()),
            None => self
                .locale
                .partner_subject(&Value(&i.inviter_name).subject(), &partner),
        }
    }

    fn text(&self) -> String {
        let l = self.locale;
        let mut text = format!(
            "{}\n\n{}\n{}\n\n{}",
            self.offer(|v| Value(v).text()),
            l.accept(),
            self.invitation.accept_link,
            l.expiry(&self.expires)
        );
        if self.starts_locked() {
            text.push_str(&format!("\n{}", l.locked_note()));
        }
        if let Some(contact) = &self.invitation.branding.support_contact {
            text.push_str(&format!("\n\n{}", l.support(&Value(contact).text())));
        }
        text.push_str(&format!("\n\n{}\n", l.ignore()));
        if let Some(footer) = self.footer {
            text.push_str(&format!("\n{}\n", one_line(footer)));
        }
        text
    }

    fn html(&self) -> String {
        let l = self.locale;
        let branding = &self.invitation.branding;
        let accent = branding
            .accent_colour
            .as_deref()
            .filter(|c| is_hex_colour(c))
            .unwrap_or(DEFAULT_ACCENT);
        let on_accent = if is_light(accent) {
            "#111111"
        } else {
            "#ffffff"
        };
        let link = escape(&self.invitation.accept_link);
        let header = match branding.logo_url.as_deref().filter(|u| is_https_url(u)) {
            Some(logo) => format!(
                "<img src=\"{}\" alt=\"{}\" height=\"40\" style=\"display:block;height:40px;border:0\">",
                escape(logo),
                escape(&cut(&one_line(&branding.display_name), BODY_MAX))
            ),
            None => format!(
                "<div style=\"font-size:20px;font-weight:bold;color:{accent}\">{}</div>",
                Value(&branding.display_name).html()
            ),
        };
        let mut notes = format!(
            "<p style=\"margin:0 0 8px;color:#555555\">{}</p>",
            escape(&l.expiry(&self.expires))
        );
        if self.starts_locked() {
            notes.push_str(&format!(
                "<p style=\"margin:0 0 8px;color:#555555\">{}</p>",
                escape(l.locked_note())
            ));
        }
        if let Some(contact) = &branding.support_contact {
            notes.push_str(&format!(
                "<p style=\"margin:0 0 8px;color:#555555\">{}</p>",
                l.support(&contact_html(contact))
            ));
        }
        let footer = self.footer.map_or_else(String::new, |footer| {
            format!(
                "<p style=\"margin:16px 0 0;color:#888888;font-size:12px\">{}</p>",
                escape(&one_line(footer))
            )
        });
        format!(
            "<!DOCTYPE html>\
<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title></head>\n\
<body style=\"margin:0;padding:0;background:#f4f5f7\">\
<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"background:#f4f5f7\"><tr><td align=\"center\" style=\"padding:24px 12px\">\
<table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:600px;width:100%;background:#ffffff;border-top:4px solid {accent};font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#222222\">\
\n<tr><td style=\"padding:24px 28px 8px\">{header}</td></tr>\
\n<tr><td style=\"padding:8px 28px;word-break:break-word\"><p style=\"margin:0 0 20px\">{offer}</p>\
\n<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\"><tr><td style=\"border-radius:4px;background:{accent}\">\
\n<a href=\"{link}\" style=\"display:inline-block;padding:12px 22px;color:{on_accent};text-decoration:none;font-weight:bold\">{button}</a></td></tr></table>\
\n<p style=\"margin:20px 0 4px;color:#555555;font-size:13px\">{fallback}</p>\
\n<p style=\"margin:0 0 20px;font-size:13px;word-break:break-all\"><a href=\"{link}\" style=\"color:{accent}\">{link}</a></p>\
\n{notes}</td></tr>\
\n<tr><td style=\"padding:8px 28px 24px;color:#888888;font-size:12px\"><p style=\"margin:0\">{ignore}</p>{footer}</td></tr>\
\n</table></td></tr></table></body></html>",
            lang = l.tag(),
            title = escape(&self.subject()),
            offer = self.offer(|v| Value(v).html()),
            button = escape(l.accept()),
            fallback = escape(l.link_fallback()),
            ignore = escape(l.ignore()),
        )
    }

    fn render(&self) -> RenderedEmail {
        RenderedEmail {
            subject: self.subject(),
            html: self.html(),
            text: self.text(),
        }
    }
}

/// The support contact as HTML: a `mailto:` or web link when it is one, text otherwise.
fn contact_html(contact: &str) -> String {
    let shown = Value(contact).html();
    let contact = contact.trim();
    if is_https_url(contact) {
        format!("<a href=\"{}\">{shown}</a>", escape(contact))
    } else if contact.contains('@') && !contact.contains(char::is_whitespace) {
        format!("<a href=\"mailto:{}\">{shown}</a>", escape(contact))
    } else {
        shown
    }
}

/// Escapes text for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Control characters (line breaks included) become spaces; runs of them, one.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        let c = if c.is_control() { ' ' } else { c };
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    out
}

/// At most `max` characters, with an ellipsis when cut.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}…", text[..end].trim_end()),
    }
}

fn is_hex_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Whether dark text reads better than white on this `#rrggbb` colour.
fn is_light(colour: &str) -> bool {
    let channel = |i: usize| u32::from_str_radix(&colour[i..i + 2], 16).unwrap_or(0);
    // ITU-R BT.601 luma.
    channel(1) * 299 + channel(3) * 587 + channel(5) * 114 > 160_000
}

fn is_https_url(text: &str) -> bool {
    text.starts_with("https://")
        && text.len() > "https://".len()
        && !text.contains(|c: char| c.is_whitespace() || c.is_control() || c == '"')
}
