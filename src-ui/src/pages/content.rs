//! The editorial pages: Fokusbericht, Handlungsempfehlungen, newsletters, documents and the
//! explainer video. All read published content from the backend (the cache in the app); the HTML
//! bodies were rendered from Markdown and sanitised on the server.

use crate::beschluss::{counts, Filter, Recommendation, StatusFilter};
use crate::components::scroll_table::ScrollTable;
use fokus_model::api::{ApiError, ContentQuery};
use fokus_model::content::{
    ContentDetails, ContentItem, ContentKind, MediaKey, MediaRef, MediaRole, RecommendationStatus,
};
use fokus_model::ipc::{CatalogGet, ChangesSince, ContentList, NoArgs};
use fokus_model::news::Page;
use fokus_model::view::{ExplorerView, View};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::use_app;
use crate::backend::Backend;
use crate::components::live::Prose;
use crate::components::merken::Merken;
use crate::format;
use crate::pages::sozialbericht::{Explorer, BESIDE_KEY};
use crate::pages::uebersicht::content_path;
use fokus_model::personal::Subject;

/// The published items of one kind, reloaded whenever new data arrives.
fn content_of(kind: ContentKind) -> LocalResource<Result<Vec<ContentItem>, ApiError>> {
    let app = use_app();
    let backend = app.backend;
    let data_version = app.data_version;
    LocalResource::new(move || {
        data_version.track();
        async move {
            backend
                .call::<ContentList>(ContentQuery { kind: Some(kind) })
                .await
        }
    })
}

/// Loading, error and empty states around a list of items. Once the items are drawn, a
/// `#section` in the address (a link from the start page, the Merkliste or a Sitzungsmappe)
/// scrolls to its item and puts the focus on it.
fn with_items(
    resource: LocalResource<Result<Vec<ContentItem>, ApiError>>,
    empty: &'static str,
    render: impl Fn(Vec<ContentItem>) -> AnyView + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    Effect::new(move |scrolled_to: Option<String>| {
        let target = location.hash.get();
        let loaded = resource.with(|items| matches!(items, Some(Ok(_))));
        if loaded && scrolled_to.as_deref() != Some(target.as_str()) {
            let id = target.trim_start_matches('#').to_owned();
            request_animation_frame(move || scroll_to(&id));
            return target;
        }
        scrolled_to.unwrap_or_default()
    });
    move || match resource.get() {
        None => view! { <p class="loading">"Lade …"</p> }.into_any(),
        Some(Err(error)) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
        Some(Ok(items)) if items.is_empty() => {
            view! { <p class="notice" data-testid="content-empty">{empty}</p> }.into_any()
        }
        Some(Ok(items)) => render(items),
    }
}

/// Scrolls the element with `id` into view and focuses it.
fn scroll_to(id: &str) {
    use wasm_bindgen::JsCast;
    if id.is_empty() {
        return;
    }
    let element = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        element.scroll_into_view();
        let _ = element.focus();
    }
}

fn body(item: &ContentItem) -> impl IntoView {
    view! { <Prose html=item.body_html.clone()/> }
}

/// The query keys the text pages own beside the explorer's: the report's year and the
/// recommendations' filters. The explorer beside keeps them when it changes its view.
pub const PAGE_KEYS: [&str; 7] = [
    REPORT_KEY,
    "feld",
    "status",
    "gebiet",
    "jahrgang",
    "zu",
    "darstellung",
];

/// The query key of the Fokusbericht's year.
pub const REPORT_KEY: &str = "bericht";

/// A text page with the explorer beside it (split view, from 1024 px): "Karte daneben" opens it,
/// "Schließen" closes it; what it shows lives in the page's address like any explorer view.
#[component]
fn Beside(children: Children) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let navigate = leptos_router::hooks::use_navigate();
    let open = Memo::new(move |_| location.search.get().contains(&format!("{BESIDE_KEY}=")));
    let toggle = move |_| {
        let path = location.pathname.get_untracked();
        let search = location.search.get_untracked();
        // The page's own keys (report year, filters) stay; the explorer's go with it.
        let kept: Vec<&str> = PAGE_KEYS.to_vec();
        let own = crate::beschluss::pairs(&search)
            .into_iter()
            .filter(|(key, _)| kept.contains(&key.as_str()))
            .collect::<Vec<_>>();
        let mut query: Vec<String> = own
            .iter()
            .map(|(key, value)| format!("{key}={}", fokus_model::view::encode(value)))
            .collect();
        if !open.get_untracked() {
            query.push(format!("{BESIDE_KEY}=karte"));
        }
        let target = if query.is_empty() {
            path
        } else {
            format!("{path}?{}", query.join("&"))
        };
        navigate(
            &target,
            leptos_router::NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    };
    view! {
        <p class="split-toggle">
            <button class="button secondary" aria-pressed=move || open.get().to_string() on:click=toggle data-testid="split-toggle">
                {move || if open.get() { "Karte daneben schließen" } else { "Karte daneben" }}
            </button>
        </p>
        <div class="split" class:split-open=move || open.get()>
            <div class="split-text">{children()}</div>
            <Show when=move || open.get()>
                <aside class="split-side card" aria-label="Sozialbericht daneben" data-testid="split-side">
                    <Explorer beside=true/>
                </aside>
            </Show>
        </div>
    }
}

/// The Fokusbericht's year in the page's address (`bericht=2024`), if one is asked for.
fn report_year(search: &str) -> Option<u16> {
    crate::beschluss::pairs(search)
        .into_iter()
        .find(|(key, _)| key == REPORT_KEY)
        .and_then(|(_, value)| value.parse().ok())
}

/// Where the reading of a report's year stopped (a chapter's anchor), kept on this device.
fn position_key(year: u16) -> String {
    format!("fokus.lesestelle.{year}")
}

/// "Weiterlesen bei Kapitel 3" when the reader left a report further down, and the watcher that
/// keeps that place while scrolling.
#[component]
fn ReadingPosition(year: u16, chapters: Vec<(String, String)>) -> impl IntoView {
    use wasm_bindgen::JsCast;
    let location = leptos_router::hooks::use_location();
    let key = position_key(year);
    let stored = crate::backend::local_storage()
        .and_then(|storage| storage.get_item(&key).ok().flatten())
        .filter(|anchor| chapters.iter().skip(1).any(|(known, _)| known == anchor));
    let anchors: Vec<String> = chapters.iter().map(|(anchor, _)| anchor.clone()).collect();
    let last_saved = StoredValue::new(stored.clone());
    let pending = StoredValue::new(false);
    let listener = window_event_listener(leptos::ev::scroll, move |_| {
        if pending.get_value() {
            return;
        }
        pending.set_value(true);
        let anchors = anchors.clone();
        let key = key.clone();
        request_animation_frame(move || {
            pending.set_value(false);
            // The last chapter whose top has passed the upper fifth of the window.
            let threshold = window()
                .inner_height()
                .ok()
                .and_then(|height| height.as_f64())
                .unwrap_or(800.0)
                / 5.0;
            let current = anchors
                .iter()
                .rev()
                .find(|anchor| {
                    document()
                        .get_element_by_id(anchor)
                        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
                        .is_some_and(|element| element.get_bounding_client_rect().top() < threshold)
                })
                .cloned();
            if let Some(current) = current {
                if last_saved.get_value().as_ref() != Some(&current) {
                    if let Some(storage) = crate::backend::local_storage() {
                        let _ = storage.set_item(&key, &current);
                    }
                    last_saved.set_value(Some(current));
                }
            }
        });
    });
    on_cleanup(move || listener.remove());
    // Not when a link already asked for a section.
    let offer = stored.filter(|_| location.hash.get_untracked().is_empty())?;
    let title = chapters
        .iter()
        .find(|(anchor, _)| *anchor == offer)
        .map(|(_, title)| title.clone())
        .unwrap_or_default();
    let href = format!("#{offer}");
    Some(view! {
        <p class="card reading-position" data-testid="reading-position">
            <a class="button secondary" href=href>{format!("Weiterlesen bei „{title}“")}</a>
        </p>
    })
}

#[component]
pub fn FokusberichtPage() -> impl IntoView {
    let chapters = content_of(ContentKind::Kapitel);
    let location = leptos_router::hooks::use_location();
    let asked = Memo::new(move |_| report_year(&location.search.get()));
    let render = move |mut items: Vec<ContentItem>| {
        let key = |item: &ContentItem| match item.details {
            ContentDetails::Kapitel { year, chapter, .. } => (std::cmp::Reverse(year), chapter),
            _ => (std::cmp::Reverse(0), 0),
        };
        items.sort_by_key(key);
        let mut years: Vec<u16> = items.iter().map(|item| key(item).0 .0).collect();
        years.dedup();
        let latest = years.first().copied().unwrap_or_default();
        let year = asked
            .get()
            .filter(|year| years.contains(year))
            .unwrap_or(latest);
        items.retain(|item| key(item).0 .0 == year);
        let data_stand = items.iter().find_map(|item| match &item.details {
            ContentDetails::Kapitel { data_stand, .. } => data_stand.clone(),
            _ => None,
        });
        let search = location.search.get_untracked();
        let picker = (years.len() > 1).then(|| {
            let links = years
                .iter()
                .map(|shown| {
                    let query = crate::beschluss::replace_keys(&search, &[REPORT_KEY], &[(REPORT_KEY, shown.to_string())]);
                    let href = format!("{}?{query}", Page::Fokusbericht.path());
                    let current = (*shown == year).then_some("page");
                    view! { <li><a href=href aria-current=current data-testid="report-year">{format!("Bericht {shown}")}</a></li> }
                })
                .collect_view();
            view! {
                <nav class="report-years" aria-label="Berichtsjahr">
                    <ul>{links}</ul>
                </nav>
            }
        });
        let earlier = (year != latest).then(|| {
            let href = format!("{}?{REPORT_KEY}={latest}", Page::Fokusbericht.path());
            view! {
                <p class="notice" data-testid="report-earlier">
                    {format!("Ein früherer Bericht. Der neueste ist der Fokusbericht {latest}: ")}
                    <a href=href>{format!("Fokusbericht {latest} lesen")}</a>
                </p>
            }
        });
        let stand = data_stand.map(|stand| {
            view! {
                <p class="report-stand" data-testid="report-stand">
                    <strong>{format!("Geschrieben mit dem Datenstand vom {}.", format::iso_date(&stand))}</strong>
                    " Zahlen und Grafiken im Text kommen aus den Daten dieser App und zeigen deren aktuellen Stand."
                </p>
            }
        });
        let positions: Vec<(String, String)> = items
            .iter()
            .map(|item| (anchor_of(&item.id), item.title.clone()))
            .collect();
        let toc = items
            .iter()
            .map(|item| {
                let anchor = format!("#{}", anchor_of(&item.id));
                view! { <li><a href=anchor>{item.title.clone()}</a></li> }
            })
            .collect_view();
        let chapters = items
            .iter()
            .map(|item| {
                let number = match item.details {
                    ContentDetails::Kapitel { chapter, .. } => format!("Kapitel {chapter}"),
                    _ => String::new(),
                };
                view! {
                    <article class="card chapter" id=anchor_of(&item.id) tabindex="-1" data-testid="chapter">
                        <div class="card-head">
                            <p class="eyebrow">{number}</p>
                            <Merken path=content_path(item.kind(), &item.id) title=format!("Fokusbericht: {}", item.title)
                                subject=Some(Subject::Content(item.id.clone()))/>
                        </div>
                        <h2>{item.title.clone()}</h2>
                        <p class="lead">{item.summary.clone()}</p>
                        {body(item)}
                    </article>
                }
            })
            .collect_view();
        view! {
            <h1 class="page-title" data-testid="report-title">{format!("Fokusbericht {year}")}</h1>
            <p class="hint">"Wofür die Sozialausgaben eingesetzt werden – jährlich von der Sozialplanung."</p>
            {picker}
            {earlier}
            {stand}
            <ReadingPosition year=year chapters=positions/>
            <nav class="card toc" aria-label="Kapitel">
                <h2>"Inhalt"</h2>
                <ol>{toc}</ol>
            </nav>
            {chapters}
        }
        .into_any()
    };
    view! {
        <Beside>{with_items(chapters, "Noch kein Fokusbericht veröffentlicht.", render)}</Beside>
    }
}

/// An HTML id from a content id (`fokusbericht/2025/01-einleitung` → `fokusbericht-2025-01-einleitung`).
pub fn anchor_of(id: &str) -> String {
    id.replace(['/', '.'], "-")
}

/// A status as the Ampel shows it: a coloured mark and its name, never the colour alone.
fn ampel(status: RecommendationStatus) -> impl IntoView {
    view! {
        <span class=format!("status status-{}", status.as_str()) data-testid="recommendation-status">
            <span class="ampel-dot" aria-hidden="true"></span>
            {status.label_de()}
        </span>
    }
}

/// The overdue mark: "überfällig seit 31.07.2026".
fn overdue_mark(recommendation: &Recommendation, today: &str) -> Option<impl IntoView> {
    let deadline = recommendation.deadline.clone()?;
    recommendation.overdue(today).then(|| {
        view! {
            <span class="overdue" data-testid="overdue">{format!("überfällig seit {}", format::iso_date(&deadline))}</span>
        }
    })
}

#[component]
pub fn EmpfehlungenPage() -> impl IntoView {
    let app = use_app();
    let recommendations = content_of(ContentKind::Empfehlung);
    let catalog = LocalResource::new(move || {
        app.data_version.track();
        async move { app.backend.call::<CatalogGet>(NoArgs {}).await.ok() }
    });
    let location = leptos_router::hooks::use_location();
    let navigate = leptos_router::hooks::use_navigate();
    let filter = Memo::new(move |_| Filter::parse(&location.search.get()));
    let today = StoredValue::new(crate::beschluss::today());
    let export_status = RwSignal::new(None::<String>);
    let set_filter = Callback::new(move |next: Filter| {
        let query = next.apply_to(&location.search.get_untracked());
        let path = if query.is_empty() {
            Page::Empfehlungen.path().to_owned()
        } else {
            format!("{}?{query}", Page::Empfehlungen.path())
        };
        navigate(
            &path,
            leptos_router::NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    });
    let render = move |items: Vec<ContentItem>| {
        let today = today.get_value();
        let catalog = catalog.get().flatten();
        let indicator_name = {
            let catalog = catalog.clone();
            move |id: &str| {
                catalog
                    .as_ref()
                    .and_then(|catalog| {
                        catalog
                            .indicators
                            .iter()
                            .find(|indicator| indicator.id == id)
                    })
                    .map_or_else(|| id.to_owned(), |indicator| indicator.name.clone())
            }
        };
        let area_name = {
            let catalog = catalog.clone();
            move |id: &str| {
                catalog
                    .as_ref()
                    .and_then(|catalog| catalog.areas.iter().find(|area| area.id == id))
                    .map_or_else(|| id.to_owned(), |area| area.name.clone())
            }
        };
        let mut all: Vec<(Recommendation, ContentItem)> = items
            .into_iter()
            .filter_map(|item| Some((Recommendation::of(&item)?, item)))
            .collect();
        // Overdue first, then open work by deadline: the order a committee goes through them.
        let mut ordered: Vec<Recommendation> = all
            .iter()
            .map(|(recommendation, _)| recommendation.clone())
            .collect();
        crate::beschluss::sort_by_urgency(&mut ordered, &today);
        all.sort_by_key(|(recommendation, _)| {
            ordered
                .iter()
                .position(|known| known.id == recommendation.id)
        });
        let current = filter.get();
        let shown: Vec<&(Recommendation, ContentItem)> = all
            .iter()
            .filter(|(recommendation, _)| current.matches(recommendation, &today))
            .collect();
        let everything: Vec<Recommendation> = all
            .iter()
            .map(|(recommendation, _)| recommendation.clone())
            .collect();
        let (per_status, overdue) = counts(&everything, &today);

        // The Ampel: counts per status, each a filter.
        let tiles = RecommendationStatus::ALL
            .into_iter()
            .zip(per_status)
            .map(|(status, count)| (Some(StatusFilter::Is(status)), status.label_de().to_owned(), count, status.as_str()))
            .chain([(Some(StatusFilter::Overdue), "überfällig".to_owned(), overdue, "ueberfaellig")])
            .map(|(status, label, count, slug)| {
                let pressed = current.status == status;
                let next = Filter {
                    status: if pressed { None } else { status },
                    ..current.clone()
                };
                view! {
                    <li>
                        <button class=format!("ampel-tile status-{slug}") aria-pressed=pressed.to_string()
                            data-testid=format!("ampel-{slug}") on:click=move |_| set_filter.run(next.clone())>
                            <span class="ampel-dot" aria-hidden="true"></span>
                            <span class="ampel-count">{count}</span>
                            <span class="ampel-label">{label}</span>
                        </button>
                    </li>
                }
            })
            .collect_view();

        // Filters.
        let mut fields: Vec<String> = all
            .iter()
            .map(|(recommendation, _)| recommendation.field.clone())
            .collect();
        fields.sort();
        fields.dedup();
        let mut areas: Vec<String> = all
            .iter()
            .flat_map(|(recommendation, _)| recommendation.areas.clone())
            .collect();
        areas.sort();
        areas.dedup();
        let mut years: Vec<u16> = all
            .iter()
            .map(|(recommendation, _)| recommendation.year)
            .collect();
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        let field_options = fields
            .iter()
            .map(|field| {
                let selected = current.field.as_ref() == Some(field);
                view! { <option value=field.clone() selected=selected>{field.clone()}</option> }
            })
            .collect_view();
        let area_options = areas
            .iter()
            .map(|area| {
                let selected = current.area.as_ref() == Some(area);
                view! { <option value=area.clone() selected=selected>{area_name(area)}</option> }
            })
            .collect_view();
        let year_options = years
            .iter()
            .map(|year| {
                let selected = current.year == Some(*year);
                view! { <option value=year.to_string() selected=selected>{year.to_string()}</option> }
            })
            .collect_view();
        let status_options = RecommendationStatus::ALL
            .into_iter()
            .map(|status| (StatusFilter::Is(status), status.as_str(), status.label_de()))
            .chain([(StatusFilter::Overdue, "ueberfaellig", "überfällig")])
            .map(|(status, slug, label)| {
                let selected = current.status == Some(status);
                view! { <option value=slug selected=selected>{label}</option> }
            })
            .collect_view();
        let on_field = {
            let current = current.clone();
            move |event: leptos::ev::Event| {
                let value = event_target_value(&event);
                set_filter.run(Filter {
                    field: Some(value).filter(|value| !value.is_empty()),
                    ..current.clone()
                });
            }
        };
        let on_status = {
            let current = current.clone();
            move |event: leptos::ev::Event| {
                let value = event_target_value(&event);
                let status = Filter::parse(&format!("status={value}")).status;
                set_filter.run(Filter {
                    status,
                    ..current.clone()
                });
            }
        };
        let on_area = {
            let current = current.clone();
            move |event: leptos::ev::Event| {
                let value = event_target_value(&event);
                set_filter.run(Filter {
                    area: Some(value).filter(|value| !value.is_empty()),
                    ..current.clone()
                });
            }
        };
        let on_year = {
            let current = current.clone();
            move |event: leptos::ev::Event| {
                set_filter.run(Filter {
                    year: event_target_value(&event).parse().ok(),
                    ..current.clone()
                });
            }
        };
        let reset = {
            let current = current.clone();
            current.narrows().then(|| {
                let next = Filter { table: current.table, ..Filter::default() };
                view! {
                    <button class="button secondary" data-testid="filter-reset" on:click=move |_| set_filter.run(next.clone())>"Filter zurücksetzen"</button>
                }
            })
        };
        let indicator_note = current.indicator.as_ref().map(|indicator| {
            let name = indicator_name(indicator);
            let path = View::Explorer(ExplorerView {
                indicator: Some(indicator.clone()),
                ..ExplorerView::new()
            })
            .path();
            view! {
                <p class="notice" data-testid="filter-indicator">
                    {format!("Empfehlungen zur Kennzahl „{name}“. ")}
                    <a href=path>"Zur Kennzahl"</a>
                </p>
            }
        });
        let summary = format!("{} von {} Empfehlungen", shown.len(), all.len());

        // CSV of what is shown, for the minutes.
        let export_list: Vec<Recommendation> = shown
            .iter()
            .map(|(recommendation, _)| recommendation.clone())
            .collect();
        let export = {
            let indicator_name = indicator_name.clone();
            let area_name = area_name.clone();
            let today = today.clone();
            move |_| {
                let csv = crate::beschluss::csv(
                    &export_list,
                    &today,
                    "Handlungsempfehlungen – Stand der Umsetzung",
                    &indicator_name,
                    &area_name,
                );
                let name = format!("handlungsempfehlungen-{today}.csv");
                spawn_local(async move {
                    let status = crate::components::share::save_export(
                        app.backend,
                        &name,
                        "text/csv;charset=utf-8",
                        csv.into_bytes(),
                    )
                    .await;
                    export_status.set(Some(status));
                });
            }
        };
        let as_table = current.table;
        let to_cards = Filter {
            table: false,
            ..current.clone()
        };
        let to_table = Filter {
            table: true,
            ..current.clone()
        };
        let switcher = view! {
            <div class="view-switch" role="group" aria-label="Darstellung">
                <button class="button secondary" aria-pressed=(!as_table).to_string() data-testid="view-cards"
                    on:click=move |_| set_filter.run(to_cards.clone())>"Karten"</button>
                <button class="button secondary" aria-pressed=as_table.to_string() data-testid="view-table"
                    on:click=move |_| set_filter.run(to_table.clone())>"Ampel-Tabelle"</button>
            </div>
        };

        let list = if shown.is_empty() {
            view! { <p class="notice" data-testid="recommendations-none">"Keine Empfehlung passt zu diesen Filtern."</p> }.into_any()
        } else if as_table {
            let rows = shown
                .iter()
                .map(|(recommendation, item)| {
                    let card = Filter { table: false, ..current.clone() };
                    let href = format!(
                        "{}?{}#{}",
                        Page::Empfehlungen.path(),
                        card.apply_to(&location.search.get_untracked()),
                        anchor_of(&item.id)
                    );
                    view! {
                        // The status first: it is what the Beschlusskontrolle is read for, and it
                        // stays in view on a tablet while the other columns scroll.
                        <tr data-testid="ampel-row">
                            <td class="status-cell">{ampel(recommendation.status)}" "{overdue_mark(recommendation, &today)}</td>
                            <th scope="row"><a href=href>{recommendation.title.clone()}</a></th>
                            <td>{recommendation.office.clone()}</td>
                            <td>{recommendation.deadline.as_deref().map(format::iso_date).unwrap_or_else(|| "–".into())}</td>
                            <td>{recommendation.field.clone()}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <ScrollTable label="Ampel-Tabelle".to_owned()>
                    <table class="values ampel-table" data-testid="ampel-table">
                        <caption>"Status der Handlungsempfehlungen"</caption>
                        <thead><tr>
                            <th scope="col">"Status"</th><th scope="col">"Empfehlung"</th>
                            <th scope="col">"Zuständig"</th><th scope="col">"Frist"</th><th scope="col">"Handlungsfeld"</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </ScrollTable>
            }
            .into_any()
        } else {
            let cards = shown
                .iter()
                .map(|(recommendation, item)| {
                    recommendation_card(recommendation, item, &today, &indicator_name, &area_name)
                })
                .collect_view();
            view! { <div class="cards">{cards}</div> }.into_any()
        };
        view! {
            <ul class="ampel-counts" aria-label="Status der Empfehlungen">{tiles}</ul>
            <div class="card filters">
                <div class="controls">
                    <label class="field"><span>"Handlungsfeld"</span>
                        <select data-testid="filter-field" on:change=on_field>
                            <option value="" selected=current.field.is_none()>"alle"</option>{field_options}
                        </select></label>
                    <label class="field"><span>"Status"</span>
                        <select data-testid="filter-status" on:change=on_status>
                            <option value="" selected=current.status.is_none()>"alle"</option>{status_options}
                        </select></label>
                    <label class="field"><span>"Gebiet"</span>
                        <select data-testid="filter-area" on:change=on_area>
                            <option value="" selected=current.area.is_none()>"alle"</option>{area_options}
                        </select></label>
                    <label class="field"><span>"Jahr"</span>
                        <select data-testid="filter-year" on:change=on_year>
                            <option value="" selected=current.year.is_none()>"alle"</option>{year_options}
                        </select></label>
                </div>
                <div class="filter-actions">
                    {switcher}
                    {reset}
                    <button class="button secondary" data-testid="recommendations-csv" on:click=export>"Liste als CSV"</button>
                    <p class="share-status" role="status" data-testid="recommendations-csv-status">{move || export_status.get()}</p>
                </div>
            </div>
            {indicator_note}
            <p class="result-count" role="status" data-testid="recommendations-count">{summary}</p>
            {list}
        }
        .into_any()
    };
    view! {
        <h1 class="page-title">"Handlungsempfehlungen"</h1>
        <p class="hint">"Von den Fokusgruppen erarbeitet: wer zuständig ist, bis wann, und wo jede steht."</p>
        <Beside>{with_items(recommendations, "Noch keine Handlungsempfehlungen veröffentlicht.", render)}</Beside>
    }
}

/// One recommendation as a card: Ampel, deadline, office, the indicators and areas it
/// addresses (each a link), the text and the history.
fn recommendation_card(
    recommendation: &Recommendation,
    item: &ContentItem,
    today: &str,
    indicator_name: &impl Fn(&str) -> String,
    area_name: &impl Fn(&str) -> String,
) -> AnyView {
    let ContentDetails::Empfehlung { history, .. } = &item.details else {
        return ().into_any();
    };
    let steps = history
        .iter()
        .map(|change| {
            view! {
                <li>
                    <strong>{format::iso_date(&change.date)}": "</strong>
                    {change.status.label_de()}
                    {(!change.note.is_empty()).then(|| format!(" – {}", change.note))}
                </li>
            }
        })
        .collect_view();
    let indicators = recommendation
        .indicators
        .iter()
        .map(|id| {
            let path = View::Explorer(ExplorerView { indicator: Some(id.clone()), ..ExplorerView::new() }).path();
            view! { <li><a href=path data-testid="recommendation-indicator">{indicator_name(id)}</a></li> }
        })
        .collect_view();
    let areas = recommendation
        .areas
        .iter()
        .map(|id| {
            let path = View::Profile {
                area: id.clone(),
                year: None,
            }
            .path();
            view! { <li><a href=path>{area_name(id)}</a></li> }
        })
        .collect_view();
    let facts = view! {
        <dl class="facts">
            {(!recommendation.office.is_empty()).then(|| view! { <dt>"Zuständig"</dt><dd>{recommendation.office.clone()}</dd> })}
            {recommendation.deadline.clone().map(|deadline| view! { <dt>"Frist"</dt><dd>{format::iso_date(&deadline)}</dd> })}
            <dt>"Status seit"</dt><dd>{format::iso_date(&recommendation.since)}</dd>
        </dl>
    };
    view! {
        <article class="card recommendation" id=anchor_of(&item.id) tabindex="-1" data-testid="recommendation">
            <div class="card-head">
                <p class="eyebrow">{format!("{} · {}", recommendation.field, recommendation.year)}</p>
                <Merken path=content_path(item.kind(), &item.id) title=format!("Empfehlung: {}", item.title)
                    subject=Some(Subject::Content(item.id.clone()))/>
            </div>
            <h2>{item.title.clone()}</h2>
            <p class="status-line">{ampel(recommendation.status)}" "{overdue_mark(recommendation, today)}</p>
            {facts}
            <p class="lead">{item.summary.clone()}</p>
            {body(item)}
            {(!recommendation.indicators.is_empty()).then(|| view! {
                <h3>"Kennzahlen dazu"</h3>
                <ul class="link-list">{indicators}</ul>
            })}
            {(!recommendation.areas.is_empty()).then(|| view! {
                <h3>"Gebiete"</h3>
                <ul class="link-list">{areas}</ul>
            })}
            <details class="table-details">
                <summary>"Verlauf"</summary>
                <ol class="history">{steps}</ol>
            </details>
        </article>
    }
    .into_any()
}

#[component]
pub fn NewsletterPage() -> impl IntoView {
    let app = use_app();
    let issues = content_of(ContentKind::Newsletter);
    // Which issues arrived after the person last read them: the same read marks as the start
    // page's news.
    let changes = LocalResource::new(move || {
        app.data_version.track();
        let since = app.personal.with(|personal| {
            personal
                .as_ref()
                .map(|personal| personal.read_until.unwrap_or(0))
        });
        async move {
            let since = since?;
            app.backend
                .call::<ChangesSince>(fokus_model::api::ChangesQuery { since })
                .await
                .ok()
        }
    });
    let unread_revision = move |id: &str| -> Option<u64> {
        let change = changes
            .get()
            .flatten()?
            .content
            .into_iter()
            .find(|change| change.id == id)?;
        let subject = Subject::Content(id.to_owned());
        app.personal
            .with(|personal| {
                personal
                    .as_ref()
                    .is_some_and(|personal| personal.unread(&subject, change.revision))
            })
            .then_some(change.revision)
    };
    let render = move |items: Vec<ContentItem>| {
        let list = items
            .into_iter()
            .enumerate()
            .map(|(index, item)| {
                let id = item.id.clone();
                let unread = Memo::new(move |_| unread_revision(&id));
                let subject = Subject::Content(item.id.clone());
                let mark = move |_| {
                    if let Some(revision) = unread.get_untracked() {
                        let subject = subject.clone();
                        crate::personal::change(app, move |personal| {
                            personal.mark_read(&subject, revision);
                            Ok(())
                        });
                    }
                };
                view! {
                    <article class="card newsletter" id=anchor_of(&item.id) tabindex="-1" data-testid="newsletter">
                        <details open=index == 0>
                            <summary on:click=mark>
                                <span class="newsletter-title">
                                    {item.title.clone()}
                                    {move || unread.get().map(|_| view! { <span class="unread-badge" data-testid="newsletter-unread">"ungelesen"</span> })}
                                </span>
                                <span class="date">{format::iso_date(&item.date)}</span>
                            </summary>
                            <p class="lead">{item.summary.clone()}</p>
                            {body(&item)}
                        </details>
                    </article>
                }
            })
            .collect_view();
        view! { <div class="cards">{list}</div> }.into_any()
    };
    view! {
        <h1 class="page-title">"Newsletter"</h1>
        <p class="hint">"Vierteljährlich: was es Neues aus der Sozialplanung gibt. Neue Ausgaben sind als „ungelesen“ markiert, bis Sie sie öffnen."</p>
        {with_items(issues, "Noch kein Newsletter erschienen.", render)}
    }
}

/// A document's file: a button that opens it (app) or a download link (browser).
#[component]
fn FileButton(key: MediaKey, media: MediaRef) -> impl IntoView {
    let app = use_app();
    let problem = RwSignal::new(None::<String>);
    // Type and size before opening: "Methodik.pdf öffnen (PDF, 5 KB)".
    let kind = fokus_model::content::media_type(&media.mime)
        .map(|known| format!("{}, ", known.extension().to_uppercase()))
        .unwrap_or_default();
    let label = format!(
        "{} öffnen ({kind}{})",
        media.name,
        format::bytes(media.size)
    );
    match app.backend {
        Backend::Web => {
            let href = fokus_model::api::blob_path(&media.sha256);
            view! {
                <a class="button secondary" href=href download=media.name.clone() data-testid="document-file">{label}</a>
            }
            .into_any()
        }
        // The offline web app: a file once opened stays (the service worker keeps it); before
        // a session it can be kept without opening it.
        Backend::Worker => {
            let href = fokus_model::api::blob_path(&media.sha256);
            let kept = LocalResource::new({
                let href = href.clone();
                move || {
                    let href = href.clone();
                    async move { crate::offline::media_kept(&href).await }
                }
            });
            let keeping = RwSignal::new(false);
            let keep = {
                let href = href.clone();
                move |_| {
                    let href = href.clone();
                    keeping.set(true);
                    spawn_local(async move {
                        problem.set(crate::offline::keep_media(&href).await.err());
                        keeping.set(false);
                        kept.refetch();
                    });
                }
            };
            let name = media.name.clone();
            view! {
                <a class="button secondary" href=href download=media.name.clone() data-testid="document-file">{label}</a>
                {move || match kept.get() {
                    Some(true) => view! {
                        <p class="hint" data-testid="document-kept">"✓ Offline gespeichert, auch ohne Netz lesbar"</p>
                    }.into_any(),
                    Some(false) if !crate::offline::online() => view! {
                        <p class="hint" data-testid="document-not-kept">"Ohne Netz nicht verfügbar: vor der Sitzung öffnen oder offline speichern."</p>
                    }.into_any(),
                    Some(false) => view! {
                        <button class="button secondary" on:click=keep.clone() disabled=move || keeping.get()
                            data-testid="document-keep">
                            {move || if keeping.get() { "Wird gespeichert …" } else { "Für die Sitzung offline speichern" }}
                            <span class="visually-hidden">{format!(": {name}")}</span>
                        </button>
                    }.into_any(),
                    None => ().into_any(),
                }}
                {move || problem.get().map(|problem| view! { <p class="error" role="alert">{problem}</p> })}
            }
            .into_any()
        }
        Backend::Tauri => {
            let open = move |_| {
                let key = key.clone();
                spawn_local(async move {
                    problem.set(
                        app.backend
                            .document_open(&key)
                            .await
                            .err()
                            .map(|error| error.message),
                    );
                });
            };
            view! {
                <button class="button secondary" on:click=open data-testid="document-file">{label}</button>
                {move || problem.get().map(|problem| view! { <p class="error" role="alert">{problem}</p> })}
            }
            .into_any()
        }
    }
}

#[component]
pub fn DokumentePage() -> impl IntoView {
    let documents = content_of(ContentKind::Dokument);
    let render = |items: Vec<ContentItem>| {
        let list = items
            .into_iter()
            .map(|item| {
                let category = match &item.details {
                    ContentDetails::Dokument { category } => category.clone(),
                    _ => String::new(),
                };
                let files = item
                    .media
                    .iter()
                    .filter(|media| media.role == MediaRole::File)
                    .map(|media| view! { <FileButton key=item.media_key(media) media=media.clone()/> })
                    .collect_view();
                view! {
                    <article class="card document" id=anchor_of(&item.id) tabindex="-1" data-testid="document">
                        <p class="eyebrow">{format!("{category} · {}", format::iso_date(&item.date))}</p>
                        <h2>{item.title.clone()}</h2>
                        <p class="lead">{item.summary.clone()}</p>
                        {body(&item)}
                        <div class="files">{files}</div>
                    </article>
                }
            })
            .collect_view();
        view! { <div class="cards">{list}</div> }.into_any()
    };
    view! {
        <h1 class="page-title">"Dokumente"</h1>
        <p class="hint">"Grundlagen und Hintergründe zum Sozialbericht."</p>
        {with_items(documents, "Noch keine Dokumente veröffentlicht.", render)}
    }
}

/// One video with its captions. The video file loads only when someone asks for it (unless the
/// settings fetch videos in advance); captions are always there.
#[component]
fn VideoPlayer(item: ContentItem) -> impl IntoView {
    let app = use_app();
    let video = item
        .media
        .iter()
        .find(|media| media.role == MediaRole::Video)
        .map(|media| (item.media_key(media), media.name.clone(), media.size));
    let captions = item
        .media
        .iter()
        .find(|media| media.role == MediaRole::Captions)
        .map(|media| (item.media_key(media), media.name.clone()));
    // The transcript comes from the captions file, which the sync keeps with the documents.
    let transcript_of = captions.clone();
    let sources = RwSignal::new(None::<(String, Option<String>)>);
    let problem = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let size = video.as_ref().map_or(0, |(_, _, size)| *size);
    let load = move |_| {
        let (Some(video), captions) = (video.clone(), captions.clone()) else {
            return;
        };
        loading.set(true);
        spawn_local(async move {
            let (video, video_name, _) = video;
            let video_url = app.backend.playable_url(&video, &video_name).await;
            let captions_url = match &captions {
                Some((captions, name)) => app.backend.playable_url(captions, name).await.ok(),
                None => None,
            };
            match video_url {
                Ok(url) => sources.set(Some((url, captions_url))),
                Err(error) => problem.set(Some(error.message)),
            }
            loading.set(false);
        });
    };
    let transcript = LocalResource::new(move || {
        let captions = transcript_of.clone();
        async move {
            let (key, _) = captions?;
            let url = app.backend.media_url(&key).await.ok()?;
            let text = crate::backend::fetch_text(&url).await.ok()?;
            Some(fokus_model::content::parse_webvtt(&text))
        }
    });
    let transcript_view = move || {
        let cues = transcript.get().flatten()?;
        let rows = cues
            .into_iter()
            .map(|cue| {
                let seconds = cue.start.round() as u64;
                let time = format!("{}:{:02}", seconds / 60, seconds % 60);
                view! { <li><span class="time">{time}</span>" "{cue.text}</li> }
            })
            .collect_view();
        Some(view! {
            <section class="transcript" aria-labelledby="abschrift" data-testid="transcript">
                <h3 id="abschrift">"Abschrift"</h3>
                <ol class="transcript-list">{rows}</ol>
            </section>
        })
    };
    view! {
        <article class="card video" data-testid="video">
            <h2>{item.title.clone()}</h2>
            <p class="lead">{item.summary.clone()}</p>
            <div class="video-layout">
            <div class="video-main">
            {move || match sources.get() {
                Some((video_url, captions_url)) => view! {
                    <video class="player" controls=true preload="metadata" data-testid="video-player" on:loadedmetadata=show_captions>
                        <source src=video_url/>
                        {captions_url.map(|url| view! {
                            <track kind="captions" src=url srclang="de" label="Deutsch" default=true/>
                        })}
                        "Ihr Gerät kann dieses Video nicht abspielen."
                    </video>
                }
                .into_any(),
                None => view! {
                    <button class="button secondary" on:click=load.clone() disabled=move || loading.get() data-testid="video-load">
                        {format!("Video anzeigen ({}, mit Untertiteln)", format::bytes(size))}
                    </button>
                }
                .into_any(),
            }}
            {move || problem.get().map(|problem| view! { <p class="error" role="alert">{problem}</p> })}
            </div>
            {transcript_view}
            </div>
            {body(&item)}
        </article>
    }
}

/// Switches the captions on. Chromium honours `<track default>`, WebKitGTK leaves tracks
/// added after the video element disabled; captions are not optional here (BITV 2.0).
fn show_captions(event: leptos::ev::Event) {
    use wasm_bindgen::JsCast;
    let Some(video) = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::HtmlMediaElement>().ok())
    else {
        return;
    };
    let Some(tracks) = video.text_tracks() else {
        return;
    };
    for index in 0..tracks.length() {
        if let Some(track) = tracks.get(index) {
            track.set_mode(web_sys::TextTrackMode::Showing);
        }
    }
}

#[component]
pub fn VideoPage() -> impl IntoView {
    let videos = content_of(ContentKind::Video);
    let render = |items: Vec<ContentItem>| {
        items
            .into_iter()
            .map(|item| view! { <VideoPlayer item=item/> })
            .collect_view()
            .into_any()
    };
    view! {
        <h1 class="page-title">"Erklärvideo"</h1>
        {with_items(videos, "Noch kein Video veröffentlicht.", render)}
    }
}
