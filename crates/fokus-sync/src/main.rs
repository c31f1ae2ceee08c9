//! `fokus-sync --server URL --cache FILE`: one sync into a cache file, for operators and tests.
//! Prints the revision reached; exits non-zero on failure with the cache untouched.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Parser;
use fokus_sync::Syncer;

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
    match Syncer::new(&cli.server, &cli.cache).sync_once(now).await {
        Ok(outcome) => {
            println!("Revision {}", outcome.revision);
            if let Some(news) = outcome.news {
                println!("{news}");
            }
        }
        Err(error) => {
            eprintln!("Synchronisierung fehlgeschlagen: {error}");
            std::process::exit(if error.is_offline() { 3 } else { 2 });
        }
    }
}
