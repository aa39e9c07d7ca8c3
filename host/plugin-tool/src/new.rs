//! `siteward-plugin new <world> <folder>`: a plugin crate that builds to a component — the
//! `cdylib` crate type and the `wasm32-wasip2` target set, the guest SDK as its dependency —
//! with a manifest, a case that succeeds and one where the plugin refuses its configuration,
//! and both cases' snapshots, so `test` passes on the first build.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use siteward_plugins::World;

/// A file of the crate: its path in the crate and its text (with `{{name}}`, `{{crate}}`,
/// `{{world}}` and `{{sdk}}` to fill in).
type File = (&'static str, &'static str);

const COMMON: &[File] = &[
    ("Cargo.toml", include_str!("../templates/Cargo.toml.txt")),
    (
        ".cargo/config.toml",
        include_str!("../templates/config.toml.txt"),
    ),
    ("README.md", include_str!("../templates/README.md.txt")),
];

macro_rules! world_files {
    ($world:literal, [$($case:literal),+]) => {
        &[
            ("siteward-plugin.toml", include_str!(concat!("../templates/", $world, "/siteward-plugin.toml"))),
            ("src/lib.rs", include_str!(concat!("../templates/", $world, "/lib.rs"))),
            $(
                (concat!("cases/", $case, ".json"), include_str!(concat!("../templates/", $world, "/", $case, ".json"))),
                (concat!("cases/snapshots/", $case, ".snap"), include_str!(concat!("../templates/", $world, "/snapshots/", $case, ".snap"))),
            )+
        ]
    };
}

fn world_files(world: World) -> &'static [File] {
    match world {
        World::InvitationRenderer => world_files!(
            "invitation-renderer",
            ["a_site_invitation", "an_empty_greeting_is_refused"]
        ),
        World::InvitationPolicy => world_files!(
            "invitation-policy",
            [
                "a_large_request_needs_approval",
                "a_setting_that_is_not_a_number_is_refused"
            ]
        ),
        World::NotificationHook => world_files!(
            "notification-hook",
            ["an_acceptance_is_told", "an_empty_kinds_setting_is_refused"]
        ),
        World::AuditExporter => world_files!(
            "audit-exporter",
            ["two_events", "a_prefix_of_two_lines_is_refused"]
        ),
    }
}

/// Where the guest SDK comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sdk {
    /// A checkout of Siteward's `guest-sdk` folder.
    Path(PathBuf),
    /// A git repository holding Siteward.
    Git(String),
}

impl Sdk {
    /// `--sdk`: a URL (`https://…`, `ssh://…`, `git@…`) is a git repository, anything else a
    /// folder.
    pub fn parse(text: &str) -> Self {
        if text.contains("://") || text.starts_with("git@") {
            Self::Git(text.to_owned())
        } else {
            Self::Path(PathBuf::from(text))
        }
    }

    /// The guest SDK this tool was built beside, when that checkout is still there.
    pub fn beside_this_tool() -> Option<Self> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guest-sdk");
        path.join("Cargo.toml")
            .is_file()
            .then(|| Self::Path(path.canonicalize().unwrap_or(path)))
    }

    fn dependency(&self) -> anyhow::Result<String> {
        Ok(match self {
            Self::Path(path) => {
                let path = path
                    .canonicalize()
                    .with_context(|| format!("the SDK folder {}", path.display()))?;
                if !path.join("Cargo.toml").is_file() {
                    bail!(
                        "{} is not the guest SDK's folder (no Cargo.toml)",
                        path.display()
                    );
                }
                format!("{{ path = {} }}", toml_string(&path.display().to_string()))
            }
            Self::Git(url) => format!("{{ git = {} }}", toml_string(url)),
        })
    }
}

fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Writes a new plugin crate for `world` into `folder` (which must not exist or be empty),
/// named after the folder. Returns the files written.
pub fn new(world: World, folder: &Path, sdk: &Sdk) -> anyhow::Result<Vec<PathBuf>> {
    let name = folder
        .file_name()
        .and_then(|n| n.to_str())
        .context("the folder needs a name: the crate is named after it")?
        .to_owned();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        || !name.starts_with(|c: char| c.is_ascii_lowercase())
    {
        bail!(
            "`{name}` cannot name a plugin: use lower-case letters, digits and `-`, starting \
             with a letter (the manifest's name and the crate's are the folder's)"
        );
    }
    if folder.exists()
        && std::fs::read_dir(folder)
            .with_context(|| format!("reading {}", folder.display()))?
            .next()
            .is_some()
    {
        bail!("{} is not empty; nothing was written", folder.display());
    }
    let fill = |text: &str| -> anyhow::Result<String> {
        Ok(text
            .replace("{{name}}", &name)
            .replace("{{crate}}", &name.replace('-', "_"))
            .replace("{{world}}", world.name())
            .replace("{{sdk}}", &sdk.dependency()?))
    };
    let mut written = Vec::new();
    for (path, text) in COMMON.iter().chain(world_files(world)) {
        let path = folder.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, fill(text)?)
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
