//! Settings: theme and text size (app and browser); in the app also which news get a
//! notification, the system's notification permission, the tray, whether videos are fetched in
//! advance, and the server's address.

use fokus_model::ipc::Permission;
use fokus_model::news::{NewsKind, Settings};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::use_app;
use crate::format;
use crate::offline;
use crate::personal::change;
use fokus_model::ipc::StorageInfo;
use fokus_model::personal::{Theme, TEXT_SIZES};

/// Theme and text size: in the app and in the browser, kept with the person's own data.
#[component]
fn Darstellung() -> impl IntoView {
    let app = use_app();
    let display = move || {
        app.personal
            .with(|personal| personal.as_ref().map(|personal| personal.display))
            .unwrap_or_default()
    };
    let themes = Theme::ALL
        .into_iter()
        .map(|theme| {
            let pick = move |_| {
                change(app, move |personal| {
                    personal.display.theme = theme;
                    Ok(())
                })
            };
            view! {
                <li>
                    <label class="switch">
                        <input type="radio" name="theme" value=theme.slug() checked=move || display().theme == theme
                            on:change=pick data-testid=format!("theme-{}", theme.slug())/>
                        {theme.label_de()}
                    </label>
                </li>
            }
        })
        .collect_view();
    let sizes = TEXT_SIZES
        .into_iter()
        .map(|size| view! { <option value=size selected=move || display().text_size == size>{format!("{size} %")}</option> })
        .collect_view();
    let pick_size = move |event: leptos::ev::Event| {
        if let Ok(size) = event_target_value(&event).parse::<u16>() {
            change(app, move |personal| {
                personal.display.text_size = size;
                Ok(())
            });
        }
    };
    view! {
        <section class="card settings">
            <h2>"Darstellung"</h2>
            <fieldset class="plain">
                <legend>"Erscheinungsbild"</legend>
                <ul class="switches">{themes}</ul>
            </fieldset>
            <label class="field" for="text-size">"Textgröße"</label>
            <p class="hint" id="text-size-hint">"Zusätzlich zur Schriftgröße Ihres Systems; 100 % übernimmt sie unverändert."</p>
            <select id="text-size" class="select" aria-describedby="text-size-hint" on:change=pick_size data-testid="text-size">{sizes}</select>
        </section>
    }
}

/// In a browser: whether this device keeps the data for offline use, and why not; the
/// browser's notifications and how much room it gives the site.
#[component]
fn Offline() -> impl IntoView {
    let app = use_app();
    let mode = offline::mode();
    let keeps = matches!(mode, offline::Mode::Offline);
    let estimate = RwSignal::new(None::<(u64, u64)>);
    let persisted = RwSignal::new(None::<bool>);
    let permission = RwSignal::new(None::<Permission>);
    spawn_local(async move {
        estimate.set(offline::estimate().await);
        persisted.set(offline::persisted().await);
        permission.set(app.backend.notification_permission(false).await.ok());
    });
    let mode_text = match &mode {
        offline::Mode::Offline => "Offline verfügbar: Diese Seite hält die Daten auf diesem Gerät und gleicht sie ab, sobald eine Verbindung besteht.".to_owned(),
        offline::Mode::Online(reason) => format!("Nur online: {reason}"),
        offline::Mode::App => String::new(),
    };
    let switch = move |event: leptos::ev::Event| {
        offline::set_switched_off(!event_target_checked(&event));
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    };
    let keep = move |_| {
        spawn_local(async move {
            let _ = offline::persist().await;
            persisted.set(offline::persisted().await);
        });
    };
    let ask = move |_| {
        spawn_local(async move {
            permission.set(app.backend.notification_permission(true).await.ok());
        });
    };
    let room = move || {
        estimate.get().map(|(usage, quota)| {
            format!(
                "Der Browser belegt für diese Seite {} von {}.",
                format::bytes(usage),
                format::bytes(quota)
            )
        })
    };
    let persisted_text = move || match persisted.get() {
        Some(true) => "Der Browser behält diese Daten auch, wenn der Speicher knapp wird.",
        Some(false) => "Der Browser darf diese Daten löschen, wenn der Speicher knapp wird.",
        None => "",
    };
    let permission_text = move || match permission.get() {
        Some(Permission::Granted) => {
            "Neue Daten werden gemeldet, solange diese Seite geöffnet ist."
        }
        Some(Permission::Denied) => "Benachrichtigungen sind für diese Seite abgeschaltet.",
        Some(Permission::Prompt) => "Diese Seite darf noch nicht benachrichtigen.",
        None => "",
    };
    view! {
        <section class="card settings" data-testid="offline-settings">
            <h2>"Offline"</h2>
            <p data-testid="offline-mode">{mode_text}</p>
            <label class="switch">
                <input type="checkbox" checked=!offline::switched_off() on:change=switch data-testid="offline-switch"/>
                "Daten auf diesem Gerät halten (lädt die Seite neu)"
            </label>
            {keeps.then(|| view! {
                <p data-testid="storage-estimate">{room}</p>
                <p data-testid="storage-persisted">{persisted_text}</p>
                {move || (persisted.get() == Some(false)).then(|| view! {
                    <button class="button secondary" on:click=keep data-testid="storage-persist">"Dauerhaft speichern"</button>
                })}
                <p data-testid="notify-permission">{permission_text}</p>
                {move || (permission.get() == Some(Permission::Prompt)).then(|| view! {
                    <button class="button secondary" on:click=ask data-testid="notify-ask">"Benachrichtigungen erlauben"</button>
                })}
            })}
        </section>
    }
}

/// What the app (or the store worker in a browser) keeps on this device, and "Cache leeren".
#[component]
fn Speicher() -> impl IntoView {
    let app = use_app();
    let storage = RwSignal::new(None::<StorageInfo>);
    let status = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(info) = app.backend.storage_get().await {
            storage.set(Some(info));
        }
    });
    let clear = move |_| {
        let confirmed = web_sys::window()
            .and_then(|window| {
                window
                    .confirm_with_message("Gespeicherte Daten und Dateien löschen und neu laden? Notizen, Sitzungsmappen und Einstellungen bleiben.")
                    .ok()
            })
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match app.backend.cache_clear().await {
                Ok(info) => {
                    storage.set(Some(info));
                    status.set(
                        "Geleert. Die Daten werden neu geladen; Notizen und Mappen sind erhalten."
                            .into(),
                    );
                }
                Err(error) => status.set(error.message),
            }
            busy.set(false);
        });
    };
    let sizes = move || {
        storage.get().map(|info| {
            format!(
                "Daten: {} · Dateien: {} · Notizen und Mappen: {}",
                format::bytes(info.data_bytes),
                format::bytes(info.file_bytes),
                format::bytes(info.personal_bytes)
            )
        })
    };
    view! {
        <section class="card settings">
            <h2>"Speicher auf diesem Gerät"</h2>
            <p data-testid="storage">{sizes}</p>
            <p class="hint">"„Cache leeren“ löscht die gespeicherten Daten und Dateien und lädt sie vom Server neu. Notizen, Sitzungsmappen und Einstellungen bleiben."</p>
            <button class="button secondary" on:click=clear disabled=move || busy.get() data-testid="cache-clear">"Cache leeren"</button>
            <p role="status" class="hint" data-testid="cache-clear-status">{move || status.get()}</p>
        </section>
    }
}

#[component]
pub fn EinstellungenPage() -> impl IntoView {
    let app = use_app();
    let backend = app.backend;
    let settings = RwSignal::new(None::<Settings>);
    let problem = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let permission = RwSignal::new(None::<Permission>);
    // Kept outside the form, which is rebuilt when the settings are saved.
    let address = RwSignal::new(String::new());
    let test_result = RwSignal::new(None::<Result<String, String>>);
    spawn_local(async move {
        match backend.settings_get().await {
            Some(Ok(loaded)) => {
                address.set(loaded.server.clone().unwrap_or_default());
                settings.set(Some(loaded));
            }
            Some(Err(error)) => problem.set(Some(error.message)),
            None => {}
        }
        permission.set(backend.notification_permission(false).await.ok());
    });
    let save = move |change: Box<dyn FnOnce(&mut Settings)>| {
        let Some(mut next) = settings.get_untracked() else {
            return;
        };
        change(&mut next);
        saved.set(false);
        spawn_local(async move {
            match backend.settings_set(&next).await {
                Ok(stored) => {
                    settings.set(Some(stored));
                    problem.set(None);
                    saved.set(true);
                }
                Err(error) => problem.set(Some(error.message)),
            }
        });
    };
    let ask_permission = move |_| {
        spawn_local(async move {
            permission.set(backend.notification_permission(true).await.ok());
        });
    };
    let permission_text = move || match permission.get() {
        Some(Permission::Granted) => "Benachrichtigungen sind erlaubt.",
        Some(Permission::Denied) => {
            "Benachrichtigungen sind in den Systemeinstellungen abgeschaltet."
        }
        Some(Permission::Prompt) => {
            "Das System hat noch nicht gefragt, ob FOKUS PI benachrichtigen darf."
        }
        None => "",
    };
    let form = move || {
        settings.get().map(|current| {
            let kinds = NewsKind::ALL
                .into_iter()
                .map(|kind| {
                    let checked = current.announces(kind);
                    let toggle = move |event: leptos::ev::Event| {
                        let on = event_target_checked(&event);
                        save(Box::new(move |settings: &mut Settings| {
                            settings.muted.retain(|muted| *muted != kind);
                            if !on {
                                settings.muted.push(kind);
                            }
                        }));
                    };
                    view! {
                        <li>
                            <label class="switch">
                                <input type="checkbox" checked=checked on:change=toggle data-testid=format!("notify-{kind:?}").to_lowercase()/>
                                {kind.label_de()}
                            </label>
                        </li>
                    }
                })
                .collect_view();
            let tray = move |event: leptos::ev::Event| {
                let on = event_target_checked(&event);
                save(Box::new(move |settings: &mut Settings| settings.keep_in_tray = on));
            };
            let video = move |event: leptos::ev::Event| {
                let on = event_target_checked(&event);
                save(Box::new(move |settings: &mut Settings| settings.download_video = on));
            };
            let test = move |_| {
                test_result.set(Some(Ok("Verbindung wird geprüft …".to_owned())));
                spawn_local(async move {
                    let result = backend.server_test(&address.get_untracked()).await;
                    test_result.set(Some(result.map_err(|error| error.message)));
                });
            };
            let apply = move |event: leptos::ev::SubmitEvent| {
                event.prevent_default();
                let chosen = address.get_untracked();
                save(Box::new(move |settings: &mut Settings| {
                    settings.server = Some(chosen).filter(|text| !text.trim().is_empty());
                }));
            };
            view! {
                <section class="card settings">
                    <h2>"Server"</h2>
                    <form class="server-form" on:submit=apply>
                        <label for="server-address">"Adresse des FOKUS-Servers"</label>
                        <p class="hint" id="server-hint">"Leer lassen für den Server dieser Installation. Andere Server nur mit https://."</p>
                        <input id="server-address" type="url" inputmode="url" autocomplete="url" spellcheck="false"
                            aria-describedby="server-hint"
                            prop:value=move || address.get()
                            on:input=move |event| address.set(event_target_value(&event))
                            placeholder="https://fokus.kreis-pinneberg.de" data-testid="setting-server"/>
                        <div class="actions">
                            <button type="button" class="button secondary" on:click=test data-testid="server-test">"Verbindung testen"</button>
                            <button type="submit" class="button primary" data-testid="server-save">"Übernehmen"</button>
                        </div>
                    </form>
                    <p role="status" aria-live="polite" data-testid="server-test-result"
                        class=move || match test_result.get() { Some(Err(_)) => "error", _ => "hint" }>
                        {move || test_result.get().map(|result| match result { Ok(text) | Err(text) => text })}
                    </p>
                </section>
                <section class="card settings">
                    <h2>"Benachrichtigungen"</h2>
                    <p class="hint">"Worüber FOKUS PI Sie benachrichtigt, wenn neue Inhalte eintreffen:"</p>
                    <ul class="switches">{kinds}</ul>
                    <p data-testid="notification-permission">{permission_text}</p>
                    {move || (permission.get() == Some(Permission::Prompt)).then(|| view! {
                        <button class="button secondary" on:click=ask_permission>"Benachrichtigungen erlauben"</button>
                    })}
                </section>
                <section class="card settings">
                    <h2>"Im Hintergrund"</h2>
                    <ul class="switches">
                        <li>
                            <label class="switch">
                                <input type="checkbox" checked=current.keep_in_tray on:change=tray data-testid="setting-tray"/>
                                "Beim Schließen des Fensters im Infobereich weiterlaufen und aktualisieren"
                            </label>
                        </li>
                        <li>
                            <label class="switch">
                                <input type="checkbox" checked=current.download_video on:change=video data-testid="setting-video"/>
                                "Videos vorab laden (sonst erst beim Ansehen)"
                            </label>
                        </li>
                    </ul>
                </section>
            }
        })
    };
    view! {
        <h1 class="page-title">"Einstellungen"</h1>
        <Darstellung/>
        {move || (backend == crate::backend::Backend::Web).then(|| view! {
            <p class="notice">"Benachrichtigungen, Server und Hintergrund gibt es in der App; diese Seite im Browser merkt sich nur die Darstellung."</p>
        })}
        {form}
        {move || backend.in_browser().then(|| view! { <Offline/> })}
        {move || (backend != crate::backend::Backend::Web).then(|| view! { <Speicher/> })}
        <p role="status" aria-live="polite" class="hint" data-testid="settings-saved">
            {move || saved.get().then_some("Gespeichert.")}
        </p>
        {move || problem.get().map(|problem| view! { <p class="error" role="alert">{problem}</p> })}
    }
}
