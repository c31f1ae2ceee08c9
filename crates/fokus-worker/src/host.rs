//! The worker's state and its answers to the page.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use fokus_model::api::{ApiError, ErrorCode};
use fokus_model::ipc::AppEvent;
use fokus_model::news::{SyncPhase, SyncProgress};
use fokus_model::personal::Personal;
use fokus_model::worker::{WorkerCall, WorkerMessage, WorkerRequest, WorkerStorage};
use fokus_model::SyncState;
use fokus_store::{reads, Store};
use fokus_sync::plan::{self, Local, Next};
use fokus_sync::{SyncError, SyncOutcome};
use sqlite_wasm_vfs::relaxed_idb::{Preload, RelaxedIdbCfg, RelaxedIdbUtil};
use sqlite_wasm_vfs::sahpool::{OpfsSAHPoolCfg, OpfsSAHPoolUtil};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::transport;

/// The database in the pool (the sahpool VFS keeps its own names; this is not a path on disk).
const DATABASE: &str = "/fokus.db";
/// Where the person's notes, Sitzungsmappen and display settings live in the store, beside
/// the data but never synced.
const PERSONAL_KEY: &str = "personal";

/// How often, and how far apart, the pool is tried while another worker still holds it.
const OPEN_ATTEMPTS: u32 = 20;
const OPEN_RETRY_MS: i32 = 150;

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// "Name: message" of a JavaScript error.
fn js_error_text(error: &JsValue) -> String {
    let field = |name: &str| {
        js_sys::Reflect::get(error, &JsValue::from_str(name))
            .ok()
            .and_then(|value| value.as_string())
            .unwrap_or_default()
    };
    let text = format!("{}: {}", field("name"), field("message"));
    if text == ": " {
        format!("{error:?}")
    } else {
        text
    }
}

/// The browser's words behind a pool error, where it carries them.
fn other_detail(error: &sqlite_wasm_vfs::sahpool::OpfsSAHError) -> String {
    use sqlite_wasm_vfs::sahpool::OpfsSAHError as E;
    match error {
        E::GetDirHandle(value) | E::GetFileHandle(value) | E::IterHandle(value) => {
            js_error_text(value)
        }
        _ => String::new(),
    }
}

struct Host {
    store: RefCell<Store>,
    pool: Pool,
    base: String,
    state: RefCell<SyncState>,
    /// One sync at a time; a second request waits for the running one and takes its result.
    gate: tokio::sync::Mutex<()>,
}

fn scope() -> web_sys::DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(message: &WorkerMessage<serde_json::Value>) {
    if let Ok(text) = serde_json::to_string(message) {
        let _ = scope().post_message(&JsValue::from_str(&text));
    }
}

fn emit(event: AppEvent) {
    post(&WorkerMessage::Event { event });
}

fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

#[wasm_bindgen(start)]
pub fn start() {
    wasm_bindgen_futures::spawn_local(async {
        match open().await {
            Ok(host) => {
                let host = Rc::new(host);
                let revision = host.state.borrow().revision;
                listen(Rc::clone(&host));
                post(&WorkerMessage::Ready { revision });
            }
            Err(reason) => post(&WorkerMessage::Failed { reason }),
        }
    });
}

/// Where the store's file lives: the OPFS pool where the browser gives synchronous access
/// handles (Chromium, Safari from 16.4, Firefox), else SQLite's pages kept in IndexedDB (the
/// relaxed-idb VFS: the database in memory, each commit written to IndexedDB in one
/// transaction; WebKitGTK's backend has no sync access handles).
enum Pool {
    Opfs(OpfsSAHPoolUtil),
    IndexedDb(RelaxedIdbUtil),
}

/// A name no database has: deleting it waits for every earlier write (see [`Pool::flush`]).
const FLUSH_MARKER: &str = "/fokus-flush-marker";

impl Pool {
    /// Waits until every commit so far is stored. The OPFS pool writes synchronously; the
    /// IndexedDB VFS writes each commit afterwards, in order, so a no-op after them (deleting a
    /// database that does not exist) completes when they have.
    async fn flush(&self) -> Result<(), String> {
        match self {
            Pool::Opfs(_) => Ok(()),
            Pool::IndexedDb(pool) => pool
                .delete_db(FLUSH_MARKER)
                .map_err(|error| error.to_string())?
                .await
                .map_err(|error| error.to_string()),
        }
    }

    async fn delete(&self, name: &str) -> Result<(), String> {
        match self {
            Pool::Opfs(pool) => pool
                .delete_db(name)
                .map(|_existed| ())
                .map_err(|error| error.to_string()),
            Pool::IndexedDb(pool) => pool
                .delete_db(name)
                .map_err(|error| error.to_string())?
                .await
                .map_err(|error| error.to_string()),
        }
    }
}

/// Why the OPFS pool did not open.
enum OpfsProblem {
    /// Another tab's worker holds the access handles.
    Locked,
    /// The browser cannot do it at all; its words.
    Unsupported(String),
}

async fn open_opfs() -> Result<OpfsSAHPoolUtil, OpfsProblem> {
    use sqlite_wasm_vfs::sahpool::OpfsSAHError;
    let config = OpfsSAHPoolCfg {
        vfs_name: "fokus-opfs".into(),
        directory: ".fokus-store".into(),
        clear_on_init: false,
        initial_capacity: 6,
    };
    // The access handles are exclusive: a page just reloaded may still hold them for a moment
    // while its worker ends, so the pool is tried again a few times before another tab is named.
    let mut attempt = 0;
    loop {
        match sqlite_wasm_vfs::sahpool::install::<sqlite_wasm_rs::WasmOsCallback>(&config, true)
            .await
        {
            Ok(pool) => return Ok(pool),
            Err(OpfsSAHError::CreateSyncAccessHandle(error)) => {
                // Chromium names a lock held elsewhere NoModificationAllowedError (WebKit
                // InvalidStateError); NotSupportedError is a browser without the API.
                let detail = js_error_text(&error);
                if detail.starts_with("NotSupportedError") {
                    return Err(OpfsProblem::Unsupported(detail));
                }
                if attempt >= OPEN_ATTEMPTS {
                    return Err(OpfsProblem::Locked);
                }
                attempt += 1;
                sleep_ms(OPEN_RETRY_MS).await;
            }
            Err(OpfsSAHError::NotSupported) => {
                return Err(OpfsProblem::Unsupported(
                    "nur in einem eigenen Worker".into(),
                ))
            }
            Err(other) => {
                return Err(OpfsProblem::Unsupported(format!(
                    "{other} ({})",
                    other_detail(&other)
                )))
            }
        }
    }
}

/// The IndexedDB fallback. IndexedDB has no exclusive handles, so one tab at a time holds a Web
/// Lock for as long as its worker lives; a second tab stays online.
async fn open_indexed_db(opfs_problem: &str) -> Result<Pool, String> {
    if !hold_store_lock().await {
        return Err("Die Offline-Daten sind in einem anderen Fenster geöffnet.".to_owned());
    }
    let config = RelaxedIdbCfg {
        vfs_name: "fokus-idb".into(),
        clear_on_init: false,
        preload: Preload::All,
    };
    sqlite_wasm_vfs::relaxed_idb::install::<sqlite_wasm_rs::WasmOsCallback>(&config, true)
        .await
        .map(Pool::IndexedDb)
        .map_err(|error| {
            format!(
                "Offline-Speicher nicht verfügbar: Dateisystem: {opfs_problem}; IndexedDB: {error}"
            )
        })
}

/// Takes the Web Lock "fokus-store" if free and keeps it until the worker ends; false if
/// another tab holds it. Without Web Locks, true (nothing to coordinate with).
async fn hold_store_lock() -> bool {
    let global = js_sys::global();
    let Some(locks) = js_sys::Reflect::get(&global, &JsValue::from_str("navigator"))
        .ok()
        .and_then(|navigator| js_sys::Reflect::get(&navigator, &JsValue::from_str("locks")).ok())
        .filter(|locks| !locks.is_undefined())
    else {
        return true;
    };
    let Ok(request) = js_sys::Reflect::get(&locks, &JsValue::from_str("request")) else {
        return true;
    };
    let request: js_sys::Function = request.unchecked_into();
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &JsValue::from_str("ifAvailable"), &JsValue::TRUE);
    let granted = std::rc::Rc::new(std::cell::RefCell::new(None::<js_sys::Function>));
    let answer = js_sys::Promise::new(&mut |resolve, _reject| {
        *granted.borrow_mut() = Some(resolve);
    });
    let callback = Closure::once_into_js(move |lock: JsValue| -> js_sys::Promise {
        let got = !lock.is_null();
        if let Some(resolve) = granted.borrow_mut().take() {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::from_bool(got));
        }
        // Held while this promise is pending: for the worker's life.
        js_sys::Promise::new(&mut |_resolve, _reject| {})
    });
    if request
        .call3(&locks, &JsValue::from_str(LOCK_NAME), &options, &callback)
        .is_err()
    {
        return true;
    }
    wasm_bindgen_futures::JsFuture::from(answer)
        .await
        .ok()
        .and_then(|value| value.as_bool())
        .unwrap_or(true)
}

/// The Web Lock one tab's worker holds over the IndexedDB store.
const LOCK_NAME: &str = "fokus-store";

/// Installs the pool as SQLite's default VFS and opens the store in it. A file SQLite
/// cannot use (broken, from a newer build) is deleted and the store starts empty: the data
/// come back with the next sync, and the person's notes could not have been read from it either.
async fn open() -> Result<Host, String> {
    let pool = match open_opfs().await {
        Ok(pool) => Pool::Opfs(pool),
        Err(OpfsProblem::Locked) => {
            return Err("Die Offline-Daten sind in einem anderen Fenster geöffnet.".to_owned())
        }
        Err(OpfsProblem::Unsupported(detail)) => open_indexed_db(&detail).await?,
    };
    let store = match Store::open(Path::new(DATABASE)) {
        Ok(store) => store,
        Err(error) if error.is_unusable_file() => {
            let _ = pool.delete(DATABASE).await;
            Store::open(Path::new(DATABASE)).map_err(|error| error.to_string())?
        }
        Err(error) => return Err(format!("Offline-Speicher nicht lesbar: {error}")),
    };
    let state = SyncState {
        revision: store.revision().map_err(|error| error.to_string())?,
        last_success: store.last_sync().ok().flatten(),
        ..SyncState::default()
    };
    Ok(Host {
        store: RefCell::new(store),
        pool,
        base: transport::origin(),
        state: RefCell::new(state),
        gate: tokio::sync::Mutex::new(()),
    })
}

fn listen(host: Rc<Host>) {
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |message: web_sys::MessageEvent| {
            let Some(text) = message.data().as_string() else {
                return;
            };
            let Ok(request) = serde_json::from_str::<WorkerRequest<serde_json::Value>>(&text)
            else {
                return;
            };
            let host = Rc::clone(&host);
            wasm_bindgen_futures::spawn_local(async move {
                let result = answer(&host, request.call).await;
                post(&WorkerMessage::Reply {
                    id: request.id,
                    result,
                });
            });
        });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
}

fn json<T: serde::Serialize>(value: T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value)
        .map_err(|error| ApiError::new(ErrorCode::Internal, error.to_string()))
}

fn store_error(error: fokus_store::StoreError) -> ApiError {
    if error.is_disk_full() {
        ApiError::new(
            ErrorCode::Internal,
            "Der Speicher des Geräts ist voll; es wurde nichts gespeichert.",
        )
    } else {
        ApiError::new(ErrorCode::Internal, format!("Offline-Speicher: {error}"))
    }
}

async fn answer(
    host: &Host,
    call: WorkerCall<serde_json::Value>,
) -> Result<serde_json::Value, ApiError> {
    match call {
        WorkerCall::Read { name, args } => {
            reads::run_json(&host.store.borrow(), &name, args).map_err(|failure| failure.answer)
        }
        WorkerCall::SyncStatus => json(host.state.borrow().clone()),
        WorkerCall::SyncRun { known } => {
            let current = host.state.borrow().revision;
            // The server announced the revision the store has: nothing to do. One below it is a
            // server restored from a backup, which the sync follows (a full replacement).
            if known.is_some_and(|known| known == current && current > 0) {
                return json(host.state.borrow().clone());
            }
            json(sync_now(host).await)
        }
        WorkerCall::PersonalGet => json(personal(host)?),
        WorkerCall::PersonalSave { personal } => {
            let checked = personal
                .checked()
                .map_err(|problem| ApiError::new(ErrorCode::BadRequest, problem))?;
            let text = serde_json::to_string(&checked)
                .map_err(|error| ApiError::new(ErrorCode::Internal, error.to_string()))?;
            host.store
                .borrow()
                .set_app_setting(PERSONAL_KEY, &text)
                .map_err(store_error)?;
            // "Gespeichert" only once it is on the device, not just in memory.
            host.pool
                .flush()
                .await
                .map_err(|error| ApiError::new(ErrorCode::Internal, error))?;
            json(checked)
        }
        WorkerCall::StorageGet => json(storage(host)?),
        WorkerCall::CacheClear => {
            clear(host).await?;
            sync_now(host).await;
            json(storage(host)?)
        }
    }
}

fn personal(host: &Host) -> Result<Personal, ApiError> {
    let Some(text) = host
        .store
        .borrow()
        .app_setting(PERSONAL_KEY)
        .map_err(store_error)?
    else {
        return Ok(Personal::default());
    };
    serde_json::from_str::<Personal>(&text)
        .map_err(|error| ApiError::new(ErrorCode::InvalidAnswer, error.to_string()))?
        .checked()
        .map_err(|problem| ApiError::new(ErrorCode::InvalidAnswer, problem))
}

fn storage(host: &Host) -> Result<WorkerStorage, ApiError> {
    let store = host.store.borrow();
    let personal_bytes = store
        .app_setting(PERSONAL_KEY)
        .map_err(store_error)?
        .map_or(0, |text| text.len() as u64);
    Ok(WorkerStorage {
        data_bytes: store.size_bytes().map_err(store_error)?,
        personal_bytes,
    })
}

/// "Cache leeren": a new, empty database with the person's data carried over.
async fn clear(host: &Host) -> Result<(), ApiError> {
    let _running = host.gate.lock().await;
    let kept = host
        .store
        .borrow()
        .app_setting(PERSONAL_KEY)
        .map_err(store_error)?;
    // Swap in a store in memory so the file is closed before it is deleted.
    let memory = Store::open_in_memory().map_err(store_error)?;
    drop(host.store.replace(memory));
    host.pool
        .delete(DATABASE)
        .await
        .map_err(|error| ApiError::new(ErrorCode::Internal, error))?;
    let store = Store::open(Path::new(DATABASE)).map_err(store_error)?;
    if let Some(text) = kept {
        store
            .set_app_setting(PERSONAL_KEY, &text)
            .map_err(store_error)?;
    }
    host.store.replace(store);
    host.pool
        .flush()
        .await
        .map_err(|error| ApiError::new(ErrorCode::Internal, error))?;
    let state = SyncState::default();
    host.state.replace(state.clone());
    emit(AppEvent::DataChanged {
        revision: 0,
        news: Vec::new(),
    });
    emit(AppEvent::SyncState { state });
    Ok(())
}

/// One sync with its events, as the app's background sync: state, progress, new data.
async fn sync_now(host: &Host) -> SyncState {
    let Ok(_running) = host.gate.try_lock() else {
        let _joined = host.gate.lock().await;
        return host.state.borrow().clone();
    };
    host.state.borrow_mut().syncing = true;
    emit(AppEvent::SyncState {
        state: host.state.borrow().clone(),
    });
    let result = sync_once(host, now()).await;
    // A sync counts as done once its commit is on the device (IndexedDB writes after the commit).
    let flushed = match &result {
        Ok(_) => host.pool.flush().await,
        Err(_) => Ok(()),
    };
    let state = {
        let mut state = host.state.borrow_mut();
        plan::record(&mut state, &result, now());
        if let Err(error) = &flushed {
            state.problem = Some(format!("Offline-Speicher: {error}"));
        }
        state.clone()
    };
    if let Ok(outcome) = result {
        if outcome.revision != outcome.revision_before {
            emit(AppEvent::DataChanged {
                revision: outcome.revision,
                news: outcome.news,
            });
        }
    }
    emit(AppEvent::SyncState {
        state: state.clone(),
    });
    state
}

fn progress(phase: SyncPhase) {
    emit(AppEvent::SyncProgress {
        progress: SyncProgress::starting(phase),
    });
}

/// The steps of `fokus_sync`'s native `sync_once`, on `fetch`: the feed after the store's
/// revision, then apply, replace, or fetch everything and replace (another server instance).
async fn sync_once(host: &Host, now: i64) -> Result<SyncOutcome, SyncError> {
    let local = Local::of(&host.store.borrow())?;
    progress(SyncPhase::Feed);
    let answer = transport::fetch_feed(&host.base, &local).await?;
    let revision = local.revision;
    match plan::next_step(&local, answer) {
        Next::Current => plan::mark_current(&host.store.borrow(), &local, now),
        Next::Apply(page) => {
            progress(SyncPhase::Apply);
            plan::apply_page(&mut host.store.borrow_mut(), &page, revision, now)
        }
        Next::Replace(page) => {
            progress(SyncPhase::Apply);
            plan::replace_with(&mut host.store.borrow_mut(), &page, revision, now)
        }
        Next::ResyncInFull => {
            let page = match transport::fetch_feed(&host.base, &Local::default()).await? {
                plan::FeedAnswer::Page(page) => page,
                _ => {
                    return Err(SyncError::InvalidAnswer(
                        "Server liefert keinen vollständigen Datenstand".into(),
                    ))
                }
            };
            progress(SyncPhase::Apply);
            plan::replace_with(&mut host.store.borrow_mut(), &page, revision, now)
        }
    }
}
