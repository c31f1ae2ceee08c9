//! Tauri's build step (embeds the config, capabilities and the built UI from src-ui/dist), plus
//! the first-start snapshot: `FOKUS_SNAPSHOT` names a compressed database (`fokus-server
//! snapshot`) that the app copies into an empty cache, so it works offline from the very first
//! start.
//! Without it the app ships no data and waits for its first sync.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=FOKUS_SNAPSHOT");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("snapshot.sqlite3.zst");
    match std::env::var_os("FOKUS_SNAPSHOT").map(PathBuf::from) {
        Some(source) => {
            println!("cargo:rerun-if-changed={}", source.display());
            std::fs::copy(&source, &out)
                .unwrap_or_else(|error| panic!("FOKUS_SNAPSHOT={}: {error}", source.display()));
        }
        None => std::fs::write(&out, b"").expect("writing an empty snapshot"),
    }
    tauri_build::build()
}
