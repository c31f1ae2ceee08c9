//! Write paths: the server commits a batch of changes as one new revision; the client applies a
//! feed page. Both run in one transaction each.

use std::collections::HashSet;

use fokus_model::content::{is_sha256_hex, visible_name, ContentItem, MediaRef};
use fokus_model::finance::{BudgetTotal, Spending};
use fokus_model::population::{Movement, PopulationCount, AGE_GROUPS};
use fokus_model::{
    Area, Cell, DatasetInfo, FeedPage, Indicator, Observation, ObservationKey, FIRST_YEAR,
    LAST_YEAR,
};
use rusqlite::{params, OptionalExtension, Transaction};

use crate::{Result, Store, StoreError};

/// A batch of changes for one new revision (server side).
#[derive(Debug, Default, Clone)]
pub struct Changes {
    pub dataset: Option<DatasetInfo>,
    pub indicators: Vec<Indicator>,
    pub areas: Vec<Area>,
    pub observations: Vec<Observation>,
    pub deletions: Vec<ObservationKey>,
    pub population: Vec<PopulationCount>,
    pub spending: Vec<Spending>,
    pub budget: Vec<BudgetTotal>,
    pub movement: Vec<Movement>,
    /// The complete set of published content, or `None` to leave content alone. Items stored
    /// but not in the set are withdrawn.
    pub content: Option<Vec<ContentItem>>,
    /// `areas` and `indicators` are the deployment's complete catalogue: stored areas and
    /// indicators missing from it are retired (kept with their values, no longer drawn or
    /// offered), as after a Gebietsreform or a revised catalogue.
    pub catalog_complete: bool,
}

/// What a commit did. `revision` is `None` when nothing differed from the stored state: an
/// import of already-known values creates no revision, so clients have nothing to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommitSummary {
    pub revision: Option<u64>,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub deleted: usize,
}

/// What applying a feed page did (client side).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ApplySummary {
    pub revision: u64,
    pub observations: usize,
    pub deleted: usize,
}

/// A cell as its three columns: value, gap, flag.
fn split(cell: Cell) -> (Option<f64>, Option<&'static str>, Option<&'static str>) {
    match cell {
        Cell::Value(value) => (Some(value), None, None),
        Cell::Flagged { value, flag } => (Some(value), None, Some(flag.as_str())),
        Cell::Gap(gap) => (None, Some(gap.as_str()), None),
    }
}

fn check_year(year: u16, what: impl FnOnce() -> String) -> Result<()> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(StoreError::InvalidRow(format!(
            "{}: year {year} out of range",
            what()
        )))
    }
}

fn check_observation(observation: &Observation) -> Result<()> {
    let key = &observation.key;
    check_year(key.year, || format!("{}/{}", key.indicator, key.area))?;
    if let Some(value) = observation.cell.value() {
        if !value.is_finite() {
            return Err(StoreError::InvalidRow(format!(
                "{}/{}/{}: value is not finite",
                key.indicator, key.area, key.year
            )));
        }
    }
    Ok(())
}

fn check_population(count: &PopulationCount) -> Result<()> {
    let last = if count.projection {
        fokus_model::LAST_PROJECTION_YEAR
    } else {
        LAST_YEAR
    };
    if !(FIRST_YEAR..=last).contains(&count.year) {
        return Err(StoreError::InvalidRow(format!(
            "population {}: year {} out of range",
            count.area, count.year
        )));
    }
    if !AGE_GROUPS.contains(&count.age_from) {
        return Err(StoreError::InvalidRow(format!(
            "population {}/{}: {} is not the start of a 5-year age group",
            count.area, count.year, count.age_from
        )));
    }
    Ok(())
}

fn check_spending(spending: &Spending) -> Result<()> {
    check_year(spending.year, || format!("spending {}", spending.field))?;
    if !spending.euros.is_finite() || spending.field.is_empty() {
        return Err(StoreError::InvalidRow(format!(
            "spending {}/{}: needs a field name and a finite amount",
            spending.field, spending.year
        )));
    }
    Ok(())
}

fn check_budget(budget: &BudgetTotal) -> Result<()> {
    check_year(budget.year, || "budget".into())?;
    if !budget.euros.is_finite() || budget.euros <= 0.0 {
        return Err(StoreError::InvalidRow(format!(
            "budget {}: needs a positive finite amount",
            budget.year
        )));
    }
    Ok(())
}

fn check_movement(movement: &Movement) -> Result<()> {
    check_year(movement.year, || format!("movement {}", movement.area))
}

pub(crate) fn check_content(item: &ContentItem) -> Result<()> {
    if item.id.is_empty() || item.title.is_empty() {
        return Err(StoreError::InvalidRow(format!(
            "content `{}`: needs an id and a title",
            item.id
        )));
    }
    for media in &item.media {
        media.check().map_err(|problem| {
            StoreError::InvalidRow(format!("content `{}`: {problem}", item.id))
        })?;
    }
    Ok(())
}

/// A content item as a client keeps it: its HTML cleaned again by the shared policy and its
/// file names without invisible characters, whatever the server sent.
pub(crate) fn as_received(item: &ContentItem) -> ContentItem {
    ContentItem {
        body_html: crate::html::sanitize(&item.body_html),
        media: item
            .media
            .iter()
            .map(|media| MediaRef {
                name: visible_name(&media.name),
                ..media.clone()
            })
            .collect(),
        ..item.clone()
    }
}

/// Checks every row of a feed page before anything is written.
fn check_page(page: &FeedPage) -> Result<()> {
    page.observations.iter().try_for_each(check_observation)?;
    page.population.iter().try_for_each(check_population)?;
    page.spending.iter().try_for_each(check_spending)?;
    page.budget.iter().try_for_each(check_budget)?;
    page.movement.iter().try_for_each(check_movement)?;
    page.content.iter().try_for_each(check_content)
}

/// A row the server commits only when it differs from what is stored, so unchanged rows keep
/// their revision and the feed carries only real changes.
trait Upsert {
    /// `None` if the key is new, else whether the stored row equals this one.
    fn stored_equal(&self, tx: &Transaction<'_>) -> Result<Option<bool>>;
    fn upsert(&self, tx: &Transaction<'_>, revision: u64) -> Result<()>;
    /// Server side: a row that comes back must not stay marked as deleted.
    fn clear_tombstone(&self, _tx: &Transaction<'_>) -> Result<()> {
        Ok(())
    }
}

/// Commits the rows that differ; returns whether any did.
fn commit_rows<R: Upsert>(
    tx: &Transaction<'_>,
    rows: &[R],
    revision: u64,
    summary: &mut CommitSummary,
) -> Result<bool> {
    let mut touched = false;
    for row in rows {
        match row.stored_equal(tx)? {
            Some(true) => {
                summary.unchanged += 1;
                continue;
            }
            Some(false) => summary.changed += 1,
            None => summary.new += 1,
        }
        row.upsert(tx, revision)?;
        row.clear_tombstone(tx)?;
        touched = true;
    }
    Ok(touched)
}

impl Upsert for Observation {
    fn stored_equal(&self, tx: &Transaction<'_>) -> Result<Option<bool>> {
        let key = &self.key;
        type Stored = (Option<f64>, Option<String>, Option<String>);
        let stored: Option<Stored> = tx
            .prepare_cached(
                "SELECT value, gap, flag FROM observation WHERE indicator = ?1 AND year = ?2 AND area = ?3",
            )?
            .query_row(params![key.indicator, key.year, key.area], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?;
        let (value, gap, flag) = split(self.cell);
        Ok(stored.map(|(stored_value, stored_gap, stored_flag)| {
            stored_value == value && stored_gap.as_deref() == gap && stored_flag.as_deref() == flag
        }))
    }

    fn upsert(&self, tx: &Transaction<'_>, revision: u64) -> Result<()> {
        upsert_observation(tx, self, revision)
    }

    fn clear_tombstone(&self, tx: &Transaction<'_>) -> Result<()> {
        let key = &self.key;
        tx.prepare_cached(
            "DELETE FROM tombstone WHERE indicator = ?1 AND year = ?2 AND area = ?3",
        )?
        .execute(params![key.indicator, key.year, key.area])?;
        Ok(())
    }
}

impl Upsert for PopulationCount {
    fn stored_equal(&self, tx: &Transaction<'_>) -> Result<Option<bool>> {
        let stored: Option<(u64, bool)> = tx
            .prepare_cached(
                "SELECT count, projection FROM population WHERE area = ?1 AND year = ?2 AND age_from = ?3 AND sex = ?4",
            )?
            .query_row(
                params![self.area, self.year, self.age_from, self.sex.as_str()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        Ok(stored.map(|stored| stored == (self.count, self.projection)))
    }

    fn upsert(&self, tx: &Transaction<'_>, revision: u64) -> Result<()> {
        upsert_population(tx, self, revision)
    }
}

impl Upsert for Spending {
    fn stored_equal(&self, tx: &Transaction<'_>) -> Result<Option<bool>> {
        let stored: Option<f64> = tx
            .prepare_cached("SELECT euros FROM spending WHERE field = ?1 AND year = ?2")?
            .query_row(params![self.field, self.year], |row| row.get(0))
            .optional()?;
        Ok(stored.map(|euros| euros == self.euros))
    }

    fn upsert(&self, tx: &Transaction<'_>, revision: u64) -> Result<()> {
        upsert_spending(tx, self, revision)
    }
}

impl Upsert for BudgetTotal {
    fn stored_equal(&self, tx: &Transaction<'_>) -> Result<Option<bool>> {
        let stored: Option<f64> = tx
            .prepare_cached("SELECT euros FROM budget WHERE year = ?1")?
            .query_row([self.year], |row| row.get(0))
            .optional()?;
        Ok(stored.map(|euros| euros == self.euros))
    }

    fn upsert(&self, tx: &Transaction<'_>, revision: u64) -> Result<()> {
        upsert_budget(tx, self, revision)
    }
}

impl Upsert for Movement {
    fn stored_equal(&self, tx: &Transaction<'_>) -> Result<Option<bool>> {
        let stored: Option<(u64, u64, u64, u64)> = tx
            .prepare_cached(
                "SELECT births, deaths, moved_in, moved_out FROM movement WHERE area = ?1 AND year = ?2",
            )?
            .query_row(params![self.area, self.year], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .optional()?;
        Ok(
            stored
                .map(|stored| stored == (self.births, self.deaths, self.moved_in, self.moved_out)),
        )
    }

    fn upsert(&self, tx: &Transaction<'_>, revision: u64) -> Result<()> {
        upsert_movement(tx, self, revision)
    }
}

fn upsert_movement(tx: &Transaction<'_>, movement: &Movement, revision: u64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO movement (area, year, births, deaths, moved_in, moved_out, revision)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(area, year) DO UPDATE SET births = excluded.births, deaths = excluded.deaths,
           moved_in = excluded.moved_in, moved_out = excluded.moved_out, revision = excluded.revision",
    )?
    .execute(params![
        movement.area,
        movement.year,
        movement.births,
        movement.deaths,
        movement.moved_in,
        movement.moved_out,
        revision
    ])?;
    Ok(())
}

fn upsert_budget(tx: &Transaction<'_>, budget: &BudgetTotal, revision: u64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO budget (year, euros, revision) VALUES (?1, ?2, ?3)
         ON CONFLICT(year) DO UPDATE SET euros = excluded.euros, revision = excluded.revision",
    )?
    .execute(params![budget.year, budget.euros, revision])?;
    Ok(())
}

impl Upsert for ContentItem {
    fn stored_equal(&self, tx: &Transaction<'_>) -> Result<Option<bool>> {
        let stored: Option<String> = tx
            .prepare_cached("SELECT item FROM content WHERE id = ?1")?
            .query_row([&self.id], |row| row.get(0))
            .optional()?;
        let json = content_json(self)?;
        Ok(stored.map(|stored| stored == json))
    }

    fn upsert(&self, tx: &Transaction<'_>, revision: u64) -> Result<()> {
        upsert_content(tx, self, revision)
    }

    fn clear_tombstone(&self, tx: &Transaction<'_>) -> Result<()> {
        tx.prepare_cached("DELETE FROM content_tombstone WHERE id = ?1")?
            .execute([&self.id])?;
        Ok(())
    }
}

pub(crate) fn content_json(item: &ContentItem) -> Result<String> {
    serde_json::to_string(item).map_err(|error| StoreError::InvalidRow(error.to_string()))
}

fn upsert_population(tx: &Transaction<'_>, count: &PopulationCount, revision: u64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO population (area, year, age_from, sex, count, projection, revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(area, year, age_from, sex) DO UPDATE SET count = excluded.count,
           projection = excluded.projection, revision = excluded.revision",
    )?
    .execute(params![
        count.area,
        count.year,
        count.age_from,
        count.sex.as_str(),
        count.count,
        count.projection,
        revision
    ])?;
    Ok(())
}

fn upsert_spending(tx: &Transaction<'_>, spending: &Spending, revision: u64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO spending (field, year, euros, revision) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(field, year) DO UPDATE SET euros = excluded.euros, revision = excluded.revision",
    )?
    .execute(params![spending.field, spending.year, spending.euros, revision])?;
    Ok(())
}

fn upsert_content(tx: &Transaction<'_>, item: &ContentItem, revision: u64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO content (id, kind, date, item, revision) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, date = excluded.date, item = excluded.item,
           revision = excluded.revision",
    )?
    .execute(params![
        item.id,
        item.kind().as_str(),
        item.date,
        content_json(item)?,
        revision
    ])?;
    Ok(())
}

fn upsert_indicator(tx: &Transaction<'_>, indicator: &Indicator, revision: u64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO indicator (id, name, short_name, unit, decimals, polarity, handlungsfeld, definition, source,
           numerator, denominator, headline, min_cases, position, retired, revision, synonyms, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, short_name = excluded.short_name, unit = excluded.unit,
           decimals = excluded.decimals, polarity = excluded.polarity, handlungsfeld = excluded.handlungsfeld,
           definition = excluded.definition, source = excluded.source, numerator = excluded.numerator,
           denominator = excluded.denominator, headline = excluded.headline, min_cases = excluded.min_cases,
           position = excluded.position, retired = excluded.retired, revision = excluded.revision,
           synonyms = excluded.synonyms, notes = excluded.notes",
    )?
    .execute(params![
        indicator.id,
        indicator.name,
        indicator.short_name,
        indicator.unit,
        indicator.decimals,
        indicator.polarity.as_str(),
        indicator.handlungsfeld,
        indicator.definition,
        indicator.source,
        indicator.numerator,
        indicator.denominator,
        indicator.headline,
        indicator.min_cases,
        indicator.position,
        indicator.retired,
        revision,
        indicator
            .synonyms
            .join(&crate::read::SYNONYM_SEPARATOR.to_string()),
        indicator.notes
    ])?;
    Ok(())
}

fn upsert_area(tx: &Transaction<'_>, area: &Area, revision: u64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO area (id, name, kind, population, parent, geometry, retired, revision)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
           population = excluded.population, parent = excluded.parent, geometry = excluded.geometry,
           retired = excluded.retired, revision = excluded.revision",
    )?
    .execute(params![
        area.id,
        area.name,
        area.kind.as_str(),
        area.population,
        area.parent,
        area.geometry,
        area.retired,
        revision
    ])?;
    Ok(())
}

fn upsert_observation(
    tx: &Transaction<'_>,
    observation: &Observation,
    revision: u64,
) -> Result<()> {
    let (value, gap, flag) = split(observation.cell);
    let key = &observation.key;
    tx.prepare_cached(
        "INSERT INTO observation (indicator, year, area, value, gap, flag, revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(indicator, year, area) DO UPDATE SET value = excluded.value, gap = excluded.gap,
           flag = excluded.flag, revision = excluded.revision",
    )?
    .execute(params![key.indicator, key.year, key.area, value, gap, flag, revision])?;
    Ok(())
}

fn set_dataset(tx: &Transaction<'_>, dataset: &DatasetInfo, revision: u64) -> Result<()> {
    let json = serde_json::to_string(dataset)
        .map_err(|error| StoreError::InvalidRow(error.to_string()))?;
    Store::set_meta(tx, "dataset", &json)?;
    Store::set_meta(tx, "dataset_revision", &revision.to_string())
}

impl Store {
    /// Commits `changes` as one new revision labelled `label` at `now` (unix seconds). Rows equal
    /// to what is stored keep their old revision, so the feed carries only real changes.
    pub fn commit_revision(
        &mut self,
        label: &str,
        now: i64,
        changes: &Changes,
    ) -> Result<CommitSummary> {
        let revision = self.revision()? + 1;
        let dataset_changed = match &changes.dataset {
            Some(dataset) => self.dataset()?.as_ref() != Some(dataset),
            None => false,
        };
        let current = self.catalog()?;
        let (current_indicators, current_areas) = (current.indicators, current.areas);
        let tx = self.conn.transaction()?;
        let mut summary = CommitSummary::default();
        let mut touched = dataset_changed;
        if let (true, Some(dataset)) = (dataset_changed, &changes.dataset) {
            set_dataset(&tx, dataset, revision)?;
        }
        for indicator in &changes.indicators {
            if current_indicators.iter().all(|known| known != indicator) {
                upsert_indicator(&tx, indicator, revision)?;
                touched = true;
            }
        }
        for area in &changes.areas {
            if current_areas.iter().all(|known| known != area) {
                upsert_area(&tx, area, revision)?;
                touched = true;
            }
        }
        if changes.catalog_complete {
            let current: HashSet<&str> = changes
                .indicators
                .iter()
                .map(|indicator| indicator.id.as_str())
                .collect();
            for stored in current_indicators
                .iter()
                .filter(|stored| !stored.retired && !current.contains(stored.id.as_str()))
            {
                let retired = Indicator {
                    retired: true,
                    ..stored.clone()
                };
                upsert_indicator(&tx, &retired, revision)?;
                touched = true;
            }
            let current: HashSet<&str> =
                changes.areas.iter().map(|area| area.id.as_str()).collect();
            for stored in current_areas
                .iter()
                .filter(|stored| !stored.retired && !current.contains(stored.id.as_str()))
            {
                let retired = Area {
                    geometry: None,
                    retired: true,
                    ..stored.clone()
                };
                upsert_area(&tx, &retired, revision)?;
                touched = true;
            }
        }
        changes
            .observations
            .iter()
            .try_for_each(check_observation)?;
        changes.population.iter().try_for_each(check_population)?;
        changes.spending.iter().try_for_each(check_spending)?;
        changes.budget.iter().try_for_each(check_budget)?;
        changes.movement.iter().try_for_each(check_movement)?;
        touched |= commit_rows(&tx, &changes.observations, revision, &mut summary)?;
        touched |= commit_rows(&tx, &changes.population, revision, &mut summary)?;
        touched |= commit_rows(&tx, &changes.spending, revision, &mut summary)?;
        touched |= commit_rows(&tx, &changes.budget, revision, &mut summary)?;
        touched |= commit_rows(&tx, &changes.movement, revision, &mut summary)?;
        if let Some(content) = &changes.content {
            content.iter().try_for_each(check_content)?;
            touched |= commit_rows(&tx, content, revision, &mut summary)?;
            let published: HashSet<&str> = content.iter().map(|item| item.id.as_str()).collect();
            let stored_ids: Vec<String> = tx
                .prepare("SELECT id FROM content")?
                .query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for id in stored_ids
                .iter()
                .filter(|id| !published.contains(id.as_str()))
            {
                tx.execute("DELETE FROM content WHERE id = ?1", [id])?;
                tx.execute(
                    "INSERT OR REPLACE INTO content_tombstone (id, revision) VALUES (?1, ?2)",
                    params![id, revision],
                )?;
                summary.deleted += 1;
                touched = true;
            }
        }
        for key in &changes.deletions {
            let n_deleted = tx
                .prepare_cached(
                    "DELETE FROM observation WHERE indicator = ?1 AND year = ?2 AND area = ?3",
                )?
                .execute(params![key.indicator, key.year, key.area])?;
            if n_deleted > 0 {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO tombstone (indicator, year, area, revision) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![key.indicator, key.year, key.area, revision])?;
                summary.deleted += 1;
                touched = true;
            }
        }
        if !touched {
            // Dropping the transaction rolls it back; there is nothing to publish.
            return Ok(summary);
        }
        // The index holds the catalogue and the content; an import of values leaves it alone.
        let indexed_changed = !changes.indicators.is_empty()
            || !changes.areas.is_empty()
            || changes.content.is_some()
            || changes.catalog_complete;
        if indexed_changed {
            crate::search::rebuild(&tx)?;
        }
        let fingerprint = next_fingerprint(&tx, revision, now, label)?;
        tx.execute(
            "INSERT INTO revision_log (revision, created_at, label, fingerprint) VALUES (?1, ?2, ?3, ?4)",
            params![revision, now, label, fingerprint],
        )?;
        Store::set_meta(&tx, "revision", &revision.to_string())?;
        tx.commit()?;
        summary.revision = Some(revision);
        Ok(summary)
    }

    /// Records media files now present in the blob folder (idempotent). Call after the files
    /// are in place, so a recorded blob is always there to serve.
    pub fn record_blobs(&mut self, media: &[fokus_model::content::MediaRef]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for reference in media {
            if !is_sha256_hex(&reference.sha256) {
                return Err(StoreError::InvalidRow(format!(
                    "blob `{}`: not a sha256",
                    reference.sha256
                )));
            }
            tx.prepare_cached(
                "INSERT OR IGNORE INTO blob (sha256, mime, size) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![reference.sha256, reference.mime, reference.size])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets a blob whose file was removed.
    pub fn forget_blob(&mut self, sha256: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM blob WHERE sha256 = ?1", [sha256])?;
        Ok(())
    }

    /// Applies a feed page from the server (client side). Refuses pages that do not start at the
    /// cache's revision, go backwards or come from another server instance; on any error nothing
    /// is written.
    pub fn apply_feed(&mut self, page: &FeedPage) -> Result<ApplySummary> {
        let local = self.revision()?;
        if page.since != local {
            return Err(StoreError::FeedMismatch {
                local,
                since: page.since,
            });
        }
        if page.revision < local {
            return Err(StoreError::RevisionBackwards {
                local,
                remote: page.revision,
            });
        }
        if page.revision == local && !page.is_empty() {
            return Err(StoreError::InvalidRow(format!(
                "changes without a new revision (still {local})"
            )));
        }
        let instance = self.instance()?;
        if local > 0 && instance != page.instance {
            return Err(StoreError::OtherInstance {
                local: instance,
                remote: page.instance.clone(),
            });
        }
        check_page(page)?;
        let tx = self.conn.transaction()?;
        let summary = apply_in(&tx, page)?;
        tx.commit()?;
        Ok(summary)
    }

    /// Gives the space of deleted rows back to the file system ("Cache leeren").
    pub fn compact(&mut self) -> Result<()> {
        self.conn
            .execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }

    /// Replaces the whole content with a full page (`since == 0`), in one transaction: for a
    /// cache whose server was rebuilt or replaced, so old and new revisions cannot mix.
    pub fn replace_all(&mut self, page: &FeedPage) -> Result<ApplySummary> {
        if page.since != 0 {
            return Err(StoreError::FeedMismatch {
                local: 0,
                since: page.since,
            });
        }
        check_page(page)?;
        let tx = self.conn.transaction()?;
        tx.execute_batch(
            "DELETE FROM observation; DELETE FROM tombstone; DELETE FROM population; DELETE FROM spending; DELETE FROM budget; DELETE FROM movement;
             DELETE FROM content; DELETE FROM content_tombstone; DELETE FROM search; DELETE FROM indicator; DELETE FROM area;
             DELETE FROM revision_log; DELETE FROM meta WHERE key IN ('dataset', 'dataset_revision');",
        )?;
        let summary = apply_in(&tx, page)?;
        tx.commit()?;
        Ok(summary)
    }
}

/// The fingerprint of a new revision: SHA-256 over the previous revision's fingerprint, the new
/// revision's number, time and label, and 16 random bytes from SQLite, so a revision made again
/// under the same number after a restore never gets the same fingerprint.
fn next_fingerprint(tx: &Transaction<'_>, revision: u64, now: i64, label: &str) -> Result<String> {
    use sha2::Digest;
    let previous: String = tx
        .query_row(
            "SELECT fingerprint FROM revision_log WHERE revision < ?1 ORDER BY revision DESC LIMIT 1",
            [revision],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or_default();
    let nonce: String = tx.query_row("SELECT hex(randomblob(16))", [], |row| row.get(0))?;
    let digest = sha2::Sha256::digest(format!("{previous}\n{revision}\n{now}\n{label}\n{nonce}"));
    Ok(digest.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Writes a checked page inside the caller's transaction.
fn apply_in(tx: &Transaction<'_>, page: &FeedPage) -> Result<ApplySummary> {
    let revision = page.revision;
    if let Some(dataset) = &page.dataset {
        set_dataset(tx, dataset, revision)?;
    }
    for indicator in &page.indicators {
        upsert_indicator(tx, indicator, revision)?;
    }
    for area in &page.areas {
        upsert_area(tx, area, revision)?;
    }
    for observation in &page.observations {
        upsert_observation(tx, observation, revision)?;
    }
    let mut deleted = 0;
    for key in &page.deleted_observations {
        deleted += tx
            .prepare_cached(
                "DELETE FROM observation WHERE indicator = ?1 AND year = ?2 AND area = ?3",
            )?
            .execute(params![key.indicator, key.year, key.area])?;
    }
    for count in &page.population {
        upsert_population(tx, count, revision)?;
    }
    for spending in &page.spending {
        upsert_spending(tx, spending, revision)?;
    }
    for movement in &page.movement {
        upsert_movement(tx, movement, revision)?;
    }
    for budget in &page.budget {
        upsert_budget(tx, budget, revision)?;
    }
    for item in &page.content {
        upsert_content(tx, &as_received(item), revision)?;
    }
    for id in &page.deleted_content {
        deleted += tx
            .prepare_cached("DELETE FROM content WHERE id = ?1")?
            .execute([id])?;
    }
    for info in &page.revisions {
        tx.execute(
            "INSERT OR REPLACE INTO revision_log (revision, created_at, label, fingerprint) VALUES (?1, ?2, ?3, ?4)",
            params![info.revision, info.created_at, info.label, info.fingerprint],
        )?;
    }
    let indexed_changed = !page.indicators.is_empty()
        || !page.areas.is_empty()
        || !page.content.is_empty()
        || !page.deleted_content.is_empty();
    if indexed_changed {
        crate::search::rebuild(tx)?;
    }
    Store::set_meta(tx, "instance", &page.instance)?;
    Store::set_meta(tx, "revision", &revision.to_string())?;
    Ok(ApplySummary {
        revision,
        observations: page.observations.len(),
        deleted,
    })
}
