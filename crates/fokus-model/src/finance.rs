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
}
