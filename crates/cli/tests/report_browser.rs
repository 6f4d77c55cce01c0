//! The report as a person sees it: rendered by headless Chromium (Debian's
//! `chromium`; `.ci/run` installs it). Checks that the page raises no script
//! error, makes no network request (Chromium's net log: any request whose
//! initiator is the page), shows the main sections, and takes a screenshot.
//! Skips, with a message, only when no Chromium is installed.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FISSURE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    let p = PathBuf::from("/usr/bin/chromium");
    p.is_file().then_some(p)
}

/// Runs headless Chromium on `page` with a private profile, no DNS (nothing can
/// leave the machine), a net log, and `extra` arguments. Returns stdout.
fn run_chromium(bin: &Path, work: &Path, page: &Path, netlog: &Path, extra: &[&str]) -> String {
    let profile = work.join(format!("profile-{}", page.file_stem().unwrap().to_string_lossy()));
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("running chromium");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// URLs the page itself requested (Chromium's own background requests have
/// the initiator "not an origin"; a file:// page's requests have "null").
fn page_requests(netlog: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(netlog).expect("net log written");
    // Chromium may leave the JSON array unterminated when it exits.
    let log: Value = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))
        .expect("net log is JSON");
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_i64().expect("event type");
    log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_i64() == Some(start_job))
        .filter(|e| e["params"]["initiator"].as_str().is_some_and(|i| i != "not an origin"))
        .map(|e| e["params"]["url"].as_str().unwrap_or("?").to_string())
        .collect()
}

/// A copy of `html` with a probe script (and without the page's CSP, so the
/// probe may run and any URL the page names would really be requested): it
/// records script errors from the start and, after load, the size and
/// visibility of every main section and chart, into `<pre id="probe">`.
fn with_probe(html: &str) -> String {
    let head_probe = "<script>window.__errors=[];window.addEventListener('error',function(e){window.__errors.push(String(e.message||e.type))},true);</script>";
    let body_probe = r#"<script>
window.addEventListener('load',function(){
  var ids=['summary','alarms','changes','skill','skill-table','events-table','sources','methods'];
  document.querySelectorAll('section.family').forEach(function(s){ids.push(s.id)});
  var vis={};
  ids.forEach(function(id){var el=document.getElementById(id);if(!el){vis[id]=0;return}
    var r=el.getBoundingClientRect(),cs=getComputedStyle(el);
    vis[id]=(r.width>0&&r.height>0&&cs.display!=='none'&&cs.visibility!=='hidden')?1:0});
  var svgs=[].slice.call(document.querySelectorAll('figure svg'));
  var drawn=svgs.filter(function(s){var r=s.getBoundingClientRect();return r.width>100&&r.height>50}).length;
  var p=document.createElement('pre');p.id='probe';
  p.textContent=JSON.stringify({errors:window.__errors,visible:vis,charts:svgs.length,drawn:drawn});
  document.body.appendChild(p);
});
</script>"#;
    let no_csp = match (html.find("<meta http-equiv=\"Content-Security-Policy\""), html.find("<title>")) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &html[..a], &html[b..]),
        _ => html.to_string(),
    };
    no_csp.replacen("<head>", &format!("<head>{head_probe}"), 1).replacen("</body>", &format!("{body_probe}</body>"), 1)
}

fn probe_result(dom: &str) -> Value {
    let a = dom.find("<pre id=\"probe\">").expect("probe ran (page loaded and scripts executed)")
        + "<pre id=\"probe\">".len();
    let b = a + dom[a..].find("</pre>").unwrap();
    serde_json::from_str(&dom[a..b].replace("&quot;", "\"").replace("&amp;", "&")).expect("probe JSON")
}

#[test]
fn report_renders_in_headless_chromium() {
    let Some(bin) = chromium() else {
        eprintln!("SKIPPED report_renders_in_headless_chromium: no chromium found (install Debian's `chromium` or set FISSURE_CHROMIUM)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();

    // Negative controls: the probe and the net-log check do catch errors and requests.
    let bad = work.join("bad.html");
    std::fs::write(
        &bad,
        with_probe("<!DOCTYPE html><html><head><title>x</title></head><body><img src=\"http://example.invalid/x.png\"><script>undefinedFunction()</script></body></html>"),
    )
    .unwrap();
    let bad_log = work.join("bad-net.json");
    let dom = run_chromium(&bin, work, &bad, &bad_log, &["--dump-dom"]);
    assert!(!probe_result(&dom)["errors"].as_array().unwrap().is_empty(), "probe missed a script error");
    assert!(page_requests(&bad_log).iter().any(|u| u.contains("example.invalid")), "net-log check missed a request");

    // The report.
    let out = work.join("report");
    let status = Command::new(env!("CARGO_BIN_EXE_fissure"))
        .arg("--store")
        .arg(work.join("store.sqlite"))
        .args(["report", "--out", out.to_str().unwrap(), "--lang", "zh"])
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let probe_page = out.join("probe.html");
    std::fs::write(&probe_page, with_probe(&html)).unwrap();
    let netlog = work.join("net.json");
    let dom = run_chromium(&bin, work, &probe_page, &netlog, &["--dump-dom"]);
    let p = probe_result(&dom);
    assert_eq!(p["errors"].as_array().unwrap().len(), 0, "script errors: {}", p["errors"]);
    for (id, v) in p["visible"].as_object().unwrap() {
        assert_eq!(v, 1, "section #{id} is not visible");
    }
    assert!(p["visible"].as_object().unwrap().keys().any(|k| k == "family-baseline"));
    assert!(p["charts"].as_u64().unwrap() >= 3, "{p}");
    assert_eq!(p["charts"], p["drawn"], "some chart has no size: {p}");
    let requests = page_requests(&netlog);
    assert!(requests.is_empty(), "the report made network requests: {requests:?}");

    // Screenshot of the report itself (with its CSP).
    let shot = std::env::var_os("FISSURE_SCREENSHOT").map(PathBuf::from).unwrap_or_else(|| work.join("report.png"));
    run_chromium(
        &bin,
        work,
        &out.join("report.html"),
        &work.join("net-shot.json"),
        &["--window-size=1280,2400", &format!("--screenshot={}", shot.display())],
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // A blank page compresses to a few kB; the report's text and charts do not.
    assert!(png.len() > 60_000, "screenshot looks empty ({} bytes)", png.len());
    assert!(page_requests(&work.join("net-shot.json")).is_empty());
}
