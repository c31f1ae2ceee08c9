//! Installs what the project needs on a fresh machine, and only what is missing: Debian/Ubuntu
//! packages, the wasm32 target, trunk, a wasm-bindgen-cli equal to Cargo.lock's wasm-bindgen,
//! the npm packages, and for tests the drivers. Elsewhere it says what to install.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::{output, root, sh};

pub const TRUNK_VERSION: &str = "0.21.14";
pub const TAURI_DRIVER_VERSION: &str = "2.1.0";
/// The Tauri CLI for `cargo xtask bundle` (6 minutes to install on a fresh machine).
const TAURI_CLI_VERSION: &str = "2.12.4";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Run,
    Test,
    /// Building the installable package: the Tauri CLI on top of what running needs.
    Bundle,
}

/// Debian packages Tauri's WebKitGTK build and run need, plus the virtual display.
const APT_RUN: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libssl-dev",
    "libsoup-3.0-dev",
    "libjavascriptcoregtk-4.1-dev",
    "xvfb",
    "xauth",
    "dbus-x11",
    // The demo's explainer video is rendered at build time (VP8/WebM) with this font.
    "ffmpeg",
    "fonts-dejavu-core",
    // German hyphenation patterns: WebKitGTK hyphenates long German words (`hyphens: auto`)
    // with them instead of breaking them anywhere; the .deb depends on them too.
    "hyphen-de",
    // The web build's store worker links SQLite (C) for wasm32: clang compiles it, llvm-ar
    // archives it with a symbol index wasm-ld reads, lld is wasm-ld.
    "clang",
    "lld",
    "llvm",
    // The release web build's shell, compressed once at build time (`web::precompress`).
    "brotli",
];
/// Test drivers: WebKitWebDriver for the real app, Chromium for the web build; nginx and openssl
/// for the TLS and caching proxy in front of the server (docs/nginx-fokus.conf).
const APT_TEST: &[&str] = &[
    "webkit2gtk-driver",
    "chromium",
    "nginx-light",
    "openssl",
    // xwininfo: the app test reads the window's title.
    "x11-utils",
    // A virtual environment for schemathesis, which checks the API against its OpenAPI document.
    "python3-venv",
];

/// Schemathesis (PyPI), in a virtual environment under target/.
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

pub fn ensure(purpose: Purpose) -> Result<()> {
    if cfg!(target_os = "linux") && output("apt-get", &["--version"]).is_some() {
        let mut packages: Vec<&str> = APT_RUN.to_vec();
        if output("npm", &["--version"]).is_none() {
            packages.extend(["nodejs", "npm"]);
        }
        if purpose == Purpose::Test {
            packages.extend(APT_TEST);
        }
        ensure_apt(&packages)?;
    } else {
        eprintln!(
            "note: automatic system setup covers Debian and Ubuntu. Elsewhere install yourself:\n  \
             - the Tauri 2 prerequisites for your OS (https://v2.tauri.app/start/prerequisites/)\n  \
             - Node.js with npm\n  \
             - for `test` on Linux: WebKitWebDriver, Chromium, Xvfb and dbus-run-session"
        );
    }
    ensure_wasm_target()?;
    ensure_cargo_tool("trunk", "trunk", TRUNK_VERSION, true)?;
    ensure_wasm_bindgen()?;
    ensure_npm_packages()?;
    if purpose == Purpose::Test {
        ensure_cargo_tool("tauri-driver", "tauri-driver", TAURI_DRIVER_VERSION, true)?;
        ensure_schemathesis()?;
    }
    if purpose == Purpose::Bundle {
        // The bundler; the same minor as the tauri crate in Cargo.lock.
        ensure_cargo_tool("cargo-tauri", "tauri-cli", TAURI_CLI_VERSION, true)?;
    }
    Ok(())
}

fn is_root() -> bool {
    output("id", &["-u"]).is_some_and(|uid| uid.trim() == "0")
}

fn is_installed(package: &str) -> bool {
    output("dpkg-query", &["-W", "-f=${Status}", package])
        .is_some_and(|status| status.contains("install ok installed"))
}

/// Installs the missing ones of `packages` with apt-get (as root, or through sudo).
pub fn ensure_apt(packages: &[&str]) -> Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|package| !is_installed(package))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !is_root() && output("sudo", &["-n", "true"]).is_none() {
        bail!(
            "missing Debian packages; install them with:\n  sudo apt-get install -y {}",
            missing.join(" ")
        );
    }
    apt_get(&["update", "-qq"])?;
    let mut install = vec!["install", "-y", "-qq", "--no-install-recommends"];
    install.extend(missing.iter().copied());
    apt_get(&install)
}

/// Runs apt-get non-interactively, as root or through sudo.
pub fn apt_get(args: &[&str]) -> Result<()> {
    let (program, mut full): (&str, Vec<&str>) = if is_root() {
        ("apt-get", vec![])
    } else {
        ("sudo", vec!["apt-get"])
    };
    full.extend(args);
    crate::sh_env(program, &full, &[("DEBIAN_FRONTEND", "noninteractive")])
}

fn ensure_wasm_target() -> Result<()> {
    let installed = output("rustup", &["target", "list", "--installed"])
        .context("rustup is needed to add the wasm32 target; install Rust with rustup")?;
    if !installed
        .lines()
        .any(|line| line.trim() == "wasm32-unknown-unknown")
    {
        sh("rustup", &["target", "add", "wasm32-unknown-unknown"])?;
    }
    Ok(())
}

/// Where `cargo install` puts binaries.
pub fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    home.join("bin")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// Installs `crate_name` at `version` unless `binary --version` already reports it.
fn ensure_cargo_tool(binary: &str, crate_name: &str, version: &str, locked: bool) -> Result<()> {
    let path = cargo_bin(binary);
    let reported = output(&path.display().to_string(), &["--version"]).unwrap_or_default();
    if reported.split_whitespace().any(|word| word == version) {
        return Ok(());
    }
    let mut args = vec!["install", crate_name, "--version", version];
    if locked {
        args.push("--locked");
    }
    sh("cargo", &args)
}

/// The wasm-bindgen version Cargo.lock pins; the CLI must match it exactly.
pub fn locked_wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|line| line.strip_prefix("version = \""))
            {
                return Ok(version.trim_end_matches('"').to_owned());
            }
        }
    }
    bail!("Cargo.lock has no wasm-bindgen")
}

fn ensure_wasm_bindgen() -> Result<()> {
    let version = locked_wasm_bindgen_version()?;
    let trunk_toml = std::fs::read_to_string(root().join("src-ui/Trunk.toml"))
        .context("reading src-ui/Trunk.toml")?;
    if !trunk_toml.contains(&format!("wasm_bindgen = \"{version}\"")) {
        bail!(
            "src-ui/Trunk.toml must pin wasm_bindgen = \"{version}\" (the version in Cargo.lock)"
        );
    }
    // Not --locked: the registry mirror lacks one of the CLI's pinned dependencies.
    ensure_cargo_tool("wasm-bindgen", "wasm-bindgen-cli", &version, false)
}

fn ensure_npm_packages() -> Result<()> {
    let lock = root().join("package-lock.json");
    let installed = root().join("node_modules/.package-lock.json");
    let modified = |path: &PathBuf| {
        std::fs::metadata(path)
            .and_then(|meta| meta.modified())
            .ok()
    };
    let current = matches!((modified(&lock), modified(&installed)), (Some(lock), Some(installed)) if installed >= lock);
    if !current {
        sh("npm", &["ci", "--no-audit", "--no-fund"])?;
    }
    Ok(())
}

/// The `st` program of schemathesis in its virtual environment.
pub fn schemathesis_bin() -> PathBuf {
    crate::target_dir().join("schemathesis/bin/st")
}

/// Creates the virtual environment and installs the pinned schemathesis into it, unless there.
fn ensure_schemathesis() -> Result<()> {
    let st = schemathesis_bin();
    let have = output(&st.display().to_string(), &["--version"]).unwrap_or_default();
    if have.contains(SCHEMATHESIS_VERSION) {
        return Ok(());
    }
    let venv = crate::target_dir().join("schemathesis");
    let venv_text = venv.display().to_string();
    sh("python3", &["-m", "venv", "--clear", &venv_text])?;
    let pip = venv.join("bin/pip").display().to_string();
    let wanted = format!("schemathesis=={SCHEMATHESIS_VERSION}");
    sh(
        &pip,
        &["install", "--quiet", "--disable-pip-version-check", &wanted],
    )
}
