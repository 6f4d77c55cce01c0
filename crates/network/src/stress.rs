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
    debt_rank_with(net, &net.impacts(), shocks, variant)
}

/// [`debt_rank`] with the impact matrix computed once (`net.impacts()`), for many scenarios.
pub fn debt_rank_with(
    net: &ExposureNetwork,
    w: &Impacts,
    shocks: &[(usize, f64)],
    variant: DebtRankVariant,
) -> Result<DebtRank, NetworkError> {
    let n = net.names.len();
    if shocks.is_empty() {
        return Err(NetworkError::Invalid("DebtRank needs at least one shock FIRM=LOSS".into()));
    }
    let mut h0 = vec![0.0; n];
    for &(i, l) in shocks {
        if i >= n || !(0.0..=1.0).contains(&l) {
            return Err(NetworkError::Invalid(format!("shock {l} on firm {i}: the loss must lie in [0, 1]")));
        }
        h0[i] = l;
    }
    let mut h = h0.clone();
    let mut rounds = 0;
    let mut converged = true;
    match variant {
        DebtRankVariant::Original => {
            // 0 = undistressed, 1 = distressed, 2 = inactive
            let mut state: Vec<u8> = h0.iter().map(|&x| u8::from(x > 0.0)).collect();
            let mut distressed: Vec<usize> = (0..n).filter(|&i| state[i] == 1).collect();
            let mut add = vec![0.0; n];
            let mut touched = Vec::new();
            while !distressed.is_empty() {
                rounds += 1;
                for &i in &distressed {
                    let (ts, ws) = w.row(i);
                    let hi = h[i];
                    for (&j, &wij) in ts.iter().zip(ws) {
                        let j = j as usize;
                        if add[j] == 0.0 {
                            touched.push(j);
                        }
                        add[j] += wij * hi;
                    }
                }
                for &i in &distressed {
                    state[i] = 2;
                }
                let mut next = Vec::new();
                for &j in &touched {
                    h[j] = (h[j] + add[j]).min(1.0);
                    add[j] = 0.0;
                    if state[j] == 0 && h[j] > 0.0 {
                        state[j] = 1;
                        next.push(j);
                    }
                }
                touched.clear();
                // `touched` lists each firm once, so `next` has no duplicates
                distressed = next;
            }
        }
        DebtRankVariant::Linear => {
            const MAX_ROUNDS: usize = 10_000;
            let mut delta = h0.clone();
            let mut active: Vec<usize> = (0..n).filter(|&i| delta[i] > 0.0).collect();
            let mut add = vec![0.0; n];
            let mut touched = Vec::new();
            converged = false;
            while !active.is_empty() {
                if rounds == MAX_ROUNDS {
                    break;
                }
                rounds += 1;
                for &i in &active {
                    let (ts, ws) = w.row(i);
                    let di = delta[i];
                    for (&j, &wij) in ts.iter().zip(ws) {
                        let j = j as usize;
                        if add[j] == 0.0 {
                            touched.push(j);
                        }
                        add[j] += wij * di;
                    }
                }
                for &i in &active {
                    delta[i] = 0.0;
                }
                let mut next = Vec::new();
                for &j in &touched {
                    let new = (h[j] + add[j]).min(1.0);
                    let d = new - h[j];
                    add[j] = 0.0;
                    h[j] = new;
                    if d > 1e-14 {
                        delta[j] += d;
                        next.push(j);
                    }
                }
                touched.clear();
                active = next;
            }
            converged = converged || active.is_empty();
        }
    }
    let total: f64 = net.equity.iter().flatten().sum();
    let mut dr = 0.0;
    let mut loss = 0.0;
    let mut init = 0.0;
    for i in 0..n {
        if let Some(e) = net.equity[i] {
            dr += (h[i] - h0[i]) * e / total;
            loss += h[i] * e;
            init += h0[i] * e;
        }
    }
    let hs = (0..n).map(|i| (net.equity[i].is_some() || h0[i] > 0.0).then_some(h[i])).collect();
    Ok(DebtRank {
        variant,
        debtrank: if total > 0.0 { dr } else { 0.0 },
        h: hs,
        defaults: (0..n).filter(|&i| h[i] >= 1.0 - 1e-12).collect(),
        h0,
        rounds,
        converged,
        equity_loss_usd_bn: loss,
        initial_loss_usd_bn: init,
    })
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
