//! Media files (documents, captions, videos) downloaded next to the cache: checked against their
//! SHA-256, resumed with Range requests after an interruption, and pruned when no published item
//! names them any more.
//!
//! A download goes to `<sha256>.partial` and is renamed to `<sha256>` only after the hash
//! matched, then recorded in the cache's `blob` table; a file the table lists is always whole.

use std::path::{Path, PathBuf};

use fokus_model::api;
use fokus_model::content::{is_sha256_hex, MediaRef, MediaRole};
use fokus_model::news::{SyncPhase, SyncProgress};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::{SyncError, Syncer};

/// Which media to fetch with a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MediaPolicy {
    /// Videos are large; by default they are fetched only when someone asks.
    pub videos: bool,
}

/// What a media pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MediaOutcome {
    pub downloaded: usize,
    pub bytes: u64,
    /// Files that failed (offline, wrong hash); tried again next time.
    pub failed: usize,
    pub pruned: usize,
}

/// The media a cache should hold under `policy`: every file of every published item, videos
/// only if wanted; each hash once.
pub fn wanted_media(
    items: &[fokus_model::content::ContentItem],
    policy: MediaPolicy,
) -> Vec<MediaRef> {
    let mut wanted: Vec<MediaRef> = items
        .iter()
        .flat_map(|item| item.media.iter())
        .filter(|media| policy.videos || media.role != MediaRole::Video)
        .filter(|media| is_sha256_hex(&media.sha256))
        .cloned()
        .collect();
    wanted.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    wanted.dedup_by(|a, b| a.sha256 == b.sha256);
    wanted
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Opens (creating) a `.partial` file with an exclusive lock; another process downloading the
/// same file makes this one give up for now.
async fn open_locked(path: &Path) -> Result<std::fs::File, SyncError> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|error| SyncError::Media(format!("{}: {error}", path.display())))?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => Err(SyncError::Media(format!(
                "{}: wird gerade von einem anderen Vorgang geladen",
                path.display()
            ))),
            Err(std::fs::TryLockError::Error(error)) => {
                Err(SyncError::Media(format!("{}: {error}", path.display())))
            }
        }
    })
    .await
    .map_err(|error| SyncError::Media(error.to_string()))?
}

/// SHA-256 and length of a file's bytes.
fn hash_file(path: &Path) -> std::io::Result<(Sha256, u64)> {
    use std::io::Read;
    let mut hasher = Sha256::new();
    let mut file = std::fs::File::open(path)?;
    let mut buffer = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            return Ok((hasher, total));
        }
        hasher.update(&buffer[..read]);
        total += read as u64;
    }
}

impl Syncer {
    /// The folder media are kept in: `blobs/` beside the cache file.
    pub fn blob_dir(&self) -> PathBuf {
        self.cache_path()
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join("blobs")
    }

    /// The local file of a downloaded blob, if it is there.
    pub fn blob_file(&self, sha256: &str) -> Option<PathBuf> {
        let path = self.blob_dir().join(sha256);
        (is_sha256_hex(sha256) && path.is_file()).then_some(path)
    }

    /// Downloads what the cache's content names and the policy wants, removes what nothing
    /// names any more. A failed file does not stop the others.
    pub async fn sync_media(&self, policy: MediaPolicy) -> Result<MediaOutcome, SyncError> {
        let (items, recorded) = self
            .blocking(|store| Ok((store.content_list(None)?, store.blob_hashes()?)))
            .await?;
        let wanted = wanted_media(&items, policy);
        let missing: Vec<&MediaRef> = wanted
            .iter()
            .filter(|media| {
                !recorded.contains(&media.sha256) || self.blob_file(&media.sha256).is_none()
            })
            .collect();
        let mut outcome = MediaOutcome::default();
        let total_bytes: u64 = missing.iter().map(|media| media.size).sum();
        for (index, media) in missing.iter().enumerate() {
            self.report(SyncProgress {
                phase: SyncPhase::Media,
                bytes: outcome.bytes,
                total_bytes: Some(total_bytes),
                items: index as u64,
                total_items: Some(missing.len() as u64),
            });
            match self.fetch_blob(media).await {
                Ok(bytes) => {
                    outcome.downloaded += 1;
                    outcome.bytes += bytes;
                }
                Err(error) if error.is_offline() => return Err(error),
                Err(error) => {
                    tracing::warn!(%error, name = %media.name, "media download failed");
                    outcome.failed += 1;
                }
            }
        }
        // Everything any published item names stays, wanted now or not (a video fetched on
        // request is kept); the rest goes.
        let named: std::collections::HashSet<String> = items
            .iter()
            .flat_map(|item| item.media.iter().map(|media| media.sha256.clone()))
            .collect();
        for sha256 in recorded.iter().filter(|sha256| !named.contains(*sha256)) {
            let _ = std::fs::remove_file(self.blob_dir().join(sha256));
            let forget = sha256.clone();
            self.blocking(move |store| store.forget_blob(&forget))
                .await?;
            outcome.pruned += 1;
        }
        Ok(outcome)
    }

    /// Downloads one blob (resuming a partial download), checks its hash, records it. Returns
    /// the bytes transferred. A blob already present costs nothing.
    ///
    /// One download per hash at a time: within the process a lock per hash, across processes
    /// (the app and `fokus-sync` on one cache) an exclusive lock on the `.partial` file; the
    /// hash and length are checked on the file as it lies on disk before it is renamed.
    pub async fn fetch_blob(&self, media: &MediaRef) -> Result<u64, SyncError> {
        media.check().map_err(SyncError::InvalidAnswer)?;
        let lock = self.blob_lock(&media.sha256);
        let _held = lock.lock().await;
        let dir = self.blob_dir();
        let target = dir.join(&media.sha256);
        if target.is_file() {
            let record = media.clone();
            self.blocking(move |store| store.record_blobs(&[record]))
                .await?;
            return Ok(0);
        }
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|error| SyncError::Media(format!("{}: {error}", dir.display())))?;
        let partial = dir.join(format!("{}.partial", media.sha256));
        let file = open_locked(&partial).await?;
        let mut file = tokio::fs::File::from_std(file);
        let mut have = file
            .metadata()
            .await
            .map_err(|error| SyncError::Media(format!("{}: {error}", partial.display())))?
            .len();
        if have > media.size {
            file.set_len(0)
                .await
                .map_err(|error| SyncError::Media(format!("{}: {error}", partial.display())))?;
            have = 0;
        }
        let url = format!("{}{}", self.base_url(), api::blob_path(&media.sha256));
        let mut request = self.http().get(&url);
        if have > 0 {
            request = request.header(reqwest::header::RANGE, format!("bytes={have}-"));
        }
        let response = request
            .send()
            .await
            .map_err(|error| crate::request_error(&error))?;
        if !response.status().is_success() {
            return Err(SyncError::InvalidAnswer(format!(
                "{}: HTTP {}",
                media.name,
                response.status()
            )));
        }
        if response.status() != reqwest::StatusCode::PARTIAL_CONTENT && have > 0 {
            // The server sent the whole file: start over.
            file.set_len(0)
                .await
                .map_err(|error| SyncError::Media(format!("{}: {error}", partial.display())))?;
            have = 0;
        }
        use tokio::io::AsyncSeekExt;
        file.seek(std::io::SeekFrom::Start(have))
            .await
            .map_err(|error| SyncError::Media(format!("{}: {error}", partial.display())))?;
        let mut transferred = 0u64;
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk
                .map_err(|error| SyncError::Offline(format!("Verbindung abgebrochen: {error}")))?;
            if have + chunk.len() as u64 > media.size {
                drop(file);
                let _ = tokio::fs::remove_file(&partial).await;
                return Err(SyncError::InvalidAnswer(format!(
                    "{}: mehr Bytes als angekündigt ({} erwartet)",
                    media.name, media.size
                )));
            }
            file.write_all(&chunk)
                .await
                .map_err(|error| SyncError::Media(format!("{}: {error}", partial.display())))?;
            have += chunk.len() as u64;
            transferred += chunk.len() as u64;
        }
        file.sync_all()
            .await
            .map_err(|error| SyncError::Media(format!("{}: {error}", partial.display())))?;
        if have < media.size {
            // Keep what arrived: the next attempt continues from here.
            return Err(SyncError::Offline(format!(
                "{}: Übertragung unvollständig ({have} von {} Bytes)",
                media.name, media.size
            )));
        }
        // What counts is the file on disk, not the bytes as they passed by.
        let check = partial.clone();
        let (hasher, length) = tokio::task::spawn_blocking(move || hash_file(&check))
            .await
            .map_err(|error| SyncError::Media(error.to_string()))?
            .map_err(|error| SyncError::Media(format!("{}: {error}", partial.display())))?;
        let actual = hex(&hasher.finalize());
        if actual != media.sha256 || length != media.size {
            drop(file);
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(SyncError::InvalidAnswer(format!(
                "{}: Prüfsumme stimmt nicht (SHA-256 {actual}, {length} Bytes); Datei verworfen",
                media.name
            )));
        }
        // Closed before the rename (Windows renames no open file); the in-process lock still
        // holds.
        drop(file);
        tokio::fs::rename(&partial, &target)
            .await
            .map_err(|error| SyncError::Media(format!("{}: {error}", target.display())))?;
        let record = media.clone();
        self.blocking(move |store| store.record_blobs(&[record]))
            .await?;
        Ok(transferred)
    }

    /// The in-process lock of one blob's download.
    fn blob_lock(&self, sha256: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .blob_locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        locks.retain(|_, lock| std::sync::Arc::strong_count(lock) > 1);
        std::sync::Arc::clone(locks.entry(sha256.to_owned()).or_default())
    }
}
