//! `cargo xtask run | test | bundle | icons`: the project's only entry points for setup, building,
//! running and testing. Plain Rust and std::process, so it works wherever cargo does; it
//! installs what is missing and says what it cannot install.

mod demo_content;
mod setup;
mod web;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};

const USAGE: &str = "\
usage: cargo xtask <command>
  run     install what is missing, build, start the demo server and open the app
  test    install what is missing (and the test drivers), run every test
  bench   build in release mode, measure, print a Markdown table, write target/bench.json
  fuzz [SECONDS]  fuzz what arrives from outside (imports, feed, snapshot, content, Sitzungsmappe), SECONDS per target (default 60; not in CI)
  bundle  build the app's installable package (.deb) with the Tauri bundler; --debug for a debug build
  web     build the web build (UI, store worker, service worker) into src-ui/dist; --release as shipped
  icons   regenerate icons/ from assets/brand/fokus-icon.svg
  demo-content  build target/demo-content (Markdown, PDFs, video) for `fokus-server publish`";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let started = Instant::now();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(),
        Some("test") => test(),
        Some("icons") => icons(),
        Some("web") => setup::ensure(setup::Purpose::Run).and_then(|()| {
            if args.iter().any(|arg| arg == "--release") {
                build_web_release()
            } else {
                build_ui()
            }
        }),
        Some("bundle") => {
            let profile = if args.iter().any(|arg| arg == "--debug") {
                Profile::Debug
            } else {
                Profile::Release
            };
            bundle(profile).map(|deb| eprintln!("{}", deb.display()))
        }
        Some("bench") => bench(),
        Some("fuzz") => {
            let seconds = args.get(1).map_or("60", String::as_str);
            sh(
                &cargo(),
                &["run", "--release", "-p", "fokus-fuzz", "--", seconds],
            )
        }
        Some("demo-content") => demo_content::build().map(|dir| eprintln!("{}", dir.display())),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    let command = args.first().map(String::as_str).unwrap_or_default();
    eprintln!("xtask: {command:?} took {:.0?}", started.elapsed());
    if let Err(error) = result {
        // The message is for a person; a backtrace of xtask itself would only bury it.
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

/// Runs a command in the workspace root, echoing it, failing on a non-zero exit.
pub fn sh(program: &str, args: &[&str]) -> Result<()> {
    sh_env(program, args, &[])
}

pub fn sh_env(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    eprintln!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .status()
        .with_context(|| format!("could not start `{program}`"))?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

/// Output of a command, or `None` if it cannot run.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .current_dir(root())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn build_ui() -> Result<()> {
    trunk(&["build"])?;
    web::write_service_worker(&root().join("src-ui/dist"))
}

/// Bundles the parts of ECharts the app uses (`src-ui/echarts.js`) with esbuild from npm into
/// `src-ui/vendor/echarts.min.js`, which trunk copies into the build; again only when the entry
/// or the installed packages changed.
fn echarts_bundle() -> Result<()> {
    let entry = root().join("src-ui/echarts.js");
    let bundle = root().join("src-ui/vendor/echarts.min.js");
    let installed = root().join("node_modules/.package-lock.json");
    let modified = |path: &Path| {
        std::fs::metadata(path)
            .and_then(|meta| meta.modified())
            .ok()
    };
    let fresh = match (modified(&bundle), modified(&entry), modified(&installed)) {
        (Some(bundle), Some(entry), Some(installed)) => bundle >= entry && bundle >= installed,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    let esbuild = root().join("node_modules/.bin/esbuild");
    let status = Command::new(&esbuild)
        .args([
            "src-ui/echarts.js",
            "--bundle",
            "--minify",
            "--format=iife",
            "--target=es2020",
            "--log-level=warning",
        ])
        .arg(format!("--outfile={}", bundle.display()))
        .current_dir(root())
        .status()
        .with_context(|| format!("starting {}", esbuild.display()))?;
    if !status.success() {
        bail!("esbuild could not bundle ECharts");
    }
    Ok(())
}

/// The UI as shipped (release web build, bundled app, bench): Leptos' erased components (set
/// for wasm32 in `.cargo/config.toml`), the `wasm-release` profile (smallest code, fat LTO), then
/// the function-name section stripped by wasm-opt from npm `binaryen`.
fn build_ui_release() -> Result<()> {
    trunk(&["build", "--release", "--cargo-profile", "wasm-release"])?;
    strip_wasm(&root().join("src-ui/dist"))?;
    web::write_service_worker(&root().join("src-ui/dist"))
}

/// The release web build as a server serves it: [`build_ui_release`] plus compressed copies.
fn build_web_release() -> Result<()> {
    build_ui_release()?;
    web::precompress(&root().join("src-ui/dist"))
}

/// Strips names and producer notes from every wasm in `dist` and writes the new integrity hash
/// where trunk wrote the old one, so the browser's preload still matches.
fn strip_wasm(dist: &Path) -> Result<()> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let integrity = |bytes: &[u8]| {
        format!(
            "sha384-{}",
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(bytes))
        )
    };
    let index_path = dist.join("index.html");
    let mut index = std::fs::read_to_string(&index_path)
        .with_context(|| format!("reading {}", index_path.display()))?;
    let wasm_opt = root().join("node_modules/.bin/wasm-opt");
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        if path.extension().and_then(|ext| ext.to_str()) != Some("wasm") {
            continue;
        }
        let before = std::fs::read(&path)?;
        let stripped = path.with_extension("stripped");
        let status = Command::new(&wasm_opt)
            .args([
                "--strip-debug",
                "--strip-producers",
                // The features rustc's wasm32 target emits; wasm-opt refuses what it is not told.
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "--enable-reference-types",
                "--enable-multivalue",
            ])
            .arg(&path)
            .arg("-o")
            .arg(&stripped)
            .status()
            .with_context(|| format!("starting {}", wasm_opt.display()))?;
        if !status.success() {
            bail!("wasm-opt could not strip {}", path.display());
        }
        let after = std::fs::read(&stripped)?;
        std::fs::rename(&stripped, &path)?;
        index = index.replace(&integrity(&before), &integrity(&after));
        eprintln!(
            "stripped {}: {} → {} bytes",
            path.display(),
            before.len(),
            after.len()
        );
    }
    std::fs::write(&index_path, index)?;
    Ok(())
}

fn trunk(args: &[&str]) -> Result<()> {
    echarts_bundle()?;
    web::build_worker()?;
    let trunk = setup::cargo_bin("trunk");
    eprintln!("$ (src-ui) trunk {}", args.join(" "));
    // trunk looks wasm-bindgen up on PATH; make sure it finds the one setup installed.
    let bin_dir = trunk.parent().map(Path::to_path_buf).unwrap_or_default();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))?;
    let status = Command::new(&trunk)
        .env("PATH", path)
        .args(args)
        .current_dir(root().join("src-ui"))
        .status()
        .context("starting trunk")?;
    if !status.success() {
        bail!("trunk build failed");
    }
    Ok(())
}

fn build_binaries() -> Result<()> {
    sh(
        &cargo(),
        &["build", "-p", "fokus-server", "-p", "fokus-sync"],
    )?;
    make_snapshot(&exe("fokus-server"))?;
    // The hostile feeds the store worker's test syncs against (`tests/worker-hostile.test.mjs`).
    sh(
        &cargo(),
        &["build", "-p", "fokus-sync", "--example", "hostile_feeds"],
    )?;
    sh(&cargo(), &["build", "-p", "fokus-app"])
}

/// Builds the data the app ships for its first start (here: the demo the server publishes) and
/// points the app's build script at it through `FOKUS_SNAPSHOT`, for this and every later cargo
/// call of this xtask run, so they all build the app the same way.
fn make_snapshot(server: &Path) -> Result<()> {
    let data_dir = target_dir().join("fokus-snapshot/server");
    let out = target_dir().join("fokus-snapshot/snapshot.sqlite3.zst");
    let _ = std::fs::remove_dir_all(&data_dir);
    std::fs::create_dir_all(&data_dir)?;
    let server = server.display().to_string();
    let data = data_dir.display().to_string();
    let content = demo_content::build()?.display().to_string();
    sh(
        &server,
        &["--data-dir", &data, "demo", "--content", &content],
    )?;
    sh(
        &server,
        &["--data-dir", &data, "snapshot", &out.display().to_string()],
    )?;
    // Edition 2021: setting our own process environment before spawning children is fine.
    std::env::set_var("FOKUS_SNAPSHOT", &out);
    Ok(())
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

fn exe(name: &str) -> PathBuf {
    target_dir()
        .join("debug")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// Starts the demo server on `port` with its data in `data_dir`; waits until it answers.
fn start_server(data_dir: &Path, port: u16) -> Result<Child> {
    // Something else answering on the port would be mistaken for our server.
    if std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
        bail!("port {port} is already in use (another fokus-server?); stop that process and try again");
    }
    let mut child = Command::new(exe("fokus-server"))
        .args(["--data-dir"])
        .arg(data_dir)
        .args(["serve", "--demo", "--content"])
        .arg(demo_content::content_dir())
        .args(["--port", &port.to_string(), "--web-dir"])
        .arg(root().join("src-ui/dist"))
        .spawn()
        .context("starting fokus-server")?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait()? {
            bail!("fokus-server ended before it answered ({status})");
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(child);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    bail!("fokus-server did not answer on port {port} within 30 s")
}

fn has_display() -> bool {
    !cfg!(target_os = "linux")
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

fn run() -> Result<()> {
    if !has_display() {
        bail!(
            "no display: the app needs a graphical session. Run it under a virtual display:\n  \
             xvfb-run -a dbus-run-session -- cargo xtask run"
        );
    }
    setup::ensure(setup::Purpose::Run)?;
    build_ui()?;
    build_binaries()?;
    let data_dir = target_dir().join("fokus-run/server");
    std::fs::create_dir_all(&data_dir)?;
    let port = 8787;
    let mut server = start_server(&data_dir, port)?;
    eprintln!("Demo-Server läuft: http://127.0.0.1:{port} (die Web-Version des UI ist dort auch erreichbar)");
    let status = Command::new(exe("fokus-app"))
        .env("FOKUS_SERVER_URL", format!("http://127.0.0.1:{port}"))
        .env("FOKUS_CACHE_DIR", target_dir().join("fokus-run/cache"))
        .status()
        .context("starting the app");
    let _ = server.kill();
    let _ = server.wait();
    if !status?.success() {
        bail!("the app ended with an error");
    }
    Ok(())
}

/// Checks that the pure crates stay pure: they compile to wasm32 and pull in no IO runtime.
fn check_pure_core() -> Result<()> {
    for crate_name in ["fokus-model", "fokus-map"] {
        sh(
            &cargo(),
            &[
                "check",
                "-p",
                crate_name,
                "--target",
                "wasm32-unknown-unknown",
            ],
        )?;
        let tree = output(
            &cargo(),
            &["tree", "-p", crate_name, "-e", "normal", "--prefix", "none"],
        )
        .context("cargo tree failed")?;
        for forbidden in ["tokio ", "rusqlite ", "reqwest ", "tauri ", "axum "] {
            if tree.lines().any(|line| line.starts_with(forbidden)) {
                bail!(
                    "{crate_name} depends on {}; it must stay free of IO runtimes",
                    forbidden.trim()
                );
            }
        }
        eprintln!("ok: {crate_name} compiles to wasm32 and has no IO runtime in its tree");
    }
    Ok(())
}

fn test() -> Result<()> {
    setup::ensure(setup::Purpose::Test)?;
    sh(&cargo(), &["fmt", "--all", "--check"])?;
    check_pure_core()?;
    build_ui()?;
    build_binaries()?;
    sh(
        &cargo(),
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--exclude",
            "fokus-ui",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    sh(
        &cargo(),
        &[
            "clippy",
            "-p",
            "fokus-ui",
            "-p",
            "fokus-worker",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    sh(&cargo(), &["test", "--workspace", "--exclude", "fokus-ui"])?;
    // The UI's own unit tests (formatting, pure helpers) run natively; the crate builds for
    // wasm32 only through trunk, so it is named here rather than in the workspace run.
    sh(&cargo(), &["test", "-p", "fokus-ui"])?;
    api_contract_test()?;
    let env = [
        (
            "FOKUS_SERVER_BIN",
            exe("fokus-server").display().to_string(),
        ),
        ("FOKUS_APP_BIN", exe("fokus-app").display().to_string()),
        ("FOKUS_SYNC_BIN", exe("fokus-sync").display().to_string()),
        (
            "FOKUS_HOSTILE_FEEDS_BIN",
            exe("examples/hostile_feeds").display().to_string(),
        ),
        (
            "FOKUS_DEMO_CONTENT",
            demo_content::content_dir().display().to_string(),
        ),
        (
            "FOKUS_WEB_DIR",
            root().join("src-ui/dist").display().to_string(),
        ),
        (
            "FOKUS_TAURI_DRIVER",
            setup::cargo_bin("tauri-driver").display().to_string(),
        ),
    ];
    let env: Vec<(&str, &str)> = env
        .iter()
        .map(|(key, value)| (*key, value.as_str()))
        .collect();
    // A hang guard, not a timing check: a stuck browser or app fails the run with a clear
    // message instead of eating CI's whole time budget. Each suite takes well under a minute.
    let guard = ["--kill-after=10", "900"];
    let mut web_test = guard.to_vec();
    web_test.extend([
        "node",
        "--test",
        "--test-reporter=spec",
        "tests/web.test.mjs",
        "tests/explorer.test.mjs",
        "tests/tablet.test.mjs",
        "tests/a11y.test.mjs",
        "tests/council.test.mjs",
        "tests/report.test.mjs",
        "tests/redaktion.test.mjs",
        "tests/deployment.test.mjs",
        "tests/proxy.test.mjs",
        "tests/offline.test.mjs",
        "tests/worker-hostile.test.mjs",
    ]);
    sh_env("timeout", &web_test, &env)?;
    display_test("tests/app.test.mjs", &env)?;
    if cfg!(target_os = "linux") && output("dpkg", &["--version"]).is_some() {
        test_package(&env)?;
    }
    // WebKit's MiniBrowser runs last, after the app's suites, so none of its processes still
    // ending can meet the app's WebDriver sessions (tauri-driver drives the same WebKitGTK).
    display_test("tests/webkit.test.mjs", &env)?;
    eprintln!("xtask: all tests passed");
    Ok(())
}

/// Schemathesis against the demo server's own OpenAPI document: every read endpoint, the feed,
/// the feed pages, the event stream and the blobs, 30 generated requests each plus its coverage
/// and stateful phases, with every check. Any failure (an undocumented status, a 5xx, a body
/// that violates its schema, a valid request refused) fails the run. The seed is fixed, so a
/// failure reproduces.
fn api_contract_test() -> Result<()> {
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))?
        .local_addr()?
        .port();
    let data_dir = target_dir().join("fokus-schemathesis/server");
    let _ = std::fs::remove_dir_all(&data_dir);
    std::fs::create_dir_all(&data_dir)?;
    let mut server = start_server(&data_dir, port)?;
    let schema = format!("http://127.0.0.1:{port}/api/v1/openapi.json");
    // The Redaktion workspace's reads are checked signed in, as an admin (who may read them all).
    let cookie = redaktion_session(&data_dir, port);
    let cookie = match cookie {
        Ok(cookie) => cookie,
        Err(error) => {
            let _ = server.kill();
            let _ = server.wait();
            return Err(error);
        }
    };
    let cookie_header = format!("Cookie: {cookie}");
    let outcome = sh(
        &setup::schemathesis_bin().display().to_string(),
        &[
            "run",
            &schema,
            "--header",
            &cookie_header,
            "--include-method",
            "GET",
            "--max-examples",
            "30",
            "--seed",
            "1",
            "--checks",
            "all",
            "--request-timeout",
            "10",
            "--no-color",
        ],
    );
    let _ = server.kill();
    let _ = server.wait();
    outcome.context("schemathesis found the API breaking its own OpenAPI document")
}

/// An admin's session on the server in `data_dir` (port `port`): the account made by
/// `fokus-server user add --admin`, signed in by `tests/sign-in.mjs`; the Cookie header's value.
fn redaktion_session(data_dir: &Path, port: u16) -> Result<String> {
    let added = Command::new(exe("fokus-server"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["user", "add", "--admin", "schnittstelle"])
        .output()
        .context("running fokus-server user add")?;
    ensure!(
        added.status.success(),
        "fokus-server user add failed: {}",
        String::from_utf8_lossy(&added.stderr)
    );
    let stdout = String::from_utf8_lossy(&added.stdout);
    let password = stdout.lines().last().unwrap_or_default().trim().to_owned();
    let signed = Command::new("node")
        .current_dir(root())
        .args([
            "tests/sign-in.mjs",
            &format!("http://127.0.0.1:{port}"),
            "schnittstelle",
            &password,
        ])
        .output()
        .context("running node tests/sign-in.mjs")?;
    ensure!(
        signed.status.success(),
        "signing in to the Redaktion failed: {}",
        String::from_utf8_lossy(&signed.stderr)
    );
    Ok(String::from_utf8_lossy(&signed.stdout).trim().to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    Debug,
    Release,
}

/// Builds the `.deb` with the Tauri bundler (icons, desktop entry, dependencies on WebKitGTK and
/// friends) and returns its path. The app embeds the UI and the demo snapshot as every build does.
fn bundle(profile: Profile) -> Result<PathBuf> {
    setup::ensure(setup::Purpose::Bundle)?;
    if profile == Profile::Release {
        build_ui_release()?;
    } else {
        build_ui()?;
    }
    // Within `cargo xtask test` the snapshot was made already; the app embeds the same one.
    if std::env::var_os("FOKUS_SNAPSHOT").is_none() {
        sh(&cargo(), &["build", "-p", "fokus-server"])?;
        make_snapshot(&exe("fokus-server"))?;
    }
    let mut args = vec!["build", "--bundles", "deb", "--ci"];
    if profile == Profile::Debug {
        args.push("--debug");
    }
    let tauri = setup::cargo_bin("cargo-tauri").display().to_string();
    eprintln!("$ (src-tauri) cargo-tauri {}", args.join(" "));
    let status = Command::new(&tauri)
        .args(&args)
        .current_dir(root().join("src-tauri"))
        .status()
        .context("starting cargo-tauri")?;
    if !status.success() {
        bail!("the Tauri bundler failed");
    }
    let dir = target_dir()
        .join(if profile == Profile::Debug {
            "debug"
        } else {
            "release"
        })
        .join("bundle/deb");
    std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .find(|path| path.extension().is_some_and(|ext| ext == "deb"))
        .with_context(|| format!("no .deb in {}", dir.display()))
}

/// Installs the package as a county's IT would (`apt install ./fokus-pi.deb`), starts the
/// installed app through WebDriver and removes the package again.
fn test_package(env: &[(&str, &str)]) -> Result<()> {
    let deb = bundle(Profile::Debug)?;
    let deb = deb.display().to_string();
    setup::apt_get(&["install", "-y", "-qq", "--reinstall", deb.as_str()])?;
    let mut env = env.to_vec();
    env.push(("FOKUS_DEB", deb.as_str()));
    let outcome = display_test("tests/package.test.mjs", &env);
    setup::apt_get(&["remove", "-y", "-qq", "fokus-pi"])?;
    outcome
}

/// Runs a node test file that needs a display and a session bus (the real app), under Xvfb and
/// with a hang guard: a stuck app fails the run with a clear message instead of eating CI's time.
fn display_test(file: &str, env: &[(&str, &str)]) -> Result<()> {
    sh_env(
        "timeout",
        &[
            "--kill-after=10",
            "900",
            "xvfb-run",
            "-a",
            "dbus-run-session",
            "--",
            "node",
            "--test",
            "--test-reporter=spec",
            file,
        ],
        env,
    )
}

/// Regenerates the icon set from the one source SVG (needs rsvg-convert, ImageMagick, png2icns).
fn release_exe(name: &str) -> PathBuf {
    target_dir()
        .join("release")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// `cargo xtask bench`: release builds of the UI, server, app and fokus-bench; the in-process
/// measurements, then the real app under Xvfb (cold start, memory); one table, one JSON file.
fn bench() -> Result<()> {
    setup::ensure(setup::Purpose::Test)?;
    build_ui_release()?;
    let content = demo_content::build()?;
    sh(
        &cargo(),
        &[
            "build",
            "--release",
            "-p",
            "fokus-server",
            "-p",
            "fokus-bench",
            // Its first sync runs as a process of its own, for its peak memory.
            "-p",
            "fokus-sync",
        ],
    )?;
    make_snapshot(&release_exe("fokus-server"))?;
    sh(&cargo(), &["build", "--release", "-p", "fokus-app"])?;
    // The memory baseline: a blank Tauri window on the same WebKitGTK.
    sh(
        &cargo(),
        &[
            "build",
            "--release",
            "-p",
            "fokus-app",
            "--example",
            "blank_window",
        ],
    )?;
    let core = target_dir().join("bench-core.json");
    let app = target_dir().join("bench-app.json");
    let bench = release_exe("fokus-bench").display().to_string();
    let dist = root().join("src-ui/dist").display().to_string();
    let content = content.display().to_string();
    let core_path = core.display().to_string();
    let mut args = vec![
        "run",
        "--content",
        &content,
        "--dist",
        &dist,
        "--out",
        &core_path,
    ];
    if std::env::var_os("FOKUS_BENCH_QUICK").is_some() {
        args.push("--quick");
    }
    sh(&bench, &args)?;
    let app_bin = release_exe("fokus-app").display().to_string();
    let blank_bin = release_exe("examples/blank_window").display().to_string();
    let driver = setup::cargo_bin("tauri-driver").display().to_string();
    let app_path = app.display().to_string();
    sh_env(
        "xvfb-run",
        &[
            "-a",
            "dbus-run-session",
            "--",
            "node",
            "tests/bench-app.mjs",
            &app_path,
        ],
        &[
            ("FOKUS_APP_BIN", app_bin.as_str()),
            ("FOKUS_TAURI_DRIVER", driver.as_str()),
            ("FOKUS_BLANK_BIN", blank_bin.as_str()),
        ],
    )?;
    // The web measurements take the shell as a server sends it; the app was built without the
    // compressed copies.
    web::precompress(&root().join("src-ui/dist"))?;
    let web = target_dir().join("bench-web.json").display().to_string();
    let server_bin = release_exe("fokus-server").display().to_string();
    sh_env(
        "node",
        &["tests/bench-web.mjs", &web],
        &[
            ("FOKUS_SERVER_BIN", server_bin.as_str()),
            ("FOKUS_WEB_DIR", dist.as_str()),
            ("FOKUS_DEMO_CONTENT", content.as_str()),
        ],
    )?;
    let offline = target_dir()
        .join("bench-offline.json")
        .display()
        .to_string();
    sh_env(
        "node",
        &["tests/bench-offline.mjs", &core_path, &offline, &bench],
        &[
            ("FOKUS_SERVER_BIN", server_bin.as_str()),
            ("FOKUS_WEB_DIR", dist.as_str()),
            ("FOKUS_DEMO_CONTENT", content.as_str()),
        ],
    )?;
    let out = target_dir().join("bench.json").display().to_string();
    sh(
        &bench,
        &[
            "report", "--parts", &core_path, &app_path, &web, &offline, "--out", &out,
        ],
    )?;
    eprintln!("xtask: wrote {out}");
    Ok(())
}

fn icons() -> Result<()> {
    setup::ensure_apt(&["librsvg2-bin", "imagemagick", "icnsutils"])?;
    let source = "assets/brand/fokus-icon.svg";
    let tmp = target_dir().join("icons");
    std::fs::create_dir_all(&tmp)?;
    let png = |size: u32, path: &str| {
        sh(
            "rsvg-convert",
            &[
                "-w",
                &size.to_string(),
                "-h",
                &size.to_string(),
                source,
                "-o",
                path,
            ],
        )
    };
    png(32, "icons/32x32.png")?;
    png(128, "icons/128x128.png")?;
    png(256, "icons/128x128@2x.png")?;
    png(512, "icons/icon.png")?;
    let mut ico_parts = Vec::new();
    for size in [16, 24, 48, 64] {
        let path = tmp.join(format!("{size}.png")).display().to_string();
        png(size, &path)?;
        ico_parts.push(path);
    }
    let mut convert_args: Vec<&str> = ico_parts.iter().map(String::as_str).collect();
    convert_args.extend([
        "icons/32x32.png",
        "icons/128x128.png",
        "icons/128x128@2x.png",
        "icons/icon.ico",
    ]);
    sh("/usr/bin/convert", &convert_args)?;
    sh(
        "png2icns",
        &[
            "icons/icon.icns",
            "icons/icon.png",
            "icons/128x128.png",
            "icons/32x32.png",
        ],
    )
}
