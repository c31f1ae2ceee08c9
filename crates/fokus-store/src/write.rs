//! Write paths: the server commits a batch of changes as one new revision; the client applies a
//! feed page. Both run in one transaction each.

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

fn split(cell: Cell) -> (Option<f64>, Option<&'static str>) {
    match cell {
        Cell::Value(value) => (Some(value), None),
        Cell::Gap(gap) => (None, Some(gap.as_str())),
    }
}

fn check_observation(observation: &Observation) -> Result<()> {
    let key = &observation.key;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&key.year) {
        return Err(StoreError::InvalidRow(format!(
            "{}/{}: year {} out of range",
            key.indicator, key.area, key.year
        )));
    }
    if let Cell::Value(value) = observation.cell {
        if !value.is_finite() {
            return Err(StoreError::InvalidRow(format!(
                "{}/{}/{}: value is not finite",
                key.indicator, key.area, key.year
            )));
        }
    }
    Ok(())
}

fn upsert_indicator(tx: &Transaction<'_>, indicator: &Indicator, revision: u64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO indicator (id, name, short_name, unit, decimals, polarity, handlungsfeld, definition, source, revision)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, short_name = excluded.short_name, unit = excluded.unit,
           decimals = excluded.decimals, polarity = excluded.polarity, handlungsfeld = excluded.handlungsfeld,
           definition = excluded.definition, source = excluded.source, revision = excluded.revision",
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
        revision
    ])?;
    Ok(())
}

fn upsert_area(tx: &Transaction<'_>, area: &Area, revision: u64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO area (id, name, kind, population, revision) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
           population = excluded.population, revision = excluded.revision",
    )?
    .execute(params![
        area.id,
        area.name,
        area.kind.as_str(),
        area.population,
        revision
    ])?;
    Ok(())
}

fn upsert_observation(
    tx: &Transaction<'_>,
    observation: &Observation,
    revision: u64,
) -> Result<()> {
    let (value, gap) = split(observation.cell);
    let key = &observation.key;
    tx.prepare_cached(
        "INSERT INTO observation (indicator, year, area, value, gap, revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(indicator, year, area) DO UPDATE SET value = excluded.value, gap = excluded.gap,
           revision = excluded.revision",
    )?
    .execute(params![key.indicator, key.year, key.area, value, gap, revision])?;
    Ok(())
}

fn set_dataset(tx: &Transaction<'_>, dataset: &DatasetInfo, revision: u64) -> Result<()> {
    Store::set_meta(tx, "dataset_title", &dataset.title)?;
    Store::set_meta(tx, "dataset_demo", if dataset.demo { "1" } else { "0" })?;
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
        for observation in &changes.observations {
            check_observation(observation)?;
            let key = &observation.key;
            let stored: Option<(Option<f64>, Option<String>)> = tx
                .prepare_cached("SELECT value, gap FROM observation WHERE indicator = ?1 AND year = ?2 AND area = ?3")?
                .query_row(params![key.indicator, key.year, key.area], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            let (value, gap) = split(observation.cell);
            match stored {
                Some((stored_value, stored_gap))
                    if stored_value == value && stored_gap.as_deref() == gap =>
                {
                    summary.unchanged += 1;
                    continue;
                }
                Some(_) => summary.changed += 1,
                None => summary.new += 1,
            }
            upsert_observation(&tx, observation, revision)?;
            tx.prepare_cached(
                "DELETE FROM tombstone WHERE indicator = ?1 AND year = ?2 AND area = ?3",
            )?
            .execute(params![key.indicator, key.year, key.area])?;
            touched = true;
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
        tx.execute(
            "INSERT INTO revision_log (revision, created_at, label) VALUES (?1, ?2, ?3)",
            params![revision, now, label],
        )?;
        Store::set_meta(&tx, "revision", &revision.to_string())?;
        tx.commit()?;
        summary.revision = Some(revision);
        Ok(summary)
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
        for observation in &page.observations {
            check_observation(observation)?;
        }
        let tx = self.conn.transaction()?;
        let summary = apply_in(&tx, page)?;
        tx.commit()?;
        Ok(summary)
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
        for observation in &page.observations {
            check_observation(observation)?;
        }
        let tx = self.conn.transaction()?;
        tx.execute_batch(
            "DELETE FROM observation; DELETE FROM tombstone; DELETE FROM indicator; DELETE FROM area;
             DELETE FROM revision_log; DELETE FROM meta WHERE key IN ('dataset_title', 'dataset_demo', 'dataset_revision');",
        )?;
        let summary = apply_in(&tx, page)?;
        tx.commit()?;
        Ok(summary)
    }
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
    for info in &page.revisions {
        tx.execute(
            "INSERT OR REPLACE INTO revision_log (revision, created_at, label) VALUES (?1, ?2, ?3)",
            params![info.revision, info.created_at, info.label],
        )?;
    }
    Store::set_meta(tx, "instance", &page.instance)?;
    Store::set_meta(tx, "revision", &revision.to_string())?;
    Ok(ApplySummary {
        revision,
        observations: page.observations.len(),
        deleted,
    })
}
