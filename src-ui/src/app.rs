//! The application frame: context, header with sync state, the page, the licence footer.

use fokus_model::ipc::AppEvent;
use fokus_model::SyncState;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::backend::Backend;
use crate::components::sync_bar::SyncBar;
use crate::pages::sozialbericht::SozialberichtPage;

/// Shared by every component: where data comes from, and what changed.
#[derive(Debug, Clone, Copy)]
pub struct AppContext {
    pub backend: Backend,
    /// Bumped whenever new data was applied; every data resource depends on it.
    pub data_version: RwSignal<u64>,
    pub sync_state: RwSignal<Option<SyncState>>,
}

pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}

#[component]
pub fn App() -> impl IntoView {
    let backend = Backend::detect();
    let context = AppContext {
        backend,
        data_version: RwSignal::new(0),
        sync_state: RwSignal::new(None),
    };
    provide_context(context);

    spawn_local(async move {
        if let Ok(state) = backend.sync_status().await {
            context.sync_state.set(Some(state));
        }
    });
    backend.listen(move |event| match event {
        AppEvent::SyncState { state } => context.sync_state.set(Some(state)),
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

    view! {
        <a class="skip-link" href="#main">"Zum Inhalt springen"</a>
        <header class="topbar">
            <div class="brand">
                <img src="fokus-icon.svg" alt="" width="40" height="40"/>
                <div>
                    <p class="brand-name">"FOKUS PI"</p>
                    <p class="brand-sub">"Digitaler Sozialbericht · Kreis Pinneberg"</p>
                </div>
            </div>
            <SyncBar/>
        </header>
        <main id="main" tabindex="-1">
            <SozialberichtPage/>
        </main>
        <footer class="footer">
            <p>
                "Karte: " {fokus_map::ATTRIBUTION} " ("
                <a href="https://www.govdata.de/dl-de/by-2-0" rel="license">"Lizenz"</a>
                "). Bevölkerung: Zensus 2022, Statistische Ämter des Bundes und der Länder."
            </p>
        </footer>
    }
}
