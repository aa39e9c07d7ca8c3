//! Bulk invitations through the product's code beside the storage engine's own ceiling for the
//! same rows, and email delivery to a local SMTP server.
//!
//! - Product: `POST /v1/partners/{id}/invitations` with 1,000 addresses per request, through
//!   the real router on embedded `surrealkv://`: validation, rendering, one transaction of
//!   invitation, slot, outbox and audit rows per request.
//! - Ceiling: the rows the product wrote, read back and inserted again into a fresh database
//!   with the same schema, one raw SurrealQL transaction (`INSERT INTO <table> $rows RETURN
//!   NONE` per table) per 1,000 invitations — what the engine does for this schema with no
//!   product code.
//! - Physical reference: the same rows in SQLite (the system's library) with the same indexes,
//!   one transaction per 1,000 invitations, an fsync per commit — what the disk and a mature
//!   embedded engine do with them.
//! - Delivery: the product's outbox worker (`deliver_due`) sending to a real SMTP server on
//!   loopback (mailin-embedded), emails per second, beside a raw pooled SMTP client sending
//!   the same bytes; and the time from a bulk request's answer to its last email received.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use lettre::address::Envelope;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::extension::ClientId;
use mailin_embedded::{Handler, Response, Server, response};
use surrealdb::types::Value as Row;
use tokio_util::sync::CancellationToken;

use siteward_server::config::{MailConfig, MailSecurity};
use siteward_server::mail::{Mailer, deliver_due, run_delivery};
use siteward_storage::{Store, StoreConfig};

use crate::Effort;
use crate::host::{Host, production_logging};

const BATCH: usize = 1000;
/// The tables one bulk invitation request writes.
const TABLES: [&str; 4] = [
    "invitation_slot",
    "invitation",
    "outbox_message",
    "audit_event",
];
use crate::report::{Figure, Section, Target, Unit, thousands};

/// Runs the bulk comparison and the delivery figure, with the log subscriber `siteward serve`
/// installs (without one, every storage key SurrealDB writes is formatted for a `log` record
/// no one reads: `tracing`'s fallback when no subscriber was ever set).
pub fn run(effort: Effort) -> anyhow::Result<Vec<Section>> {
    production_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async { Ok(vec![bulk(effort).await?, delivery(effort).await?]) })
}

async fn bulk(effort: Effort) -> anyhow::Result<Section> {
    let dir = tempfile::tempdir()?;
    let product = Host::start(&dir.path().join("product")).await?;
    let batches = (effort.invitations / BATCH).max(1);
    let before = counts(product.state.store.surreal()).await?;
    let mut ours = Vec::new();
    for batch in 0..batches {
        let started = Instant::now();
        product.invite(&format!("tech{batch}"), BATCH).await?;
        ours.push(BATCH as f64 / started.elapsed().as_secs_f64());
    }
    let (pending, _, _) = product.state.store.outbox_counts().await?;
    anyhow::ensure!(
        pending as usize == batches * BATCH,
        "{pending} emails queued for {} invitations",
        batches * BATCH
    );

    // The same rows, raw, into a fresh database with the same schema.
    let db = product.state.store.surreal();
    let mut tables = Vec::new();
    for (table, before) in TABLES.iter().zip(before) {
        let mut response = db
            .query(format!("SELECT * FROM {table} ORDER BY id"))
            .await?;
        let rows: Vec<Row> = response.take(0)?;
        // Only what the bulk requests wrote (the audit log also has the setup's events, first).
        let rows = rows[before..].to_vec();
        tables.push((*table, rows));
    }
    let rows_per_invitation: Vec<String> = tables
        .iter()
        .map(|(t, rows)| format!("{} {t}", rows.len() / (batches * BATCH)))
        .collect();
    let raw = Store::open(&StoreConfig {
        url: format!("surrealkv://{}", dir.path().join("raw").display()),
        ..StoreConfig::memory()
    })
    .await?;
    let mut theirs = Vec::new();
    for batch in 0..batches {
        let mut query = raw.surreal().query("BEGIN TRANSACTION");
        for (table, rows) in &tables {
            let per = rows.len() / batches;
            let chunk = rows[batch * per..(batch + 1) * per].to_vec();
            query = query
                .query(format!("INSERT INTO {table} $rows_{table} RETURN NONE"))
                .bind((format!("rows_{table}"), chunk));
        }
        let started = Instant::now();
        query.query("COMMIT TRANSACTION").await?.check()?;
        theirs.push(BATCH as f64 / started.elapsed().as_secs_f64());
    }
    let copied = counts(raw.surreal()).await?;
    anyhow::ensure!(
        copied[1] == batches * BATCH,
        "the raw copy holds {} invitations",
        copied[1]
    );

    // The same rows once more, into SQLite with the same indexes: the physical reference.
    let mut schemas = Vec::new();
    for (table, rows) in &tables {
        schemas.push(SqliteTable::new(db, table, rows).await?);
    }
    let sqlite = tokio::task::block_in_place(|| {
        sqlite_batches(&dir.path().join("sqlite.db"), &schemas, batches)
    })?;

    let mut section = Section::new("Bulk invitations vs the storage engine's own batch insert");
    section.note(format!(
        "{} invitations in requests of 1,000 through the product (router, validation, rendering, \
         one transaction per request) on `surrealkv://`, each request a run; beside it the same \
         rows ({}) inserted raw into a fresh database with the same schema, one SurrealQL \
         transaction per 1,000 invitations; and, as the physical reference, the same rows in \
         SQLite {} (the system's library) with the same indexes ({} in all), one transaction \
         per 1,000 invitations, write-ahead log with `synchronous = FULL` (an fsync per commit, \
         as surrealkv syncs each commit).",
        thousands((batches * BATCH) as f64),
        rows_per_invitation.join(", "),
        rusqlite::version(),
        schemas.iter().map(|t| t.indexes.len()).sum::<usize>(),
    ));
    section.add(
        Figure::new(
            "invitations per second — product",
            Unit::PerSecond,
            ours.clone(),
        )
        .target(Target::AtLeast(3_000.0)),
    );
    section.add(Figure::new(
        "invitations per second — raw SurrealQL batch",
        Unit::PerSecond,
        theirs.clone(),
    ));
    section.add(Figure::new(
        "invitations per second — the same rows in SQLite",
        Unit::PerSecond,
        sqlite.clone(),
    ));
    section.add(
        Figure::new(
            "product as a share of the raw batch",
            Unit::Share,
            ours.iter().zip(&theirs).map(|(o, t)| o / t).collect(),
        )
        .target(Target::AtLeast(0.7)),
    );
    section.add(Figure::new(
        "product as a share of SQLite",
        Unit::Share,
        ours.iter().zip(&sqlite).map(|(o, t)| o / t).collect(),
    ));
    Ok(section)
}

/// A table of [`TABLES`] as SQLite holds it: the columns its rows have (untyped, as SQLite
/// lets them be) and the SurrealDB table's indexes.
struct SqliteTable {
    name: &'static str,
    columns: Vec<String>,
    /// Each index: its name, whether unique, its columns.
    indexes: Vec<(String, bool, Vec<String>)>,
    /// The rows, a value per column.
    rows: Vec<Vec<rusqlite::types::Value>>,
}

impl SqliteTable {
    /// `table`'s rows and the indexes SurrealDB defines on it.
    async fn new(
        db: &surrealdb::Surreal<surrealdb::engine::any::Any>,
        name: &'static str,
        rows: &[Row],
    ) -> anyhow::Result<Self> {
        let info: Row = db.query(format!("INFO FOR TABLE {name}")).await?.take(0)?;
        let info = info.into_json_value();
        let mut indexes = Vec::new();
        for (index, definition) in info["indexes"].as_object().into_iter().flatten() {
            // `DEFINE INDEX name ON table FIELDS a, b [UNIQUE]`
            let definition = definition.as_str().unwrap_or_default();
            let fields = definition
                .split_once(" FIELDS ")
                .map(|(_, rest)| rest)
                .ok_or_else(|| anyhow::anyhow!("an index without fields: {definition}"))?;
            let unique = fields.ends_with(" UNIQUE");
            let fields = fields.trim_end_matches(" UNIQUE");
            let fields = fields.split(", ").map(str::to_owned).collect();
            indexes.push((index.clone(), unique, fields));
        }
        let objects: Vec<serde_json::Map<String, serde_json::Value>> = rows
            .iter()
            .map(|row| match row.clone().into_json_value() {
                serde_json::Value::Object(object) => Ok(object),
                other => Err(anyhow::anyhow!("a row that is no object: {other}")),
            })
            .collect::<anyhow::Result<_>>()?;
        let mut columns: Vec<String> = objects.iter().flat_map(|o| o.keys().cloned()).collect();
        columns.sort();
        columns.dedup();
        let rows = objects
            .iter()
            .map(|object| {
                let value = |column: &String| match object.get(column) {
                    None | Some(serde_json::Value::Null) => rusqlite::types::Value::Null,
                    Some(serde_json::Value::Bool(b)) => {
                        rusqlite::types::Value::Integer(i64::from(*b))
                    }
                    Some(serde_json::Value::Number(n)) => n.as_i64().map_or_else(
                        || rusqlite::types::Value::Real(n.as_f64().unwrap_or_default()),
                        rusqlite::types::Value::Integer,
                    ),
                    Some(serde_json::Value::String(s)) => rusqlite::types::Value::Text(s.clone()),
                    Some(nested) => rusqlite::types::Value::Text(nested.to_string()),
                };
                columns.iter().map(value).collect()
            })
            .collect();
        Ok(Self {
            name,
            columns,
            indexes,
            rows,
        })
    }
}

/// Writes `tables` into a new SQLite database at `path` in `batches` transactions, each
/// holding an equal part of every table; the invitations per second of each.
fn sqlite_batches(
    path: &std::path::Path,
    tables: &[SqliteTable],
    batches: usize,
) -> anyhow::Result<Vec<f64>> {
    let mut db = rusqlite::Connection::open(path)?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "FULL")?;
    for table in tables {
        let columns: Vec<String> = table.columns.iter().map(|c| format!("\"{c}\"")).collect();
        db.execute_batch(&format!(
            "CREATE TABLE {} ({} , PRIMARY KEY (\"id\"))",
            table.name,
            columns.join(", ")
        ))?;
        for (index, unique, fields) in &table.indexes {
            let fields: Vec<String> = fields.iter().map(|f| format!("\"{f}\"")).collect();
            db.execute_batch(&format!(
                "CREATE {}INDEX {index} ON {} ({})",
                if *unique { "UNIQUE " } else { "" },
                table.name,
                fields.join(", ")
            ))?;
        }
    }
    let mut rates = Vec::with_capacity(batches);
    for batch in 0..batches {
        let started = Instant::now();
        let tx = db.transaction()?;
        for table in tables {
            let per = table.rows.len() / batches;
            let marks = vec!["?"; table.columns.len()].join(", ");
            let mut insert = tx.prepare(&format!("INSERT INTO {} VALUES ({marks})", table.name))?;
            for row in &table.rows[batch * per..(batch + 1) * per] {
                insert.execute(rusqlite::params_from_iter(row))?;
            }
        }
        tx.commit()?;
        rates.push(BATCH as f64 / started.elapsed().as_secs_f64());
    }
    let invitations: i64 = db.query_row("SELECT count(*) FROM invitation", [], |r| r.get(0))?;
    anyhow::ensure!(
        invitations as usize == batches * BATCH,
        "SQLite holds {invitations} invitations"
    );
    Ok(rates)
}

/// Row counts of [`TABLES`].
async fn counts(
    db: &surrealdb::Surreal<surrealdb::engine::any::Any>,
) -> anyhow::Result<Vec<usize>> {
    let mut counts = Vec::new();
    for table in TABLES {
        let mut response = db
            .query(format!("SELECT count() FROM {table} GROUP ALL"))
            .await?;
        let count: Option<i64> = response.take((0, "count"))?;
        counts.push(count.unwrap_or(0) as usize);
    }
    Ok(counts)
}

/// Counts messages; accepts everything; keeps the first message's bytes.
#[derive(Debug, Clone, Default)]
struct Counter {
    received: Arc<AtomicUsize>,
    first: Arc<Mutex<Vec<u8>>>,
    current: Vec<u8>,
}

impl Handler for Counter {
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let message = std::mem::take(&mut self.current);
        let mut first = self.first.lock().unwrap_or_else(|e| e.into_inner());
        if first.is_empty() {
            *first = message;
        }
        self.received.fetch_add(1, Ordering::SeqCst);
        response::OK
    }
}

impl Counter {
    fn received(&self) -> usize {
        self.received.load(Ordering::SeqCst)
    }
}

/// SMTP connections the product and the baseline send over.
const CONNECTIONS: u32 = 4;

async fn delivery(effort: Effort) -> anyhow::Result<Section> {
    let dir = tempfile::tempdir()?;
    let product = Host::start(&dir.path().join("db")).await?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let counter = Counter::default();
    let mut server = Server::new(counter.clone());
    server
        .with_name("smtp.bench")
        .with_num_threads(CONNECTIONS + 1)
        .with_tcp_listener(listener);
    std::thread::spawn(move || server.serve().ok());
    let mailer = Mailer::from_config(
        &MailConfig {
            smtp_host: "127.0.0.1".to_owned(),
            smtp_port: port,
            security: MailSecurity::None,
            connections: CONNECTIONS,
            ..MailConfig::default()
        },
        dir.path().join("mail"),
    )?;

    let mut ours = Vec::new();
    let mut raw = Vec::new();
    let mut delivered = 0;
    for round in 0..effort.rounds {
        queue(&product, &format!("mail{round}"), effort.emails).await?;
        let started = Instant::now();
        let attempted = deliver_due(&product.state, &mailer).await?;
        let elapsed = started.elapsed();
        delivered += effort.emails;
        anyhow::ensure!(
            attempted == effort.emails,
            "{attempted} emails attempted of {}",
            effort.emails
        );
        anyhow::ensure!(
            counter.received() == delivered,
            "the SMTP server received {} of {delivered} emails",
            counter.received()
        );
        ours.push(effort.emails as f64 / elapsed.as_secs_f64());

        let message = counter
            .first
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let started = Instant::now();
        raw_send(port, &message, effort.emails).await?;
        raw.push(effort.emails as f64 / started.elapsed().as_secs_f64());
        delivered += effort.emails;
        anyhow::ensure!(counter.received() == delivered, "the baseline lost emails");
    }

    // From the bulk request's answer to the last of its emails at the server, with the
    // product's worker running as `serve` runs it (woken by the commit).
    let stop = CancellationToken::new();
    let worker = tokio::spawn(run_delivery(
        product.state.clone(),
        mailer.clone(),
        std::time::Duration::from_secs(5),
        stop.clone(),
    ));
    let mut lag = Vec::new();
    for round in 0..effort.rounds {
        queue(&product, &format!("lag{round}"), effort.emails).await?;
        let answered = Instant::now();
        delivered += effort.emails;
        while counter.received() < delivered {
            anyhow::ensure!(
                answered.elapsed() < std::time::Duration::from_secs(60),
                "{} of {delivered} emails after a minute",
                counter.received()
            );
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        lag.push(answered.elapsed().as_secs_f64());
    }
    stop.cancel();
    worker.await?;

    let mut section = Section::new("Email delivery to a local SMTP server");
    section.note(format!(
        "{count} invitation emails per run, delivered by the product's outbox worker \
         (`deliver_due`: claim a batch, send over {CONNECTIONS} SMTP connections side by side \
         with `TCP_NODELAY`, write the outcomes together every 2 ms) to a real SMTP server on loopback (mailin-embedded). The baseline \
         sends the same message bytes to the same server over {CONNECTIONS} raw lettre \
         connections (`TCP_NODELAY`, no database). The last figure runs the worker as `serve` \
         does and times a request of {count} invitations from its answer to its last email \
         received. Every email was received.",
        count = thousands(effort.emails as f64)
    ));
    section.add(
        Figure::new("emails per second — product", Unit::PerSecond, ours.clone())
            .target(Target::AtLeast(1000.0)),
    );
    section.add(Figure::new(
        "emails per second — raw pooled SMTP client",
        Unit::PerSecond,
        raw.clone(),
    ));
    section.add(
        Figure::new(
            "product as a share of the raw client",
            Unit::Share,
            ours.iter().zip(&raw).map(|(o, r)| o / r).collect(),
        )
        .target(Target::AtLeast(0.5)),
    );
    section.add(
        Figure::new(
            "from the request's answer to its last email received",
            Unit::Time,
            lag,
        )
        .target(Target::AtMost(2.0)),
    );
    Ok(section)
}

/// Queues `count` invitation emails, in requests of up to 1,000.
async fn queue(product: &Host, prefix: &str, count: usize) -> anyhow::Result<()> {
    let mut left = count;
    while left > 0 {
        let batch = left.min(BATCH);
        product.invite(&format!("{prefix}-{left}"), batch).await?;
        left -= batch;
    }
    Ok(())
}

/// The baseline: `count` copies of `message` over [`CONNECTIONS`] plain lettre connections.
async fn raw_send(port: u16, message: &[u8], count: usize) -> anyhow::Result<()> {
    let message = Arc::new(message.to_vec());
    let lanes = CONNECTIONS as usize;
    let mut tasks = tokio::task::JoinSet::new();
    for lane in 0..lanes {
        let share = count / lanes + usize::from(lane < count % lanes);
        let message = Arc::clone(&message);
        tasks.spawn(async move {
            let socket = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
            socket.set_nodelay(true)?;
            let mut connection =
                AsyncSmtpConnection::connect_with_transport(Box::new(socket), &ClientId::default())
                    .await?;
            let envelope = Envelope::new(
                Some("bench@bench.example".parse()?),
                vec!["raw@bench.example".parse()?],
            )?;
            for _ in 0..share {
                connection.send(&envelope, &message).await?;
            }
            connection.quit().await?;
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(())
}
