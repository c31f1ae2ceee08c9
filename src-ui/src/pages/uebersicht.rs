//! The start page ("Übersicht"): what is new since the last visit (unread until opened), the
//! headline indicators of the home area with their latest value, change and the Land's value,
//! the data's Stand and the last sync in words, and where the person left off.

use fokus_model::api::{ChangesQuery, ProfileQuery};
use fokus_model::content::ContentKind;
use fokus_model::ipc::{AreaProfileGet, CatalogGet, ChangesSince, NoArgs};
use fokus_model::news::{ChangeList, Page};
use fokus_model::personal::Subject;
use fokus_model::view::{ExplorerView, Tab, View};
use fokus_model::{AreaKind, Catalog, Cell, Polarity};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

use crate::app::{use_app, DemoBanner};
use crate::backend::Backend;
use crate::format;
use crate::personal::change;

/// Items per kind shown before "alle anzeigen".
const SHOWN: usize = 6;

#[component]
pub fn UebersichtPage() -> impl IntoView {
    let app = use_app();
    let backend = app.backend;
    // A link from before the start page took `/` (`/?kennzahl=…`) still opens the explorer.
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        // Only while the address is still the root: on the way to another page the search
        // changes before this page is gone, and must not be taken for an old link.
        let search = location.search.get();
        if location.pathname.get() == "/" && !search.is_empty() {
            if let Some(view) = View::parse(&format!("/?{search}")) {
                navigate(
                    &view.path(),
                    leptos_router::NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
            }
        }
    });
    let catalog = LocalResource::new(move || {
        app.data_version.track();
        async move { backend.call::<CatalogGet>(NoArgs {}).await }
    });
    let since = Memo::new(move |_| {
        app.personal.with(|personal| {
            personal
                .as_ref()
                .map(|personal| personal.read_until.unwrap_or(0))
        })
    });
    let changes = LocalResource::new(move || {
        app.data_version.track();
        let since = since.get();
        async move {
            match since {
                Some(since) => Some(backend.call::<ChangesSince>(ChangesQuery { since }).await),
                None => None,
            }
        }
    });
    let last_view = LocalResource::new(move || async move { backend.view_last().await });
    let loaded_catalog = move || catalog.get().and_then(Result::ok);

    let stand = move || {
        let changes = changes.get().flatten().and_then(Result::ok);
        stand_sentence(
            changes.as_ref().and_then(|changes| changes.data_stand),
            app.sync_state.get().as_ref(),
            backend,
        )
    };
    let news = move || {
        let catalog = loaded_catalog()?;
        let changes = match changes.get().flatten()? {
            Ok(changes) => changes,
            Err(error) => {
                return Some(view! { <p class="error" role="alert">{error.message}</p> }.into_any())
            }
        };
        Some(view! { <News catalog=catalog changes=changes/> }.into_any())
    };
    // Kept while only the values change, so a sync does not rebuild the list from nothing.
    let home = Memo::new(move |_| {
        let catalog = loaded_catalog()?;
        let home = catalog.dataset.as_ref()?.home_area.clone();
        let name = catalog
            .areas
            .iter()
            .find(|area| area.id == home)
            .map(|area| area.name.clone())
            .unwrap_or_default();
        Some((home, name))
    });
    let headline = move || {
        let (home, name) = home.get()?;
        Some(view! { <Headline home=home home_name=name/> })
    };
    let resume = move || {
        let path = last_view.get().flatten()?;
        let catalog = loaded_catalog()?;
        let text = describe_path(&path, &catalog);
        Some(view! {
            <section class="card resume" aria-labelledby="weiter">
                <h2 id="weiter">"Weiter, wo Sie aufgehört haben"</h2>
                <p><a href=path class="big-link" data-testid="resume">{text}</a></p>
            </section>
        })
    };
    let notes = move || {
        let (notes, folders) = app.personal.with(|personal| {
            personal
                .as_ref()
                .map(|personal| (personal.notes.len(), personal.folders.len()))
                .unwrap_or_default()
        });
        (notes + folders > 0).then(|| {
            view! {
                <p>
                    <a href=Page::Mappen.path() class="big-link">
                        {format!("Ihre Merkliste ({notes}) und Sitzungsmappen ({folders})")}
                    </a>
                </p>
            }
        })
    };
    view! {
        <h1 class="page-title">"Übersicht"</h1>
        <DemoBanner/>
        <p class="stand" data-testid="stand">{stand}</p>
        <div class="start-grid">
            <div class="start-main">
                {news}
                {resume}
                {notes}
            </div>
            <div class="start-side">{headline}</div>
        </div>
    }
}

/// "Datenstand 14.10.2025, zuletzt abgeglichen vor 3 Minuten." and its offline variants.
fn stand_sentence(
    data_stand: Option<i64>,
    state: Option<&fokus_model::SyncState>,
    backend: Backend,
) -> String {
    let data = data_stand.map_or_else(
        || "Noch keine Daten".to_owned(),
        |stand| format!("Datenstand {}", format::date(stand)),
    );
    let now = (js_sys::Date::now() / 1000.0) as i64;
    let sync = match (backend, state) {
        (Backend::Web, Some(state)) if state.online => "direkt vom Server".to_owned(),
        (_, None) => "Verbindung wird geprüft".to_owned(),
        (_, Some(state)) if state.syncing => "wird gerade abgeglichen".to_owned(),
        (_, Some(state)) => {
            let when = state.last_success.map(|last| ago(now - last));
            match (state.online, when) {
                (true, Some(when)) => format!("zuletzt abgeglichen {when}"),
                (false, Some(when)) => format!("offline, zuletzt abgeglichen {when}"),
                (_, None) => "offline, mitgelieferter Datenstand".to_owned(),
            }
        }
    };
    format!("{data}, {sync}.")
}

/// Seconds ago in words: "gerade eben", "vor 3 Minuten", "vor 2 Stunden", "vor 4 Tagen".
fn ago(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (count, one, many) = match seconds {
        0..60 => return "gerade eben".to_owned(),
        60..3600 => (seconds / 60, "Minute", "Minuten"),
        3600..86_400 => (seconds / 3600, "Stunde", "Stunden"),
        _ => (seconds / 86_400, "Tag", "Tagen"),
    };
    if count == 1 {
        format!("vor einer {one}").replace("vor einer Tag", "vor einem Tag")
    } else {
        format!("vor {count} {many}")
    }
}

/// One entry of the news list.
struct Entry {
    subject: Subject,
    revision: fokus_model::Revision,
    text: String,
    path: String,
}

#[component]
fn News(catalog: Catalog, changes: ChangeList) -> impl IntoView {
    let app = use_app();
    let unread = |subject: &Subject, revision| {
        app.personal.with_untracked(|personal| {
            personal
                .as_ref()
                .is_none_or(|personal| personal.unread(subject, revision))
        })
    };
    let mut groups: Vec<(&'static str, Vec<Entry>)> = Vec::new();
    let data: Vec<Entry> = changes
        .indicators
        .iter()
        .filter_map(|change| {
            let indicator = catalog
                .indicators
                .iter()
                .find(|indicator| indicator.id == change.indicator)?;
            let latest = change.years.last().copied();
            Some(Entry {
                subject: Subject::Indicator(change.indicator.clone()),
                revision: change.revision,
                text: format!(
                    "{}: Werte für {}",
                    indicator.name,
                    years_text(&change.years)
                ),
                path: View::Explorer(ExplorerView {
                    indicator: Some(change.indicator.clone()),
                    year: latest,
                    ..ExplorerView::new()
                })
                .path(),
            })
        })
        .filter(|entry| unread(&entry.subject, entry.revision))
        .collect();
    groups.push(("Daten im Sozialbericht", data));
    for (kind, label) in [
        (ContentKind::Kapitel, "Fokusbericht"),
        (ContentKind::Empfehlung, "Handlungsempfehlungen"),
        (ContentKind::Newsletter, "Newsletter"),
        (ContentKind::Dokument, "Dokumente"),
        (ContentKind::Video, "Video"),
    ] {
        let entries = changes
            .content
            .iter()
            .filter(|change| change.kind == kind)
            .map(|change| Entry {
                subject: Subject::Content(change.id.clone()),
                revision: change.revision,
                text: match change.status {
                    Some(status) => format!("{} – Stand: {}", change.title, status.label_de()),
                    None => change.title.clone(),
                },
                path: content_path(kind, &change.id),
            })
            .filter(|entry| unread(&entry.subject, entry.revision))
            .collect();
        groups.push((label, entries));
    }
    groups.retain(|(_, entries)| !entries.is_empty());
    let revision = changes.revision;
    let all_read = move |_| {
        change(app, move |personal| {
            personal.mark_all_read(revision);
            Ok(())
        });
    };
    if groups.is_empty() {
        return view! {
            <section class="card news" aria-labelledby="neu">
                <h2 id="neu">"Neu seit Ihrem letzten Besuch"</h2>
                <p data-testid="news-none">"Nichts Neues. Sobald neue Daten oder Beiträge ankommen, stehen sie hier."</p>
            </section>
        }
        .into_any();
    }
    let groups = groups
        .into_iter()
        .map(|(label, entries)| {
            let total = entries.len();
            let rows = entries
                .into_iter()
                .enumerate()
                .map(|(position, entry)| {
                    let Entry { subject, revision, text, path } = entry;
                    let mark = move |_| {
                        let subject = subject.clone();
                        change(app, move |personal| {
                            personal.mark_read(&subject, revision);
                            Ok(())
                        });
                    };
                    view! {
                        <li class={if position >= SHOWN { "extra" } else { "" }} data-testid="news-item">
                            <span class="badge">"neu"</span>
                            <a href=path on:click=mark>{text}</a>
                        </li>
                    }
                })
                .collect_view();
            let more = (total > SHOWN).then(|| view! {
                <button class="button secondary" on:click=move |event| {
                    use wasm_bindgen::JsCast;
                    if let Some(list) = event
                        .target()
                        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                        .and_then(|button| button.previous_element_sibling())
                    {
                        let _ = list.class_list().add_1("show-all");
                    }
                    if let Some(button) = event.target().and_then(|target| target.dyn_into::<web_sys::HtmlElement>().ok()) {
                        button.set_hidden(true);
                    }
                }>{format!("Alle {total} anzeigen")}</button>
            });
            view! {
                <h3>{format!("{label} ({total})")}</h3>
                <ul class="news-list">{rows}</ul>
                {more}
            }
        })
        .collect_view();
    view! {
        <section class="card news" aria-labelledby="neu" data-testid="news">
            <h2 id="neu">"Neu seit Ihrem letzten Besuch"</h2>
            {groups}
            <p><button class="button secondary" on:click=all_read data-testid="news-all-read">"Alle als gelesen markieren"</button></p>
        </section>
    }
    .into_any()
}

/// `2024`, `2023 und 2024`, `2015 bis 2024`.
fn years_text(years: &[u16]) -> String {
    match years {
        [] => String::new(),
        [year] => year.to_string(),
        [first, second] => format!("{first} und {second}"),
        [first, .., last] => format!("{first} bis {last}"),
    }
}

/// The page and section showing a content item.
pub fn content_path(kind: ContentKind, id: &str) -> String {
    let page = match kind {
        ContentKind::Kapitel => Page::Fokusbericht,
        ContentKind::Empfehlung => Page::Empfehlungen,
        ContentKind::Newsletter => Page::Newsletter,
        ContentKind::Dokument => Page::Dokumente,
        ContentKind::Video => Page::Video,
    };
    format!("{}#{}", page.path(), crate::pages::content::anchor_of(id))
}

/// The headline indicators (Leitkennzahlen) of the home area: latest value, change against the
/// year before, and the Land's value.
#[component]
fn Headline(home: String, home_name: String) -> impl IntoView {
    let app = use_app();
    let backend = app.backend;
    let profile = LocalResource::new(move || {
        app.data_version.track();
        let area = home.clone();
        async move {
            if area.is_empty() {
                return None;
            }
            Some(
                backend
                    .call::<AreaProfileGet>(ProfileQuery { area, year: None })
                    .await,
            )
        }
    });
    let cards = move || {
        let profile = profile.get().flatten()?.ok()?;
        let land = profile
            .references
            .iter()
            .position(|reference| reference.kind == AreaKind::Land);
        let rows = profile
            .entries
            .iter()
            .filter(|entry| entry.indicator.headline)
            .filter_map(|entry| {
                let indicator = &entry.indicator;
                let last = entry.cells.iter().rposition(Option::is_some)?;
                let year = entry.years[last];
                let value = entry.cells[last];
                let previous = last.checked_sub(1).and_then(|before| entry.cells[before]).and_then(Cell::value);
                let change = match (value.and_then(Cell::value), previous) {
                    (Some(now), Some(before)) => Some(now - before),
                    _ => None,
                };
                let change_text = change.map(|delta| {
                    let unit = if indicator.unit == "%" { "Prozentpunkte" } else { indicator.unit.as_str() };
                    let direction = if delta > 0.0 { "▲ +" } else if delta < 0.0 { "▼ −" } else { "► ±" };
                    let judgement = match (indicator.polarity, delta.partial_cmp(&0.0)) {
                        (Polarity::HigherIsWorse, Some(std::cmp::Ordering::Greater)) | (Polarity::HigherIsBetter, Some(std::cmp::Ordering::Less)) => ("worse", " (ungünstiger)"),
                        (Polarity::HigherIsWorse, Some(std::cmp::Ordering::Less)) | (Polarity::HigherIsBetter, Some(std::cmp::Ordering::Greater)) => ("better", " (günstiger)"),
                        _ => ("", ""),
                    };
                    (
                        format!("{direction}{} {unit} zum Vorjahr{}", format::number(delta.abs(), indicator.decimals), judgement.1),
                        judgement.0,
                    )
                });
                let reference = land
                    .filter(|_| year == profile.year)
                    .and_then(|land| entry.references.get(land).copied().flatten())
                    .map(|cell| format!("Land: {}", format::cell(Some(cell), indicator.decimals, &indicator.unit)));
                let path = View::Explorer(ExplorerView {
                    indicator: Some(indicator.id.clone()),
                    tab: Tab::Zeitreihe,
                    ..ExplorerView::new()
                })
                .path();
                Some(view! {
                    <li class="headline-item" data-testid="headline">
                        <a href=path class="headline-name">{indicator.name.clone()}</a>
                        <span class="headline-value">{format::cell(value, indicator.decimals, &indicator.unit)}<span class="headline-year">{format!(" ({year})")}</span></span>
                        {change_text.map(|(text, class)| view! { <span class=format!("change {class}")>{text}</span> })}
                        {reference.map(|text| view! { <span class="hint">{text}</span> })}
                    </li>
                })
            })
            .collect_view();
        Some(view! { <ul class="headline-list">{rows}</ul> })
    };
    view! {
        <section class="card headline" aria-labelledby="leitkennzahlen">
            <h2 id="leitkennzahlen">{format!("Kennzahlen im Blick: {home_name}")}</h2>
            {cards}
        </section>
    }
}

/// A view in words, for "Weiter, wo Sie aufgehört haben" and for new notes.
pub fn describe_path(path: &str, catalog: &Catalog) -> String {
    let indicator_name = |id: &str| {
        catalog
            .indicators
            .iter()
            .find(|indicator| indicator.id == id)
            .map_or_else(|| id.to_owned(), |indicator| indicator.name.clone())
    };
    let area_name = |id: &str| {
        catalog
            .areas
            .iter()
            .find(|area| area.id == id)
            .map_or_else(|| id.to_owned(), |area| area.name.clone())
    };
    match View::parse(path) {
        Some(View::Explorer(view)) => {
            let name = view
                .indicator
                .as_deref()
                .map_or_else(|| "Sozialbericht".to_owned(), indicator_name);
            let year = view.year.map(|year| format!(" {year}")).unwrap_or_default();
            format!("{name}{year}, {}", view.tab.label_de())
        }
        Some(View::Profile { area, year }) => format!(
            "Gebietsprofil {}{}",
            area_name(&area),
            year.map(|year| format!(" {year}")).unwrap_or_default()
        ),
        Some(View::Compare { areas, .. }) => format!(
            "Vergleich: {}",
            areas
                .iter()
                .map(|area| area_name(area))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => {
            let page_path = path.split(['?', '#']).next().unwrap_or_default();
            Page::from_path(page_path)
                .map_or_else(|| path.to_owned(), |page| page.label_de().to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn years_and_times_in_words() {
        assert_eq!(super::years_text(&[2024]), "2024");
        assert_eq!(super::years_text(&[2023, 2024]), "2023 und 2024");
        assert_eq!(super::years_text(&[2015, 2016, 2024]), "2015 bis 2024");
        assert_eq!(super::ago(30), "gerade eben");
        assert_eq!(super::ago(61), "vor einer Minute");
        assert_eq!(super::ago(3 * 60), "vor 3 Minuten");
        assert_eq!(super::ago(2 * 3600 + 5), "vor 2 Stunden");
        assert_eq!(super::ago(86_400), "vor einem Tag");
        assert_eq!(super::ago(4 * 86_400), "vor 4 Tagen");
    }
}
