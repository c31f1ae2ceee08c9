//! Load and abuse on loopback, bounded in count and time. Against the real `fokus-server`
//! binary: 1,100 connections that send nothing, 20 uploads that announce 64 MiB without a token
//! and trickle, and more event listeners than allowed, while 50 apps fetch the full feed. Every
//! sync must answer, idle connections must be closed by the header timeout, the server's memory
//! stays bounded (reported), and Ctrl-C ends it with apps still connected. In this process,
//! behind the real accept loop (`fokus_server::serve`): more full syncs at once than the server
//! sends (some answered, the rest told 503 with `Retry-After`, answers go on afterwards), a
//! slow reader beside a fast client, and a client that stops reading (issue 25, item 8).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const IDLE_CONNECTIONS: usize = 1_100;
const SLOW_UPLOADS: usize = 20;
const SYNCING_APPS: usize = 50;
const MAX_LISTENERS: usize = 5;

struct Server {
    child: Child,
    address: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &std::path::Path) -> Server {
    let token = dir.join("token");
    std::fs::write(&token, "ein-langes-geheimes-token-fuer-den-test").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_fokus-server"))
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(["serve", "--demo", "--port", "0", "--max-event-listeners"])
        .arg(MAX_LISTENERS.to_string())
        .arg("--admin-token-file")
        .arg(&token)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = String::new();
    let mut byte = [0u8; 1];
    while !seen.contains('\n') || !seen.contains("http://") {
        assert_eq!(
            stdout.read(&mut byte).unwrap(),
            1,
            "server ended early: {seen}"
        );
        seen.push(byte[0] as char);
    }
    let address = seen
        .trim()
        .rsplit("http://")
        .next()
        .unwrap()
        .parse()
        .unwrap();
    Server { child, address }
}

/// The server's resident memory in MiB.
fn rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .unwrap()
        / 1024
}

#[test]
fn idle_sockets_slow_uploads_and_crowds_of_listeners_do_not_keep_apps_from_syncing() {
    let wanted = (IDLE_CONNECTIONS + SLOW_UPLOADS + SYNCING_APPS + 200) as u64;
    let limit = rlimit::increase_nofile_limit(wanted).unwrap();
    assert!(
        limit >= wanted,
        "the test needs {wanted} open files, the system allows {limit}"
    );
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let pid = server.child.id();
    let idle_rss = rss_mib(pid);

    let idle: Vec<TcpStream> = (0..IDLE_CONNECTIONS)
        .map(|_| TcpStream::connect(server.address).unwrap())
        .collect();

    // Uploads that announce the import limit and trickle, without the right token: answered
    // at once, before a body byte is read.
    let uploads: Vec<_> = (0..SLOW_UPLOADS)
        .map(|_| {
            let address = server.address;
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(address).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
                write!(
                    stream,
                    "POST /api/v1/admin/import HTTP/1.1\r\nHost: fokus\r\nAuthorization: Bearer falsch\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\nkennzahl;gebiet;jahr;wert\n",
                    64 * 1024 * 1024
                )
                .unwrap();
                let mut answer = [0u8; 12];
                stream.read_exact(&mut answer).unwrap();
                String::from_utf8_lossy(&answer).into_owned()
            })
        })
        .collect();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let base = format!("http://{}", server.address);
    let (listeners, refused, syncs, peak_rss) = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap();
        // Event listeners: the allowed number stay open, the rest are told to come back later.
        let mut open = Vec::new();
        let mut refused = 0;
        for _ in 0..MAX_LISTENERS + 3 {
            let response = client
                .get(format!("{base}{}", fokus_model::api::EVENTS))
                .send()
                .await
                .unwrap();
            if response.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE {
                refused += 1;
            } else {
                open.push(response);
            }
        }
        let syncs: Vec<_> = (0..SYNCING_APPS)
            .map(|_| {
                let (client, base) = (client.clone(), base.clone());
                tokio::spawn(async move {
                    let response = client
                        .get(format!("{base}{}?since=0", fokus_model::api::FEED))
                        .header("accept-encoding", "zstd")
                        .send()
                        .await?;
                    let status = response.status();
                    let page: fokus_model::FeedPage = response.json().await?;
                    Ok::<_, reqwest::Error>((status, page.revision, page.observations.len()))
                })
            })
            .collect();
        let mut peak = 0;
        let mut results = Vec::new();
        for sync in syncs {
            peak = peak.max(rss_mib(pid));
            results.push(sync.await.unwrap());
        }
        (open.len(), refused, results, peak.max(rss_mib(pid)))
    });
    for (index, result) in syncs.iter().enumerate() {
        let (status, revision, values) = result
            .as_ref()
            .unwrap_or_else(|error| panic!("app {index}: {error}"));
        assert!(
            status.is_success() && *revision > 0 && *values > 50_000,
            "app {index}: {status} {revision} {values}"
        );
    }
    assert_eq!(
        (listeners, refused),
        (MAX_LISTENERS, 3),
        "event listeners beyond the cap get 503"
    );
    for upload in uploads {
        let status = upload.join().unwrap();
        assert_eq!(status, "HTTP/1.1 401", "refused before the body was read");
    }

    // The header timeout closes connections that never sent a request.
    let started = Instant::now();
    let mut closed = 0;
    for mut stream in idle.into_iter().take(20) {
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut buffer = [0u8; 64];
        if matches!(stream.read(&mut buffer), Ok(0) | Err(_)) {
            closed += 1;
        }
    }
    assert_eq!(closed, 20, "idle connections are closed by the server");
    eprintln!(
        "load: server RSS {idle_rss} MiB idle, peak {peak_rss} MiB with {IDLE_CONNECTIONS} idle connections, \
         {SLOW_UPLOADS} slow uploads, {MAX_LISTENERS} listeners and {SYNCING_APPS} full syncs; idle sockets closed after {:.0} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        peak_rss < 1024,
        "server memory stays bounded: {peak_rss} MiB"
    );

    // Ctrl-C ends the server although apps still listen for events.
    let listener = TcpStream::connect(server.address).unwrap();
    let mut listener_stream = listener.try_clone().unwrap();
    write!(
        listener_stream,
        "GET /api/v1/events HTTP/1.1\r\nHost: fokus\r\n\r\n"
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let mut server = server;
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let exited = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        exited.is_some(),
        "the server ends on Ctrl-C with an app connected"
    );
    drop(listener);
}

/// systemd stops a service with SIGTERM: the server ends as on Ctrl-C (stops accepting, lets
/// open answers finish, ends after the grace period even with an event stream open) and exits
/// with success, instead of being killed mid-answer by the signal.
#[cfg(unix)]
#[test]
fn sigterm_ends_the_server_as_ctrl_c_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(dir.path());
    let pid = server.child.id();
    let mut listener = TcpStream::connect(server.address).unwrap();
    write!(
        listener,
        "GET /api/v1/events HTTP/1.1\r\nHost: fokus\r\n\r\n"
    )
    .unwrap();
    listener
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = [0u8; 12];
    listener.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"HTTP/1.1 200", "the event stream is open");
    let sent = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let exited = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server ends on SIGTERM within its grace period"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        exited.success(),
        "a graceful shutdown, not death by the signal: {exited:?}"
    );
    drop(listener);
}

/// The demo server in this process behind the real accept loop with `limits`, sending at most
/// `max_full_syncs` large answers at once.
async fn serve_demo(
    dir: &std::path::Path,
    limits: fokus_server::serve::Limits,
    max_full_syncs: usize,
) -> SocketAddr {
    let mut store = fokus_store::Store::open(&dir.join("server.sqlite3")).unwrap();
    store.ensure_instance("kreis-last").unwrap();
    fokus_server::load_demo(&mut store, 1).unwrap();
    let state = fokus_server::AppState::new(store)
        .unwrap()
        .with_max_full_syncs(max_full_syncs);
    let router = fokus_server::app(state, None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(fokus_server::serve::serve(
        listener,
        router,
        limits,
        std::future::pending(),
    ));
    address
}

/// A raw HTTP/1.1 exchange whose body the test reads at its own pace (reqwest would read ahead).
struct Exchange {
    status: u16,
    head: String,
    stream: tokio::net::TcpStream,
    /// Body bytes that arrived with the head.
    body: Vec<u8>,
}

/// The full feed as an app without compression asks for it: the demo's whole page, megabytes
/// of JSON, far more than the socket buffers on both sides hold.
const FULL_FEED: &str = "/api/v1/feed?since=0";

impl Exchange {
    /// Sends `GET path` on a new connection and reads the answer's head.
    async fn ask(address: SocketAddr, path: &str) -> Exchange {
        let stream = tokio::net::TcpStream::connect(address).await.unwrap();
        Exchange::on(stream, path).await
    }

    /// Sends `GET path` on `stream` (a keep-alive connection) and reads the answer's head.
    async fn on(mut stream: tokio::net::TcpStream, path: &str) -> Exchange {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        stream
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: fokus\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut received = Vec::new();
        let mut buffer = [0u8; 1024];
        let end = loop {
            if let Some(end) = received.windows(4).position(|window| window == b"\r\n\r\n") {
                break end;
            }
            let n = stream.read(&mut buffer).await.unwrap();
            assert!(n > 0, "the server closed before answering {path}");
            received.extend_from_slice(&buffer[..n]);
        };
        let head = String::from_utf8_lossy(&received[..end]).into_owned();
        let status = head[9..12].parse().unwrap();
        Exchange {
            status,
            head,
            stream,
            body: received[end + 4..].to_vec(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    fn content_length(&self) -> usize {
        self.header("content-length").unwrap().parse().unwrap()
    }

    /// Reads the rest of the body until the announced length or the end of the connection,
    /// pausing `pause` after every `step` bytes; returns what arrived.
    async fn read_body(self, step: usize, pause: Duration) -> Vec<u8> {
        self.read_body_keeping(step, pause).await.0
    }

    /// [`Exchange::read_body`], keeping the connection for another request.
    async fn read_body_keeping(
        mut self,
        step: usize,
        pause: Duration,
    ) -> (Vec<u8>, tokio::net::TcpStream) {
        use tokio::io::AsyncReadExt;
        let length = self.content_length();
        let mut buffer = vec![0u8; 64 * 1024];
        let mut next_pause = self.body.len() + step;
        while self.body.len() < length {
            match self.stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => self.body.extend_from_slice(&buffer[..n]),
            }
            if !pause.is_zero() && self.body.len() >= next_pause {
                next_pause = self.body.len() + step;
                tokio::time::sleep(pause).await;
            }
        }
        (self.body, self.stream)
    }
}

/// Checks that `body` is the whole full page.
fn assert_full_page(body: &[u8], who: &str) {
    let page: fokus_model::FeedPage = serde_json::from_slice(body).unwrap_or_else(|error| {
        panic!("{who}: not the whole page ({} bytes): {error}", body.len())
    });
    assert!(
        page.since == 0 && page.observations.len() > 50_000,
        "{who}: the full page"
    );
}

/// More apps ask for their first sync at once than the server sends: as many as it has slots
/// for are answered, the rest are told 503 with a `Retry-After` and the API's JSON at once
/// (never a reset or a hang), small answers go on meanwhile, the admitted apps get their whole
/// page however long they take, and afterwards the server answers full syncs again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_full_syncs_than_slots_are_answered_or_told_to_come_back() {
    const SLOTS: usize = 3;
    const APPS: usize = 12;
    let dir = tempfile::tempdir().unwrap();
    let address = serve_demo(dir.path(), fokus_server::serve::Limits::default(), SLOTS).await;
    let asks: Vec<_> = (0..APPS)
        .map(|_| tokio::spawn(Exchange::ask(address, FULL_FEED)))
        .collect();
    let mut admitted = Vec::new();
    let mut refused = Vec::new();
    for ask in asks {
        let exchange = ask.await.unwrap();
        match exchange.status {
            200 => admitted.push(exchange),
            503 => refused.push(exchange),
            other => panic!("a full sync answered {other}: {}", exchange.head),
        }
    }
    // The admitted apps have not read their pages: each holds its slot meanwhile.
    assert_eq!(
        (admitted.len(), refused.len()),
        (SLOTS, APPS - SLOTS),
        "as many answered as there are slots, the rest refused"
    );
    for exchange in refused {
        let retry_after: u64 = exchange
            .header("retry-after")
            .expect("a refusal says when to come back")
            .parse()
            .unwrap();
        assert!(
            (fokus_server::capacity::RETRY_AFTER_SECS
                ..=fokus_server::capacity::RETRY_AFTER_SECS
                    + fokus_server::capacity::RETRY_AFTER_SPREAD)
                .contains(&retry_after),
            "Retry-After {retry_after}"
        );
        let body = exchange.read_body(0, Duration::ZERO).await;
        let error: fokus_model::api::ApiError = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            error.code,
            fokus_model::api::ErrorCode::Unavailable,
            "the API's own error: {}",
            error.message
        );
        assert!(
            error.message.contains(&format!("{retry_after} Sekunden")),
            "the message says when, in German: {}",
            error.message
        );
    }
    let status = Exchange::ask(address, "/api/v1/status").await;
    assert_eq!(
        status.status, 200,
        "small answers go on while the slots are full"
    );
    assert_eq!(
        Exchange::ask(address, FULL_FEED).await.status,
        503,
        "still full while the admitted apps read"
    );
    let readers: Vec<_> = admitted
        .into_iter()
        .map(|exchange| tokio::spawn(exchange.read_body(0, Duration::ZERO)))
        .collect();
    for (index, reader) in readers.into_iter().enumerate() {
        assert_full_page(&reader.await.unwrap(), &format!("admitted app {index}"));
    }
    // The slots came back with the pages: the server answers full syncs again.
    for index in 0..SLOTS {
        let exchange = Exchange::ask(address, FULL_FEED).await;
        assert_eq!(exchange.status, 200, "full sync {index} after the crowd");
        assert_full_page(
            &exchange.read_body(0, Duration::ZERO).await,
            "an app after the crowd",
        );
    }
}

/// A tablet on slow Wi-Fi (or a busy one) reads its first sync a little at a time, for much
/// longer than the header timeout, and takes a while with the page before its next request:
/// it gets the whole page, its connection is still open for that request (hyper's header
/// timeout, which is also its idle timeout, closed it once the page's end was in the socket
/// buffers, and Node's `fetch` fails a whole answer when that happens before it has read it),
/// and an app syncing meanwhile is not held up by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_gets_its_whole_page_keeps_its_connection_and_holds_up_no_one() {
    let dir = tempfile::tempdir().unwrap();
    let limits = fokus_server::serve::Limits {
        header_timeout: Duration::from_millis(500),
        ..Default::default()
    };
    let address = serve_demo(dir.path(), limits, fokus_server::capacity::MAX_FULL_SYNCS).await;
    let slow = Exchange::ask(address, FULL_FEED).await;
    assert_eq!(slow.status, 200);
    let length = slow.content_length();
    let (fast_done, fast_known) = tokio::sync::oneshot::channel::<()>();
    let slow_reader = tokio::spawn(async move {
        // A first piece, then nothing until the fast app is through and for twice the header
        // timeout besides, then 100 ms after every 256 KiB: several header timeouts in all.
        let mut slow = slow;
        let mut first = vec![0u8; 64 * 1024];
        let n = tokio::io::AsyncReadExt::read(&mut slow.stream, &mut first)
            .await
            .unwrap();
        slow.body.extend_from_slice(&first[..n]);
        fast_known.await.unwrap();
        tokio::time::sleep(2 * limits.header_timeout).await;
        let (body, stream) = slow
            .read_body_keeping(256 * 1024, Duration::from_millis(100))
            .await;
        // Busy with the page for a while, as Node's fetch is unpacking it.
        tokio::time::sleep(2 * limits.header_timeout).await;
        (body, Exchange::on(stream, "/api/v1/status").await.status)
    });
    let client = reqwest::Client::new();
    let fast = client
        .get(format!("http://{address}{FULL_FEED}"))
        .header("accept-encoding", "zstd")
        .send()
        .await
        .unwrap();
    assert_eq!(fast.status(), 200, "the fast app is answered");
    let page: fokus_model::FeedPage = fast.json().await.unwrap();
    assert!(
        page.observations.len() > 50_000,
        "the fast app got its page"
    );
    assert!(
        !slow_reader.is_finished(),
        "the fast app was through while the slow one still read"
    );
    fast_done.send(()).unwrap();
    let (body, next) = slow_reader.await.unwrap();
    assert_eq!(body.len(), length, "the slow reader was not cut off");
    assert_full_page(&body, "the slow reader");
    assert_eq!(
        next, 200,
        "the slow reader's connection was still open for its next request"
    );
}

/// Between two requests a keep-alive connection may wait for the next one (the idle timeout),
/// but once that request has begun its headers must be complete within the header timeout,
/// however slowly they trickle in; an idle connection is closed in the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn between_requests_a_connection_waits_but_a_trickling_head_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let limits = fokus_server::serve::Limits {
        header_timeout: Duration::from_millis(500),
        idle_timeout: Duration::from_secs(3),
        ..Default::default()
    };
    let address = serve_demo(dir.path(), limits, 1).await;
    let first = Exchange::ask(address, "/api/v1/status").await;
    assert_eq!(first.status, 200);
    let (_, stream) = first.read_body_keeping(0, Duration::ZERO).await;
    tokio::time::sleep(2 * limits.header_timeout).await;
    let second = Exchange::on(stream, "/api/v1/status").await;
    assert_eq!(
        second.status, 200,
        "idle for longer than a head may take, the connection still serves"
    );

    // A request that trickles in a byte at a time, far slower than the header timeout allows.
    let (_, mut stream) = second.read_body_keeping(0, Duration::ZERO).await;
    let mut closed = false;
    for byte in b"GET /api/v1/status HTTP/1.1\r\nHost: fokus\r\n\r\n" {
        if stream.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(limits.header_timeout / 4).await;
    }
    if !closed {
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        closed = answer.is_empty();
    }
    assert!(closed, "a head that takes too long is not answered");

    // An idle connection after an answer is closed in the end.
    let third = Exchange::ask(address, "/api/v1/status").await;
    let (_, mut stream) = third.read_body_keeping(0, Duration::ZERO).await;
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut rest)).await;
    assert!(
        matches!(read, Ok(Ok(0))),
        "the idle connection was closed by the server: {read:?}"
    );
}

/// A client that asks for a full sync and then stops reading is closed after the send timeout,
/// and its slot comes back: a crowd of such clients cannot keep every app out for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_closed_and_its_slot_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let limits = fokus_server::serve::Limits {
        send_timeout: Duration::from_secs(1),
        ..Default::default()
    };
    let address = serve_demo(dir.path(), limits, 1).await;
    let stalled = Exchange::ask(address, FULL_FEED).await;
    assert_eq!(stalled.status, 200);
    let refused = Exchange::ask(address, FULL_FEED).await;
    assert_eq!(
        refused.status, 503,
        "the one slot is taken by the stalled client"
    );
    // Bounded only against a hang: the slot is expected back after about a second.
    let mut admitted = None;
    for _ in 0..300 {
        let exchange = Exchange::ask(address, FULL_FEED).await;
        if exchange.status == 200 {
            admitted = Some(exchange);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let admitted = admitted.expect("the stalled client's slot came back");
    let length = stalled.content_length();
    let stalled_body = stalled.read_body(0, Duration::ZERO).await;
    assert!(
        stalled_body.len() < length,
        "the stalled client was closed before it had the page"
    );
    assert_full_page(
        &admitted.read_body(0, Duration::ZERO).await,
        "the app after it",
    );
}
