//! Area pages: the Gebietsprofil (one area with every indicator beside Kreis, Land and Bund,
//! with a trend line and the change since the previous year judged by polarity) and the
//! Vergleich (two to five areas side by side). Their state is in the route like the explorer's.

use fokus_model::api::ProfileQuery;
use fokus_model::ipc::{AreaProfileGet, CatalogGet, NoArgs};
use fokus_model::view::{ExplorerView, View, MAX_AREAS, PROFILE_PATH};
use fokus_model::{AreaProfile, Cell, Polarity, ProfileEntry};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use crate::app::use_app;
use crate::components::merken::Merken;
use crate::components::scroll_table::ScrollTable;
use crate::components::share::ShareBar;
use crate::format;
use fokus_model::personal::Subject;

/// A small trend line of the values over the years (gaps left open).
fn sparkline(entry: &ProfileEntry) -> impl IntoView {
    let values: Vec<Option<f64>> = entry
        .cells
        .iter()
        .map(|cell| cell.and_then(Cell::value))
        .collect();
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    let (min, max) = known
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), value| {
            (lo.min(*value), hi.max(*value))
        });
    let (width, height) = (96.0, 28.0);
    let step = if values.len() > 1 {
        width / (values.len() - 1) as f64
    } else {
        0.0
    };
    let span = if max > min { max - min } else { 1.0 };
    let mut path = String::new();
    let mut pen_down = false;
    for (idx, value) in values.iter().enumerate() {
        match value {
            Some(value) => {
                let x = idx as f64 * step;
                let y = height - 3.0 - (value - min) / span * (height - 6.0);
                path.push_str(&format!(
                    "{}{x:.1},{y:.1} ",
                    if pen_down { "L" } else { "M" }
                ));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    view! {
        <svg class="sparkline" viewBox=format!("0 0 {width} {height}") width="96" height="28" aria-hidden="true">
            <path d=path fill="none" stroke="currentColor" stroke-width="2"/>
        </svg>
    }
}

/// The change since the previous year with a verdict by polarity: better or worse, not up/down.
fn change(entry: &ProfileEntry, year: u16) -> (String, &'static str) {
    let current = entry.cell_in(year).and_then(Cell::value);
    let previous = entry
        .years
        .iter()
        .rev()
        .find(|known| **known < year)
        .and_then(|previous| entry.cell_in(*previous).and_then(Cell::value));
    let (Some(current), Some(previous)) = (current, previous) else {
        return ("–".to_owned(), "");
    };
    let difference = current - previous;
    let decimals = entry.indicator.decimals;
    if difference.abs() < 0.5 * 10f64.powi(-i32::from(decimals)) {
        return ("unverändert".to_owned(), "same");
    }
    let sign = if difference > 0.0 { "+" } else { "−" };
    let number = format!("{sign}{}", format::number(difference.abs(), decimals));
    let verdict = match (entry.indicator.polarity, difference > 0.0) {
        (Polarity::HigherIsBetter, true) | (Polarity::HigherIsWorse, false) => ("besser", "better"),
        (Polarity::HigherIsBetter, false) | (Polarity::HigherIsWorse, true) => {
            ("schlechter", "worse")
        }
        (Polarity::Neutral, _) => ("", ""),
    };
    if verdict.0.is_empty() {
        (number, "")
    } else {
        (format!("{number} ({})", verdict.0), verdict.1)
    }
}

#[component]
pub fn GebietPage() -> impl IntoView {
    let app = use_app();
    let backend = app.backend;
    let data_version = app.data_version;
    let location = use_location();
    let navigate = use_navigate();
    // The profile's area and year, read by the one view parser.
    let parsed = Memo::new(move |_| {
        match View::parse(&format!("{}?{}", PROFILE_PATH, location.search.get())) {
            Some(View::Profile { area, year }) => Some((area, year)),
            _ => None,
        }
    });

    let profile = LocalResource::new(move || {
        data_version.track();
        let query = parsed.get().map(|(area, year)| ProfileQuery { area, year });
        async move {
            match query {
                Some(query) => Some(backend.call::<AreaProfileGet>(query).await),
                None => None,
            }
        }
    });
    let content = move || match profile.get().flatten() {
        None => view! { <p class="loading">"Gebietsprofil wird geladen …"</p> }.into_any(),
        Some(Err(error)) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
        Some(Ok(profile)) => {
            let navigate = navigate.clone();
            let area = profile.area.clone();
            let pick_year = move |event| {
                let year = event_target_value(&event).parse().ok();
                navigate(
                    &View::Profile {
                        area: area.clone(),
                        year,
                    }
                    .path(),
                    NavigateOptions::default(),
                );
            };
            let years = profile
                .years
                .iter()
                .rev()
                .map(|known| view! { <option value=*known selected=*known == profile.year>{*known}</option> })
                .collect_view();
            let share_view = View::Profile {
                area: profile.area.clone(),
                year: Some(profile.year),
            };
            view! {
                <h1 class="page-title" data-testid="profile-title">{format!("Gebietsprofil {}", profile.name)}</h1>
                <div class="tab-bar">
                    <label class="field">
                        <span>"Jahr"</span>
                        <select data-testid="profile-year" on:change=pick_year>{years}</select>
                    </label>
                    <a class="button secondary" href=View::Compare { areas: vec![profile.area.clone()], field: None, year: Some(profile.year) }.path() data-testid="profile-compare">"Mit anderen Gebieten vergleichen"</a>
                    <ShareBar view=share_view.clone() table=None dataset=None/>
                    <Merken path=share_view.path() title=format!("Gebietsprofil {} {}", profile.name, profile.year)
                        subject=Some(Subject::Area(profile.area.clone()))/>
                </div>
                <ProfileTable profile=profile/>
            }
            .into_any()
        }
    };
    view! { <div class="profile">{content}</div> }
}

#[component]
fn ProfileTable(profile: AreaProfile) -> impl IntoView {
    let year = profile.year;
    let mut fields: Vec<(String, Vec<&ProfileEntry>)> = Vec::new();
    for entry in &profile.entries {
        match fields
            .iter_mut()
            .find(|(field, _)| *field == entry.indicator.handlungsfeld)
        {
            Some((_, list)) => list.push(entry),
            None => fields.push((entry.indicator.handlungsfeld.clone(), vec![entry])),
        }
    }
    let reference_headers = profile
        .references
        .iter()
        .map(|reference| view! { <th scope="col">{reference.name.clone()}</th> })
        .collect_view();
    let sections = fields
        .into_iter()
        .map(|(field, entries)| {
            let rows = entries
                .into_iter()
                .map(|entry| {
                    let indicator = &entry.indicator;
                    let link = View::Explorer(ExplorerView {
                        indicator: Some(indicator.id.clone()),
                        year: Some(year),
                        areas: vec![profile.area.clone()],
                        ..ExplorerView::new()
                    })
                    .path();
                    let references = entry
                        .references
                        .iter()
                        .map(|cell| view! { <td>{format::bare(*cell, indicator.decimals)}</td> })
                        .collect_view();
                    let (change_text, change_class) = change(entry, year);
                    view! {
                        <tr data-testid=format!("profile-{}", indicator.id)>
                            <th scope="row"><a href=link>{indicator.name.clone()}</a><span class="unit-note">{indicator.unit.clone()}</span></th>
                            <td class="profile-value">{format::bare(entry.cell_in(year), indicator.decimals)}</td>
                            {references}
                            <td class=format!("change {change_class}")>{change_text}</td>
                            <td class="trend">{sparkline(entry)}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <tbody>
                    <tr class="field-row"><th scope="colgroup" colspan="99">{field}</th></tr>
                    {rows}
                </tbody>
            }
        })
        .collect_view();
    view! {
        <p class="hint">{format!("{} Kennzahlen im Jahr {year}. Veränderung zum Vorjahr: „besser“ oder „schlechter“ je nach Bedeutung der Kennzahl.", profile.entries.len())}</p>
        <ScrollTable label="Gebietsprofil als Tabelle".to_owned()>
            <table class="values profile-table" data-testid="profile-table">
                <thead>
                    <tr>
                        <th scope="col">"Kennzahl"</th>
                        <th scope="col">{profile.name.clone()}</th>
                        {reference_headers}
                        <th scope="col">"Zum Vorjahr"</th>
                        <th scope="col">"Verlauf"</th>
                    </tr>
                </thead>
                {sections}
            </table>
        </ScrollTable>
    }
}

/// Two to five areas side by side over all indicators or one Handlungsfeld; the most and the
/// least favourable value of each row are marked (in words as well as colour).
#[component]
pub fn VergleichPage() -> impl IntoView {
    let app = use_app();
    let backend = app.backend;
    let data_version = app.data_version;
    let location = use_location();
    let navigate = use_navigate();
    let parsed =
        Memo::new(
            move |_| match View::parse(&format!("/vergleich?{}", location.search.get())) {
                Some(View::Compare { areas, field, year }) => (areas, field, year),
                _ => (Vec::new(), None, None),
            },
        );
    let go = Callback::new(
        move |(areas, field, year): (Vec<String>, Option<String>, Option<u16>)| {
            navigate(
                &View::Compare { areas, field, year }.path(),
                NavigateOptions::default(),
            );
        },
    );
    let catalog = LocalResource::new(move || {
        data_version.track();
        async move { backend.call::<CatalogGet>(NoArgs {}).await }
    });
    let profiles = LocalResource::new(move || {
        data_version.track();
        let (areas, _, year) = parsed.get();
        async move {
            let mut out = Vec::new();
            for area in areas {
                out.push(
                    backend
                        .call::<AreaProfileGet>(ProfileQuery { area, year })
                        .await?,
                );
            }
            Ok::<_, fokus_model::api::ApiError>(out)
        }
    });
    let picker = move || {
        let catalog = catalog.get().and_then(Result::ok)?;
        let (areas, field, year) = parsed.get();
        let dataset = catalog
            .dataset
            .clone()
            .unwrap_or_else(|| fokus_model::DatasetInfo::titled("", false));
        let choices = catalog
            .areas
            .iter()
            .filter(|area| !area.retired && !areas.contains(&area.id) && (dataset.is_map_kind(area.kind) || area.kind == fokus_model::AreaKind::Gemeinde))
            .map(|area| view! { <option value=area.id.clone()>{format!("{} ({})", area.name, area.kind.label_de())}</option> })
            .collect_view();
        let mut fields: Vec<String> = Vec::new();
        for indicator in &catalog.indicators {
            if !fields.contains(&indicator.handlungsfeld) {
                fields.push(indicator.handlungsfeld.clone());
            }
        }
        let field_options = fields
            .into_iter()
            .map(|name| {
                let selected = field.as_deref() == Some(name.as_str());
                view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
            })
            .collect_view();
        let full = areas.len() >= MAX_AREAS;
        let names = areas
            .iter()
            .map(|id| {
                let name = catalog.areas.iter().find(|area| &area.id == id).map(|area| area.name.clone()).unwrap_or_else(|| id.clone());
                let remaining: Vec<String> = areas.iter().filter(|known| *known != id).cloned().collect();
                let field = field.clone();
                view! {
                    <li>{name.clone()}
                        <button class="chip-remove" aria-label=format!("{name} entfernen") on:click=move |_| go.run((remaining.clone(), field.clone(), year))>"×"</button>
                    </li>
                }
            })
            .collect_view();
        let (areas_add, field_add) = (areas.clone(), field.clone());
        let areas_field = areas.clone();
        let (areas_year, field_year) = (areas.clone(), field.clone());
        let year_options = catalog
            .years
            .iter()
            .rev()
            .map(|known| view! { <option value=*known selected=year == Some(*known)>{*known}</option> })
            .collect_view();
        Some(view! {
            <div class="controls">
                <ul class="chips" aria-label="Gewählte Gebiete">{names}</ul>
                <label class="field">
                    <span>{format!("Gebiet hinzufügen (2 bis {MAX_AREAS})")}</span>
                    <select data-testid="compare-add" disabled=full on:change=move |event| {
                        let area = event_target_value(&event);
                        if !area.is_empty() {
                            let mut areas = areas_add.clone();
                            areas.push(area);
                            go.run((areas, field_add.clone(), year));
                        }
                    }>
                        <option value="">"– Gebiet wählen –"</option>
                        {choices}
                    </select>
                </label>
                <label class="field">
                    <span>"Handlungsfeld"</span>
                    <select data-testid="compare-field" on:change=move |event| {
                        let field = Some(event_target_value(&event)).filter(|field| !field.is_empty());
                        go.run((areas_field.clone(), field, year));
                    }>
                        <option value="">"alle"</option>
                        {field_options}
                    </select>
                </label>
                <label class="field">
                    <span>"Jahr"</span>
                    <select data-testid="compare-year" on:change=move |event| {
                        go.run((areas_year.clone(), field_year.clone(), event_target_value(&event).parse().ok()));
                    }>
                        <option value="">"neuestes"</option>
                        {year_options}
                    </select>
                </label>
            </div>
        })
    };
    let table = move || {
        let (areas, field, _) = parsed.get();
        if areas.len() < 2 {
            return view! { <p class="notice" data-testid="compare-hint">"Mindestens zwei Gebiete wählen, um sie zu vergleichen."</p> }.into_any();
        }
        match profiles.get() {
            None => view! { <p class="loading">"Vergleich wird geladen …"</p> }.into_any(),
            Some(Err(error)) => {
                view! { <p class="error" role="alert">{error.message}</p> }.into_any()
            }
            Some(Ok(profiles)) => {
                view! { <CompareTable profiles=profiles field=field/> }.into_any()
            }
        }
    };
    let share = move || {
        let (areas, field, year) = parsed.get();
        view! { <ShareBar view=View::Compare { areas, field, year } table=None dataset=None/> }
    };
    view! {
        <h1 class="page-title">"Gebiete vergleichen"</h1>
        {picker}
        <div class="tab-bar">{share}</div>
        <section class="card">{table}</section>
    }
}

#[component]
fn CompareTable(profiles: Vec<AreaProfile>, field: Option<String>) -> impl IntoView {
    let Some(first) = profiles.first() else {
        return ().into_any();
    };
    let year = first.year;
    let headers = profiles
        .iter()
        .map(|profile| view! { <th scope="col">{profile.name.clone()}</th> })
        .chain(
            first
                .references
                .first()
                .map(|reference| view! { <th scope="col">{reference.name.clone()}</th> }),
        )
        .collect_view();
    let rows = first
        .entries
        .iter()
        .enumerate()
        .filter(|(_, entry)| field.as_ref().is_none_or(|field| &entry.indicator.handlungsfeld == field))
        .map(|(entry_idx, entry)| {
            let indicator = &entry.indicator;
            let values: Vec<Option<Cell>> = profiles
                .iter()
                .map(|profile| profile.entries.get(entry_idx).and_then(|entry| entry.cell_in(year)))
                .collect();
            let numbers: Vec<f64> = values.iter().filter_map(|cell| cell.and_then(Cell::value)).collect();
            let best = match indicator.polarity {
                Polarity::HigherIsBetter => numbers.iter().copied().fold(None, |best: Option<f64>, value| Some(best.map_or(value, |best| best.max(value)))),
                Polarity::HigherIsWorse => numbers.iter().copied().fold(None, |best: Option<f64>, value| Some(best.map_or(value, |best| best.min(value)))),
                Polarity::Neutral => None,
            };
            let worst = match indicator.polarity {
                Polarity::HigherIsBetter => numbers.iter().copied().fold(None, |worst: Option<f64>, value| Some(worst.map_or(value, |worst| worst.min(value)))),
                Polarity::HigherIsWorse => numbers.iter().copied().fold(None, |worst: Option<f64>, value| Some(worst.map_or(value, |worst| worst.max(value)))),
                Polarity::Neutral => None,
            };
            let distinct = numbers.windows(2).any(|pair| pair[0] != pair[1]);
            let cells = values
                .iter()
                .map(|cell| {
                    let value = cell.and_then(Cell::value);
                    let (class, note) = match value {
                        Some(value) if distinct && Some(value) == best => ("best", " – günstigster"),
                        Some(value) if distinct && Some(value) == worst => ("worst", " – ungünstigster"),
                        _ => ("", ""),
                    };
                    view! { <td class=class>{format::bare(*cell, indicator.decimals)}<span class="mark">{note}</span></td> }
                })
                .collect_view();
            let home = entry.references.first().map(|cell| view! { <td class="reference">{format::bare(*cell, indicator.decimals)}</td> });
            view! { <tr data-testid=format!("compare-{}", indicator.id)><th scope="row">{indicator.name.clone()}<span class="unit-note">{indicator.unit.clone()}</span></th>{cells}{home}</tr> }
        })
        .collect_view();
    view! {
        <h2 data-testid="compare-title">{format!("Vergleich {year}")}</h2>
        <ScrollTable label="Vergleich als Tabelle".to_owned()>
            <table class="values compare-table" data-testid="compare-table">
                <thead><tr><th scope="col">"Kennzahl"</th>{headers}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollTable>
    }
    .into_any()
}
