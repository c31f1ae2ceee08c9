//! The sync's decisions without its transport: which feed to ask for, what an answer means, and
//! how a page goes into the cache. The native [`crate::Syncer`] (reqwest, tokio, files) and the
//! browser's store worker (`fetch`, OPFS) both run exactly these steps, so the two cannot decide
//! differently.

use std::time::Duration;

use fokus_model::news::News;
use fokus_model::{api, FeedPage, SyncState};
use fokus_store::{ApplySummary, Store, StoreError};

use crate::describe_news;

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
    /// The server sends data in a format this build cannot read: only an update of the app
    /// helps. The cache is untouched; retrying changes nothing until the app is updated.
    #[error("{0}")]
    UpdateNeeded(String),
    /// The device has not the room the data need; found out before anything was written.
    #[error("Nicht genug Speicherplatz: {0}")]
    NoSpace(String),
    /// The server is at capacity (503) and said when to come back (`Retry-After`, bounded by
    /// [`retry_after`]). The cache is untouched; not a failure of anyone's.
    #[error("Server ausgelastet; nächster Versuch in {secs} s", secs = .retry_after.as_secs())]
    Busy { retry_after: Duration },
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
        matches!(self, SyncError::NoSpace(_))
            || matches!(self, SyncError::Store(error) if error.is_disk_full())
    }

    /// The cache file itself is broken (corrupt, not SQLite, from a newer build).
    pub fn is_broken_cache(&self) -> bool {
        matches!(self, SyncError::Store(error) if error.is_unusable_file())
    }

    /// Only an update of the app makes this server's data readable.
    pub fn is_update_needed(&self) -> bool {
        matches!(self, SyncError::UpdateNeeded(_))
    }

    /// The server asked to be asked again after this long (it is at capacity); a loop that
    /// retries waits that long instead of its own interval.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SyncError::Busy { retry_after } => Some(*retry_after),
            _ => None,
        }
    }
}

/// A server at capacity is asked again after at least this long, whatever it says …
pub const MIN_RETRY_AFTER: Duration = Duration::from_secs(5);
/// … and at most this long: a broken or hostile `Retry-After` must not silence the app for days.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(15 * 60);
/// A 503 without a usable `Retry-After` (none, or an HTTP date) is asked again after this.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);

/// How long to wait after a 503 whose `Retry-After` header says `header`: its seconds, within
/// [`MIN_RETRY_AFTER`] and [`MAX_RETRY_AFTER`].
pub fn retry_after(header: Option<&str>) -> Duration {
    header
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map_or(DEFAULT_RETRY_AFTER, Duration::from_secs)
        .clamp(MIN_RETRY_AFTER, MAX_RETRY_AFTER)
}

/// A 503 is the server at capacity: come back after its `Retry-After`. Any other status passes.
pub fn check_busy(status: u16, retry_after_header: Option<&str>) -> Result<(), SyncError> {
    if status == 503 {
        return Err(SyncError::Busy {
            retry_after: retry_after(retry_after_header),
        });
    }
    Ok(())
}

/// Refuses a feed of a layout newer than this build's ([`fokus_model::FEED_FORMAT`]), from the
/// format the server announces (`x-fokus-feed-format`, before the body) or the page's own.
pub fn check_feed_format(format: Option<u64>) -> Result<(), SyncError> {
    match format {
        Some(format) if format > u64::from(fokus_model::FEED_FORMAT) => {
            Err(SyncError::UpdateNeeded(format!(
                "Der Server liefert seine Daten in einem neueren Format ({format}), als diese App-Version lesen kann ({}). Bitte FOKUS aktualisieren; bis dahin bleiben die bisherigen Daten erhalten.",
                fokus_model::FEED_FORMAT
            )))
        }
        _ => Ok(()),
    }
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
    let url = url::Url::parse(text).map_err(|_| {
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

/// What the cache holds before a sync: its revision, the server instance it mirrors and that
/// revision's fingerprint (so a restored server's revision of the same number is told apart).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Local {
    pub revision: u64,
    pub instance: String,
    pub fingerprint: String,
}

impl Local {
    pub fn of(store: &Store) -> Result<Local, StoreError> {
        let revision = store.revision()?;
        Ok(Local {
            revision,
            instance: store.instance()?,
            fingerprint: store.fingerprint_of(revision)?.unwrap_or_default(),
        })
    }
}

/// The request for the feed after `local`: its address (below the server's base address) and
/// the ETag a client that is already current predicts, so "nothing new" is one 304.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRequest {
    pub url: String,
    pub if_none_match: String,
}

pub fn feed_request(base_url: &str, local: &Local) -> FeedRequest {
    let since = local.revision;
    // A cache that kept an instance no header can carry (before instances were checked)
    // predicts an ETag that never matches, so the server's answer replaces it.
    let instance = if api::is_instance(&local.instance) {
        local.instance.as_str()
    } else {
        ""
    };
    let mut url = format!("{base_url}{}?since={since}", api::FEED);
    if since > 0 && !local.fingerprint.is_empty() {
        url.push_str(&format!("&fingerprint={}", local.fingerprint));
    }
    FeedRequest {
        url,
        if_none_match: api::feed_etag(instance, since, since),
    }
}

/// What the status of a feed answer says before its body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedStatus {
    /// 304: the cache is current.
    NotModified,
    /// The server has fewer revisions than the cache (rebuilt), or its revision of the cache's
    /// number is another one (restored from a backup): 409, and only that, makes the client
    /// replace its cache in full. A 400 is a refused request (a proxy's filter, say), never a
    /// reason to download everything again.
    ServerBehind,
    /// 2xx: read the page.
    Page,
}

/// A host that can read the `Retry-After` header calls [`check_busy`] first; without it a 503
/// waits [`DEFAULT_RETRY_AFTER`].
pub fn feed_status(status: u16) -> Result<FeedStatus, SyncError> {
    check_busy(status, None)?;
    match status {
        304 => Ok(FeedStatus::NotModified),
        409 => Ok(FeedStatus::ServerBehind),
        200..=299 => Ok(FeedStatus::Page),
        other => Err(SyncError::InvalidAnswer(format!("HTTP {other}"))),
    }
}

/// Refuses a feed whose announced length (`Content-Length`, or the uncompressed size the server
/// names in `x-fokus-feed-bytes`) is beyond [`MAX_FEED_BYTES`], before its body is read.
pub fn check_feed_size(announced: Option<u64>) -> Result<(), SyncError> {
    if announced.is_some_and(|length| length > MAX_FEED_BYTES as u64) {
        return Err(SyncError::InvalidAnswer("Antwort zu groß".into()));
    }
    Ok(())
}

/// The refusal of a server instance that is not [`api::is_instance`].
pub(crate) fn unusable_instance(instance: &str) -> SyncError {
    SyncError::InvalidAnswer(format!(
        "unbrauchbare Serverkennung „{}“ (erlaubt sind bis zu {} sichtbare ASCII-Zeichen ohne Anführungszeichen); die bisherigen Daten bleiben erhalten",
        fokus_model::text::echo(&instance.escape_debug().to_string()),
        api::MAX_INSTANCE_BYTES
    ))
}

/// Parses a feed answer to the request for `since` and checks that it answers that request.
pub fn parse_page(body: &[u8], since: u64) -> Result<FeedPage, SyncError> {
    if body.len() > MAX_FEED_BYTES {
        return Err(SyncError::InvalidAnswer("Antwort zu groß".into()));
    }
    let page: FeedPage = match serde_json::from_slice(body) {
        Ok(page) => page,
        Err(error) => {
            // A page of a newer format may not parse as this build's at all, and then the
            // person must hear "update the app", not "the server is broken": only then is the
            // body read a second time, for its format alone.
            #[derive(serde::Deserialize)]
            struct Layout {
                format: Option<u64>,
            }
            if let Ok(layout) = serde_json::from_slice::<Layout>(body) {
                check_feed_format(layout.format)?;
            }
            return Err(SyncError::InvalidAnswer(format!(
                "kein gültiger Feed: {error}"
            )));
        }
    };
    check_feed_format(Some(u64::from(page.format)))?;
    // The instance is kept and sent back in every later request: one no header can carry would
    // make them all fail.
    if !api::is_instance(&page.instance) {
        return Err(unusable_instance(&page.instance));
    }
    // A server may answer a `since` from long ago with its full page (`since` 0).
    if page.since != since && page.since != 0 {
        return Err(SyncError::InvalidAnswer(format!(
            "Feed ab Revision {} statt {since}",
            page.since
        )));
    }
    if page.revision < since {
        return Err(SyncError::InvalidAnswer(format!(
            "Revision ging zurück: {} < {since}",
            page.revision
        )));
    }
    Ok(page)
}

/// A page that arrived from an immutable address (after the server's redirect, perhaps out of
/// a caching proxy) must be the page that address names: its range, and the timeline of its
/// instance and the fingerprint of its last revision. A proxy still holding a page of a lost
/// timeline (a server restored from a backup) under that address is refused, not applied.
/// Any other address (the server's own `/api/v1/feed?since=`) needs no check. `address` is
/// the answer's URL.
pub fn check_page_address(address: &str, page: &FeedPage) -> Result<(), SyncError> {
    let path = url::Url::parse(address)
        .map(|url| url.path().to_owned())
        .unwrap_or_else(|_| address.to_owned());
    let Some((since, until, timeline)) = api::parse_feed_page_path(&path) else {
        return Ok(());
    };
    let fingerprint = page
        .revisions
        .iter()
        .find(|revision| revision.revision == until)
        .map(|revision| revision.fingerprint.as_str());
    let named = (page.since == since || page.since == 0)
        && page.revision == until
        && match fingerprint {
            Some(fingerprint) => api::timeline(&page.instance, fingerprint) == timeline,
            // Nothing after `since`: nothing to apply, nothing to mix up.
            None => since == until && page.is_empty(),
        };
    if !named {
        return Err(SyncError::InvalidAnswer(format!(
            "die Feed-Seite {path} enthält einen anderen Datenstand (Revision {} bis {} von „{}“); ein Zwischenspeicher vor dem Server hält veraltete Daten",
            page.since, page.revision, page.instance
        )));
    }
    Ok(())
}

/// What to do with the server's answer to the feed request for `local`.
#[derive(Debug)]
pub enum Next {
    /// Nothing new (304).
    Current,
    /// Apply the page on top of the cache.
    Apply(Box<FeedPage>),
    /// The server's full page of the same instance (it forgot the cache's revision): replace.
    Replace(Box<FeedPage>),
    /// Another instance, or a server behind the cache: fetch everything and replace.
    ResyncInFull,
}

pub fn next_step(local: &Local, answer: FeedAnswer) -> Next {
    match answer {
        FeedAnswer::NotModified => Next::Current,
        FeedAnswer::Page(page)
            if local.revision > 0 && page.since == 0 && page.instance == local.instance =>
        {
            Next::Replace(page)
        }
        FeedAnswer::Page(page) if local.revision == 0 || page.instance == local.instance => {
            Next::Apply(page)
        }
        FeedAnswer::Page(_) | FeedAnswer::ServerBehind => Next::ResyncInFull,
    }
}

/// The server's answer to a feed request, once read.
#[derive(Debug)]
pub enum FeedAnswer {
    NotModified,
    ServerBehind,
    /// Boxed: a page is large, the other answers are nothing.
    Page(Box<FeedPage>),
}

/// Records a sync that found the cache current.
pub fn mark_current(store: &Store, local: &Local, now: i64) -> Result<SyncOutcome, SyncError> {
    store.set_last_sync(now)?;
    Ok(SyncOutcome {
        revision_before: local.revision,
        revision: local.revision,
        applied: None,
        news: Vec::new(),
    })
}

/// Applies `page` on top of the cache at `local` in one transaction and says what arrived.
pub fn apply_page(
    store: &mut Store,
    page: &FeedPage,
    local: u64,
    now: i64,
) -> Result<SyncOutcome, SyncError> {
    let known = store.content_ids()?;
    let applied = if page.revision == local && page.is_empty() {
        None
    } else {
        Some(store.apply_feed(page)?)
    };
    store.set_last_sync(now)?;
    let news: Vec<News> = describe_news(page, &store.indicators()?, &known);
    Ok(SyncOutcome {
        revision_before: local,
        revision: applied.as_ref().map_or(local, |applied| applied.revision),
        applied,
        news,
    })
}

/// Replaces the cache with a full page in one transaction.
pub fn replace_with(
    store: &mut Store,
    page: &FeedPage,
    local: u64,
    now: i64,
) -> Result<SyncOutcome, SyncError> {
    let applied: ApplySummary = store.replace_all(page)?;
    store.set_last_sync(now)?;
    Ok(SyncOutcome {
        revision_before: local,
        revision: applied.revision,
        applied: Some(applied),
        news: Vec::new(),
    })
}

/// Records a finished sync in the state every host shows (the app's sync bar, the web app's):
/// the new revision and time, offline as a normal state, a full disk or another failure as the
/// problem, in German.
pub fn record(state: &mut SyncState, result: &Result<SyncOutcome, SyncError>, now: i64) {
    state.syncing = false;
    match result {
        Ok(outcome) => {
            state.revision = outcome.revision;
            state.last_success = Some(now);
            state.online = true;
            state.problem = None;
        }
        Err(error) if error.is_offline() => state.online = false,
        Err(error) if error.is_update_needed() => {
            state.online = true;
            state.problem = Some(error.to_string());
        }
        Err(error) if error.is_disk_full() => {
            state.online = true;
            state.problem = Some(
                "Der Speicher des Geräts ist voll. Die bisherigen Daten bleiben erhalten; die App versucht es später erneut."
                    .to_owned(),
            );
        }
        Err(SyncError::Busy { retry_after }) => {
            state.online = true;
            state.problem = Some(format!(
                "Der Server ist gerade ausgelastet. Die bisherigen Daten bleiben erhalten; die App versucht es in {} Sekunden erneut.",
                retry_after.as_secs()
            ));
        }
        Err(error) => {
            state.online = true;
            state.problem = Some(format!("Aktualisierung fehlgeschlagen: {error}"));
        }
    }
}
