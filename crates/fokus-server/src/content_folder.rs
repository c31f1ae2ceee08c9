//! The content folder as `publish` reads it: opened once (the one path taken on the operator's
//! word), and everything beneath it opened relative to that handle, one path component at a
//! time, never through a symbolic link (`openat` with `O_NOFOLLOW`, through `cap-std`).
//!
//! Checking a path for links and then opening it by name leaves a gap in which a folder can be
//! swapped for a link (to `/etc`, say); opening each component without following a link makes
//! the check and the open one step, so a link put in place at any moment is refused, never
//! followed. A publish reads each file through the same handle, so even the folder itself moved
//! or replaced meanwhile does not change what it reads.

use std::ffi::OsString;
use std::fmt;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt};
use cap_std::fs::{Dir, FileType, OpenOptions};

/// An open content folder.
#[derive(Debug)]
pub struct ContentFolder {
    root: Dir,
    /// The path it was opened by, for messages only.
    path: PathBuf,
}

/// Why a path in the content folder could not be read. Paths are relative to the folder.
#[derive(Debug)]
pub enum FolderError {
    /// This path is a symbolic link (perhaps only since the folder was listed).
    Link(PathBuf),
    /// Neither a file nor a folder: a named pipe, a socket, a device.
    NotAFile(PathBuf),
    /// A path that does not name a file inside the folder (`..`, absolute, empty).
    Outside(PathBuf),
    Unreadable(PathBuf, io::Error),
}

impl FolderError {
    /// The path (relative to the folder) the problem is at.
    pub fn path(&self) -> &Path {
        match self {
            FolderError::Link(path)
            | FolderError::NotAFile(path)
            | FolderError::Outside(path)
            | FolderError::Unreadable(path, _) => path,
        }
    }

    /// What is wrong there, as a sentence part after the path.
    pub fn reason(&self) -> String {
        match self {
            FolderError::Link(_) => {
                "ist ein symbolischer Link; Beiträge und Dateien müssen im Inhaltsordner selbst liegen".to_owned()
            }
            FolderError::NotAFile(_) => {
                "ist keine gewöhnliche Datei (eine Pipe, ein Socket oder ein Gerät)".to_owned()
            }
            FolderError::Outside(_) => {
                "liegt nicht im Inhaltsordner (kein `..`, kein absoluter Pfad)".to_owned()
            }
            FolderError::Unreadable(_, error) => format!("nicht lesbar: {error}"),
        }
    }

    /// The problem as found reading `file`, which was sound when the folder was listed or
    /// checked: a link on its way now was put in place while publishing.
    pub fn since_listed(&self, file: &Path) -> String {
        match self {
            FolderError::Link(path) => {
                let which = if path == file {
                    String::new()
                } else {
                    format!("`{}` ", path.display())
                };
                format!(
                    "{which}ist während der Veröffentlichung durch einen symbolischen Link ersetzt \
                     worden; Beiträge und Dateien müssen im Inhaltsordner selbst liegen. Bitte den \
                     Ordner prüfen und erneut veröffentlichen"
                )
            }
            FolderError::Unreadable(path, error) if path == file => {
                format!("nicht lesbar: {error}")
            }
            _ => self.to_string(),
        }
    }
}

impl fmt::Display for FolderError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "`{}` {}", self.path().display(), self.reason())
    }
}

impl std::error::Error for FolderError {}

/// What a walk through the folder found.
#[derive(Debug, Default)]
pub struct Listing {
    /// Every regular `*.md` file, in the order of a depth-first walk with names sorted.
    pub markdown: Vec<PathBuf>,
    /// Links, unreadable folders: the walk goes on past them, the publish does not.
    pub problems: Vec<FolderError>,
}

/// A folder being walked: its handle, its path, and its entries still to visit (last first).
struct Frame {
    dir: Dir,
    path: PathBuf,
    pending: Vec<(OsString, FileType)>,
}

impl ContentFolder {
    /// Opens `dir`, following a link there: the folder is the operator's choice, what is in it
    /// the editors'.
    pub fn open(dir: &Path) -> io::Result<ContentFolder> {
        let root = Dir::open_ambient_dir(dir, cap_std::ambient_authority())?;
        Ok(ContentFolder {
            root,
            path: dir.to_owned(),
        })
    }

    /// The path the folder was opened by (what it names may have changed since).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Walks the folder without entering a link: every link anywhere is a problem, as is a
    /// folder that cannot be read.
    pub fn list(&self) -> Listing {
        let mut listing = Listing::default();
        let root = match self.root.try_clone() {
            Ok(root) => root,
            Err(error) => {
                listing
                    .problems
                    .push(FolderError::Unreadable(PathBuf::new(), error));
                return listing;
            }
        };
        let mut stack = Vec::new();
        match entries(&root) {
            Ok(pending) => stack.push(Frame {
                dir: root,
                path: PathBuf::new(),
                pending,
            }),
            Err(error) => listing
                .problems
                .push(FolderError::Unreadable(PathBuf::new(), error)),
        }
        while let Some(frame) = stack.last_mut() {
            let Some((name, kind)) = frame.pending.pop() else {
                stack.pop();
                continue;
            };
            let path = frame.path.join(&name);
            if kind.is_symlink() {
                listing.problems.push(FolderError::Link(path));
            } else if kind.is_dir() {
                let opened = frame
                    .dir
                    .open_dir_nofollow(&name)
                    .map_err(|error| refusal(&frame.dir, &name, &path, error))
                    .and_then(|dir| {
                        let pending = entries(&dir)
                            .map_err(|error| FolderError::Unreadable(path.clone(), error))?;
                        Ok((dir, pending))
                    });
                match opened {
                    Ok((dir, pending)) => stack.push(Frame { dir, path, pending }),
                    Err(problem) => listing.problems.push(problem),
                }
            } else if kind.is_file() && path.extension().is_some_and(|ext| ext == "md") {
                listing.markdown.push(path);
            }
        }
        listing
    }

    /// Reads the regular file at `relative`, opening each folder on the way and the file itself
    /// without following a link, and a named pipe without waiting for a writer.
    pub fn read(&self, relative: &Path) -> Result<Vec<u8>, FolderError> {
        let outside = || FolderError::Outside(relative.to_owned());
        let mut names = Vec::new();
        for component in relative.components() {
            match component {
                Component::Normal(name) => names.push(name),
                Component::CurDir => {}
                _ => return Err(outside()),
            }
        }
        let (file_name, folders) = names.split_last().ok_or_else(outside)?;
        let mut opened: Option<Dir> = None;
        let mut walked = PathBuf::new();
        for name in folders {
            walked.push(name);
            let parent = opened.as_ref().unwrap_or(&self.root);
            let next = parent
                .open_dir_nofollow(name)
                .map_err(|error| refusal(parent, name, &walked, error))?;
            opened = Some(next);
        }
        let parent = opened.as_ref().unwrap_or(&self.root);
        let mut options = OpenOptions::new();
        options.read(true).follow(FollowSymlinks::No);
        #[cfg(unix)]
        cap_std::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
        let mut file = parent
            .open_with(file_name, &options)
            .map_err(|error| refusal(parent, file_name, relative, error))?;
        let unreadable = |error| FolderError::Unreadable(relative.to_owned(), error);
        if !file.metadata().map_err(unreadable)?.is_file() {
            return Err(FolderError::NotAFile(relative.to_owned()));
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(unreadable)?;
        Ok(bytes)
    }
}

/// The entries of `dir`, sorted by name, last first (popped in order).
fn entries(dir: &Dir) -> io::Result<Vec<(OsString, FileType)>> {
    let mut entries = Vec::new();
    for entry in dir.entries()? {
        let entry = entry?;
        // The entry's own type: a link is a link here, not what it points to.
        entries.push((entry.file_name(), entry.file_type()?));
    }
    entries.sort_by(|a, b| b.0.cmp(&a.0));
    Ok(entries)
}

/// Why opening `name` in `parent` failed: a link there (the open refused it; looking again only
/// names the reason), or whatever the system said.
fn refusal(parent: &Dir, name: &std::ffi::OsStr, path: &Path, error: io::Error) -> FolderError {
    let is_link = parent
        .symlink_metadata(name)
        .is_ok_and(|metadata| metadata.file_type().is_symlink());
    if is_link {
        FolderError::Link(path.to_owned())
    } else {
        FolderError::Unreadable(path.to_owned(), error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_link_anywhere_on_the_way_is_refused_at_the_open() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("geheim.pdf"), "geheim").unwrap();
        let folder = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(folder.path().join("a/b")).unwrap();
        std::fs::write(folder.path().join("a/b/echt.pdf"), "echt").unwrap();
        std::os::unix::fs::symlink(outside.path(), folder.path().join("a/raus")).unwrap();
        std::os::unix::fs::symlink("b", folder.path().join("a/innen")).unwrap();
        std::os::unix::fs::symlink("b/echt.pdf", folder.path().join("a/datei.pdf")).unwrap();
        let content = ContentFolder::open(folder.path()).unwrap();
        assert_eq!(
            content.read(Path::new("a/b/echt.pdf")).unwrap(),
            b"echt",
            "a plain path reads"
        );
        assert_eq!(
            content.read(Path::new("./a/b/./echt.pdf")).unwrap(),
            b"echt",
            "`.` is no step"
        );
        for (path, at) in [
            ("a/raus/geheim.pdf", "a/raus"),
            ("a/innen/echt.pdf", "a/innen"),
            ("a/datei.pdf", "a/datei.pdf"),
        ] {
            match content.read(Path::new(path)) {
                Err(FolderError::Link(link)) => {
                    assert_eq!(link, Path::new(at), "{path}: the link is named")
                }
                other => panic!("{path}: a link must be refused, got {other:?}"),
            }
        }
        for path in ["../x.pdf", "/etc/passwd", "", "a/../a/b/echt.pdf"] {
            assert!(
                matches!(content.read(Path::new(path)), Err(FolderError::Outside(_))),
                "{path}: only plain relative paths"
            );
        }
        let listing = content.list();
        let links: Vec<_> = listing
            .problems
            .iter()
            .map(|problem| problem.path().to_owned())
            .collect();
        assert_eq!(
            links,
            ["a/datei.pdf", "a/innen", "a/raus"].map(PathBuf::from),
            "the walk names every link in name order and does not enter one"
        );
    }

    #[test]
    fn the_walk_finds_markdown_depth_first_in_name_order() {
        let folder = tempfile::tempdir().unwrap();
        for path in ["b.md", "a/z.md", "a/c/d.md", "a/bild.png", "c.txt", "0.md"] {
            let path = folder.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let listing = ContentFolder::open(folder.path()).unwrap().list();
        assert!(listing.problems.is_empty(), "{:?}", listing.problems);
        assert_eq!(
            listing.markdown,
            ["0.md", "a/c/d.md", "a/z.md", "b.md"].map(PathBuf::from),
            "the order walkdir gave before: a folder's files where its name sorts"
        );
    }
}
