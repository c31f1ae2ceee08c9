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
/// is behind the cache's revision or ahead of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuilt_server_makes_the_client_replace_its_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache.sqlite3");
    let serve = |name: &str, instance: &str, extra_imports: usize| {
        let path = dir.path().join(name);
        let mut store = Store::open(&path).unwrap();
        store.ensure_instance(instance).unwrap();
        load_demo(&mut store, 1).unwrap();
        for import_idx in 0..extra_imports {
            let csv =
                format!("kennzahl;gebiet;jahr;wert\nsgb2_quote;010560015;2026;{import_idx},5\n");
            import_bytes(
                &mut store,
                csv.as_bytes(),
                "Import",
                2,
                false,
                Default::default(),
            )
            .unwrap()
            .unwrap();
        }
        (path, store)
    };

    let (old_path, _old) = serve("old.sqlite3", "old-server", 2);
    let old_address = spawn(app(
        AppState::new(Store::open(&old_path).unwrap()).unwrap(),
        None,
    ))
    .await;
    let synced = Syncer::new(&format!("http://{old_address}"), &cache)
        .sync_once(1)
        .await
        .unwrap();
    assert_eq!(
        synced.revision, 3,
        "the cache mirrors the old server at revision 3"
    );

    let (behind_path, behind) = serve("behind.sqlite3", "rebuilt-server", 0);
    let behind_address = spawn(app(
        AppState::new(Store::open(&behind_path).unwrap()).unwrap(),
        None,
    ))
    .await;
    let resynced = Syncer::new(&format!("http://{behind_address}"), &cache)
        .sync_once(2)
        .await
        .unwrap();
    assert_eq!(
        resynced.revision, 1,
        "a server behind the cache: the cache starts over at its revision"
    );
    let store = Store::open(&cache).unwrap();
    assert_eq!(
        store.instance().unwrap(),
        "rebuilt-server",
        "the cache now mirrors the rebuilt server"
    );
    assert_eq!(
        store.status().unwrap(),
        behind.status().unwrap(),
        "and holds exactly its data"
    );
    assert!(store.integrity_ok().unwrap());
    let elmshorn_2026 = store.map_view("sgb2_quote", 2026).unwrap();
    assert!(
        elmshorn_2026.areas.iter().all(|value| value.cell.is_none()),
        "nothing of the old server's 2026 imports survives"
    );
    drop(store);

    let (twin_path, _twin) = serve("twin.sqlite3", "twin-server", 0);
    let twin_address = spawn(app(
        AppState::new(Store::open(&twin_path).unwrap()).unwrap(),
        None,
    ))
    .await;
    let twin_sync = Syncer::new(&format!("http://{twin_address}"), &cache)
        .sync_once(3)
        .await
        .unwrap();
    assert!(
        twin_sync.applied.is_some(),
        "the same revision number of another instance is not 'nothing new'"
    );
    assert_eq!(
        Store::open(&cache).unwrap().instance().unwrap(),
        "twin-server",
        "the cache now mirrors the twin"
    );

    let (ahead_path, ahead) = serve("ahead.sqlite3", "other-server", 3);
    let ahead_address = spawn(app(
        AppState::new(Store::open(&ahead_path).unwrap()).unwrap(),
        None,
    ))
    .await;
    let replaced = Syncer::new(&format!("http://{ahead_address}"), &cache)
        .sync_once(3)
        .await
        .unwrap();
    assert_eq!(
        replaced.revision, 4,
        "a server ahead but another instance: full replace, not a delta"
    );
    let store = Store::open(&cache).unwrap();
    assert_eq!(
        store.status().unwrap(),
        ahead.status().unwrap(),
        "exactly the other server's data"
    );
    assert_eq!(store.instance().unwrap(), "other-server");
}
