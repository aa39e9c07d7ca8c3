//! A harness for `cargo test` in a plugin crate (feature `testing`): build the component,
//! load it with the production runtime and its manifest's limits, and snapshot every case's
//! outcome with insta.
//!
//! ```no_run
//! // tests/cases.rs of a plugin crate, with `siteward-plugins = { features = ["testing"] }`
//! // as a dev-dependency:
//! use std::path::Path;
//! use siteward_plugins::testing;
//!
//! #[test]
//! fn cases_match_their_snapshots() {
//!     let here = Path::new(env!("CARGO_MANIFEST_DIR"));
//!     let component = testing::build(here, "my_plugin");
//!     let (plugin, manifest) = testing::load(&component, Some(&here.join("siteward-plugin.toml")));
//!     testing::assert_cases(&plugin, manifest.as_ref(), &here.join("cases"), &here.join("snapshots"));
//! }
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cases::Case;
use crate::limits::Limits;
use crate::manifest::Manifest;
use crate::runtime::{Plugin, Runtime, RuntimeConfig};

/// An invitation to render: a site invitation from Ada at Acme Installers, in English. For
/// plugin authors' tests and the host's benchmarks.
pub fn sample_invitation() -> crate::worlds::renderer::InvitationContext {
    use crate::worlds::renderer;
    renderer::InvitationContext {
        kind: renderer::InvitationKind::Site,
        invitee_email: "tech@example.com".to_owned(),
        inviter_name: "Ada".to_owned(),
        branding: renderer::Branding {
            display_name: "Acme Installers".to_owned(),
            logo_url: None,
            accent_colour: Some("#0a7cff".to_owned()),
            support_contact: None,
        },
        site_name: Some("Head office".to_owned()),
        level: Some("devices_only".to_owned()),
        role: None,
        accept_link: "https://siteward.example/accept?token=abc".to_owned(),
        expires_at: "2026-11-29T10:00:00Z".to_owned(),
        locale: "en".to_owned(),
    }
}

/// Builds the cargo package or workspace at `dir` for `wasm32-wasip2` in release mode and
/// returns the path of the component `<crate_name>.wasm` (`-` written as `_`). The build goes
/// to `$CARGO_TARGET_DIR/plugins` when that is set, so it does not lock the caller's target.
pub fn build(dir: &Path, crate_name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(|t| PathBuf::from(t).join("plugins"))
        .unwrap_or_else(|| dir.join("target"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["build", "--release", "--target", "wasm32-wasip2"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "building {} for wasm32-wasip2 failed",
        dir.display()
    );
    target
        .join("wasm32-wasip2/release")
        .join(format!("{}.wasm", crate_name.replace('-', "_")))
}

/// Loads a component as the host would: with its manifest's limits (checked against the
/// component's world and WIT version), or its world's defaults without one.
pub fn load(component: &Path, manifest: Option<&Path>) -> (Plugin, Option<Manifest>) {
    let bytes =
        std::fs::read(component).unwrap_or_else(|e| panic!("reading {}: {e}", component.display()));
    let manifest = manifest.map(|path| {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        Manifest::from_toml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    });
    let runtime = Runtime::new(RuntimeConfig {
        concurrency: 2,
        ..RuntimeConfig::default()
    })
    .expect("the plugin engine starts");
    let limits = match &manifest {
        Some(manifest) => manifest
            .limits()
            .unwrap_or_else(|e| panic!("manifest: {e}")),
        None => Limits::ceiling(),
    };
    let plugin = runtime
        .load(&bytes, limits)
        .unwrap_or_else(|e| panic!("{}: {e}", component.display()));
    let plugin = match &manifest {
        Some(manifest) => {
            manifest
                .matches(&plugin)
                .unwrap_or_else(|e| panic!("manifest: {e}"));
            plugin
        }
        None => {
            let defaults = Limits::for_world(plugin.world());
            plugin
                .with_limits(defaults)
                .expect("a world's defaults are under the ceiling")
        }
    };
    (plugin, manifest)
}

/// Runs every `*.json` case in `cases` and asserts its outcome against the insta snapshot
/// `<snapshots>/<case>.snap` (`cargo insta review` accepts new and changed ones).
pub fn assert_cases(plugin: &Plugin, manifest: Option<&Manifest>, cases: &Path, snapshots: &Path) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(cases)
        .unwrap_or_else(|e| panic!("reading {}: {e}", cases.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no *.json cases in {}", cases.display());
    for path in files {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let outcome = Case::read(&path)
            .and_then(|case| case.run(plugin, manifest))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(snapshots);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_input_file(&path);
        settings.set_omit_expression(true);
        settings.set_sort_maps(true);
        settings.bind(|| insta::assert_json_snapshot!(name, outcome));
    }
}
