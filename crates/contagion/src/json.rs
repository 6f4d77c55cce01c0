//! The `--json` documents of the contagion commands, built once for the CLI and the Python package.

use crate::absorption::AbsorptionSeries;
use crate::cocrash::CoCrashScan;
use crate::corr::{
    average_pairwise, correlation_matrix, ewma_correlation_matrices, fisher_band, pair_correlation,
    rolling_correlation_matrices,
};
use crate::dcc::DccFit;
use crate::garch::GarchFit;
use crate::panel::ReturnRows;
use crate::spillover::{RollingSpillover, Spillover};
use crate::turbulence::{expanding_percentile, TurbulenceSeries};
use crate::{ContagionError, Result};
use chrono::NaiveDate;
use serde_json::{json, Value};

/// `fissure contagion corr`: the latest rolling (`window`) or EWMA (`ewma` = λ, `window` the warm-up)
/// correlation matrix of the aligned returns `r`, each pair's Fisher-z band (rolling only; null for EWMA),
/// percentile in its own history and full-sample value, the average pairwise correlation and its
/// percentile, and for two series the whole rolling path. Refuses a rolling window longer than the returns.
pub fn correlations(r: &ReturnRows, window: usize, ewma: Option<f64>, conf: f64) -> Result<Value> {
    let n = r.names.len();
    if ewma.is_none() && r.rows.len() < window {
        return Err(ContagionError::Invalid(format!(
            "the {window}-observation window is longer than the {} common returns of {}",
            r.rows.len(),
            r.names.join(", ")
        )));
    }
    let (mats, first_end, method) = match ewma {
        Some(l) => (
            ewma_correlation_matrices(&r.rows, l, window.min(r.rows.len()))?,
            window.min(r.rows.len()) - 1,
            format!("ewma(lambda={l})"),
        ),
        None => (rolling_correlation_matrices(&r.rows, window)?, window - 1, format!("rolling({window})")),
    };
    let no = |what: &str| ContagionError::Invalid(format!("no {what}"));
    let last = mats.last().ok_or_else(|| no("correlation computed"))?;
    let matrix: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| last[(i, j)]).collect()).collect();
    let as_of = *r.dates.last().ok_or_else(|| no("dates"))?;
    let full = correlation_matrix(&r.rows)?;
    let avg_hist: Vec<f64> = mats.iter().map(average_pairwise).collect();
    let avg_pct = expanding_percentile(&avg_hist).last().copied().unwrap_or(f64::NAN);
    let mut pairs = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            let hist: Vec<f64> = mats.iter().map(|m| m[(i, j)]).collect();
            let pct = expanding_percentile(&hist).last().copied().unwrap_or(f64::NAN);
            let (lo, hi) = if ewma.is_some() { (f64::NAN, f64::NAN) } else { fisher_band(matrix[i][j], window, conf) };
            pairs.push(json!({"a": r.names[i], "b": r.names[j], "corr": matrix[i][j], "lower": lo, "upper": hi,
                "percentile": pct, "full_sample": full[(i, j)]}));
        }
    }
    let mut out = json!({
        "names": r.names, "method": method, "as_of": as_of, "from": r.dates[first_end.min(r.dates.len() - 1)],
        "matrix": matrix, "average_pairwise": average_pairwise(last), "average_pairwise_percentile": avg_pct, "pairs": pairs,
    });
    if n == 2 && ewma.is_none() {
        let p = pair_correlation(&r.names[0], &r.names[1], &r.column(0), &r.column(1), window, conf)?;
        let dates: Vec<NaiveDate> = p.end_index.iter().map(|&i| r.dates[i]).collect();
        out["series"] =
            json!({"dates": dates, "corr": p.corr, "lower": p.lower, "upper": p.upper, "percentile": p.percentile});
    }
    Ok(out)
}

/// `fissure contagion dcc`: the two-step DCC(1,1) fit on the aligned returns `r` — parameters, each series' GARCH,
/// the latest correlation matrix, Q̄, the per-series warnings and, with `paths`, every pair's correlation path.
/// `None` when the fit has no correlation path (no observations).
pub fn dcc(r: &ReturnRows, fit: &DccFit, paths: bool) -> Option<Value> {
    let n = r.names.len();
    let last = fit.correlations.last()?;
    let matrix: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| last[i * n + j]).collect()).collect();
    let garch: Vec<Value> = fit
        .garch
        .iter()
        .zip(&r.names)
        .map(|(g, name)| json!({"id": name, "mu": g.mu, "omega": g.omega, "alpha": g.alpha, "beta": g.beta, "nu": g.nu, "loglik": g.loglik}))
        .collect();
    let mut out = json!({"names": r.names, "from": r.dates.first(), "to": r.dates.last(), "nobs": r.rows.len(), "a": fit.a, "b": fit.b,
        "loglik": fit.loglik, "loglik_correlation": fit.loglik_correlation, "garch": garch, "latest_correlation": matrix, "qbar": fit.qbar,
        "warnings": fit.warnings});
    if paths {
        let mut p = serde_json::Map::new();
        for i in 0..n {
            for j in i + 1..n {
                p.insert(format!("{}|{}", r.names[i], r.names[j]), json!(fit.pair(i, j)));
            }
        }
        out["dates"] = json!(r.dates);
        out["paths"] = Value::Object(p);
    }
    Some(out)
}

/// `fissure contagion cocrash`: the calendar, threshold, volatility window and classes; the flagged days within
/// [from, to] with their class moves, assets down and flags; each class's tail co-exceedance with equities.
pub fn cocrash(
    scan: &CoCrashScan,
    threshold: f64,
    vol_window: usize,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Value {
    let days: Vec<Value> = scan
        .days_between(from, to)
        .iter()
        .map(|d| {
            json!({"date": d.date, "breadth": d.breadth, "classes_available": d.classes_available, "classes_down": d.classes_down,
                "class_moves": d.class_moves.iter().map(|(c, m)| json!({"class": c, "sigma_move": m})).collect::<Vec<_>>(),
                "assets_down": d.assets_down, "flags": {"indiscriminate": d.indiscriminate, "safe_haven_failure": d.safe_haven_failure}})
        })
        .collect();
    let coex: Vec<Value> = scan
        .coexceedance
        .iter()
        .map(|(c, l, f)| {
            json!({"given": "equities", "class": c, "last_250d": l.is_finite().then_some(*l),
                   "full_history": f.is_finite().then_some(*f)})
        })
        .collect();
    json!({"calendar": scan.calendar, "threshold_sigma": threshold, "vol_window": vol_window,
        "classes": scan.classes.iter().map(|(i, c)| json!({"id": i, "class": c})).collect::<Vec<_>>(), "days": days,
        "coexceedance": coex})
}

/// `fissure contagion spillover`: the Diebold–Yilmaz table of the returns `r` (VAR order, horizon,
/// identification, sample, total, to/from/net, pairwise net, net edges) and, when it was run, the rolling
/// total and net spillovers (`rolling`: the window and step; null otherwise).
pub fn spillover(r: &ReturnRows, s: &Spillover, rolling: Option<(usize, usize, &RollingSpillover)>) -> Value {
    let mut out = json!({"names": s.names, "p": s.p, "horizon": s.horizon, "identification": s.identification,
        "from_date": r.dates.first(), "to_date": r.dates.last(), "nobs": r.rows.len(),
        "total": s.total, "table": s.table, "to": s.to, "from": s.from, "net": s.net, "pairwise_net": s.pairwise_net,
        "edges": s.net_edges(0.0)});
    if let Some((w, step, rs)) = rolling {
        let dates: Vec<NaiveDate> = rs.end_index.iter().map(|&i| r.dates[i]).collect();
        out["rolling"] = json!({"window": w, "step": step, "dates": dates, "total": rs.total, "net": rs.net});
    }
    out
}

/// `fissure contagion absorption`: the absorption ratio of the returns `r` by window end (with ΔAR, null where
/// undefined, and AR's expanding percentile).
pub fn absorption(r: &ReturnRows, s: &AbsorptionSeries, window: usize, half_life: f64) -> Value {
    let dates: Vec<NaiveDate> = s.end_index.iter().map(|&i| r.dates[i]).collect();
    let delta: Vec<Option<f64>> = s.delta_ar.iter().map(|v| v.is_finite().then_some(*v)).collect();
    json!({"names": r.names, "n_top": s.n_top, "window": window, "half_life": half_life,
        "dates": dates, "ar": s.ar, "delta_ar": delta, "ar_percentile": expanding_percentile(&s.ar)})
}

/// `fissure contagion turbulence`: Kritzman–Li turbulence of the returns `r` by day, normalised, its magnitude
/// and correlation-surprise parts, and its expanding percentile.
pub fn turbulence(r: &ReturnRows, t: &TurbulenceSeries, window: usize) -> Value {
    let dates: Vec<NaiveDate> = t.index.iter().map(|&i| r.dates[i]).collect();
    json!({"names": r.names, "window": window, "dates": dates, "turbulence": t.turbulence, "normalized": t.normalized,
        "magnitude": t.magnitude, "correlation_surprise": t.correlation_surprise,
        "percentile": expanding_percentile(&t.turbulence)})
}

/// `fissure contagion garch`: the fit of the returns of [`crate::panel::garch_returns`] (days `keep` of `s`) — parameters with
/// robust standard errors, persistence, the last conditional volatility (daily and annualised), warnings — and,
/// with `path`, the conditional volatility by date.
pub fn garch(s: &fissure_core::Series, keep: &[usize], log: bool, fit: &GarchFit, path: bool) -> Value {
    let d = s.dates();
    let mut params = serde_json::Map::new();
    let mut ses = serde_json::Map::new();
    for ((n, p), e) in fit.param_names.iter().zip(&fit.params).zip(&fit.std_errors) {
        params.insert(n.clone(), json!(p));
        ses.insert(n.clone(), json!(e));
    }
    let last_vol = fit.conditional_volatility.last().copied().unwrap_or(f64::NAN);
    let mut out = json!({
        "id": s.id(), "returns": if log { "100 × log returns" } else { "100 × simple returns" },
        "from": keep.first().map(|&i| d[i]), "to": keep.last().map(|&i| d[i]),
        "nobs": fit.nobs, "dist": fit.spec.dist, "gjr": fit.spec.gjr,
        "mu": fit.mu, "omega": fit.omega, "alpha": fit.alpha, "gamma": fit.gamma, "beta": fit.beta, "nu": fit.nu,
        "persistence": fit.persistence, "loglik": fit.loglik, "params": params, "std_errors": ses,
        "std_error_type": "robust (Bollerslev–Wooldridge sandwich, as arch cov_type='robust')",
        "last_volatility": last_vol, "last_volatility_annualized": last_vol * 252f64.sqrt(),
        "integrated": fit.integrated, "warnings": fit.warnings,
    });
    if path {
        out["conditional_volatility"] =
            json!({"dates": keep.iter().map(|&i| d[i]).collect::<Vec<_>>(), "value": fit.conditional_volatility});
    }
    out
}
