//! One search over everything the cache holds (in the web build, the server's): the header's
//! field and the results page `/suche?q=…`, grouped by kind, the matches marked, each hit a link
//! to its view or section.

use fokus_model::api::SearchQuery;
use fokus_model::content::ContentKind;
use fokus_model::ipc::Search;
use fokus_model::news::Page;
use fokus_model::search::{AreaRef, Fragment, Hit, HitGroup, HitKind};
use fokus_model::view::{decode, encode, ExplorerView, Level, View};
use fokus_model::AreaKind;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

use crate::app::use_app;
use crate::components::icon::{Icon, IconName};
use crate::pages::uebersicht::content_path;

/// The search words in a page address's query (`q=…`).
pub fn query_of(search: &str) -> String {
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("q="))
        .map(decode)
        .unwrap_or_default()
}

/// The results page of `words`.
pub fn search_path(words: &str) -> String {
    format!("{}?q={}", Page::Suche.path(), encode(words.trim()))
}

/// Where a hit leads: the indicator in the Sozialbericht, the area's profile, the content item's
/// section on its page.
pub fn hit_path(kind: HitKind, id: &str) -> String {
    let content = |kind: ContentKind| content_path(kind, id);
    match kind {
        HitKind::Kennzahl => View::Explorer(ExplorerView {
            indicator: Some(id.to_owned()),
            ..ExplorerView::new()
        })
        .path(),
        HitKind::Gebiet => View::Profile {
            area: id.to_owned(),
            year: None,
        }
        .path(),
        HitKind::Kapitel => content(ContentKind::Kapitel),
        HitKind::Empfehlung => content(ContentKind::Empfehlung),
        HitKind::Newsletter => content(ContentKind::Newsletter),
        HitKind::Dokument => content(ContentKind::Dokument),
        HitKind::Video => content(ContentKind::Video),
    }
}

/// Text with its matches in `<mark>`, built as nodes (no HTML from the answer is parsed).
fn marked(fragments: Vec<Fragment>) -> impl IntoView {
    fragments
        .into_iter()
        .map(|fragment| {
            if fragment.hit {
                view! { <mark>{fragment.text}</mark> }.into_any()
            } else {
                fragment.text.into_any()
            }
        })
        .collect_view()
}

/// The search field in the header: Enter opens the results page.
#[component]
pub fn SearchField() -> impl IntoView {
    let location = use_location();
    let navigate = use_navigate();
    let words = RwSignal::new(String::new());
    // On the results page the field shows what was searched for.
    Effect::new(move |_| {
        if location.pathname.get() == Page::Suche.path() {
            words.set(query_of(&location.search.get()));
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let text = words.get_untracked();
        if !text.trim().is_empty() {
            navigate(&search_path(&text), Default::default());
        }
    };
    view! {
        <form class="header-search" role="search" on:submit=submit>
            <label for="header-search" class="visually-hidden">"Suche in Daten und Texten"</label>
            <input id="header-search" type="search" name="q" placeholder="Suchen" maxlength="400"
                autocomplete="off" enterkeyhint="search" data-testid="header-search"
                prop:value=move || words.get()
                on:input=move |event| words.set(event_target_value(&event))/>
            <button type="submit" class="button secondary" data-testid="header-search-submit" aria-label="Suchen">
                <Icon name=IconName::Search/>
                <span class="wide-only" aria-hidden="true">"Suchen"</span>
            </button>
        </form>
    }
}

/// Where a hit leads, with what the search knows beyond its id: a chapter opens its report's
/// year, an indicator found with an area ("Elmshorn SGB-II") opens that area's view.
pub fn hit_link(
    kind: HitKind,
    hit: &Hit,
    area: Option<&AreaRef>,
    dataset: Option<&fokus_model::DatasetInfo>,
) -> String {
    match (kind, hit.year, area) {
        (HitKind::Kapitel, Some(year), _) => format!(
            "{}?{}={year}#{}",
            Page::Fokusbericht.path(),
            crate::pages::content::REPORT_KEY,
            crate::pages::content::anchor_of(&hit.id)
        ),
        (HitKind::Kennzahl, _, Some(area)) => {
            let on_map = dataset.is_some_and(|dataset| dataset.is_map_kind(area.kind));
            let mut view = ExplorerView {
                indicator: Some(hit.id.clone()),
                ..ExplorerView::new()
            };
            if on_map {
                view.areas = vec![area.id.clone()];
            } else if area.kind == AreaKind::Gemeinde {
                view.level = Level::Gemeinde;
                view.areas = vec![area.id.clone()];
            }
            View::Explorer(view).path()
        }
        _ => hit_path(kind, &hit.id),
    }
}

fn hit_view(
    kind: HitKind,
    hit: Hit,
    area: Option<&AreaRef>,
    dataset: Option<&fokus_model::DatasetInfo>,
) -> impl IntoView {
    let path = hit_link(kind, &hit, area, dataset);
    let snippet = (!hit.snippet.is_empty())
        .then(|| view! { <p class="hit-snippet">{marked(hit.snippet)}</p> });
    // The marked words inside one span: as flex items of the link, the spaces between them
    // would vanish ("Pflegedurch").
    view! {
        <li class="hit" data-testid="search-hit">
            <a href=path class="hit-title"><span>{marked(hit.title)}</span></a>
            {snippet}
        </li>
    }
}

fn group_view(
    group: HitGroup,
    area: Option<AreaRef>,
    dataset: Option<fokus_model::DatasetInfo>,
) -> impl IntoView {
    let heading = match (&area, group.kind) {
        (Some(area), HitKind::Kennzahl) => {
            format!("Kennzahlen für {} ({})", area.name, group.total)
        }
        _ => format!("{} ({})", group.kind.label_de(), group.total),
    };
    let more = (group.total > group.hits.len()).then(|| {
        view! {
            <p class="hint">{format!("{} weitere – genauer suchen, um sie zu sehen.", group.total - group.hits.len())}</p>
        }
    });
    let kind = group.kind;
    let hits = group
        .hits
        .into_iter()
        .map(|hit| hit_view(kind, hit, area.as_ref(), dataset.as_ref()))
        .collect_view();
    view! {
        <section class="card hit-group" data-testid="search-group" data-kind=kind.as_str()>
            <h2>{heading}</h2>
            <ul class="hits">{hits}</ul>
            {more}
        </section>
    }
}

#[component]
pub fn SuchePage() -> impl IntoView {
    let app = use_app();
    let location = use_location();
    let navigate = use_navigate();
    let words = Memo::new(move |_| query_of(&location.search.get()));
    let results = LocalResource::new(move || {
        app.data_version.track();
        let q = words.get();
        async move {
            if q.trim().is_empty() {
                return None;
            }
            Some(app.backend.call::<Search>(SearchQuery { q }).await)
        }
    });
    // Typing on this page searches as you type; the address follows, so the answer can be
    // shared and the back button returns to it.
    let on_input = move |event: leptos::ev::Event| {
        let text = event_target_value(&event);
        navigate(
            &search_path(&text),
            leptos_router::NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    let body = move || {
        match results.get() {
        None if words.with(|words| words.trim().is_empty()) => view! {
            <p class="hint">"Suchen Sie nach Kennzahlen, Gebieten, Begriffen aus dem Fokusbericht, den Empfehlungen, Newslettern und Dokumenten. Die Suche arbeitet auch ohne Verbindung."</p>
        }
        .into_any(),
        None | Some(None) => view! { <p class="loading">"Suche …"</p> }.into_any(),
        Some(Some(Err(error))) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
        Some(Some(Ok(found))) if found.groups.is_empty() => view! {
            <p class="notice" role="status" data-testid="search-empty">
                {format!("Nichts gefunden für „{}“. Andere oder weniger Wörter versuchen.", words.get_untracked())}
            </p>
        }
        .into_any(),
        Some(Some(Ok(found))) => {
            let count: usize = found.groups.iter().map(|group| group.total).sum();
            let summary = format!(
                "{count} Treffer für „{}“",
                words.get_untracked()
            );
            let area = found.area.clone();
            let dataset = app.dataset.get_untracked();
            let groups = found
                .groups
                .into_iter()
                .map(|group| group_view(group, area.clone(), dataset.clone()))
                .collect_view();
            view! {
                <p role="status" class="search-summary" data-testid="search-summary">{summary}</p>
                <div class="hit-groups">{groups}</div>
            }
            .into_any()
        }
    }
    };
    view! {
        <h1 class="page-title">"Suche"</h1>
        <div class="card search-page-field">
            <label for="search-page-input">"Suchbegriffe"</label>
            <input id="search-page-input" type="search" class="search" autocomplete="off" maxlength="400"
                data-testid="search-input" prop:value=move || words.get() on:input=on_input/>
            <p class="hint">"Groß- und Kleinschreibung, Umlaute (ä oder ae) und Endungen spielen keine Rolle; alle Wörter müssen vorkommen."</p>
        </div>
        {body}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_round_trips_through_the_address() {
        for words in ["Pflegeheim", "SGB II & Bürgergeld", "a=b?c#d", ""] {
            let path = search_path(words);
            let (_, search) = path.split_once('?').unwrap();
            assert_eq!(query_of(search), words.trim());
        }
    }

    #[test]
    fn a_chapter_opens_its_year_and_an_indicator_with_an_area_opens_that_area() {
        let hit = |id: &str, year: Option<u16>| Hit {
            id: id.into(),
            title: Vec::new(),
            snippet: Vec::new(),
            year,
        };
        assert_eq!(
            hit_link(
                HitKind::Kapitel,
                &hit("fokusbericht/2024/02-pflege", Some(2024)),
                None,
                None
            ),
            "/fokusbericht?bericht=2024#fokusbericht-2024-02-pflege"
        );
        let elmshorn = AreaRef {
            id: "010560015".into(),
            name: "Elmshorn".into(),
            kind: AreaKind::AmtsfreieGemeinde,
        };
        let dataset = fokus_model::DatasetInfo::titled("Test", false);
        assert_eq!(
            hit_link(
                HitKind::Kennzahl,
                &hit("sgb2_quote", None),
                Some(&elmshorn),
                Some(&dataset)
            ),
            "/sozialbericht?kennzahl=sgb2_quote&gebiete=010560015",
            "a map area is selected on the map"
        );
        let gemeinde = AreaRef {
            id: "010560001001".into(),
            name: "Ort".into(),
            kind: AreaKind::Gemeinde,
        };
        assert_eq!(
            hit_link(
                HitKind::Kennzahl,
                &hit("sgb2_quote", None),
                Some(&gemeinde),
                Some(&dataset)
            ),
            "/sozialbericht?kennzahl=sgb2_quote&ebene=gemeinde&gebiete=010560001001",
            "a Gemeinde on the Gemeinde level"
        );
    }

    #[test]
    fn hits_lead_to_their_views() {
        assert_eq!(
            hit_path(HitKind::Kennzahl, "sgb2_quote"),
            "/sozialbericht?kennzahl=sgb2_quote"
        );
        assert!(hit_path(HitKind::Gebiet, "01056").starts_with("/gebiet?"));
        assert_eq!(
            hit_path(HitKind::Empfehlung, "empfehlungen/pflege"),
            "/empfehlungen#empfehlungen-pflege"
        );
    }
}
