//! The real `siteward` binary over a real socket: first start prints the operator credential,
//! the API works, SIGTERM stops it gracefully, and a restart finds the data on disk.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Host {
    child: Child,
    address: String,
    stdout: Vec<String>,
}

impl Drop for Host {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Starts `siteward serve` on `data_dir` and an ephemeral port; returns once it listens.
fn start(data_dir: &std::path::Path) -> Host {
    let mut child = Command::new(env!("CARGO_BIN_EXE_siteward"))
        .arg("serve")
        .env("SITEWARD_DATA_DIR", data_dir)
        .env("SITEWARD_SERVER__LISTEN", "127.0.0.1:0")
        .env("SITEWARD_BOOTSTRAP__OPERATOR_EMAIL", "ops@siteward.example")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the siteward binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stdout = Vec::new();
    // Reading blocks until the host prints; the line that names the address ends the wait.
    let address = loop {
        let line = lines
            .next()
            .expect("siteward exited before listening")
            .unwrap();
        stdout.push(line.clone());
        if let Some(rest) = line.strip_prefix("Siteward is listening on http://") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    Host {
        child,
        address,
        stdout,
    }
}

/// One HTTP/1.1 request over a fresh connection; returns status and JSON body.
fn request(
    address: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let auth = token
        .map(|t| format!("authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\ncontent-type: application/json\r\n{auth}content-length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let (head, payload) = response.split_once("\r\n\r\n").unwrap();
    let payload = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(payload)
    } else {
        payload.to_owned()
    };
    (
        status,
        serde_json::from_str(&payload).unwrap_or(Value::Null),
    )
}

fn dechunk(mut text: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = text.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        text = &rest[size + 2..];
    }
    out
}

fn login(address: &str, password: &str) -> String {
    let (status, body) = request(
        address,
        "POST",
        "/v1/auth/login",
        None,
        Some(&json!({
            "email": "ops@siteward.example", "password": password,
        })),
    );
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

#[test]
fn the_binary_serves_stops_on_sigterm_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut host = start(dir.path());
    let password = host
        .stdout
        .iter()
        .find_map(|line| line.trim().strip_prefix("password: "))
        .expect("the first start prints the operator's password")
        .to_owned();
    assert_eq!(request(&host.address, "GET", "/readyz", None, None).0, 200);
    let token = login(&host.address, &password);
    let (status, partner) = request(
        &host.address,
        "POST",
        "/v1/partners",
        Some(&token),
        Some(&json!({
            "name": "Persisted", "super_admin": { "email": "owner@persisted.example", "name": "O", "password": "correct horse battery" },
        })),
    );
    assert_eq!(status, 201, "{partner}");
    // The first-party plugins came installed and switched on.
    let (_, plugins) = request(&host.address, "GET", "/v1/plugins", Some(&token), None);
    let names: Vec<&str> = plugins["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"invitation-email"), "{plugins}");

    // SIGTERM: the host finishes and exits on its own.
    let pid = host.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(status) = host.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "siteward did not stop after SIGTERM"
        );
        std::thread::yield_now();
    };
    assert!(exit.success(), "graceful shutdown exits 0, got {exit}");
    drop(host);

    // A restart on the same folder finds everything, and creates no second operator.
    let host = start(dir.path());
    assert!(!host.stdout.iter().any(|line| line.contains("password:")));
    let token = login(&host.address, &password);
    let (_, partners) = request(&host.address, "GET", "/v1/partners", Some(&token), None);
    assert_eq!(partners["items"][0]["name"], "Persisted");
    assert_eq!(partners["items"][0]["id"], partner["id"]);

    // Failed logins from one client address are limited (30 a minute by default), whatever
    // the email: guessing across many accounts is refused too.
    let guess = |n: usize| json!({ "email": format!("nobody{n}@persisted.example"), "password": "not the password" });
    for n in 0..30 {
        let (status, body) = request(
            &host.address,
            "POST",
            "/v1/auth/login",
            None,
            Some(&guess(n)),
        );
        assert_eq!(status, 401, "{body}");
    }
    let (status, body) = request(
        &host.address,
        "POST",
        "/v1/auth/login",
        None,
        Some(&guess(30)),
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("too_many_attempts"))
    );
}
