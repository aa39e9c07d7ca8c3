//! Backups: SurrealDB's own export, a SurrealQL file that defines every table and index and
//! inserts every record, read in one transaction (a consistent snapshot while the host
//! serves); restore imports one into an empty database. Export and import are the embedded
//! engines' (`surrealkv://`, `mem://`); a SurrealDB server is backed up with its own
//! `surreal export`, whose file restores the same way.

use std::collections::BTreeMap;
use std::path::Path;

use futures_util::{Stream, StreamExt};

use crate::Store;
use crate::error::StorageError;

impl Store {
    /// The whole database as SurrealQL, in chunks as the engine writes them.
    pub async fn export(
        &self,
    ) -> Result<
        impl Stream<Item = Result<Vec<u8>, StorageError>> + Send + Unpin + 'static,
        StorageError,
    > {
        let backup = self.db.export(()).await.map_err(StorageError::backend)?;
        Ok(backup.map(|chunk| chunk.map_err(StorageError::backend)))
    }

    /// Whether the database holds no table at all (where a restore may go).
    pub async fn is_empty(&self) -> Result<bool, StorageError> {
        let tables: Option<i64> = self
            .db
            .query("RETURN array::len(object::keys((INFO FOR DB).tables))")
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(tables.unwrap_or(0) == 0)
    }

    /// Runs a SurrealQL export into this (empty) database.
    pub async fn import(&self, file: &Path) -> Result<(), StorageError> {
        self.db.import(file).await.map_err(StorageError::backend)
    }

    /// Every table with its number of records, by name.
    pub async fn table_counts(&self) -> Result<BTreeMap<String, u64>, StorageError> {
        let tables: Vec<String> = self
            .db
            .query("RETURN object::keys((INFO FOR DB).tables)")
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        let mut counts = BTreeMap::new();
        for table in tables {
            let count: Option<i64> = self
                .db
                .query("RETURN array::len(SELECT VALUE id FROM type::table($table))")
                .bind(("table", table.clone()))
                .await
                .and_then(|mut r| r.take(0))
                .map_err(StorageError::backend)?;
            counts.insert(table, u64::try_from(count.unwrap_or(0)).unwrap_or(0));
        }
        Ok(counts)
    }
}
