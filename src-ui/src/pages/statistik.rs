//! Demography (a population pyramid per area and year) and the Kreis's Sozialausgaben (by field
//! over the years, in euros and per inhabitant). Charts with the numbers as tables beside them.

use charming::component::{Axis, Grid};
use charming::datatype::{CompositeValue, DataPoint};
use charming::element::{AreaStyle, AxisType, ItemStyle, LineStyle, LineStyleType};
use charming::series::{Bar, Line};
use charming::Chart;
use fokus_model::api::{AgeStructureQuery, PopulationQuery};
use fokus_model::finance::{treemap, FieldYear, SpendingOverview};
use fokus_model::ipc::{AgeStructureGet, CatalogGet, NoArgs, PopulationGet, SpendingGet};
use fokus_model::population::{
    age_group_label, broad_group_label, AgeStructure, PopulationPyramid, BROAD_GROUPS,
};
use leptos::prelude::*;

use crate::app::use_app;
use crate::components::chart::{frame, labels, EChart, NumberStyle, ValueAxis};
use crate::format;

const FEMALE: &str = "#b45309";
const MALE: &str = "#0b4f8a";
/// On the dark page: light enough for 3:1 against its cards.
const FEMALE_DARK: &str = "#f0a050";
const MALE_DARK: &str = "#8cc4ff";
/// Eight fields, colour-blind-safe (Okabe–Ito, then two greys).
const FIELD_COLOURS: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#5b6770", "#999999",
];
/// The same fields on the dark page (the dark blue and grey lightened).
const FIELD_COLOURS_DARK: [&str; 8] = [
    "#56a0e0", "#e69f00", "#00b386", "#cc79a7", "#8fd3ff", "#ff8c42", "#b8c1cc", "#e0e0e0",
];

fn pyramid_chart(pyramid: &PopulationPyramid, dark: bool) -> Chart {
    let (male, female) = if dark {
        (MALE_DARK, FEMALE_DARK)
    } else {
        (MALE, FEMALE)
    };
    let age_groups: Vec<String> = pyramid
        .groups
        .iter()
        .map(|(age_from, _, _)| age_group_label(*age_from))
        .collect();
    let women: Vec<f64> = pyramid
        .groups
        .iter()
        .map(|(_, female, _)| *female as f64)
        .collect();
    // Men to the left: negative values, shown without sign.
    let men: Vec<f64> = pyramid
        .groups
        .iter()
        .map(|(_, _, male)| -(*male as f64))
        .collect();
    frame(Grid::new().left(72).right(24).top(48).bottom(40), 16)
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
                .data(men)
                .item_style(ItemStyle::new().color(male)),
        )
        .series(
            Bar::new()
                .name("weiblich")
                .stack("pyramide")
                .data(women)
                .item_style(ItemStyle::new().color(female)),
        )
}

/// The broad age groups over the years as stacked areas.
fn age_structure_chart(structure: &AgeStructure, dark: bool) -> Chart {
    let colours = if dark {
        FIELD_COLOURS_DARK
    } else {
        FIELD_COLOURS
    };
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
    for ((group, counts), colour) in BROAD_GROUPS
        .iter()
        .zip(&structure.groups)
        .zip(colours.iter().cycle())
    {
        let values: Vec<f64> = counts.iter().map(|count| *count as f64).collect();
        chart = chart.series(
            Line::new()
                .name(broad_group_label(*group))
                .stack("alter")
                .show_symbol(false)
                .data(values)
                .item_style(ItemStyle::new().color(*colour))
                .area_style(AreaStyle::new().color(*colour).opacity(0.85)),
        );
    }
    chart
}

/// The youth and old-age dependency ratios over the years.
fn ratio_chart(structure: &AgeStructure, dark: bool) -> Chart {
    let (young, old) = if dark {
        (FIELD_COLOURS_DARK[0], FIELD_COLOURS_DARK[1])
    } else {
        (FIELD_COLOURS[0], FIELD_COLOURS[5])
    };
    let years: Vec<String> = structure.years.iter().map(u16::to_string).collect();
    let values = |ratios: &[Option<f64>]| -> Vec<DataPoint> {
        ratios
            .iter()
            .map(|ratio| match ratio {
                Some(ratio) => DataPoint::Value(CompositeValue::from(*ratio)),
                None => DataPoint::Value(CompositeValue::from("-")),
            })
            .collect()
    };
    frame(Grid::new().left(64).right(24).top(56).bottom(40), 14)
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(years)
                .axis_label(labels(14)),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .name("je 100")
                .scale(true)
                .axis_label(labels(14)),
        )
        .series(
            Line::new()
                .name("Jugendquotient")
                .data(values(&structure.youth_ratio))
                .item_style(ItemStyle::new().color(young))
                .line_style(LineStyle::new().width(3)),
        )
        .series(
            Line::new()
                .name("Altenquotient")
                .data(values(&structure.old_age_ratio))
                .item_style(ItemStyle::new().color(old))
                .line_style(LineStyle::new().width(3).type_(LineStyleType::Dashed)),
        )
}

/// How an area's age structure changed: the broad groups over the years and the dependency
/// ratios, each chart with its table.
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
            let last = structure.years.last().copied().unwrap_or_default();
            let group_header = BROAD_GROUPS
                .iter()
                .map(|group| view! { <th scope="col">{broad_group_label(*group)}</th> })
                .collect_view();
            let group_rows = structure
                .years
                .iter()
                .enumerate()
                .rev()
                .map(|(year_idx, year)| {
                    let cells = structure
                        .groups
                        .iter()
                        .map(|group| view! { <td>{format::number(group[year_idx] as f64, 0)}</td> })
                        .collect_view();
                    view! { <tr data-testid="age-structure-row"><th scope="row">{year.to_string()}</th>{cells}</tr> }
                })
                .collect_view();
            let ratio_text = |ratio: Option<f64>| {
                ratio.map_or_else(|| "–".to_owned(), |ratio| format::number(ratio, 1))
            };
            let ratio_rows = structure
                .years
                .iter()
                .enumerate()
                .rev()
                .map(|(year_idx, year)| {
                    view! {
                        <tr data-testid="ratio-row">
                            <th scope="row">{year.to_string()}</th>
                            <td>{ratio_text(structure.youth_ratio[year_idx])}</td>
                            <td>{ratio_text(structure.old_age_ratio[year_idx])}</td>
                        </tr>
                    }
                })
                .collect_view();
            let latest_old = structure.old_age_ratio.last().copied().flatten();
            let first_old = structure.old_age_ratio.first().copied().flatten();
            let ratio_headline = match (first_old, latest_old) {
                (Some(first_old), Some(latest_old)) => format!(
                    "Altenquotient {}: {} ({first}: {}) Personen ab 65 je 100 im Alter von 20 bis 64",
                    last,
                    format::number(latest_old, 1),
                    format::number(first_old, 1)
                ),
                _ => "Jugend- und Altenquotient".to_owned(),
            };
            let count_style = NumberStyle {
                axis: ValueAxis::Y,
                decimals: 0,
                unit: "Personen".into(),
                absolute: false,
            };
            let ratio_style = NumberStyle {
                axis: ValueAxis::Y,
                decimals: 1,
                unit: "je 100".into(),
                absolute: false,
            };
            view! {
                <section class="card" aria-labelledby="age-structure-title">
                    <h2 id="age-structure-title" data-testid="age-structure-title">
                        {format!("{}: Altersgruppen {first}–{last}", structure.name)}
                    </h2>
                    <p class="hint">"Die Daten liegen in Fünf-Jahres-Gruppen vor; daraus sind die Gruppen gebildet."</p>
                    <EChart id="age-structure-chart" chart=age_structure_chart(&structure, false) dark_chart=age_structure_chart(&structure, true)
                        height=440 description=format!("Gestapelte Flächen: Einwohner {} nach sieben Altersgruppen, {first}–{last}", structure.name)
                        style=count_style testid="age-structure-chart"/>
                    <details class="table-details">
                        <summary>"Altersgruppen als Tabelle"</summary>
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Altersgruppen als Tabelle, seitlich verschiebbar">
                            <table class="values" data-testid="age-structure-table">
                                <thead><tr><th scope="col">"Jahr"</th>{group_header}</tr></thead>
                                <tbody>{group_rows}</tbody>
                            </table>
                        </div>
                    </details>
                </section>
                <section class="card" aria-labelledby="ratio-title">
                    <h2 id="ratio-title" data-testid="ratio-title">{ratio_headline}</h2>
                    <p class="hint">"Jugendquotient: unter 20-Jährige je 100 Personen von 20 bis 64 Jahren; Altenquotient: ab 65-Jährige je 100 Personen von 20 bis 64 Jahren."</p>
                    <EChart id="ratio-chart" chart=ratio_chart(&structure, false) dark_chart=ratio_chart(&structure, true)
                        height=360 description=format!("Liniendiagramm: Jugend- und Altenquotient {}, {first}–{last}", structure.name)
                        style=ratio_style testid="ratio-chart"/>
                    <details class="table-details">
                        <summary>"Quotienten als Tabelle"</summary>
                        <table class="values" data-testid="ratio-table">
                            <thead><tr><th scope="col">"Jahr"</th><th scope="col">"Jugendquotient"</th><th scope="col">"Altenquotient"</th></tr></thead>
                            <tbody>{ratio_rows}</tbody>
                        </table>
                    </details>
                </section>
            }
            .into_any()
        }
    }
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
    // The view lives in the address (`/demografie?gebiet=…&jahr=…`), so a link, reload or the
    // back button keeps it; without an area, the deployment's own total (the Kreis of a county).
    let location = leptos_router::hooks::use_location();
    let navigate = leptos_router::hooks::use_navigate();
    let asked = Memo::new(move |_| {
        let pairs = crate::beschluss::pairs(&location.search.get());
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(known, _)| known == key)
                .map(|(_, value)| value.clone())
                .filter(|value| !value.is_empty())
        };
        (
            get("gebiet"),
            get("jahr").and_then(|year| year.parse::<u16>().ok()),
        )
    });
    let home = Memo::new(move |_| {
        catalog
            .get()
            .and_then(Result::ok)
            .and_then(|catalog| catalog.dataset)
            .map(|dataset| dataset.home_area)
            .unwrap_or_default()
    });
    let chosen_area = Memo::new(move |_| asked.get().0.unwrap_or_else(|| home.get()));
    let chosen_year = Memo::new(move |_| asked.get().1);
    let show = move |area: String, year: Option<u16>| {
        let mut query = format!("gebiet={}", fokus_model::view::encode(&area));
        if let Some(year) = year {
            query.push_str(&format!("&jahr={year}"));
        }
        navigate(
            &format!("{}?{query}", fokus_model::news::Page::Demografie.path()),
            leptos_router::NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    };
    let show = StoredValue::new(show);
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
    let pickers = move || {
        let catalog = catalog.get().and_then(Result::ok)?;
        let shown = pyramid.get().flatten().and_then(Result::ok)?;
        let areas = catalog
            .areas
            .iter()
            .filter(|area| !matches!(area.kind, fokus_model::AreaKind::Gemeinde))
            .map(|area| {
                let id = area.id.clone();
                let selected = id == shown.area;
                view! { <option value=id selected=selected>{area.name.clone()}</option> }
            })
            .collect_view();
        let years = shown
            .years
            .iter()
            .rev()
            .map(|year| {
                let selected = *year == shown.year;
                view! { <option value=year.to_string() selected=selected>{year.to_string()}</option> }
            })
            .collect_view();
        Some(view! {
            <div class="controls">
                <label class="field">"Gebiet"
                    <select data-testid="population-area" on:change=move |event| show.with_value(|show| show(event_target_value(&event), chosen_year.get_untracked()))>{areas}</select>
                </label>
                <label class="field">"Jahr"
                    <select data-testid="population-year" on:change=move |event| show.with_value(|show| show(chosen_area.get_untracked(), event_target_value(&event).parse().ok()))>{years}</select>
                </label>
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
            let description = format!(
                "Bevölkerungspyramide {} {}: {} Einwohnerinnen und Einwohner nach Altersgruppe und Geschlecht",
                pyramid.name,
                pyramid.year,
                format::number(pyramid.total() as f64, 0)
            );
            let rows = pyramid
                .groups
                .iter()
                .rev()
                .map(|(age_from, female, male)| {
                    view! {
                        <tr>
                            <th scope="row">{age_group_label(*age_from)}</th>
                            <td>{format::number(*female as f64, 0)}</td>
                            <td>{format::number(*male as f64, 0)}</td>
                        </tr>
                    }
                })
                .collect_view();
            let style = NumberStyle {
                axis: ValueAxis::X,
                decimals: 0,
                unit: "Personen".into(),
                absolute: true,
            };
            view! {
                <section class="card">
                    <h2 data-testid="population-title">
                        {format!("{} {}: {} Einwohner", pyramid.name, pyramid.year, format::number(pyramid.total() as f64, 0))}
                    </h2>
                    <EChart id="population-chart" chart=pyramid_chart(&pyramid, false) dark_chart=pyramid_chart(&pyramid, true) height=520 description=description style=style testid="population-chart"/>
                    <details class="table-details">
                        <summary>"Bevölkerung als Tabelle"</summary>
                        <table class="values">
                            <thead><tr><th scope="col">"Alter"</th><th scope="col">"weiblich"</th><th scope="col">"männlich"</th></tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </details>
                </section>
            }
            .into_any()
        }
    }
    };
    view! {
        <h1 class="page-title">"Demografie"</h1>
        <p class="hint">"Einwohnerinnen und Einwohner nach Altersgruppe und Geschlecht (Demodaten, am Zensus 2022 ausgerichtet)."</p>
        {pickers}
        {content}
        <AgeStructureSection area=Signal::derive(move || chosen_area.get())/>
        {move || {
            let catalog = catalog.get().and_then(Result::ok)?;
            Some(view! { <AreaShares catalog=catalog year=Signal::derive(move || chosen_year.get())/> })
        }}
    }
}

/// The population indicators of the catalogue (its Handlungsfeld on demography) as a map of
/// every area: where the 80-year-olds, the children or the old-age ratio are highest. The
/// indicator is in the address (`karte=…`).
#[component]
fn AreaShares(catalog: fokus_model::Catalog, year: Signal<Option<u16>>) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let navigate = leptos_router::hooks::use_navigate();
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
        crate::beschluss::pairs(&location.search.get())
            .into_iter()
            .find(|(key, _)| key == "karte")
            .map(|(_, value)| value)
            .filter(|value| !value.is_empty())
            .unwrap_or_else(|| default.clone())
    });
    let options = candidates
        .iter()
        .map(|indicator| {
            let id = indicator.id.clone();
            let selected = move || chosen.get() == id;
            view! { <option value=indicator.id.clone() selected=selected>{indicator.name.clone()}</option> }
        })
        .collect_view();
    let pick = move |event: leptos::ev::Event| {
        let query = crate::beschluss::replace_keys(
            &location.search.get_untracked(),
            &["karte"],
            &[("karte", event_target_value(&event))],
        );
        navigate(
            &format!("{}?{query}", fokus_model::news::Page::Demografie.path()),
            leptos_router::NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    };
    view! {
        <section class="card" aria-labelledby="shares-title">
            <h2 id="shares-title">"Die Gebiete im Vergleich"</h2>
            <label class="field">"Kennzahl"
                <select data-testid="shares-indicator" on:change=pick>{options}</select>
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
    let colours = if dark {
        FIELD_COLOURS_DARK
    } else {
        FIELD_COLOURS
    };
    let years: Vec<String> = overview.years.iter().map(u16::to_string).collect();
    let mut chart = frame(Grid::new().left(72).right(24).top(120).bottom(40), 14)
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

/// One year's fields as a treemap (SVG), each tile's area its share, named where it fits.
fn spending_treemap(
    rows: &[FieldYear],
    year: u16,
    dark: bool,
    field_order: &[String],
) -> impl IntoView {
    let colours = if dark {
        FIELD_COLOURS_DARK
    } else {
        FIELD_COLOURS
    };
    let (width, height) = (960.0, 420.0);
    let values: Vec<f64> = rows.iter().map(|row| row.euros).collect();
    let tiles = treemap(&values, width, height)
        .into_iter()
        .map(|tile| {
            let row = &rows[tile.index];
            // The field keeps its colour from the bar chart.
            let colour_idx = field_order.iter().position(|field| *field == row.field).unwrap_or(tile.index);
            let colour = colours[colour_idx % colours.len()];
            let text = format!("{}: {} Mio. € ({} %)", row.field, format::number(row.euros / 1_000_000.0, 1), format::number(row.share_social, 1));
            // Named where the name fits (about 10.5 px a character at 18 px bold); the tooltip
            // and the table below carry every figure anyway.
            let fits = tile.height > 56.0
                && (row.field.chars().count() as f64 * 10.5 + 20.0) < tile.width;
            let ink = ink_on(colour);
            let label = fits.then(|| view! {
                <text x=tile.x + 10.0 y=tile.y + 26.0 font-size="18" font-weight="700" fill=ink>{row.field.clone()}</text>
                <text x=tile.x + 10.0 y=tile.y + 48.0 font-size="16" fill=ink>
                    {format!("{} Mio. € · {} %", format::number(row.euros / 1_000_000.0, 1), format::number(row.share_social, 1))}
                </text>
            });
            view! {
                <g data-testid="treemap-tile">
                    <title>{text}</title>
                    <rect x=tile.x y=tile.y width=tile.width height=tile.height fill=colour stroke="#ffffff" stroke-width="2"></rect>
                    {label}
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="treemap" viewBox=format!("0 0 {width} {height}") role="img" data-testid="spending-treemap"
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
    let navigate = leptos_router::hooks::use_navigate();
    let asked = Memo::new(move |_| {
        let pairs = crate::beschluss::pairs(&location.search.get());
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(known, _)| known == key)
                .map(|(_, value)| value.clone())
        };
        (
            get("einheit").as_deref() == Some("einwohner"),
            get("jahr").and_then(|year| year.parse::<u16>().ok()),
        )
    });
    let set = StoredValue::new(move |key: &'static str, value: String| {
        let query = crate::beschluss::replace_keys(
            &location.search.get_untracked(),
            &[key],
            &[(key, value)],
        );
        let path = fokus_model::news::Page::Sozialausgaben.path();
        let target = if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        };
        navigate(
            &target,
            leptos_router::NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    });
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
                }
            } else {
                NumberStyle {
                    axis: ValueAxis::Y,
                    decimals: 1,
                    unit: "Mio. €".into(),
                    absolute: false,
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
            let field_rows = year_rows
                .iter()
                .map(|row| {
                    let change = row.change.map_or_else(
                        || "–".to_owned(),
                        |(euros, percent)| {
                            let sign = if euros >= 0.0 { "+" } else { "−" };
                            let percent = percent.map_or_else(String::new, |percent| format!(" ({sign}{} %)", format::number(percent.abs(), 1)));
                            format!("{sign}{}{percent}", money(euros.abs()))
                        },
                    );
                    view! {
                        <tr data-testid="field-row">
                            <th scope="row">{row.field.clone()}</th>
                            <td>{money(row.euros)}</td>
                            <td>{row.per_inhabitant.map_or_else(|| "–".to_owned(), |value| format!("{} €", format::number(value, 0)))}</td>
                            <td>{format!("{} %", format::number(row.share_social, 1))}</td>
                            <td>{row.share_budget.map_or_else(|| "–".to_owned(), |share| format!("{} %", format::number(share, 1)))}</td>
                            <td>{change}</td>
                        </tr>
                    }
                })
                .collect_view();
            let year_options = overview
                .years
                .iter()
                .rev()
                .map(|shown| view! { <option value=shown.to_string() selected=*shown == year>{shown.to_string()}</option> })
                .collect_view();
            let all_header = overview
                .years
                .iter()
                .map(|year| view! { <th scope="col">{year.to_string()}</th> })
                .collect_view();
            let all_rows = overview
                .lines
                .iter()
                .map(|line| {
                    let cells = overview
                        .years
                        .iter()
                        .map(|year| {
                            let point = line.points.iter().find(|(point_year, _, _)| point_year == year);
                            let text = match point {
                                Some((_, _, Some(per))) if per_inhabitant => format::number(*per, 0),
                                Some((_, euros, _)) if !per_inhabitant => format::number(euros / 1_000_000.0, 1),
                                _ => "–".to_owned(),
                            };
                            view! { <td>{text}</td> }
                        })
                        .collect_view();
                    view! { <tr data-testid="field-year-row"><th scope="row">{line.field.clone()}</th>{cells}</tr> }
                })
                .collect_view();
            let dark = app.dark;
            let treemap_rows = year_rows.clone();
            let unit_switch = view! {
                <div class="view-switch" role="group" aria-label="Einheit">
                    <button class="button secondary" aria-pressed=(!per_inhabitant).to_string() data-testid="unit-euro"
                        on:click=move |_| set.with_value(|set| set("einheit", String::new()))>"in Mio. €"</button>
                    <button class="button secondary" aria-pressed=per_inhabitant.to_string() data-testid="unit-inhabitant"
                        on:click=move |_| set.with_value(|set| set("einheit", "einwohner".into()))>"je Einwohner"</button>
                </div>
            };
            let year_section = view! {
                <section class="card" aria-labelledby="spending-year-title">
                    <h2 id="spending-year-title" data-testid="spending-year-title">{format!("Sozialausgaben {year} nach Leistungsbereich")}</h2>
                    <label class="field field-narrow">"Jahr"
                        <select data-testid="spending-year" on:change=move |event| set.with_value(|set| set("jahr", event_target_value(&event)))>{year_options}</select>
                    </label>
                    {move || spending_treemap(&treemap_rows, year, dark.get(), &field_order)}
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Sozialausgaben des Jahres als Tabelle, seitlich verschiebbar">
                        <table class="values" data-testid="field-table">
                            <caption>{format!("Sozialausgaben {year}: jeder Bereich mit Anteil und Veränderung zum Vorjahr")}</caption>
                            <thead><tr>
                                <th scope="col">"Leistungsbereich"</th><th scope="col">"netto"</th><th scope="col">"je Einwohner"</th>
                                <th scope="col">"Anteil an den Sozialausgaben"</th><th scope="col">"Anteil am Gesamthaushalt"</th><th scope="col">"zum Vorjahr"</th>
                            </tr></thead>
                            <tbody>{field_rows}</tbody>
                        </table>
                    </div>
                </section>
            };
            view! {
                <section class="card">
                    <h2 data-testid="spending-title">{headline}</h2>
                    {unit_switch}
                    <EChart id="spending-chart" chart=spending_chart(&overview, false, per_inhabitant) dark_chart=spending_chart(&overview, true, per_inhabitant) height=520 description=description style=style testid="spending-chart"/>
                    <details class="table-details">
                        <summary>{if per_inhabitant { "Alle Bereiche und Jahre als Tabelle (€ je Einwohner)" } else { "Alle Bereiche und Jahre als Tabelle (Mio. €)" }}</summary>
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Alle Bereiche und Jahre als Tabelle, seitlich verschiebbar">
                            <table class="values" data-testid="field-year-table">
                                <thead><tr><th scope="col">"Leistungsbereich"</th>{all_header}</tr></thead>
                                <tbody>{all_rows}</tbody>
                            </table>
                        </div>
                    </details>
                    <details class="table-details">
                        <summary>"Sozialausgaben als Tabelle"</summary>
                        <table class="values">
                            <thead><tr><th scope="col">"Jahr"</th><th scope="col">"netto"</th><th scope="col">"je Einwohner"</th><th scope="col">"Anteil am Gesamthaushalt"</th></tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </details>
                </section>
                {year_section}
            }
            .into_any()
        }
    };
    view! {
        <h1 class="page-title">"Sozialausgaben"</h1>
        <p class="hint">"Nettoausgaben nach Leistungsbereich (Demodaten)."</p>
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
