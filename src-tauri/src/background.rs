//! The background sync: on start, on an interval, on the server's revision events and on
//! "Jetzt aktualisieren". Offline is a normal state: it backs off quietly and tells the UI.
//! After the data, media files follow; then one notification says what is new.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fokus_model::ipc::{self, AppEvent};
use fokus_model::news::{notification, Page};
use fokus_model::SyncState;
use fokus_sync::MediaPolicy;
use tauri::{AppHandle, Emitter, Manager};

use crate::Shell;

/// Regular sync interval; `FOKUS_SYNC_INTERVAL_SECS` overrides it.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(300);
const MIN_BACKOFF: Duration = Duration::from_secs(5);

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

fn interval() -> Duration {
    std::env::var("FOKUS_SYNC_INTERVAL_SECS")
        .ok()
        .and_then(|text| text.parse().ok())
        .map_or(DEFAULT_INTERVAL, Duration::from_secs)
}

pub fn emit(app: &AppHandle, event: AppEvent) {
    if let Err(error) = app.emit(ipc::EVENT, event) {
        tracing::warn!(%error, "could not send an event to the UI");
    }
}

pub fn start(app: AppHandle) {
    let events_app = app.clone();
    tauri::async_runtime::spawn(sync_loop(app));
    tauri::async_runtime::spawn(watch_server(events_app));
}

/// One sync, with state updates, media and the notification. Returns the state afterwards.
/// One sync runs at a time: asked while one runs ("Jetzt aktualisieren" during the regular
/// sync), it waits for that one and answers with its result instead of starting another.
pub async fn sync_now(app: &AppHandle) -> SyncState {
    sync_round(app).await.0
}

/// [`sync_now`], with how long the server asked the app to wait before the next attempt when it
/// was at capacity (503 with `Retry-After`, bounded by `fokus_sync::plan::retry_after`).
async fn sync_round(app: &AppHandle) -> (SyncState, Option<Duration>) {
    let shell = app.state::<Shell>();
    match shell.sync_gate.run(sync_alone(app)).await {
        Some(done) => done,
        None => (shell.sync_state(), None),
    }
}

/// The sync itself; only ever one at a time (`sync_now`).
async fn sync_alone(app: &AppHandle) -> (SyncState, Option<Duration>) {
    let shell = app.state::<Shell>();
    let syncer = shell.syncer();
    let started = shell.update_sync_state(|state| state.syncing = true);
    emit(app, AppEvent::SyncState { state: started });
    let result = syncer.sync_once(now()).await;
    let retry_after = result
        .as_ref()
        .err()
        .and_then(fokus_sync::SyncError::retry_after);
    tracing::debug!(server = %syncer.base_url(), ok = result.is_ok(), revision = ?result.as_ref().map(|outcome| outcome.revision).ok(), "sync ended");
    let settings = shell.settings();
    let media = match &result {
        Ok(_) => Some(
            syncer
                .sync_media(MediaPolicy {
                    videos: settings.download_video,
                })
                .await,
        ),
        Err(_) => None,
    };
    let state = shell.update_sync_state(|state| {
        fokus_sync::plan::record(state, &result, now());
        if let Some(Err(error)) = &media {
            if !error.is_offline() {
                state.problem = Some(format!("Dateien nicht vollständig geladen: {error}"));
            }
        }
    });
    match result {
        Ok(outcome) if outcome.revision != outcome.revision_before => {
            tracing::info!(revision = outcome.revision, news = ?outcome.news, "synced");
            if let Some((text, page)) = notification(&outcome.news, &settings) {
                crate::notify::show(app, &text, page);
            }
            crate::title_window(app);
            emit(
                app,
                AppEvent::DataChanged {
                    revision: outcome.revision,
                    news: outcome.news,
                },
            );
        }
        Ok(_) => {}
        Err(error) if error.is_broken_cache() => {
            tracing::error!(%error, "the cache is broken");
            crate::recover_cache(app);
            return (shell.sync_state(), None);
        }
        Err(error) => tracing::info!(%error, "sync did not complete"),
    }
    emit(
        app,
        AppEvent::SyncState {
            state: state.clone(),
        },
    );
    (state, retry_after)
}

/// Brings the window back (from the tray or behind others).
pub fn raise(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// Brings the window back and shows `page`.
pub fn show_page(app: &AppHandle, page: Page) {
    raise(app);
    emit(app, AppEvent::Navigate { page });
}

/// Tells the UI that the cache was replaced under it (recovered or cleared): the new state, and
/// that every view reloads.
pub fn announce_replaced(app: &AppHandle, state: fokus_model::SyncState) {
    let revision = state.revision;
    emit(app, AppEvent::SyncState { state });
    emit(
        app,
        AppEvent::DataChanged {
            revision,
            news: Vec::new(),
        },
    );
}

/// Brings the window back and shows the view a `fokus://` link names; a link that names no
/// view of the app is logged and ignored (links come from outside: only what the one parser
/// understands reaches the UI, re-printed by it).
pub fn open_link(app: &AppHandle, link: &str) {
    let Some(path) = fokus_model::view::open_path(link) else {
        tracing::warn!(%link, "a link that names no view of the app");
        return;
    };
    raise(app);
    emit(app, AppEvent::OpenView { path });
}

async fn sync_loop(app: AppHandle) {
    let regular = interval();
    let mut backoff = MIN_BACKOFF;
    loop {
        let (state, retry_after) = sync_round(&app).await;
        // A server at capacity named its wait: a crowd of apps it refused comes back spread
        // over the times it gave them, not all on the next interval.
        let wait = if let Some(wait) = retry_after {
            wait
        } else if state.online {
            backoff = MIN_BACKOFF;
            regular
        } else {
            backoff = (backoff * 2).min(regular);
            backoff
        };
        let shell = app.state::<Shell>();
        let _ = tokio::time::timeout(wait, shell.wake.notified()).await;
    }
}

/// Keeps a server-sent-events connection open while online and wakes the sync loop when the
/// server announces a revision other than the cache's. When the settings name another server,
/// the stream to the old one is dropped and one to the new one opened.
async fn watch_server(app: AppHandle) {
    let mut backoff = MIN_BACKOFF;
    loop {
        let shell = app.state::<Shell>();
        let syncer = shell.syncer();
        // Any revision other than the cache's: after a change of server (or a server restored
        // from a backup) the numbers may be lower than the cache's and still be news.
        let watching = syncer.watch_revisions(|revision| {
            tracing::debug!(server = %syncer.base_url(), revision, "the server announced a revision");
            if revision != shell.sync_state().revision {
                shell.wake.notify_one();
            }
        });
        let result = tokio::select! {
            result = watching => result,
            () = shell.server_changed.notified() => {
                backoff = MIN_BACKOFF;
                continue;
            }
        };
        if let Err(error) = result {
            tracing::debug!(%error, "event stream unavailable");
            backoff = (backoff * 2).min(Duration::from_secs(300));
        } else {
            backoff = MIN_BACKOFF;
        }
        tokio::time::sleep(backoff).await;
    }
}
