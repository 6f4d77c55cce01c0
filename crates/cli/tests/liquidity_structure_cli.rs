//! `fissure liquidity|regime|structure` end to end on the bundled data (JSON keys of issue 5).

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn fissure_json(store: &Path, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_fissure"))
        .arg("--store")
        .arg(store)
        .args(args)
        .arg("--json")
        .env("NO_COLOR", "1")
        .output()
        .expect("running fissure");
    assert!(out.status.success(), "fissure {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn has(v: &Value, keys: &[&str]) {
    for k in keys {
        assert!(v.get(k).is_some(), "missing key `{k}` in {}", v.to_string().chars().take(300).collect::<String>());
    }
}

#[test]
fn liquidity_regime_structure_commands() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.sqlite");
    let st = Command::new(env!("CARGO_BIN_EXE_fissure"))
        .arg("--store")
        .arg(&store)
        .args(["ingest", "--demo"])
        .output()
        .unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));

    let idx = fissure_json(&store, &["liquidity", "index"]);
    has(&idx, &["series", "loadings", "contributions", "correlation"]);
    let r = idx["correlation"]["STLFSI4"]["correlation"].as_f64().unwrap();
    assert!(r > 0.85, "{r}");
    assert_eq!(idx["loadings"].as_array().unwrap().len(), 12);

    let carry = fissure_json(&store, &["liquidity", "carry"]);
    has(&carry, &["indicator", "series", "episodes", "betas"]);
    assert!(carry["episodes"].as_array().unwrap().iter().any(|e| e["peak"] == "2024-08-05"));
    let rates = fissure_json(&store, &["liquidity", "rates", "gold", "ai"]);
    assert_eq!(rates["betas"].as_array().unwrap().len(), 2);

    // the switching-constant Fed funds model on the stored monthly series
    let m = fissure_json(&store, &["regime", "markov", "FEDFUNDS", "--k", "2"]);
    has(&m, &["params", "loglik", "transition", "expected_durations", "filtered", "smoothed", "std_errors"]);
    assert!(m["params"].get("p[0->0]").is_some() && m["params"].get("const[1]").is_some());
    assert_eq!(m["filtered"].as_array().unwrap().len(), m["nobs"].as_u64().unwrap() as usize);
    let w = fissure_json(
        &store,
        &[
            "regime",
            "markov",
            "SPX",
            "--weekly",
            "--returns",
            "log",
            "--scale",
            "100",
            "--switching-variance",
            "--from",
            "2000-01-01",
        ],
    );
    assert!(w["params"].get("sigma2[1]").is_some());

    let c = fissure_json(&store, &["structure", "concentration"]);
    has(&c, &["latest", "leaders", "history"]);
    assert!(c["latest"]["group_share"].as_f64().unwrap() > 1.0 / 3.0);
    let rot = fissure_json(&store, &["structure", "rotation"]);
    has(&rot, &["ratios", "high_cut_low_days"]);
    assert!(rot["high_cut_low_days"].as_array().unwrap().iter().any(|d| d["date"] == "2026-02-06"));
}
