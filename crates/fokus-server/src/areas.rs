//! The areas of the default configuration, read from the bundled BKG boundaries of Kreis
//! Pinneberg (names, Regionalschlüssel, Zensus 2022 population) plus the reference areas.

use fokus_model::{Area, AreaKind};

const AREAS_GEOJSON: &str = include_str!("../../../assets/geo/pinneberg_aemter.geojson");
const GEMEINDEN_GEOJSON: &str = include_str!("../../../assets/geo/pinneberg_gemeinden.geojson");

/// The 49 Gemeinden of the Kreis, each a member of its map area (`verband_ars`: its Amt, or
/// itself as an amtsfreie Gemeinde).
pub fn pinneberg_gemeinden() -> Vec<Area> {
    let collection: serde_json::Value =
        serde_json::from_str(GEMEINDEN_GEOJSON).expect("bundled GeoJSON is valid");
    let mut gemeinden: Vec<Area> = collection["features"]
        .as_array()
        .expect("bundled GeoJSON has features")
        .iter()
        .map(|feature| {
            let properties = &feature["properties"];
            let text = |key: &str| properties[key].as_str().expect(key).to_owned();
            Area {
                id: text("ars"),
                name: text("name"),
                kind: AreaKind::Gemeinde,
                population: properties["population"].as_u64(),
                parent: Some(text("verband_ars")),
            }
        })
        .collect();
    gemeinden.sort_by(|a, b| a.id.cmp(&b.id));
    gemeinden
}

/// The 18 map areas (5 Ämter, 13 amtsfreie Gemeinden), then Kreis, Land and Bund: the areas the
/// Sozialbericht reports values for. Land and Bund populations are left out until they come
/// from a verified source.
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
                parent: None,
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
        parent: None,
    });
    areas.push(Area {
        id: "01".into(),
        name: "Schleswig-Holstein".into(),
        kind: AreaKind::Land,
        population: None,
        parent: None,
    });
    areas.push(Area {
        id: "DG".into(),
        name: "Deutschland".into(),
        kind: AreaKind::Bund,
        population: None,
        parent: None,
    });
    areas
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_gemeinde_belongs_to_one_map_area_and_adds_up() {
        let areas = super::pinneberg_areas();
        let gemeinden = super::pinneberg_gemeinden();
        assert_eq!(gemeinden.len(), 49, "Kreis Pinneberg has 49 Gemeinden");
        for area in areas.iter().filter(|area| area.kind.is_map_area()) {
            let members: Vec<_> = gemeinden
                .iter()
                .filter(|gemeinde| gemeinde.parent.as_deref() == Some(area.id.as_str()))
                .collect();
            assert!(!members.is_empty(), "{} has member Gemeinden", area.name);
            let sum: u64 = members
                .iter()
                .filter_map(|gemeinde| gemeinde.population)
                .sum();
            assert_eq!(
                Some(sum),
                area.population,
                "{}: the Gemeinden's Zensus populations add up to the map area's",
                area.name
            );
        }
        let n_amtsfrei = gemeinden
            .iter()
            .filter(|gemeinde| {
                areas.iter().any(|area| {
                    Some(area.id.as_str()) == gemeinde.parent.as_deref()
                        && area.kind == fokus_model::AreaKind::AmtsfreieGemeinde
                })
            })
            .count();
        assert_eq!(
            n_amtsfrei, 13,
            "13 amtsfreie Gemeinden are their own map area"
        );
    }

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
