//! A deployment's configuration as data: the files a county owns and `fokus-server init`
//! reads — `einstellungen.toml` (title, home area, map levels, insets, Handlungsfelder),
//! `gebiete.geojson` (the area hierarchy with boundaries, Regionalschlüssel, names, parents and
//! population) and `kennzahlen.csv` (the indicator catalogue). All or nothing, like the value
//! import: a configuration with one problem changes nothing, and every problem is listed with
//! its file, line or entry, and what to do.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use fokus_model::{Area, AreaKind, DatasetInfo, Indicator, Inset, Polarity, AREA_KINDS};
use fokus_store::Changes;
use serde::Deserialize;

use crate::import::{decode_text, render, Problem};

pub const SETTINGS_FILE: &str = "einstellungen.toml";
pub const AREAS_FILE: &str = "gebiete.geojson";
pub const INDICATORS_FILE: &str = "kennzahlen.csv";

/// The largest simplification tolerance that still draws recognisable areas.
const MAX_TOLERANCE_M: f64 = 5_000.0;

/// One problem in one file of the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub file: &'static str,
    pub problem: Problem,
}

impl std::fmt::Display for ConfigProblem {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}, {}", self.file, self.problem)
    }
}

/// The configuration was refused; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Konfiguration abgelehnt, nichts wurde gespeichert ({} Problem(e)):\n{}", .problems.len(), render(.problems))]
pub struct ConfigError {
    pub problems: Vec<ConfigProblem>,
}

/// The three files' contents; `read_dir` fills it from a folder, the demo from bundled text.
#[derive(Debug, Clone, Copy)]
pub struct ConfigFiles<'a> {
    pub settings: &'a str,
    pub areas: &'a str,
    pub indicators: &'a [u8],
}

/// A checked configuration, ready to commit.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub dataset: DatasetInfo,
    /// Every area, map areas with their simplified boundary.
    pub areas: Vec<Area>,
    pub indicators: Vec<Indicator>,
}

impl Deployment {
    /// The changes that make a server this deployment: areas missing from it are retired.
    pub fn changes(self) -> Changes {
        Changes {
            dataset: Some(self.dataset),
            indicators: self.indicators,
            areas: self.areas,
            catalog_complete: true,
            ..Changes::default()
        }
    }
}

/// `einstellungen.toml`, with the German keys a Sozialplanung edits.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    titel: String,
    #[serde(default)]
    untertitel: String,
    datensatz: String,
    #[serde(default)]
    demodaten: bool,
    heimatgebiet: String,
    kartenebenen: Vec<String>,
    #[serde(default)]
    vereinfachung_m: f64,
    geodaten_quelle: String,
    #[serde(default)]
    bevoelkerung_quelle: String,
    #[serde(default)]
    finanzen_quelle: String,
    #[serde(default)]
    akzentfarbe: String,
    #[serde(default)]
    kontakt: String,
    handlungsfelder: Vec<String>,
    #[serde(default)]
    ausschnitt: Vec<InsetSetting>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InsetSetting {
    gebiet: String,
    beschriftung: String,
}

/// Collects the problems of all three files, so one run names them all.
struct Report {
    problems: Vec<ConfigProblem>,
}

impl Report {
    fn add(&mut self, file: &'static str, problem: Problem) {
        self.problems.push(ConfigProblem { file, problem });
    }

    fn file(&mut self, file: &'static str, reason: String) {
        self.add(file, problem(0, None, None, None, reason));
    }
}

fn problem(
    line: u64,
    entry: Option<u64>,
    column: Option<&'static str>,
    value: Option<&str>,
    reason: String,
) -> Problem {
    Problem {
        line,
        entry,
        column,
        value: value.map(str::to_owned),
        reason,
    }
}

/// Reads the configuration folder `dir`.
pub fn read_dir(dir: &Path) -> Result<Deployment, ConfigError> {
    let read = |name: &'static str| {
        std::fs::read(dir.join(name)).map_err(|error| ConfigError {
            problems: vec![ConfigProblem {
                file: name,
                problem: problem(
                    0,
                    None,
                    None,
                    None,
                    format!("nicht lesbar in {}: {error}", dir.display()),
                ),
            }],
        })
    };
    let settings = read(SETTINGS_FILE)?;
    let areas = read(AREAS_FILE)?;
    let indicators = read(INDICATORS_FILE)?;
    let as_text = |name: &'static str, bytes: Vec<u8>| {
        String::from_utf8(bytes).map_err(|_| ConfigError {
            problems: vec![ConfigProblem {
                file: name,
                problem: problem(0, None, None, None, "ist nicht UTF-8-kodiert".into()),
            }],
        })
    };
    let settings = as_text(SETTINGS_FILE, settings)?;
    let areas = as_text(AREAS_FILE, areas)?;
    check(ConfigFiles {
        settings: &settings,
        areas: &areas,
        indicators: &indicators,
    })
}

/// Checks a configuration and builds the deployment, or lists every problem.
pub fn check(files: ConfigFiles<'_>) -> Result<Deployment, ConfigError> {
    let mut report = Report {
        problems: Vec::new(),
    };
    let settings = match toml::from_str::<Settings>(files.settings) {
        Ok(settings) => Some(settings),
        Err(error) => {
            let reason = german_toml_message(error.message());
            // A missing key has no place; everything else points at its line.
            let line = match error.span() {
                Some(span) if !error.message().starts_with("missing field") => {
                    files.settings[..span.start].lines().count().max(1) as u64
                }
                _ => 0,
            };
            report.add(SETTINGS_FILE, problem(line, None, None, None, reason));
            None
        }
    };
    let tolerance_m = settings
        .as_ref()
        .map_or(0.0, |settings| settings.vereinfachung_m);
    if !(0.0..=MAX_TOLERANCE_M).contains(&tolerance_m) {
        report.file(
            SETTINGS_FILE,
            format!("`vereinfachung_m` muss zwischen 0 und {MAX_TOLERANCE_M} Metern liegen, nicht {tolerance_m}"),
        );
    }
    let map_kinds: Vec<AreaKind> = settings
        .iter()
        .flat_map(|settings| &settings.kartenebenen)
        .filter_map(|text| match AreaKind::parse(text) {
            Some(kind) => Some(kind),
            None => {
                report.file(
                    SETTINGS_FILE,
                    format!(
                        "`kartenebenen`: unbekannte Ebene `{text}`; erlaubt: {}",
                        kind_list()
                    ),
                );
                None
            }
        })
        .collect();
    if settings
        .as_ref()
        .is_some_and(|settings| settings.kartenebenen.is_empty())
    {
        report.file(
            SETTINGS_FILE,
            "`kartenebenen` ist leer; mindestens eine Ebene wird als Karte gezeigt".into(),
        );
    }
    let areas = read_areas(files.areas, &map_kinds, tolerance_m, &mut report);
    let fields: Vec<String> = settings
        .as_ref()
        .map(|settings| settings.handlungsfelder.clone())
        .unwrap_or_default();
    let indicators = read_indicators(files.indicators, &fields, settings.is_some(), &mut report);

    let mut dataset = None;
    if let Some(settings) = settings {
        let area_ids: HashMap<&str, &Area> =
            areas.iter().map(|area| (area.id.as_str(), area)).collect();
        let mut fields_seen = HashSet::new();
        for field in &settings.handlungsfelder {
            if field.trim().is_empty() || !fields_seen.insert(field.as_str()) {
                report.file(
                    SETTINGS_FILE,
                    format!("`handlungsfelder`: leer oder doppelt: `{field}`"),
                );
            }
        }
        if settings.handlungsfelder.is_empty() {
            report.file(SETTINGS_FILE, "`handlungsfelder` ist leer".into());
        }
        for (key, text) in [
            ("titel", &settings.titel),
            ("datensatz", &settings.datensatz),
            ("geodaten_quelle", &settings.geodaten_quelle),
        ] {
            if text.trim().is_empty() {
                report.file(SETTINGS_FILE, format!("`{key}` ist leer"));
            }
        }
        if !settings.akzentfarbe.is_empty() {
            if let Some(reason) = accent_problem(&settings.akzentfarbe) {
                report.file(SETTINGS_FILE, reason);
            }
        }
        if !area_ids.contains_key(settings.heimatgebiet.as_str()) {
            report.file(
                SETTINGS_FILE,
                format!(
                    "`heimatgebiet` `{}` steht nicht in {AREAS_FILE}",
                    settings.heimatgebiet
                ),
            );
        }
        for inset in &settings.ausschnitt {
            match area_ids.get(inset.gebiet.as_str()) {
                Some(area) if map_kinds.contains(&area.kind) => {}
                _ => report.file(
                    SETTINGS_FILE,
                    format!(
                        "`ausschnitt`: `{}` ist kein Kartengebiet in {AREAS_FILE}",
                        inset.gebiet
                    ),
                ),
            }
        }
        dataset = Some(DatasetInfo {
            title: settings.datensatz,
            demo: settings.demodaten,
            app_title: settings.titel,
            subtitle: settings.untertitel,
            home_area: settings.heimatgebiet,
            map_kinds,
            insets: settings
                .ausschnitt
                .into_iter()
                .map(|inset| Inset {
                    area: inset.gebiet,
                    label: inset.beschriftung,
                })
                .collect(),
            handlungsfelder: settings.handlungsfelder,
            geodata_attribution: settings.geodaten_quelle,
            population_attribution: settings.bevoelkerung_quelle,
            spending_attribution: settings.finanzen_quelle,
            accent_colour: settings.akzentfarbe,
            contact: settings.kontakt.trim().to_owned(),
        });
    }
    match dataset {
        Some(dataset) if report.problems.is_empty() => Ok(Deployment {
            dataset,
            areas,
            indicators,
        }),
        _ => Err(ConfigError {
            problems: report.problems,
        }),
    }
}

/// WCAG 2.1 relative luminance of an sRGB colour `#rrggbb`.
fn luminance(hex: &str) -> Option<f64> {
    let digits = hex.strip_prefix('#').filter(|digits| digits.len() == 6)?;
    let channel = |start: usize| -> Option<f64> {
        let value = f64::from(u8::from_str_radix(digits.get(start..start + 2)?, 16).ok()?) / 255.0;
        Some(if value <= 0.040_45 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        })
    };
    Some(0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?)
}

fn contrast(first: f64, second: f64) -> f64 {
    (first.max(second) + 0.05) / (first.min(second) + 0.05)
}

/// Why `akzentfarbe` cannot be used, if it cannot: the header writes white on it and links use it
/// on the light page background, both must reach WCAG AA's 4.5:1.
fn accent_problem(colour: &str) -> Option<String> {
    let Some(accent) = luminance(colour) else {
        return Some(format!(
            "`akzentfarbe` `{colour}` ist keine Farbe der Form #rrggbb (z. B. #0b4f8a)"
        ));
    };
    let page = luminance("#f4f6f8").unwrap_or(1.0);
    let worst = contrast(accent, 1.0).min(contrast(accent, page));
    (worst < 4.5).then(|| {
        format!(
            "`akzentfarbe` `{colour}` ist zu hell: Kontrast {} : 1 zu weißer Schrift oder zum hellen Seitenhintergrund, mindestens 4,5 : 1 (BITV 2.0 / WCAG AA); eine dunklere Farbe wählen",
            format!("{worst:.1}").replace('.', ",")
        )
    })
}

/// The TOML reader's (serde's) messages in German, for the person who edits the file.
fn german_toml_message(message: &str) -> String {
    let quoted = |text: &str| text.split('`').nth(1).unwrap_or_default().to_owned();
    if message.starts_with("missing field") {
        format!("die Angabe `{}` fehlt", quoted(message))
    } else if message.starts_with("unknown field") {
        format!(
            "unbekannte Angabe `{}`; erlaubt: titel, untertitel, datensatz, demodaten, heimatgebiet, \
             kartenebenen, vereinfachung_m, geodaten_quelle, bevoelkerung_quelle, finanzen_quelle, \
             akzentfarbe, \
             kontakt, handlungsfelder, [[ausschnitt]] mit gebiet und beschriftung",
            quoted(message)
        )
    } else if let Some(rest) = message.strip_prefix("invalid type: ") {
        format!("falscher Typ ({rest}); Texte in Anführungszeichen, Listen in [ ], Zahlen ohne")
    } else {
        format!("kein gültiges TOML: {}", message.trim())
    }
}

fn kind_list() -> String {
    AREA_KINDS
        .iter()
        .map(|kind| kind.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads `gebiete.geojson`: a FeatureCollection whose features have the properties `id`
/// (Regionalschlüssel), `name`, `ebene`, optionally `uebergeordnet` (the parent's id) and
/// `einwohner`; areas of a map level need a polygon geometry, the others may have `null`.
fn read_areas(
    text: &str,
    map_kinds: &[AreaKind],
    tolerance_m: f64,
    report: &mut Report,
) -> Vec<Area> {
    let collection: geojson::FeatureCollection = match text.parse::<geojson::GeoJson>() {
        Ok(geojson::GeoJson::FeatureCollection(collection)) => collection,
        Ok(_) => {
            report.file(AREAS_FILE, "erwartet wird eine FeatureCollection".into());
            return Vec::new();
        }
        Err(error) => {
            report.file(AREAS_FILE, format!("kein gültiges GeoJSON: {error}"));
            return Vec::new();
        }
    };
    let mut areas = Vec::with_capacity(collection.features.len());
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (feature_idx, feature) in collection.features.iter().enumerate() {
        let entry = feature_idx as u64 + 1;
        let mut fail = |column: &'static str, value: Option<&str>, reason: String| {
            report.add(
                AREAS_FILE,
                problem(0, Some(entry), Some(column), value, reason),
            );
        };
        let text_property = |key: &str| {
            feature
                .property(key)
                .and_then(|value| value.as_str())
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        let Some(id) = text_property("id") else {
            fail(
                "id",
                None,
                "fehlt; erwartet wird der Regionalschlüssel als Text (mit führender Null)".into(),
            );
            continue;
        };
        if let Some(first) = seen.insert(id.clone(), entry) {
            fail(
                "id",
                Some(&id),
                format!("doppelt, steht schon in Eintrag {first}"),
            );
        }
        let name = text_property("name");
        if name.is_none() {
            fail("name", Some(&id), "fehlt".into());
        }
        let kind = match text_property("ebene") {
            Some(text) => match AreaKind::parse(&text) {
                Some(kind) => Some(kind),
                None => {
                    fail(
                        "ebene",
                        Some(&text),
                        format!("unbekannte Ebene; erlaubt: {}", kind_list()),
                    );
                    None
                }
            },
            None => {
                fail(
                    "ebene",
                    Some(&id),
                    format!("fehlt; erlaubt: {}", kind_list()),
                );
                None
            }
        };
        let population = match feature.property("einwohner") {
            None | Some(serde_json::Value::Null) => None,
            Some(value) => match value.as_u64() {
                Some(count) => Some(count),
                None => {
                    fail(
                        "einwohner",
                        Some(&value.to_string()),
                        "keine ganze Zahl ≥ 0".into(),
                    );
                    None
                }
            },
        };
        let parent = text_property("uebergeordnet");
        let geometry = match (&feature.geometry, kind) {
            (Some(geometry), _) => match fokus_map::parse_polygons(&id, &geometry.to_string()) {
                Ok(polygons) => Some(fokus_map::simplify(&polygons, tolerance_m)),
                Err(_) => {
                    fail(
                        "geometry",
                        Some(&id),
                        "keine Fläche (Polygon oder MultiPolygon)".into(),
                    );
                    None
                }
            },
            (None, Some(kind)) if map_kinds.contains(&kind) => {
                fail(
                    "geometry",
                    Some(&id),
                    format!(
                        "fehlt; Gebiete der Kartenebene `{}` brauchen eine Grenze",
                        kind.as_str()
                    ),
                );
                None
            }
            (None, _) => None,
        };
        if let (Some(name), Some(kind)) = (name, kind) {
            areas.push(Area {
                id,
                name,
                kind,
                population,
                parent,
                geometry,
                retired: false,
            });
        }
    }
    let ids: HashSet<&str> = areas.iter().map(|area| area.id.as_str()).collect();
    for (area_idx, area) in areas.iter().enumerate() {
        if let Some(parent) = &area.parent {
            if !ids.contains(parent.as_str())
                || parent == &area.id && area.kind != AreaKind::Gemeinde
            {
                report.add(
                    AREAS_FILE,
                    problem(
                        0,
                        Some(area_idx as u64 + 1),
                        Some("uebergeordnet"),
                        Some(parent),
                        format!("kein Gebiet dieser Datei (bei {})", area.name),
                    ),
                );
            }
        }
    }
    if areas.iter().all(|area| !map_kinds.contains(&area.kind)) && !map_kinds.is_empty() {
        report.file(
            AREAS_FILE,
            "kein Gebiet der Kartenebenen; die Karte bliebe leer".into(),
        );
    }
    areas.sort_by(|a, b| a.id.cmp(&b.id));
    areas
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum IndicatorColumn {
    Id,
    Name,
    ShortName,
    Field,
    Unit,
    Decimals,
    Polarity,
    Definition,
    Numerator,
    Denominator,
    Source,
    Headline,
    MinCases,
    Synonyms,
    Notes,
}

const INDICATOR_COLUMNS: [(IndicatorColumn, &str, bool); 15] = [
    (IndicatorColumn::Id, "id", true),
    (IndicatorColumn::Name, "name", true),
    (IndicatorColumn::ShortName, "kurzname", false),
    (IndicatorColumn::Field, "handlungsfeld", true),
    (IndicatorColumn::Unit, "einheit", true),
    (IndicatorColumn::Decimals, "nachkommastellen", true),
    (IndicatorColumn::Polarity, "polaritaet", true),
    (IndicatorColumn::Definition, "definition", true),
    (IndicatorColumn::Numerator, "zaehler", false),
    (IndicatorColumn::Denominator, "nenner", false),
    (IndicatorColumn::Source, "quelle", true),
    (IndicatorColumn::Headline, "leitkennzahl", false),
    (IndicatorColumn::MinCases, "mindestfallzahl", false),
    // Other words for the search, separated by `,`.
    (IndicatorColumn::Synonyms, "synonyme", false),
    // Notes on the series: breaks, changed definitions.
    (IndicatorColumn::Notes, "hinweise", false),
];

fn parse_polarity(text: &str) -> Option<Polarity> {
    match text.to_lowercase().as_str() {
        "hoeher_ist_besser" | "höher_ist_besser" | "higher_is_better" => {
            Some(Polarity::HigherIsBetter)
        }
        "hoeher_ist_schlechter" | "höher_ist_schlechter" | "higher_is_worse" => {
            Some(Polarity::HigherIsWorse)
        }
        "neutral" => Some(Polarity::Neutral),
        _ => None,
    }
}

fn parse_yes_no(text: &str) -> Option<bool> {
    match text.to_lowercase().as_str() {
        "" | "nein" | "0" | "false" => Some(false),
        "ja" | "x" | "1" | "true" => Some(true),
        _ => None,
    }
}

/// Reads `kennzahlen.csv` (`;`, `,` or tab; UTF-8 or Windows-1252), one indicator a line.
fn read_indicators(
    bytes: &[u8],
    fields: &[String],
    check_fields: bool,
    report: &mut Report,
) -> Vec<Indicator> {
    let text = match decode_text(bytes) {
        Ok(text) => text,
        Err(error) => {
            for problem in error.problems {
                report.add(INDICATORS_FILE, problem);
            }
            return Vec::new();
        }
    };
    let header_line = text.lines().next().unwrap_or_default();
    let Some(delimiter) = [b';', b'\t', b',']
        .into_iter()
        .find(|candidate| header_line.as_bytes().contains(candidate))
    else {
        report.add(
            INDICATORS_FILE,
            problem(
                1,
                None,
                None,
                Some(header_line),
                "Kopfzeile nicht erkannt; Trennzeichen `;`".into(),
            ),
        );
        return Vec::new();
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers
            .iter()
            .map(|header| header.trim().to_lowercase())
            .collect(),
        Err(_) => {
            report.add(
                INDICATORS_FILE,
                problem(1, None, None, None, "Kopfzeile nicht lesbar".into()),
            );
            return Vec::new();
        }
    };
    let mut positions: HashMap<IndicatorColumn, usize> = HashMap::new();
    for (column, name, required) in INDICATOR_COLUMNS {
        match headers.iter().position(|header| header == name) {
            Some(position) => {
                positions.insert(column, position);
            }
            None if required => report.add(
                INDICATORS_FILE,
                problem(
                    1,
                    None,
                    Some(name),
                    None,
                    "Spalte fehlt in der Kopfzeile".into(),
                ),
            ),
            None => {}
        }
    }
    if INDICATOR_COLUMNS
        .iter()
        .any(|(column, _, required)| *required && !positions.contains_key(column))
    {
        return Vec::new();
    }
    let mut indicators = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, csv::Position::line);
                report.add(
                    INDICATORS_FILE,
                    problem(line, None, None, None, "Zeile ist kein gültiges CSV".into()),
                );
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let get = |column: IndicatorColumn| {
            positions
                .get(&column)
                .and_then(|position| record.get(*position))
                .map(str::trim)
                .unwrap_or_default()
                .to_owned()
        };
        let n_before = report.problems.len();
        let mut fail = |column: &'static str, value: &str, reason: &str| {
            report.add(
                INDICATORS_FILE,
                problem(line, None, Some(column), Some(value), reason.to_owned()),
            );
        };
        let id = get(IndicatorColumn::Id);
        let id_ok = !id.is_empty()
            && id
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_');
        if !id_ok {
            fail(
                "id",
                &id,
                "nur Kleinbuchstaben a–z, Ziffern und `_` (die Kennung, die der BI-Export nennt)",
            );
        } else if let Some(first) = seen.insert(id.clone(), line) {
            fail("id", &id, &format!("doppelt, steht schon in Zeile {first}"));
        }
        for (column, name) in [
            (IndicatorColumn::Name, "name"),
            (IndicatorColumn::Unit, "einheit"),
            (IndicatorColumn::Definition, "definition"),
            (IndicatorColumn::Source, "quelle"),
        ] {
            if get(column).is_empty() {
                fail(name, "", "leer");
            }
        }
        let field = get(IndicatorColumn::Field);
        if check_fields && !fields.contains(&field) {
            fail(
                "handlungsfeld",
                &field,
                &format!("steht nicht in `handlungsfelder` in {SETTINGS_FILE}"),
            );
        }
        let decimals_text = get(IndicatorColumn::Decimals);
        let decimals = decimals_text
            .parse::<u8>()
            .ok()
            .filter(|decimals| *decimals <= 4);
        if decimals.is_none() {
            fail(
                "nachkommastellen",
                &decimals_text,
                "eine ganze Zahl von 0 bis 4",
            );
        }
        let polarity_text = get(IndicatorColumn::Polarity);
        let polarity = parse_polarity(&polarity_text);
        if polarity.is_none() {
            fail(
                "polaritaet",
                &polarity_text,
                "erlaubt: hoeher_ist_besser, hoeher_ist_schlechter, neutral",
            );
        }
        let headline_text = get(IndicatorColumn::Headline);
        let headline = parse_yes_no(&headline_text);
        if headline.is_none() {
            fail("leitkennzahl", &headline_text, "`ja` oder leer");
        }
        let min_cases_text = get(IndicatorColumn::MinCases);
        let min_cases = if min_cases_text.is_empty() {
            Some(None)
        } else {
            min_cases_text
                .parse::<u64>()
                .ok()
                .filter(|cases| *cases >= 1)
                .map(Some)
        };
        if min_cases.is_none() {
            fail(
                "mindestfallzahl",
                &min_cases_text,
                "eine ganze Zahl ≥ 1, oder leer für die allgemeine Mindestfallzahl des Servers",
            );
        }
        let synonyms_text = get(IndicatorColumn::Synonyms);
        if synonyms_text.contains('|') {
            fail(
                "synonyme",
                &synonyms_text,
                "mehrere Begriffe durch `,` trennen, nicht durch `|`",
            );
        }
        if report.problems.len() > n_before {
            continue;
        }
        let name = get(IndicatorColumn::Name);
        let short_name = Some(get(IndicatorColumn::ShortName))
            .filter(|short| !short.is_empty())
            .unwrap_or_else(|| name.clone());
        indicators.push(Indicator {
            id,
            name,
            short_name,
            unit: get(IndicatorColumn::Unit),
            decimals: decimals.unwrap_or_default(),
            polarity: polarity.unwrap_or(Polarity::Neutral),
            handlungsfeld: field,
            definition: get(IndicatorColumn::Definition),
            numerator: get(IndicatorColumn::Numerator),
            denominator: get(IndicatorColumn::Denominator),
            source: get(IndicatorColumn::Source),
            headline: headline.unwrap_or_default(),
            min_cases: min_cases.flatten(),
            position: u32::try_from(indicators.len()).unwrap_or(u32::MAX),
            retired: false,
            synonyms: synonyms_text
                .split(',')
                .map(str::trim)
                .filter(|synonym| !synonym.is_empty())
                .map(str::to_owned)
                .collect(),
            notes: get(IndicatorColumn::Notes),
        });
    }
    if indicators.is_empty() && report.problems.is_empty() {
        report.file(INDICATORS_FILE, "enthält keine Kennzahl".into());
    }
    indicators
}

/// The bundled demo configuration (Kreis Pinneberg), the same files `assets/demo/` holds.
pub fn demo_files() -> ConfigFiles<'static> {
    ConfigFiles {
        settings: include_str!("../../../assets/demo/einstellungen.toml"),
        areas: include_str!("../../../assets/demo/gebiete.geojson"),
        indicators: include_bytes!("../../../assets/demo/kennzahlen.csv"),
    }
}
