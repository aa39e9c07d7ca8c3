//! A real SMTP server on a loopback socket (mailin-embedded), recording what arrives.

use std::net::{IpAddr, TcpListener};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use mailin_embedded::{Handler, Response, Server, response};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The raw message.
    pub data: Vec<u8>,
    /// When the server accepted it (answered `250` to its end).
    pub at: std::time::Instant,
}

impl Received {
    /// The parsed message.
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.data)
            .expect("a parsable message")
    }

    /// The subject.
    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }

    /// The decoded plain-text part.
    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    /// The decoded HTML part.
    pub fn html(&self) -> String {
        self.parsed()
            .body_html(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    /// The Message-ID header, without angle brackets.
    pub fn message_id(&self) -> String {
        self.parsed().message_id().unwrap_or_default().to_owned()
    }

    /// The invitation token in the accept link of the text part.
    pub fn token(&self) -> String {
        let text = self.text();
        let start = text.find("token=").expect("an accept link") + "token=".len();
        text[start..].split_whitespace().next().unwrap().to_owned()
    }
}

#[derive(Debug, Clone, Default)]
struct Recorder {
    inbox: Arc<Mutex<Vec<Received>>>,
    refuse_next: Arc<AtomicU32>,
    reject_next: Arc<AtomicU32>,
    /// Once this many messages are in, the next is held unanswered until released, then
    /// refused (so a client that died waiting has not delivered it).
    hold_after: Arc<AtomicU32>,
    holding: Arc<std::sync::atomic::AtomicBool>,
    /// Milliseconds to wait before answering each message (a slow server).
    delay_ms: Arc<AtomicU32>,
    current: Option<Received>,
}

impl Handler for Recorder {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        let refused = self
            .refuse_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if refused {
            return Response::custom(451, "Try again later".to_owned());
        }
        let rejected = self
            .reject_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if rejected {
            return Response::custom(550, "5.1.1 No such mailbox here".to_owned());
        }
        self.current = Some(Received {
            to: to.to_vec(),
            data: Vec::new(),
            at: std::time::Instant::now(),
        });
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(current) = &mut self.current {
            current.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let delay = self.delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            std::thread::sleep(std::time::Duration::from_millis(u64::from(delay)));
        }
        let hold_after = self.hold_after.load(Ordering::SeqCst);
        if hold_after > 0 && self.inbox.lock().unwrap().len() >= hold_after as usize {
            self.holding.store(true, Ordering::SeqCst);
            while self.hold_after.load(Ordering::SeqCst) > 0 {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            self.current = None;
            return Response::custom(451, "Try again later".to_owned());
        }
        if let Some(mut message) = self.current.take() {
            message.at = std::time::Instant::now();
            self.inbox.lock().unwrap().push(message);
        }
        response::OK
    }

    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        response::OK
    }
}

/// A running SMTP server; it stops with the test process.
#[derive(Debug, Clone)]
pub struct TestSmtp {
    pub port: u16,
    recorder: Recorder,
}

impl TestSmtp {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let recorder = Recorder::default();
        let mut server = Server::new(recorder.clone());
        server.with_name("smtp.test").with_tcp_listener(listener);
        std::thread::spawn(move || {
            server.serve().ok();
        });
        Self { port, recorder }
    }

    /// A server that offers STARTTLS with this certificate and key.
    pub fn start_with_starttls(certificate: &std::path::Path, key: &std::path::Path) -> Self {
        // mailin builds its TLS settings with the process's default crypto provider; more than
        // one is compiled in, so name it (an error means it was named already).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let recorder = Recorder::default();
        let mut server = Server::new(recorder.clone());
        server
            .with_name("smtp.test")
            .with_ssl(mailin_embedded::SslConfig::SelfSigned {
                cert_path: certificate.display().to_string(),
                key_path: key.display().to_string(),
            })
            .unwrap()
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            server.serve().ok();
        });
        Self { port, recorder }
    }

    /// A mailer that delivers to this server (no TLS, the default retry settings).
    pub fn mailer(&self) -> siteward_server::mail::Mailer {
        let config = siteward_server::config::MailConfig {
            smtp_host: "127.0.0.1".to_owned(),
            smtp_port: self.port,
            security: siteward_server::config::MailSecurity::None,
            ..siteward_server::config::MailConfig::default()
        };
        siteward_server::mail::Mailer::from_config(&config, std::path::PathBuf::new()).unwrap()
    }

    /// Everything received so far.
    pub fn inbox(&self) -> Vec<Received> {
        self.recorder.inbox.lock().unwrap().clone()
    }

    /// Messages to `address`.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.inbox()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// Holds the message after the first `n` unanswered until [`TestSmtp::release`].
    pub fn hold_after(&self, n: u32) {
        self.recorder.hold_after.store(n, Ordering::SeqCst);
    }

    /// Whether a message is being held.
    pub fn holding(&self) -> bool {
        self.recorder.holding.load(Ordering::SeqCst)
    }

    /// Lets a held message go (refused: its sender is meant to have died waiting).
    pub fn release(&self) {
        self.recorder.hold_after.store(0, Ordering::SeqCst);
    }

    /// Waits `ms` milliseconds before answering each message.
    pub fn slow(&self, ms: u32) {
        self.recorder.delay_ms.store(ms, Ordering::SeqCst);
    }

    /// Answers the next `n` messages' DATA command with a permanent failure (550).
    pub fn reject_next(&self, n: u32) {
        self.recorder.reject_next.store(n, Ordering::SeqCst);
    }

    /// Answers the next `n` messages' DATA command with a temporary failure (451).
    pub fn refuse_next(&self, n: u32) {
        self.recorder.refuse_next.store(n, Ordering::SeqCst);
    }
}
