//! The yardsticks every warning is compared with, published as a real signal
//! family (`baseline`) on the event series of the skill study:
//!
//! - **trailing volatility percentile**: annualised standard deviation of the last
//!   21 log returns, `σ_t = sqrt(P · Σ_{k<21} (r_{t−k} − r̄)² / 20)` (P = periods per
//!   year of the series), read against its own expanding history (alarm ≥ 95th
//!   percentile, elevated ≥ 80th) — high volatility clusters before and during
//!   large falls (Schwert 1989, J. Finance 44(5));
//! - **200-day moving-average break**: the distance of the close from its
//!   200-observation simple moving average, `100 · (P_t / MA200_t − 1)` (%);
//!   alarm below the average (≤ 0 %), elevated within 2 % above it — the classic
//!   trend rule (Faber 2007, "A Quantitative Approach to Tactical Asset
//!   Allocation", J. Wealth Management 9(4)).

use crate::percentile;
use crate::skill;
use fissure_core::rolling::{rolling_mean, rolling_std};
use fissure_core::{
    Chart, ChartData, FamilyInputs, FamilyOutput, Line, Series, SignalFamily, SignalSeries, SignalSpec, Span, Text,
    Thresholds,
};

/// Returns window of the volatility baseline.
pub const VOL_WINDOW: usize = 21;
/// Moving-average window of the trend baseline.
pub const MA_WINDOW: usize = 200;

/// The baseline family on the event series (`id → drawdown threshold`).
pub struct BaselineFamily {
    pub events: Vec<(String, f64)>,
}

impl BaselineFamily {
    pub fn new(events: Vec<(String, f64)>) -> BaselineFamily {
        BaselineFamily { events }
    }
}

/// Trailing annualised volatility of `s` (dates of the window's last return).
pub fn trailing_vol(s: &Series) -> Option<(Vec<chrono::NaiveDate>, Vec<f64>)> {
    let v = s.values();
    if v.len() < VOL_WINDOW + 2 || v.iter().any(|x| *x <= 0.0) {
        return None;
    }
    let r: Vec<f64> = v.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
    let sd = rolling_std(&r, VOL_WINDOW).ok()?;
    let ann = s.meta.frequency.periods_per_year().sqrt();
    let dates = s.dates()[VOL_WINDOW..].to_vec();
    Some((dates, sd.iter().map(|x| 100.0 * x * ann).collect()))
}

/// Distance (%) of `s` from its moving average, with the average itself.
pub fn ma_gap(s: &Series) -> Option<(Vec<chrono::NaiveDate>, Vec<f64>, Vec<f64>)> {
    let v = s.values();
    if v.len() < MA_WINDOW + 1 {
        return None;
    }
    let ma = rolling_mean(v, MA_WINDOW).ok()?;
    let dates = s.dates()[MA_WINDOW - 1..].to_vec();
    let gap = v[MA_WINDOW - 1..].iter().zip(&ma).map(|(p, m)| 100.0 * (p / m - 1.0)).collect();
    Some((dates, gap, ma))
}

impl SignalFamily for BaselineFamily {
    fn key(&self) -> &'static str {
        crate::composite::BASELINE_FAMILY
    }

    fn title(&self) -> Text {
        Text::new("Baselines", "基准")
    }

    fn inputs_used(&self, _inputs: &FamilyInputs) -> Option<Vec<String>> {
        Some(self.events.iter().map(|e| e.0.clone()).collect())
    }

    fn params(&self) -> String {
        let ev: Vec<String> = self.events.iter().map(|(id, t)| format!("{id}:{t}")).collect();
        format!("vol{VOL_WINDOW} ma{MA_WINDOW} events {}", ev.join(","))
    }

    fn compute(&self, inputs: &FamilyInputs) -> Result<FamilyOutput, String> {
        let mut out = FamilyOutput::default();
        for (id, threshold) in &self.events {
            let Some(s) = inputs.series.get(id) else {
                out.notes.push(Text::new(
                    format!("Event series {id} is not in the data; no baseline for it."),
                    format!("数据中没有事件序列 {id}，因此没有它的基准。"),
                ));
                continue;
            };
            let name = if s.meta.name.is_empty() { id.clone() } else { s.meta.name.clone() };
            if let Some((dates, vol)) = trailing_vol(s) {
                let pct = percentile::expanding(&vol, true, 20);
                let (last_v, last_p) = (vol.last().copied().unwrap_or(f64::NAN), pct.last().copied().flatten());
                let since = dates.first().map(|d| d.to_string()).unwrap_or_default();
                let p_txt = last_p.map_or_else(|| "n/a".to_string(), |p| format!("{p:.0}"));
                out.signals.push(SignalSeries {
                    spec: SignalSpec {
                        id: format!("baseline.vol_pct.{id}"),
                        family: self.key().into(),
                        title_en: format!("{id} 21-day volatility (baseline)"),
                        title_zh: format!("{id} 21日波动率（基准）"),
                        unit: "percent".into(),
                        higher_is_riskier: true,
                        thresholds: Thresholds::Percentile { elevated: 80.0, alarm: 95.0 },
                    },
                    explain_en: format!(
                        "{name} moved with an annualised volatility of {last_v:.1}% over the last 21 sessions, \
                         higher than {p_txt}% of readings since {since}."
                    ),
                    explain_zh: format!(
                        "{name}过去21个交易日的年化波动率为{last_v:.1}%，高于{since}以来{p_txt}%的读数。"
                    ),
                    dates: dates.clone(),
                    values: vol.clone(),
                });
                out.charts.push(Chart {
                    id: format!("baseline_vol_{}", id.to_lowercase()),
                    title: Text::new(format!("{id}: 21-day volatility"), format!("{id}：21日波动率")),
                    caption: Text::new(
                        "Annualised, % per year; dashed: the 80th and 95th percentiles of the full history shown.",
                        "年化，%；虚线：所示全部历史的第80与第95百分位。",
                    ),
                    data: ChartData::Lines {
                        lines: vec![Line { label: format!("{id} vol"), dates, values: vol.clone() }],
                        spans: vec![],
                        hlines: quantile_lines(&vol),
                        log_scale: false,
                    },
                });
            }
            if let Some((dates, gap, ma)) = ma_gap(s) {
                let last = gap.last().copied().unwrap_or(f64::NAN);
                let (rel_en, rel_zh) = if last >= 0.0 { ("above", "高于") } else { ("below", "低于") };
                out.signals.push(SignalSeries {
                    spec: SignalSpec {
                        id: format!("baseline.ma200.{id}"),
                        family: self.key().into(),
                        title_en: format!("{id} vs 200-day average (baseline)"),
                        title_zh: format!("{id} 相对200日均线（基准）"),
                        unit: "percent".into(),
                        higher_is_riskier: false,
                        thresholds: Thresholds::Absolute { elevated: 2.0, alarm: 0.0 },
                    },
                    explain_en: format!("{name} closed {:.1}% {rel_en} its 200-day moving average.", last.abs()),
                    explain_zh: format!("{name}收盘{rel_zh}200日均线{:.1}%。", last.abs()),
                    dates: dates.clone(),
                    values: gap,
                });
                let events = skill::find_events(s, *threshold);
                let spans = events
                    .iter()
                    .map(|e| Span {
                        start: e.peak_date,
                        end: e.trough_date,
                        label: format!("-{:.0}%", 100.0 * e.drawdown),
                    })
                    .collect();
                out.charts.push(Chart {
                    id: format!("baseline_price_{}", id.to_lowercase()),
                    title: Text::new(format!("{name} and its 200-day average"), format!("{name}及其200日均线")),
                    caption: Text::new(
                        format!("Log scale. Shaded: drawdowns of {:.0}% or more, peak to trough.", 100.0 * threshold),
                        format!("对数坐标。阴影：从高点到低点跌幅达{:.0}%或以上的回撤。", 100.0 * threshold),
                    ),
                    data: ChartData::Lines {
                        lines: vec![
                            Line { label: id.clone(), dates: s.dates().to_vec(), values: s.values().to_vec() },
                            Line { label: "MA200".into(), dates, values: ma },
                        ],
                        spans,
                        hlines: vec![],
                        log_scale: true,
                    },
                });
            }
        }
        out.methods.push(Text::new(
            "Trailing volatility percentile: annualised standard deviation of the last 21 log returns, ranked against \
             its own history up to each date (alarm at the 95th percentile, elevated at the 80th); Schwert (1989), \
             J. Finance 44(5).",
            "滞后波动率百分位：最近21个对数收益率的年化标准差，与截至当日的自身历史比较排名（第95百分位为警报，第80百分位为偏高）；\
             Schwert (1989), J. Finance 44(5)。",
        ));
        out.methods.push(Text::new(
            "200-day moving-average break: 100·(close / 200-day simple average − 1); alarm below the average, elevated \
             within 2% above it; Faber (2007), J. Wealth Management 9(4).",
            "跌破200日均线：100·(收盘价 / 200日简单均线 − 1)；低于均线为警报，高于均线不足2%为偏高；\
             Faber (2007), J. Wealth Management 9(4)。",
        ));
        Ok(out)
    }
}

/// Reference lines at the 80th and 95th percentiles of `x`.
fn quantile_lines(x: &[f64]) -> Vec<(String, f64)> {
    [0.8, 0.95]
        .iter()
        .filter_map(|p| fissure_stats::describe::quantile(x, *p).ok().map(|q| (format!("P{:.0}", p * 100.0), q)))
        .collect()
}
