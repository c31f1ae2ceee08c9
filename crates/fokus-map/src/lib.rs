//! Projects the boundaries of the map areas (GeoJSON geometries, WGS84) into SVG path data,
//! simplifies boundaries to a chosen size, and chooses choropleth colours. Runs in the UI
//! (wasm32), which draws whatever areas the server's feed carries, and on the server, which
//! simplifies a deployment's boundaries before they travel.

use fokus_model::Polarity;
use geo::{
    BoundingRect, Contains, Coord, Geometry, InteriorPoint, MapCoords, MultiPolygon, Point,
    Polygon, Rect, Simplify,
};

#[derive(Debug, thiserror::Error)]
pub enum MapError {
    #[error("GeoJSON is not readable: {0}")]
    Parse(String),
    #[error("area {id} has no polygon geometry")]
    NotAPolygon { id: String },
    #[error("no areas to draw")]
    Empty,
}

/// The side of the smallest spot a finger hits reliably, in screen pixels (WCAG 2.5.5, Apple's
/// and Google's guidelines): an area drawn smaller answers taps around its label point.
pub const TOUCH_TARGET_PX: f64 = 44.0;

/// One area, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct MapShape {
    pub area: String,
    pub name: String,
    /// SVG path data in the layout's coordinate system.
    pub path: String,
    /// A point inside the shape for a label or focus marker.
    pub label: (f64, f64),
    /// How far the label point is from the shape's edge, in the layout's units: the radius of
    /// the largest circle around it inside the shape, i.e. whether a finger can hit the area at
    /// the drawn size (a thin or small area has little).
    pub clearance: f64,
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

/// An area to draw: its id, name and boundary as a GeoJSON geometry.
#[derive(Debug, Clone, Copy)]
pub struct MapArea<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub geometry: &'a str,
}

struct Feature {
    area: String,
    name: String,
    polygons: MultiPolygon<f64>,
}

/// Reads a GeoJSON geometry (Polygon or MultiPolygon) of area `id`.
pub fn parse_polygons(id: &str, geometry_json: &str) -> Result<MultiPolygon<f64>, MapError> {
    let geometry: geojson::Geometry = geometry_json
        .parse()
        .map_err(|error: geojson::Error| MapError::Parse(format!("{id}: {error}")))?;
    let geometry: Geometry<f64> = geometry
        .try_into()
        .map_err(|_| MapError::NotAPolygon { id: id.to_owned() })?;
    match geometry {
        Geometry::Polygon(polygon) => Ok(MultiPolygon(vec![polygon])),
        Geometry::MultiPolygon(polygons) if !polygons.0.is_empty() => Ok(polygons),
        _ => Err(MapError::NotAPolygon { id: id.to_owned() }),
    }
}

fn read_areas(areas: &[MapArea<'_>]) -> Result<Vec<Feature>, MapError> {
    areas
        .iter()
        .map(|area| {
            Ok(Feature {
                area: area.id.to_owned(),
                name: area.name.to_owned(),
                polygons: parse_polygons(area.id, area.geometry)?,
            })
        })
        .collect()
}

/// Metres per degree of latitude (and of longitude at the equator).
const METRES_PER_DEGREE: f64 = 111_320.0;

/// Simplifies a boundary (Douglas–Peucker in a locally true-to-scale projection) so no point
/// moves more than `tolerance_m` metres, and rounds to 5 decimals (about 1 m). A ring that would
/// collapse keeps its original points, so no area ever disappears. Returns GeoJSON text.
pub fn simplify(polygons: &MultiPolygon<f64>, tolerance_m: f64) -> String {
    let cos_lat = polygons
        .bounding_rect()
        .map_or(1.0, |rect| rect.center().y.to_radians().cos());
    let simplified = if tolerance_m > 0.0 {
        let projected = polygons.map_coords(|Coord { x, y }| Coord { x: x * cos_lat, y });
        let epsilon = tolerance_m / METRES_PER_DEGREE;
        let kept: Vec<Polygon<f64>> = projected
            .0
            .iter()
            .map(|polygon| {
                let candidate = polygon.simplify(epsilon);
                if candidate.exterior().0.len() >= 4 {
                    candidate
                } else {
                    polygon.clone()
                }
            })
            .collect();
        MultiPolygon(kept).map_coords(|Coord { x, y }| Coord { x: x / cos_lat, y })
    } else {
        polygons.clone()
    };
    let rounded = simplified.map_coords(|Coord { x, y }| Coord {
        x: (x * 1e5).round() / 1e5,
        y: (y * 1e5).round() / 1e5,
    });
    geojson::Geometry::from(&rounded).to_string()
}

/// How much of `shapes`' combined area is covered twice, and which shapes cover no sample at
/// all, estimated on a `grid` × `grid` sample of their bounding box. For checking that a
/// simplification neither lost an area nor made neighbours overlap.
pub fn overlap_and_lost(shapes: &[(String, MultiPolygon<f64>)], grid: usize) -> (f64, Vec<String>) {
    let Some(bounds) = union_rect(shapes.iter().filter_map(|(_, shape)| shape.bounding_rect()))
    else {
        return (0.0, Vec::new());
    };
    let mut hits = vec![0usize; shapes.len()];
    let (mut covered, mut doubled) = (0usize, 0usize);
    for row in 0..grid {
        for column in 0..grid {
            let point = Point::new(
                bounds.min().x + (column as f64 + 0.5) / grid as f64 * bounds.width(),
                bounds.min().y + (row as f64 + 0.5) / grid as f64 * bounds.height(),
            );
            let mut n_inside = 0;
            for (shape_idx, (_, shape)) in shapes.iter().enumerate() {
                if shape.contains(&point) {
                    hits[shape_idx] += 1;
                    n_inside += 1;
                }
            }
            covered += usize::from(n_inside > 0);
            doubled += usize::from(n_inside > 1);
        }
    }
    let lost = shapes
        .iter()
        .zip(&hits)
        .filter(|(_, n_hits)| **n_hits == 0)
        .map(|((id, _), _)| id.clone())
        .collect();
    (doubled as f64 / covered.max(1) as f64, lost)
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

/// Lays out `areas` in a `width` × `height` box. Areas whose id is in `insets` go into a framed
/// inset in the top-left corner, enlarged twice as much as the main map.
pub fn layout(
    areas: &[MapArea<'_>],
    insets: &[&str],
    width: f64,
    height: f64,
) -> Result<MapLayout, MapError> {
    const PADDING: f64 = 8.0;
    const INSET_ZOOM: f64 = 2.0;
    const INSET_MARGIN: f64 = 10.0;

    let features = read_areas(areas)?;
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
        clearance: clearance(placed, label),
        in_inset,
    }
}

/// The distance from `point` to the nearest edge (outer or hole) of `shape`.
fn clearance(shape: &MultiPolygon<f64>, point: (f64, f64)) -> f64 {
    use geo::{Distance, Euclidean};
    let point = Point::new(point.0, point.1);
    shape
        .0
        .iter()
        .flat_map(|polygon| std::iter::once(polygon.exterior()).chain(polygon.interiors()))
        .map(|ring| Euclidean.distance(&point, ring))
        .fold(f64::INFINITY, f64::min)
}

/// Sequential ramps (ColorBrewer OrRd and Blues) for 3 to 7 classes, colour-blind safe.
/// Darker means "more attention": for higher-is-better indicators the ramp is reversed so low
/// values are dark.
const RAMPS_WORSE: [&[&str]; 5] = [
    &["#fee8c8", "#fdbb84", "#e34a33"],
    &["#fef0d9", "#fdcc8a", "#fc8d59", "#d7301f"],
    &["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"],
    &[
        "#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000",
    ],
    &[
        "#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#990000",
    ],
];
const RAMPS_NEUTRAL: [&[&str]; 5] = [
    &["#deebf7", "#9ecae1", "#3182bd"],
    &["#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"],
    &["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
    &[
        "#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c",
    ],
    &[
        "#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594",
    ],
];
/// Most classes a map shows.
pub const MAX_CLASSES: usize = 7;

/// Fill colour for class `class_idx` of `n_classes` (1 to 7). One or two classes (few distinct
/// values) take the ends of the three-class ramp so they stay distinguishable.
pub fn class_colour(class_idx: usize, n_classes: usize, polarity: Polarity) -> &'static str {
    let n_classes = n_classes.clamp(1, MAX_CLASSES);
    let ramps = match polarity {
        Polarity::Neutral => &RAMPS_NEUTRAL,
        Polarity::HigherIsWorse | Polarity::HigherIsBetter => &RAMPS_WORSE,
    };
    let ramp = ramps[n_classes.max(3) - 3];
    let class_idx = class_idx.min(n_classes - 1);
    let step = match n_classes {
        1 => 1,
        2 => class_idx * 2,
        _ => class_idx,
    };
    match polarity {
        Polarity::HigherIsBetter => ramp[ramp.len() - 1 - step],
        _ => ramp[step],
    }
}

/// The diverging ramp (ColorBrewer PuOr, colour-blind safe), from far below to far above a
/// reference, three classes a side: orange where the value is worse than the reference, purple
/// where it is better (for a neutral indicator, orange below and purple above).
const DIVERGING: [&str; 6] = [
    "#b35806", "#f1a340", "#fee0b6", "#d8daeb", "#998ec3", "#542788",
];
/// Classes a side of a diverging map.
pub const DIVERGING_PER_SIDE: usize = 3;

/// Fill of class `class_idx` (0 = farthest below) of a diverging map.
pub fn diverging_colour(class_idx: usize, polarity: Polarity) -> &'static str {
    let class_idx = class_idx.min(DIVERGING.len() - 1);
    match polarity {
        Polarity::HigherIsWorse => DIVERGING[DIVERGING.len() - 1 - class_idx],
        Polarity::HigherIsBetter | Polarity::Neutral => DIVERGING[class_idx],
    }
}

/// Fill for areas without a value: a light grey that the legend names.
pub const GAP_COLOUR: &str = "#d9d9d9";
/// The SVG pattern id of suppressed values ("geheim gehalten"): grey hatched, so it is told
/// apart from "keine Daten" without relying on colour. The map defines the pattern.
pub const SUPPRESSED_PATTERN: &str = "fokus-geheim";

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

    /// The Pinneberg test data: the bundled demo configuration's boundaries.
    const DEMO_AREAS: &str = include_str!("../../../assets/demo/gebiete.geojson");

    fn demo_features(kind: &str) -> Vec<(String, String, String)> {
        let collection: geojson::FeatureCollection = DEMO_AREAS.parse().unwrap();
        collection
            .features
            .into_iter()
            .filter(|feature| feature.property("ebene").and_then(|v| v.as_str()) == Some(kind))
            .map(|feature| {
                let text = |key: &str| feature.property(key).unwrap().as_str().unwrap().to_owned();
                let geometry = feature.geometry.as_ref().unwrap().to_string();
                (text("id"), text("name"), geometry)
            })
            .collect()
    }

    fn map_areas(features: &[(String, String, String)]) -> Vec<MapArea<'_>> {
        features
            .iter()
            .map(|(id, name, geometry)| MapArea { id, name, geometry })
            .collect()
    }

    #[test]
    fn pinneberg_layout_has_all_18_areas_inside_the_box() {
        let mut features = demo_features("amt");
        features.extend(demo_features("amtsfreie_gemeinde"));
        let map = layout(&map_areas(&features), &["010560025"], 800.0, 600.0).unwrap();
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
    fn clearance_is_the_room_around_the_label_point_inside_the_area() {
        let square = |x0: f64, y0: f64, w: f64, h: f64| {
            MultiPolygon(vec![Polygon::new(
                geo::LineString::from(vec![
                    (x0, y0),
                    (x0 + w, y0),
                    (x0 + w, y0 + h),
                    (x0, y0 + h),
                    (x0, y0),
                ]),
                vec![],
            )])
        };
        assert_eq!(
            clearance(&square(0.0, 0.0, 100.0, 100.0), (50.0, 50.0)),
            50.0,
            "a square, at its centre"
        );
        assert_eq!(
            clearance(&square(0.0, 0.0, 100.0, 4.0), (50.0, 2.0)),
            2.0,
            "a thin strip has little room however long it is"
        );
        let mut features = demo_features("amt");
        features.extend(demo_features("amtsfreie_gemeinde"));
        let map = layout(&map_areas(&features), &["010560025"], 800.0, 600.0).unwrap();
        for shape in &map.shapes {
            assert!(
                shape.clearance > 0.0,
                "{}: the label point lies inside the area",
                shape.name
            );
        }
    }

    #[test]
    fn broken_geometry_is_a_clear_error() {
        let cases: &[(&str, &str)] = &[
            ("not json", "GeoJSON is not readable"),
            (
                r#"{"type":"Point","coordinates":[9.0,53.0]}"#,
                "area a has no polygon geometry",
            ),
        ];
        for (input, expected) in cases {
            let areas = [MapArea {
                id: "a",
                name: "A",
                geometry: input,
            }];
            let error = layout(&areas, &[], 100.0, 100.0).unwrap_err().to_string();
            assert!(error.contains(expected), "{input:?} gave {error:?}");
        }
        assert!(
            matches!(layout(&[], &[], 100.0, 100.0), Err(MapError::Empty)),
            "nothing to draw is its own error"
        );
    }

    #[test]
    fn simplification_loses_no_area_and_adds_no_overlap() {
        // The 49 Gemeinden share their edges exactly (one BKG product), so any overlap after
        // simplification is the simplification's doing.
        let features = demo_features("gemeinde");
        assert_eq!(features.len(), 49, "the Kreis's 49 Gemeinden");
        let original: Vec<(String, MultiPolygon<f64>)> = features
            .iter()
            .map(|(id, _, geometry)| (id.clone(), parse_polygons(id, geometry).unwrap()))
            .collect();
        let (baseline, lost) = overlap_and_lost(&original, 300);
        assert!(
            lost.is_empty(),
            "every Gemeinde is hit by the sample grid: {lost:?}"
        );
        for tolerance_m in [50.0, 200.0, 500.0] {
            let simplified: Vec<(String, MultiPolygon<f64>)> = original
                .iter()
                .map(|(id, polygons)| {
                    let text = simplify(polygons, tolerance_m);
                    (id.clone(), parse_polygons(id, &text).unwrap())
                })
                .collect();
            let (overlap, lost) = overlap_and_lost(&simplified, 300);
            assert!(
                lost.is_empty(),
                "{tolerance_m} m: no Gemeinde disappears: {lost:?}"
            );
            assert!(
                overlap <= baseline + 0.01,
                "{tolerance_m} m: at most 1 % of the Kreis is claimed by two Gemeinden \
                 (before: {baseline:.4}, after: {overlap:.4})"
            );
        }
    }

    #[test]
    fn simplification_shrinks_and_rounds() {
        let features = demo_features("gemeinde");
        let (id, _, geometry) = &features[0];
        let polygons = parse_polygons(id, geometry).unwrap();
        let exact = simplify(&polygons, 0.0);
        let coarse = simplify(&polygons, 500.0);
        assert!(
            coarse.len() < exact.len(),
            "500 m drops points: {} < {}",
            coarse.len(),
            exact.len()
        );
        assert!(
            !exact.contains("0000001"),
            "coordinates are rounded to 5 decimals: {exact}"
        );
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
            "#3182bd",
            "two classes use both ends"
        );
        for n_classes in 1..=MAX_CLASSES {
            let fills: Vec<&str> = (0..n_classes)
                .map(|class_idx| class_colour(class_idx, n_classes, Polarity::Neutral))
                .collect();
            let mut distinct = fills.clone();
            distinct.dedup();
            assert_eq!(
                distinct.len(),
                n_classes,
                "{n_classes} classes, as many colours: {fills:?}"
            );
        }
        assert_eq!(
            diverging_colour(5, Polarity::HigherIsWorse),
            "#b35806",
            "far above a reference is dark orange when higher is worse"
        );
        assert_eq!(
            diverging_colour(5, Polarity::HigherIsBetter),
            "#542788",
            "and dark purple when higher is better"
        );
        assert_eq!(text_colour_on("#b30000"), "#ffffff", "white on dark red");
        assert_eq!(text_colour_on("#fef0d9"), "#111111", "black on cream");
    }
}
