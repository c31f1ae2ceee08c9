//! The person's notes, Sitzungsmappen, read marks and display settings: one JSON file beside
//! the cache (`persoenlich.json`), apart from the cache database so that a full resync, "Cache
//! leeren" or a cache moved aside as broken never touches it. Written to a temporary file,
//! flushed and renamed, so a crash leaves the old or the new file, never half of one.

use std::path::{Path, PathBuf};

use fokus_model::personal::Personal;

const FILE_NAME: &str = "persoenlich.json";

pub(crate) fn path_beside(cache_path: &Path) -> PathBuf {
    cache_path
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join(FILE_NAME)
}

/// Reads the file; none yet is an empty document. A file that cannot be read as one is moved
/// aside (kept for a person to look at) and an empty document is used, so the app still starts.
pub(crate) fn load(path: &Path) -> Personal {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Personal::default(),
        Err(error) => {
            tracing::error!(%error, path = %path.display(), "reading the personal file failed");
            return Personal::default();
        }
    };
    let parsed = serde_json::from_str::<Personal>(&text)
        .map_err(|error| error.to_string())
        .and_then(Personal::checked);
    match parsed {
        Ok(personal) => personal,
        Err(problem) => {
            let aside = path.with_extension(format!(
                "json.defekt-{}",
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|elapsed| elapsed.as_secs())
                    .unwrap_or_default()
            ));
            tracing::error!(%problem, aside = %aside.display(), "the personal file is unusable; moved aside");
            let _ = std::fs::rename(path, &aside);
            Personal::default()
        }
    }
}

/// Writes the document atomically.
pub(crate) fn save(path: &Path, personal: &Personal) -> std::io::Result<()> {
    use std::io::Write;
    let json = serde_json::to_vec_pretty(personal).map_err(std::io::Error::other)?;
    let temporary = path.with_extension("json.tmp");
    {
        // Notes are private: readable by this user only.
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temporary)?;
        file.write_all(&json)?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, path)?;
    if let Some(dir) = path.parent() {
        // The rename itself is durable only once the folder is flushed (not possible on Windows).
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fokus_model::personal::{Folder, Theme};

    #[test]
    fn the_file_round_trips_and_a_broken_one_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        assert_eq!(
            load(&path),
            Personal::default(),
            "no file: an empty document"
        );
        let mut personal = Personal::default();
        personal
            .add_folder(Folder::new("Ausschuss", "", ""))
            .unwrap();
        personal.display.theme = Theme::Dark;
        save(&path, &personal).unwrap();
        assert_eq!(load(&path), personal, "saved and read back");
        std::fs::write(&path, b"{\"notes\": [kaputt").unwrap();
        assert_eq!(
            load(&path),
            Personal::default(),
            "a broken file gives an empty document"
        );
        let kept: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            kept.iter()
                .any(|name| name.starts_with("persoenlich.json.defekt-")),
            "the broken file is kept aside: {kept:?}"
        );
    }
}
