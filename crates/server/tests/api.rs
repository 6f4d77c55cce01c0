//! Every endpoint and error path of the API, on real data (the bundled S&P 500).

mod common;

use common::*;
use fissure_io::Store;
use fissure_server::auth::Role;
use fissure_server::ServerSettings;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_endpoints_and_their_errors() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    store_with_spx(&store, "2020-06-30");
    let r = start(&store, ServerSettings::default()).await;
    let a = r.addr;

    let h = get(a, "/api/v1/health").await;
    assert_eq!(h.status, 200);
    assert_eq!(h.json()["status"], "ok");
    assert_eq!(h.json()["as_of"], "2020-06-30");

    // OpenAPI 3.1 document generated from the handlers, and its readable page
    let doc = get(a, "/api/v1/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    let docs = get(a, "/api/v1/docs").await;
    assert_eq!(docs.status, 200);
    for p in [
        "/api/v1/health",
        "/api/v1/series",
        "/api/v1/series/{id}",
        "/api/v1/signals",
        "/api/v1/signals/{id}",
        "/api/v1/gauges",
        "/api/v1/report",
        "/api/v1/families",
        "/api/v1/families/{key}",
        "/api/v1/alerts",
        "/api/v1/events",
        "/api/v1/ingest",
        "/api/v1/admin/refresh",
        "/api/v1/admin/tokens",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} documented");
        assert!(docs.text().contains(&format!("<code>{p}</code>")), "{p} on the docs page");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    // series
    let list = get(a, "/api/v1/series").await.json();
    assert_eq!(list["series"][0]["meta"]["id"], "SPX");
    let s = get(a, "/api/v1/series/SPX?from=2020-03-02&to=2020-03-06").await.json();
    assert_eq!(s["dates"].as_array().unwrap().len(), 5);
    assert_eq!(s["dates"][0], "2020-03-02");
    let full = spx();
    assert_eq!(s["values"][0].as_f64().unwrap(), full.value_on(date("2020-03-02")).unwrap());
    assert_eq!(s["revision"], 1);
    assert_eq!(get(a, "/api/v1/series/SPX?revision=1").await.status, 200);
    get(a, "/api/v1/series/NOPE").await.assert_error(404);
    get(a, "/api/v1/series/SPX?revision=9").await.assert_error(404);
    get(a, "/api/v1/series/SPX?revision=0").await.assert_error(400);
    get(a, "/api/v1/series/SPX?from=2020-13-01").await.assert_error(400);
    get(a, "/api/v1/series/SPX?from=2020-03-06&to=2020-03-02").await.assert_error(400);
    get(a, "/api/v1/series/SPX?revision=abc").await.assert_error(400);
    get(a, "/api/v1/series/SPX?color=red").await.assert_error(400);

    // path traversal: ids are looked up, never opened; assets are an embedded list
    for p in [
        "/api/v1/series/..%2F..%2F..%2Fetc%2Fpasswd",
        "/api/v1/series/%2e%2e",
        "/assets/../Cargo.toml",
        "/assets/..%2F..%2FCargo.toml",
        "/assets/%2e%2e/%2e%2e/src/lib.rs",
        "/assets/vendor/uplot/../../../Cargo.toml",
        "/../../etc/passwd",
    ] {
        let resp = get(a, p).await;
        assert_eq!(resp.status, 404, "{p}: {}", resp.text());
        assert!(!resp.text().contains("[package]") && !resp.text().contains("root:"), "{p}");
    }

    // signals and gauges
    let sig = get(a, "/api/v1/signals").await.json();
    let list = sig["signals"].as_array().unwrap();
    assert!(!list.is_empty());
    let id = list[0]["id"].as_str().unwrap().to_string();
    assert!(list.iter().all(|s| s["latest"].is_object() && s["family"] == "baseline"));
    assert!(list.iter().all(|s| s.get("history").is_none()), "the latest readings only; histories are signals/{{id}}");
    let hist = get(a, &format!("/api/v1/signals/{id}")).await.json();
    assert_eq!(hist["id"], id.as_str());
    assert_eq!(hist["dates"].as_array().unwrap().len(), hist["values"].as_array().unwrap().len());
    assert!(hist["dates"].as_array().unwrap().len() > 1000);
    get(a, "/api/v1/signals/no.such.signal").await.assert_error(404);
    let g = get(a, "/api/v1/gauges").await.json();
    assert!(g["composite"]["overall"]["latest"].is_object(), "{g}");

    // report.json, whole, and replayed at a past date
    let rep = get(a, "/api/v1/report").await.json();
    assert_eq!(rep["as_of"], "2020-06-30");
    let snap = r.state.latest().unwrap();
    assert_eq!(rep, snap.json, "the report is served as fissure-report writes it");
    let past = get(a, "/api/v1/report?as_of=2008-09-15").await.json();
    assert_eq!(past["as_of"], "2008-09-15");
    assert!(past["sources"][0]["last"].as_str().unwrap() <= "2008-09-15");
    let past_hist = get(a, &format!("/api/v1/signals/{id}?as_of=2008-09-15")).await.json();
    assert!(past_hist["dates"].as_array().unwrap().last().unwrap().as_str().unwrap() <= "2008-09-15");
    get(a, "/api/v1/report?as_of=2031-01-01").await.assert_error(400);
    get(a, "/api/v1/report?as_of=1900-01-01").await.assert_error(400);
    get(a, "/api/v1/report?as_of=yesterday").await.assert_error(400);
    get(a, "/api/v1/gauges?as_of=2020-02-30").await.assert_error(400);

    // families
    let fams = get(a, "/api/v1/families").await.json();
    assert_eq!(fams["families"][0]["key"], "baseline");
    let f = get(a, "/api/v1/families/baseline").await.json();
    let charts = f["chart_data"].as_array().unwrap();
    assert!(!charts.is_empty());
    assert!(charts.iter().all(|c| c["svg"].as_str().unwrap().starts_with("<svg")));
    assert_eq!(charts[0]["data"]["kind"], "lines");
    let zh = get(a, "/api/v1/families/baseline?lang=zh").await.json();
    assert_ne!(zh["chart_data"][0]["svg"], f["chart_data"][0]["svg"], "SVG labels follow the language");
    get(a, "/api/v1/families/nope").await.assert_error(404);
    get(a, "/api/v1/families/baseline?lang=fr").await.assert_error(400);

    // alerts (none yet), unknown routes and methods
    assert_eq!(get(a, "/api/v1/alerts").await.json(), serde_json::json!([]));
    get(a, "/api/v1/nothing").await.assert_error(404);
    let w = token(&store, Role::Write);
    request(a, "DELETE", "/api/v1/signals", &[("authorization", format!("Bearer {w}"))], vec![])
        .await
        .assert_error(405);

    // the dashboard and its embedded assets
    let page = get(a, "/").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("/assets/app.js"));
    for asset in
        ["app.js", "app.css", "vendor/uplot/uPlot.iife.min.js", "vendor/uplot/uPlot.min.css", "vendor/uplot/LICENSE"]
    {
        let resp = get(a, &format!("/assets/{asset}")).await;
        assert_eq!(resp.status, 200, "{asset}");
        assert!(resp.body.len() > 100, "{asset}");
    }
    assert!(!page.text().contains("http://") && !page.text().contains("https://"), "no external URL in the page");
    r.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_and_cors() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    store_with_spx(&store, "2019-12-31");
    let r = start(&store, ServerSettings::default()).await;
    for p in ["/", "/api/v1/signals", "/api/v1/nothing", "/assets/app.js", "/api/v1/docs"] {
        let resp = request(r.addr, "GET", p, &[("origin", "https://evil.example".into())], vec![]).await;
        let csp = resp.header("content-security-policy").expect("CSP");
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("http"), "no external source in the CSP: {csp}");
        assert_eq!(resp.header("x-content-type-options").as_deref(), Some("nosniff"));
        assert_eq!(resp.header("x-frame-options").as_deref(), Some("DENY"));
        assert!(resp.header("access-control-allow-origin").is_none(), "CORS is off by default");
    }
    r.stop().await.unwrap();

    let settings = ServerSettings { cors_origins: vec!["https://desk.example".into()], ..Default::default() };
    let r = start(&store, settings).await;
    let ok = request(r.addr, "GET", "/api/v1/signals", &[("origin", "https://desk.example".into())], vec![]).await;
    assert_eq!(ok.header("access-control-allow-origin").as_deref(), Some("https://desk.example"));
    let other = request(r.addr, "GET", "/api/v1/signals", &[("origin", "https://evil.example".into())], vec![]).await;
    assert!(other.header("access-control-allow-origin").is_none());
    r.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_roles_and_rate_limit() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    store_with_spx(&store, "2019-12-31");
    let read = token(&store, Role::Read);
    let write = token(&store, Role::Write);
    let settings =
        ServerSettings { public_reads: false, rate_limit_per_second: 0.5, rate_limit_burst: 4.0, ..Default::default() };
    let r = start(&store, settings).await;
    let a = r.addr;
    let csv = csv_of(&spx(), "2020-01-02", "2020-01-03");

    // reads are token-only here; status and the API description stay open
    let no = get(a, "/api/v1/signals").await;
    no.assert_error(401);
    assert_eq!(no.header("www-authenticate").as_deref(), Some("Bearer realm=\"fissure\""));
    assert_eq!(get(a, "/api/v1/health").await.status, 200);
    assert_eq!(get(a, "/api/v1/openapi.json").await.status, 200);
    assert_eq!(get_with(a, "/api/v1/signals", &read).await.status, 200);

    // writes: missing, malformed, unknown, read-only tokens
    upload(a, None, &[("SPX.csv", csv.as_bytes())], &[]).await.assert_error(401);
    let bad = format!("fst_{}_{}", "a".repeat(12), "b".repeat(64));
    upload(a, Some(&bad), &[("SPX.csv", csv.as_bytes())], &[]).await.assert_error(401);
    upload(a, Some("nonsense"), &[("SPX.csv", csv.as_bytes())], &[]).await.assert_error(401);
    let mut wrong_secret = write.clone();
    wrong_secret.replace_range(write.len() - 4.., "0000");
    if wrong_secret != write {
        upload(a, Some(&wrong_secret), &[("SPX.csv", csv.as_bytes())], &[]).await.assert_error(401);
    }
    request(a, "GET", "/api/v1/signals", &[("authorization", "Basic dXNlcjpwdw==".into())], vec![])
        .await
        .assert_error(401);
    let forbidden = upload(a, Some(&read), &[("SPX.csv", csv.as_bytes())], &[]).await;
    forbidden.assert_error(403);
    get_with(a, "/api/v1/admin/tokens", &read).await.assert_error(403);

    // the write token works; the token list never shows a token or a hash
    let ok = upload(a, Some(&write), &[("SPX.csv", csv.as_bytes())], &[]).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    let toks = get_with(a, "/api/v1/admin/tokens", &write).await;
    assert_eq!(toks.json()["tokens"].as_array().unwrap().len(), 2);
    assert!(!toks.text().contains("argon2") && !toks.text().contains(&write[17..]));

    // per-token rate limit: the write token has used 2 of its burst of 4
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(get_with(a, "/api/v1/health", &write).await);
    }
    let limited = statuses.iter().find(|s| s.status == 429).expect("the burst runs out");
    limited.assert_error(429);
    assert!(limited.header("retry-after").is_some());
    assert_eq!(get_with(a, "/api/v1/signals", &read).await.status, 200, "buckets are per token");

    // revocation (by another connection, as `fissure token revoke` does) takes effect within 2 s
    let id = fissure_server::auth::token_id(&read).unwrap().to_string();
    fissure_server::auth::revoke_token(&Store::open(&store).unwrap(), &id).unwrap();
    tokio::time::sleep(fissure_server::auth::TABLE_REFRESH + std::time::Duration::from_millis(100)).await;
    get_with(a, "/api/v1/signals", &read).await.assert_error(401);
    r.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_validates_like_the_cli_and_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    store_with_spx(&store, "2019-12-31");
    let write = token(&store, Role::Write);
    let settings = ServerSettings { body_limit_mib: 1, ..Default::default() };
    let r = start(&store, settings).await;
    let a = r.addr;
    let dump = || Store::open(&store).unwrap().dump().unwrap();
    let before = dump();

    // bad CSV in the second file: 400 naming line and column, nothing stored (not even the good file)
    let good = csv_of(&spx(), "2020-01-02", "2020-01-10");
    let bad = "date,close\n2020-01-02,3257.85\n2020-01-03,abc\n";
    let resp = upload(a, Some(&write), &[("SPX.csv", good.as_bytes()), ("OTHER.csv", bad.as_bytes())], &[]).await;
    let j = resp.assert_error(400);
    assert_eq!(j["error"], "invalid_data");
    assert_eq!(j["line"], 3, "{j}");
    assert!(j["column"].as_str().unwrap().contains("close"), "{j}");
    assert_eq!(j["kind"], "BadNumber");
    assert!(j["detail"].as_str().unwrap().contains("OTHER.csv: line 3"), "{j}");
    assert!(j["detail"].as_str().unwrap().contains("nothing was stored"), "{j}");
    // the same message as the CLI's reader gives for the same bytes
    let cli =
        fissure_io::read_bytes(std::path::Path::new("OTHER.csv"), bad.as_bytes(), &Default::default()).unwrap_err();
    assert!(j["detail"].as_str().unwrap().starts_with(&cli.to_string()));
    assert_eq!(dump(), before, "the store is unchanged");

    // malformed forms
    let (_, body) = multipart(&[("SPX.csv", good.as_bytes())], &[]);
    request(
        a,
        "POST",
        "/api/v1/ingest",
        &[("authorization", format!("Bearer {write}")), ("content-type", "text/csv".into())],
        body,
    )
    .await
    .assert_error(400);
    upload(a, Some(&write), &[], &[("id", "X")]).await.assert_error(400);
    upload(a, Some(&write), &[("a.csv", good.as_bytes())], &[("colour", "red")]).await.assert_error(400);
    upload(a, Some(&write), &[("a.csv", good.as_bytes()), ("b.csv", good.as_bytes())], &[("id", "X")])
        .await
        .assert_error(400);
    // the same series twice in one upload
    upload(a, Some(&write), &[("SPX.csv", good.as_bytes()), ("dir/SPX.csv", good.as_bytes())], &[])
        .await
        .assert_error(400);

    // oversized body: 413 (announced by Content-Length, and streamed)
    let big = vec![b'1'; 2 * 1024 * 1024];
    match try_upload(a, Some(&write), &[("big.csv", &big)]).await {
        Ok(r) => {
            r.assert_error(413);
        }
        // the server answered 413 and closed before the client had written the whole body
        Err(e) => assert!(e.contains("BrokenPipe") || e.contains("ConnectionReset"), "{e}"),
    }
    assert_eq!(dump(), before);

    // a good upload: the new dates are a new revision; the same upload again changes nothing
    let ok = upload(a, Some(&write), &[("../../SPX.csv", good.as_bytes())], &[]).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    let j = ok.json();
    assert_eq!(j["changed"], true);
    assert_eq!(j["series"][0]["id"], "SPX", "the client's path is reduced to the file name");
    assert_eq!(j["series"][0]["kind"], "revised");
    assert_eq!(j["series"][0]["added"], 7);
    settled(&r).await;
    assert_eq!(get(a, "/api/v1/health").await.json()["as_of"], "2020-01-10");
    let again = upload(a, Some(&write), &[("SPX.csv", good.as_bytes())], &[]).await.json();
    assert_eq!(again["changed"], false);
    assert_eq!(again["series"][0]["kind"], "unchanged");
    // an explicit id
    let ok = upload(a, Some(&write), &[("prices.csv", good.as_bytes())], &[("id", "SPX_COPY")]).await;
    assert_eq!(ok.json()["series"][0]["id"], "SPX_COPY");
    r.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reads_never_see_a_partial_ingest() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    store_with_spx(&store, "2019-12-31");
    let write = token(&store, Role::Write);
    let r =
        start(&store, ServerSettings { rate_limit_per_second: 1000.0, rate_limit_burst: 1000.0, ..Default::default() })
            .await;
    let a = r.addr;
    // each upload revises two series, PAIR_A and PAIR_B, on the same new date
    let days: Vec<chrono::NaiveDate> =
        spx().dates().iter().copied().filter(|d| *d > date("2019-12-31")).take(15).collect();
    let writer = {
        let write = write.clone();
        let days = days.clone();
        tokio::spawn(async move {
            for (i, d) in days.iter().enumerate() {
                let a_csv = format!("date,value\n{d},{}\n", 100 + i);
                let b_csv = format!("date,value\n{d},{}\n", 200 + i);
                let resp =
                    upload(a, Some(&write), &[("PAIR_A.csv", a_csv.as_bytes()), ("PAIR_B.csv", b_csv.as_bytes())], &[])
                        .await;
                assert_eq!(resp.status, 200, "{}", resp.text());
            }
        })
    };
    let mut readers = Vec::new();
    for _ in 0..4 {
        readers.push(tokio::spawn(async move {
            let mut seen = 0;
            for _ in 0..60 {
                let rep = get(a, "/api/v1/report").await;
                assert_eq!(rep.status, 200);
                let j = rep.json();
                let src = j["sources"].as_array().unwrap();
                let pa = src.iter().find(|s| s["id"] == "PAIR_A");
                let pb = src.iter().find(|s| s["id"] == "PAIR_B");
                match (pa, pb) {
                    (None, None) => {}
                    (Some(x), Some(y)) => {
                        assert_eq!(x["observations"], y["observations"], "a report saw half an ingest");
                        assert_eq!(x["last"], y["last"]);
                        seen += 1;
                    }
                    _ => panic!("a report saw one series of an ingest without the other"),
                }
                let list = get(a, "/api/v1/series").await.json();
                let revs: Vec<_> = list["series"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|s| s["meta"]["id"].as_str().unwrap().starts_with("PAIR_"))
                    .map(|s| s["revision"].clone())
                    .collect();
                assert!(revs.is_empty() || (revs.len() == 2 && revs[0] == revs[1]), "{revs:?}");
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            seen
        }));
    }
    writer.await.unwrap();
    let mut seen = 0;
    for rd in readers {
        seen += rd.await.unwrap();
    }
    assert!(seen > 0, "the readers saw reports with the pair");
    settled(&r).await;
    let j = get(a, "/api/v1/series/PAIR_B").await.json();
    assert_eq!(j["observations"], days.len(), "no write lost");
    assert_eq!(j["latest_revision"], days.len());
    r.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_documents_carry_an_etag_and_answer_304() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    store_with_spx(&store, "2020-01-31");
    let r = start(&store, ServerSettings::default()).await;
    let a = r.addr;
    for path in ["/api/v1/signals", "/api/v1/gauges", "/api/v1/report"] {
        let first = get(a, path).await;
        assert_eq!(first.status, 200);
        let tag = first.header("etag").expect("an ETag");
        assert!(tag.starts_with('"') && tag.ends_with('"') && tag.len() == 34, "{tag}");
        assert_eq!(first.header("cache-control").as_deref(), Some("no-cache"));
        let again = request(a, "GET", path, &[("if-none-match", tag.clone())], vec![]).await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(tag.clone()));
        let list = request(a, "GET", path, &[("if-none-match", format!("\"other\", W/{tag}"))], vec![]).await;
        assert_eq!(list.status, 304, "{path}: a list with the weak form of the tag");
        let other = request(a, "GET", path, &[("if-none-match", "\"other\"".to_string())], vec![]).await;
        assert_eq!(other.status, 200);
        assert_eq!(other.body, first.body);
    }
    // new data: a new tag, and the old one no longer matches
    let old = get(a, "/api/v1/signals").await.header("etag").unwrap();
    let csv = csv_of(&spx(), "2020-02-03", "2020-02-28");
    let t = token(&store, Role::Write);
    assert_eq!(upload(a, Some(&t), &[("SPX.csv", csv.as_bytes())], &[]).await.status, 200);
    settled(&r).await;
    let fresh = request(a, "GET", "/api/v1/signals", &[("if-none-match", old.clone())], vec![]).await;
    assert_eq!(fresh.status, 200);
    assert_ne!(fresh.header("etag"), Some(old));
    r.stop().await.unwrap();
}

/// The status line and headers of a request whose body may never end (the event stream).
fn head_of(addr: std::net::SocketAddr, path: &str, auth: Option<&str>) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
    let auth = auth.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n{auth}\r\n").unwrap();
    let mut buf = Vec::new();
    let mut b = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut b).unwrap();
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&b[..n]);
    }
    String::from_utf8_lossy(&buf).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_stream_takes_a_query_token_and_nothing_else_does() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    store_with_spx(&store, "2020-01-31");
    let read = token(&store, Role::Read);
    let r = start(&store, ServerSettings { public_reads: false, ..ServerSettings::default() }).await;
    let a = r.addr;
    let (ok, header, none, wrong) = tokio::task::spawn_blocking(move || {
        (
            head_of(a, &format!("/api/v1/events?token={read}"), None),
            head_of(a, "/api/v1/events", Some(&read)),
            head_of(a, "/api/v1/events", None),
            head_of(a, "/api/v1/events?token=fst_000000000000_00", None),
        )
    })
    .await
    .unwrap();
    assert!(ok.starts_with("HTTP/1.1 200") && ok.contains("text/event-stream"), "{ok}");
    assert!(header.starts_with("HTTP/1.1 200"), "{header}");
    assert!(none.starts_with("HTTP/1.1 401"), "{none}");
    assert!(wrong.starts_with("HTTP/1.1 401"), "{wrong}");
    // only the event stream reads the query token
    let t = token(&store, Role::Read);
    get(a, &format!("/api/v1/signals?token={t}")).await.assert_error(401);
    assert_eq!(get_with(a, "/api/v1/signals", &t).await.status, 200);
    r.stop().await.unwrap();
}
