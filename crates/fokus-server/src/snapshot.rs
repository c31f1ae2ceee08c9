//! `GET /api/v1/snapshot`: the current revision as a database file, for an empty cache's first
//! sync (see `fokus_store::Store::write_snapshot`). Written and compressed once per revision into
//! a folder beside the database, from a connection of its own so reads go on meanwhile, and
//! served from disk (Range requests work, memory stays flat at any size). A server whose
//! database lives in memory (tests) has no snapshot and answers 404; clients then take the feed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fokus_store::Store;
use sha2::Digest;

/// Up to this size the database is compressed at zstd's level 19 (a few seconds once per
/// revision); larger ones at faster levels with long-distance matching.
const STRONG_UP_TO: u64 = 16 * 1024 * 1024;
const MEDIUM_UP_TO: u64 = 256 * 1024 * 1024;

/// zstd's window for large files: 64 MiB, which the client's decoder allows and no more, so its
/// memory stays bounded whatever the size.
pub const WINDOW_LOG: u32 = 26;

/// One written snapshot.
#[derive(Debug, Clone)]
pub struct Built {
    pub revision: u64,
    pub instance: String,
    /// The fingerprint of `revision`: with the instance, the timeline its address names.
    pub fingerprint: String,
    /// The compressed file.
    pub path: PathBuf,
    /// SHA-256 (hex) of the compressed file, and the size of the database before compression.
    pub sha256: String,
    pub bytes: u64,
}

/// The latest snapshot and the one build that may run at a time.
#[derive(Debug, Clone, Default)]
pub struct SnapshotCache {
    latest: Arc<tokio::sync::Mutex<Option<Built>>>,
}

impl SnapshotCache {
    /// The snapshot of `revision` (the server's current one), written first if needed. `None`
    /// for a database in memory.
    pub async fn get(
        &self,
        database: Option<PathBuf>,
        revision: u64,
    ) -> anyhow::Result<Option<Built>> {
        let Some(database) = database else {
            return Ok(None);
        };
        let mut latest = self.latest.lock().await;
        if let Some(built) = latest.as_ref().filter(|built| built.revision >= revision) {
            return Ok(Some(built.clone()));
        }
        let built = tokio::task::spawn_blocking(move || build(&database)).await??;
        tracing::info!(
            revision = built.revision,
            bytes = built.bytes,
            "wrote the snapshot of the current revision"
        );
        *latest = Some(built.clone());
        Ok(Some(built))
    }
}

/// The folder of the snapshots of the database at `database`.
fn folder_of(database: &Path) -> PathBuf {
    let mut name = database.file_name().unwrap_or_default().to_owned();
    name.push(".snapshot");
    database.with_file_name(name)
}

fn build(database: &Path) -> anyhow::Result<Built> {
    let folder = folder_of(database);
    std::fs::create_dir_all(&folder)?;
    let work = tempfile::tempdir_in(&folder)?;
    let compressed = work.path().join("snapshot.sqlite3.zst");
    let built = write_file(database, &compressed)?;
    let path = folder.join(format!("{}-{}.sqlite3.zst", built.revision, built.instance));
    std::fs::rename(&compressed, &path)?;
    // Older snapshots go; one being sent stays readable until its download ends.
    for entry in std::fs::read_dir(&folder)? {
        let entry = entry?;
        let old = entry.path();
        if old != path && old.extension().is_some_and(|extension| extension == "zst") {
            let _ = std::fs::remove_file(old);
        }
    }
    Ok(Built { path, ..built })
}

/// Writes the snapshot of the database at `database` to `out`, zstd-compressed
/// (`fokus-server snapshot`: the data an app ships for its first start).
pub fn write_file(database: &Path, out: &Path) -> anyhow::Result<Built> {
    let work = tempfile::tempdir_in(out.parent().unwrap_or(Path::new(".")))?;
    let raw = work.path().join("snapshot.sqlite3");
    let info = Store::open(database)?.write_snapshot(&raw)?;
    let (sha256, bytes) = compress(&raw, out)?;
    Ok(Built {
        revision: info.revision,
        instance: info.instance,
        fingerprint: info.fingerprint,
        path: out.to_owned(),
        sha256,
        bytes,
    })
}

/// Passes bytes on to a file and hashes them: the SHA-256 of the compressed file as sent.
struct Hashing {
    file: std::fs::File,
    hasher: sha2::Sha256,
}

impl Write for Hashing {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.file.write(bytes)?;
        self.hasher.update(&bytes[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Compresses `raw` into `out`; returns the SHA-256 (hex) of `out` and the size of `raw`.
fn compress(raw: &Path, out: &Path) -> anyhow::Result<(String, u64)> {
    let bytes = std::fs::metadata(raw)?.len();
    let level = if bytes <= STRONG_UP_TO {
        19
    } else if bytes <= MEDIUM_UP_TO {
        9
    } else {
        3
    };
    let output = Hashing {
        file: std::fs::File::create(out)?,
        hasher: sha2::Sha256::new(),
    };
    let mut encoder = zstd::stream::write::Encoder::new(output, level)?;
    encoder.include_checksum(true)?;
    encoder.set_pledged_src_size(Some(bytes))?;
    if bytes > STRONG_UP_TO {
        encoder.long_distance_matching(true)?;
        encoder.window_log(WINDOW_LOG)?;
    }
    std::io::copy(&mut std::fs::File::open(raw)?, &mut encoder)?;
    let output = encoder.finish()?;
    output.file.sync_all()?;
    let sha256 = output
        .hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    Ok((sha256, bytes))
}
