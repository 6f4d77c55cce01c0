//! A bounded load test on loopback: mixed GETs on 64 connections while uploads
//! run; zero errors and no lost write. Throughput and latency are printed (the
//! speed targets are measured in release by `tools/bench/server.sh`, not asserted here).

mod common;

use common::*;
use fissure_server::auth::Role;
use fissure_server::ServerSettings;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_reads_at_64_connections_with_an_ingest_running() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    store_with_spx(&store, "2019-12-31");
    let write = token(&store, Role::Write);
    let r = start(&store, ServerSettings::default()).await;
    let a = r.addr;
    let sig = r.state.latest().unwrap().report.families[0].signals[0].id.clone();
    // mostly the cached report endpoints, some store reads and large documents
    let mut paths: Vec<String> = vec!["/api/v1/signals".to_string(); 8];
    paths.extend([
        "/api/v1/gauges".to_string(),
        "/api/v1/health".into(),
        "/api/v1/report".into(),
        "/api/v1/signals".into(),
    ]);
    paths.extend([
        "/api/v1/series/SPX?from=2019-06-01".to_string(),
        format!("/api/v1/signals/{sig}"),
        "/api/v1/families/baseline".into(),
        "/api/v1/series".into(),
    ]);

    let days: Vec<chrono::NaiveDate> =
        spx().dates().iter().copied().filter(|d| *d > date("2019-12-31")).take(20).collect();
    let writer = {
        let days = days.clone();
        tokio::spawn(async move {
            let mut failures = Vec::new();
            for (i, d) in days.iter().enumerate() {
                let csv = format!("date,value\n{d},{}\n", 1000 + i);
                let resp = upload(a, Some(&write), &[("LOADTEST.csv", csv.as_bytes())], &[]).await;
                if resp.status != 200 {
                    failures.push(resp.text());
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            failures
        })
    };
    let report = fissure_server::loadgen::run(a, &paths, 64, 64 * 150, Duration::from_secs(300)).await;
    let failures = writer.await.unwrap();
    eprintln!(
        "load: {} requests on {} connections in {:.2} s = {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms, {} errors (debug-test build, with report rebuilds after each ingest)",
        report.requests, report.connections, report.seconds, report.requests_per_second, report.p50_ms, report.p99_ms, report.max_ms, report.errors
    );
    assert_eq!(report.errors, 0, "first error: {:?}", report.first_error);
    assert_eq!(report.requests, 64 * 150, "the run finished its fixed count");
    assert!(failures.is_empty(), "{failures:?}");
    settled(&r).await;
    let j = get(a, "/api/v1/series/LOADTEST").await.json();
    assert_eq!(j["observations"], days.len(), "no lost write");
    assert_eq!(j["latest_revision"], days.len());
    assert_eq!(j["values"].as_array().unwrap().last().unwrap().as_f64(), Some((1000 + days.len() - 1) as f64));
    r.stop().await.unwrap();
}
