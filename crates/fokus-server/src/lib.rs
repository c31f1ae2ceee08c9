//! The central FOKUS API. `main.rs` parses the command line and serves; this crate's [`app`]
//! builds the router so tests drive it without a socket.
//!
//! The server's database uses the same schema and queries as the app's cache (`fokus-store`),
//! so the web build's read endpoints answer exactly what the app would show offline.

pub mod capacity;
pub mod config;
pub mod content_folder;
pub mod demo;
pub mod demo_statistics;
mod feed_cache;
pub mod import;
pub mod openapi;
pub mod publish;
pub mod redaktion;
pub mod serve;
pub mod snapshot;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use axum::extract::rejection::QueryRejection;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use fokus_model::api::{
    self, ApiError, ErrorCode, FeedQuery, ImportProblem, ImportQuery, ImportRejected, ImportReport,
};
use fokus_model::content::is_sha256_hex;
use fokus_model::text;
use fokus_store::reads::{self, Read, ReadVisitor};
use fokus_store::{CommitSummary, Store, StoreError};
use futures_util::StreamExt;
use tokio::sync::watch;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Shared by all handlers. SQLite work runs on the blocking pool behind one mutex; the
/// skeleton's load does not need a pool of connections.
#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<Store>>,
    revision: watch::Sender<u64>,
    /// Bearer token of the admin API; `None` switches it off.
    admin_token: Option<Arc<str>>,
    rules: import::ImportRules,
    /// The database's identity; it never changes while serving.
    instance: Arc<str>,
    /// Where published media live; `None` serves no blobs.
    blobs: Option<publish::BlobDir>,
    /// Encoded feed pages of the current revision.
    feed_cache: feed_cache::FeedCache,
    /// The timeline's name at the revision last asked for ([`timeline_at`]): a revision's
    /// fingerprint never changes, so the name is read from the revision log once per revision.
    timeline: Arc<std::sync::Mutex<Option<(u64, String)>>>,
    /// The database file of the current revision, for an empty cache's first sync.
    snapshots: snapshot::SnapshotCache,
    /// Answer a feed request that has news with a redirect to its immutable page, so a caching
    /// proxy in front can serve that page to every client.
    feed_redirect: bool,
    /// Event streams open now, and how many may be.
    listeners: Arc<std::sync::atomic::AtomicUsize>,
    max_listeners: usize,
    /// Large answers (full pages, snapshots) sent at once; beyond them 503 with `Retry-After`.
    sync_slots: capacity::SyncSlots,
    /// The Redaktion workspace (accounts, sessions, the working copy of the content); `None`
    /// answers its API with 503.
    redaktion: Option<redaktion::Workspace>,
}

/// Event streams one server holds at most unless told otherwise; beyond it apps get 503 and
/// fall back to their regular sync.
pub const MAX_EVENT_LISTENERS: usize = 3000;

/// An event stream ends after this; the app reconnects (and a connection cannot be held
/// forever by one client).
pub const EVENT_STREAM_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// Counts an open event stream while it lives.
struct ListenerSlot(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for ListenerSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

impl AppState {
    pub fn new(store: Store) -> anyhow::Result<AppState> {
        let revision = store.revision()?;
        let store_instance = store.instance()?;
        Ok(AppState {
            store: Arc::new(Mutex::new(store)),
            revision: watch::channel(revision).0,
            admin_token: None,
            rules: import::ImportRules::default(),
            instance: Arc::from(store_instance.as_str()),
            blobs: None,
            feed_cache: feed_cache::FeedCache::default(),
            timeline: Arc::default(),
            snapshots: snapshot::SnapshotCache::default(),
            feed_redirect: false,
            listeners: Arc::default(),
            max_listeners: MAX_EVENT_LISTENERS,
            sync_slots: capacity::SyncSlots::default(),
            redaktion: None,
        })
    }

    /// Caps the large answers (full feed pages, snapshots) sent at once
    /// (`capacity::MAX_FULL_SYNCS` by default); beyond it clients are told to come back later.
    pub fn with_max_full_syncs(mut self, max: usize) -> AppState {
        self.sync_slots = capacity::SyncSlots::new(max);
        self
    }

    /// Caps the open event streams (`MAX_EVENT_LISTENERS` by default).
    pub fn with_max_event_listeners(mut self, max: usize) -> AppState {
        self.max_listeners = max;
        self
    }

    /// Redirects feed requests with news to `/api/v1/feed/{since}/{until}` (for a caching
    /// proxy in front; see docs/nginx-fokus.conf).
    pub fn with_feed_redirect(mut self, redirect: bool) -> AppState {
        self.feed_redirect = redirect;
        self
    }

    /// Serves published media from `blobs`.
    pub fn with_blobs(mut self, blobs: publish::BlobDir) -> AppState {
        self.blobs = Some(blobs);
        self
    }

    pub fn with_import_rules(mut self, rules: import::ImportRules) -> AppState {
        self.rules = rules;
        self
    }

    /// Enables the Redaktion workspace's API.
    pub fn with_redaktion(mut self, workspace: redaktion::Workspace) -> AppState {
        self.redaktion = Some(workspace);
        self
    }

    /// Enables the admin API (BI import over HTTP) for requests bearing `token`.
    pub fn with_admin_token(mut self, token: &str) -> AppState {
        self.admin_token = Some(Arc::from(token));
        self
    }

    /// Notices revisions committed by other processes (`fokus-server import` while serving) and
    /// announces them to server-sent-event listeners.
    pub async fn watch_revisions(self, interval: Duration) {
        loop {
            tokio::time::sleep(interval).await;
            if let Ok(revision) = self.read(|store| store.revision()).await {
                self.revision
                    .send_if_modified(|current| std::mem::replace(current, revision) != revision);
            }
        }
    }

    async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Store) -> anyhow::Result<T> + Send + 'static,
    ) -> Result<T, HttpError> {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || {
            let mut store = store
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            work(&mut store)
        })
        .await
        .map_err(|error| HttpError::internal(error.to_string()))?
        .map_err(|error| HttpError::internal(format!("{error:#}")))
    }

    async fn read<T: Send + 'static>(
        &self,
        query: impl FnOnce(&Store) -> fokus_store::Result<T> + Send + 'static,
    ) -> Result<T, HttpError> {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || {
            let store = store
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            query(&store)
        })
        .await
        .map_err(|error| HttpError::internal(error.to_string()))?
        .map_err(HttpError::from)
    }
}

/// An error as the API sends it: `{ code, message }` with a matching status.
#[derive(Debug)]
pub struct HttpError {
    status: StatusCode,
    body: ApiError,
}

impl HttpError {
    fn internal(detail: String) -> HttpError {
        tracing::error!(%detail, "internal error");
        HttpError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            body: ApiError::new(
                ErrorCode::Internal,
                "Interner Fehler des Servers; bitte später erneut versuchen",
            ),
        }
    }
}

impl From<StoreError> for HttpError {
    fn from(error: StoreError) -> HttpError {
        match error {
            // Both name what the client asked for: cut short.
            StoreError::NotFound { .. } => HttpError {
                status: StatusCode::NOT_FOUND,
                body: ApiError::new(ErrorCode::NotFound, text::echo_quoted(&error.to_string())),
            },
            StoreError::InvalidArgument(message) => HttpError {
                status: StatusCode::BAD_REQUEST,
                body: ApiError::new(ErrorCode::BadRequest, text::echo_quoted(&message)),
            },
            other => HttpError::internal(other.to_string()),
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// The server is at a limit: 503 with `Retry-After` (seconds) and the API's `{ code, message }`.
fn busy(message: impl Into<String>, retry_after_secs: u64) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, retry_after_secs.to_string())],
        Json(ApiError::new(ErrorCode::Unavailable, message)),
    )
        .into_response()
}

/// The refusal of a large answer beyond the server's slots.
fn no_slot(refused: capacity::Refused) -> Response {
    busy(
        format!(
            "Der Server sendet gerade so viele Datenstände, wie er gleichzeitig kann; bitte in {} Sekunden erneut versuchen",
            refused.retry_after_secs
        ),
        refused.retry_after_secs,
    )
}

/// The API router; with `web_dir`, also serves the web build of the UI from it.
pub fn app(state: AppState, web_dir: Option<&Path>) -> Router {
    let mut reads = ReadRoutes(Some(Router::new()));
    reads::visit(&mut reads);
    let router = reads
        .0
        .unwrap_or_default()
        .route(api::STATUS, get(status))
        .route(api::FEED, get(feed))
        .route(api::FEED_PAGE, get(feed_page))
        .route(api::FEED_PAGE_UNNAMED, get(feed_page_unnamed))
        .route(api::EVENTS, get(events))
        .route(api::OPENAPI, get(openapi))
        .route(WEB_MANIFEST, get(web_manifest))
        .route(
            api::ADMIN_IMPORT,
            // The handler reads the body itself, after the token, with the import limit.
            post(admin_import).layer(DefaultBodyLimit::disable()),
        )
        .merge(redaktion::routes())
        .with_state(state.clone())
        .layer(CompressionLayer::new())
        // Media stay out of the compression layer: video and PDF are compressed already, and a
        // download resumed with Range must count the same bytes as the attempt it continues.
        .merge(
            Router::new()
                .route(&format!("{}/{{sha256}}", api::BLOBS), get(blob))
                // Compressed already (zstd), and a resumed download counts the same bytes.
                .route(api::SNAPSHOT, get(snapshot))
                .route(api::SNAPSHOT_AT, get(snapshot_at))
                .route(api::SNAPSHOT_AT_UNNAMED, get(snapshot_at_unnamed))
                .with_state(state),
        );
    // The release build's compressed copies (`name.br`, `name.gz`, see xtask's
    // `web::precompress`) go to browsers that take them; without them, the file as it is. A
    // path the build has no file for is one of its page routes: the index page.
    let web = web_dir.map(|dir| {
        ServeDir::new(dir)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(
                ServeFile::new(dir.join("index.html"))
                    .precompressed_br()
                    .precompressed_gzip(),
            )
    });
    // An address under `/api` that no route takes is the API's own 404, never the index page
    // (a client would get HTML with 200 where it expects JSON).
    let router = router.fallback(move |request: axum::extract::Request| {
        let web = web.clone();
        async move {
            match web {
                Some(web) if !is_api_path(request.uri().path()) => {
                    use tower::ServiceExt;
                    web.oneshot(request).await.into_response()
                }
                _ => no_route(request.uri().path()).into_response(),
            }
        }
    });
    let router = match web_dir {
        Some(_) => router.layer(axum::middleware::from_fn(immutable_by_name)),
        None => router,
    };
    let policy = content_security_policy(web_dir);
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            header::HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            header::HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_str(&policy)
                .unwrap_or_else(|_| header::HeaderValue::from_static("default-src 'none'")),
        ))
}

/// Whether `path` is the API's (`/api` and below), which the web build's page routes never are.
fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// The answer to an address no route takes.
fn no_route(path: &str) -> HttpError {
    HttpError {
        status: StatusCode::NOT_FOUND,
        body: ApiError::new(
            ErrorCode::NotFound,
            format!(
                "Die Adresse `{}` gibt es nicht; welche es gibt, steht in {}",
                text::echo(path),
                api::OPENAPI
            ),
        ),
    }
}

/// Whether a path names a file by its content, as trunk names the UI's and xtask the store
/// worker's: `name-<16 lowercase hex>.js|.css` or `name-<16 hex>_bg.wasm`.
pub fn named_by_content(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let Some(stem) = [".js", ".css", "_bg.wasm"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
    else {
        return false;
    };
    let Some((_, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    hash.len() == 16
        && hash
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

/// Files named by their content never change: browsers (and the web app's service worker, on
/// install) may keep them without asking again.
async fn immutable_by_name(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let by_content = named_by_content(request.uri().path());
    let mut response = next.run(request).await;
    // A missing file gets the index page (the web build's routes): that one must not be kept.
    let index = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"text/html"));
    if by_content && !index && response.status() == StatusCode::OK {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    response
}

/// The web build's Content-Security-Policy, the same rules as the app's (tauri.conf.json): its
/// own scripts (the inline start script trunk writes into index.html by its hash), no frames,
/// no forms, no base, nothing from elsewhere. Without a web build, answers allow nothing.
pub fn content_security_policy(web_dir: Option<&Path>) -> String {
    use base64::Engine;
    use sha2::Digest;
    let Some(index) = web_dir.and_then(|dir| std::fs::read_to_string(dir.join("index.html")).ok())
    else {
        return "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
            .to_owned();
    };
    let mut hashes = String::new();
    let mut rest = index.as_str();
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let Some(close) = after.find("</script>") else {
            break;
        };
        let tag = &after[..open_end];
        let body = &after[open_end + 1..close];
        if !tag.contains("src=") && !body.trim().is_empty() {
            let digest = sha2::Sha256::digest(body.as_bytes());
            hashes.push_str(&format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &after[close + "</script>".len()..];
    }
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; media-src 'self' blob:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; frame-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
}

/// Where the web build's page finds its web app manifest (`<link rel="manifest">`).
pub const WEB_MANIFEST: &str = "/manifest.webmanifest";

/// The web app manifest, from the deployment: its name, subtitle and colour, so a county's
/// installed app carries its own name on the home screen.
async fn web_manifest(State(state): State<AppState>) -> Result<Response, HttpError> {
    let dataset = state.read(|store| store.dataset()).await?;
    let (name, subtitle, colour) = match &dataset {
        Some(dataset) => (
            if dataset.app_title.is_empty() {
                dataset.title.clone()
            } else {
                dataset.app_title.clone()
            },
            dataset.subtitle.clone(),
            dataset.accent_colour.clone(),
        ),
        None => (String::new(), String::new(), String::new()),
    };
    let name = if name.is_empty() {
        "FOKUS".to_owned()
    } else {
        name
    };
    let colour = if colour.is_empty() {
        DEFAULT_THEME_COLOUR.to_owned()
    } else {
        colour
    };
    let manifest = serde_json::json!({
        "name": if subtitle.is_empty() { name.clone() } else { format!("{name} – {subtitle}") },
        "short_name": name,
        "description": subtitle,
        "lang": "de",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": colour,
        "icons": [
            { "src": "/fokus-icon.svg", "sizes": "any", "type": "image/svg+xml" },
            { "src": "/icon.png", "sizes": "512x512", "type": "image/png", "purpose": "any" },
        ],
    });
    Ok((
        [(header::CONTENT_TYPE, "application/manifest+json")],
        manifest.to_string(),
    )
        .into_response())
}

/// The header colour of the UI (`--brand` in style.css) when the deployment sets none.
const DEFAULT_THEME_COLOUR: &str = "#0b4f8a";

async fn status(State(state): State<AppState>) -> Result<Response, HttpError> {
    Ok(Json(state.read(|store| store.status()).await?).into_response())
}

/// The change feed. The ETag names the range, so a client that is current gets a 304 with no body.
/// A rejected query string or path as the API's `{ code, message }` with a German message. The
/// detail often quotes the value it refused (axum's and serde's do): cut short.
fn rejected(what: &str, detail: impl std::fmt::Display) -> HttpError {
    HttpError {
        status: StatusCode::BAD_REQUEST,
        body: ApiError::new(
            ErrorCode::BadRequest,
            format!(
                "Ungültige Angaben für {what}: {}",
                text::echo_quoted(&detail.to_string())
            ),
        ),
    }
}

async fn feed(
    State(state): State<AppState>,
    query: Result<Query<FeedQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let Query(query) = query.map_err(|rejection| rejected("den Feed", rejection.body_text()))?;
    if query
        .fingerprint
        .as_deref()
        .is_some_and(|fingerprint| !is_sha256_hex(fingerprint))
    {
        return Err(rejected(
            "den Feed",
            "`fingerprint` ist 64 Hexadezimalziffern (klein) lang",
        ));
    }
    let current = current_revision(&state).await?;
    if query.since > current {
        return feed_answer(state, query.since, current, headers, "no-cache").await;
    }
    if let Some(fingerprint) = query.fingerprint.clone().filter(|_| query.since > 0) {
        let since = query.since;
        let ours = state.read(move |store| store.fingerprint_of(since)).await?;
        if ours.is_some_and(|ours| ours != fingerprint) {
            return Err(HttpError {
                status: StatusCode::CONFLICT,
                body: ApiError::new(
                    ErrorCode::OtherTimeline,
                    format!("Revision {since} dieses Servers ist eine andere als die des Abrufenden (Server aus einer Sicherung wiederhergestellt); bitte vollständig neu abgleichen"),
                ),
            });
        }
    }
    if state.feed_redirect && query.since < current {
        let timeline = timeline_at(&state, current).await?;
        return Ok(see_page(query.since, current, &timeline));
    }
    feed_answer(state, query.since, current, headers, "no-cache").await
}

/// The name of this server's timeline at `revision` ([`api::timeline`]).
async fn timeline_at(state: &AppState, revision: u64) -> Result<String, HttpError> {
    let known = |cached: &Option<(u64, String)>| {
        cached
            .as_ref()
            .filter(|(at, _)| *at == revision)
            .map(|(_, timeline)| timeline.clone())
    };
    if let Some(timeline) = known(
        &state
            .timeline
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    ) {
        return Ok(timeline);
    }
    let fingerprint = state
        .read(move |store| store.fingerprint_of(revision))
        .await?
        .unwrap_or_default();
    let timeline = api::timeline(&state.instance, &fingerprint);
    *state
        .timeline
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((revision, timeline.clone()));
    Ok(timeline)
}

/// The revisions of a feed page's path, bounded as the store keeps them.
fn page_range(since: u64, until: u64) -> Result<(u64, u64), HttpError> {
    if since > i64::MAX as u64 || until > i64::MAX as u64 {
        return Err(rejected(
            "die Feed-Seite",
            "Revisionen reichen bis 2^63 - 1",
        ));
    }
    Ok((since, until))
}

fn no_page(message: String) -> HttpError {
    HttpError {
        status: StatusCode::NOT_FOUND,
        body: ApiError::new(ErrorCode::NotFound, message),
    }
}

/// The immutable feed page from `since` to `until` of `timeline`. Asked for after `until` was
/// superseded, it redirects to the current page; `until` beyond the server, or a timeline that
/// is not this server's (a page of the data before a restore from a backup), is not found.
async fn feed_page(
    State(state): State<AppState>,
    range: Result<axum::extract::Path<(u64, u64, String)>, axum::extract::rejection::PathRejection>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let axum::extract::Path((since, until, timeline)) =
        range.map_err(|rejection| rejected("die Feed-Seite", rejection.body_text()))?;
    let (since, until) = page_range(since, until)?;
    if !api::is_timeline(&timeline) {
        return Err(rejected(
            "die Feed-Seite",
            "der Datenstand ist 32 Hexadezimalziffern (klein) lang",
        ));
    }
    let current = current_revision(&state).await?;
    if until > current || since > until {
        return Err(no_page(format!(
            "Revision {until} gibt es auf diesem Server nicht (aktuell: {current})"
        )));
    }
    let ours = timeline_at(&state, current).await?;
    if until < current {
        return Ok(see_page(since, current, &ours));
    }
    if timeline != ours {
        return Err(no_page(format!(
            "Revision {until} dieses Servers gehört zu einem anderen Datenstand (Server aus einer Sicherung wiederhergestellt); bitte neu abgleichen"
        )));
    }
    feed_answer(
        state,
        since,
        current,
        headers,
        "public, max-age=31536000, immutable",
    )
    .await
}

/// A feed page's address from before pages named their timeline: the current page.
async fn feed_page_unnamed(
    State(state): State<AppState>,
    range: Result<axum::extract::Path<(u64, u64)>, axum::extract::rejection::PathRejection>,
) -> Result<Response, HttpError> {
    let axum::extract::Path((since, until)) =
        range.map_err(|rejection| rejected("die Feed-Seite", rejection.body_text()))?;
    let (since, until) = page_range(since, until)?;
    let current = current_revision(&state).await?;
    if until > current || since > until {
        return Err(no_page(format!(
            "Revision {until} gibt es auf diesem Server nicht (aktuell: {current})"
        )));
    }
    let timeline = timeline_at(&state, current).await?;
    Ok(see_page(since, current, &timeline))
}

async fn current_revision(state: &AppState) -> Result<u64, HttpError> {
    let revision = *state.revision.borrow();
    Ok(state.read(|store| store.revision()).await?.max(revision))
}

/// The current revision as a database file (`fokus_store::Store::write_snapshot`), zstd-compressed;
/// with `--feed-redirect` a redirect to its immutable address instead.
async fn snapshot(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Result<Response, HttpError> {
    let built = current_snapshot(&state).await?;
    if state.feed_redirect {
        return Ok(see_snapshot(&built));
    }
    // The same address holds the next revision's file tomorrow.
    send_snapshot(&state, built, request, "no-cache").await
}

/// A redirect to the immutable address of `built`; itself never cached.
fn see_snapshot(built: &snapshot::Built) -> Response {
    let timeline = api::timeline(&built.instance, &built.fingerprint);
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::LOCATION,
                api::snapshot_path(built.revision, &timeline),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

/// The snapshot of one revision of one timeline, never changing: cacheable by anyone. A
/// superseded revision redirects to the current one; one the server does not have yet, or of
/// a timeline that is not this server's (before a restore from a backup), is not found.
async fn snapshot_at(
    State(state): State<AppState>,
    path: Result<axum::extract::Path<(u64, String)>, axum::extract::rejection::PathRejection>,
    request: axum::extract::Request,
) -> Result<Response, HttpError> {
    let axum::extract::Path((revision, timeline)) =
        path.map_err(|rejection| rejected("die Datenbankkopie", rejection.body_text()))?;
    if !api::is_timeline(&timeline) {
        return Err(rejected(
            "die Datenbankkopie",
            "der Datenstand ist 32 Hexadezimalziffern (klein) lang",
        ));
    }
    let built = current_snapshot(&state).await?;
    if revision < built.revision {
        return Ok(see_snapshot(&built));
    }
    if revision > built.revision {
        return Err(no_snapshot(format!(
            "Revision {revision} gibt es auf diesem Server (noch) nicht"
        )));
    }
    if timeline != api::timeline(&built.instance, &built.fingerprint) {
        return Err(no_snapshot(format!(
            "Revision {revision} dieses Servers gehört zu einem anderen Datenstand (Server aus einer Sicherung wiederhergestellt)"
        )));
    }
    send_snapshot(
        &state,
        built,
        request,
        "public, max-age=31536000, immutable",
    )
    .await
}

/// A snapshot's address from before snapshots named their timeline: the current one.
async fn snapshot_at_unnamed(
    State(state): State<AppState>,
    revision: Result<axum::extract::Path<u64>, axum::extract::rejection::PathRejection>,
) -> Result<Response, HttpError> {
    let axum::extract::Path(revision) =
        revision.map_err(|rejection| rejected("die Datenbankkopie", rejection.body_text()))?;
    let built = current_snapshot(&state).await?;
    if revision > built.revision {
        return Err(no_snapshot(format!(
            "Revision {revision} gibt es auf diesem Server (noch) nicht"
        )));
    }
    Ok(see_snapshot(&built))
}

fn no_snapshot(message: String) -> HttpError {
    HttpError {
        status: StatusCode::NOT_FOUND,
        body: ApiError::new(ErrorCode::NotFound, message),
    }
}

/// The snapshot of the current revision, written first if needed.
async fn current_snapshot(state: &AppState) -> Result<snapshot::Built, HttpError> {
    let none = || {
        no_snapshot("Dieser Server bietet keine Datenbankkopie an; bitte den Feed abrufen".into())
    };
    let current = current_revision(state).await?;
    // A database without an identity (made by a test, never by `init`) cannot say which
    // server a copy comes from.
    if current == 0 || state.instance.is_empty() {
        return Err(none());
    }
    let database = state.read(|store| Ok(store.path())).await?;
    state
        .snapshots
        .get(database, current)
        .await
        .map_err(|error| HttpError::internal(format!("{error:#}")))?
        .ok_or_else(none)
}

/// Sends the file (Range requests answered) with the headers that say what it holds, in one of
/// the slots for large answers (or 503 when none is free).
async fn send_snapshot(
    state: &AppState,
    built: snapshot::Built,
    request: axum::extract::Request,
    cache_control: &'static str,
) -> Result<Response, HttpError> {
    let slot = match state.sync_slots.take() {
        Ok(slot) => slot,
        Err(refused) => return Ok(no_slot(refused)),
    };
    let mut response = slot.hold(serve_file(&built.path, "application/zstd", request).await?);
    if response.status().is_success() {
        let headers = response.headers_mut();
        for (name, value) in [
            (api::SNAPSHOT_REVISION_HEADER, built.revision.to_string()),
            (api::SNAPSHOT_INSTANCE_HEADER, built.instance.clone()),
            (api::SNAPSHOT_SHA256_HEADER, built.sha256.clone()),
            (api::SNAPSHOT_BYTES_HEADER, built.bytes.to_string()),
            (api::SNAPSHOT_FINGERPRINT_HEADER, built.fingerprint.clone()),
            (
                api::SNAPSHOT_SCHEMA_HEADER,
                fokus_store::SCHEMA_VERSION.to_string(),
            ),
        ] {
            if let Ok(value) = header::HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        headers.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static(cache_control),
        );
    }
    Ok(response)
}

/// A file from disk as `mime`, with Range and conditional requests answered.
async fn serve_file(
    path: &Path,
    mime: &str,
    request: axum::extract::Request,
) -> Result<Response, HttpError> {
    use tower::ServiceExt;
    let mime = mime
        .parse()
        .map_err(|_| HttpError::internal(format!("MIME type {mime}")))?;
    let response = ServeFile::new_with_mime(path, &mime)
        .oneshot(request)
        .await
        .map_err(|error| HttpError::internal(error.to_string()))?;
    Ok(response.map(axum::body::Body::new))
}

/// A redirect to the immutable page; itself never cached, since the current revision moves.
fn see_page(since: u64, until: u64, timeline: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::LOCATION,
                api::feed_page_path(since, until, timeline),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

/// The feed page from `since` to `current`, answered 304 when the client already has it.
async fn feed_answer(
    state: AppState,
    since: u64,
    current: u64,
    headers: HeaderMap,
    cache_control: &'static str,
) -> Result<Response, HttpError> {
    let etag = api::feed_etag(&state.instance, since, current);
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        == Some(etag.as_str());
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    if since > current {
        // The client is ahead: this server was rebuilt or restored. It resyncs in full.
        let body = ApiError::new(
            ErrorCode::OtherTimeline,
            format!("Revision {since} ist neuer als die des Servers ({current}); bitte vollständig neu abgleichen"),
        );
        return Err(HttpError {
            status: StatusCode::CONFLICT,
            body,
        });
    }
    // The page is compressed once per revision for popular keys; the compression layer leaves
    // answers that already carry a Content-Encoding alone.
    let accepts = |coding: &str| {
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .any(|part| part.split(';').next().unwrap_or_default().trim() == coding)
    };
    let encoding = if accepts("zstd") {
        feed_cache::Encoding::Zstd
    } else if accepts("gzip") {
        feed_cache::Encoding::Gzip
    } else {
        feed_cache::Encoding::Identity
    };
    let store = Arc::clone(&state.store);
    let built = state
        .feed_cache
        .get(since, current, encoding, move |since| {
            Ok(store
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .feed_since(since)?)
        })
        .await;
    let page = match built {
        Ok(page) => page,
        Err(error @ feed_cache::CacheError::Busy) => {
            return Ok(busy(error.to_string(), capacity::RETRY_AFTER_SECS))
        }
        Err(feed_cache::CacheError::Build(error)) => {
            return Err(HttpError::internal(format!("{error:#}")))
        }
    };
    // A large page is sent in a slot; a small delta costs less than its refusal would.
    let slot = if page.body.len() > capacity::SMALL_ANSWER_BYTES {
        match state.sync_slots.take() {
            Ok(slot) => Some(slot),
            Err(refused) => return Ok(no_slot(refused)),
        }
    } else {
        None
    };
    let etag = api::feed_etag(&page.instance, page.since, page.revision);
    let mut response = (
        [
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache_control.to_owned()),
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::VARY, "accept-encoding".to_owned()),
            (
                header::HeaderName::from_static(api::FEED_BYTES_HEADER),
                page.json_len.to_string(),
            ),
            (
                header::HeaderName::from_static(api::FEED_FORMAT_HEADER),
                fokus_model::FEED_FORMAT.to_string(),
            ),
        ],
        page.body,
    )
        .into_response();
    if let Some(encoding) = page.encoding.header() {
        response.headers_mut().insert(
            header::CONTENT_ENCODING,
            header::HeaderValue::from_static(encoding),
        );
    }
    Ok(match slot {
        Some(slot) => slot.hold(response),
        None => response,
    })
}

async fn events(State(state): State<AppState>) -> Response {
    use std::sync::atomic::Ordering;
    let open = state.listeners.fetch_add(1, Ordering::AcqRel);
    let slot = ListenerSlot(Arc::clone(&state.listeners));
    if open >= state.max_listeners {
        drop(slot);
        return busy(
            "Zu viele Verbindungen für Benachrichtigungen; die App gleicht weiter regelmäßig ab",
            300,
        );
    }
    let receiver = state.revision.subscribe();
    let stream = futures_util::stream::unfold(
        (receiver, true, slot),
        |(mut receiver, first, slot)| async move {
            if !first && receiver.changed().await.is_err() {
                return None;
            }
            let revision = *receiver.borrow_and_update();
            Some((
                Ok::<_, std::convert::Infallible>(
                    Event::default()
                        .event("revision")
                        .data(revision.to_string()),
                ),
                (receiver, false, slot),
            ))
        },
    )
    .take_until(tokio::time::sleep(EVENT_STREAM_LIFETIME));
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// One read of the table in `fokus_store::reads`, its arguments from the query string. Every
/// read is this handler, registered once per query by [`ReadRoutes`].
async fn serve_read<R: Read>(
    State(state): State<AppState>,
    query: Result<Query<R::Args>, QueryRejection>,
) -> Result<Response, HttpError> {
    let Query(args) = query.map_err(|rejection| HttpError {
        status: StatusCode::BAD_REQUEST,
        body: reads::bad_arguments(R::NAME, text::echo_quoted(&rejection.body_text())),
    })?;
    Ok(Json(state.read(move |store| R::run(store, args)).await?).into_response())
}

/// Adds a route for every read of the store's table.
struct ReadRoutes(Option<Router<AppState>>);

impl ReadVisitor for ReadRoutes {
    fn visit<R: Read>(&mut self) {
        self.0 = self
            .0
            .take()
            .map(|router| router.route(&api::read_path(R::NAME), get(serve_read::<R>)));
    }
}

/// A media file by content hash. tower-http's `ServeFile` answers Range and conditional
/// requests; the hash names the bytes, so they may be cached forever.
async fn blob(
    State(state): State<AppState>,
    axum::extract::Path(sha256): axum::extract::Path<String>,
    request: axum::extract::Request,
) -> Result<Response, HttpError> {
    let not_found = || HttpError {
        status: StatusCode::NOT_FOUND,
        body: ApiError::new(
            ErrorCode::NotFound,
            format!("Datei `{}` gibt es nicht", text::echo(&sha256)),
        ),
    };
    let Some(blobs) = state.blobs.clone() else {
        return Err(not_found());
    };
    if !is_sha256_hex(&sha256) {
        return Err(not_found());
    }
    // Only what a published item names (withdrawn media are pruned from the table) and only as
    // an allowed type.
    let lookup = sha256.clone();
    let Some(mime) = state.read(move |store| store.blob_mime(&lookup)).await? else {
        return Err(not_found());
    };
    let Some(kind) = fokus_model::content::media_type(&mime) else {
        return Err(not_found());
    };
    let mut response = serve_file(&blobs.path_of(&sha256), kind.mime, request).await?;
    if response.status().is_success() {
        let headers = response.headers_mut();
        headers.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
        // Opened directly, a file is saved, never shown as a page of this origin.
        let disposition = format!("attachment; filename=\"{sha256}.{}\"", kind.extension());
        if let Ok(value) = header::HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
    }
    Ok(response)
}

async fn openapi() -> Response {
    Json(openapi::document()).into_response()
}

/// Compares without an early exit, so the time taken does not reveal how much of a guess was right.
pub(crate) fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// The token of `Authorization: Bearer <token>`, empty without one. The scheme is
/// case-insensitive and may be followed by more than one space (RFC 7235, section 2.1; RFC 6750
/// names it `Bearer`); the token is compared as it is.
fn bearer_token(headers: &HeaderMap) -> &str {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
            token.trim_start_matches(' ')
        }
        _ => "",
    }
}

/// The import's `name` goes into the revision log that every app shows: bounded, and without
/// characters that break lines or hide and reorder text.
fn check_import_name(name: &str) -> Result<(), HttpError> {
    match import_name_problem(name) {
        Some(problem) => Err(rejected("den Import", problem)),
        None => Ok(()),
    }
}

/// What is wrong with an import's file name, if anything (for the admin API and the Redaktion
/// alike).
pub(crate) fn import_name_problem(name: &str) -> Option<String> {
    if name.chars().count() > api::MAX_IMPORT_NAME_CHARS {
        return Some(format!(
            "`name` ist länger als {} Zeichen; bitte nur den Dateinamen angeben",
            api::MAX_IMPORT_NAME_CHARS
        ));
    }
    if name.chars().any(fokus_model::content::is_invisible) {
        return Some(
            "`name` enthält Steuerzeichen oder unsichtbare Zeichen (etwa einen Zeilenumbruch oder eine Umkehr der Schreibrichtung); bitte nur den Dateinamen angeben".into(),
        );
    }
    None
}

fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), HttpError> {
    let Some(expected) = &state.admin_token else {
        let body = ApiError::new(
            ErrorCode::NotConfigured,
            "Import über die API ist nicht eingerichtet (Server ohne --admin-token-file gestartet)",
        );
        return Err(HttpError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body,
        });
    };
    if same_secret(bearer_token(headers).as_bytes(), expected.as_bytes()) {
        return Ok(());
    }
    let body = ApiError::new(
        ErrorCode::Unauthorized,
        "Anmeldung fehlt oder ist falsch: erwartet wird `Authorization: Bearer <Token>`",
    );
    Err(HttpError {
        status: StatusCode::UNAUTHORIZED,
        body,
    })
}

/// How long an upload may take from the first to the last byte: a BI export of the import
/// limit over a slow line, not a client that sends a byte a minute to hold a connection.
pub const UPLOAD_TIMEOUT: Duration = Duration::from_secs(120);

/// Why an upload was not read to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UploadRefused {
    /// Larger than the import limit (German message).
    TooLarge(String),
    /// Slower than [`UPLOAD_TIMEOUT`].
    TooSlow(String),
}

/// Reads an import's body up to the import limit and within [`UPLOAD_TIMEOUT`]. A body whose
/// `Content-Length` announces more than the limit is refused before a byte is read, with its
/// size in the answer.
pub(crate) async fn read_upload_within(
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<axum::body::Bytes, UploadRefused> {
    const MIB: u64 = 1024 * 1024;
    let limit = import::MAX_IMPORT_BYTES as u64;
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if let Some(length) = announced.filter(|length| *length > limit) {
        return Err(UploadRefused::TooLarge(format!(
            "Die Datei ist {} MiB groß; höchstens {} MiB je Import, größere Lieferungen bitte aufteilen. Nichts wurde gespeichert.",
            length.div_ceil(MIB),
            limit / MIB
        )));
    }
    let limited = axum::body::to_bytes(body, import::MAX_IMPORT_BYTES);
    match tokio::time::timeout(UPLOAD_TIMEOUT, limited).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(UploadRefused::TooLarge(format!(
            "Die Datei ist größer als {} MiB oder kam nicht vollständig an; höchstens {} MiB je Import, größere Lieferungen bitte aufteilen. Nichts wurde gespeichert.",
            limit / MIB,
            limit / MIB
        ))),
        Err(_) => Err(UploadRefused::TooSlow(format!(
            "Die Übertragung dauerte länger als {} Sekunden; nichts wurde gespeichert",
            UPLOAD_TIMEOUT.as_secs()
        ))),
    }
}

/// [`read_upload_within`] with the admin API's errors.
async fn read_upload(
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<axum::body::Bytes, HttpError> {
    read_upload_within(headers, body)
        .await
        .map_err(|refused| match refused {
            UploadRefused::TooLarge(message) => HttpError {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                body: ApiError::new(ErrorCode::BadRequest, message),
            },
            UploadRefused::TooSlow(message) => HttpError {
                status: StatusCode::REQUEST_TIMEOUT,
                body: ApiError::new(ErrorCode::BadRequest, message),
            },
        })
}

/// A refused import as the API answers it (422): the message and every problem.
pub(crate) fn import_rejected(error: &import::ImportError) -> ImportRejected {
    let problems = error
        .problems
        .iter()
        .map(|problem| ImportProblem {
            line: problem.line,
            entry: problem.entry,
            column: problem.column.map(str::to_owned),
            value: problem.value.clone(),
            reason: problem.reason.clone(),
        })
        .collect();
    ImportRejected {
        code: ErrorCode::InvalidImport,
        message: error.to_string(),
        problems,
    }
}

/// The BI system's door: validates and imports a CSV export as one revision, all or nothing.
async fn admin_import(
    State(state): State<AppState>,
    query: Result<Query<ImportQuery>, QueryRejection>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, HttpError> {
    let Query(query) = query.map_err(|rejection| rejected("den Import", rejection.body_text()))?;
    // The token first: without it (or with the admin API off) not one byte of the body is read.
    authorize(&state, &headers)?;
    if let Some(name) = &query.name {
        check_import_name(name)?;
    }
    let body = read_upload(&headers, body).await?;
    let label = format!("Import {}", query.name.as_deref().unwrap_or("über die API"));
    let dry_run = query.dry_run;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64);
    let rules = state.rules;
    let outcome = state
        .write(move |store| import_bytes(store, &body, &label, now, dry_run, rules))
        .await?;
    match outcome {
        Ok(ImportSummary {
            commit: summary,
            suppressed,
        }) => {
            if let Some(revision) = summary.revision {
                state.revision.send_replace(revision);
            }
            let report = ImportReport {
                dry_run,
                revision: summary.revision,
                new: summary.new as u64,
                changed: summary.changed as u64,
                unchanged: summary.unchanged as u64,
                suppressed: suppressed as u64,
            };
            Ok(Json(report).into_response())
        }
        Err(error) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(import_rejected(&error)),
        )
            .into_response()),
    }
}

/// Where the server keeps its database inside `--data-dir`.
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("fokus-server.sqlite3")
}

/// What a backup holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    pub revision: u64,
    pub blobs: usize,
}

/// Backs the server's data folder up into `out`, a new folder that is itself a complete data
/// folder: a consistent copy of the database (taken while the server may be serving) and every
/// blob it names, each checked against its hash. Restoring is pointing `--data-dir` at it (or
/// copying it back).
pub fn backup(store: &Store, data_dir: &Path, out: &Path) -> anyhow::Result<BackupSummary> {
    use anyhow::Context;
    anyhow::ensure!(
        !out.exists() || std::fs::read_dir(out)?.next().is_none(),
        "{} exists and is not empty; a backup goes into a new folder",
        out.display()
    );
    let out_blobs = blob_dir(out);
    std::fs::create_dir_all(&out_blobs)
        .with_context(|| format!("creating {}", out_blobs.display()))?;
    store
        .backup_to(&database_path(out))
        .with_context(|| format!("writing {}", database_path(out).display()))?;
    // The copy names the blobs it needs; the live database may have moved on meanwhile.
    let copy = Store::open(&database_path(out))?;
    let source = publish::BlobDir::new(blob_dir(data_dir));
    let mut n_blobs = 0;
    for sha256 in copy.blob_hashes()? {
        let from = source.path_of(&sha256);
        let bytes = std::fs::read(&from).with_context(|| format!("reading {}", from.display()))?;
        anyhow::ensure!(
            publish::hex_sha256(&bytes) == sha256,
            "{} does not match its hash; the data folder is damaged",
            from.display()
        );
        std::fs::write(out_blobs.join(&sha256), &bytes)?;
        n_blobs += 1;
    }
    anyhow::ensure!(
        copy.integrity_ok()?,
        "the copy fails SQLite's integrity check"
    );
    // The workspace: its accounts and audit log, and the working copy of the content it
    // publishes from (without them a restored server would lose its staff's sign-ins and the
    // sources of what it published).
    let workspace = redaktion::database_path(data_dir);
    if workspace.exists() {
        redaktion::db::Db::open(&workspace)?
            .backup_to(&redaktion::database_path(out))
            .context("copying the Redaktion database")?;
    }
    let working = redaktion::workfolder::path(data_dir);
    if working.is_dir() {
        redaktion::workfolder::copy_tree(&working, &redaktion::workfolder::path(out))
            .context("copying the working copy of the content")?;
    }
    Ok(BackupSummary {
        revision: copy.revision()?,
        blobs: n_blobs,
    })
}

/// Where the server keeps published media inside `--data-dir`.
pub fn blob_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("blobs")
}

/// Makes the server the deployment `deployment` describes, as one revision (none if nothing
/// differs): its settings, areas with boundaries and indicator catalogue. Areas the server knew
/// but the deployment no longer lists are retired; their values stay.
pub fn configure(
    store: &mut Store,
    deployment: config::Deployment,
    now: i64,
) -> anyhow::Result<CommitSummary> {
    let label = format!("Konfiguration {}", deployment.dataset.app_title);
    Ok(store.commit_revision(&label, now, &deployment.changes())?)
}

/// Loads the demo as a county would load its own data: the bundled demo configuration through
/// [`configure`], then the generated values, population and Sozialausgaben as the CSV exports a
/// BI system would send, through the same import. A no-op where it is already there.
pub fn load_demo(store: &mut Store, now: i64) -> anyhow::Result<CommitSummary> {
    let deployment = demo::demo_deployment();
    let spending = demo_statistics::demo_spending();
    let population = demo_statistics::demo_population(&deployment.areas);
    // One revision per delivery, as a county's BI system sends them; the population comes with
    // its projection and its movement in one.
    let exports = [
        (
            "Import Demodaten: Kennzahlen (erzeugt)",
            vec![demo::demo_values_csv(&demo::demo_observations(&deployment))],
        ),
        (
            "Import Demodaten: Bevölkerung mit Vorausberechnung, Geburten, Sterbefälle und Wanderungen (erzeugt)",
            vec![
                demo_statistics::population_csv(&population),
                demo_statistics::movement_csv(&demo_statistics::demo_movement(&population)),
            ],
        ),
        (
            "Import Demodaten: Sozialausgaben (erzeugt)",
            vec![demo_statistics::spending_csv(&spending)],
        ),
        (
            "Import Demodaten: Gesamthaushalt (erzeugt)",
            vec![demo_statistics::budget_csv(&demo_statistics::demo_budget(&spending))],
        ),
    ];
    let mut total = configure(store, deployment, now)?;
    for (label, files) in exports {
        let files: Vec<&[u8]> = files.iter().map(|csv| csv.as_bytes()).collect();
        let step = import_files(
            store,
            &files,
            label,
            now,
            false,
            import::ImportRules::default(),
        )?
        .map_err(|error| anyhow::anyhow!("{label}: the generated export was refused: {error}"))?
        .commit;
        total.new += step.new;
        total.changed += step.changed;
        total.unchanged += step.unchanged;
        total.revision = step.revision.or(total.revision);
    }
    Ok(total)
}

/// What an accepted publish did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishSummary {
    pub commit: CommitSummary,
    pub items: usize,
    pub media: usize,
    /// Media files deleted because no published item names them any more.
    pub pruned: usize,
}

/// Checks the content folder `dir` and, if it is sound, stores its media in `blobs` and commits
/// its items as one revision; items published before but missing from `dir` are withdrawn.
/// The folder is opened once and every file in it read through that handle without following
/// a link, so a folder changed while it is published is refused, not followed.
pub fn publish_dir(
    store: &mut Store,
    blobs: &publish::BlobDir,
    dir: &Path,
    now: i64,
) -> anyhow::Result<Result<PublishSummary, publish::PublishError>> {
    publish_dir_between(store, blobs, dir, now, &mut |_| {})
}

/// [`publish_dir`], calling `between` at each [`publish::PublishStage`]: the points at which
/// tests change the folder under a running publish.
pub fn publish_dir_between(
    store: &mut Store,
    blobs: &publish::BlobDir,
    dir: &Path,
    now: i64,
    between: &mut dyn FnMut(publish::PublishStage),
) -> anyhow::Result<Result<PublishSummary, publish::PublishError>> {
    let label = format!(
        "Veröffentlichung {}",
        dir.file_name().map_or_else(
            || dir.display().to_string(),
            |name| name.to_string_lossy().into_owned()
        )
    );
    publish_folder(store, blobs, dir, &label, now, None, between)
}

/// [`publish_dir`] under the revision label `label` (the workspace names who changed what).
pub fn publish_dir_labelled(
    store: &mut Store,
    blobs: &publish::BlobDir,
    dir: &Path,
    label: &str,
    now: i64,
) -> anyhow::Result<Result<PublishSummary, publish::PublishError>> {
    publish_folder(store, blobs, dir, label, now, None, &mut |_| {})
}

/// [`publish_dir`], and once it is published, `dir` becomes the server's working copy of the
/// content (`data_dir/inhalt`, which the Redaktion workspace edits and publishes from): its
/// Markdown files as read for the publish and the media it names.
pub fn publish_dir_adopting(
    store: &mut Store,
    blobs: &publish::BlobDir,
    dir: &Path,
    data_dir: &Path,
    now: i64,
) -> anyhow::Result<Result<PublishSummary, publish::PublishError>> {
    let label = format!(
        "Veröffentlichung {}",
        dir.file_name().map_or_else(
            || dir.display().to_string(),
            |name| name.to_string_lossy().into_owned()
        )
    );
    let working = redaktion::workfolder::path(data_dir);
    let same = std::fs::canonicalize(dir).ok() == std::fs::canonicalize(&working).ok();
    let adopt = (!same).then_some(working.as_path());
    publish_folder(store, blobs, dir, &label, now, adopt, &mut |_| {})
}

fn publish_folder(
    store: &mut Store,
    blobs: &publish::BlobDir,
    dir: &Path,
    label: &str,
    now: i64,
    adopt: Option<&Path>,
    between: &mut dyn FnMut(publish::PublishStage),
) -> anyhow::Result<Result<PublishSummary, publish::PublishError>> {
    let known = publish::Known::of(store)?;
    let folder = match publish::open_folder(dir) {
        Ok(folder) => folder,
        Err(error) => return Ok(Err(error)),
    };
    let publication = match publish::read_content_folder(&folder, &known, between) {
        Ok(publication) => publication,
        Err(error) => return Ok(Err(error)),
    };
    between(publish::PublishStage::Checked);
    // All or nothing: the blobs are in place before the revision that names them commits, and
    // a refusal here leaves neither.
    if let Err(error) = blobs.store_all(&folder, &publication.media)? {
        return Ok(Err(error));
    }
    let media: Vec<_> = publication
        .media
        .iter()
        .map(|file| file.media.clone())
        .collect();
    store.record_blobs(&media)?;
    let items = publication.items.len();
    let commit = store.commit_revision(
        label,
        now,
        &fokus_store::Changes {
            content: Some(publication.items.clone()),
            ..Default::default()
        },
    )?;
    if let Some(target) = adopt {
        // Published already: a failure here is reported, the revision stands.
        redaktion::workfolder::adopt(&folder, &publication, blobs, target)
            .context("copying the published folder into the server's working copy")?;
    }
    let pruned = prune_blobs(store, blobs)?;
    Ok(Ok(PublishSummary {
        commit,
        items,
        media: media.len(),
        pruned,
    }))
}

/// Deletes the media no published item names any more (their rows and files, and files a
/// failed publish left behind): a withdrawn document is no longer downloadable by its hash.
pub fn prune_blobs(store: &mut Store, blobs: &publish::BlobDir) -> anyhow::Result<usize> {
    let named: std::collections::HashSet<String> = store
        .content_list(None)?
        .iter()
        .flat_map(|item| item.media.iter().map(|media| media.sha256.clone()))
        .collect();
    let mut pruned = 0;
    for sha256 in store.blob_hashes()? {
        if !named.contains(&sha256) {
            store.forget_blob(&sha256)?;
            pruned += 1;
        }
    }
    if let Ok(entries) = std::fs::read_dir(blobs.dir()) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stored = is_sha256_hex(&name);
            let leftover = name.starts_with('.') && name.ends_with(".partial");
            if (stored && !named.contains(&name)) || leftover {
                std::fs::remove_file(entry.path())?;
            }
        }
    }
    Ok(pruned)
}

/// What an accepted import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    pub commit: CommitSummary,
    /// Values stored as "suppressed" because of the minimum case count.
    pub suppressed: usize,
}

/// Validates `bytes` and, unless `dry_run`, commits them as one revision.
pub fn import_bytes(
    store: &mut Store,
    bytes: &[u8],
    label: &str,
    now: i64,
    dry_run: bool,
    rules: import::ImportRules,
) -> anyhow::Result<Result<ImportSummary, import::ImportError>> {
    import_files(store, &[bytes], label, now, dry_run, rules)
}

/// Validates several exports and, unless `dry_run` or one of them is refused, commits them
/// together as one revision (the first refusal is the answer).
pub fn import_files(
    store: &mut Store,
    files: &[&[u8]],
    label: &str,
    now: i64,
    dry_run: bool,
    rules: import::ImportRules,
) -> anyhow::Result<Result<ImportSummary, import::ImportError>> {
    let catalog = store.catalog()?;
    let mut changes = fokus_store::Changes::default();
    let mut suppressed = 0;
    for bytes in files {
        let parsed = match import::parse_export(bytes, &catalog, rules) {
            Ok(parsed) => parsed,
            Err(error) => return Ok(Err(error)),
        };
        changes.observations.extend(parsed.observations);
        changes.population.extend(parsed.population);
        changes.spending.extend(parsed.spending);
        changes.budget.extend(parsed.budget);
        changes.movement.extend(parsed.movement);
        suppressed += parsed.suppressed;
    }
    let commit = if dry_run {
        // Commit into a throw-away copy: counts what would change without writing.
        let mut scratch = Store::open_in_memory()?;
        scratch.apply_feed(&store.feed_since(0)?)?;
        CommitSummary {
            revision: None,
            ..scratch.commit_revision(label, now, &changes)?
        }
    } else {
        store.commit_revision(label, now, &changes)?
    };
    Ok(Ok(ImportSummary { commit, suppressed }))
}
