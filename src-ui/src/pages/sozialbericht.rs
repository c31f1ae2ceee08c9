//! The digital Sozialbericht: pick an indicator and a year, read the map, select an area to
//! compare it with Kreis, Land and Bund over time.

use fokus_model::api::{MapQuery, SeriesQuery};
use fokus_model::ipc::{AreaSeriesGet, CatalogGet, MapValues, NoArgs};
use fokus_model::{AreaSeries, Catalog, Indicator, MapView};
use leptos::prelude::*;

use crate::app::use_app;
use crate::components::choropleth::{fill_for, map_frame, Choropleth, Legend, MapFrame};
use crate::components::series_chart::SeriesChart;
use crate::format;

#[component]
pub fn SozialberichtPage() -> impl IntoView {
    let app = use_app();
    let backend = app.backend;
    let data_version = app.data_version;
    let chosen_indicator = RwSignal::new(None::<String>);
    let chosen_year = RwSignal::new(None::<u16>);
    let selected_area = RwSignal::new(None::<String>);

    let catalog = LocalResource::new(move || {
        data_version.track();
        async move { backend.call::<CatalogGet>(NoArgs {}).await }
    });
    let loaded_catalog = move || catalog.get().and_then(Result::ok);
    let frame = Memo::new(move |_| loaded_catalog().and_then(|catalog| map_frame(&catalog)));
    // The deployment's own total (the Kreis of a county) is compared with the references until
    // an area is picked.
    let home_area = Memo::new(move |_| {
        loaded_catalog()
            .and_then(|catalog| catalog.dataset)
            .map(|dataset| dataset.home_area)
            .unwrap_or_default()
    });
    let indicator_id = Memo::new(move |_| {
        let catalog = loaded_catalog()?;
        let wanted = chosen_indicator.get();
        // A link or an earlier choice may name a retired indicator: its values are still there.
        let known = |id: &String| {
            catalog
                .indicators
                .iter()
                .any(|indicator| &indicator.id == id)
        };
        // Otherwise the first headline indicator (Leitkennzahl), else the first at all.
        wanted.filter(known).or_else(|| {
            let current = || {
                catalog
                    .indicators
                    .iter()
                    .filter(|indicator| !indicator.retired)
            };
            current()
                .find(|indicator| indicator.headline)
                .or(current().next())
                .map(|indicator| indicator.id.clone())
        })
    });
    // Keep the chosen year while the indicator has it; otherwise its latest year.
    let year = Memo::new(move |_| {
        let catalog = loaded_catalog()?;
        let years = catalog.years_of(&indicator_id.get()?).to_vec();
        chosen_year
            .get()
            .filter(|year| years.contains(year))
            .or_else(|| years.last().copied())
    });
    let map = LocalResource::new(move || {
        data_version.track();
        let query = indicator_id
            .get()
            .zip(year.get())
            .map(|(indicator, year)| MapQuery { indicator, year });
        async move {
            match query {
                Some(query) => Some(backend.call::<MapValues>(query).await),
                None => None,
            }
        }
    });
    let series = LocalResource::new(move || {
        data_version.track();
        let area = selected_area.get().unwrap_or_else(|| home_area.get());
        let query = indicator_id
            .get()
            .map(|indicator| SeriesQuery { indicator, area });
        async move {
            match query {
                Some(query) => Some(backend.call::<AreaSeriesGet>(query).await),
                None => None,
            }
        }
    });

    let controls = move || {
        loaded_catalog().map(|catalog| {
            let years = move || {
                let catalog = loaded_catalog()?;
                Some(catalog.years_of(&indicator_id.get()?).to_vec())
            };
            view! {
                <IndicatorPicker catalog=catalog current=indicator_id chosen=chosen_indicator/>
                {move || years().map(|years| view! { <YearPicker years=years current=year chosen=chosen_year/> })}
            }
        })
    };
    let demo_banner = move || {
        loaded_catalog()
            .and_then(|catalog| catalog.dataset)
            .filter(|dataset| dataset.demo)
            .map(|dataset| {
                view! {
                    <p class="demo-banner" role="note" data-testid="demo-banner">
                        <strong>"Demodaten: "</strong>{dataset.title}
                    </p>
                }
            })
    };
    let empty_or_error = move || {
        match catalog.get() {
        Some(Err(error)) => Some(view! { <p class="error" role="alert">{error.message}</p> }.into_any()),
        Some(Ok(catalog)) if catalog.indicators.is_empty() => Some(
            view! {
                <p class="notice" data-testid="empty-cache">
                    "Noch keine Daten gespeichert. Sobald eine Verbindung zum Server besteht, werden sie geladen."
                </p>
            }
            .into_any(),
        ),
        _ => None,
    }
    };

    view! {
        <h1 class="page-title">"Sozialbericht"</h1>
        {demo_banner}
        {empty_or_error}
        <div class="controls">{controls}</div>
        <div class="layout">
            <section class="card map-card" aria-labelledby="map-title">
                <Transition fallback=|| view! { <p class="loading">"Karte wird geladen …"</p> }>
                    {move || map.get().flatten().map(|result| match result {
                        Ok(view) => view! { <MapPanel view=view frame=frame.get() selected=selected_area/> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    })}
                </Transition>
            </section>
            <aside class="card side">
                <Transition fallback=|| ()>
                    {move || map.get().flatten().and_then(Result::ok).map(|view| view! { <ReferencePanel view=view/> })}
                </Transition>
            </aside>
        </div>
        <section class="card chart-card" aria-labelledby="chart-title">
            <Transition fallback=|| view! { <p class="loading">"Zeitreihe wird geladen …"</p> }>
                {move || series.get().flatten().map(|result| match result {
                    Ok(series) => view! { <SeriesPanel series=series selected=selected_area/> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn IndicatorPicker(
    catalog: Catalog,
    current: Memo<Option<String>>,
    chosen: RwSignal<Option<String>>,
) -> impl IntoView {
    let mut fields: Vec<(String, Vec<Indicator>)> = Vec::new();
    for indicator in catalog
        .indicators
        .into_iter()
        .filter(|indicator| !indicator.retired)
    {
        match fields
            .iter_mut()
            .find(|(field, _)| *field == indicator.handlungsfeld)
        {
            Some((_, list)) => list.push(indicator),
            None => fields.push((indicator.handlungsfeld.clone(), vec![indicator])),
        }
    }
    let groups = fields
        .into_iter()
        .map(|(field, indicators)| {
            let options = indicators
                .into_iter()
                .map(|indicator| {
                    let id = indicator.id.clone();
                    let is_current = move || current.get().as_deref() == Some(id.as_str());
                    view! { <option value=indicator.id.clone() selected=is_current>{indicator.name}</option> }
                })
                .collect_view();
            view! { <optgroup label=field>{options}</optgroup> }
        })
        .collect_view();
    view! {
        <label class="field">
            <span>"Kennzahl"</span>
            <select data-testid="indicator-select" on:change=move |event| chosen.set(Some(event_target_value(&event)))>
                {groups}
            </select>
        </label>
    }
}

#[component]
fn YearPicker(
    years: Vec<u16>,
    current: Memo<Option<u16>>,
    chosen: RwSignal<Option<u16>>,
) -> impl IntoView {
    let options = years
        .into_iter()
        .rev()
        .map(|year| {
            let is_current = move || current.get() == Some(year);
            view! { <option value=year selected=is_current>{year}</option> }
        })
        .collect_view();
    view! {
        <label class="field">
            <span>"Jahr"</span>
            <select data-testid="year-select" on:change=move |event| chosen.set(event_target_value(&event).parse().ok())>
                {options}
            </select>
        </label>
    }
}

#[component]
fn MapPanel(
    view: MapView,
    frame: Option<MapFrame>,
    selected: RwSignal<Option<String>>,
) -> impl IntoView {
    let title = format!("{} {}", view.indicator.name, view.year);
    let hint = "Gebiet anklicken oder mit Tab wählen und Eingabetaste drücken: Zeitreihe unten.";
    view! {
        <h2 id="map-title" data-testid="map-title">{title}</h2>
        <p class="hint">{hint}</p>
        <Choropleth view=view.clone() frame=frame selected=selected/>
        <Legend view=view/>
    }
}

#[component]
fn ReferencePanel(view: MapView) -> impl IntoView {
    let decimals = view.indicator.decimals;
    let unit = view.indicator.unit.clone();
    let rows = view
        .references
        .iter()
        .map(|reference| {
            let text = format::cell(reference.cell, decimals, &unit);
            view! {
                <li data-testid=format!("reference-{}", reference.area)>
                    <span class="ref-name">{reference.name.clone()}</span>
                    <span class="ref-value">{text}</span>
                </li>
            }
        })
        .collect_view();
    let table_rows = view
        .areas
        .iter()
        .map(|value| {
            let fill = fill_for(&view, value.cell);
            view! {
                <tr>
                    <th scope="row"><span class="swatch" style=format!("background:{fill}")></span>{value.name.clone()}</th>
                    <td>{format::cell(value.cell, decimals, &unit)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>"Vergleichswerte " {view.year}</h2>
        <ul class="references">{rows}</ul>
        <h3>"Definition"</h3>
        <p class="definition">{view.indicator.definition.clone()}</p>
        <p class="source">"Quelle: " {view.indicator.source.clone()}</p>
        <details class="table-details">
            <summary>"Alle Gebiete als Tabelle"</summary>
            <table class="values">
                <thead><tr><th scope="col">"Gebiet"</th><th scope="col">{view.indicator.short_name.clone()}</th></tr></thead>
                <tbody>{table_rows}</tbody>
            </table>
        </details>
    }
}

#[component]
fn SeriesPanel(series: AreaSeries, selected: RwSignal<Option<String>>) -> impl IntoView {
    let area_name = series
        .lines
        .first()
        .map(|line| line.name.clone())
        .unwrap_or_default();
    let decimals = series.indicator.decimals;
    let header = series
        .lines
        .iter()
        .map(|line| view! { <th scope="col">{line.name.clone()}</th> })
        .collect_view();
    let body = series
        .years
        .iter()
        .enumerate()
        .map(|(year_idx, year)| {
            let cells = series
                .lines
                .iter()
                .map(|line| {
                    let text = line
                        .points
                        .get(year_idx)
                        .and_then(|(_, value)| *value)
                        .map_or("–".to_owned(), |value| format::number(value, decimals));
                    view! { <td>{text}</td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{*year}</th>{cells}</tr> }
        })
        .collect_view();
    let reset = move |_| selected.set(None);
    view! {
        <div class="chart-head">
            <h2 id="chart-title" data-testid="chart-title">
                {format!("{}: {} im Vergleich", series.indicator.name, area_name)}
            </h2>
            {move || selected.get().map(|_| view! {
                <button class="button secondary" on:click=reset>"Zurück zur Gesamtansicht"</button>
            })}
        </div>
        <SeriesChart series=series.clone()/>
        <details class="table-details">
            <summary>"Zeitreihe als Tabelle"</summary>
            <table class="values">
                <thead><tr><th scope="col">"Jahr"</th>{header}</tr></thead>
                <tbody>{body}</tbody>
            </table>
        </details>
    }
}
