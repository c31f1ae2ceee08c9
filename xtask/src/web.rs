//! The offline web app's parts beside trunk's build: the store worker (fokus-worker to wasm32,
//! wasm-bindgen's classic-script glue into `src-ui/vendor/worker/`, which trunk copies) and the
//! service worker (`dist/sw.js`, written after trunk from `src-ui/sw.js` with the list of the
//! shell's files and their content hashes, so any change of the shell is a new version).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use sha2::Digest as _;

use crate::{cargo, root, setup, target_dir};

/// Builds the store worker into `src-ui/vendor/worker/` (always with the `wasm-release`
/// profile: SQLite's C code unoptimised makes the first sync several times slower).
pub fn build_worker() -> Result<()> {
    let status = Command::new(cargo())
        .args([
            "build",
            "-p",
            "fokus-worker",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "wasm-release",
        ])
        .current_dir(root())
        .status()
        .context("starting cargo")?;
    if !status.success() {
        bail!("the store worker (fokus-worker) did not build for wasm32");
    }
    let wasm = target_dir().join("wasm32-unknown-unknown/wasm-release/fokus_worker.wasm");
    let out = root().join("src-ui/vendor/worker");
    std::fs::create_dir_all(&out)?;
    let status = Command::new(setup::cargo_bin("wasm-bindgen"))
        .args(["--target", "no-modules", "--no-typescript", "--out-dir"])
        .arg(&out)
        .arg(&wasm)
        .status()
        .context("starting wasm-bindgen")?;
    if !status.success() {
        bail!("wasm-bindgen could not bind {}", wasm.display());
    }
    Ok(())
}

/// Every file of the built shell, as the URL path the page loads it by.
fn shell_files(dist: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    let mut pending = vec![dist.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(dist)?
                .to_string_lossy()
                .replace('\\', "/");
            if relative == "sw.js" || relative.ends_with(".br") || relative.ends_with(".gz") {
                continue;
            }
            files.push((format!("/{relative}"), path));
        }
    }
    files.sort();
    Ok(files)
}

/// Writes `dist/sw.js`: the template with the shell's files and a version that is the hash of
/// their hashes.
pub fn write_service_worker(dist: &Path) -> Result<()> {
    remove_precompressed(dist)?;
    name_worker_by_content(dist)?;
    let template_path = root().join("src-ui/sw.js");
    let template = std::fs::read_to_string(&template_path)
        .with_context(|| format!("reading {}", template_path.display()))?;
    let mut version = sha2::Sha256::new();
    let mut shell = Vec::new();
    for (url, path) in shell_files(dist)? {
        let digest = sha2::Sha256::digest(std::fs::read(&path)?);
        version.update(url.as_bytes());
        version.update(digest);
        shell.push(url);
    }
    let version: String = version
        .finalize()
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    // Trunk's names are ASCII without quotes; Rust's debug form of such a string is JSON's.
    let list = format!(
        "[{}]",
        shell
            .iter()
            .map(|url| format!("{url:?}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    if !template.contains("__SHELL__") || !template.contains("__VERSION__") {
        bail!("{} lacks __SHELL__ or __VERSION__", template_path.display());
    }
    let script = template
        .replace("__SHELL__", &list)
        .replace("__VERSION__", &version);
    std::fs::write(dist.join("sw.js"), script)?;
    eprintln!("service worker: {} files, version {version}", shell.len());
    Ok(())
}

/// Writes a Brotli (`.br`) and a gzip (`.gz`) copy beside every text and wasm file of the shell,
/// which the server sends to browsers that take them: a tablet's first visit over chamber Wi-Fi
/// fetches the wasm compressed, and the server compresses nothing per request. Only for the web
/// (the app embeds `dist` and compresses it itself).
pub fn precompress(dist: &Path) -> Result<()> {
    let mut files = shell_files(dist)?;
    files.push(("/sw.js".to_owned(), dist.join("sw.js")));
    for (_, path) in files {
        let compressible = matches!(
            path.extension().and_then(|ext| ext.to_str()),
            Some("js" | "wasm" | "css" | "svg" | "html" | "json" | "webmanifest")
        );
        if !compressible {
            continue;
        }
        let file = path.display().to_string();
        crate::sh("brotli", &["--best", "--keep", "--force", &file])?;
        crate::sh("gzip", &["--best", "--keep", "--force", "--no-name", &file])?;
    }
    Ok(())
}

/// Removes compressed copies an earlier release build left, which would otherwise be served in
/// place of files rebuilt since.
fn remove_precompressed(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            remove_precompressed(&path)?;
        } else if matches!(
            path.extension().and_then(|ext| ext.to_str()),
            Some("br" | "gz")
        ) {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// Gives the store worker's glue and wasm content-hashed names, as trunk names the UI's
/// (`name-<16 hex>.js`, `name-<16 hex>_bg.wasm`), and points `dist/store-worker.js` at them. Such
/// names never change content, so the server marks them immutable and the service worker's
/// install takes them from the HTTP cache the page just filled instead of fetching them again.
fn name_worker_by_content(dist: &Path) -> Result<()> {
    let dir = dist.join("worker");
    let glue = dir.join("fokus_worker.js");
    let wasm = dir.join("fokus_worker_bg.wasm");
    let script_path = dist.join("store-worker.js");
    let mut script = std::fs::read_to_string(&script_path)
        .with_context(|| format!("reading {}", script_path.display()))?;
    let mut digest = sha2::Sha256::new();
    digest.update(std::fs::read(&glue).with_context(|| format!("reading {}", glue.display()))?);
    digest.update(std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))?);
    let hash: String = digest
        .finalize()
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    for (old, new) in [
        ("fokus_worker.js", format!("fokus_worker-{hash}.js")),
        (
            "fokus_worker_bg.wasm",
            format!("fokus_worker-{hash}_bg.wasm"),
        ),
    ] {
        let from = format!("/worker/{old}");
        if !script.contains(&from) {
            bail!("{} does not load {from}", script_path.display());
        }
        script = script.replace(&from, &format!("/worker/{new}"));
        std::fs::rename(dir.join(old), dir.join(new))?;
    }
    std::fs::write(&script_path, script)?;
    Ok(())
}
