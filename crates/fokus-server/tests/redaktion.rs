//! The Redaktion workspace's API driven in-process: sign-in, sessions, CSRF, throttling,
//! roles, and a Fachdienst's status change arriving in the feed as one revision.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::http::{header, StatusCode};
use fokus_model::content::{ContentDetails, RecommendationStatus};
use fokus_model::redaktion::{self as wire, Role, SessionInfo, Task};
use fokus_server::publish::BlobDir;
use fokus_server::redaktion::{db::Db, workfolder, Workspace};
use fokus_server::{app, load_demo, AppState};
use fokus_store::Store;

mod common;
use common::{account, feed_since, revision, Browser};

/// 2026-12-05, noon.
const NOON: i64 = 1_796_472_000;

struct Fixture {
    router: axum::Router,
    workspace: Workspace,
    clock: Arc<AtomicI64>,
    data: tempfile::TempDir,
    _source: tempfile::TempDir,
}

/// A demo server whose recommendations were published with `publish`, so the working copy
/// holds them; a workspace with a clock the test moves.
fn fixture() -> Fixture {
    let data = tempfile::tempdir().unwrap();
    let source = tempfile::tempdir().unwrap();
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo-content");
    for folder in ["empfehlungen", "fokusbericht/2024"] {
        std::fs::create_dir_all(source.path().join(folder)).unwrap();
        for entry in std::fs::read_dir(demo.join(folder)).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(
                &path,
                source.path().join(folder).join(path.file_name().unwrap()),
            )
            .unwrap();
        }
    }
    let mut store = Store::open_in_memory().unwrap();
    store.ensure_instance("redaktion-test").unwrap();
    load_demo(&mut store, 1_700_000_000).unwrap();
    let blobs = BlobDir::new(data.path().join("blobs"));
    fokus_server::publish_dir_adopting(&mut store, &blobs, source.path(), data.path(), 10)
        .unwrap()
        .unwrap();
    let clock = Arc::new(AtomicI64::new(NOON));
    let ticks = Arc::clone(&clock);
    let workspace = Workspace::with(
        Db::open(&data.path().join("redaktion.sqlite3")).unwrap(),
        workfolder::path(data.path()),
    )
    .with_clock(move || ticks.load(Ordering::SeqCst));
    let state = AppState::new(store)
        .unwrap()
        .with_blobs(blobs)
        .with_redaktion(workspace.clone());
    Fixture {
        router: app(state, None),
        workspace,
        clock,
        data,
        _source: source,
    }
}

#[tokio::test]
async fn sign_in_sets_a_strict_cookie_and_a_one_time_password_must_be_changed() {
    let fixture = fixture();
    let router = &fixture.router;
    let once = account(&fixture.workspace, "admin", vec![Role::Admin], "");
    let mut browser = Browser::default();

    let wrong = browser.login(router, "admin", "falsch-falsch-falsch").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.message(), "Name oder Passwort ist falsch");
    let unknown = browser.login(router, "niemand", &once).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.message(),
        wrong.message(),
        "an unknown name reads the same"
    );

    let answer = browser.login(router, "Admin ", &once).await;
    assert_eq!(answer.status, StatusCode::OK);
    let cookie = answer.headers[header::SET_COOKIE].to_str().unwrap();
    for part in [
        "__Host-fokus-redaktion=",
        "Path=/",
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
    ] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
    assert!(answer.json::<SessionInfo>().account.must_change_password);

    let blocked = browser.send(router, "GET", wire::ACCOUNTS, None).await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
    assert_eq!(
        blocked.message(),
        "Bitte zuerst ein eigenes Passwort wählen"
    );

    let short = browser
        .send(
            router,
            "POST",
            wire::PASSWORD,
            Some(serde_json::json!({ "current": once, "new": "kurz" })),
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short.message().contains("mindestens 12 Zeichen"),
        "{}",
        short.message()
    );
    let mut no_csrf = browser.clone();
    no_csrf.csrf = None;
    let refused = no_csrf
        .send(
            router,
            "POST",
            wire::PASSWORD,
            Some(serde_json::json!({ "current": once, "new": "ein gutes langes Passwort" })),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.message().contains("CSRF"), "{}", refused.message());
    let changed = browser
        .send(
            router,
            "POST",
            wire::PASSWORD,
            Some(serde_json::json!({ "current": once, "new": "ein gutes langes Passwort" })),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.message());

    let list = browser.send(router, "GET", wire::ACCOUNTS, None).await;
    assert_eq!(list.status, StatusCode::OK);
    let accounts: Vec<wire::Account> = list.json();
    assert_eq!(accounts.len(), 1);
    assert!(!accounts[0].must_change_password);
    assert!(
        !String::from_utf8_lossy(&list.body).contains("argon2"),
        "no hash leaves"
    );

    // The one-time password is spent.
    assert_eq!(
        Browser::default()
            .login(router, "admin", &once)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // Signing out ends the session on the server, not only in the browser.
    let stolen = browser.cookie.clone();
    let out = browser.send(router, "POST", wire::LOGOUT, None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let mut replay = Browser {
        cookie: stolen,
        csrf: None,
    };
    assert_eq!(
        replay.send(router, "GET", wire::SESSION, None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn sessions_expire_when_idle_and_locked_accounts_end_theirs() {
    let fixture = fixture();
    let router = &fixture.router;
    let once = account(&fixture.workspace, "admin", vec![Role::Admin], "");
    let once_fd = account(
        &fixture.workspace,
        "fd",
        vec![Role::Fachdienst],
        "Fachdienst Jugend",
    );
    let mut admin = Browser::default();
    admin
        .first_login(router, "admin", &once, "ein gutes langes Passwort")
        .await;
    let mut fd = Browser::default();
    fd.first_login(router, "fd", &once_fd, "noch ein gutes Passwort")
        .await;

    fixture.clock.fetch_add(59 * 60, Ordering::SeqCst);
    assert_eq!(
        admin.send(router, "GET", wire::SESSION, None).await.status,
        StatusCode::OK
    );
    fixture.clock.fetch_add(59 * 60, Ordering::SeqCst);
    // The admin was active a moment ago; the Fachdienst has been idle for 118 minutes.
    assert_eq!(
        admin.send(router, "GET", wire::SESSION, None).await.status,
        StatusCode::OK
    );
    let expired = fd.send(router, "GET", wire::TASKS, None).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert!(
        expired.message().contains("Sitzung abgelaufen"),
        "{}",
        expired.message()
    );

    let mut fd = Browser::default();
    assert_eq!(
        fd.login(router, "fd", "noch ein gutes Passwort")
            .await
            .status,
        StatusCode::OK
    );
    let locked = admin
        .send(
            router,
            "POST",
            "/api/v1/redaktion/konten/fd/sperre",
            Some(serde_json::json!({ "locked": true })),
        )
        .await;
    assert_eq!(locked.status, StatusCode::NO_CONTENT);
    assert_eq!(
        fd.send(router, "GET", wire::TASKS, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let refused = fd.login(router, "fd", "noch ein gutes Passwort").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.message().contains("gesperrt"));
    // A Fachdienst is no admin.
    let own = admin
        .send(
            router,
            "POST",
            "/api/v1/redaktion/konten/fd/sperre",
            Some(serde_json::json!({ "locked": false })),
        )
        .await;
    assert_eq!(own.status, StatusCode::NO_CONTENT);
    let mut fd = Browser::default();
    assert_eq!(
        fd.login(router, "fd", "noch ein gutes Passwort")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        fd.send(router, "GET", wire::AUDIT, None).await.status,
        StatusCode::FORBIDDEN
    );
    let create = fd
        .send(
            router,
            "POST",
            wire::ACCOUNTS,
            Some(serde_json::json!({ "name": "x", "display_name": "X", "roles": ["admin"] })),
        )
        .await;
    assert_eq!(create.status, StatusCode::FORBIDDEN);
    assert!(
        create.message().contains("Administration"),
        "{}",
        create.message()
    );
}

#[tokio::test]
async fn five_failures_lock_an_account_and_an_admin_reset_lifts_it() {
    let fixture = fixture();
    let router = &fixture.router;
    let once = account(&fixture.workspace, "admin", vec![Role::Admin], "");
    let once_r = account(&fixture.workspace, "red", vec![Role::Redaktion], "");
    let mut admin = Browser::default();
    admin
        .first_login(router, "admin", &once, "ein gutes langes Passwort")
        .await;
    let mut red = Browser::default();
    red.first_login(router, "red", &once_r, "Texte prüfen und freigeben")
        .await;
    for _ in 0..5 {
        let answer = Browser::default()
            .login(router, "red", "geraten-geraten")
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let throttled = Browser::default()
        .login(router, "red", "Texte prüfen und freigeben")
        .await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.headers[header::RETRY_AFTER], "900");
    assert!(
        throttled.message().contains("15 Minuten"),
        "{}",
        throttled.message()
    );

    let reset = admin
        .send(
            router,
            "POST",
            "/api/v1/redaktion/konten/red/passwort",
            None,
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK);
    let new_once = reset.json::<wire::OneTimePassword>().password;
    // The reset ended the session the person had.
    assert_eq!(
        red.send(router, "GET", wire::SESSION, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let mut red = Browser::default();
    red.first_login(router, "red", &new_once, "ein neues Passwort bitte")
        .await;

    let log: Vec<wire::AuditEntry> = admin.send(router, "GET", wire::AUDIT, None).await.json();
    let actions: Vec<&str> = log.iter().map(|entry| entry.action.as_str()).collect();
    assert_eq!(
        actions
            .iter()
            .filter(|action| **action == "anmeldung_fehlgeschlagen")
            .count(),
        5
    );
    assert!(actions.contains(&"passwort_zurueckgesetzt"));
    assert!(actions.contains(&"konto_angelegt"));
    assert!(
        log.iter().all(|entry| !entry.detail.contains("geraten")),
        "no password in the log"
    );
}

#[tokio::test]
async fn a_fachdienst_sets_the_status_of_its_own_recommendations_only() {
    let fixture = fixture();
    let router = &fixture.router;
    let once = account(
        &fixture.workspace,
        "soziales",
        vec![Role::Fachdienst],
        "Fachdienst Soziales",
    );
    let mut fd = Browser::default();
    fd.first_login(router, "soziales", &once, "Wir bleiben dran 2026")
        .await;

    let tasks: Vec<Task> = fd.send(router, "GET", wire::TASKS, None).await.json();
    let ids: Vec<&str> = tasks.iter().map(|task| task.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "empfehlungen/wohnen-sozialwohnungen",
            "empfehlungen/pflege-tagespflege"
        ]
    );
    assert!(tasks.iter().all(|task| !task.overdue));

    let before = revision(router).await;
    let task = &tasks[0];
    let path = format!("/api/v1/redaktion/empfehlungen/status/{}", task.id);
    let update = serde_json::json!({
        "date": "2026-12-05", "status": "umgesetzt", "note": "120 Wohnungen belegt", "seen": task.history.len()
    });
    // Another office's recommendation: refused, nothing written.
    let other = fd
        .send(
            router,
            "POST",
            "/api/v1/redaktion/empfehlungen/status/empfehlungen/kinder-sprachfoerderung",
            Some(update.clone()),
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert!(
        other.message().contains("Fachdienst Jugend"),
        "{}",
        other.message()
    );
    // Without the CSRF token: refused.
    let mut no_csrf = fd.clone();
    no_csrf.csrf = Some("falsch".into());
    assert_eq!(
        no_csrf
            .send(router, "POST", &path, Some(update.clone()))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(revision(router).await, before);

    let answer = fd.send(router, "POST", &path, Some(update.clone())).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.message());
    let changed: Task = answer.json();
    assert_eq!(changed.status(), Some(RecommendationStatus::Umgesetzt));
    assert_eq!(changed.history.len(), task.history.len() + 1);
    let after = revision(router).await;
    assert_eq!(after, before + 1, "one change, one revision");

    // The apps get it through the feed like any publish.
    let page = feed_since(router, before).await;
    let item = page
        .content
        .iter()
        .find(|item| item.id == task.id)
        .expect("the changed recommendation is in the feed");
    let ContentDetails::Empfehlung { history, .. } = &item.details else {
        panic!()
    };
    assert_eq!(history.last().unwrap().note, "120 Wohnungen belegt");
    assert_eq!(page.content.len(), 1, "only the changed item travels");
    // The working copy holds it, so the next publish from the folder keeps it.
    let file = std::fs::read_to_string(
        fixture
            .data
            .path()
            .join("inhalt/empfehlungen/wohnen-sozialwohnungen.md"),
    )
    .unwrap();
    assert!(
        file.contains("stand = \"umgesetzt\"\nnotiz = \"120 Wohnungen belegt\""),
        "{file}"
    );

    // A second person who saw the old history is told, and nothing is written.
    let stale = fd.send(router, "POST", &path, Some(update)).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale.message().contains("inzwischen geändert"),
        "{}",
        stale.message()
    );
    assert_eq!(revision(router).await, after);

    // Bad dates and notes are refused before anything is touched.
    for (body, expected) in [
        (
            serde_json::json!({ "date": "2024-01-01", "status": "offen", "note": "", "seen": changed.history.len() }),
            "vor dem letzten Stand",
        ),
        (
            serde_json::json!({ "date": "2027-06-01", "status": "offen", "note": "", "seen": changed.history.len() }),
            "in der Zukunft",
        ),
        (
            serde_json::json!({ "date": "5.12.2026", "status": "offen", "note": "", "seen": changed.history.len() }),
            "kein Datum",
        ),
        (
            serde_json::json!({ "date": "2026-12-05", "status": "erledigt", "note": "", "seen": changed.history.len() }),
            "erledigt",
        ),
    ] {
        let answer = fd.send(router, "POST", &path, Some(body)).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{}",
            answer.message()
        );
        assert!(answer.message().contains(expected), "{}", answer.message());
    }
    assert_eq!(revision(router).await, after);
}

#[tokio::test]
async fn two_offices_changing_at_once_are_ordered_and_neither_is_lost() {
    let fixture = fixture();
    let router = &fixture.router;
    let once = account(&fixture.workspace, "red", vec![Role::Redaktion], "");
    let mut red = Browser::default();
    red.first_login(router, "red", &once, "Texte prüfen und freigeben")
        .await;
    let tasks: Vec<Task> = red.send(router, "GET", wire::TASKS, None).await.json();
    assert_eq!(tasks.len(), 4, "the Redaktion sees every recommendation");
    let before = revision(router).await;
    let changes = tasks.iter().map(|task| {
        let mut browser = red.clone();
        let router = router.clone();
        let path = format!("/api/v1/redaktion/empfehlungen/status/{}", task.id);
        let body = serde_json::json!({ "date": "2026-12-05", "status": "in_umsetzung", "note": task.id, "seen": task.history.len() });
        async move { browser.send(&router, "POST", &path, Some(body)).await.status }
    });
    let statuses = futures_util::future::join_all(changes).await;
    assert!(
        statuses.iter().all(|status| *status == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(revision(router).await, before + 4);
    let page = feed_since(router, before).await;
    assert_eq!(page.content.len(), 4);
    for item in &page.content {
        let ContentDetails::Empfehlung { history, .. } = &item.details else {
            panic!()
        };
        assert_eq!(history.last().unwrap().note, item.id);
    }
}

#[tokio::test]
async fn without_a_workspace_the_api_says_so() {
    let mut store = Store::open_in_memory().unwrap();
    load_demo(&mut store, 1).unwrap();
    let router = app(AppState::new(store).unwrap(), None);
    let answer = Browser::default()
        .send(
            &router,
            "POST",
            wire::LOGIN,
            Some(serde_json::json!({ "name": "a", "password": "b" })),
        )
        .await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(answer.message().contains("nicht eingerichtet"));
}

#[test]
fn a_backup_keeps_the_accounts_and_the_working_copy() {
    let data = tempfile::tempdir().unwrap();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/demo-content/empfehlungen");
    let folder = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(folder.path().join("empfehlungen")).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(
            &path,
            folder
                .path()
                .join("empfehlungen")
                .join(path.file_name().unwrap()),
        )
        .unwrap();
    }
    let mut store = Store::open(&fokus_server::database_path(data.path())).unwrap();
    store.ensure_instance("backup-test").unwrap();
    load_demo(&mut store, 1).unwrap();
    let blobs = BlobDir::new(fokus_server::blob_dir(data.path()));
    fokus_server::publish_dir_adopting(&mut store, &blobs, folder.path(), data.path(), 2)
        .unwrap()
        .unwrap();
    let workspace = Workspace::open(data.path()).unwrap();
    account(&workspace, "admin", vec![Role::Admin], "");
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("sicherung");
    fokus_server::backup(&store, data.path(), &target).unwrap();
    let restored = Workspace::open(&target).unwrap();
    let names: Vec<String> = restored
        .accounts_now()
        .unwrap()
        .into_iter()
        .map(|account| account.name)
        .collect();
    assert_eq!(names, ["admin"]);
    assert_eq!(
        std::fs::read(target.join("inhalt/empfehlungen/pflege-tagespflege.md")).unwrap(),
        std::fs::read(source.join("pflege-tagespflege.md")).unwrap()
    );
}
