//! A chart as the statistics pages show it: the chart, its source and Stand under it, its
//! numbers as a table, and the exports (PNG, SVG, CSV) through the same machinery as the
//! Sozialbericht. Images are drawn light whatever the page's theme (they go into print and
//! slides) and carry title, source, Stand and link.

use charming::Chart;
use js_sys::Reflect;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::app::use_app;
use crate::backend::Backend;
use crate::components::chart::{german_numbers, EChart, NumberStyle};
use crate::components::scroll_table::ScrollTable;
use crate::components::share::{save_export, save_image};
use crate::csv::Csv;
use crate::explorer::{wrap_lines, xml};
use crate::format;

/// A chart's numbers as the table under it and in its CSV: every figure the chart shows,
/// already written the German way.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DataTable {
    pub caption: String,
    /// The column heads, the row heads' column first.
    pub header: Vec<String>,
    /// Row head and cells.
    pub rows: Vec<(String, Vec<String>)>,
}

/// What a figure says about itself: its title, where its numbers come from and when they last
/// changed, and the file name its exports get.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FigureAbout {
    pub title: String,
    /// "Statistisches Amt …"; empty if the deployment names none.
    pub source: String,
    /// Unix seconds.
    pub stand: Option<i64>,
    /// File name without extension: `demografie-pyramide-01056-2025`.
    pub stem: String,
}

impl FigureAbout {
    /// "Quelle: … · Datenstand 14.10.2025", or what of it is known.
    pub fn source_line(&self) -> String {
        let mut parts = Vec::new();
        if !self.source.is_empty() {
            parts.push(format!("Quelle: {}", self.source));
        }
        if let Some(stand) = self.stand {
            parts.push(format!("Datenstand {}", format::date(stand)));
        }
        parts.join(" · ")
    }
}

/// The table as CSV for Excel: UTF-8 with BOM, `;`, a header naming title, source, Stand, link
/// and retrieval date, then the rows as the page shows them.
pub fn data_table_csv(
    table: &DataTable,
    about: &FigureAbout,
    link: &str,
    retrieved: &str,
) -> String {
    let stand = about.stand.map(format::date).unwrap_or_default();
    let mut csv = Csv::new();
    csv.row(["Titel", &about.title])
        .row(["Tabelle", &table.caption])
        .row(["Quelle", &about.source])
        .row(["Datenstand", &stand])
        .row(["Link", link])
        .row(["Abgerufen", retrieved])
        .blank()
        .row(&table.header);
    for (head, cells) in &table.rows {
        csv.row(std::iter::once(head).chain(cells));
    }
    csv.finish()
}

/// Width of exported images.
pub const IMAGE_WIDTH: u32 = 900;

/// An image of `width` × `height` (`inner`, a complete `<svg>`) framed with its title above
/// and source, Datenstand and link below, each wrapped to the width: a standalone SVG document.
pub fn framed_svg(inner: &str, width: f64, height: f64, about: &FigureAbout, link: &str) -> String {
    let title = wrap_lines(&about.title, 22.0, width - 48.0);
    let head = 40.0 + 28.0 * (title.len() - 1) as f64 + 40.0;
    let source = wrap_lines(&about.source_line(), 14.0, width - 48.0);
    let links = wrap_lines(link, 13.0, width - 48.0);
    let source_top = head + height + 26.0;
    let link_top = source_top + 18.0 * source.len() as f64 + 4.0;
    let total = link_top + 17.0 * (links.len() - 1) as f64 + 20.0;
    let inner = inner
        .trim_start_matches(|c: char| c != '<')
        .trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let lines = |top: f64, step: f64, lines: &[String], attributes: &str| -> String {
        lines
            .iter()
            .enumerate()
            .map(|(idx, line)| {
                format!(
                    r##"<text x="24" y="{}" {attributes}>{}</text>"##,
                    top + step * idx as f64,
                    xml(line)
                )
            })
            .collect()
    };
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total}" viewBox="0 0 {width} {total}" font-family="Atkinson Hyperlegible, DejaVu Sans, Arial, sans-serif"><rect width="{width}" height="{total}" fill="#ffffff"/>{title}<g transform="translate(0,{head})">{inner}</g>{source}{link}</svg>"##,
        title = lines(
            40.0,
            28.0,
            &title,
            r##"font-size="22" font-weight="700" fill="#111111""##
        ),
        source = lines(
            source_top,
            18.0,
            &source,
            r##"font-size="14" fill="#333333""##
        ),
        link = lines(link_top, 17.0, &links, r##"font-size="13" fill="#0b4f8a""##),
    )
}

/// Draws `chart` as SVG through ECharts' server-side renderer (no element, no canvas), with
/// the German number formatting of the page.
fn chart_svg(
    chart: &Chart,
    style: &NumberStyle,
    width: u32,
    height: u32,
) -> Result<String, JsValue> {
    let window: JsValue = web_sys::window()
        .ok_or_else(|| JsValue::from_str("kein Fenster"))?
        .into();
    let echarts = Reflect::get(&window, &JsValue::from_str("echarts"))?;
    let function = |target: &JsValue, name: &str| -> Result<js_sys::Function, JsValue> {
        Reflect::get(target, &JsValue::from_str(name))?
            .dyn_into()
            .map_err(|_| JsValue::from_str(name))
    };
    let options = js_sys::Object::new();
    Reflect::set(&options, &"renderer".into(), &"svg".into())?;
    Reflect::set(&options, &"ssr".into(), &JsValue::TRUE)?;
    Reflect::set(&options, &"width".into(), &width.into())?;
    Reflect::set(&options, &"height".into(), &height.into())?;
    let instance =
        function(&echarts, "init")?.call3(&echarts, &JsValue::NULL, &JsValue::NULL, &options)?;
    let option = serde::Serialize::serialize(
        &chart.clone().animation(false).background_color("#ffffff"),
        &serde_wasm_bindgen::Serializer::json_compatible(),
    )
    .map_err(|error| JsValue::from_str(&error.to_string()))?;
    function(&instance, "setOption")?.call1(&instance, &option)?;
    german_numbers(&instance, style);
    let svg = function(&instance, "renderToSVGString")?.call0(&instance)?;
    function(&instance, "dispose")?.call0(&instance)?;
    svg.as_string().ok_or_else(|| JsValue::from_str("kein SVG"))
}

/// The address of the page as shown, for the image and the CSV: the web address in a browser,
/// the page's path in the app (which has no address to share).
fn page_link(backend: Backend) -> String {
    let Some(location) = web_sys::window().map(|window| window.location()) else {
        return String::new();
    };
    let path = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    match backend {
        Backend::Web | Backend::Worker => {
            format!("{}{path}", location.origin().unwrap_or_default())
        }
        Backend::Tauri => format!("FOKUS-App: {path}"),
    }
}

/// What an image export draws: an ECharts chart, or a ready SVG of the given size.
#[derive(Clone)]
pub enum Picture {
    Chart {
        chart: Box<Chart>,
        style: NumberStyle,
        height: u32,
    },
    Svg {
        svg: String,
        width: f64,
        height: f64,
    },
}

/// "Diagramm als PNG / SVG" and "Tabelle als CSV", with what happened in words.
#[component]
pub fn ExportBar(
    picture: Picture,
    table: DataTable,
    about: FigureAbout,
    testid: String,
) -> impl IntoView {
    let backend = use_app().backend;
    let status = RwSignal::new(None::<String>);
    let held = StoredValue::new((picture, table, about));
    let save_picture = move |png: bool| {
        let (picture, _, about) = held.get_value();
        let link = page_link(backend);
        let framed = match picture {
            Picture::Chart {
                chart,
                style,
                height,
            } => chart_svg(&chart, &style, IMAGE_WIDTH, height).map(|svg| {
                framed_svg(
                    &svg,
                    f64::from(IMAGE_WIDTH),
                    f64::from(height),
                    &about,
                    &link,
                )
            }),
            Picture::Svg { svg, width, height } => {
                Ok(framed_svg(&svg, width, height, &about, &link))
            }
        };
        leptos::task::spawn_local(async move {
            let message = match framed {
                Ok(svg) => save_image(backend, &about.stem, svg, png).await,
                Err(_) => "Das Bild konnte nicht erzeugt werden.".to_owned(),
            };
            status.set(Some(message));
        });
    };
    let save_csv = move |_| {
        let (_, table, about) = held.get_value();
        let csv = data_table_csv(
            &table,
            &about,
            &page_link(backend),
            &format::iso_date(&crate::beschluss::today()),
        );
        leptos::task::spawn_local(async move {
            let name = format!("{}.csv", about.stem);
            status.set(Some(
                save_export(backend, &name, "text/csv;charset=utf-8", csv.into_bytes()).await,
            ));
        });
    };
    view! {
        <div class="share chart-export">
            <button class="button secondary" data-testid=format!("{testid}-png") on:click=move |_| save_picture(true)>"Diagramm als PNG"</button>
            <button class="button secondary" data-testid=format!("{testid}-svg") on:click=move |_| save_picture(false)>"Diagramm als SVG"</button>
            <button class="button secondary" data-testid=format!("{testid}-csv") on:click=save_csv>"Tabelle als CSV"</button>
            <p class="share-status" role="status" data-testid=format!("{testid}-status")>{move || status.get()}</p>
        </div>
    }
}

/// The table under a figure, folded: it scrolls sideways on a narrow screen and can be reached
/// and scrolled by keyboard.
#[component]
pub fn FigureTable(
    table: DataTable,
    testid: String,
    #[prop(optional)] row_testid: &'static str,
    /// Shown unfolded (the page's main table rather than a chart's companion).
    #[prop(optional)]
    open: bool,
) -> impl IntoView {
    let header = table
        .header
        .iter()
        .map(|head| view! { <th scope="col">{head.clone()}</th> })
        .collect_view();
    let rows = table
        .rows
        .iter()
        .map(|(head, cells)| {
            let cells = cells
                .iter()
                .map(|cell| view! { <td>{cell.clone()}</td> })
                .collect_view();
            view! { <tr data-testid=row_testid><th scope="row">{head.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <details class="table-details" open=open>
            <summary>{format!("{} als Tabelle", table.caption)}</summary>
            <ScrollTable label=table.caption.clone()>
                <table class="values" data-testid=testid>
                    <caption class="visually-hidden">{table.caption.clone()}</caption>
                    <thead><tr>{header}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </ScrollTable>
        </details>
    }
}

/// A chart with its source line, its exports and its table.
#[component]
pub fn Figure(
    id: &'static str,
    chart: Chart,
    #[prop(optional)] dark_chart: Option<Chart>,
    height: u32,
    description: String,
    style: NumberStyle,
    testid: &'static str,
    table: DataTable,
    about: FigureAbout,
    #[prop(optional)] row_testid: &'static str,
) -> impl IntoView {
    let source_line = about.source_line();
    let picture = Picture::Chart {
        chart: Box::new(chart.clone()),
        style: style.clone(),
        height,
    };
    let export = view! { <ExportBar picture=picture table=table.clone() about=about testid=testid.to_owned()/> };
    let chart = match dark_chart {
        Some(dark_chart) => view! { <EChart id=id chart=chart dark_chart=dark_chart height=height description=description style=style testid=testid/> }.into_any(),
        None => view! { <EChart id=id chart=chart height=height description=description style=style testid=testid/> }.into_any(),
    };
    view! {
        {chart}
        <p class="figure-source" data-testid=format!("{testid}-source")>{source_line}</p>
        {export}
        <FigureTable table=table testid=format!("{testid}-table") row_testid=row_testid/>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_table_as_csv_defuses_formulas_and_keeps_numbers() {
        let table = DataTable {
            caption: "Ausgaben je Leistung".into(),
            header: vec!["Leistung".into(), "2024".into(), "Veränderung".into()],
            rows: vec![
                ("=1+1".into(), vec!["12.345".into(), "-2,1 %".into()]),
                ("Hilfe; zur Pflege".into(), vec!["+cmd".into(), "".into()]),
            ],
        };
        let about = FigureAbout {
            title: "@Titel".into(),
            source: "Kreis".into(),
            stand: None,
            stem: "sozialausgaben".into(),
        };
        let csv = data_table_csv(&table, &about, "https://fokus.example/", "27.11.2026");
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "Titel;'@Titel");
        assert!(lines.contains(&"'=1+1;12.345;-2,1 %"), "{lines:?}");
        assert!(lines.contains(&"\"Hilfe; zur Pflege\";'+cmd;"), "{lines:?}");
    }
}
