//! The workspace's Daten part: an uploaded export (any import kind) is checked and shown as a
//! preview before anything is written (counts by indicator and year, the largest changes,
//! plausibility warnings, or every refused line with the import's own messages); "Übernehmen"
//! commits exactly the previewed file as one revision through [`crate::import_bytes`]; the
//! revision log says who took over what, and "Rückgängig machen" restores the values an import
//! replaced, as a new revision.
//!
//! The import refuses what cannot be right (a share in % outside 0–100, a negative count, an
//! unknown area). The preview's warnings only ask a person to look:
//! - large change: a number differs from the stored one by more than [`LARGE_CHANGE`] of it,
//!   or a stored 0 becomes another number. Differences below the indicator's shown precision
//!   are not judged, nor counts of people below [`SMALL_COUNT`] (small numbers swing).
//! - number becomes gap: a stored number is replaced by `.` (keine Daten) or `x` (geheim).
//! - distant year: a year more than [`DISTANT_YEARS`] years from every other year of the file.
//! - future year: counted values for a year after the current one (projections excepted).
//! - suppressed: values stored only as "geheim gehalten" because they rest on too few cases.
//! - not undoable: see below.
//!
//! Undo writes back every row an import changed or added as it was before; a value the import
//! added is deleted (a tombstone in the feed). Only indicator values can be deleted: the
//! published data have no deletion for population, movement, spending or budget rows, so an
//! import that adds such rows is marked as not undoable when it is taken over (and the preview
//! says so). An undo is refused when a later change wrote one of the import's rows (the answer
//! names them), and an undo is not itself taken back: the file is taken over again instead.
//!
//! Invariant: what the workspace records (who, the values replaced) lives in its own database
//! (`db.rs`), never in the published one.

use std::collections::{BTreeMap, HashMap};

use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use fokus_model::finance::{BudgetTotal, Spending};
use fokus_model::population::{Movement, PopulationCount};
use fokus_model::redaktion::daten::{
    self as wire, AcceptPreview, Counts, EntryKind, ImportEntry, Preview, Table, ValueChange,
    Warning, WarningRule, YearCounts,
};
use fokus_model::redaktion::{Account, Role};
use fokus_model::{Catalog, Cell, Observation, Revision};
use fokus_store::{Store, Stored};
use serde::Deserialize;

use super::accounts::{self, Refusal};
use super::db::DatenRow;
use super::{params, signed, Address, Body, Need, Workspace};
use crate::import::{self, ImportRules};
use crate::AppState;

/// A change by more than this share of the stored number is worth a look.
pub const LARGE_CHANGE: f64 = 0.5;
/// Counts of people (population, births, moves) below this are not judged for large changes.
pub const SMALL_COUNT: f64 = 20.0;
/// A year further than this from every other year of a file is worth a look.
pub const DISTANT_YEARS: u16 = 2;

/// Who may import and take back.
const ROLES: [Role; 2] = [Role::Daten, Role::Admin];

/// A file shown as a preview, kept for [`wire::PREVIEW_LIFETIME_SECS`] so that exactly it is
/// taken over.
#[derive(Debug, Clone)]
pub struct Pending {
    account: String,
    name: String,
    bytes: axum::body::Bytes,
    revision: Revision,
    expires: i64,
}

/// The previews waiting to be taken over, by id: one per account (a new upload replaces the
/// account's last), so memory stays bounded by accounts × the import limit.
#[derive(Debug, Default)]
pub struct Previews(HashMap<String, Pending>);

impl Previews {
    fn put(&mut self, id: String, pending: Pending, now: i64) {
        self.0
            .retain(|_, kept| kept.expires > now && kept.account != pending.account);
        self.0.insert(id, pending);
    }

    /// The preview `id` if `account` made it and it has not expired; it is used up.
    fn take(&mut self, id: &str, account: &str, now: i64) -> Option<Pending> {
        match self.0.get(id) {
            Some(pending) if pending.account == account && pending.expires > now => {
                self.0.remove(id)
            }
            _ => None,
        }
    }
}

/// One row of the published data an import writes.
#[derive(Debug, Clone, PartialEq)]
enum Row {
    Value(Observation),
    Population(PopulationCount),
    Movement(Movement),
    Spending(Spending),
    Budget(BudgetTotal),
}

impl Row {
    fn table(&self) -> Table {
        match self {
            Row::Value(_) => Table::Values,
            Row::Population(_) => Table::Population,
            Row::Movement(_) => Table::Movement,
            Row::Spending(_) => Table::Spending,
            Row::Budget(_) => Table::Budget,
        }
    }

    /// The row's key within its table (its primary key in the store).
    fn key(&self) -> String {
        match self {
            Row::Value(observation) => format!(
                "{}|{}|{}",
                observation.key.indicator, observation.key.area, observation.key.year
            ),
            Row::Population(count) => format!(
                "{}|{}|{}|{}",
                count.area,
                count.year,
                count.age_from,
                count.sex.as_str()
            ),
            Row::Movement(movement) => format!("{}|{}", movement.area, movement.year),
            Row::Spending(spending) => format!("{}|{}", spending.field, spending.year),
            Row::Budget(budget) => budget.year.to_string(),
        }
    }

    fn year(&self) -> u16 {
        match self {
            Row::Value(observation) => observation.key.year,
            Row::Population(count) => count.year,
            Row::Movement(movement) => movement.year,
            Row::Spending(spending) => spending.year,
            Row::Budget(budget) => budget.year,
        }
    }

    fn area(&self) -> &str {
        match self {
            Row::Value(observation) => &observation.key.area,
            Row::Population(count) => &count.area,
            Row::Movement(movement) => &movement.area,
            Row::Spending(_) | Row::Budget(_) => "",
        }
    }

    /// The indicator's id, the Leistungsbereich, or nothing.
    fn subject(&self) -> &str {
        match self {
            Row::Value(observation) => &observation.key.indicator,
            Row::Spending(spending) => &spending.field,
            Row::Population(_) | Row::Movement(_) | Row::Budget(_) => "",
        }
    }

    fn is_projection(&self) -> bool {
        matches!(self, Row::Population(count) if count.projection)
    }

    fn to_json(&self) -> String {
        let json = match self {
            Row::Value(observation) => serde_json::to_string(observation),
            Row::Population(count) => serde_json::to_string(count),
            Row::Movement(movement) => serde_json::to_string(movement),
            Row::Spending(spending) => serde_json::to_string(spending),
            Row::Budget(budget) => serde_json::to_string(budget),
        };
        json.expect("wire types serialise")
    }

    fn from_json(table: &str, json: &str) -> Result<Row, Refusal> {
        let broken = |error: serde_json::Error| {
            Refusal::Internal(format!("a recorded {table} row does not parse: {error}"))
        };
        Ok(match Table::parse(table) {
            Some(Table::Values) => Row::Value(serde_json::from_str(json).map_err(broken)?),
            Some(Table::Population) => Row::Population(serde_json::from_str(json).map_err(broken)?),
            Some(Table::Movement) => Row::Movement(serde_json::from_str(json).map_err(broken)?),
            Some(Table::Spending) => Row::Spending(serde_json::from_str(json).map_err(broken)?),
            Some(Table::Budget) => Row::Budget(serde_json::from_str(json).map_err(broken)?),
            None => return Err(Refusal::Internal(format!("unknown table `{table}`"))),
        })
    }

    /// The numbers a person compares: what each counts (appended to the row's label) and its
    /// cell. A movement row holds four.
    fn figures(&self) -> Vec<(&'static str, Cell)> {
        let count = |number: u64| Cell::Value(number as f64);
        match self {
            Row::Value(observation) => vec![("", observation.cell)],
            Row::Population(population) => vec![("", count(population.count))],
            Row::Movement(movement) => vec![
                ("Geburten", count(movement.births)),
                ("Sterbefälle", count(movement.deaths)),
                ("Zuzüge", count(movement.moved_in)),
                ("Fortzüge", count(movement.moved_out)),
            ],
            Row::Spending(spending) => vec![("", Cell::Value(spending.euros))],
            Row::Budget(budget) => vec![("", Cell::Value(budget.euros))],
        }
    }
}

/// Every row of a parsed file, values first.
fn rows_of(parsed: import::Parsed) -> Vec<Row> {
    let mut rows: Vec<Row> = parsed.observations.into_iter().map(Row::Value).collect();
    rows.extend(parsed.population.into_iter().map(Row::Population));
    rows.extend(parsed.movement.into_iter().map(Row::Movement));
    rows.extend(parsed.spending.into_iter().map(Row::Spending));
    rows.extend(parsed.budget.into_iter().map(Row::Budget));
    rows
}

/// Looks up the rows of one kind: `pick` chooses them, `fetch` asks the store, `wrap` makes
/// them rows again; each lands at its row's index in `out`.
fn lookup<T: Clone>(
    rows: &[Row],
    pick: fn(&Row) -> Option<&T>,
    fetch: impl FnOnce(&[T]) -> fokus_store::Result<Vec<Option<Stored<T>>>>,
    wrap: fn(T) -> Row,
    out: &mut [Option<Stored<Row>>],
) -> fokus_store::Result<()> {
    let (at, wanted): (Vec<usize>, Vec<T>) = rows
        .iter()
        .enumerate()
        .filter_map(|(index, row)| pick(row).map(|inner| (index, inner.clone())))
        .unzip();
    if wanted.is_empty() {
        return Ok(());
    }
    for (stored, index) in fetch(&wanted)?.into_iter().zip(at) {
        out[index] = stored.map(|stored| Stored {
            row: wrap(stored.row),
            revision: stored.revision,
        });
    }
    Ok(())
}

/// What the store holds now for each row's key, with the revision that wrote it.
fn stored_rows(store: &Store, rows: &[Row]) -> fokus_store::Result<Vec<Option<Stored<Row>>>> {
    let mut out: Vec<Option<Stored<Row>>> = vec![None; rows.len()];
    lookup(
        rows,
        |row| match row {
            Row::Value(inner) => Some(inner),
            _ => None,
        },
        |wanted: &[Observation]| {
            let keys: Vec<_> = wanted
                .iter()
                .map(|observation| observation.key.clone())
                .collect();
            store.stored_observations(&keys)
        },
        Row::Value,
        &mut out,
    )?;
    lookup(
        rows,
        |row| match row {
            Row::Population(inner) => Some(inner),
            _ => None,
        },
        |wanted| store.stored_population(wanted),
        Row::Population,
        &mut out,
    )?;
    lookup(
        rows,
        |row| match row {
            Row::Movement(inner) => Some(inner),
            _ => None,
        },
        |wanted| store.stored_movement(wanted),
        Row::Movement,
        &mut out,
    )?;
    lookup(
        rows,
        |row| match row {
            Row::Spending(inner) => Some(inner),
            _ => None,
        },
        |wanted| store.stored_spending(wanted),
        Row::Spending,
        &mut out,
    )?;
    lookup(
        rows,
        |row| match row {
            Row::Budget(inner) => Some(inner),
            _ => None,
        },
        |wanted| store.stored_budget(wanted),
        Row::Budget,
        &mut out,
    )?;
    Ok(out)
}

/// An import's row against the one it replaces.
#[derive(Debug, Clone)]
struct Diff {
    row: Row,
    before: Option<Row>,
}

impl Diff {
    fn is_new(&self) -> bool {
        self.before.is_none()
    }

    fn is_unchanged(&self) -> bool {
        self.before.as_ref() == Some(&self.row)
    }
}

/// The year of a Unix time (UTC).
fn year_of(unix: i64) -> u16 {
    super::iso_day(unix)[..4]
        .parse()
        .unwrap_or(fokus_model::LAST_YEAR)
}

/// German notation with `decimals` places: `1.234,5`.
fn german(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (integer, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (position, digit) in integer.chars().enumerate() {
        if position > 0 && (integer.len() - position) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{fraction}")
    }
}

/// A cell as a person reads it.
fn cell_text(cell: Cell, decimals: usize) -> String {
    match cell {
        Cell::Value(value) => german(value, decimals),
        Cell::Flagged { value, flag } => {
            format!("{} ({})", german(value, decimals), flag.label_de())
        }
        Cell::Gap(gap) => format!("„{}“", gap.label_de()),
    }
}

/// A relative change as `+62 %`.
fn percent(relative: f64) -> String {
    let sign = if relative > 0.0 { "+" } else { "" };
    format!("{sign}{} %", german(relative * 100.0, 0))
}

/// The names a preview shows, from the catalogue.
struct Names<'a> {
    catalog: &'a Catalog,
}

impl Names<'_> {
    fn area(&self, id: &str) -> String {
        self.catalog
            .areas
            .iter()
            .find(|area| area.id == id)
            .map_or_else(|| id.to_owned(), |area| area.name.clone())
    }

    fn indicator(&self, id: &str) -> Option<&fokus_model::Indicator> {
        self.catalog
            .indicators
            .iter()
            .find(|indicator| indicator.id == id)
    }

    /// What the row's numbers are, for a person: the indicator's name, or the table and what
    /// the row counts.
    fn label(&self, row: &Row, figure: &str) -> String {
        let base = match row {
            Row::Value(observation) => self.indicator(&observation.key.indicator).map_or_else(
                || observation.key.indicator.clone(),
                |indicator| indicator.name.clone(),
            ),
            Row::Population(count) => {
                let ages = if count.age_from >= 85 {
                    format!("{}+", count.age_from)
                } else {
                    format!("{}–{}", count.age_from, count.age_from + 4)
                };
                let projection = if count.projection {
                    ", Vorausberechnung"
                } else {
                    ""
                };
                format!("Bevölkerung {}, {ages}{projection}", count.sex.label_de())
            }
            Row::Movement(_) => Table::Movement.label_de().to_owned(),
            Row::Spending(spending) => format!("Sozialausgaben {}", spending.field),
            Row::Budget(_) => Table::Budget.label_de().to_owned(),
        };
        if figure.is_empty() {
            base
        } else {
            format!("{base}: {figure}")
        }
    }

    /// Where a number is: label, area, year.
    fn place(&self, row: &Row, figure: &str) -> String {
        let mut parts = vec![self.label(row, figure)];
        if !row.area().is_empty() {
            parts.push(self.area(row.area()));
        }
        parts.push(row.year().to_string());
        parts.join(", ")
    }

    /// Places shown for a row's numbers, and the smallest difference worth judging.
    fn precision(&self, row: &Row) -> (usize, f64) {
        match row {
            Row::Value(observation) => {
                let decimals = self
                    .indicator(&observation.key.indicator)
                    .map_or(1, |indicator| usize::from(indicator.decimals.min(6)));
                (decimals, 10f64.powi(-(decimals as i32)))
            }
            Row::Population(_) | Row::Movement(_) => (0, 1.0),
            Row::Spending(_) | Row::Budget(_) => (0, 1.0),
        }
    }
}

/// The large-change rule for one number: the relative change worth a warning, if it is one.
/// `Some(None)` for a stored 0 that becomes another number.
fn large_change(before: f64, after: f64, smallest: f64, is_count: bool) -> Option<Option<f64>> {
    let difference = after - before;
    if difference.abs() < smallest * 0.999_999 {
        return None;
    }
    if is_count && before.abs().max(after.abs()) < SMALL_COUNT {
        return None;
    }
    if before == 0.0 {
        return Some(None);
    }
    let relative = difference / before.abs();
    (relative.abs() > LARGE_CHANGE).then_some(Some(relative))
}

/// The distant-year rule: each year of `years` (sorted, distinct) further than
/// [`DISTANT_YEARS`] from every other, with the nearest other year.
fn distant_years(years: &[u16]) -> Vec<(u16, u16)> {
    if years.len() < 2 {
        return Vec::new();
    }
    years
        .iter()
        .filter_map(|year| {
            let nearest = years
                .iter()
                .filter(|other| *other != year)
                .min_by_key(|other| other.abs_diff(*year))?;
            (nearest.abs_diff(*year) > DISTANT_YEARS).then_some((*year, *nearest))
        })
        .collect()
}

/// Why an import with these rows could not be taken back, if it could not: the new rows of
/// tables the published data cannot delete from.
fn not_undoable(diffs: &[Diff]) -> Option<String> {
    let mut new_rows: BTreeMap<Table, usize> = BTreeMap::new();
    for diff in diffs.iter().filter(|diff| diff.is_new()) {
        if diff.row.table() != Table::Values {
            *new_rows.entry(diff.row.table()).or_default() += 1;
        }
    }
    if new_rows.is_empty() {
        return None;
    }
    let list: Vec<String> = new_rows
        .iter()
        .map(|(table, n)| format!("{n} neue Zeile(n) {}", table.label_de()))
        .collect();
    Some(format!(
        "Dieser Import lässt sich später nicht rückgängig machen: er fügt {} hinzu, und für diese Daten kennt der veröffentlichte Bestand keine Löschung",
        list.join(" und ")
    ))
}

/// What a preview shows, computed from the rows and what they replace; pure.
#[derive(Debug, Clone, PartialEq)]
struct Summary {
    total: Counts,
    counts: Vec<YearCounts>,
    biggest: Vec<ValueChange>,
    warnings: Vec<Warning>,
}

fn summarize(
    diffs: &[Diff],
    suppressed: usize,
    rules: ImportRules,
    catalog: &Catalog,
    this_year: u16,
) -> Summary {
    let names = Names { catalog };
    let mut total = Counts::default();
    let mut by_year: BTreeMap<(Table, String, u16), (String, Counts)> = BTreeMap::new();
    let mut changes: Vec<(f64, ValueChange)> = Vec::new();
    let mut warnings = Vec::new();
    for diff in diffs {
        let row = &diff.row;
        let label = match row {
            Row::Value(_) | Row::Spending(_) => names.label(row, ""),
            _ => row.table().label_de().to_owned(),
        };
        let entry = by_year
            .entry((row.table(), row.subject().to_owned(), row.year()))
            .or_insert_with(|| (label, Counts::default()));
        let counter = if diff.is_new() {
            &mut total.new
        } else if diff.is_unchanged() {
            &mut total.unchanged
        } else {
            &mut total.changed
        };
        *counter += 1;
        if diff.is_new() {
            entry.1.new += 1;
        } else if diff.is_unchanged() {
            entry.1.unchanged += 1;
        } else {
            entry.1.changed += 1;
        }
        let Some(before) = diff.before.as_ref().filter(|_| !diff.is_unchanged()) else {
            continue;
        };
        let (decimals, smallest) = names.precision(row);
        let is_count = matches!(row, Row::Population(_) | Row::Movement(_));
        for ((figure, after_cell), (_, before_cell)) in
            row.figures().into_iter().zip(before.figures())
        {
            if after_cell == before_cell {
                continue;
            }
            match (before_cell.value(), after_cell.value()) {
                (Some(old), Some(new)) => {
                    let relative = (old != 0.0).then(|| (new - old) / old.abs());
                    let rank = relative.map_or(f64::INFINITY, f64::abs);
                    if old != new {
                        changes.push((
                            rank,
                            ValueChange {
                                table: row.table(),
                                subject: row.subject().to_owned(),
                                label: names.label(row, figure),
                                area: row.area().to_owned(),
                                area_name: if row.area().is_empty() {
                                    String::new()
                                } else {
                                    names.area(row.area())
                                },
                                year: row.year(),
                                before: before_cell,
                                after: after_cell,
                                relative,
                            },
                        ));
                    }
                    if let Some(large) = large_change(old, new, smallest, is_count) {
                        let how = match large {
                            Some(relative) => format!(
                                "{}, mehr als ±{} % gegenüber dem bisherigen Wert",
                                percent(relative),
                                LARGE_CHANGE * 100.0
                            ),
                            None => "bisher 0".to_owned(),
                        };
                        warnings.push(Warning {
                            rule: WarningRule::LargeChange,
                            message: format!(
                                "{}: {} → {} ({how})",
                                names.place(row, figure),
                                cell_text(before_cell, decimals),
                                cell_text(after_cell, decimals)
                            ),
                        });
                    }
                }
                (Some(_), None) => warnings.push(Warning {
                    rule: WarningRule::NumberBecomesGap,
                    message: format!(
                        "{}: bisher {}, künftig {}",
                        names.place(row, figure),
                        cell_text(before_cell, decimals),
                        cell_text(after_cell, decimals)
                    ),
                }),
                _ => {}
            }
        }
    }
    let mut year_rows: BTreeMap<u16, usize> = BTreeMap::new();
    let mut future: BTreeMap<(Table, u16), usize> = BTreeMap::new();
    for diff in diffs {
        *year_rows.entry(diff.row.year()).or_default() += 1;
        if diff.row.year() > this_year && !diff.row.is_projection() {
            *future
                .entry((diff.row.table(), diff.row.year()))
                .or_default() += 1;
        }
    }
    let years: Vec<u16> = year_rows.keys().copied().collect();
    for (year, nearest) in distant_years(&years) {
        warnings.push(Warning {
            rule: WarningRule::DistantYear,
            message: format!(
                "Jahr {year} ({} Zeile(n)) liegt {} Jahre vom nächsten anderen Jahr der Datei ({nearest}) entfernt; ein Tippfehler?",
                year_rows[&year],
                year.abs_diff(nearest)
            ),
        });
    }
    for ((table, year), n_rows) in future {
        warnings.push(Warning {
            rule: WarningRule::FutureYear,
            message: format!(
                "{n_rows} Zeile(n) {} für {year}: das Jahr ist noch nicht vorbei (jetzt {this_year}); gezählte Werte gibt es erst danach",
                table.label_de()
            ),
        });
    }
    if suppressed > 0 {
        warnings.push(Warning {
            rule: WarningRule::Suppressed,
            message: format!(
                "{suppressed} Wert(e) beruhen auf weniger als {} Fällen und werden nur als „geheim gehalten“ gespeichert",
                rules.min_cases
            ),
        });
    }
    if let Some(reason) = not_undoable(diffs) {
        warnings.push(Warning {
            rule: WarningRule::NotUndoable,
            message: reason,
        });
    }
    changes.sort_by(|(rank_a, a), (rank_b, b)| {
        rank_b
            .total_cmp(rank_a)
            .then_with(|| (&a.label, &a.area, a.year).cmp(&(&b.label, &b.area, b.year)))
    });
    Summary {
        total,
        counts: by_year
            .into_iter()
            .map(|((table, subject, year), (label, counts))| YearCounts {
                table,
                subject,
                label,
                year,
                counts,
            })
            .collect(),
        biggest: changes
            .into_iter()
            .take(wire::MAX_BIGGEST_CHANGES)
            .map(|(_, change)| change)
            .collect(),
        warnings,
    }
}

/// The workspace's routes of the Daten part.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            wire::PREVIEW,
            // The handler reads the body itself, after the session, with the import limit.
            post(preview).layer(DefaultBodyLimit::disable()),
        )
        .route(wire::ACCEPT, post(accept))
        .route(wire::REVISIONS, get(revisions))
        .route(wire::UNDO, post(undo))
}

#[derive(Debug, Deserialize)]
struct PreviewQuery {
    name: Option<String>,
}

fn internal(error: impl std::fmt::Debug) -> Refusal {
    Refusal::Internal(format!("{error:?}"))
}

/// What the store says about an upload.
struct Checked {
    revision: Revision,
    diffs: Vec<Diff>,
    suppressed: usize,
    catalog: Catalog,
}

/// Parses `bytes` against the catalogue and compares every row with what is stored, in one
/// read of the store (so the revision is the one compared with).
fn check_upload(
    store: &Store,
    bytes: &[u8],
    rules: ImportRules,
) -> fokus_store::Result<Result<Checked, import::ImportError>> {
    let revision = store.revision()?;
    let catalog = store.catalog()?;
    let parsed = match import::parse_export(bytes, &catalog, rules) {
        Ok(parsed) => parsed,
        Err(error) => return Ok(Err(error)),
    };
    let suppressed = parsed.suppressed;
    let rows = rows_of(parsed);
    let stored = stored_rows(store, &rows)?;
    let diffs = rows
        .into_iter()
        .zip(stored)
        .map(|(row, stored)| Diff {
            row,
            before: stored.map(|stored| stored.row),
        })
        .collect();
    Ok(Ok(Checked {
        revision,
        diffs,
        suppressed,
        catalog,
    }))
}

async fn preview(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<PreviewQuery>, QueryRejection>,
    body: axum::body::Body,
) -> Result<Response, Refusal> {
    // The session first: without it not one byte of the body is read.
    let (workspace, signed) = signed(&state, &headers, Need::Change).await?;
    signed.require(&ROLES)?;
    let query = params(query)?;
    let name = query.name.unwrap_or_default().trim().to_owned();
    if let Some(problem) = crate::import_name_problem(&name) {
        return Err(Refusal::Invalid(problem));
    }
    let name = if name.is_empty() {
        "ohne Namen".to_owned()
    } else {
        name
    };
    let bytes =
        crate::read_upload_within(&headers, body)
            .await
            .map_err(|refused| match refused {
                crate::UploadRefused::TooLarge(message) => Refusal::TooLarge(message),
                crate::UploadRefused::TooSlow(message) => Refusal::TooSlow(message),
            })?;
    let rules = state.rules;
    let checked = {
        let bytes = bytes.clone();
        state
            .read(move |store| check_upload(store, &bytes, rules))
            .await
            .map_err(internal)?
    };
    let checked = match checked {
        Ok(checked) => checked,
        Err(error) => {
            let rejected = crate::import_rejected(&error);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(rejected)).into_response());
        }
    };
    let now = workspace.now();
    let summary = summarize(
        &checked.diffs,
        checked.suppressed,
        rules,
        &checked.catalog,
        year_of(now),
    );
    let id = accounts::token();
    let expires = now + wire::PREVIEW_LIFETIME_SECS;
    let n_warnings = summary.warnings.len() as u64;
    let preview = Preview {
        id: id.clone(),
        name: name.clone(),
        revision: checked.revision,
        expires,
        total: summary.total,
        counts: summary.counts,
        biggest: summary.biggest,
        warnings: summary
            .warnings
            .into_iter()
            .take(wire::MAX_WARNINGS)
            .collect(),
        n_warnings,
        suppressed: checked.suppressed as u64,
    };
    let pending = Pending {
        account: signed.account.name.clone(),
        name,
        bytes,
        revision: checked.revision,
        expires,
    };
    workspace
        .previews
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .put(id, pending, now);
    Ok(Json(preview).into_response())
}

async fn accept(
    State(state): State<AppState>,
    Address(address): Address,
    headers: HeaderMap,
    Body(request): Body<AcceptPreview>,
) -> Result<Json<ImportEntry>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Change).await?;
    signed.require(&ROLES)?;
    let now = workspace.now();
    let pending = workspace
        .previews
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take(&request.preview, &signed.account.name, now)
        .ok_or_else(|| {
            Refusal::NotFound(
                "Diese Vorschau ist abgelaufen, schon übernommen oder unbekannt; bitte die Datei erneut hochladen"
                    .into(),
            )
        })?;
    let rules = state.rules;
    let entry = state
        .write({
            let workspace = workspace.clone();
            move |store| {
                Ok(take_over(
                    store,
                    &workspace,
                    &signed.account,
                    &pending,
                    now,
                    rules,
                    &address,
                ))
            }
        })
        .await
        .map_err(internal)??;
    if let Some(revision) = entry.revision {
        state.revision.send_replace(revision);
    }
    Ok(Json(entry))
}

/// Commits a previewed file if the data are still those it was compared with; records the
/// rows it replaces first. Runs under the store's lock.
fn take_over(
    store: &mut Store,
    workspace: &Workspace,
    account: &Account,
    pending: &Pending,
    now: i64,
    rules: ImportRules,
    address: &str,
) -> Result<ImportEntry, Refusal> {
    let current = store.revision().map_err(internal)?;
    if current != pending.revision {
        let latest = store
            .latest_revision_info()
            .map_err(internal)?
            .map(|info| format!(": „{}“", info.label))
            .unwrap_or_default();
        return Err(Refusal::Conflict(format!(
            "Die Daten wurden seit der Vorschau geändert (Revision {} → {current}{latest}). Bitte die Datei erneut hochladen und die neue Vorschau prüfen; nichts wurde gespeichert.",
            pending.revision
        )));
    }
    let checked = match check_upload(store, &pending.bytes, rules).map_err(internal)? {
        Ok(checked) => checked,
        // The catalogue is that of the preview's revision: the file parsed then.
        Err(error) => return Err(Refusal::Unprocessable(error.to_string())),
    };
    let written: Vec<DatenRow> = checked
        .diffs
        .iter()
        .filter(|diff| !diff.is_unchanged())
        .map(|diff| DatenRow {
            table: diff.row.table().as_str().to_owned(),
            key: diff.row.key(),
            before: diff.before.as_ref().map(Row::to_json),
            after: Some(diff.row.to_json()),
        })
        .collect();
    let db = workspace
        .db
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let entry = ImportEntry {
        id: 0,
        kind: EntryKind::Import,
        account: account.name.clone(),
        display_name: account.display_name.clone(),
        time: now,
        name: pending.name.clone(),
        revision: None,
        counts: Counts::default(),
        deleted: 0,
        undoes: None,
        undone_by: None,
        not_undoable: not_undoable(&checked.diffs),
    };
    let id = db.add_daten_entry(&entry, &written).map_err(internal)?;
    let label = format!("Import {} ({})", pending.name, account.display_name);
    let summary = match crate::import_bytes(store, &pending.bytes, &label, now, false, rules) {
        Ok(Ok(summary)) => summary,
        refused => {
            if let Err(error) = db.drop_daten_entry(id) {
                tracing::error!(%error, "forgetting a refused import's log entry");
            }
            return Err(match refused {
                Ok(Err(error)) => Refusal::Unprocessable(error.to_string()),
                Err(error) => Refusal::Internal(format!("{error:#}")),
                Ok(Ok(_)) => unreachable!(),
            });
        }
    };
    let commit = summary.commit;
    let counts = Counts {
        new: commit.new as u64,
        changed: commit.changed as u64,
        unchanged: commit.unchanged as u64,
    };
    let nothing = commit
        .revision
        .is_none()
        .then_some("Der Import änderte keinen Wert");
    db.finish_daten_entry(id, commit.revision, counts, 0, nothing)
        .map_err(internal)?;
    let detail = format!(
        "#{id} {}: {} neu, {} geändert, {} unverändert (Revision {})",
        pending.name,
        counts.new,
        counts.changed,
        counts.unchanged,
        commit
            .revision
            .map_or_else(|| "keine".to_owned(), |revision| revision.to_string())
    );
    accounts::audit(&db, now, &account.name, "daten_import", &detail, address);
    db.daten_entry(id)
        .map_err(internal)?
        .ok_or_else(|| Refusal::Internal("the entry just written is gone".into()))
}

#[derive(Debug, Deserialize)]
struct LogQuery {
    limit: Option<u32>,
}

async fn revisions(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<LogQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<ImportEntry>>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Read).await?;
    signed.require(&ROLES)?;
    let query = params(query)?;
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    workspace
        .db(move |db| db.daten_entries(limit).map_err(accounts::internal))
        .await
        .map(Json)
}

async fn undo(
    State(state): State<AppState>,
    Address(address): Address,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Result<Json<ImportEntry>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Change).await?;
    signed.require(&ROLES)?;
    let id: i64 = id.parse().map_err(|_| {
        Refusal::NotFound(format!(
            "Kein Eintrag „{}“ im Datenprotokoll",
            fokus_model::text::echo(&id)
        ))
    })?;
    let now = workspace.now();
    let entry = state
        .write({
            let workspace = workspace.clone();
            move |store| {
                Ok(take_back(
                    store,
                    &workspace,
                    &signed.account,
                    id,
                    now,
                    &address,
                ))
            }
        })
        .await
        .map_err(internal)??;
    if let Some(revision) = entry.revision {
        state.revision.send_replace(revision);
    }
    Ok(Json(entry))
}

/// A date and time (UTC) as a person reads it in a message.
fn when(unix: i64) -> String {
    let day = super::iso_day(unix);
    let seconds = unix.rem_euclid(86_400);
    format!(
        "{}.{}.{} {:02}:{:02} UTC",
        &day[8..10],
        &day[5..7],
        &day[0..4],
        seconds / 3600,
        seconds % 3600 / 60
    )
}

/// Restores the rows import `id` wrote as they were before it, as one new revision, unless a
/// later change wrote one of them. Runs under the store's lock.
fn take_back(
    store: &mut Store,
    workspace: &Workspace,
    account: &Account,
    id: i64,
    now: i64,
    address: &str,
) -> Result<ImportEntry, Refusal> {
    let db = workspace
        .db
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let entry = db
        .daten_entry(id)
        .map_err(internal)?
        .ok_or_else(|| Refusal::NotFound(format!("Kein Eintrag #{id} im Datenprotokoll")))?;
    if entry.kind == EntryKind::Undo {
        return Err(Refusal::Unprocessable(format!(
            "Eintrag #{id} ist selbst eine Rücknahme und lässt sich nicht zurücknehmen; bitte die Datei erneut übernehmen"
        )));
    }
    if let Some(by) = entry.undone_by {
        let undo = db.daten_entry(by).map_err(internal)?;
        let who = undo.map_or_else(String::new, |undo| {
            format!(" von {} am {}", undo.display_name, when(undo.time))
        });
        return Err(Refusal::Conflict(format!(
            "Der Import „{}“ (#{id}) wurde bereits rückgängig gemacht (#{by}{who}); nichts wurde gespeichert.",
            entry.name
        )));
    }
    if let Some(reason) = &entry.not_undoable {
        return Err(Refusal::Unprocessable(format!("{reason}.")));
    }
    let recorded = db.daten_rows(id).map_err(internal)?;
    let mut rows: Vec<(Option<Row>, Row)> = Vec::with_capacity(recorded.len());
    for row in &recorded {
        let after = row.after.as_deref().ok_or_else(|| {
            Refusal::Internal(format!("import #{id} recorded a row without its value"))
        })?;
        let before = match &row.before {
            Some(json) => Some(Row::from_json(&row.table, json)?),
            None => None,
        };
        rows.push((before, Row::from_json(&row.table, after)?));
    }
    let afters: Vec<Row> = rows.iter().map(|(_, after)| after.clone()).collect();
    let current = stored_rows(store, &afters).map_err(internal)?;
    let catalog = store.catalog().map_err(internal)?;
    let names = Names { catalog: &catalog };
    let moved: Vec<(&Row, Option<Revision>)> = afters
        .iter()
        .zip(&current)
        .filter(|(after, now)| now.as_ref().map(|stored| &stored.row) != Some(*after))
        .map(|(after, now)| (after, now.as_ref().map(|stored| stored.revision)))
        .collect();
    if !moved.is_empty() {
        let shown: Vec<String> = moved
            .iter()
            .take(5)
            .map(|(row, revision)| {
                let by = match revision {
                    Some(revision) => match db.daten_entry_of_revision(*revision).ok().flatten() {
                        Some(later) => format!(
                            "geändert in Revision {revision} durch „{}“ (#{}, {})",
                            later.name, later.id, later.display_name
                        ),
                        None => format!("geändert in Revision {revision}"),
                    },
                    None => "inzwischen gelöscht".to_owned(),
                };
                format!("{} ({by})", names.place(row, ""))
            })
            .collect();
        let more = if moved.len() > shown.len() {
            format!(" und {} weitere", moved.len() - shown.len())
        } else {
            String::new()
        };
        return Err(Refusal::Conflict(format!(
            "Der Import „{}“ (#{id}) lässt sich nicht mehr rückgängig machen: {} seiner {} Werte wurden seitdem geändert: {}{more}. Nichts wurde gespeichert.",
            entry.name,
            moved.len(),
            afters.len(),
            shown.join("; ")
        )));
    }
    let mut changes = fokus_store::Changes::default();
    for (before, after) in &rows {
        match (before, after) {
            (Some(Row::Value(observation)), _) => changes.observations.push(observation.clone()),
            (Some(Row::Population(count)), _) => changes.population.push(count.clone()),
            (Some(Row::Movement(movement)), _) => changes.movement.push(movement.clone()),
            (Some(Row::Spending(spending)), _) => changes.spending.push(spending.clone()),
            (Some(Row::Budget(budget)), _) => changes.budget.push(budget.clone()),
            (None, Row::Value(observation)) => changes.deletions.push(observation.key.clone()),
            (None, other) => {
                return Err(Refusal::Unprocessable(format!(
                    "{} kam mit diesem Import neu hinzu und lässt sich nicht löschen",
                    names.place(other, "")
                )))
            }
        }
    }
    let undo_rows: Vec<DatenRow> = rows
        .iter()
        .map(|(before, after)| DatenRow {
            table: after.table().as_str().to_owned(),
            key: after.key(),
            before: Some(after.to_json()),
            after: before.as_ref().map(Row::to_json),
        })
        .collect();
    let undo_entry = ImportEntry {
        id: 0,
        kind: EntryKind::Undo,
        account: account.name.clone(),
        display_name: account.display_name.clone(),
        time: now,
        name: format!("Rücknahme von „{}“ (#{id})", entry.name),
        revision: None,
        counts: Counts::default(),
        deleted: 0,
        undoes: Some(id),
        undone_by: None,
        not_undoable: Some(
            "Eine Rücknahme lässt sich nicht zurücknehmen; bitte die Datei erneut übernehmen"
                .into(),
        ),
    };
    let undo_id = db
        .add_daten_entry(&undo_entry, &undo_rows)
        .map_err(internal)?;
    let label = format!(
        "Rücknahme: Import {} ({})",
        entry.name, account.display_name
    );
    let commit = match store.commit_revision(&label, now, &changes) {
        Ok(commit) => commit,
        Err(error) => {
            if let Err(error) = db.drop_daten_entry(undo_id) {
                tracing::error!(%error, "forgetting a failed undo's log entry");
            }
            return Err(internal(error));
        }
    };
    let counts = Counts {
        new: commit.new as u64,
        changed: commit.changed as u64,
        unchanged: commit.unchanged as u64,
    };
    db.finish_daten_entry(
        undo_id,
        commit.revision,
        counts,
        commit.deleted as u64,
        None,
    )
    .map_err(internal)?;
    let detail = format!(
        "#{undo_id} nimmt #{id} „{}“ zurück: {} wiederhergestellt, {} entfernt (Revision {})",
        entry.name,
        counts.changed + counts.new,
        commit.deleted,
        commit
            .revision
            .map_or_else(|| "keine".to_owned(), |revision| revision.to_string())
    );
    accounts::audit(
        &db,
        now,
        &account.name,
        "daten_rueckgaengig",
        &detail,
        address,
    );
    db.daten_entry(undo_id)
        .map_err(internal)?
        .ok_or_else(|| Refusal::Internal("the entry just written is gone".into()))
}

#[cfg(test)]
mod tests {
    use fokus_model::Gap;

    use super::*;

    #[test]
    fn german_numbers() {
        let cases = [
            (1234.5, 1, "1.234,5"),
            (-1234.5, 1, "-1.234,5"),
            (7.4, 1, "7,4"),
            (0.04, 1, "0,0"),
            (-0.04, 1, "0,0"),
            (1_000_000.0, 0, "1.000.000"),
            (999.0, 0, "999"),
        ];
        for (value, decimals, expected) in cases {
            assert_eq!(
                german(value, decimals),
                expected,
                "{value} with {decimals} places"
            );
        }
    }

    #[test]
    fn the_large_change_rule() {
        /// (before, after, smallest difference, a count of people?, expected, why)
        type Case = (f64, f64, f64, bool, Option<Option<f64>>, &'static str);
        let cases: &[Case] = &[
            (
                10.0,
                16.0,
                0.1,
                false,
                Some(Some(0.6)),
                "+60 % is more than half",
            ),
            (10.0, 4.0, 0.1, false, Some(Some(-0.6)), "-60 % likewise"),
            (
                10.0,
                15.0,
                0.1,
                false,
                None,
                "exactly +50 % is not more than half",
            ),
            (10.0, 12.0, 0.1, false, None, "+20 % is ordinary"),
            (
                0.0,
                3.0,
                0.1,
                false,
                Some(None),
                "a stored 0 becoming a number",
            ),
            (
                0.1,
                0.2,
                0.1,
                false,
                Some(Some(1.0)),
                "one step of the shown precision is a real difference",
            ),
            (
                0.1,
                0.3,
                0.1,
                false,
                Some(Some(2.0)),
                "two steps of precision and +200 %",
            ),
            (4.0, 9.0, 1.0, true, None, "small counts of people swing"),
            (
                40.0,
                90.0,
                1.0,
                true,
                Some(Some(1.25)),
                "large counts do not",
            ),
            (
                -10.0,
                -20.0,
                0.1,
                false,
                Some(Some(-1.0)),
                "relative to the size of a negative balance",
            ),
        ];
        for (before, after, smallest, is_count, expected, why) in cases {
            let found = large_change(*before, *after, *smallest, *is_count);
            let rounded = found.map(|relative| relative.map(|r| (r * 1000.0).round() / 1000.0));
            assert_eq!(rounded, *expected, "{why}");
        }
        assert_eq!(
            large_change(7.4, 7.40000001, 0.1, false),
            None,
            "rounding noise is not judged"
        );
    }

    #[test]
    fn the_distant_year_rule() {
        /// (the file's years, the distant ones with their nearest, why)
        type Case = (&'static [u16], &'static [(u16, u16)], &'static str);
        let cases: &[Case] = &[
            (&[2024, 2025, 2026], &[], "consecutive years"),
            (&[2022, 2024, 2026], &[], "every other year"),
            (
                &[2019, 2024, 2025],
                &[(2019, 2024)],
                "one year five years off",
            ),
            (&[2025], &[], "a single year has no others to be far from"),
            (
                &[2016, 2026],
                &[(2016, 2026), (2026, 2016)],
                "two years far apart: both are named",
            ),
        ];
        for (years, expected, why) in cases {
            assert_eq!(distant_years(years), expected.to_vec(), "{why}");
        }
    }

    fn catalog() -> Catalog {
        let demo = crate::demo::demo_deployment();
        Catalog {
            revision: 1,
            dataset: None,
            indicators: demo.indicators,
            areas: demo.areas,
            years: vec![],
            indicator_years: vec![],
        }
    }

    fn value(indicator: &str, area: &str, year: u16, cell: Cell) -> Row {
        Row::Value(Observation::new(indicator, area, year, cell))
    }

    #[test]
    fn a_summary_counts_ranks_and_warns() {
        let catalog = catalog();
        let diffs = vec![
            Diff {
                row: value("sgb2_quote", "01056", 2025, Cell::Value(12.0)),
                before: Some(value("sgb2_quote", "01056", 2025, Cell::Value(7.5))),
            },
            Diff {
                row: value("sgb2_quote", "01056", 2024, Cell::Value(7.7)),
                before: Some(value("sgb2_quote", "01056", 2024, Cell::Value(7.5))),
            },
            Diff {
                row: value("sgb2_quote", "01056", 2023, Cell::Gap(Gap::NoData)),
                before: Some(value("sgb2_quote", "01056", 2023, Cell::Value(7.0))),
            },
            Diff {
                row: value("sgb2_quote", "01", 2025, Cell::Value(6.0)),
                before: Some(value("sgb2_quote", "01", 2025, Cell::Value(6.0))),
            },
            Diff {
                row: value("sgb2_quote", "01", 2018, Cell::Value(6.0)),
                before: None,
            },
            Diff {
                row: Row::Spending(Spending {
                    field: "Hilfe zur Pflege".into(),
                    year: 2027,
                    euros: 1.0,
                }),
                before: None,
            },
        ];
        let summary = summarize(&diffs, 2, ImportRules::default(), &catalog, 2026);
        assert_eq!(
            summary.total,
            Counts {
                new: 2,
                changed: 3,
                unchanged: 1
            },
            "two new, three replaced, one as stored"
        );
        let of_2025: Vec<&YearCounts> = summary
            .counts
            .iter()
            .filter(|counts| counts.subject == "sgb2_quote" && counts.year == 2025)
            .collect();
        assert_eq!(of_2025.len(), 1, "one line per indicator and year");
        assert_eq!(
            of_2025[0].counts,
            Counts {
                new: 0,
                changed: 1,
                unchanged: 1
            }
        );
        assert_eq!(
            summary
                .biggest
                .iter()
                .map(|change| change.year)
                .collect::<Vec<_>>(),
            [2025, 2024],
            "+60 % before +2.7 %; a number becoming a gap is no number to compare"
        );
        let rules: Vec<WarningRule> = summary
            .warnings
            .iter()
            .map(|warning| warning.rule)
            .collect();
        assert_eq!(
            rules,
            [
                WarningRule::LargeChange,
                WarningRule::NumberBecomesGap,
                WarningRule::DistantYear,
                WarningRule::FutureYear,
                WarningRule::Suppressed,
                WarningRule::NotUndoable,
            ],
            "{:#?}",
            summary.warnings
        );
        let large = &summary.warnings[0].message;
        assert!(large.contains("7,5 → 12,0 (+60 %"), "{large}");
        assert!(
            summary.warnings[2].message.starts_with("Jahr 2018"),
            "{}",
            summary.warnings[2].message
        );
        assert!(
            summary.warnings[3].message.contains("2027"),
            "spending for a year not over yet"
        );
        assert!(summary.warnings[5]
            .message
            .contains("1 neue Zeile(n) Sozialausgaben"));
    }

    #[test]
    fn previews_are_bound_to_their_account_and_expire() {
        let mut previews = Previews::default();
        let pending = |account: &str, expires| Pending {
            account: account.into(),
            name: "a.csv".into(),
            bytes: axum::body::Bytes::from_static(b"x"),
            revision: 1,
            expires,
        };
        previews.put("p1".into(), pending("anna", 100), 0);
        assert!(
            previews.take("p1", "bert", 10).is_none(),
            "another account's preview"
        );
        assert!(previews.take("p1", "anna", 100).is_none(), "expired");
        previews.put("p2".into(), pending("anna", 200), 0);
        previews.put("p3".into(), pending("anna", 200), 0);
        assert!(
            previews.take("p2", "anna", 10).is_none(),
            "a new upload replaces the last"
        );
        assert!(previews.take("p3", "anna", 10).is_some());
        assert!(previews.take("p3", "anna", 10).is_none(), "used up");
    }
}
