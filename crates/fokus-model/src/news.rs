//! What a sync tells people: news by kind, the page that shows it, and the app's settings for
//! which kinds deserve a notification.

use serde::{Deserialize, Serialize};

/// The app's pages. `path()` is the UI route; notifications name the page they open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Page {
    /// The start page: what is new, the headline indicators, where the data stand.
    Uebersicht,
    Sozialbericht,
    Demografie,
    Sozialausgaben,
    Fokusbericht,
    Empfehlungen,
    Newsletter,
    Dokumente,
    Video,
    /// Bookmarks, notes and Sitzungsmappen.
    Mappen,
    Einstellungen,
    /// Version, data Stand, licences, contact.
    Ueber,
    /// The Erklärung zur Barrierefreiheit (BITV 2.0).
    Barrierefreiheit,
    /// One search over everything the cache holds; reached from the header's search field.
    Suche,
}

impl Page {
    pub const ALL: [Page; 14] = [
        Page::Uebersicht,
        Page::Sozialbericht,
        Page::Demografie,
        Page::Sozialausgaben,
        Page::Fokusbericht,
        Page::Empfehlungen,
        Page::Newsletter,
        Page::Dokumente,
        Page::Video,
        Page::Mappen,
        Page::Einstellungen,
        Page::Ueber,
        Page::Barrierefreiheit,
        Page::Suche,
    ];

    /// Whether the page is in the navigation bar; the settings are reached from the header,
    /// "Über" and the Erklärung zur Barrierefreiheit from the footer.
    pub fn in_navigation(self) -> bool {
        !matches!(
            self,
            Page::Einstellungen | Page::Ueber | Page::Barrierefreiheit | Page::Suche
        )
    }

    pub fn path(self) -> &'static str {
        match self {
            Page::Uebersicht => "/",
            Page::Sozialbericht => crate::view::EXPLORER_PATH,
            Page::Demografie => "/demografie",
            Page::Sozialausgaben => "/sozialausgaben",
            Page::Fokusbericht => "/fokusbericht",
            Page::Empfehlungen => "/empfehlungen",
            Page::Newsletter => "/newsletter",
            Page::Dokumente => "/dokumente",
            Page::Video => "/video",
            Page::Mappen => "/mappen",
            Page::Einstellungen => "/einstellungen",
            Page::Ueber => "/ueber",
            Page::Barrierefreiheit => "/barrierefreiheit",
            Page::Suche => "/suche",
        }
    }

    /// The navigation label.
    pub fn label_de(self) -> &'static str {
        match self {
            Page::Uebersicht => "Übersicht",
            Page::Sozialbericht => "Sozialbericht",
            Page::Demografie => "Demografie",
            Page::Sozialausgaben => "Sozialausgaben",
            Page::Fokusbericht => "Fokusbericht",
            Page::Empfehlungen => "Empfehlungen",
            Page::Newsletter => "Newsletter",
            Page::Dokumente => "Dokumente",
            Page::Video => "Video",
            Page::Mappen => "Mappen",
            Page::Einstellungen => "Einstellungen",
            Page::Ueber => "Über die App",
            Page::Barrierefreiheit => "Barrierefreiheit",
            Page::Suche => "Suche",
        }
    }

    pub fn from_path(path: &str) -> Option<Page> {
        Page::ALL.into_iter().find(|page| page.path() == path)
    }
}

/// The kinds of news a person can switch notifications on or off for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NewsKind {
    /// New or corrected values in the Sozialbericht.
    Daten,
    Fokusbericht,
    Empfehlungen,
    Newsletter,
    Dokumente,
    Video,
}

impl NewsKind {
    pub const ALL: [NewsKind; 6] = [
        NewsKind::Daten,
        NewsKind::Fokusbericht,
        NewsKind::Empfehlungen,
        NewsKind::Newsletter,
        NewsKind::Dokumente,
        NewsKind::Video,
    ];

    /// The label of the kind's switch in the settings.
    pub fn label_de(self) -> &'static str {
        match self {
            NewsKind::Daten => "Neue Daten im Sozialbericht",
            NewsKind::Fokusbericht => "Fokusbericht",
            NewsKind::Empfehlungen => "Handlungsempfehlungen",
            NewsKind::Newsletter => "Newsletter",
            NewsKind::Dokumente => "Dokumente",
            NewsKind::Video => "Videos",
        }
    }

    pub fn page(self) -> Page {
        match self {
            NewsKind::Daten => Page::Sozialbericht,
            NewsKind::Fokusbericht => Page::Fokusbericht,
            NewsKind::Empfehlungen => Page::Empfehlungen,
            NewsKind::Newsletter => Page::Newsletter,
            NewsKind::Dokumente => Page::Dokumente,
            NewsKind::Video => Page::Video,
        }
    }
}

/// One piece of news from a sync, in German.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct News {
    pub kind: NewsKind,
    pub text: String,
}

/// What changed in the cache after a revision, for the start page: values by indicator and
/// year, and content items.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ChangeList {
    /// The revision the cache (or server) is at.
    pub revision: crate::Revision,
    /// Unix seconds of the revision that last changed any value: the data's Stand.
    pub data_stand: Option<i64>,
    pub indicators: Vec<IndicatorChange>,
    pub content: Vec<ContentChange>,
}

/// Values of one indicator changed after the asked revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IndicatorChange {
    pub indicator: String,
    /// The years with changed values, ascending.
    pub years: Vec<u16>,
    /// The newest revision among them.
    pub revision: crate::Revision,
}

/// A content item published or changed after the asked revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContentChange {
    pub id: String,
    pub kind: crate::content::ContentKind,
    pub title: String,
    /// Its date (`YYYY-MM-DD`).
    pub date: String,
    pub revision: crate::Revision,
    /// For a recommendation, its current status.
    pub status: Option<crate::content::RecommendationStatus>,
}

/// The app's settings, kept in the local cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Kinds of news that get no notification; empty means all are announced.
    #[serde(default)]
    pub muted: Vec<NewsKind>,
    /// Desktop: closing the window keeps the app in the system tray, syncing in the background.
    #[serde(default = "default_true")]
    pub keep_in_tray: bool,
    /// Download videos with the other media; otherwise only when someone asks for one.
    #[serde(default)]
    pub download_video: bool,
    /// The central server's address, set by the user; `None` means the installation's default.
    #[serde(default)]
    pub server: Option<String>,
}

fn default_true() -> bool {
    true
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            muted: Vec::new(),
            keep_in_tray: true,
            download_video: false,
            server: None,
        }
    }
}

impl Settings {
    pub fn announces(&self, kind: NewsKind) -> bool {
        !self.muted.contains(&kind)
    }
}

/// The one notification for a sync's news: the enabled news, most important first, and the
/// page a click opens (that of the first). `None` when nothing enabled is new.
pub fn notification(news: &[News], settings: &Settings) -> Option<(String, Page)> {
    let mut shown: Vec<&News> = news
        .iter()
        .filter(|item| settings.announces(item.kind))
        .collect();
    shown.sort_by_key(|item| item.kind);
    let first = shown.first()?;
    let text = shown
        .iter()
        .map(|item| item.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    Some((text, first.kind.page()))
}

/// Where a long sync stands, for the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    /// Bytes received so far in this phase.
    pub bytes: u64,
    /// Expected bytes, when known.
    pub total_bytes: Option<u64>,
    /// Items done (media files), when counted.
    pub items: u64,
    pub total_items: Option<u64>,
}

impl SyncProgress {
    /// A phase that has just begun, nothing counted yet.
    pub fn starting(phase: SyncPhase) -> SyncProgress {
        SyncProgress {
            phase,
            bytes: 0,
            total_bytes: None,
            items: 0,
            total_items: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Receiving the change feed.
    Feed,
    /// Writing it into the cache (one transaction).
    Apply,
    /// Downloading documents and captions (and videos, if wanted).
    Media,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_notification_names_enabled_news_and_opens_the_first_page() {
        let news = vec![
            News {
                kind: NewsKind::Newsletter,
                text: "Newsletter 4/2025 erschienen".into(),
            },
            News {
                kind: NewsKind::Daten,
                text: "Neue Daten im Sozialbericht: 73 Kennzahlen für 2025".into(),
            },
        ];
        let all = Settings::default();
        assert_eq!(
            notification(&news, &all),
            Some((
                "Neue Daten im Sozialbericht: 73 Kennzahlen für 2025\nNewsletter 4/2025 erschienen"
                    .into(),
                Page::Sozialbericht
            )),
            "data first, one notification for both"
        );
        let no_data = Settings {
            muted: vec![NewsKind::Daten],
            ..Settings::default()
        };
        assert_eq!(
            notification(&news, &no_data),
            Some(("Newsletter 4/2025 erschienen".into(), Page::Newsletter)),
            "a muted kind is left out, and the click goes to what is shown"
        );
        let nothing = Settings {
            muted: NewsKind::ALL.to_vec(),
            ..Settings::default()
        };
        assert_eq!(
            notification(&news, &nothing),
            None,
            "all muted: no notification"
        );
        for page in Page::ALL {
            assert_eq!(
                Page::from_path(page.path()),
                Some(page),
                "routes round-trip"
            );
        }
    }
}
