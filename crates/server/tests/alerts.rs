//! Alerts end to end: an ingest changes a state (real data: the S&P 500 going
//! from the calm of February 2020 into the March 2020 crash); the alert reaches
//! a webhook receiver on loopback (signed, retried after a failure) and the
//! server-sent event stream, and the scheduled folder re-ingest triggers it too.

mod common;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use common::*;
use fissure_server::auth::Role;
use fissure_server::settings::{AlertRule, RuleField, RuleKind, Schedule, Webhook};
use fissure_server::ServerSettings;
use http_body_util::BodyExt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A webhook receiver that fails its first call (to exercise the retry).
async fn receiver() -> (std::net::SocketAddr, Received) {
    let got: Received = Arc::default();
    let app = axum::Router::new()
        .route(
            "/hook",
            post(|State(got): State<Received>, headers: HeaderMap, body: Bytes| async move {
                let mut g = got.lock().unwrap();
                g.push((headers, body));
                if g.len() == 1 {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::NO_CONTENT
                }
            }),
        )
        .with_state(got.clone());
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (addr, got)
}

fn rules() -> Vec<AlertRule> {
    vec![
        AlertRule {
            name: "any state".into(),
            on: RuleKind::StateChange,
            target: "*".into(),
            field: RuleField::Value,
            level: None,
        },
        AlertRule {
            name: "vol above 95th".into(),
            on: RuleKind::Above,
            target: "baseline.*".into(),
            field: RuleField::RiskPercentile,
            level: Some(95.0),
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_change_caused_by_an_ingest_reaches_the_webhook_and_the_event_stream() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    store_with_spx(&store, "2020-02-14");
    let write = token(&store, Role::Write);
    let (hook, got) = receiver().await;
    let secret = "s3cret-for-test";
    let settings = ServerSettings {
        alerts: rules(),
        webhooks: vec![Webhook {
            url: format!("http://{hook}/hook"),
            secret: Some(secret.into()),
            secret_env: None,
            max_attempts: 3,
        }],
        ..Default::default()
    };
    let r = start(&store, settings).await;
    let a = r.addr;
    let before_snap = r.state.latest().unwrap();
    let before: Vec<_> = before_snap.watched.iter().map(|(k, w)| (k.clone(), w.state)).collect();

    // subscribe to the event stream first
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Full<Bytes>>();
    let req = hyper::Request::get(format!("http://{a}/api/v1/events")).body(Default::default()).unwrap();
    let resp = client.request(req).await.unwrap();
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let mut body = resp.into_body();
    let mut sse = String::new();
    while !sse.contains("event: ready") {
        let frame = tokio::time::timeout(Duration::from_secs(10), body.frame()).await.unwrap().unwrap().unwrap();
        if let Some(d) = frame.data_ref() {
            sse += &String::from_utf8_lossy(d);
        }
    }

    // the crash of March 2020, uploaded
    let csv = csv_of(&spx(), "2020-02-18", "2020-03-20");
    let resp = upload(a, Some(&write), &[("SPX.csv", csv.as_bytes())], &[]).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    settled(&r).await;
    let after = r.state.latest().unwrap();
    let changed: Vec<_> = before.iter().filter(|(k, s)| after.watched.get(k).map(|w| w.state) != Some(*s)).collect();
    assert!(!changed.is_empty(), "the crash changes a state");

    // the SSE stream carries the alert
    while !sse.contains("event: alert") {
        let frame = tokio::time::timeout(Duration::from_secs(20), body.frame())
            .await
            .expect("an alert event")
            .unwrap()
            .unwrap();
        if let Some(d) = frame.data_ref() {
            sse += &String::from_utf8_lossy(d);
        }
    }
    let block = sse.split("\n\n").find(|b| b.contains("event: alert")).unwrap();
    let line = block.lines().find(|l| l.starts_with("data: ")).unwrap();
    let ev: serde_json::Value = serde_json::from_str(&line[6..]).unwrap();
    assert_eq!(ev["as_of"], "2020-03-20");
    assert_eq!(ev["previous_as_of"], "2020-02-14");

    // the webhook got every alert, signed; the one whose first attempt failed was retried with the same body.
    // The SSE event arrives while the refresh may still be publishing the rest of its alerts, so the count is
    // the rules evaluated on the two snapshots, and the alert list is awaited until it holds them all.
    let n_alerts = fissure_server::alerts::evaluate(&rules(), &before_snap, &after).len();
    assert!(n_alerts > 0);
    for _ in 0..200 {
        if get(a, "/api/v1/alerts").await.json().as_array().unwrap().len() >= n_alerts {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(get(a, "/api/v1/alerts").await.json().as_array().unwrap().len(), n_alerts, "one alert per rule hit");
    let delivered = || {
        let calls = got.lock().unwrap();
        let seqs: std::collections::BTreeSet<String> =
            calls.iter().map(|(h, _)| h["x-fissure-delivery"].to_str().unwrap().to_string()).collect();
        seqs.len()
    };
    for _ in 0..200 {
        if delivered() >= n_alerts && got.lock().unwrap().len() > n_alerts {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let calls = got.lock().unwrap().clone();
    let seqs: Vec<&str> = calls.iter().map(|(h, _)| h["x-fissure-delivery"].to_str().unwrap()).collect();
    assert_eq!(calls.len(), n_alerts + 1, "every alert once, plus one retry (deliveries by seq: {seqs:?})");
    let failed_seq = calls[0].0["x-fissure-delivery"].to_str().unwrap().to_string();
    let retried: Vec<_> =
        calls.iter().filter(|(h, _)| h["x-fissure-delivery"].to_str().unwrap() == failed_seq).collect();
    assert_eq!(retried.len(), 2, "the failed delivery was retried");
    assert_eq!(retried[0].1, retried[1].1, "the retry sends the same body");
    for (h, b) in &calls {
        let sig = h["x-fissure-signature"].to_str().unwrap();
        assert_eq!(sig, fissure_server::alerts::signature(secret, b));
        assert_ne!(sig, fissure_server::alerts::signature("another secret", b));
        let alert: serde_json::Value = serde_json::from_slice(b).unwrap();
        assert_eq!(alert["as_of"], "2020-03-20");
        assert_eq!(h["x-fissure-delivery"].to_str().unwrap(), alert["seq"].to_string());
    }

    // the alert list and the counters
    let list = get(a, "/api/v1/alerts").await.json();
    assert!(list.as_array().unwrap().iter().any(|x| x["rule"] == "any state"));
    let threshold = list.as_array().unwrap().iter().find(|x| x["rule"] == "vol above 95th");
    assert!(threshold.is_some(), "the volatility percentile crossed 95: {list}");
    let health = get(a, "/api/v1/health").await.json();
    assert!(health["alerts"].as_u64().unwrap() >= 2);

    // Last-Event-ID replays what a client missed
    let req = hyper::Request::get(format!("http://{a}/api/v1/events"))
        .header("last-event-id", "0")
        .body(Default::default())
        .unwrap();
    let mut body = client.request(req).await.unwrap().into_body();
    let mut replay = String::new();
    while !replay.contains("event: alert") {
        let frame = tokio::time::timeout(Duration::from_secs(10), body.frame()).await.unwrap().unwrap().unwrap();
        if let Some(d) = frame.data_ref() {
            replay += &String::from_utf8_lossy(d);
        }
    }
    drop(body);
    tokio::time::timeout(Duration::from_secs(15), r.stop()).await.expect("graceful shutdown").unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schedule_re_ingests_a_folder_and_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    store_with_spx(&store, "2020-02-14");
    let folder = dir.path().join("incoming");
    std::fs::create_dir(&folder).unwrap();
    let settings = ServerSettings {
        alerts: rules(),
        schedule: Some(Schedule { folder: folder.clone(), every_minutes: 0.01 }),
        ..Default::default()
    };
    let r = start(&store, settings).await;
    let mut rx = r.state.alerts.subscribe();
    // an invalid file: refused, nothing stored, the server keeps serving
    std::fs::write(folder.join("SPX.csv"), "date,close\n2020-02-18,oops\n").unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(get(r.addr, "/api/v1/health").await.json()["as_of"], "2020-02-14");
    // a valid one: stored on the next tick, the report rebuilt, the alert raised
    std::fs::write(folder.join("SPX.csv"), csv_of(&spx(), "2020-02-18", "2020-03-20")).unwrap();
    std::fs::write(folder.join("README.md"), "not data").unwrap();
    let alert = tokio::time::timeout(Duration::from_secs(30), rx.recv()).await.expect("an alert").unwrap();
    assert_eq!(alert.as_of.to_string(), "2020-03-20");
    assert_eq!(get(r.addr, "/api/v1/health").await.json()["as_of"], "2020-03-20");
    // unchanged folder: later ticks store nothing and rebuild nothing
    let g = r.state.generation.load(std::sync::atomic::Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(r.state.generation.load(std::sync::atomic::Ordering::SeqCst), g);
    r.stop().await.unwrap();
}
