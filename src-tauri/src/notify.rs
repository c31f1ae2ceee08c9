//! OS notifications. On Linux desktops they go straight to the freedesktop notification service
//! with a "default" action, so clicking one opens the page it is about; tauri-plugin-notification
//! reports no clicks on desktop. Elsewhere the plugin shows them (no click-through yet on macOS
//! and Windows).

use fokus_model::ipc::Permission;
use fokus_model::news::Page;
use tauri::AppHandle;

/// The title of every notification, and the name the notification service shows.
const APP_NAME: &str = "FOKUS PI";

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
pub fn show(app: &AppHandle, body: &str, page: Page) {
    let app = app.clone();
    // Notification services may read the body as markup: text from the feed (titles) must not
    // become links or formatting.
    let body = escape_markup(body);
    // wait_for_action blocks until the notification is clicked or closed: give it a thread.
    std::thread::spawn(move || {
        let shown = notify_rust::Notification::new()
            .appname(APP_NAME)
            .summary(APP_NAME)
            .body(&body)
            .action("default", "Öffnen")
            .show();
        match shown {
            Ok(handle) => handle.wait_for_action(|action| {
                if action == "default" {
                    crate::background::show_page(&app, page);
                }
            }),
            Err(error) => tracing::warn!(%error, "notification could not be shown"),
        }
    });
}

#[cfg(not(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
)))]
pub fn show(app: &AppHandle, body: &str, _page: Page) {
    use tauri_plugin_notification::NotificationExt;
    if let Err(error) = app
        .notification()
        .builder()
        .title(APP_NAME)
        .body(body)
        .show()
    {
        tracing::warn!(%error, "notification could not be shown");
    }
}

/// The OS permission to notify; asks when `request` and not decided yet (mobile, macOS).
pub fn permission(app: &AppHandle, request: bool) -> Permission {
    use tauri_plugin_notification::{NotificationExt, PermissionState};
    let notifications = app.notification();
    let state = match notifications.permission_state() {
        Ok(PermissionState::Granted) => return Permission::Granted,
        Ok(PermissionState::Denied) => return Permission::Denied,
        Ok(_) if request => notifications.request_permission(),
        Ok(state) => Ok(state),
        Err(error) => {
            tracing::warn!(%error, "notification permission unknown");
            return Permission::Prompt;
        }
    };
    match state {
        Ok(PermissionState::Granted) => Permission::Granted,
        Ok(PermissionState::Denied) => Permission::Denied,
        _ => Permission::Prompt,
    }
}

/// Escapes the characters the freedesktop notification markup gives a meaning.
#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(all(
    test,
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
mod tests {
    #[test]
    fn notification_text_is_not_markup() {
        assert_eq!(
            super::escape_markup(r#"Neu: <a href="https://evil.example">Bericht</a> & mehr"#),
            r#"Neu: &lt;a href="https://evil.example"&gt;Bericht&lt;/a&gt; &amp; mehr"#
        );
    }
}
