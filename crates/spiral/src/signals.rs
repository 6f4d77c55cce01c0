//! The spiral family for the report: the amplification of a standard shock
//! (S&P 500 −5%) in the state of each month-end, and the fan chart of the latest one.
//!
//! Real-time safety: the state at date d (prices, σ, covariance, trend signals,
//! margin-debt positioning) is estimated from data dated ≤ d only
//! ([`Market::estimate`] with `as_of = d`); the agents' parameters are the bundled
//! calibration. Signals (ids `spiral.*`):
//! - `amplification`: median over paths of the amplification of the standard shock net of what the
//!   agents do on the same paths without it ([`Baseline`]: over 20 days they move prices even without a
//!   shock, and the plain ratio would count that drift as amplification);
//! - `forced_sales`: median margin-call sales of the standard shock, US$ bn.

use crate::config::SpiralConfig;
use crate::market::Market;
use crate::montecarlo::{simulate_with_baseline, Baseline};
use crate::shock::{parse_spec, Shock};
use chrono::{Datelike, NaiveDate};
use fissure_core::family::{Chart, ChartData, FamilyInputs, FamilyOutput, Line, SignalFamily, Text};
use fissure_core::{FanBand, FanLine, SignalSeries, SignalSpec, Thresholds};

/// The report's standard shock.
pub const STANDARD_SHOCK: &str = "SPX=-0.05";

/// Settings of the family (kept small: the report runs it at every month-end).
#[derive(Debug, Clone)]
pub struct SpiralFamily {
    pub config: SpiralConfig,
    /// Paths per month-end.
    pub paths: usize,
    /// Horizon, trading days.
    pub steps: usize,
    /// Years of month-end history.
    pub years: i32,
}

impl Default for SpiralFamily {
    fn default() -> Self {
        SpiralFamily { config: SpiralConfig::default_config(), paths: 200, steps: 20, years: 10 }
    }
}

fn spec(id: &str, en: &str, zh: &str, unit: &str) -> SignalSpec {
    SignalSpec {
        id: id.into(),
        family: "spiral".into(),
        title_en: en.into(),
        title_zh: zh.into(),
        unit: unit.into(),
        higher_is_riskier: true,
        thresholds: Thresholds::Percentile { elevated: 80.0, alarm: 95.0 },
    }
}

fn month_ends(first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut y = first.year();
    let mut m = first.month();
    loop {
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        let Some(end) = NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt()) else { break };
        if end >= last {
            break;
        }
        if end >= first {
            out.push(end);
        }
        y = ny;
        m = nm;
    }
    out.push(last);
    out
}

/// Methods and references shown in the report.
pub fn methods() -> Vec<Text> {
    vec![Text::new(
        "Liquidity spiral: Monte Carlo of an S&P 500 −5% shock with trend followers (time-series momentum over 1, 3 and 12 months, volatility-scaled, round-number stops; Moskowitz, Ooi & Pedersen 2012), vol-target / risk-parity funds, margin-constrained investors with volatility-dependent margins and pro-rata forced sales (Brunnermeier & Pedersen 2009), yen-carry traders and limited-capital value buyers; square-root price impact Δp/p = Y·σ·√(Q/ADV) (Bouchaud et al.). Amplification = loss with agents / loss without them on the same random numbers, net of the agents' own move on the same paths without the shock: A_net = 1 + [(L_w − L_f) − (L⁰_w − L⁰_f)] / L_s.",
        "流动性螺旋：对标普 500 下跌 5% 冲击的蒙特卡洛模拟，参与者包括趋势跟踪者（1、3、12 个月时间序列动量、波动率缩放、整数关口止损；Moskowitz、Ooi 与 Pedersen 2012）、波动率目标／风险平价基金、保证金随波动率上升并按比例强制平仓的杠杆投资者（Brunnermeier 与 Pedersen 2009）、日元套息交易者和资本有限的价值买家；平方根价格冲击 Δp/p = Y·σ·√(Q/ADV)（Bouchaud 等）。放大倍数 = 有参与者时的损失 / 同一随机数下无参与者时的损失，并扣除同一路径上无冲击时参与者自身造成的变动：A_net = 1 + [(L_w − L_f) − (L⁰_w − L⁰_f)] / L_s。",
    )]
}

impl SignalFamily for SpiralFamily {
    fn key(&self) -> &'static str {
        "spiral"
    }

    fn title(&self) -> Text {
        Text::new("Liquidity spiral", "流动性螺旋")
    }

    fn inputs_used(&self, _inputs: &FamilyInputs) -> Option<Vec<String>> {
        Some(self.config.series_needed())
    }

    fn params(&self) -> String {
        format!(
            "shock={STANDARD_SHOCK};paths={};steps={};years={};{:?}",
            self.paths, self.steps, self.years, self.config
        )
    }

    fn compute(&self, inputs: &FamilyInputs) -> Result<FamilyOutput, String> {
        let mut out = FamilyOutput { methods: methods(), ..Default::default() };
        let missing: Vec<String> =
            self.config.series_needed().into_iter().filter(|id| !inputs.series.contains_key(id)).collect();
        if !missing.is_empty() {
            out.notes.push(Text::new(
                format!("Liquidity spiral: skipped, missing series {}", missing.join(", ")),
                format!("流动性螺旋：已跳过，缺少序列 {}", missing.join("、")),
            ));
            return Ok(out);
        }
        let mut cfg = self.config.clone();
        cfg.simulation.paths = self.paths;
        cfg.simulation.steps = self.steps;
        // The latest common date of the assets.
        let last = match Market::estimate(&inputs.series, &cfg, inputs.as_of) {
            Ok(m) => m.start_date,
            Err(e) => {
                out.notes
                    .push(Text::new(format!("Liquidity spiral: skipped ({e})"), format!("流动性螺旋：已跳过（{e}）")));
                return Ok(out);
            }
        };
        let first = NaiveDate::from_ymd_opt(last.year() - self.years, last.month(), 1).unwrap_or(last);
        let spec_shock = parse_spec(STANDARD_SHOCK).map_err(|e| e.to_string())?;
        let mut dates = Vec::new();
        let mut amp = Vec::new();
        let mut plain = Vec::new();
        let mut forced = Vec::new();
        let mut latest = None;
        let mut skipped = 0usize;
        let mut reasons: Vec<String> = Vec::new();
        let mut dropped: Vec<NaiveDate> = Vec::new();
        for d in month_ends(first, last) {
            let m = match Market::estimate(&inputs.series, &cfg, Some(d)) {
                Ok(m) => m,
                Err(e) => {
                    skipped += 1;
                    let e = e.to_string();
                    if !reasons.contains(&e) {
                        reasons.push(e);
                    }
                    continue;
                }
            };
            for x in &m.dropped_days {
                if !dropped.contains(x) {
                    dropped.push(*x);
                }
            }
            let Ok(sh) = Shock::build(std::slice::from_ref(&spec_shock), &m, &cfg) else {
                skipped += 1;
                continue;
            };
            let (r, base) = simulate_with_baseline(&cfg, &m, &sh);
            let (Some(a), Some(net)) = (r.amplification, base.amplification_net) else {
                skipped += 1;
                let e = r.amplification_note.clone().unwrap_or_else(|| "no net amplification".into());
                if !reasons.contains(&e) {
                    reasons.push(e);
                }
                continue;
            };
            dates.push(m.start_date);
            amp.push(net.median);
            plain.push(a.median);
            forced.push(r.forced_sales.median);
            latest = Some((m, r, base));
        }
        if skipped > 0 {
            let why = reasons.join("; ");
            out.notes.push(Text::new(
                format!("Liquidity spiral: {skipped} month-ends skipped ({why})"),
                format!("流动性螺旋：跳过 {skipped} 个月末（{why}）"),
            ));
        }
        if !dropped.is_empty() {
            let list = dropped.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ");
            out.notes.push(Text::new(
                format!("Liquidity spiral: days with a non-positive price left out of the estimation windows: {list}"),
                format!("流动性螺旋：估计窗口中剔除了价格非正的交易日：{list}"),
            ));
        }
        let Some((m, r, base)) = latest else {
            out.notes
                .push(Text::new("Liquidity spiral: no month-end could be simulated", "流动性螺旋：没有可模拟的月末"));
            return Ok(out);
        };
        let a = r.amplification.map(|q| q.median).unwrap_or(f64::NAN);
        let Baseline { amplification_net, margin_call_share: calls_without, .. } = base;
        let net = amplification_net.map(|q| q.median).unwrap_or(f64::NAN);
        let (p05, p95) = amplification_net.map(|q| (q.p05, q.p95)).unwrap_or((f64::NAN, f64::NAN));
        let spx = &r.returns[m.index("SPX").unwrap_or(0)];
        let date = m.start_date;
        out.signals.push(SignalSeries {
            spec: spec(
                "spiral.amplification",
                "Spiral amplification of a 5% S&P 500 fall (net of the no-shock drift)",
                "标普 500 下跌 5% 的螺旋放大倍数（扣除无冲击漂移）",
                "ratio",
            ),
            dates: dates.clone(),
            values: amp.clone(),
            explain_en: format!(
                "In the state of {date}, the agents turn a 5% S&P 500 shock into a {:.1}% fall over {} days (median); net of what they do on the same paths without the shock, that is {net:.2}× the loss without them (90% band {p05:.2}–{p95:.2}; {a:.2}× before netting). Margin calls in {:.0}% of paths with the shock, {:.0}% without.",
                -100.0 * spx.with_agents.median,
                r.steps,
                100.0 * r.margin_call_share,
                100.0 * calls_without,
            ),
            explain_zh: format!(
                "按 {date} 的市场状态，参与者使标普 500 的 5% 冲击在 {} 个交易日内扩大为 {:.1}% 的下跌（中位数）；扣除同一路径上无冲击时参与者造成的变动后，为无参与者时损失的 {net:.2} 倍（90% 区间 {p05:.2}–{p95:.2}；扣除前 {a:.2} 倍）。有冲击时 {:.0}% 的路径出现追加保证金，无冲击时 {:.0}%。",
                r.steps,
                -100.0 * spx.with_agents.median,
                100.0 * r.margin_call_share,
                100.0 * calls_without,
            ),
        });
        let f_last = forced.last().copied().unwrap_or(f64::NAN);
        out.signals.push(SignalSeries {
            spec: spec("spiral.forced_sales", "Forced sales after a 5% S&P 500 fall", "标普 500 下跌 5% 后的强制平仓", "US$ bn"),
            dates: dates.clone(),
            values: forced,
            explain_en: format!("Margin-constrained investors would be forced to sell about ${f_last:.0}bn (median) after a 5% S&P 500 fall in the state of {date}."),
            explain_zh: format!("按 {date} 的市场状态，标普 500 下跌 5% 后，受保证金约束的投资者约需强制卖出 {:.0} 亿美元（中位数）。", f_last * 10.0),
        });
        // Fan chart of the S&P 500 path, in percent.
        let x: Vec<f64> = std::iter::once(0.0).chain(spx.bands.iter().map(|b| b.day as f64)).collect();
        let pct = |f: &dyn Fn(&crate::montecarlo::BandPoint) -> f64| -> Vec<f64> {
            std::iter::once(0.0).chain(spx.bands.iter().map(|b| 100.0 * f(b))).collect()
        };
        out.charts.push(Chart {
            id: "spiral_fan_spx".into(),
            title: Text::new(
                format!("S&P 500 after a 5% shock, state of {date}: with agents (bands) and without"),
                format!("{date} 状态下 5% 冲击后的标普 500：有参与者（区间）与无参与者"),
            ),
            caption: Text::new(
                format!("Cumulative return, {} paths; bands p05–p95 and p25–p75 with the agents; dashed: median without agents (same random numbers).", r.paths),
                format!("累计收益率，{} 条路径；区间为有参与者时的 p05–p95 与 p25–p75；虚线为无参与者时的中位数（同一随机数）。", r.paths),
            ),
            data: ChartData::Fan {
                x_label: "trading days after the shock / 冲击后交易日".into(),
                x,
                center_label: "median".into(),
                center: pct(&|b| b.with_agents.median),
                bands: vec![
                    FanBand { label: "p05–p95".into(), lower: pct(&|b| b.with_agents.p05), upper: pct(&|b| b.with_agents.p95) },
                    FanBand { label: "p25–p75".into(), lower: pct(&|b| b.with_agents.p25), upper: pct(&|b| b.with_agents.p75) },
                ],
                lines: vec![FanLine { label: "no agents".into(), values: pct(&|b| b.without_agents.median) }],
                unit: "%".into(),
            },
        });
        out.charts.push(Chart {
            id: "spiral_amplification".into(),
            title: Text::new("Amplification of a 5% S&P 500 fall, month-ends", "标普 500 下跌 5% 的放大倍数（月末）"),
            caption: Text::new(
                "Median over paths, net of what the agents do on the same paths without the shock, and before netting; each month-end uses data up to that date only.",
                "路径中位数：扣除同一路径上参与者无冲击时的变动后，以及扣除前；每个月末仅使用截至该日的数据。",
            ),
            data: ChartData::Lines {
                lines: vec![
                    Line { label: "net amplification".into(), dates: dates.clone(), values: amp },
                    Line { label: "before netting".into(), dates, values: plain },
                ],
                spans: vec![],
                hlines: vec![("1 = no amplification".into(), 1.0)],
                log_scale: false,
            },
        });
        if last < inputs.as_of.unwrap_or(last) {
            out.notes.push(Text::new(
                format!("Liquidity spiral: the state is that of {last}, the last date common to its eight assets."),
                format!("流动性螺旋：状态为其八项资产最后的共同日期 {last}。"),
            ));
        }
        Ok(out)
    }
}
