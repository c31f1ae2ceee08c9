//! Crash safety: `kill -9` a syncing `fokus-sync` process at random moments, many times, while
//! the server keeps publishing revisions. After every kill the cache must pass SQLite's
//! integrity check and hold exactly the server's state at the revision it records; at the end
//! a sync must complete. `FOKUS_KILL_RUNS` sets the count (default 200).

use std::process::Command;
use std::time::Duration;

use fokus_model::{Cell, Observation};
use fokus_server::{app, load_demo, AppState};
use fokus_store::{Changes, Store};

/// xorshift64*: the test's randomness comes from a fixed seed so a failure can be replayed.
struct Random(u64);

impl Random {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % bound
    }
}

#[test]
fn kill_9_at_random_points_never_corrupts_the_cache() {
    let runs: usize = std::env::var("FOKUS_KILL_RUNS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let server_path = dir.path().join("server.sqlite3");
    let mut server = Store::open(&server_path).unwrap();
    load_demo(&mut server, 1).unwrap();
    // An identity, as `fokus-server init` gives: the server then offers snapshots, and an empty
    // cache's first sync (the first run, and every run after a kill before it completed) copies
    // one in.
    server.ensure_instance("kill-test").unwrap();
    // Observation count at each revision: what a cache at that revision must hold. The demo
    // deletes nothing, so a revision holds every value but those changed after it.
    let total = server.status().unwrap().observations;
    let mut counts: Vec<u64> = (0..=server.revision().unwrap())
        .map(|revision| total - server.feed_since(revision).unwrap().observations.len() as u64)
        .collect();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let address = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = app(
            AppState::new(Store::open(&server_path).unwrap()).unwrap(),
            None,
        );
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        address
    });
    let url = format!("http://{address}");
    // Kill within 1.5x the time a whole first sync takes here, so the kills spread over process
    // start, download, apply and exit whatever the machine's speed. The server builds and
    // compresses a page once per revision: a first sync warms that, so the timed one is typical.
    let warm_up = Command::new(env!("CARGO_BIN_EXE_fokus-sync"))
        .args(["--server", &url, "--cache"])
        .arg(dir.path().join("warm-up.sqlite3"))
        .output()
        .unwrap();
    assert!(
        warm_up.status.success(),
        "an undisturbed sync works: {}",
        String::from_utf8_lossy(&warm_up.stderr)
    );
    let timed = std::time::Instant::now();
    let first = Command::new(env!("CARGO_BIN_EXE_fokus-sync"))
        .args(["--server", &url, "--cache"])
        .arg(dir.path().join("timing.sqlite3"))
        .output()
        .unwrap();
    assert!(first.status.success(), "an undisturbed sync works");
    let window_us = (timed.elapsed().as_micros() as u64 * 3 / 2).max(1_000);

    let cache = dir.path().join("cache.sqlite3");
    let mut random = Random(0x5EED_F0C5);
    let (mut unchanged, mut advanced, mut from_empty) = (0usize, 0usize, 0usize);

    for run in 0..runs {
        if run % 4 == 0 {
            // A new revision with a few hundred new cells, so kills also hit delta syncs.
            let year = 2026 + (run / 4 % 5) as u16;
            let observations = server
                .catalog()
                .unwrap()
                .areas
                .iter()
                .flat_map(|area| {
                    ["sgb2_quote", "arbeitslosenquote"].map(|indicator| {
                        Observation::new(indicator, &area.id, year, Cell::Value(run as f64 + 0.5))
                    })
                })
                .collect();
            let summary = server
                .commit_revision(
                    "Import",
                    run as i64,
                    &Changes {
                        observations,
                        ..Changes::default()
                    },
                )
                .unwrap();
            assert!(summary.revision.is_some(), "every import brings new values");
            counts.push(server.status().unwrap().observations);
        }
        if run % 10 == 2 {
            // A new device: the next syncs start from an empty cache, through the snapshot.
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", cache.display()));
            }
        }
        let before = Store::open(&cache)
            .map(|store| store.revision().unwrap())
            .unwrap_or(0);
        // The server builds and compresses each page once per revision (about a second at
        // zstd level 19 in a test build); ask for it first, so the kills hit the client's
        // download and apply rather than a wait for the server.
        if before == 0 {
            from_empty += 1;
        }
        let warm = if before == 0 {
            format!("{url}{}", fokus_model::api::SNAPSHOT)
        } else {
            format!("{url}{}?since={before}", fokus_model::api::FEED)
        };
        runtime.block_on(async { reqwest::get(&warm).await.unwrap().bytes().await.unwrap() });
        let mut child = Command::new(env!("CARGO_BIN_EXE_fokus-sync"))
            .args(["--server", &url, "--cache"])
            .arg(&cache)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(random.below(window_us)));
        child.kill().unwrap(); // SIGKILL on Unix: no destructor, no rollback hook runs
        child.wait().unwrap();

        let store = Store::open(&cache).expect("the cache opens after a kill");
        assert!(
            store.integrity_ok().unwrap(),
            "run {run}: PRAGMA integrity_check passes"
        );
        let revision = store.revision().unwrap();
        let observations = store.status().unwrap().observations;
        assert_eq!(
            observations, counts[revision as usize],
            "run {run}: the cache is exactly at revision {revision}"
        );
        if revision == before {
            unchanged += 1;
        } else {
            advanced += 1;
        }
    }

    let outcome = Command::new(env!("CARGO_BIN_EXE_fokus-sync"))
        .args(["--server", &url, "--cache"])
        .arg(&cache)
        .output()
        .unwrap();
    assert!(
        outcome.status.success(),
        "a sync after all the kills completes: {}",
        String::from_utf8_lossy(&outcome.stderr)
    );
    let download = dir.path().join("cache.sqlite3.snapshot-download");
    assert!(
        !download.exists(),
        "no download is left behind, not even one a kill cut off"
    );
    let store = Store::open(&cache).unwrap();
    assert_eq!(
        store.status().unwrap(),
        server.status().unwrap(),
        "and reaches the server's state"
    );
    eprintln!(
        "kill test: {runs} kills within {window_us} µs of start: {advanced} after a completed apply, \
         {unchanged} before or during one; {from_empty} of them on an empty cache (snapshot)"
    );
    assert!(from_empty > 0, "kills hit the first sync from a snapshot");
    assert!(
        runs < 20 || (advanced > 0 && unchanged > 0),
        "kills landed both before and after commits"
    );
}
