//! One app per cache: a second start (the desktop opening a `fokus://` link while the app runs)
//! hands its link to the running app over a Unix socket beside the cache and ends. The running
//! app shows the link's view. Two apps on one cache would sync and notify twice.
//!
//! (tauri-plugin-single-instance does this over D-Bus on Linux; with it, the app test saw the
//! running app miss router navigations now and then, so the hand-over is this small socket.)

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;

use tauri::AppHandle;

const SOCKET: &str = "fokus-app.sock";

/// What a second start says: its link, or an empty line for "just come to the front".
fn message(link: Option<&str>) -> String {
    format!("{}\n", link.unwrap_or_default())
}

/// Hands `link` to the app already running on `cache_dir`; `true` if there is one (this process
/// should then end).
pub fn hand_over(cache_dir: &Path, link: Option<&str>) -> bool {
    let Ok(mut stream) = UnixStream::connect(cache_dir.join(SOCKET)) else {
        return false;
    };
    stream.write_all(message(link).as_bytes()).is_ok()
}

/// Listens for later starts and shows what they hand over.
pub fn listen(cache_dir: &Path, app: AppHandle) -> std::io::Result<()> {
    let path = cache_dir.join(SOCKET);
    // Nobody answered on it (see `hand_over`): what is there is left from a crash.
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path)?;
    std::thread::Builder::new()
        .name("fokus-instance".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut line = String::new();
                // A link is short; a peer that sends more is cut off at 4 KiB.
                let mut reader = BufReader::new(std::io::Read::take(stream, 4096));
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                match line.trim() {
                    "" => crate::background::raise(&app),
                    link => crate::background::open_link(&app, link),
                }
            }
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_start_finds_the_first_and_hands_over_its_link() {
        let dir = std::env::temp_dir().join(format!("fokus-instance-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(
            !hand_over(&dir, Some("fokus://gebiet?gebiet=1")),
            "nobody runs yet"
        );
        let listener = UnixListener::bind(dir.join(SOCKET)).unwrap();
        let reader = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut line = String::new();
            BufReader::new(stream).read_line(&mut line).unwrap();
            line
        });
        assert!(
            hand_over(&dir, Some("fokus://gebiet?gebiet=1")),
            "the first answers"
        );
        assert_eq!(
            reader.join().unwrap(),
            "fokus://gebiet?gebiet=1\n",
            "one line: the link"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
