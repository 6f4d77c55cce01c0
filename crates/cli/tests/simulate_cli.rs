//! `fissure simulate` end to end on the bundled data (JSON keys of issue 13).

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn fissure(store: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_fissure")).arg("--store").arg(store).args(args).output().expect("running fissure")
}

fn fissure_json(store: &Path, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let out = fissure(store, &a);
    assert!(out.status.success(), "fissure {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn simulate_spiral_replay_and_params() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.sqlite");
    let st = fissure(&store, &["ingest", "--demo"]);
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));

    let v = fissure_json(&store, &["simulate", "spiral", "--shock", "SPX=-0.05", "--paths", "200", "--steps", "10"]);
    for k in ["amplification", "returns", "flows", "forced_sales", "params"] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    let a = &v["amplification"];
    let (p05, med, p95) = (a["p05"].as_f64().unwrap(), a["median"].as_f64().unwrap(), a["p95"].as_f64().unwrap());
    assert!(p05 <= med && med <= p95 && med > 1.0, "{a}");
    assert!(v["returns"]["SPX"]["median"].as_f64().unwrap() < -0.05);
    assert!(v["returns"]["GOLD"]["bands"].as_array().unwrap().len() >= 2);
    assert!(v["flows"]["margin"]["net_sales"]["median"].as_f64().unwrap() > 0.0);
    assert_eq!(v["params"]["paths"], 200);

    // --no-agents all: exactly 1.
    let n = fissure_json(&store, &["simulate", "spiral", "--shock", "SPX=-5%", "--paths", "50", "--no-agents", "all"]);
    for q in ["p05", "median", "p95"] {
        assert_eq!(n["amplification"][q].as_f64(), Some(1.0));
    }
    assert!(n["flows"].as_object().unwrap().is_empty());
    assert_eq!(n["baseline"]["amplification_net"]["median"].as_f64(), Some(1.0));
    assert_eq!(n["baseline"]["endogenous"]["SPX"]["median"].as_f64(), Some(0.0));

    // The no-shock baseline (same draws) and the amplification net of it; --no-baseline skips it.
    let net = v["baseline"]["amplification_net"]["median"].as_f64().unwrap();
    assert!(net.is_finite() && net > 0.0, "{}", v["baseline"]);
    assert!(v["baseline"]["endogenous"]["BTC"]["p05"].is_number());
    let q = fissure_json(
        &store,
        &["simulate", "spiral", "--shock", "SPX=-0.05", "--paths", "200", "--steps", "10", "--no-baseline"],
    );
    assert!(q["baseline"].is_null());
    assert_eq!(q["amplification"], v["amplification"]);

    // Same seed, same numbers.
    let b = fissure_json(&store, &["simulate", "spiral", "--shock", "SPX=-0.05", "--paths", "200", "--steps", "10"]);
    assert_eq!(v["amplification"], b["amplification"]);

    // A scenario for a portfolio stress test.
    let out = dir.path().join("path.json");
    let s = fissure(
        &store,
        &["simulate", "spiral", "--paths", "10", "--steps", "5", "--scenario-out", out.to_str().unwrap()],
    );
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let p: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(p["dates"].as_array().unwrap().len(), 5);
    assert_eq!(p["returns"][0].as_array().unwrap().len(), p["assets"].as_array().unwrap().len());

    let r = fissure_json(&store, &["simulate", "replay", "2026-02-12"]);
    assert_eq!(r["all_signs_match"], true);
    assert_eq!(r["within_factor"], true);
    assert_eq!(r["assets"].as_array().unwrap().len(), 8);
    let r = fissure_json(&store, &["simulate", "replay", "2024-08-05"]);
    assert_eq!(r["all_signs_match"], true);

    let p = fissure(&store, &["simulate", "params"]);
    assert!(String::from_utf8_lossy(&p.stdout).contains("[[cta]]"));

    // Refusals: unknown asset, unknown class, out-of-range paths, unknown replay.
    for args in [
        vec!["simulate", "spiral", "--shock", "NOPE=-0.1"],
        vec!["simulate", "spiral", "--no-agents", "hedgehogs"],
        vec!["simulate", "replay", "2019-01-02"],
    ] {
        let o = fissure(&store, &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(!o.stderr.is_empty());
    }
    let o = fissure(&store, &["simulate", "spiral", "--paths", "0"]);
    assert_eq!(o.status.code(), Some(2));
}
