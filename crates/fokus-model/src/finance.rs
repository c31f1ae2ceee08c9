//! Finance: the Kreis's Sozialausgaben (net social spending) by Leistungsbereich and year. The
//! annual Fokusbericht is built around these numbers: three of every four budget euros.

use serde::{Deserialize, Serialize};

/// Net spending of the Kreis in one Leistungsbereich (e.g. "Eingliederungshilfe") and year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Spending {
    /// The Leistungsbereich, as the budget names it.
    pub field: String,
    pub year: u16,
    /// Euros, net (expenditure minus reimbursements).
    pub euros: f64,
}

/// The whole budget of the Kreis in one year (ordentliche Aufwendungen des Ergebnishaushalts),
/// so the Sozialausgaben can be shown as a share of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BudgetTotal {
    pub year: u16,
    pub euros: f64,
}

/// Spending of one field over the years, in euros and euros per inhabitant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SpendingLine {
    pub field: String,
    /// `(year, euros, euros per inhabitant)`; per inhabitant is `None` where the Kreis's
    /// population of that year is unknown.
    pub points: Vec<(u16, f64, Option<f64>)>,
}

/// All Sozialausgaben of the Kreis: one line per field, and the years covered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SpendingOverview {
    pub area: String,
    pub years: Vec<u16>,
    pub lines: Vec<SpendingLine>,
    /// `(year, euros)` of the whole budget, where known.
    #[serde(default)]
    pub budget: Vec<(u16, f64)>,
    /// When the spending figures last changed (Unix seconds), if known.
    #[serde(default)]
    pub stand: Option<i64>,
}

/// One field's figures in one year, as the Sozialausgaben page's table and treemap show them.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldYear {
    pub field: String,
    pub euros: f64,
    pub per_inhabitant: Option<f64>,
    /// Share of all Sozialausgaben of the year, in percent.
    pub share_social: f64,
    /// Share of the Kreis's whole budget of the year, in percent, where the budget is known.
    pub share_budget: Option<f64>,
    /// Against the year before: euros, and percent (`None` without a previous value or from 0).
    pub change: Option<(f64, Option<f64>)>,
}

impl SpendingOverview {
    fn euros_of(line: &SpendingLine, year: u16) -> Option<(f64, Option<f64>)> {
        line.points
            .iter()
            .find(|(point_year, _, _)| *point_year == year)
            .map(|(_, euros, per_inhabitant)| (*euros, *per_inhabitant))
    }

    /// Every field's figures in `year`, largest first.
    pub fn year_table(&self, year: u16) -> Vec<FieldYear> {
        let total: f64 = self
            .lines
            .iter()
            .filter_map(|line| Self::euros_of(line, year))
            .map(|(euros, _)| euros)
            .sum();
        let budget = self
            .budget
            .iter()
            .find(|(budget_year, _)| *budget_year == year)
            .map(|(_, euros)| *euros)
            .filter(|euros| *euros > 0.0);
        let mut rows: Vec<FieldYear> = self
            .lines
            .iter()
            .filter_map(|line| {
                let (euros, per_inhabitant) = Self::euros_of(line, year)?;
                let change = year
                    .checked_sub(1)
                    .and_then(|previous| Self::euros_of(line, previous))
                    .map(|(before, _)| {
                        let percent = (before != 0.0).then(|| (euros - before) / before * 100.0);
                        (euros - before, percent)
                    });
                Some(FieldYear {
                    field: line.field.clone(),
                    euros,
                    per_inhabitant,
                    share_social: if total > 0.0 {
                        euros / total * 100.0
                    } else {
                        0.0
                    },
                    share_budget: budget.map(|budget| euros / budget * 100.0),
                    change,
                })
            })
            .collect();
        rows.sort_by(|a, b| b.euros.total_cmp(&a.euros));
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_table_has_shares_that_add_up_and_changes_against_the_year_before() {
        let overview = SpendingOverview {
            area: "01056".into(),
            years: vec![2024, 2025],
            lines: vec![
                SpendingLine {
                    field: "Jugendhilfe".into(),
                    points: vec![(2024, 100.0, Some(1.0)), (2025, 150.0, Some(1.5))],
                },
                SpendingLine {
                    field: "Eingliederungshilfe".into(),
                    points: vec![(2024, 0.0, None), (2025, 50.0, None)],
                },
                SpendingLine {
                    field: "Neu".into(),
                    points: vec![(2025, 200.0, Some(2.0))],
                },
            ],
            stand: None,
            budget: vec![(2025, 800.0)],
        };
        let table = overview.year_table(2025);
        let fields: Vec<&str> = table.iter().map(|row| row.field.as_str()).collect();
        assert_eq!(
            fields,
            ["Neu", "Jugendhilfe", "Eingliederungshilfe"],
            "largest first"
        );
        let shares: f64 = table.iter().map(|row| row.share_social).sum();
        assert!(
            (shares - 100.0).abs() < 1e-9,
            "shares of the social budget add up: {shares}"
        );
        assert_eq!(table[1].share_social, 37.5);
        assert_eq!(table[1].share_budget, Some(18.75));
        assert_eq!(table[1].change, Some((50.0, Some(50.0))));
        assert_eq!(table[2].change, Some((50.0, None)), "no percent from zero");
        assert_eq!(table[0].change, None, "no year before");
        assert_eq!(
            overview.year_table(2024)[0].share_budget,
            None,
            "budget unknown"
        );
        assert!(overview.year_table(2030).is_empty());
    }
}

/// A rectangle of a treemap: the value's index and its place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tile {
    pub index: usize,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// Lays out positive values as a squarified treemap (Bruls, Huizing, van Wijk) in a
/// `width` × `height` rectangle: each tile's area is proportional to its value, and tiles stay
/// as close to squares as the order allows. Values are taken largest first; zero and negative
/// values get no tile.
pub fn treemap(values: &[f64], width: f64, height: f64) -> Vec<Tile> {
    let mut order: Vec<usize> = (0..values.len())
        .filter(|&index| values[index] > 0.0)
        .collect();
    order.sort_by(|a, b| values[*b].total_cmp(&values[*a]));
    let total: f64 = order.iter().map(|&index| values[index]).sum();
    if total <= 0.0 || width <= 0.0 || height <= 0.0 {
        return Vec::new();
    }
    let scale = width * height / total;
    let areas: Vec<(usize, f64)> = order
        .iter()
        .map(|&index| (index, values[index] * scale))
        .collect();
    let worst = |row: &[(usize, f64)], side: f64| -> f64 {
        let sum: f64 = row.iter().map(|(_, area)| area).sum();
        row.iter()
            .map(|(_, area)| {
                let ratio = side * side * area / (sum * sum);
                ratio.max(1.0 / ratio)
            })
            .fold(0.0, f64::max)
    };
    let (mut x, mut y, mut w, mut h) = (0.0, 0.0, width, height);
    let mut tiles = Vec::with_capacity(areas.len());
    let mut rest = &areas[..];
    while !rest.is_empty() {
        let side = w.min(h);
        let mut taken = 1;
        while taken < rest.len() && worst(&rest[..=taken], side) <= worst(&rest[..taken], side) {
            taken += 1;
        }
        let row = &rest[..taken];
        let sum: f64 = row.iter().map(|(_, area)| area).sum();
        if w >= h {
            // A column on the left, its tiles stacked downwards.
            let column = sum / h;
            let mut top = y;
            for (index, area) in row {
                let tall = area / column;
                tiles.push(Tile {
                    index: *index,
                    x,
                    y: top,
                    width: column,
                    height: tall,
                });
                top += tall;
            }
            x += column;
            w -= column;
        } else {
            // A row on top, its tiles side by side.
            let band = sum / w;
            let mut left = x;
            for (index, area) in row {
                let wide = area / band;
                tiles.push(Tile {
                    index: *index,
                    x: left,
                    y,
                    width: wide,
                    height: band,
                });
                left += wide;
            }
            y += band;
            h -= band;
        }
        rest = &rest[taken..];
    }
    tiles
}

#[cfg(test)]
mod treemap_tests {
    use super::*;

    #[test]
    fn tiles_fill_the_rectangle_in_proportion_without_overlap() {
        let values = [6.0, 6.0, 4.0, 3.0, 2.0, 2.0, 1.0, 0.0];
        let tiles = treemap(&values, 600.0, 400.0);
        assert_eq!(tiles.len(), 7, "a zero gets no tile");
        let total: f64 = values.iter().sum();
        for tile in &tiles {
            let expected = values[tile.index] / total * 600.0 * 400.0;
            assert!(
                (tile.width * tile.height - expected).abs() < 1e-6,
                "{tile:?}"
            );
            assert!(tile.x >= -1e-9 && tile.y >= -1e-9);
            assert!(tile.x + tile.width <= 600.0 + 1e-6 && tile.y + tile.height <= 400.0 + 1e-6);
        }
        for (a_idx, a) in tiles.iter().enumerate() {
            for b in &tiles[a_idx + 1..] {
                let overlap_x = (a.x + a.width).min(b.x + b.width) - a.x.max(b.x);
                let overlap_y = (a.y + a.height).min(b.y + b.height) - a.y.max(b.y);
                assert!(
                    overlap_x <= 1e-6 || overlap_y <= 1e-6,
                    "{a:?} and {b:?} overlap"
                );
            }
        }
        // Squarified: no sliver. The published example's worst aspect ratio is under 3.
        let worst = tiles
            .iter()
            .map(|tile| (tile.width / tile.height).max(tile.height / tile.width))
            .fold(0.0, f64::max);
        assert!(worst < 3.0, "{worst}");
        assert!(treemap(&[], 10.0, 10.0).is_empty());
        assert!(treemap(&[1.0], 0.0, 10.0).is_empty());
    }
}
