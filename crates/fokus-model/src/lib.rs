//! Domain and wire types shared by the Leptos UI, the Tauri shell, the sync engine and the server.
//!
//! Invariant: this crate depends on `serde` only (plus `schemars` behind the server-only `schema`
//! feature), so it compiles to wasm32 and never drags an IO runtime into the UI. `cargo xtask
//! test` checks this mechanically.

pub mod api;
pub mod classify;
pub mod content;
pub mod directive;
pub mod finance;
pub mod ipc;
pub mod news;
pub mod personal;
pub mod population;
pub mod redaktion;
pub mod search;
pub mod text;
pub mod view;
pub mod worker;

use serde::{Deserialize, Serialize};

use crate::content::ContentItem;
use crate::finance::{BudgetTotal, Spending};
use crate::population::{Movement, PopulationCount};

/// A server-side data version. Every import or publish creates exactly one new revision; the
/// cache remembers the last revision it applied completely.
pub type Revision = u64;

/// The first and last year of the Sozialbericht's time series.
pub const FIRST_YEAR: u16 = 2015;
pub const LAST_YEAR: u16 = 2030;
/// The last year a population projection (Bevölkerungsvorausberechnung) may reach.
pub const LAST_PROJECTION_YEAR: u16 = 2045;

/// What kind of territory an [`Area`] is: a level of the German administrative hierarchy.
/// Which kinds are drawn on the map is the deployment's choice ([`DatasetInfo::map_kinds`]):
/// Kreis Pinneberg draws its Ämter (administrative unions of small Gemeinden) and amtsfreie
/// Gemeinden (towns that run their own administration) and shows Kreis, Land and Bund beside
/// the map; a Land-level deployment draws its Kreise and kreisfreie Städte. A Gemeinde is a
/// member (`parent`) of its Amt, or of itself as an amtsfreie Gemeinde.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    Amt,
    AmtsfreieGemeinde,
    Gemeinde,
    Kreis,
    KreisfreieStadt,
    Land,
    Bund,
}

/// Every kind, in hierarchy order (smallest first).
pub const AREA_KINDS: [AreaKind; 7] = [
    AreaKind::Gemeinde,
    AreaKind::Amt,
    AreaKind::AmtsfreieGemeinde,
    AreaKind::KreisfreieStadt,
    AreaKind::Kreis,
    AreaKind::Land,
    AreaKind::Bund,
];

/// The map level of a deployment that names none (data from before deployments were
/// configurable): the Ämter and amtsfreie Gemeinden of a Kreis.
pub const DEFAULT_MAP_KINDS: [AreaKind; 2] = [AreaKind::Amt, AreaKind::AmtsfreieGemeinde];

impl AreaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AreaKind::Amt => "amt",
            AreaKind::AmtsfreieGemeinde => "amtsfreie_gemeinde",
            AreaKind::Gemeinde => "gemeinde",
            AreaKind::Kreis => "kreis",
            AreaKind::KreisfreieStadt => "kreisfreie_stadt",
            AreaKind::Land => "land",
            AreaKind::Bund => "bund",
        }
    }

    pub fn parse(text: &str) -> Option<AreaKind> {
        AREA_KINDS.into_iter().find(|kind| kind.as_str() == text)
    }

    /// German name of the level, as configuration files and error messages write it.
    pub fn label_de(self) -> &'static str {
        match self {
            AreaKind::Amt => "Amt",
            AreaKind::AmtsfreieGemeinde => "amtsfreie Gemeinde",
            AreaKind::Gemeinde => "Gemeinde",
            AreaKind::Kreis => "Kreis",
            AreaKind::KreisfreieStadt => "kreisfreie Stadt",
            AreaKind::Land => "Land",
            AreaKind::Bund => "Bund",
        }
    }

    /// True for Kreis, Land and Bund: the levels that serve as references beside a map of a
    /// smaller level.
    pub fn is_reference(self) -> bool {
        matches!(self, AreaKind::Kreis | AreaKind::Land | AreaKind::Bund)
    }

    /// Sort order of reference areas: the smallest level first, the Bund last.
    pub fn rank(self) -> u8 {
        match self {
            AreaKind::Amt
            | AreaKind::AmtsfreieGemeinde
            | AreaKind::Gemeinde
            | AreaKind::KreisfreieStadt => 0,
            AreaKind::Kreis => 1,
            AreaKind::Land => 2,
            AreaKind::Bund => 3,
        }
    }
}

/// A territory values are reported for. `id` is the official Regionalschlüssel (ARS) where one
/// exists: 9 digits for Ämter and amtsfreie Gemeinden, 12 for Gemeinden, 5 for a Kreis
/// (`01056`), 2 for a Land (`01`); the Bund is `DG` as in Destatis tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Area {
    pub id: String,
    pub name: String,
    pub kind: AreaKind,
    /// Inhabitants (Zensus 2022) where known.
    pub population: Option<u64>,
    /// For a Gemeinde, the map area it belongs to (its Amt, or its own amtsfreie Gemeinde).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The boundary as a GeoJSON geometry (Polygon or MultiPolygon, WGS84), simplified by the
    /// server to the size the deployment chose; `None` for areas that are not drawn (Land,
    /// Bund) and for retired ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geometry: Option<String>,
    /// No longer part of the deployment's current areas (e.g. merged away in a Gebietsreform):
    /// its values stay readable, the map no longer draws it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

/// Whether a higher value of an indicator is good, bad or neither. Drives the colour ramp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    HigherIsBetter,
    HigherIsWorse,
    Neutral,
}

impl Polarity {
    pub fn as_str(self) -> &'static str {
        match self {
            Polarity::HigherIsBetter => "higher_is_better",
            Polarity::HigherIsWorse => "higher_is_worse",
            Polarity::Neutral => "neutral",
        }
    }

    pub fn parse(text: &str) -> Option<Polarity> {
        [
            Polarity::HigherIsBetter,
            Polarity::HigherIsWorse,
            Polarity::Neutral,
        ]
        .into_iter()
        .find(|polarity| polarity.as_str() == text)
    }
}

/// A Kennzahl of the Sozialbericht, e.g. the SGB-II-Quote. `handlungsfeld` is the policy field
/// (Handlungsfeld) a German Sozialbericht groups its indicators by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub short_name: String,
    pub unit: String,
    pub decimals: u8,
    pub polarity: Polarity,
    pub handlungsfeld: String,
    pub definition: String,
    /// What is counted (Zähler), e.g. "Nicht erwerbsfähige Leistungsberechtigte unter 15 Jahren".
    #[serde(default)]
    pub numerator: String,
    /// What it is divided by (Nenner); empty for counts and averages.
    #[serde(default)]
    pub denominator: String,
    pub source: String,
    /// A headline indicator (Leitkennzahl): one of the few the app opens with.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub headline: bool,
    /// Values resting on fewer cases are stored only as "suppressed"; `None` means the server's
    /// general minimum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_cases: Option<u64>,
    /// Place in the catalogue (its line in `kennzahlen.csv`): the report's order within a
    /// Handlungsfeld.
    #[serde(default)]
    pub position: u32,
    /// No longer in the deployment's catalogue: its values stay stored, the pickers no longer
    /// offer it and imports no longer take values for it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
    /// Other words people use for it ("Hartz IV", "Bürgergeld"), found by the search.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub synonyms: Vec<String>,
    /// Notes on the series: breaks, changed definitions, changed sources.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

/// Why a cell has no value. Statistical tables mark both cases differently (`.` and `x`), and
/// the UI must say which one applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Gap {
    /// The source has no value for this cell.
    NoData,
    /// The value exists but is withheld for data protection (too few cases).
    Suppressed,
}

impl Gap {
    pub fn as_str(self) -> &'static str {
        match self {
            Gap::NoData => "no_data",
            Gap::Suppressed => "suppressed",
        }
    }

    pub fn parse(text: &str) -> Option<Gap> {
        [Gap::NoData, Gap::Suppressed]
            .into_iter()
            .find(|gap| gap.as_str() == text)
    }

    /// German label shown in the UI and in tooltips.
    pub fn label_de(self) -> &'static str {
        match self {
            Gap::NoData => "keine Daten",
            Gap::Suppressed => "geheim gehalten (Datenschutz)",
        }
    }
}

/// A statistical office's note on a value (the Zeichenerklärung of German statistical tables),
/// written after the number (`12,3 p`) or around it (`(12,3)`), and shown beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ValueFlag {
    /// `p`: vorläufige Zahl.
    Provisional,
    /// `r`: berichtigte Zahl.
    Revised,
    /// `s` (Destatis) or `e` (Eurostat): geschätzte Zahl.
    Estimated,
    /// `( )`: Aussagewert eingeschränkt, da statistisch relativ unsicher.
    Uncertain,
}

impl ValueFlag {
    pub const ALL: [ValueFlag; 4] = [
        ValueFlag::Provisional,
        ValueFlag::Revised,
        ValueFlag::Estimated,
        ValueFlag::Uncertain,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ValueFlag::Provisional => "provisional",
            ValueFlag::Revised => "revised",
            ValueFlag::Estimated => "estimated",
            ValueFlag::Uncertain => "uncertain",
        }
    }

    pub fn parse(text: &str) -> Option<ValueFlag> {
        ValueFlag::ALL
            .into_iter()
            .find(|flag| flag.as_str() == text)
    }

    /// German label shown beside the number.
    pub fn label_de(self) -> &'static str {
        match self {
            ValueFlag::Provisional => "vorläufig",
            ValueFlag::Revised => "berichtigt",
            ValueFlag::Estimated => "geschätzt",
            ValueFlag::Uncertain => "eingeschränkt aussagekräftig",
        }
    }

    /// The letter statistical tables write after the number (`( )` for uncertain values).
    pub fn letter(self) -> &'static str {
        match self {
            ValueFlag::Provisional => "p",
            ValueFlag::Revised => "r",
            ValueFlag::Estimated => "s",
            ValueFlag::Uncertain => "()",
        }
    }
}

/// The content of one cell: a value, a value with a statistical office's note, or a marked gap.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    Value(f64),
    Flagged { value: f64, flag: ValueFlag },
    Gap(Gap),
}

impl Cell {
    pub fn value(self) -> Option<f64> {
        match self {
            Cell::Value(value) | Cell::Flagged { value, .. } => Some(value),
            Cell::Gap(_) => None,
        }
    }

    pub fn flag(self) -> Option<ValueFlag> {
        match self {
            Cell::Flagged { flag, .. } => Some(flag),
            Cell::Value(_) | Cell::Gap(_) => None,
        }
    }
}

/// The key of one observation: indicator × area × year.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ObservationKey {
    pub indicator: String,
    pub area: String,
    pub year: u16,
}

/// One value of the Sozialbericht. On the wire the key is flat (`{indicator, area, year, cell}`);
/// that shape goes through [`ObservationRow`] rather than `#[serde(flatten)]`, which buffers
/// every row through a map and made parsing a first sync several times slower.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "ObservationRow", into = "ObservationRow")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(with = "ObservationRow"))]
pub struct Observation {
    pub key: ObservationKey,
    pub cell: Cell,
}

/// The wire form of an [`Observation`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ObservationRow {
    pub indicator: String,
    pub area: String,
    pub year: u16,
    pub cell: Cell,
}

impl From<ObservationRow> for Observation {
    fn from(row: ObservationRow) -> Observation {
        Observation {
            key: ObservationKey {
                indicator: row.indicator,
                area: row.area,
                year: row.year,
            },
            cell: row.cell,
        }
    }
}

impl From<Observation> for ObservationRow {
    fn from(observation: Observation) -> ObservationRow {
        ObservationRow {
            indicator: observation.key.indicator,
            area: observation.key.area,
            year: observation.key.year,
            cell: observation.cell,
        }
    }
}

impl Observation {
    pub fn new(indicator: &str, area: &str, year: u16, cell: Cell) -> Observation {
        Observation {
            key: ObservationKey {
                indicator: indicator.into(),
                area: area.into(),
                year,
            },
            cell,
        }
    }
}

/// What the served dataset is and how the deployment presents it: the county's configuration
/// (`einstellungen.toml` on the server), travelling in the feed so the app needs no code per
/// county. `demo` is shown prominently in the UI so generated numbers are never mistaken for
/// official ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DatasetInfo {
    /// What the data are, e.g. "Sozialbericht Kreis Pinneberg" or the demo notice.
    pub title: String,
    pub demo: bool,
    /// The app's name in the header, e.g. "FOKUS PI".
    #[serde(default)]
    pub app_title: String,
    /// The line under it, e.g. "Digitaler Sozialbericht · Kreis Pinneberg".
    #[serde(default)]
    pub subtitle: String,
    /// The deployment's own total: the first reference beside the map and the default area of
    /// charts (the Kreis for a county, the Land for a Land).
    #[serde(default)]
    pub home_area: String,
    /// The kinds of area drawn on the map; empty means [`DEFAULT_MAP_KINDS`].
    #[serde(default)]
    pub map_kinds: Vec<AreaKind>,
    /// Areas drawn enlarged in a framed inset instead of at their true place (Helgoland).
    #[serde(default)]
    pub insets: Vec<Inset>,
    /// The Handlungsfelder in the report's order; indicators are listed in this order.
    #[serde(default)]
    pub handlungsfelder: Vec<String>,
    /// The licence notice of the boundaries, shown wherever the map is.
    #[serde(default)]
    pub geodata_attribution: String,
    /// Where the population figures come from, shown beside the geodata notice; empty if none.
    #[serde(default)]
    pub population_attribution: String,
    /// Where the Sozialausgaben come from (the budget and its year), shown under every
    /// spending chart; empty if none.
    #[serde(default)]
    pub spending_attribution: String,
    /// The deployment's colour (`#rrggbb`) for the header and links; empty for the default.
    /// Checked to keep white text and links readable (WCAG AA).
    #[serde(default)]
    pub accent_colour: String,
    /// Whom to write to about the app and its accessibility (the Sozialplanung's address), as
    /// the deployment words it; empty when it names none.
    #[serde(default)]
    pub contact: String,
}

impl DatasetInfo {
    /// A dataset with only a title: the display settings empty, so defaults apply.
    pub fn titled(title: &str, demo: bool) -> DatasetInfo {
        DatasetInfo {
            title: title.into(),
            demo,
            app_title: String::new(),
            subtitle: String::new(),
            home_area: String::new(),
            map_kinds: Vec::new(),
            insets: Vec::new(),
            handlungsfelder: Vec::new(),
            geodata_attribution: String::new(),
            population_attribution: String::new(),
            spending_attribution: String::new(),
            accent_colour: String::new(),
            contact: String::new(),
        }
    }

    /// Whether areas of `kind` are drawn on the map.
    pub fn is_map_kind(&self, kind: AreaKind) -> bool {
        if self.map_kinds.is_empty() {
            DEFAULT_MAP_KINDS.contains(&kind)
        } else {
            self.map_kinds.contains(&kind)
        }
    }

    /// Position of a Handlungsfeld in the report's order; unknown ones sort last.
    pub fn field_rank(&self, handlungsfeld: &str) -> usize {
        self.handlungsfelder
            .iter()
            .position(|field| field == handlungsfeld)
            .unwrap_or(usize::MAX)
    }
}

/// An area drawn in a framed inset, with the label under the frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Inset {
    pub area: String,
    pub label: String,
}

/// One entry of the server's revision log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RevisionInfo {
    pub revision: Revision,
    /// Unix seconds.
    pub created_at: i64,
    /// What created it, e.g. `Import bi-export-2026.csv`.
    pub label: String,
    /// The hash chain over the revision log up to here (hex SHA-256; empty for revisions from
    /// before fingerprints). Two databases with the same number but another fingerprint went
    /// different ways (a server restored from a backup).
    #[serde(default)]
    pub fingerprint: String,
}

/// The layout of a [`FeedPage`] this build writes and reads. A change a client of the previous
/// layout could not apply correctly raises it; a client refuses pages of a higher format and
/// says that the app needs an update, instead of misreading them or retrying for ever.
pub const FEED_FORMAT: u32 = 1;

/// Pages from servers before the field existed are of the first format.
fn first_feed_format() -> u32 {
    1
}

/// The answer of the change feed: everything that changed after `since` up to and including
/// `revision`. Applying it to a cache at `since` yields the server's state at `revision`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FeedPage {
    /// The page's layout ([`FEED_FORMAT`] of the server that wrote it).
    #[serde(default = "first_feed_format")]
    pub format: u32,
    /// Identity of the server database that produced the page. Revisions are only comparable
    /// within one instance: a client holding another instance's data must resync in full.
    #[serde(default)]
    pub instance: String,
    pub since: Revision,
    pub revision: Revision,
    pub dataset: Option<DatasetInfo>,
    pub revisions: Vec<RevisionInfo>,
    pub indicators: Vec<Indicator>,
    pub areas: Vec<Area>,
    pub observations: Vec<Observation>,
    pub deleted_observations: Vec<ObservationKey>,
    #[serde(default)]
    pub population: Vec<PopulationCount>,
    #[serde(default)]
    pub spending: Vec<Spending>,
    #[serde(default)]
    pub budget: Vec<BudgetTotal>,
    #[serde(default)]
    pub movement: Vec<Movement>,
    #[serde(default)]
    pub content: Vec<ContentItem>,
    /// Ids of content items withdrawn after `since`.
    #[serde(default)]
    pub deleted_content: Vec<String>,
}

impl Default for FeedPage {
    fn default() -> FeedPage {
        FeedPage {
            format: FEED_FORMAT,
            instance: String::new(),
            since: 0,
            revision: 0,
            dataset: None,
            revisions: Vec::new(),
            indicators: Vec::new(),
            areas: Vec::new(),
            observations: Vec::new(),
            deleted_observations: Vec::new(),
            population: Vec::new(),
            spending: Vec::new(),
            budget: Vec::new(),
            movement: Vec::new(),
            content: Vec::new(),
            deleted_content: Vec::new(),
        }
    }
}

impl FeedPage {
    pub fn is_empty(&self) -> bool {
        self.indicators.is_empty()
            && self.areas.is_empty()
            && self.observations.is_empty()
            && self.deleted_observations.is_empty()
            && self.population.is_empty()
            && self.spending.is_empty()
            && self.budget.is_empty()
            && self.movement.is_empty()
            && self.content.is_empty()
            && self.deleted_content.is_empty()
            && self.dataset.is_none()
    }
}

/// Monitoring view of the server: `GET /api/v1/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ServerStatus {
    pub revision: Revision,
    pub indicators: u64,
    pub areas: u64,
    pub observations: u64,
    pub population_counts: u64,
    pub spending: u64,
    pub content_items: u64,
}

/// What the UI needs to build its pickers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Catalog {
    pub revision: Revision,
    pub dataset: Option<DatasetInfo>,
    pub indicators: Vec<Indicator>,
    pub areas: Vec<Area>,
    /// Years with at least one observation, ascending.
    pub years: Vec<u16>,
    /// Per indicator, the years it has observations for, ascending. Indicators are updated at
    /// different times; the year picker offers only what the chosen indicator has.
    pub indicator_years: Vec<IndicatorYears>,
}

impl Catalog {
    /// The years `indicator_id` has data for (empty if none).
    pub fn years_of(&self, indicator_id: &str) -> &[u16] {
        self.indicator_years
            .iter()
            .find(|entry| entry.indicator == indicator_id)
            .map_or(&[], |entry| entry.years.as_slice())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IndicatorYears {
    pub indicator: String,
    pub years: Vec<u16>,
}

/// The value of one area in a map or reference list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AreaValue {
    pub area: String,
    pub name: String,
    pub kind: AreaKind,
    pub cell: Option<Cell>,
}

/// Everything the choropleth needs for one indicator and year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MapView {
    pub indicator: Indicator,
    pub year: u16,
    /// The 18 map areas, in id order (Gemeinden are not drawn yet).
    pub areas: Vec<AreaValue>,
    /// Kreis, Land, Bund, in that order.
    pub references: Vec<AreaValue>,
    /// Upper bounds of the classes but the last; see [`classify`].
    pub breaks: Vec<f64>,
}

/// One line of a time-series chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SeriesLine {
    pub area: String,
    pub name: String,
    pub kind: AreaKind,
    /// `(year, value)`; `None` where the cell is a gap or missing.
    pub points: Vec<(u16, Option<f64>)>,
}

/// An area against Kreis, Land and Bund over the years.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AreaSeries {
    pub indicator: Indicator,
    pub years: Vec<u16>,
    /// The selected area first, then the references.
    pub lines: Vec<SeriesLine>,
}

/// One area's row of an [`IndicatorTable`]: a cell per year of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TableRow {
    pub area: String,
    pub name: String,
    pub kind: AreaKind,
    /// One per entry of [`IndicatorTable::years`]; `None` where nothing was delivered.
    pub cells: Vec<Option<Cell>>,
}

impl TableRow {
    /// The cell of year index `year_idx`.
    pub fn cell(&self, year_idx: usize) -> Option<Cell> {
        self.cells.get(year_idx).copied().flatten()
    }
}

/// One indicator for every area of a level and every year, with the references: what the
/// explorer's map, ranking, table and time series all draw, so they show the same numbers and
/// a change of year needs no new read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IndicatorTable {
    pub indicator: Indicator,
    pub level: view::Level,
    /// The years the indicator has values for, ascending.
    pub years: Vec<u16>,
    /// The areas of the level (current ones), in id order.
    pub areas: Vec<TableRow>,
    /// The home area (Kreis), Land and Bund, in that order.
    pub references: Vec<TableRow>,
    /// Unix seconds of the import that last changed a value of this indicator: its Stand.
    pub stand: Option<i64>,
}

impl IndicatorTable {
    /// The index of `year` in [`IndicatorTable::years`].
    pub fn year_idx(&self, year: u16) -> Option<usize> {
        self.years.iter().position(|known| *known == year)
    }

    /// Every row, areas then references.
    pub fn rows(&self) -> impl Iterator<Item = &TableRow> {
        self.areas.iter().chain(&self.references)
    }
}

/// One indicator of an [`AreaProfile`]: the area's values over the years and the references'
/// values in the profile's year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProfileEntry {
    pub indicator: Indicator,
    /// The indicator's years, ascending.
    pub years: Vec<u16>,
    /// The area's cell per year.
    pub cells: Vec<Option<Cell>>,
    /// The cell of each of [`AreaProfile::references`] in the profile's year.
    pub references: Vec<Option<Cell>>,
}

impl ProfileEntry {
    /// The area's cell in `year`.
    pub fn cell_in(&self, year: u16) -> Option<Cell> {
        let year_idx = self.years.iter().position(|known| *known == year)?;
        self.cells.get(year_idx).copied().flatten()
    }
}

/// An area that a profile compares with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProfileReference {
    pub area: String,
    pub name: String,
    pub kind: AreaKind,
}

/// Every indicator for one area and year beside Kreis, Land and Bund: the Gebietsprofil.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AreaProfile {
    pub area: String,
    pub name: String,
    pub kind: AreaKind,
    /// The year asked for, or the latest any indicator has.
    pub year: u16,
    /// Every year with data, ascending, for the year picker.
    pub years: Vec<u16>,
    /// The home area, Land and Bund (without the area itself).
    pub references: Vec<ProfileReference>,
    /// The current indicators in catalogue order.
    pub entries: Vec<ProfileEntry>,
}

/// The local cache's sync state as the UI shows it ("Stand: …", "offline").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SyncState {
    /// Last revision applied completely; 0 for an empty cache.
    pub revision: Revision,
    /// Unix seconds of the last successful sync, if any.
    pub last_success: Option<i64>,
    /// Whether the last attempt reached the server.
    pub online: bool,
    pub syncing: bool,
    /// A German message for the last failure that was not simply "offline".
    pub problem: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observation_wire_format_is_flat_and_readable() {
        let observation = Observation {
            key: ObservationKey {
                indicator: "sgb2_quote".into(),
                area: "01056".into(),
                year: 2020,
            },
            cell: Cell::Gap(Gap::Suppressed),
        };
        let json = serde_json::to_string(&observation).unwrap();
        assert_eq!(
            json,
            r#"{"indicator":"sgb2_quote","area":"01056","year":2020,"cell":{"gap":"suppressed"}}"#,
            "the key is flattened so feed rows stay small and greppable"
        );
        let back: Observation = serde_json::from_str(&json).unwrap();
        assert_eq!(back, observation, "wire format round-trips");
    }

    #[test]
    fn enums_round_trip_through_their_text_form() {
        for kind in AREA_KINDS {
            assert_eq!(
                AreaKind::parse(kind.as_str()),
                Some(kind),
                "stored as text in SQLite"
            );
        }
        for polarity in [
            Polarity::HigherIsBetter,
            Polarity::HigherIsWorse,
            Polarity::Neutral,
        ] {
            assert_eq!(
                Polarity::parse(polarity.as_str()),
                Some(polarity),
                "stored as text in SQLite"
            );
        }
        for flag in ValueFlag::ALL {
            assert_eq!(
                ValueFlag::parse(flag.as_str()),
                Some(flag),
                "stored as text in SQLite"
            );
        }
        for gap in [Gap::NoData, Gap::Suppressed] {
            assert_eq!(
                Gap::parse(gap.as_str()),
                Some(gap),
                "stored as text in SQLite"
            );
        }
    }
}
