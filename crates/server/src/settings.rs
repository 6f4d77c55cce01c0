//! The `[server]` section of the watchlist: access, limits, alert rules,
//! webhooks and the refresh schedule. Unknown keys are refused, so a typo is
//! an error at start-up rather than a silently ignored setting.

use serde::Deserialize;
use std::path::PathBuf;

/// Server settings. Every field has a safe default (reads public, CORS off,
/// no alerts delivered anywhere but the log and `/api/v1/events`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// `true`: GET endpoints need no token; `false`: every endpoint needs one.
    pub public_reads: bool,
    /// Origins allowed by CORS (e.g. `["https://desk.example"]`); empty: CORS off.
    pub cors_origins: Vec<String>,
    /// Requests per second allowed per token (token bucket, sustained rate).
    pub rate_limit_per_second: f64,
    /// Burst size of the per-token bucket.
    pub rate_limit_burst: f64,
    /// Request timeout in seconds (not applied to the event stream).
    pub request_timeout_seconds: u64,
    /// Maximum request body in MiB (an upload larger than this gets 413).
    pub body_limit_mib: u64,
    /// Past `as_of` reports kept in memory.
    pub report_cache_entries: usize,
    pub alerts: Vec<AlertRule>,
    pub webhooks: Vec<Webhook>,
    pub schedule: Option<Schedule>,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            public_reads: true,
            cors_origins: Vec::new(),
            rate_limit_per_second: 20.0,
            rate_limit_burst: 100.0,
            request_timeout_seconds: 120,
            body_limit_mib: 64,
            report_cache_entries: 8,
            alerts: Vec::new(),
            webhooks: Vec::new(),
            schedule: None,
        }
    }
}

/// What an alert rule watches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// The state (calm / elevated / alarm) changes.
    StateChange,
    /// The value (or percentile, see `field`) crosses `level` upwards.
    Above,
    /// The value (or percentile) crosses `level` downwards.
    Below,
}

/// Which number a threshold rule compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RuleField {
    #[default]
    Value,
    Percentile,
    RiskPercentile,
}

/// An alert rule: `target` is a signal id (`bubble.gsadf.IXIC`), a gauge id
/// (`composite.overall`, `composite.liquidity`), a prefix ending in `*`
/// (`liquidity.*`), or `*` for every signal and gauge.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertRule {
    /// A name for the rule (shown in the alert).
    pub name: String,
    pub on: RuleKind,
    pub target: String,
    #[serde(default)]
    pub field: RuleField,
    /// Threshold of `above` / `below` rules.
    pub level: Option<f64>,
}

impl AlertRule {
    pub fn matches(&self, id: &str) -> bool {
        match self.target.strip_suffix('*') {
            Some(prefix) => id.starts_with(prefix),
            None => self.target == id,
        }
    }
}

/// A webhook: every alert is POSTed as JSON to `url`, signed with HMAC-SHA256
/// of the body under the secret (header `X-Fissure-Signature: sha256=<hex>`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// `http://host:port/path` (plain HTTP; put a TLS proxy in front for HTTPS).
    pub url: String,
    /// The signing secret, or...
    pub secret: Option<String>,
    /// ...the environment variable holding it (keeps it out of the file).
    pub secret_env: Option<String>,
    /// Attempts before giving up (1 = no retry).
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
}

fn default_attempts() -> u32 {
    5
}

/// Re-ingest a folder every `every_minutes` minutes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub folder: PathBuf,
    pub every_minutes: f64,
}

/// An invalid `[server]` section.
#[derive(Debug, thiserror::Error)]
#[error("[server] settings: {0}")]
pub struct SettingsError(pub String);

impl ServerSettings {
    /// Reads the `[server]` table of a watchlist (absent: defaults) and checks ranges.
    pub fn from_table(table: Option<&toml::Table>) -> Result<ServerSettings, SettingsError> {
        let s: ServerSettings = match table {
            Some(t) => toml::Value::Table(t.clone()).try_into().map_err(|e| SettingsError(format!("{e}")))?,
            None => ServerSettings::default(),
        };
        s.check()?;
        Ok(s)
    }

    fn check(&self) -> Result<(), SettingsError> {
        let bad = |m: String| Err(SettingsError(m));
        if !(self.rate_limit_per_second.is_finite() && self.rate_limit_per_second > 0.0) {
            return bad(format!("rate_limit_per_second = {}: must be > 0", self.rate_limit_per_second));
        }
        if !(self.rate_limit_burst.is_finite() && self.rate_limit_burst >= 1.0) {
            return bad(format!("rate_limit_burst = {}: must be >= 1", self.rate_limit_burst));
        }
        if !(1..=3600).contains(&self.request_timeout_seconds) {
            return bad(format!("request_timeout_seconds = {}: must be in 1..=3600", self.request_timeout_seconds));
        }
        if !(1..=4096).contains(&self.body_limit_mib) {
            return bad(format!("body_limit_mib = {}: must be in 1..=4096", self.body_limit_mib));
        }
        if !(1..=1000).contains(&self.report_cache_entries) {
            return bad(format!("report_cache_entries = {}: must be in 1..=1000", self.report_cache_entries));
        }
        for r in &self.alerts {
            match (r.on, r.level) {
                (RuleKind::StateChange, Some(_)) => {
                    return bad(format!("alert `{}`: a state_change rule takes no level", r.name))
                }
                (RuleKind::Above | RuleKind::Below, None) => {
                    return bad(format!("alert `{}`: an above/below rule needs a level", r.name))
                }
                (_, Some(l)) if !l.is_finite() => return bad(format!("alert `{}`: level must be finite", r.name)),
                _ => {}
            }
            if r.target.is_empty() {
                return bad(format!("alert `{}`: empty target", r.name));
            }
        }
        for w in &self.webhooks {
            if !w.url.starts_with("http://") {
                return bad(format!("webhook {}: only http:// URLs are supported (use a TLS proxy for https)", w.url));
            }
            if w.url.parse::<hyper::Uri>().is_err() {
                return bad(format!("webhook {}: not a valid URL", w.url));
            }
            if w.secret.is_some() == w.secret_env.is_some() {
                return bad(format!("webhook {}: give exactly one of secret or secret_env", w.url));
            }
            if !(1..=20).contains(&w.max_attempts) {
                return bad(format!("webhook {}: max_attempts must be in 1..=20", w.url));
            }
        }
        for (i, o) in self.cors_origins.iter().enumerate() {
            if o.parse::<axum::http::HeaderValue>().is_err() || !(o.starts_with("http://") || o.starts_with("https://"))
            {
                return bad(format!("cors_origins[{i}] = {o:?}: expected an origin such as https://host"));
            }
        }
        if let Some(s) = &self.schedule {
            if !(s.every_minutes.is_finite() && s.every_minutes >= 0.05) {
                return bad(format!("schedule.every_minutes = {}: must be >= 0.05", s.every_minutes));
            }
        }
        Ok(())
    }
}

impl Webhook {
    /// The signing secret (from the file or the environment).
    pub fn secret(&self) -> Result<String, SettingsError> {
        match (&self.secret, &self.secret_env) {
            (Some(s), _) => Ok(s.clone()),
            (None, Some(var)) => std::env::var(var)
                .map_err(|_| SettingsError(format!("webhook {}: environment variable {var} is not set", self.url))),
            (None, None) => Err(SettingsError(format!("webhook {}: no secret", self.url))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ServerSettings, SettingsError> {
        let t: toml::Table = toml::from_str(text).unwrap();
        ServerSettings::from_table(t.get("server").and_then(|v| v.as_table()))
    }

    #[test]
    fn defaults_and_full_section() {
        assert_eq!(parse("").unwrap(), ServerSettings::default());
        let s = parse(
            r#"[server]
public_reads = false
cors_origins = ["https://desk.example"]
[[server.alerts]]
name = "overall"
on = "state_change"
target = "composite.overall"
[[server.alerts]]
name = "stress"
on = "above"
target = "liquidity.*"
field = "risk_percentile"
level = 95
[[server.webhooks]]
url = "http://127.0.0.1:9/hook"
secret = "s"
[server.schedule]
folder = "/data"
every_minutes = 30
"#,
        )
        .unwrap();
        assert!(!s.public_reads);
        assert_eq!(s.alerts.len(), 2);
        assert!(s.alerts[1].matches("liquidity.fsi"));
        assert!(!s.alerts[1].matches("bubble.x"));
        assert!(s.alerts[0].matches("composite.overall"));
        assert_eq!(s.webhooks[0].max_attempts, 5);
    }

    #[test]
    fn refuses_bad_settings() {
        for bad in [
            "[server]\npublic_read = true",
            "[server]\nrate_limit_per_second = 0",
            "[server]\nbody_limit_mib = 0",
            "[[server.alerts]]\nname='a'\non='above'\ntarget='x'",
            "[[server.alerts]]\nname='a'\non='state_change'\ntarget='x'\nlevel=1",
            "[[server.webhooks]]\nurl='https://x/h'\nsecret='s'",
            "[[server.webhooks]]\nurl='http://x/h'",
            "[server]\ncors_origins=['*']",
            "[server.schedule]\nfolder='/x'\nevery_minutes=0",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
