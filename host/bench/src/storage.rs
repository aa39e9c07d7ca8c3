//! Bulk invitations through the product's code beside the storage engine's own ceiling for the
//! same rows, and email delivery to a local SMTP server.
//!
//! - Product: `POST /v1/partners/{id}/invitations` with 1,000 addresses per request, through
//!   the real router on embedded `surrealkv://`: validation, rendering, one transaction of
//!   invitation, slot, outbox and audit rows per request.
//! - Ceiling: the rows the product wrote, read back and inserted again into a fresh database
//!   with the same schema, one raw SurrealQL transaction (`INSERT INTO <table> $rows` per
//!   table) per 1,000 invitations — what the engine does for this schema with no product code.
//! - Delivery: the product's outbox worker (`deliver_due`) sending to a real SMTP server on
//!   loopback (mailin-embedded), emails per second.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use mailin_embedded::{Handler, Response, Server, response};
use surrealdb::types::Value as Row;

use siteward_server::config::{MailConfig, MailSecurity};
use siteward_server::mail::{Mailer, deliver_due};
use siteward_storage::{Store, StoreConfig};

use crate::Effort;
use crate::host::Host;

const BATCH: usize = 1000;
/// The tables one bulk invitation request writes.
const TABLES: [&str; 4] = [
    "invitation_slot",
    "invitation",
    "outbox_message",
    "audit_event",
];
use crate::report::{Figure, Section, Target, Unit, thousands};

/// Runs the bulk comparison and the delivery figure.
pub fn run(effort: Effort) -> anyhow::Result<Vec<Section>> {
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
                .query(format!("INSERT INTO {table} $rows_{table}"))
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

    let mut section = Section::new("Bulk invitations vs the storage engine's own batch insert");
    section.note(format!(
        "{} invitations in requests of 1,000 through the product (router, validation, rendering, \
         one transaction per request) on `surrealkv://`, each request a run; beside it the same \
         rows ({}) inserted raw into a fresh database with the same schema, one SurrealQL \
         transaction per 1,000 invitations.",
        thousands((batches * BATCH) as f64),
        rows_per_invitation.join(", ")
    ));
    section.add(Figure::new(
        "invitations per second — product",
        Unit::PerSecond,
        ours.clone(),
    ));
    section.add(Figure::new(
        "invitations per second — raw SurrealQL batch",
        Unit::PerSecond,
        theirs.clone(),
    ));
    section.add(
        Figure::new(
            "product as a share of the raw batch",
            Unit::Share,
            ours.iter().zip(&theirs).map(|(o, t)| o / t).collect(),
        )
        .target(Target::AtLeast(0.7)),
    );
    Ok(section)
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

/// Counts messages; accepts everything.
#[derive(Debug, Clone, Default)]
struct Counter(Arc<AtomicUsize>);

impl Handler for Counter {
    fn data_end(&mut self) -> Response {
        self.0.fetch_add(1, Ordering::SeqCst);
        response::OK
    }
}

async fn delivery(effort: Effort) -> anyhow::Result<Section> {
    let dir = tempfile::tempdir()?;
    let product = Host::start(&dir.path().join("db")).await?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let counter = Counter::default();
    let mut server = Server::new(counter.clone());
    server.with_name("smtp.bench").with_tcp_listener(listener);
    std::thread::spawn(move || server.serve().ok());
    let mailer = Mailer::from_config(
        &MailConfig {
            smtp_host: "127.0.0.1".to_owned(),
            smtp_port: port,
            security: MailSecurity::None,
            ..MailConfig::default()
        },
        dir.path().join("mail"),
    )?;

    let mut rates = Vec::new();
    let mut delivered = 0;
    for round in 0..effort.rounds {
        let mut left = effort.emails;
        while left > 0 {
            let count = left.min(BATCH);
            product
                .invite(&format!("mail{round}-{left}"), count)
                .await?;
            left -= count;
        }
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
            counter.0.load(Ordering::SeqCst) == delivered,
            "the SMTP server received {} of {delivered} emails",
            counter.0.load(Ordering::SeqCst)
        );
        rates.push(effort.emails as f64 / elapsed.as_secs_f64());
    }
    let mut section = Section::new("Email delivery to a local SMTP server");
    section.note(format!(
        "{} invitation emails per run, delivered by the product's outbox worker (`deliver_due`: \
         claim, send over SMTP with lettre, mark sent — one pooled connection) to a real SMTP \
         server on loopback (mailin-embedded); every email was received.",
        thousands(effort.emails as f64)
    ));
    section.add(Figure::new("emails per second", Unit::PerSecond, rates));
    Ok(section)
}
