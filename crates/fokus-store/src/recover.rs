//! A database file that cannot be used (not SQLite, corrupt, or from a newer build) is moved
//! aside with its `-wal` and `-shm` files, so the app can start afresh and the broken file stays
//! for a look. What is still readable of the app's own settings is carried over.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::{Store, StoreError};

impl StoreError {
    /// Whether the file itself is unusable (as opposed to a refused feed or a busy database):
    /// not a database, corrupt, or written by a newer build.
    pub fn is_unusable_file(&self) -> bool {
        match self {
            StoreError::SchemaTooNew { .. } | StoreError::Migration(_) => true,
            StoreError::Sqlite(error) => matches!(
                error.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
            ),
            _ => false,
        }
    }

    /// Whether the disk (or the database's size limit) is full.
    pub fn is_disk_full(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite(error) if error.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull)
        )
    }
}

impl Store {
    /// Opens the database at `path` and checks that its pages are sound (`PRAGMA quick_check`).
    pub fn open_checked(path: &Path) -> crate::Result<Store> {
        let store = Store::open(path)?;
        let verdict: String = store
            .conn
            .query_row("PRAGMA quick_check(1)", [], |row| row.get(0))?;
        if verdict != "ok" {
            return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                Some(verdict),
            )));
        }
        Ok(store)
    }
}

/// The app settings (`setting.*` rows of `meta`) that can still be read from a broken file.
pub fn readable_settings(path: &Path) -> Vec<(String, String)> {
    let read = || -> rusqlite::Result<Vec<(String, String)>> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let mut statement =
            conn.prepare("SELECT key, value FROM meta WHERE key LIKE 'setting.%'")?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>();
        rows
    };
    read()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(key, value)| Some((key.strip_prefix("setting.")?.to_owned(), value)))
        .collect()
}

/// Renames `path` and its `-wal` and `-shm` files to `<path>.broken-<label>…`; returns the new
/// name of the database file.
pub fn move_aside(path: &Path, label: &str) -> std::io::Result<PathBuf> {
    let target = PathBuf::from(format!("{}.broken-{label}", path.display()));
    for suffix in ["-wal", "-shm"] {
        let companion = PathBuf::from(format!("{}{suffix}", path.display()));
        if companion.exists() {
            std::fs::rename(&companion, format!("{}{suffix}", target.display()))?;
        }
    }
    if path.exists() {
        std::fs::rename(path, &target)?;
    }
    Ok(target)
}

impl Store {
    /// Opens the database at `path`; if the file is unusable, moves it aside, starts an empty
    /// database in its place and carries over the readable app settings. Returns the store and,
    /// after a recovery, where the broken file went and why it was broken.
    pub fn open_or_start_afresh(
        path: &Path,
        label: &str,
    ) -> crate::Result<(Store, Option<(PathBuf, StoreError)>)> {
        let error = match Store::open_checked(path) {
            Ok(store) => return Ok((store, None)),
            Err(error) if error.is_unusable_file() => error,
            Err(error) => return Err(error),
        };
        let settings = readable_settings(path);
        let moved = move_aside(path, label).map_err(|io| {
            StoreError::InvalidRow(format!("moving the broken {} aside: {io}", path.display()))
        })?;
        let store = Store::open(path)?;
        for (key, value) in settings {
            store.set_app_setting(&key, &value)?;
        }
        Ok((store, Some((moved, error))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make_cache(dir: &Path) -> PathBuf {
        let path = dir.join("cache.sqlite3");
        let store = Store::open(&path).unwrap();
        store
            .set_app_setting("app", r#"{"keep_in_tray":false}"#)
            .unwrap();
        store.set_app_setting("view", "/gebiet?gebiet=1").unwrap();
        path
    }

    #[test]
    fn unusable_files_are_moved_aside_and_settings_kept_where_readable() {
        type Break = fn(&Path);
        let cases: [(&str, Break, bool); 4] = [
            (
                "not a database",
                |path| {
                    std::fs::write(path, b"Das ist keine Datenbank, nur Text.".repeat(200)).unwrap()
                },
                false,
            ),
            (
                "corrupt pages",
                |path| {
                    let mut bytes = std::fs::read(path).unwrap();
                    let page = 4096;
                    for byte in bytes.iter_mut().skip(page).take(page) {
                        *byte = 0xA5;
                    }
                    std::fs::write(path, bytes).unwrap();
                },
                false,
            ),
            (
                "from a newer build",
                |path| {
                    Connection::open(path)
                        .unwrap()
                        .pragma_update(None, "user_version", 99)
                        .unwrap();
                },
                true,
            ),
            (
                "truncated to nothing useful",
                |path| {
                    let bytes = std::fs::read(path).unwrap();
                    std::fs::write(path, &bytes[..100]).unwrap();
                },
                false,
            ),
        ];
        for (why, damage, settings_readable) in cases {
            let dir = tempfile::tempdir().unwrap();
            let path = make_cache(dir.path());
            // Checkpoint so the damage hits the main file.
            Connection::open(&path)
                .unwrap()
                .pragma_update(None, "wal_checkpoint", "TRUNCATE")
                .unwrap();
            damage(&path);
            let (store, recovered) = Store::open_or_start_afresh(&path, "test").unwrap();
            let (moved, error) = recovered.unwrap_or_else(|| panic!("{why}: recognised as broken"));
            assert!(
                moved.exists(),
                "{why}: the broken file is kept at {}",
                moved.display()
            );
            assert!(error.is_unusable_file(), "{why}: {error}");
            assert_eq!(store.revision().unwrap(), 0, "{why}: a fresh database");
            assert_eq!(
                store.app_setting("view").unwrap().is_some(),
                settings_readable,
                "{why}: settings carried over where readable"
            );
            let (_, again) = Store::open_or_start_afresh(&path, "test2").unwrap();
            assert!(again.is_none(), "{why}: the fresh file opens normally");
        }
    }

    #[test]
    fn a_sound_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = make_cache(dir.path());
        let (store, recovered) = Store::open_or_start_afresh(&path, "test").unwrap();
        assert!(recovered.is_none());
        assert_eq!(
            store.app_setting("view").unwrap().as_deref(),
            Some("/gebiet?gebiet=1")
        );
    }

    #[test]
    fn a_full_disk_keeps_the_old_revision_and_says_so() {
        use fokus_model::content::{ContentDetails, ContentItem};
        let mut store = Store::open_in_memory().unwrap();
        let pages: u64 = store
            .conn
            .query_row("PRAGMA page_count", [], |row| row.get(0))
            .unwrap();
        store
            .conn
            .pragma_update(None, "max_page_count", pages + 2)
            .unwrap();
        let page = fokus_model::FeedPage {
            instance: "server".into(),
            since: 0,
            revision: 1,
            content: vec![ContentItem {
                id: "newsletter/2025-4".into(),
                title: "Newsletter".into(),
                date: "2025-12-15".into(),
                summary: String::new(),
                body_html: "<p>Viel Text</p>".repeat(100_000),
                details: ContentDetails::Newsletter {
                    year: 2025,
                    quarter: 4,
                },
                media: Vec::new(),
            }],
            ..Default::default()
        };
        let error = store.apply_feed(&page).unwrap_err();
        assert!(error.is_disk_full(), "{error}");
        assert!(
            !error.is_unusable_file(),
            "a full disk is no reason to throw the cache away"
        );
        assert_eq!(store.revision().unwrap(), 0, "the old revision is kept");
        assert!(
            store.content_ids().unwrap().is_empty(),
            "nothing half-written"
        );
    }
}
