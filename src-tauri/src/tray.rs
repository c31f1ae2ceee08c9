//! The system tray (desktop): open the window, sync now, quit. With the tray, closing the window
//! keeps the app running in the background.

use std::sync::atomic::{AtomicBool, Ordering};

use fokus_model::news::Page;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::Manager;

use crate::Shell;

/// Whether a tray icon exists; without one, closing the window must end the app, or it could
/// not be reached again.
static AVAILABLE: AtomicBool = AtomicBool::new(false);

pub fn is_available() -> bool {
    AVAILABLE.load(Ordering::Relaxed)
}

pub fn install(app: &tauri::App) -> anyhow::Result<()> {
    let open = MenuItem::with_id(app, "open", "FOKUS PI öffnen", true, None::<&str>)?;
    let sync = MenuItem::with_id(app, "sync", "Jetzt aktualisieren", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Beenden", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &sync, &quit])?;
    let mut builder = TrayIconBuilder::with_id("fokus")
        .tooltip("FOKUS PI")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => crate::background::show_page(app, Page::Uebersicht),
            "sync" => app.state::<Shell>().wake.notify_one(),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    match builder.build(app) {
        Ok(_) => AVAILABLE.store(true, Ordering::Relaxed),
        // Some desktops have no tray; the app then simply ends when its window closes.
        Err(error) => tracing::warn!(%error, "no system tray"),
    }
    Ok(())
}
