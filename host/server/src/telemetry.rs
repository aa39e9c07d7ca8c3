//! Logs, and optional OpenTelemetry traces. Logs go to stderr (`[server] log_format`); with
//! `[tracing] otlp_endpoint` set, the same spans — each request (with its request id), the
//! app's use cases (`app.*`), every database transaction (`db.transaction`) and plugin call
//! (`plugin.call`) — are exported over OTLP/HTTP (protobuf) by a batch processor on a thread of
//! its own, so a slow or absent collector never holds a request up.

use std::io::IsTerminal;

use anyhow::Context;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{WithExportConfig, WithHttpConfig as _};
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{LogFormat, TracingConfig};

/// What must be flushed when the process ends.
#[derive(Debug, Default)]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Exports the spans still waiting (on a thread of its own: the exporter's HTTP client
    /// blocks, which async code must not).
    pub fn shutdown(self) {
        if let Some(provider) = self.provider {
            let flushed = std::thread::spawn(move || provider.shutdown()).join();
            if !matches!(flushed, Ok(Ok(()))) {
                eprintln!("siteward: exporting the last traces failed");
            }
        }
    }
}

/// Whether spans are exported (an OTLP endpoint is configured): what only the exporter reads
/// need not be recorded otherwise.
static EXPORTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether this process exports traces.
pub fn exporting() -> bool {
    EXPORTING.load(std::sync::atomic::Ordering::Relaxed)
}

/// Installs the process's subscriber: logs, and traces when an OTLP endpoint is configured.
pub fn init(format: LogFormat, tracing: &TracingConfig) -> anyhow::Result<Telemetry> {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,surrealdb=warn,surrealkv=warn"));
    // Colours only for a person at a terminal: journald and log files get plain text, and a
    // request's span fields are formatted without escape codes.
    let logs = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let logs = match format {
        LogFormat::Pretty => logs.boxed(),
        LogFormat::Json => logs.json().boxed(),
    };
    let provider = match tracing.otlp_endpoint.trim() {
        "" => None,
        endpoint => Some(provider(endpoint, &tracing.service_name)?),
    };
    let traces = provider
        .as_ref()
        .map(|provider| tracing_opentelemetry::layer().with_tracer(provider.tracer("siteward")));
    tracing_subscriber::registry()
        .with(filter)
        .with(logs)
        .with(traces)
        .try_init()
        .context("installing the log subscriber")?;
    EXPORTING.store(provider.is_some(), std::sync::atomic::Ordering::Relaxed);
    Ok(Telemetry { provider })
}

/// A tracer provider exporting to `endpoint` (`http://collector:4318`; `/v1/traces` is added).
fn provider(endpoint: &str, service: &str) -> anyhow::Result<SdkTracerProvider> {
    let url = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
    // The exporter's blocking HTTP client cannot be made inside the async runtime.
    let exporter = std::thread::spawn(move || {
        opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
            .with_endpoint(url)
            .with_headers(std::collections::HashMap::new())
            .build()
    })
    .join()
    .map_err(|_| anyhow::anyhow!("building the OTLP exporter panicked"))?
    .context("[tracing] otlp_endpoint")?;
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name(service.to_owned())
        .build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}
