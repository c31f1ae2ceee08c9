//! One measurement per row; printed as a Markdown table and written as JSON
//! (`target/bench.json`: name, value, unit and, for ratios, the baseline).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Baseline {
    pub name: String,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    pub name: String,
    pub value: f64,
    pub unit: String,
    /// For ratios: what the value is divided by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
    /// The target, as text, where it sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Whether the target is met; `None` without a target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub met: Option<bool>,
}

impl Row {
    pub fn new(name: impl Into<String>, value: f64, unit: &str) -> Row {
        Row {
            name: name.into(),
            value,
            unit: unit.to_owned(),
            baseline: None,
            ratio: None,
            target: None,
            met: None,
        }
    }

    /// A ratio row: `value ÷ baseline`, checked against `at_most` when given.
    pub fn ratio(
        name: impl Into<String>,
        value: f64,
        unit: &str,
        baseline_name: &str,
        baseline: f64,
        at_most: Option<f64>,
    ) -> Row {
        let ratio = value / baseline;
        Row {
            baseline: Some(Baseline {
                name: baseline_name.to_owned(),
                value: baseline,
            }),
            ratio: Some(ratio),
            target: at_most.map(|limit| format!("≤ {limit}×")),
            met: at_most.map(|limit| ratio <= limit),
            ..Row::new(name, value, unit)
        }
    }

    /// A row with an absolute target: `value ≤ limit`.
    pub fn at_most(mut self, limit: f64, text: &str) -> Row {
        self.target = Some(text.to_owned());
        self.met = Some(self.value <= limit);
        self
    }
}

fn number(value: f64) -> String {
    if !value.is_finite() {
        return "–".to_owned();
    }
    let magnitude = value.abs();
    if magnitude >= 1000.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else if magnitude >= 0.1 {
        format!("{value:.2}")
    } else {
        format!("{value:.4}")
    }
}

pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| Measurement | Value | Baseline | Ratio | Target |\n|---|---:|---|---:|---|\n",
    );
    for row in rows {
        let baseline = row.baseline.as_ref().map_or(String::new(), |baseline| {
            format!(
                "{} ({} {})",
                baseline.name,
                number(baseline.value),
                row.unit
            )
        });
        let ratio = row
            .ratio
            .map_or(String::new(), |ratio| format!("{ratio:.2}×"));
        let target = match (&row.target, row.met) {
            (Some(target), Some(true)) => format!("{target} ✓"),
            (Some(target), Some(false)) => format!("{target} ✗ missed"),
            (Some(target), None) => target.clone(),
            (None, _) => String::new(),
        };
        out.push_str(&format!(
            "| {} | {} {} | {baseline} | {ratio} | {target} |\n",
            row.name,
            number(row.value),
            row.unit
        ));
    }
    out
}

/// Percentile of sorted samples (nearest rank).
pub fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentiles_by_nearest_rank() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(super::percentile(&samples, 0.5), 50.0, "median of 1..=100");
        assert_eq!(super::percentile(&samples, 0.95), 95.0, "p95");
        assert_eq!(super::percentile(&samples, 0.99), 99.0, "p99");
        assert_eq!(
            super::percentile(&[7.0], 0.99),
            7.0,
            "one sample is every percentile"
        );
    }

    #[test]
    fn ratio_rows_judge_their_target() {
        let met = super::Row::ratio("sync", 1.5, "ms", "insert", 1.0, Some(2.0));
        assert_eq!(
            (met.ratio, met.met),
            (Some(1.5), Some(true)),
            "1.5× within 2×"
        );
        let missed = super::Row::ratio("bytes", 3.0, "B", "zstd", 1.0, Some(1.3));
        assert_eq!(missed.met, Some(false), "3× misses 1.3×");
    }
}
