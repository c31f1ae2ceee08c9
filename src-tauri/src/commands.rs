//! The command table. Names, argument and result types come from `fokus_model::ipc`; a test
//! checks that every declared command is registered here under its declared name.

use fokus_model::api::{ApiError, ErrorCode};
use fokus_model::content::{MediaKey, MediaRef};
use fokus_model::ipc::{
    ExportFile, NoArgs, Permission, PermissionQuery, ReadCall, ServerAddress, StorageInfo, ViewPath,
};
use fokus_model::news::Settings;
use fokus_model::personal::Personal;
use fokus_model::SyncState;
use fokus_store::reads;
use fokus_sync::SyncError;
use tauri::State;

use crate::Shell;

fn sync_error(error: SyncError) -> ApiError {
    if error.is_offline() {
        ApiError::new(
            ErrorCode::Offline,
            "Die Datei ist noch nicht geladen und der Server ist nicht erreichbar. Bitte später erneut versuchen.",
        )
    } else {
        tracing::warn!(%error, "media download failed");
        ApiError::new(
            ErrorCode::InvalidAnswer,
            format!("Die Datei konnte nicht geladen werden: {error}"),
        )
    }
}

/// The media file `key` names, as the cache recorded it when it checked the feed: the page
/// names a file by its item and hash, never by a name or type of its own.
fn media_of(shell: &Shell, key: &MediaKey) -> Result<MediaRef, ApiError> {
    let missing = || ApiError::new(ErrorCode::NotFound, "Diese Datei gibt es nicht (mehr).");
    let item = match shell.read_store(|store| store.content_item(&key.content)) {
        Ok(item) => item,
        Err(fokus_store::StoreError::NotFound { .. }) => return Err(missing()),
        Err(error) => {
            tracing::error!(%error, "reading a content item failed");
            return Err(ApiError::new(
                ErrorCode::Internal,
                "Der lokale Speicher ist nicht lesbar.",
            ));
        }
    };
    let media = item
        .media
        .into_iter()
        .find(|media| media.sha256 == key.sha256)
        .ok_or_else(missing)?;
    media.check().map_err(|problem| {
        tracing::warn!(%problem, "a cached media reference fails the allow-list");
        ApiError::new(
            ErrorCode::BadRequest,
            "Diese Dateiart öffnet die App nicht.",
        )
    })?;
    Ok(media)
}

/// Makes sure the cache holds `media` (downloading it on request) and returns its local file.
async fn local_media(shell: &Shell, media: &MediaRef) -> Result<std::path::PathBuf, ApiError> {
    let syncer = shell.syncer();
    if syncer.blob_file(&media.sha256).is_none() {
        syncer.fetch_blob(media).await.map_err(sync_error)?;
    }
    syncer
        .blob_file(&media.sha256)
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "Die Datei fehlt nach dem Laden."))
}

/// Every read of the UI (`fokus_model::ipc::Query`), answered from the cache through the
/// store's read table: the same table the server's read paths serve from.
#[tauri::command]
async fn read(
    shell: State<'_, Shell>,
    args: ReadCall<serde_json::Value>,
) -> Result<serde_json::Value, ApiError> {
    let ReadCall { name, args } = args;
    shell
        .read_store(|store| reads::run_json(store, &name, args))
        .map_err(|failure| {
            if let Some(cause) = failure.cause {
                tracing::error!(%cause, read = %name, "cache query failed");
            }
            failure.answer
        })
}

/// Where the app remembers the view it was left at.
const LAST_VIEW_KEY: &str = "view";

#[tauri::command]
async fn link_take(shell: State<'_, Shell>, args: NoArgs) -> Result<Option<String>, ApiError> {
    let NoArgs {} = args;
    Ok(shell
        .start_link
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take())
}

#[tauri::command]
async fn view_last(shell: State<'_, Shell>, args: NoArgs) -> Result<Option<String>, ApiError> {
    let NoArgs {} = args;
    Ok(shell
        .read_store(|store| store.app_setting(LAST_VIEW_KEY))
        .ok()
        .flatten()
        .filter(|path| fokus_model::ipc::is_app_path(path)))
}

#[tauri::command]
async fn storage_get(shell: State<'_, Shell>, args: NoArgs) -> Result<StorageInfo, ApiError> {
    let NoArgs {} = args;
    Ok(crate::storage::info(&shell))
}

#[tauri::command]
async fn cache_clear(app: tauri::AppHandle, args: NoArgs) -> Result<StorageInfo, ApiError> {
    let NoArgs {} = args;
    crate::storage::clear(&app).await
}

#[tauri::command]
async fn personal_get(shell: State<'_, Shell>, args: NoArgs) -> Result<Personal, ApiError> {
    let NoArgs {} = args;
    Ok(shell
        .personal
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone())
}

/// Saves the person's data as a whole. Checked like an imported file, so the page cannot store
/// what the app would refuse to read back.
#[tauri::command]
async fn personal_save(shell: State<'_, Shell>, args: Personal) -> Result<Personal, ApiError> {
    let checked = args
        .checked()
        .map_err(|problem| ApiError::new(ErrorCode::BadRequest, problem))?;
    let mut current = shell
        .personal
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    crate::personal::save(&shell.personal_path, &checked).map_err(|error| {
        tracing::error!(%error, "saving the personal file failed");
        // ENOSPC (28) and EDQUOT (122 on Linux): the device is full.
        let message = if matches!(error.raw_os_error(), Some(28 | 122)) {
            "Der Speicher des Geräts ist voll; die Notiz wurde nicht gespeichert."
        } else {
            "Notizen und Mappen konnten nicht gespeichert werden."
        };
        ApiError::new(ErrorCode::Internal, message)
    })?;
    *current = checked.clone();
    Ok(checked)
}

/// Logs, once per process, how long after the process started the UI painted its first map, and
/// how much of that the page itself took (from the start of its load).
#[tauri::command]
fn first_paint(args: fokus_model::ipc::PageTime) {
    static PAINTED: std::sync::Once = std::sync::Once::new();
    PAINTED.call_once(|| {
        tracing::info!(
            since_start_ms = crate::since_start().as_secs_f64() * 1000.0,
            since_page_load_ms = args.page_ms,
            "first map painted"
        );
    });
}

#[tauri::command]
async fn view_save(shell: State<'_, Shell>, args: ViewPath) -> Result<(), ApiError> {
    if !fokus_model::ipc::is_app_path(&args.path) {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            "Diese Ansicht gibt es nicht.",
        ));
    }
    shell
        .read_store(|store| store.set_app_setting(LAST_VIEW_KEY, &args.path))
        .map_err(|error| {
            tracing::warn!(%error, "remembering the view failed");
            ApiError::new(
                ErrorCode::Internal,
                "Die Ansicht konnte nicht gemerkt werden.",
            )
        })
}

/// Saves an export where the user chooses in the system's save dialog. With `FOKUS_EXPORT_DIR`
/// set (the app tests, managed installs with a fixed folder) it is saved there without asking.
#[tauri::command]
async fn export_save(app: tauri::AppHandle, args: ExportFile) -> Result<Option<String>, ApiError> {
    use tauri_plugin_dialog::DialogExt;
    let Some(name) = fokus_model::ipc::export_file_name(&args.name) else {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            "Diese Dateiart kann nicht gespeichert werden.",
        ));
    };
    let target = match std::env::var_os("FOKUS_EXPORT_DIR") {
        Some(dir) => Some(std::path::PathBuf::from(dir).join(&name)),
        None => {
            let extension = name
                .rsplit_once('.')
                .map(|(_, extension)| extension.to_owned())
                .unwrap_or_default();
            let (sender, receiver) = tokio::sync::oneshot::channel();
            app.dialog()
                .file()
                .set_title("Exportieren")
                .set_file_name(&name)
                .add_filter(extension.to_uppercase(), &[extension.as_str()])
                .save_file(move |path| {
                    let _ = sender.send(path.and_then(|path| path.into_path().ok()));
                });
            receiver.await.unwrap_or(None)
        }
    };
    let Some(target) = target else {
        return Ok(None);
    };
    crate::export::write_export(&target, &args.content).map_err(|error| {
        ApiError::new(
            ErrorCode::Internal,
            format!("Die Datei konnte nicht gespeichert werden: {error}"),
        )
    })?;
    Ok(Some(target.display().to_string()))
}

#[tauri::command]
async fn sync_status(shell: State<'_, Shell>, args: NoArgs) -> Result<SyncState, ApiError> {
    let NoArgs {} = args;
    Ok(shell.sync_state())
}

#[tauri::command]
async fn sync_run(app: tauri::AppHandle, args: NoArgs) -> Result<SyncState, ApiError> {
    let NoArgs {} = args;
    Ok(crate::background::sync_now(&app).await)
}

#[tauri::command]
async fn media_url(shell: State<'_, Shell>, args: MediaKey) -> Result<String, ApiError> {
    let media = media_of(&shell, &args)?;
    local_media(&shell, &media).await?;
    Ok(crate::media::url_of(&media.sha256))
}

/// Copies the file into the user's own documents folder beside the cache, under its cleaned
/// name with the extension of its type (viewers show the name and pick the program by the
/// extension), and opens it with the system's program for that type.
#[tauri::command]
async fn document_open(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    args: MediaKey,
) -> Result<(), ApiError> {
    let media = media_of(&shell, &args)?;
    let source = local_media(&shell, &media).await?;
    let name = media.file_name().ok_or_else(|| {
        ApiError::new(
            ErrorCode::BadRequest,
            "Diese Dateiart öffnet die App nicht.",
        )
    })?;
    let folder = shell.documents_dir().join(&media.sha256);
    let target = folder.join(name);
    crate::private_dir(&folder)
        .and_then(|()| std::fs::copy(&source, &target))
        .map_err(|error| {
            ApiError::new(
                ErrorCode::Internal,
                format!("Die Datei konnte nicht bereitgestellt werden: {error}"),
            )
        })?;
    crate::external::open_path(&app, &target).map_err(|error| {
        ApiError::new(
            ErrorCode::Internal,
            format!("Kein Programm zum Öffnen gefunden: {error}"),
        )
    })
}

#[tauri::command]
async fn settings_get(shell: State<'_, Shell>, args: NoArgs) -> Result<Settings, ApiError> {
    let NoArgs {} = args;
    Ok(shell.settings())
}

#[tauri::command]
async fn settings_set(shell: State<'_, Shell>, args: Settings) -> Result<Settings, ApiError> {
    let mut args = args;
    let previous = shell.settings();
    let wants_video = args.download_video && !previous.download_video;
    // An empty address means "the installation's server"; any other is checked first.
    args.server = args.server.filter(|address| !address.trim().is_empty());
    if let Some(address) = &args.server {
        let checked = fokus_sync::server_address(address)
            .map_err(|problem| ApiError::new(ErrorCode::BadRequest, problem))?;
        args.server = Some(checked);
    }
    let new_server = args.server != previous.server;
    if new_server {
        let address = args
            .server
            .clone()
            .unwrap_or_else(crate::installation_server);
        shell
            .set_server(&address)
            .map_err(|error| ApiError::new(ErrorCode::BadRequest, error.to_string()))?;
    }
    let saved = shell.save_settings(args).map_err(|error| {
        tracing::error!(%error, "saving settings failed");
        ApiError::new(
            ErrorCode::Internal,
            "Die Einstellungen konnten nicht gespeichert werden.",
        )
    })?;
    if wants_video || new_server {
        // Fetch the videos, or from the new server, now rather than at the next regular sync.
        shell.wake.notify_one();
    }
    Ok(saved)
}

/// The connection test of the settings: is a FOKUS server at this address, and how far is it?
#[tauri::command]
async fn server_test(shell: State<'_, Shell>, args: ServerAddress) -> Result<String, ApiError> {
    let syncer = shell
        .syncer()
        .for_server(&args.address)
        .map_err(|error| ApiError::new(ErrorCode::BadRequest, error.to_string()))?;
    match syncer.server_status().await {
        Ok(status) => Ok(format!(
            "Verbindung steht: {} antwortet (Revision {}, {} Kennzahlen, {} Werte).",
            syncer.base_url(),
            status.revision,
            status.indicators,
            status.observations
        )),
        Err(error) if error.is_offline() => Err(ApiError::new(
            ErrorCode::Offline,
            format!("Keine Verbindung zu {}: {error}", syncer.base_url()),
        )),
        Err(error) => Err(ApiError::new(
            ErrorCode::InvalidAnswer,
            format!(
                "{} antwortet, aber nicht als FOKUS-Server: {error}",
                syncer.base_url()
            ),
        )),
    }
}

#[tauri::command]
async fn notification_permission(
    app: tauri::AppHandle,
    args: PermissionQuery,
) -> Result<Permission, ApiError> {
    Ok(crate::notify::permission(&app, args.request))
}

macro_rules! command_table {
    ($($name:ident),* $(,)?) => {
        /// The names registered with Tauri, for the consistency test.
        #[cfg(test)]
        const REGISTERED: &[&str] = &[$(stringify!($name)),*];

        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }
    };
}

command_table![
    read,
    storage_get,
    cache_clear,
    link_take,
    view_last,
    personal_get,
    personal_save,
    view_save,
    first_paint,
    export_save,
    sync_status,
    sync_run,
    media_url,
    document_open,
    settings_get,
    settings_set,
    server_test,
    notification_permission,
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_declared_command_is_registered_under_its_name() {
        let mut registered = super::REGISTERED.to_vec();
        let mut declared = fokus_model::ipc::COMMAND_NAMES.to_vec();
        registered.sort_unstable();
        declared.sort_unstable();
        assert_eq!(
            registered, declared,
            "fokus_model::ipc and the Tauri command table must agree"
        );
    }
}
