//! End-to-end ingestion through the `fissure` binary: the bundled data, identical
//! re-ingest, revisions, concurrent processes, exit codes.

use fissure_io::Store;
use std::path::{Path, PathBuf};
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

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn demo_ingest_then_identical_reingest_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    let out: serde_json::Value = serde_json::from_str(&ok(&fissure(&store, &["ingest", "--demo", "--json"]))).unwrap();
    let series = out["series"].as_array().unwrap();
    assert!(series.len() >= 50, "{} series", series.len());
    assert!(series.iter().all(|s| s["kind"] == "new"));
    assert_eq!(out["sections"].as_array().unwrap().len(), 2, "price and market-cap fields of the snapshots");

    let before = Store::open(&store).unwrap().dump().unwrap();
    let again: serde_json::Value =
        serde_json::from_str(&ok(&fissure(&store, &["ingest", "--demo", "--json"]))).unwrap();
    assert!(again["series"].as_array().unwrap().iter().all(|s| s["kind"] == "unchanged"));
    assert_eq!(Store::open(&store).unwrap().dump().unwrap(), before);

    // spot checks through `show --json`
    let show: serde_json::Value = serde_json::from_str(&ok(&fissure(
        &store,
        &["show", "IXIC", "--from", "2000-03-10", "--to", "2000-03-10", "--json"],
    )))
    .unwrap();
    assert_eq!(show["observations"][0]["value"].as_f64(), Some(5048.62));
    let spx: serde_json::Value = serde_json::from_str(&ok(&fissure(
        &store,
        &["show", "SPX", "--from", "2026-02-11", "--to", "2026-02-12", "--json"],
    )))
    .unwrap();
    let obs = spx["observations"].as_array().unwrap();
    let change = obs[1]["value"].as_f64().unwrap() / obs[0]["value"].as_f64().unwrap() - 1.0;
    assert!((change * 100.0 + 1.57).abs() < 0.005, "S&P 500 on 2026-02-12: {:.4}%", change * 100.0);
    let list: serde_json::Value = serde_json::from_str(&ok(&fissure(&store, &["list", "--json"]))).unwrap();
    assert!(list["series"].as_array().unwrap().iter().any(|s| s["meta"]["id"] == "SHILLER.cape"));
}

#[test]
fn a_revised_file_keeps_the_old_revision_readable() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    let f = dir.path().join("x.csv");
    std::fs::write(&f, "date,value\n2024-01-02,1.5\n2024-01-03,2.5\n2024-01-04,3.5\n").unwrap();
    ok(&fissure(&store, &["ingest", f.to_str().unwrap()]));
    std::fs::write(&f, "date,value\n2024-01-02,1.5\n2024-01-03,2.75\n2024-01-04,3.5\n2024-01-05,4.5\n").unwrap();
    let out = ok(&fissure(&store, &["ingest", f.to_str().unwrap()]));
    assert!(out.contains("revised"), "{out}");
    let v1: serde_json::Value =
        serde_json::from_str(&ok(&fissure(&store, &["show", "x", "--revision", "1", "--json"]))).unwrap();
    let v2: serde_json::Value = serde_json::from_str(&ok(&fissure(&store, &["show", "x", "--json"]))).unwrap();
    assert_eq!(v1["observations"][1]["value"].as_f64(), Some(2.5));
    assert_eq!(v2["observations"][1]["value"].as_f64(), Some(2.75));
    assert_eq!(v2["observations"].as_array().unwrap().len(), 4);
    assert_eq!(v2["revision"].as_u64(), Some(2));
}

#[test]
fn two_concurrent_ingest_processes_both_complete() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    let prices = repo().join("data/demo/prices");
    let macro_ = repo().join("data/demo/macro");
    let shared = repo().join("data/demo/prices/etf_spy_daily.csv");
    let spawn = |paths: &[&Path]| {
        // the bundled futures files have OHLC rows outside [low, high] as published (MANIFEST.md)
        Command::new(env!("CARGO_BIN_EXE_fissure"))
            .arg("--store")
            .arg(&store)
            .arg("ingest")
            .arg("--repair-ohlc")
            .args(paths)
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| spawn(&[&prices]));
        let b = s.spawn(|| spawn(&[&macro_, &shared]));
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    ok(&a);
    ok(&b);
    let st = Store::open(&store).unwrap();
    let ids: Vec<String> = st.list().unwrap().into_iter().map(|s| s.meta.id).collect();
    let expected_files = std::fs::read_dir(&prices).unwrap().count() + std::fs::read_dir(&macro_).unwrap().count();
    // multi-column macro files give several series each, so at least one series per file
    assert!(ids.len() >= expected_files, "{} series for {} files", ids.len(), expected_files);
    assert!(ids.contains(&"etf_spy_daily".to_string()) && ids.contains(&"usdjpy_daily".to_string()));
    assert_eq!(st.revisions("etf_spy_daily").unwrap().len(), 1, "the file both processes ingested is stored once");
}

#[test]
fn exit_codes_follow_the_convention() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    // usage error: missing argument
    assert_eq!(fissure(&store, &["show"]).status.code(), Some(2));
    // data error: no store yet (a read command never creates one)
    let out = fissure(&store, &["show", "NOPE"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no store at"));
    assert!(!store.exists());
    // data error: unknown series
    let f = store.with_file_name("x.csv");
    std::fs::write(&f, "date,value\n2024-01-02,1.5\n").unwrap();
    ok(&fissure(&store, &["ingest", f.to_str().unwrap()]));
    let out = fissure(&store, &["show", "NOPE"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOPE"));
    // data error: missing file
    assert_eq!(fissure(&store, &["ingest", "/nonexistent/file.csv"]).status.code(), Some(1));
}
