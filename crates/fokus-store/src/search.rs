//! The full-text index (FTS5, table `search`): filled from indicators, areas and content in the
//! transaction that changes them, answered offline from the cache and by the server for the
//! web build. Folding, stemming and highlighting are `fokus_model::search`, so both sides agree.

use fokus_model::content::ContentItem;
use fokus_model::search::{
    fold, highlight, html_text, snippet, terms, Hit, HitGroup, HitKind, SearchResults,
    HITS_PER_KIND,
};
use fokus_model::AreaKind;
use rusqlite::{params, Connection, OptionalExtension};

use crate::{Result, Store};

/// Bumped when what the index holds or how it folds changes; a database built with another
/// version is reindexed when it is opened.
pub const INDEX_VERSION: &str = "1";

/// Words of a passage shown under a hit.
const SNIPPET_WORDS: usize = 24;

/// Rebuilds the whole index from the tables, inside the caller's transaction. A few hundred rows
/// for a county: cheaper and simpler to keep right than a row-by-row update.
pub(crate) fn rebuild(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM search", [])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO search (kind, id, title, body, folded_title, folded_body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut add = |kind: HitKind, id: &str, title: &str, body: &str| -> Result<()> {
        insert.execute(params![
            kind.as_str(),
            id,
            title,
            body,
            fold(title),
            fold(body)
        ])?;
        Ok(())
    };
    let indicators: Vec<(String, String, String, String, String, String)> = conn
        .prepare(
            "SELECT id, name, short_name, definition, synonyms, handlungsfeld FROM indicator WHERE retired = 0",
        )?
        .query_map([], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (id, name, short_name, definition, synonyms, field) in indicators {
        // Synonyms are stored joined by `|`; shown and searched as a list.
        let synonyms = synonyms.split('|').collect::<Vec<_>>().join(", ");
        let mut body = definition.trim_end_matches('.').to_owned();
        body.push('.');
        if short_name != name {
            body = format!("{short_name}. {body}");
        }
        if !synonyms.is_empty() {
            body.push_str(&format!(" Auch: {synonyms}."));
        }
        body.push_str(&format!(" Handlungsfeld {field}."));
        add(HitKind::Kennzahl, &id, &name, &body)?;
    }
    let areas: Vec<(String, String, String)> = conn
        .prepare("SELECT id, name, kind FROM area WHERE retired = 0")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, name, kind) in areas {
        let Some(kind) = AreaKind::parse(&kind) else {
            continue;
        };
        // Land and Bund are references beside the county's areas, not places to open.
        if matches!(kind, AreaKind::Land | AreaKind::Bund) {
            continue;
        }
        add(HitKind::Gebiet, &id, &name, kind.label_de())?;
    }
    let items: Vec<String> = conn
        .prepare("SELECT item FROM content")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for json in items {
        let Ok(item) = serde_json::from_str::<ContentItem>(&json) else {
            continue;
        };
        let mut body = item.summary.clone();
        body.push(' ');
        body.push_str(&html_text(&item.body_html));
        for media in &item.media {
            body.push(' ');
            body.push_str(&media.name);
        }
        add(
            HitKind::of_content(item.kind()),
            &item.id,
            &item.title,
            &body,
        )?;
    }
    Store::set_meta(conn, "search_index", INDEX_VERSION)?;
    Ok(())
}

impl Store {
    /// Reindexes a database whose index is missing or from another [`INDEX_VERSION`]: one
    /// written before the index existed, or by a build that folded differently.
    pub(crate) fn ensure_search_index(&mut self) -> Result<()> {
        let version: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'search_index'",
                [],
                |row| row.get(0),
            )
            .optional()?;
        if version.as_deref() != Some(INDEX_VERSION) {
            let tx = self.conn.transaction()?;
            rebuild(&tx)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Rebuilds the index in its own transaction (what a sync bringing content does inside
    /// its own); for the benchmark.
    pub fn rebuild_search_index(&mut self) -> Result<()> {
        let tx = self.conn.transaction()?;
        rebuild(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Everything that matches every word of `query` (as a prefix of its stem), grouped by kind,
    /// best first (title matches weigh ten times a match in the text).
    pub fn search(&self, query: &str) -> Result<SearchResults> {
        if query.chars().count() > fokus_model::search::MAX_INPUT_CHARS {
            return Err(crate::StoreError::InvalidArgument(format!(
                "Der Suchtext ist zu lang: höchstens {} Zeichen.",
                fokus_model::search::MAX_INPUT_CHARS
            )));
        }
        let terms = terms(query);
        if terms.is_empty() {
            return Ok(SearchResults::default());
        }
        // Terms are letters and digits only, so quoting them cannot change the query's syntax.
        let expression = terms
            .iter()
            .map(|term| format!("\"{term}\"*"))
            .collect::<Vec<_>>()
            .join(" ");
        let mut statement = self.conn.prepare_cached(
            "SELECT kind, id, title, body FROM search WHERE search MATCH ?1
             ORDER BY bm25(search, 0, 0, 0, 0, 10.0, 1.0), title",
        )?;
        let mut groups: Vec<HitGroup> = Vec::new();
        let rows = statement.query_map([&expression], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (kind, id, title, body) = row?;
            let Some(kind) = HitKind::parse(&kind) else {
                continue;
            };
            let group = match groups.iter_mut().position(|group| group.kind == kind) {
                Some(index) => &mut groups[index],
                None => {
                    groups.push(HitGroup {
                        kind,
                        total: 0,
                        hits: Vec::new(),
                    });
                    groups.last_mut().expect("just pushed")
                }
            };
            group.total += 1;
            if group.hits.len() < HITS_PER_KIND {
                group.hits.push(Hit {
                    id,
                    title: highlight(&title, &terms),
                    snippet: snippet(&body, &terms, SNIPPET_WORDS),
                });
            }
        }
        groups.sort_by_key(|group| group.kind);
        Ok(SearchResults { terms, groups })
    }
}
