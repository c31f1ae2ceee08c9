//! The worker's transport: the feed over `fetch`, checked and parsed by `fokus_sync::plan`.

use fokus_model::api;
use fokus_sync::plan::{self, FeedAnswer, FeedStatus, Local};
use fokus_sync::SyncError;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

fn scope() -> web_sys::WorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// The server the page came from: the worker's own origin.
pub fn origin() -> String {
    scope().location().origin()
}

fn offline(error: wasm_bindgen::JsValue) -> SyncError {
    SyncError::Offline(
        error
            .as_string()
            .or_else(|| {
                error
                    .dyn_ref::<js_sys::Error>()
                    .map(|error| String::from(error.message()))
            })
            .unwrap_or_else(|| "Netzwerkfehler".to_owned()),
    )
}

/// Fetches the feed after `local` and reads its answer as the native syncer does.
pub async fn fetch_feed(base: &str, local: &Local) -> Result<FeedAnswer, SyncError> {
    let request = plan::feed_request(base, local);
    let headers = web_sys::Headers::new().map_err(offline)?;
    headers
        .set("If-None-Match", &request.if_none_match)
        .map_err(offline)?;
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_headers(&headers);
    // The browser's HTTP cache must not answer for the server: the 304 is ours to read.
    init.set_cache(web_sys::RequestCache::NoStore);
    let response: web_sys::Response =
        JsFuture::from(scope().fetch_with_str_and_init(&request.url, &init))
            .await
            .map_err(offline)?
            .unchecked_into();
    match plan::feed_status(response.status())? {
        FeedStatus::NotModified => return Ok(FeedAnswer::NotModified),
        FeedStatus::ServerBehind => return Ok(FeedAnswer::ServerBehind),
        FeedStatus::Page => {}
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .ok()
            .flatten()
            .and_then(|value| value.parse::<u64>().ok())
    };
    plan::check_feed_size(header("content-length"))?;
    plan::check_feed_size(header(api::FEED_BYTES_HEADER))?;
    let buffer = JsFuture::from(response.array_buffer().map_err(offline)?)
        .await
        .map_err(|error| {
            SyncError::Offline(format!(
                "Verbindung abgebrochen: {}",
                error.as_string().unwrap_or_default()
            ))
        })?;
    let body = js_sys::Uint8Array::new(&buffer).to_vec();
    plan::parse_page(&body, local.revision).map(|page| FeedAnswer::Page(Box::new(page)))
}
