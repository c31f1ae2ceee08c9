//! An empty cache's first sync from the server's snapshot (`/api/v1/snapshot`): the database file
//! of the current revision, hashed as it arrives (the SHA-256 of the body as sent), streamed
//! through a zstd decoder into a file beside the cache, checked against the announced hash and
//! size, then checked row by row and copied in by the store (`Store::restore_snapshot`). Memory stays bounded by the decoder's window and a few
//! chunks in flight, whatever the size. A server without snapshots (404), a snapshot of another
//! schema version and one refused by any check send the sync to the feed instead.

use std::io::Write;
use std::path::{Path, PathBuf};

use fokus_model::api;
use fokus_model::news::{SyncPhase, SyncProgress};
use fokus_store::{ApplySummary, SnapshotInfo, Store};
use futures_util::StreamExt;
use sha2::Digest;

use crate::{request_error, SyncError, SyncOutcome, Syncer};

/// A snapshot larger than this after decompression is refused: a state-wide deployment at 100×
/// the demo is about 1.5 GB.
pub const MAX_SNAPSHOT_BYTES: u64 = 16 * 1024 * 1024 * 1024;

/// The largest zstd window the decoder accepts (64 MiB, the server's for large files).
const WINDOW_LOG_MAX: u32 = 26;

/// Chunks between the download and the decoder.
const CHUNKS_IN_FLIGHT: usize = 8;

fn invalid(problem: impl Into<String>) -> SyncError {
    SyncError::InvalidAnswer(format!("Datenbankkopie: {}", problem.into()))
}

/// The download beside the cache; a leftover from a kill is overwritten by the next attempt.
pub(crate) fn download_path(cache: &Path) -> PathBuf {
    let mut name = cache.file_name().unwrap_or_default().to_owned();
    name.push(".snapshot-download");
    cache.with_file_name(name)
}

/// Replaces the data of the cache `store` (at `cache`) with a snapshot this build carries (the
/// app's first-start data, `fokus-server snapshot`): decompressed into a file beside the cache,
/// checked and copied in like a downloaded one.
pub fn restore_bundled(
    store: &mut Store,
    cache: &Path,
    compressed: &[u8],
) -> Result<ApplySummary, SyncError> {
    let mut name = cache.file_name().unwrap_or_default().to_owned();
    name.push(".snapshot-bundled");
    let path = cache.with_file_name(name);
    let restored = (|| {
        let mut file = std::fs::File::create(&path)
            .map_err(|error| SyncError::Media(format!("{}: {error}", path.display())))?;
        zstd::stream::copy_decode(compressed, &mut file)
            .map_err(|error| invalid(format!("mitgelieferte Daten nicht lesbar: {error}")))?;
        let info = SnapshotInfo::of_file(&path)?;
        Ok(store.restore_snapshot(&path, &info)?)
    })();
    let _ = std::fs::remove_file(&path);
    restored
}

/// The page size of every FOKUS database (SQLite's default; the server's snapshot keeps its
/// database's). A snapshot of another is refused from its first bytes.
pub const PAGE_SIZE: u32 = 4096;

/// The length of SQLite's file header.
const HEADER_BYTES: usize = 100;

/// Checks the SQLite header of a snapshot (its first 100 bytes) before more of it is written:
/// a database at all, FOKUS's page size, UTF-8 text, and as many pages as the size announced.
/// A decompression bomb or a file of another kind stops here, after 100 bytes.
fn check_header(header: &[u8], announced_bytes: u64) -> Result<(), String> {
    let number = |at: usize, len: usize| {
        header[at..at + len]
            .iter()
            .fold(0u64, |value, byte| value << 8 | u64::from(*byte))
    };
    if &header[..16] != b"SQLite format 3\0" {
        return Err("keine SQLite-Datenbank".to_owned());
    }
    let page_size = match number(16, 2) {
        1 => 65_536,
        size => size,
    };
    if page_size != u64::from(PAGE_SIZE) {
        return Err(format!("Seitengröße {page_size} statt {PAGE_SIZE}"));
    }
    let encoding = number(56, 4);
    if encoding != 1 {
        let name = match encoding {
            2 => "UTF-16le",
            3 => "UTF-16be",
            _ => "unbekannt",
        };
        return Err(format!("Textkodierung {name} statt UTF-8"));
    }
    // The page count in the header is valid when the change counter beside it agrees.
    let pages = number(28, 4);
    if pages > 0 && number(24, 4) == number(92, 4) && pages * page_size != announced_bytes {
        return Err(format!(
            "{pages} Seiten zu {page_size} Bytes, angekündigt waren {announced_bytes} Bytes"
        ));
    }
    Ok(())
}

/// Writes the decoded database, counting it: refuses more than announced, and checks the header
/// from the first bytes ([`check_header`]).
struct Checked {
    file: std::io::BufWriter<std::fs::File>,
    written: u64,
    limit: u64,
    header: Vec<u8>,
}

impl Checked {
    fn new(file: std::fs::File, limit: u64) -> Self {
        Self {
            file: std::io::BufWriter::with_capacity(1 << 20, file),
            written: 0,
            limit,
            header: Vec::with_capacity(HEADER_BYTES),
        }
    }
}

impl Write for Checked {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.written += bytes.len() as u64;
        if self.written > self.limit {
            return Err(std::io::Error::other("größer als angekündigt"));
        }
        if self.header.len() < HEADER_BYTES {
            let missing = HEADER_BYTES - self.header.len();
            self.header
                .extend_from_slice(&bytes[..missing.min(bytes.len())]);
            if self.header.len() == HEADER_BYTES {
                check_header(&self.header, self.limit).map_err(std::io::Error::other)?;
            }
        }
        self.file.write_all(bytes)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// What the headers announce.
struct Announced {
    info: SnapshotInfo,
    sha256: String,
    bytes: u64,
}

fn announced(headers: &reqwest::header::HeaderMap) -> Result<Announced, SyncError> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let number = |name: &str| text(name).and_then(|value| value.parse::<u64>().ok());
    let revision = number(api::SNAPSHOT_REVISION_HEADER)
        .filter(|revision| *revision > 0)
        .ok_or_else(|| invalid("ohne Revision"))?;
    let instance = text(api::SNAPSHOT_INSTANCE_HEADER)
        .filter(|instance| !instance.is_empty())
        .ok_or_else(|| invalid("ohne Serverkennung"))?;
    if !api::is_instance(&instance) {
        return Err(crate::plan::unusable_instance(&instance));
    }
    let sha256 = text(api::SNAPSHOT_SHA256_HEADER)
        .filter(|sha256| fokus_model::content::is_sha256_hex(sha256))
        .ok_or_else(|| invalid("ohne Prüfsumme"))?;
    let bytes = number(api::SNAPSHOT_BYTES_HEADER).ok_or_else(|| invalid("ohne Größe"))?;
    if bytes > MAX_SNAPSHOT_BYTES {
        return Err(invalid(format!("zu groß ({bytes} Bytes)")));
    }
    if bytes < HEADER_BYTES as u64 {
        return Err(invalid(format!("zu klein ({bytes} Bytes)")));
    }
    // Servers before timelines were named send none; the store then checks instance and
    // revision only.
    let fingerprint = text(api::SNAPSHOT_FINGERPRINT_HEADER).unwrap_or_default();
    Ok(Announced {
        info: SnapshotInfo {
            instance,
            revision,
            fingerprint,
        },
        sha256,
        bytes,
    })
}

/// A snapshot from an immutable address (after the server's redirect, perhaps out of a caching
/// proxy) must announce the revision and timeline that address names; the store then checks
/// the file against what is announced. A proxy still holding the snapshot of a lost timeline
/// (a server restored from a backup) is caught here.
fn check_address(path: &str, announced: &Announced) -> Result<(), SyncError> {
    let Some((revision, timeline)) = api::parse_snapshot_path(path) else {
        return Ok(());
    };
    let info = &announced.info;
    if info.revision != revision || api::timeline(&info.instance, &info.fingerprint) != timeline {
        return Err(invalid(format!(
            "{path} enthält Revision {} eines anderen Datenstands; ein Zwischenspeicher vor dem Server hält veraltete Daten",
            info.revision
        )));
    }
    Ok(())
}

/// The download and then the cache each hold the database once: a device without room for both
/// says so before a byte is written, instead of filling its disk.
fn check_room(cache: &Path, bytes: u64) -> Result<(), SyncError> {
    let dir = cache
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let free = fs4::available_space(dir)
        .map_err(|error| SyncError::Media(format!("{}: {error}", dir.display())))?;
    let needed = bytes.saturating_mul(2);
    if free < needed {
        let mb = |bytes: u64| format!("{:.1} MB", bytes as f64 / 1e6);
        return Err(SyncError::NoSpace(format!(
            "die Daten brauchen {} auf diesem Gerät, frei sind {}",
            mb(needed),
            mb(free)
        )));
    }
    Ok(())
}

impl Syncer {
    /// The first sync of an empty cache (or a replacement in full) from the server's snapshot;
    /// `None` when the caller is to take the feed: the server has none, it is of another schema
    /// version, or it was refused (any check failed). A snapshot is only a faster way to the
    /// data the feed also serves, so no refusal of it may strand an app; only a lost connection,
    /// a full disk or a server at capacity end the sync, since the feed could not do better (a
    /// server at capacity would refuse the full page too, and the app comes back later).
    pub(crate) async fn sync_from_snapshot(
        &self,
        now: i64,
    ) -> Result<Option<SyncOutcome>, SyncError> {
        match self.try_snapshot(now).await {
            Err(error)
                if !error.is_offline()
                    && !error.is_disk_full()
                    && error.retry_after().is_none()
                    && !self.strict_snapshots =>
            {
                tracing::warn!(%error, "the server's snapshot was refused; taking the feed");
                Ok(None)
            }
            other => other,
        }
    }

    async fn try_snapshot(&self, now: i64) -> Result<Option<SyncOutcome>, SyncError> {
        let url = format!("{}{}", self.base_url, api::SNAPSHOT);
        let response = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|error| request_error(&error))?;
        crate::plan::check_busy(
            response.status().as_u16(),
            crate::native::retry_after_header(&response),
        )?;
        match response.status() {
            reqwest::StatusCode::NOT_FOUND
            | reqwest::StatusCode::METHOD_NOT_ALLOWED
            | reqwest::StatusCode::NOT_IMPLEMENTED => return Ok(None),
            // The server could not write one (a full disk, say): the feed still works.
            status if status.is_server_error() => {
                tracing::warn!(%status, "the server's snapshot failed; taking the feed");
                return Ok(None);
            }
            status if !status.is_success() => {
                return Err(SyncError::InvalidAnswer(format!("HTTP {status}")))
            }
            _ => {}
        }
        // A snapshot is the server's database file: of use only to a build of the same schema
        // version. A server without the header is checked by the store after the download.
        let schema = response
            .headers()
            .get(api::SNAPSHOT_SCHEMA_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        if let Some(schema) = schema {
            if schema != fokus_store::SCHEMA_VERSION.to_string() {
                tracing::info!(
                    server = %schema,
                    ours = fokus_store::SCHEMA_VERSION,
                    "the server's snapshot is of another schema version; taking the feed"
                );
                return Ok(None);
            }
        }
        let announced = announced(response.headers())?;
        check_address(response.url().path(), &announced)?;
        check_room(&self.cache_path, announced.bytes)?;
        let total_bytes = response.content_length();
        let path = download_path(&self.cache_path);
        let result = self
            .download(response, &path, &announced, total_bytes)
            .await;
        let outcome = match result {
            Ok(()) => {
                self.report(SyncProgress::starting(SyncPhase::Apply));
                let (file, info) = (path.clone(), announced.info);
                self.blocking(move |store| {
                    let applied = store.restore_snapshot(&file, &info)?;
                    store.set_last_sync(now)?;
                    Ok(applied)
                })
                .await
            }
            Err(error) => Err(error),
        };
        let _ = std::fs::remove_file(&path);
        let applied = outcome?;
        tracing::info!(
            revision = applied.revision,
            "first sync from the server's snapshot"
        );
        Ok(Some(SyncOutcome {
            revision_before: 0,
            revision: applied.revision,
            applied: Some(applied),
            news: Vec::new(),
        }))
    }

    /// Streams the answer through the decoder into `path` and checks size and checksum.
    async fn download(
        &self,
        response: reqwest::Response,
        path: &Path,
        announced: &Announced,
        total_bytes: Option<u64>,
    ) -> Result<(), SyncError> {
        let file = std::fs::File::create(path)
            .map_err(|error| SyncError::Media(format!("{}: {error}", path.display())))?;
        let checked = Checked::new(file, announced.bytes);
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<bytes::Bytes>(CHUNKS_IN_FLIGHT);
        // Decoding is CPU work: it runs beside the download, not on the async threads.
        let decoder = tokio::task::spawn_blocking(move || -> Result<Checked, String> {
            let mut decoder =
                zstd::stream::write::Decoder::new(checked).map_err(|error| error.to_string())?;
            decoder
                .window_log_max(WINDOW_LOG_MAX)
                .map_err(|error| error.to_string())?;
            while let Some(chunk) = receiver.blocking_recv() {
                decoder
                    .write_all(&chunk)
                    .map_err(|error| error.to_string())?;
            }
            decoder.flush().map_err(|error| error.to_string())?;
            let mut checked = decoder.into_inner();
            checked.flush().map_err(|error| error.to_string())?;
            Ok(checked)
        });
        let progress = |bytes: u64| SyncProgress {
            phase: SyncPhase::Feed,
            bytes,
            total_bytes,
            items: 0,
            total_items: None,
        };
        self.report(progress(0));
        let mut received = 0u64;
        let mut reported = 0u64;
        let mut hasher = sha2::Sha256::new();
        let mut stream = response.bytes_stream();
        let mut failure = None;
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(error) => {
                    failure = Some(SyncError::Offline(format!(
                        "Verbindung abgebrochen: {error}"
                    )));
                    break;
                }
            };
            received += chunk.len() as u64;
            hasher.update(&chunk);
            if sender.send(chunk).await.is_err() {
                // The decoder stopped: its error says why.
                break;
            }
            if received >= reported + crate::native::PROGRESS_STEP {
                reported = received;
                self.report(progress(received));
            }
        }
        drop(sender);
        self.report(progress(received));
        let decoded = decoder
            .await
            .map_err(|error| invalid(format!("Entpacken abgebrochen: {error}")))?;
        if let Some(failure) = failure {
            return Err(failure);
        }
        let checked = decoded.map_err(|problem| invalid(format!("nicht lesbar: {problem}")))?;
        let sha256: String = hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        if sha256 != announced.sha256 {
            return Err(invalid("Prüfsumme stimmt nicht"));
        }
        if checked.written != announced.bytes {
            return Err(invalid(format!(
                "{} Bytes statt der angekündigten {}",
                checked.written, announced.bytes
            )));
        }
        Ok(())
    }
}
