//! Plugins through the real router with real components: the lifecycle API, renderers with
//! the built-in fallback, failures audited and quarantined per partner, policies, and the
//! `siteward plugin` command line.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Partner, TestApp};

pub(crate) fn plugins_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins")
}

/// The workspace's plugins, built once for `wasm32-wasip2`.
pub(crate) fn component(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let dir = BUILT.get_or_init(|| {
        let any = siteward_plugins::testing::build(&plugins_dir(), "hello-renderer");
        any.parent().unwrap().to_owned()
    });
    dir.join(format!("{}.wasm", name.replace('-', "_")))
}

pub(crate) fn manifest(name: &str) -> Value {
    let text =
        std::fs::read_to_string(plugins_dir().join(name).join("siteward-plugin.toml")).unwrap();
    let manifest: toml::Value = toml::from_str(&text).unwrap();
    serde_json::to_value(manifest).unwrap()
}

fn install_body(name: &str, manifest: Value) -> Value {
    let bytes = std::fs::read(component(name)).unwrap();
    json!({ "manifest": manifest, "component": data_encoding::BASE64.encode(&bytes) })
}

impl TestApp {
    pub(crate) async fn put(&self, path: &str, token: &str, body: Value) -> super::Reply {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub(crate) async fn install(
        &self,
        operator: &str,
        name: &str,
        manifest: Value,
    ) -> super::Reply {
        self.post("/v1/plugins", operator, install_body(name, manifest))
            .await
    }

    /// The subjects of a partner's outgoing emails, oldest first.
    pub(crate) async fn subjects(&self, partner: &Partner) -> Vec<String> {
        let reply = self
            .get(
                &format!("/v1/partners/{}/outbox?limit=200", partner.id),
                &partner.owner_token,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let mut items: Vec<(String, String)> = reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["id"].as_str().unwrap().to_owned(),
                    m["subject"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        items.sort();
        items.into_iter().map(|(_, s)| s).collect()
    }

    /// Audit actions of the platform log, with this prefix, oldest first.
    pub(crate) async fn actions(&self, operator: &str, prefix: &str) -> Vec<Value> {
        let reply = self.get("/v1/audit-events?limit=200", operator).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let mut events: Vec<Value> = reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"].as_str().unwrap().starts_with(prefix))
            .cloned()
            .collect();
        events.sort_by_key(|e| e["id"].as_str().unwrap().to_owned());
        events
    }

    /// Switches `test-hostile` on for `partner`, misbehaving as `mode` says.
    pub(crate) async fn bind_hostile(&self, operator: &str, partner: &Partner, mode: &str) {
        let reply = self
            .put(
                &format!("/v1/partners/{}/plugins/test-hostile", partner.id),
                operator,
                json!({ "enabled": true, "config": { "mode": mode } }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }

    pub(crate) async fn invite(&self, partner: &Partner, emails: &[&str]) -> super::Reply {
        self.post(
            &format!("/v1/partners/{}/invitations", partner.id),
            &partner.owner_token,
            json!({ "emails": emails, "role": "technician" }),
        )
        .await
    }
}

#[tokio::test]
async fn the_operator_installs_enables_overrides_upgrades_and_removes_a_renderer() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let site = app.site(&acme, "admin@acme-site.example").await;

    // Only the operator manages plugins.
    let refused = app
        .install(
            &acme.owner_token,
            "hello-renderer",
            manifest("hello-renderer"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    let installed = app
        .install(&operator, "hello-renderer", manifest("hello-renderer"))
        .await;
    assert_eq!(installed.status, StatusCode::CREATED, "{}", installed.body);
    assert_eq!(installed.body["world"], "invitation-renderer");
    assert_eq!(installed.body["limits"]["deadline_ms"], 100);
    assert_eq!(installed.body["bindings"], json!([]));

    // Installed is not on: the built-in renderer still writes the email.
    app.invite(&acme, &["one@acme.example"]).await;
    // On for the partner: the plugin renders.
    let on = app
        .put(
            &format!("/v1/partners/{}/plugins/hello-renderer", acme.id),
            &operator,
            json!({ "enabled": true }),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    assert_eq!(
        (on.body["enabled"].as_bool(), on.body["source"].as_str()),
        (Some(true), Some("partner"))
    );
    app.invite(&acme, &["two@acme.example"]).await;
    assert_eq!(
        app.subjects(&acme).await,
        [
            "Owner invites you to join acme Installers",
            "Owner invites you to acme Installers"
        ]
    );

    // A site can be switched off on its own; its partner keeps the plugin.
    let off = app
        .put(
            &format!("/v1/sites/{site}/plugins/hello-renderer"),
            &operator,
            json!({ "enabled": false }),
        )
        .await;
    assert_eq!(
        (off.body["enabled"].as_bool(), off.body["source"].as_str()),
        (Some(false), Some("site")),
        "{}",
        off.body
    );
    let configured_site = app
        .put(
            &format!("/v1/sites/{site}/plugins/hello-renderer"),
            &operator,
            json!({ "enabled": true, "config": {} }),
        )
        .await;
    assert_eq!(
        configured_site.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        configured_site.body
    );
    let view = app
        .get(
            &format!("/v1/partners/{}/plugins", acme.id),
            &acme.owner_token,
        )
        .await;
    assert_eq!(view.body[0]["enabled"], true, "{}", view.body);

    // The same version again is not an upgrade; a higher one is, and keeps the bindings.
    let again = app
        .install(&operator, "hello-renderer", manifest("hello-renderer"))
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "plugin_version_not_newer")
    );
    let mut newer = manifest("hello-renderer");
    newer["version"] = json!("0.2.0");
    let upgraded = app.install(&operator, "hello-renderer", newer).await;
    assert_eq!(upgraded.status, StatusCode::OK, "{}", upgraded.body);
    assert_eq!(upgraded.body["version"], "0.2.0");
    assert_eq!(
        upgraded.body["bindings"].as_array().unwrap().len(),
        2,
        "{}",
        upgraded.body
    );
    // Calls were counted on this host.
    assert_eq!(upgraded.body["metrics"]["calls"], 1, "{}", upgraded.body);
    // What it imports is listed, with what the host answers (the rest trap when called).
    let imports = upgraded.body["imports"].as_array().unwrap();
    assert!(!imports.is_empty(), "{}", upgraded.body);
    for import in imports {
        let name = import["name"].as_str().unwrap();
        let answered = [
            "siteward:plugin/",
            "wasi:cli/environment@",
            "wasi:random/random@",
            "wasi:random/insecure-seed@",
            "wasi:cli/stderr@",
            "wasi:cli/stdout@",
            "wasi:io/poll@",
        ]
        .iter()
        .any(|prefix| name.starts_with(prefix));
        assert!(
            name.starts_with("wasi:") || name.starts_with("siteward:plugin/"),
            "{name}"
        );
        assert_eq!(import["answered"], answered, "{name}");
    }

    let removed = app
        .call(
            Method::DELETE,
            "/v1/plugins/hello-renderer",
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    app.invite(&acme, &["three@acme.example"]).await;
    assert_eq!(
        app.subjects(&acme).await[2],
        "Owner invites you to join acme Installers"
    );
    assert_eq!(
        app.get("/v1/plugins/hello-renderer", &operator)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let trail: Vec<String> = app
        .actions(&operator, "plugin.")
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        trail,
        [
            "plugin.installed",
            "plugin.binding_changed",
            "plugin.binding_changed",
            "plugin.upgraded",
            "plugin.removed"
        ]
    );
}

#[tokio::test]
async fn installs_refuse_what_does_not_fit_with_a_reason() {
    let app = TestApp::new().await;
    let operator = app.operator().await;

    let mut wrong_world = manifest("hello-renderer");
    wrong_world["world"] = json!("invitation-policy");
    let reply = app.install(&operator, "hello-renderer", wrong_world).await;
    assert_eq!(
        (reply.status, reply.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("world")),
        "{}",
        reply.body
    );
    assert!(reply.message().contains("implements invitation-renderer"));

    let not_wasm = json!({ "manifest": manifest("hello-renderer"), "component": data_encoding::BASE64.encode(b"\0asm nonsense") });
    let reply = app.post("/v1/plugins", &operator, not_wasm).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_component"),
        "{}",
        reply.body
    );

    let mut bad_limits = manifest("hello-renderer");
    bad_limits["limits"] = json!({ "deadline_ms": 60_000 });
    let reply = app.install(&operator, "hello-renderer", bad_limits).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_component"),
        "{}",
        reply.body
    );
    assert!(reply.message().contains("ceiling"), "{}", reply.body);

    // Settings are checked against the manifest.
    assert_eq!(
        app.install(&operator, "domain-policy", manifest("domain-policy"))
            .await
            .status,
        StatusCode::CREATED
    );
    let reply = app
        .put(
            "/v1/plugins/domain-policy/default",
            &operator,
            json!({ "enabled": true, "config": { "colour": "red" } }),
        )
        .await;
    assert_eq!(
        reply.body["error"]["field"], "config.colour",
        "{}",
        reply.body
    );
    assert!(app.actions(&operator, "plugin.binding").await.is_empty());
}

#[tokio::test]
async fn consecutive_failures_are_counted_the_same_in_a_bulk_as_one_by_one() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    assert_eq!(
        app.install(&operator, "test-hostile", manifest("test-hostile"))
            .await
            .status,
        StatusCode::CREATED
    );
    // "picky" fails for an address that starts with "panic".
    app.bind_hostile(&operator, &acme, "picky").await;
    let count = async |action: &str| {
        app.get(
            &format!(
                "/v1/partners/{}/audit-events?limit=200&action={action}",
                acme.id
            ),
            &acme.owner_token,
        )
        .await
        .body["items"]
            .as_array()
            .unwrap()
            .len()
    };

    // One call in three fails, through a bulk of thirty: never five in a row, never quarantined.
    let one_in_three: Vec<String> = (0..30)
        .map(|n| match n % 3 {
            2 => format!("panic{n}@acme.example"),
            _ => format!("fine{n}@acme.example"),
        })
        .collect();
    let emails: Vec<&str> = one_in_three.iter().map(String::as_str).collect();
    let reply = app.invite(&acme, &emails).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(count("plugin.call_failed").await, 10);
    assert_eq!(count("plugin.quarantined").await, 0);
    // The same one by one.
    for n in 30..36 {
        let email = if n % 3 == 2 {
            format!("panic{n}@acme.example")
        } else {
            format!("fine{n}@acme.example")
        };
        assert_eq!(app.invite(&acme, &[&email]).await.status, StatusCode::OK);
    }
    assert_eq!(count("plugin.call_failed").await, 12);
    assert_eq!(count("plugin.quarantined").await, 0);

    // Five in a row, in one bulk, quarantine it; the rest of the bulk is the built-in's.
    let in_a_row: Vec<String> = (0..8)
        .map(|n| format!("panic-row{n}@acme.example"))
        .collect();
    let emails: Vec<&str> = in_a_row.iter().map(String::as_str).collect();
    let reply = app.invite(&acme, &emails).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        count("plugin.call_failed").await,
        17,
        "five more, then no more calls"
    );
    assert_eq!(count("plugin.quarantined").await, 1);
}

#[tokio::test]
async fn a_failing_renderer_never_loses_an_email_and_is_quarantined_for_its_partner_alone() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let bravo = app.partner(&operator, "bravo").await;
    assert_eq!(
        app.install(&operator, "test-hostile", manifest("test-hostile"))
            .await
            .status,
        StatusCode::CREATED
    );
    app.bind_hostile(&operator, &acme, "trap").await;
    app.bind_hostile(&operator, &bravo, "ok").await;

    let emails: Vec<String> = (0..8).map(|n| format!("t{n}@acme.example")).collect();
    let emails: Vec<&str> = emails.iter().map(String::as_str).collect();
    let reply = app.invite(&acme, &emails).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(
        reply.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["outcome"] == "invited")
    );
    // Every invitation has its email, from the built-in renderer.
    let subjects = app.subjects(&acme).await;
    assert_eq!(subjects.len(), 8);
    assert!(
        subjects
            .iter()
            .all(|s| s == "Owner invites you to join acme Installers"),
        "{subjects:?}"
    );

    // Five failures (the limit) were audited in the partner's log, then the quarantine.
    let log = app
        .get(
            &format!("/v1/partners/{}/audit-events?limit=100", acme.id),
            &acme.owner_token,
        )
        .await;
    let actions: Vec<&str> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "plugin.call_failed")
            .count(),
        5,
        "{actions:?}"
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "plugin.quarantined")
            .count(),
        1,
        "{actions:?}"
    );
    let failed = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "plugin.call_failed")
        .unwrap();
    assert!(failed.to_string().contains("\"trap\""), "{failed}");
    assert!(failed.to_string().contains("builtin_renderer"), "{failed}");

    let view = app.get("/v1/plugins/test-hostile", &operator).await;
    assert_eq!(
        view.body["quarantined_for"],
        json!([acme.id]),
        "{}",
        view.body
    );
    assert_eq!(view.body["metrics"]["failures"]["trap"], 5, "{}", view.body);
    let mine = app
        .get(
            &format!("/v1/partners/{}/plugins", acme.id),
            &acme.owner_token,
        )
        .await;
    assert_eq!(mine.body[0]["quarantined"], true, "{}", mine.body);

    // The other partner's plugin is unaffected.
    app.invite(&bravo, &["x@bravo.example"]).await;
    assert_eq!(
        app.subjects(&bravo).await,
        ["Invitation for x@bravo.example"]
    );
    let theirs = app
        .get(
            &format!("/v1/partners/{}/plugins", bravo.id),
            &bravo.owner_token,
        )
        .await;
    assert_eq!(theirs.body[0]["quarantined"], false);

    // Quarantined, it is not called: no new failures.
    app.invite(&acme, &["late@acme.example"]).await;
    let view = app.get("/v1/plugins/test-hostile", &operator).await;
    assert_eq!(view.body["metrics"]["failures"]["trap"], 5, "{}", view.body);

    // Re-enabled (fixed), it runs again.
    app.bind_hostile(&operator, &acme, "ok").await;
    let view = app.get("/v1/plugins/test-hostile", &operator).await;
    assert_eq!(view.body["quarantined_for"], json!([]), "{}", view.body);
    app.invite(&acme, &["fixed@acme.example"]).await;
    assert!(
        app.subjects(&acme)
            .await
            .contains(&"Invitation for fixed@acme.example".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_keeps_answering_while_a_plugin_spins_to_its_deadline() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let mut slow = manifest("test-hostile");
    slow["limits"] = json!({ "deadline_ms": 1500 });
    assert_eq!(
        app.install(&operator, "test-hostile", slow).await.status,
        StatusCode::CREATED
    );
    app.put(
        &format!("/v1/partners/{}/plugins/test-hostile", acme.id),
        &operator,
        json!({ "enabled": true, "config": { "mode": "spin" } }),
    )
    .await;

    let invite = {
        let app_router = app.router.clone();
        let token = acme.owner_token.clone();
        let path = format!("/v1/partners/{}/invitations", acme.id);
        tokio::spawn(async move {
            use tower::ServiceExt;
            let request = axum::http::Request::post(path)
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(
                    json!({ "emails": ["spin@acme.example"], "role": "technician" }).to_string(),
                ))
                .unwrap();
            app_router.oneshot(request).await.unwrap().status()
        })
    };
    // While the invitation waits on the spinning plugin, other requests are answered.
    let mut answered_meanwhile = 0;
    while !invite.is_finished() {
        let me = app.get("/v1/me", &acme.owner_token).await;
        assert_eq!(me.status, StatusCode::OK);
        if !invite.is_finished() {
            answered_meanwhile += 1;
        }
    }
    assert_eq!(invite.await.unwrap(), StatusCode::OK);
    assert!(answered_meanwhile > 0);
    let view = app.get("/v1/plugins/test-hostile", &operator).await;
    assert_eq!(
        view.body["metrics"]["failures"]["deadline"], 1,
        "{}",
        view.body
    );
    assert_eq!(
        app.subjects(&acme).await,
        ["Owner invites you to join acme Installers"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn under_a_load_of_invitations_hostile_plugins_cost_no_email_and_leave_other_tenants_alone() {
    // A runtime of this test's own, so other tests cannot take its slots: eight, two per
    // tenant — three hostile partners can hold six at most.
    let runtime = siteward_plugins::Runtime::new(siteward_plugins::RuntimeConfig {
        concurrency: 8,
        per_tenant: Some(2),
        ..siteward_plugins::RuntimeConfig::default()
    })
    .unwrap();
    let app = TestApp::with_settings(siteward_server::Settings {
        plugin_runtime: runtime,
        ..siteward_server::Settings::defaults()
    })
    .await;
    let operator = app.operator().await;
    assert_eq!(
        app.install(&operator, "test-hostile", manifest("test-hostile"))
            .await
            .status,
        StatusCode::CREATED
    );
    let mut partners = Vec::new();
    for mode in ["trap", "grow", "spin", "ok"] {
        let partner = app.partner(&operator, mode).await;
        app.bind_hostile(&operator, &partner, mode).await;
        partners.push((mode, partner));
    }

    // Each partner sends five bulk invitations of ten at once: twenty requests in flight.
    let addresses = |mode: &str, request: usize| -> Vec<String> {
        (0..10)
            .map(|n| format!("r{request}n{n}@{mode}.example"))
            .collect()
    };
    let app = &app;
    let requests = partners.iter().flat_map(|(mode, partner)| {
        (0..5).map(move |request| async move {
            let emails = addresses(mode, request);
            let emails: Vec<&str> = emails.iter().map(String::as_str).collect();
            app.invite(partner, &emails).await
        })
    });
    for reply in futures_util::future::join_all(requests).await {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let results = reply.body["results"].as_array().unwrap();
        assert!(
            results.iter().all(|r| r["outcome"] == "invited"),
            "{}",
            reply.body
        );
    }

    // On a loaded machine some of a hostile plugin's calls wait for a slot past their deadline
    // and come back `busy` (or `starved`): the host ran them late, so they are not counted
    // against the plugin. Calls made one at a time find a slot: each hostile partner invites
    // one more person at a time until its plugin is quarantined (on an idle machine the burst
    // has already done it, and nothing more is sent).
    let quarantined = || async {
        let view = app.get("/v1/plugins/test-hostile", &operator).await;
        view.body["quarantined_for"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let mut extra = std::collections::HashMap::new();
    for (mode, partner) in &partners[..3] {
        let mut sent = 0;
        while !quarantined().await.contains(&partner.id) {
            assert!(
                sent < 10,
                "{mode}: ten more calls and still not quarantined"
            );
            let email = format!("extra{sent}@{mode}.example");
            let reply = app.invite(partner, &[email.as_str()]).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            sent += 1;
        }
        extra.insert(*mode, sent);
    }

    for (mode, partner) in &partners {
        // Every invitation has its email, once.
        let mut subjects = app.subjects(partner).await;
        let sent = 50 + extra.get(mode).copied().unwrap_or(0);
        assert_eq!(subjects.len(), sent, "{mode}: {subjects:?}");
        subjects.sort();
        subjects.dedup();
        let log = app
            .get(
                &format!("/v1/partners/{}/audit-events?limit=200", partner.id),
                &partner.owner_token,
            )
            .await;
        let count = |action: &str| {
            log.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["action"] == action)
                .count()
        };
        if *mode == "ok" {
            // The well-behaved partner's plugin wrote every one of its emails.
            let mut expected: Vec<String> = (0..5)
                .flat_map(|request| addresses(mode, request))
                .map(|address| format!("Invitation for {address}"))
                .collect();
            expected.sort();
            assert_eq!(subjects, expected);
            assert_eq!(count("plugin.call_failed"), 0, "{}", log.body);
            assert_eq!(count("plugin.quarantined"), 0, "{}", log.body);
        } else {
            // The built-in renderer stood in for each, and the quarantine engaged once.
            assert_eq!(
                subjects,
                [format!("Owner invites you to join {mode} Installers")],
                "{mode}"
            );
            assert!(count("plugin.call_failed") >= 5, "{mode}: {}", log.body);
            assert_eq!(count("plugin.quarantined"), 1, "{mode}: {}", log.body);
        }
    }
    let view = app.get("/v1/plugins/test-hostile", &operator).await;
    let mut quarantined: Vec<&str> = view.body["quarantined_for"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap())
        .collect();
    quarantined.sort_unstable();
    let mut hostile: Vec<&str> = partners[..3].iter().map(|(_, p)| p.id.as_str()).collect();
    hostile.sort_unstable();
    assert_eq!(quarantined, hostile, "{}", view.body);
    // The trapping partner's calls trap and the spinning one's run out of time, every time
    // they are made (the growing one's run out of memory, or of time on a busy machine).
    for kind in ["trap", "deadline"] {
        assert!(
            view.body["metrics"]["failures"][kind].as_u64() >= Some(5),
            "{kind}: {}",
            view.body
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hook_that_finds_no_free_slot_is_offered_its_events_again_and_not_blamed() {
    use siteward_plugins::{Failure, Limits, World};
    use siteward_server::notify::notify_once;

    // One slot in all, so another tenant's call can hold it.
    let runtime = siteward_plugins::Runtime::new(siteward_plugins::RuntimeConfig {
        concurrency: 1,
        ..siteward_plugins::RuntimeConfig::default()
    })
    .unwrap();
    let app = TestApp::with_settings(siteward_server::Settings {
        plugin_runtime: runtime.clone(),
        ..siteward_server::Settings::defaults()
    })
    .await;
    siteward_server::plugins::bundled::ensure(&app.state)
        .await
        .unwrap();
    assert_eq!(notify_once(&app.state).await.unwrap(), 0);
    let (_, site, site_admin, techs) = super::technicians::site_with_technicians(&app, 1).await;
    for locked in [false, true] {
        super::technicians::set_locked(&app, &site, &site_admin, &techs, locked).await;
    }

    // Another tenant's plugin spins in the only slot for longer than the hooks wait (1 s each).
    let spinner = runtime
        .load(
            &std::fs::read(component("test-hostile")).unwrap(),
            Limits {
                deadline: std::time::Duration::from_secs(5),
                ..Limits::for_world(World::InvitationRenderer)
            },
        )
        .unwrap();
    let holder = std::thread::spawn(move || {
        let spin = vec![("mode".to_owned(), "spin".to_owned())];
        let invitation = siteward_plugins::testing::sample_invitation();
        spinner.render("partner/another", &spin, &invitation).result
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        notify_once(&app.state).await.unwrap(),
        0,
        "nothing is queued while no slot is free"
    );
    assert!(matches!(holder.join().unwrap(), Err(Failure::Deadline)));

    // The events were not skipped: with the slot free, they are handled now.
    assert_eq!(
        notify_once(&app.state).await.unwrap(),
        2,
        "the lock to the Super Admin, the acceptance to the site admin"
    );
    // And the hook was not blamed for the wait.
    let operator = app.operator().await;
    assert!(
        app.actions(&operator, "plugin.call_failed")
            .await
            .is_empty()
    );
    assert!(
        app.actions(&operator, "plugin.quarantined")
            .await
            .is_empty()
    );
    let view = app.get("/v1/plugins/owner-notifier", &operator).await;
    let failures = view.body["metrics"]["failures"].as_object().unwrap();
    assert_eq!(
        failures.keys().collect::<Vec<_>>(),
        ["busy"],
        "{}",
        view.body
    );
    assert_eq!(view.body["quarantined_for"], json!([]), "{}", view.body);
}

#[tokio::test]
async fn policies_deny_ask_for_approval_and_refuse_when_they_cannot_answer() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    app.member(&acme, "admin@acme.example", "admin").await;
    let admin = app.token("admin@acme.example").await;
    let tech = app.member(&acme, "tech@acme.example", "technician").await;
    let site = app.site(&acme, "admin@acme-site.example").await;
    assert_eq!(
        app.install(&operator, "domain-policy", manifest("domain-policy"))
            .await
            .status,
        StatusCode::CREATED
    );
    let on = app
        .put(
            &format!("/v1/partners/{}/plugins/domain-policy", acme.id),
            &operator,
            json!({ "enabled": true, "config": { "allowed_domains": "acme.example", "approval_levels": "full_including_users" } }),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);

    let reply = app
        .post(
            &format!("/v1/partners/{}/invitations", acme.id),
            &admin,
            json!({ "emails": ["new@acme.example", "eve@elsewhere.example"], "role": "technician" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let results = reply.body["results"].as_array().unwrap();
    assert_eq!(results[0]["outcome"], "invited");
    assert_eq!(results[1]["outcome"], "denied");
    assert_eq!(
        results[1]["reason"],
        "invitations go only to addresses at acme.example"
    );
    assert!(results[1].get("invitation").is_none());

    // Full access to a site needs approval: an Admin's invitation waits, unsent, for an
    // approver; a Super Admin approves by sending.
    let full = |tech: &str| json!({ "level": "full_including_users", "technicians": [{ "account_id": tech }] });
    let emails_before = app.subjects(&acme).await.len();
    let reply = app
        .post(
            &format!("/v1/sites/{site}/invitations"),
            &admin,
            full(&tech),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let held = &reply.body["invitations"][0];
    assert_eq!(held["status"], "awaiting_approval", "{held}");
    assert!(
        held["approval_reason"]
            .as_str()
            .unwrap()
            .contains("needs approval"),
        "{held}"
    );
    let held = held["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.subjects(&acme).await.len(),
        emails_before,
        "nothing sent yet"
    );
    let queue = app
        .get(
            &format!("/v1/sites/{site}/invitations?status=awaiting_approval"),
            &acme.owner_token,
        )
        .await;
    assert_eq!(
        queue.body["items"][0]["id"],
        held.as_str(),
        "{}",
        queue.body
    );
    // Asked again meanwhile, it is the same invitation, still waiting.
    let again = app
        .post(
            &format!("/v1/sites/{site}/invitations"),
            &acme.owner_token,
            full(&tech),
        )
        .await;
    assert_eq!(
        again.body["invitations"][0]["id"],
        held.as_str(),
        "{}",
        again.body
    );
    // The Admin may not approve it; the partner's Super Admin does, and it is sent.
    let refused = app
        .post(
            &format!("/v1/invitations/{held}/approve"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let approved = app
        .post(
            &format!("/v1/invitations/{held}/approve"),
            &acme.owner_token,
            json!({ "reason": "they cover the night shift" }),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["status"], "pending");
    assert_eq!(
        app.subjects(&acme).await.len(),
        emails_before + 1,
        "sent now"
    );
    let twice = app
        .post(
            &format!("/v1/invitations/{held}/deny"),
            &acme.owner_token,
            json!({ "reason": "no" }),
        )
        .await;
    assert_eq!(
        (twice.status, twice.code()),
        (StatusCode::CONFLICT, "invitation_not_awaiting_approval"),
        "{}",
        twice.body
    );

    // Another waits; denying it takes a reason, and frees its place.
    let other = app.member(&acme, "other@acme.example", "technician").await;
    let reply = app
        .post(
            &format!("/v1/sites/{site}/invitations"),
            &admin,
            full(&other),
        )
        .await;
    let waiting = reply.body["invitations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let unsaid = app
        .post(
            &format!("/v1/invitations/{waiting}/deny"),
            &acme.owner_token,
            json!({}),
        )
        .await;
    assert_eq!(unsaid.body["error"]["field"], "reason", "{}", unsaid.body);
    // The site's own admin decides invitations to their site too.
    let site_admin = app.token("admin@acme-site.example").await;
    let denied = app
        .post(
            &format!("/v1/invitations/{waiting}/deny"),
            &site_admin,
            json!({ "reason": "not this week" }),
        )
        .await;
    assert_eq!(denied.status, StatusCode::OK, "{}", denied.body);
    assert_eq!(denied.body["status"], "denied");
    assert_eq!(denied.body["denial_reason"], "not this week");
    assert_eq!(
        app.subjects(&acme).await.len(),
        emails_before + 1,
        "nothing sent"
    );
    let anew = app
        .post(
            &format!("/v1/sites/{site}/invitations"),
            &acme.owner_token,
            full(&other),
        )
        .await;
    assert_eq!(anew.status, StatusCode::CREATED, "{}", anew.body);
    assert_eq!(
        anew.body["invitations"][0]["status"], "pending",
        "a Super Admin sends at once"
    );
    // Another partner's admin sees none of it.
    let globex = app.partner(&operator, "globex").await;
    let hidden = app
        .post(
            &format!("/v1/invitations/{held}/approve"),
            &globex.owner_token,
            json!({}),
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);

    // Every decision besides allowing is in the partner's audit log, refused or approved.
    let decided = app
        .get(
            &format!(
                "/v1/partners/{}/audit-events?action=invitation.policy_decided",
                acme.id
            ),
            &acme.owner_token,
        )
        .await;
    let decisions: Vec<String> = decided.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let change = |field: &str| {
                e["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["field"] == field)
                    .and_then(|c| c["after"].as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            format!("{} {}", change("email"), change("decision"))
        })
        .collect();
    for expected in [
        "eve@elsewhere.example deny",
        "tech@acme.example approval_required: held for an approver",
        "other@acme.example approval_required: approved by the inviter's role",
    ] {
        assert!(
            decisions.iter().any(|d| d == expected),
            "{expected} in {decisions:?}"
        );
    }

    // A policy that cannot answer (here: out of fuel at once) refuses; nothing is sent.
    let mut starved = manifest("domain-policy");
    starved["name"] = json!("starved-policy");
    starved["limits"] = json!({ "fuel": 1 });
    assert_eq!(
        app.install(&operator, "domain-policy", starved)
            .await
            .status,
        StatusCode::CREATED
    );
    app.put(
        &format!("/v1/partners/{}/plugins/starved-policy", acme.id),
        &operator,
        json!({ "enabled": true }),
    )
    .await;
    let before = app.subjects(&acme).await.len();
    let reply = app.invite(&acme, &["later@acme.example"]).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::SERVICE_UNAVAILABLE, "policy_unavailable"),
        "{}",
        reply.body
    );
    assert!(reply.message().contains("starved-policy"));
    assert_eq!(app.subjects(&acme).await.len(), before);
}

/// Runs the `siteward` binary with a data folder of its own.
pub(crate) fn siteward(data: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_siteward"))
        .args(args)
        .env("SITEWARD_DATA_DIR", data)
        .output()
        .expect("siteward runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn the_command_line_installs_enables_lists_and_tests_plugins() {
    let data = tempfile::tempdir().unwrap();
    let policy = component("domain-policy");
    let dir = plugins_dir().join("domain-policy");
    let manifest = dir.join("siteward-plugin.toml");
    let (ok, out) = siteward(
        data.path(),
        &[
            "plugin",
            "install",
            policy.to_str().unwrap(),
            "--manifest",
            manifest.to_str().unwrap(),
        ],
    );
    assert!(ok, "{out}");
    assert!(out.contains("installed domain-policy 0.2.0"), "{out}");
    let (ok, out) = siteward(
        data.path(),
        &[
            "plugin",
            "enable",
            "domain-policy",
            "--set",
            "allowed_domains=acme.example",
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = siteward(
        data.path(),
        &["plugin", "enable", "domain-policy", "--set", "colour=red"],
    );
    assert!(!ok && out.contains("config.colour"), "{out}");
    let (ok, out) = siteward(data.path(), &["plugin", "list"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("domain-policy 0.2.0 (invitation-policy, WIT 0.2.0)"),
        "{out}"
    );
    assert!(
        out.contains("every partner: on {\"allowed_domains\": \"acme.example\"}"),
        "{out}"
    );
    // The precompiled artifact was kept for the next start.
    assert!(
        std::fs::read_dir(data.path().join("plugin-artifacts"))
            .unwrap()
            .count()
            > 0
    );

    // `plugin test`: new snapshots are written for review and the run fails; accepted, it passes.
    let snaps = tempfile::tempdir().unwrap();
    let cases = dir.join("cases");
    let args = |extra: &[&'static str]| -> Vec<String> {
        let mut args: Vec<String> = [
            "plugin",
            "test",
            policy.to_str().unwrap(),
            "--cases",
            cases.to_str().unwrap(),
            "--manifest",
            manifest.to_str().unwrap(),
            "--snapshots",
            snaps.path().to_str().unwrap(),
        ]
        .map(str::to_owned)
        .to_vec();
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        args
    };
    let run = |args: Vec<String>| {
        siteward(
            data.path(),
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    };
    let (ok, out) = run(args(&[]));
    assert!(!ok && out.contains("0 passed, 6 new"), "{out}");
    assert!(
        snaps
            .path()
            .join("other_domain_is_denied.snap.new")
            .exists()
    );
    let (ok, out) = run(args(&["--accept"]));
    assert!(ok, "{out}");
    let (ok, out) = run(args(&[]));
    assert!(
        ok && out.contains("6 passed, 0 new, 0 changed, 0 broken"),
        "{out}"
    );
    // The snapshots it writes are the ones the Rust harness checks in `snapshots/plugins`.
    let ours = std::fs::read_to_string(snaps.path().join("other_domain_is_denied.snap")).unwrap();
    let harness = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../snapshots/plugins/domain-policy/other_domain_is_denied.snap"),
    )
    .unwrap();
    assert_eq!(
        siteward_plugins::cases::snapshot_content(&ours),
        siteward_plugins::cases::snapshot_content(&harness)
    );
}

#[tokio::test]
async fn a_subject_that_would_add_a_header_is_refused_and_the_builtin_email_goes_out() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let installed = app
        .install(&operator, "test-hostile", manifest("test-hostile"))
        .await;
    assert_eq!(installed.status, StatusCode::CREATED, "{}", installed.body);
    app.bind_hostile(&operator, &acme, "header").await;
    let reply = app.invite(&acme, &["x@acme.example"]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        app.subjects(&acme).await,
        ["Owner invites you to join acme Installers"]
    );
    let log = app
        .get(
            &format!(
                "/v1/partners/{}/audit-events?action=plugin.call_failed",
                acme.id
            ),
            &acme.owner_token,
        )
        .await;
    let failure = log.body["items"][0].to_string();
    assert!(
        failure.contains("invalid_output") && failure.contains("control character"),
        "{failure}"
    );
}
