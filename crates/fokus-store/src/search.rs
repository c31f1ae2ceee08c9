//! The full-text index (FTS5, table `search`): filled from indicators, areas and content in the
//! transaction that changes them, answered offline from the cache and by the server for the
//! web build. Folding, stemming and highlighting are `fokus_model::search`, so both sides agree.

use fokus_model::content::{ContentDetails, ContentItem};
use fokus_model::search::{
    fold, highlight, html_text, snippet, terms, without_area, AreaRef, Hit, HitGroup, HitKind,
    SearchResults, HITS_PER_KIND,
};
use fokus_model::AreaKind;
use rusqlite::{params, Connection, OptionalExtension};

use crate::{Result, Store};

/// Bumped when what the index holds or how it folds changes; a database built with another
/// version is reindexed when it is opened.
pub const INDEX_VERSION: &str = "2";

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
    // The Gemeinde of an amtsfreie Gemeinde is the same place under the same name: one hit, the
    // map area's (its profile is the one people mean).
    let areas: Vec<(String, String, String)> = conn
        .prepare(
            "SELECT area.id, area.name, area.kind FROM area
             LEFT JOIN area AS parent ON parent.id = area.parent
             WHERE area.retired = 0
               AND NOT (area.kind = 'gemeinde' AND parent.name IS NOT NULL AND parent.name = area.name)",
        )?
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

    /// Everything that matches every word of `query`, grouped by kind, best first: words found
    /// as the prefix of a word (ranked by bm25, title matches weighing ten times a match in the
    /// text), then words found inside a compound ("Armut" in "Kinderarmut"). A query that names an
    /// area beside other words ("Elmshorn SGB-II") finds the indicators for the rest and says
    /// which area they are for.
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
        let mut found = self.matching(&terms)?;
        if let Some((area, rest)) = self.area_in(&terms)? {
            // The indicators for the rest of the query, for this area; the area itself too.
            let for_area = self.matching(&rest)?;
            let indicators: Vec<Row> = for_area
                .into_iter()
                .filter(|row| row.kind == HitKind::Kennzahl)
                .collect();
            if !indicators.is_empty() {
                found.retain(|row| row.kind != HitKind::Kennzahl);
                found.extend(indicators);
                if !found
                    .iter()
                    .any(|row| row.kind == HitKind::Gebiet && row.id == area.id)
                {
                    found.push(Row {
                        kind: HitKind::Gebiet,
                        id: area.id.clone(),
                        title: area.name.clone(),
                        body: area.kind.label_de().to_owned(),
                    });
                }
                let mut results = self.grouped(found, &terms)?;
                results.area = Some(area);
                return Ok(results);
            }
        }
        self.grouped(found, &terms)
    }

    /// The rows that contain every term: first those FTS5 finds as word prefixes, ranked; then
    /// those with a long term inside a word, titles first.
    fn matching(&self, terms: &[String]) -> Result<Vec<Row>> {
        let read_row =
            |row: &rusqlite::Row<'_>| -> rusqlite::Result<(String, String, String, String)> {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            };
        let to_rows = |raw: Vec<(String, String, String, String)>| -> Vec<Row> {
            raw.into_iter()
                .filter_map(|(kind, id, title, body)| {
                    Some(Row {
                        kind: HitKind::parse(&kind)?,
                        id,
                        title,
                        body,
                    })
                })
                .collect()
        };
        if terms.is_empty() {
            return Ok(Vec::new());
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
        let mut rows = to_rows(
            statement
                .query_map([&expression], read_row)?
                .collect::<rusqlite::Result<_>>()?,
        );
        // Names (indicators, areas) that hold every word come first, the shortest first:
        // "SGB II" should lead with "SGB-II-Quote", not a longer name that also contains it.
        // Texts keep bm25's order.
        rows.sort_by_key(|row| match row.kind {
            HitKind::Kennzahl | HitKind::Gebiet => {
                let title = fold(&row.title);
                let words: Vec<&str> = title
                    .split(|character: char| !character.is_alphanumeric())
                    .filter(|word| !word.is_empty())
                    .collect();
                let all_in_title = terms.iter().all(|term| {
                    words
                        .iter()
                        .any(|word| fokus_model::search::stem_matches(word, term))
                });
                (usize::from(!all_in_title), words.len())
            }
            _ => (0, 0),
        });
        // A few hundred rows for a county: a scan for the compounds costs less than a second index.
        let mut scan = self.conn.prepare_cached(
            "SELECT kind, id, title, body, folded_title, folded_body FROM search ORDER BY title",
        )?;
        let scanned: Vec<(String, String, String, String, String, String)> = scan
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
        let words_match = |text: &str, term: &str| {
            text.split(|character: char| !character.is_alphanumeric())
                .any(|word| fokus_model::search::stem_matches(word, term))
        };
        let mut in_title = Vec::new();
        let mut in_body = Vec::new();
        for (kind, id, title, body, folded_title, folded_body) in scanned {
            if rows
                .iter()
                .any(|row| row.kind.as_str() == kind && row.id == id)
            {
                continue;
            }
            let all = terms
                .iter()
                .all(|term| words_match(&folded_title, term) || words_match(&folded_body, term));
            if !all {
                continue;
            }
            let target = if terms.iter().any(|term| words_match(&folded_title, term)) {
                &mut in_title
            } else {
                &mut in_body
            };
            target.push((kind, id, title, body));
        }
        rows.extend(to_rows(in_title));
        rows.extend(to_rows(in_body));
        Ok(rows)
    }

    /// The longest current area name that stands in the query, one word after another, with
    /// other words beside it; and those other words.
    fn area_in(&self, terms: &[String]) -> Result<Option<(AreaRef, Vec<String>)>> {
        if terms.len() < 2 {
            return Ok(None);
        }
        let mut statement = self.conn.prepare_cached(
            "SELECT id, name, kind FROM area WHERE retired = 0 ORDER BY length(name) DESC, id",
        )?;
        let areas: Vec<(String, String, String)> = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, name, kind) in areas {
            let Some(kind) = AreaKind::parse(&kind) else {
                continue;
            };
            if matches!(kind, AreaKind::Land | AreaKind::Bund) {
                continue;
            }
            if let Some(rest) = without_area(terms, &name) {
                return Ok(Some((AreaRef { id, name, kind }, rest)));
            }
        }
        Ok(None)
    }

    /// Rows as hit groups in [`HitKind`] order, at most [`HITS_PER_KIND`] hits each, marked.
    fn grouped(&self, rows: Vec<Row>, terms: &[String]) -> Result<SearchResults> {
        let mut groups: Vec<HitGroup> = Vec::new();
        for row in rows {
            let group = match groups.iter_mut().position(|group| group.kind == row.kind) {
                Some(index) => &mut groups[index],
                None => {
                    groups.push(HitGroup {
                        kind: row.kind,
                        total: 0,
                        hits: Vec::new(),
                    });
                    groups.last_mut().expect("just pushed")
                }
            };
            group.total += 1;
            if group.hits.len() < HITS_PER_KIND {
                let year = if row.kind == HitKind::Kapitel {
                    self.report_year(&row.id)?
                } else {
                    None
                };
                group.hits.push(Hit {
                    id: row.id,
                    title: highlight(&row.title, terms),
                    snippet: snippet(&row.body, terms, SNIPPET_WORDS),
                    year,
                });
            }
        }
        groups.sort_by_key(|group| group.kind);
        Ok(SearchResults {
            terms: terms.to_vec(),
            groups,
            area: None,
        })
    }

    /// The Fokusbericht year of a chapter, from its stored item.
    fn report_year(&self, id: &str) -> Result<Option<u16>> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT item FROM content WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()?;
        Ok(json
            .and_then(|json| serde_json::from_str::<ContentItem>(&json).ok())
            .and_then(|item| match item.details {
                ContentDetails::Kapitel { year, .. } => Some(year),
                _ => None,
            }))
    }
}

/// One row of the index as a search finds it.
struct Row {
    kind: HitKind,
    id: String,
    title: String,
    body: String,
}
