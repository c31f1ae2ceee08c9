//! The memory baseline of `cargo xtask bench`: a Tauri window on the same WebKitGTK with an empty
//! page and nothing else (no plugins, no cache, no sync), so the app's own share of its resident
//! memory can be told from what any Tauri window costs. The page comes from a custom scheme, as
//! the app's media do: `about:blank` is drawn without a web process, and any real document, as
//! every page of the app, needs one.

fn main() {
    tauri::Builder::default()
        .register_uri_scheme_protocol("blank", |_, _| {
            tauri::http::Response::builder()
                .header("Content-Type", "text/html")
                .body(b"<!doctype html><html lang=de><title>leer</title></html>".to_vec())
                .expect("a static response")
        })
        .setup(|app| {
            tauri::WebviewWindowBuilder::new(
                app,
                "blank",
                tauri::WebviewUrl::External("blank://localhost/".parse()?),
            )
            .title("leer")
            .build()?;
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the blank window runs");
}
