//! The `portfolio` family of the report: risk of the watchlist's `[portfolio]`.
//!
//! Signals (real-time safe: trailing windows, data ≤ as-of):
//! - `portfolio.var99`: one-day 99 % historical VaR on the trailing 500 days, daily; the
//!   report places it in its own history (percentile);
//! - `portfolio.es975`: one-day 97.5 % historical ES on the trailing 500 days;
//! - `portfolio.worst_scenario`: the worst P&L (loss, %) of the built-in replays that end
//!   on or before the as-of date;
//! - `portfolio.cash_shortfall`: the cash share needed to avoid a margin call in every
//!   replay, minus the cash held (0 for an unleveraged portfolio).
//!
//! The last two are single values at the as-of date with an explicit "no history" reason in
//! their explanation: the worst replay is a running maximum over fixed past episodes (monotone
//! by construction, so a percentile would say nothing), and past cash holdings are unknown.
//!
//! Charts: the P&L paths of the multi-day replays, the backtest of the 99 % VaR with its
//! exceptions marked, the Euler ES contributions by asset, and the replay P&L bars.

use crate::backtest::{self, BacktestOptions};
use crate::cash;
use crate::measures;
use crate::portfolio::{return_matrix, Portfolio};
use crate::scenario::{self, ReplayOptions};
use crate::var::Method;
use chrono::NaiveDate;
use fissure_core::{
    Chart, ChartData, FamilyInputs, FamilyOutput, Line, Series, SignalFamily, SignalSeries, SignalSpec, Span, Text,
    Thresholds,
};

/// Co-crash days of the inputs (supplied by the binary, which may use the contagion family).
pub type CoCrashFn = fn(&FamilyInputs) -> Vec<NaiveDate>;

/// The portfolio family.
#[derive(Clone, Default)]
pub struct PortfolioFamily {
    pub cocrash: Option<CoCrashFn>,
}

/// Factor candidates for proxies in replays (ids in the bundled data).
pub const PROXY_FACTORS: [&str; 12] =
    ["SPX", "IXIC", "DJI", "RUT", "SPY", "QQQ", "GOLD", "SILVER", "WTI", "COPPER", "US10Y", "SOX"];

const WINDOW: usize = 500;

/// Why `portfolio.worst_scenario` has no history (and so no percentile).
const NO_HISTORY_WORST_EN: &str = "No history, so no percentile: the value is the worst case over fixed past episodes \
     that had ended by each date, a running maximum that can only grow as episodes accumulate (its percentile in its \
     own past would be near 100 by construction); it is judged against the absolute thresholds (15 % / 30 %).";
const NO_HISTORY_WORST_ZH: &str =
    "无历史序列，因此无百分位：该值是截至各日期已结束的固定历史情景中的最差者，只会随情景累积而增大\
     （其在自身历史中的百分位按构造接近100），按绝对阈值（15% / 30%）判断。";
/// Why `portfolio.cash_shortfall` has no history.
const NO_HISTORY_CASH_EN: &str =
    "No history, so no percentile: the cash and leverage held at past dates are not known \
     (only today's portfolio is), and the replays are the same fixed past episodes; judged against the absolute \
     thresholds (1 % / 10 % of equity).";
const NO_HISTORY_CASH_ZH: &str =
    "无历史序列，因此无百分位：过去各日期持有的现金与杠杆未知（只知道今日组合），回放情景也是同样的固定历史情景；按绝对阈值（权益的1% / 10%）判断。";

fn spec(id: &str, en: &str, zh: &str, unit: &str, thresholds: Thresholds) -> SignalSpec {
    SignalSpec {
        id: id.into(),
        family: "portfolio".into(),
        title_en: en.into(),
        title_zh: zh.into(),
        unit: unit.into(),
        higher_is_riskier: true,
        thresholds,
    }
}

impl SignalFamily for PortfolioFamily {
    fn key(&self) -> &'static str {
        "portfolio"
    }

    fn title(&self) -> Text {
        Text::new("Portfolio risk", "组合风险")
    }

    fn params(&self) -> String {
        format!("window={WINDOW} levels=0.99/0.975 cocrash={}", self.cocrash.is_some())
    }

    fn inputs_used(&self, inputs: &FamilyInputs) -> Option<Vec<String>> {
        let mut ids: Vec<String> = inputs.portfolio.iter().map(|p| p.0.clone()).collect();
        ids.extend(PROXY_FACTORS.iter().map(|s| s.to_string()));
        if let Some(fx) = inputs.roles.get("usdjpy") {
            ids.push(fx.clone());
        }
        // co-crash days read the contagion universe
        if self.cocrash.is_some() {
            return None;
        }
        Some(ids)
    }

    fn compute(&self, inputs: &FamilyInputs) -> Result<FamilyOutput, String> {
        let mut out = FamilyOutput::default();
        if inputs.portfolio.is_empty() {
            out.notes.push(Text::new(
                "No [portfolio] in the watchlist: the portfolio family is empty.",
                "观察列表中没有 [portfolio]：组合风险部分为空。",
            ));
            return Ok(out);
        }
        let missing: Vec<&str> =
            inputs.portfolio.iter().filter(|p| !inputs.series.contains_key(&p.0)).map(|p| p.0.as_str()).collect();
        if !missing.is_empty() {
            out.notes.push(Text::new(
                format!("Portfolio assets without data: {}; the portfolio family is skipped.", missing.join(", ")),
                format!("组合中以下资产没有数据：{}；跳过组合风险。", missing.join("、")),
            ));
            return Ok(out);
        }
        // the watchlist's margins where given, else the asset class's default
        let entries: Vec<(String, f64, Option<f64>)> =
            inputs.portfolio.iter().map(|(id, w)| (id.clone(), *w, inputs.portfolio_margin.get(id).copied())).collect();
        let classes = |id: &str| inputs.series.get(id).map(|s| s.meta.asset_class).unwrap_or_default();
        let pf = Portfolio::from_weights(&entries, 1.0 - entries.iter().map(|e| e.1).sum::<f64>(), false, |id| {
            crate::portfolio::default_margin(classes(id))
        })
        .map_err(|e| e.to_string())?;
        let usdjpy = inputs.role("usdjpy");
        let assets: Vec<&Series> = pf.holdings.iter().map(|h| &inputs.series[&h.id]).collect();
        let m = return_matrix(&assets, usdjpy, inputs.as_of).map_err(|e| e.to_string())?;
        let w = pf.weights();
        let r = m.portfolio(&w);
        out.methods.push(Text::new(
            "Portfolio VaR/ES: historical type-7 quantile of losses L = −Σwᵢrᵢ on the trailing 500 days, ES = mean loss at or beyond VaR; Euler contributions (Tasche 1999); replays of named sell-offs with proxies by factor beta; cash buffer against margin calls (docs/risk.md).",
            "组合VaR/ES：最近500日损失 L = −Σwᵢrᵢ 的第7类经验分位数，ES 为不低于VaR的损失均值；欧拉分配（Tasche 1999）；以因子贝塔代理缺失资产回放历史抛售；防止追加保证金的现金缓冲（见 docs/risk.md）。",
        ));
        if r.len() < WINDOW + 1 {
            out.notes.push(Text::new(
                format!("The portfolio's assets have {} common days, fewer than the {WINDOW}-day window + 1.", r.len()),
                format!("组合资产共同交易日只有 {} 天，少于 {WINDOW} 天窗口加 1。", r.len()),
            ));
            return Ok(out);
        }
        // rolling VaR99 / ES97.5
        let mut dates = Vec::new();
        let mut var99 = Vec::new();
        let mut es975 = Vec::new();
        for t in WINDOW..=r.len() {
            let x = &r[t - WINDOW..t];
            let (Ok(a), Ok(b)) = (measures::historical(x, 1, &[1.0], 0.99), measures::historical(x, 1, &[1.0], 0.975))
            else {
                continue;
            };
            dates.push(m.dates[t - 1]);
            var99.push(100.0 * a.var);
            es975.push(100.0 * b.es);
        }
        let last_var = *var99.last().unwrap_or(&f64::NAN);
        let last_es = *es975.last().unwrap_or(&f64::NAN);
        out.signals.push(SignalSeries {
            spec: spec(
                "portfolio.var99",
                "Portfolio 1-day VaR 99%",
                "组合1日VaR 99%",
                "% of equity",
                Thresholds::default(),
            ),
            dates: dates.clone(),
            values: var99,
            explain_en: format!(
                "On a bad day (1 in 100) the portfolio loses at least {last_var:.2}% (historical, last {WINDOW} days)."
            ),
            explain_zh: format!("百日一遇的坏日子里组合至少亏损 {last_var:.2}%（历史模拟，最近 {WINDOW} 日）。"),
        });
        out.signals.push(SignalSeries {
            spec: spec(
                "portfolio.es975",
                "Portfolio 1-day ES 97.5%",
                "组合1日ES 97.5%",
                "% of equity",
                Thresholds::default(),
            ),
            dates,
            values: es975,
            explain_en: format!("Beyond the 97.5% VaR the average loss is {last_es:.2}% a day."),
            explain_zh: format!("超过97.5% VaR 时平均日亏损 {last_es:.2}%。"),
        });
        let as_of = inputs.as_of.unwrap_or(*m.dates.last().expect("non-empty"));
        // scenarios
        let factors: Vec<&Series> = PROXY_FACTORS.iter().filter_map(|id| inputs.series.get(*id)).collect();
        let held: Vec<(&Series, f64)> = assets.iter().copied().zip(w.iter().copied()).collect();
        let mut episodes: Vec<scenario::Episode> =
            scenario::named_episodes().into_iter().filter(|e| e.end <= as_of).collect();
        if let Some(f) = self.cocrash {
            let mut days = f(inputs);
            days.retain(|d| *d <= as_of);
            episodes.extend(days.into_iter().map(|d| scenario::Episode {
                name: format!("co-crash {d}"),
                start: d,
                end: d,
            }));
        }
        let ro = ReplayOptions::default();
        let mut replays = Vec::new();
        for ep in &episodes {
            match scenario::replay(&held, &factors, ep, &ro) {
                Ok(rp) => {
                    let paths = scenario::asset_paths(&rp, &held, &factors, &ro);
                    replays.push((rp, paths));
                }
                Err(e) => out.notes.push(Text::new(format!("Replay skipped: {e}"), format!("跳过回放：{e}"))),
            }
        }
        if let Some((worst, _)) = replays.iter().min_by(|a, b| a.0.worst_pct.total_cmp(&b.0.worst_pct)) {
            let loss = -worst.worst_pct;
            out.signals.push(SignalSeries {
                spec: spec(
                    "portfolio.worst_scenario",
                    "Worst replayed scenario (loss)",
                    "最差历史情景（亏损）",
                    "% of equity",
                    Thresholds::Absolute { elevated: 15.0, alarm: 30.0 },
                ),
                dates: vec![as_of],
                values: vec![loss],
                explain_en: format!(
                    "Today's holdings replayed through `{}` ({} → {}) would have lost {loss:.1}% at the worst point ({}). \
                     {NO_HISTORY_WORST_EN}",
                    worst.name, worst.start, worst.end, worst.worst_date
                ),
                explain_zh: format!(
                    "按今日持仓回放“{}”（{} → {}），最差时亏损 {loss:.1}%（{}）。{NO_HISTORY_WORST_ZH}",
                    worst.name, worst.start, worst.end, worst.worst_date
                ),
            });
            let margins: Vec<f64> = pf.holdings.iter().map(|h| h.margin).collect();
            let need = replays
                .iter()
                .map(|(r, p)| cash::cash_buffer(&r.name, &r.path_dates, p, &w, &margins).required_cash_share)
                .fold(0.0, f64::max);
            let shortfall = (need - pf.cash.max(0.0)).max(0.0);
            out.signals.push(SignalSeries {
                spec: spec(
                    "portfolio.cash_shortfall",
                    "Cash-buffer shortfall",
                    "现金缓冲缺口",
                    "share of equity",
                    Thresholds::Absolute { elevated: 0.01, alarm: 0.10 },
                ),
                dates: vec![as_of],
                values: vec![shortfall],
                explain_en: format!(
                    "Cash needed to avoid any margin call in the replays: {:.1}% of equity; held {:.1}%. \
                     {NO_HISTORY_CASH_EN}",
                    100.0 * need,
                    100.0 * pf.cash.max(0.0)
                ),
                explain_zh: format!(
                    "回放情景中避免追加保证金所需现金：权益的 {:.1}%；当前持有 {:.1}%。{NO_HISTORY_CASH_ZH}",
                    100.0 * need,
                    100.0 * pf.cash.max(0.0)
                ),
            });
        }
        // charts: scenario paths (multi-day named episodes)
        for (rp, _) in replays.iter().filter(|(r, _)| r.start < r.end && r.path_dates.len() > 2) {
            out.charts.push(Chart {
                id: format!("portfolio_replay_{}", rp.name),
                title: Text::new(
                    format!("Replay: {} ({} → {})", rp.name, rp.start, rp.end),
                    format!("情景回放：{}（{} → {}）", rp.name, rp.start, rp.end),
                ),
                caption: Text::new(
                    format!(
                        "P&L of today's holdings along the actual path, % of equity; end {:.1}%, worst {:.1}% on {}.{}",
                        rp.pnl_pct,
                        rp.worst_pct,
                        rp.worst_date,
                        proxies_en(rp)
                    ),
                    format!(
                        "今日持仓沿真实路径的盈亏（权益%）；期末 {:.1}%，最差 {:.1}%（{}）。{}",
                        rp.pnl_pct,
                        rp.worst_pct,
                        rp.worst_date,
                        proxies_zh(rp)
                    ),
                ),
                data: ChartData::Lines {
                    lines: vec![Line {
                        label: "P&L %".into(),
                        dates: rp.path_dates.clone(),
                        values: rp.path_pct.clone(),
                    }],
                    spans: vec![],
                    hlines: vec![("0".into(), 0.0)],
                    log_scale: false,
                },
            });
        }
        if !replays.is_empty() {
            let named: Vec<&scenario::Replay> =
                replays.iter().map(|r| &r.0).filter(|r| !r.name.starts_with("co-crash")).collect();
            out.charts.push(Chart {
                id: "portfolio_replay_bars".into(),
                title: Text::new("Replayed sell-offs: P&L of today's holdings", "历史抛售回放：今日持仓盈亏"),
                caption: Text::new("Close of start to close of end, % of equity.", "起始日收盘至结束日收盘，权益%。"),
                data: ChartData::Bars {
                    labels: named.iter().map(|r| r.name.clone()).collect(),
                    values: named.iter().map(|r| r.pnl_pct).collect(),
                },
            });
        }
        // backtest chart (historical 99 %)
        let bo = BacktestOptions { window: WINDOW, level: 0.99, sims: 0, ..Default::default() };
        if let Ok(f) = backtest::forecasts(&r, &m.dates, Method::Historical, &bo) {
            let k = f.dates.len().saturating_sub(750);
            let spans: Vec<Span> = (k..f.dates.len())
                .filter(|&i| f.loss[i] > f.var[i])
                .map(|i| Span { start: f.dates[i], end: f.dates[i], label: "exception".into() })
                .collect();
            let x = spans.len();
            out.charts.push(Chart {
                id: "portfolio_var_backtest".into(),
                title: Text::new("VaR 99% backtest (historical, 500 days)", "VaR 99% 回测（历史模拟，500日）"),
                caption: Text::new(
                    format!("Daily loss and the VaR forecast made the day before, last {} days; {x} exceptions shaded (expected {:.1}).", f.dates.len() - k, 0.01 * (f.dates.len() - k) as f64),
                    format!("每日亏损与前一日的VaR预测，最近 {} 日；阴影为 {x} 次突破（期望 {:.1} 次）。", f.dates.len() - k, 0.01 * (f.dates.len() - k) as f64),
                ),
                data: ChartData::Lines {
                    lines: vec![
                        Line { label: "loss %".into(), dates: f.dates[k..].to_vec(), values: f.loss[k..].iter().map(|v| 100.0 * v).collect() },
                        Line { label: "VaR 99% %".into(), dates: f.dates[k..].to_vec(), values: f.var[k..].iter().map(|v| 100.0 * v).collect() },
                    ],
                    spans,
                    hlines: vec![],
                    log_scale: false,
                },
            });
        }
        // contributions
        let tail = m.tail(WINDOW);
        if let Ok(e) = measures::historical(&tail.data, tail.n(), &w, 0.975) {
            out.charts.push(Chart {
                id: "portfolio_contributions".into(),
                title: Text::new("ES 97.5% contributions by asset", "ES 97.5% 按资产的贡献"),
                caption: Text::new(
                    format!(
                        "Euler components of the 1-day historical ES ({:.2}% in total); they sum to the total.",
                        100.0 * e.es
                    ),
                    format!("1日历史ES的欧拉分量（合计 {:.2}%），各分量之和等于总量。", 100.0 * e.es),
                ),
                data: ChartData::Bars { labels: pf.ids(), values: e.es_components.iter().map(|v| 100.0 * v).collect() },
            });
        }
        Ok(out)
    }
}

fn proxies_en(r: &scenario::Replay) -> String {
    if r.proxies.is_empty() {
        return String::new();
    }
    let p: Vec<String> =
        r.proxies.iter().map(|p| format!("{} ≈ {:.2}×{} (R² {:.2})", p.id, p.beta, p.proxy, p.r2)).collect();
    format!(" Proxies: {}.", p.join("; "))
}

fn proxies_zh(r: &scenario::Replay) -> String {
    if r.proxies.is_empty() {
        return String::new();
    }
    let p: Vec<String> =
        r.proxies.iter().map(|p| format!("{} ≈ {:.2}×{}（R² {:.2}）", p.id, p.beta, p.proxy, p.r2)).collect();
    format!("代理：{}。", p.join("；"))
}
