//! The simulation loop of one path.
//!
//! Conventions (docs/spiral.md):
//! - A day's return of asset k is additive in its parts, all relative to the
//!   previous close: r_k = f_k + g_k(Q_k), f the exogenous (fundamental) return, Q_k
//!   the day's cumulative net order flow of all agents (US$ bn, + = buying) and g the
//!   impact law. The price is floored at 1% of the previous close.
//! - Within a day, agents trade in `rounds` rounds. Slow agents (trend followers,
//!   vol targeters) rebalance in round 0 on information up to the previous close;
//!   fast agents (stops, margin calls, carry unwinds, liquidity providers, leverage
//!   targeters) react in every round to the day's price so far.
//! - Every trade of a day executes at that day's close (it bears the whole day's
//!   impact), so an agent's equity changes by Σ_k units_start·(p_close − p_prev).
//! - The counterfactual (no agents) is computed on the same exogenous draws:
//!   p_fund evolves with f only.
//!
//! All buffers live in [`Work`], allocated once per thread; the step loop allocates nothing.

use crate::config::{AgentClass, Exogenous, ImpactModel, SpiralConfig};
use crate::market::Market;
use crate::shock::Shock;
use fissure_stats::rng::Rng;
use rand::Rng as _;
use rand_distr::StandardNormal;

const SQRT_252: f64 = 15.874507866387544;
/// Orders below this fraction of an asset's ADV (or of a book) are not sent, and a
/// round whose largest order is below it ends the day's cascade.
pub const ORDER_TOL: f64 = 1e-9;
/// Price floor as a fraction of the previous close.
pub const PRICE_FLOOR: f64 = 0.01;

/// An agent rule with its parameters resolved to asset indices (public, read-only use: the
/// NumPy peer bench, `examples/spiral_peer_inputs.rs`, exports it).
#[derive(Debug, Clone)]
pub enum Rule {
    Cta {
        lookbacks: Vec<usize>,
        /// Daily per-asset vol target × weight share.
        w: Vec<f64>,
        vol_daily: f64,
        speed: f64,
        max_gross: f64,
        /// (asset, level, cut, protects longs, stop slot)
        stops: Vec<(usize, f64, f64, bool, usize)>,
        cooldown: usize,
    },
    VolTarget {
        w: Vec<f64>,
        target_daily: f64,
        max_leverage: f64,
        speed: f64,
    },
    Margin {
        z_sqrt_h: f64,
        floors: Vec<f64>,
        w: Vec<f64>,
        utilisation: f64,
        relever_speed: f64,
    },
    Carry {
        funding: usize,
        trigger: f64,
        ramp: f64,
        window: usize,
        boj_sensitivity: f64,
        /// Share already unwound at the start (the funding asset's fall before day 1).
        done0: f64,
        reentry_speed: f64,
        /// Units of the whole (never unwound) position, per asset.
        full_units: Vec<f64>,
    },
    Liquidity {
        w: Vec<f64>,
        aggressiveness: f64,
        capital: f64,
        depth_share: f64,
    },
    Leverage {
        b: f64,
    },
}

/// One agent population: its rule, starting holdings (units) and equity.
#[derive(Debug, Clone)]
pub struct Agent {
    pub class: AgentClass,
    pub name: String,
    pub rule: Rule,
    /// Starting holdings, US$ bn at the starting prices.
    pub init_value: Vec<f64>,
    pub init_equity: f64,
}

/// Resolved parameters shared by all paths.
#[derive(Debug, Clone)]
pub struct Model {
    pub k: usize,
    pub agents: Vec<Agent>,
    pub stops: usize,
    pub steps: usize,
    pub rounds: usize,
    pub exogenous: Exogenous,
    pub lambda: f64,
    pub impact: ImpactModel,
    pub y: f64,
    pub cs_c: f64,
    pub cs_tau: f64,
    pub state_sigma: bool,
    /// Bound of the intra-day impact σ, as a multiple of the previous close's EWMA σ.
    pub sigma_cap: f64,
    /// Loss-portfolio weights ω (long = +).
    pub loss_weights: Vec<f64>,
    /// −ω·s: the shock's own loss (NaN when the shock moves no loss-portfolio asset).
    pub shock_loss: f64,
    /// Per-asset cap on a population's target position (US$ bn).
    pub caps: Vec<f64>,
    /// Liquidity-provider populations that supply part of the market depth.
    pub depth_providers: Vec<usize>,
}

fn weights(map: &std::collections::BTreeMap<String, f64>, m: &Market) -> Vec<f64> {
    let mut w = vec![0.0; m.k()];
    for (id, v) in map {
        if let Some(j) = m.index(id) {
            w[j] += v;
        }
    }
    let s: f64 = w.iter().sum();
    if s > 0.0 {
        w.iter_mut().for_each(|x| *x /= s);
    }
    w
}

/// CTA trend signal of asset j: mean of the signs of the lookback returns.
#[inline(always)]
fn trend_signal(hist: &[f64], head: usize, hl: usize, k: usize, j: usize, lookbacks: &[usize]) -> f64 {
    let now = hist[head * k + j];
    let mut s = 0.0;
    for &l in lookbacks {
        let l = l.min(hl - 1);
        let idx = if head >= l { head - l } else { head + hl - l };
        let past = hist[idx * k + j];
        // +1, −1 or 0 (equal or NaN), without a branch on the data.
        s += f64::from(u8::from(now > past)) - f64::from(u8::from(now < past));
    }
    s / lookbacks.len() as f64
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn cta_targets(
    equity: f64,
    w: &[f64],
    vol_daily: f64,
    max_gross: f64,
    lookbacks: &[usize],
    sig: impl Fn(usize) -> f64,
    trend: impl Fn(usize, &[usize]) -> f64,
    out: &mut [f64],
) {
    let mut gross = 0.0;
    for j in 0..out.len() {
        out[j] = if w[j] > 0.0 { equity * w[j] * trend(j, lookbacks) * vol_daily / sig(j) } else { 0.0 };
        gross += out[j].abs();
    }
    let cap = max_gross * equity.max(0.0);
    if gross > cap && gross > 0.0 {
        let f = cap / gross;
        out.iter_mut().for_each(|x| *x *= f);
    }
}

#[inline(always)]
fn vol_target_exposure(w: &[f64], sig: impl Fn(usize) -> f64, corr: &[f64], target: f64, max_lev: f64) -> f64 {
    let k = w.len();
    let mut v = 0.0;
    for i in 0..k {
        if w[i] == 0.0 {
            continue;
        }
        let si = w[i] * sig(i);
        for j in 0..k {
            if w[j] != 0.0 {
                v += si * w[j] * sig(j) * corr[i * k + j];
            }
        }
    }
    let sp = v.max(0.0).sqrt();
    if sp > 0.0 {
        (target / sp).min(max_lev)
    } else {
        max_lev
    }
}

impl Model {
    /// Resolves the configuration against a market and a shock; starting
    /// positions follow each rule at the starting state.
    pub fn new(cfg: &SpiralConfig, m: &Market, shock: &Shock) -> Model {
        let k = m.k();
        let hl = m.history_len;
        let head = hl - 1;
        let sig0 = |j: usize| m.sigma_ewma[j];
        let trend0 = |j: usize, lb: &[usize]| trend_signal(&m.history, head, hl, k, j, lb);
        let mut agents = Vec::new();
        let mut stops = 0usize;
        for c in &cfg.cta {
            let w = weights(&c.weights, m);
            let vol_daily = c.asset_vol_target / SQRT_252;
            let mut init = vec![0.0; k];
            cta_targets(c.capital, &w, vol_daily, c.max_gross_leverage, &c.lookbacks, sig0, trend0, &mut init);
            let mut st = Vec::new();
            for s in &c.stops {
                if let Some(j) = m.index(&s.asset) {
                    st.push((j, s.level, s.cut, s.level < m.price0[j], stops));
                    stops += 1;
                }
            }
            agents.push(Agent {
                class: AgentClass::Cta,
                name: c.name.clone(),
                rule: Rule::Cta {
                    lookbacks: c.lookbacks.clone(),
                    w,
                    vol_daily,
                    speed: c.speed,
                    max_gross: c.max_gross_leverage,
                    stops: st,
                    cooldown: c.stop_cooldown,
                },
                init_value: init,
                init_equity: c.capital,
            });
        }
        for v in &cfg.vol_target {
            let w = weights(&v.weights, m);
            let td = v.target_vol / SQRT_252;
            let e = vol_target_exposure(&w, sig0, &m.corr, td, v.max_leverage);
            let init = w.iter().map(|x| v.capital * e * x).collect();
            agents.push(Agent {
                class: AgentClass::VolTarget,
                name: v.name.clone(),
                rule: Rule::VolTarget { w, target_daily: td, max_leverage: v.max_leverage, speed: v.speed },
                init_value: init,
                init_equity: v.capital,
            });
        }
        for (n, mc) in cfg.margin.iter().enumerate() {
            let w = weights(&mc.weights, m);
            let floors: Vec<f64> = m
                .ids
                .iter()
                .map(|id| {
                    mc.floors.iter().find(|(a, _)| a.eq_ignore_ascii_case(id)).map_or(mc.default_floor, |(_, f)| *f)
                })
                .collect();
            let zh = mc.z * mc.horizon_days.sqrt();
            let capital = m.margin_capital.get(n).copied().unwrap_or(mc.capital);
            let req: f64 = (0..k).map(|j| w[j] * floors[j].max(zh * sig0(j))).sum();
            let holdings = if req > 0.0 { mc.utilisation * capital / req } else { 0.0 };
            agents.push(Agent {
                class: AgentClass::Margin,
                name: mc.name.clone(),
                init_value: w.iter().map(|x| holdings * x).collect(),
                rule: Rule::Margin {
                    z_sqrt_h: zh,
                    floors,
                    w,
                    utilisation: mc.utilisation,
                    relever_speed: mc.relever_speed,
                },
                init_equity: capital,
            });
        }
        for c in &cfg.carry {
            let w = weights(&c.weights, m);
            let funding = m.index(&c.funding_asset).unwrap_or(0);
            let window = c.window.min(hl - 1).max(1);
            let mx = (0..=window).map(|l| m.history[(head - l) * k + funding]).fold(0.0, f64::max);
            let done0 = ((1.0 - m.price0[funding] / mx - c.trigger) / c.ramp).clamp(0.0, 1.0);
            let live = c.capital * (1.0 - done0);
            let mut init: Vec<f64> = w.iter().map(|x| live * x).collect();
            init[funding] += live;
            let mut full_units: Vec<f64> = (0..k).map(|j| c.capital * w[j] / m.price0[j]).collect();
            full_units[funding] += c.capital / m.price0[funding];
            agents.push(Agent {
                class: AgentClass::Carry,
                name: c.name.clone(),
                rule: Rule::Carry {
                    funding,
                    trigger: c.trigger,
                    ramp: c.ramp,
                    window,
                    boj_sensitivity: c.boj_sensitivity,
                    done0,
                    reentry_speed: c.reentry_speed,
                    full_units,
                },
                init_value: init,
                // Equity is not a constraint of the carry rule; losses are tracked only.
                init_equity: c.capital,
            });
        }
        for l in &cfg.liquidity {
            agents.push(Agent {
                class: AgentClass::Liquidity,
                name: l.name.clone(),
                rule: Rule::Liquidity {
                    w: weights(&l.weights, m),
                    aggressiveness: l.aggressiveness,
                    capital: l.capital,
                    depth_share: l.depth_share,
                },
                init_value: vec![0.0; k],
                init_equity: l.capital,
            });
        }
        for l in &cfg.leverage {
            let w = weights(&l.weights, m);
            agents.push(Agent {
                class: AgentClass::Leverage,
                name: l.name.clone(),
                rule: Rule::Leverage { b: l.leverage },
                init_value: w.iter().map(|x| l.assets * x).collect(),
                init_equity: l.assets / (1.0 + l.leverage),
            });
        }
        // No population holds more than `max_position_adv` days of an asset's volume.
        let cap_days = cfg.simulation.max_position_adv;
        let mut caps = vec![f64::INFINITY; k];
        if cap_days > 0.0 {
            for j in 0..k {
                caps[j] = cap_days * m.adv[j];
            }
        }
        for ag in &mut agents {
            for j in 0..k {
                ag.init_value[j] = ag.init_value[j].clamp(-caps[j], caps[j]);
            }
        }
        // Loss portfolio.
        let mut lw = vec![0.0; k];
        if cfg.simulation.loss_weights.is_empty() {
            let n = (0..k).filter(|&j| shock.direct[j] && shock.moves[j] != 0.0).count();
            for j in 0..k {
                if shock.direct[j] && shock.moves[j] != 0.0 {
                    lw[j] = -shock.moves[j].signum() / n as f64;
                }
            }
        } else {
            for (id, v) in &cfg.simulation.loss_weights {
                if let Some(j) = m.index(id) {
                    lw[j] += v;
                }
            }
            let s: f64 = lw.iter().map(|x| x.abs()).sum();
            if s > 0.0 {
                lw.iter_mut().for_each(|x| *x /= s);
            }
        }
        let sl: f64 = -(0..k).map(|j| lw[j] * shock.moves[j]).sum::<f64>();
        let depth_providers = (0..agents.len())
            .filter(|&a| matches!(agents[a].rule, Rule::Liquidity { depth_share, .. } if depth_share > 0.0))
            .collect();
        Model {
            k,
            agents,
            stops,
            steps: cfg.simulation.steps,
            rounds: cfg.simulation.rounds,
            exogenous: cfg.simulation.exogenous,
            lambda: cfg.simulation.ewma_lambda,
            impact: cfg.impact.model,
            y: cfg.impact.y,
            cs_c: cfg.impact.cs_c,
            cs_tau: cfg.impact.cs_tau,
            state_sigma: cfg.impact.state_dependent_sigma,
            sigma_cap: cfg.impact.sigma_cap,
            loss_weights: lw,
            shock_loss: if sl.abs() > 1e-12 { sl } else { f64::NAN },
            caps,
            depth_providers,
        }
    }

    /// Impact return of a day's cumulative net flow `q` (US$ bn) in asset j, bounded
    /// to [−0.99, +1] (beyond, the laws are far outside their measured range).
    #[inline(always)]
    pub fn impact(&self, q: f64, sigma: f64, adv: f64) -> f64 {
        let x = match self.impact {
            ImpactModel::Sqrt => q.signum() * self.y * sigma * (q.abs() / adv).sqrt(),
            ImpactModel::Linear => self.y * sigma * q / adv,
            ImpactModel::Exponential => {
                let depth = self.cs_c * adv * self.cs_tau.sqrt() / sigma;
                q.signum() * (1.0 - (-q.abs() / depth).exp())
            }
        };
        x.clamp(PRICE_FLOOR - 1.0, 1.0)
    }

    /// [`Model::impact`] for every asset at once (`out[j]` from `q[j]`, `sigma[j]`, `adv[j]`): the
    /// same arithmetic, with the law chosen once so that the loop vectorises.
    #[inline(always)]
    pub fn impact_into(&self, q: &[f64], sigma: &[f64], adv: &[f64], out: &mut [f64]) {
        let n = out.len();
        let (q, sigma, adv) = (&q[..n], &sigma[..n], &adv[..n]);
        let (lo, hi) = (PRICE_FLOOR - 1.0, 1.0);
        match self.impact {
            ImpactModel::Sqrt => {
                for j in 0..n {
                    out[j] = (q[j].signum() * self.y * sigma[j] * (q[j].abs() / adv[j]).sqrt()).clamp(lo, hi);
                }
            }
            _ => {
                for j in 0..n {
                    out[j] = self.impact(q[j], sigma[j], adv[j]);
                }
            }
        }
    }
}

/// `init + Σ_j terms[j]`, summed in asset order (the order every rule and the NumPy peer use).
#[inline(always)]
fn sum_in_order(init: f64, terms: &[f64]) -> f64 {
    let mut s = init;
    for &x in terms {
        s += x;
    }
    s
}

/// Per-thread buffers (structure of arrays); reset for each path.
pub struct Work {
    k: usize,
    hl: usize,
    p: Vec<f64>,
    p_prev: Vec<f64>,
    p_now: Vec<f64>,
    p_fund: Vec<f64>,
    f: Vec<f64>,
    z: Vec<f64>,
    r: Vec<f64>,
    qcum: Vec<f64>,
    qround: Vec<f64>,
    sig2: Vec<f64>,
    sig_imp: Vec<f64>,
    /// Market depth of the round (ADV scaled by the liquidity providers' spare capital).
    depth: Vec<f64>,
    /// EWMA σ updated with the day's return so far (never below yesterday's): margins and impact.
    sig_now: Vec<f64>,
    /// √sig2: the previous close's EWMA σ, taken once a day (every rule reads it).
    sig_prev: Vec<f64>,
    /// p_now − p_prev of the round (every rule's mark-to-market reads it).
    dp: Vec<f64>,
    /// Scratch of one rule's per-asset terms, summed in asset order afterwards.
    term_a: Vec<f64>,
    term_b: Vec<f64>,
    term_c: Vec<f64>,
    hist: Vec<f64>,
    head: usize,
    units: Vec<f64>,
    units_start: Vec<f64>,
    equity: Vec<f64>,
    targets: Vec<f64>,
    order: Vec<f64>,
    stop_hit: Vec<bool>,
    block_until: Vec<usize>,
    carry_done: Vec<f64>,
    carry_max: Vec<f64>,
    /// Net flows by class × asset (US$ bn, + = bought), this path.
    pub flows: Vec<f64>,
    pub forced_sales: f64,
    pub margin_call_days: u32,
    pub stop_triggers: u32,
    /// Day on which the price floor was hit (count).
    pub floor_hits: u32,
    /// Closes at which the day's price impact was at its bound (−0.99 or +1).
    pub impact_bound_hits: u32,
}

impl Work {
    pub fn new(model: &Model, m: &Market) -> Work {
        let k = model.k;
        let a = model.agents.len();
        Work {
            k,
            hl: m.history_len,
            p: vec![0.0; k],
            p_prev: vec![0.0; k],
            p_now: vec![0.0; k],
            p_fund: vec![0.0; k],
            f: vec![0.0; k],
            z: vec![0.0; k],
            r: vec![0.0; k],
            qcum: vec![0.0; k],
            qround: vec![0.0; k],
            sig2: vec![0.0; k],
            sig_imp: vec![0.0; k],
            depth: vec![0.0; k],
            sig_now: vec![0.0; k],
            sig_prev: vec![0.0; k],
            dp: vec![0.0; k],
            term_a: vec![0.0; k],
            term_b: vec![0.0; k],
            term_c: vec![0.0; k],
            hist: vec![0.0; m.history_len * k],
            head: 0,
            units: vec![0.0; a * k],
            units_start: vec![0.0; a * k],
            equity: vec![0.0; a],
            targets: vec![0.0; k],
            order: vec![0.0; k],
            stop_hit: vec![false; model.stops],
            block_until: vec![0; a * k],
            carry_done: vec![0.0; a],
            carry_max: vec![0.0; a],
            flows: vec![0.0; AgentClass::ALL.len() * k],
            forced_sales: 0.0,
            margin_call_days: 0,
            stop_triggers: 0,
            floor_hits: 0,
            impact_bound_hits: 0,
        }
    }

    fn reset(&mut self, model: &Model, m: &Market) {
        let k = self.k;
        self.p.copy_from_slice(&m.price0);
        self.p_fund.copy_from_slice(&m.price0);
        for j in 0..k {
            self.sig2[j] = m.sigma_ewma[j] * m.sigma_ewma[j];
        }
        self.hist.copy_from_slice(&m.history);
        self.head = self.hl - 1;
        for (a, ag) in model.agents.iter().enumerate() {
            for j in 0..k {
                self.units[a * k + j] = ag.init_value[j] / m.price0[j];
            }
            self.equity[a] = ag.init_equity;
            self.carry_done[a] = 0.0;
            match &ag.rule {
                Rule::Cta { stops, .. } => {
                    for &(j, level, _, long, slot) in stops {
                        // A level already passed at the start is inactive.
                        self.stop_hit[slot] = if long { m.price0[j] <= level } else { m.price0[j] >= level };
                    }
                }
                Rule::Carry { done0, .. } => self.carry_done[a] = *done0,
                _ => {}
            }
        }
        self.block_until.iter_mut().for_each(|x| *x = 0);
        self.flows.iter_mut().for_each(|x| *x = 0.0);
        self.forced_sales = 0.0;
        self.margin_call_days = 0;
        self.stop_triggers = 0;
        self.floor_hits = 0;
        self.impact_bound_hits = 0;
    }
}

/// The depth of each asset this round: its ADV, scaled down where capital-constrained
/// liquidity providers have used or lost their allocation (prices of the previous round).
#[inline(always)]
fn market_depth(k: usize, model: &Model, m: &Market, w: &mut Work) {
    w.depth[..k].copy_from_slice(&m.adv[..k]);
    for &a in &model.depth_providers {
        let Rule::Liquidity { w: wt, capital, depth_share, .. } = &model.agents[a].rule else { continue };
        let (capital, depth_share) = (*capital, *depth_share);
        let base = a * k;
        let (us, u, wt) = (&w.units_start[base..base + k], &w.units[base..base + k], &wt[..k]);
        let (p_now, dp, ta, depth) = (&w.p_now[..k], &w.dp[..k], &mut w.term_a[..k], &mut w.depth[..k]);
        for j in 0..k {
            ta[j] = us[j] * dp[j];
        }
        let eq = sum_in_order(w.equity[a], ta).max(0.0);
        for j in 0..k {
            let spare = ((eq * wt[j] - u[j] * p_now[j]) / (capital * wt[j])).clamp(0.0, 1.0);
            let scaled = depth[j] * (1.0 - depth_share * (1.0 - spare));
            depth[j] = if wt[j] > 0.0 && capital > 0.0 { scaled } else { depth[j] };
        }
    }
}

/// What one path records: cumulative returns (with agents and counterfactual) at
/// recorded days, and optionally every daily return.
pub struct Recorder<'a> {
    /// Days (1-based, after the close of that day) to record.
    pub days: &'a [usize],
    /// `days.len() × K` cumulative returns with agents.
    pub with_agents: &'a mut [f64],
    /// `days.len() × K` cumulative returns without agents.
    pub without_agents: &'a mut [f64],
    /// `steps × K` daily returns with and without agents (single-path export).
    pub daily: Option<(&'a mut [f64], &'a mut [f64])>,
}

/// Runs one path; returns the amplification (NaN when undefined).
pub fn run_path(model: &Model, m: &Market, shock: &Shock, rng: &mut Rng, w: &mut Work, rec: &mut Recorder) -> f64 {
    match model.k {
        8 => run_path_impl::<8>(model, m, shock, rng, w, rec),
        _ => run_path_impl::<0>(model, m, shock, rng, w, rec),
    }
}

/// The step loop; `K` > 0 compiles it for exactly K assets (the bundled and the eight: every
/// per-asset loop has a known length, about 3% faster), `K` = 0 for any number. The per-asset loops
/// are written to vectorise: slices of length k, selects instead of branches, per-asset terms summed
/// in asset order afterwards (the order of the NumPy peer), so the results are bitwise the same.
#[inline(always)]
fn run_path_impl<const K: usize>(
    model: &Model,
    m: &Market,
    shock: &Shock,
    rng: &mut Rng,
    w: &mut Work,
    rec: &mut Recorder,
) -> f64 {
    w.reset(model, m);
    debug_assert!(K == 0 || K == model.k);
    let k = if K > 0 { K } else { model.k };
    let hl = w.hl;
    let lam = model.lambda;
    let na = model.agents.len();
    let n_boot = m.boot.len().checked_div(k).unwrap_or(0);
    let mut next_rec = 0usize;
    for t in 0..model.steps {
        // 1. Exogenous returns.
        match model.exogenous {
            Exogenous::Gaussian => {
                for j in 0..k {
                    w.z[j] = rng.sample(StandardNormal);
                }
                for i in 0..k {
                    let mut s = 0.0;
                    for j in 0..=i {
                        s += m.chol[i * k + j] * w.z[j];
                    }
                    w.f[i] = s * m.noise_scale[i];
                }
            }
            Exogenous::Bootstrap if n_boot > 0 => {
                let row = rng.gen_range(0..n_boot);
                for j in 0..k {
                    w.f[j] = m.boot[row * k + j] * m.noise_scale[j];
                }
            }
            _ => w.f.iter_mut().for_each(|x| *x = 0.0),
        }
        if t == 0 {
            for j in 0..k {
                w.f[j] += shock.moves[j];
            }
        }
        for j in 0..k {
            w.p_prev[j] = w.p[j];
            w.p_fund[j] *= (1.0 + w.f[j]).max(PRICE_FLOOR);
            w.qcum[j] = 0.0;
            w.sig_prev[j] = w.sig2[j].sqrt();
            w.sig_imp[j] = if model.state_sigma { w.sig_prev[j] } else { m.sigma_window[j] };
        }
        w.units_start.copy_from_slice(&w.units);
        // Carry traders' running maximum of the funding asset (closes up to yesterday).
        for (a, ag) in model.agents.iter().enumerate() {
            if let Rule::Carry { funding, window, .. } = &ag.rule {
                let mut mx = 0.0f64;
                for l in 0..=*window {
                    let idx = if w.head >= l { w.head - l } else { w.head + hl - l };
                    mx = mx.max(w.hist[idx * k + funding]);
                }
                w.carry_max[a] = mx;
            }
        }
        let mut called = false;
        // 2. Intra-day rounds.
        for j in 0..k {
            w.p_now[j] = w.p_prev[j];
            w.dp[j] = 0.0;
        }
        for round in 0..model.rounds {
            market_depth(k, model, m, w);
            model.impact_into(&w.qcum, &w.sig_imp, &w.depth, &mut w.r[..k]);
            {
                let (f, r, p_prev, p_now) = (&w.f[..k], &mut w.r[..k], &w.p_prev[..k], &mut w.p_now[..k]);
                let (sig2, sig_now, dp) = (&w.sig2[..k], &mut w.sig_now[..k], &mut w.dp[..k]);
                for j in 0..k {
                    let rj = f[j] + r[j];
                    r[j] = rj;
                    p_now[j] = p_prev[j] * (1.0 + rj).max(PRICE_FLOOR);
                    dp[j] = p_now[j] - p_prev[j];
                    sig_now[j] = (lam * sig2[j] + (1.0 - lam) * rj * rj).max(sig2[j]).sqrt();
                }
                w.qround.iter_mut().for_each(|x| *x = 0.0);
                if model.state_sigma {
                    // Liquidity thins as the day's move grows: the impact's σ is the EWMA
                    // updated with the day's return so far (never below yesterday's).
                    // Bounded (impact.sigma_cap × the previous close's σ): see ImpactConfig::sigma_cap.
                    let (sig_prev, sig_imp) = (&w.sig_prev[..k], &mut w.sig_imp[..k]);
                    for j in 0..k {
                        sig_imp[j] = sig_now[j].min(model.sigma_cap * sig_prev[j]);
                    }
                }
            }
            for a in 0..na {
                let ag = &model.agents[a];
                let base = a * k;
                // A rule that trades writes every asset's order (0.0 where it sends none); the
                // trend followers add to theirs, so they start from zero.
                let mut trades = false;
                match &ag.rule {
                    Rule::Cta { lookbacks, w: wt, vol_daily, speed, max_gross, stops, cooldown } => {
                        w.order[..k].iter_mut().for_each(|x| *x = 0.0);
                        if round == 0 {
                            let (hist, head, sig_prev) = (&w.hist, w.head, &w.sig_prev);
                            cta_targets(
                                w.equity[a],
                                wt,
                                *vol_daily,
                                *max_gross,
                                lookbacks,
                                |j| sig_prev[j].max(1e-6),
                                |j, lb| trend_signal(hist, head, hl, k, j, lb),
                                &mut w.targets[..k],
                            );
                            for j in 0..k {
                                let cur = w.units[base + j] * w.p_now[j];
                                let tgt = w.targets[j].clamp(-model.caps[j], model.caps[j]);
                                if w.block_until[base + j] > t
                                    && (tgt.abs() > cur.abs() && tgt.signum() == cur.signum())
                                {
                                    continue;
                                }
                                w.order[j] += speed * (tgt - cur);
                            }
                            trades = true;
                        }
                        for &(j, level, cut, long, slot) in stops {
                            if w.stop_hit[slot] {
                                continue;
                            }
                            let crossed = if long { w.p_now[j] < level } else { w.p_now[j] > level };
                            if crossed {
                                w.stop_hit[slot] = true;
                                let pos = w.units[base + j] * w.p_now[j] + w.order[j];
                                if (long && pos > 0.0) || (!long && pos < 0.0) {
                                    w.order[j] -= cut * pos;
                                    w.stop_triggers += 1;
                                    trades = true;
                                }
                                w.block_until[base + j] = t + 1 + cooldown;
                            }
                        }
                    }
                    Rule::VolTarget { w: wt, target_daily, max_leverage, speed } => {
                        if round == 0 {
                            let sig_prev = &w.sig_prev;
                            let e =
                                vol_target_exposure(&wt[..k], |j| sig_prev[j], &m.corr, *target_daily, *max_leverage);
                            for j in 0..k {
                                let cur = w.units[base + j] * w.p_now[j];
                                let tgt = (w.equity[a] * e * wt[j]).clamp(-model.caps[j], model.caps[j]);
                                w.order[j] = speed * (tgt - cur);
                            }
                            trades = true;
                        }
                    }
                    Rule::Margin { z_sqrt_h, floors, w: wt, utilisation, relever_speed } => {
                        let zh = *z_sqrt_h;
                        let (us, u, floors) = (&w.units_start[base..base + k], &w.units[base..base + k], &floors[..k]);
                        let (p_now, dp, sig_now) = (&w.p_now[..k], &w.dp[..k], &w.sig_now[..k]);
                        let (ta, tb, tc) = (&mut w.term_a[..k], &mut w.term_b[..k], &mut w.term_c[..k]);
                        for j in 0..k {
                            ta[j] = us[j] * dp[j];
                            let v = (u[j] * p_now[j]).abs();
                            // Margins rise intra-day with the day's move, never fall before the close.
                            tb[j] = v * floors[j].max(zh * sig_now[j]);
                            tc[j] = v;
                        }
                        let eq = sum_in_order(w.equity[a], ta);
                        let req = sum_in_order(0.0, tb);
                        let gross = sum_in_order(0.0, tc);
                        if req > eq * (1.0 + 1e-12) && req > 0.0 && gross > 0.0 {
                            let phi = if eq <= 0.0 { 1.0 } else { 1.0 - eq / req };
                            let order = &mut w.order[..k];
                            for j in 0..k {
                                order[j] = -phi * u[j] * p_now[j];
                            }
                            w.forced_sales += phi * gross;
                            called = true;
                            trades = true;
                        } else if round == 0 && *relever_speed > 0.0 && eq > 0.0 {
                            // Slow re-levering toward the starting utilisation at today's margins
                            // (Adrian & Shin 2010); never beyond it, so it cannot itself trigger a call,
                            // and never beyond the starting book (US$ per asset): they rebuild what the
                            // calls cut, they do not grow with a rally (unbounded, the loop equity →
                            // purchases → prices → equity ran some 250-day paths to +1,800%).
                            let (wt, caps, init) = (&wt[..k], &model.caps[..k], &ag.init_value[..k]);
                            for j in 0..k {
                                ta[j] = wt[j] * floors[j].max(zh * sig_now[j]);
                            }
                            let unit_req = sum_in_order(0.0, ta);
                            let target = if unit_req > 0.0 { utilisation * eq / unit_req } else { 0.0 };
                            let order = &mut w.order[..k];
                            let mut any = false;
                            for j in 0..k {
                                let cur = u[j] * p_now[j];
                                let tgt = (target * wt[j]).min(caps[j]).min(init[j]);
                                let send = tgt > cur;
                                order[j] = if send { relever_speed * (tgt - cur) } else { 0.0 };
                                any |= send;
                            }
                            trades |= any;
                        }
                    }
                    Rule::Carry { funding, trigger, ramp, boj_sensitivity, reentry_speed, full_units, .. } => {
                        let drop = 1.0 - w.p_now[*funding] / w.carry_max[a];
                        let mut target = ((drop - trigger) / ramp).clamp(0.0, 1.0);
                        if t == 0 && shock.boj > 0.0 {
                            target = (target + boj_sensitivity * shock.boj / 0.0025).min(1.0);
                        }
                        let done = w.carry_done[a];
                        if target > done + 1e-12 && done < 1.0 {
                            let frac = (target - done) / (1.0 - done);
                            for j in 0..k {
                                w.order[j] = -frac * w.units[base + j] * w.p_now[j];
                            }
                            w.carry_done[a] = target;
                            trades = true;
                        } else if round == 0 && *reentry_speed > 0.0 && target < done - 1e-12 {
                            // Slow rebuild once the yen has retraced.
                            let step = reentry_speed * (done - target);
                            for j in 0..k {
                                w.order[j] = step * full_units[j] * w.p_now[j];
                            }
                            w.carry_done[a] = done - step;
                            trades = true;
                        }
                    }
                    Rule::Liquidity { w: wt, aggressiveness, .. } => {
                        // Limited, exhaustible capital (Shleifer & Vishny 1997; Gromb & Vayanos 2002): the
                        // budget is the buyers' equity marked to the day's prices, so losses on what they
                        // already bought shrink what they can hold; wiped out, they sell everything.
                        let aggressiveness = *aggressiveness;
                        let (us, u, wt) = (&w.units_start[base..base + k], &w.units[base..base + k], &wt[..k]);
                        let (p_now, dp, p_fund) = (&w.p_now[..k], &w.dp[..k], &w.p_fund[..k]);
                        let (sig_prev, caps, adv) = (&w.sig_prev[..k], &model.caps[..k], &m.adv[..k]);
                        let (ta, order) = (&mut w.term_a[..k], &mut w.order[..k]);
                        for j in 0..k {
                            ta[j] = us[j] * dp[j];
                        }
                        let capital = sum_in_order(w.equity[a], ta).max(0.0);
                        let mut any = false;
                        for j in 0..k {
                            let gap = p_fund[j] / p_now[j] - 1.0;
                            let sd = sig_prev[j].max(1e-6);
                            let tgt = (capital * wt[j] * (aggressiveness * gap.max(0.0) / sd).min(1.0)).min(caps[j]);
                            let o = tgt - u[j] * p_now[j];
                            let send = wt[j] != 0.0 && o.abs() > ORDER_TOL * adv[j];
                            order[j] = if send { o } else { 0.0 };
                            any |= send;
                        }
                        trades |= any;
                    }
                    Rule::Leverage { b } => {
                        let (us, u, caps) =
                            (&w.units_start[base..base + k], &w.units[base..base + k], &model.caps[..k]);
                        let (p_now, p_prev, dp) = (&w.p_now[..k], &w.p_prev[..k], &w.dp[..k]);
                        let (ta, tb, tc) = (&mut w.term_a[..k], &mut w.term_b[..k], &mut w.term_c[..k]);
                        for j in 0..k {
                            ta[j] = us[j] * dp[j];
                            tb[j] = u[j] * p_now[j];
                            tc[j] = us[j] * p_prev[j];
                        }
                        let eq = sum_in_order(w.equity[a], ta);
                        let hold = sum_in_order(0.0, tb);
                        let start_val = sum_in_order(0.0, tc);
                        let total = if eq <= 0.0 { -hold } else { (1.0 + b) * eq - hold };
                        if start_val > 0.0 && total.abs() > ORDER_TOL * start_val {
                            let order = &mut w.order[..k];
                            for j in 0..k {
                                let o = total * us[j] * p_prev[j] / start_val;
                                // Holdings within ± `max_position_adv` days of volume, as every other rule:
                                // unbounded, leverage targeting at 10× ran away (equity 10¹⁵⁰, then NaN).
                                let cur = tb[j];
                                let cap = caps[j];
                                order[j] = if cur + o > cap {
                                    cap - cur
                                } else if cur + o < -cap {
                                    -cap - cur
                                } else {
                                    o
                                };
                            }
                            trades = true;
                        }
                    }
                }
                if trades {
                    // Only non-zero orders touch the books (adding +0.0 would turn a −0.0 into +0.0).
                    let ci = ag.class.index() * k;
                    let (order, p_now) = (&w.order[..k], &w.p_now[..k]);
                    let (u, qround, flows) =
                        (&mut w.units[base..base + k], &mut w.qround[..k], &mut w.flows[ci..ci + k]);
                    for j in 0..k {
                        let o = order[j];
                        let send = o != 0.0;
                        let du = o / p_now[j];
                        u[j] = if send { u[j] + du } else { u[j] };
                        qround[j] = if send { qround[j] + o } else { qround[j] };
                        flows[j] = if send { flows[j] + o } else { flows[j] };
                    }
                }
            }
            // The cascade ends when the round's largest order is below ORDER_TOL of its ADV
            // (max(0, x_j) < tol with NaN ignored, as f64::max does: no x_j ≥ tol).
            let mut moved = false;
            let (qcum, qround, adv) = (&mut w.qcum[..k], &w.qround[..k], &m.adv[..k]);
            for j in 0..k {
                qcum[j] += qround[j];
                moved |= qround[j].abs() / adv[j] >= ORDER_TOL;
            }
            if !moved {
                break;
            }
        }
        if called {
            w.margin_call_days += 1;
        }
        // 3. Close.
        for j in 0..k {
            let imp = model.impact(w.qcum[j], w.sig_imp[j], w.depth[j]);
            if imp >= 1.0 || imp <= PRICE_FLOOR - 1.0 {
                w.impact_bound_hits += 1;
            }
            w.r[j] = w.f[j] + imp;
            let g = 1.0 + w.r[j];
            if g < PRICE_FLOOR {
                w.floor_hits += 1;
            }
            w.p[j] = w.p_prev[j] * g.max(PRICE_FLOOR);
        }
        for j in 0..k {
            w.dp[j] = w.p[j] - w.p_prev[j];
        }
        for a in 0..na {
            let (us, dp, ta) = (&w.units_start[a * k..a * k + k], &w.dp[..k], &mut w.term_a[..k]);
            for j in 0..k {
                ta[j] = us[j] * dp[j];
            }
            w.equity[a] += sum_in_order(0.0, ta);
        }
        w.head = (w.head + 1) % hl;
        for j in 0..k {
            w.sig2[j] = lam * w.sig2[j] + (1.0 - lam) * w.r[j] * w.r[j];
            w.hist[w.head * k + j] = w.p[j];
        }
        if let Some((dw, df)) = rec.daily.as_mut() {
            for j in 0..k {
                dw[t * k + j] = w.p[j] / w.p_prev[j] - 1.0;
                df[t * k + j] = w.f[j].max(PRICE_FLOOR - 1.0);
            }
        }
        while next_rec < rec.days.len() && rec.days[next_rec] == t + 1 {
            for j in 0..k {
                rec.with_agents[next_rec * k + j] = w.p[j] / m.price0[j] - 1.0;
                rec.without_agents[next_rec * k + j] = w.p_fund[j] / m.price0[j] - 1.0;
            }
            next_rec += 1;
        }
    }
    // Amplification on the loss portfolio.
    let mut lw = 0.0;
    let mut lf = 0.0;
    for j in 0..k {
        lw -= model.loss_weights[j] * (w.p[j] / m.price0[j] - 1.0);
        lf -= model.loss_weights[j] * (w.p_fund[j] / m.price0[j] - 1.0);
    }
    1.0 + (lw - lf) / model.shock_loss
}

/// The final prices of the last path run in `w` (with agents, without).
pub fn final_prices(w: &Work) -> (&[f64], &[f64]) {
    (&w.p, &w.p_fund)
}

/// Agents' current equity after a path (US$ bn).
pub fn equity(w: &Work) -> &[f64] {
    &w.equity
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::speed_case::speed_case;

    /// Runs `paths` paths of the step loop compiled for K assets; returns every path's amplification,
    /// final prices, equity and flows, as bits.
    fn run_all<const K: usize>(model: &Model, m: &Market, sh: &Shock, seed: u64, paths: usize) -> (Vec<u64>, u32, u32) {
        let mut w = Work::new(model, m);
        let mut out = Vec::new();
        let (mut calls, mut stops) = (0, 0);
        for i in 0..paths {
            let mut rng = fissure_stats::rng::stream(seed, i as u64);
            let (mut rw, mut rf) = (vec![0.0; model.k], vec![0.0; model.k]);
            let days = [model.steps];
            let mut rec = Recorder { days: &days, with_agents: &mut rw, without_agents: &mut rf, daily: None };
            let amp = run_path_impl::<K>(model, m, sh, &mut rng, &mut w, &mut rec);
            let vals = std::iter::once(amp)
                .chain(w.p.iter().copied())
                .chain(w.p_fund.iter().copied())
                .chain(w.equity.iter().copied())
                .chain(w.flows.iter().copied())
                .chain([w.forced_sales, f64::from(w.margin_call_days), f64::from(w.stop_triggers)]);
            out.extend(vals.map(f64::to_bits));
            calls += w.margin_call_days;
            stops += w.stop_triggers;
        }
        (out, calls, stops)
    }

    #[test]
    fn eight_asset_build_is_bitwise_the_generic_one() {
        let (cfg, m, sh) = speed_case(8, 200, 60).expect("speed case");
        let model = Model::new(&cfg, &m, &sh);
        let (a, b) = (run_all::<8>(&model, &m, &sh, 7, 200), run_all::<0>(&model, &m, &sh, 7, 200));
        assert_eq!(a.0.len(), b.0.len());
        assert!(a.0 == b.0, "the K = 8 build differs from the generic one");
        // The case reaches the rules' branches: margin calls and stop-losses happen.
        assert!(a.1 > 0 && a.2 > 0, "margin call days {}, stop triggers {}", a.1, a.2);
    }
}
