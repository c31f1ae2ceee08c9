//! `fokus-bench`: the measurements behind `cargo xtask bench`, in one process so their ratios
//! hold on a shared machine: syncs against bare inserts and the best compression of the same
//! values, queries at 1×, 10× and 100× the demo, and the server under concurrent clients.
//! Timing lives here, never in tests.

mod baseline;
mod data;
mod report;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand};
use fokus_model::api;
use fokus_server::{app, AppState};
use fokus_store::Store;
use fokus_sync::Syncer;
use report::{percentile, Row};

#[derive(Parser)]
#[command(
    name = "fokus-bench",
    about = "FOKUS benchmarks (run through cargo xtask bench)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Measure sync, queries, load and bundle size; write the rows as JSON.
    Run {
        /// The demo content folder (target/demo-content).
        #[arg(long)]
        content: PathBuf,
        /// The built web UI (src-ui/dist), for bundle sizes.
        #[arg(long)]
        dist: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Skip the 100× dataset (several minutes to generate).
        #[arg(long)]
        quick: bool,
    },
    /// Write the synthetic dataset of `n` map areas as a server's data folder (its database), for
    /// the web measurements that need a server at 10× (`tests/bench-offline.mjs`).
    Synth {
        #[arg(long)]
        areas: usize,
        #[arg(long)]
        data_dir: PathBuf,
    },
    /// Merge row files, write them as one JSON file and print the Markdown table.
    Report {
        #[arg(long, required = true, num_args = 1..)]
        parts: Vec<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Run {
            content,
            dist,
            out,
            quick,
        } => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let rows = runtime.block_on(run(&content, &dist, quick))?;
            std::fs::write(&out, serde_json::to_vec_pretty(&rows)?)?;
            print!("{}", report::markdown(&rows));
        }
        Command::Synth { areas, data_dir } => {
            std::fs::create_dir_all(&data_dir)?;
            let mut store = Store::open(&fokus_server::database_path(&data_dir))?;
            // The instance name of the in-process 10× run, so both measure the same data.
            data::synthetic(&mut store, areas, &format!("bench-{}x", areas / 110))?;
        }
        Command::Report { parts, out } => {
            let mut rows: Vec<Row> = Vec::new();
            for part in parts {
                let text =
                    std::fs::read(&part).with_context(|| format!("reading {}", part.display()))?;
                rows.extend(serde_json::from_slice::<Vec<Row>>(&text)?);
            }
            std::fs::write(&out, serde_json::to_vec_pretty(&rows)?)?;
            print!("{}", report::markdown(&rows));
        }
    }
    Ok(())
}

fn log(text: &str) {
    eprintln!("bench: {text}");
}

/// Counts HTTP requests reaching the server: round trips per sync.
#[derive(Clone, Default)]
struct Requests(Arc<AtomicU64>);

async fn count_requests(
    axum::extract::State(requests): axum::extract::State<Requests>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    requests.0.fetch_add(1, Ordering::Relaxed);
    next.run(request).await
}

async fn serve(
    store: Store,
    blobs: Option<fokus_server::publish::BlobDir>,
) -> anyhow::Result<(SocketAddr, Requests)> {
    let requests = Requests::default();
    let mut state = AppState::new(store)?;
    if let Some(blobs) = blobs {
        state = state.with_blobs(blobs);
    }
    let router = app(state, None).layer(axum::middleware::from_fn_with_state(
        requests.clone(),
        count_requests,
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok((address, requests))
}

/// Bytes of an answer exactly as they cross the wire (status line, headers, body), for a GET
/// asking as the sync client asks (`Accept-Encoding: gzip, zstd`; the server prefers zstd).
/// A plain HTTP/1.1 exchange over a socket, so no client library adds or strips anything.
/// Returns (status, header bytes, body bytes).
async fn wire_bytes(url: &str, etag: Option<&str>) -> anyhow::Result<(u16, u64, u64)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").context("http URL")?;
    let (host, path) = rest.split_once('/').context("URL with a path")?;
    let mut stream = tokio::net::TcpStream::connect(host).await?;
    let mut request = format!(
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: gzip, zstd\r\nConnection: close\r\n"
    );
    if let Some(etag) = etag {
        request.push_str(&format!("If-None-Match: {etag}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let head_end = answer
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .context("an HTTP answer")?
        + 4;
    let status: u16 = String::from_utf8_lossy(&answer[..head_end])
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .context("a status code")?;
    Ok((status, head_end as u64, (answer.len() - head_end) as u64))
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    percentile(&samples, 0.5)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Runs `fokus-sync` as its own process into an empty `cache`; returns its wall time (process
/// start to exit) and peak resident memory (the kernel's high-water mark `VmHWM`, read every
/// millisecond until the process ends).
#[cfg(target_os = "linux")]
async fn sync_process(url: &str, cache: &Path) -> anyhow::Result<(f64, f64)> {
    let binary = std::env::current_exe()?.with_file_name("fokus-sync");
    let (url, cache) = (url.to_owned(), cache.to_owned());
    tokio::task::spawn_blocking(move || -> anyhow::Result<(f64, f64)> {
        let started = Instant::now();
        let mut child = std::process::Command::new(&binary)
            .args(["--server", &url, "--cache"])
            .arg(&cache)
            .stdout(std::process::Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let status_file = format!("/proc/{}/status", child.id());
        let mut peak_kib = 0u64;
        let status = loop {
            if let Ok(text) = std::fs::read_to_string(&status_file) {
                let high_water = text
                    .lines()
                    .find_map(|line| line.strip_prefix("VmHWM:"))
                    .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok());
                peak_kib = peak_kib.max(high_water.unwrap_or(0));
            }
            if let Some(status) = child.try_wait()? {
                break status;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        anyhow::ensure!(status.success(), "fokus-sync failed: {status}");
        Ok((ms(started.elapsed()), peak_kib as f64 / 1024.0))
    })
    .await?
}

/// A first sync of an empty cache at one scale: through the snapshot (as apps do) and, where
/// `json`, through the JSON feed, against the bare insert and the minimal encoding; the
/// `fokus-sync` process's peak memory.
async fn first_sync_rows(
    label: &str,
    url: &str,
    full_page: &fokus_model::FeedPage,
    work: &Path,
    runs: usize,
    json: bool,
) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    // Written and compressed once per revision: a first request warms the server's cache.
    let snapshot_url = format!("{url}{}", api::SNAPSHOT);
    let (status, _, _) = wire_bytes(&snapshot_url, None).await?;
    anyhow::ensure!(status == 200, "the server offers a snapshot, got {status}");
    let (_, _, snapshot_body) = wire_bytes(&snapshot_url, None).await?;

    let mut sync_times = Vec::new();
    let mut feed_times = Vec::new();
    let mut insert_times = Vec::new();
    for run in 0..runs {
        let cache = work.join(format!("cache-{label}-{run}.sqlite3"));
        let started = Instant::now();
        let outcome = Syncer::new(url, &cache)?.sync_once(1).await?;
        sync_times.push(ms(started.elapsed()));
        anyhow::ensure!(outcome.revision > 0, "the first sync arrived");
        if json {
            let cache = work.join(format!("feed-{label}-{run}.sqlite3"));
            let started = Instant::now();
            Syncer::new(url, &cache)?.feed_only().sync_once(1).await?;
            feed_times.push(ms(started.elapsed()));
            let _ = std::fs::remove_file(&cache);
        }
        let bare_path = work.join(format!("bare-{label}-{run}.sqlite3"));
        insert_times.push(ms(baseline::bare_insert(full_page, &bare_path)?));
        let _ = std::fs::remove_file(&bare_path);
        if run + 1 < runs {
            let _ = std::fs::remove_file(&cache);
        }
    }
    let insert_ms = median(insert_times);
    rows.push(Row::ratio(
        format!("{label}: first full sync (snapshot), wall time"),
        median(sync_times),
        "ms",
        "bare rusqlite insert of the same rows",
        insert_ms,
        Some(2.0),
    ));
    if json {
        rows.push(Row::ratio(
            format!("{label}: first full sync through the JSON feed (--feed-only), wall time"),
            median(feed_times),
            "ms",
            "bare rusqlite insert of the same rows",
            insert_ms,
            None,
        ));
    }
    let zstd_bytes = baseline::minimal_zstd(full_page)? as f64;
    rows.push(Row::ratio(
        format!("{label}: first full sync (snapshot), bytes on the wire"),
        snapshot_body as f64,
        "B",
        "zstd -19 of a minimal binary encoding",
        zstd_bytes,
        Some(1.3),
    ));
    if json {
        let (_, _, feed_body) = wire_bytes(&format!("{url}{}?since=0", api::FEED), None).await?;
        rows.push(Row::ratio(
            format!("{label}: JSON feed from revision 0, bytes on the wire (zstd body)"),
            feed_body as f64,
            "B",
            "zstd -19 of a minimal binary encoding",
            zstd_bytes,
            None,
        ));
    }
    #[cfg(target_os = "linux")]
    {
        let cache = work.join(format!("process-{label}.sqlite3"));
        let (wall, peak) = sync_process(url, &cache).await?;
        let _ = std::fs::remove_file(&cache);
        rows.push(Row::new(
            format!("{label}: fokus-sync process, first sync, peak resident memory"),
            peak,
            "MiB",
        ));
        rows.push(Row::new(
            format!("{label}: fokus-sync process, first sync incl. process start, wall time"),
            wall,
            "ms",
        ));
    }
    Ok(rows)
}

/// First full sync, its baselines, a no-change sync and a yearly update at one scale.
async fn sync_rows(
    label: &str,
    server_path: &Path,
    work: &Path,
    blobs: Option<fokus_server::publish::BlobDir>,
    runs: usize,
) -> anyhow::Result<Vec<Row>> {
    let server_store = Store::open(server_path)?;
    let full_page = server_store.feed_since(0)?;
    let (address, requests) = serve(server_store, blobs).await?;
    let url = format!("http://{address}");
    // Built and compressed once per revision: a first request warms the server's cache.
    wire_bytes(&format!("{url}{}?since=0", api::FEED), None).await?;
    let mut rows = first_sync_rows(label, &url, &full_page, work, runs, true).await?;
    drop(full_page);

    // No change: the cache predicts the ETag; one round trip, a 304 without body.
    let cache = work.join(format!("cache-{label}-{}.sqlite3", runs - 1));
    let syncer = Syncer::new(&url, &cache)?;
    let (instance, revision) = {
        let store = Store::open(&cache)?;
        (store.instance()?, store.revision()?)
    };
    let etag = api::feed_etag(&instance, revision, revision);
    let (status, headers, body) =
        wire_bytes(&format!("{url}{}?since={revision}", api::FEED), Some(&etag)).await?;
    anyhow::ensure!(status == 304, "a current client gets 304, got {status}");
    let before = requests.0.load(Ordering::Relaxed);
    let mut times = Vec::new();
    let n_syncs = 50;
    for _ in 0..n_syncs {
        let started = Instant::now();
        syncer.sync_once(2).await?;
        times.push(ms(started.elapsed()));
    }
    let round_trips = (requests.0.load(Ordering::Relaxed) - before) as f64 / f64::from(n_syncs);
    rows.push(
        Row::new(
            format!("{label}: no-change sync, round trips"),
            round_trips,
            "",
        )
        .at_most(1.0, "1"),
    );
    rows.push(
        Row::new(
            format!("{label}: no-change sync, bytes (headers; body {body} B)"),
            (headers + body) as f64,
            "B",
        )
        .at_most(1024.0, "< 1 KB"),
    );
    rows.push(Row::new(
        format!("{label}: no-change sync, time p50"),
        median(times),
        "ms",
    ));

    // A yearly update: a new year for every indicator in every reporting area.
    let mut writer = Store::open(server_path)?;
    let csv = data::new_year_csv(&writer)?;
    let imported = fokus_server::import_bytes(
        &mut writer,
        csv.as_bytes(),
        "Jahresupdate",
        3,
        false,
        Default::default(),
    )?
    .map_err(|error| anyhow::anyhow!("{error}"))?;
    let (_, headers, body) =
        wire_bytes(&format!("{url}{}?since={revision}", api::FEED), None).await?;
    let started = Instant::now();
    let outcome = syncer.sync_once(3).await?;
    let update_ms = ms(started.elapsed());
    anyhow::ensure!(outcome.revision > revision, "the update arrived");
    rows.push(Row::new(
        format!(
            "{label}: yearly update ({} values), bytes",
            imported.commit.new
        ),
        (headers + body) as f64,
        "B",
    ));
    rows.push(Row::new(
        format!("{label}: yearly update, sync time"),
        update_ms,
        "ms",
    ));
    Ok(rows)
}

/// p50 and p95 of the three read queries the UI makes, on a cache at some scale.
fn query_rows(label: &str, store: &Store, map_target_ms: Option<f64>) -> anyhow::Result<Vec<Row>> {
    let catalog = store.catalog()?;
    let display = catalog
        .dataset
        .clone()
        .unwrap_or_else(|| fokus_model::DatasetInfo::titled("", false));
    let area_ids: Vec<&str> = catalog
        .areas
        .iter()
        .filter(|area| display.is_map_kind(area.kind))
        .map(|area| area.id.as_str())
        .collect();
    let runs = 400;
    let mut map = Vec::with_capacity(runs);
    let mut profile = Vec::with_capacity(runs);
    let mut series = Vec::with_capacity(runs);
    for run in 0..runs {
        let indicator = &catalog.indicators[run % catalog.indicators.len()].id;
        let year = 2015 + (run % 11) as u16;
        let area = area_ids[(run * 7919) % area_ids.len()];
        let started = Instant::now();
        std::hint::black_box(store.map_view(indicator, year)?);
        map.push(ms(started.elapsed()));
        let started = Instant::now();
        std::hint::black_box(store.area_profile(area, Some(year))?);
        profile.push(ms(started.elapsed()));
        let started = Instant::now();
        std::hint::black_box(store.area_series(indicator, area)?);
        series.push(ms(started.elapsed()));
    }
    let mut rows = Vec::new();
    for (name, mut samples, target) in [
        (
            "map (indicator × year → all areas, references, class breaks)",
            map,
            map_target_ms,
        ),
        (
            "area profile (all indicators of one area and year)",
            profile,
            None,
        ),
        (
            "time series (one area and the references over 11 years)",
            series,
            None,
        ),
    ] {
        samples.sort_by(f64::total_cmp);
        rows.push(Row::new(
            format!("{label}: {name}, p50"),
            percentile(&samples, 0.5),
            "ms",
        ));
        let p95 = Row::new(
            format!("{label}: {name}, p95"),
            percentile(&samples, 0.95),
            "ms",
        );
        rows.push(match target {
            Some(limit) => p95.at_most(limit, &format!("< {limit} ms")),
            None => p95,
        });
    }
    Ok(rows)
}

/// The search over the 1× cache and over the same catalogue with ten times its content (each
/// item published ten times under other ids): query time p50/p95 and the index rebuild that runs
/// in every sync bringing content or catalogue changes.
fn search_rows(cache: &mut Store, work: &Path) -> anyhow::Result<Vec<Row>> {
    const QUERIES: [&str; 10] = [
        "Pflegeheim",
        "Kinder",
        "SGB II",
        "Elmshorn",
        "Eingliederungshilfe Ämter",
        "arbeitslos",
        "Wohnen Miete",
        "Bürgergeld",
        "Tagespflege",
        "Sozialausgaben Kreis",
    ];
    let catalog = cache.catalog()?;
    let content = cache.content_list(None)?;
    let mut ten = Store::open(&work.join("search-10x.sqlite3"))?;
    let copies: Vec<fokus_model::content::ContentItem> = (0..10)
        .flat_map(|copy| {
            content
                .iter()
                .map(move |item| fokus_model::content::ContentItem {
                    id: format!("{}-{copy}", item.id),
                    ..item.clone()
                })
        })
        .collect();
    let started = Instant::now();
    ten.commit_revision(
        "bench",
        0,
        &fokus_store::Changes {
            dataset: catalog.dataset.clone(),
            indicators: catalog.indicators.clone(),
            areas: catalog.areas.clone(),
            content: Some(copies),
            ..Default::default()
        },
    )?;
    let commit_10 = ms(started.elapsed());
    let mut rows = Vec::new();
    let mut p50 = [0.0; 2];
    let mut measure =
        |index: usize, label: &str, store: &mut Store, items: usize| -> anyhow::Result<()> {
            let runs = 20;
            let started = Instant::now();
            for _ in 0..runs {
                store.rebuild_search_index()?;
            }
            let rebuild = ms(started.elapsed()) / f64::from(runs);
            let mut samples = Vec::new();
            for run in 0..400 {
                let query = QUERIES[run % QUERIES.len()];
                let started = Instant::now();
                std::hint::black_box(store.search(query)?);
                samples.push(ms(started.elapsed()));
            }
            samples.sort_by(f64::total_cmp);
            p50[index] = percentile(&samples, 0.5);
            rows.push(Row::new(
                format!("{label}: search ({items} content items, 10 queries), p50"),
                p50[index],
                "ms",
            ));
            rows.push(Row::new(
                format!("{label}: search, p95"),
                percentile(&samples, 0.95),
                "ms",
            ));
            rows.push(Row::new(
                format!("{label}: search index rebuilt (in a sync that brings content)"),
                rebuild,
                "ms",
            ));
            Ok(())
        };
    measure(0, "1×", cache, content.len())?;
    measure(1, "10× content", &mut ten, content.len() * 10)?;
    rows.push(Row::ratio(
        "search p50, 10× content against 1×",
        p50[1],
        "ms",
        "1× p50",
        p50[0],
        None,
    ));
    rows.push(Row::new(
        "10× content: publish commit incl. index",
        commit_10,
        "ms",
    ));
    Ok(rows)
}

/// `total` requests from `clients` concurrent clients; syncs per second and p99 latency.
async fn load_rows(
    url: &str,
    clients: usize,
    total: usize,
    full: bool,
    etag: &str,
    revision: u64,
) -> anyhow::Result<Vec<Row>> {
    let client = reqwest::Client::builder()
        .no_gzip()
        .pool_max_idle_per_host(clients)
        .build()?;
    let per_client = total.div_ceil(clients);
    // The server builds and compresses a page once per revision, on its first request; the
    // load is measured against the built page (the cold build has its own row).
    let warm_up = client
        .get(format!("{url}{}?since=0", api::FEED))
        .header(reqwest::header::ACCEPT_ENCODING, "gzip")
        .send()
        .await?;
    warm_up.bytes().await?;
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        let client = client.clone();
        let url = if full {
            format!("{url}{}?since=0", api::FEED)
        } else {
            format!("{url}{}?since={revision}", api::FEED)
        };
        let etag = etag.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                let started = Instant::now();
                let mut request = client
                    .get(&url)
                    .header(reqwest::header::ACCEPT_ENCODING, "gzip");
                if !full {
                    request = request.header(reqwest::header::IF_NONE_MATCH, &etag);
                }
                let response = request.send().await?;
                let expected = if full { 200 } else { 304 };
                anyhow::ensure!(
                    response.status().as_u16() == expected,
                    "status {}",
                    response.status()
                );
                response.bytes().await?;
                latencies.push(ms(started.elapsed()));
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let kind = if full { "full" } else { "no-change" };
    Ok(vec![
        Row::new(
            format!("server, {clients} clients, {kind} syncs"),
            latencies.len() as f64 / elapsed,
            "syncs/s",
        ),
        Row::new(
            format!("server, {clients} clients, {kind} sync p99"),
            percentile(&latencies, 0.99),
            "ms",
        ),
    ])
}

fn gzip_len(bytes: &[u8]) -> anyhow::Result<usize> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

/// The UI's payload as shipped: the wasm, ECharts (the app's own bundle of the parts it uses)
/// and the rest of the JavaScript (the wasm-bindgen glue), raw and gzip, with the issue's
/// targets for the wasm and ECharts.
fn bundle_rows(dist: &Path) -> anyhow::Result<Vec<Row>> {
    let mut totals = [(0usize, 0usize); 3];
    for entry in std::fs::read_dir(dist).with_context(|| format!("reading {}", dist.display()))? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default();
        let kind = match path.extension().and_then(|ext| ext.to_str()) {
            Some("wasm") => 0,
            Some("js") if name.starts_with("echarts") => 1,
            Some("js") => 2,
            _ => continue,
        };
        let bytes = std::fs::read(&path)?;
        totals[kind].0 += bytes.len();
        totals[kind].1 += gzip_len(&bytes)?;
    }
    let targets = [Some(450_000.0), Some(200_000.0), None];
    let mut rows = Vec::new();
    for ((name, (raw, gzip)), target) in ["wasm", "ECharts", "JS glue (wasm-bindgen)"]
        .iter()
        .zip(totals)
        .zip(targets)
    {
        rows.push(Row::new(format!("UI bundle: {name}, raw"), raw as f64, "B"));
        let gzip_row = Row::new(format!("UI bundle: {name}, gzip"), gzip as f64, "B");
        rows.push(match target {
            Some(limit) => gzip_row.at_most(limit, &format!("≤ {} KB", limit / 1000.0)),
            None => gzip_row,
        });
    }
    // The web build's store worker (fokus-store and the sync plan on SQLite), loaded by the
    // offline web app only, reported on its own.
    let worker = dist.join("worker");
    let (mut raw, mut gzip) = (0, 0);
    for entry in
        std::fs::read_dir(&worker).with_context(|| format!("reading {}", worker.display()))?
    {
        let path = entry?.path();
        if matches!(
            path.extension().and_then(|ext| ext.to_str()),
            Some("wasm" | "js")
        ) {
            let bytes = std::fs::read(&path)?;
            raw += bytes.len();
            gzip += gzip_len(&bytes)?;
        }
    }
    rows.push(Row::new(
        "store worker (web): wasm + glue, raw",
        raw as f64,
        "B",
    ));
    rows.push(Row::new(
        "store worker (web): wasm + glue, gzip",
        gzip as f64,
        "B",
    ));
    Ok(rows)
}

async fn run(content: &Path, dist: &Path, quick: bool) -> anyhow::Result<Vec<Row>> {
    let work = tempfile::tempdir()?;
    let mut rows = Vec::new();

    log("1×: the demo");
    let server_path = work.path().join("server-1x.sqlite3");
    let blobs = fokus_server::publish::BlobDir::new(work.path().join("blobs"));
    drop(data::demo_server(&server_path, &blobs, content)?);
    rows.extend(sync_rows("1×", &server_path, work.path(), Some(blobs.clone()), 5).await?);
    let mut cache = Store::open(&work.path().join("cache-1×-4.sqlite3"))?;
    rows.extend(query_rows("1×", &cache, Some(1.0))?);
    log("search at 1× and 10× content");
    rows.extend(search_rows(&mut cache, work.path())?);

    log("server under load");
    let server_store = Store::open(&server_path)?;
    let (instance, revision) = (server_store.instance()?, server_store.revision()?);
    let (address, _) = serve(server_store, None).await?;
    let url = format!("http://{address}");
    let etag = api::feed_etag(&instance, revision, revision);
    // The first request after a revision waits for the page to be built and compressed (zstd
    // -19 and gzip, once per revision); every later one is served from memory. Without this row
    // the cold build landed in the tail of whichever load ran first (the 50-client full syncs'
    // p99 of 0.84 s in the run of 2026-11-25).
    let cold = Instant::now();
    reqwest::Client::builder()
        .no_gzip()
        .build()?
        .get(format!("{url}{}?since=0", api::FEED))
        .header(reqwest::header::ACCEPT_ENCODING, "gzip")
        .send()
        .await?
        .bytes()
        .await?;
    rows.push(Row::new(
        "server: first full sync after a revision (builds and compresses the page)",
        ms(cold.elapsed()),
        "ms",
    ));
    for (clients, total, full) in [
        (50, 20_000, false),
        (500, 20_000, false),
        (50, 500, true),
        (500, 1_000, true),
    ] {
        rows.extend(load_rows(&url, clients, total, full, &etag, revision).await?);
    }

    log("10×: 1,100 Gemeinden (all of Schleswig-Holstein), synthetic values");
    let server_10 = work.path().join("server-10x.sqlite3");
    {
        let mut store = Store::open(&server_10)?;
        data::synthetic(&mut store, 1_100, "bench-10x")?;
    }
    rows.extend(sync_rows("10×", &server_10, work.path(), None, 1).await?);
    let cache = Store::open(&work.path().join("cache-10×-0.sqlite3"))?;
    rows.extend(query_rows("10×", &cache, None)?);

    if !quick {
        log("100×: 11,000 Gemeinden (all of Germany), synthetic values; generating takes a while");
        let path_100 = work.path().join("cache-100x.sqlite3");
        let mut store = Store::open(&path_100)?;
        let started = Instant::now();
        data::synthetic(&mut store, 11_000, "bench-100x")?;
        log(&format!(
            "100× generated in {:.0} s",
            started.elapsed().as_secs_f64()
        ));
        let values = store.status()?.observations;
        rows.push(Row::new("100×: values in the cache", values as f64, ""));
        rows.extend(query_rows("100×", &store, Some(20.0))?);
        // The whole 100× dataset as one feed page is larger than the client accepts.
        let full_page = store.feed_since(0)?;
        let page_bytes = serde_json::to_vec(&full_page)?.len();
        rows.push(Row::new(
            "100×: one-page full feed, JSON bytes (client limit 268,435,456)",
            page_bytes as f64,
            "B",
        ));
        // An empty cache syncs from the snapshot: a file copy, in bounded memory.
        drop(store);
        let (address, _) = serve(Store::open(&path_100)?, None).await?;
        let started = Instant::now();
        let (status, _, _) =
            wire_bytes(&format!("http://{address}{}", api::SNAPSHOT), None).await?;
        anyhow::ensure!(status == 200, "the 100× server offers a snapshot");
        rows.push(Row::new(
            "100×: server writes and compresses the snapshot (once per revision)",
            ms(started.elapsed()),
            "ms",
        ));
        rows.extend(
            first_sync_rows(
                "100×",
                &format!("http://{address}"),
                &full_page,
                work.path(),
                1,
                false,
            )
            .await?,
        );
    }

    rows.extend(bundle_rows(dist)?);
    Ok(rows)
}
