//! The native transport of the sync: reqwest, tokio's blocking pool, the cache as a file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use std::sync::Arc;

use fokus_model::api;
use fokus_model::news::{SyncPhase, SyncProgress};
use fokus_store::{Store, StoreError};
use futures_util::StreamExt;

use crate::plan::{self, FeedAnswer, Local, Next};
use crate::{server_address, snapshot, SyncError, SyncOutcome};

/// Why a fetch gave no page.
enum Fetch {
    ServerBehind,
    Failed(SyncError),
}

/// Receives progress reports during a sync (called from the sync's task; keep it quick).
#[derive(Clone)]
pub struct ProgressSink(pub Arc<dyn Fn(SyncProgress) + Send + Sync>);

impl std::fmt::Debug for ProgressSink {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("ProgressSink")
    }
}

/// Report feed progress every this many bytes (and at the end).
pub(crate) const PROGRESS_STEP: u64 = 256 * 1024;

/// The server sends a comment on its event stream every 15 s (`KeepAlive` in fokus-server's
/// `events`); a stream silent for three of those is dead (a proxy or a network that dropped it
/// without a word), and the caller reconnects.
pub const EVENT_SILENCE: Duration = Duration::from_secs(45);

/// The longest line of the event stream: the server's are a few bytes (`data: 42`); a longer
/// one is a broken or hostile stream, dropped before it fills the memory.
pub const MAX_EVENT_LINE_BYTES: usize = 1024 * 1024;

/// One sync at a time per cache: a second request while one runs ("Jetzt aktualisieren" during
/// the regular sync) waits for the running one and does not start another.
#[derive(Debug, Default)]
pub struct SyncGate {
    running: tokio::sync::Mutex<()>,
}

impl SyncGate {
    /// Runs `work` unless a sync is running; then waits for that one to end and returns `None`
    /// (the caller reads the state the running sync left).
    pub async fn run<T>(&self, work: impl std::future::Future<Output = T>) -> Option<T> {
        match self.running.try_lock() {
            Ok(_held) => Some(work.await),
            Err(_) => {
                let _joined = self.running.lock().await;
                None
            }
        }
    }
}

/// One server, one cache file.
#[derive(Debug, Clone)]
pub struct Syncer {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) cache_path: PathBuf,
    pub(crate) progress: Option<ProgressSink>,
    pub(crate) stall: Duration,
    /// Certificate authorities trusted besides the built-in ones (a county's own CA).
    pub(crate) extra_roots: Vec<reqwest::Certificate>,
    /// One lock per blob being downloaded, shared by the clones of this syncer.
    pub(crate) blob_locks: BlobLocks,
    /// An empty cache starts from the server's snapshot, if it has one.
    pub(crate) snapshots: bool,
    /// A refused snapshot ends the sync instead of sending it to the feed.
    pub(crate) strict_snapshots: bool,
    /// How long the event stream may send nothing before it is taken for dead.
    pub(crate) event_silence: Duration,
}

type BlobLocks =
    Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>>;

/// Follows a redirect only within the same origin (scheme, host and port), at most three hops:
/// a feed page behind a caching proxy is one hop away; a redirect to another host, or from https
/// to http, is refused.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if attempt.previous().len() > 3 {
            attempt.error("zu viele Weiterleitungen")
        } else if same_origin {
            attempt.follow()
        } else {
            let target = attempt.url().origin().ascii_serialization();
            attempt.error(format!(
                "Weiterleitung nach {target} abgelehnt: Daten kommen nur vom eingestellten Server"
            ))
        }
    })
}

/// A failed request as the sync reports it, with its causes (a certificate the client does not
/// trust, a refused redirect): unreachable is `Offline`, a refused redirect is a bad answer.
pub(crate) fn request_error(error: &reqwest::Error) -> SyncError {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if error.is_redirect() {
        SyncError::InvalidAnswer(text)
    } else {
        SyncError::Offline(text)
    }
}

/// The `Retry-After` header of a 503, if it is text.
pub(crate) fn retry_after_header(response: &reqwest::Response) -> Option<&str> {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
}

/// Sends `request`; an unreachable server is `Offline`, any answer but 2xx an invalid answer.
async fn successful(request: reqwest::RequestBuilder) -> Result<reqwest::Response, SyncError> {
    let response = request
        .send()
        .await
        .map_err(|error| request_error(&error))?;
    if !response.status().is_success() {
        return Err(SyncError::InvalidAnswer(format!(
            "HTTP {}",
            response.status()
        )));
    }
    Ok(response)
}

fn http_client(
    read_timeout: Option<Duration>,
    extra_roots: &[reqwest::Certificate],
) -> Result<reqwest::Client, SyncError> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        // The server closes a connection that sends no request for a while (75 s after an
        // answer); reusing one it is just closing would fail the request, so idle connections
        // are dropped here first.
        .pool_idle_timeout(Duration::from_secs(5))
        .redirect(same_origin_redirects());
    if let Some(timeout) = read_timeout {
        builder = builder.read_timeout(timeout);
    }
    for root in extra_roots {
        builder = builder.add_root_certificate(root.clone());
    }
    builder
        .build()
        .map_err(|error| SyncError::InvalidAnswer(format!("HTTP-Client: {error}")))
}

impl Syncer {
    /// A syncer for the server at `base_url` (checked by [`server_address`]).
    pub fn new(base_url: &str, cache_path: &Path) -> Result<Syncer, SyncError> {
        Syncer::with_stall_timeout(base_url, cache_path, Duration::from_secs(30))
    }

    /// A syncer that gives up when the server sends nothing for `stall` (a very slow or hung
    /// server must not keep the sync, and the cache, waiting forever).
    pub fn with_stall_timeout(
        base_url: &str,
        cache_path: &Path,
        stall: Duration,
    ) -> Result<Syncer, SyncError> {
        let base_url = server_address(base_url).map_err(SyncError::Address)?;
        let http = http_client(Some(stall), &[])?;
        Ok(Syncer {
            http,
            base_url,
            cache_path: cache_path.to_owned(),
            progress: None,
            stall,
            extra_roots: Vec::new(),
            blob_locks: BlobLocks::default(),
            snapshots: true,
            strict_snapshots: false,
            event_silence: EVENT_SILENCE,
        })
    }

    /// Also trusts the certificate authorities in `pem` (one or more PEM certificates), e.g. a
    /// county's internal CA that signed its server's certificate.
    pub fn trusting(mut self, pem: &[u8]) -> Result<Syncer, SyncError> {
        let roots = reqwest::Certificate::from_pem_bundle(pem).map_err(|error| {
            SyncError::InvalidAnswer(format!("CA-Zertifikat nicht lesbar: {error}"))
        })?;
        if roots.is_empty() {
            return Err(SyncError::InvalidAnswer(
                "CA-Datei enthält kein PEM-Zertifikat".into(),
            ));
        }
        self.extra_roots.extend(roots);
        self.http = http_client(Some(self.stall), &self.extra_roots)?;
        Ok(self)
    }

    /// Always takes the JSON feed, also for an empty cache (for debugging, and to compare).
    pub fn feed_only(mut self) -> Syncer {
        self.snapshots = false;
        self
    }

    /// A refused snapshot ends the sync with the reason instead of falling back to the feed
    /// (to see why a server's snapshot is refused; tests).
    pub fn strict_snapshots(mut self) -> Syncer {
        self.strict_snapshots = true;
        self
    }

    /// Takes the event stream for dead after `silence` without a byte ([`EVENT_SILENCE`] by
    /// default).
    pub fn with_event_silence(mut self, silence: Duration) -> Syncer {
        self.event_silence = silence;
        self
    }

    /// The same syncer (trusted CAs, progress, timeouts) for another server and the same cache.
    pub fn for_server(&self, base_url: &str) -> Result<Syncer, SyncError> {
        Ok(Syncer {
            base_url: server_address(base_url).map_err(SyncError::Address)?,
            ..self.clone()
        })
    }

    /// Asks the server for its status: the connection test of the settings.
    pub async fn server_status(&self) -> Result<fokus_model::ServerStatus, SyncError> {
        let url = format!("{}{}", self.base_url, api::STATUS);
        let request = self.http.get(&url).timeout(Duration::from_secs(10));
        let bytes = successful(request)
            .await?
            .bytes()
            .await
            .map_err(|error| SyncError::Offline(error.to_string()))?;
        serde_json::from_slice(&bytes)
            .map_err(|_| SyncError::InvalidAnswer("dort antwortet kein FOKUS-Server".into()))
    }

    /// Reports progress to `sink` during feed and media downloads.
    pub fn on_progress(mut self, sink: ProgressSink) -> Syncer {
        self.progress = Some(sink);
        self
    }

    pub(crate) fn report(&self, progress: SyncProgress) {
        if let Some(sink) = &self.progress {
            (sink.0)(progress);
        }
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn cache_path(&self) -> &Path {
        &self.cache_path
    }

    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, SyncError> {
        let path = self.cache_path.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = Store::open(&path)?;
            work(&mut store)
        })
        .await
        .map_err(|error| {
            SyncError::InvalidAnswer(format!("Hintergrundaufgabe abgebrochen: {error}"))
        })?
        .map_err(SyncError::from)
    }

    /// Fetches the feed after `local`; `None` when the server answers 304 to the ETag a current
    /// client predicts. `Err(ServerBehind)` when the server has fewer revisions than asked for.
    async fn fetch(&self, local: &Local) -> Result<Option<fokus_model::FeedPage>, Fetch> {
        let request = plan::feed_request(&self.base_url, local);
        let response = self
            .http
            .get(&request.url)
            .header(reqwest::header::IF_NONE_MATCH, request.if_none_match)
            .send()
            .await
            .map_err(|error| Fetch::Failed(request_error(&error)))?;
        // Where the page came from after redirects: an immutable address is checked against it.
        let address = response.url().to_string();
        plan::check_busy(response.status().as_u16(), retry_after_header(&response))
            .map_err(Fetch::Failed)?;
        match plan::feed_status(response.status().as_u16()).map_err(Fetch::Failed)? {
            plan::FeedStatus::NotModified => return Ok(None),
            plan::FeedStatus::ServerBehind => return Err(Fetch::ServerBehind),
            plan::FeedStatus::Page => {}
        }
        let total_bytes = header_u64(&response, api::FEED_BYTES_HEADER);
        plan::check_feed_format(header_u64(&response, api::FEED_FORMAT_HEADER))
            .map_err(Fetch::Failed)?;
        plan::check_feed_size(response.content_length()).map_err(Fetch::Failed)?;
        plan::check_feed_size(total_bytes).map_err(Fetch::Failed)?;
        let progress = |bytes: usize| SyncProgress {
            phase: SyncPhase::Feed,
            bytes: bytes as u64,
            total_bytes,
            items: 0,
            total_items: None,
        };
        self.report(progress(0));
        let mut body = Vec::new();
        let mut reported = 0u64;
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|error| {
                Fetch::Failed(SyncError::Offline(format!(
                    "Verbindung abgebrochen: {error}"
                )))
            })?;
            if body.len() + chunk.len() > plan::MAX_FEED_BYTES {
                return Err(Fetch::Failed(SyncError::InvalidAnswer(
                    "Antwort zu groß".into(),
                )));
            }
            body.extend_from_slice(&chunk);
            if body.len() as u64 >= reported + PROGRESS_STEP {
                reported = body.len() as u64;
                self.report(progress(body.len()));
            }
        }
        self.report(progress(body.len()));
        let page = plan::parse_page(&body, local.revision).map_err(Fetch::Failed)?;
        plan::check_page_address(&address, &page).map_err(Fetch::Failed)?;
        Ok(Some(page))
    }

    /// Fetches and applies everything after the cache's revision. One round trip when nothing
    /// changed (the server answers 304 to the ETag the client predicts). If the server is another
    /// instance than the one the cache mirrors (rebuilt, replaced, or the app's bundled data came
    /// from elsewhere), the cache is replaced in full in one transaction.
    pub async fn sync_once(&self, now: i64) -> Result<SyncOutcome, SyncError> {
        // A snapshot download cut off by a kill is of no use and may be large.
        let _ = std::fs::remove_file(snapshot::download_path(&self.cache_path));
        let local = self.blocking(|store| Local::of(store)).await?;
        // An empty cache copies the server's snapshot in; a server without one sends the feed.
        if local.revision == 0 && self.snapshots {
            if let Some(outcome) = self.sync_from_snapshot(now).await? {
                return Ok(outcome);
            }
        }
        let answer = match self.fetch(&local).await {
            Ok(None) => FeedAnswer::NotModified,
            Ok(Some(page)) => FeedAnswer::Page(Box::new(page)),
            Err(Fetch::ServerBehind) => FeedAnswer::ServerBehind,
            Err(Fetch::Failed(error)) => return Err(error),
        };
        let revision = local.revision;
        match plan::next_step(&local, answer) {
            Next::Current => {
                self.blocking_sync(move |store| plan::mark_current(store, &local, now))
                    .await
            }
            Next::Replace(page) => self.replace_with(*page, revision, now).await,
            Next::ResyncInFull => self.resync_in_full(revision, now).await,
            Next::Apply(page) => {
                self.report(SyncProgress::starting(SyncPhase::Apply));
                self.blocking_sync(move |store| plan::apply_page(store, &page, revision, now))
                    .await
            }
        }
    }

    /// Like [`Syncer::blocking`] for work that reports a [`SyncError`].
    async fn blocking_sync<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Store) -> Result<T, SyncError> + Send + 'static,
    ) -> Result<T, SyncError> {
        let path = self.cache_path.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = Store::open(&path)?;
            work(&mut store)
        })
        .await
        .map_err(|error| {
            SyncError::InvalidAnswer(format!("Hintergrundaufgabe abgebrochen: {error}"))
        })?
    }

    async fn resync_in_full(&self, local: u64, now: i64) -> Result<SyncOutcome, SyncError> {
        tracing::info!(
            local,
            "the server is another instance or behind the cache: replacing the cache in full"
        );
        let snapshot = if self.snapshots {
            self.sync_from_snapshot(now).await?
        } else {
            None
        };
        if let Some(outcome) = snapshot {
            return Ok(SyncOutcome {
                revision_before: local,
                ..outcome
            });
        }
        let page = match self.fetch(&Local::default()).await {
            Ok(Some(page)) => page,
            Ok(None) | Err(Fetch::ServerBehind) => {
                return Err(SyncError::InvalidAnswer(
                    "Server liefert keinen vollständigen Datenstand".into(),
                ))
            }
            Err(Fetch::Failed(error)) => return Err(error),
        };
        self.replace_with(page, local, now).await
    }

    /// Replaces the cache with a full page in one transaction.
    async fn replace_with(
        &self,
        page: fokus_model::FeedPage,
        local: u64,
        now: i64,
    ) -> Result<SyncOutcome, SyncError> {
        self.blocking_sync(move |store| plan::replace_with(store, &page, local, now))
            .await
    }

    /// Listens to the server's revision events and calls `on_revision` for each. Returns when the
    /// connection ends, and with an error when it falls silent for longer than the syncer's
    /// event silence ([`EVENT_SILENCE`]) or sends a line longer than [`MAX_EVENT_LINE_BYTES`];
    /// the caller reconnects with back-off.
    pub async fn watch_revisions(&self, mut on_revision: impl FnMut(u64)) -> Result<(), SyncError> {
        use tokio_util::codec::{FramedRead, LinesCodec, LinesCodecError};
        let url = format!("{}{}", self.base_url, api::EVENTS);
        // No limit on the whole answer (the stream is meant to last), one between reads: the
        // server's keep-alive comments reset it.
        let client = http_client(Some(self.event_silence), &self.extra_roots)?;
        let response = successful(client.get(&url)).await?;
        let body = tokio_util::io::StreamReader::new(
            response
                .bytes_stream()
                .map(|chunk| chunk.map_err(std::io::Error::other)),
        );
        let mut lines =
            FramedRead::new(body, LinesCodec::new_with_max_length(MAX_EVENT_LINE_BYTES));
        while let Some(line) = lines.next().await {
            let line = line.map_err(|error| match error {
                LinesCodecError::MaxLineLengthExceeded => SyncError::InvalidAnswer(format!(
                    "Benachrichtigungen: eine Zeile ist länger als {} MiB",
                    MAX_EVENT_LINE_BYTES / (1024 * 1024)
                )),
                LinesCodecError::Io(error) => SyncError::Offline(error.to_string()),
            })?;
            if let Some(revision) = line
                .trim()
                .strip_prefix("data:")
                .and_then(|data| data.trim().parse().ok())
            {
                on_revision(revision);
            }
        }
        Ok(())
    }
}

/// A header holding a number; absent or not a number is `None`.
fn header_u64(response: &reqwest::Response, name: &str) -> Option<u64> {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
}
