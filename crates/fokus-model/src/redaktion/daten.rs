//! The Daten part of the workspace: an import is uploaded, shown as a preview (what it would
//! add and change, what looks implausible), then taken over as one revision; every import is
//! listed with who made it and can be taken back ("Rückgängig machen") as a new revision.

use serde::{Deserialize, Serialize};

use crate::Cell;

/// `POST ?name=<file name>` with the file's bytes (CSV or JSON, any import kind) → a
/// [`Preview`], or 422 with an [`crate::api::ImportRejected`] naming every refused line. Nothing
/// is written.
pub const PREVIEW: &str = "/api/v1/redaktion/daten/vorschau";
/// `POST` [`AcceptPreview`] → the [`ImportEntry`] of the new revision: commits exactly the
/// previewed file, or 409 when the data changed since the preview.
pub const ACCEPT: &str = "/api/v1/redaktion/daten/uebernehmen";
/// `GET ?limit=N` → the newest [`ImportEntry`]s, newest first.
pub const REVISIONS: &str = "/api/v1/redaktion/daten/revisionen";
/// `POST /api/v1/redaktion/daten/revisionen/{id}/rueckgaengig` → the [`ImportEntry`] of the new
/// revision that restores the values before import `id`; 409 when a later change touched the
/// same values or it was taken back already.
pub const UNDO: &str = "/api/v1/redaktion/daten/revisionen/{id}/rueckgaengig";

/// How long the server keeps a previewed file for [`ACCEPT`] (seconds).
pub const PREVIEW_LIFETIME_SECS: i64 = 30 * 60;
/// How many of the largest changes a preview lists.
pub const MAX_BIGGEST_CHANGES: usize = 20;
/// How many warnings a preview lists; [`Preview::n_warnings`] counts all of them.
pub const MAX_WARNINGS: usize = 200;

/// Which table of the published data rows go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Table {
    /// Indicator values of the Sozialbericht.
    Values,
    /// Inhabitants by area, year, age group and sex.
    Population,
    /// Births, deaths and moves by area and year.
    Movement,
    /// Sozialausgaben by Leistungsbereich and year.
    Spending,
    /// The whole budget by year.
    Budget,
}

impl Table {
    pub fn as_str(self) -> &'static str {
        match self {
            Table::Values => "values",
            Table::Population => "population",
            Table::Movement => "movement",
            Table::Spending => "spending",
            Table::Budget => "budget",
        }
    }

    pub fn parse(text: &str) -> Option<Table> {
        [
            Table::Values,
            Table::Population,
            Table::Movement,
            Table::Spending,
            Table::Budget,
        ]
        .into_iter()
        .find(|table| table.as_str() == text)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Table::Values => "Kennzahlen",
            Table::Population => "Bevölkerung",
            Table::Movement => "Bevölkerungsbewegung",
            Table::Spending => "Sozialausgaben",
            Table::Budget => "Gesamthaushalt",
        }
    }
}

/// How many rows of an import are new, changed or already stored as they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Counts {
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
}

/// The counts of one indicator (or table) and year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct YearCounts {
    pub table: Table,
    /// The indicator's id for values, the Leistungsbereich for spending, empty otherwise.
    pub subject: String,
    /// What a person reads: the indicator's name, the Leistungsbereich, or the table.
    pub label: String,
    pub year: u16,
    pub counts: Counts,
}

/// One stored value an import replaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ValueChange {
    pub table: Table,
    pub subject: String,
    /// The indicator's name, or what the number counts ("Bevölkerung weiblich, 85+").
    pub label: String,
    /// The area's id; empty for spending and the budget.
    pub area: String,
    pub area_name: String,
    pub year: u16,
    pub before: Cell,
    pub after: Cell,
    /// `(after - before) / |before|`; `None` unless both are numbers and `before` is not 0.
    pub relative: Option<f64>,
}

/// Why a warning is given; the rules are documented in the server's `redaktion/daten.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WarningRule {
    /// A number changes by more than half against the stored one (or from 0).
    LargeChange,
    /// A stored number is replaced by a gap ("keine Daten", "geheim gehalten").
    NumberBecomesGap,
    /// A year lies far from the file's other years: a typing error?
    DistantYear,
    /// Counted values for a year that has not ended yet.
    FutureYear,
    /// Values stored only as "geheim gehalten" because they rest on too few cases.
    Suppressed,
    /// Rows that a later "Rückgängig machen" cannot remove again.
    NotUndoable,
}

/// Something in an accepted file that a person should look at before taking it over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Warning {
    pub rule: WarningRule,
    /// German, complete: what, where, and why it is unusual.
    pub message: String,
}

/// What an import would do, computed against the data at [`Preview::revision`]; nothing was
/// written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Preview {
    /// Hand this to [`ACCEPT`]; valid for the account that uploaded the file until
    /// [`Preview::expires`].
    pub id: String,
    pub name: String,
    /// The revision of the data the preview compares with.
    pub revision: crate::Revision,
    /// Unix seconds.
    pub expires: i64,
    pub total: Counts,
    /// By table, indicator and year.
    pub counts: Vec<YearCounts>,
    /// The largest relative changes first, at most [`MAX_BIGGEST_CHANGES`].
    pub biggest: Vec<ValueChange>,
    /// At most [`MAX_WARNINGS`].
    pub warnings: Vec<Warning>,
    pub n_warnings: u64,
    /// Values that will be stored as "geheim gehalten" (too few cases).
    pub suppressed: u64,
}

/// The body of [`ACCEPT`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AcceptPreview {
    /// [`Preview::id`].
    pub preview: String,
}

/// What an entry of the revision log did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A file taken over.
    Import,
    /// An import taken back.
    Undo,
}

/// One entry of the Daten revision log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImportEntry {
    pub id: i64,
    pub kind: EntryKind,
    /// The account's name, and the name it shows.
    pub account: String,
    pub display_name: String,
    /// Unix seconds.
    pub time: i64,
    /// The file's name; for an undo, what it took back.
    pub name: String,
    /// The revision it committed; `None` when nothing differed from the stored values (then
    /// [`ImportEntry::not_undoable`] says so), or if the server stopped before it knew.
    pub revision: Option<crate::Revision>,
    pub counts: Counts,
    /// Values it removed (an undo removing values an import had added).
    pub deleted: u64,
    /// The import this entry took back.
    pub undoes: Option<i64>,
    /// The entry that took this import back.
    pub undone_by: Option<i64>,
    /// Why "Rückgängig machen" is not offered, if it is not (German).
    pub not_undoable: Option<String>,
}
