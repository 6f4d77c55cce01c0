//! Alerts: rules from the watchlist's `[server]` section evaluated on every new
//! latest report against the previous one; delivered on the SSE stream
//! (`/api/v1/events`), to webhooks (signed, retried) and in the log.

use crate::settings::{AlertRule, RuleField, RuleKind, ServerSettings, SettingsError};
use crate::state::{AppState, Snapshot, Watched};
use axum::body::Bytes;
use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use http_body_util::Full;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use sha2::Sha256;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;
use utoipa::ToSchema;

/// One alert.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, ToSchema)]
pub struct Alert {
    /// Increasing number (per server run): the SSE event id and webhook delivery id.
    pub seq: u64,
    /// The rule's name.
    pub rule: String,
    /// `state_change`, `above` or `below`.
    pub kind: String,
    /// Signal or gauge id.
    pub id: String,
    pub title: String,
    /// Previous and new state (state changes) or reading (thresholds), as text.
    pub from: Option<String>,
    pub to: Option<String>,
    pub value: Option<f64>,
    pub level: Option<f64>,
    pub previous_as_of: NaiveDate,
    pub as_of: NaiveDate,
    /// When it was raised (RFC 3339, UTC).
    pub at: String,
}

fn field_of(w: &Watched, f: RuleField) -> Option<f64> {
    match f {
        RuleField::Value => w.value,
        RuleField::Percentile => w.percentile,
        RuleField::RiskPercentile => w.risk_percentile,
    }
}

/// The alerts fired by going from `prev` to `next` (seq numbers are set by the hub).
pub fn evaluate(rules: &[AlertRule], prev: &Snapshot, next: &Snapshot) -> Vec<Alert> {
    let mut out = Vec::new();
    let now = chrono::Utc::now().to_rfc3339();
    for rule in rules {
        for (id, new) in next.watched.iter().filter(|(id, _)| rule.matches(id)) {
            let Some(old) = prev.watched.get(id) else { continue };
            let fired = match rule.on {
                RuleKind::StateChange => (old.state != new.state && new.state.is_some())
                    .then(|| (old.state.unwrap_or("none").to_string(), new.state.unwrap_or("none").to_string())),
                RuleKind::Above | RuleKind::Below => {
                    let level = rule.level.unwrap_or(f64::NAN);
                    match (field_of(old, rule.field), field_of(new, rule.field)) {
                        (Some(a), Some(b)) => {
                            let crossed = if rule.on == RuleKind::Above {
                                a < level && b >= level
                            } else {
                                a > level && b <= level
                            };
                            crossed.then(|| (format!("{a}"), format!("{b}")))
                        }
                        _ => None,
                    }
                }
            };
            if let Some((from, to)) = fired {
                out.push(Alert {
                    seq: 0,
                    rule: rule.name.clone(),
                    kind: match rule.on {
                        RuleKind::StateChange => "state_change",
                        RuleKind::Above => "above",
                        RuleKind::Below => "below",
                    }
                    .into(),
                    id: id.clone(),
                    title: new.title.clone(),
                    from: Some(from),
                    to: Some(to),
                    value: field_of(new, rule.field),
                    level: rule.level,
                    previous_as_of: prev.as_of,
                    as_of: next.as_of,
                    at: now.clone(),
                });
            }
        }
    }
    out
}

/// HMAC-SHA256 of `body` under `secret`, as sent in `X-Fissure-Signature` (`sha256=<hex>`).
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    format!("sha256={}", tag.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

struct Target {
    url: hyper::Uri,
    secret: String,
    max_attempts: u32,
}

/// Where alerts go.
pub struct Hub {
    seq: AtomicU64,
    sender: broadcast::Sender<Arc<Alert>>,
    recent: Mutex<VecDeque<Alert>>,
    targets: Vec<Arc<Target>>,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// Alerts kept for `GET /api/v1/alerts`.
const RECENT: usize = 200;

impl Hub {
    pub fn new(settings: &ServerSettings) -> Result<Hub, SettingsError> {
        let mut targets = Vec::new();
        for w in &settings.webhooks {
            let url = w.url.parse().map_err(|_| SettingsError(format!("webhook {}: not a valid URL", w.url)))?;
            targets.push(Arc::new(Target { url, secret: w.secret()?, max_attempts: w.max_attempts }));
        }
        let (sender, _) = broadcast::channel(256);
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Hub { seq: AtomicU64::new(1), sender, recent: Mutex::new(VecDeque::new()), targets, client })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Alert>> {
        self.sender.subscribe()
    }

    /// The most recent alerts, oldest first.
    pub fn recent(&self) -> Vec<Alert> {
        self.recent.lock().unwrap_or_else(|e| e.into_inner()).iter().cloned().collect()
    }

    /// Numbers the alert, keeps it, sends it to SSE subscribers and to every webhook.
    pub fn publish(&self, state: Arc<AppState>, mut alert: Alert) {
        alert.seq = self.seq.fetch_add(1, Ordering::SeqCst);
        {
            let mut r = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            r.push_back(alert.clone());
            while r.len() > RECENT {
                r.pop_front();
            }
        }
        let alert = Arc::new(alert);
        let _ = self.sender.send(alert.clone()); // no subscriber is fine
        for t in &self.targets {
            let (t, a, st) = (t.clone(), alert.clone(), state.clone());
            tokio::spawn(async move { deliver(&st, &t, &a).await });
        }
    }
}

/// POSTs one alert, retrying with exponential backoff (0.5 s, 1 s, 2 s, … capped at 30 s).
async fn deliver(state: &AppState, t: &Target, alert: &Alert) {
    let body = Bytes::from(serde_json::to_vec(alert).unwrap_or_default());
    let sig = signature(&t.secret, &body);
    for attempt in 1..=t.max_attempts {
        let req = hyper::Request::post(t.url.clone())
            .header("content-type", "application/json")
            .header("user-agent", concat!("fissure/", env!("CARGO_PKG_VERSION")))
            .header("x-fissure-event", "alert")
            .header("x-fissure-delivery", alert.seq.to_string())
            .header("x-fissure-signature", &sig)
            .body(Full::new(body.clone()));
        let Ok(req) = req else { return };
        let outcome = tokio::time::timeout(Duration::from_secs(10), state.alerts.client.request(req)).await;
        let status = match outcome {
            Ok(Ok(resp)) => Ok(resp.status()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("timed out after 10 s".into()),
        };
        match status {
            Ok(s) if s.is_success() => {
                state.counters.webhook_deliveries.fetch_add(1, Ordering::Relaxed);
                tracing::info!(url = %t.url, seq = alert.seq, attempt, "webhook delivered");
                return;
            }
            other => {
                let why = match other {
                    Ok(s) => format!("HTTP {s}"),
                    Err(e) => e,
                };
                tracing::warn!(url = %t.url, seq = alert.seq, attempt, why = %why, "webhook attempt failed");
            }
        }
        if attempt < t.max_attempts {
            let backoff =
                Duration::from_millis(500u64.saturating_mul(1 << (attempt - 1).min(6))).min(Duration::from_secs(30));
            tokio::time::sleep(backoff).await;
        }
    }
    state.counters.webhook_failures.fetch_add(1, Ordering::Relaxed);
    tracing::error!(url = %t.url, seq = alert.seq, "webhook gave up after {} attempts", t.max_attempts);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_rfc4231_case_2() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?"
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
