//! Critical values for the recursive ADF tests, by simulation.
//!
//! * **Monte Carlo** under the null `y_t = y_{t−1} + d + ε_t`, `ε_t ~ N(0,1)`, `d = 0` (exuber
//!   `radf_mc_cv`: `cumsum(rnorm(n))`) or `d = T^{−η}` (psymonitor `cvPSYmc` uses η = 1).
//! * **Wild bootstrap** of Phillips & Shi (2020, *Handbook of Statistics* 42): fit the null ADF
//!   regression `Δy_t = α + Σψ_i Δy_{t−i} + e_t`, then `Δy*_t = Σψ̂_iΔy*_{t−i} + w_t e_{τ_t}` with a
//!   **fresh** `w_t ~ N(0,1)` for every observation and `τ_t` uniform (psymonitor's `cvPSYwmboot`
//!   draws a single `rnorm(1)` for all of them, issue psymonitor#3). Family-wise size is controlled
//!   over `Tb` periods: the BSADF critical value is the quantile of `max_{r2 ≤ Tb} BSADF*(r2)`.
//!
//! Every replication draws from its own ChaCha stream `fissure_stats::rng::stream(seed, rep)`, so
//! results are identical whatever the number of threads. Replications run in parallel (rayon).

use crate::psy::{self, Lag0Sums, LagSelection, PsyConfig};
use crate::{BubbleError, Result};
use fissure_stats::describe::quantile_sorted;
use rand::Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The three reported levels.
pub const LEVELS: [f64; 3] = [0.90, 0.95, 0.99];

/// How the critical value of the BSADF sequence is formed from the simulated paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "tb")]
pub enum BsadfCvRule {
    /// Quantile of BSADF*(r2) at each r2 (the finite-sample null distribution of each statistic, PSY 2015a).
    Pointwise,
    /// exuber's `radf_mc_cv`: quantile at each r2 of the running maximum of the forward ADF sequence
    /// (`apply(badf, 2, cummax)`), i.e. the SADF distribution at sample size r2.
    ExuberCummax,
    /// Phillips & Shi (2020): one number, the quantile of the maximum of BSADF* over the first `tb`
    /// observations (family-wise size over `tb` periods).
    SupTb(usize),
}

/// The simulation that generates the null distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum CvMethod {
    /// Random walk; `drift_eta = Some(η)` adds a drift `T^{−η}`.
    MonteCarlo { reps: usize, seed: u64, drift_eta: Option<f64> },
    /// Phillips–Shi (2020) wild bootstrap of the observed series.
    WildBootstrap { reps: usize, seed: u64 },
}

/// Critical values at 90/95/99% and the simulated distributions (for p-values).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriticalValues {
    pub method: CvMethod,
    pub rule: BsadfCvRule,
    pub adf: [f64; 3],
    pub sadf: [f64; 3],
    pub gsadf: [f64; 3],
    /// Critical values of the forward ADF sequence (pointwise), aligned with `Radf::badf`.
    pub badf: Vec<[f64; 3]>,
    /// Critical values of the BSADF sequence (per `rule`), aligned with `Radf::bsadf`.
    pub bsadf: Vec<[f64; 3]>,
    /// Sorted simulated distributions.
    pub adf_distr: Vec<f64>,
    pub sadf_distr: Vec<f64>,
    pub gsadf_distr: Vec<f64>,
}

impl CriticalValues {
    /// Bootstrap p-value `(1 + #{stat* ≥ stat}) / (1 + R)`; NaN for a statistic that could not be
    /// computed (a NaN statistic has no p-value, not 1.0).
    pub fn p_value(distr: &[f64], stat: f64) -> f64 {
        if !stat.is_finite() || distr.is_empty() {
            return f64::NAN;
        }
        let above = distr.len() - distr.partition_point(|v| *v < stat);
        (1 + above) as f64 / (1 + distr.len()) as f64
    }
}

/// Draws one simulated series into the buffer.
type Generator = dyn Fn(&mut fissure_stats::rng::Rng, &mut Vec<f64>) + Sync;

/// Progress callback: `(replications done, total)`.
pub type Progress<'a> = Option<&'a (dyn Fn(usize, usize) + Sync)>;

/// The simulated statistics of all replications, written in place (no allocation per replication):
/// row `r` of `rows` holds the forward ADF sequence of replication `r` and, when the rule needs it
/// ([`BsadfCvRule::Pointwise`]), its BSADF sequence after it; `sup[r]` holds ADF, SADF, GSADF and, for
/// [`BsadfCvRule::SupTb`], the sup of BSADF over the first `tb` observations.
struct Draws {
    len: usize,
    width: usize,
    rows: Vec<f64>,
    sup: Vec<[f64; 4]>,
}

impl Draws {
    fn badf(&self, r: usize, i: usize) -> f64 {
        self.rows[r * self.width + i]
    }
    fn bsadf(&self, r: usize, i: usize) -> f64 {
        self.rows[r * self.width + self.len + i]
    }
}

/// Forward ADF and BSADF sequences of one simulated series into `badf` and `bsadf`.
fn paths(y: &[f64], lag: LagSelection, w: usize, sums: &mut Lag0Sums, badf: &mut [f64], bsadf: &mut [f64]) {
    if lag == LagSelection::Fixed(0) {
        psy::lag0_paths(sums, y, w, badf, bsadf);
    } else {
        let r = psy::radf_inner(y, lag, w, false);
        badf.copy_from_slice(&r.badf);
        bsadf.copy_from_slice(&r.bsadf);
    }
}

/// Simulates the null distribution for a sample of `n` observations (Monte Carlo) or of the series
/// `y` (wild bootstrap), and returns critical values with the given BSADF rule.
pub fn critical_values(
    y: &[f64],
    cfg: &PsyConfig,
    method: CvMethod,
    rule: BsadfCvRule,
    progress: Progress<'_>,
) -> Result<CriticalValues> {
    let n = y.len();
    let w = cfg.validate(n)?;
    let (reps, seed) = match method {
        CvMethod::MonteCarlo { reps, seed, .. } | CvMethod::WildBootstrap { reps, seed } => (reps, seed),
    };
    if reps < 10 {
        return Err(BubbleError::Config(format!("{reps} replications are too few (need ≥ 10)")));
    }
    if let BsadfCvRule::SupTb(tb) = rule {
        if tb < w || tb > n {
            return Err(BubbleError::Config(format!(
                "Tb = {tb} must lie between the smallest window ({w}) and the sample size ({n})"
            )));
        }
    }
    let generator: Box<Generator> = match method {
        CvMethod::MonteCarlo { drift_eta, .. } => {
            let drift = drift_eta.map_or(0.0, |eta| (n as f64).powf(-eta));
            Box::new(move |rng, buf| {
                buf.clear();
                let mut acc = 0.0;
                for _ in 0..n {
                    let e: f64 = rng.sample(StandardNormal);
                    acc += e + drift;
                    buf.push(acc);
                }
            })
        }
        CvMethod::WildBootstrap { .. } => {
            // the bootstrap resamples the series' own changes: a flat series has none
            if fissure_stats::tol::is_constant(y) {
                return Err(BubbleError::Degenerate(
                    "the series does not move: there are no changes to bootstrap".into(),
                ));
            }
            let null = null_fit(y, cfg.lag)?;
            let y0 = y[0];
            let dy: Vec<f64> = y.windows(2).map(|p| p[1] - p[0]).collect();
            Box::new(move |rng, buf| wild_draw(&null, &dy, y0, n, rng, buf))
        }
    };
    let done = AtomicUsize::new(0);
    let len = n + 1 - w;
    // the BSADF sequences are kept only where the rule takes their quantiles per r2
    let width = if rule == BsadfCvRule::Pointwise { 2 * len } else { len };
    let upto = match rule {
        BsadfCvRule::SupTb(tb) => tb + 1 - w,
        _ => len,
    };
    let mut draws = Draws { len, width, rows: vec![0.0; reps * width], sup: vec![[0.0; 4]; reps] };
    draws.rows.par_chunks_mut(width).zip(draws.sup.par_iter_mut()).enumerate().for_each_init(
        || (Lag0Sums::new(&[0.0, 0.0]), Vec::with_capacity(n), vec![0.0; len]),
        |(sums, buf, scratch), (rep, (row, sup))| {
            let mut rng = fissure_stats::rng::stream(seed, rep as u64);
            generator(&mut rng, buf);
            let (badf, rest) = row.split_at_mut(len);
            let bsadf = if rest.is_empty() { &mut scratch[..] } else { rest };
            paths(buf, cfg.lag, w, sums, badf, bsadf);
            *sup = [badf[len - 1], psy::nanmax(badf), psy::nanmax(bsadf), psy::nanmax(&bsadf[..upto])];
            let k = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(p) = progress {
                p(k, reps);
            }
        },
    );
    Ok(summarise(&draws, method, rule))
}

/// Monte Carlo critical values at a bounded cost for long samples: when the sample has more than
/// `max_len` observations, the random walks are simulated with `max_len` observations and the same
/// smallest window; the BSADF/forward-ADF critical values beyond `max_len` are held at their last
/// simulated value (the pointwise critical value grows only like log log r2), and the ADF/SADF/GSADF
/// distributions are those of the `max_len` sample. The returned note says so. Samples of at most
/// `max_len` observations, and the wild bootstrap, are simulated exactly (note `None`).
pub fn critical_values_capped(
    y: &[f64],
    cfg: &PsyConfig,
    method: CvMethod,
    rule: BsadfCvRule,
    max_len: usize,
    progress: Progress<'_>,
) -> Result<(CriticalValues, Option<String>)> {
    let n = y.len();
    let w = cfg.validate(n)?;
    let Some(note) = cap_note(n, w, method, max_len) else {
        return Ok((critical_values(y, cfg, method, rule, progress)?, None));
    };
    let sim_cfg = PsyConfig { lag: cfg.lag, min_window: psy::MinWindow::Observations(w) };
    let sim_rule = match rule {
        BsadfCvRule::SupTb(tb) => BsadfCvRule::SupTb(tb.min(max_len)),
        r => r,
    };
    let mut c = critical_values(&y[..max_len], &sim_cfg, method, sim_rule, progress)?;
    let len = n + 1 - w;
    let hold = |v: &mut Vec<[f64; 3]>| {
        let last = *v.last().unwrap_or(&[f64::NAN; 3]);
        v.resize(len, last);
    };
    hold(&mut c.badf);
    hold(&mut c.bsadf);
    Ok((c, Some(note)))
}

/// The note of [`critical_values_capped`] for a sample of `n` observations with smallest window `w`:
/// `Some` exactly when the Monte Carlo simulation is capped at `max_len` observations.
pub fn cap_note(n: usize, w: usize, method: CvMethod, max_len: usize) -> Option<String> {
    let capped = matches!(method, CvMethod::MonteCarlo { .. }) && n > max_len && max_len >= w + 10;
    capped.then(|| {
        format!(
            "critical values simulated on {max_len}-observation random walks (the sample has {n}): BSADF and forward-ADF \
             critical values are held at their value at observation {max_len} beyond it, and the ADF/SADF/GSADF critical \
             values are those of a {max_len}-observation sample with the same smallest window ({w}), which understates \
             the full-length SADF/GSADF values; use --mc-max-len {n} to simulate the whole length"
        )
    })
}

/// The three critical levels of a sorted distribution (NaN when no replication is finite).
fn q3(sorted: &[f64]) -> [f64; 3] {
    if sorted.is_empty() {
        return [f64::NAN; 3];
    }
    LEVELS.map(|p| quantile_sorted(sorted, p))
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.retain(|x| !x.is_nan());
    v.sort_by(f64::total_cmp);
    v
}

fn summarise(draws: &Draws, method: CvMethod, rule: BsadfCvRule) -> CriticalValues {
    let (len, reps) = (draws.len, draws.sup.len());
    let distr = |k: usize| sorted(draws.sup.iter().map(|s| s[k]).collect());
    let (adf_distr, sadf_distr, gsadf_distr) = (distr(0), distr(1), distr(2));
    let badf: Vec<[f64; 3]> =
        (0..len).into_par_iter().map(|i| q3(&sorted((0..reps).map(|r| draws.badf(r, i)).collect()))).collect();
    let bsadf: Vec<[f64; 3]> = match rule {
        BsadfCvRule::Pointwise => {
            (0..len).into_par_iter().map(|i| q3(&sorted((0..reps).map(|r| draws.bsadf(r, i)).collect()))).collect()
        }
        BsadfCvRule::ExuberCummax => {
            // running maximum of each forward ADF sequence, then quantiles per r2
            let mut cm = vec![0.0; reps * len];
            cm.par_chunks_mut(len).enumerate().for_each(|(r, c)| {
                let mut m = f64::NEG_INFINITY;
                for (i, v) in c.iter_mut().enumerate() {
                    let b = draws.badf(r, i);
                    if b > m {
                        m = b;
                    }
                    *v = m;
                }
            });
            (0..len).into_par_iter().map(|i| q3(&sorted((0..reps).map(|r| cm[r * len + i]).collect()))).collect()
        }
        BsadfCvRule::SupTb(_) => vec![q3(&distr(3)); len],
    };
    CriticalValues {
        method,
        rule,
        adf: q3(&adf_distr),
        sadf: q3(&sadf_distr),
        gsadf: q3(&gsadf_distr),
        badf,
        bsadf,
        adf_distr,
        sadf_distr,
        gsadf_distr,
    }
}

/// The restricted (β = 0) ADF regression used by the wild bootstrap: coefficients ψ̂ and residuals.
#[derive(Debug, Clone, PartialEq)]
pub struct NullFit {
    pub lag: usize,
    /// [α, ψ_1, …, ψ_k]
    pub beta: Vec<f64>,
    pub residuals: Vec<f64>,
}

/// Fits `Δy_t = α + Σ_{i≤k} ψ_i Δy_{t−i} + e_t` on the whole sample (psymonitor `ADFres`); with
/// AIC/BIC the lag is chosen as in psymonitor.
pub fn null_fit(y: &[f64], lag: LagSelection) -> Result<NullFit> {
    use nalgebra::{DMatrix, DVector};
    let dy: Vec<f64> = y.windows(2).map(|p| p[1] - p[0]).collect();
    let t1 = dy.len();
    let kmax = lag.max_lag();
    if t1 < 2 * kmax + 4 {
        return Err(BubbleError::TooShort { needed: 2 * kmax + 5, got: y.len() });
    }
    let fit = |k: usize| -> Result<(NullFit, f64)> {
        let rows = t1 - k;
        let mut x = DMatrix::zeros(rows, k + 1);
        let mut dep = DVector::zeros(rows);
        for (i, t) in (k..t1).enumerate() {
            x[(i, 0)] = 1.0;
            for j in 1..=k {
                x[(i, j)] = dy[t - j];
            }
            dep[i] = dy[t];
        }
        let o = fissure_stats::linalg::ols(&x, &dep)?;
        let ssr = o.rss;
        Ok((NullFit { lag: k, beta: o.beta, residuals: o.residuals }, ssr))
    };
    match lag {
        LagSelection::Fixed(k) => Ok(fit(k)?.0),
        LagSelection::Aic(_) | LagSelection::Bic(_) => {
            let tt = (t1 - kmax) as f64;
            let pen = if matches!(lag, LagSelection::Aic(_)) { 2.0 } else { tt.ln() };
            let ln2pi = (2.0 * std::f64::consts::PI).ln();
            let mut best: Option<(f64, NullFit)> = None;
            for k in 0..=kmax {
                let (f, ssr) = fit(k)?;
                let ic = (f.residuals.len() as f64 * ln2pi + ssr) / tt + pen * (k + 1) as f64 / tt;
                if !best.as_ref().is_some_and(|b| ic >= b.0) {
                    best = Some((ic, f));
                }
            }
            best.map(|b| b.1).ok_or_else(|| BubbleError::Config("no lag could be fitted".into()))
        }
    }
}

/// One wild-bootstrap sample of length `n` into `buf`.
fn wild_draw(null: &NullFit, dy: &[f64], y0: f64, n: usize, rng: &mut fissure_stats::rng::Rng, buf: &mut Vec<f64>) {
    let k = null.lag;
    let res = &null.residuals;
    let mut dyb = vec![0.0; n];
    // dyb[t] for t = 1..n−1 (dyb[0] unused)
    for t in 1..n {
        if t <= k {
            dyb[t] = dy[t - 1];
        } else {
            let mut v = 0.0;
            for i in 1..=k {
                v += null.beta[i] * dyb[t - i];
            }
            let wt: f64 = rng.sample(StandardNormal);
            let tau = rng.gen_range(0..res.len());
            dyb[t] = v + wt * res[tau];
        }
    }
    buf.clear();
    let mut acc = y0;
    buf.push(acc);
    for v in dyb.iter().skip(1) {
        acc += v;
        buf.push(acc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::psy::MinWindow;

    #[test]
    fn capped_monte_carlo_holds_the_last_value_and_says_so() {
        let cfg = PsyConfig { lag: LagSelection::Fixed(0), min_window: MinWindow::Observations(20) };
        let m = CvMethod::MonteCarlo { reps: 20, seed: 1, drift_eta: None };
        let y = vec![0.0; 300];
        let (full, note) = critical_values_capped(&y, &cfg, m, BsadfCvRule::Pointwise, 300, None).unwrap();
        assert!(note.is_none());
        assert_eq!(full, critical_values(&y, &cfg, m, BsadfCvRule::Pointwise, None).unwrap());
        let (c, note) = critical_values_capped(&y, &cfg, m, BsadfCvRule::Pointwise, 100, None).unwrap();
        assert!(note.unwrap().contains("100-observation"));
        assert_eq!(c.bsadf.len(), 300 + 1 - 20);
        // the simulated prefix equals the exact one (same streams, up to the centring's rounding),
        // the rest holds the last value
        for (a, b) in c.bsadf[..81].iter().zip(&full.bsadf[..81]) {
            assert!((0..3).all(|l| (a[l] - b[l]).abs() < 1e-9), "{a:?} vs {b:?}");
        }
        assert!(c.bsadf[81..].iter().all(|v| *v == c.bsadf[80]));
        // a NaN statistic has no p-value
        assert!(CriticalValues::p_value(&c.gsadf_distr, f64::NAN).is_nan());
    }

    #[test]
    fn reproducible_and_thread_independent() {
        let cfg = PsyConfig { lag: LagSelection::Fixed(0), min_window: MinWindow::Default };
        let y = vec![0.0; 80];
        let m = CvMethod::MonteCarlo { reps: 40, seed: 9, drift_eta: None };
        let a = critical_values(&y, &cfg, m, BsadfCvRule::Pointwise, None).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let b = pool.install(|| critical_values(&y, &cfg, m, BsadfCvRule::Pointwise, None).unwrap());
        assert_eq!(a, b);
        let c = critical_values(
            &y,
            &cfg,
            CvMethod::MonteCarlo { reps: 40, seed: 10, drift_eta: None },
            BsadfCvRule::Pointwise,
            None,
        )
        .unwrap();
        assert_ne!(a.gsadf, c.gsadf);
        assert!(a.gsadf[0] <= a.gsadf[1] && a.gsadf[1] <= a.gsadf[2]);
    }

    #[test]
    fn p_value_counts_exceedances() {
        let d = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(CriticalValues::p_value(&d, 3.0), 3.0 / 5.0);
        assert_eq!(CriticalValues::p_value(&d, 10.0), 1.0 / 5.0);
    }

    #[test]
    fn wild_multiplier_is_fresh_per_observation() {
        // With a constant residual vector, a single multiplier (psymonitor's bug) would make every
        // increment identical; the corrected bootstrap does not.
        let null = NullFit { lag: 0, beta: vec![0.0], residuals: vec![1.0; 50] };
        let dy = vec![1.0; 50];
        let mut rng = fissure_stats::rng::seeded(1);
        let mut buf = vec![];
        wild_draw(&null, &dy, 0.0, 51, &mut rng, &mut buf);
        let inc: Vec<f64> = buf.windows(2).map(|p| p[1] - p[0]).collect();
        let distinct = inc.iter().filter(|v| (**v - inc[0]).abs() > 1e-12).count();
        assert!(distinct > 40);
    }
}
