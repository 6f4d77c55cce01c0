//! `fissure contagion …` end to end on the bundled data: the numbers the commands print
//! are the library's, checked against the reference fixtures of `crates/contagion`.

use std::path::Path;
use std::process::{Command, Output};

fn fissure(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fissure"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("FISSURE_CONFIG")
        .output()
        .expect("run fissure")
}

fn json(out: Output) -> serde_json::Value {
    assert!(out.status.success(), "exit {:?}\nstderr:\n{}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn fixture(name: &str) -> serde_json::Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contagion/tests/fixtures").join(name);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn contagion_commands_on_the_bundled_data() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    json(fissure(&store, &["ingest", "--demo", "--json"]));

    // spillover: the statsmodels table (six ETFs, 2010–2025, VAR(2), H = 10)
    let fx = fixture("dy_etf6_statsmodels.json");
    let args = ["contagion", "spillover", "SPY", "TLT", "GLD", "SLV", "XLE", "HYG", "--from", "2010-01-01", "--to"];
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["2025-12-31", "--json"]);
    let s = json(fissure(&store, &a));
    let want = fx["full"]["generalized"]["total"].as_f64().unwrap();
    assert!((s["total"].as_f64().unwrap() - want).abs() < 1e-8, "{} vs {want}", s["total"]);
    assert_eq!(s["table"].as_array().unwrap().len(), 6);
    for k in ["to", "from", "net", "names", "edges"] {
        assert!(s.get(k).is_some(), "missing {k}");
    }

    // garch: arch's S&P 500 fit
    let g =
        json(fissure(&store, &["contagion", "garch", "SPX", "--from", "2000-01-01", "--to", "2025-12-31", "--json"]));
    let fx = fixture("garch_sp500_arch.json");
    let want = fx["models"]["normal"]["loglik"].as_f64().unwrap();
    assert!((g["loglik"].as_f64().unwrap() - want).abs() < 1e-6 * want.abs());
    for k in ["mu", "omega", "alpha", "beta", "std_errors", "params"] {
        assert!(g.get(k).is_some(), "missing {k}");
    }

    // cocrash: 2026-02-12 flagged with both flags and the assets that fell
    let c = json(fissure(&store, &["contagion", "cocrash", "--from", "2026-02-01", "--to", "2026-02-28", "--json"]));
    let day = c["days"].as_array().unwrap().iter().find(|d| d["date"] == "2026-02-12").expect("2026-02-12 flagged");
    assert_eq!(day["flags"]["indiscriminate"], true);
    assert_eq!(day["flags"]["safe_haven_failure"], true);
    let ids: Vec<&str> = day["assets_down"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"SPY") && ids.contains(&"SLV"), "{ids:?}");

    // corr of baskets, with bands
    let r = json(fissure(&store, &["contagion", "corr", "ai", "precious", "--json"]));
    assert_eq!(r["names"], serde_json::json!(["ai", "precious"]));
    let p = &r["pairs"][0];
    assert!(p["lower"].as_f64().unwrap() < p["corr"].as_f64().unwrap());
    assert!(r["series"]["dates"].as_array().unwrap().len() > 1000);

    // the other commands run and print JSON
    let d = json(fissure(&store, &["contagion", "dcc", "SPY", "TLT", "GLD", "--from", "2020-01-01", "--json"]));
    assert_eq!(d["warnings"].as_array().map(|w| w.len()), Some(0), "{}", d["warnings"]);
    // step-1 warnings reach the DCC result, by series: bitcoin and ether are integrated GARCH-t
    let d = json(fissure(&store, &["contagion", "dcc", "BTC", "ETH", "--dist", "t", "--json"]));
    let w: Vec<&str> = d["warnings"].as_array().unwrap().iter().filter_map(|x| x.as_str()).collect();
    assert!(w.iter().any(|x| x.starts_with("series `BTC`") && x.contains("integrated GARCH")), "{w:?}");
    let out = fissure(&store, &["contagion", "dcc", "BTC", "ETH", "--dist", "t"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning: series `BTC`: integrated GARCH"), "{err}");
    json(fissure(&store, &["contagion", "absorption", "SPY", "TLT", "GLD", "HYG", "XLE", "XLU", "--json"]));
    json(fissure(&store, &["contagion", "turbulence", "SPY", "TLT", "GLD", "--json"]));
    let w = json(fissure(&store, &["contagion", "crowding", "ai", "--json"]));
    assert!(w["positioning"].as_array().unwrap().len() >= 3);
}
