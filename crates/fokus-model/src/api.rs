//! Paths and error shape of the central HTTP API, shared by the server, the sync engine and the
//! UI's web backend so a path is spelled once.

use serde::{Deserialize, Serialize};

pub const STATUS: &str = "/api/v1/status";
/// `GET ?since=R`: a [`crate::FeedPage`] with everything after revision R.
pub const FEED: &str = "/api/v1/feed";
/// `GET /api/v1/feed/{since}/{until}/{timeline}`: the feed page from `since` to `until` of the
/// timeline [`timeline`] names, which never changes once `until` was current; cacheable for
/// everyone (a caching proxy in front serves all apps). The timeline in the address keeps a
/// server restored from a backup (same instance, revisions of the same numbers, other data) or
/// rebuilt from apart from the pages a cache still holds of the lost one.
pub const FEED_PAGE: &str = "/api/v1/feed/{since}/{until}/{timeline}";
/// The address of feed pages before they named their timeline: redirects to the current page.
pub const FEED_PAGE_UNNAMED: &str = "/api/v1/feed/{since}/{until}";

/// The name of a server's timeline at one revision in immutable addresses: 32 hex digits of the
/// SHA-256 of its instance and that revision's fingerprint (a hash chain over the revision log
/// with a random part, so a restored server's revision of the same number is another one).
pub fn timeline(instance: &str, fingerprint: &str) -> String {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    hasher.update(instance.as_bytes());
    hasher.update(b"\n");
    hasher.update(fingerprint.as_bytes());
    hasher
        .finalize()
        .iter()
        .take(16)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Whether `text` can be a [`timeline`] (32 lower-case hex digits).
pub fn is_timeline(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

/// The path of the immutable feed page from `since` to `until` of `timeline`.
pub fn feed_page_path(since: crate::Revision, until: crate::Revision, timeline: &str) -> String {
    format!("{FEED}/{since}/{until}/{timeline}")
}

/// `(since, until, timeline)` of an immutable feed page's path; `None` for any other path.
pub fn parse_feed_page_path(path: &str) -> Option<(crate::Revision, crate::Revision, &str)> {
    let mut parts = path.strip_prefix(FEED)?.strip_prefix('/')?.split('/');
    let since = parts.next()?.parse().ok()?;
    let until = parts.next()?.parse().ok()?;
    let timeline = parts.next().filter(|timeline| is_timeline(timeline))?;
    parts.next().is_none().then_some((since, until, timeline))
}
/// `GET`: a server-sent event `revision` with the new revision number after each import.
pub const EVENTS: &str = "/api/v1/events";
/// `GET /api/v1/read/{name}?ARGS`: one [`crate::ipc::Query`] (the UI as a plain web page reads
/// through these), its arguments as the query string.
pub const READ: &str = "/api/v1/read";

/// The path of the query `name`.
pub fn read_path(name: &str) -> String {
    format!("{READ}/{name}")
}
/// Response header of [`FEED`]: the length of the JSON body before compression, so a client
/// can show how far a long first sync has come.
pub const FEED_BYTES_HEADER: &str = "x-fokus-feed-bytes";
/// Response header of [`FEED`] and its pages: the page's [`crate::FEED_FORMAT`], so a client
/// that cannot read it says so before downloading it.
pub const FEED_FORMAT_HEADER: &str = "x-fokus-feed-format";
/// `GET`: the current revision as a SQLite database, zstd-compressed (`application/zstd`), as an
/// empty cache holds it after a full sync; an empty cache's first sync copies it in. Range
/// requests supported. The headers below say what it holds; 404 where a server has none.
pub const SNAPSHOT: &str = "/api/v1/snapshot";
/// `GET /api/v1/snapshot/{revision}/{timeline}`: the snapshot of that revision of that
/// [`timeline`] as an immutable resource (cacheable for everyone); a superseded revision
/// redirects to the current one. A server with `--feed-redirect` sends [`SNAPSHOT`] requests
/// here, so a caching proxy serves every app.
pub const SNAPSHOT_AT: &str = "/api/v1/snapshot/{revision}/{timeline}";
/// The address of snapshots before they named their timeline: redirects to the current one.
pub const SNAPSHOT_AT_UNNAMED: &str = "/api/v1/snapshot/{revision}";

/// The path of the snapshot of `revision` of `timeline`.
pub fn snapshot_path(revision: crate::Revision, timeline: &str) -> String {
    format!("{SNAPSHOT}/{revision}/{timeline}")
}

/// `(revision, timeline)` of an immutable snapshot's path; `None` for any other path.
pub fn parse_snapshot_path(path: &str) -> Option<(crate::Revision, &str)> {
    let mut parts = path.strip_prefix(SNAPSHOT)?.strip_prefix('/')?.split('/');
    let revision = parts.next()?.parse().ok()?;
    let timeline = parts.next().filter(|timeline| is_timeline(timeline))?;
    parts.next().is_none().then_some((revision, timeline))
}
/// Response headers of [`SNAPSHOT`]: the revision and instance it holds, the SHA-256 (hex) of the
/// body as sent (the whole compressed file) and the size of the database after decompression.
pub const SNAPSHOT_REVISION_HEADER: &str = "x-fokus-revision";
pub const SNAPSHOT_INSTANCE_HEADER: &str = "x-fokus-instance";
pub const SNAPSHOT_SHA256_HEADER: &str = "x-fokus-sha256";
pub const SNAPSHOT_BYTES_HEADER: &str = "x-fokus-snapshot-bytes";
/// Response header of [`SNAPSHOT`]: the fingerprint of the revision it holds, so a client checks
/// the file against the timeline its address names.
pub const SNAPSHOT_FINGERPRINT_HEADER: &str = "x-fokus-fingerprint";
/// Response header of [`SNAPSHOT`]: the snapshot's format, which is the database's schema
/// version. A client of another schema version takes the feed instead of downloading it.
pub const SNAPSHOT_SCHEMA_HEADER: &str = "x-fokus-schema";
/// `GET /api/v1/blobs/{sha256}`: a media file by content hash; Range requests supported.
pub const BLOBS: &str = "/api/v1/blobs";
/// The OpenAPI 3.1 description of this API.
pub const OPENAPI: &str = "/api/v1/openapi.json";
/// `POST ?dry_run=true&name=FILE`, body = the BI export, `Authorization: Bearer TOKEN`: import
/// as one revision. 200 with an [`ImportReport`], 422 with an [`ImportRejected`], 401 without
/// a valid token.
pub const ADMIN_IMPORT: &str = "/api/v1/admin/import";

/// Machine-readable error classes. Clients branch on these, never on the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotFound,
    BadRequest,
    Offline,
    InvalidAnswer,
    Internal,
    /// No or a wrong bearer token.
    Unauthorized,
    /// The server has no admin token configured, so the admin API is off.
    NotConfigured,
    /// An import file was refused; see [`ImportRejected::problems`].
    InvalidImport,
    /// The server is at a limit (event streams, feed builds); try again later.
    Unavailable,
    /// The client's revision is not the server's revision of that number (the server was
    /// restored from a backup): the client replaces its data in full.
    OtherTimeline,
    /// Signed in, but not allowed to do this (role, office, CSRF token, a locked account).
    Forbidden,
    /// Someone else changed it first; nothing was written.
    Conflict,
    /// Too many failed sign-ins; try again after `Retry-After`.
    TooManyAttempts,
}

/// The error body of every HTTP and IPC error: `{ code, message }`. `message` is German and
/// meant for people; internal details are logged, not sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

/// Arguments of the `changes_since` query.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ChangesQuery {
    /// Changes after this revision; 0 for everything.
    pub since: crate::Revision,
}

/// Arguments of the `subject_digests` query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DigestQuery {
    /// Subjects by their key (`kennzahl:ID`, `gebiet:ID`, `inhalt:ID`), separated by `,`; at
    /// most [`MAX_DIGESTS`].
    #[cfg_attr(
        feature = "schema",
        schemars(
            pattern(r"^(kennzahl|gebiet|inhalt):[^,:]{1,200}(,(kennzahl|gebiet|inhalt):[^,:]{1,200}){0,199}$")
        )
    )]
    pub subjects: String,
}

/// Arguments of the `search` query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SearchQuery {
    /// What to look for: words, folded and matched as prefixes of their stems; at most 400
    /// characters ([`crate::search::MAX_INPUT_CHARS`]), of which the first 200 are read.
    #[cfg_attr(feature = "schema", schemars(length(max = 400)))]
    pub q: String,
}

/// Subjects one `subject_digests` query may ask for.
pub const MAX_DIGESTS: usize = 200;

/// Arguments of the `map_values` query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MapQuery {
    pub indicator: String,
    pub year: u16,
}

/// Arguments of the `area_series` query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SeriesQuery {
    pub indicator: String,
    pub area: String,
}

/// Arguments of the `indicator_table` query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TableQuery {
    pub indicator: String,
    /// The deployment's map areas (default) or every Gemeinde.
    #[serde(default)]
    pub level: crate::view::Level,
}

/// Arguments of the `area_profile` query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProfileQuery {
    pub area: String,
    /// The year; the latest with data when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
}

/// The ETag of a feed answer. It names the server instance and the range, so a client predicts
/// it from what it holds: equal means "nothing new for you", and a rebuilt server never matches.
pub fn feed_etag(instance: &str, since: crate::Revision, revision: crate::Revision) -> String {
    format!("\"feed-{instance}-{since}-{revision}\"")
}

/// The URL path of a blob.
pub fn blob_path(sha256: &str) -> String {
    format!("{BLOBS}/{sha256}")
}

/// Arguments of the `content_list` query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContentQuery {
    pub kind: Option<crate::content::ContentKind>,
}

/// Arguments of the `content_item` query (ids contain slashes, hence not a path).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContentItemQuery {
    pub id: String,
}

/// Arguments of the `population_pyramid` query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PopulationQuery {
    pub area: String,
    /// The year; the latest the area has data for when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
}

/// Arguments of the `age_structure` query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AgeStructureQuery {
    pub area: String,
}

/// Query of [`FEED`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FeedQuery {
    pub since: crate::Revision,
    /// The fingerprint of revision `since` as the client has it; a server whose revision
    /// `since` has another answers 409 (`other_timeline`) and the client resyncs in full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

/// The longest server instance a client accepts, in bytes ([`is_instance`]).
pub const MAX_INSTANCE_BYTES: usize = 128;

/// Whether `instance` is one a client may keep: it goes back to the server in every request's
/// `If-None-Match` (inside the quoted [`feed_etag`]), so it must be a header value everywhere,
/// the browser's `fetch` included: at most [`MAX_INSTANCE_BYTES`] of visible ASCII without `"`
/// (an ETag's characters). Servers make a UUID; a database without an identity (made by a test,
/// never by `init`) sends an empty one.
pub fn is_instance(instance: &str) -> bool {
    instance.len() <= MAX_INSTANCE_BYTES
        && instance
            .bytes()
            .all(|byte| byte.is_ascii_graphic() && byte != b'"')
}

/// The longest `name` of an import, in characters ([`ImportQuery`]).
pub const MAX_IMPORT_NAME_CHARS: usize = 200;

/// Query of [`ADMIN_IMPORT`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImportQuery {
    #[serde(default)]
    pub dry_run: bool,
    /// The file name, for the revision log ("Import bi-2026.csv"): at most
    /// [`MAX_IMPORT_NAME_CHARS`] characters, none of them invisible
    /// ([`crate::content::is_invisible`]).
    pub name: Option<String>,
}

/// What an accepted import did (or, with `dry_run`, would do).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImportReport {
    pub dry_run: bool,
    /// The new revision; `None` for a dry run or when nothing changed.
    pub revision: Option<crate::Revision>,
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    /// Values stored as "suppressed" because they rest on too few cases.
    pub suppressed: u64,
}

/// One problem of a refused import file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImportProblem {
    /// 1-based line; 0 for the file as a whole or a JSON entry.
    pub line: u64,
    /// 1-based entry of a JSON list.
    #[serde(default)]
    pub entry: Option<u64>,
    pub column: Option<String>,
    pub value: Option<String>,
    /// German, for the person who made the file.
    pub reason: String,
}

/// The answer to a refused import: nothing was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImportRejected {
    pub code: ErrorCode,
    pub message: String,
    pub problems: Vec<ImportProblem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instance_is_short_visible_ascii_that_fits_an_etag() {
        for (instance, expected, why) in [
            (
                "6f1c0e9a-3b5d-4f0e-9d5e-2a7b1c3d4e5f",
                true,
                "a server's UUID",
            ),
            ("kreis-test", true, "a test server's name"),
            ("", true, "a database without an identity"),
            (&"k".repeat(MAX_INSTANCE_BYTES), true, "the longest"),
            (
                &"k".repeat(MAX_INSTANCE_BYTES + 1),
                false,
                "one byte longer",
            ),
            ("kreis\u{7}test", false, "a control character"),
            ("kreis\ttest", false, "a tab"),
            ("kreis test", false, "a space"),
            ("kreis\"test", false, "a quote would end the ETag"),
            (
                "kreis-prüfung",
                false,
                "beyond ASCII: no header value in a browser",
            ),
            ("kreis\u{202E}tset", false, "a right-to-left override"),
        ] {
            assert_eq!(is_instance(instance), expected, "{why}");
        }
    }

    #[test]
    fn immutable_addresses_name_their_timeline_and_read_back() {
        let one = timeline("kreis", "ab");
        assert!(is_timeline(&one));
        assert_ne!(one, timeline("kreis", "ac"), "another fingerprint");
        assert_ne!(
            one,
            timeline("kreisa", "b"),
            "the parts do not run together"
        );
        assert_eq!(
            parse_feed_page_path(&feed_page_path(3, 7, &one)),
            Some((3, 7, one.as_str()))
        );
        assert_eq!(
            parse_snapshot_path(&snapshot_path(7, &one)),
            Some((7, one.as_str()))
        );
        for path in [
            "/api/v1/feed/3/7".to_owned(),
            format!("/api/v1/feed/3/7/{one}/x"),
            format!("/api/v1/feed/3/x/{one}"),
            format!("/api/v1/feed/3/7/{}", one.to_uppercase()),
            "/api/v1/feed?since=3".to_owned(),
        ] {
            assert_eq!(parse_feed_page_path(&path), None, "{path}");
        }
        assert_eq!(parse_snapshot_path("/api/v1/snapshot/7"), None);
        assert_eq!(parse_snapshot_path("/api/v1/snapshot"), None);
    }
}
