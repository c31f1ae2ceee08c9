//! The client side of the sync: ask the server's change feed for everything after the cache's
//! revision, check the answer, apply it in one transaction.
//!
//! [`describe_news`] (what to tell the user) is pure; [`Syncer`] does the IO.

use std::path::{Path, PathBuf};
use std::time::Duration;

use fokus_model::{api, FeedPage, Indicator};
use fokus_store::{ApplySummary, Store, StoreError};
use futures_util::StreamExt;

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
    Store(#[from] StoreError),
}

impl SyncError {
    pub fn is_offline(&self) -> bool {
        matches!(self, SyncError::Offline(_))
    }
}

/// Why a fetch gave no page.
enum Fetch {
    /// The server has fewer revisions than the cache: it was rebuilt.
    ServerBehind,
    Failed(SyncError),
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    pub revision_before: u64,
    pub revision: u64,
    pub applied: Option<ApplySummary>,
    /// German one-liner for a notification, when something new arrived after the first sync.
    pub news: Option<String>,
}

/// German text for what a feed page brought, e.g. "Neue Daten im Sozialbericht: 3 Kennzahlen
/// für 2026". `None` for the first sync (everything is new, nothing is news) and for empty pages.
pub fn describe_news(page: &FeedPage, indicators: &[Indicator]) -> Option<String> {
    if page.since == 0 || page.is_empty() {
        return None;
    }
    let mut years: Vec<u16> = page
        .observations
        .iter()
        .map(|observation| observation.key.year)
        .collect();
    years.sort_unstable();
    years.dedup();
    let mut indicator_ids: Vec<&str> = page
        .observations
        .iter()
        .map(|observation| observation.key.indicator.as_str())
        .collect();
    indicator_ids.sort_unstable();
    indicator_ids.dedup();
    let what = match indicator_ids.as_slice() {
        [] if !page.deleted_observations.is_empty() => {
            return Some("Daten im Sozialbericht wurden korrigiert".into())
        }
        [] => return Some("Sozialbericht aktualisiert".into()),
        [only] => indicators
            .iter()
            .find(|indicator| indicator.id == *only)
            .map_or_else(
                || format!("Kennzahl {only}"),
                |indicator| indicator.name.clone(),
            ),
        many => format!("{} Kennzahlen", many.len()),
    };
    let when = match years.as_slice() {
        [] => String::new(),
        [year] => format!(" für {year}"),
        [first, .., last] => format!(" für {first}–{last}"),
    };
    Some(format!("Neue Daten im Sozialbericht: {what}{when}"))
}

/// One server, one cache file.
#[derive(Debug, Clone)]
pub struct Syncer {
    http: reqwest::Client,
    base_url: String,
    cache_path: PathBuf,
}

impl Syncer {
    pub fn new(base_url: &str, cache_path: &Path) -> Syncer {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(120))
            .build()
            .expect("a TLS backend is compiled in");
        Syncer {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            cache_path: cache_path.to_owned(),
        }
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
    async fn fetch(&self, instance: &str, since: u64) -> Result<Option<FeedPage>, Fetch> {
        let url = format!("{}{}?since={since}", self.base_url, api::FEED);
        let response = self
            .http
            .get(&url)
            .header(
                reqwest::header::IF_NONE_MATCH,
                api::feed_etag(instance, since, since),
            )
            .send()
            .await
            .map_err(|error| Fetch::Failed(SyncError::Offline(error.to_string())))?;
        match response.status() {
            reqwest::StatusCode::NOT_MODIFIED => return Ok(None),
            reqwest::StatusCode::BAD_REQUEST => return Err(Fetch::ServerBehind),
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
        let mut body = Vec::new();
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
        }
        let page: FeedPage = serde_json::from_slice(&body).map_err(|error| {
            Fetch::Failed(SyncError::InvalidAnswer(format!(
                "kein gültiger Feed: {error}"
            )))
        })?;
        if page.since != since {
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
        let (local, instance) = self
            .blocking(|store| Ok((store.revision()?, store.instance()?)))
            .await?;
        let page = match self.fetch(&instance, local).await {
            Ok(None) => {
                self.blocking(move |store| store.set_last_sync(now)).await?;
                return Ok(SyncOutcome {
                    revision_before: local,
                    revision: local,
                    applied: None,
                    news: None,
                });
            }
            Ok(Some(page)) if local == 0 || page.instance == instance => page,
            Ok(Some(_)) | Err(Fetch::ServerBehind) => return self.resync_in_full(local, now).await,
            Err(Fetch::Failed(error)) => return Err(error),
        };
        let (applied, news) = self
            .blocking(move |store| {
                let applied = if page.revision == local && page.is_empty() {
                    None
                } else {
                    Some(store.apply_feed(&page)?)
                };
                store.set_last_sync(now)?;
                let news = describe_news(&page, &store.catalog()?.indicators);
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
        let page = match self.fetch("", 0).await {
            Ok(Some(page)) => page,
            Ok(None) | Err(Fetch::ServerBehind) => {
                return Err(SyncError::InvalidAnswer(
                    "Server liefert keinen vollständigen Datenstand".into(),
                ))
            }
            Err(Fetch::Failed(error)) => return Err(error),
        };
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
            news: None,
        })
    }

    /// Listens to the server's revision events and calls `on_revision` for each. Returns when the
    /// connection ends; the caller reconnects with back-off.
    pub async fn watch_revisions(&self, mut on_revision: impl FnMut(u64)) -> Result<(), SyncError> {
        let url = format!("{}{}", self.base_url, api::EVENTS);
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|error| SyncError::Offline(error.to_string()))?;
        let response = client
            .get(&url)
            .send()
            .await
            .map_err(|error| SyncError::Offline(error.to_string()))?;
        if !response.status().is_success() {
            return Err(SyncError::InvalidAnswer(format!(
                "HTTP {}",
                response.status()
            )));
        }
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
    use fokus_model::{Cell, Observation, Polarity};

    use super::*;

    fn page(since: u64, rows: &[(&str, u16)]) -> FeedPage {
        FeedPage {
            since,
            revision: since + 1,
            observations: rows
                .iter()
                .map(|(indicator, year)| {
                    Observation::new(indicator, "01056", *year, Cell::Value(1.0))
                })
                .collect(),
            ..FeedPage::default()
        }
    }

    #[test]
    fn news_texts() {
        let indicators = vec![Indicator {
            id: "sgb2_quote".into(),
            name: "SGB-II-Quote".into(),
            short_name: "SGB II".into(),
            unit: "%".into(),
            decimals: 1,
            polarity: Polarity::HigherIsWorse,
            handlungsfeld: "Arbeit".into(),
            definition: String::new(),
            numerator: String::new(),
            denominator: String::new(),
            source: String::new(),
        }];
        let cases: &[(FeedPage, Option<&str>, &str)] = &[
            (
                page(0, &[("sgb2_quote", 2025)]),
                None,
                "the first sync is no news",
            ),
            (page(3, &[]), None, "an empty page is no news"),
            (
                page(3, &[("sgb2_quote", 2026), ("sgb2_quote", 2026)]),
                Some("Neue Daten im Sozialbericht: SGB-II-Quote für 2026"),
                "one indicator by name",
            ),
            (
                page(3, &[("a", 2026), ("b", 2026), ("c", 2026)]),
                Some("Neue Daten im Sozialbericht: 3 Kennzahlen für 2026"),
                "several counted",
            ),
            (
                page(3, &[("a", 2024), ("b", 2026)]),
                Some("Neue Daten im Sozialbericht: 2 Kennzahlen für 2024–2026"),
                "a year range",
            ),
        ];
        for (input, expected, why) in cases {
            assert_eq!(
                describe_news(input, &indicators).as_deref(),
                *expected,
                "{why}"
            );
        }
    }
}
