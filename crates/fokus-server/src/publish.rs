//! Publishing editorial content: a folder of Markdown files with TOML front matter plus the media
//! they name becomes one revision. All or nothing: any problem in any file refuses the whole
//! folder and writes nothing.
//!
//! A file looks like this (keys are German, as the Sozialplanung writes them):
//!
//! ```text
//! +++
//! art = "newsletter"          # kapitel | empfehlung | newsletter | dokument | video
//! titel = "Newsletter 4/2025"
//! datum = 2025-12-15
//! zusammenfassung = "Neue Zahlen zur Pflege"
//! jahr = 2025
//! quartal = 4
//! +++
//! Markdown text …
//! ```
//!
//! The id of an item is its path in the folder without `.md`; media paths are relative to the
//! Markdown file and must stay inside the folder.

use std::collections::HashMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use fokus_model::content::{
    ContentDetails, ContentItem, MediaRef, MediaRole, RecommendationStatus, StatusChange,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// One problem in one file. `line` counts from 1 in the Markdown file, where known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishProblem {
    pub file: String,
    pub line: Option<usize>,
    pub reason: String,
}

impl fmt::Display for PublishProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(formatter, "{}, Zeile {line}: {}", self.file, self.reason),
            None => write!(formatter, "{}: {}", self.file, self.reason),
        }
    }
}

/// Why a folder was refused: every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishError {
    pub problems: Vec<PublishProblem>,
}

impl fmt::Display for PublishError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            formatter,
            "Veröffentlichung abgelehnt, nichts wurde geändert ({} Problem{}):",
            self.problems.len(),
            if self.problems.len() == 1 { "" } else { "e" }
        )?;
        for problem in &self.problems {
            writeln!(formatter, "  {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PublishError {}

/// A media file to store as a blob before the revision is committed.
#[derive(Debug, Clone)]
pub struct MediaFile {
    pub source: PathBuf,
    pub media: MediaRef,
}

/// A checked content folder, ready to commit.
#[derive(Debug, Clone, Default)]
pub struct Publication {
    pub items: Vec<ContentItem>,
    pub media: Vec<MediaFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    art: String,
    titel: String,
    datum: toml::value::Datetime,
    #[serde(default)]
    zusammenfassung: String,
    jahr: Option<u16>,
    kapitel: Option<u16>,
    quartal: Option<u8>,
    handlungsfeld: Option<String>,
    #[serde(default)]
    status: Vec<StatusEntry>,
    kategorie: Option<String>,
    #[serde(default)]
    dateien: Vec<String>,
    video: Option<String>,
    untertitel: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusEntry {
    datum: toml::value::Datetime,
    stand: String,
    #[serde(default)]
    notiz: String,
}

/// Splits `+++ … +++` front matter from the body.
fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Some((front, body));
        }
        offset += line.len();
    }
    None
}

/// Markdown to HTML, then through the shared sanitiser (`fokus_store::html`, which every app
/// applies again to what it receives): authors write Markdown, and whatever
/// HTML they paste cannot run script in the app.
pub fn render_markdown(markdown: &str) -> String {
    use pulldown_cmark::{Options, Parser};
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, options));
    fokus_store::html::sanitize(&html)
}

fn iso_date(value: &toml::value::Datetime) -> Option<String> {
    match (value.date, value.time) {
        (Some(date), None) => Some(date.to_string()),
        _ => None,
    }
}

/// Collects the problems of one file while it is read.
struct FileCheck<'a> {
    file: &'a str,
    /// The front matter's text, to find the line a key is on.
    front: &'a str,
    problems: &'a mut Vec<PublishProblem>,
}

impl FileCheck<'_> {
    /// The file line of the `n`-th `key = …` (or `[[key]]`) in the front matter, which starts
    /// on line 2; line 1 (the opening `+++`) when there is none.
    fn line_of_nth(&self, key: &str, n: usize) -> Option<usize> {
        let found = self
            .front
            .lines()
            .enumerate()
            .filter(|(_, line)| {
                let line = line.trim_start();
                line.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
                    || line.starts_with(&format!("[[{key}]]"))
            })
            .nth(n);
        Some(found.map_or(1, |(index, _)| index + 2))
    }

    fn line_of(&self, key: &str) -> Option<usize> {
        self.line_of_nth(key, 0)
    }

    fn report_at(&mut self, key: &str, reason: impl Into<String>) {
        let line = self.line_of(key);
        self.report(line, reason);
    }

    fn report(&mut self, line: Option<usize>, reason: impl Into<String>) {
        self.problems.push(PublishProblem {
            file: self.file.to_owned(),
            line,
            reason: reason.into(),
        });
    }

    fn require<T: Clone>(&mut self, value: &Option<T>, key: &str, kind: &str) -> Option<T> {
        if value.is_none() {
            self.report(
                Some(1),
                format!("`{key}` fehlt (nötig für art = \"{kind}\")"),
            );
        }
        value.clone()
    }
}

/// Reads and checks every Markdown file under `dir`. Hashes every media file it names.
pub fn read_content_dir(dir: &Path) -> Result<Publication, PublishError> {
    let mut problems = Vec::new();
    let mut publication = Publication::default();
    let mut markdown_files: Vec<PathBuf> = Vec::new();
    if !dir.is_dir() {
        problems.push(PublishProblem {
            file: dir.display().to_string(),
            line: None,
            reason: "ist kein Ordner".into(),
        });
        return Err(PublishError { problems });
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        match entry {
            // A link could point anywhere on the server (`liste.csv -> /etc/fokus/admin-token`)
            // and publish it: content lives in the folder itself.
            Ok(entry) if entry.path_is_symlink() => problems.push(PublishProblem {
                file: entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap_or(entry.path())
                    .display()
                    .to_string(),
                line: None,
                reason: "ist ein symbolischer Link; Beiträge und Dateien müssen im Inhaltsordner selbst liegen".into(),
            }),
            Ok(entry)
                if entry.file_type().is_file()
                    && entry.path().extension().is_some_and(|ext| ext == "md") =>
            {
                markdown_files.push(entry.into_path());
            }
            Ok(_) => {}
            Err(error) => problems.push(PublishProblem {
                file: error.path().map_or_else(
                    || dir.display().to_string(),
                    |path| path.display().to_string(),
                ),
                line: None,
                reason: format!("nicht lesbar: {error}"),
            }),
        }
    }
    if markdown_files.is_empty() && problems.is_empty() {
        problems.push(PublishProblem {
            file: dir.display().to_string(),
            line: None,
            reason: "enthält keine Markdown-Datei (*.md); ein leerer Ordner würde alle Inhalte zurückziehen".into(),
        });
    }
    let mut hashed: HashMap<PathBuf, MediaRef> = HashMap::new();
    for path in &markdown_files {
        let relative = path.strip_prefix(dir).unwrap_or(path);
        let file = relative.to_string_lossy().replace('\\', "/");
        let id = file.trim_end_matches(".md").to_owned();
        if let Some(item) = read_item(dir, path, &file, id, &mut problems, &mut hashed) {
            publication.items.push(item);
        }
    }
    if !problems.is_empty() {
        return Err(PublishError { problems });
    }
    let mut media: Vec<MediaFile> = hashed
        .into_iter()
        .map(|(source, media)| MediaFile { source, media })
        .collect();
    media.sort_by(|a, b| a.media.sha256.cmp(&b.media.sha256));
    media.dedup_by(|a, b| a.media.sha256 == b.media.sha256);
    publication.media = media;
    Ok(publication)
}

fn read_item(
    dir: &Path,
    path: &Path,
    file: &str,
    id: String,
    problems: &mut Vec<PublishProblem>,
    hashed: &mut HashMap<PathBuf, MediaRef>,
) -> Option<ContentItem> {
    let check = &mut FileCheck {
        file,
        front: "",
        problems,
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            check.report(None, format!("nicht lesbar: {error}"));
            return None;
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        check.report(None, "ist kein UTF-8-Text; bitte als UTF-8 speichern");
        return None;
    };
    let Some((front, body)) = split_front_matter(&text) else {
        check.report(
            Some(1),
            "Kopfbereich fehlt: die Datei muss mit einer Zeile `+++` beginnen, und eine zweite `+++` beendet ihn",
        );
        return None;
    };
    check.front = front;
    let front_matter: FrontMatter = match toml::from_str(front) {
        Ok(front_matter) => front_matter,
        Err(error) => {
            let line = error
                .span()
                .map(|span| 2 + front[..span.start.min(front.len())].matches('\n').count());
            check.report(
                line,
                format!("Kopfbereich ungültig: {}", error.message().trim()),
            );
            return None;
        }
    };
    let Some(date) = iso_date(&front_matter.datum) else {
        check.report_at(
            "datum",
            "`datum` muss ein Datum ohne Uhrzeit sein, z. B. datum = 2025-12-15",
        );
        return None;
    };
    let kind = front_matter.art.as_str();
    let details = details_of(&front_matter, check)?;
    // Keys of other kinds are mistakes that would silently vanish otherwise.
    let allowed: &[&str] = match kind {
        "kapitel" => &["jahr", "kapitel"],
        "empfehlung" => &["jahr", "handlungsfeld", "status"],
        "newsletter" => &["jahr", "quartal"],
        "dokument" => &["kategorie", "dateien"],
        _ => &["video", "untertitel"],
    };
    let present = [
        ("jahr", front_matter.jahr.is_some()),
        ("kapitel", front_matter.kapitel.is_some()),
        ("quartal", front_matter.quartal.is_some()),
        ("handlungsfeld", front_matter.handlungsfeld.is_some()),
        ("status", !front_matter.status.is_empty()),
        ("kategorie", front_matter.kategorie.is_some()),
        ("dateien", !front_matter.dateien.is_empty()),
        ("video", front_matter.video.is_some()),
        ("untertitel", front_matter.untertitel.is_some()),
    ];
    for (key, _) in present
        .iter()
        .filter(|(key, is_present)| *is_present && !allowed.contains(key))
    {
        check.report_at(key, format!("`{key}` gehört nicht zu art = \"{kind}\""));
    }
    let mut media = Vec::new();
    let base = path.parent().unwrap_or(dir);
    let named: Vec<(MediaRole, &String)> = front_matter
        .dateien
        .iter()
        .map(|name| (MediaRole::File, name))
        .chain(
            front_matter
                .video
                .iter()
                .map(|name| (MediaRole::Video, name)),
        )
        .chain(
            front_matter
                .untertitel
                .iter()
                .map(|name| (MediaRole::Captions, name)),
        )
        .collect();
    for (role, name) in named {
        if let Some(reference) = media_ref(dir, base, name, role, check, hashed) {
            media.push(reference);
        }
    }
    if front_matter.titel.trim().is_empty() {
        check.report_at("titel", "`titel` ist leer");
    }
    Some(ContentItem {
        id,
        title: front_matter.titel.trim().to_owned(),
        date,
        summary: front_matter.zusammenfassung.trim().to_owned(),
        body_html: render_markdown(body),
        details,
        media,
    })
}

fn details_of(front: &FrontMatter, check: &mut FileCheck<'_>) -> Option<ContentDetails> {
    let kind = front.art.as_str();
    match kind {
        "kapitel" => {
            let year = check.require(&front.jahr, "jahr", kind);
            let chapter = check.require(&front.kapitel, "kapitel", kind);
            Some(ContentDetails::Kapitel {
                year: year?,
                chapter: chapter?,
            })
        }
        "newsletter" => {
            let year = check.require(&front.jahr, "jahr", kind);
            let quarter = check.require(&front.quartal, "quartal", kind);
            if quarter.is_some_and(|quarter| !(1..=4).contains(&quarter)) {
                check.report_at("quartal", "`quartal` muss 1, 2, 3 oder 4 sein");
                return None;
            }
            Some(ContentDetails::Newsletter {
                year: year?,
                quarter: quarter?,
            })
        }
        "empfehlung" => {
            let year = check.require(&front.jahr, "jahr", kind);
            let field = check.require(&front.handlungsfeld, "handlungsfeld", kind);
            if front.status.is_empty() {
                check.report(
                    Some(1),
                    "mindestens ein [[status]] mit datum und stand fehlt (stand: offen, in_umsetzung, umgesetzt, zurueckgestellt)",
                );
                return None;
            }
            let mut history = Vec::with_capacity(front.status.len());
            for (entry_idx, entry) in front.status.iter().enumerate() {
                let Some(status) = RecommendationStatus::parse(&entry.stand) else {
                    let line = check.line_of_nth("stand", entry_idx);
                    check.report(
                        line,
                        format!(
                            "unbekannter stand `{}`; erlaubt: offen, in_umsetzung, umgesetzt, zurueckgestellt",
                            entry.stand
                        ),
                    );
                    return None;
                };
                let Some(date) = iso_date(&entry.datum) else {
                    let line = check.line_of_nth("status", entry_idx);
                    check.report(line, "`datum` eines [[status]] muss ein Datum sein");
                    return None;
                };
                if history
                    .last()
                    .is_some_and(|previous: &StatusChange| previous.date > date)
                {
                    let line = check.line_of_nth("status", entry_idx);
                    check.report(
                        line,
                        format!("[[status]] vom {date} steht nach einem späteren; bitte zeitlich ordnen"),
                    );
                    return None;
                }
                history.push(StatusChange {
                    date,
                    status,
                    note: entry.notiz.trim().to_owned(),
                });
            }
            Some(ContentDetails::Empfehlung {
                handlungsfeld: field?,
                year: year?,
                history,
            })
        }
        "dokument" => {
            let category = check.require(&front.kategorie, "kategorie", kind);
            if front.dateien.is_empty() {
                check.report(
                    Some(1),
                    "`dateien` fehlt: ein Dokument braucht mindestens eine Datei",
                );
                return None;
            }
            Some(ContentDetails::Dokument {
                category: category?,
            })
        }
        "video" => {
            let video = check.require(&front.video, "video", kind);
            // Captions are not optional: BITV 2.0 / WCAG 1.2.2 require them for recorded video.
            let captions = check.require(&front.untertitel, "untertitel", kind);
            video?;
            captions?;
            Some(ContentDetails::Video)
        }
        other => {
            check.report_at(
                "art",
                format!("unbekannte art `{other}`; erlaubt: kapitel, empfehlung, newsletter, dokument, video"),
            );
            None
        }
    }
}

fn media_ref(
    dir: &Path,
    base: &Path,
    name: &str,
    role: MediaRole,
    check: &mut FileCheck<'_>,
    hashed: &mut HashMap<PathBuf, MediaRef>,
) -> Option<MediaRef> {
    let key = match role {
        MediaRole::File => "dateien",
        MediaRole::Video => "video",
        MediaRole::Captions => "untertitel",
    };
    let relative = Path::new(name);
    let escapes = relative.is_absolute()
        || relative
            .components()
            .any(|component| matches!(component, Component::ParentDir | Component::Prefix(_)));
    if escapes {
        check.report_at(
            key,
            format!("`{name}`: Pfade müssen innerhalb des Inhaltsordners bleiben (kein `..`, kein absoluter Pfad)"),
        );
        return None;
    }
    let path = base.join(relative);
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .unwrap_or_default();
    let Some(kind) = fokus_model::content::media_type_by_extension(extension) else {
        check.report_at(
            key,
            format!(
                "`{name}`: Dateityp nicht erlaubt; erlaubt: {}",
                fokus_model::content::allowed_extensions()
            ),
        );
        return None;
    };
    if !kind.fits(role) {
        check.report_at(
            key,
            format!(
                "`{name}`: passt nicht als {}",
                match role {
                    MediaRole::Video => "Video (webm oder mp4)",
                    MediaRole::Captions => "Untertitel (WebVTT, .vtt)",
                    MediaRole::File => "Datei",
                }
            ),
        );
        return None;
    }
    let mime = kind.mime;
    if let Some(known) = hashed.get(&path) {
        return Some(MediaRef {
            role,
            ..known.clone()
        });
    }
    let bytes = match read_no_follow(&path) {
        Ok(bytes) => bytes,
        Err(error) => {
            let shown = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .display()
                .to_string();
            check.report_at(key, format!("`{name}` nicht lesbar ({shown}): {error}"));
            return None;
        }
    };
    if role == MediaRole::Captions
        && !bytes.starts_with(b"WEBVTT")
        && !bytes.starts_with("\u{feff}WEBVTT".as_bytes())
    {
        check.report_at(
            key,
            format!("`{name}`: keine WebVTT-Datei (erste Zeile muss `WEBVTT` sein)"),
        );
        return None;
    }
    let reference = MediaRef {
        role,
        name: relative.file_name().map_or_else(
            || name.to_owned(),
            |file| file.to_string_lossy().into_owned(),
        ),
        mime: mime.to_owned(),
        sha256: hex_sha256(&bytes),
        size: bytes.len() as u64,
    };
    if let Err(problem) = reference.check() {
        check.report_at(key, problem);
        return None;
    }
    hashed.insert(path, reference.clone());
    Some(reference)
}

/// Reads a file without following a symbolic link in its last component (the folder walk
/// refuses links before; this closes the gap of a link put in place in between).
pub fn read_no_follow(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "symbolischer Link",
        ));
    }
    let mut bytes = Vec::new();
    options.open(path)?.read_to_end(&mut bytes)?;
    Ok(bytes)
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Content-addressed media files on the server's disk: `<dir>/<sha256>`. Written before the
/// revision that names them commits; a file no revision names is harmless.
#[derive(Debug, Clone)]
pub struct BlobDir {
    dir: PathBuf,
}

impl BlobDir {
    pub fn new(dir: PathBuf) -> BlobDir {
        BlobDir { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path_of(&self, sha256: &str) -> PathBuf {
        self.dir.join(sha256)
    }

    /// Copies `source` in unless present; checks the bytes against `sha256` on the way, so a
    /// file changed between hashing and copying is refused rather than stored under a wrong name.
    pub fn store(&self, source: &Path, sha256: &str) -> anyhow::Result<()> {
        use anyhow::Context;
        let target = self.path_of(sha256);
        if target.exists() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("creating {}", self.dir.display()))?;
        let bytes =
            read_no_follow(source).with_context(|| format!("reading {}", source.display()))?;
        anyhow::ensure!(
            hex_sha256(&bytes) == sha256,
            "{} changed while publishing; please publish again",
            source.display()
        );
        let temporary = self.dir.join(format!(".{sha256}.partial"));
        std::fs::write(&temporary, &bytes)
            .with_context(|| format!("writing {}", temporary.display()))?;
        std::fs::rename(&temporary, &target)
            .with_context(|| format!("moving {} into place", target.display()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_split_with_body_line() {
        let (front, body) =
            split_front_matter("+++\ntitel = \"A\"\nart = \"x\"\n+++\nText\n").unwrap();
        assert_eq!(front, "titel = \"A\"\nart = \"x\"\n", "between the fences");
        assert_eq!(body, "Text\n", "after the closing fence");
        assert!(
            split_front_matter("titel = \"A\"\n").is_none(),
            "no fence, no front matter"
        );
    }

    #[test]
    fn markdown_is_rendered_and_script_removed() {
        let html = render_markdown(
            "# Titel\n\n*wichtig* <script>alert(1)</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        assert!(html.contains("<h1>Titel</h1>"), "headings render: {html}");
        assert!(
            html.contains("<em>wichtig</em>"),
            "emphasis renders: {html}"
        );
        assert!(html.contains("<table>"), "tables are enabled: {html}");
        assert!(!html.contains("script"), "script is stripped: {html}");
    }
}
