//! The choropleth: the deployment's map areas as SVG, coloured by class, focusable and
//! selectable. The boundaries come from the server with the catalogue; nothing about one county
//! is compiled in.

use fokus_map::{MapArea, MapLayout, GAP_COLOUR, SUPPRESSED_PATTERN};
use fokus_model::view::Level;
use fokus_model::{AreaKind, Catalog, Cell, DatasetInfo, Indicator, IndicatorTable};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::explorer::{map_labels, suppressed_fill, Painted};
use crate::format;

/// The map as drawn: the laid-out areas and the label of the inset, if there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct MapFrame {
    pub layout: MapLayout,
    pub inset_label: String,
}

/// Lays out the current areas of a level with the deployment's insets; `None` when the
/// catalogue has no drawable area of it.
pub fn map_frame(catalog: &Catalog, level: Level) -> Option<MapFrame> {
    let dataset = catalog
        .dataset
        .clone()
        .unwrap_or_else(|| DatasetInfo::titled("", false));
    let areas: Vec<MapArea<'_>> = catalog
        .areas
        .iter()
        .filter(|area| {
            !area.retired
                && match level {
                    Level::Map => dataset.is_map_kind(area.kind),
                    Level::Gemeinde => area.kind == AreaKind::Gemeinde,
                }
        })
        .filter_map(|area| {
            Some(MapArea {
                id: &area.id,
                name: &area.name,
                geometry: area.geometry.as_deref()?,
            })
        })
        .collect();
    // An inset configured for a map area holds its Gemeinden on the Gemeinde level.
    let inset_areas: Vec<&str> = dataset
        .insets
        .iter()
        .map(|inset| inset.area.as_str())
        .collect();
    let insets: Vec<&str> = catalog
        .areas
        .iter()
        .filter(|area| {
            inset_areas.contains(&area.id.as_str())
                || area
                    .parent
                    .as_deref()
                    .is_some_and(|parent| inset_areas.contains(&parent))
        })
        .map(|area| area.id.as_str())
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

/// The areas in geographic reading order (north to south in bands, west to east within a
/// band), for moving between them with the arrow keys.
pub fn reading_order(layout: &MapLayout) -> Vec<String> {
    let band = layout.height / 8.0;
    let mut shapes: Vec<&fokus_map::MapShape> = layout.shapes.iter().collect();
    shapes.sort_by(|a, b| {
        let band_a = (a.label.1 / band).floor();
        let band_b = (b.label.1 / band).floor();
        band_a
            .total_cmp(&band_b)
            .then(a.label.0.total_cmp(&b.label.0))
    });
    shapes.into_iter().map(|shape| shape.area.clone()).collect()
}

/// The map: areas filled as `painted` says, named inside each area, selectable by click, tap
/// and keyboard (Tab or the arrow keys to move, Enter to select).
/// After the first map of this page load is on screen (two animation frames after it was built:
/// the first runs before that paint, the second after it), the shell is told, once.
fn announce_first_paint() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static ANNOUNCED: AtomicBool = AtomicBool::new(false);
    if ANNOUNCED.swap(true, Ordering::Relaxed) {
        return;
    }
    let backend = crate::app::use_app().backend;
    request_animation_frame(move || {
        request_animation_frame(move || leptos::task::spawn_local(backend.first_paint()));
    });
}

#[component]
pub fn Choropleth(
    table: IndicatorTable,
    painted: Painted,
    frame: Option<MapFrame>,
    /// The selected area (the value card shows it).
    selected: Signal<Option<String>>,
    on_select: Callback<String>,
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
    announce_first_paint();
    let indicator = table.indicator.clone();
    let year_idx = table.year_idx(painted.year);
    let order = reading_order(&layout);
    let zoom = Zoom::new(layout.width, layout.height);
    let neighbour = move |area: &str, step: isize| -> Option<String> {
        let idx = order.iter().position(|known| known == area)? as isize;
        let next = (idx + step).rem_euclid(order.len() as isize) as usize;
        order.get(next).cloned()
    };
    let focus_area = |area: &str| {
        if let Some(element) = document()
            .query_selector(&format!("[data-testid=area-{area}]"))
            .ok()
            .flatten()
            .and_then(|element| element.dyn_into::<web_sys::SvgElement>().ok())
        {
            let _ = element.focus();
        }
    };
    let shapes = layout
        .shapes
        .iter()
        .map(|shape| {
            let row = table.areas.iter().find(|row| row.area == shape.area);
            let cell = row.and_then(|row| year_idx.and_then(|idx| row.cell(idx)));
            let fill = painted
                .fills
                .get(&shape.area)
                .cloned()
                .unwrap_or_else(|| GAP_COLOUR.to_owned());
            let label = format!(
                "{}: {}",
                shape.name,
                format::cell(cell, indicator.decimals, &indicator.unit)
            );
            let title = label.clone();
            let area_id = shape.area.clone();
            let area_for_key = shape.area.clone();
            let area_for_class = shape.area.clone();
            let is_selected = move || selected.get().as_deref() == Some(area_for_class.as_str());
            let data_value = cell
                .and_then(Cell::value)
                .map(|value| value.to_string())
                .unwrap_or_default();
            let neighbour = neighbour.clone();
            view! {
                <path
                    d=shape.path.clone()
                    fill=fill.clone()
                    class="area"
                    class:selected=is_selected
                    tabindex="0"
                    role="button"
                    aria-label=label
                    data-testid=format!("area-{}", shape.area)
                    data-fill=fill
                    data-value=data_value
                    data-area=area_id
                    data-label=format!("{:.1},{:.1}", shape.label.0, shape.label.1)
                    on:keydown=move |event| {
                        let step = match event.key().as_str() {
                            "Enter" | " " => {
                                event.prevent_default();
                                on_select.run(area_for_key.clone());
                                return;
                            }
                            "ArrowRight" | "ArrowDown" => 1,
                            "ArrowLeft" | "ArrowUp" => -1,
                            _ => return,
                        };
                        event.prevent_default();
                        if let Some(next) = neighbour(&area_for_key, step) {
                            focus_area(&next);
                        }
                    }
                >
                    <title>{title}</title>
                </path>
            }
        })
        .collect_view();
    // Labels grow with the reader's text size (and fewer fit); redrawn when it changes.
    let app = crate::app::use_app();
    let text_scale = Memo::new(move |_| {
        app.personal.with(|personal| {
            personal.as_ref().map_or(1.0, |personal| {
                f64::from(personal.display.text_size) / 100.0
            })
        })
    });
    let label_layout = layout.clone();
    let label_painted = painted.clone();
    let labels = move || {
        map_labels(&label_layout, &label_painted, text_scale.get())
            .into_iter()
            .map(|label| {
                view! {
                    <text
                        x=label.x
                        y=label.y
                        class="area-label"
                        style=format!("font-size:{}px", label.size)
                        fill=label.ink
                        stroke=label.halo
                        aria-hidden="true"
                        data-testid=format!("label-{}", label.area)
                    >{label.text.to_owned()}</text>
                }
            })
            .collect_view()
    };
    // A finger needs 44 × 44 px. An area without a 44 px disk around its label point (small or
    // thin as drawn) also answers a tap within 22 px of that point, even where a neighbour lies
    // under the finger; the nearest such area wins.
    let tap_targets: Vec<(String, (f64, f64), f64)> = layout
        .shapes
        .iter()
        .map(|shape| (shape.area.clone(), shape.label, shape.clearance))
        .collect();
    let on_tap = move |event: web_sys::MouseEvent| {
        if zoom.dragged.get_untracked() {
            return;
        }
        let hit = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("path.area").ok().flatten())
            .and_then(|element| element.get_attribute("data-area"));
        let Some(svg) = event
            .current_target()
            .and_then(|target| target.dyn_into::<web_sys::SvgGraphicsElement>().ok())
        else {
            return;
        };
        let chosen = svg.get_screen_ctm().and_then(|ctm| {
            // Map units to screen pixels: x' = a·x + c·y + e, y' = b·x + d·y + f (no rotation).
            let scale = f64::from(ctm.a());
            let to_screen = |(x, y): (f64, f64)| {
                (
                    scale * x + f64::from(ctm.e()),
                    f64::from(ctm.d()) * y + f64::from(ctm.f()),
                )
            };
            let finger = (f64::from(event.client_x()), f64::from(event.client_y()));
            // Small: no 44 px disk around the label point fits inside the area as drawn.
            let small = |clearance: f64| 2.0 * clearance * scale < fokus_map::TOUCH_TARGET_PX;
            let distance = |label: (f64, f64)| {
                let (x, y) = to_screen(label);
                ((x - finger.0).powi(2) + (y - finger.1).powi(2)).sqrt()
            };
            // Within the 44 px disk around the name of an area large enough to hold it: that
            // area. Otherwise the small area whose name is nearest, within 22 px (two small
            // neighbours share the space between their names); otherwise what is under the finger.
            if let Some(hit) = &hit {
                let own = tap_targets.iter().find(|(area, _, _)| area == hit);
                if own.is_some_and(|(_, label, clearance)| {
                    !small(*clearance) && distance(*label) <= fokus_map::TOUCH_TARGET_PX / 2.0
                }) {
                    return Some(hit.clone());
                }
            }
            tap_targets
                .iter()
                .filter(|(_, _, clearance)| small(*clearance))
                .map(|(area, label, _)| (area, distance(*label)))
                .filter(|(_, distance)| *distance <= fokus_map::TOUCH_TARGET_PX / 2.0)
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(area, _)| area.clone())
        });
        if let Some(area) = chosen.or(hit) {
            on_select.run(area);
        }
    };
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
        <div class="map-frame">
        <div class="map-zoom" role="group" aria-label="Kartenausschnitt">
            <button class="button secondary icon" on:click=move |_| zoom.by(1.5) aria-label="Karte vergrößern" data-testid="map-zoom-in">"+"</button>
            <button class="button secondary icon" on:click=move |_| zoom.by(1.0 / 1.5) disabled={move || zoom.scale.get() <= 1.0} aria-label="Karte verkleinern" data-testid="map-zoom-out">"−"</button>
            <button class="button secondary" on:click=move |_| zoom.reset() hidden={move || zoom.scale.get() <= 1.0} data-testid="map-zoom-reset">"Ganze Karte"</button>
        </div>
        <svg
            class="map"
            class:zoomed={move || zoom.scale.get() > 1.0}
            viewBox=move || zoom.view_box()
            on:pointerdown=move |event| zoom.pointer_down(&event)
            on:pointermove=move |event| zoom.pointer_move(&event)
            on:pointerup=move |event| zoom.pointer_up(&event)
            on:pointercancel=move |event| zoom.pointer_up(&event)
            on:click=on_tap
            role="group"
            aria-label=format!("Karte: {} {}", indicator.name, painted.year)
            data-testid="map"
            data-indicator=indicator.id.clone()
            data-year=painted.year
        >
            <defs>
                <pattern id=SUPPRESSED_PATTERN patternUnits="userSpaceOnUse" width="8" height="8" patternTransform="rotate(45)">
                    <rect width="8" height="8" fill="#ececec"/>
                    <line x1="0" y1="0" x2="0" y2="8" stroke="#6b6b6b" stroke-width="3"/>
                </pattern>
            </defs>
            {inset}
            {shapes}
            {outline}
            <g class="labels">{labels}</g>
        </svg>
        </div>
        <p class="hint" aria-live="polite">{move || if zoom.scale.get() > 1.0 { "Zum Verschieben ziehen; mit zwei Fingern zoomen." } else { "" }}</p>
    }
    .into_any()
}

/// The map's zoom and pan: buttons for everyone, dragging and a two-finger pinch while zoomed
/// (only then does the map take touch gestures from the page, which scrolls normally otherwise).
#[derive(Clone, Copy)]
struct Zoom {
    width: f64,
    height: f64,
    /// 1 is the whole map; at most [`MAX_ZOOM`].
    scale: RwSignal<f64>,
    /// The centre of the view, in map units.
    centre: RwSignal<(f64, f64)>,
    /// Pointers down on the map: id and last position in screen pixels.
    pointers: RwSignal<Vec<(i32, f64, f64)>>,
    /// The last gesture moved the map, so its click selects nothing.
    dragged: RwSignal<bool>,
}

const MAX_ZOOM: f64 = 6.0;

impl Zoom {
    fn new(width: f64, height: f64) -> Zoom {
        Zoom {
            width,
            height,
            scale: RwSignal::new(1.0),
            centre: RwSignal::new((width / 2.0, height / 2.0)),
            pointers: RwSignal::new(Vec::new()),
            dragged: RwSignal::new(false),
        }
    }

    fn view_box(self) -> String {
        let scale = self.scale.get();
        let (cx, cy) = self.centre.get();
        let (w, h) = (self.width / scale, self.height / scale);
        let x = (cx - w / 2.0).clamp(0.0, self.width - w);
        let y = (cy - h / 2.0).clamp(0.0, self.height - h);
        format!("{x:.1} {y:.1} {w:.1} {h:.1}")
    }

    fn by(self, factor: f64) {
        let next = (self.scale.get_untracked() * factor).clamp(1.0, MAX_ZOOM);
        self.scale.set(next);
        self.keep_centre_inside();
    }

    fn reset(self) {
        self.scale.set(1.0);
        self.centre.set((self.width / 2.0, self.height / 2.0));
    }

    fn keep_centre_inside(self) {
        let scale = self.scale.get_untracked();
        let (w, h) = (self.width / scale, self.height / scale);
        self.centre.update(|(cx, cy)| {
            *cx = cx.clamp(w / 2.0, self.width - w / 2.0);
            *cy = cy.clamp(h / 2.0, self.height - h / 2.0);
        });
    }

    fn pointer_down(self, event: &web_sys::PointerEvent) {
        if self.pointers.with_untracked(Vec::is_empty) {
            self.dragged.set(false);
        }
        let id = event.pointer_id();
        self.pointers.update(|pointers| {
            pointers.retain(|(known, _, _)| *known != id);
            pointers.push((id, f64::from(event.client_x()), f64::from(event.client_y())));
        });
    }

    fn pointer_move(self, event: &web_sys::PointerEvent) {
        let scale = self.scale.get_untracked();
        let id = event.pointer_id();
        let (x, y) = (f64::from(event.client_x()), f64::from(event.client_y()));
        let pointers = self.pointers.get_untracked();
        let Some(index) = pointers.iter().position(|(known, _, _)| *known == id) else {
            return;
        };
        let rendered = event
            .current_target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .map_or(self.width, |element| {
                f64::from(element.client_width()).max(1.0)
            });
        // Map units per screen pixel at the current zoom.
        let units = self.width / scale / rendered;
        if pointers.len() >= 2 {
            // Pinch: the distance between the first two fingers scales the map.
            let other = pointers[1 - index.min(1)];
            let (_, old_x, old_y) = pointers[index];
            let before = ((old_x - other.1).powi(2) + (old_y - other.2).powi(2)).sqrt();
            let after = ((x - other.1).powi(2) + (y - other.2).powi(2)).sqrt();
            if before > 10.0 {
                self.scale
                    .set((scale * after / before).clamp(1.0, MAX_ZOOM));
                self.keep_centre_inside();
                self.dragged.set(true);
            }
        } else if scale > 1.0 {
            let (_, old_x, old_y) = pointers[index];
            let (dx, dy) = (x - old_x, y - old_y);
            if dx.abs() + dy.abs() > 0.0 {
                self.centre.update(|(cx, cy)| {
                    *cx -= dx * units;
                    *cy -= dy * units;
                });
                self.keep_centre_inside();
                if dx.abs() + dy.abs() > 2.0 {
                    self.dragged.set(true);
                }
            }
        }
        self.pointers.update(|pointers| {
            if let Some(entry) = pointers.iter_mut().find(|(known, _, _)| *known == id) {
                *entry = (id, x, y);
            }
        });
    }

    fn pointer_up(self, event: &web_sys::PointerEvent) {
        let id = event.pointer_id();
        self.pointers
            .update(|pointers| pointers.retain(|(known, _, _)| *known != id));
    }
}

/// The legend: one swatch per class with its range and number of areas, then the hatch for
/// suppressed values and the grey for missing ones, each with its count.
#[component]
pub fn Legend(indicator: Indicator, painted: Painted) -> impl IntoView {
    let rows = painted
        .classes
        .iter()
        .map(|class| {
            view! {
                <li>
                    <span class="swatch" style=format!("background:{}", class.colour)></span>
                    {class.text.clone()}
                    <span class="count">{format!(" ({})", areas_text(class.count))}</span>
                </li>
            }
        })
        .collect_view();
    let centre = painted.centre.clone().map(|(name, value)| {
        view! {
            <p class="legend-centre" data-testid="legend-centre">
                {format!(
                    "Abweichung vom Wert {}: {}. Orange: ungünstiger, lila: günstiger als der Bezugswert.",
                    name,
                    format::with_unit(&format::number(value, indicator.decimals), &indicator.unit)
                )}
            </p>
        }
    });
    let min_cases = indicator.min_cases;
    view! {
        <div class="legend" data-testid="legend">
            <p class="legend-title">{format!("{} in {}", indicator.short_name, indicator.unit)}</p>
            {centre}
            <ul>
                {rows}
                {(painted.suppressed > 0).then(|| view! {
                    <li data-testid="legend-suppressed">
                        <svg class="swatch" viewBox="0 0 20 20" aria-hidden="true"><rect width="20" height="20" fill=suppressed_fill()/></svg>
                        {match min_cases {
                            Some(min) => format!("geheim gehalten, weniger als {min} Fälle"),
                            None => "geheim gehalten (zu wenige Fälle)".to_owned(),
                        }}
                        <span class="count">{format!(" ({})", areas_text(painted.suppressed))}</span>
                    </li>
                })}
                {(painted.missing > 0).then(|| view! {
                    <li data-testid="legend-missing">
                        <span class="swatch" style=format!("background:{GAP_COLOUR}")></span>
                        "keine Daten"
                        <span class="count">{format!(" ({})", areas_text(painted.missing))}</span>
                    </li>
                })}
            </ul>
        </div>
    }
}

fn areas_text(count: usize) -> String {
    match count {
        1 => "1 Gebiet".to_owned(),
        count => format!("{count} Gebiete"),
    }
}

/// Whether the catalogue can draw the Gemeinde level (Gemeinden with boundaries).
pub fn has_gemeinden(catalog: &Catalog) -> bool {
    catalog
        .areas
        .iter()
        .any(|area| area.kind == AreaKind::Gemeinde && !area.retired && area.geometry.is_some())
}

/// The map level in words: the deployment's map kinds ("Ämter, amtsfreie Gemeinden") or
/// "Gemeinden".
pub fn level_label(catalog: &Catalog, level: Level) -> String {
    match level {
        Level::Gemeinde => "Gemeinden".to_owned(),
        Level::Map => {
            let dataset = catalog
                .dataset
                .clone()
                .unwrap_or_else(|| DatasetInfo::titled("", false));
            let mut kinds: Vec<AreaKind> = catalog
                .areas
                .iter()
                .filter(|area| !area.retired && dataset.is_map_kind(area.kind))
                .map(|area| area.kind)
                .collect();
            kinds.sort_by_key(|kind| {
                fokus_model::AREA_KINDS
                    .iter()
                    .position(|known| known == kind)
            });
            kinds.dedup();
            let names: Vec<&str> = kinds.iter().map(|kind| plural_de(*kind)).collect();
            match names.split_last() {
                Some((last, [])) => (*last).to_owned(),
                Some((last, rest)) => format!("{} und {last}", rest.join(", ")),
                None => String::new(),
            }
        }
    }
}

fn plural_de(kind: AreaKind) -> &'static str {
    match kind {
        AreaKind::Amt => "Ämter",
        AreaKind::AmtsfreieGemeinde => "amtsfreie Gemeinden",
        AreaKind::Gemeinde => "Gemeinden",
        AreaKind::Kreis => "Kreise",
        AreaKind::KreisfreieStadt => "kreisfreie Städte",
        AreaKind::Land => "Länder",
        AreaKind::Bund => "Bund",
    }
}
