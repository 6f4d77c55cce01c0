//! Historical scenario replay: each asset's actual path over a past window, applied to
//! today's holdings (buy and hold from the close of `start`).
//!
//! P&L(d) = Σ wᵢ (Pᵢ(d)/Pᵢ(start) − 1) with Pᵢ(d) the last close on or before d (cash
//! earns 0). `pnl_pct` is P&L at the close of `end` in percent of equity; the worst point
//! is the minimum of the path. A one-day scenario (start = end) runs from the previous
//! close of each asset to the close of that day.
//!
//! An asset without data over the window gets a **proxy**: among the factor candidates
//! that cover the window, the one with the highest R² in a regression of the asset's
//! daily returns on the factor's daily changes over the most recent `proxy_window`
//! common days (before the as-of date); the asset's path is then Π(1 + β Δf) − 1. The
//! mapping (factor, β, R², observations) is part of the result, never silent.

use crate::{Result, RiskError};
use chrono::{Days, NaiveDate};
use fissure_core::{AssetClass, Series};
use serde::Serialize;
use std::collections::BTreeSet;

/// A named historical window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Episode {
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

fn d(s: &str) -> NaiveDate {
    s.parse().expect("valid built-in date")
}

/// The built-in episodes (docs/risk.md lists their sources).
pub fn named_episodes() -> Vec<Episode> {
    [
        ("dotcom", "2000-03-10", "2002-10-09"),
        ("gfc", "2007-10-09", "2009-03-09"),
        ("lehman", "2008-09-12", "2008-10-10"),
        ("covid", "2020-02-19", "2020-03-23"),
        ("yen_carry", "2024-07-31", "2024-08-05"),
        ("tariff", "2025-04-02", "2025-04-08"),
        ("ai_selloff_2025_11_04", "2025-11-04", "2025-11-04"),
        ("saaspocalypse", "2026-02-03", "2026-02-03"),
        ("indiscriminate_2026_02_12", "2026-02-12", "2026-02-12"),
    ]
    .iter()
    .map(|(n, s, e)| Episode { name: n.to_string(), start: d(s), end: d(e) })
    .collect()
}

/// Parses `NAME` (a built-in episode) or `FROM:TO` (or a single date `YYYY-MM-DD`).
pub fn parse_scenario(s: &str) -> Result<Episode> {
    if let Some(e) = named_episodes().into_iter().find(|e| e.name.eq_ignore_ascii_case(s)) {
        return Ok(e);
    }
    let parse = |x: &str| {
        x.trim().parse::<NaiveDate>().map_err(|_| {
            let names: Vec<String> = named_episodes().into_iter().map(|e| e.name).collect();
            RiskError::Invalid(format!("scenario `{s}`: not a built-in name ({}) nor FROM:TO dates", names.join(", ")))
        })
    };
    let (a, b) = match s.split_once(':') {
        Some((a, b)) => (parse(a)?, parse(b)?),
        None => {
            let x = parse(s)?;
            (x, x)
        }
    };
    if b < a {
        return Err(RiskError::Invalid(format!("scenario `{s}`: end {b} is before start {a}")));
    }
    Ok(Episode { name: s.to_string(), start: a, end: b })
}

/// A proxy used for an asset in one scenario.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Proxy {
    pub id: String,
    pub proxy: String,
    pub beta: f64,
    pub r2: f64,
    pub observations: usize,
}

/// An asset's contribution to a replay.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Contribution {
    pub id: String,
    pub weight: f64,
    /// The asset's own (or proxied) return over the window, percent.
    pub return_pct: f64,
    /// weight × return, percent of equity.
    pub contribution_pct: f64,
}

/// One replayed scenario.
#[derive(Debug, Clone, Serialize)]
pub struct Replay {
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub pnl_pct: f64,
    pub worst_pct: f64,
    pub worst_date: NaiveDate,
    pub contributions: Vec<Contribution>,
    pub proxies: Vec<Proxy>,
    /// The P&L path (percent of equity) on the window's dates.
    pub path_dates: Vec<NaiveDate>,
    pub path_pct: Vec<f64>,
}

/// Replay settings.
#[derive(Debug, Clone, Copy)]
pub struct ReplayOptions {
    pub proxy_window: usize,
    /// Most calendar days between a baseline/end date and the asset's nearest close.
    pub max_stale_days: u64,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions { proxy_window: 500, max_stale_days: 7 }
    }
}

/// Whether a series is a level whose daily change (not return) is the factor move (yields).
fn is_rate(s: &Series) -> bool {
    matches!(s.meta.asset_class, AssetClass::Rate | AssetClass::Spread) || s.meta.unit.eq_ignore_ascii_case("percent")
}

/// Daily move of a factor: simple return of a price, change of a rate (in its units).
fn factor_moves(s: &Series) -> Vec<(NaiveDate, f64)> {
    let v = s.values();
    let rate = is_rate(s);
    (1..v.len())
        .filter(|&i| rate || v[i - 1] > 0.0)
        .map(|i| (s.dates()[i], if rate { v[i] - v[i - 1] } else { v[i] / v[i - 1] - 1.0 }))
        .collect()
}

fn last_on_or_before(s: &Series, d: NaiveDate) -> Option<(NaiveDate, f64)> {
    s.index_at_or_before(d).map(|i| (s.dates()[i], s.values()[i]))
}

/// Baseline (date, value) of `s` for `ep`: the close of start, or the previous close for a one-day scenario.
fn baseline(s: &Series, ep: &Episode) -> Option<(NaiveDate, f64)> {
    let b = if ep.start == ep.end { ep.end.checked_sub_days(Days::new(1))? } else { ep.start };
    last_on_or_before(s, b)
}

fn covers(s: &Series, ep: &Episode, o: &ReplayOptions) -> bool {
    let stale = |a: NaiveDate, b: NaiveDate| (b - a).num_days() as u64 > o.max_stale_days;
    match (baseline(s, ep), last_on_or_before(s, ep.end)) {
        (Some((bd, _)), Some((ed, _))) => {
            let b = if ep.start == ep.end { ep.end } else { ep.start };
            !stale(bd, b) && !stale(ed, ep.end) && ed > bd
        }
        _ => false,
    }
}

type RegressionKey = (String, String, usize, usize, Option<NaiveDate>, Option<NaiveDate>, u64, u64, usize);
/// (β, R², observations) of a proxy regression, `None` when it cannot be estimated.
type Regression = Option<(f64, f64, usize)>;
type RegressionMemo = std::cell::RefCell<std::collections::HashMap<RegressionKey, Regression>>;

thread_local! {
    /// Proxy regressions already estimated (a replay of many scenarios reuses them); the key
    /// holds both series' ids, lengths, last dates and last values, so a changed series misses.
    static REGRESSIONS: RegressionMemo = Default::default();
}

/// OLS of the asset's daily returns on a factor's moves on common dates (most recent `k`), memoised.
fn regress(asset: &Series, factor: &Series, k: usize) -> Option<(f64, f64, usize)> {
    let last = |s: &Series| s.values().last().map_or(0, |v| v.to_bits());
    let key = (
        asset.id().to_string(),
        factor.id().to_string(),
        asset.len(),
        factor.len(),
        asset.last_date(),
        factor.last_date(),
        last(asset),
        last(factor),
        k,
    );
    if let Some(v) = REGRESSIONS.with(|m| m.borrow().get(&key).copied()) {
        return v;
    }
    let v = regress_uncached(asset, factor, k);
    REGRESSIONS.with(|m| m.borrow_mut().insert(key, v));
    v
}

fn regress_uncached(asset: &Series, factor: &Series, k: usize) -> Option<(f64, f64, usize)> {
    let fa = factor_moves(asset);
    let ff: std::collections::HashMap<NaiveDate, f64> = factor_moves(factor).into_iter().collect();
    let pairs: Vec<(f64, f64)> = fa.iter().filter_map(|(d, a)| ff.get(d).map(|f| (*a, *f))).collect();
    let pairs = &pairs[pairs.len().saturating_sub(k)..];
    let n = pairs.len();
    if n < 60 {
        return None;
    }
    let nf = n as f64;
    let (ma, mf) = (pairs.iter().map(|p| p.0).sum::<f64>() / nf, pairs.iter().map(|p| p.1).sum::<f64>() / nf);
    let (mut sff, mut saf, mut saa) = (0.0, 0.0, 0.0);
    for (a, f) in pairs {
        sff += (f - mf) * (f - mf);
        saf += (a - ma) * (f - mf);
        saa += (a - ma) * (a - ma);
    }
    if !(sff > 1e-12 * nf * mf.abs().max(1e-8).powi(2)) || !(saa > 0.0) {
        return None;
    }
    let beta = saf / sff;
    Some((beta, saf * saf / (sff * saa), n))
}

/// The path (dates, cumulative return) of `s` over `ep` from its baseline.
fn own_path(s: &Series, ep: &Episode) -> Option<Vec<(NaiveDate, f64)>> {
    let (bd, bv) = baseline(s, ep)?;
    Some(
        s.dates()
            .iter()
            .zip(s.values())
            .filter(|(d, _)| **d > bd && **d <= ep.end)
            .map(|(d, v)| (*d, v / bv - 1.0))
            .collect(),
    )
}

fn proxy_path(f: &Series, beta: f64, ep: &Episode) -> Option<Vec<(NaiveDate, f64)>> {
    let (bd, _) = baseline(f, ep)?;
    let mut g = 1.0;
    Some(
        factor_moves(f)
            .into_iter()
            .filter(|(d, _)| *d > bd && *d <= ep.end)
            .map(|(d, m)| {
                g *= (1.0 + beta * m).max(0.0);
                (d, g - 1.0)
            })
            .collect(),
    )
}

fn value_at(path: &[(NaiveDate, f64)], d: NaiveDate) -> f64 {
    match path.partition_point(|p| p.0 <= d) {
        0 => 0.0,
        i => path[i - 1].1,
    }
}

/// Replays `ep` on holdings `assets` ((price series in base currency, weight of equity)),
/// with `factors` as proxy candidates (prices or rates; truncated at the as-of date).
pub fn replay(assets: &[(&Series, f64)], factors: &[&Series], ep: &Episode, o: &ReplayOptions) -> Result<Replay> {
    if assets.is_empty() {
        return Err(RiskError::Invalid("no holdings to replay".into()));
    }
    let mut paths = Vec::with_capacity(assets.len());
    let mut proxies = Vec::new();
    for (s, _) in assets {
        if covers(s, ep, o) {
            paths.push(own_path(s, ep).unwrap_or_default());
            continue;
        }
        let best = factors
            .iter()
            .filter(|f| f.id() != s.id() && covers(f, ep, o))
            .filter_map(|f| regress(s, f, o.proxy_window).map(|(b, r2, n)| (f, b, r2, n)))
            .max_by(|a, b| a.2.total_cmp(&b.2));
        let Some((f, beta, r2, nobs)) = best else {
            return Err(RiskError::Invalid(format!(
                "scenario `{}` ({} → {}): `{}` has no data in the window and no proxy candidate covers it",
                ep.name,
                ep.start,
                ep.end,
                s.id()
            )));
        };
        proxies.push(Proxy { id: s.id().to_string(), proxy: f.id().to_string(), beta, r2, observations: nobs });
        paths.push(proxy_path(f, beta, ep).unwrap_or_default());
    }
    let dates: Vec<NaiveDate> = paths.iter().flatten().map(|p| p.0).collect::<BTreeSet<_>>().into_iter().collect();
    if dates.is_empty() {
        return Err(RiskError::Invalid(format!("scenario `{}`: no trading day in {} → {}", ep.name, ep.start, ep.end)));
    }
    let path_pct: Vec<f64> = dates
        .iter()
        .map(|d| 100.0 * assets.iter().zip(&paths).map(|((_, w), p)| w * value_at(p, *d)).sum::<f64>())
        .collect();
    let (wi, worst) =
        path_pct.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).map(|(i, v)| (i, *v)).expect("non-empty");
    let end = *dates.last().expect("non-empty");
    let contributions = assets
        .iter()
        .zip(&paths)
        .map(|((s, w), p)| {
            let r = value_at(p, end);
            Contribution { id: s.id().to_string(), weight: *w, return_pct: 100.0 * r, contribution_pct: 100.0 * w * r }
        })
        .collect();
    Ok(Replay {
        name: ep.name.clone(),
        start: ep.start,
        end: ep.end,
        pnl_pct: *path_pct.last().expect("non-empty"),
        worst_pct: worst.min(0.0),
        worst_date: if worst < 0.0 { dates[wi] } else { ep.start },
        contributions,
        proxies,
        path_dates: dates,
        path_pct,
    })
}

/// Per-asset return paths of a scenario on its dates (for the cash buffer): (dates, Rᵢ(d)).
pub fn asset_paths(r: &Replay, assets: &[(&Series, f64)], factors: &[&Series], o: &ReplayOptions) -> Vec<Vec<f64>> {
    let ep = Episode { name: r.name.clone(), start: r.start, end: r.end };
    assets
        .iter()
        .map(|(s, _)| {
            let p = match r.proxies.iter().find(|p| p.id == s.id()) {
                Some(px) => factors.iter().find(|f| f.id() == px.proxy).and_then(|f| proxy_path(f, px.beta, &ep)),
                None if covers(s, &ep, o) => own_path(s, &ep),
                None => None,
            }
            .unwrap_or_default();
            r.path_dates.iter().map(|d| value_at(&p, *d)).collect()
        })
        .collect()
}

/// The episodes a replay runs: the user's windows (each `NAME` or `FROM:TO`, see [`parse_scenario`]) when
/// any are given; otherwise the built-in episodes that ended by `as_of`, then one single-day episode
/// `cocrash_<date>` per co-crash day (the caller passes them; empty to leave them out).
pub fn select_episodes(given: &[String], as_of: NaiveDate, cocrash_days: &[NaiveDate]) -> Result<Vec<Episode>> {
    if !given.is_empty() {
        return given.iter().map(|s| parse_scenario(s)).collect();
    }
    let mut eps: Vec<Episode> = named_episodes().into_iter().filter(|e| e.end <= as_of).collect();
    eps.extend(cocrash_days.iter().map(|&d| Episode { name: format!("cocrash_{d}"), start: d, end: d }));
    Ok(eps)
}

/// A replay with each holding's return path on its dates (for the cash buffer).
pub type ReplayWithPaths = (Replay, Vec<Vec<f64>>);

/// Replays every episode on the holdings (`assets`: series in the base currency, weight). With
/// `strict`, the first episode that cannot be replayed is the error; otherwise it is skipped and its
/// reason returned in the second list (the caller reports it: nothing is dropped silently).
pub fn replay_all(
    assets: &[(&Series, f64)],
    factors: &[&Series],
    eps: &[Episode],
    strict: bool,
) -> Result<(Vec<ReplayWithPaths>, Vec<String>)> {
    let o = ReplayOptions::default();
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for ep in eps {
        match replay(assets, factors, ep, &o) {
            Ok(r) => {
                let p = asset_paths(&r, assets, factors, &o);
                out.push((r, p));
            }
            Err(e) if !strict => skipped.push(e.to_string()),
            Err(e) => return Err(e),
        }
    }
    Ok((out, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fissure_core::SeriesMeta;

    fn series(id: &str, start: &str, v: &[f64]) -> Series {
        let s: NaiveDate = start.parse().unwrap();
        let dates = (0..v.len()).map(|i| s + Days::new(i as u64)).collect();
        Series::new(SeriesMeta::new(id), dates, v.to_vec()).unwrap()
    }

    #[test]
    fn single_asset_replay_is_its_own_return() {
        let a = series("A", "2020-01-01", &[100.0, 90.0, 80.0, 95.0, 99.0]);
        let ep = Episode { name: "x".into(), start: d("2020-01-01"), end: d("2020-01-05") };
        let r = replay(&[(&a, 1.0)], &[], &ep, &ReplayOptions::default()).unwrap();
        assert!((r.pnl_pct - (-1.0)).abs() < 1e-12);
        assert!((r.worst_pct - (-20.0)).abs() < 1e-12);
        assert_eq!(r.worst_date, d("2020-01-03"));
        // one-day scenario: previous close to the day's close
        let one = Episode { name: "y".into(), start: d("2020-01-04"), end: d("2020-01-04") };
        let r = replay(&[(&a, 1.0)], &[], &one, &ReplayOptions::default()).unwrap();
        assert!((r.pnl_pct - 100.0 * (95.0 / 80.0 - 1.0)).abs() < 1e-12);
    }

    #[test]
    fn missing_asset_gets_a_visible_proxy() {
        // factor F over 2019–2020; asset B only from mid 2019, B = 2 × F's returns
        let n = 400;
        let mut f = vec![100.0];
        for i in 1..n {
            f.push(f[i - 1] * (1.0 + 0.01 * ((i as f64) * 0.7).sin()));
        }
        let fs = series("F", "2019-01-01", &f);
        let start = 200;
        let mut b = vec![50.0];
        for i in start + 1..n {
            b.push(b.last().unwrap() * (1.0 + 2.0 * (f[i] / f[i - 1] - 1.0)));
        }
        let bs = series("B", &(d("2019-01-01") + Days::new(start as u64)).to_string(), &b);
        let ep = Episode { name: "early".into(), start: d("2019-01-10"), end: d("2019-02-10") };
        let r = replay(&[(&bs, 1.0)], &[&fs], &ep, &ReplayOptions::default()).unwrap();
        assert_eq!(r.proxies.len(), 1);
        assert!((r.proxies[0].beta - 2.0).abs() < 1e-9 && r.proxies[0].r2 > 0.999);
        let e = replay(&[(&bs, 1.0)], &[], &ep, &ReplayOptions::default()).unwrap_err().to_string();
        assert!(e.contains("`B`"), "{e}");
    }

    #[test]
    fn parses_names_and_windows() {
        assert_eq!(parse_scenario("covid").unwrap().end, d("2020-03-23"));
        assert_eq!(parse_scenario("2024-01-02:2024-02-01").unwrap().start, d("2024-01-02"));
        assert!(parse_scenario("2024-02-01:2024-01-02").is_err());
        assert!(parse_scenario("nope").is_err());
    }

    #[test]
    fn episode_selection_and_replay_of_all() {
        // the user's windows replace the built-ins and the co-crash days
        let given = vec!["covid".to_string(), "2020-01-02:2020-01-04".to_string()];
        let eps = select_episodes(&given, d("2026-08-01"), &[d("2020-01-03")]).unwrap();
        assert_eq!(eps.iter().map(|e| e.name.as_str()).collect::<Vec<_>>()[0], "covid");
        assert_eq!(eps.len(), 2);
        assert!(select_episodes(&["nope".to_string()], d("2026-08-01"), &[]).is_err());
        // built-ins that ended by the as-of date, then one episode per co-crash day
        let eps = select_episodes(&[], d("2020-12-31"), &[d("2020-01-03")]).unwrap();
        assert!(eps.iter().all(|e| e.end <= d("2020-12-31")));
        assert!(eps.iter().any(|e| e.name == "covid") && !eps.iter().any(|e| e.name == "yen_carry"));
        let last = eps.last().unwrap();
        assert_eq!(
            (last.name.as_str(), last.start, last.end),
            ("cocrash_2020-01-03", d("2020-01-03"), d("2020-01-03"))
        );
        // replay_all: an episode outside the data is skipped with its reason, or refused when strict
        let a = series("A", "2020-01-01", &[100.0, 90.0, 80.0, 95.0, 99.0]);
        let ok = Episode { name: "in".into(), start: d("2020-01-01"), end: d("2020-01-05") };
        let out = Episode { name: "out".into(), start: d("2010-01-01"), end: d("2010-02-01") };
        let (rs, skipped) = replay_all(&[(&a, 1.0)], &[], &[ok.clone(), out.clone()], false).unwrap();
        assert_eq!(rs.len(), 1);
        assert_eq!(rs[0].1.len(), 1, "one return path per holding");
        assert_eq!(skipped.len(), 1);
        assert!(replay_all(&[(&a, 1.0)], &[], &[ok, out], true).is_err());
    }
}
