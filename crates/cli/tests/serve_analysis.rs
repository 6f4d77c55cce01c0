//! The stress-test and network endpoints of `fissure serve` on the bundled data: the
//! JSON equals what `fissure … --json` prints for the same portfolio or shocks (the
//! server's engine runs the CLI's own commands), and the real analyses' refusals come
//! back as JSON errors with the documented codes.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn fissure(store: &Path, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_fissure"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("FISSURE_CONFIG")
        .output()
        .expect("run fissure");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// One HTTP/1.0 request; (status, JSON body).
fn http(addr: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(600))).unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}")))
}

fn error(addr: &str, method: &str, path: &str, body: Option<&Value>, status: u16) -> Value {
    let (s, j) = http(addr, method, path, body);
    assert_eq!(s, status, "{path} {body:?}: {j}");
    assert!(j["error"].is_string() && j["detail"].is_string(), "{j}");
    assert!(!j.to_string().contains("panicked") && !j.to_string().contains("src/"), "no stack trace: {j}");
    j
}

#[test]
fn analyses_over_http_equal_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    fissure(&store, &["ingest", "--demo", "--json"]);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_fissure"))
        .arg("--store")
        .arg(&store)
        .args(["serve", "--bind", &addr])
        .env_remove("FISSURE_CONFIG")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _server = Kill(child);
    let mut line = String::new();
    let t = Instant::now();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    assert!(line.contains("dashboard at"), "{line}");
    assert!(t.elapsed() < Duration::from_secs(300));

    // VaR: one method, and every method (the CLI's two JSON shapes)
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            json!({"weights": {"SPY": 0.6, "TLT": 0.4}, "level": 0.975}),
            vec!["risk", "var", "--weights", "SPY=0.6,TLT=0.4", "--level", "0.975", "--json"],
        ),
        (
            json!({"weights": {"GLD": 0.3, "SPY": 0.5}, "cash": 0.2, "method": "all", "horizon": 5, "sims": 500, "seed": 7}),
            vec![
                "risk",
                "var",
                "--weights",
                "GLD=0.3,SPY=0.5",
                "--cash",
                "0.2",
                "--method",
                "all",
                "--horizon",
                "5",
                "--sims",
                "500",
                "--seed",
                "7",
                "--json",
            ],
        ),
    ];
    for (body, args) in &cases {
        let (s, got) = http(&addr, "POST", "/api/v1/risk/var", Some(body));
        assert_eq!(s, 200, "{got}");
        assert_eq!(got, fissure(&store, args), "{body}");
    }
    let (_, one) = http(&addr, "POST", "/api/v1/risk/var", Some(&cases[0].0));
    assert!(one["var"].as_f64().unwrap() > 0.0 && one["es"].as_f64().unwrap() >= one["var"].as_f64().unwrap());

    // scenarios
    let body = json!({"weights": {"SPY": 1.0}, "scenarios": ["covid", "2022-01-03:2022-10-12"], "paths": true});
    let (s, got) = http(&addr, "POST", "/api/v1/risk/scenarios", Some(&body));
    assert_eq!(s, 200, "{got}");
    let want = fissure(
        &store,
        &[
            "risk",
            "scenarios",
            "--weights",
            "SPY=1",
            "--scenario",
            "covid",
            "--scenario",
            "2022-01-03:2022-10-12",
            "--paths",
            "--json",
        ],
    );
    assert_eq!(got, want);
    assert_eq!(got["scenarios"].as_array().unwrap().len(), 2);
    assert!(got["scenarios"][0]["pnl_pct"].as_f64().unwrap() < 0.0, "SPY lost in the covid crash");

    // network summary and DebtRank on the bundled deal book
    let (s, got) = http(&addr, "GET", "/api/v1/network/summary?as_of=2025-06-30&max_len=3", None);
    assert_eq!(s, 200, "{got}");
    assert_eq!(got, fissure(&store, &["network", "summary", "--as-of", "2025-06-30", "--max-len", "3", "--json"]));
    let (_, all) = http(&addr, "GET", "/api/v1/network/summary", None);
    assert_eq!(all, fissure(&store, &["network", "summary", "--json"]));
    let body = json!({"shocks": {"OPENAI": 1.0}, "linear": true, "sizes": {"CRWV": 60.0}});
    let (s, got) = http(&addr, "POST", "/api/v1/network/debtrank", Some(&body));
    assert_eq!(s, 200, "{got}");
    let want =
        fissure(&store, &["network", "debtrank", "--shock", "OPENAI=1", "--linear", "--size", "CRWV=60", "--json"]);
    assert_eq!(got, want);
    assert!(got["debtrank"].as_f64().unwrap() > 0.0);

    // refusals of the real analyses
    let j = error(&addr, "POST", "/api/v1/risk/var", Some(&json!({"weights": {"SPY": 0.5, "NOPE": 0.5}})), 400);
    assert_eq!((j["error"].as_str(), j["field"].as_str()), (Some("unknown_id"), Some("weights.NOPE")));
    let j = error(&addr, "POST", "/api/v1/risk/var", Some(&json!({"weights": {"SPY": 0.5, "TLT": 0.3}})), 422);
    assert!(j["detail"].as_str().unwrap().contains("normalise"), "{j}");
    let (s, _) =
        http(&addr, "POST", "/api/v1/risk/var", Some(&json!({"weights": {"SPY": 0.5, "TLT": 0.3}, "normalise": true})));
    assert_eq!(s, 200);
    let j =
        error(&addr, "POST", "/api/v1/risk/var", Some(&json!({"weights": {"SPY": 1.0}, "as_of": "1990-01-02"})), 422);
    assert!(j["detail"].as_str().unwrap().contains("SPY"), "{j}");
    let j = error(
        &addr,
        "POST",
        "/api/v1/risk/scenarios",
        Some(&json!({"weights": {"SPY": 1.0}, "scenarios": ["atlantis"]})),
        422,
    );
    assert!(j["detail"].as_str().unwrap().contains("atlantis"), "{j}");
    let j = error(&addr, "POST", "/api/v1/network/debtrank", Some(&json!({"shocks": {"NOPE": 0.5}})), 400);
    assert_eq!((j["error"].as_str(), j["field"].as_str()), (Some("unknown_id"), Some("shocks.NOPE")));
    let j = error(&addr, "GET", "/api/v1/network/summary?revision=99", None, 422);
    assert!(j["detail"].as_str().unwrap().contains("99"), "{j}");
    error(&addr, "GET", "/api/v1/network/summary?book=nothing", None, 404);
    error(&addr, "POST", "/api/v1/risk/var", Some(&json!({"weights": {"SPY": 1.0}, "level": 2})), 400);
}
