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
use wasm_bindgen::{JsCast, JsValue};

const CHART_ID: &str = "series-chart";
const CHART_HEIGHT: u32 = 380;

fn line_colour(kind: AreaKind) -> (&'static str, LineStyleType, f64) {
    match kind {
        AreaKind::Amt | AreaKind::AmtsfreieGemeinde => ("#0b4f8a", LineStyleType::Solid, 4.0),
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
    Effect::new(move |_| {
        let Some(element) = container.get() else {
            return;
        };
        let width = element.client_width().max(320) as u32;
        dispose_previous(&element);
        if let Err(error) = WasmRenderer::new(width, CHART_HEIGHT).render(CHART_ID, &chart) {
            leptos::logging::error!("Diagramm: {error:?}");
        }
    });
    view! {
        <div id=CHART_ID node_ref=container class="chart" role="img" aria-label=description data-testid="series-chart"
            style=format!("height:{CHART_HEIGHT}px")></div>
    }
}
