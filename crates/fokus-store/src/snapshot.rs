//! The first sync of an empty cache as a file copy: the server writes its database as a client
//! would hold it after a full sync ([`Store::write_snapshot`]); an empty cache downloads that
//! file, and [`Store::restore_snapshot`] checks it as strictly as a feed page and copies it in
//! with SQLite's backup API, in one write transaction. No row passes through Rust on the way, no
//! index is built row by row, and memory stays bounded at any size.
//!
//! A snapshot is a file from the network: it is opened with `trusted_schema` off, its schema must
//! equal this build's, SQLite's full integrity check must pass (every index agreeing with its
//! table), and every row must pass the checks a feed row passes. Content HTML is cleaned again by the client's own policy and the search index is built
//! by the client, as after a feed page.

use std::path::Path;

use fokus_model::content::ContentItem;
use fokus_model::population::AGE_GROUPS;
use fokus_model::{Gap, ValueFlag, FIRST_YEAR, LAST_PROJECTION_YEAR, LAST_YEAR};
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::write::{as_received, check_content, content_json};
use crate::{ApplySummary, Result, Store, StoreError};

/// Meta keys the server's database shares with a client; any other key (the server's own
/// bookkeeping, a client's settings and last sync) stays where it is.
const SHARED_META: [&str; 4] = ["instance", "revision", "dataset", "dataset_revision"];

/// What a snapshot file holds, as its meta table says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    pub instance: String,
    pub revision: u64,
    /// The fingerprint of `revision` in the file's revision log. Announced by the server, it
    /// must match; empty where a server did not announce one (before timelines were named).
    pub fingerprint: String,
}

impl SnapshotInfo {
    /// What the snapshot file at `path` says it holds (for a file this build made itself, such
    /// as the app's bundled data; a downloaded one is checked against what the server announced).
    pub fn of_file(path: &Path) -> Result<SnapshotInfo> {
        read_info(&open_untrusted(path)?)
    }
}

fn invalid(problem: impl Into<String>) -> StoreError {
    StoreError::InvalidRow(format!("snapshot: {}", problem.into()))
}

/// `(type, name, sql)` of every schema object, in a stable order.
fn schema_of(conn: &Connection) -> Result<Vec<(String, String, Option<String>)>> {
    let mut statement =
        conn.prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")?;
    let rows = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The number of rows `sql` counts; a check passes when it is zero.
fn count(conn: &Connection, sql: &str) -> Result<u64> {
    Ok(conn.query_row(sql, [], |row| row.get(0))?)
}

fn quoted_list(words: impl IntoIterator<Item = &'static str>) -> String {
    words
        .into_iter()
        .map(|word| format!("'{word}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Writes this database as a client holds it after a full sync to `path` (which must not
    /// exist): the published rows, without the server's tombstones, media list, search index
    /// and bookkeeping, compacted. Returns its instance and revision.
    pub fn write_snapshot(&self, path: &Path) -> Result<SnapshotInfo> {
        let target = path
            .to_str()
            .ok_or_else(|| invalid(format!("path is not UTF-8: {}", path.display())))?;
        // One consistent read of the whole database, whatever commits meanwhile.
        self.conn.execute("VACUUM INTO ?1", [target])?;
        let conn = Connection::open(path)?;
        let keep = quoted_list(SHARED_META);
        conn.execute_batch(&format!(
            "DELETE FROM tombstone; DELETE FROM content_tombstone; DELETE FROM blob; DELETE FROM search;
             DELETE FROM meta WHERE key NOT IN ({keep});
             VACUUM;"
        ))?;
        read_info(&conn)
    }

    /// Replaces this cache's data, whatever it holds, with the snapshot at `path` (a file this
    /// process may change and then delete), if the snapshot is the `expected` instance and
    /// revision and passes every check; otherwise refuses and changes nothing. The cache's own
    /// settings, last sync and media list are carried over. Readers on other connections see the
    /// old or the new data.
    pub fn restore_snapshot(
        &mut self,
        path: &Path,
        expected: &SnapshotInfo,
    ) -> Result<ApplySummary> {
        let observations = {
            let snapshot = open_untrusted(path)?;
            check_snapshot(&snapshot, expected)?;
            let observations = count(&snapshot, "SELECT count(*) FROM observation")?;
            self.carry_local_state_into(&snapshot)?;
            observations
        };
        self.conn.restore(
            rusqlite::MAIN_DB,
            path,
            None::<fn(rusqlite::backup::Progress)>,
        )?;
        Ok(ApplySummary {
            revision: expected.revision,
            observations: observations as usize,
            deleted: 0,
        })
    }

    /// Copies what belongs to this cache and not to the server (meta keys other than the shared
    /// ones, the downloaded media list) into the snapshot, and builds its search index, in one
    /// transaction of the snapshot file.
    fn carry_local_state_into(&self, snapshot: &Connection) -> Result<()> {
        let keep = quoted_list(SHARED_META);
        let mut meta = self.conn.prepare(&format!(
            "SELECT key, value FROM meta WHERE key NOT IN ({keep})"
        ))?;
        let local_meta: Vec<(String, String)> = meta
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut blobs = self.conn.prepare("SELECT sha256, mime, size FROM blob")?;
        let local_blobs: Vec<(String, String, i64)> = blobs
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let tx = snapshot.unchecked_transaction()?;
        tx.execute(&format!("DELETE FROM meta WHERE key NOT IN ({keep})"), [])?;
        for (key, value) in &local_meta {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                [key, value],
            )?;
        }
        tx.execute("DELETE FROM blob", [])?;
        for (sha256, mime, size) in &local_blobs {
            tx.execute(
                "INSERT INTO blob (sha256, mime, size) VALUES (?1, ?2, ?3)",
                rusqlite::params![sha256, mime, size],
            )?;
        }
        crate::search::rebuild(&tx)?;
        tx.commit()?;
        Ok(())
    }
}

/// Opens a snapshot from the network: no schema code runs (`trusted_schema` off), SQLite checks
/// every page it reads, and the file must be a database at all.
fn open_untrusted(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA cell_size_check = ON;")
        .map_err(|error| invalid(format!("not a database: {error}")))?;
    Ok(conn)
}

fn read_info(conn: &Connection) -> Result<SnapshotInfo> {
    let meta = |key: &str| -> Result<Option<String>> {
        Ok(conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?)
    };
    let revision = meta("revision")?
        .and_then(|text| text.parse().ok())
        .unwrap_or(0u64);
    let fingerprint = conn
        .query_row(
            "SELECT fingerprint FROM revision_log WHERE revision = ?1",
            [revision],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or_default();
    Ok(SnapshotInfo {
        instance: meta("instance")?.unwrap_or_default(),
        revision,
        fingerprint,
    })
}

/// Every check a snapshot passes before it may replace a cache.
fn check_snapshot(snapshot: &Connection, expected: &SnapshotInfo) -> Result<()> {
    let version: usize = snapshot
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|error| invalid(format!("not a database: {error}")))?;
    if version != crate::SCHEMA_VERSION {
        return Err(invalid(format!(
            "schema version {version}, this build has {}",
            crate::SCHEMA_VERSION
        )));
    }
    let reference = Store::open_in_memory()?;
    if schema_of(snapshot)? != schema_of(&reference.conn)? {
        return Err(invalid("its tables differ from this build's"));
    }
    // The full check, not `quick_check`: only it compares each index with its table, and an
    // index that disagrees would have the app read other rows through it than through the
    // table, and its next write there find the database corrupt. About four times the quick
    // check's time (50 ms for the demo), once per first sync; memory stays bounded.
    let integrity: String = snapshot.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    if integrity != "ok" {
        return Err(invalid(format!("damaged: {integrity}")));
    }
    // Observations are checked for their indicator and area in the row check below, in the
    // same scan; the smaller tables through SQLite's own check.
    if count(
        snapshot,
        "SELECT (SELECT count(*) FROM pragma_foreign_key_check('population'))
              + (SELECT count(*) FROM pragma_foreign_key_check('movement'))",
    )? > 0
    {
        return Err(invalid("rows of unknown areas"));
    }
    let info = read_info(snapshot)?;
    if (info.instance.as_str(), info.revision) != (expected.instance.as_str(), expected.revision)
        || info.revision == 0
        || info.instance.is_empty()
    {
        return Err(invalid(format!(
            "holds revision {} of `{}`, announced were {} of `{}`",
            info.revision, info.instance, expected.revision, expected.instance
        )));
    }
    if !expected.fingerprint.is_empty() && info.fingerprint != expected.fingerprint {
        return Err(invalid(format!(
            "revision {} has the fingerprint {}, announced was {} (another timeline)",
            info.revision, info.fingerprint, expected.fingerprint
        )));
    }
    let gaps = quoted_list([Gap::NoData, Gap::Suppressed].map(Gap::as_str));
    let flags = quoted_list(ValueFlag::ALL.map(ValueFlag::as_str));
    let ages = AGE_GROUPS
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let (first, last, projected) = (FIRST_YEAR, LAST_YEAR, LAST_PROJECTION_YEAR);
    // The feed's row checks (`write::check_*`), as queries; each names what it refuses.
    let checks = [
        (
            format!(
                "SELECT count(*) FROM observation WHERE year NOT BETWEEN {first} AND {last}
                 OR (value IS NOT NULL AND (typeof(value) <> 'real' OR value <> value OR abs(value) > 1.7976931348623157e308))
                 OR (gap IS NOT NULL AND gap NOT IN ({gaps}))
                 OR (flag IS NOT NULL AND (value IS NULL OR flag NOT IN ({flags})))
                 OR indicator NOT IN (SELECT id FROM indicator) OR area NOT IN (SELECT id FROM area)"
            ),
            "values of unknown indicators or areas, with a year out of range, no finite number or an unknown marker",
        ),
        (
            format!(
                "SELECT count(*) FROM population WHERE age_from NOT IN ({ages})
                 OR year < {first} OR year > CASE WHEN projection THEN {projected} ELSE {last} END"
            ),
            "population counts with a year out of range or an unknown age group",
        ),
        (
            format!(
                "SELECT count(*) FROM spending WHERE year NOT BETWEEN {first} AND {last}
                 OR field = '' OR typeof(euros) <> 'real' OR abs(euros) > 1.7976931348623157e308"
            ),
            "spending rows without a field or a finite amount",
        ),
        (
            format!(
                "SELECT count(*) FROM budget WHERE year NOT BETWEEN {first} AND {last}
                 OR typeof(euros) <> 'real' OR NOT euros > 0 OR euros > 1.7976931348623157e308"
            ),
            "budget rows without a positive finite amount",
        ),
        (
            format!("SELECT count(*) FROM movement WHERE year NOT BETWEEN {first} AND {last}"),
            "movement rows with a year out of range",
        ),
        (
            "SELECT count(*) FROM tombstone".to_owned(),
            "server bookkeeping (tombstones)",
        ),
        (
            "SELECT count(*) FROM content_tombstone".to_owned(),
            "server bookkeeping (withdrawn content)",
        ),
    ];
    for (sql, what) in checks {
        let refused = count(snapshot, &sql)?;
        if refused > 0 {
            return Err(invalid(format!("{refused} {what}")));
        }
    }
    clean_content(snapshot)?;
    // The catalogue must read as the app reads it.
    let as_store = Store {
        conn: Connection::open_with_flags(
            snapshot.path().map(Path::new).unwrap_or(Path::new("")),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?,
    };
    as_store
        .conn
        .execute_batch("PRAGMA trusted_schema = OFF;")?;
    as_store
        .catalog()
        .map_err(|error| invalid(format!("catalogue unreadable: {error}")))?;
    Ok(())
}

/// Content items read at a time: the check's memory stays bounded whatever the snapshot holds.
const CONTENT_BATCH: u32 = 16;

/// Parses, checks and cleans every content item as a client does with a feed's items, a batch
/// at a time in the order of their ids.
fn clean_content(snapshot: &Connection) -> Result<()> {
    let too_large = count(
        snapshot,
        &format!(
            "SELECT count(*) FROM content WHERE length(CAST(item AS BLOB)) > {}",
            crate::MAX_CONTENT_ITEM_BYTES
        ),
    )?;
    if too_large > 0 {
        return Err(invalid(format!(
            "{too_large} content items larger than {} bytes",
            crate::MAX_CONTENT_ITEM_BYTES
        )));
    }
    let tx = snapshot.unchecked_transaction()?;
    let mut after = String::new();
    loop {
        let items: Vec<(String, String)> = tx
            .prepare_cached("SELECT id, item FROM content WHERE id > ?1 ORDER BY id LIMIT ?2")?
            .query_map(rusqlite::params![after, CONTENT_BATCH], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let Some((last, _)) = items.last() else {
            break;
        };
        after = last.clone();
        clean_batch(&tx, items)?;
    }
    tx.commit()?;
    Ok(())
}

fn clean_batch(tx: &rusqlite::Transaction<'_>, items: Vec<(String, String)>) -> Result<()> {
    for (id, json) in items {
        let item: ContentItem = serde_json::from_str(&json)
            .map_err(|error| invalid(format!("content `{id}` unreadable: {error}")))?;
        if item.id != id {
            return Err(invalid(format!("content `{id}` holds item `{}`", item.id)));
        }
        let item = as_received(&item);
        check_content(&item)?;
        tx.execute(
            "UPDATE content SET item = ?2, kind = ?3, date = ?4 WHERE id = ?1",
            rusqlite::params![id, content_json(&item)?, item.kind().as_str(), item.date],
        )?;
    }
    Ok(())
}
