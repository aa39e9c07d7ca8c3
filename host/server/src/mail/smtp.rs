//! The SMTP connections the delivery worker sends over. lettre speaks the protocol; the sockets
//! are the host's own, opened with `TCP_NODELAY`. lettre writes a message's body and its final
//! `\r\n.\r\n` as two writes: with Nagle's algorithm on, the second one waits for the server's
//! delayed ACK, some 40 ms per message, which held delivery to about 20 emails a second.
//!
//! A few connections stay open between rounds and are used side by side. A connection is not
//! probed (`NOOP`) before it is used again: one the server closed meanwhile fails its first
//! command, and the message is tried once more at once on a fresh connection. Any failure ends
//! the connection it happened on (lettre closes it), so the next message starts clean.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, AsyncTokioStream, Certificate, TlsParameters,
};
use lettre::transport::smtp::extension::ClientId;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::config::{MailConfig, MailSecurity};

/// A connection unused for longer than this is closed rather than used again: servers drop
/// idle clients after a few minutes (RFC 5321 suggests five).
const IDLE_MAX: Duration = Duration::from_secs(60);

/// One message, ready for the wire.
#[derive(Debug)]
pub struct Outgoing {
    /// Who it is from and to, for `MAIL FROM` and `RCPT TO`.
    pub envelope: Envelope,
    /// The formatted message.
    pub bytes: Vec<u8>,
}

/// Why a message did not go out.
#[derive(Debug)]
pub enum Failure {
    /// The server refused it with a 5xx reply: sending it again will not help.
    Refused(String),
    /// Anything else (a 4xx reply, no connection, a timeout): worth another try later.
    Transient(String),
}

/// The SMTP server, and the connections open to it.
pub struct Smtp {
    host: String,
    port: u16,
    hello: ClientId,
    credentials: Option<Credentials>,
    secure: Secure,
    timeout: Duration,
    connections: usize,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

/// How a new connection is secured.
enum Secure {
    /// Not at all: a relay on the same machine.
    Plain,
    /// `STARTTLS` after the greeting, required.
    Starttls(TlsParameters),
    /// TLS from the first byte.
    Implicit(TlsConnector, ServerName<'static>),
}

impl fmt::Debug for Smtp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secure = match self.secure {
            Secure::Plain => "none",
            Secure::Starttls(_) => "starttls",
            Secure::Implicit(..) => "tls",
        };
        f.debug_struct("Smtp")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &secure)
            .field("connections", &self.connections)
            .finish_non_exhaustive()
    }
}

/// The SMTP settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The CA file cannot be read or holds no certificate.
    #[error("mail.ca_file {path}: {reason}")]
    CaFile {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// TLS cannot be set up for this server name.
    #[error("cannot set up TLS for {host}: {reason}")]
    Tls {
        /// The server.
        host: String,
        /// Why.
        reason: String,
    },
}

impl Smtp {
    /// The server the configuration names; connects on first use.
    pub fn new(config: &MailConfig) -> Result<Self, SetupError> {
        let host = config.smtp_host.clone();
        let extra_roots = match &config.ca_file {
            Some(path) => read_certificates(path)?,
            None => Vec::new(),
        };
        let tls_error = |reason: String| SetupError::Tls {
            host: host.clone(),
            reason,
        };
        let secure = match config.security {
            MailSecurity::None => Secure::Plain,
            MailSecurity::Starttls => {
                let mut builder = TlsParameters::builder(host.clone());
                for root in &extra_roots {
                    let root = Certificate::from_der(root.to_vec())
                        .map_err(|e| tls_error(e.to_string()))?;
                    builder = builder.add_root_certificate(root);
                }
                Secure::Starttls(builder.build().map_err(|e| tls_error(e.to_string()))?)
            }
            MailSecurity::Tls => {
                let mut roots = rustls::RootCertStore::empty();
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                for root in extra_roots {
                    roots.add(root).map_err(|e| tls_error(e.to_string()))?;
                }
                let provider = Arc::new(rustls::crypto::ring::default_provider());
                let config = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map_err(|e| tls_error(e.to_string()))?
                    .with_root_certificates(roots)
                    .with_no_client_auth();
                let name =
                    ServerName::try_from(host.clone()).map_err(|e| tls_error(e.to_string()))?;
                Secure::Implicit(TlsConnector::from(Arc::new(config)), name)
            }
        };
        Ok(Self {
            host: host.clone(),
            port: config.smtp_port,
            hello: ClientId::default(),
            credentials: config
                .username
                .clone()
                .zip(config.password.clone())
                .map(|(user, password)| Credentials::new(user, password)),
            secure,
            timeout: Duration::from_secs(30),
            connections: usize::try_from(config.connections.max(1)).unwrap_or(1),
            idle: Mutex::new(Vec::new()),
        })
    }

    /// How many connections are used side by side.
    pub fn connections(&self) -> usize {
        self.connections
    }

    /// A sender: one connection at a time, used for one message after another.
    pub fn sender(self: &Arc<Self>) -> Sender {
        Sender {
            smtp: Arc::clone(self),
            held: None,
        }
    }

    /// A connection: an idle one if there is a fresh enough one, else a new one. The flag says
    /// whether it was used before.
    async fn take(&self) -> Result<(AsyncSmtpConnection, bool), Failure> {
        loop {
            let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            match idle {
                Some((connection, since)) if since.elapsed() < IDLE_MAX => {
                    return Ok((connection, true));
                }
                // Too old to trust; dropping it closes the socket.
                Some(_) => continue,
                None => break,
            }
        }
        match tokio::time::timeout(self.timeout, self.open()).await {
            Ok(Ok(connection)) => Ok((connection, false)),
            Ok(Err(reason)) => Err(Failure::Transient(format!(
                "cannot connect to {}:{}: {reason}",
                self.host, self.port
            ))),
            Err(_) => Err(Failure::Transient(format!(
                "cannot connect to {}:{}: no answer within {} s",
                self.host,
                self.port,
                self.timeout.as_secs()
            ))),
        }
    }

    fn put_back(&self, connection: AsyncSmtpConnection) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.connections {
            idle.push((connection, Instant::now()));
        }
    }

    /// Opens, greets, secures and signs in a connection.
    async fn open(&self) -> Result<AsyncSmtpConnection, String> {
        let socket = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| e.to_string())?;
        socket.set_nodelay(true).map_err(|e| e.to_string())?;
        let mut connection = match &self.secure {
            Secure::Implicit(connector, name) => {
                let socket = connector
                    .connect(name.clone(), socket)
                    .await
                    .map_err(|e| format!("TLS: {e}"))?;
                AsyncSmtpConnection::connect_with_transport(
                    Box::new(TlsSocket(socket)),
                    &self.hello,
                )
                .await
            }
            Secure::Plain | Secure::Starttls(_) => {
                AsyncSmtpConnection::connect_with_transport(Box::new(socket), &self.hello).await
            }
        }
        .map_err(|e| e.to_string())?;
        if let Secure::Starttls(parameters) = &self.secure {
            connection
                .starttls(parameters.clone(), &self.hello)
                .await
                .map_err(|e| format!("STARTTLS: {e}"))?;
        }
        if let Some(credentials) = &self.credentials {
            connection
                .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(|e| format!("signing in: {e}"))?;
        }
        Ok(connection)
    }
}

/// Sends messages one after another over one connection of the pool at a time; the connection
/// goes back to the pool when the sender is dropped.
pub struct Sender {
    smtp: Arc<Smtp>,
    /// The connection, and whether it was used before.
    held: Option<(AsyncSmtpConnection, bool)>,
}

impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("smtp", &self.smtp)
            .field("connected", &self.held.is_some())
            .finish()
    }
}

impl Sender {
    /// Sends one message. On success the connection is kept for the next one; a failure ends
    /// it.
    pub async fn send(&mut self, message: &Outgoing) -> Result<(), Failure> {
        let smtp = &*self.smtp;
        loop {
            let (mut connection, reused) = match self.held.take() {
                Some(held) => held,
                None => smtp.take().await?,
            };
            let sent = tokio::time::timeout(
                smtp.timeout,
                connection.send(&message.envelope, &message.bytes),
            )
            .await;
            match sent {
                Ok(Ok(_)) => {
                    self.held = Some((connection, true));
                    return Ok(());
                }
                Ok(Err(error)) if error.is_permanent() => {
                    return Err(Failure::Refused(error.to_string()));
                }
                // A connection that sat open may have been closed by the server: one more try
                // on another, at once. A reply (4xx) is an answer, not a stale connection.
                Ok(Err(error)) if reused && !error.is_transient() => {
                    tracing::debug!(%error, "a reused SMTP connection failed; trying another");
                }
                Ok(Err(error)) => return Err(Failure::Transient(error.to_string())),
                Err(_) => {
                    connection.abort().await;
                    return Err(Failure::Transient(format!(
                        "no answer from the SMTP server within {} s",
                        smtp.timeout.as_secs()
                    )));
                }
            }
        }
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        if let Some((connection, _)) = self.held.take() {
            self.smtp.put_back(connection);
        }
    }
}

/// The certificates of a PEM file, trusted besides the public roots.
fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, SetupError> {
    let error = |reason: String| SetupError::CaFile {
        path: path.display().to_string(),
        reason,
    };
    let certificates = CertificateDer::pem_file_iter(path)
        .map_err(|e| error(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| error(e.to_string()))?;
    if certificates.is_empty() {
        return Err(error("no certificate in the file".to_owned()));
    }
    Ok(certificates)
}

/// A TLS socket, as lettre takes it.
#[derive(Debug)]
struct TlsSocket(TlsStream<TcpStream>);

impl AsyncTokioStream for TlsSocket {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for TlsSocket {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsSocket {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
