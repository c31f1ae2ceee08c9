//! The worker's transport: the feed over `fetch`, checked and parsed by `fokus_sync::plan`, with
//! the native syncer's guards: a server that falls silent for the stall time is a lost
//! connection (the request is aborted), and a body is read no further than the size limit.

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
    let text = js_text(&error);
    SyncError::Offline(if text.is_empty() {
        "Netzwerkfehler".to_owned()
    } else {
        text
    })
}

/// How long the server may send nothing before the sync gives up, as the native syncer's
/// default; a worker started as `store-worker.js?stall_ms=N` waits N ms (the hostile-answer
/// test's stalled server).
fn stall_ms() -> i32 {
    let search = scope().location().search();
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("stall_ms="))
        .and_then(|value| value.parse().ok())
        .unwrap_or(30_000)
}

/// `promise`'s value, or `None` when nothing came for `ms` (then `abort` cancels the request).
async fn within(
    promise: js_sys::Promise,
    ms: i32,
    abort: &web_sys::AbortController,
) -> Result<Option<wasm_bindgen::JsValue>, wasm_bindgen::JsValue> {
    let silence = wasm_bindgen::JsValue::from_str("fokus-stall");
    let marker = silence.clone();
    let mut handle = None;
    let timer = js_sys::Promise::new(&mut |resolve, _reject| {
        handle = scope()
            .set_timeout_with_callback_and_timeout_and_arguments_1(&resolve, ms, &marker)
            .ok();
    });
    let first = JsFuture::from(js_sys::Promise::race(&js_sys::Array::of2(&promise, &timer))).await;
    if let Some(handle) = handle {
        scope().clear_timeout_with_handle(handle);
    }
    let first = first?;
    if first == silence {
        abort.abort();
        return Ok(None);
    }
    Ok(Some(first))
}

fn stalled(ms: i32) -> SyncError {
    SyncError::Offline(format!("Server antwortet seit {} s nicht", ms / 1000))
}

/// The body, chunk by chunk: each chunk within the stall time, the whole within the limit.
async fn read_body(
    response: &web_sys::Response,
    ms: i32,
    abort: &web_sys::AbortController,
) -> Result<Vec<u8>, SyncError> {
    let Some(stream) = response.body() else {
        return Ok(Vec::new());
    };
    let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut body = Vec::new();
    loop {
        let chunk = within(reader.read(), ms, abort).await.map_err(|error| {
            SyncError::Offline(format!("Verbindung abgebrochen: {}", js_text(&error)))
        })?;
        let Some(chunk) = chunk else {
            return Err(stalled(ms));
        };
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .map(|done| done.is_truthy())
            .unwrap_or(true);
        if done {
            return Ok(body);
        }
        let value: js_sys::Uint8Array = js_sys::Reflect::get(&chunk, &"value".into())
            .map_err(offline)?
            .unchecked_into();
        if body.len() + value.length() as usize > plan::MAX_FEED_BYTES {
            abort.abort();
            return Err(SyncError::InvalidAnswer("Antwort zu groß".into()));
        }
        let start = body.len();
        body.resize(start + value.length() as usize, 0);
        value.copy_to(&mut body[start..]);
    }
}

fn js_text(error: &wasm_bindgen::JsValue) -> String {
    error
        .as_string()
        .or_else(|| {
            error
                .dyn_ref::<js_sys::Error>()
                .map(|error| String::from(error.message()))
        })
        .unwrap_or_default()
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
    let abort = web_sys::AbortController::new().map_err(offline)?;
    init.set_signal(Some(&abort.signal()));
    let ms = stall_ms();
    let response: web_sys::Response = within(
        scope().fetch_with_str_and_init(&request.url, &init),
        ms,
        &abort,
    )
    .await
    .map_err(offline)?
    .ok_or_else(|| stalled(ms))?
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
    plan::check_feed_format(header(api::FEED_FORMAT_HEADER))?;
    plan::check_feed_size(header("content-length"))?;
    plan::check_feed_size(header(api::FEED_BYTES_HEADER))?;
    let body = read_body(&response, ms, &abort).await?;
    let page = plan::parse_page(&body, local.revision)?;
    // Where the page came from after the server's redirect (a caching proxy's address).
    plan::check_page_address(&response.url(), &page)?;
    Ok(FeedAnswer::Page(Box::new(page)))
}
