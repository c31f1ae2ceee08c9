//! Editorial content: Fokusbericht chapters, Handlungsempfehlungen, newsletter issues, documents
//! and the explainer video. Authored as Markdown with front matter, published by the server as
//! one revision, synced like the values.

use serde::{Deserialize, Serialize};

/// What a content item is; decides the page it appears on and the notification it causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContentKind {
    /// A chapter of the annual Fokusbericht (focus report on social spending).
    Kapitel,
    /// A Handlungsempfehlung: a policy recommendation written by a focus group.
    Empfehlung,
    Newsletter,
    /// A background document (Grundlagen) with files.
    Dokument,
    Video,
}

impl ContentKind {
    pub const ALL: [ContentKind; 5] = [
        ContentKind::Kapitel,
        ContentKind::Empfehlung,
        ContentKind::Newsletter,
        ContentKind::Dokument,
        ContentKind::Video,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContentKind::Kapitel => "kapitel",
            ContentKind::Empfehlung => "empfehlung",
            ContentKind::Newsletter => "newsletter",
            ContentKind::Dokument => "dokument",
            ContentKind::Video => "video",
        }
    }

    pub fn parse(text: &str) -> Option<ContentKind> {
        ContentKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// Where a Handlungsempfehlung stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecommendationStatus {
    Offen,
    InUmsetzung,
    Umgesetzt,
    Zurueckgestellt,
}

impl RecommendationStatus {
    pub const ALL: [RecommendationStatus; 4] = [
        RecommendationStatus::Offen,
        RecommendationStatus::InUmsetzung,
        RecommendationStatus::Umgesetzt,
        RecommendationStatus::Zurueckgestellt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecommendationStatus::Offen => "offen",
            RecommendationStatus::InUmsetzung => "in_umsetzung",
            RecommendationStatus::Umgesetzt => "umgesetzt",
            RecommendationStatus::Zurueckgestellt => "zurueckgestellt",
        }
    }

    pub fn parse(text: &str) -> Option<RecommendationStatus> {
        RecommendationStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            RecommendationStatus::Offen => "offen",
            RecommendationStatus::InUmsetzung => "in Umsetzung",
            RecommendationStatus::Umgesetzt => "umgesetzt",
            RecommendationStatus::Zurueckgestellt => "zurückgestellt",
        }
    }
}

/// One step in the history of a recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StatusChange {
    /// ISO date, `2025-03-18`.
    pub date: String,
    pub status: RecommendationStatus,
    pub note: String,
}

/// The kind-specific part of a content item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ContentDetails {
    Kapitel {
        /// The Fokusbericht's year.
        year: u16,
        chapter: u16,
        /// ISO date of the data the report was written against (its `datenstand`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data_stand: Option<String>,
    },
    Empfehlung {
        handlungsfeld: String,
        year: u16,
        /// Oldest first; the last entry is the current status.
        history: Vec<StatusChange>,
        /// The indicators it addresses (ids checked against the catalogue by `publish`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        indicators: Vec<String>,
        /// The areas it addresses (ids checked against the catalogue by `publish`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        areas: Vec<String>,
        /// The office responsible for it (Zuständigkeit).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        office: String,
        /// ISO date by which it should be done (Frist).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deadline: Option<String>,
    },
    Newsletter {
        year: u16,
        quarter: u8,
    },
    Dokument {
        category: String,
    },
    Video,
}

impl ContentDetails {
    pub fn kind(&self) -> ContentKind {
        match self {
            ContentDetails::Kapitel { .. } => ContentKind::Kapitel,
            ContentDetails::Empfehlung { .. } => ContentKind::Empfehlung,
            ContentDetails::Newsletter { .. } => ContentKind::Newsletter,
            ContentDetails::Dokument { .. } => ContentKind::Dokument,
            ContentDetails::Video => ContentKind::Video,
        }
    }
}

/// What a media file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MediaRole {
    /// A downloadable file of a document.
    File,
    Video,
    /// WebVTT captions of the video.
    Captions,
}

/// A file attached to a content item, stored once as a content-addressed blob
/// (`/api/v1/blobs/{sha256}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MediaRef {
    pub role: MediaRole,
    /// The file name shown to people and used when saving, e.g. `Methodik.pdf`.
    pub name: String,
    pub mime: String,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    pub size: u64,
}

/// One published content item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContentItem {
    /// Stable id: the Markdown file's path in the content folder without `.md`, e.g.
    /// `newsletter/2025-4`.
    pub id: String,
    pub title: String,
    /// ISO date of publication.
    pub date: String,
    pub summary: String,
    /// HTML rendered from the Markdown body and sanitised on the server.
    pub body_html: String,
    pub details: ContentDetails,
    pub media: Vec<MediaRef>,
}

impl ContentItem {
    pub fn kind(&self) -> ContentKind {
        self.details.kind()
    }
}

/// A media type content may carry: the one allow-list the server's `publish`, the client's
/// feed check, the app's file opener and its `fokusblob` scheme all use. Nothing that a
/// system would run (scripts, executables, HTML) is on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaType {
    pub mime: &'static str,
    /// The extensions a file of this type may have; the first is the one a saved file gets.
    pub extensions: &'static [&'static str],
}

impl MediaType {
    /// The extension a saved file of this type gets, whatever its name said.
    pub fn extension(&self) -> &'static str {
        self.extensions[0]
    }

    /// Whether a file of this type can serve as `role`.
    pub fn fits(&self, role: MediaRole) -> bool {
        match role {
            MediaRole::Video => self.mime.starts_with("video/"),
            MediaRole::Captions => self.mime == "text/vtt",
            MediaRole::File => true,
        }
    }
}

/// Every media type content may carry.
pub const MEDIA_TYPES: &[MediaType] = &[
    MediaType {
        mime: "application/pdf",
        extensions: &["pdf"],
    },
    MediaType {
        mime: "video/webm",
        extensions: &["webm"],
    },
    MediaType {
        mime: "video/mp4",
        extensions: &["mp4"],
    },
    MediaType {
        mime: "text/vtt",
        extensions: &["vtt"],
    },
    MediaType {
        mime: "text/csv",
        extensions: &["csv"],
    },
    MediaType {
        mime: "image/png",
        extensions: &["png"],
    },
    MediaType {
        mime: "image/jpeg",
        extensions: &["jpg", "jpeg"],
    },
    MediaType {
        mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        extensions: &["xlsx"],
    },
    MediaType {
        mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        extensions: &["docx"],
    },
    MediaType {
        mime: "application/vnd.oasis.opendocument.spreadsheet",
        extensions: &["ods"],
    },
    MediaType {
        mime: "application/vnd.oasis.opendocument.text",
        extensions: &["odt"],
    },
];

/// The allowed type of `mime` (exactly as listed, no parameters).
pub fn media_type(mime: &str) -> Option<&'static MediaType> {
    MEDIA_TYPES.iter().find(|known| known.mime == mime)
}

/// The allowed type of a file extension (any case).
pub fn media_type_by_extension(extension: &str) -> Option<&'static MediaType> {
    let extension = extension.to_ascii_lowercase();
    MEDIA_TYPES
        .iter()
        .find(|known| known.extensions.contains(&extension.as_str()))
}

/// The allowed extensions, for messages: `pdf, webm, …`.
pub fn allowed_extensions() -> String {
    MEDIA_TYPES
        .iter()
        .flat_map(|known| known.extensions.iter().copied())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Characters that change how a name is displayed without being seen: controls, bidirectional
/// overrides and isolates (`Methodik\u{202E}fdp.bat` shows as `Methodiktab.pdf`), zero-width
/// characters and the byte order mark.
/// Characters a reader cannot see that still change what a text means or how it is shown:
/// controls, bidirectional overrides, zero-width characters.
pub fn is_invisible(character: char) -> bool {
    character.is_control()
        || matches!(
            character,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// A name as it may be shown: invisible characters removed, surrounding space trimmed.
pub fn visible_name(name: &str) -> String {
    name.chars()
        .filter(|character| !is_invisible(*character))
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The longest file name stem a saved file gets (file systems allow 255 bytes).
const MAX_STEM_CHARS: usize = 100;

/// The largest media file a feed may name.
pub const MAX_MEDIA_BYTES: u64 = 4 * 1024 * 1024 * 1024;

impl MediaRef {
    /// Checks a media reference against the allow-list: a known type that fits the role, a
    /// name whose extension belongs to that type, a content hash, a plausible size. A feed with
    /// any reference that fails is refused as a whole.
    pub fn check(&self) -> Result<&'static MediaType, String> {
        let name = visible_name(&self.name);
        if !is_sha256_hex(&self.sha256) {
            return Err(format!("Datei `{name}`: keine gültige SHA-256-Prüfsumme"));
        }
        let Some(kind) = media_type(&self.mime) else {
            return Err(format!(
                "Datei `{name}`: Dateityp `{}` nicht erlaubt",
                visible_name(&self.mime)
            ));
        };
        if !kind.fits(self.role) {
            return Err(format!(
                "Datei `{name}`: `{}` passt nicht zu ihrer Rolle",
                kind.mime
            ));
        }
        let extension = name.rsplit_once('.').map(|(_, extension)| extension);
        if media_type_by_extension(extension.unwrap_or_default()) != Some(kind) {
            return Err(format!(
                "Datei `{name}`: Endung passt nicht zum Typ `{}` (erwartet .{})",
                kind.mime,
                kind.extensions.join(" oder .")
            ));
        }
        if self.size > MAX_MEDIA_BYTES {
            return Err(format!("Datei `{name}`: zu groß ({} Bytes)", self.size));
        }
        Ok(kind)
    }

    /// The name this file is saved under on the user's disk: the visible part of its name,
    /// without path or characters file systems refuse, and always the extension of its type,
    /// never one the name claims. `None` when the type is not allowed.
    pub fn file_name(&self) -> Option<String> {
        let kind = media_type(&self.mime)?;
        let name = visible_name(&self.name);
        let name = name.rsplit(['/', '\\']).next().unwrap_or_default();
        let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
        let mut stem: String = stem
            .chars()
            .map(|character| match character {
                '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
                other => other,
            })
            .take(MAX_STEM_CHARS)
            .collect::<String>()
            .trim_matches(|character: char| character == '.' || character.is_whitespace())
            .to_owned();
        if stem.is_empty() {
            stem = "Datei".to_owned();
        }
        // Names Windows reserves for devices, in any case and with any extension.
        let device = stem
            .split('.')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reserved = matches!(device.as_str(), "CON" | "PRN" | "AUX" | "NUL")
            || ((device.starts_with("COM") || device.starts_with("LPT"))
                && device.len() == 4
                && device.as_bytes()[3].is_ascii_digit());
        if reserved {
            stem.insert(0, '_');
        }
        Some(format!("{stem}.{}", kind.extension()))
    }
}

/// Names a media file by the content item that carries it and its hash: what the app's commands
/// take, so the file's name and type always come from the checked cache, never from the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MediaKey {
    /// The content item's id.
    pub content: String,
    pub sha256: String,
}

impl ContentItem {
    /// The key of one of this item's media files.
    pub fn media_key(&self, media: &MediaRef) -> MediaKey {
        MediaKey {
            content: self.id.clone(),
            sha256: media.sha256.clone(),
        }
    }
}

/// True for a lower-case 64-digit hex string, the only form a blob name may take.
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_tagged_by_kind_on_the_wire() {
        let details = ContentDetails::Newsletter {
            year: 2025,
            quarter: 4,
        };
        let json = serde_json::to_string(&details).unwrap();
        assert_eq!(
            json, r#"{"kind":"newsletter","year":2025,"quarter":4}"#,
            "the kind sits beside its fields, readable in the feed"
        );
        for kind in ContentKind::ALL {
            assert_eq!(
                ContentKind::parse(kind.as_str()),
                Some(kind),
                "stored as text"
            );
        }
        for status in RecommendationStatus::ALL {
            assert_eq!(
                RecommendationStatus::parse(status.as_str()),
                Some(status),
                "stored as text"
            );
        }
    }

    fn media(name: &str, mime: &str, role: MediaRole) -> MediaRef {
        MediaRef {
            role,
            name: name.to_owned(),
            mime: mime.to_owned(),
            sha256: "ab".repeat(32),
            size: 10,
        }
    }

    #[test]
    fn only_allowed_types_with_their_own_extension_pass() {
        let pdf = "application/pdf";
        let cases = [
            (media("Methodik.pdf", pdf, MediaRole::File), true, "a PDF"),
            (
                media("Liste.CSV", "text/csv", MediaRole::File),
                true,
                "extension in any case",
            ),
            (
                media("Foto.jpeg", "image/jpeg", MediaRole::File),
                true,
                "second extension of a type",
            ),
            (
                media("Methodik.bat", pdf, MediaRole::File),
                false,
                "a script named as a PDF",
            ),
            (
                media("Methodik.pdf", "application/x-msdownload", MediaRole::File),
                false,
                "an executable type",
            ),
            (
                media("Seite.html", "text/html", MediaRole::File),
                false,
                "HTML would run in the web view",
            ),
            (
                media("Methodik\u{202E}fdp.bat", pdf, MediaRole::File),
                false,
                "right-to-left override hiding .bat",
            ),
            (
                media("Methodik.pdf.lnk", pdf, MediaRole::File),
                false,
                "only the last extension counts",
            ),
            (
                media("Methodik", pdf, MediaRole::File),
                false,
                "no extension",
            ),
            (
                media("Film.pdf", pdf, MediaRole::Video),
                false,
                "a PDF is no video",
            ),
            (
                media("Film.vtt", "text/vtt", MediaRole::Video),
                false,
                "captions are no video",
            ),
            (
                media("Film.webm", "video/webm", MediaRole::Video),
                true,
                "a video",
            ),
            (
                media("Film.vtt", "text/vtt", MediaRole::Captions),
                true,
                "captions",
            ),
            (
                media(
                    "Methodik.pdf",
                    "application/pdf; charset=x",
                    MediaRole::File,
                ),
                false,
                "no parameters",
            ),
        ];
        for (reference, allowed, why) in cases {
            assert_eq!(
                reference.check().is_ok(),
                allowed,
                "{why}: {:?}",
                reference.check()
            );
        }
        let mut huge = media("Film.mp4", "video/mp4", MediaRole::Video);
        huge.size = MAX_MEDIA_BYTES + 1;
        assert!(huge.check().is_err(), "an absurd size");
        let mut unhashed = media("Methodik.pdf", pdf, MediaRole::File);
        unhashed.sha256 = "../../etc/passwd".into();
        assert!(unhashed.check().is_err(), "a path as hash");
    }

    #[test]
    fn saved_names_are_visible_and_take_the_extension_of_their_type() {
        let pdf = "application/pdf";
        let cases = [
            (
                "Methodik.pdf",
                pdf,
                Some("Methodik.pdf"),
                "a plain name stays",
            ),
            (
                "Methodik\u{202E}fdp.exe",
                pdf,
                Some("Methodikfdp.pdf"),
                "bidi override removed, type's extension",
            ),
            (
                "Bericht\u{0007}\u{200B}.PDF",
                pdf,
                Some("Bericht.pdf"),
                "controls and zero-width removed",
            ),
            (
                "../../.bashrc",
                pdf,
                Some("Datei.pdf"),
                "no path, no hidden file",
            ),
            (
                "a\\b\\Liste.csv",
                "text/csv",
                Some("Liste.csv"),
                "Windows path separators",
            ),
            (
                "Was?*:<>|\".pdf",
                pdf,
                Some("Was_______.pdf"),
                "characters Windows refuses",
            ),
            ("con.pdf", pdf, Some("_con.pdf"), "a device name"),
            (
                "COM1.txt.pdf",
                pdf,
                Some("_COM1.txt.pdf"),
                "a device name before a dot",
            ),
            (
                "Seite.pdf",
                "text/html",
                None,
                "a type that is not allowed has no name",
            ),
        ];
        for (name, mime, expected, why) in cases {
            let reference = media(name, mime, MediaRole::File);
            assert_eq!(reference.file_name().as_deref(), expected, "{why}");
        }
        let long = media(&format!("{}.pdf", "ä".repeat(500)), pdf, MediaRole::File);
        assert_eq!(
            long.file_name().unwrap().chars().count(),
            MAX_STEM_CHARS + 4,
            "long names are cut"
        );
    }

    #[test]
    fn only_lower_hex_sha256_names_pass() {
        assert!(is_sha256_hex(&"ab".repeat(32)), "64 lower hex digits");
        assert!(!is_sha256_hex(&"AB".repeat(32)), "upper case is refused");
        assert!(!is_sha256_hex("../etc/passwd"), "no paths");
        assert!(!is_sha256_hex(&"a".repeat(63)), "exact length");
    }
}

/// One caption of a WebVTT file: when it starts (seconds) and what it says, as plain text.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    pub start: f64,
    pub text: String,
}

/// The cues of a WebVTT captions file, for the transcript beside the video: timings read,
/// cue identifiers, notes, styles and markup (`<v Sprecher>`, `<i>`) left out, entities for
/// `&`, `<`, `>` decoded. Anything that is not a cue is skipped rather than refused: the file
/// also plays as captions, and a transcript with a line missing beats none.
pub fn parse_webvtt(text: &str) -> Vec<Cue> {
    let mut cues = Vec::new();
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    for block in text.split("\n\n") {
        let mut lines = block
            .lines()
            .map(str::trim_end)
            .skip_while(|line| line.is_empty());
        let Some(first) = lines.next() else { continue };
        let timing = if first.contains("-->") {
            first
        } else {
            // A cue identifier, or a header, note or style block without a timing line.
            match lines.next() {
                Some(line) if line.contains("-->") && !first.starts_with("NOTE") => line,
                _ => continue,
            }
        };
        let Some(start) = timing.split("-->").next().and_then(vtt_seconds) else {
            continue;
        };
        let words: Vec<String> = lines
            .map(strip_vtt_markup)
            .filter(|line| !line.is_empty())
            .collect();
        if !words.is_empty() {
            cues.push(Cue {
                start,
                text: words.join(" "),
            });
        }
    }
    cues
}

/// `00:01:02.500` or `01:02.500` in seconds.
fn vtt_seconds(text: &str) -> Option<f64> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let (hours, minutes, seconds) = match parts.as_slice() {
        [hours, minutes, seconds] => (
            hours.parse::<f64>().ok()?,
            minutes.parse::<f64>().ok()?,
            seconds,
        ),
        [minutes, seconds] => (0.0, minutes.parse::<f64>().ok()?, seconds),
        _ => return None,
    };
    let seconds: f64 = seconds.split_whitespace().next()?.parse().ok()?;
    Some(hours * 3600.0 + minutes * 60.0 + seconds)
}

fn strip_vtt_markup(line: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in line.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod webvtt_tests {
    use super::*;

    #[test]
    fn captions_read_as_a_transcript() {
        let file = "WEBVTT - Erklärvideo\r\n\r\nNOTE Entwurf\r\n\r\nSTYLE\n::cue { color: yellow }\n\n1\n00:00:00.000 --> 00:00:04.000 align:start\n<v Sprecherin>FOKUS PI</v> &amp; <i>Sie</i>\n\n01:04.500 --> 01:08.000\nZweite Zeile\nin zwei Teilen\n\nkaputt --> auch\nnichts\n\n";
        assert_eq!(
            parse_webvtt(file),
            vec![
                Cue {
                    start: 0.0,
                    text: "FOKUS PI & Sie".into()
                },
                Cue {
                    start: 64.5,
                    text: "Zweite Zeile in zwei Teilen".into()
                },
            ],
            "header, note, style and a broken timing are skipped; markup and entities resolved"
        );
    }
}
