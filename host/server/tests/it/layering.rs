//! The layering ARCHITECTURE.md promises, checked on the source: the HTTP handlers that have
//! moved onto the application layer reach storage, the permission index and authorization only
//! through it, and the application layer knows no HTTP.

use std::path::Path;

/// Handler modules whose use cases live in `siteward-app`; each module moves here as its use
/// cases move (the rest of `api/` still calls storage itself, see the notes of #18).
const ON_THE_APP_LAYER: &[&str] = &[
    "access.rs",
    "audit.rs",
    "check.rs",
    "idempotency.rs",
    "invitations.rs",
    "licences.rs",
    "partners.rs",
    "people.rs",
    "plugins.rs",
    "session.rs",
    "sites.rs",
    "technicians.rs",
    "tokens.rs",
    "webhooks.rs",
];

/// What only the application layer may touch.
const APP_ONLY: &[&str] = &[
    "state.store",
    ".store.",
    "siteward_storage",
    "permissions.commit",
    "authorize(",
    "AuditContext",
];

/// Crates that would let the application layer speak HTTP, JSON framing or OpenAPI.
const HTTP_CRATES: &[&str] = &[
    "axum",
    "http",
    "hyper",
    "tower",
    "tower-http",
    "utoipa",
    "utoipa-axum",
    "reqwest",
    "lettre",
];

#[test]
fn moved_handlers_call_the_application_layer_only() {
    let api = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    for module in ON_THE_APP_LAYER {
        let source = std::fs::read_to_string(api.join(module)).unwrap();
        for (n, line) in source.lines().enumerate() {
            for needle in APP_ONLY {
                assert!(
                    !line.contains(needle),
                    "api/{module}:{}: `{needle}` belongs to the application layer: {line}",
                    n + 1
                );
            }
        }
    }
}

#[test]
fn the_application_layer_depends_on_no_http_crate() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/Cargo.toml"))
            .unwrap();
    let manifest: toml::Table = manifest.parse().unwrap();
    for section in ["dependencies", "dev-dependencies", "build-dependencies"] {
        let Some(deps) = manifest.get(section).and_then(toml::Value::as_table) else {
            continue;
        };
        for name in deps.keys() {
            assert!(
                !HTTP_CRATES.contains(&name.as_str()),
                "siteward-app depends on {name} ({section}); the application layer knows no HTTP"
            );
        }
    }
    assert!(
        manifest["dependencies"]
            .as_table()
            .unwrap()
            .contains_key("siteward-storage"),
        "the check reads the right manifest"
    );
}
