//! The workspace's content editor driven in-process: create, draft, preview, publish, a stale
//! edit, pasted script, withdraw and restore, history, media uploads, export and roles.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use fokus_model::content::ContentKind;
use fokus_model::redaktion::inhalte::{
    self as content, DraftInfo, HistoryAction, HistoryEntry, ItemSource, ItemState, ItemSummary,
    MediaUploaded, Preview, Published,
};
use fokus_model::redaktion::{self as wire, Role};
use fokus_server::publish::BlobDir;
use fokus_server::redaktion::{db::Db, workfolder, Workspace};
use fokus_server::{app, load_demo, AppState};
use fokus_store::Store;
use serde_json::json;

mod common;
use common::{feed_since, revision, Answer, Browser};

/// 2026-12-05, noon.
const NOON: i64 = 1_796_472_000;

/// The media limit of the fixture's workspace: small, so the test sends no gigabytes.
const MEDIA_LIMIT: u64 = 64 * 1024;

struct Fixture {
    router: axum::Router,
    workspace: Workspace,
    clock: Arc<AtomicI64>,
    data: tempfile::TempDir,
    _source: tempfile::TempDir,
}

/// A demo server whose chapters 2024 and recommendations were published with `publish`, so the
/// working copy holds them; a workspace with a clock the test moves.
fn fixture() -> Fixture {
    let data = tempfile::tempdir().unwrap();
    let source = tempfile::tempdir().unwrap();
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo-content");
    for folder in ["empfehlungen", "fokusbericht/2024", "newsletter"] {
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
    store.ensure_instance("redaktion-inhalte-test").unwrap();
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
    .with_clock(move || ticks.load(Ordering::SeqCst))
    .with_media_limit(MEDIA_LIMIT);
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

impl Fixture {
    fn working_file(&self, relative: &str) -> std::path::PathBuf {
        workfolder::path(self.data.path()).join(relative)
    }

    /// A signed-in person with `roles`, their password chosen.
    async fn person(&self, name: &str, roles: Vec<Role>) -> Browser {
        common::person(
            &self.router,
            &self.workspace,
            name,
            roles,
            "Fachdienst Soziales",
        )
        .await
    }
}

impl Browser {
    /// Sends raw bytes, with a `Content-Length` header when `declare` (a browser always sends
    /// one; a streamed upload may not).
    async fn send_bytes(
        &mut self,
        router: &axum::Router,
        method: &str,
        uri: &str,
        content_type: Option<&str>,
        bytes: Vec<u8>,
        declare: bool,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        if declare {
            request = request.header(header::CONTENT_LENGTH, bytes.len());
        }
        self.request(router, request, Body::from(bytes)).await
    }
}

/// A path with `{*id}` or `{seq}` filled in.
fn at(path: &str, value: &str) -> String {
    path.replace("{*id}", value).replace("{seq}", value)
}

fn chapter_fields(title: &str) -> serde_json::Value {
    json!({
        "title": title,
        "date": "2026-12-05",
        "summary": "Wo Armut im Kreis zunimmt.",
        "details": { "kind": "kapitel", "year": 2024, "chapter": 3, "data_stand": "2024-09-30" },
    })
}

const CHAPTER_BODY: &str = "Die Arbeitslosigkeit im Kreis:\n\n::chart{indicator=arbeitslosenquote areas=kreis,land,bund}\n\nPflegebedürftige je 1.000: :wert{indicator=pflegebeduerftige area=kreis}.\n";

#[tokio::test]
async fn a_new_chapter_is_drafted_previewed_and_published_as_one_revision() {
    let fixture = fixture();
    let router = &fixture.router;
    let mut red = fixture.person("red", vec![Role::Redaktion]).await;
    let before = revision(router).await;

    let created = red
        .send(
            router,
            "POST",
            content::CREATE,
            Some(json!({ "kind": "kapitel", "slug": "03-armut", "folder": "fokusbericht/2024", "title": "Armut" })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.message());
    let created: ItemSource = created.json();
    let id = "fokusbericht/2024/03-armut";
    assert_eq!(created.id, id);
    assert_eq!(created.state, ItemState::Entwurf);
    assert_eq!(created.version, None, "nothing is published yet");
    let draft = created
        .draft
        .expect("a new item starts as the creator's draft");
    assert_eq!(
        draft.source.fields.date, "2026-12-05",
        "today, from the workspace's clock"
    );
    let again = red
        .send(
            router,
            "POST",
            content::CREATE,
            Some(json!({ "kind": "kapitel", "slug": "03-armut", "folder": "fokusbericht/2024" })),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "an id is taken once");
    let bad = red
        .send(
            router,
            "POST",
            content::CREATE,
            Some(json!({ "kind": "newsletter", "slug": "../../etc" })),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.message());

    let source = json!({ "fields": chapter_fields("Armut im Kreis"), "body": CHAPTER_BODY });
    let saved = red
        .send(
            router,
            "PUT",
            &at(content::DRAFT, id),
            Some(json!({ "source": source, "version": null })),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.message());
    assert!(!saved.json::<DraftInfo>().stale);

    // A draft is the workspace's alone: no revision, nothing in the feed.
    assert_eq!(revision(router).await, before, "a draft commits nothing");
    assert!(feed_since(router, 0)
        .await
        .content
        .iter()
        .all(|item| item.id != id));
    assert!(!fixture
        .working_file("fokusbericht/2024/03-armut.md")
        .exists());
    let list: Vec<ItemSummary> = red
        .send(
            router,
            "GET",
            &format!("{}?art=kapitel", content::ITEMS),
            None,
        )
        .await
        .json();
    let listed = list
        .iter()
        .find(|item| item.id == id)
        .expect("the draft is listed");
    assert_eq!(
        (listed.state, listed.title.as_str()),
        (ItemState::Entwurf, "Armut im Kreis")
    );
    assert_eq!(listed.drafts[0].display_name, "Frau red");
    assert!(
        list.iter().all(|item| item.kind == ContentKind::Kapitel),
        "filtered by kind"
    );

    let preview = red
        .send(
            router,
            "POST",
            content::PREVIEW,
            Some(json!({ "id": id, "source": source })),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.message());
    let preview: Preview = preview.json();
    assert_eq!(preview.problems, [], "every name is in the catalogue");
    assert!(
        preview
            .html
            .contains("<figure data-fokus=\"chart\" data-indicator=\"arbeitslosenquote\""),
        "the chart's placeholder, which the app's renderer draws: {}",
        preview.html
    );
    assert!(
        preview.html.contains("data-fokus=\"wert\""),
        "{}",
        preview.html
    );
    assert!(
        preview
            .text
            .starts_with("+++\nart = \"kapitel\"\ntitel = \"Armut im Kreis\"\n"),
        "{}",
        preview.text
    );

    // Unknown names are reported where they stand, as publish refuses them.
    let wrong = json!({
        "fields": chapter_fields("Armut im Kreis"),
        "body": "Erste Zeile\n\n::chart{indicator=gibt_es_nicht}\n\n:wert{indicator=pflegebeduerftige area=atlantis}\n",
    });
    let preview: Preview = red
        .send(
            router,
            "POST",
            content::PREVIEW,
            Some(json!({ "id": id, "source": wrong })),
        )
        .await
        .json();
    let found: Vec<(Option<usize>, &str)> = preview
        .problems
        .iter()
        .map(|problem| (problem.body_line, problem.message.as_str()))
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        found[0].0,
        Some(3),
        "the chart stands on the text's third line"
    );
    assert!(
        found[0].1.contains("unbekannte Kennzahl `gibt_es_nicht`"),
        "{found:?}"
    );
    assert_eq!(found[1].0, Some(5));
    assert!(
        found[1].1.contains("unbekanntes Gebiet `atlantis`"),
        "{found:?}"
    );
    assert!(
        preview.problems[0].line.unwrap() > 8,
        "file lines count the front matter too: {:?}",
        preview.problems[0]
    );
    assert!(
        preview.html.contains("<mark title=\"Zeile"),
        "marked in place: {}",
        preview.html
    );
    assert!(
        preview.html.contains("Erste Zeile"),
        "the rest is still shown"
    );
    // A kind's missing field is placed at its field.
    let missing = json!({
        "fields": { "title": "X", "date": "2026-12-05", "details": { "kind": "newsletter", "quarter": 9 } },
        "body": "",
    });
    let preview: Preview = red
        .send(
            router,
            "POST",
            content::PREVIEW,
            Some(json!({ "id": "newsletter/2026-1", "source": missing })),
        )
        .await
        .json();
    let fields: Vec<Option<&str>> = preview
        .problems
        .iter()
        .map(|problem| problem.field.as_deref())
        .collect();
    assert!(fields.contains(&Some("year")), "{:?}", preview.problems);

    // A publish with the wrong text is refused with its problems and writes nothing.
    let refused = red
        .send(
            router,
            "POST",
            &at(content::PUBLISH, id),
            Some(json!({ "source": wrong, "version": null })),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.message().contains("gibt_es_nicht"),
        "{}",
        refused.message()
    );
    assert!(
        refused.message().contains("als Entwurf gespeichert"),
        "{}",
        refused.message()
    );
    assert_eq!(revision(router).await, before);
    assert!(
        !fixture
            .working_file("fokusbericht/2024/03-armut.md")
            .exists(),
        "put back"
    );

    let published = red
        .send(
            router,
            "POST",
            &at(content::PUBLISH, id),
            Some(json!({ "source": source, "version": null })),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.message());
    let published: Published = published.json();
    assert_eq!(
        published.revision,
        Some(before + 1),
        "publishing is one revision"
    );
    let page = feed_since(router, before).await;
    assert_eq!(page.content.len(), 1, "only the new item travels");
    assert_eq!(page.content[0].id, id);
    assert_eq!(page.content[0].title, "Armut im Kreis");
    let file =
        std::fs::read_to_string(fixture.working_file("fokusbericht/2024/03-armut.md")).unwrap();
    assert_eq!(
        Some(fokus_server::publish::hex_sha256(file.as_bytes())),
        published.version
    );
    let opened: ItemSource = red
        .send(router, "GET", &at(content::SOURCE, id), None)
        .await
        .json();
    assert_eq!(opened.state, ItemState::Veroeffentlicht);
    assert_eq!(opened.version, published.version);
    assert!(opened.draft.is_none(), "the published draft is done");
    assert_eq!(opened.published.unwrap().body, CHAPTER_BODY);
}

#[tokio::test]
async fn a_stale_edit_is_refused_naming_who_changed_it_and_nothing_is_lost() {
    let fixture = fixture();
    let router = &fixture.router;
    let mut first = fixture.person("eins", vec![Role::Redaktion]).await;
    let mut second = fixture.person("zwei", vec![Role::Admin]).await;
    let id = "fokusbericht/2024/01-einleitung";
    let path = at(content::SOURCE, id);
    let loaded_first: ItemSource = first.send(router, "GET", &path, None).await.json();
    let loaded_second: ItemSource = second.send(router, "GET", &path, None).await.json();
    assert_eq!(loaded_first.version, loaded_second.version);
    let original =
        std::fs::read_to_string(fixture.working_file("fokusbericht/2024/01-einleitung.md"))
            .unwrap();

    // Both keep a draft: one each, neither overwrites the other's.
    let mut mine = loaded_second.published.clone().unwrap();
    mine.body.push_str("\nEin Absatz von Frau zwei.\n");
    let saved = second
        .send(
            router,
            "PUT",
            &at(content::DRAFT, id),
            Some(json!({ "source": mine, "version": loaded_second.version })),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    let seen: ItemSource = first.send(router, "GET", &path, None).await.json();
    assert_eq!(
        seen.other_drafts.len(),
        1,
        "the other person's draft is named"
    );
    assert_eq!(seen.other_drafts[0].display_name, "Frau zwei");
    assert!(seen.draft.is_none());

    let before = revision(router).await;
    let mut theirs = loaded_first.published.clone().unwrap();
    theirs.fields.title = "Einleitung (überarbeitet)".into();
    let answer = first
        .send(
            router,
            "POST",
            &at(content::PUBLISH, id),
            Some(json!({ "source": theirs, "version": loaded_first.version })),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.message());
    let after = revision(router).await;
    assert_eq!(after, before + 1);

    fixture.clock.fetch_add(60, Ordering::SeqCst);
    let stale = second
        .send(
            router,
            "POST",
            &at(content::PUBLISH, id),
            Some(json!({ "source": mine, "version": loaded_second.version })),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.message());
    let message = stale.message();
    assert!(
        message.contains("Frau eins"),
        "names who changed it: {message}"
    );
    assert!(message.contains("als Ihr Entwurf gespeichert"), "{message}");
    assert_eq!(revision(router).await, after, "nothing written");
    let file = std::fs::read_to_string(fixture.working_file("fokusbericht/2024/01-einleitung.md"))
        .unwrap();
    assert!(
        file.contains("Einleitung (überarbeitet)"),
        "the first edit stands"
    );
    assert!(
        !file.contains("Frau zwei"),
        "the second did not overwrite it"
    );

    // The second person's text is their draft, marked as resting on an older version.
    let reopened: ItemSource = second.send(router, "GET", &path, None).await.json();
    let draft = reopened.draft.expect("kept as a draft");
    assert!(draft.info.stale);
    assert!(draft.source.body.contains("Ein Absatz von Frau zwei."));
    // They merge: the new title and their paragraph, over the current version.
    let mut merged = draft.source;
    merged.fields.title = "Einleitung (überarbeitet)".into();
    let answer = second
        .send(
            router,
            "POST",
            &at(content::PUBLISH, id),
            Some(json!({ "source": merged, "version": reopened.version })),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.message());
    assert_eq!(revision(router).await, after + 1);

    let history: Vec<HistoryEntry> = first
        .send(router, "GET", &at(content::HISTORY, id), None)
        .await
        .json();
    let lines: Vec<(HistoryAction, &str, &str)> = history
        .iter()
        .map(|entry| {
            (
                entry.action,
                entry.display_name.as_str(),
                entry.changes.as_str(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (
                HistoryAction::Veroeffentlicht,
                "Frau zwei",
                "Text: 2 Zeilen"
            ),
            (HistoryAction::Veroeffentlicht, "Frau eins", "titel"),
            (
                HistoryAction::Ausgangsstand,
                "Inhaltsordner",
                "Stand vor der ersten Änderung im Arbeitsbereich"
            ),
        ],
        "newest first, who and what"
    );
    assert_eq!(history[1].time, NOON);
    assert_eq!(history[0].time, NOON + 60);
    let oldest = first
        .send(
            router,
            "GET",
            &at(content::VERSION, &history[2].seq.to_string()),
            None,
        )
        .await;
    assert_eq!(
        oldest.json::<content::HistoryVersion>().text,
        original,
        "each version in full"
    );
    let log: Vec<wire::AuditEntry> = second.send(router, "GET", wire::AUDIT, None).await.json();
    let actions: Vec<&str> = log.iter().map(|entry| entry.action.as_str()).collect();
    for action in [
        "inhalt_entwurf",
        "inhalt_veroeffentlicht",
        "inhalt_veroeffentlichen_abgelehnt",
    ] {
        assert!(
            actions.contains(&action),
            "{action} is in the audit log: {actions:?}"
        );
    }
}

#[tokio::test]
async fn script_pasted_into_the_text_is_published_without_it() {
    let fixture = fixture();
    let router = &fixture.router;
    let mut red = fixture.person("red", vec![Role::Redaktion]).await;
    let id = "newsletter/2025-4";
    let loaded: ItemSource = red
        .send(router, "GET", &at(content::SOURCE, id), None)
        .await
        .json();
    let mut source = loaded.published.unwrap();
    source.body = "Vorher\n\n<script>alert('x')</script>\n\n<p onclick=\"steal()\">Hallo <img src=x onerror=alert(1)></p>\n\n<a href=\"javascript:alert(1)\">Link</a>\n\nNachher\n".into();
    let preview: Preview = red
        .send(
            router,
            "POST",
            content::PREVIEW,
            Some(json!({ "id": id, "source": source })),
        )
        .await
        .json();
    let before = revision(router).await;
    let answer = red
        .send(
            router,
            "POST",
            &at(content::PUBLISH, id),
            Some(json!({ "source": source, "version": loaded.version })),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.message());
    let page = feed_since(router, before).await;
    let html = &page.content[0].body_html;
    for html in [html, &preview.html] {
        for forbidden in [
            "<script",
            "alert('x')",
            "onclick",
            "onerror",
            "javascript:",
            "<img",
        ] {
            assert!(!html.contains(forbidden), "{forbidden} removed: {html}");
        }
        for kept in ["Vorher", "Hallo", "Link", "Nachher"] {
            assert!(html.contains(kept), "{kept} kept: {html}");
        }
    }
    assert_eq!(&preview.html, html, "the preview is what the apps get");
}

#[tokio::test]
async fn withdrawing_leaves_a_tombstone_and_the_history_restores_it() {
    let fixture = fixture();
    let router = &fixture.router;
    let mut red = fixture.person("red", vec![Role::Redaktion]).await;
    let id = "fokusbericht/2024/02-pflege";
    let loaded: ItemSource = red
        .send(router, "GET", &at(content::SOURCE, id), None)
        .await
        .json();
    let stale = red
        .send(
            router,
            "POST",
            &at(content::WITHDRAW, id),
            Some(json!({ "version": "0".repeat(64) })),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.message());

    let before = revision(router).await;
    let answer = red
        .send(
            router,
            "POST",
            &at(content::WITHDRAW, id),
            Some(json!({ "version": loaded.version })),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.message());
    assert_eq!(answer.json::<Published>().revision, Some(before + 1));
    let page = feed_since(router, before).await;
    assert_eq!(page.deleted_content, [id], "the apps get a tombstone");
    assert!(!fixture
        .working_file("fokusbericht/2024/02-pflege.md")
        .exists());

    let list: Vec<ItemSummary> = red.send(router, "GET", content::ITEMS, None).await.json();
    let listed = list
        .iter()
        .find(|item| item.id == id)
        .expect("a withdrawn item stays listed");
    assert_eq!(listed.state, ItemState::Zurueckgezogen);
    assert_eq!(listed.title, "Schwerpunkt Pflege");
    let history: Vec<HistoryEntry> = red
        .send(router, "GET", &at(content::HISTORY, id), None)
        .await
        .json();
    assert_eq!(history[0].action, HistoryAction::Zurueckgezogen);
    assert_eq!(history[0].display_name, "Frau red");

    let restored = red
        .send(
            router,
            "POST",
            &at(content::RESTORE, &history[0].seq.to_string()),
            None,
        )
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.message());
    let restored: ItemSource = restored.json();
    assert_eq!(restored.state, ItemState::Zurueckgezogen);
    let draft = restored.draft.expect("the old text is the draft");
    assert_eq!(draft.source, loaded.published.unwrap());
    let answer = red
        .send(
            router,
            "POST",
            &at(content::PUBLISH, id),
            Some(json!({ "source": draft.source, "version": null })),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.message());
    let page = feed_since(router, before + 1).await;
    assert_eq!(page.content.len(), 1, "back in the apps");
    assert_eq!(page.content[0].id, id);
}

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[tokio::test]
async fn media_uploads_are_checked_by_name_content_and_size() {
    let fixture = fixture();
    let router = &fixture.router;
    let mut red = fixture.person("red", vec![Role::Redaktion]).await;
    let created = red
        .send(
            router,
            "POST",
            content::CREATE,
            Some(json!({ "kind": "dokument", "slug": "sozialatlas", "title": "Sozialatlas" })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.message());
    let id = "dokumente/sozialatlas";
    let upload = |name: &str| format!("{}?item={id}&name={name}", content::MEDIA);

    let answer = red
        .send_bytes(
            router,
            "POST",
            &upload("Sozialatlas.pdf"),
            Some("application/pdf"),
            PDF.to_vec(),
            true,
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.message());
    let uploaded: MediaUploaded = answer.json();
    assert_eq!(uploaded.path, "dokumente/Sozialatlas.pdf");
    assert_eq!(uploaded.mime, "application/pdf");
    assert_eq!(
        std::fs::read(fixture.working_file("dokumente/Sozialatlas.pdf")).unwrap(),
        PDF
    );

    let refusals = [
        (
            "bericht.pdf",
            b"<html><script>fetch('/api')</script></html>".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "kein PDF",
        ),
        (
            "tabelle.csv",
            b"<script>alert(1)</script>".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "kein CSV",
        ),
        (
            "seite.html",
            b"<html></html>".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Dateityp nicht erlaubt",
        ),
        (
            "setup.exe",
            b"MZ".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Dateityp nicht erlaubt",
        ),
        (
            "..%2Fgeheim.pdf",
            PDF.to_vec(),
            StatusCode::BAD_REQUEST,
            "Dateiname",
        ),
        (
            "Sozialatlas.pdf",
            [PDF, b"anders"].concat(),
            StatusCode::CONFLICT,
            "gibt es dort schon",
        ),
    ];
    for (name, bytes, status, expected) in refusals {
        let answer = red
            .send_bytes(router, "POST", &upload(name), None, bytes, true)
            .await;
        assert_eq!(answer.status, status, "{name}: {}", answer.message());
        assert!(
            answer.message().contains(expected),
            "{name}: {}",
            answer.message()
        );
    }
    assert!(
        !fixture.working_file("dokumente/bericht.pdf").exists(),
        "nothing written"
    );

    // Too large: refused by its declared length before a byte is read, and while streaming
    // when it declares none; either way nothing stays behind.
    let big = [PDF.to_vec(), vec![b' '; MEDIA_LIMIT as usize]].concat();
    for declare in [true, false] {
        let answer = red
            .send_bytes(
                router,
                "POST",
                &upload("gross.pdf"),
                None,
                big.clone(),
                declare,
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{}",
            answer.message()
        );
        assert!(
            answer.message().contains("größer als 64 KiB"),
            "{}",
            answer.message()
        );
    }
    assert!(!fixture.working_file("dokumente/gross.pdf").exists());
    let leftovers: Vec<_> = std::fs::read_dir(fixture.working_file("dokumente"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, ["Sozialatlas.pdf"], "no temporary file stays");

    // The document names its file and is published with it.
    let source = json!({
        "fields": { "title": "Sozialatlas", "date": "2026-12-05", "details": { "kind": "dokument", "category": "Grundlagen", "files": ["Sozialatlas.pdf"] } },
        "body": "Der Sozialatlas als PDF.",
    });
    let before = revision(router).await;
    let answer = red
        .send(
            router,
            "POST",
            &at(content::PUBLISH, id),
            Some(json!({ "source": source, "version": null })),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.message());
    let page = feed_since(router, before).await;
    let media = &page.content[0].media;
    assert_eq!(media.len(), 1);
    assert_eq!(
        (media[0].name.as_str(), media[0].sha256.as_str()),
        ("Sozialatlas.pdf", uploaded.sha256.as_str())
    );
}

#[tokio::test]
async fn the_export_is_the_working_copy_as_a_folder_archive() {
    let fixture = fixture();
    let router = &fixture.router;
    let mut red = fixture.person("red", vec![Role::Redaktion]).await;
    let answer = red.send(router, "GET", content::EXPORT, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.message());
    assert_eq!(answer.headers[header::CONTENT_TYPE], "application/x-tar");
    assert!(answer.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("inhalt-2026-12-05.tar"));
    let mut archive = tar::Archive::new(answer.body.as_slice());
    let mut names = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        let relative = name.strip_prefix("inhalt/").expect("one folder");
        assert_eq!(
            bytes,
            std::fs::read(fixture.working_file(relative)).unwrap(),
            "{name} as in the working copy"
        );
        names.push(relative.to_owned());
    }
    assert_eq!(
        names.len(),
        4 + 2 + 4,
        "four recommendations, two chapters, four newsletters: {names:?}"
    );
    assert!(names.contains(&"empfehlungen/pflege-tagespflege.md".to_owned()));
    assert!(names.contains(&"fokusbericht/2024/02-pflege.md".to_owned()));

    // What the export holds publishes as it is.
    let out = tempfile::tempdir().unwrap();
    let folder = out.path().join("export");
    let copied = workfolder::export_to(&workfolder::path(fixture.data.path()), &folder).unwrap();
    assert_eq!(copied, names.len());
    let mut store = Store::open_in_memory().unwrap();
    load_demo(&mut store, 1).unwrap();
    let blobs = BlobDir::new(out.path().join("blobs"));
    let summary = fokus_server::publish_dir(&mut store, &blobs, &folder, 2)
        .unwrap()
        .unwrap();
    assert_eq!(summary.items, names.len());
}

#[tokio::test]
async fn a_fachdienst_may_not_edit_content() {
    let fixture = fixture();
    let router = &fixture.router;
    let mut fd = fixture.person("fd", vec![Role::Fachdienst]).await;
    let id = "newsletter/2025-4";
    let source = json!({ "fields": chapter_fields("X"), "body": "" });
    let attempts = [
        ("GET", content::ITEMS.to_owned(), None),
        ("GET", at(content::SOURCE, id), None),
        (
            "PUT",
            at(content::DRAFT, id),
            Some(json!({ "source": source })),
        ),
        (
            "POST",
            content::PREVIEW.to_owned(),
            Some(json!({ "id": id, "source": source })),
        ),
        (
            "POST",
            at(content::PUBLISH, id),
            Some(json!({ "source": source })),
        ),
        (
            "POST",
            at(content::WITHDRAW, id),
            Some(json!({ "version": "x" })),
        ),
        (
            "POST",
            content::CREATE.to_owned(),
            Some(json!({ "kind": "newsletter", "slug": "2026-1" })),
        ),
        ("GET", content::EXPORT.to_owned(), None),
    ];
    let before = revision(router).await;
    for (method, path, body) in attempts {
        let answer = fd.send(router, method, &path, body).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {path}");
        assert!(
            answer.message().contains("Redaktion"),
            "{}",
            answer.message()
        );
    }
    let upload = fd
        .send_bytes(
            router,
            "POST",
            &format!("{}?item={id}&name=a.pdf", content::MEDIA),
            None,
            PDF.to_vec(),
            true,
        )
        .await;
    assert_eq!(upload.status, StatusCode::FORBIDDEN);
    assert!(!fixture.working_file("newsletter/a.pdf").exists());
    assert_eq!(revision(router).await, before);
    // Without a session nothing at all.
    let anonymous = Browser::default()
        .send(router, "GET", content::ITEMS, None)
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_fachdienst_status_change_is_history_and_makes_an_open_edit_stale() {
    let fixture = fixture();
    let router = &fixture.router;
    let mut red = fixture.person("red", vec![Role::Redaktion]).await;
    let mut fd = fixture.person("fd", vec![Role::Fachdienst]).await;
    let id = "empfehlungen/wohnen-sozialwohnungen";
    let loaded: ItemSource = red
        .send(router, "GET", &at(content::SOURCE, id), None)
        .await
        .json();
    let tasks: Vec<wire::Task> = fd.send(router, "GET", wire::TASKS, None).await.json();
    let task = tasks.iter().find(|task| task.id == id).unwrap();
    let update = json!({ "date": "2026-12-05", "status": "umgesetzt", "note": "belegt", "seen": task.history.len() });
    let answer = fd
        .send(
            router,
            "POST",
            &format!("/api/v1/redaktion/empfehlungen/status/{id}"),
            Some(update),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.message());

    let history: Vec<HistoryEntry> = red
        .send(router, "GET", &at(content::HISTORY, id), None)
        .await
        .json();
    let lines: Vec<(&str, &str)> = history
        .iter()
        .map(|entry| (entry.display_name.as_str(), entry.changes.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            ("Frau fd", "status"),
            (
                "Inhaltsordner",
                "Stand vor der ersten Änderung im Arbeitsbereich"
            )
        ]
    );

    let mut edited = loaded.published.unwrap();
    edited.fields.summary = "Neu gefasst".into();
    let stale = red
        .send(
            router,
            "POST",
            &at(content::PUBLISH, id),
            Some(json!({ "source": edited, "version": loaded.version })),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale
            .message()
            .contains("geändert von Frau fd am 2026-12-05"),
        "{}",
        stale.message()
    );
}
