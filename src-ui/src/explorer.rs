//! The explorer's logic, apart from the DOM: how one indicator table becomes a painted map
//! (classes, fills, counts), a ranking, a CSV file and search matches. Pure, so it is unit
//! tested natively (`cargo test -p fokus-ui`).

use std::collections::HashMap;

use fokus_map::{
    class_colour, diverging_colour, DIVERGING_PER_SIDE, GAP_COLOUR, SUPPRESSED_PATTERN,
};
use fokus_model::classify::{breaks, class_of, diverging_breaks};
use fokus_model::view::{ExplorerView, Reference, Tab};
use fokus_model::{Cell, Gap, Indicator, IndicatorTable, Polarity, TableRow};

use crate::csv::Csv;
use crate::format;

/// What the map shows for one year: a fill per area and the legend's classes with counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Painted {
    pub year: u16,
    /// Fill per area id: a colour, or `url(#…)` of the suppressed hatch.
    pub fills: HashMap<String, String>,
    pub classes: Vec<LegendClass>,
    /// Areas without data, and with suppressed values.
    pub missing: usize,
    pub suppressed: usize,
    /// The reference a diverging map is centred on: its name and value.
    pub centre: Option<(String, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LegendClass {
    pub colour: &'static str,
    pub text: String,
    pub count: usize,
}

/// The fill of the suppressed hatch.
pub fn suppressed_fill() -> String {
    format!("url(#{SUPPRESSED_PATTERN})")
}

/// The reference row a diverging map is centred on.
pub fn reference_row(table: &IndicatorTable, reference: Reference) -> Option<&TableRow> {
    match reference {
        Reference::Home => table.references.first(),
        Reference::Land => table
            .references
            .iter()
            .find(|row| row.kind == fokus_model::AreaKind::Land),
        Reference::Bund => table
            .references
            .iter()
            .find(|row| row.kind == fokus_model::AreaKind::Bund),
    }
}

/// Classes, fills and counts of `year` as `view` asks (method, number of classes, or a diverging
/// scale around a reference; a reference without a value falls back to classes).
pub fn paint(table: &IndicatorTable, year: u16, view: &ExplorerView) -> Painted {
    let year_idx = table.year_idx(year);
    let cell_of = |row: &TableRow| year_idx.and_then(|idx| row.cell(idx));
    let values: Vec<f64> = table
        .areas
        .iter()
        .filter_map(|row| cell_of(row).and_then(Cell::value))
        .collect();
    let decimals = table.indicator.decimals;
    let polarity = table.indicator.polarity;
    let centre = view.diverging.and_then(|reference| {
        let row = reference_row(table, reference)?;
        Some((row.name.clone(), cell_of(row).and_then(Cell::value)?))
    });
    let bounds = match &centre {
        Some((_, centre_value)) => diverging_breaks(&values, *centre_value, DIVERGING_PER_SIDE),
        None => breaks(view.method, &values, usize::from(view.classes)),
    };
    let diverging = centre.is_some();
    let colour_of = |class_idx: usize, n_classes: usize| {
        if diverging {
            diverging_colour(class_idx, polarity)
        } else {
            class_colour(class_idx, n_classes, polarity)
        }
    };
    let n_classes = bounds.len() + 1;
    let mut counts = vec![0usize; n_classes];
    let mut fills = HashMap::new();
    let (mut missing, mut suppressed) = (0, 0);
    for row in &table.areas {
        let fill = match cell_of(row) {
            Some(cell) => match cell.value() {
                Some(value) => {
                    let class_idx = class_of(value, &bounds);
                    counts[class_idx] += 1;
                    colour_of(class_idx, n_classes).to_owned()
                }
                None if cell == Cell::Gap(Gap::Suppressed) => {
                    suppressed += 1;
                    suppressed_fill()
                }
                None => {
                    missing += 1;
                    GAP_COLOUR.to_owned()
                }
            },
            None => {
                missing += 1;
                GAP_COLOUR.to_owned()
            }
        };
        fills.insert(row.area.clone(), fill);
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let classes = if values.is_empty() {
        Vec::new()
    } else {
        (0..n_classes)
            .map(|class_idx| {
                let from = if class_idx == 0 {
                    min.min(bounds.first().copied().unwrap_or(min))
                } else {
                    bounds[class_idx - 1]
                };
                let to = bounds.get(class_idx).copied().unwrap_or(max).max(from);
                let from_text = format::number(from, decimals);
                let to_text = format::number(to, decimals);
                let text = if class_idx == 0 {
                    format!("{from_text} bis {to_text}")
                } else {
                    format!("über {from_text} bis {to_text}")
                };
                LegendClass {
                    colour: colour_of(class_idx, n_classes),
                    text,
                    count: counts[class_idx],
                }
            })
            .collect()
    };
    Painted {
        year,
        fills,
        classes,
        missing,
        suppressed,
        centre,
    }
}

/// The time series of some rows of a table, in the order given.
pub fn series_of_rows(table: &IndicatorTable, rows: &[&TableRow]) -> fokus_model::AreaSeries {
    fokus_model::AreaSeries {
        indicator: table.indicator.clone(),
        years: table.years.clone(),
        lines: rows
            .iter()
            .map(|row| fokus_model::SeriesLine {
                area: row.area.clone(),
                name: row.name.clone(),
                kind: row.kind,
                points: table
                    .years
                    .iter()
                    .enumerate()
                    .map(|(idx, year)| (*year, row.cell(idx).and_then(Cell::value)))
                    .collect(),
            })
            .collect(),
    }
}

/// The areas with a value in `year`, best first by the indicator's polarity (highest first for
/// neutral ones), with their rank; ties share a rank.
pub fn ranking(table: &IndicatorTable, year: u16) -> Vec<(usize, &TableRow, f64)> {
    let Some(year_idx) = table.year_idx(year) else {
        return Vec::new();
    };
    let mut ranked: Vec<(&TableRow, f64)> = table
        .areas
        .iter()
        .filter_map(|row| Some((row, row.cell(year_idx)?.value()?)))
        .collect();
    let lower_first = table.indicator.polarity == Polarity::HigherIsWorse;
    ranked.sort_by(|a, b| {
        let order = a.1.total_cmp(&b.1);
        if lower_first {
            order
        } else {
            order.reverse()
        }
    });
    let mut out = Vec::with_capacity(ranked.len());
    for (idx, (row, value)) in ranked.iter().enumerate() {
        let rank = match out.last() {
            Some((rank, _, previous)) if previous == value => *rank,
            _ => idx + 1,
        };
        out.push((rank, *row, *value));
    }
    out
}

/// A cell as a CSV field: German number without thousands separators (Excel reads `1234,5`),
/// the flag's letter after it, `geheim` or empty.
fn csv_cell(cell: Option<Cell>, decimals: u8) -> String {
    let number = |value: f64| format!("{value:.*}", usize::from(decimals)).replace('.', ",");
    match cell {
        Some(Cell::Value(value)) => number(value),
        Some(Cell::Flagged { value, flag }) => format!("{} {}", number(value), flag.letter()),
        Some(Cell::Gap(Gap::Suppressed)) => "geheim".to_owned(),
        Some(Cell::Gap(Gap::NoData)) | None => String::new(),
    }
}

/// What a CSV export says about itself above the numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportMeta {
    pub publisher: String,
    /// The data Stand (`14.10.2025`), empty if unknown.
    pub stand: String,
    pub licence: String,
    pub link: String,
    /// Today, for the citation.
    pub retrieved: String,
}

/// The table as CSV for Excel: UTF-8 with BOM, `;`, German numbers, a metadata header (indicator,
/// unit, source, Stand, licence, citation, link), then one row per area and reference.
pub fn table_csv(table: &IndicatorTable, meta: &ExportMeta) -> String {
    let rows: Vec<&TableRow> = table.rows().collect();
    let years: Vec<usize> = (0..table.years.len()).collect();
    csv_of(table, "alle Gebiete und Jahre", &rows, &years, None, meta)
}

/// "CSV dieser Ansicht": exactly the rows and years the view shows. The map and the ranking:
/// every area in the year shown (the ranking in its order, with the rank); the time series:
/// the areas chosen (or the home area) over every year; the table and the sources: everything.
/// The references (Kreis, Land, Bund) always follow.
pub fn view_csv(
    table: &IndicatorTable,
    view: &ExplorerView,
    year: u16,
    meta: &ExportMeta,
) -> String {
    let year_idx = table.year_idx(year);
    let one_year: Vec<usize> = year_idx.into_iter().collect();
    let all_years: Vec<usize> = (0..table.years.len()).collect();
    match view.tab {
        Tab::Karte => {
            let rows: Vec<&TableRow> = table.rows().collect();
            csv_of(
                table,
                &format!("Karte {year}"),
                &rows,
                &one_year,
                None,
                meta,
            )
        }
        Tab::Rangfolge => {
            let ranked = ranking(table, year);
            let mut rows: Vec<&TableRow> = ranked.iter().map(|(_, row, _)| *row).collect();
            let mut ranks: Vec<String> =
                ranked.iter().map(|(rank, _, _)| rank.to_string()).collect();
            // Areas without a value are not ranked; they follow, as on the screen's note.
            for row in &table.areas {
                if !rows.iter().any(|known| known.area == row.area) {
                    rows.push(row);
                    ranks.push(String::new());
                }
            }
            rows.extend(table.references.iter());
            ranks.resize(rows.len(), String::new());
            csv_of(
                table,
                &format!("Rangfolge {year}"),
                &rows,
                &one_year,
                Some(&ranks),
                meta,
            )
        }
        Tab::Zeitreihe => {
            let mut rows: Vec<&TableRow> = view
                .areas
                .iter()
                .filter_map(|area| table.areas.iter().find(|row| &row.area == area))
                .collect();
            rows.extend(table.references.iter());
            csv_of(table, "Zeitreihe", &rows, &all_years, None, meta)
        }
        Tab::Tabelle | Tab::Quellen => table_csv(table, meta),
    }
}

fn csv_of(
    table: &IndicatorTable,
    shown: &str,
    rows: &[&TableRow],
    year_idxs: &[usize],
    ranks: Option<&[String]>,
    meta: &ExportMeta,
) -> String {
    let indicator: &Indicator = &table.indicator;
    let citation = format!(
        "{}: {} ({}), Datenstand {}, abgerufen am {}, {}",
        meta.publisher, indicator.name, indicator.unit, meta.stand, meta.retrieved, meta.link
    );
    let mut csv = Csv::new();
    csv.row(["Kennzahl", &indicator.name])
        .row(["Einheit", &indicator.unit])
        .row(["Definition", &indicator.definition])
        .row(["Quelle", &indicator.source])
        .row(["Datenstand", &meta.stand])
        .row(["Ansicht", shown])
        .row(["Lizenz", &meta.licence])
        .row(["Zitiervorschlag", &citation])
        .row(["Link", &meta.link])
        .row([
            "Zeichen",
            "geheim = weniger Fälle als die Mindestfallzahl (Datenschutz)",
            "leer = keine Daten",
            "p = vorläufig",
            "r = berichtigt",
            "s = geschätzt",
        ])
        .blank();
    let mut header = Vec::new();
    if ranks.is_some() {
        header.push("Rang".to_owned());
    }
    header.extend([
        "Gebiet".to_owned(),
        "Schlüssel".to_owned(),
        "Ebene".to_owned(),
    ]);
    header.extend(
        year_idxs
            .iter()
            .filter_map(|idx| table.years.get(*idx))
            .map(u16::to_string),
    );
    csv.row(header);
    for (row_idx, row) in rows.iter().enumerate() {
        let mut fields = Vec::new();
        if let Some(ranks) = ranks {
            fields.push(ranks.get(row_idx).cloned().unwrap_or_default());
        }
        fields.extend([
            row.name.clone(),
            row.area.clone(),
            row.kind.label_de().to_owned(),
        ]);
        fields.extend(
            year_idxs
                .iter()
                .map(|idx| csv_cell(row.cell(*idx), indicator.decimals)),
        );
        csv.row(fields);
    }
    csv.finish()
}

/// A map label as placed: where, and how large.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedLabel {
    pub area: String,
    pub x: f64,
    pub y: f64,
    pub size: f64,
}

/// Map label sizes in map units (the map is 800 wide): the regular size, and the smaller one
/// tried where the regular one would collide.
pub const LABEL_SIZE: f64 = 17.0;
const SMALL_LABEL_SIZE: f64 = 13.0;

/// Places labels at their areas' inner points without overlapping: each label in turn at its
/// point, else moved up or down a line, else smaller; a label that fits nowhere is left out (the
/// area still names itself to screen readers, in its tooltip, in the list and in the value card).
/// The width of a label is estimated from its length (bold text averages about 0.6 em per
/// character). `scale` is the reader's text size (1.0 = 100 %): larger text, larger labels,
/// and fewer of them where they would collide.
pub fn place_labels(labels: &[(&str, &str, f64, f64)], scale: f64) -> Vec<PlacedLabel> {
    let mut placed: Vec<(PlacedLabel, f64, f64)> = Vec::new();
    let overlaps = |x: f64, y: f64, width: f64, height: f64, placed: &[(PlacedLabel, f64, f64)]| {
        placed.iter().any(|(other, other_width, other_height)| {
            (x - other.x).abs() * 2.0 < width + other_width
                && (y - other.y).abs() * 2.0 < height + other_height
        })
    };
    for (area, text, x, y) in labels {
        let chars = text.chars().count() as f64;
        'sizes: for size in [LABEL_SIZE * scale, SMALL_LABEL_SIZE * scale] {
            let (width, height) = (chars * size * 0.6, size * 1.1);
            for shift in [0.0, 1.0, -1.0] {
                let shifted_y = y + shift * height;
                if !overlaps(*x, shifted_y, width, height, &placed) {
                    placed.push((
                        PlacedLabel {
                            area: (*area).to_owned(),
                            x: *x,
                            y: shifted_y,
                            size,
                        },
                        width,
                        height,
                    ));
                    break 'sizes;
                }
            }
        }
    }
    placed.into_iter().map(|(label, _, _)| label).collect()
}

/// What a saved map says about itself on the image.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageMeta {
    /// "SGB-II-Quote 2024".
    pub title: String,
    /// "in % · Ämter und amtsfreie Gemeinden".
    pub subtitle: String,
    /// "Quelle: … · Stand …".
    pub source: String,
    /// The boundaries' licence notice.
    pub attribution: String,
    pub link: String,
    pub inset_label: String,
}

/// The name as the map writes it: "Amt Elmshorn-Land" as "Elmshorn-Land", since the area kind
/// is in the legend and the space is small.
pub fn short_name(name: &str) -> &str {
    name.strip_prefix("Amt ").unwrap_or(name)
}

/// Text and halo colours of a label on `fill`: on the hatch and the grey dark text, on a class
/// colour whatever reads best (WCAG AA), the halo the opposite.
pub fn label_ink(fill: &str) -> (&'static str, &'static str) {
    let ink = if fill.starts_with('#') {
        fokus_map::text_colour_on(fill)
    } else {
        "#111111"
    };
    (
        ink,
        if ink == "#ffffff" {
            "#111111"
        } else {
            "#ffffff"
        },
    )
}

/// A map's labels as drawn: where, how large, in which colours, saying what.
#[derive(Debug, Clone, PartialEq)]
pub struct MapLabel<'a> {
    pub area: &'a str,
    pub text: &'a str,
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub ink: &'static str,
    pub halo: &'static str,
}

/// The labels of `layout` placed without overlap, coloured for their area's fill: one
/// computation for the screen and the saved image.
pub fn map_labels<'a>(
    layout: &'a fokus_map::MapLayout,
    painted: &Painted,
    scale: f64,
) -> Vec<MapLabel<'a>> {
    let inputs: Vec<(&str, &str, f64, f64)> = layout
        .shapes
        .iter()
        .map(|shape| {
            (
                shape.area.as_str(),
                short_name(&shape.name),
                shape.label.0,
                shape.label.1,
            )
        })
        .collect();
    place_labels(&inputs, scale)
        .into_iter()
        .filter_map(|label| {
            let shape = layout
                .shapes
                .iter()
                .find(|shape| shape.area == label.area)?;
            let fill = painted
                .fills
                .get(&shape.area)
                .map_or(GAP_COLOUR, String::as_str);
            let (ink, halo) = label_ink(fill);
            Some(MapLabel {
                area: &shape.area,
                text: short_name(&shape.name),
                x: label.x,
                y: label.y,
                size: label.size,
                ink,
                halo,
            })
        })
        .collect()
}

pub fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Splits `text` into lines that fit `max_width` at `font_size` (bold text averages about 0.6 em
/// a character), breaking between words; a word longer than a line stands alone.
pub fn wrap_lines(text: &str, font_size: f64, max_width: f64) -> Vec<String> {
    let max_chars = ((max_width / (font_size * 0.6)).floor() as usize).max(8);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let fits = current.chars().count() + 1 + word.chars().count() <= max_chars;
        if !current.is_empty() && !fits {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// Lines of SVG text from the baseline `y` down, `step` apart; `attributes` style each.
fn svg_lines(x: f64, y: f64, step: f64, lines: &[String], attributes: &str) -> String {
    lines
        .iter()
        .enumerate()
        .map(|(idx, line)| {
            format!(
                r##"<text x="{x}" y="{}" {attributes}>{}</text>"##,
                y + step * idx as f64,
                xml(line)
            )
        })
        .collect()
}

/// The heading of a saved image: the title (26 px, bold) and the subtitle (16 px), each wrapped
/// to `width`; returns the SVG and the height it takes from the top.
fn image_heading(meta: &ImageMeta, x: f64, width: f64) -> (String, f64) {
    let title = wrap_lines(&meta.title, 26.0, width);
    let subtitle = wrap_lines(&meta.subtitle, 16.0, width);
    let title_top = 36.0;
    let subtitle_top = title_top + 32.0 * (title.len() - 1) as f64 + 26.0;
    let mut svg = svg_lines(
        x,
        title_top,
        32.0,
        &title,
        r##"font-size="26" font-weight="700" fill="#111111""##,
    );
    svg.push_str(&svg_lines(
        x,
        subtitle_top,
        21.0,
        &subtitle,
        r##"font-size="16" fill="#4a5560""##,
    ));
    (
        svg,
        subtitle_top + 21.0 * (subtitle.len() - 1) as f64 + 16.0,
    )
}

/// The source lines under a saved image, wrapped; returns the SVG and the height they take.
fn image_footer(lines: &[&String], x: f64, top: f64, width: f64) -> (String, f64) {
    let mut svg = String::new();
    let mut y = top + 12.0;
    for line in lines.iter().filter(|line| !line.is_empty()) {
        let wrapped = wrap_lines(line, 13.0, width);
        svg.push_str(&svg_lines(
            x,
            y,
            17.0,
            &wrapped,
            r##"font-size="13" fill="#4a5560""##,
        ));
        y += 17.0 * wrapped.len() as f64 + 2.0;
    }
    (svg, y - top)
}

/// The map as a standalone SVG image: title, unit and year above, the areas with their names,
/// the legend with counts, and source, Stand, the geodata licence and the link below, so the
/// picture carries its citation wherever it is pasted.
pub fn map_svg(layout: &fokus_map::MapLayout, painted: &Painted, meta: &ImageMeta) -> String {
    const MARGIN: f64 = 24.0;
    const LEGEND_ROW: f64 = 26.0;
    let mut legend: Vec<(String, String)> = painted
        .classes
        .iter()
        .map(|class| {
            (
                class.colour.to_owned(),
                format!("{} ({})", class.text, class.count),
            )
        })
        .collect();
    if painted.suppressed > 0 {
        legend.push((
            suppressed_fill(),
            format!("geheim gehalten ({})", painted.suppressed),
        ));
    }
    if painted.missing > 0 {
        legend.push((
            GAP_COLOUR.to_owned(),
            format!("keine Daten ({})", painted.missing),
        ));
    }
    let width = layout.width + 2.0 * MARGIN;
    let (heading, heading_height) = image_heading(meta, MARGIN, width - 2.0 * MARGIN);
    let header = heading_height + 16.0;
    let legend_top = header + layout.height + 12.0;
    let footer_top = legend_top + LEGEND_ROW * legend.len() as f64 + 16.0;
    let (footer, footer_height) = image_footer(
        &[&meta.source, &meta.attribution, &meta.link],
        MARGIN,
        footer_top,
        width - 2.0 * MARGIN,
    );
    let height = footer_top + footer_height + 16.0;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="Atkinson Hyperlegible, DejaVu Sans, Arial, sans-serif">"##
    );
    svg.push_str(&format!(
        r##"<defs><pattern id="{SUPPRESSED_PATTERN}" patternUnits="userSpaceOnUse" width="8" height="8" patternTransform="rotate(45)"><rect width="8" height="8" fill="#ececec"/><line x1="0" y1="0" x2="0" y2="8" stroke="#6b6b6b" stroke-width="3"/></pattern></defs>"##
    ));
    svg.push_str(&format!(
        r##"<rect width="{width}" height="{height}" fill="#ffffff"/>"##
    ));
    svg.push_str(&heading);
    svg.push_str(&format!(
        r##"<g transform="translate({MARGIN} {header})">"##
    ));
    if let Some((x, y, frame_width, frame_height)) = layout.inset_frame {
        svg.push_str(&format!(
            r##"<rect x="{x}" y="{y}" width="{frame_width}" height="{frame_height}" fill="#eef3f8" stroke="#4a5560"/><text x="{}" y="{}" font-size="13" fill="#4a5560">{}</text>"##,
            x + 6.0,
            y + frame_height + 16.0,
            xml(&meta.inset_label)
        ));
    }
    for shape in &layout.shapes {
        let fill = painted
            .fills
            .get(&shape.area)
            .map_or(GAP_COLOUR, String::as_str);
        svg.push_str(&format!(
            r##"<path d="{}" fill="{}" stroke="#ffffff" stroke-width="1.5" data-area="{}"><title>{}</title></path>"##,
            shape.path,
            xml(fill),
            xml(&shape.area),
            xml(&shape.name)
        ));
    }
    for label in map_labels(layout, painted, 1.0) {
        svg.push_str(&format!(
            r##"<text x="{}" y="{}" font-size="{}" font-weight="700" text-anchor="middle" dominant-baseline="middle" fill="{}" stroke="{}" stroke-width="3.5" paint-order="stroke" stroke-linejoin="round">{}</text>"##,
            label.x,
            label.y,
            label.size,
            label.ink,
            label.halo,
            xml(label.text)
        ));
    }
    svg.push_str("</g>");
    for (idx, (fill, text)) in legend.iter().enumerate() {
        let y = legend_top + LEGEND_ROW * idx as f64;
        svg.push_str(&format!(
            r##"<rect x="{MARGIN}" y="{y}" width="20" height="20" fill="{}" stroke="#4a5560"/><text x="{}" y="{}" font-size="15" fill="#111111">{}</text>"##,
            xml(fill),
            MARGIN + 30.0,
            y + 15.0,
            xml(text)
        ));
    }
    svg.push_str(&footer);
    svg.push_str("</svg>");
    svg
}

/// Round axis steps (1, 2 or 5 times a power of ten) covering `min`..`max` in about five steps.
pub fn nice_ticks(min: f64, max: f64) -> Vec<f64> {
    if !min.is_finite() || !max.is_finite() {
        return Vec::new();
    }
    let (min, max) = if max > min {
        (min, max)
    } else {
        (min - 1.0, max + 1.0)
    };
    let rough = (max - min) / 5.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|factor| factor * power)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * power);
    let first = (min / step).floor() * step;
    // From the last round number at or below the minimum to the first at or above the maximum.
    let mut ticks = Vec::new();
    let mut tick_idx = 0.0;
    loop {
        let tick = ((first + step * tick_idx) / step).round() * step;
        ticks.push(tick);
        if tick >= max - step * 1e-9 {
            break ticks;
        }
        tick_idx += 1.0;
    }
}

/// The time series as a standalone SVG image: title and unit above, the lines with the same
/// colours and dashes as on screen, a legend, and source, Stand and link below.
pub fn series_svg(series: &fokus_model::AreaSeries, n_focus: usize, meta: &ImageMeta) -> String {
    use crate::components::series_chart::line_look;
    const WIDTH: f64 = 900.0;
    const PLOT_LEFT: f64 = 80.0;
    const PLOT_WIDTH: f64 = 780.0;
    const PLOT_HEIGHT: f64 = 340.0;
    let (heading, heading_height) = image_heading(meta, 24.0, WIDTH - 48.0);
    let plot_top = heading_height + 28.0;
    let legend_top = plot_top + PLOT_HEIGHT + 50.0;
    let footer_top = legend_top + 24.0 * series.lines.len() as f64 + 12.0;
    let (footer, footer_height) =
        image_footer(&[&meta.source, &meta.link], 24.0, footer_top, WIDTH - 48.0);
    let height = footer_top + footer_height + 16.0;
    let decimals = series.indicator.decimals;
    let values: Vec<f64> = series
        .lines
        .iter()
        .flat_map(|line| line.points.iter().filter_map(|(_, value)| *value))
        .collect();
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let ticks = nice_ticks(min, max);
    let (low, high) = match (ticks.first(), ticks.last()) {
        (Some(low), Some(high)) if high > low => (*low, *high),
        _ => (0.0, 1.0),
    };
    let x_of = |idx: usize| {
        let n = series.years.len().max(2) - 1;
        PLOT_LEFT + PLOT_WIDTH * idx as f64 / n as f64
    };
    let y_of = |value: f64| plot_top + PLOT_HEIGHT * (1.0 - (value - low) / (high - low));
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="Atkinson Hyperlegible, DejaVu Sans, Arial, sans-serif"><rect width="{WIDTH}" height="{height}" fill="#ffffff"/>"##
    );
    svg.push_str(&heading);
    for tick in &ticks {
        let y = y_of(*tick);
        svg.push_str(&format!(
            r##"<line x1="{PLOT_LEFT}" x2="{}" y1="{y}" y2="{y}" stroke="#d0d7de"/><text x="{}" y="{}" font-size="14" text-anchor="end" fill="#4a5560">{}</text>"##,
            PLOT_LEFT + PLOT_WIDTH,
            PLOT_LEFT - 8.0,
            y + 5.0,
            xml(&format::number(*tick, decimals))
        ));
    }
    for (idx, year) in series.years.iter().enumerate() {
        svg.push_str(&format!(
            r##"<text x="{}" y="{}" font-size="14" text-anchor="middle" fill="#4a5560">{year}</text>"##,
            x_of(idx),
            plot_top + PLOT_HEIGHT + 24.0
        ));
    }
    for (line_idx, line) in series.lines.iter().enumerate() {
        let (colour, style, width) = line_look(line_idx, n_focus, line.kind, false);
        let dash = match style {
            charming::element::LineStyleType::Dashed => r#" stroke-dasharray="10 6""#,
            charming::element::LineStyleType::Dotted => r#" stroke-dasharray="2 5""#,
            _ => "",
        };
        let mut path = String::new();
        let mut pen_down = false;
        for (idx, (_, value)) in line.points.iter().enumerate() {
            match value {
                Some(value) => {
                    path.push_str(&format!(
                        "{}{:.1},{:.1} ",
                        if pen_down { "L" } else { "M" },
                        x_of(idx),
                        y_of(*value)
                    ));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        svg.push_str(&format!(
            r##"<path d="{}" fill="none" stroke="{colour}" stroke-width="{width}"{dash} data-line="{}"/>"##,
            path.trim_end(),
            xml(&line.area)
        ));
        let y = legend_top + 24.0 * line_idx as f64;
        svg.push_str(&format!(
            r##"<line x1="24" x2="60" y1="{y}" y2="{y}" stroke="{colour}" stroke-width="{width}"{dash}/><text x="70" y="{}" font-size="15" fill="#111111">{}</text>"##,
            y + 5.0,
            xml(&line.name)
        ));
    }
    svg.push_str(&footer);
    svg.push_str("</svg>");
    svg
}

/// Lower case with umlauts and ß folded (`Ältere` and `aeltere` both become `aeltere`), so a
/// search works however a name is typed.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'é' | 'è' => out.push('e'),
            c => out.push(c),
        }
    }
    out
}

/// Whether every word of `query` occurs (as part of a word) in the indicator's name, short name,
/// Handlungsfeld, id, definition or synonyms.
pub fn matches(indicator: &Indicator, query: &str) -> bool {
    let haystack = fold(&format!(
        "{} {} {} {} {} {}",
        indicator.name,
        indicator.short_name,
        indicator.handlungsfeld,
        indicator.id,
        indicator.definition,
        indicator.synonyms.join(" ")
    ));
    fold(query)
        .split_whitespace()
        .all(|word| haystack.contains(word))
}

/// How a value stands against a reference, for the value card: the difference in words and
/// whether that is better (`None`: equal at the shown precision, or a neutral indicator).
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// "2,6 Prozentpunkte über Kreis Pinneberg", "gleich wie Schleswig-Holstein".
    pub words: String,
    pub better: Option<bool>,
}

/// `value` against `reference` (named `name`). Equal at the indicator's precision is "gleich
/// wie …" with no verdict; otherwise "günstiger" or "ungünstiger" follows the polarity.
pub fn compare(value: f64, reference: f64, name: &str, indicator: &Indicator) -> Comparison {
    let difference = value - reference;
    if difference.abs() < 0.5 * 10f64.powi(-i32::from(indicator.decimals)) {
        return Comparison {
            words: format!("gleich wie {name}"),
            better: None,
        };
    }
    let unit = if indicator.unit == "%" {
        "Prozentpunkte".to_owned()
    } else {
        indicator.unit.clone()
    };
    let side = if difference > 0.0 { "über" } else { "unter" };
    let better = match indicator.polarity {
        Polarity::HigherIsBetter => Some(difference > 0.0),
        Polarity::HigherIsWorse => Some(difference < 0.0),
        Polarity::Neutral => None,
    };
    Comparison {
        words: format!(
            "{} {unit} {side} {name}",
            format::number(difference.abs(), indicator.decimals)
        ),
        better,
    }
}

/// The verdict of a comparison as a word: colour alone must not carry it.
pub fn verdict_word(better: Option<bool>) -> Option<&'static str> {
    better.map(|better| if better { "günstiger" } else { "ungünstiger" })
}

/// Which way a series went: arrows mean direction only, never good or bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
    Same,
}

impl Direction {
    pub fn past_tense(self) -> &'static str {
        match self {
            Direction::Up => "gestiegen",
            Direction::Down => "gesunken",
            Direction::Same => "unverändert",
        }
    }
}

/// The trend of a row up to year index `upto`: from its first year with a value to `upto`.
/// `None` without a value at `upto` or without an earlier one.
pub fn trend(
    row: &TableRow,
    years: &[u16],
    upto: usize,
    decimals: u8,
) -> Option<(u16, f64, Direction)> {
    let last = row.cell(upto)?.value()?;
    let (first_idx, first) = (0..upto).find_map(|idx| Some((idx, row.cell(idx)?.value()?)))?;
    let step = 0.5 * 10f64.powi(-i32::from(decimals));
    let direction = if (last - first).abs() < step {
        Direction::Same
    } else if last > first {
        Direction::Up
    } else {
        Direction::Down
    };
    Some((*years.get(first_idx)?, first, direction))
}

/// The value card's one sentence: the difference to the home area with its verdict and the
/// trend, e.g. "2,6 Prozentpunkte über Kreis Pinneberg (ungünstiger); seit 2015 gesunken (von
/// 10,1 %)".
pub fn card_summary(table: &IndicatorTable, row: &TableRow, year_idx: usize) -> Option<String> {
    let indicator = &table.indicator;
    let value = row.cell(year_idx)?.value()?;
    let mut parts = Vec::new();
    if let Some(home) = table.references.first() {
        if let Some(reference) = home.cell(year_idx).and_then(Cell::value) {
            let comparison = compare(value, reference, &home.name, indicator);
            parts.push(match verdict_word(comparison.better) {
                Some(verdict) => format!("{} ({verdict})", comparison.words),
                None => comparison.words,
            });
        }
    }
    if let Some((first_year, first, direction)) =
        trend(row, &table.years, year_idx, indicator.decimals)
    {
        parts.push(match direction {
            Direction::Same => format!("seit {first_year} unverändert"),
            _ => format!(
                "seit {first_year} {} (von {})",
                direction.past_tense(),
                format::with_unit(&format::number(first, indicator.decimals), &indicator.unit)
            ),
        });
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// A sparkline's points ("x,y x,y …") for `values` in a `width` × `height` box, with `extra`
/// values (a reference) taken into the vertical scale; gaps are left out.
pub fn sparkline_points(values: &[Option<f64>], extra: &[f64], width: f64, height: f64) -> String {
    let known: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .chain(extra.iter().copied())
        .collect();
    let (Some(min), Some(max)) = (
        known.iter().copied().reduce(f64::min),
        known.iter().copied().reduce(f64::max),
    ) else {
        return String::new();
    };
    let span = (max - min).max(f64::EPSILON);
    let step = if values.len() > 1 {
        width / (values.len() - 1) as f64
    } else {
        0.0
    };
    values
        .iter()
        .enumerate()
        .filter_map(|(idx, value)| {
            let value = (*value)?;
            let y = height - (value - min) / span * height;
            Some(format!("{:.1},{:.1}", idx as f64 * step, y))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The y of `value` on the same scale as [`sparkline_points`].
pub fn sparkline_y(value: f64, values: &[Option<f64>], extra: &[f64], height: f64) -> Option<f64> {
    let known: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .chain(extra.iter().copied())
        .collect();
    let min = known.iter().copied().reduce(f64::min)?;
    let max = known.iter().copied().reduce(f64::max)?;
    Some(height - (value - min) / (max - min).max(f64::EPSILON) * height)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fokus_model::{AreaKind, ValueFlag};

    fn indicator(polarity: Polarity) -> Indicator {
        Indicator {
            id: "sgb2_quote".into(),
            name: "SGB-II-Quote".into(),
            short_name: "SGB II".into(),
            unit: "%".into(),
            decimals: 1,
            polarity,
            handlungsfeld: "Arbeit und Einkommen".into(),
            definition: "Anteil der Leistungsberechtigten; Ältere ausgenommen".into(),
            source: "Bundesagentur für Arbeit".into(),
            numerator: String::new(),
            denominator: String::new(),
            headline: true,
            min_cases: None,
            position: 0,
            retired: false,
            synonyms: vec!["Hartz IV".into(), "Bürgergeld".into()],
            notes: String::new(),
        }
    }

    fn row(area: &str, kind: AreaKind, cells: Vec<Option<Cell>>) -> TableRow {
        TableRow {
            area: area.into(),
            name: format!("Gebiet {area}"),
            kind,
            cells,
        }
    }

    fn table(polarity: Polarity) -> IndicatorTable {
        let value = |v: f64| Some(Cell::Value(v));
        IndicatorTable {
            indicator: indicator(polarity),
            level: Default::default(),
            years: vec![2024, 2025],
            areas: vec![
                row("a", AreaKind::Amt, vec![value(1.0), value(4.0)]),
                row("b", AreaKind::Amt, vec![value(2.0), value(8.0)]),
                row(
                    "c",
                    AreaKind::Amt,
                    vec![value(3.0), Some(Cell::Gap(Gap::Suppressed))],
                ),
                row("d", AreaKind::Amt, vec![value(4.0), None]),
                row(
                    "e",
                    AreaKind::Amt,
                    vec![
                        value(5.0),
                        Some(Cell::Flagged {
                            value: 8.0,
                            flag: ValueFlag::Provisional,
                        }),
                    ],
                ),
            ],
            references: vec![
                row("k", AreaKind::Kreis, vec![value(3.0), value(6.0)]),
                row("l", AreaKind::Land, vec![value(2.5), None]),
            ],
            stand: None,
        }
    }

    #[test]
    fn painting_counts_classes_and_tells_suppressed_from_missing() {
        let table = table(Polarity::HigherIsWorse);
        let painted = paint(&table, 2025, &ExplorerView::new());
        assert_eq!(
            (painted.missing, painted.suppressed),
            (1, 1),
            "d has no data, c is suppressed"
        );
        assert_eq!(
            painted.fills["c"],
            suppressed_fill(),
            "suppressed is hatched"
        );
        assert_eq!(painted.fills["d"], GAP_COLOUR, "missing is grey");
        let counted: usize = painted.classes.iter().map(|class| class.count).sum();
        assert_eq!(counted, 3, "every area with a value is counted once");
        let diverging = paint(
            &table,
            2025,
            &ExplorerView {
                diverging: Some(Reference::Home),
                ..ExplorerView::new()
            },
        );
        assert_eq!(
            diverging.centre,
            Some(("Gebiet k".into(), 6.0)),
            "centred on the Kreis"
        );
        assert_eq!(diverging.classes.len(), 6, "three classes a side");
        assert_ne!(
            diverging.fills["a"], diverging.fills["b"],
            "below and above differ"
        );
        let no_centre = paint(
            &table,
            2025,
            &ExplorerView {
                diverging: Some(Reference::Land),
                ..ExplorerView::new()
            },
        );
        assert_eq!(
            no_centre.centre, None,
            "the Land has no 2025 value: plain classes"
        );
    }

    #[test]
    fn ranking_puts_the_best_first_by_polarity_and_shares_ties() {
        let worse = table(Polarity::HigherIsWorse);
        let ranked: Vec<(usize, &str)> = ranking(&worse, 2025)
            .iter()
            .map(|(rank, row, _)| (*rank, row.area.as_str()))
            .collect();
        assert_eq!(
            ranked,
            [(1, "a"), (2, "b"), (2, "e")],
            "lowest first; equal values share a rank"
        );
        let better = table(Polarity::HigherIsBetter);
        assert_eq!(ranking(&better, 2025)[0].1.area, "b", "highest first");
    }

    #[test]
    fn csv_opens_in_excel_with_metadata_and_german_numbers() {
        let meta = ExportMeta {
            publisher: "Kreis Pinneberg".into(),
            stand: "14.10.2025".into(),
            licence: "dl-de/by-2-0".into(),
            link: "https://fokus.example/?kennzahl=sgb2_quote".into(),
            retrieved: "27.11.2026".into(),
        };
        let csv = table_csv(&table(Polarity::HigherIsWorse), &meta);
        assert!(csv.starts_with('\u{feff}'), "a BOM, so Excel reads UTF-8");
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "Kennzahl;SGB-II-Quote");
        assert!(
            csv.contains("Link;https://fokus.example/?kennzahl=sgb2_quote"),
            "the deep link"
        );
        assert!(csv.contains("Datenstand;14.10.2025"));
        let header = lines
            .iter()
            .position(|line| line.starts_with("Gebiet;"))
            .unwrap();
        assert_eq!(lines[header], "Gebiet;Schlüssel;Ebene;2024;2025");
        assert_eq!(
            lines[header + 3],
            "Gebiet c;c;Amt;3,0;geheim",
            "suppressed is named"
        );
        assert_eq!(lines[header + 4], "Gebiet d;d;Amt;4,0;", "a gap is empty");
        assert_eq!(
            lines[header + 5],
            "Gebiet e;e;Amt;5,0;8,0 p",
            "a flag keeps its letter"
        );
        assert_eq!(
            lines[header + 6],
            "Gebiet k;k;Kreis;3,0;6,0",
            "references follow the areas"
        );
    }

    #[test]
    fn synced_text_in_the_csv_cannot_become_a_formula() {
        let meta = ExportMeta {
            publisher: "Kreis".into(),
            stand: "14.10.2025".into(),
            licence: "dl-de/by-2-0".into(),
            link: "https://fokus.example/".into(),
            retrieved: "27.11.2026".into(),
        };
        let mut hostile = table(Polarity::HigherIsWorse);
        hostile.indicator.name = "=HYPERLINK(\"https://example.org\";\"Quote\")".into();
        hostile.indicator.source = "@SUM(A1:A9)".into();
        hostile.areas[0].name = "-2+3+cmd|' /C calc'!A0".into();
        let csv = table_csv(&hostile, &meta);
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(
            lines[0],
            "Kennzahl;\"'=HYPERLINK(\"\"https://example.org\"\";\"\"Quote\"\")\""
        );
        assert!(lines.contains(&"Quelle;'@SUM(A1:A9)"), "{lines:?}");
        assert!(
            lines.contains(&"'-2+3+cmd|' /C calc'!A0;a;Amt;1,0;4,0"),
            "{lines:?}"
        );
    }

    #[test]
    fn the_view_csv_holds_exactly_what_the_view_shows() {
        let meta = ExportMeta {
            publisher: "Kreis".into(),
            stand: "14.10.2025".into(),
            licence: "dl-de/by-2-0".into(),
            link: "https://fokus.example/".into(),
            retrieved: "27.11.2026".into(),
        };
        let table = table(Polarity::HigherIsWorse);
        let body = |csv: &str| -> Vec<String> {
            let lines: Vec<&str> = csv
                .trim_start_matches('\u{feff}')
                .trim_end()
                .split("\r\n")
                .collect();
            let header = lines
                .iter()
                .position(|line| line.starts_with("Gebiet;") || line.starts_with("Rang;"))
                .expect("a header line");
            lines[header..]
                .iter()
                .map(|line| (*line).to_owned())
                .collect()
        };
        let mut view = ExplorerView::new();
        view.tab = Tab::Zeitreihe;
        view.areas = vec!["b".into(), "a".into()];
        assert_eq!(
            body(&view_csv(&table, &view, 2025, &meta)),
            [
                "Gebiet;Schlüssel;Ebene;2024;2025",
                "Gebiet b;b;Amt;2,0;8,0",
                "Gebiet a;a;Amt;1,0;4,0",
                "Gebiet k;k;Kreis;3,0;6,0",
                "Gebiet l;l;Land;2,5;",
            ],
            "the chosen areas in their order, then the references, every year"
        );
        view.tab = Tab::Karte;
        let map = body(&view_csv(&table, &view, 2024, &meta));
        assert_eq!(map[0], "Gebiet;Schlüssel;Ebene;2024", "the map's one year");
        assert_eq!(
            map.len(),
            1 + table.areas.len() + table.references.len(),
            "every area of the map"
        );
        view.tab = Tab::Rangfolge;
        let ranked = body(&view_csv(&table, &view, 2025, &meta));
        assert_eq!(ranked[0], "Rang;Gebiet;Schlüssel;Ebene;2025");
        assert_eq!(
            ranked[1], "1;Gebiet a;a;Amt;4,0",
            "lowest first where higher is worse"
        );
        assert!(
            ranked.iter().any(|line| line == ";Gebiet c;c;Amt;geheim"),
            "unranked areas follow without a rank: {ranked:?}"
        );
        view.tab = Tab::Tabelle;
        assert_eq!(
            view_csv(&table, &view, 2025, &meta),
            table_csv(&table, &meta),
            "the table view is the whole table"
        );
    }

    #[test]
    fn labels_do_not_overlap_and_move_before_they_shrink() {
        let placed = place_labels(
            &[
                ("a", "Pinneberg", 100.0, 100.0),
                ("b", "Rellingen", 110.0, 102.0),
                ("c", "Wedel", 400.0, 100.0),
            ],
            1.0,
        );
        let b = placed
            .iter()
            .find(|label| label.area == "b")
            .expect("b fits a line lower");
        assert!((b.y - 102.0).abs() > 10.0, "b moved off a's line: {b:?}");
        assert_eq!(b.size, LABEL_SIZE, "moving comes before shrinking");
        assert!(
            placed
                .iter()
                .any(|label| label.area == "c" && label.y == 100.0),
            "c is free where it is"
        );
        let crowded: Vec<(String, f64)> = (0..8)
            .map(|idx| (format!("x{idx}"), f64::from(idx)))
            .collect();
        let crowded: Vec<(&str, &str, f64, f64)> = crowded
            .iter()
            .map(|(area, offset)| (area.as_str(), "Gemeindename", 100.0 + offset, 100.0))
            .collect();
        assert!(
            place_labels(&crowded, 1.0).len() < 8,
            "what fits nowhere is left out"
        );
        let twice = place_labels(&[("a", "Pinneberg", 100.0, 100.0)], 2.0);
        assert_eq!(
            twice[0].size,
            2.0 * LABEL_SIZE,
            "200 % text, labels twice as large"
        );
        let names: Vec<String> = (0..9).map(|idx| format!("g{idx}")).collect();
        let grid: Vec<(&str, &str, f64, f64)> = names
            .iter()
            .enumerate()
            .map(|(idx, area)| {
                let (column, row) = ((idx % 3) as f64, (idx / 3) as f64);
                (
                    area.as_str(),
                    "Gemeinde",
                    100.0 + 90.0 * column,
                    100.0 + 40.0 * row,
                )
            })
            .collect();
        assert_eq!(
            place_labels(&grid, 1.0).len(),
            9,
            "at 100 % all nine fit where they are"
        );
        assert!(
            place_labels(&grid, 2.0).len() < 9,
            "larger labels collide sooner, so fewer of them fit"
        );
    }

    #[test]
    fn the_saved_map_carries_title_legend_source_and_licence() {
        let table = table(Polarity::HigherIsWorse);
        let painted = paint(&table, 2025, &ExplorerView::new());
        let shape = |area: &str, x: f64| fokus_map::MapShape {
            area: area.into(),
            name: format!("Amt {area}"),
            path: format!("M{x},10L{},10L{},60Z", x + 50.0, x + 25.0),
            label: (x + 25.0, 30.0),
            clearance: 20.0,
            in_inset: false,
        };
        let layout = fokus_map::MapLayout {
            width: 400.0,
            height: 100.0,
            shapes: vec![shape("a", 0.0), shape("c", 100.0), shape("d", 200.0)],
            inset_frame: None,
        };
        let meta = ImageMeta {
            title: "SGB-II-Quote 2025".into(),
            subtitle: "in %".into(),
            source: "Quelle: Bundesagentur für Arbeit <BA>".into(),
            attribution: "© GeoBasis-DE / BKG 2021 (Daten verändert)".into(),
            link: "https://fokus.example/?kennzahl=sgb2_quote&jahr=2025".into(),
            inset_label: String::new(),
        };
        let svg = map_svg(&layout, &painted, &meta);
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "a standalone SVG"
        );
        for text in [
            "SGB-II-Quote 2025",
            "GeoBasis-DE",
            "&lt;BA&gt;",
            "kennzahl=sgb2_quote&amp;jahr=2025",
            "geheim gehalten (1)",
            "keine Daten (1)",
            ">a</text>",
        ] {
            assert!(svg.contains(text), "{text} in the image");
        }
        assert_eq!(svg.matches("<path ").count(), 3, "every area");
        assert!(
            svg.contains(&format!("fill=\"url(#{SUPPRESSED_PATTERN})\"")),
            "the hatch, defined in the file"
        );
    }

    #[test]
    fn chart_images_have_round_ticks_every_line_and_the_source() {
        assert_eq!(
            nice_ticks(21.3, 25.7),
            vec![21.0, 22.0, 23.0, 24.0, 25.0, 26.0],
            "steps of 1"
        );
        assert_eq!(
            nice_ticks(0.0, 180.0),
            vec![0.0, 50.0, 100.0, 150.0, 200.0],
            "steps of 50"
        );
        assert_eq!(
            nice_ticks(5.0, 10.9),
            vec![4.0, 6.0, 8.0, 10.0, 12.0],
            "the top value under the top tick"
        );
        let series = fokus_model::AreaSeries {
            indicator: indicator(Polarity::HigherIsWorse),
            years: vec![2024, 2025],
            lines: vec![
                fokus_model::SeriesLine {
                    area: "a".into(),
                    name: "Gebiet a".into(),
                    kind: AreaKind::Amt,
                    points: vec![(2024, Some(1.0)), (2025, None)],
                },
                fokus_model::SeriesLine {
                    area: "l".into(),
                    name: "Land".into(),
                    kind: AreaKind::Land,
                    points: vec![(2024, Some(2.0)), (2025, Some(3.0))],
                },
            ],
        };
        let meta = ImageMeta {
            title: "SGB-II-Quote".into(),
            subtitle: "in %".into(),
            source: "Quelle: BA".into(),
            attribution: String::new(),
            link: "fokus://sozialbericht?kennzahl=sgb2_quote".into(),
            inset_label: String::new(),
        };
        let svg = series_svg(&series, 1, &meta);
        assert_eq!(svg.matches("data-line=").count(), 2, "a path per line");
        assert!(
            svg.contains("stroke-dasharray=\"10 6\""),
            "the Land dashed, as on screen"
        );
        for text in [
            "SGB-II-Quote",
            "Gebiet a",
            "Quelle: BA",
            "fokus://sozialbericht?kennzahl=sgb2_quote",
            ">2025<",
            ">1,0<",
        ] {
            assert!(svg.contains(text), "{text} in the image");
        }
    }

    #[test]
    fn search_folds_umlauts_case_and_partial_words() {
        let indicator = indicator(Polarity::HigherIsWorse);
        for (query, expected) in [
            ("sgb", true),
            ("Arbeit", true),
            ("arbeit einkommen", true),
            ("Ältere", true),
            ("aeltere", true),
            ("älter", true),
            ("pflege", false),
            ("hartz", true),
            ("buergergeld", true),
        ] {
            assert_eq!(matches(&indicator, query), expected, "{query}");
        }
    }

    #[test]
    fn comparisons_say_equal_without_a_verdict_and_otherwise_follow_the_polarity() {
        let worse_when_high = indicator(Polarity::HigherIsWorse);
        let cases = [
            (9.2, 6.6, "2,6 Prozentpunkte über Kreis", Some(false)),
            (5.0, 6.6, "1,6 Prozentpunkte unter Kreis", Some(true)),
            (6.64, 6.6, "gleich wie Kreis", None),
        ];
        for (value, reference, words, better) in cases {
            let comparison = compare(value, reference, "Kreis", &worse_when_high);
            assert_eq!(comparison.words, words, "{value} against {reference}");
            assert_eq!(
                comparison.better, better,
                "{value} against {reference}: the verdict"
            );
        }
        let neutral = compare(9.2, 6.6, "Kreis", &indicator(Polarity::Neutral));
        assert_eq!(
            neutral.better, None,
            "a neutral indicator is never better or worse"
        );
        assert_eq!(verdict_word(Some(false)), Some("ungünstiger"));
        assert_eq!(verdict_word(None), None, "equal values get no verdict word");
    }

    #[test]
    fn the_card_sentence_names_the_home_difference_and_the_trend() {
        let value = |v: f64| Some(Cell::Value(v));
        let mut table = table(Polarity::HigherIsWorse);
        table.years = vec![2015, 2020, 2025];
        table.areas = vec![
            row(
                "falling",
                AreaKind::Amt,
                vec![value(10.1), value(9.9), value(9.2)],
            ),
            row("flat", AreaKind::Amt, vec![None, value(7.0), value(7.04)]),
            row("single", AreaKind::Amt, vec![None, None, value(7.0)]),
            row("none", AreaKind::Amt, vec![value(1.0), value(2.0), None]),
        ];
        table.references = vec![TableRow {
            area: "kreis".into(),
            name: "Kreis Pinneberg".into(),
            kind: AreaKind::Kreis,
            cells: vec![value(7.0), value(6.8), value(6.6)],
        }];
        let summary = |idx: usize| card_summary(&table, &table.areas[idx], 2);
        assert_eq!(
            summary(0).as_deref(),
            Some("2,6 Prozentpunkte über Kreis Pinneberg (ungünstiger); seit 2015 gesunken (von 10,1 %)"),
            "difference to the Kreis with its verdict, then the trend from the first year"
        );
        assert_eq!(
            summary(1).as_deref(),
            Some("0,4 Prozentpunkte über Kreis Pinneberg (ungünstiger); seit 2020 unverändert"),
            "the trend starts at the first year with a value; 7,0 to 7,04 is no change at one decimal"
        );
        assert_eq!(
            summary(2).as_deref(),
            Some("0,4 Prozentpunkte über Kreis Pinneberg (ungünstiger)"),
            "a single year has no trend"
        );
        assert_eq!(summary(3), None, "no value in the year, no sentence");
    }

    #[test]
    fn sparklines_scale_to_their_box_and_skip_gaps() {
        let points = sparkline_points(&[Some(1.0), None, Some(3.0)], &[2.0], 100.0, 20.0);
        assert_eq!(
            points, "0.0,20.0 100.0,0.0",
            "the gap is left out, min at the bottom, max at the top"
        );
        assert_eq!(
            sparkline_y(2.0, &[Some(1.0), Some(3.0)], &[], 20.0),
            Some(10.0)
        );
        assert_eq!(
            sparkline_points(&[None, None], &[], 100.0, 20.0),
            "",
            "nothing to draw"
        );
    }

    #[test]
    fn image_titles_wrap_between_words_to_the_width() {
        let title = "Grundsicherung im Alter und bei Erwerbsminderung (SGB XII, netto): Elmshorn, Pinneberg, Wedel im Vergleich";
        let lines = wrap_lines(title, 26.0, 400.0);
        assert!(
            lines.len() > 1,
            "a long title takes several lines: {lines:?}"
        );
        assert_eq!(lines.join(" "), title, "nothing lost, words kept whole");
        for line in &lines {
            assert!(
                line.chars().count() as f64 * 26.0 * 0.6 <= 400.0 || !line.contains(' '),
                "each line fits, or is one word too long to break: {line}"
            );
        }
        assert_eq!(
            wrap_lines("SGB-II-Quote 2025", 26.0, 800.0),
            ["SGB-II-Quote 2025"]
        );
        assert_eq!(
            wrap_lines("", 26.0, 800.0),
            [""],
            "an empty line stays one line"
        );
    }
}
