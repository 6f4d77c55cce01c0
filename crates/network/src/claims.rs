//! The claims check: every numerical claim of the commentaries with what the data
//! or the arithmetic says — consistent, inconsistent, or not checkable here (and why).
//!
//! Checks, in order, each adding findings:
//! 1. a claim without a figure cannot be checked;
//! 2. the figure against its own range (`low ≤ value ≤ high`);
//! 3. against a fundamentals row of the same firm and period (within 5% or the range);
//! 4. against other claims on the same subject, metric family and period (ranges overlap);
//! 5. a firm's capex against the group total it belongs to (parts ≤ whole);
//! 6. growth stated in the text (`+60% on 2025`): the implied base against the claims for that year;
//! 7. required revenue against the capex it is said to cover (the same subject and period,
//!    or published the same day): the break-even margin at a 10% hurdle and 5-year life;
//! 8. AI revenue against the capex claimed beside it: the figure cannot be verified, the gap is shown;
//! 9. the Magnificent 7 share of the S&P 500 against the bundled market-cap snapshots.
//!
//! The bundle has no audited financial statements: firm-level cash flows and guidance are
//! "not checkable here" unless a fundamentals file is supplied.

use crate::capex::{charge_factor, implied_life, Method};
use chrono::NaiveDate;
use fissure_core::{Claim, CrossSection, Firm, Fundamentals, Text};
use serde::Serialize;

/// The verdict on one claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Consistent,
    Inconsistent,
    NotCheckable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Consistent => "consistent",
            Verdict::Inconsistent => "inconsistent",
            Verdict::NotCheckable => "not_checkable",
        }
    }

    pub fn text(self) -> Text {
        match self {
            Verdict::Consistent => Text::new("consistent", "一致"),
            Verdict::Inconsistent => Text::new("inconsistent", "不一致"),
            Verdict::NotCheckable => Text::new("not checkable here", "此处无法核验"),
        }
    }
}

/// One checked claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimCheck {
    pub claim_id: String,
    pub subject: String,
    pub metric: String,
    pub period: String,
    pub value: Option<f64>,
    pub unit: String,
    pub claim: String,
    pub verdict: Verdict,
    /// Why, in both languages (findings joined).
    pub reason: Text,
}

/// Hurdle and life of the break-even check (a demanding but common pair).
pub const CHECK_HURDLE: f64 = 0.10;
pub const CHECK_LIFE: f64 = 5.0;

/// The Magnificent 7, by issuer.
const MAG7: [&str; 7] = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA"];
/// Second share classes: in the snapshots each carries the whole company's market cap
/// (MANIFEST), so they are left out to count every issuer once.
const SECOND_CLASSES: [&str; 3] = ["GOOG", "FOX", "NWS"];

fn family(metric: &str) -> &str {
    match metric {
        "capex" | "ai_capex" | "capex_guidance" => "capex",
        m => m,
    }
}

fn num(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

fn range(c: &Claim) -> Option<(f64, f64)> {
    let v = c.value?;
    let lo = c.low.unwrap_or(v);
    let hi = c.high.unwrap_or(if c.low.is_some() && c.high.is_none() && c.low == c.value { f64::INFINITY } else { v });
    Some((lo.min(v), hi.max(v)))
}

/// Firm ids named by a subject (`AMZN`, or `ALPHABET+AMAZON+META+MICROSOFT` by firm names).
pub fn members(subject: &str, firms: &[Firm]) -> Vec<String> {
    subject
        .split('+')
        .filter_map(|m| {
            let m = m.trim().to_uppercase();
            firms.iter().find(|f| f.firm == m || f.name.to_uppercase().starts_with(&m)).map(|f| f.firm.clone())
        })
        .collect()
}

struct Findings {
    ok: Vec<(String, String)>,
    bad: Vec<(String, String)>,
    info: Vec<(String, String)>,
}

impl Findings {
    fn push(&mut self, ok: bool, en: String, zh: String) {
        if ok {
            self.ok.push((en, zh));
        } else {
            self.bad.push((en, zh));
        }
    }
}

fn growth_mentions(text: &str) -> Vec<(f64, String)> {
    // "+60% on 2025" → (0.60, "2025")
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'+' {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.') {
                j += 1;
            }
            if j > i + 1 && j < b.len() && b[j] == b'%' {
                let pct: f64 = text[i + 1..j].parse().unwrap_or(f64::NAN);
                let rest = &text[j + 1..];
                if let Some(r) = rest.strip_prefix(" on ") {
                    let year: String = r.chars().take_while(char::is_ascii_digit).collect();
                    if year.len() == 4 && pct.is_finite() {
                        out.push((pct / 100.0, year));
                    }
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Mag-7 share of the total at the snapshot nearest to `date`.
fn mag7_share(sections: &[CrossSection], date: NaiveDate) -> Option<(NaiveDate, f64)> {
    let snap = sections.iter().min_by_key(|s| (s.date - date).num_days().abs())?;
    let total: f64 = snap
        .rows
        .iter()
        .filter(|r| !SECOND_CLASSES.contains(&r.symbol.as_str()))
        .map(|r| r.value)
        .filter(|v| v.is_finite())
        .sum();
    let m7: f64 = snap.rows.iter().filter(|r| MAG7.contains(&r.symbol.as_str())).map(|r| r.value).sum();
    (total > 0.0).then(|| (snap.date, m7 / total))
}

/// Checks every claim.
pub fn check_claims(
    claims: &[Claim],
    fundamentals: &[Fundamentals],
    firms: &[Firm],
    market_caps: &[CrossSection],
) -> Vec<ClaimCheck> {
    claims.iter().map(|c| check_one(c, claims, fundamentals, firms, market_caps)).collect()
}

fn check_one(
    c: &Claim,
    all: &[Claim],
    fundamentals: &[Fundamentals],
    firms: &[Firm],
    market_caps: &[CrossSection],
) -> ClaimCheck {
    let mut f = Findings { ok: vec![], bad: vec![], info: vec![] };
    let mut not_checkable: Option<(String, String)> = None;
    let fam = family(&c.metric);
    let subject_firms = members(&c.subject, firms);
    match c.value {
        None => {
            not_checkable = Some(("the claim gives no figure".into(), "该说法没有给出具体数字".into()));
        }
        Some(v) => {
            // 2. own range
            if let (Some(lo), Some(hi)) = (c.low, c.high) {
                let inside = v >= lo && v <= hi;
                f.push(
                    inside,
                    format!(
                        "{} {} the stated range {}–{}",
                        num(v),
                        if inside { "lies within" } else { "lies outside" },
                        num(lo),
                        num(hi)
                    ),
                    format!("{} {}所给区间 {}–{}", num(v), if inside { "位于" } else { "不在" }, num(lo), num(hi)),
                );
            }
            // 3. fundamentals
            if subject_firms.len() == 1 && !c.subject.contains('+') {
                let firm = &subject_firms[0];
                for r in fundamentals.iter().filter(|r| &r.firm == firm && r.period == c.period) {
                    let got = match fam {
                        "capex" => r.capex_usd_bn,
                        "free_cash_flow" => r.free_cash_flow_usd_bn,
                        "revenue" => r.revenue_usd_bn,
                        "ai_revenue" => r.ai_revenue_usd_bn,
                        _ => None,
                    };
                    if let Some(g) = got {
                        let (lo, hi) = range(c).unwrap_or((v, v));
                        let ok = (g >= lo.min(v * 0.95) && g <= hi.max(v * 1.05)) || (g - v).abs() <= 0.05 * v.abs();
                        f.push(
                            ok,
                            format!("the fundamentals file gives {} for {firm} {} ({})", num(g), r.period, r.source),
                            format!("基本面文件给出 {firm} {} 为 {}（{}）", r.period, num(g), r.source),
                        );
                    }
                }
            }
            // 4. other claims, same subject / metric family / period
            for o in all.iter().filter(|o| {
                o.claim_id != c.claim_id && o.subject == c.subject && family(&o.metric) == fam && o.period == c.period
            }) {
                if let (Some((a0, a1)), Some((b0, b1))) = (range(c), range(o)) {
                    let overlap = a0 <= b1 * 1.02 && b0 <= a1 * 1.02;
                    f.push(
                        overlap,
                        format!(
                            "{} {} {} ({}–{})",
                            if overlap { "agrees with" } else { "disagrees with" },
                            o.claim_id,
                            o.metric,
                            num(b0),
                            num(b1)
                        ),
                        format!(
                            "{}{} {}（{}–{}）",
                            if overlap { "与之一致：" } else { "与之矛盾：" },
                            o.claim_id,
                            o.metric,
                            num(b0),
                            num(b1)
                        ),
                    );
                }
            }
            // 5. parts vs group (capex)
            if fam == "capex" && subject_firms.len() == 1 && !c.subject.contains('+') {
                for g in all
                    .iter()
                    .filter(|g| g.subject.contains('+') && family(&g.metric) == "capex" && g.period == c.period)
                {
                    let group = members(&g.subject, firms);
                    if !group.contains(&subject_firms[0]) {
                        continue;
                    }
                    let Some((_, ghi)) = range(g) else { continue };
                    let parts: Vec<&Claim> = all
                        .iter()
                        .filter(|p| {
                            family(&p.metric) == "capex"
                                && p.period == c.period
                                && !p.subject.contains('+')
                                && members(&p.subject, firms).first().is_some_and(|m| group.contains(m))
                        })
                        .collect();
                    let sum: f64 = parts.iter().filter_map(|p| p.value).sum();
                    let names: Vec<&str> = parts.iter().map(|p| p.subject.as_str()).collect();
                    let ok = sum <= ghi * 1.0001;
                    f.push(
                        ok,
                        format!(
                            "with the other claimed parts ({}) it sums to {} {} the group's {} in {}",
                            names.join(" + "),
                            num(sum),
                            if ok { "≤" } else { ">" },
                            num(ghi),
                            g.claim_id
                        ),
                        format!(
                            "与其他成员（{}）合计 {}，{} {} 中整体的 {}",
                            names.join(" + "),
                            num(sum),
                            if ok { "不超过" } else { "超过" },
                            g.claim_id,
                            num(ghi)
                        ),
                    );
                }
            }
            // 6. growth in the text
            for (g, year) in growth_mentions(&c.claim) {
                let base = v / (1.0 + g);
                let others: Vec<&Claim> = all
                    .iter()
                    .filter(|o| {
                        o.subject == c.subject
                            && family(&o.metric) == fam
                            && o.period == year
                            && o.claim_id != c.claim_id
                    })
                    .collect();
                if others.is_empty() {
                    f.info.push((
                        format!(
                            "+{:.0}% on {year} implies {} in {year}; no claim for {year} to compare",
                            g * 100.0,
                            num(base)
                        ),
                        format!(
                            "较 {year} 增长 {:.0}% 意味着 {year} 年为 {}；没有 {year} 年的说法可比",
                            g * 100.0,
                            num(base)
                        ),
                    ));
                }
                for o in others {
                    if let Some((lo, hi)) = range(o) {
                        let ok = base >= lo * 0.95 && base <= hi * 1.05;
                        f.push(
                            ok,
                            format!(
                                "+{:.0}% on {year} implies {} in {year}, {} {}'s {}–{}",
                                g * 100.0,
                                num(base),
                                if ok { "within" } else { "outside" },
                                o.claim_id,
                                num(lo),
                                num(hi)
                            ),
                            format!(
                                "较 {year} 增长 {:.0}% 意味着 {year} 年为 {}，{} {} 的 {}–{}",
                                g * 100.0,
                                num(base),
                                if ok { "符合" } else { "不符合" },
                                o.claim_id,
                                num(lo),
                                num(hi)
                            ),
                        );
                    }
                }
            }
            // 7. required revenue vs the capex it covers
            if fam == "required_revenue" {
                let cap = all
                    .iter()
                    .filter(|o| family(&o.metric) == "capex" && o.value.is_some())
                    .filter(|o| (o.subject == c.subject && o.period == c.period) || o.published == c.published)
                    .max_by(|a, b| a.value.unwrap_or(0.0).total_cmp(&b.value.unwrap_or(0.0)));
                match cap {
                    Some(k) => {
                        let cv = k.value.unwrap_or(0.0);
                        let fac = charge_factor(CHECK_HURDLE, CHECK_LIFE, Method::Annuity);
                        let m_ann = cv * fac / v;
                        let m_perp = cv * CHECK_HURDLE / v;
                        let life = implied_life(cv, v, CHECK_HURDLE, 0.5);
                        let ok = m_ann <= 1.0;
                        let life_en = life.map_or("no useful life suffices at a 50% margin".to_string(), |n| {
                            format!("at a 50% margin it needs a {n:.1}-year life")
                        });
                        let life_zh = life.map_or("在 50% 利润率下任何使用年限都不够".to_string(), |n| {
                            format!("在 50% 利润率下需要 {n:.1} 年使用年限")
                        });
                        f.push(
                            ok,
                            format!(
                                "{} of revenue a year on {} of capex ({}) holds at a margin of {:.0}% with a 10% hurdle and a 5-year life (annuity), or {:.0}% as a 10% perpetuity; {life_en}",
                                num(v), num(cv), k.claim_id, m_ann * 100.0, m_perp * 100.0
                            ),
                            format!(
                                "以 {} 的资本开支（{}）计，每年 {} 的收入在 10% 回报率、5 年使用年限（年金法）下对应 {:.0}% 的利润率，按 10% 永续回报则为 {:.0}%；{life_zh}",
                                num(cv), k.claim_id, num(v), m_ann * 100.0, m_perp * 100.0
                            ),
                        );
                    }
                    None => {
                        not_checkable =
                            Some(("no capex figure to set it against".into(), "没有可对照的资本开支数字".into()));
                    }
                }
            }
            // 8. AI revenue vs capex
            if fam == "ai_revenue" {
                if let Some(k) = all
                    .iter()
                    .filter(|o| {
                        family(&o.metric) == "capex"
                            && o.value.is_some()
                            && o.published == c.published
                            && o.period == c.period
                    })
                    .max_by(|a, b| a.value.unwrap_or(0.0).total_cmp(&b.value.unwrap_or(0.0)))
                {
                    let cv = k.value.unwrap_or(0.0);
                    let need = cv * charge_factor(CHECK_HURDLE, CHECK_LIFE, Method::Annuity) / 0.5;
                    f.info.push((
                        format!(
                            "if true, the revenue figure is {:.1}% of the {} of capex ({}) and {:.0}% of the {} a year that capex needs at a 10% hurdle, 5-year life and 50% margin",
                            v / cv * 100.0, num(cv), k.claim_id, v / need * 100.0, num(need)
                        ),
                        format!(
                            "若属实，该收入数字只相当于 {} 资本开支（{}）的 {:.1}%，以及在 10% 回报率、5 年使用年限、50% 利润率下所需年收入 {} 的 {:.0}%",
                            num(cv), k.claim_id, v / cv * 100.0, num(need), v / need * 100.0
                        ),
                    ));
                }
            }
            // 9. Mag-7 share
            if c.metric == "share_of_sp500" && c.subject.eq_ignore_ascii_case("M7") {
                match mag7_share(market_caps, c.published) {
                    Some((d, s)) => {
                        let lo = c.low.unwrap_or(v);
                        let ok = if c.high.is_none() && c.low.is_some() { s >= lo } else { (s - v).abs() <= 0.02 };
                        f.push(
                            ok,
                            format!("the S&P 500 market-cap snapshot of {d} (nearest to {}) gives the Magnificent 7 {:.1}% (issuers counted once: GOOG, FOX and NWS, which repeat the whole company's market cap, left out)", c.published, s * 100.0),
                            format!("最接近 {} 的标普 500 市值快照（{d}）显示七巨头占 {:.1}%（每个发行人只计一次：剔除重复整家公司市值的 GOOG、FOX、NWS）", c.published, s * 100.0),
                        );
                    }
                    None => {
                        not_checkable =
                            Some(("no S&P 500 market-cap snapshot is loaded".into(), "未载入标普 500 市值快照".into()));
                    }
                }
            }
            if f.ok.is_empty() && f.bad.is_empty() && not_checkable.is_none() {
                not_checkable = Some(match fam {
                    _ if !f.info.is_empty() => ("not verifiable here".into(), "此处无法核验".into()),
                    "capex" | "free_cash_flow" | "revenue" => (
                        "the bundle has no audited financial statements for this subject and period; supply a fundamentals file (--fundamentals)".into(),
                        "数据包中没有该对象该期的经审计财务报表；可通过 --fundamentals 提供基本面文件".into(),
                    ),
                    "pe_ttm" => (
                        "the bundle has no earnings or price data for this index".into(),
                        "数据包中没有该指数的盈利或价格数据".into(),
                    ),
                    _ => ("no data or other claim to check it against".into(), "没有可对照的数据或其他说法".into()),
                });
            }
        }
    }
    let verdict = if !f.bad.is_empty() {
        Verdict::Inconsistent
    } else if !f.ok.is_empty() {
        Verdict::Consistent
    } else {
        Verdict::NotCheckable
    };
    let mut en: Vec<String> = f.bad.iter().chain(&f.ok).map(|x| x.0.clone()).collect();
    let mut zh: Vec<String> = f.bad.iter().chain(&f.ok).map(|x| x.1.clone()).collect();
    if let Some((e, z)) = not_checkable {
        en.insert(0, e);
        zh.insert(0, z);
    }
    en.extend(f.info.iter().map(|x| x.0.clone()));
    zh.extend(f.info.iter().map(|x| x.1.clone()));
    ClaimCheck {
        claim_id: c.claim_id.clone(),
        subject: c.subject.clone(),
        metric: c.metric.clone(),
        period: c.period.clone(),
        value: c.value,
        unit: c.unit.clone(),
        claim: c.claim.clone(),
        verdict,
        reason: Text::new(en.join("; "), zh.join("；")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_parsing() {
        let g = growth_mentions("2026 AI capex of the four giants $660B: +60% on 2025 and +165% on 2024");
        assert_eq!(g, vec![(0.6, "2025".to_string()), (1.65, "2024".to_string())]);
        assert!(growth_mentions("Apple's 2026 AI spending only $12B (-17%)").is_empty());
    }
}
