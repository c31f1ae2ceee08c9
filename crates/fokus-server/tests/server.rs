//! The API driven in-process through `app(..).oneshot(..)`: no socket, no network.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use fokus_model::{api, Cell, FeedPage, Gap, MapView, ServerStatus};
use fokus_server::import::ImportRules;
use fokus_server::{app, import_bytes, load_demo, AppState};
use fokus_store::Store;
use http_body_util::BodyExt;
use tower::ServiceExt;

fn demo_store() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    load_demo(&mut store, 1_700_000_000).unwrap();
    store
}

async fn get(
    router: &axum::Router,
    uri: &str,
    etag: Option<&str>,
) -> (StatusCode, Option<String>, Vec<u8>) {
    let mut request = Request::get(uri);
    if let Some(etag) = etag {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let etag = response
        .headers()
        .get(header::ETAG)
        .map(|value| value.to_str().unwrap().to_owned());
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, etag, body)
}

#[tokio::test]
async fn status_counts_the_demo() {
    let router = app(AppState::new(demo_store()).unwrap(), None);
    let (status, _, body) = get(&router, api::STATUS, None).await;
    assert_eq!(status, StatusCode::OK);
    let server_status: ServerStatus = serde_json::from_slice(&body).unwrap();
    assert_eq!(server_status.revision, 1, "the demo is one revision");
    assert_eq!(
        server_status.areas, 70,
        "18 map areas + 3 references + 49 Gemeinden"
    );
    assert_eq!(
        server_status.observations,
        server_status.indicators * 11 * 21,
        "11 years x 21 reporting areas per indicator"
    );
    assert_eq!(
        server_status.population_counts,
        21 * 11 * 18 * 2,
        "21 areas x 11 years x 18 age groups x 2 sexes"
    );
    assert_eq!(server_status.spending, 8 * 11, "8 fields x 11 years");
}

#[tokio::test]
async fn feed_is_complete_then_304_when_current() {
    let router = app(AppState::new(demo_store()).unwrap(), None);
    let (status, etag, body) = get(&router, &format!("{}?since=0", api::FEED), None).await;
    assert_eq!(status, StatusCode::OK);
    let page: FeedPage = serde_json::from_slice(&body).unwrap();
    assert_eq!((page.since, page.revision), (0, 1), "full feed from 0 to 1");
    assert_eq!(page.areas.len(), 70, "all areas in the first sync");
    assert_eq!(
        page.population.len(),
        8_316,
        "demography travels with the first sync"
    );
    assert!(
        page.dataset.is_some_and(|dataset| dataset.demo),
        "demo data is flagged as such"
    );
    let (status, _, body) = get(&router, &format!("{}?since=0", api::FEED), etag.as_deref()).await;
    assert_eq!(
        status,
        StatusCode::NOT_MODIFIED,
        "same range, same ETag: no body"
    );
    assert!(body.is_empty(), "a 304 has no body");
    let (status, _, body) = get(&router, &format!("{}?since=1", api::FEED), None).await;
    let page: FeedPage = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(page.is_empty(), "nothing after the current revision");
    let (status, _, _) = get(&router, &format!("{}?since=9", api::FEED), None).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a client from the future is told so"
    );
}

#[tokio::test]
async fn errors_are_code_and_german_message() {
    let router = app(AppState::new(demo_store()).unwrap(), None);
    let (status, _, body) = get(
        &router,
        &format!("{}?indicator=gibtsnicht&year=2020", api::MAP),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let error: api::ApiError = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        error.code,
        api::ErrorCode::NotFound,
        "clients branch on the code"
    );
    assert!(
        error.message.contains("gibtsnicht"),
        "the message names what was not found: {}",
        error.message
    );
}

#[tokio::test]
async fn import_creates_a_revision_that_the_feed_and_map_show() {
    let mut store = demo_store();
    let csv =
        "kennzahl;gebiet;jahr;wert\nsgb2_quote;010560015;2026;9,9\nsgb2_quote;01056;2026;7,1\n";
    let summary = import_bytes(
        &mut store,
        csv.as_bytes(),
        "Import test.csv",
        2,
        false,
        ImportRules::default(),
    )
    .unwrap()
    .unwrap()
    .commit;
    assert_eq!(
        (summary.revision, summary.new),
        (Some(2), 2),
        "two new values, one revision"
    );

    let router = app(AppState::new(store).unwrap(), None);
    let (_, _, body) = get(&router, &format!("{}?since=1", api::FEED), None).await;
    let page: FeedPage = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        page.observations.len(),
        2,
        "the delta holds exactly the imported rows"
    );
    assert_eq!(
        page.revisions[0].label, "Import test.csv",
        "the revision says where it came from"
    );
    let (_, _, body) = get(
        &router,
        &format!("{}?indicator=sgb2_quote&year=2026", api::MAP),
        None,
    )
    .await;
    let map: MapView = serde_json::from_slice(&body).unwrap();
    let elmshorn = map
        .areas
        .iter()
        .find(|value| value.area == "010560015")
        .unwrap();
    assert_eq!(
        elmshorn.cell.and_then(|cell| cell.value()),
        Some(9.9),
        "the map shows the imported value"
    );
}

#[tokio::test]
async fn a_refused_import_and_a_dry_run_write_nothing() {
    let mut store = demo_store();
    let bad =
        "kennzahl;gebiet;jahr;wert\nsgb2_quote;010560015;2026;9,9\nsgb2_quote;01056;2026;viel\n";
    let refused = import_bytes(
        &mut store,
        bad.as_bytes(),
        "bad",
        2,
        false,
        ImportRules::default(),
    )
    .unwrap();
    assert!(refused.is_err(), "one bad row refuses the file");
    assert_eq!(
        store.revision().unwrap(),
        1,
        "not even the good row was written"
    );

    let good = "kennzahl;gebiet;jahr;wert\nsgb2_quote;010560015;2026;9,9\n";
    let dry = import_bytes(
        &mut store,
        good.as_bytes(),
        "dry",
        2,
        true,
        ImportRules::default(),
    )
    .unwrap()
    .unwrap()
    .commit;
    assert_eq!(
        (dry.new, dry.revision),
        (1, None),
        "a dry run counts but does not commit"
    );
    assert_eq!(
        store.revision().unwrap(),
        1,
        "still revision 1 after the dry run"
    );
}

const TOKEN: &str = "bi-system-secret-0123456789";

async fn post_import(
    router: &axum::Router,
    query: &str,
    token: Option<&str>,
    body: &str,
) -> (StatusCode, Vec<u8>) {
    let mut request = Request::post(format!("{}{query}", api::ADMIN_IMPORT));
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    (
        status,
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

#[tokio::test]
async fn admin_import_needs_the_bearer_token() {
    let good = "kennzahl;gebiet;jahr;wert\nsgb2_quote;010560015;2026;9,9\n";
    let off = app(AppState::new(demo_store()).unwrap(), None);
    let (status, _) = post_import(&off, "", Some(TOKEN), good).await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "without a configured token the admin API is off"
    );

    let router = app(
        AppState::new(demo_store()).unwrap().with_admin_token(TOKEN),
        None,
    );
    for (token, why) in [
        (None, "no token"),
        (Some("wrong"), "wrong token"),
        (Some("bi-system-secret-012345678X"), "same length, wrong"),
    ] {
        let (status, body) = post_import(&router, "", token, good).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{why}");
        let error: api::ApiError = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            error.code,
            api::ErrorCode::Unauthorized,
            "{why}: clients branch on the code"
        );
    }
    let (_, _, body) = get(&router, api::STATUS, None).await;
    let status: ServerStatus = serde_json::from_slice(&body).unwrap();
    assert_eq!(status.revision, 1, "refused requests wrote nothing");
}

#[tokio::test]
async fn admin_import_reports_problems_dry_runs_and_imports() {
    let router = app(
        AppState::new(demo_store()).unwrap().with_admin_token(TOKEN),
        None,
    );
    let bad = "kennzahl;gebiet;jahr;wert\nsgb2_quote;010560015;2026;9,9\nsgb2_quote;010560015;2026;12,5%\n";
    let (status, body) = post_import(&router, "?name=bi.csv", Some(TOKEN), bad).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a bad file is refused"
    );
    let rejected: api::ImportRejected = serde_json::from_slice(&body).unwrap();
    assert_eq!(rejected.code, api::ErrorCode::InvalidImport);
    let problem = &rejected.problems[0];
    assert_eq!(
        (
            problem.line,
            problem.column.as_deref(),
            problem.value.as_deref()
        ),
        (3, Some("wert"), Some("12,5%")),
        "the problem names line, column and value: {problem:?}"
    );

    let good =
        "kennzahl;gebiet;jahr;wert\nsgb2_quote;010560015;2026;9,9\nsgb2_quote;01056;2026;7,1\n";
    let (status, body) = post_import(&router, "?dry_run=true", Some(TOKEN), good).await;
    let report: api::ImportReport = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (report.dry_run, report.revision, report.new),
        (true, None, 2),
        "a dry run counts, writes nothing"
    );

    let (status, body) = post_import(&router, "?name=bi-2026.csv", Some(TOKEN), good).await;
    let report: api::ImportReport = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (status, report.revision, report.new),
        (StatusCode::OK, Some(2), 2),
        "the import is revision 2"
    );
    let (_, _, body) = get(&router, &format!("{}?since=1", api::FEED), None).await;
    let page: FeedPage = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        page.revisions[0].label, "Import bi-2026.csv",
        "the revision log names the file"
    );
    assert_eq!(
        page.observations.len(),
        2,
        "the feed carries the two imported values"
    );
}

#[test]
fn values_on_too_few_cases_are_stored_only_as_suppressed() {
    let mut store = demo_store();
    let csv = "kennzahl;gebiet;jahr;wert;fallzahl\n\
               sgb2_quote;010560025;2026;4,237;2\n\
               sgb2_quote;010560015;2026;9,9;812\n\
               sgb2_quote;01056;2026;7,1;\n";
    let rules = ImportRules { min_cases: 5 };
    let summary = import_bytes(&mut store, csv.as_bytes(), "Import", 2, false, rules)
        .unwrap()
        .unwrap();
    assert_eq!(
        summary.suppressed, 1,
        "Helgoland's 2 cases are below the minimum of 5"
    );
    let map = store.map_view("sgb2_quote", 2026).unwrap();
    let cell = |area: &str| {
        map.areas
            .iter()
            .chain(&map.references)
            .find(|value| value.area == area)
            .unwrap()
            .cell
    };
    assert_eq!(
        cell("010560025"),
        Some(Cell::Gap(Gap::Suppressed)),
        "the value itself was never stored"
    );
    assert_eq!(
        cell("010560015"),
        Some(Cell::Value(9.9)),
        "812 cases are published"
    );
    assert_eq!(
        cell("01056"),
        Some(Cell::Value(7.1)),
        "no case count given: no rule to apply"
    );
    let feed = serde_json::to_string(&store.feed_since(0).unwrap()).unwrap();
    assert!(
        !feed.contains("4.237"),
        "the suppressed number cannot leave the server"
    );

    let bad = "kennzahl;gebiet;jahr;wert;fallzahl\nsgb2_quote;010560015;2027;9,9;viele\n";
    let error = import_bytes(&mut store, bad.as_bytes(), "bad", 3, false, rules)
        .unwrap()
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Zeile 2, Spalte `fallzahl`: keine ganze Zahl: `viele`"),
        "{error}"
    );
}

/// Every file in `tests/import-corpus` is a malformed BI export; `EXPECTED.tsv` names the message
/// each must be refused with. Each refusal must leave the database exactly as it was.
#[test]
fn malformed_corpus_is_refused_with_the_right_message_and_writes_nothing() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import-corpus");
    let expected_text = std::fs::read_to_string(corpus.join("EXPECTED.tsv")).unwrap();
    let expected: Vec<(&str, &str)> = expected_text
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| line.split_once('\t').expect("file<TAB>message"))
        .collect();
    let mut files: Vec<String> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".csv") || name.ends_with(".json"))
        .collect();
    files.sort();
    let listed: Vec<&str> = expected.iter().map(|(file, _)| *file).collect();
    assert_eq!(
        files, listed,
        "every corpus file has an expected message and every message a file"
    );
    assert!(
        files.len() >= 30,
        "the corpus holds at least 30 malformed files"
    );

    let mut store = demo_store();
    let before = store.status().unwrap();
    let mut cases: Vec<(String, Vec<u8>, &str)> = expected
        .iter()
        .map(|(file, message)| {
            (
                (*file).to_owned(),
                std::fs::read(corpus.join(file)).unwrap(),
                *message,
            )
        })
        .collect();
    let mut huge = b"kennzahl;gebiet;jahr;wert\n".to_vec();
    huge.resize(fokus_server::import::MAX_IMPORT_BYTES + 1, b'7');
    cases.push((
        "(generated) 64 MiB + 1 byte".into(),
        huge,
        "Datei: Die Datei ist zu groß (64 MB); höchstens 64 MB",
    ));
    for (name, bytes, message) in &cases {
        let outcome =
            import_bytes(&mut store, bytes, name, 2, false, ImportRules::default()).unwrap();
        let error = outcome.expect_err(name).to_string();
        assert!(
            error.contains(message),
            "{name}: expected {message:?} in\n{error}"
        );
        assert_eq!(
            store.status().unwrap(),
            before,
            "{name}: nothing was written"
        );
    }
}
