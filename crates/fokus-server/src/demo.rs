//! The deterministic demo values: generated (seeded, with trends, population weighting and a
//! few gaps) for the catalogue of 73 real Sozialbericht indicators and the real areas of Kreis
//! Pinneberg that the bundled demo configuration (`assets/demo/`) describes. The demo is loaded
//! like any county's data: `init` with that configuration, then the values through the same
//! import a BI export takes. Labelled as demo data everywhere it is shown.

use fokus_model::{Area, AreaKind, Cell, Gap, Observation};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::config::{self, Deployment};

pub const FIRST_DEMO_YEAR: u16 = 2015;
pub const LAST_DEMO_YEAR: u16 = 2025;
const SEED: u64 = 0x000F_0C05_2015;

/// The Handlungsfeld whose indicators the pandemic years lift.
const ARB: &str = "Arbeit und Grundsicherung";

/// The demo generator's knobs per indicator of `assets/demo/kennzahlen.csv`: the Kreis level in
/// 2015, the relative spread between areas, the yearly change, the Land and Bund levels in 2015,
/// and how much larger towns have of it (`urban_tilt`, social burden > 0).
#[rustfmt::skip]
const KNOBS: [(&str, [f64; 6]); 73] = [
    ("bevoelkerungsentwicklung", [0.0, 0.5, 0.45, 0.0, 0.0, 0.0]),
    ("anteil_unter_18", [16.6, 0.08, 0.05, 16.1, 16.3, -0.1]),
    ("anteil_65_plus", [21.8, 0.12, 0.3, 23.0, 21.1, -0.1]),
    ("anteil_80_plus", [6.4, 0.15, 0.12, 6.9, 6.5, -0.1]),
    ("altenquotient", [35.5, 0.12, 0.55, 39.0, 35.8, -0.05]),
    ("jugendquotient", [33.0, 0.08, 0.12, 31.6, 31.0, 0.0]),
    ("wanderungssaldo", [6.5, 0.6, -0.3, 5.8, 4.9, 0.1]),
    ("geburtenrate", [9.0, 0.12, -0.05, 8.6, 9.1, 0.05]),
    ("durchschnittsalter", [44.6, 0.04, 0.1, 45.9, 44.4, -0.02]),
    ("sgb2_quote_u15", [11.8, 0.4, -0.15, 14.2, 13.1, 0.3]),
    ("betreuungsquote_u3", [30.0, 0.18, 1.1, 33.0, 33.5, 0.0]),
    ("betreuungsquote_3_6", [90.5, 0.03, 0.2, 91.0, 91.8, 0.0]),
    ("hilfen_zur_erziehung", [31.0, 0.3, 0.4, 34.5, 32.0, 0.25]),
    ("inobhutnahmen", [22.0, 0.4, 0.3, 25.0, 23.5, 0.3]),
    ("eingliederungshilfe_35a", [8.0, 0.3, 0.35, 7.2, 7.6, 0.1]),
    ("alleinerziehende_bg", [48.0, 0.12, -0.2, 50.5, 49.0, 0.1]),
    ("bildung_teilhabe", [42.0, 0.2, 1.0, 40.0, 38.0, 0.05]),
    ("familien_mit_kindern", [19.5, 0.1, -0.1, 18.4, 19.0, -0.05]),
    ("ohne_abschluss", [6.8, 0.35, 0.1, 8.4, 6.9, 0.3]),
    ("hochschulreife", [36.0, 0.2, 0.3, 33.0, 34.5, -0.05]),
    ("uebergang_gymnasium", [44.0, 0.2, 0.2, 40.0, 43.0, -0.05]),
    ("foerderschulquote", [2.4, 0.3, -0.03, 2.6, 4.2, 0.1]),
    ("inklusionsquote", [68.0, 0.08, 0.6, 66.0, 44.0, 0.0]),
    ("sprachfoerderbedarf", [21.0, 0.3, 0.5, 23.0, 22.0, 0.3]),
    ("ausbildungsabbrueche", [26.0, 0.15, 0.3, 29.0, 27.5, 0.1]),
    ("ganztagsquote", [38.0, 0.25, 1.5, 35.0, 49.0, 0.05]),
    ("sgb2_quote", [7.6, 0.35, -0.12, 9.1, 8.4, 0.25]),
    ("arbeitslosenquote", [5.4, 0.3, -0.08, 6.3, 6.4, 0.2]),
    ("arbeitslosenquote_u25", [4.6, 0.3, -0.05, 5.6, 5.3, 0.2]),
    ("langzeitarbeitslose", [33.0, 0.15, 0.2, 35.5, 35.0, 0.1]),
    ("elb_quote", [6.2, 0.35, -0.1, 7.6, 7.0, 0.25]),
    ("aufstocker", [27.0, 0.15, -0.4, 26.0, 25.5, 0.05]),
    ("beschaeftigungsquote", [59.0, 0.06, 0.55, 57.5, 59.5, -0.05]),
    ("beschaeftigungsquote_frauen", [56.0, 0.07, 0.7, 55.0, 56.5, -0.05]),
    ("minijob_quote", [7.8, 0.15, -0.12, 8.3, 7.9, 0.0]),
    ("grundsicherung_erwerbsminderung", [6.5, 0.3, 0.1, 7.8, 7.1, 0.2]),
    ("grundsicherung_alter", [27.0, 0.35, 0.7, 31.5, 34.0, 0.2]),
    ("pflegebeduerftige", [38.0, 0.15, 3.0, 42.0, 47.0, 0.0]),
    ("pflegequote_80", [32.0, 0.1, 1.3, 34.0, 37.0, 0.0]),
    ("ambulant_versorgt", [22.0, 0.15, 0.2, 21.0, 21.5, 0.0]),
    ("pflegegeld_quote", [50.0, 0.08, 0.9, 51.0, 53.0, 0.0]),
    ("stationaere_plaetze", [45.0, 0.35, -0.5, 48.0, 41.0, 0.1]),
    ("tagespflege_plaetze", [4.0, 0.45, 0.35, 4.4, 5.0, 0.0]),
    ("hilfe_zur_pflege", [13.0, 0.3, 0.25, 14.5, 16.0, 0.15]),
    ("alleinlebende_65", [33.0, 0.15, 0.15, 35.0, 34.0, 0.15]),
    ("schwerbehindertenquote", [9.6, 0.12, 0.05, 10.2, 9.4, 0.05]),
    ("eingliederungshilfe", [9.5, 0.25, 0.2, 10.5, 9.8, 0.15]),
    ("werkstatt_beschaeftigte", [5.6, 0.3, 0.02, 6.3, 5.9, 0.05]),
    ("ambulantisierungsquote", [58.0, 0.12, 1.0, 60.0, 55.0, 0.05]),
    ("persoenliches_budget", [3.2, 0.5, 0.15, 3.0, 2.5, 0.0]),
    ("arbeitslosenquote_schwerbehinderte", [10.5, 0.3, -0.15, 11.8, 11.0, 0.15]),
    ("schulbegleitung", [12.0, 0.4, 1.0, 11.0, 10.5, 0.05]),
    ("fruehfoerderung", [28.0, 0.3, 0.8, 26.0, 27.0, 0.05]),
    ("wohngeldhaushalte", [13.0, 0.35, 0.9, 15.0, 14.5, 0.2]),
    ("kosten_der_unterkunft", [520.0, 0.08, 14.0, 470.0, 480.0, 0.05]),
    ("angebotsmiete", [8.6, 0.08, 0.3, 7.6, 8.1, 0.05]),
    ("sozialwohnungen", [13.0, 0.5, -0.3, 16.5, 13.0, 0.3]),
    ("wohnungslose", [18.0, 0.5, 1.0, 21.0, 45.0, 0.4]),
    ("wohnflaeche", [46.0, 0.08, 0.15, 48.0, 47.5, -0.1]),
    ("baufertigstellungen", [3.4, 0.45, -0.05, 3.3, 3.4, 0.0]),
    ("einpersonenhaushalte", [37.0, 0.15, 0.25, 39.5, 41.0, 0.2]),
    ("auslaenderanteil", [10.0, 0.35, 0.45, 9.0, 12.5, 0.35]),
    ("schutzsuchende", [17.0, 0.3, 1.5, 18.5, 22.0, 0.2]),
    ("sgb2_quote_auslaender", [19.0, 0.3, 0.2, 22.0, 20.0, 0.15]),
    ("beschaeftigungsquote_auslaender", [44.0, 0.12, 0.6, 41.0, 45.0, 0.0]),
    ("einbuergerungen", [23.0, 0.35, 1.2, 22.0, 21.0, 0.0]),
    ("asylbewerberleistungen", [4.5, 0.4, 0.1, 5.0, 5.5, 0.2]),
    ("lebenserwartung", [81.0, 0.01, 0.05, 80.6, 80.8, -0.01]),
    ("uebergewicht_einschulung", [10.0, 0.3, 0.1, 11.0, 11.5, 0.2]),
    ("masern_impfquote", [93.0, 0.03, 0.2, 92.5, 93.0, 0.0]),
    ("einwohner_je_hausarzt", [1500.0, 0.25, 12.0, 1420.0, 1450.0, -0.1]),
    ("vorzeitige_sterblichkeit", [205.0, 0.12, -1.5, 225.0, 220.0, 0.1]),
    ("u9_teilnahme", [91.0, 0.04, 0.15, 90.0, 90.5, -0.02]),
];

/// The bundled demo configuration, checked like any county's.
pub fn demo_deployment() -> Deployment {
    config::check(config::demo_files()).expect("the bundled demo configuration is valid")
}

/// How one demo indicator behaves; see [`KNOBS`].
struct Profile {
    indicator: fokus_model::Indicator,
    kreis_level: f64,
    spread: f64,
    trend: f64,
    land_level: f64,
    bund_level: f64,
    urban_tilt: f64,
}

fn profiles(deployment: &Deployment) -> Vec<Profile> {
    deployment
        .indicators
        .iter()
        .filter_map(|indicator| {
            let (_, knobs) = KNOBS.iter().find(|(id, _)| *id == indicator.id)?;
            let [kreis_level, spread, trend, land_level, bund_level, urban_tilt] = *knobs;
            Some(Profile {
                indicator: indicator.clone(),
                kreis_level,
                spread,
                trend,
                land_level,
                bund_level,
                urban_tilt,
            })
        })
        .collect()
}

/// A uniform number in [0, 1).
fn unit_interval(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A number in [-1, 1).
fn symmetric(rng: &mut ChaCha8Rng) -> f64 {
    unit_interval(rng) * 2.0 - 1.0
}

fn round_to(value: f64, decimals: u8) -> f64 {
    let scale = 10f64.powi(i32::from(decimals));
    (value * scale).round() / scale
}

/// Seed of the Gemeinden's own spread, apart from the map areas' so their values stay as they
/// were before Gemeinden had values.
const GEMEINDE_SEED: u64 = 0x0049_6E3D;

/// Generates the demo's values for the demo configuration's map areas, their Gemeinden and the
/// references. Same output on every machine and every run. A Gemeinde's values scatter around its
/// map area's so that, weighted by population, they average to it; the Gemeinde of an amtsfreie
/// Gemeinde is that Gemeinde and has its values.
pub fn demo_observations(deployment: &Deployment) -> Vec<Observation> {
    let areas = &deployment.areas;
    let map_areas: Vec<&Area> = areas
        .iter()
        .filter(|area| deployment.dataset.is_map_kind(area.kind))
        .collect();
    let total_population: f64 = map_areas
        .iter()
        .filter_map(|area| area.population)
        .sum::<u64>() as f64;
    let mean_population = total_population / map_areas.len() as f64;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut gemeinde_rng = ChaCha8Rng::seed_from_u64(GEMEINDE_SEED);
    let mut observations = Vec::new();
    let profiles = profiles(deployment);
    // Per map area, its Gemeinden with their populations.
    let gemeinden_of: Vec<Vec<&Area>> = map_areas
        .iter()
        .map(|map_area| {
            areas
                .iter()
                .filter(|area| {
                    area.kind == AreaKind::Gemeinde && area.parent.as_deref() == Some(&map_area.id)
                })
                .collect()
        })
        .collect();

    for profile in &profiles {
        let indicator = &profile.indicator;
        let round = |value: f64| round_to(value, indicator.decimals);
        // Indicators near zero (changes, balances) spread in absolute terms, the rest relative.
        let is_balance = profile.kreis_level.abs() < 1.0;
        let area_factors: Vec<f64> = map_areas
            .iter()
            .map(|area| {
                let size = (area.population.unwrap_or(1) as f64 / mean_population).ln();
                (1.0 + profile.spread * symmetric(&mut rng) + profile.urban_tilt * size * 0.5)
                    .max(0.2)
            })
            .collect();
        let gemeinde_factors: Vec<Vec<f64>> = gemeinden_of
            .iter()
            .map(|gemeinden| {
                gemeinden
                    .iter()
                    .map(|_| (1.0 + profile.spread * 0.8 * symmetric(&mut gemeinde_rng)).max(0.2))
                    .collect()
            })
            .collect();
        for year in FIRST_DEMO_YEAR..=LAST_DEMO_YEAR {
            let elapsed = f64::from(year - FIRST_DEMO_YEAR);
            // The pandemic years lift labour-market burdens a little, as in the real series.
            let shock = if indicator.handlungsfeld == ARB && (2020..=2021).contains(&year) {
                1.04
            } else {
                1.0
            };
            let kreis_trend = (profile.kreis_level + profile.trend * elapsed) * shock;
            let mut weighted_sum = 0.0;
            let mut weight = 0.0;
            let mut area_values = Vec::with_capacity(map_areas.len());
            for (area, factor) in map_areas.iter().zip(&area_factors) {
                let noise = 0.02 * symmetric(&mut rng);
                let value = if is_balance {
                    round(kreis_trend + (factor - 1.0) * 4.0 + noise * 10.0)
                } else {
                    round(kreis_trend * factor * (1.0 + noise))
                };
                let population = area.population.unwrap_or(0) as f64;
                weighted_sum += value * population;
                weight += population;
                let cell =
                    demo_gap(&indicator.id, area, year).map_or(Cell::Value(value), Cell::Gap);
                observations.push(Observation::new(&indicator.id, &area.id, year, cell));
                area_values.push((value, cell));
            }
            for ((gemeinden, factors), (area_value, area_cell)) in
                gemeinden_of.iter().zip(&gemeinde_factors).zip(&area_values)
            {
                let population = |gemeinde: &&Area| gemeinde.population.unwrap_or(1) as f64;
                let mean_factor = gemeinden
                    .iter()
                    .zip(factors)
                    .map(|(gemeinde, factor)| population(gemeinde) * factor)
                    .sum::<f64>()
                    / gemeinden.iter().map(population).sum::<f64>();
                for (gemeinde, factor) in gemeinden.iter().zip(factors) {
                    let cell = if gemeinden.len() == 1 {
                        *area_cell
                    } else if let Some(gap) = demo_gap(&indicator.id, gemeinde, year)
                        .or(area_cell.value().is_none().then_some(Gap::NoData))
                    {
                        Cell::Gap(gap)
                    } else {
                        let noise = 0.02 * symmetric(&mut gemeinde_rng);
                        Cell::Value(if is_balance {
                            round(area_value + (factor - mean_factor) * 4.0 + noise * 10.0)
                        } else {
                            // A share stays a share in a small place, too.
                            let ceiling = if indicator.unit == "%" {
                                100.0
                            } else {
                                f64::MAX
                            };
                            round((area_value * factor / mean_factor * (1.0 + noise)).min(ceiling))
                        })
                    };
                    observations.push(Observation::new(&indicator.id, &gemeinde.id, year, cell));
                }
            }
            let kreis = round(weighted_sum / weight);
            let land_noise = 1.0 + 0.01 * symmetric(&mut rng);
            let bund_noise = 1.0 + 0.01 * symmetric(&mut rng);
            let land =
                round((profile.land_level + profile.trend * elapsed * 0.9) * shock * land_noise);
            let bund =
                round((profile.bund_level + profile.trend * elapsed * 0.8) * shock * bund_noise);
            for (area_id, value) in [("01056", kreis), ("01", land), ("DG", bund)] {
                let cell = if indicator.id == "betreuungsquote_u3"
                    && year == FIRST_DEMO_YEAR
                    && area_id == "01056"
                {
                    Cell::Gap(Gap::NoData)
                } else {
                    Cell::Value(value)
                };
                observations.push(Observation::new(&indicator.id, area_id, year, cell));
            }
        }
    }
    observations
}

/// The demo values as the CSV a BI system would export (`kennzahl;gebiet;jahr;wert`, German
/// notation, `.` and `x` for gaps), so the demo goes through the real import.
pub fn demo_values_csv(observations: &[Observation]) -> String {
    let mut csv = String::from("kennzahl;gebiet;jahr;wert\n");
    for observation in observations {
        let key = &observation.key;
        let value = match observation.cell {
            Cell::Value(value) => value.to_string().replace('.', ","),
            Cell::Flagged { value, flag } => match flag {
                fokus_model::ValueFlag::Uncertain => {
                    format!("({})", value.to_string().replace('.', ","))
                }
                other => format!("{} {}", value.to_string().replace('.', ","), other.letter()),
            },
            Cell::Gap(Gap::NoData) => ".".into(),
            Cell::Gap(Gap::Suppressed) => "x".into(),
        };
        csv.push_str(&format!(
            "{};{};{};{value}\n",
            key.indicator, key.area, key.year
        ));
    }
    csv
}

/// Indicators counted in small numbers of people: suppressed for tiny Helgoland.
const SMALL_COUNTS: [&str; 4] = [
    "sgb2_quote_u15",
    "inobhutnahmen",
    "wohnungslose",
    "eingliederungshilfe_35a",
];

/// Gaps the demo shows on purpose: small-count indicators of tiny places (Helgoland, the small
/// Gemeinden of the Ämter) are suppressed (too few cases), and the first year of the childcare
/// statistic is missing for the Ämter, their Gemeinden and the Kreis.
fn demo_gap(indicator_id: &str, area: &Area, year: u16) -> Option<Gap> {
    let is_tiny = area.population.is_some_and(|population| population < 2_000);
    if is_tiny && SMALL_COUNTS.contains(&indicator_id) {
        return Some(Gap::Suppressed);
    }
    if indicator_id == "betreuungsquote_u3" && year == FIRST_DEMO_YEAR && area.kind == AreaKind::Amt
    {
        return Some(Gap::NoData);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_is_deterministic_and_complete() {
        let deployment = demo_deployment();
        let first = demo_observations(&deployment);
        let second = demo_observations(&deployment);
        assert_eq!(first, second, "seeded: the same on every run");
        assert_eq!(
            deployment.indicators.len(),
            73,
            "the Sozialbericht's 73 indicators"
        );
        assert!(
            deployment
                .indicators
                .iter()
                .all(|indicator| KNOBS.iter().any(|(id, _)| *id == indicator.id)),
            "every catalogue indicator has generator knobs"
        );
        assert_eq!(
            deployment.areas.len(),
            70,
            "18 map areas + Kreis, Land, Bund + 49 Gemeinden"
        );
        assert_eq!(
            first.len(),
            56_210,
            "73 indicators x 11 years x (18 map areas + 3 references + 49 Gemeinden)"
        );
        let gaps = first
            .iter()
            .filter(|o| matches!(o.cell, Cell::Gap(_)))
            .count();
        // Mostly the small-count indicators of the small Gemeinden, suppressed for data
        // protection: the Gemeinde level shows how much a county cannot publish.
        assert!(
            gaps > 0 && gaps < first.len() / 20,
            "some gaps, not many: {gaps}"
        );
    }

    #[test]
    fn gemeinde_values_average_to_their_map_area_and_small_ones_are_suppressed() {
        let deployment = demo_deployment();
        let observations = demo_observations(&deployment);
        let cell = |indicator: &str, area: &str, year: u16| {
            observations
                .iter()
                .find(|o| o.key.indicator == indicator && o.key.area == area && o.key.year == year)
                .map(|o| o.cell)
        };
        let amt = "010565616"; // Amt Elmshorn-Land
        let gemeinden: Vec<&Area> = deployment
            .areas
            .iter()
            .filter(|area| area.parent.as_deref() == Some(amt))
            .collect();
        assert!(gemeinden.len() > 3, "an Amt of several Gemeinden");
        let (sum, weight) = gemeinden
            .iter()
            .fold((0.0, 0.0), |(sum, weight), gemeinde| {
                let value = cell("sgb2_quote", &gemeinde.id, 2024)
                    .and_then(Cell::value)
                    .unwrap();
                let population = gemeinde.population.unwrap() as f64;
                (sum + value * population, weight + population)
            });
        let amt_value = cell("sgb2_quote", amt, 2024).and_then(Cell::value).unwrap();
        assert!(
            (sum / weight - amt_value).abs() < 0.3,
            "weighted by population the Gemeinden give their Amt's value: {} vs {amt_value}",
            sum / weight
        );
        assert_eq!(
            cell("sgb2_quote", "010560015015", 2024),
            cell("sgb2_quote", "010560015", 2024),
            "the Gemeinde Elmshorn is the amtsfreie Gemeinde Elmshorn"
        );
        let small = gemeinden
            .iter()
            .find(|gemeinde| gemeinde.population.unwrap() < 2_000)
            .expect("a small Gemeinde");
        assert_eq!(
            cell("inobhutnahmen", &small.id, 2024),
            Some(Cell::Gap(Gap::Suppressed)),
            "{}: too few cases to publish",
            small.name
        );
    }

    #[test]
    fn every_gemeinde_belongs_to_one_map_area_and_adds_up() {
        let areas = demo_deployment().areas;
        let gemeinden: Vec<&Area> = areas
            .iter()
            .filter(|area| area.kind == AreaKind::Gemeinde)
            .collect();
        assert_eq!(gemeinden.len(), 49, "Kreis Pinneberg has 49 Gemeinden");
        let map_areas: Vec<&Area> = areas
            .iter()
            .filter(|area| matches!(area.kind, AreaKind::Amt | AreaKind::AmtsfreieGemeinde))
            .collect();
        assert_eq!(map_areas.len(), 18, "5 Ämter + 13 amtsfreie Gemeinden");
        for area in &map_areas {
            let sum: u64 = gemeinden
                .iter()
                .filter(|gemeinde| gemeinde.parent.as_deref() == Some(area.id.as_str()))
                .filter_map(|gemeinde| gemeinde.population)
                .sum();
            assert_eq!(
                Some(sum),
                area.population,
                "{}: the Gemeinden's Zensus populations add up to the map area's",
                area.name
            );
        }
        let kreis = areas.iter().find(|area| area.id == "01056").unwrap();
        assert_eq!(
            kreis.population,
            Some(320_275),
            "Zensus 2022 total of the 49 Gemeinden (SOURCES.md)"
        );
    }

    #[test]
    fn values_survive_the_csv_round_trip() {
        let deployment = demo_deployment();
        let observations = demo_observations(&deployment);
        let catalog = fokus_model::Catalog {
            revision: 1,
            dataset: None,
            indicators: deployment.indicators.clone(),
            areas: deployment.areas.clone(),
            years: vec![],
            indicator_years: vec![],
        };
        let parsed = crate::import::parse_export(
            demo_values_csv(&observations).as_bytes(),
            &catalog,
            crate::import::ImportRules::default(),
        )
        .expect("the generated export passes the import's checks");
        assert_eq!(
            parsed.observations, observations,
            "German notation loses no digit"
        );
    }

    #[test]
    fn values_are_plausible() {
        let deployment = demo_deployment();
        for observation in &demo_observations(&deployment) {
            let Cell::Value(value) = observation.cell else {
                continue;
            };
            let indicator = deployment
                .indicators
                .iter()
                .find(|indicator| indicator.id == observation.key.indicator)
                .unwrap();
            if indicator.unit == "%" && indicator.id != "bevoelkerungsentwicklung" {
                assert!(
                    (0.0..=100.0).contains(&value),
                    "{} {} {}: {value} is a share",
                    indicator.id,
                    observation.key.area,
                    observation.key.year
                );
            }
            if indicator.id != "bevoelkerungsentwicklung" && indicator.id != "wanderungssaldo" {
                assert!(value >= 0.0, "{} cannot be negative: {value}", indicator.id);
            }
        }
    }
}
