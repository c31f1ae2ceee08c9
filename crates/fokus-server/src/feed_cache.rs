//! Encoded feed answers. Every app's first sync asks for the same page (`since=0`), and many
//! apps at one revision ask for the same few deltas: those are built, serialised and compressed
//! (zstd -19, gzip best) once per revision and kept, and every request for one key waits for the
//! one build of that key, never for another key's. Such a build runs in a task of its own and
//! finishes even when the client that started it hung up: the next client needs it.
//!
//! A delta from an older revision is rare (an app that was offline for months) and cheap to
//! build: it is built for its request only, in the encoding that request accepts, at a fast
//! level, and not kept; at most [`MAX_WAITING`] such builds wait for a turn, beyond that the
//! server answers 503 and the app retries later. A `since` so old that its delta is about the
//! whole dataset is answered with the full page (`since = 0`), which the app applies by
//! replacing its cache.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use tokio::sync::{OnceCell, Semaphore};

/// Deltas from this many revisions back are kept; older ones are built per request.
pub const RECENT_REVISIONS: u64 = 8;

/// A `since` more than this many revisions back gets the full page.
pub const FULL_PAGE_AFTER: u64 = 200;

/// Builds that run at once (compression is CPU-bound).
const PARALLEL_BUILDS: usize = 2;

/// Uncached builds that may wait for a turn before the server says it is busy.
pub const MAX_WAITING: usize = 16;

/// zstd level 19 finds the long repeats of the JSON rows (a third smaller than gzip) but costs
/// about half a second per MB once per revision; beyond this size a faster level is used.
const STRONG_ZSTD_UP_TO: usize = 8 * 1024 * 1024;

/// The encodings a feed answer comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Zstd,
    Gzip,
    Identity,
}

impl Encoding {
    /// The `Content-Encoding` header value, if any.
    pub fn header(self) -> Option<&'static str> {
        match self {
            Encoding::Zstd => Some("zstd"),
            Encoding::Gzip => Some("gzip"),
            Encoding::Identity => None,
        }
    }
}

/// One page, ready to send in the encoding it was asked for.
#[derive(Debug, Clone)]
pub struct Answer {
    pub instance: String,
    pub since: u64,
    pub revision: u64,
    pub encoding: Encoding,
    pub body: Bytes,
    /// The size of the JSON before compression (for the client's progress).
    pub json_len: usize,
}

/// Why no answer came.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("zu viele Abgleiche gleichzeitig; bitte später erneut versuchen")]
    Busy,
    #[error(transparent)]
    Build(#[from] anyhow::Error),
}

/// One page in every encoding, as kept for popular keys.
#[derive(Debug)]
struct EncodedPage {
    instance: String,
    since: u64,
    revision: u64,
    json: Bytes,
    gzip: Bytes,
    zstd: Bytes,
}

impl EncodedPage {
    fn encode(page: &fokus_model::FeedPage) -> anyhow::Result<EncodedPage> {
        let json = serde_json::to_vec(page)?;
        let level = if json.len() <= STRONG_ZSTD_UP_TO {
            19
        } else {
            9
        };
        Ok(EncodedPage {
            instance: page.instance.clone(),
            since: page.since,
            revision: page.revision,
            gzip: Bytes::from(gzip(&json, flate2::Compression::best())?),
            zstd: Bytes::from(zstd::bulk::compress(&json, level)?),
            json: Bytes::from(json),
        })
    }

    fn answer(&self, encoding: Encoding) -> Answer {
        let body = match encoding {
            Encoding::Zstd => self.zstd.clone(),
            Encoding::Gzip => self.gzip.clone(),
            Encoding::Identity => self.json.clone(),
        };
        Answer {
            instance: self.instance.clone(),
            since: self.since,
            revision: self.revision,
            encoding,
            body,
            json_len: self.json.len(),
        }
    }
}

fn gzip(json: &[u8], level: flate2::Compression) -> anyhow::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
    encoder.write_all(json)?;
    Ok(encoder.finish()?)
}

/// A page for one request only: the one encoding asked for, at a fast level.
fn encode_once(page: &fokus_model::FeedPage, encoding: Encoding) -> anyhow::Result<Answer> {
    let json = serde_json::to_vec(page)?;
    let body = match encoding {
        Encoding::Zstd => zstd::bulk::compress(&json, 3)?,
        Encoding::Gzip => gzip(&json, flate2::Compression::fast())?,
        Encoding::Identity => json.clone(),
    };
    Ok(Answer {
        instance: page.instance.clone(),
        since: page.since,
        revision: page.revision,
        encoding,
        body: Bytes::from(body),
        json_len: json.len(),
    })
}

type Slot = (u64, u64, Arc<OnceCell<Arc<EncodedPage>>>);

#[derive(Debug, Clone)]
pub struct FeedCache {
    /// (since, revision, the page once built), for the current revision only.
    slots: Arc<Mutex<Vec<Slot>>>,
    /// Turns for the builds of kept pages: few keys per revision, never queued behind the
    /// one-off builds of old deltas.
    popular_builds: Arc<Semaphore>,
    builds: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
}

impl Default for FeedCache {
    fn default() -> FeedCache {
        FeedCache {
            slots: Arc::default(),
            popular_builds: Arc::new(Semaphore::new(PARALLEL_BUILDS)),
            builds: Arc::new(Semaphore::new(PARALLEL_BUILDS)),
            waiting: Arc::default(),
        }
    }
}

/// Gives back a waiting place when the request ends, however it ends.
struct Waiting(Arc<AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl FeedCache {
    /// Which page answers a request for `since` at `revision`: the same, or the full page for
    /// a `since` too old to be worth a delta.
    pub fn answered_since(since: u64, revision: u64) -> u64 {
        if revision.saturating_sub(since) > FULL_PAGE_AFTER {
            0
        } else {
            since
        }
    }

    /// The page from `since` (as [`FeedCache::answered_since`] chose it) to `revision` in
    /// `encoding`; `build` reads it from the database (on the blocking pool).
    pub async fn get(
        &self,
        since: u64,
        revision: u64,
        encoding: Encoding,
        build: impl FnOnce(u64) -> anyhow::Result<fokus_model::FeedPage> + Send + 'static,
    ) -> Result<Answer, CacheError> {
        let since = FeedCache::answered_since(since, revision);
        let popular = since == 0 || since + RECENT_REVISIONS >= revision;
        if popular {
            let cell = self.slot(since, revision);
            let builds = Arc::clone(&self.popular_builds);
            let task = tokio::spawn(async move {
                let page = cell
                    .get_or_try_init(|| async move {
                        let _turn = builds.acquire_owned().await?;
                        let encoded = tokio::task::spawn_blocking(move || {
                            EncodedPage::encode(&build(since)?)
                        })
                        .await??;
                        Ok::<_, anyhow::Error>(Arc::new(encoded))
                    })
                    .await?;
                Ok::<_, anyhow::Error>(Arc::clone(page))
            });
            let page = task.await.map_err(anyhow::Error::from)??;
            return Ok(page.answer(encoding));
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= MAX_WAITING {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(CacheError::Busy);
        }
        let waiting = Waiting(Arc::clone(&self.waiting));
        let turn = self.builds.acquire().await.map_err(anyhow::Error::from)?;
        drop(waiting);
        let answer = tokio::task::spawn_blocking(move || encode_once(&build(since)?, encoding))
            .await
            .map_err(anyhow::Error::from)??;
        drop(turn);
        Ok(answer)
    }

    /// The slot of a popular key; slots of other revisions are dropped, and of this revision
    /// the full page and the newest deltas are kept.
    fn slot(&self, since: u64, revision: u64) -> Arc<OnceCell<Arc<EncodedPage>>> {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, _, cell)) = slots.iter().find(|(known_since, known_revision, _)| {
            *known_since == since && *known_revision == revision
        }) {
            return Arc::clone(cell);
        }
        slots.retain(|(_, known_revision, _)| *known_revision == revision);
        let cell = Arc::new(OnceCell::new());
        slots.push((since, revision, Arc::clone(&cell)));
        cell
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use super::{CacheError, Encoding, FeedCache, MAX_WAITING};

    fn page(since: u64, revision: u64) -> fokus_model::FeedPage {
        fokus_model::FeedPage {
            instance: "test".into(),
            since,
            revision,
            ..Default::default()
        }
    }

    /// A build that takes a while and counts itself, by `since`.
    fn slow_build(
        counts: Arc<std::sync::Mutex<std::collections::HashMap<u64, usize>>>,
        revision: u64,
    ) -> impl FnOnce(u64) -> anyhow::Result<fokus_model::FeedPage> + Send + 'static {
        move |since| {
            std::thread::sleep(Duration::from_millis(50));
            *counts.lock().unwrap().entry(since).or_default() += 1;
            Ok(page(since, revision))
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn old_deltas_in_rotation_neither_evict_nor_hold_up_the_full_page() {
        let cache = FeedCache::default();
        let counts = Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
        let revision = 100;
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        // Six clients cycling through old `since` values, as the attack does.
        let rotating: Vec<_> = (0..6u64)
            .map(|client| {
                let (cache, counts, stop) = (cache.clone(), Arc::clone(&counts), Arc::clone(&stop));
                tokio::spawn(async move {
                    let mut round = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        let since = 10 + (client + round) % 6;
                        let _ = cache
                            .get(
                                since,
                                revision,
                                Encoding::Zstd,
                                slow_build(Arc::clone(&counts), revision),
                            )
                            .await;
                        round += 1;
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(200)).await;
        for _ in 0..3 {
            let answer = cache
                .get(
                    0,
                    revision,
                    Encoding::Zstd,
                    slow_build(Arc::clone(&counts), revision),
                )
                .await
                .unwrap();
            assert_eq!((answer.since, answer.revision), (0, revision));
            assert_eq!(answer.encoding, Encoding::Zstd);
        }
        stop.store(true, Ordering::Relaxed);
        for task in rotating {
            task.await.unwrap();
        }
        let counts = counts.lock().unwrap();
        assert_eq!(
            counts.get(&0),
            Some(&1),
            "the full page was built once and kept: {counts:?}"
        );
        assert!(
            counts
                .iter()
                .filter(|(since, _)| **since >= 10)
                .map(|(_, n)| n)
                .sum::<usize>()
                >= 6,
            "the old deltas were answered meanwhile: {counts:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_build_per_key_however_many_ask_and_a_cap_on_waiting_old_deltas() {
        let cache = FeedCache::default();
        let builds = Arc::new(AtomicUsize::new(0));
        let asks: Vec<_> = (0..40)
            .map(|_| {
                let (cache, builds) = (cache.clone(), Arc::clone(&builds));
                tokio::spawn(async move {
                    cache
                        .get(95, 100, Encoding::Gzip, move |since| {
                            std::thread::sleep(Duration::from_millis(50));
                            builds.fetch_add(1, Ordering::Relaxed);
                            Ok(page(since, 100))
                        })
                        .await
                        .map(|answer| answer.since)
                })
            })
            .collect();
        for ask in asks {
            assert_eq!(ask.await.unwrap().unwrap(), 95);
        }
        assert_eq!(
            builds.load(Ordering::Relaxed),
            1,
            "a recent delta is built once for all"
        );

        let asks: Vec<_> = (0..(MAX_WAITING as u64 + 20))
            .map(|index| {
                let cache = cache.clone();
                tokio::spawn(async move {
                    cache
                        .get(20 + index % 50, 100, Encoding::Identity, move |since| {
                            std::thread::sleep(Duration::from_millis(50));
                            Ok(page(since, 100))
                        })
                        .await
                })
            })
            .collect();
        let mut busy = 0;
        for ask in asks {
            match ask.await.unwrap() {
                Ok(_) => {}
                Err(CacheError::Busy) => busy += 1,
                Err(error) => panic!("{error}"),
            }
        }
        assert!(
            busy > 0,
            "beyond {MAX_WAITING} waiting builds the server says it is busy"
        );

        let answer = cache
            .get(5, 300, Encoding::Identity, |since| Ok(page(since, 300)))
            .await
            .unwrap();
        assert_eq!(answer.since, 0, "a since from long ago gets the full page");
    }
}
