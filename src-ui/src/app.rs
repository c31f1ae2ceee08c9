//! The application frame: context, header with sync state and navigation, the routed page, the
//! licence footer. Routes are `fokus_model::news::Page`, shared with the shell, so a
//! notification names the page it opens in the same terms.

use fokus_model::ipc::{AppEvent, CatalogGet, NoArgs};
use fokus_model::news::{Page, SyncProgress};
use fokus_model::personal::Personal;
use fokus_model::{DatasetInfo, SyncState};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_navigate;
use leptos_router::path;

use crate::backend::Backend;
use crate::components::icon::{Icon, IconName};
use crate::components::sync_bar::SyncBar;
use crate::pages::content::{
    DokumentePage, EmpfehlungenPage, FokusberichtPage, NewsletterPage, VideoPage,
};
use crate::pages::einstellungen::EinstellungenPage;
use crate::pages::gebiet::{GebietPage, VergleichPage};
use crate::pages::info::{BarrierefreiheitPage, UeberPage};
use crate::pages::mappen::{MappenPage, PresentationBar, Presenting};
use crate::pages::sozialbericht::SozialberichtPage;
use crate::pages::statistik::{DemografiePage, SozialausgabenPage};
use crate::pages::suche::{SearchField, SuchePage};
use crate::pages::uebersicht::UebersichtPage;
use crate::personal;

/// Shared by every component: where data comes from, and what changed.
#[derive(Debug, Clone, Copy)]
pub struct AppContext {
    pub backend: Backend,
    /// Bumped whenever new data was applied; every data resource depends on it.
    pub data_version: RwSignal<u64>,
    pub sync_state: RwSignal<Option<SyncState>>,
    /// The progress of a running sync, for the progress bar.
    pub sync_progress: RwSignal<Option<SyncProgress>>,
    /// A page the shell asked to show (notification or tray click).
    pub requested_page: RwSignal<Option<Page>>,
    /// A view (router path) the shell asked to show: a `fokus://` link was opened.
    pub requested_path: RwSignal<Option<String>>,
    /// The deployment the data come from: title, home area, map levels, geodata notice.
    pub dataset: RwSignal<Option<DatasetInfo>>,
    /// The person's notes, folders, read marks and display settings, once loaded.
    pub personal: RwSignal<Option<Personal>>,
    /// Why the last change of them failed, in German.
    pub personal_problem: RwSignal<Option<String>>,
    pub saving: RwSignal<personal::Saving>,
    /// Whether the page is dark (the setting, or the system's preference).
    pub dark: Memo<bool>,
    /// The Sitzungsmappe on the projector, if one is presented.
    pub presenting: RwSignal<Option<Presenting>>,
}

pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}

#[component]
pub fn App() -> impl IntoView {
    let backend = Backend::detect();
    let personal_data = RwSignal::new(None::<Personal>);
    let system_dark = RwSignal::new(false);
    personal::watch_system_theme(system_dark);
    let display = Memo::new(move |_| {
        personal_data.with(|personal| {
            personal
                .as_ref()
                .map(|personal| personal.display)
                .unwrap_or_default()
        })
    });
    let dark = Memo::new(move |_| personal::is_dark(display.get(), system_dark.get()));
    // The text size is read before `dark`: with `dark` (derived from `display`) read first, a
    // change of the size alone did not rerun this effect (seen in Chromium with Leptos 0.8).
    Effect::new(move |_| {
        let size = display.get().text_size;
        personal::apply_display(dark.get(), size)
    });
    let context = AppContext {
        backend,
        data_version: RwSignal::new(0),
        sync_state: RwSignal::new(None),
        sync_progress: RwSignal::new(None),
        requested_page: RwSignal::new(None),
        requested_path: RwSignal::new(None),
        dataset: RwSignal::new(None),
        personal: personal_data,
        personal_problem: RwSignal::new(None),
        saving: RwSignal::new(personal::Saving::default()),
        dark,
        presenting: RwSignal::new(None),
    };
    provide_context(context);
    personal::load(context);
    let catalog = LocalResource::new(move || {
        context.data_version.track();
        async move { backend.call::<CatalogGet>(NoArgs {}).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(catalog)) = catalog.get() {
            if let Some(dataset) = &catalog.dataset {
                document().set_title(&format!("{} – {}", app_title(dataset), dataset.subtitle));
                apply_accent(&dataset.accent_colour);
            }
            context.dataset.set(catalog.dataset);
        }
    });

    spawn_local(async move {
        if let Ok(state) = backend.sync_status().await {
            context.sync_state.set(Some(state));
        }
    });
    // The view to open with; only after it is known is the current view remembered, so the
    // first page drawn does not overwrite the one to return to.
    let restored = RwSignal::new(false);
    spawn_local(async move {
        if let Some(path) = backend.link_take().await {
            context.requested_path.set(Some(path));
        }
        restored.set(true);
    });
    backend.listen(move |event| match event {
        AppEvent::SyncState { state } => {
            if !state.syncing {
                context.sync_progress.set(None);
            }
            context.sync_state.set(Some(state));
        }
        AppEvent::SyncProgress { progress } => context.sync_progress.set(Some(progress)),
        AppEvent::Navigate { page } => context.requested_page.set(Some(page)),
        AppEvent::OpenView { path } => context.requested_path.set(Some(path)),
        AppEvent::DataChanged { .. } => {
            context.data_version.update(|version| *version += 1);
            if backend == Backend::Web {
                spawn_local(async move {
                    if let Ok(state) = backend.sync_status().await {
                        context.sync_state.set(Some(state));
                    }
                });
            }
        }
    });

    // Below the desktop width the pages fold into a menu (the header stays one compact row).
    let menu_open = RwSignal::new(false);
    let nav_pages = move || {
        Page::ALL
            .into_iter()
            .filter(|page| page.in_navigation())
            .map(|page| {
                view! {
                    <li>
                        <A href=page.path() attr:data-testid=format!("nav-{}", page_slug(page))>
                            {page.label_de()}
                        </A>
                    </li>
                }
            })
            .collect_view()
    };
    let close_menu_on_escape = window_event_listener(leptos::ev::keydown, move |event| {
        if event.key() == "Escape" && menu_open.get_untracked() {
            menu_open.set(false);
            focus_by_id("menu-button");
        }
    });
    on_cleanup(move || close_menu_on_escape.remove());

    view! {
        <Router>
            <NavigationBridge restored=restored menu_open=menu_open/>
            <a class="skip-link" href="#main">"Zum Inhalt springen"</a>
            <header class="topbar">
                <button type="button" class="button menu-button" id="menu-button" data-testid="menu-button"
                    aria-controls="page-nav" aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| {
                        menu_open.update(|open| *open = !*open);
                        if menu_open.get_untracked() {
                            request_animation_frame(|| focus_by_id("menu-close"));
                        }
                    }>
                    <Icon name=IconName::Menu/>
                    <span class="menu-label">"Menü"</span>
                </button>
                <div class="brand">
                    <img src="/fokus-icon.svg" alt="" width="40" height="40"/>
                    <div>
                        <p class="brand-name" data-testid="app-title">
                            {move || context.dataset.get().map(|dataset| app_title(&dataset).to_owned()).unwrap_or_else(|| "FOKUS".into())}
                        </p>
                        <p class="brand-sub">
                            {move || context.dataset.get().map(|dataset| dataset.subtitle).unwrap_or_default()}
                        </p>
                    </div>
                </div>
                // The search last: with large text it takes a row of its own.
                <div class="header-tools">
                    <SyncBar/>
                    <A href=Page::Einstellungen.path() attr:class="button header-link" attr:data-testid="nav-einstellungen" attr:aria-label=Page::Einstellungen.label_de()>
                        <Icon name=IconName::Settings/>
                        <span class="wide-only" aria-hidden="true">{Page::Einstellungen.label_de()}</span>
                    </A>
                    <SearchField/>
                </div>
            </header>
            <PresentationBar/>
            <div class="menu-backdrop" class:open=move || menu_open.get() on:click=move |_| menu_open.set(false) aria-hidden="true"></div>
            <nav class="pages" id="page-nav" class:open=move || menu_open.get() aria-label="Bereiche">
                <button type="button" class="button secondary menu-close" id="menu-close" data-testid="menu-close"
                    on:click=move |_| { menu_open.set(false); focus_by_id("menu-button"); }>
                    <Icon name=IconName::Close/>"Menü schließen"
                </button>
                <ul>{nav_pages}</ul>
            </nav>
            <main id="main" tabindex="-1">
                <Routes fallback=|| view! { <p class="notice">"Diese Seite gibt es nicht."</p> }>
                    <Route path=path!("/") view=UebersichtPage/>
                    <Route path=path!("/sozialbericht") view=SozialberichtPage/>
                    <Route path=path!("/mappen") view=MappenPage/>
                    <Route path=path!("/ueber") view=UeberPage/>
                    <Route path=path!("/barrierefreiheit") view=BarrierefreiheitPage/>
                    <Route path=path!("/gebiet") view=GebietPage/>
                    <Route path=path!("/vergleich") view=VergleichPage/>
                    <Route path=path!("/demografie") view=DemografiePage/>
                    <Route path=path!("/sozialausgaben") view=SozialausgabenPage/>
                    <Route path=path!("/fokusbericht") view=FokusberichtPage/>
                    <Route path=path!("/empfehlungen") view=EmpfehlungenPage/>
                    <Route path=path!("/newsletter") view=NewsletterPage/>
                    <Route path=path!("/dokumente") view=DokumentePage/>
                    <Route path=path!("/video") view=VideoPage/>
                    <Route path=path!("/einstellungen") view=EinstellungenPage/>
                    <Route path=path!("/suche") view=SuchePage/>
                </Routes>
            </main>
            <footer class="footer">
                <p data-testid="attribution">
                    "Karte: "
                    {move || context.dataset.get().map(|dataset| dataset.geodata_attribution).filter(|text| !text.is_empty()).unwrap_or_else(|| DEFAULT_ATTRIBUTION.into())}
                    " ("
                    <a href="https://www.govdata.de/dl-de/by-2-0" rel="license">"Lizenz"</a>
                    ")."
                    {move || context.dataset.get().map(|dataset| dataset.population_attribution).filter(|text| !text.is_empty()).map(|text| format!(" Bevölkerung: {text}."))}
                </p>
                <ul class="footer-links">
                    <li><A href=Page::Ueber.path() attr:data-testid="nav-ueber">{Page::Ueber.label_de()}</A></li>
                    <li><A href=Page::Barrierefreiheit.path() attr:data-testid="nav-barrierefreiheit">"Erklärung zur Barrierefreiheit"</A></li>
                </ul>
            </footer>
        </Router>
    }
}

/// "Demodaten – …" above a page whose data are the demo's, from the deployment the app holds.
#[component]
pub fn DemoBanner() -> impl IntoView {
    let app = use_app();
    move || {
        app.dataset
            .get()
            .filter(|dataset| dataset.demo)
            .map(|dataset| {
                let (label, rest) = demo_notice(&dataset.title);
                view! {
                    <p class="demo-banner" role="note" data-testid="demo-banner">
                        <strong>{label}</strong>{rest}
                    </p>
                }
            })
    }
}

/// The demo notice as label and text, without saying "Demodaten" twice when the deployment's
/// title starts with the word already ("Demodaten – erzeugte Werte …").
pub fn demo_notice(title: &str) -> (&'static str, String) {
    let rest = title
        .strip_prefix("Demodaten")
        .map(|rest| rest.trim_start_matches([' ', ':', '–', '-']).trim_start())
        .unwrap_or(title);
    if rest.is_empty() {
        ("Demodaten", String::new())
    } else {
        ("Demodaten: ", rest.to_owned())
    }
}

/// Puts the keyboard focus on the element with this id, if it is on the page.
pub fn focus_by_id(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// The notice for boundaries when a deployment names none: every German boundary dataset the
/// app can draw comes from the BKG under this licence.
const DEFAULT_ATTRIBUTION: &str = "© GeoBasis-DE / BKG (Daten verändert), dl-de/by-2-0";

/// The deployment's colour for header and links (checked for contrast by the server), or the
/// default where it configures none.
fn apply_accent(colour: &str) {
    use wasm_bindgen::JsCast;
    let Some(root) = document()
        .document_element()
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let style = root.style();
    let _ = if colour.is_empty() {
        style.remove_property("--brand").map(|_| ())
    } else {
        style.set_property("--brand", colour)
    };
}

/// The app's name as the deployment configures it.
fn app_title(dataset: &DatasetInfo) -> &str {
    if dataset.app_title.is_empty() {
        "FOKUS"
    } else {
        &dataset.app_title
    }
}

/// The `data-testid` suffix of a page's navigation link.
fn page_slug(page: Page) -> &'static str {
    page.path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .filter(|slug| !slug.is_empty())
        .unwrap_or("uebersicht")
}

/// Follows page requests from the shell and remembers the view for the next start; lives
/// inside the router, where navigation works.
#[component]
fn NavigationBridge(restored: RwSignal<bool>, menu_open: RwSignal<bool>) -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        // The router's `search` comes without its `?`.
        let path = match location.search.get() {
            search if search.is_empty() => location.pathname.get(),
            search => format!("{}?{search}", location.pathname.get()),
        };
        // The start page and the app's own pages are not where one "left off".
        let pathname = location.pathname.get();
        let remembered = !matches!(
            Page::from_path(&pathname),
            Some(
                Page::Uebersicht
                    | Page::Mappen
                    | Page::Einstellungen
                    | Page::Ueber
                    | Page::Barrierefreiheit
                    | Page::Suche
            )
        );
        if remembered
            && restored.get()
            && app.requested_path.get().is_none()
            && app.presenting.get_untracked().is_none()
        {
            spawn_local(app.backend.view_save(path));
        }
    });
    // A new page (not another view of the same page) puts the focus on its heading, as keyboard
    // and screen-reader users expect after a route change (WCAG 2.4.3).
    // A link to a section of a page (`#…`) focuses that section instead, once it is drawn.
    // Any navigation closes the menu (a link in it, or a view opened from elsewhere).
    Effect::new(move |_| {
        location.pathname.track();
        location.search.track();
        menu_open.set(false);
    });
    Effect::new(move |previous: Option<String>| {
        let pathname = location.pathname.get();
        if previous.is_some_and(|previous| previous != pathname)
            && location.hash.get_untracked().is_empty()
        {
            focus_heading(0);
        }
        pathname
    });
    let navigate_to_path = navigate.clone();
    Effect::new(move |_| {
        if let Some(page) = app.requested_page.get() {
            navigate(page.path(), Default::default());
            app.requested_page.set(None);
        }
    });
    Effect::new(move |_| {
        if let Some(path) = app.requested_path.get() {
            navigate_to_path(&path, Default::default());
            app.requested_path.set(None);
        }
    });
}

/// Focuses the new page's main heading once it is drawn. The route changes before the new page
/// renders, so this checks again each frame for a while: the old page's heading may have taken
/// the focus and then vanished (the focus falls back to the body). It stops once a heading keeps
/// the focus for a frame, or as soon as the user has put the focus somewhere else.
fn focus_heading(attempt: u32) {
    use wasm_bindgen::JsCast;
    if attempt > 60 {
        return;
    }
    request_animation_frame(move || {
        let Some(document) = web_sys::window().and_then(|window| window.document()) else {
            return;
        };
        let active = document.active_element();
        let on_heading = active
            .as_ref()
            .is_some_and(|element| element.tag_name() == "H1" && element.is_connected());
        let on_body = active
            .as_ref()
            .is_none_or(|element| element.tag_name() == "BODY");
        if on_heading && attempt > 2 {
            return;
        }
        if !on_heading && !on_body && attempt > 0 {
            // The user moved on (Tab, a click): leave the focus where it is.
            return;
        }
        let heading = document
            .query_selector("main h1")
            .ok()
            .flatten()
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(heading) = heading {
            let _ = heading.set_attribute("tabindex", "-1");
            let _ = heading.focus();
        }
        focus_heading(attempt + 1);
    });
}

/// Replaces keys of `page`'s address and keeps the others (a filter, the unit, the area), so
/// the view stays shareable and survives a reload; the page does not scroll.
pub fn use_address_keys(page: fokus_model::news::Page) -> Callback<Vec<(&'static str, String)>> {
    let location = leptos_router::hooks::use_location();
    let navigate = leptos_router::hooks::use_navigate();
    Callback::new(move |keys: Vec<(&'static str, String)>| {
        let owned: Vec<&str> = keys.iter().map(|(key, _)| *key).collect();
        let query = crate::beschluss::replace_keys(&location.search.get_untracked(), &owned, &keys);
        let path = page.path();
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
    })
}
