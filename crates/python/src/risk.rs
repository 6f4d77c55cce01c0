//! Risk family: `risk_var`, `risk_backtest`, `risk_scenarios`, `risk_shock`, `risk_reverse`, `risk_cash` (the
//! JSON of `fissure risk … --json`, built by `fissure_risk::json`).
//!
//! The portfolio is `weights` (`[(id, weight)]`, in the caller's order) or a `portfolio` CSV file; prices
//! come from the series passed in (the CLI's `--file`) and, for every other id, from the store (default: the
//! bundled data). Baskets, roles (`usdjpy`) and the default portfolio come from the watchlist (`config`, else
//! the embedded one). The loading follows `crates/cli/src/cmd/risk.rs` step for step so that the results equal
//! the CLI's (tested).

use crate::common::{many, options, run, store, PySeries};
use anyhow::{bail, Context};
use chrono::NaiveDate;
use fissure_contagion::cocrash::default_universe;
use fissure_core::Series;
use fissure_io::{Store, Watchlist};
use fissure_risk::backtest::{backtest, BacktestOptions};
use fissure_risk::cash::{advice_check, cash_buffer};
use fissure_risk::fhs::Correlation;
use fissure_risk::json;
use fissure_risk::portfolio::{parse_portfolio_csv, return_matrix, Portfolio};
use fissure_risk::scenario::{replay_all, select_episodes, Episode, ReplayWithPaths};
use fissure_risk::shock::{self, conditional_shock, covariance, reverse_stress, CovKind, Shock, ShockOptions};
use fissure_risk::signals::PROXY_FACTORS;
use fissure_risk::var::{portfolio_var_methods, Method, VarOptions};
use pyo3::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where the data come from: the series given, the store, the watchlist.
struct Data {
    store: Store,
    files: BTreeMap<String, Series>,
    watchlist: Watchlist,
}

impl Data {
    fn new(
        series: Vec<Series>,
        store_path: Option<&std::path::Path>,
        config: Option<&std::path::Path>,
    ) -> anyhow::Result<Data> {
        let store = store(store_path)?;
        let mut w = match config {
            Some(p) => Watchlist::from_file(p)?,
            None => Watchlist::embedded(),
        };
        // roles resolved against the store, as the CLI's watchlist
        if let Ok(ids) = fissure_app::stored_ids(&store) {
            for (role, id) in w.resolve_roles(&|id: &str| ids.contains(id)).roles {
                w.roles.insert(role, id);
            }
        }
        Ok(Data { store, files: series.into_iter().map(|s| (s.id().to_string(), s)).collect(), watchlist: w })
    }

    fn has(&self, id: &str) -> bool {
        self.files.contains_key(id) || self.store.meta(id).is_ok()
    }

    fn load(&self, id: &str) -> anyhow::Result<Series> {
        if let Some(s) = self.files.get(id) {
            return Ok(s.clone());
        }
        if self.store.meta(id).is_err() {
            bail!(fissure_risk::RiskError::UnknownAsset(id.to_string()));
        }
        Ok(self.store.load(id, None)?)
    }
}

/// The CLI's `PortfolioArgs` (`weights` as pairs; `prices` are the function's series argument).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PortfolioOpts {
    pub portfolio: Option<PathBuf>,
    pub weights: Option<Vec<(String, f64)>>,
    pub cash: f64,
    pub normalise: bool,
    pub as_of: Option<NaiveDate>,
    pub store: Option<PathBuf>,
    pub config: Option<PathBuf>,
}

const PORTFOLIO_KEYS: [&str; 7] = ["portfolio", "weights", "cash", "normalise", "as_of", "store", "config"];

/// Splits the options into the portfolio's and the command's own (both refuse unknown names).
fn with_portfolio<T: serde::de::DeserializeOwned>(options_json: &str) -> anyhow::Result<(PortfolioOpts, T)> {
    let all: serde_json::Map<String, Value> = options(options_json)?;
    let (p, own): (serde_json::Map<_, _>, serde_json::Map<_, _>) =
        all.into_iter().partition(|(k, _)| PORTFOLIO_KEYS.contains(&k.as_str()));
    let p = serde_json::from_value(p.into()).map_err(|e| anyhow::anyhow!("invalid option: {e}"))?;
    let own = serde_json::from_value(own.into()).map_err(|e| anyhow::anyhow!("invalid option: {e}"))?;
    Ok((p, own))
}

struct Loaded {
    pf: Portfolio,
    series: Vec<Series>,
    usdjpy: Option<Series>,
    as_of: NaiveDate,
}

impl Loaded {
    fn json(&self) -> Value {
        json::portfolio(&self.pf, self.as_of)
    }
}

fn load_portfolio(d: &Data, a: &PortfolioOpts) -> anyhow::Result<Loaded> {
    let (entries, quantities, cash, origin) = if let Some(p) = &a.portfolio {
        anyhow::ensure!(a.weights.is_none(), "portfolio= and weights= cannot be used together");
        let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        let f = parse_portfolio_csv(&text, &p.display().to_string())?;
        (f.entries, f.quantities, f.cash, p.display().to_string())
    } else if let Some(w) = &a.weights {
        (w.iter().map(|(id, v)| (id.clone(), *v, None)).collect(), false, a.cash, "weights".to_string())
    } else {
        if d.watchlist.portfolio.is_empty() {
            bail!("no portfolio: give weights= or portfolio=FILE, or a watchlist (config=) with a [portfolio]");
        }
        // cash and margins of the watchlist's [portfolio], as the CLI
        let (e, cash) = fissure_app::watchlist_portfolio(&d.watchlist, a.cash)?;
        (e, false, cash, "the watchlist's [portfolio]".to_string())
    };
    let req = fissure_app::PortfolioRequest {
        entries: &entries,
        quantities,
        cash,
        normalise: a.normalise,
        as_of: a.as_of,
        origin: &origin,
    };
    let usdjpy_id = || anyhow::Ok(d.watchlist.role("usdjpy").unwrap_or("USDJPY").to_string());
    let fissure_app::LoadedPortfolio { pf, series, usdjpy, as_of } =
        fissure_app::load_portfolio(&req, usdjpy_id, |id| d.load(id))?;
    Ok(Loaded { pf, series, usdjpy, as_of })
}

fn cocrash_days(d: &Data, as_of: NaiveDate) -> anyhow::Result<Vec<NaiveDate>> {
    let mut map = BTreeMap::new();
    for (id, _) in default_universe() {
        if d.store.meta(id).is_ok() {
            map.insert(id.to_string(), d.store.load(id, None)?.as_of(as_of));
        }
    }
    Ok(fissure_app::cocrash_days_of(&map))
}

/// Proxy candidates: the standard factors in the store, the given series, and the holdings.
fn factors(d: &Data, l: &Loaded) -> anyhow::Result<Vec<Series>> {
    let mut out: Vec<Series> = Vec::new();
    for id in PROXY_FACTORS {
        if let Some(s) = d.files.get(id) {
            out.push(s.as_of(l.as_of));
        } else if d.store.meta(id).is_ok() {
            out.push(d.store.load(id, None)?.as_of(l.as_of));
        }
    }
    for s in d.files.values().chain(&l.series) {
        if !out.iter().any(|o| o.id() == s.id()) {
            out.push(s.as_of(l.as_of));
        }
    }
    Ok(out)
}

fn episodes(d: &Data, given: &[String], no_cocrash: bool, as_of: NaiveDate) -> anyhow::Result<Vec<Episode>> {
    let cocrash = if given.is_empty() && !no_cocrash { cocrash_days(d, as_of)? } else { Vec::new() };
    Ok(select_episodes(given, as_of, &cocrash)?)
}

fn replays(d: &Data, l: &Loaded, eps: &[Episode], strict: bool) -> anyhow::Result<(Vec<ReplayWithPaths>, Vec<String>)> {
    let held: Vec<Series> = l
        .series
        .iter()
        .map(|s| Ok(fissure_risk::portfolio::to_usd(s, l.usdjpy.as_ref())?.as_of(l.as_of)))
        .collect::<anyhow::Result<_>>()?;
    let fac = factors(d, l)?;
    let fac_refs: Vec<&Series> = fac.iter().collect();
    let pairs: Vec<(&Series, f64)> = held.iter().zip(l.pf.weights()).collect();
    Ok(replay_all(&pairs, &fac_refs, eps, strict)?)
}

fn method_list(m: &str) -> anyhow::Result<Vec<Method>> {
    Ok(match m {
        "historical" => vec![Method::Historical],
        "gaussian" => vec![Method::Gaussian],
        "cornish-fisher" => vec![Method::CornishFisher],
        "fhs" => vec![Method::Fhs],
        "evt" => vec![Method::Evt],
        "all" => Method::ALL.to_vec(),
        _ => bail!("method: unknown `{m}` (historical, gaussian, cornish-fisher, fhs, evt, all)"),
    })
}

fn check_level(v: f64) -> anyhow::Result<()> {
    anyhow::ensure!(v > 0.5 && v < 1.0, "level: {v} is not in (0.5, 1)");
    Ok(())
}

fn check_range(name: &str, v: u64, lo: u64, hi: u64) -> anyhow::Result<()> {
    anyhow::ensure!((lo..=hi).contains(&v), "{name}: {v} is not in {lo}..={hi}");
    Ok(())
}

fn check_tail(v: f64) -> anyhow::Result<()> {
    anyhow::ensure!(v > 0.0 && v < 0.5, "evt_tail: {v} is not in (0, 0.5)");
    Ok(())
}

/// The given series (validated with the GIL held) and the options, to move into the computation.
fn setup(series: &[PySeries<'_>], options_json: &str) -> PyResult<(Vec<Series>, String)> {
    Ok((many(series)?, options_json.to_string()))
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VarOpts {
    pub level: f64,
    pub horizon: u16,
    pub method: String,
    pub lookback: usize,
    pub evt_tail: f64,
    pub sims: u32,
    pub corr: String,
    pub seed: u64,
}

impl Default for VarOpts {
    fn default() -> Self {
        VarOpts {
            level: 0.99,
            horizon: 1,
            method: "historical".into(),
            lookback: 1000,
            evt_tail: 0.1,
            sims: 10_000,
            corr: "dcc".into(),
            seed: 42,
        }
    }
}

#[pyfunction]
pub fn risk_var(py: Python<'_>, prices: Vec<PySeries<'_>>, options_json: &str) -> PyResult<String> {
    let (files, o) = setup(&prices, options_json)?;
    run(py, move || {
        let (p, a): (PortfolioOpts, VarOpts) = with_portfolio(&o)?;
        check_level(a.level)?;
        check_range("horizon", a.horizon.into(), 1, 250)?;
        check_tail(a.evt_tail)?;
        check_range("sims", a.sims.into(), 100, 10_000_000)?;
        let correlation = match a.corr.as_str() {
            "dcc" => Correlation::Dcc,
            "constant" => Correlation::Constant,
            c => bail!("corr: unknown `{c}` (dcc, constant)"),
        };
        let methods = method_list(&a.method)?;
        let d = Data::new(files, p.store.as_deref(), p.config.as_deref())?;
        let l = load_portfolio(&d, &p)?;
        let refs: Vec<&Series> = l.series.iter().collect();
        let m = return_matrix(&refs, l.usdjpy.as_ref(), Some(l.as_of))?;
        if a.lookback != 0 && a.lookback < 250 {
            bail!("lookback {} must be 0 (all) or at least 250 days", a.lookback);
        }
        let m = m.tail(a.lookback);
        let opts = VarOptions {
            level: a.level,
            horizon: a.horizon as usize,
            evt_tail: a.evt_tail,
            sims: a.sims as usize,
            seed: a.seed,
            correlation,
        };
        let results = portfolio_var_methods(&m, &l.pf, &methods, &opts, &d.watchlist.baskets)?;
        Ok(json::var(l.json(), &results)?)
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BacktestOpts {
    pub method: String,
    pub window: u16,
    pub level: f64,
    pub refit: u16,
    pub sims: u32,
    pub evt_tail: f64,
    pub seed: u64,
}

impl Default for BacktestOpts {
    fn default() -> Self {
        BacktestOpts { method: "all".into(), window: 500, level: 0.99, refit: 21, sims: 1000, evt_tail: 0.1, seed: 42 }
    }
}

#[pyfunction]
pub fn risk_backtest(py: Python<'_>, prices: Vec<PySeries<'_>>, options_json: &str) -> PyResult<String> {
    let (files, o) = setup(&prices, options_json)?;
    run(py, move || {
        let (p, a): (PortfolioOpts, BacktestOpts) = with_portfolio(&o)?;
        check_level(a.level)?;
        check_range("window", a.window.into(), 100, 5000)?;
        check_range("refit", a.refit.into(), 1, 250)?;
        check_range("sims", a.sims.into(), 100, 100_000)?;
        check_tail(a.evt_tail)?;
        let methods = method_list(&a.method)?;
        let d = Data::new(files, p.store.as_deref(), p.config.as_deref())?;
        let l = load_portfolio(&d, &p)?;
        let refs: Vec<&Series> = l.series.iter().collect();
        let m = return_matrix(&refs, l.usdjpy.as_ref(), Some(l.as_of))?;
        let r = m.portfolio(&l.pf.weights());
        let o = BacktestOptions {
            window: a.window as usize,
            level: a.level,
            refit: a.refit as usize,
            evt_tail: a.evt_tail,
            sims: a.sims as usize,
            seed: a.seed,
        };
        let (res, _) = backtest(&r, &m.dates, &methods, &o).context("backtest")?;
        Ok(json::backtest(l.json(), a.level, a.window, &res))
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScenarioOpts {
    pub scenario: Vec<String>,
    pub no_cocrash: bool,
    pub paths: bool,
}

#[pyfunction]
pub fn risk_scenarios(py: Python<'_>, prices: Vec<PySeries<'_>>, options_json: &str) -> PyResult<String> {
    let (files, o) = setup(&prices, options_json)?;
    run(py, move || {
        let (p, a): (PortfolioOpts, ScenarioOpts) = with_portfolio(&o)?;
        let d = Data::new(files, p.store.as_deref(), p.config.as_deref())?;
        let l = load_portfolio(&d, &p)?;
        let eps = episodes(&d, &a.scenario, a.no_cocrash, l.as_of)?;
        let (rs, skipped) = replays(&d, &l, &eps, !a.scenario.is_empty())?;
        Ok(json::scenarios(l.json(), rs.iter().map(|(r, _)| r), a.paths, &skipped))
    })
}

/// The shock variables (fissure_risk::shock::shock_variables, as the CLI).
fn shock_moves(
    d: &Data,
    l: &Loaded,
    targets: &[String],
    extra: &[&str],
) -> anyhow::Result<(shock::Moves, Vec<(usize, f64)>)> {
    let vars = shock::shock_variables(l.pf.ids(), targets, extra, |id| d.has(id), |t| d.watchlist.basket_weights(t));
    let series: Vec<Series> = vars
        .ids
        .iter()
        .map(|id| d.load(id).with_context(|| format!("shock variable `{id}`")))
        .collect::<anyhow::Result<_>>()?;
    let refs: Vec<&Series> = series.iter().collect();
    let holdings: Vec<(String, f64)> = l.pf.holdings.iter().map(|h| (h.id.clone(), h.weight)).collect();
    Ok(shock::shock_moves(&vars, &refs, &holdings, l.usdjpy.as_ref(), Some(l.as_of))?)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShockOpts {
    pub shocks: Vec<String>,
    pub cov: String,
    pub horizon: u16,
    pub sims: u32,
    pub seed: u64,
}

impl Default for ShockOpts {
    fn default() -> Self {
        ShockOpts { shocks: vec![], cov: "full".into(), horizon: 10, sims: 10_000, seed: 42 }
    }
}

#[pyfunction]
pub fn risk_shock(py: Python<'_>, prices: Vec<PySeries<'_>>, options_json: &str) -> PyResult<String> {
    let (files, o) = setup(&prices, options_json)?;
    run(py, move || {
        let (p, a): (PortfolioOpts, ShockOpts) = with_portfolio(&o)?;
        anyhow::ensure!(!a.shocks.is_empty(), "shocks: give at least one ID=MOVE, e.g. shocks={{'SPY': '-20%'}}");
        check_range("horizon", a.horizon.into(), 1, 250)?;
        check_range("sims", a.sims.into(), 1000, 1_000_000)?;
        let kind = match a.cov.as_str() {
            "full" => CovKind::Full,
            "stressed" => CovKind::Stressed,
            "t" => CovKind::T,
            c => bail!("cov: unknown `{c}` (full, stressed, t)"),
        };
        let d = Data::new(files, p.store.as_deref(), p.config.as_deref())?;
        let l = load_portfolio(&d, &p)?;
        let targets: Vec<String> = a
            .shocks
            .iter()
            .map(|s| {
                s.split_once('=')
                    .map(|(i, _)| i.trim().to_string())
                    .with_context(|| format!("shock `{s}` is not ID=MOVE"))
            })
            .collect::<anyhow::Result<_>>()?;
        let (mv, weights) = shock_moves(&d, &l, &targets, &[])?;
        let shocks: Vec<Shock> = a
            .shocks
            .iter()
            .zip(&targets)
            .map(|(s, id)| {
                let j = mv.index(id).context("shock variable")?;
                Ok(Shock { id: id.clone(), value: shock::parse_move(s, mv.is_change[j])? })
            })
            .collect::<anyhow::Result<_>>()?;
        let days = if kind == CovKind::Stressed { cocrash_days(&d, l.as_of)? } else { vec![] };
        let so = ShockOptions { kind, horizon: a.horizon as usize, sims: a.sims as usize, seed: a.seed };
        let r = conditional_shock(&mv, &weights, &shocks, &so, &days)?;
        Ok(json::shock(l.json(), &mv, &r))
    })
}

/// Factors whose implied moves the reverse stress test reports (if stored), as the CLI.
const REVERSE_FACTORS: [&str; 6] = ["SPX", "IXIC", "US10Y", "USDJPY", "GOLD", "VIX"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReverseOpts {
    pub loss: f64,
    #[serde(default = "stressed")]
    pub cov: String,
    #[serde(default = "ten")]
    pub horizon: u16,
}

fn stressed() -> String {
    "stressed".into()
}

fn ten() -> u16 {
    10
}

#[pyfunction]
pub fn risk_reverse(py: Python<'_>, prices: Vec<PySeries<'_>>, options_json: &str) -> PyResult<String> {
    let (files, o) = setup(&prices, options_json)?;
    run(py, move || {
        let (p, a): (PortfolioOpts, ReverseOpts) = with_portfolio(&o)?;
        anyhow::ensure!(a.loss > 0.0 && a.loss <= 1.0, "loss: {} is not in (0, 1]", a.loss);
        check_range("horizon", a.horizon.into(), 1, 250)?;
        let is_stressed = match a.cov.as_str() {
            "stressed" => true,
            "full" => false,
            "t" => bail!("cov='t' is for risk_shock; the reverse stress test uses full or stressed"),
            c => bail!("cov: unknown `{c}` (full, stressed)"),
        };
        let d = Data::new(files, p.store.as_deref(), p.config.as_deref())?;
        let l = load_portfolio(&d, &p)?;
        let (mv, weights) = shock_moves(&d, &l, &[], &REVERSE_FACTORS)?;
        let h = a.horizon as usize;
        let (sigma, obs) = if is_stressed {
            let days = cocrash_days(&d, l.as_of)?;
            let sd = mv.on_days(&days);
            if sd.t() < mv.k().max(10) {
                bail!(
                    "stressed covariance: only {} co-crash days have data for every variable (need {})",
                    sd.t(),
                    mv.k().max(10)
                );
            }
            (covariance(&sd, false) * h as f64, sd.t())
        } else {
            let hm = mv.horizon(h);
            (covariance(&hm, true), hm.t())
        };
        let (dist, moves) = reverse_stress(&mv.ids, &sigma, &weights, a.loss)?;
        Ok(json::reverse(l.json(), &l.pf, &mv, a.loss, h, is_stressed, dist, &moves, obs))
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CashOpts {
    pub no_cocrash: bool,
    pub leverage: Vec<f64>,
}

impl Default for CashOpts {
    fn default() -> Self {
        CashOpts { no_cocrash: false, leverage: vec![1.0, 1.25, 1.5, 2.0, 3.0] }
    }
}

#[pyfunction]
pub fn risk_cash(py: Python<'_>, prices: Vec<PySeries<'_>>, options_json: &str) -> PyResult<String> {
    let (files, o) = setup(&prices, options_json)?;
    run(py, move || {
        let (p, a): (PortfolioOpts, CashOpts) = with_portfolio(&o)?;
        if let Some(x) = a.leverage.iter().find(|l| !(**l >= 1.0 && **l <= 10.0)) {
            bail!("leverage {x} must be in [1, 10]");
        }
        let d = Data::new(files, p.store.as_deref(), p.config.as_deref())?;
        let l = load_portfolio(&d, &p)?;
        let eps = episodes(&d, &[], a.no_cocrash, l.as_of)?;
        let (rs, skipped) = replays(&d, &l, &eps, false)?;
        let w = l.pf.weights();
        let margins: Vec<f64> = l.pf.holdings.iter().map(|h| h.margin).collect();
        let res: Vec<_> = rs.iter().map(|(r, p)| cash_buffer(&r.name, &r.path_dates, p, &w, &margins)).collect();
        let advice = advice_check(&rs, &w, &margins, &a.leverage);
        Ok(json::cash(l.json(), &res, &advice, &skipped))
    })
}
