//! Serves each of `tests/hostile`'s answers to the feed on a port of its own, beside the web
//! build's files (`DIST`, for the store worker's script and wasm) and a blank page to start the
//! worker from; one more port serves the good feed, as the control. Prints one JSON line per port
//! (`{"why", "port", "offline", "good"}`), then an empty line, and serves until killed.
//!
//! `cargo run -p fokus-sync --example hostile_feeds -- src-ui/dist`

#[path = "../tests/hostile/mod.rs"]
mod hostile;

use std::sync::Arc;

use axum::response::Html;
use axum::routing::get;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dist = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: hostile_feeds DIST"))?;
    let mut server_store = fokus_store::Store::open_in_memory()?;
    fokus_server::load_demo(&mut server_store, 1)?;
    let good = server_store.feed_since(0)?;
    let good_text = serde_json::to_string(&good)?;
    let control = hostile::HostileFeed {
        why: "the good feed",
        headers: Vec::new(),
        body: hostile::Body::Text(good_text),
        offline: false,
    };
    let cases = hostile::cases(&good)
        .into_iter()
        .map(|case| (case, false))
        .chain([(control, true)]);
    for (case, is_good) in cases {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        println!(
            "{}",
            serde_json::json!({
                "why": case.why,
                "port": port,
                "offline": case.offline,
                "good": is_good,
            })
        );
        let case = Arc::new(case);
        let router = axum::Router::new()
            .route(
                fokus_model::api::FEED,
                get(move || {
                    let case = Arc::clone(&case);
                    async move { case.response() }
                }),
            )
            .route(
                "/",
                get(|| async {
                    Html("<!doctype html><html lang=\"de\"><title>Worker</title></html>")
                }),
            )
            .fallback_service(tower_http::services::ServeDir::new(&dist));
        tokio::spawn(async move { axum::serve(listener, router).await });
    }
    println!();
    std::future::pending::<()>().await;
    Ok(())
}
