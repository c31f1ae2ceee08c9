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
    },
    Empfehlung {
        handlungsfeld: String,
        year: u16,
        /// Oldest first; the last entry is the current status.
        history: Vec<StatusChange>,
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

    #[test]
    fn only_lower_hex_sha256_names_pass() {
        assert!(is_sha256_hex(&"ab".repeat(32)), "64 lower hex digits");
        assert!(!is_sha256_hex(&"AB".repeat(32)), "upper case is refused");
        assert!(!is_sha256_hex("../etc/passwd"), "no paths");
        assert!(!is_sha256_hex(&"a".repeat(63)), "exact length");
    }
}
