//! Valuation stretch: where a valuation ratio (CAPE, P/E, P/D) stands against its own history
//! and against a reference series.
//!
//! * Own history, **expanding** (real-time safe): at each date the percentile rank (share of the
//!   history up to and including that date that is ≤ the value, 0–100) and the z-score against the
//!   mean and sample standard deviation of that same history. Nothing after the date is used.
//! * Against a reference: the latest value's percentile and z-score within the whole history of
//!   the reference series, and the ratio of the two latest values (e.g. an AI board P/E of 196×
//!   against a dividend index at 7.53×).

use crate::{BubbleError, Result};
use fissure_stats::describe;
use serde::{Deserialize, Serialize};

/// Expanding percentile rank and z-score of each value against its history up to that point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expanding {
    /// Percentile rank 0–100 (NaN before `min_history` observations).
    pub percentile: Vec<f64>,
    /// z-score (NaN before `min_history` observations).
    pub zscore: Vec<f64>,
}

/// Expanding (real-time) percentile rank and z-score; kept as a sorted history (binary search + insert).
pub fn expanding(values: &[f64], min_history: usize) -> Result<Expanding> {
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(BubbleError::NonFinite { index: i });
    }
    let n = values.len();
    let mut sorted: Vec<f64> = Vec::with_capacity(n);
    let mut percentile = vec![f64::NAN; n];
    let mut zscore = vec![f64::NAN; n];
    // Welford running mean / variance; a history that has not moved yet has no rank or z-score
    let (mut mean, mut m2) = (0.0, 0.0);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (i, &v) in values.iter().enumerate() {
        lo = lo.min(v);
        hi = hi.max(v);
        let flat = fissure_stats::tol::negligible(hi / 2.0 - lo / 2.0, lo.abs().max(hi.abs()) / 2.0);
        let pos = sorted.partition_point(|x| *x <= v);
        sorted.insert(pos, v);
        let k = (i + 1) as f64;
        let d = v - mean;
        mean += d / k;
        m2 += d * (v - mean);
        if i + 1 >= min_history.max(2) && !flat {
            percentile[i] = 100.0 * (pos + 1) as f64 / k;
            let sd = (m2 / (k - 1.0)).sqrt();
            zscore[i] =
                if fissure_stats::tol::negligible(sd, mean.abs().max(hi.abs())) { f64::NAN } else { (v - mean) / sd };
        }
    }
    Ok(Expanding { percentile, zscore })
}

/// The latest value of a series against the history of a reference series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersusReference {
    pub value: f64,
    pub reference_latest: f64,
    /// value / reference_latest
    pub ratio: f64,
    /// Percentile rank (0–100) of `value` within the reference's whole history.
    pub percentile_in_reference: f64,
    /// z-score of `value` against the reference's history.
    pub zscore_in_reference: f64,
}

/// Compares `value` with the history `reference`.
pub fn versus(value: f64, reference: &[f64]) -> Result<VersusReference> {
    if reference.len() < 2 {
        return Err(BubbleError::TooShort { needed: 2, got: reference.len() });
    }
    if fissure_stats::tol::is_constant(reference) {
        return Err(BubbleError::Degenerate("the reference series does not move: no percentile or z-score".into()));
    }
    let last = reference[reference.len() - 1];
    Ok(VersusReference {
        value,
        reference_latest: last,
        ratio: value / last,
        percentile_in_reference: describe::percentile_rank(reference, value),
        zscore_in_reference: describe::z_score(reference, value),
    })
}

/// Summary of a ratio's stretch against its full history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub latest: f64,
    pub percentile: f64,
    pub zscore: f64,
    pub min: f64,
    pub median: f64,
    pub mean: f64,
    pub max: f64,
    pub n: usize,
}

/// Latest value's percentile and z-score within the full history (equal to the last expanding value).
pub fn summary(values: &[f64]) -> Result<Summary> {
    if values.len() < 2 {
        return Err(BubbleError::TooShort { needed: 2, got: values.len() });
    }
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(BubbleError::NonFinite { index: i });
    }
    if fissure_stats::tol::is_constant(values) {
        return Err(BubbleError::Degenerate(
            "the ratio does not move over its history: no percentile or z-score (a constant is not at its 100th percentile)"
                .into(),
        ));
    }
    let latest = values[values.len() - 1];
    let mut s = values.to_vec();
    s.sort_by(f64::total_cmp);
    Ok(Summary {
        latest,
        percentile: describe::percentile_rank(values, latest),
        zscore: describe::z_score(values, latest),
        min: s[0],
        median: describe::quantile_sorted(&s, 0.5),
        mean: describe::mean(values),
        max: s[s.len() - 1],
        n: values.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expanding_matches_direct_computation() {
        let v = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        let e = expanding(&v, 3).unwrap();
        assert!(e.percentile[1].is_nan());
        for i in 2..v.len() {
            let h = &v[..=i];
            assert!((e.percentile[i] - describe::percentile_rank(h, v[i])).abs() < 1e-12);
            assert!((e.zscore[i] - describe::z_score(h, v[i])).abs() < 1e-12);
        }
        let s = summary(&v).unwrap();
        assert_eq!(s.percentile, e.percentile[7]);
        let r = versus(196.0, &[7.53, 10.0, 20.0, 7.53]).unwrap();
        assert_eq!(r.percentile_in_reference, 100.0);
        assert!((r.ratio - 196.0 / 7.53).abs() < 1e-12);
    }
}
