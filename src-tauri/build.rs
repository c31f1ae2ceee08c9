//! Tauri's build step: embeds the config, capabilities and the built UI (src-ui/dist).
fn main() {
    tauri_build::build()
}
