//! Demo demography and finance: population by age group and sex for every reporting area and
//! year, anchored on the real Zensus 2022 totals; the Kreis's Sozialausgaben by field. Seeded,
//! so the same on every run; labelled as demo data wherever it is shown.

use fokus_model::finance::{BudgetTotal, Spending};
use fokus_model::population::{Movement, PopulationCount, Sex, AGE_GROUPS};
use fokus_model::{Area, AreaKind};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::demo::{FIRST_DEMO_YEAR, LAST_DEMO_YEAR};

const SEED: u64 = 0x000F_0C05_DE30;

/// The Zensus reference year: the demo's populations equal the Zensus totals in this year.
const ANCHOR_YEAR: u16 = 2022;

/// Rounded orders of magnitude for the reference areas, which have no verified population in
/// the bundled data: demo values only.
const LAND_POPULATION: f64 = 2_950_000.0;
const BUND_POPULATION: f64 = 83_000_000.0;

/// Shares of the 18 age groups in a German population of the early 2020s (roughly the
/// Destatis pattern: baby boomers at 55–64, thin cohorts at 85+).
const AGE_SHARES: [f64; 18] = [
    4.8, 4.6, 4.5, 4.6, 5.3, 5.9, 6.6, 6.4, 6.1, 5.9, 7.6, 8.2, 7.4, 6.3, 5.0, 3.8, 4.0, 2.9,
];

/// Share of women per age group: slightly below half among the young, well above among the
/// very old.
fn female_share(age_from: u8) -> f64 {
    match age_from {
        0..=19 => 0.487,
        20..=59 => 0.497,
        60..=74 => 0.515,
        75..=84 => 0.56,
        _ => 0.66,
    }
}

fn unit_interval(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

fn symmetric(rng: &mut ChaCha8Rng) -> f64 {
    unit_interval(rng) * 2.0 - 1.0
}

/// The years of the demo's population projection (a Bevölkerungsvorausberechnung continues the
/// counts' trend in five-year steps).
pub const PROJECTION_YEARS: [u16; 3] = [2030, 2035, 2040];

/// Population counts of the 18 map areas, the Kreis (their sum), the Land and the Bund for
/// every demo year, and a projection for [`PROJECTION_YEARS`]: 21 areas × 14 years × 18 age
/// groups × 2 sexes.
pub fn demo_population(areas: &[Area]) -> Vec<PopulationCount> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let share_sum: f64 = AGE_SHARES.iter().sum();
    let mut counts = Vec::new();
    let years: Vec<(u16, bool)> = (FIRST_DEMO_YEAR..=LAST_DEMO_YEAR)
        .map(|year| (year, false))
        .chain(PROJECTION_YEARS.map(|year| (year, true)))
        .collect();
    let mut kreis_totals = vec![[0u64; 2]; AGE_GROUPS.len() * years.len()];
    let mut kreis_id = None;
    for area in areas {
        let base = match area.kind {
            AreaKind::Amt | AreaKind::AmtsfreieGemeinde => area.population.unwrap_or(0) as f64,
            AreaKind::Land => LAND_POPULATION,
            AreaKind::Bund => BUND_POPULATION,
            AreaKind::Kreis => {
                kreis_id = Some(area.id.clone());
                continue;
            }
            AreaKind::Gemeinde | AreaKind::KreisfreieStadt => continue,
        };
        // Growth per year around the Kreis's real +0.4 %; towns grow a little faster.
        let growth = 0.004 + 0.003 * symmetric(&mut rng);
        // Each area's age pattern differs a little: rural Ämter are older.
        let tilts: Vec<f64> = AGE_GROUPS
            .iter()
            .map(|_| 1.0 + 0.08 * symmetric(&mut rng))
            .collect();
        for (year_idx, (year, projection)) in years.iter().copied().enumerate() {
            let years_from_anchor = f64::from(year) - f64::from(ANCHOR_YEAR);
            let total = base * (1.0 + growth).powf(years_from_anchor);
            // Ageing: older groups gain about 1 % a year relative to younger ones.
            let weights: Vec<f64> = AGE_GROUPS
                .iter()
                .zip(AGE_SHARES)
                .zip(&tilts)
                .map(|((age_from, share), tilt)| {
                    let ageing =
                        1.0 + 0.01 * years_from_anchor * (f64::from(*age_from) - 40.0) / 45.0;
                    share / share_sum * tilt * ageing
                })
                .collect();
            let weight_sum: f64 = weights.iter().sum();
            for (group_idx, (age_from, weight)) in AGE_GROUPS.iter().zip(&weights).enumerate() {
                let group_total = total * weight / weight_sum;
                let female = (group_total * female_share(*age_from)).round() as u64;
                let male = (group_total * (1.0 - female_share(*age_from))).round() as u64;
                for (sex_idx, (sex, count)) in [(Sex::Female, female), (Sex::Male, male)]
                    .into_iter()
                    .enumerate()
                {
                    if matches!(area.kind, AreaKind::Amt | AreaKind::AmtsfreieGemeinde) {
                        kreis_totals[year_idx * AGE_GROUPS.len() + group_idx][sex_idx] += count;
                    }
                    counts.push(PopulationCount {
                        area: area.id.clone(),
                        year,
                        age_from: *age_from,
                        sex,
                        count,
                        projection,
                    });
                }
            }
        }
    }
    if let Some(kreis_id) = kreis_id {
        for (year_idx, (year, projection)) in years.iter().copied().enumerate() {
            for (group_idx, age_from) in AGE_GROUPS.iter().enumerate() {
                let [female, male] = kreis_totals[year_idx * AGE_GROUPS.len() + group_idx];
                for (sex, count) in [(Sex::Female, female), (Sex::Male, male)] {
                    counts.push(PopulationCount {
                        area: kreis_id.clone(),
                        year,
                        age_from: *age_from,
                        sex,
                        count,
                        projection,
                    });
                }
            }
        }
    }
    counts
}

/// Net Sozialausgaben of the Kreis by Leistungsbereich: the level in 2015 (euros) and the yearly
/// growth. Magnitudes of a Kreis of 320,000 inhabitants: from about 800 € per inhabitant in 2015 to
/// about 1,200 € in 2025.
const SPENDING_FIELDS: [(&str, f64, f64); 8] = [
    ("Kinder- und Jugendhilfe (SGB VIII)", 98_000_000.0, 0.055),
    ("Eingliederungshilfe (SGB IX)", 74_000_000.0, 0.06),
    ("Kosten der Unterkunft (SGB II)", 44_000_000.0, 0.01),
    ("Hilfe zur Pflege (SGB XII)", 15_500_000.0, 0.065),
    (
        "Grundsicherung im Alter und bei Erwerbsminderung (SGB XII, netto)",
        2_600_000.0,
        0.03,
    ),
    ("Hilfe zum Lebensunterhalt (SGB XII)", 3_900_000.0, 0.02),
    (
        "Leistungen nach dem Asylbewerberleistungsgesetz",
        7_500_000.0,
        0.0,
    ),
    ("Bildung und Teilhabe", 2_800_000.0, 0.04),
];

/// The Kreis's Sozialausgaben per field and year.
pub fn demo_spending() -> Vec<Spending> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED ^ 0x5A);
    let mut rows = Vec::new();
    for (field, level, growth) in SPENDING_FIELDS {
        for year in FIRST_DEMO_YEAR..=LAST_DEMO_YEAR {
            let elapsed = f64::from(year - FIRST_DEMO_YEAR);
            // Asylum costs follow arrivals: high in 2016, low around 2020, up again from 2022.
            let wave = if field.starts_with("Leistungen nach dem Asyl") {
                match year {
                    2015 => 1.0,
                    2016 => 1.45,
                    2017 => 1.1,
                    2018..=2021 => 0.75,
                    2022 => 1.05,
                    _ => 1.3,
                }
            } else {
                1.0
            };
            let noise = 1.0 + 0.02 * symmetric(&mut rng);
            let euros =
                (level * (1.0 + growth).powf(elapsed) * wave * noise / 1_000.0).round() * 1_000.0;
            rows.push(Spending {
                field: field.to_owned(),
                year,
                euros,
            });
        }
    }
    rows
}

/// The demo's population as a BI export (`gebiet;jahr;geschlecht;alter;anzahl;prognose`).
pub fn population_csv(counts: &[PopulationCount]) -> String {
    let mut csv = String::from("gebiet;jahr;geschlecht;alter;anzahl;prognose\n");
    for count in counts {
        let sex = match count.sex {
            Sex::Female => "w",
            Sex::Male => "m",
        };
        let projection = if count.projection { "ja" } else { "nein" };
        csv.push_str(&format!(
            "{};{};{sex};{};{};{projection}\n",
            count.area, count.year, count.age_from, count.count
        ));
    }
    csv
}

/// Births, deaths and moves of every area with population counts, from the second demo year
/// on, consistent with its counts: births minus deaths plus moves in minus moves out equals the
/// change of the population against the year before. Rates near the Kreis's real ones (about 9
/// births and 12 deaths per 1,000; about 60 moves in per 1,000 for an Amt).
pub fn demo_movement(counts: &[PopulationCount]) -> Vec<Movement> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED ^ 0xB1A7);
    let mut totals: std::collections::BTreeMap<(&str, u16), u64> = Default::default();
    for count in counts.iter().filter(|count| !count.projection) {
        *totals.entry((count.area.as_str(), count.year)).or_default() += count.count;
    }
    let mut rows = Vec::new();
    for (&(area, year), &total) in &totals {
        let Some(&before) = totals.get(&(area, year.wrapping_sub(1))) else {
            continue;
        };
        let people = total as f64;
        let births = (people * (0.0088 + 0.0008 * symmetric(&mut rng))).round() as i64;
        let deaths = (people * (0.0118 + 0.0010 * symmetric(&mut rng))).round() as i64;
        let net_migration = total as i64 - before as i64 - (births - deaths);
        let moved_in = (people * (0.058 + 0.008 * symmetric(&mut rng))).round() as i64;
        let moved_out = moved_in - net_migration;
        rows.push(Movement {
            area: area.to_owned(),
            year,
            births: births as u64,
            deaths: deaths as u64,
            moved_in: moved_in.max(0) as u64,
            moved_out: moved_out.max(0) as u64,
        });
    }
    rows
}

/// The demo's movement as a BI export (`gebiet;jahr;geburten;sterbefaelle;zuzuege;fortzuege`).
pub fn movement_csv(rows: &[Movement]) -> String {
    let mut csv = String::from("gebiet;jahr;geburten;sterbefaelle;zuzuege;fortzuege\n");
    for row in rows {
        csv.push_str(&format!(
            "{};{};{};{};{};{}\n",
            row.area, row.year, row.births, row.deaths, row.moved_in, row.moved_out
        ));
    }
    csv
}

/// The Kreis's whole budget per year: the Sozialausgaben are about three of every four euros
/// (the share German Kreise report), drifting a little from year to year. Demo values.
pub fn demo_budget(spending: &[Spending]) -> Vec<BudgetTotal> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED ^ 0xB0D6E7);
    (FIRST_DEMO_YEAR..=LAST_DEMO_YEAR)
        .map(|year| {
            let social: f64 = spending
                .iter()
                .filter(|row| row.year == year)
                .map(|row| row.euros)
                .sum();
            let share = 0.75 + 0.02 * symmetric(&mut rng);
            BudgetTotal {
                year,
                euros: (social / share / 1_000.0).round() * 1_000.0,
            }
        })
        .collect()
}

/// The demo's budget totals as a BI export (`jahr;gesamthaushalt`).
pub fn budget_csv(rows: &[BudgetTotal]) -> String {
    let mut csv = String::from("jahr;gesamthaushalt\n");
    for row in rows {
        csv.push_str(&format!(
            "{};{}\n",
            row.year,
            row.euros.to_string().replace('.', ",")
        ));
    }
    csv
}

/// The demo's Sozialausgaben as a BI export (`bereich;jahr;euro`, German notation).
pub fn spending_csv(rows: &[Spending]) -> String {
    let mut csv = String::from("bereich;jahr;euro\n");
    for row in rows {
        let euros = row.euros.to_string().replace('.', ",");
        csv.push_str(&format!("{};{};{euros}\n", row.field, row.year));
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_matches_the_zensus_in_2022_and_adds_up_to_the_kreis() {
        let areas: Vec<Area> = crate::demo::demo_deployment()
            .areas
            .into_iter()
            .filter(|area| area.kind != AreaKind::Gemeinde)
            .collect();
        let counts = demo_population(&areas);
        assert_eq!(
            counts.len(),
            21 * (11 + 3) * 18 * 2,
            "21 areas × (11 years + 3 projected) × 18 age groups × 2 sexes"
        );
        let total = |area: &str, year: u16| -> u64 {
            counts
                .iter()
                .filter(|count| count.area == area && count.year == year)
                .map(|count| count.count)
                .sum()
        };
        for area in areas
            .iter()
            .filter(|area| matches!(area.kind, AreaKind::Amt | AreaKind::AmtsfreieGemeinde))
        {
            let zensus = area.population.unwrap() as f64;
            let demo = total(&area.id, 2022) as f64;
            assert!(
                (demo - zensus).abs() <= 20.0,
                "{}: 2022 total {demo} is the Zensus {zensus} up to rounding of 36 cells",
                area.name
            );
        }
        let sum_of_map_areas: u64 = areas
            .iter()
            .filter(|area| matches!(area.kind, AreaKind::Amt | AreaKind::AmtsfreieGemeinde))
            .map(|area| total(&area.id, 2019))
            .sum();
        assert_eq!(
            total("01056", 2019),
            sum_of_map_areas,
            "the Kreis is the sum of its areas"
        );
        assert!(
            total("01056", 2025) > total("01056", 2015),
            "the Kreis grows, as it really does"
        );
    }

    #[test]
    fn movement_adds_up_to_the_change_and_the_projection_is_labelled() {
        let areas: Vec<Area> = crate::demo::demo_deployment().areas;
        let counts = demo_population(&areas);
        let projected: Vec<u16> = counts
            .iter()
            .filter(|count| count.projection)
            .map(|count| count.year)
            .collect();
        assert!(
            projected.iter().all(|year| PROJECTION_YEARS.contains(year)),
            "only the projection's years are marked"
        );
        assert!(counts
            .iter()
            .filter(|count| count.year <= LAST_DEMO_YEAR)
            .all(|count| !count.projection));
        let movement = demo_movement(&counts);
        let total = |area: &str, year: u16| -> i64 {
            counts
                .iter()
                .filter(|count| count.area == area && count.year == year)
                .map(|count| count.count as i64)
                .sum()
        };
        assert!(!movement.is_empty());
        for row in &movement {
            assert!(row.year > FIRST_DEMO_YEAR && row.year <= LAST_DEMO_YEAR);
            assert_eq!(
                row.natural() + row.migration(),
                total(&row.area, row.year) - total(&row.area, row.year - 1),
                "{} {}",
                row.area,
                row.year
            );
            let births_per_1000 = row.births as f64 * 1000.0 / total(&row.area, row.year) as f64;
            assert!((7.0..11.0).contains(&births_per_1000), "{births_per_1000}");
        }
    }

    #[test]
    fn social_spending_is_about_three_quarters_of_the_budget() {
        let spending = demo_spending();
        let budget = demo_budget(&spending);
        assert_eq!(budget.len(), 11, "one total per demo year");
        for total in &budget {
            let social: f64 = spending
                .iter()
                .filter(|row| row.year == total.year)
                .map(|row| row.euros)
                .sum();
            let share = social / total.euros;
            assert!(
                (0.72..0.78).contains(&share),
                "{}: {share:.3} of the budget",
                total.year
            );
        }
    }

    #[test]
    fn spending_per_inhabitant_is_plausible_for_a_kreis() {
        let rows = demo_spending();
        assert_eq!(rows.len(), 8 * 11, "8 fields × 11 years");
        let total_2022: f64 = rows
            .iter()
            .filter(|row| row.year == 2022)
            .map(|row| row.euros)
            .sum();
        let per_inhabitant = total_2022 / 320_275.0;
        assert!(
            (600.0..1_400.0).contains(&per_inhabitant),
            "plausible for a German Kreis: {per_inhabitant:.0} € per inhabitant"
        );
    }
}
