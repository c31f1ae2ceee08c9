//! The accept loop: every connection is HTTP/1.1 with a header-read timeout (a client that
//! opens a socket and sends nothing, or a byte a minute, is closed), the number of open
//! connections is capped below the process's open-files limit (beyond it a connection is closed
//! at once instead of starving the others), and a shutdown stops accepting, asks open
//! connections to finish, and ends after a grace period even if apps still hold event streams.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// What one server process allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Open connections at most (idle keep-alive and event streams included).
    pub max_connections: usize,
    /// A request's headers must arrive within this; also how long an idle keep-alive
    /// connection stays open.
    pub header_timeout: Duration,
    /// How long a shutdown waits for open connections.
    pub grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 4096,
            header_timeout: Duration::from_secs(10),
            grace: Duration::from_secs(5),
        }
    }
}

/// File descriptors kept free for the database, media files and logs.
const RESERVED_FILES: u64 = 64;

/// Raises the soft open-files limit as far as the hard limit allows and returns the
/// connection cap that fits under it.
pub fn raise_open_files(wanted_connections: usize) -> usize {
    let wanted = wanted_connections as u64 + RESERVED_FILES;
    match rlimit::increase_nofile_limit(wanted) {
        Ok(limit) => {
            let fits = limit.saturating_sub(RESERVED_FILES).max(16) as usize;
            if fits < wanted_connections {
                tracing::warn!(
                    limit,
                    "the open-files limit allows only {fits} connections; raise it (ulimit -n, LimitNOFILE=) for more"
                );
            }
            fits.min(wanted_connections)
        }
        Err(error) => {
            tracing::warn!(%error, "could not read or raise the open-files limit");
            wanted_connections
        }
    }
}

/// Completes on Ctrl-C or, on Unix, on SIGTERM: how systemd (and `kill`, and a container
/// runtime) asks a service to stop. Either starts the same graceful shutdown.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
                return;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; only Ctrl-C ends the server gracefully");
            }
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Serves `router` on `listener` within `limits` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of file descriptors or a connection reset during accept: pause briefly
                // instead of spinning.
                tracing::warn!(%error, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            tracing::debug!("connection cap reached; closing a new connection");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.grace) => {
            tracing::info!("connections still open after the grace period; ending anyway");
        }
    }
}
