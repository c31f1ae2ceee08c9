//! The `fokusblob` URI scheme: media files from the cache's blob folder for the web view
//! (`<video>`, `<track>`), with single-range requests so video can seek. Only hashes the cache
//! recorded as complete are served, and only as one of the allowed media types
//! (`fokus_model::content::MEDIA_TYPES`): never as a page (`text/html`, SVG) that the web view
//! would run with the app's rights. Every answer says `nosniff` and carries a sandboxing CSP.

use fokus_model::content::{is_sha256_hex, media_type};
use tauri::http::{header, Request, Response, StatusCode};

use crate::Shell;

pub const SCHEME: &str = "fokusblob";

/// The URL of a blob as the web view must spell a custom scheme on this platform.
pub fn url_of(sha256: &str) -> String {
    if cfg!(any(windows, target_os = "android")) {
        format!("http://{SCHEME}.localhost/{sha256}")
    } else {
        format!("{SCHEME}://localhost/{sha256}")
    }
}

/// What every answer of the scheme says: do not guess the type, and should anything ever be
/// shown as a document, run nothing and load nothing.
fn guarded() -> tauri::http::response::Builder {
    Response::builder()
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'",
        )
}

fn plain(status: StatusCode, text: &str) -> Response<Vec<u8>> {
    guarded()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .body(text.as_bytes().to_vec())
        .expect("static response parts are valid")
}

/// `bytes=START-` or `bytes=START-END` within `len`; other forms are answered in full.
fn parse_range(value: &str, len: u64) -> Option<(u64, u64)> {
    let (start, end) = value.strip_prefix("bytes=")?.split_once('-')?;
    let start: u64 = start.trim().parse().ok()?;
    let end: u64 = match end.trim() {
        "" => len.checked_sub(1)?,
        text => text.parse::<u64>().ok()?.min(len.checked_sub(1)?),
    };
    (start <= end).then_some((start, end))
}

pub fn respond(shell: &Shell, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let sha256 = request.uri().path().trim_start_matches('/');
    if !is_sha256_hex(sha256) {
        return plain(StatusCode::NOT_FOUND, "keine solche Datei");
    }
    let mime = match shell.read_store(|store| store.blob_mime(sha256)) {
        Ok(Some(mime)) => mime,
        _ => return plain(StatusCode::NOT_FOUND, "Datei ist noch nicht geladen"),
    };
    let Some(kind) = media_type(&mime) else {
        tracing::warn!(%mime, "refused to serve a blob of a type that is not allowed");
        return plain(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Dateiart nicht erlaubt");
    };
    let Some(path) = shell.syncer().blob_file(sha256) else {
        return plain(StatusCode::NOT_FOUND, "Datei ist noch nicht geladen");
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::warn!(%error, path = %path.display(), "blob unreadable");
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "Datei nicht lesbar");
        }
    };
    let len = bytes.len() as u64;
    let range = request
        .headers()
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| parse_range(value, len));
    // The page (tauri://localhost) reads these with fetch(): another origin, so say it may.
    let builder = guarded()
        .header(header::CONTENT_TYPE, kind.mime)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    match range {
        Some((start, end)) => builder
            .status(StatusCode::PARTIAL_CONTENT)
            .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"))
            .body(bytes[start as usize..=end as usize].to_vec()),
        None => builder.status(StatusCode::OK).body(bytes),
    }
    .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "Antwort nicht erzeugbar"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ranges() {
        let cases = [
            ("bytes=0-", 10, Some((0, 9)), "open end: to the last byte"),
            ("bytes=2-5", 10, Some((2, 5)), "closed range"),
            ("bytes=2-50", 10, Some((2, 9)), "end clipped to the file"),
            ("bytes=8-2", 10, None, "backwards: whole file instead"),
            ("bytes=-5", 10, None, "suffix ranges are answered in full"),
            ("items=0-1", 10, None, "other units are answered in full"),
            ("bytes=0-", 0, None, "an empty file has no range"),
        ];
        for (value, len, expected, why) in cases {
            assert_eq!(super::parse_range(value, len), expected, "{why}");
        }
    }
}
