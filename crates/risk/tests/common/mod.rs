//! Test helpers: the bundled demo closes (`data/demo/prices/*.csv`, `date,…,close,…`) read with a
//! minimal parser, the watchlist portfolio, and the fixtures.
#![allow(dead_code)]

use fissure_core::{Series, SeriesMeta};
use fissure_risk::portfolio::{return_matrix, Portfolio, ReturnMatrix};
use std::path::PathBuf;

pub fn fixture(name: &str) -> serde_json::Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap()
}

pub fn demo(id: &str, file: &str) -> Series {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/demo/prices").join(file);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let c = header.iter().position(|h| *h == "close").unwrap();
    let (mut d, mut v) = (Vec::new(), Vec::new());
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        d.push(f[0].parse().unwrap());
        v.push(f[c].parse().unwrap());
    }
    Series::new(SeriesMeta::new(id), d, v).unwrap()
}

pub const FILES: [(&str, &str, f64); 6] = [
    ("BTC", "btc_usd_daily.csv", 0.05),
    ("GLD", "etf_gld_daily.csv", 0.10),
    ("QQQ", "etf_qqq_daily.csv", 0.20),
    ("SPY", "etf_spy_daily.csv", 0.40),
    ("TLT", "etf_tlt_daily.csv", 0.20),
    ("XLU", "etf_xlu_daily.csv", 0.05),
];

pub fn assets() -> Vec<Series> {
    FILES.iter().map(|(id, f, _)| demo(id, f)).collect()
}

/// The watchlist portfolio and its last 1000 returns up to 2026-08-21 (as the reference script).
pub fn watchlist_portfolio() -> (Portfolio, ReturnMatrix, Vec<Series>) {
    let s = assets();
    let refs: Vec<&Series> = s.iter().collect();
    let m = return_matrix(&refs, None, Some("2026-08-21".parse().unwrap())).unwrap().tail(1000);
    let e: Vec<(String, f64, Option<f64>)> = FILES.iter().map(|(id, _, w)| (id.to_string(), *w, None)).collect();
    (Portfolio::from_weights(&e, 0.0, false, |_| 0.25).unwrap(), m, s)
}
