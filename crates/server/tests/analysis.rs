//! The stress-test and network endpoints: validation and every error path (the
//! test engine echoes what reaches it; the CLI's `serve_analysis` test checks the
//! real analyses against the CLI's own JSON).

mod common;

use common::*;
use fissure_io::Store;
use fissure_server::auth::Role;
use fissure_server::ServerSettings;
use serde_json::{json, Value};

async fn post_json(a: std::net::SocketAddr, path: &str, body: &str) -> Resp {
    request(a, "POST", path, &[("content-type", "application/json".to_string())], body.as_bytes().to_vec()).await
}

/// A store with SPX and the bundled deal book `ai`.
fn store_with_book(path: &std::path::Path) {
    store_with_spx(path, "2020-06-30");
    let cat = fissure_io::demo::catalog().unwrap();
    let book = fissure_io::demo::load_book(cat.network.as_ref().unwrap()).unwrap();
    Store::open(path).unwrap().ingest_book("ai", "test", &book).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analysis_endpoints_validate_and_reach_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    store_with_book(&store);
    let r = start(&store, ServerSettings::default()).await;
    let a = r.addr;

    // documented in the generated OpenAPI document
    let doc = get(a, "/api/v1/openapi.json").await.json();
    for (p, m) in [
        ("/api/v1/risk/var", "post"),
        ("/api/v1/risk/scenarios", "post"),
        ("/api/v1/network/summary", "get"),
        ("/api/v1/network/debtrank", "post"),
    ] {
        let op = &doc["paths"][p][m];
        assert!(op.is_object(), "{p} documented");
        for code in ["200", "400"] {
            assert!(op["responses"][code].is_object(), "{p} documents {code}");
        }
    }
    for s in ["VarRequest", "ScenariosRequest", "DebtRankRequest"] {
        assert!(doc["components"]["schemas"][s]["properties"].is_object(), "{s} schema");
    }
    assert!(doc["components"]["schemas"]["VarRequest"]["required"].as_array().unwrap().contains(&json!("weights")));

    // valid requests reach the engine as parsed
    let v =
        post_json(a, "/api/v1/risk/var", r#"{"weights":{"SPX":1.0},"level":0.975,"method":"fhs","sims":1000}"#).await;
    assert_eq!(v.status, 200, "{}", v.text());
    assert_eq!(v.header("content-type").as_deref(), Some("application/json"));
    let j = v.json();
    assert_eq!(j["kind"], "risk var");
    assert_eq!(j["request"]["level"], 0.975);
    assert_eq!(j["request"]["method"], "fhs");
    let s = post_json(a, "/api/v1/risk/scenarios", r#"{"weights":{"SPX":0.8},"cash":0.2,"scenarios":["covid"]}"#).await;
    assert_eq!(s.json()["request"]["scenarios"], json!(["covid"]));
    let n = get(a, "/api/v1/network/summary?as_of=2025-06-30&max_len=3").await;
    assert_eq!(n.status, 200, "{}", n.text());
    assert_eq!(n.json()["request"]["max_len"], 3);
    let d = post_json(a, "/api/v1/network/debtrank", r#"{"shocks":{"OPENAI":0.5},"linear":true}"#).await;
    assert_eq!(d.json()["request"]["shocks"]["OPENAI"], 0.5);

    // 400 naming the field
    let field = |r: &Resp| -> Value { r.assert_error(400)["field"].clone() };
    for (body, f) in [
        (r#"{"weights":{"SPX":1},"level":1.5}"#, "level"),
        (r#"{"weights":{"SPX":1},"horizon":0}"#, "horizon"),
        (r#"{"weights":{"SPX":1},"lookback":10}"#, "lookback"),
        (r#"{"weights":{"SPX":1},"sims":5000000}"#, "sims"),
        (r#"{"weights":{}}"#, "weights"),
        (r#"{"weights":{"SP X":1}}"#, "weights.SP X"),
    ] {
        let resp = post_json(a, "/api/v1/risk/var", body).await;
        assert_eq!(field(&resp), json!(f), "{body}: {}", resp.text());
        assert_eq!(resp.json()["error"], "bad_request");
    }
    // an asset the store does not hold: 400 unknown_id naming it
    let u = post_json(a, "/api/v1/risk/var", r#"{"weights":{"SPX":0.5,"NOPE":0.5}}"#).await;
    let j = u.assert_error(400);
    assert_eq!((j["error"].as_str(), j["field"].as_str()), (Some("unknown_id"), Some("weights.NOPE")));
    assert!(j["detail"].as_str().unwrap().contains("NOPE"), "{j}");
    let u = post_json(a, "/api/v1/risk/scenarios", r#"{"weights":{"GONE":1}}"#).await;
    assert_eq!(u.assert_error(400)["field"], "weights.GONE");
    // serde names the field it could not read; unknown fields and methods are refused
    for (body, needle) in [
        (r#"{"weights":{"SPX":"a lot"}}"#, "weights"),
        (r#"{"weights":{"SPX":1},"levle":0.9}"#, "levle"),
        (r#"{"weights":{"SPX":1},"method":"magic"}"#, "magic"),
        (r#"{"level":0.9}"#, "weights"),
        (r#"{"weights":{"SPX":1}"#, "EOF"),
        ("3", "invalid type"),
    ] {
        let resp = post_json(a, "/api/v1/risk/var", body).await;
        let j = resp.assert_error(400);
        assert!(j["detail"].as_str().unwrap().contains(needle), "{body}: {j}");
    }
    let e = post_json(a, "/api/v1/risk/scenarios", r#"{"weights":{"SPX":1},"scenarios":[""]}"#).await;
    assert_eq!(field(&e), "scenarios[0]");
    let e = post_json(a, "/api/v1/network/debtrank", r#"{"shocks":{"OPENAI":2}}"#).await;
    assert_eq!(field(&e), "shocks.OPENAI");
    let e = post_json(a, "/api/v1/network/debtrank", r#"{"shocks":{}}"#).await;
    assert_eq!(field(&e), "shocks");
    let e = post_json(a, "/api/v1/network/debtrank", r#"{"shocks":{"OPENAI":0.5},"sizes":{"CRWV":-1}}"#).await;
    assert_eq!(field(&e), "sizes.CRWV");
    for (q, f) in [("hops=0", "hops"), ("max_len=1", "max_len"), ("revision=0", "revision"), ("book=a,b", "book")] {
        let e = get(a, &format!("/api/v1/network/summary?{q}")).await;
        assert_eq!(field(&e), json!(f), "{q}");
    }
    get(a, "/api/v1/network/summary?as_of=June").await.assert_error(400);
    get(a, "/api/v1/network/summary?colour=red").await.assert_error(400);

    // unknown deal book → 404
    let e = get(a, "/api/v1/network/summary?book=other").await;
    assert!(e.assert_error(404)["detail"].as_str().unwrap().contains("`other`"));
    post_json(a, "/api/v1/network/debtrank", r#"{"shocks":{"OPENAI":0.5},"book":"other"}"#).await.assert_error(404);

    // the engine's refusals: unknown firm → 400 unknown_id; refused input → 422
    let e = post_json(a, "/api/v1/network/debtrank", r#"{"shocks":{"NOBODY":0.5}}"#).await;
    let j = e.assert_error(400);
    assert_eq!((j["error"].as_str(), j["field"].as_str()), (Some("unknown_id"), Some("shocks.NOBODY")));
    let mut refuse = spx();
    refuse.meta.id = "REFUSE".into();
    Store::open(&store)
        .unwrap()
        .ingest("t", &[fissure_io::store::IngestItem { series: refuse, origin: "t".into() }], &[])
        .unwrap();
    let e = post_json(a, "/api/v1/risk/var", r#"{"weights":{"REFUSE":1}}"#).await;
    assert_eq!(e.assert_error(422)["error"], "unprocessable");

    // content type, size limit, method
    let e = request(a, "POST", "/api/v1/risk/var", &[], br#"{"weights":{"SPX":1}}"#.to_vec()).await;
    assert_eq!(e.assert_error(415)["error"], "unsupported_media_type");
    let big = format!(r#"{{"weights":{{"SPX":1}},"scenarios":["{}"]}}"#, "x".repeat(70 * 1024));
    let e = post_json(a, "/api/v1/risk/scenarios", &big).await;
    assert_eq!(e.assert_error(413)["error"], "payload_too_large");
    get(a, "/api/v1/risk/var").await.assert_error(405);
    r.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analysis_endpoints_follow_the_read_rules() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    store_with_book(&store);
    let read = token(&store, Role::Read);
    let write = token(&store, Role::Write);
    let settings = ServerSettings { public_reads: false, ..ServerSettings::default() };
    let r = start(&store, settings).await;
    let a = r.addr;
    // the analyses write nothing: GET and POST alike are reads (a read token when reads are not public)
    get(a, "/api/v1/network/summary").await.assert_error(401);
    assert_eq!(get_with(a, "/api/v1/network/summary", &read).await.status, 200);
    let bad = request(a, "POST", "/api/v1/risk/var", &[("authorization", "Bearer fst_nope".to_string())], vec![]).await;
    bad.assert_error(401);
    let body = br#"{"weights":{"SPX":1}}"#.to_vec();
    let ct = ("content-type", "application/json".to_string());
    let e = request(a, "POST", "/api/v1/risk/var", std::slice::from_ref(&ct), body.clone()).await;
    e.assert_error(401);
    for t in [&read, &write] {
        let ok = request(
            a,
            "POST",
            "/api/v1/risk/var",
            &[ct.clone(), ("authorization", format!("Bearer {t}"))],
            body.clone(),
        )
        .await;
        assert_eq!(ok.status, 200, "{}", ok.text());
    }
    // a read token still may not write
    let (ctype, form) = multipart(&[("x.csv", b"date,close\n2020-01-02,1\n")], &[]);
    let e = request(
        a,
        "POST",
        "/api/v1/ingest",
        &[("content-type", ctype), ("authorization", format!("Bearer {read}"))],
        form,
    )
    .await;
    e.assert_error(403);
    r.stop().await.unwrap();
}
