//! A SurrealDB server on a loopback port for tests and the benchmark suite: the real
//! `surreal start`, built from `storage/test-server` (the `surrealdb-server` crate at the
//! version this crate's client speaks, a workspace of its own so its features never reach the
//! host's build), in memory, stopped when dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::StoreConfig;

/// The root user and password the server is started with.
const ROOT: &str = "root";

/// How the server binary is built: a debug build for tests (quicker to build), a release one
/// for figures worth reading (its own database work is then not what is measured).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `cargo build`.
    Debug,
    /// `cargo build --release`.
    Release,
}

/// A running `surreal start … memory`.
#[derive(Debug)]
pub struct SurrealServer {
    child: Child,
    port: u16,
}

impl Drop for SurrealServer {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl SurrealServer {
    /// Builds the server (the first time a long compile, about 19 minutes on 2 cores for a
    /// debug build; then cargo finds it fresh) and starts it; returns once it answers.
    ///
    /// # Panics
    /// If the build fails or the server does not answer within a minute: a test cannot go on.
    pub fn start(profile: Profile) -> Self {
        let binary = build(profile);
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new(binary)
            .args(["start", "--no-banner", "--bind"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["--user", ROOT, "--pass", ROOT, "memory"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the SurrealDB server starts");
        let mut server = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !server.healthy() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("the SurrealDB server exited: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "the SurrealDB server did not answer within a minute"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// Its `ws://` URL.
    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    /// A store configuration for it: the default namespace and database, root credentials.
    pub fn config(&self) -> StoreConfig {
        StoreConfig {
            url: self.url(),
            credentials: Some((ROOT.to_owned(), ROOT.to_owned())),
            ..StoreConfig::memory()
        }
    }

    /// What a `siteward` process needs in its environment to use it.
    pub fn host_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("SITEWARD_STORAGE__URL", self.url()),
            ("SITEWARD_STORAGE__USERNAME", ROOT.to_owned()),
            ("SITEWARD_STORAGE__PASSWORD", ROOT.to_owned()),
        ]
    }

    /// Whether `GET /health` answers 200.
    fn healthy(&self) -> bool {
        TcpStream::connect(("127.0.0.1", self.port)).is_ok_and(|mut stream| {
            let mut answer = String::new();
            write!(
                stream,
                "GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n"
            )
            .and_then(|()| stream.read_to_string(&mut answer))
            .is_ok_and(|_| answer.starts_with("HTTP/1.1 200"))
        })
    }
}

/// Builds `storage/test-server` with `profile`; returns the binary's path.
fn build(profile: Profile) -> PathBuf {
    let storage = Path::new(env!("CARGO_MANIFEST_DIR"));
    let crate_dir = storage.join("test-server");
    // A folder of its own in the workspace's target folder, never the caller's own build
    // folders: this cargo must not wait on the lock of the one running the tests.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| storage.join("../target"), PathBuf::from)
        .join("surreal-server");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .args(["build", "--locked", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"));
    if profile == Profile::Release {
        command.arg("--release");
    }
    // What cargo set for the caller (its package, paths, flags) is not this build's: left in,
    // it makes the dependencies' build scripts run again whenever the checkout moves.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let cargo_own = name.starts_with("CARGO_")
            && !["CARGO_HOME", "CARGO_HTTP_", "CARGO_NET_", "CARGO_REGISTR"]
                .iter()
                .any(|kept| name.starts_with(kept));
        if cargo_own || ["CARGO", "RUSTFLAGS", "RUSTDOCFLAGS", "OUT_DIR"].contains(&&*name) {
            command.env_remove(&*name);
        }
    }
    let built = command
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .expect("cargo runs");
    assert!(built.success(), "building the SurrealDB test server failed");
    target.join(match profile {
        Profile::Debug => "debug/surreal",
        Profile::Release => "release/surreal",
    })
}
