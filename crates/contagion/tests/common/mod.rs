//! Test helpers: read the bundled demo CSVs (`date,open,high,low,close,volume` or
//! `date,value`) into `Series` with a minimal parser (kept here so the numerical
//! tests do not depend on the reader crate), and the fixtures.
#![allow(dead_code)]

use fissure_core::{Alignment, Date, Panel, Series, SeriesMeta};
use std::path::PathBuf;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn fixture(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Close (or value) column of a file under data/demo/prices or data/demo/macro.
pub fn demo(id: &str, rel: &str) -> Series {
    demo_col(id, rel, None)
}

pub fn demo_col(id: &str, rel: &str, col: Option<&str>) -> Series {
    let p = root().join("data/demo").join(rel);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let want = col.unwrap_or(if header.contains(&"close") { "close" } else { header[1] });
    let c = header.iter().position(|h| *h == want).unwrap();
    let mut dates = Vec::new();
    let mut values = Vec::new();
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        if f.len() <= c || f[c].is_empty() {
            continue;
        }
        let v: f64 = match f[c].parse() {
            Ok(v) => v,
            Err(_) => continue,
        };
        dates.push(f[0].parse::<Date>().unwrap());
        values.push(v);
    }
    Series::new(SeriesMeta::new(id), dates, values).unwrap()
}

pub fn etf6() -> Vec<Series> {
    [
        ("SPY", "prices/etf_spy_daily.csv"),
        ("TLT", "prices/etf_tlt_daily.csv"),
        ("GLD", "prices/etf_gld_daily.csv"),
        ("SLV", "prices/etf_slv_daily.csv"),
        ("XLE", "prices/etf_xle_daily.csv"),
        ("HYG", "prices/etf_hyg_daily.csv"),
    ]
    .iter()
    .map(|(id, f)| demo(id, f))
    .collect()
}

/// 100 × log returns of the six ETFs on their common dates, return dates in [from, to]
/// (as tools/reference/contagion/common.py).
pub fn etf6_returns(from: &str, to: &str) -> (Vec<Date>, Vec<Vec<f64>>) {
    let s = etf6();
    let refs: Vec<&Series> = s.iter().collect();
    let p = Panel::align(&refs, &Alignment::Intersection).unwrap();
    let (dates, rows) = p.complete_rows();
    let (from, to): (Date, Date) = (from.parse().unwrap(), to.parse().unwrap());
    let mut d = Vec::new();
    let mut r = Vec::new();
    for i in 1..rows.len() {
        if dates[i] < from || dates[i] > to {
            continue;
        }
        d.push(dates[i]);
        r.push((0..rows[i].len()).map(|j| 100.0 * (rows[i][j] / rows[i - 1][j]).ln()).collect());
    }
    (d, r)
}

pub fn rel_close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300)
}

/// 100 × log returns of several demo files on their common dates (intersection).
pub fn returns_of(files: &[(&str, &str)]) -> (Vec<String>, Vec<Date>, Vec<Vec<f64>>) {
    let s: Vec<Series> = files.iter().map(|(id, f)| demo(id, f)).collect();
    let refs: Vec<&Series> = s.iter().collect();
    let p = Panel::align(&refs, &Alignment::Intersection).unwrap();
    let (dates, rows) = p.complete_rows();
    let r = (1..rows.len())
        .map(|i| (0..rows[i].len()).map(|j| 100.0 * (rows[i][j] / rows[i - 1][j]).ln()).collect())
        .collect();
    (files.iter().map(|f| f.0.to_string()).collect(), dates[1..].to_vec(), r)
}

pub const SECTORS: [(&str, &str); 11] = [
    ("SPY", "prices/etf_spy_daily.csv"),
    ("QQQ", "prices/etf_qqq_daily.csv"),
    ("XLK", "prices/etf_xlk_daily.csv"),
    ("XLF", "prices/etf_xlf_daily.csv"),
    ("XLE", "prices/etf_xle_daily.csv"),
    ("XLU", "prices/etf_xlu_daily.csv"),
    ("XLP", "prices/etf_xlp_daily.csv"),
    ("XLV", "prices/etf_xlv_daily.csv"),
    ("TLT", "prices/etf_tlt_daily.csv"),
    ("GLD", "prices/etf_gld_daily.csv"),
    ("HYG", "prices/etf_hyg_daily.csv"),
];
