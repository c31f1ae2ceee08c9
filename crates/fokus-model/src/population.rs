//! Demography: inhabitants by 5-year age group and sex, per area and year. The Sozialbericht's
//! population pyramids and the denominators of most indicators come from here.

use serde::{Deserialize, Serialize};

/// Lower bounds of the age groups: 0–4, 5–9, …, 80–84, then 85 and older.
pub const AGE_GROUPS: [u8; 18] = [
    0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85,
];

/// German label of the age group starting at `age_from`: `"20–24"`, `"85+"`.
pub fn age_group_label(age_from: u8) -> String {
    if age_from >= 85 {
        "85+".to_owned()
    } else {
        format!("{age_from}–{}", age_from + 4)
    }
}

/// Sex as official population statistics report it (Fortschreibung: männlich, weiblich).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }

    pub fn parse(text: &str) -> Option<Sex> {
        [Sex::Female, Sex::Male]
            .into_iter()
            .find(|sex| sex.as_str() == text)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Sex::Female => "weiblich",
            Sex::Male => "männlich",
        }
    }
}

/// Inhabitants of one area, year, age group and sex (31 December).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PopulationCount {
    pub area: String,
    pub year: u16,
    /// Lower bound of the age group, one of [`AGE_GROUPS`].
    pub age_from: u8,
    pub sex: Sex,
    pub count: u64,
    /// A projection (Bevölkerungsvorausberechnung) rather than a count: shown and labelled as
    /// such wherever it appears.
    #[serde(default, skip_serializing_if = "is_false")]
    pub projection: bool,
}

fn is_false(flag: &bool) -> bool {
    !flag
}

/// Births, deaths and moves across the area's border in one year: the natural and the
/// migratory part of its population change (Bevölkerungsbewegung).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Movement {
    pub area: String,
    pub year: u16,
    /// Live births.
    pub births: u64,
    pub deaths: u64,
    /// Moves into the area (Zuzüge).
    pub moved_in: u64,
    /// Moves out of the area (Fortzüge).
    pub moved_out: u64,
}

impl Movement {
    /// Births minus deaths.
    pub fn natural(&self) -> i64 {
        self.births as i64 - self.deaths as i64
    }

    /// Moves in minus moves out.
    pub fn migration(&self) -> i64 {
        self.moved_in as i64 - self.moved_out as i64
    }
}

/// A population pyramid: one area and year, counts by age group (ascending) and sex.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PopulationPyramid {
    pub area: String,
    pub name: String,
    pub year: u16,
    /// `(age_from, female, male)` per age group, youngest first.
    pub groups: Vec<(u8, u64, u64)>,
    /// The years the area has population data for, ascending.
    pub years: Vec<u16>,
    /// Those of `years` that are projections, not counts.
    #[serde(default)]
    pub projected: Vec<u16>,
    /// When the population figures last changed (Unix seconds), if known.
    #[serde(default)]
    pub stand: Option<i64>,
}

impl PopulationPyramid {
    pub fn total(&self) -> u64 {
        self.groups
            .iter()
            .map(|(_, female, male)| female + male)
            .sum()
    }
}

/// The broad age groups of the age structure over time, as far as 5-year groups allow: lower
/// and upper bound of the 5-year groups each gathers (`None`: open-ended).
pub const BROAD_GROUPS: [(u8, Option<u8>); 7] = [
    (0, Some(4)),
    (5, Some(19)),
    (20, Some(29)),
    (30, Some(49)),
    (50, Some(64)),
    (65, Some(79)),
    (80, None),
];

/// German label of a broad group: `"5–19"`, `"80+"`.
pub fn broad_group_label(group: (u8, Option<u8>)) -> String {
    match group {
        (from, Some(to)) => format!("{from}–{to}"),
        (from, None) => format!("{from}+"),
    }
}

/// One area's age structure over the years: inhabitants per broad group and the dependency
/// ratios (Jugend- and Altenquotient: under 20 and 65 and older per 100 of 20 to 64).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AgeStructure {
    pub area: String,
    pub name: String,
    /// Ascending.
    pub years: Vec<u16>,
    /// Per [`BROAD_GROUPS`] entry, one count per year.
    pub groups: Vec<Vec<u64>>,
    /// Under 20 per 100 aged 20 to 64, per year; `None` without anyone of working age.
    pub youth_ratio: Vec<Option<f64>>,
    /// 65 and older per 100 aged 20 to 64, per year.
    pub old_age_ratio: Vec<Option<f64>>,
    /// Those of `years` that are projections, not counts.
    #[serde(default)]
    pub projected: Vec<u16>,
    /// Births, deaths and moves per year, ascending; empty where none were imported.
    #[serde(default)]
    pub movement: Vec<Movement>,
    /// When the population figures last changed (Unix seconds), if known.
    #[serde(default)]
    pub stand: Option<i64>,
}

impl AgeStructure {
    /// Builds the structure from counts of one area (any order, both sexes, every year).
    pub fn from_counts(area: &str, name: &str, counts: &[PopulationCount]) -> AgeStructure {
        let mut years: Vec<u16> = counts.iter().map(|count| count.year).collect();
        years.sort_unstable();
        years.dedup();
        let mut groups = vec![vec![0u64; years.len()]; BROAD_GROUPS.len()];
        let (mut young, mut working, mut old) = (
            vec![0u64; years.len()],
            vec![0u64; years.len()],
            vec![0u64; years.len()],
        );
        for count in counts.iter().filter(|count| count.area == area) {
            let Ok(year_idx) = years.binary_search(&count.year) else {
                continue;
            };
            if let Some(group_idx) = BROAD_GROUPS.iter().position(|(from, to)| {
                count.age_from >= *from && to.is_none_or(|to| count.age_from <= to)
            }) {
                groups[group_idx][year_idx] += count.count;
            }
            match count.age_from {
                0..=19 => young[year_idx] += count.count,
                20..=64 => working[year_idx] += count.count,
                _ => old[year_idx] += count.count,
            }
        }
        let ratio = |part: &[u64]| -> Vec<Option<f64>> {
            part.iter()
                .zip(&working)
                .map(|(part, working)| {
                    (*working > 0).then(|| *part as f64 * 100.0 / *working as f64)
                })
                .collect()
        };
        let mut projected: Vec<u16> = counts
            .iter()
            .filter(|count| count.area == area && count.projection)
            .map(|count| count.year)
            .collect();
        projected.sort_unstable();
        projected.dedup();
        AgeStructure {
            area: area.to_owned(),
            name: name.to_owned(),
            youth_ratio: ratio(&young),
            old_age_ratio: ratio(&old),
            years,
            groups,
            projected,
            movement: Vec::new(),
            stand: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(year: u16, age_from: u8, sex: Sex, count: u64) -> PopulationCount {
        PopulationCount {
            area: "01056".into(),
            year,
            age_from,
            sex,
            count,
            projection: false,
        }
    }

    #[test]
    fn every_five_year_group_lands_in_exactly_one_broad_group() {
        for age_from in AGE_GROUPS {
            let holding = BROAD_GROUPS
                .iter()
                .filter(|(from, to)| age_from >= *from && to.is_none_or(|to| age_from <= to))
                .count();
            assert_eq!(holding, 1, "{age_from}");
        }
        assert_eq!(broad_group_label(BROAD_GROUPS[1]), "5–19");
        assert_eq!(broad_group_label(BROAD_GROUPS[6]), "80+");
    }

    #[test]
    fn the_structure_sums_groups_and_computes_the_dependency_ratios() {
        let counts = vec![
            count(2025, 0, Sex::Female, 10),
            count(2025, 0, Sex::Male, 10),
            count(2025, 15, Sex::Female, 20),
            count(2025, 20, Sex::Male, 100),
            count(2025, 60, Sex::Female, 100),
            count(2025, 65, Sex::Female, 30),
            count(2025, 85, Sex::Male, 20),
            count(2024, 20, Sex::Female, 50),
            PopulationCount {
                area: "other".into(),
                ..count(2025, 0, Sex::Female, 999)
            },
        ];
        let structure = AgeStructure::from_counts("01056", "Kreis", &counts);
        assert_eq!(structure.years, [2024, 2025]);
        assert_eq!(structure.groups[0], [0, 20], "0–4");
        assert_eq!(structure.groups[1], [0, 20], "5–19 holds 15–19");
        assert_eq!(structure.groups[6], [0, 20], "80+ holds 85+");
        let total_2025: u64 = structure.groups.iter().map(|group| group[1]).sum();
        assert_eq!(total_2025, 290, "every count once, other areas not at all");
        assert_eq!(
            structure.youth_ratio[1],
            Some(20.0),
            "40 young per 200 of working age"
        );
        assert_eq!(structure.old_age_ratio[1], Some(25.0));
        assert_eq!(structure.youth_ratio[0], Some(0.0));
        assert!(structure.projected.is_empty(), "counts only");
        let projected = AgeStructure::from_counts(
            "01056",
            "Kreis",
            &[
                count(2025, 20, Sex::Male, 5),
                PopulationCount {
                    projection: true,
                    ..count(2030, 20, Sex::Male, 6)
                },
            ],
        );
        assert_eq!(projected.years, [2025, 2030]);
        assert_eq!(projected.projected, [2030], "the projection's years, named");
        let nobody = AgeStructure::from_counts("01056", "Kreis", &[count(2025, 0, Sex::Male, 5)]);
        assert_eq!(nobody.old_age_ratio, [None], "no working age, no ratio");
    }
}
