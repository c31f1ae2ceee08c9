//! Hostile answers to a first sync's feed request, one list for both hosts of the sync plan:
//! the native syncer's tests (`tests/sync.rs`) and the browser's store worker's
//! (`tests/worker-hostile.test.mjs`, served by `examples/hostile_feeds.rs`). Every case must
//! leave an empty cache at revision 0 with nothing written; `offline` cases are reported as a
//! lost connection, the others as an invalid answer.

use axum::response::{IntoResponse, Response};
use fokus_model::content::{ContentDetails, ContentItem, MediaRef, MediaRole};
use fokus_model::FeedPage;

pub enum Body {
    Text(String),
    /// Headers, then nothing: a hung server or proxy.
    Stall,
}

pub struct HostileFeed {
    pub why: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
    /// Whether a client must treat it as a lost connection rather than a broken server.
    pub offline: bool,
}

impl HostileFeed {
    fn text(why: &'static str, body: String) -> HostileFeed {
        HostileFeed {
            why,
            headers: Vec::new(),
            body: Body::Text(body),
            offline: false,
        }
    }

    pub fn response(&self) -> Response {
        let mut response = match &self.body {
            Body::Text(text) => text.clone().into_response(),
            Body::Stall => {
                let silence = futures_util::stream::pending::<Result<Vec<u8>, std::io::Error>>();
                axum::body::Body::from_stream(silence).into_response()
            }
        };
        for (name, value) in &self.headers {
            response
                .headers_mut()
                .insert(*name, value.parse().expect("a valid header value"));
        }
        response
    }
}

/// `good` is the server's full page (`feed_since(0)`); each case breaks it in one way.
pub fn cases(good: &FeedPage) -> Vec<HostileFeed> {
    let good_text = serde_json::to_string(good).unwrap();
    let mut backwards = good.clone();
    backwards.since = 7;
    let document = |name: &str, mime: &str| with_document(good, name, mime, "");
    // The instance travels back to the server in every later request's `If-None-Match`: one
    // that cannot be a header value would make every request fail.
    let with_instance = |instance: &str| {
        let mut page = good.clone();
        page.instance = instance.to_owned();
        serde_json::to_string(&page).unwrap()
    };
    vec![
        HostileFeed::text(
            "truncated JSON",
            good_text[..good_text.len() / 2].to_owned(),
        ),
        HostileFeed::text("not JSON at all", "<html>Wartungsarbeiten</html>".into()),
        HostileFeed::text(
            "feed for another revision",
            serde_json::to_string(&backwards).unwrap(),
        ),
        HostileFeed {
            headers: vec![(
                fokus_model::api::FEED_BYTES_HEADER,
                (fokus_sync::MAX_FEED_BYTES + 1).to_string(),
            )],
            ..HostileFeed::text("announced as larger than the limit", good_text.clone())
        },
        HostileFeed {
            why: "a server that stalls after the headers",
            headers: Vec::new(),
            body: Body::Stall,
            offline: true,
        },
        HostileFeed::text(
            "a script named as a document",
            document("Methodik.bat", "application/pdf"),
        ),
        HostileFeed::text(
            "an executable type",
            document("Methodik.exe", "application/x-msdownload"),
        ),
        HostileFeed::text("a page as a blob", document("Methodik.html", "text/html")),
        HostileFeed::text(
            "a name hiding its extension",
            document("Methodik\u{202E}fdp.cmd", "application/pdf"),
        ),
        HostileFeed::text(
            "a shortcut",
            document("Methodik.pdf.lnk", "application/pdf"),
        ),
        HostileFeed::text(
            "an instance with a control character",
            with_instance("kreis\u{7}test"),
        ),
        HostileFeed::text(
            "an instance of 10,000 characters",
            with_instance(&"k".repeat(10_000)),
        ),
    ]
}

/// `good` with one more document whose file is `name` of type `mime`, its text `body_html`.
pub fn with_document(good: &FeedPage, name: &str, mime: &str, body_html: &str) -> String {
    let mut page = good.clone();
    page.content.push(ContentItem {
        id: "dokumente/methodik".into(),
        title: "Methodik".into(),
        date: "2025-02-10".into(),
        summary: String::new(),
        body_html: body_html.to_owned(),
        details: ContentDetails::Dokument {
            category: "Grundlagen".into(),
        },
        media: vec![MediaRef {
            role: MediaRole::File,
            name: name.to_owned(),
            mime: mime.to_owned(),
            sha256: "ab".repeat(32),
            size: 100,
        }],
    });
    serde_json::to_string(&page).unwrap()
}
