//! Class breaks for choropleth maps: quantiles, so each colour holds about as many areas.

/// Returns up to `n_classes - 1` ascending, distinct upper bounds. A value `v` falls into class
/// `breaks.iter().filter(|b| v > **b).count()`. Fewer distinct values than classes give fewer
/// breaks; an empty input gives none.
pub fn quantile_breaks(values: &[f64], n_classes: usize) -> Vec<f64> {
    let mut sorted: Vec<f64> = values
        .iter()
        .copied()
        .filter(|value| value.is_finite())
        .collect();
    if sorted.is_empty() || n_classes < 2 {
        return Vec::new();
    }
    sorted.sort_by(f64::total_cmp);
    let mut breaks: Vec<f64> = Vec::with_capacity(n_classes - 1);
    for class_idx in 1..n_classes {
        // Nearest-rank quantile: the last value of the class_idx-th slice.
        let rank = (class_idx * sorted.len()).div_ceil(n_classes);
        let bound = sorted[rank.saturating_sub(1)];
        let is_new = breaks.last().is_none_or(|last| bound > *last);
        // A bound equal to the maximum would leave the top class empty.
        if is_new && bound < sorted[sorted.len() - 1] {
            breaks.push(bound);
        }
    }
    breaks
}

/// The class index (0-based) of `value` for `breaks` from [`quantile_breaks`].
pub fn class_of(value: f64, breaks: &[f64]) -> usize {
    breaks.iter().filter(|bound| value > **bound).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_breaks_cases() {
        let cases: &[(&[f64], usize, &[f64], &str)] = &[
            (&[], 5, &[], "no values, no breaks"),
            (
                &[3.0, 3.0, 3.0],
                5,
                &[],
                "one distinct value needs a single class",
            ),
            (
                &[1.0, 2.0, 3.0, 4.0, 5.0],
                5,
                &[1.0, 2.0, 3.0, 4.0],
                "one value per class",
            ),
            (
                &[5.0, 1.0, 4.0, 2.0, 3.0],
                5,
                &[1.0, 2.0, 3.0, 4.0],
                "order of input does not matter",
            ),
            (
                &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
                2,
                &[5.0],
                "median split",
            ),
            (
                &[1.0, 1.0, 1.0, 2.0],
                4,
                &[1.0],
                "ties collapse into one break",
            ),
            (
                &[1.0, f64::NAN, 2.0],
                2,
                &[1.0],
                "non-finite values are ignored",
            ),
        ];
        for (values, n_classes, expected, why) in cases {
            assert_eq!(
                quantile_breaks(values, *n_classes),
                expected.to_vec(),
                "{why}"
            );
        }
    }

    #[test]
    fn every_value_lands_in_a_class_and_extremes_in_the_outer_ones() {
        let values: Vec<f64> = (0..18).map(|idx| (idx * 7 % 18) as f64 * 1.5).collect();
        let breaks = quantile_breaks(&values, 5);
        assert_eq!(breaks.len(), 4, "18 distinct values fill 5 classes");
        assert_eq!(
            class_of(0.0, &breaks),
            0,
            "the minimum is in the lowest class"
        );
        assert_eq!(
            class_of(25.5, &breaks),
            4,
            "the maximum is in the highest class"
        );
        let mut counts = [0usize; 5];
        for value in &values {
            counts[class_of(*value, &breaks)] += 1;
        }
        assert!(
            counts.iter().all(|count| (3..=4).contains(count)),
            "quantiles balance classes: {counts:?}"
        );
    }
}
