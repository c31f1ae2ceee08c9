//! What the app keeps on this device, and "Cache leeren": the data go back to what the app
//! shipped with (one transaction), downloaded files are deleted, a sync starts. Notes and
//! folders (`persoenlich.json`) and the settings (in the cache's `meta`) stay.

use std::path::Path;

use fokus_model::api::{ApiError, ErrorCode};
use fokus_model::ipc::StorageInfo;
use tauri::Manager;

use crate::{background, Shell, SNAPSHOT};

/// The bytes of a file, or of all files below a folder.
fn size_of(path: &Path) -> u64 {
    let Ok(metadata) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if metadata.is_file() {
        return metadata.len();
    }
    if !metadata.is_dir() {
        return 0;
    }
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| size_of(&entry.path()))
                .sum()
        })
        .unwrap_or(0)
}

pub(crate) fn info(shell: &Shell) -> StorageInfo {
    let syncer = shell.syncer();
    let cache = syncer.cache_path().to_owned();
    let with_suffix = |suffix: &str| {
        let mut name = cache.clone().into_os_string();
        name.push(suffix);
        size_of(Path::new(&name))
    };
    StorageInfo {
        data_bytes: size_of(&cache) + with_suffix("-wal") + with_suffix("-shm"),
        file_bytes: size_of(&syncer.blob_dir()) + size_of(&shell.documents_dir()),
        personal_bytes: size_of(&shell.personal_path),
    }
}

/// Empties a folder's files (not the folder: its permissions stay).
fn empty_folder(dir: &Path) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error),
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

pub(crate) async fn clear(app: &tauri::AppHandle) -> Result<StorageInfo, ApiError> {
    let shell = app.state::<Shell>();
    let failed = |error: &dyn std::fmt::Display| {
        tracing::error!(%error, "clearing the cache failed");
        ApiError::new(
            ErrorCode::Internal,
            "Der Speicher konnte nicht geleert werden; die Daten sind unverändert.",
        )
    };
    if SNAPSHOT.is_empty() {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            "Diese Installation hat keine mitgelieferten Daten; der Speicher wird nicht geleert.",
        ));
    }
    // Never while a sync writes: the gate runs this after it, or says a sync is running.
    let cleared = shell
        .sync_gate
        .run(async {
            let syncer = shell.syncer();
            let revision = {
                let mut reader = shell
                    .reader
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                for sha256 in reader.blob_hashes().map_err(|error| failed(&error))? {
                    reader
                        .forget_blob(&sha256)
                        .map_err(|error| failed(&error))?;
                }
                let restored =
                    fokus_sync::restore_bundled(&mut reader, syncer.cache_path(), SNAPSHOT)
                        .map_err(|error| failed(&error))?;
                reader.compact().map_err(|error| failed(&error))?;
                restored.revision
            };
            empty_folder(&syncer.blob_dir()).map_err(|error| failed(&error))?;
            empty_folder(&shell.documents_dir()).map_err(|error| failed(&error))?;
            Ok::<_, ApiError>(revision)
        })
        .await;
    let revision = match cleared {
        Some(result) => result?,
        None => {
            return Err(ApiError::new(
                ErrorCode::Unavailable,
                "Gerade läuft ein Abgleich. Bitte versuchen Sie es gleich noch einmal.",
            ))
        }
    };
    let state = shell.update_sync_state(|state| {
        state.revision = revision;
        state.last_success = None;
    });
    background::announce_replaced(app, state);
    shell.wake.notify_one();
    Ok(info(&shell))
}
