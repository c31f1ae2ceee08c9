//! The API driven in-process through `app(..).oneshot(..)`: no socket, no network.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use fokus_model::ipc::{self, Command};
use fokus_model::{api, Cell, FeedPage, Gap, MapView, ServerStatus};
use fokus_server::import::ImportRules;
use fokus_server::{app, import_bytes, load_demo, AppState};
use fokus_store::Store;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The demo loads as a county's data would: its configuration, then four BI exports (values,
/// population, Sozialausgaben, budget totals), one revision each.
const DEMO: u64 = 5;

/// The server path of a read.
fn read_path<R: Command>() -> String {
    api::read_path(R::NAME)
}

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
    assert_eq!(server_status.revision, DEMO, "the demo is five revisions");
    assert_eq!(
        server_status.areas, 70,
        "18 map areas + 3 references + 49 Gemeinden"
    );
    assert_eq!(
        server_status.observations,
        server_status.indicators * 11 * 70,
        "11 years x 70 reporting areas (map areas, references, Gemeinden) per indicator"
    );
    assert_eq!(
        server_status.population_counts,
        21 * (11 + 3) * 18 * 2,
        "21 areas x (11 years + 3 projected) x 18 age groups x 2 sexes"
    );
    assert_eq!(server_status.spending, 8 * 11, "8 fields x 11 years");
}

#[tokio::test]
async fn feed_is_complete_then_304_when_current() {
    let router = app(AppState::new(demo_store()).unwrap(), None);
    let (status, etag, body) = get(&router, &format!("{}?since=0", api::FEED), None).await;
    assert_eq!(status, StatusCode::OK);
    let page: FeedPage = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (page.since, page.revision),
        (0, DEMO),
        "full feed from 0 to the demo"
    );
    assert_eq!(page.areas.len(), 70, "all areas in the first sync");
    assert_eq!(
        page.population.len(),
        10_584,
        "demography travels with the first sync, with its projection"
    );
    assert_eq!(
        page.population
            .iter()
            .filter(|count| count.projection)
            .count(),
        21 * 3 * 18 * 2,
        "the projection, marked as such"
    );
    assert_eq!(
        page.movement.len(),
        21 * 10,
        "births, deaths and moves of every area from the second year"
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
    let (status, _, body) = get(&router, &format!("{}?since={DEMO}", api::FEED), None).await;
    let page: FeedPage = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(page.is_empty(), "nothing after the current revision");
    let (status, _, body) = get(&router, &format!("{}?since=9", api::FEED), None).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a client from the future is told so"
    );
    let error: api::ApiError = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        error.code,
        api::ErrorCode::OtherTimeline,
        "and told to resync"
    );
    let (status, _, body) = get(&router, api::FEED, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a query without `since`");
    let error: api::ApiError = serde_json::from_slice(&body).unwrap();
    assert!(
        error.message.starts_with("Ungültige Angaben für den Feed"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn the_feed_comes_in_the_encoding_asked_for_and_says_the_same() {
    let router = app(AppState::new(demo_store()).unwrap(), None);
    let uri = format!("{}?since=0", api::FEED);
    let mut bodies = Vec::new();
    for coding in ["identity", "gzip", "gzip, zstd", "gzip, zstd"] {
        let response = router
            .clone()
            .oneshot(
                Request::get(&uri)
                    .header(header::ACCEPT_ENCODING, coding)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let encoding = response
            .headers()
            .get(header::CONTENT_ENCODING)
            .map(|value| value.to_str().unwrap().to_owned());
        let announced: usize = response.headers()[api::FEED_BYTES_HEADER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let raw = response.into_body().collect().await.unwrap().to_bytes();
        let json = match encoding.as_deref() {
            None => raw.to_vec(),
            Some("gzip") => {
                use std::io::Read;
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(&raw[..])
                    .read_to_end(&mut out)
                    .unwrap();
                out
            }
            Some("zstd") => zstd::stream::decode_all(&raw[..]).unwrap(),
            Some(other) => panic!("unexpected encoding {other}"),
        };
        assert_eq!(
            encoding.as_deref(),
            match coding {
                "identity" => None,
                "gzip" => Some("gzip"),
                _ => Some("zstd"),
            },
            "{coding}: zstd preferred, gzip understood, plain otherwise"
        );
        assert_eq!(
            json.len(),
            announced,
            "{coding}: the announced size is the JSON's"
        );
        bodies.push(json);
    }
    assert!(
        bodies.windows(2).all(|pair| pair[0] == pair[1]),
        "every encoding (and the cached second answer) carries the same page"
    );
    let page: FeedPage = serde_json::from_slice(&bodies[0]).unwrap();
    assert_eq!(page.observations.len(), 56_210, "the whole demo");
}

#[tokio::test]
async fn errors_are_code_and_german_message() {
    let router = app(AppState::new(demo_store()).unwrap(), None);
    let (status, _, body) = get(
        &router,
        &format!(
            "{}?indicator=gibtsnicht&year=2020",
            read_path::<ipc::MapValues>()
        ),
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
async fn a_read_with_wrong_arguments_is_a_bad_request_in_words() {
    let router = app(AppState::new(demo_store()).unwrap(), None);
    for (query, why) in [
        ("?indicator=sgb2_quote", "the year is missing"),
        (
            "?indicator=sgb2_quote&year=zwanzig",
            "the year is no number",
        ),
    ] {
        let (status, _, body) = get(
            &router,
            &format!("{}{query}", read_path::<ipc::MapValues>()),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}");
        let error: api::ApiError = serde_json::from_slice(&body).unwrap_or_else(|_| {
            panic!(
                "{why}: the error is JSON: {}",
                String::from_utf8_lossy(&body)
            )
        });
        assert_eq!(error.code, api::ErrorCode::BadRequest, "{why}");
        assert!(
            error.message.contains("map_values"),
            "{why}: names the read: {}",
            error.message
        );
    }
    let (status, _, _) = get(&router, &api::read_path("gibtsnicht"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an unknown read");
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
        (Some(DEMO + 1), 2),
        "two new values, one revision"
    );

    let router = app(AppState::new(store).unwrap(), None);
    let (_, _, body) = get(&router, &format!("{}?since={DEMO}", api::FEED), None).await;
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
        &format!(
            "{}?indicator=sgb2_quote&year=2026",
            read_path::<ipc::MapValues>()
        ),
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
        DEMO,
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
        DEMO,
        "still the demo's revision after the dry run"
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
    assert_eq!(status.revision, DEMO, "refused requests wrote nothing");
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
        (StatusCode::OK, Some(DEMO + 1), 2),
        "the import is the next revision"
    );
    let (_, _, body) = get(&router, &format!("{}?since={DEMO}", api::FEED), None).await;
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
               sgb2_quote;01056;2026;7,1;9412\n";
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
    // Excel on Windows writes CRLF: every CSV case again with Windows line endings must get
    // the same message, line numbers included.
    let crlf: Vec<(String, Vec<u8>, &str)> = cases
        .iter()
        .filter(|(name, bytes, _)| {
            let is_text = std::str::from_utf8(bytes).is_ok_and(|text| !text.contains('\0'));
            name.ends_with(".csv") && is_text && bytes.contains(&b'\n') && !bytes.contains(&b'\r')
        })
        .map(|(name, bytes, message)| {
            let windows = String::from_utf8_lossy(bytes)
                .replace('\n', "\r\n")
                .into_bytes();
            (format!("{name} (CRLF)"), windows, *message)
        })
        .collect();
    assert!(
        crlf.len() >= 30,
        "CRLF variants of the corpus: {}",
        crlf.len()
    );
    cases.extend(crlf);
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

// --- Content publishing and media -------------------------------------------------------------

/// Writes `files` (relative path, bytes) into a fresh folder.
fn content_folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, bytes) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

const NEWSLETTER: &[u8] = "+++\nart = \"newsletter\"\ntitel = \"Newsletter 4/2025\"\ndatum = 2025-12-15\njahr = 2025\nquartal = 4\n+++\n# Hallo\n\nText mit **Betonung**.\n".as_bytes();
const DOKUMENT: &[u8] = "+++\nart = \"dokument\"\ntitel = \"Methodik\"\ndatum = 2025-02-10\nkategorie = \"Grundlagen\"\ndateien = [\"methodik.pdf\"]\n+++\nBeschreibung.\n".as_bytes();
const VIDEO: &[u8] = "+++\nart = \"video\"\ntitel = \"Erklärvideo\"\ndatum = 2025-01-20\nvideo = \"film.webm\"\nuntertitel = \"film.vtt\"\n+++\n".as_bytes();
const EMPFEHLUNG: &[u8] = "+++\nart = \"empfehlung\"\ntitel = \"Tagespflege ausbauen\"\ndatum = 2025-10-14\nhandlungsfeld = \"Alter und Pflege\"\njahr = 2024\n\n[[status]]\ndatum = 2024-04-02\nstand = \"offen\"\n\n[[status]]\ndatum = 2025-10-14\nstand = \"umgesetzt\"\nnotiz = \"Zwei Einrichtungen eröffnet\"\n+++\nText.\n".as_bytes();
const PDF: &[u8] = b"%PDF-1.7 not really, but bytes are bytes";
/// Long enough (and repetitive enough) that a compression layer would gzip a range of it.
const WEBM: &[u8] = b"\x1aE\xdf\xa3 pretend video bytes 0123456789 pretend video bytes 0123456789 pretend video bytes 0123456789 pretend video bytes 0123456789";
const VTT: &[u8] = b"WEBVTT\n\n00:00.000 --> 00:02.000\nHallo\n";

fn valid_folder() -> tempfile::TempDir {
    content_folder(&[
        ("newsletter/2025-4.md", NEWSLETTER),
        ("dokumente/methodik.md", DOKUMENT),
        ("dokumente/methodik.pdf", PDF),
        ("video/film.md", VIDEO),
        ("video/film.webm", WEBM),
        ("video/film.vtt", VTT),
        ("empfehlungen/pflege.md", EMPFEHLUNG),
    ])
}

async fn fetch(
    router: &axum::Router,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

#[tokio::test]
async fn published_content_and_media_reach_the_feed_and_blobs_serve_ranges() {
    let blob_dir = tempfile::tempdir().unwrap();
    let blobs = fokus_server::publish::BlobDir::new(blob_dir.path().to_owned());
    let mut store = demo_store();
    let folder = valid_folder();
    let summary = fokus_server::publish_dir(&mut store, &blobs, folder.path(), 10)
        .unwrap()
        .unwrap();
    assert_eq!(
        summary.commit.revision,
        Some(DEMO + 1),
        "a publish is one revision"
    );
    assert_eq!(
        (summary.items, summary.media),
        (4, 3),
        "4 items, 3 media files"
    );

    let page = store.feed_since(DEMO).unwrap();
    assert_eq!(
        page.content.len(),
        4,
        "the feed since the demo carries exactly the content"
    );
    assert!(page.observations.is_empty(), "and no values");
    let newsletter = page
        .content
        .iter()
        .find(|item| item.id == "newsletter/2025-4")
        .unwrap();
    assert!(
        newsletter.body_html.contains("<strong>Betonung</strong>"),
        "Markdown is rendered: {}",
        newsletter.body_html
    );
    let recommendation = page
        .content
        .iter()
        .find(|item| item.id == "empfehlungen/pflege")
        .unwrap();
    match &recommendation.details {
        fokus_model::content::ContentDetails::Empfehlung { history, .. } => assert_eq!(
            history
                .iter()
                .map(|change| change.status.as_str())
                .collect::<Vec<_>>(),
            ["offen", "umgesetzt"],
            "the status history keeps its order"
        ),
        other => panic!("an Empfehlung, not {other:?}"),
    }

    let video = page
        .content
        .iter()
        .find(|item| item.id == "video/film")
        .unwrap();
    let webm = video
        .media
        .iter()
        .find(|media| media.mime == "video/webm")
        .unwrap();
    assert_eq!(webm.size, WEBM.len() as u64, "size of the bytes");
    let router = app(
        AppState::new(store).unwrap().with_blobs(blobs.clone()),
        None,
    );
    let path = api::blob_path(&webm.sha256);
    let full = Request::get(&path)
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = fetch(&router, full).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, WEBM, "the blob is the published bytes");
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "video/webm",
        "served with its media type"
    );
    assert!(
        headers.get(header::CONTENT_ENCODING).is_none(),
        "media are sent as they are: compressed already, and byte offsets must hold"
    );
    let request = Request::get(&path)
        .header(header::RANGE, "bytes=4-99")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = fetch(&router, request).await;
    assert_eq!(
        status,
        StatusCode::PARTIAL_CONTENT,
        "Range requests resume downloads"
    );
    assert_eq!(body, &WEBM[4..100], "exactly the requested bytes");
    assert!(
        headers.get(header::CONTENT_ENCODING).is_none(),
        "a range is never re-encoded"
    );
    for missing in [
        api::blob_path(&"0".repeat(64)),
        api::blob_path("..%2Fetc%2Fpasswd"),
        api::blob_path(&webm.sha256.to_uppercase()),
    ] {
        let (status, _, body) =
            fetch(&router, Request::get(&missing).body(Body::empty()).unwrap()).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{missing}: unknown or malformed names are not found"
        );
        assert!(
            body.starts_with(b"{\"code\":\"not_found\""),
            "{missing}: as an API error"
        );
    }
}

#[test]
fn republishing_changes_only_what_changed_and_withdraws_what_is_gone() {
    let blob_dir = tempfile::tempdir().unwrap();
    let blobs = fokus_server::publish::BlobDir::new(blob_dir.path().to_owned());
    let mut server = demo_store();
    let folder = valid_folder();
    fokus_server::publish_dir(&mut server, &blobs, folder.path(), 10)
        .unwrap()
        .unwrap();
    let mut client = Store::open_in_memory().unwrap();
    client.apply_feed(&server.feed_since(0).unwrap()).unwrap();
    assert_eq!(
        client.content_list(None).unwrap().len(),
        4,
        "the client has all content"
    );

    let again = fokus_server::publish_dir(&mut server, &blobs, folder.path(), 11)
        .unwrap()
        .unwrap();
    assert_eq!(
        again.commit.revision, None,
        "the same folder again is no new revision"
    );

    std::fs::remove_file(folder.path().join("newsletter/2025-4.md")).unwrap();
    std::fs::write(
        folder.path().join("empfehlungen/pflege.md"),
        String::from_utf8_lossy(EMPFEHLUNG).replace("Text.", "Neuer Text."),
    )
    .unwrap();
    let changed = fokus_server::publish_dir(&mut server, &blobs, folder.path(), 12)
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            changed.commit.revision,
            changed.commit.changed,
            changed.commit.unchanged,
            changed.commit.deleted
        ),
        (Some(DEMO + 2), 1, 2, 1),
        "one changed, two unchanged, the removed newsletter withdrawn"
    );
    let delta = server.feed_since(DEMO + 1).unwrap();
    assert_eq!(
        delta.deleted_content,
        ["newsletter/2025-4"],
        "the feed names the withdrawn item"
    );
    assert_eq!(delta.content.len(), 1, "and carries only the changed one");
    client.apply_feed(&delta).unwrap();
    assert!(
        client.content_item("newsletter/2025-4").is_err(),
        "the withdrawn newsletter is gone from the client"
    );
    assert!(
        client
            .content_item("empfehlungen/pflege")
            .unwrap()
            .body_html
            .contains("Neuer Text"),
        "the changed recommendation is updated"
    );
    assert_eq!(
        server.status().unwrap().content_items,
        3,
        "status counts content items"
    );
}

/// A content folder as (relative path, bytes) pairs.
type Files = Vec<(&'static str, Vec<u8>)>;

/// Bad content folders: each is refused with the right message, and nothing is written.
#[test]
fn malformed_content_is_refused_with_file_line_and_reason() {
    let newsletter = |front: &str| {
        format!("+++\nart = \"newsletter\"\ntitel = \"N\"\ndatum = 2025-12-15\n{front}+++\nText\n")
    };
    let cases: Vec<(&str, Files, &str)> = vec![
        ("no front matter", vec![("a.md", b"# Titel\n".to_vec())], "a.md, Zeile 1: Kopfbereich fehlt"),
        ("unclosed front matter", vec![("a.md", b"+++\ntitel = \"A\"\n".to_vec())], "a.md, Zeile 1: Kopfbereich fehlt"),
        ("unknown kind", vec![("a.md", b"+++\nart = \"blog\"\ntitel = \"A\"\ndatum = 2025-01-01\n+++\n".to_vec())], "a.md, Zeile 2: unbekannte art `blog`"),
        ("typo in a key", vec![("a.md", newsletter("jahr = 2025\nquartal = 4\ntitl = \"x\"\n").into_bytes())], "a.md, Zeile 7: Kopfbereich ungültig: unknown field `titl`"),
        ("missing quarter", vec![("a.md", newsletter("jahr = 2025\n").into_bytes())], "a.md, Zeile 1: `quartal` fehlt (nötig für art = \"newsletter\")"),
        ("quarter 5", vec![("a.md", newsletter("jahr = 2025\nquartal = 5\n").into_bytes())], "a.md, Zeile 6: `quartal` muss 1, 2, 3 oder 4 sein"),
        ("key of another kind", vec![("a.md", newsletter("jahr = 2025\nquartal = 4\nkategorie = \"x\"\n").into_bytes())], "a.md, Zeile 7: `kategorie` gehört nicht zu art = \"newsletter\""),
        ("date with a time", vec![("a.md", b"+++\nart = \"newsletter\"\ntitel = \"N\"\ndatum = 2025-12-15T10:00:00\njahr = 2025\nquartal = 4\n+++\n".to_vec())], "a.md, Zeile 4: `datum` muss ein Datum ohne Uhrzeit sein"),
        ("date as text", vec![("a.md", b"+++\nart = \"newsletter\"\ntitel = \"N\"\ndatum = \"15.12.2025\"\njahr = 2025\nquartal = 4\n+++\n".to_vec())], "a.md, Zeile 4: Kopfbereich ungültig"),
        ("unknown status", vec![("a.md", String::from_utf8_lossy(EMPFEHLUNG).replace("\"umgesetzt\"", "\"erledigt\"").into_bytes())], "a.md, Zeile 14: unbekannter stand `erledigt`"),
        ("status out of order", vec![("a.md", String::from_utf8_lossy(EMPFEHLUNG).replace("2024-04-02", "2026-01-01").into_bytes())], "a.md, Zeile 12: [[status]] vom 2025-10-14 steht nach einem späteren"),
        ("document without files", vec![("a.md", b"+++\nart = \"dokument\"\ntitel = \"D\"\ndatum = 2025-01-01\nkategorie = \"Grundlagen\"\n+++\n".to_vec())], "a.md, Zeile 1: `dateien` fehlt"),
        ("missing file", vec![("d/a.md", DOKUMENT.to_vec())], "d/a.md, Zeile 6: `methodik.pdf` nicht lesbar"),
        ("path out of the folder", vec![("a.md", String::from_utf8_lossy(DOKUMENT).replace("methodik.pdf", "../geheim.pdf").into_bytes())], "a.md, Zeile 6: `../geheim.pdf`: Pfade müssen innerhalb des Inhaltsordners bleiben"),
        ("file type not allowed", vec![("a.md", String::from_utf8_lossy(DOKUMENT).replace("methodik.pdf", "tool.exe").into_bytes()), ("tool.exe", b"MZ".to_vec())], "a.md, Zeile 6: `tool.exe`: Dateityp nicht erlaubt"),
        ("video without captions", vec![("a.md", String::from_utf8_lossy(VIDEO).replace("untertitel = \"film.vtt\"\n", "").into_bytes()), ("film.webm", WEBM.to_vec())], "a.md, Zeile 1: `untertitel` fehlt (nötig für art = \"video\")"),
        ("captions not WebVTT", vec![("a.md", VIDEO.to_vec()), ("film.webm", WEBM.to_vec()), ("film.vtt", b"1\n00:00:00,000 --> 00:00:02,000\nSRT\n".to_vec())], "a.md, Zeile 6: `film.vtt`: keine WebVTT-Datei"),
        ("a PDF as the video", vec![("a.md", String::from_utf8_lossy(VIDEO).replace("film.webm", "film.pdf").into_bytes()), ("film.pdf", PDF.to_vec()), ("film.vtt", VTT.to_vec())], "a.md, Zeile 5: `film.pdf`: passt nicht als Video"),
        ("not UTF-8", vec![("a.md", b"+++\nart = \"newsletter\"\ntitel = \"M\xfcll\"\n+++\n".to_vec())], "a.md: ist kein UTF-8-Text"),
        ("empty title", vec![("a.md", newsletter("jahr = 2025\nquartal = 4\n").replace("titel = \"N\"", "titel = \" \"").into_bytes())], "a.md, Zeile 3: `titel` ist leer"),
        ("empty folder", vec![("notiz.txt", b"keine Inhalte".to_vec())], "enthält keine Markdown-Datei"),
        ("one bad file among good ones", vec![("gut.md", NEWSLETTER.to_vec()), ("schlecht.md", b"ohne Kopf".to_vec())], "schlecht.md, Zeile 1: Kopfbereich fehlt"),
    ];
    assert!(cases.len() >= 20, "a corpus, not a sample");
    for (name, files, expected) in cases {
        let borrowed: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(path, bytes)| (*path, bytes.as_slice()))
            .collect();
        let folder = content_folder(&borrowed);
        let blob_dir = tempfile::tempdir().unwrap();
        let blobs = fokus_server::publish::BlobDir::new(blob_dir.path().join("blobs"));
        let mut store = demo_store();
        let before = store.feed_since(0).unwrap();
        let error = match fokus_server::publish_dir(&mut store, &blobs, folder.path(), 10).unwrap()
        {
            Ok(summary) => panic!("{name}: accepted: {summary:?}"),
            Err(error) => error.to_string(),
        };
        assert!(
            error.contains(expected),
            "{name}: expected `{expected}` in:\n{error}"
        );
        assert_eq!(
            store.feed_since(0).unwrap(),
            before,
            "{name}: nothing written"
        );
        assert!(
            !blob_dir.path().join("blobs").exists(),
            "{name}: no media stored"
        );
    }
}

#[tokio::test]
async fn openapi_describes_every_route_and_every_described_path_answers() {
    let blob_dir = tempfile::tempdir().unwrap();
    let blobs = fokus_server::publish::BlobDir::new(blob_dir.path().to_owned());
    let mut store = demo_store();
    fokus_server::publish_dir(&mut store, &blobs, valid_folder().path(), 10)
        .unwrap()
        .unwrap();
    let pdf_sha = store.content_item("dokumente/methodik").unwrap().media[0]
        .sha256
        .clone();
    // On a database file with an identity, as `init` makes one, so the snapshot answers too.
    store.ensure_instance("openapi-test").unwrap();
    let database = blob_dir.path().join("server.sqlite3");
    store.backup_to(&database).unwrap();
    let store = Store::open(&database).unwrap();
    let workspace = fokus_server::redaktion::Workspace::with(
        fokus_server::redaktion::db::Db::in_memory().unwrap(),
        blob_dir.path().join("inhalt"),
    );
    let router = app(
        AppState::new(store)
            .unwrap()
            .with_blobs(blobs)
            .with_redaktion(workspace),
        None,
    );
    let (status, _, body) = get(&router, api::OPENAPI, None).await;
    assert_eq!(status, StatusCode::OK);
    let document: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().unwrap();
    let mut routed: Vec<String> = [
        api::STATUS,
        api::FEED,
        api::FEED_PAGE,
        api::FEED_PAGE_UNNAMED,
        api::EVENTS,
        "/api/v1/blobs/{sha256}",
        api::SNAPSHOT,
        api::SNAPSHOT_AT,
        api::SNAPSHOT_AT_UNNAMED,
        api::OPENAPI,
        api::ADMIN_IMPORT,
        fokus_model::redaktion::LOGIN,
        fokus_model::redaktion::LOGOUT,
        fokus_model::redaktion::SESSION,
        fokus_model::redaktion::PASSWORD,
        fokus_model::redaktion::ACCOUNTS,
        fokus_model::redaktion::ACCOUNT_RESET,
        fokus_model::redaktion::ACCOUNT_LOCK,
        fokus_model::redaktion::TASKS,
        "/api/v1/redaktion/empfehlungen/status/{id}",
        fokus_model::redaktion::AUDIT,
        fokus_model::redaktion::daten::PREVIEW,
        fokus_model::redaktion::daten::ACCEPT,
        fokus_model::redaktion::daten::REVISIONS,
        fokus_model::redaktion::daten::UNDO,
        fokus_model::redaktion::inhalte::ITEMS,
        "/api/v1/redaktion/inhalte/quelle/{id}",
        fokus_model::redaktion::inhalte::CREATE,
        "/api/v1/redaktion/inhalte/entwurf/{id}",
        fokus_model::redaktion::inhalte::PREVIEW,
        "/api/v1/redaktion/inhalte/veroeffentlichen/{id}",
        "/api/v1/redaktion/inhalte/zurueckziehen/{id}",
        "/api/v1/redaktion/inhalte/verlauf/{id}",
        fokus_model::redaktion::inhalte::VERSION,
        fokus_model::redaktion::inhalte::RESTORE,
        fokus_model::redaktion::inhalte::MEDIA,
        fokus_model::redaktion::inhalte::EXPORT,
    ]
    .map(String::from)
    .to_vec();
    routed.extend(ipc::QUERY_NAMES.map(api::read_path));
    for path in &routed {
        assert!(
            paths.contains_key(path),
            "{path} is routed and must be described"
        );
    }
    assert_eq!(
        paths.len(),
        routed.len(),
        "nothing described that is not routed"
    );
    // Every described GET answers (with example parameters) with a documented status.
    let examples = [
        (api::FEED.to_owned(), "?since=0"),
        (
            read_path::<ipc::MapValues>(),
            "?indicator=sgb2_quote&year=2025",
        ),
        (
            read_path::<ipc::AreaSeriesGet>(),
            "?indicator=sgb2_quote&area=01056",
        ),
        (read_path::<ipc::ContentList>(), "?kind=newsletter"),
        (read_path::<ipc::ContentItemGet>(), "?id=newsletter/2025-4"),
        (read_path::<ipc::PopulationGet>(), "?area=01056&year=2022"),
        (
            read_path::<ipc::IndicatorTableGet>(),
            "?indicator=sgb2_quote&level=gemeinde",
        ),
        (
            read_path::<ipc::AreaProfileGet>(),
            "?area=010560015&year=2024",
        ),
        (read_path::<ipc::ChangesSince>(), "?since=3"),
        (read_path::<ipc::Search>(), "?q=Pflegeheim"),
        (read_path::<ipc::AgeStructureGet>(), "?area=01056"),
        (
            read_path::<ipc::SubjectDigests>(),
            "?subjects=kennzahl:sgb2_quote,gebiet:010560015,inhalt:newsletter/2025-4",
        ),
    ];
    // The server's timeline, as the old unnamed address of a snapshot redirects to it.
    let unnamed = api::SNAPSHOT_AT_UNNAMED.replace("{revision}", &(DEMO + 1).to_string());
    let (status, headers, _) =
        fetch(&router, Request::get(unnamed).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers[header::LOCATION].to_str().unwrap().to_owned();
    let (_, timeline) = api::parse_snapshot_path(&location).expect("a named snapshot address");
    for (path, operations) in paths {
        let Some(operation) = operations.get("get") else {
            continue;
        };
        if path == api::EVENTS {
            continue; // an endless stream; covered by the SSE tests
        }
        // The addresses from before pages named their timeline only redirect.
        let expected = if path == api::FEED_PAGE_UNNAMED || path == api::SNAPSHOT_AT_UNNAMED {
            StatusCode::SEE_OTHER
        } else if path.starts_with(fokus_model::redaktion::API) {
            // Without a session (the contract run in xtask signs in).
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::OK
        };
        let uri = match examples.iter().find(|(example, _)| example == path) {
            Some((_, query)) => format!("{path}{query}"),
            None => path
                .replace("{sha256}", &pdf_sha)
                .replace("{since}", "0")
                .replace("{revision}", &(DEMO + 1).to_string())
                .replace("{until}", &(DEMO + 1).to_string())
                .replace("{timeline}", timeline),
        };
        let (status, _, body) = get(&router, &uri, None).await;
        assert_eq!(
            status,
            expected,
            "{uri}: {}",
            String::from_utf8_lossy(&body)
        );
        assert!(
            operation["responses"].get(expected.as_str()).is_some(),
            "{path}: {expected} is documented"
        );
    }
}

#[tokio::test]
async fn demography_and_finance_read_endpoints() {
    let router = app(AppState::new(demo_store()).unwrap(), None);
    let (status, _, body) = get(
        &router,
        &format!("{}?area=01056&year=2022", read_path::<ipc::PopulationGet>()),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let pyramid: fokus_model::population::PopulationPyramid =
        serde_json::from_slice(&body).unwrap();
    assert_eq!(pyramid.groups.len(), 18, "18 age groups");
    let total = pyramid.total() as f64;
    assert!(
        (total - 320_275.0).abs() < 400.0,
        "the Kreis in 2022 is its Zensus population: {total}"
    );
    let (status, _, body) = get(&router, &read_path::<ipc::SpendingGet>(), None).await;
    assert_eq!(status, StatusCode::OK);
    let spending: fokus_model::finance::SpendingOverview = serde_json::from_slice(&body).unwrap();
    assert_eq!(spending.lines.len(), 8, "8 fields");
    let (_, euros, per_inhabitant) = spending.lines[0].points[7];
    let per_inhabitant = per_inhabitant.expect("the Kreis's population is known for 2022");
    assert!(
        (per_inhabitant - euros / total).abs() < 0.01,
        "per inhabitant divides by the Kreis's population of the same year"
    );
    let (status, _, body) = get(
        &router,
        &format!(
            "{}?area=nirgendwo&year=2022",
            read_path::<ipc::PopulationGet>()
        ),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "{}",
        String::from_utf8_lossy(&body)
    );
}

// --- Deployments: a county's configuration as data ---

const SH_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/examples/schleswig-holstein"
);

fn sh_file(name: &str) -> String {
    std::fs::read_to_string(format!("{SH_DIR}/{name}")).unwrap()
}

/// A copy of the Schleswig-Holstein example with one file changed by `edit`.
fn sh_folder_with(name: &str, edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    for file in ["einstellungen.toml", "gebiete.geojson", "kennzahlen.csv"] {
        let text = sh_file(file);
        let text = if file == name {
            edit(text.clone())
        } else {
            text
        };
        std::fs::write(folder.path().join(file), text).unwrap();
    }
    folder
}

#[test]
fn a_land_is_set_up_from_files_alone_and_shows_its_own_map() {
    let mut store = Store::open_in_memory().unwrap();
    let deployment = fokus_server::config::read_dir(std::path::Path::new(SH_DIR)).unwrap();
    let summary = fokus_server::configure(&mut store, deployment, 1).unwrap();
    assert_eq!(
        summary.revision,
        Some(1),
        "the configuration is the first revision"
    );
    let mut new = 0;
    let mut suppressed = 0;
    for file in ["werte.csv", "werte-mit-fallzahl.csv"] {
        let values = std::fs::read(format!("{SH_DIR}/{file}")).unwrap();
        let imported = import_bytes(
            &mut store,
            &values,
            &format!("Import {file}"),
            2,
            false,
            ImportRules::default(),
        )
        .unwrap()
        .unwrap();
        new += imported.commit.new;
        suppressed += imported.suppressed;
    }
    assert_eq!(new, 510, "6 indicators x 5 years x 17 areas");
    assert_eq!(
        suppressed, 1,
        "one Inobhutnahme count below the indicator's own minimum of 5"
    );

    let catalog = store.catalog().unwrap();
    let dataset = catalog.dataset.clone().unwrap();
    assert_eq!(
        (dataset.app_title.as_str(), dataset.home_area.as_str()),
        ("FOKUS SH", "01"),
        "title and home area come from einstellungen.toml"
    );
    assert_eq!(
        catalog.indicators[0].id, "sgb2_quote",
        "indicators follow the configured Handlungsfelder"
    );
    let map = store.map_view("sgb2_quote", 2024).unwrap();
    assert_eq!(
        map.areas.len(),
        15,
        "11 Kreise and 4 kreisfreie Städte are the map"
    );
    assert!(
        map.areas.iter().all(|value| value.cell.is_some()),
        "every Kreis has a value"
    );
    let references: Vec<&str> = map
        .references
        .iter()
        .map(|value| value.area.as_str())
        .collect();
    assert_eq!(references, ["01", "DG"], "the Land first, then the Bund");
    let boundary_bytes = |areas: &[fokus_model::Area]| -> usize {
        areas
            .iter()
            .filter_map(|area| area.geometry.as_ref())
            .map(String::len)
            .sum()
    };
    let exact_folder = sh_folder_with("einstellungen.toml", |text| {
        text.replace("vereinfachung_m = 300", "vereinfachung_m = 0")
    });
    let exact = fokus_server::config::read_dir(exact_folder.path()).unwrap();
    let (simplified_bytes, exact_bytes) =
        (boundary_bytes(&catalog.areas), boundary_bytes(&exact.areas));
    let n_drawn = catalog
        .areas
        .iter()
        .filter(|area| area.geometry.is_some())
        .count();
    assert!(
        n_drawn == 15 && simplified_bytes < exact_bytes,
        "15 boundaries, simplified at 300 m: {simplified_bytes} bytes instead of {exact_bytes}"
    );
    let series = store.area_series("arbeitslosenquote", "01002").unwrap();
    let lines: Vec<&str> = series.lines.iter().map(|line| line.area.as_str()).collect();
    assert_eq!(
        lines,
        ["01002", "01", "DG"],
        "Kiel against the Land and the Bund"
    );
}

#[test]
fn a_broken_configuration_names_every_problem_and_changes_nothing() {
    type Edit = fn(String) -> String;
    let cases: &[(&str, Edit, &str)] = &[
        ("einstellungen.toml", |text| text.replace("titel = \"FOKUS SH\"\n", ""), "einstellungen.toml, Datei: die Angabe `titel` fehlt"),
        ("einstellungen.toml", |text| text.replace("heimatgebiet = \"01\"", "heimatgebiet = \"1\""), "einstellungen.toml, Datei: `heimatgebiet` `1` steht nicht in gebiete.geojson"),
        ("einstellungen.toml", |text| text.replace("\"kreisfreie_stadt\"]", "\"stadt\"]"), "`kartenebenen`: unbekannte Ebene `stadt`"),
        ("einstellungen.toml", |text| text.replace("vereinfachung_m = 300", "vereinfachung_m = -1"), "`vereinfachung_m` muss zwischen 0 und 5000 Metern liegen"),
        ("einstellungen.toml", |text| text.replace("#1f5631", "#f5c400"), "`akzentfarbe` `#f5c400` ist zu hell: Kontrast 1,5 : 1 zu weißer Schrift oder zum hellen Seitenhintergrund, mindestens 4,5 : 1"),
        ("einstellungen.toml", |text| text.replace("#1f5631", "grün"), "`akzentfarbe` `grün` ist keine Farbe der Form #rrggbb"),
        ("einstellungen.toml", |text| text + "\nfarbe = \"rot\"\n", "einstellungen.toml, Zeile 19: unbekannte Angabe `farbe`; erlaubt: titel"),
        ("einstellungen.toml", |text| text + "\n[[ausschnitt]]\ngebiet = \"01\"\nbeschriftung = \"Land\"\n", "`ausschnitt`: `01` ist kein Kartengebiet"),
        ("gebiete.geojson", |text| text.replacen("\"id\":\"01001\"", "\"id\":\"01002\"", 1), "gebiete.geojson, Eintrag 2, Spalte `id`: doppelt, steht schon in Eintrag 1: `01002`"),
        ("gebiete.geojson", |text| text.replacen("\"id\":\"01001\"", "\"id\":1001", 1), "gebiete.geojson, Eintrag 1, Spalte `id`: fehlt; erwartet wird der Regionalschlüssel als Text"),
        ("gebiete.geojson", |text| text.replacen("\"ebene\":\"kreis\"", "\"ebene\":\"landkreis\"", 1), "Spalte `ebene`: unbekannte Ebene; erlaubt: gemeinde, amt"),
        ("gebiete.geojson", |text| text.replacen("\"ebene\":\"land\"},\"geometry\":null", "\"ebene\":\"kreis\"},\"geometry\":null", 1), "Eintrag 16, Spalte `geometry`: fehlt; Gebiete der Kartenebene `kreis` brauchen eine Grenze"),
        ("gebiete.geojson", |text| text.replacen("\"ebene\":\"bund\"", "\"ebene\":\"bund\",\"uebergeordnet\":\"EU\"", 1), "Spalte `uebergeordnet`: kein Gebiet dieser Datei (bei Deutschland): `EU`"),
        ("gebiete.geojson", |text| text.replacen("\"name\":\"Kiel\",\"ebene\":\"kreisfreie_stadt\"", "\"name\":\"Kiel\",\"ebene\":\"kreisfreie_stadt\",\"einwohner\":-5", 1), "Spalte `einwohner`: keine ganze Zahl ≥ 0: `-5`"),
        ("gebiete.geojson", |_| "{\"type\": \"Feature\"".into(), "gebiete.geojson, Datei: kein gültiges GeoJSON"),
        ("kennzahlen.csv", |text| text.replace(";hoeher_ist_schlechter;Arbeitslose in Prozent", ";schlecht;Arbeitslose in Prozent"), "kennzahlen.csv, Zeile 3, Spalte `polaritaet`: erlaubt: hoeher_ist_besser, hoeher_ist_schlechter, neutral: `schlecht`"),
        ("kennzahlen.csv", |text| text.replace("Kinder und Familie;je 10.000;1;", "Familie;je 10.000;1;"), "kennzahlen.csv, Zeile 7, Spalte `handlungsfeld`: steht nicht in `handlungsfelder` in einstellungen.toml: `Familie`"),
        ("kennzahlen.csv", |text| text.replace("pflegequote;", "Pflege-Quote;"), "kennzahlen.csv, Zeile 5, Spalte `id`: nur Kleinbuchstaben"),
        ("kennzahlen.csv", |text| text.replace("Minderjährige;Kinder- und Jugendhilfestatistik;;5", "Minderjährige;Kinder- und Jugendhilfestatistik;;0"), "Zeile 7, Spalte `mindestfallzahl`: eine ganze Zahl ≥ 1"),
        ("kennzahlen.csv", |text| text.replace("Kinder und Familie;%;1;", "Kinder und Familie;%;zwei;"), "Zeile 6, Spalte `nachkommastellen`: eine ganze Zahl von 0 bis 4: `zwei`"),
        ("kennzahlen.csv", |text| text.replace(";quelle;", ";herkunft;"), "kennzahlen.csv, Zeile 1, Spalte `quelle`: Spalte fehlt in der Kopfzeile"),
        ("kennzahlen.csv", |text| text.replace("\n", "\r\n").replace("pflegequote;", "sgb2_quote;"), "kennzahlen.csv, Zeile 5, Spalte `id`: doppelt, steht schon in Zeile 2"),
    ];
    for (file, edit, expected) in cases {
        let folder = sh_folder_with(file, *edit);
        let error = fokus_server::config::read_dir(folder.path())
            .expect_err(expected)
            .to_string();
        assert!(
            error.starts_with("Konfiguration abgelehnt, nichts wurde gespeichert")
                && error.contains(expected),
            "expected {expected:?} in:\n{error}"
        );
    }
}

#[test]
fn a_gebietsreform_keeps_old_values_with_the_old_area_and_draws_the_new_state() {
    let mut store = Store::open_in_memory().unwrap();
    let deployment = fokus_server::config::read_dir(std::path::Path::new(SH_DIR)).unwrap();
    fokus_server::configure(&mut store, deployment, 1).unwrap();
    for file in ["werte.csv", "werte-mit-fallzahl.csv"] {
        let values = std::fs::read(format!("{SH_DIR}/{file}")).unwrap();
        import_bytes(&mut store, &values, file, 2, false, ImportRules::default())
            .unwrap()
            .unwrap();
    }
    let mut client = Store::open_in_memory().unwrap();
    client.apply_feed(&store.feed_since(0).unwrap()).unwrap();

    // Neumünster merges into Rendsburg-Eckernförde: its feature leaves the file, the Kreis gets
    // a new name.
    let merged = sh_folder_with("gebiete.geojson", |text| {
        text.lines()
            .filter(|line| !line.contains("\"id\":\"01004\""))
            .collect::<Vec<_>>()
            .join("\n")
            .replace(
                "\"name\":\"Rendsburg-Eckernförde\"",
                "\"name\":\"Rendsburg-Eckernförde-Neumünster\"",
            )
    });
    // The same revision brings a new indicator and drops one.
    let catalogue: String = sh_file("kennzahlen.csv")
        .lines()
        .filter(|line| !line.starts_with("pflegequote;"))
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(
        merged.path().join("kennzahlen.csv"),
        catalogue
            + "wohngeld;Wohngeldhaushalte;Wohngeld;Alter und Pflege;je 1.000;1;neutral;Haushalte mit Wohngeld je 1.000 Haushalte;Haushalte mit Wohngeld;Haushalte;Statistikamt Nord;;\n",
    )
    .unwrap();
    let reform = fokus_server::config::read_dir(merged.path()).unwrap();
    let summary = fokus_server::configure(&mut store, reform, 3).unwrap();
    assert_eq!(
        summary.revision,
        Some(4),
        "the reform is one revision, after the configuration and the two imports"
    );

    client.apply_feed(&store.feed_since(3).unwrap()).unwrap();
    let map = client.map_view("sgb2_quote", 2024).unwrap();
    assert_eq!(map.areas.len(), 14, "the map shows the new state");
    assert!(
        map.areas
            .iter()
            .any(|value| value.name == "Rendsburg-Eckernförde-Neumünster"),
        "the renamed Kreis travels in the feed"
    );
    let old = client.area_series("sgb2_quote", "01004").unwrap();
    assert!(
        old.lines[0].points.iter().all(|(_, value)| value.is_some()),
        "Neumünster's values stay readable with Neumünster"
    );
    let catalog = client.catalog().unwrap();
    let offered: Vec<&str> = catalog
        .indicators
        .iter()
        .filter(|indicator| !indicator.retired)
        .map(|indicator| indicator.id.as_str())
        .collect();
    assert_eq!(
        offered,
        [
            "sgb2_quote",
            "arbeitslosenquote",
            "grundsicherung_alter",
            "wohngeld",
            "betreuungsquote_u3",
            "inobhutnahmen"
        ],
        "the new indicator reached the app in its Handlungsfeld's place; the dropped one is not offered"
    );
    let dropped = client.map_view("pflegequote", 2024).unwrap();
    assert!(
        dropped.indicator.retired && dropped.areas.iter().any(|value| value.cell.is_some()),
        "the dropped indicator's values stay readable"
    );
    let late = "kennzahl;gebiet;jahr;wert\npflegequote;01002;2024;4,9\n";
    let refused = import_bytes(
        &mut store,
        late.as_bytes(),
        "late",
        4,
        false,
        ImportRules::default(),
    )
    .unwrap()
    .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("Spalte `kennzahl`: nicht mehr im Katalog (aus kennzahlen.csv entfernt)"),
        "values for a dropped indicator are refused by name: {refused}"
    );
    let neumuenster = catalog
        .areas
        .iter()
        .find(|area| area.id == "01004")
        .unwrap();
    assert!(
        neumuenster.retired && neumuenster.geometry.is_none(),
        "retired, not drawn"
    );
}

#[test]
fn the_demo_is_the_bundled_configuration_plus_an_import() {
    let mut from_files = Store::open_in_memory().unwrap();
    let folder = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/demo"));
    let deployment = fokus_server::config::read_dir(folder).unwrap();
    assert_eq!(
        deployment,
        fokus_server::demo::demo_deployment(),
        "`init assets/demo` reads what `demo` bundles"
    );
    fokus_server::configure(&mut from_files, deployment, 1).unwrap();
    let demo = demo_store();
    assert_eq!(
        from_files.catalog().unwrap().areas,
        demo.catalog().unwrap().areas,
        "same areas and boundaries either way"
    );
    let dataset = demo.dataset().unwrap().unwrap();
    assert!(
        dataset.demo && dataset.insets[0].area == "010560025",
        "demo label and Helgoland inset are configuration"
    );
    let headlines: Vec<String> = demo
        .indicators()
        .unwrap()
        .into_iter()
        .filter(|indicator| indicator.headline)
        .map(|indicator| indicator.id)
        .collect();
    assert_eq!(
        headlines.len(),
        8,
        "the demo marks 8 Leitkennzahlen: {headlines:?}"
    );
}

#[tokio::test]
async fn population_and_spending_arrive_through_the_same_admin_import() {
    let router = app(
        AppState::new(demo_store()).unwrap().with_admin_token(TOKEN),
        None,
    );
    let population = "gebiet;jahr;geschlecht;alter;anzahl\n010560015;2026;w;85+;1.500\n010560015;2026;m;85+;900\n";
    let (status, body) =
        post_import(&router, "?name=bevoelkerung.csv", Some(TOKEN), population).await;
    let report: api::ImportReport = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (status, report.new),
        (StatusCode::OK, 2),
        "two new population counts"
    );
    let (_, _, body) = get(
        &router,
        &format!(
            "{}?area=010560015&year=2026",
            read_path::<ipc::PopulationGet>()
        ),
        None,
    )
    .await;
    let pyramid: fokus_model::population::PopulationPyramid =
        serde_json::from_slice(&body).unwrap();
    assert_eq!(
        pyramid.groups,
        [(85, 1_500, 900)],
        "the pyramid shows what was imported"
    );

    let spending = "bereich;jahr;euro\nHilfe zur Pflege;2026;12.500.000\n";
    let (status, body) = post_import(
        &router,
        "?name=ausgaben.csv&dry_run=true",
        Some(TOKEN),
        spending,
    )
    .await;
    let report: api::ImportReport = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (status, report.new, report.revision),
        (StatusCode::OK, 1, None),
        "a dry run of spending"
    );
    let (status, _) = post_import(&router, "?name=ausgaben.csv", Some(TOKEN), spending).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, body) = get(&router, &read_path::<ipc::SpendingGet>(), None).await;
    let overview: fokus_model::finance::SpendingOverview = serde_json::from_slice(&body).unwrap();
    let line = overview
        .lines
        .iter()
        .find(|line| line.field == "Hilfe zur Pflege")
        .unwrap();
    assert_eq!(
        line.points.last().map(|point| (point.0, point.1)),
        Some((2026, 12_500_000.0)),
        "the new year"
    );

    let broken = "gebiet;jahr;geschlecht;alter;anzahl\n010560015;2026;w;85+;x\n";
    let (status, body) = post_import(&router, "?name=bevoelkerung.csv", Some(TOKEN), broken).await;
    let rejected: api::ImportRejected = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (status, rejected.problems[0].column.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("anzahl")),
        "a refused population file names its column"
    );
}

/// Every file in `tests/import-accepted` is a real-world export the import must read: the
/// statistical offices' markers and flags, Excel's habits, a wide table. `EXPECTED.tsv` names the
/// rows each yields; each CSV must read the same with Windows line endings.
#[test]
fn real_world_exports_are_read_as_their_makers_meant_them() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import-accepted");
    let expected_text = std::fs::read_to_string(folder.join("EXPECTED.tsv")).unwrap();
    let catalog = demo_store().catalog().unwrap();
    let mut files_checked = std::collections::BTreeSet::new();
    for line in expected_text
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
    {
        let [file, n_rows, row] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("file<TAB>rows<TAB>row: {line}");
        };
        let (key, cell_json) = row.split_once(" = ").unwrap();
        let expected_cell: Cell = serde_json::from_str(cell_json).unwrap();
        let bytes = std::fs::read(folder.join(file)).unwrap();
        let mut variants = vec![(file.to_owned(), bytes.clone())];
        if file.ends_with(".csv") {
            let crlf = String::from_utf8(bytes).unwrap().replace('\n', "\r\n");
            variants.push((format!("{file} (CRLF)"), crlf.into_bytes()));
        }
        for (name, bytes) in variants {
            let parsed =
                fokus_server::import::parse_export(&bytes, &catalog, ImportRules::default())
                    .unwrap_or_else(|error| panic!("{name} is refused:\n{error}"));
            assert_eq!(
                parsed.observations.len(),
                n_rows.parse::<usize>().unwrap(),
                "{name}: rows"
            );
            let found = parsed
                .observations
                .iter()
                .find(|observation| {
                    format!(
                        "{}/{}/{}",
                        observation.key.indicator, observation.key.area, observation.key.year
                    ) == key
                })
                .unwrap_or_else(|| panic!("{name}: no row {key}"));
            assert_eq!(found.cell, expected_cell, "{name}: {key}");
        }
        files_checked.insert(file.to_owned());
    }
    let on_disk: std::collections::BTreeSet<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "EXPECTED.tsv")
        .collect();
    assert_eq!(files_checked, on_disk, "every accepted file is checked");

    // A flag survives the store and the feed.
    let mut store = demo_store();
    let flagged = std::fs::read(folder.join("05-wide-table-years-as-columns.csv")).unwrap();
    import_bytes(
        &mut store,
        &flagged,
        "wide",
        5,
        false,
        ImportRules::default(),
    )
    .unwrap()
    .unwrap();
    let map = store.map_view("sgb2_quote", 2024).unwrap();
    let kreis = map
        .references
        .iter()
        .find(|value| value.area == "01056")
        .unwrap();
    assert_eq!(
        kreis.cell.and_then(Cell::flag),
        Some(fokus_model::ValueFlag::Provisional),
        "the map shows the Kreis's 2024 value as provisional"
    );
}

#[test]
fn a_backup_taken_while_serving_is_a_complete_data_folder() {
    let data = tempfile::tempdir().unwrap();
    let mut store = Store::open(&fokus_server::database_path(data.path())).unwrap();
    store.ensure_instance("kreis-server").unwrap();
    load_demo(&mut store, 1).unwrap();
    let blobs = fokus_server::publish::BlobDir::new(fokus_server::blob_dir(data.path()));
    let folder = valid_folder();
    fokus_server::publish_dir(&mut store, &blobs, folder.path(), 2)
        .unwrap()
        .unwrap();
    // A second connection holds a write transaction open, as a running import would.
    let writer = rusqlite::Connection::open(fokus_server::database_path(data.path())).unwrap();
    writer
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO meta VALUES ('half', 'done');")
        .unwrap();

    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("sicherung");
    let summary = fokus_server::backup(&store, data.path(), &target).unwrap();
    writer.execute_batch("ROLLBACK").unwrap();
    assert_eq!(
        (summary.revision, summary.blobs),
        (DEMO + 1, 3),
        "the published revision and its three media files"
    );
    let restored = Store::open(&fokus_server::database_path(&target)).unwrap();
    assert_eq!(
        restored.instance().unwrap(),
        "kreis-server",
        "the identity is kept"
    );
    assert_eq!(
        serde_json::to_value(restored.feed_since(0).unwrap()).unwrap(),
        serde_json::to_value(store.feed_since(0).unwrap()).unwrap(),
        "the copy serves exactly what the original serves"
    );
    for sha256 in restored.blob_hashes().unwrap() {
        let bytes = std::fs::read(fokus_server::blob_dir(&target).join(&sha256)).unwrap();
        assert_eq!(
            fokus_server::publish::hex_sha256(&bytes),
            sha256,
            "blob {sha256} intact"
        );
    }
    let again = fokus_server::backup(&store, data.path(), &target).unwrap_err();
    assert!(
        again.to_string().contains("is not empty"),
        "a backup never overwrites another: {again}"
    );
}

#[tokio::test]
async fn behind_a_cache_the_feed_redirects_to_immutable_pages() {
    let plain = app(AppState::new(demo_store()).unwrap(), None);
    let (status, _, _) = get(&plain, &format!("{}?since=0", api::FEED), None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "without --feed-redirect the feed answers in one round trip"
    );

    let router = app(
        AppState::new(demo_store())
            .unwrap()
            .with_feed_redirect(true),
        None,
    );
    let response = router
        .clone()
        .oneshot(
            Request::get(format!("{}?since=0", api::FEED))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let location = response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let (_, _, timeline) = api::parse_feed_page_path(&location).expect("a page's address");
    let timeline = timeline.to_owned();
    let page_path = api::feed_page_path(0, DEMO, &timeline);
    assert_eq!(
        (
            response.status(),
            location.as_str(),
            response.headers()[header::CACHE_CONTROL].to_str().unwrap()
        ),
        (StatusCode::SEE_OTHER, page_path.as_str(), "no-store"),
        "news: a redirect to the page, never cached itself"
    );
    let response = router
        .clone()
        .oneshot(Request::get(&page_path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable",
        "the page never changes"
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let page: FeedPage = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (page.since, page.revision),
        (0, DEMO),
        "the page holds the whole range"
    );

    let (status, _, _) = get(&router, &api::feed_page_path(0, DEMO + 1, &timeline), None).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a revision the server does not have"
    );
    let lost = api::timeline("kreis", &"0".repeat(64));
    let (status, _, _) = get(&router, &api::feed_page_path(0, DEMO, &lost), None).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the same revision of another timeline (a server before its restore)"
    );
    for (older, why) in [
        (
            api::feed_page_path(0, DEMO - 1, &timeline),
            "a superseded page leads to the current one",
        ),
        (
            api::feed_page_path(0, DEMO - 1, &lost),
            "whatever timeline it named",
        ),
        (
            format!("{}/0/{}", api::FEED, DEMO - 1),
            "as does an address from before timelines",
        ),
        (
            format!("{}/0/{DEMO}", api::FEED),
            "of the current revision too",
        ),
    ] {
        let response = router
            .clone()
            .oneshot(Request::get(&older).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(
            (
                response.status(),
                response.headers()[header::LOCATION].to_str().unwrap()
            ),
            (StatusCode::SEE_OTHER, page_path.as_str()),
            "{why}"
        );
    }
    let etag = api::feed_etag(&page.instance, DEMO, DEMO);
    let (status, _, _) = get(&router, &format!("{}?since={DEMO}", api::FEED), Some(&etag)).await;
    assert_eq!(
        status,
        StatusCode::NOT_MODIFIED,
        "a current client still gets one 304"
    );
}

/// A link in the content folder could publish any file of the server (`liste.csv ->
/// /etc/fokus/admin-token`), or a folder outside it: refused as a problem wherever it points
/// (outside the folder or inside it), nothing written, nothing copied.
#[cfg(unix)]
#[test]
fn symbolic_links_in_the_content_folder_are_refused() {
    let secret_dir = tempfile::tempdir().unwrap();
    let secret = secret_dir.path().join("admin-token");
    std::fs::write(&secret, "geheimes-token-des-servers").unwrap();
    // A folder outside that would publish cleanly if it were followed.
    let outside = content_folder(&[("methodik.md", DOKUMENT), ("methodik.pdf", PDF)]);
    type Build = fn(&std::path::Path, &std::path::Path, &std::path::Path);
    let cases: [(&str, Build); 7] = [
        ("a media file to a file outside", |folder, secret, _| {
            std::fs::write(folder.join("a.md"), DOKUMENT).unwrap();
            std::os::unix::fs::symlink(secret, folder.join("methodik.pdf")).unwrap();
        }),
        ("a Markdown file to a file outside", |folder, secret, _| {
            std::fs::write(folder.join("gut.md"), NEWSLETTER).unwrap();
            std::os::unix::fs::symlink(secret, folder.join("b.md")).unwrap();
        }),
        ("a folder to the folder of a secret", |folder, secret, _| {
            std::fs::write(folder.join("gut.md"), NEWSLETTER).unwrap();
            std::os::unix::fs::symlink(secret.parent().unwrap(), folder.join("dokumente")).unwrap();
        }),
        (
            "a kind folder to a sound content folder outside",
            |folder, _, outside| {
                std::fs::write(folder.join("gut.md"), NEWSLETTER).unwrap();
                std::os::unix::fs::symlink(outside, folder.join("dokumente")).unwrap();
            },
        ),
        ("a folder to a folder inside", |folder, _, _| {
            std::fs::create_dir(folder.join("newsletter")).unwrap();
            std::fs::write(folder.join("newsletter/2025-4.md"), NEWSLETTER).unwrap();
            std::os::unix::fs::symlink("newsletter", folder.join("aktuell")).unwrap();
        }),
        (
            "a Markdown file to a Markdown file inside",
            |folder, _, _| {
                std::fs::write(folder.join("gut.md"), NEWSLETTER).unwrap();
                std::os::unix::fs::symlink("gut.md", folder.join("kopie.md")).unwrap();
            },
        ),
        ("a media file to a file inside", |folder, _, _| {
            std::fs::create_dir_all(folder.join("dokumente")).unwrap();
            std::fs::create_dir_all(folder.join("ablage")).unwrap();
            std::fs::write(folder.join("dokumente/methodik.md"), DOKUMENT).unwrap();
            std::fs::write(folder.join("ablage/methodik.pdf"), PDF).unwrap();
            std::os::unix::fs::symlink(
                "../ablage/methodik.pdf",
                folder.join("dokumente/methodik.pdf"),
            )
            .unwrap();
        }),
    ];
    for (what, build) in cases {
        let folder = tempfile::tempdir().unwrap();
        build(folder.path(), &secret, outside.path());
        let blob_dir = tempfile::tempdir().unwrap();
        let blobs = fokus_server::publish::BlobDir::new(blob_dir.path().join("blobs"));
        let mut store = demo_store();
        let before = store.feed_since(0).unwrap();
        let error = match fokus_server::publish_dir(&mut store, &blobs, folder.path(), 10).unwrap()
        {
            Ok(summary) => panic!("{what}: a link was published: {summary:?}"),
            Err(error) => error.to_string(),
        };
        assert!(
            error.contains("ist ein symbolischer Link"),
            "{what}: {error}"
        );
        assert_eq!(
            store.feed_since(0).unwrap(),
            before,
            "{what}: nothing written"
        );
        assert!(
            !blob_dir.path().join("blobs").exists(),
            "{what}: nothing copied"
        );
    }
}

/// A named pipe where a media file should be would hold a publish forever (opening it waits for
/// a writer): it is opened without waiting and refused as no regular file.
#[cfg(unix)]
#[test]
fn a_named_pipe_in_the_content_folder_is_refused_not_waited_for() {
    let folder = content_folder(&[("dokumente/methodik.md", DOKUMENT)]);
    let pipe = folder.path().join("dokumente/methodik.pdf");
    let status = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo made the pipe");
    let blob_dir = tempfile::tempdir().unwrap();
    let blobs = fokus_server::publish::BlobDir::new(blob_dir.path().join("blobs"));
    let mut store = demo_store();
    let (sender, receiver) = std::sync::mpsc::channel();
    let path = folder.path().to_owned();
    std::thread::spawn(move || {
        let outcome = fokus_server::publish_dir(&mut store, &blobs, &path, 10)
            .unwrap()
            .map(|_| ())
            .map_err(|error| error.to_string());
        let _ = sender.send(outcome);
    });
    let outcome = receiver
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the publish ends instead of waiting for a writer to the pipe");
    let error = outcome.expect_err("a pipe is no media file");
    assert!(
        error.contains("keine gewöhnliche Datei"),
        "the problem names what the path is: {error}"
    );
}

/// The folder changes under a running publish: between listing the folder and reading its
/// files, or between checking the media and copying them into the blob store, a folder or a
/// file is swapped for a link (to a folder outside with files of the same names). Every path is
/// opened one component at a time from the folder's handle without following a link, so the
/// swap is refused, not followed; nothing is written and no blob stays behind.
#[cfg(unix)]
#[test]
fn a_folder_swapped_for_a_link_while_publishing_is_refused() {
    use fokus_server::publish::PublishStage;
    /// Moves `inside` away (within the folder's parent, so the test's temporary folders clean
    /// up) and puts a link to `target` in its place.
    fn swap(inside: &std::path::Path, target: &std::path::Path) {
        let mut aside = inside.as_os_str().to_owned();
        aside.push(".weg");
        std::fs::rename(inside, &aside).unwrap();
        std::os::unix::fs::symlink(target, inside).unwrap();
    }
    const FREMD: &[u8] = "+++\nart = \"newsletter\"\ntitel = \"Fremder Text\"\ndatum = 2025-12-15\njahr = 2025\nquartal = 4\n+++\nVon außerhalb des Inhaltsordners.\n".as_bytes();
    // What a link swapped in points to: files of the names publish expects, one with the very
    // bytes it hashed before (so only the link itself can give the swap away).
    let outside = content_folder(&[
        ("newsletter/2025-4.md", FREMD),
        ("dokumente/methodik.md", DOKUMENT),
        ("dokumente/methodik.pdf", PDF),
        ("geheim.md", FREMD),
    ]);
    let outside = outside.path();
    type Swap = fn(&std::path::Path, &std::path::Path);
    let cases: [(&str, PublishStage, Swap); 4] = [
        (
            "a kind folder, after listing",
            PublishStage::Listed,
            |folder, outside| swap(&folder.join("newsletter"), &outside.join("newsletter")),
        ),
        (
            "a Markdown file, after listing",
            PublishStage::Listed,
            |folder, outside| {
                swap(
                    &folder.join("newsletter/2025-4.md"),
                    &outside.join("geheim.md"),
                )
            },
        ),
        (
            "the folder of a media file, after listing",
            PublishStage::Listed,
            |folder, outside| swap(&folder.join("dokumente"), &outside.join("dokumente")),
        ),
        (
            "the folder of a media file, after checking, before the blob is copied",
            PublishStage::Checked,
            |folder, outside| swap(&folder.join("dokumente"), &outside.join("dokumente")),
        ),
    ];
    for (what, when, change) in cases {
        let folder = valid_folder();
        let blob_dir = tempfile::tempdir().unwrap();
        let blobs = fokus_server::publish::BlobDir::new(blob_dir.path().join("blobs"));
        let mut store = demo_store();
        let before = store.feed_since(0).unwrap();
        let mut swapped = false;
        let outcome = fokus_server::publish_dir_between(
            &mut store,
            &blobs,
            folder.path(),
            10,
            &mut |stage| {
                if stage == when {
                    change(folder.path(), outside);
                    swapped = true;
                }
            },
        )
        .unwrap();
        assert!(swapped, "{what}: the publish passed the stage of the swap");
        let error = match outcome {
            Ok(summary) => panic!("{what}: the link was followed and published: {summary:?}"),
            Err(error) => error.to_string(),
        };
        assert!(
            error.contains("während der Veröffentlichung durch einen symbolischen Link ersetzt"),
            "{what}: the problem says a link came in the way: {error}"
        );
        assert_eq!(
            store.feed_since(0).unwrap(),
            before,
            "{what}: nothing written"
        );
        let blobs_left = std::fs::read_dir(blob_dir.path().join("blobs"))
            .map(|entries| entries.count())
            .unwrap_or(0);
        assert_eq!(blobs_left, 0, "{what}: no blob copied");
    }
}

/// Media no published item names any more are deleted after the publish: the blob route no
/// longer serves a withdrawn document by its hash.
#[tokio::test]
async fn withdrawn_media_are_deleted_and_no_longer_served() {
    let blob_dir = tempfile::tempdir().unwrap();
    let blobs = fokus_server::publish::BlobDir::new(blob_dir.path().join("blobs"));
    let mut store = demo_store();
    let folder = valid_folder();
    fokus_server::publish_dir(&mut store, &blobs, folder.path(), 10)
        .unwrap()
        .unwrap();
    let pdf = store.content_item("dokumente/methodik").unwrap().media[0]
        .sha256
        .clone();
    assert!(blobs.path_of(&pdf).exists());
    std::fs::remove_file(folder.path().join("dokumente/methodik.md")).unwrap();
    let summary = fokus_server::publish_dir(&mut store, &blobs, folder.path(), 11)
        .unwrap()
        .unwrap();
    assert_eq!(summary.pruned, 1, "the withdrawn document's file");
    assert!(!blobs.path_of(&pdf).exists(), "its file is gone");
    let router = app(AppState::new(store).unwrap().with_blobs(blobs), None);
    let response = router
        .oneshot(
            Request::get(fokus_model::api::blob_path(&pdf))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "no longer served");
    assert!(
        response
            .headers()
            .get(header::CACHE_CONTROL)
            .is_none_or(|value| !value.to_str().unwrap().contains("immutable")),
        "a 404 is not cached for a year"
    );
}

/// Every answer says `nosniff`; the web build is served with the app's Content-Security-Policy
/// (its inline start script allowed by hash, no framing, no forms, no base).
#[tokio::test]
async fn answers_carry_nosniff_and_the_web_build_its_content_security_policy() {
    let web = tempfile::tempdir().unwrap();
    let start = "\nimport init from '/ui.js';\nawait init();\n";
    std::fs::write(
        web.path().join("index.html"),
        format!("<!doctype html><html><head><script type=\"module\">{start}</script><script src=\"/echarts.min.js\"></script></head><body></body></html>"),
    )
    .unwrap();
    let router = app(AppState::new(demo_store()).unwrap(), Some(web.path()));
    let page = router
        .clone()
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let policy = page.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    use sha2::Digest;
    let hash = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        sha2::Sha256::digest(start.as_bytes()),
    );
    for part in [
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "default-src 'self'",
        &format!("'sha256-{hash}'"),
    ] {
        assert!(policy.contains(part), "{part} in {policy}");
    }
    assert!(
        !policy.contains("unsafe-eval'") || policy.contains("wasm-unsafe-eval"),
        "{policy}"
    );
    let api = router
        .oneshot(
            Request::get(fokus_model::api::STATUS)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(api.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
}

#[tokio::test]
async fn a_read_with_an_argument_it_cannot_use_is_a_bad_request() {
    let router = app(AppState::new(demo_store()).unwrap(), None);
    let (status, _, body) = get(
        &router,
        &format!("{}?subjects=__main__", read_path::<ipc::SubjectDigests>()),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a subject key that is none is the client's mistake: {}",
        String::from_utf8_lossy(&body)
    );
    assert!(
        String::from_utf8_lossy(&body).contains("kennzahl:ID"),
        "the answer says what is expected"
    );
}

/// The web build's shell goes out as the release build compressed it (`name.br`, `name.gz`
/// beside the file), to browsers that take that encoding; others, and files without a
/// compressed copy, get the file itself. Page routes get `index.html`, compressed the same way.
#[tokio::test]
async fn the_web_shell_is_served_precompressed_where_a_copy_exists() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    write("index.html", b"<!doctype html><title>FOKUS</title>");
    write("index.html.gz", b"gzip of the index");
    write("app.wasm", b"\0asm the module");
    write("app.wasm.br", b"brotli of the module");
    write("app.wasm.gz", b"gzip of the module");
    write("echarts.js", b"plain script");
    let router = app(AppState::new(demo_store()).unwrap(), Some(dir.path()));
    let fetch = |uri: &'static str, accept: &'static str| {
        let router = router.clone();
        async move {
            let response = router
                .oneshot(
                    Request::get(uri)
                        .header(header::ACCEPT_ENCODING, accept)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            let encoding = response
                .headers()
                .get(header::CONTENT_ENCODING)
                .map(|value| value.to_str().unwrap().to_owned());
            let body = response.into_body().collect().await.unwrap().to_bytes();
            (encoding, String::from_utf8_lossy(&body).into_owned())
        }
    };
    assert_eq!(
        fetch("/app.wasm", "gzip, deflate, br, zstd").await,
        (Some("br".into()), "brotli of the module".into()),
        "Brotli where the browser takes it"
    );
    assert_eq!(
        fetch("/app.wasm", "gzip, deflate").await,
        (Some("gzip".into()), "gzip of the module".into()),
        "gzip for a browser without Brotli over plain HTTP"
    );
    assert_eq!(
        fetch("/app.wasm", "identity").await,
        (None, "\0asm the module".into()),
        "the file itself otherwise"
    );
    assert_eq!(
        fetch("/echarts.js", "gzip, br").await,
        (None, "plain script".into()),
        "a file without a compressed copy as it is"
    );
    assert_eq!(
        fetch("/sozialbericht", "gzip").await,
        (Some("gzip".into()), "gzip of the index".into()),
        "a page route gets the index, compressed"
    );
}

/// Trunk's and the store worker's content-named files may be kept for good; anything else is
/// asked for again.
#[tokio::test]
async fn files_named_by_their_content_are_immutable() {
    use fokus_server::named_by_content;
    for path in [
        "/fokus-ui-6e67a0a46acc346c.js",
        "/fokus-ui-6e67a0a46acc346c_bg.wasm",
        "/style-e23a5f184c87a47c.css",
        "/worker/fokus_worker-0123456789abcdef_bg.wasm",
    ] {
        assert!(named_by_content(path), "{path}");
    }
    for path in [
        "/echarts.min.js",
        "/store-worker.js",
        "/sw.js",
        "/fokus-ui-6E67A0A46ACC346C.js",
        "/fokus-ui-6e67a0a46acc346.js",
        "/api/v1/read/catalog_get",
        "/worker/fokus_worker_bg.wasm",
    ] {
        assert!(!named_by_content(path), "{path}");
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html>").unwrap();
    std::fs::write(dir.path().join("app-0123456789abcdef_bg.wasm"), "\0asm").unwrap();
    std::fs::write(dir.path().join("echarts.min.js"), "echarts").unwrap();
    let router = app(AppState::new(demo_store()).unwrap(), Some(dir.path()));
    let cache_control = |uri: &'static str| {
        let router = router.clone();
        async move {
            let response = router
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            response
                .headers()
                .get(header::CACHE_CONTROL)
                .map(|value| value.to_str().unwrap().to_owned())
        }
    };
    assert_eq!(
        cache_control("/app-0123456789abcdef_bg.wasm")
            .await
            .as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(cache_control("/echarts.min.js").await, None);
    assert_eq!(
        cache_control("/missing-0123456789abcdef.js").await,
        None,
        "the index served in place of a missing file is not"
    );
}

/// An address under `/api/` that names no route is the API's own 404 (`{ code, message }`),
/// with or without the web build, never the web build's index page, which a client would
/// take for an answer it cannot parse.
#[tokio::test]
async fn an_unknown_api_path_is_a_json_404_not_the_web_page() {
    let web = tempfile::tempdir().unwrap();
    std::fs::write(
        web.path().join("index.html"),
        "<!doctype html><title>FOKUS</title>",
    )
    .unwrap();
    for web_dir in [Some(web.path()), None] {
        let router = app(AppState::new(demo_store()).unwrap(), web_dir);
        for (method, uri) in [
            ("GET", "/api/v1/gibtsnicht"),
            ("GET", "/api/v2/status"),
            ("GET", "/api/"),
            ("GET", "/api"),
            ("GET", "/api/v1/read/map_values/mehr"),
            ("POST", "/api/v1/admin/gibtsnicht"),
        ] {
            let response = router
                .clone()
                .oneshot(
                    Request::builder()
                        .method(method)
                        .uri(uri)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            let status = response.status();
            let kind = response
                .headers()
                .get(header::CONTENT_TYPE)
                .map(|kind| kind.to_str().unwrap().to_owned());
            let body = response.into_body().collect().await.unwrap().to_bytes();
            let why = format!("{method} {uri} with web build {}", web_dir.is_some());
            assert_eq!(status, StatusCode::NOT_FOUND, "{why}: no such route");
            assert_eq!(
                kind.as_deref(),
                Some("application/json"),
                "{why}: the API's error, not a page"
            );
            let error: api::ApiError = serde_json::from_slice(&body)
                .unwrap_or_else(|_| panic!("{why}: {}", String::from_utf8_lossy(&body)));
            assert_eq!(error.code, api::ErrorCode::NotFound, "{why}");
        }
    }
    let router = app(AppState::new(demo_store()).unwrap(), Some(web.path()));
    let (status, _, body) = get(&router, "/sozialbericht", None).await;
    assert_eq!(
        (
            status,
            String::from_utf8_lossy(&body).contains("<title>FOKUS")
        ),
        (StatusCode::OK, true),
        "the web build's own routes still get its page"
    );
}

/// What a client sent comes back in an error message cut short, so no request makes the
/// server echo megabytes (into a log, a BI system's mail, a person's screen).
#[tokio::test]
async fn values_echoed_in_errors_are_cut_short() {
    let long = "x".repeat(20_000);
    let timeline = "0".repeat(32);
    let router = app(
        AppState::new(demo_store()).unwrap().with_admin_token(TOKEN),
        None,
    );
    let mut messages = Vec::new();
    for (uri, why) in [
        (
            format!("/api/v1/feed/{long}/1/{timeline}"),
            "a feed page's revision that is no number",
        ),
        (
            format!("/api/v1/snapshot/{long}/{timeline}"),
            "a snapshot's revision that is no number",
        ),
        (
            format!(
                "{}?indicator={long}&year=2020",
                read_path::<ipc::MapValues>()
            ),
            "an indicator that does not exist",
        ),
    ] {
        let (status, _, body) = get(&router, &uri, None).await;
        assert!(status.is_client_error(), "{why}: refused, {status}");
        let error: api::ApiError = serde_json::from_slice(&body).unwrap();
        messages.push((why, error.message));
    }
    let csv = format!("kennzahl;gebiet;jahr;wert\nsgb2_quote;010560015;2026;{long}\n");
    let (status, body) = post_import(&router, "", Some(TOKEN), &csv).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a value that is no number"
    );
    let rejected: api::ImportRejected = serde_json::from_slice(&body).unwrap();
    let value = rejected.problems[0].value.clone().unwrap_or_default();
    assert!(
        value.chars().count() <= 81 && value.ends_with('…'),
        "the import's problem value is cut at 80 characters and says so: {} characters",
        value.chars().count()
    );
    messages.push(("an import's refusal", rejected.message));
    let (status, body) = post_import(&router, "", Some(TOKEN), &format!("{long}\n1;2;3\n")).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a header that is none"
    );
    let rejected: api::ImportRejected = serde_json::from_slice(&body).unwrap();
    messages.push(("an import's unknown header", rejected.message));
    for (why, message) in messages {
        assert!(
            message.chars().count() < 1_000 && message.contains('…'),
            "{why}: the message is short and marks the cut: {} characters: {}",
            message.chars().count(),
            message.chars().take(300).collect::<String>()
        );
    }
}

/// The import's `name` goes into the revision log every app shows: bounded, and without
/// characters that hide or reorder text.
#[tokio::test]
async fn an_import_name_too_long_or_with_control_characters_is_refused() {
    let router = app(
        AppState::new(demo_store()).unwrap().with_admin_token(TOKEN),
        None,
    );
    let good = "kennzahl;gebiet;jahr;wert\nsgb2_quote;010560015;2026;9,9\n";
    for (name, why) in [
        ("x".repeat(201), "201 characters"),
        ("bi%0Aadmin.csv".to_owned(), "a line break"),
        ("bi%00.csv".to_owned(), "a NUL"),
        ("bi%1B%5B31m.csv".to_owned(), "an escape sequence"),
        ("bi%E2%80%AEvsc.exe".to_owned(), "a right-to-left override"),
    ] {
        let (status, body) =
            post_import(&router, &format!("?name={name}"), Some(TOKEN), good).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}");
        let error: api::ApiError = serde_json::from_slice(&body).unwrap();
        assert!(
            error.code == api::ErrorCode::BadRequest && error.message.contains("`name`"),
            "{why}: names the parameter in words: {}",
            error.message
        );
    }
    let (_, _, body) = get(&router, api::STATUS, None).await;
    let status: ServerStatus = serde_json::from_slice(&body).unwrap();
    assert_eq!(status.revision, DEMO, "refused imports wrote nothing");
    let name = "%C3%A4".repeat(200);
    let (status, _) = post_import(&router, &format!("?name={name}"), Some(TOKEN), good).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "200 characters, umlauts included, are fine"
    );
}

/// RFC 7235: the scheme of `Authorization` is case-insensitive; the token itself is not.
#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive_the_token_is_not() {
    let router = app(
        AppState::new(demo_store()).unwrap().with_admin_token(TOKEN),
        None,
    );
    let good = "kennzahl;gebiet;jahr;wert\nsgb2_quote;010560015;2026;9,9\n";
    for (value, expected) in [
        (format!("Bearer {TOKEN}"), StatusCode::OK),
        (format!("bearer {TOKEN}"), StatusCode::OK),
        (format!("BEARER {TOKEN}"), StatusCode::OK),
        (format!("bEaReR {TOKEN}"), StatusCode::OK),
        (format!("Bearer  {TOKEN}"), StatusCode::OK),
        (
            format!("Bearer {}", TOKEN.to_uppercase()),
            StatusCode::UNAUTHORIZED,
        ),
        (format!("Basic {TOKEN}"), StatusCode::UNAUTHORIZED),
        (format!("Bearer{TOKEN}"), StatusCode::UNAUTHORIZED),
        (TOKEN.to_owned(), StatusCode::UNAUTHORIZED),
    ] {
        let response = router
            .clone()
            .oneshot(
                Request::post(format!("{}?dry_run=true", api::ADMIN_IMPORT))
                    .header(header::AUTHORIZATION, &value)
                    .body(Body::from(good))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "`Authorization: {value}`");
    }
}
