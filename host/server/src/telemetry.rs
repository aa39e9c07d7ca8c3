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
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::{DefaultFields, JsonFields, Writer};
use tracing_subscriber::fmt::{FormatFields, FormattedFields};
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
    let filter = LogFilter::from_directives(std::env::var(EnvFilter::DEFAULT_ENV).ok().as_deref());
    // Colours only for a person at a terminal: journald and log files get plain text, and a
    // request's span fields are formatted without escape codes.
    let logs = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let logs = match format {
        LogFormat::Pretty => logs.fmt_fields(Buffered(DefaultFields::new())).boxed(),
        LogFormat::Json => {
            let logs = logs.json();
            logs.fmt_fields(Buffered(JsonFields::new())).boxed()
        }
    };
    let provider = match tracing.otlp_endpoint.trim() {
        "" => None,
        endpoint => Some(provider(endpoint, &tracing.service_name)?),
    };
    let traces = provider
        .as_ref()
        .map(|provider| tracing_opentelemetry::layer().with_tracer(provider.tracer("siteward")));
    tracing_subscriber::registry()
        .with(filter.layer())
        .with(logs)
        .with(traces)
        .try_init()
        .context("installing the log subscriber")?;
    EXPORTING.store(provider.is_some(), std::sync::atomic::Ordering::Relaxed);
    Ok(Telemetry { provider })
}

/// Which events and spans are logged: `RUST_LOG`'s directives, or by default `info` with the
/// database engine's chatter at `warn`.
///
/// `EnvFilter` reads every directive, but it pays for its span and field directives
/// (`[request{route=/v1/check}]=debug`) on every span, whether the directives have them or not:
/// a lock and a hash lookup when a span is made, entered, left and closed — each request's
/// `request` span four times or more (#19). Directives that name only targets and levels (the
/// default, and what deployments set) are matched by `Targets` instead, which decides each
/// callsite once and has no per-span work. The two read such directives the same way; span and
/// field directives are written in brackets, so a directive without a `[` has none.
#[derive(Debug)]
enum LogFilter {
    Targets(Targets),
    Env(Box<EnvFilter>),
}

/// The filter without `RUST_LOG`, and when `RUST_LOG` cannot be read.
const DEFAULT_LOG_FILTER: &str = "info,surrealdb=warn,surrealkv=warn";

impl LogFilter {
    /// The filter `directives` (`RUST_LOG`'s value) describe; the default when there are none or
    /// they do not parse.
    fn from_directives(directives: Option<&str>) -> Self {
        let directives = directives.unwrap_or(DEFAULT_LOG_FILTER);
        if directives.trim().is_empty() {
            // As `EnvFilter` reads it: nothing is logged.
            return Self::Targets(Targets::new());
        }
        if !directives.contains('[')
            && let Ok(targets) = directives.parse::<Targets>()
        {
            return Self::Targets(targets);
        }
        match EnvFilter::try_new(directives) {
            Ok(filter) => Self::Env(Box::new(filter)),
            Err(_) => Self::from_directives(None),
        }
    }

    fn layer<S>(self) -> Box<dyn Layer<S> + Send + Sync>
    where
        S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    {
        match self {
            Self::Targets(targets) => targets.boxed(),
            Self::Env(filter) => (*filter).boxed(),
        }
    }
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

/// Field formatting that writes a span's fields once. The fmt layer formats every span's fields
/// into a string of their own when the span is made — on each request, its `request` span —
/// and the formatters write a field in several pieces: into an empty string, that is an
/// allocation and four or five reallocations per request. Formatted on the stack first, the
/// text lands in one allocation of its exact size. The text is the inner formatter's, byte for
/// byte; where that formatter would colour it (a person at a terminal), or it does not fit,
/// the inner formatter writes as it always does.
#[derive(Debug)]
struct Buffered<F>(F);

impl<F> Buffered<F>
where
    F: for<'a> FormatFields<'a>,
{
    fn format<R: RecordFields>(&self, mut writer: Writer<'_>, fields: R) -> std::fmt::Result {
        // A writer made here has no colours and sanitises escapes: the same as the one given
        // only when the given one is so too.
        if writer.has_ansi_escapes() || !writer.sanitizes_ansi_escapes() {
            return self.0.format_fields(writer, fields);
        }
        let mut text = StackText::default();
        if self
            .0
            .format_fields(Writer::new(&mut text), &fields)
            .is_ok()
        {
            writer.write_str(text.as_str())
        } else {
            self.0.format_fields(writer, fields)
        }
    }
}

impl<'w> FormatFields<'w> for Buffered<DefaultFields> {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'w>, fields: R) -> std::fmt::Result {
        self.format(writer, fields)
    }
}

impl<'w> FormatFields<'w> for Buffered<JsonFields> {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'w>, fields: R) -> std::fmt::Result {
        self.format(writer, fields)
    }

    /// A field recorded later is merged into the span's JSON object, as `JsonFields` does.
    fn add_fields(
        &self,
        current: &'w mut FormattedFields<Self>,
        fields: &tracing::span::Record<'_>,
    ) -> std::fmt::Result {
        let mut json = FormattedFields::<JsonFields>::new(std::mem::take(&mut current.fields));
        let added = self.0.add_fields(&mut json, fields);
        current.fields = json.fields;
        added
    }
}

/// Text formatted into a fixed buffer; writing past its end fails.
struct StackText {
    bytes: [u8; STACK_TEXT_BYTES],
    len: usize,
}

/// Room for a request span's fields with a long route and a client's own request id.
const STACK_TEXT_BYTES: usize = 256;

impl Default for StackText {
    fn default() -> Self {
        Self {
            bytes: [0; STACK_TEXT_BYTES],
            len: 0,
        }
    }
}

impl StackText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).expect("only whole strings are written")
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        let end = self.len + text.len();
        let room = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        room.copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::fmt::MakeWriter;

    /// What a subscriber wrote, shared with the test.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Self;
        fn make_writer(&'a self) -> Self {
            self.clone()
        }
    }

    /// The lines a subscriber made with `layer` writes for spans with short and overlong fields,
    /// one of them recorded after the span was made, and an event inside them.
    fn lines<L>(layer: impl FnOnce(Captured) -> L) -> String
    where
        L: tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync,
    {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::registry().with(layer(captured.clone()));
        tracing::subscriber::with_default(subscriber, || {
            let long = "x".repeat(STACK_TEXT_BYTES + 10);
            let outer = tracing::info_span!("request", method = %"POST", route = %"/v1/check", fuel = tracing::field::Empty);
            let _outer = outer.enter();
            outer.record("fuel", 7);
            let inner = tracing::info_span!("call", plugin = %long, quoted = "a \"b\"");
            let _inner = inner.enter();
            tracing::info!(status = 200, "answered");
        });
        String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
    }

    /// What a subscriber filtered by `filter` logs of an event at each level at several targets,
    /// and of a `debug` event inside a `request` span.
    fn logged(filter: LogFilter) -> String {
        macro_rules! at_each_level {
            ($target:literal) => {
                tracing::trace!(target: $target, "trace");
                tracing::debug!(target: $target, "debug");
                tracing::info!(target: $target, "info");
                tracing::warn!(target: $target, "warn");
                tracing::error!(target: $target, "error");
            };
        }
        let captured = Captured::default();
        let logs = tracing_subscriber::fmt::layer()
            .without_time()
            .with_ansi(false)
            .with_writer(captured.clone());
        let subscriber = tracing_subscriber::registry()
            .with(filter.layer())
            .with(logs);
        tracing::subscriber::with_default(subscriber, || {
            at_each_level!("siteward_server::api");
            at_each_level!("surrealdb::core::kvs");
            at_each_level!("surrealkv");
            at_each_level!("h2");
            at_each_level!("my::target::inner");
            tracing::info_span!("request").in_scope(|| tracing::debug!("inside a request"));
        });
        String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn plain_directives_are_matched_by_targets_exactly_as_env_filter_matches_them() {
        for directives in [
            DEFAULT_LOG_FILTER,
            "",
            "warn",
            "siteward_server=debug",
            "trace,surrealdb=off,surrealdb::core=info",
            "my::target",
            "h2=error,info",
        ] {
            let filter = LogFilter::from_directives(Some(directives));
            assert!(matches!(filter, LogFilter::Targets(_)), "{directives:?}");
            let env = Box::new(EnvFilter::try_new(directives).unwrap());
            assert_eq!(
                logged(filter),
                logged(LogFilter::Env(env)),
                "{directives:?}"
            );
        }
        assert!(matches!(
            LogFilter::from_directives(None),
            LogFilter::Targets(_)
        ));

        // Span directives stay with EnvFilter, and work.
        let filter = LogFilter::from_directives(Some("warn,[request]=debug"));
        assert!(matches!(filter, LogFilter::Env(_)));
        let lines = logged(filter);
        assert!(lines.contains("inside a request"), "{lines}");
        assert!(!lines.contains("INFO"), "{lines}");

        // Directives that do not parse are the default's.
        let default = logged(LogFilter::from_directives(None));
        assert!(
            default.contains(" INFO siteward_server::api: info"),
            "{default}"
        );
        assert!(!default.contains("surrealkv: info"), "{default}");
        for nonsense in ["info,surrealdb=loud", "[request=debug"] {
            assert_eq!(logged(LogFilter::from_directives(Some(nonsense))), default);
        }
    }

    #[test]
    fn buffered_fields_read_exactly_as_the_formatters_own() {
        let plain = |w: Captured| {
            tracing_subscriber::fmt::layer()
                .without_time()
                .with_ansi(false)
                .with_writer(w)
        };
        let buffered = lines(|w| plain(w).fmt_fields(Buffered(DefaultFields::new())));
        assert_eq!(buffered, lines(plain));
        assert!(
            buffered.contains("request{method=POST route=/v1/check fuel=7}"),
            "{buffered}"
        );

        let json = |w: Captured| plain(w).json().with_span_list(true);
        let buffered = lines(|w| json(w).fmt_fields(Buffered(JsonFields::new())));
        assert_eq!(buffered, lines(json));
        assert!(buffered.contains(r#""fuel":7"#), "{buffered}");
    }
}
