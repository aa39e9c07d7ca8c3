//! `siteward-plugin`: the plugin author's tool. See the crate's documentation and README's
//! "Writing a plugin".

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use siteward_plugin::TestArgs;
use siteward_plugin::new::Sdk;
use siteward_plugins::World;

#[derive(Debug, Parser)]
#[command(
    name = "siteward-plugin",
    version,
    about = "Write and test Siteward plugins"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a component's cases through the host's runtime and limits, and compare each
    /// outcome with its snapshot.
    Test(TestArgs),
    /// Start a plugin crate in FOLDER (named after it): a component when built, with a
    /// manifest, two cases and their snapshots.
    New {
        /// Which world it implements.
        world: WorldName,
        /// The folder to write; it must not exist or be empty.
        folder: PathBuf,
        /// The guest SDK: a folder (`…/siteward/guest-sdk`) or a git URL of Siteward
        /// (default: the checkout this tool was built from).
        #[arg(long)]
        sdk: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum WorldName {
    InvitationRenderer,
    InvitationPolicy,
    NotificationHook,
    AuditExporter,
}

impl From<WorldName> for World {
    fn from(name: WorldName) -> Self {
        match name {
            WorldName::InvitationRenderer => Self::InvitationRenderer,
            WorldName::InvitationPolicy => Self::InvitationPolicy,
            WorldName::NotificationHook => Self::NotificationHook,
            WorldName::AuditExporter => Self::AuditExporter,
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<bool> {
    match cli.command {
        Command::Test(args) => args.run(),
        Command::New { world, folder, sdk } => {
            let sdk = match sdk {
                Some(text) => Sdk::parse(&text),
                None => Sdk::beside_this_tool().ok_or_else(|| {
                    anyhow::anyhow!(
                        "this tool was not built from a Siteward checkout: say where the guest \
                         SDK is with --sdk <folder or git URL>"
                    )
                })?,
            };
            let world = World::from(world);
            let written = siteward_plugin::new::new(world, &folder, &sdk)?;
            for path in &written {
                println!("wrote    {}", path.display());
            }
            let component = format!(
                "target/wasm32-wasip2/release/{}.wasm",
                folder
                    .file_name()
                    .map(|n| n.to_string_lossy().replace('-', "_"))
                    .unwrap_or_default()
            );
            println!(
                "\nnext:\n  cd {}\n  cargo build --release\n  siteward-plugin test {component} --cases cases --manifest siteward-plugin.toml",
                folder.display()
            );
            Ok(true)
        }
    }
}
