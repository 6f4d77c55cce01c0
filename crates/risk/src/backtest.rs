//! Backtests of rolling out-of-sample one-day VaR/ES forecasts of the portfolio.
//!
//! Each day t the method is fitted on the `window` portfolio returns before t and forecasts
//! VaR_t, ES_t; an exception is L_t > VaR_t. Tests:
//! - Kupiec (1995) POF: LR_uc = −2 ln[(1−p)^{n−x} p^x / ((1−x/n)^{n−x}(x/n)^x)] ~ χ²₁, p = 1 − α.
//! - Christoffersen (1998): LR_ind from the transition counts N00, N01, N10, N11 ~ χ²₁ and
//!   LR_cc = LR_uc + LR_ind ~ χ²₂; log-likelihoods with 0·ln 0 = 0 (no NaN with zero exceptions).
//! - Basel traffic light (BCBS 1996): the binomial probability P(X ≤ x) of the exceptions of the
//!   last 250 forecasts: green below 95 %, yellow below 99.99 %, red otherwise.
//! - Acerbi & Székely (2014) Z2 = 1 − Σ I_t L_t / (T·p·ES_t); its null distribution is simulated
//!   by drawing L_t from each day's forecast distribution (`sims` draws, seeded, per-draw streams);
//!   p-value = (1 + #{Z2* ≤ Z2})/(1 + sims) (small Z2 = ES underestimated).
//! - Ranking by the mean FZ0 loss of (VaR, ES) (Fissler & Ziegel 2016; Patton, Ziegel & Chen
//!   2019), strictly consistent for the pair, lower is better.
//!
//! FHS refits its GARCH(1,1) every `refit` days on the trailing window and filters the
//! variance forward daily in between (a failed refit keeps the previous parameters, or, for the first
//! block, the RiskMetrics EWMA filter λ = 0.94; counted in `refit_failures`).

use crate::measures;
use crate::var::Method;
use crate::{Result, RiskError};
use chrono::NaiveDate;
use fissure_stats::garch::{fit_garch_with, GarchFitOptions, GarchSpec};
use rand::Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde::Serialize;
use statrs::distribution::{Binomial, ChiSquared, ContinuousCDF, DiscreteCDF, Normal};

/// Options of [`backtest`].
#[derive(Debug, Clone, Copy, Serialize)]
pub struct BacktestOptions {
    pub window: usize,
    pub level: f64,
    pub refit: usize,
    pub evt_tail: f64,
    /// Simulations of the Z2 null distribution.
    pub sims: usize,
    pub seed: u64,
}

impl Default for BacktestOptions {
    fn default() -> Self {
        BacktestOptions { window: 500, level: 0.99, refit: 21, evt_tail: 0.1, sims: 1000, seed: 42 }
    }
}

/// The forecast distribution of one day's loss (for the Z2 simulation).
#[derive(Debug, Clone, Copy)]
enum Sampler {
    /// Bootstrap of the window's losses starting at this index of the loss series.
    Window(usize),
    Normal {
        mu: f64,
        sd: f64,
    },
    CornishFisher {
        mu: f64,
        sd: f64,
        s: f64,
        k: f64,
    },
    /// Loss = −(μ + σ z)/100 with z drawn from block `block`'s residuals.
    Fhs {
        mu: f64,
        sigma: f64,
        block: usize,
    },
    /// Window bootstrap, excesses over u replaced by GPD draws.
    Evt {
        start: usize,
        u: f64,
        xi: f64,
        beta: f64,
    },
}

/// Rolling forecasts of one method.
#[derive(Debug, Clone)]
pub struct Forecasts {
    pub method: Method,
    pub dates: Vec<NaiveDate>,
    pub loss: Vec<f64>,
    pub var: Vec<f64>,
    pub es: Vec<f64>,
    samplers: Vec<Sampler>,
    fhs_z: Vec<Vec<f64>>,
    pub refit_failures: usize,
}

/// Kupiec POF test.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Kupiec {
    pub lr: f64,
    pub p: f64,
}

/// Christoffersen independence and conditional coverage.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Christoffersen {
    pub lr_ind: f64,
    pub p_ind: f64,
    pub lr_cc: f64,
    pub p_cc: f64,
    pub n00: usize,
    pub n01: usize,
    pub n10: usize,
    pub n11: usize,
}

/// Acerbi–Székely Z2 with its simulated null.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct EsTest {
    pub z2: f64,
    pub p: f64,
    /// 5 % quantile of the simulated Z2 under the null (reject below).
    pub critical_5pct: f64,
}

/// A method's backtest.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestResult {
    pub method: Method,
    pub level: f64,
    pub window: usize,
    pub forecasts: usize,
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
    pub exceptions: usize,
    pub expected: f64,
    pub kupiec: Kupiec,
    pub christoffersen: Christoffersen,
    /// Basel zone on the last 250 forecasts (`green`, `yellow`, `red`).
    pub traffic_light: &'static str,
    pub traffic_light_probability: f64,
    pub exceptions_250: usize,
    pub es_test: EsTest,
    /// Mean FZ0 loss (lower is better).
    pub fz0: f64,
    /// 1 = best by FZ0.
    pub rank: usize,
    pub refit_failures: usize,
}

fn xlogy(x: f64, y: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x * y.ln()
    }
}

fn chi2_sf(x: f64, df: f64) -> f64 {
    let c = ChiSquared::new(df).expect("df > 0");
    if !x.is_finite() {
        return 0.0;
    }
    (1.0 - c.cdf(x.max(0.0))).clamp(0.0, 1.0)
}

/// Kupiec POF from counts (n forecasts, x exceptions, p = 1 − level).
pub fn kupiec(n: usize, x: usize, p: f64) -> Kupiec {
    let (nf, xf) = (n as f64, x as f64);
    let phat = xf / nf;
    let l0 = xlogy(nf - xf, 1.0 - p) + xlogy(xf, p);
    let l1 = xlogy(nf - xf, 1.0 - phat) + xlogy(xf, phat);
    let lr = (-2.0 * (l0 - l1)).max(0.0);
    Kupiec { lr, p: chi2_sf(lr, 1.0) }
}

/// Christoffersen tests from the transition counts; `lr_uc` is Kupiec's statistic.
pub fn christoffersen_counts(n00: usize, n01: usize, n10: usize, n11: usize, lr_uc: f64) -> Christoffersen {
    let (a, b, c, d) = (n00 as f64, n01 as f64, n10 as f64, n11 as f64);
    let p01 = if a + b > 0.0 { b / (a + b) } else { 0.0 };
    let p11 = if c + d > 0.0 { d / (c + d) } else { 0.0 };
    let p = (b + d) / (a + b + c + d);
    let l_ind = xlogy(a, 1.0 - p01) + xlogy(b, p01) + xlogy(c, 1.0 - p11) + xlogy(d, p11);
    let l_0 = xlogy(a + c, 1.0 - p) + xlogy(b + d, p);
    let lr_ind = (-2.0 * (l_0 - l_ind)).max(0.0);
    let lr_cc = lr_uc + lr_ind;
    Christoffersen { lr_ind, p_ind: chi2_sf(lr_ind, 1.0), lr_cc, p_cc: chi2_sf(lr_cc, 2.0), n00, n01, n10, n11 }
}

/// Christoffersen tests of a hit sequence.
pub fn christoffersen(hits: &[bool], lr_uc: f64) -> Christoffersen {
    let mut c = [0usize; 4];
    for w in hits.windows(2) {
        c[(w[0] as usize) * 2 + w[1] as usize] += 1;
    }
    christoffersen_counts(c[0], c[1], c[2], c[3], lr_uc)
}

/// Basel traffic light: (zone, P(X ≤ x)) for x exceptions in n forecasts at exception probability p.
pub fn traffic_light(n: usize, x: usize, p: f64) -> (&'static str, f64) {
    let b = Binomial::new(p, n as u64).expect("p in [0, 1]");
    let prob = b.cdf(x as u64);
    let zone = if prob < 0.95 {
        "green"
    } else if prob < 0.9999 {
        "yellow"
    } else {
        "red"
    };
    (zone, prob)
}

/// FZ0 loss of (VaR, ES) for outcome loss L at tail probability p (ES > 0 required).
pub fn fz0(loss: f64, var: f64, es: f64, p: f64) -> f64 {
    let (y, v, e) = (-loss, -var, -es);
    let hit = if y <= v { 1.0 } else { 0.0 };
    -(hit * (v - y)) / (p * e) + v / e + (-e).ln() - 1.0
}

/// Rolling out-of-sample forecasts of `method` over portfolio returns `r` (dated `dates`).
pub fn forecasts(r: &[f64], dates: &[NaiveDate], method: Method, o: &BacktestOptions) -> Result<Forecasts> {
    measures::check_level(o.level)?;
    if o.window < 100 {
        return Err(RiskError::Invalid(format!("backtest window {} must be at least 100 days", o.window)));
    }
    if r.len() < o.window + 50 {
        return Err(RiskError::TooShort {
            what: "backtest (window + 50 forecasts)".into(),
            needed: o.window + 50,
            got: r.len(),
        });
    }
    if o.refit == 0 {
        return Err(RiskError::Invalid("refit interval must be at least 1 day".into()));
    }
    let loss: Vec<f64> = r.iter().map(|v| -v).collect();
    let w = o.window;
    let days: Vec<usize> = (w..r.len()).collect();
    let level = o.level;
    let mut fhs_z = Vec::new();
    let mut refit_failures = 0;
    let per_day: Vec<(f64, f64, Sampler)> = match method {
        Method::Historical => days
            .par_iter()
            .map(|&t| {
                let e = measures::historical(&r[t - w..t], 1, &[1.0], level)?;
                Ok((e.var, e.es, Sampler::Window(t - w)))
            })
            .collect::<Result<_>>()?,
        Method::Gaussian => days
            .par_iter()
            .map(|&t| {
                let x = &r[t - w..t];
                let e = measures::gaussian(x, 1, &[1.0], level)?;
                Ok((
                    e.var,
                    e.es,
                    Sampler::Normal { mu: fissure_stats::describe::mean(x), sd: fissure_stats::describe::std_dev(x) },
                ))
            })
            .collect::<Result<_>>()?,
        Method::CornishFisher => days
            .par_iter()
            .map(|&t| {
                let x = &r[t - w..t];
                let e = measures::cornish_fisher(x, 1, &[1.0], level)?;
                let (s, k) = measures::skew_kurt(x, 1, &[1.0])?;
                let mu = fissure_stats::describe::mean(x);
                let sd = (x.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / x.len() as f64).sqrt();
                Ok((e.var, e.es, Sampler::CornishFisher { mu, sd, s, k }))
            })
            .collect::<Result<_>>()?,
        Method::Evt => days
            .par_iter()
            .map(|&t| {
                let x = &loss[t - w..t];
                let g = measures::gpd_tail(x, o.evt_tail)?;
                Ok((g.var(level)?, g.es(level)?, Sampler::Evt { start: t - w, u: g.threshold, xi: g.xi, beta: g.beta }))
            })
            .collect::<Result<_>>()?,
        Method::Fhs => {
            let blocks: Vec<usize> = (w..r.len()).step_by(o.refit).collect();
            let fits: Vec<Option<Filter>> = blocks
                .par_iter()
                .map(|&t0| {
                    let y: Vec<f64> = r[t0 - w..t0].iter().map(|v| 100.0 * v).collect();
                    fit_garch_with(&y, GarchSpec::default(), GarchFitOptions { std_errors: false })
                        .ok()
                        .map(|f| Filter::from_garch(&f, t0))
                })
                .collect();
            let mut out = Vec::with_capacity(days.len());
            let mut last: Option<Filter> = None;
            for (b, &t0) in blocks.iter().enumerate() {
                let f = match &fits[b] {
                    Some(f) => f.clone(),
                    None => {
                        refit_failures += 1;
                        match &last {
                            Some(f) => f.clone(),
                            None => Filter::ewma(&r[t0 - w..t0], t0),
                        }
                    }
                };
                last = Some(f.clone());
                let mut z = f.z.clone();
                z.sort_unstable_by(f64::total_cmp);
                let q = fissure_stats::describe::quantile_sorted(&z, 1.0 - level);
                let tail: Vec<f64> = z.iter().copied().filter(|v| *v <= q + 1e-14 * q.abs()).collect();
                let tail_mean = tail.iter().sum::<f64>() / tail.len() as f64;
                fhs_z.push(z);
                let block = fhs_z.len() - 1;
                // filter the variance from the filter's own window end up to t0 (a kept filter is older)
                let mut s2 = f.s2_next;
                for k in f.end..t0 {
                    let e = 100.0 * r[k] - f.mu;
                    s2 = f.omega + f.alpha * e * e + f.beta * s2;
                }
                for t in t0..(t0 + o.refit).min(r.len()) {
                    let sigma = s2.sqrt();
                    let var = -(f.mu + sigma * q) / 100.0;
                    let es = -(f.mu + sigma * tail_mean) / 100.0;
                    out.push((var, es, Sampler::Fhs { mu: f.mu, sigma, block }));
                    let e = 100.0 * r[t] - f.mu;
                    s2 = f.omega + f.alpha * e * e + f.beta * s2;
                }
            }
            out
        }
    };
    Ok(Forecasts {
        method,
        dates: days.iter().map(|&t| dates[t]).collect(),
        loss: days.iter().map(|&t| loss[t]).collect(),
        var: per_day.iter().map(|p| p.0).collect(),
        es: per_day.iter().map(|p| p.1).collect(),
        samplers: per_day.iter().map(|p| p.2).collect(),
        fhs_z,
        refit_failures,
    })
}

/// A variance filter of the FHS backtest (percent units): GARCH(1,1) parameters, the window's
/// standardised residuals, σ² for the day after the window ending at `end` (exclusive).
#[derive(Debug, Clone)]
struct Filter {
    mu: f64,
    omega: f64,
    alpha: f64,
    beta: f64,
    z: Vec<f64>,
    s2_next: f64,
    end: usize,
}

impl Filter {
    fn from_garch(f: &fissure_stats::garch::GarchFit, end: usize) -> Filter {
        let s = f.conditional_volatility[f.conditional_volatility.len() - 1];
        let e = f.std_resid[f.std_resid.len() - 1] * s;
        Filter {
            mu: f.mu,
            omega: f.omega,
            alpha: f.alpha,
            beta: f.beta,
            z: f.std_resid.clone(),
            s2_next: f.omega + f.alpha * e * e + f.beta * s * s,
            end,
        }
    }

    /// RiskMetrics EWMA (λ = 0.94, J.P. Morgan 1996) on a window `x` of returns, started at its sample
    /// variance: the fallback when the first GARCH fit of a backtest fails.
    fn ewma(x: &[f64], end: usize) -> Filter {
        let y: Vec<f64> = x.iter().map(|v| 100.0 * v).collect();
        let mu = fissure_stats::describe::mean(&y);
        let mut s2 = fissure_stats::describe::variance(&y).max(1e-12);
        let mut z = Vec::with_capacity(y.len());
        for v in &y {
            let e = v - mu;
            z.push(e / s2.sqrt());
            s2 = 0.06 * e * e + 0.94 * s2;
        }
        Filter { mu, omega: 0.0, alpha: 0.06, beta: 0.94, z, s2_next: s2, end }
    }
}

fn draw(f: &Forecasts, all_loss: &[f64], window: usize, s: &Sampler, rng: &mut impl Rng) -> f64 {
    match *s {
        Sampler::Window(start) => all_loss[start + rng.gen_range(0..window)],
        Sampler::Normal { mu, sd } => {
            let z: f64 = rng.sample(StandardNormal);
            -(mu + sd * z)
        }
        Sampler::CornishFisher { mu, sd, s, k } => {
            let z: f64 = rng.sample(StandardNormal);
            let zc = z + (z * z - 1.0) * s / 6.0 + (z * z * z - 3.0 * z) * k / 24.0
                - (2.0 * z * z * z - 5.0 * z) * s * s / 36.0;
            -(mu + sd * zc)
        }
        Sampler::Fhs { mu, sigma, block } => {
            let z = &f.fhs_z[block];
            -(mu + sigma * z[rng.gen_range(0..z.len())]) / 100.0
        }
        Sampler::Evt { start, u, xi, beta } => {
            let l = all_loss[start + rng.gen_range(0..window)];
            if l > u {
                let v: f64 = rng.gen::<f64>();
                u + if xi.abs() < 1e-9 { -beta * (1.0 - v).ln() } else { beta / xi * ((1.0 - v).powf(-xi) - 1.0) }
            } else {
                l
            }
        }
    }
}

fn z2_of(loss: &[f64], var: &[f64], es: &[f64], p: f64) -> f64 {
    let t = loss.len() as f64;
    1.0 - loss.iter().zip(var).zip(es).filter(|((l, v), _)| **l > **v).map(|((l, _), e)| l / e).sum::<f64>() / (t * p)
}

/// Evaluates forecasts: exceptions, Kupiec, Christoffersen, traffic light, Z2, FZ0 (rank set later).
pub fn evaluate(f: &Forecasts, all_loss: &[f64], o: &BacktestOptions) -> Result<BacktestResult> {
    let p = 1.0 - o.level;
    let n = f.loss.len();
    if let Some(i) = f.es.iter().position(|e| !(e.is_finite() && *e > 0.0)) {
        return Err(RiskError::Invalid(format!(
            "{} backtest: ES forecast {} on {} is not a positive loss; the ES test and FZ0 need ES > 0",
            f.method.as_str(),
            f.es[i],
            f.dates[i]
        )));
    }
    let hits: Vec<bool> = f.loss.iter().zip(&f.var).map(|(l, v)| l > v).collect();
    let x = hits.iter().filter(|h| **h).count();
    let k = kupiec(n, x, p);
    let c = christoffersen(&hits, k.lr);
    let last = n.saturating_sub(250);
    let x250 = hits[last..].iter().filter(|h| **h).count();
    let (zone, prob) = traffic_light(n - last, x250, p);
    let z2 = z2_of(&f.loss, &f.var, &f.es, p);
    let sims: Vec<f64> = (0..o.sims)
        .into_par_iter()
        .map(|m| {
            let mut rng = fissure_stats::rng::stream(o.seed, m as u64);
            let l: Vec<f64> = f.samplers.iter().map(|s| draw(f, all_loss, o.window, s, &mut rng)).collect();
            z2_of(&l, &f.var, &f.es, p)
        })
        .collect();
    let below = sims.iter().filter(|v| **v <= z2).count();
    let mut sorted = sims.clone();
    sorted.sort_unstable_by(f64::total_cmp);
    let crit = if sorted.is_empty() { f64::NAN } else { fissure_stats::describe::quantile_sorted(&sorted, 0.05) };
    let fz = f.loss.iter().zip(&f.var).zip(&f.es).map(|((l, v), e)| fz0(*l, *v, *e, p)).sum::<f64>() / n as f64;
    Ok(BacktestResult {
        method: f.method,
        level: o.level,
        window: o.window,
        forecasts: n,
        first_date: f.dates.first().copied(),
        last_date: f.dates.last().copied(),
        exceptions: x,
        expected: n as f64 * p,
        kupiec: k,
        christoffersen: c,
        traffic_light: zone,
        traffic_light_probability: prob,
        exceptions_250: x250,
        es_test: EsTest { z2, p: (1 + below) as f64 / (1 + o.sims) as f64, critical_5pct: crit },
        fz0: fz,
        rank: 0,
        refit_failures: f.refit_failures,
    })
}

/// Backtests every method in `methods` on portfolio returns `r`, ranked by FZ0 (1 = best).
pub fn backtest(
    r: &[f64],
    dates: &[NaiveDate],
    methods: &[Method],
    o: &BacktestOptions,
) -> Result<(Vec<BacktestResult>, Vec<Forecasts>)> {
    let loss: Vec<f64> = r.iter().map(|v| -v).collect();
    let mut res = Vec::new();
    let mut fc = Vec::new();
    for &m in methods {
        let f = forecasts(r, dates, m, o)?;
        res.push(evaluate(&f, &loss, o)?);
        fc.push(f);
    }
    let mut order: Vec<usize> = (0..res.len()).collect();
    order.sort_by(|a, b| res[*a].fz0.total_cmp(&res[*b].fz0));
    for (rank, i) in order.into_iter().enumerate() {
        res[i].rank = rank + 1;
    }
    Ok((res, fc))
}

/// Standard normal quantile (for callers that need z_α).
pub fn z_alpha(level: f64) -> f64 {
    Normal::new(0.0, 1.0).expect("standard normal").inverse_cdf(level)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MathWorks `varbacktest` documentation example (from counts alone).
    #[test]
    fn matches_the_mathworks_published_example() {
        let k = kupiec(1043, 57, 0.05);
        assert!((k.lr - 0.46147).abs() < 5e-5, "{k:?}");
        assert!((k.p - 0.49694).abs() < 5e-5);
        let c = christoffersen_counts(932, 53, 53, 4, k.lr);
        assert!((c.lr_ind - 0.25866).abs() < 5e-5, "{c:?}");
        assert!((c.lr_cc - 0.72013).abs() < 5e-5);
        assert!((c.p_cc - 0.69763).abs() < 5e-5);
        let (_, prob) = traffic_light(1043, 57, 0.05);
        assert!((prob - 0.77913).abs() < 5e-5, "{prob}");
    }

    #[test]
    fn zero_exceptions_are_finite_and_basel_zones_match_the_table() {
        let k = kupiec(250, 0, 0.01);
        assert!((k.lr - (-500.0 * 0.99f64.ln())).abs() < 1e-9);
        assert!(k.p < 0.05);
        assert_eq!(traffic_light(250, 0, 0.01).0, "green");
        assert_eq!(traffic_light(250, 4, 0.01).0, "green");
        assert!((traffic_light(250, 4, 0.01).1 - 0.8922).abs() < 1e-4);
        assert_eq!(traffic_light(250, 5, 0.01).0, "yellow");
        assert_eq!(traffic_light(250, 9, 0.01).0, "yellow");
        assert_eq!(traffic_light(250, 10, 0.01).0, "red");
        let c = christoffersen(&[false; 100], k.lr);
        assert!(c.lr_ind.is_finite() && c.p_cc.is_finite());
    }

    #[test]
    fn z2_is_zero_in_expectation_for_a_correct_model() {
        // iid N(0, 1%) losses, the correct Gaussian forecast
        let mut rng = fissure_stats::rng::seeded(9);
        let p = 0.025;
        let z = z_alpha(0.975);
        let es = 0.01 * statrs::distribution::Continuous::pdf(&Normal::new(0.0, 1.0).unwrap(), z) / p;
        let n = 200_000;
        let l: Vec<f64> = (0..n).map(|_| 0.01 * rng.sample::<f64, _>(StandardNormal)).collect();
        let z2 = z2_of(&l, &vec![0.01 * z; n], &vec![es; n], p);
        assert!(z2.abs() < 0.03, "{z2}");
    }
}
