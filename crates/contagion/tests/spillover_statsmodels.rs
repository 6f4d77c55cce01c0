//! Diebold–Yilmaz against statsmodels 0.15.0 VAR + a plain FEVD on six ETFs
//! (fixtures from tools/reference/contagion/dy_ref.py). Tolerance 1e-8 (absolute, percent units).

mod common;
use fissure_contagion::spillover::{rolling_spillover, spillover, Identification, LagChoice, SpilloverOptions};
use serde_json::Value;

const TOL: f64 = 1e-8;

fn vecf(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

#[test]
fn full_sample_tables_match_statsmodels() {
    let fx: Value = serde_json::from_str(&common::fixture("dy_etf6_statsmodels.json")).unwrap();
    let (dates, rows) = common::etf6_returns("2010-01-01", "2025-12-31");
    assert_eq!(rows.len() as u64, fx["nobs_returns"].as_u64().unwrap());
    assert_eq!(dates[0].to_string(), fx["first_date"].as_str().unwrap());
    let names: Vec<String> = fx["names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    for (key, id) in [("generalized", Identification::Generalized), ("cholesky", Identification::Cholesky)] {
        let opts = SpilloverOptions { lag: LagChoice::Fixed { p: 2 }, horizon: 10, identification: id };
        let s = spillover(&names, &rows, &opts).unwrap();
        let want = &fx["full"][key];
        println!("{key}: total {} (statsmodels {})", s.total, want["total"]);
        assert!((s.total - want["total"].as_f64().unwrap()).abs() < TOL);
        for (i, row) in want["table"].as_array().unwrap().iter().enumerate() {
            for (a, b) in s.table[i].iter().zip(vecf(row)) {
                assert!((a - b).abs() < TOL, "{key} table[{i}]: {a} vs {b}");
            }
        }
        for (field, got) in [("to", &s.to), ("from", &s.from), ("net", &s.net)] {
            for (a, b) in got.iter().zip(vecf(&want[field])) {
                assert!((a - b).abs() < TOL, "{key} {field}: {a} vs {b}");
            }
        }
        // pairwise net is the antisymmetric part of the table
        for i in 0..6 {
            for j in 0..6 {
                let t = |r: usize, c: usize| vecf(&want["table"][r])[c];
                assert!((s.pairwise_net[i][j] - (t(j, i) - t(i, j))).abs() < TOL);
            }
        }
    }
}

#[test]
fn rolling_totals_match_statsmodels() {
    let (dates, rows) = common::etf6_returns("2010-01-01", "2025-12-31");
    let names: Vec<String> = ["SPY", "TLT", "GLD", "SLV", "XLE", "HYG"].iter().map(|s| s.to_string()).collect();
    let r = rolling_spillover(&names, &rows, 200, 1, &SpilloverOptions::default()).unwrap();
    let csv = common::fixture("dy_etf6_rolling_total.csv");
    let want: Vec<(String, f64)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let (d, v) = l.split_once(',').unwrap();
            (d.to_string(), v.parse().unwrap())
        })
        .collect();
    assert_eq!(r.total.len(), want.len());
    let mut worst = 0.0f64;
    for (w, (d, v)) in want.iter().enumerate() {
        assert_eq!(dates[r.end_index[w]].to_string(), *d);
        worst = worst.max((r.total[w] - v).abs());
    }
    println!("rolling: {} windows, max |diff| {worst:.3e}", want.len());
    assert!(worst < TOL);
}

/// The `contagion spillover` document (shared by the CLI and Python): the table's keys, the sample, and the
/// rolling part only when it was run.
#[test]
fn spillover_document() {
    use fissure_contagion::panel::ReturnRows;
    let (dates, rows) = common::etf6_returns("2020-01-01", "2021-12-31");
    let names: Vec<String> = ["SPY", "TLT", "GLD", "SLV", "XLE", "HYG"].iter().map(|s| s.to_string()).collect();
    let r = ReturnRows { names: names.clone(), dates: dates.clone(), rows: rows.clone() };
    let s = spillover(&names, &rows, &SpilloverOptions::default()).unwrap();
    let v = fissure_contagion::json::spillover(&r, &s, None);
    assert_eq!(v["total"].as_f64(), Some(s.total));
    assert_eq!(v["nobs"], rows.len());
    assert_eq!(v["from_date"], serde_json::json!(dates[0]));
    assert!(v["edges"].as_array().is_some_and(|e| !e.is_empty()) && v.get("rolling").is_none());
    let rs = rolling_spillover(&names, &rows, 200, 25, &SpilloverOptions::default()).unwrap();
    let v = fissure_contagion::json::spillover(&r, &s, Some((200, 25, &rs)));
    assert_eq!(v["rolling"]["total"].as_array().map(Vec::len), Some(rs.total.len()));
    assert_eq!(v["rolling"]["dates"][0], serde_json::json!(dates[rs.end_index[0]]));
    assert_eq!((v["rolling"]["window"].as_u64(), v["rolling"]["step"].as_u64()), (Some(200), Some(25)));
}
