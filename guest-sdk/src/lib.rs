//! The guest SDK for Siteward plugins.
//!
//! A plugin depends on this crate alone. It carries the bindings generated from the
//! workspace's WIT package (`siteward:plugin@0.1.0`) and re-exports [`wit_bindgen`], so a
//! plugin never has to point at the WIT files or match wit-bindgen's version itself.
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
//! A plugin has no clock, randomness, filesystem, network or environment: the host links
//! every WASI import a Rust `std` guest carries to a trap. What it needs comes as input.
//!
//! # Example: an invitation renderer
//!
//! ```
//! use siteward_guest_sdk::renderer::{Guest, InvitationContext, PluginError, RenderedEmail};
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
//! siteward_guest_sdk::export_invitation_renderer!(Plain);
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
                path: "../wit",
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
    "siteward_guest_sdk::renderer_bindings"
);
world_bindings!(
    hook_bindings,
    "notification-hook",
    "export_notification_hook_raw",
    "siteward_guest_sdk::hook_bindings"
);
world_bindings!(
    exporter_bindings,
    "audit-exporter",
    "export_audit_exporter_raw",
    "siteward_guest_sdk::exporter_bindings"
);
world_bindings!(
    policy_bindings,
    "invitation-policy",
    "export_invitation_policy_raw",
    "siteward_guest_sdk::policy_bindings"
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
pub mod hook {
    pub use crate::hook_bindings::exports::siteward::plugin::hook::{
        Action, DomainEvent, Email, Guest, Recipient, WebhookCall,
    };
    pub use crate::hook_bindings::siteward::plugin::types::{FieldChange, PluginError};
}

/// The `audit-exporter` world: implement [`exporter::Guest`] and export it with
/// [`export_audit_exporter!`].
pub mod exporter {
    pub use crate::exporter_bindings::exports::siteward::plugin::exporter::{
        AuditEvent, Exported, Guest,
    };
    pub use crate::exporter_bindings::siteward::plugin::types::{FieldChange, PluginError};
}

/// The `invitation-policy` world: implement [`policy::Guest`] and export it with
/// [`export_invitation_policy!`].
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
