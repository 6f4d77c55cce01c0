//! Concentration: hand-checked numbers on a small real snapshot, then the bundled S&P 500 file.

mod common;

use fissure_core::{CrossSection, CrossSectionRow};
use fissure_structure::concentration::{concentration, concentration_history, ConcentrationConfig};

fn row(sym: &str, name: &str, v: f64) -> CrossSectionRow {
    CrossSectionRow { symbol: sym.into(), name: Some(name.into()), value: v }
}

#[test]
fn hand_checked_small_snapshot() {
    // ten real rows of data/demo/fundamentals/sp500_marketcap_snapshots.csv, 2026-08-20 (USD bn);
    // every class row carries the issuer's total cap; BRK.B has no value in the file
    let s = CrossSection {
        id: "SP500_MCAP".into(),
        field: "market_cap_usd_bn".into(),
        date: "2026-08-20".parse().unwrap(),
        rows: vec![
            row("NVDA", "Nvidia", 5269.52),
            row("AAPL", "Apple Inc.", 4623.87),
            row("GOOGL", "Alphabet Inc. (Class A)", 4215.9),
            row("GOOG", "Alphabet Inc. (Class C)", 4178.97),
            row("MSFT", "Microsoft", 3596.27),
            row("FOXA", "Fox Corporation (Class A)", 28.5194),
            row("FOX", "Fox Corporation (Class B)", 25.3427),
            row("NWSA", "News Corp (Class A)", 15.9078),
            row("NWS", "News Corp (Class B)", 18.1117),
            row("BRK.B", "Berkshire Hathaway", f64::NAN),
        ],
    };
    let c = concentration(&s, &ConcentrationConfig::default()).unwrap();
    // issuers: NVDA, AAPL, Alphabet (max 4215.9), MSFT, Fox (28.5194), News Corp (max 18.1117)
    assert_eq!((c.n_issuers, c.n_dropped), (6, 1));
    // total = 5269.52 + 4623.87 + 4215.9 + 3596.27 + 28.5194 + 18.1117 = 17752.1911
    assert!((c.total - 17752.1911).abs() < 1e-9);
    // top-1 = 5269.52 / 17752.1911 = 0.296838; top-5 = 1 − 18.1117/17752.1911 = 0.998980
    assert!((c.top_k[0].1 - 0.296_837_723_9).abs() < 1e-9);
    assert!((c.top_k[1].1 - 0.998_979_748_5).abs() < 1e-9);
    // HHI = Σ s² = 0.253399, effective N = 3.9464
    assert!((c.hhi - 0.253_398_660_0).abs() < 1e-9);
    assert!((c.effective_n - 3.946_350_781).abs() < 1e-8);
    // Magnificent 7 present: NVDA, AAPL, GOOGL(+GOOG), MSFT = 17705.56 / 17752.1911
    assert!((c.group_share - 0.997_373_220_0).abs() < 1e-9);
    let alphabet = c.leaders.iter().find(|i| i.key == "GOOGL").unwrap();
    assert_eq!(alphabet.symbols, vec!["GOOGL".to_string(), "GOOG".to_string()]);
}

#[test]
fn bundled_snapshots() {
    let d = common::demo();
    assert!(d.mcaps.len() >= 25, "{} snapshots", d.mcaps.len());
    let h = concentration_history(&d.mcaps, &ConcentrationConfig::default()).unwrap();
    for c in &h {
        eprintln!(
            "{} issuers {} dropped {} top10 {:.3} hhi {:.4} effN {:.1} mag7 {:.3}",
            c.date, c.n_issuers, c.n_dropped, c.top_k[2].1, c.hhi, c.effective_n, c.group_share
        );
    }
    let last = h.last().unwrap();
    assert_eq!(last.date, "2026-08-20".parse().unwrap());
    // the Magnificent 7 are more than a third of the index in 2026; concentration rose since 2013
    assert!(last.group_share > 1.0 / 3.0, "{}", last.group_share);
    assert!(last.top_k[2].1 > h[0].top_k[2].1 + 0.1);
    assert!(last.effective_n < h[0].effective_n / 2.0);
    // dual classes merged: about 500 issuers for ~503 rows
    assert!(last.n_issuers < last.n_rows - last.n_dropped);
}
