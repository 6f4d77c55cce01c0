//! `fissure risk …` end to end on the bundled data: JSON keys as documented (docs/risk.md),
//! numbers equal to the library's peer-checked fixture, clear errors on bad portfolios.

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

fn fails_with(out: Output, needle: &str) {
    assert!(!out.status.success(), "expected failure");
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains(needle), "stderr lacks `{needle}`:\n{e}");
}

fn fixture() -> serde_json::Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../risk/tests/fixtures/risk_peers.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/risk").join(name).display().to_string()
}

#[test]
fn risk_commands_on_the_bundled_data() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    json(fissure(&store, &["ingest", "--demo", "--json"]));
    let fx = fixture();

    // var: the watchlist portfolio, numbers as numpy's type-7 quantile
    let v = json(fissure(&store, &["risk", "var", "--level", "0.99", "--json"]));
    for k in ["var", "es", "level", "horizon", "method", "components", "scaling", "baskets"] {
        assert!(v.get(k).is_some(), "var: missing {k}");
    }
    let want = fx["levels"]["0.99"]["historical_var"].as_f64().unwrap();
    assert!((v["var"].as_f64().unwrap() - want).abs() < 1e-12, "{} vs {want}", v["var"]);
    let comps = v["components"].as_array().unwrap();
    assert_eq!(comps.len(), 6);
    let s: f64 = comps.iter().map(|c| c["var"].as_f64().unwrap()).sum();
    assert!((s - v["var"].as_f64().unwrap()).abs() < 1e-12);
    for c in comps {
        assert!(c.get("id").is_some() && c.get("es").is_some());
    }
    // all methods, 10 days: labelled overlapping / sqrt / simulated
    let all = json(fissure(&store, &["risk", "var", "--method", "all", "--horizon", "10", "--sims", "2000", "--json"]));
    let res = all["results"].as_array().unwrap();
    assert_eq!(res.len(), 9);
    let scalings: Vec<&str> = res.iter().map(|r| r["scaling"].as_str().unwrap()).collect();
    assert!(scalings.contains(&"overlapping") && scalings.contains(&"sqrt") && scalings.contains(&"simulated"));

    // backtest keys
    let b = json(fissure(&store, &["risk", "backtest", "--method", "historical", "--sims", "200", "--json"]));
    let m = &b["methods"][0];
    for k in ["exceptions", "expected", "kupiec", "christoffersen", "traffic_light", "es_test", "rank"] {
        assert!(m.get(k).is_some(), "backtest: missing {k}");
    }
    for k in ["lr_ind", "p_ind", "lr_cc", "p_cc"] {
        assert!(m["christoffersen"][k].as_f64().is_some(), "christoffersen.{k}");
    }
    assert!(m["kupiec"]["lr"].as_f64().is_some() && m["es_test"]["z2"].as_f64().is_some());

    // scenarios: a single-asset portfolio replays its own return
    let sc = json(fissure(&store, &["risk", "scenarios", "--weights", "SPY=1", "--scenario", "covid", "--json"]));
    let c = &sc["scenarios"][0];
    for k in ["name", "start", "end", "pnl_pct", "worst_pct", "worst_date", "contributions", "proxies"] {
        assert!(c.get(k).is_some(), "scenarios: missing {k}");
    }
    let show = json(fissure(&store, &["show", "SPY", "--from", "2020-02-19", "--to", "2020-03-23", "--json"]));
    let obs = show["observations"].as_array().unwrap();
    let first = obs.first().unwrap()["value"].as_f64().unwrap();
    let last = obs.last().unwrap()["value"].as_f64().unwrap();
    assert!((c["pnl_pct"].as_f64().unwrap() - 100.0 * (last / first - 1.0)).abs() < 1e-9);
    // the dot-com replay shows its proxies (BTC did not exist)
    let d = json(fissure(&store, &["risk", "scenarios", "--scenario", "dotcom", "--json"]));
    let proxies = d["scenarios"][0]["proxies"].as_array().unwrap();
    assert!(proxies.iter().any(|p| p["id"] == "BTC"), "{proxies:?}");

    // shock, reverse, cash
    let sh = json(fissure(&store, &["risk", "shock", "ai=-20%", "--json"]));
    assert!(sh["portfolio"]["mean"].as_f64().unwrap() < 0.0);
    let r = json(fissure(&store, &["risk", "reverse", "--loss", "0.2", "--json"]));
    assert!(r["mahalanobis"].as_f64().unwrap() > 0.0);
    let cash = json(fissure(&store, &["risk", "cash", "--portfolio", &example("portfolio_weights.csv"), "--json"]));
    assert!(cash["advice"].as_array().unwrap().len() == 5);
    assert!(cash.get("required_cash_share").is_some());

    // quantities file
    json(fissure(&store, &["risk", "var", "--portfolio", &example("portfolio_quantities.csv"), "--json"]));
}

#[test]
fn bad_portfolios_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    json(fissure(&store, &["ingest", "--demo", "--json"]));
    fails_with(fissure(&store, &["risk", "var", "--weights", "SPY=0.5,NOPE=0.5"]), "unknown asset `NOPE`");
    fails_with(fissure(&store, &["risk", "var", "--weights", "SPY=0.5,TLT=0.3"]), "--normalise");
    json(fissure(&store, &["risk", "var", "--weights", "SPY=0.5,TLT=0.3", "--normalise", "--json"]));
    fails_with(fissure(&store, &["risk", "var", "--level", "1.2"]), "not in (0.5, 1)");
    fails_with(fissure(&store, &["risk", "var", "--weights", "SPY=1", "--as-of", "1990-01-02"]), "SPY");
    let bad = dir.path().join("p.csv");
    std::fs::write(&bad, "id,weight\nSPY,abc\n").unwrap();
    fails_with(fissure(&store, &["risk", "var", "--portfolio", bad.to_str().unwrap()]), "p.csv:2:2");
    fails_with(fissure(&store, &["risk", "scenarios", "--scenario", "nope"]), "not a built-in name");
    fails_with(fissure(&store, &["risk", "shock", "US10Y=+5%"]), "bp");
}

/// Arrays of objects with an `id` sorted by id (holding order is presentation only).
fn canonical(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Array(a) => {
            let mut a: Vec<Value> = a.iter().map(canonical).collect();
            if a.iter().all(|x| x.get("id").is_some_and(|i| i.is_string())) {
                a.sort_by(|x, y| x["id"].as_str().cmp(&y["id"].as_str()));
            }
            Value::Array(a)
        }
        Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), canonical(x))).collect()),
        x => x.clone(),
    }
}

/// Equal JSON, numbers to 1e-12 relative.
fn same_numbers(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1e-300)
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_numbers(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, p)| y.get(k).is_some_and(|q| same_numbers(p, q)))
        }
        _ => a == b,
    }
}

#[test]
fn watchlist_portfolio_with_cash_and_margins_equals_the_same_portfolio_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    json(fissure(&store, &["ingest", "--demo", "--json"]));
    // the levered example file (margins, CASH −0.20) written as a watchlist [portfolio]
    let wl = dir.path().join("w.toml");
    std::fs::write(
        &wl,
        "[portfolio]\nSPY = 0.45\nQQQ = 0.35\nNVDA = 0.20\nBTC = 0.10\nTLT = 0.10\ncash = -0.20\n\
         margin = { SPY = 0.25, QQQ = 0.25, NVDA = 0.30, BTC = 0.50, TLT = 0.25 }\nbase_currency = \"USD\"\n",
    )
    .unwrap();
    let cfg = wl.to_str().unwrap();
    let file = example("portfolio_weights.csv");
    for cmd in [&["risk", "var", "--level", "0.99"][..], &["risk", "cash"][..]] {
        let from_wl = json(fissure(&store, &[&["--config", cfg], cmd, &["--json"]].concat()));
        let from_file = json(fissure(&store, &[cmd, &["--portfolio", file.as_str(), "--json"]].concat()));
        // the watchlist lists holdings in id order, the file in its own: same numbers up to summation order
        let (a, b) = (canonical(&from_wl), canonical(&from_file));
        assert!(same_numbers(&a, &b), "{cmd:?}: the watchlist portfolio differs from the file\n{a}\n{b}");
        if cmd[1] == "var" {
            assert_eq!(from_wl["portfolio"]["cash"].as_f64(), Some(-0.2));
            let h = from_wl["portfolio"]["holdings"].as_array().unwrap();
            let nvda = h.iter().find(|x| x["id"] == "NVDA").unwrap();
            assert_eq!(nvda["margin"].as_f64(), Some(0.30), "{nvda}");
        }
    }
    // the leverage shows in the cash buffer: a non-default margin changes the answer
    std::fs::write(&wl, "[portfolio]\nSPY = 0.45\nQQQ = 0.35\nNVDA = 0.20\nBTC = 0.10\nTLT = 0.10\ncash = -0.20\n")
        .unwrap();
    let default_margins = json(fissure(&store, &["--config", cfg, "risk", "var", "--json"]));
    let h = default_margins["portfolio"]["holdings"].as_array().unwrap();
    assert_eq!(h.iter().find(|x| x["id"] == "NVDA").unwrap()["margin"].as_f64(), Some(0.25));
    // refused at parse time, with the file and line
    std::fs::write(&wl, "[portfolio]\nSPY = 1.2\ncash = -0.2\nmargin = { SPY = 2 }\n").unwrap();
    fails_with(fissure(&store, &["--config", cfg, "risk", "var"]), "line 4: portfolio.margin.SPY = 2");
    std::fs::write(&wl, "[portfolio]\nSPY = 1.2\ncash = -0.2\n").unwrap();
    fails_with(fissure(&store, &["--config", cfg, "risk", "var", "--cash", "0.1"]), "give one of them");
}
