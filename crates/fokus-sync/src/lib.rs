//! The client side of the sync: ask the server's change feed for everything after the cache's
//! revision, check the answer, apply it in one transaction.
//!
//! [`plan`] holds the sync's decisions without IO and [`describe_news`] (what to tell the user)
//! is pure; both also run in the browser's store worker. With the `native` feature (default),
//! [`Syncer`] does the IO: reqwest, tokio, the cache as a file, the snapshot, media files
//! ([`Syncer::sync_media`], after the data).

pub mod plan;
pub use plan::{server_address, Local, SyncError, SyncOutcome, MAX_FEED_BYTES};
mod news;
pub use news::describe_news;

#[cfg(feature = "native")]
mod media;
#[cfg(feature = "native")]
mod native;
#[cfg(feature = "native")]
mod snapshot;

#[cfg(feature = "native")]
pub use media::{wanted_media, MediaOutcome, MediaPolicy};
#[cfg(feature = "native")]
pub(crate) use native::request_error;
#[cfg(feature = "native")]
pub use native::{ProgressSink, SyncGate, Syncer};
#[cfg(feature = "native")]
pub use snapshot::{restore_bundled, MAX_SNAPSHOT_BYTES};

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::server_address;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_second_sync_joins_the_running_one() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let gate = Arc::new(super::SyncGate::default());
        let started = Arc::new(AtomicUsize::new(0));
        let (release, wait) = tokio::sync::oneshot::channel::<()>();
        let first = {
            let (gate, started) = (Arc::clone(&gate), Arc::clone(&started));
            tokio::spawn(async move {
                gate.run(async {
                    started.fetch_add(1, Ordering::SeqCst);
                    let _ = wait.await;
                    "first"
                })
                .await
            })
        };
        while started.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let second = {
            let (gate, started) = (Arc::clone(&gate), Arc::clone(&started));
            tokio::spawn(async move {
                gate.run(async {
                    started.fetch_add(1, Ordering::SeqCst);
                    "second"
                })
                .await
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(
            !second.is_finished(),
            "the second waits for the running sync"
        );
        release.send(()).unwrap();
        assert_eq!(first.await.unwrap(), Some("first"));
        assert_eq!(
            second.await.unwrap(),
            None,
            "and joins it instead of starting another"
        );
        assert_eq!(started.load(Ordering::SeqCst), 1, "one sync ran");
        assert_eq!(
            gate.run(async { "later" }).await,
            Some("later"),
            "a later one runs"
        );
    }

    #[test]
    fn server_addresses_are_https_unless_on_this_machine() {
        let accepted = [
            (
                "https://fokus.kreis-pinneberg.de",
                "https://fokus.kreis-pinneberg.de",
            ),
            (
                "  https://fokus.kreis-pinneberg.de/ ",
                "https://fokus.kreis-pinneberg.de",
            ),
            (
                "https://intern.kreis.local:8443/fokus/",
                "https://intern.kreis.local:8443/fokus",
            ),
            ("http://127.0.0.1:8787", "http://127.0.0.1:8787"),
            ("http://localhost:8787/", "http://localhost:8787"),
            ("http://[::1]:8787", "http://[::1]:8787"),
        ];
        for (text, expected) in accepted {
            assert_eq!(server_address(text).as_deref(), Ok(expected), "{text}");
        }
        let refused = [
            (
                "http://fokus.kreis-pinneberg.de",
                "https://fokus.kreis-pinneberg.de",
            ),
            (
                "http://192.168.1.10:8787",
                "nur mit einem Server auf diesem Gerät",
            ),
            ("http://localhost.evil.example", "https://"),
            ("ftp://fokus.example", "https://"),
            ("file:///etc/passwd", "Name des Servers"),
            ("fokus.kreis-pinneberg.de", "keine Serveradresse"),
            ("", "angeben"),
            ("https://user:geheim@fokus.example", "Passwort"),
            ("https://fokus.example/?x=1", "„?“"),
        ];
        for (text, says) in refused {
            let problem = server_address(text).unwrap_err();
            assert!(problem.contains(says), "{text}: {problem}");
        }
    }
}
