//! The terminal summary: gauges and every signal with its state (ANSI colours
//! when asked), in the report's language.

use crate::html::{skill_phrase, value_text};
use crate::i18n::{self, t, Lang};
use crate::registry::State;
use crate::Report;

fn paint(s: &str, state: Option<State>, color: bool) -> String {
    if !color {
        return s.to_string();
    }
    let code = match state {
        Some(State::Calm) => "32",
        Some(State::Elevated) => "33",
        Some(State::Alarm) => "1;31",
        None => "2",
    };
    format!("\x1b[{code}m{s}\x1b[0m")
}

fn width(s: &str) -> usize {
    // CJK characters take two columns.
    s.chars().map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 }).sum()
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// The summary text (lines end with `\n`).
pub fn summary(report: &Report, lang: Lang, color: bool) -> String {
    let mut out = String::new();
    let c = &report.composite;
    out.push_str(&format!("{} — {} {}\n\n", t(lang, "report_title"), t(lang, "as_of"), i18n::date(report.as_of, lang)));
    for n in &report.notes {
        out.push_str(&format!("  {}\n", lang.pick(n)));
    }
    if !report.notes.is_empty() {
        out.push('\n');
    }
    let st = |s: Option<State>| paint(t(lang, s.map_or("na", State::key)), s, color);
    let gauge_line = |name: &str, g: &crate::composite::Gauge| {
        let l = g.latest.as_ref();
        format!(
            "  {}  {:>6}  {}  ({} {})\n",
            pad(name, 28),
            l.map_or_else(|| "-".into(), |r| format!("{:.1}", r.value)),
            st(l.and_then(|r| r.state)),
            t(lang, "percentile"),
            i18n::pct(l.and_then(|r| r.percentile), lang)
        )
    };
    out.push_str(&gauge_line(t(lang, "overall_gauge"), &c.overall));
    for g in &c.families {
        let key = g.id.trim_start_matches("composite.");
        let name = report
            .families
            .iter()
            .find(|f| f.run.key == key)
            .map_or(key.to_string(), |f| lang.pick(&f.run.title).to_string());
        out.push_str(&gauge_line(&name, g));
    }
    out.push('\n');
    let headers = [t(lang, "signal"), t(lang, "value"), t(lang, "percentile"), t(lang, "state"), t(lang, "skill")];
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut states = Vec::new();
    for f in &report.families {
        if let Some(e) = &f.run.error {
            out.push_str(&format!("  ! {}: {} — {}\n", lang.pick(&f.run.title), t(lang, "family_failed"), e));
        }
        for s in &f.signals {
            let l = s.latest.as_ref();
            let state = l.and_then(|r| r.state);
            rows.push([
                lang.pick(&s.title).to_string(),
                value_text(s, lang),
                i18n::pct(l.and_then(|r| r.percentile), lang),
                t(lang, state.map_or("na", State::key)).to_string(),
                skill_phrase(report.skill_of(&s.id), lang),
            ]);
            states.push(state);
        }
    }
    let mut w = headers.map(width);
    for r in &rows {
        for i in 0..5 {
            w[i] = w[i].max(width(&r[i]));
        }
    }
    let line = |cells: [&str; 5], state: Option<Option<State>>| {
        let mut s = String::from("  ");
        for i in 0..5 {
            let cell = pad(cells[i], w[i]);
            let cell = match (i, state) {
                (3, Some(st)) => paint(&cell, st, color),
                _ => cell,
            };
            s.push_str(&cell);
            s.push_str(if i < 4 { "  " } else { "\n" });
        }
        s
    };
    out.push_str(&line(headers, None));
    out.push_str(&format!("  {}\n", w.iter().map(|n| "-".repeat(*n)).collect::<Vec<_>>().join("  ")));
    for (r, s) in rows.iter().zip(states) {
        out.push_str(&line([&r[0], &r[1], &r[2], &r[3], &r[4]], Some(s)));
    }
    let ch = &c.changes;
    out.push_str(&format!(
        "\n{}: {} {}, {} {}\n",
        t(lang, "what_changed"),
        t(lang, "since_week"),
        ch.week.len(),
        t(lang, "since_month"),
        ch.month.len()
    ));
    for x in &ch.week {
        out.push_str(&format!("  {}: {} → {}\n", lang.pick(&x.title), st(x.from), st(x.to)));
    }
    out
}
