//! The standard assembly of Fissure: which signal families the report runs and how their inputs are
//! loaded from the store and the watchlist, as of a date and as the data were known then.
//!
//! The CLI (`fissure report`), the server (`fissure serve`) and the Python package (`fissure.report`)
//! all call this crate, so the three give the same report on the same store. It is wiring only: every
//! computation lives in the family crates and in `fissure-report`; nothing here prints.

use chrono::NaiveDate;
use fissure_contagion::cocrash::{default_universe, detect, CoCrashOptions, CrashClass};
use fissure_core::{Alignment, CrossSection, FamilyInputs, Panel, Series, SignalFamily, Text};
use fissure_io::store::{IngestItem, IngestSection, SeriesInfo, StoreError};
use fissure_io::{Store, Watchlist};
use fissure_report::{Progress, Report, ReportInput, SkillParams, Source};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Errors of loading the report's inputs. Each names the series, the file or the date concerned.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{what}")]
    Store {
        what: String,
        #[source]
        source: StoreError,
    },
    #[error("loading the bundled demo data")]
    Demo(#[from] fissure_io::demo::DemoError),
    #[error("the store has no data; run `fissure ingest --demo` or ingest files")]
    NoData,
    #[error("--as-of {requested} is before the data: the {what} start on {start}; choose a later date")]
    BeforeData { requested: NaiveDate, start: NaiveDate, what: String },
    #[error("{origin}: {} id(s) of the watchlist are not in the store {store}:\n  - {}", .ids.len(), .ids.join("\n  - "))]
    UnknownIds { origin: String, store: String, ids: Vec<String> },
    #[error("cash {given} and the watchlist's `portfolio.cash = {watchlist}`: give one of them")]
    CashTwice { given: f64, watchlist: f64 },
    #[error("no [portfolio] in the watchlist")]
    NoPortfolio,
    /// A portfolio asset's series could not be loaded (`origin`: the file, `--weights`, the watchlist).
    #[error("portfolio asset `{id}` ({origin})")]
    PortfolioAsset {
        id: String,
        origin: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A caller's own error, as it was.
    #[error(transparent)]
    Input(Box<dyn std::error::Error + Send + Sync>),
    #[error("USDJPY (`{id}`) to convert JPY assets to USD")]
    Usdjpy {
        id: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("portfolio from {origin}")]
    Portfolio {
        origin: String,
        #[source]
        source: fissure_risk::RiskError,
    },
}

fn store_err(what: impl Into<String>) -> impl FnOnce(StoreError) -> AppError {
    let what = what.into();
    move |source| AppError::Store { what, source }
}

/// The signal families of the report. A new family is one line here; the report adds its own
/// `baseline` family (the yardsticks of the skill study).
pub fn families() -> Vec<Box<dyn SignalFamily>> {
    vec![
        Box::new(fissure_bubble::signals::BubbleFamily::default()),
        Box::new(fissure_contagion::signals::ContagionFamily),
        Box::new(fissure_liquidity::signals::LiquidityFamily),
        Box::new(fissure_structure::signals::StructureFamily),
        Box::new(fissure_network::signals::NetworkFamily),
        Box::new(fissure_risk::signals::PortfolioFamily { cocrash: Some(cocrash_days_for_report) }),
        Box::new(fissure_spiral::signals::SpiralFamily::default()),
    ]
}

/// Co-crash days (contagion's detector on its default cross-asset universe) of a set of series;
/// empty when the universe lacks an equity reference or cannot be aligned. The portfolio family
/// stresses its covariance on these days; the wiring lives here because no family imports another.
pub fn cocrash_days_of(series: &BTreeMap<String, Series>) -> Vec<NaiveDate> {
    let uni: Vec<(String, CrashClass)> = default_universe()
        .into_iter()
        .filter(|(id, _)| series.contains_key(*id))
        .map(|(i, c)| (i.to_string(), c))
        .collect();
    let Some(reference) = uni.iter().find(|(_, c)| *c == CrashClass::Equities).map(|u| u.0.clone()) else {
        return vec![];
    };
    let refs: Vec<&Series> = uni.iter().map(|(i, _)| &series[i]).collect();
    let Ok(panel) = Panel::align(&refs, &Alignment::Reference { id: reference, max_fill_days: 5 }) else {
        return vec![];
    };
    detect(&panel, &uni, &CoCrashOptions::default())
        .map(|c| c.flagged.iter().map(|d| d.date).collect())
        .unwrap_or_default()
}

/// The report's hook for the portfolio family: co-crash days of the report inputs.
pub fn cocrash_days_for_report(inputs: &FamilyInputs) -> Vec<NaiveDate> {
    cocrash_days_of(&inputs.series)
}

/// Stores the bundled demo data (series, cross-sections and the deal book) in ONE transaction:
/// a failure anywhere (the deal book included) leaves nothing stored.
pub fn ingest_demo(store: &mut Store, label: &str) -> Result<(), AppError> {
    let mut demo = fissure_io::demo::load()?;
    let book = demo.book.take();
    let items: Vec<IngestItem> =
        demo.series.into_iter().map(|(series, f)| IngestItem { series, origin: format!("data/demo/{f}") }).collect();
    let sections: Vec<IngestSection> = demo
        .sections
        .into_iter()
        .map(|(section, f)| IngestSection { section, origin: format!("data/demo/{f}") })
        .collect();
    // the prices and the deal book in one transaction: all of it is stored, or none
    let books: Vec<(&str, &fissure_core::DealBook)> = book.iter().map(|(n, b)| (n.as_str(), b)).collect();
    store
        .ingest_all(label, &items, &sections, &[], &books)
        .map_err(store_err("storing the bundled demo data and deal book"))?;
    Ok(())
}

/// Every id the store can answer for: series ids, the prefix of `<id>.<column>` ids, cross-sections.
pub fn stored_ids(store: &Store) -> Result<BTreeSet<String>, AppError> {
    let mut ids = BTreeSet::new();
    for s in store.list().map_err(store_err("listing the store"))? {
        if let Some((prefix, _)) = s.meta.id.split_once('.') {
            ids.insert(prefix.to_string());
        }
        ids.insert(s.meta.id);
    }
    for s in store.list_sections().map_err(store_err("listing the store's cross-sections"))? {
        ids.insert(s.id);
    }
    Ok(ids)
}

/// The core series of the watchlist: `report.core_series`, else the drawdown-event series
/// and `roles.equity_index`.
pub fn core_ids(w: &Watchlist) -> Vec<String> {
    if !w.report.core_series.is_empty() {
        return w.report.core_series.clone();
    }
    let mut ids: Vec<String> = w.report.drawdown_events.keys().cloned().collect();
    if let Some(e) = w.role("equity_index") {
        if !ids.iter().any(|i| i == e) {
            ids.push(e.to_string());
        }
    }
    ids
}

/// The report date and the note stating how it was chosen. Default: the last date of the
/// core series (never after `today`). An `--as-of` after that date gives the report as of
/// the data's end, so that no reading is re-dated; before the core series start, an error.
pub fn choose_as_of(
    list: &[SeriesInfo],
    core: &[String],
    requested: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(NaiveDate, Text), AppError> {
    let present: Vec<&SeriesInfo> = list.iter().filter(|s| core.contains(&s.meta.id) && s.last.is_some()).collect();
    let (basis, names): (Vec<&SeriesInfo>, String) = if present.is_empty() {
        (list.iter().filter(|s| s.last.is_some()).collect(), String::new())
    } else {
        let names = present.iter().map(|s| s.meta.id.as_str()).collect::<Vec<_>>().join(", ");
        (present, names)
    };
    let Some(end) = basis.iter().filter_map(|s| s.last).max() else {
        return Err(AppError::NoData);
    };
    let start = basis.iter().filter_map(|s| s.first).min().unwrap_or(end);
    let (end, capped) = if end > today { (today, true) } else { (end, false) };
    let what_en = if names.is_empty() {
        format!("the last date of any stored series (none of the core series {} is stored)", core.join(", "))
    } else {
        format!("the last date of the core series {names}")
    };
    let what_zh = if names.is_empty() {
        format!("任一已存序列的最后日期（核心序列 {} 均未存储）", core.join("、"))
    } else {
        format!("核心序列 {names} 的最后日期")
    };
    let cap_en = if capped { format!(" (capped at today, {today}: later rows are forecasts)") } else { String::new() };
    let cap_zh =
        if capped { format!("（以今天 {today} 为上限：更晚的数据是预测）") } else { String::new() };
    Ok(match requested {
        None => (end, Text::new(format!("As of {end}: {what_en}{cap_en}."), format!("截至 {end}：{what_zh}{cap_zh}。"))),
        Some(d) if d < start => {
            return Err(AppError::BeforeData {
                requested: d,
                start,
                what: if names.is_empty() { "stored series".to_string() } else { format!("core series ({names})") },
            })
        }
        Some(d) if d > end => (
            end,
            Text::new(
                format!("--as-of {d} is after the last data ({end}, {what_en}): the report is as of {end}, and every reading keeps its own date."),
                format!("--as-of {d} 晚于最后的数据（{end}，{what_zh}）：报告截至 {end}，每个读数保留自己的日期。"),
            ),
        ),
        Some(d) => (
            d,
            Text::new(
                format!("As of {d} (--as-of): data dated after it are left out; the core series end on {end}."),
                format!("截至 {d}（--as-of）：之后的数据不计入；核心序列截至 {end}。"),
            ),
        ),
    })
}

/// The report's inputs as they were known on the report date.
#[derive(Debug)]
pub struct Loaded {
    pub inputs: FamilyInputs,
    pub as_of: NaiveDate,
    pub sources: Vec<Source>,
    /// Notes shown in the report (the as-of basis, roles mapped to standard codes, ids left out).
    pub notes: Vec<Text>,
    /// Messages for the user's terminal (stderr), one line each, already prefixed `warning:`/`note:`.
    pub messages: Vec<String>,
}

/// Everything the families read, truncated at `as_of` after moving each observation to its
/// publication date, with the watchlist checked against the store: ids the user wrote that the
/// store lacks are an error (all listed at once); those of the embedded default are noted.
/// `role_notes` are the notes of roles mapped to standard codes when the watchlist was loaded.
pub fn load_inputs(
    store: &Store,
    w: &Watchlist,
    store_path: &Path,
    role_notes: &[String],
    as_of: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Loaded, AppError> {
    let list = store.list().map_err(store_err("listing the store"))?;
    let mut notes = Vec::new();
    let mut messages = Vec::new();
    let (as_of, as_of_note) = choose_as_of(&list, &core_ids(w), as_of, today)?;
    notes.push(as_of_note);

    let known = stored_ids(store)?;
    let section_list = store.list_sections().map_err(store_err("listing the store's cross-sections"))?;
    let exists = |id: &str| known.contains(id);
    let (errors, warnings): (Vec<_>, Vec<_>) =
        w.unknown_ids(&exists).into_iter().partition(|(section, _)| !w.is_embedded() && !w.defaulted.contains(section));
    if !errors.is_empty() {
        return Err(AppError::UnknownIds {
            origin: w.origin.display().to_string(),
            store: store_path.display().to_string(),
            ids: errors.into_iter().map(|(_, m)| m).collect(),
        });
    }
    if !warnings.is_empty() {
        for (_, m) in &warnings {
            messages.push(format!("warning: watchlist {}: {m}", w.origin.display()));
        }
        let ids: Vec<&str> = warnings.iter().map(|(_, m)| m.as_str()).collect();
        notes.push(Text::new(
            format!("{} watchlist entr(ies) have no data in the store and are left out: {}", ids.len(), ids.join("; ")),
            format!("观察列表中有 {} 项在数据库中没有数据，未计入：{}", ids.len(), ids.join("；")),
        ));
    }
    let roles = w.resolve_roles(&exists);
    for n in &roles.notes {
        messages.push(format!("note: {n}"));
    }
    let mapped: Vec<&String> = role_notes.iter().chain(roles.notes.iter().filter(|n| n.contains("using `"))).collect();
    if !mapped.is_empty() {
        let text = mapped.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ");
        notes.push(Text::new(format!("Roles: {text}."), format!("角色：{text}。")));
    }
    if !w.defaulted.is_empty() && !w.is_embedded() {
        let d = w.defaulted.join(", ");
        notes.push(Text::new(
            format!("Watchlist {}: {d} not given there; the defaults are used.", w.origin.display()),
            format!("观察列表 {}：未给出 {d}，使用默认值。", w.origin.display()),
        ));
    }

    let mut inputs = FamilyInputs { as_of: Some(as_of), ..Default::default() };
    let mut sources = Vec::new();
    for info in &list {
        let id = &info.meta.id;
        // As it was known: dates moved to publication dates before the as-of cut.
        let stored = store.load(id, None).map_err(store_err(format!("loading series {id}")))?;
        let s = fissure_io::publication::as_known(&stored).as_of(as_of);
        if s.is_empty() {
            continue;
        }
        sources.push(Source {
            id: id.clone(),
            name: info.meta.name.clone(),
            source: info.meta.source.clone(),
            unit: info.meta.unit.clone(),
            first: s.first_date(),
            last: s.last_date(),
            observations: s.len(),
            publication_lag_days: fissure_io::publication::lag_days(&s.meta),
        });
        inputs.series.insert(id.clone(), s);
    }
    for sec in section_list {
        let snaps: Vec<CrossSection> = store
            .load_sections(&sec.id, &sec.field)
            .map_err(store_err(format!("loading cross-section {}.{}", sec.id, sec.field)))?
            .into_iter()
            .filter(|c| c.date <= as_of)
            .collect();
        inputs.sections.entry(sec.id.clone()).or_default().extend(snaps);
    }
    for v in inputs.sections.values_mut() {
        v.sort_by(|a, b| a.date.cmp(&b.date).then(a.field.cmp(&b.field)));
    }
    for name in w.baskets.keys() {
        if let Some(bw) = w.basket_weights(name) {
            inputs.baskets.insert(name.clone(), bw);
        }
    }
    inputs.roles = roles.roles;
    inputs.bubble_assets = w.report.bubble_assets.clone();
    inputs.portfolio = w.portfolio.iter().map(|(k, v)| (k.clone(), *v)).collect();
    inputs.portfolio_margin = w.portfolio_account.margin.clone();
    // the deal book as it was known on the report date
    inputs.deals = store.load_book("ai", None, Some(as_of)).map_err(store_err("loading the deal book `ai`"))?;
    Ok(Loaded { inputs, as_of, sources, notes, messages })
}

/// A holding for the portfolio builder: (series id, weight of equity, maintenance margin when given).
pub type PortfolioEntry = (String, f64, Option<f64>);

/// The watchlist's `[portfolio]` as the portfolio builder's entries — (id, weight, the watchlist's
/// `portfolio.margin` of the asset when given) — and the cash: the watchlist's `portfolio.cash`, else the
/// caller's `cash` option (both non-zero is refused). One rule for the CLI and the Python package.
pub fn watchlist_portfolio(w: &Watchlist, cash: f64) -> Result<(Vec<PortfolioEntry>, f64), AppError> {
    if w.portfolio.is_empty() {
        return Err(AppError::NoPortfolio);
    }
    let acc = &w.portfolio_account;
    if let (Some(c), true) = (acc.cash, cash != 0.0) {
        return Err(AppError::CashTwice { given: cash, watchlist: c });
    }
    let entries = w.portfolio.iter().map(|(k, v)| (k.clone(), *v, acc.margin.get(k).copied())).collect();
    Ok((entries, acc.cash.unwrap_or(cash)))
}

/// A portfolio as given — entries (id, weight or quantity, margin), whether they are quantities, the cash
/// and where they come from (named in errors) — valued on `as_of` (default: the last date its assets share).
pub struct PortfolioRequest<'a> {
    pub entries: &'a [PortfolioEntry],
    pub quantities: bool,
    pub cash: f64,
    pub normalise: bool,
    pub as_of: Option<NaiveDate>,
    pub origin: &'a str,
}

/// A portfolio valued on a date, with the series it was valued from.
pub struct LoadedPortfolio {
    pub pf: fissure_risk::portfolio::Portfolio,
    /// The assets' series, in the order of the entries.
    pub series: Vec<Series>,
    pub usdjpy: Option<Series>,
    pub as_of: NaiveDate,
}

/// Loads the series a portfolio needs with `load` (the store, files, or the series Python was given) —
/// each asset's, then USD/JPY (id from `usdjpy_id`, asked only then) when an asset's unit is JPY — and
/// values the portfolio. One rule for the CLI and the Python package.
pub fn load_portfolio<E>(
    r: &PortfolioRequest<'_>,
    usdjpy_id: impl FnOnce() -> Result<String, E>,
    mut load: impl FnMut(&str) -> Result<Series, E>,
) -> Result<LoadedPortfolio, AppError>
where
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut series = Vec::with_capacity(r.entries.len());
    for (id, _, _) in r.entries {
        let s = load(id).map_err(|e| AppError::PortfolioAsset {
            id: id.clone(),
            origin: r.origin.to_string(),
            source: e.into(),
        })?;
        series.push(s);
    }
    let usdjpy = if series.iter().any(|s| s.meta.unit.eq_ignore_ascii_case("JPY")) {
        let id = usdjpy_id().map_err(|e| AppError::Input(e.into()))?;
        Some(load(&id).map_err(|e| AppError::Usdjpy { id, source: e.into() })?)
    } else {
        None
    };
    let (pf, as_of) = fissure_risk::portfolio::portfolio_on_date(
        r.entries,
        r.quantities,
        r.cash,
        r.normalise,
        &series,
        usdjpy.as_ref(),
        r.as_of,
    )
    .map_err(|source| AppError::Portfolio { origin: r.origin.to_string(), source })?;
    Ok(LoadedPortfolio { pf, series, usdjpy, as_of })
}

/// Runs every family of [`families`] on the loaded inputs and builds the report: percentiles, gauges, the
/// skill study against the watchlist's drawdown events (`report.drawdown_events`), with the loading notes
/// attached. `store` is the family cache; `code_id` keys it to the code that computed it.
pub fn build_report(
    loaded: Loaded,
    w: &Watchlist,
    store: &Store,
    code_id: String,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Report {
    let fams = families();
    let events: Vec<(String, f64)> = w.report.drawdown_events.iter().map(|(k, v)| (k.clone(), *v)).collect();
    let input = ReportInput {
        families: fams.iter().map(|f| f.as_ref()).collect(),
        inputs: loaded.inputs,
        events,
        as_of: loaded.as_of,
        sources: loaded.sources,
        skill_params: SkillParams::default(),
        code_id,
    };
    let mut report = fissure_report::build(input, Some(store), progress);
    report.notes = loaded.notes;
    report
}

#[cfg(test)]
mod portfolio_tests {
    use super::*;
    use fissure_core::SeriesMeta;

    fn series(id: &str, unit: &str, v: f64) -> Series {
        let mut m = SeriesMeta::new(id);
        m.unit = unit.into();
        let d0 = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap_or_default();
        Series::new(m, vec![d0, d0 + chrono::Days::new(1)], vec![v, v * 1.01]).unwrap_or_else(|e| panic!("{e}"))
    }

    fn chain(e: &dyn std::error::Error) -> String {
        let mut out = e.to_string();
        let mut s = e.source();
        while let Some(x) = s {
            out += &format!(": {x}");
            s = x.source();
        }
        out
    }

    #[test]
    fn load_portfolio_loads_the_assets_then_usdjpy_only_for_yen_assets_and_names_what_failed() {
        let entries: Vec<PortfolioEntry> = vec![("A".into(), 0.5, None), ("J".into(), 0.5, None)];
        let req = PortfolioRequest {
            entries: &entries,
            quantities: false,
            cash: 0.0,
            normalise: false,
            as_of: None,
            origin: "--weights",
        };
        let have = |ids: &'static [&'static str]| {
            move |id: &str| -> Result<Series, String> {
                match id {
                    _ if !ids.contains(&id) => Err(format!("unknown asset `{id}`")),
                    "J" => Ok(series("J", "JPY", 150.0)),
                    "FX" => Ok(series("FX", "JPY per USD", 150.0)),
                    _ => Ok(series(id, "USD", 10.0)),
                }
            }
        };
        let l = load_portfolio(&req, || Ok::<_, String>("FX".into()), have(&["A", "J", "FX"]))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(l.series.len(), 2);
        assert_eq!(l.usdjpy.as_ref().map(|s| s.id().to_string()), Some("FX".into()));
        let e = load_portfolio(&req, || Ok::<_, String>("FX".into()), have(&["A", "J"])).map(|_| ()).unwrap_err();
        assert_eq!(chain(&e), "USDJPY (`FX`) to convert JPY assets to USD: unknown asset `FX`");
        let e = load_portfolio(&req, || Err("bad watchlist".to_string()), have(&["A", "J"])).map(|_| ()).unwrap_err();
        assert_eq!(chain(&e), "bad watchlist");
        let e = load_portfolio(&req, || Ok::<_, String>("FX".into()), have(&["J"])).map(|_| ()).unwrap_err();
        assert_eq!(chain(&e), "portfolio asset `A` (--weights): unknown asset `A`");
        // no yen asset: the USD/JPY id is never asked for
        let usd: Vec<PortfolioEntry> = vec![("A".into(), 1.0, None)];
        let r = PortfolioRequest { entries: &usd, ..req };
        let l = load_portfolio(&r, || -> Result<String, String> { panic!("asked for USDJPY") }, have(&["A"]))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(l.usdjpy.is_none());
        let late = PortfolioRequest { as_of: NaiveDate::from_ymd_opt(2020, 1, 1), ..r };
        let e = load_portfolio(&late, || Ok::<_, String>("FX".into()), have(&["A"])).map(|_| ()).unwrap_err();
        assert!(chain(&e).starts_with("portfolio from --weights: "), "{}", chain(&e));
    }
}
