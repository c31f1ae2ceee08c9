//! The deterministic demo dataset: real areas and populations of Kreis Pinneberg, generated
//! values. Labelled as demo data everywhere it is shown.

use fokus_model::{Area, AreaKind, Cell, DatasetInfo, Gap, Indicator, Observation, Polarity};
use fokus_store::Changes;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::areas::pinneberg_areas;

pub const DEMO_TITLE: &str = "Demodaten – erzeugte Werte, keine amtliche Statistik";
pub const FIRST_DEMO_YEAR: u16 = 2015;
pub const LAST_DEMO_YEAR: u16 = 2025;
const SEED: u64 = 0x000F_0C05_2015;

/// How one demo indicator behaves: the Kreis level in the first year, the spread between areas
/// (relative), the yearly trend (absolute) and the Land and Bund levels.
struct Profile {
    indicator: Indicator,
    kreis_level: f64,
    spread: f64,
    trend: f64,
    land_level: f64,
    bund_level: f64,
    /// Larger towns have more of it (social burden indicators) when positive.
    urban_tilt: f64,
}

#[allow(clippy::too_many_arguments)]
fn profile(
    id: &str,
    name: &str,
    short_name: &str,
    unit: &str,
    polarity: Polarity,
    handlungsfeld: &str,
    definition: &str,
    source: &str,
    levels: (f64, f64, f64, f64, f64, f64),
) -> Profile {
    let (kreis_level, spread, trend, land_level, bund_level, urban_tilt) = levels;
    Profile {
        indicator: Indicator {
            id: id.into(),
            name: name.into(),
            short_name: short_name.into(),
            unit: unit.into(),
            decimals: 1,
            polarity,
            handlungsfeld: handlungsfeld.into(),
            definition: definition.into(),
            source: source.into(),
        },
        kreis_level,
        spread,
        trend,
        land_level,
        bund_level,
        urban_tilt,
    }
}

fn profiles() -> Vec<Profile> {
    use Polarity::*;
    const BA: &str = "Statistik der Bundesagentur für Arbeit";
    const STALA: &str = "Statistisches Amt für Hamburg und Schleswig-Holstein";
    vec![
        profile("sgb2_quote", "SGB-II-Quote", "SGB II", "%", HigherIsWorse, "Arbeit und Grundsicherung",
            "Anteil der Personen in Bedarfsgemeinschaften nach SGB II an der Bevölkerung unter der Regelaltersgrenze",
            BA, (7.6, 0.35, -0.12, 9.1, 8.4, 0.25)),
        profile("sgb2_quote_u15", "SGB-II-Quote unter 15 Jahren", "SGB II u. 15", "%", HigherIsWorse,
            "Kinder, Jugend und Familie",
            "Anteil der nicht erwerbsfähigen Leistungsberechtigten unter 15 Jahren an allen Kindern unter 15 Jahren",
            BA, (11.8, 0.4, -0.15, 14.2, 13.1, 0.3)),
        profile("arbeitslosenquote", "Arbeitslosenquote", "Arbeitslose", "%", HigherIsWorse, "Arbeit und Grundsicherung",
            "Arbeitslose in Prozent aller zivilen Erwerbspersonen",
            BA, (5.4, 0.3, -0.08, 6.3, 6.4, 0.2)),
        profile("grundsicherung_alter", "Grundsicherung im Alter", "Grusi Alter", "je 1.000", HigherIsWorse,
            "Alter und Pflege",
            "Empfängerinnen und Empfänger von Grundsicherung im Alter (SGB XII, 4. Kapitel) je 1.000 Einwohner ab 65 Jahren",
            STALA, (27.0, 0.35, 0.7, 31.5, 34.0, 0.2)),
        profile("altenquotient", "Altenquotient", "Altenquotient", "je 100", Neutral, "Bevölkerung und Demografie",
            "Personen ab 65 Jahren je 100 Personen von 20 bis unter 65 Jahren",
            STALA, (35.5, 0.12, 0.55, 39.0, 35.8, -0.05)),
        profile("jugendquotient", "Jugendquotient", "Jugendquotient", "je 100", Neutral, "Bevölkerung und Demografie",
            "Personen unter 20 Jahren je 100 Personen von 20 bis unter 65 Jahren",
            STALA, (33.0, 0.08, 0.12, 31.6, 31.0, 0.0)),
        profile("betreuungsquote_u3", "Betreuungsquote unter 3 Jahren", "Betreuung u. 3", "%", HigherIsBetter,
            "Kinder, Jugend und Familie",
            "Anteil der Kinder unter 3 Jahren in Kindertageseinrichtungen oder Kindertagespflege",
            "Statistisches Bundesamt, Kinder- und Jugendhilfestatistik", (30.0, 0.18, 1.1, 33.0, 33.5, 0.0)),
    ]
}

/// A uniform number in [0, 1).
fn unit_interval(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A number in [-1, 1).
fn symmetric(rng: &mut ChaCha8Rng) -> f64 {
    unit_interval(rng) * 2.0 - 1.0
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Builds the whole demo dataset. Same output on every machine and every run.
pub fn demo_changes() -> Changes {
    let areas = pinneberg_areas();
    let map_areas: Vec<&Area> = areas
        .iter()
        .filter(|area| area.kind.is_map_area())
        .collect();
    let total_population: f64 = map_areas
        .iter()
        .filter_map(|area| area.population)
        .sum::<u64>() as f64;
    let mean_population = total_population / map_areas.len() as f64;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut observations = Vec::new();
    let profiles = profiles();

    for profile in &profiles {
        let indicator_id = &profile.indicator.id;
        let area_factors: Vec<f64> = map_areas
            .iter()
            .map(|area| {
                let size = (area.population.unwrap_or(1) as f64 / mean_population).ln();
                (1.0 + profile.spread * symmetric(&mut rng) + profile.urban_tilt * size * 0.5)
                    .max(0.2)
            })
            .collect();
        for year in FIRST_DEMO_YEAR..=LAST_DEMO_YEAR {
            let elapsed = f64::from(year - FIRST_DEMO_YEAR);
            // A dip in 2020 for labour-market indicators makes the series look like real ones.
            let shock = if indicator_id.contains("quote") && (2020..=2021).contains(&year) {
                1.04
            } else {
                1.0
            };
            let kreis_trend = (profile.kreis_level + profile.trend * elapsed) * shock;
            let mut weighted_sum = 0.0;
            let mut weight = 0.0;
            for (area, factor) in map_areas.iter().zip(&area_factors) {
                let value = round1(kreis_trend * factor * (1.0 + 0.02 * symmetric(&mut rng)));
                let population = area.population.unwrap_or(0) as f64;
                weighted_sum += value * population;
                weight += population;
                let cell = demo_gap(indicator_id, area, year).map_or(Cell::Value(value), Cell::Gap);
                observations.push(Observation::new(indicator_id, &area.id, year, cell));
            }
            let kreis = round1(weighted_sum / weight);
            let land = round1(
                (profile.land_level + profile.trend * elapsed * 0.9)
                    * shock
                    * (1.0 + 0.01 * symmetric(&mut rng)),
            );
            let bund = round1(
                (profile.bund_level + profile.trend * elapsed * 0.8)
                    * shock
                    * (1.0 + 0.01 * symmetric(&mut rng)),
            );
            for (area_id, value) in [("01056", kreis), ("01", land), ("DG", bund)] {
                let cell = if indicator_id == "betreuungsquote_u3"
                    && year == FIRST_DEMO_YEAR
                    && area_id == "01056"
                {
                    Cell::Gap(Gap::NoData)
                } else {
                    Cell::Value(value)
                };
                observations.push(Observation::new(indicator_id, area_id, year, cell));
            }
        }
    }
    Changes {
        dataset: Some(DatasetInfo {
            title: DEMO_TITLE.into(),
            demo: true,
        }),
        indicators: profiles
            .into_iter()
            .map(|profile| profile.indicator)
            .collect(),
        areas,
        observations,
        deletions: Vec::new(),
    }
}

/// Gaps the demo shows on purpose: tiny Helgoland's child poverty is suppressed (too few
/// cases), and the first year of the childcare statistic is missing in the Kreis' own series.
fn demo_gap(indicator_id: &str, area: &Area, year: u16) -> Option<Gap> {
    let is_tiny = area.population.is_some_and(|population| population < 2_000);
    if is_tiny && indicator_id == "sgb2_quote_u15" {
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
        let first = demo_changes();
        let second = demo_changes();
        assert_eq!(
            first.observations, second.observations,
            "seeded: the same on every run"
        );
        let n_indicators = first.indicators.len();
        let n_years = usize::from(LAST_DEMO_YEAR - FIRST_DEMO_YEAR + 1);
        assert_eq!(first.areas.len(), 21, "18 map areas + Kreis, Land, Bund");
        assert_eq!(
            first.observations.len(),
            n_indicators * n_years * 21,
            "every indicator x year x area has a cell"
        );
        assert!(
            n_indicators >= 3,
            "the skeleton needs at least 3 indicators"
        );
        let gaps = first
            .observations
            .iter()
            .filter(|o| matches!(o.cell, Cell::Gap(_)))
            .count();
        assert!(
            gaps > 0 && gaps < first.observations.len() / 10,
            "a few gaps, not many: {gaps}"
        );
    }
}
