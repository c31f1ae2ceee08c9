//! The areas of the default configuration, read from the bundled BKG boundaries of Kreis
//! Pinneberg (names, Regionalschlüssel, Zensus 2022 population) plus the reference areas.

use fokus_model::{Area, AreaKind};

const AREAS_GEOJSON: &str = include_str!("../../../assets/geo/pinneberg_aemter.geojson");

/// The 18 map areas (5 Ämter, 13 amtsfreie Gemeinden), then Kreis, Land and Bund. Land and
/// Bund populations are left out until they come from a verified source.
pub fn pinneberg_areas() -> Vec<Area> {
    let collection: serde_json::Value =
        serde_json::from_str(AREAS_GEOJSON).expect("bundled GeoJSON is valid");
    let mut areas: Vec<Area> = collection["features"]
        .as_array()
        .expect("bundled GeoJSON has features")
        .iter()
        .map(|feature| {
            let properties = &feature["properties"];
            let kind = if properties["typ"] == "Amt" {
                AreaKind::Amt
            } else {
                AreaKind::AmtsfreieGemeinde
            };
            Area {
                id: properties["verband_ars"]
                    .as_str()
                    .expect("verband_ars")
                    .to_owned(),
                name: properties["name"].as_str().expect("name").to_owned(),
                kind,
                population: properties["population"].as_u64(),
            }
        })
        .collect();
    areas.sort_by(|a, b| a.id.cmp(&b.id));
    let kreis_population = areas.iter().filter_map(|area| area.population).sum();
    areas.push(Area {
        id: "01056".into(),
        name: "Kreis Pinneberg".into(),
        kind: AreaKind::Kreis,
        population: Some(kreis_population),
    });
    areas.push(Area {
        id: "01".into(),
        name: "Schleswig-Holstein".into(),
        kind: AreaKind::Land,
        population: None,
    });
    areas.push(Area {
        id: "DG".into(),
        name: "Deutschland".into(),
        kind: AreaKind::Bund,
        population: None,
    });
    areas
}

#[cfg(test)]
mod tests {
    #[test]
    fn pinneberg_has_18_map_areas_and_3_references() {
        let areas = super::pinneberg_areas();
        let n_map = areas.iter().filter(|area| area.kind.is_map_area()).count();
        assert_eq!(n_map, 18, "5 Ämter + 13 amtsfreie Gemeinden");
        assert_eq!(areas.len(), 21, "plus Kreis, Land, Bund");
        let kreis = areas.iter().find(|area| area.id == "01056").unwrap();
        assert_eq!(
            kreis.population,
            Some(320_275),
            "Zensus 2022 total of the 49 Gemeinden (SOURCES.md)"
        );
    }
}
