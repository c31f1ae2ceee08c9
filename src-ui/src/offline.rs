//! The web build's offline path: the store worker (`crates/fokus-worker`, the same store and
//! sync steps as the app, on SQLite in the Origin Private File System) and the service worker
//! that keeps the shell. Decided once before the UI mounts; `Backend::Worker` then talks to the
//! worker through [`request`].

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use fokus_model::api::{ApiError, ErrorCode};
use fokus_model::ipc::AppEvent;
use fokus_model::worker::{WorkerCall, WorkerRequest};
use fokus_model::Revision;
use js_sys::{Function, Promise, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::backend::{local_storage, to_json};

/// Set to "aus" in local storage, the page stays an online page (no store worker, no service
/// worker): for a shared PC that should keep nothing, and for tests of the online build.
pub const SWITCH_KEY: &str = "fokus-offline";
/// The store worker's script (written by `cargo xtask` beside the shell).
const WORKER_SCRIPT: &str = "/store-worker.js";
/// How long the page waits for the worker before it starts online.
const START_WAIT_MS: i32 = 10_000;

/// How the web build reads its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Inside the Tauri app (its own cache; none of this applies).
    App,
    /// The store worker answers: offline available once the first sync is done.
    Offline,
    /// Reads go to the server; the reason says why, in German.
    Online(String),
}

/// Who hears the worker's events.
type Listeners = RefCell<Vec<Rc<dyn Fn(AppEvent)>>>;

struct Link {
    worker: web_sys::Worker,
    next_id: Cell<u32>,
    pending: RefCell<HashMap<u32, Function>>,
    listeners: Listeners,
    /// The store's revision as the worker last reported it (0: nothing stored yet).
    revision: Cell<Revision>,
    /// The revision last written to the console.
    logged: Cell<Revision>,
}

thread_local! {
    static MODE: RefCell<Mode> = const { RefCell::new(Mode::App) };
    static LINK: RefCell<Option<Rc<Link>>> = const { RefCell::new(None) };
}

pub fn mode() -> Mode {
    MODE.with(|mode| mode.borrow().clone())
}

fn set_mode(next: Mode) {
    MODE.with(|mode| *mode.borrow_mut() = next);
}

fn link() -> Option<Rc<Link>> {
    LINK.with(|link| link.borrow().clone())
}

/// The store's revision in the worker; 0 before the first sync (reads then go to the server).
pub fn stored_revision() -> Revision {
    link().map_or(0, |link| link.revision.get())
}

/// Whether the person switched the offline copy off on this device.
pub fn switched_off() -> bool {
    local_storage()
        .and_then(|storage| storage.get_item(SWITCH_KEY).ok().flatten())
        .is_some_and(|value| value == "aus")
}

/// Switches the offline copy on or off for the next start of the page.
pub fn set_switched_off(off: bool) {
    if let Some(storage) = local_storage() {
        let _ = if off {
            storage.set_item(SWITCH_KEY, "aus")
        } else {
            storage.remove_item(SWITCH_KEY)
        };
    }
}

/// Decides the mode: in the app nothing to do; in a browser, starts the store worker and waits
/// until it has opened the store (or said why it cannot).
pub async fn start(in_app: bool) {
    if in_app {
        set_mode(Mode::App);
        return;
    }
    if switched_off() {
        set_mode(Mode::Online(
            "Offline-Kopie auf diesem Gerät abgeschaltet (Einstellungen).".into(),
        ));
        return;
    }
    register_service_worker();
    match start_worker().await {
        Ok(()) => set_mode(Mode::Offline),
        Err(reason) => {
            web_sys::console::warn_1(&JsValue::from_str(&format!("FOKUS nur online: {reason}")));
            set_mode(Mode::Online(reason));
        }
    }
}

fn js_text(value: &JsValue) -> String {
    value
        .as_string()
        .or_else(|| {
            Reflect::get(value, &JsValue::from_str("message"))
                .ok()
                .and_then(|message| message.as_string())
        })
        .unwrap_or_else(|| format!("{value:?}"))
}

async fn start_worker() -> Result<(), String> {
    let window = web_sys::window().ok_or("kein Fenster")?;
    let navigator = window.navigator();
    let has_opfs = Reflect::get(&navigator, &JsValue::from_str("storage"))
        .ok()
        .filter(|storage| !storage.is_undefined())
        .and_then(|storage| Reflect::get(&storage, &JsValue::from_str("getDirectory")).ok())
        .is_some_and(|get| get.is_function());
    if !has_opfs {
        return Err(
            "Dieser Browser bietet keinen Speicher für Offline-Daten (Origin Private File System)."
                .into(),
        );
    }
    let worker = web_sys::Worker::new(WORKER_SCRIPT)
        .map_err(|error| format!("Der Offline-Speicher startet nicht: {}", js_text(&error)))?;
    let link = Rc::new(Link {
        worker,
        next_id: Cell::new(1),
        pending: RefCell::new(HashMap::new()),
        listeners: RefCell::new(Vec::new()),
        revision: Cell::new(0),
        logged: Cell::new(0),
    });
    // The first message says whether the store opened; the promise settles with it.
    let started: Rc<RefCell<Option<(Function, Function)>>> = Rc::new(RefCell::new(None));
    let ready = Promise::new(&mut |resolve, reject| {
        *started.borrow_mut() = Some((resolve, reject));
    });
    let on_message = {
        let link = Rc::clone(&link);
        let started = Rc::clone(&started);
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |message: web_sys::MessageEvent| {
            let Some(text) = message.data().as_string() else {
                return;
            };
            let Ok(value) = js_sys::JSON::parse(&text) else {
                return;
            };
            receive(&link, &started, &value);
        })
    };
    link.worker
        .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let on_error = {
        let started = Rc::clone(&started);
        Closure::<dyn Fn(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
            if let Some((_, reject)) = started.borrow_mut().take() {
                let _ = reject.call1(
                    &JsValue::NULL,
                    &JsValue::from_str(&format!(
                        "Der Offline-Speicher startet nicht: {}",
                        event.message()
                    )),
                );
            }
        })
    };
    link.worker
        .set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    // Waits at most START_WAIT_MS: a worker that never answers leaves the page online.
    let timeout = {
        let started = Rc::clone(&started);
        Closure::once_into_js(move || {
            if let Some((_, reject)) = started.borrow_mut().take() {
                let _ = reject.call1(
                    &JsValue::NULL,
                    &JsValue::from_str("Der Offline-Speicher hat nicht rechtzeitig geantwortet."),
                );
            }
        })
    };
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
        timeout.unchecked_ref(),
        START_WAIT_MS,
    );
    match JsFuture::from(ready).await {
        Ok(revision) => {
            let revision = revision.as_f64().unwrap_or(0.0) as Revision;
            // One line for whoever looks at the console (and the WebKit test, which reads it).
            web_sys::console::info_1(&JsValue::from_str(&format!(
                "FOKUS Offline-Speicher geöffnet: Revision {revision}"
            )));
            link.revision.set(revision);
            link.logged.set(revision);
            LINK.with(|slot| *slot.borrow_mut() = Some(link));
            Ok(())
        }
        Err(reason) => {
            link.worker.terminate();
            Err(js_text(&reason))
        }
    }
}

type Started = Rc<RefCell<Option<(Function, Function)>>>;

fn field(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// One message of the worker: the start, a reply to a request, or an event.
fn receive(link: &Link, started: &Started, message: &JsValue) {
    match field(message, "kind").as_string().as_deref() {
        Some("ready") => {
            if let Some((resolve, _)) = started.borrow_mut().take() {
                let _ = resolve.call1(&JsValue::NULL, &field(message, "revision"));
            }
        }
        Some("failed") => {
            if let Some((_, reject)) = started.borrow_mut().take() {
                let _ = reject.call1(&JsValue::NULL, &field(message, "reason"));
            }
        }
        Some("reply") => {
            let id = field(message, "id").as_f64().unwrap_or(0.0) as u32;
            if let Some(resolve) = link.pending.borrow_mut().remove(&id) {
                let _ = resolve.call1(&JsValue::NULL, &field(message, "result"));
            }
        }
        Some("event") => {
            let Ok(event) = serde_wasm_bindgen::from_value::<AppEvent>(field(message, "event"))
            else {
                return;
            };
            match &event {
                AppEvent::DataChanged { revision, .. } => link.revision.set(*revision),
                AppEvent::SyncState { state } => {
                    if !state.syncing && state.revision > 0 && state.revision != link.logged.get() {
                        web_sys::console::info_1(&JsValue::from_str(&format!(
                            "FOKUS Offline-Speicher abgeglichen: Revision {}",
                            state.revision
                        )));
                        link.logged.set(state.revision);
                    }
                    link.revision.set(state.revision)
                }
                _ => {}
            }
            let listeners: Vec<_> = link.listeners.borrow().clone();
            for listener in listeners {
                listener(event.clone());
            }
        }
        _ => {}
    }
}

/// Sends one call to the worker and waits for its reply.
pub async fn request<A: Serialize, T: DeserializeOwned>(
    call: WorkerCall<A>,
) -> Result<T, ApiError> {
    let link = link()
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "Offline-Speicher nicht gestartet"))?;
    let id = link.next_id.get();
    link.next_id.set(id.wrapping_add(1));
    let text = to_json(&WorkerRequest { id, call })?;
    let reply = Promise::new(&mut |resolve, _reject| {
        link.pending.borrow_mut().insert(id, resolve);
    });
    link.worker
        .post_message(&JsValue::from_str(&text))
        .map_err(|error| ApiError::new(ErrorCode::Internal, js_text(&error)))?;
    let result = JsFuture::from(reply)
        .await
        .map_err(|error| ApiError::new(ErrorCode::Internal, js_text(&error)))?;
    serde_wasm_bindgen::from_value::<Result<T, ApiError>>(result)
        .map_err(|error| ApiError::new(ErrorCode::InvalidAnswer, error.to_string()))?
}

/// Calls `on_event` for every event of the worker (sync state and progress, new data).
pub fn listen(on_event: Rc<dyn Fn(AppEvent)>) {
    if let Some(link) = link() {
        link.listeners.borrow_mut().push(on_event);
    }
}

/// Asks the browser to keep the offline data when space runs low (the person decides in
/// Chromium by installing or using the page; WebKit keeps an installed web app's data).
pub async fn persist() -> Option<bool> {
    let storage = web_sys::window()?.navigator().storage();
    let promise = storage.persist().ok()?;
    JsFuture::from(promise).await.ok()?.as_bool()
}

/// Whether the browser keeps the data when space runs low.
pub async fn persisted() -> Option<bool> {
    let storage = web_sys::window()?.navigator().storage();
    let promise = storage.persisted().ok()?;
    JsFuture::from(promise).await.ok()?.as_bool()
}

/// The browser's estimate for this site: (usage, quota) in bytes.
pub async fn estimate() -> Option<(u64, u64)> {
    let storage = web_sys::window()?.navigator().storage();
    let promise = storage.estimate().ok()?;
    let estimate = JsFuture::from(promise).await.ok()?;
    let usage = field(&estimate, "usage").as_f64()?;
    let quota = field(&estimate, "quota").as_f64()?;
    Some((usage as u64, quota as u64))
}

thread_local! {
    /// A new version of the shell waits; set when the service worker says so.
    static UPDATE: RefCell<Option<leptos::prelude::RwSignal<bool>>> = const { RefCell::new(None) };
    static WAITING: RefCell<Option<web_sys::ServiceWorker>> = const { RefCell::new(None) };
}

/// The signal the header watches for "Neue Version verfügbar".
pub fn update_signal(signal: leptos::prelude::RwSignal<bool>) {
    use leptos::prelude::Set as _;
    if WAITING.with(|waiting| waiting.borrow().is_some()) {
        signal.set(true);
    }
    UPDATE.with(|update| *update.borrow_mut() = Some(signal));
}

fn announce_waiting(worker: web_sys::ServiceWorker) {
    use leptos::prelude::Set as _;
    WAITING.with(|waiting| *waiting.borrow_mut() = Some(worker));
    UPDATE.with(|update| {
        if let Some(signal) = *update.borrow() {
            signal.set(true);
        }
    });
}

/// "Neue Version verfügbar" was pressed: the waiting service worker takes over, then the page
/// reloads once with the new shell.
pub fn take_update() {
    let Some(waiting) = WAITING.with(|waiting| waiting.borrow().clone()) else {
        return;
    };
    if let Some(window) = web_sys::window() {
        let container = window.navigator().service_worker();
        let reload = Closure::once_into_js(|| {
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        });
        container.set_oncontrollerchange(Some(reload.unchecked_ref()));
    }
    let _ = waiting.post_message(&JsValue::from_str("skip-waiting"));
}

/// Registers `/sw.js`. A version that installs while an older one controls the page waits and
/// is announced; the first one simply takes over.
fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    if Reflect::get(&navigator, &JsValue::from_str("serviceWorker"))
        .map_or(true, |container| container.is_undefined())
    {
        return;
    }
    let container = navigator.service_worker();
    // A page that started without a service worker gets its first one now: nothing to announce.
    // (Checked once here: WebKit reports the new worker's "installed" after it already claimed
    // the page.)
    let had_controller = container.controller().is_some();
    let promise = container.register("/sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(registration) = JsFuture::from(promise).await else {
            return;
        };
        let registration: web_sys::ServiceWorkerRegistration = registration.unchecked_into();
        if let Some(window) = web_sys::window() {
            let container = window.navigator().service_worker();
            let on_control = Closure::<dyn Fn()>::new(|| {
                web_sys::console::info_1(&JsValue::from_str(
                    "FOKUS Service Worker steuert die Seite",
                ));
            });
            if container.controller().is_some() {
                web_sys::console::info_1(&JsValue::from_str(
                    "FOKUS Service Worker steuert die Seite",
                ));
            } else {
                container.set_oncontrollerchange(Some(on_control.as_ref().unchecked_ref()));
            }
            on_control.forget();
        }
        if let Some(waiting) = registration.waiting() {
            if had_controller {
                announce_waiting(waiting);
            }
        }
        let watched = registration.clone();
        let on_update = Closure::<dyn Fn()>::new(move || {
            let Some(installing) = watched.installing() else {
                return;
            };
            let candidate = installing.clone();
            let on_state = Closure::<dyn Fn()>::new(move || {
                if candidate.state() == web_sys::ServiceWorkerState::Installed && had_controller {
                    announce_waiting(candidate.clone());
                }
            });
            installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            on_state.forget();
        });
        registration.set_onupdatefound(Some(on_update.as_ref().unchecked_ref()));
        on_update.forget();
    });
}

thread_local! {
    static PERSIST_ASKED: Cell<bool> = const { Cell::new(false) };
}

/// Asks once per page for persistent storage (after the first "Merken").
pub fn persist_once() {
    if PERSIST_ASKED.with(|asked| asked.replace(true)) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async {
        if persisted().await == Some(false) {
            let _ = persist().await;
        }
    });
}

/// Where the service worker keeps media files once fetched (see `src-ui/sw.js`).
const MEDIA_CACHE: &str = "fokus-media";

fn caches() -> Option<web_sys::CacheStorage> {
    web_sys::window()?.caches().ok()
}

/// The bytes of the media files the service worker keeps (0 where the browser cannot say).
pub async fn media_bytes() -> u64 {
    let Some(caches) = caches() else {
        return 0;
    };
    let Ok(cache) = JsFuture::from(caches.open(MEDIA_CACHE)).await else {
        return 0;
    };
    let cache: web_sys::Cache = cache.unchecked_into();
    let Ok(requests) = JsFuture::from(cache.keys()).await else {
        return 0;
    };
    let mut total = 0;
    for request in js_sys::Array::from(&requests).iter() {
        let request: web_sys::Request = request.unchecked_into();
        let Ok(response) = JsFuture::from(cache.match_with_request(&request)).await else {
            continue;
        };
        let Some(response) = response.dyn_ref::<web_sys::Response>() else {
            continue;
        };
        if let Ok(Some(length)) = response.headers().get("content-length") {
            total += length.parse::<u64>().unwrap_or(0);
        }
    }
    total
}

async fn media_cache() -> Option<web_sys::Cache> {
    let cache = JsFuture::from(caches()?.open(MEDIA_CACHE)).await.ok()?;
    Some(cache.unchecked_into())
}

/// Whether the browser says it has a network (`navigator.onLine`; true where it cannot say).
pub fn online() -> bool {
    web_sys::window().is_none_or(|window| window.navigator().on_line())
}

/// Whether the media file at `url` is kept for reading offline.
pub async fn media_kept(url: &str) -> bool {
    let Some(cache) = media_cache().await else {
        return false;
    };
    JsFuture::from(cache.match_with_str(url))
        .await
        .is_ok_and(|found| found.is_instance_of::<web_sys::Response>())
}

/// Fetches the media file at `url` into the service worker's media cache, where the page finds
/// it offline ("Für die Sitzung offline speichern"); asks for persistent storage once.
pub async fn keep_media(url: &str) -> Result<(), String> {
    let cache = media_cache()
        .await
        .ok_or_else(|| "Dieser Browser bietet keinen Offline-Speicher für Dateien.".to_owned())?;
    JsFuture::from(cache.add_with_str(url))
        .await
        .map_err(|error| format!("Datei nicht gespeichert: {}", js_text(&error)))?;
    persist_once();
    Ok(())
}

/// Deletes the media files the service worker keeps ("Cache leeren").
pub async fn clear_media() {
    if let Some(caches) = caches() {
        let _ = JsFuture::from(caches.delete(MEDIA_CACHE)).await;
    }
}

/// The browser's permission to notify; with `request`, asks for it if not decided.
pub async fn notification_permission(request: bool) -> fokus_model::ipc::Permission {
    use fokus_model::ipc::Permission;
    use web_sys::NotificationPermission as Browser;
    let has_api = web_sys::window()
        .and_then(|window| Reflect::get(&window, &JsValue::from_str("Notification")).ok())
        .is_some_and(|api| !api.is_undefined());
    if !has_api {
        return Permission::Denied;
    }
    let mut current = web_sys::Notification::permission();
    if request && current == Browser::Default {
        if let Ok(promise) = web_sys::Notification::request_permission() {
            if let Ok(answer) = JsFuture::from(promise).await {
                current = match answer.as_string().as_deref() {
                    Some("granted") => Browser::Granted,
                    Some("denied") => Browser::Denied,
                    _ => Browser::Default,
                };
            }
        }
    }
    match current {
        Browser::Granted => Permission::Granted,
        Browser::Denied => Permission::Denied,
        _ => Permission::Prompt,
    }
}

/// Announces new data with the browser's notifications while the page is open, if allowed.
pub fn announce(news: &[fokus_model::news::News]) {
    if news.is_empty() {
        return;
    }
    let has_api = web_sys::window()
        .and_then(|window| Reflect::get(&window, &JsValue::from_str("Notification")).ok())
        .is_some_and(|api| !api.is_undefined());
    if !has_api || web_sys::Notification::permission() != web_sys::NotificationPermission::Granted {
        return;
    }
    let title = "Neue Daten in FOKUS";
    let body = news
        .iter()
        .map(|item| item.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let options = web_sys::NotificationOptions::new();
    options.set_body(&body);
    options.set_lang("de");
    options.set_tag("fokus-daten");
    let _ = web_sys::Notification::new_with_options(title, &options);
}

/// Starts a sync in the worker now, when the server announces a new revision (event stream),
/// and when the network comes back.
pub fn follow_server() {
    let sync = |known: Option<Revision>| {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = request::<(), fokus_model::SyncState>(WorkerCall::SyncRun { known }).await;
        });
    };
    sync(None);
    if let Ok(source) = web_sys::EventSource::new(fokus_model::api::EVENTS) {
        let on_revision =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |message: web_sys::MessageEvent| {
                if let Some(revision) = message
                    .data()
                    .as_string()
                    .and_then(|data| data.parse::<Revision>().ok())
                {
                    sync(Some(revision));
                }
            });
        let _ = source
            .add_event_listener_with_callback("revision", on_revision.as_ref().unchecked_ref());
        on_revision.forget();
        std::mem::forget(source);
    }
    if let Some(window) = web_sys::window() {
        let on_online = Closure::<dyn Fn()>::new(move || sync(None));
        let _ =
            window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
        on_online.forget();
    }
}
