//! The Daten page: a BI export uploaded, its preview read (counts by indicator and year, the
//! biggest changes, warnings, or the refused lines), then taken over; the log of imports with
//! "Rückgängig machen".

use fokus_model::api::{ApiError, ImportRejected};
use fokus_model::redaktion::daten::{
    self as wire, AcceptPreview, EntryKind, ImportEntry, Preview, ValueChange,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{client, use_session};
use crate::format;

/// What the upload led to.
#[derive(Clone)]
enum Outcome {
    Preview(Preview),
    Refused(ImportRejected),
}

fn cell(value: fokus_model::Cell) -> String {
    format::bare(Some(value), 2)
}

fn change_row(change: ValueChange) -> impl IntoView {
    let relative = change
        .relative
        .map(|share| format!("{:+.1} %", share * 100.0).replace('.', ","))
        .unwrap_or_else(|| "–".into());
    let place = if change.area_name.is_empty() {
        change.area.clone()
    } else {
        change.area_name.clone()
    };
    view! {
        <tr>
            <th scope="row">{change.label.clone()}</th>
            <td>{place}</td>
            <td>{change.year}</td>
            <td>{cell(change.before)}</td>
            <td>{cell(change.after)}</td>
            <td>{relative}</td>
        </tr>
    }
}

#[component]
pub fn DatenPage() -> impl IntoView {
    let session = use_session();
    let outcome = RwSignal::new(None::<Outcome>);
    let problem = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let log = RwSignal::new(None::<Result<Vec<ImportEntry>, String>>);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let load_log = move || {
        spawn_local(async move {
            let answer = client::get::<Vec<ImportEntry>>(wire::REVISIONS).await;
            log.set(Some(answer.map_err(|error| error.message)));
        });
    };
    load_log();

    let preview = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(file) = file_input
            .get_untracked()
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            problem.set(Some("Bitte zuerst eine Datei wählen".into()));
            return;
        };
        let csrf = session.csrf();
        busy.set(true);
        done.set(None);
        spawn_local(async move {
            let path = format!(
                "{}?name={}",
                wire::PREVIEW,
                js_sys::encode_uri_component(&file.name())
            );
            let answer = client::post_file(&path, &file, &csrf).await;
            busy.set(false);
            match answer {
                Ok((200, json)) => match serde_wasm_bindgen::from_value::<Preview>(json) {
                    Ok(preview) => {
                        problem.set(None);
                        outcome.set(Some(Outcome::Preview(preview)));
                    }
                    Err(error) => problem.set(Some(error.to_string())),
                },
                Ok((422, json)) => {
                    match serde_wasm_bindgen::from_value::<ImportRejected>(json.clone()) {
                        Ok(rejected) => {
                            problem.set(None);
                            outcome.set(Some(Outcome::Refused(rejected)));
                        }
                        Err(_) => problem.set(Some(api_message(json))),
                    }
                }
                Ok((_, json)) => problem.set(Some(api_message(json))),
                Err(error) => problem.set(Some(error.message)),
            }
        });
    };

    let accept = move |id: String| {
        let csrf = session.csrf();
        busy.set(true);
        spawn_local(async move {
            let body = AcceptPreview { preview: id };
            let answer =
                client::send::<_, ImportEntry>("POST", wire::ACCEPT, Some(&body), &csrf).await;
            busy.set(false);
            match answer {
                Ok(Some(entry)) => {
                    outcome.set(None);
                    problem.set(None);
                    done.set(Some(format!(
                        "Übernommen: {} ({} neu, {} geändert){}. Die Apps erhalten die Werte mit der nächsten Aktualisierung.",
                        entry.name,
                        entry.counts.new,
                        entry.counts.changed,
                        entry.revision.map(|revision| format!(", Revision {revision}")).unwrap_or_default()
                    )));
                    if let Some(input) = file_input.get_untracked() {
                        input.set_value("");
                    }
                    load_log();
                }
                Ok(None) => {}
                Err(error) => problem.set(Some(error.message)),
            }
        });
    };

    let undo = move |id: i64| {
        let csrf = session.csrf();
        spawn_local(async move {
            let path = wire::UNDO.replace("{id}", &id.to_string());
            match client::send::<(), ImportEntry>("POST", &path, None, &csrf).await {
                Ok(Some(entry)) => {
                    problem.set(None);
                    done.set(Some(format!(
                        "Rückgängig gemacht: {} ({} Werte wiederhergestellt, {} entfernt).",
                        entry.name,
                        entry.counts.changed + entry.counts.new,
                        entry.deleted
                    )));
                    load_log();
                }
                Ok(None) => {}
                Err(error) => problem.set(Some(error.message)),
            }
        });
    };

    view! {
        <section class="redaktion-page">
            <h1>"Daten"</h1>
            <p>"Ein Export aus dem BI-System (CSV oder JSON, jede Importart) wird zuerst als Vorschau gezeigt; erst „Übernehmen“ schreibt ihn als eine Revision."</p>
            <form class="card form" on:submit=preview data-testid="daten-form">
                <label class="field">"Datei"
                    <input type="file" accept=".csv,.json,.txt,text/csv,application/json" node_ref=file_input data-testid="daten-datei"/>
                </label>
                <button type="submit" class="button primary" data-testid="daten-vorschau" disabled=move || busy.get()>"Vorschau zeigen"</button>
            </form>
            <p class="error" role="alert" data-testid="redaktion-fehler" hidden=move || problem.get().is_none()>{move || problem.get().unwrap_or_default()}</p>
            <p class="notice" role="status" data-testid="redaktion-erledigt" hidden=move || done.get().is_none()>{move || done.get().unwrap_or_default()}</p>
            {move || outcome.get().map(|shown| match shown {
                Outcome::Refused(rejected) => view! {
                    <div class="card" data-testid="daten-abgelehnt">
                        <h2>"Nicht übernommen"</h2>
                        <p>{rejected.message.clone()}</p>
                        <div class="scroll-box">
                            <table class="values audit">
                                <caption class="visually-hidden">"Abgelehnte Zeilen"</caption>
                                <thead><tr><th scope="col">"Zeile"</th><th scope="col">"Spalte"</th><th scope="col">"Wert"</th><th scope="col">"Grund"</th></tr></thead>
                                <tbody>
                                    {rejected.problems.into_iter().map(|problem| view! {
                                        <tr data-testid="daten-problem">
                                            <td>{if problem.line == 0 { "–".to_owned() } else { problem.line.to_string() }}</td>
                                            <td>{problem.column.unwrap_or_default()}</td>
                                            <td>{problem.value.unwrap_or_default()}</td>
                                            <td>{problem.reason}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </div>
                }.into_any(),
                Outcome::Preview(preview) => {
                    let id = preview.id.clone();
                    view! {
                        <div class="card preview" data-testid="daten-vorschau-ergebnis">
                            <h2>{format!("Vorschau: {}", preview.name)}</h2>
                            <p data-testid="daten-summe">
                                {format!("{} neu, {} geändert, {} unverändert", preview.total.new, preview.total.changed, preview.total.unchanged)}
                                {(preview.suppressed > 0).then(|| format!("; {} wegen kleiner Fallzahl geheim gehalten", preview.suppressed))}
                            </p>
                            {(preview.n_warnings > 0).then(|| view! {
                                <h3>{if preview.n_warnings == 1 { "Bitte prüfen (1 Hinweis)".to_owned() } else { format!("Bitte prüfen ({} Hinweise)", preview.n_warnings) }}</h3>
                                <ul class="warnings" data-testid="daten-hinweise">
                                    {preview.warnings.iter().map(|warning| view! { <li>{warning.message.clone()}</li> }).collect_view()}
                                </ul>
                            })}
                            {(!preview.biggest.is_empty()).then(|| view! {
                                <h3>"Größte Änderungen"</h3>
                                <div class="scroll-box">
                                    <table class="values audit" data-testid="daten-aenderungen">
                                        <caption class="visually-hidden">"Größte Änderungen gegenüber den gespeicherten Werten"</caption>
                                        <thead><tr><th scope="col">"Kennzahl"</th><th scope="col">"Gebiet"</th><th scope="col">"Jahr"</th><th scope="col">"Bisher"</th><th scope="col">"Neu"</th><th scope="col">"Änderung"</th></tr></thead>
                                        <tbody>{preview.biggest.clone().into_iter().map(change_row).collect_view()}</tbody>
                                    </table>
                                </div>
                            })}
                            <h3>"Nach Kennzahl und Jahr"</h3>
                            <div class="scroll-box">
                                <table class="values audit" data-testid="daten-zaehlung">
                                    <caption class="visually-hidden">"Zeilen nach Kennzahl und Jahr"</caption>
                                    <thead><tr><th scope="col">"Kennzahl"</th><th scope="col">"Jahr"</th><th scope="col">"Neu"</th><th scope="col">"Geändert"</th><th scope="col">"Unverändert"</th></tr></thead>
                                    <tbody>
                                        {preview.counts.iter().map(|row| view! {
                                            <tr>
                                                <th scope="row">{row.label.clone()}</th>
                                                <td>{row.year}</td>
                                                <td>{row.counts.new}</td>
                                                <td>{row.counts.changed}</td>
                                                <td>{row.counts.unchanged}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <div class="card-links">
                                <button type="button" class="button primary" data-testid="daten-uebernehmen" disabled=move || busy.get()
                                    on:click=move |_| accept(id.clone())>"Übernehmen"</button>
                                <button type="button" class="button secondary" data-testid="daten-verwerfen"
                                    on:click=move |_| outcome.set(None)>"Verwerfen"</button>
                            </div>
                        </div>
                    }.into_any()
                }
            })}
            <h2>"Importe"</h2>
            {move || match log.get() {
                None => view! { <p aria-busy="true">"Lädt …"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
                Some(Ok(entries)) if entries.is_empty() => view! { <p class="notice">"Noch keine Importe über die Redaktion."</p> }.into_any(),
                Some(Ok(entries)) => view! {
                    <div class="scroll-box">
                        <table class="values audit" data-testid="daten-log">
                            <caption class="visually-hidden">"Importe, neueste zuerst"</caption>
                            <thead><tr><th scope="col">"Zeit"</th><th scope="col">"Wer"</th><th scope="col">"Was"</th><th scope="col">"Werte"</th><th scope="col">"Aktion"</th></tr></thead>
                            <tbody>
                                {entries.into_iter().map(|entry| {
                                    let what = match entry.kind {
                                        EntryKind::Import => format!("Import {}", entry.name),
                                        EntryKind::Undo => format!("Rückgängig: {}", entry.name),
                                    };
                                    let values = format!("{} neu, {} geändert{}", entry.counts.new, entry.counts.changed,
                                        if entry.deleted > 0 { format!(", {} entfernt", entry.deleted) } else { String::new() });
                                    let id = entry.id;
                                    let action = match (entry.kind, entry.undone_by, entry.not_undoable.clone()) {
                                        (EntryKind::Import, None, None) => view! {
                                            <button type="button" class="button secondary" data-testid="daten-rueckgaengig" on:click=move |_| undo(id)>
                                                "Rückgängig machen"<span class="visually-hidden">{format!(" ({})", entry.name)}</span>
                                            </button>
                                        }.into_any(),
                                        (EntryKind::Import, Some(_), _) => view! { <span>"rückgängig gemacht"</span> }.into_any(),
                                        (_, _, Some(reason)) => view! { <span>{reason}</span> }.into_any(),
                                        _ => view! { <span></span> }.into_any(),
                                    };
                                    view! {
                                        <tr data-testid="daten-eintrag">
                                            <td>{format::date_time(entry.time)}</td>
                                            <td>{entry.display_name.clone()}</td>
                                            <td>{what}</td>
                                            <td>{values}</td>
                                            <td>{action}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

fn api_message(json: wasm_bindgen::JsValue) -> String {
    serde_wasm_bindgen::from_value::<ApiError>(json)
        .map(|error| error.message)
        .unwrap_or_else(|_| "Der Server antwortete unerwartet".into())
}
