//! Writing an export (CSV, PNG, SVG, a Sitzungsmappe) where the user chose.

use std::io::Write;
use std::path::Path;

/// Writes `content` to `target` without ever writing through a link: a link (or anything but a
/// regular file) at `target` is refused; the bytes go to a new file beside it, which then
/// replaces the target's directory entry (a rename never follows a link, so one planted between
/// the check and the write is replaced, not followed). Asking before an existing file is
/// replaced is the save dialog's part (GTK, Windows and macOS dialogs confirm).
pub fn write_export(target: &Path, content: &[u8]) -> Result<(), String> {
    match std::fs::symlink_metadata(target) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err("Am gewählten Ort liegt eine Verknüpfung; die App schreibt nicht durch sie hindurch. Bitte einen anderen Namen wählen.".to_owned());
        }
        Ok(meta) if !meta.is_file() => {
            return Err("Am gewählten Ort liegt keine Datei (etwa ein Ordner); bitte einen anderen Namen wählen.".to_owned());
        }
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error.to_string()),
    }
    let dir = target
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temporary = tempfile::Builder::new()
        .prefix(".fokus-export-")
        .tempfile_in(dir)
        .map_err(|error| error.to_string())?;
    temporary
        .write_all(content)
        .and_then(|()| temporary.as_file().sync_all())
        .map_err(|error| error.to_string())?;
    temporary
        .persist(target)
        .map_err(|error| error.error.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_is_written_and_replaces_an_earlier_one() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("tabelle.csv");
        write_export(&target, b"eins").unwrap();
        write_export(&target, b"zwei").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"zwei");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file stays behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_at_the_target_is_refused_and_its_target_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("bashrc");
        std::fs::write(&elsewhere, b"original").unwrap();
        let target = dir.path().join("tabelle.csv");
        std::os::unix::fs::symlink(&elsewhere, &target).unwrap();
        let error = write_export(&target, b"=cmd").unwrap_err();
        assert!(error.contains("Verknüpfung"), "{error}");
        assert_eq!(std::fs::read(&elsewhere).unwrap(), b"original");
        // A dangling link is refused as well (it would create the file it points to).
        let dangling = dir.path().join("neu.csv");
        std::os::unix::fs::symlink(dir.path().join("nirgends"), &dangling).unwrap();
        assert!(write_export(&dangling, b"x").is_err());
        assert!(!dir.path().join("nirgends").exists());
    }

    #[test]
    fn a_folder_at_the_target_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let error = write_export(dir.path(), b"x").unwrap_err();
        assert!(error.contains("keine Datei"), "{error}");
    }
}
