//! "Link kopieren" and the exports of a view: the link is the app's `fokus://` link in the app
//! and the page's address in the browser; the CSV is the current table with its metadata.

use fokus_model::view::View;
use fokus_model::{DatasetInfo, IndicatorTable};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::app::use_app;
use crate::backend::Backend;
use crate::explorer::{table_csv, view_csv, ExportMeta};
use crate::format;

/// The link to `view` as the user shares it.
pub fn link_of(view: &View, backend: Backend) -> String {
    match backend {
        Backend::Tauri => view.deep_link(),
        Backend::Web | Backend::Worker => {
            let origin = web_sys::window()
                .and_then(|window| window.location().origin().ok())
                .unwrap_or_default();
            format!("{origin}{}", view.path())
        }
    }
}

/// Puts `text` on the clipboard; `false` where the platform refuses (the text is then shown
/// selected, for Strg+C).
async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator: JsValue = window.navigator().into();
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")) else {
        return false;
    };
    let Ok(write) = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText")) else {
        return false;
    };
    let Ok(write) = write.dyn_into::<js_sys::Function>() else {
        return false;
    };
    let Ok(promise) = write.call1(&clipboard, &JsValue::from_str(text)) else {
        return false;
    };
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise))
        .await
        .is_ok()
}

/// Offers `content` as a file download named `name` (the browser's download; in the app the
/// web view saves it to the downloads folder).
pub fn download(name: &str, mime: &str, content: &[u8]) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(content));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = document();
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.set_attribute("data-testid", "download-anchor")?;
    document
        .body()
        .ok_or_else(|| JsValue::from_str("kein body"))?
        .append_child(&anchor)?;
    anchor.click();
    anchor.remove();
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}

/// Saves an export: through the app's save dialog, or as the browser's download. Answers what
/// happened, in words.
pub async fn save_export(backend: Backend, name: &str, mime: &str, content: Vec<u8>) -> String {
    match backend {
        Backend::Tauri => match backend.export_save(name, content).await {
            Ok(Some(path)) => format!("Gespeichert: {path}"),
            Ok(None) => "Nicht gespeichert.".to_owned(),
            Err(error) => error.message,
        },
        Backend::Web | Backend::Worker => match download(name, mime, &content) {
            Ok(()) => format!("{name} heruntergeladen."),
            Err(_) => "Die Datei konnte nicht gespeichert werden.".to_owned(),
        },
    }
}

/// Renders an SVG image to PNG at twice its size (sharp on slides and in print).
pub async fn svg_to_png(svg: &str, width: f64, height: f64) -> Result<Vec<u8>, JsValue> {
    let image = web_sys::HtmlImageElement::new()?;
    let source: String = js_sys::encode_uri_component(svg).into();
    image.set_src(&format!("data:image/svg+xml;charset=utf-8,{source}"));
    wasm_bindgen_futures::JsFuture::from(image.decode()).await?;
    let canvas: web_sys::HtmlCanvasElement = document().create_element("canvas")?.unchecked_into();
    canvas.set_width((width * 2.0) as u32);
    canvas.set_height((height * 2.0) as u32);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("kein 2D-Kontext"))?
        .unchecked_into();
    context.scale(2.0, 2.0)?;
    context.draw_image_with_html_image_element(&image, 0.0, 0.0)?;
    let data_url = canvas.to_data_url_with_type("image/png")?;
    let base64 = data_url
        .split_once(',')
        .map(|(_, data)| data)
        .ok_or_else(|| JsValue::from_str("kein PNG"))?;
    let binary = web_sys::window()
        .ok_or_else(|| JsValue::from_str("kein Fenster"))?
        .atob(base64)?;
    Ok(binary.chars().map(|c| c as u8).collect())
}

/// Saves an image made as SVG: as `{stem}.svg`, or rendered to `{stem}.png`.
pub async fn save_image(backend: Backend, stem: &str, svg: String, png: bool) -> String {
    if !png {
        return save_export(
            backend,
            &format!("{stem}.svg"),
            "image/svg+xml",
            svg.into_bytes(),
        )
        .await;
    }
    let (width, height) = svg_size(&svg);
    match svg_to_png(&svg, width, height).await {
        Ok(bytes) => save_export(backend, &format!("{stem}.png"), "image/png", bytes).await,
        Err(_) => "Das Bild konnte nicht erzeugt werden.".to_owned(),
    }
}

/// The width and height an SVG declares on its root element.
fn svg_size(svg: &str) -> (f64, f64) {
    let attribute = |name: &str| {
        svg.split_once(&format!(" {name}=\""))
            .and_then(|(_, rest)| rest.split_once('"'))
            .and_then(|(value, _)| value.parse().ok())
            .unwrap_or(800.0)
    };
    (attribute("width"), attribute("height"))
}

/// Today as `27.11.2026`.
fn today() -> String {
    crate::format::iso_date(&crate::beschluss::today())
}

#[component]
pub fn ShareBar(
    view: View,
    table: Option<IndicatorTable>,
    dataset: Option<DatasetInfo>,
) -> impl IntoView {
    let app = use_app();
    let backend = app.backend;
    let link = link_of(&view, backend);
    let status = RwSignal::new(None::<String>);
    let shown_link = RwSignal::new(None::<String>);
    let link_for_copy = link.clone();
    let copy = move |_| {
        let link = link_for_copy.clone();
        leptos::task::spawn_local(async move {
            if copy_text(&link).await {
                status.set(Some("Link kopiert.".to_owned()));
                shown_link.set(Some(link));
            } else {
                status.set(Some("Link unten markiert: mit Strg+C kopieren.".to_owned()));
                shown_link.set(Some(link));
            }
        });
    };
    let export = table.map(|table| {
        let link = link.clone();
        let dataset = dataset.clone();
        let on_click = move |_| {
            let meta = ExportMeta {
                publisher: dataset.as_ref().map(|dataset| dataset.title.clone()).unwrap_or_default(),
                stand: table.stand.map(format::date).unwrap_or_default(),
                licence: dataset
                    .as_ref()
                    .map(|dataset| dataset.geodata_attribution.clone())
                    .filter(|text| !text.is_empty())
                    .map(|text| format!("Daten: Datenlizenz Deutschland – Namensnennung 2.0 (dl-de/by-2-0); Karte: {text}"))
                    .unwrap_or_else(|| "Datenlizenz Deutschland – Namensnennung 2.0 (dl-de/by-2-0)".to_owned()),
                link: link.clone(),
                retrieved: today(),
            };
            // Exactly what the view shows: its tab, year and areas.
            let csv = match &view {
                View::Explorer(explorer) => {
                    let year = explorer.year.or(table.years.last().copied()).unwrap_or_default();
                    view_csv(&table, explorer, year, &meta)
                }
                _ => table_csv(&table, &meta),
            };
            let name = format!("{}-{}.csv", table.indicator.id, match table.level { fokus_model::view::Level::Map => "gebiete", fokus_model::view::Level::Gemeinde => "gemeinden" });
            leptos::task::spawn_local(async move {
                status.set(Some(save_export(backend, &name, "text/csv;charset=utf-8", csv.into_bytes()).await));
            });
        };
        view! { <button class="button secondary" data-testid="export-csv" on:click=on_click>"CSV dieser Ansicht"</button> }
    });
    view! {
        <div class="share">
            <button class="button secondary" data-testid="copy-link" on:click=copy>"Link kopieren"</button>
            {export}
            <p class="share-status" role="status" data-testid="share-status">{move || status.get()}</p>
            {move || shown_link.get().map(|link| view! {
                <input class="share-link" readonly=true value=link data-testid="share-link"
                    on:focus=move |event| { if let Some(input) = event.target().and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok()) { input.select(); } }/>
            })}
        </div>
    }
}
