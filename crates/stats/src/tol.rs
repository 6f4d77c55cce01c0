//! Tolerances relative to scale: the one rule for every division by a variance, a determinant, a
//! pivot or a residual sum of squares.
//!
//! A quantity obtained by cancellation (a centred sum of squares `Σx² − (Σx)²/n`, a Cholesky or
//! LDLᵀ pivot, `SSR = y'y − z'z`, a determinant) carries a rounding error proportional to the
//! magnitudes it was computed from, not to its own size. A test `value > 0` therefore passes on
//! rounding noise (a flat window of prices gives a "variance" of 1e-17 and a t-statistic of 10⁴).
//! Every kernel compares such a quantity with [`REL_TOL`] times the scale it was computed from
//! (the uncentred sum of squares, the diagonal entry before elimination, y'y, the product of the
//! diagonal), and treats it as zero below that: the result is NaN / `None` / a typed error, never
//! a number.

/// Relative tolerance below which a cancelled quantity is indistinguishable from zero. Rounding
/// noise of a sum over `n` terms is about `n·ε ≈ 2e-12` for `n = 10⁴`; 1e-10 leaves a margin while
/// staying far below the relative spread of any real price or return window.
pub const REL_TOL: f64 = 1e-10;

/// True when `value` (a variance, pivot, determinant or residual sum of squares) is zero at the
/// scale `scale` it was computed from: `value ≤ REL_TOL·|scale|`, or either is not finite.
/// Written so that NaN counts as negligible.
#[inline(always)]
pub fn negligible(value: f64, scale: f64) -> bool {
    let above = value > REL_TOL * scale.abs(); // false for NaN
    !above || !scale.is_finite()
}

/// True when `x` does not move: its range is negligible relative to its largest magnitude
/// (scale-free, so a series at 1e-300 or 1e300 is judged like one at 1). Empty or non-finite
/// input counts as constant (nothing can be divided by its spread).
pub fn is_constant(x: &[f64]) -> bool {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for &v in x {
        if !v.is_finite() {
            return true;
        }
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if x.is_empty() {
        return true;
    }
    let scale = lo.abs().max(hi.abs());
    // (hi − lo) overflows for ±1e308: compare halves.
    negligible(hi / 2.0 - lo / 2.0, scale / 2.0)
}

/// Sample standard deviation (n − 1) of `x` if its variance is distinguishable from zero at the
/// data's scale, else `None` (constant, fewer than two values, non-finite). Computed on data divided
/// by its largest magnitude, so that 1e-300 and 1e300 scales neither underflow nor overflow.
pub fn std_dev_checked(x: &[f64]) -> Option<f64> {
    if x.len() < 2 || is_constant(x) {
        return None;
    }
    let s = x.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let n = x.len() as f64;
    let m = x.iter().map(|v| v / s).sum::<f64>() / n;
    let ss: f64 = x.iter().map(|v| (v / s - m) * (v / s - m)).sum();
    let sq: f64 = x.iter().map(|v| (v / s) * (v / s)).sum();
    if negligible(ss, sq) {
        return None;
    }
    let sd = (ss / (n - 1.0)).sqrt() * s;
    (sd.is_finite() && sd > 0.0).then_some(sd)
}

/// Sample variance (n − 1): the square of [`std_dev_checked`], `None` when it is zero at the data's
/// scale or not representable (the square of 1e-300 underflows).
pub fn variance_checked(x: &[f64]) -> Option<f64> {
    std_dev_checked(x).map(|sd| sd * sd).filter(|v| v.is_finite() && *v > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_noise_is_negligible() {
        let x = [18.93f64.ln(); 400];
        let n = x.len() as f64;
        let sx: f64 = x.iter().sum();
        let sxx: f64 = x.iter().map(|v| v * v).sum();
        let centred = sxx - sx * sx / n;
        assert!(negligible(centred, sxx), "{centred}");
        assert!(negligible(f64::NAN, 1.0));
        assert!(negligible(1.0, f64::INFINITY));
        assert!(!negligible(1e-3, 1.0));
    }

    #[test]
    fn constant_and_variance_at_every_scale() {
        for scale in [1e-300, 1.0, 1e300] {
            assert!(is_constant(&[scale, scale, scale]));
            assert!(variance_checked(&[scale; 5]).is_none());
            let x = [scale, 2.0 * scale, 3.0 * scale];
            assert!(!is_constant(&x));
            let v = variance_checked(&x);
            if scale == 1.0 {
                assert!((v.unwrap() - 1.0).abs() < 1e-12);
            }
            if scale == 1e-300 {
                // (1e-300)² underflows: a variance that cannot be represented is refused
                assert!(v.is_none());
            }
        }
        assert!(is_constant(&[]));
        assert!(is_constant(&[1.0, f64::NAN]));
        assert!(!is_constant(&[-1e308, 1e308]));
        assert!(variance_checked(&[1.0]).is_none());
    }
}
