//! The network family's signals and charts for the report.
//!
//! Signals (ids `network.*`), one value per month end (and the report date), each
//! computed from the deals dated and known by that date (real-time safe):
//! - `circular_share`: maximum circulation / all disclosed flows;
//! - `round_trip_max`: the largest round-trip revenue share of any firm (3 hops);
//! - `top_concentration`: the top payer's share of the inflows of the firm with the largest inflows;
//! - `debtrank_central`: DebtRank of the failure (loss 1) of the most central firm (the one
//!   whose failure hits the others' equity hardest in the first round, `Σ_j W_ij`);
//! - `capex_intensity`: median capex / revenue of the supplied fundamentals (latest period).
//!
//! Thresholds are absolute levels (stated in docs/network.md); the monthly history (from
//! January 2023 in the bundle) also gives the registry's percentiles once 20 month ends
//! and a year exist.

use crate::capex::{self, Method};
use crate::claims::{check_claims, Verdict};
use crate::graph::{DealGraph, StatusWeights};
use crate::stress::{DebtRankEngine, DebtRankVariant, ExposureNetwork};
use chrono::{Datelike, NaiveDate};
use fissure_core::family::{Chart, ChartData, FamilyInputs, FamilyOutput, Line, SignalFamily, Text};
use fissure_core::{DealBook, DealStatus, NetEdge, NetNode, SignalSeries, SignalSpec, Thresholds};
use std::collections::BTreeMap;

/// 64-bit FNV-1a of a text (the deal book's fingerprint for the report's cache).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The deal-network family.
#[derive(Debug, Clone, Copy, Default)]
pub struct NetworkFamily;

fn spec(id: &str, en: &str, zh: &str, unit: &str, elevated: f64, alarm: f64) -> SignalSpec {
    SignalSpec {
        id: id.into(),
        family: "network".into(),
        title_en: en.into(),
        title_zh: zh.into(),
        unit: unit.into(),
        higher_is_riskier: true,
        thresholds: Thresholds::Absolute { elevated, alarm },
    }
}

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.0}%", x * 100.0)
    } else {
        "n/a".into()
    }
}

/// The firm whose failure costs the others most in the first round, and the DebtRank of its failure.
pub fn central_debtrank(book: &DealBook) -> Option<(String, f64)> {
    let (net, _) = ExposureNetwork::from_deals(book, &BTreeMap::new()).ok()?;
    let mut engine = DebtRankEngine::new(&net);
    let w = engine.impacts();
    let (i, s) = (0..net.names.len())
        .map(|i| (i, w.of(i).map(|(j, wij)| wij * net.equity[j].unwrap_or(0.0)).sum::<f64>()))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
    if s <= 0.0 {
        return None;
    }
    let r = engine.run(&[(i, 1.0)], DebtRankVariant::Original).ok()?;
    Some((net.names[i].clone(), r.debtrank))
}

/// Month ends from the first deal's month to `as_of`'s, the last one being `as_of` itself.
/// Deals are dated by day, so each month end is an exact point-in-time state of the graph
/// (a month without a new deal repeats the graph: the history is a step function).
fn month_dates(book: &DealBook, as_of: NaiveDate) -> Vec<NaiveDate> {
    let Some(first) = book.deals.iter().map(|d| d.date).min() else { return Vec::new() };
    let month_end = |y: i32, m: u32| {
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt())
    };
    let mut out = Vec::new();
    let (mut y, mut m) = (first.year(), first.month());
    while let Some(end) = month_end(y, m) {
        if end >= as_of {
            break;
        }
        out.push(end);
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    if first <= as_of {
        out.push(as_of);
    }
    out
}

fn network_chart(book: &DealBook) -> Chart {
    let g = DealGraph::new(book);
    let mut on_cycle = std::collections::BTreeSet::new();
    g.each_cycle(None, |c| {
        for (i, a) in c.nodes.iter().enumerate() {
            on_cycle.insert((a.clone(), c.nodes[(i + 1) % c.nodes.len()].clone()));
        }
        std::ops::ControlFlow::Continue(())
    });
    let nodes = g
        .firms
        .iter()
        .map(|f| NetNode { id: f.clone(), size: book.firm(f).and_then(|x| x.valuation_usd_bn) })
        .collect();
    let edges = book
        .deals
        .iter()
        .map(|d| NetEdge {
            from: d.payer.clone(),
            to: d.payee.clone(),
            amount: d.amount_usd_bn,
            style: match d.status {
                DealStatus::Completed | DealStatus::Committed => "solid",
                DealStatus::Announced | DealStatus::Reported => "dashed",
                DealStatus::LetterOfIntent => "dotted",
            }
            .into(),
            in_cycle: on_cycle.contains(&(d.payer.clone(), d.payee.clone())),
            label: format!(
                "{} → {}: {} {}, {} ({})",
                d.payer,
                d.payee,
                d.kind,
                d.amount_usd_bn.map_or("undisclosed".to_string(), |a| format!("${a}B")),
                d.status,
                d.date
            ),
        })
        .collect();
    Chart {
        id: "network_deals".into(),
        title: Text::new("The AI deal network", "AI 交易网络"),
        caption: Text::new(
            "Money flows from payer to payee. Node area ∝ valuation (hollow: unknown); edge width ∝ amount (thin grey: undisclosed); red edges lie on a cycle; solid = completed or committed, dashed = announced or reported, dotted = letter of intent.",
            "资金由付款方流向收款方。节点面积与估值成正比（空心：估值未知）；边宽与金额成正比（细灰线：金额未披露）；红色边位于循环上；实线=已完成或已承诺，虚线=已宣布或媒体报道，点线=意向书。",
        ),
        data: ChartData::DealNetwork { nodes, edges },
    }
}

fn claims_chart(book: &DealBook, inputs: &FamilyInputs) -> Option<Chart> {
    if book.claims.is_empty() {
        return None;
    }
    let id = inputs.roles.get("market_caps").cloned().unwrap_or_else(|| "SP500_MCAP".into());
    let caps: Vec<fissure_core::CrossSection> = inputs
        .sections
        .get(&id)
        .map(|v| v.iter().filter(|s| s.field == "market_cap_usd_bn").cloned().collect())
        .unwrap_or_default();
    let checks = check_claims(&book.claims, &book.fundamentals, &book.firms, &caps);
    let same = |x: String| Text::new(x.clone(), x);
    let rows = checks
        .iter()
        .map(|c| {
            vec![
                same(c.claim_id.clone()),
                same(c.subject.clone()),
                same(format!("{} {}", c.metric, c.period)),
                same(c.value.map_or("—".into(), |v| format!("{v} {}", c.unit))),
                c.verdict.text(),
                c.reason.clone(),
            ]
        })
        .collect();
    let n = |v: Verdict| checks.iter().filter(|c| c.verdict == v).count();
    Some(Chart {
        id: "network_claims".into(),
        title: Text::new("Claims check", "说法核验"),
        caption: Text::new(
            format!(
                "Every numerical claim of the commentaries: {} consistent, {} inconsistent, {} not checkable here. The bundle has no audited financial statements; supply a fundamentals file to check firm-level figures.",
                n(Verdict::Consistent),
                n(Verdict::Inconsistent),
                n(Verdict::NotCheckable)
            ),
            format!(
                "评论中的每个数字说法：{} 条一致，{} 条不一致，{} 条此处无法核验。数据包中没有经审计的财务报表；提供基本面文件即可核验公司层面的数字。",
                n(Verdict::Consistent),
                n(Verdict::Inconsistent),
                n(Verdict::NotCheckable)
            ),
        ),
        data: ChartData::Table {
            columns: vec![
                Text::new("id", "编号"),
                Text::new("subject", "对象"),
                Text::new("metric", "指标"),
                Text::new("value", "数值"),
                Text::new("verdict", "结论"),
                Text::new("why", "理由"),
            ],
            rows,
        },
    })
}

/// The capex figure the required-revenue table is built on: the largest one-year
/// group capex claim (e.g. the four hyperscalers' 2026 plans).
fn table_capex(book: &DealBook) -> Option<(f64, String)> {
    book.claims
        .iter()
        .filter(|c| matches!(c.metric.as_str(), "capex" | "ai_capex") && c.period.len() == 4 && c.subject.contains('+'))
        .filter_map(|c| c.value.map(|v| (v, c.claim_id.clone())))
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

fn required_revenue_chart(c: f64, id: &str) -> Option<Chart> {
    let same = |x: String| Text::new(x.clone(), x);
    let mut rows = Vec::new();
    for &r in &capex::HURDLES {
        for &n in &capex::LIVES {
            let mut row = vec![same(format!("{:.0}%", r * 100.0)), same(format!("{n:.0}"))];
            for &m in &capex::MARGINS {
                let v = capex::required_revenue(c, r, n, m, Method::Annuity).ok()?;
                row.push(same(format!("{v:.0}")));
            }
            rows.push(row);
        }
    }
    let mut columns = vec![Text::new("hurdle r", "回报率 r"), Text::new("life n (years)", "使用年限 n（年）")];
    columns.extend(
        capex::MARGINS
            .iter()
            .map(|m| Text::new(format!("margin {:.0}%", m * 100.0), format!("利润率 {:.0}%", m * 100.0))),
    );
    Some(Chart {
        id: "network_required_revenue".into(),
        title: Text::new(
            format!("Required annual revenue for ${c:.0}B of capex ({id})"),
            format!("{c:.0} 十亿美元资本开支所需的年收入（{id}）"),
        ),
        caption: Text::new(
            "Annuity method R = C·r/(1−(1+r)^−n)/m, USD bn a year; straight-line C·(1/n + r)/m is higher (see `fissure capex required-revenue`).",
            "年金法 R = C·r/(1−(1+r)^−n)/m，单位：十亿美元/年；直线法 C·(1/n + r)/m 更高（见 `fissure capex required-revenue`）。",
        ),
        data: ChartData::Table { columns, rows },
    })
}

fn capex_vs_revenue_chart(book: &DealBook) -> Option<Chart> {
    let mut labels = Vec::new();
    let mut values = Vec::new();
    if !book.fundamentals.is_empty() {
        for r in capex::intensity(&book.fundamentals) {
            if let (Some(c), Some(v)) = (r.capex_usd_bn, r.revenue_usd_bn) {
                labels.push(format!("{} {} capex", r.firm, r.period));
                values.push(c);
                labels.push(format!("{} {} revenue", r.firm, r.period));
                values.push(v);
            }
        }
    } else {
        for c in &book.claims {
            if matches!(c.metric.as_str(), "capex" | "ai_capex" | "ai_revenue" | "required_revenue") {
                if let Some(v) = c.value {
                    labels.push(format!("{} {} {} ({})", c.subject, c.metric, c.period, c.claim_id));
                    values.push(v);
                }
            }
        }
    }
    if labels.is_empty() {
        return None;
    }
    Some(Chart {
        id: "network_capex_revenue".into(),
        title: Text::new("Capex against revenue (USD bn)", "资本开支与收入对比（十亿美元）"),
        caption: Text::new(
            if book.fundamentals.is_empty() {
                "From the commentaries' claims (no fundamentals file loaded): capex plans, AI revenue and the revenue said to be required."
            } else {
                "From the fundamentals file: capex and revenue by firm and period."
            },
            if book.fundamentals.is_empty() {
                "来自评论中的说法（未载入基本面文件）：资本开支计划、AI 收入以及所称的必要收入。"
            } else {
                "来自基本面文件：各公司各期的资本开支与收入。"
            },
        ),
        data: ChartData::Bars { labels, values },
    })
}

impl SignalFamily for NetworkFamily {
    fn key(&self) -> &'static str {
        "network"
    }

    fn title(&self) -> Text {
        Text::new("AI capital loop (deal network)", "AI 资本循环（交易网络）")
    }

    fn inputs_used(&self, inputs: &FamilyInputs) -> Option<Vec<String>> {
        // the deal book is not a series: its content hash stands in for a revision
        // (an id the store does not know, so the cache key changes exactly when the book does)
        let id = inputs.roles.get("market_caps").cloned().unwrap_or_else(|| "SP500_MCAP".into());
        Some(vec![id, format!("deal_book:{:016x}", fnv1a(&format!("{:?}", inputs.deals)))])
    }

    fn compute(&self, inputs: &FamilyInputs) -> Result<FamilyOutput, String> {
        let mut out = FamilyOutput::default();
        let Some(full) = inputs.deals.as_ref().filter(|b| !b.deals.is_empty()) else {
            out.notes.push(Text::new(
                "No deal book in the store: run `fissure ingest --demo` or `fissure network ingest DEALS FIRMS`.",
                "数据库中没有交易数据：请运行 `fissure ingest --demo` 或 `fissure network ingest DEALS FIRMS`。",
            ));
            return Ok(out);
        };
        let as_of = inputs.as_of.or_else(|| full.deals.iter().map(|d| d.known_since).max()).unwrap_or_default();
        let book = full.as_of(as_of);
        if book.deals.is_empty() {
            out.notes.push(Text::new(format!("No deal was known by {as_of}."), format!("截至 {as_of} 尚无已知交易。")));
            return Ok(out);
        }
        let undisclosed = book.deals.iter().filter(|d| d.amount_usd_bn.is_none()).count();
        if undisclosed > 0 {
            out.notes.push(Text::new(
                format!("{undisclosed} of {} deals have no disclosed amount: they count as edges (cycles) but not in any amount.", book.deals.len()),
                format!("{} 笔交易中有 {undisclosed} 笔金额未披露：它们计入网络结构（循环），但不计入任何金额。", book.deals.len()),
            ));
        }
        let unknown: Vec<&str> =
            book.firms.iter().filter(|f| f.valuation_usd_bn.is_none()).map(|f| f.firm.as_str()).collect();
        if !unknown.is_empty() {
            out.notes.push(Text::new(
                format!("Size unknown (not scaled in DebtRank, absorb no loss): {}.", unknown.join(", ")),
                format!("规模未知（DebtRank 中不做缩放、不承担损失）：{}。", unknown.join("、")),
            ));
        }
        let dates = month_dates(&book, as_of);
        let weights = StatusWeights::default();
        let mut circ = Vec::new();
        let mut rt = Vec::new();
        let mut conc = Vec::new();
        let mut dr = Vec::new();
        let mut last_rt = None;
        let mut last_conc = None;
        let mut last_dr = None;
        for &d in &dates {
            let b = book.as_of(d);
            let g = DealGraph::new(&b);
            circ.push(g.circulation().ok().and_then(|c| c.share).unwrap_or(f64::NAN));
            let best = g
                .round_trip(3, &weights)
                .into_iter()
                .filter_map(|r| r.share.map(|s| (s, r)))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            rt.push(best.as_ref().map_or(f64::NAN, |x| x.0));
            last_rt = best.map(|x| x.1);
            let top = g.concentration().into_iter().max_by(|a, b| a.inflow_usd_bn.total_cmp(&b.inflow_usd_bn));
            conc.push(top.as_ref().map_or(f64::NAN, |c| c.top_share));
            last_conc = top;
            let c = central_debtrank(&b);
            dr.push(c.as_ref().map_or(f64::NAN, |x| x.1));
            last_dr = c;
        }
        let last = |v: &[f64]| v.last().copied().unwrap_or(f64::NAN);
        let c_now = last(&circ);
        out.signals.push(SignalSeries {
            spec: spec("network.circular_share", "Circular share of deal flows", "交易资金的循环占比", "share", 0.2, 0.4),
            dates: dates.clone(),
            values: circ.clone(),
            explain_en: format!(
                "{} of the disclosed deal flows known by {as_of} go round in cycles (maximum circulation) and could be netted away.",
                pct(c_now)
            ),
            explain_zh: format!("截至 {as_of} 已披露交易资金中有 {} 在循环中流转（最大环流），可被相互抵消。", pct(c_now)),
        });
        let (rt_en, rt_zh) = match &last_rt {
            Some(r) => (
                format!(
                    "{} of {}'s disclosed revenue-like inflows come from firms it funded (via {}).",
                    pct(r.share.unwrap_or(f64::NAN)),
                    r.firm,
                    r.via.join(", ")
                ),
                format!(
                    "{} 已披露的营收类流入中有 {} 来自其投资过的公司（经由 {}）。",
                    r.firm,
                    pct(r.share.unwrap_or(f64::NAN)),
                    r.via.join("、")
                ),
            ),
            None => ("No firm has disclosed revenue-like inflows.".into(), "没有公司有已披露的营收类流入。".into()),
        };
        out.signals.push(SignalSeries {
            spec: spec(
                "network.round_trip_max",
                "Largest round-trip revenue share",
                "最大的回流收入占比",
                "share",
                0.25,
                0.5,
            ),
            dates: dates.clone(),
            values: rt,
            explain_en: rt_en,
            explain_zh: rt_zh,
        });
        let (c_en, c_zh) = match &last_conc {
            Some(c) => (
                format!(
                    "{} of {}'s disclosed inflows (${:.0}B) come from {} (HHI {:.2}).",
                    pct(c.top_share),
                    c.firm,
                    c.inflow_usd_bn,
                    c.top_payer,
                    c.hhi
                ),
                format!(
                    "{} 已披露流入（{:.0} 十亿美元）中有 {} 来自 {}（HHI {:.2}）。",
                    c.firm,
                    c.inflow_usd_bn,
                    pct(c.top_share),
                    c.top_payer,
                    c.hhi
                ),
            ),
            None => ("No disclosed inflows.".into(), "没有已披露的流入。".into()),
        };
        out.signals.push(SignalSeries {
            spec: spec(
                "network.top_concentration",
                "Top counterparty concentration",
                "最大交易对手集中度",
                "share",
                0.5,
                0.8,
            ),
            dates: dates.clone(),
            values: conc,
            explain_en: c_en,
            explain_zh: c_zh,
        });
        let (d_en, d_zh) = match &last_dr {
            Some((f, r)) => (
                format!("If {f} failed outright, the others would lose {} of the network's equity value (DebtRank, exposures scaled by size).", pct(*r)),
                format!("若 {f} 完全违约，其他公司将损失网络权益价值的 {}（DebtRank，敞口按规模缩放）。", pct(*r)),
            ),
            None => ("No exposure can be scaled by a known size.".into(), "没有可按已知规模缩放的敞口。".into()),
        };
        out.signals.push(SignalSeries {
            spec: spec(
                "network.debtrank_central",
                "DebtRank of the most central firm's failure",
                "最核心公司违约的 DebtRank",
                "share",
                0.05,
                0.15,
            ),
            dates: dates.clone(),
            values: dr,
            explain_en: d_en,
            explain_zh: d_zh,
        });
        // capex intensity (needs a fundamentals file)
        let rows = capex::intensity(&book.fundamentals);
        if let Some(latest) = book.fundamentals.iter().map(|r| r.period_end).max() {
            let mut by_date: BTreeMap<NaiveDate, Vec<f64>> = BTreeMap::new();
            for (r, f) in rows.iter().zip(&book.fundamentals) {
                if let Some(x) = r.capex_to_revenue {
                    by_date.entry(f.published.max(f.period_end)).or_default().push(x);
                }
            }
            let (ds, vs): (Vec<NaiveDate>, Vec<f64>) = by_date
                .into_iter()
                .map(|(d, mut v)| {
                    v.sort_by(f64::total_cmp);
                    (d, v[v.len() / 2])
                })
                .unzip();
            if !ds.is_empty() {
                let now = *vs.last().unwrap_or(&f64::NAN);
                out.signals.push(SignalSeries {
                    spec: spec(
                        "network.capex_intensity",
                        "Capex intensity (median capex / revenue)",
                        "资本开支强度（资本开支/收入中位数）",
                        "ratio",
                        0.2,
                        0.35,
                    ),
                    dates: ds,
                    values: vs,
                    explain_en: format!(
                        "Median capex / revenue of the supplied fundamentals up to {latest}: {}.",
                        pct(now)
                    ),
                    explain_zh: format!("截至 {latest} 所提供基本面数据的资本开支/收入中位数：{}。", pct(now)),
                });
            }
        } else {
            out.notes.push(Text::new(
                "Capex intensity: no fundamentals file loaded (the bundle has no audited financial statements); `fissure network ingest --fundamentals FILE` adds one.",
                "资本开支强度：未载入基本面文件（数据包中没有经审计的财务报表）；可用 `fissure network ingest --fundamentals FILE` 添加。",
            ));
        }
        out.charts.push(network_chart(&book));
        out.charts.push(Chart {
            id: "network_history".into(),
            title: Text::new("The deal network over time", "交易网络随时间的变化"),
            caption: Text::new(
                "Quarter ends; each point uses only the deals dated and known by then.",
                "季度末；每个点只使用当时已发生且已知的交易。",
            ),
            data: ChartData::Lines {
                lines: vec![
                    Line { label: "circular share".into(), dates: dates.clone(), values: circ },
                    Line {
                        label: "largest round-trip share".into(),
                        dates: dates.clone(),
                        values: out.signals[1].values.clone(),
                    },
                    Line {
                        label: "DebtRank (central firm)".into(),
                        dates: dates.clone(),
                        values: out.signals[3].values.clone(),
                    },
                ],
                spans: vec![],
                hlines: vec![],
                log_scale: false,
            },
        });
        if let Some(c) = capex_vs_revenue_chart(&book) {
            out.charts.push(c);
        }
        if let Some((c, id)) = table_capex(&book) {
            if let Some(ch) = required_revenue_chart(c, &id) {
                out.charts.push(ch);
            }
        }
        if let Some(c) = claims_chart(&book, inputs) {
            out.charts.push(c);
        }
        out.methods = vec![
            Text::new(
                "Cycles: Johnson (1975), SIAM J. Comput. 4(1):77–84; length-bounded search exact by distance pruning. SCCs: Tarjan (1972).",
                "循环：Johnson (1975)，SIAM J. Comput. 4(1):77–84；限长搜索以距离剪枝保证精确。强连通分量：Tarjan (1972)。",
            ),
            Text::new(
                "Maximum circulation: min-cost circulation (cost −1 per unit) by negative-cycle cancelling (Klein 1967).",
                "最大环流：单位成本 −1 的最小费用环流，负环消去法（Klein 1967）。",
            ),
            Text::new(
                "DebtRank: Battiston et al. (2012), Sci. Rep. 2:541; linear DebtRank: Bardoscia et al. (2015), PLoS ONE 10(6):e0130406. Clearing: Eisenberg & Noe (2001); default costs: Rogers & Veraart (2013).",
                "DebtRank：Battiston 等 (2012)，Sci. Rep. 2:541；线性 DebtRank：Bardoscia 等 (2015)，PLoS ONE 10(6):e0130406。清算：Eisenberg & Noe (2001)；违约成本：Rogers & Veraart (2013)。",
            ),
            Text::new(
                "Required revenue: straight-line C·(1/n + r)/m and annuity C·r/(1−(1+r)^−n)/m (Sequoia's 'AI's $600B question', 2024, is the special case of fixed multipliers).",
                "必要收入：直线法 C·(1/n + r)/m 与年金法 C·r/(1−(1+r)^−n)/m（红杉 2024 年“AI 的 6000 亿美元问题”是固定倍数的特例）。",
            ),
        ];
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Month ends from the first deal's month, then the report date itself; nothing before the first deal.
    #[test]
    fn month_ends_to_the_report_date() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let deal = fissure_core::Deal {
            id: "d1".into(),
            date: d("2023-11-20"),
            date_precision: "day".into(),
            payer: "A".into(),
            payee: "B".into(),
            kind: fissure_core::DealKind::EquityInvestment,
            amount_usd_bn: Some(1.0),
            status: fissure_core::DealStatus::Completed,
            description: String::new(),
            source: "s".into(),
            known_since: d("2023-11-20"),
        };
        let book = DealBook { deals: vec![deal], ..Default::default() };
        assert_eq!(
            month_dates(&book, d("2024-02-10")),
            vec![d("2023-11-30"), d("2023-12-31"), d("2024-01-31"), d("2024-02-10")]
        );
        assert_eq!(month_dates(&book, d("2024-01-31")), vec![d("2023-11-30"), d("2023-12-31"), d("2024-01-31")]);
        assert_eq!(month_dates(&book, d("2023-11-20")), vec![d("2023-11-20")]);
        assert!(month_dates(&book, d("2023-10-01")).is_empty());
    }
}
