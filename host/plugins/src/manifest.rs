//! The plugin manifest: what a plugin says about itself when it is installed, and the
//! configuration an operator gives it, checked against the manifest's schema.
//!
//! ```toml
//! name = "domain-policy"
//! version = "0.1.0"
//! world = "invitation-policy"
//! wit = "0.1.0"
//! description = "Invitations only to the partner's own email domains."
//!
//! [[config]]
//! name = "allowed_domains"
//! description = "Comma-separated domains invitees must belong to."
//! required = true
//!
//! [limits]
//! deadline_ms = 50
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::limits::Limits;
use crate::runtime::{Plugin, WitVersion};
use crate::worlds::{Config, World};

/// What a plugin says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Its name: lowercase letters, digits and `-`, starting with a letter, at most 64.
    pub name: String,
    /// Its version (`MAJOR.MINOR.PATCH`); an upgrade must raise it.
    pub version: String,
    /// The world it implements (`invitation-renderer`, `notification-hook`,
    /// `audit-exporter`, `invitation-policy`).
    pub world: String,
    /// The version of the `siteward:plugin` WIT package it is built against.
    pub wit: String,
    /// What it does, for the operator.
    #[serde(default)]
    pub description: String,
    /// The configuration it accepts.
    #[serde(default)]
    pub config: Vec<ConfigField>,
    /// The names of the webhook targets it calls; the operator maps each to a URL.
    #[serde(default)]
    pub webhook_targets: Vec<String>,
    /// Limits it asks for, instead of its world's defaults (never above the ceiling).
    #[serde(default)]
    pub limits: LimitRequest,
}

/// One configuration value a plugin accepts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigField {
    /// Its name: lowercase letters, digits and `_`.
    pub name: String,
    /// What it means.
    #[serde(default)]
    pub description: String,
    /// Whether the operator must give it (unless it has a default).
    #[serde(default)]
    pub required: bool,
    /// The value when none is given.
    #[serde(default)]
    pub default: Option<String>,
    /// Whether the value is a secret: never shown back by the API or the command line.
    #[serde(default)]
    pub secret: bool,
    /// Whether a partner's own admins may set it for their partner (an email's footer, its
    /// default language, how alerts reach them), where the operator has the plugin running
    /// for them. Never a secret.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partner_editable: bool,
}

/// Limits a plugin asks for; absent ones are its world's defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LimitRequest {
    /// Wall deadline per call, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
    /// Memory, in MiB, over every memory of the component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mib: Option<u64>,
    /// Fuel per call (roughly, instructions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel: Option<u64>,
    /// Bytes of input per call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_bytes: Option<usize>,
    /// Bytes of output per call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_bytes: Option<usize>,
}

/// What is wrong with a manifest or a configuration, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {message}")]
pub struct ManifestError {
    /// The field, as a path (`config[2].name`, `config.allowed_domains`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl ManifestError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A `MAJOR.MINOR.PATCH` version, compared numerically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    /// Parses `1.2.3` (no pre-release or build parts).
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('.').map(|p| {
            (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<u64>().ok())
                .flatten()
        });
        let version = Self(parts.next()??, parts.next()??, parts.next()??);
        parts.next().is_none().then_some(version)
    }
}

fn is_name(text: &str, extra: u8) -> bool {
    (1..=64).contains(&text.len())
        && text.as_bytes()[0].is_ascii_lowercase()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == extra)
}

/// Whether `text` is a plugin name.
pub fn is_plugin_name(text: &str) -> bool {
    is_name(text, b'-')
}

impl Manifest {
    /// Reads a manifest from TOML, checking it.
    pub fn from_toml(text: &str) -> Result<Self, ManifestError> {
        let manifest: Self =
            toml::from_str(text).map_err(|e| ManifestError::new("manifest", e.message()))?;
        manifest.validate()?;
        Ok(manifest)
    }

    /// Checks every field on its own.
    pub fn validate(&self) -> Result<(), ManifestError> {
        if !is_plugin_name(&self.name) {
            return Err(ManifestError::new(
                "name",
                "must be 1 to 64 lowercase letters, digits and '-', starting with a letter",
            ));
        }
        if Version::parse(&self.version).is_none() {
            return Err(ManifestError::new(
                "version",
                "must be MAJOR.MINOR.PATCH, like 1.0.0",
            ));
        }
        self.world_kind()?;
        if WitVersion::parse(&self.wit).is_none() {
            return Err(ManifestError::new(
                "wit",
                "must be the WIT package version, like 0.1.0",
            ));
        }
        if self.description.len() > 1000 {
            return Err(ManifestError::new(
                "description",
                "must be at most 1,000 bytes",
            ));
        }
        for (n, field) in self.config.iter().enumerate() {
            if !is_name(&field.name, b'_') {
                return Err(ManifestError::new(
                    format!("config[{n}].name"),
                    "must be 1 to 64 lowercase letters, digits and '_', starting with a letter",
                ));
            }
            if self.config[..n].iter().any(|f| f.name == field.name) {
                return Err(ManifestError::new(
                    format!("config[{n}].name"),
                    "is declared twice",
                ));
            }
            if field.partner_editable && field.secret {
                return Err(ManifestError::new(
                    format!("config[{n}].partner_editable"),
                    "cannot be set on a secret: secrets are the operator's alone",
                ));
            }
        }
        for (n, target) in self.webhook_targets.iter().enumerate() {
            if !is_name(target, b'-') || self.webhook_targets[..n].contains(target) {
                return Err(ManifestError::new(
                    format!("webhook_targets[{n}]"),
                    "must be a unique name of lowercase letters, digits and '-'",
                ));
            }
        }
        if self.limits.deadline_ms == Some(0) {
            return Err(ManifestError::new(
                "limits.deadline_ms",
                "must be at least 1",
            ));
        }
        Ok(())
    }

    /// The world the manifest names.
    pub fn world_kind(&self) -> Result<World, ManifestError> {
        World::ALL
            .into_iter()
            .find(|w| w.name() == self.world)
            .ok_or_else(|| {
                ManifestError::new(
                    "world",
                    "must be invitation-renderer, notification-hook, audit-exporter or invitation-policy",
                )
            })
    }

    /// The limits its calls run under: its world's defaults with its requests on top.
    pub fn limits(&self) -> Result<Limits, ManifestError> {
        let mut limits = Limits::for_world(self.world_kind()?);
        let request = self.limits;
        if let Some(ms) = request.deadline_ms {
            limits.deadline = Duration::from_millis(ms);
        }
        if let Some(mib) = request.memory_mib {
            limits.memory_bytes = usize::try_from(mib)
                .ok()
                .and_then(|m| m.checked_mul(1 << 20))
                .ok_or_else(|| ManifestError::new("limits.memory_mib", "is too large"))?;
        }
        if let Some(fuel) = request.fuel {
            limits.fuel = Some(fuel);
        }
        if let Some(bytes) = request.input_bytes {
            limits.input_bytes = bytes;
        }
        if let Some(bytes) = request.output_bytes {
            limits.output_bytes = bytes;
        }
        Ok(limits)
    }

    /// Checks that a loaded component is what the manifest says it is.
    pub fn matches(&self, plugin: &Plugin) -> Result<(), ManifestError> {
        if plugin.world().name() != self.world {
            return Err(ManifestError::new(
                "world",
                format!(
                    "says {} but the component implements {}",
                    self.world,
                    plugin.world().name()
                ),
            ));
        }
        if WitVersion::parse(&self.wit) != Some(plugin.version()) {
            return Err(ManifestError::new(
                "wit",
                format!(
                    "says {} but the component is built against {}",
                    self.wit,
                    plugin.version()
                ),
            ));
        }
        Ok(())
    }

    /// Checks an operator's values against the schema: no unknown names, no missing required
    /// value. `field` prefixes the names in errors.
    pub fn check_config(
        &self,
        values: &BTreeMap<String, String>,
        field: &str,
    ) -> Result<(), ManifestError> {
        for (name, value) in values {
            if !self.config.iter().any(|f| &f.name == name) {
                return Err(ManifestError::new(
                    format!("{field}.{name}"),
                    format!(
                        "is not a setting of this plugin; it accepts {}",
                        self.setting_names()
                    ),
                ));
            }
            if value.len() > 64 * 1024 {
                return Err(ManifestError::new(
                    format!("{field}.{name}"),
                    "must be at most 64 KiB",
                ));
            }
        }
        Ok(())
    }

    /// The configuration a call receives: the given values, then defaults, in the manifest's
    /// order. Fails when a required value is missing.
    pub fn resolve_config(
        &self,
        values: &BTreeMap<String, String>,
    ) -> Result<Config, ManifestError> {
        let mut config = Vec::with_capacity(self.config.len());
        for field in &self.config {
            match values.get(&field.name).or(field.default.as_ref()) {
                Some(value) => config.push((field.name.clone(), value.clone())),
                None if field.required => {
                    return Err(ManifestError::new(
                        format!("config.{}", field.name),
                        "is required",
                    ));
                }
                None => {}
            }
        }
        Ok(config)
    }

    /// Values as they may be shown: secrets replaced.
    pub fn redact(&self, values: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        values
            .iter()
            .map(|(name, value)| {
                let secret = self.config.iter().any(|f| &f.name == name && f.secret);
                let shown = if secret { "********" } else { value };
                (name.clone(), shown.to_owned())
            })
            .collect()
    }

    fn setting_names(&self) -> String {
        if self.config.is_empty() {
            return "no settings".to_owned();
        }
        self.config
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOMAIN_POLICY: &str = r#"
        name = "domain-policy"
        version = "0.2.10"
        world = "invitation-policy"
        wit = "0.1.0"

        [[config]]
        name = "allowed_domains"
        required = true

        [[config]]
        name = "api_key"
        secret = true
        default = "none"

        [limits]
        deadline_ms = 50
        fuel = 1000000
    "#;

    #[test]
    fn a_manifest_reads_from_toml_with_its_limits() {
        let manifest = Manifest::from_toml(DOMAIN_POLICY).unwrap();
        assert_eq!(manifest.world_kind().unwrap(), World::InvitationPolicy);
        let limits = manifest.limits().unwrap();
        assert_eq!(limits.deadline, Duration::from_millis(50));
        assert_eq!(limits.fuel, Some(1_000_000));
        assert_eq!(
            limits.memory_bytes,
            Limits::for_world(World::InvitationPolicy).memory_bytes
        );
        assert!(Version::parse(&manifest.version) > Version::parse("0.2.9"));
    }

    #[test]
    fn bad_manifests_name_their_field() {
        let cases = [
            ("name = \"Domain\"", "name"),
            ("version = \"1.0\"", "version"),
            ("world = \"renderer\"", "world"),
            ("wit = \"x\"", "wit"),
        ];
        for (line, field) in cases {
            let key = line.split(' ').next().unwrap();
            let text: String = DOMAIN_POLICY
                .lines()
                .map(|l| {
                    if l.trim_start().starts_with(&format!("{key} =")) {
                        line.to_owned()
                    } else {
                        l.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            assert_eq!(
                Manifest::from_toml(&text).unwrap_err().field,
                field,
                "{line}"
            );
        }
        let unknown = format!("colour = \"red\"\n{DOMAIN_POLICY}");
        assert_eq!(Manifest::from_toml(&unknown).unwrap_err().field, "manifest");
        // A secret stays the operator's: partners may not be let set one.
        let secret = format!(
            "{DOMAIN_POLICY}\n[[config]]\nname = \"token\"\nsecret = true\npartner_editable = true\n"
        );
        let error = Manifest::from_toml(&secret).unwrap_err();
        assert!(error.field.ends_with(".partner_editable"), "{error}");
    }

    #[test]
    fn configuration_is_checked_resolved_and_redacted() {
        let manifest = Manifest::from_toml(DOMAIN_POLICY).unwrap();
        let values = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let unknown = manifest
            .check_config(&values(&[("colour", "red")]), "config")
            .unwrap_err();
        assert_eq!(unknown.field, "config.colour");
        assert!(unknown.message.contains("allowed_domains, api_key"));
        assert_eq!(
            manifest.resolve_config(&values(&[])).unwrap_err().field,
            "config.allowed_domains"
        );
        let given = values(&[("allowed_domains", "acme.example"), ("api_key", "s3cret")]);
        assert_eq!(
            manifest.resolve_config(&given).unwrap(),
            vec![
                ("allowed_domains".to_owned(), "acme.example".to_owned()),
                ("api_key".to_owned(), "s3cret".to_owned())
            ]
        );
        assert_eq!(
            manifest
                .resolve_config(&values(&[("allowed_domains", "a")]))
                .unwrap()[1]
                .1,
            "none"
        );
        assert_eq!(manifest.redact(&given)["api_key"], "********");
        assert_eq!(manifest.redact(&given)["allowed_domains"], "acme.example");
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn manifest(name: &str, version: &str, setting: &str, deadline_ms: u64) -> String {
        let [name, version, setting] = [name, version, setting].map(toml::Value::from);
        format!(
            "name = {name}\nversion = {version}\nworld = \"invitation-renderer\"\nwit = \"0.1.0\"\n\
             [[config]]\nname = {setting}\n[limits]\ndeadline_ms = {deadline_ms}\n"
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1_000))]

        /// Anything uploaded as a manifest is read or refused with a field to blame; it never
        /// takes the host down.
        #[test]
        fn any_text_is_read_or_refused_with_a_field(text in any::<String>()) {
            if let Err(error) = Manifest::from_toml(&text) {
                prop_assert!(!error.field.is_empty() && !error.message.is_empty());
            }
        }

        #[test]
        fn well_formed_manifests_are_read_as_written(
            name in "[a-z][a-z0-9-]{0,63}",
            version in (0u64..1000, 0u64..1000, 0u64..1000),
            setting in "[a-z][a-z0-9_]{0,63}",
            deadline_ms in 1u64..=5_000,
        ) {
            let version_text = format!("{}.{}.{}", version.0, version.1, version.2);
            let read = Manifest::from_toml(&manifest(&name, &version_text, &setting, deadline_ms));
            let read = read.map_err(|e| format!("{}: {}", e.field, e.message));
            let read = read.unwrap();
            prop_assert_eq!(&read.name, &name);
            prop_assert_eq!(Version::parse(&read.version), Some(Version(version.0, version.1, version.2)));
            prop_assert_eq!(read.limits().unwrap().deadline, Duration::from_millis(deadline_ms));
        }

        /// A name that is not a plugin name is refused, and the refusal names the field.
        #[test]
        fn a_bad_name_is_refused_by_name(name in any::<String>()) {
            prop_assume!(!is_plugin_name(&name));
            let error = Manifest::from_toml(&manifest(&name, "1.0.0", "mode", 100)).unwrap_err();
            prop_assert_eq!(error.field, "name");
        }

        #[test]
        fn versions_compare_as_numbers(a in any::<(u32, u32, u32)>(), b in any::<(u32, u32, u32)>()) {
            let parse = |(x, y, z): (u32, u32, u32)| Version::parse(&format!("{x}.{y}.{z}")).unwrap();
            prop_assert_eq!(parse(a).cmp(&parse(b)), a.cmp(&b));
        }
    }
}
