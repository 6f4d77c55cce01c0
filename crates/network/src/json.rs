//! The `--json` documents of `fissure network` and `fissure capex`, built in one place for every caller (the
//! CLI, the Python package). Each function takes the library's results and the options that shape the
//! document; the keys are documented in docs/network.md.

use crate::capex::{self, Intensity, Method};
use crate::claims::{ClaimCheck, Verdict};
use crate::cycles::CycleSearch;
use crate::graph::CycleInfo;
use crate::stress::{ClearingParams, ClearingSystem, DebtRank, ExposureNetwork};
use crate::{stress, NetworkError};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The note of `capex gap` without fundamentals.
pub const NO_FUNDAMENTALS: &str = "no fundamentals: the bundle has no audited financial statements; pass --fundamentals FILE (or store one with `fissure network ingest --fundamentals FILE`)";

/// The note of `capex claims`.
pub const CLAIMS_NOTE: &str =
    "the bundle has no audited financial statements; firm-level figures are checkable only with a fundamentals file";

/// `network cycles`: the count of every cycle and the listed ones (at most the limit).
pub fn cycles(search: &CycleSearch, max_len: Option<usize>, list: &[CycleInfo]) -> Value {
    json!({ "count": search.count, "listed": list.len(), "max_len": max_len, "cycles": list })
}

/// `network debtrank`: the result by firm name; `shocks` as given (FIRM, initial loss).
pub fn debtrank(net: &ExposureNetwork, r: &DebtRank, shocks: &[(String, f64)], deals_without_amount: usize) -> Value {
    let h: BTreeMap<&str, Option<f64>> = net.names.iter().map(String::as_str).zip(r.h.iter().copied()).collect();
    let unknown: Vec<&str> =
        net.names.iter().zip(&net.equity).filter(|(_, e)| e.is_none()).map(|(n, _)| n.as_str()).collect();
    let defaults: Vec<&str> = r.defaults.iter().map(|&i| net.names[i].as_str()).collect();
    let shocks_out: BTreeMap<&str, f64> = shocks.iter().map(|(f, l)| (f.as_str(), *l)).collect();
    json!({
        "variant": r.variant,
        "shocks": shocks_out,
        "debtrank": r.debtrank,
        "h": h,
        "rounds": r.rounds,
        "converged": r.converged,
        "equity_loss_usd_bn": r.equity_loss_usd_bn,
        "initial_loss_usd_bn": r.initial_loss_usd_bn,
        "defaults": defaults,
        "price_shocks": r.price_shocks(net),
        "unknown_size": unknown,
        "deals_without_amount": deals_without_amount,
    })
}

/// `network clearing`: the clearing vector and its consequences by firm name.
pub fn clearing(sys: &ClearingSystem, p: &ClearingParams, c: &stress::Clearing) -> Value {
    let names = &sys.names;
    let by = |v: &[f64]| -> BTreeMap<String, f64> { names.iter().cloned().zip(v.iter().copied()).collect() };
    let defaults: Vec<&str> = c.defaults.iter().map(|&i| names[i].as_str()).collect();
    let rec: BTreeMap<String, Option<f64>> = names.iter().cloned().zip(c.recovery.iter().copied()).collect();
    json!({
        "payments": by(&c.payments),
        "interbank_payments": by(&c.interbank_payments),
        "equity": by(&c.equity),
        "defaults": defaults,
        "recovery": rec,
        "rounds": c.rounds,
        "alpha": p.alpha,
        "beta": p.beta,
        "external_liabilities": if p.senior_external { "senior" } else { "pari_passu" },
    })
}

/// `capex gap`: intensity rows, or the note saying why there are none.
pub fn capex_gap(rows: &[Intensity]) -> Value {
    json!({ "rows": rows, "note": rows.is_empty().then_some(NO_FUNDAMENTALS) })
}

/// `capex required-revenue`: the required revenue by both methods, the sensitivity grid and, with a stated
/// `revenue`, the break-even margins and the implied life.
pub fn required_revenue(
    capex_usd_bn: f64,
    hurdle: f64,
    life: f64,
    margin: f64,
    method: Method,
    revenue: Option<f64>,
) -> Result<Value, NetworkError> {
    let r = capex::required_revenue(capex_usd_bn, hurdle, life, margin, method)?;
    let other = match method {
        Method::Annuity => Method::StraightLine,
        Method::StraightLine => Method::Annuity,
    };
    let r_other = capex::required_revenue(capex_usd_bn, hurdle, life, margin, other)?;
    let sens = capex::sensitivity(capex_usd_bn, &capex::HURDLES, &capex::LIVES, &capex::MARGINS)?;
    let be = match revenue {
        Some(rev) => Some((
            capex::break_even(capex_usd_bn, rev, &capex::HURDLES, &capex::LIVES)?,
            capex::implied_life(capex_usd_bn, rev, hurdle, margin),
        )),
        None => None,
    };
    Ok(json!({
        "required_revenue_usd_bn": r,
        "method": method,
        "capex_usd_bn": capex_usd_bn,
        "hurdle": hurdle,
        "life_years": life,
        "margin": margin,
        "other_method": { "method": other, "required_revenue_usd_bn": r_other },
        "sensitivity": sens,
        "break_even": be.as_ref().map(|(b, n)| json!({
            "revenue_usd_bn": revenue,
            "implied_margins": b,
            "implied_life_years": n,
        })),
    }))
}

/// `capex claims`: every checked claim and the count of each verdict.
pub fn capex_claims(checks: &[ClaimCheck]) -> Value {
    let count = |v: Verdict| checks.iter().filter(|c| c.verdict == v).count();
    json!({
        "claims": checks,
        "consistent": count(Verdict::Consistent),
        "inconsistent": count(Verdict::Inconsistent),
        "not_checkable": count(Verdict::NotCheckable),
        "note": CLAIMS_NOTE,
    })
}
