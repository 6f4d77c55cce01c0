//! Value-at-Risk and Expected Shortfall of a linear portfolio, with Euler allocation.
//!
//! Loss convention: L = −r_p with r_p = Σ wᵢ rᵢ; VaR and ES are positive fractions of
//! equity (0.023 = a 2.3 % loss). `level` is the confidence level α (0.99).
//!
//! - **Historical**: VaR = type-7 (Hyndman–Fan 1996) quantile of the losses at α;
//!   ES = mean of the losses at or beyond VaR (L ≥ VaR).
//! - **Gaussian**: VaR = −μ_p + σ_p z_α, ES = −μ_p + σ_p φ(z_α)/(1 − α), sample σ (n − 1).
//! - **Cornish–Fisher** (modified VaR; Zangari 1996, Favre & Galeano 2002):
//!   z_cf = z + (z² − 1)S/6 + (z³ − 3z)K/24 − (2z³ − 5z)S²/36 at z = Φ⁻¹(1 − α), population
//!   moments (as PerformanceAnalytics), VaR = −μ_p − σ_p z_cf. Modified ES here is the exact
//!   tail mean of the Cornish–Fisher quantile function, E[z_cf(Z) | Z ≤ z] in closed form with
//!   the truncated normal moments Iᵠ = ∫_{−∞}^{z} uᵠφ(u)du (Iᵠ = −z^{q−1}φ(z) + (q−1)I^{q−2}).
//!   This differs from Boudt, Peterson & Croux (2008), who integrate an Edgeworth density.
//! - **EVT** peaks over threshold (McNeil & Frey 2000): GPD(ξ, β) fitted by ML to the
//!   excesses of the losses over the type-7 quantile u at `1 − tail`;
//!   VaR = u + β/ξ·[((1 − α)·n/n_u)^{−ξ} − 1], ES = (VaR + β − ξu)/(1 − ξ).
//! - **FHS** (Barone-Adesi, Giannopoulos & Vosper 1999): see [`crate::fhs`]; its simulated
//!   scenarios go through the historical estimator.
//!
//! **Euler allocation** (Tasche 1999): VaR and ES are homogeneous of degree 1 in w, so
//! Σ wᵢ ∂VaR/∂wᵢ = VaR. Historical: the type-7 estimator is a linear combination of two
//! order statistics, so the component of asset i is the same combination of −wᵢrᵢ on those
//! two days; ES components are the tail means of −wᵢrᵢ. Gaussian and Cornish–Fisher:
//! analytic gradients through the moments (∂m_k/∂wᵢ = k·E[d_p^{k−1} dᵢ], d = demeaned), O(T·N).
//! EVT: the EVT totals split in the proportions of the historical tail beyond u (stated).

use crate::{Result, RiskError};
use rayon::prelude::*;
use serde::Serialize;
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

/// A VaR/ES estimate with its Euler components (same order as the weights).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Estimate {
    pub var: f64,
    pub es: f64,
    pub var_components: Vec<f64>,
    pub es_components: Vec<f64>,
}

impl Estimate {
    /// Multiplies every number by `k` (√h scaling).
    pub fn scaled(&self, k: f64) -> Estimate {
        Estimate {
            var: self.var * k,
            es: self.es * k,
            var_components: self.var_components.iter().map(|v| v * k).collect(),
            es_components: self.es_components.iter().map(|v| v * k).collect(),
        }
    }
}

pub(crate) fn check_level(level: f64) -> Result<()> {
    if !(level > 0.5 && level < 1.0) {
        return Err(RiskError::Invalid(format!("level {level} must be in (0.5, 1)")));
    }
    Ok(())
}

/// Dot product with eight independent accumulators (vectorises; fixed summation order).
#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    // eight independent lanes (one AVX-512 register, two AVX2), summed pairwise at the end
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        let (x, y): (&[f64; 8], &[f64; 8]) = match (x.try_into(), y.try_into()) {
            (Ok(x), Ok(y)) => (x, y),
            _ => unreachable!("chunks_exact(8) yields slices of 8"),
        };
        for j in 0..8 {
            acc[j] += x[j] * y[j];
        }
    }
    let mut s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// Panels at least this large (T·N) are processed in parallel. Blocks of rows are fixed by N alone and
/// their partial sums are added in block order, so results do not depend on the thread count.
const PARALLEL_MIN: usize = 1 << 16;

/// Rows per block of the one-pass moments: about 1 MiB of returns, and at least a 32nd of the panel so
/// that the blocks' partial sums are few. Depends on the shape only, so every bit of the result is the
/// same whatever the thread count.
fn block_rows(t: usize, n: usize) -> usize {
    (131_072 / n.max(1)).clamp(8, 4096).max(t.div_ceil(32)).next_multiple_of(TILE)
}

/// Portfolio losses −Σ wᵢ rᵢ of each row.
pub fn losses(data: &[f64], n: usize, w: &[f64]) -> Vec<f64> {
    let row = |r: &[f64]| -dot(r, w);
    if data.len() < PARALLEL_MIN {
        data.chunks_exact(n).map(row).collect()
    } else {
        data.par_chunks_exact(n).with_min_len(64).map(row).collect()
    }
}

/// Checks the shape; the finiteness of the data is checked through the sums of the single pass.
fn check_shape(data: &[f64], n: usize, w: &[f64], min_t: usize) -> Result<usize> {
    if n == 0 || w.len() != n || !data.len().is_multiple_of(n) {
        return Err(RiskError::Invalid(format!("{} weights for {} assets", w.len(), n)));
    }
    if let Some(i) = w.iter().position(|v| !v.is_finite()) {
        return Err(RiskError::Invalid(format!("non-finite weight of asset {i}")));
    }
    let t = data.len() / n;
    if t < min_t {
        return Err(RiskError::TooShort { what: "VaR/ES sample".into(), needed: min_t, got: t });
    }
    Ok(t)
}

/// The error for a panel whose sums are not finite: the first non-finite cell, or an overflow.
fn non_finite(data: &[f64], n: usize) -> RiskError {
    match data.iter().position(|v| !v.is_finite()) {
        Some(i) => RiskError::Invalid(format!("non-finite return at row {}, asset {}", i / n, i % n)),
        None => RiskError::Invalid("the returns overflow (sums are not finite)".into()),
    }
}

/// Shape check + losses, refusing non-finite data (a non-finite cell makes its row's loss non-finite).
fn checked_losses(data: &[f64], n: usize, w: &[f64], min_t: usize) -> Result<(usize, Vec<f64>)> {
    let t = check_shape(data, n, w, min_t)?;
    let l = losses(data, n, w);
    if l.iter().any(|v| !v.is_finite()) {
        return Err(non_finite(data, n));
    }
    Ok((t, l))
}

/// Type-7 position of the α-quantile among `t` sorted values: (lower index, weight of the upper).
fn type7(t: usize, level: f64) -> (usize, f64) {
    let h = (t - 1) as f64 * level;
    let k = (h.floor() as usize).min(t - 1);
    (k, h - k as f64)
}

/// Historical VaR/ES (type-7 quantile; ES = mean loss at or beyond VaR) and Euler components.
pub fn historical(data: &[f64], n: usize, w: &[f64], level: f64) -> Result<Estimate> {
    check_level(level)?;
    let (_, l) = checked_losses(data, n, w, 10)?;
    Ok(historical_from_losses(&l, data, n, w, level))
}

/// The historical estimator on precomputed losses `l` of the rows of `data`.
///
/// The two order statistics around the type-7 position are found by selection (O(T), ties broken
/// by row, as a stable sort); the tail (L ≥ VaR) by one scan of the losses.
fn historical_from_losses(l: &[f64], data: &[f64], n: usize, w: &[f64], level: f64) -> Estimate {
    let t = l.len();
    let (k, g) = type7(t, level);
    let by_loss = |a: &u32, b: &u32| l[*a as usize].total_cmp(&l[*b as usize]).then(a.cmp(b));
    let mut idx: Vec<u32> = (0..t as u32).collect();
    let (_, kth, upper) = idx.select_nth_unstable_by(k, by_loss);
    let lo = *kth as usize;
    let hi = upper.iter().min_by(|a, b| by_loss(a, b)).map_or(lo, |v| *v as usize);
    let var = l[lo] + g * (l[hi] - l[lo]);
    let (ra, rb) = (&data[lo * n..lo * n + n], &data[hi * n..hi * n + n]);
    let var_components: Vec<f64> = (0..n).map(|i| -w[i] * ((1.0 - g) * ra[i] + g * rb[i])).collect();
    // tail: losses ≥ VaR (at least the upper order statistic); tolerance for rounding of the interpolation
    let tol = 1e-14 * var.abs().max(1e-300);
    let mut es = 0.0;
    let mut m = 0usize;
    let mut es_components = vec![0.0; n];
    for (s, &ls) in l.iter().enumerate() {
        if ls >= var - tol {
            es += ls;
            m += 1;
            for (c, r) in es_components.iter_mut().zip(&data[s * n..s * n + n]) {
                *c += r;
            }
        }
    }
    let mf = m as f64;
    es /= mf;
    es_components.iter_mut().zip(w).for_each(|(c, wi)| *c *= -wi / mf);
    Estimate { var, es, var_components, es_components }
}

/// The portfolio losses and the co-moments of the portfolio with every asset, from **one pass** over
/// the T × N row-major panel: the inputs of the historical, Gaussian and Cornish–Fisher estimators.
///
/// Shifts first: c_p and pᵢ, the means of r_p and rᵢ over the first ≤ 64 rows (a pilot read). Then
/// each row is read once from memory: r_p = w·r, and while the row is in cache the shifted power
/// sums S_j[i] = Σ_t (r_p − c_p)^j (rᵢ − pᵢ), j = 0..3. The sums are re-centred on the global means
/// exactly, binomially: Σ d_p^j (rᵢ − pᵢ) = Σ_k C(j,k) δ^{j−k} S_k[i] with δ = c_p − μ_p, and
/// Σ d_p^j dᵢ = Σ d_p^j (rᵢ − pᵢ) − (μᵢ − pᵢ) Σ d_p^j. Because the shifts are within a fraction of a
/// standard deviation of the means, no precision is lost to cancellation.
pub struct PanelMoments {
    pub t: usize,
    /// L = −r_p of each row.
    pub losses: Vec<f64>,
    pub mu_p: f64,
    pub mu: Vec<f64>,
    /// m_k = mean of d_p^k (population), k = 2, 3, 4
    pub m2: f64,
    pub m3: f64,
    pub m4: f64,
    /// c_k[i] = mean of d_p^{k−1} dᵢ (population), k = 2, 3, 4
    pub c2: Vec<f64>,
    pub c3: Vec<f64>,
    pub c4: Vec<f64>,
}

impl PanelMoments {
    /// One pass over `data` (T × `n`, row-major) with weights `w`; refuses fewer than `min_t` rows
    /// and non-finite cells.
    pub fn compute(data: &[f64], n: usize, w: &[f64], min_t: usize) -> Result<PanelMoments> {
        let t = check_shape(data, n, w, min_t)?;
        let head = &data[..t.min(64) * n];
        let hf = (head.len() / n) as f64;
        let mut pilot = vec![0.0; n];
        let mut cp = 0.0;
        for r in head.chunks_exact(n) {
            cp += dot(r, w);
            pilot.iter_mut().zip(r).for_each(|(p, v)| *p += v);
        }
        cp /= hf;
        pilot.iter_mut().for_each(|p| *p /= hf);
        let rows_per_block = block_rows(t, n);
        let block = |b: &[f64]| block_sums(b, n, w, &pilot, cp);
        let parts: Vec<(Vec<f64>, Vec<f64>)> = if data.len() < PARALLEL_MIN {
            data.chunks(rows_per_block * n).map(block).collect()
        } else {
            data.par_chunks(rows_per_block * n).map(block).collect()
        };
        let tf = t as f64;
        let losses: Vec<f64> = parts.iter().flat_map(|p| p.0.iter().map(|v| -v)).collect();
        let mu_p = -losses.iter().sum::<f64>() / tf;
        let (mut p1, mut p2, mut p3, mut p4) = (0.0, 0.0, 0.0, 0.0);
        for l in &losses {
            let d = -l - mu_p;
            let d2 = d * d;
            p1 += d;
            p2 += d2;
            p3 += d2 * d;
            p4 += d2 * d2;
        }
        // S_j summed over the blocks in block order, then re-centred: Σ_t d_p^j (rᵢ − pᵢ), j = 0..3
        let mut sj = vec![0.0; 4 * n];
        for (_, s) in &parts {
            sj.iter_mut().zip(s).for_each(|(a, v)| *a += v);
        }
        let dl = cp - mu_p;
        let (dl2, dl3) = (dl * dl, dl * dl * dl);
        let (s0, s1, s2, s3) = (&sj[..n], &sj[n..2 * n], &sj[2 * n..3 * n], &sj[3 * n..]);
        let g1: Vec<f64> = (0..n).map(|i| s1[i] + dl * s0[i]).collect();
        let g2: Vec<f64> = (0..n).map(|i| s2[i] + 2.0 * dl * s1[i] + dl2 * s0[i]).collect();
        let g3: Vec<f64> = (0..n).map(|i| s3[i] + 3.0 * dl * s2[i] + 3.0 * dl2 * s1[i] + dl3 * s0[i]).collect();
        if !(mu_p.is_finite() && p4.is_finite()) || sj.iter().chain(&g3).any(|v| !v.is_finite()) {
            return Err(non_finite(data, n));
        }
        let xbar: Vec<f64> = s0.iter().map(|v| v / tf).collect();
        let mu: Vec<f64> = xbar.iter().zip(&pilot).map(|(x, p)| x + p).collect();
        let c2 = (0..n).map(|i| (g1[i] - xbar[i] * p1) / tf).collect();
        let c3 = (0..n).map(|i| (g2[i] - xbar[i] * p2) / tf).collect();
        let c4 = (0..n).map(|i| (g3[i] - xbar[i] * p3) / tf).collect();
        Ok(PanelMoments { t, losses, mu_p, mu, m2: p2 / tf, m3: p3 / tf, m4: p4 / tf, c2, c3, c4 })
    }
}

/// One block of rows of [`PanelMoments::compute`]: its portfolio returns and the shifted power sums
/// [S0 | S1 | S2 | S3] (see there), each row read once from memory.
fn block_sums(b: &[f64], n: usize, w: &[f64], pilot: &[f64], cp: f64) -> (Vec<f64>, Vec<f64>) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F (checked just above). Same operations in the same
            // order as the generic build (no FMA contraction), so the results are bitwise identical.
            return unsafe { block_sums_avx512(b, n, w, pilot, cp) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: as above, for AVX2.
            return unsafe { block_sums_avx2(b, n, w, pilot, cp) };
        }
    }
    block_sums_generic(b, n, w, pilot, cp)
}

/// AVX-512 version of [`block_sums_generic`], written out with intrinsics (the compiler's own
/// vectorisation of the row dot products was poor): the same additions and multiplications in the
/// same order, lane for lane, so the result is bitwise that of the generic build.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn block_sums_avx512(b: &[f64], n: usize, w: &[f64], pilot: &[f64], cp: f64) -> (Vec<f64>, Vec<f64>) {
    use std::arch::x86_64::*;
    if n < 8 {
        return block_sums_generic(b, n, w, pilot, cp);
    }
    let rows = b.len() / n;
    let mut rp = Vec::with_capacity(rows);
    let mut s = vec![0.0; 4 * n];
    let n8 = n / 8 * 8;
    let (w, pilot) = (&w[..n], &pilot[..n]);
    // the generic dot's final pairwise sum of its eight lanes, and its scalar remainder
    let finish = |acc: __m512d, r: &[f64]| {
        let mut a = [0.0f64; 8];
        _mm512_storeu_pd(a.as_mut_ptr(), acc);
        let mut v = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
        for i in n8..n {
            v += r[i] * w[i];
        }
        v
    };
    let full = rows / TILE;
    for t in 0..full {
        let base = t * TILE * n;
        let r: [&[f64]; TILE] = std::array::from_fn(|k| &b[base + k * n..base + (k + 1) * n]);
        let mut acc = [_mm512_setzero_pd(); TILE];
        let mut i = 0;
        while i < n8 {
            // SAFETY: i + 8 <= n8 <= n, and every row, w and pilot hold n values
            let wv = _mm512_loadu_pd(w.as_ptr().add(i));
            for k in 0..TILE {
                acc[k] = _mm512_add_pd(acc[k], _mm512_mul_pd(_mm512_loadu_pd(r[k].as_ptr().add(i)), wv));
            }
            i += 8;
        }
        let p: [f64; TILE] = std::array::from_fn(|k| finish(acc[k], r[k]));
        rp.extend_from_slice(&p);
        let a = p.map(|p| p - cp);
        let a2 = a.map(|a| a * a);
        let a3 = a.map(|a| a * a * a);
        let (va, va2, va3) =
            (a.map(|v| _mm512_set1_pd(v)), a2.map(|v| _mm512_set1_pd(v)), a3.map(|v| _mm512_set1_pd(v)));
        let sp = s.as_mut_ptr();
        let mut i = 0;
        while i < n8 {
            let pv = _mm512_loadu_pd(pilot.as_ptr().add(i));
            let x: [__m512d; TILE] = std::array::from_fn(|k| _mm512_sub_pd(_mm512_loadu_pd(r[k].as_ptr().add(i)), pv));
            let pair = |c: &[__m512d; TILE]| {
                _mm512_add_pd(
                    _mm512_add_pd(_mm512_mul_pd(c[0], x[0]), _mm512_mul_pd(c[1], x[1])),
                    _mm512_add_pd(_mm512_mul_pd(c[2], x[2]), _mm512_mul_pd(c[3], x[3])),
                )
            };
            let sum0 = _mm512_add_pd(_mm512_add_pd(x[0], x[1]), _mm512_add_pd(x[2], x[3]));
            for (j, v) in [sum0, pair(&va), pair(&va2), pair(&va3)].into_iter().enumerate() {
                // SAFETY: j * n + i + 8 <= 4 n, the length of s
                let q = sp.add(j * n + i);
                _mm512_storeu_pd(q, _mm512_add_pd(_mm512_loadu_pd(q), v));
            }
            i += 8;
        }
        for i in n8..n {
            let x: [f64; TILE] = std::array::from_fn(|k| r[k][i] - pilot[i]);
            s[i] += (x[0] + x[1]) + (x[2] + x[3]);
            s[n + i] += (a[0] * x[0] + a[1] * x[1]) + (a[2] * x[2] + a[3] * x[3]);
            s[2 * n + i] += (a2[0] * x[0] + a2[1] * x[1]) + (a2[2] * x[2] + a2[3] * x[3]);
            s[3 * n + i] += (a3[0] * x[0] + a3[1] * x[1]) + (a3[2] * x[2] + a3[3] * x[3]);
        }
    }
    let (s0, rest) = s.split_at_mut(n);
    let (s1, rest) = rest.split_at_mut(n);
    let (s2, s3) = rest.split_at_mut(n);
    tail_sums(&b[full * TILE * n..], n, w, pilot, cp, &mut rp, s0, s1, s2, s3);
    (rp, s)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn block_sums_avx2(b: &[f64], n: usize, w: &[f64], pilot: &[f64], cp: f64) -> (Vec<f64>, Vec<f64>) {
    block_sums_generic(b, n, w, pilot, cp)
}

/// Rows per tile of [`block_sums_generic`]: the sums S_j are loaded and stored once per tile.
const TILE: usize = 4;

#[inline(always)]
fn block_sums_generic(b: &[f64], n: usize, w: &[f64], pilot: &[f64], cp: f64) -> (Vec<f64>, Vec<f64>) {
    let mut rp = Vec::with_capacity(b.len() / n);
    let mut s = vec![0.0; 4 * n];
    let (s0, rest) = s.split_at_mut(n);
    let (s1, rest) = rest.split_at_mut(n);
    let (s2, s3) = rest.split_at_mut(n);
    let pilot = &pilot[..n];
    let tiles = b.chunks_exact(TILE * n);
    let tail = tiles.remainder();
    for t in tiles {
        let (r0, rest) = t.split_at(n);
        let (r1, rest) = rest.split_at(n);
        let (r2, r3) = rest.split_at(n);
        let p = [dot(r0, w), dot(r1, w), dot(r2, w), dot(r3, w)];
        rp.extend_from_slice(&p);
        let a = p.map(|p| p - cp);
        let a2 = a.map(|a| a * a);
        let a3 = a.map(|a| a * a * a);
        for i in 0..n {
            let x = [r0[i] - pilot[i], r1[i] - pilot[i], r2[i] - pilot[i], r3[i] - pilot[i]];
            s0[i] += (x[0] + x[1]) + (x[2] + x[3]);
            s1[i] += (a[0] * x[0] + a[1] * x[1]) + (a[2] * x[2] + a[3] * x[3]);
            s2[i] += (a2[0] * x[0] + a2[1] * x[1]) + (a2[2] * x[2] + a2[3] * x[3]);
            s3[i] += (a3[0] * x[0] + a3[1] * x[1]) + (a3[2] * x[2] + a3[3] * x[3]);
        }
    }
    tail_sums(tail, n, w, pilot, cp, &mut rp, s0, s1, s2, s3);
    (rp, s)
}

/// The rows after a block's last whole tile, one at a time (shared by every build).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn tail_sums(
    tail: &[f64],
    n: usize,
    w: &[f64],
    pilot: &[f64],
    cp: f64,
    rp: &mut Vec<f64>,
    s0: &mut [f64],
    s1: &mut [f64],
    s2: &mut [f64],
    s3: &mut [f64],
) {
    for r in tail.chunks_exact(n) {
        let p = dot(r, w);
        rp.push(p);
        let a = p - cp;
        let (a2, a3) = (a * a, a * a * a);
        for i in 0..n {
            let x = r[i] - pilot[i];
            s0[i] += x;
            s1[i] += a * x;
            s2[i] += a2 * x;
            s3[i] += a3 * x;
        }
    }
}

/// Historical and Cornish–Fisher VaR/ES with Euler components from one pass over the panel.
pub fn historical_and_cornish_fisher(data: &[f64], n: usize, w: &[f64], level: f64) -> Result<(Estimate, Estimate)> {
    check_level(level)?;
    let m = PanelMoments::compute(data, n, w, 10)?;
    let h = historical_from_losses(&m.losses, data, n, w, level);
    Ok((h, cornish_fisher_from(&m, w, level)?))
}

fn refuse_constant(m: &PanelMoments) -> Result<()> {
    let scale = m.mu.iter().map(|v| v.abs()).fold(0.0, f64::max).max(1e-300);
    if !(m.m2 > 1e-24 * scale * scale) || m.m2 < 1e-30 {
        return Err(RiskError::Invalid("the portfolio's returns are constant (zero variance)".into()));
    }
    Ok(())
}

/// Gaussian VaR/ES with sample (n − 1) variance, and Euler components
/// −μᵢwᵢ + wᵢ(Σw)ᵢ/σ_p · z_α (resp. · φ(z_α)/(1 − α)).
pub fn gaussian(data: &[f64], n: usize, w: &[f64], level: f64) -> Result<Estimate> {
    check_level(level)?;
    let m = PanelMoments::compute(data, n, w, 3)?;
    refuse_constant(&m)?;
    let corr = m.t as f64 / (m.t as f64 - 1.0);
    let sigma = (m.m2 * corr).sqrt();
    let nd = Normal::new(0.0, 1.0).expect("standard normal");
    let z = nd.inverse_cdf(level);
    let k_es = nd.pdf(z) / (1.0 - level);
    let var = -m.mu_p + sigma * z;
    let es = -m.mu_p + sigma * k_es;
    let ds: Vec<f64> = m.c2.iter().map(|c| c * corr / sigma).collect(); // ∂σ/∂wᵢ
    let var_components = (0..n).map(|i| w[i] * (-m.mu[i] + ds[i] * z)).collect();
    let es_components = (0..n).map(|i| w[i] * (-m.mu[i] + ds[i] * k_es)).collect();
    Ok(Estimate { var, es, var_components, es_components })
}

/// Truncated standard normal moments I^q = ∫_{−∞}^{z} u^q φ(u) du, q = 0..=3.
fn tail_moments(z: f64) -> [f64; 4] {
    let nd = Normal::new(0.0, 1.0).expect("standard normal");
    let (phi, cdf) = (nd.pdf(z), nd.cdf(z));
    let i0 = cdf;
    let i1 = -phi;
    let i2 = -z * phi + i0;
    let i3 = -z * z * phi + 2.0 * i1;
    [i0, i1, i2, i3]
}

/// Cornish–Fisher quantile coefficients at the lower-tail z: z_cf = a0 + aS·S + aK·K + aS2·S².
fn cf_coefficients(z: f64) -> [f64; 4] {
    [z, (z * z - 1.0) / 6.0, (z * z * z - 3.0 * z) / 24.0, -(2.0 * z * z * z - 5.0 * z) / 36.0]
}

/// Tail mean E[z_cf(Z) | Z ≤ z] coefficients (same layout as [`cf_coefficients`]).
fn cf_es_coefficients(z: f64) -> [f64; 4] {
    let [i0, i1, i2, i3] = tail_moments(z);
    [i1 / i0, (i2 - i0) / 6.0 / i0, (i3 - 3.0 * i1) / 24.0 / i0, -(2.0 * i3 - 5.0 * i1) / 36.0 / i0]
}

/// Skewness and excess kurtosis of the portfolio (population moments).
pub fn skew_kurt(data: &[f64], n: usize, w: &[f64]) -> Result<(f64, f64)> {
    let m = PanelMoments::compute(data, n, w, 3)?;
    refuse_constant(&m)?;
    Ok((m.m3 / m.m2.powf(1.5), m.m4 / (m.m2 * m.m2) - 3.0))
}

/// Cornish–Fisher (modified) VaR and ES with analytic Euler components.
pub fn cornish_fisher(data: &[f64], n: usize, w: &[f64], level: f64) -> Result<Estimate> {
    check_level(level)?;
    let m = PanelMoments::compute(data, n, w, 10)?;
    cornish_fisher_from(&m, w, level)
}

/// The Cornish–Fisher estimator on precomputed [`PanelMoments`].
pub fn cornish_fisher_from(m: &PanelMoments, w: &[f64], level: f64) -> Result<Estimate> {
    check_level(level)?;
    refuse_constant(m)?;
    let n = w.len();
    let sigma = m.m2.sqrt();
    let s = m.m3 / m.m2.powf(1.5);
    let k = m.m4 / (m.m2 * m.m2) - 3.0;
    let z = Normal::new(0.0, 1.0).expect("standard normal").inverse_cdf(1.0 - level);
    let eval = |c: [f64; 4]| {
        let q = c[0] + c[1] * s + c[2] * k + c[3] * s * s;
        let dq_ds = c[1] + 2.0 * c[3] * s;
        let dq_dk = c[2];
        let total = -m.mu_p - sigma * q;
        let comps: Vec<f64> = (0..n)
            .map(|i| {
                let dsig = m.c2[i] / sigma;
                let dskew = 3.0 * m.c3[i] / m.m2.powf(1.5) - 3.0 * m.m3 * m.c2[i] / m.m2.powf(2.5);
                let dkurt = 4.0 * m.c4[i] / (m.m2 * m.m2) - 4.0 * m.m4 * m.c2[i] / m.m2.powi(3);
                w[i] * (-m.mu[i] - dsig * q - sigma * (dq_ds * dskew + dq_dk * dkurt))
            })
            .collect();
        (total, comps)
    };
    let (var, var_components) = eval(cf_coefficients(z));
    let (es, es_components) = eval(cf_es_coefficients(z));
    Ok(Estimate { var, es, var_components, es_components })
}

/// A fitted generalised Pareto tail.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct GpdTail {
    pub threshold: f64,
    pub xi: f64,
    pub beta: f64,
    pub n_exceed: usize,
    pub n: usize,
}

impl GpdTail {
    /// VaR at `level` (must lie beyond the threshold's level).
    pub fn var(&self, level: f64) -> Result<f64> {
        let p_u = self.n_exceed as f64 / self.n as f64;
        if 1.0 - level >= p_u {
            return Err(RiskError::Invalid(format!(
                "EVT: level {level} is not beyond the threshold (exceedance share {p_u:.3}); lower --evt-tail or raise the level"
            )));
        }
        let r = (1.0 - level) / p_u;
        Ok(if self.xi.abs() < 1e-9 {
            self.threshold - self.beta * r.ln()
        } else {
            self.threshold + self.beta / self.xi * (r.powf(-self.xi) - 1.0)
        })
    }
    /// ES at `level` = (VaR + β − ξu)/(1 − ξ), ξ < 1.
    pub fn es(&self, level: f64) -> Result<f64> {
        if self.xi >= 1.0 {
            return Err(RiskError::Invalid(format!("EVT: ξ = {:.3} ≥ 1, the tail has no finite mean (ES)", self.xi)));
        }
        Ok((self.var(level)? + self.beta - self.xi * self.threshold) / (1.0 - self.xi))
    }
}

/// GPD negative log-likelihood of excesses y (β > 0).
fn gpd_nll(y: &[f64], xi: f64, beta: f64) -> f64 {
    if !(beta > 0.0) {
        return f64::INFINITY;
    }
    let n = y.len() as f64;
    if xi.abs() < 1e-9 {
        return n * beta.ln() + y.iter().sum::<f64>() / beta;
    }
    let mut s = 0.0;
    for v in y {
        let a = 1.0 + xi * v / beta;
        if a <= 0.0 {
            return f64::INFINITY;
        }
        s += a.ln();
    }
    n * beta.ln() + (1.0 + 1.0 / xi) * s
}

/// ML fit of a GPD (ξ, β) to positive excesses (location 0), as
/// `scipy.stats.genpareto.fit(y, floc=0)`; Nelder–Mead on (ξ, ln β) from the
/// method-of-moments start (Hosking & Wallis 1987).
pub fn fit_gpd(excess: &[f64]) -> Result<(f64, f64)> {
    if excess.len() < 20 {
        return Err(RiskError::TooShort {
            what: "GPD fit (excesses over the threshold)".into(),
            needed: 20,
            got: excess.len(),
        });
    }
    let m = excess.iter().sum::<f64>() / excess.len() as f64;
    let v = excess.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (excess.len() as f64 - 1.0);
    if !(v > 1e-24 * m * m) {
        return Err(RiskError::Invalid("GPD fit: the excesses are constant".into()));
    }
    let xi0 = (0.5 * (1.0 - m * m / v)).clamp(-0.4, 0.8);
    let beta0 = 0.5 * m * (m * m / v + 1.0);
    let opts = fissure_stats::optim::NelderMeadOptions { f_tol: 1e-13, x_tol: 1e-10, ..Default::default() };
    let mut best: Option<fissure_stats::optim::Minimum> = None;
    let mut last_err = None;
    for start in [[0.1, m.ln()], [xi0, beta0.ln()], [-0.1, m.ln()]] {
        // a start outside the support (1 + ξy/β ≤ 0 for some y) is skipped
        if !gpd_nll(excess, start[0], start[1].exp()).is_finite() {
            continue;
        }
        match fissure_stats::optim::nelder_mead(|p| gpd_nll(excess, p[0], p[1].exp()), &start, &opts) {
            Ok(r) if best.as_ref().is_none_or(|b| r.f < b.f) => best = Some(r),
            Ok(_) => {}
            Err(e) => last_err = Some(e),
        }
    }
    if best.is_none() {
        if let Some(e) = last_err {
            return Err(RiskError::Stats { what: "GPD fit".into(), source: e });
        }
    }
    let b = best.ok_or_else(|| RiskError::Invalid("GPD fit failed".into()))?;
    if !b.f.is_finite() {
        return Err(RiskError::Invalid("GPD fit: no finite likelihood".into()));
    }
    Ok((b.x[0], b.x[1].exp()))
}

/// Fits the POT tail of losses `l`: threshold at the type-7 quantile 1 − `tail`.
pub fn gpd_tail(l: &[f64], tail: f64) -> Result<GpdTail> {
    if !(tail > 0.0 && tail < 0.5) {
        return Err(RiskError::Invalid(format!("EVT tail share {tail} must be in (0, 0.5)")));
    }
    let mut s = l.to_vec();
    s.sort_unstable_by(f64::total_cmp);
    let u = fissure_stats::describe::quantile_sorted(&s, 1.0 - tail);
    let excess: Vec<f64> = s.iter().filter(|v| **v > u).map(|v| v - u).collect();
    let (xi, beta) = fit_gpd(&excess)?;
    Ok(GpdTail { threshold: u, xi, beta, n_exceed: excess.len(), n: l.len() })
}

/// EVT (POT/GPD) VaR/ES; components in the proportions of the historical tail beyond u.
pub fn evt(data: &[f64], n: usize, w: &[f64], level: f64, tail: f64) -> Result<(Estimate, GpdTail)> {
    check_level(level)?;
    let (t, l) = checked_losses(data, n, w, 100)?;
    let g = gpd_tail(&l, tail)?;
    let var = g.var(level)?;
    let es = g.es(level)?;
    let mut share = vec![0.0; n];
    let mut tot = 0.0;
    for s in 0..t {
        if l[s] > g.threshold {
            tot += l[s];
            for i in 0..n {
                share[i] -= w[i] * data[s * n + i];
            }
        }
    }
    share.iter_mut().for_each(|v| *v /= tot);
    let est = Estimate {
        var,
        es,
        var_components: share.iter().map(|s| s * var).collect(),
        es_components: share.iter().map(|s| s * es).collect(),
    };
    Ok((est, g))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simd_block_sums_are_bitwise_the_generic_ones() {
        // odd sizes: a partial vector per row and rows after the last whole tile
        for (t, n) in [(23, 13), (8, 8), (9, 1000), (3, 17), (40, 7)] {
            let data: Vec<f64> = (0..t * n).map(|k| ((k * 7919 % 1013) as f64 - 506.0) * 1e-5).collect();
            let w: Vec<f64> = (0..n).map(|j| 1.0 / (j + 2) as f64).collect();
            let pilot: Vec<f64> = (0..n).map(|j| j as f64 * 1e-6).collect();
            let generic = block_sums_generic(&data, n, &w, &pilot, 1e-4);
            assert_eq!(block_sums(&data, n, &w, &pilot, 1e-4), generic, "t={t} n={n}");
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: AVX2 is present (checked just above)
                assert_eq!(unsafe { block_sums_avx2(&data, n, &w, &pilot, 1e-4) }, generic, "avx2 t={t} n={n}");
            }
        }
    }

    #[test]
    fn historical_matches_type7_by_hand() {
        // losses 1..=10 (%), level 0.9: h = 9·0.9 = 8.1 → 9 + 0.1·(10 − 9) = 9.1
        let data: Vec<f64> = (1..=10).map(|v| -(v as f64) / 100.0).collect();
        let e = historical(&data, 1, &[1.0], 0.9).unwrap();
        assert!((e.var - 0.091).abs() < 1e-12, "{e:?}");
        assert!((e.es - 0.10).abs() < 1e-12);
        assert!((e.var_components[0] - e.var).abs() < 1e-15);
    }

    #[test]
    fn cornish_fisher_reduces_to_gaussian_population_without_skew() {
        // symmetric two-point-ish sample with kurtosis: check against the formula by hand
        let x = [-0.02, -0.01, 0.0, 0.01, 0.02, -0.015, 0.015, 0.005, -0.005, 0.0];
        let e = cornish_fisher(&x, 1, &[1.0], 0.95).unwrap();
        let n = x.len() as f64;
        let mu = x.iter().sum::<f64>() / n;
        let m2 = x.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / n;
        let m4 = x.iter().map(|v| (v - mu).powi(4)).sum::<f64>() / n;
        let k = m4 / (m2 * m2) - 3.0;
        let z: f64 = -1.6448536269514722;
        let zcf = z + (z.powi(3) - 3.0 * z) * k / 24.0; // S = 0
        assert!((e.var - (-mu - m2.sqrt() * zcf)).abs() < 1e-12, "{} vs {}", e.var, -mu - m2.sqrt() * zcf);
    }

    #[test]
    fn tail_moments_recursion() {
        let [i0, i1, i2, i3] = tail_moments(-1.0);
        // numeric integration check
        let nd = Normal::new(0.0, 1.0).unwrap();
        let mut s = [0.0; 4];
        let h = 1e-4;
        for step in 0..110_000 {
            let m: f64 = -12.0 + (step as f64 + 0.5) * h;
            for (q, v) in s.iter_mut().enumerate() {
                *v += m.powi(q as i32) * nd.pdf(m) * h;
            }
        }
        for (a, b) in [i0, i1, i2, i3].iter().zip(&s) {
            assert!((a - b).abs() < 1e-7, "{a} vs {b}");
        }
    }

    #[test]
    fn one_pass_moments_equal_the_two_pass_definition() {
        // 700 × 100 (the parallel path, blocks not dividing T), one column far from 0 (shift test)
        let (t, n) = (700, 100);
        let mut rng = fissure_stats::rng::seeded(9);
        use rand::Rng;
        let x: Vec<f64> = (0..t * n)
            .map(|k| {
                let v: f64 = rng.gen::<f64>() - 0.5;
                if k % n == 3 {
                    50.0 + v
                } else {
                    0.02 * v * v * v + 0.001 * (k % n) as f64
                }
            })
            .collect();
        let w: Vec<f64> = (0..n).map(|i| (i as f64 - 40.0) / 1000.0).collect();
        let m = PanelMoments::compute(&x, n, &w, 10).unwrap();
        let tf = t as f64;
        let mu: Vec<f64> = (0..n).map(|i| (0..t).map(|r| x[r * n + i]).sum::<f64>() / tf).collect();
        let rp: Vec<f64> = (0..t).map(|r| (0..n).map(|i| w[i] * x[r * n + i]).sum()).collect();
        let mp = rp.iter().sum::<f64>() / tf;
        let dp: Vec<f64> = rp.iter().map(|v| v - mp).collect();
        let close = |a: f64, b: f64, scale: f64| (a - b).abs() <= 1e-10 * scale;
        assert!(close(m.mu_p, mp, mp.abs().max(1e-3)));
        for (k, mk) in [(2, m.m2), (3, m.m3), (4, m.m4)] {
            let want = dp.iter().map(|d| d.powi(k)).sum::<f64>() / tf;
            assert!(close(mk, want, want.abs()), "m{k}: {mk} vs {want}");
        }
        for i in 0..n {
            assert!(close(m.mu[i], mu[i], mu[i].abs().max(1e-3)));
            for (k, ck) in [(2, &m.c2), (3, &m.c3), (4, &m.c4)] {
                let want = (0..t).map(|r| dp[r].powi(k - 1) * (x[r * n + i] - mu[i])).sum::<f64>() / tf;
                let scale = (0..t).map(|r| (dp[r].powi(k - 1) * (x[r * n + i] - mu[i])).abs()).sum::<f64>() / tf;
                assert!(close(ck[i], want, scale), "c{k}[{i}]: {} vs {want}", ck[i]);
            }
        }
        // losses are −r_p; a non-finite cell is named
        assert!(m.losses.iter().zip(&rp).all(|(l, r)| close(*l, -r, r.abs().max(1e-3))));
        let mut bad = x.clone();
        bad[5 * n + 7] = f64::NAN;
        let e = PanelMoments::compute(&bad, n, &w, 10).err().unwrap().to_string();
        assert!(e.contains("row 5, asset 7"), "{e}");
        assert!(historical(&bad, n, &w, 0.99).err().unwrap().to_string().contains("row 5, asset 7"));
    }

    #[test]
    fn historical_order_statistics_break_ties_by_row() {
        // losses with ties: the selection must pick the same rows as a stable sort
        let l: [f64; 11] = [0.01, 0.03, 0.02, 0.03, 0.03, 0.0, -0.01, 0.03, 0.01, 0.02, 0.03];
        let data: Vec<f64> = l.iter().flat_map(|v| [-v, -v * (1.0 + 0.0)]).collect();
        let e = historical(&data, 2, &[0.5, 0.5], 0.75).unwrap();
        let mut idx: Vec<usize> = (0..l.len()).collect();
        idx.sort_by(|a, b| l[*a].total_cmp(&l[*b]));
        let h = (l.len() - 1) as f64 * 0.75;
        let (k, g) = (h.floor() as usize, h - h.floor());
        assert!((e.var - (l[idx[k]] + g * (l[idx[k + 1]] - l[idx[k]]))).abs() < 1e-15);
        assert!((e.var_components.iter().sum::<f64>() - e.var).abs() < 1e-15);
    }

    #[test]
    fn refuses_constant_returns() {
        assert!(gaussian(&[0.01; 50], 1, &[1.0], 0.99).is_err());
        assert!(cornish_fisher(&[0.01; 50], 1, &[1.0], 0.99).is_err());
        assert!(historical(&[0.01; 50], 1, &[1.0], 1.5).is_err());
    }
}
