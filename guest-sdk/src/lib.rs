//! The guest SDK for Siteward plugins.
//!
//! A plugin depends on this crate alone. It carries the bindings generated from the
//! workspace's WIT package (`siteward:plugin@0.1.0`) and re-exports [`wit_bindgen`], so a
//! plugin never has to point at the WIT files or match wit-bindgen's version itself.
//!
//! # Example: an invitation renderer
//!
//! ```
//! use siteward_guest_sdk::renderer::{Guest, InvitationContext, PluginError, RenderedEmail};
//!
//! struct Plain;
//!
//! impl Guest for Plain {
//!     fn render(invitation: InvitationContext) -> Result<RenderedEmail, PluginError> {
//!         Ok(RenderedEmail {
//!             subject: format!("{} invites you", invitation.partner_name),
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

// The generated items carry the WIT's own documentation; the modules wit-bindgen adds do not.
#[allow(missing_docs)]
mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "invitation-renderer",
        pub_export_macro: true,
        export_macro_name: "export_invitation_renderer_raw",
        default_bindings_module: "siteward_guest_sdk::__private",
    });
}

#[doc(hidden)]
pub use bindings::export_invitation_renderer_raw;

/// The types every world shares.
pub mod types {
    pub use crate::bindings::siteward::plugin::types::PluginError;
}

/// The `invitation-renderer` world: implement [`renderer::Guest`] and export it with
/// [`export_invitation_renderer!`].
pub mod renderer {
    pub use crate::bindings::exports::siteward::plugin::renderer::{
        Guest, InvitationContext, PluginError, RenderedEmail,
    };
}

#[doc(hidden)]
pub mod __private {
    pub use crate::bindings::*;
}

/// Exports a type implementing [`renderer::Guest`] as the plugin's `invitation-renderer` world.
#[macro_export]
macro_rules! export_invitation_renderer {
    ($ty:ident) => {
        $crate::export_invitation_renderer_raw!($ty with_types_in $crate::__private);
    };
}
