//! The self-contained HTML report: inline CSS and SVG only — no script, font,
//! image or style sheet is fetched from anywhere.

use crate::composite::Gauge;
use crate::i18n::{self, t, Lang};
use crate::registry::{State, MIN_HISTORY_DAYS, MIN_HISTORY_OBS};
use crate::svg::{self, esc, safe_id};
use crate::{FamilyReport, Report, SignalReport, Skill};
use fissure_core::{Chart, ChartData, Line, Text, Thresholds};
use std::fmt::Write;

const CSS: &str = r#"
:root{--calm:#2e7d32;--elevated:#b26a00;--alarm:#c62828;--na:#777;--ink:#1d2330;--muted:#5b6475;--line:#dde1e8}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",sans-serif;color:var(--ink);background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#c9cfdb}
nav{background:#fff;border-bottom:1px solid var(--line);padding:8px 28px;font-size:13px}
nav a{margin-right:14px;color:#2456a6;text-decoration:none}
main{max-width:1180px;margin:0 auto;padding:16px 24px 48px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:18px 0}
h2{margin:0 0 10px;font-size:19px}
h3{margin:18px 0 8px;font-size:16px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0 10px}
th,td{border-bottom:1px solid var(--line);padding:5px 7px;text-align:left;vertical-align:top}
th{background:#f0f2f6;font-weight:600}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600;white-space:nowrap}
.s-calm{background:var(--calm)}.s-elevated{background:var(--elevated)}.s-alarm{background:var(--alarm)}.s-na{background:var(--na)}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:200px;flex:1}
.card.big{flex-basis:100%}
.card .v{font-size:28px;font-weight:700}
.card.big .v{font-size:40px}
.muted{color:var(--muted);font-size:12px}
figure{margin:14px 0}
figure svg{max-width:100%;height:auto;border:1px solid var(--line);border-radius:4px}
figcaption{color:var(--muted);font-size:12px;margin-top:4px}
.note{background:#fff6e5;border-left:4px solid var(--elevated);padding:8px 12px;margin:8px 0}
.vs{white-space:nowrap}.scroll{overflow-x:auto}
.vs-better{color:var(--calm)}.vs-worse{color:var(--alarm)}.vs-no_different,.vs-na{color:var(--muted)}
.note.err{background:#fdecea;border-left-color:var(--alarm)}
tr.baseline td{color:#555;background:#fafafa}
tr.gauge td{font-weight:600}
ul.changes li{margin:2px 0}
"#;

fn state_key(s: Option<State>) -> &'static str {
    s.map_or("na", State::key)
}

/// A coloured state badge.
pub fn badge(s: Option<State>, lang: Lang) -> String {
    format!("<span class=\"badge s-{}\">{}</span>", state_key(s), esc(t(lang, state_key(s))))
}

fn state_color(s: Option<State>) -> &'static str {
    match s {
        Some(State::Calm) => "#2e7d32",
        Some(State::Elevated) => "#b26a00",
        Some(State::Alarm) => "#c62828",
        None => "#777",
    }
}

fn f2(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.2}"))
}

fn band_text(b: Option<&crate::skill::Band>) -> String {
    match b {
        Some(b) => match (b.lo, b.hi) {
            (Some(lo), Some(hi)) => format!("{:.2} [{lo:.2}, {hi:.2}]", b.value),
            _ => format!("{:.2}", b.value),
        },
        None => "—".into(),
    }
}

/// The skill of a warning in words a reader understands: AUROC with its band,
/// falls warned before, on-share, the random benchmark and the run-up verdict.
pub fn skill_phrase(k: Option<&Skill>, lang: Lang) -> String {
    let Some(k) = k else {
        return t(lang, "unscored").to_string();
    };
    let Some(a) = k.auroc12() else {
        return t(lang, "no_skill").to_string();
    };
    let since = k.first_week.map_or_else(String::new, |d| chrono::Datelike::year(&d).to_string());
    let on = k.on_share.map_or_else(|| "—".into(), |v| format!("{:.0}%", 100.0 * v));
    let e = &k.events;
    let coin = match (k.beats_random(), lang) {
        (Some(true), Lang::En) => "better than a coin with the same habits",
        (Some(false), Lang::En) => "no better than a coin with the same habits",
        (Some(true), Lang::Zh) => "优于习惯相同的随机信号",
        (Some(false), Lang::Zh) => "不优于习惯相同的随机信号",
        (None, _) => "",
    };
    let vs = k.versus.first().map(|v| (v.verdict, &v.baseline));
    match lang {
        Lang::En => {
            let verdict = match vs {
                Some((crate::skill::Verdict::Better, _)) => "; better than the 2-year run-up",
                Some((crate::skill::Verdict::Worse, _)) => "; worse than the 2-year run-up",
                Some((crate::skill::Verdict::NoDifferent, _)) => "; no different from the 2-year run-up",
                _ => "",
            };
            let coin = if coin.is_empty() { String::new() } else { format!("; {coin}") };
            format!(
                "AUROC {}; warned before {} of the {} falls since {since} ({} more only during the fall); on {on} of weeks{coin}{verdict}",
                band_text(Some(a)),
                e.warned,
                e.scored,
                e.nowcast
            )
        }
        Lang::Zh => {
            let verdict = match vs {
                Some((crate::skill::Verdict::Better, _)) => "；优于两年涨幅基准",
                Some((crate::skill::Verdict::Worse, _)) => "；劣于两年涨幅基准",
                Some((crate::skill::Verdict::NoDifferent, _)) => "；与两年涨幅基准无显著差异",
                _ => "",
            };
            let coin = if coin.is_empty() { String::new() } else { format!("；{coin}") };
            format!(
                "AUROC {}；{since}年以来的 {} 次下跌中提前预警 {} 次（另有 {} 次仅在下跌中发出）；{on} 的周处于警报{coin}{verdict}",
                band_text(Some(a)),
                e.scored,
                e.warned,
                e.nowcast
            )
        }
    }
}

/// The formatted latest value of a signal (as the HTML and the tests show it).
pub fn value_text(s: &SignalReport, lang: Lang) -> String {
    s.latest.as_ref().map_or_else(|| t(lang, "na").to_string(), |r| i18n::value_with_unit(r.value, &s.unit, lang))
}

/// The gauge history chart.
pub fn gauge_chart(report: &Report, lang: Lang) -> Chart {
    let c = &report.composite;
    let line = |g: &Gauge, label: String| Line {
        label,
        dates: g.dates.iter().zip(&g.values).filter(|(_, v)| v.is_some()).map(|(d, _)| *d).collect(),
        values: g.values.iter().flatten().copied().collect(),
    };
    let mut lines = Vec::new();
    for g in &c.families {
        let key = g.id.trim_start_matches("composite.");
        // Families with no weight in the overall gauge (the baselines, when
        // other families exist) are in their own section, not here.
        if c.overall.weights.iter().any(|(k, w)| k == key && *w == 0.0) {
            continue;
        }
        lines.push(line(g, family_title(report, key).map_or(key.to_string(), |x| lang.pick(x).to_string())));
    }
    // The overall gauge last, drawn on top.
    lines.push(line(&c.overall, t(lang, "overall").to_string()));
    Chart {
        id: "composite_history".into(),
        title: i18n::text("gauge_history"),
        caption: i18n::text("gauge_history_caption"),
        data: ChartData::Lines { lines, spans: vec![], hlines: vec![], log_scale: false },
    }
}

/// The ROC chart of the skill section: the combined warning, the gauges and the run-up baseline.
pub fn roc_svg(report: &Report, lang: Lang) -> String {
    let sk = &report.skill;
    let mut curves = vec![svg::XyCurve {
        label: format!(
            "{} {}",
            t(lang, "warning"),
            f2(sk.warning.skill.as_ref().and_then(|k| k.auroc12()).map(|b| b.value))
        ),
        points: sk.warning.roc.clone(),
        markers: false,
    }];
    for (id, key) in [
        ("composite.fragility", "fragility_gauge"),
        ("composite.stress_now", "stress_now_gauge"),
        ("composite.overall", "overall_gauge"),
        ("baseline.runup2y", "baseline_runup2y_short"),
    ] {
        if let Some(p) = sk.roc.get(id) {
            let a = sk.get(id).and_then(|k| k.auroc12()).map(|b| b.value);
            let name = t(lang, key);
            let name = name.split(" (").next().unwrap_or(name).split('（').next().unwrap_or(name);
            curves.push(svg::XyCurve { label: format!("{name} {}", f2(a)), points: p.clone(), markers: false });
        }
    }
    svg::xy_svg(t(lang, "roc_chart"), t(lang, "false_positive_rate"), t(lang, "true_positive_rate"), &curves)
}

/// The reliability diagram of the combined warning.
pub fn reliability_svg(report: &Report, lang: Lang) -> String {
    let pts = report.skill.warning.reliability.iter().map(|b| (b.forecast, b.observed)).collect();
    svg::xy_svg(
        t(lang, "reliability_chart"),
        t(lang, "forecast_probability"),
        t(lang, "observed_frequency"),
        &[svg::XyCurve { label: t(lang, "warning").to_string(), points: pts, markers: true }],
    )
}

/// Every chart of the report: (file-safe id, SVG).
pub fn all_charts(report: &Report, lang: Lang) -> Vec<(String, String)> {
    let mut out = vec![("composite_history".to_string(), svg::draw(&gauge_chart(report, lang), lang))];
    out.push(("skill_roc".to_string(), roc_svg(report, lang)));
    out.push(("skill_reliability".to_string(), reliability_svg(report, lang)));
    for f in &report.families {
        for c in &f.output.charts {
            out.push((safe_id(&c.id), svg::draw(c, lang)));
        }
    }
    out
}

fn figure(c: &Chart, lang: Lang) -> String {
    format!(
        "<figure id=\"chart-{}\">{}<figcaption>{}</figcaption></figure>",
        safe_id(&c.id),
        svg::draw(c, lang),
        esc(lang.pick(&c.caption))
    )
}

fn gauge_card(g: &Gauge, title: &str, weight: Option<f64>, big: bool, lang: Lang) -> String {
    let l = g.latest.as_ref();
    let v = l.map(|r| r.value);
    let st = l.and_then(|r| r.state);
    let mut s = format!("<div class=\"card{}\" id=\"gauge-{}\">", if big { " big" } else { "" }, safe_id(&g.id));
    let _ = write!(s, "<div><b>{}</b></div>", esc(title));
    let _ = write!(
        s,
        "<div class=\"v\" style=\"color:{}\">{}</div>{}",
        state_color(st),
        v.map_or_else(|| t(lang, "na").to_string(), |v| format!("{v:.1}")),
        svg::meter_svg(v, state_color(st), if big { 420.0 } else { 180.0 })
    );
    let _ = write!(
        s,
        "<div>{} <span class=\"muted\">{}: {}</span></div>",
        badge(st, lang),
        esc(t(lang, "gauge_pct")),
        i18n::pct(l.and_then(|r| r.percentile), lang)
    );
    if let Some(w) = weight {
        let _ = write!(s, "<div class=\"muted\">{}: {}</div>", esc(t(lang, "weight")), i18n::share(Some(w), lang));
    }
    s.push_str("</div>");
    s
}

fn family_title<'a>(report: &'a Report, key: &str) -> Option<&'a Text> {
    report.families.iter().find(|f| f.run.key == key).map(|f| &f.run.title)
}

fn thresholds_text(th: &Thresholds, higher: bool, lang: Lang) -> String {
    match (th, lang) {
        (Thresholds::Percentile { elevated, alarm }, Lang::En) => {
            format!("percentile ≥ {elevated:.0} elevated, ≥ {alarm:.0} alarm")
        }
        (Thresholds::Percentile { elevated, alarm }, Lang::Zh) => {
            format!("百分位 ≥ {elevated:.0} 偏高，≥ {alarm:.0} 警报")
        }
        (Thresholds::Absolute { elevated, alarm }, Lang::En) => {
            let op = if higher { "≥" } else { "≤" };
            format!("value {op} {} elevated, {op} {} alarm", i18n::num(*elevated, lang), i18n::num(*alarm, lang))
        }
        (Thresholds::Absolute { elevated, alarm }, Lang::Zh) => {
            let op = if higher { "≥" } else { "≤" };
            format!("数值 {op} {} 偏高，{op} {} 警报", i18n::num(*elevated, lang), i18n::num(*alarm, lang))
        }
    }
}

fn signal_rows(report: &Report, f: &FamilyReport, lang: Lang) -> String {
    let mut s = String::new();
    for sig in &f.signals {
        let l = sig.latest.as_ref();
        let _ = write!(
            s,
            "<tr id=\"sig-{}\" data-signal=\"{}\"><td><b>{}</b><div class=\"muted\">{} · {}</div></td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"muted\">{}</td></tr>",
            safe_id(&sig.id),
            esc(&sig.id),
            esc(lang.pick(&sig.title)),
            esc(&sig.id),
            esc(&thresholds_text(&sig.thresholds, sig.higher_is_riskier, lang)),
            l.map_or_else(|| t(lang, "na").to_string(), |r| i18n::date(r.date, lang)),
            esc(&value_text(sig, lang)),
            i18n::pct(l.and_then(|r| r.percentile), lang),
            badge(l.and_then(|r| r.state), lang),
            esc(lang.pick(&sig.explanation)),
            esc(&skill_phrase(report.skill_of(&sig.id), lang)),
        );
    }
    s
}

fn signal_table_head(lang: Lang) -> String {
    format!(
        "<table><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t(lang, "signal"),
        t(lang, "date"),
        t(lang, "value"),
        t(lang, "percentile"),
        t(lang, "state"),
        t(lang, "explanation"),
        t(lang, "skill")
    )
}

/// "run-up: better · vol.: no different · MA200: worse" for a signal.
fn versus_text(k: Option<&Skill>, lang: Lang) -> String {
    let Some(k) = k else { return String::new() };
    k.versus
        .iter()
        .map(|v| {
            format!(
                "<span class=\"vs vs-{}\" title=\"ΔAUROC {}\">{}: {}</span>",
                v.verdict.key(),
                esc(&band_text(v.delta_auroc.as_ref())),
                esc(t(lang, &format!("baseline_{}_short", v.baseline))),
                esc(t(lang, v.verdict.key()))
            )
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Report-level methods, in both languages.
fn report_methods(lang: Lang) -> Vec<String> {
    let p = crate::composite::MAX_STALE_DAYS;
    match lang {
        Lang::En => vec![
            format!("Percentile: the share of the signal's own history up to each date that is at or below the value (expanding window, so a reading at date t uses only data up to t); defined after {MIN_HISTORY_OBS} observations spanning {MIN_HISTORY_DAYS} days. For signals where lower is riskier the share at or above is used (the risk percentile)."),
            "States: percentile-based signals are elevated at a risk percentile ≥ 80 and in alarm at ≥ 95 unless the family sets other levels; absolute signals use the family's levels on the value itself (shown under each signal).".into(),
            format!("Composite: a family gauge is the weighted mean of its signals' risk percentiles (equal weights), sampled weekly (Fridays and the report date) with readings older than {p} days left out; the overall gauge is the weighted mean of the family gauges (equal weights; the baselines weigh 0 when another family exists). Each gauge's state uses its own expanding percentile (80 / 95) after 52 weeks."),
            "Skill: events are peak-to-trough drawdowns of at least the configured fall (20% for the equity indices), dated by their peak; simultaneous falls of the S&P 500 and the NASDAQ count once. Each week is labelled by whether an event peaks within the next 3, 6, 12 or 24 months (weeks whose horizon runs past the data are left out). Signals are scored from 1966 (or their first reading) by the AUROC of their risk percentile with a 90% moving-block bootstrap band (one-year blocks; Drehmann & Juselius 2014), the alarm state's on-share, noise-to-signal ratio (Kaminsky, Lizondo & Reinhart 1998), usefulness (Alessi & Detken 2011, μ = 0.5) and false alarms per alarm-week; the Brier skill of the signal calibrated in real time (logistic regression refitted on what was known at each date) against the real-time base rate; a time-shifted copy of the signal (same on-share and persistence) as a random benchmark; and the verdict against the 2-year run-up (Greenwood, Shleifer & You 2019), 21-day volatility and the 200-day average by the bootstrap band of the AUROC difference. A signal naming a price series is scored against that series' own falls.".into(),
            crate::study::WARNING_METHOD.into(),
            crate::bear::BEAR_METHOD.into(),
        ],
        Lang::Zh => vec![
            format!("百分位：截至每个日期，信号自身历史中小于或等于当前值的比例（扩展窗口，因此日期 t 的读数只使用 t 及以前的数据）；需要至少 {MIN_HISTORY_OBS} 个观测值且跨度 {MIN_HISTORY_DAYS} 天。对于数值越低风险越高的信号，使用大于或等于当前值的比例（风险百分位）。"),
            "状态：基于百分位的信号在风险百分位 ≥ 80 时为偏高、≥ 95 时为警报（除非该类别另设水平）；绝对阈值信号直接使用类别设定的数值水平（见各信号下方）。".into(),
            format!("综合指数：类别指数为其信号风险百分位的加权平均（等权），每周取样（周五及报告日），超过 {p} 天的旧读数不计入；总体指数为各类别指数的加权平均（等权；存在其他类别时基准权重为 0）。各指数的状态使用其自身扩展百分位（80 / 95），需52周历史。"),
            "历史表现：事件为达到设定跌幅（股指为20%）的从高点到低点的回撤，以高点日期计；标普500与纳斯达克同时发生的下跌只计一次。每周标注未来3、6、12或24个月内是否出现事件高点（期限超出数据的周不计入）。信号自1966年（或其首个读数）起评分：风险百分位的 AUROC 及一年分块自助法 90% 区间（Drehmann 与 Juselius 2014）、警报状态的占比、噪声/信号比（Kaminsky、Lizondo 与 Reinhart 1998）、有用性（Alessi 与 Detken 2011，μ = 0.5）及每个警报周的误报率；实时校准（每个日期只用当时已知数据重新拟合逻辑回归）后相对实时基础概率的 Brier 技能分；以时间平移的信号副本（警报占比与持续性相同）作为随机基准；并依据同一批周数据上 AUROC 差值的自助法区间，与两年涨幅（Greenwood、Shleifer 与 You 2019）、21日波动率及200日均线比较。以价格序列命名的信号对照该序列自身的下跌评分。".into(),
            "综合预警：以脆弱性指数、当前压力指数（尚无历史时取50）及标普500两年涨幅百分位为自变量，对“未来12个月内股指出现20%或以上下跌的高点”做逻辑回归；标准化斜率上岭惩罚 λ = 1；每4周只用当时已知结果的周重新拟合（扩展窗口，事件在跌幅达到20%时才算已知）；需10年已知周数据及3次已知事件才开始拟合；区间为199次一年分块自助法重新拟合的第5–95百分位；概率高于实时基础概率时视为警报。方法在查看1990年后结果之前即已确定。".into(),
            t(Lang::Zh, "bear_intro").into(),
        ],
    }
}

/// The combined warning's card: probability, band, base rate, skill.
fn warning_card(report: &Report, lang: Lang) -> String {
    let w = &report.skill.warning;
    let mut s = String::from("<div class=\"card big\" id=\"warning\">");
    let _ = write!(s, "<div><b>{}</b> — {}</div>", t(lang, "warning"), esc(t(lang, "warning_title")));
    match w.probability {
        Some(p) => {
            let band = match (w.lo, w.hi) {
                (Some(lo), Some(hi)) => format!(" [{:.0}%, {:.0}%]", 100.0 * lo, 100.0 * hi),
                _ => String::new(),
            };
            let _ = write!(
                s,
                "<div class=\"v\" data-warning=\"{p}\">{:.0}%<span class=\"muted\" style=\"font-size:16px\">{band} · {} {}</span></div>",
                100.0 * p,
                t(lang, "base_rate"),
                w.base_rate.map_or_else(|| "—".into(), |b| format!("{:.0}%", 100.0 * b))
            );
        }
        None => {
            let _ = write!(
                s,
                "<div class=\"v\">{}</div><div class=\"muted\">{}</div>",
                t(lang, "na"),
                t(lang, "no_warning")
            );
        }
    }
    let _ = write!(s, "<div class=\"muted\">{}</div>", esc(&skill_phrase(w.skill.as_ref(), lang)));
    s.push_str("</div>");
    s
}

fn skill_table_head(lang: Lang) -> String {
    let mut s = String::from("<thead><tr>");
    for (k, num) in [
        ("signal", false),
        ("timing", false),
        ("target", false),
        ("auroc_12m", true),
        ("auroc_other", true),
        ("auroc_12m_bear", true),
        ("brier_skill", true),
        ("usefulness", true),
        ("nsr", true),
        ("on_share", true),
        ("warned", true),
        ("nowcast", true),
        ("false_per_alarm_week", true),
        ("random_p95", true),
        ("vs_baselines", false),
    ] {
        let _ = write!(s, "<th{}>{}</th>", if num { " class=\"num\"" } else { "" }, esc(t(lang, k)));
    }
    s.push_str("</tr></thead>");
    s
}

/// A bear-market score's cell: AUROC with band, and the difference to the run-up.
fn bear_cell(b: Option<&crate::study::BearScore>, lang: Lang) -> String {
    let Some(b) = b else { return t(lang, "na").to_string() };
    let mut s = esc(&band_text(b.auroc_12m.as_ref()));
    if let Some(d) = &b.delta_vs_runup {
        let _ = write!(
            s,
            "<div class=\"muted\">Δ {} {}</div>",
            esc(t(lang, "baseline_runup2y_short")),
            esc(&band_text(Some(d)))
        );
    }
    s
}

#[allow(clippy::too_many_arguments)]
fn skill_row(
    id: &str,
    name: &str,
    timing: &str,
    k: Option<&Skill>,
    bear: Option<&crate::study::BearScore>,
    class: &str,
    lang: Lang,
) -> String {
    let na = || t(lang, "na").to_string();
    let cell = |f: &dyn Fn(&Skill) -> String| k.map_or_else(na, f);
    let other = |k: &Skill| {
        ["3m", "6m", "24m"]
            .iter()
            .map(|h| f2(k.auroc.get(*h).and_then(|b| b.as_ref()).map(|b| b.value)))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let pct = |v: Option<f64>| v.map_or_else(|| "—".into(), |v| format!("{:.0}%", 100.0 * v));
    format!(
        "<tr class=\"{class}\" data-skill=\"{}\" data-auroc=\"{}\"><td>{}<div class=\"muted\">{}</div></td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\" data-bear-auroc=\"{}\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
        esc(id),
        k.and_then(|k| k.auroc12()).map_or_else(String::new, |b| format!("{}", b.value)),
        esc(name),
        esc(id),
        esc(t(lang, timing)),
        esc(&cell(&|k| k.target.clone())),
        cell(&|k| band_text(k.auroc12())),
        cell(&other),
        bear.and_then(|b| b.auroc_12m).map_or_else(String::new, |b| format!("{}", b.value)),
        bear_cell(bear, lang),
        cell(&|k| f2(k.brier_skill)),
        cell(&|k| f2(k.usefulness)),
        cell(&|k| f2(k.noise_to_signal)),
        cell(&|k| pct(k.on_share)),
        cell(&|k| format!("{} / {}", k.events.warned, k.events.scored)),
        cell(&|k| k.events.nowcast.to_string()),
        cell(&|k| pct(k.false_alarms_per_alarm_week)),
        cell(&|k| f2(k.random.map(|r| r.auroc_p95))),
        versus_text(k, lang),
    )
}

/// The skill section: intro, the combined warning by decade, charts, the table of
/// every warning, the baselines, the panel, the events.
fn skill_section(report: &Report, lang: Lang) -> String {
    let sk = &report.skill;
    let c = &report.composite;
    let mut h = String::new();
    let _ =
        write!(h, "<section id=\"skill\"><h2>{}</h2><p>{}</p>", t(lang, "skill_table"), esc(t(lang, "skill_intro")));
    let _ = write!(
        h,
        "<p class=\"muted\">{}: {} · {}: {} · {} {}</p>",
        t(lang, "target"),
        esc(&sk.equity_series.join(" + ")),
        t(lang, "events"),
        sk.equity_events.len(),
        match lang {
            Lang::En => "scored from",
            Lang::Zh => "评分起始",
        },
        i18n::date(sk.params.eval_from, lang)
    );
    let _ = write!(h, "<p><b>{}</b>: {}</p>", t(lang, "warning"), esc(&skill_phrase(sk.warning.skill.as_ref(), lang)));
    if let Some(k) = &sk.warning.skill {
        let _ = write!(
            h,
            "<h3>{}</h3><table id=\"decade-table\"><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
            t(lang, "by_decade"),
            t(lang, "decade"),
            t(lang, "warning"),
            t(lang, "baseline_runup2y_short"),
            t(lang, "weeks")
        );
        let runup = sk.baselines.get("baseline.runup2y");
        for e in &k.by_decade {
            let b = runup.and_then(|r| r.by_decade.iter().find(|x| x.era == e.era)).and_then(|x| x.auroc);
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&e.era),
                f2(e.auroc),
                f2(b),
                e.weeks
            );
        }
        h.push_str("</tbody></table>");
    }
    let _ = write!(
        h,
        "<figure id=\"chart-skill_roc\">{}</figure><figure id=\"chart-skill_reliability\">{}</figure>",
        roc_svg(report, lang),
        reliability_svg(report, lang)
    );
    let _ = write!(h, "<div class=\"scroll\"><table id=\"skill-table\">{}<tbody>", skill_table_head(lang));
    h.push_str(&skill_row(
        "warning",
        t(lang, "warning"),
        "leading",
        sk.warning.skill.as_ref(),
        sk.bear_of("warning"),
        "gauge",
        lang,
    ));
    for (g, name) in [
        (&c.overall, t(lang, "overall_gauge").to_string()),
        (&c.fragility, t(lang, "fragility_gauge").to_string()),
        (&c.stress_now, t(lang, "stress_now_gauge").to_string()),
    ] {
        let timing = if g.id == "composite.stress_now" { "coincident" } else { "leading" };
        h.push_str(&skill_row(&g.id, &name, timing, sk.get(&g.id), sk.bear_of(&g.id), "gauge", lang));
    }
    for g in &c.families {
        let key = g.id.trim_start_matches("composite.");
        let name = family_title(report, key).map_or(key.to_string(), |x| lang.pick(x).to_string());
        h.push_str(&skill_row(
            &g.id,
            &format!("{name} · {}", t(lang, "gauge")),
            "leading",
            sk.get(&g.id),
            sk.bear_of(&g.id),
            "gauge",
            lang,
        ));
    }
    for (id, k) in &sk.baselines {
        let kind = id.trim_start_matches("baseline.");
        h.push_str(&skill_row(
            id,
            t(lang, &format!("baseline_{kind}")),
            "baseline",
            Some(k),
            sk.bear_of(id),
            "baseline",
            lang,
        ));
    }
    for f in &report.families {
        for s in &f.signals {
            let timing = crate::composite::timing(&s.id).key();
            let class = if timing == "baseline" { "baseline" } else { "" };
            h.push_str(&skill_row(&s.id, lang.pick(&s.title), timing, sk.get(&s.id), sk.bear_of(&s.id), class, lang));
        }
    }
    h.push_str("</tbody></table></div>");
    // panel
    let _ = write!(
        h,
        "<h3>{}</h3><table id=\"panel-table\"><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        t(lang, "panel_scores"),
        t(lang, "signal"),
        t(lang, "series_count"),
        t(lang, "events"),
        t(lang, "weeks"),
        t(lang, "auroc_12m")
    );
    for p in &sk.panel {
        let name = match p.kind.as_str() {
            "runup2y" | "vol21" | "ma200" => t(lang, &format!("baseline_{}", p.kind)).to_string(),
            k => k.to_string(),
        };
        let _ = write!(
            h,
            "<tr data-panel=\"{}\"><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&p.kind),
            esc(&name),
            p.series.len(),
            p.events,
            p.weeks,
            band_text(p.auroc_12m.as_ref())
        );
    }
    h.push_str("</tbody></table>");
    // events
    let _ = write!(
        h,
        "<h3>{}</h3><table id=\"events-table\"><thead><tr><th>{}</th><th class=\"num\">{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        t(lang, "events_table"),
        t(lang, "series"),
        t(lang, "threshold"),
        t(lang, "peak"),
        t(lang, "event_date"),
        t(lang, "trough"),
        t(lang, "drawdown")
    );
    for e in &sk.events {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}{}</td><td class=\"num\">-{:.1}%</td></tr>",
            esc(&e.series),
            i18n::share(Some(e.threshold), lang),
            i18n::date(e.peak_date, lang),
            i18n::date(e.event_date, lang),
            i18n::date(e.trough_date, lang),
            if e.recovered { "" } else { " *" },
            100.0 * e.drawdown
        );
    }
    h.push_str("</tbody></table>");
    if sk.events.iter().any(|e| !e.recovered) {
        let _ = write!(
            h,
            "<p class=\"muted\">{}</p>",
            match lang {
                Lang::En => "* not recovered by the report date: the trough so far.",
                Lang::Zh => "* 截至报告日期尚未收复：目前为止的低点。",
            }
        );
    }
    h.push_str(&bear_section(sk, lang));
    h.push_str("</section>");
    h
}

/// The bear-market view: its method, how the equity target's events compare, and the
/// bear markets of every event series.
fn bear_section(sk: &crate::study::SkillStudy, lang: Lang) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<h3 id=\"bear-view\">{}</h3><p>{}</p><p class=\"muted\">{}: {} · {}: {}</p>",
        t(lang, "bear_view"),
        esc(t(lang, "bear_intro")),
        t(lang, "target"),
        esc(&sk.equity_series.join(" + ")),
        t(lang, "events"),
        sk.bear.equity_events.len()
    );
    let _ = write!(
        h,
        "<h4>{}</h4><table id=\"bear-events-table\"><thead><tr><th>{}</th><th class=\"num\">{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        t(lang, "bear_events_table"),
        t(lang, "series"),
        t(lang, "threshold"),
        t(lang, "peak"),
        t(lang, "event_date"),
        t(lang, "trough"),
        t(lang, "drawdown")
    );
    for e in &sk.bear.events {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}{}</td><td class=\"num\">-{:.1}%</td></tr>",
            esc(&e.series),
            i18n::share(Some(e.threshold), lang),
            i18n::date(e.peak_date, lang),
            i18n::date(e.event_date, lang),
            i18n::date(e.trough_date, lang),
            if e.recovered { "" } else { " *" },
            100.0 * e.drawdown
        );
    }
    h.push_str("</tbody></table>");
    h
}

/// Renders the report.
pub fn render(report: &Report, lang: Lang) -> String {
    let mut h = String::with_capacity(1 << 20);
    let title = t(lang, "report_title");
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <title>{} — {}</title><style>{}</style></head><body>",
        lang.html_code(),
        esc(title),
        i18n::date(report.as_of, lang),
        CSS
    );
    let _ = write!(
        h,
        "<header><h1>{}</h1><p>{} {} · {} {}</p></header>",
        esc(title),
        t(lang, "as_of"),
        i18n::date(report.as_of, lang),
        t(lang, "generated"),
        env!("CARGO_PKG_VERSION")
    );
    for n in &report.notes {
        let _ = write!(h, "<div class=\"note\">{}</div>", esc(lang.pick(n)));
    }
    // Navigation.
    h.push_str("<nav>");
    let _ = write!(
        h,
        "<a href=\"#summary\">{}</a><a href=\"#changes\">{}</a>",
        t(lang, "summary"),
        t(lang, "what_changed")
    );
    for f in &report.families {
        let _ = write!(h, "<a href=\"#family-{}\">{}</a>", safe_id(&f.run.key), esc(lang.pick(&f.run.title)));
    }
    let _ = write!(
        h,
        "<a href=\"#skill\">{}</a><a href=\"#sources\">{}</a><a href=\"#methods\">{}</a></nav><main>",
        t(lang, "skill_table"),
        t(lang, "sources"),
        t(lang, "methods")
    );

    // Summary.
    let c = &report.composite;
    let _ = write!(h, "<section id=\"summary\"><h2>{}</h2><div class=\"cards\">", t(lang, "summary"));
    h.push_str(&warning_card(report, lang));
    h.push_str(&gauge_card(&c.overall, t(lang, "overall_gauge"), None, true, lang));
    h.push_str(&gauge_card(&c.fragility, t(lang, "fragility_gauge"), None, false, lang));
    h.push_str(&gauge_card(&c.stress_now, t(lang, "stress_now_gauge"), None, false, lang));
    for g in &c.families {
        let key = g.id.trim_start_matches("composite.");
        let name = family_title(report, key).map_or(key.to_string(), |t| lang.pick(t).to_string());
        let w = c.overall.weights.iter().find(|(k, _)| k == key).map(|x| x.1);
        h.push_str(&gauge_card(g, &name, w, false, lang));
    }
    h.push_str("</div>");
    let _ = write!(
        h,
        "<p class=\"muted\">{} {}</p>",
        esc(t(lang, "weights_note")),
        c.overall
            .weights
            .iter()
            .map(|(k, w)| format!(
                "{} {}",
                esc(family_title(report, k).map_or(k.as_str(), |t| lang.pick(t))),
                i18n::share(Some(*w), lang)
            ))
            .collect::<Vec<_>>()
            .join(" · ")
    );
    for f in report.families.iter().filter(|f| f.run.error.is_some()) {
        let _ = write!(
            h,
            "<div class=\"note err\"><b>{}: {}</b> — {}</div>",
            esc(lang.pick(&f.run.title)),
            t(lang, "family_failed"),
            esc(f.run.error.as_deref().unwrap_or(""))
        );
    }
    // Alarms.
    let _ = write!(h, "<h3 id=\"alarms\">{}</h3>", t(lang, "alarms"));
    let mut hot: Vec<&SignalReport> = report
        .families
        .iter()
        .flat_map(|f| &f.signals)
        .filter(|s| matches!(s.latest.as_ref().and_then(|r| r.state), Some(State::Alarm | State::Elevated)))
        .collect();
    hot.sort_by(|a, b| {
        let k = |s: &SignalReport| {
            let l = s.latest.as_ref();
            (l.and_then(|r| r.state), l.and_then(|r| r.risk_percentile).unwrap_or(0.0))
        };
        let (ka, kb) = (k(a), k(b));
        kb.0.cmp(&ka.0).then(kb.1.total_cmp(&ka.1))
    });
    if hot.is_empty() {
        let _ = write!(h, "<p>{}</p>", t(lang, "no_alarms"));
    } else {
        let _ = write!(
            h,
            "<table id=\"alarm-table\"><thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            t(lang, "signal"),
            t(lang, "family"),
            t(lang, "value"),
            t(lang, "percentile"),
            t(lang, "state"),
            t(lang, "explanation"),
            t(lang, "skill")
        );
        for s in hot {
            let l = s.latest.as_ref();
            let fam = family_title(report, &s.family).map_or(s.family.as_str(), |t| lang.pick(t));
            let _ = write!(
                h,
                "<tr><td><a href=\"#sig-{}\">{}</a></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                safe_id(&s.id),
                esc(lang.pick(&s.title)),
                esc(fam),
                esc(&value_text(s, lang)),
                i18n::pct(l.and_then(|r| r.percentile), lang),
                badge(l.and_then(|r| r.state), lang),
                esc(lang.pick(&s.explanation)),
                esc(&skill_phrase(report.skill_of(&s.id), lang))
            );
        }
        h.push_str("</tbody></table>");
    }
    let gc = gauge_chart(report, lang);
    h.push_str(&figure(&gc, lang));
    h.push_str("</section>");

    // What changed.
    let _ = write!(h, "<section id=\"changes\"><h2>{}</h2>", t(lang, "what_changed"));
    for (key, list) in [("since_week", &c.changes.week), ("since_month", &c.changes.month)] {
        let _ = write!(h, "<h3>{}</h3>", t(lang, key));
        if list.is_empty() {
            let _ = write!(h, "<p class=\"muted\">{}</p>", t(lang, "no_changes"));
            continue;
        }
        h.push_str("<ul class=\"changes\">");
        for ch in list.iter() {
            let _ = write!(
                h,
                "<li><b>{}</b> <span class=\"muted\">{}</span>: {} → {}</li>",
                esc(lang.pick(&ch.title)),
                esc(&ch.id),
                badge(ch.from, lang),
                badge(ch.to, lang)
            );
        }
        h.push_str("</ul>");
    }
    h.push_str("</section>");

    // Families.
    for f in &report.families {
        let _ = write!(
            h,
            "<section id=\"family-{}\" class=\"family\"><h2>{}</h2>",
            safe_id(&f.run.key),
            esc(lang.pick(&f.run.title))
        );
        if let Some(g) = c.families.iter().find(|g| g.id == format!("composite.{}", f.run.key)) {
            let l = g.latest.as_ref();
            let _ = write!(
                h,
                "<p>{}: <b>{}</b> {} <span class=\"muted\">{}: {}</span></p>",
                t(lang, "gauge"),
                l.map_or_else(|| t(lang, "na").to_string(), |r| format!("{:.1}", r.value)),
                badge(l.and_then(|r| r.state), lang),
                t(lang, "skill"),
                esc(&skill_phrase(report.skill_of(&g.id), lang))
            );
        }
        if let Some(e) = &f.run.error {
            let _ = write!(h, "<div class=\"note err\"><b>{}</b> — {}</div>", t(lang, "family_failed"), esc(e));
        }
        for n in &f.output.notes {
            let _ = write!(h, "<div class=\"note\">{}</div>", esc(lang.pick(n)));
        }
        if !f.signals.is_empty() {
            let _ = write!(h, "<h3>{}</h3>", t(lang, "signals"));
            h.push_str(&signal_table_head(lang));
            h.push_str(&signal_rows(report, f, lang));
            h.push_str("</tbody></table>");
        }
        if !f.output.charts.is_empty() {
            let _ = write!(h, "<h3>{}</h3>", t(lang, "charts"));
            for ch in &f.output.charts {
                h.push_str(&figure(ch, lang));
            }
        }
        if !f.output.methods.is_empty() {
            let _ = write!(h, "<h3>{}</h3><ul>", t(lang, "methods"));
            for m in &f.output.methods {
                let _ = write!(h, "<li>{}</li>", esc(lang.pick(m)));
            }
            h.push_str("</ul>");
        }
        h.push_str("</section>");
    }

    // Skill.
    h.push_str(&skill_section(report, lang));

    // Sources.
    let _ = write!(
        h,
        "<section id=\"sources\"><h2>{}</h2><table><thead><tr><th>ID</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        t(lang, "sources"),
        t(lang, "name"),
        t(lang, "source"),
        t(lang, "unit"),
        t(lang, "first"),
        t(lang, "last"),
        t(lang, "observations"),
        t(lang, "publication_lag")
    );
    for s in &report.sources {
        let d = |x: Option<chrono::NaiveDate>| x.map_or_else(|| "—".to_string(), |d| i18n::date(d, lang));
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"muted\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&s.id),
            esc(&s.name),
            esc(&s.source),
            esc(&s.unit),
            d(s.first),
            d(s.last),
            s.observations,
            i18n::days(Some(s.publication_lag_days as f64), lang)
        );
    }
    h.push_str("</tbody></table></section>");

    // Methods.
    let _ =
        write!(h, "<section id=\"methods\"><h2>{}</h2><h3>{}</h3><ul>", t(lang, "methods"), t(lang, "report_methods"));
    for m in report_methods(lang) {
        let _ = write!(h, "<li>{}</li>", esc(&m));
    }
    h.push_str("</ul>");
    for f in report.families.iter().filter(|f| !f.output.methods.is_empty()) {
        let _ = write!(h, "<h3>{}</h3><ul>", esc(lang.pick(&f.run.title)));
        for m in &f.output.methods {
            let _ = write!(h, "<li>{}</li>", esc(lang.pick(m)));
        }
        h.push_str("</ul>");
    }
    h.push_str("</section></main></body></html>\n");
    h
}
