//! Shared by the server's tests: an engine with the report's own `baseline`
//! family only (the server crate knows no family; the CLI's tests run the full
//! list), real bundled data, a tiny HTTP/1 client, and multipart bodies.
#![allow(dead_code)]

use axum::body::Bytes;
use chrono::NaiveDate;
use fissure_core::{FamilyInputs, Series};
use fissure_io::store::IngestItem;
use fissure_io::Store;
use fissure_report::{Report, ReportInput, SkillParams, Source};
use fissure_server::{Analysis, AnalysisError, Engine, ServerSettings};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// Builds the report from every stored series, truncated at `as_of`, with the
/// baseline family (trailing volatility, 200-day MA) on SPX.
pub struct TestEngine;

impl Engine for TestEngine {
    fn report(&self, store: &Store, as_of: Option<NaiveDate>) -> Result<Report, String> {
        let (inputs, as_of, sources) = store
            .consistent_read(|s| -> Result<_, String> {
                let list = s.list().map_err(|e| e.to_string())?;
                let as_of = as_of.or_else(|| list.iter().filter_map(|i| i.last).max()).ok_or("empty store")?;
                let mut inputs = FamilyInputs { as_of: Some(as_of), ..Default::default() };
                let mut sources = Vec::new();
                for info in &list {
                    let series = s.load(&info.meta.id, None).map_err(|e| e.to_string())?.as_of(as_of);
                    sources.push(Source {
                        id: info.meta.id.clone(),
                        name: info.meta.name.clone(),
                        source: info.meta.source.clone(),
                        unit: info.meta.unit.clone(),
                        first: series.first_date(),
                        last: series.last_date(),
                        observations: series.len(),
                        publication_lag_days: fissure_io::publication::lag_days(&info.meta),
                    });
                    inputs.series.insert(info.meta.id.clone(), series);
                }
                Ok((inputs, as_of, sources))
            })
            .map_err(|e| e.to_string())??;
        Ok(fissure_report::build(
            ReportInput {
                families: vec![],
                inputs,
                events: vec![("SPX".into(), 0.2)],
                as_of,
                sources,
                skill_params: SkillParams::default(),
                code_id: "server-tests".into(),
            },
            Some(store),
            &|_| {},
        ))
    }

    /// Echoes the validated request (the server's tests check validation and what reaches
    /// the engine; the CLI's tests check the real analyses). A portfolio holding `REFUSE`
    /// is refused, as an analysis refuses too little history; a shock on `NOBODY` names
    /// an unknown firm.
    fn analysis(&self, request: &Analysis) -> Result<serde_json::Value, AnalysisError> {
        match request {
            Analysis::RiskVar(r) if r.weights.contains_key("REFUSE") => {
                Err(AnalysisError::Refused("REFUSE: need at least 250 observations, got 3".into()))
            }
            Analysis::NetworkDebtRank(r) if r.shocks.contains_key("NOBODY") => Err(AnalysisError::UnknownId {
                field: "shocks.NOBODY".into(),
                detail: "no firm `NOBODY` in the network".into(),
            }),
            Analysis::RiskVar(r) => Ok(serde_json::json!({"kind": "risk var", "request": r})),
            Analysis::RiskScenarios(r) => Ok(serde_json::json!({"kind": "risk scenarios", "request": r})),
            Analysis::NetworkSummary(q) => Ok(serde_json::json!({"kind": "network summary", "request": q})),
            Analysis::NetworkDebtRank(r) => Ok(serde_json::json!({"kind": "network debtrank", "request": r})),
        }
    }
}

pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The bundled S&P 500 series (real data).
pub fn spx() -> Series {
    fissure_io::demo::load().unwrap().series.into_iter().find(|(s, _)| s.id() == "SPX").unwrap().0
}

/// A store holding SPX up to `until`.
pub fn store_with_spx(path: &Path, until: &str) {
    let mut st = Store::open(path).unwrap();
    let s = spx().as_of(date(until));
    st.ingest("test", &[IngestItem { series: s, origin: "demo".into() }], &[]).unwrap();
}

/// A CSV (date,close) of `s` between two dates.
pub fn csv_of(s: &Series, from: &str, to: &str) -> String {
    let mut out = String::from("date,close\n");
    for (d, v) in s.dates().iter().zip(s.values()) {
        if *d >= date(from) && *d <= date(to) {
            out += &format!("{d},{v}\n");
        }
    }
    out
}

/// Starts the server on a free loopback port and waits for the first report.
pub async fn start(store: &Path, settings: ServerSettings) -> fissure_server::Running {
    let r = fissure_server::start(Arc::new(TestEngine), store.to_path_buf(), settings, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    r.ready().await;
    r
}

pub struct Resp {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_string())
    }
    /// Asserts a JSON error `{error, detail}` with this status.
    pub fn assert_error(&self, status: u16) -> serde_json::Value {
        assert_eq!(self.status, status, "{}", self.text());
        let j = self.json();
        assert!(j["error"].is_string() && j["detail"].is_string(), "{j}");
        assert!(!self.text().contains("panicked") && !self.text().contains("src/"), "no stack trace: {j}");
        j
    }
}

pub async fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, String)], body: Vec<u8>) -> Resp {
    try_request(addr, method, path, headers, body).await.unwrap()
}

/// As `request`, with the client's error returned: a server that answers (413) before reading a large body
/// may close the connection while the client is still writing it (a broken pipe on the client's side).
pub async fn try_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> Result<Resp, String> {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut b = hyper::Request::builder().method(method).uri(format!("http://{addr}{path}"));
    for (k, v) in headers {
        b = b.header(*k, v);
    }
    let resp = client.request(b.body(Full::new(Bytes::from(body))).unwrap()).await.map_err(|e| format!("{e:?}"))?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.map_err(|e| format!("{e:?}"))?.to_bytes();
    Ok(Resp { status, headers, body })
}

pub async fn get(addr: SocketAddr, path: &str) -> Resp {
    request(addr, "GET", path, &[], vec![]).await
}

pub async fn get_with(addr: SocketAddr, path: &str, token: &str) -> Resp {
    request(addr, "GET", path, &[("authorization", format!("Bearer {token}"))], vec![]).await
}

/// A multipart/form-data body with `file` parts (name, content) and optional text fields.
pub fn multipart(files: &[(&str, &[u8])], fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "fissure-test-boundary-7d1c";
    let mut body = Vec::new();
    for (name, data) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub async fn upload(addr: SocketAddr, token: Option<&str>, files: &[(&str, &[u8])], fields: &[(&str, &str)]) -> Resp {
    let (ctype, body) = multipart(files, fields);
    let mut headers = vec![("content-type", ctype)];
    if let Some(t) = token {
        headers.push(("authorization", format!("Bearer {t}")));
    }
    request(addr, "POST", "/api/v1/ingest", &headers, body).await
}

/// An upload whose body the server may refuse before reading it all (see `try_request`).
pub async fn try_upload(addr: SocketAddr, token: Option<&str>, files: &[(&str, &[u8])]) -> Result<Resp, String> {
    let (ctype, body) = multipart(files, &[]);
    let mut headers = vec![("content-type", ctype)];
    if let Some(t) = token {
        headers.push(("authorization", format!("Bearer {t}")));
    }
    try_request(addr, "POST", "/api/v1/ingest", &headers, body).await
}

/// A token created directly in the store.
pub fn token(store: &Path, role: fissure_server::auth::Role) -> String {
    let st = Store::open(store).unwrap();
    fissure_server::auth::create_token(&st, role, "test").unwrap().token
}

/// Waits until the served report has caught up with the data generation.
pub async fn settled(r: &fissure_server::Running) {
    for _ in 0..3000 {
        let g = r.state.generation.load(std::sync::atomic::Ordering::SeqCst);
        if r.state.latest().is_some_and(|s| s.generation == g) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the report did not catch up with the data");
}
