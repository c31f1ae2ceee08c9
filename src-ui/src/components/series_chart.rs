//! The time-series chart (charming, i.e. ECharts bundled with the app): an area against Kreis,
//! Land and Bund.

use charming::component::{Axis, Grid, Legend};
use charming::datatype::{CompositeValue, DataPoint};
use charming::element::{AxisType, LineStyle, LineStyleType, TextStyle, Tooltip, Trigger};
use charming::renderer::WasmRenderer;
use charming::series::Line;
use charming::Chart;
use fokus_model::{AreaKind, AreaSeries};
use js_sys::Reflect;
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::format;

const CHART_ID: &str = "series-chart";
const CHART_HEIGHT: u32 = 380;

fn line_colour(kind: AreaKind) -> (&'static str, LineStyleType, f64) {
    match kind {
        AreaKind::Amt | AreaKind::AmtsfreieGemeinde | AreaKind::Gemeinde => {
            ("#0b4f8a", LineStyleType::Solid, 4.0)
        }
        AreaKind::Kreis => ("#c0392b", LineStyleType::Solid, 3.0),
        AreaKind::Land => ("#5b6770", LineStyleType::Dashed, 2.5),
        AreaKind::Bund => ("#111111", LineStyleType::Dotted, 2.5),
    }
}

pub fn build_chart(series: &AreaSeries) -> Chart {
    let years: Vec<String> = series.years.iter().map(u16::to_string).collect();
    let mut chart = Chart::new()
        .grid(Grid::new().left(64).right(24).top(56).bottom(48))
        .legend(
            Legend::new()
                .top(8)
                .text_style(TextStyle::new().font_size(16)),
        )
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(years)
                .axis_label(charming::element::AxisLabel::new().font_size(15)),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .name(series.indicator.unit.clone())
                .scale(true)
                .axis_label(charming::element::AxisLabel::new().font_size(15)),
        );
    for line in &series.lines {
        let (colour, style, width) = line_colour(line.kind);
        let data: Vec<DataPoint> = line
            .points
            .iter()
            .map(|(_, value)| match value {
                Some(value) => DataPoint::Value(CompositeValue::from(*value)),
                // ECharts draws a gap for "-".
                None => DataPoint::Value(CompositeValue::from("-")),
            })
            .collect();
        chart = chart.series(
            Line::new()
                .name(line.name.clone())
                .data(data)
                .symbol_size(8)
                .line_style(LineStyle::new().color(colour).width(width).type_(style))
                .item_style(charming::element::ItemStyle::new().color(colour)),
        );
    }
    chart
}

/// Disposes the chart ECharts may already hold for the element, so the new one replaces it
/// instead of merging into it.
fn dispose_previous(element: &web_sys::Element) -> Option<()> {
    let method = |target: &JsValue, name: &str| -> Option<js_sys::Function> {
        Reflect::get(target, &JsValue::from_str(name))
            .ok()?
            .dyn_into()
            .ok()
    };
    let window: JsValue = web_sys::window()?.into();
    let echarts = Reflect::get(&window, &JsValue::from_str("echarts")).ok()?;
    let instance = method(&echarts, "getInstanceByDom")?
        .call1(&echarts, element)
        .ok()?;
    method(&instance, "dispose")?.call0(&instance).ok()?;
    Some(())
}

/// ECharts formats numbers the English way ("6.9"); German readers expect "6,9". Formatters
/// are JS functions, which charming's option types cannot carry, so they are set afterwards.
fn german_numbers(instance: &JsValue, decimals: u8, unit: &str) -> Option<()> {
    let unit = unit.to_owned();
    let axis =
        Closure::<dyn Fn(f64) -> String>::new(move |value: f64| format::number(value, decimals))
            .into_js_value();
    let tooltip =
        Closure::<dyn Fn(JsValue) -> String>::new(move |value: JsValue| match value.as_f64() {
            Some(value) => format::with_unit(&format::number(value, decimals), &unit),
            None => "keine Daten".to_owned(),
        })
        .into_js_value();
    let set = |target: &js_sys::Object, key: &str, value: &JsValue| {
        Reflect::set(target, &JsValue::from_str(key), value).ok()
    };
    let axis_label = js_sys::Object::new();
    set(&axis_label, "formatter", &axis)?;
    let y_axis = js_sys::Object::new();
    set(&y_axis, "axisLabel", &axis_label)?;
    let tooltip_option = js_sys::Object::new();
    set(&tooltip_option, "valueFormatter", &tooltip)?;
    let option = js_sys::Object::new();
    set(&option, "yAxis", &y_axis)?;
    set(&option, "tooltip", &tooltip_option)?;
    let set_option: js_sys::Function = Reflect::get(instance, &JsValue::from_str("setOption"))
        .ok()?
        .dyn_into()
        .ok()?;
    set_option.call1(instance, &option).ok()?;
    Some(())
}

#[component]
pub fn SeriesChart(series: AreaSeries) -> impl IntoView {
    let container = NodeRef::<Div>::new();
    let chart = build_chart(&series);
    let description = format!(
        "Liniendiagramm {}: {} im Vergleich mit {}",
        series.indicator.name,
        series
            .lines
            .first()
            .map(|line| line.name.as_str())
            .unwrap_or_default(),
        series
            .lines
            .iter()
            .skip(1)
            .map(|line| line.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let decimals = series.indicator.decimals;
    let unit = series.indicator.unit.clone();
    Effect::new(move |_| {
        let Some(element) = container.get() else {
            return;
        };
        let width = element.client_width().max(320) as u32;
        dispose_previous(&element);
        match WasmRenderer::new(width, CHART_HEIGHT).render(CHART_ID, &chart) {
            Ok(instance) => {
                german_numbers(&instance, decimals, &unit);
            }
            Err(error) => leptos::logging::error!("Diagramm: {error:?}"),
        }
    });
    view! {
        <div id=CHART_ID node_ref=container class="chart" role="img" aria-label=description data-testid="series-chart"
            style=format!("height:{CHART_HEIGHT}px")></div>
    }
}
