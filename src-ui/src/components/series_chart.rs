//! The time-series chart (charming, i.e. ECharts bundled with the app): an area against Kreis,
//! Land and Bund.

use charming::component::{Axis, Grid};
use charming::datatype::{CompositeValue, DataPoint};
use charming::element::{AxisType, LineStyle, LineStyleType};
use charming::series::Line;
use charming::Chart;
use fokus_model::{AreaKind, AreaSeries};
use leptos::prelude::*;

use crate::components::chart::{frame, labels, EChart, NumberStyle, ValueAxis};

const CHART_ID: &str = "series-chart";
const CHART_HEIGHT: u32 = 380;

/// The area in focus (the first line) is the strongest; references are told apart by level
/// and line style, not by colour alone.
fn line_colour(line_idx: usize, kind: AreaKind) -> (&'static str, LineStyleType, f64) {
    if line_idx == 0 {
        return ("#0b4f8a", LineStyleType::Solid, 4.0);
    }
    match kind {
        AreaKind::Amt
        | AreaKind::AmtsfreieGemeinde
        | AreaKind::Gemeinde
        | AreaKind::KreisfreieStadt => ("#0b4f8a", LineStyleType::Solid, 3.0),
        AreaKind::Kreis => ("#c0392b", LineStyleType::Solid, 3.0),
        AreaKind::Land => ("#5b6770", LineStyleType::Dashed, 2.5),
        AreaKind::Bund => ("#111111", LineStyleType::Dotted, 2.5),
    }
}

pub fn build_chart(series: &AreaSeries) -> Chart {
    let years: Vec<String> = series.years.iter().map(u16::to_string).collect();
    let mut chart = frame(Grid::new().left(64).right(24).top(56).bottom(48), 16)
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(years)
                .axis_label(labels(15)),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .name(series.indicator.unit.clone())
                .scale(true)
                .axis_label(labels(15)),
        );
    for (line_idx, line) in series.lines.iter().enumerate() {
        let (colour, style, width) = line_colour(line_idx, line.kind);
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

#[component]
pub fn SeriesChart(series: AreaSeries) -> impl IntoView {
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
    let style = NumberStyle {
        axis: ValueAxis::Y,
        decimals: series.indicator.decimals,
        unit: series.indicator.unit.clone(),
        absolute: false,
    };
    view! {
        <EChart id=CHART_ID chart=chart height=CHART_HEIGHT description=description style=style testid="series-chart"/>
    }
}
