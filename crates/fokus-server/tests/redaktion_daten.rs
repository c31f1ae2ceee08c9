//! The Redaktion's Daten part driven in-process: an upload previewed without writing, refused
//! files with the import's own messages, taking over exactly the previewed file, taking it back
//! as a new revision, and the refusals (role, size, data moved, later changes).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{header, Request, StatusCode};
use fokus_model::redaktion::daten::{self as daten, EntryKind, ImportEntry, Preview, WarningRule};
use fokus_model::redaktion::{self as wire, Role};
use fokus_model::{api, ipc, ObservationKey};
use fokus_server::redaktion::{db::Db, workfolder, Workspace};
use fokus_server::{app, load_demo, AppState};
use fokus_store::Store;

mod common;
use common::{feed_since, revision, Answer, Browser};

/// 2026-12-05, noon.
const NOON: i64 = 1_796_472_000;
const ADMIN_TOKEN: &str = "bi-system-token";

struct Fixture {
    router: axum::Router,
    workspace: Workspace,
    _clock: Arc<AtomicI64>,
    _data: tempfile::TempDir,
}

/// A demo server with the workspace on and the admin API's token set.
fn fixture() -> Fixture {
    let data = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_memory().unwrap();
    store.ensure_instance("daten-test").unwrap();
    load_demo(&mut store, 1_700_000_000).unwrap();
    let clock = Arc::new(AtomicI64::new(NOON));
    let ticks = Arc::clone(&clock);
    let workspace = Workspace::with(
        Db::open(&data.path().join("redaktion.sqlite3")).unwrap(),
        workfolder::path(data.path()),
    )
    .with_clock(move || ticks.load(Ordering::SeqCst));
    let state = AppState::new(store)
        .unwrap()
        .with_admin_token(ADMIN_TOKEN)
        .with_redaktion(workspace.clone());
    Fixture {
        router: app(state, None),
        workspace,
        _clock: clock,
        _data: data,
    }
}

impl Browser {
    /// Uploads `bytes` as file `name` for a preview.
    async fn upload(&mut self, router: &axum::Router, name: &str, bytes: &str) -> Answer {
        let request = Request::builder()
            .method("POST")
            .uri(format!("{}?name={name}", daten::PREVIEW))
            .header(header::CONTENT_TYPE, "text/csv");
        self.request(router, request, Body::from(bytes.to_owned()))
            .await
    }

    /// Uploads and takes over `bytes`; the log entry of the new revision.
    async fn import(&mut self, router: &axum::Router, name: &str, bytes: &str) -> ImportEntry {
        let answer = self.upload(router, name, bytes).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        let preview: Preview = answer.json();
        let answer = self.accept(router, &preview.id).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.message());
        answer.json()
    }

    async fn accept(&mut self, router: &axum::Router, preview: &str) -> Answer {
        self.send(
            router,
            "POST",
            daten::ACCEPT,
            Some(serde_json::json!({ "preview": preview })),
        )
        .await
    }

    async fn undo(&mut self, router: &axum::Router, id: i64) -> Answer {
        self.send(
            router,
            "POST",
            &daten::UNDO.replace("{id}", &id.to_string()),
            None,
        )
        .await
    }

    async fn log(&mut self, router: &axum::Router) -> Vec<ImportEntry> {
        let answer = self.send(router, "GET", daten::REVISIONS, None).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.message());
        answer.json()
    }
}

/// A signed-in person with `roles`, past the one-time password.
async fn person(fixture: &Fixture, name: &str, roles: Vec<Role>, office: &str) -> Browser {
    common::person(&fixture.router, &fixture.workspace, name, roles, office).await
}

/// The SGB-II-Quote of the Kreis by year, as the app's read API answers it.
async fn quote_series(router: &axum::Router) -> Vec<(u16, Option<f64>)> {
    let uri = format!(
        "{}?indicator=sgb2_quote&area=01056",
        api::read_path(<ipc::AreaSeriesGet as ipc::Command>::NAME)
    );
    let answer = Browser::default().send(router, "GET", &uri, None).await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let series: fokus_model::AreaSeries = answer.json();
    series.lines[0].points.clone()
}

fn value_in(series: &[(u16, Option<f64>)], year: u16) -> Option<f64> {
    series
        .iter()
        .find(|(point, _)| *point == year)
        .and_then(|(_, value)| *value)
}

/// A value as a German export writes it.
fn german(value: f64) -> String {
    format!("{value:.1}").replace('.', ",")
}

const HEADER: &str = "kennzahl;gebiet;jahr;wert\n";

#[tokio::test]
async fn a_preview_shows_counts_changes_and_warnings_and_writes_nothing() {
    let fixture = fixture();
    let router = &fixture.router;
    let mut daten = person(&fixture, "daten", vec![Role::Daten], "").await;
    let before = quote_series(router).await;
    let (v2024, v2025) = (
        value_in(&before, 2024).unwrap(),
        value_in(&before, 2025).unwrap(),
    );
    let file = format!(
        "{HEADER}sgb2_quote;01056;2025;{}\nsgb2_quote;01056;2024;{}\nsgb2_quote;01056;2023;.\nsgb2_quote;01056;2026;7,0\n",
        german(v2025 * 2.0),
        german(v2024)
    );
    let revision_before = revision(router).await;

    let answer = daten.upload(router, "bi-2026.csv", &file).await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let preview: Preview = answer.json();
    assert_eq!(preview.name, "bi-2026.csv");
    assert_eq!(
        preview.revision, revision_before,
        "compared with the data as they are"
    );
    assert_eq!(
        (
            preview.total.new,
            preview.total.changed,
            preview.total.unchanged
        ),
        (1, 2, 1),
        "2026 is new, 2025 and 2023 are replaced, 2024 is as stored"
    );
    let line = |year: u16| {
        preview
            .counts
            .iter()
            .find(|counts| counts.subject == "sgb2_quote" && counts.year == year)
            .unwrap_or_else(|| panic!("a line for {year}: {:#?}", preview.counts))
    };
    assert_eq!(
        line(2025).counts.changed,
        1,
        "counted by indicator and year"
    );
    assert_eq!(line(2026).counts.new, 1);
    assert_eq!(line(2024).counts.unchanged, 1);
    assert_eq!(preview.biggest.len(), 1, "one number replaced by another");
    let biggest = &preview.biggest[0];
    assert_eq!((biggest.area.as_str(), biggest.year), ("01056", 2025));
    assert!(
        (biggest.relative.unwrap() - 1.0).abs() < 0.05,
        "doubled: {biggest:?}"
    );
    let rules: Vec<WarningRule> = preview
        .warnings
        .iter()
        .map(|warning| warning.rule)
        .collect();
    assert!(
        rules.contains(&WarningRule::LargeChange),
        "{:#?}",
        preview.warnings
    );
    assert!(
        rules.contains(&WarningRule::NumberBecomesGap),
        "{:#?}",
        preview.warnings
    );
    let large = preview
        .warnings
        .iter()
        .find(|warning| warning.rule == WarningRule::LargeChange)
        .unwrap();
    assert!(
        large.message.contains("2025") && large.message.contains("mehr als ±50 %"),
        "{}",
        large.message
    );
    assert_eq!(preview.n_warnings, preview.warnings.len() as u64);

    assert_eq!(
        revision(router).await,
        revision_before,
        "a preview writes nothing"
    );
    assert_eq!(
        quote_series(router).await,
        before,
        "the values are untouched"
    );
    assert!(daten.log(router).await.is_empty(), "nothing taken over");
}

#[tokio::test]
async fn a_refused_file_lists_its_lines_with_the_imports_messages_and_writes_nothing() {
    let fixture = fixture();
    let router = &fixture.router;
    let mut daten = person(&fixture, "daten", vec![Role::Daten], "").await;
    let revision_before = revision(router).await;
    let file = format!(
        "{HEADER}sgb2_quote;01056;2025;7,5\nfoo;01056;2025;1\nsgb2_quote;01056;2024;107,4\n"
    );

    let answer = daten.upload(router, "kaputt.csv", &file).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused: api::ImportRejected = answer.json();
    assert_eq!(refused.code, api::ErrorCode::InvalidImport);
    let lines: Vec<(u64, Option<&str>)> = refused
        .problems
        .iter()
        .map(|problem| (problem.line, problem.column.as_deref()))
        .collect();
    assert_eq!(
        lines,
        [(3, Some("kennzahl")), (4, Some("wert"))],
        "every refused line with its column"
    );
    assert!(
        refused
            .message
            .starts_with("Import abgelehnt, nichts wurde gespeichert (2 Problem(e))"),
        "{}",
        refused.message
    );

    // The admin API answers the very same file with the very same words.
    let admin = Request::builder()
        .method("POST")
        .uri(api::ADMIN_IMPORT)
        .header(header::AUTHORIZATION, format!("Bearer {ADMIN_TOKEN}"));
    let answer = Browser::default()
        .request(router, admin, Body::from(file.clone()))
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let by_admin: api::ImportRejected = answer.json();
    assert_eq!(by_admin, refused, "one checker, one set of messages");

    assert_eq!(revision(router).await, revision_before, "nothing written");
    // A refused upload leaves no preview to take over.
    assert!(daten.log(router).await.is_empty());
}

#[tokio::test]
async fn taking_over_commits_one_revision_and_taking_back_restores_the_values() {
    let fixture = fixture();
    let router = &fixture.router;
    let mut daten = person(&fixture, "daten", vec![Role::Daten], "").await;
    let mut admin = person(&fixture, "admin", vec![Role::Admin], "").await;
    let before = quote_series(router).await;
    let v2025 = value_in(&before, 2025).unwrap();
    assert_eq!(value_in(&before, 2026), None, "the demo has no 2026 yet");
    let revision_before = revision(router).await;
    let file = format!(
        "{HEADER}sgb2_quote;01056;2025;{}\nsgb2_quote;01056;2026;6,5\n",
        german(v2025 + 1.0)
    );

    let preview: Preview = daten.upload(router, "bi-2026.csv", &file).await.json();
    let answer = daten.accept(router, &preview.id).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.message());
    let import: ImportEntry = answer.json();
    assert_eq!(import.kind, EntryKind::Import);
    assert_eq!(
        import.revision,
        Some(revision_before + 1),
        "one import, one revision"
    );
    assert_eq!((import.counts.new, import.counts.changed), (1, 1));
    assert_eq!(
        (import.account.as_str(), import.display_name.as_str()),
        ("daten", "Frau daten")
    );
    assert_eq!(import.not_undoable, None);
    let again = daten.accept(router, &preview.id).await;
    assert_eq!(
        again.status,
        StatusCode::NOT_FOUND,
        "a preview is taken over once"
    );
    assert!(
        again.message().contains("erneut hochladen"),
        "{}",
        again.message()
    );

    // The apps get exactly these two values.
    let page = feed_since(router, revision_before).await;
    let mut values: Vec<(u16, Option<f64>)> = page
        .observations
        .iter()
        .map(|observation| (observation.key.year, observation.cell.value()))
        .collect();
    values.sort_by_key(|(year, _)| *year);
    let expected_2025 = (german(v2025 + 1.0).replace(',', "."))
        .parse::<f64>()
        .unwrap();
    assert_eq!(values, [(2025, Some(expected_2025)), (2026, Some(6.5))]);

    let log = daten.log(router).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0], import, "the log lists the import as answered");

    let answer = daten.undo(router, import.id).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.message());
    let undo: ImportEntry = answer.json();
    assert_eq!(undo.kind, EntryKind::Undo);
    assert_eq!(undo.undoes, Some(import.id));
    assert_eq!(
        undo.revision,
        Some(revision_before + 2),
        "taken back as a new revision"
    );
    assert_eq!(
        (undo.counts.changed, undo.deleted),
        (1, 1),
        "2025 restored, 2026 removed"
    );
    assert_eq!(
        quote_series(router).await,
        before,
        "the values are as before the import"
    );
    let page = feed_since(router, revision_before + 1).await;
    assert_eq!(
        page.deleted_observations,
        [ObservationKey {
            indicator: "sgb2_quote".into(),
            area: "01056".into(),
            year: 2026
        }],
        "the apps remove the added value"
    );
    assert_eq!(page.observations.len(), 1);
    assert_eq!(
        page.observations[0].cell.value(),
        Some(v2025),
        "and get the old one back"
    );

    let log = daten.log(router).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].id, undo.id, "newest first");
    assert_eq!(
        log[1].undone_by,
        Some(undo.id),
        "the import says it was taken back"
    );

    let twice = daten.undo(router, import.id).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(
        twice.message().contains("bereits rückgängig gemacht"),
        "{}",
        twice.message()
    );
    let of_undo = daten.undo(router, undo.id).await;
    assert_eq!(of_undo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        of_undo.message().contains("erneut übernehmen"),
        "{}",
        of_undo.message()
    );
    let unknown = daten.undo(router, 999).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        revision(router).await,
        revision_before + 2,
        "refusals write nothing"
    );

    let audit: Vec<wire::AuditEntry> = admin.send(router, "GET", wire::AUDIT, None).await.json();
    let actions: Vec<&str> = audit.iter().map(|entry| entry.action.as_str()).collect();
    assert!(actions.contains(&"daten_import"), "{actions:?}");
    assert!(actions.contains(&"daten_rueckgaengig"), "{actions:?}");
}

#[tokio::test]
async fn an_import_overwritten_later_is_not_taken_back_until_the_later_one_is() {
    let fixture = fixture();
    let router = &fixture.router;
    let mut daten = person(&fixture, "daten", vec![Role::Daten], "").await;
    let before = quote_series(router).await;
    let v2025 = value_in(&before, 2025).unwrap();
    let first = daten
        .import(
            router,
            "a.csv",
            &format!("{HEADER}sgb2_quote;01056;2025;{}\n", german(v2025 + 1.0)),
        )
        .await;
    let after_first = quote_series(router).await;
    let second = daten
        .import(
            router,
            "b.csv",
            &format!(
                "{HEADER}sgb2_quote;01056;2025;{}\nsgb2_quote;01056;2024;1,0\n",
                german(v2025 + 2.0)
            ),
        )
        .await;
    let revision_now = revision(router).await;

    let refused = daten.undo(router, first.id).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    let message = refused.message();
    assert!(
        message.contains("2025")
            && message.contains("„b.csv“")
            && message.contains(&format!("Revision {}", second.revision.unwrap())),
        "says which value and which later import: {message}"
    );
    assert_eq!(revision(router).await, revision_now, "nothing written");

    // Taking back the later one first, then the earlier one, restores the start.
    assert_eq!(daten.undo(router, second.id).await.status, StatusCode::OK);
    assert_eq!(quote_series(router).await, after_first);
    assert_eq!(daten.undo(router, first.id).await.status, StatusCode::OK);
    assert_eq!(quote_series(router).await, before);
}

#[tokio::test]
async fn only_daten_and_admin_may_import_and_nobody_without_a_session() {
    let fixture = fixture();
    let router = &fixture.router;
    let mut fachdienst = person(
        &fixture,
        "fd",
        vec![Role::Fachdienst],
        "Fachdienst Soziales",
    )
    .await;
    let mut admin = person(&fixture, "admin", vec![Role::Admin], "").await;
    let file = format!("{HEADER}sgb2_quote;01056;2026;6,5\n");
    let revision_before = revision(router).await;

    let refused = fachdienst.upload(router, "a.csv", &file).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.message().contains("Daten oder Administration"),
        "{}",
        refused.message()
    );
    let log = fachdienst.send(router, "GET", daten::REVISIONS, None).await;
    assert_eq!(log.status, StatusCode::FORBIDDEN);
    assert_eq!(
        fachdienst.undo(router, 1).await.status,
        StatusCode::FORBIDDEN
    );
    let stranger = Browser::default().upload(router, "a.csv", &file).await;
    assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);
    let mut no_csrf = admin.clone();
    no_csrf.csrf = None;
    assert_eq!(
        no_csrf.upload(router, "a.csv", &file).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(revision(router).await, revision_before);

    // The administration may; and a preview is bound to the account that made it.
    let preview: Preview = admin.upload(router, "a.csv", &file).await.json();
    let mut other = person(&fixture, "daten", vec![Role::Daten], "").await;
    assert_eq!(
        other.accept(router, &preview.id).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin.accept(router, &preview.id).await.status,
        StatusCode::OK
    );
    assert_eq!(revision(router).await, revision_before + 1);
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_and_nothing_is_written() {
    let fixture = fixture();
    let router = &fixture.router;
    let mut daten = person(&fixture, "daten", vec![Role::Daten], "").await;
    let revision_before = revision(router).await;
    let limit = fokus_server::import::MAX_IMPORT_BYTES;

    // Announced as 2 GiB: refused before a byte is read. The body would never end.
    let endless = futures_util::stream::repeat_with(|| {
        Ok::<_, std::convert::Infallible>(Bytes::from_static(&[b'7'; 64 * 1024]))
    });
    let request = Request::builder()
        .method("POST")
        .uri(format!("{}?name=riesig.csv", daten::PREVIEW))
        .header(header::CONTENT_LENGTH, (2u64 << 30).to_string());
    let answer = daten
        .request(router, request, Body::from_stream(endless))
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        answer.message(),
        "Die Datei ist 2048 MiB groß; höchstens 64 MiB je Import, größere Lieferungen bitte aufteilen. Nichts wurde gespeichert."
    );

    // Sent without a length: read up to the limit, not beyond, generated as it is read.
    let mut chunks = 0usize;
    let chunk = 1024 * 1024;
    let stream = futures_util::stream::iter(std::iter::from_fn(move || {
        chunks += 1;
        (chunks <= limit / chunk + 1)
            .then(|| Ok::<_, std::convert::Infallible>(Bytes::from(vec![b'7'; chunk])))
    }));
    let request = Request::builder()
        .method("POST")
        .uri(format!("{}?name=riesig.csv", daten::PREVIEW));
    let answer = daten
        .request(router, request, Body::from_stream(stream))
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        answer
            .message()
            .starts_with("Die Datei ist größer als 64 MiB"),
        "{}",
        answer.message()
    );

    assert_eq!(revision(router).await, revision_before, "nothing written");
    assert!(daten.log(router).await.is_empty());
}

#[tokio::test]
async fn a_preview_is_not_taken_over_after_the_data_moved() {
    let fixture = fixture();
    let router = &fixture.router;
    let mut daten = person(&fixture, "daten", vec![Role::Daten], "").await;
    let preview: Preview = daten
        .upload(
            router,
            "a.csv",
            &format!("{HEADER}sgb2_quote;01056;2026;6,5\n"),
        )
        .await
        .json();
    // Meanwhile the BI system delivers through the admin API.
    let admin = Request::builder()
        .method("POST")
        .uri(format!("{}?name=nachts.csv", api::ADMIN_IMPORT))
        .header(header::AUTHORIZATION, format!("Bearer {ADMIN_TOKEN}"));
    let answer = Browser::default()
        .request(
            router,
            admin,
            Body::from(format!("{HEADER}sgb2_quote;01056;2026;7,5\n")),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let moved = revision(router).await;
    assert_eq!(moved, preview.revision + 1);

    let refused = daten.accept(router, &preview.id).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    let message = refused.message();
    assert!(
        message.contains(&format!("Revision {} → {moved}", preview.revision))
            && message.contains("nachts.csv")
            && message.contains("erneut hochladen"),
        "{message}"
    );
    assert_eq!(revision(router).await, moved, "nothing written");
    assert_eq!(
        value_in(&quote_series(router).await, 2026),
        Some(7.5),
        "the BI system's value stands"
    );
    assert!(daten.log(router).await.is_empty());
}
