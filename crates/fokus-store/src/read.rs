//! Read paths: the queries the UI and the server's read endpoints need.

use fokus_model::classify::quantile_breaks;
use fokus_model::content::{ContentItem, ContentKind};
use fokus_model::finance::{BudgetTotal, Spending, SpendingLine, SpendingOverview};
use fokus_model::population::{Movement, PopulationCount, PopulationPyramid, Sex};
use fokus_model::view::Level;
use fokus_model::{
    Area, AreaKind, AreaProfile, AreaSeries, AreaValue, Catalog, Cell, DatasetInfo, FeedPage, Gap,
    Indicator, IndicatorTable, IndicatorYears, MapView, Observation, ObservationKey, Polarity,
    ProfileEntry, ProfileReference, RevisionInfo, SeriesLine, ServerStatus, TableRow, ValueFlag,
};
use rusqlite::{Connection, OptionalExtension, Row};

use crate::{Result, Store, StoreError};

/// Classes on the choropleth.
pub const N_CLASSES: usize = 5;

fn kind_of(text: &str) -> rusqlite::Result<AreaKind> {
    AreaKind::parse(text).ok_or_else(|| {
        rusqlite::Error::InvalidColumnType(0, text.into(), rusqlite::types::Type::Text)
    })
}

pub(crate) fn cell_of(
    value: Option<f64>,
    gap: Option<String>,
    flag: Option<String>,
) -> Option<Cell> {
    match (value, gap.as_deref().and_then(Gap::parse)) {
        (Some(value), _) => Some(match flag.as_deref().and_then(ValueFlag::parse) {
            Some(flag) => Cell::Flagged { value, flag },
            None => Cell::Value(value),
        }),
        (None, Some(gap)) => Some(Cell::Gap(gap)),
        (None, None) => None,
    }
}

const INDICATOR_COLUMNS: &str =
    "id, name, short_name, unit, decimals, polarity, handlungsfeld, definition, source, numerator, denominator,
     headline, min_cases, position, retired, synonyms, notes";

fn indicator_of(row: &Row<'_>) -> rusqlite::Result<Indicator> {
    let polarity: String = row.get(5)?;
    Ok(Indicator {
        id: row.get(0)?,
        name: row.get(1)?,
        short_name: row.get(2)?,
        unit: row.get(3)?,
        decimals: row.get(4)?,
        polarity: Polarity::parse(&polarity).unwrap_or(Polarity::Neutral),
        handlungsfeld: row.get(6)?,
        definition: row.get(7)?,
        source: row.get(8)?,
        numerator: row.get(9)?,
        denominator: row.get(10)?,
        headline: row.get(11)?,
        min_cases: row.get(12)?,
        position: row.get(13)?,
        retired: row.get(14)?,
        synonyms: split_synonyms(&row.get::<_, String>(15)?),
        notes: row.get(16)?,
    })
}

/// Synonyms as stored: one text, `|` between them.
pub(crate) const SYNONYM_SEPARATOR: char = '|';

fn split_synonyms(text: &str) -> Vec<String> {
    text.split(SYNONYM_SEPARATOR)
        .map(str::trim)
        .filter(|synonym| !synonym.is_empty())
        .map(str::to_owned)
        .collect()
}

fn area_of(row: &Row<'_>) -> rusqlite::Result<Area> {
    let kind: String = row.get(2)?;
    Ok(Area {
        id: row.get(0)?,
        name: row.get(1)?,
        kind: kind_of(&kind)?,
        population: row.get(3)?,
        parent: row.get(4)?,
        geometry: row.get(5)?,
        retired: row.get(6)?,
    })
}

const AREA_COLUMNS: &str = "id, name, kind, population, parent, geometry, retired";

pub(crate) fn content_of(row: &Row<'_>) -> rusqlite::Result<ContentItem> {
    let json: String = row.get(0)?;
    serde_json::from_str(&json).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(error))
    })
}

fn indicators_where(conn: &Connection, filter: &str, param: u64) -> Result<Vec<Indicator>> {
    let sql = format!(
        "SELECT {INDICATOR_COLUMNS} FROM indicator WHERE {filter} ORDER BY handlungsfeld, id"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map([param], indicator_of)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn areas_where(conn: &Connection, filter: &str, param: u64) -> Result<Vec<Area>> {
    let sql = format!("SELECT {AREA_COLUMNS} FROM area WHERE {filter} ORDER BY id");
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map([param], area_of)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn population_of(row: &Row<'_>) -> rusqlite::Result<PopulationCount> {
    let sex: String = row.get(3)?;
    Ok(PopulationCount {
        area: row.get(0)?,
        year: row.get(1)?,
        age_from: row.get(2)?,
        sex: Sex::parse(&sex).ok_or_else(|| {
            rusqlite::Error::InvalidColumnType(3, sex.clone(), rusqlite::types::Type::Text)
        })?,
        count: row.get(4)?,
        projection: row.get(5)?,
    })
}

fn movement_of(row: &Row<'_>) -> rusqlite::Result<Movement> {
    Ok(Movement {
        area: row.get(0)?,
        year: row.get(1)?,
        births: row.get(2)?,
        deaths: row.get(3)?,
        moved_in: row.get(4)?,
        moved_out: row.get(5)?,
    })
}

impl Store {
    /// The deployment's description and display settings, if any was configured.
    pub fn dataset(&self) -> Result<Option<DatasetInfo>> {
        self.meta("dataset")?
            .map(|json| {
                serde_json::from_str(&json)
                    .map_err(|error| StoreError::InvalidRow(format!("dataset: {error}")))
            })
            .transpose()
    }

    /// The map kinds and the home area of the deployment, with the defaults of data from before
    /// deployments were configurable.
    fn display(&self) -> Result<DatasetInfo> {
        Ok(self
            .dataset()?
            .unwrap_or_else(|| DatasetInfo::titled("", false)))
    }

    /// The deployment's own total (the Kreis of a county): configured, or else the first area
    /// of kind Kreis.
    pub fn home_area(&self) -> Result<Option<String>> {
        self.home_area_of(&self.display()?)
    }

    /// [`Store::home_area`] for a query that has read the display settings already (they are a
    /// JSON document in `meta`; the map and series queries should parse them once).
    fn home_area_of(&self, display: &DatasetInfo) -> Result<Option<String>> {
        if !display.home_area.is_empty() {
            return Ok(Some(display.home_area.clone()));
        }
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM area WHERE kind = 'kreis' ORDER BY id LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()?)
    }

    pub fn area(&self, id: &str) -> Result<Area> {
        self.conn
            .query_row(
                &format!("SELECT {AREA_COLUMNS} FROM area WHERE id = ?1"),
                [id],
                area_of,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "Gebiet",
                id: id.to_owned(),
            })
    }

    pub fn indicator(&self, id: &str) -> Result<Indicator> {
        let sql = format!("SELECT {INDICATOR_COLUMNS} FROM indicator WHERE id = ?1");
        self.conn
            .query_row(&sql, [id], indicator_of)
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "Kennzahl",
                id: id.to_owned(),
            })
    }

    pub fn catalog(&self) -> Result<Catalog> {
        let indicators = self.indicators()?;
        let mut indicator_years: Vec<IndicatorYears> = Vec::with_capacity(indicators.len());
        let mut years: Vec<u16> = Vec::new();
        for indicator in &indicators {
            let of_indicator = self.years_of(&indicator.id)?;
            years.extend(&of_indicator);
            if !of_indicator.is_empty() {
                indicator_years.push(IndicatorYears {
                    indicator: indicator.id.clone(),
                    years: of_indicator,
                });
            }
        }
        indicator_years.sort_by(|a, b| a.indicator.cmp(&b.indicator));
        years.sort_unstable();
        years.dedup();
        Ok(Catalog {
            revision: self.revision()?,
            dataset: self.dataset()?,
            indicators,
            areas: areas_where(&self.conn, "revision >= ?1", 0)?,
            years,
            indicator_years,
        })
    }

    /// The years an indicator has values for, ascending. One index seek per year (a skip scan
    /// over the primary key) instead of reading every row of the indicator: at 11,000 areas
    /// that is 11 seeks instead of 121,000 rows.
    fn years_of(&self, indicator_id: &str) -> Result<Vec<u16>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT min(year) FROM observation WHERE indicator = ?1 AND year > ?2",
        )?;
        let mut years = Vec::new();
        let mut after: i64 = -1;
        while let Some(year) = statement
            .query_row(rusqlite::params![indicator_id, after], |row| {
                row.get::<_, Option<u16>>(0)
            })?
        {
            years.push(year);
            after = i64::from(year);
        }
        Ok(years)
    }

    /// One indicator and year: the map areas (the deployment's map level, current areas only)
    /// with class breaks, and the reference areas, the home area first.
    pub fn map_view(&self, indicator_id: &str, year: u16) -> Result<MapView> {
        let indicator = self.indicator(indicator_id)?;
        let display = self.display()?;
        let home = self.home_area_of(&display)?.unwrap_or_default();
        let mut statement = self.conn.prepare_cached(
            "SELECT a.id, a.name, a.kind, o.value, o.gap, o.flag FROM area a
             LEFT JOIN observation o ON o.area = a.id AND o.indicator = ?1 AND o.year = ?2
             WHERE a.retired = 0
             ORDER BY a.id",
        )?;
        let rows = statement.query_map(rusqlite::params![indicator_id, year], |row| {
            let kind: String = row.get(2)?;
            Ok(AreaValue {
                area: row.get(0)?,
                name: row.get(1)?,
                kind: kind_of(&kind)?,
                cell: cell_of(row.get(3)?, row.get(4)?, row.get(5)?),
            })
        })?;
        let (areas, mut references): (Vec<AreaValue>, Vec<AreaValue>) = rows
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .partition(|value| display.is_map_kind(value.kind));
        references.retain(|value| value.area == home || value.kind.is_reference());
        references.sort_by_key(|value| (value.area != home, value.kind.rank()));
        let values: Vec<f64> = areas
            .iter()
            .filter_map(|value| value.cell.and_then(Cell::value))
            .collect();
        let breaks = quantile_breaks(&values, N_CLASSES);
        Ok(MapView {
            indicator,
            year,
            areas,
            references,
            breaks,
        })
    }

    /// An area against the reference areas over all years of the indicator.
    pub fn area_series(&self, indicator_id: &str, area_id: &str) -> Result<AreaSeries> {
        let indicator = self.indicator(indicator_id)?;
        let selected = self.area(area_id)?;
        let mut lines_areas = vec![selected];
        let display = self.display()?;
        let home = self.home_area_of(&display)?.unwrap_or_default();
        let mut references: Vec<Area> = areas_where(
            &self.conn,
            "kind IN ('kreis', 'land', 'bund') AND retired = 0 AND revision >= ?1",
            0,
        )?
        .into_iter()
        .filter(|area| area.id != area_id)
        .filter(|area| area.id == home || !display.is_map_kind(area.kind))
        .collect();
        references.sort_by_key(|area| (area.id != home, area.kind.rank()));
        lines_areas.extend(references);

        let years = self.years_of(indicator_id)?;
        // No ORDER BY: it would tempt the planner into the primary key (indicator, year, area),
        // which is in year order but reads every area's rows of the indicator (121,000 at
        // 11,000 areas) instead of this area's eleven.
        let mut points_statement = self.conn.prepare_cached(
            "SELECT year, value FROM observation INDEXED BY observation_by_area
             WHERE indicator = ?1 AND area = ?2",
        )?;
        let mut lines = Vec::with_capacity(lines_areas.len());
        for area in lines_areas {
            let by_year: Vec<(u16, Option<f64>)> = points_statement
                .query_map(rusqlite::params![indicator_id, area.id], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let points = years
                .iter()
                .map(|year| {
                    (
                        *year,
                        by_year
                            .iter()
                            .find(|(y, _)| y == year)
                            .and_then(|(_, value)| *value),
                    )
                })
                .collect();
            lines.push(SeriesLine {
                area: area.id,
                name: area.name,
                kind: area.kind,
                points,
            });
        }
        Ok(AreaSeries {
            indicator,
            years,
            lines,
        })
    }

    pub fn status(&self) -> Result<ServerStatus> {
        let count = |table: &str| -> Result<u64> {
            Ok(self
                .conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                    row.get(0)
                })?)
        };
        Ok(ServerStatus {
            revision: self.revision()?,
            indicators: count("indicator")?,
            areas: count("area")?,
            observations: count("observation")?,
            population_counts: count("population")?,
            spending: count("spending")?,
            content_items: count("content")?,
        })
    }

    /// Everything that changed after `since`: the change feed (server side).
    pub fn feed_since(&self, since: u64) -> Result<FeedPage> {
        let revision = self.revision()?;
        let mut log_statement = self
            .conn
            .prepare_cached("SELECT revision, created_at, label, fingerprint FROM revision_log WHERE revision > ?1 ORDER BY revision")?;
        let revisions = log_statement
            .query_map([since], |row| {
                Ok(RevisionInfo {
                    revision: row.get(0)?,
                    created_at: row.get(1)?,
                    label: row.get(2)?,
                    fingerprint: row.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut observation_statement = self.conn.prepare_cached(
            "SELECT indicator, area, year, value, gap, flag FROM observation WHERE revision > ?1 ORDER BY indicator, year, area",
        )?;
        let observations = observation_statement
            .query_map([since], |row| {
                let cell = cell_of(row.get(3)?, row.get(4)?, row.get(5)?)
                    .unwrap_or(Cell::Gap(Gap::NoData));
                Ok(Observation {
                    key: ObservationKey {
                        indicator: row.get(0)?,
                        area: row.get(1)?,
                        year: row.get(2)?,
                    },
                    cell,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut tombstone_statement = self
            .conn
            .prepare_cached("SELECT indicator, area, year FROM tombstone WHERE revision > ?1 ORDER BY indicator, year, area")?;
        // A client starting from nothing has nothing to delete.
        let deleted_observations = if since == 0 {
            Vec::new()
        } else {
            tombstone_statement
                .query_map([since], |row| {
                    Ok(ObservationKey {
                        indicator: row.get(0)?,
                        area: row.get(1)?,
                        year: row.get(2)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?
        };
        let deleted_content = if since == 0 {
            Vec::new()
        } else {
            self.conn
                .prepare_cached("SELECT id FROM content_tombstone WHERE revision > ?1 ORDER BY id")?
                .query_map([since], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        let population = self
            .conn
            .prepare_cached(
                "SELECT area, year, age_from, sex, count, projection FROM population WHERE revision > ?1
                 ORDER BY area, year, age_from, sex",
            )?
            .query_map([since], population_of)?
            .collect::<rusqlite::Result<_>>()?;
        let movement = self
            .conn
            .prepare_cached(
                "SELECT area, year, births, deaths, moved_in, moved_out FROM movement
                 WHERE revision > ?1 ORDER BY area, year",
            )?
            .query_map([since], movement_of)?
            .collect::<rusqlite::Result<_>>()?;
        let spending = self
            .conn
            .prepare_cached(
                "SELECT field, year, euros FROM spending WHERE revision > ?1 ORDER BY field, year",
            )?
            .query_map([since], |row| {
                Ok(Spending {
                    field: row.get(0)?,
                    year: row.get(1)?,
                    euros: row.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let budget = self
            .conn
            .prepare_cached("SELECT year, euros FROM budget WHERE revision > ?1 ORDER BY year")?
            .query_map([since], |row| {
                Ok(BudgetTotal {
                    year: row.get(0)?,
                    euros: row.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let content = self
            .conn
            .prepare_cached("SELECT item FROM content WHERE revision > ?1 ORDER BY id")?
            .query_map([since], content_of)?
            .collect::<rusqlite::Result<_>>()?;
        let dataset_revision: u64 = self
            .meta("dataset_revision")?
            .and_then(|text| text.parse().ok())
            .unwrap_or(0);
        Ok(FeedPage {
            format: fokus_model::FEED_FORMAT,
            instance: self.instance()?,
            since,
            revision,
            dataset: if dataset_revision > since {
                self.dataset()?
            } else {
                None
            },
            revisions,
            indicators: indicators_where(&self.conn, "revision > ?1", since)?,
            areas: areas_where(&self.conn, "revision > ?1", since)?,
            observations,
            deleted_observations,
            population,
            spending,
            budget,
            movement,
            content,
            deleted_content,
        })
    }

    /// The name of an area, or `NotFound` naming the id.
    fn area_name(&self, area_id: &str) -> Result<String> {
        self.conn
            .query_row("SELECT name FROM area WHERE id = ?1", [area_id], |row| {
                row.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "Gebiet",
                id: area_id.to_owned(),
            })
    }

    /// The reference areas of a deployment: the home area, then Land and Bund (current ones,
    /// and none of the kinds the map draws).
    fn reference_areas(&self, display: &DatasetInfo, current: &[Area]) -> Result<Vec<Area>> {
        let home = self.home_area_of(display)?.unwrap_or_default();
        let mut references: Vec<Area> = current
            .iter()
            // A Land deployment draws its Kreise on the map: they are areas, not references.
            .filter(|area| {
                area.id == home || (area.kind.is_reference() && !display.is_map_kind(area.kind))
            })
            .cloned()
            .collect();
        references.sort_by_key(|area| (area.id != home, area.kind.rank()));
        Ok(references)
    }

    /// The current areas without their boundaries (tables and profiles do not draw; the
    /// boundaries are most of an area's bytes).
    fn current_areas_unbounded(&self) -> Result<Vec<Area>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id, name, kind, population, parent, NULL, retired FROM area
             WHERE retired = 0 ORDER BY id",
        )?;
        let rows = statement.query_map([], area_of)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One area's cells of an indicator, one per entry of `years`.
    fn cells_of(
        &self,
        indicator_id: &str,
        area_id: &str,
        years: &[u16],
    ) -> Result<Vec<Option<Cell>>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT year, value, gap, flag FROM observation INDEXED BY observation_by_area
             WHERE indicator = ?1 AND area = ?2",
        )?;
        let mut cells = vec![None; years.len()];
        let rows = statement.query_map(rusqlite::params![indicator_id, area_id], |row| {
            Ok((
                row.get::<_, u16>(0)?,
                cell_of(row.get(1)?, row.get(2)?, row.get(3)?),
            ))
        })?;
        for row in rows {
            let (year, cell) = row?;
            if let Some(year_idx) = years.iter().position(|known| *known == year) {
                cells[year_idx] = cell;
            }
        }
        Ok(cells)
    }

    /// When the values of an indicator last changed: the time of the newest revision among
    /// its observations.
    fn stand_of(&self, indicator_id: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT created_at FROM revision_log WHERE revision =
                   (SELECT max(revision) FROM observation WHERE indicator = ?1)",
                [indicator_id],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// One indicator for every current area of `level` and every year, with the references.
    pub fn indicator_table(&self, indicator_id: &str, level: Level) -> Result<IndicatorTable> {
        let indicator = self.indicator(indicator_id)?;
        let display = self.display()?;
        let years = self.years_of(indicator_id)?;
        let in_level = |kind: AreaKind| match level {
            Level::Map => display.is_map_kind(kind),
            Level::Gemeinde => kind == AreaKind::Gemeinde,
        };
        let mut statement = self.conn.prepare_cached(
            "SELECT area, year, value, gap, flag FROM observation WHERE indicator = ?1",
        )?;
        let mut by_area: std::collections::HashMap<String, Vec<Option<Cell>>> =
            std::collections::HashMap::new();
        let rows = statement.query_map([indicator_id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, u16>(1)?,
                cell_of(row.get(2)?, row.get(3)?, row.get(4)?),
            ))
        })?;
        for row in rows {
            let (area, year, cell) = row?;
            if let Some(year_idx) = years.iter().position(|known| *known == year) {
                by_area
                    .entry(area)
                    .or_insert_with(|| vec![None; years.len()])[year_idx] = cell;
            }
        }
        let mut row_of = |area: Area| TableRow {
            cells: by_area
                .remove(&area.id)
                .unwrap_or_else(|| vec![None; years.len()]),
            area: area.id,
            name: area.name,
            kind: area.kind,
        };
        let current = self.current_areas_unbounded()?;
        let references: Vec<TableRow> = self
            .reference_areas(&display, &current)?
            .into_iter()
            .map(&mut row_of)
            .collect();
        let areas: Vec<TableRow> = current
            .into_iter()
            .filter(|area| in_level(area.kind))
            .map(&mut row_of)
            .collect();
        Ok(IndicatorTable {
            stand: self.stand_of(indicator_id)?,
            indicator,
            level,
            years,
            areas,
            references,
        })
    }

    /// Every current indicator for one area beside Kreis, Land and Bund (the Gebietsprofil):
    /// the area's values over all years, the references' in `year` (the latest year with any
    /// data when `None`).
    pub fn area_profile(&self, area_id: &str, year: Option<u16>) -> Result<AreaProfile> {
        let area = self.area(area_id)?;
        let display = self.display()?;
        let references: Vec<Area> = self
            .reference_areas(&display, &self.current_areas_unbounded()?)?
            .into_iter()
            .filter(|reference| reference.id != area.id)
            .collect();
        let mut entries = Vec::new();
        let mut all_years: Vec<u16> = Vec::new();
        for indicator in self
            .indicators()?
            .into_iter()
            .filter(|indicator| !indicator.retired)
        {
            let years = self.years_of(&indicator.id)?;
            all_years.extend(&years);
            let cells = self.cells_of(&indicator.id, &area.id, &years)?;
            entries.push((indicator, years, cells));
        }
        all_years.sort_unstable();
        all_years.dedup();
        let year = year
            .or_else(|| all_years.last().copied())
            .unwrap_or_default();
        let mut reference_statement = self.conn.prepare_cached(
            "SELECT value, gap, flag FROM observation WHERE indicator = ?1 AND year = ?2 AND area = ?3",
        )?;
        let mut profile_entries = Vec::with_capacity(entries.len());
        for (indicator, years, cells) in entries {
            let reference_cells = references
                .iter()
                .map(|reference| {
                    Ok(reference_statement
                        .query_row(rusqlite::params![indicator.id, year, reference.id], |row| {
                            Ok(cell_of(row.get(0)?, row.get(1)?, row.get(2)?))
                        })
                        .optional()?
                        .flatten())
                })
                .collect::<Result<Vec<_>>>()?;
            profile_entries.push(ProfileEntry {
                indicator,
                years,
                cells,
                references: reference_cells,
            });
        }
        Ok(AreaProfile {
            area: area.id,
            name: area.name,
            kind: area.kind,
            year,
            years: all_years,
            references: references
                .into_iter()
                .map(|reference| ProfileReference {
                    area: reference.id,
                    name: reference.name,
                    kind: reference.kind,
                })
                .collect(),
            entries: profile_entries,
        })
    }

    /// The population pyramid of one area and year (the latest with data when `None`; empty
    /// groups if there is none), with the years the area has data for.
    pub fn population_pyramid(
        &self,
        area_id: &str,
        year: Option<u16>,
    ) -> Result<PopulationPyramid> {
        let name = self.area_name(area_id)?;
        let years: Vec<u16> = self
            .conn
            .prepare_cached("SELECT DISTINCT year FROM population WHERE area = ?1 ORDER BY year")?
            .query_map([area_id], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let projected: Vec<u16> = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT year FROM population WHERE area = ?1 AND projection ORDER BY year",
            )?
            .query_map([area_id], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        // Without a year, the latest counted one: a projection is shown when asked for.
        let year = year
            .or_else(|| {
                years
                    .iter()
                    .rev()
                    .find(|year| !projected.contains(year))
                    .or(years.last())
                    .copied()
            })
            .unwrap_or(fokus_model::LAST_YEAR);
        let mut groups: Vec<(u8, u64, u64)> = Vec::new();
        let mut statement = self.conn.prepare_cached(
            "SELECT area, year, age_from, sex, count, projection FROM population WHERE area = ?1 AND year = ?2
             ORDER BY age_from, sex",
        )?;
        for count in statement.query_map(rusqlite::params![area_id, year], population_of)? {
            let count = count?;
            if groups.last().is_none_or(|group| group.0 != count.age_from) {
                groups.push((count.age_from, 0, 0));
            }
            let group = groups.last_mut().expect("pushed above");
            match count.sex {
                Sex::Female => group.1 = count.count,
                Sex::Male => group.2 = count.count,
            }
        }
        Ok(PopulationPyramid {
            area: area_id.to_owned(),
            name,
            year,
            groups,
            years,
            projected,
            stand: self.stand_of_rows("population", Some(area_id))?,
        })
    }

    /// When the rows of `table` (only those of `area`, if given) last changed: the time of the
    /// newest revision among them.
    fn stand_of_rows(&self, table: &str, area: Option<&str>) -> Result<Option<i64>> {
        let filter = if area.is_some() {
            "area = ?1"
        } else {
            "?1 IS NULL"
        };
        let sql = format!(
            "SELECT created_at FROM revision_log WHERE revision =
               (SELECT max(revision) FROM {table} WHERE {filter})"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([area], |row| row.get(0))
            .optional()?)
    }

    /// An area's age structure over every year it has population data for.
    pub fn age_structure(&self, area_id: &str) -> Result<fokus_model::population::AgeStructure> {
        let name = self.area_name(area_id)?;
        let counts: Vec<PopulationCount> = self
            .conn
            .prepare_cached(
                "SELECT area, year, age_from, sex, count, projection FROM population WHERE area = ?1",
            )?
            .query_map([area_id], population_of)?
            .collect::<rusqlite::Result<_>>()?;
        let movement: Vec<Movement> = self
            .conn
            .prepare_cached(
                "SELECT area, year, births, deaths, moved_in, moved_out FROM movement
                 WHERE area = ?1 ORDER BY year",
            )?
            .query_map([area_id], movement_of)?
            .collect::<rusqlite::Result<_>>()?;
        let stand = self
            .stand_of_rows("population", Some(area_id))?
            .max(self.stand_of_rows("movement", Some(area_id))?);
        Ok(fokus_model::population::AgeStructure {
            movement,
            stand,
            ..fokus_model::population::AgeStructure::from_counts(area_id, &name, &counts)
        })
    }

    /// The Kreis's Sozialausgaben per field and year, in euros and per inhabitant (from the
    /// Kreis's population of the same year), and its whole budget where known.
    pub fn spending_overview(&self) -> Result<SpendingOverview> {
        let area = self.home_area()?.unwrap_or_default();
        let mut population_statement = self.conn.prepare_cached(
            "SELECT year, sum(count) FROM population WHERE area = ?1 GROUP BY year",
        )?;
        let inhabitants: Vec<(u16, u64)> = population_statement
            .query_map([&area], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut statement = self
            .conn
            .prepare_cached("SELECT field, year, euros FROM spending ORDER BY field, year")?;
        let mut lines: Vec<SpendingLine> = Vec::new();
        let mut years: Vec<u16> = Vec::new();
        for row in statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, u16>(1)?,
                row.get::<_, f64>(2)?,
            ))
        })? {
            let (field, year, euros) = row?;
            let per_inhabitant = inhabitants
                .iter()
                .find(|(population_year, _)| *population_year == year)
                .filter(|(_, count)| *count > 0)
                .map(|(_, count)| euros / *count as f64);
            if !years.contains(&year) {
                years.push(year);
            }
            match lines.last_mut() {
                Some(line) if line.field == field => {
                    line.points.push((year, euros, per_inhabitant))
                }
                _ => lines.push(SpendingLine {
                    field,
                    points: vec![(year, euros, per_inhabitant)],
                }),
            }
        }
        years.sort_unstable();
        let budget = self
            .conn
            .prepare_cached("SELECT year, euros FROM budget ORDER BY year")?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(SpendingOverview {
            area,
            years,
            lines,
            budget,
            stand: self
                .stand_of_rows("spending", None)?
                .max(self.stand_of_rows("budget", None)?),
        })
    }

    /// Published content of one kind (all kinds for `None`), newest first.
    pub fn content_list(&self, kind: Option<ContentKind>) -> Result<Vec<ContentItem>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT item FROM content WHERE ?1 IS NULL OR kind = ?1 ORDER BY date DESC, id",
        )?;
        let items = statement
            .query_map([kind.map(ContentKind::as_str)], content_of)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(items)
    }

    /// Ids of all published content items.
    pub fn content_ids(&self) -> Result<std::collections::HashSet<String>> {
        self.text_set("SELECT id FROM content")
    }

    /// The text values of a one-column query, as a set.
    fn text_set(&self, sql: &str) -> Result<std::collections::HashSet<String>> {
        let mut statement = self.conn.prepare_cached(sql)?;
        let values = statement
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(values)
    }

    /// The indicator catalogue alone (names for news texts), without the year lists, in the
    /// report's order of Handlungsfelder.
    pub fn indicators(&self) -> Result<Vec<Indicator>> {
        let mut indicators = indicators_where(&self.conn, "revision >= ?1", 0)?;
        let display = self.display()?;
        // Stable: equal positions (data from before positions existed) keep the id order.
        indicators.sort_by_key(|indicator| {
            (
                display.field_rank(&indicator.handlungsfeld),
                indicator.position,
            )
        });
        Ok(indicators)
    }

    /// Hashes of the blobs recorded as present.
    pub fn blob_hashes(&self) -> Result<std::collections::HashSet<String>> {
        self.text_set("SELECT sha256 FROM blob")
    }

    /// The media type of a recorded blob, `None` if this database has no such blob.
    pub fn blob_mime(&self, sha256: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT mime FROM blob WHERE sha256 = ?1", [sha256], |row| {
                row.get(0)
            })
            .optional()?)
    }

    pub fn content_item(&self, id: &str) -> Result<ContentItem> {
        self.conn
            .query_row("SELECT item FROM content WHERE id = ?1", [id], content_of)
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "Beitrag",
                id: id.to_owned(),
            })
    }

    /// The newest revision's log entry, for "Stand: …".
    pub fn latest_revision_info(&self) -> Result<Option<RevisionInfo>> {
        Ok(self
            .conn
            .query_row("SELECT revision, created_at, label, fingerprint FROM revision_log ORDER BY revision DESC LIMIT 1", [], |row| {
                Ok(RevisionInfo { revision: row.get(0)?, created_at: row.get(1)?, label: row.get(2)?, fingerprint: row.get(3)? })
            })
            .optional()?)
    }

    /// The fingerprint of `revision` in this database's log (`None` if it has no such entry).
    pub fn fingerprint_of(&self, revision: u64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT fingerprint FROM revision_log WHERE revision = ?1",
                [revision],
                |row| row.get(0),
            )
            .optional()?)
    }
}
