//! The plugin author's tool as an author meets it: `siteward-plugin new` for every world, the
//! crate built for `wasm32-wasip2` as written, and `siteward-plugin test` passing on it (so the
//! snapshots it ships are what the plugin does); a changed outcome fails with a `.snap.new`,
//! and `--accept` keeps it; the compiled component is cached between runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tool(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_siteward-plugin"))
        .args(args)
        .output()
        .expect("the tool runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Builds a generated crate as its README says (`cargo build --release`), into a target
/// folder the generated crates share.
fn build(dir: &Path, crate_name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || dir.join("target"),
        |t| PathBuf::from(t).join("plugins-new"),
    );
    // The versions the first-party plugins are built with, so nothing new is fetched.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::copy(repo.join("plugins/Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "building {}", dir.display());
    target.join(format!("wasm32-wasip2/release/{crate_name}.wasm"))
}

#[test]
fn a_new_plugin_of_every_world_builds_to_a_component_and_passes_its_cases() {
    let home = tempfile::tempdir().unwrap();
    let cache = home.path().join("cache");
    for world in [
        "invitation-renderer",
        "invitation-policy",
        "notification-hook",
        "audit-exporter",
    ] {
        let dir = home.path().join(format!("my-{world}"));
        let made = tool(&["new", world, dir.to_str().unwrap()]);
        assert!(made.status.success(), "{}", text(&made));
        let manifest = std::fs::read_to_string(dir.join("siteward-plugin.toml")).unwrap();
        assert!(
            manifest.contains(&format!("name = \"my-{world}\"")) && manifest.contains(world),
            "{manifest}"
        );
        assert!(
            std::fs::read_to_string(dir.join("Cargo.toml"))
                .unwrap()
                .contains("crate-type = [\"cdylib\"]")
        );

        let component = build(&dir, &format!("my_{}", world.replace('-', "_")));
        let tested = tool(&[
            "test",
            component.to_str().unwrap(),
            "--cases",
            dir.join("cases").to_str().unwrap(),
            "--manifest",
            dir.join("siteward-plugin.toml").to_str().unwrap(),
            "--cache",
            cache.to_str().unwrap(),
        ]);
        assert!(
            tested.status.success(),
            "{world}: the shipped snapshots match\n{}",
            text(&tested)
        );
        assert!(
            text(&tested).contains("2 passed, 0 new, 0 changed, 0 broken"),
            "{}",
            text(&tested)
        );
        // One case shows the plugin refusing its configuration.
        let refused = std::fs::read_dir(dir.join("cases/snapshots"))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|entry| entry.file_name().to_string_lossy().contains("refused"))
            .map(|entry| std::fs::read_to_string(entry.path()).unwrap())
            .collect::<Vec<_>>();
        assert_eq!(refused.len(), 1, "{world}");
        assert!(
            refused[0].contains("\"kind\": \"plugin_error\"")
                && refused[0].contains("invalid_config"),
            "{}",
            refused[0]
        );
    }
    // The compiled components were kept: a later run loads instead of compiling.
    let kept = std::fs::read_dir(&cache)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "cwasm"))
        .count();
    assert_eq!(kept, 4);

    // A changed outcome fails with a .snap.new beside the snapshot; --accept keeps it.
    let dir = home.path().join("my-invitation-policy");
    let case = dir.join("cases/a_large_request_needs_approval.json");
    let changed = std::fs::read_to_string(&case)
        .unwrap()
        .replace("\"batch_size\": 21", "\"batch_size\": 2");
    std::fs::write(&case, changed).unwrap();
    let component = build(&dir, "my_invitation_policy");
    let args = |accept: bool| {
        let mut args = vec![
            "test".to_owned(),
            component.display().to_string(),
            "--cases".to_owned(),
            dir.join("cases").display().to_string(),
            "--no-cache".to_owned(),
        ];
        if accept {
            args.push("--accept".to_owned());
        }
        args
    };
    let run = |accept: bool| {
        let args = args(accept);
        tool(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let failed = run(false);
    assert!(!failed.status.success(), "{}", text(&failed));
    assert!(text(&failed).contains("changed  a_large_request_needs_approval"));
    let pending = dir.join("cases/snapshots/a_large_request_needs_approval.snap.new");
    assert!(std::fs::read_to_string(&pending).unwrap().contains("Allow"));
    assert!(run(true).status.success());
    assert!(!pending.exists());
    assert!(run(false).status.success());
}

#[test]
fn new_refuses_a_folder_in_use_and_a_name_no_plugin_can_have() {
    let home = tempfile::tempdir().unwrap();
    let used = home.path().join("used");
    std::fs::create_dir(&used).unwrap();
    std::fs::write(used.join("notes.txt"), "mine").unwrap();
    let refused = tool(&["new", "invitation-policy", used.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused).contains("is not empty; nothing was written"));
    assert_eq!(std::fs::read_dir(&used).unwrap().count(), 1);

    let bad = home.path().join("My Plugin");
    let refused = tool(&["new", "invitation-policy", bad.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused).contains("cannot name a plugin"),
        "{}",
        text(&refused)
    );
    assert!(!bad.exists());

    let unknown = tool(&[
        "new",
        "invitation-mailer",
        home.path().join("x").to_str().unwrap(),
    ]);
    assert!(!unknown.status.success());
    assert!(
        text(&unknown).contains("invitation-renderer"),
        "{}",
        text(&unknown)
    );
}
