//! Monte Carlo over paths (rayon), quantile bands and the summary.
//!
//! Path i draws from `fissure_stats::rng::stream(seed, i)`, and results are
//! gathered in path order, so the output is identical whatever the thread count.

use crate::config::{AgentClass, SpiralConfig};
use crate::engine::{run_path, Model, Recorder, Work};
use crate::market::Market;
use crate::scenario::{business_days_after, SimulatedPath};
use crate::shock::Shock;
use chrono::NaiveDate;
use fissure_stats::describe::quantile_sorted;
use rayon::prelude::*;
use serde::Serialize;

/// Quantiles across paths (type 7).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantiles {
    pub p05: f64,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
    pub p95: f64,
    pub mean: f64,
}

impl Quantiles {
    /// Quantiles of `x` (sorted in place). `None` when `x` is empty or not all finite.
    pub fn of(x: &mut [f64]) -> Option<Quantiles> {
        if x.is_empty() || x.iter().any(|v| !v.is_finite()) {
            return None;
        }
        x.sort_by(f64::total_cmp);
        Some(Quantiles {
            p05: quantile_sorted(x, 0.05),
            p25: quantile_sorted(x, 0.25),
            median: quantile_sorted(x, 0.5),
            p75: quantile_sorted(x, 0.75),
            p95: quantile_sorted(x, 0.95),
            mean: x.iter().sum::<f64>() / x.len() as f64,
        })
    }
}

/// Cumulative-return bands of one asset at one recorded day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandPoint {
    pub day: usize,
    pub date: NaiveDate,
    pub with_agents: Quantiles,
    pub without_agents: Quantiles,
}

/// One asset's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetResult {
    pub id: String,
    /// Cumulative return at the horizon, with agents.
    pub with_agents: Quantiles,
    /// Same random numbers, no agents.
    pub without_agents: Quantiles,
    /// Path-wise difference (the agents' contribution).
    pub endogenous: Quantiles,
    pub bands: Vec<BandPoint>,
}

/// Net flows of one agent class (US$ bn; sales positive in `net_sales`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowResult {
    pub class: AgentClass,
    pub names: Vec<String>,
    /// Net sales summed over assets, across paths.
    pub net_sales: Quantiles,
    /// Median net sales per asset.
    pub net_sales_by_asset: Vec<(String, f64)>,
}

/// The whole simulation's summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationResult {
    pub assets: Vec<String>,
    pub start_date: NaiveDate,
    pub paths: usize,
    pub steps: usize,
    pub seed: u64,
    pub shock: Shock,
    /// Loss-portfolio weights used for the amplification.
    pub loss_weights: Vec<(String, f64)>,
    /// Amplification = 1 + (loss with agents − loss without)/(loss of the shock alone), per path.
    pub amplification: Option<Quantiles>,
    /// Mean loss with agents / mean loss without, over paths.
    pub amplification_of_means: Option<f64>,
    /// Why the amplification is not available, when it is not.
    pub amplification_note: Option<String>,
    pub returns: Vec<AssetResult>,
    pub flows: Vec<FlowResult>,
    /// Margin-call (forced) sales per path, US$ bn.
    pub forced_sales: Quantiles,
    /// Days with a margin call per path.
    pub margin_call_days: Quantiles,
    /// Share of paths with at least one margin call.
    pub margin_call_share: f64,
    /// Stop-loss levels triggered per path.
    pub stop_triggers: Quantiles,
    /// Paths in which a price hit the 1%-of-previous-close floor.
    pub floor_hit_paths: usize,
    /// Paths in which a day's price impact reached its bound (−99% or +100%): outside the impact laws'
    /// measured range, so their tails (and the means) are not to be read as forecasts.
    pub impact_bound_paths: usize,
}

/// Per-path statistics before the flows: amplification, forced sales, margin-call days, stop
/// triggers, floor hits, impact-bound hits.
const STATS: usize = 6;

/// Recorded days: about `n` evenly spaced days, always including day 1 and the last.
pub fn record_days(steps: usize, n: usize) -> Vec<usize> {
    let n = if n == 0 { 50 } else { n }.min(steps).max(1);
    let mut d: Vec<usize> =
        (0..=n).map(|i| ((i * steps) as f64 / n as f64).round() as usize).filter(|&x| x >= 1).collect();
    d.push(1);
    d.push(steps);
    d.sort_unstable();
    d.dedup();
    d
}

/// Runs the Monte Carlo for `cfg` on `market` with `shock`.
pub fn simulate(cfg: &SpiralConfig, market: &Market, shock: &Shock) -> SimulationResult {
    run_paths(cfg, market, shock, false).0
}

/// [`simulate`] and its [`Baseline`]: each path is run with the shock and then, on the same draws, without
/// it (twice the work of [`simulate`]).
pub fn simulate_with_baseline(cfg: &SpiralConfig, market: &Market, shock: &Shock) -> (SimulationResult, Baseline) {
    let (res, base) = run_paths(cfg, market, shock, true);
    (res, base.expect("run_paths returns the baseline it was asked for"))
}

/// [`simulate`], with its [`Baseline`] when `baseline` is true (the CLI's `--no-baseline` and Python's
/// `no_baseline=` turn it off).
pub fn simulate_maybe_baseline(
    cfg: &SpiralConfig,
    market: &Market,
    shock: &Shock,
    baseline: bool,
) -> (SimulationResult, Option<Baseline>) {
    run_paths(cfg, market, shock, baseline)
}

/// Per-path statistics of the no-shock run: net amplification, forced sales, call days, agents' part per asset.
const BASE_STATS: usize = 3;

/// The paths of [`simulate`]; with `baseline`, each path is run a second time without the shock, and the
/// [`Baseline`] is returned too.
fn run_paths(
    cfg: &SpiralConfig,
    market: &Market,
    shock: &Shock,
    baseline: bool,
) -> (SimulationResult, Option<Baseline>) {
    let model = Model::new(cfg, market, shock);
    let zero = Shock::none(market.k());
    let model0 = baseline.then(|| Model::new(cfg, market, &zero));
    let k = model.k;
    let paths = cfg.simulation.paths;
    let seed = cfg.simulation.seed;
    let days = record_days(model.steps, cfg.simulation.record_points);
    let last = [model.steps];
    let nd = days.len();
    let mut rec_w = vec![0.0; paths * nd * k];
    let mut rec_f = vec![0.0; paths * nd * k];
    let nc = AgentClass::ALL.len();
    // Per path: amplification, forced sales, call days, stops, floor hits, flows (nc × k).
    let stride = STATS + nc * k;
    let mut stats = vec![0.0; paths * stride];
    let bstride = if baseline { BASE_STATS + k } else { 1 };
    let mut base = vec![0.0; paths * bstride];
    rec_w
        .par_chunks_mut(nd * k)
        .zip(rec_f.par_chunks_mut(nd * k))
        .zip(stats.par_chunks_mut(stride))
        .zip(base.par_chunks_mut(bstride))
        .enumerate()
        .for_each_init(
            || (Work::new(&model, market), vec![0.0; k], vec![0.0; k]),
            |(work, w0, f0), (i, (((rw, rf), st), bst))| {
                let mut rng = fissure_stats::rng::stream(seed, i as u64);
                let mut rec = Recorder { days: &days, with_agents: rw, without_agents: rf, daily: None };
                let amp = run_path(&model, market, shock, &mut rng, work, &mut rec);
                st[0] = amp;
                st[1] = work.forced_sales;
                st[2] = work.margin_call_days as f64;
                st[3] = work.stop_triggers as f64;
                st[4] = work.floor_hits as f64;
                st[5] = work.impact_bound_hits as f64;
                st[STATS..].copy_from_slice(&work.flows);
                if let Some(model0) = &model0 {
                    let mut rng = fissure_stats::rng::stream(seed, i as u64);
                    let mut rec = Recorder { days: &last, with_agents: w0, without_agents: f0, daily: None };
                    run_path(model0, market, &zero, &mut rng, work, &mut rec);
                    // L⁰_w − L⁰_f on the shocked run's loss portfolio
                    let (mut lw, mut lf) = (0.0, 0.0);
                    for j in 0..k {
                        lw -= model.loss_weights[j] * w0[j];
                        lf -= model.loss_weights[j] * f0[j];
                    }
                    bst[0] = amp - (lw - lf) / model.shock_loss;
                    bst[1] = work.forced_sales;
                    bst[2] = f64::from(work.margin_call_days);
                    for j in 0..k {
                        bst[BASE_STATS + j] = w0[j] - f0[j];
                    }
                }
            },
        );
    let res = summarise(cfg, market, shock, &model, &days, &rec_w, &rec_f, &stats, stride);
    (res, baseline.then(|| summarise_baseline(&model, market, paths, &base)))
}

#[allow(clippy::too_many_arguments)]
fn summarise(
    cfg: &SpiralConfig,
    market: &Market,
    shock: &Shock,
    model: &Model,
    days: &[usize],
    rec_w: &[f64],
    rec_f: &[f64],
    stats: &[f64],
    stride: usize,
) -> SimulationResult {
    let k = model.k;
    let paths = cfg.simulation.paths;
    let nd = days.len();
    let dates = business_days_after(market.start_date, model.steps);
    let col = |v: &[f64], d: usize, j: usize| -> Vec<f64> { (0..paths).map(|p| v[p * nd * k + d * k + j]).collect() };
    let zero = Quantiles { p05: 0.0, p25: 0.0, median: 0.0, p75: 0.0, p95: 0.0, mean: 0.0 };
    let q = |mut x: Vec<f64>| Quantiles::of(&mut x).unwrap_or(zero);
    let mut returns = Vec::with_capacity(k);
    for j in 0..k {
        let bands = (0..nd)
            .map(|d| BandPoint {
                day: days[d],
                date: dates[days[d] - 1],
                with_agents: q(col(rec_w, d, j)),
                without_agents: q(col(rec_f, d, j)),
            })
            .collect();
        let last = nd - 1;
        let ww = col(rec_w, last, j);
        let ff = col(rec_f, last, j);
        let diff: Vec<f64> = ww.iter().zip(&ff).map(|(a, b)| a - b).collect();
        returns.push(AssetResult {
            id: market.ids[j].clone(),
            with_agents: q(ww),
            without_agents: q(ff),
            endogenous: q(diff),
            bands,
        });
    }
    let stat = |c: usize| -> Vec<f64> { (0..paths).map(|p| stats[p * stride + c]).collect() };
    let (amplification, amplification_of_means, amplification_note) = if model.shock_loss.is_nan() {
        (
            None,
            None,
            Some(
                "n/a: the shock moves no asset of the loss portfolio by itself (e.g. a BoJ-only shock), so there \
                 is no loss without agents to compare with; see the returns"
                    .to_string(),
            ),
        )
    } else {
        let mut a = stat(0);
        let last = nd - 1;
        let loss = |v: &[f64]| -> f64 {
            let mut tot = 0.0;
            for p in 0..paths {
                for j in 0..k {
                    tot -= model.loss_weights[j] * v[p * nd * k + last * k + j];
                }
            }
            tot / paths as f64
        };
        let (lw, lf) = (loss(rec_w), loss(rec_f));
        let means = if lf.abs() > 1e-12 && lw.is_finite() { Some(lw / lf) } else { None };
        match Quantiles::of(&mut a) {
            Some(qa) => (Some(qa), means, None),
            None => (None, means, Some("n/a: a path gave a non-finite amplification".into())),
        }
    };
    let mut flows = Vec::new();
    for c in AgentClass::ALL {
        let names: Vec<String> = model.agents.iter().filter(|a| a.class == c).map(|a| a.name.clone()).collect();
        if names.is_empty() {
            continue;
        }
        let base = STATS + c.index() * k;
        let net: Vec<f64> = (0..paths).map(|p| -(0..k).map(|j| stats[p * stride + base + j]).sum::<f64>()).collect();
        let by_asset = (0..k)
            .map(|j| (market.ids[j].clone(), q((0..paths).map(|p| -stats[p * stride + base + j]).collect()).median))
            .collect();
        flows.push(FlowResult { class: c, names, net_sales: q(net), net_sales_by_asset: by_asset });
    }
    let calls = stat(2);
    let share = calls.iter().filter(|c| **c > 0.0).count() as f64 / paths as f64;
    SimulationResult {
        assets: market.ids.clone(),
        start_date: market.start_date,
        paths,
        steps: model.steps,
        seed: cfg.simulation.seed,
        shock: shock.clone(),
        loss_weights: market
            .ids
            .iter()
            .cloned()
            .zip(model.loss_weights.iter().copied())
            .filter(|(_, w)| *w != 0.0)
            .collect(),
        amplification,
        amplification_of_means,
        amplification_note,
        returns,
        flows,
        forced_sales: q(stat(1)),
        margin_call_days: q(calls),
        margin_call_share: share,
        stop_triggers: q(stat(3)),
        floor_hit_paths: stat(4).iter().filter(|x| **x > 0.0).count(),
        impact_bound_paths: stat(5).iter().filter(|x| **x > 0.0).count(),
    }
}

/// What the agents do without the shock: the same Monte Carlo (same seed, so path by path the same
/// exogenous draws) with no shock, and the amplification net of it.
///
/// Over several days the agents move prices even without a shock (with the bundled book, the 95%
/// margin tranche is called by ordinary noise; docs/spiral.md, Limitations). The plain amplification
/// 1 + (L_w − L_f)/L_s then carries that drift; the net one removes it path by path:
/// A_net = 1 + [(L_w − L_f) − (L⁰_w − L⁰_f)] / L_s, with L⁰ the losses of the loss portfolio (the
/// shocked run's weights) on the same path without the shock, and L_s the shock's own loss.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    /// Per asset (market order): the agents' part of the cumulative return at the horizon without the
    /// shock (with agents − without), quantiles across paths (`None` if a path's value is not finite).
    pub endogenous: Vec<(String, Option<Quantiles>)>,
    /// Margin-call sales per path without the shock, US$ bn (`None` if not finite).
    pub forced_sales: Option<Quantiles>,
    /// Share of paths with a margin call without the shock.
    pub margin_call_share: f64,
    /// The amplification net of the no-shock agents' part; `None` where the plain one is undefined.
    pub amplification_net: Option<Quantiles>,
}

/// The [`Baseline`] from the per-path statistics of [`run_paths`].
fn summarise_baseline(model: &Model, market: &Market, paths: usize, base: &[f64]) -> Baseline {
    let k = market.k();
    let stride = BASE_STATS + k;
    let col = |c: usize| -> Vec<f64> { (0..paths).map(|p| base[p * stride + c]).collect() };
    let q = |mut v: Vec<f64>| Quantiles::of(&mut v);
    let calls = col(2);
    Baseline {
        endogenous: (0..k).map(|j| (market.ids[j].clone(), q(col(BASE_STATS + j)))).collect(),
        forced_sales: q(col(1)),
        margin_call_share: calls.iter().filter(|c| **c > 0.0).count() as f64 / paths.max(1) as f64,
        // the shock's own loss L_s is undefined (NaN) when the shock moves no loss-portfolio asset
        amplification_net: if model.shock_loss.is_nan() { None } else { q(col(0)) },
    }
}

/// Path `index` of the Monte Carlo seeded by `cfg.simulation.seed`, with every daily
/// return: the scenario a portfolio stress test takes (same numbers as in [`simulate`]).
pub fn simulate_path(cfg: &SpiralConfig, market: &Market, shock: &Shock, index: usize) -> SimulatedPath {
    let model = Model::new(cfg, market, shock);
    let k = model.k;
    let steps = model.steps;
    let mut work = Work::new(&model, market);
    let mut rng = fissure_stats::rng::stream(cfg.simulation.seed, index as u64);
    let mut dw = vec![0.0; steps * k];
    let mut df = vec![0.0; steps * k];
    let mut rw = vec![0.0; k];
    let mut rf = vec![0.0; k];
    let days = [steps];
    let mut rec =
        Recorder { days: &days, with_agents: &mut rw, without_agents: &mut rf, daily: Some((&mut dw, &mut df)) };
    let amp = run_path(&model, market, shock, &mut rng, &mut work, &mut rec);
    SimulatedPath {
        assets: market.ids.clone(),
        dates: business_days_after(market.start_date, steps),
        returns: dw.chunks(k).map(|c| c.to_vec()).collect(),
        returns_without_agents: df.chunks(k).map(|c| c.to_vec()).collect(),
        seed: cfg.simulation.seed,
        path_index: index,
        amplification: amp.is_finite().then_some(amp),
    }
}
