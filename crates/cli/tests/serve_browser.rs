//! The dashboard as a person uses it: `fissure serve` on the bundled data (every
//! family), driven in Debian's `chromium` through `chromium-driver` over
//! WebDriver (fantoccini). Checks: no console error, no request outside the
//! server (DNS is disabled; every requested URL is listed from the browser's
//! performance log), charts drawn with data for every family, the language
//! switch and the as-of control change what is shown, first paint timed, and
//! a screenshot kept. Skips with a message only when chromium or chromedriver
//! is not installed (`.ci/run` installs both).

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn which(names: &[&str]) -> Option<PathBuf> {
    for name in names {
        for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http_get(addr: &str, path: &str) -> Option<String> {
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Chromedriver's log endpoint (not in the W3C standard; fantoccini passes it through).
#[derive(Debug)]
struct GetLog(&'static str);

impl fantoccini::wd::WebDriverCompatibleCommand for GetLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or("")))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({ "type": self.0 }).to_string()))
    }
}

async fn log(c: &fantoccini::Client, kind: &'static str) -> Vec<Value> {
    c.issue_cmd(GetLog(kind)).await.map(|v| v.as_array().cloned().unwrap_or_default()).unwrap_or_default()
}

async fn js(c: &fantoccini::Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{script}: {e}"))
}

async fn wait_ready(c: &fantoccini::Client, what: &str) {
    let t = Instant::now();
    while js(c, "return !!(window.fissure && window.fissure.ready)").await != json!(true) {
        assert!(t.elapsed() < Duration::from_secs(300), "dashboard not ready after {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_in_chromium_over_webdriver() {
    let (Some(chromium), Some(driver)) = (which(&["chromium", "chromium-browser"]), which(&["chromedriver"])) else {
        eprintln!("SKIPPED: chromium and chromium-driver are needed (apt-get install chromium chromium-driver)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_fissure"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("FISSURE_STORE", dir.path().join("store.sqlite"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let _server = Kill(server);
    let addr = line.split("http://").nth(1).and_then(|r| r.split('/').next()).expect("address printed").to_string();
    let t = Instant::now();
    while !http_get(&addr, "/api/v1/health").is_some_and(|r| r.contains("\"status\":\"ok\"")) {
        assert!(t.elapsed() < Duration::from_secs(600), "the first report was not built");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let families: Value =
        serde_json::from_str(http_get(&addr, "/api/v1/families").unwrap().split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let keys: Vec<String> =
        families["families"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap().to_string()).collect();
    assert!(keys.len() >= 5, "every family and the baseline: {keys:?}");

    let port = free_port();
    let _driver = Kill(
        Command::new(driver).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap(),
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1400,1000",
                     "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                     format!("--user-data-dir={}", dir.path().join("profile").display())]
        }),
    );
    caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL", "performance": "ALL" }));
    let mut c = None;
    for _ in 0..50 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match fantoccini::ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => {
                c = Some(client);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let c = c.expect("chromedriver session");
    let base = format!("http://{addr}");
    c.goto(&format!("{base}/")).await.unwrap();
    wait_ready(&c, "load").await;

    // first paint and the time to a fully drawn dashboard
    let paint = js(&c, "var p = performance.getEntriesByType('paint').find(function(e){return e.name==='first-contentful-paint'}); return p ? p.startTime : null").await;
    let drawn = js(&c, "return performance.now()").await;
    eprintln!("dashboard: first contentful paint {paint} ms, every family drawn at {drawn} ms");
    assert!(paint.as_f64().is_some_and(|p| p > 0.0), "first paint measured");

    // charts with data, every family shown, no script error
    let state = js(&c, "return {charts: fissure.charts, points: fissure.points, errors: fissure.errors, canvases: document.querySelectorAll('.plot canvas').length, svgs: document.querySelectorAll('.svg-chart svg').length}").await;
    assert!(state["errors"].as_array().unwrap().is_empty(), "{state}");
    assert!(state["canvases"].as_u64().unwrap() >= 5, "interactive charts drawn: {state}");
    assert!(state["points"].as_u64().unwrap() > 1000, "charts have data: {state}");
    for k in &keys {
        let n = js(&c, &format!("var s = document.getElementById('family-{k}'); return s ? s.querySelectorAll('.chart-box, table').length : -1")).await;
        assert!(n.as_i64().unwrap() > 0, "family {k} shown with tables/charts: {n}");
    }
    let en_title = js(&c, "return document.getElementById('title').textContent").await;
    let en_family = js(&c, &format!("return document.getElementById('h-family-{}').textContent", keys[0])).await;

    // keyboard: a chart reacts to the arrow keys (zoom then pan changes the visible range)
    let before = js(&c, "return document.querySelector('.plot').fissureRange()").await;
    js(&c, "var p = document.querySelector('.plot'); p.focus(); ['+','+','ArrowLeft'].forEach(function(k){p.dispatchEvent(new KeyboardEvent('keydown',{key:k,bubbles:true}))}); return 1").await;
    let after = js(&c, "return document.querySelector('.plot').fissureRange()").await;
    let width = |r: &Value| r[1].as_f64().unwrap() - r[0].as_f64().unwrap();
    assert!(width(&after) < 0.7 * width(&before), "keyboard zoom narrowed the range: {before} -> {after}");
    let input = js(&c, "return document.querySelector('.chart-tools input').value").await;
    assert!(input.as_str().unwrap().len() == 10, "the range inputs follow: {input}");

    // language switch
    c.find(fantoccini::Locator::Id("lang-zh")).await.unwrap().click().await.unwrap();
    wait_ready(&c, "switching to Chinese").await;
    let zh_title = js(&c, "return document.getElementById('title').textContent").await;
    let zh_family = js(&c, &format!("return document.getElementById('h-family-{}').textContent", keys[0])).await;
    assert_ne!(en_title, zh_title);
    assert!(zh_title.as_str().unwrap().contains("市场脆弱性"), "{zh_title}");
    assert_ne!(en_family, zh_family, "family titles follow the language");
    assert_eq!(js(&c, "return document.documentElement.lang").await, "zh-CN");
    c.find(fantoccini::Locator::Id("lang-en")).await.unwrap().click().await.unwrap();
    wait_ready(&c, "switching back to English").await;

    // as-of control: replay 15 Sep 2008
    let latest = js(&c, "return document.getElementById('shown-asof').getAttribute('data-date')").await;
    js(&c, "document.getElementById('asof').value = '2008-09-15'; return 1").await;
    c.find(fantoccini::Locator::Css("#asof-form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_ready(&c, "replaying 2008-09-15").await;
    let shown = js(&c, "return document.getElementById('shown-asof').getAttribute('data-date')").await;
    assert_eq!(shown, "2008-09-15");
    assert_ne!(shown, latest);
    assert!(c.current_url().await.unwrap().as_str().contains("as_of=2008-09-15"));
    let last_source = js(&c, "return Array.from(document.querySelectorAll('#sources-body td:nth-child(6)')).map(function(t){return t.textContent})").await;
    assert!(
        last_source.as_array().unwrap().iter().all(|d| !d.as_str().unwrap().contains("2026")),
        "sources end by the replayed date"
    );
    assert_eq!(js(&c, "return fissure.errors.length").await, 0);

    let png = c.screenshot().await.unwrap();
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve-dashboard.png");
    std::fs::write(&shot, &png).unwrap();
    eprintln!("screenshot: {}", shot.display());
    assert!(png.len() > 10_000);

    // no console error; every request went to the server
    let console = log(&c, "browser").await;
    let errors: Vec<&Value> = console.iter().filter(|e| e["level"] == "SEVERE").collect();
    assert!(errors.is_empty(), "console errors: {errors:?}");
    let perf = log(&c, "performance").await;
    let mut urls = Vec::new();
    for e in &perf {
        let m: Value = serde_json::from_str(e["message"].as_str().unwrap_or("{}")).unwrap_or_default();
        if m["message"]["method"] == "Network.requestWillBeSent" {
            let p = &m["message"]["params"];
            urls.push((
                p["request"]["url"].as_str().unwrap_or("").to_string(),
                p["documentURL"].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    assert!(urls.iter().any(|(u, _)| u.ends_with("/assets/app.js")), "the performance log lists requests: {urls:?}");
    // any network URL must be the server's; the page's requests (any scheme) too.
    // (Chromium's own chrome:// pages before navigation are not the page's.)
    let outside: Vec<&(String, String)> = urls
        .iter()
        .filter(|(u, doc)| {
            let network = u.starts_with("http") || u.starts_with("ws");
            let ours = doc.starts_with(&base);
            !u.starts_with(&base) && (network || (ours && !u.starts_with("data:")))
        })
        .collect();
    assert!(outside.is_empty(), "requests outside the server: {outside:?}");
    c.close().await.unwrap();
}
