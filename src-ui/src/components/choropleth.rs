//! The choropleth: the deployment's map areas as SVG, coloured by class, focusable and
//! selectable. The boundaries come from the server with the catalogue; nothing about one county
//! is compiled in.

use fokus_map::{class_colour, MapArea, MapLayout, GAP_COLOUR};
use fokus_model::classify::class_of;
use fokus_model::{Catalog, Cell, DatasetInfo, MapView};
use leptos::prelude::*;

use crate::format;

/// The map as drawn: the laid-out areas and the label of the inset, if there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct MapFrame {
    pub layout: MapLayout,
    pub inset_label: String,
}

/// Lays out the current areas of the deployment's map level with their insets; `None` when
/// the catalogue has no drawable area.
pub fn map_frame(catalog: &Catalog) -> Option<MapFrame> {
    let dataset = catalog
        .dataset
        .clone()
        .unwrap_or_else(|| DatasetInfo::titled("", false));
    let areas: Vec<MapArea<'_>> = catalog
        .areas
        .iter()
        .filter(|area| !area.retired && dataset.is_map_kind(area.kind))
        .filter_map(|area| {
            Some(MapArea {
                id: &area.id,
                name: &area.name,
                geometry: area.geometry.as_deref()?,
            })
        })
        .collect();
    let insets: Vec<&str> = dataset
        .insets
        .iter()
        .map(|inset| inset.area.as_str())
        .collect();
    let layout = fokus_map::layout(&areas, &insets, 800.0, 600.0).ok()?;
    let inset_label = dataset
        .insets
        .iter()
        .map(|inset| inset.label.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    Some(MapFrame {
        layout,
        inset_label,
    })
}

pub fn fill_for(view: &MapView, cell: Option<Cell>) -> &'static str {
    match cell.and_then(Cell::value) {
        Some(value) => class_colour(
            class_of(value, &view.breaks),
            view.breaks.len() + 1,
            view.indicator.polarity,
        ),
        None => GAP_COLOUR,
    }
}

#[component]
pub fn Choropleth(
    view: MapView,
    frame: Option<MapFrame>,
    selected: RwSignal<Option<String>>,
) -> impl IntoView {
    let Some(MapFrame {
        layout,
        inset_label,
    }) = frame
    else {
        return view! {
            <p class="error" role="alert">"Für die Karte liegen keine lesbaren Gebietsgrenzen vor."</p>
        }
        .into_any();
    };
    let decimals = view.indicator.decimals;
    let unit = view.indicator.unit.clone();
    let shapes = layout
        .shapes
        .iter()
        .map(|shape| {
            let value = view.areas.iter().find(|value| value.area == shape.area);
            let cell = value.and_then(|value| value.cell);
            let fill = fill_for(&view, cell);
            let label = format!("{}: {}", shape.name, format::cell(cell, decimals, &unit));
            let title = label.clone();
            let area_id = shape.area.clone();
            let area_for_key = shape.area.clone();
            let area_for_class = shape.area.clone();
            let is_selected = move || selected.get().as_deref() == Some(area_for_class.as_str());
            let data_value = cell
                .and_then(Cell::value)
                .map(|value| value.to_string())
                .unwrap_or_default();
            view! {
                <path
                    d=shape.path.clone()
                    fill=fill
                    class="area"
                    class:selected=is_selected
                    tabindex="0"
                    role="button"
                    aria-label=label
                    data-testid=format!("area-{}", shape.area)
                    data-fill=fill
                    data-value=data_value
                    on:click=move |_| selected.set(Some(area_id.clone()))
                    on:keydown=move |event| {
                        if event.key() == "Enter" || event.key() == " " {
                            event.prevent_default();
                            selected.set(Some(area_for_key.clone()));
                        }
                    }
                >
                    <title>{title}</title>
                </path>
            }
        })
        .collect_view();
    let outline_shapes = layout.shapes.clone();
    let outline = move || {
        let selected_id = selected.get()?;
        let shape = outline_shapes
            .iter()
            .find(|shape| shape.area == selected_id)?;
        Some(view! { <path d=shape.path.clone() class="selection-outline" aria-hidden="true"/> })
    };
    let inset = layout.inset_frame.map(|(x, y, width, height)| {
        view! {
            <g class="inset" aria-hidden="true">
                <rect x=x y=y width=width height=height class="inset-frame"/>
                <text x=x + 6.0 y=y + height + 18.0 class="inset-label">{inset_label.clone()}</text>
            </g>
        }
    });
    view! {
        <svg
            class="map"
            viewBox=format!("0 0 {} {}", layout.width, layout.height)
            role="group"
            aria-label=format!("Karte: {} {}", view.indicator.name, view.year)
            data-testid="map"
            data-indicator=view.indicator.id.clone()
            data-year=view.year
        >
            {inset}
            {shapes}
            {outline}
        </svg>
    }
    .into_any()
}

/// The legend: one swatch per class with its value range, plus the gap colour.
#[component]
pub fn Legend(view: MapView) -> impl IntoView {
    let values: Vec<f64> = view
        .areas
        .iter()
        .filter_map(|value| value.cell.and_then(Cell::value))
        .collect();
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let decimals = view.indicator.decimals;
    let n_classes = view.breaks.len() + 1;
    let mut bounds = vec![min];
    bounds.extend(view.breaks.iter().copied());
    bounds.push(max);
    let has_gaps = view
        .areas
        .iter()
        .any(|value| value.cell.and_then(Cell::value).is_none());
    let rows = (0..n_classes)
        .filter(|_| !values.is_empty())
        .map(|class_idx| {
            let colour = class_colour(class_idx, n_classes, view.indicator.polarity);
            let from = format::number(bounds[class_idx], decimals);
            let to = format::number(bounds[class_idx + 1], decimals);
            let text = if class_idx == 0 {
                format!("{from} bis {to}")
            } else {
                format!("über {from} bis {to}")
            };
            view! {
                <li><span class="swatch" style=format!("background:{colour}")></span>{text}</li>
            }
        })
        .collect_view();
    view! {
        <div class="legend" data-testid="legend">
            <p class="legend-title">{format!("{} in {}", view.indicator.short_name, view.indicator.unit)}</p>
            <ul>
                {rows}
                {has_gaps.then(|| view! {
                    <li><span class="swatch" style=format!("background:{GAP_COLOUR}")></span>"keine Daten / geheim gehalten"</li>
                })}
            </ul>
        </div>
    }
}
