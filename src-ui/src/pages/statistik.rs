//! Demography (a population pyramid per area and year with a comparison outline, the age
//! structure over time with its projection, births, deaths and moves, the areas compared on a
//! map) and the Kreis's Sozialausgaben (by field over the years, in euros and per inhabitant,
//! one year as a treemap). Every chart names its source and Stand, carries its numbers as a
//! table and exports as PNG, SVG and CSV; the view lives in the address.

use charming::component::{Axis, Grid};
use charming::datatype::{CompositeValue, DataPoint};
use charming::element::{
    AreaStyle, AxisType, ItemStyle, Label, LineStyle, LineStyleType, MarkArea, MarkAreaData, Step,
};
use charming::series::{Bar, Line};
use charming::Chart;
use fokus_model::api::{AgeStructureQuery, PopulationQuery};
use fokus_model::finance::{treemap, FieldYear, SpendingOverview};
use fokus_model::ipc::{AgeStructureGet, CatalogGet, NoArgs, PopulationGet, SpendingGet};
use fokus_model::news::Page;
use fokus_model::population::{
    age_group_label, broad_group_label, AgeStructure, PopulationPyramid, BROAD_GROUPS,
};
use leptos::prelude::*;

use crate::app::{use_address_keys, use_app};
use crate::beschluss::key_value;
use crate::components::chart::{frame, labels, NumberStyle, ValueAxis};
use crate::components::figure::{DataTable, ExportBar, Figure, FigureAbout, FigureTable, Picture};
use crate::components::scroll_table::ScrollTable;
use crate::components::year_controls::{year_label, YearControls};
use crate::format;

const FEMALE: &str = "#b45309";
const MALE: &str = "#0b4f8a";
/// On the dark page: light enough for 3:1 against its cards.
const FEMALE_DARK: &str = "#f0a050";
const MALE_DARK: &str = "#8cc4ff";
/// The comparison outline: dark on the light page, light on the dark one.
const OUTLINE: &str = "#111111";
const OUTLINE_DARK: &str = "#f5f5f5";
/// Eight fields, colour-blind-safe (Okabe–Ito, then two greys).
const FIELD_COLOURS: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#5b6770", "#999999",
];
/// The same fields on the dark page (the dark blue and grey lightened).
const FIELD_COLOURS_DARK: [&str; 8] = [
    "#56a0e0", "#e69f00", "#00b386", "#cc79a7", "#8fd3ff", "#ff8c42", "#b8c1cc", "#e0e0e0",
];

fn field_colours(dark: bool) -> [&'static str; 8] {
    if dark {
        FIELD_COLOURS_DARK
    } else {
        FIELD_COLOURS
    }
}

/// Years on a value axis, so five-year steps of a projection keep their true width.
fn year_axis(years: &[u16]) -> Axis {
    Axis::new()
        .type_(AxisType::Value)
        .min(f64::from(years.first().copied().unwrap_or_default()))
        .max(f64::from(years.last().copied().unwrap_or_default()))
        .min_interval(1)
        .axis_label(labels(14))
}

/// Values for ECharts; a missing one (`-`) leaves a gap.
fn gap_points(values: &[Option<f64>]) -> Vec<DataPoint> {
    values
        .iter()
        .map(|value| DataPoint::Value(gap_value(*value)))
        .collect()
}

fn gap_value(value: Option<f64>) -> CompositeValue {
    match value {
        Some(value) => CompositeValue::from(value),
        None => CompositeValue::from("-"),
    }
}

/// `[year, value]` points; a missing value leaves a gap.
fn year_points(years: &[u16], values: impl Iterator<Item = Option<f64>>) -> Vec<DataPoint> {
    years
        .iter()
        .zip(values)
        .map(|(year, value)| {
            DataPoint::Value(CompositeValue::from(vec![
                CompositeValue::from(f64::from(*year)),
                gap_value(value),
            ]))
        })
        .collect()
}

/// The shaded band over the projection's years, named on the chart itself.
fn projection_band(years: &[u16], projected: &[u16]) -> Option<MarkArea> {
    let first = years.iter().find(|year| projected.contains(year))?;
    let last = years.last()?;
    Some(
        MarkArea::new()
            .silent(true)
            .label(Label::new().show(true).formatter("Prognose").font_size(14))
            .item_style(ItemStyle::new().color("rgba(128,128,128,0.16)"))
            .data(vec![(
                MarkAreaData::new().x_axis(first.to_string()),
                MarkAreaData::new().x_axis(last.to_string()),
            )]),
    )
}

/// How the pyramid counts: people, or percent of the area's inhabitants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    People,
    Shares,
}

/// One pyramid's bars in `measure`: `(age_from, female, male)`. A comparison in people is
/// scaled to `scale_to` inhabitants, so its outline shows the shape, not the size.
fn pyramid_values(
    pyramid: &PopulationPyramid,
    measure: Measure,
    scale_to: u64,
) -> Vec<(u8, f64, f64)> {
    let total = pyramid.total().max(1) as f64;
    let factor = match measure {
        Measure::Shares => 100.0 / total,
        Measure::People => scale_to as f64 / total,
    };
    pyramid
        .groups
        .iter()
        .map(|(age_from, female, male)| (*age_from, *female as f64 * factor, *male as f64 * factor))
        .collect()
}

fn pyramid_chart(
    pyramid: &PopulationPyramid,
    comparison: Option<&PopulationPyramid>,
    measure: Measure,
    dark: bool,
) -> Chart {
    let (male, female, outline) = if dark {
        (MALE_DARK, FEMALE_DARK, OUTLINE_DARK)
    } else {
        (MALE, FEMALE, OUTLINE)
    };
    let shown = pyramid_values(pyramid, measure, pyramid.total());
    let age_groups: Vec<String> = shown
        .iter()
        .map(|(age_from, _, _)| age_group_label(*age_from))
        .collect();
    // Men to the left: negative values, shown without sign.
    let mut chart = frame(Grid::new().left(72).right(24).top(56).bottom(40), 16)
        .y_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(age_groups)
                .axis_label(labels(14)),
        )
        .x_axis(Axis::new().type_(AxisType::Value).axis_label(labels(14)))
        .series(
            Bar::new()
                .name("männlich")
                .stack("pyramide")
                .data(shown.iter().map(|(_, _, male)| -male).collect::<Vec<f64>>())
                .item_style(ItemStyle::new().color(male)),
        )
        .series(
            Bar::new()
                .name("weiblich")
                .stack("pyramide")
                .data(
                    shown
                        .iter()
                        .map(|(_, female, _)| *female)
                        .collect::<Vec<f64>>(),
                )
                .item_style(ItemStyle::new().color(female)),
        );
    if let Some(comparison) = comparison.filter(|comparison| !comparison.groups.is_empty()) {
        let values = pyramid_values(comparison, measure, pyramid.total());
        // Both sides under one name, so the legend switches the outline as a whole.
        let name = comparison.name.clone();
        for side in [false, true] {
            let data: Vec<f64> = values
                .iter()
                .map(|(_, female, male)| if side { *female } else { -male })
                .collect();
            chart = chart.series(
                Line::new()
                    .name(name.clone())
                    .data(data)
                    .step(Step::Middle)
                    .show_symbol(false)
                    .z(5)
                    .item_style(ItemStyle::new().color(outline))
                    .line_style(LineStyle::new().width(2).color(outline)),
            );
        }
    }
    chart
}

/// The broad age groups over the years as stacked areas, the projection shaded.
fn age_structure_chart(structure: &AgeStructure, dark: bool) -> Chart {
    let colours = field_colours(dark);
    // Categories, not a year scale: ECharts stacks areas only along a category axis. The hint
    // above the chart says that the projection's years are five-year steps.
    let years: Vec<String> = structure.years.iter().map(u16::to_string).collect();
    let mut chart = frame(Grid::new().left(80).right(24).top(88).bottom(40), 14)
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .boundary_gap(false)
                .data(years)
                .axis_label(labels(14)),
        )
        .y_axis(Axis::new().type_(AxisType::Value).axis_label(labels(14)));
    for (idx, ((group, counts), colour)) in BROAD_GROUPS
        .iter()
        .zip(&structure.groups)
        .zip(colours.iter().cycle())
        .enumerate()
    {
        let values: Vec<f64> = counts.iter().map(|count| *count as f64).collect();
        let mut line = Line::new()
            .name(broad_group_label(*group))
            .stack("alter")
            .show_symbol(false)
            .data(values)
            .item_style(ItemStyle::new().color(*colour))
            .area_style(AreaStyle::new().color(*colour).opacity(0.85));
        if idx == 0 {
            if let Some(band) = projection_band(&structure.years, &structure.projected) {
                line = line.mark_area(band);
            }
        }
        chart = chart.series(line);
    }
    chart
}

/// The youth and old-age dependency ratios over the years, the projection shaded.
fn ratio_chart(structure: &AgeStructure, dark: bool) -> Chart {
    let colours = field_colours(dark);
    let (young, old) = (colours[0], colours[5]);
    let mut youth = Line::new()
        .name("Jugendquotient")
        .data(year_points(
            &structure.years,
            structure.youth_ratio.iter().copied(),
        ))
        .item_style(ItemStyle::new().color(young))
        .line_style(LineStyle::new().width(3));
    if let Some(band) = projection_band(&structure.years, &structure.projected) {
        youth = youth.mark_area(band);
    }
    frame(Grid::new().left(64).right(24).top(56).bottom(40), 14)
        .x_axis(year_axis(&structure.years))
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .name("je 100")
                .scale(true)
                .axis_label(labels(14)),
        )
        .series(youth)
        .series(
            Line::new()
                .name("Altenquotient")
                .data(year_points(
                    &structure.years,
                    structure.old_age_ratio.iter().copied(),
                ))
                .item_style(ItemStyle::new().color(old))
                .line_style(LineStyle::new().width(3).type_(LineStyleType::Dashed)),
        )
}

/// Births, deaths and moves per 1,000 inhabitants of the year: the natural and the migratory
/// balance as bars (stacked, so together they are the change), births and deaths as lines.
struct MovementRates {
    years: Vec<u16>,
    births: Vec<Option<f64>>,
    deaths: Vec<Option<f64>>,
    natural: Vec<Option<f64>>,
    migration: Vec<Option<f64>>,
}

fn movement_rates(structure: &AgeStructure) -> MovementRates {
    let inhabitants = |year: u16| -> Option<f64> {
        let idx = structure.years.iter().position(|known| *known == year)?;
        let total: u64 = structure.groups.iter().map(|group| group[idx]).sum();
        (total > 0).then_some(total as f64)
    };
    let per_1000 =
        |count: i64, year: u16| inhabitants(year).map(|people| count as f64 * 1000.0 / people);
    let movement = &structure.movement;
    MovementRates {
        years: movement.iter().map(|row| row.year).collect(),
        births: movement
            .iter()
            .map(|row| per_1000(row.births as i64, row.year))
            .collect(),
        deaths: movement
            .iter()
            .map(|row| per_1000(row.deaths as i64, row.year))
            .collect(),
        natural: movement
            .iter()
            .map(|row| per_1000(row.natural(), row.year))
            .collect(),
        migration: movement
            .iter()
            .map(|row| per_1000(row.migration(), row.year))
            .collect(),
    }
}

fn movement_chart(rates: &MovementRates, dark: bool) -> Chart {
    let colours = field_colours(dark);
    let points = gap_points;
    let years: Vec<String> = rates.years.iter().map(u16::to_string).collect();
    frame(Grid::new().left(64).right(24).top(88).bottom(40), 14)
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(years)
                .axis_label(labels(14)),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .name("je 1.000 Einwohner")
                .axis_label(labels(14)),
        )
        .series(
            Bar::new()
                .name("Natürlicher Saldo")
                .stack("saldo")
                .data(points(&rates.natural))
                .item_style(ItemStyle::new().color(colours[5])),
        )
        .series(
            Bar::new()
                .name("Wanderungssaldo")
                .stack("saldo")
                .data(points(&rates.migration))
                .item_style(ItemStyle::new().color(colours[0])),
        )
        .series(
            Line::new()
                .name("Geburten")
                .data(points(&rates.births))
                .item_style(ItemStyle::new().color(colours[2]))
                .line_style(LineStyle::new().width(3)),
        )
        .series(
            Line::new()
                .name("Sterbefälle")
                .data(points(&rates.deaths))
                .item_style(ItemStyle::new().color(colours[6]))
                .line_style(LineStyle::new().width(3).type_(LineStyleType::Dashed)),
        )
}

/// A signed whole number the German way: `+1.500`, `−860`.
fn signed(value: i64) -> String {
    let sign = if value > 0 {
        "+"
    } else if value < 0 {
        "−"
    } else {
        ""
    };
    format!("{sign}{}", format::number(value.unsigned_abs() as f64, 0))
}

fn signed_rate(value: Option<f64>) -> String {
    value.map_or_else(
        || "–".to_owned(),
        |value| {
            let sign = if value > 0.0 {
                "+"
            } else if value < 0.0 {
                "−"
            } else {
                ""
            };
            format!("{sign}{}", format::number(value.abs(), 1))
        },
    )
}

/// The population figures' source and Stand, as every Demografie chart names them.
fn population_about(title: String, stand: Option<i64>, stem: String) -> FigureAbout {
    let dataset = use_app().dataset.get_untracked();
    let mut source = dataset
        .as_ref()
        .map(|dataset| dataset.population_attribution.clone())
        .unwrap_or_default();
    if dataset.as_ref().is_some_and(|dataset| dataset.demo) {
        source = if source.is_empty() {
            "Demodaten".to_owned()
        } else {
            format!("Demodaten, ausgerichtet an: {source}")
        };
    }
    FigureAbout {
        title,
        source,
        stand,
        stem,
    }
}

/// How an area's age structure changed and will change: the broad groups over the years, the
/// dependency ratios, and births, deaths and moves, each chart with its table and exports.
#[component]
fn AgeStructureSection(area: Signal<String>) -> impl IntoView {
    let app = use_app();
    let structure = LocalResource::new(move || {
        app.data_version.track();
        let area = area.get();
        async move {
            if area.is_empty() {
                return None;
            }
            Some(
                app.backend
                    .call::<AgeStructureGet>(AgeStructureQuery { area })
                    .await,
            )
        }
    });
    move || match structure.get().flatten() {
        None => ().into_any(),
        Some(Err(error)) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
        Some(Ok(structure)) if structure.years.len() < 2 => ().into_any(),
        Some(Ok(structure)) => {
            let first = structure.years.first().copied().unwrap_or_default();
            let counted: Vec<u16> = structure
                .years
                .iter()
                .copied()
                .filter(|year| !structure.projected.contains(year))
                .collect();
            let last_counted = counted.last().copied().unwrap_or_default();
            let projected_to = structure.projected.last().copied();
            let span = match projected_to {
                Some(to) => format!("{first}–{last_counted}, Prognose bis {to}"),
                None => format!("{first}–{last_counted}"),
            };
            let label = |year: u16| year_label(year, &structure.projected);
            let mut group_header = vec!["Jahr".to_owned()];
            group_header.extend(BROAD_GROUPS.iter().map(|group| broad_group_label(*group)));
            let group_table = DataTable {
                caption: "Altersgruppen".into(),
                header: group_header,
                rows: structure
                    .years
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(year_idx, year)| {
                        let cells = structure
                            .groups
                            .iter()
                            .map(|group| format::number(group[year_idx] as f64, 0))
                            .collect();
                        (label(*year), cells)
                    })
                    .collect(),
            };
            let ratio_text = |ratio: Option<f64>| {
                ratio.map_or_else(|| "–".to_owned(), |ratio| format::number(ratio, 1))
            };
            let ratio_table = DataTable {
                caption: "Quotienten".into(),
                header: vec![
                    "Jahr".into(),
                    "Jugendquotient".into(),
                    "Altenquotient".into(),
                ],
                rows: structure
                    .years
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(year_idx, year)| {
                        (
                            label(*year),
                            vec![
                                ratio_text(structure.youth_ratio[year_idx]),
                                ratio_text(structure.old_age_ratio[year_idx]),
                            ],
                        )
                    })
                    .collect(),
            };
            let old_of = |year: u16| {
                structure
                    .years
                    .iter()
                    .position(|known| *known == year)
                    .and_then(|idx| structure.old_age_ratio[idx])
            };
            let ratio_headline = match (old_of(first), old_of(last_counted)) {
                (Some(first_old), Some(latest_old)) => format!(
                    "Altenquotient {last_counted}: {} ({first}: {}{}) Personen ab 65 je 100 im Alter von 20 bis 64",
                    format::number(latest_old, 1),
                    format::number(first_old, 1),
                    projected_to
                        .and_then(|to| old_of(to).map(|ratio| (to, ratio)))
                        .map(|(to, ratio)| format!("; Prognose {to}: {}", format::number(ratio, 1)))
                        .unwrap_or_default()
                ),
                _ => "Jugend- und Altenquotient".to_owned(),
            };
            let count_style = NumberStyle {
                axis: ValueAxis::Y,
                decimals: 0,
                unit: "Personen".into(),
                absolute: false,
                year_axis: false,
            };
            let ratio_style = NumberStyle {
                axis: ValueAxis::Y,
                decimals: 1,
                unit: "je 100".into(),
                absolute: false,
                year_axis: true,
            };
            let projection_hint = projected_to.map(|to| view! {
                <p class="notice projection" data-testid="projection-hint">
                    {format!("Ab {} zeigen die Diagramme eine Vorausberechnung (Prognose) bis {to}, keine gezählten Einwohner; sie ist grau hinterlegt und in den Tabellen als „Prognose“ bezeichnet. Im Flächendiagramm stehen alle Jahre in gleichem Abstand, auch wo die Prognose größere Schritte macht.", structure.projected.first().copied().unwrap_or(to))}
                </p>
            });
            let stem = |what: &str| format!("demografie-{what}-{}", structure.area);
            let movement = (!structure.movement.is_empty()).then(|| {
                let rates = movement_rates(&structure);
                let first_move = rates.years.first().copied().unwrap_or_default();
                let last_move = rates.years.last().copied().unwrap_or_default();
                let latest = structure.movement.last().cloned();
                let headline = latest.map_or_else(String::new, |latest| {
                    format!(
                        "{}: {} Geburten, {} Sterbefälle, Wanderungssaldo {}",
                        latest.year,
                        format::number(latest.births as f64, 0),
                        format::number(latest.deaths as f64, 0),
                        signed(latest.migration())
                    )
                });
                let table = DataTable {
                    caption: "Geburten, Sterbefälle und Wanderungen".into(),
                    header: [
                        "Jahr", "Geburten", "Sterbefälle", "Natürlicher Saldo", "Zuzüge", "Fortzüge",
                        "Wanderungssaldo", "Natürlicher Saldo je 1.000", "Wanderungssaldo je 1.000",
                    ]
                    .map(str::to_owned)
                    .to_vec(),
                    rows: structure
                        .movement
                        .iter()
                        .zip(rates.natural.iter().zip(&rates.migration))
                        .rev()
                        .map(|(row, (natural, migration))| {
                            (
                                row.year.to_string(),
                                vec![
                                    format::number(row.births as f64, 0),
                                    format::number(row.deaths as f64, 0),
                                    signed(row.natural()),
                                    format::number(row.moved_in as f64, 0),
                                    format::number(row.moved_out as f64, 0),
                                    signed(row.migration()),
                                    signed_rate(*natural),
                                    signed_rate(*migration),
                                ],
                            )
                        })
                        .collect(),
                };
                let style = NumberStyle {
                    axis: ValueAxis::Y,
                    decimals: 1,
                    unit: "je 1.000 Einwohner".into(),
                    absolute: false,
                    year_axis: false,
                };
                let about = population_about(
                    format!("{}: Geburten, Sterbefälle und Wanderungen {first_move}–{last_move}", structure.name),
                    structure.stand,
                    stem("bewegung"),
                );
                view! {
                    <section class="card" aria-labelledby="movement-title">
                        <h2 id="movement-title" data-testid="movement-title">{headline}</h2>
                        <p class="hint">"Natürlicher Saldo: Geburten minus Sterbefälle; Wanderungssaldo: Zuzüge minus Fortzüge. Zusammen ergeben sie die Veränderung der Einwohnerzahl, je 1.000 Einwohner des Jahres."</p>
                        <Figure id="movement-chart" chart=movement_chart(&rates, false) dark_chart=movement_chart(&rates, true)
                            height=420 description=format!("Säulen und Linien: Geburten, Sterbefälle, natürlicher Saldo und Wanderungssaldo {} je 1.000 Einwohner, {first_move}–{last_move}", structure.name)
                            style=style testid="movement-chart" table=table about=about row_testid="movement-row"/>
                    </section>
                }
            });
            let group_about = population_about(
                format!("{}: Einwohner nach Altersgruppen {span}", structure.name),
                structure.stand,
                stem("altersgruppen"),
            );
            let ratio_about = population_about(
                format!("{}: Jugend- und Altenquotient {span}", structure.name),
                structure.stand,
                stem("quotienten"),
            );
            view! {
                <section class="card" aria-labelledby="age-structure-title">
                    <h2 id="age-structure-title" data-testid="age-structure-title">
                        {format!("{}: Altersgruppen {span}", structure.name)}
                    </h2>
                    <p class="hint">"Die Daten liegen in Fünf-Jahres-Gruppen vor; daraus sind die Gruppen gebildet."</p>
                    {projection_hint}
                    <Figure id="age-structure-chart" chart=age_structure_chart(&structure, false) dark_chart=age_structure_chart(&structure, true)
                        height=440 description=format!("Gestapelte Flächen: Einwohner {} nach sieben Altersgruppen, {span}", structure.name)
                        style=count_style testid="age-structure-chart" table=group_table about=group_about row_testid="age-structure-row"/>
                </section>
                <section class="card" aria-labelledby="ratio-title">
                    <h2 id="ratio-title" data-testid="ratio-title">{ratio_headline}</h2>
                    <p class="hint">"Jugendquotient: unter 20-Jährige je 100 Personen von 20 bis 64 Jahren; Altenquotient: ab 65-Jährige je 100 Personen von 20 bis 64 Jahren."</p>
                    <Figure id="ratio-chart" chart=ratio_chart(&structure, false) dark_chart=ratio_chart(&structure, true)
                        height=360 description=format!("Liniendiagramm: Jugend- und Altenquotient {}, {span}", structure.name)
                        style=ratio_style testid="ratio-chart" table=ratio_table about=ratio_about row_testid="ratio-row"/>
                </section>
                {movement}
            }
            .into_any()
        }
    }
}

/// What the Demografie page's address asks for.
#[derive(Debug, Clone, PartialEq, Default)]
struct DemografieAsk {
    area: Option<String>,
    year: Option<u16>,
    /// `Some("keiner")` switches the comparison off.
    comparison: Option<String>,
    measure_shares: bool,
}

#[component]
pub fn DemografiePage() -> impl IntoView {
    let app = use_app();
    let backend = app.backend;
    let data_version = app.data_version;
    let catalog = LocalResource::new(move || {
        data_version.track();
        async move { backend.call::<CatalogGet>(NoArgs {}).await }
    });
    // The view lives in the address (`/demografie?gebiet=…&jahr=…&vergleich=…&darstellung=anteile`),
    // so a link, reload or the back button keeps it; without an area, the deployment's own total
    // (the Kreis of a county), compared with nothing; any other area is compared with it.
    let location = leptos_router::hooks::use_location();
    let set_keys = use_address_keys(Page::Demografie);
    let asked = Memo::new(move |_| {
        let search = location.search.get();
        DemografieAsk {
            area: key_value(&search, "gebiet"),
            year: key_value(&search, "jahr").and_then(|year| year.parse().ok()),
            comparison: key_value(&search, "vergleich"),
            measure_shares: key_value(&search, "darstellung").as_deref() == Some("anteile"),
        }
    });
    let home = Memo::new(move |_| {
        catalog
            .get()
            .and_then(Result::ok)
            .and_then(|catalog| catalog.dataset)
            .map(|dataset| dataset.home_area)
            .unwrap_or_default()
    });
    let chosen_area = Memo::new(move |_| asked.get().area.unwrap_or_else(|| home.get()));
    let chosen_year = Memo::new(move |_| asked.get().year);
    let comparison_area = Memo::new(move |_| match asked.get().comparison {
        Some(none) if none == "keiner" => None,
        Some(area) => Some(area),
        None => Some(home.get()).filter(|home| !home.is_empty() && *home != chosen_area.get()),
    });
    let measure = Memo::new(move |_| {
        if asked.get().measure_shares {
            Measure::Shares
        } else {
            Measure::People
        }
    });
    let pyramid = LocalResource::new(move || {
        data_version.track();
        let query = PopulationQuery {
            area: chosen_area.get(),
            year: chosen_year.get(),
        };
        async move {
            // No area until the catalogue names the home area.
            match query.area.is_empty() {
                true => None,
                false => Some(backend.call::<PopulationGet>(query).await),
            }
        }
    });
    let shown_year = Memo::new(move |_| {
        pyramid
            .get()
            .flatten()
            .and_then(Result::ok)
            .map(|pyramid| pyramid.year)
    });
    let comparison = LocalResource::new(move || {
        data_version.track();
        let area = comparison_area.get();
        let year = shown_year.get();
        async move {
            let area = area?;
            let pyramid = backend
                .call::<PopulationGet>(PopulationQuery { area, year })
                .await
                .ok()?;
            // A comparison without data for the year draws nothing.
            (!pyramid.groups.is_empty()).then_some(pyramid)
        }
    });
    let pickers = move || {
        let catalog = catalog.get().and_then(Result::ok)?;
        let shown = pyramid.get().flatten().and_then(Result::ok)?;
        let options = |selected: Option<String>, skip: Option<&str>| {
            catalog
                .areas
                .iter()
                .filter(|area| !matches!(area.kind, fokus_model::AreaKind::Gemeinde) && !area.retired)
                .filter(|area| Some(area.id.as_str()) != skip)
                .map(|area| {
                    let is_selected = selected.as_deref() == Some(area.id.as_str());
                    view! { <option value=area.id.clone() selected=is_selected>{area.name.clone()}</option> }
                })
                .collect_view()
        };
        let areas = options(Some(shown.area.clone()), None);
        let comparisons = options(comparison_area.get(), Some(&shown.area));
        let no_comparison = comparison_area.get().is_none();
        let shares = measure.get() == Measure::Shares;
        let years = shown.years.clone();
        let projected = shown.projected.clone();
        Some(view! {
            <div class="controls control-bar">
                <label class="field">"Gebiet"
                    <select data-testid="population-area" on:change=move |event| set_keys.run(vec![("gebiet", event_target_value(&event))])>{areas}</select>
                </label>
                <label class="field">"Vergleich (Umriss)"
                    <select data-testid="population-comparison" on:change=move |event| set_keys.run(vec![("vergleich", event_target_value(&event))])>
                        <option value="keiner" selected=no_comparison>"kein Vergleich"</option>
                        {comparisons}
                    </select>
                </label>
                <div class="view-switch" role="group" aria-label="Darstellung">
                    <button class="button secondary" aria-pressed=(!shares).to_string() data-testid="measure-people"
                        on:click=move |_| set_keys.run(vec![("darstellung", String::new())])>"Personen"</button>
                    <button class="button secondary" aria-pressed=shares.to_string() data-testid="measure-shares"
                        on:click=move |_| set_keys.run(vec![("darstellung", "anteile".into())])>"Anteile in %"</button>
                </div>
                <YearControls years=years current=Signal::derive(move || shown_year.get()) projected=projected
                    on_year=Callback::new(move |year: u16| set_keys.run(vec![("jahr", year.to_string())]))/>
            </div>
        })
    };
    let content = move || {
        match pyramid.get().flatten() {
        None => view! { <p class="loading">"Lade …"</p> }.into_any(),
        Some(Err(error)) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
        Some(Ok(pyramid)) if pyramid.groups.is_empty() => view! {
            <p class="notice" data-testid="population-empty">"Für dieses Gebiet und Jahr liegen keine Bevölkerungsdaten vor."</p>
        }
        .into_any(),
        Some(Ok(pyramid)) => {
            let comparison = comparison.get().flatten().filter(|other| other.area != pyramid.area);
            let measure = measure.get();
            let projected = pyramid.projected.contains(&pyramid.year);
            let year_text = year_label(pyramid.year, &pyramid.projected);
            let shown = pyramid_values(&pyramid, measure, pyramid.total());
            let compared = comparison
                .as_ref()
                .map(|other| pyramid_values(other, measure, pyramid.total()));
            let (decimals, unit) = match measure {
                Measure::People => (0, "Personen"),
                Measure::Shares => (1, "%"),
            };
            let cell = |value: f64| format::with_unit(&format::number(value, decimals), unit);
            let mut header = vec!["Alter".to_owned(), "weiblich".into(), "männlich".into()];
            if let Some(other) = &comparison {
                let note = if measure == Measure::People { ", auf gleiche Einwohnerzahl umgerechnet" } else { "" };
                header.push(format!("{} weiblich{note}", other.name));
                header.push(format!("{} männlich{note}", other.name));
            }
            let table = DataTable {
                caption: format!("Bevölkerung {} {year_text}", pyramid.name),
                header,
                rows: shown
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(idx, (age_from, female, male))| {
                        let mut cells = vec![cell(*female), cell(*male)];
                        if let Some((_, other_female, other_male)) = compared.as_ref().and_then(|values| values.get(idx)) {
                            cells.push(cell(*other_female));
                            cells.push(cell(*other_male));
                        }
                        (age_group_label(*age_from), cells)
                    })
                    .collect(),
            };
            let description = format!(
                "Bevölkerungspyramide {} {year_text}: {} Einwohnerinnen und Einwohner nach Altersgruppe und Geschlecht{}{}",
                pyramid.name,
                format::number(pyramid.total() as f64, 0),
                if measure == Measure::Shares { ", in Prozent" } else { "" },
                comparison.as_ref().map(|other| format!("; Umriss: {} zum Vergleich", other.name)).unwrap_or_default()
            );
            let style = NumberStyle {
                axis: ValueAxis::X,
                decimals,
                unit: unit.into(),
                absolute: true,
                year_axis: false,
            };
            let about = population_about(
                format!("Bevölkerung {} {year_text}{}", pyramid.name, if measure == Measure::Shares { " (Anteile in %)" } else { "" }),
                pyramid.stand,
                format!("demografie-pyramide-{}-{}", pyramid.area, pyramid.year),
            );
            let comparison_note = comparison.as_ref().map(|other| view! {
                <p class="hint" data-testid="comparison-note">{match measure {
                    Measure::People => format!("Umriss: {} {}, auf die Einwohnerzahl von {} umgerechnet, so dass der Altersaufbau vergleichbar ist.", other.name, other.year, pyramid.name),
                    Measure::Shares => format!("Umriss: {} {} zum Vergleich.", other.name, other.year),
                }}</p>
            });
            let projection_note = projected.then(|| view! {
                <p class="notice projection" data-testid="projection-note">"Vorausberechnung (Prognose), keine gezählten Einwohner."</p>
            });
            view! {
                <section class="card">
                    <h2 data-testid="population-title">
                        {format!("{} {year_text}: {} Einwohner", pyramid.name, format::number(pyramid.total() as f64, 0))}
                    </h2>
                    {projection_note}
                    {comparison_note}
                    <Figure id="population-chart" chart=pyramid_chart(&pyramid, comparison.as_ref(), measure, false)
                        dark_chart=pyramid_chart(&pyramid, comparison.as_ref(), measure, true) height=520 description=description
                        style=style testid="population-chart" table=table about=about row_testid="population-row"/>
                </section>
            }
            .into_any()
        }
    }
    };
    view! {
        <div class="page-head">
            <h1 class="page-title">"Demografie"</h1>
            <p class="hint">"Einwohnerinnen und Einwohner nach Altersgruppe und Geschlecht"{move || demo_note(app.dataset, " (Demodaten, am Zensus 2022 ausgerichtet)")}"."</p>
        </div>
        {pickers}
        {content}
        <AgeStructureSection area=Signal::derive(move || chosen_area.get())/>
        {move || {
            let catalog = catalog.get().and_then(Result::ok)?;
            Some(view! { <AreaShares catalog=catalog year=Signal::derive(move || chosen_year.get())/> })
        }}
    }
}

/// A note that only a demo deployment's pages carry; a county's own data are not demo data.
fn demo_note(
    dataset: RwSignal<Option<fokus_model::DatasetInfo>>,
    text: &'static str,
) -> &'static str {
    let demo = dataset.get().is_some_and(|dataset| dataset.demo);
    if demo {
        text
    } else {
        ""
    }
}

/// The population indicators of the catalogue (its Handlungsfeld on demography) as a map of
/// every area: where the 80-year-olds, the children or the old-age ratio are highest. The
/// indicator is in the address (`karte=…`).
#[component]
fn AreaShares(catalog: fokus_model::Catalog, year: Signal<Option<u16>>) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let set_keys = use_address_keys(Page::Demografie);
    let candidates: Vec<fokus_model::Indicator> = catalog
        .indicators
        .iter()
        .filter(|indicator| {
            !indicator.retired
                && (indicator.handlungsfeld.contains("Demografie")
                    || indicator.handlungsfeld.contains("Bevölkerung"))
        })
        .cloned()
        .collect();
    if candidates.is_empty() {
        return ().into_any();
    }
    let default = candidates
        .iter()
        .find(|indicator| indicator.name.contains("Hochaltrig") || indicator.id.contains("80"))
        .unwrap_or(&candidates[0])
        .id
        .clone();
    let chosen = Memo::new(move |_| {
        key_value(&location.search.get(), "karte").unwrap_or_else(|| default.clone())
    });
    let options = candidates
        .iter()
        .map(|indicator| {
            let id = indicator.id.clone();
            let selected = move || chosen.get() == id;
            view! { <option value=indicator.id.clone() selected=selected>{indicator.name.clone()}</option> }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="shares-title">
            <h2 id="shares-title">"Die Gebiete im Vergleich"</h2>
            <label class="field">"Kennzahl"
                <select data-testid="shares-indicator" on:change=move |event| set_keys.run(vec![("karte", event_target_value(&event))])>{options}</select>
            </label>
            {move || {
                let directive = fokus_model::directive::Directive::Map {
                    indicator: chosen.get(),
                    year: year.get(),
                };
                view! { <crate::components::live::LiveMap directive=directive/> }
            }}
        </section>
    }
    .into_any()
}

fn spending_chart(overview: &SpendingOverview, dark: bool, per_inhabitant: bool) -> Chart {
    let colours = field_colours(dark);
    let years: Vec<String> = overview.years.iter().map(u16::to_string).collect();
    // The legend names eight fields, some long ("Grundsicherung im Alter und bei
    // Erwerbsminderung …"): on a tablet it wraps to seven lines, which the plot must start below.
    let mut chart = frame(Grid::new().left(72).right(24).top(210).bottom(40), 14)
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(years)
                .axis_label(labels(14)),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .name(if per_inhabitant {
                    "€ je Einwohner"
                } else {
                    "Mio. €"
                })
                .axis_label(labels(14)),
        );
    for (line, colour) in overview.lines.iter().zip(colours.iter().cycle()) {
        let values: Vec<f64> = overview
            .years
            .iter()
            .map(|year| {
                line.points
                    .iter()
                    .find(|(point_year, _, _)| point_year == year)
                    .map_or(0.0, |(_, euros, per)| {
                        if per_inhabitant {
                            per.unwrap_or(0.0)
                        } else {
                            euros / 1_000_000.0
                        }
                    })
            })
            .collect();
        chart = chart.series(
            Bar::new()
                .name(line.field.clone())
                .stack("ausgaben")
                .data(values)
                .item_style(ItemStyle::new().color(*colour)),
        );
    }
    chart
}

/// Black or white, whichever reads better on `background` (`#rrggbb`), by WCAG contrast.
fn ink_on(background: &str) -> &'static str {
    let channel = |offset: usize| {
        let value =
            u8::from_str_radix(background.get(offset..offset + 2).unwrap_or("00"), 16).unwrap_or(0);
        let value = f64::from(value) / 255.0;
        if value <= 0.03928 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    let with_white = 1.05 / (luminance + 0.05);
    let with_black = (luminance + 0.05) / 0.05;
    if with_white >= with_black {
        "#ffffff"
    } else {
        "#111111"
    }
}

const TREEMAP_WIDTH: f64 = 960.0;
const TREEMAP_HEIGHT: f64 = 420.0;

/// One tile of the year's treemap, as the page and the exported image draw it.
struct TreemapTile {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    colour: &'static str,
    ink: &'static str,
    /// Everything about the field, for the tooltip.
    text: String,
    /// Name and figures, where they fit on the tile.
    label: Option<(String, String)>,
}

/// Each field's tile, its area its share; the field keeps its colour from the bar chart and is
/// named where the name fits (about 10.5 px a character at 18 px bold); the tooltip and the
/// table carry every figure anyway.
fn treemap_tiles(rows: &[FieldYear], dark: bool, field_order: &[String]) -> Vec<TreemapTile> {
    let colours = field_colours(dark);
    let values: Vec<f64> = rows.iter().map(|row| row.euros).collect();
    treemap(&values, TREEMAP_WIDTH, TREEMAP_HEIGHT)
        .into_iter()
        .map(|tile| {
            let row = &rows[tile.index];
            let colour_idx = field_order
                .iter()
                .position(|field| *field == row.field)
                .unwrap_or(tile.index);
            let colour = colours[colour_idx % colours.len()];
            let figures = format!(
                "{} Mio. € · {} %",
                format::number(row.euros / 1_000_000.0, 1),
                format::number(row.share_social, 1)
            );
            let fits =
                tile.height > 56.0 && (row.field.chars().count() as f64 * 10.5 + 20.0) < tile.width;
            TreemapTile {
                x: tile.x,
                y: tile.y,
                width: tile.width,
                height: tile.height,
                colour,
                ink: ink_on(colour),
                text: format!(
                    "{}: {} Mio. € ({} %)",
                    row.field,
                    format::number(row.euros / 1_000_000.0, 1),
                    format::number(row.share_social, 1)
                ),
                label: fits.then(|| (row.field.clone(), figures)),
            }
        })
        .collect()
}

/// The treemap as a standalone SVG, light, for the image export.
fn treemap_svg(tiles: &[TreemapTile]) -> String {
    use crate::explorer::xml;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{TREEMAP_WIDTH}" height="{TREEMAP_HEIGHT}" viewBox="0 0 {TREEMAP_WIDTH} {TREEMAP_HEIGHT}">"#
    );
    for tile in tiles {
        svg.push_str(&format!(
            r##"<g><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#ffffff" stroke-width="2"/>"##,
            xml(&tile.text), tile.x, tile.y, tile.width, tile.height, tile.colour
        ));
        if let Some((name, figures)) = &tile.label {
            svg.push_str(&format!(
                r#"<text x="{x}" y="{}" font-size="18" font-weight="700" fill="{ink}">{}</text><text x="{x}" y="{}" font-size="16" fill="{ink}">{}</text>"#,
                tile.y + 26.0,
                xml(name),
                tile.y + 48.0,
                xml(figures),
                x = tile.x + 10.0,
                ink = tile.ink,
            ));
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

/// One year's fields as a treemap (SVG) on the page.
fn spending_treemap(tiles: Vec<TreemapTile>, year: u16) -> impl IntoView {
    let tiles = tiles
        .into_iter()
        .map(|tile| {
            let label = tile.label.map(|(name, figures)| view! {
                <text x=tile.x + 10.0 y=tile.y + 26.0 font-size="18" font-weight="700" fill=tile.ink>{name}</text>
                <text x=tile.x + 10.0 y=tile.y + 48.0 font-size="16" fill=tile.ink>{figures}</text>
            });
            view! {
                <g data-testid="treemap-tile">
                    <title>{tile.text}</title>
                    <rect x=tile.x y=tile.y width=tile.width height=tile.height fill=tile.colour stroke="#ffffff" stroke-width="2"></rect>
                    {label}
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="treemap" viewBox=format!("0 0 {TREEMAP_WIDTH} {TREEMAP_HEIGHT}") role="img" data-testid="spending-treemap"
            aria-label=format!("Flächen nach Anteil: Sozialausgaben {year} nach Leistungsbereichen; die Zahlen stehen in der Tabelle darunter")>
            {tiles}
        </svg>
    }
}

#[component]
pub fn SozialausgabenPage() -> impl IntoView {
    let app = use_app();
    let backend = app.backend;
    let data_version = app.data_version;
    let overview = LocalResource::new(move || {
        data_version.track();
        async move { backend.call::<SpendingGet>(NoArgs {}).await }
    });
    // Unit and year live in the address (`einheit=einwohner`, `jahr=2024`).
    let location = leptos_router::hooks::use_location();
    let set_keys = use_address_keys(Page::Sozialausgaben);
    let asked = Memo::new(move |_| {
        let search = location.search.get();
        (
            key_value(&search, "einheit").as_deref() == Some("einwohner"),
            key_value(&search, "jahr").and_then(|year| year.parse::<u16>().ok()),
        )
    });
    let set = move |key: &'static str, value: String| set_keys.run(vec![(key, value)]);
    let content = move || match overview.get() {
        None => view! { <p class="loading">"Lade …"</p> }.into_any(),
        Some(Err(error)) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
        Some(Ok(overview)) if overview.lines.is_empty() => view! {
            <p class="notice">"Noch keine Sozialausgaben veröffentlicht."</p>
        }
        .into_any(),
        Some(Ok(overview)) => {
            let totals: Vec<(u16, f64, Option<f64>)> = overview
                .years
                .iter()
                .map(|year| {
                    let points = overview.lines.iter().filter_map(|line| {
                        line.points
                            .iter()
                            .find(|(point_year, _, _)| point_year == year)
                    });
                    let (euros, per_inhabitant) = points
                        .fold((0.0, Some(0.0)), |(euros, per), (_, e, p)| {
                            (euros + e, per.zip(*p).map(|(a, b)| a + b))
                        });
                    (*year, euros, per_inhabitant)
                })
                .collect();
            let budget_of = |year: u16| {
                overview
                    .budget
                    .iter()
                    .find(|(budget_year, _)| *budget_year == year)
                    .map(|(_, euros)| *euros)
            };
            let rows = totals
                .iter()
                .rev()
                .map(|(year, euros, per_inhabitant)| {
                    view! {
                        <tr data-testid="spending-row">
                            <th scope="row">{year.to_string()}</th>
                            <td>{format!("{} Mio. €", format::number(euros / 1_000_000.0, 1))}</td>
                            <td>{per_inhabitant.map_or_else(|| "–".to_owned(), |value| format!("{} €", format::number(value, 0)))}</td>
                            <td>{budget_of(*year).map_or_else(|| "–".to_owned(), |budget| format!("{} %", format::number(euros / budget * 100.0, 1)))}</td>
                        </tr>
                    }
                })
                .collect_view();
            let latest = totals.last().copied();
            let headline = latest.map(|(year, euros, per_inhabitant)| {
                format!(
                    "{year}: {} Mio. € netto{}{}",
                    format::number(euros / 1_000_000.0, 1),
                    per_inhabitant.map_or_else(String::new, |value| format!(
                        ", {} € je Einwohner",
                        format::number(value, 0)
                    )),
                    budget_of(year).map_or_else(String::new, |budget| format!(
                        ", {} % des Gesamthaushalts",
                        format::number(euros / budget * 100.0, 0)
                    ))
                )
            });
            let description = format!(
                "Gestapeltes Säulendiagramm der Sozialausgaben nach {} Leistungsbereichen, {}–{}",
                overview.lines.len(),
                overview.years.first().copied().unwrap_or_default(),
                overview.years.last().copied().unwrap_or_default()
            );
            let (per_inhabitant, asked_year) = asked.get();
            let style = if per_inhabitant {
                NumberStyle {
                    axis: ValueAxis::Y,
                    decimals: 0,
                    unit: "€ je Einwohner".into(),
                    absolute: false,
                    year_axis: false,
                }
            } else {
                NumberStyle {
                    axis: ValueAxis::Y,
                    decimals: 1,
                    unit: "Mio. €".into(),
                    absolute: false,
                    year_axis: false,
                }
            };
            let year = asked_year
                .filter(|year| overview.years.contains(year))
                .or_else(|| overview.years.last().copied())
                .unwrap_or_default();
            let field_order: Vec<String> = overview
                .lines
                .iter()
                .map(|line| line.field.clone())
                .collect();
            let year_rows = overview.year_table(year);
            let money = |euros: f64| format!("{} Mio. €", format::number(euros / 1_000_000.0, 1));
            let field_table = DataTable {
                caption: format!(
                    "Sozialausgaben {year}: jeder Bereich mit Anteil und Veränderung zum Vorjahr"
                ),
                header: [
                    "Leistungsbereich",
                    "netto",
                    "je Einwohner",
                    "Anteil an den Sozialausgaben",
                    "Anteil am Gesamthaushalt",
                    "zum Vorjahr",
                ]
                .map(str::to_owned)
                .to_vec(),
                rows: year_rows
                    .iter()
                    .map(|row| {
                        let change = row.change.map_or_else(
                            || "–".to_owned(),
                            |(euros, percent)| {
                                let sign = if euros >= 0.0 { "+" } else { "−" };
                                let percent = percent.map_or_else(String::new, |percent| {
                                    format!(" ({sign}{} %)", format::number(percent.abs(), 1))
                                });
                                format!("{sign}{}{percent}", money(euros.abs()))
                            },
                        );
                        (
                            row.field.clone(),
                            vec![
                                money(row.euros),
                                row.per_inhabitant.map_or_else(
                                    || "–".to_owned(),
                                    |value| format!("{} €", format::number(value, 0)),
                                ),
                                format!("{} %", format::number(row.share_social, 1)),
                                row.share_budget.map_or_else(
                                    || "–".to_owned(),
                                    |share| format!("{} %", format::number(share, 1)),
                                ),
                                change,
                            ],
                        )
                    })
                    .collect(),
            };
            let year_options = overview
                .years
                .iter()
                .rev()
                .map(|shown| view! { <option value=shown.to_string() selected=*shown == year>{shown.to_string()}</option> })
                .collect_view();
            let mut all_header = vec!["Leistungsbereich".to_owned()];
            all_header.extend(overview.years.iter().map(u16::to_string));
            let all_table = DataTable {
                caption: if per_inhabitant {
                    "Alle Bereiche und Jahre (€ je Einwohner)".into()
                } else {
                    "Alle Bereiche und Jahre (Mio. €)".into()
                },
                header: all_header,
                rows: overview
                    .lines
                    .iter()
                    .map(|line| {
                        let cells = overview
                            .years
                            .iter()
                            .map(|year| {
                                let point = line
                                    .points
                                    .iter()
                                    .find(|(point_year, _, _)| point_year == year);
                                match point {
                                    Some((_, _, Some(per))) if per_inhabitant => {
                                        format::number(*per, 0)
                                    }
                                    Some((_, euros, _)) if !per_inhabitant => {
                                        format::number(euros / 1_000_000.0, 1)
                                    }
                                    _ => "–".to_owned(),
                                }
                            })
                            .collect();
                        (line.field.clone(), cells)
                    })
                    .collect(),
            };
            let source = app
                .dataset
                .get_untracked()
                .map(|dataset| dataset.spending_attribution)
                .unwrap_or_default();
            let first_year = overview.years.first().copied().unwrap_or_default();
            let last_year = overview.years.last().copied().unwrap_or_default();
            let chart_about = FigureAbout {
                title: format!(
                    "Sozialausgaben {first_year}–{last_year} nach Leistungsbereich{}",
                    if per_inhabitant {
                        " (€ je Einwohner)"
                    } else {
                        " (Mio. €)"
                    }
                ),
                source: source.clone(),
                stand: overview.stand,
                stem: format!(
                    "sozialausgaben-{first_year}-{last_year}{}",
                    if per_inhabitant { "-je-einwohner" } else { "" }
                ),
            };
            let year_about = FigureAbout {
                title: format!("Sozialausgaben {year} nach Leistungsbereich"),
                source,
                stand: overview.stand,
                stem: format!("sozialausgaben-{year}"),
            };
            let year_source = year_about.source_line();
            let dark = app.dark;
            let treemap_rows = year_rows.clone();
            let tree_order = field_order.clone();
            let picture = Picture::Svg {
                svg: treemap_svg(&treemap_tiles(&year_rows, false, &field_order)),
                width: TREEMAP_WIDTH,
                height: TREEMAP_HEIGHT,
            };
            let unit_switch = view! {
                <div class="view-switch" role="group" aria-label="Einheit">
                    <button class="button secondary" aria-pressed=(!per_inhabitant).to_string() data-testid="unit-euro"
                        on:click=move |_| set("einheit", String::new())>"in Mio. €"</button>
                    <button class="button secondary" aria-pressed=per_inhabitant.to_string() data-testid="unit-inhabitant"
                        on:click=move |_| set("einheit", "einwohner".into())>"je Einwohner"</button>
                </div>
            };
            let year_section = view! {
                <section class="card" aria-labelledby="spending-year-title">
                    <h2 id="spending-year-title" data-testid="spending-year-title">{format!("Sozialausgaben {year} nach Leistungsbereich")}</h2>
                    <label class="field field-narrow">"Jahr"
                        <select data-testid="spending-year" on:change=move |event| set("jahr", event_target_value(&event))>{year_options}</select>
                    </label>
                    {move || spending_treemap(treemap_tiles(&treemap_rows, dark.get(), &tree_order), year)}
                    <p class="figure-source" data-testid="spending-treemap-source">{year_source}</p>
                    <ExportBar picture=picture table=field_table.clone() about=year_about testid="spending-treemap".to_owned()/>
                    <FigureTable table=field_table testid="field-table".to_owned() row_testid="field-row" open=true/>
                </section>
            };
            view! {
                <section class="card">
                    <h2 data-testid="spending-title">{headline}</h2>
                    {unit_switch}
                    <Figure id="spending-chart" chart=spending_chart(&overview, false, per_inhabitant) dark_chart=spending_chart(&overview, true, per_inhabitant)
                        height=520 description=description style=style testid="spending-chart" table=all_table about=chart_about row_testid="field-year-row"/>
                    <details class="table-details">
                        <summary>"Sozialausgaben als Tabelle"</summary>
                        <ScrollTable label="Sozialausgaben als Tabelle".to_owned()>
                            <table class="values">
                                <thead><tr><th scope="col">"Jahr"</th><th scope="col">"netto"</th><th scope="col">"je Einwohner"</th><th scope="col">"Anteil am Gesamthaushalt"</th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </ScrollTable>
                    </details>
                </section>
                {year_section}
            }
            .into_any()
        }
    };
    view! {
        <div class="page-head">
            <h1 class="page-title">"Sozialausgaben"</h1>
            <p class="hint">"Nettoausgaben nach Leistungsbereich"{move || demo_note(app.dataset, " (Demodaten)")}"."</p>
        </div>
        {content}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_text_takes_the_colour_that_reads_on_its_tile() {
        assert_eq!(ink_on("#e69f00"), "#111111", "orange: dark text");
        assert_eq!(ink_on("#0072b2"), "#ffffff", "blue: white text");
        assert_eq!(ink_on("#999999"), "#111111");
        assert_eq!(ink_on("#5b6770"), "#ffffff");
        for colour in FIELD_COLOURS.iter().chain(FIELD_COLOURS_DARK.iter()) {
            let ink = ink_on(colour);
            assert!(ink == "#ffffff" || ink == "#111111", "{colour}");
        }
    }
}
