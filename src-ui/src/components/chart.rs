//! One ECharts chart (through charming, bundled with the app) in a `<div>`, with German number
//! formatting on its value axis and tooltip, and a text description for screen readers.

use charming::component::{Grid, Legend};
use charming::element::{AxisLabel, TextStyle, Tooltip, Trigger};
use charming::renderer::WasmRenderer;
use charming::theme::Theme;
use charming::Chart;
use js_sys::Reflect;
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::format;

/// Which axis carries the values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueAxis {
    X,
    Y,
}

/// How values read: decimals, unit, and whether the sign is only direction (a population
/// pyramid draws men to the left as negative numbers).
#[derive(Debug, Clone, PartialEq)]
pub struct NumberStyle {
    pub axis: ValueAxis,
    pub decimals: u8,
    pub unit: String,
    pub absolute: bool,
    /// The other axis counts years on a value scale (so a projection's five-year steps keep
    /// their true width): its labels are written as years, without thousands separators.
    pub year_axis: bool,
}

/// What every chart of the app shares: the plot area, a legend on top in large type, and a
/// tooltip for the whole axis position.
pub fn frame(grid: Grid, legend_font_size: u32) -> Chart {
    Chart::new()
        .grid(grid)
        .legend(
            Legend::new()
                .top(8)
                .text_style(TextStyle::new().font_size(legend_font_size)),
        )
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
}

/// Axis labels at a readable size.
pub fn labels(font_size: u32) -> AxisLabel {
    AxisLabel::new().font_size(font_size)
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

thread_local! {
    /// One observer for every chart on the page: a chart whose box changes size (window resized,
    /// tablet rotated, layout reflowed) is redrawn to fit.
    static RESIZE: Option<web_sys::ResizeObserver> = {
        let callback = Closure::<dyn Fn(js_sys::Array)>::new(|entries: js_sys::Array| {
            for entry in entries.iter() {
                let Ok(entry) = entry.dyn_into::<web_sys::ResizeObserverEntry>() else {
                    continue;
                };
                resize_chart(&entry.target());
            }
        });
        let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok();
        // Lives as long as the page.
        callback.forget();
        observer
    };
}

fn resize_chart(element: &web_sys::Element) -> Option<()> {
    let window: JsValue = web_sys::window()?.into();
    let echarts = Reflect::get(&window, &JsValue::from_str("echarts")).ok()?;
    let get: js_sys::Function = Reflect::get(&echarts, &JsValue::from_str("getInstanceByDom"))
        .ok()?
        .dyn_into()
        .ok()?;
    let instance = get.call1(&echarts, element).ok()?;
    if instance.is_undefined() {
        return None;
    }
    let resize: js_sys::Function = Reflect::get(&instance, &JsValue::from_str("resize"))
        .ok()?
        .dyn_into()
        .ok()?;
    // The chart was created with the container's size at that time; "auto" makes ECharts take
    // the container's width and height again (a plain resize() would keep the first ones; the
    // presentation fits a chart's height to the projector).
    let size = js_sys::Object::new();
    for key in ["width", "height"] {
        Reflect::set(&size, &JsValue::from_str(key), &JsValue::from_str("auto")).ok()?;
    }
    resize.call1(&instance, &size).ok()?;
    Some(())
}

/// ECharts formats numbers the English way ("6.9"); German readers expect "6,9". Formatters
/// are JS functions, which charming's option types cannot carry, so they are set afterwards.
pub fn german_numbers(instance: &JsValue, style: &NumberStyle) -> Option<()> {
    let (decimals, absolute) = (style.decimals, style.absolute);
    let shown = move |value: f64| if absolute { value.abs() } else { value };
    let unit = style.unit.clone();
    let axis = Closure::<dyn Fn(f64) -> String>::new(move |value: f64| {
        format::number(shown(value), decimals)
    })
    .into_js_value();
    let tooltip =
        Closure::<dyn Fn(JsValue) -> String>::new(move |value: JsValue| match value.as_f64() {
            Some(value) => format::with_unit(&format::number(shown(value), decimals), &unit),
            None => "keine Daten".to_owned(),
        })
        .into_js_value();
    let set = |target: &js_sys::Object, key: &str, value: &JsValue| {
        Reflect::set(target, &JsValue::from_str(key), value).ok()
    };
    let axis_label = js_sys::Object::new();
    set(&axis_label, "formatter", &axis)?;
    let value_axis = js_sys::Object::new();
    set(&value_axis, "axisLabel", &axis_label)?;
    let tooltip_option = js_sys::Object::new();
    set(&tooltip_option, "valueFormatter", &tooltip)?;
    let option = js_sys::Object::new();
    let key = match style.axis {
        ValueAxis::X => "xAxis",
        ValueAxis::Y => "yAxis",
    };
    set(&option, key, &value_axis)?;
    if style.year_axis && style.axis == ValueAxis::Y {
        let year = Closure::<dyn Fn(f64) -> String>::new(|value: f64| format!("{}", value.round()))
            .into_js_value();
        let year_label = js_sys::Object::new();
        set(&year_label, "formatter", &year)?;
        // The tooltip's heading is the axis pointer's label, whose formatter gets `{ value }`.
        let pointer_year = Closure::<dyn Fn(JsValue) -> String>::new(|params: JsValue| {
            Reflect::get(&params, &JsValue::from_str("value"))
                .ok()
                .and_then(|value| value.as_f64())
                .map(|value| format!("{}", value.round()))
                .unwrap_or_default()
        })
        .into_js_value();
        let pointer_label = js_sys::Object::new();
        set(&pointer_label, "formatter", &pointer_year)?;
        let pointer = js_sys::Object::new();
        set(&pointer, "label", &pointer_label)?;
        let year_axis = js_sys::Object::new();
        set(&year_axis, "axisLabel", &year_label)?;
        set(&year_axis, "axisPointer", &pointer)?;
        set(&option, "xAxis", &year_axis)?;
    }
    set(&option, "tooltip", &tooltip_option)?;
    let set_option: js_sys::Function = Reflect::get(instance, &JsValue::from_str("setOption"))
        .ok()?
        .dyn_into()
        .ok()?;
    set_option.call1(instance, &option).ok()?;
    Some(())
}

#[component]
pub fn EChart(
    /// The element id ECharts renders into; unique on the page.
    id: &'static str,
    chart: Chart,
    /// The same chart in colours for the dark page, where they differ.
    #[prop(optional)]
    dark_chart: Option<Chart>,
    height: u32,
    /// What the chart shows, for screen readers (the page also offers the numbers as a table).
    description: String,
    style: NumberStyle,
    testid: &'static str,
) -> impl IntoView {
    let container = NodeRef::<Div>::new();
    // Leaving the view: stop watching the box and free the chart.
    on_cleanup(move || {
        if let Some(element) = container.get_untracked() {
            RESIZE.with(|observer| {
                if let Some(observer) = observer {
                    observer.unobserve(&element);
                }
            });
            dispose_previous(&element);
        }
    });
    // No animation: charts appear complete at once, for people who get motion sick
    // (prefers-reduced-motion) and for everyone reading numbers in a council session.
    let chart = chart.animation(false).background_color("transparent");
    let dark_chart = dark_chart
        .map(|chart| chart.animation(false).background_color("transparent"))
        .unwrap_or_else(|| chart.clone());
    let dark = crate::app::use_app().dark;
    Effect::new(move |_| {
        let Some(element) = container.get() else {
            return;
        };
        // ECharts' own dark theme (light text and axes) on the page's dark card.
        let (theme, chart) = if dark.get() {
            (Theme::Dark, &dark_chart)
        } else {
            (Theme::Default, &chart)
        };
        let width = element.client_width().max(320) as u32;
        dispose_previous(&element);
        match WasmRenderer::new(width, height)
            .theme(theme)
            .render(id, chart)
        {
            Ok(instance) => {
                german_numbers(&instance, &style);
                RESIZE.with(|observer| {
                    if let Some(observer) = observer {
                        observer.observe(&element);
                    }
                });
            }
            Err(error) => leptos::logging::error!("Diagramm: {error:?}"),
        }
    });
    view! {
        <div id=id node_ref=container class="chart" role="img" aria-label=description data-testid=testid
            style=format!("height:{height}px")></div>
    }
}
