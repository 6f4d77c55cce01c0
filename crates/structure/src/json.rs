//! The `--json` documents of the structure commands, built once for the CLI and the Python package.

use crate::rotation::{RotationConfig, RotationScan};
use serde_json::{json, Value};

/// A finite number, or null.
fn finite(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        Value::Null
    }
}

/// `fissure structure rotation`: each ratio's latest value, momentum, z and breakouts with its history; the
/// high-cut-low days (null, with `high_cut_low_note`, when they cannot be computed); the ratios skipped with
/// their reasons; the configuration.
pub fn rotation(scan: &RotationScan, cfg: &RotationConfig) -> Value {
    let ratios: Vec<Value> = scan
        .ratios
        .iter()
        .map(|r| {
            let l = r.latest();
            let history: Vec<Value> = r
                .dates
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    json!({"date": d, "ratio": r.ratio[i], "momentum_pct": finite(r.momentum_pct[i]), "z": finite(r.z[i])})
                })
                .collect();
            json!({"name": r.name, "date": l.map(|x| x.0), "ratio": l.map(|x| x.1), "momentum_pct": l.map(|x| x.2),
                   "z": l.map(|x| x.3), "breakouts": r.breakouts, "history": history})
        })
        .collect();
    let skipped: Vec<Value> = scan.skipped.iter().map(|(name, why)| json!({"ratio": name, "reason": why})).collect();
    json!({
        "ratios": ratios,
        "high_cut_low_days": scan.high_cut_low.as_ref().ok(),
        "high_cut_low_note": scan.high_cut_low.as_ref().err(),
        "skipped": skipped,
        "config": cfg,
    })
}
