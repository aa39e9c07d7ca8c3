//! The guest SDK for Siteward plugins built against the frozen WIT `siteward:plugin@0.1.0`,
//! which the host keeps loading beside 0.2.0. New plugins use `siteward-guest-sdk` (0.2.0),
//! which re-exports this crate as `siteward_guest_sdk::v0_1`: a plugin that stays on 0.1.0
//! writes `siteward_guest_sdk::v0_1::renderer::…` and
//! `siteward_guest_sdk::v0_1::export_invitation_renderer!`. (A crate of its own because
//! wit-bindgen's exported macros are named after the world, which both versions share.)
//!
//! A 0.1.0 renderer gets the real accept link, as it was promised; 0.2.0 gives renderers a
//! stand-in instead.
//!
//! One module and one export macro per world:
//!
//! | world | module | implement | export with |
//! |---|---|---|---|
//! | `invitation-renderer` | [`renderer`] | `renderer::Guest` | [`export_invitation_renderer!`] |
//! | `notification-hook` | [`hook`] | `hook::Guest` | [`export_notification_hook!`] |
//! | `audit-exporter` | [`exporter`] | `exporter::Guest` | [`export_audit_exporter!`] |
//! | `invitation-policy` | [`policy`] | `policy::Guest` | [`export_invitation_policy!`] |
//!
//! A plugin has no clock, randomness, filesystem, network or environment: the host answers
//! `wasi:cli/environment` with nothing and `wasi:random` with a fixed stream, and links every
//! other import (clocks, files, sockets) to a trap. What it needs comes as input.
//!
//! Each world's module has a complete example; the renderer's is below. Test a plugin with
//! JSON cases and insta snapshots: `siteward plugin test` from any language, or
//! `siteward_plugins::testing` from `cargo test` (README: Plugins).
//!
//! # Example: an invitation renderer
//!
//! ```
//! use siteward_guest_sdk_v0_1::renderer::{Guest, InvitationContext, PluginError, RenderedEmail};
//!
//! struct Plain;
//!
//! impl Guest for Plain {
//!     fn render(
//!         _config: Vec<(String, String)>,
//!         invitation: InvitationContext,
//!     ) -> Result<RenderedEmail, PluginError> {
//!         Ok(RenderedEmail {
//!             subject: format!("{} invites you", invitation.branding.display_name),
//!             html: String::new(),
//!             text: format!("Accept: {}", invitation.accept_link),
//!         })
//!     }
//! }
//!
//! siteward_guest_sdk_v0_1::export_invitation_renderer!(Plain);
//! # fn main() {}
//! ```
//!
//! Build the plugin as a component with `cargo build --target wasm32-wasip2`.

#![deny(missing_docs)]

pub use wit_bindgen;

macro_rules! world_bindings {
    ($module:ident, $world:literal, $raw:literal, $private:literal) => {
        // The generated items carry the WIT's own documentation; the modules wit-bindgen
        // adds do not.
        #[allow(missing_docs)]
        #[doc(hidden)]
        pub mod $module {
            wit_bindgen::generate!({
                path: "../../wit/siteward-plugin@0.1.0",
                world: $world,
                pub_export_macro: true,
                export_macro_name: $raw,
                default_bindings_module: $private,
            });
        }
    };
}

world_bindings!(
    renderer_bindings,
    "invitation-renderer",
    "export_invitation_renderer_raw",
    "siteward_guest_sdk_v0_1::renderer_bindings"
);
world_bindings!(
    hook_bindings,
    "notification-hook",
    "export_notification_hook_raw",
    "siteward_guest_sdk_v0_1::hook_bindings"
);
world_bindings!(
    exporter_bindings,
    "audit-exporter",
    "export_audit_exporter_raw",
    "siteward_guest_sdk_v0_1::exporter_bindings"
);
world_bindings!(
    policy_bindings,
    "invitation-policy",
    "export_invitation_policy_raw",
    "siteward_guest_sdk_v0_1::policy_bindings"
);

/// Reads one value from the operator's configuration.
pub fn config_value<'a>(config: &'a [(String, String)], name: &str) -> Option<&'a str> {
    config
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The `invitation-renderer` world: implement [`renderer::Guest`] and export it with
/// [`export_invitation_renderer!`].
pub mod renderer {
    pub use crate::renderer_bindings::exports::siteward::plugin::renderer::{
        Branding, Guest, InvitationContext, InvitationKind, RenderedEmail,
    };
    pub use crate::renderer_bindings::siteward::plugin::types::PluginError;
}

/// The `notification-hook` world: implement [`hook::Guest`] and export it with
/// [`export_notification_hook!`].
///
/// A hook turns a domain event into actions the host takes: emails to addresses or to roles
/// the host resolves, and calls to webhook targets the operator named.
///
/// ```
/// use siteward_guest_sdk_v0_1::config_value;
/// use siteward_guest_sdk_v0_1::hook::{Action, DomainEvent, Email, Guest, PluginError, Recipient, WebhookCall};
///
/// struct TellTheOwners;
///
/// impl Guest for TellTheOwners {
///     fn on_event(config: Vec<(String, String)>, event: DomainEvent) -> Result<Vec<Action>, PluginError> {
///         if event.kind != "assignment.locked" {
///             return Ok(Vec::new());
///         }
///         let mut actions = vec![Action::SendEmail(Email {
///             to: vec![Recipient::PartnerSuperAdmins],
///             subject: format!("A technician was locked out of site {}", event.site_id.unwrap_or_default()),
///             text: format!("{} locked {} at {}.", event.actor_id.unwrap_or_default(), event.target_id, event.at),
///             html: None,
///         })];
///         if let Some(target) = config_value(&config, "webhook_target") {
///             actions.push(Action::CallWebhook(WebhookCall {
///                 target: target.to_owned(),
///                 body: format!(r#"{{"event":"{}","id":"{}"}}"#, event.kind, event.id),
///             }));
///         }
///         Ok(actions)
///     }
/// }
///
/// siteward_guest_sdk_v0_1::export_notification_hook!(TellTheOwners);
/// # fn main() {}
/// ```
pub mod hook {
    pub use crate::hook_bindings::exports::siteward::plugin::hook::{
        Action, DomainEvent, Email, Guest, Recipient, WebhookCall,
    };
    pub use crate::hook_bindings::siteward::plugin::types::{FieldChange, PluginError};
}

/// The `audit-exporter` world: implement [`exporter::Guest`] and export it with
/// [`export_audit_exporter!`].
///
/// An exporter writes a batch of audit events in a format; the host stores, returns or
/// sends the bytes.
///
/// ```
/// use siteward_guest_sdk_v0_1::exporter::{AuditEvent, Exported, Guest, PluginError};
///
/// struct TabSeparated;
///
/// impl Guest for TabSeparated {
///     fn export_batch(_config: Vec<(String, String)>, events: Vec<AuditEvent>) -> Result<Exported, PluginError> {
///         let mut out = String::from("at\taction\ttarget\n");
///         for event in events {
///             let clean = |s: &str| s.replace(['\t', '\n'], " ");
///             out.push_str(&format!("{}\t{}\t{}\n", event.at, clean(&event.action), clean(&event.target_id)));
///         }
///         Ok(Exported { content_type: "text/tab-separated-values".to_owned(), bytes: out.into_bytes() })
///     }
/// }
///
/// siteward_guest_sdk_v0_1::export_audit_exporter!(TabSeparated);
/// # fn main() {}
/// ```
pub mod exporter {
    pub use crate::exporter_bindings::exports::siteward::plugin::exporter::{
        AuditEvent, Exported, Guest,
    };
    pub use crate::exporter_bindings::siteward::plugin::types::{FieldChange, PluginError};
}

/// The `invitation-policy` world: implement [`policy::Guest`] and export it with
/// [`export_invitation_policy!`].
///
/// A policy answers allow, deny (with a reason the inviter reads), or require approval (a
/// Super Admin's invitation is the approval).
///
/// ```
/// use siteward_guest_sdk_v0_1::config_value;
/// use siteward_guest_sdk_v0_1::policy::{Decision, Guest, PluginError, ProposedInvitation};
///
/// struct OwnDomain;
///
/// impl Guest for OwnDomain {
///     fn evaluate(config: Vec<(String, String)>, invitation: ProposedInvitation) -> Result<Decision, PluginError> {
///         let Some(domain) = config_value(&config, "domain") else {
///             return Err(PluginError { code: "not-configured".to_owned(), message: "set `domain`".to_owned() });
///         };
///         if !invitation.invitee_email.to_ascii_lowercase().ends_with(&format!("@{domain}")) {
///             return Ok(Decision::Deny(format!("invite addresses at {domain} only")));
///         }
///         if invitation.level.as_deref() == Some("full_including_users") {
///             return Ok(Decision::RequireApproval("full access needs a Super Admin".to_owned()));
///         }
///         Ok(Decision::Allow)
///     }
/// }
///
/// siteward_guest_sdk_v0_1::export_invitation_policy!(OwnDomain);
/// # fn main() {}
/// ```
pub mod policy {
    pub use crate::policy_bindings::exports::siteward::plugin::policy::{
        Decision, Guest, ProposedInvitation,
    };
    pub use crate::policy_bindings::siteward::plugin::types::PluginError;
}

/// Exports a type implementing [`renderer::Guest`] as the plugin's `invitation-renderer` world.
#[macro_export]
macro_rules! export_invitation_renderer {
    ($ty:ident) => {
        $crate::renderer_bindings::export_invitation_renderer_raw!($ty with_types_in $crate::renderer_bindings);
    };
}

/// Exports a type implementing [`hook::Guest`] as the plugin's `notification-hook` world.
#[macro_export]
macro_rules! export_notification_hook {
    ($ty:ident) => {
        $crate::hook_bindings::export_notification_hook_raw!($ty with_types_in $crate::hook_bindings);
    };
}

/// Exports a type implementing [`exporter::Guest`] as the plugin's `audit-exporter` world.
#[macro_export]
macro_rules! export_audit_exporter {
    ($ty:ident) => {
        $crate::exporter_bindings::export_audit_exporter_raw!($ty with_types_in $crate::exporter_bindings);
    };
}

/// Exports a type implementing [`policy::Guest`] as the plugin's `invitation-policy` world.
#[macro_export]
macro_rules! export_invitation_policy {
    ($ty:ident) => {
        $crate::policy_bindings::export_invitation_policy_raw!($ty with_types_in $crate::policy_bindings);
    };
}
