//! The delivery worker's SMTP connections: several side by side, kept open between rounds
//! without `NOOP` probes, replaced when the server closed them, and secured with STARTTLS or
//! implicit TLS against a certificate from the company's own authority (`[mail] ca_file`).
//! The SMTP server is real (mailin-embedded on a socket); a relay in front of it counts
//! connections, reads what the client says, cuts connections and terminates TLS.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::StatusCode;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use siteward_server::config::{MailConfig, MailSecurity};
use siteward_server::mail::{Mailer, deliver_due};

use super::smtp::TestSmtp;
use super::{Partner, TestApp};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn mailer(port: u16, security: MailSecurity, ca_file: Option<PathBuf>, connections: u32) -> Mailer {
    let config = MailConfig {
        smtp_host: "127.0.0.1".to_owned(),
        smtp_port: port,
        security,
        ca_file,
        connections,
        ..MailConfig::default()
    };
    Mailer::from_config(&config, PathBuf::new()).unwrap()
}

/// A TCP relay in front of an SMTP server: it counts the connections it was given, watches
/// the client's commands for `NOOP`, can cut every open connection, and can terminate TLS.
#[derive(Debug, Clone)]
struct Relay {
    port: u16,
    accepted: Arc<AtomicUsize>,
    noops: Arc<AtomicUsize>,
    cut: Arc<watch::Sender<u32>>,
}

impl Relay {
    async fn start(upstream: u16, tls: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay = Self {
            port: listener.local_addr().unwrap().port(),
            accepted: Arc::default(),
            noops: Arc::default(),
            cut: Arc::new(watch::channel(0).0),
        };
        let acceptor = tls.then(tls_acceptor);
        let this = relay.clone();
        tokio::spawn(async move {
            loop {
                let (client, _) = listener.accept().await.unwrap();
                this.accepted.fetch_add(1, Ordering::SeqCst);
                let (noops, cut) = (Arc::clone(&this.noops), this.cut.subscribe());
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let server = TcpStream::connect(("127.0.0.1", upstream)).await.unwrap();
                    match acceptor {
                        Some(acceptor) => {
                            // A client that does not trust the certificate hangs up here.
                            if let Ok(client) = acceptor.accept(client).await {
                                pipe(client, server, noops, cut).await;
                            }
                        }
                        None => pipe(client, server, noops, cut).await,
                    }
                });
            }
        });
        relay
    }

    fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    fn noops(&self) -> usize {
        self.noops.load(Ordering::SeqCst)
    }

    /// Closes every open connection, as a server does with idle clients.
    fn cut_all(&self) {
        self.cut.send_modify(|generation| *generation += 1);
    }
}

/// Copies both ways until either side closes or the relay cuts the connection.
async fn pipe(
    client: impl AsyncRead + AsyncWrite + Unpin,
    mut server: TcpStream,
    noops: Arc<AtomicUsize>,
    mut cut: watch::Receiver<u32>,
) {
    let (mut client_read, mut client_write) = tokio::io::split(client);
    let (mut server_read, mut server_write) = server.split();
    let upstream = async {
        let mut buffer = vec![0; 16 * 1024];
        loop {
            let n = client_read.read(&mut buffer).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            let said = &buffer[..n];
            if said.windows(4).any(|w| w.eq_ignore_ascii_case(b"NOOP")) {
                noops.fetch_add(1, Ordering::SeqCst);
            }
            if server_write.write_all(said).await.is_err() {
                break;
            }
        }
    };
    let downstream = tokio::io::copy(&mut server_read, &mut client_write);
    tokio::select! {
        () = upstream => {}
        _ = downstream => {}
        _ = cut.changed() => {}
    }
}

fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    let certificates = CertificateDer::pem_file_iter(fixture("smtp-cert.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(fixture("smtp-key.pem")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certificates, key)
    .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// Invites `count` technicians to `partner`: as many emails in the outbox.
async fn invite(app: &TestApp, partner: &Partner, prefix: &str, count: usize) {
    let emails: Vec<String> = (0..count)
        .map(|n| format!("{prefix}{n}@mail.example"))
        .collect();
    let reply = app
        .post(
            &format!("/v1/partners/{}/invitations", partner.id),
            &partner.owner_token,
            json!({ "emails": emails, "role": "technician" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

/// The outbox by status: (pending, sent, failed).
async fn outbox(app: &TestApp) -> (u64, u64, u64) {
    app.store.outbox_counts().await.unwrap()
}

#[tokio::test]
async fn emails_go_out_over_several_connections_kept_open_between_rounds_without_probes() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let smtp = TestSmtp::start();
    let relay = Relay::start(smtp.port, false).await;
    let mailer = mailer(relay.port, MailSecurity::None, None, 3);

    invite(&app, &acme, "first", 30).await;
    assert_eq!(deliver_due(&app.state, &mailer).await.unwrap(), 30);
    assert_eq!(smtp.inbox().len(), 30);
    assert_eq!(relay.connections(), 3, "three connections side by side");
    assert_eq!(outbox(&app).await, (0, 30, 0));

    // The next round uses the same three connections, as they are: no NOOP first.
    invite(&app, &acme, "second", 30).await;
    assert_eq!(deliver_due(&app.state, &mailer).await.unwrap(), 30);
    assert_eq!(smtp.inbox().len(), 60);
    assert_eq!(relay.connections(), 3, "the connections were kept");
    assert_eq!(relay.noops(), 0, "no NOOP before reuse");
    let mut ids: Vec<String> = smtp.inbox().iter().map(|m| m.message_id()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 60, "each email once");
}

#[tokio::test]
async fn a_connection_the_server_closed_is_replaced_and_no_email_waits_for_a_retry() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let smtp = TestSmtp::start();
    let relay = Relay::start(smtp.port, false).await;
    let mailer = mailer(relay.port, MailSecurity::None, None, 2);

    invite(&app, &acme, "before", 4).await;
    deliver_due(&app.state, &mailer).await.unwrap();
    assert_eq!(relay.connections(), 2);

    // The server drops both idle connections; the next round finds out on its first command.
    relay.cut_all();
    invite(&app, &acme, "after", 6).await;
    deliver_due(&app.state, &mailer).await.unwrap();
    assert_eq!(smtp.inbox().len(), 10);
    assert_eq!(outbox(&app).await, (0, 10, 0), "sent at the first attempt");
    assert_eq!(relay.connections(), 4, "two fresh connections");
}

#[tokio::test]
async fn starttls_is_verified_against_the_configured_authority() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let smtp = TestSmtp::start_with_starttls(&fixture("smtp-cert.pem"), &fixture("smtp-key.pem"));

    // Without the company's authority the certificate is not trusted: nothing is sent, and the
    // message waits for a retry with the reason.
    invite(&app, &acme, "untrusted", 1).await;
    let public_roots_only = mailer(smtp.port, MailSecurity::Starttls, None, 1);
    deliver_due(&app.state, &public_roots_only).await.unwrap();
    assert!(smtp.inbox().is_empty());
    assert_eq!(outbox(&app).await, (1, 0, 0));
    let pending = app
        .get(
            &format!("/v1/partners/{}/outbox?status=pending", acme.id),
            &acme.owner_token,
        )
        .await;
    let error = pending.body["items"][0]["last_error"].as_str().unwrap();
    assert!(error.contains("STARTTLS"), "{error}");

    app.clock.advance(chrono::Duration::hours(1));
    let trusting = mailer(
        smtp.port,
        MailSecurity::Starttls,
        Some(fixture("smtp-ca.pem")),
        1,
    );
    invite(&app, &acme, "trusted", 3).await;
    deliver_due(&app.state, &trusting).await.unwrap();
    assert_eq!(smtp.inbox().len(), 4);
    assert_eq!(outbox(&app).await, (0, 4, 0));
}

#[tokio::test]
async fn implicit_tls_delivers_and_is_verified() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let smtp = TestSmtp::start();
    let relay = Relay::start(smtp.port, true).await;

    invite(&app, &acme, "tls", 5).await;
    let untrusting = mailer(relay.port, MailSecurity::Tls, None, 2);
    deliver_due(&app.state, &untrusting).await.unwrap();
    assert!(
        smtp.inbox().is_empty(),
        "an untrusted certificate gets nothing"
    );

    app.clock.advance(chrono::Duration::hours(1));
    let trusting = mailer(
        relay.port,
        MailSecurity::Tls,
        Some(fixture("smtp-ca.pem")),
        2,
    );
    deliver_due(&app.state, &trusting).await.unwrap();
    assert_eq!(smtp.inbox().len(), 5);
    assert_eq!(outbox(&app).await, (0, 5, 0));
}

#[test]
fn a_ca_file_without_certificates_is_refused_with_its_name() {
    let empty = tempfile::NamedTempFile::new().unwrap();
    let config = MailConfig {
        smtp_host: "smtp.example.com".to_owned(),
        ca_file: Some(empty.path().to_owned()),
        ..MailConfig::default()
    };
    let error = Mailer::from_config(&config, PathBuf::new()).unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with("mail.ca_file "), "{message}");
    assert!(message.contains("no certificate"), "{message}");
}
