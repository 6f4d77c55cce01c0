//! Stress propagation: "firm X honours only q of its commitments".
//!
//! - [`debt_rank`]: DebtRank, Battiston, Puliga, Kaushik, Tasca & Caldarelli (2012),
//!   Sci. Rep. 2:541 — impact `W_ij = min(1, A_ji / E_j)` (exposure of j to i over
//!   j's equity), relative equity losses `h ∈ [0, 1]`, states undistressed /
//!   distressed / inactive: `h_j(t) = min(1, h_j(t−1) + Σ_{i distressed at t−1} W_ij h_i(t−1))`,
//!   each node propagates once (the once-only rule); `R = Σ_j v_j h_j(T) − Σ_j v_j h_j(1)`,
//!   `v_j = E_j / Σ E`. Linear DebtRank, Bardoscia, Battiston, Caccioli & Caldarelli
//!   (2015), PLoS ONE 10(6):e0130406 — `h(t+1) = min(1, h(t) + Wᵀ(h(t) − h(t−1)))`,
//!   without the once-only rule (losses keep travelling round cycles).
//!   A firm shocked with loss `1 − q` passes `(1 − q)·W` to its creditors in the first
//!   round: "honours only q of its commitments".
//! - [`clearing`]: Eisenberg & Noe (2001), Management Science 47(2):236–249, greatest
//!   clearing vector `p = min(p̄, max(0, e + Πᵀp))` by the fictitious-default algorithm,
//!   with Rogers & Veraart (2013), Management Science 59(4):882–898, default costs: a
//!   defaulting firm pays `α·e + β·Πᵀp` (α on external, β on interbank assets).
//!   External liabilities rank pari passu with interbank ones (part of `p̄`, paid pro
//!   rata) or senior (paid first out of the firm's assets).
//!
//! Sizes: a firm whose equity (market cap, valuation) is unknown cannot be scaled;
//! it absorbs no loss (its `h` is reported as unknown) but propagates a shock given
//! to it directly. Supply a size to include it.

use crate::error::NetworkError;
use fissure_core::{DealBook, DealKind, DealStatus};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;
use std::collections::BTreeMap;

/// Exposures between firms: `(exposed, counterparty, amount)` means `exposed` loses
/// up to `amount` when `counterparty` fails (a lender and its borrower).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExposureNetwork {
    pub names: Vec<String>,
    /// Equity (size) of each firm; `None` = unknown.
    pub equity: Vec<Option<f64>>,
    pub exposures: Vec<(usize, usize, f64)>,
    /// Listed firms (their losses map to price shocks).
    pub listed: Vec<bool>,
}

impl ExposureNetwork {
    /// From generic rows `lender, borrower, amount` and `firm, equity`.
    pub fn from_rows(exposures: &[(String, String, f64)], equity: &[(String, f64)]) -> Result<Self, NetworkError> {
        let mut names: Vec<String> = equity.iter().map(|e| e.0.clone()).collect();
        names.sort();
        names.dedup();
        let idx: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
        let mut eq = vec![None; names.len()];
        for (f, e) in equity {
            eq[idx[f.as_str()]] = Some(*e);
        }
        let mut ex = Vec::new();
        for (l, b, a) in exposures {
            let find = |f: &String, ctx: &str| {
                idx.get(f.as_str()).copied().ok_or_else(|| NetworkError::UnknownFirm {
                    firm: f.clone(),
                    context: ctx.into(),
                    known: names.join(", "),
                })
            };
            ex.push((find(l, "lender of an exposure")?, find(b, "borrower of an exposure")?, *a));
        }
        let n = names.len();
        ExposureNetwork::new(names, eq, ex, vec![true; n])
    }

    pub fn new(
        names: Vec<String>,
        equity: Vec<Option<f64>>,
        exposures: Vec<(usize, usize, f64)>,
        listed: Vec<bool>,
    ) -> Result<Self, NetworkError> {
        let n = names.len();
        if equity.len() != n || listed.len() != n {
            return Err(NetworkError::Invalid("exposures: one equity and one listed flag per firm".into()));
        }
        for (i, e) in equity.iter().enumerate() {
            if let Some(e) = e {
                if !e.is_finite() || *e <= 0.0 {
                    return Err(NetworkError::Invalid(format!("equity of {} is {e}; expected > 0", names[i])));
                }
            }
        }
        for &(a, b, x) in &exposures {
            if a >= n || b >= n || !x.is_finite() || x < 0.0 {
                return Err(NetworkError::Invalid(format!("exposure ({a}, {b}, {x}) is invalid")));
            }
        }
        Ok(ExposureNetwork { names, equity, exposures, listed })
    }

    /// Exposures implied by a deal book (disclosed amounts only):
    /// - a completed equity investment or loan is a holding: the payer is exposed to the payee;
    /// - any other deal is an expected inflow of the payee (a purchase, a backstop, a
    ///   warrant, or funding not yet paid): the payee is exposed to the payer.
    ///
    /// `sizes` overrides or supplies firm sizes (USD bn). Returns the network and the
    /// number of deals left out for want of a disclosed amount.
    pub fn from_deals(book: &DealBook, sizes: &BTreeMap<String, f64>) -> Result<(Self, usize), NetworkError> {
        let mut names: Vec<String> = book.firms.iter().map(|f| f.firm.clone()).collect();
        for d in &book.deals {
            names.push(d.payer.clone());
            names.push(d.payee.clone());
        }
        names.sort();
        names.dedup();
        for f in sizes.keys() {
            if !names.contains(f) {
                return Err(NetworkError::UnknownFirm {
                    firm: f.clone(),
                    context: "--size".into(),
                    known: names.join(", "),
                });
            }
        }
        let idx: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
        let equity = names
            .iter()
            .map(|n| sizes.get(n).copied().or_else(|| book.firm(n).and_then(|f| f.valuation_usd_bn)))
            .collect();
        let listed = names.iter().map(|n| book.firm(n).is_some_and(|f| f.listed)).collect();
        let mut ex = Vec::new();
        let mut skipped = 0;
        for d in &book.deals {
            let Some(a) = d.amount_usd_bn else {
                skipped += 1;
                continue;
            };
            let (p, q) = (idx[d.payer.as_str()], idx[d.payee.as_str()]);
            let holding =
                d.status == DealStatus::Completed && matches!(d.kind, DealKind::EquityInvestment | DealKind::Debt);
            ex.push(if holding { (p, q, a) } else { (q, p, a) });
        }
        Ok((ExposureNetwork::new(names, equity, ex, listed)?, skipped))
    }

    pub fn index(&self, firm: &str) -> Result<usize, NetworkError> {
        self.names.iter().position(|n| n == firm).ok_or_else(|| NetworkError::UnknownFirm {
            firm: firm.into(),
            context: "shock".into(),
            known: self.names.join(", "),
        })
    }

    /// The impact matrix `W_ij = min(1, Σ A_ji / E_j)` (i's failure on j), by counterparty i.
    pub fn impacts(&self) -> Impacts {
        let n = self.names.len();
        // (i, j, amount) sorted, then summed per pair
        let mut e: Vec<(usize, usize, f64)> =
            self.exposures.iter().filter(|x| x.0 != x.1).map(|&(j, i, a)| (i, j, a)).collect();
        e.sort_unstable_by_key(|x| (x.0, x.1));
        let mut offsets = vec![0usize; n + 1];
        let mut targets = Vec::with_capacity(e.len());
        let mut weights = Vec::with_capacity(e.len());
        let mut k = 0;
        while k < e.len() {
            let (i, j) = (e[k].0, e[k].1);
            let mut a = 0.0;
            while k < e.len() && e[k].0 == i && e[k].1 == j {
                a += e[k].2;
                k += 1;
            }
            if let Some(eq) = self.equity[j] {
                let w = (a / eq).min(1.0);
                if w > 0.0 {
                    targets.push(j as u32);
                    weights.push(w);
                    offsets[i + 1] += 1;
                }
            }
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        Impacts { offsets, targets, weights }
    }
}

/// The impact matrix in compressed rows: row i lists `(j, W_ij)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Impacts {
    offsets: Vec<usize>,
    targets: Vec<u32>,
    weights: Vec<f64>,
}

impl Impacts {
    /// Row i as slices (targets, weights).
    #[inline]
    fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let r = self.offsets[i]..self.offsets[i + 1];
        (&self.targets[r.clone()], &self.weights[r])
    }

    /// The firms hit by i's distress, with their impacts.
    pub fn of(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let r = self.offsets[i]..self.offsets[i + 1];
        self.targets[r.clone()].iter().map(|&j| j as usize).zip(self.weights[r].iter().copied())
    }
}

/// DebtRank variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DebtRankVariant {
    /// Battiston et al. (2012): each distressed node propagates once.
    Original,
    /// Bardoscia et al. (2015): increments propagate until they die out.
    Linear,
}

/// A DebtRank run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DebtRank {
    pub variant: DebtRankVariant,
    /// `Σ v_j h_j(T) − Σ v_j h_j(1)` over firms of known size: the loss beyond the initial shock.
    pub debtrank: f64,
    /// Final relative equity loss by firm (`None` for firms of unknown size that were not shocked).
    pub h: Vec<Option<f64>>,
    pub h0: Vec<f64>,
    /// Propagation rounds until no firm was distressed (or the increments died out).
    pub rounds: usize,
    /// Linear variant: whether the increments fell below the tolerance within the round limit.
    pub converged: bool,
    /// `Σ h_j E_j` (USD bn, firms of known size).
    pub equity_loss_usd_bn: f64,
    /// Of which the initial shock.
    pub initial_loss_usd_bn: f64,
    /// Firms with `h = 1` (equity wiped out).
    pub defaults: Vec<usize>,
}

impl DebtRank {
    /// Losses mapped to price shocks for listed firms of known size: a relative
    /// equity loss `h` is a price return of `−h` (the equity is the market value).
    pub fn price_shocks(&self, net: &ExposureNetwork) -> BTreeMap<String, f64> {
        let mut out = BTreeMap::new();
        for (i, h) in self.h.iter().enumerate() {
            if let (Some(h), true) = (h, net.listed[i]) {
                out.insert(net.names[i].clone(), -h);
            }
        }
        out
    }
}

/// Runs DebtRank from initial relative losses `shocks` (firm index, loss in [0, 1]).
pub fn debt_rank(
    net: &ExposureNetwork,
    shocks: &[(usize, f64)],
    variant: DebtRankVariant,
) -> Result<DebtRank, NetworkError> {
    let mut engine = DebtRankEngine::new(net);
    let run = engine.run(shocks, variant)?;
    Ok(engine.result(net, &run))
}

/// The summary of one [`DebtRankEngine::run`]; the per-firm losses stay in the engine
/// ([`DebtRankEngine::h`]) until the next run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DebtRankRun {
    pub variant: DebtRankVariant,
    /// `Σ v_j h_j(T) − Σ v_j h_j(1)` over firms of known size.
    pub debtrank: f64,
    pub rounds: usize,
    pub converged: bool,
    pub equity_loss_usd_bn: f64,
    pub initial_loss_usd_bn: f64,
}

/// DebtRank on one network for many scenarios. The impact matrix is built once in
/// compressed rows (`W_ij` by counterparty i); the state vectors are allocated once and
/// reset between runs in O(firms hit). A round visits only the out-edges of the firms
/// distressed in the round before, so under the once-only rule (each firm propagates at
/// most once) a run costs O(edges of the firms hit), with no allocation or hashing in
/// the rounds. Sequential on purpose: the accumulation order, hence every bit of the
/// result, does not depend on a thread count.
#[derive(Debug, Clone)]
pub struct DebtRankEngine {
    w: Impacts,
    /// Size `E_j` (0 when unknown) and weight `v_j = E_j / Σ E` (0 when unknown).
    size: Vec<f64>,
    v: Vec<f64>,
    h: Vec<f64>,
    h0: Vec<f64>,
    /// Linear variant: the increment `h(t) − h(t−1)` still to propagate.
    delta: Vec<f64>,
    /// Accumulated impact of the current round (0 outside a round).
    add: Vec<f64>,
    /// 0 = undistressed, 1 = distressed, 2 = inactive (original); 0/1 = not hit / hit (linear).
    state: Vec<u8>,
    /// Every firm hit by the last run, in the order it was hit; under the once-only rule
    /// the frontier of each round is a contiguous slice of it.
    hit: Vec<u32>,
    /// Targets of the current round (each firm once); one spare slot for branch-free pushes.
    touched: Vec<u32>,
    /// Linear variant: the firms whose increment propagates this round and the next.
    active: Vec<u32>,
    next: Vec<u32>,
    /// Once-only variant: one bit per firm never distressed yet, one per firm hit this
    /// round, and the losses `h_i(t−1)` of the round's frontier.
    fresh: Vec<u64>,
    tbits: Vec<u64>,
    xs: Vec<f64>,
}

impl DebtRankEngine {
    pub fn new(net: &ExposureNetwork) -> Self {
        let n = net.names.len();
        let size: Vec<f64> = net.equity.iter().map(|e| e.unwrap_or(0.0)).collect();
        let total: f64 = size.iter().sum();
        let v = size.iter().map(|&e| if total > 0.0 { e / total } else { 0.0 }).collect();
        DebtRankEngine {
            w: net.impacts(),
            size,
            v,
            h: vec![0.0; n],
            h0: vec![0.0; n],
            delta: vec![0.0; n],
            add: vec![0.0; n],
            state: vec![0; n],
            hit: Vec::with_capacity(n),
            touched: vec![0; n + 1],
            active: Vec::with_capacity(n),
            next: Vec::with_capacity(n),
            fresh: vec![u64::MAX; n.div_ceil(64)],
            tbits: vec![0; n.div_ceil(64)],
            xs: Vec::with_capacity(n),
        }
    }

    /// The impact matrix.
    pub fn impacts(&self) -> &Impacts {
        &self.w
    }

    /// Final relative equity losses of the last run (0 for firms never hit).
    pub fn h(&self) -> &[f64] {
        &self.h
    }

    /// Initial losses of the last run.
    pub fn h0(&self) -> &[f64] {
        &self.h0
    }

    /// Firms whose loss changed in the last run (shocked or hit), in the order they were hit.
    pub fn hit(&self) -> impl Iterator<Item = usize> + '_ {
        self.hit.iter().map(|&j| j as usize)
    }

    /// Runs one scenario: initial relative losses `shocks` (firm index, loss in [0, 1]).
    pub fn run(&mut self, shocks: &[(usize, f64)], variant: DebtRankVariant) -> Result<DebtRankRun, NetworkError> {
        let n = self.h.len();
        if shocks.is_empty() {
            return Err(NetworkError::Invalid("DebtRank needs at least one shock FIRM=LOSS".into()));
        }
        if let Some(&(i, l)) = shocks.iter().find(|&&(i, l)| i >= n || !(0.0..=1.0).contains(&l)) {
            return Err(NetworkError::Invalid(format!("shock {l} on firm {i}: the loss must lie in [0, 1]")));
        }
        self.reset();
        for &(i, l) in shocks {
            self.h0[i] = l;
            self.h[i] = l;
        }
        for &(i, _) in shocks {
            if self.h0[i] > 0.0 && self.state[i] == 0 {
                self.state[i] = 1;
                self.hit.push(i as u32);
            }
        }
        let (rounds, converged) = match variant {
            DebtRankVariant::Original => (self.propagate_once_only(), true),
            DebtRankVariant::Linear => self.propagate_linear(),
        };
        let (mut dr, mut loss, mut init) = (0.0, 0.0, 0.0);
        for &j in &self.hit {
            let j = j as usize;
            // caps the once-only losses (added uncapped in the rounds); a no-op for the linear variant
            self.h[j] = self.h[j].min(1.0);
            dr += (self.h[j] - self.h0[j]) * self.v[j];
            loss += self.h[j] * self.size[j];
            init += self.h0[j] * self.size[j];
        }
        Ok(DebtRankRun {
            variant,
            debtrank: dr,
            rounds,
            converged,
            equity_loss_usd_bn: loss,
            initial_loss_usd_bn: init,
        })
    }

    /// Clears what the last run changed.
    fn reset(&mut self) {
        for &j in &self.hit {
            let j = j as usize;
            self.h[j] = 0.0;
            self.h0[j] = 0.0;
            self.delta[j] = 0.0;
            self.state[j] = 0;
            self.fresh[j >> 6] |= 1 << (j & 63);
        }
        self.hit.clear();
    }

    /// Adds `W_ij x_i` over the out-edges of `sources` into `add`, listing each target once
    /// in `touched[..len]`; returns len. `x` is `h` (original) or the increment (linear).
    #[inline]
    fn accumulate(w: &Impacts, sources: &[u32], x: &[f64], add: &mut [f64], touched: &mut [u32]) -> usize {
        let mut len = 0;
        for &i in sources {
            let i = i as usize;
            let xi = x[i];
            let (ts, ws) = w.row(i);
            for (&j, &wij) in ts.iter().zip(ws) {
                let ju = j as usize;
                let y = wij * xi;
                let a = add[ju];
                // first non-zero contribution this round: keep j (the slot is overwritten otherwise)
                touched[len] = j;
                len += usize::from((a == 0.0) & (y != 0.0));
                add[ju] = a + y;
            }
        }
        len
    }

    /// Battiston et al. (2012): `h_j(t) = min(1, h_j(t−1) + Σ_{i distressed at t−1} W_ij h_i(t−1))`.
    ///
    /// The increments are non-negative, so `min(1, min(1, x) + s) = min(1, x + s)`: the
    /// impacts are added straight into `h` and the cap applied when a loss is read (the
    /// frontier's `h_i(t−1)`, taken before the round) and once at the end. Each frontier
    /// is sorted by firm, so the rows are read in storage order and every sum is taken in
    /// the same order (by counterparty, then by target) whatever the shock. The next
    /// frontier (firms hit for the first time) comes from a bitmap scan of the firms hit
    /// in the round when the round reads more edges than the bitmap has words, and from a
    /// per-edge check otherwise, so a round costs O(its edges + min(its edges, n/64)).
    fn propagate_once_only(&mut self) -> usize {
        let DebtRankEngine { w, h, hit, fresh, tbits, xs, .. } = self;
        let (off, tg, wt) = (&w.offsets[..], &w.targets[..], &w.weights[..]);
        let (h, fresh, tbits) = (&mut h[..], &mut fresh[..], &mut tbits[..]);
        hit.sort_unstable();
        for &i in hit.iter() {
            fresh[i as usize >> 6] &= !(1 << (i & 63));
        }
        let mut rounds = 0;
        let mut lo = 0;
        while lo < hit.len() {
            rounds += 1;
            let hi = hit.len();
            xs.clear();
            let mut edges = 0;
            for &i in &hit[lo..hi] {
                let i = i as usize;
                xs.push(h[i].min(1.0));
                edges += off[i + 1] - off[i];
            }
            if edges >= fresh.len() {
                for (&i, &xi) in hit[lo..hi].iter().zip(xs.iter()) {
                    let r = off[i as usize]..off[i as usize + 1];
                    for (&j, &wij) in tg[r.clone()].iter().zip(&wt[r]) {
                        debug_assert!((j as usize) < h.len());
                        // SAFETY: every target of the impact matrix is a firm index (checked by
                        // `ExposureNetwork::new`), h has one entry per firm and tbits one bit
                        unsafe {
                            *h.get_unchecked_mut(j as usize) += wij * xi;
                            *tbits.get_unchecked_mut(j as usize >> 6) |= 1 << (j & 63);
                        }
                    }
                }
                for (wd, (t, f)) in tbits.iter_mut().zip(fresh.iter_mut()).enumerate() {
                    if *t == 0 {
                        continue;
                    }
                    let mut new = *t & *f;
                    *t = 0;
                    while new != 0 {
                        let b = new.trailing_zeros();
                        new &= new - 1;
                        let j = wd * 64 + b as usize;
                        if h[j] > 0.0 {
                            *f &= !(1 << b);
                            hit.push(j as u32);
                        }
                    }
                }
            } else {
                for k in lo..hi {
                    let (i, xi) = (hit[k] as usize, xs[k - lo]);
                    for (&j, &wij) in tg[off[i]..off[i + 1]].iter().zip(&wt[off[i]..off[i + 1]]) {
                        let j = j as usize;
                        h[j] += wij * xi;
                        if fresh[j >> 6] & (1 << (j & 63)) != 0 && h[j] > 0.0 {
                            fresh[j >> 6] &= !(1 << (j & 63));
                            hit.push(j as u32);
                        }
                    }
                }
                hit[hi..].sort_unstable();
            }
            lo = hi;
        }
        // the cap min(1, ·) of the final losses is applied in `run`, with the sums
        rounds
    }

    /// Bardoscia et al. (2015): `h(t+1) = min(1, h(t) + Wᵀ(h(t) − h(t−1)))` until the
    /// increments fall below 1e−14 (or 10,000 rounds). Returns (rounds, converged).
    fn propagate_linear(&mut self) -> (usize, bool) {
        const MAX_ROUNDS: usize = 10_000;
        let mut rounds = 0;
        self.active.clear();
        for &i in &self.hit {
            self.delta[i as usize] = self.h0[i as usize];
            self.active.push(i);
        }
        while !self.active.is_empty() {
            if rounds == MAX_ROUNDS {
                return (rounds, false);
            }
            rounds += 1;
            let len = Self::accumulate(&self.w, &self.active, &self.delta, &mut self.add, &mut self.touched);
            for &i in &self.active {
                self.delta[i as usize] = 0.0;
            }
            self.next.clear();
            for &j in &self.touched[..len] {
                let ju = j as usize;
                let new = (self.h[ju] + self.add[ju]).min(1.0);
                let d = new - self.h[ju];
                self.add[ju] = 0.0;
                self.h[ju] = new;
                if self.state[ju] == 0 {
                    self.state[ju] = 1;
                    self.hit.push(j);
                }
                if d > 1e-14 {
                    self.delta[ju] += d;
                    self.next.push(j);
                }
            }
            std::mem::swap(&mut self.active, &mut self.next);
        }
        (rounds, true)
    }

    /// The full result of the last run (per-firm losses, defaults) for reporting.
    pub fn result(&self, net: &ExposureNetwork, run: &DebtRankRun) -> DebtRank {
        let n = self.h.len();
        let h = (0..n).map(|i| (net.equity[i].is_some() || self.h0[i] > 0.0).then_some(self.h[i])).collect();
        let mut defaults: Vec<usize> = self.hit().filter(|&i| self.h[i] >= 1.0 - 1e-12).collect();
        defaults.sort_unstable();
        DebtRank {
            variant: run.variant,
            debtrank: run.debtrank,
            h,
            h0: self.h0.clone(),
            rounds: run.rounds,
            converged: run.converged,
            equity_loss_usd_bn: run.equity_loss_usd_bn,
            initial_loss_usd_bn: run.initial_loss_usd_bn,
            defaults,
        }
    }
}

/// Parameters of the clearing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClearingParams {
    /// Fraction of external assets a defaulting firm realises (Rogers–Veraart α, in [0, 1]).
    pub alpha: f64,
    /// Fraction of interbank assets a defaulting firm realises (β, in [0, 1]).
    pub beta: f64,
    /// External liabilities are paid before interbank ones (else pari passu).
    pub senior_external: bool,
}

impl Default for ClearingParams {
    fn default() -> Self {
        ClearingParams { alpha: 1.0, beta: 1.0, senior_external: false }
    }
}

/// A clearing system: liabilities `(debtor, creditor, amount)`, external assets and liabilities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClearingSystem {
    pub names: Vec<String>,
    pub liabilities: Vec<(usize, usize, f64)>,
    pub external_assets: Vec<f64>,
    pub external_liabilities: Vec<f64>,
}

impl ClearingSystem {
    /// The system from named inputs: liabilities `(debtor, creditor, amount)` and one external row per firm,
    /// `(firm, [external_assets, external_liabilities])`, whose order fixes the firms' order. A debtor or creditor
    /// without an external row is refused by name.
    pub fn from_named(links: &[(String, String, f64)], external: &[(String, Vec<f64>)]) -> Result<Self, NetworkError> {
        let names: Vec<String> = external.iter().map(|e| e.0.clone()).collect();
        let find = |f: &str, role: &str| {
            names.iter().position(|n| n == f).ok_or_else(|| NetworkError::UnknownFirm {
                firm: f.to_string(),
                context: format!("{role} of a liability; every firm needs an external row"),
                known: names.join(", "),
            })
        };
        let mut liabilities = Vec::with_capacity(links.len());
        for (d, c, x) in links {
            liabilities.push((find(d, "debtor")?, find(c, "creditor")?, *x));
        }
        let mut external_assets = Vec::with_capacity(external.len());
        let mut external_liabilities = Vec::with_capacity(external.len());
        for (firm, v) in external {
            let [a, l] = v[..] else {
                return Err(NetworkError::Invalid(format!(
                    "external row of `{firm}`: need external_assets and external_liabilities, got {} values",
                    v.len()
                )));
            };
            external_assets.push(a);
            external_liabilities.push(l);
        }
        Ok(ClearingSystem { names, liabilities, external_assets, external_liabilities })
    }
}

/// The clearing vector and what follows from it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clearing {
    /// Total payment of each firm to the creditors in `p̄` (interbank, plus external
    /// creditors when they rank pari passu).
    pub payments: Vec<f64>,
    /// Payments to the other firms only.
    pub interbank_payments: Vec<f64>,
    /// Net worth `e + Πᵀp − (interbank + external liabilities)` (negative when insolvent).
    pub equity: Vec<f64>,
    pub defaults: Vec<usize>,
    /// `p / p̄` (`None` when the firm owes nothing in `p̄`).
    pub recovery: Vec<Option<f64>>,
    /// Rounds of the fictitious-default algorithm (waves of defaults + the final check).
    pub rounds: usize,
}

/// Greatest clearing vector (Eisenberg–Noe; Rogers–Veraart costs).
pub fn clearing(sys: &ClearingSystem, p: &ClearingParams) -> Result<Clearing, NetworkError> {
    let n = sys.names.len();
    if sys.external_assets.len() != n || sys.external_liabilities.len() != n {
        return Err(NetworkError::Invalid("clearing: one external-assets and liabilities row per firm".into()));
    }
    for (name, v) in [("alpha", p.alpha), ("beta", p.beta)] {
        if !(0.0..=1.0).contains(&v) {
            return Err(NetworkError::Invalid(format!("clearing: {name} = {v}; expected a number in [0, 1]")));
        }
    }
    for (i, (&a, &l)) in sys.external_assets.iter().zip(&sys.external_liabilities).enumerate() {
        if !a.is_finite() || a < 0.0 || !l.is_finite() || l < 0.0 {
            return Err(NetworkError::Invalid(format!(
                "clearing: external figures of {} must be finite and ≥ 0",
                sys.names[i]
            )));
        }
    }
    let mut lmat = vec![0.0; n * n];
    for &(d, c, a) in &sys.liabilities {
        if d >= n || c >= n || !a.is_finite() || a < 0.0 {
            return Err(NetworkError::Invalid(format!("clearing: liability ({d}, {c}, {a}) is invalid")));
        }
        if d != c {
            lmat[d * n + c] += a;
        }
    }
    let e = &sys.external_assets;
    let x = &sys.external_liabilities;
    let inter: Vec<f64> = (0..n).map(|i| (0..n).map(|j| lmat[i * n + j]).sum()).collect();
    let pbar: Vec<f64> = (0..n).map(|i| inter[i] + if p.senior_external { 0.0 } else { x[i] }).collect();
    let senior: Vec<f64> = (0..n).map(|i| if p.senior_external { x[i] } else { 0.0 }).collect();
    // Π_ij = L_ij / p̄_i (share of i's payment that reaches firm j)
    let pi = |i: usize, j: usize| if pbar[i] > 0.0 { lmat[i * n + j] / pbar[i] } else { 0.0 };
    let scale = pbar.iter().chain(e.iter()).fold(1.0f64, |a, &b| a.max(b.abs()));
    let tol = 1e-12 * scale;
    let inflow = |pay: &[f64], i: usize| (0..n).map(|j| pi(j, i) * pay[j]).sum::<f64>();
    let mut pay = pbar.clone();
    let mut defaulted = vec![false; n];
    let mut rounds = 0;
    loop {
        rounds += 1;
        let mut changed = false;
        for i in 0..n {
            if !defaulted[i] && e[i] + inflow(&pay, i) - senior[i] < pbar[i] - tol {
                defaulted[i] = true;
                changed = true;
            }
        }
        if !changed || rounds > n + 1 {
            break;
        }
        // solve p_D = α e_D + β Π_·Dᵀ p − senior_D, p_N = p̄_N (a linear system on the defaulters)
        let d: Vec<usize> = (0..n).filter(|&i| defaulted[i]).collect();
        let m = d.len();
        let mut a = DMatrix::<f64>::identity(m, m);
        let mut b = DVector::<f64>::zeros(m);
        for (r, &i) in d.iter().enumerate() {
            let mut rhs = p.alpha * e[i] - senior[i];
            for j in (0..n).filter(|&j| !defaulted[j]) {
                rhs += p.beta * pi(j, i) * pbar[j];
            }
            for (c, &j) in d.iter().enumerate() {
                a[(r, c)] -= p.beta * pi(j, i);
            }
            b[r] = rhs;
        }
        let sol = a.lu().solve(&b);
        match sol {
            Some(sol) if sol.iter().all(|&v| v >= -tol) => {
                for (r, &i) in d.iter().enumerate() {
                    pay[i] = sol[r].clamp(0.0, pbar[i]);
                }
            }
            _ => {
                // some payments would be negative (senior claims exceed assets): the
                // clamped map p_i = max(0, α e_i + β Πᵀp − senior_i) is monotone, so
                // iterating it from the current (upper) payments descends to its greatest
                // fixed point
                for _ in 0..1_000_000 {
                    let mut delta = 0.0f64;
                    for &i in &d {
                        let v = (p.alpha * e[i] + p.beta * inflow(&pay, i) - senior[i]).clamp(0.0, pbar[i]);
                        delta = delta.max((v - pay[i]).abs());
                        pay[i] = v;
                    }
                    if delta <= 1e-15 * scale {
                        break;
                    }
                }
            }
        }
    }
    let interbank: Vec<f64> = (0..n).map(|i| (0..n).map(|j| pi(i, j) * pay[i]).sum()).collect();
    let equity: Vec<f64> = (0..n).map(|i| e[i] + inflow(&pay, i) - inter[i] - x[i]).collect();
    Ok(Clearing {
        recovery: (0..n).map(|i| (pbar[i] > 0.0).then(|| pay[i] / pbar[i])).collect(),
        payments: pay,
        interbank_payments: interbank,
        equity,
        defaults: (0..n).filter(|&i| defaulted[i]).collect(),
        rounds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> ClearingSystem {
        ClearingSystem {
            names: vec!["A".into(), "B".into(), "C".into()],
            liabilities: vec![(0, 1, 4.0), (1, 2, 3.0), (2, 0, 2.0)],
            external_assets: vec![18.0, 18.0, 9.0],
            external_liabilities: vec![17.0, 18.0, 8.0],
        }
    }

    #[test]
    fn clearing_system_from_named_inputs() {
        let links = vec![("A".into(), "B".into(), 4.0), ("B".into(), "C".into(), 3.0), ("C".into(), "A".into(), 2.0)];
        let ext: Vec<(String, Vec<f64>)> =
            vec![("A".into(), vec![18.0, 17.0]), ("B".into(), vec![18.0, 18.0]), ("C".into(), vec![9.0, 8.0])];
        assert_eq!(ClearingSystem::from_named(&links, &ext).unwrap(), toy());
        // a creditor without an external row is refused by name
        let mut bad = links.clone();
        bad.push(("A".into(), "D".into(), 1.0));
        match ClearingSystem::from_named(&bad, &ext) {
            Err(NetworkError::UnknownFirm { firm, context, .. }) => {
                assert_eq!(firm, "D");
                assert!(context.starts_with("creditor"), "{context}");
            }
            other => panic!("expected UnknownFirm, got {other:?}"),
        }
        let short: Vec<(String, Vec<f64>)> = vec![("A".into(), vec![18.0])];
        assert!(matches!(ClearingSystem::from_named(&[], &short), Err(NetworkError::Invalid(_))));
    }

    /// methods-and-references 6.1: payments [3, 3, 2], equity [−1, 0, 2], recovery [0.75, 1, 1].
    #[test]
    fn eisenberg_noe_toy_with_senior_external() {
        let c = clearing(&toy(), &ClearingParams { senior_external: true, ..Default::default() }).unwrap();
        for (a, b) in c.payments.iter().zip([3.0, 3.0, 2.0]) {
            assert!((a - b).abs() < 1e-12, "{:?}", c.payments);
        }
        for (a, b) in c.equity.iter().zip([-1.0, 0.0, 2.0]) {
            assert!((a - b).abs() < 1e-12, "{:?}", c.equity);
        }
        assert_eq!(c.recovery[0], Some(0.75));
        assert_eq!(c.defaults, vec![0]);
    }

    /// Pari passu: A owes 4 + 17 = 21 and holds 18 + 2 = 20 → defaults and pays 20 pro rata;
    /// B then receives 20·4/21 ≈ 3.81 and stays solvent (18 + 3.81 ≥ 3 + 18).
    #[test]
    fn eisenberg_noe_toy_pari_passu() {
        let c = clearing(&toy(), &ClearingParams::default()).unwrap();
        assert_eq!(c.defaults, vec![0]);
        for (a, b) in c.payments.iter().zip([20.0, 21.0, 10.0]) {
            assert!((a - b).abs() < 1e-12, "{:?}", c.payments);
        }
        assert!((c.interbank_payments[0] - 80.0 / 21.0).abs() < 1e-12);
        assert!((c.equity[1] - (18.0 + 80.0 / 21.0 - 21.0)).abs() < 1e-12);
        // Rogers–Veraart costs: A realises 50% of its external assets in default
        let rv = clearing(&toy(), &ClearingParams { alpha: 0.5, beta: 1.0, senior_external: false }).unwrap();
        assert!((rv.payments[0] - (9.0 + 2.0)).abs() < 1e-12, "{:?}", rv.payments);
    }

    /// Once-only DebtRank written the slow, obvious way: every round visits every edge.
    fn naive_once_only(n: usize, edges: &[(usize, usize, f64)], eq: &[f64], shocks: &[(usize, f64)]) -> Vec<f64> {
        let mut h = vec![0.0; n];
        let mut state = vec![0u8; n];
        for &(i, l) in shocks {
            h[i] = l;
            state[i] = u8::from(l > 0.0);
        }
        while state.contains(&1) {
            let mut add = vec![0.0; n];
            // (exposed j, counterparty i, amount): i's distress hits j with min(1, a / E_j)
            for &(j, i, a) in edges {
                if state[i] == 1 {
                    add[j] += (a / eq[j]).min(1.0) * h[i];
                }
            }
            for s in state.iter_mut().filter(|s| **s == 1) {
                *s = 2;
            }
            for j in 0..n {
                h[j] = (h[j] + add[j]).min(1.0);
                if state[j] == 0 && h[j] > 0.0 {
                    state[j] = 1;
                }
            }
        }
        h
    }

    /// The engine (sparse rounds for small frontiers, bitmap rounds for large ones, state
    /// reused between runs) equals the obvious implementation on sparse random graphs.
    #[test]
    fn debtrank_engine_equals_naive_and_reuses_its_state() {
        let n = 400;
        let mut seed = 12345u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut edges = Vec::new();
        for _ in 0..900 {
            let (j, i) = ((next() % n as u64) as usize, (next() % n as u64) as usize);
            if i != j && !edges.iter().any(|e: &(usize, usize, f64)| e.0 == j && e.1 == i) {
                edges.push((j, i, 1.0 + (next() % 50) as f64));
            }
        }
        let eq: Vec<f64> = (0..n).map(|_| 20.0 + (next() % 200) as f64).collect();
        let net = ExposureNetwork::new(
            (0..n).map(|i| format!("f{i}")).collect(),
            eq.iter().map(|&e| Some(e)).collect(),
            edges.clone(),
            vec![true; n],
        )
        .unwrap();
        let mut engine = DebtRankEngine::new(&net);
        let scenarios: Vec<Vec<(usize, f64)>> =
            vec![vec![(3, 1.0)], vec![(7, 0.3), (200, 1.0), (399, 0.05)], vec![(3, 1.0)], vec![(0, 0.0), (150, 0.7)]];
        for sc in &scenarios {
            let run = engine.run(sc, DebtRankVariant::Original).unwrap();
            let want = naive_once_only(n, &edges, &eq, sc);
            for (j, (&a, &b)) in engine.h().iter().zip(&want).enumerate() {
                assert!((a - b).abs() < 1e-13, "{sc:?}: h[{j}] {a} vs {b}");
            }
            let fresh = debt_rank(&net, sc, DebtRankVariant::Original).unwrap();
            assert_eq!(run.debtrank.to_bits(), fresh.debtrank.to_bits(), "reuse changes the result");
            assert_eq!(run.rounds, fresh.rounds);
            assert!(run.rounds > 2, "{sc:?}: the shock should travel");
        }
    }

    /// Hand-computed DebtRank on a 3-chain with a cycle back: A owes B 5 (E_B 10), B owes C 4 (E_C 8),
    /// C owes A 3 (E_A 6). W_AB = 0.5, W_BC = 0.5, W_CA = 0.5. Shock A to 1.
    #[test]
    fn debtrank_hand_computed_and_once_only() {
        let net = ExposureNetwork::from_rows(
            &[("B".into(), "A".into(), 5.0), ("C".into(), "B".into(), 4.0), ("A".into(), "C".into(), 3.0)],
            &[("A".into(), 6.0), ("B".into(), 10.0), ("C".into(), 8.0)],
        )
        .unwrap();
        let r = debt_rank(&net, &[(0, 1.0)], DebtRankVariant::Original).unwrap();
        // round 1: h_B = 0.5; round 2: h_C = 0.25; round 3: C → A but A is inactive (already 1)
        assert_eq!(r.h, vec![Some(1.0), Some(0.5), Some(0.25)]);
        assert_eq!(r.rounds, 3);
        let total = 24.0;
        assert!((r.debtrank - (0.5 * 10.0 + 0.25 * 8.0) / total).abs() < 1e-12);
        // shock A to 0.4: C's stress reaches A again, but A propagates only once
        let r = debt_rank(&net, &[(0, 0.4)], DebtRankVariant::Original).unwrap();
        assert!((r.h[0].unwrap() - (0.4 + 0.5 * 0.1)).abs() < 1e-12);
        assert!((r.h[1].unwrap() - 0.2).abs() < 1e-12);
        assert!((r.h[2].unwrap() - 0.1).abs() < 1e-12);
        // linear: geometric series round the cycle, ratio 0.125: h_A = 0.4 / (1 − 0.125)
        let l = debt_rank(&net, &[(0, 0.4)], DebtRankVariant::Linear).unwrap();
        assert!((l.h[0].unwrap() - 0.4 / 0.875).abs() < 1e-12);
        assert!((l.h[1].unwrap() - 0.2 / 0.875).abs() < 1e-12);
        assert!(l.converged);
    }
}
