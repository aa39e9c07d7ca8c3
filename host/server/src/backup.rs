//! `siteward backup` and `siteward restore`: a backup file is SurrealDB's export (SurrealQL)
//! ending with [`BACKUP_END`]; it is written next to its destination and renamed into place
//! only when complete, with progress on stderr as it grows. A restore goes into an empty
//! database and verifies every audit chain it brought.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{Stream, StreamExt};
use siteward_core::audit::AuditScope;
use siteward_storage::{StorageError, Store};

pub use crate::api::backup::BACKUP_END;

/// How much a backup grows between two progress lines.
const PROGRESS_EVERY: u64 = 16 << 20;

/// Where a backup is written until it is complete.
fn partial(to: &Path) -> PathBuf {
    let mut name = to.file_name().unwrap_or_default().to_owned();
    name.push(".partial");
    to.with_file_name(name)
}

/// Writes chunks to `to` (through a `.partial` file renamed at the end), printing progress;
/// the file must end with [`BACKUP_END`]. Returns its size.
async fn write_chunks(
    to: &Path,
    mut chunks: impl Stream<Item = anyhow::Result<Vec<u8>>> + Unpin,
) -> anyhow::Result<u64> {
    let started = Instant::now();
    let partial = partial(to);
    let mut file = std::fs::File::create(&partial)
        .with_context(|| format!("creating {}", partial.display()))?;
    let (mut written, mut reported, mut tail) = (0u64, 0u64, Vec::new());
    let result = async {
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk?;
            file.write_all(&chunk)?;
            written += chunk.len() as u64;
            tail.extend_from_slice(&chunk);
            let keep = tail.len().saturating_sub(BACKUP_END.len());
            tail.drain(..keep);
            if written - reported >= PROGRESS_EVERY {
                reported = written;
                eprintln!(
                    "backup: {} written ({:.1} s)",
                    mib(written),
                    started.elapsed().as_secs_f64()
                );
            }
        }
        if tail != BACKUP_END.as_bytes() {
            bail!(
                "the backup was cut short (it does not end with `{}`)",
                BACKUP_END.trim()
            );
        }
        file.sync_all()?;
        Ok(())
    }
    .await;
    if let Err(error) = result {
        std::fs::remove_file(&partial).ok();
        return Err(error);
    }
    std::fs::rename(&partial, to).with_context(|| format!("renaming to {}", to.display()))?;
    eprintln!(
        "backup: {} in {:.1} s → {}",
        mib(written),
        started.elapsed().as_secs_f64(),
        to.display()
    );
    Ok(written)
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
}

/// Backs up the database this process opened itself (an embedded one whose host is stopped).
pub async fn export_to(store: &Store, to: &Path) -> anyhow::Result<u64> {
    let chunks = store.export().await?;
    let chunks = chunks
        .map(|chunk: Result<Vec<u8>, StorageError>| chunk.map_err(anyhow::Error::from))
        .chain(futures_util::stream::iter([Ok(BACKUP_END
            .as_bytes()
            .to_vec())]));
    write_chunks(to, chunks).await
}

/// Downloads a backup from a running host (`GET /v1/backup` with an operator's token).
pub async fn download(host: &str, token: &str, to: &Path) -> anyhow::Result<u64> {
    let url = format!("{}/v1/backup", host.trim_end_matches('/'));
    let response = reqwest::Client::new()
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .with_context(|| format!("asking {url} for a backup"))?;
    if !response.status().is_success() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        bail!("{url} answered {status}: {body}");
    }
    let chunks = futures_util::stream::unfold(response, |mut response| async move {
        match response.chunk().await {
            Ok(Some(bytes)) => Some((Ok(bytes.to_vec()), response)),
            Ok(None) => None,
            Err(error) => Some((Err(anyhow::Error::from(error)), response)),
        }
    });
    write_chunks(to, Box::pin(chunks)).await
}

/// What a restore brought.
#[derive(Debug)]
pub struct Restored {
    /// Records restored.
    pub records: u64,
    /// Tables restored.
    pub tables: usize,
    /// Tenant audit chains verified.
    pub chains: usize,
    /// Whether every chain verified.
    pub intact: bool,
}

/// Loads a backup into `store`, which must be empty, then verifies every audit chain.
pub async fn restore(
    store: &Store,
    from: &Path,
    checkpoint_key: Option<&[u8]>,
) -> anyhow::Result<Restored> {
    check_complete(from)?;
    if !store.is_empty().await? {
        bail!(
            "the database is not empty: a backup is restored into an empty one (a new data folder, \
             or a new database on the SurrealDB server)"
        );
    }
    let size = std::fs::metadata(from)?.len();
    eprintln!("restore: loading {} from {}", mib(size), from.display());
    let started = Instant::now();
    let ticker = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            eprintln!(
                "restore: still loading ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    });
    let imported = store.import(from).await;
    ticker.abort();
    imported.context("loading the backup")?;
    let counts = store
        .table_counts()
        .await
        .context("counting the restored records")?;
    let records = counts.values().sum();
    eprintln!(
        "restore: {records} records in {} tables in {:.1} s; verifying the audit chains",
        counts.len(),
        started.elapsed().as_secs_f64()
    );
    let report = crate::audit::verify(store, &AuditScope::Platform, checkpoint_key).await?;
    Ok(Restored {
        records,
        tables: counts.len(),
        chains: report.chains.len(),
        intact: report.intact,
    })
}

/// Refuses a file that does not end as a complete backup does.
fn check_complete(from: &Path) -> anyhow::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file =
        std::fs::File::open(from).with_context(|| format!("opening {}", from.display()))?;
    let length = file.metadata()?.len();
    let end = BACKUP_END.len() as u64;
    let mut tail = vec![0; BACKUP_END.len()];
    if length < end {
        bail!("{} is not a Siteward backup", from.display());
    }
    file.seek(SeekFrom::Start(length - end))?;
    file.read_exact(&mut tail)?;
    if tail != BACKUP_END.as_bytes() {
        bail!(
            "{} does not end with `{}`: it is cut short, or not a Siteward backup",
            from.display(),
            BACKUP_END.trim()
        );
    }
    Ok(())
}
