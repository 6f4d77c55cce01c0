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
.vs-better{color:var(--calm)}.vs-worse{color:var(--alarm)}.vs-mixed{color:var(--muted)}
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

/// The skill of a warning in one phrase.
pub fn skill_phrase(k: Option<&Skill>, lang: Lang) -> String {
    let Some(k) = k else {
        return t(lang, "unscored").to_string();
    };
    if k.events_scored == 0 {
        return t(lang, "no_skill").to_string();
    }
    let fa = k.false_alarms_per_year.map_or_else(|| t(lang, "na").to_string(), |v| format!("{v:.2}"));
    match lang {
        Lang::En => format!(
            "hit {}/{} ({}), median lead {}, {} false alarms/yr",
            k.hits,
            k.events_scored,
            i18n::share(k.hit_rate, lang),
            i18n::days(k.median_lead_days, lang),
            fa
        ),
        Lang::Zh => format!(
            "命中 {}/{}（{}），中位提前期 {}，每年误报 {} 次",
            k.hits,
            k.events_scored,
            i18n::share(k.hit_rate, lang),
            i18n::days(k.median_lead_days, lang),
            fa
        ),
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

/// Every chart of the report: (file-safe id, SVG).
pub fn all_charts(report: &Report, lang: Lang) -> Vec<(String, String)> {
    let mut out = vec![("composite_history".to_string(), svg::draw(&gauge_chart(report, lang), lang))];
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

/// "volatility percentile: better · 200-day MA break: mixed" for a signal.
fn versus_text(sk: &crate::SkillStudy, id: &str, lang: Lang) -> String {
    let Some(v) = sk.versus.get(id) else { return String::new() };
    sk.baselines
        .iter()
        .zip(v)
        .map(|(b, v)| {
            format!(
                "<span class=\"vs vs-{}\">{}: {}</span>",
                v.key(),
                esc(t(lang, &format!("baseline_{}_short", b.kind))),
                esc(t(lang, v.key()))
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
            "Skill: events are peak-to-trough drawdowns of at least the configured fall, dated on the first day the fall reaches the threshold. A hit is an event preceded by an alarm within the lead window; the lead is the time from the earliest such alarm; a false alarm is an alarm episode (alarm dates less than 30 days apart) not followed by an event within the window and not inside a drawdown (those are late alarms); recent episodes are pending. Events and scores use only data up to the report date.".into(),
        ],
        Lang::Zh => vec![
            format!("百分位：截至每个日期，信号自身历史中小于或等于当前值的比例（扩展窗口，因此日期 t 的读数只使用 t 及以前的数据）；需要至少 {MIN_HISTORY_OBS} 个观测值且跨度 {MIN_HISTORY_DAYS} 天。对于数值越低风险越高的信号，使用大于或等于当前值的比例（风险百分位）。"),
            "状态：基于百分位的信号在风险百分位 ≥ 80 时为偏高、≥ 95 时为警报（除非该类别另设水平）；绝对阈值信号直接使用类别设定的数值水平（见各信号下方）。".into(),
            format!("综合指数：类别指数为其信号风险百分位的加权平均（等权），每周取样（周五及报告日），超过 {p} 天的旧读数不计入；总体指数为各类别指数的加权平均（等权；存在其他类别时基准权重为 0）。各指数的状态使用其自身扩展百分位（80 / 95），需52周历史。"),
            "历史表现：事件为达到设定跌幅的从高点到低点的回撤，事件日期为跌幅首次达到阈值的日期。命中指事件发生前的提前窗口内出现过警报；提前期从窗口内最早的警报算起；误报指警报片段（间隔少于30天的警报日期合并）之后窗口内没有事件发生，且不在回撤期间（回撤期间的为滞后警报）；最近的片段为待定。事件和评分只使用报告日期及以前的数据。".into(),
        ],
    }
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
    h.push_str(&gauge_card(&c.overall, t(lang, "overall_gauge"), None, true, lang));
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
    let sk = &report.skill;
    let _ = write!(h, "<section id=\"skill\"><h2>{}</h2>", t(lang, "skill_table"));
    let _ = write!(
        h,
        "<p class=\"muted\">{} {}</p>",
        esc(t(lang, "baseline_note")),
        match lang {
            Lang::En => format!(
                "Lead window: {} days before the event date; alarm dates less than {} days apart form one episode.",
                sk.params.lead_window_days, sk.params.merge_gap_days
            ),
            Lang::Zh => format!(
                "提前窗口：事件日期前 {} 天；间隔少于 {} 天的警报日期合并为一次。",
                sk.params.lead_window_days, sk.params.merge_gap_days
            ),
        }
    );
    if !sk.baselines.is_empty() {
        let _ = write!(h, "<p><b>{}</b>: ", t(lang, "pooled_baselines"));
        let parts: Vec<String> = sk
            .baselines
            .iter()
            .map(|b| {
                format!(
                    "{} — {} {}, {} {}",
                    esc(t(lang, &format!("baseline_{}", b.kind))),
                    t(lang, "hit_rate"),
                    i18n::share(b.hit_rate, lang),
                    t(lang, "false_alarms_per_year"),
                    b.false_alarms_per_year.map_or_else(|| t(lang, "na").to_string(), |v| format!("{v:.2}"))
                )
            })
            .collect();
        let _ = write!(h, "{}</p>", parts.join(" · "));
    }
    let _ = write!(
        h,
        "<div class=\"scroll\"><table id=\"skill-table\"><thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th>{}</th></tr></thead><tbody>",
        t(lang, "signal"),
        t(lang, "family"),
        t(lang, "events"),
        t(lang, "hits"),
        t(lang, "hit_rate"),
        t(lang, "median_lead"),
        t(lang, "alarm_episodes"),
        t(lang, "false_alarms"),
        t(lang, "false_alarms_per_year"),
        t(lang, "late_alarms"),
        t(lang, "pending"),
        t(lang, "vs_baselines")
    );
    let row = |h: &mut String, id: &str, name: &str, fam: &str, class: &str| {
        let k = sk.scores.get(id);
        let cell = |f: &dyn Fn(&Skill) -> String| k.map_or_else(|| t(lang, "na").to_string(), f);
        let _ = write!(
            h,
            "<tr class=\"{class}\" data-skill=\"{}\"><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(id),
            esc(name),
            esc(fam),
            cell(&|k| k.events_scored.to_string()),
            cell(&|k| k.hits.to_string()),
            cell(&|k| i18n::share(k.hit_rate, lang)),
            cell(&|k| i18n::days(k.median_lead_days, lang)),
            cell(&|k| k.alarm_episodes.to_string()),
            cell(&|k| k.false_alarms.to_string()),
            cell(&|k| k.false_alarms_per_year.map_or_else(|| t(lang, "na").to_string(), |v| format!("{v:.2}"))),
            cell(&|k| k.late_alarms.to_string()),
            cell(&|k| k.pending.to_string()),
            versus_text(sk, id, lang),
        );
    };
    row(&mut h, &c.overall.id, t(lang, "overall_gauge"), t(lang, "composite"), "gauge");
    for g in &c.families {
        let key = g.id.trim_start_matches("composite.");
        let name = family_title(report, key).map_or(key.to_string(), |x| lang.pick(x).to_string());
        row(&mut h, &g.id, &format!("{name} · {}", t(lang, "gauge")), t(lang, "composite"), "gauge");
    }
    for f in &report.families {
        let class = if f.run.key == crate::composite::BASELINE_FAMILY { "baseline" } else { "" };
        for s in &f.signals {
            row(&mut h, &s.id, lang.pick(&s.title), lang.pick(&f.run.title), class);
        }
    }
    h.push_str("</tbody></table></div>");
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
    h.push_str("</section>");

    // Sources.
    let _ = write!(
        h,
        "<section id=\"sources\"><h2>{}</h2><table><thead><tr><th>ID</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        t(lang, "sources"),
        t(lang, "name"),
        t(lang, "source"),
        t(lang, "unit"),
        t(lang, "first"),
        t(lang, "last"),
        t(lang, "observations")
    );
    for s in &report.sources {
        let d = |x: Option<chrono::NaiveDate>| x.map_or_else(|| "—".to_string(), |d| i18n::date(d, lang));
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"muted\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            esc(&s.id),
            esc(&s.name),
            esc(&s.source),
            esc(&s.unit),
            d(s.first),
            d(s.last),
            s.observations
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
