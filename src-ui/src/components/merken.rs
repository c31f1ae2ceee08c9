//! "Merken": a bookmark with an optional note on the view shown, and "In Mappe": the view into
//! a Sitzungsmappe. Notes remember a digest of the data they refer to and say so when those data
//! changed later. Everything stays on this device.

use fokus_model::api::DigestQuery;
use fokus_model::ipc::SubjectDigests;
use fokus_model::personal::{Folder, FolderItem, Note, Subject};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::{use_app, AppContext};
use crate::personal::change;

/// The digest of a subject's data now, or `None` when it cannot be read.
pub async fn digest_now(app: AppContext, subject: &Subject) -> Option<String> {
    let answer = app
        .backend
        .call::<SubjectDigests>(DigestQuery {
            subjects: subject.key(),
        })
        .await
        .ok()?;
    answer.into_iter().next().map(|digest| digest.digest)
}

/// Whether the data behind each note changed since it was saved, by note path, for every note
/// with a subject; reloaded when new data arrive.
pub fn changed_notes(app: AppContext) -> LocalResource<Vec<String>> {
    LocalResource::new(move || {
        app.data_version.track();
        let notes: Vec<Note> = app
            .personal
            .with(|personal| personal.as_ref().map(|personal| personal.notes.clone()))
            .unwrap_or_default();
        async move {
            let with_subject: Vec<&Note> = notes
                .iter()
                .filter(|note| note.subject.is_some() && !note.digest.is_empty())
                .collect();
            let mut changed = Vec::new();
            for chunk in with_subject.chunks(fokus_model::api::MAX_DIGESTS) {
                let keys = chunk
                    .iter()
                    .filter_map(|note| note.subject.as_ref().map(Subject::key))
                    .collect::<Vec<_>>()
                    .join(",");
                let Ok(digests) = app
                    .backend
                    .call::<SubjectDigests>(DigestQuery { subjects: keys })
                    .await
                else {
                    continue;
                };
                for (note, now) in chunk.iter().zip(digests) {
                    if now.digest != note.digest {
                        changed.push(note.path.clone());
                    }
                }
            }
            changed
        }
    })
}

/// The text of the flag on a note whose data changed.
pub const UPDATED: &str = "Daten seit Ihrer Notiz aktualisiert";

#[component]
pub fn Merken(
    /// The router path of the view.
    path: String,
    /// The view in words, as it will stand in the list and the Sitzungsmappe.
    title: String,
    subject: Option<Subject>,
) -> impl IntoView {
    let app = use_app();
    // Ids unique on a page with many notes (one per chapter).
    let dom_id: String = path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let panel_id = format!("merken{dom_id}");
    let text_id = format!("merken-text{dom_id}");
    let folder_id = format!("merken-mappe{dom_id}");
    let open = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let path = StoredValue::new(path);
    let title = StoredValue::new(title);
    let subject = StoredValue::new(subject);
    let note = Memo::new(move |_| {
        app.personal.with(|personal| {
            personal
                .as_ref()
                .and_then(|personal| personal.note(&path.get_value()).cloned())
        })
    });
    // Whether the data changed since the note (only asked while the panel is open).
    let updated = LocalResource::new(move || {
        app.data_version.track();
        let note = note.get().filter(|_| open.get());
        async move {
            let note = note?;
            let subject = note.subject.clone()?;
            let now = digest_now(app, &subject).await?;
            Some(!note.digest.is_empty() && now != note.digest)
        }
    });
    let toggle = move |_| {
        let opening = !open.get_untracked();
        if opening {
            draft.set(
                note.get_untracked()
                    .map(|note| note.text)
                    .unwrap_or_default(),
            );
            status.set(String::new());
        }
        open.set(opening);
    };
    let save = move |_| {
        let text = draft.get_untracked();
        spawn_local(async move {
            let subject = subject.get_value();
            let digest = match &subject {
                Some(subject) => digest_now(app, subject).await.unwrap_or_default(),
                None => String::new(),
            };
            let revision = app
                .sync_state
                .get_untracked()
                .map(|state| state.revision)
                .unwrap_or(0);
            let note = Note {
                path: path.get_value(),
                title: title.get_value(),
                text,
                subject,
                digest,
                revision,
                saved_at: (js_sys::Date::now() / 1000.0) as i64,
            };
            change(app, |personal| personal.save_note(note));
            status.set("Gemerkt. Die Notiz bleibt auf diesem Gerät.".into());
        });
    };
    let remove = move |_| {
        change(app, |personal| {
            personal.remove_note(&path.get_value());
            Ok(())
        });
        draft.set(String::new());
        status.set("Nicht mehr gemerkt.".into());
    };
    let label = move || {
        if note.get().is_some() {
            "Gemerkt ✓"
        } else {
            "Merken"
        }
    };
    view! {
        <div class="merken">
            <button class="button secondary" aria-expanded=move || open.get().to_string() aria-controls=panel_id.clone()
                on:click=toggle data-testid="merken">
                {label}
            </button>
            <Show when=move || open.get()>
                <div class="merken-panel card" id=panel_id.clone() role="group" aria-label="Merken und Notiz" data-testid="merken-panel"
                    on:keydown=move |event| if event.key() == "Escape" { open.set(false); }>
                    <p class="merken-title"><strong>{title.get_value()}</strong></p>
                    {move || updated.get().flatten().filter(|changed| *changed).map(|_| view! {
                        <p class="flag-updated" data-testid="note-updated">{UPDATED}". Speichern setzt die Notiz auf den neuen Stand."</p>
                    })}
                    <label class="field" for=text_id.clone()>"Notiz (freiwillig)"</label>
                    <textarea id=text_id.clone() class="note-text" rows="4" data-testid="note-text"
                        prop:value=move || draft.get()
                        on:input=move |event| draft.set(event_target_value(&event))></textarea>
                    <p class="hint">"Notizen und Merkliste bleiben auf diesem Gerät und werden nie gesendet."</p>
                    <div class="actions">
                        <button class="button primary" on:click=save data-testid="note-save">"Merken"</button>
                        <Show when=move || note.get().is_some()>
                            <button class="button secondary" on:click=remove data-testid="note-remove">"Nicht mehr merken"</button>
                        </Show>
                        <button class="button secondary" on:click=move |_| open.set(false) data-testid="merken-close">"Schließen"</button>
                    </div>
                    <AddToFolder path=path title=title select_id=folder_id.clone()/>
                    <p class="share-status" role="status" data-testid="merken-status">{move || status.get()}</p>
                </div>
            </Show>
        </div>
    }
}

/// Puts the view into a Sitzungsmappe, or into a new one.
#[component]
fn AddToFolder(
    path: StoredValue<String>,
    title: StoredValue<String>,
    select_id: String,
) -> impl IntoView {
    let app = use_app();
    let chosen = RwSignal::new(String::new());
    let new_name = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let folders = Memo::new(move |_| {
        app.personal.with(|personal| {
            personal
                .as_ref()
                .map(|personal| {
                    personal
                        .folders
                        .iter()
                        .map(|folder| (folder.id.clone(), folder.name.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let add = move |_| {
        let item = FolderItem {
            path: path.get_value(),
            title: title.get_value(),
            note: String::new(),
        };
        // Until the person picks another, the list shows (and means) the first folder.
        let target = match chosen.get_untracked() {
            picked if picked.is_empty() => folders
                .get_untracked()
                .first()
                .map_or_else(|| "neu".to_owned(), |(id, _)| id.clone()),
            picked => picked,
        };
        let name = new_name.get_untracked();
        let mut message = String::new();
        change(app, |personal| {
            let index = if target == "neu" {
                let name = if name.trim().is_empty() {
                    "Neue Sitzungsmappe"
                } else {
                    name.trim()
                };
                let id = personal.add_folder(Folder::new(name, "", ""))?;
                personal.folder_index(&id)
            } else {
                personal.folder_index(&target)
            };
            let folder = index
                .and_then(|index| personal.folders.get_mut(index))
                .ok_or("Diese Mappe gibt es nicht mehr.")?;
            message = if folder.add(item) {
                format!("In „{}“ aufgenommen.", folder.name)
            } else {
                format!("„{}“ enthält diese Ansicht schon.", folder.name)
            };
            Ok(())
        });
        status.set(message);
        new_name.set(String::new());
    };
    view! {
        <div class="add-to-folder">
            <label class="field" for=select_id.clone()>"In eine Sitzungsmappe"</label>
            <div class="actions">
                <select id=select_id class="select" data-testid="folder-choice"
                    on:change=move |event| chosen.set(event_target_value(&event))>
                    {move || folders.get().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    <option value="neu" selected=move || folders.get().is_empty()>"Neue Mappe …"</option>
                </select>
                <Show when=move || chosen.get() == "neu" || folders.get().is_empty()>
                    <input class="text-input" aria-label="Name der neuen Mappe" placeholder="z. B. Sozialausschuss 12.03." data-testid="folder-new-name"
                        prop:value=move || new_name.get() on:input=move |event| new_name.set(event_target_value(&event))/>
                </Show>
                <button class="button secondary" on:click=add data-testid="folder-add">"In Mappe"</button>
            </div>
            <p class="share-status" role="status" data-testid="folder-status">{move || status.get()}</p>
        </div>
    }
}
