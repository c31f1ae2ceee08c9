//! The person's own data in the UI: loaded once, changed through [`change`] (applied at once,
//! saved in the background, one save at a time with the newest state), and the display settings
//! applied to the page (theme, text size).

use fokus_model::personal::{Display, Personal, Theme};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::app::AppContext;

/// State of the background save.
#[derive(Debug, Clone, Copy, Default)]
pub struct Saving {
    running: bool,
    /// A change arrived while a save ran: save again when it ends.
    again: bool,
}

/// Loads the person's data; on first use marks everything up to the current revision read, so
/// a new installation does not call all data new.
pub fn load(app: AppContext) {
    spawn_local(async move {
        match app.backend.personal_get().await {
            Ok(personal) => app.personal.set(Some(personal)),
            Err(error) => {
                app.personal_problem.set(Some(format!(
                    "Notizen und Mappen konnten nicht geladen werden: {}",
                    error.message
                )));
                app.personal.set(Some(Personal::default()));
            }
        }
    });
    Effect::new(move |_| {
        let revision = app
            .sync_state
            .get()
            .map(|state| state.revision)
            .unwrap_or(0);
        let untouched = app.personal.with(|personal| {
            personal
                .as_ref()
                .is_some_and(|personal| personal.read_until.is_none())
        });
        if untouched && revision > 0 {
            change(app, move |personal| {
                personal.mark_all_read(revision);
                Ok(())
            });
        }
    });
}

/// Changes the person's data: at once on the page, then saved. A change that fails its own
/// check (`Err`) changes nothing and is shown.
pub fn change(app: AppContext, edit: impl FnOnce(&mut Personal) -> Result<(), String>) {
    let Some(mut personal) = app.personal.get_untracked() else {
        return;
    };
    if let Err(problem) = edit(&mut personal) {
        app.personal_problem.set(Some(problem));
        return;
    }
    app.personal_problem.set(None);
    app.personal.set(Some(personal));
    save(app);
}

fn save(app: AppContext) {
    let busy = app.saving.get_untracked();
    if busy.running {
        app.saving.set(Saving {
            running: true,
            again: true,
        });
        return;
    }
    app.saving.set(Saving {
        running: true,
        again: false,
    });
    spawn_local(async move {
        while let Some(snapshot) = app.personal.get_untracked() {
            if let Err(error) = app.backend.personal_save(&snapshot).await {
                app.personal_problem.set(Some(error.message));
            }
            let state = app.saving.get_untracked();
            if !state.again {
                break;
            }
            app.saving.set(Saving {
                running: true,
                again: false,
            });
        }
        app.saving.set(Saving::default());
    });
}

/// Whether the page is dark now: the setting, or the system's preference for "wie das System".
pub fn is_dark(display: Display, system_dark: bool) -> bool {
    match display.theme {
        Theme::Dark => true,
        Theme::Light => false,
        Theme::System => system_dark,
    }
}

/// Follows the system's light or dark preference while the page lives.
pub fn watch_system_theme(system_dark: RwSignal<bool>) {
    let Some(query) = web_sys::window().and_then(|window| {
        window
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
    }) else {
        return;
    };
    system_dark.set(query.matches());
    let listener = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MediaQueryListEvent)>::new(
        move |event: web_sys::MediaQueryListEvent| system_dark.set(event.matches()),
    );
    let _ = query.add_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
    listener.forget();
}

/// Puts theme and text size on the root element: `data-theme` picks the colours in the style
/// sheet, the text size scales the root font size (which stays relative to the user's own
/// setting, so the browser's and the system's text size still work).
pub fn apply_display(dark: bool, text_size: u16) {
    let Some(root) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
    else {
        return;
    };
    let _ = root.set_attribute("data-theme", if dark { "dark" } else { "light" });
    if let Ok(root) = root.dyn_into::<web_sys::HtmlElement>() {
        let _ = root
            .style()
            .set_property("--text-scale", &format!("{}", f64::from(text_size) / 100.0));
    }
}
