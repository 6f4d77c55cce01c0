//! `fissure network|capex` end to end on the bundled AI deal graph: the JSON keys of
//! issue 11, refusals with file/line/column (nothing stored), read commands never write.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn run(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fissure")).arg("--store").arg(store).args(args).output().expect("running fissure")
}

fn json(store: &Path, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let out = run(store, &a);
    assert!(out.status.success(), "fissure {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn has(v: &Value, keys: &[&str]) {
    for k in keys {
        assert!(v.get(k).is_some(), "missing key `{k}` in {}", v.to_string().chars().take(300).collect::<String>());
    }
}

fn demo_file(rel: &str) -> String {
    format!("{}/../../data/demo/{rel}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn network_and_capex_commands() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.sqlite");
    let out = run(&store, &["network", "summary"]);
    assert!(!out.status.success());
    // a read command on a missing store says so and creates nothing (issue 9)
    assert!(String::from_utf8_lossy(&out.stderr).contains("no store at"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!store.exists());
    let st = run(&store, &["ingest", "--demo"]);
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    let dump = std::fs::read(&store).unwrap();

    let s = json(&store, &["network", "summary"]);
    has(&s, &["nodes", "edges", "sccs", "circulation", "cycles", "round_trip", "concentration"]);
    assert_eq!(s["nodes"], 14);
    assert_eq!(s["edges"], 23);
    has(&s["circulation"], &["amount_usd_bn", "share"]);
    assert!((s["circulation"]["amount_usd_bn"].as_f64().unwrap() - 166.7).abs() < 1e-9);
    has(&s["cycles"][0], &["nodes", "bottleneck_usd_bn", "total_usd_bn"]);
    has(&s["round_trip"][0], &["firm", "inflow_usd_bn", "round_trip_usd_bn", "share"]);
    has(&s["concentration"][0], &["firm", "hhi", "top_payer", "top_share"]);
    // an undisclosed bottleneck is null, never 0
    let nv =
        s["cycles"].as_array().unwrap().iter().find(|c| c["nodes"] == serde_json::json!(["NVDA", "OPENAI"])).unwrap();
    assert!(nv["bottleneck_usd_bn"].is_null());

    // as known in mid-2025: no Nvidia–OpenAI deal yet
    let early = json(&store, &["network", "summary", "--as-of", "2025-06-30"]);
    assert_eq!(early["deals"], 9);
    assert_eq!(early["cycles"].as_array().unwrap().len(), 1);

    let c = json(&store, &["network", "cycles", "--max-len", "3"]);
    has(&c, &["count", "cycles"]);
    assert_eq!(c["count"], 9);
    let bad = run(&store, &["network", "cycles", "--max-len", "1"]);
    assert_eq!(bad.status.code(), Some(2), "range checked at parse time");

    let d = json(&store, &["network", "debtrank", "--shock", "OPENAI=1"]);
    has(&d, &["debtrank", "h", "rounds", "equity_loss_usd_bn", "defaults", "price_shocks"]);
    assert!((d["h"]["ORCL"].as_f64().unwrap() - 300.0 / 414.241).abs() < 1e-12);
    assert!(d["h"]["CRWV"].is_null());
    let lin = json(&store, &["network", "debtrank", "--shock", "OPENAI=1", "--linear", "--size", "CRWV=60"]);
    assert!(lin["h"]["CRWV"].as_f64().unwrap() > 0.0);
    let bad = run(&store, &["network", "debtrank", "--shock", "OPENAI=1.5"]);
    assert_eq!(bad.status.code(), Some(2));
    let unknown = run(&store, &["network", "debtrank", "--shock", "NOPE=0.5"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown firm `NOPE`"));

    // clearing: the Eisenberg–Noe toy of methods-and-references 6.1
    let l = dir.path().join("l.csv");
    let e = dir.path().join("e.csv");
    std::fs::write(&l, "debtor,creditor,amount\nA,B,4\nB,C,3\nC,A,2\n").unwrap();
    std::fs::write(&e, "firm,external_assets,external_liabilities\nA,18,17\nB,18,18\nC,9,8\n").unwrap();
    let args = ["network", "clearing", "--liabilities", l.to_str().unwrap(), "--external", e.to_str().unwrap()];
    let mut senior = args.to_vec();
    senior.push("--senior-external");
    let r = json(&store, &senior);
    has(&r, &["payments", "equity", "defaults", "rounds"]);
    for (f, p) in [("A", 3.0), ("B", 3.0), ("C", 2.0)] {
        assert!((r["payments"][f].as_f64().unwrap() - p).abs() < 1e-12);
    }
    assert_eq!(r["defaults"], serde_json::json!(["A"]));
    let pp = json(&store, &args);
    assert!((pp["payments"]["A"].as_f64().unwrap() - 20.0).abs() < 1e-12);

    // generic DebtRank inputs
    let x = dir.path().join("x.csv");
    let q = dir.path().join("q.csv");
    std::fs::write(&x, "lender,borrower,amount\nB,A,5\nC,B,4\nA,C,3\n").unwrap();
    std::fs::write(&q, "firm,equity\nA,6\nB,10\nC,8\n").unwrap();
    let g = json(
        &store,
        &["network", "debtrank", "--exposures", x.to_str().unwrap(), "--equity", q.to_str().unwrap(), "--shock", "A=1"],
    );
    assert_eq!(g["h"]["B"], 0.5);
    assert_eq!(g["h"]["C"], 0.25);
    assert_eq!(g["rounds"], 3);

    let rr = json(
        &store,
        &[
            "capex",
            "required-revenue",
            "--capex",
            "100",
            "--hurdle",
            "0.1",
            "--life",
            "5",
            "--margin",
            "0.5",
            "--method",
            "straight-line",
        ],
    );
    assert!((rr["required_revenue_usd_bn"].as_f64().unwrap() - 60.0).abs() < 1e-12);
    let bad = run(
        &store,
        &["capex", "required-revenue", "--capex", "100", "--hurdle", "0.1", "--life", "5", "--margin", "0"],
    );
    assert_eq!(bad.status.code(), Some(2));
    let cl = json(&store, &["capex", "claims"]);
    assert_eq!(cl["claims"].as_array().unwrap().len(), 20);
    let c19 = cl["claims"].as_array().unwrap().iter().find(|c| c["claim_id"] == "c19").unwrap();
    assert_eq!(c19["verdict"], "consistent", "{c19}");
    let gap = json(&store, &["capex", "gap"]);
    assert!(gap["note"].as_str().unwrap().contains("no audited financial statements"));
    let t = json(&store, &["network", "timeline"]);
    assert!(t.as_array().unwrap().len() >= 12);

    assert_eq!(std::fs::read(&store).unwrap(), dump, "read commands never write");
}

#[test]
fn a_bad_deals_file_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.sqlite");
    let deals = std::fs::read_to_string(demo_file("network/ai_deals_2023_2025.csv")).unwrap();
    let bad = dir.path().join("deals.csv");
    std::fs::write(&bad, deals.replace("OPENAI,ORCL,cloud_contract,300", "OPENAI,ORCL,cloud_contract,-300")).unwrap();
    let firms = demo_file("network/ai_firms.csv");
    let out = run(&store, &["network", "ingest", "--deals", bad.to_str().unwrap(), "--firms", &firms]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("deals.csv:11:6: column `amount_usd_bn`: -300 is negative"), "{err}");
    let after = run(&store, &["network", "summary"]);
    let e = String::from_utf8_lossy(&after.stderr);
    assert!(e.contains("no deal book `ai` in the store") || e.contains("no store at"), "nothing was stored: {e}");
    let ok =
        run(&store, &["network", "ingest", "--deals", &demo_file("network/ai_deals_2023_2025.csv"), "--firms", &firms]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
}

/// `fissure list` shows the stored deal books: name, revision, counts, the known-since span.
#[test]
fn list_shows_the_deal_books() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.sqlite");
    let st = run(&store, &["ingest", "--demo"]);
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    let l = json(&store, &["list"]);
    let books = l["deal_books"].as_array().expect("deal_books in `fissure list --json`");
    assert_eq!(books.len(), 1);
    let b = &books[0];
    assert_eq!(b["book"], "ai");
    assert_eq!(b["revision"], 1);
    let s = json(&store, &["network", "summary"]);
    assert_eq!(b["deals"], s["deals"], "the listed deal count is the graph's");
    assert_eq!(b["firms"], 14);
    assert!(b["claims"].as_u64().unwrap() > 0);
    let (first, last) = (b["first_known"].as_str().unwrap(), b["last_known"].as_str().unwrap());
    assert!(first < last && first.starts_with("20"), "{first} .. {last}");
    let out = run(&store, &["list"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("deal book") && text.contains("first known"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("ai ") && l.contains(first) && l.contains(last)), "{text}");
}
