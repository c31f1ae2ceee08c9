//! The sync against a real server on 127.0.0.1:0: first sync, no-change sync, delta with news,
//! offline, and hostile answers that must leave the cache untouched.

use std::net::SocketAddr;

use axum::routing::get;
use fokus_server::{app, import_bytes, load_demo, AppState};
use fokus_store::Store;
use fokus_sync::{SyncError, Syncer};

mod hostile;

async fn spawn(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    address
}

/// Imports a BI export into the server's store as one revision.
fn import(store: &mut Store, csv: &str, now: i64) {
    import_bytes(
        store,
        csv.as_bytes(),
        "Import",
        now,
        false,
        Default::default(),
    )
    .unwrap()
    .unwrap();
}

/// The demo loads as a county's data would: its configuration, then four BI exports (values,
/// population, Sozialausgaben, budget totals), one revision each.
const DEMO: u64 = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_sync_then_nothing_then_a_delta_with_news() {
    let dir = tempfile::tempdir().unwrap();
    let server_path = dir.path().join("server.sqlite3");
    let mut server_store = Store::open(&server_path).unwrap();
    load_demo(&mut server_store, 1).unwrap();
    let address = spawn(app(
        AppState::new(Store::open(&server_path).unwrap()).unwrap(),
        None,
    ))
    .await;
    let reports = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink_reports = reports.clone();
    let syncer = Syncer::new(
        &format!("http://{address}"),
        &dir.path().join("cache.sqlite3"),
    )
    .unwrap()
    .on_progress(fokus_sync::ProgressSink(std::sync::Arc::new(
        move |progress| sink_reports.lock().unwrap().push(progress),
    )));

    let first = syncer.sync_once(100).await.unwrap();
    let reports = reports.lock().unwrap().clone();
    let feed: Vec<_> = reports
        .iter()
        .filter(|report| report.phase == fokus_model::news::SyncPhase::Feed)
        .collect();
    let total = feed[0]
        .total_bytes
        .expect("the server announces the feed's size");
    assert!(
        total > 1_000_000,
        "the full demo feed is over a megabyte of JSON: {total}"
    );
    assert!(
        feed.len() > 3 && feed.windows(2).all(|pair| pair[0].bytes <= pair[1].bytes),
        "a long first sync reports its progress several times, never backwards: {}",
        feed.len()
    );
    assert_eq!(
        feed.last().unwrap().bytes,
        total,
        "and ends at the announced size"
    );
    assert!(
        reports
            .iter()
            .any(|report| report.phase == fokus_model::news::SyncPhase::Apply),
        "then says it is writing"
    );
    assert_eq!(
        (first.revision_before, first.revision),
        (0, DEMO),
        "empty cache catches up to the demo's revision"
    );
    assert!(first.news.is_empty(), "the first sync is not announced");
    let cache = Store::open(syncer.cache_path()).unwrap();
    assert_eq!(
        cache.status().unwrap(),
        server_store.status().unwrap(),
        "cache holds what the server holds"
    );
    assert_eq!(cache.last_sync().unwrap(), Some(100), "sync time recorded");

    let again = syncer.sync_once(200).await.unwrap();
    assert_eq!(
        (again.revision, again.applied),
        (DEMO, None),
        "nothing new: nothing applied"
    );

    let csv = "kennzahl;gebiet;jahr;wert\nsgb2_quote;010560015;2026;9,9\narbeitslosenquote;010560015;2026;6,1\n";
    import(&mut server_store, csv, 3);
    let delta = syncer.sync_once(300).await.unwrap();
    assert_eq!(delta.revision, DEMO + 1, "the import's revision arrives");
    assert_eq!(
        delta.applied.map(|applied| applied.observations),
        Some(2),
        "only the two imported rows travel"
    );
    let texts: Vec<&str> = delta.news.iter().map(|news| news.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Neue Daten im Sozialbericht: 2 Kennzahlen für 2026"],
        "news names what is new"
    );
}

#[tokio::test]
async fn offline_is_reported_as_offline() {
    let dir = tempfile::tempdir().unwrap();
    // Bind and drop to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let syncer = Syncer::new(
        &format!("http://127.0.0.1:{port}"),
        &dir.path().join("cache.sqlite3"),
    )
    .unwrap();
    let error = syncer.sync_once(1).await.unwrap_err();
    assert!(
        error.is_offline(),
        "connection refused means offline, not broken: {error}"
    );
}

/// The cache of a refused first sync: still at revision 0, nothing written.
fn assert_untouched(syncer: &Syncer, why: &str) {
    let cache = Store::open(syncer.cache_path()).unwrap();
    assert_eq!(
        cache.revision().unwrap(),
        0,
        "{why}: cache stays at its revision"
    );
    assert_eq!(
        cache.status().unwrap().observations,
        0,
        "{why}: nothing written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_answers_leave_the_cache_untouched() {
    let mut server_store = Store::open_in_memory().unwrap();
    load_demo(&mut server_store, 1).unwrap();
    let good = server_store.feed_since(0).unwrap();
    for case in hostile::cases(&good) {
        let dir = tempfile::tempdir().unwrap();
        let case = std::sync::Arc::new(case);
        let answer = std::sync::Arc::clone(&case);
        let router = axum::Router::new().route(
            fokus_model::api::FEED,
            get(move || {
                let answer = std::sync::Arc::clone(&answer);
                async move { answer.response() }
            }),
        );
        let address = spawn(router).await;
        let syncer = Syncer::with_stall_timeout(
            &format!("http://{address}"),
            &dir.path().join("cache.sqlite3"),
            std::time::Duration::from_secs(1),
        )
        .unwrap();
        let why = case.why;
        let error = syncer.sync_once(1).await.unwrap_err();
        if case.offline {
            assert!(
                error.is_offline(),
                "{why}: treated like a lost connection: {error}"
            );
        } else {
            assert!(
                matches!(error, SyncError::InvalidAnswer(_)),
                "{why}: {error}"
            );
        }
        assert_untouched(&syncer, why);
    }
}

/// A server rebuilt from scratch (new database, new identity) must not be mixed with what the
/// cache holds from the old one: the client replaces its cache in full, whether the new server
/// is behind the cache's revision, at the same revision number, or ahead of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuilt_server_makes_the_client_replace_its_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache.sqlite3");
    // (server instance, imports after the demo = revision - 1, why)
    let servers: [(&str, usize, &str); 4] = [
        (
            "old-server",
            2,
            "an empty cache fills from the first server",
        ),
        (
            "rebuilt-server",
            0,
            "a server behind the cache (revision 1 < 3)",
        ),
        (
            "twin-server",
            0,
            "another instance at the same revision number",
        ),
        ("other-server", 3, "another instance ahead of the cache"),
    ];
    for (now, (instance, n_imports, why)) in servers.into_iter().enumerate() {
        let path = dir.path().join(format!("{instance}.sqlite3"));
        let mut server = Store::open(&path).unwrap();
        server.ensure_instance(instance).unwrap();
        load_demo(&mut server, 1).unwrap();
        for import_idx in 0..n_imports {
            let csv =
                format!("kennzahl;gebiet;jahr;wert\nsgb2_quote;010560015;2026;{import_idx},5\n");
            import(&mut server, &csv, 2);
        }
        let address = spawn(app(
            AppState::new(Store::open(&path).unwrap()).unwrap(),
            None,
        ))
        .await;
        let outcome = Syncer::new(&format!("http://{address}"), &cache)
            .unwrap()
            .sync_once(now as i64)
            .await
            .unwrap();

        assert_eq!(
            outcome.revision,
            n_imports as u64 + DEMO,
            "{why}: the cache takes the server's revision"
        );
        assert!(
            outcome.applied.is_some(),
            "{why}: never a 304 for another instance's data"
        );
        let cached = Store::open(&cache).unwrap();
        assert!(cached.integrity_ok().unwrap(), "{why}: intact");
        assert_eq!(
            cached.instance().unwrap(),
            instance,
            "{why}: the cache mirrors this server now"
        );
        assert_eq!(
            cached.status().unwrap(),
            server.status().unwrap(),
            "{why}: same counts"
        );
        assert_eq!(
            cached.map_view("sgb2_quote", 2026).unwrap(),
            server.map_view("sgb2_quote", 2026).unwrap(),
            "{why}: nothing of an earlier server's 2026 imports survives"
        );
    }
}

/// A content folder with a document, captions and a video, published on `server`.
fn publish_media(
    server: &mut Store,
    blobs: &fokus_server::publish::BlobDir,
    folder: &std::path::Path,
    pdf: &[u8],
    video: &[u8],
) {
    let write = |path: &str, bytes: &[u8]| {
        let path = folder.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    write("dokumente/methodik.md", "+++\nart = \"dokument\"\ntitel = \"Methodik\"\ndatum = 2025-02-10\nkategorie = \"Grundlagen\"\ndateien = [\"methodik.pdf\"]\n+++\n".as_bytes());
    write("dokumente/methodik.pdf", pdf);
    write("video/film.md", "+++\nart = \"video\"\ntitel = \"Film\"\ndatum = 2025-01-20\nvideo = \"film.webm\"\nuntertitel = \"film.vtt\"\n+++\n".as_bytes());
    write("video/film.webm", video);
    write(
        "video/film.vtt",
        b"WEBVTT\n\n00:00.000 --> 00:01.000\nHallo\n",
    );
    fokus_server::publish_dir(server, blobs, folder, 5)
        .unwrap()
        .unwrap();
}

/// A demo server with `pdf` and `video` published in `dir`, and an app's syncer after its first
/// sync: the server's store, blob folder and content folder, for a test to change.
struct MediaServer {
    store: Store,
    blobs: fokus_server::publish::BlobDir,
    folder: std::path::PathBuf,
    syncer: Syncer,
}

async fn media_server(dir: &std::path::Path, pdf: &[u8], video: &[u8]) -> MediaServer {
    let server_path = dir.join("server.sqlite3");
    let blobs = fokus_server::publish::BlobDir::new(dir.join("server-blobs"));
    let mut store = Store::open(&server_path).unwrap();
    load_demo(&mut store, 1).unwrap();
    let folder = dir.join("inhalte");
    publish_media(&mut store, &blobs, &folder, pdf, video);
    let address = spawn(app(
        AppState::new(Store::open(&server_path).unwrap())
            .unwrap()
            .with_blobs(blobs.clone()),
        None,
    ))
    .await;
    let cache_dir = dir.join("app");
    std::fs::create_dir_all(&cache_dir).unwrap();
    let syncer = Syncer::new(
        &format!("http://{address}"),
        &cache_dir.join("cache.sqlite3"),
    )
    .unwrap();
    syncer.sync_once(10).await.unwrap();
    MediaServer {
        store,
        blobs,
        folder,
        syncer,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_are_checked_resumed_fetched_on_request_and_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = b"%PDF-1.7 Methodik".repeat(500);
    let video: Vec<u8> = (0..100_000u32).map(|index| (index % 251) as u8).collect();
    let MediaServer {
        store: mut server_store,
        blobs,
        folder,
        syncer,
    } = media_server(dir.path(), &pdf, &video).await;

    let outcome = syncer
        .sync_media(fokus_sync::MediaPolicy::default())
        .await
        .unwrap();
    assert_eq!(
        (outcome.downloaded, outcome.failed),
        (2, 0),
        "the document and the captions, not the video"
    );
    let cache = Store::open(syncer.cache_path()).unwrap();
    let items = cache.content_list(None).unwrap();
    let media_of = |role| {
        items
            .iter()
            .flat_map(|item| item.media.iter())
            .find(|media| media.role == role)
            .unwrap()
            .clone()
    };
    let pdf_ref = media_of(fokus_model::content::MediaRole::File);
    let video_ref = media_of(fokus_model::content::MediaRole::Video);
    assert_eq!(
        std::fs::read(syncer.blob_file(&pdf_ref.sha256).unwrap()).unwrap(),
        pdf,
        "the document arrived whole"
    );
    assert!(
        syncer.blob_file(&video_ref.sha256).is_none(),
        "videos only on request"
    );
    let again = syncer
        .sync_media(fokus_sync::MediaPolicy::default())
        .await
        .unwrap();
    assert_eq!(again.downloaded, 0, "nothing twice");

    // An interrupted download left the first 40,000 bytes: asking for the video resumes there.
    let partial = syncer
        .blob_dir()
        .join(format!("{}.partial", video_ref.sha256));
    std::fs::write(&partial, &video[..40_000]).unwrap();
    let transferred = syncer.fetch_blob(&video_ref).await.unwrap();
    assert_eq!(
        transferred, 60_000,
        "only the missing bytes travel (Range request)"
    );
    assert_eq!(
        std::fs::read(syncer.blob_file(&video_ref.sha256).unwrap()).unwrap(),
        video,
        "the resumed file is exactly the video"
    );
    assert!(!partial.exists(), "the partial file became the blob");

    // A partial download whose bytes are wrong is caught by the hash and thrown away.
    let mut wrong = pdf_ref.clone();
    wrong.sha256 = "ab".repeat(32);
    let error = syncer.fetch_blob(&wrong).await.unwrap_err();
    assert!(
        matches!(error, SyncError::InvalidAnswer(_)),
        "unknown blob: {error}"
    );
    let corrupted = syncer
        .blob_dir()
        .join(format!("{}.partial", pdf_ref.sha256));
    std::fs::remove_file(syncer.blob_file(&pdf_ref.sha256).unwrap()).unwrap();
    std::fs::write(&corrupted, b"%PDF-1.7 Falsch").unwrap();
    let error = syncer.fetch_blob(&pdf_ref).await.unwrap_err();
    assert!(
        matches!(&error, SyncError::InvalidAnswer(message) if message.contains("Prüfsumme")),
        "a wrong hash is refused: {error}"
    );
    assert!(
        !corrupted.exists() && syncer.blob_file(&pdf_ref.sha256).is_none(),
        "and nothing of it kept"
    );
    syncer.fetch_blob(&pdf_ref).await.unwrap();

    // The document is withdrawn: its file goes at the next sync.
    std::fs::remove_file(folder.join("dokumente/methodik.md")).unwrap();
    fokus_server::publish_dir(&mut server_store, &blobs, &folder, 6)
        .unwrap()
        .unwrap();
    syncer.sync_once(20).await.unwrap();
    let pruned = syncer
        .sync_media(fokus_sync::MediaPolicy::default())
        .await
        .unwrap();
    assert_eq!(pruned.pruned, 1, "the withdrawn document's file is removed");
    assert!(
        syncer.blob_file(&pdf_ref.sha256).is_none(),
        "gone from disk"
    );
    assert!(
        syncer.blob_file(&video_ref.sha256).is_some(),
        "the fetched video stays"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_followed_to_the_same_server_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut server_store = Store::open_in_memory().unwrap();
    load_demo(&mut server_store, 1).unwrap();
    let page = serde_json::to_string(&server_store.feed_since(0).unwrap()).unwrap();

    // A server behind a caching proxy sends the client to the immutable page on itself.
    let cached = spawn(app(
        AppState::new(server_store)
            .unwrap()
            .with_feed_redirect(true),
        None,
    ))
    .await;
    let outcome = Syncer::new(
        &format!("http://{cached}"),
        &dir.path().join("cache.sqlite3"),
    )
    .unwrap()
    .sync_once(1)
    .await
    .unwrap();
    assert_eq!(
        outcome.revision, DEMO,
        "one hop to the feed page on the same server"
    );

    // A hostile or hijacked server sends it elsewhere, with a perfectly good feed waiting there.
    let elsewhere = spawn(axum::Router::new().route(
        fokus_model::api::FEED,
        get(move || {
            let page = page.clone();
            async move { page }
        }),
    ))
    .await;
    let redirecting = spawn(axum::Router::new().route(
        fokus_model::api::FEED,
        get(move || async move {
            axum::response::Redirect::to(&format!(
                "http://{elsewhere}{}?since=0",
                fokus_model::api::FEED
            ))
        }),
    ))
    .await;
    let fresh = dir.path().join("fresh.sqlite3");
    let error = Syncer::new(&format!("http://{redirecting}"), &fresh)
        .unwrap()
        .sync_once(1)
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Weiterleitung nach http://127.0.0.1"),
        "the redirect to another origin is refused by name: {error}"
    );
    assert_eq!(
        Store::open(&fresh).unwrap().revision().unwrap(),
        0,
        "nothing from the other server reached the cache"
    );
}

/// A feed whose HTML carries script is cleaned by the app's own copy of the HTML policy, and
/// invisible characters leave file names (file types the app would run are refused as a whole:
/// `hostile::cases`): what a hostile server or a proxy in between sends runs nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_content_is_cleaned() {
    let mut server_store = Store::open_in_memory().unwrap();
    load_demo(&mut server_store, 1).unwrap();
    let good = server_store.feed_since(0).unwrap();
    let document =
        |name: &str, mime: &str, body: &str| hostile::with_document(&good, name, mime, body);
    let serve = |feed: String| async move {
        let router = axum::Router::new().route(
            fokus_model::api::FEED,
            get(move || {
                let feed = feed.clone();
                async move { feed }
            }),
        );
        spawn(router).await
    };
    let hostile_body = concat!(
        "<p>Vorher</p><script>alert(1)</script>",
        r#"<meta http-equiv="refresh" content="0;url=https://evil.example">"#,
        r#"<base href="https://evil.example/">"#,
        r#"<form action="https://evil.example"><button>Senden</button></form>"#,
        r#"<p><a href="javascript:alert(2)" onclick="alert(3)">Link</a></p>"#,
        r#"<img src="x" onerror="alert(4)"><p>Nachher</p>"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let address = serve(document(
        "Methodik\u{200F}.pdf",
        "application/pdf",
        hostile_body,
    ))
    .await;
    let syncer = Syncer::new(
        &format!("http://{address}"),
        &dir.path().join("cache.sqlite3"),
    )
    .unwrap();
    syncer.sync_once(1).await.unwrap();
    let cache = Store::open(syncer.cache_path()).unwrap();
    let item = cache.content_item("dokumente/methodik").unwrap();
    for gone in [
        "<script",
        "<meta",
        "<base",
        "<form",
        "javascript:",
        "onclick",
        "onerror",
        "<img",
        "alert",
    ] {
        assert!(
            !item.body_html.contains(gone),
            "{gone} removed: {}",
            item.body_html
        );
    }
    assert!(
        item.body_html.contains("<p>Vorher</p>") && item.body_html.contains("<p>Nachher</p>"),
        "the text stays readable: {}",
        item.body_html
    );
    assert_eq!(
        item.media[0].name, "Methodik.pdf",
        "invisible characters stripped from the name"
    );
}

/// Several downloads of one file at once (a sync's media pass and a click on the video) share
/// one download: the file on disk is whole and has its hash, and a `.partial` file someone else
/// holds is left to them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_downloads_of_one_blob_write_one_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let video: Vec<u8> = (0..3_000_000u32).map(|index| (index % 253) as u8).collect();
    let syncer = media_server(dir.path(), b"%PDF-1.7", &video).await.syncer;
    let video_ref = Store::open(syncer.cache_path())
        .unwrap()
        .content_list(None)
        .unwrap()
        .iter()
        .flat_map(|item| item.media.clone())
        .find(|media| media.role == fokus_model::content::MediaRole::Video)
        .unwrap();

    let downloads: Vec<_> = (0..6)
        .map(|_| {
            let (syncer, media) = (syncer.clone(), video_ref.clone());
            tokio::spawn(async move { syncer.fetch_blob(&media).await })
        })
        .collect();
    let mut transferred = 0;
    for download in downloads {
        transferred += download.await.unwrap().unwrap();
    }
    assert_eq!(
        transferred,
        video.len() as u64,
        "one download, the others waited for it"
    );
    assert_eq!(
        std::fs::read(syncer.blob_file(&video_ref.sha256).unwrap()).unwrap(),
        video,
        "whole"
    );

    // Another process holding the partial file of a second download: this one leaves it.
    let pdf_ref = Store::open(syncer.cache_path())
        .unwrap()
        .content_list(None)
        .unwrap()
        .iter()
        .flat_map(|item| item.media.clone())
        .find(|media| media.role == fokus_model::content::MediaRole::File)
        .unwrap();
    let partial = syncer
        .blob_dir()
        .join(format!("{}.partial", pdf_ref.sha256));
    let held = std::fs::File::create(&partial).unwrap();
    held.lock().unwrap();
    let error = syncer.fetch_blob(&pdf_ref).await.unwrap_err();
    assert!(error.to_string().contains("anderen Vorgang"), "{error}");
    held.unlock().unwrap();
    drop(held);

    // A partial file whose bytes are wrong (not what the server would send) is found out on
    // disk after the resume and thrown away, never recorded.
    std::fs::write(&partial, b"%PDF-1").unwrap();
    std::fs::write(&partial, b"XXXXXX").unwrap();
    let error = syncer.fetch_blob(&pdf_ref).await.unwrap_err();
    assert!(error.to_string().contains("Prüfsumme"), "{error}");
    assert!(syncer.blob_file(&pdf_ref.sha256).is_none(), "not kept");
    assert!(!Store::open(syncer.cache_path())
        .unwrap()
        .blob_hashes()
        .unwrap()
        .contains(&pdf_ref.sha256));
    syncer.fetch_blob(&pdf_ref).await.unwrap();
    assert_eq!(
        std::fs::read(syncer.blob_file(&pdf_ref.sha256).unwrap()).unwrap(),
        b"%PDF-1.7"
    );
}

/// A server restored from last night's backup makes its next revisions under numbers the apps
/// already have from the lost timeline. The revision fingerprints tell them apart: the app
/// replaces its data in full and ends at exactly the server's state, never keeping values from
/// the lost timeline (which the predicted ETag alone would have answered with 304).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_restored_from_a_backup_makes_apps_from_the_lost_timeline_resync() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut server = Store::open(&fokus_server::database_path(&data)).unwrap();
    load_demo(&mut server, 1).unwrap();
    let backup = dir.path().join("sicherung");
    fokus_server::backup(&server, &data, &backup).unwrap();

    // After the backup: an import the apps receive, then the server's disk is lost.
    import(
        &mut server,
        "kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2026;7,4\n",
        10,
    );
    let before_loss = spawn(app(AppState::new(server).unwrap(), None)).await;
    let cache = dir.path().join("app.sqlite3");
    let syncer = Syncer::new(&format!("http://{before_loss}"), &cache).unwrap();
    syncer.sync_once(11).await.unwrap();
    let lost_revision = Store::open(&cache).unwrap().revision().unwrap();

    // Restored from the backup (same identity), then a different import gets the same number.
    let mut restored = Store::open(&fokus_server::database_path(&backup)).unwrap();
    import(
        &mut restored,
        "kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2026;9,9\n",
        20,
    );
    assert_eq!(
        restored.revision().unwrap(),
        lost_revision,
        "the same number again"
    );
    let expected = restored.feed_since(0).unwrap();
    let after_restore = spawn(app(AppState::new(restored).unwrap(), None)).await;
    let syncer = Syncer::new(&format!("http://{after_restore}"), &cache).unwrap();
    let outcome = syncer.sync_once(21).await.unwrap();
    assert_eq!(outcome.revision, lost_revision);
    let client = Store::open(&cache).unwrap();
    let value = client
        .feed_since(0)
        .unwrap()
        .observations
        .iter()
        .find(|row| {
            row.key.indicator == "sgb2_quote" && row.key.area == "01056" && row.key.year == 2026
        })
        .and_then(|row| row.cell.value());
    assert_eq!(
        value,
        Some(9.9),
        "the restored server's value, not the lost one"
    );
    let mut mirrored = client.feed_since(0).unwrap();
    mirrored.instance.clone_from(&expected.instance);
    assert_eq!(
        mirrored.observations, expected.observations,
        "exactly the server's values"
    );
    assert_eq!(
        mirrored.revisions, expected.revisions,
        "and its revision log, fingerprints included"
    );
}

/// A demo server with an identity, as `fokus-server init` makes one, on a database file: it
/// offers snapshots. Returns the server's database path and address.
async fn snapshot_server(dir: &std::path::Path) -> (std::path::PathBuf, SocketAddr) {
    let server_path = dir.join("server.sqlite3");
    let mut server_store = Store::open(&server_path).unwrap();
    load_demo(&mut server_store, 1).unwrap();
    server_store.ensure_instance("kreis-test").unwrap();
    let address = spawn(app(
        AppState::new(Store::open(&server_path).unwrap()).unwrap(),
        None,
    ))
    .await;
    (server_path, address)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_cache_copies_the_servers_snapshot_and_goes_on_with_deltas() {
    let dir = tempfile::tempdir().unwrap();
    let (server_path, address) = snapshot_server(dir.path()).await;
    let cache_path = dir.path().join("cache.sqlite3");
    Store::open(&cache_path)
        .unwrap()
        .set_app_setting("server", &format!("http://{address}"))
        .unwrap();
    let reports = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink_reports = reports.clone();
    let syncer = Syncer::new(&format!("http://{address}"), &cache_path)
        .unwrap()
        .on_progress(fokus_sync::ProgressSink(std::sync::Arc::new(
            move |progress| sink_reports.lock().unwrap().push(progress),
        )));

    let first = syncer.sync_once(100).await.unwrap();
    assert_eq!((first.revision_before, first.revision), (0, DEMO));
    let snapshots = std::fs::read_dir(dir.path().join("server.sqlite3.snapshot"))
        .unwrap()
        .count();
    assert_eq!(
        snapshots, 1,
        "the server wrote the snapshot of its revision"
    );
    let downloaded = reports
        .lock()
        .unwrap()
        .iter()
        .filter(|progress| progress.phase == fokus_model::news::SyncPhase::Feed)
        .map(|progress| (progress.bytes, progress.total_bytes))
        .next_back();
    let (bytes, total) = downloaded.expect("download progress was reported");
    assert_eq!(Some(bytes), total, "the whole file arrived");

    let mut server = Store::open(&server_path).unwrap();
    let cache = Store::open(&cache_path).unwrap();
    let theirs = server.feed_since(0).unwrap();
    let ours = cache.feed_since(0).unwrap();
    assert_eq!(ours, theirs, "the cache holds what the server publishes");
    assert_eq!(
        cache.app_setting("server").unwrap(),
        Some(format!("http://{address}")),
        "the app's own settings survive"
    );
    assert_eq!(cache.last_sync().unwrap(), Some(100));
    assert!(!dir.path().join("cache.sqlite3.snapshot-download").exists());

    // A correction arrives as a delta from the snapshot's revision.
    import(
        &mut server,
        "kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2025;9,9\n",
        200,
    );
    let next = syncer.sync_once(300).await.unwrap();
    assert_eq!((next.revision_before, next.revision), (DEMO, DEMO + 1));
    assert!(
        next.applied
            .is_some_and(|applied| applied.observations == 1),
        "only the change travels"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_snapshots_never_enter_the_cache_and_the_feed_fills_it() {
    use axum::response::IntoResponse;
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let (server_path, _) = snapshot_server(dir.path()).await;
    let server = Store::open(&server_path).unwrap();
    let info = server.instance().unwrap();
    let write = |name: &str, damage: &str| -> Vec<u8> {
        let path = dir.path().join(name);
        server.write_snapshot(&path).unwrap();
        if !damage.is_empty() {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(&format!("PRAGMA foreign_keys = OFF; {damage}"))
                .unwrap();
        }
        std::fs::read(&path).unwrap()
    };
    let good = write("good.sqlite3", "");
    let year_1800 = write(
        "year.sqlite3",
        "UPDATE observation SET year = 1800 WHERE area = '01' AND year = 2016",
    );
    let sha = |bytes: &[u8]| -> String {
        sha2::Sha256::digest(bytes)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    };
    let zstd = |bytes: &[u8]| zstd::bulk::compress(bytes, 3).unwrap();
    let (good_zstd, year_1800_zstd) = (zstd(&good), zstd(&year_1800));
    // A database, then 64 MiB more than announced; and 64 MiB of nothing.
    let bomb = zstd(&[good.clone(), vec![0u8; 64 * 1024 * 1024]].concat());
    let zeros = zstd(&vec![0u8; 64 * 1024 * 1024]);
    // SQLite files FOKUS never writes: UTF-16 text, another page size.
    let other_database = |name: &str, pragma: &str| -> Vec<u8> {
        let path = dir.path().join(name);
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!(
            "{pragma}; CREATE TABLE meta(key TEXT, value TEXT);"
        ))
        .unwrap();
        drop(conn);
        std::fs::read(&path).unwrap()
    };
    let utf16 = other_database("utf16.sqlite3", "PRAGMA encoding = 'UTF-16le'");
    let large_pages = other_database("pages.sqlite3", "PRAGMA page_size = 8192");
    let (utf16_zstd, large_pages_zstd) = (zstd(&utf16), zstd(&large_pages));
    let cut = good_zstd[..1000].to_vec();
    // (why, body, announced sha of the body, announced size after decompression, revision,
    // what the error says)
    type Case = (&'static str, Vec<u8>, String, u64, u64, &'static str);
    let cases: Vec<Case> = vec![
        (
            "not zstd at all",
            b"<html>Wartungsarbeiten</html>".to_vec(),
            sha(b"<html>Wartungsarbeiten</html>"),
            good.len() as u64,
            DEMO,
            "nicht lesbar",
        ),
        (
            "a checksum that does not match",
            good_zstd.clone(),
            sha(b"anders"),
            good.len() as u64,
            DEMO,
            "Prüfsumme",
        ),
        (
            "cut off, announced with the whole file's checksum",
            cut.clone(),
            sha(&good_zstd),
            good.len() as u64,
            DEMO,
            "Prüfsumme",
        ),
        (
            "cut off, with its own checksum",
            cut.clone(),
            sha(&cut),
            good.len() as u64,
            DEMO,
            "statt der angekündigten",
        ),
        (
            "more than announced (a zstd bomb)",
            bomb.clone(),
            sha(&bomb),
            good.len() as u64,
            DEMO,
            "größer als angekündigt",
        ),
        (
            "a bomb of nothing announced as 1 GiB: stops at the header",
            zeros.clone(),
            sha(&zeros),
            1024 * 1024 * 1024,
            DEMO,
            "keine SQLite-Datenbank",
        ),
        (
            "a database in UTF-16",
            utf16_zstd.clone(),
            sha(&utf16_zstd),
            utf16.len() as u64,
            DEMO,
            "Textkodierung UTF-16le statt UTF-8",
        ),
        (
            "a database of another page size",
            large_pages_zstd.clone(),
            sha(&large_pages_zstd),
            large_pages.len() as u64,
            DEMO,
            "Seitengröße 8192 statt 4096",
        ),
        (
            "a header with more pages than announced",
            good_zstd.clone(),
            sha(&good_zstd),
            good.len() as u64 - 4096,
            DEMO,
            "angekündigt waren",
        ),
        (
            "rows the feed would refuse, with a matching checksum",
            year_1800_zstd.clone(),
            sha(&year_1800_zstd),
            year_1800.len() as u64,
            DEMO,
            "year out of range",
        ),
        (
            "another revision than announced",
            good_zstd.clone(),
            sha(&good_zstd),
            good.len() as u64,
            DEMO + 1,
            "announced were 6",
        ),
        (
            "larger than any deployment",
            good_zstd.clone(),
            sha(&good_zstd),
            fokus_sync::MAX_SNAPSHOT_BYTES + 1,
            DEMO,
            "zu groß",
        ),
    ];
    for (case, (why, body, sha256, bytes, revision, says)) in cases.into_iter().enumerate() {
        // Each case on a fresh cache that holds a setting of the app's own.
        let cache_path = dir.path().join(format!("cache-{case}.sqlite3"));
        Store::open(&cache_path)
            .unwrap()
            .set_app_setting("server", "bleibt")
            .unwrap();
        // The snapshot is what `fokus_store` refuses or the download's checks; the store's own
        // refusal is checked here too, on the same file, so each case is known to be refused.
        let instance = info.clone();
        let router = axum::Router::new().route(
            fokus_model::api::SNAPSHOT,
            get(move || {
                let (body, sha256, instance) = (body.clone(), sha256.clone(), instance.clone());
                async move {
                    (
                        [
                            (
                                fokus_model::api::SNAPSHOT_REVISION_HEADER,
                                revision.to_string(),
                            ),
                            (fokus_model::api::SNAPSHOT_INSTANCE_HEADER, instance),
                            (fokus_model::api::SNAPSHOT_SHA256_HEADER, sha256),
                            (fokus_model::api::SNAPSHOT_BYTES_HEADER, bytes.to_string()),
                        ],
                        body,
                    )
                        .into_response()
                }
            }),
        );
        let (router, feeds) = count_feeds(router.fallback_service(app(
            AppState::new(Store::open(&server_path).unwrap()).unwrap(),
            None,
        )));
        let address = spawn(router).await;
        let syncer = Syncer::new(&format!("http://{address}"), &cache_path).unwrap();
        // Refused, as the snapshot alone shows ...
        let strict = Syncer::new(
            &format!("http://{address}"),
            &dir.path().join(format!("strict-{case}.sqlite3")),
        )
        .unwrap()
        .strict_snapshots();
        let refused = strict.sync_once(1).await.unwrap_err();
        assert!(
            matches!(refused, SyncError::InvalidAnswer(_)) && refused.to_string().contains(says),
            "{why}: {refused}"
        );
        assert_untouched(&strict, why);
        // ... and the sync goes on with the feed: the server's data, nothing of the snapshot.
        let before = feeds.load(std::sync::atomic::Ordering::SeqCst);
        let outcome = syncer.sync_once(1).await.unwrap();
        assert_eq!(outcome.revision, DEMO, "{why}");
        assert_eq!(
            feeds.load(std::sync::atomic::Ordering::SeqCst),
            before + 1,
            "{why}: the feed was asked once"
        );
        let cache = Store::open(&cache_path).unwrap();
        assert_eq!(
            cache.feed_since(0).unwrap(),
            Store::open(&server_path).unwrap().feed_since(0).unwrap(),
            "{why}: the cache holds the server's data"
        );
        assert_eq!(
            cache.app_setting("server").unwrap().as_deref(),
            Some("bleibt"),
            "{why}"
        );
        let mut download = cache_path.as_os_str().to_owned();
        download.push(".snapshot-download");
        assert!(
            !std::path::Path::new(&download).exists(),
            "{why}: the download is removed"
        );
    }
}

/// `router` counting its requests for the feed.
fn count_feeds(
    router: axum::Router,
) -> (axum::Router, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let feeds = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = feeds.clone();
    let router = router.layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let counter = counter.clone();
            async move {
                if request.uri().path() == fokus_model::api::FEED {
                    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                next.run(request).await
            }
        },
    ));
    (router, feeds)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apps_bundled_snapshot_fills_an_empty_cache_and_a_sync_goes_on_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let (server_path, address) = snapshot_server(dir.path()).await;
    let bundled = dir.path().join("bundled.sqlite3.zst");
    fokus_server::snapshot::write_file(&server_path, &bundled).unwrap();
    let cache_path = dir.path().join("cache.sqlite3");
    let mut cache = Store::open(&cache_path).unwrap();
    let compressed = std::fs::read(&bundled).unwrap();
    let applied = fokus_sync::restore_bundled(&mut cache, &cache_path, &compressed).unwrap();
    assert_eq!(applied.revision, DEMO);
    assert_eq!(
        cache.status().unwrap(),
        Store::open(&server_path).unwrap().status().unwrap()
    );
    assert!(!dir.path().join("cache.sqlite3.snapshot-bundled").exists());
    let refused = fokus_sync::restore_bundled(&mut cache, &cache_path, b"kaputt");
    assert!(refused.is_err(), "damaged bundled data are refused");
    assert_eq!(cache.revision().unwrap(), DEMO, "and change nothing");
    drop(cache);

    import(
        &mut Store::open(&server_path).unwrap(),
        "kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2025;9,9\n",
        200,
    );
    let syncer = Syncer::new(&format!("http://{address}"), &cache_path).unwrap();
    let next = syncer.sync_once(300).await.unwrap();
    assert_eq!((next.revision_before, next.revision), (DEMO, DEMO + 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_whose_snapshot_fails_still_serves_the_first_sync_through_the_feed() {
    use axum::response::IntoResponse;
    let dir = tempfile::tempdir().unwrap();
    let mut server_store = Store::open_in_memory().unwrap();
    load_demo(&mut server_store, 1).unwrap();
    let page = serde_json::to_string(&server_store.feed_since(0).unwrap()).unwrap();
    let router = axum::Router::new()
        .route(
            fokus_model::api::SNAPSHOT,
            get(|| async { axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response() }),
        )
        .route(
            fokus_model::api::FEED,
            get(move || {
                let page = page.clone();
                async move { page.into_response() }
            }),
        );
    let address = spawn(router).await;
    let syncer = Syncer::new(
        &format!("http://{address}"),
        &dir.path().join("cache.sqlite3"),
    )
    .unwrap();
    let outcome = syncer.sync_once(1).await.unwrap();
    assert_eq!(outcome.revision, DEMO, "the feed filled the cache");
}

/// Version skew: a server one schema version ahead of the app or behind it still syncs it (its
/// snapshot is skipped for the feed, without downloading it); a feed of a newer format makes the
/// sync say that the app needs an update, once per sync, and leaves the data as they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_of_another_version_syncs_through_the_feed_or_asks_for_an_update() {
    use axum::response::IntoResponse;
    use fokus_model::api;
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("feed")).unwrap();
    std::fs::create_dir_all(dir.path().join("ahead")).unwrap();
    let (feed_path, _) = snapshot_server(&dir.path().join("feed")).await;
    // The snapshot is one revision ahead of the feed, so the test sees which of the two filled
    // the cache; as a file it passes every check of this build.
    let (ahead_path, _) = snapshot_server(&dir.path().join("ahead")).await;
    let mut ahead = Store::open(&ahead_path).unwrap();
    import(
        &mut ahead,
        "kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2025;9,9\n",
        200,
    );
    let file = dir.path().join("ahead.snapshot.sqlite3");
    let info = ahead.write_snapshot(&file).unwrap();
    assert_eq!(info.revision, DEMO + 1);
    let raw = std::fs::read(&file).unwrap();
    let body = zstd::bulk::compress(&raw, 3).unwrap();
    let sha256: String = sha2::Sha256::digest(&body)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let feed_server = || {
        app(
            AppState::new(Store::open(&feed_path).unwrap()).unwrap(),
            None,
        )
    };
    let ours = fokus_store::SCHEMA_VERSION;
    for (schema, expected) in [(ours + 1, DEMO), (ours - 1, DEMO), (ours, DEMO + 1)] {
        let (body, sha256, instance) = (body.clone(), sha256.clone(), info.instance.clone());
        let bytes = raw.len();
        let router = axum::Router::new()
            .route(
                api::SNAPSHOT,
                get(move || {
                    let (body, sha256, instance) = (body.clone(), sha256.clone(), instance.clone());
                    async move {
                        (
                            [
                                (api::SNAPSHOT_REVISION_HEADER, (DEMO + 1).to_string()),
                                (api::SNAPSHOT_INSTANCE_HEADER, instance),
                                (api::SNAPSHOT_SHA256_HEADER, sha256),
                                (api::SNAPSHOT_BYTES_HEADER, bytes.to_string()),
                                (api::SNAPSHOT_SCHEMA_HEADER, schema.to_string()),
                            ],
                            body,
                        )
                            .into_response()
                    }
                }),
            )
            .fallback_service(feed_server());
        let address = spawn(router).await;
        let cache_path = dir.path().join(format!("cache-{schema}.sqlite3"));
        let syncer = Syncer::new(&format!("http://{address}"), &cache_path).unwrap();
        let outcome = syncer.sync_once(1).await.unwrap();
        assert_eq!(
            outcome.revision, expected,
            "server of schema {schema}, app of {ours}"
        );
    }

    // A feed of the next format, announced in its header or only in its body, whose layout
    // this build cannot even parse.
    let newer =
        serde_json::json!({ "format": fokus_model::FEED_FORMAT + 1, "seiten": [] }).to_string();
    for announced in [true, false] {
        let newer = newer.clone();
        let router = axum::Router::new().route(
            api::FEED,
            get(move || {
                let newer = newer.clone();
                async move {
                    let format = (fokus_model::FEED_FORMAT + 1).to_string();
                    let mut response = newer.into_response();
                    if announced {
                        response
                            .headers_mut()
                            .insert(api::FEED_FORMAT_HEADER, format.parse().unwrap());
                    }
                    response
                }
            }),
        );
        let (router, feeds) = count_feeds(router);
        let address = spawn(router).await;
        // A cache with data: the app keeps showing them.
        let cache_path = dir.path().join(format!("cache-{ours}.sqlite3"));
        let syncer = Syncer::new(&format!("http://{address}"), &cache_path).unwrap();
        let mut state = fokus_model::SyncState::default();
        for round in 1..=2 {
            let result = syncer.sync_once(10).await;
            let error = result.as_ref().unwrap_err();
            assert!(error.is_update_needed(), "announced {announced}: {error}");
            fokus_sync::plan::record(&mut state, &result, 10);
            assert_eq!(
                feeds.load(std::sync::atomic::Ordering::SeqCst),
                round,
                "one request per sync, no retry loop"
            );
        }
        let problem = state.problem.unwrap_or_default();
        assert!(problem.contains("Bitte FOKUS aktualisieren"), "{problem}");
        assert_eq!(
            Store::open(&cache_path).unwrap().revision().unwrap(),
            DEMO + 1,
            "the data stay as they were"
        );
    }

    // A page from a server before the format existed is of the first format.
    let mut older =
        serde_json::to_value(Store::open(&feed_path).unwrap().feed_since(0).unwrap()).unwrap();
    older.as_object_mut().unwrap().remove("format").unwrap();
    let older = older.to_string();
    let router = axum::Router::new().route(
        api::FEED,
        get(move || {
            let older = older.clone();
            async move { older.into_response() }
        }),
    );
    let address = spawn(router).await;
    let syncer = Syncer::new(
        &format!("http://{address}"),
        &dir.path().join("cache-older.sqlite3"),
    )
    .unwrap();
    assert_eq!(syncer.sync_once(1).await.unwrap().revision, DEMO);
}

/// A 400 is a refused request (here a filter in front of the server that takes offence at the
/// fingerprint), not a server behind the cache: the client reports it and keeps its data instead
/// of replacing them in full on every sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_request_is_not_taken_for_a_server_behind() {
    use axum::response::IntoResponse;
    let dir = tempfile::tempdir().unwrap();
    let (server_path, address) = snapshot_server(dir.path()).await;
    let cache_path = dir.path().join("cache.sqlite3");
    let direct = Syncer::new(&format!("http://{address}"), &cache_path).unwrap();
    assert_eq!(direct.sync_once(1).await.unwrap().revision, DEMO);
    let filter = axum::middleware::from_fn(
        |request: axum::extract::Request, next: axum::middleware::Next| async move {
            if request
                .uri()
                .query()
                .is_some_and(|query| query.contains("fingerprint"))
            {
                return axum::http::StatusCode::BAD_REQUEST.into_response();
            }
            next.run(request).await
        },
    );
    let filtered = spawn(
        app(
            AppState::new(Store::open(&server_path).unwrap()).unwrap(),
            None,
        )
        .layer(filter),
    )
    .await;
    let syncer = Syncer::new(&format!("http://{filtered}"), &cache_path).unwrap();
    let error = syncer.sync_once(2).await.unwrap_err();
    assert!(
        matches!(error, SyncError::InvalidAnswer(ref text) if text.contains("400")),
        "{error}"
    );
    let cache = Store::open(&cache_path).unwrap();
    assert_eq!(cache.revision().unwrap(), DEMO);
    assert_eq!(cache.last_sync().unwrap(), Some(1), "no sync was recorded");
}

/// The feed's `instance` goes back to the server in every later request (the ETag the client
/// predicts): a server (or whatever answers in its name) that sends one no header can carry is
/// refused with the reason, the cache keeps its data and identity, and the next sync against the
/// real server works. Before, one control character made every later request fail until the
/// cache was cleared.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_no_header_can_carry_is_refused_and_the_cache_kept() {
    use axum::response::IntoResponse;
    let dir = tempfile::tempdir().unwrap();
    let (server_path, address) = snapshot_server(dir.path()).await;
    let good = Store::open(&server_path).unwrap().feed_since(0).unwrap();
    for (instance, why) in [
        ("kreis\u{7}test", "a control character"),
        ("kreis\ntest", "a line break"),
        ("kreis test", "a space"),
        ("kreis\"test", "a quote, which would end the ETag"),
        ("kreis-prüfung", "a character beyond ASCII"),
        (&"k".repeat(129), "129 characters"),
    ] {
        let cache_path = dir.path().join(format!("cache-{}.sqlite3", instance.len()));
        let _ = std::fs::remove_file(&cache_path);
        let direct = Syncer::new(&format!("http://{address}"), &cache_path).unwrap();
        assert_eq!(direct.sync_once(1).await.unwrap().revision, DEMO, "{why}");
        let mut page = good.clone();
        page.instance = instance.to_owned();
        let body = serde_json::to_string(&page).unwrap();
        let hostile = spawn(axum::Router::new().route(
            fokus_model::api::FEED,
            get(move || {
                let body = body.clone();
                async move { ([("content-type", "application/json")], body).into_response() }
            }),
        ))
        .await;
        let syncer = Syncer::new(&format!("http://{hostile}"), &cache_path).unwrap();
        let error = syncer.sync_once(2).await.unwrap_err();
        assert!(
            matches!(error, SyncError::InvalidAnswer(ref text) if text.contains("Serverkennung")),
            "{why}: refused as an invalid answer that names the problem: {error}"
        );
        let cache = Store::open(&cache_path).unwrap();
        assert_eq!(
            (
                cache.revision().unwrap(),
                cache.instance().unwrap().as_str()
            ),
            (DEMO, "kreis-test"),
            "{why}: the cache keeps its data and identity"
        );
        let again = direct.sync_once(3).await.unwrap();
        assert_eq!(
            (again.revision, again.applied),
            (DEMO, None),
            "{why}: the next sync against the real server is one current answer"
        );
    }
    // A cache that took such an instance before this check: its next sync replaces it.
    let cache_path = dir.path().join("poisoned.sqlite3");
    let direct = Syncer::new(&format!("http://{address}"), &cache_path).unwrap();
    direct.sync_once(1).await.unwrap();
    rusqlite::Connection::open(&cache_path)
        .unwrap()
        .execute(
            "UPDATE meta SET value = 'kreis\u{7}test' WHERE key = 'instance'",
            [],
        )
        .unwrap();
    let healed = direct.sync_once(2).await.unwrap();
    let cache = Store::open(&cache_path).unwrap();
    assert_eq!(
        (healed.revision, cache.instance().unwrap().as_str()),
        (DEMO, "kreis-test"),
        "a poisoned cache is replaced by the server's data on its next sync"
    );
}

/// An event stream whose server (or a proxy in between) sends a line without end, or falls
/// silent beyond its keep-alive interval, is dropped so the caller reconnects: the line buffer
/// is bounded and reading has a timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_stream_with_an_endless_line_or_silence_is_dropped() {
    use axum::response::IntoResponse;
    use futures_util::StreamExt;
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    // 2 MiB of one line after an event, then nothing, the connection held open.
    let endless_line = || {
        let start = "event: revision\ndata: 3\n\ndata: ".to_owned();
        let chunks = std::iter::once(start.into_bytes())
            .chain(std::iter::repeat_n(vec![b'7'; 64 * 1024], 32))
            .map(Ok::<_, std::io::Error>);
        futures_util::stream::iter(chunks).chain(futures_util::stream::pending())
    };
    // One event, then silence, the connection held open.
    let silent = || {
        futures_util::stream::iter([Ok::<_, std::io::Error>(
            b"event: revision\ndata: 4\n\n".to_vec(),
        )])
        .chain(futures_util::stream::pending())
    };
    let long_address = spawn(axum::Router::new().route(
        fokus_model::api::EVENTS,
        get(move || async move {
            (
                [("content-type", "text/event-stream")],
                axum::body::Body::from_stream(endless_line()),
            )
                .into_response()
        }),
    ))
    .await;
    let silent_address = spawn(axum::Router::new().route(
        fokus_model::api::EVENTS,
        get(move || async move {
            (
                [("content-type", "text/event-stream")],
                axum::body::Body::from_stream(silent()),
            )
                .into_response()
        }),
    ))
    .await;
    for (address, expected, too_long, why) in [
        (long_address, 3, true, "a line of 2 MiB"),
        (silent_address, 4, false, "silence after one event"),
    ] {
        let syncer = Syncer::new(
            &format!("http://{address}"),
            &dir.path().join("cache.sqlite3"),
        )
        .unwrap()
        .with_event_silence(Duration::from_secs(1));
        let mut seen = Vec::new();
        let ended = tokio::time::timeout(
            Duration::from_secs(20),
            syncer.watch_revisions(|revision| seen.push(revision)),
        )
        .await;
        let ended = ended.unwrap_or_else(|_| panic!("{why}: the stream is dropped, not held"));
        let error = ended.expect_err("an error makes the caller reconnect later");
        if too_long {
            assert!(
                matches!(error, SyncError::InvalidAnswer(ref text) if text.contains("MiB")),
                "{why}: refused for its length, before any timeout: {error}"
            );
        } else {
            assert!(
                error.is_offline(),
                "{why}: taken for a lost connection: {error}"
            );
        }
        assert_eq!(seen, [expected], "{why}: the events before it arrived");
    }
}
/// A device without room for the data (here a 2 MiB tmpfs, mounted in a user and mount
/// namespace of its own, as `unshare` allows without privileges) is told so before the
/// snapshot is written, and neither the download nor the feed fills its disk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_larger_than_the_free_space_is_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let (_, address) = snapshot_server(dir.path()).await;
    let small = dir.path().join("small");
    std::fs::create_dir(&small).unwrap();
    let script = r#"mount -t tmpfs -o size=2m none "$1" || exit 90
"$2" --server "$3" --cache "$1/cache.sqlite3"
code=$?
ls -A "$1"
exit $code"#;
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("unshare")
            .args([
                "--user",
                "--map-root-user",
                "--mount",
                "sh",
                "-c",
                script,
                "sh",
            ])
            .arg(&small)
            .arg(env!("CARGO_BIN_EXE_fokus-sync"))
            .arg(format!("http://{address}"))
            .output()
            .expect("unshare (util-linux) runs the sync on a small file system")
    })
    .await
    .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert_ne!(
        output.status.code(),
        Some(90),
        "a tmpfs could be mounted: {stderr}"
    );
    assert_eq!(output.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("Nicht genug Speicherplatz: die Daten brauchen"),
        "said before writing: {stderr}"
    );
    assert!(
        !stderr.contains("taking the feed"),
        "the feed is not tried on a full disk either: {stderr}"
    );
    assert!(
        stdout.lines().any(|name| name == "cache.sqlite3") && !stdout.contains("snapshot-download"),
        "the cache, and no download left behind: {stdout}"
    );
}

/// A server at capacity answers a full sync 503 with `Retry-After` (issue 25, item 8): the sync
/// ends with `Busy` and the wait the server named, within bounds whatever the header says; a
/// refused snapshot does not send the app on to the full feed (the server would refuse that
/// too), the cache is untouched, the sync bar says when the app tries again, and once the
/// server has room the same syncer gets the data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_at_capacity_is_asked_again_after_its_retry_after() {
    use axum::response::IntoResponse;
    let dir = tempfile::tempdir().unwrap();
    let (server_path, _) = snapshot_server(dir.path()).await;
    let full = spawn(app(
        AppState::new(Store::open(&server_path).unwrap())
            .unwrap()
            .with_max_full_syncs(0),
        None,
    ))
    .await;
    let cache_path = dir.path().join("cache.sqlite3");
    let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let error = Syncer::new(&format!("http://{full}"), &cache_path)
        .unwrap()
        .sync_once(1)
        .await
        .unwrap_err();
    let wait = error.retry_after().unwrap_or_else(|| panic!("{error}"));
    assert!(
        (fokus_server::capacity::RETRY_AFTER_SECS
            ..=fokus_server::capacity::RETRY_AFTER_SECS
                + fokus_server::capacity::RETRY_AFTER_SPREAD)
            .contains(&wait.as_secs()),
        "the wait the server named: {wait:?}"
    );
    let mut state = fokus_model::SyncState::default();
    fokus_sync::plan::record(&mut state, &Err(error), 1);
    assert!(
        state.online
            && state
                .problem
                .as_deref()
                .is_some_and(|problem| problem.contains("ausgelastet")
                    && problem.contains(&format!("{} Sekunden", wait.as_secs()))),
        "the sync bar says the server is busy and when the app tries again: {state:?}"
    );
    assert_eq!(
        Store::open(&cache_path).unwrap().revision().unwrap(),
        0,
        "the cache is untouched"
    );

    // The feed itself at capacity, with every kind of Retry-After: bounded, never zero.
    for (header, expected) in [
        (Some("7"), fokus_sync::plan::retry_after(Some("7"))),
        (Some("0"), fokus_sync::plan::MIN_RETRY_AFTER),
        (Some("99999999"), fokus_sync::plan::MAX_RETRY_AFTER),
        (
            Some("Wed, 21 Oct 2015 07:28:00 GMT"),
            fokus_sync::plan::DEFAULT_RETRY_AFTER,
        ),
        (None, fokus_sync::plan::DEFAULT_RETRY_AFTER),
    ] {
        let counted = std::sync::Arc::clone(&requests);
        let busy = spawn(axum::Router::new().fallback(move || {
            counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            async move {
                let mut response = axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
                if let Some(header) = header {
                    response.headers_mut().insert(
                        axum::http::header::RETRY_AFTER,
                        axum::http::HeaderValue::from_static(header),
                    );
                }
                response
            }
        }))
        .await;
        let error = Syncer::new(&format!("http://{busy}"), &cache_path)
            .unwrap()
            .feed_only()
            .sync_once(2)
            .await
            .unwrap_err();
        assert_eq!(
            error.retry_after(),
            Some(expected),
            "Retry-After {header:?}: {error}"
        );
    }
    assert_eq!(
        fokus_sync::plan::retry_after(Some("7")).as_secs(),
        7,
        "a sane wait is taken as it is"
    );
    assert_eq!(
        requests.load(std::sync::atomic::Ordering::Relaxed),
        5,
        "one request per sync: a busy server is not asked again at once"
    );

    // With room again, the same cache syncs.
    let roomy = spawn(app(
        AppState::new(Store::open(&server_path).unwrap()).unwrap(),
        None,
    ))
    .await;
    let outcome = Syncer::new(&format!("http://{roomy}"), &cache_path)
        .unwrap()
        .sync_once(3)
        .await
        .unwrap();
    assert_eq!(outcome.revision, DEMO, "the data arrive once there is room");
}
