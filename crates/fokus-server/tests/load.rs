//! Load and abuse on loopback against the real `fokus-server` binary, bounded in count and time:
//! 1,100 connections that send nothing, 20 uploads that announce 64 MiB without a token and
//! trickle, and more event listeners than allowed, while 50 apps fetch the full feed. Every
//! sync must answer, idle connections must be closed by the header timeout, the server's memory
//! stays bounded (reported), and Ctrl-C ends it with apps still connected.

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
