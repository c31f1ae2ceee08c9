//! The typed command table between the Tauri shell and the UI: each command's name, argument
//! and result in one place, so a typo or a type mismatch is a compile error on both sides.
//!
//! Every command takes one argument named `args` (see [`ARGS_KEY`]) so Tauri's camelCase
//! renaming of parameter names cannot silently break a call.

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::api::{ContentQuery, MapQuery, PopulationQuery, SeriesQuery};
use crate::content::{ContentItem, MediaRef};
use crate::finance::SpendingOverview;
use crate::news::{News, Page, Settings, SyncProgress};
use crate::population::PopulationPyramid;
use crate::{AreaSeries, Catalog, MapView, SyncState};

/// The name of the single parameter every command takes.
pub const ARGS_KEY: &str = "args";

/// The Tauri event that carries every [`AppEvent`].
pub const EVENT: &str = "fokus://event";

pub trait Command {
    const NAME: &'static str;
    type Args: Serialize + DeserializeOwned;
    type Output: Serialize + DeserializeOwned;
}

/// Argument of commands that need none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct NoArgs {}

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

command!(
    /// Indicators, areas and years of the cache.
    CatalogGet, "catalog_get", NoArgs => Catalog
);
command!(
    /// One indicator and year for all map areas plus references and class breaks.
    MapValues, "map_values", MapQuery => MapView
);
command!(
    /// An area against Kreis, Land and Bund over all years.
    AreaSeriesGet, "area_series", SeriesQuery => AreaSeries
);
command!(
    /// The current sync state.
    SyncStatus, "sync_status", NoArgs => SyncState
);
command!(
    /// Sync now ("Jetzt aktualisieren") and return the state afterwards.
    SyncRun, "sync_run", NoArgs => SyncState
);

command!(
    /// Published content of one kind (or all), newest first.
    ContentList, "content_list", ContentQuery => Vec<ContentItem>
);
command!(
    /// A URL the web view can load a media file from; downloads it first if it is not in the
    /// cache yet (a video someone asked for). Fails with `offline` when it cannot.
    MediaUrl, "media_url", MediaRef => String
);
command!(
    /// Opens a document file with the system's viewer (downloading it first if needed).
    DocumentOpen, "document_open", MediaRef => ()
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
    /// The OS permission to show notifications; with `request`, asks for it if not decided.
    NotificationPermission, "notification_permission", PermissionQuery => Permission
);

command!(
    /// Inhabitants of an area and year by age group and sex.
    PopulationGet, "population_pyramid", PopulationQuery => PopulationPyramid
);
command!(
    /// The Kreis's Sozialausgaben by field and year.
    SpendingGet, "spending_overview", NoArgs => SpendingOverview
);

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

/// Every command name, for the shell's registration check.
pub const COMMAND_NAMES: [&str; 13] = [
    CatalogGet::NAME,
    MapValues::NAME,
    AreaSeriesGet::NAME,
    SyncStatus::NAME,
    SyncRun::NAME,
    ContentList::NAME,
    MediaUrl::NAME,
    DocumentOpen::NAME,
    SettingsGet::NAME,
    SettingsSet::NAME,
    NotificationPermission::NAME,
    PopulationGet::NAME,
    SpendingGet::NAME,
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
}
