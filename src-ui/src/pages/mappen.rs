//! "Mappen": the Merkliste (bookmarks and notes, flagged when their data changed) and the
//! Sitzungsmappen (named, ordered folders of views for a meeting) with the presentation mode for
//! the projector, Markdown export and import of a folder, and one file with everything for a
//! backup or a new tablet. All of it stays on this device.

use fokus_model::news::Page;
use fokus_model::personal::{Folder, Personal};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;

use crate::app::{use_app, AppContext};
use crate::components::merken::{changed_notes, UPDATED};
use crate::components::share::save_export;
use crate::format;
use crate::personal::change;

/// A folder being shown on the projector, and which of its views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presenting {
    pub folder: String,
    pub index: usize,
}

#[component]
pub fn MappenPage() -> impl IntoView {
    let app = use_app();
    let loaded = move || app.personal.with(Option::is_some);
    view! {
        <h1 class="page-title">"Merkliste und Sitzungsmappen"</h1>
        <p class="hint">"Alles hier bleibt auf diesem Gerät und wird nie an den Server oder an Dritte gesendet."</p>
        {move || app.personal_problem.get().map(|problem| view! { <p class="error" role="alert" data-testid="personal-problem">{problem}</p> })}
        <Show when=loaded fallback=|| view! { <p class="loading">"Lade …"</p> }>
            <Merkliste/>
            <Mappen/>
            <Sicherung/>
        </Show>
    }
}

#[component]
fn Merkliste() -> impl IntoView {
    let app = use_app();
    let changed = changed_notes(app);
    let notes = move || {
        app.personal
            .with(|personal| personal.as_ref().map(|personal| personal.notes.clone()))
            .unwrap_or_default()
    };
    let list = move || {
        let notes = notes();
        if notes.is_empty() {
            return view! {
                <p class="notice" data-testid="notes-empty">"Noch nichts gemerkt. „Merken“ steht bei jeder Karte, jedem Gebietsprofil, jedem Kapitel und jeder Empfehlung."</p>
            }
            .into_any();
        }
        let changed = changed.get().unwrap_or_default();
        let items = notes
            .into_iter()
            .rev()
            .map(|note| {
                let updated = changed.contains(&note.path);
                let path = note.path.clone();
                let remove = move |_| {
                    let path = path.clone();
                    change(app, move |personal| {
                        personal.remove_note(&path);
                        Ok(())
                    });
                };
                view! {
                    <li class="card note" data-testid="note">
                        <a href=note.path.clone() class="note-link">{note.title.clone()}</a>
                        {updated.then(|| view! { <p class="flag-updated" data-testid="note-updated">{UPDATED}</p> })}
                        {(!note.text.is_empty()).then(|| view! { <p class="note-body">{note.text.clone()}</p> })}
                        <p class="hint">{format!("Gemerkt am {}", format::date(note.saved_at))}</p>
                        <button class="button secondary" on:click=remove>"Entfernen"<span class="visually-hidden">{format!(": {}", note.title)}</span></button>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="note-list">{items}</ul> }.into_any()
    };
    view! {
        <section class="section" aria-labelledby="merkliste">
            <h2 id="merkliste">"Merkliste"</h2>
            {list}
        </section>
    }
}

#[component]
fn Mappen() -> impl IntoView {
    let app = use_app();
    let name = RwSignal::new(String::new());
    let committee = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let create = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let folder = Folder::new(
            &name.get_untracked(),
            &committee.get_untracked(),
            &date.get_untracked(),
        );
        change(app, |personal| personal.add_folder(folder).map(|_| ()));
        name.set(String::new());
        committee.set(String::new());
        date.set(String::new());
    };
    let folders = move || {
        app.personal
            .with(|personal| personal.as_ref().map(|personal| personal.folders.clone()))
            .unwrap_or_default()
    };
    let list = move || {
        let folders = folders();
        if folders.is_empty() {
            return view! { <p class="notice" data-testid="folders-empty">"Noch keine Sitzungsmappe. Legen Sie eine an oder nehmen Sie eine Ansicht mit „Merken“ → „In Mappe“ auf."</p> }.into_any();
        }
        folders
            .into_iter()
            .map(|folder| view! { <FolderCard folder=folder/> })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="section" aria-labelledby="mappen">
            <h2 id="mappen">"Sitzungsmappen"</h2>
            <form class="card folder-form" on:submit=create data-testid="folder-form">
                <h3>"Neue Sitzungsmappe"</h3>
                <div class="form-row">
                    <label class="field">"Name"
                        <input class="text-input" required prop:value=move || name.get() on:input=move |event| name.set(event_target_value(&event)) data-testid="folder-name"/>
                    </label>
                    <label class="field">"Gremium"
                        <input class="text-input" prop:value=move || committee.get() on:input=move |event| committee.set(event_target_value(&event)) data-testid="folder-committee"/>
                    </label>
                    <label class="field">"Sitzung am"
                        <input class="text-input" type="date" prop:value=move || date.get() on:input=move |event| date.set(event_target_value(&event)) data-testid="folder-date"/>
                    </label>
                </div>
                <button class="button primary" type="submit" data-testid="folder-create">"Mappe anlegen"</button>
            </form>
            <div class="folders">{list}</div>
        </section>
    }
}

/// Changes one folder by id.
fn change_folder(app: AppContext, id: &str, edit: impl FnOnce(&mut Folder)) {
    let id = id.to_owned();
    change(app, move |personal| {
        let index = personal
            .folder_index(&id)
            .ok_or("Diese Mappe gibt es nicht mehr.")?;
        edit(&mut personal.folders[index]);
        Ok(())
    });
}

#[component]
fn FolderCard(folder: Folder) -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let status = RwSignal::new(String::new());
    let id = StoredValue::new(folder.id.clone());
    let heading_id = format!("mappe-{}", folder.id);
    let meta = [
        (!folder.committee.is_empty()).then(|| folder.committee.clone()),
        (!folder.date.is_empty()).then(|| format::iso_date(&folder.date)),
        Some(match folder.items.len() {
            1 => "1 Ansicht".to_owned(),
            count => format!("{count} Ansichten"),
        }),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let count = folder.items.len();
    let items = folder
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let note = RwSignal::new(item.note.clone());
            let save_note = move |_| {
                let text = note.get_untracked();
                change_folder(app, &id.get_value(), move |folder| {
                    if let Some(item) = folder.items.get_mut(index) {
                        item.note = text;
                    }
                });
            };
            let title = item.title.clone();
            view! {
                <li class="folder-item" data-testid="folder-item">
                    <div class="folder-item-head">
                        <span class="position">{format!("{}.", index + 1)}</span>
                        <a href=item.path.clone() class="note-link">{item.title.clone()}</a>
                        <span class="item-actions">
                            <button class="button secondary icon" disabled=index == 0 aria-label=format!("{title} nach oben")
                                on:click=move |_| change_folder(app, &id.get_value(), |folder| folder.shift(index, -1))>"↑"</button>
                            <button class="button secondary icon" disabled=index + 1 == count aria-label=format!("{title} nach unten")
                                on:click=move |_| change_folder(app, &id.get_value(), |folder| folder.shift(index, 1))>"↓"</button>
                            <button class="button secondary"
                                on:click=move |_| change_folder(app, &id.get_value(), |folder| { if index < folder.items.len() { folder.items.remove(index); } })>
                                "Entfernen"<span class="visually-hidden">{format!(": {title} aus der Mappe")}</span>
                            </button>
                        </span>
                    </div>
                    <details class="item-note">
                        <summary>{if item.note.is_empty() { "Notiz hinzufügen" } else { "Notiz" }}</summary>
                        {(!item.note.is_empty()).then(|| view! { <p class="note-body">{item.note.clone()}</p> })}
                        <textarea class="note-text" rows="3" aria-label=format!("Notiz zu {}", item.title)
                            prop:value=move || note.get() on:input=move |event| note.set(event_target_value(&event))></textarea>
                        <button class="button secondary" on:click=save_note>"Notiz speichern"</button>
                    </details>
                </li>
            }
        })
        .collect_view();
    let present = move |_| {
        app.presenting.set(Some(Presenting {
            folder: id.get_value(),
            index: 0,
        }));
        let path = app.personal.with_untracked(|personal| {
            personal
                .as_ref()
                .and_then(|personal| {
                    personal
                        .folders
                        .iter()
                        .find(|folder| folder.id == id.get_value())
                })
                .and_then(|folder| folder.items.first().map(|item| item.path.clone()))
        });
        if let Some(path) = path {
            navigate(&path, Default::default());
        }
    };
    let markdown = folder.to_markdown();
    let file_stem = format!("sitzungsmappe-{}", folder.id);
    let export = move |_| {
        let markdown = markdown.clone();
        let name = format!("{file_stem}.md");
        spawn_local(async move {
            status
                .set(save_export(app.backend, &name, "text/markdown", markdown.into_bytes()).await);
        });
    };
    let name = folder.name.clone();
    let delete = move |_| {
        let confirmed = web_sys::window()
            .and_then(|window| {
                window
                    .confirm_with_message(&format!("Die Mappe „{name}“ löschen?"))
                    .ok()
            })
            .unwrap_or(false);
        if confirmed {
            let id = id.get_value();
            change(app, move |personal| {
                personal.folders.retain(|folder| folder.id != id);
                Ok(())
            });
        }
    };
    view! {
        <article class="card folder" aria-labelledby=heading_id.clone() data-testid="folder">
            <h3 id=heading_id.clone()>{folder.name.clone()}</h3>
            <p class="hint">{meta}</p>
            {(count == 0).then(|| view! { <p class="hint">"Leer. Ansichten kommen mit „Merken“ → „In Mappe“ hinein."</p> })}
            <ol class="folder-items">{items}</ol>
            <div class="actions">
                <button class="button primary" disabled=count == 0 on:click=present data-testid="folder-present">"Präsentieren"</button>
                <button class="button secondary" on:click=export data-testid="folder-export">"Als Markdown exportieren"</button>
                <button class="button secondary" on:click=delete data-testid="folder-delete">"Mappe löschen"</button>
            </div>
            <p class="share-status" role="status" data-testid="folder-export-status">{move || status.get()}</p>
        </article>
    }
}

/// Export of everything, import of a folder (Markdown) or of everything (JSON).
#[component]
fn Sicherung() -> impl IntoView {
    let app = use_app();
    let status = RwSignal::new(String::new());
    let export_all = move |_| {
        let Some(personal) = app.personal.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let message = match crate::backend::to_json(&personal) {
                Ok(json) => {
                    save_export(
                        app.backend,
                        "fokus-notizen-und-mappen.json",
                        "application/json",
                        json.into_bytes(),
                    )
                    .await
                }
                Err(error) => error.message,
            };
            status.set(message);
        });
    };
    let import = move |event: web_sys::Event| {
        let Some(input) = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        spawn_local(async move {
            let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => text.as_string().unwrap_or_default(),
                Err(_) => {
                    status.set("Die Datei konnte nicht gelesen werden.".into());
                    return;
                }
            };
            status.set(import_text(app, &file.name(), &text));
        });
    };
    view! {
        <section class="section" aria-labelledby="sicherung">
            <h2 id="sicherung">"Austauschen und sichern"</h2>
            <div class="card">
                <p>"Eine Sitzungsmappe als Markdown-Datei (z. B. per E-Mail von der Verwaltung) oder eine Sicherung aller Notizen und Mappen (JSON) einlesen. Eingelesene Mappen kommen zu den vorhandenen hinzu."</p>
                <label class="field file-field">"Datei einlesen (.md oder .json)"
                    <input type="file" accept=".md,.markdown,.txt,.json,text/markdown,application/json" on:change=import data-testid="personal-import"/>
                </label>
                <div class="actions">
                    <button class="button secondary" on:click=export_all data-testid="personal-export">"Alle Notizen und Mappen sichern"</button>
                </div>
                <p class="share-status" role="status" data-testid="personal-status">{move || status.get()}</p>
            </div>
        </section>
    }
}

/// Reads an imported file: a folder in Markdown, or everything as JSON. Answers in words.
fn import_text(app: AppContext, name: &str, text: &str) -> String {
    let lower = name.to_lowercase();
    if lower.ends_with(".json") {
        let imported = crate::backend::from_json::<Personal>(text).and_then(Personal::checked);
        return match imported {
            Ok(imported) => {
                let (notes, folders) = (imported.notes.len(), imported.folders.len());
                let mut failed = None;
                change(app, |personal| {
                    personal
                        .merge(imported)
                        .inspect_err(|problem| failed = Some(problem.clone()))
                });
                failed
                    .unwrap_or_else(|| format!("Eingelesen: {notes} Merkzettel, {folders} Mappen."))
            }
            Err(problem) => format!("{name}: {problem}"),
        };
    }
    match Folder::from_markdown(text) {
        Ok(folder) => {
            let folder_name = folder.name.clone();
            let count = folder.items.len();
            let mut failed = None;
            change(app, |personal| {
                personal
                    .add_folder(folder)
                    .map(|_| ())
                    .inspect_err(|problem| failed = Some(problem.clone()))
            });
            failed.unwrap_or_else(|| {
                format!("Mappe „{folder_name}“ mit {count} Ansichten eingelesen.")
            })
        }
        Err(problem) => format!("{name}: {problem}"),
    }
}

/// The presentation bar: while a folder is presented, the page is shown full-screen in large
/// type; arrow keys, Page Up/Down and a swipe go through the views, Esc ends.
#[component]
pub fn PresentationBar() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let folder = Memo::new(move |_| {
        let presenting = app.presenting.get()?;
        app.personal.with(|personal| {
            personal
                .as_ref()?
                .folders
                .iter()
                .find(|folder| folder.id == presenting.folder)
                .cloned()
        })
    });
    let go = StoredValue::new_local({
        let navigate = navigate.clone();
        move |step: isize| {
            let (Some(presenting), Some(folder)) =
                (app.presenting.get_untracked(), folder.get_untracked())
            else {
                return;
            };
            let Some(index) = presenting
                .index
                .checked_add_signed(step)
                .filter(|index| *index < folder.items.len())
            else {
                return;
            };
            app.presenting.set(Some(Presenting {
                index,
                ..presenting
            }));
            navigate(&folder.items[index].path, Default::default());
        }
    });
    let end = move || {
        app.presenting.set(None);
        navigate(Page::Mappen.path(), Default::default());
    };
    let end = StoredValue::new_local(end);
    // The body's class switches the style sheet's presentation mode.
    Effect::new(move |_| {
        let on = app.presenting.get().is_some();
        if let Some(body) = document().body() {
            let _ = if on {
                body.class_list().add_1("presenting")
            } else {
                body.class_list().remove_1("presenting")
            };
        }
    });
    let keys = window_event_listener(leptos::ev::keydown, move |event| {
        if app.presenting.get_untracked().is_none() || typing_in(&event) {
            return;
        }
        match event.key().as_str() {
            "ArrowRight" | "PageDown" => {
                event.prevent_default();
                go.with_value(|go| go(1));
            }
            "ArrowLeft" | "PageUp" => {
                event.prevent_default();
                go.with_value(|go| go(-1));
            }
            "Escape" => {
                event.prevent_default();
                end.with_value(|end| end());
            }
            _ => {}
        }
    });
    let swipe_start = RwSignal::new(None::<(i32, i32)>);
    // In the capture phase: a chart under the finger (ECharts) stops its touches from bubbling.
    let touch_start = capture_touch("touchstart", move |event| {
        use wasm_bindgen::JsCast;
        // A zoomed map pans under the finger; that is no swipe to another view.
        let on_zoomed_map = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("svg.map.zoomed").ok().flatten())
            .is_some();
        let touch = event.touches().get(0).filter(|_| !on_zoomed_map);
        swipe_start.set(touch.map(|touch| (touch.client_x(), touch.client_y())));
    });
    // Where the finger is now: a swipe the browser turned into a scroll ends in `touchcancel`,
    // without the last position, and still counts.
    let swipe_last = RwSignal::new(None::<(i32, i32)>);
    let touch_move = capture_touch("touchmove", move |event| {
        if let Some(touch) = event.touches().get(0) {
            swipe_last.set(Some((touch.client_x(), touch.client_y())));
        }
    });
    let finish = move |event: web_sys::TouchEvent| {
        let start = swipe_start.get_untracked();
        let last = event
            .changed_touches()
            .get(0)
            .map(|touch| (touch.client_x(), touch.client_y()))
            .or(swipe_last.get_untracked());
        swipe_start.set(None);
        swipe_last.set(None);
        let (Some((x, y)), Some((end_x, end_y))) = (start, last) else {
            return;
        };
        let (dx, dy) = (end_x - x, end_y - y);
        if app.presenting.get_untracked().is_some() && dx.abs() > 80 && dx.abs() > 2 * dy.abs() {
            go.with_value(|go| go(if dx < 0 { 1 } else { -1 }));
        }
    };
    let touch_end = capture_touch("touchend", finish);
    let touch_cancel = capture_touch("touchcancel", finish);
    on_cleanup(move || {
        keys.remove();
        touch_start();
        touch_move();
        touch_end();
        touch_cancel();
    });
    move || {
        let folder = folder.get()?;
        let index = app.presenting.get()?.index;
        let title = folder
            .items
            .get(index)
            .map(|item| item.title.clone())
            .unwrap_or_default();
        let count = folder.items.len();
        Some(view! {
            <div class="presentation-bar" role="region" aria-label="Präsentation" data-testid="presentation-bar">
                <span class="presentation-place" aria-live="polite" data-testid="presentation-place">
                    {format!("{} – Ansicht {} von {count}: {title}", folder.name, index + 1)}
                </span>
                // The projector shows no banner; demo data still say what they are.
                {app.dataset.get().filter(|dataset| dataset.demo).map(|_| view! { <span class="presentation-demo" data-testid="presentation-demo">"Demodaten"</span> })}
                <span class="presentation-actions">
                    <button class="button" disabled=index == 0 on:click=move |_| go.with_value(|go| go(-1)) data-testid="presentation-previous">"← Zurück"</button>
                    <button class="button" disabled={index + 1 >= count} on:click=move |_| go.with_value(|go| go(1)) data-testid="presentation-next">"Weiter →"</button>
                    <button class="button" on:click=move |_| end.with_value(|end| end()) data-testid="presentation-end">"Beenden (Esc)"</button>
                </span>
            </div>
        })
    }
}

/// Whether a key press belongs to a field or control that uses the arrow keys itself (text, a
/// list, the year slider, the map's areas).
fn typing_in(event: &web_sys::KeyboardEvent) -> bool {
    let Some(element) = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    matches!(
        element.tag_name().to_ascii_uppercase().as_str(),
        "INPUT" | "TEXTAREA" | "SELECT" | "PATH"
    ) || element
        .closest("[role=tablist], .map")
        .ok()
        .flatten()
        .is_some()
}

/// A touch listener on the window: the closure and the function registered.
type TouchListener = (
    wasm_bindgen::closure::Closure<dyn Fn(web_sys::TouchEvent)>,
    js_sys::Function,
);

/// Listens to a touch event on the window in the capture phase (passive), before anything on the
/// page can stop it; returns what removes the listener again (the closure lives in the owner
/// until then).
fn capture_touch(
    name: &'static str,
    on_event: impl Fn(web_sys::TouchEvent) + 'static,
) -> impl FnOnce() + Send + Sync {
    use wasm_bindgen::JsCast;
    let callback = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::TouchEvent)>::new(on_event);
    let options = web_sys::AddEventListenerOptions::new();
    options.set_capture(true);
    options.set_passive(true);
    let function: js_sys::Function = callback
        .as_ref()
        .unchecked_ref::<js_sys::Function>()
        .clone();
    let _ = window()
        .add_event_listener_with_callback_and_add_event_listener_options(name, &function, &options);
    let listener: StoredValue<TouchListener, LocalStorage> =
        StoredValue::new_local((callback, function));
    move || {
        listener.with_value(|(_, function)| {
            let _ = window().remove_event_listener_with_callback_and_bool(name, function, true);
        });
    }
}
