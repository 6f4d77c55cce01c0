//! Published Diebold–Yilmaz tables (methods notes §3.3): DY2012 Table 2 (TCI 12.59) and
//! DY2009 Table 3 (TCI 35.53). The data sets ship only in GPL R packages
//! (GabauerDavid/ConnectednessApproach `data/dy2012.rda`, `data/dy2009.rda`) and are NOT
//! in this repository. To run: convert them to headerless CSV (one row per date, columns in
//! the package's order; e.g. with the `rdata` Python package) into a directory and
//! `FISSURE_DY_DATA=<dir> cargo test -p fissure-contagion --test dy_published -- --ignored`.

use fissure_contagion::spillover::{spillover, Identification, LagChoice, SpilloverOptions};

fn load(name: &str) -> Vec<Vec<f64>> {
    let dir = std::env::var("FISSURE_DY_DATA")
        .expect("set FISSURE_DY_DATA to the directory holding dy2012.csv and dy2009.csv");
    let text = std::fs::read_to_string(format!("{dir}/{name}.csv")).expect("read the CSV");
    text.lines().map(|l| l.split(',').map(|v| v.trim().parse().expect("number")).collect()).collect()
}

#[test]
#[ignore = "needs the GPL-licensed DY2009/DY2012 data sets (not shipped); set FISSURE_DY_DATA"]
fn dy2012_table2() {
    let x = load("dy2012");
    assert_eq!((x.len(), x[0].len()), (2771, 4));
    let names: Vec<String> = ["SP500", "R_10Y", "DJUBSCOM", "USDX"].iter().map(|s| s.to_string()).collect();
    let s = spillover(
        &names,
        &x,
        &SpilloverOptions { lag: LagChoice::Fixed { p: 4 }, horizon: 10, identification: Identification::Generalized },
    )
    .unwrap();
    println!("DY2012 TCI {:.4}, SP500 row {:?}", s.total, s.table[0]);
    assert!((s.total - 12.59).abs() < 0.005);
    for (a, b) in s.table[0].iter().zip([88.76, 7.29, 0.35, 3.61]) {
        assert!((a - b).abs() < 0.005, "{a} vs {b}");
    }
    for (a, b) in s.net.iter().zip([5.13, -0.54, -1.69, -2.90]) {
        assert!((a - b).abs() < 0.006, "net {a} vs {b}");
    }
}

#[test]
#[ignore = "needs the GPL-licensed DY2009/DY2012 data sets (not shipped); set FISSURE_DY_DATA"]
fn dy2009_table3() {
    let x = load("dy2009");
    assert_eq!((x.len(), x[0].len()), (829, 19));
    let names: Vec<String> = (0..19).map(|i| format!("m{i}")).collect();
    let s = spillover(
        &names,
        &x,
        &SpilloverOptions { lag: LagChoice::Fixed { p: 2 }, horizon: 10, identification: Identification::Cholesky },
    )
    .unwrap();
    println!("DY2009 TCI {:.4}, US own {:.4}, TO(US) {:.4}", s.total, s.table[0][0], s.to[0]);
    assert!((s.total - 35.53).abs() < 0.005);
    assert!((s.table[0][0] - 93.62).abs() < 0.005);
    assert!((s.to[0] - 291.91).abs() < 0.005);
    assert!((s.table[1][0] - 40.31).abs() < 0.005);
}
