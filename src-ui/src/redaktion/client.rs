//! The workspace's requests to its server: JSON over `fetch` with the session cookie (sent by
//! the browser, never readable here) and the CSRF token on every change.

use fokus_model::api::{ApiError, ErrorCode};
use fokus_model::redaktion::CSRF_HEADER;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn failed(detail: JsValue) -> ApiError {
    let text = detail
        .as_string()
        .or_else(|| {
            js_sys::Reflect::get(&detail, &JsValue::from_str("message"))
                .ok()
                .and_then(|message| message.as_string())
        })
        .unwrap_or_default();
    ApiError::new(
        ErrorCode::Offline,
        format!("Server nicht erreichbar ({text}); bitte die Verbindung prüfen"),
    )
}

/// `GET path` → its JSON.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    request::<(), T>("GET", path, None, None)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidAnswer, "leere Antwort"))
}

/// A change: `method path` with `body` as JSON and the session's `csrf` token; `None` for an
/// answer without content (204).
pub async fn send<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<&B>,
    csrf: &str,
) -> Result<Option<T>, ApiError> {
    request(method, path, body, Some(csrf)).await
}

async fn request<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<&B>,
    csrf: Option<&str>,
) -> Result<Option<T>, ApiError> {
    let window =
        web_sys::window().ok_or_else(|| ApiError::new(ErrorCode::Internal, "kein Fenster"))?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(failed)?;
    headers.set("accept", "application/json").map_err(failed)?;
    if let Some(csrf) = csrf {
        headers.set(CSRF_HEADER, csrf).map_err(failed)?;
    }
    if let Some(body) = body {
        let value = body
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|error| ApiError::new(ErrorCode::Internal, error.to_string()))?;
        let json = js_sys::JSON::stringify(&value).map_err(failed)?;
        headers
            .set("content-type", "application/json")
            .map_err(failed)?;
        init.set_body(&json);
    }
    init.set_headers(&headers);
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(failed)?
        .unchecked_into();
    if response.status() == 204 {
        return Ok(None);
    }
    let text = JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?
        .as_string()
        .unwrap_or_default();
    let parsed = js_sys::JSON::parse(&text).ok();
    let decode =
        |value: Option<JsValue>| value.and_then(|value| serde_wasm_bindgen::from_value(value).ok());
    if !response.ok() {
        return Err(decode(parsed).unwrap_or_else(|| {
            ApiError::new(
                ErrorCode::Internal,
                format!("Der Server antwortete mit HTTP {}", response.status()),
            )
        }));
    }
    let value =
        parsed.ok_or_else(|| ApiError::new(ErrorCode::InvalidAnswer, "keine JSON-Antwort"))?;
    serde_wasm_bindgen::from_value(value)
        .map(Some)
        .map_err(|error| ApiError::new(ErrorCode::InvalidAnswer, error.to_string()))
}

/// `POST path` with a file as the body (its own type) and the CSRF token: the answer's status
/// and JSON, whatever the status, for pages that read a refusal's details.
pub async fn post_file(
    path: &str,
    file: &web_sys::File,
    csrf: &str,
) -> Result<(u16, JsValue), ApiError> {
    let window =
        web_sys::window().ok_or_else(|| ApiError::new(ErrorCode::Internal, "kein Fenster"))?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let headers = web_sys::Headers::new().map_err(failed)?;
    headers.set("accept", "application/json").map_err(failed)?;
    headers.set(CSRF_HEADER, csrf).map_err(failed)?;
    let kind = if file.type_().is_empty() {
        "text/csv".to_owned()
    } else {
        file.type_()
    };
    headers.set("content-type", &kind).map_err(failed)?;
    init.set_headers(&headers);
    init.set_body(file);
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(failed)?
        .unchecked_into();
    let text = JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?
        .as_string()
        .unwrap_or_default();
    let json = js_sys::JSON::parse(&text).unwrap_or(JsValue::NULL);
    Ok((response.status(), json))
}
