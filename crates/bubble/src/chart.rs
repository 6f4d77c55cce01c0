//! A small SVG line chart of a series with shaded explosive episodes, written by hand (no
//! plotting dependency). Used by `fissure bubble psy --chart` and by the report.

use chrono::{Datelike, NaiveDate};
use std::fmt::Write;

/// A shaded span on the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub label: String,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Renders `values` against `dates` (log scale if `log_scale` and all values are positive),
/// with `episodes` shaded. Returns a self-contained SVG document (800×300).
pub fn episodes_svg(title: &str, dates: &[NaiveDate], values: &[f64], episodes: &[Span], log_scale: bool) -> String {
    let (w, h) = (800.0, 300.0);
    let (ml, mr, mt, mb) = (60.0, 15.0, 30.0, 30.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="11">"#
    );
    let _ = write!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = write!(s, r#"<text x="{ml}" y="18" font-size="13" font-weight="bold">{}</text>"#, esc(title));
    let n = dates.len().min(values.len());
    if n < 2 {
        s.push_str("</svg>");
        return s;
    }
    let use_log = log_scale && values[..n].iter().all(|v| *v > 0.0);
    let tr = |v: f64| if use_log { v.ln() } else { v };
    let ys: Vec<f64> = values[..n].iter().map(|v| tr(*v)).collect();
    let (mut lo, mut hi) = ys.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    if hi <= lo {
        hi = lo + 1.0;
        lo -= 1.0;
    }
    let d0 = dates[0];
    let span_days = ((dates[n - 1] - d0).num_days()).max(1) as f64;
    let px = |d: NaiveDate| ml + (w - ml - mr) * ((d - d0).num_days() as f64 / span_days);
    let py = |v: f64| mt + (h - mt - mb) * (1.0 - (v - lo) / (hi - lo));
    for e in episodes {
        let (x0, x1) = (px(e.start.max(d0)), px(e.end.min(dates[n - 1])));
        let _ = write!(
            s,
            r##"<rect x="{x0:.1}" y="{mt}" width="{:.1}" height="{}" fill="#f4a261" fill-opacity="0.35"><title>{}</title></rect>"##,
            (x1 - x0).max(1.0),
            h - mt - mb,
            esc(&e.label)
        );
    }
    // axes
    let _ = write!(s, r##"<line x1="{ml}" y1="{}" x2="{}" y2="{}" stroke="#444"/>"##, h - mb, w - mr, h - mb);
    let _ = write!(s, r##"<line x1="{ml}" y1="{mt}" x2="{ml}" y2="{}" stroke="#444"/>"##, h - mb);
    for k in 0..=4 {
        let v = lo + (hi - lo) * k as f64 / 4.0;
        let y = py(v);
        let lab = if use_log { v.exp() } else { v };
        let _ = write!(
            s,
            r##"<line x1="{ml}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            w - mr,
            ml - 4.0,
            y + 4.0,
            fmt_num(lab)
        );
    }
    let (y0, y1) = (d0.year(), dates[n - 1].year());
    let step = (((y1 - y0) as f64 / 8.0).ceil() as i32).max(1);
    let mut yr = y0 + 1;
    while yr <= y1 {
        if let Some(d) = NaiveDate::from_ymd_opt(yr, 1, 1) {
            let x = px(d);
            let _ = write!(s, r##"<text x="{x:.1}" y="{}" text-anchor="middle">{yr}</text>"##, h - mb + 14.0);
        }
        yr += step;
    }
    let mut path = String::new();
    for i in 0..n {
        let _ = write!(path, "{}{:.1},{:.1}", if i == 0 { "M" } else { "L" }, px(dates[i]), py(ys[i]));
    }
    let _ = write!(s, r##"<path d="{path}" fill="none" stroke="#1d3557" stroke-width="1.2"/>"##);
    s.push_str("</svg>");
    s
}

fn fmt_num(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_has_path_and_episodes() {
        let d: Vec<NaiveDate> =
            (0..50).map(|i| NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(i * 7)).collect();
        let v: Vec<f64> = (0..50).map(|i| 100.0 + i as f64).collect();
        let e = [Span { start: d[10], end: d[20], label: "a<b".into() }];
        let svg = episodes_svg("t & x", &d, &v, &e, true);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            svg.contains("<path d=\"M60.0,")
                && svg.contains("fill-opacity")
                && svg.contains("a&lt;b")
                && svg.contains("t &amp; x")
        );
    }
}
