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
    /// Every problem of a watchlist, listed at once.
    #[error("{file}: {} problem(s) in the watchlist:\n  - {}", problems.len(), problems.join("\n  - "))]
    Problems { file: PathBuf, problems: Vec<String> },
}

/// Standard vendor codes of the macro roles (FRED codes first, then Yahoo tickers): a
/// series ingested under its own name (`DGS10.csv` → `DGS10`) plays its role when the
/// watchlist's id for the role is not in the store.
pub const STANDARD_CODES: &[(&str, &[&str])] = &[
    ("equity_index", &["SP500", "^GSPC", "GSPC"]),
    ("nasdaq", &["NASDAQCOM", "^IXIC"]),
    ("small_cap_index", &["^RUT"]),
    ("us10y", &["DGS10"]),
    ("us2y", &["DGS2"]),
    ("us3m", &["DGS3MO", "DTB3", "TB3MS"]),
    ("fed_funds", &["FEDFUNDS", "DFF", "EFFR"]),
    ("usdjpy", &["DEXJPUS", "JPY=X", "USDJPY=X"]),
    ("usd_broad", &["DTWEXBGS", "DTWEXB"]),
    ("vix", &["VIXCLS", "^VIX"]),
    ("hy_oas", &["BAMLH0A0HYM2"]),
    ("ig_oas", &["BAMLC0A0CM"]),
    ("fed_balance_sheet", &["WALCL"]),
    ("reverse_repo", &["RRPONTSYD"]),
    ("money_market_assets", &["MMMFFAQ027S", "WRMFNS"]),
    ("margin_debt", &["BOGZ1FL663067003Q"]),
    ("stlfsi", &["STLFSI4", "STLFSI3", "STLFSI2"]),
    ("nfci", &["NFCI"]),
];

/// The macro roles resolved against a store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoleResolution {
    /// Role → stored id, for every role that has one.
    pub roles: BTreeMap<String, String>,
    /// Roles mapped to a standard code found in the store, and standard roles the watchlist
    /// does not map and the store does not hold (said, not silent).
    pub notes: Vec<String>,
    /// Roles the watchlist maps to an id that is not in the store (and no standard code
    /// stands in), each with how to map it.
    pub unmapped: Vec<String>,
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
    /// The core series: the report's default as-of is the last date among them (default:
    /// the `drawdown_events` series and `roles.equity_index`).
    #[serde(default)]
    pub core_series: Vec<String>,
}

fn default_lang() -> String {
    "en".into()
}

impl Default for ReportSettings {
    fn default() -> Self {
        ReportSettings {
            lang: default_lang(),
            bubble_assets: Vec::new(),
            drawdown_events: BTreeMap::new(),
            core_series: Vec::new(),
        }
    }
}

/// Keys of `[portfolio]` that are not series ids.
pub const PORTFOLIO_RESERVED: &[&str] = &["cash", "margin", "base_currency"];

/// The account settings of the watchlist's `[portfolio]` besides the weights:
///
/// ```toml
/// [portfolio]
/// SPY = 0.8
/// QQQ = 0.5
/// cash = -0.3                        # share of equity; negative = borrowed (weights + cash = 1)
/// margin = { SPY = 0.3, QQQ = 0.3 }  # maintenance margin per held asset, in [0, 1]
/// base_currency = "USD"              # the only base supported (JPY assets convert with `usdjpy`)
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct PortfolioAccount {
    /// Cash as a share of equity (`None`: not given, i.e. 1 − Σ weights must be 0).
    pub cash: Option<f64>,
    /// Maintenance margin requirement by held asset (others take the asset-class default).
    pub margin: BTreeMap<String, f64>,
    /// The base currency (`None`: USD).
    pub base_currency: Option<String>,
}

/// Base currencies the portfolio can be valued in.
pub const BASE_CURRENCIES: &[&str] = &["USD"];

/// `[portfolio]` weights: every key but the reserved ones, each a number.
fn portfolio_weights<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, f64>, D::Error> {
    let raw = BTreeMap::<String, toml::Value>::deserialize(d)?;
    let mut out = BTreeMap::new();
    for (k, v) in raw {
        if PORTFOLIO_RESERVED.contains(&k.as_str()) {
            continue;
        }
        let w = match v {
            toml::Value::Float(f) => f,
            toml::Value::Integer(i) => i as f64,
            other => {
                return Err(serde::de::Error::custom(format!(
                    "portfolio.{k} = {other}: a weight must be a number (reserved keys: {})",
                    PORTFOLIO_RESERVED.join(", ")
                )))
            }
        };
        out.insert(k, w);
    }
    Ok(out)
}

/// The reserved `[portfolio]` keys with their positions in the text (for line numbers).
#[derive(Deserialize, Default)]
struct AccountSpans {
    #[serde(default)]
    portfolio: Option<AccountRaw>,
}

#[derive(Deserialize, Default)]
struct AccountRaw {
    cash: Option<toml::Spanned<toml::Value>>,
    margin: Option<toml::Spanned<toml::Value>>,
    base_currency: Option<toml::Spanned<toml::Value>>,
}

/// 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// Reads and checks the reserved `[portfolio]` keys; problems name the line.
fn portfolio_account(text: &str, weights: &BTreeMap<String, f64>, problems: &mut Vec<String>) -> PortfolioAccount {
    let mut acc = PortfolioAccount::default();
    let raw = match toml::from_str::<AccountSpans>(text) {
        Ok(r) => r.portfolio.unwrap_or_default(),
        Err(e) => {
            let line = e.span().map_or(String::new(), |s| format!("line {}: ", line_of(text, s.start)));
            problems.push(format!("{line}[portfolio]: {}", e.message().trim()));
            return acc;
        }
    };
    let number = |v: &toml::Value| match v {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    };
    if let Some(c) = &raw.cash {
        let line = line_of(text, c.span().start);
        match number(c.get_ref()) {
            Some(v) if v.is_finite() && v > -10.0 && v < 1.0 => acc.cash = Some(v),
            Some(v) => problems.push(format!(
                "line {line}: portfolio.cash = {v}: cash is a share of equity in (−10, 1) (negative = borrowed)"
            )),
            None => problems.push(format!("line {line}: portfolio.cash = {}: must be a number", c.get_ref())),
        }
    }
    if let Some(m) = &raw.margin {
        let line = line_of(text, m.span().start);
        match m.get_ref() {
            toml::Value::Table(t) => {
                for (id, v) in t {
                    match number(v) {
                        Some(x) if (0.0..=1.0).contains(&x) => {
                            if weights.contains_key(id) {
                                acc.margin.insert(id.clone(), x);
                            } else {
                                problems.push(format!(
                                    "line {line}: portfolio.margin.{id}: `{id}` is not held in [portfolio]"
                                ));
                            }
                        }
                        _ => problems.push(format!(
                            "line {line}: portfolio.margin.{id} = {v}: a margin requirement is a fraction in [0, 1]"
                        )),
                    }
                }
            }
            other => problems.push(format!(
                "line {line}: portfolio.margin = {other}: must be a table of ID = fraction, e.g. margin = {{ SPY = 0.3 }}"
            )),
        }
    }
    if let Some(b) = &raw.base_currency {
        let line = line_of(text, b.span().start);
        match b.get_ref().as_str() {
            Some(c) if BASE_CURRENCIES.contains(&c) => acc.base_currency = Some(c.to_string()),
            _ => problems.push(format!(
                "line {line}: portfolio.base_currency = {}: supported: {} (JPY-priced assets are converted with the `usdjpy` role)",
                b.get_ref(),
                BASE_CURRENCIES.join(", ")
            )),
        }
    }
    acc
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
    /// `[portfolio]` weights of equity by series id (the reserved keys `cash`, `margin` and
    /// `base_currency` of the section are in [`Watchlist::portfolio_account`]).
    #[serde(default, deserialize_with = "portfolio_weights")]
    pub portfolio: BTreeMap<String, f64>,
    /// `[portfolio]` cash, margins and base currency, checked at parse time.
    #[serde(skip)]
    pub portfolio_account: PortfolioAccount,
    #[serde(default)]
    pub report: ReportSettings,
    /// `fissure serve` settings (`[server]`: access, limits, alert rules, webhooks,
    /// schedule), checked by the server crate; kept as TOML here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<toml::Table>,
    /// Deal-network firms (`[[firm]]` tables), read by `deals::read_toml_book`.
    #[serde(default)]
    pub firm: Vec<toml::Table>,
    /// Deal-network deals (`[[deal]]` tables), read by `deals::read_toml_book`.
    #[serde(default)]
    pub deal: Vec<toml::Table>,
    /// Where it was read from (`<embedded>` for the default).
    #[serde(skip)]
    pub origin: PathBuf,
    /// Sections absent from the file and taken from the embedded default (`baskets`,
    /// `roles`, `report.bubble_assets`, `report.drawdown_events`), so that a short watchlist
    /// does not silently remove a family.
    #[serde(skip)]
    pub defaulted: Vec<&'static str>,
}

impl Watchlist {
    /// The embedded default watchlist.
    pub fn embedded() -> Watchlist {
        // The embedded file is checked by a unit test, so this cannot fail at run time.
        Self::parse_only(DEFAULT_WATCHLIST, Path::new("<embedded>")).unwrap_or_else(|e| panic!("{e}"))
    }

    /// True for the embedded default (not a user's file).
    pub fn is_embedded(&self) -> bool {
        self.origin == Path::new("<embedded>")
    }

    /// Reads a watchlist file.
    pub fn from_file(path: &Path) -> Result<Watchlist, WatchlistError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| WatchlistError::Read { file: path.into(), source })?;
        Self::parse(&text, path)
    }

    /// Parses a user's TOML text; `origin` names it in errors. The whole file is checked
    /// and every problem is listed at once ([`WatchlistError::Problems`]): unknown keys, wrong
    /// types, empty sections, weights that are not finite and positive, a portfolio not
    /// summing to 1, ids outside the id grammar. Sections absent from the file are taken
    /// from the embedded default and listed in [`Watchlist::defaulted`].
    pub fn parse(text: &str, origin: &Path) -> Result<Watchlist, WatchlistError> {
        let mut w = Self::parse_only(text, origin)?;
        let table: toml::Table = toml::from_str(text).unwrap_or_default();
        let report = table.get("report").and_then(|r| r.as_table());
        let default = Self::embedded();
        if !table.contains_key("baskets") {
            w.baskets = default.baskets.clone();
            w.defaulted.push("baskets");
        }
        if !table.contains_key("roles") {
            w.roles = default.roles.clone();
            w.defaulted.push("roles");
        }
        if !report.is_some_and(|r| r.contains_key("bubble_assets")) {
            w.report.bubble_assets = default.report.bubble_assets.clone();
            w.defaulted.push("report.bubble_assets");
        }
        if !report.is_some_and(|r| r.contains_key("drawdown_events")) {
            w.report.drawdown_events = default.report.drawdown_events.clone();
            w.defaulted.push("report.drawdown_events");
        }
        Ok(w)
    }

    /// Parses and checks without filling absent sections.
    fn parse_only(text: &str, origin: &Path) -> Result<Watchlist, WatchlistError> {
        let mut w: Watchlist = match toml::from_str(text) {
            Ok(w) => w,
            Err(e) => {
                // serde stops at the first problem: list every unknown key as well
                let mut problems = vec![e.message().trim().to_string()];
                if let Ok(table) = toml::from_str::<toml::Table>(text) {
                    for k in unknown_keys(&table) {
                        if !problems[0].contains(&format!("`{}`", k.rsplit('.').next().unwrap_or(&k))) {
                            problems.push(format!("unknown key `{k}`"));
                        }
                    }
                } else {
                    return Err(WatchlistError::Parse { file: origin.into(), message: e.to_string() });
                }
                return Err(WatchlistError::Problems { file: origin.into(), problems });
            }
        };
        w.origin = origin.into();
        let table: toml::Table = toml::from_str(text).unwrap_or_default();
        let mut problems = Vec::new();
        w.portfolio_account = portfolio_account(text, &w.portfolio, &mut problems);
        problems.extend(w.problems(&table));
        if !problems.is_empty() {
            return Err(WatchlistError::Problems { file: origin.into(), problems });
        }
        Ok(w)
    }

    /// Every shape problem of the watchlist (empty when it is valid).
    fn problems(&self, table: &toml::Table) -> Vec<String> {
        let mut p = Vec::new();
        let mut bad_id = |what: String, id: &str| {
            if let Some(why) = fissure_core::id_problem(id) {
                p.push(format!("{what}: \"{}\" is not a valid series id: {why}", fissure_core::printable_id(id)));
            }
        };
        for (name, members) in &self.baskets {
            for m in members {
                bad_id(format!("baskets.{name}"), m);
            }
        }
        for (role, id) in &self.roles {
            bad_id(format!("roles.{role}"), id);
        }
        for id in self.portfolio.keys() {
            bad_id("portfolio".into(), id);
        }
        for id in
            self.report.bubble_assets.iter().chain(self.report.drawdown_events.keys()).chain(&self.report.core_series)
        {
            bad_id("report".into(), id);
        }
        let report = table.get("report").and_then(|r| r.as_table());
        let present_empty = |key: &str, empty: bool, what: &str, p: &mut Vec<String>| {
            if empty {
                p.push(format!(
                    "{key} is empty, which would silently remove {what}; list entries, or delete the key to use the defaults"
                ));
            }
        };
        if table.contains_key("baskets") {
            present_empty("[baskets]", self.baskets.is_empty(), "the basket views", &mut p);
        }
        if table.contains_key("roles") {
            present_empty("[roles]", self.roles.is_empty(), "the liquidity family's inputs", &mut p);
        }
        if report.is_some_and(|r| r.contains_key("bubble_assets")) {
            present_empty("report.bubble_assets", self.report.bubble_assets.is_empty(), "the bubble family", &mut p);
        }
        if report.is_some_and(|r| r.contains_key("drawdown_events")) {
            present_empty("report.drawdown_events", self.report.drawdown_events.is_empty(), "the skill scores", &mut p);
        }
        if report.is_some_and(|r| r.contains_key("core_series")) {
            present_empty("report.core_series", self.report.core_series.is_empty(), "the report's as-of", &mut p);
        }
        for (name, members) in &self.baskets {
            if members.is_empty() {
                p.push(format!("basket `{name}` has no members"));
            }
            let unique: BTreeSet<_> = members.iter().collect();
            if unique.len() != members.len() {
                p.push(format!("basket `{name}` lists a member twice"));
            }
        }
        for (name, weights) in &self.basket_weights {
            let Some(members) = self.baskets.get(name) else {
                p.push(format!("basket_weights for unknown basket `{name}`"));
                continue;
            };
            for m in weights.keys().filter(|m| !members.contains(m)) {
                p.push(format!("basket_weights.{name}: `{m}` is not a member of the basket"));
            }
            let missing: Vec<&str> = members.iter().filter(|m| !weights.contains_key(*m)).map(String::as_str).collect();
            if !missing.is_empty() {
                p.push(format!(
                    "basket_weights.{name}: no weight for {} (every member needs one, or drop basket_weights.{name} for equal weights)",
                    missing.join(", ")
                ));
            }
            for (m, w) in weights.iter().filter(|(_, w)| !(w.is_finite() && **w > 0.0)) {
                p.push(format!("basket_weights.{name}.{m} = {w}: a weight must be finite and > 0"));
            }
        }
        for (id, w) in self.portfolio.iter().filter(|(_, w)| !(w.is_finite() && **w > 0.0)) {
            p.push(format!("portfolio.{id} = {w}: a weight must be finite and > 0"));
        }
        if !self.portfolio.is_empty() {
            let total: f64 = self.portfolio.values().sum();
            match self.portfolio_account.cash {
                None if !total.is_finite() || (total - 1.0).abs() > 1e-6 => p.push(format!(
                    "portfolio weights sum to {total}, not 1 (add `cash = {:.6}` for cash or borrowing)",
                    1.0 - total
                )),
                Some(c) if !total.is_finite() || (total + c - 1.0).abs() > 1e-6 => {
                    p.push(format!("portfolio weights sum to {total} and cash = {c}: weights + cash must be 1"))
                }
                _ => {}
            }
        } else if self.portfolio_account != PortfolioAccount::default() {
            p.push("[portfolio] has cash, margin or base_currency but no holdings".into());
        }
        if !matches!(self.report.lang.as_str(), "en" | "zh") {
            p.push(format!("report.lang `{}` is not `en` or `zh`", self.report.lang));
        }
        for (id, f) in self.report.drawdown_events.iter().filter(|(_, f)| !(**f > 0.0 && **f < 1.0)) {
            p.push(format!("report.drawdown_events.{id} = {f}: must be a fraction in (0, 1)"));
        }
        p
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
        out.extend(self.report.core_series.iter().map(|id| ("report.core_series", id.clone(), id.clone())));
        out
    }

    /// Errors listing EVERY id that `exists` does not know (series or cross-section ids; a
    /// multi-column id like `SHILLER` matches `SHILLER.<column>`), except roles that a
    /// standard code in the store plays (see [`Watchlist::resolve_roles`]).
    pub fn check_ids(&self, exists: impl Fn(&str) -> bool) -> Result<(), WatchlistError> {
        let problems: Vec<String> = self.unknown_ids(&exists).into_iter().map(|(_, m)| m).collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(WatchlistError::Problems { file: self.origin.clone(), problems })
        }
    }

    /// One line per id the store does not know, with the section it is written in
    /// (`baskets`, `roles`, `portfolio`, `report.bubble_assets`, `report.drawdown_events`,
    /// `report.core_series`), saying where it is used and what to do.
    pub fn unknown_ids(&self, exists: &dyn Fn(&str) -> bool) -> Vec<(&'static str, String)> {
        let roles = self.resolve_roles(exists);
        let mut out = Vec::new();
        for (what, name, id) in self.referenced_ids() {
            if what == "role" || exists(&id) {
                continue;
            }
            out.push(if what == "basket" {
                ("baskets", format!("basket `{name}`: member `{id}` is not in the store (see `fissure list`)"))
            } else {
                (what, format!("{what}: `{id}` is not in the store (see `fissure list`)"))
            });
        }
        out.extend(roles.unmapped.into_iter().map(|m| ("roles", m)));
        out
    }

    /// Resolves the macro roles against the store: the watchlist's id if stored, else a
    /// standard code of the role found in the store ([`STANDARD_CODES`], e.g. `DGS10` for
    /// `us10y`), said in a note; a role with neither is listed in `unmapped` with how to map it.
    pub fn resolve_roles(&self, exists: &dyn Fn(&str) -> bool) -> RoleResolution {
        let mut r = RoleResolution::default();
        let mut names: Vec<&str> = self.roles.keys().map(String::as_str).collect();
        for (role, _) in STANDARD_CODES {
            if !names.contains(role) {
                names.push(role);
            }
        }
        for role in names {
            let configured = self.roles.get(role);
            if let Some(id) = configured.filter(|id| exists(id)) {
                r.roles.insert(role.to_string(), id.clone());
                continue;
            }
            let codes = STANDARD_CODES.iter().find(|(n, _)| *n == role).map_or(&[][..], |(_, c)| *c);
            if let Some(code) = codes.iter().find(|c| exists(c)) {
                r.notes.push(match configured {
                    Some(id) => format!("role `{role}`: `{id}` is not in the store; using `{code}`, its standard code"),
                    None => format!("role `{role}`: not in the watchlist; using `{code}`, its standard code"),
                });
                r.roles.insert(role.to_string(), code.to_string());
                continue;
            }
            let hint =
                if codes.is_empty() { String::new() } else { format!(" (standard code: {})", codes.join(" or ")) };
            match configured {
                Some(id) => r.unmapped.push(format!(
                    "role `{role}` = `{id}`: not in the store; ingest it{hint}, or map the role to a stored id with `[roles] {role} = \"<id>\"`"
                )),
                None => r.notes.push(format!(
                    "role `{role}` is not mapped: ingest its series{hint}, or add `[roles] {role} = \"<id>\"`"
                )),
            }
        }
        r
    }
}

/// Keys of `table` that the watchlist schema does not know (dotted paths).
fn unknown_keys(table: &toml::Table) -> Vec<String> {
    const TOP: &[&str] = &["baskets", "basket_weights", "roles", "portfolio", "report"];
    const REPORT: &[&str] = &["lang", "bubble_assets", "drawdown_events", "core_series"];
    let mut out = Vec::new();
    for (k, v) in table {
        if !TOP.contains(&k.as_str()) {
            out.push(k.clone());
        } else if k == "report" {
            if let Some(r) = v.as_table() {
                out.extend(r.keys().filter(|x| !REPORT.contains(&x.as_str())).map(|x| format!("report.{x}")));
            }
        }
    }
    out
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
        assert!(matches!(Watchlist::parse("[baskets]\nai = []", p), Err(WatchlistError::Problems { .. })));
        assert!(matches!(Watchlist::parse("[portfolio]\nSPY = 0.5", p), Err(WatchlistError::Problems { .. })));
        assert!(matches!(Watchlist::parse("[bogus]\nx = 1", p), Err(WatchlistError::Problems { .. })));
        assert!(matches!(Watchlist::parse("[baskets\nx = 1", p), Err(WatchlistError::Parse { .. })));
        let w = Watchlist::parse("[baskets]\nai = [\"NVDA\", \"ZZZ\"]", p).unwrap();
        let e = w.check_ids(|id| id == "NVDA").unwrap_err();
        assert!(e.to_string().contains("ZZZ"), "{e}");
    }

    fn problems(text: &str) -> Vec<String> {
        match Watchlist::parse(text, Path::new("t.toml")) {
            Err(WatchlistError::Problems { problems, .. }) => problems,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn every_problem_is_listed_at_once() {
        let p = problems(
            "[portfolio]\nSPY = nan\nTLT = 0.5\n[basket_weights]\nnope = { A = 1.0 }\n[baskets]\nai = [\"NVDA\", \"NVDA\"]\nbad = [\"a b\"]\n[roles]\n[report]\nlang = \"fr\"\nbubble_assets = []\ndrawdown_events = { SPX = 2.0 }",
        );
        let all = p.join("\n");
        for want in [
            "portfolio.SPY = NaN",
            "portfolio weights sum to NaN",
            "basket_weights for unknown basket `nope`",
            "lists a member twice",
            "\"a b\" is not a valid series id",
            "[roles] is empty",
            "report.bubble_assets is empty",
            "report.lang `fr`",
            "report.drawdown_events.SPX = 2",
        ] {
            assert!(all.contains(want), "missing {want:?} in:\n{all}");
        }
        // unknown keys: all of them, not only the first
        let p = problems("[bogus]\nx = 1\n[report]\nlangue = \"en\"\n[other]\ny = 2");
        let all = p.join("\n");
        for k in ["bogus", "report.langue", "other"] {
            assert!(all.contains(k), "missing {k} in:\n{all}");
        }
        // weights: zero, negative and infinite are refused; a basket weight per member
        let p = problems(
            "[baskets]\nm = [\"A\", \"B\"]\n[basket_weights]\nm = { A = 0.0 }\n[portfolio]\nA = inf\nB = -1.0",
        );
        let all = p.join("\n");
        for want in ["basket_weights.m.A = 0", "no weight for B", "portfolio.A = inf", "portfolio.B = -1"] {
            assert!(all.contains(want), "missing {want:?} in:\n{all}");
        }
    }

    #[test]
    fn absent_sections_come_from_the_default_and_are_listed() {
        let w = Watchlist::parse("[portfolio]\nSPY = 1.0\n", Path::new("t.toml")).unwrap();
        assert_eq!(w.roles, Watchlist::embedded().roles);
        assert_eq!(w.report.bubble_assets, Watchlist::embedded().report.bubble_assets);
        assert_eq!(w.defaulted, ["baskets", "roles", "report.bubble_assets", "report.drawdown_events"]);
        assert!(Watchlist::embedded().defaulted.is_empty());
    }

    #[test]
    fn roles_resolve_to_standard_codes_or_say_how_to_map_them() {
        let w = Watchlist::parse("[roles]\nus10y = \"US10Y\"\nvix = \"VIX\"\n", Path::new("t.toml")).unwrap();
        let store = ["DGS10", "VIXCLS", "BAMLH0A0HYM2"];
        let exists = |id: &str| store.contains(&id);
        let r = w.resolve_roles(&exists);
        assert_eq!(r.roles.get("us10y").map(String::as_str), Some("DGS10"));
        assert_eq!(r.roles.get("vix").map(String::as_str), Some("VIXCLS"));
        assert_eq!(
            r.roles.get("hy_oas").map(String::as_str),
            Some("BAMLH0A0HYM2"),
            "a standard code fills an absent role"
        );
        assert!(r.notes.iter().any(|n| n.contains("`US10Y` is not in the store; using `DGS10`")), "{:?}", r.notes);
        let us2y = r.notes.iter().find(|u| u.contains("`us2y`")).expect("us2y is unmapped");
        assert!(us2y.contains("DGS2") && us2y.contains("[roles] us2y"), "{us2y}");
        // a role the watchlist maps to an id that is nowhere: a problem, with the way out
        let w2 = Watchlist::parse("[roles]\nus2y = \"TWO\"\n", Path::new("t.toml")).unwrap();
        let p = w2.unknown_ids(&|id: &str| id == "DGS10");
        let (section, msg) = p.iter().find(|(_, m)| m.contains("us2y")).expect("us2y reported");
        assert_eq!(*section, "roles");
        assert!(msg.contains("`TWO`") && msg.contains("DGS2") && msg.contains("[roles] us2y"), "{msg}");
        // configured and stored: used as is, no note
        let exists = |id: &str| id == "US10Y" || id == "DGS10";
        assert_eq!(w.resolve_roles(&exists).roles.get("us10y").map(String::as_str), Some("US10Y"));
    }

    #[test]
    fn portfolio_account_fields_are_read_and_checked_with_lines() {
        let p = Path::new("pf.toml");
        let ok = "[portfolio]\nSPY = 0.8\nQQQ = 0.5\ncash = -0.3\nmargin = { SPY = 0.3, QQQ = 0.4 }\nbase_currency = \"USD\"\n";
        let w = Watchlist::parse(ok, p).unwrap();
        assert_eq!(w.portfolio.len(), 2, "reserved keys are not holdings: {:?}", w.portfolio);
        assert_eq!(w.portfolio_account.cash, Some(-0.3));
        assert_eq!(w.portfolio_account.margin.get("QQQ"), Some(&0.4));
        assert_eq!(w.portfolio_account.base_currency.as_deref(), Some("USD"));
        assert!(w.referenced_ids().iter().all(|r| !PORTFOLIO_RESERVED.contains(&r.2.as_str())));
        // weights + cash must be 1
        let e = Watchlist::parse("[portfolio]\nSPY = 0.8\nQQQ = 0.5\ncash = -0.1\n", p).unwrap_err().to_string();
        assert!(e.contains("weights + cash must be 1"), "{e}");
        let e = Watchlist::parse("[portfolio]\nSPY = 0.8\n", p).unwrap_err().to_string();
        assert!(e.contains("add `cash = 0.2"), "{e}");
        // every bad field, each with its line
        let bad =
            "[portfolio]\nSPY = 1.0\ncash = \"lots\"\nmargin = { SPY = 1.5, TLT = 0.3 }\nbase_currency = \"EUR\"\n";
        let e = Watchlist::parse(bad, p).unwrap_err().to_string();
        for want in [
            "line 3: portfolio.cash = \"lots\": must be a number",
            "line 4: portfolio.margin.SPY = 1.5",
            "line 4: portfolio.margin.TLT: `TLT` is not held",
            "line 5: portfolio.base_currency = \"EUR\"",
        ] {
            assert!(e.contains(want), "missing `{want}` in {e}");
        }
        let e = Watchlist::parse("[portfolio]\nSPY = 1.0\nmargin = 0.3\n", p).unwrap_err().to_string();
        assert!(e.contains("line 3: portfolio.margin = 0.3: must be a table"), "{e}");
        let e = Watchlist::parse("[portfolio]\nSPY = 1.0\ncash = 2.0\n", p).unwrap_err().to_string();
        assert!(e.contains("portfolio.cash = 2"), "{e}");
        let e = Watchlist::parse("[portfolio]\nSPY = \"x\"\n", p).unwrap_err().to_string();
        assert!(e.contains("a weight must be a number"), "{e}");
    }
}
