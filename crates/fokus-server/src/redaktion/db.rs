//! The workspace's own database (`<data-dir>/redaktion.sqlite3`): accounts, sessions, failed
//! sign-ins, the audit log, the Daten revision log with the values each import replaced, and
//! the content editor's drafts and history. It lives beside the published database, never
//! inside it, so no snapshot, feed page or backup of the published data can carry a password
//! hash, a session or an unpublished draft.

use std::path::Path;

use anyhow::Context;
use fokus_model::redaktion::daten::{Counts, EntryKind, ImportEntry};
use fokus_model::redaktion::{Account, AuditEntry, Role};
use rusqlite::{params, Connection, OptionalExtension};
use rusqlite_migration::{Migrations, M};

const M1_ACCOUNTS: &str = "
CREATE TABLE account (
    name TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    -- Role::as_str, comma-separated.
    roles TEXT NOT NULL,
    office TEXT NOT NULL DEFAULT '',
    -- PHC string of argon2id.
    password_hash TEXT NOT NULL,
    must_change INTEGER NOT NULL,
    locked INTEGER NOT NULL DEFAULT 0,
    -- Failed sign-ins since the last success, and until when sign-in is refused for them.
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL
) STRICT;
CREATE TABLE session (
    -- SHA-256 of the cookie's token: the database alone does not sign anyone in.
    token_hash TEXT PRIMARY KEY,
    account TEXT NOT NULL REFERENCES account(name) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    expires INTEGER NOT NULL
) STRICT;
CREATE INDEX session_account ON session(account);
CREATE TABLE login_failure (
    address TEXT NOT NULL,
    time INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failure_address ON login_failure(address, time);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    account TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    address TEXT NOT NULL
) STRICT;
";

/// The Daten revision log: every import taken over in the workspace and every undo, and for
/// each row it wrote the row before and after, so "Rückgängig machen" can restore the values it
/// replaced. The published database knows revisions but not who made them nor what they
/// replaced; that stays here, with the accounts.
const M2_DATEN_LOG: &str = "
CREATE TABLE daten_entry (
    id INTEGER PRIMARY KEY,
    -- EntryKind: 'import' or 'undo'.
    kind TEXT NOT NULL,
    account TEXT NOT NULL,
    display_name TEXT NOT NULL,
    time INTEGER NOT NULL,
    name TEXT NOT NULL,
    -- The revision committed; NULL while committing (and if the server stopped meanwhile) or
    -- when nothing changed.
    revision INTEGER,
    new INTEGER NOT NULL DEFAULT 0,
    changed INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    undoes INTEGER REFERENCES daten_entry(id),
    undone_by INTEGER REFERENCES daten_entry(id),
    -- Why it cannot be taken back (German), NULL if it can.
    not_undoable TEXT
) STRICT;
CREATE INDEX daten_entry_revision ON daten_entry(revision);
CREATE TABLE daten_row (
    entry INTEGER NOT NULL REFERENCES daten_entry(id) ON DELETE CASCADE,
    -- Table::as_str of fokus_model::redaktion::daten.
    table_name TEXT NOT NULL,
    -- The row's key within its table, as daten.rs spells it.
    key TEXT NOT NULL,
    -- The row as JSON (its wire type) before and after the entry; NULL: no such row.
    before TEXT,
    after TEXT,
    PRIMARY KEY (entry, table_name, key)
) STRICT;
";

/// Migration 3: the content editor's drafts and each item's history (`inhalte/versions.rs`). Drafts are
/// kept here, never in the published database, so no app sees one before it is published.
const M3_CONTENT: &str = "
CREATE TABLE content_draft (
    -- The item's id (its path in the content folder without `.md`).
    id TEXT NOT NULL,
    -- One draft per item and person: nobody overwrites another's.
    account TEXT NOT NULL,
    -- The whole file as it would be written.
    text TEXT NOT NULL,
    -- SHA-256 of the published file the draft started from; NULL for a new item.
    base TEXT,
    saved INTEGER NOT NULL,
    PRIMARY KEY (id, account)
) STRICT;
CREATE TABLE content_version (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    time INTEGER NOT NULL,
    account TEXT NOT NULL,
    -- HistoryAction: ausgangsstand, veroeffentlicht, zurueckgezogen.
    action TEXT NOT NULL,
    revision INTEGER,
    -- The whole file (for a withdrawal: the file withdrawn, to restore it from).
    text TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    -- What changed against the version before, for people.
    changes TEXT NOT NULL
) STRICT;
CREATE INDEX content_version_id ON content_version(id, seq);
";

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(M1_ACCOUNTS),
        M::up(M2_DATEN_LOG),
        M::up(M3_CONTENT),
    ])
}

/// One row an entry of the Daten log wrote: its table, key, and JSON before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatenRow {
    pub table: String,
    pub key: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

const DATEN_ENTRY_COLUMNS: &str = "id, kind, account, display_name, time, name, revision, new,
    changed, unchanged, deleted, undoes, undone_by, not_undoable";

fn daten_entry_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<ImportEntry> {
    let kind: String = row.get(1)?;
    Ok(ImportEntry {
        id: row.get(0)?,
        kind: if kind == "undo" {
            EntryKind::Undo
        } else {
            EntryKind::Import
        },
        account: row.get(2)?,
        display_name: row.get(3)?,
        time: row.get(4)?,
        name: row.get(5)?,
        revision: row.get(6)?,
        counts: Counts {
            new: row.get(7)?,
            changed: row.get(8)?,
            unchanged: row.get(9)?,
        },
        deleted: row.get(10)?,
        undoes: row.get(11)?,
        undone_by: row.get(12)?,
        not_undoable: row.get(13)?,
    })
}

/// The workspace database, open.
pub struct Db {
    conn: Connection,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Db")
    }
}

/// An account row with what only the server sees.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub account: Account,
    pub password_hash: String,
    pub failures: i64,
}

/// A session row.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub account: String,
    pub csrf: String,
    pub last_seen: i64,
    pub expires: i64,
}

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|role| role.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn roles_of(text: &str) -> Vec<Role> {
    let mut roles: Vec<Role> = text.split(',').filter_map(Role::parse).collect();
    roles.sort();
    roles.dedup();
    roles
}

fn account_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        account: Account {
            name: row.get(0)?,
            display_name: row.get(1)?,
            roles: roles_of(&row.get::<_, String>(2)?),
            office: row.get(3)?,
            must_change_password: row.get(5)?,
            locked: row.get(6)?,
            locked_until: row.get(8)?,
        },
        password_hash: row.get(4)?,
        failures: row.get(7)?,
    })
}

const ACCOUNT_COLUMNS: &str =
    "name, display_name, roles, office, password_hash, must_change, locked, failures, locked_until";

impl Db {
    /// Opens (or creates) the workspace database at `path`.
    pub fn open(path: &Path) -> anyhow::Result<Db> {
        let mut conn =
            Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        Db::prepare(&mut conn)?;
        Ok(Db { conn })
    }

    /// A database in memory (tests).
    pub fn in_memory() -> anyhow::Result<Db> {
        let mut conn = Connection::open_in_memory()?;
        Db::prepare(&mut conn)?;
        Ok(Db { conn })
    }

    fn prepare(conn: &mut Connection) -> anyhow::Result<()> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations()
            .to_latest(conn)
            .context("migrating the Redaktion database")?;
        Ok(())
    }

    /// The connection, for the modules that keep their own tables here (`inhalte`).
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }

    pub fn account(&self, name: &str) -> rusqlite::Result<Option<AccountRow>> {
        self.conn
            .query_row(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM account WHERE name = ?1"),
                [name],
                account_row,
            )
            .optional()
    }

    pub fn accounts(&self) -> rusqlite::Result<Vec<Account>> {
        let mut statement = self.conn.prepare(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM account ORDER BY name"
        ))?;
        let rows = statement.query_map([], account_row)?;
        rows.map(|row| row.map(|row| row.account)).collect()
    }

    /// Adds an account; `false` when the name is taken.
    pub fn add_account(
        &self,
        account: &Account,
        password_hash: &str,
        now: i64,
    ) -> rusqlite::Result<bool> {
        let added = self.conn.execute(
            "INSERT OR IGNORE INTO account
                (name, display_name, roles, office, password_hash, must_change, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                account.name,
                account.display_name,
                roles_text(&account.roles),
                account.office,
                password_hash,
                account.must_change_password,
                now
            ],
        )?;
        Ok(added == 1)
    }

    /// Sets a password (and whether it must be changed at the next sign-in), lifts a lockout
    /// after failed attempts and ends every session of the account.
    pub fn set_password(
        &self,
        name: &str,
        password_hash: &str,
        must_change: bool,
    ) -> rusqlite::Result<bool> {
        let changed = self.conn.execute(
            "UPDATE account SET password_hash = ?2, must_change = ?3, failures = 0, locked_until = 0
             WHERE name = ?1",
            params![name, password_hash, must_change],
        )?;
        self.conn
            .execute("DELETE FROM session WHERE account = ?1", [name])?;
        Ok(changed == 1)
    }

    /// The person's own new password: their other sessions end, `keep` (the one they changed
    /// it in) goes on.
    pub fn set_own_password(
        &self,
        name: &str,
        password_hash: &str,
        keep: &str,
    ) -> rusqlite::Result<()> {
        self.conn.execute(
            "UPDATE account SET password_hash = ?2, must_change = 0 WHERE name = ?1",
            params![name, password_hash],
        )?;
        self.end_other_sessions(name, keep)
    }

    /// Locks or unlocks an account; locking ends its sessions.
    pub fn set_locked(&self, name: &str, locked: bool) -> rusqlite::Result<bool> {
        let changed = self.conn.execute(
            "UPDATE account SET locked = ?2, failures = 0, locked_until = 0 WHERE name = ?1",
            params![name, locked],
        )?;
        if locked {
            self.conn
                .execute("DELETE FROM session WHERE account = ?1", [name])?;
        }
        Ok(changed == 1)
    }

    /// Records a failed sign-in for an account: the failure count and the lockout it earns.
    pub fn account_failed(&self, name: &str, locked_until: i64) -> rusqlite::Result<()> {
        self.conn.execute(
            "UPDATE account SET failures = failures + 1, locked_until = max(locked_until, ?2)
             WHERE name = ?1",
            params![name, locked_until],
        )?;
        Ok(())
    }

    pub fn account_succeeded(&self, name: &str) -> rusqlite::Result<()> {
        self.conn.execute(
            "UPDATE account SET failures = 0, locked_until = 0 WHERE name = ?1",
            [name],
        )?;
        Ok(())
    }

    /// Records a failed sign-in from `address`, forgetting those older than `forget_before`.
    pub fn address_failed(
        &self,
        address: &str,
        now: i64,
        forget_before: i64,
    ) -> rusqlite::Result<()> {
        self.conn
            .execute("DELETE FROM login_failure WHERE time < ?1", [forget_before])?;
        self.conn.execute(
            "INSERT INTO login_failure (address, time) VALUES (?1, ?2)",
            params![address, now],
        )?;
        Ok(())
    }

    /// Failed sign-ins from `address` since `since`.
    pub fn address_failures(&self, address: &str, since: i64) -> rusqlite::Result<i64> {
        self.conn.query_row(
            "SELECT count(*) FROM login_failure WHERE address = ?1 AND time >= ?2",
            params![address, since],
            |row| row.get(0),
        )
    }

    pub fn add_session(
        &self,
        token_hash: &str,
        account: &str,
        csrf: &str,
        now: i64,
        expires: i64,
    ) -> rusqlite::Result<()> {
        // Sessions that ended are not kept.
        self.conn
            .execute("DELETE FROM session WHERE expires <= ?1", [now])?;
        self.conn.execute(
            "INSERT INTO session (token_hash, account, csrf, created, last_seen, expires)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
            params![token_hash, account, csrf, now, expires],
        )?;
        Ok(())
    }

    pub fn session(&self, token_hash: &str) -> rusqlite::Result<Option<SessionRow>> {
        self.conn
            .query_row(
                "SELECT account, csrf, last_seen, expires FROM session WHERE token_hash = ?1",
                [token_hash],
                |row| {
                    Ok(SessionRow {
                        account: row.get(0)?,
                        csrf: row.get(1)?,
                        last_seen: row.get(2)?,
                        expires: row.get(3)?,
                    })
                },
            )
            .optional()
    }

    pub fn touch_session(&self, token_hash: &str, now: i64) -> rusqlite::Result<()> {
        self.conn.execute(
            "UPDATE session SET last_seen = ?2 WHERE token_hash = ?1",
            params![token_hash, now],
        )?;
        Ok(())
    }

    pub fn end_session(&self, token_hash: &str) -> rusqlite::Result<()> {
        self.conn
            .execute("DELETE FROM session WHERE token_hash = ?1", [token_hash])?;
        Ok(())
    }

    /// Ends the account's other sessions (after it changed its own password).
    pub fn end_other_sessions(&self, account: &str, keep: &str) -> rusqlite::Result<()> {
        self.conn.execute(
            "DELETE FROM session WHERE account = ?1 AND token_hash <> ?2",
            params![account, keep],
        )?;
        Ok(())
    }

    pub fn audit(&self, entry: &AuditEntry) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO audit (time, account, action, detail, address) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                entry.time,
                entry.account,
                entry.action,
                entry.detail,
                entry.from
            ],
        )?;
        Ok(())
    }

    /// The newest `limit` entries, newest first.
    pub fn audit_log(&self, limit: u32) -> rusqlite::Result<Vec<AuditEntry>> {
        let mut statement = self.conn.prepare(
            "SELECT time, account, action, detail, address FROM audit ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = statement.query_map([limit], |row| {
            Ok(AuditEntry {
                time: row.get(0)?,
                account: row.get(1)?,
                action: row.get(2)?,
                detail: row.get(3)?,
                from: row.get(4)?,
            })
        })?;
        rows.collect()
    }

    /// Records an entry of the Daten log and the rows it is about to write, before the store
    /// commits them (its revision is set afterwards): if the server stops in between, the
    /// values to restore are kept. Returns the entry's id.
    pub fn add_daten_entry(&self, entry: &ImportEntry, rows: &[DatenRow]) -> rusqlite::Result<i64> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO daten_entry (kind, account, display_name, time, name, revision, new,
                changed, unchanged, deleted, undoes, not_undoable)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                match entry.kind {
                    EntryKind::Import => "import",
                    EntryKind::Undo => "undo",
                },
                entry.account,
                entry.display_name,
                entry.time,
                entry.name,
                entry.revision,
                entry.counts.new,
                entry.counts.changed,
                entry.counts.unchanged,
                entry.deleted,
                entry.undoes,
                entry.not_undoable
            ],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut insert = tx.prepare(
                "INSERT INTO daten_row (entry, table_name, key, before, after) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for row in rows {
                insert.execute(params![id, row.table, row.key, row.before, row.after])?;
            }
        }
        tx.commit()?;
        Ok(id)
    }

    /// What the store did with an entry: its revision (`None`: nothing changed) and counts; an
    /// import it takes back is marked as taken back in the same transaction.
    pub fn finish_daten_entry(
        &self,
        id: i64,
        revision: Option<u64>,
        counts: Counts,
        deleted: u64,
        not_undoable: Option<&str>,
    ) -> rusqlite::Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "UPDATE daten_entry SET revision = ?2, new = ?3, changed = ?4, unchanged = ?5,
                deleted = ?6, not_undoable = coalesce(?7, not_undoable)
             WHERE id = ?1",
            params![
                id,
                revision,
                counts.new,
                counts.changed,
                counts.unchanged,
                deleted,
                not_undoable
            ],
        )?;
        tx.execute(
            "UPDATE daten_entry SET undone_by = ?1
             WHERE id = (SELECT undoes FROM daten_entry WHERE id = ?1)",
            [id],
        )?;
        tx.commit()
    }

    /// Forgets an entry whose commit was refused.
    pub fn drop_daten_entry(&self, id: i64) -> rusqlite::Result<()> {
        self.conn
            .execute("DELETE FROM daten_entry WHERE id = ?1", [id])?;
        Ok(())
    }

    pub fn daten_entry(&self, id: i64) -> rusqlite::Result<Option<ImportEntry>> {
        self.conn
            .query_row(
                &format!("SELECT {DATEN_ENTRY_COLUMNS} FROM daten_entry WHERE id = ?1"),
                [id],
                daten_entry_of,
            )
            .optional()
    }

    /// The entry that committed `revision`, if the workspace made it.
    pub fn daten_entry_of_revision(&self, revision: u64) -> rusqlite::Result<Option<ImportEntry>> {
        self.conn
            .query_row(
                &format!("SELECT {DATEN_ENTRY_COLUMNS} FROM daten_entry WHERE revision = ?1"),
                [revision],
                daten_entry_of,
            )
            .optional()
    }

    /// The newest `limit` entries, newest first.
    pub fn daten_entries(&self, limit: u32) -> rusqlite::Result<Vec<ImportEntry>> {
        let mut statement = self.conn.prepare(&format!(
            "SELECT {DATEN_ENTRY_COLUMNS} FROM daten_entry ORDER BY id DESC LIMIT ?1"
        ))?;
        let rows = statement.query_map([limit], daten_entry_of)?;
        rows.collect()
    }

    /// The rows an entry wrote, in the order it recorded them.
    pub fn daten_rows(&self, entry: i64) -> rusqlite::Result<Vec<DatenRow>> {
        let mut statement = self.conn.prepare(
            "SELECT table_name, key, before, after FROM daten_row WHERE entry = ?1 ORDER BY rowid",
        )?;
        let rows = statement.query_map([entry], |row| {
            Ok(DatenRow {
                table: row.get(0)?,
                key: row.get(1)?,
                before: row.get(2)?,
                after: row.get(3)?,
            })
        })?;
        rows.collect()
    }

    /// A consistent copy of the database at `out` (`VACUUM INTO`; `out` must not exist), for
    /// `backup`.
    pub fn backup_to(&self, out: &Path) -> anyhow::Result<()> {
        let target = out
            .to_str()
            .with_context(|| format!("backup path is not UTF-8: {}", out.display()))?;
        self.conn.execute("VACUUM INTO ?1", [target])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(name: &str) -> Account {
        Account {
            name: name.into(),
            display_name: "Test".into(),
            roles: vec![Role::Fachdienst, Role::Admin],
            office: "Fachdienst Soziales".into(),
            must_change_password: true,
            locked: false,
            locked_until: 0,
        }
    }

    #[test]
    fn an_account_is_added_once_and_read_back() {
        let db = Db::in_memory().unwrap();
        assert!(db.add_account(&account("a"), "hash", 1).unwrap());
        assert!(!db.add_account(&account("a"), "other", 2).unwrap());
        let row = db.account("a").unwrap().unwrap();
        assert_eq!(row.account.roles, vec![Role::Admin, Role::Fachdienst]);
        assert_eq!(row.password_hash, "hash");
        assert!(db.account("b").unwrap().is_none());
    }

    #[test]
    fn a_new_password_ends_every_session_and_lifts_the_lockout() {
        let db = Db::in_memory().unwrap();
        db.add_account(&account("a"), "hash", 1).unwrap();
        db.add_session("t1", "a", "c", 1, 100).unwrap();
        db.account_failed("a", 50).unwrap();
        assert_eq!(db.account("a").unwrap().unwrap().account.locked_until, 50);
        db.set_password("a", "new", false).unwrap();
        assert!(db.session("t1").unwrap().is_none());
        let row = db.account("a").unwrap().unwrap();
        assert_eq!((row.failures, row.account.locked_until), (0, 0));
    }

    #[test]
    fn failures_by_address_are_counted_in_their_window() {
        let db = Db::in_memory().unwrap();
        for time in [10, 20, 30] {
            db.address_failed("1.2.3.4", time, 0).unwrap();
        }
        assert_eq!(db.address_failures("1.2.3.4", 15).unwrap(), 2);
        db.address_failed("1.2.3.4", 40, 25).unwrap();
        assert_eq!(db.address_failures("1.2.3.4", 0).unwrap(), 2);
        assert_eq!(db.address_failures("5.6.7.8", 0).unwrap(), 0);
    }
}
