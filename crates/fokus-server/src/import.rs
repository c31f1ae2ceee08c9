//! Import of BI exports (CSV) with exact, German error messages. All-or-nothing: a file with one
//! problem writes nothing, and the answer lists every problem with line, column and value.

use std::collections::HashMap;

use fokus_model::{Catalog, Cell, Gap, Observation, ObservationKey, FIRST_YEAR, LAST_YEAR};

/// One thing wrong with an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the file; 0 for the file as a whole.
    pub line: u64,
    pub column: Option<&'static str>,
    pub value: Option<String>,
    /// German, for the person who made the file.
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(formatter, "Zeile {}", self.line)?;
        } else {
            write!(formatter, "Datei")?;
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

fn render(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|problem| format!("- {problem}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn whole_file(reason: &str) -> ImportError {
    ImportError {
        problems: vec![Problem {
            line: 0,
            column: None,
            value: None,
            reason: reason.to_owned(),
        }],
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

/// A parsed, valid file.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub observations: Vec<Observation>,
    /// How many values were turned into "suppressed" by [`ImportRules::min_cases`].
    pub suppressed: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Indicator,
    Area,
    Year,
    Value,
    /// Optional: the case count behind the value, for the data-protection rule.
    Cases,
}

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::Indicator => "kennzahl",
            Column::Area => "gebiet",
            Column::Year => "jahr",
            Column::Value => "wert",
            Column::Cases => "fallzahl",
        }
    }

    fn from_header(text: &str) -> Option<Column> {
        match text.trim().to_lowercase().as_str() {
            "kennzahl" | "indikator" | "indicator" => Some(Column::Indicator),
            "gebiet" | "ars" | "area" => Some(Column::Area),
            "jahr" | "year" => Some(Column::Year),
            "wert" | "value" => Some(Column::Value),
            "fallzahl" | "faelle" | "fälle" | "cases" => Some(Column::Cases),
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
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => Ok(encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()),
    }
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

/// Parses a value cell. `decimal_comma` is true for `;`-separated files, where `1.234,5` is
/// German notation.
fn parse_value(text: &str, decimal_comma: bool) -> Result<Cell, String> {
    let text = text.trim();
    match text {
        "." => return Ok(Cell::Gap(Gap::NoData)),
        "x" | "X" => return Ok(Cell::Gap(Gap::Suppressed)),
        "-" => return Ok(Cell::Value(0.0)),
        "" => {
            return Err("leer; für fehlende Werte `.` eintragen, für geheim gehaltene `x`".into())
        }
        _ => {}
    }
    let normalised = if decimal_comma {
        german_notation(text)
    } else {
        Some(text.to_owned())
    };
    let Some(normalised) = normalised else {
        return Err("keine Zahl".into());
    };
    match normalised.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(Cell::Value(value)),
        _ if !decimal_comma && text.contains(',') => {
            Err("keine Zahl; in einer Datei mit `,` als Trennzeichen steht der Dezimalpunkt".into())
        }
        _ => Err("keine Zahl".into()),
    }
}

/// Parses and validates a CSV file against the catalogue. Returns every observation or every
/// problem.
pub fn parse_csv(
    bytes: &[u8],
    catalog: &Catalog,
    rules: ImportRules,
) -> Result<Parsed, ImportError> {
    let text = decode(bytes)?;
    let header_line = text.lines().next().unwrap_or_default();
    let delimiter = [b';', b'\t', b',']
        .into_iter()
        .find(|candidate| header_line.as_bytes().contains(candidate))
        .ok_or_else(|| header_problem(header_line))?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());

    let headers = reader
        .headers()
        .map_err(|_| header_problem(header_line))?
        .clone();
    let columns: Vec<Option<Column>> = headers.iter().map(Column::from_header).collect();
    let position = |wanted: Column| columns.iter().position(|column| *column == Some(wanted));
    let (Some(indicator_idx), Some(area_idx), Some(year_idx), Some(value_idx)) = (
        position(Column::Indicator),
        position(Column::Area),
        position(Column::Year),
        position(Column::Value),
    ) else {
        return Err(header_problem(header_line));
    };

    let cases_idx = position(Column::Cases);
    let mut problems = Vec::new();
    let mut observations = Vec::new();
    let mut suppressed = 0;
    let mut seen: HashMap<ObservationKey, u64> = HashMap::new();
    for record in reader.records() {
        if problems.len() >= MAX_PROBLEMS {
            problems.push(Problem {
                line: 0,
                column: None,
                value: None,
                reason: format!("mehr als {MAX_PROBLEMS} Probleme; Prüfung abgebrochen"),
            });
            break;
        }
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, csv::Position::line);
                problems.push(Problem {
                    line,
                    column: None,
                    value: None,
                    reason: "Zeile ist kein gültiges CSV".into(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            problems.push(Problem {
                line,
                column: None,
                value: Some(
                    record
                        .iter()
                        .collect::<Vec<_>>()
                        .join(&char::from(delimiter).to_string()),
                ),
                reason: format!(
                    "{} Felder statt {}; Trennzeichen gemischt?",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        let field = |idx: usize| record.get(idx).unwrap_or_default().trim();
        let mut problem = |column: Column, value: &str, reason: String| {
            problems.push(Problem {
                line,
                column: Some(column.name()),
                value: Some(value.to_owned()),
                reason,
            });
        };
        let indicator = field(indicator_idx);
        let indicator_ok = catalog.indicators.iter().any(|known| known.id == indicator);
        if !indicator_ok {
            problem(Column::Indicator, indicator, "unbekannte Kennzahl".into());
        }
        let area = field(area_idx);
        let area_ok = catalog.areas.iter().any(|known| known.id == area);
        if !area_ok {
            problem(
                Column::Area,
                area,
                "unbekanntes Gebiet (erwartet wird der Regionalschlüssel)".into(),
            );
        }
        let year_text = field(year_idx);
        let year = match year_text.parse::<u16>() {
            Ok(year) if (FIRST_YEAR..=LAST_YEAR).contains(&year) => Some(year),
            Ok(_) => {
                problem(
                    Column::Year,
                    year_text,
                    format!("Jahr außerhalb von {FIRST_YEAR} bis {LAST_YEAR}"),
                );
                None
            }
            Err(_) => {
                problem(Column::Year, year_text, "kein Jahr".into());
                None
            }
        };
        let value_text = field(value_idx);
        let cell = match parse_value(value_text, delimiter == b';') {
            Ok(cell) => Some(cell),
            Err(reason) => {
                problem(Column::Value, value_text, reason);
                None
            }
        };
        let cases_text = cases_idx.map(field).filter(|text| !text.is_empty());
        let cases = match cases_text.map(str::parse::<u64>) {
            Some(Ok(cases)) => Some(cases),
            Some(Err(_)) => {
                problem(
                    Column::Cases,
                    cases_text.unwrap_or_default(),
                    "keine ganze Zahl".into(),
                );
                continue;
            }
            None => None,
        };
        let cell = match (cell, cases) {
            (Some(Cell::Value(_)), Some(cases)) if cases < rules.min_cases => {
                suppressed += 1;
                Some(Cell::Gap(Gap::Suppressed))
            }
            (cell, _) => cell,
        };
        let (Some(year), Some(cell), true, true) = (year, cell, indicator_ok, area_ok) else {
            continue;
        };
        let key = ObservationKey {
            indicator: indicator.to_owned(),
            area: area.to_owned(),
            year,
        };
        if let Some(first_line) = seen.insert(key.clone(), line) {
            problems.push(Problem {
                line,
                column: None,
                value: Some(format!("{indicator}/{area}/{year}")),
                reason: format!("doppelt, steht schon in Zeile {first_line}"),
            });
            continue;
        }
        observations.push(Observation { key, cell });
    }
    if !problems.is_empty() {
        return Err(ImportError { problems });
    }
    if observations.is_empty() {
        return Err(whole_file("Die Datei enthält keine Datenzeilen"));
    }
    Ok(Parsed {
        observations,
        suppressed,
    })
}

fn header_problem(found: &str) -> ImportError {
    ImportError {
        problems: vec![Problem {
            line: 1,
            column: None,
            value: Some(found.chars().take(120).collect()),
            reason: format!("Kopfzeile nicht erkannt; erwartet wird `{EXPECTED_HEADER}` (Trennzeichen `;` oder `,`)"),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::demo_changes;

    fn catalog() -> Catalog {
        let demo = demo_changes();
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
                b"\xEF\xBB\xBFkennzahl;gebiet;jahr;wert\r\nsgb2_quote;01056;2026;1.234,5\r\n",
                Cell::Value(1234.5),
                "BOM, CRLF, thousands dot",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2026;7.4\n",
                Cell::Value(7.4),
                "a decimal point in a ;-file stays a decimal point, never 74",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2026;12.345\n",
                Cell::Value(12345.0),
                "German thousands groups",
            ),
            (
                b"kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2026;-1.234,5\n",
                Cell::Value(-1234.5),
                "negative German notation",
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
            let parsed = parse_csv(input, &catalog(), ImportRules::default());
            let cell = parsed.as_ref().map(|parsed| parsed.observations[0].cell);
            assert_eq!(cell.as_ref().ok(), Some(expected), "{why}: {parsed:?}");
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
            let error = parse_csv(input, &catalog(), ImportRules::default()).expect_err(expected);
            let message = error.to_string();
            assert!(
                message.contains(expected),
                "expected {expected:?} in:\n{message}"
            );
        }
    }
}
