//! The content editor's tables in the workspace database (migration 3 in `db.rs`): drafts,
//! one per item and person, and every published or withdrawn version of each item with who
//! did it, when, and the full text.

use fokus_model::redaktion::inhalte::{DraftInfo, HistoryAction, HistoryEntry};
use rusqlite::{params, OptionalExtension};

use crate::redaktion::db::Db;

/// A draft row.
#[derive(Debug, Clone)]
pub struct DraftRow {
    pub id: String,
    pub text: String,
    pub info: DraftInfo,
}

fn action_text(action: HistoryAction) -> &'static str {
    match action {
        HistoryAction::Ausgangsstand => "ausgangsstand",
        HistoryAction::Veroeffentlicht => "veroeffentlicht",
        HistoryAction::Zurueckgezogen => "zurueckgezogen",
    }
}

fn action_of(text: &str) -> HistoryAction {
    match text {
        "ausgangsstand" => HistoryAction::Ausgangsstand,
        "zurueckgezogen" => HistoryAction::Zurueckgezogen,
        _ => HistoryAction::Veroeffentlicht,
    }
}

const DRAFT_COLUMNS: &str = "content_draft.id, content_draft.text, content_draft.account,
    coalesce(account.display_name, content_draft.account), content_draft.saved, content_draft.base";

fn draft_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DraftRow> {
    Ok(DraftRow {
        id: row.get(0)?,
        text: row.get(1)?,
        info: DraftInfo {
            account: row.get(2)?,
            display_name: row.get(3)?,
            saved: row.get(4)?,
            base: row.get(5)?,
            stale: false,
        },
    })
}

const HISTORY_COLUMNS: &str = "content_version.seq, content_version.id, content_version.time,
    content_version.account, coalesce(account.display_name, content_version.account),
    content_version.action, content_version.revision, content_version.sha256,
    content_version.changes";

fn history_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<HistoryEntry> {
    let account: String = row.get(3)?;
    // The text from before the workspace was published from a folder, by no account.
    let display_name = if account.is_empty() {
        "Inhaltsordner".to_owned()
    } else {
        row.get(4)?
    };
    Ok(HistoryEntry {
        seq: row.get(0)?,
        id: row.get(1)?,
        time: row.get(2)?,
        account,
        display_name,
        action: action_of(&row.get::<_, String>(5)?),
        revision: row.get(6)?,
        version: row.get(7)?,
        changes: row.get(8)?,
    })
}

/// Saves `account`'s draft of `id`, replacing their earlier one.
pub fn save_draft(
    db: &Db,
    id: &str,
    account: &str,
    text: &str,
    base: Option<&str>,
    now: i64,
) -> rusqlite::Result<()> {
    db.connection().execute(
        "INSERT INTO content_draft (id, account, text, base, saved) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id, account) DO UPDATE SET text = ?3, base = ?4, saved = ?5",
        params![id, account, text, base, now],
    )?;
    Ok(())
}

/// Discards `account`'s draft of `id`; whether there was one.
pub fn discard_draft(db: &Db, id: &str, account: &str) -> rusqlite::Result<bool> {
    let removed = db.connection().execute(
        "DELETE FROM content_draft WHERE id = ?1 AND account = ?2",
        params![id, account],
    )?;
    Ok(removed == 1)
}

/// Every draft (of `id` only, when given), newest first.
pub fn drafts(db: &Db, id: Option<&str>) -> rusqlite::Result<Vec<DraftRow>> {
    let mut statement = db.connection().prepare_cached(&format!(
        "SELECT {DRAFT_COLUMNS} FROM content_draft
         LEFT JOIN account ON account.name = content_draft.account
         WHERE ?1 IS NULL OR content_draft.id = ?1
         ORDER BY content_draft.saved DESC, content_draft.account"
    ))?;
    let rows = statement.query_map([id], draft_row)?;
    rows.collect()
}

/// Adds a version to the history of `id`; its number.
#[allow(clippy::too_many_arguments)]
pub fn add_version(
    db: &Db,
    id: &str,
    time: i64,
    account: &str,
    action: HistoryAction,
    revision: Option<u64>,
    text: &str,
    changes: &str,
) -> rusqlite::Result<i64> {
    db.connection().execute(
        "INSERT INTO content_version (id, time, account, action, revision, text, sha256, changes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            time,
            account,
            action_text(action),
            revision,
            text,
            crate::publish::hex_sha256(text.as_bytes()),
            changes
        ],
    )?;
    Ok(db.connection().last_insert_rowid())
}

/// The history of `id`, newest first.
pub fn history(db: &Db, id: &str) -> rusqlite::Result<Vec<HistoryEntry>> {
    let mut statement = db.connection().prepare_cached(&format!(
        "SELECT {HISTORY_COLUMNS} FROM content_version
         LEFT JOIN account ON account.name = content_version.account
         WHERE content_version.id = ?1 ORDER BY content_version.seq DESC"
    ))?;
    let rows = statement.query_map([id], history_row)?;
    rows.collect()
}

/// The newest history entry of every item, and the withdrawn ones' last text.
pub fn latest(db: &Db) -> rusqlite::Result<Vec<(HistoryEntry, String)>> {
    let mut statement = db.connection().prepare_cached(&format!(
        "SELECT {HISTORY_COLUMNS}, content_version.text FROM content_version
         LEFT JOIN account ON account.name = content_version.account
         WHERE content_version.seq IN (SELECT max(seq) FROM content_version GROUP BY id)
         ORDER BY content_version.id"
    ))?;
    let rows = statement.query_map([], |row| Ok((history_row(row)?, row.get(9)?)))?;
    rows.collect()
}

/// One version with its text.
pub fn version(db: &Db, seq: i64) -> rusqlite::Result<Option<(HistoryEntry, String)>> {
    db.connection()
        .query_row(
            &format!(
                "SELECT {HISTORY_COLUMNS}, content_version.text FROM content_version
                 LEFT JOIN account ON account.name = content_version.account
                 WHERE content_version.seq = ?1"
            ),
            [seq],
            |row| Ok((history_row(row)?, row.get(9)?)),
        )
        .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_per_person_and_history_is_newest_first() {
        let db = Db::in_memory().unwrap();
        save_draft(&db, "newsletter/2026-1", "a", "eins", None, 10).unwrap();
        save_draft(&db, "newsletter/2026-1", "b", "zwei", Some("v1"), 20).unwrap();
        save_draft(&db, "newsletter/2026-1", "a", "drei", None, 30).unwrap();
        let all = drafts(&db, Some("newsletter/2026-1")).unwrap();
        let texts: Vec<(&str, &str)> = all
            .iter()
            .map(|row| (row.info.account.as_str(), row.text.as_str()))
            .collect();
        assert_eq!(
            texts,
            [("a", "drei"), ("b", "zwei")],
            "a's second save replaced a's first"
        );
        assert!(discard_draft(&db, "newsletter/2026-1", "a").unwrap());
        assert!(!discard_draft(&db, "newsletter/2026-1", "a").unwrap());

        let first = add_version(
            &db,
            "x",
            1,
            "a",
            HistoryAction::Veroeffentlicht,
            Some(5),
            "t1",
            "neu",
        )
        .unwrap();
        let second = add_version(
            &db,
            "x",
            2,
            "b",
            HistoryAction::Zurueckgezogen,
            Some(6),
            "t1",
            "zurückgezogen",
        )
        .unwrap();
        let entries = history(&db, "x").unwrap();
        assert_eq!(
            entries.iter().map(|entry| entry.seq).collect::<Vec<_>>(),
            [second, first]
        );
        assert_eq!(entries[0].action, HistoryAction::Zurueckgezogen);
        assert_eq!(
            entries[0].display_name, "b",
            "no account: its name stands in"
        );
        let latest = latest(&db).unwrap();
        assert_eq!(latest.len(), 1);
        assert_eq!(latest[0].0.seq, second);
        assert_eq!(version(&db, first).unwrap().unwrap().1, "t1");
    }
}
