//! The plugin runtime against real components: the workspace's plugins, built for
//! `wasm32-wasip2` by this test, and `test-hostile`, which misbehaves on request.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

mod first_party;

use siteward_plugins::worlds::{policy, renderer};
use siteward_plugins::{Failure, InstallError, Limits, Runtime, RuntimeConfig, World};

/// Builds the plugin workspace once and returns the folder with its components.
fn components() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let plugins = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins");
        let any = siteward_plugins::testing::build(&plugins, "hello-renderer");
        any.parent().expect("a component is in a folder").to_owned()
    })
}

fn component(name: &str) -> Vec<u8> {
    std::fs::read(components().join(format!("{name}.wasm"))).unwrap()
}

fn runtime() -> Runtime {
    Runtime::new(RuntimeConfig {
        concurrency: 4,
        ..RuntimeConfig::default()
    })
    .unwrap()
}

fn invitation() -> renderer::InvitationContext {
    siteward_plugins::testing::sample_invitation()
}

fn config(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn hostile(limits: Limits) -> siteward_plugins::Plugin {
    runtime().load(&component("test_hostile"), limits).unwrap()
}

fn renderer_limits() -> Limits {
    Limits::for_world(World::InvitationRenderer)
}

#[test]
fn a_renderer_renders_and_its_world_and_version_are_read_from_the_component() {
    let plugin = runtime()
        .load(&component("hello_renderer"), renderer_limits())
        .unwrap();
    assert_eq!(plugin.world(), World::InvitationRenderer);
    assert_eq!(plugin.version().to_string(), "0.1.0");
    let outcome = plugin.render("test", &Vec::new(), &invitation());
    let email = outcome.result.unwrap();
    assert_eq!(email.subject, "Ada invites you to Head office");
    assert!(email.text.contains("token=abc"));
    assert!(outcome.fuel_used > 0);

    // A plugin error is the plugin's, typed.
    let mut no_link = invitation();
    no_link.accept_link.clear();
    assert_eq!(
        plugin.render("test", &Vec::new(), &no_link).result,
        Err(Failure::Plugin {
            code: "missing-link".to_owned(),
            message: "the invitation has no accept link".to_owned(),
        })
    );
}

#[test]
fn every_misbehaviour_ends_in_its_typed_failure_and_the_next_call_is_clean() {
    let plugin = hostile(Limits {
        deadline: Duration::from_millis(50),
        memory_bytes: 8 << 20,
        output_bytes: 64 * 1024,
        ..renderer_limits()
    });
    let call = |mode: &str, size: &str| {
        plugin
            .render(
                "test",
                &config(&[("mode", mode), ("size", size)]),
                &invitation(),
            )
            .result
    };
    assert_eq!(call("spin", "0"), Err(Failure::Deadline));
    assert_eq!(call("grow", "0"), Err(Failure::Memory));
    // A panic's message reaches the failure: the call's stderr is kept for it.
    let trap = call("trap", "0");
    assert!(
        matches!(&trap, Err(Failure::Trap(t)) if t.contains("; it wrote: thread") && t.contains("panicked at") && t.contains("asked to trap")),
        "{trap:?}"
    );
    // Only the first 4 KiB written is kept, on one line.
    let shout = call("shout", "100000");
    assert!(
        matches!(&shout, Err(Failure::Trap(t)) if t.len() < 4_300 && t.ends_with(" …") && !t.contains("asked to shout") && !t.contains('\n')),
        "{shout:?}"
    );
    assert!(matches!(
        call("error", "0"),
        Err(Failure::Plugin { code, .. }) if code == "refused"
    ));
    assert_eq!(
        call("huge", "100000"),
        Err(Failure::OutputTooLarge {
            limit: 64 * 1024,
            // What the plugin wrote: its text part is the link's stand-in.
            actual: Some(
                100_000
                    + "Invitation for tech@example.com".len()
                    + siteward_plugins::worlds::ACCEPT_LINK_STAND_IN.len()
            ),
        })
    );
    // Unbounded recursion runs out of the guest's stack (in linear memory, so it ends as an
    // out-of-bounds access, or as wasmtime's stack-overflow trap when frames live in wasm's
    // own stack): a trap either way, never the host's stack.
    assert!(matches!(call("recurse", "0"), Err(Failure::Trap(_))));
    // A plugin that panics on some inputs fails on those alone.
    let mut picky = invitation();
    assert!(call("picky", "0").is_ok());
    picky.invitee_email = "panic@example.com".to_owned();
    let picky = plugin
        .render("test", &config(&[("mode", "picky")]), &picky)
        .result;
    assert!(
        matches!(&picky, Err(Failure::Trap(t)) if t.contains("cannot render for panic@example.com")),
        "{picky:?}"
    );
    // No ambient authority: the clock is an import that traps, the environment is empty.
    assert!(matches!(call("clock", "0"), Err(Failure::Trap(_))));
    assert_eq!(call("env", "0").map(|email| email.html), Ok(String::new()));
    // Each call has a fresh store: after all that, the plugin renders.
    assert!(call("ok", "0").is_ok());
}

/// The global allocator, telling each thread the largest block it asked for since it last
/// asked (the plugin's own memory is the pooling allocator's mapping, not the heap: what shows
/// here is what the host copied).
#[allow(unsafe_code)] // A global allocator is `unsafe` to implement; this one only passes calls on.
mod largest_allocation {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    pub struct Tracking;

    thread_local! {
        static LARGEST: Cell<usize> = const { Cell::new(0) };
    }

    // SAFETY: every call is passed to the system allocator unchanged.
    unsafe impl GlobalAlloc for Tracking {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(layout.size())));
            // SAFETY: the caller's contract, passed on.
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: the caller's contract, passed on.
            unsafe { System.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(new_size)));
            // SAFETY: the caller's contract, passed on.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    /// The largest block this thread asked for since the last call.
    pub fn take() -> usize {
        LARGEST.with(|largest| largest.replace(0))
    }
}

#[global_allocator]
static ALLOCATOR: largest_allocation::Tracking = largest_allocation::Tracking;

#[test]
fn an_output_far_over_its_cap_is_refused_before_the_host_copies_it() {
    let plugin = hostile(Limits {
        memory_bytes: 128 << 20,
        ..renderer_limits()
    });
    for size in [10_000_000, 60_000_000] {
        largest_allocation::take();
        let outcome = plugin.render(
            "test",
            &config(&[("mode", "huge"), ("size", &size.to_string())]),
            &invitation(),
        );
        let largest = largest_allocation::take();
        assert_eq!(
            outcome.result,
            Err(Failure::OutputTooLarge {
                limit: 1 << 20,
                actual: None
            })
        );
        // The plugin wrote `size` bytes in its own memory; the host allocated nothing near it.
        assert!(
            largest < 2 << 20,
            "the host allocated {largest} bytes at once"
        );
    }
    // Just over the cap, within the copy budget: copied, measured, refused with its size.
    let outcome = plugin.render(
        "test",
        &config(&[("mode", "huge"), ("size", "1100000")]),
        &invitation(),
    );
    assert!(
        matches!(outcome.result, Err(Failure::OutputTooLarge { limit, actual: Some(actual) }) if limit == 1 << 20 && actual > 1_100_000),
        "{:?}",
        outcome.result
    );
    assert!(
        plugin
            .render("test", &config(&[("mode", "ok")]), &invitation())
            .result
            .is_ok()
    );
}

#[test]
fn input_is_capped_before_the_plugin_runs_and_fuel_is_metered_and_limited() {
    let tight = hostile(Limits {
        input_bytes: 64,
        ..renderer_limits()
    });
    assert!(matches!(
        tight
            .render("test", &config(&[("mode", "ok")]), &invitation())
            .result,
        Err(Failure::InputTooLarge { limit: 64, .. })
    ));

    let metered = hostile(renderer_limits());
    let work = |rounds: &str| {
        metered.render(
            "test",
            &config(&[("mode", "work"), ("size", rounds)]),
            &invitation(),
        )
    };
    let small = work("1000");
    let large = work("100000");
    assert!(small.result.is_ok() && large.result.is_ok());
    assert!(
        large.fuel_used > small.fuel_used * 10,
        "{} vs {}",
        large.fuel_used,
        small.fuel_used
    );

    let limited = hostile(Limits {
        fuel: Some(small.fuel_used * 2),
        ..renderer_limits()
    });
    assert_eq!(
        limited
            .render(
                "test",
                &config(&[("mode", "work"), ("size", "100000")]),
                &invitation()
            )
            .result,
        Err(Failure::Fuel)
    );
}

#[test]
fn a_policy_allows_denies_or_asks_for_approval() {
    let plugin = runtime()
        .load(
            &component("domain_policy"),
            Limits::for_world(World::InvitationPolicy),
        )
        .unwrap();
    assert_eq!(plugin.world(), World::InvitationPolicy);
    let settings = config(&[
        ("allowed_domains", "acme.example, Partner.example"),
        ("approval_levels", "full_including_users"),
    ]);
    let ask = |email: &str, level: Option<&str>| {
        let proposed = policy::ProposedInvitation {
            partner_id: "p".to_owned(),
            inviter_id: "a".to_owned(),
            inviter_role: "admin".to_owned(),
            invitee_email: email.to_owned(),
            site_id: level.map(|_| "s".to_owned()),
            level: level.map(str::to_owned),
            role: None,
            now: "2026-11-22T10:00:00Z".to_owned(),
            batch_size: 1,
        };
        plugin
            .evaluate("test", &settings, &proposed)
            .result
            .unwrap()
    };
    assert_eq!(
        ask("t@acme.example", Some("devices_only")),
        policy::Decision::Allow
    );
    assert_eq!(ask("t@PARTNER.example", None), policy::Decision::Allow);
    assert!(
        matches!(ask("t@elsewhere.example", None), policy::Decision::Deny(r) if r.contains("acme.example"))
    );
    assert!(matches!(
        ask("t@acme.example", Some("full_including_users")),
        policy::Decision::RequireApproval(_)
    ));
    // A plugin of one world cannot be called as another.
    assert!(matches!(
        plugin.render("test", &Vec::new(), &invitation()).result,
        Err(Failure::Trap(_))
    ));
}

#[test]
fn a_restart_loads_the_precompiled_artifact_and_a_damaged_one_is_compiled_again() {
    let folder = tempfile::tempdir().unwrap();
    let with_artifacts = || {
        Runtime::new(RuntimeConfig {
            concurrency: 2,
            artifacts: Some(folder.path().to_owned()),
            ..RuntimeConfig::default()
        })
        .unwrap()
    };
    let bytes = component("hello_renderer");
    let first = with_artifacts().load(&bytes, renderer_limits()).unwrap();
    assert!(!first.from_artifact());
    let again = with_artifacts().load(&bytes, renderer_limits()).unwrap();
    assert!(again.from_artifact());
    assert!(
        again
            .render("test", &Vec::new(), &invitation())
            .result
            .is_ok()
    );
    assert_eq!(first.content_hash(), again.content_hash());

    for entry in std::fs::read_dir(folder.path()).unwrap() {
        std::fs::write(entry.unwrap().path(), b"not an artifact").unwrap();
    }
    let recompiled = with_artifacts().load(&bytes, renderer_limits()).unwrap();
    assert!(!recompiled.from_artifact());
    assert!(
        recompiled
            .render("test", &Vec::new(), &invitation())
            .result
            .is_ok()
    );
}

/// WIT 0.1.0 is frozen and loaded beside 0.2.0: the 0.1.0 renderer (hello-renderer) still
/// gets the real link; the 0.2.0 renderer (invitation-email) writes the stand-in and never
/// sees the credential, and its email carries the real link once the host put it back; a
/// site-admin invitation, which 0.1.0 cannot express, is not given to the 0.1.0 renderer.
#[test]
fn plugins_of_wit_0_1_and_0_2_run_side_by_side_and_only_0_1_sees_the_link() {
    use siteward_plugins::worlds::ACCEPT_LINK_STAND_IN;
    let runtime = runtime();
    let old = runtime
        .load(&component("hello_renderer"), renderer_limits())
        .unwrap();
    let new = runtime
        .load(&component("invitation_email"), renderer_limits())
        .unwrap();
    assert_eq!(
        (old.version().to_string(), new.version().to_string()),
        ("0.1.0".to_owned(), "0.2.0".to_owned())
    );
    let link = invitation().accept_link;
    let from_old = old
        .render("test", &Vec::new(), &invitation())
        .result
        .unwrap();
    let from_new = new
        .render("test", &Vec::new(), &invitation())
        .result
        .unwrap();
    for email in [&from_old, &from_new] {
        assert!(email.text.contains(&link), "{}", email.text);
        assert!(!email.text.contains(ACCEPT_LINK_STAND_IN), "{}", email.text);
    }
    assert!(from_new.html.contains(&link), "{}", from_new.html);

    // A 0.2.0 renderer that leaves the link out of its text part is refused: the invitee
    // could not accept.
    let hostile = runtime
        .load(&component("test_hostile"), renderer_limits())
        .unwrap();
    let outcome = hostile.render("test", &config(&[("mode", "no-link")]), &invitation());
    assert!(
        matches!(outcome.result, Err(Failure::InvalidOutput(ref why)) if why.contains("accept link")),
        "{:?}",
        outcome.result
    );

    let site_admin = renderer::InvitationContext {
        kind: renderer::InvitationKind::SiteAdmin,
        level: None,
        ..invitation()
    };
    let refused = old.render("test", &Vec::new(), &site_admin);
    assert!(
        matches!(refused.result, Err(Failure::Unsupported(_))),
        "{:?}",
        refused.result
    );
    assert!(!refused.result.unwrap_err().is_the_plugins());
    let rendered = new.render("test", &Vec::new(), &site_admin).result.unwrap();
    assert!(
        rendered
            .subject
            .contains("invites you to administer the site Head office"),
        "{}",
        rendered.subject
    );
}

#[test]
fn installs_refuse_unknown_versions_foreign_imports_non_components_and_limits_above_the_ceiling() {
    let runtime = runtime();
    // The same component, as if built against siteward:plugin@9.1.0.
    let mut bytes = component("hello_renderer");
    let (from, to) = (b"siteward:plugin/", b"@0.1.0");
    let mut at = 0;
    let mut renamed = 0;
    while let Some(offset) = bytes[at..].windows(from.len()).position(|w| w == from) {
        let start = at + offset;
        let end = (start..bytes.len() - to.len())
            .find(|&i| bytes[i..i + to.len()] == *to)
            .unwrap();
        bytes[end + 1] = b'9';
        renamed += 1;
        at = end;
    }
    assert!(renamed > 0);
    match runtime.load(&bytes, renderer_limits()) {
        Err(InstallError::UnsupportedVersion { found, supported }) => {
            assert_eq!(
                (found.as_str(), supported.as_str()),
                ("9.1.0", "0.1.0, 0.2.0")
            );
        }
        other => panic!("expected an unsupported version, got {other:?}"),
    }

    // The same component importing an interface outside WASI, which no host offers: refused
    // at install rather than trapping later.
    let mut foreign = component("hello_renderer");
    let (wasi, acme) = (b"wasi:cli/environment", b"acme:cli/environment");
    let mut renamed = 0;
    while let Some(start) = foreign.windows(wasi.len()).position(|w| w == wasi) {
        foreign[start..start + acme.len()].copy_from_slice(acme);
        renamed += 1;
    }
    assert!(renamed > 0);
    match runtime.load(&foreign, renderer_limits()) {
        Err(InstallError::UnknownImport { name }) => {
            assert!(name.starts_with("acme:cli/environment@0.2."), "{name}");
        }
        other => panic!("expected an unknown import, got {other:?}"),
    }
    // What it does import is shown, with what the host answers.
    let loaded = runtime
        .load(&component("hello_renderer"), renderer_limits())
        .unwrap();
    let imports = loaded.imports();
    assert!(
        imports
            .iter()
            .any(|i| i.name.starts_with("wasi:cli/environment@0.2.") && i.answered),
        "{imports:?}"
    );
    assert!(
        imports
            .iter()
            .all(|i| i.name.starts_with("wasi:") || i.name.starts_with("siteward:plugin/"))
    );

    let core_module = b"\0asm\x01\0\0\0";
    assert!(matches!(
        runtime.load(core_module, renderer_limits()),
        Err(InstallError::Invalid(_))
    ));

    let greedy = Limits {
        memory_bytes: Limits::ceiling().memory_bytes + 1,
        ..renderer_limits()
    };
    match runtime.load(&component("hello_renderer"), greedy) {
        Err(InstallError::Limits(error)) => assert_eq!(error.limit, "memory_bytes"),
        other => panic!("expected a limit error, got {other:?}"),
    }
}

#[test]
fn calls_run_side_by_side_on_one_engine() {
    let plugin = std::sync::Arc::new(
        runtime()
            .load(&component("hello_renderer"), renderer_limits())
            .unwrap(),
    );
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let plugin = plugin.clone();
            std::thread::spawn(move || {
                (0..50)
                    .filter(|_| {
                        plugin
                            .render("test", &Vec::new(), &invitation())
                            .result
                            .is_ok()
                    })
                    .count()
            })
        })
        .collect();
    let rendered: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(rendered, 200);
}

#[test]
fn a_tenant_whose_plugin_spins_cannot_starve_another_tenants_calls() {
    // Four slots, two per tenant: the hostile tenant's six threads spin to their deadline
    // on every call, and the other tenant's calls still find room, at once.
    let runtime = Runtime::new(RuntimeConfig {
        concurrency: 4,
        per_tenant: Some(2),
        ..RuntimeConfig::default()
    })
    .unwrap();
    let spinner = std::sync::Arc::new(
        runtime
            .load(
                &component("test_hostile"),
                Limits {
                    deadline: Duration::from_millis(200),
                    ..renderer_limits()
                },
            )
            .unwrap(),
    );
    let fine = runtime
        .load(&component("hello_renderer"), renderer_limits())
        .unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let hostile: Vec<_> = (0..6)
        .map(|_| {
            let (spinner, stop) = (spinner.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let spin = config(&[("mode", "spin"), ("size", "0")]);
                    failures.push(
                        spinner
                            .render("hostile", &spin, &invitation())
                            .result
                            .unwrap_err(),
                    );
                }
                failures
            })
        })
        .collect();
    let started = std::time::Instant::now();
    std::thread::sleep(Duration::from_millis(50));
    let rendered = (0..40)
        .filter(|_| {
            fine.render("fine", &Vec::new(), &invitation())
                .result
                .is_ok()
        })
        .count();
    // A second of six threads that each wait at most a deadline, for two slots each held a
    // deadline: most of their calls cannot get one.
    std::thread::sleep(Duration::from_secs(1).saturating_sub(started.elapsed()));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let failures: Vec<Failure> = hostile
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert_eq!(rendered, 40, "every call of the other tenant ran");
    // The hostile tenant never held more than its two slots: its other threads waited, and
    // were turned away when no slot of its share came within their deadline.
    assert!(failures.contains(&Failure::Deadline));
    assert!(
        failures
            .iter()
            .all(|f| matches!(f, Failure::Deadline | Failure::Busy { .. })),
        "{failures:?}"
    );
    assert!(
        failures.iter().any(|f| !f.is_the_plugins()),
        "some waited in vain: {failures:?}"
    );
}

fn plugin_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../plugins")
        .join(name)
}

#[test]
fn case_checks_write_new_snapshots_for_review_and_catch_changes() {
    use siteward_plugins::cases::{check_cases, snapshot_content};
    use siteward_plugins::testing;
    let dir = plugin_dir("domain-policy");
    let (plugin, manifest) = testing::load(
        &components().join("domain_policy.wasm"),
        Some(&dir.join("siteward-plugin.toml")),
    );
    let work = tempfile::tempdir().unwrap();
    let cases = work.path().join("cases");
    let snaps = work.path().join("snapshots");
    std::fs::create_dir_all(&cases).unwrap();
    std::fs::copy(
        dir.join("cases/other_domain_is_denied.json"),
        cases.join("denied.json"),
    )
    .unwrap();
    std::fs::write(cases.join("broken.json"), r#"{"input": {"nothing": 1}}"#).unwrap();

    let first = check_cases(&plugin, manifest.as_ref(), &cases, &snaps, false).unwrap();
    assert_eq!(first.new, ["denied"]);
    assert_eq!(first.broken.len(), 1, "{first:?}");
    assert!(
        first.broken[0].1.contains("proposed-invitation"),
        "{first:?}"
    );
    let pending = std::fs::read_to_string(snaps.join("denied.snap.new")).unwrap();
    assert!(
        snapshot_content(&pending).unwrap().contains("\"Deny\""),
        "{pending}"
    );
    assert!(!snaps.join("denied.snap").exists());

    std::fs::remove_file(cases.join("broken.json")).unwrap();
    let accepted = check_cases(&plugin, manifest.as_ref(), &cases, &snaps, true).unwrap();
    assert!(accepted.ok() || accepted.new == ["denied"]);
    assert!(!snaps.join("denied.snap.new").exists());
    let again = check_cases(&plugin, manifest.as_ref(), &cases, &snaps, false).unwrap();
    assert!(again.ok(), "{again:?}");
    assert_eq!(again.passed, ["denied"]);

    // The configuration now allows the domain: the outcome changed, and the check says so.
    let case = std::fs::read_to_string(cases.join("denied.json"))
        .unwrap()
        .replace("acme.example, ", "elsewhere.example, ");
    std::fs::write(cases.join("denied.json"), case).unwrap();
    let changed = check_cases(&plugin, manifest.as_ref(), &cases, &snaps, false).unwrap();
    assert_eq!(changed.changed, ["denied"]);
    assert!(!changed.ok());
}

/// `componentize-py`, installed into the cargo target folder on first use.
fn componentize_py() -> PathBuf {
    let venv = components().join("../../componentize-py");
    let tool = venv.join("bin/componentize-py");
    if !tool.exists() {
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let made = Command::new(&python)
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 runs");
        assert!(made.success(), "python3 -m venv failed");
        let installed = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "componentize-py==0.25.1"])
            .status()
            .expect("pip runs");
        assert!(
            installed.success(),
            "installing componentize-py from PyPI failed"
        );
    }
    tool
}

#[test]
fn a_python_plugin_built_with_componentize_py_runs_under_the_same_runtime_and_cases() {
    use siteward_plugins::testing;
    let dir = plugin_dir("python-policy");
    let out = components().join("../../python_policy.wasm");
    let built = Command::new(componentize_py())
        .args([
            "-d",
            "../../wit/siteward-plugin@0.1.0",
            "-w",
            "invitation-policy",
            "componentize",
            "app",
            "-o",
        ])
        .arg(&out)
        .current_dir(&dir)
        .status()
        .expect("componentize-py runs");
    assert!(built.success(), "componentize-py failed");
    let (plugin, manifest) = testing::load(&out, Some(&dir.join("siteward-plugin.toml")));
    assert_eq!(plugin.world(), World::InvitationPolicy);
    let snapshots =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../snapshots/plugins/python-policy");
    testing::assert_cases(&plugin, manifest.as_ref(), &dir.join("cases"), &snapshots);
}

/// componentize-js, installed into the cargo target folder on first use with the version
/// `plugins/js-renderer/package.json` pins.
fn componentize_js() -> PathBuf {
    let prefix = components().join("../../componentize-js");
    if !prefix
        .join("node_modules/@bytecodealliance/componentize-js")
        .exists()
    {
        std::fs::create_dir_all(&prefix).unwrap();
        std::fs::copy(
            plugin_dir("js-renderer").join("package.json"),
            prefix.join("package.json"),
        )
        .unwrap();
        let npm = std::env::var("NPM").unwrap_or_else(|_| "npm".to_owned());
        let installed = Command::new(npm)
            .args(["install", "--silent", "--no-audit", "--no-fund"])
            .current_dir(&prefix)
            .status()
            .expect("npm runs");
        assert!(
            installed.success(),
            "installing componentize-js from npm failed"
        );
    }
    prefix
}

#[test]
fn a_javascript_plugin_built_with_componentize_js_runs_under_the_same_runtime_and_cases() {
    use siteward_plugins::testing;
    let dir = plugin_dir("js-renderer");
    let tool = componentize_js();
    let out = components().join("../../js_renderer.wasm");
    // The build script is run from where componentize-js is installed, so it finds it.
    std::fs::copy(dir.join("build.mjs"), tool.join("build.mjs")).unwrap();
    let built = Command::new(std::env::var("NODE").unwrap_or_else(|_| "node".to_owned()))
        .arg(tool.join("build.mjs"))
        .arg(dir.join("renderer.js"))
        .arg(dir.join("../../wit/siteward-plugin@0.2.0"))
        .arg(&out)
        .status()
        .expect("node runs");
    assert!(built.success(), "componentize-js failed");
    let (plugin, manifest) = testing::load(&out, Some(&dir.join("siteward-plugin.toml")));
    assert_eq!(plugin.world(), World::InvitationRenderer);
    let snapshots =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../snapshots/plugins/js-renderer");
    testing::assert_cases(&plugin, manifest.as_ref(), &dir.join("cases"), &snapshots);
}

/// Released WIT versions, each with the SHA-256 of its files in name order. A released
/// version never changes: plugins built against it must keep loading exactly as they did.
/// A change is a new version in a folder of its own beside the old ones.
const RELEASED_WIT: &[(&str, &str)] = &[
    (
        "siteward-plugin@0.1.0",
        "4c8eddd9ab23c4c154ccdc3e5f4881a6196b7365e58c0dfe71c3f84ec0e8f539",
    ),
    (
        "siteward-plugin@0.2.0",
        "188f42c6b1ce0c0bf933b1088067303ea9cbb45db9d1645947a0fa06aea36f45",
    ),
];

#[test]
fn released_wit_versions_do_not_change() {
    use sha2::{Digest, Sha256};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit");
    for (version, pinned) in RELEASED_WIT {
        let dir = root.join(version);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .collect();
        files.sort();
        let mut hash = Sha256::new();
        for file in &files {
            hash.update(file.file_name().unwrap().as_encoded_bytes());
            hash.update([0]);
            hash.update(std::fs::read(file).unwrap());
            hash.update([0]);
        }
        let actual = data_encoding::HEXLOWER.encode(&hash.finalize());
        assert_eq!(
            &actual, pinned,
            "the released WIT {version} changed; put the change in a new version's folder"
        );
    }
}
