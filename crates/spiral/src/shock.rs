//! Shocks: exogenous moves applied on the first simulated day.
//!
//! Syntax `ASSET=MOVE`: `SPX=-0.05` or `SPX=-5%` (a return), `US10Y=+25bp` (a yield
//! change, mapped to every asset declaring that `yield_id` as −duration·Δy),
//! `BOJ=+25bp` (a Bank of Japan policy-rate rise; it moves no price by itself and
//! acts through the carry traders).

use crate::market::Market;
use crate::{Result, SpiralError};
use serde::Serialize;

/// A parsed shock set, resolved against a market.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shock {
    /// Exogenous return added to day 1, per asset.
    pub moves: Vec<f64>,
    /// BoJ policy-rate change (decimal: 0.0025 = 25 bp).
    pub boj: f64,
    /// Assets moved directly by a spec (the others only through propagation).
    pub direct: Vec<bool>,
    /// Whether unshocked assets received their conditional-mean move.
    pub propagated: bool,
    /// The specs as given.
    pub specs: Vec<String>,
}

/// One `ASSET=MOVE` item before resolution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShockSpec {
    pub target: String,
    /// Decimal move (return or yield change).
    pub value: f64,
    pub text: String,
}

/// Parses `ASSET=MOVE` (`-0.05`, `-5%`, `+25bp`).
pub fn parse_spec(s: &str) -> Result<ShockSpec> {
    let err = |msg: &str| SpiralError::Shock { spec: s.to_string(), msg: msg.to_string() };
    let (target, mv) = s.split_once('=').ok_or_else(|| err("expected ASSET=MOVE, e.g. SPX=-0.05, US10Y=+25bp"))?;
    let target = target.trim();
    if target.is_empty() {
        return Err(err("empty asset id"));
    }
    let mv = mv.trim().to_ascii_lowercase();
    let (num, scale) = if let Some(x) = mv.strip_suffix("bp") {
        (x, 1e-4)
    } else if let Some(x) = mv.strip_suffix('%') {
        (x, 1e-2)
    } else {
        (mv.as_str(), 1.0)
    };
    let v: f64 = num.trim().trim_start_matches('+').parse().map_err(|_| err("the move is not a number"))?;
    let value = v * scale;
    if !value.is_finite() {
        return Err(err("the move is not finite"));
    }
    Ok(ShockSpec { target: target.to_string(), value, text: s.to_string() })
}

impl Shock {
    /// No shock.
    pub fn none(k: usize) -> Shock {
        Shock { moves: vec![0.0; k], boj: 0.0, direct: vec![false; k], specs: Vec::new(), propagated: false }
    }

    /// Resolves specs against the market's assets and yields. Returns below −95% are refused.
    pub fn resolve(specs: &[ShockSpec], market: &Market) -> Result<Shock> {
        let mut sh = Shock::none(market.k());
        for sp in specs {
            let err = |msg: String| SpiralError::Shock { spec: sp.text.clone(), msg };
            if sp.target.eq_ignore_ascii_case("BOJ") {
                if sp.value.abs() > 0.05 {
                    return Err(err("a BoJ move beyond ±500 bp".into()));
                }
                sh.boj += sp.value;
            } else if let Some(j) = market.index(&sp.target) {
                if !(sp.value > -0.95 && sp.value < 10.0) {
                    return Err(err(format!("return {} outside (−0.95, 10)", sp.value)));
                }
                sh.moves[j] += sp.value;
                sh.direct[j] = true;
            } else {
                let mut hit = false;
                for (j, y) in market.yields.iter().enumerate() {
                    if let Some((id, dur)) = y {
                        if id.eq_ignore_ascii_case(&sp.target) {
                            if sp.value.abs() > 0.05 {
                                return Err(err("a yield move beyond ±500 bp".into()));
                            }
                            sh.moves[j] += -dur * sp.value;
                            sh.direct[j] = true;
                            hit = true;
                        }
                    }
                }
                if !hit {
                    let mut known: Vec<String> = market.ids.clone();
                    known.extend(market.yields.iter().flatten().map(|(id, _)| id.clone()));
                    known.push("BOJ".into());
                    return Err(SpiralError::UnknownAsset(sp.target.clone(), known.join(", ")));
                }
            }
            sh.specs.push(sp.text.clone());
        }
        Ok(sh)
    }

    /// Resolves `specs` and, when the configuration asks for it, propagates them.
    pub fn build(specs: &[ShockSpec], market: &Market, cfg: &crate::SpiralConfig) -> Result<Shock> {
        let s = Shock::resolve(specs, market)?;
        Ok(if cfg.simulation.propagate_shock { s.propagate(market) } else { s })
    }

    /// Gives every asset not shocked directly its conditional mean under the
    /// window's Gaussian: f_R = Σ_RS·Σ_SS⁻¹·s_S (the covariance from the market's
    /// Cholesky factor). Unchanged when no asset or every asset is shocked.
    pub fn propagate(mut self, market: &Market) -> Shock {
        let k = market.k();
        let s_idx: Vec<usize> = (0..k).filter(|&j| self.direct[j]).collect();
        if s_idx.is_empty() || s_idx.len() == k || market.chol.len() != k * k {
            return self;
        }
        let cov = |i: usize, j: usize| -> f64 { (0..k).map(|p| market.chol[i * k + p] * market.chol[j * k + p]).sum() };
        let n = s_idx.len();
        let sss = nalgebra::DMatrix::from_fn(n, n, |a, b| cov(s_idx[a], s_idx[b]));
        let sv = nalgebra::DVector::from_fn(n, |a, _| self.moves[s_idx[a]]);
        let Some(sol) = sss.cholesky().map(|c| c.solve(&sv)) else {
            return self;
        };
        for j in 0..k {
            if !self.direct[j] {
                self.moves[j] = (0..n).map(|a| cov(j, s_idx[a]) * sol[a]).sum();
            }
        }
        self.propagated = true;
        self
    }
}
