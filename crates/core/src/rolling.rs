//! Rolling-window helpers, O(n) by running sums where the statistic allows.

use crate::{CoreError, Result};

fn check(window: usize, len: usize) -> Result<()> {
    if window == 0 || window > len {
        return Err(CoreError::BadWindow { window, len });
    }
    Ok(())
}

/// Mean of each trailing window; element i is the window ending at `window-1+i`.
pub fn rolling_mean(x: &[f64], window: usize) -> Result<Vec<f64>> {
    check(window, x.len())?;
    let mut out = Vec::with_capacity(x.len() - window + 1);
    let mut sum: f64 = x[..window].iter().sum();
    out.push(sum / window as f64);
    for i in window..x.len() {
        sum += x[i] - x[i - window];
        out.push(sum / window as f64);
    }
    Ok(out)
}

/// Sample standard deviation (n−1) of each trailing window, by Welford's
/// add/remove update (stable for long series).
pub fn rolling_std(x: &[f64], window: usize) -> Result<Vec<f64>> {
    check(window, x.len())?;
    if window < 2 {
        return Err(CoreError::BadWindow { window, len: x.len() });
    }
    let n = window as f64;
    let mut mean = 0.0;
    let mut m2 = 0.0;
    for (k, v) in x[..window].iter().enumerate() {
        let d = v - mean;
        mean += d / (k + 1) as f64;
        m2 += d * (v - mean);
    }
    let mut out = Vec::with_capacity(x.len() - window + 1);
    out.push((m2.max(0.0) / (n - 1.0)).sqrt());
    for i in window..x.len() {
        let (new, old) = (x[i], x[i - window]);
        let old_mean = mean;
        mean += (new - old) / n;
        m2 += (new - old) * (new - mean + old - old_mean);
        out.push((m2.max(0.0) / (n - 1.0)).sqrt());
    }
    Ok(out)
}

/// Applies `f` to every trailing window (for statistics without an O(1) update).
pub fn rolling_apply<T>(x: &[f64], window: usize, f: impl Fn(&[f64]) -> T) -> Result<Vec<T>> {
    check(window, x.len())?;
    Ok(x.windows(window).map(f).collect())
}

/// Percentile rank (0–100) of the last value of `x` within all of `x`
/// (share of values ≤ it).
pub fn percentile_of_last(x: &[f64]) -> Option<f64> {
    let last = *x.last()?;
    let le = x.iter().filter(|v| **v <= last).count();
    Some(100.0 * le as f64 / x.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_matches_direct() {
        let x: Vec<f64> = (0..200).map(|i| ((i * 37 % 101) as f64).sin() * 100.0 + 1e6).collect();
        let m = rolling_mean(&x, 20).unwrap();
        let s = rolling_std(&x, 20).unwrap();
        for (i, w) in x.windows(20).enumerate() {
            let mu = w.iter().sum::<f64>() / 20.0;
            let sd = (w.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / 19.0).sqrt();
            assert!((m[i] - mu).abs() < 1e-6);
            assert!((s[i] - sd).abs() < 1e-6, "{} vs {}", s[i], sd);
        }
        assert!(rolling_mean(&x, 0).is_err());
        assert!(rolling_mean(&x, 201).is_err());
    }
}
