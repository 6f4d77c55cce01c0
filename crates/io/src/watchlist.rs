//! The watchlist: named baskets, macro roles, an optional portfolio, and report
//! settings, in TOML. A default watchlist matching the bundled data is embedded.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The default watchlist (`data/demo/watchlist.toml`), embedded in the binary.
pub const DEFAULT_WATCHLIST: &str = include_str!("../../../data/demo/watchlist.toml");

#[derive(Debug, thiserror::Error)]
pub enum WatchlistError {
    #[error("{file}: {source}")]
    Read { file: PathBuf, source: std::io::Error },
    #[error("{file}: invalid watchlist: {message}")]
    Parse { file: PathBuf, message: String },
    #[error("{file}: {what} `{name}` refers to `{id}`, which is not in the store (see `fissure list`)")]
    UnknownId { file: PathBuf, what: &'static str, name: String, id: String },
    #[error("{file}: {message}")]
    Invalid { file: PathBuf, message: String },
}

/// Report settings of a watchlist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    /// `en` or `zh`.
    #[serde(default = "default_lang")]
    pub lang: String,
    /// Series tested for bubbles in the report.
    #[serde(default)]
    pub bubble_assets: Vec<String>,
    /// Drawdowns that count as events in the skill backtest: series id → fall (0.2 = 20%).
    #[serde(default)]
    pub drawdown_events: BTreeMap<String, f64>,
}

fn default_lang() -> String {
    "en".into()
}

impl Default for ReportSettings {
    fn default() -> Self {
        ReportSettings { lang: default_lang(), bubble_assets: Vec::new(), drawdown_events: BTreeMap::new() }
    }
}

/// Baskets, roles, portfolio and report settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Watchlist {
    #[serde(default)]
    pub baskets: BTreeMap<String, Vec<String>>,
    /// Optional member weights per basket (default: equal weights).
    #[serde(default)]
    pub basket_weights: BTreeMap<String, BTreeMap<String, f64>>,
    #[serde(default)]
    pub roles: BTreeMap<String, String>,
    #[serde(default)]
    pub portfolio: BTreeMap<String, f64>,
    #[serde(default)]
    pub report: ReportSettings,
    /// Deal-network firms (`[[firm]]` tables), read by `deals::read_toml_book`.
    #[serde(default)]
    pub firm: Vec<toml::Table>,
    /// Deal-network deals (`[[deal]]` tables), read by `deals::read_toml_book`.
    #[serde(default)]
    pub deal: Vec<toml::Table>,
    /// Where it was read from (`<embedded>` for the default).
    #[serde(skip)]
    pub origin: PathBuf,
}

impl Watchlist {
    /// The embedded default watchlist.
    pub fn embedded() -> Watchlist {
        // The embedded file is checked by a unit test, so this cannot fail at run time.
        Self::parse(DEFAULT_WATCHLIST, Path::new("<embedded>")).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Reads a watchlist file.
    pub fn from_file(path: &Path) -> Result<Watchlist, WatchlistError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| WatchlistError::Read { file: path.into(), source })?;
        Self::parse(&text, path)
    }

    /// Parses TOML text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Watchlist, WatchlistError> {
        let mut w: Watchlist =
            toml::from_str(text).map_err(|e| WatchlistError::Parse { file: origin.into(), message: e.to_string() })?;
        w.origin = origin.into();
        w.check_shape()?;
        Ok(w)
    }

    fn invalid(&self, message: String) -> WatchlistError {
        WatchlistError::Invalid { file: self.origin.clone(), message }
    }

    fn check_shape(&self) -> Result<(), WatchlistError> {
        for (name, members) in &self.baskets {
            if members.is_empty() {
                return Err(self.invalid(format!("basket `{name}` has no members")));
            }
            let unique: BTreeSet<_> = members.iter().collect();
            if unique.len() != members.len() {
                return Err(self.invalid(format!("basket `{name}` lists a member twice")));
            }
        }
        for (name, weights) in &self.basket_weights {
            let Some(members) = self.baskets.get(name) else {
                return Err(self.invalid(format!("basket_weights for unknown basket `{name}`")));
            };
            if let Some(m) = weights.keys().find(|m| !members.contains(m)) {
                return Err(self.invalid(format!("basket_weights.{name}: `{m}` is not a member")));
            }
            if weights.values().any(|w| !w.is_finite() || *w < 0.0) {
                return Err(self.invalid(format!("basket_weights.{name}: weights must be finite and >= 0")));
            }
        }
        if !self.portfolio.is_empty() {
            let total: f64 = self.portfolio.values().sum();
            if (total - 1.0).abs() > 1e-6 {
                return Err(self.invalid(format!("portfolio weights sum to {total}, not 1")));
            }
        }
        if !matches!(self.report.lang.as_str(), "en" | "zh") {
            return Err(self.invalid(format!("report.lang `{}` is not `en` or `zh`", self.report.lang)));
        }
        if let Some((id, f)) = self.report.drawdown_events.iter().find(|(_, f)| !(**f > 0.0 && **f < 1.0)) {
            return Err(self.invalid(format!("report.drawdown_events.{id} = {f}: must be a fraction in (0, 1)")));
        }
        Ok(())
    }

    /// Members of basket `name`.
    pub fn basket(&self, name: &str) -> Option<&[String]> {
        self.baskets.get(name).map(Vec::as_slice)
    }

    /// Member weights of basket `name`, normalised to sum to 1 (equal by default).
    pub fn basket_weights(&self, name: &str) -> Option<Vec<(String, f64)>> {
        let members = self.baskets.get(name)?;
        let given = self.basket_weights.get(name);
        let raw: Vec<(String, f64)> =
            members.iter().map(|m| (m.clone(), given.map_or(1.0, |g| g.get(m).copied().unwrap_or(0.0)))).collect();
        let total: f64 = raw.iter().map(|r| r.1).sum();
        (total > 0.0).then(|| raw.into_iter().map(|(m, w)| (m, w / total)).collect())
    }

    /// The series id playing role `name` (`us10y`, `vix`, …).
    pub fn role(&self, name: &str) -> Option<&str> {
        self.roles.get(name).map(String::as_str)
    }

    /// Every series id the watchlist refers to, with where it is referred from.
    pub fn referenced_ids(&self) -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        for (b, members) in &self.baskets {
            out.extend(members.iter().map(|m| ("basket", b.clone(), m.clone())));
        }
        for (r, id) in &self.roles {
            out.push(("role", r.clone(), id.clone()));
        }
        out.extend(self.portfolio.keys().map(|id| ("portfolio", id.clone(), id.clone())));
        out.extend(self.report.bubble_assets.iter().map(|id| ("report.bubble_assets", id.clone(), id.clone())));
        out.extend(self.report.drawdown_events.keys().map(|id| ("report.drawdown_events", id.clone(), id.clone())));
        out
    }

    /// Errors on the first id that `exists` does not know (series or cross-section
    /// ids; a multi-column id like `SHILLER` matches `SHILLER.<column>`).
    pub fn check_ids(&self, exists: impl Fn(&str) -> bool) -> Result<(), WatchlistError> {
        for (what, name, id) in self.referenced_ids() {
            if !exists(&id) {
                return Err(WatchlistError::UnknownId { file: self.origin.clone(), what, name, id });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_parses() {
        let w = Watchlist::embedded();
        assert!(w.basket("ai").unwrap().contains(&"NVDA".to_string()));
        assert_eq!(w.role("us10y"), Some("US10Y"));
        let ew = w.basket_weights("precious").unwrap();
        assert_eq!(ew, vec![("GLD".into(), 0.5), ("SLV".into(), 0.5)]);
    }

    #[test]
    fn rejects_bad_watchlists() {
        let p = Path::new("t.toml");
        assert!(matches!(Watchlist::parse("[baskets]\nai = []", p), Err(WatchlistError::Invalid { .. })));
        assert!(matches!(Watchlist::parse("[portfolio]\nSPY = 0.5", p), Err(WatchlistError::Invalid { .. })));
        assert!(matches!(Watchlist::parse("[bogus]\nx = 1", p), Err(WatchlistError::Parse { .. })));
        let w = Watchlist::parse("[baskets]\nai = [\"NVDA\", \"ZZZ\"]", p).unwrap();
        let e = w.check_ids(|id| id == "NVDA").unwrap_err();
        assert!(e.to_string().contains("ZZZ"), "{e}");
    }
}
