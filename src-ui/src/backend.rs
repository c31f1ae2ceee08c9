//! The UI's one door to data. In the Tauri app it calls the shell's typed commands (which read
//! the local cache); in a browser it asks the store worker (the same store, kept in the
//! browser's private file system) or, on a first visit and where a browser cannot keep it, the
//! central server's read endpoints. Pages do not know which.

use fokus_model::api::{self, ApiError, ErrorCode};
use fokus_model::content::MediaKey;
use fokus_model::ipc::{self, AppEvent, Command, Permission, PermissionQuery, Query, ReadCall};
use fokus_model::news::Settings;
use fokus_model::personal::Personal;
use fokus_model::worker::{WorkerCall, WorkerStorage};
use fokus_model::SyncState;
use js_sys::{Function, Promise, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::offline::{self, Mode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Inside the Tauri shell: IPC to the local cache.
    Tauri,
    /// In a browser that cannot keep the data (or was told not to): HTTP to the server that
    /// served the page.
    Web,
    /// In a browser with the store worker: reads from its store once the first sync is done
    /// (from the server until then); syncs in the background, works offline.
    Worker,
}

fn js_error(context: &str, error: JsValue) -> ApiError {
    // A Tauri command error arrives as our `{ code, message }` object.
    if let Ok(api_error) = serde_wasm_bindgen::from_value::<ApiError>(error.clone()) {
        return api_error;
    }
    // A failed fetch is a TypeError whose message says little ("Load failed", "Failed to fetch").
    let detail = error
        .as_string()
        .or_else(|| {
            Reflect::get(&error, &JsValue::from_str("message"))
                .ok()
                .and_then(|message| message.as_string())
        })
        .unwrap_or_else(|| format!("{error:?}"));
    ApiError::new(ErrorCode::Offline, format!("{context}: {detail}"))
}

fn tauri_namespace(path: &[&str]) -> Option<JsValue> {
    let mut value: JsValue = web_sys::window()?.into();
    for key in path {
        value = Reflect::get(&value, &JsValue::from_str(key)).ok()?;
        if value.is_undefined() {
            return None;
        }
    }
    Some(value)
}

impl Backend {
    /// Whether the page runs inside the Tauri shell.
    pub fn in_app() -> bool {
        tauri_namespace(&["__TAURI__", "core", "invoke"]).is_some()
    }

    /// The backend for this page, after [`offline::start`] decided the mode.
    pub fn detect() -> Backend {
        match offline::mode() {
            Mode::App => Backend::Tauri,
            Mode::Offline => Backend::Worker,
            Mode::Online(_) => Backend::Web,
        }
    }

    /// A browser page (online or with the store worker), not the app.
    pub fn in_browser(self) -> bool {
        self != Backend::Tauri
    }

    /// Runs a read: the shell's `read` command in the app, its server path in the browser.
    /// Both answer from the same table in `fokus_store::reads`.
    pub async fn call<Q: Query>(self, args: Q::Args) -> Result<Q::Output, ApiError> {
        match self {
            Backend::Tauri => {
                let call = ReadCall {
                    name: Q::NAME.to_owned(),
                    args,
                };
                invoke::<_, Q::Output>(ipc::READ_COMMAND, &call).await
            }
            Backend::Worker if offline::stored_revision() > 0 => {
                offline::request(WorkerCall::Read {
                    name: Q::NAME.to_owned(),
                    args,
                })
                .await
            }
            Backend::Web | Backend::Worker => {
                let query = serde_urlencoded::to_string(&args)
                    .map_err(|error| ApiError::new(ErrorCode::Internal, error.to_string()))?;
                let path = api::read_path(Q::NAME);
                if query.is_empty() {
                    fetch_json(&path).await
                } else {
                    fetch_json(&format!("{path}?{query}")).await
                }
            }
        }
    }

    pub async fn sync_status(self) -> Result<SyncState, ApiError> {
        match self {
            Backend::Tauri => invoke::<_, SyncState>(ipc::SyncStatus::NAME, &ipc::NoArgs {}).await,
            Backend::Web => web_sync_state().await,
            Backend::Worker => offline::request(WorkerCall::<()>::SyncStatus).await,
        }
    }

    /// "Jetzt aktualisieren": sync the cache (app, worker) or re-read the server (web).
    pub async fn sync_run(self) -> Result<SyncState, ApiError> {
        match self {
            Backend::Tauri => invoke::<_, SyncState>(ipc::SyncRun::NAME, &ipc::NoArgs {}).await,
            Backend::Web => web_sync_state().await,
            Backend::Worker => offline::request(WorkerCall::<()>::SyncRun { known: None }).await,
        }
    }

    /// A URL the page can load a media file from. The app serves it from its cache (fetching
    /// it first if needed); the web build from the server.
    pub async fn media_url(self, media: &MediaKey) -> Result<String, ApiError> {
        match self {
            Backend::Tauri => invoke::<_, String>(ipc::MediaUrl::NAME, media).await,
            // The service worker keeps a file once fetched.
            Backend::Web | Backend::Worker => Ok(api::blob_path(&media.sha256)),
        }
    }

    /// A URL a `<video>` or `<track>` element can play. In the app the file is read from the
    /// cache into memory and handed over as a `blob:` URL: WebKitGTK's media player cannot load
    /// custom URI schemes (WebKit bug 146351, Tauri issue 3725). That holds the whole file in
    /// memory, fine for short explainer videos; long ones would need a streaming source.
    pub async fn playable_url(self, media: &MediaKey, name: &str) -> Result<String, ApiError> {
        let url = self.media_url(media).await?;
        match self {
            Backend::Web | Backend::Worker => Ok(url),
            Backend::Tauri => {
                let window = web_sys::window()
                    .ok_or_else(|| ApiError::new(ErrorCode::Internal, "kein Fenster"))?;
                let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&url))
                    .await
                    .map_err(|error| js_error(name, error))?
                    .unchecked_into();
                if !response.ok() {
                    return Err(ApiError::new(
                        ErrorCode::NotFound,
                        format!(
                            "{} ist nicht im Speicher (HTTP {})",
                            name,
                            response.status()
                        ),
                    ));
                }
                let blob: web_sys::Blob =
                    JsFuture::from(response.blob().map_err(|error| js_error(name, error))?)
                        .await
                        .map_err(|error| js_error(name, error))?
                        .unchecked_into();
                web_sys::Url::create_object_url_with_blob(&blob)
                    .map_err(|error| js_error(name, error))
            }
        }
    }

    /// Opens a document with the system's viewer (app). The web build links to the file instead.
    pub async fn document_open(self, media: &MediaKey) -> Result<(), ApiError> {
        match self {
            Backend::Tauri => invoke::<_, ()>(ipc::DocumentOpen::NAME, media).await,
            Backend::Web | Backend::Worker => Err(ApiError::new(
                ErrorCode::BadRequest,
                "Im Browser bitte den Link zur Datei verwenden.",
            )),
        }
    }

    /// The view to open with, once: the `fokus://` link the app was started with; `None` in the
    /// web build (its address is the view already).
    pub async fn link_take(self) -> Option<String> {
        match self {
            Backend::Tauri => invoke::<_, Option<String>>(ipc::LinkTake::NAME, &ipc::NoArgs {})
                .await
                .ok()
                .flatten(),
            Backend::Web | Backend::Worker => None,
        }
    }

    /// Tells the shell the first map is painted (it logs the time since start); the web build
    /// has no shell to tell.
    pub async fn first_paint(self) {
        if self == Backend::Tauri {
            let page_ms = web_sys::window()
                .and_then(|window| window.performance())
                .map_or(0.0, |performance| performance.now());
            let _ = invoke::<_, ()>(ipc::FirstPaint::NAME, &ipc::PageTime { page_ms }).await;
        }
    }

    /// Remembers the view shown now, for "Weiter, wo Sie aufgehört haben".
    pub async fn view_save(self, path: String) {
        match self {
            Backend::Tauri => {
                let _ = invoke::<_, ()>(ipc::ViewSave::NAME, &ipc::ViewPath { path }).await;
            }
            Backend::Web | Backend::Worker => {
                if let Some(storage) = local_storage() {
                    let _ = storage.set_item(LAST_VIEW_KEY, &path);
                }
            }
        }
    }

    /// The view the app was left at.
    pub async fn view_last(self) -> Option<String> {
        match self {
            Backend::Tauri => invoke::<_, Option<String>>(ipc::ViewLast::NAME, &ipc::NoArgs {})
                .await
                .ok()
                .flatten(),
            Backend::Web | Backend::Worker => local_storage()
                .and_then(|storage| storage.get_item(LAST_VIEW_KEY).ok().flatten())
                .filter(|path| ipc::is_app_path(path)),
        }
    }

    /// The person's notes, folders, read marks and display settings: a file beside the cache
    /// in the app, the store worker's database beside the data in a browser that keeps it, the
    /// browser's local storage in the online web build. Never sent to a server.
    pub async fn personal_get(self) -> Result<Personal, ApiError> {
        match self {
            Backend::Tauri => invoke::<_, Personal>(ipc::PersonalGet::NAME, &ipc::NoArgs {}).await,
            Backend::Worker => {
                let stored: Personal = offline::request(WorkerCall::<()>::PersonalGet).await?;
                // Notes kept by the online build before the store worker moved in, once.
                let earlier = local_storage()
                    .and_then(|storage| storage.get_item(PERSONAL_KEY).ok().flatten());
                if earlier.is_none() {
                    return Ok(stored);
                }
                let kept = local_personal();
                match kept {
                    Ok(kept) if stored == Personal::default() && kept != stored => {
                        let saved = self.personal_save(&kept).await?;
                        remove_local(PERSONAL_KEY);
                        Ok(saved)
                    }
                    _ => {
                        remove_local(PERSONAL_KEY);
                        Ok(stored)
                    }
                }
            }
            Backend::Web => local_personal(),
        }
    }

    /// Saves the person's data as a whole; returns it as stored.
    pub async fn personal_save(self, personal: &Personal) -> Result<Personal, ApiError> {
        match self {
            Backend::Tauri => invoke::<_, Personal>(ipc::PersonalSave::NAME, personal).await,
            Backend::Worker => {
                let saved = offline::request(WorkerCall::<()>::PersonalSave {
                    personal: personal.clone(),
                })
                .await?;
                // The first thing the person keeps here is the moment to ask the browser to
                // keep the store when space runs low.
                offline::persist_once();
                Ok(saved)
            }
            Backend::Web => {
                let checked = personal
                    .clone()
                    .checked()
                    .map_err(|problem| ApiError::new(ErrorCode::BadRequest, problem))?;
                let text = to_json(&checked)?;
                local_storage()
                    .ok_or_else(|| {
                        ApiError::new(ErrorCode::Internal, "Dieser Browser speichert nichts.")
                    })?
                    .set_item(PERSONAL_KEY, &text)
                    .map_err(|_| {
                        ApiError::new(
                            ErrorCode::Internal,
                            "Der Browser hat das Speichern abgelehnt (Speicher voll oder privates Fenster).",
                        )
                    })?;
                Ok(checked)
            }
        }
    }

    /// Saves an export through the app's save dialog; the saved path, or `None` if cancelled.
    pub async fn export_save(
        self,
        name: &str,
        content: Vec<u8>,
    ) -> Result<Option<String>, ApiError> {
        let file = ipc::ExportFile {
            name: name.to_owned(),
            content,
        };
        invoke::<_, Option<String>>(ipc::ExportSave::NAME, &file).await
    }

    /// The app's settings; `None` in the web build, which has no notifications or tray.
    pub async fn settings_get(self) -> Option<Result<Settings, ApiError>> {
        match self {
            Backend::Tauri => {
                Some(invoke::<_, Settings>(ipc::SettingsGet::NAME, &ipc::NoArgs {}).await)
            }
            Backend::Web | Backend::Worker => None,
        }
    }

    pub async fn settings_set(self, settings: &Settings) -> Result<Settings, ApiError> {
        match self {
            Backend::Tauri => invoke::<_, Settings>(ipc::SettingsSet::NAME, settings).await,
            Backend::Web | Backend::Worker => Err(ApiError::new(
                ErrorCode::BadRequest,
                "Einstellungen gibt es nur in der App.",
            )),
        }
    }

    /// What the app or the store worker keeps on this device.
    pub async fn storage_get(self) -> Result<ipc::StorageInfo, ApiError> {
        match self {
            Backend::Worker => {
                let stored: WorkerStorage = offline::request(WorkerCall::<()>::StorageGet).await?;
                Ok(ipc::StorageInfo {
                    data_bytes: stored.data_bytes,
                    file_bytes: offline::media_bytes().await,
                    personal_bytes: stored.personal_bytes,
                })
            }
            _ => invoke::<_, ipc::StorageInfo>(ipc::StorageGet::NAME, &ipc::NoArgs {}).await,
        }
    }

    /// "Cache leeren": the app's data back to what it shipped with, files deleted; the store
    /// worker's data and the kept media files deleted, then a sync.
    pub async fn cache_clear(self) -> Result<ipc::StorageInfo, ApiError> {
        match self {
            Backend::Worker => {
                // Offline the data could not come back: keep them.
                if !web_sync_state().await?.online {
                    return Err(ApiError::new(
                        ErrorCode::Offline,
                        "Ohne Verbindung zum Server bleibt der Speicher, wie er ist: die Daten könnten nicht neu geladen werden.",
                    ));
                }
                offline::clear_media().await;
                let stored: WorkerStorage = offline::request(WorkerCall::<()>::CacheClear).await?;
                Ok(ipc::StorageInfo {
                    data_bytes: stored.data_bytes,
                    file_bytes: 0,
                    personal_bytes: stored.personal_bytes,
                })
            }
            _ => invoke::<_, ipc::StorageInfo>(ipc::CacheClear::NAME, &ipc::NoArgs {}).await,
        }
    }

    /// Tests a server address; answers what was found, in German.
    pub async fn server_test(self, address: &str) -> Result<String, ApiError> {
        match self {
            Backend::Tauri => {
                invoke::<_, String>(
                    ipc::ServerTest::NAME,
                    &ipc::ServerAddress {
                        address: address.to_owned(),
                    },
                )
                .await
            }
            Backend::Web | Backend::Worker => Err(ApiError::new(
                ErrorCode::BadRequest,
                "Einstellungen gibt es nur in der App.",
            )),
        }
    }

    pub async fn notification_permission(self, request: bool) -> Result<Permission, ApiError> {
        match self {
            Backend::Tauri => {
                invoke::<_, Permission>(
                    ipc::NotificationPermission::NAME,
                    &PermissionQuery { request },
                )
                .await
            }
            Backend::Web => Ok(Permission::Denied),
            Backend::Worker => Ok(offline::notification_permission(request).await),
        }
    }

    /// Calls `on_event` for every event of the shell (app) or every new server revision (web).
    pub fn listen(self, on_event: impl Fn(AppEvent) + 'static) {
        match self {
            Backend::Tauri => {
                let Some(listen) = tauri_namespace(&["__TAURI__", "event", "listen"]) else {
                    return;
                };
                let callback = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
                    let payload = Reflect::get(&event, &JsValue::from_str("payload"))
                        .unwrap_or(JsValue::NULL);
                    if let Ok(app_event) = serde_wasm_bindgen::from_value::<AppEvent>(payload) {
                        on_event(app_event);
                    }
                });
                let listen: Function = listen.unchecked_into();
                let _ = listen.call2(
                    &JsValue::NULL,
                    &JsValue::from_str(ipc::EVENT),
                    callback.as_ref(),
                );
                // The listener lives as long as the page.
                callback.forget();
            }
            Backend::Worker => {
                let on_event: std::rc::Rc<dyn Fn(AppEvent)> = std::rc::Rc::new(move |event| {
                    if let AppEvent::DataChanged { news, .. } = &event {
                        offline::announce(news);
                    }
                    on_event(event);
                });
                offline::listen(on_event);
                // The server's new revisions (while online) and the network coming back start a
                // sync in the worker, which applies it and sends its events.
                offline::follow_server();
            }
            Backend::Web => {
                let Ok(source) = web_sys::EventSource::new(api::EVENTS) else {
                    return;
                };
                let callback = Closure::<dyn Fn(web_sys::MessageEvent)>::new(
                    move |message: web_sys::MessageEvent| {
                        if let Some(revision) = message
                            .data()
                            .as_string()
                            .and_then(|data| data.parse().ok())
                        {
                            on_event(AppEvent::DataChanged {
                                revision,
                                news: Vec::new(),
                            });
                        }
                    },
                );
                let _ = source.add_event_listener_with_callback(
                    "revision",
                    callback.as_ref().unchecked_ref(),
                );
                callback.forget();
                std::mem::forget(source);
            }
        }
    }
}

/// Where the online web build keeps the person's data, and every web build the last view.
const PERSONAL_KEY: &str = "fokus-persoenlich";
const LAST_VIEW_KEY: &str = "fokus-letzte-ansicht";

/// The person's data as the online web build keeps them (local storage).
fn local_personal() -> Result<Personal, ApiError> {
    let Some(text) =
        local_storage().and_then(|storage| storage.get_item(PERSONAL_KEY).ok().flatten())
    else {
        return Ok(Personal::default());
    };
    let value =
        js_sys::JSON::parse(&text).map_err(|error| js_error("Gespeicherte Notizen", error))?;
    serde_wasm_bindgen::from_value::<Personal>(value)
        .map_err(|error| ApiError::new(ErrorCode::InvalidAnswer, error.to_string()))?
        .checked()
        .map_err(|problem| ApiError::new(ErrorCode::InvalidAnswer, problem))
}

fn remove_local(key: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(key);
    }
}

pub fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// JSON text of a value, through the browser's own serialiser.
pub fn to_json<T: Serialize>(value: &T) -> Result<String, ApiError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let value = value
        .serialize(&serializer)
        .map_err(|error| ApiError::new(ErrorCode::Internal, error.to_string()))?;
    js_sys::JSON::stringify_with_replacer_and_space(&value, &JsValue::NULL, &JsValue::from(2))
        .map_err(|error| js_error("JSON", error))?
        .as_string()
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "JSON"))
}

/// A value from JSON text, through the browser's own parser.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let value =
        js_sys::JSON::parse(text).map_err(|_| "Die Datei ist kein gültiges JSON.".to_owned())?;
    serde_wasm_bindgen::from_value(value).map_err(|error| format!("Die Datei passt nicht: {error}"))
}

async fn invoke<A: Serialize, T: DeserializeOwned>(name: &str, args: &A) -> Result<T, ApiError> {
    let invoke: Function = tauri_namespace(&["__TAURI__", "core", "invoke"])
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "Tauri-Schnittstelle fehlt"))?
        .unchecked_into();
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let args = args
        .serialize(&serializer)
        .map_err(|error| ApiError::new(ErrorCode::Internal, error.to_string()))?;
    let wrapped = js_sys::Object::new();
    Reflect::set(&wrapped, &JsValue::from_str(ipc::ARGS_KEY), &args)
        .map_err(|error| js_error(name, error))?;
    let promise: Promise = invoke
        .call2(&JsValue::NULL, &JsValue::from_str(name), &wrapped)
        .map_err(|error| js_error(name, error))?
        .unchecked_into();
    let value = JsFuture::from(promise)
        .await
        .map_err(|error| js_error(name, error))?;
    serde_wasm_bindgen::from_value(value)
        .map_err(|error| ApiError::new(ErrorCode::InvalidAnswer, error.to_string()))
}

/// A text file by URL (a captions file from the cache or the server).
pub async fn fetch_text(url: &str) -> Result<String, ApiError> {
    let window =
        web_sys::window().ok_or_else(|| ApiError::new(ErrorCode::Internal, "kein Fenster"))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|error| js_error(url, error))?
        .unchecked_into();
    if !response.ok() {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("HTTP {}", response.status()),
        ));
    }
    JsFuture::from(response.text().map_err(|error| js_error(url, error))?)
        .await
        .map_err(|error| js_error(url, error))?
        .as_string()
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidAnswer, "kein Text"))
}

async fn fetch_json<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    let window =
        web_sys::window().ok_or_else(|| ApiError::new(ErrorCode::Internal, "kein Fenster"))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|error| js_error("Server nicht erreichbar", error))?
        .unchecked_into();
    let json = JsFuture::from(response.json().map_err(|error| js_error(url, error))?)
        .await
        .map_err(|error| js_error(url, error))?;
    if !response.ok() {
        return Err(
            serde_wasm_bindgen::from_value::<ApiError>(json).unwrap_or_else(|_| {
                ApiError::new(ErrorCode::Internal, format!("HTTP {}", response.status()))
            }),
        );
    }
    serde_wasm_bindgen::from_value(json)
        .map_err(|error| ApiError::new(ErrorCode::InvalidAnswer, error.to_string()))
}

/// The web build has no cache: it is "in sync" whenever the server answers.
async fn web_sync_state() -> Result<SyncState, ApiError> {
    let now = (js_sys::Date::now() / 1000.0) as i64;
    match fetch_json::<fokus_model::ServerStatus>(api::STATUS).await {
        Ok(status) => Ok(SyncState {
            revision: status.revision,
            last_success: Some(now),
            online: true,
            syncing: false,
            problem: None,
        }),
        Err(_) => Ok(SyncState {
            online: false,
            ..SyncState::default()
        }),
    }
}
