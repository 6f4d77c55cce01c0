//! The contagion family's signals and charts for the report.
//!
//! Every value at date t uses data dated ≤ t only (trailing windows, expanding
//! percentiles), so the series can be backtested. A signal whose inputs are
//! missing or too short is skipped with a note, never invented.
//!
//! Signals (ids `contagion.*`):
//! - `basket_corr.<a>_<b>`: 60-day correlation of basket indices (AI vs precious
//!   metals vs crypto);
//! - `absorption.delta_ar`: ΔAR of a cross-asset ETF universe (500-day EW window,
//!   250-day half-life, top ⌈N/5⌉ eigenvectors);
//! - `turbulence`: 20-day mean of turbulence / N over the same universe (trailing 500-day reference);
//! - `spillover.total`: rolling 200-day Diebold–Yilmaz total (VAR(2), H = 10, generalized)
//!   of SPY, TLT, GLD, SLV, XLE, HYG;
//! - `cocrash.count60`: co-crash days (indiscriminate or safe-haven failure) in the last 60 trading days;
//! - `crowding.<basket>`: basket crowding score (correlation up, dispersion down);
//! - `positioning.<id>`: percentile of the level (sentiment) or of the 12-month change (margin debt).

use crate::absorption::{absorption_ratio, AbsorptionOptions};
use crate::cocrash::{detect, CoCrashOptions, CrashClass};
use crate::corr::{correlation_matrix, rolling_correlation};
use crate::crowding::{basket_crowding, change_kind_for, positioning, ChangeKind};
use crate::error::ContagionError;
use crate::panel::{basket_index, log_return_rows, ReturnRows};
use crate::spillover::{rolling_spillover, spillover, Edge, SpilloverOptions};
use crate::turbulence::{expanding_percentile, turbulence};
use chrono::NaiveDate;
use fissure_core::family::{Chart, ChartData, FamilyInputs, FamilyOutput, Line, SignalFamily, Text};
use fissure_core::{Alignment, Series, SignalSeries, SignalSpec, Thresholds};
use serde::Serialize;

type Result<T> = std::result::Result<T, ContagionError>;

/// Cross-asset universe of the absorption ratio and turbulence (those present are used).
pub const AR_UNIVERSE: [&str; 13] =
    ["SPY", "QQQ", "IWM", "XLK", "XLF", "XLE", "XLU", "XLP", "XLV", "TLT", "GLD", "SLV", "HYG"];
/// The six ETFs of the spillover network.
pub const DY_UNIVERSE: [&str; 6] = ["SPY", "TLT", "GLD", "SLV", "XLE", "HYG"];
/// Assets of the correlation heatmap.
pub const HEATMAP: [&str; 10] = ["SPY", "QQQ", "NVDA", "GLD", "SLV", "COPPER", "XLE", "TLT", "HYG", "BTC"];
/// Basket pairs whose correlation is a signal.
pub const BASKET_PAIRS: [(&str, &str); 3] = [("ai", "precious"), ("ai", "crypto"), ("precious", "crypto")];

/// Positioning roles of the watchlist and the default series id of each.
pub const POSITIONING: [(&str, &str); 4] = [
    ("margin_debt", "MARGIN_DEBT"),
    ("aaii_spread", "AAII_SPREAD"),
    ("aaii_equity_allocation", "AAII_ALLOC.stocks_pct"),
    ("naaim", "NAAIM"),
];

const POSITIONING_TITLES: [(&str, &str, &str, &str); 4] = [
    ("margin_debt", "MARGIN_DEBT", "Margin debt, 12-month change percentile", "融资余额 12 个月变化百分位"),
    ("aaii_spread", "AAII_SPREAD", "AAII bull–bear spread percentile", "AAII 牛熊差百分位"),
    ("aaii_equity_allocation", "AAII_ALLOC.stocks_pct", "AAII equity allocation percentile", "AAII 股票配置比例百分位"),
    ("naaim", "NAAIM", "NAAIM exposure percentile", "NAAIM 仓位指数百分位"),
];

/// The latest correlation matrix for the report's heatmap.
#[derive(Debug, Clone, Serialize)]
pub struct CorrelationSnapshot {
    pub as_of: NaiveDate,
    pub window: usize,
    pub names: Vec<String>,
    pub matrix: Vec<Vec<f64>>,
}

/// Everything the family computes for the report.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ContagionReport {
    pub signals: Vec<SignalSeries>,
    pub correlation: Option<CorrelationSnapshot>,
    /// Net pairwise spillover edges of the last 200-day window (from transmitter to receiver).
    pub net_edges: Vec<Edge>,
    pub net_edges_names: Vec<String>,
    pub charts: Vec<Chart>,
    pub notes: Vec<Text>,
}

fn spec(id: &str, en: &str, zh: &str, unit: &str, thresholds: Thresholds) -> SignalSpec {
    SignalSpec {
        id: id.into(),
        family: "contagion".into(),
        title_en: en.into(),
        title_zh: zh.into(),
        unit: unit.into(),
        higher_is_riskier: true,
        thresholds,
    }
}

fn pct_default() -> Thresholds {
    Thresholds::Percentile { elevated: 80.0, alarm: 95.0 }
}

fn finite_pairs(dates: &[NaiveDate], values: &[f64]) -> (Vec<NaiveDate>, Vec<f64>) {
    dates.iter().zip(values).filter(|(_, v)| v.is_finite()).map(|(d, v)| (*d, *v)).unzip()
}

fn basket_members(inputs: &FamilyInputs, name: &str) -> Vec<(String, f64)> {
    if let Some(m) = inputs.baskets.get(name) {
        return m.clone();
    }
    let ids: &[&str] = match name {
        "ai" => &["NVDA", "MSFT", "GOOGL", "AMZN", "META", "AVGO", "ORCL", "AMD"],
        "precious" => &["GLD", "SLV"],
        "crypto" => &["BTC", "ETH"],
        _ => &[],
    };
    ids.iter().map(|i| (i.to_string(), 1.0 / ids.len() as f64)).collect()
}

fn basket(inputs: &FamilyInputs, name: &str) -> Result<Series> {
    let members = basket_members(inputs, name);
    let present: Vec<(&Series, f64)> =
        members.iter().filter_map(|(id, w)| inputs.series.get(id).map(|s| (s, *w))).collect();
    if present.is_empty() {
        return Err(ContagionError::Invalid(format!("basket `{name}`: none of its members is loaded")));
    }
    basket_index(name, &present)
}

fn rows_of(inputs: &FamilyInputs, ids: &[&str], min: usize) -> Result<ReturnRows> {
    let s: Vec<&Series> = ids.iter().filter_map(|id| inputs.series.get(*id)).collect();
    if s.len() < min {
        return Err(ContagionError::Invalid(format!("need at least {min} of {}; {} loaded", ids.join(", "), s.len())));
    }
    log_return_rows(&s, &Alignment::Intersection, 100.0)
}

/// A panel signal's history from aligned returns.
pub type PanelHistory = dyn Fn(&ReturnRows) -> Result<(Vec<NaiveDate>, Vec<f64>)>;

/// Point-in-time membership: a member of a panel counts from its first observation.
/// The panel signal is computed on each member set in the order the members
/// arrived (each set's computation ends `overlap_days` after the next member's
/// arrival, so that the next set can fill its windows), and the history takes, on
/// each date, the value of the largest set that has one. A value at t therefore
/// uses only members that existed at t and never changes when a later member
/// arrives (`--as-of` before the arrival and the full run agree).
pub fn point_in_time(
    inputs: &FamilyInputs,
    ids: &[&str],
    min: usize,
    overlap_days: i64,
    f: &PanelHistory,
) -> Result<(Vec<NaiveDate>, Vec<f64>)> {
    let mut members: Vec<(NaiveDate, &str)> =
        ids.iter().filter_map(|id| inputs.series.get(*id).and_then(|s| s.first_date()).map(|d| (d, *id))).collect();
    members.sort();
    let mut stitched: std::collections::BTreeMap<NaiveDate, f64> = std::collections::BTreeMap::new();
    let mut last_err = None;
    for k in min.max(1)..=members.len() {
        if k < members.len() && members[k].0 == members[k - 1].0 {
            continue; // members arriving on the same day form one set
        }
        let set: Vec<&str> = members[..k].iter().map(|m| m.1).collect();
        let rows = match rows_of(inputs, &set, min) {
            Ok(r) => r,
            Err(e) => {
                last_err = Some(e);
                continue;
            }
        };
        let rows = match members.get(k) {
            Some(next) => rows.between(None, Some(next.0 + chrono::Duration::days(overlap_days))),
            None => rows,
        };
        match f(&rows) {
            Ok((d, v)) => {
                for (d, v) in d.into_iter().zip(v) {
                    if v.is_finite() {
                        stitched.insert(d, v);
                    }
                }
            }
            Err(e) => last_err = Some(e),
        }
    }
    if stitched.is_empty() {
        return Err(
            last_err.unwrap_or_else(|| ContagionError::Invalid(format!("no member of {} loaded", ids.join(", "))))
        );
    }
    Ok(stitched.into_iter().unzip())
}

/// Replaces the histories of the panel signals by their point-in-time versions
/// ([`point_in_time`]); the charts and sentences describe the latest member set.
fn point_in_time_pass(inputs: &FamilyInputs, out: &mut ContagionReport) {
    const OVERLAP: i64 = 3 * 365;
    let ai_ids: Vec<String> = basket_members(inputs, "ai").into_iter().map(|m| m.0).collect();
    let ai_refs: Vec<&str> = ai_ids.iter().map(|s| s.as_str()).collect();
    type Job<'a> = (&'a str, &'a [&'a str], usize, Box<PanelHistory>);
    let jobs: Vec<Job<'_>> = vec![
        (
            "contagion.absorption.delta_ar",
            &AR_UNIVERSE,
            5,
            Box::new(|r: &ReturnRows| {
                let a = absorption_ratio(&r.rows, &AbsorptionOptions::default())?;
                let dates: Vec<NaiveDate> = a.end_index.iter().map(|&i| r.dates[i]).collect();
                Ok(finite_pairs(&dates, &a.delta_ar))
            }),
        ),
        (
            "contagion.turbulence",
            &AR_UNIVERSE,
            5,
            Box::new(|r: &ReturnRows| {
                let t = turbulence(&r.rows, 500)?;
                let sm = fissure_core::rolling::rolling_mean(&t.normalized, 20)?;
                Ok((t.index[19..].iter().map(|&i| r.dates[i]).collect(), sm))
            }),
        ),
        (
            "contagion.spillover.total",
            &DY_UNIVERSE,
            3,
            Box::new(|r: &ReturnRows| {
                let rs = rolling_spillover(&r.names, &r.rows, 200, 1, &SpilloverOptions::default())?;
                Ok((rs.end_index.iter().map(|&i| r.dates[i]).collect(), rs.total))
            }),
        ),
        (
            "contagion.crowding.ai",
            &ai_refs,
            2,
            Box::new(|r: &ReturnRows| {
                let c = basket_crowding(&r.rows, 60)?;
                Ok((c.end_index.iter().map(|&i| r.dates[i]).collect(), c.score))
            }),
        ),
    ];
    for (id, ids, min, f) in jobs {
        let result = point_in_time(inputs, ids, min, OVERLAP, f.as_ref());
        if !out.signals.iter().any(|s| s.spec.id == id) {
            // The latest member set has no history yet (e.g. HYG's first 500 days), but
            // earlier sets do: the signal exists, from them.
            let Ok((d, v)) = &result else { continue };
            let Some(last) = v.last().copied() else { continue };
            let (en, zh, unit, th) = match id {
                "contagion.absorption.delta_ar" => (
                    "Absorption ratio shift (ΔAR)",
                    "吸收比率标准化变动（ΔAR）",
                    "sd",
                    Thresholds::Absolute { elevated: 1.0, alarm: 2.0 },
                ),
                "contagion.turbulence" => {
                    ("Financial turbulence (20-day mean)", "金融动荡指数（20日均值）", "ratio to normal", pct_default())
                }
                "contagion.spillover.total" => (
                    "Total spillover (Diebold–Yilmaz, 200d)",
                    "总溢出指数（Diebold–Yilmaz，200日）",
                    "percent",
                    pct_default(),
                ),
                _ => (
                    "AI basket crowding",
                    "AI 篮子拥挤度",
                    "score 0-100",
                    Thresholds::Absolute { elevated: 75.0, alarm: 90.0 },
                ),
            };
            out.signals.push(SignalSeries {
                spec: spec(id, en, zh, unit, th),
                explain_en: format!("{en}: {last:.2} on {}, from the members that existed then (the newest member has too little history yet).", d.last().map_or_else(String::new, |x| x.to_string())),
                explain_zh: format!("{zh}：{} 为 {last:.2}，基于当时已有的成员（最新成员的历史尚不足）。", d.last().map_or_else(String::new, |x| x.to_string())),
                dates: d.clone(),
                values: v.clone(),
            });
            continue;
        }
        let Some(sig) = out.signals.iter_mut().find(|s| s.spec.id == id) else { continue };
        match result {
            Ok((d, v)) => {
                sig.dates = d;
                sig.values = v;
            }
            Err(e) => out.notes.push(Text::new(
                format!("{id}: point-in-time history skipped ({e}); the history uses today's members"),
                format!("{id}：未能按时点成员计算历史（{e}）；历史使用当前成员"),
            )),
        }
    }
}

/// "92nd", "100th", "1st" for a percentile.
pub use fissure_core::family::ordinal_en as ordinal;

fn pct_word_en(p: f64) -> &'static str {
    if p >= 95.0 {
        "an extreme high"
    } else if p >= 80.0 {
        "high"
    } else if p >= 20.0 {
        "ordinary"
    } else {
        "low"
    }
}

fn pct_word_zh(p: f64) -> &'static str {
    if p >= 95.0 {
        "极端高位"
    } else if p >= 80.0 {
        "偏高"
    } else if p >= 20.0 {
        "正常"
    } else {
        "偏低"
    }
}

fn zh_basket(name: &str) -> String {
    match name {
        "ai" => "AI 股票".into(),
        "precious" => "贵金属".into(),
        "crypto" => "加密资产".into(),
        other => other.to_string(),
    }
}

fn en_basket(name: &str) -> String {
    match name {
        "ai" => "AI stocks".into(),
        "precious" => "precious metals".into(),
        "crypto" => "crypto".into(),
        other => other.to_string(),
    }
}

fn basket_corr_signal(inputs: &FamilyInputs, a: &str, b: &str, window: usize) -> Result<(SignalSeries, Line)> {
    let (sa, sb) = (basket(inputs, a)?, basket(inputs, b)?);
    let r = log_return_rows(&[&sa, &sb], &Alignment::Intersection, 100.0)?;
    let c = rolling_correlation(&r.column(0), &r.column(1), window)?;
    let dates = r.dates[window - 1..].to_vec();
    let (dates, values) = finite_pairs(&dates, &c);
    let last = *values.last().ok_or_else(|| ContagionError::Invalid("no correlation value".into()))?;
    let pct = expanding_percentile(&values).last().copied().unwrap_or(f64::NAN);
    let since = dates[0];
    let s = SignalSeries {
        spec: spec(
            &format!("contagion.basket_corr.{a}_{b}"),
            &format!("{} vs {} correlation ({window}d)", en_basket(a), en_basket(b)),
            &format!("{}与{}相关系数（{window}日）", zh_basket(a), zh_basket(b)),
            "correlation",
            pct_default(),
        ),
        explain_en: format!(
            "The {window}-day correlation of {} and {} daily returns is {last:.2}, {} for this pair ({} percentile since {since}){}.",
            en_basket(a),
            en_basket(b),
            pct_word_en(pct),
            ordinal(pct),
            if pct >= 80.0 { ": the two trades are moving as one, so a fall in one is likely to spread to the other" } else { "" }
        ),
        explain_zh: format!(
            "{}与{}日收益率的{window}日相关系数为 {last:.2}，处于该组合历史{}水平（自 {since} 以来第 {pct:.0} 百分位）{}。",
            zh_basket(a),
            zh_basket(b),
            pct_word_zh(pct),
            if pct >= 80.0 { "：两类资产同涨同跌，一方下跌很可能传导至另一方" } else { "" }
        ),
        dates: dates.clone(),
        values: values.clone(),
    };
    Ok((s, Line { label: format!("{a}–{b}"), dates, values }))
}

/// Computes the family's signals, the latest correlation matrix and the net spillover edges.
pub fn compute(inputs: &FamilyInputs) -> ContagionReport {
    let mut out = ContagionReport::default();
    let note = |out: &mut ContagionReport, what: &str, e: &dyn std::fmt::Display| {
        out.notes.push(Text::new(format!("{what}: skipped ({e})"), format!("{what}：未计算（{e}）")));
    };

    // 1. basket correlations
    let mut corr_lines = Vec::new();
    for (a, b) in BASKET_PAIRS {
        match basket_corr_signal(inputs, a, b, 60) {
            Ok((s, l)) => {
                out.signals.push(s);
                corr_lines.push(l);
            }
            Err(e) => note(&mut out, &format!("basket correlation {a}/{b}"), &e),
        }
    }
    if !corr_lines.is_empty() {
        out.charts.push(Chart {
            id: "contagion_basket_corr".into(),
            title: Text::new("Basket correlations (60-day)", "篮子相关系数（60日）"),
            caption: Text::new(
                "Rolling 60-day correlation of daily returns of equal-weight basket indices.",
                "等权篮子指数日收益率的 60 日滚动相关系数。",
            ),
            data: ChartData::Lines {
                lines: corr_lines,
                spans: vec![],
                hlines: vec![("0".into(), 0.0)],
                log_scale: false,
            },
        });
    }

    // 2–3. absorption ratio and turbulence
    match rows_of(inputs, &AR_UNIVERSE, 5) {
        Ok(r) => {
            match absorption_ratio(&r.rows, &AbsorptionOptions::default()) {
                Ok(a) => {
                    let dates: Vec<NaiveDate> = a.end_index.iter().map(|&i| r.dates[i]).collect();
                    let (d, v) = finite_pairs(&dates, &a.delta_ar);
                    if let (Some(last), Some(ar)) = (v.last().copied(), a.ar.last().copied()) {
                        out.signals.push(SignalSeries {
                            spec: spec(
                                "contagion.absorption.delta_ar",
                                "Absorption ratio shift (ΔAR)",
                                "吸收比率标准化变动（ΔAR）",
                                "sd",
                                Thresholds::Absolute { elevated: 1.0, alarm: 2.0 },
                            ),
                            explain_en: format!(
                                "The top {} of {} principal components absorb {:.0}% of the variance of {} assets; its 15-day average is {last:+.2} standard deviations from its 1-year average{}.",
                                a.n_top, r.names.len(), 100.0 * ar, r.names.len(),
                                if last >= 1.0 { ": markets are becoming tightly coupled (Kritzman et al. treat > +1σ as a warning)" } else { "" }
                            ),
                            explain_zh: format!(
                                "{} 个资产中前 {} 个主成分解释了 {:.0}% 的方差；其 15 日均值较 1 年均值偏离 {last:+.2} 个标准差{}。",
                                r.names.len(), a.n_top, 100.0 * ar,
                                if last >= 1.0 { "：市场联动正在收紧（Kritzman 等以 +1σ 以上为警示）" } else { "" }
                            ),
                            dates: d,
                            values: v,
                        });
                        out.charts.push(Chart {
                            id: "contagion_absorption".into(),
                            title: Text::new("Absorption ratio", "吸收比率"),
                            caption: Text::new(
                                format!("Share of variance of {} ETFs absorbed by the top {} eigenvectors (500-day EW covariance, 250-day half-life).", r.names.len(), a.n_top),
                                format!("{} 只 ETF 的方差中前 {} 个特征向量所占比例（500 日指数加权协方差，半衰期 250 日）。", r.names.len(), a.n_top),
                            ),
                            data: ChartData::Lines {
                                lines: vec![Line { label: "AR".into(), dates, values: a.ar.clone() }],
                                spans: vec![],
                                hlines: vec![],
                                log_scale: false,
                            },
                        });
                    }
                }
                Err(e) => note(&mut out, "absorption ratio", &e),
            }
            match turbulence(&r.rows, 500) {
                Ok(t) => {
                    let smooth = fissure_core::rolling::rolling_mean(&t.normalized, 20);
                    match smooth {
                        Ok(sm) => {
                            let dates: Vec<NaiveDate> = t.index[19..].iter().map(|&i| r.dates[i]).collect();
                            let pct = expanding_percentile(&sm).last().copied().unwrap_or(f64::NAN);
                            let last = sm.last().copied().unwrap_or(f64::NAN);
                            let cs = t.correlation_surprise.last().copied().unwrap_or(f64::NAN);
                            out.signals.push(SignalSeries {
                                spec: spec("contagion.turbulence", "Financial turbulence (20-day mean)", "金融动荡指数（20日均值）", "ratio to normal", pct_default()),
                                explain_en: format!(
                                    "Cross-asset turbulence averages {last:.2}× its normal level over 20 days ({} percentile of its history); today's correlation surprise is {cs:.2} (above 1 means assets moved together in unusual ways).",
                                    ordinal(pct)
                                ),
                                explain_zh: format!(
                                    "跨资产金融动荡指数 20 日均值为正常水平的 {last:.2} 倍（历史第 {pct:.0} 百分位）；今日相关性意外值为 {cs:.2}（大于 1 表示资产以异常方式共同变动）。"
                                ),
                                dates,
                                values: sm,
                            });
                        }
                        Err(e) => note(&mut out, "turbulence", &e),
                    }
                }
                Err(e) => note(&mut out, "turbulence", &e),
            }
        }
        Err(e) => note(&mut out, "absorption ratio and turbulence", &e),
    }

    // 4. spillovers
    match rows_of(inputs, &DY_UNIVERSE, 3) {
        Ok(r) => {
            let opts = SpilloverOptions::default();
            match rolling_spillover(&r.names, &r.rows, 200, 1, &opts) {
                Ok(rs) => {
                    let dates: Vec<NaiveDate> = rs.end_index.iter().map(|&i| r.dates[i]).collect();
                    let pct = expanding_percentile(&rs.total).last().copied().unwrap_or(f64::NAN);
                    let last = rs.total.last().copied().unwrap_or(f64::NAN);
                    let lastnet = rs.net.last().cloned().unwrap_or_default();
                    let (imax, _) =
                        lastnet
                            .iter()
                            .enumerate()
                            .fold((0, f64::NEG_INFINITY), |m, (i, v)| if *v > m.1 { (i, *v) } else { m });
                    let top = r.names.get(imax).cloned().unwrap_or_default();
                    out.signals.push(SignalSeries {
                        spec: spec("contagion.spillover.total", "Total spillover (Diebold–Yilmaz, 200d)", "总溢出指数（Diebold–Yilmaz，200日）", "percent", pct_default()),
                        explain_en: format!(
                            "{last:.1}% of the 10-day forecast-error variance of {} comes from shocks to the other assets ({} percentile since {}); the largest net transmitter is {top} ({:+.1} points).",
                            r.names.join(", "), ordinal(pct), dates[0], lastnet.get(imax).copied().unwrap_or(f64::NAN)
                        ),
                        explain_zh: format!(
                            "{} 的 10 日预测误差方差中有 {last:.1}% 来自其他资产的冲击（自 {} 以来第 {pct:.0} 百分位）；最大的净溢出方是 {top}（{:+.1} 个百分点）。",
                            r.names.join("、"), dates[0], lastnet.get(imax).copied().unwrap_or(f64::NAN)
                        ),
                        dates: dates.clone(),
                        values: rs.total.clone(),
                    });
                    out.charts.push(Chart {
                        id: "contagion_spillover_total".into(),
                        title: Text::new("Total spillover index", "总溢出指数"),
                        caption: Text::new(
                            "Diebold–Yilmaz (2012) generalized spillover, VAR(2), 10-day horizon, rolling 200-day windows.",
                            "Diebold–Yilmaz（2012）广义溢出指数，VAR(2)，10 日预测期，200 日滚动窗口。",
                        ),
                        data: ChartData::Lines { lines: vec![Line { label: "total".into(), dates, values: rs.total }], spans: vec![], hlines: vec![], log_scale: false },
                    });
                }
                Err(e) => note(&mut out, "rolling spillover", &e),
            }
            if r.rows.len() >= 200 {
                match spillover(&r.names, &r.rows[r.rows.len() - 200..], &opts) {
                    Ok(s) => {
                        let edges = s.net_edges(0.5);
                        out.charts.push(Chart {
                            id: "contagion_spillover_network".into(),
                            title: Text::new("Net pairwise spillovers (last 200 days)", "净两两溢出网络（最近 200 日）"),
                            caption: Text::new(
                                "Arrows point from the net transmitter to the net receiver; weights in percentage points (≥ 0.5 shown).",
                                "箭头由净溢出方指向净接收方；权重单位为百分点（仅显示 ≥ 0.5 者）。",
                            ),
                            data: ChartData::Network {
                                nodes: s.names.clone(),
                                edges: edges.iter().map(|e| (e.from.clone(), e.to.clone(), e.weight)).collect(),
                            },
                        });
                        out.net_edges = edges;
                        out.net_edges_names = s.names;
                    }
                    Err(e) => note(&mut out, "spillover network", &e),
                }
            }
        }
        Err(e) => note(&mut out, "spillover", &e),
    }

    // 5. co-crash
    match cocrash_signal(inputs) {
        Ok(s) => out.signals.push(s),
        Err(e) => note(&mut out, "co-crash detector", &e),
    }

    // 6. crowding of the AI basket
    let ai_ids: Vec<String> = basket_members(inputs, "ai").into_iter().map(|m| m.0).collect();
    let ai_refs: Vec<&str> = ai_ids.iter().map(|s| s.as_str()).collect();
    match rows_of(inputs, &ai_refs, 2).and_then(|r| basket_crowding(&r.rows, 60).map(|c| (r, c))) {
        Ok((r, c)) => {
            let dates: Vec<NaiveDate> = c.end_index.iter().map(|&i| r.dates[i]).collect();
            // the first windows have no rank yet (a one-value history): keep the finite scores
            let (dates, values) = finite_pairs(&dates, &c.score);
            let (last, corr, disp_pct) = (
                c.score.last().copied().unwrap_or(f64::NAN),
                c.avg_correlation.last().copied().unwrap_or(f64::NAN),
                c.dispersion_percentile.last().copied().unwrap_or(f64::NAN),
            );
            out.signals.push(SignalSeries {
                spec: spec("contagion.crowding.ai", "AI basket crowding", "AI 篮子拥挤度", "score 0-100", Thresholds::Absolute { elevated: 75.0, alarm: 90.0 }),
                explain_en: format!(
                    "AI stocks' average pairwise 60-day correlation is {corr:.2} and their return dispersion sits at the {} percentile; crowding score {last:.0}/100{}.",
                    ordinal(disp_pct),
                    if last >= 75.0 { ": the names trade as one crowded position" } else { "" }
                ),
                explain_zh: format!(
                    "AI 股票 60 日平均两两相关系数为 {corr:.2}，收益离散度处于第 {disp_pct:.0} 百分位；拥挤度评分 {last:.0}/100{}。",
                    if last >= 75.0 { "：这些股票如同一个拥挤的仓位同步交易" } else { "" }
                ),
                dates,
                values,
            });
        }
        Err(e) => note(&mut out, "AI basket crowding", &e),
    }

    // 7. positioning
    for (role, id, en, zh) in POSITIONING_TITLES {
        let s = inputs.role(role).or_else(|| inputs.series.get(id));
        let Some(s) = s else { continue };
        let kind = change_kind_for(s.id());
        match positioning(s, kind) {
            Ok(p) => {
                let use_change = kind == ChangeKind::Percent;
                let vals = if use_change { &p.change_percentile } else { &p.level_percentile };
                let (dates, values) = finite_pairs(&p.dates, vals);
                let Some(last) = values.last().copied() else {
                    continue;
                };
                let lvl = p.level.last().copied().unwrap_or(f64::NAN);
                let ch = p.change_12m.last().copied().unwrap_or(f64::NAN);
                let d = dates.last().copied().unwrap_or(p.dates[0]);
                let short = role.replace('_', "-");
                out.signals.push(SignalSeries {
                    spec: spec(&format!("contagion.positioning.{role}"), en, zh, "percentile", Thresholds::Absolute { elevated: 80.0, alarm: 95.0 }),
                    explain_en: if use_change {
                        format!("{} ({short}) changed {ch:+.1}% over 12 months to {d}, the {} percentile of its history: leverage is {}.", s.id(), ordinal(last), if last >= 80.0 { "building fast" } else { "not unusual" })
                    } else {
                        format!("{} ({short}) is {lvl:.2} on {d}, the {} percentile of its history ({}); 12-month change {ch:+.2}.", s.id(), ordinal(last), pct_word_en(last))
                    },
                    explain_zh: if use_change {
                        format!("{} 截至 {d} 的 12 个月变化为 {ch:+.1}%，处于历史第 {last:.0} 百分位：杠杆{}。", s.id(), if last >= 80.0 { "正在快速累积" } else { "并无异常" })
                    } else {
                        format!("{} 在 {d} 为 {lvl:.2}，处于历史第 {last:.0} 百分位（{}）；12 个月变化 {ch:+.2}。", s.id(), pct_word_zh(last))
                    },
                    dates,
                    values,
                });
            }
            Err(e) => note(&mut out, &format!("positioning {}", s.id()), &e),
        }
    }

    // heatmap: latest 60-day correlations
    let present: Vec<&Series> = HEATMAP.iter().filter_map(|id| inputs.series.get(*id)).collect();
    if present.len() >= 3 {
        let spy_ref = present.iter().any(|s| s.id() == "SPY");
        let policy =
            if spy_ref { Alignment::Reference { id: "SPY".into(), max_fill_days: 5 } } else { Alignment::Intersection };
        match log_return_rows(&present, &policy, 100.0) {
            Ok(r) if r.rows.len() >= 60 => match correlation_matrix(&r.rows[r.rows.len() - 60..]) {
                Ok(m) => {
                    let n = r.names.len();
                    let matrix: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| m[(i, j)]).collect()).collect();
                    let as_of = *r.dates.last().unwrap_or(&r.dates[0]);
                    out.charts.push(Chart {
                        id: "contagion_corr_heatmap".into(),
                        title: Text::new(
                            format!("Correlations, last 60 days to {as_of}"),
                            format!("最近 60 日相关系数（截至 {as_of}）"),
                        ),
                        caption: Text::new(
                            "Pearson correlation of daily log returns on common trading days.",
                            "共同交易日日对数收益率的皮尔逊相关系数。",
                        ),
                        data: ChartData::Heatmap { labels: r.names.clone(), matrix: matrix.clone() },
                    });
                    out.correlation = Some(CorrelationSnapshot { as_of, window: 60, names: r.names, matrix });
                }
                Err(e) => note(&mut out, "correlation heatmap", &e),
            },
            Ok(_) => note(&mut out, "correlation heatmap", &"fewer than 60 common days"),
            Err(e) => note(&mut out, "correlation heatmap", &e),
        }
    }
    point_in_time_pass(inputs, &mut out);
    out
}

/// The co-crash signal `contagion.cocrash.count60` (point-in-time: an asset counts from its first
/// observation; a day's breadth uses the classes with data that day, so later arrivals never change it).
pub fn cocrash_signal(inputs: &FamilyInputs) -> Result<SignalSeries> {
    let uni: Vec<(String, CrashClass)> = crate::cocrash::default_universe()
        .into_iter()
        .filter(|(id, _)| inputs.series.contains_key(*id))
        .map(|(id, c)| (id.to_string(), c))
        .collect();
    if !uni.iter().any(|(id, _)| id == "SPY") || uni.len() < 4 {
        return Err(ContagionError::Invalid(
            "needs SPY and at least three other assets of the co-crash universe".into(),
        ));
    }
    let series: Vec<&Series> = uni.iter().filter_map(|(id, _)| inputs.series.get(id)).collect();
    let panel = fissure_core::Panel::align(&series, &Alignment::Reference { id: "SPY".into(), max_fill_days: 5 })?;
    let cc = detect(&panel, &uni, &CoCrashOptions::default())?;
    let flagged: std::collections::HashSet<NaiveDate> = cc.flagged.iter().map(|f| f.date).collect();
    let ok: Vec<usize> = (0..cc.dates.len()).filter(|&t| cc.breadth[t].is_finite()).collect();
    let ind: Vec<f64> = ok.iter().map(|&t| f64::from(u8::from(flagged.contains(&cc.dates[t])))).collect();
    if ind.len() < 60 {
        return Err(ContagionError::TooShort { what: "co-crash history".into(), needed: 60, got: ind.len() });
    }
    let count: Vec<f64> = fissure_core::rolling::rolling_mean(&ind, 60)?.iter().map(|m| (m * 60.0).round()).collect();
    let dates: Vec<NaiveDate> = ok[59..].iter().map(|&t| cc.dates[t]).collect();
    let last = count.last().copied().unwrap_or(0.0);
    let recent: Vec<String> = cc.flagged.iter().rev().take(3).map(|f| f.date.to_string()).collect();
    Ok(SignalSeries {
        spec: spec("contagion.cocrash.count60", "Co-crash days (last 60 trading days)", "跨资产同跌日数（最近 60 个交易日）", "days", Thresholds::Absolute { elevated: 2.0, alarm: 4.0 }),
        explain_en: format!(
            "{last:.0} of the last 60 trading days were cross-asset co-crash days (several asset classes down ≥ 1.5σ together, or safe havens falling with stocks); most recent: {}.",
            recent.join(", ")
        ),
        explain_zh: format!(
            "最近 60 个交易日中有 {last:.0} 天为跨资产同跌日（多个资产类别同时下跌 1.5σ 以上，或避险资产与股票同跌）；最近几次：{}。",
            recent.join("、")
        ),
        dates,
        values: count,
    })
}

/// The family's signals (see the module doc).
pub fn signals(inputs: &FamilyInputs) -> Result<Vec<SignalSeries>> {
    Ok(compute(inputs).signals)
}

/// The contagion family for the report.
pub struct ContagionFamily;

impl SignalFamily for ContagionFamily {
    fn key(&self) -> &'static str {
        "contagion"
    }

    fn title(&self) -> Text {
        Text::new("Crowding and contagion", "拥挤与传染")
    }

    fn inputs_used(&self, inputs: &FamilyInputs) -> Option<Vec<String>> {
        let mut ids: Vec<String> = AR_UNIVERSE
            .iter()
            .chain(DY_UNIVERSE.iter())
            .chain(HEATMAP.iter())
            .map(|s| s.to_string())
            .chain(crate::cocrash::default_universe().into_iter().map(|(i, _)| i.to_string()))
            .collect();
        for b in ["ai", "precious", "crypto"] {
            ids.extend(basket_members(inputs, b).into_iter().map(|m| m.0));
        }
        for (role, id) in POSITIONING {
            ids.push(inputs.roles.get(role).cloned().unwrap_or_else(|| id.to_string()));
        }
        ids.sort();
        ids.dedup();
        Some(ids)
    }

    fn params(&self) -> String {
        "corr60;ar500/250/0.2/15/250;turb500/20;dy200/1/var2/h10/gen;cocrash60/1.5/1.0/3/4/4;crowd60".into()
    }

    fn compute(&self, inputs: &FamilyInputs) -> std::result::Result<FamilyOutput, String> {
        let r = compute(inputs);
        Ok(FamilyOutput { signals: r.signals, charts: r.charts, methods: methods(), notes: r.notes })
    }
}

/// Methods and references shown in the report.
pub fn methods() -> Vec<Text> {
    vec![
        Text::new(
            "Correlations: rolling 60-day Pearson correlations of equal-weight basket indices; percentiles against each series' own history.",
            "相关性：等权篮子指数 60 日滚动皮尔逊相关系数；百分位相对于自身历史。",
        ),
        Text::new(
            "Absorption ratio: Kritzman, Li, Page & Rigobon (2011), J. Portfolio Management 37(4); ΔAR = (15-day − 1-year mean)/1-year sd.",
            "吸收比率：Kritzman、Li、Page 与 Rigobon（2011），《投资组合管理杂志》37(4)；ΔAR =（15 日均值 − 1 年均值）/ 1 年标准差。",
        ),
        Text::new(
            "Turbulence: Kritzman & Li (2010), Financial Analysts Journal 66(5), with the Kinlaw–Turkington correlation-surprise split.",
            "金融动荡：Kritzman 与 Li（2010），《金融分析师杂志》66(5)，并按 Kinlaw–Turkington 分解出相关性意外。",
        ),
        Text::new(
            "Spillovers: Diebold & Yilmaz (2012), Int. J. Forecasting 28(1): generalized FEVD of a VAR(2), 10-day horizon, rolling 200-day windows.",
            "溢出：Diebold 与 Yilmaz（2012），《国际预测杂志》28(1)：VAR(2) 广义预测误差方差分解，10 日预测期，200 日滚动窗口。",
        ),
        Text::new(
            "Co-crash: each asset's return over its own trailing 60-day volatility; a day is flagged when ≥ 3 asset classes fall ≥ 1.5σ, or stocks fall ≥ 1.5σ with ≥ 4 classes down ≥ 1σ, or gold/long bonds fall ≥ 1.5σ with stocks.",
            "同跌检测：各资产收益率除以其过去 60 日波动率；当 ≥ 3 个资产类别下跌 ≥ 1.5σ，或股票下跌 ≥ 1.5σ 且 ≥ 4 个类别下跌 ≥ 1σ，或黄金/长债与股票同跌 ≥ 1.5σ 时标记。",
        ),
    ]
}
