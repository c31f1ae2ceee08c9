//! The typed command table between the Tauri shell and the UI: each command's name, argument
//! and result in one place, so a typo or a type mismatch is a compile error on both sides.
//!
//! Every command takes one argument named `args` (see [`ARGS_KEY`]) so Tauri's camelCase
//! renaming of parameter names cannot silently break a call.
//!
//! Reads of data ([`Query`]) are declared here once and served by one generic path on each side:
//! the shell's `read` command ([`READ_COMMAND`]) and the server's `GET /api/v1/read/{name}`
//! ([`crate::api::read_path`]) both dispatch through `fokus_store::reads`, so a new read is a
//! line here, a function in the store and a line in its table.

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::api::{
    AgeStructureQuery, ChangesQuery, ContentItemQuery, ContentQuery, DigestQuery, MapQuery,
    PopulationQuery, ProfileQuery, SearchQuery, SeriesQuery, TableQuery,
};
use crate::content::{ContentItem, MediaKey};
use crate::finance::SpendingOverview;
use crate::news::{ChangeList, News, Page, Settings, SyncProgress};
use crate::personal::{Personal, SubjectDigest};
use crate::population::{AgeStructure, PopulationPyramid};
use crate::search::SearchResults;
use crate::{AreaProfile, AreaSeries, Catalog, IndicatorTable, MapView, SyncState};

/// The name of the single parameter every command takes.
pub const ARGS_KEY: &str = "args";

/// The Tauri event that carries every [`AppEvent`].
pub const EVENT: &str = "fokus://event";

pub trait Command: Send + Sync + 'static {
    const NAME: &'static str;
    type Args: Serialize + DeserializeOwned + Send + 'static;
    type Output: Serialize + DeserializeOwned + Send + 'static;
}

/// Argument of commands that need none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NoArgs {}

/// A type the server can describe in its OpenAPI document: `schemars::JsonSchema` when the
/// `schema` feature is on (the server), anything otherwise (the UI and the app never need it).
#[cfg(feature = "schema")]
pub trait Described: schemars::JsonSchema {}
#[cfg(feature = "schema")]
impl<T: schemars::JsonSchema + ?Sized> Described for T {}
/// See the `schema` variant: without the feature every type qualifies.
#[cfg(not(feature = "schema"))]
pub trait Described {}
#[cfg(not(feature = "schema"))]
impl<T: ?Sized> Described for T {}

/// A read of data: served from the cache by the shell's [`READ_COMMAND`] and from the database
/// by the server's read path, with the same arguments and result.
pub trait Query: Command<Args: Described, Output: Described> {
    /// One line for the API description.
    const SUMMARY: &'static str;
}

/// The one shell command that serves every [`Query`]: its argument is a [`ReadCall`].
pub const READ_COMMAND: &str = "read";

/// Argument of [`READ_COMMAND`]: which query, with its arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadCall<A> {
    pub name: String,
    pub args: A,
}

macro_rules! command {
    ($(#[$doc:meta])* $type:ident, $name:literal, $args:ty => $output:ty) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $type;
        impl Command for $type {
            const NAME: &'static str = $name;
            type Args = $args;
            type Output = $output;
        }
    };
}

/// Declares a [`Query`]: a command whose doc line is also its API summary.
macro_rules! query {
    ($summary:literal, $type:ident, $name:literal, $args:ty => $output:ty) => {
        command!(#[doc = $summary] $type, $name, $args => $output);
        impl Query for $type {
            const SUMMARY: &'static str = $summary;
        }
    };
}

query!(
    "Indicators, areas, years and the deployment's settings.",
    CatalogGet, "catalog_get", NoArgs => Catalog
);
query!(
    "One indicator and year for all map areas plus references and class breaks.",
    MapValues, "map_values", MapQuery => MapView
);
query!(
    "An area against Kreis, Land and Bund over all years.",
    AreaSeriesGet, "area_series", SeriesQuery => AreaSeries
);
query!(
    "One indicator for every area of a level and every year, with Kreis, Land and Bund.",
    IndicatorTableGet, "indicator_table", TableQuery => IndicatorTable
);
query!(
    "One area with every indicator beside Kreis, Land and Bund (Gebietsprofil).",
    AreaProfileGet, "area_profile", ProfileQuery => AreaProfile
);
query!(
    "Published content of one kind (or all), newest first.",
    ContentList, "content_list", ContentQuery => Vec<ContentItem>
);
query!(
    "One published content item.",
    ContentItemGet, "content_item", ContentItemQuery => ContentItem
);
query!(
    "Inhabitants of an area and year by age group and sex.",
    PopulationGet, "population_pyramid", PopulationQuery => PopulationPyramid
);
query!(
    "The Kreis's Sozialausgaben by field and year, with the whole budget.",
    SpendingGet, "spending_overview", NoArgs => SpendingOverview
);

query!(
    "What changed after a revision: values by indicator and year, content items, the data's Stand.",
    ChangesSince, "changes_since", ChangesQuery => ChangeList
);
query!(
    "A digest of the data behind each subject (an indicator, an area, a content item), to tell whether it changed.",
    SubjectDigests, "subject_digests", DigestQuery => Vec<SubjectDigest>
);

query!(
    "Everything the data and content hold that matches the words: indicators, areas, report, recommendations, newsletters, documents, video.",
    Search, "search", SearchQuery => SearchResults
);

query!(
    "An area's inhabitants by broad age group over the years, with the youth and old-age dependency ratios.",
    AgeStructureGet, "age_structure", AgeStructureQuery => AgeStructure
);

/// Every query, for the check that the store serves each under its name.
pub const QUERY_NAMES: [&str; 13] = [
    AgeStructureGet::NAME,
    Search::NAME,
    ChangesSince::NAME,
    SubjectDigests::NAME,
    CatalogGet::NAME,
    MapValues::NAME,
    AreaSeriesGet::NAME,
    IndicatorTableGet::NAME,
    AreaProfileGet::NAME,
    ContentList::NAME,
    ContentItemGet::NAME,
    PopulationGet::NAME,
    SpendingGet::NAME,
];
command!(
    /// The current sync state.
    SyncStatus, "sync_status", NoArgs => SyncState
);
command!(
    /// Sync now ("Jetzt aktualisieren") and return the state afterwards.
    SyncRun, "sync_run", NoArgs => SyncState
);

command!(
    /// A URL the web view can load a media file from; downloads it first if it is not in the
    /// cache yet (a video someone asked for). Fails with `offline` when it cannot. The file is
    /// named by its item and hash; name and type come from the cache, never from the page.
    MediaUrl, "media_url", MediaKey => String
);
command!(
    /// Opens a document file with the system's viewer (downloading it first if needed), saved
    /// under its cleaned name with the extension of its allowed type.
    DocumentOpen, "document_open", MediaKey => ()
);
/// A server address to test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ServerAddress {
    pub address: String,
}

command!(
    /// Tests a server address (the settings' "Verbindung testen"): checked like a saved one,
    /// then asked for its status. Answers in German what it found.
    ServerTest, "server_test", ServerAddress => String
);
command!(
    /// The view to open with (a router path), asked once when the UI starts: the `fokus://`
    /// link the app was started with, if any (else the app opens on its start page).
    LinkTake, "link_take", NoArgs => Option<String>
);
command!(
    /// Remembers the view shown now (a router path), so a restart opens it again.
    ViewSave, "view_save", ViewPath => ()
);
command!(
    /// The UI painted its first map: the shell logs the time since the process started, once
    /// per process (`cargo xtask bench` reads it from the log).
    FirstPaint, "first_paint", PageTime => ()
);
command!(
    /// Saves an export where the user chooses (the system's save dialog); the saved file's
    /// name, or `None` when the user cancelled.
    ExportSave, "export_save", ExportFile => Option<String>
);
command!(
    /// The app's settings.
    SettingsGet, "settings_get", NoArgs => Settings
);
command!(
    /// Saves the app's settings and returns them as stored.
    SettingsSet, "settings_set", Settings => Settings
);
command!(
    /// The person's notes, folders, read marks and display settings (a file beside the cache).
    PersonalGet, "personal_get", NoArgs => Personal
);
command!(
    /// Saves the person's data as a whole (checked and cleaned) and returns it as stored.
    PersonalSave, "personal_save", Personal => Personal
);
/// What the app keeps on this device, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageInfo {
    /// The cache database (values, content).
    pub data_bytes: u64,
    /// Downloaded documents, captions and videos, and documents opened from them.
    pub file_bytes: u64,
    /// Notes, Sitzungsmappen and display settings.
    pub personal_bytes: u64,
}

command!(
    /// How much the app keeps on this device.
    StorageGet, "storage_get", NoArgs => StorageInfo
);
command!(
    /// "Cache leeren": the data go back to what the app shipped with, downloaded files are
    /// deleted, and a sync starts. Notes, folders and settings stay. Returns the storage after.
    CacheClear, "cache_clear", NoArgs => StorageInfo
);
command!(
    /// The view the app was left at, for "Weiter, wo Sie aufgehört haben".
    ViewLast, "view_last", NoArgs => Option<String>
);
command!(
    /// The OS permission to show notifications; with `request`, asks for it if not decided.
    NotificationPermission, "notification_permission", PermissionQuery => Permission
);

/// Argument of [`FirstPaint`]: milliseconds since the page began to load
/// (`performance.now()`), so the log tells the page's share of a start from the shell's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PageTime {
    pub page_ms: f64,
}

/// Argument of [`ViewSave`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewPath {
    pub path: String,
}

/// Whether `path` is somewhere the app can open: a view of [`crate::view::View`] or a page,
/// possibly with a `#` section of the page.
pub fn is_app_path(path: &str) -> bool {
    let page_path = path.split(['?', '#']).next().unwrap_or_default();
    crate::view::View::parse(path).is_some()
        || crate::news::Page::ALL
            .iter()
            .any(|page| page.path() == page_path)
}

/// Argument of [`ExportSave`]: the suggested file name and the bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportFile {
    pub name: String,
    pub content: Vec<u8>,
}

/// The kinds of file an export may be saved as.
pub const EXPORT_EXTENSIONS: [&str; 5] = ["csv", "svg", "png", "md", "json"];

/// The file name an export is offered under: the suggested name reduced to letters, digits, `-`,
/// `_` and one `.` before an allowed extension; `None` for any other extension.
pub fn export_file_name(suggested: &str) -> Option<String> {
    let (stem, extension) = suggested.rsplit_once('.')?;
    let extension = extension.to_ascii_lowercase();
    if !EXPORT_EXTENSIONS.contains(&extension.as_str()) {
        return None;
    }
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem.trim_matches('-');
    Some(format!(
        "{}.{extension}",
        if stem.is_empty() { "export" } else { stem }
    ))
}

/// Argument of [`NotificationPermission`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PermissionQuery {
    pub request: bool,
}

/// Whether the app may show notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Granted,
    Denied,
    /// Not decided yet; asking will show the system's prompt.
    Prompt,
}

/// Every command the shell registers (the queries all go through [`READ_COMMAND`]), for its
/// registration check.
pub const COMMAND_NAMES: [&str; 18] = [
    READ_COMMAND,
    StorageGet::NAME,
    CacheClear::NAME,
    PersonalGet::NAME,
    PersonalSave::NAME,
    ViewLast::NAME,
    LinkTake::NAME,
    ViewSave::NAME,
    FirstPaint::NAME,
    ExportSave::NAME,
    SyncStatus::NAME,
    SyncRun::NAME,
    MediaUrl::NAME,
    DocumentOpen::NAME,
    SettingsGet::NAME,
    SettingsSet::NAME,
    ServerTest::NAME,
    NotificationPermission::NAME,
];

/// Events from the shell to the UI, one tagged enum on one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AppEvent {
    /// The sync state changed (started, finished, went offline).
    SyncState { state: SyncState },
    /// New data was applied; views should reload. `news` says what arrived, in German.
    DataChanged {
        revision: crate::Revision,
        news: Vec<News>,
    },
    /// A long sync is under way.
    SyncProgress { progress: SyncProgress },
    /// Show this page (a notification or the tray menu was clicked).
    Navigate { page: Page },
    /// Show this view: a `fokus://` link was opened while the app runs. `path` is the router
    /// path the shell printed from the parsed link (`crate::view::View::path`), never the link
    /// as given.
    OpenView { path: String },
}

#[cfg(test)]
mod tests {
    use super::export_file_name;

    #[test]
    fn export_names_are_plain_and_keep_an_allowed_extension() {
        let cases: &[(&str, Option<&str>)] = &[
            ("sgb2_quote-gebiete.csv", Some("sgb2_quote-gebiete.csv")),
            ("../../etc/passwd.csv", Some("etc-passwd.csv")),
            ("Karte 2024.SVG", Some("Karte-2024.svg")),
            ("bild.png", Some("bild.png")),
            ("tool.exe", None),
            ("ohne-endung", None),
            (".csv", Some("export.csv")),
        ];
        for (suggested, expected) in cases {
            assert_eq!(
                export_file_name(suggested).as_deref(),
                *expected,
                "{suggested}"
            );
        }
    }
}
