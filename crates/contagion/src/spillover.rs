//! Diebold–Yilmaz connectedness.
//!
//! - Diebold & Yilmaz (2009), *Economic Journal* 119:158–171: spillover index from
//!   the Cholesky-orthogonalised H-step FEVD of a VAR(p) (order-dependent).
//! - Diebold & Yilmaz (2012), *Int. J. Forecasting* 28:57–66: generalized FEVD
//!   (Pesaran–Shin), row-normalised θ̃; total S = 100·Σ_{i≠j} θ̃_ij / N,
//!   FROM_i = 100·Σ_{j≠i} θ̃_ij (received by i), TO_j = 100·Σ_{i≠j} θ̃_ij
//!   (transmitted by j), NET = TO − FROM, pairwise net_ij = 100(θ̃_ji − θ̃_ij).
//!
//! Table rows are receivers, columns transmitters, in percent. The VAR has an
//! intercept and Σ̂ is df-corrected (T − p − Np − 1), as statsmodels `VAR.fit`.
//! Rolling windows (200 observations in both papers) are computed in parallel in
//! fixed blocks of windows; inside a block the regression cross-products X'X, X'Y,
//! Y'Y slide by adding and removing rows (O(k²) per step), so the result does not
//! depend on the number of threads.

use crate::error::ContagionError;
use fissure_stats::var::{
    fevd, select_lag, var_ols, var_regressors, CrossProducts, FevdKind, InfoCriterion, RollingVarFevd,
};
use nalgebra::DMatrix;
use rayon::prelude::*;
use serde::Serialize;

type Result<T> = std::result::Result<T, ContagionError>;

/// FEVD identification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Identification {
    /// DY2009: Cholesky, in the order of the variables.
    Cholesky,
    /// DY2012: generalized (order-invariant).
    #[default]
    Generalized,
}

impl Identification {
    fn kind(self) -> FevdKind {
        match self {
            Identification::Cholesky => FevdKind::Cholesky,
            Identification::Generalized => FevdKind::Generalized,
        }
    }
}

/// VAR lag order: fixed, or chosen by an information criterion up to a maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LagChoice {
    Fixed { p: usize },
    Aic { max: usize },
    Bic { max: usize },
    Hqic { max: usize },
}

impl Default for LagChoice {
    fn default() -> Self {
        LagChoice::Fixed { p: 2 }
    }
}

/// Options of a spillover computation (defaults: VAR(2), H = 10, generalized).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SpilloverOptions {
    pub lag: LagChoice,
    /// Forecast horizon H (MA terms h = 0..H−1).
    pub horizon: usize,
    pub identification: Identification,
}

impl Default for SpilloverOptions {
    fn default() -> Self {
        SpilloverOptions { lag: LagChoice::default(), horizon: 10, identification: Identification::Generalized }
    }
}

/// A spillover table and its summaries (percent).
#[derive(Debug, Clone, Serialize)]
pub struct Spillover {
    pub names: Vec<String>,
    /// Lag order used.
    pub p: usize,
    pub horizon: usize,
    pub identification: Identification,
    /// 100·θ̃ (rows = receivers, columns = transmitters), rows sum to 100.
    pub table: Vec<Vec<f64>>,
    /// Total spillover index S.
    pub total: f64,
    /// Transmitted by each variable to the others.
    pub to: Vec<f64>,
    /// Received by each variable from the others.
    pub from: Vec<f64>,
    pub net: Vec<f64>,
    /// `pairwise_net[i][j]` = 100(θ̃_ji − θ̃_ij): what i transmits to j net of what it receives.
    pub pairwise_net: Vec<Vec<f64>>,
}

/// A directed edge of the net pairwise spillover network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// Net pairwise spillover in percentage points (> 0).
    pub weight: f64,
}

impl Spillover {
    /// Summaries of a row-normalised FEVD matrix θ̃.
    pub fn from_fevd(
        names: Vec<String>,
        theta: &DMatrix<f64>,
        p: usize,
        horizon: usize,
        id: Identification,
    ) -> Spillover {
        let n = theta.nrows();
        let table: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| 100.0 * theta[(i, j)]).collect()).collect();
        let from: Vec<f64> = (0..n).map(|i| (0..n).filter(|&j| j != i).map(|j| table[i][j]).sum()).collect();
        let to: Vec<f64> = (0..n).map(|j| (0..n).filter(|&i| i != j).map(|i| table[i][j]).sum()).collect();
        let net = to.iter().zip(&from).map(|(t, f)| t - f).collect();
        let total = from.iter().sum::<f64>() / n as f64;
        let pairwise_net = (0..n).map(|i| (0..n).map(|j| table[j][i] - table[i][j]).collect()).collect();
        Spillover { names, p, horizon, identification: id, table, total, to, from, net, pairwise_net }
    }

    /// The net pairwise network: one edge per pair, from the net transmitter to
    /// the net receiver, weight = |net pairwise spillover|; pairs below `min_weight` are dropped.
    pub fn net_edges(&self, min_weight: f64) -> Vec<Edge> {
        let n = self.names.len();
        let mut edges = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                let w = self.pairwise_net[i][j];
                if w.abs() < min_weight || w == 0.0 {
                    continue;
                }
                let (a, b) = if w > 0.0 { (i, j) } else { (j, i) };
                edges.push(Edge { from: self.names[a].clone(), to: self.names[b].clone(), weight: w.abs() });
            }
        }
        edges.sort_by(|x, y| y.weight.total_cmp(&x.weight));
        edges
    }
}

fn check_rows(data: &[Vec<f64>], names: &[String]) -> Result<usize> {
    let n = names.len();
    if n < 2 {
        return Err(ContagionError::Invalid("spillover needs at least two series".into()));
    }
    if let Some(i) = data.iter().position(|r| r.len() != n) {
        return Err(ContagionError::Invalid(format!("spillover: row {i} has {} values for {n} names", data[i].len())));
    }
    if let Some(i) = data.iter().position(|r| r.iter().any(|v| !v.is_finite())) {
        return Err(ContagionError::Invalid(format!("spillover: non-finite value in row {i}")));
    }
    Ok(n)
}

/// Full-sample spillover table of `data` (row-major T×N, e.g. returns).
pub fn spillover(names: &[String], data: &[Vec<f64>], opts: &SpilloverOptions) -> Result<Spillover> {
    check_rows(data, names)?;
    let p = match opts.lag {
        LagChoice::Fixed { p } => p,
        LagChoice::Aic { max } => {
            select_lag(data, max, InfoCriterion::Aic).map_err(ContagionError::stats("VAR lag selection"))?
        }
        LagChoice::Bic { max } => {
            select_lag(data, max, InfoCriterion::Bic).map_err(ContagionError::stats("VAR lag selection"))?
        }
        LagChoice::Hqic { max } => {
            select_lag(data, max, InfoCriterion::Hqic).map_err(ContagionError::stats("VAR lag selection"))?
        }
    };
    let fit = var_ols(data, p).map_err(ContagionError::stats(format!("VAR({p}) fit")))?;
    let theta = fevd(&fit.coefs, &fit.sigma_u, opts.horizon, opts.identification.kind())
        .map_err(ContagionError::stats("FEVD"))?;
    Ok(Spillover::from_fevd(names.to_vec(), &theta, p, opts.horizon, opts.identification))
}

/// Rolling spillovers: one entry per window.
#[derive(Debug, Clone, Serialize)]
pub struct RollingSpillover {
    pub names: Vec<String>,
    pub window: usize,
    pub step: usize,
    /// Index (into the input rows) of each window's last observation.
    pub end_index: Vec<usize>,
    pub total: Vec<f64>,
    pub to: Vec<Vec<f64>>,
    pub from: Vec<Vec<f64>>,
    pub net: Vec<Vec<f64>>,
}

/// Windows per parallel block; fixed so results do not depend on thread count.
const BLOCK: usize = 64;

/// Rolling-window spillovers over `data` (row-major T×N): windows of `window`
/// observations, every `step` observations, fixed lag order (`LagChoice::Fixed`).
pub fn rolling_spillover(
    names: &[String],
    data: &[Vec<f64>],
    window: usize,
    step: usize,
    opts: &SpilloverOptions,
) -> Result<RollingSpillover> {
    let n = check_rows(data, names)?;
    let p = match opts.lag {
        LagChoice::Fixed { p } => p,
        _ => return Err(ContagionError::Invalid("rolling spillovers need a fixed lag order".into())),
    };
    if p == 0 || step == 0 {
        return Err(ContagionError::Invalid("lag order and step must be at least 1".into()));
    }
    let k = 1 + n * p;
    let need = fissure_stats::var::var_min_rows(n, p);
    if window < need {
        return Err(ContagionError::TooShort {
            what: format!(
                "VAR({p}) window for {n} series ({} regressors per equation and at least {} residual degrees of freedom)",
                k,
                fissure_stats::var::MIN_VAR_DOF.max(k)
            ),
            needed: need,
            got: window,
        });
    }
    if data.len() < window {
        return Err(ContagionError::TooShort { what: "rolling spillover".into(), needed: window, got: data.len() });
    }
    let starts: Vec<usize> = (0..=data.len() - window).step_by(step).collect();
    let blocks: Vec<&[usize]> = starts.chunks(BLOCK).collect();
    let kind = opts.identification.kind();
    let horizon = opts.horizon;
    let results: Vec<Vec<Summary>> = blocks
        .par_iter()
        .map(|blk| -> Result<Vec<Summary>> {
            let mut out = Vec::with_capacity(blk.len());
            let mut cp = CrossProducts::new(k, n);
            let mut fast = RollingVarFevd::new(n, p, horizon, kind);
            let mut x = Vec::with_capacity(k);
            let s0 = blk[0];
            for t in s0 + p..s0 + window {
                var_regressors(data, t, p, &mut x);
                cp.add(&x, &data[t]);
            }
            let mut cur = s0;
            for &s in blk.iter() {
                while cur < s {
                    var_regressors(data, cur + window, p, &mut x);
                    cp.add(&x, &data[cur + window]);
                    var_regressors(data, cur + p, p, &mut x);
                    cp.remove(&x, &data[cur + p]);
                    cur += 1;
                }
                let end = s + window - 1;
                fast.update(&cp)
                    .map_err(|e| ContagionError::stats(format!("rolling VAR({p}) window ending at row {end}"))(e))?;
                out.push(Summary::of(end, &fast.theta, n));
            }
            Ok(out)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut r = RollingSpillover {
        names: names.to_vec(),
        window,
        step,
        end_index: Vec::with_capacity(starts.len()),
        total: Vec::with_capacity(starts.len()),
        to: Vec::with_capacity(starts.len()),
        from: Vec::with_capacity(starts.len()),
        net: Vec::with_capacity(starts.len()),
    };
    for s in results.into_iter().flatten() {
        r.end_index.push(s.end);
        r.total.push(s.total);
        r.net.push(s.to.iter().zip(&s.from).map(|(t, f)| t - f).collect());
        r.to.push(s.to);
        r.from.push(s.from);
    }
    Ok(r)
}

/// Per-window summaries of a row-normalised FEVD (flat N×N), in percent.
struct Summary {
    end: usize,
    total: f64,
    to: Vec<f64>,
    from: Vec<f64>,
}

impl Summary {
    fn of(end: usize, theta: &[f64], n: usize) -> Summary {
        let mut to = vec![0.0; n];
        let mut from = vec![0.0; n];
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    let v = 100.0 * theta[i * n + j];
                    from[i] += v;
                    to[j] += v;
                }
            }
        }
        let total = from.iter().sum::<f64>() / n as f64;
        Summary { end, total, to, from }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn sim(t: usize) -> Vec<Vec<f64>> {
        let mut rng = fissure_stats::rng::seeded(11);
        let mut y = vec![vec![0.0; 3]];
        for _ in 1..t {
            let pr = y.last().unwrap().clone();
            let e: Vec<f64> = (0..3).map(|_| rng.gen::<f64>() - 0.5).collect();
            y.push(vec![0.3 * pr[0] + e[0], 0.4 * pr[0] + 0.1 * pr[1] + e[1] + 0.3 * e[0], 0.2 * pr[2] + e[2]]);
        }
        y
    }

    #[test]
    fn windows_too_small_for_the_var_are_refused() {
        let y = sim(600);
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let opts = SpilloverOptions::default(); // VAR(2) of 3 series: 7 regressors
        assert!(matches!(rolling_spillover(&names, &y, 11, 1, &opts), Err(ContagionError::TooShort { .. })));
        assert!(spillover(&names, &y[..9], &opts).is_err());
        let need = fissure_stats::var::var_min_rows(3, 2);
        assert!(rolling_spillover(&names, &y, need, 50, &opts).is_ok());
    }

    #[test]
    fn rolling_equals_full_fit_per_window_and_is_thread_independent() {
        let y = sim(600);
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let opts = SpilloverOptions::default();
        let r = rolling_spillover(&names, &y, 100, 3, &opts).unwrap();
        for (w, &end) in r.end_index.iter().enumerate() {
            let direct = spillover(&names, &y[end + 1 - 100..=end], &opts).unwrap();
            assert!((direct.total - r.total[w]).abs() < 1e-9, "window {w}");
            for i in 0..3 {
                assert!((direct.net[i] - r.net[w][i]).abs() < 1e-9);
            }
        }
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let r1 = pool.install(|| rolling_spillover(&names, &y, 100, 3, &opts).unwrap());
        assert_eq!(r1.total, r.total);
    }

    #[test]
    fn summaries_are_consistent() {
        let y = sim(2000);
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let s = spillover(&names, &y, &SpilloverOptions::default()).unwrap();
        assert!((s.net.iter().sum::<f64>()).abs() < 1e-9);
        assert!((s.to.iter().sum::<f64>() - s.from.iter().sum::<f64>()).abs() < 1e-9);
        // a drives b: a is a net transmitter, and the a→b edge is the largest
        assert!(s.net[0] > 0.0);
        let e = s.net_edges(0.0);
        assert_eq!((e[0].from.as_str(), e[0].to.as_str()), ("a", "b"));
        assert!(spillover(&names[..1], &y, &SpilloverOptions::default()).is_err());
    }
}
