//! The sync indicator in the header ("Stand: …", "offline · Stand: …") and the manual refresh.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::use_app;
use crate::format;

#[component]
pub fn SyncBar() -> impl IntoView {
    let app = use_app();
    let busy = RwSignal::new(false);
    let text = move || match app.sync_state.get() {
        None => "Verbinde …".to_owned(),
        Some(state) if state.syncing => "Aktualisiere …".to_owned(),
        Some(state) => {
            let stand = state.last_success.map(format::date_time);
            match (state.online, stand) {
                (true, Some(stand)) => format!("Stand: {stand}"),
                (true, None) => "verbunden".to_owned(),
                (false, Some(stand)) => format!("offline · Stand: {stand}"),
                (false, None) if state.revision > 0 => {
                    "offline · mitgelieferter Datenstand".to_owned()
                }
                (false, None) => "offline · noch nicht synchronisiert".to_owned(),
            }
        }
    };
    let online = move || app.sync_state.get().is_some_and(|state| state.online);
    let problem = move || app.sync_state.get().and_then(|state| state.problem);
    let refresh = move |_| {
        busy.set(true);
        spawn_local(async move {
            if let Ok(state) = app.backend.sync_run().await {
                app.sync_state.set(Some(state));
            }
            app.data_version.update(|version| *version += 1);
            busy.set(false);
        });
    };
    view! {
        <div class="sync">
            <span class="sync-state" class:online=online data-testid="sync-status" role="status" aria-live="polite">
                <span class="dot" aria-hidden="true"></span>
                {text}
            </span>
            {move || problem().map(|problem| view! { <span class="sync-problem">{problem}</span> })}
            <button class="button" on:click=refresh disabled=move || busy.get() data-testid="sync-now">
                "Jetzt aktualisieren"
            </button>
        </div>
    }
}
