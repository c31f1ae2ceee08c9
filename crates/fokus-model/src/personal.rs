//! What belongs to the person using the app, not to the county: bookmarks and notes on views,
//! Sitzungsmappen (folders of views for a meeting), which news they have read, and how the app
//! looks for them (theme, text size). Kept on the device only (in the app a file beside the
//! cache, in a browser its local storage), never sent anywhere, and untouched by any sync.
//!
//! A Sitzungsmappe travels as Markdown ([`Folder::to_markdown`], [`Folder::from_markdown`]), so
//! a staff member can prepare one and mail it to the members; everything together travels as one
//! JSON file ([`Personal`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Revision;

/// The version of the stored and exported form.
pub const FORMAT: u32 = 1;
/// The text sizes offered, in percent of the user's own setting.
pub const TEXT_SIZES: [u16; 5] = [100, 125, 150, 175, 200];
/// The notes a person can keep; far beyond what anyone writes by hand, small enough that the
/// file stays quick to load and save.
pub const MAX_NOTES: usize = 2000;
pub const MAX_FOLDERS: usize = 200;
pub const MAX_FOLDER_ITEMS: usize = 100;
/// Characters of one note's text.
pub const MAX_NOTE_CHARS: usize = 20_000;

/// Everything personal, stored and exported as one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Personal {
    #[serde(default = "format")]
    pub format: u32,
    #[serde(default)]
    pub notes: Vec<Note>,
    #[serde(default)]
    pub folders: Vec<Folder>,
    /// News marked read: the key of a changed thing ([`Subject::key`]) and the revision it was
    /// read at.
    #[serde(default)]
    pub read: BTreeMap<String, Revision>,
    /// News from before this revision counts as read ("Alle als gelesen markieren", and the
    /// first start, so a new installation does not call all data new).
    #[serde(default)]
    pub read_until: Option<Revision>,
    #[serde(default)]
    pub display: Display,
}

fn format() -> u32 {
    FORMAT
}

impl Default for Personal {
    fn default() -> Personal {
        Personal {
            format: FORMAT,
            notes: Vec::new(),
            folders: Vec::new(),
            read: BTreeMap::new(),
            read_until: None,
            display: Display::default(),
        }
    }
}

/// A bookmark, with a note if the text is not empty. One per view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// The router path of the view (`/sozialbericht?kennzahl=…`, `/fokusbericht#…`).
    pub path: String,
    /// What the view showed, in words ("SGB-II-Quote 2024, Karte").
    pub title: String,
    #[serde(default)]
    pub text: String,
    /// The data the view shows, to tell later whether they changed.
    #[serde(default)]
    pub subject: Option<Subject>,
    /// [`SubjectDigest`] of the subject when the note was written or last saved.
    #[serde(default)]
    pub digest: String,
    /// The cache's revision when the note was saved.
    #[serde(default)]
    pub revision: Revision,
    /// Unix seconds of the last change.
    #[serde(default)]
    pub saved_at: i64,
}

/// The data a view shows, as far as a note needs to know whether it changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Subject {
    /// Every value of one indicator (an explorer view).
    Indicator(String),
    /// Every value of one area (a Gebietsprofil).
    Area(String),
    /// One content item (a chapter, a recommendation, a newsletter).
    Content(String),
}

impl Subject {
    /// A stable text key, used for read marks and in queries.
    pub fn key(&self) -> String {
        match self {
            Subject::Indicator(id) => format!("kennzahl:{id}"),
            Subject::Area(id) => format!("gebiet:{id}"),
            Subject::Content(id) => format!("inhalt:{id}"),
        }
    }

    /// Reads a [`Subject::key`].
    pub fn parse(key: &str) -> Option<Subject> {
        let (kind, id) = key.split_once(':')?;
        // Keys travel in a `,`-separated list: no `,` or `:` in the id.
        if id.is_empty() || id.chars().count() > 200 || id.contains([',', ':']) {
            return None;
        }
        let id = id.to_owned();
        match kind {
            "kennzahl" => Some(Subject::Indicator(id)),
            "gebiet" => Some(Subject::Area(id)),
            "inhalt" => Some(Subject::Content(id)),
            _ => None,
        }
    }
}

/// A named, ordered folder of views for one meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Folder {
    pub id: String,
    pub name: String,
    /// The meeting's committee ("Sozialausschuss"); may be empty.
    #[serde(default)]
    pub committee: String,
    /// The meeting's date, `YYYY-MM-DD`; may be empty.
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub items: Vec<FolderItem>,
}

/// One view in a folder, with what to say about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderItem {
    pub path: String,
    pub title: String,
    #[serde(default)]
    pub note: String,
}

/// Light, dark, or as the system says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    pub fn label_de(self) -> &'static str {
        match self {
            Theme::System => "Wie das System",
            Theme::Light => "Hell",
            Theme::Dark => "Dunkel",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "hell",
            Theme::Dark => "dunkel",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Display {
    #[serde(default)]
    pub theme: Theme,
    /// Percent of the user's own font size, one of [`TEXT_SIZES`].
    #[serde(default = "full_size")]
    pub text_size: u16,
}

fn full_size() -> u16 {
    100
}

impl Default for Display {
    fn default() -> Display {
        Display {
            theme: Theme::System,
            text_size: 100,
        }
    }
}

/// The digest of a subject's data now, asked for many subjects at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SubjectDigest {
    pub subject: Subject,
    /// Hex digest over the subject's rows as the cache holds them; empty when it holds none.
    pub digest: String,
}

impl Personal {
    /// The note on a view, if any.
    pub fn note(&self, path: &str) -> Option<&Note> {
        self.notes.iter().find(|note| note.path == path)
    }

    /// Adds or replaces the note on its view.
    pub fn save_note(&mut self, note: Note) -> Result<(), String> {
        let note = note.cleaned();
        let full = self.notes.len() >= MAX_NOTES;
        match self.notes.iter_mut().find(|old| old.path == note.path) {
            Some(old) => *old = note,
            None if full => {
                return Err(format!(
                    "Mehr als {MAX_NOTES} Merkzettel sind nicht möglich. Bitte löschen Sie alte."
                ))
            }
            None => self.notes.push(note),
        }
        Ok(())
    }

    pub fn remove_note(&mut self, path: &str) {
        self.notes.retain(|note| note.path != path);
    }

    /// Whether news about `subject`, changed at `revision`, is still unread.
    pub fn unread(&self, subject: &Subject, revision: Revision) -> bool {
        let read_at = self.read.get(&subject.key()).copied().unwrap_or(0);
        revision > self.read_until.unwrap_or(0).max(read_at)
    }

    pub fn mark_read(&mut self, subject: &Subject, revision: Revision) {
        self.read.insert(subject.key(), revision);
    }

    /// Everything read up to `revision`; older single marks are no longer needed.
    pub fn mark_all_read(&mut self, revision: Revision) {
        self.read_until = Some(revision);
        self.read.retain(|_, read_at| *read_at > revision);
    }

    /// A folder's position by id.
    pub fn folder_index(&self, id: &str) -> Option<usize> {
        self.folders.iter().position(|folder| folder.id == id)
    }

    /// Adds a folder under a fresh id (its name made unique among the ids) and returns the id.
    pub fn add_folder(&mut self, mut folder: Folder) -> Result<String, String> {
        if self.folders.len() >= MAX_FOLDERS {
            return Err(format!(
                "Mehr als {MAX_FOLDERS} Sitzungsmappen sind nicht möglich."
            ));
        }
        folder = folder.cleaned();
        let stem = slug(&folder.name);
        let mut id = stem.clone();
        let mut counter = 2;
        while self.folder_index(&id).is_some() {
            id = format!("{stem}-{counter}");
            counter += 1;
        }
        folder.id = id.clone();
        self.folders.push(folder);
        Ok(id)
    }

    /// A stored or imported document made safe to use: the format checked, the limits kept,
    /// texts cleaned, paths the app cannot open dropped. (Parsing is the caller's: this crate
    /// knows no JSON parser.)
    pub fn checked(mut self) -> Result<Personal, String> {
        if self.format > FORMAT {
            return Err(format!(
                "Diese Datei stammt aus einer neueren Version der App (Format {}). Bitte aktualisieren Sie die App.",
                self.format
            ));
        }
        if self.notes.len() > MAX_NOTES {
            return Err(format!(
                "Die Datei enthält mehr als {MAX_NOTES} Merkzettel."
            ));
        }
        if self.folders.len() > MAX_FOLDERS {
            return Err(format!(
                "Die Datei enthält mehr als {MAX_FOLDERS} Sitzungsmappen."
            ));
        }
        self.format = FORMAT;
        self.notes = self
            .notes
            .into_iter()
            .map(Note::cleaned)
            .filter(|note| crate::ipc::is_app_path(&note.path))
            .collect();
        self.folders = self.folders.into_iter().map(Folder::cleaned).collect();
        if !TEXT_SIZES.contains(&self.display.text_size) {
            self.display.text_size = 100;
        }
        Ok(self)
    }

    /// Takes over notes and folders from an imported file: notes replace those on the same view,
    /// folders come in beside the existing ones (renamed if the name exists). Read marks and
    /// display settings stay this device's.
    pub fn merge(&mut self, imported: Personal) -> Result<(), String> {
        for note in imported.notes {
            self.save_note(note)?;
        }
        for folder in imported.folders {
            self.add_folder(folder)?;
        }
        Ok(())
    }
}

impl Note {
    fn cleaned(mut self) -> Note {
        self.title = one_line(&self.title);
        self.text = text_block(&self.text);
        self
    }
}

impl Folder {
    /// A new, empty folder.
    pub fn new(name: &str, committee: &str, date: &str) -> Folder {
        Folder {
            id: String::new(),
            name: name.to_owned(),
            committee: committee.to_owned(),
            date: date.to_owned(),
            items: Vec::new(),
        }
        .cleaned()
    }

    /// Names on one line, dates only when they are dates, notes without trailing blanks, only
    /// views the app can open, at most [`MAX_FOLDER_ITEMS`].
    fn cleaned(mut self) -> Folder {
        self.name = one_line(&self.name);
        if self.name.is_empty() {
            self.name = "Sitzungsmappe".into();
        }
        self.committee = one_line(&self.committee);
        self.date = one_line(&self.date);
        if !is_iso_date(&self.date) {
            self.date.clear();
        }
        self.items = self
            .items
            .into_iter()
            .map(|item| FolderItem {
                title: one_line(&item.title),
                note: text_block(&item.note),
                path: item.path,
            })
            .filter(|item| crate::ipc::is_app_path(&item.path))
            .take(MAX_FOLDER_ITEMS)
            .collect();
        self
    }

    /// Adds a view unless the folder has it already; `false` if it was there or the folder is full.
    pub fn add(&mut self, item: FolderItem) -> bool {
        if self.items.len() >= MAX_FOLDER_ITEMS
            || self.items.iter().any(|old| old.path == item.path)
        {
            return false;
        }
        self.items.push(FolderItem {
            title: one_line(&item.title),
            note: text_block(&item.note),
            path: item.path,
        });
        true
    }

    /// Moves the item at `index` one place up (`-1`) or down (`1`).
    pub fn shift(&mut self, index: usize, by: isize) {
        let Some(target) = index.checked_add_signed(by) else {
            return;
        };
        if index < self.items.len() && target < self.items.len() {
            self.items.swap(index, target);
        }
    }

    /// The folder as Markdown: a heading with the name, committee and date, then one section per
    /// view with its title, its `fokus://` link and the note. Lines of a note that Markdown would
    /// read as a heading are escaped, so [`Folder::from_markdown`] gets the same folder back.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# Sitzungsmappe: {}\n\n", self.name);
        if !self.committee.is_empty() {
            out.push_str(&format!("- Gremium: {}\n", self.committee));
        }
        if !self.date.is_empty() {
            out.push_str(&format!("- Datum: {}\n", self.date));
        }
        out.push_str(&format!("- Format: FOKUS-Sitzungsmappe {FORMAT}\n"));
        for (index, item) in self.items.iter().enumerate() {
            out.push_str(&format!("\n## {}. {}\n\n", index + 1, item.title));
            out.push_str(&format!("<{}>\n", app_link(&item.path)));
            if !item.note.is_empty() {
                out.push('\n');
                for line in item.note.lines() {
                    if line.starts_with('#') || line.starts_with('\\') || line.starts_with('<') {
                        out.push('\\');
                    }
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out
    }

    /// Reads a folder written by [`Folder::to_markdown`] (or by hand in that form). A view whose
    /// link the app cannot open is an error naming its line, so nothing half-read is imported.
    pub fn from_markdown(text: &str) -> Result<Folder, String> {
        let mut folder = Folder::new("", "", "");
        let mut named = false;
        let mut item: Option<(usize, FolderItem, bool)> = None;
        let mut items = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let number = number + 1;
            let trimmed = line.trim_end();
            if let Some(name) = trimmed.strip_prefix("# ") {
                if named {
                    return Err(format!("Zeile {number}: eine zweite Überschrift erster Ebene; eine Datei enthält eine Sitzungsmappe."));
                }
                let name = name.trim();
                folder.name = name
                    .strip_prefix("Sitzungsmappe:")
                    .unwrap_or(name)
                    .trim()
                    .to_owned();
                named = true;
                continue;
            }
            if let Some(heading) = trimmed.strip_prefix("## ") {
                if let Some(done) = item.take() {
                    items.push(finish_item(done)?);
                }
                // "3. Titel": the position the export wrote, then the title (maybe empty).
                let heading = heading.trim();
                let digits = heading.len()
                    - heading
                        .trim_start_matches(|c: char| c.is_ascii_digit())
                        .len();
                let title = match heading[digits..].strip_prefix('.') {
                    Some(rest) if digits > 0 && (rest.is_empty() || rest.starts_with(' ')) => {
                        rest.trim()
                    }
                    _ => heading,
                };
                item = Some((
                    number,
                    FolderItem {
                        path: String::new(),
                        title: title.to_owned(),
                        note: String::new(),
                    },
                    false,
                ));
                continue;
            }
            match &mut item {
                None => {
                    if !named && !trimmed.is_empty() {
                        return Err(format!("Zeile {number}: Die Datei beginnt nicht mit „# Sitzungsmappe: …“. Ist das eine exportierte Sitzungsmappe?"));
                    }
                    if let Some(committee) = trimmed.strip_prefix("- Gremium:") {
                        folder.committee = committee.trim().to_owned();
                    } else if let Some(date) = trimmed.strip_prefix("- Datum:") {
                        let date = date.trim();
                        if !is_iso_date(date) {
                            return Err(format!(
                                "Zeile {number}: „{date}“ ist kein Datum der Form 2026-03-12."
                            ));
                        }
                        folder.date = date.to_owned();
                    }
                }
                Some((heading_line, current, linked)) => {
                    if !*linked {
                        if trimmed.is_empty() {
                            continue;
                        }
                        let link = trimmed
                            .strip_prefix('<')
                            .and_then(|rest| rest.strip_suffix('>'))
                            .ok_or_else(|| format!("Zeile {number}: Nach der Überschrift in Zeile {heading_line} fehlt der Link der Ansicht (<fokus://…>)."))?;
                        current.path = path_of_link(link).ok_or_else(|| {
                            format!("Zeile {number}: „{link}“ ist keine Ansicht dieser App.")
                        })?;
                        *linked = true;
                        continue;
                    }
                    if !current.note.is_empty() || !trimmed.is_empty() {
                        current
                            .note
                            .push_str(trimmed.strip_prefix('\\').unwrap_or(trimmed));
                        current.note.push('\n');
                    }
                }
            }
        }
        if !named {
            return Err(
                "Die Datei enthält keine Sitzungsmappe (keine Zeile „# Sitzungsmappe: …“).".into(),
            );
        }
        if let Some(done) = item.take() {
            items.push(finish_item(done)?);
        }
        if items.len() > MAX_FOLDER_ITEMS {
            return Err(format!(
                "Die Mappe enthält {} Ansichten; mehr als {MAX_FOLDER_ITEMS} sind nicht möglich.",
                items.len()
            ));
        }
        folder.items = items;
        Ok(folder.cleaned())
    }
}

fn finish_item(
    (heading_line, item, linked): (usize, FolderItem, bool),
) -> Result<FolderItem, String> {
    if !linked {
        return Err(format!(
            "Zeile {heading_line}: Der Abschnitt „{}“ hat keinen Link einer Ansicht (<fokus://…>).",
            item.title
        ));
    }
    Ok(item)
}

/// The `fokus://` link of a router path: `/sozialbericht?kennzahl=x` → `fokus://sozialbericht?kennzahl=x`.
pub fn app_link(path: &str) -> String {
    format!("{}://{}", crate::view::SCHEME, path.trim_start_matches('/'))
}

/// The router path of a `fokus://` link, `None` for anything the app cannot open.
pub fn path_of_link(link: &str) -> Option<String> {
    let rest = link.strip_prefix(&format!("{}://", crate::view::SCHEME))?;
    let path = format!("/{rest}");
    crate::ipc::is_app_path(&path).then_some(path)
}

/// One line: line breaks and tabs become spaces, control characters go, ends are trimmed.
fn one_line(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A block of text: lines without trailing blanks or control characters, no blank lines at
/// either end, at most [`MAX_NOTE_CHARS`] characters.
fn text_block(text: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            line.chars()
                .map(|c| if c == '\t' { ' ' } else { c })
                .filter(|c| !c.is_control())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect();
    let start = lines.iter().position(|line| !line.is_empty());
    let end = lines.iter().rposition(|line| !line.is_empty());
    let mut block = match (start, end) {
        (Some(start), Some(end)) => lines[start..=end].join("\n"),
        _ => String::new(),
    };
    if block.chars().count() > MAX_NOTE_CHARS {
        block = block.chars().take(MAX_NOTE_CHARS).collect();
        block = block.trim_end().to_owned();
    }
    block
}

fn is_iso_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(index, byte)| index == 4 || index == 7 || byte.is_ascii_digit())
        && (1..=12).contains(&text[5..7].parse::<u8>().unwrap_or(0))
        && (1..=31).contains(&text[8..10].parse::<u8>().unwrap_or(0))
}

/// An id from a name: lower-case letters and digits, umlauts spelled out, `-` between words.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ if !out.ends_with('-') && !out.is_empty() => out.push('-'),
            _ => {}
        }
    }
    let out = out.trim_end_matches('-');
    let out: String = out.chars().take(40).collect();
    if out.is_empty() {
        "mappe".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample_folder() -> Folder {
        let mut folder = Folder::new("Sozialausschuss März", "Sozialausschuss", "2026-03-12");
        folder.add(FolderItem {
            path: "/sozialbericht?kennzahl=sgb2_quote&jahr=2024".into(),
            title: "SGB-II-Quote 2024, Karte".into(),
            note: "Uetersen liegt über dem Kreis.\n\n# Frage an die Verwaltung\n\\ Rückstrich"
                .into(),
        });
        folder.add(FolderItem {
            path: "/fokusbericht#fokusbericht-2025-01-einleitung".into(),
            title: "Fokusbericht: Einleitung".into(),
            note: String::new(),
        });
        folder.add(FolderItem {
            path: "/gebiet?gebiet=010560015".into(),
            title: "Gebietsprofil Elmshorn".into(),
            note: "<b>kein HTML</b>".into(),
        });
        folder
    }

    #[test]
    fn a_folder_survives_markdown_and_reads_as_a_document() {
        let folder = sample_folder();
        let markdown = folder.to_markdown();
        assert!(
            markdown.starts_with("# Sitzungsmappe: Sozialausschuss März\n\n- Gremium: Sozialausschuss\n- Datum: 2026-03-12\n"),
            "a person reading the mail sees what it is: {markdown}"
        );
        assert!(
            markdown.contains("## 1. SGB-II-Quote 2024, Karte\n\n<fokus://sozialbericht?kennzahl=sgb2_quote&jahr=2024>\n"),
            "each view is a numbered section with its app link: {markdown}"
        );
        assert!(
            markdown.contains("\n\\# Frage an die Verwaltung\n"),
            "a note line that looks like a heading is escaped"
        );
        let mut read = Folder::from_markdown(&markdown).expect("its own export reads back");
        read.id = folder.id.clone();
        assert_eq!(read, folder, "export then import gives the same folder");
    }

    #[test]
    fn a_broken_folder_file_is_refused_with_its_line() {
        let cases: &[(&str, &str)] = &[
            (
                "Hallo\n",
                "Zeile 1: Die Datei beginnt nicht mit „# Sitzungsmappe: …“",
            ),
            ("", "keine Sitzungsmappe"),
            (
                "# Sitzungsmappe: A\n\n## 1. Karte\n\nkein Link\n",
                "Zeile 5: Nach der Überschrift in Zeile 3 fehlt der Link",
            ),
            (
                "# Sitzungsmappe: A\n\n## 1. Karte\n",
                "Zeile 3: Der Abschnitt „Karte“ hat keinen Link",
            ),
            (
                "# Sitzungsmappe: A\n\n## 1. Böse\n\n<https://example.org/>\n",
                "Zeile 5: „https://example.org/“ ist keine Ansicht",
            ),
            (
                "# Sitzungsmappe: A\n\n## 1. Böse\n\n<fokus://../../etc/passwd>\n",
                "ist keine Ansicht",
            ),
            (
                "# Sitzungsmappe: A\n- Datum: 12.03.2026\n",
                "Zeile 2: „12.03.2026“ ist kein Datum",
            ),
            (
                "# Sitzungsmappe: A\n# Sitzungsmappe: B\n",
                "Zeile 2: eine zweite Überschrift",
            ),
        ];
        for (text, expected) in cases {
            let error = Folder::from_markdown(text).expect_err(text);
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn read_marks_follow_the_newest_change() {
        let mut personal = Personal::default();
        let subject = Subject::Indicator("sgb2_quote".into());
        assert!(personal.unread(&subject, 3), "never read: new");
        personal.mark_all_read(5);
        assert!(!personal.unread(&subject, 3), "older than all-read");
        assert!(personal.unread(&subject, 6), "changed after all-read");
        personal.mark_read(&subject, 6);
        assert!(!personal.unread(&subject, 6), "read at its change");
        assert!(personal.unread(&subject, 7), "changed again");
        assert!(
            personal.unread(&Subject::Content("x".into()), 6),
            "a mark is per subject"
        );
        personal.mark_all_read(9);
        assert!(personal.read.is_empty(), "older marks are dropped");
    }

    #[test]
    fn an_import_is_cleaned_and_merged_beside_what_exists() {
        let mut mine = Personal::default();
        mine.add_folder(sample_folder()).unwrap();
        let imported = Personal {
            format: FORMAT,
            notes: vec![Note {
                path: "javascript:alert(1)".into(),
                title: "x".into(),
                text: String::new(),
                subject: None,
                digest: String::new(),
                revision: 0,
                saved_at: 0,
            }],
            folders: vec![sample_folder()],
            read: BTreeMap::new(),
            read_until: Some(99),
            display: Display {
                theme: Theme::Dark,
                text_size: 333,
            },
        }
        .checked()
        .unwrap();
        assert!(
            imported.notes.is_empty(),
            "a path the app cannot open is dropped"
        );
        assert_eq!(
            imported.display.text_size, 100,
            "an impossible size falls back"
        );
        mine.merge(imported).unwrap();
        let ids: Vec<&str> = mine
            .folders
            .iter()
            .map(|folder| folder.id.as_str())
            .collect();
        assert_eq!(
            ids,
            ["sozialausschuss-maerz", "sozialausschuss-maerz-2"],
            "a folder of the same name comes in beside"
        );
        assert_eq!(mine.read_until, None, "read marks stay this device's");
        let newer = Personal {
            format: FORMAT + 1,
            ..Personal::default()
        };
        assert!(newer.checked().unwrap_err().contains("neueren Version"));
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("#".to_owned()),
                Just("\\".to_owned()),
                Just("<".to_owned()),
                Just("\n".to_owned()),
                Just(" ".to_owned()),
                Just("## 2. x".to_owned()),
                Just("- Datum: 2026-01-01".to_owned()),
                "[a-zäöüß]{1,6}",
            ],
            0..12,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn any_folder_round_trips_through_markdown(
            name in text_strategy(),
            committee in text_strategy(),
            items in proptest::collection::vec((text_strategy(), text_strategy(), 0u16..3000), 0..6),
        ) {
            let mut folder = Folder::new(&name, &committee, "2026-11-27");
            for (title, note, number) in items {
                folder.add(FolderItem {
                    path: format!("/sozialbericht?kennzahl=k{number}"),
                    title,
                    note,
                });
            }
            let read = Folder::from_markdown(&folder.to_markdown());
            prop_assert_eq!(read, Ok(folder));
        }
    }
}
