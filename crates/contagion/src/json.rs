//! The `--json` documents of the contagion commands, built once for the CLI and the Python package.

use crate::dcc::DccFit;
use crate::panel::ReturnRows;
use serde_json::{json, Value};

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
