//! The digital Sozialbericht: one indicator as map, time series, ranking, table and sources.
//! The whole view (indicator, year, selected areas, tab, classification) lives in the route's
//! query (`fokus_model::view::ExplorerView`), so leaving and returning, back and forward,
//! reload, restart and a copied link all show the same view.

use fokus_model::api::TableQuery;
use fokus_model::ipc::{CatalogGet, IndicatorTableGet, NoArgs};
use fokus_model::view::{
    ExplorerView, Level, Method, Reference, Tab, View, MAX_AREAS, MAX_CLASSES, MIN_CLASSES,
};
use fokus_model::{AreaSeries, Catalog, Cell, Indicator, IndicatorTable, Polarity};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use crate::app::{use_app, DemoBanner};
use crate::components::choropleth::{has_gemeinden, level_label, map_frame, Choropleth, Legend};
use crate::components::icon::{Icon, IconName};
use crate::components::merken::Merken;
use crate::components::scroll_table::ScrollTable;
use crate::components::series_chart::SeriesChart;
use crate::components::share::{link_of, save_image, ShareBar};
use crate::components::year_controls::{YearControls, YearPart};
use crate::explorer::{self, map_svg, paint, ranking, series_svg, ImageMeta};
use crate::format;
use fokus_model::personal::Subject;

/// The explorer's state from the route, and a way to change it (a new history entry).
#[derive(Clone, Copy)]
struct ViewState {
    view: Memo<ExplorerView>,
    navigate: Callback<ExplorerView>,
}

impl ViewState {
    fn update(self, change: impl FnOnce(&mut ExplorerView)) {
        let mut next = self.view.get_untracked();
        change(&mut next);
        self.navigate.run(next);
    }
}

#[component]
pub fn SozialberichtPage() -> impl IntoView {
    view! { <Explorer beside=false/> }
}

/// The query key that opens the explorer beside a text (split view).
pub const BESIDE_KEY: &str = "daneben";

/// The explorer. `beside`: in the split view next to a report or a recommendation, where its
/// view lives in the query of that page (with `daneben=karte`) and its heading is a level lower.
#[component]
pub fn Explorer(beside: bool) -> impl IntoView {
    let app = use_app();
    let backend = app.backend;
    let data_version = app.data_version;
    let location = use_location();
    let navigate = use_navigate();
    let view = Memo::new(move |_| ExplorerView::parse(&location.search.get()));
    let state = ViewState {
        view,
        navigate: Callback::new(move |next: ExplorerView| {
            if beside {
                let query = next.query();
                let separator = if query.is_empty() { "" } else { "&" };
                // The text page's own keys (report year, filters) stay.
                let own: String = crate::beschluss::pairs(&location.search.get_untracked())
                    .into_iter()
                    .filter(|(key, _)| crate::pages::content::PAGE_KEYS.contains(&key.as_str()))
                    .map(|(key, value)| format!("&{key}={}", fokus_model::view::encode(&value)))
                    .collect();
                let path = format!(
                    "{}?{query}{separator}{BESIDE_KEY}=karte{own}",
                    location.pathname.get_untracked()
                );
                navigate(
                    &path,
                    NavigateOptions {
                        scroll: false,
                        ..NavigateOptions::default()
                    },
                );
            } else {
                // A tap on the map, a tab or a picker changes the view, never the scroll
                // position: the answer appears where the finger is.
                navigate(
                    &View::Explorer(next).path(),
                    NavigateOptions {
                        scroll: false,
                        ..NavigateOptions::default()
                    },
                );
            }
        }),
    };

    let catalog = LocalResource::new(move || {
        data_version.track();
        async move { backend.call::<CatalogGet>(NoArgs {}).await }
    });
    let loaded_catalog = move || catalog.get().and_then(Result::ok);
    let level = Memo::new(move |_| view.get().level);
    // Memos, so that a change of the view that keeps indicator and year (an area selected on
    // the map) neither refetches the table nor redraws the map (the keyboard focus stays). The
    // view is read before the catalogue: the app test once saw the table stay on the previous
    // indicator when a pick coincided with new data arriving, and a subscriber that reads a
    // derived value before its source can miss the source's change (seen with the display
    // settings, see `app.rs`).
    let indicator_id = Memo::new(move |_| {
        let wanted = view.get().indicator;
        let catalog = loaded_catalog()?;
        // A link may name a retired indicator: its values are still there.
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
    let table = LocalResource::new(move || {
        data_version.track();
        let query = indicator_id.get().map(|indicator| TableQuery {
            indicator,
            level: level.get(),
        });
        async move {
            match query {
                Some(query) => Some(backend.call::<IndicatorTableGet>(query).await),
                None => None,
            }
        }
    });
    let loaded_table = move || table.get().flatten().and_then(Result::ok);
    // A table of another indicator than the one asked for is an answer that arrived late (a
    // fetch started by new data, overtaken by a pick): fetch again, so the view never stays on
    // the previous indicator (seen now and then in the web and app tests).
    Effect::new(move |_| {
        let wanted = indicator_id.get();
        let arrived = table
            .get()
            .flatten()
            .and_then(Result::ok)
            .map(|table| table.indicator.id);
        if let (Some(wanted), Some(arrived)) = (wanted, arrived) {
            if wanted != arrived {
                table.refetch();
            }
        }
    });
    // The map's areas follow the table that arrived, not the level asked for: while the next
    // level's values load, the map keeps showing the previous level with its own values.
    let table_level = Memo::new(move |_| {
        table
            .get()
            .flatten()
            .and_then(Result::ok)
            .map_or(level.get(), |table| table.level)
    });
    let frame = Memo::new(move |_| {
        loaded_catalog().and_then(|catalog| map_frame(&catalog, table_level.get()))
    });
    // The chosen year while the indicator has it; otherwise its latest.
    let year = Memo::new(move |_| {
        let wanted = view.get().year;
        let table = loaded_table()?;
        wanted
            .filter(|year| table.years.contains(year))
            .or_else(|| table.years.last().copied())
    });
    Effect::new(move |_| {
        if let Some(id) = indicator_id.get() {
            remember_recent(&id);
        }
    });

    // The pickers are built from what they offer, not from the whole catalogue: a sync that
    // brings only new values leaves them (and what someone is typing into the search) alone.
    let choices = Memo::new(move |_| loaded_catalog().map(|catalog| Choices::of(&catalog)));
    let years = Memo::new(move |_| loaded_table().map(|table| table.years));
    // What the indicator search in "Einstellen" has typed; it filters the list in the bar.
    let query = RwSignal::new(String::new());
    // "Einstellen" opens over the view like a menu: a tap outside it or Esc closes it, so the
    // map it covered is free again once a level or year is chosen.
    let close_adjust = |event_target: Option<web_sys::EventTarget>| {
        use wasm_bindgen::JsCast;
        let Some(details) = document()
            .query_selector("details.adjust[open]")
            .ok()
            .flatten()
            .and_then(|element| element.dyn_into::<web_sys::HtmlDetailsElement>().ok())
        else {
            return;
        };
        let inside = event_target
            .and_then(|target| target.dyn_into::<web_sys::Node>().ok())
            .is_some_and(|node| details.contains(Some(&node)));
        if !inside {
            details.set_open(false);
        }
    };
    let outside_click =
        window_event_listener(leptos::ev::click, move |event| close_adjust(event.target()));
    let escape = window_event_listener(leptos::ev::keydown, move |event| {
        if event.key() == "Escape" {
            close_adjust(None);
        }
    });
    on_cleanup(move || {
        outside_click.remove();
        escape.remove();
    });
    let controls = move || {
        choices.get().map(|choices| {
            let Choices {
                indicators,
                areas,
                levels,
            } = choices;
            let on_year = Callback::new(move |year: u16| state.update(|view| view.year = Some(year)));
            view! {
                <IndicatorPicker indicators=indicators.clone() current=indicator_id state=state query=query/>
                {move || years.get().map(|years| view! { <YearControls years=years current=Signal::from(year) on_year=on_year part=YearPart::Pick/> })}
                <details class="adjust" data-testid="adjust">
                    <summary class="button secondary" data-testid="adjust-toggle">"Einstellen"</summary>
                    <div class="adjust-panel">
                        <IndicatorSearch indicators=indicators areas=areas state=state query=query/>
                        <LevelPicker levels=levels state=state/>
                        {move || years.get().map(|years| view! { <YearControls years=years current=Signal::from(year) on_year=on_year part=YearPart::Slider/> })}
                    </div>
                </details>
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
    let tabs = move || {
        let current = view.get().tab;
        Tab::ALL
            .into_iter()
            .map(|tab| {
                view! {
                    <button
                        role="tab"
                        class="tab"
                        id=format!("tab-{}", tab.slug())
                        aria-selected=(tab == current).to_string()
                        aria-controls="tab-panel"
                        data-testid=format!("tab-{}", tab.slug())
                        on:click=move |_| state.update(|view| view.tab = tab)
                    >{tab.label_de()}</button>
                }
            })
            .collect_view()
    };
    // The panel is rebuilt when the tab changes, not on every change of the view (a selection
    // on the map must keep the keyboard focus where it is).
    let tab = Memo::new(move |_| view.get().tab);
    let panel = move || {
        let table = match table.get().flatten() {
            Some(Ok(table)) => table,
            Some(Err(error)) => {
                return view! { <p class="error" role="alert">{error.message}</p> }.into_any()
            }
            None => return view! { <p class="loading">"Daten werden geladen …"</p> }.into_any(),
        };
        let Some(year) = year.get() else {
            return view! { <p class="notice">"Für diese Kennzahl liegen noch keine Werte vor."</p> }.into_any();
        };
        let dataset = loaded_catalog().and_then(|catalog| catalog.dataset);
        match tab.get() {
            Tab::Karte => {
                view! { <MapTab table=table year=year frame=frame.get() state=state dataset=dataset/> }.into_any()
            }
            Tab::Zeitreihe => view! { <SeriesTab table=table state=state dataset=dataset/> }.into_any(),
            Tab::Rangfolge => view! { <RankingTab table=table year=year state=state/> }.into_any(),
            Tab::Tabelle => view! { <TableTab table=table year=year state=state/> }.into_any(),
            Tab::Quellen => view! { <SourcesTab table=table dataset=dataset/> }.into_any(),
        }
    };
    let share = move || {
        let table = loaded_table()?;
        let dataset = loaded_catalog().and_then(|catalog| catalog.dataset);
        let current = view.get();
        let link_view = View::Explorer(ExplorerView {
            indicator: Some(table.indicator.id.clone()),
            year: year.get(),
            ..current
        });
        let title = format!(
            "{} {}, {}",
            table.indicator.name,
            year.get().map(|year| year.to_string()).unwrap_or_default(),
            current_tab_label(&link_view)
        );
        let subject = Some(Subject::Indicator(table.indicator.id.clone()));
        let indicator = table.indicator.id.clone();
        Some(view! {
            <ShareBar view=link_view.clone() table=Some(table) dataset=dataset/>
            <Merken path=link_view.path() title=title subject=subject/>
            <RecommendationLinks indicator=indicator/>
        })
    };

    view! {
        <div class="page-head">
            {if beside {
                view! { <h2 class="side-title">"Sozialbericht daneben"</h2> }.into_any()
            } else {
                view! { <h1 class="page-title explorer-title">"Sozialbericht"</h1> }.into_any()
            }}
            <DemoBanner/>
        </div>
        {empty_or_error}
        <div class="controls control-bar">{controls}</div>
        <div class="tab-bar">
            <div role="tablist" aria-label="Darstellung" class="tabs">{tabs}</div>
        </div>
        <section class="card tab-panel" id="tab-panel" role="tabpanel" data-testid="tab-panel">
            {panel}
        </section>
        // Below the view, as OWID's grapher has them: share, export, note.
        <div class="view-actions">{share}</div>
    }
}

/// "2 Empfehlungen zu dieser Kennzahl": the way from the data to the Handlungsempfehlungen that
/// address it (they link back to the indicator).
#[component]
fn RecommendationLinks(indicator: String) -> impl IntoView {
    let app = use_app();
    let recommendations = LocalResource::new(move || {
        app.data_version.track();
        async move {
            app.backend
                .call::<fokus_model::ipc::ContentList>(fokus_model::api::ContentQuery {
                    kind: Some(fokus_model::content::ContentKind::Empfehlung),
                })
                .await
                .ok()
        }
    });
    move || {
        let count = recommendations
            .get()
            .flatten()?
            .iter()
            .filter(|item| {
                matches!(&item.details, fokus_model::content::ContentDetails::Empfehlung { indicators, .. } if indicators.contains(&indicator))
            })
            .count();
        (count > 0).then(|| {
            let href = format!(
                "{}?zu={}",
                fokus_model::news::Page::Empfehlungen.path(),
                fokus_model::view::encode(&indicator)
            );
            let text = if count == 1 {
                "1 Empfehlung zu dieser Kennzahl".to_owned()
            } else {
                format!("{count} Empfehlungen zu dieser Kennzahl")
            };
            view! { <a class="button secondary" href=href data-testid="indicator-recommendations">{text}</a> }
        })
    }
}

/// The tab of an explorer view, for the title of a note.
fn current_tab_label(view: &View) -> &'static str {
    match view {
        View::Explorer(explorer) => explorer.tab.label_de(),
        _ => "",
    }
}

/// The areas the views show: the deployment's map areas or its Gemeinden (where the catalogue
/// has their boundaries).
#[component]
fn LevelPicker(levels: Option<[String; 2]>, state: ViewState) -> impl IntoView {
    let Some(labels) = levels else {
        return ().into_any();
    };
    let view = state.view;
    let options = [Level::Map, Level::Gemeinde]
        .into_iter()
        .zip(labels)
        .map(|(level, label)| {
            let selected = move || view.get().level == level;
            view! { <option value=level.slug() selected=selected>{label}</option> }
        })
        .collect_view();
    view! {
        <label class="field">
            <span>"Gebiete"</span>
            <select class="level" data-testid="level-select" on:change=move |event| {
                let level = if event_target_value(&event) == Level::Gemeinde.slug() { Level::Gemeinde } else { Level::Map };
                // The selected areas belong to the other level.
                state.update(|view| { view.level = level; view.areas.clear(); });
            }>{options}</select>
        </label>
    }
    .into_any()
}

/// What the pickers offer: the current indicators, the areas the search finds (id, name,
/// folded name), and the two levels in words where the catalogue can draw Gemeinden.
#[derive(Debug, Clone, PartialEq)]
struct Choices {
    indicators: Vec<Indicator>,
    areas: Vec<(String, String, String)>,
    levels: Option<[String; 2]>,
}

impl Choices {
    fn of(catalog: &Catalog) -> Choices {
        Choices {
            indicators: catalog
                .indicators
                .iter()
                .filter(|indicator| !indicator.retired)
                .cloned()
                .collect(),
            areas: catalog
                .areas
                .iter()
                .filter(|area| !area.retired)
                .map(|area| {
                    (
                        area.id.clone(),
                        area.name.clone(),
                        explorer::fold(&area.name),
                    )
                })
                .collect(),
            levels: has_gemeinden(catalog).then(|| {
                [
                    level_label(catalog, Level::Map),
                    level_label(catalog, Level::Gemeinde),
                ]
            }),
        }
    }
}

const RECENT_KEY: &str = "fokus.zuletzt";
const N_RECENT: usize = 5;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The indicators used last, newest first (kept on this device only).
fn recent() -> Vec<String> {
    storage()
        .and_then(|storage| storage.get_item(RECENT_KEY).ok().flatten())
        .map(|list| {
            list.split(',')
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn remember_recent(id: &str) {
    let mut list = recent();
    list.retain(|known| known != id);
    list.insert(0, id.to_owned());
    list.truncate(N_RECENT);
    if let Some(storage) = storage() {
        let _ = storage.set_item(RECENT_KEY, &list.join(","));
    }
}

/// The list of indicators, filtered by the search in "Einstellen" (`query`): recently used
/// first, then by Handlungsfeld in the report's order. The current one stays selectable even
/// when the search hides it.
#[component]
fn IndicatorPicker(
    indicators: Vec<Indicator>,
    current: Memo<Option<String>>,
    state: ViewState,
    query: RwSignal<String>,
) -> impl IntoView {
    let options = move || {
        let text = query.get();
        let matching: Vec<&Indicator> = indicators
            .iter()
            .filter(|indicator| explorer::matches(indicator, &text))
            .collect();
        let mut groups: Vec<(String, Vec<&Indicator>)> = Vec::new();
        if text.trim().is_empty() {
            // Those used before the current one.
            let recent: Vec<&Indicator> = recent()
                .iter()
                .filter(|id| Some(*id) != current.get().as_ref())
                .filter_map(|id| {
                    matching
                        .iter()
                        .copied()
                        .find(|indicator| &indicator.id == id)
                })
                .collect();
            if !recent.is_empty() {
                groups.push(("Zuletzt verwendet".to_owned(), recent));
            }
        }
        // Each indicator once: the recently used ones only in their group.
        let in_recent: Vec<String> = groups
            .first()
            .map(|(_, list)| list.iter().map(|indicator| indicator.id.clone()).collect())
            .unwrap_or_default();
        let first_field = groups.len();
        for indicator in matching
            .iter()
            .filter(|indicator| !in_recent.contains(&indicator.id))
        {
            match groups[first_field..]
                .iter_mut()
                .find(|(field, _)| *field == indicator.handlungsfeld)
            {
                Some((_, list)) => list.push(indicator),
                None => groups.push((indicator.handlungsfeld.clone(), vec![indicator])),
            }
        }
        let current_id = current.get();
        let shown = matching
            .iter()
            .any(|indicator| Some(&indicator.id) == current_id.as_ref());
        let hidden_current = (!shown)
            .then(|| indicators.iter().find(|indicator| Some(&indicator.id) == current_id.as_ref()))
            .flatten()
            .map(|indicator| view! { <option value=indicator.id.clone() selected=true>{indicator.name.clone()}</option> });
        let groups = groups
            .into_iter()
            .map(|(field, list)| {
                let options = list
                    .into_iter()
                    .map(|indicator| {
                        let selected = Some(&indicator.id) == current_id.as_ref();
                        view! { <option value=indicator.id.clone() selected=selected>{indicator.name.clone()}</option> }
                    })
                    .collect_view();
                view! { <optgroup label=field>{options}</optgroup> }
            })
            .collect_view();
        view! { {hidden_current}{groups} }
    };
    view! {
        <label class="field field-indicator">
            <span>"Kennzahl"</span>
            <select data-testid="indicator-select" on:change=move |event| choose_indicator(state, event_target_value(&event))>
                {options}
            </select>
        </label>
    }
}

fn choose_indicator(state: ViewState, id: String) {
    state.update(|view| {
        view.indicator = Some(id);
        view.year = None;
    })
}

/// A search field over the indicators (name, short name, Handlungsfeld, definition; umlauts and
/// case folded) that filters the list in the bar; Enter takes the first match. Areas are found
/// by the same field: a name leads to the area's profile.
#[component]
fn IndicatorSearch(
    indicators: Vec<Indicator>,
    areas: Vec<(String, String, String)>,
    state: ViewState,
    query: RwSignal<String>,
) -> impl IntoView {
    let area_hits = move || {
        let text = explorer::fold(query.get().trim());
        if text.chars().count() < 2 {
            return None;
        }
        let hits: Vec<_> = areas
            .iter()
            .filter(|(_, _, folded)| folded.contains(&text))
            .take(6)
            .map(|(id, name, _)| {
                let link = View::Profile { area: id.clone(), year: None }.path();
                view! { <li><a href=link data-testid=format!("area-hit-{id}")>{name.clone()}</a></li> }
            })
            .collect();
        (!hits.is_empty()).then(|| {
            view! {
                <div class="area-hits" data-testid="area-hits">
                    <span>"Gebietsprofil: "</span>
                    <ul>{hits}</ul>
                </div>
            }
        })
    };
    let all = indicators.clone();
    let count = move || {
        let text = query.get();
        indicators
            .iter()
            .filter(|indicator| explorer::matches(indicator, &text))
            .count()
    };
    let take_first = move |event: web_sys::KeyboardEvent| {
        if event.key() != "Enter" {
            return;
        }
        let text = query.get_untracked();
        if let Some(first) = all
            .iter()
            .find(|indicator| explorer::matches(indicator, &text))
        {
            choose_indicator(state, first.id.clone());
        }
    };
    view! {
        <div class="finder">
            <label class="field">
                <span>"Kennzahl suchen"</span>
                <input
                    type="search"
                    class="search"
                    placeholder="z. B. arbeitslos, Ältere, Pflege"
                    data-testid="indicator-search"
                    prop:value=move || query.get()
                    on:input=move |event| query.set(event_target_value(&event))
                    on:keydown=take_first
                    aria-describedby="indicator-count"
                />
            </label>
            <p id="indicator-count" class="hint" aria-live="polite" data-testid="indicator-count">
                {move || format!("{} Kennzahlen gefunden", count())}
            </p>
            {area_hits}
        </div>
    }
}

/// The map tab: the map with names, the selected area's value card, the legend with counts and
/// the classification.
#[component]
fn MapTab(
    table: IndicatorTable,
    year: u16,
    frame: Option<crate::components::choropleth::MapFrame>,
    state: ViewState,
    dataset: Option<fokus_model::DatasetInfo>,
) -> impl IntoView {
    let view = state.view;
    let painted = Memo::new({
        let table = table.clone();
        move |_| paint(&table, year, &view.get())
    });
    let selected = Signal::derive(move || view.get().areas.first().cloned());
    // A click on the map selects one area; more are added for the time series in its tab.
    let on_select = Callback::new(move |area: String| state.update(|view| view.areas = vec![area]));
    let title = format!("{} {}", table.indicator.name, year);
    let indicator = table.indicator.clone();
    let table_for_map = table.clone();
    let table_for_card = table.clone();
    let table_for_list = table.clone();
    let table_for_export = table.clone();
    let frame_for_export = frame.clone();
    view! {
        <div class="map-layout">
            <div class="map-column">
                <h2 id="map-title" class="view-title" data-testid="map-title">{title}</h2>
                {move || view! {
                    <Choropleth table=table_for_map.clone() painted=painted.get() frame=frame.clone() selected=selected on_select=on_select/>
                }}
                <p class="hint map-hint">"Gebiet antippen oder anklicken, oder unten aus der Liste wählen; mit Tab oder den Pfeiltasten wechseln, mit der Eingabetaste wählen."</p>
                {move || view! { <Legend indicator=indicator.clone() painted=painted.get()/> }}
                <AreaList table=table_for_list.clone() selected=selected on_select=on_select/>
                <ClassificationControls state=state/>
                <MapExport table=table_for_export painted=painted frame=frame_for_export state=state dataset=dataset/>
            </div>
            <aside class="value-card" class:sheet=move || selected.get().is_some() aria-live="polite" data-testid="value-card" aria-label="Wert des gewählten Gebiets">
                {move || view! { <ValueCard table=table_for_card.clone() year=year area=selected.get() state=state/> }}
            </aside>
        </div>
    }
}

/// "Gebiet wählen": every area of the map as a list, for a finger that cannot hit a small area
/// and for anyone who looks for a name rather than a place.
#[component]
fn AreaList(
    table: IndicatorTable,
    selected: Signal<Option<String>>,
    on_select: Callback<String>,
) -> impl IntoView {
    let mut rows: Vec<(String, String)> = table
        .areas
        .iter()
        .map(|row| (row.area.clone(), row.name.clone()))
        .collect();
    rows.sort_by_key(|row| explorer::fold(&row.1));
    let options = rows
        .into_iter()
        .map(|(id, name)| {
            let id_for_selected = id.clone();
            let is_selected = move || selected.get().as_deref() == Some(id_for_selected.as_str());
            view! { <option value=id selected=is_selected>{name}</option> }
        })
        .collect_view();
    view! {
        <label class="field area-list">
            <span>"Gebiet wählen"</span>
            <select data-testid="area-select" on:change=move |event| {
                let area = event_target_value(&event);
                if !area.is_empty() { on_select.run(area) }
            }>
                <option value="" selected=move || selected.get().is_none()>"– Gebiet –"</option>
                {options}
            </select>
        </label>
    }
}

/// "Karte als SVG / PNG": the map as an image with its title, legend, source, Stand, the
/// geodata licence and the link drawn on it.
#[component]
fn MapExport(
    table: IndicatorTable,
    painted: Memo<crate::explorer::Painted>,
    frame: Option<crate::components::choropleth::MapFrame>,
    state: ViewState,
    dataset: Option<fokus_model::DatasetInfo>,
) -> impl IntoView {
    let app = use_app();
    let backend = app.backend;
    let status = RwSignal::new(None::<String>);
    let Some(frame) = frame else {
        return ().into_any();
    };
    let image = StoredValue::new((table, frame, dataset));
    let save = move |png: bool| {
        let (table, frame, dataset) = image.get_value();
        let painted = painted.get_untracked();
        let view = state.view.get_untracked();
        let link = link_of(
            &View::Explorer(ExplorerView {
                indicator: Some(table.indicator.id.clone()),
                year: Some(painted.year),
                ..view.clone()
            }),
            backend,
        );
        let indicator = &table.indicator;
        let stand = table
            .stand
            .map(format::date)
            .map(|date| format!(" · Datenstand {date}"))
            .unwrap_or_default();
        let meta = ImageMeta {
            title: format!("{} {}", indicator.name, painted.year),
            subtitle: format!(
                "in {} · {}",
                indicator.unit,
                dataset
                    .as_ref()
                    .map(|dataset| dataset.title.clone())
                    .unwrap_or_default()
            ),
            source: format!("Quelle: {}{stand}", indicator.source),
            attribution: dataset
                .as_ref()
                .map(|dataset| dataset.geodata_attribution.clone())
                .filter(|text| !text.is_empty())
                .map(|text| {
                    if text.contains("dl-de") {
                        format!("Karte: {text}")
                    } else {
                        format!("Karte: {text}, dl-de/by-2-0")
                    }
                })
                .unwrap_or_else(|| {
                    "Karte: © GeoBasis-DE / BKG (Daten verändert), dl-de/by-2-0".to_owned()
                }),
            link,
            inset_label: frame.inset_label.clone(),
        };
        let svg = map_svg(&frame.layout, &painted, &meta);
        let stem = format!("{}-{}-{}", indicator.id, painted.year, view.level.slug());
        leptos::task::spawn_local(async move {
            status.set(Some(save_image(backend, &stem, svg, png).await));
        });
    };
    view! {
        <div class="share map-export">
            <button class="button secondary" data-testid="export-svg" on:click=move |_| save(false)>"Karte als SVG"</button>
            <button class="button secondary" data-testid="export-png" on:click=move |_| save(true)>"Karte als PNG"</button>
            <p class="share-status" role="status" data-testid="map-export-status">{move || status.get()}</p>
        </div>
    }
    .into_any()
}

#[component]
fn ClassificationControls(state: ViewState) -> impl IntoView {
    let view = state.view;
    let methods = Method::ALL
        .into_iter()
        .map(|method| {
            let selected = move || view.get().method == method;
            view! { <option value=method.slug() selected=selected>{method.label_de()}</option> }
        })
        .collect_view();
    let counts = (MIN_CLASSES..=MAX_CLASSES)
        .map(|count| {
            let selected = move || view.get().classes == count;
            view! { <option value=count selected=selected>{count}</option> }
        })
        .collect_view();
    let references = [
        None,
        Some(Reference::Home),
        Some(Reference::Land),
        Some(Reference::Bund),
    ]
    .into_iter()
    .map(|reference| {
        let selected = move || view.get().diverging == reference;
        let (value, label) = match reference {
            None => ("", "keine (Klassen)"),
            Some(Reference::Home) => ("kreis", "Kreis"),
            Some(Reference::Land) => ("land", "Land"),
            Some(Reference::Bund) => ("bund", "Bund"),
        };
        view! { <option value=value selected=selected>{label}</option> }
    })
    .collect_view();
    view! {
        <details class="classification">
            <summary>"Einteilung der Farben"</summary>
            <div class="controls">
                <label class="field">
                    <span>"Klassen bilden nach"</span>
                    <select data-testid="class-method" on:change=move |event| {
                        let slug = event_target_value(&event);
                        state.update(|view| view.method = Method::ALL.into_iter().find(|method| method.slug() == slug).unwrap_or_default());
                    }>{methods}</select>
                </label>
                <label class="field">
                    <span>"Anzahl Klassen"</span>
                    <select data-testid="class-count" on:change=move |event| {
                        if let Ok(count) = event_target_value(&event).parse() { state.update(|view| view.classes = count) }
                    }>{counts}</select>
                </label>
                <label class="field">
                    <span>"Abweichung vom Wert für"</span>
                    <select data-testid="class-reference" on:change=move |event| {
                        let slug = event_target_value(&event);
                        state.update(|view| view.diverging = Reference::ALL.into_iter().find(|reference| reference.slug() == slug));
                    }>{references}</select>
                </label>
            </div>
        </details>
    }
}

/// The selected area's value beside the map (below it as a sheet on a narrow screen): value
/// with a sparkline, one sentence against the home area and the trend, rank, the references
/// with the differences in words, and the way on to its profile and time series.
#[component]
fn ValueCard(
    table: IndicatorTable,
    year: u16,
    area: Option<String>,
    state: ViewState,
) -> impl IntoView {
    let indicator = table.indicator.clone();
    let year_idx = table.year_idx(year);
    let cell_of = |row: &fokus_model::TableRow| year_idx.and_then(|idx| row.cell(idx));
    let references = table
        .references
        .iter()
        .map(|row| {
            let text = format::cell(cell_of(row), indicator.decimals, &indicator.unit);
            view! {
                <li data-testid=format!("reference-{}", row.area)>
                    <span class="ref-name">{row.name.clone()}</span>
                    <span class="ref-value">{text}</span>
                </li>
            }
        })
        .collect_view();
    let Some(row) = area.and_then(|area| table.areas.iter().find(|row| row.area == area)) else {
        return view! {
            <h2>"Vergleichswerte " {year}</h2>
            <ul class="references">{references}</ul>
            <p class="hint">"Ein Gebiet auf der Karte oder in der Liste wählen, um seinen Wert hier zu sehen."</p>
        }
        .into_any();
    };
    let cell = cell_of(row);
    let ranked = ranking(&table, year);
    let rank = ranked
        .iter()
        .find(|(_, ranked_row, _)| ranked_row.area == row.area)
        .map(|(rank, _, _)| {
            let first = match indicator.polarity {
                Polarity::Neutral => "höchster Wert",
                _ => "günstigster Wert",
            };
            format!("Rang {rank} von {} (1 = {first})", ranked.len())
        });
    let comparisons = cell.and_then(Cell::value).map(|value| {
        table
            .references
            .iter()
            .filter_map(|reference| {
                let reference_value = cell_of(reference)?.value()?;
                let comparison = explorer::compare(value, reference_value, &reference.name, &indicator);
                let class = match comparison.better {
                    Some(true) => "verdict better",
                    Some(false) => "verdict worse",
                    None => "verdict",
                };
                Some(view! {
                    <li>
                        {comparison.words}
                        {explorer::verdict_word(comparison.better).map(|word| view! { " – " <span class=class>{word}</span> })}
                    </li>
                })
            })
            .collect_view()
    });
    let summary = year_idx.and_then(|idx| explorer::card_summary(&table, row, idx));
    let sparkline = year_idx.map(|idx| sparkline(&table, row, idx));
    let suppressed_note = (cell == Some(Cell::Gap(fokus_model::Gap::Suppressed))).then(|| {
        let text = match indicator.min_cases {
            Some(min) => format!("Der Wert beruht auf weniger als {min} Fällen und wird zum Schutz der Betroffenen nicht gezeigt."),
            None => "Der Wert beruht auf zu wenigen Fällen und wird zum Schutz der Betroffenen nicht gezeigt.".to_owned(),
        };
        view! { <p class="hint">{text}</p> }
    });
    let area_id = row.area.clone();
    let profile = View::Profile {
        area: row.area.clone(),
        year: Some(year),
    }
    .path();
    // As a sheet on a narrow screen it shows the answer first (name, value, one sentence) and
    // keeps the map in view; "Mehr" unfolds the rest.
    let expanded = RwSignal::new(false);
    view! {
        <div class="card-top">
            <h2 data-testid="card-title">{row.name.clone()}</h2>
            <button class="button secondary icon card-close" data-testid="card-close" aria-label="Auswahl aufheben"
                on:click=move |_| state.update(|view| view.areas.clear())>
                <Icon name=IconName::Close/>
            </button>
        </div>
        <div class="card-figure">
            <p class="card-value" data-testid="card-value">{format::cell(cell, indicator.decimals, &indicator.unit)}</p>
            {sparkline}
        </div>
        {summary.map(|summary| view! { <p class="card-summary" data-testid="card-summary">{summary}</p> })}
        {suppressed_note}
        <p class="card-links">
            <a href=profile data-testid="card-profile">"Gebietsprofil öffnen"</a>
            <button class="button secondary" data-testid="card-series" on:click=move |_| {
                let area = area_id.clone();
                state.update(|view| {
                    if !view.areas.contains(&area) { view.areas.push(area); view.areas.truncate(MAX_AREAS); }
                    view.tab = Tab::Zeitreihe;
                });
            }>"Zeitreihe zeigen"</button>
        </p>
        <button class="button secondary card-expand" data-testid="card-expand" aria-expanded=move || expanded.get().to_string()
            aria-controls="card-more" on:click=move |_| expanded.update(|open| *open = !*open)>
            {move || if expanded.get() { "Weniger" } else { "Mehr: Rang und Vergleichswerte" }}
        </button>
        <div class="card-more" id="card-more" class:expanded=move || expanded.get()>
        <p class="hint">{format!("{} {year}", indicator.name)}</p>
        {rank.map(|rank| view! { <p data-testid="card-rank">{rank}</p> })}
        <ul class="comparisons" data-testid="card-comparisons">{comparisons}</ul>
        <h3>"Vergleichswerte"</h3>
        <ul class="references">{references}</ul>

        </div>
    }
    .into_any()
}

/// The area's values over the years up to the shown one as a small line, the home area's as a
/// dashed line; described in words for screen readers by the card's sentence.
fn sparkline(table: &IndicatorTable, row: &fokus_model::TableRow, upto: usize) -> impl IntoView {
    const WIDTH: f64 = 120.0;
    const HEIGHT: f64 = 36.0;
    let values: Vec<Option<f64>> = (0..=upto)
        .map(|idx| row.cell(idx).and_then(Cell::value))
        .collect();
    let home: Vec<Option<f64>> = table
        .references
        .first()
        .map(|home| {
            (0..=upto)
                .map(|idx| home.cell(idx).and_then(Cell::value))
                .collect()
        })
        .unwrap_or_default();
    let home_known: Vec<f64> = home.iter().flatten().copied().collect();
    let line = explorer::sparkline_points(&values, &home_known, WIDTH, HEIGHT);
    let values_known: Vec<f64> = values.iter().flatten().copied().collect();
    let home_line = explorer::sparkline_points(&home, &values_known, WIDTH, HEIGHT);
    let last = values
        .last()
        .copied()
        .flatten()
        .and_then(|value| explorer::sparkline_y(value, &values, &home_known, HEIGHT));
    (values_known.len() > 1).then(|| {
        view! {
            <svg class="card-spark" viewBox=format!("-4 -4 {} {}", WIDTH + 8.0, HEIGHT + 8.0) width="128" height="44" aria-hidden="true" data-testid="card-sparkline">
                <polyline points=home_line class="spark-home"/>
                <polyline points=line class="spark-area"/>
                {last.map(|y| view! { <circle cx=WIDTH cy=y r="3.5" class="spark-dot"/> })}
            </svg>
        }
    })
}

/// Up to five areas over the years against Kreis, Land and Bund.
#[component]
fn SeriesTab(
    table: IndicatorTable,
    state: ViewState,
    dataset: Option<fokus_model::DatasetInfo>,
) -> impl IntoView {
    let view = state.view;
    let areas = Memo::new(move |_| view.get().areas);
    // The list of areas stays open while areas are ticked in it (the tab redraws each time).
    let picker_open = RwSignal::new(false);
    move || series_tab(&table, areas.get(), state, dataset.clone(), picker_open)
}

/// "Diagramm als SVG / PNG": the time series as an image with title, unit, legend, source,
/// Stand and link drawn on it.
#[component]
fn ChartExport(
    series: AreaSeries,
    n_focus: usize,
    title: String,
    stand: Option<i64>,
    state: ViewState,
    dataset: Option<fokus_model::DatasetInfo>,
) -> impl IntoView {
    let backend = use_app().backend;
    let status = RwSignal::new(None::<String>);
    let image = StoredValue::new((series, title, dataset));
    let save = move |png: bool| {
        let (series, title, dataset) = image.get_value();
        let view = state.view.get_untracked();
        let link = link_of(&View::Explorer(view.clone()), backend);
        let indicator = &series.indicator;
        let stand = stand
            .map(format::date)
            .map(|date| format!(" · Datenstand {date}"))
            .unwrap_or_default();
        let meta = ImageMeta {
            title,
            subtitle: format!(
                "in {} · {}",
                indicator.unit,
                dataset.map(|dataset| dataset.title).unwrap_or_default()
            ),
            source: format!("Quelle: {}{stand}", indicator.source),
            attribution: String::new(),
            link,
            inset_label: String::new(),
        };
        let svg = series_svg(&series, n_focus, &meta);
        let stem = format!("{}-zeitreihe", indicator.id);
        leptos::task::spawn_local(async move {
            status.set(Some(save_image(backend, &stem, svg, png).await));
        });
    };
    view! {
        <div class="share chart-export">
            <button class="button secondary" data-testid="export-chart-svg" on:click=move |_| save(false)>"Diagramm als SVG"</button>
            <button class="button secondary" data-testid="export-chart-png" on:click=move |_| save(true)>"Diagramm als PNG"</button>
            <p class="share-status" role="status" data-testid="chart-export-status">{move || status.get()}</p>
        </div>
    }
}

fn series_tab(
    table: &IndicatorTable,
    chosen: Vec<String>,
    state: ViewState,
    dataset: Option<fokus_model::DatasetInfo>,
    picker_open: RwSignal<bool>,
) -> impl IntoView {
    let mut rows: Vec<&fokus_model::TableRow> = chosen
        .iter()
        .filter_map(|area| table.areas.iter().find(|row| &row.area == area))
        .collect();
    let focus_home = rows.is_empty();
    // Each line keeps its colour: areas by the order they were chosen in, the references by
    // their level (the Kreis red with or without areas beside it).
    let n_focus = rows.len();
    rows.extend(table.references.iter());
    let series = crate::explorer::series_of_rows(table, &rows);
    let names: Vec<String> = chosen
        .iter()
        .filter_map(|area| table.areas.iter().find(|row| &row.area == area))
        .map(|row| row.name.clone())
        .collect();
    let title = if focus_home {
        format!(
            "{}: {} im Vergleich",
            table.indicator.name,
            table
                .references
                .first()
                .map(|row| row.name.clone())
                .unwrap_or_default()
        )
    } else {
        format!(
            "{}: {} im Vergleich",
            table.indicator.name,
            names.join(", ")
        )
    };
    let title_for_export = title.clone();
    let full = chosen.len() >= MAX_AREAS;
    let mut by_name: Vec<&fokus_model::TableRow> = table.areas.iter().collect();
    by_name.sort_by_key(|row| crate::explorer::fold(&row.name));
    let choices = by_name
        .into_iter()
        .map(|row| {
            let area = row.area.clone();
            let checked = chosen.contains(&row.area);
            view! {
                <li>
                    <label class="check">
                        <input type="checkbox" checked=checked disabled=full && !checked data-testid=format!("series-area-{}", row.area)
                            on:change=move |event| {
                                let on = event_target_checked(&event);
                                let area = area.clone();
                                state.update(|view| {
                                    view.areas.retain(|known| *known != area);
                                    if on { view.areas.push(area); view.areas.truncate(MAX_AREAS); }
                                });
                            }/>
                        {row.name.clone()}
                    </label>
                </li>
            }
        })
        .collect_view();
    let chips = chosen
        .iter()
        .filter_map(|area| table.areas.iter().find(|row| &row.area == area))
        .map(|row| {
            let area = row.area.clone();
            view! {
                <li>
                    {row.name.clone()}
                    <button class="chip-remove" aria-label=format!("{} entfernen", row.name) data-testid=format!("remove-{}", row.area)
                        on:click=move |_| { let area = area.clone(); state.update(|view| view.areas.retain(|known| *known != area)) }>"×"</button>
                </li>
            }
        })
        .collect_view();
    let header = series
        .lines
        .iter()
        .map(|line| view! { <th scope="col">{line.name.clone()}</th> })
        .collect_view();
    let decimals = table.indicator.decimals;
    let body = table
        .years
        .iter()
        .enumerate()
        .map(|(idx, year)| {
            let cells = rows
                .iter()
                .map(|row| view! { <td>{format::bare(row.cell(idx), decimals)}</td> })
                .collect_view();
            view! { <tr><th scope="row">{*year}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <div class="series-head">
            <h2 id="chart-title" class="view-title" data-testid="chart-title">{title}</h2>
            <ul class="chips" aria-label="Gewählte Gebiete">{chips}</ul>
            <details class="area-picker" prop:open=move || picker_open.get()
                on:toggle=move |event| {
                    use wasm_bindgen::JsCast;
                    if let Some(details) = event.target().and_then(|target| target.dyn_into::<web_sys::HtmlDetailsElement>().ok()) {
                        picker_open.set(details.open());
                    }
                }>
                <summary class="button secondary" data-testid="series-pick">
                    {format!("Gebiete wählen ({} von {MAX_AREAS})", chosen.len())}
                </summary>
                <ul class="check-list" aria-label="Gebiete für die Zeitreihe">{choices}</ul>
            </details>
        </div>
        <SeriesChart series=series.clone() n_focus=n_focus/>
        <ChartExport series=series.clone() n_focus=n_focus title=title_for_export stand=table.stand state=state dataset=dataset/>
        <details class="table-details">
            <summary>"Zeitreihe als Tabelle"</summary>
            <ScrollTable label="Zeitreihe als Tabelle".to_owned()>
                <table class="values">
                    <thead><tr><th scope="col">"Jahr"</th>{header}</tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </ScrollTable>
        </details>
    }
}

/// All areas of the year as sorted bars, best first, with the references as lines.
#[component]
fn RankingTab(table: IndicatorTable, year: u16, state: ViewState) -> impl IntoView {
    let ranked = ranking(&table, year);
    let year_idx = table.year_idx(year);
    let indicator = table.indicator.clone();
    let references: Vec<(String, f64)> = table
        .references
        .iter()
        .filter_map(|row| {
            Some((
                row.name.clone(),
                year_idx.and_then(|idx| row.cell(idx))?.value()?,
            ))
        })
        .collect();
    let max = ranked
        .iter()
        .map(|(_, _, value)| *value)
        .chain(references.iter().map(|(_, value)| *value))
        .fold(0.0f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let share = move |value: f64| (value.max(0.0) / max * 100.0).clamp(0.0, 100.0);
    let view = state.view;
    let bars = ranked
        .iter()
        .map(|(rank, row, value)| {
            let area_for_class = row.area.clone();
            let is_selected = move || view.get().areas.first() == Some(&area_for_class);
            let area = row.area.clone();
            let lines = references
                .iter()
                .enumerate()
                .map(|(idx, (_, reference))| view! { <span class=format!("ref-line ref-{idx}") style=format!("left:{:.2}%", share(*reference))></span> })
                .collect_view();
            view! {
                <li class:selected=is_selected data-testid=format!("rank-{}", row.area)>
                    <span class="rank">{*rank}"."</span>
                    <button class="rank-name" on:click=move |_| {
                        let area = area.clone();
                        state.update(|view| { view.areas = vec![area]; view.tab = Tab::Karte; })
                    }>{row.name.clone()}</button>
                    <span class="bar-track">
                        <span class="bar" style=format!("width:{:.2}%", share(*value))></span>
                        {lines}
                    </span>
                    <span class="rank-value">{format::with_unit(&format::number(*value, indicator.decimals), &indicator.unit)}</span>
                </li>
            }
        })
        .collect_view();
    let key = references
        .iter()
        .enumerate()
        .map(|(idx, (name, value))| view! {
            <li><span class=format!("ref-key ref-{idx}")></span>{format!("{name}: {}", format::with_unit(&format::number(*value, indicator.decimals), &indicator.unit))}</li>
        })
        .collect_view();
    let without = table.areas.len() - ranked.len();
    let order = match indicator.polarity {
        Polarity::HigherIsWorse => "niedrigster Wert zuerst (niedriger ist günstiger)",
        Polarity::HigherIsBetter => "höchster Wert zuerst (höher ist günstiger)",
        Polarity::Neutral => "höchster Wert zuerst",
    };
    view! {
        <h2 class="view-title" data-testid="ranking-title">{format!("Rangfolge {} {year}", indicator.name)}</h2>
        <p class="hint ranking-order">{format!("Sortiert: {order}.")}</p>
        <ol class="ranking" data-testid="ranking">{bars}</ol>
        <p class="hint">"Linien: Vergleichswerte."</p>
        <ul class="ref-keys">{key}</ul>
        {(without > 0).then(|| view! { <p class="hint">{format!("{without} Gebiete ohne Wert (keine Daten oder geheim gehalten) sind nicht gereiht.")}</p> })}
    }
}

/// Which column the table is sorted by: the name, or a year's values.
#[derive(Debug, Clone, Copy, PartialEq)]
enum SortBy {
    Name,
    Year(usize),
}

/// All areas × all years and the references, sortable by any column, with suppressed values
/// and gaps marked: the same numbers the map shows.
#[component]
fn TableTab(table: IndicatorTable, year: u16, state: ViewState) -> impl IntoView {
    let _ = state;
    let sort = RwSignal::new((SortBy::Name, true));
    let decimals = table.indicator.decimals;
    let unit = table.indicator.unit.clone();
    let years = table.years.clone();
    let header = {
        let years = years.clone();
        move || {
            let (by, ascending) = sort.get();
            let state_of = move |column: SortBy| {
                if by == column {
                    if ascending {
                        "ascending"
                    } else {
                        "descending"
                    }
                } else {
                    "none"
                }
            };
            let year_headers = years
                .iter()
                .enumerate()
                .map(|(idx, column_year)| {
                    let column = SortBy::Year(idx);
                    view! {
                        <th scope="col" aria-sort=state_of(column) class:current-year=*column_year == year>
                            <button class="sort" data-testid=format!("sort-{column_year}") on:click=move |_| sort.update(|(by, ascending)| { *ascending = if *by == column { !*ascending } else { true }; *by = column; })>
                                {column_year.to_string()}
                            </button>
                        </th>
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="col" aria-sort=state_of(SortBy::Name)>
                        <button class="sort" data-testid="sort-name" on:click=move |_| sort.update(|(by, ascending)| { *ascending = if *by == SortBy::Name { !*ascending } else { true }; *by = SortBy::Name; })>"Gebiet"</button>
                    </th>
                    {year_headers}
                </tr>
            }
        }
    };
    let areas = table.areas.clone();
    let body = move || {
        let (by, ascending) = sort.get();
        let mut rows = areas.clone();
        rows.sort_by(|a, b| {
            let order = match by {
                SortBy::Name => a.name.cmp(&b.name),
                // Areas without a value sort last either way.
                SortBy::Year(idx) => match (
                    a.cell(idx).and_then(Cell::value),
                    b.cell(idx).and_then(Cell::value),
                ) {
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    (Some(_), None) => return std::cmp::Ordering::Less,
                    (None, Some(_)) => return std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                },
            };
            if ascending {
                order
            } else {
                order.reverse()
            }
        });
        rows.iter()
            .map(|row| table_row(row, decimals, false, year))
            .collect_view()
    };
    let references = table
        .references
        .iter()
        .map(|row| table_row(row, decimals, true, year))
        .collect_view();
    view! {
        <h2 data-testid="table-title">{format!("{} in {unit}", table.indicator.name)}</h2>
        <p class="hint">"Spaltenkopf antippen zum Sortieren. „geheim“: weniger Fälle als die Mindestfallzahl (Datenschutz); „–“: keine Daten."</p>
        <ScrollTable label="Tabelle aller Gebiete und Jahre".to_owned()>
            <table class="values data-table" data-testid="data-table">
                <thead>{header}</thead>
                <tbody>{body}</tbody>
                <tbody class="reference-rows">{references}</tbody>
            </table>
        </ScrollTable>
    }
}

fn table_row(
    row: &fokus_model::TableRow,
    decimals: u8,
    reference: bool,
    year: u16,
) -> impl IntoView {
    let cells = row
        .cells
        .iter()
        .map(|cell| {
            let class = match cell {
                Some(Cell::Flagged { .. }) => "flagged",
                Some(Cell::Gap(fokus_model::Gap::Suppressed)) => "suppressed",
                Some(Cell::Gap(fokus_model::Gap::NoData)) | None => "gap",
                Some(Cell::Value(_)) => "",
            };
            let text = format::bare(*cell, decimals);
            view! { <td class=class>{text}</td> }
        })
        .collect_view();
    let profile = View::Profile {
        area: row.area.clone(),
        year: Some(year),
    }
    .path();
    view! {
        <tr class:reference=reference data-testid=format!("row-{}", row.area)>
            <th scope="row"><a href=profile>{row.name.clone()}</a></th>
            {cells}
        </tr>
    }
}

/// Definition, numerator and denominator, unit, source, Stand, polarity and how small numbers
/// are protected.
#[component]
fn SourcesTab(table: IndicatorTable, dataset: Option<fokus_model::DatasetInfo>) -> impl IntoView {
    let indicator = table.indicator.clone();
    let polarity = match indicator.polarity {
        Polarity::HigherIsBetter => "Ein höherer Wert ist günstiger.",
        Polarity::HigherIsWorse => "Ein niedrigerer Wert ist günstiger.",
        Polarity::Neutral => "Der Wert beschreibt, ohne zu bewerten.",
    };
    let suppression = match indicator.min_cases {
        Some(min) => format!("Werte, die auf weniger als {min} Fällen beruhen, werden nicht veröffentlicht („geheim gehalten“); der Server speichert die Zahl nicht."),
        None => "Werte, die auf zu wenigen Fällen beruhen, werden nach der Mindestfallzahl des Servers nicht veröffentlicht („geheim gehalten“); der Server speichert die Zahl nicht.".to_owned(),
    };
    let or_dash = |text: &str| {
        if text.is_empty() {
            "–".to_owned()
        } else {
            text.to_owned()
        }
    };
    let stand = table
        .stand
        .map(format::date)
        .unwrap_or_else(|| "unbekannt".to_owned());
    let years = match (table.years.first(), table.years.last()) {
        (Some(first), Some(last)) => format!("{first}–{last}"),
        _ => "–".to_owned(),
    };
    view! {
        <h2>{indicator.name.clone()}</h2>
        <dl class="sources" data-testid="sources">
            <dt>"Definition"</dt><dd>{or_dash(&indicator.definition)}</dd>
            <dt>"Zähler"</dt><dd>{or_dash(&indicator.numerator)}</dd>
            <dt>"Nenner"</dt><dd>{or_dash(&indicator.denominator)}</dd>
            <dt>"Einheit"</dt><dd>{indicator.unit.clone()}</dd>
            <dt>"Quelle"</dt><dd data-testid="sources-source">{or_dash(&indicator.source)}</dd>
            <dt>"Datenstand"</dt><dd data-testid="sources-stand">{stand}</dd>
            <dt>"Jahre"</dt><dd>{years}</dd>
            <dt>"Hinweise zur Reihe"</dt><dd data-testid="sources-notes">{if indicator.notes.is_empty() { "Keine Brüche oder Änderungen der Definition gemeldet.".to_owned() } else { indicator.notes.clone() }}</dd>
            {(!indicator.synonyms.is_empty()).then(|| view! { <dt>"Auch genannt"</dt><dd>{indicator.synonyms.join(", ")}</dd> })}
            <dt>"Bewertung"</dt><dd>{polarity}</dd>
            <dt>"Handlungsfeld"</dt><dd>{indicator.handlungsfeld.clone()}</dd>
            <dt>"Datenschutz"</dt><dd>{suppression}</dd>
            <dt>"Zeichen"</dt><dd>"p = vorläufig, r = berichtigt, s = geschätzt, ( ) = eingeschränkt aussagekräftig"</dd>
            <dt>"Herausgeber"</dt><dd>{dataset.map(|dataset| dataset.title).unwrap_or_default()}</dd>
        </dl>
    }
}
