//! A test fixture, never installed by the host: a notification hook that asks, for every
//! event, for `count` emails to the recipients `to` names — addresses, or `super-admins`,
//! `admins` and `site-admins` — or, in `mode = "spin"`, loops until its deadline. The host's
//! limits on what a hook may ask for are tested against it.

use siteward_guest_sdk::config_value;
use siteward_guest_sdk::hook::{Action, DomainEvent, Email, Guest, PluginError, Recipient};

/// The plugin.
pub struct TestNoisyHook;

fn recipient(name: &str) -> Recipient {
    match name {
        "super-admins" => Recipient::PartnerSuperAdmins,
        "admins" => Recipient::PartnerAdmins,
        "site-admins" => Recipient::SiteAdmins,
        address => Recipient::Address(address.to_owned()),
    }
}

impl Guest for TestNoisyHook {
    fn on_event(
        config: Vec<(String, String)>,
        event: DomainEvent,
    ) -> Result<Vec<Action>, PluginError> {
        if config_value(&config, "mode") == Some("spin") {
            let mut n: u64 = 0;
            loop {
                n = std::hint::black_box(n.wrapping_add(1));
            }
        }
        let to: Vec<Recipient> = config_value(&config, "to")
            .unwrap_or("super-admins")
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(recipient)
            .collect();
        let count: usize = config_value(&config, "count")
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        Ok((0..count)
            .map(|n| {
                Action::SendEmail(Email {
                    to: to.clone(),
                    subject: format!("{} ({n})", event.kind),
                    text: format!("Event {}.\n", event.id),
                    html: None,
                })
            })
            .collect())
    }
}

siteward_guest_sdk::export_notification_hook!(TestNoisyHook);
