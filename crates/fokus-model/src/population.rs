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
}

impl PopulationPyramid {
    pub fn total(&self) -> u64 {
        self.groups
            .iter()
            .map(|(_, female, male)| female + male)
            .sum()
    }
}
