//! Editorial text with live figures and values (`fokus_model::directive`): the body's HTML is
//! split at its figure placeholders, each drawn from the cache as a chart or a map; inline
//! values are filled in from the cache once the text is on the page, and again after every sync.
//! A placeholder whose indicator or area the cache does not hold says so in words.

use std::collections::HashMap;

use fokus_model::api::{ApiError, TableQuery};
use fokus_model::directive::{split_figures, BodyPart, Directive};
use fokus_model::ipc::{CatalogGet, IndicatorTableGet, NoArgs};
use fokus_model::view::{ExplorerView, Level, View};
use fokus_model::{AreaSeries, IndicatorTable, TableRow};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::app::use_app;
use crate::backend::Backend;
use crate::components::choropleth::{map_frame, Choropleth, Legend};
use crate::components::series_chart::SeriesChart;
use crate::explorer::paint;
use crate::format;

/// The indicator's table at the map level, or at the Gemeinde level when `area` is a Gemeinde
/// the map level does not hold.
async fn table_with(
    backend: Backend,
    indicator: &str,
    area: Option<&str>,
) -> Result<IndicatorTable, ApiError> {
    let map = backend
        .call::<IndicatorTableGet>(TableQuery {
            indicator: indicator.to_owned(),
            level: Level::Map,
        })
        .await?;
    let held =
        |table: &IndicatorTable| area.is_none_or(|area| table.rows().any(|row| row.area == area));
    if held(&map) {
        return Ok(map);
    }
    backend
        .call::<IndicatorTableGet>(TableQuery {
            indicator: indicator.to_owned(),
            level: Level::Gemeinde,
        })
        .await
}

/// Text of a content item with its live figures and values.
#[component]
pub fn Prose(html: String) -> impl IntoView {
    let app = use_app();
    let container = NodeRef::<leptos::html::Div>::new();
    let parts = split_figures(&html)
        .into_iter()
        .map(|part| match part {
            BodyPart::Html(html) => {
                view! { <div class="prose-part" inner_html=html></div> }.into_any()
            }
            BodyPart::Figure(directive @ Directive::Chart { .. }) => {
                view! { <LiveChart directive=directive/> }.into_any()
            }
            BodyPart::Figure(directive @ Directive::Map { .. }) => {
                view! { <LiveMap directive=directive/> }.into_any()
            }
            BodyPart::Figure(Directive::Value { .. }) => ().into_any(),
        })
        .collect_view();
    // Inline values: read from the placeholders once they are in the page, filled from the
    // cache, refilled after each sync.
    Effect::new(move |_| {
        app.data_version.track();
        let Some(container) = container.get() else {
            return;
        };
        let Ok(found) = container.query_selector_all("a[data-fokus=\"wert\"]") else {
            return;
        };
        let mut elements = Vec::new();
        for index in 0..found.length() {
            use wasm_bindgen::JsCast;
            let Some(element) = found
                .get(index)
                .and_then(|node| node.dyn_into::<web_sys::Element>().ok())
            else {
                continue;
            };
            let names = element.get_attribute_names();
            let pairs: Vec<(String, String)> = (0..names.length())
                .filter_map(|position| names.get(position).as_string())
                .map(|name| {
                    let value = element.get_attribute(&name).unwrap_or_default();
                    (name, value)
                })
                .collect();
            if let Some(directive @ Directive::Value { .. }) = Directive::from_attributes(&pairs) {
                elements.push((element, directive));
            }
        }
        if elements.is_empty() {
            return;
        }
        spawn_local(async move {
            let mut tables: HashMap<(String, String), Result<IndicatorTable, ApiError>> =
                HashMap::new();
            for (element, directive) in elements {
                let Directive::Value {
                    indicator,
                    area,
                    year,
                } = &directive
                else {
                    continue;
                };
                let key = (indicator.clone(), area.clone());
                if !tables.contains_key(&key) {
                    let table = table_with(app.backend, indicator, Some(area)).await;
                    tables.insert(key.clone(), table);
                }
                let text = match &tables[&key] {
                    Ok(table) => value_text(table, area, *year),
                    Err(error) => Err(error.message.clone()),
                };
                match text {
                    Ok((value, label)) => {
                        element.set_text_content(Some(&value));
                        let _ = element.set_attribute("title", &label);
                        let _ = element.set_attribute("aria-label", &format!("{value}: {label}"));
                        let _ = element.remove_attribute("data-problem");
                    }
                    Err(problem) => {
                        let _ = element.set_attribute("data-problem", &problem);
                        let _ = element.set_attribute("title", &problem);
                    }
                }
            }
        });
    });
    view! { <div class="prose" node_ref=container>{parts}</div> }
}

/// "12,3 %" and what it is ("SGB-II-Quote, Kreis Pinneberg 2024"), or why there is none.
fn value_text(
    table: &IndicatorTable,
    area: &str,
    year: Option<u16>,
) -> Result<(String, String), String> {
    let row: &TableRow = table
        .rows()
        .find(|row| row.area == area)
        .ok_or_else(|| format!("Für dieses Gebiet gibt es keine Werte ({area})."))?;
    let year_idx = match year {
        Some(year) => table
            .year_idx(year)
            .ok_or_else(|| format!("Kein Wert für {year}."))?,
        // The indicator's latest year, the one its charts end with, so text and figure beside
        // it never disagree (a gap in that year says so rather than quoting an older value).
        None => table.years.len().checked_sub(1).ok_or("Noch kein Wert.")?,
    };
    let indicator = &table.indicator;
    let text = format::cell(row.cell(year_idx), indicator.decimals, &indicator.unit);
    let label = format!("{}, {} {}", indicator.name, row.name, table.years[year_idx]);
    Ok((text, label))
}

/// Why a figure cannot be drawn, in words, with the link to the explorer.
fn figure_problem(directive: &Directive, message: String) -> AnyView {
    let path = directive.view().path();
    view! {
        <figure class="live-figure card" data-testid="live-figure-problem">
            <p class="notice">{message}</p>
            <a href=path>"Im Sozialbericht öffnen"</a>
        </figure>
    }
    .into_any()
}

/// `::chart`: the indicator's time series, the first area in focus.
#[component]
fn LiveChart(directive: Directive) -> impl IntoView {
    let app = use_app();
    let Directive::Chart { indicator, areas } = directive.clone() else {
        return ().into_any();
    };
    let table = LocalResource::new(move || {
        app.data_version.track();
        let indicator = indicator.clone();
        let first = areas.iter().find(|area| !area.is_empty()).cloned();
        async move { table_with(app.backend, &indicator, first.as_deref()).await }
    });
    let directive_for_view = directive.clone();
    (move || {
        let directive = directive_for_view.clone();
        let Directive::Chart { areas, .. } = &directive else {
            return ().into_any();
        };
        match table.get() {
            None => view! { <p class="loading">"Lade Diagramm …"</p> }.into_any(),
            Some(Err(error)) => figure_problem(&directive, error.message),
            Some(Ok(table)) => {
                let Some((series, n_focus)) = series_of(&table, areas) else {
                    return figure_problem(&directive, "Für diese Gebiete gibt es keine Werte.".into());
                };
                let caption = format!(
                    "{}, {} – Quelle: {}. Aus den Daten dieser App.",
                    table.indicator.name, table.indicator.unit, table.indicator.source
                );
                let path = directive.view().path();
                view! {
                    <figure class="live-figure card" data-testid="live-chart">
                        <SeriesChart series=series n_focus=n_focus/>
                        <figcaption>{caption}" "<a href=path>"Im Sozialbericht öffnen"</a></figcaption>
                    </figure>
                }
                .into_any()
            }
        }
    })
    .into_any()
}

/// The lines of `areas` (in their order) from a table; the areas that are no reference are in
/// focus (at least the first line).
fn series_of(table: &IndicatorTable, areas: &[String]) -> Option<(AreaSeries, usize)> {
    let rows: Vec<&TableRow> = areas
        .iter()
        .filter_map(|area| table.rows().find(|row| &row.area == area))
        .collect();
    if rows.is_empty() {
        return None;
    }
    let n_focus = rows
        .iter()
        .filter(|row| {
            !table
                .references
                .iter()
                .any(|reference| reference.area == row.area)
        })
        .count()
        .max(1);
    // Lines in focus first, as the chart expects.
    let mut ordered: Vec<&TableRow> = rows
        .iter()
        .copied()
        .filter(|row| {
            !table
                .references
                .iter()
                .any(|reference| reference.area == row.area)
        })
        .collect();
    ordered.extend(rows.iter().copied().filter(|row| {
        table
            .references
            .iter()
            .any(|reference| reference.area == row.area)
    }));
    Some((crate::explorer::series_of_rows(table, &ordered), n_focus))
}

/// `::map`: the indicator's map in a year; a click on an area opens it in the explorer.
#[component]
pub fn LiveMap(directive: Directive) -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let Directive::Map { indicator, year } = directive.clone() else {
        return ().into_any();
    };
    let loaded = LocalResource::new(move || {
        app.data_version.track();
        let indicator = indicator.clone();
        async move {
            let catalog = app.backend.call::<CatalogGet>(NoArgs {}).await?;
            let table = table_with(app.backend, &indicator, None).await?;
            Ok::<_, ApiError>((catalog, table))
        }
    });
    let directive_for_view = directive.clone();
    (move || {
        let directive = directive_for_view.clone();
        match loaded.get() {
            None => view! { <p class="loading">"Lade Karte …"</p> }.into_any(),
            Some(Err(error)) => figure_problem(&directive, error.message),
            Some(Ok((catalog, table))) => {
                let shown = year
                    .filter(|year| table.years.contains(year))
                    .or_else(|| table.years.last().copied());
                let Some(shown) = shown else {
                    return figure_problem(&directive, "Für diese Kennzahl gibt es noch keine Werte.".into());
                };
                let explorer = ExplorerView {
                    indicator: Some(table.indicator.id.clone()),
                    year: Some(shown),
                    ..ExplorerView::new()
                };
                let painted = paint(&table, shown, &explorer);
                let frame = map_frame(&catalog, Level::Map);
                let navigate = navigate.clone();
                let on_select = Callback::new(move |area: String| {
                    let view = View::Explorer(ExplorerView {
                        areas: vec![area],
                        ..explorer.clone()
                    });
                    navigate(&view.path(), Default::default());
                });
                let caption = format!(
                    "{} {}, {} – Quelle: {}. Aus den Daten dieser App; ein Gebiet antippen öffnet es im Sozialbericht.",
                    table.indicator.name, shown, table.indicator.unit, table.indicator.source
                );
                let path = directive.view().path();
                let indicator = table.indicator.clone();
                let legend_painted = painted.clone();
                view! {
                    <figure class="live-figure live-map card" data-testid="live-map">
                        <Choropleth table=table painted=painted frame=frame selected=Signal::derive(|| None) on_select=on_select/>
                        <Legend indicator=indicator painted=legend_painted/>
                        <figcaption>{caption}" "<a href=path>"Im Sozialbericht öffnen"</a></figcaption>
                    </figure>
                }
                .into_any()
            }
        }
    })
    .into_any()
}
