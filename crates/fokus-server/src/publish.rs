//! Publishing editorial content: a folder of Markdown files with TOML front matter plus the media
//! they name becomes one revision. All or nothing: any problem in any file refuses the whole
//! folder and writes nothing.
//!
//! A file looks like this (keys are German, as the Sozialplanung writes them):
//!
//! ```text
//! +++
//! art = "newsletter"          # kapitel | empfehlung | newsletter | dokument | video
//! titel = "Newsletter 4/2025"
//! datum = 2025-12-15
//! zusammenfassung = "Neue Zahlen zur Pflege"
//! jahr = 2025
//! quartal = 4
//! +++
//! Markdown text …
//! ```
//!
//! The id of an item is its path in the folder without `.md`; media paths are relative to the
//! Markdown file and must stay inside the folder. Every file is read through one handle on the
//! folder without following a link (`crate::content_folder`).

use std::collections::HashMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use fokus_model::content::{
    ContentDetails, ContentItem, MediaRef, MediaRole, RecommendationStatus, StatusChange,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::content_folder::{ContentFolder, FolderError};

/// One problem in one file. `line` counts from 1 in the Markdown file, where known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishProblem {
    pub file: String,
    pub line: Option<usize>,
    pub reason: String,
}

impl fmt::Display for PublishProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(formatter, "{}, Zeile {line}: {}", self.file, self.reason),
            None => write!(formatter, "{}: {}", self.file, self.reason),
        }
    }
}

/// Why a folder was refused: every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishError {
    pub problems: Vec<PublishProblem>,
}

impl fmt::Display for PublishError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            formatter,
            "Veröffentlichung abgelehnt, nichts wurde geändert ({} Problem{}):",
            self.problems.len(),
            if self.problems.len() == 1 { "" } else { "e" }
        )?;
        for problem in &self.problems {
            writeln!(formatter, "  {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PublishError {}

/// A media file to store as a blob before the revision is committed.
#[derive(Debug, Clone)]
pub struct MediaFile {
    /// Its path in the content folder.
    pub source: PathBuf,
    pub media: MediaRef,
}

/// The points of a publish at which the content folder may change under it: after the folder
/// was listed (before its files are read), and after everything was checked (before the media
/// are copied into the blob store). Tests change the folder there, as an editor (or someone
/// else with write access) could at any moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishStage {
    Listed,
    Checked,
}

/// What content may refer to: the catalogue's indicators with the years they have values for,
/// and its areas, so a directive or a recommendation naming something unknown is refused.
#[derive(Debug, Clone, Default)]
pub struct Known<'a> {
    /// Id → (name, years with values, oldest first).
    pub indicators: HashMap<String, (String, Vec<u16>)>,
    /// Id → name.
    pub areas: HashMap<String, String>,
    /// The deployment's home area (`kreis` in a directive), the Land and the Bund.
    pub home: Option<String>,
    pub land: Option<String>,
    pub bund: Option<String>,
    /// Where a live value's fallback text comes from (the value at publish time).
    pub store: Option<&'a fokus_store::Store>,
}

impl<'a> Known<'a> {
    /// The current (not retired) catalogue of `store`.
    pub fn of(store: &'a fokus_store::Store) -> fokus_store::Result<Known<'a>> {
        let catalog = store.catalog()?;
        let years: HashMap<String, Vec<u16>> = store
            .changes_since(0)?
            .indicators
            .into_iter()
            .map(|change| (change.indicator, change.years))
            .collect();
        let home = catalog
            .dataset
            .as_ref()
            .map(|dataset| dataset.home_area.clone())
            .filter(|home| !home.is_empty());
        let of_kind = |kind: fokus_model::AreaKind| {
            catalog
                .areas
                .iter()
                .find(|area| area.kind == kind && !area.retired)
                .map(|area| area.id.clone())
        };
        Ok(Known {
            indicators: catalog
                .indicators
                .iter()
                .filter(|indicator| !indicator.retired)
                .map(|indicator| {
                    let years = years.get(&indicator.id).cloned().unwrap_or_default();
                    (indicator.id.clone(), (indicator.name.clone(), years))
                })
                .collect(),
            areas: catalog
                .areas
                .iter()
                .filter(|area| !area.retired)
                .map(|area| (area.id.clone(), area.name.clone()))
                .collect(),
            home: home.or_else(|| of_kind(fokus_model::AreaKind::Kreis)),
            land: of_kind(fokus_model::AreaKind::Land),
            bund: of_kind(fokus_model::AreaKind::Bund),
            store: Some(store),
        })
    }

    /// An area by id, or `kreis`, `land`, `bund` for the home area and the references.
    fn area(&self, name: &str) -> Result<String, String> {
        let alias = match name {
            "kreis" => Some(&self.home),
            "land" => Some(&self.land),
            "bund" => Some(&self.bund),
            _ => None,
        };
        match alias {
            Some(Some(id)) => Ok(id.clone()),
            Some(None) => Err(format!("`{name}` ist in diesen Daten kein Gebiet")),
            None if self.areas.contains_key(name) => Ok(name.to_owned()),
            None => Err(format!(
                "unbekanntes Gebiet `{name}`; erlaubt sind kreis, land, bund oder die Kennung eines Gebiets"
            )),
        }
    }

    fn indicator(&self, id: &str) -> Result<&(String, Vec<u16>), String> {
        self.indicators
            .get(id)
            .ok_or_else(|| format!("unbekannte Kennzahl `{id}`; sie steht nicht (mehr) im Katalog"))
    }

    fn year(&self, indicator: &str, year: &str) -> Result<u16, String> {
        let (_, years) = self.indicator(indicator)?;
        let parsed: u16 = year
            .parse()
            .map_err(|_| format!("`year={year}` ist keine Jahreszahl"))?;
        if years.contains(&parsed) {
            return Ok(parsed);
        }
        let range = match (years.first(), years.last()) {
            (Some(first), Some(last)) => format!("vorhanden: {first}–{last}"),
            _ => "es gibt noch keine Werte".to_owned(),
        };
        Err(format!(
            "für `{indicator}` gibt es keine Werte aus dem Jahr {parsed} ({range})"
        ))
    }

    fn area_name(&self, id: &str) -> String {
        self.areas.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    /// The value of `indicator` for `area` in `year` (the latest with one when `None`) as the
    /// app writes it, `6,8 %`, with its year; `None` when the store holds none.
    fn value_text(&self, indicator: &str, area: &str, year: Option<u16>) -> Option<(String, u16)> {
        let series = self.store?.area_series(indicator, area).ok()?;
        let line = series.lines.first()?;
        let (year, value) = line
            .points
            .iter()
            .rev()
            .filter(|(point_year, _)| year.is_none_or(|year| year == *point_year))
            .find_map(|(point_year, value)| Some((*point_year, (*value)?)))?;
        let unit = &series.indicator.unit;
        let number = fokus_model::text::number(value, series.indicator.decimals);
        Some((fokus_model::text::with_unit(&number, unit), year))
    }
}

/// `key=value key="value with spaces"` into pairs; every key at most once.
fn directive_arguments(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            return Err(format!("`{rest}` ist keine Angabe der Form name=wert"));
        };
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|character| character.is_ascii_alphabetic()) {
            return Err(format!("`{key}` ist kein Name einer Angabe"));
        }
        let (value, remainder) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"').ok_or_else(|| {
                format!("das Anführungszeichen nach `{key}=` wird nicht geschlossen")
            })?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        if pairs.iter().any(|(known, _)| known == key) {
            return Err(format!("`{key}` steht zweimal"));
        }
        pairs.push((key.to_owned(), value.trim().to_owned()));
        rest = remainder.trim_start();
    }
    Ok(pairs)
}

/// One directive's arguments checked against the catalogue: the placeholder HTML, or why not.
fn directive_html(name: &str, arguments: &str, known: &Known<'_>) -> Result<String, String> {
    use fokus_model::directive::{Directive, MAX_CHART_AREAS};
    let pairs = directive_arguments(arguments)?;
    let allowed: &[&str] = match name {
        "chart" => &["indicator", "areas"],
        "map" => &["indicator", "year"],
        "wert" => &["indicator", "area", "year"],
        other => {
            return Err(format!(
                "unbekannte Anweisung `{other}`; erlaubt: ::chart{{…}}, ::map{{…}}, :wert{{…}}"
            ))
        }
    };
    if let Some((key, _)) = pairs
        .iter()
        .find(|(key, _)| !allowed.contains(&key.as_str()))
    {
        return Err(format!(
            "`{key}` gehört nicht zu {name}; erlaubt: {}",
            allowed.join(", ")
        ));
    }
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(known, _)| known == key)
            .map(|(_, value)| value.as_str())
    };
    let indicator = get("indicator").ok_or_else(|| format!("{name} braucht indicator=…"))?;
    let (indicator_name, years) = known.indicator(indicator)?;
    let year = get("year")
        .map(|year| known.year(indicator, year))
        .transpose()?;
    let (directive, text) = match name {
        "chart" => {
            let areas = get("areas")
                .unwrap_or("kreis,land,bund")
                .split(',')
                .map(str::trim)
                .filter(|area| !area.is_empty())
                .map(|area| known.area(area))
                .collect::<Result<Vec<_>, _>>()?;
            if areas.is_empty() || areas.len() > MAX_CHART_AREAS {
                return Err(format!(
                    "areas nennt {} Gebiete; erlaubt sind 1 bis {MAX_CHART_AREAS}",
                    areas.len()
                ));
            }
            let names = areas
                .iter()
                .map(|area| known.area_name(area))
                .collect::<Vec<_>>()
                .join(", ");
            let text = format!("Diagramm: {indicator_name} – {names}");
            (
                Directive::Chart {
                    indicator: indicator.to_owned(),
                    areas,
                },
                text,
            )
        }
        "map" => {
            let shown = year.or(years.last().copied());
            let text = format!(
                "Karte: {indicator_name}{}",
                shown.map(|year| format!(" {year}")).unwrap_or_default()
            );
            (
                Directive::Map {
                    indicator: indicator.to_owned(),
                    year,
                },
                text,
            )
        }
        _ => {
            let area = known.area(get("area").ok_or("wert braucht area=…")?)?;
            // The value as it stands now; the app replaces it with its cache's.
            let text = match known.value_text(indicator, &area, year) {
                Some((value, _)) => value,
                None => {
                    let shown = year.or(years.last().copied());
                    format!(
                        "{indicator_name}, {}{}",
                        known.area_name(&area),
                        shown.map(|year| format!(" {year}")).unwrap_or_default()
                    )
                }
            };
            (
                Directive::Value {
                    indicator: indicator.to_owned(),
                    area,
                    year,
                },
                text,
            )
        }
    };
    Ok(directive.html(&text))
}

/// Replaces the directives in a Markdown body by their placeholders, reporting each problem
/// with its file line. `first_line` is the file line the body starts on. Fenced code is left
/// alone, so a report can show the syntax itself.
fn expand_directives(
    body: &str,
    first_line: usize,
    known: &Known<'_>,
    check: &mut FileCheck<'_>,
) -> String {
    expand_directives_marking(body, first_line, known, check, false)
}

/// [`expand_directives`]; with `mark`, a directive that is refused is replaced by a `<mark>`
/// naming the problem where it stood (the workspace's preview), instead of by nothing.
fn expand_directives_marking(
    body: &str,
    first_line: usize,
    known: &Known<'_>,
    check: &mut FileCheck<'_>,
    mark: bool,
) -> String {
    let marked = |line: usize, reason: &str| {
        let text = fokus_model::directive::escape(&format!("Zeile {line}: {reason}"));
        format!("<mark title=\"{text}\">⚠ {text}</mark>")
    };
    let mut out = String::with_capacity(body.len());
    let mut fence: Option<&str> = None;
    for (index, line) in body.split_inclusive('\n').enumerate() {
        let line_number = first_line + index;
        let trimmed = line.trim();
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
            out.push_str(line);
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            out.push_str(line);
            continue;
        }
        // A block directive stands alone on its line.
        if let Some(rest) = trimmed.strip_prefix("::") {
            let name_end = rest.find('{').unwrap_or(rest.len());
            let name = &rest[..name_end];
            if !name.is_empty()
                && name
                    .chars()
                    .all(|character| character.is_ascii_alphabetic())
            {
                let arguments = rest[name_end..]
                    .strip_prefix('{')
                    .and_then(|arguments| arguments.strip_suffix('}'));
                let result = match (name, arguments) {
                    ("wert", _) => {
                        Err("`:wert{…}` steht im Satz, mit einem Doppelpunkt".to_owned())
                    }
                    (_, None) => Err(format!(
                        "`::{name}` braucht seine Angaben in {{…}} auf derselben Zeile"
                    )),
                    (_, Some(arguments)) => directive_html(name, arguments, known),
                };
                match result {
                    Ok(html) => out.push_str(&format!("\n{html}\n\n")),
                    Err(reason) => {
                        if mark {
                            out.push_str(&format!("\n<p>{}</p>\n\n", marked(line_number, &reason)));
                        }
                        check.report(Some(line_number), reason);
                    }
                }
                continue;
            }
        }
        let mut rest = line;
        while let Some(start) = rest.find(":wert{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + ":wert{".len()..];
            let Some(end) = after.find('}') else {
                let reason = "`:wert{` wird auf dieser Zeile nicht mit `}` geschlossen";
                if mark {
                    out.push_str(&marked(line_number, reason));
                }
                check.report(Some(line_number), reason);
                rest = "";
                break;
            };
            match directive_html("wert", &after[..end], known) {
                Ok(html) => out.push_str(&html),
                Err(reason) => {
                    if mark {
                        out.push_str(&marked(line_number, &reason));
                    }
                    check.report(Some(line_number), reason);
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
    }
    out
}

/// The HTML of a Markdown `body` as publish renders it, for the workspace's preview: each
/// directive publish would refuse is shown in place as a `<mark>` naming the problem, and the
/// problems are returned with their lines (the body starting on file line `first_line`).
pub fn render_preview(
    file: &str,
    body: &str,
    first_line: usize,
    known: &Known<'_>,
) -> (String, Vec<PublishProblem>) {
    let mut problems = Vec::new();
    let mut check = FileCheck {
        file,
        front: "",
        problems: &mut problems,
    };
    let expanded = expand_directives_marking(body, first_line, known, &mut check, true);
    (render_markdown(&expanded), problems)
}

/// A checked content folder, ready to commit.
#[derive(Debug, Clone)]
pub struct Publication {
    pub items: Vec<ContentItem>,
    pub media: Vec<MediaFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    art: String,
    titel: String,
    datum: toml::value::Datetime,
    #[serde(default)]
    zusammenfassung: String,
    jahr: Option<u16>,
    kapitel: Option<u16>,
    quartal: Option<u8>,
    handlungsfeld: Option<String>,
    #[serde(default)]
    status: Vec<StatusEntry>,
    kategorie: Option<String>,
    #[serde(default)]
    dateien: Vec<String>,
    video: Option<String>,
    untertitel: Option<String>,
    datenstand: Option<toml::value::Datetime>,
    #[serde(default)]
    kennzahlen: Vec<String>,
    #[serde(default)]
    gebiete: Vec<String>,
    zustaendig: Option<String>,
    frist: Option<toml::value::Datetime>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusEntry {
    datum: toml::value::Datetime,
    stand: String,
    #[serde(default)]
    notiz: String,
}

/// Splits `+++ … +++` front matter from the body (a byte order mark first is skipped).
pub fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Some((front, body));
        }
        offset += line.len();
    }
    None
}

/// Markdown to HTML, then through the shared sanitiser (`fokus_store::html`, which every app
/// applies again to what it receives): authors write Markdown, and whatever
/// HTML they paste cannot run script in the app.
pub fn render_markdown(markdown: &str) -> String {
    use pulldown_cmark::{CowStr, Event, Options, Parser};
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    // A raw-text element (`<style>`, `<script>`, …) left open in pasted HTML would turn the
    // rest of the text into its content, which the sanitiser then drops: close it where the
    // Markdown says the pasted HTML ended, so only what stood inside it is lost.
    let markdown = unclosed_raw_blocks_as_text(markdown);
    let mut open: Option<&'static str> = None;
    let mut events: Vec<Event<'_>> = Vec::new();
    for event in Parser::new_ext(&markdown, options) {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => {
                let (raw, still_open) = contain_raw_text(&raw, open);
                open = still_open;
                events.push(Event::Html(CowStr::from(raw)));
            }
            other => {
                if let Some(tag) = open.take() {
                    events.push(Event::Html(CowStr::from(format!("</{tag}>"))));
                }
                events.push(other);
            }
        }
    }
    if let Some(tag) = open {
        events.push(Event::Html(CowStr::from(format!("</{tag}>"))));
    }
    // Each top-level block is cleaned on its own, so pasted HTML left open (a `<table>`, a
    // `<div>`) ends with its block instead of taking in the text after it; the parser behind
    // the sanitiser drops text that lands inside an unclosed table.
    let mut depth = 0usize;
    let mut block: Vec<Event<'_>> = Vec::new();
    let flush = |block: &mut Vec<Event<'_>>, html: &mut String| {
        if !block.is_empty() {
            let mut piece = String::new();
            pulldown_cmark::html::push_html(&mut piece, block.drain(..));
            html.push_str(&fokus_store::html::sanitize(&piece));
            html.push('\n');
        }
    };
    for event in events {
        let raw_at_top = depth == 0 && matches!(event, Event::Html(_));
        if depth == 0 && !raw_at_top && block.iter().any(|event| matches!(event, Event::Html(_))) {
            flush(&mut block, &mut html);
        }
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        block.push(event);
        if depth == 0 && !raw_at_top {
            flush(&mut block, &mut html);
        }
    }
    flush(&mut block, &mut html);
    html
}

/// A line opening a `<script>`, `<style>`, `<textarea>` or `<pre>` block starts raw HTML that
/// Markdown continues up to the closing tag, or to the end of the file when there is none; such
/// an opener without its closing tag is shown as text instead.
fn unclosed_raw_blocks_as_text(markdown: &str) -> String {
    let lower = markdown.to_ascii_lowercase();
    let mut out = String::with_capacity(markdown.len());
    let mut offset = 0;
    for line in markdown.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let opener = (indent <= 3)
            .then(|| lower[offset + indent..offset + line.len()].to_owned())
            .and_then(|rest| {
                ["script", "style", "textarea", "pre"]
                    .into_iter()
                    .find(|tag| {
                        rest.strip_prefix('<')
                            .and_then(|rest| rest.strip_prefix(tag))
                            .and_then(|after| after.chars().next())
                            .is_none_or(|next| next == '>' || next.is_whitespace())
                            && rest.starts_with(&format!("<{tag}"))
                    })
            });
        match opener {
            Some(tag) if !lower[offset..].contains(&format!("</{tag}>")) => {
                out.push_str(&line.replacen('<', "&lt;", 1));
            }
            _ => out.push_str(line),
        }
        offset += line.len();
    }
    out
}

/// Elements whose content HTML reads as raw text up to their closing tag.
const RAW_TEXT: [&str; 9] = [
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];

/// Follows the raw-text elements opened and closed in a piece of pasted HTML, starting inside
/// `open`: the piece (with `<plaintext`, which nothing closes, made text) and the element still
/// open after it.
fn contain_raw_text(raw: &str, mut open: Option<&'static str>) -> (String, Option<&'static str>) {
    let lower = raw.to_ascii_lowercase();
    let mut position = 0;
    while let Some(found) = lower[position..].find('<') {
        let at = position + found + 1;
        let rest = &lower[at..];
        let name_end = |name: &str| {
            rest.strip_prefix(name).is_some_and(|after| {
                after
                    .chars()
                    .next()
                    .is_none_or(|next| next == '>' || next == '/' || next.is_whitespace())
            })
        };
        match open {
            Some(tag) => {
                if rest.starts_with('/') && name_end(&format!("/{tag}")) {
                    open = None;
                }
            }
            None => open = RAW_TEXT.into_iter().find(|tag| name_end(tag)),
        }
        position = at;
    }
    let raw = if lower.contains("<plaintext") {
        raw.replace('<', "&lt;")
    } else {
        raw.to_owned()
    };
    (raw, open)
}

fn iso_date(value: &toml::value::Datetime) -> Option<String> {
    match (value.date, value.time) {
        (Some(date), None) => Some(date.to_string()),
        _ => None,
    }
}

/// Collects the problems of one file while it is read.
struct FileCheck<'a> {
    file: &'a str,
    /// The front matter's text, to find the line a key is on.
    front: &'a str,
    problems: &'a mut Vec<PublishProblem>,
}

impl FileCheck<'_> {
    /// The file line of the `n`-th `key = …` (or `[[key]]`) in the front matter, which starts
    /// on line 2; line 1 (the opening `+++`) when there is none.
    fn line_of_nth(&self, key: &str, n: usize) -> Option<usize> {
        let found = self
            .front
            .lines()
            .enumerate()
            .filter(|(_, line)| {
                let line = line.trim_start();
                line.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
                    || line.starts_with(&format!("[[{key}]]"))
            })
            .nth(n);
        Some(found.map_or(1, |(index, _)| index + 2))
    }

    fn line_of(&self, key: &str) -> Option<usize> {
        self.line_of_nth(key, 0)
    }

    fn report_at(&mut self, key: &str, reason: impl Into<String>) {
        let line = self.line_of(key);
        self.report(line, reason);
    }

    fn report(&mut self, line: Option<usize>, reason: impl Into<String>) {
        self.problems.push(PublishProblem {
            file: self.file.to_owned(),
            line,
            reason: reason.into(),
        });
    }

    fn require<T: Clone>(&mut self, value: &Option<T>, key: &str, kind: &str) -> Option<T> {
        if value.is_none() {
            self.report(
                Some(1),
                format!("`{key}` fehlt (nötig für art = \"{kind}\")"),
            );
        }
        value.clone()
    }
}

/// Reads and checks every Markdown file under `dir`. Hashes every media file it names.
pub fn read_content_dir(dir: &Path, known: &Known<'_>) -> Result<Publication, PublishError> {
    let folder = open_folder(dir)?;
    read_content_folder(&folder, known, &mut |_| {})
}

/// Opens the content folder `dir`, or says why it cannot be published from.
pub fn open_folder(dir: &Path) -> Result<ContentFolder, PublishError> {
    ContentFolder::open(dir).map_err(|error| PublishError {
        problems: vec![PublishProblem {
            file: dir.display().to_string(),
            line: None,
            reason: if dir.is_dir() {
                format!("nicht lesbar: {error}")
            } else {
                "ist kein Ordner".into()
            },
        }],
    })
}

/// Reads and checks every Markdown file in `folder`, calling `between` once it is listed.
/// Hashes every media file it names.
pub fn read_content_folder(
    folder: &ContentFolder,
    known: &Known<'_>,
    between: &mut dyn FnMut(PublishStage),
) -> Result<Publication, PublishError> {
    let listing = folder.list();
    // A link could point anywhere on the server (`liste.csv -> /etc/fokus/admin-token`)
    // and publish it: content lives in the folder itself.
    let mut problems: Vec<PublishProblem> = listing
        .problems
        .iter()
        .map(|problem| PublishProblem {
            file: shown(problem.path()),
            line: None,
            reason: problem.reason(),
        })
        .collect();
    if listing.markdown.is_empty() && problems.is_empty() {
        problems.push(PublishProblem {
            file: folder.path().display().to_string(),
            line: None,
            reason: "enthält keine Markdown-Datei (*.md); ein leerer Ordner würde alle Inhalte zurückziehen".into(),
        });
    }
    between(PublishStage::Listed);
    let mut items = Vec::new();
    let mut hashed: HashMap<PathBuf, MediaRef> = HashMap::new();
    for path in &listing.markdown {
        let file = shown(path);
        let bytes = match folder.read(path) {
            Ok(bytes) => bytes,
            // Listed as a file in folders, so a link on the way now came in since.
            Err(problem) => {
                problems.push(PublishProblem {
                    reason: problem.since_listed(path),
                    file,
                    line: None,
                });
                continue;
            }
        };
        if let Some(item) = read_item(
            folder,
            path,
            &file,
            &bytes,
            known,
            &mut problems,
            &mut hashed,
        ) {
            items.push(item);
        }
    }
    if !problems.is_empty() {
        return Err(PublishError { problems });
    }
    let mut media: Vec<MediaFile> = hashed
        .into_iter()
        .map(|(source, media)| MediaFile { source, media })
        .collect();
    media.sort_by(|a, b| a.media.sha256.cmp(&b.media.sha256));
    media.dedup_by(|a, b| a.media.sha256 == b.media.sha256);
    Ok(Publication { items, media })
}

/// One content item from the bytes of its Markdown file (`file`, its path in `folder`), checked
/// as publish checks every file, the media it names read from `folder`: the item, or every
/// problem found. (What publish does per file; the fuzzer feeds it.)
pub fn parse_item(
    folder: &ContentFolder,
    file: &Path,
    bytes: &[u8],
    known: &Known<'_>,
) -> Result<ContentItem, Vec<PublishProblem>> {
    let mut problems = Vec::new();
    let item = read_item(
        folder,
        file,
        &shown(file),
        bytes,
        known,
        &mut problems,
        &mut HashMap::new(),
    );
    match item {
        Some(item) if problems.is_empty() => Ok(item),
        _ => Err(problems),
    }
}

/// A path in the content folder as problems name it.
fn shown(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The item of the Markdown file at `path` in `folder` (shown as `file`) with the bytes `bytes`;
/// `None` when a problem stops the reading (problems are recorded either way). `hashed` holds
/// the media hashed so far, by path in the folder.
fn read_item(
    folder: &ContentFolder,
    path: &Path,
    file: &str,
    bytes: &[u8],
    known: &Known<'_>,
    problems: &mut Vec<PublishProblem>,
    hashed: &mut HashMap<PathBuf, MediaRef>,
) -> Option<ContentItem> {
    let id = file.trim_end_matches(".md").to_owned();
    let check = &mut FileCheck {
        file,
        front: "",
        problems,
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        check.report(None, "ist kein UTF-8-Text; bitte als UTF-8 speichern");
        return None;
    };
    let Some((front, body)) = split_front_matter(text) else {
        check.report(
        Some(1),
        "Kopfbereich fehlt: die Datei muss mit einer Zeile `+++` beginnen, und eine zweite `+++` beendet ihn",
    );
        return None;
    };
    check.front = front;
    let front_matter: FrontMatter = match toml::from_str(front) {
        Ok(front_matter) => front_matter,
        Err(error) => {
            let line = error
                .span()
                .map(|span| 2 + front[..span.start.min(front.len())].matches('\n').count());
            check.report(
                line,
                format!("Kopfbereich ungültig: {}", error.message().trim()),
            );
            return None;
        }
    };
    let Some(date) = iso_date(&front_matter.datum) else {
        check.report_at(
            "datum",
            "`datum` muss ein Datum ohne Uhrzeit sein, z. B. datum = 2025-12-15",
        );
        return None;
    };
    let kind = front_matter.art.as_str();
    let details = details_of(&front_matter, known, check)?;
    // Keys of other kinds are mistakes that would silently vanish otherwise.
    let allowed: &[&str] = match kind {
        "kapitel" => &["jahr", "kapitel", "datenstand"],
        "empfehlung" => &[
            "jahr",
            "handlungsfeld",
            "status",
            "kennzahlen",
            "gebiete",
            "zustaendig",
            "frist",
        ],
        "newsletter" => &["jahr", "quartal"],
        "dokument" => &["kategorie", "dateien"],
        _ => &["video", "untertitel"],
    };
    let present = [
        ("jahr", front_matter.jahr.is_some()),
        ("kapitel", front_matter.kapitel.is_some()),
        ("quartal", front_matter.quartal.is_some()),
        ("handlungsfeld", front_matter.handlungsfeld.is_some()),
        ("status", !front_matter.status.is_empty()),
        ("kategorie", front_matter.kategorie.is_some()),
        ("dateien", !front_matter.dateien.is_empty()),
        ("video", front_matter.video.is_some()),
        ("untertitel", front_matter.untertitel.is_some()),
        ("datenstand", front_matter.datenstand.is_some()),
        ("kennzahlen", !front_matter.kennzahlen.is_empty()),
        ("gebiete", !front_matter.gebiete.is_empty()),
        ("zustaendig", front_matter.zustaendig.is_some()),
        ("frist", front_matter.frist.is_some()),
    ];
    for (key, _) in present
        .iter()
        .filter(|(key, is_present)| *is_present && !allowed.contains(key))
    {
        check.report_at(key, format!("`{key}` gehört nicht zu art = \"{kind}\""));
    }
    let mut media = Vec::new();
    let base = path.parent().unwrap_or(Path::new(""));
    let named: Vec<(MediaRole, &String)> = front_matter
        .dateien
        .iter()
        .map(|name| (MediaRole::File, name))
        .chain(
            front_matter
                .video
                .iter()
                .map(|name| (MediaRole::Video, name)),
        )
        .chain(
            front_matter
                .untertitel
                .iter()
                .map(|name| (MediaRole::Captions, name)),
        )
        .collect();
    for (role, name) in named {
        if let Some(reference) = media_ref(folder, base, name, role, check, hashed) {
            media.push(reference);
        }
    }
    // The file line the body starts on, for the directives' problems.
    let first_line = text[..text.len() - body.len()].lines().count() + 1;
    let body = expand_directives(body, first_line, known, check);
    if front_matter.titel.trim().is_empty() {
        check.report_at("titel", "`titel` ist leer");
    }
    Some(ContentItem {
        id,
        title: front_matter.titel.trim().to_owned(),
        date,
        summary: front_matter.zusammenfassung.trim().to_owned(),
        body_html: render_markdown(&body),
        details,
        media,
    })
}

fn details_of(
    front: &FrontMatter,
    known: &Known<'_>,
    check: &mut FileCheck<'_>,
) -> Option<ContentDetails> {
    let kind = front.art.as_str();
    let date_of = |key: &str, value: &Option<toml::value::Datetime>, check: &mut FileCheck<'_>| {
        let value = value.as_ref()?;
        let date = iso_date(value);
        if date.is_none() {
            check.report_at(
                key,
                format!("`{key}` muss ein Datum ohne Uhrzeit sein, z. B. {key} = 2026-06-30"),
            );
        }
        date
    };
    match kind {
        "kapitel" => {
            let year = check.require(&front.jahr, "jahr", kind);
            let chapter = check.require(&front.kapitel, "kapitel", kind);
            let data_stand = date_of("datenstand", &front.datenstand, check);
            Some(ContentDetails::Kapitel {
                year: year?,
                chapter: chapter?,
                data_stand,
            })
        }
        "newsletter" => {
            let year = check.require(&front.jahr, "jahr", kind);
            let quarter = check.require(&front.quartal, "quartal", kind);
            if quarter.is_some_and(|quarter| !(1..=4).contains(&quarter)) {
                check.report_at("quartal", "`quartal` muss 1, 2, 3 oder 4 sein");
                return None;
            }
            Some(ContentDetails::Newsletter {
                year: year?,
                quarter: quarter?,
            })
        }
        "empfehlung" => {
            let year = check.require(&front.jahr, "jahr", kind);
            let field = check.require(&front.handlungsfeld, "handlungsfeld", kind);
            if front.status.is_empty() {
                check.report(
                    Some(1),
                    "mindestens ein [[status]] mit datum und stand fehlt (stand: offen, in_umsetzung, umgesetzt, zurueckgestellt)",
                );
                return None;
            }
            let mut history = Vec::with_capacity(front.status.len());
            for (entry_idx, entry) in front.status.iter().enumerate() {
                let Some(status) = RecommendationStatus::parse(&entry.stand) else {
                    let line = check.line_of_nth("stand", entry_idx);
                    check.report(
                        line,
                        format!(
                            "unbekannter stand `{}`; erlaubt: offen, in_umsetzung, umgesetzt, zurueckgestellt",
                            entry.stand
                        ),
                    );
                    return None;
                };
                let Some(date) = iso_date(&entry.datum) else {
                    let line = check.line_of_nth("status", entry_idx);
                    check.report(line, "`datum` eines [[status]] muss ein Datum sein");
                    return None;
                };
                if history
                    .last()
                    .is_some_and(|previous: &StatusChange| previous.date > date)
                {
                    let line = check.line_of_nth("status", entry_idx);
                    check.report(
                        line,
                        format!("[[status]] vom {date} steht nach einem späteren; bitte zeitlich ordnen"),
                    );
                    return None;
                }
                history.push(StatusChange {
                    date,
                    status,
                    note: entry.notiz.trim().to_owned(),
                });
            }
            let mut indicators = Vec::new();
            for (index, indicator) in front.kennzahlen.iter().enumerate() {
                match known.indicator(indicator) {
                    Ok(_) if !indicators.contains(indicator) => indicators.push(indicator.clone()),
                    Ok(_) => {}
                    Err(reason) => {
                        let line = check.line_of("kennzahlen");
                        check.report(line, format!("kennzahlen, Eintrag {}: {reason}", index + 1));
                    }
                }
            }
            let mut areas = Vec::new();
            for (index, area) in front.gebiete.iter().enumerate() {
                match known.area(area) {
                    Ok(id) if !areas.contains(&id) => areas.push(id),
                    Ok(_) => {}
                    Err(reason) => {
                        let line = check.line_of("gebiete");
                        check.report(line, format!("gebiete, Eintrag {}: {reason}", index + 1));
                    }
                }
            }
            let deadline = date_of("frist", &front.frist, check);
            Some(ContentDetails::Empfehlung {
                handlungsfeld: field?,
                year: year?,
                history,
                indicators,
                areas,
                office: front
                    .zustaendig
                    .as_deref()
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                deadline,
            })
        }
        "dokument" => {
            let category = check.require(&front.kategorie, "kategorie", kind);
            if front.dateien.is_empty() {
                check.report(
                    Some(1),
                    "`dateien` fehlt: ein Dokument braucht mindestens eine Datei",
                );
                return None;
            }
            Some(ContentDetails::Dokument {
                category: category?,
            })
        }
        "video" => {
            let video = check.require(&front.video, "video", kind);
            // Captions are not optional: BITV 2.0 / WCAG 1.2.2 require them for recorded video.
            let captions = check.require(&front.untertitel, "untertitel", kind);
            video?;
            captions?;
            Some(ContentDetails::Video)
        }
        other => {
            check.report_at(
                "art",
                format!("unbekannte art `{other}`; erlaubt: kapitel, empfehlung, newsletter, dokument, video"),
            );
            None
        }
    }
}

fn media_ref(
    folder: &ContentFolder,
    base: &Path,
    name: &str,
    role: MediaRole,
    check: &mut FileCheck<'_>,
    hashed: &mut HashMap<PathBuf, MediaRef>,
) -> Option<MediaRef> {
    let key = match role {
        MediaRole::File => "dateien",
        MediaRole::Video => "video",
        MediaRole::Captions => "untertitel",
    };
    let relative = Path::new(name);
    let escapes = relative.is_absolute()
        || relative
            .components()
            .any(|component| matches!(component, Component::ParentDir | Component::Prefix(_)));
    if escapes {
        check.report_at(
            key,
            format!("`{name}`: Pfade müssen innerhalb des Inhaltsordners bleiben (kein `..`, kein absoluter Pfad)"),
        );
        return None;
    }
    let path = base.join(relative);
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .unwrap_or_default();
    let Some(kind) = fokus_model::content::media_type_by_extension(extension) else {
        check.report_at(
            key,
            format!(
                "`{name}`: Dateityp nicht erlaubt; erlaubt: {}",
                fokus_model::content::allowed_extensions()
            ),
        );
        return None;
    };
    if !kind.fits(role) {
        check.report_at(
            key,
            format!(
                "`{name}`: passt nicht als {}",
                match role {
                    MediaRole::Video => "Video (webm oder mp4)",
                    MediaRole::Captions => "Untertitel (WebVTT, .vtt)",
                    MediaRole::File => "Datei",
                }
            ),
        );
        return None;
    }
    let mime = kind.mime;
    if let Some(known) = hashed.get(&path) {
        return Some(MediaRef {
            role,
            ..known.clone()
        });
    }
    let bytes = match folder.read(&path) {
        Ok(bytes) => bytes,
        Err(FolderError::Unreadable(path, error)) => {
            let shown = shown(&path);
            check.report_at(key, format!("`{name}` nicht lesbar ({shown}): {error}"));
            return None;
        }
        Err(problem) => {
            check.report_at(key, format!("`{name}`: {problem}"));
            return None;
        }
    };
    if role == MediaRole::Captions
        && !bytes.starts_with(b"WEBVTT")
        && !bytes.starts_with("\u{feff}WEBVTT".as_bytes())
    {
        check.report_at(
            key,
            format!("`{name}`: keine WebVTT-Datei (erste Zeile muss `WEBVTT` sein)"),
        );
        return None;
    }
    let reference = MediaRef {
        role,
        name: relative.file_name().map_or_else(
            || name.to_owned(),
            |file| file.to_string_lossy().into_owned(),
        ),
        mime: mime.to_owned(),
        sha256: hex_sha256(&bytes),
        size: bytes.len() as u64,
    };
    if let Err(problem) = reference.check() {
        check.report_at(key, problem);
        return None;
    }
    hashed.insert(path, reference.clone());
    Some(reference)
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Content-addressed media files on the server's disk: `<dir>/<sha256>`. Written before the
/// revision that names them commits; a file no revision names is harmless.
#[derive(Debug, Clone)]
pub struct BlobDir {
    dir: PathBuf,
}

impl BlobDir {
    pub fn new(dir: PathBuf) -> BlobDir {
        BlobDir { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path_of(&self, sha256: &str) -> PathBuf {
        self.dir.join(sha256)
    }

    /// Copies the media files of a publication in (those not present), each read again
    /// through the folder's handle and checked against its hash, so a file changed or swapped
    /// for a link since it was checked is refused rather than stored. All or nothing: each is
    /// written under a temporary name, and only once every one is in hand are they renamed into
    /// place; a refusal leaves no file behind.
    pub fn store_all(
        &self,
        folder: &ContentFolder,
        media: &[MediaFile],
    ) -> anyhow::Result<Result<(), PublishError>> {
        let mut written = Vec::new();
        let outcome = self.write_all(folder, media, &mut written);
        let complete = matches!(outcome, Ok(Ok(())));
        for (temporary, target) in &written {
            if complete {
                if let Err(error) = std::fs::rename(temporary, target) {
                    let _ = std::fs::remove_file(temporary);
                    return Err(anyhow::Error::new(error)
                        .context(format!("moving {} into place", target.display())));
                }
            } else {
                let _ = std::fs::remove_file(temporary);
            }
        }
        outcome
    }

    /// Writes the media not yet present to temporary files, listed in `written` with their
    /// targets.
    fn write_all(
        &self,
        folder: &ContentFolder,
        media: &[MediaFile],
        written: &mut Vec<(PathBuf, PathBuf)>,
    ) -> anyhow::Result<Result<(), PublishError>> {
        use anyhow::Context;
        let mut problems = Vec::new();
        for file in media {
            let sha256 = &file.media.sha256;
            let target = self.path_of(sha256);
            if target.exists() {
                continue;
            }
            let bytes = match folder.read(&file.source) {
                Ok(bytes) => bytes,
                // Checked moments ago, so what is in the way now came in since.
                Err(problem) => {
                    problems.push(PublishProblem {
                        file: shown(&file.source),
                        line: None,
                        reason: problem.since_listed(&file.source),
                    });
                    continue;
                }
            };
            if hex_sha256(&bytes) != *sha256 {
                problems.push(PublishProblem {
                    file: shown(&file.source),
                    line: None,
                    reason: "hat sich während der Veröffentlichung geändert; bitte erneut veröffentlichen".into(),
                });
                continue;
            }
            std::fs::create_dir_all(&self.dir)
                .with_context(|| format!("creating {}", self.dir.display()))?;
            let temporary = self.dir.join(format!(".{sha256}.partial"));
            std::fs::write(&temporary, &bytes)
                .with_context(|| format!("writing {}", temporary.display()))?;
            written.push((temporary, target));
        }
        if problems.is_empty() {
            Ok(Ok(()))
        } else {
            Ok(Err(PublishError { problems }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_split_with_body_line() {
        let (front, body) =
            split_front_matter("+++\ntitel = \"A\"\nart = \"x\"\n+++\nText\n").unwrap();
        assert_eq!(front, "titel = \"A\"\nart = \"x\"\n", "between the fences");
        assert_eq!(body, "Text\n", "after the closing fence");
        assert!(
            split_front_matter("titel = \"A\"\n").is_none(),
            "no fence, no front matter"
        );
    }

    #[test]
    fn an_unclosed_raw_text_element_does_not_swallow_the_text_after_it() {
        for pasted in [
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "Text <script>alert(1)",
            "<textarea>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
            "<plaintext>",
            "<STYLE>body{}",
            "<table><tr><td>Zelle",
            "<div><span>offen",
        ] {
            let html = render_markdown(&format!("{pasted}\n\nLesbar danach.\n\n## Überschrift\n"));
            assert!(html.contains("Lesbar danach."), "{pasted}: {html}");
            assert!(html.contains("<h2>Überschrift</h2>"), "{pasted}: {html}");
            assert!(!html.contains("onerror"), "{pasted}: {html}");
            assert!(!html.contains("<script"), "{pasted}: {html}");
        }
        let closed = render_markdown("<script>\nalert(1)\n</script>\n\nDanach.\n");
        assert!(
            !closed.contains("alert"),
            "a closed script goes with its content: {closed}"
        );
        assert!(closed.contains("Danach."), "{closed}");
    }

    #[test]
    fn markdown_is_rendered_and_script_removed() {
        let html = render_markdown(
            "# Titel\n\n*wichtig* <script>alert(1)</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        assert!(html.contains("<h1>Titel</h1>"), "headings render: {html}");
        assert!(
            html.contains("<em>wichtig</em>"),
            "emphasis renders: {html}"
        );
        assert!(html.contains("<table>"), "tables are enabled: {html}");
        assert!(!html.contains("script"), "script is stripped: {html}");
    }

    fn known() -> Known<'static> {
        Known {
            indicators: HashMap::from([(
                "sgb2_quote".to_owned(),
                ("SGB-II-Quote".to_owned(), vec![2023, 2024]),
            )]),
            areas: HashMap::from([
                ("01056".to_owned(), "Kreis Pinneberg".to_owned()),
                ("01".to_owned(), "Schleswig-Holstein".to_owned()),
                ("010560015".to_owned(), "Elmshorn".to_owned()),
            ]),
            home: Some("01056".into()),
            land: Some("01".into()),
            bund: None,
            store: None,
        }
    }

    fn publish_one(front: &str, body: &str) -> Result<Publication, PublishError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("text.md"),
            format!("+++\n{front}+++\n{body}"),
        )
        .unwrap();
        read_content_dir(dir.path(), &known())
    }

    const CHAPTER: &str =
        "art = \"kapitel\"\ntitel = \"T\"\ndatum = 2025-01-01\njahr = 2025\nkapitel = 1\n";

    #[test]
    fn directives_become_placeholders_the_app_reads_back() {
        let body = "Quote :wert{indicator=sgb2_quote area=kreis year=2024} im Kreis.\n\n::chart{indicator=sgb2_quote areas=\"kreis, land, 010560015\"}\n\n::map{indicator=sgb2_quote}\n\n```\n::chart{indicator=unbekannt}\n```\n";
        let publication = publish_one(CHAPTER, body).unwrap();
        let html = &publication.items[0].body_html;
        use fokus_model::directive::{split_figures, BodyPart, Directive};
        let figures: Vec<Directive> = split_figures(html)
            .into_iter()
            .filter_map(|part| match part {
                BodyPart::Figure(directive) => Some(directive),
                BodyPart::Html(_) => None,
            })
            .collect();
        assert_eq!(
            figures,
            [
                Directive::Chart {
                    indicator: "sgb2_quote".into(),
                    areas: vec!["01056".into(), "01".into(), "010560015".into()],
                },
                Directive::Map {
                    indicator: "sgb2_quote".into(),
                    year: None,
                },
            ],
            "{html}"
        );
        assert!(
            html.contains(r#"data-fokus="wert" data-indicator="sgb2_quote" data-area="01056" data-year="2024""#),
            "the inline value keeps its arguments: {html}"
        );
        assert!(
            html.contains("::chart{indicator=unbekannt}"),
            "code is left alone: {html}"
        );
    }

    #[test]
    fn a_directive_naming_something_unknown_is_refused_with_file_and_line() {
        let cases = [
            (
                "::chart{indicator=gibtsnicht}\n",
                8,
                "unbekannte Kennzahl `gibtsnicht`",
            ),
            (
                "Text\n::map{indicator=sgb2_quote year=2031}\n",
                9,
                "keine Werte aus dem Jahr 2031 (vorhanden: 2023–2024)",
            ),
            (
                "Wert :wert{indicator=sgb2_quote area=hamburg}.\n",
                8,
                "unbekanntes Gebiet `hamburg`",
            ),
            (
                "::chart{indicator=sgb2_quote areas=bund}\n",
                8,
                "`bund` ist in diesen Daten kein Gebiet",
            ),
            (
                "::tabelle{indicator=sgb2_quote}\n",
                8,
                "unbekannte Anweisung `tabelle`",
            ),
            (
                "::chart{indicator=sgb2_quote farbe=rot}\n",
                8,
                "`farbe` gehört nicht zu chart",
            ),
            ("::chart{indicator=\"sgb2_quote}\n", 8, "nicht geschlossen"),
            (
                "Wert :wert{indicator=sgb2_quote area=kreis\n",
                8,
                "nicht mit `}` geschlossen",
            ),
            (
                "::chart{indicator=\"<script>alert(1)</script>\"}\n",
                8,
                "unbekannte Kennzahl",
            ),
        ];
        for (body, line, reason) in cases {
            let error = publish_one(CHAPTER, body).unwrap_err();
            let problem = &error.problems[0];
            assert_eq!(problem.line, Some(line), "{body}: {error}");
            assert!(problem.reason.contains(reason), "{body}: {error}");
            assert_eq!(problem.file, "text.md");
        }
    }

    #[test]
    fn a_recommendation_names_known_indicators_and_areas() {
        let front = "art = \"empfehlung\"\ntitel = \"E\"\ndatum = 2025-01-01\njahr = 2025\nhandlungsfeld = \"Arbeit\"\nkennzahlen = [\"sgb2_quote\"]\ngebiete = [\"kreis\", \"010560015\"]\nzustaendig = \"Jobcenter\"\nfrist = 2026-03-31\n[[status]]\ndatum = 2025-01-01\nstand = \"offen\"\n";
        let publication = publish_one(front, "Text\n").unwrap();
        match &publication.items[0].details {
            ContentDetails::Empfehlung {
                indicators,
                areas,
                office,
                deadline,
                ..
            } => {
                assert_eq!(indicators, &["sgb2_quote"]);
                assert_eq!(areas, &["01056", "010560015"]);
                assert_eq!(office, "Jobcenter");
                assert_eq!(deadline.as_deref(), Some("2026-03-31"));
            }
            other => panic!("{other:?}"),
        }
        let wrong = front
            .replace("[\"sgb2_quote\"]", "[\"sgb2_quote\", \"quatsch\"]")
            .replace("\"010560015\"]", "\"atlantis\"]");
        let error = publish_one(&wrong, "Text\n").unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("text.md, Zeile 7: kennzahlen, Eintrag 2: unbekannte Kennzahl `quatsch`"),
            "{text}"
        );
        assert!(
            text.contains("text.md, Zeile 8: gebiete, Eintrag 2: unbekanntes Gebiet `atlantis`"),
            "{text}"
        );
        let error = publish_one(
            &front.replace("frist = 2026-03-31", "frist = 2026-03-31T10:00:00"),
            "Text\n",
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("`frist` muss ein Datum ohne Uhrzeit sein"),
            "{error}"
        );
    }
}
