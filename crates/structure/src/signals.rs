//! The market-structure family's signals and charts for the report.
//!
//! Signals (ids `structure.*`), each value computed from data dated ≤ its date:
//! - `top10_share` and `mag7_share`: per market-cap snapshot (issuers merged);
//! - `small_vs_large_z`: trailing 252-day z-score of ln(IWM/SPY) (lower = large caps
//!   lead = narrower market, so `higher_is_riskier = false`);
//! - `defensive_vs_tech_z`: trailing z-score of ln(defensives/XLK) (higher =
//!   rotation into defensives = risk-off).

use crate::concentration::{concentration_history, Concentration, ConcentrationConfig};
use crate::rotation::{default_ratios, high_cut_low_days, ratio, Ratio, RatioSpec, RotationConfig, RotationDay};
use crate::{Result, StructureError};
use chrono::NaiveDate;
use fissure_core::family::{Chart, ChartData, FamilyInputs, FamilyOutput, Line, SignalFamily, Text};
use fissure_core::{CrossSection, SignalSeries, SignalSpec, Thresholds};
use serde::Serialize;

/// Concentration across snapshots, for the report's chart.
#[derive(Debug, Clone, Serialize)]
pub struct ConcentrationChartData {
    pub dates: Vec<NaiveDate>,
    pub top10_share: Vec<f64>,
    pub group_share: Vec<f64>,
    pub effective_n: Vec<f64>,
    pub latest_leaders: Vec<(String, f64)>,
}

/// Rotation ratios (latest values and z-score paths), for the report's chart.
#[derive(Debug, Clone, Serialize)]
pub struct RotationChartData {
    pub ratios: Vec<(String, NaiveDate, f64, f64, f64)>,
    pub recent_high_cut_low_days: Vec<RotationDay>,
}

/// Everything the family computes.
#[derive(Debug, Clone, Serialize, Default)]
pub struct StructureReport {
    pub signals: Vec<SignalSeries>,
    pub concentration: Option<ConcentrationChartData>,
    pub rotation: Option<RotationChartData>,
    pub charts: Vec<Chart>,
    pub notes: Vec<Text>,
}

fn spec(id: &str, en: &str, zh: &str, unit: &str, riskier: bool, thresholds: Thresholds) -> SignalSpec {
    SignalSpec {
        id: id.into(),
        family: "structure".into(),
        title_en: en.into(),
        title_zh: zh.into(),
        unit: unit.into(),
        higher_is_riskier: riskier,
        thresholds,
    }
}

fn market_caps(inputs: &FamilyInputs) -> Option<&Vec<CrossSection>> {
    let id = inputs.roles.get("market_caps").cloned().unwrap_or_else(|| "SP500_MCAP".into());
    inputs.sections.get(&id).or_else(|| inputs.sections.get(&format!("{id}.market_cap_usd_bn")))
}

fn concentration_signals(inputs: &FamilyInputs, out: &mut StructureReport) -> Result<()> {
    let secs =
        market_caps(inputs).ok_or_else(|| StructureError::Missing("market-cap snapshots (SP500_MCAP)".into()))?;
    let mut secs_mc: Vec<CrossSection> = secs.iter().filter(|s| s.field == "market_cap_usd_bn").cloned().collect();
    if secs_mc.is_empty() {
        secs_mc = secs.clone();
    }
    let secs = secs_mc;
    let h: Vec<Concentration> = concentration_history(&secs, &ConcentrationConfig::default())?;
    let last = h.last().ok_or_else(|| StructureError::Missing("no market-cap snapshot".into()))?;
    let first = &h[0];
    let dates: Vec<NaiveDate> = h.iter().map(|c| c.date).collect();
    let top10: Vec<f64> = h.iter().map(|c| c.top_k.iter().find(|t| t.0 == 10).map_or(f64::NAN, |t| t.1)).collect();
    let m7: Vec<f64> = h.iter().map(|c| c.group_share).collect();
    let t10 = *top10.last().unwrap_or(&f64::NAN);
    let t10_0 = top10[0];
    out.signals.push(SignalSeries {
        spec: spec(
            "structure.top10_share",
            "Top-10 issuers' share of S&P 500 market cap",
            "标普 500 前十大公司市值占比",
            "share",
            true,
            // the top-10 share peaked near 0.27 in 2000; 0.30/0.35 mark concentration beyond the dot-com peak
            Thresholds::Absolute { elevated: 0.30, alarm: 0.35 },
        ),
        explain_en: format!(
            "On {} the ten largest issuers hold {:.1}% of the index ({:.1}% on {}); effective number of constituents {:.0} (was {:.0}).",
            last.date,
            100.0 * t10,
            100.0 * t10_0,
            first.date,
            last.effective_n,
            first.effective_n
        ),
        explain_zh: format!(
            "{} 前十大公司占指数市值的 {:.1}%（{} 为 {:.1}%）；有效成分股数量 {:.0}（此前为 {:.0}）。",
            last.date,
            100.0 * t10,
            first.date,
            100.0 * t10_0,
            last.effective_n,
            first.effective_n
        ),
        dates: dates.clone(),
        values: top10.clone(),
    });
    out.signals.push(SignalSeries {
        spec: spec(
            "structure.mag7_share",
            "Magnificent 7 share of S&P 500 market cap",
            "“七巨头”占标普 500 市值比例",
            "share",
            true,
            Thresholds::Absolute { elevated: 0.30, alarm: 0.35 },
        ),
        explain_en: format!(
            "The Magnificent 7 are {:.1}% of the index on {} (more than a third: {}), up from {:.1}% on {}.",
            100.0 * last.group_share,
            last.date,
            if last.group_share > 1.0 / 3.0 { "yes" } else { "no" },
            100.0 * first.group_share,
            first.date
        ),
        explain_zh: format!(
            "{} “七巨头”占指数市值 {:.1}%（{}三分之一），{} 时为 {:.1}%。",
            last.date,
            100.0 * last.group_share,
            if last.group_share > 1.0 / 3.0 { "超过" } else { "未超过" },
            first.date,
            100.0 * first.group_share
        ),
        dates: dates.clone(),
        values: m7.clone(),
    });
    out.charts.push(Chart {
        id: "structure_concentration".into(),
        title: Text::new("S&P 500 concentration", "标普 500 市值集中度"),
        caption: Text::new(
            "Top-10 and Magnificent 7 shares of market cap per snapshot (dual share classes merged by issuer).",
            "各快照中前十大公司与“七巨头”的市值占比（双重股权按发行人合并）。",
        ),
        data: ChartData::Lines {
            lines: vec![
                Line { label: "top-10 share".into(), dates: dates.clone(), values: top10.clone() },
                Line { label: "Magnificent 7 share".into(), dates: dates.clone(), values: m7.clone() },
            ],
            spans: vec![],
            hlines: vec![("1/3".into(), 1.0 / 3.0)],
            log_scale: false,
        },
    });
    out.charts.push(Chart {
        id: "structure_leaders".into(),
        title: Text::new("Largest issuers' shares", "最大发行人市值占比"),
        caption: Text::new(format!("Snapshot of {}.", last.date), format!("{} 快照。", last.date)),
        data: ChartData::Bars {
            labels: last.leaders.iter().map(|i| i.key.clone()).collect(),
            values: last.leaders.iter().map(|i| i.share).collect(),
        },
    });
    out.concentration = Some(ConcentrationChartData {
        dates,
        top10_share: top10,
        group_share: m7,
        effective_n: h.iter().map(|c| c.effective_n).collect(),
        latest_leaders: last.leaders.iter().map(|i| (i.key.clone(), i.share)).collect(),
    });
    Ok(())
}

/// The z-score levels: |z| ≥ 1.5 elevated, ≥ 2 alarm, on the risky side. When lower
/// is riskier the levels are negative (z ≤ −1.5, z ≤ −2); the old +1.5/+2 levels
/// made `small_vs_large_z` alarm whenever z ≤ 2, i.e. 92% of the time.
pub fn z_thresholds(higher_is_riskier: bool) -> Thresholds {
    if higher_is_riskier {
        Thresholds::Absolute { elevated: 1.5, alarm: 2.0 }
    } else {
        Thresholds::Absolute { elevated: -1.5, alarm: -2.0 }
    }
}

fn z_signal(r: &Ratio, id: &str, en: &str, zh: &str, riskier: bool, out: &mut StructureReport) {
    let (dates, values): (Vec<NaiveDate>, Vec<f64>) =
        r.dates.iter().zip(&r.z).filter(|(_, z)| z.is_finite()).map(|(d, z)| (*d, *z)).unzip();
    let Some((d, ratio_v, mom, z)) = r.latest() else {
        return;
    };
    let last_b = r.breakouts.last().map(|b| format!("{} ({})", b.date, b.direction)).unwrap_or_else(|| "none".into());
    let last_b_zh = r
        .breakouts
        .last()
        .map(|b| format!("{}（{}）", b.date, if b.direction == "up" { "向上" } else { "向下" }))
        .unwrap_or_else(|| "无".into());
    out.signals.push(SignalSeries {
        spec: spec(id, en, zh, "z", riskier, z_thresholds(riskier)),
        explain_en: format!(
            "{} on {d}: ratio {ratio_v:.4}, 3-month momentum {mom:+.1}%, z-score {z:+.2} against the past year; last breakout {last_b}.",
            r.name
        ),
        explain_zh: format!(
            "{d} {}：比值 {ratio_v:.4}，3 个月动量 {mom:+.1}%，相对过去一年的 z 值 {z:+.2}；最近一次突破 {last_b_zh}。",
            r.name
        ),
        dates,
        values,
    });
}

fn rotation_signals(inputs: &FamilyInputs, out: &mut StructureReport) -> Result<()> {
    let cfg = RotationConfig::default();
    let mut ratios = Vec::new();
    for s in default_ratios() {
        match ratio(&inputs.series, &s, &cfg) {
            Ok(r) => ratios.push(r),
            Err(e) => out
                .notes
                .push(Text::new(format!("ratio {}: skipped ({e})", s.name), format!("比值 {}：已跳过（{e}）", s.name))),
        }
    }
    let find = |n: &str| ratios.iter().find(|r| r.name == n);
    if let Some(r) = find("IWM/SPY") {
        z_signal(
            r,
            "structure.small_vs_large_z",
            "Small vs large caps (IWM/SPY z-score)",
            "小盘相对大盘（IWM/SPY z 值）",
            false,
            out,
        );
    }
    if let Some(r) = find("defensives/XLK") {
        z_signal(
            r,
            "structure.defensive_vs_tech_z",
            "Defensives vs technology (XLU+XLP+XLV / XLK z-score)",
            "防御板块相对科技（XLU+XLP+XLV / XLK z 值）",
            true,
            out,
        );
    }
    let hcl = high_cut_low_days(&inputs.series, &cfg).unwrap_or_default();
    out.charts.push(Chart {
        id: "structure_rotation".into(),
        title: Text::new("Rotation: relative-strength z-scores", "轮动：相对强弱 z 值"),
        caption: Text::new(
            "Trailing one-year z-scores of log relative-strength ratios (geometric equal-weight baskets).",
            "对数相对强弱比值的过去一年 z 值（几何等权篮子）。",
        ),
        data: ChartData::Lines {
            lines: ratios
                .iter()
                .filter(|r| ["IWM/SPY", "defensives/XLK", "value/QQQ", "GLD/SPY"].contains(&r.name.as_str()))
                .map(|r| {
                    let (d, v): (Vec<NaiveDate>, Vec<f64>) =
                        r.dates.iter().zip(&r.z).filter(|(_, z)| z.is_finite()).map(|(d, z)| (*d, *z)).unzip();
                    Line { label: r.name.clone(), dates: d, values: v }
                })
                .collect(),
            spans: vec![],
            hlines: vec![("+2".into(), 2.0), ("-2".into(), -2.0)],
            log_scale: false,
        },
    });
    out.rotation = Some(RotationChartData {
        ratios: ratios.iter().filter_map(|r| r.latest().map(|(d, v, m, z)| (r.name.clone(), d, v, m, z))).collect(),
        recent_high_cut_low_days: hcl.into_iter().rev().take(10).collect(),
    });
    Ok(())
}

/// Computes every signal and chart; a failing part becomes a note.
pub fn compute(inputs: &FamilyInputs) -> StructureReport {
    let mut out = StructureReport::default();
    if let Err(e) = concentration_signals(inputs, &mut out) {
        out.notes.push(Text::new(format!("concentration: skipped ({e})"), format!("集中度：已跳过（{e}）")));
    }
    if let Err(e) = rotation_signals(inputs, &mut out) {
        out.notes.push(Text::new(format!("rotation: skipped ({e})"), format!("轮动：已跳过（{e}）")));
    }
    out
}

/// The family's signals (see the module doc).
pub fn signals(inputs: &FamilyInputs) -> Result<Vec<SignalSeries>> {
    Ok(compute(inputs).signals)
}

/// A custom ratio list (CLI helper re-export).
pub fn ratios_for(specs: &[RatioSpec], inputs: &FamilyInputs) -> Vec<Result<Ratio>> {
    specs.iter().map(|s| ratio(&inputs.series, s, &RotationConfig::default())).collect()
}

/// Methods and references shown in the report.
pub fn methods() -> Vec<Text> {
    vec![
        Text::new(
            "Concentration: top-k shares, Herfindahl–Hirschman index Σs² and effective number 1/HHI of issuers (dual share classes merged) in S&P 500 market-cap snapshots.",
            "集中度：标普 500 市值快照中发行人（双重股权合并）的前 k 大占比、赫芬达尔—赫希曼指数 Σs² 及有效数量 1/HHI。",
        ),
        Text::new(
            "Rotation: log relative-strength ratios with 63-day momentum and trailing 252-day z-scores; breakouts are new 252-day highs or lows; high-cut-low days have ≥ 3 Magnificent 7 stocks down ≥ 1% while ≥ 80% of XLE, XLF, XLU, XLP, XLV, IWM rise (mean ≥ 0.5%).",
            "轮动：对数相对强弱比值，63 日动量与过去 252 日 z 值；突破为 252 日新高或新低；“高切低”日为至少 3 只七巨头股票下跌 ≥ 1%，同时 XLE、XLF、XLU、XLP、XLV、IWM 中 ≥ 80% 上涨（均值 ≥ 0.5%）。",
        ),
    ]
}

/// The market-structure family for the report.
pub struct StructureFamily;

impl SignalFamily for StructureFamily {
    fn key(&self) -> &'static str {
        "structure"
    }
    fn title(&self) -> Text {
        Text::new("Market structure", "市场结构")
    }
    fn compute(&self, inputs: &FamilyInputs) -> std::result::Result<FamilyOutput, String> {
        let r = compute(inputs);
        Ok(FamilyOutput { signals: r.signals, charts: r.charts, methods: methods(), notes: r.notes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: `small_vs_large_z` (lower is riskier) alarmed whenever z ≤ 2.
    #[test]
    fn lower_is_riskier_z_alarms_only_below_minus_two() {
        let Thresholds::Absolute { elevated, alarm } = z_thresholds(false) else { panic!("absolute levels") };
        // the report's rule for lower-is-riskier absolute levels: alarm when value ≤ alarm
        let alarms: Vec<f64> = (-30..=30).map(|k| k as f64 / 10.0).filter(|z| *z <= alarm).collect();
        assert_eq!(alarms.first(), Some(&-3.0));
        assert_eq!(alarms.last(), Some(&-2.0));
        assert!(elevated > alarm, "elevated comes before alarm on the way down");
        let Thresholds::Absolute { elevated, alarm } = z_thresholds(true) else { panic!("absolute levels") };
        assert_eq!((elevated, alarm), (1.5, 2.0));
    }
}
