//! Projects the boundaries of the map areas (GeoJSON, WGS84) into SVG path data and chooses
//! choropleth colours. Runs in the UI (wasm32), so the map draws from bundled geometry with no
//! server round trip.

use fokus_model::Polarity;
use geo::{BoundingRect, Coord, Geometry, InteriorPoint, MapCoords, MultiPolygon, Rect};

/// The boundaries bundled with the app: the 18 Ämter and amtsfreie Gemeinden of Kreis
/// Pinneberg. © GeoBasis-DE / BKG 2021 (Daten verändert), dl-de/by-2-0.
pub const PINNEBERG_AREAS_GEOJSON: &str =
    include_str!("../../../assets/geo/pinneberg_aemter.geojson");

/// Licence notice that must be visible wherever the map is shown.
pub const ATTRIBUTION: &str = "© GeoBasis-DE / BKG 2021 (Daten verändert), dl-de/by-2-0";

/// Areas drawn in an inset instead of at their true place: Helgoland lies 60 km out in the North
/// Sea and would shrink the rest of the Kreis to a corner of the map.
pub const PINNEBERG_INSETS: &[&str] = &["010560025"];

#[derive(Debug, thiserror::Error)]
pub enum MapError {
    #[error("GeoJSON is not readable: {0}")]
    Parse(String),
    #[error("feature {index} has no `{property}` property")]
    MissingProperty {
        index: usize,
        property: &'static str,
    },
    #[error("feature {id} has no polygon geometry")]
    NotAPolygon { id: String },
    #[error("no features to draw")]
    Empty,
}

/// One area, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct MapShape {
    pub area: String,
    pub name: String,
    /// SVG path data in the layout's coordinate system.
    pub path: String,
    /// A point inside the shape for a label or focus marker.
    pub label: (f64, f64),
    pub in_inset: bool,
}

/// All shapes of a map fitted into `width` × `height`.
#[derive(Debug, Clone, PartialEq)]
pub struct MapLayout {
    pub width: f64,
    pub height: f64,
    pub shapes: Vec<MapShape>,
    /// `(x, y, width, height)` of the inset frame, if any area is in one.
    pub inset_frame: Option<(f64, f64, f64, f64)>,
}

struct Feature {
    area: String,
    name: String,
    polygons: MultiPolygon<f64>,
}

/// Reads features with an id property (`id_property`) and a `name` property.
fn read_features(geojson_text: &str, id_property: &'static str) -> Result<Vec<Feature>, MapError> {
    let collection: geojson::FeatureCollection = geojson_text
        .parse()
        .map_err(|error: geojson::Error| MapError::Parse(error.to_string()))?;
    let mut features = Vec::with_capacity(collection.features.len());
    for (index, feature) in collection.features.into_iter().enumerate() {
        let text_property = |property: &'static str| {
            feature
                .property(property)
                .and_then(|value| value.as_str())
                .map(str::to_owned)
                .ok_or(MapError::MissingProperty { index, property })
        };
        let area = text_property(id_property)?;
        let name = text_property("name")?;
        let geometry = feature
            .geometry
            .clone()
            .ok_or_else(|| MapError::NotAPolygon { id: area.clone() })?;
        let geometry: Geometry<f64> = geometry
            .try_into()
            .map_err(|_| MapError::NotAPolygon { id: area.clone() })?;
        let polygons = match geometry {
            Geometry::Polygon(polygon) => MultiPolygon(vec![polygon]),
            Geometry::MultiPolygon(polygons) => polygons,
            _ => return Err(MapError::NotAPolygon { id: area }),
        };
        features.push(Feature {
            area,
            name,
            polygons,
        });
    }
    Ok(features)
}

/// Equirectangular projection at the map's mean latitude: for a county-sized area the distortion
/// is far below what the eye sees, and unlike Web Mercator it keeps north up and distances even.
fn project(polygons: &MultiPolygon<f64>, cos_lat: f64) -> MultiPolygon<f64> {
    polygons.map_coords(|Coord { x, y }| Coord {
        x: x * cos_lat,
        y: -y,
    })
}

fn union_rect(rects: impl Iterator<Item = Rect<f64>>) -> Option<Rect<f64>> {
    rects.reduce(|a, b| {
        Rect::new(
            Coord {
                x: a.min().x.min(b.min().x),
                y: a.min().y.min(b.min().y),
            },
            Coord {
                x: a.max().x.max(b.max().x),
                y: a.max().y.max(b.max().y),
            },
        )
    })
}

fn path_data(polygons: &MultiPolygon<f64>) -> String {
    let mut path = String::new();
    for polygon in &polygons.0 {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            for (coord_idx, coord) in ring.coords().enumerate() {
                let command = if coord_idx == 0 { 'M' } else { 'L' };
                path.push_str(&format!("{command}{:.1},{:.1}", coord.x, coord.y));
            }
            path.push('Z');
        }
    }
    path
}

/// Lays out every feature of `geojson_text` in a `width` × `height` box with `padding`.
/// Features whose id is in `insets` go into a framed inset in the top-left corner, enlarged
/// twice as large as to the main map.
pub fn layout(
    geojson_text: &str,
    id_property: &'static str,
    insets: &[&str],
    width: f64,
    height: f64,
) -> Result<MapLayout, MapError> {
    const PADDING: f64 = 8.0;
    const INSET_ZOOM: f64 = 2.0;
    const INSET_MARGIN: f64 = 10.0;

    let features = read_features(geojson_text, id_property)?;
    let all_bounds = union_rect(
        features
            .iter()
            .filter_map(|feature| feature.polygons.bounding_rect()),
    )
    .ok_or(MapError::Empty)?;
    let cos_lat = (all_bounds.center().y.to_radians()).cos();
    let (inset_features, main_features): (Vec<&Feature>, Vec<&Feature>) = features
        .iter()
        .partition(|feature| insets.contains(&feature.area.as_str()));

    let projected_main: Vec<MultiPolygon<f64>> = main_features
        .iter()
        .map(|feature| project(&feature.polygons, cos_lat))
        .collect();
    let main_bounds = union_rect(
        projected_main
            .iter()
            .filter_map(|polygons| polygons.bounding_rect()),
    )
    .ok_or(MapError::Empty)?;
    let scale = ((width - 2.0 * PADDING) / main_bounds.width())
        .min((height - 2.0 * PADDING) / main_bounds.height());
    let offset_x = (width - main_bounds.width() * scale) / 2.0;
    let offset_y = (height - main_bounds.height() * scale) / 2.0;
    let to_main = |polygons: &MultiPolygon<f64>| {
        polygons.map_coords(|Coord { x, y }| Coord {
            x: (x - main_bounds.min().x) * scale + offset_x,
            y: (y - main_bounds.min().y) * scale + offset_y,
        })
    };

    let mut shapes = Vec::with_capacity(features.len());
    for (feature, projected) in main_features.iter().zip(&projected_main) {
        shapes.push(shape(feature, &to_main(projected), false));
    }

    let mut inset_frame = None;
    if !inset_features.is_empty() {
        let projected_inset: Vec<MultiPolygon<f64>> = inset_features
            .iter()
            .map(|feature| project(&feature.polygons, cos_lat))
            .collect();
        let inset_bounds = union_rect(
            projected_inset
                .iter()
                .filter_map(|polygons| polygons.bounding_rect()),
        )
        .ok_or(MapError::Empty)?;
        let inset_scale = scale * INSET_ZOOM;
        let frame_width = inset_bounds.width() * inset_scale + 2.0 * INSET_MARGIN;
        let frame_height = inset_bounds.height() * inset_scale + 2.0 * INSET_MARGIN;
        let frame = (PADDING, PADDING, frame_width, frame_height);
        for (feature, projected) in inset_features.iter().zip(&projected_inset) {
            let placed = projected.map_coords(|Coord { x, y }| Coord {
                x: (x - inset_bounds.min().x) * inset_scale + frame.0 + INSET_MARGIN,
                y: (y - inset_bounds.min().y) * inset_scale + frame.1 + INSET_MARGIN,
            });
            shapes.push(shape(feature, &placed, true));
        }
        inset_frame = Some(frame);
    }
    shapes.sort_by(|a, b| a.area.cmp(&b.area));
    Ok(MapLayout {
        width,
        height,
        shapes,
        inset_frame,
    })
}

fn shape(feature: &Feature, placed: &MultiPolygon<f64>, in_inset: bool) -> MapShape {
    let label = placed
        .interior_point()
        .map(|point| (point.x(), point.y()))
        .unwrap_or_default();
    MapShape {
        area: feature.area.clone(),
        name: feature.name.clone(),
        path: path_data(placed),
        label,
        in_inset,
    }
}

/// Five-class sequential ramps (ColorBrewer), colour-blind safe. Darker means "more attention":
/// for higher-is-better indicators the ramp is reversed so low values are dark.
const RAMP_WORSE: [&str; 5] = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"];
const RAMP_NEUTRAL: [&str; 5] = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];

/// Fill colour for class `class_idx` of `n_classes` (at most 5).
pub fn class_colour(class_idx: usize, n_classes: usize, polarity: Polarity) -> &'static str {
    let n_classes = n_classes.clamp(1, 5);
    // Spread fewer classes over the whole ramp so they stay distinguishable.
    let step = if n_classes == 1 {
        0
    } else {
        class_idx.min(n_classes - 1) * 4 / (n_classes - 1)
    };
    match polarity {
        Polarity::HigherIsWorse => RAMP_WORSE[step],
        Polarity::HigherIsBetter => RAMP_WORSE[4 - step],
        Polarity::Neutral => RAMP_NEUTRAL[step],
    }
}

/// Fill for areas without a value: a light grey that the legend names.
pub const GAP_COLOUR: &str = "#d9d9d9";

/// Text colour with enough contrast (WCAG AA) on a class fill.
pub fn text_colour_on(fill: &str) -> &'static str {
    let channel = |start: usize| {
        u8::from_str_radix(fill.get(start..start + 2).unwrap_or("ff"), 16).unwrap_or(255)
    };
    let luminance = 0.2126 * f64::from(channel(1))
        + 0.7152 * f64::from(channel(3))
        + 0.0722 * f64::from(channel(5));
    if luminance > 140.0 {
        "#111111"
    } else {
        "#ffffff"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinneberg_layout_has_all_18_areas_inside_the_box() {
        let map = layout(
            PINNEBERG_AREAS_GEOJSON,
            "verband_ars",
            PINNEBERG_INSETS,
            800.0,
            600.0,
        )
        .unwrap();
        assert_eq!(map.shapes.len(), 18, "5 Ämter + 13 amtsfreie Gemeinden");
        for shape in &map.shapes {
            assert!(
                shape.path.starts_with('M') && shape.path.ends_with('Z'),
                "{} is a closed path",
                shape.name
            );
            let (x, y) = shape.label;
            assert!(
                (0.0..=800.0).contains(&x) && (0.0..=600.0).contains(&y),
                "{} label inside: {x},{y}",
                shape.name
            );
        }
        let helgoland = map
            .shapes
            .iter()
            .find(|shape| shape.name == "Helgoland")
            .unwrap();
        assert!(helgoland.in_inset, "Helgoland is drawn in the inset");
        let frame = map.inset_frame.expect("an inset frame for Helgoland");
        assert!(
            frame.2 < 200.0 && frame.3 < 200.0,
            "the inset stays small: {frame:?}"
        );
    }

    #[test]
    fn broken_geojson_is_a_clear_error() {
        let cases: &[(&str, &str)] = &[
            ("not json", "GeoJSON is not readable"),
            (
                r#"{"type":"FeatureCollection","features":[]}"#,
                "no features to draw",
            ),
            (
                r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"X"},"geometry":null}]}"#,
                "feature 0 has no `verband_ars` property",
            ),
        ];
        for (input, expected) in cases {
            let error = layout(input, "verband_ars", &[], 100.0, 100.0)
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{input:?} gave {error:?}");
        }
    }

    #[test]
    fn ramps_follow_polarity_and_text_stays_readable() {
        assert_eq!(
            class_colour(4, 5, Polarity::HigherIsWorse),
            "#b30000",
            "high and bad is darkest"
        );
        assert_eq!(
            class_colour(4, 5, Polarity::HigherIsBetter),
            "#fef0d9",
            "high and good is lightest"
        );
        assert_eq!(
            class_colour(1, 2, Polarity::Neutral),
            "#08519c",
            "two classes use both ends"
        );
        assert_eq!(text_colour_on("#b30000"), "#ffffff", "white on dark red");
        assert_eq!(text_colour_on("#fef0d9"), "#111111", "black on cream");
    }
}
