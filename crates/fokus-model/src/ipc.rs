//! The typed command table between the Tauri shell and the UI: each command's name, argument
//! and result in one place, so a typo or a type mismatch is a compile error on both sides.
//!
//! Every command takes one argument named `args` (see [`ARGS_KEY`]) so Tauri's camelCase
//! renaming of parameter names cannot silently break a call.

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::api::{MapQuery, SeriesQuery};
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

/// Every command name, for the shell's registration check.
pub const COMMAND_NAMES: [&str; 5] = [
    CatalogGet::NAME,
    MapValues::NAME,
    AreaSeriesGet::NAME,
    SyncStatus::NAME,
    SyncRun::NAME,
];

/// Events from the shell to the UI, one tagged enum on one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AppEvent {
    /// The sync state changed (started, finished, went offline).
    SyncState { state: SyncState },
    /// New data was applied; views should reload. `summary` is the German notification text.
    DataChanged {
        revision: crate::Revision,
        summary: Option<String>,
    },
}
