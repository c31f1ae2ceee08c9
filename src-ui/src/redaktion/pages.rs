//! The workspace's pages: sign-in, own password, start, the Beschlusskontrolle of an office,
//! accounts and the audit log.

use fokus_model::api::ApiError;
use fokus_model::content::RecommendationStatus;
use fokus_model::redaktion::{
    self as wire, Account, AccountLock, AuditEntry, Login, NewAccount, OneTimePassword,
    PasswordChange, Role, SessionInfo, StatusUpdate, Task,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::{client, routes, use_session};
use crate::format;

/// An error line read out by screen readers as it appears.
#[component]
fn Problem(message: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <p class="error" role="alert" data-testid="redaktion-fehler" hidden=move || message.get().is_none()>
            {move || message.get().unwrap_or_default()}
        </p>
    }
}

/// A confirmation, announced politely.
#[component]
fn Done(message: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <p class="notice" role="status" data-testid="redaktion-erledigt" hidden=move || message.get().is_none()>
            {move || message.get().unwrap_or_default()}
        </p>
    }
}

fn message_of(error: &ApiError) -> String {
    error.message.clone()
}

/// Today as an ISO date on this device.
fn today() -> String {
    crate::beschluss::today()
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let login = Login {
            name: name.get_untracked(),
            password: password.get_untracked(),
        };
        let navigate = navigate.clone();
        busy.set(true);
        spawn_local(async move {
            let answer =
                client::send::<_, SessionInfo>("POST", wire::LOGIN, Some(&login), "").await;
            busy.set(false);
            match answer {
                Ok(Some(info)) => {
                    problem.set(None);
                    password.set(String::new());
                    let next = if info.account.must_change_password {
                        routes::PASSWORD
                    } else {
                        routes::START
                    };
                    session.info.set(Some(Some(info)));
                    navigate(next, Default::default());
                }
                Ok(None) => problem.set(Some("Leere Antwort des Servers".into())),
                Err(error) => problem.set(Some(message_of(&error))),
            }
        });
    };
    view! {
        <section class="redaktion-page narrow">
            <h1>"Anmelden"</h1>
            <p>"Für die Redaktion, die Datenpflege und die Fachdienste des Kreises."</p>
            <form class="card form" on:submit=submit data-testid="anmelden-form">
                <label class="field">"Anmeldename"
                    <input type="text" name="username" autocomplete="username" required autocapitalize="none" spellcheck="false"
                        data-testid="anmelden-name"
                        prop:value=move || name.get() on:input=move |event| name.set(event_target_value(&event))/>
                </label>
                <label class="field">"Passwort"
                    <input type="password" name="password" autocomplete="current-password" required
                        data-testid="anmelden-passwort"
                        prop:value=move || password.get() on:input=move |event| password.set(event_target_value(&event))/>
                </label>
                <Problem message=problem/>
                <button type="submit" class="button primary" data-testid="anmelden-senden" disabled=move || busy.get()>"Anmelden"</button>
            </form>
            <p class="hint">"Passwort vergessen? Die Administration setzt es zurück."</p>
        </section>
    }
}

#[component]
pub fn PasswordPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let first = move || {
        session
            .info
            .get()
            .flatten()
            .is_some_and(|info| info.account.must_change_password)
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if new.get_untracked() != repeat.get_untracked() {
            problem.set(Some(
                "Die beiden neuen Passwörter stimmen nicht überein".into(),
            ));
            return;
        }
        let change = PasswordChange {
            current: current.get_untracked(),
            new: new.get_untracked(),
        };
        let csrf = session.csrf();
        let navigate = navigate.clone();
        spawn_local(async move {
            match client::send::<_, SessionInfo>("POST", wire::PASSWORD, Some(&change), &csrf).await
            {
                Ok(Some(info)) => {
                    session.info.set(Some(Some(info)));
                    navigate(routes::START, Default::default());
                }
                Ok(None) => {}
                Err(error) => problem.set(Some(message_of(&error))),
            }
        });
    };
    view! {
        <section class="redaktion-page narrow">
            <h1>"Eigenes Passwort wählen"</h1>
            <Show when=first>
                <p class="notice">"Sie haben sich mit einem Einmalpasswort angemeldet. Bitte wählen Sie jetzt Ihr eigenes."</p>
            </Show>
            <form class="card form" on:submit=submit data-testid="passwort-form">
                <label class="field">"Bisheriges Passwort"
                    <input type="password" autocomplete="current-password" required data-testid="passwort-alt"
                        prop:value=move || current.get() on:input=move |event| current.set(event_target_value(&event))/>
                </label>
                <label class="field">"Neues Passwort"
                    <input type="password" autocomplete="new-password" required aria-describedby="passwort-regel"
                        minlength=wire::PASSWORD_MIN_CHARS.to_string() data-testid="passwort-neu"
                        prop:value=move || new.get() on:input=move |event| new.set(event_target_value(&event))/>
                </label>
                <p id="passwort-regel" class="hint">
                    {format!("Mindestens {} Zeichen, ohne den Anmeldenamen. Ein Satz aus mehreren Wörtern ist gut zu merken und sicher.", wire::PASSWORD_MIN_CHARS)}
                </p>
                <label class="field">"Neues Passwort wiederholen"
                    <input type="password" autocomplete="new-password" required data-testid="passwort-wiederholen"
                        prop:value=move || repeat.get() on:input=move |event| repeat.set(event_target_value(&event))/>
                </label>
                <Problem message=problem/>
                <button type="submit" class="button primary" data-testid="passwort-senden">"Passwort speichern"</button>
            </form>
        </section>
    }
}

#[component]
pub fn StartPage() -> impl IntoView {
    let session = use_session();
    let roles = move || {
        session
            .info
            .get()
            .flatten()
            .map(|info| {
                info.account
                    .roles
                    .iter()
                    .map(|role| role.label_de())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let office = move || {
        session
            .info
            .get()
            .flatten()
            .map(|info| info.account.office)
            .filter(|office| !office.is_empty())
    };
    view! {
        <section class="redaktion-page">
            <h1>"Redaktion"</h1>
            <p data-testid="redaktion-rollen">"Ihre Rollen: " {roles}
                {move || office().map(|office| format!(" ({office})"))}
            </p>
            <ul class="cards redaktion-cards">
                <Show when=move || session.has(Role::Fachdienst) || session.has(Role::Redaktion) || session.has(Role::Admin)>
                    <li class="card">
                        <h2><A href=routes::TASKS>"Beschlusskontrolle"</A></h2>
                        <p>"Den Stand der Handlungsempfehlungen setzen, für die Ihr Fachdienst zuständig ist. Jede Änderung erreicht alle Apps mit der nächsten Aktualisierung."</p>
                    </li>
                </Show>
                <Show when=move || session.has(Role::Daten) || session.has(Role::Admin)>
                    <li class="card">
                        <h2><A href=routes::DATA>"Daten"</A></h2>
                        <p>"Exporte aus dem BI-System hochladen, die Vorschau prüfen, übernehmen – und bei Bedarf rückgängig machen."</p>
                    </li>
                </Show>
                <Show when=move || session.has(Role::Admin)>
                    <li class="card">
                        <h2><A href=routes::ACCOUNTS>"Konten"</A></h2>
                        <p>"Konten anlegen, Passwörter zurücksetzen, Konten sperren."</p>
                    </li>
                    <li class="card">
                        <h2><A href=routes::AUDIT>"Protokoll"</A></h2>
                        <p>"Wer hat wann was geändert, wer hat sich angemeldet."</p>
                    </li>
                </Show>
            </ul>
            <p><A href=routes::PASSWORD>"Eigenes Passwort ändern"</A></p>
        </section>
    }
}

fn status_class(status: Option<RecommendationStatus>) -> String {
    format!(
        "status-{}",
        status.unwrap_or(RecommendationStatus::Offen).as_str()
    )
}

/// The Beschlusskontrolle of the signed-in office: each recommendation with its current
/// status and a form for the next.
#[component]
pub fn TasksPage() -> impl IntoView {
    let tasks = RwSignal::new(None::<Result<Vec<Task>, String>>);
    let done = RwSignal::new(None::<String>);
    let load = move || {
        spawn_local(async move {
            let answer = client::get::<Vec<Task>>(wire::TASKS).await;
            tasks.set(Some(answer.map_err(|error| message_of(&error))));
        });
    };
    load();
    view! {
        <section class="redaktion-page">
            <h1>"Beschlusskontrolle"</h1>
            <p>"Überfällige zuerst. Ein neuer Stand wird mit Datum und Notiz gespeichert und als eigene Revision an alle Apps verteilt."</p>
            <Done message=done/>
            {move || match tasks.get() {
                None => view! { <p aria-busy="true">"Lädt …"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="notice">"Ihrem Fachdienst ist derzeit keine Handlungsempfehlung zugeordnet."</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="task-list">
                        {list.into_iter().map(|task| view! { <TaskCard task=task tasks=tasks done=done/> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn TaskCard(
    task: Task,
    tasks: RwSignal<Option<Result<Vec<Task>, String>>>,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let session = use_session();
    let current = task.status();
    let last = task.history.last().cloned();
    let status = RwSignal::new(
        match current {
            Some(RecommendationStatus::Offen) | None => RecommendationStatus::InUmsetzung,
            Some(other) => other,
        }
        .as_str()
        .to_owned(),
    );
    let date = RwSignal::new(today());
    let note = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let id = task.id.clone();
    let slug: String = id.replace('/', "-");
    let seen = task.history.len();
    let title = task.title.clone();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(chosen) = RecommendationStatus::parse(&status.get_untracked()) else {
            return;
        };
        let update = StatusUpdate {
            date: date.get_untracked(),
            status: chosen,
            note: note.get_untracked(),
            seen,
        };
        let path = wire::TASK_STATUS.replace("{*id}", &id);
        let csrf = session.csrf();
        let title = title.clone();
        busy.set(true);
        spawn_local(async move {
            let answer = client::send::<_, Task>("POST", &path, Some(&update), &csrf).await;
            busy.set(false);
            match answer {
                Ok(Some(changed)) => {
                    problem.set(None);
                    done.set(Some(format!(
                        "Gespeichert: „{title}“ ist jetzt „{}“. Die Apps erhalten den neuen Stand mit der nächsten Aktualisierung.",
                        chosen.label_de()
                    )));
                    tasks.update(|tasks| {
                        if let Some(Ok(list)) = tasks {
                            if let Some(slot) = list.iter_mut().find(|task| task.id == changed.id) {
                                *slot = changed;
                            }
                        }
                    });
                }
                Ok(None) => {}
                Err(error) => problem.set(Some(message_of(&error))),
            }
        });
    };
    let options = RecommendationStatus::ALL
        .into_iter()
        .map(|option| {
            view! { <option value=option.as_str() selected=move || status.get() == option.as_str()>{option.label_de()}</option> }
        })
        .collect_view();
    let heading_id = format!("titel-{slug}");
    let labelled_by = heading_id.clone();
    view! {
        <li class="card task" data-testid=format!("aufgabe-{slug}") aria-labelledby=labelled_by>
            <h2 id=heading_id>{task.title.clone()}</h2>
            <p class="hint">{task.handlungsfeld.clone()} " · " {task.office.clone()}
                {task.deadline.clone().map(|deadline| format!(" · Frist {}", format::iso_date(&deadline)))}
            </p>
            <Show when=move || task.overdue>
                <p class="status-ueberfaellig"><strong>"Überfällig"</strong></p>
            </Show>
            <p class=status_class(current) data-testid="aufgabe-stand">
                <span class="ampel-dot" aria-hidden="true"></span>
                <strong>{current.map_or("offen", RecommendationStatus::label_de)}</strong>
                {last.map(|last| {
                    let note = if last.note.is_empty() { String::new() } else { format!(": {}", last.note) };
                    format!(" seit {}{note}", format::iso_date(&last.date))
                })}
            </p>
            <form class="form task-form" on:submit=submit>
                <div class="form-row">
                    <label class="field">"Neuer Stand"
                        <select data-testid="aufgabe-neuer-stand" on:change=move |event| status.set(event_target_value(&event))>
                            {options}
                        </select>
                    </label>
                    <label class="field">"Datum"
                        <input type="date" required data-testid="aufgabe-datum"
                            prop:value=move || date.get() on:input=move |event| date.set(event_target_value(&event))/>
                    </label>
                </div>
                <label class="field">"Notiz (erscheint in der App)"
                    <textarea rows="2" maxlength=wire::NOTE_MAX_CHARS.to_string() data-testid="aufgabe-notiz"
                        prop:value=move || note.get() on:input=move |event| note.set(event_target_value(&event))></textarea>
                </label>
                <Problem message=problem/>
                <button type="submit" class="button primary" data-testid="aufgabe-speichern" disabled=move || busy.get()>"Stand speichern"</button>
            </form>
        </li>
    }
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let session = use_session();
    let accounts = RwSignal::new(None::<Result<Vec<Account>, String>>);
    let issued = RwSignal::new(None::<OneTimePassword>);
    let problem = RwSignal::new(None::<String>);
    let load = move || {
        spawn_local(async move {
            let answer = client::get::<Vec<Account>>(wire::ACCOUNTS).await;
            accounts.set(Some(answer.map_err(|error| message_of(&error))));
        });
    };
    load();
    let name = RwSignal::new(String::new());
    let display = RwSignal::new(String::new());
    let office = RwSignal::new(String::new());
    let chosen = RwSignal::new(vec![Role::Redaktion]);
    let create = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let new = NewAccount {
            name: name.get_untracked().trim().to_owned(),
            display_name: display.get_untracked(),
            roles: chosen.get_untracked(),
            office: office.get_untracked(),
        };
        let csrf = session.csrf();
        spawn_local(async move {
            match client::send::<_, OneTimePassword>("POST", wire::ACCOUNTS, Some(&new), &csrf)
                .await
            {
                Ok(password) => {
                    problem.set(None);
                    issued.set(password);
                    name.set(String::new());
                    display.set(String::new());
                    office.set(String::new());
                    load();
                }
                Err(error) => problem.set(Some(message_of(&error))),
            }
        });
    };
    let reset = move |account: String| {
        let csrf = session.csrf();
        spawn_local(async move {
            let path = wire::ACCOUNT_RESET.replace("{name}", &account);
            match client::send::<(), OneTimePassword>("POST", &path, None, &csrf).await {
                Ok(password) => {
                    problem.set(None);
                    issued.set(password);
                    load();
                }
                Err(error) => problem.set(Some(message_of(&error))),
            }
        });
    };
    let lock = move |account: String, locked: bool| {
        let csrf = session.csrf();
        spawn_local(async move {
            let path = wire::ACCOUNT_LOCK.replace("{name}", &account);
            match client::send::<_, ()>("POST", &path, Some(&AccountLock { locked }), &csrf).await {
                Ok(_) => {
                    problem.set(None);
                    load();
                }
                Err(error) => problem.set(Some(message_of(&error))),
            }
        });
    };
    let role_boxes = Role::ALL
        .into_iter()
        .map(|role| {
            view! {
                <label class="check">
                    <input type="checkbox" data-testid=format!("konto-rolle-{}", role.as_str())
                        prop:checked=move || chosen.get().contains(&role)
                        on:change=move |event| {
                            let on = event_target_checked(&event);
                            chosen.update(|roles| {
                                roles.retain(|other| *other != role);
                                if on { roles.push(role); }
                            });
                        }/>
                    {role.label_de()}
                </label>
            }
        })
        .collect_view();
    view! {
        <section class="redaktion-page">
            <h1>"Konten"</h1>
            <Problem message=problem/>
            {move || issued.get().map(|issued| view! {
                <div class="notice" role="status" data-testid="einmalpasswort">
                    <p>"Einmalpasswort für " <strong>{issued.name.clone()}</strong> " (wird nur jetzt angezeigt; bitte persönlich übergeben, bei der ersten Anmeldung zu ändern):"</p>
                    <p class="one-time-password"><code data-testid="einmalpasswort-wert">{issued.password.clone()}</code></p>
                </div>
            })}
            {move || match accounts.get() {
                None => view! { <p aria-busy="true">"Lädt …"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="scroll-box">
                    <table class="values accounts">
                        <caption class="visually-hidden">"Konten der Redaktion"</caption>
                        <thead><tr><th scope="col">"Anmeldename"</th><th scope="col">"Name"</th><th scope="col">"Rollen"</th><th scope="col">"Fachdienst"</th><th scope="col">"Zustand"</th><th scope="col">"Aktionen"</th></tr></thead>
                        <tbody>
                        {list.into_iter().map(|account| {
                            let roles = account.roles.iter().map(|role| role.label_de()).collect::<Vec<_>>().join(", ");
                            let state = if account.locked { "gesperrt" } else if account.must_change_password { "Einmalpasswort" } else { "aktiv" };
                            let (for_reset, for_lock) = (account.name.clone(), account.name.clone());
                            let locked = account.locked;
                            view! {
                                <tr data-testid=format!("konto-{}", account.name)>
                                    <th scope="row">{account.name.clone()}</th>
                                    <td>{account.display_name.clone()}</td>
                                    <td>{roles}</td>
                                    <td>{account.office.clone()}</td>
                                    <td>{state}</td>
                                    <td><div class="row-actions">
                                        <button type="button" class="button secondary" on:click=move |_| reset(for_reset.clone())>
                                            <span class="visually-hidden">"Passwort "</span>"Zurücksetzen"<span class="visually-hidden">{format!(" für {}", account.name)}</span>
                                        </button>
                                        <button type="button" class="button secondary" on:click=move |_| lock(for_lock.clone(), !locked)>
                                            {if locked { "Entsperren" } else { "Sperren" }}<span class="visually-hidden">{format!(" {}", account.name)}</span>
                                        </button>
                                    </div></td>
                                </tr>
                            }
                        }).collect_view()}
                        </tbody>
                    </table>
                    </div>
                }.into_any(),
            }}
            <h2>"Neues Konto"</h2>
            <form class="card form" on:submit=create data-testid="konto-form">
                <div class="form-row">
                    <label class="field">"Anmeldename"
                        <input type="text" required autocapitalize="none" spellcheck="false" pattern="[a-z0-9][a-z0-9._\\-]*" data-testid="konto-name"
                            aria-describedby="konto-name-regel"
                            prop:value=move || name.get() on:input=move |event| name.set(event_target_value(&event))/>
                    </label>
                    <label class="field">"Name"
                        <input type="text" required data-testid="konto-anzeigename"
                            prop:value=move || display.get() on:input=move |event| display.set(event_target_value(&event))/>
                    </label>
                </div>
                <p id="konto-name-regel" class="hint">"Kleinbuchstaben, Ziffern, Punkt, Binde- oder Unterstrich, etwa m.muster."</p>
                <fieldset class="roles">
                    <legend>"Rollen"</legend>
                    {role_boxes}
                </fieldset>
                <label class="field">"Fachdienst (für die Rolle Fachdienst, wie unter „zuständig“ in den Empfehlungen)"
                    <input type="text" data-testid="konto-fachdienst"
                        prop:value=move || office.get() on:input=move |event| office.set(event_target_value(&event))/>
                </label>
                <button type="submit" class="button primary" data-testid="konto-anlegen">"Konto anlegen"</button>
            </form>
        </section>
    }
}

fn action_label(action: &str) -> &str {
    match action {
        "anmeldung" => "Anmeldung",
        "anmeldung_fehlgeschlagen" => "Anmeldung fehlgeschlagen",
        "anmeldung_gesperrt" => "Anmeldung eines gesperrten Kontos",
        "abmeldung" => "Abmeldung",
        "passwort_geaendert" => "Passwort geändert",
        "passwort_zurueckgesetzt" => "Passwort zurückgesetzt",
        "konto_angelegt" => "Konto angelegt",
        "konto_gesperrt" => "Konto gesperrt",
        "konto_entsperrt" => "Konto entsperrt",
        "status" => "Stand einer Empfehlung",
        "daten_import" => "Daten übernommen",
        "daten_rueckgaengig" => "Import rückgängig gemacht",
        other => other,
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let log = RwSignal::new(None::<Result<Vec<AuditEntry>, String>>);
    spawn_local(async move {
        let answer = client::get::<Vec<AuditEntry>>(&format!("{}?limit=500", wire::AUDIT)).await;
        log.set(Some(answer.map_err(|error| message_of(&error))));
    });
    view! {
        <section class="redaktion-page">
            <h1>"Protokoll"</h1>
            <p>"Die letzten 500 Einträge, neueste zuerst. Das Protokoll bleibt auf dem Server; es erreicht keine App."</p>
            {move || match log.get() {
                None => view! { <p aria-busy="true">"Lädt …"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
                Some(Ok(entries)) => view! {
                    <div class="scroll-box">
                    <table class="values audit" data-testid="protokoll">
                        <caption class="visually-hidden">"Protokoll der Redaktion"</caption>
                        <thead><tr><th scope="col">"Zeit"</th><th scope="col">"Konto"</th><th scope="col">"Vorgang"</th><th scope="col">"Einzelheiten"</th><th scope="col">"Von"</th></tr></thead>
                        <tbody>
                        {entries.into_iter().map(|entry| view! {
                            <tr>
                                <td>{format::date_time(entry.time)}</td>
                                <td>{entry.account.clone()}</td>
                                <td>{action_label(&entry.action).to_owned()}</td>
                                <td>{entry.detail.clone()}</td>
                                <td>{entry.from.clone()}</td>
                            </tr>
                        }).collect_view()}
                        </tbody>
                    </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}
