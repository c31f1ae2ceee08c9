//! The workspace's content editor on the wire: every kind of editorial item (chapters,
//! recommendations, newsletters, documents, video) listed with its state, its source as form
//! fields plus Markdown, drafts, the preview as `publish` renders and checks it, publishing,
//! withdrawing, each item's history, media uploads and the export of the content folder.
//!
//! An item's id is its Markdown file's path in the content folder without `.md`
//! (`newsletter/2026-1`). A *version* is the lower-case hex SHA-256 of the published file's
//! bytes: an editor sends back the version it loaded, and the server refuses (409) to publish
//! over a file that changed since, saying who changed it. Drafts live in the workspace's own
//! database, one per item and person, and never reach an app; publishing writes the file into
//! the server's working copy of the content folder and publishes that as one revision.

use serde::{Deserialize, Serialize};

use crate::content::{ContentKind, StatusChange};

/// `GET ?art=kapitel` → every [`ItemSummary`] (published, drafts, withdrawn), by kind and id.
pub const ITEMS: &str = "/api/v1/redaktion/inhalte";
/// `GET /api/v1/redaktion/inhalte/quelle/{id}` → [`ItemSource`]. The id keeps its slashes.
pub const SOURCE: &str = "/api/v1/redaktion/inhalte/quelle/{*id}";
/// `POST` [`NewItem`] → 201 [`ItemSource`]: a new item as the signed-in person's draft,
/// with a template for its kind.
pub const CREATE: &str = "/api/v1/redaktion/inhalte/neu";
/// `PUT /api/v1/redaktion/inhalte/entwurf/{id}` [`DraftSave`] → [`DraftInfo`]: saves the
/// signed-in person's draft (nothing is published); `DELETE` discards it.
pub const DRAFT: &str = "/api/v1/redaktion/inhalte/entwurf/{*id}";
/// `POST` [`PreviewRequest`] → [`Preview`]: the HTML `publish` would produce and every problem
/// it would refuse the item for, with lines. Writes nothing.
pub const PREVIEW: &str = "/api/v1/redaktion/inhalte/vorschau";
/// `POST /api/v1/redaktion/inhalte/veroeffentlichen/{id}` [`PublishRequest`] →
/// [`Published`]: one revision. 409 when the file changed since `version` (the text is kept
/// as the person's draft); 422 with the problems when publish refuses it (kept as a draft too).
pub const PUBLISH: &str = "/api/v1/redaktion/inhalte/veroeffentlichen/{*id}";
/// `POST /api/v1/redaktion/inhalte/zurueckziehen/{id}` [`WithdrawRequest`] → [`Published`]:
/// removes the item from the apps (a tombstone in the feed); its text stays in the history.
pub const WITHDRAW: &str = "/api/v1/redaktion/inhalte/zurueckziehen/{*id}";
/// `GET /api/v1/redaktion/inhalte/verlauf/{id}` → the item's [`HistoryEntry`]s, newest first.
pub const HISTORY: &str = "/api/v1/redaktion/inhalte/verlauf/{*id}";
/// `GET /api/v1/redaktion/inhalte/fassung/{seq}` → one [`HistoryVersion`] with its full text.
pub const VERSION: &str = "/api/v1/redaktion/inhalte/fassung/{seq}";
/// `POST /api/v1/redaktion/inhalte/fassung/{seq}/wiederherstellen` → [`ItemSource`]: that
/// version becomes the signed-in person's draft of its item, to check and publish (also for
/// a withdrawn item).
pub const RESTORE: &str = "/api/v1/redaktion/inhalte/fassung/{seq}/wiederherstellen";
/// `POST ?item={id}&name={file name}` with the file's bytes as the body → 201
/// [`MediaUploaded`]. The file is placed beside the item's Markdown file in the working copy;
/// its type must be on [`crate::content::MEDIA_TYPES`] by name *and* by content. Too large:
/// 413 before the body is read (by `Content-Length`) or as soon as it is exceeded.
pub const MEDIA: &str = "/api/v1/redaktion/inhalte/medien";
/// `GET` → the working copy of the content folder as a `.tar` archive: the Markdown files and
/// media that are published now, to keep in version control or publish elsewhere with
/// `fokus-server publish DIR`.
pub const EXPORT: &str = "/api/v1/redaktion/inhalte/export";

/// The longest Markdown body the editor takes (characters).
pub const BODY_MAX_CHARS: usize = 200_000;

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// In the apps (it may also have drafts).
    Veroeffentlicht,
    /// Only drafts so far: no app has seen it.
    Entwurf,
    /// Was published and has been withdrawn; its last text is in the history.
    Zurueckgezogen,
}

/// One line of the content list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ItemSummary {
    pub id: String,
    pub kind: ContentKind,
    /// The published title, or a draft's (the newest) when there is none.
    pub title: String,
    /// ISO date (`datum`).
    pub date: String,
    pub state: ItemState,
    /// Everyone's drafts of this item.
    pub drafts: Vec<DraftInfo>,
    /// The newest history entry, if the workspace has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_change: Option<HistoryEntry>,
}

/// The front matter as form fields. Each maps to one TOML key of the file (named in the
/// field's doc); keys the form does not know (and comments) are kept as they are in the file.
/// A field left empty (`None`, `""`, `[]`) removes its key; `publish` then says which ones a
/// kind needs, as problems of the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FrontFields {
    /// `titel`
    pub title: String,
    /// `datum`: ISO date of publication, `2026-03-31`.
    pub date: String,
    /// `zusammenfassung`
    #[serde(default)]
    pub summary: String,
    /// The kind (`art`) and its own fields.
    pub details: KindFields,
}

/// The fields of one kind of item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KindFields {
    /// A chapter of the Fokusbericht.
    Kapitel {
        /// `jahr`: the report's year.
        #[serde(default)]
        year: Option<u16>,
        /// `kapitel`: its number in the report.
        #[serde(default)]
        chapter: Option<u16>,
        /// `datenstand`: ISO date of the data the chapter was written against.
        #[serde(default)]
        data_stand: Option<String>,
    },
    Empfehlung {
        /// `jahr`
        #[serde(default)]
        year: Option<u16>,
        /// `handlungsfeld`
        #[serde(default)]
        handlungsfeld: Option<String>,
        /// `kennzahlen`: indicator ids.
        #[serde(default)]
        indicators: Vec<String>,
        /// `gebiete`: area ids (or `kreis`, `land`, `bund`).
        #[serde(default)]
        areas: Vec<String>,
        /// `zustaendig`: the responsible offices, comma-separated.
        #[serde(default)]
        office: Option<String>,
        /// `frist`: ISO date.
        #[serde(default)]
        deadline: Option<String>,
        /// `[[status]]`, oldest first.
        #[serde(default)]
        status: Vec<StatusChange>,
    },
    Newsletter {
        /// `jahr`
        #[serde(default)]
        year: Option<u16>,
        /// `quartal`: 1 to 4.
        #[serde(default)]
        quarter: Option<u8>,
    },
    Dokument {
        /// `kategorie`
        #[serde(default)]
        category: Option<String>,
        /// `dateien`: file names beside the Markdown file (see [`MEDIA`]).
        #[serde(default)]
        files: Vec<String>,
    },
    Video {
        /// `video`: a `.webm` or `.mp4` beside the Markdown file.
        #[serde(default)]
        video: Option<String>,
        /// `untertitel`: its WebVTT captions (required).
        #[serde(default)]
        captions: Option<String>,
    },
}

impl KindFields {
    pub fn kind(&self) -> ContentKind {
        match self {
            KindFields::Kapitel { .. } => ContentKind::Kapitel,
            KindFields::Empfehlung { .. } => ContentKind::Empfehlung,
            KindFields::Newsletter { .. } => ContentKind::Newsletter,
            KindFields::Dokument { .. } => ContentKind::Dokument,
            KindFields::Video { .. } => ContentKind::Video,
        }
    }

    /// The empty fields of `kind`, for a new item.
    pub fn empty(kind: ContentKind) -> KindFields {
        match kind {
            ContentKind::Kapitel => KindFields::Kapitel {
                year: None,
                chapter: None,
                data_stand: None,
            },
            ContentKind::Empfehlung => KindFields::Empfehlung {
                year: None,
                handlungsfeld: None,
                indicators: Vec::new(),
                areas: Vec::new(),
                office: None,
                deadline: None,
                status: Vec::new(),
            },
            ContentKind::Newsletter => KindFields::Newsletter {
                year: None,
                quarter: None,
            },
            ContentKind::Dokument => KindFields::Dokument {
                category: None,
                files: Vec::new(),
            },
            ContentKind::Video => KindFields::Video {
                video: None,
                captions: None,
            },
        }
    }
}

/// The form fields' names on the wire and the TOML keys they stand for, so a problem publish
/// reports at a key can be shown at its field.
pub const FIELD_KEYS: &[(&str, &str)] = &[
    ("kind", "art"),
    ("title", "titel"),
    ("date", "datum"),
    ("summary", "zusammenfassung"),
    ("year", "jahr"),
    ("chapter", "kapitel"),
    ("data_stand", "datenstand"),
    ("quarter", "quartal"),
    ("handlungsfeld", "handlungsfeld"),
    ("indicators", "kennzahlen"),
    ("areas", "gebiete"),
    ("office", "zustaendig"),
    ("deadline", "frist"),
    ("status", "status"),
    ("category", "kategorie"),
    ("files", "dateien"),
    ("video", "video"),
    ("captions", "untertitel"),
];

/// The form field of a TOML key, if the form has one.
pub fn field_of_key(key: &str) -> Option<&'static str> {
    FIELD_KEYS
        .iter()
        .find(|(_, toml_key)| *toml_key == key)
        .map(|(field, _)| *field)
}

/// What an editor edits: the front matter as fields and the Markdown text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Source {
    pub fields: FrontFields,
    /// Markdown, with `::chart{…}`, `::map{…}` and `:wert{…}` directives.
    pub body: String,
}

/// A draft as the list and the editor show it (not its text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DraftInfo {
    /// The account's sign-in name.
    pub account: String,
    pub display_name: String,
    /// Unix seconds.
    pub saved: i64,
    /// The version of the published file the draft started from; `None` for a new item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// The published file changed since the draft's base: publishing it needs a look at
    /// what changed (and the current version).
    pub stale: bool,
}

/// A draft with its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Draft {
    pub source: Source,
    pub info: DraftInfo,
}

/// `GET` [`SOURCE`]: what the editor opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ItemSource {
    pub id: String,
    pub kind: ContentKind,
    pub state: ItemState,
    /// The published file, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Source>,
    /// The published file's version, to send back with a publish or withdrawal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The signed-in person's draft, if they have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<Draft>,
    /// Other people's drafts of the item (not their text).
    pub other_drafts: Vec<DraftInfo>,
}

/// `POST` [`CREATE`]: the kind and the last part of the id; the folder defaults to the
/// kind's (`fokusbericht`, `empfehlungen`, `newsletter`, `dokumente`, `video`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewItem {
    pub kind: ContentKind,
    /// Lower-case letters, digits and `-`: `2026-1`, `pflege-tagespflege`.
    pub slug: String,
    /// A folder under the content folder, e.g. `fokusbericht/2026`; parts as the slug.
    #[serde(default)]
    pub folder: Option<String>,
    /// The title to start with.
    #[serde(default)]
    pub title: String,
}

/// The folder new items of `kind` go to unless another is given.
pub fn default_folder(kind: ContentKind) -> &'static str {
    match kind {
        ContentKind::Kapitel => "fokusbericht",
        ContentKind::Empfehlung => "empfehlungen",
        ContentKind::Newsletter => "newsletter",
        ContentKind::Dokument => "dokumente",
        ContentKind::Video => "video",
    }
}

/// Whether `part` may be one part of an id: 1 to 80 of `a-z`, `0-9`, `-`, `_`, starting with a
/// letter or digit.
pub fn is_id_part(part: &str) -> bool {
    (1..=80).contains(&part.len())
        && part.bytes().all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-' || byte == b'_'
        })
        && part
            .bytes()
            .next()
            .is_some_and(|byte| byte.is_ascii_alphanumeric())
}

/// `PUT` [`DRAFT`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DraftSave {
    pub source: Source,
    /// The published version the editor started from (`ItemSource::version`); `None` for a
    /// new item.
    #[serde(default)]
    pub version: Option<String>,
}

/// `POST` [`PREVIEW`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PreviewRequest {
    /// The item's id (its media are looked up beside it).
    pub id: String,
    pub source: Source,
}

/// One reason `publish` would refuse the item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Problem {
    /// The line in the file as it would be written (front matter included), counting from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The line in the Markdown text, when the problem is there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_line: Option<usize>,
    /// The form field, when the problem is in one (a name of [`FIELD_KEYS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// German, as `publish` says it.
    pub message: String,
}

/// The answer of [`PREVIEW`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Preview {
    /// The sanitised HTML as the apps would get it: `::chart`/`::map` as figure placeholders
    /// the app's renderer draws, `:wert` with the current value. A directive `publish` would
    /// refuse is shown in place as `<mark title="Zeile N: …">`.
    pub html: String,
    /// Empty when the item can be published.
    pub problems: Vec<Problem>,
    /// The file as it would be written.
    pub text: String,
}

/// `POST` [`PUBLISH`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PublishRequest {
    pub source: Source,
    /// The published version the editor started from; `None` for a new item (then no file
    /// may exist yet).
    #[serde(default)]
    pub version: Option<String>,
}

/// `POST` [`WITHDRAW`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WithdrawRequest {
    /// The version the editor saw.
    pub version: String,
}

/// The answer of [`PUBLISH`] and [`WITHDRAW`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Published {
    pub id: String,
    /// The new revision; `None` when the text was already what is published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
    /// The file's new version (`None` once withdrawn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// What a history entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HistoryAction {
    /// The text as it was before the workspace first changed it (published from a folder).
    Ausgangsstand,
    Veroeffentlicht,
    Zurueckgezogen,
}

/// One version of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HistoryEntry {
    /// Its number, for [`VERSION`] and [`RESTORE`].
    pub seq: i64,
    pub id: String,
    /// Unix seconds.
    pub time: i64,
    pub account: String,
    /// The account's display name (the sign-in name when the account is gone).
    pub display_name: String,
    pub action: HistoryAction,
    /// The revision it became.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
    /// The file's version (for a withdrawal: the version withdrawn).
    pub version: String,
    /// What changed against the version before: `titel, datum; Text: 3 Zeilen`.
    pub changes: String,
}

/// [`VERSION`]: a history entry with its full text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HistoryVersion {
    pub entry: HistoryEntry,
    /// The whole file.
    pub text: String,
}

/// The answer of [`MEDIA`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MediaUploaded {
    /// The name to put into the item's `dateien`, `video` or `untertitel`.
    pub name: String,
    /// Its path in the content folder.
    pub path: String,
    pub mime: String,
    pub sha256: String,
    pub size: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_parts_are_plain() {
        for good in ["2026-1", "pflege-tagespflege", "a", "fokus_2"] {
            assert!(is_id_part(good), "{good}");
        }
        for bad in ["", "-a", "A", "ä", "a/b", "..", "a b", &"a".repeat(81)] {
            assert!(!is_id_part(bad), "{bad}");
        }
    }

    #[test]
    fn kind_fields_name_their_kind_and_every_key_has_a_field() {
        for kind in ContentKind::ALL {
            assert_eq!(KindFields::empty(kind).kind(), kind);
        }
        assert_eq!(field_of_key("jahr"), Some("year"));
        assert_eq!(field_of_key("untertitel"), Some("captions"));
        assert_eq!(field_of_key("unbekannt"), None);
    }
}
