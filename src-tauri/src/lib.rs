//! The Tauri shell of FOKUS PI: window, plugins, the command table and the background sync.
//! Command bodies are a few lines that call `fokus-store`; sync logic lives in `fokus-sync`.

mod background;
mod commands;
mod export;
mod external;
#[cfg(all(desktop, unix))]
mod instance;
mod media;
mod notify;
mod personal;
mod storage;
#[cfg(desktop)]
mod tray;

use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Context;
use std::sync::Arc;

use fokus_model::ipc::AppEvent;
use fokus_model::news::Settings;
use fokus_model::SyncState;
use fokus_store::Store;
use fokus_sync::{ProgressSink, Syncer};
use tauri::Manager;
use tokio::sync::Notify;

/// Where the central server is unless the settings or `FOKUS_SERVER_URL` say otherwise.
pub const DEFAULT_SERVER_URL: &str = "http://127.0.0.1:8787";

/// State shared by commands and the background sync.
pub struct Shell {
    /// The read connection for the UI's queries. The sync writes through its own connection;
    /// SQLite's WAL keeps reads consistent while it does.
    reader: Mutex<Store>,
    /// The sync for the server the settings name; replaced when the user changes it.
    syncer: std::sync::RwLock<Syncer>,
    /// One sync at a time: a second request waits for the running one.
    sync_gate: fokus_sync::SyncGate,
    sync_state: Mutex<SyncState>,
    /// Wakes the background sync ("Jetzt aktualisieren", a server event).
    wake: Notify,
    /// Tells the event-stream watcher that the settings named another server.
    server_changed: Notify,
    settings: Mutex<Settings>,
    /// The view of the `fokus://` link the app was started with, until the UI takes it.
    start_link: Mutex<Option<String>>,
    /// The person's notes and folders (`personal.rs`), and the file they are kept in.
    personal: Mutex<fokus_model::personal::Personal>,
    personal_path: PathBuf,
}

/// Where the settings live in the cache's `meta` table.
const SETTINGS_KEY: &str = "app";

impl Shell {
    fn read_store<T>(&self, query: impl FnOnce(&Store) -> T) -> T {
        let store = self
            .reader
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        query(&store)
    }

    /// The syncer for the current server (cheap to clone: it shares its HTTP client).
    fn syncer(&self) -> Syncer {
        self.syncer
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Points the sync at another server (a checked address); the cache follows at the next
    /// sync, replaced in full if that server is another instance.
    fn set_server(&self, address: &str) -> Result<(), fokus_sync::SyncError> {
        let next = self.syncer().for_server(address)?;
        *self
            .syncer
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = next;
        self.server_changed.notify_one();
        Ok(())
    }

    /// Where documents are copied for the system's viewer: the user's own folder beside the
    /// cache, not a shared temporary folder another account could prepare.
    fn documents_dir(&self) -> PathBuf {
        self.syncer()
            .cache_path()
            .parent()
            .unwrap_or_else(|| std::path::Path::new("."))
            .join("dokumente")
    }

    fn settings(&self) -> Settings {
        self.settings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn save_settings(&self, settings: Settings) -> anyhow::Result<Settings> {
        let json = serde_json::to_string(&settings)?;
        self.read_store(|store| store.set_app_setting(SETTINGS_KEY, &json))?;
        *self
            .settings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = settings.clone();
        Ok(settings)
    }

    fn sync_state(&self) -> SyncState {
        self.sync_state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn update_sync_state(&self, change: impl FnOnce(&mut SyncState)) -> SyncState {
        let mut state = self
            .sync_state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        change(&mut state);
        state.clone()
    }
}

/// The server of this installation when the user names none: `FOKUS_SERVER_URL` (managed
/// installs, tests) or the default.
pub(crate) fn installation_server() -> String {
    std::env::var("FOKUS_SERVER_URL").unwrap_or_else(|_| DEFAULT_SERVER_URL.to_owned())
}

/// Creates `dir` (and its parents) readable by this user only.
pub(crate) fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// What was published when this app was built (`fokus-server snapshot`: the database, zstd), or
/// empty.
const SNAPSHOT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/snapshot.sqlite3.zst"));

/// Fills the cache at `path` from the bundled snapshot, so the first start works without
/// network; the first sync then fetches only what changed since.
fn apply_snapshot(store: &mut Store, path: &std::path::Path) -> anyhow::Result<()> {
    let summary = fokus_sync::restore_bundled(store, path, SNAPSHOT)?;
    tracing::info!(
        revision = summary.revision,
        values = summary.observations,
        "applied the bundled snapshot"
    );
    Ok(())
}

/// What the user is told once after a broken cache was replaced.
const CACHE_RECOVERED: &str = "Der lokale Speicher war beschädigt und wurde neu angelegt; die Daten werden neu geladen. Ihre Einstellungen sind erhalten, soweit sie lesbar waren.";

/// The suffix a broken cache file is kept under: the time it was found, in Unix seconds.
fn broken_label() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
        .to_string()
}

/// Opens the cache; a file that is not SQLite, is corrupt, or comes from a newer build is moved
/// aside (`*.broken-<time>`, with its -wal/-shm) and a fresh cache starts from the bundled data.
/// Returns the store and, after such a recovery, the sentence to tell the user.
fn open_cache(path: &std::path::Path) -> anyhow::Result<(Store, Option<&'static str>)> {
    let (mut store, recovered) = Store::open_or_start_afresh(path, &broken_label())
        .with_context(|| format!("opening {}", path.display()))?;
    if let Some((moved, error)) = &recovered {
        tracing::error!(%error, moved = %moved.display(), "the cache was unusable and was moved aside");
    }
    if store.revision()? == 0 && !SNAPSHOT.is_empty() {
        apply_snapshot(&mut store, path).context("applying the bundled data")?;
    }
    Ok((store, recovered.map(|_| CACHE_RECOVERED)))
}

/// Replaces a cache found broken while the app runs (SQLite reported corruption): the same
/// recovery as at start, then the UI reloads and the user is told.
pub(crate) fn recover_cache(app: &tauri::AppHandle) {
    let shell = app.state::<Shell>();
    let path = shell.syncer().cache_path().to_owned();
    let mut reader = shell
        .reader
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // Close our connection first so the files can be moved.
    *reader = match Store::open_in_memory() {
        Ok(placeholder) => placeholder,
        Err(error) => {
            tracing::error!(%error, "no placeholder database");
            return;
        }
    };
    if let Err(error) = fokus_store::move_aside(&path, &broken_label()) {
        tracing::error!(%error, "could not move the broken cache aside");
    }
    match open_cache(&path) {
        Ok((store, _)) => {
            let revision = store.revision().unwrap_or(0);
            *reader = store;
            drop(reader);
            let state = shell.update_sync_state(|state| {
                state.revision = revision;
                state.problem = Some(CACHE_RECOVERED.to_owned());
            });
            crate::notify::show(app, CACHE_RECOVERED, fokus_model::news::Page::Sozialbericht);
            background::announce_replaced(app, state);
        }
        Err(error) => tracing::error!(%error, "the cache could not be started afresh"),
    }
}

/// The cache folder: `FOKUS_CACHE_DIR` (tests, portable installs) or the platform's app data dir.
fn cache_dir(app: &tauri::App) -> anyhow::Result<PathBuf> {
    match std::env::var_os("FOKUS_CACHE_DIR") {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => app
            .path()
            .app_data_dir()
            .context("no app data folder on this platform"),
    }
}

fn setup(app: &mut tauri::App) -> anyhow::Result<()> {
    let dir = cache_dir(app)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let link = start_link(std::env::args());
    #[cfg(all(desktop, unix))]
    if instance::hand_over(&dir, link.as_deref()) {
        tracing::info!("the app already runs on this cache; handed the link over");
        std::process::exit(0);
    }
    let cache_path = dir.join("fokus-cache.sqlite3");
    let personal_path = personal::path_beside(&cache_path);
    let (reader, recovered) = open_cache(&cache_path)?;
    // Settings a newer or broken build wrote are not worth failing the start for.
    let settings: Settings = reader
        .app_setting(SETTINGS_KEY)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    // The server the user chose in the settings, else the installation's (FOKUS_SERVER_URL for
    // managed installs and tests), else the default. An address that fails the check is named
    // in the sync state and the default is used meanwhile.
    let configured = settings.server.clone().unwrap_or_else(installation_server);
    let mut address_problem = None;
    let server_url = fokus_sync::server_address(&configured).unwrap_or_else(|problem| {
        address_problem = Some(problem);
        DEFAULT_SERVER_URL.to_owned()
    });
    tracing::info!(cache = %cache_path.display(), server = %server_url, "starting");
    let progress_app = app.handle().clone();
    let progress = ProgressSink(Arc::new(move |progress| {
        background::emit(&progress_app, AppEvent::SyncProgress { progress });
    }));
    let mut syncer = Syncer::new(&server_url, &cache_path)?.on_progress(progress);
    // A county whose server certificate comes from its own CA either installs it in the
    // system's trust store (which the app uses) or names it here.
    if let Some(ca_file) = std::env::var_os("FOKUS_CA_FILE") {
        let pem = std::fs::read(&ca_file).with_context(|| {
            format!(
                "reading FOKUS_CA_FILE {}",
                PathBuf::from(&ca_file).display()
            )
        })?;
        syncer = syncer.trusting(&pem)?;
    }
    let initial = SyncState {
        revision: reader.revision()?,
        last_success: reader.last_sync()?,
        online: false,
        syncing: true,
        problem: address_problem.or(recovered.map(str::to_owned)),
    };
    if let Some(notice) = recovered {
        notify::show(app.handle(), notice, fokus_model::news::Page::Sozialbericht);
    }
    app.manage(Shell {
        reader: Mutex::new(reader),
        syncer: std::sync::RwLock::new(syncer),
        sync_gate: fokus_sync::SyncGate::default(),
        sync_state: Mutex::new(initial),
        wake: Notify::new(),
        server_changed: Notify::new(),
        settings: Mutex::new(settings),
        start_link: Mutex::new(link),
        personal: Mutex::new(personal::load(&personal_path)),
        personal_path,
    });
    #[cfg(all(desktop, unix))]
    if let Err(error) = instance::listen(&dir, app.handle().clone()) {
        tracing::warn!(%error, "links opened later start a second app");
    }
    #[cfg(desktop)]
    {
        use tauri_plugin_deep_link::DeepLinkExt;
        let handle = app.handle().clone();
        app.deep_link().on_open_url(move |event| {
            for url in event.urls() {
                background::open_link(&handle, url.as_str());
            }
        });
    }
    open_window(app)?;
    #[cfg(desktop)]
    tray::install(app)?;
    title_window(app.handle());
    background::start(app.handle().clone());
    Ok(())
}

/// Opens the main window as tauri.conf.json describes it (`create: false` there, so it is built
/// here), with the navigation guard: the window shows only the app's own pages; a link to the
/// web or a mail address opens in the system's program, anything else goes nowhere.
fn open_window(app: &tauri::App) -> anyhow::Result<()> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == "main")
        .context("tauri.conf.json describes no main window")?
        .clone();
    let navigation = app.handle().clone();
    let builder = tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
        .on_navigation(move |url| external::keeps_window(&navigation, url));
    #[cfg(desktop)]
    let builder = {
        let popup = app.handle().clone();
        builder.on_new_window(move |url, _features| {
            external::open_url(&popup, &url);
            tauri::webview::NewWindowResponse::Deny
        })
    };
    builder.build()?;
    Ok(())
}

/// The view of the first `fokus://` argument, as a router path. The OS starts the app with the
/// link as its argument; a test driver may add its own arguments, so every one is looked at.
fn start_link(args: impl Iterator<Item = String>) -> Option<String> {
    let scheme = format!("{}://", fokus_model::view::SCHEME);
    args.skip(1)
        .filter(|arg| arg.starts_with(&scheme))
        .find_map(|arg| fokus_model::view::link_path(&arg))
}

/// Names the window after the deployment whose data the cache holds, as the header does
/// ("FOKUS SH – Sozialmonitor · Land Schleswig-Holstein"); tauri.conf.json's title stands until
/// the first data arrive.
pub(crate) fn title_window(app: &tauri::AppHandle) {
    let shell = app.state::<Shell>();
    let dataset = shell
        .reader
        .lock()
        .ok()
        .and_then(|store| store.dataset().ok().flatten());
    let (Some(dataset), Some(window)) = (dataset, app.get_webview_window("main")) else {
        return;
    };
    if dataset.app_title.is_empty() {
        return;
    }
    let title = match dataset.subtitle.as_str() {
        "" => dataset.app_title,
        subtitle => format!("{} – {subtitle}", dataset.app_title),
    };
    if let Err(error) = window.set_title(&title) {
        tracing::warn!(%error, "could not set the window title");
    }
}

/// When this process started running our code (the first line of `run`).
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Time since the process started running our code.
pub(crate) fn since_start() -> std::time::Duration {
    STARTED.get_or_init(std::time::Instant::now).elapsed()
}

pub fn run() {
    STARTED.get_or_init(std::time::Instant::now);
    let subscriber = tracing_subscriber::fmt().with_env_filter(
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
    );
    // `FOKUS_LOG_FILE`: the log appended to a file (the tests: WebDriver drops the app's
    // standard error); otherwise standard error.
    let log_file = std::env::var_os("FOKUS_LOG_FILE").and_then(|path| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok()
    });
    match log_file {
        Some(file) => subscriber
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(file))
            .init(),
        None => subscriber.init(),
    }
    let builder = tauri::Builder::default();
    builder
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .register_uri_scheme_protocol(media::SCHEME, |context, request| {
            let shell = context.app_handle().state::<Shell>();
            media::respond(&shell, &request)
        })
        .on_window_event(|window, event| {
            // Closing the window keeps the app in the tray (a setting, default on), so syncs
            // and notifications go on; "Beenden" in the tray menu ends it.
            #[cfg(desktop)]
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                let shell = window.state::<Shell>();
                if shell.settings().keep_in_tray && tray::is_available() {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
            #[cfg(not(desktop))]
            let _ = (window, event);
        })
        .invoke_handler(commands::handler())
        .setup(|app| setup(app).map_err(Into::into))
        .run(tauri::generate_context!())
        .expect("the FOKUS window could not be opened");
}

#[cfg(test)]
mod tests {
    use super::start_link;

    #[test]
    fn the_start_link_is_the_first_fokus_argument_as_a_router_path() {
        let args = |list: &[&str]| {
            list.iter()
                .map(|arg| (*arg).to_owned())
                .collect::<Vec<_>>()
                .into_iter()
        };
        let cases: &[(&[&str], Option<&str>, &str)] = &[
            (&["fokus-app"], None, "no argument"),
            (
                &["fokus-app", "fokus://gebiet?gebiet=010560015&jahr=2024"],
                Some("/gebiet?gebiet=010560015&jahr=2024"),
                "as the OS starts it",
            ),
            (
                &[
                    "fokus-app",
                    "--automation",
                    "fokus://sozialbericht?kennzahl=sgb2_quote",
                ],
                Some("/sozialbericht?kennzahl=sgb2_quote"),
                "beside a driver's own argument",
            ),
            (
                &["fokus-app", "fokus://gebiet"],
                None,
                "a profile without its area is no view",
            ),
            (
                &["fokus-app", "fokus://mappen"],
                Some("/mappen"),
                "a page by its name",
            ),
            (
                &["fokus-app", "https://example.org/gebiet?gebiet=1"],
                None,
                "only our scheme",
            ),
        ];
        for (list, expected, why) in cases {
            assert_eq!(start_link(args(list)).as_deref(), *expected, "{why}");
        }
    }
}
