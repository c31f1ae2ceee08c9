//! The time-series chart (charming, i.e. ECharts bundled with the app): up to five areas against
//! Kreis, Land and Bund.

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

/// Colours of the areas in focus: dark enough for 3:1 against white (WCAG 1.4.11), apart from
/// the Kreis's red and from each other in hue and lightness; the first is the strongest.
const FOCUS_COLOURS: [&str; 5] = ["#0b4f8a", "#7b3294", "#1b7837", "#8c510a", "#c51b7d"];
/// The same roles on the dark page: light enough for 3:1 against its cards.
const FOCUS_COLOURS_DARK: [&str; 5] = ["#8cc4ff", "#d7a9e3", "#7fd49a", "#f0b35a", "#f49ac2"];

/// How a line looks: the areas in focus (the first `n_focus` lines) by colour, the references
/// by level and line style, so they are told apart without colour too.
pub fn line_look(
    line_idx: usize,
    n_focus: usize,
    kind: AreaKind,
    dark: bool,
) -> (&'static str, LineStyleType, f64) {
    if line_idx < n_focus {
        let width = if line_idx == 0 { 4.0 } else { 3.0 };
        let colours = if dark {
            FOCUS_COLOURS_DARK
        } else {
            FOCUS_COLOURS
        };
        return (
            colours[line_idx % colours.len()],
            LineStyleType::Solid,
            width,
        );
    }
    let (light, on_dark, style, width) = match kind {
        AreaKind::Amt
        | AreaKind::AmtsfreieGemeinde
        | AreaKind::Gemeinde
        | AreaKind::KreisfreieStadt
        | AreaKind::Kreis => ("#c0392b", "#ff8a7a", LineStyleType::Solid, 3.0),
        AreaKind::Land => ("#5b6770", "#b8c1cc", LineStyleType::Dashed, 2.5),
        AreaKind::Bund => ("#111111", "#f1f3f5", LineStyleType::Dotted, 2.5),
    };
    (if dark { on_dark } else { light }, style, width)
}

/// The chart of `series`; its first `n_focus` lines are the areas in focus.
pub fn build_chart(series: &AreaSeries, n_focus: usize, dark: bool) -> Chart {
    let years: Vec<String> = series.years.iter().map(u16::to_string).collect();
    // The legend wraps on a tablet; the plot starts below its rows (estimated from the names:
    // about 8 px a character and 50 px for the symbol, in a row of about 620 px).
    let legend_width: usize = series
        .lines
        .iter()
        .map(|line| line.name.chars().count() * 8 + 50)
        .sum();
    let legend_rows = legend_width.div_ceil(620).max(1) as i64;
    let mut chart = frame(
        Grid::new()
            .left(64)
            .right(24)
            .top(32 + 26 * legend_rows)
            .bottom(48),
        16,
    )
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
        let (colour, style, width) = line_look(line_idx, n_focus, line.kind, dark);
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
pub fn SeriesChart(
    series: AreaSeries,
    /// How many of the first lines are areas in focus (the rest are references).
    n_focus: usize,
) -> impl IntoView {
    let chart = build_chart(&series, n_focus, false);
    let dark_chart = build_chart(&series, n_focus, true);
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
        year_axis: false,
    };
    view! {
        <EChart id=CHART_ID chart=chart dark_chart=dark_chart height=CHART_HEIGHT description=description style=style testid="series-chart"/>
    }
}
