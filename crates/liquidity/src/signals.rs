//! The liquidity family's signals and charts for the report.
//!
//! Every value at date t uses data dated ≤ t only. Signals (ids `liquidity.*`):
//! - `stress_index`: the real-time PCA financial stress index ([`crate::stress`]);
//! - `markov_stress_prob`: filtered probability (Hamilton filter, not the smoother)
//!   of the high-variance regime of a two-regime switching mean/variance model of
//!   weekly S&P 500 log returns; parameters re-estimated every 26 weeks on an
//!   expanding window (first fit after 520 weeks, data from 1980), so the value at
//!   week t uses parameters estimated on data ≤ the last re-estimation date ≤ t;
//! - `carry_unwind`: `min(z_yen, z_vol)` of [`crate::carry`].
//!
//! A signal whose inputs are missing is skipped with a note.

use crate::carry::{carry_unwind, CarryConfig, CarryEpisode};
use crate::markov::{FitOptions, MarkovSwitching, MsSpec};
use crate::stress::{correlation_with, stress_index, Source, StressConfig, StressIndex};
use crate::{LiquidityError, Result};
use chrono::NaiveDate;
use fissure_core::family::{Chart, ChartData, FamilyInputs, FamilyOutput, Line, SignalFamily, Span, Text};
use fissure_core::{log_returns, resample, Aggregation, Frequency, Series, SignalSeries, SignalSpec, Thresholds};
use serde::Serialize;
use std::collections::BTreeMap;

/// Stress-index history and loadings for the report's charts.
#[derive(Debug, Clone, Serialize)]
pub struct StressChartData {
    pub dates: Vec<NaiveDate>,
    pub values: Vec<f64>,
    pub loadings: Vec<(String, f64)>,
    pub contributions: Vec<(String, f64)>,
    pub corr_stlfsi4: Option<f64>,
    pub corr_nfci: Option<f64>,
}

/// The Markov regime probability path.
#[derive(Debug, Clone, Serialize)]
pub struct RegimeChartData {
    pub dates: Vec<NaiveDate>,
    pub stress_probability: Vec<f64>,
    /// Last estimated parameters (statsmodels order) and their names.
    pub param_names: Vec<String>,
    pub params: Vec<f64>,
}

/// Everything the family computes for the report.
#[derive(Debug, Clone, Serialize, Default)]
pub struct LiquidityReport {
    pub signals: Vec<SignalSeries>,
    pub stress: Option<StressChartData>,
    pub regime: Option<RegimeChartData>,
    pub carry_episodes: Vec<CarryEpisode>,
    pub charts: Vec<Chart>,
    pub notes: Vec<Text>,
}

fn spec(id: &str, en: &str, zh: &str, unit: &str, thresholds: Thresholds) -> SignalSpec {
    SignalSpec {
        id: id.into(),
        family: "liquidity".into(),
        title_en: en.into(),
        title_zh: zh.into(),
        unit: unit.into(),
        higher_is_riskier: true,
        thresholds,
    }
}

/// The role → default id pairs of the stress-index indicators.
const ROLE_IDS: [(&str, &str); 12] = [
    ("hy_oas", "HY_OAS"),
    ("ig_oas", "IG_OAS"),
    ("vix", "VIX"),
    ("us10y", "US10Y"),
    ("us2y", "US2Y"),
    ("us3m", "US3M"),
    ("usd_broad", "USD_BROAD"),
    ("usdjpy", "USDJPY"),
    ("fed_balance_sheet", "WALCL"),
    ("reverse_repo", "RRP"),
    ("money_market_assets", "MMF"),
    ("margin_debt", "MARGIN_DEBT"),
];

/// The id playing `role` (the watchlist's roles, else the bundled default).
pub fn role_id(inputs: &FamilyInputs, role: &str, default: &str) -> String {
    inputs.roles.get(role).cloned().unwrap_or_else(|| default.to_string())
}

/// The default stress configuration with ids taken from the roles.
pub fn stress_config_for(inputs: &FamilyInputs) -> StressConfig {
    stress_config_with_roles(&inputs.roles)
}

/// The default stress configuration with each indicator's series id replaced by the
/// id the `roles` map (role → id, e.g. a watchlist's roles) gives it.
pub fn stress_config_with_roles(roles: &BTreeMap<String, String>) -> StressConfig {
    let mut cfg = StressConfig::default();
    let map: BTreeMap<&str, String> =
        ROLE_IDS.iter().map(|(r, d)| (*d, roles.get(*r).cloned().unwrap_or_else(|| d.to_string()))).collect();
    let sub = |id: &mut String| {
        if let Some(n) = map.get(id.as_str()) {
            *id = n.clone();
        }
    };
    for ind in cfg.indicators.iter_mut() {
        match &mut ind.source {
            Source::Series { id } => sub(id),
            Source::Spread { a, b } => {
                sub(a);
                sub(b);
            }
        }
    }
    cfg
}

fn stress_signal(inputs: &FamilyInputs, out: &mut LiquidityReport) -> Result<()> {
    let cfg = stress_config_for(inputs);
    let idx: StressIndex = stress_index(&inputs.series, &cfg)?;
    let last = *idx.values.last().ok_or_else(|| LiquidityError::Missing("stress index is empty".into()))?;
    let date = *idx.dates.last().unwrap_or(&NaiveDate::MIN);
    let pct = fissure_stats::describe::percentile_rank(&idx.values, last);
    let mut top = idx.loadings.clone();
    top.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
    let top3: Vec<String> = top.iter().take(3).map(|l| format!("{} {:+.2}", l.indicator, l.contribution)).collect();
    let corr = |role: &str, d: &str| {
        inputs.series.get(&role_id(inputs, role, d)).and_then(|s| correlation_with(&idx, s).ok()).map(|c| c.0)
    };
    let (c_st, c_nf) = (corr("stlfsi", "STLFSI4"), corr("nfci", "NFCI"));
    let level_en = if last > 1.0 {
        "elevated"
    } else if last > 0.0 {
        "above average"
    } else {
        "below average"
    };
    let level_zh = if last > 1.0 {
        "偏高"
    } else if last > 0.0 {
        "高于平均"
    } else {
        "低于平均"
    };
    out.signals.push(SignalSeries {
        spec: spec(
            "liquidity.stress_index",
            "Financial stress index (PC1 of 12 indicators)",
            "金融压力指数（12 项指标第一主成分）",
            "sd",
            Thresholds::Absolute { elevated: 1.0, alarm: 2.0 },
        ),
        explain_en: format!(
            "The stress index is {last:+.2} sd on {date} ({level_en}; {pct:.0}th percentile since {}); largest contributions: {}.",
            idx.dates[0],
            top3.join(", ")
        ),
        explain_zh: format!(
            "{date} 金融压力指数为 {last:+.2} 个标准差（{level_zh}；自 {} 以来第 {pct:.0} 百分位）；主要贡献：{}。",
            idx.dates[0],
            top3.join("，")
        ),
        dates: idx.dates.clone(),
        values: idx.values.clone(),
    });
    let mut lines = vec![Line { label: "Fissure FSI".into(), dates: idx.dates.clone(), values: idx.values.clone() }];
    for (role, d) in [("stlfsi", "STLFSI4"), ("nfci", "NFCI")] {
        if let Some(s) = inputs.series.get(&role_id(inputs, role, d)) {
            let s = s.slice(idx.dates.first().copied(), None);
            lines.push(Line { label: s.id().to_string(), dates: s.dates().to_vec(), values: s.values().to_vec() });
        }
    }
    let fmt_c = |c: Option<f64>| c.map(|v| format!("{v:.2}")).unwrap_or_else(|| "n/a".into());
    out.charts.push(Chart {
        id: "liquidity_stress_index".into(),
        title: Text::new("Financial stress index vs STLFSI4 and NFCI", "金融压力指数与 STLFSI4、NFCI 对比"),
        caption: Text::new(
            format!("Real-time first principal component of 12 standardized indicators; correlation with STLFSI4 {}, with NFCI {}.", fmt_c(c_st), fmt_c(c_nf)),
            format!("12 项标准化指标的实时第一主成分；与 STLFSI4 相关系数 {}，与 NFCI 相关系数 {}。", fmt_c(c_st), fmt_c(c_nf)),
        ),
        data: ChartData::Lines { lines, spans: vec![], hlines: vec![("0".into(), 0.0)], log_scale: false },
    });
    out.charts.push(Chart {
        id: "liquidity_stress_loadings".into(),
        title: Text::new("Stress index: contributions on the last date", "压力指数：最新一期各指标贡献"),
        caption: Text::new(
            format!("loading × standardized value / √λ₁ on {date}; they sum to the index value {last:+.2}."),
            format!("{date} 的载荷 × 标准化值 / √λ₁，合计等于指数值 {last:+.2}。"),
        ),
        data: ChartData::Bars {
            labels: idx.loadings.iter().map(|l| l.indicator.clone()).collect(),
            values: idx.loadings.iter().map(|l| l.contribution).collect(),
        },
    });
    out.stress = Some(StressChartData {
        dates: idx.dates.clone(),
        values: idx.values.clone(),
        loadings: idx.loadings.iter().map(|l| (l.indicator.clone(), l.loading)).collect(),
        contributions: idx.loadings.iter().map(|l| (l.indicator.clone(), l.contribution)).collect(),
        corr_stlfsi4: c_st,
        corr_nfci: c_nf,
    });
    Ok(())
}

/// Settings of the real-time Markov stress probability.
#[derive(Debug, Clone)]
pub struct RegimeSignalConfig {
    pub start: NaiveDate,
    /// Weeks before the first estimation.
    pub min_weeks: usize,
    /// Re-estimation interval (weeks).
    pub refit_every: usize,
}

impl Default for RegimeSignalConfig {
    fn default() -> Self {
        RegimeSignalConfig {
            start: NaiveDate::from_ymd_opt(1980, 1, 1).unwrap_or(NaiveDate::MIN),
            min_weeks: 520,
            refit_every: 26,
        }
    }
}

/// (dates, probabilities, last parameters, parameter names).
pub type RegimePath = (Vec<NaiveDate>, Vec<f64>, Vec<f64>, Vec<String>);

/// Real-time filtered probability of the high-variance regime of weekly log
/// returns ×100 of `prices` (see the module doc); returns (dates, probabilities,
/// last parameters, names).
pub fn markov_stress_probability(prices: &Series, cfg: &RegimeSignalConfig) -> Result<RegimePath> {
    let w = resample(&prices.slice(Some(cfg.start), None), Frequency::Weekly, Aggregation::Last)?;
    let r = log_returns(&w)?;
    let y: Vec<f64> = r.values().iter().map(|v| 100.0 * v).collect();
    let dates = r.dates().to_vec();
    let n = y.len();
    if n < cfg.min_weeks + cfg.refit_every {
        return Err(LiquidityError::Missing(format!(
            "Markov regime signal needs {} weekly returns, got {n}",
            cfg.min_weeks + cfg.refit_every
        )));
    }
    let spec = MsSpec::switching_mean(2, 0, true);
    let mut prev: Option<Vec<f64>> = None;
    let (mut out_d, mut out_p) = (Vec::new(), Vec::new());
    let mut names = Vec::new();
    let mut fit_at = cfg.min_weeks;
    while fit_at <= n {
        // estimate on y[..fit_at] (data ≤ dates[fit_at − 1])
        let m = MarkovSwitching::with_constant(&y[..fit_at], spec.clone())?;
        let opts = FitOptions { std_errors: false, random_starts: 1, start: prev.clone(), ..Default::default() };
        let fit = m.fit(&opts)?;
        names = fit.param_names.clone();
        // filter the segment [fit_at − 1, next) with these parameters
        let seg_end = (fit_at + cfg.refit_every).min(n);
        let mf = MarkovSwitching::with_constant(&y[..seg_end], spec.clone())?;
        let f = mf.filter(&fit.params)?;
        let from = if out_d.is_empty() { fit_at - 1 } else { fit_at };
        out_d.extend_from_slice(&dates[from..seg_end]);
        out_p.extend((from..seg_end).map(|t| f.filtered[t * 2 + 1]));
        prev = Some(fit.params);
        if seg_end == n {
            break;
        }
        fit_at = seg_end;
    }
    Ok((out_d, out_p, prev.unwrap_or_default(), names))
}

fn regime_signal(inputs: &FamilyInputs, out: &mut LiquidityReport) -> Result<()> {
    let id = role_id(inputs, "equity_index", "SPX");
    let s = inputs.series.get(&id).ok_or_else(|| LiquidityError::Missing(format!("series `{id}`")))?;
    let (dates, probs, params, names) = markov_stress_probability(s, &RegimeSignalConfig::default())?;
    let last = *probs.last().unwrap_or(&f64::NAN);
    let date = *dates.last().unwrap_or(&NaiveDate::MIN);
    // params: p00, p10, const0, const1, sigma2_0, sigma2_1 (regime 1 = high variance)
    let (vol_calm, vol_stress) = (params[4].sqrt() * 52f64.sqrt(), params[5].sqrt() * 52f64.sqrt());
    let dur = 1.0 / params[1]; // 1/(1 − p11), p11 = 1 − p[1->0]
    out.signals.push(SignalSeries {
        spec: spec(
            "liquidity.markov_stress_prob",
            &format!("Probability of the stress regime ({id} weekly returns, Markov switching)"),
            &format!("压力状态概率（{id} 周收益率，马尔可夫区制转换）"),
            "probability",
            Thresholds::Absolute { elevated: 0.5, alarm: 0.8 },
        ),
        explain_en: format!(
            "On {date} the filtered probability that {id} is in its high-volatility regime is {:.0}% (annualized volatility {vol_stress:.0}% vs {vol_calm:.0}% in the calm regime; a stress spell lasts {dur:.0} weeks on average).",
            100.0 * last
        ),
        explain_zh: format!(
            "{date} {id} 处于高波动状态的滤波概率为 {:.0}%（该状态年化波动率 {vol_stress:.0}%，平稳状态 {vol_calm:.0}%；压力状态平均持续 {dur:.0} 周）。",
            100.0 * last
        ),
        dates: dates.clone(),
        values: probs.clone(),
    });
    // shaded spans where the probability exceeds 0.5
    let mut spans = Vec::new();
    let mut start: Option<NaiveDate> = None;
    for (i, p) in probs.iter().enumerate() {
        match (start, *p > 0.5) {
            (None, true) => start = Some(dates[i]),
            (Some(s0), false) => {
                spans.push(Span { start: s0, end: dates[i - 1], label: "stress regime".into() });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s0) = start {
        spans.push(Span { start: s0, end: date, label: "stress regime".into() });
    }
    out.charts.push(Chart {
        id: "liquidity_markov_regime".into(),
        title: Text::new("Markov-switching stress regime probability", "马尔可夫区制转换：压力状态概率"),
        caption: Text::new(
            "Hamilton-filter probability of the high-variance regime of weekly returns; parameters re-estimated every 26 weeks on data up to that date.",
            "周收益率高方差状态的 Hamilton 滤波概率；参数每 26 周用截至当时的数据重新估计。",
        ),
        data: ChartData::Lines {
            lines: vec![Line { label: "P(stress)".into(), dates: dates.clone(), values: probs.clone() }],
            spans,
            hlines: vec![("0.5".into(), 0.5)],
            log_scale: false,
        },
    });
    out.regime = Some(RegimeChartData { dates, stress_probability: probs, param_names: names, params });
    Ok(())
}

fn carry_signal(inputs: &FamilyInputs, out: &mut LiquidityReport) -> Result<()> {
    let cal = role_id(inputs, "equity_index", "SPX");
    let jpy = role_id(inputs, "usdjpy", "USDJPY");
    let vix = role_id(inputs, "vix", "VIX");
    let cu = carry_unwind(&inputs.series, &cal, &jpy, &vix, &CarryConfig::default())?;
    let last = *cu.score.last().ok_or_else(|| LiquidityError::Missing("carry indicator is empty".into()))?;
    let date = *cu.dates.last().unwrap_or(&NaiveDate::MIN);
    let i = cu.score.len() - 1;
    let recent: Vec<String> = cu.episodes.iter().rev().take(3).map(|e| e.peak.to_string()).collect();
    out.signals.push(SignalSeries {
        spec: spec(
            "liquidity.carry_unwind",
            "Yen carry-unwind indicator (min of yen and VIX z-scores)",
            "日元套息交易平仓指标（日元与 VIX z 值之较小者）",
            "z",
            Thresholds::Absolute { elevated: 1.5, alarm: 2.0 },
        ),
        explain_en: format!(
            "On {date} the 5-day yen move is {:+.1} sd and the VIX change {:+.1} sd (indicator {last:+.2}); past unwinds peaked on {}.",
            cu.z_yen[i],
            cu.z_vol[i],
            recent.join(", ")
        ),
        explain_zh: format!(
            "{date} 日元 5 日升值幅度为 {:+.1} 个标准差，VIX 变化 {:+.1} 个标准差（指标 {last:+.2}）；以往平仓高峰：{}。",
            cu.z_yen[i],
            cu.z_vol[i],
            recent.join("、")
        ),
        dates: cu.dates.clone(),
        values: cu.score.clone(),
    });
    out.charts.push(Chart {
        id: "liquidity_carry_unwind".into(),
        title: Text::new("Yen carry-unwind indicator", "日元套息平仓指标"),
        caption: Text::new(
            "min(z of 5-day yen appreciation, z of 5-day VIX change), trailing 3-year z-scores; shaded: episodes above 2.",
            "min（日元 5 日升值 z 值，VIX 5 日变化 z 值），过去 3 年滚动 z 值；阴影为高于 2 的时段。",
        ),
        data: ChartData::Lines {
            lines: vec![Line { label: "carry unwind".into(), dates: cu.dates.clone(), values: cu.score.clone() }],
            spans: cu.episodes.iter().map(|e| Span { start: e.start, end: e.end, label: format!("peak {}", e.peak) }).collect(),
            hlines: vec![("2".into(), 2.0)],
            log_scale: false,
        },
    });
    out.carry_episodes = cu.episodes;
    Ok(())
}

/// Computes every signal and chart; a failing part becomes a note.
pub fn compute(inputs: &FamilyInputs) -> LiquidityReport {
    let mut out = LiquidityReport::default();
    type Part = fn(&FamilyInputs, &mut LiquidityReport) -> Result<()>;
    let parts: [(&str, &str, Part); 3] = [
        ("stress index", "压力指数", stress_signal),
        ("Markov regime", "马尔可夫区制", regime_signal),
        ("carry unwind", "套息平仓", carry_signal),
    ];
    for (en, zh, f) in parts {
        if let Err(e) = f(inputs, &mut out) {
            out.notes.push(Text::new(format!("{en}: skipped ({e})"), format!("{zh}：已跳过（{e}）")));
        }
    }
    out
}

/// The family's signals (see the module doc).
pub fn signals(inputs: &FamilyInputs) -> Result<Vec<SignalSeries>> {
    Ok(compute(inputs).signals)
}

/// Methods and references shown in the report.
pub fn methods() -> Vec<Text> {
    vec![
        Text::new(
            "Stress index: first principal component of 12 standardized weekly indicators (credit spreads, VIX, curve, yield/dollar/yen moves, Fed balance sheet, reverse repo, money funds, margin debt), as STLFSI (Kliesen & Smith 2010); expanding estimation, sign-normalized.",
            "压力指数：12 项标准化周度指标（信用利差、VIX、期限利差、利率/美元/日元变动、美联储资产负债表、逆回购、货币基金、融资余额）的第一主成分，方法同 STLFSI（Kliesen 与 Smith 2010）；扩展窗口估计，方向标准化。",
        ),
        Text::new(
            "Regimes: Hamilton (1989) Markov switching, Kim (1994) smoother, EM then BFGS from several starts; validated against statsmodels on Hamilton's GNP AR(4) and the Fed funds model.",
            "区制：Hamilton（1989）马尔可夫区制转换，Kim（1994）平滑，EM 后 BFGS 多起点估计；已用 statsmodels 在 Hamilton GNP AR(4) 与联邦基金利率模型上验证。",
        ),
        Text::new(
            "Carry unwind: 5-day yen appreciation and 5-day VIX change, each as a trailing 3-year z-score; the indicator is the smaller of the two.",
            "套息平仓：日元 5 日升值与 VIX 5 日变化，各自为过去 3 年滚动 z 值；指标取两者较小值。",
        ),
    ]
}

/// The liquidity family for the report.
pub struct LiquidityFamily;

impl SignalFamily for LiquidityFamily {
    fn key(&self) -> &'static str {
        "liquidity"
    }
    fn title(&self) -> Text {
        Text::new("Liquidity and regimes", "流动性与市场状态")
    }
    fn compute(&self, inputs: &FamilyInputs) -> std::result::Result<FamilyOutput, String> {
        let r = compute(inputs);
        Ok(FamilyOutput { signals: r.signals, charts: r.charts, methods: methods(), notes: r.notes })
    }
}
