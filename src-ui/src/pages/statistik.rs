//! Demography (a population pyramid per area and year) and the Kreis's Sozialausgaben (by field
//! over the years, in euros and per inhabitant). Charts with the numbers as tables beside them.

use charming::component::{Axis, Grid};
use charming::datatype::{CompositeValue, DataPoint};
use charming::element::{AreaStyle, AxisType, ItemStyle, LineStyle, LineStyleType};
use charming::series::{Bar, Line};
use charming::Chart;
use fokus_model::api::{AgeStructureQuery, PopulationQuery};
use fokus_model::finance::SpendingOverview;
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
                        <div class="table-scroll">
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

fn spending_chart(overview: &SpendingOverview, dark: bool) -> Chart {
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
                .name("Mio. €")
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
                    .map_or(0.0, |(_, euros, _)| euros / 1_000_000.0)
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

#[component]
pub fn SozialausgabenPage() -> impl IntoView {
    let app = use_app();
    let backend = app.backend;
    let data_version = app.data_version;
    let overview = LocalResource::new(move || {
        data_version.track();
        async move { backend.call::<SpendingGet>(NoArgs {}).await }
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
            let style = NumberStyle {
                axis: ValueAxis::Y,
                decimals: 1,
                unit: "Mio. €".into(),
                absolute: false,
            };
            view! {
                <section class="card">
                    <h2 data-testid="spending-title">{headline}</h2>
                    <EChart id="spending-chart" chart=spending_chart(&overview, false) dark_chart=spending_chart(&overview, true) height=520 description=description style=style testid="spending-chart"/>
                    <details class="table-details">
                        <summary>"Sozialausgaben als Tabelle"</summary>
                        <table class="values">
                            <thead><tr><th scope="col">"Jahr"</th><th scope="col">"netto"</th><th scope="col">"je Einwohner"</th><th scope="col">"Anteil am Gesamthaushalt"</th></tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </details>
                </section>
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
