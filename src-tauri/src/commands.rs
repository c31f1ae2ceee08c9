//! The command table. Names, argument and result types come from `fokus_model::ipc`; a test
//! checks that every declared command is registered here under its declared name.

use fokus_model::api::{ApiError, ErrorCode, MapQuery, SeriesQuery};
use fokus_model::ipc::NoArgs;
use fokus_model::{AreaSeries, Catalog, MapView, SyncState};
use fokus_store::{Store, StoreError};
use tauri::State;

use crate::Shell;

fn api_error(error: StoreError) -> ApiError {
    match error {
        StoreError::NotFound { .. } => ApiError::new(ErrorCode::NotFound, error.to_string()),
        other => {
            tracing::error!(%other, "cache query failed");
            ApiError::new(
                ErrorCode::Internal,
                "Der lokale Speicher konnte nicht gelesen werden.",
            )
        }
    }
}

fn read<T>(
    shell: &Shell,
    query: impl FnOnce(&Store) -> fokus_store::Result<T>,
) -> Result<T, ApiError> {
    let store = shell
        .reader
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    query(&store).map_err(api_error)
}

#[tauri::command]
async fn catalog_get(shell: State<'_, Shell>, args: NoArgs) -> Result<Catalog, ApiError> {
    let NoArgs {} = args;
    read(&shell, Store::catalog)
}

#[tauri::command]
async fn map_values(shell: State<'_, Shell>, args: MapQuery) -> Result<MapView, ApiError> {
    read(&shell, |store| store.map_view(&args.indicator, args.year))
}

#[tauri::command]
async fn area_series(shell: State<'_, Shell>, args: SeriesQuery) -> Result<AreaSeries, ApiError> {
    read(&shell, |store| {
        store.area_series(&args.indicator, &args.area)
    })
}

#[tauri::command]
async fn sync_status(shell: State<'_, Shell>, args: NoArgs) -> Result<SyncState, ApiError> {
    let NoArgs {} = args;
    Ok(shell.sync_state())
}

#[tauri::command]
async fn sync_run(app: tauri::AppHandle, args: NoArgs) -> Result<SyncState, ApiError> {
    let NoArgs {} = args;
    Ok(crate::background::sync_now(&app).await)
}

macro_rules! command_table {
    ($($name:ident),* $(,)?) => {
        /// The names registered with Tauri, for the consistency test.
        #[cfg(test)]
        const REGISTERED: &[&str] = &[$(stringify!($name)),*];

        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }
    };
}

command_table![catalog_get, map_values, area_series, sync_status, sync_run];

#[cfg(test)]
mod tests {
    #[test]
    fn every_declared_command_is_registered_under_its_name() {
        let mut registered = super::REGISTERED.to_vec();
        let mut declared = fokus_model::ipc::COMMAND_NAMES.to_vec();
        registered.sort_unstable();
        declared.sort_unstable();
        assert_eq!(
            registered, declared,
            "fokus_model::ipc and the Tauri command table must agree"
        );
    }
}
