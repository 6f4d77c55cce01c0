//! Recursive right-tailed ADF tests of Phillips, Wu & Yu (2011) and Phillips, Shi & Yu (2015a):
//! ADF, SADF, GSADF and the backward-SADF (BSADF) sequence.
//!
//! Regression on a window of levels `y[r1..=r2]` (PSY 2015a eq. 1):
//! `Δy_t = α + β y_{t−1} + Σ_{i=1..k} ψ_i Δy_{t−i} + ε_t`, for `t = r1+k+1 ..= r2`
//! (the lags stay inside the window, as in Phillips & Shi's reference code `psymonitor`);
//! the statistic is `β̂ / se(β̂)`.
//! `SADF = sup_{r2} ADF_0^{r2}`, `BSADF(r2) = sup_{r1 ≤ r2−w+1} ADF_{r1}^{r2}`, `GSADF = sup_{r2} BSADF(r2)`.
//!
//! **Window convention.** [`MinWindow::Observations`] counts the *levels* in the smallest window
//! (psymonitor's `swindow0`; a window of `w` levels with lag `k` has `w − 1 − k` regression rows).
//! [`MinWindow::Rows`] counts regression rows (exuber's `minw`; `w = minw + 1 + k` levels).
//! The default is `Observations(floor((0.01 + 1.8/√T)·T))`. The NASDAQ anchor ("smallest window 36
//! observations") is `Observations(36)` = exuber `minw = 35`.
//!
//! **Speed.** The regression on any window only needs the window sums of the cross-products of
//! `[1, Δy_{t−1..t−K}, y_{t−1}, Δy_t]`; with prefix sums each window costs O(1) (lag 0) or O(k³)
//! (lags), so the whole BSADF path is O(T²) (exuber and psymonitor are O(T³)). The path is
//! computed in parallel over end points (rayon); the result does not depend on the thread count.

use crate::{BubbleError, Result};
use fissure_stats::tol::{negligible, REL_TOL};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// How the ADF lag order is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "lag")]
pub enum LagSelection {
    /// A fixed lag `k` (exuber `radf(lag = k)`, psymonitor `IC = 0, adflag = k`).
    Fixed(usize),
    /// Lag chosen per window by AIC up to a maximum (psymonitor `IC = 1`).
    Aic(usize),
    /// Lag chosen per window by BIC up to a maximum (psymonitor `IC = 2`).
    Bic(usize),
}

impl LagSelection {
    /// The largest lag that can be used.
    pub fn max_lag(self) -> usize {
        match self {
            LagSelection::Fixed(k) | LagSelection::Aic(k) | LagSelection::Bic(k) => k,
        }
    }
}

/// The smallest window of the recursion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "size")]
pub enum MinWindow {
    /// `floor((0.01 + 1.8/√T)·T)` observations (levels), PSY's recommended `r0`.
    Default,
    /// Observations (levels) in the smallest window — psymonitor's `swindow0`.
    Observations(usize),
    /// Regression rows in the smallest window — exuber's `minw`.
    Rows(usize),
}

/// PSY's default minimum window fraction `r0 = 0.01 + 1.8/√T`, as a count `floor(r0·T)`.
pub fn default_min_window(t: usize) -> usize {
    let tf = t as f64;
    ((0.01 + 1.8 / tf.sqrt()) * tf).floor() as usize
}

/// Settings of the recursive tests.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PsyConfig {
    pub lag: LagSelection,
    pub min_window: MinWindow,
}

impl Default for PsyConfig {
    fn default() -> Self {
        PsyConfig { lag: LagSelection::Fixed(0), min_window: MinWindow::Default }
    }
}

impl PsyConfig {
    /// The smallest window in observations (levels) for a sample of `t` levels.
    /// In lag-selection mode `Rows(m)` is read with the maximum lag.
    pub fn window_obs(&self, t: usize) -> usize {
        match self.min_window {
            MinWindow::Default => default_min_window(t),
            MinWindow::Observations(w) => w,
            MinWindow::Rows(m) => m + 1 + self.lag.max_lag(),
        }
    }

    /// Checks that the smallest window leaves enough degrees of freedom.
    pub fn validate(&self, t: usize) -> Result<usize> {
        let w = self.window_obs(t);
        let kmax = self.lag.max_lag();
        // rows for the largest lag must exceed the regressors (k + 2), and psymonitor's
        // IC-mode dof (w − 1 − 2K − 2) must be positive.
        if kmax > 10 {
            return Err(BubbleError::Config(format!("lag {kmax} is above the supported maximum of 10")));
        }
        let need = 2 * kmax + 4;
        if w < need {
            return Err(BubbleError::Config(format!(
                "smallest window of {w} observations is too short for lag {kmax} (need at least {need})"
            )));
        }
        if w > t {
            return Err(BubbleError::TooShort { needed: w, got: t });
        }
        Ok(w)
    }
}

/// The recursive statistics of one series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Radf {
    /// Full-sample ADF statistic.
    pub adf: f64,
    /// sup of the forward-expanding ADF sequence.
    pub sadf: f64,
    /// sup of the BSADF sequence.
    pub gsadf: f64,
    /// ADF_0^{r2} for r2 = first..T−1 (PWY's forward sequence).
    pub badf: Vec<f64>,
    /// BSADF(r2) for r2 = first..T−1.
    pub bsadf: Vec<f64>,
    /// Index (into the levels) of the first point of the sequences: `window_obs − 1`.
    pub first: usize,
    /// The smallest window in observations (levels).
    pub window_obs: usize,
}

/// Prefix sums of the cross-products of `z_t = [1, Δy_{t−1}, …, Δy_{t−K}, y_{t−1}, Δy_t]`,
/// `t = 1..T−1`, on data centred by constants (which the intercept absorbs).
pub(crate) struct CrossProducts {
    /// dimension d = K + 3
    d: usize,
    /// (T) blocks of d×d: block `t` holds Σ_{s=1}^{t} z_s z_s' (block 0 is zero)
    prefix: Vec<f64>,
}

impl CrossProducts {
    pub(crate) fn new(y: &[f64], kmax: usize) -> Self {
        let n = y.len();
        let d = kmax + 3;
        let cy = y.iter().sum::<f64>() / n as f64;
        let cd = if n > 1 { (y[n - 1] - y[0]) / (n - 1) as f64 } else { 0.0 };
        let dy = |t: usize| y[t] - y[t - 1] - cd;
        let mut prefix = vec![0.0; n * d * d];
        let mut z = vec![0.0; d];
        for t in 1..n {
            z[0] = 1.0;
            for j in 1..=kmax {
                z[j] = if t > j { dy(t - j) } else { 0.0 };
            }
            z[d - 2] = y[t - 1] - cy;
            z[d - 1] = dy(t);
            let (prev, cur) = prefix.split_at_mut(t * d * d);
            let prev = &prev[(t - 1) * d * d..];
            let cur = &mut cur[..d * d];
            for i in 0..d {
                for j in 0..d {
                    cur[i * d + j] = prev[i * d + j] + z[i] * z[j];
                }
            }
        }
        CrossProducts { d, prefix }
    }

    #[inline]
    fn get(&self, t: usize, i: usize, j: usize) -> f64 {
        self.prefix[t * self.d * self.d + i * self.d + j]
    }
}

/// Result of one ADF regression on a window.
#[derive(Debug, Clone, Copy)]
struct Fit {
    /// z_p / … : the t-statistic numerator pieces
    t_stat: f64,
    ssr: f64,
    rows: usize,
}

/// ADF regression with `k` lags over rows t ∈ [lo, hi] (inclusive), from the prefix sums.
/// Cholesky of X'X ordered [1, lags…, y_{t−1}]: with z = L⁻¹X'y, `β_last = z_p/L_pp`,
/// `(X'X)⁻¹_pp = 1/L_pp²`, SSR = y'y − z'z, hence `t = z_p / σ̂`.
/// `dof_override` reproduces psymonitor's IC-mode degrees of freedom.
fn fit_window(cp: &CrossProducts, k: usize, lo: usize, hi: usize, dof_override: Option<usize>) -> Option<Fit> {
    let d = cp.d;
    let p = k + 2;
    // column map: 0..=k → 0..=k ; k+1 → d−2 (y_{t−1}); dep → d−1
    let col = |i: usize| if i <= k { i } else { d - 2 };
    let s = |i: usize, j: usize| cp.get(hi, i, j) - cp.get(lo - 1, i, j);
    let mut a = [0.0f64; 144]; // p ≤ 12
    let mut b = [0.0f64; 12];
    if p > 12 {
        return None;
    }
    for i in 0..p {
        for j in 0..=i {
            a[i * p + j] = s(col(i), col(j));
        }
        b[i] = s(col(i), d - 1);
    }
    let yty = s(d - 1, d - 1);
    // in-place Cholesky (lower)
    for j in 0..p {
        let mut sum = a[j * p + j];
        for q in 0..j {
            sum -= a[j * p + q] * a[j * p + q];
        }
        // pivot relative to the prefix magnitude of its diagonal entry (`fissure_stats::tol`)
        if negligible(sum, cp.get(hi, col(j), col(j))) {
            return None;
        }
        let ljj = sum.sqrt();
        a[j * p + j] = ljj;
        for i in j + 1..p {
            let mut v = a[i * p + j];
            for q in 0..j {
                v -= a[i * p + q] * a[j * p + q];
            }
            a[i * p + j] = v / ljj;
        }
    }
    // forward solve L z = b
    let mut zz = 0.0;
    for i in 0..p {
        let mut v = b[i];
        for q in 0..i {
            v -= a[i * p + q] * b[q];
        }
        b[i] = v / a[i * p + i];
        zz += b[i] * b[i];
    }
    let rows = hi + 1 - lo;
    let ssr = (yty - zz).max(0.0);
    let dof = dof_override.unwrap_or(rows.saturating_sub(p));
    if dof == 0 || negligible(ssr, cp.get(hi, d - 1, d - 1)) {
        return None;
    }
    let sigma = (ssr / dof as f64).sqrt();
    Some(Fit { t_stat: b[p - 1] / sigma, ssr, rows })
}

/// The ADF statistic on the window of levels `[r1, r2]` with the configured lag rule.
fn adf_window(cp: &CrossProducts, lag: LagSelection, r1: usize, r2: usize) -> f64 {
    match lag {
        LagSelection::Fixed(k) => fit_window(cp, k, r1 + k + 1, r2, None).map_or(f64::NAN, |f| f.t_stat),
        LagSelection::Aic(kmax) | LagSelection::Bic(kmax) => {
            // psymonitor ADF(): t = T1 − K rows-equivalent, IC_k = (−2·loglik_k + pen·(k+2))/t with the
            // unit-variance Gaussian log-likelihood; the t-statistic uses dof = t − K − 2.
            let t1 = r2 - r1; // T1 = window levels − 1
            if t1 <= 2 * kmax + 2 {
                return f64::NAN;
            }
            let tt = (t1 - kmax) as f64;
            let dof = t1 - kmax - kmax - 2;
            let pen = if matches!(lag, LagSelection::Aic(_)) { 2.0 } else { tt.ln() };
            let ln2pi = (2.0 * std::f64::consts::PI).ln();
            let mut best = (f64::INFINITY, f64::NAN);
            for k in 0..=kmax {
                if let Some(f) = fit_window(cp, k, r1 + k + 1, r2, Some(dof)) {
                    let ic = (f.rows as f64 * ln2pi + f.ssr) / tt + pen * (k + 2) as f64 / tt;
                    if ic < best.0 {
                        best = (ic, f.t_stat);
                    }
                }
            }
            best.1
        }
    }
}

/// Lag-0 prefix sums of x = y_{t−1}, Δy_t (centred) and their products.
pub(crate) struct Lag0Sums {
    sx: Vec<f64>,
    sy: Vec<f64>,
    sxx: Vec<f64>,
    sxy: Vec<f64>,
    syy: Vec<f64>,
}

impl Lag0Sums {
    pub(crate) fn new(y: &[f64]) -> Self {
        let mut s = Lag0Sums { sx: vec![], sy: vec![], sxx: vec![], sxy: vec![], syy: vec![] };
        s.fill(y);
        s
    }

    /// Refills the sums for a new series (reuses the buffers).
    pub(crate) fn fill(&mut self, y: &[f64]) {
        let n = y.len();
        let cy = y.iter().sum::<f64>() / n as f64;
        let cd = if n > 1 { (y[n - 1] - y[0]) / (n - 1) as f64 } else { 0.0 };
        for v in [&mut self.sx, &mut self.sy, &mut self.sxx, &mut self.sxy, &mut self.syy] {
            v.clear();
            v.resize(n, 0.0);
        }
        for t in 1..n {
            let x = y[t - 1] - cy;
            let d = y[t] - y[t - 1] - cd;
            self.sx[t] = self.sx[t - 1] + x;
            self.sy[t] = self.sy[t - 1] + d;
            self.sxx[t] = self.sxx[t - 1] + x * x;
            self.sxy[t] = self.sxy[t - 1] + x * d;
            self.syy[t] = self.syy[t - 1] + d * d;
        }
    }

    /// Signed squared t-statistic `sign(t)·t²` of the lag-0 ADF over rows t ∈ [lo, hi].
    #[inline(always)]
    fn q(&self, lo: usize, hi: usize) -> f64 {
        let m = (hi + 1 - lo) as f64;
        let sx = self.sx[hi] - self.sx[lo - 1];
        let sy = self.sy[hi] - self.sy[lo - 1];
        let cxx = self.sxx[hi] - self.sxx[lo - 1] - sx * sx / m;
        let cxy = self.sxy[hi] - self.sxy[lo - 1] - sx * sy / m;
        let cyy = self.syy[hi] - self.syy[lo - 1] - sy * sy / m;
        // A window whose level does not move has cxx (and SSR) equal to rounding noise of the
        // prefix sums: compare with the prefix magnitudes (see `fissure_stats::tol`).
        if negligible(cxx, self.sxx[hi]) {
            return f64::NEG_INFINITY;
        }
        let den = cxx * cyy - cxy * cxy;
        if negligible(den, cxx * self.syy[hi]) {
            return f64::NEG_INFINITY;
        }
        q_from(m, cxx, cxy, cyy)
    }

    /// max over r1 ∈ [0, r1_max] of the signed squared statistic on levels [r1, r2]
    /// (AVX-512 or AVX2+FMA code path when the CPU has it; bit-identical results, see [`Self::max_q_core`]).
    #[inline(always)]
    fn max_q_over_starts(&self, r1_max: usize, r2: usize) -> f64 {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU supports AVX-512F (checked at run time).
                return unsafe { self.max_q_avx512(r1_max, r2) };
            }
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                // SAFETY: the CPU supports AVX2 and FMA (checked at run time).
                return unsafe { self.max_q_avx2(r1_max, r2) };
            }
        }
        self.max_q_core(r1_max, r2)
    }

    /// The portable kernel. For the end point `r2` and start `r1` (rows `r1+1 ..= r2`, `m = r2 − r1`) the
    /// window sums are differences of prefix sums; with `m·c_xx = m·S_xx − S_x²` (likewise `xy`, `yy`; `q`
    /// is invariant to the common factor `m`, so no `1/m`):
    /// `num = m·c_xy·|m·c_xy|·(m − 2)`, `den = (m·c_xx)(m·c_yy) − (m·c_xy)²`, `q = num/den` (see [`q_from`]).
    /// The starts are visited in chunks of [`LANES`] (structure of arrays, branch-free lane arithmetic).
    /// Each lane keeps its best window as a fraction `num/den` with `den > 0`, compared by
    /// `num·best_den > best_num·den` (no division, no square root). The relative tolerances of
    /// [`Self::q`] (flat windows give rounding noise, not a statistic) are applied once per lane, to its
    /// best window, in [`Self::finish`]: if that window is flat, the maximum is recomputed with the
    /// checks on every window ([`Self::max_q_checked`]; only degenerate series get there). The SIMD
    /// versions perform the same IEEE operations (the same fused multiply-adds) lane by lane, so all
    /// three return bit-identical results.
    #[inline(always)]
    fn max_q_core(&self, r1_max: usize, r2: usize) -> f64 {
        let h = self.at(r2);
        let len = r1_max + 1;
        let mut best = LaneBest::default();
        let chunks = len / LANES;
        let r2f = r2 as f64;
        for c in 0..chunks {
            let i = c * LANES;
            for l in 0..LANES {
                let m = r2f - (i + l) as f64;
                let (num, den, _) = num_den(m, h, self.at(i + l));
                let take = (den > 0.0) & (num * best.den[l] > best.num[l] * den);
                best.num[l] = if take { num } else { best.num[l] };
                best.den[l] = if take { den } else { best.den[l] };
                best.m[l] = if take { m } else { best.m[l] };
            }
        }
        self.finish(&mut best, chunks * LANES, r1_max, r2)
    }

    /// Prefix sums at `t`: `[Σx, Σy, Σxx, Σxy, Σyy]`.
    #[inline(always)]
    fn at(&self, t: usize) -> [f64; 5] {
        [self.sx[t], self.sy[t], self.sxx[t], self.sxy[t], self.syy[t]]
    }

    /// Adds the starts after the last whole chunk to their lanes (start `r1` in lane `r1 mod LANES`, the same
    /// arithmetic), checks each lane's best window against the tolerances and combines the lanes (fixed
    /// order). Inlined into each kernel (the SIMD ones then use the CPU's fused multiply-add).
    #[inline(always)]
    fn finish(&self, best: &mut LaneBest, from: usize, r1_max: usize, r2: usize) -> f64 {
        let h = self.at(r2);
        for r1 in from..=r1_max {
            let l = r1 - from;
            let m = (r2 - r1) as f64;
            let (num, den, _) = num_den(m, h, self.at(r1));
            if (den > 0.0) & (num * best.den[l] > best.num[l] * den) {
                best.num[l] = num;
                best.den[l] = den;
                best.m[l] = m;
            }
        }
        let (txx, tyy) = (REL_TOL * h[2], REL_TOL * h[4]);
        let mut out = f64::NEG_INFINITY;
        for l in 0..LANES {
            if best.den[l] > 0.0 {
                let m = best.m[l];
                let (_, den, mcxx) = num_den(m, h, self.at(r2 - m as usize));
                if !((mcxx > m * txx) & (den > mcxx * m * tyy)) {
                    return self.max_q_checked(r1_max, r2);
                }
                let q = best.num[l] / best.den[l];
                if q > out {
                    out = q;
                }
            }
        }
        out
    }

    /// max over r1 ∈ [0, r1_max] of [`Self::q`], every window checked (the path for flat stretches).
    #[cold]
    fn max_q_checked(&self, r1_max: usize, r2: usize) -> f64 {
        (0..=r1_max).map(|r1| self.q(r1 + 1, r2)).fold(f64::NEG_INFINITY, |a, q| if q > a { q } else { a })
    }

    /// AVX-512 version of [`Self::max_q_core`]: one chunk of [`LANES`] starts per 512-bit vector.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn max_q_avx512(&self, r1_max: usize, r2: usize) -> f64 {
        use std::arch::x86_64::*;
        let h = self.at(r2);
        let len = r1_max + 1;
        let chunks = len / LANES;
        let (sx, sy, sxx, sxy, syy) =
            (&self.sx[..len], &self.sy[..len], &self.sxx[..len], &self.sxy[..len], &self.syy[..len]);
        let hx = _mm512_set1_pd(h[0]);
        let hy = _mm512_set1_pd(h[1]);
        let hxx = _mm512_set1_pd(h[2]);
        let hxy = _mm512_set1_pd(h[3]);
        let hyy = _mm512_set1_pd(h[4]);
        let r2f = r2 as f64;
        // lane l holds m = r2 − (8c + l)
        let mut m = _mm512_setr_pd(r2f, r2f - 1.0, r2f - 2.0, r2f - 3.0, r2f - 4.0, r2f - 5.0, r2f - 6.0, r2f - 7.0);
        let two = _mm512_set1_pd(2.0);
        let step = _mm512_set1_pd(LANES as f64);
        let zero = _mm512_setzero_pd();
        let mut bnum = _mm512_set1_pd(-1.0);
        let mut bden = zero;
        let mut bm = zero;
        for c in 0..chunks {
            let i = c * LANES;
            // SAFETY: i + 7 < len for every chunk, and all five slices have length len.
            let a = _mm512_sub_pd(hx, _mm512_loadu_pd(sx.as_ptr().add(i)));
            let b = _mm512_sub_pd(hy, _mm512_loadu_pd(sy.as_ptr().add(i)));
            let wxx = _mm512_sub_pd(hxx, _mm512_loadu_pd(sxx.as_ptr().add(i)));
            let wxy = _mm512_sub_pd(hxy, _mm512_loadu_pd(sxy.as_ptr().add(i)));
            let wyy = _mm512_sub_pd(hyy, _mm512_loadu_pd(syy.as_ptr().add(i)));
            let mcxx = _mm512_fmsub_pd(m, wxx, _mm512_mul_pd(a, a));
            let mcxy = _mm512_fmsub_pd(m, wxy, _mm512_mul_pd(a, b));
            let mcyy = _mm512_fmsub_pd(m, wyy, _mm512_mul_pd(b, b));
            let den = _mm512_fmsub_pd(mcxx, mcyy, _mm512_mul_pd(mcxy, mcxy));
            let num = _mm512_mul_pd(_mm512_mul_pd(mcxy, _mm512_abs_pd(mcxy)), _mm512_sub_pd(m, two));
            let pos = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(den, zero);
            let take = _mm512_mask_cmp_pd_mask::<_CMP_GT_OQ>(pos, _mm512_mul_pd(num, bden), _mm512_mul_pd(bnum, den));
            bnum = _mm512_mask_mov_pd(bnum, take, num);
            bden = _mm512_mask_mov_pd(bden, take, den);
            bm = _mm512_mask_mov_pd(bm, take, m);
            m = _mm512_sub_pd(m, step);
        }
        let mut best = LaneBest::default();
        _mm512_storeu_pd(best.num.as_mut_ptr(), bnum);
        _mm512_storeu_pd(best.den.as_mut_ptr(), bden);
        _mm512_storeu_pd(best.m.as_mut_ptr(), bm);
        self.finish(&mut best, chunks * LANES, r1_max, r2)
    }

    /// AVX2 + FMA version of [`Self::max_q_core`]: one chunk of [`LANES`] starts in two 256-bit vectors.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn max_q_avx2(&self, r1_max: usize, r2: usize) -> f64 {
        use std::arch::x86_64::*;
        let h = self.at(r2);
        let len = r1_max + 1;
        let chunks = len / LANES;
        let (sx, sy, sxx, sxy, syy) =
            (&self.sx[..len], &self.sy[..len], &self.sxx[..len], &self.sxy[..len], &self.syy[..len]);
        let hx = _mm256_set1_pd(h[0]);
        let hy = _mm256_set1_pd(h[1]);
        let hxx = _mm256_set1_pd(h[2]);
        let hxy = _mm256_set1_pd(h[3]);
        let hyy = _mm256_set1_pd(h[4]);
        let r2f = r2 as f64;
        let step = _mm256_set1_pd(LANES as f64);
        let two = _mm256_set1_pd(2.0);
        let zero = _mm256_setzero_pd();
        let sign = _mm256_set1_pd(-0.0);
        let mut best = LaneBest::default();
        // The lanes 0–3 and 4–7 of each chunk are independent: one pass for each half (16 registers).
        for k in 0..2 {
            // lane l of half k holds m = r2 − (8c + 4k + l)
            let o = (4 * k) as f64;
            let mut m = _mm256_setr_pd(r2f - o, r2f - o - 1.0, r2f - o - 2.0, r2f - o - 3.0);
            let mut bnum = _mm256_set1_pd(-1.0);
            let mut bden = zero;
            let mut bm = zero;
            for c in 0..chunks {
                let i = c * LANES + 4 * k;
                // SAFETY: i + 3 < len for every chunk, and all five slices have length len.
                let a = _mm256_sub_pd(hx, _mm256_loadu_pd(sx.as_ptr().add(i)));
                let b = _mm256_sub_pd(hy, _mm256_loadu_pd(sy.as_ptr().add(i)));
                let wxx = _mm256_sub_pd(hxx, _mm256_loadu_pd(sxx.as_ptr().add(i)));
                let wxy = _mm256_sub_pd(hxy, _mm256_loadu_pd(sxy.as_ptr().add(i)));
                let wyy = _mm256_sub_pd(hyy, _mm256_loadu_pd(syy.as_ptr().add(i)));
                let mcxx = _mm256_fmsub_pd(m, wxx, _mm256_mul_pd(a, a));
                let mcxy = _mm256_fmsub_pd(m, wxy, _mm256_mul_pd(a, b));
                let mcyy = _mm256_fmsub_pd(m, wyy, _mm256_mul_pd(b, b));
                let den = _mm256_fmsub_pd(mcxx, mcyy, _mm256_mul_pd(mcxy, mcxy));
                let num = _mm256_mul_pd(_mm256_mul_pd(mcxy, _mm256_andnot_pd(sign, mcxy)), _mm256_sub_pd(m, two));
                let take = _mm256_and_pd(
                    _mm256_cmp_pd::<_CMP_GT_OQ>(den, zero),
                    _mm256_cmp_pd::<_CMP_GT_OQ>(_mm256_mul_pd(num, bden), _mm256_mul_pd(bnum, den)),
                );
                bnum = _mm256_blendv_pd(bnum, num, take);
                bden = _mm256_blendv_pd(bden, den, take);
                bm = _mm256_blendv_pd(bm, m, take);
                m = _mm256_sub_pd(m, step);
            }
            _mm256_storeu_pd(best.num.as_mut_ptr().add(4 * k), bnum);
            _mm256_storeu_pd(best.den.as_mut_ptr().add(4 * k), bden);
            _mm256_storeu_pd(best.m.as_mut_ptr().add(4 * k), bm);
        }
        self.finish(&mut best, chunks * LANES, r1_max, r2)
    }
}

/// Starts per chunk of the lag-0 BSADF kernels (one AVX-512 vector, two AVX2 vectors).
const LANES: usize = 8;

/// Each lane's best window so far: `q = num/den` (`den > 0`; `den = 0` and `num = −1` before any)
/// and its row count `m`.
struct LaneBest {
    num: [f64; LANES],
    den: [f64; LANES],
    m: [f64; LANES],
}

impl Default for LaneBest {
    fn default() -> Self {
        LaneBest { num: [-1.0; LANES], den: [0.0; LANES], m: [0.0; LANES] }
    }
}

/// Lane arithmetic of the lag-0 kernels for one window of `m` rows, from the prefix sums at the end
/// (`h`) and before the start (`p`), both `[Σx, Σy, Σxx, Σxy, Σyy]`: `(num, den, m·c_xx)` of
/// [`Lag0Sums::max_q_core`]. `mul_add` is the fused multiply-add of the SIMD versions.
#[inline(always)]
fn num_den(m: f64, h: [f64; 5], p: [f64; 5]) -> (f64, f64, f64) {
    let a = h[0] - p[0];
    let b = h[1] - p[1];
    let mcxx = m.mul_add(h[2] - p[2], -(a * a));
    let mcxy = m.mul_add(h[3] - p[3], -(a * b));
    let mcyy = m.mul_add(h[4] - p[4], -(b * b));
    let den = mcxx.mul_add(mcyy, -(mcxy * mcxy));
    let num = mcxy * mcxy.abs() * (m - 2.0);
    (num, den, mcxx)
}

#[inline(always)]
fn q_from(m: f64, cxx: f64, cxy: f64, cyy: f64) -> f64 {
    // t = cxy·√(m−2) / √(cxx·cyy − cxy²)  ⇒  sign(t)·t² = cxy·|cxy|·(m−2)/(cxx·cyy − cxy²)
    let den = cxx * cyy - cxy * cxy;
    let q = cxy * cxy.abs() * (m - 2.0) / den;
    if den > 0.0 {
        q
    } else {
        f64::NEG_INFINITY
    }
}

#[inline(always)]
fn t_from_q(q: f64) -> f64 {
    if q == f64::NEG_INFINITY {
        f64::NAN
    } else {
        q.signum() * q.abs().sqrt()
    }
}

/// Refuses levels no ADF regression can use: a non-finite value, or a series that does not move (at the
/// data's precision). What [`radf`] checks first; callers check it before simulating critical values.
pub fn check_levels(y: &[f64]) -> Result<()> {
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(BubbleError::NonFinite { index: i });
    }
    if fissure_stats::tol::is_constant(y) {
        return Err(BubbleError::Degenerate(
            "the series does not move (constant at the data's precision): no ADF regression can be fitted".into(),
        ));
    }
    Ok(())
}

/// Checks the levels and returns them shifted and scaled to `(y − y₀)/range`: the ADF t-statistic
/// is invariant to both (the intercept absorbs the shift, β̂ and se(β̂) scale together), and the
/// kernels' cross-products then neither underflow (1e-300) nor overflow (1e300).
/// A series that does not move is refused: every regression on it is singular.
/// With AIC/BIC lag selection only the shift is applied: psymonitor's criterion uses the
/// unit-variance Gaussian log-likelihood, which is not scale-free.
fn check_input(y: &[f64], lag: LagSelection) -> Result<Vec<f64>> {
    check_levels(y)?;
    let (lo, hi) = y.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    let y0 = y[0];
    if !matches!(lag, LagSelection::Fixed(_)) {
        return Ok(y.iter().map(|v| v - y0).collect());
    }
    let range = hi / 2.0 - lo / 2.0;
    Ok(y.iter().map(|v| (v / 2.0 - y0 / 2.0) / range).collect())
}

fn all_nan(path: &[f64]) -> bool {
    path.iter().all(|v| v.is_nan())
}

/// ADF statistic on the whole sample `y` (levels).
pub fn adf(y: &[f64], lag: LagSelection) -> Result<f64> {
    let y = &check_input(y, lag)?[..];
    let cfg = PsyConfig { lag, min_window: MinWindow::Observations(y.len()) };
    cfg.validate(y.len())?;
    let cp = CrossProducts::new(y, lag.max_lag());
    Ok(adf_window(&cp, lag, 0, y.len() - 1))
}

/// ADF statistic on the window of levels `y[r1..=r2]`.
pub fn adf_on_window(y: &[f64], lag: LagSelection, r1: usize, r2: usize) -> Result<f64> {
    let y = &check_input(y, lag)?[..];
    if r1 >= r2 || r2 >= y.len() {
        return Err(BubbleError::Config(format!("bad window [{r1}, {r2}] for {} observations", y.len())));
    }
    let cp = CrossProducts::new(y, lag.max_lag());
    Ok(adf_window(&cp, lag, r1, r2))
}

/// ADF, SADF, GSADF, the forward ADF sequence and the BSADF sequence of `y` (levels), in parallel
/// over end points.
///
/// Windows whose level does not move give NaN (as exuber does) and are skipped by the suprema;
/// if every window is flat the series is refused with [`BubbleError::Degenerate`].
pub fn radf(y: &[f64], cfg: &PsyConfig) -> Result<Radf> {
    let y = &check_input(y, cfg.lag)?[..];
    let w = cfg.validate(y.len())?;
    let r = radf_inner(y, cfg.lag, w, true);
    if all_nan(&r.bsadf) {
        return Err(BubbleError::Degenerate(format!(
            "every window of {w} or more observations is flat or exactly linear: no ADF statistic can be computed"
        )));
    }
    Ok(r)
}

/// The same computation without validation, serial or parallel over end points.
pub(crate) fn radf_inner(y: &[f64], lag: LagSelection, w: usize, parallel: bool) -> Radf {
    let n = y.len();
    let first = w - 1;
    let ends: Vec<usize> = (first..n).collect();
    let (badf, bsadf): (Vec<f64>, Vec<f64>) = if lag == LagSelection::Fixed(0) {
        let s = Lag0Sums::new(y);
        let f = |&r2: &usize| (t_from_q(s.q(1, r2)), t_from_q(s.max_q_over_starts(r2 + 1 - w, r2)));
        if parallel {
            ends.par_iter().with_min_len(16).map(f).unzip()
        } else {
            ends.iter().map(f).unzip()
        }
    } else if let LagSelection::Fixed(k) = lag {
        let rows = FixedLagRows::new(y, k);
        let f = |&r2: &usize| rows.paths_at(r2, w);
        if parallel {
            ends.par_iter().with_min_len(4).map(f).unzip()
        } else {
            ends.iter().map(f).unzip()
        }
    } else {
        let cp = CrossProducts::new(y, lag.max_lag());
        let f = |&r2: &usize| {
            let badf = adf_window(&cp, lag, 0, r2);
            let mut best = f64::NAN;
            for r1 in 0..=(r2 + 1 - w) {
                let v = adf_window(&cp, lag, r1, r2);
                if v > best || best.is_nan() {
                    best = v;
                }
            }
            (badf, best)
        };
        if parallel {
            ends.par_iter().with_min_len(4).map(f).unzip()
        } else {
            ends.iter().map(f).unzip()
        }
    };
    let sadf = nanmax(&badf);
    let gsadf = nanmax(&bsadf);
    let adf = *badf.last().unwrap_or(&f64::NAN);
    Radf { adf, sadf, gsadf, badf, bsadf, first, window_obs: w }
}

/// Fixed lag k > 0: rows `z_t = [1, Δy_{t−1..t−k}, y_{t−1}, Δy_t]` (centred). For an end point
/// r2 the windows are visited from the shortest to the longest, adding one row's cross-products
/// at a time (O(k²)), and each window is solved by an LDLᵀ factorisation without square roots:
/// with `L w = X'y`, `sign(t)·t² = w_p|w_p|·dof / (D_p·SSR)`, `SSR = y'y − Σ w_i²/D_i`.
struct FixedLagRows {
    /// number of regressors p = k + 2; row stride p + 1
    p: usize,
    z: Vec<f64>,
    k: usize,
}

impl FixedLagRows {
    fn new(y: &[f64], k: usize) -> Self {
        let n = y.len();
        let p = k + 2;
        let cy = y.iter().sum::<f64>() / n as f64;
        let cd = if n > 1 { (y[n - 1] - y[0]) / (n - 1) as f64 } else { 0.0 };
        let dy = |t: usize| y[t] - y[t - 1] - cd;
        let mut z = vec![0.0; n * (p + 1)];
        for t in k + 1..n {
            let r = &mut z[t * (p + 1)..(t + 1) * (p + 1)];
            r[0] = 1.0;
            for j in 1..=k {
                r[j] = dy(t - j);
            }
            r[p - 1] = y[t - 1] - cy;
            r[p] = dy(t);
        }
        FixedLagRows { p, z, k }
    }

    /// (ADF on [0, r2], BSADF(r2)).
    fn paths_at(&self, r2: usize, w: usize) -> (f64, f64) {
        let p = self.p;
        let d = p + 1;
        let mut acc = [0.0f64; 169]; // d ≤ 13
        let mut best = f64::NEG_INFINITY;
        let mut last = f64::NEG_INFINITY;
        let r1_max = r2 + 1 - w;
        for t in (self.k + 1..=r2).rev() {
            let r = &self.z[t * d..(t + 1) * d];
            for i in 0..d {
                for j in 0..=i {
                    acc[i * d + j] += r[i] * r[j];
                }
            }
            let r1 = t - self.k - 1;
            if r1 <= r1_max {
                last = self.solve(&acc, r2 + 1 - t);
                if last > best {
                    best = last;
                }
            }
        }
        (t_from_q(last), t_from_q(best))
    }

    /// Signed squared t-statistic of the last regressor from the accumulated lower triangle.
    #[inline]
    fn solve(&self, acc: &[f64; 169], rows: usize) -> f64 {
        match self.p {
            3 => ldl_q::<3>(acc, rows),
            4 => ldl_q::<4>(acc, rows),
            5 => ldl_q::<5>(acc, rows),
            6 => ldl_q::<6>(acc, rows),
            p => ldl_q_dyn(acc, rows, p),
        }
    }
}

/// LDLᵀ of the p×p regressor block of `acc` (row stride p + 1, dependent variable last);
/// returns `sign(t)·t²` of the last regressor.
#[inline(always)]
fn ldl_q<const P: usize>(acc: &[f64; 169], rows: usize) -> f64 {
    let d = P + 1;
    if rows <= P {
        return f64::NEG_INFINITY;
    }
    let mut l = [[0.0f64; P]; P];
    let mut dg = [0.0f64; P];
    let mut inv = [0.0f64; P];
    for j in 0..P {
        let mut dj = acc[j * d + j];
        for q in 0..j {
            dj -= l[j][q] * l[j][q] * dg[q];
        }
        if negligible(dj, acc[j * d + j]) {
            return f64::NEG_INFINITY;
        }
        dg[j] = dj;
        inv[j] = 1.0 / dj;
        for i in j + 1..P {
            let mut v = acc[i * d + j];
            for q in 0..j {
                v -= l[i][q] * l[j][q] * dg[q];
            }
            l[i][j] = v * inv[j];
        }
    }
    let mut ssr = acc[P * d + P];
    let mut wv = [0.0f64; P];
    for i in 0..P {
        let mut v = acc[P * d + i];
        for q in 0..i {
            v -= l[i][q] * wv[q];
        }
        wv[i] = v;
        ssr -= v * v * inv[i];
    }
    if negligible(ssr, acc[P * d + P]) {
        return f64::NEG_INFINITY;
    }
    let wp = wv[P - 1];
    wp * wp.abs() * (rows - P) as f64 * inv[P - 1] / ssr
}

fn ldl_q_dyn(acc: &[f64; 169], rows: usize, p: usize) -> f64 {
    let d = p + 1;
    if rows <= p || p > 12 {
        return f64::NEG_INFINITY;
    }
    let mut l = [0.0f64; 144];
    let mut dg = [0.0f64; 12];
    let mut inv = [0.0f64; 12];
    let mut wv = [0.0f64; 12];
    for j in 0..p {
        let mut dj = acc[j * d + j];
        for q in 0..j {
            dj -= l[j * p + q] * l[j * p + q] * dg[q];
        }
        if negligible(dj, acc[j * d + j]) {
            return f64::NEG_INFINITY;
        }
        dg[j] = dj;
        inv[j] = 1.0 / dj;
        for i in j + 1..p {
            let mut v = acc[i * d + j];
            for q in 0..j {
                v -= l[i * p + q] * l[j * p + q] * dg[q];
            }
            l[i * p + j] = v * inv[j];
        }
    }
    let mut ssr = acc[p * d + p];
    for i in 0..p {
        let mut v = acc[p * d + i];
        for q in 0..i {
            v -= l[i * p + q] * wv[q];
        }
        wv[i] = v;
        ssr -= v * v * inv[i];
    }
    if negligible(ssr, acc[p * d + p]) {
        return f64::NEG_INFINITY;
    }
    let wp = wv[p - 1];
    wp * wp.abs() * (rows - p) as f64 * inv[p - 1] / ssr
}

pub(crate) fn nanmax(x: &[f64]) -> f64 {
    x.iter().copied().filter(|v| !v.is_nan()).fold(f64::NAN, |a, b| if a.is_nan() || b > a { b } else { a })
}

/// Lag-0 BSADF path into a caller buffer (used by the simulations; serial).
pub(crate) fn lag0_paths(s: &mut Lag0Sums, y: &[f64], w: usize, badf: &mut [f64], bsadf: &mut [f64]) {
    s.fill(y);
    let first = w - 1;
    for (i, r2) in (first..y.len()).enumerate() {
        badf[i] = t_from_q(s.q(1, r2));
        bsadf[i] = t_from_q(s.max_q_over_starts(r2 + 1 - w, r2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain OLS on one window (normal equations with nalgebra) to check the prefix-sum kernel.
    fn naive_adf(y: &[f64], k: usize, r1: usize, r2: usize) -> f64 {
        use nalgebra::{DMatrix, DVector};
        let rows: Vec<usize> = (r1 + k + 1..=r2).collect();
        let p = k + 2;
        let mut x = DMatrix::zeros(rows.len(), p);
        let mut dep = DVector::zeros(rows.len());
        for (i, &t) in rows.iter().enumerate() {
            x[(i, 0)] = 1.0;
            x[(i, 1)] = y[t - 1];
            for j in 1..=k {
                x[(i, 1 + j)] = y[t - j] - y[t - j - 1];
            }
            dep[i] = y[t] - y[t - 1];
        }
        let o = fissure_stats::linalg::ols(&x, &dep).unwrap();
        o.beta[1] / o.std_errors[1]
    }

    fn walk(n: usize, seed: u64) -> Vec<f64> {
        use rand::Rng;
        let mut r = fissure_stats::rng::seeded(seed);
        let mut y = vec![0.0; n];
        for t in 1..n {
            y[t] = y[t - 1] + r.gen_range(-1.0..1.0) + 0.002 * t as f64;
        }
        y
    }

    #[test]
    fn prefix_kernel_matches_plain_ols() {
        let y = walk(120, 3);
        for k in 0..3 {
            let cp = CrossProducts::new(&y, 3);
            for (r1, r2) in [(0, 119), (10, 60), (50, 100), (3, 30)] {
                let a = adf_window(&cp, LagSelection::Fixed(k), r1, r2);
                let b = naive_adf(&y, k, r1, r2);
                assert!((a - b).abs() < 1e-9, "k={k} [{r1},{r2}] {a} vs {b}");
            }
        }
    }

    #[test]
    fn lag0_fast_path_matches_general_path() {
        let y = walk(150, 5);
        let fast = radf_inner(&y, LagSelection::Fixed(0), 20, false);
        // general path through the Cholesky kernel
        let cp = CrossProducts::new(&y, 0);
        for (i, r2) in (19..150).enumerate() {
            let mut best = f64::NEG_INFINITY;
            for r1 in 0..=(r2 + 1 - 20) {
                best = best.max(adf_window(&cp, LagSelection::Fixed(0), r1, r2));
            }
            assert!((fast.bsadf[i] - best).abs() < 1e-9);
            assert!((fast.badf[i] - adf_window(&cp, LagSelection::Fixed(0), 0, r2)).abs() < 1e-9);
        }
        let par = radf_inner(&y, LagSelection::Fixed(0), 20, true);
        assert_eq!(par, fast);
    }

    #[test]
    fn simd_and_portable_kernels_are_bit_identical() {
        let y = walk(300, 11);
        let s = Lag0Sums::new(&y);
        // a flat stretch: windows inside it fail the tolerances in the record step
        let mut flat = walk(300, 12);
        for v in &mut flat[100..180] {
            *v = 3.0;
        }
        let f = Lag0Sums::new(&flat);
        for s in [&s, &f] {
            for r2 in [40usize, 41, 42, 43, 44, 45, 46, 47, 48, 150, 175, 299] {
                let r1_max = r2 + 1 - 20;
                let a = s.max_q_core(r1_max, r2);
                assert_eq!(a.to_bits(), s.max_q_over_starts(r1_max, r2).to_bits());
                // the running-maximum kernel is the maximum of the per-window statistic
                let direct = (0..=r1_max).map(|r1| s.q(r1 + 1, r2)).fold(f64::NEG_INFINITY, f64::max);
                assert!((a - direct).abs() <= 1e-12 * direct.abs().max(1.0), "r2 = {r2}: {a} vs {direct}");
                #[cfg(target_arch = "x86_64")]
                {
                    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                        // SAFETY: AVX2 and FMA are available.
                        let b = unsafe { s.max_q_avx2(r1_max, r2) };
                        assert_eq!(a.to_bits(), b.to_bits(), "avx2, r2 = {r2}");
                    }
                    if std::is_x86_feature_detected!("avx512f") {
                        // SAFETY: AVX-512F is available.
                        let b = unsafe { s.max_q_avx512(r1_max, r2) };
                        assert_eq!(a.to_bits(), b.to_bits(), "avx512, r2 = {r2}");
                    }
                }
            }
        }
    }

    #[test]
    fn incremental_fixed_lag_matches_prefix_kernel() {
        let y = walk(140, 8);
        for k in [1usize, 3] {
            let w = 2 * k + 12;
            let r = radf_inner(&y, LagSelection::Fixed(k), w, false);
            let cp = CrossProducts::new(&y, k);
            for (i, r2) in (w - 1..140).enumerate() {
                let mut best = f64::NEG_INFINITY;
                for r1 in 0..=(r2 + 1 - w) {
                    best = best.max(adf_window(&cp, LagSelection::Fixed(k), r1, r2));
                }
                assert!((r.bsadf[i] - best).abs() < 1e-9, "k={k} r2={r2}");
                assert!((r.badf[i] - adf_window(&cp, LagSelection::Fixed(k), 0, r2)).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn window_conventions() {
        let c = PsyConfig { lag: LagSelection::Fixed(0), min_window: MinWindow::Rows(35) };
        assert_eq!(c.window_obs(323), 36);
        let c = PsyConfig { lag: LagSelection::Fixed(2), min_window: MinWindow::Rows(35) };
        assert_eq!(c.window_obs(323), 38);
        assert_eq!(default_min_window(323), 35);
        assert_eq!(default_min_window(547), 47); // psymonitor vignette swindow0
    }
}
