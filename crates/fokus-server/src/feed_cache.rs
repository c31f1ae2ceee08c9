//! Encoded feed answers, kept per (since, revision). Every app's first sync asks for the same
//! page (`since=0`), and many apps at one revision ask for the same delta: building, serialising
//! and compressing it once per revision instead of once per request is what lets the server
//! answer hundreds of first syncs at once. A new revision makes old entries unreachable (the
//! key names the revision); the oldest are dropped beyond a few entries.

use std::io::Write;
use std::sync::Arc;

use axum::body::Bytes;

/// How many encoded pages to keep: the full page and a few popular deltas.
const ENTRIES: usize = 4;

/// zstd level 19 finds the long repeats of the JSON rows (a third smaller than gzip) but costs
/// about half a second per MB once per revision; beyond this size a faster level is used.
const STRONG_ZSTD_UP_TO: usize = 8 * 1024 * 1024;

/// One page, in every encoding a client may ask for.
#[derive(Debug)]
pub struct EncodedPage {
    pub instance: String,
    pub since: u64,
    pub revision: u64,
    pub json: Bytes,
    pub gzip: Bytes,
    pub zstd: Bytes,
}

impl EncodedPage {
    pub fn encode(page: &fokus_model::FeedPage) -> anyhow::Result<EncodedPage> {
        let json = serde_json::to_vec(page)?;
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(&json)?;
        let level = if json.len() <= STRONG_ZSTD_UP_TO {
            19
        } else {
            9
        };
        let zstd = zstd::bulk::compress(&json, level)?;
        Ok(EncodedPage {
            instance: page.instance.clone(),
            since: page.since,
            revision: page.revision,
            gzip: Bytes::from(gzip.finish()?),
            zstd: Bytes::from(zstd),
            json: Bytes::from(json),
        })
    }
}

/// The cache. Behind an async mutex held while a page is built, so a crowd of first syncs after
/// an import waits for one build instead of starting one each.
#[derive(Debug, Default, Clone)]
pub struct FeedCache {
    entries: Arc<tokio::sync::Mutex<Vec<Arc<EncodedPage>>>>,
}

impl FeedCache {
    /// The page for `(since, revision)`, built by `build` (on the blocking pool) if it is not
    /// cached. The build runs in a task of its own and stores its result even when the request
    /// that started it is gone: a client that gives up (a timeout on bad Wi-Fi, a killed app)
    /// must not throw away a second of compression that the next client needs.
    pub async fn get_or_build(
        &self,
        since: u64,
        revision: u64,
        build: impl FnOnce() -> anyhow::Result<EncodedPage> + Send + 'static,
    ) -> anyhow::Result<Arc<EncodedPage>> {
        let entries = Arc::clone(&self.entries);
        let task = tokio::spawn(async move {
            let mut entries = entries.lock().await;
            if let Some(found) = entries
                .iter()
                .find(|entry| entry.since == since && entry.revision == revision)
            {
                return Ok(Arc::clone(found));
            }
            let page = Arc::new(tokio::task::spawn_blocking(build).await??);
            entries.retain(|entry| entry.revision == page.revision);
            if entries.len() >= ENTRIES {
                entries.remove(0);
            }
            entries.push(Arc::clone(&page));
            Ok(page)
        });
        task.await?
    }
}
