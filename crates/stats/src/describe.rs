//! Descriptive statistics: mean, variance, quantiles, percentile ranks, z-scores.

use crate::{Result, StatsError};

pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample variance (n − 1 denominator).
pub fn variance(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() as f64 - 1.0)
}

pub fn std_dev(x: &[f64]) -> f64 {
    variance(x).sqrt()
}

/// Quantile by linear interpolation between order statistics (Hyndman–Fan
/// type 7, the default of R and NumPy). `p` in [0, 1]. Sorts a copy.
pub fn quantile(x: &[f64], p: f64) -> Result<f64> {
    if x.is_empty() {
        return Err(StatsError::TooFewObservations { needed: 1, got: 0 });
    }
    if !(0.0..=1.0).contains(&p) {
        return Err(StatsError::Invalid(format!("quantile level {p} not in [0, 1]")));
    }
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    Ok(quantile_sorted(&v, p))
}

/// Type-7 quantile of already sorted data.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Percentile rank (0–100) of `value` in `history`: the share of history ≤ value.
/// NaN when the history is empty or does not move (a rank among equal values means nothing:
/// a constant series is not "at its 100th percentile").
pub fn percentile_rank(history: &[f64], value: f64) -> f64 {
    if history.is_empty() || crate::tol::is_constant(history) || !value.is_finite() {
        return f64::NAN;
    }
    100.0 * history.iter().filter(|h| **h <= value).count() as f64 / history.len() as f64
}

/// Z-score of `value` against `history` (sample standard deviation); NaN when the history's
/// variance is zero at its scale ([`crate::tol::std_dev_checked`]).
pub fn z_score(history: &[f64], value: f64) -> f64 {
    match crate::tol::std_dev_checked(history) {
        Some(sd) => (value - mean(history)) / sd,
        None => f64::NAN,
    }
}

/// Pearson correlation of two equal-length slices.
pub fn correlation(x: &[f64], y: &[f64]) -> Result<f64> {
    if x.len() != y.len() {
        return Err(StatsError::Dimension(format!("{} vs {}", x.len(), y.len())));
    }
    if x.len() < 3 {
        return Err(StatsError::TooFewObservations { needed: 3, got: x.len() });
    }
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    // centred sums against the uncentred ones they were cancelled from (`crate::tol`)
    let (rx, ry) = (x.iter().map(|a| a * a).sum::<f64>(), y.iter().map(|b| b * b).sum::<f64>());
    if crate::tol::negligible(sxx, rx) || crate::tol::negligible(syy, ry) {
        return Err(StatsError::Singular("correlation of a series that does not move".into()));
    }
    Ok((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_type7_matches_numpy() {
        // numpy.quantile([1, 2, 3, 4, 10], [0.1, 0.5, 0.95]) = [1.4, 3.0, 8.8]
        let x = [4.0, 1.0, 10.0, 3.0, 2.0];
        assert!((quantile(&x, 0.1).unwrap() - 1.4).abs() < 1e-12);
        assert!((quantile(&x, 0.5).unwrap() - 3.0).abs() < 1e-12);
        assert!((quantile(&x, 0.95).unwrap() - 8.8).abs() < 1e-12);
        assert_eq!(percentile_rank(&x, 3.0), 60.0);
        assert!((variance(&[1.0, 2.0, 3.0, 4.0]) - 5.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn constant_history_has_no_rank_score_or_correlation() {
        let c = [0.3; 50];
        assert!(percentile_rank(&c, 0.3).is_nan());
        assert!(z_score(&c, 0.3).is_nan());
        let x: Vec<f64> = (0..50).map(|i| i as f64).collect();
        assert!(correlation(&c, &x).is_err());
        assert!((correlation(&x, &x).unwrap() - 1.0).abs() < 1e-15);
        let tiny: Vec<f64> = x.iter().map(|v| v * 1e-300).collect();
        assert!(!z_score(&tiny, 1e-299).is_nan());
    }
}
