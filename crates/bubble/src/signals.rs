//! Bubble signals for the report, all real-time safe (the value at a date uses data up to it):
//!
//! * `bubble.bsadf.<id>` — BSADF(t) minus its 95% Monte Carlo critical value, on weekly data for
//!   daily series. A fixed smallest window (1.5 years of observations, at least 20) keeps the
//!   statistic independent of the sample end, and the pointwise critical value at t depends only
//!   on t, so neither uses later data.
//! * `bubble.lppls_pos.<id>` — LPPLS positive-bubble confidence over the whole history, every
//!   63 observations (a quarter) on a grid anchored at the series' start (so a date's value never
//!   depends on the data's end; the latest reading is the last grid point); 13 windows (750 → 125 days, step 50)
//!   instead of the FCO's 126 to keep the cold report affordable; the report caches the family's
//!   output in the store.
//! * `bubble.valuation_pct.<id>` — expanding percentile of a valuation ratio (non-price series).

use crate::analyse::{transform, Transform};
use crate::cv::{self, BsadfCvRule, CvMethod};
use crate::lppls_ci::{self, CiConfig};
use crate::psy::{self, LagSelection, MinWindow, PsyConfig};
use crate::valuation;
use crate::Result;
use fissure_core::{resample, Aggregation, Frequency, Series, SignalSeries, SignalSpec, Thresholds};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Cost controls of [`signals`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignalOptions {
    /// Monte Carlo replications for the BSADF critical values.
    pub mc_reps: usize,
    pub seed: u64,
    /// LPPLS confidence: number of grid dates, the most recent first (0 disables it;
    /// `usize::MAX`, the default, computes the whole history).
    pub lppls_dates: usize,
    /// Observations between those dates.
    pub lppls_every: usize,
    /// LPPLS windows: largest, smallest, step (observations).
    pub lppls_windows: (usize, usize, usize),
    /// Random starts per window (plus a warm start).
    pub lppls_starts: usize,
    /// Longest simulated path for the BSADF critical values; later positions reuse the value at
    /// this length (the pointwise CV grows only slowly with r2, like log log r2).
    pub mc_max_len: usize,
}

impl Default for SignalOptions {
    fn default() -> Self {
        SignalOptions {
            mc_reps: 499,
            seed: 20150401,
            lppls_dates: usize::MAX,
            lppls_every: 63,
            lppls_windows: (750, 125, 50),
            lppls_starts: 2,
            mc_max_len: 2600,
        }
    }
}

type CvKey = (usize, usize, u64);
/// Pointwise 95% BSADF critical values by (window, reps, seed): the value at position i depends
/// only on i, so the longest simulated path serves every shorter series.
fn cv_cache() -> &'static Mutex<HashMap<CvKey, Vec<f64>>> {
    static C: OnceLock<Mutex<HashMap<CvKey, Vec<f64>>>> = OnceLock::new();
    C.get_or_init(|| Mutex::new(HashMap::new()))
}

fn bsadf_cv95(n: usize, w: usize, reps: usize, seed: u64, max_len: usize) -> Result<Vec<f64>> {
    let full = n;
    let n = n.min(max_len.max(w + 10));
    let extend = |mut v: Vec<f64>| {
        let last = *v.last().unwrap_or(&f64::NAN);
        v.resize(full + 1 - w, last);
        v
    };
    let key = (w, reps, seed);
    if let Ok(c) = cv_cache().lock() {
        if let Some(v) = c.get(&key) {
            if v.len() >= n + 1 - w {
                return Ok(extend(v[..n + 1 - w].to_vec()));
            }
        }
    }
    let cfg = PsyConfig { lag: LagSelection::Fixed(0), min_window: MinWindow::Observations(w) };
    let dummy = vec![0.0; n];
    let cvs = cv::critical_values(
        &dummy,
        &cfg,
        CvMethod::MonteCarlo { reps, seed, drift_eta: None },
        BsadfCvRule::Pointwise,
        None,
    )?;
    let v: Vec<f64> = cvs.bsadf.iter().map(|c| c[1]).collect();
    if let Ok(mut c) = cv_cache().lock() {
        c.insert(key, v.clone());
    }
    Ok(extend(v))
}

fn is_daily(s: &Series) -> bool {
    let f = Frequency::infer(s.dates());
    matches!(f, Frequency::Daily | Frequency::CalendarDaily)
}

/// A bubble signal's spec; titles end with the series tested (`… — IXIC`), since the
/// family publishes the same signals for several series.
fn spec(id: String, subject: &str, title_en: &str, title_zh: &str, unit: &str, thresholds: Thresholds) -> SignalSpec {
    SignalSpec {
        id,
        family: "bubble".into(),
        title_en: format!("{title_en} — {subject}"),
        title_zh: format!("{title_zh} — {subject}"),
        unit: unit.into(),
        higher_is_riskier: true,
        thresholds,
    }
}

/// The bubble signals of one series (see the module documentation).
pub fn signals(series: &Series, opts: &SignalOptions) -> Result<Vec<SignalSeries>> {
    let mut out = vec![];
    let id = series.id().to_string();
    let price = series.meta.asset_class.is_price() && series.values().iter().all(|v| *v > 0.0);

    // 1. BSADF − 95% CV
    let base = if is_daily(series) { resample(series, Frequency::Weekly, Aggregation::Last)? } else { series.clone() };
    let freq = Frequency::infer(base.dates());
    let w = ((1.5 * freq.periods_per_year()).round() as usize).max(20);
    if base.len() >= w + 10 {
        let y = transform(base.values(), if price { Transform::Log } else { Transform::None })?;
        let cfg = PsyConfig { lag: LagSelection::Fixed(0), min_window: MinWindow::Observations(w) };
        let r = psy::radf(&y, &cfg)?;
        let cv95 = bsadf_cv95(y.len(), w, opts.mc_reps, opts.seed, opts.mc_max_len)?;
        let values: Vec<f64> = r.bsadf.iter().zip(&cv95).map(|(b, c)| b - c).collect();
        let dates = base.dates()[r.first..].to_vec();
        // flat windows have no statistic (NaN): the signal skips them
        let (dates, values): (Vec<_>, Vec<f64>) = dates.into_iter().zip(values).filter(|(_, v)| v.is_finite()).unzip();
        let last = *values.last().unwrap_or(&f64::NAN);
        let lastb = *r.bsadf.last().unwrap_or(&f64::NAN);
        let lastc = *cv95.last().unwrap_or(&f64::NAN);
        let run = values.iter().rev().take_while(|v| **v > 0.0).count();
        let (en, zh) = if last > 0.0 {
            (
                format!(
                    "Explosive: the BSADF statistic is {lastb:.2}, above its 95% critical value {lastc:.2} for {run} consecutive {} observation(s).",
                    freq
                ),
                format!("呈爆炸性：BSADF 统计量为 {lastb:.2}，已连续 {run} 期高于 95% 临界值 {lastc:.2}。"),
            )
        } else {
            (
                format!("Not explosive: the BSADF statistic is {lastb:.2}, below its 95% critical value {lastc:.2} (gap {last:.2})."),
                format!("未见爆炸性：BSADF 统计量为 {lastb:.2}，低于 95% 临界值 {lastc:.2}（差 {last:.2}）。"),
            )
        };
        out.push(SignalSeries {
            spec: spec(
                format!("bubble.bsadf.{id}"),
                &id,
                "PSY BSADF minus 95% critical value",
                "PSY BSADF 减 95% 临界值",
                "t-stat",
                Thresholds::Absolute { elevated: 0.0, alarm: 0.5 },
            ),
            dates,
            values,
            explain_en: en,
            explain_zh: zh,
        });
    }

    // 2. LPPLS positive-bubble confidence on recent dates
    let (maxw, minw, step) = opts.lppls_windows;
    if price && opts.lppls_dates > 0 && is_daily(series) && series.len() > minw + 1 {
        let t: Vec<f64> = series.dates().iter().map(|d| crate::lppls_plan::ordinal(*d)).collect();
        let y = transform(series.values(), Transform::Log)?;
        let n = series.len();
        // A grid anchored at the series' start (every `lppls_every` observations from
        // the smallest window), so a date's value is the same whatever the data's end,
        // plus the last observation; the most recent `lppls_dates` of them.
        let every = opts.lppls_every.max(1);
        // (no extra point on the last observation: the history at any date must be what a
        // run on the data to that date shows, and the grid's last point is at most 63 days old)
        let mut ends: Vec<usize> = (minw..n).step_by(every).collect();
        let keep = ends.len().min(opts.lppls_dates);
        let ends = ends.split_off(ends.len() - keep);
        let cfg = CiConfig {
            max_window: maxw,
            min_window: minw,
            step,
            starts: opts.lppls_starts,
            seed: opts.seed,
            ..CiConfig::default()
        };
        let pts = lppls_ci::indicator(&t, &y, &ends, &cfg, None)?;
        let dates: Vec<_> = pts.iter().map(|p| series.dates()[p.index]).collect();
        let values: Vec<f64> = pts.iter().map(|p| p.pos_conf).collect();
        let last = pts.last();
        let pc = last.map_or(0.0, |p| p.pos_conf * 100.0);
        let nw = last.map_or(0, |p| p.windows);
        let tc = last
            .and_then(|p| p.tc_quantile(0.5))
            .and_then(|d| chrono::NaiveDate::from_num_days_from_ce_opt(d.round() as i32));
        let (en, zh) = match tc {
            Some(tc) => (
                format!("LPPLS: {pc:.0}% of {nw} windows fit a qualified positive bubble; median critical time {tc}."),
                format!("LPPLS：{nw} 个窗口中 {pc:.0}% 拟合出合格的正泡沫；临界时间中位数 {tc}。"),
            ),
            None => (
                format!("LPPLS: {pc:.0}% of {nw} windows fit a qualified positive bubble; no qualified critical time."),
                format!("LPPLS：{nw} 个窗口中 {pc:.0}% 拟合出合格的正泡沫；无合格的临界时间。"),
            ),
        };
        out.push(SignalSeries {
            spec: spec(
                format!("bubble.lppls_pos.{id}"),
                &id,
                "LPPLS positive-bubble confidence",
                "LPPLS 正泡沫置信度",
                "share",
                Thresholds::Absolute { elevated: 0.1, alarm: 0.3 },
            ),
            dates,
            values,
            explain_en: en,
            explain_zh: zh,
        });
    }

    // 3. valuation percentile (ratios only)
    if !series.meta.asset_class.is_price() && series.len() >= 40 {
        let e = valuation::expanding(series.values(), 36)?;
        let last = *e.percentile.last().unwrap_or(&f64::NAN);
        let z = *e.zscore.last().unwrap_or(&f64::NAN);
        let v = *series.values().last().unwrap_or(&f64::NAN);
        let since = series.first_date().map(|d| d.to_string()).unwrap_or_default();
        out.push(SignalSeries {
            spec: spec(
                format!("bubble.valuation_pct.{id}"),
                &id,
                "Valuation percentile against own history",
                "估值历史百分位",
                "percent",
                Thresholds::Absolute { elevated: 80.0, alarm: 95.0 },
            ),
            dates: series.dates().to_vec(),
            values: e.percentile,
            explain_en: format!(
                "At {v:.2}, the ratio is at the {last:.0}th percentile of its history since {since} (z-score {z:.2})."
            ),
            explain_zh: format!("当前值 {v:.2}，处于 {since} 以来历史的第 {last:.0} 百分位（z 值 {z:.2}）。"),
        });
    }
    Ok(out)
}

/// The bubble family for the report: [`signals`] for every `bubble_assets` series, plus the
/// valuation percentile of the `cape` role; one chart per asset (weekly price, log scale, with
/// the spans where BSADF exceeds its 95% critical value).
#[derive(Debug, Clone, Default)]
pub struct BubbleFamily {
    pub opts: SignalOptions,
}

/// Spans where `values > 0` (consecutive dates), as chart spans.
fn positive_spans(dates: &[chrono::NaiveDate], values: &[f64], label: &str) -> Vec<fissure_core::family::Span> {
    let mut out = vec![];
    let mut i = 0;
    while i < values.len() {
        if values[i] > 0.0 {
            let s = i;
            while i < values.len() && values[i] > 0.0 {
                i += 1;
            }
            out.push(fissure_core::family::Span { start: dates[s], end: dates[i - 1], label: label.to_string() });
        } else {
            i += 1;
        }
    }
    out
}

/// Methods and references shown in the report.
pub fn methods() -> Vec<fissure_core::family::Text> {
    use fissure_core::family::Text;
    vec![
        Text::new(
            "PSY: Phillips, Shi & Yu (2015), International Economic Review 56(4): backward sup ADF (BSADF) on weekly log prices, lag 0, smallest window 1.5 years, 95% Monte Carlo critical value at each date (real-time).",
            "PSY：Phillips、Shi 与 Yu（2015），《国际经济评论》56(4)：基于周度对数价格的倒向上确界 ADF（BSADF），滞后 0 阶，最小窗口 1.5 年，逐日 95% 蒙特卡洛临界值（实时）。",
        ),
        Text::new(
            "LPPLS: Filimonov & Sornette (2013), Physica A 392(17) calibration; confidence indicator of Sornette et al. (2015), J. Investment Strategies 4(4), FCO filter 1, windows 750→125 days (step 50), every 63 trading days over the whole history.",
            "LPPLS：Filimonov 与 Sornette（2013），《物理学 A》392(17) 的校准方法；Sornette 等（2015）《投资策略杂志》4(4) 的置信度指标，FCO 过滤条件 1，窗口 750→125 个交易日（步长 50），在全部历史上每 63 个交易日计算一次。",
        ),
        Text::new(
            "Valuation stretch: expanding percentile of the ratio against its own history up to each date.",
            "估值偏离：比率相对于截至当日自身历史的扩展百分位。",
        ),
    ]
}

impl fissure_core::family::SignalFamily for BubbleFamily {
    fn key(&self) -> &'static str {
        "bubble"
    }

    fn title(&self) -> fissure_core::family::Text {
        fissure_core::family::Text::new("Bubbles", "泡沫")
    }

    fn compute(
        &self,
        inputs: &fissure_core::family::FamilyInputs,
    ) -> std::result::Result<fissure_core::family::FamilyOutput, String> {
        use fissure_core::family::{Chart, ChartData, FamilyOutput, Line, Text};
        let mut out = FamilyOutput { methods: methods(), ..Default::default() };
        for id in &inputs.bubble_assets {
            let Some(s) = inputs.series.get(id) else {
                out.notes.push(Text::new(
                    format!("Bubble asset `{id}` is not in the store."),
                    format!("泡沫检测资产 `{id}` 不在数据库中。"),
                ));
                continue;
            };
            match signals(s, &self.opts) {
                Ok(sig) => {
                    if let Some(b) = sig.iter().find(|x| x.spec.id.starts_with("bubble.bsadf.")) {
                        let weekly = if is_daily(s) {
                            resample(s, Frequency::Weekly, Aggregation::Last).ok()
                        } else {
                            Some(s.clone())
                        };
                        if let Some(w) = weekly {
                            out.charts.push(Chart {
                                id: format!(
                                    "bubble_{}",
                                    id.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_")
                                ),
                                title: Text::new(
                                    format!("{id}: explosive episodes (PSY BSADF > 95% CV)"),
                                    format!("{id}：爆炸性区间（PSY BSADF > 95% 临界值）"),
                                ),
                                caption: Text::new(b.explain_en.clone(), b.explain_zh.clone()),
                                data: ChartData::Lines {
                                    lines: vec![Line {
                                        label: id.clone(),
                                        dates: w.dates().to_vec(),
                                        values: w.values().to_vec(),
                                    }],
                                    spans: positive_spans(&b.dates, &b.values, "BSADF > CV95"),
                                    hlines: vec![],
                                    log_scale: s.values().iter().all(|v| *v > 0.0),
                                },
                            });
                        }
                    }
                    out.signals.extend(sig);
                }
                Err(e) => out.notes.push(Text::new(
                    format!("Bubble signals for `{id}` failed: {e}"),
                    format!("`{id}` 的泡沫信号计算失败：{e}"),
                )),
            }
        }
        if let Some(cape) = inputs.role("cape") {
            match signals(cape, &SignalOptions { lppls_dates: 0, ..self.opts }) {
                Ok(sig) => {
                    out.signals.extend(sig.into_iter().filter(|x| x.spec.id.starts_with("bubble.valuation_pct.")))
                }
                Err(e) => {
                    out.notes.push(Text::new(format!("CAPE valuation failed: {e}"), format!("CAPE 估值计算失败：{e}")))
                }
            }
        }
        Ok(out)
    }

    fn inputs_used(&self, inputs: &fissure_core::family::FamilyInputs) -> Option<Vec<String>> {
        let mut v = inputs.bubble_assets.clone();
        if let Some(id) = inputs.roles.get("cape") {
            v.push(id.clone());
        }
        Some(v)
    }

    fn params(&self) -> String {
        format!("{:?}", self.opts)
    }
}
