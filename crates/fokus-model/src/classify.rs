//! Class breaks for choropleth maps: quantiles (each colour holds about as many areas), equal
//! intervals, natural breaks (Jenks), and a diverging scale centred on a reference value.
//!
//! Every method returns ascending, distinct upper bounds of all classes but the last, so
//! [`class_of`] and the legend work the same for each.

use crate::view::Method;

/// Breaks of `method` for `n_classes` classes.
pub fn breaks(method: Method, values: &[f64], n_classes: usize) -> Vec<f64> {
    match method {
        Method::Quantile => quantile_breaks(values, n_classes),
        Method::Equal => equal_breaks(values, n_classes),
        Method::Jenks => jenks_breaks(values, n_classes),
    }
}

fn finite_sorted(values: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = values
        .iter()
        .copied()
        .filter(|value| value.is_finite())
        .collect();
    sorted.sort_by(f64::total_cmp);
    sorted
}

/// Classes of equal width between the smallest and the largest value.
pub fn equal_breaks(values: &[f64], n_classes: usize) -> Vec<f64> {
    let sorted = finite_sorted(values);
    let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
        return Vec::new();
    };
    if n_classes < 2 || max <= min {
        return Vec::new();
    }
    let width = (max - min) / n_classes as f64;
    (1..n_classes)
        .map(|class_idx| min + width * class_idx as f64)
        .collect()
}

/// Natural breaks: the split into `n_classes` runs of the sorted values with the least sum of
/// squared deviations from each run's mean (Fisher's exact dynamic programme, which Jenks'
/// method approximates). Quadratic in the number of values: fine for a county's areas.
pub fn jenks_breaks(values: &[f64], n_classes: usize) -> Vec<f64> {
    let sorted = finite_sorted(values);
    let n_values = sorted.len();
    let n_classes = n_classes.min(n_values);
    if n_classes < 2 {
        return Vec::new();
    }
    // Prefix sums give any run's squared deviation in O(1).
    let mut sum = vec![0.0; n_values + 1];
    let mut sum_sq = vec![0.0; n_values + 1];
    for (idx, value) in sorted.iter().enumerate() {
        sum[idx + 1] = sum[idx] + value;
        sum_sq[idx + 1] = sum_sq[idx] + value * value;
    }
    let cost = |from: usize, to: usize| {
        let count = (to - from) as f64;
        let run_sum = sum[to] - sum[from];
        (sum_sq[to] - sum_sq[from]) - run_sum * run_sum / count
    };
    // best[k][end]: least cost of the first `end` values in k+1 classes; start[k][end] where
    // the last of those classes starts.
    let mut best = vec![vec![f64::INFINITY; n_values + 1]; n_classes];
    let mut start = vec![vec![0usize; n_values + 1]; n_classes];
    for (end, first) in best[0].iter_mut().enumerate().skip(1) {
        *first = cost(0, end);
    }
    for class_idx in 1..n_classes {
        for end in class_idx + 1..=n_values {
            for from in class_idx..end {
                let candidate = best[class_idx - 1][from] + cost(from, end);
                if candidate < best[class_idx][end] {
                    best[class_idx][end] = candidate;
                    start[class_idx][end] = from;
                }
            }
        }
    }
    let mut bounds = Vec::with_capacity(n_classes - 1);
    let mut end = n_values;
    for class_idx in (1..n_classes).rev() {
        let from = start[class_idx][end];
        bounds.push(sorted[from - 1]);
        end = from;
    }
    bounds.reverse();
    bounds.dedup();
    bounds.retain(|bound| *bound < sorted[n_values - 1]);
    bounds
}

/// A diverging scale around `centre`: `per_side` classes below and above it, of equal width up
/// to the largest distance of any value from the centre. The centre itself is the bound
/// between the two halves, so class `per_side - 1` ends at the reference.
pub fn diverging_breaks(values: &[f64], centre: f64, per_side: usize) -> Vec<f64> {
    let sorted = finite_sorted(values);
    let spread = sorted
        .iter()
        .map(|value| (value - centre).abs())
        .fold(0.0, f64::max);
    if sorted.is_empty() || per_side == 0 || !centre.is_finite() {
        return Vec::new();
    }
    // All values at the reference: one step either side still tells "equal".
    let step = if spread > 0.0 {
        spread / per_side as f64
    } else {
        1.0
    };
    (1..per_side)
        .rev()
        .map(|idx| centre - step * idx as f64)
        .chain(std::iter::once(centre))
        .chain((1..per_side).map(|idx| centre + step * idx as f64))
        .collect()
}

/// Returns up to `n_classes - 1` ascending, distinct upper bounds. A value `v` falls into class
/// `breaks.iter().filter(|b| v > **b).count()`. Fewer distinct values than classes give fewer
/// breaks; an empty input gives none.
pub fn quantile_breaks(values: &[f64], n_classes: usize) -> Vec<f64> {
    let sorted = finite_sorted(values);
    if sorted.is_empty() || n_classes < 2 {
        return Vec::new();
    }
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
    fn equal_jenks_and_diverging_cases() {
        let clustered = [1.0, 1.2, 1.4, 9.0, 9.2, 9.4, 9.6, 9.8, 30.0];
        assert_eq!(
            equal_breaks(&[0.0, 10.0, 3.0], 5),
            vec![2.0, 4.0, 6.0, 8.0],
            "five equal steps from 0 to 10"
        );
        assert_eq!(
            equal_breaks(&[4.0, 4.0], 5),
            Vec::<f64>::new(),
            "one value, one class"
        );
        assert_eq!(
            jenks_breaks(&clustered, 3),
            vec![1.4, 9.8],
            "natural breaks fall between the clusters"
        );
        assert_eq!(
            quantile_breaks(&clustered, 3),
            vec![1.4, 9.4],
            "quantiles cut the middle cluster (why Jenks is offered)"
        );
        assert_eq!(
            jenks_breaks(&[1.0, 2.0], 5),
            vec![1.0],
            "no more classes than values"
        );
        assert_eq!(
            diverging_breaks(&[4.0, 7.0, 13.0], 10.0, 3),
            vec![6.0, 8.0, 10.0, 12.0, 14.0],
            "steps of 2 (the largest distance, 6, in three) either side of the reference"
        );
        let breaks = diverging_breaks(&[4.0, 7.0, 13.0], 10.0, 3);
        assert_eq!(
            class_of(9.9, &breaks),
            2,
            "just below the reference: the last class below"
        );
        assert_eq!(
            class_of(10.1, &breaks),
            3,
            "just above: the first class above"
        );
        assert_eq!(
            class_of(4.0, &breaks),
            0,
            "the farthest below: the outer class"
        );
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
