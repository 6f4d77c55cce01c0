//! The `--json` documents of `fissure risk`, built in one place for every caller (the CLI, the Python
//! package). Each function takes the library's results and the options that shape the document; the keys are
//! documented in docs/risk.md.

use crate::backtest::BacktestResult;
use crate::cash::{AdviceRow, CashResult};
use crate::portfolio::Portfolio;
use crate::scenario::Replay;
use crate::shock::{self, Moves, ShockResult};
use crate::var::VarResult;
use chrono::NaiveDate;
use serde_json::{json, Value};

/// The portfolio block of every document: holdings, cash, leverage, base currency, valuation date.
pub fn portfolio(pf: &Portfolio, as_of: NaiveDate) -> Value {
    json!({"holdings": pf.holdings, "cash": pf.cash, "leverage": pf.leverage(),
        "base_currency": pf.base_currency, "as_of": as_of})
}

/// `risk var`: one method's result with the portfolio, or `{portfolio, results}` for several.
pub fn var(portfolio: Value, results: &[VarResult]) -> serde_json::Result<Value> {
    let mut vals: Vec<Value> = results.iter().map(serde_json::to_value).collect::<Result<_, _>>()?;
    if vals.len() == 1 {
        let mut v = vals.remove(0);
        v["portfolio"] = portfolio;
        return Ok(v);
    }
    Ok(json!({"portfolio": portfolio, "results": vals}))
}

/// `risk backtest`.
pub fn backtest(portfolio: Value, level: f64, window: u16, methods: &[BacktestResult]) -> Value {
    json!({"portfolio": portfolio, "level": level, "window": window, "methods": methods})
}

/// `risk scenarios`: each replay (with its P&L path when `paths`), and the scenarios skipped with the reason.
pub fn scenarios<'a>(
    portfolio: Value,
    replays: impl IntoIterator<Item = &'a Replay>,
    paths: bool,
    skipped: &[String],
) -> Value {
    let v: Vec<Value> = replays
        .into_iter()
        .map(|r| {
            let mut v = json!({"name": r.name, "start": r.start, "end": r.end, "pnl_pct": r.pnl_pct, "worst_pct": r.worst_pct,
                "worst_date": r.worst_date, "contributions": r.contributions, "proxies": r.proxies});
            if paths {
                v["path"] = json!(r
                    .path_dates
                    .iter()
                    .zip(&r.path_pct)
                    .map(|(d, p)| json!({"date": d, "pnl_pct": p}))
                    .collect::<Vec<_>>());
            }
            v
        })
        .collect();
    json!({"portfolio": portfolio, "scenarios": v, "skipped": skipped})
}

/// `risk shock`: the conditional moves of every variable (`moves` says which are rate changes).
pub fn shock(portfolio: Value, moves: &Moves, r: &ShockResult) -> Value {
    let assets: Vec<Value> = r
        .variables
        .iter()
        .zip(&moves.is_change)
        .map(|(v, c)| json!({"id": v.id, "shocked": v.shocked, "kind": if *c {"change"} else {"return"}, "mean": v.mean, "sd": v.sd, "q05": v.q05, "q95": v.q95}))
        .collect();
    json!({"portfolio_holdings": portfolio, "cov": r.cov, "horizon": r.horizon, "shocks": r.shocks,
        "assets": assets, "portfolio": r.portfolio, "observations": r.observations, "nu": r.nu})
}

/// `risk reverse`: the most plausible move costing `loss` (Mahalanobis distance `d` under the covariance
/// estimated on `observations` days; `stressed`: co-crash days) and its Gaussian tail probability.
#[allow(clippy::too_many_arguments)]
pub fn reverse(
    portfolio: Value,
    pf: &Portfolio,
    moves: &Moves,
    loss: f64,
    horizon: usize,
    stressed: bool,
    d: f64,
    implied: &[(String, f64)],
    observations: usize,
) -> Value {
    let is_holding = |id: &str| pf.holdings.iter().any(|h| h.id == id);
    let change = |id: &str| moves.index(id).map(|j| moves.is_change[j]).unwrap_or(false);
    let mv_json: Vec<Value> = implied
        .iter()
        .map(|(id, m)| json!({"id": id, "move": m, "holding": is_holding(id), "kind": if change(id) {"change"} else {"return"}}))
        .collect();
    json!({"portfolio": portfolio, "loss": loss, "horizon": horizon, "cov": if stressed {"stressed"} else {"full"},
        "mahalanobis": d, "probability": shock::normal_tail(d), "moves": mv_json, "observations": observations})
}

/// `risk cash`: the cash share needed in the worst scenario, each scenario, and the advice check.
pub fn cash(portfolio: Value, scenarios: &[CashResult], advice: &[AdviceRow], skipped: &[String]) -> Value {
    let need = scenarios.iter().map(|r| r.required_cash_share).fold(0.0, f64::max);
    json!({"portfolio": portfolio, "required_cash_share": need, "scenarios": scenarios, "advice": advice, "skipped": skipped})
}
