//! Import of BI exports (CSV or JSON) with exact, German error messages: Sozialbericht values,
//! population by age group and sex, and Sozialausgaben by field, through one checker.
//! All-or-nothing: a file with one problem writes nothing, and the answer lists every problem
//! with line, column and value.

use std::collections::HashMap;

use fokus_model::finance::{BudgetTotal, Spending};
use fokus_model::population::{Movement, PopulationCount, Sex, AGE_GROUPS};
use fokus_model::{
    Area, Catalog, Cell, Gap, Observation, ObservationKey, ValueFlag, FIRST_YEAR, LAST_YEAR,
};

/// One thing wrong with an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the file; 0 for the file as a whole or a JSON entry.
    pub line: u64,
    /// 1-based entry of a JSON list.
    pub entry: Option<u64>,
    pub column: Option<&'static str>,
    pub value: Option<String>,
    /// German, for the person who made the file.
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.entry, self.line) {
            (Some(entry), _) => write!(formatter, "Eintrag {entry}")?,
            (None, 0) => write!(formatter, "Datei")?,
            (None, line) => write!(formatter, "Zeile {line}")?,
        }
        if let Some(column) = self.column {
            write!(formatter, ", Spalte `{column}`")?;
        }
        write!(formatter, ": {}", self.reason)?;
        if let Some(value) = &self.value {
            write!(formatter, ": `{value}`")?;
        }
        Ok(())
    }
}

/// The file was refused; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Import abgelehnt, nichts wurde gespeichert ({} Problem(e)):\n{}", .problems.len(), render(.problems))]
pub struct ImportError {
    pub problems: Vec<Problem>,
}

/// Problems as the list a person reads under the refusal, one `- …` line each (imports and
/// configurations alike).
pub(crate) fn render<P: std::fmt::Display>(problems: &[P]) -> String {
    problems
        .iter()
        .map(|problem| format!("- {problem}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Problem {
    fn file(reason: &str) -> Problem {
        Problem {
            line: 0,
            entry: None,
            column: None,
            value: None,
            reason: reason.to_owned(),
        }
    }
}

fn whole_file(reason: &str) -> ImportError {
    ImportError {
        problems: vec![Problem::file(reason)],
    }
}

/// Files with more problems than this are cut short: the first ones are what the person needs.
const MAX_PROBLEMS: usize = 200;

pub const EXPECTED_HEADER: &str = "kennzahl;gebiet;jahr;wert";

/// BI exports larger than this are refused; a county's full yearly export is a few MB.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// Data-protection rules applied while importing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportRules {
    /// Values based on fewer cases than this (optional column `fallzahl`) are stored only as
    /// "suppressed": the number itself never enters the database, so it can never leave it.
    pub min_cases: u64,
}

impl Default for ImportRules {
    /// 3 is the smallest case count German statistical offices publish for person-level data.
    fn default() -> ImportRules {
        ImportRules { min_cases: 3 }
    }
}

/// A parsed, valid file: what it holds goes to the matching table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    pub observations: Vec<Observation>,
    pub population: Vec<PopulationCount>,
    pub spending: Vec<Spending>,
    pub budget: Vec<BudgetTotal>,
    pub movement: Vec<Movement>,
    /// How many values were turned into "suppressed" by [`ImportRules::min_cases`].
    pub suppressed: usize,
}

/// What an export holds, recognised by its columns: Sozialbericht values, population by age
/// group and sex, Sozialausgaben by field, the whole budget by year, or births, deaths and moves
/// by area and year. All five go through the same decoding, number notation, markers and
/// all-or-nothing rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Values,
    Population,
    Spending,
    Budget,
    Movement,
}

/// The last year a population projection may reach; counts end at [`LAST_YEAR`].
pub const LAST_PROJECTION_YEAR: u16 = fokus_model::LAST_PROJECTION_YEAR;

impl ExportKind {
    const ALL: [ExportKind; 5] = [
        ExportKind::Values,
        ExportKind::Population,
        ExportKind::Spending,
        ExportKind::Budget,
        ExportKind::Movement,
    ];

    fn required(self) -> &'static [Column] {
        match self {
            ExportKind::Values => &[Column::Indicator, Column::Area, Column::Year, Column::Value],
            ExportKind::Population => &[
                Column::Area,
                Column::Year,
                Column::Sex,
                Column::AgeFrom,
                Column::Count,
            ],
            ExportKind::Spending => &[Column::Field, Column::Year, Column::Euros],
            ExportKind::Budget => &[Column::Year, Column::Budget],
            ExportKind::Movement => &[
                Column::Area,
                Column::Year,
                Column::Births,
                Column::Deaths,
                Column::MovedIn,
                Column::MovedOut,
            ],
        }
    }

    /// The column that tells this kind apart.
    fn marker(self) -> Column {
        match self {
            ExportKind::Values => Column::Indicator,
            ExportKind::Population => Column::Sex,
            ExportKind::Spending => Column::Field,
            ExportKind::Budget => Column::Budget,
            ExportKind::Movement => Column::Births,
        }
    }

    /// Recognises the kind from the columns present: the kind whose marker column is there.
    fn detect(present: &[Column]) -> Option<ExportKind> {
        ExportKind::ALL
            .into_iter()
            .find(|kind| present.contains(&kind.marker()))
    }

    fn header(self) -> String {
        self.required()
            .iter()
            .map(|column| column.name())
            .collect::<Vec<_>>()
            .join(";")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Indicator,
    Area,
    Year,
    Value,
    /// Optional: the case count behind the value, for the data-protection rule.
    Cases,
    Sex,
    AgeFrom,
    Count,
    Field,
    Euros,
    /// The whole budget of a year.
    Budget,
    /// Optional in a population export: the row is a projection (`ja`), not a count.
    Projection,
    Births,
    Deaths,
    MovedIn,
    MovedOut,
}

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::Indicator => "kennzahl",
            Column::Area => "gebiet",
            Column::Year => "jahr",
            Column::Value => "wert",
            Column::Cases => "fallzahl",
            Column::Sex => "geschlecht",
            Column::AgeFrom => "alter",
            Column::Count => "anzahl",
            Column::Field => "bereich",
            Column::Euros => "euro",
            Column::Budget => "gesamthaushalt",
            Column::Projection => "prognose",
            Column::Births => "geburten",
            Column::Deaths => "sterbefaelle",
            Column::MovedIn => "zuzuege",
            Column::MovedOut => "fortzuege",
        }
    }

    fn from_header(text: &str) -> Option<Column> {
        match text.trim().to_lowercase().as_str() {
            "kennzahl" | "indikator" | "indicator" => Some(Column::Indicator),
            "gebiet" | "ars" | "area" => Some(Column::Area),
            "jahr" | "year" => Some(Column::Year),
            "wert" | "value" => Some(Column::Value),
            "fallzahl" | "faelle" | "fälle" | "cases" => Some(Column::Cases),
            "geschlecht" | "sex" => Some(Column::Sex),
            "alter" | "alter_von" | "altersgruppe" | "age" | "age_from" => Some(Column::AgeFrom),
            "anzahl" | "einwohner" | "count" => Some(Column::Count),
            "bereich" | "leistungsbereich" | "feld" | "field" => Some(Column::Field),
            "euro" | "betrag" | "euros" | "ausgaben" => Some(Column::Euros),
            "gesamthaushalt" | "haushalt" | "haushaltsvolumen" | "budget" => Some(Column::Budget),
            "prognose" | "vorausberechnung" | "projection" => Some(Column::Projection),
            "geburten" | "lebendgeborene" | "births" => Some(Column::Births),
            "sterbefaelle" | "sterbefälle" | "gestorbene" | "deaths" => Some(Column::Deaths),
            "zuzuege" | "zuzüge" | "moved_in" => Some(Column::MovedIn),
            "fortzuege" | "fortzüge" | "moved_out" => Some(Column::MovedOut),
            _ => None,
        }
    }
}

/// Decodes UTF-8 (with or without BOM) or, failing that, Windows-1252, the two encodings BI tools
/// and Excel on German Windows write.
fn decode(bytes: &[u8]) -> Result<String, ImportError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(whole_file(&format!(
            "Die Datei ist zu groß ({} MB); höchstens {} MB je Import, größere Lieferungen bitte aufteilen",
            bytes.len() / (1024 * 1024),
            MAX_IMPORT_BYTES / (1024 * 1024)
        )));
    }
    if bytes.is_empty() || bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(whole_file("Die Datei ist leer"));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(whole_file(
            "Die Datei ist UTF-16-kodiert (Excel: \u{201e}Unicode-Text\u{201c}); bitte als CSV UTF-8 oder CSV (Trennzeichen-getrennt) speichern",
        ));
    }
    if bytes.contains(&0) {
        return Err(whole_file(
            "Die Datei ist keine Textdatei (enthält Binärdaten); erwartet wird CSV",
        ));
    }
    decode_text(bytes)
}

/// Decodes UTF-8 (with or without BOM) or Windows-1252 text and normalises Windows line endings,
/// so line numbers in messages count the lines an editor shows. For every text file the
/// server reads from a county (exports and configuration alike).
pub(crate) fn decode_text(bytes: &[u8]) -> Result<String, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    };
    Ok(if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text
    })
}

/// True for `1.234` or `-12.345.678`: a dot is a thousands separator only between groups of
/// three digits. Anything else with a dot is read as a decimal point, never silently as 74 for
/// `7.4`.
fn is_grouped(integer: &str) -> bool {
    let mut groups = integer.strip_prefix('-').unwrap_or(integer).split('.');
    let first_ok = groups.next().is_some_and(|first| {
        (1..=3).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_digit())
    });
    let rest: Vec<&str> = groups.collect();
    first_ok
        && !rest.is_empty()
        && rest
            .iter()
            .all(|group| group.len() == 3 && group.bytes().all(|b| b.is_ascii_digit()))
}

/// German notation (`1.234,5`) to Rust's (`1234.5`); `None` if the dots are not thousands groups.
fn german_notation(text: &str) -> Option<String> {
    let (integer, fraction) = match text.split_once(',') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (text, None),
    };
    let integer = if integer.contains('.') {
        if !is_grouped(integer) {
            // `7.4` without a comma is a decimal point; `12.5,3` is nonsense.
            return fraction.is_none().then(|| text.to_owned());
        }
        integer.replace('.', "")
    } else {
        integer.to_owned()
    };
    Some(match fraction {
        Some(fraction) => format!("{integer}.{fraction}"),
        None => integer,
    })
}

/// Why a value cannot be right for its indicator's unit, if it cannot: a share in % lies between
/// 0 and 100 (a change in %, named so in the name or definition, not below -100); rates, counts,
/// ages, areas and amounts are not negative, unless the indicator is a change or a balance
/// (Veränderung, Entwicklung, Saldo, …).
fn implausible(indicator: &fokus_model::Indicator, value: f64) -> Option<String> {
    let text = format!("{} {}", indicator.name, indicator.definition).to_lowercase();
    let is_change = [
        "veränderung",
        "entwicklung",
        "zuwachs",
        "wachstum",
        "saldo",
        "differenz",
        "bilanz",
    ]
    .iter()
    .any(|word| text.contains(word));
    let unit = indicator.unit.trim();
    if unit == "%" {
        if is_change && value < -100.0 {
            return Some("unplausibel: eine Veränderung in % liegt nicht unter -100".into());
        }
        if !is_change && !(0.0..=100.0).contains(&value) {
            return Some(format!(
                "unplausibel: ein Anteil in % liegt zwischen 0 und 100 ({})",
                indicator.name
            ));
        }
        return None;
    }
    (value < 0.0 && !is_change).then(|| {
        format!(
            "unplausibel: negativ, für „{unit}“ ({}) nicht möglich",
            indicator.name
        )
    })
}

/// How numbers are written in the file at hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberStyle {
    /// `;`-separated: German notation, `1.234,5`.
    GermanCsv,
    /// `;`-separated, but the file writes a decimal point (`7.4`): `7.125` is 7.125.
    PointInGermanCsv,
    /// `;`-separated, and no number in the file says which mark is decimal: `7.125` could be
    /// either and is refused.
    UndecidedGermanCsv,
    /// `,`-separated: decimal point.
    PointCsv,
    /// JSON: numbers are JSON numbers; strings may carry the markers.
    Json,
}

/// Parses a value cell.
///
/// The markers are the Zeichenerklärung of the German statistical offices: `-` nothing (zero),
/// `.` unknown, `...` (or `…`) not yet available and `/` not reliable enough (both shown as "keine
/// Daten"), `x` withheld (shown as "geheim gehalten"); a value in parentheses is of limited
/// reliability, and `p`, `r`, `s` or `e` after a number mark it provisional, revised or
/// estimated.
fn parse_value(text: &str, style: NumberStyle) -> Result<Cell, String> {
    let text = text.trim();
    match text {
        "." | "..." | "…" | "/" => return Ok(Cell::Gap(Gap::NoData)),
        "x" | "X" => return Ok(Cell::Gap(Gap::Suppressed)),
        "-" => return Ok(Cell::Value(0.0)),
        "" => {
            return Err("leer; für fehlende Werte `.` eintragen, für geheim gehaltene `x`".into())
        }
        _ => {}
    }
    if let Some(inner) = text
        .strip_prefix('(')
        .and_then(|rest| rest.strip_suffix(')'))
    {
        let value = parse_number(inner.trim(), style)?;
        return Ok(Cell::Flagged {
            value,
            flag: ValueFlag::Uncertain,
        });
    }
    let flagged = [
        ('p', ValueFlag::Provisional),
        ('r', ValueFlag::Revised),
        ('s', ValueFlag::Estimated),
        ('e', ValueFlag::Estimated),
    ]
    .into_iter()
    .find_map(|(letter, flag)| {
        let number = text.strip_suffix(letter)?.trim_end();
        // `1e` is no number anyway; only a flag after digits counts.
        number
            .ends_with(|c: char| c.is_ascii_digit())
            .then_some((number, flag))
    });
    match flagged {
        Some((number, flag)) => Ok(Cell::Flagged {
            value: parse_number(number, style)?,
            flag,
        }),
        None => parse_number(text, style).map(Cell::Value),
    }
}

/// A number in the file's notation.
fn parse_number(text: &str, style: NumberStyle) -> Result<f64, String> {
    let normalised = match style {
        NumberStyle::GermanCsv => german_notation(text),
        NumberStyle::UndecidedGermanCsv => {
            // One dot between digit groups could be either; two or more (`12.500.000`) can
            // only be thousands.
            if !text.contains(',') && is_grouped(text) && text.matches('.').count() == 1 {
                return Err(format!(
                    "mehrdeutig: `{text}` kann {} (Tausenderpunkt) oder {} (Dezimalpunkt) sein, und keine andere Zahl der Datei zeigt, welche Schreibweise sie nutzt; bitte ohne Tausenderpunkt ({}) oder mit Dezimalkomma ({}) schreiben",
                    text.replace('.', ""),
                    text.replacen('.', ",", 1),
                    text.replace('.', ""),
                    text.replacen('.', ",", 1)
                ));
            }
            german_notation(text)
        }
        NumberStyle::PointInGermanCsv => {
            if text.contains(',') {
                return Err(
                    "keine Zahl; diese Datei schreibt Dezimalpunkte, hier steht ein Komma".into(),
                );
            }
            Some(text.to_owned())
        }
        NumberStyle::PointCsv | NumberStyle::Json => Some(text.to_owned()),
    };
    let Some(normalised) = normalised else {
        return Err("keine Zahl".into());
    };
    match normalised.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        _ if style == NumberStyle::PointCsv && text.contains(',') => {
            Err("keine Zahl; in einer Datei mit `,` als Trennzeichen steht der Dezimalpunkt".into())
        }
        _ if style == NumberStyle::Json && text.contains(',') => Err(
            "keine Zahl; in JSON Zahlen ohne Anführungszeichen und mit Dezimalpunkt schreiben"
                .into(),
        ),
        _ => Err("keine Zahl".into()),
    }
}

/// Where a record is: a line of a CSV file or an entry of a JSON list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Line(u64),
    Entry(u64),
}

/// One record's fields as text, whatever the file format.
type Fields = HashMap<Column, String>;

/// A record's field, trimmed; empty when the record lacks it.
fn field_text(fields: &Fields, column: Column) -> &str {
    fields.get(&column).map_or("", |text| text.trim())
}

/// The key of one record, to find duplicates whatever the kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum RecordKey {
    Value(ObservationKey),
    Population(String, u16, u8, Sex),
    Spending(String, u16),
    Budget(u16),
    Movement(String, u16),
}

/// Whether a population row is a projection: `ja`/`x`/`1`, or empty/`nein`/`0` for a count.
fn parse_projection(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "" | "nein" | "n" | "0" | "ist" | "false" | "no" => Some(false),
        "ja" | "j" | "x" | "1" | "prognose" | "true" | "yes" => Some(true),
        _ => None,
    }
}

/// `w`, `weiblich`, `female`, … as population statistics and BI tools write sex.
fn parse_sex(text: &str) -> Option<Sex> {
    match text.trim().to_lowercase().as_str() {
        "w" | "weiblich" | "f" | "female" | "frauen" => Some(Sex::Female),
        "m" | "männlich" | "maennlich" | "male" | "männer" | "maenner" => Some(Sex::Male),
        _ => None,
    }
}

/// The start of a 5-year age group, written as `20`, `20-24`, `20–24`, `20 bis 24`,
/// `20 bis unter 25`, `85+` or `85 und älter`.
fn parse_age_group(text: &str) -> Option<u8> {
    let text = text.trim();
    let start: String = text.chars().take_while(char::is_ascii_digit).collect();
    let age_from: u8 = start.parse().ok()?;
    let rest = text[start.len()..].trim();
    let expected_end = if age_from >= 85 {
        None
    } else {
        Some(age_from + 4)
    };
    let rest_ok = match rest {
        "" => true,
        "+" | "und älter" | "und mehr" => age_from == 85,
        _ => {
            let end = rest
                .trim_start_matches(['-', '–'])
                .trim_start_matches("bis unter")
                .trim_start_matches("bis")
                .trim();
            match (end.parse::<u8>(), expected_end) {
                (Ok(end), Some(last)) => end == last || (rest.contains("unter") && end == last + 1),
                _ => false,
            }
        }
    };
    (rest_ok && AGE_GROUPS.contains(&age_from)).then_some(age_from)
}

/// Validates records one by one and collects rows or problems; CSV and JSON share it, so both
/// formats obey exactly the same rules.
struct Checker<'c> {
    catalog: &'c Catalog,
    rules: ImportRules,
    style: NumberStyle,
    kind: ExportKind,
    problems: Vec<Problem>,
    parsed: Parsed,
    seen: HashMap<RecordKey, Place>,
}

impl<'c> Checker<'c> {
    fn new(
        catalog: &'c Catalog,
        rules: ImportRules,
        style: NumberStyle,
        kind: ExportKind,
    ) -> Checker<'c> {
        Checker {
            catalog,
            rules,
            style,
            kind,
            problems: Vec::new(),
            parsed: Parsed::default(),
            seen: HashMap::new(),
        }
    }

    fn is_full(&self) -> bool {
        self.problems.len() >= MAX_PROBLEMS
    }

    fn report(
        &mut self,
        place: Place,
        column: Option<Column>,
        value: Option<&str>,
        reason: String,
    ) {
        let (line, entry) = match place {
            Place::Line(line) => (line, None),
            Place::Entry(entry) => (0, Some(entry)),
        };
        self.problems.push(Problem {
            line,
            entry,
            column: column.map(Column::name),
            value: value.map(|value| fokus_model::text::echo(value).into_owned()),
            reason,
        });
    }

    fn check(&mut self, place: Place, fields: &Fields) {
        let n_before = self.problems.len();
        let field = |column: Column| field_text(fields, column);
        // A projection may reach further than counts.
        let last_year = match self.kind {
            ExportKind::Population if parse_projection(field(Column::Projection)) == Some(true) => {
                LAST_PROJECTION_YEAR
            }
            _ => LAST_YEAR,
        };
        let year = self.check_year(place, field(Column::Year), last_year);
        let key = match self.kind {
            ExportKind::Values => self.check_value(place, fields, year),
            ExportKind::Population => self.check_population(place, fields, year),
            ExportKind::Spending => self.check_spending(place, fields, year),
            ExportKind::Budget => self.check_budget(place, fields, year),
            ExportKind::Movement => self.check_movement(place, fields, year),
        };
        let Some((key, row)) = key else {
            return;
        };
        if self.problems.len() > n_before {
            return;
        }
        if let Some(first) = self.seen.insert(key, place) {
            let reason = match first {
                Place::Line(line) => format!("doppelt, steht schon in Zeile {line}"),
                Place::Entry(entry) => format!("doppelt, steht schon in Eintrag {entry}"),
            };
            let described = self
                .kind
                .required()
                .iter()
                .filter(|column| {
                    !matches!(
                        column,
                        Column::Value
                            | Column::Count
                            | Column::Euros
                            | Column::Budget
                            | Column::Births
                            | Column::Deaths
                            | Column::MovedIn
                            | Column::MovedOut
                    )
                })
                .map(|column| field(*column))
                .collect::<Vec<_>>()
                .join("/");
            self.report(place, None, Some(&described), reason);
            return;
        }
        match row {
            Row::Value(observation) => self.parsed.observations.push(observation),
            Row::Population(count) => self.parsed.population.push(count),
            Row::Spending(spending) => self.parsed.spending.push(spending),
            Row::Budget(budget) => self.parsed.budget.push(budget),
            Row::Movement(movement) => self.parsed.movement.push(movement),
        }
    }

    /// One year of a wide table's row: problems with the value name the year's column.
    fn check_wide(&mut self, place: Place, fields: &Fields, column_name: &'static str) {
        let n_before = self.problems.len();
        self.check(place, fields);
        for problem in &mut self.problems[n_before..] {
            if problem.column == Some(Column::Value.name()) {
                problem.column = Some(column_name);
            }
        }
    }

    fn check_year(&mut self, place: Place, text: &str, last_year: u16) -> Option<u16> {
        match text.parse::<u16>() {
            Ok(year) if (FIRST_YEAR..=last_year).contains(&year) => Some(year),
            Ok(_) => {
                let reason = format!("Jahr außerhalb von {FIRST_YEAR} bis {last_year}");
                self.report(place, Some(Column::Year), Some(text), reason);
                None
            }
            Err(_) => {
                self.report(place, Some(Column::Year), Some(text), "kein Jahr".into());
                None
            }
        }
    }

    /// The area `id`, reported when unknown. A Regionalschlüssel that lost its leading zero (Excel
    /// reads `01056` as the number 1056) is recognised: every official key is known with it.
    fn check_area(&mut self, place: Place, id: &str) -> Option<&'c Area> {
        let find = |wanted: &str| self.catalog.areas.iter().find(|known| known.id == wanted);
        let area = find(id).or_else(|| {
            let restored = format!("0{id}");
            id.bytes()
                .all(|byte| byte.is_ascii_digit())
                .then(|| find(&restored))
                .flatten()
        });
        if area.is_none() {
            let reason = "unbekanntes Gebiet (erwartet wird der Regionalschlüssel)".into();
            self.report(place, Some(Column::Area), Some(id), reason);
        }
        area
    }

    /// A number that must be there: population counts and euros have no gaps.
    fn check_amount(&mut self, place: Place, column: Column, text: &str) -> Option<f64> {
        // A flag on a count or an amount (`1.234 p`) is read and the number kept: population and
        // spending rows have no place for it.
        // A count is whole: `1.234` people can only be 1234, whatever else the file writes.
        let style = match (column, self.style) {
            (Column::Count, NumberStyle::UndecidedGermanCsv) => NumberStyle::GermanCsv,
            (_, style) => style,
        };
        match parse_value(text, style) {
            Ok(Cell::Value(value) | Cell::Flagged { value, .. }) => Some(value),
            Ok(Cell::Gap(_)) => {
                let reason = format!(
                    "hier ist eine Zahl nötig; `.` und `x` gibt es nur bei Kennzahlwerten ({})",
                    if column == Column::Count {
                        "Bevölkerungszahlen werden nicht geheim gehalten"
                    } else {
                        "Ausgaben sind immer bekannt"
                    }
                );
                self.report(place, Some(column), Some(text), reason);
                None
            }
            Err(reason) => {
                self.report(place, Some(column), Some(text), reason);
                None
            }
        }
    }

    fn check_value(
        &mut self,
        place: Place,
        fields: &Fields,
        year: Option<u16>,
    ) -> Option<(RecordKey, Row)> {
        let field = |column: Column| field_text(fields, column);
        let indicator_id = field(Column::Indicator);
        let indicator = self
            .catalog
            .indicators
            .iter()
            .find(|known| known.id == indicator_id);
        let min_cases = indicator
            .and_then(|indicator| indicator.min_cases)
            .unwrap_or(self.rules.min_cases);
        match indicator {
            None => self.report(
                place,
                Some(Column::Indicator),
                Some(indicator_id),
                "unbekannte Kennzahl".into(),
            ),
            Some(indicator) if indicator.retired => self.report(
                place,
                Some(Column::Indicator),
                Some(indicator_id),
                "nicht mehr im Katalog (aus kennzahlen.csv entfernt); Werte werden nicht mehr angenommen"
                    .into(),
            ),
            Some(_) => {}
        }
        let raw_area = field(Column::Area);
        let area = self.check_area(place, raw_area);
        let area_id = area.map_or(raw_area, |area| area.id.as_str());
        let value_text = field(Column::Value);
        let cell = match parse_value(value_text, self.style) {
            Ok(cell) => Some(cell),
            Err(reason) => {
                self.report(place, Some(Column::Value), Some(value_text), reason);
                None
            }
        };
        let is_value = cell.as_ref().is_some_and(|cell| cell.value().is_some());
        let cases = match fields
            .get(&Column::Cases)
            .map(|text| text.trim())
            .filter(|text| !text.is_empty() || is_value)
            .map(|text| (text, text.parse::<u64>()))
        {
            Some((_, Ok(cases))) => Some(cases),
            Some(("", Err(_))) => {
                // With the column present, a value without its count would be published
                // unchecked: fail closed.
                self.report(
                    place,
                    Some(Column::Cases),
                    Some(""),
                    "leer; wo die Spalte `fallzahl` steht, braucht jeder Wert seine Fallzahl (sonst würde er ungeprüft veröffentlicht); für fehlende Werte `.` eintragen".into(),
                );
                None
            }
            Some((text, Err(_))) => {
                self.report(
                    place,
                    Some(Column::Cases),
                    Some(text),
                    "keine ganze Zahl".into(),
                );
                None
            }
            None => None,
        };
        if let (Some(indicator), Some(value)) =
            (indicator, cell.as_ref().and_then(|cell| cell.value()))
        {
            if let Some(reason) = implausible(indicator, value) {
                self.report(place, Some(Column::Value), Some(value_text), reason);
            }
        }
        let (year, mut cell) = (year?, cell?);
        if let (Some(_), Some(cases)) = (cell.value(), cases) {
            if cases < min_cases {
                self.parsed.suppressed += 1;
                cell = Cell::Gap(Gap::Suppressed);
            }
        }
        let key = ObservationKey {
            indicator: indicator_id.to_owned(),
            area: area_id.to_owned(),
            year,
        };
        Some((
            RecordKey::Value(key.clone()),
            Row::Value(Observation { key, cell }),
        ))
    }

    fn check_population(
        &mut self,
        place: Place,
        fields: &Fields,
        year: Option<u16>,
    ) -> Option<(RecordKey, Row)> {
        let field = |column: Column| field_text(fields, column);
        let area_id = self.area_id(place, fields);
        let sex_text = field(Column::Sex);
        let sex = parse_sex(sex_text);
        if sex.is_none() {
            let reason = "`w` (weiblich) oder `m` (männlich)".into();
            self.report(place, Some(Column::Sex), Some(sex_text), reason);
        }
        let age_text = field(Column::AgeFrom);
        let age_from = parse_age_group(age_text);
        if age_from.is_none() {
            let reason = "keine Fünfjahres-Altersgruppe; erwartet wird ihr Beginn (0, 5, …, 85) oder `20-24`, `85+`".into();
            self.report(place, Some(Column::AgeFrom), Some(age_text), reason);
        }
        let count = self.check_whole(place, Column::Count, field(Column::Count));
        let projection_text = field(Column::Projection);
        let projection = parse_projection(projection_text);
        if projection.is_none() {
            let reason =
                "`ja` für eine Vorausberechnung, leer oder `nein` für gezählte Einwohner".into();
            self.report(
                place,
                Some(Column::Projection),
                Some(projection_text),
                reason,
            );
        }
        let (year, sex, age_from, count, projection) =
            (year?, sex?, age_from?, count?, projection?);
        Some((
            RecordKey::Population(area_id.clone(), year, age_from, sex),
            Row::Population(PopulationCount {
                area: area_id,
                year,
                age_from,
                sex,
                count,
                projection,
            }),
        ))
    }

    /// The record's area as its catalogue id (a problem is reported for an unknown one; the
    /// text as written stands in, so later checks can go on).
    fn area_id(&mut self, place: Place, fields: &Fields) -> String {
        let raw_area = field_text(fields, Column::Area);
        self.check_area(place, raw_area)
            .map_or(raw_area, |area| area.id.as_str())
            .to_owned()
    }

    /// A count of people: a whole number, 0 or more.
    fn check_whole(&mut self, place: Place, column: Column, text: &str) -> Option<u64> {
        self.check_amount(place, column, text).and_then(|count| {
            let whole = count >= 0.0 && count.fract() == 0.0;
            if !whole {
                let reason = "keine ganze Zahl ≥ 0".into();
                self.report(place, Some(column), Some(text), reason);
            }
            whole.then_some(count as u64)
        })
    }

    fn check_movement(
        &mut self,
        place: Place,
        fields: &Fields,
        year: Option<u16>,
    ) -> Option<(RecordKey, Row)> {
        let field = |column: Column| field_text(fields, column);
        let area_id = self.area_id(place, fields);
        let births = self.check_whole(place, Column::Births, field(Column::Births));
        let deaths = self.check_whole(place, Column::Deaths, field(Column::Deaths));
        let moved_in = self.check_whole(place, Column::MovedIn, field(Column::MovedIn));
        let moved_out = self.check_whole(place, Column::MovedOut, field(Column::MovedOut));
        let year = year?;
        Some((
            RecordKey::Movement(area_id.clone(), year),
            Row::Movement(Movement {
                area: area_id,
                year,
                births: births?,
                deaths: deaths?,
                moved_in: moved_in?,
                moved_out: moved_out?,
            }),
        ))
    }

    fn check_spending(
        &mut self,
        place: Place,
        fields: &Fields,
        year: Option<u16>,
    ) -> Option<(RecordKey, Row)> {
        let field = |column: Column| field_text(fields, column);
        let name = field(Column::Field);
        if name.is_empty() {
            let reason = "leer; der Leistungsbereich, wie der Haushalt ihn nennt".into();
            self.report(place, Some(Column::Field), Some(name), reason);
        }
        let euros = self.check_amount(place, Column::Euros, field(Column::Euros));
        let (year, euros) = (year?, euros?);
        (!name.is_empty()).then(|| {
            (
                RecordKey::Spending(name.to_owned(), year),
                Row::Spending(Spending {
                    field: name.to_owned(),
                    year,
                    euros,
                }),
            )
        })
    }

    fn check_budget(
        &mut self,
        place: Place,
        fields: &Fields,
        year: Option<u16>,
    ) -> Option<(RecordKey, Row)> {
        let text = field_text(fields, Column::Budget);
        let euros = self.check_amount(place, Column::Budget, text)?;
        if euros <= 0.0 {
            let reason = "der Gesamthaushalt ist größer als null".into();
            self.report(place, Some(Column::Budget), Some(text), reason);
            return None;
        }
        let year = year?;
        Some((
            RecordKey::Budget(year),
            Row::Budget(BudgetTotal { year, euros }),
        ))
    }

    fn finish(mut self) -> Result<Parsed, ImportError> {
        if self.is_full() {
            self.problems.push(Problem::file(&format!(
                "mehr als {MAX_PROBLEMS} Probleme; Prüfung abgebrochen"
            )));
        }
        if !self.problems.is_empty() {
            return Err(ImportError {
                problems: self.problems,
            });
        }
        let parsed = self.parsed;
        if parsed.observations.is_empty()
            && parsed.population.is_empty()
            && parsed.spending.is_empty()
            && parsed.budget.is_empty()
            && parsed.movement.is_empty()
        {
            return Err(whole_file("Die Datei enthält keine Datenzeilen"));
        }
        Ok(parsed)
    }
}

/// One checked record, on its way to its table.
enum Row {
    Value(Observation),
    Population(PopulationCount),
    Spending(Spending),
    Budget(BudgetTotal),
    Movement(Movement),
}

/// Parses and validates a BI export, CSV or JSON (recognised by its first character), against the
/// catalogue. Returns every row or every problem.
pub fn parse_export(
    bytes: &[u8],
    catalog: &Catalog,
    rules: ImportRules,
) -> Result<Parsed, ImportError> {
    let text = decode(bytes)?;
    match text.trim_start().chars().next() {
        Some('[' | '{') => parse_json(&text, catalog, rules),
        _ => parse_csv(&text, catalog, rules),
    }
}

/// JSON as BI tools write it: a list of objects (or `{"werte": [...]}`) with the CSV's column
/// names as keys; values are numbers or the markers `"."`, `"x"`, `"-"`. The kind follows from
/// the first entry's keys.
fn parse_json(text: &str, catalog: &Catalog, rules: ImportRules) -> Result<Parsed, ImportError> {
    let document: serde_json::Value = serde_json::from_str(text).map_err(|error| ImportError {
        problems: vec![Problem {
            line: error.line() as u64,
            entry: None,
            column: None,
            value: None,
            reason: format!("kein gültiges JSON (Spalte {}): {error}", error.column()),
        }],
    })?;
    let entries = match &document {
        serde_json::Value::Array(entries) => entries,
        serde_json::Value::Object(object) => match object.get("werte").or_else(|| object.get("values")) {
            Some(serde_json::Value::Array(entries)) => entries,
            _ => return Err(whole_file("JSON-Objekt ohne Liste `werte`; erwartet wird `[{...}, ...]` oder `{\"werte\": [...]}`")),
        },
        _ => return Err(whole_file("JSON muss eine Liste von Einträgen sein")),
    };
    let first_keys: Vec<Column> = entries
        .first()
        .and_then(serde_json::Value::as_object)
        .map(|object| {
            object
                .keys()
                .filter_map(|key| Column::from_header(key))
                .collect()
        })
        .unwrap_or_default();
    let kind = ExportKind::detect(&first_keys).unwrap_or(ExportKind::Values);
    let mut checker = Checker::new(catalog, rules, NumberStyle::Json, kind);
    for (entry_idx, entry) in entries.iter().enumerate() {
        if checker.is_full() {
            break;
        }
        let place = Place::Entry(entry_idx as u64 + 1);
        let Some(object) = entry.as_object() else {
            checker.report(place, None, None, "Eintrag ist kein Objekt `{...}`".into());
            continue;
        };
        let mut fields: Fields = HashMap::new();
        for (key, value) in object {
            let Some(column) = Column::from_header(key) else {
                continue;
            };
            let text = match value {
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Number(number) => number.to_string(),
                serde_json::Value::Null => String::new(),
                other => {
                    checker.report(
                        place,
                        Some(column),
                        Some(&other.to_string()),
                        "weder Zahl noch Text".into(),
                    );
                    continue;
                }
            };
            fields.insert(column, text);
        }
        let missing: Vec<&str> = kind
            .required()
            .iter()
            .filter(|column| !fields.contains_key(column))
            .map(|column| column.name())
            .collect();
        if !missing.is_empty() {
            checker.report(
                place,
                None,
                None,
                format!("es fehlt: {}", missing.join(", ")),
            );
            continue;
        }
        checker.check(place, &fields);
    }
    checker.finish()
}

/// How many lines above the header a file may carry (an Excel title block: title, Stand,
/// source, empty lines).
const MAX_TITLE_LINES: usize = 30;

/// Names of year columns in a wide table, as `'static` text for problem reports.
const YEAR_COLUMNS: [&str; (LAST_YEAR - FIRST_YEAR + 1) as usize] = [
    "2015", "2016", "2017", "2018", "2019", "2020", "2021", "2022", "2023", "2024", "2025", "2026",
    "2027", "2028", "2029", "2030",
];

/// The columns of a header line, if it is one: the delimiter, the columns, and the year columns
/// of a wide table (`kennzahl;gebiet;2023;2024`).
struct Header {
    delimiter: u8,
    columns: Vec<Option<Column>>,
    kind: ExportKind,
    /// `(position, year)` of each year column; empty for a long table.
    years: Vec<(usize, u16)>,
    /// Columns up to the last named one; empty columns after it (Excel's habit) do not count.
    n_columns: usize,
}

fn read_header(line: &str) -> Option<Header> {
    let delimiter = [b';', b'\t', b',']
        .into_iter()
        .find(|candidate| line.as_bytes().contains(candidate))?;
    let names: Vec<&str> = line
        .split(char::from(delimiter))
        .map(|name| name.trim().trim_matches('"').trim())
        .collect();
    let columns: Vec<Option<Column>> = names.iter().map(|name| Column::from_header(name)).collect();
    let present: Vec<Column> = columns.iter().flatten().copied().collect();
    let kind = ExportKind::detect(&present)?;
    let years: Vec<(usize, u16)> = names
        .iter()
        .enumerate()
        .filter_map(|(position, name)| {
            let year = name.parse::<u16>().ok()?;
            (name.len() == 4 && (FIRST_YEAR..=LAST_YEAR).contains(&year))
                .then_some((position, year))
        })
        .collect();
    let is_wide = kind == ExportKind::Values
        && !years.is_empty()
        && !present.contains(&Column::Year)
        && !present.contains(&Column::Value);
    let complete = kind.required().iter().all(|column| {
        present.contains(column) || (is_wide && matches!(column, Column::Year | Column::Value))
    });
    let n_columns = names
        .iter()
        .rposition(|name| !name.is_empty())
        .map_or(0, |last| last + 1);
    complete.then_some(Header {
        delimiter,
        columns,
        kind,
        years: if is_wide { years } else { Vec::new() },
        n_columns,
    })
}

/// A line below the table that is a note, not data: the source, a copyright, a footnote.
fn is_footnote(record: &csv::StringRecord) -> bool {
    let mut non_empty = record
        .iter()
        .map(str::trim)
        .filter(|field| !field.is_empty());
    let (Some(first), None) = (non_empty.next(), non_empty.next()) else {
        return false;
    };
    let first = first.to_lowercase();
    [
        "©",
        "(c)",
        "copyright",
        "quelle",
        "stand",
        "hinweis",
        "fußnote",
        "fussnote",
        "anmerkung",
        "*",
    ]
    .iter()
    .any(|start| first.starts_with(start))
}

/// CSV as BI tools and Excel write it: `;`, tab or `,`; a title block above the header and notes
/// below the table are skipped, trailing empty columns ignored, and a wide table (one column per
/// year) is read like a long one. Line numbers count the file's lines.
fn parse_csv(text: &str, catalog: &Catalog, rules: ImportRules) -> Result<Parsed, ImportError> {
    let first_line = text
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or_default();
    let (header_idx, header) = text
        .lines()
        .take(MAX_TITLE_LINES)
        .enumerate()
        .find_map(|(line_idx, line)| Some((line_idx, read_header(line)?)))
        .ok_or_else(|| header_problem(first_line))?;
    let body_start: usize = text
        .split_inclusive('\n')
        .take(header_idx)
        .map(str::len)
        .sum();
    let line_offset = header_idx as u64;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(header.delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(&text.as_bytes()[body_start..]);
    let n_columns = header.n_columns;
    // A tab-separated file is what German Excel writes as "Text (Tabstopp-getrennt)": decimal
    // comma, like a `;` file.
    let style = if header.delimiter == b',' {
        NumberStyle::PointCsv
    } else {
        german_style(&text[body_start..], &header, line_offset)?
    };
    let mut checker = Checker::new(catalog, rules, style, header.kind);
    let mut footnotes_from: Option<u64> = None;
    for record in reader.records() {
        if checker.is_full() {
            break;
        }
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, csv::Position::line) + line_offset;
                checker.report(
                    Place::Line(line),
                    None,
                    None,
                    "Zeile ist kein gültiges CSV".into(),
                );
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line) + line_offset;
        let place = Place::Line(line);
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        if is_footnote(&record) {
            footnotes_from.get_or_insert(line);
            continue;
        }
        if let Some(note_line) = footnotes_from {
            let reason = format!("Daten nach der Anmerkung in Zeile {note_line}; Anmerkungen gehören unter die Tabelle");
            checker.report(place, None, None, reason);
            continue;
        }
        let n_filled = (0..record.len())
            .rev()
            .find(|field_idx| !record[*field_idx].trim().is_empty())
            .map_or(0, |last| last + 1);
        if record.len() < n_columns || n_filled > n_columns {
            let joined = record
                .iter()
                .collect::<Vec<_>>()
                .join(&char::from(header.delimiter).to_string());
            let n_found = if n_filled > n_columns {
                n_filled
            } else {
                record.len()
            };
            let reason = format!("{n_found} Felder statt {n_columns}; Trennzeichen gemischt?");
            checker.report(place, None, Some(&joined), reason);
            continue;
        }
        let fields: Fields = header
            .columns
            .iter()
            .zip(record.iter())
            .filter_map(|(column, text)| Some(((*column)?, text.trim().to_owned())))
            .collect();
        if header.years.is_empty() {
            checker.check(place, &fields);
            continue;
        }
        // Wide: one record per year column, the column named after its year.
        for (position, year) in &header.years {
            let mut long = fields.clone();
            long.insert(Column::Year, year.to_string());
            long.insert(
                Column::Value,
                record.get(*position).unwrap_or_default().trim().to_owned(),
            );
            let column_name = YEAR_COLUMNS[usize::from(year - FIRST_YEAR)];
            checker.check_wide(place, &long, column_name);
        }
    }
    checker.finish()
}

/// The number columns of a file (values, counts, amounts; each year column of a wide table).
fn number_positions(header: &Header) -> Vec<usize> {
    let numbers = [
        Column::Value,
        Column::Count,
        Column::Euros,
        Column::Budget,
        Column::Births,
        Column::Deaths,
        Column::MovedIn,
        Column::MovedOut,
    ];
    header
        .columns
        .iter()
        .enumerate()
        .filter(|(_, column)| column.is_some_and(|column| numbers.contains(&column)))
        .map(|(position, _)| position)
        .chain(header.years.iter().map(|(position, _)| *position))
        .collect()
}

/// Which decimal mark a `;` or tab file uses, decided for the whole file from the numbers that
/// show it: a comma (`7,4`) or a dot that cannot be a thousands separator (`7.4`). A file with
/// both is refused; a file with neither leaves `7.125` undecided.
fn german_style(body: &str, header: &Header, line_offset: u64) -> Result<NumberStyle, ImportError> {
    let positions = number_positions(header);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(header.delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut comma: Option<(u64, String)> = None;
    let mut point: Option<(u64, String)> = None;
    for record in reader.records().flatten() {
        let line = record.position().map_or(0, csv::Position::line) + line_offset;
        for position in &positions {
            let text = record.get(*position).unwrap_or_default().trim();
            let number = text
                .trim_start_matches('(')
                .trim_end_matches(')')
                .trim_end_matches(['p', 'r', 's', 'e'])
                .trim();
            if !number.bytes().any(|byte| byte.is_ascii_digit()) {
                continue;
            }
            if number.contains(',') {
                comma.get_or_insert((line, text.to_owned()));
            } else if number.contains('.')
                && !is_grouped(number)
                && number.parse::<f64>().is_ok_and(f64::is_finite)
            {
                point.get_or_insert((line, text.to_owned()));
            }
        }
        if comma.is_some() && point.is_some() {
            break;
        }
    }
    match (comma, point) {
        (Some((comma_line, comma_text)), Some((point_line, point_text))) => Err(whole_file(&format!(
            "Die Datei mischt Dezimalkomma (Zeile {comma_line}: `{}`) und Dezimalpunkt (Zeile {point_line}: `{}`); bitte eine Schreibweise für die ganze Datei",
            fokus_model::text::echo(&comma_text),
            fokus_model::text::echo(&point_text)
        ))),
        (Some(_), None) => Ok(NumberStyle::GermanCsv),
        (None, Some(_)) => Ok(NumberStyle::PointInGermanCsv),
        (None, None) => Ok(NumberStyle::UndecidedGermanCsv),
    }
}

fn header_problem(found: &str) -> ImportError {
    let expected = ExportKind::ALL
        .iter()
        .map(|kind| format!("`{}`", kind.header()))
        .collect::<Vec<_>>()
        .join(", ");
    ImportError {
        problems: vec![Problem {
            line: 1,
            entry: None,
            column: None,
            value: Some(fokus_model::text::echo(found).into_owned()),
            reason: format!("Kopfzeile nicht erkannt; erwartet wird eine von {expected} (Trennzeichen `;`, Tabulator oder `,`)"),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn accepted_files() {
        let cases: &[(&[u8], Cell, &str)] = &[
            (
                b"kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2026;7,4\n",
                Cell::Value(7.4),
                "German CSV with decimal comma",
            ),
            (
                b"indicator,area,year,value\nsgb2_quote,01056,2026,7.4\n",
                Cell::Value(7.4),
                "English CSV with decimal point",
            ),
            (
                b"\xEF\xBB\xBFkennzahl;gebiet;jahr;wert\r\ngeburtenrate;01056;2026;1.234,5\r\n",
                Cell::Value(1234.5),
                "BOM, CRLF, thousands dot",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2026;7.4\n",
                Cell::Value(7.4),
                "a decimal point in a ;-file stays a decimal point, never 74",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\ngeburtenrate;01056;2026;12.345\ngeburtenrate;01056;2025;7,4\n",
                Cell::Value(12345.0),
                "German thousands groups, the file's decimal comma decides",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nwanderungssaldo;01056;2026;-1.234,5\n",
                Cell::Value(-1234.5),
                "negative German notation (a balance may be negative)",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\ngeburtenrate;01056;2026;7.125\ngeburtenrate;01056;2025;7.4\n",
                Cell::Value(7.125),
                "the file's decimal point decides: 7.125 is not 7125",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2026;x\n",
                Cell::Gap(Gap::Suppressed),
                "x marks suppressed",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2026;.\n",
                Cell::Gap(Gap::NoData),
                ". marks no data",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2026;-\n",
                Cell::Value(0.0),
                "- is zero",
            ),
            (
                b"Kennzahl;Gebiet;Jahr;Wert;Bemerkung\nsgb2_quote;01056;2026;3;Gr\xF6\xDFe\n",
                Cell::Value(3.0),
                "Windows-1252, extra column ignored",
            ),
        ];
        for (input, expected, why) in cases {
            let parsed = parse_export(input, &catalog(), ImportRules::default());
            let cell = parsed.as_ref().map(|parsed| parsed.observations[0].cell);
            assert_eq!(cell.as_ref().ok(), Some(expected), "{why}: {parsed:?}");
        }
    }

    #[test]
    fn age_groups_as_statistical_tables_write_them() {
        let cases: &[(&str, Option<u8>)] = &[
            ("0", Some(0)),
            ("20", Some(20)),
            ("20-24", Some(20)),
            ("20–24", Some(20)),
            ("20 bis 24", Some(20)),
            ("20 bis unter 25", Some(20)),
            ("85+", Some(85)),
            ("85 und älter", Some(85)),
            ("3", None),
            ("20-29", None),
            ("80+", None),
            ("unter 5", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_age_group(text), *expected, "{text:?}");
        }
    }

    #[test]
    fn a_projection_is_marked_and_may_reach_further_than_counts() {
        let parsed = parse_export(
            "gebiet;jahr;geschlecht;alter;anzahl;prognose\n01056;2040;w;85;20.000;ja\n01056;2025;w;85;15.000;nein\n"
                .as_bytes(),
            &catalog(),
            ImportRules::default(),
        )
        .expect("a population table with a projection");
        let marks: Vec<(u16, bool)> = parsed
            .population
            .iter()
            .map(|count| (count.year, count.projection))
            .collect();
        assert_eq!(marks, [(2040, true), (2025, false)]);
        let counted_2040 = parse_export(
            "gebiet;jahr;geschlecht;alter;anzahl;prognose\n01056;2040;w;85;20.000;nein\n01056;2026;w;85;1;vielleicht\n"
                .as_bytes(),
            &catalog(),
            ImportRules::default(),
        )
        .expect_err("a count from the future, an unclear mark");
        let reasons: Vec<(Option<&str>, &str)> = counted_2040
            .problems
            .iter()
            .map(|problem| (problem.column, problem.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (Some("jahr"), "Jahr außerhalb von 2015 bis 2030"),
                (
                    Some("prognose"),
                    "`ja` für eine Vorausberechnung, leer oder `nein` für gezählte Einwohner"
                ),
            ]
        );
    }

    #[test]
    fn movement_is_its_own_export_and_checked_like_the_others() {
        let parsed = parse_export(
            "Gebiet;Jahr;Geburten;Sterbefälle;Zuzüge;Fortzüge\n01056;2025;2790;3650;21400;19900\n"
                .as_bytes(),
            &catalog(),
            ImportRules::default(),
        )
        .expect("births, deaths and moves");
        assert_eq!(
            parsed.movement,
            [Movement {
                area: "01056".into(),
                year: 2025,
                births: 2790,
                deaths: 3650,
                moved_in: 21400,
                moved_out: 19900,
            }]
        );
        assert_eq!(parsed.movement[0].natural(), -860);
        assert_eq!(parsed.movement[0].migration(), 1500);
        let refused = parse_export(
            "gebiet;jahr;geburten;sterbefaelle;zuzuege;fortzuege\n01056;2025;12,5;3;4;5\n01056;2025;1;1;1;1\n"
                .as_bytes(),
            &catalog(),
            ImportRules::default(),
        )
        .expect_err("a broken count");
        assert_eq!(refused.problems.len(), 1, "{:?}", refused.problems);
        assert_eq!(refused.problems[0].column, Some("geburten"));
        assert_eq!(refused.problems[0].reason, "keine ganze Zahl ≥ 0");
    }

    #[test]
    fn population_and_spending_take_the_same_path_as_values() {
        let population = parse_export(
            "Gebiet;Jahr;Geschlecht;Altersgruppe;Anzahl\r\n01056;2026;weiblich;85 und älter;1.234\r\n01056;2026;m;0-4;-\r\n"
                .as_bytes(),
            &catalog(),
            ImportRules::default(),
        )
        .expect("a German population table");
        assert_eq!(
            population.population,
            [
                PopulationCount {
                    area: "01056".into(),
                    year: 2026,
                    age_from: 85,
                    sex: Sex::Female,
                    count: 1234,
                    projection: false,
                },
                PopulationCount {
                    area: "01056".into(),
                    year: 2026,
                    age_from: 0,
                    sex: Sex::Male,
                    count: 0,
                    projection: false,
                },
            ],
            "thousands dot, `-` for zero, spelled-out sex and age group"
        );
        assert!(
            population.observations.is_empty() && population.spending.is_empty(),
            "only population"
        );
        let spending = parse_export(
            br#"{"werte": [{"bereich": "Hilfe zur Pflege", "jahr": 2026, "euro": 41250000.5}]}"#,
            &catalog(),
            ImportRules::default(),
        )
        .expect("spending as JSON");
        assert_eq!(
            spending.spending,
            [Spending {
                field: "Hilfe zur Pflege".into(),
                year: 2026,
                euros: 41_250_000.5
            }],
            "a JSON number stays exact"
        );
    }

    #[test]
    fn accepted_json() {
        let cases: &[(&str, &[Cell], &str)] = &[
            (
                r#"[{"kennzahl": "sgb2_quote", "gebiet": "01056", "jahr": 2026, "wert": 7.4}]"#,
                &[Cell::Value(7.4)],
                "a list of objects",
            ),
            (
                r#"{"werte": [{"Kennzahl": "sgb2_quote", "Gebiet": "01056", "Jahr": "2026", "Wert": "x"},
                              {"indicator": "sgb2_quote", "area": "01", "year": 2026, "value": "."}]}"#,
                &[Cell::Gap(Gap::Suppressed), Cell::Gap(Gap::NoData)],
                "an object with `werte`, mixed key spellings, markers as strings, year as string",
            ),
            (
                r#"[{"kennzahl": "sgb2_quote", "gebiet": "01056", "jahr": 2026, "wert": 7.4, "fallzahl": 2}]"#,
                &[Cell::Gap(Gap::Suppressed)],
                "the minimum case count applies to JSON too",
            ),
        ];
        for (input, expected, why) in cases {
            let parsed =
                parse_export(input.as_bytes(), &catalog(), ImportRules::default()).expect(why);
            let cells: Vec<Cell> = parsed
                .observations
                .iter()
                .map(|observation| observation.cell)
                .collect();
            assert_eq!(cells, expected.to_vec(), "{why}");
        }
    }

    #[test]
    fn refused_files_name_line_column_and_reason() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "Datei: Die Datei ist leer"),
            (b"\x00\x01\x02PK", "Datei: Die Datei ist keine Textdatei"),
            (b"a;b;c\n1;2;3\n", "Zeile 1: Kopfzeile nicht erkannt"),
            (
                b"kennzahl;gebiet;jahr;wert\nfoo;01056;2026;1\n",
                "Zeile 2, Spalte `kennzahl`: unbekannte Kennzahl: `foo`",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nsgb2_quote;99999;2026;1\n",
                "Zeile 2, Spalte `gebiet`: unbekanntes Gebiet",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;1999;1\n",
                "Zeile 2, Spalte `jahr`: Jahr außerhalb von 2015 bis 2030: `1999`",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2026;12,5%\n",
                "Zeile 2, Spalte `wert`: keine Zahl: `12,5%`",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\ngeburtenrate;01056;2026;7.125\n",
                "Zeile 2, Spalte `wert`: mehrdeutig: `7.125` kann 7125 (Tausenderpunkt) oder 7,125 (Dezimalpunkt) sein",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\ngeburtenrate;01056;2026;7,4\ngeburtenrate;01056;2025;7.4\n",
                "Datei: Die Datei mischt Dezimalkomma (Zeile 2: `7,4`) und Dezimalpunkt (Zeile 3: `7.4`)",
            ),
            (
                b"kennzahl;gebiet;jahr;wert;fallzahl\nsgb2_quote;01056;2026;7,4;\n",
                "Zeile 2, Spalte `fallzahl`: leer; wo die Spalte `fallzahl` steht, braucht jeder Wert seine Fallzahl",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2026;107,4\n",
                "Zeile 2, Spalte `wert`: unplausibel: ein Anteil in % liegt zwischen 0 und 100",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2026;-0,5\n",
                "Zeile 2, Spalte `wert`: unplausibel: ein Anteil in % liegt zwischen 0 und 100",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\ngeburtenrate;01056;2026;-3\n",
                "Zeile 2, Spalte `wert`: unplausibel: negativ",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nbevoelkerungsentwicklung;01056;2026;-120\n",
                "Zeile 2, Spalte `wert`: unplausibel: eine Veränderung in % liegt nicht unter -100",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2026;\n",
                "Zeile 2, Spalte `wert`: leer",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2026;1\nsgb2_quote;01056;2026;2\n",
                "Zeile 3: doppelt, steht schon in Zeile 2",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nsgb2_quote,01056,2026,1\n",
                "Zeile 2: 1 Felder statt 4",
            ),
            (
                b"kennzahl,gebiet,jahr,wert\nsgb2_quote,01056,2026,7,4\n",
                "Zeile 2: 5 Felder statt 4",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\n",
                "Datei: Die Datei enthält keine Datenzeilen",
            ),
        ];
        for (input, expected) in cases {
            let error =
                parse_export(input, &catalog(), ImportRules::default()).expect_err(expected);
            let message = error.to_string();
            assert!(
                message.contains(expected),
                "expected {expected:?} in:\n{message}"
            );
        }
    }
}
