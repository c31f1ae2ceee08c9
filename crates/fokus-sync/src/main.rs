//! `fokus-sync --server URL --cache FILE`: one sync into a cache file, for operators and tests.
//! Prints the revision reached; exits non-zero on failure with the cache untouched.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Parser;
use fokus_sync::{MediaPolicy, Syncer};

#[derive(Parser)]
#[command(
    name = "fokus-sync",
    version,
    about = "Synchronisiert einen FOKUS-Cache einmal mit dem Server"
)]
struct Cli {
    /// Base URL of the central server, e.g. http://127.0.0.1:8787
    #[arg(long)]
    server: String,
    /// The SQLite cache file (created if missing).
    #[arg(long)]
    cache: PathBuf,
    /// Also download documents and captions into `blobs/` beside the cache.
    #[arg(long)]
    media: bool,
    /// With --media: videos too.
    #[arg(long, requires = "media")]
    video: bool,
    /// Also trust the certificate authorities in this PEM file (a county's own CA).
    #[arg(long, env = "FOKUS_CA_FILE")]
    ca_file: Option<PathBuf>,
    /// Take the JSON feed even for an empty cache, not the server's database snapshot.
    #[arg(long)]
    feed_only: bool,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter("warn")
        .init();
    let cli = Cli::parse();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64);
    let fail = |error: fokus_sync::SyncError| -> ! {
        eprintln!("Synchronisierung fehlgeschlagen: {error}");
        std::process::exit(if error.is_offline() { 3 } else { 2 });
    };
    let mut syncer = Syncer::new(&cli.server, &cli.cache).unwrap_or_else(|error| fail(error));
    if cli.feed_only {
        syncer = syncer.feed_only();
    }
    if let Some(path) = &cli.ca_file {
        let pem = std::fs::read(path).unwrap_or_else(|error| {
            fail(fokus_sync::SyncError::InvalidAnswer(format!(
                "{} nicht lesbar: {error}",
                path.display()
            )))
        });
        syncer = syncer.trusting(&pem).unwrap_or_else(|error| fail(error));
    }
    match syncer.sync_once(now).await {
        Ok(outcome) => {
            println!("Revision {}", outcome.revision);
            for news in outcome.news {
                println!("{}", news.text);
            }
        }
        Err(error) => fail(error),
    }
    if cli.media {
        match syncer.sync_media(MediaPolicy { videos: cli.video }).await {
            Ok(outcome) => {
                println!(
                    "Dateien: {} geladen ({} Bytes), {} fehlgeschlagen, {} entfernt",
                    outcome.downloaded, outcome.bytes, outcome.failed, outcome.pruned
                );
                if outcome.failed > 0 {
                    std::process::exit(2);
                }
            }
            Err(error) => fail(error),
        }
    }
}
