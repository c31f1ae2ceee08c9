//! The sync against a real server on 127.0.0.1:0: first sync, no-change sync, delta with news,
//! offline, and hostile answers that must leave the cache untouched.

use std::net::SocketAddr;

use axum::routing::get;
use fokus_server::{app, import_bytes, load_demo, AppState};
use fokus_store::Store;
use fokus_sync::{SyncError, Syncer};

async fn spawn(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    address
}

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
    let syncer = Syncer::new(
        &format!("http://{address}"),
        &dir.path().join("cache.sqlite3"),
    );

    let first = syncer.sync_once(100).await.unwrap();
    assert_eq!(
        (first.revision_before, first.revision),
        (0, 1),
        "empty cache catches up to revision 1"
    );
    assert_eq!(first.news, None, "the first sync is not announced");
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
        (1, None),
        "nothing new: nothing applied"
    );

    let csv = "kennzahl;gebiet;jahr;wert\nsgb2_quote;010560015;2026;9,9\narbeitslosenquote;010560015;2026;6,1\n";
    import_bytes(
        &mut server_store,
        csv.as_bytes(),
        "Import",
        3,
        false,
        Default::default(),
    )
    .unwrap()
    .unwrap();
    let delta = syncer.sync_once(300).await.unwrap();
    assert_eq!(delta.revision, 2, "the import's revision arrives");
    assert_eq!(
        delta.applied.map(|applied| applied.observations),
        Some(2),
        "only the two imported rows travel"
    );
    assert_eq!(
        delta.news.as_deref(),
        Some("Neue Daten im Sozialbericht: 2 Kennzahlen für 2026"),
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
    );
    let error = syncer.sync_once(1).await.unwrap_err();
    assert!(
        error.is_offline(),
        "connection refused means offline, not broken: {error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_answers_leave_the_cache_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let mut server_store = Store::open_in_memory().unwrap();
    load_demo(&mut server_store, 1).unwrap();
    let good_feed = serde_json::to_string(&server_store.feed_since(0).unwrap()).unwrap();
    let truncated = good_feed[..good_feed.len() / 2].to_owned();
    let mut backwards_page = server_store.feed_since(0).unwrap();
    backwards_page.since = 7;
    let backwards = serde_json::to_string(&backwards_page).unwrap();

    let cases: Vec<(&str, String)> = vec![
        ("truncated JSON", truncated),
        (
            "not JSON at all",
            "<html>Wartungsarbeiten</html>".to_owned(),
        ),
        ("feed for another revision", backwards),
    ];
    for (why, body) in cases {
        let router =
            axum::Router::new().route(fokus_model::api::FEED, get(move || async move { body }));
        let address = spawn(router).await;
        let syncer = Syncer::new(
            &format!("http://{address}"),
            &dir.path().join("cache.sqlite3"),
        );
        let error = syncer.sync_once(1).await.unwrap_err();
        assert!(
            matches!(error, SyncError::InvalidAnswer(_)),
            "{why}: {error}"
        );
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
            import_bytes(
                &mut server,
                csv.as_bytes(),
                "Import",
                2,
                false,
                Default::default(),
            )
            .unwrap()
            .unwrap();
        }
        let address = spawn(app(
            AppState::new(Store::open(&path).unwrap()).unwrap(),
            None,
        ))
        .await;
        let outcome = Syncer::new(&format!("http://{address}"), &cache)
            .sync_once(now as i64)
            .await
            .unwrap();

        assert_eq!(
            outcome.revision,
            n_imports as u64 + 1,
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
