//! The server's shared state: the engine that builds reports, a small pool of
//! store connections, the report snapshots (the latest, and a few past
//! `as_of` dates), tokens, the rate limiter and the alert channel.
//!
//! Readers never see part of an ingest: the report endpoints answer from a
//! snapshot built from one read transaction (`Store::consistent_read`), and
//! the latest snapshot is swapped whole when its rebuild after an ingest ends.

use crate::alerts::{self, Alert};
use crate::analysis::{Analysis, AnalysisError, ANALYSIS_CONCURRENCY};
use crate::auth::{RateLimiter, Tokens};
use crate::error::ApiError;
use crate::settings::ServerSettings;
use axum::body::Bytes;
use axum::http::HeaderValue;
use chrono::NaiveDate;
use fissure_io::{Store, StoreError};
use fissure_report::{Lang, Report};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

/// What the server asks of the rest of Fissure: a report at a date. The binary
/// implements it with the same loading code and family list as `fissure report`,
/// so the server knows no family.
pub trait Engine: Send + Sync + 'static {
    /// The report as of `as_of` (default: the last stored date). The engine reads
    /// its inputs from `store` inside one read transaction and may cache family
    /// outputs in it.
    fn report(&self, store: &Store, as_of: Option<NaiveDate>) -> Result<Report, String>;

    /// Runs a stress-test or network analysis (a validated request of the
    /// `risk/*` and `network/*` endpoints) and returns its JSON. The binary runs
    /// the CLI's own command, so the JSON is that of `fissure risk var --json` etc.
    fn analysis(&self, request: &Analysis) -> Result<Value, AnalysisError>;
}

/// A signal's or gauge's latest reading, for alert rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Watched {
    pub title: String,
    pub date: Option<NaiveDate>,
    pub value: Option<f64>,
    pub percentile: Option<f64>,
    pub risk_percentile: Option<f64>,
    pub state: Option<&'static str>,
}

/// A report and its JSON documents, ready to serve.
pub struct Snapshot {
    pub as_of: NaiveDate,
    /// The data generation it was built from (bumped by every ingest that changed data).
    pub generation: u64,
    pub built_at: String,
    pub build_seconds: f64,
    pub report: Report,
    /// `report.json` as `fissure report` writes it (texts carry both languages).
    pub json: Value,
    pub report_bytes: Bytes,
    pub signals_bytes: Bytes,
    pub gauges_bytes: Bytes,
    /// Entity tags of the three documents (a hash of their bytes): `If-None-Match` → 304.
    pub report_etag: HeaderValue,
    pub signals_etag: HeaderValue,
    pub gauges_etag: HeaderValue,
    pub watched: BTreeMap<String, Watched>,
    /// Rendered family documents by (family, lang) and signal histories by (`signal:<id>`, "").
    families: Mutex<HashMap<(String, &'static str), Bytes>>,
}

fn bytes(v: &Value) -> Bytes {
    Bytes::from(serde_json::to_vec(v).unwrap_or_default())
}

/// A strong entity tag: the first 128 bits of the SHA-256 of the document.
pub fn etag_of(b: &[u8]) -> HeaderValue {
    use sha2::Digest;
    let d = sha2::Sha256::digest(b);
    let hex: String = d[..16].iter().map(|x| format!("{x:02x}")).collect();
    HeaderValue::from_str(&format!("\"{hex}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

impl Snapshot {
    pub fn new(report: Report, generation: u64, build_seconds: f64) -> Snapshot {
        let json = fissure_report::json::to_json(&report, Lang::En);
        let mut signals = Vec::new();
        if let Some(fams) = json["families"].as_object() {
            for (key, f) in fams {
                for s in f["signals"].as_array().into_iter().flatten() {
                    let mut s = s.clone();
                    // the latest reading only: a signal's history is `signals/{id}`
                    if let Some(o) = s.as_object_mut() {
                        o.remove("history");
                    }
                    s["family"] = json!(key);
                    signals.push(s);
                }
            }
        }
        let signals = json!({ "as_of": report.as_of, "generation": generation, "signals": signals });
        let gauges = json!({ "as_of": report.as_of, "generation": generation, "composite": json["composite"], "what_changed": json["what_changed"] });
        let mut watched = BTreeMap::new();
        for s in report.families.iter().flat_map(|f| &f.signals) {
            watched.insert(s.id.clone(), watched_of(&s.title.en, s.latest.as_ref()));
        }
        let c = &report.composite;
        for g in std::iter::once(&c.overall).chain(&c.families) {
            watched.insert(g.id.clone(), watched_of(&g.title.en, g.latest.as_ref()));
        }
        let (report_bytes, signals_bytes, gauges_bytes) = (bytes(&json), bytes(&signals), bytes(&gauges));
        Snapshot {
            as_of: report.as_of,
            generation,
            built_at: chrono::Utc::now().to_rfc3339(),
            build_seconds,
            report_etag: etag_of(&report_bytes),
            signals_etag: etag_of(&signals_bytes),
            gauges_etag: etag_of(&gauges_bytes),
            report_bytes,
            signals_bytes,
            gauges_bytes,
            json,
            report,
            watched,
            families: Mutex::new(HashMap::new()),
        }
    }

    /// `families/{key}`: the family's part of report.json plus its chart data
    /// (for interactive charts) and each chart drawn as SVG in `lang`.
    pub fn family(&self, key: &str, lang: Lang) -> Option<Bytes> {
        let cache_key = (key.to_string(), lang.code());
        if let Some(b) = self.families.lock().unwrap_or_else(|e| e.into_inner()).get(&cache_key) {
            return Some(b.clone());
        }
        let f = self.report.families.iter().find(|f| f.run.key == key)?;
        let mut doc = self.json["families"][key].clone();
        let charts: Vec<Value> = f
            .output
            .charts
            .iter()
            .map(|c| json!({"id": c.id, "title": c.title, "caption": c.caption, "data": c.data, "svg": fissure_report::svg::draw(c, lang)}))
            .collect();
        doc["key"] = json!(key);
        doc["as_of"] = json!(self.as_of);
        doc["chart_data"] = Value::Array(charts);
        let b = bytes(&doc);
        self.families.lock().unwrap_or_else(|e| e.into_inner()).insert(cache_key, b.clone());
        Some(b)
    }

    /// One signal's full history as JSON bytes (built once per snapshot).
    pub fn signal_history_bytes(&self, id: &str) -> Option<Bytes> {
        let key = (format!("signal:{id}"), "");
        if let Some(b) = self.families.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Some(b.clone());
        }
        let b = bytes(&self.signal_history(id)?);
        self.families.lock().unwrap_or_else(|e| e.into_inner()).insert(key, b.clone());
        Some(b)
    }

    /// One signal's full history.
    pub fn signal_history(&self, id: &str) -> Option<Value> {
        let s = self.report.families.iter().flat_map(|f| &f.signals).find(|s| s.id == id)?;
        let states: Vec<Option<&str>> = s.states.iter().map(|x| x.map(|x| x.key())).collect();
        let values: Vec<Option<f64>> = s.values.iter().map(|v| v.is_finite().then_some(*v)).collect();
        Some(json!({
            "id": s.id,
            "family": s.family,
            "title": s.title,
            "unit": s.unit,
            "higher_is_riskier": s.higher_is_riskier,
            "thresholds": s.thresholds,
            "latest": s.latest,
            "as_of": self.as_of,
            "dates": s.dates,
            "values": values,
            "percentiles": s.percentiles,
            "risk_percentiles": s.risk,
            "states": states,
        }))
    }

    /// First and last stored dates (over every source).
    pub fn data_range(&self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        (
            self.report.sources.iter().filter_map(|s| s.first).min(),
            self.report.sources.iter().filter_map(|s| s.last).max(),
        )
    }
}

fn watched_of(title: &str, r: Option<&fissure_report::registry::Reading>) -> Watched {
    Watched {
        title: title.to_string(),
        date: r.map(|r| r.date),
        value: r.map(|r| r.value).filter(|v| v.is_finite()),
        percentile: r.and_then(|r| r.percentile),
        risk_percentile: r.and_then(|r| r.risk_percentile),
        state: r.and_then(|r| r.state).map(|s| s.key()),
    }
}

/// A few reusable store connections (SQLite connections are not shared across threads).
pub struct StorePool {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
}

impl StorePool {
    pub fn new(path: PathBuf) -> StorePool {
        StorePool { path, idle: Mutex::new(Vec::new()) }
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Runs `f` with a connection (blocking: call from a blocking thread).
    pub fn with<T>(&self, f: impl FnOnce(&mut Store) -> T) -> Result<T, StoreError> {
        let store = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let store = match store {
            Some(s) => s,
            None => Store::open(&self.path)?,
        };
        let mut store = store;
        let out = f(&mut store);
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < 8 {
            idle.push(store);
        }
        Ok(out)
    }
}

/// Counters shown by `health`.
#[derive(Default)]
pub struct Counters {
    pub ingests: AtomicU64,
    pub rebuilds: AtomicU64,
    pub alerts: AtomicU64,
    pub webhook_deliveries: AtomicU64,
    pub webhook_failures: AtomicU64,
}

/// Everything the handlers share.
pub struct AppState {
    pub engine: Arc<dyn Engine>,
    pub settings: ServerSettings,
    pub pool: StorePool,
    pub tokens: Tokens,
    pub limiter: RateLimiter,
    pub latest: RwLock<Option<Arc<Snapshot>>>,
    /// The last error of a report build, if the latest build failed.
    pub build_error: RwLock<Option<String>>,
    past: Mutex<VecDeque<Arc<Snapshot>>>,
    /// One report build at a time (they use every core already).
    build_lock: tokio::sync::Mutex<()>,
    /// One ingest at a time from this process (the store serialises processes).
    pub ingest_lock: tokio::sync::Mutex<()>,
    /// Analyses (`risk/*`, `network/*`) running at once.
    pub analyses: tokio::sync::Semaphore,
    pub generation: AtomicU64,
    pub alerts: alerts::Hub,
    pub counters: Counters,
    pub started: Instant,
    /// Set to true when the server stops: ends the event streams so that the graceful shutdown can finish.
    pub shutdown: tokio::sync::watch::Sender<bool>,
}

impl AppState {
    pub fn new(engine: Arc<dyn Engine>, store: PathBuf, settings: ServerSettings) -> Result<AppState, StoreError> {
        let pool = StorePool::new(store);
        let records = pool.with(|s| s.token_list())??;
        let limiter = RateLimiter::new(settings.rate_limit_per_second, settings.rate_limit_burst);
        let hub = alerts::Hub::new(&settings).map_err(|e| StoreError::Corrupt {
            path: pool.path().to_path_buf(),
            id: "[server]".into(),
            why: e.to_string(),
        })?;
        Ok(AppState {
            engine,
            tokens: Tokens::new(records),
            limiter,
            pool,
            settings,
            latest: RwLock::new(None),
            build_error: RwLock::new(None),
            past: Mutex::new(VecDeque::new()),
            build_lock: tokio::sync::Mutex::new(()),
            ingest_lock: tokio::sync::Mutex::new(()),
            analyses: tokio::sync::Semaphore::new(ANALYSIS_CONCURRENCY),
            generation: AtomicU64::new(0),
            alerts: hub,
            counters: Counters::default(),
            started: Instant::now(),
            shutdown: tokio::sync::watch::channel(false).0,
        })
    }

    pub fn latest(&self) -> Option<Arc<Snapshot>> {
        self.latest.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The latest snapshot, or 503 while the first build runs.
    pub fn latest_or_503(&self) -> Result<Arc<Snapshot>, ApiError> {
        if let Some(s) = self.latest() {
            return Ok(s);
        }
        match self.build_error.read().unwrap_or_else(|e| e.into_inner()).clone() {
            Some(e) => Err(ApiError::internal(format!("the report could not be built: {e}"))),
            None => Err(ApiError::unavailable("the first report is still being computed; retry shortly", 5)),
        }
    }

    async fn build(self: &Arc<Self>, as_of: Option<NaiveDate>) -> Result<Arc<Snapshot>, ApiError> {
        let generation = self.generation.load(Ordering::SeqCst);
        let state = self.clone();
        let t = Instant::now();
        let report = tokio::task::spawn_blocking(move || state.pool.with(|s| state.engine.report(s, as_of)))
            .await
            .map_err(|e| ApiError::internal(format!("report build stopped: {e}")))?
            .map_err(|e| ApiError::internal(e.to_string()))?
            .map_err(ApiError::internal)?;
        Ok(Arc::new(Snapshot::new(report, generation, t.elapsed().as_secs_f64())))
    }

    /// Rebuilds the latest snapshot until it matches the current data generation,
    /// then swaps it in and raises the alerts of what changed.
    pub async fn refresh_latest(self: &Arc<Self>) {
        let _guard = self.build_lock.lock().await;
        loop {
            let wanted = self.generation.load(Ordering::SeqCst);
            if self.latest().is_some_and(|s| s.generation == wanted) {
                return;
            }
            match self.build(None).await {
                Ok(snap) => {
                    self.counters.rebuilds.fetch_add(1, Ordering::Relaxed);
                    let previous = self.latest();
                    tracing::info!(as_of = %snap.as_of, generation = snap.generation, seconds = snap.build_seconds, "report built");
                    *self.latest.write().unwrap_or_else(|e| e.into_inner()) = Some(snap.clone());
                    *self.build_error.write().unwrap_or_else(|e| e.into_inner()) = None;
                    self.past.lock().unwrap_or_else(|e| e.into_inner()).retain(|p| p.generation == snap.generation);
                    if let Some(prev) = previous {
                        let fired = alerts::evaluate(&self.settings.alerts, &prev, &snap);
                        for a in fired {
                            self.raise(a);
                        }
                    }
                }
                Err(e) => {
                    tracing::error!(detail = %e.detail, "report build failed");
                    *self.build_error.write().unwrap_or_else(|e| e.into_inner()) = Some(e.detail);
                    return;
                }
            }
        }
    }

    fn raise(self: &Arc<Self>, alert: Alert) {
        self.counters.alerts.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(rule = %alert.rule, id = %alert.id, kind = %alert.kind, from = ?alert.from, to = ?alert.to, value = ?alert.value, "alert");
        self.alerts.publish(self.clone(), alert);
    }

    /// The report as of `as_of`: the latest snapshot when it is that date, a
    /// cached past one, or a new build.
    pub async fn snapshot_at(self: &Arc<Self>, as_of: Option<NaiveDate>) -> Result<Arc<Snapshot>, ApiError> {
        let latest = self.latest_or_503()?;
        let Some(date) = as_of else { return Ok(latest) };
        if date == latest.as_of {
            return Ok(latest);
        }
        let (first, last) = latest.data_range();
        if let (Some(first), Some(last)) = (first, last) {
            if date < first || date > last {
                return Err(ApiError::bad_request(format!(
                    "as_of {date} is outside the stored data ({first} to {last})"
                )));
            }
        }
        let find = |state: &AppState| {
            state
                .past
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .find(|p| p.as_of == date && p.generation == latest.generation)
                .cloned()
        };
        if let Some(s) = find(self) {
            return Ok(s);
        }
        let _guard = self.build_lock.lock().await;
        if let Some(s) = find(self) {
            return Ok(s);
        }
        let snap = self.build(Some(date)).await?;
        let mut past = self.past.lock().unwrap_or_else(|e| e.into_inner());
        past.push_back(snap.clone());
        while past.len() > self.settings.report_cache_entries {
            past.pop_front();
        }
        Ok(snap)
    }

    /// Re-reads the token table when it is stale (blocking).
    pub fn refresh_tokens(&self) {
        if let Ok(Ok(records)) = self.pool.with(|s| s.token_list()) {
            self.tokens.reload(records);
        }
    }
}
