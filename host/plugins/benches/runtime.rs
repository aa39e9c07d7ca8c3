//! Benchmark: the plugin runtime with a real component (`plugins/hello-renderer`).
//!
//! Reports, over repeated rounds (min / median / max):
//! - compile: Cranelift compiling the component (what install does once);
//! - artifact load: loading the precompiled artifact a restart finds (what every start does);
//! - cycle: one render as the host makes it — fresh store and instance from the `InstancePre`,
//!   the call, drop — p50 and p99;
//! - warm: a render on an instance kept alive (what a cycle costs beyond instantiation);
//! - native: the host's built-in renderer on the same invitation, for scale.
//!
//! Run with `cargo bench -p siteward-plugins --bench runtime`. Not a test: it asserts nothing
//! about speed.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use siteward_core::mail::{BuiltinRenderer, InvitationContext, InvitationRenderer};
use siteward_plugins::worlds::renderer;
use siteward_plugins::{Limits, Runtime, RuntimeConfig, World};
use wasmtime::component::{Component, Linker};

const CALLS: usize = 20_000;
const ROUNDS: usize = 5;

fn invitation() -> renderer::InvitationContext {
    renderer::InvitationContext {
        kind: renderer::InvitationKind::Site,
        invitee_email: "tech@example.com".to_owned(),
        inviter_name: "Ada".to_owned(),
        branding: renderer::Branding {
            display_name: "Acme Installers".to_owned(),
            logo_url: None,
            accent_colour: None,
            support_contact: None,
        },
        site_name: Some("Head office".to_owned()),
        level: Some("devices_only".to_owned()),
        role: None,
        accept_link: "https://siteward.example/v1/invitations/accept?token=abc".to_owned(),
        expires_at: "2026-11-29T10:00:00Z".to_owned(),
        locale: "en".to_owned(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let last = sorted.len() - 1;
    // Rounded to the nearest rank; the sample sizes here make the rounding immaterial.
    let index = (last as f64 * p).round() as usize;
    sorted[index.min(last)]
}

/// Times `f` `n` times, one by one; returns (p50, p99).
fn sample(n: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        f();
        times.push(started.elapsed());
    }
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99))
}

fn spread(values: &mut [Duration]) -> String {
    values.sort();
    let show = |d: Duration| {
        if d >= Duration::from_millis(1) {
            format!("{:.2} ms", d.as_secs_f64() * 1e3)
        } else {
            format!("{:.2} µs", d.as_secs_f64() * 1e6)
        }
    };
    format!(
        "{} / {} / {}",
        show(values[0]),
        show(values[values.len() / 2]),
        show(values[values.len() - 1])
    )
}

fn main() {
    let plugins = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins");
    let bytes =
        std::fs::read(siteward_plugins::testing::build(&plugins, "hello-renderer")).unwrap();
    let limits = Limits::for_world(World::InvitationRenderer);
    let artifacts = tempfile::tempdir().unwrap();
    let config = || RuntimeConfig {
        concurrency: 4,
        artifacts: Some(artifacts.path().to_owned()),
        ..RuntimeConfig::default()
    };
    let runtime = Runtime::new(config()).unwrap();
    let plugin = runtime.load(&bytes, limits).unwrap();
    let context = invitation();
    let native_context = InvitationContext {
        invitee_email: context.invitee_email.clone(),
        inviter_name: context.inviter_name.clone(),
        partner_name: context.branding.display_name.clone(),
        site_name: context.site_name.clone(),
        role: None,
        level: context.level.clone(),
        accept_link: context.accept_link.clone(),
        expires_at: chrono::Utc::now(),
        locale: "en".to_owned(),
    };
    let settings: Vec<(String, String)> = Vec::new();

    let mut compile = Vec::new();
    let mut artifact = Vec::new();
    let mut cycle50 = Vec::new();
    let mut cycle99 = Vec::new();
    let mut warm50 = Vec::new();
    let mut native50 = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        black_box(Component::new(runtime.engine(), &bytes).unwrap());
        compile.push(started.elapsed());

        // A restart: a new engine with the same settings finds the artifact.
        let restarted = Runtime::new(config()).unwrap();
        let started = Instant::now();
        let loaded = restarted.load(&bytes, limits).unwrap();
        artifact.push(started.elapsed());
        assert!(loaded.from_artifact());

        let (p50, p99) = sample(CALLS, || {
            black_box(plugin.render(&settings, &context).result.unwrap());
        });
        cycle50.push(p50);
        cycle99.push(p99);

        // Warm: one instance, many calls, on the same engine (fuel and epochs metered).
        let component = Component::new(runtime.engine(), &bytes).unwrap();
        let mut linker: Linker<()> = Linker::new(runtime.engine());
        linker.define_unknown_imports_as_traps(&component).unwrap();
        let mut store = wasmtime::Store::new(runtime.engine(), ());
        store.set_epoch_deadline(u64::MAX / 2);
        store.set_fuel(u64::MAX).unwrap();
        let instance =
            renderer::InvitationRenderer::instantiate(&mut store, &component, &linker).unwrap();
        let (p50, _) = sample(CALLS, || {
            let email = instance
                .siteward_plugin_renderer()
                .call_render(&mut store, &settings, &context)
                .unwrap();
            black_box(email.unwrap());
        });
        warm50.push(p50);

        let (p50, _) = sample(CALLS, || {
            black_box(BuiltinRenderer.render(&native_context).unwrap());
        });
        native50.push(p50);
    }

    println!(
        "plugin runtime: hello-renderer ({} KB), {ROUNDS} rounds of {CALLS} calls; min / median / max",
        bytes.len() / 1024
    );
    println!("  compile (install)             {}", spread(&mut compile));
    println!("  artifact load (restart)       {}", spread(&mut artifact));
    println!("  cycle p50 (instantiate+call)  {}", spread(&mut cycle50));
    println!("  cycle p99                     {}", spread(&mut cycle99));
    println!("  warm call p50                 {}", spread(&mut warm50));
    println!("  native built-in render p50    {}", spread(&mut native50));
}
