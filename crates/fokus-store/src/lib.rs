//! The SQLite store behind both the app's offline cache and the server's database: one schema,
//! one set of queries, so what the server serves and what the app shows cannot drift apart.
//!
//! Read paths live in [`read`] (served to clients through the table in [`reads`]), write paths
//! in [`write`]. Every write is one transaction: the
//! cache is always at the old or the new revision, never between.

mod changes;
pub use changes::parse_subjects;
pub mod html;
mod read;
mod recover;
pub use recover::{move_aside, readable_settings};
pub mod reads;
mod schema;
mod search;
mod snapshot;
pub use snapshot::SnapshotInfo;
mod stored;
pub use stored::Stored;
mod write;

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

pub use schema::SCHEMA_VERSION;

/// The largest content item (its JSON) a snapshot may hold: an item is text (a chapter, a
/// recommendation, a newsletter), tens of kilobytes; media travel as blobs.
pub const MAX_CONTENT_ITEM_BYTES: u64 = 8 * 1024 * 1024;
pub use write::{ApplySummary, Changes, CommitSummary};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database has schema version {found}, this build knows up to {supported}; update the app")]
    SchemaTooNew { found: usize, supported: usize },
    #[error("migrating the database failed: {0}")]
    Migration(String),
    #[error("{what} `{id}` gibt es nicht")]
    NotFound { what: &'static str, id: String },
    #[error("the feed starts at revision {since}, but the cache is at {local}")]
    FeedMismatch { local: u64, since: u64 },
    #[error("the feed's revision {remote} is behind the cache's {local}")]
    RevisionBackwards { local: u64, remote: u64 },
    #[error("invalid row: {0}")]
    InvalidRow(String),
    #[error("the feed comes from server instance `{remote}`, the cache holds `{local}`")]
    OtherInstance { local: String, remote: String },
    /// A read's argument the store cannot use (German, for the caller).
    #[error("{0}")]
    InvalidArgument(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open database. Not `Sync`: share it behind a mutex, or open one per thread (WAL lets
/// readers and one writer work side by side).
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // WAL + synchronous=NORMAL: a commit survives a process kill; a power cut can lose the
        // last commit but never corrupts, and the next sync refetches what was lost. In the
        // browser (OPFS "sahpool", one connection, no shared memory) the rollback journal keeps
        // commits atomic instead.
        #[cfg(not(target_family = "wasm"))]
        {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Store::prepare(conn)
    }

    pub fn open_in_memory() -> Result<Store> {
        Store::prepare(Connection::open_in_memory()?)
    }

    fn prepare(mut conn: Connection) -> Result<Store> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let found: usize = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        schema::migrations()
            .to_latest(&mut conn)
            .map_err(|error| StoreError::Migration(error.to_string()))?;
        let mut store = Store { conn };
        store.ensure_search_index()?;
        Ok(store)
    }

    /// The database file; `None` in memory.
    pub fn path(&self) -> Option<std::path::PathBuf> {
        self.conn
            .path()
            .filter(|path| !path.is_empty())
            .map(std::path::PathBuf::from)
    }

    /// The last revision applied completely; 0 for an empty database.
    pub fn revision(&self) -> Result<u64> {
        Ok(self
            .meta("revision")?
            .and_then(|text| text.parse().ok())
            .unwrap_or(0))
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?)
    }

    fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// The server database whose revisions this store holds: on the server its own identity, in a
    /// cache the identity of the server it mirrors. Empty until set.
    pub fn instance(&self) -> Result<String> {
        Ok(self.meta("instance")?.unwrap_or_default())
    }

    /// Gives a server database its identity once, on first use; `new_id` is used only then.
    pub fn ensure_instance(&self, new_id: &str) -> Result<String> {
        match self.meta("instance")? {
            Some(existing) => Ok(existing),
            None => {
                Store::set_meta(&self.conn, "instance", new_id)?;
                Ok(new_id.to_owned())
            }
        }
    }

    /// Unix seconds of the last successful sync (client side).
    pub fn last_sync(&self) -> Result<Option<i64>> {
        Ok(self.meta("last_sync")?.and_then(|text| text.parse().ok()))
    }

    pub fn set_last_sync(&self, unix_seconds: i64) -> Result<()> {
        Store::set_meta(&self.conn, "last_sync", &unix_seconds.to_string())
    }

    /// An app setting (client side), kept in `meta` under `setting.<key>`; survives full
    /// resyncs, which replace only data.
    pub fn app_setting(&self, key: &str) -> Result<Option<String>> {
        self.meta(&format!("setting.{key}"))
    }

    pub fn set_app_setting(&self, key: &str, value: &str) -> Result<()> {
        Store::set_meta(&self.conn, &format!("setting.{key}"), value)
    }

    /// Writes a consistent copy of the whole database to `path` (SQLite's `VACUUM INTO`): safe
    /// while other connections read and write, and the copy is compact. `path` must not exist.
    pub fn backup_to(&self, path: &Path) -> Result<()> {
        let target = path.to_str().ok_or_else(|| {
            StoreError::InvalidRow(format!("backup path is not UTF-8: {}", path.display()))
        })?;
        self.conn.execute("VACUUM INTO ?1", [target])?;
        Ok(())
    }

    /// The database's size in bytes (pages times page size), where no file size can be read
    /// (the browser's pool of OPFS files).
    pub fn size_bytes(&self) -> Result<u64> {
        let pages: u64 = self
            .conn
            .pragma_query_value(None, "page_count", |row| row.get(0))?;
        let page_size: u64 = self
            .conn
            .pragma_query_value(None, "page_size", |row| row.get(0))?;
        Ok(pages * page_size)
    }

    /// `PRAGMA integrity_check`: true when SQLite finds nothing wrong.
    pub fn integrity_ok(&self) -> Result<bool> {
        let answer: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
        Ok(answer == "ok")
    }
}
