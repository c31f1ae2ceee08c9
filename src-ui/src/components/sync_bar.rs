//! The sync indicator in the header ("abgeglichen …", "offline · abgeglichen …"), the progress of a long
//! sync, and the manual refresh.

use fokus_model::news::{SyncPhase, SyncProgress};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::use_app;
use crate::components::icon::{Icon, IconName};
use crate::format;
use crate::offline;

#[component]
pub fn SyncBar() -> impl IntoView {
    let app = use_app();
    let busy = RwSignal::new(false);
    // The full words for screen readers and wide screens, a short form for the compact header.
    let online_only_mode = matches!(offline::mode(), offline::Mode::Online(_));
    let text = move || status_words(app.sync_state.get().as_ref(), false, online_only_mode);
    let short = move || status_words(app.sync_state.get().as_ref(), true, online_only_mode);
    let online = move || app.sync_state.get().is_some_and(|state| state.online);
    let progress = move || {
        let syncing = app.sync_state.get().is_some_and(|state| state.syncing);
        app.sync_progress
            .get()
            .filter(|_| syncing)
            .map(|progress| view! { <Progress progress=progress/> })
    };
    let problem = move || app.sync_state.get().and_then(|state| state.problem);
    // A new version of the web app waits in the service worker until the reader takes it.
    let update = RwSignal::new(false);
    offline::update_signal(update);
    // In a browser that keeps no data, say so: offline this page shows nothing. The words say
    // "nur online"; the reason is for screen readers here and in Einstellungen for everyone.
    let online_only = match offline::mode() {
        offline::Mode::Online(reason) => Some(view! {
            <span class="visually-hidden" data-testid="online-only">{format!("Nur online: {reason}")}</span>
        }),
        _ => None,
    };
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
            <span class="sync-state" class:online=online data-testid="sync-status"
                data-revision=move || app.sync_state.get().map(|state| state.revision.to_string()) role="status" aria-live="polite" title=text>
                <span class="dot" aria-hidden="true"></span>
                <span class="sync-long">{text}</span>
                <span class="sync-short" aria-hidden="true">{short}</span>
                {online_only}
            </span>
            {progress}
            {move || problem().map(|problem| view! { <span class="sync-problem" data-testid="sync-problem">{problem}</span> })}
            {move || update.get().then(|| view! {
                <button class="button update-now" on:click=move |_| offline::take_update() data-testid="update-available">
                    "Neue Version verfügbar"
                </button>
            })}
            <button class="button sync-now" on:click=refresh disabled=move || busy.get() data-testid="sync-now" aria-label="Jetzt aktualisieren">
                <Icon name=IconName::Refresh/>
                <span class="wide-only" aria-hidden="true">"Jetzt aktualisieren"</span>
            </button>
        </div>
    }
}

/// The sync state in words: "abgeglichen 03.12.2026, 20:18", "offline · abgeglichen …".
/// `short` for the compact header: the time alone when it was today, else the date.
/// `online_only`: a browser page that keeps no data ("nur online · 20:18").
fn status_words(state: Option<&fokus_model::SyncState>, short: bool, online_only: bool) -> String {
    let Some(state) = state else {
        return "Verbinde …".to_owned();
    };
    if state.syncing {
        return "Gleiche ab …".to_owned();
    }
    let when = state.last_success.map(|seconds| {
        if short {
            format::date_time_short(seconds)
        } else {
            format::date_time(seconds)
        }
    });
    match (state.online, when) {
        (true, Some(when)) if online_only && short => format!("nur online · {when}"),
        (true, Some(when)) if online_only => format!("nur online · abgeglichen {when}"),
        (true, Some(when)) => format!("abgeglichen {when}"),
        (true, None) => "verbunden".to_owned(),
        (false, Some(when)) if short => format!("offline · {when}"),
        (false, Some(when)) => format!("offline · abgeglichen {when}"),
        (false, None) if state.revision > 0 && short => "offline".to_owned(),
        (false, None) if state.revision > 0 => "offline · mitgelieferter Datenstand".to_owned(),
        (false, None) => "offline · noch nicht abgeglichen".to_owned(),
    }
}

/// A progress bar with its text: what is being loaded and how much of it.
#[component]
fn Progress(progress: SyncProgress) -> impl IntoView {
    let what = match progress.phase {
        SyncPhase::Feed => "Daten werden geladen",
        SyncPhase::Apply => "Daten werden gespeichert",
        SyncPhase::Media => "Dateien werden geladen",
    };
    let amount = match (progress.total_bytes, progress.total_items) {
        (_, Some(items)) if progress.phase == SyncPhase::Media => {
            format!("{} von {items}", progress.items + 1)
        }
        (Some(total), _) => format!(
            "{} von {}",
            format::bytes(progress.bytes),
            format::bytes(total)
        ),
        (None, _) if progress.bytes > 0 => format::bytes(progress.bytes),
        _ => String::new(),
    };
    let (value, max) = match (progress.phase, progress.total_bytes) {
        (SyncPhase::Feed | SyncPhase::Media, Some(total)) if total > 0 => {
            (Some(progress.bytes.min(total) as f64), total as f64)
        }
        _ => (None, 1.0),
    };
    let label = if amount.is_empty() {
        format!("{what} …")
    } else {
        format!("{what}: {amount}")
    };
    view! {
        <span class="sync-progress" data-testid="sync-progress">
            // Without a known total the bar is indeterminate (no value attribute).
            <progress max=max value=value aria-label=what></progress>
            <span>{label}</span>
        </span>
    }
}
