//! Everything that leaves the app for another program: web and mail links to the system's
//! browser and mail program, documents to their viewer. The main window never navigates away
//! from the app's own pages (`keeps_window`); a link elsewhere is handed over here, and only
//! `https:` and `mailto:` links are.
//!
//! `FOKUS_OPENER_LOG` names a file that receives one line per request instead of opening
//! anything: how the app tests see what would have been opened.

use std::io::Write;
use std::path::Path;

use tauri::Url;

/// Whether `url` is one of the app's own pages (the bundled UI under its custom scheme, which
/// Windows and Android spell as `http://tauri.localhost`).
pub fn is_own_page(url: &Url) -> bool {
    matches!(
        (url.scheme(), url.host_str()),
        ("tauri", Some("localhost")) | ("http" | "https", Some("tauri.localhost"))
    )
}

/// What of a link leaves for another program: an `https:` link as it is; a `mailto:` link with
/// its recipients and only `subject` and `body` (a link in synced text must not make the mail
/// program attach a file, copy someone in or set other headers); nothing else.
pub fn outgoing(url: &Url) -> Option<Url> {
    match url.scheme() {
        "https" => Some(url.clone()),
        "mailto" => {
            let kept: Vec<&str> = url
                .query()
                .unwrap_or_default()
                .split('&')
                .filter(|pair| {
                    let name = pair.split_once('=').map_or(*pair, |(name, _)| name);
                    name.eq_ignore_ascii_case("subject") || name.eq_ignore_ascii_case("body")
                })
                .collect();
            let query = kept.join("&");
            let mut mail = url.clone();
            mail.set_fragment(None);
            mail.set_query(Some(query.as_str()).filter(|query| !query.is_empty()));
            Some(mail)
        }
        _ => None,
    }
}

/// The navigation guard of the main window: its own pages load, an `https:` or `mailto:` link
/// opens outside, everything else (another scheme, `http:`, a page a feed smuggled in) is
/// refused.
pub fn keeps_window<R: tauri::Runtime>(app: &tauri::AppHandle<R>, url: &Url) -> bool {
    if is_own_page(url) {
        return true;
    }
    open_url(app, url);
    false
}

/// Opens a web or mail link in the system's program; refuses any other scheme.
pub fn open_url<R: tauri::Runtime>(app: &tauri::AppHandle<R>, url: &Url) {
    use tauri_plugin_opener::OpenerExt;
    let Some(url) = outgoing(url) else {
        tracing::warn!(
            scheme = url.scheme(),
            "refused to open a link outside the app"
        );
        return;
    };
    if record("url", url.as_str()) {
        return;
    }
    if let Err(error) = app.opener().open_url(url.as_str(), None::<&str>) {
        tracing::warn!(%error, "could not open the link");
    }
}

/// Opens a local file with the system's program for its type.
pub fn open_path<R: tauri::Runtime>(app: &tauri::AppHandle<R>, path: &Path) -> Result<(), String> {
    use tauri_plugin_opener::OpenerExt;
    if record("path", &path.display().to_string()) {
        return Ok(());
    }
    app.opener()
        .open_path(path.to_string_lossy(), None::<&str>)
        .map_err(|error| error.to_string())
}

/// With `FOKUS_OPENER_LOG` set, writes `kind target` to it and says the request is handled.
fn record(kind: &str, target: &str) -> bool {
    let Some(log) = std::env::var_os("FOKUS_OPENER_LOG") else {
        return false;
    };
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .and_then(|mut file| writeln!(file, "{kind} {target}"));
    if let Err(error) = written {
        tracing::warn!(%error, "could not write the opener log");
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_apps_pages_stay_and_only_https_and_mail_leave() {
        let cases = [
            ("tauri://localhost/", true, false),
            ("tauri://localhost/gebiet?gebiet=1", true, false),
            ("http://tauri.localhost/dokumente", true, false),
            ("https://www.govdata.de/dl-de/by-2-0", false, true),
            ("mailto:sozialplanung@example.org", false, true),
            ("http://www.example.org/", false, false),
            ("tauri://evil.example/", false, false),
            ("fokusblob://localhost/abc", false, false),
            ("file:///etc/passwd", false, false),
            ("javascript:alert(1)", false, false),
            ("data:text/html,x", false, false),
            ("smb://server/share/x.exe", false, false),
        ];
        for (text, own, openable) in cases {
            let url = Url::parse(text).unwrap();
            assert_eq!(is_own_page(&url), own, "{text} own page");
            assert_eq!(outgoing(&url).is_some(), openable, "{text} openable");
        }
    }

    #[test]
    fn a_mail_link_keeps_its_recipients_subject_and_body_only() {
        let cases = [
            (
                "mailto:sozialplanung@example.org",
                "mailto:sozialplanung@example.org",
            ),
            (
                "mailto:a@example.org,b@example.org?subject=Frage%20zu%20FOKUS&body=Hallo",
                "mailto:a@example.org,b@example.org?subject=Frage%20zu%20FOKUS&body=Hallo",
            ),
            (
                "mailto:a@example.org?attach=/home/rat/.ssh/id_rsa&subject=Hallo",
                "mailto:a@example.org?subject=Hallo",
            ),
            (
                "mailto:a@example.org?bcc=fremd@example.com&CC=x@example.com&Body=Text&attachment=C:%5Cx",
                "mailto:a@example.org?Body=Text",
            ),
            (
                "mailto:a@example.org?from=chef@example.org&reply-to=x@example.com#frag",
                "mailto:a@example.org",
            ),
            (
                "https://www.kreis-pinneberg.de/?a=1&attach=x",
                "https://www.kreis-pinneberg.de/?a=1&attach=x",
            ),
        ];
        for (text, expected) in cases {
            let url = Url::parse(text).unwrap();
            assert_eq!(
                outgoing(&url).map(|url| url.to_string()).as_deref(),
                Some(expected),
                "{text}"
            );
        }
        assert_eq!(outgoing(&Url::parse("file:///etc/passwd").unwrap()), None);
    }
}
