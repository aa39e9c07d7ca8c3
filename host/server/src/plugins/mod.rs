//! Plugins from the host binary's side: the first-party plugins it carries, and the
//! `siteward plugin` commands. The plugin host and its calls are the application's
//! (`siteward_app::plugins`), re-exported here.

pub mod bundled;
pub mod cli;

pub use siteward_app::plugins::*;
