//! The working copy of the content folder (`<data-dir>/inhalt`): what the workspace edits and
//! publishes from. `publish DIR` adopts the folder it published (its Markdown files and the
//! media they name), so a county that keeps its content in version control can go on
//! publishing from there, and the workspace always changes the sources that are live. Every
//! change the workspace makes is written here first and then published from here like any
//! folder, through the same checks; a refused publish puts the file back.

use std::path::{Component, Path, PathBuf};

use anyhow::Context;
use fokus_model::content::StatusChange;

use crate::content_folder::ContentFolder;
use crate::publish::{split_front_matter, BlobDir, Publication};

/// Where the working copy lives inside `--data-dir`.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("inhalt")
}

/// The Markdown file of the item `id` in the folder `root`; `None` for an id that is not a
/// plain relative path (`..`, absolute, empty parts).
pub fn item_file(root: &Path, id: &str) -> Option<PathBuf> {
    let relative = Path::new(id);
    let plain = !id.is_empty()
        && !id.contains('\\')
        && relative
            .components()
            .all(|component| matches!(component, Component::Normal(_)));
    plain.then(|| root.join(format!("{id}.md")))
}

/// Makes `target` a copy of the published `folder`: its Markdown files as read through the
/// folder's handle, the media the publication names as links to (or copies of) the blob files
/// just stored. Written beside `target` and swapped in, so a failure leaves the old copy.
pub fn adopt(
    folder: &ContentFolder,
    publication: &Publication,
    blobs: &BlobDir,
    target: &Path,
) -> anyhow::Result<()> {
    let parent = target
        .parent()
        .context("the working copy has no parent folder")?;
    std::fs::create_dir_all(parent)?;
    let fresh = tempfile::Builder::new()
        .prefix(".inhalt-neu-")
        .tempdir_in(parent)?;
    for path in folder.list().markdown {
        let bytes = folder
            .read(&path)
            .map_err(|problem| anyhow::anyhow!("{}: {}", path.display(), problem.reason()))?;
        write_new(&fresh.path().join(&path), &bytes)?;
    }
    for media in &publication.media {
        let to = fresh.path().join(&media.source);
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let from = blobs.path_of(&media.media.sha256);
        if std::fs::hard_link(&from, &to).is_err() {
            std::fs::copy(&from, &to)
                .with_context(|| format!("copying {} into the working copy", from.display()))?;
        }
    }
    let old = parent.join(".inhalt-alt");
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    if target.exists() {
        std::fs::rename(target, &old)?;
    }
    std::fs::rename(fresh.keep(), target)?;
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    Ok(())
}

/// Copies the folder `from` to `to` (regular files and folders; links are left out, as
/// `publish` refuses them anyway).
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, bytes)
}

/// Writes `bytes` to `path` through a temporary file renamed over it.
pub fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temporary = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut temporary, bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// The files of the working copy `root`, relative, sorted: regular files only, without the
/// temporary ones (their names start with a dot) and without following a link.
pub fn files(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let entries = match std::fs::read_dir(root.join(&relative)) {
            Ok(entries) => entries,
            // No working copy yet: nothing to list.
            Err(error)
                if error.kind() == std::io::ErrorKind::NotFound
                    && relative.as_os_str().is_empty() =>
            {
                return Ok(found)
            }
            Err(error) => return Err(error),
        };
        for entry in entries {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type()?;
            let path = relative.join(entry.file_name());
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Writes the working copy `root` as a tar archive to `out`: a folder `inhalt/` that
/// `fokus-server publish` takes as it is.
pub fn export_tar(root: &Path, out: impl std::io::Write) -> anyhow::Result<()> {
    let mut archive = tar::Builder::new(out);
    archive.mode(tar::HeaderMode::Deterministic);
    for relative in files(root)? {
        let mut file = std::fs::File::open(root.join(&relative))
            .with_context(|| format!("opening {}", relative.display()))?;
        let mut header = tar::Header::new_gnu();
        header.set_size(file.metadata()?.len());
        header.set_mode(0o644);
        archive
            .append_data(&mut header, Path::new("inhalt").join(&relative), &mut file)
            .with_context(|| format!("archiving {}", relative.display()))?;
    }
    archive.into_inner()?.flush()?;
    Ok(())
}

/// Copies the working copy `root` into the new folder `out` (`fokus-server export-content`).
pub fn export_to(root: &Path, out: &Path) -> anyhow::Result<usize> {
    if out.exists() && std::fs::read_dir(out)?.next().is_some() {
        anyhow::bail!(
            "{} ist nicht leer; bitte einen neuen Ordner angeben",
            out.display()
        );
    }
    let files = files(root)?;
    for relative in &files {
        let target = out.join(relative);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::copy(root.join(relative), &target)
            .with_context(|| format!("copying {}", relative.display()))?;
    }
    Ok(files.len())
}

/// Why a status could not be written into a recommendation's file.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("Die Datei der Empfehlung fehlt im Arbeitsordner ({0})")]
    Missing(String),
    #[error("Der Kopfbereich der Datei {file} ist nicht lesbar: {reason}")]
    Unreadable { file: String, reason: String },
}

/// The recommendation file `text` with `change` appended to its `[[status]]` entries; the
/// rest of the front matter and the text stay as written.
pub fn with_status(text: &str, file: &str, change: &StatusChange) -> Result<String, EditError> {
    let unreadable = |reason: String| EditError::Unreadable {
        file: file.to_owned(),
        reason,
    };
    let (front, body) = split_front_matter(text).ok_or_else(|| unreadable("`+++` fehlt".into()))?;
    let mut document: toml_edit::DocumentMut = front
        .parse()
        .map_err(|error: toml_edit::TomlError| unreadable(error.message().to_owned()))?;
    let date: toml_edit::Datetime = change
        .date
        .parse()
        .map_err(|_| unreadable(format!("Datum {}", change.date)))?;
    let mut entry = toml_edit::Table::new();
    entry.insert("datum", toml_edit::value(date));
    entry.insert("stand", toml_edit::value(change.status.as_str()));
    entry.insert("notiz", toml_edit::value(change.note.as_str()));
    match document.get_mut("status") {
        None => {
            let mut list = toml_edit::ArrayOfTables::new();
            list.push(entry);
            document.insert("status", toml_edit::Item::ArrayOfTables(list));
        }
        Some(toml_edit::Item::ArrayOfTables(list)) => list.push(entry),
        Some(_) => {
            return Err(unreadable(
                "`status` ist keine Liste von `[[status]]`-Einträgen".into(),
            ))
        }
    }
    let mut front = document.to_string();
    if !front.ends_with('\n') {
        front.push('\n');
    }
    Ok(format!("+++\n{front}+++\n{body}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fokus_model::content::RecommendationStatus;

    const FILE: &str = "+++\nart = \"empfehlung\" # the kind\ntitel = \"T\"\n\n[[status]]\ndatum = 2024-04-02\nstand = \"offen\"\n+++\nText mit \"+++\" darin.\n";

    #[test]
    fn a_status_is_appended_and_the_rest_kept() {
        let change = StatusChange {
            date: "2026-12-05".into(),
            status: RecommendationStatus::InUmsetzung,
            note: "Träger \"A\" beauftragt\nzweite Zeile".into(),
        };
        let text = with_status(FILE, "e.md", &change).unwrap();
        assert!(text.starts_with("+++\nart = \"empfehlung\" # the kind\ntitel = \"T\"\n"));
        assert!(text.ends_with("+++\nText mit \"+++\" darin.\n"));
        let (front, _) = split_front_matter(&text).unwrap();
        let parsed: toml::Table = toml::from_str(front).unwrap();
        let status = parsed["status"].as_array().unwrap();
        assert_eq!(status.len(), 2);
        assert_eq!(status[1]["stand"].as_str(), Some("in_umsetzung"));
        assert_eq!(
            status[1]["notiz"].as_str(),
            Some("Träger \"A\" beauftragt\nzweite Zeile")
        );
        assert_eq!(
            status[1]["datum"]
                .as_datetime()
                .map(ToString::to_string)
                .as_deref(),
            Some("2026-12-05")
        );
    }

    #[test]
    fn a_file_without_status_gets_its_first() {
        let change = StatusChange {
            date: "2026-01-02".into(),
            status: RecommendationStatus::Offen,
            note: String::new(),
        };
        let text = with_status("+++\ntitel = \"T\"\n+++\nBody\n", "e.md", &change).unwrap();
        let (front, body) = split_front_matter(&text).unwrap();
        assert_eq!(body, "Body\n");
        let parsed: toml::Table = toml::from_str(front).unwrap();
        assert_eq!(parsed["status"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn ids_name_files_inside_the_folder_only() {
        let root = Path::new("/srv/inhalt");
        assert_eq!(
            item_file(root, "empfehlungen/a"),
            Some(PathBuf::from("/srv/inhalt/empfehlungen/a.md"))
        );
        for id in ["", "../a", "/etc/passwd", "a/../../b", "a\\b", "./a"] {
            assert_eq!(item_file(root, id), None, "{id}");
        }
    }
}
