//! The client side of the sync: ask the server's change feed for everything after the cache's
//! revision, check the answer, apply it in one transaction.
//!
//! [`describe_news`] (what to tell the user) is pure; [`Syncer`] does the IO. Media files are
//! fetched separately ([`Syncer::sync_media`]), after the data.

use std::path::{Path, PathBuf};
use std::time::Duration;

use std::sync::Arc;

use fokus_model::news::{News, SyncPhase, SyncProgress};
use fokus_model::{api, FeedPage};
use fokus_store::{ApplySummary, Store, StoreError};
use futures_util::StreamExt;

mod media;
mod news;
mod snapshot;

pub use media::{wanted_media, MediaOutcome, MediaPolicy};
pub use news::describe_news;
pub use snapshot::{restore_bundled, MAX_SNAPSHOT_BYTES};

/// Answers larger than this are refused: the full demo feed is ~100 KB compressed, a real
/// county's a few MB; anything near this limit is a broken or hostile server.
pub const MAX_FEED_BYTES: usize = 256 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server could not be reached. A normal state, not a failure to report loudly.
    #[error("Server nicht erreichbar: {0}")]
    Offline(String),
    /// The server answered, but not with a usable feed. The cache is untouched.
    #[error("ungültige Antwort des Servers: {0}")]
    InvalidAnswer(String),
    #[error("lokaler Speicher: {0}")]
    Store(StoreError),
    /// A media file could not be written next to the cache.
    #[error("Datei: {0}")]
    Media(String),
    /// The server address is not one the app talks to.
    #[error("{0}")]
    Address(String),
}

impl From<StoreError> for SyncError {
    /// What the store refuses of a feed (a row that fails its checks, a page that does not fit
    /// the cache) is the server's answer at fault, not the local disk.
    fn from(error: StoreError) -> SyncError {
        match error {
            StoreError::InvalidRow(_)
            | StoreError::FeedMismatch { .. }
            | StoreError::RevisionBackwards { .. }
            | StoreError::OtherInstance { .. } => SyncError::InvalidAnswer(error.to_string()),
            other => SyncError::Store(other),
        }
    }
}

impl SyncError {
    pub fn is_offline(&self) -> bool {
        matches!(self, SyncError::Offline(_))
    }

    /// The device's storage is full; the cache kept its revision.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, SyncError::Store(error) if error.is_disk_full())
    }

    /// The cache file itself is broken (corrupt, not SQLite, from a newer build).
    pub fn is_broken_cache(&self) -> bool {
        matches!(self, SyncError::Store(error) if error.is_unusable_file())
    }
}

/// Why a fetch gave no page.
enum Fetch {
    /// The server has fewer revisions than the cache (it was rebuilt), or its revision of the
    /// cache's number is another (restored from a backup): replace the cache in full.
    ServerBehind,
    Failed(SyncError),
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    pub revision_before: u64,
    pub revision: u64,
    pub applied: Option<ApplySummary>,
    /// What arrived, by kind, in German; empty for the first sync and when nothing changed.
    pub news: Vec<News>,
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
const PROGRESS_STEP: u64 = 256 * 1024;

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
    http: reqwest::Client,
    base_url: String,
    cache_path: PathBuf,
    progress: Option<ProgressSink>,
    stall: Duration,
    /// Certificate authorities trusted besides the built-in ones (a county's own CA).
    extra_roots: Vec<reqwest::Certificate>,
    /// One lock per blob being downloaded, shared by the clones of this syncer.
    blob_locks: BlobLocks,
    /// An empty cache starts from the server's snapshot, if it has one.
    snapshots: bool,
}

type BlobLocks =
    Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>>;

/// Checks a server address as a person types it and returns it as the syncer uses it (no
/// trailing slash). Data travel encrypted: `https://` for every server, `http://` only for one
/// on this machine (a test server, a local proxy). No credentials in the address, no query.
pub fn server_address(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(
            "Bitte die Adresse des Servers angeben, z. B. https://fokus.kreis-pinneberg.de".into(),
        );
    }
    let url = reqwest::Url::parse(text).map_err(|_| {
        format!("„{text}“ ist keine Serveradresse; sie beginnt mit https://, z. B. https://fokus.kreis-pinneberg.de")
    })?;
    let Some(host) = url.host() else {
        return Err(format!("In „{text}“ fehlt der Name des Servers."));
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "Die Serveradresse darf keinen Benutzernamen und kein Passwort enthalten.".into(),
        );
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("Die Serveradresse endet vor „?“ und „#“.".into());
    }
    let loopback = match host {
        url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(address) => address.is_loopback(),
        url::Host::Ipv6(address) => address.is_loopback(),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(format!(
                "Unverschlüsselt (http://) spricht die App nur mit einem Server auf diesem Gerät. Bitte https://{} verwenden.",
                url.host_str().unwrap_or_default()
            ))
        }
        other => {
            return Err(format!(
                "Die Adresse beginnt mit „{other}:“; ein Server wird mit https:// angesprochen."
            ))
        }
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

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
        // The server closes a connection that sends no request for 10 s; reusing one it is just
        // closing would fail the request, so idle connections are dropped here first.
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

    fn report(&self, progress: SyncProgress) {
        if let Some(sink) = &self.progress {
            (sink.0)(progress);
        }
    }

    fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn cache_path(&self) -> &Path {
        &self.cache_path
    }

    async fn blocking<T: Send + 'static>(
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

    /// Fetches the feed since `since`; `None` when the server answers 304 to the ETag a current
    /// client predicts. `Err(ServerBehind)` when the server has fewer revisions than asked for.
    async fn fetch(
        &self,
        instance: &str,
        since: u64,
        fingerprint: &str,
    ) -> Result<Option<FeedPage>, Fetch> {
        let mut url = format!("{}{}?since={since}", self.base_url, api::FEED);
        if since > 0 && !fingerprint.is_empty() {
            url.push_str(&format!("&fingerprint={fingerprint}"));
        }
        let response = self
            .http
            .get(&url)
            .header(
                reqwest::header::IF_NONE_MATCH,
                api::feed_etag(instance, since, since),
            )
            .send()
            .await
            .map_err(|error| Fetch::Failed(request_error(&error)))?;
        match response.status() {
            reqwest::StatusCode::NOT_MODIFIED => return Ok(None),
            reqwest::StatusCode::BAD_REQUEST => return Err(Fetch::ServerBehind),
            // The server's revision `since` is another than ours: restored from a backup.
            reqwest::StatusCode::CONFLICT => return Err(Fetch::ServerBehind),
            status if !status.is_success() => {
                return Err(Fetch::Failed(SyncError::InvalidAnswer(format!(
                    "HTTP {status}"
                ))))
            }
            _ => {}
        }
        if response
            .content_length()
            .is_some_and(|length| length as usize > MAX_FEED_BYTES)
        {
            return Err(Fetch::Failed(SyncError::InvalidAnswer(
                "Antwort zu groß".into(),
            )));
        }
        let total_bytes = response
            .headers()
            .get(api::FEED_BYTES_HEADER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if total_bytes.is_some_and(|total| total as usize > MAX_FEED_BYTES) {
            return Err(Fetch::Failed(SyncError::InvalidAnswer(
                "Antwort zu groß".into(),
            )));
        }
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
            if body.len() + chunk.len() > MAX_FEED_BYTES {
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
        let page: FeedPage = serde_json::from_slice(&body).map_err(|error| {
            Fetch::Failed(SyncError::InvalidAnswer(format!(
                "kein gültiger Feed: {error}"
            )))
        })?;
        // A server may answer a `since` from long ago with its full page (`since` 0).
        if page.since != since && page.since != 0 {
            return Err(Fetch::Failed(SyncError::InvalidAnswer(format!(
                "Feed ab Revision {} statt {since}",
                page.since
            ))));
        }
        if page.revision < since {
            return Err(Fetch::Failed(SyncError::InvalidAnswer(format!(
                "Revision ging zurück: {} < {since}",
                page.revision
            ))));
        }
        Ok(Some(page))
    }

    /// Fetches and applies everything after the cache's revision. One round trip when nothing
    /// changed (the server answers 304 to the ETag the client predicts). If the server is another
    /// instance than the one the cache mirrors (rebuilt, replaced, or the app's bundled data came
    /// from elsewhere), the cache is replaced in full in one transaction.
    pub async fn sync_once(&self, now: i64) -> Result<SyncOutcome, SyncError> {
        // A snapshot download cut off by a kill is of no use and may be large.
        let _ = std::fs::remove_file(snapshot::download_path(&self.cache_path));
        let (local, instance, fingerprint) = self
            .blocking(|store| {
                let local = store.revision()?;
                let fingerprint = store.fingerprint_of(local)?.unwrap_or_default();
                Ok((local, store.instance()?, fingerprint))
            })
            .await?;
        // An empty cache copies the server's snapshot in; a server without one sends the feed.
        if local == 0 && self.snapshots {
            if let Some(outcome) = self.sync_from_snapshot(now).await? {
                return Ok(outcome);
            }
        }
        let page = match self.fetch(&instance, local, &fingerprint).await {
            Ok(None) => {
                self.blocking(move |store| store.set_last_sync(now)).await?;
                return Ok(SyncOutcome {
                    revision_before: local,
                    revision: local,
                    applied: None,
                    news: Vec::new(),
                });
            }
            Ok(Some(page)) if local > 0 && page.since == 0 && page.instance == instance => {
                return self.replace_with(page, local, now).await
            }
            Ok(Some(page)) if local == 0 || page.instance == instance => page,
            Ok(Some(_)) | Err(Fetch::ServerBehind) => return self.resync_in_full(local, now).await,
            Err(Fetch::Failed(error)) => return Err(error),
        };
        self.report(SyncProgress::starting(SyncPhase::Apply));
        let (applied, news) = self
            .blocking(move |store| {
                let known = store.content_ids()?;
                let applied = if page.revision == local && page.is_empty() {
                    None
                } else {
                    Some(store.apply_feed(&page)?)
                };
                store.set_last_sync(now)?;
                let news = describe_news(&page, &store.indicators()?, &known);
                Ok((applied, news))
            })
            .await?;
        let revision = applied.map_or(local, |applied| applied.revision);
        Ok(SyncOutcome {
            revision_before: local,
            revision,
            applied,
            news,
        })
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
        let page = match self.fetch("", 0, "").await {
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
        page: FeedPage,
        local: u64,
        now: i64,
    ) -> Result<SyncOutcome, SyncError> {
        let applied = self
            .blocking(move |store| {
                let applied = store.replace_all(&page)?;
                store.set_last_sync(now)?;
                Ok(applied)
            })
            .await?;
        Ok(SyncOutcome {
            revision_before: local,
            revision: applied.revision,
            applied: Some(applied),
            news: Vec::new(),
        })
    }

    /// Listens to the server's revision events and calls `on_revision` for each. Returns when the
    /// connection ends; the caller reconnects with back-off.
    pub async fn watch_revisions(&self, mut on_revision: impl FnMut(u64)) -> Result<(), SyncError> {
        let url = format!("{}{}", self.base_url, api::EVENTS);
        let client = http_client(None, &self.extra_roots)?;
        let response = successful(client.get(&url)).await?;
        let mut stream = response.bytes_stream();
        let mut pending = String::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|error| SyncError::Offline(error.to_string()))?;
            pending.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = pending.find('\n') {
                let line: String = pending.drain(..=end).collect();
                if let Some(revision) = line
                    .trim()
                    .strip_prefix("data:")
                    .and_then(|data| data.trim().parse().ok())
                {
                    on_revision(revision);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::server_address;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_second_sync_joins_the_running_one() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let gate = Arc::new(super::SyncGate::default());
        let started = Arc::new(AtomicUsize::new(0));
        let (release, wait) = tokio::sync::oneshot::channel::<()>();
        let first = {
            let (gate, started) = (Arc::clone(&gate), Arc::clone(&started));
            tokio::spawn(async move {
                gate.run(async {
                    started.fetch_add(1, Ordering::SeqCst);
                    let _ = wait.await;
                    "first"
                })
                .await
            })
        };
        while started.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let second = {
            let (gate, started) = (Arc::clone(&gate), Arc::clone(&started));
            tokio::spawn(async move {
                gate.run(async {
                    started.fetch_add(1, Ordering::SeqCst);
                    "second"
                })
                .await
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(
            !second.is_finished(),
            "the second waits for the running sync"
        );
        release.send(()).unwrap();
        assert_eq!(first.await.unwrap(), Some("first"));
        assert_eq!(
            second.await.unwrap(),
            None,
            "and joins it instead of starting another"
        );
        assert_eq!(started.load(Ordering::SeqCst), 1, "one sync ran");
        assert_eq!(
            gate.run(async { "later" }).await,
            Some("later"),
            "a later one runs"
        );
    }

    #[test]
    fn server_addresses_are_https_unless_on_this_machine() {
        let accepted = [
            (
                "https://fokus.kreis-pinneberg.de",
                "https://fokus.kreis-pinneberg.de",
            ),
            (
                "  https://fokus.kreis-pinneberg.de/ ",
                "https://fokus.kreis-pinneberg.de",
            ),
            (
                "https://intern.kreis.local:8443/fokus/",
                "https://intern.kreis.local:8443/fokus",
            ),
            ("http://127.0.0.1:8787", "http://127.0.0.1:8787"),
            ("http://localhost:8787/", "http://localhost:8787"),
            ("http://[::1]:8787", "http://[::1]:8787"),
        ];
        for (text, expected) in accepted {
            assert_eq!(server_address(text).as_deref(), Ok(expected), "{text}");
        }
        let refused = [
            (
                "http://fokus.kreis-pinneberg.de",
                "https://fokus.kreis-pinneberg.de",
            ),
            (
                "http://192.168.1.10:8787",
                "nur mit einem Server auf diesem Gerät",
            ),
            ("http://localhost.evil.example", "https://"),
            ("ftp://fokus.example", "https://"),
            ("file:///etc/passwd", "Name des Servers"),
            ("fokus.kreis-pinneberg.de", "keine Serveradresse"),
            ("", "angeben"),
            ("https://user:geheim@fokus.example", "Passwort"),
            ("https://fokus.example/?x=1", "„?“"),
        ];
        for (text, says) in refused {
            let problem = server_address(text).unwrap_err();
            assert!(problem.contains(says), "{text}: {problem}");
        }
    }
}
