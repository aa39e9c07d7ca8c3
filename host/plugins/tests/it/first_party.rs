//! The plugins that ship with the host, through the production runtime: their cases against
//! the snapshots in `snapshots/plugins/<name>/`, and what no snapshot can promise by itself.

use std::path::{Path, PathBuf};
use std::time::Duration;

use siteward_plugins::testing;
use siteward_plugins::worlds::renderer;

use super::{components, plugin_dir};

/// Loads a first-party plugin with its manifest and checks its cases.
fn check_cases(name: &str) {
    let dir = plugin_dir(name);
    let (plugin, manifest) = testing::load(
        &components().join(format!("{}.wasm", name.replace('-', "_"))),
        Some(&dir.join("siteward-plugin.toml")),
    );
    let snapshots = snapshots(name);
    testing::assert_cases(&plugin, manifest.as_ref(), &dir.join("cases"), &snapshots);
}

fn snapshots(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../snapshots/plugins")
        .join(name)
}

#[test]
fn domain_policy_cases_match_their_snapshots() {
    let (plugin, _) = testing::load(
        &components().join("domain_policy.wasm"),
        Some(&plugin_dir("domain-policy").join("siteward-plugin.toml")),
    );
    assert_eq!(plugin.limits().deadline, Duration::from_millis(50));
    check_cases("domain-policy");
}

#[test]
fn invitation_email_cases_match_their_snapshots() {
    check_cases("invitation-email");
}

#[test]
fn owner_notifier_cases_match_their_snapshots() {
    check_cases("owner-notifier");
}

#[test]
fn webhook_cases_match_their_snapshots() {
    check_cases("webhook");
}

#[test]
fn audit_exporter_cases_match_their_snapshots() {
    for name in ["audit-ndjson", "audit-csv", "audit-cef", "audit-ocsf"] {
        check_cases(name);
    }
}

fn render(invitation: &renderer::InvitationContext) -> renderer::RenderedEmail {
    let (plugin, _) = testing::load(
        &components().join("invitation_email.wasm"),
        Some(&plugin_dir("invitation-email").join("siteward-plugin.toml")),
    );
    plugin
        .render("test", &Vec::new(), invitation)
        .result
        .expect("the email renders")
}

#[test]
fn the_invitation_email_survives_hostile_input() {
    let mut invitation = testing::sample_invitation();
    invitation.inviter_name = "<script>alert('x')</script>\r\nBcc: victim@example.com".to_owned();
    invitation.branding = renderer::Branding {
        display_name: format!("\"><img src=x onerror=alert(1)>{}", "Ω".repeat(5_000)),
        logo_url: Some("https://cdn.example/logo.png\" onload=\"alert(1)".to_owned()),
        accent_colour: Some("red;background:url(javascript:alert(1))".to_owned()),
        support_contact: Some("javascript:alert(1)".to_owned()),
    };
    invitation.site_name = Some("מטה ראשי — مكتب الرئيسي".to_owned());
    let email = render(&invitation);

    for markup in ["<script", "<img src=x", "onload=", "url(javascript"] {
        assert!(
            !email.html.contains(markup),
            "{markup} got through: {}",
            email.html
        );
    }
    assert!(!email.html.contains("href=\"javascript:"), "{}", email.html);
    assert!(email.html.contains("&lt;script&gt;"), "shown, escaped");
    assert!(!email.subject.contains(['\r', '\n']), "{:?}", email.subject);
    assert!(email.subject.chars().count() < 200, "{}", email.subject);
    assert!(email.html.len() < 20_000, "a 5,000-character name is cut");
    assert!(email.text.contains("…"), "cut names say so");
    assert!(
        email
            .html
            .contains("<span dir=\"auto\">מטה ראשי — مكتب الرئيسي</span>"),
        "right-to-left text keeps its own direction"
    );
    assert!(
        email
            .text
            .contains("\u{2068}מטה ראשי — مكتب الرئيسي\u{2069}"),
        "and is isolated in plain text"
    );
    assert!(
        !email.text.contains("\nBcc:"),
        "no line break gets in from a name"
    );
    assert!(
        email.html.contains("#1f6feb"),
        "an invalid accent falls back"
    );
}

#[test]
fn every_language_writes_the_expiry_its_own_way() {
    let expected = [
        ("en", "November 29, 2026, 10:00 UTC"),
        ("ko", "2026년 11월 29일 10:00 (UTC)"),
        ("de", "29. November 2026, 10:00 Uhr (UTC)"),
        ("ja", "2026年11月29日 10:00 (UTC)"),
        ("es", "29 de noviembre de 2026, 10:00 (UTC)"),
    ];
    for (locale, date) in expected {
        let mut invitation = testing::sample_invitation();
        invitation.locale = locale.to_owned();
        let email = render(&invitation);
        assert!(email.text.contains(date), "{locale}: {}", email.text);
        assert!(email.html.contains(&format!("lang=\"{locale}\"")));
    }
}
