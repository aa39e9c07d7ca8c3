//! Cases and snapshots for plugin authors: a case is a JSON file with a configuration and an
//! input for the plugin's world; running it through the production runtime and limits gives
//! a JSON outcome, kept as an insta-format `.snap` file beside the cases.
//!
//! ```json
//! { "config": { "allowed_domains": "acme.example" },
//!   "input": { "partner_id": "p1", "inviter_id": "a1", "inviter_role": "admin",
//!              "invitee_email": "ann@acme.example", "site_id": null, "level": null,
//!              "role": "technician", "now": "2026-11-22T10:00:00Z", "batch_size": 1 } }
//! ```
//!
//! The input is the world's WIT record with `snake_case` field names: `invitation-context`
//! for a renderer, `domain-event` for a hook, a list of `audit-event`s for an exporter,
//! `proposed-invitation` for a policy. Variants and enums are written as in the snapshots,
//! for example `"kind": "Site"`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::manifest::Manifest;
use crate::runtime::Plugin;
use crate::sandbox::{Failure, Outcome};
use crate::worlds::{Config, World};

/// The tenant case runs are made for: one at a time, so any share of the runtime will do.
const TENANT: &str = "cases";

/// One case.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The operator's configuration for the call.
    #[serde(default)]
    pub config: BTreeMap<String, String>,
    /// The world's input.
    pub input: serde_json::Value,
}

impl Case {
    /// Reads a case file.
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Runs the case through `plugin` and returns its outcome as JSON: `{"ok": ...}` with the
    /// world's output, or `{"failure": {"kind": ..., "message": ...}}`. With a manifest, the
    /// configuration gets its defaults and required values are checked, as in production.
    pub fn run(
        &self,
        plugin: &Plugin,
        manifest: Option<&Manifest>,
    ) -> Result<serde_json::Value, String> {
        let config: Config = match manifest {
            Some(manifest) => {
                manifest
                    .check_config(&self.config, "config")
                    .map_err(|e| e.to_string())?;
                manifest
                    .resolve_config(&self.config)
                    .map_err(|e| e.to_string())?
            }
            None => self.config.clone().into_iter().collect(),
        };
        let input = |what: &str| format!("the input is not {what}");
        let case_input = self.input_as_newest(plugin);
        Ok(match plugin.world() {
            World::InvitationRenderer => {
                let invitation = serde_json::from_value(case_input.clone())
                    .map_err(|e| format!("{}: {e}", input("an invitation-context")))?;
                outcome_json(plugin.render(TENANT, &config, &invitation))
            }
            World::NotificationHook => {
                let event = serde_json::from_value(case_input.clone())
                    .map_err(|e| format!("{}: {e}", input("a domain-event")))?;
                outcome_json(plugin.on_event(TENANT, &config, &event))
            }
            World::AuditExporter => {
                let events: Vec<crate::worlds::exporter::AuditEvent> =
                    serde_json::from_value(case_input.clone())
                        .map_err(|e| format!("{}: {e}", input("a list of audit-events")))?;
                let outcome = plugin.export_batch(TENANT, &config, &events);
                // Bytes are shown as text when they are UTF-8, which every text format is.
                let result = outcome.result.map(|exported| {
                    let body = match String::from_utf8(exported.bytes) {
                        Ok(text) => serde_json::json!({ "text": text }),
                        Err(e) => serde_json::json!({ "bytes": e.into_bytes() }),
                    };
                    serde_json::json!({ "content_type": exported.content_type, "body": body })
                });
                result_json(result)
            }
            World::InvitationPolicy => {
                let invitation = serde_json::from_value(case_input.clone())
                    .map_err(|e| format!("{}: {e}", input("a proposed-invitation")))?;
                outcome_json(plugin.evaluate(TENANT, &config, &invitation))
            }
        })
    }
}

impl Case {
    /// The input as the newest WIT version's record. A case is written in its plugin's own
    /// version: for a 0.1.0 plugin, the fields 0.2.0 added take the values the host gives
    /// when the version has no such field (`batch_size` 1, `console_url` empty; the optional
    /// ones none).
    fn input_as_newest(&self, plugin: &Plugin) -> serde_json::Value {
        let mut input = self.input.clone();
        if plugin.version().minor == 1
            && let Some(fields) = input.as_object_mut()
        {
            let added: &[(&str, serde_json::Value)] = match plugin.world() {
                World::InvitationPolicy => &[("batch_size", serde_json::json!(1))],
                World::NotificationHook => &[("console_url", serde_json::json!(""))],
                World::InvitationRenderer | World::AuditExporter => &[],
            };
            for (field, value) in added {
                fields.entry(*field).or_insert_with(|| value.clone());
            }
        }
        input
    }
}

fn outcome_json<T: Serialize>(outcome: Outcome<T>) -> serde_json::Value {
    result_json(
        outcome
            .result
            .map(|value| serde_json::to_value(value).expect("WIT values serialise to JSON")),
    )
}

fn result_json(result: Result<serde_json::Value, Failure>) -> serde_json::Value {
    sorted(match result {
        Ok(value) => serde_json::json!({ "ok": value }),
        Err(failure) => serde_json::json!({
            "failure": { "kind": failure.code(), "message": failure.to_string() }
        }),
    })
}

/// The value with every object's keys in sorted order, whichever map serde_json was built with
/// (a workspace build may turn on `preserve_order`), so a snapshot reads the same in every build.
fn sorted(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// What checking a folder of cases found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Cases whose snapshot matched.
    pub passed: Vec<String>,
    /// Cases without a snapshot; a `.snap.new` was written (or the `.snap`, when accepting).
    pub new: Vec<String>,
    /// Cases whose output differs from their snapshot; a `.snap.new` was written (or the
    /// `.snap` replaced, when accepting).
    pub changed: Vec<String>,
    /// Cases that could not run (unreadable file, input not of the plugin's world).
    pub broken: Vec<(String, String)>,
}

impl Report {
    /// Whether every case matched its snapshot.
    pub fn ok(&self) -> bool {
        self.new.is_empty() && self.changed.is_empty() && self.broken.is_empty()
    }
}

/// The text of an insta snapshot file: its header, then the content.
pub fn snapshot_file(input_file: &str, expression: &str, content: &str) -> String {
    format!(
        "---\nsource: siteward plugin test\nexpression: {expression}\ninput_file: {input_file}\n---\n{content}\n"
    )
}

/// The content of an insta snapshot file (what follows its header).
pub fn snapshot_content(file: &str) -> Option<&str> {
    let rest = file.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some(rest[end + 5..].trim_end())
}

/// Runs every `*.json` case in `cases` (sorted by name) and compares its outcome with
/// `<snapshots>/<case>.snap`. A missing or different snapshot gets a `<case>.snap.new` beside
/// it for `cargo insta review`, or, with `accept`, is written as the `.snap` itself.
pub fn check_cases(
    plugin: &Plugin,
    manifest: Option<&Manifest>,
    cases: &Path,
    snapshots: &Path,
    accept: bool,
) -> std::io::Result<Report> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(cases)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    std::fs::create_dir_all(snapshots)?;
    let mut report = Report::default();
    for path in files {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let outcome = match Case::read(&path).and_then(|case| case.run(plugin, manifest)) {
            Ok(outcome) => outcome,
            Err(error) => {
                report.broken.push((name, error));
                continue;
            }
        };
        let content = serde_json::to_string_pretty(&outcome).expect("a JSON value serialises");
        let snap = snapshots.join(format!("{name}.snap"));
        let pending = snapshots.join(format!("{name}.snap.new"));
        let existing = std::fs::read_to_string(&snap).ok();
        let matches = existing
            .as_deref()
            .and_then(snapshot_content)
            .is_some_and(|old| old == content.trim_end());
        if matches {
            remove_if_present(&pending)?;
            report.passed.push(name);
            continue;
        }
        let text = snapshot_file(&path.display().to_string(), &name, &content);
        if accept {
            std::fs::write(&snap, text)?;
            remove_if_present(&pending)?;
        } else {
            std::fs::write(&pending, text)?;
        }
        if existing.is_some() {
            report.changed.push(name);
        } else {
            report.new.push(name);
        }
    }
    Ok(report)
}

fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_files_round_trip_their_content() {
        let file = snapshot_file("cases/a.json", "a", "{\n  \"ok\": 1\n}");
        assert!(file.starts_with("---\nsource: siteward plugin test\n"));
        assert_eq!(snapshot_content(&file), Some("{\n  \"ok\": 1\n}"));
        assert_eq!(snapshot_content("no header"), None);
    }
}
