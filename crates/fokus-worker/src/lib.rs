//! The web build's store worker: a host like the Tauri shell, inside a dedicated Web Worker.
//!
//! It opens `fokus-store` on SQLite compiled to wasm32, persisted in the Origin Private File
//! System through the "sahpool" VFS, syncs it with `fokus_sync::plan` (the steps the app runs,
//! with `fetch` for reqwest) and answers the page's reads from it, so a tablet that has been
//! online once works without network. The page talks to it in `fokus_model::worker` messages.
//!
//! Natively the crate is empty: it is built for wasm32 only.

#[cfg(target_arch = "wasm32")]
mod host;
#[cfg(target_arch = "wasm32")]
mod transport;
