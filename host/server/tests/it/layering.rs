//! The layering ARCHITECTURE.md promises, checked on the source: the HTTP handlers reach
//! storage, the permission index and authorization only through the application layer, and
//! the application layer knows no HTTP.

use std::path::Path;

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
fn frontends_call_the_application_layer_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules: Vec<_> = ["api", "ui"]
        .iter()
        .flat_map(|folder| std::fs::read_dir(src.join(folder)).unwrap())
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .collect();
    modules.sort();
    assert!(modules.len() >= 18, "every module of api/ and ui/ is read");
    for path in modules {
        let module = path.strip_prefix(&src).unwrap().display();
        let source = std::fs::read_to_string(&path).unwrap();
        for (n, line) in source.lines().enumerate() {
            for needle in APP_ONLY {
                assert!(
                    !line.contains(needle),
                    "{module}:{}: `{needle}` belongs to the application layer: {line}",
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
