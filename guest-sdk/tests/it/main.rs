//! The workspace's plugins build with the guest SDK into real WebAssembly components.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The first 8 bytes of a WebAssembly component (as opposed to a core module, whose
/// version field is `01 00 00 00`).
const COMPONENT_HEADER: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

fn plugins_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins")
}

/// Where the plugin workspace builds: beside the host's target folder, never inside it, so
/// this nested cargo never waits on the lock of the cargo that runs the tests.
fn plugin_target_dir() -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    base.join("plugins")
}

#[test]
fn every_plugin_builds_as_a_component() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["build", "--release", "--target", "wasm32-wasip2"])
        .current_dir(plugins_dir())
        .env("CARGO_TARGET_DIR", plugin_target_dir())
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the plugin workspace failed to build");
    let out = plugin_target_dir().join("wasm32-wasip2/release");
    let plugins: Vec<String> = std::fs::read_dir(plugins_dir())
        .unwrap()
        .filter_map(Result::ok)
        // A Rust plugin is a crate with a manifest; a crate without one (`audit-format`) is a
        // library the plugins share.
        .filter(|entry| {
            entry.path().join("Cargo.toml").exists()
                && entry.path().join("siteward-plugin.toml").exists()
        })
        .map(|entry| entry.file_name().to_string_lossy().replace('-', "_"))
        .collect();
    assert!(!plugins.is_empty());
    for plugin in plugins {
        let bytes = std::fs::read(out.join(format!("{plugin}.wasm"))).unwrap();
        assert_eq!(bytes[..8], COMPONENT_HEADER, "{plugin} is not a component");
        let interface = b"siteward:plugin/";
        assert!(
            bytes.windows(interface.len()).any(|w| w == interface),
            "{plugin} exports no siteward:plugin interface"
        );
    }
}
