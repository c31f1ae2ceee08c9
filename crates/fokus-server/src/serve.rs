//! The accept loop: every connection is HTTP/1.1, the number of open connections is capped
//! below the process's open-files limit (beyond it a connection is closed at once instead of
//! starving the others), and a shutdown stops accepting, asks open connections to finish, and
//! ends after a grace period even if apps still hold event streams.
//!
//! Each connection has a watchdog of its own instead of hyper's header-read timeout (issue 25,
//! item 8). hyper's timeout is also its keep-alive idle timeout: it starts once an answer is
//! handed to the socket, and the socket buffers may still hold much of it. A client slow to
//! consume what it was sent (Node's `fetch` unpacking 500 gzip pages at once, a busy tablet)
//! then saw the connection close under it; Node fails an answer it has completely received
//! when that happens ("other side closed"). And hyper has no limit at all for a client that
//! stops reading: its connection stays open for good. The watchdog knows these states:
//! - waiting for the first request: its headers must arrive within [`Limits::header_timeout`]
//!   of the connection's opening, however slowly they trickle in;
//! - idle after an answer: the next request may wait [`Limits::idle_timeout`], long enough for
//!   a client to finish reading what the socket buffers still held for it (Node's `fetch` fails
//!   a whole answer it already has if the connection closes before it has read it); once its
//!   first byte arrives, its headers must be complete within [`Limits::header_timeout`];
//! - sending (the socket took none of the last write: the client is not reading): the
//!   client must take some bytes within [`Limits::send_timeout`]; one that keeps reading,
//!   however slowly, is never cut off, one that stopped is;
//! - answering (a handler is working or its body is still streaming, as an event stream's
//!   does): no deadline of its own; the handlers bound their own waits.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use axum::Router;
use hyper::body::{Frame, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore};
use tokio::time::Instant;

/// What one server process allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Open connections at most (idle keep-alive and event streams included).
    pub max_connections: usize,
    /// A request's headers must be complete within this of the connection's opening (the
    /// first request) or of their first byte (later ones).
    pub header_timeout: Duration,
    /// How long a keep-alive connection waits for its next request after an answer has left.
    /// Longer than nginx's keep-alive to its upstreams (60 s), so the proxy, not this server,
    /// ends an idle connection between them and never sends a request into one being closed.
    pub idle_timeout: Duration,
    /// While an answer waits for the client to take it, the client must take some of it
    /// within this (nginx's `send_timeout` has the same meaning and default).
    pub send_timeout: Duration,
    /// How long a shutdown waits for open connections.
    pub grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 4096,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(75),
            send_timeout: Duration::from_secs(60),
            grace: Duration::from_secs(5),
        }
    }
}

/// What hyper buffers for one connection before it asks the answer's body for more. Small, so
/// that a body is "finished" only when little of it is left to send: the slots for large
/// answers (`capacity.rs`) are held that long.
pub const WRITE_BUFFER_BYTES: usize = 64 * 1024;

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

/// What a connection is doing, as its watchdog judges it.
#[derive(Debug)]
struct Phase {
    /// Requests whose answer is still being made or streamed (their body has not ended).
    answering: usize,
    /// The socket took none of the last write: the client is not reading just now.
    write_blocked: bool,
    /// Answers this connection has finished.
    answered: u64,
    /// The next request's first bytes have arrived.
    head_started: bool,
    /// When the current wait began: the connection opened, the last answer ended, the socket
    /// last took bytes, a write first found it full, or the next request began to arrive.
    since: Instant,
}

/// One connection's activity, shared by its socket, its answers and its watchdog.
#[derive(Debug)]
struct Activity {
    phase: Mutex<Phase>,
    /// Wakes the watchdog when a deadline may have started.
    changed: Notify,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            phase: Mutex::new(Phase {
                answering: 0,
                write_blocked: false,
                answered: 0,
                head_started: false,
                since: Instant::now(),
            }),
            changed: Notify::new(),
        }
    }

    fn phase(&self) -> std::sync::MutexGuard<'_, Phase> {
        self.phase
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// When the connection is to be closed if nothing changes; `None` while answering.
    fn deadline(&self, limits: &Limits) -> Option<Instant> {
        let phase = self.phase();
        if phase.write_blocked {
            Some(phase.since + limits.send_timeout)
        } else if phase.answering > 0 {
            None
        } else if phase.answered == 0 || phase.head_started {
            Some(phase.since + limits.header_timeout)
        } else {
            Some(phase.since + limits.idle_timeout)
        }
    }

    /// Records bytes read from the socket: between requests, the next one has begun.
    fn read(&self, filled: usize) {
        if filled == 0 {
            return;
        }
        let mut phase = self.phase();
        if phase.answering == 0 && phase.answered > 0 && !phase.head_started {
            phase.head_started = true;
            phase.since = Instant::now();
            drop(phase);
            self.changed.notify_one();
        }
    }

    /// Records the outcome of one write to the socket.
    fn wrote(&self, outcome: &Poll<io::Result<usize>>) {
        match outcome {
            Poll::Pending => {
                let mut phase = self.phase();
                if !phase.write_blocked {
                    phase.write_blocked = true;
                    phase.since = Instant::now();
                    drop(phase);
                    self.changed.notify_one();
                }
            }
            Poll::Ready(Ok(written)) if *written > 0 => {
                let mut phase = self.phase();
                phase.write_blocked = false;
                phase.since = Instant::now();
            }
            Poll::Ready(_) => {}
        }
    }

    fn answer_started(&self) {
        let mut phase = self.phase();
        phase.answering += 1;
        phase.head_started = false;
    }

    fn answer_ended(&self) {
        let mut phase = self.phase();
        phase.answering = phase.answering.saturating_sub(1);
        phase.answered += 1;
        if phase.answering == 0 {
            phase.since = Instant::now();
            drop(phase);
            self.changed.notify_one();
        }
    }
}

/// Completes when the connection has missed its deadline.
async fn watchdog(activity: Arc<Activity>, limits: Limits) {
    loop {
        // Registered before the state is read, so a change in between is not missed.
        let changed = activity.changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        match activity.deadline(&limits) {
            Some(deadline) if deadline <= Instant::now() => return,
            Some(deadline) => {
                tokio::select! {
                    () = tokio::time::sleep_until(deadline) => {}
                    () = changed => {}
                }
            }
            None => changed.await,
        }
    }
}

/// The socket, reporting what it reads and every write's outcome to the connection's
/// [`Activity`].
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let outcome = Pin::new(&mut self.stream).poll_read(cx, buf);
        self.activity.read(buf.filled().len() - before);
        outcome
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let outcome = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.activity.wrote(&outcome);
        outcome
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let outcome = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.activity.wrote(&outcome);
        outcome
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Counts one request as "answering" from its headers until its answer's body ends or is
/// dropped (hyper drops it once the last frame is buffered, or with the connection).
struct Answering(Arc<Activity>);

impl Answering {
    fn start(activity: &Arc<Activity>) -> Answering {
        activity.answer_started();
        Answering(Arc::clone(activity))
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.answer_ended();
    }
}

/// An answer's body with its request's [`Answering`].
struct Tracked {
    body: axum::body::Body,
    _answering: Answering,
}

impl hyper::body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
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
    // hyper's own header timeout (30 s by default once a timer is set) would close a
    // keep-alive connection while its client still reads the answer out of the socket
    // buffers; the watchdog replaces it.
    http.timer(TokioTimer::new())
        .header_read_timeout(None)
        .max_buf_size(WRITE_BUFFER_BYTES)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
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
        let activity = Arc::new(Activity::new());
        let requests = Arc::clone(&activity);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
            use tower::ServiceExt;
            // Who is asking, for the Redaktion's audit log and sign-in throttle.
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
            let answering = Answering::start(&requests);
            let answer = router.clone().oneshot(request);
            async move {
                let response = answer.await?;
                Ok::<_, std::convert::Infallible>(response.map(|body| Tracked {
                    body,
                    _answering: answering,
                }))
            }
        });
        let io = TokioIo::new(Watched {
            stream,
            activity: Arc::clone(&activity),
        });
        let connection = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(async move {
            tokio::select! {
                result = connection => {
                    if let Err(error) = result {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                }
                () = watchdog(activity, limits) => {
                    tracing::debug!("closing a connection that missed its deadline");
                }
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
