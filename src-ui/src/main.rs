//! Entry point of the FOKUS UI (wasm32): mounts the Leptos app.

mod app;
mod backend;
mod beschluss;
mod components;
mod csv;
mod explorer;
mod format;
mod offline;
mod pages;
mod personal;
mod redaktion;

fn main() {
    console_error_panic_hook_install();
    // In a browser the store worker opens first (or says why it cannot), so the app starts with
    // the backend it keeps.
    // The Redaktion workspace works on the server's data, online: no store worker for it.
    let path = web_sys::window()
        .and_then(|window| window.location().pathname().ok())
        .unwrap_or_default();
    if redaktion::is_workspace_path(&path) && !backend::Backend::in_app() {
        leptos::mount::mount_to_body(redaktion::Workspace);
        return;
    }
    wasm_bindgen_futures::spawn_local(async {
        offline::start(backend::Backend::in_app()).await;
        leptos::mount::mount_to_body(app::App);
    });
}

/// Panics end up in the browser console instead of vanishing.
fn console_error_panic_hook_install() {
    std::panic::set_hook(Box::new(|info| {
        web_sys_console_error(&info.to_string());
    }));
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn web_sys_console_error(message: &str);
}
