//! SVG drawings of every [`ChartData`] kind, self-contained (no fonts, images
//! or scripts by URL), usable inline in the HTML and as stand-alone files.

use crate::i18n::{self, Lang};
use chrono::{Datelike, NaiveDate};
use fissure_core::{Chart, ChartData, FanBand, FanLine, Line, NetEdge, NetNode, Span, Text};
use std::fmt::Write;

const W: f64 = 880.0;
const PALETTE: &[&str] =
    &["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];
/// Points kept per line (extremes preserved) so that long daily series stay light.
pub const MAX_POINTS: usize = 1200;

/// Escapes text for XML/HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A file- and id-safe version of `s`.
pub fn safe_id(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

fn header(w: f64, h: f64, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" \
         font-family=\"system-ui, 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif\" font-size=\"11\">\
         <title>{}</title><rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\
         <text x=\"8\" y=\"16\" font-size=\"13\" font-weight=\"600\" fill=\"#222\">{}</text>",
        esc(title),
        esc(title)
    )
}

/// Draws a chart (its title in `lang`).
pub fn draw(chart: &Chart, lang: Lang) -> String {
    let title = lang.pick(&chart.title);
    let id = safe_id(&chart.id);
    match &chart.data {
        ChartData::Lines { lines, spans, hlines, log_scale } => {
            lines_svg(&id, title, lines, spans, hlines, *log_scale, lang)
        }
        ChartData::Heatmap { labels, matrix } => heatmap_svg(title, labels, matrix, lang),
        ChartData::Network { nodes, edges } => network_svg(&id, title, nodes, edges, lang),
        ChartData::Bars { labels, values } => bars_svg(title, labels, values, lang),
        ChartData::DealNetwork { nodes, edges } => deal_network_svg(&id, title, nodes, edges, lang),
        ChartData::Table { columns, rows } => table_svg(title, columns, rows, lang),
        ChartData::Fan { x_label, x, center_label, center, bands, lines, unit } => {
            fan_svg(title, x_label, x, center_label, center, bands, lines, unit)
        }
    }
}

/// "Nice" step for about `n` ticks over `range`.
fn nice_step(range: f64, n: f64) -> f64 {
    let raw = (range / n).max(f64::MIN_POSITIVE);
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f < 1.5 {
        1.0
    } else if f < 3.0 {
        2.0
    } else if f < 7.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn day_num(d: NaiveDate) -> f64 {
    d.num_days_from_ce() as f64
}

/// Keeps at most about `max` points, preserving each bucket's minimum and maximum.
pub fn downsample(dates: &[NaiveDate], values: &[f64], max: usize) -> Vec<(NaiveDate, f64)> {
    let pts: Vec<(NaiveDate, f64)> =
        dates.iter().zip(values).filter(|(_, v)| v.is_finite()).map(|(d, v)| (*d, *v)).collect();
    if pts.len() <= max {
        return pts;
    }
    let buckets = max / 2;
    let size = pts.len().div_ceil(buckets);
    let mut out = Vec::with_capacity(max + 2);
    for chunk in pts.chunks(size) {
        let (mut lo, mut hi) = (0, 0);
        for (i, p) in chunk.iter().enumerate() {
            if p.1 < chunk[lo].1 {
                lo = i;
            }
            if p.1 > chunk[hi].1 {
                hi = i;
            }
        }
        let (a, b) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        out.push(chunk[a]);
        if b != a {
            out.push(chunk[b]);
        }
    }
    if let (Some(l), Some(p)) = (out.last().copied(), pts.last().copied()) {
        if l.0 != p.0 {
            out.push(p);
        }
    }
    out
}

/// Formats an axis number compactly.
fn axis_num(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.0}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Line chart with shaded spans, reference lines and an optional log scale.
pub fn lines_svg(
    id: &str,
    title: &str,
    lines: &[Line],
    spans: &[Span],
    hlines: &[(String, f64)],
    log_scale: bool,
    lang: Lang,
) -> String {
    let h = 320.0;
    let (l, r, t, b) = (64.0, 24.0, 44.0, 28.0);
    let (pw, ph) = (W - l - r, h - t - b);
    let mut s = header(W, h, title);
    let series: Vec<Vec<(NaiveDate, f64)>> = lines
        .iter()
        .map(|ln| {
            let n = ln.dates.len().min(ln.values.len());
            downsample(&ln.dates[..n], &ln.values[..n], MAX_POINTS)
                .into_iter()
                .filter(|p| !log_scale || p.1 > 0.0)
                .collect()
        })
        .collect();
    let all: Vec<&(NaiveDate, f64)> = series.iter().flatten().collect();
    if all.is_empty() {
        let _ = write!(s, "<text x=\"{}\" y=\"{}\" fill=\"#888\">—</text></svg>", W / 2.0, h / 2.0);
        return s;
    }
    let x0 = all.iter().map(|p| day_num(p.0)).fold(f64::INFINITY, f64::min);
    let x1 = all.iter().map(|p| day_num(p.0)).fold(f64::NEG_INFINITY, f64::max).max(x0 + 1.0);
    let tr = |v: f64| if log_scale { v.log10() } else { v };
    let mut ys: Vec<f64> = all.iter().map(|p| tr(p.1)).collect();
    ys.extend(hlines.iter().filter(|hl| hl.1.is_finite() && (!log_scale || hl.1 > 0.0)).map(|hl| tr(hl.1)));
    let mut y0 = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let mut y1 = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if y1 - y0 < 1e-12 {
        y0 -= 1.0;
        y1 += 1.0;
    }
    let pad = 0.04 * (y1 - y0);
    y0 -= pad;
    y1 += pad;
    let px = |d: f64| l + (d - x0) / (x1 - x0) * pw;
    let py = |v: f64| t + (1.0 - (tr(v) - y0) / (y1 - y0)) * ph;
    let clip = format!("clip-{id}");
    let _ = write!(
        s,
        "<defs><clipPath id=\"{clip}\"><rect x=\"{l}\" y=\"{t}\" width=\"{pw}\" height=\"{ph}\"/></clipPath></defs>"
    );
    // Spans; a label only where it fits and does not overlap the previous one.
    let mut label_end = f64::NEG_INFINITY;
    for sp in spans {
        let (a, z) = (px(day_num(sp.start)).max(l), px(day_num(sp.end)).min(l + pw));
        if z < l || a > l + pw {
            continue;
        }
        let label_w = 5.5 * sp.label.chars().count() as f64;
        let show = a >= label_end && a + label_w <= l + pw;
        let _ = write!(
            s,
            "<g><title>{} {} – {}</title><rect x=\"{a:.1}\" y=\"{t}\" width=\"{:.1}\" height=\"{ph}\" fill=\"#f3b6ad\" fill-opacity=\"0.45\"/>",
            esc(&sp.label),
            i18n::date(sp.start, lang),
            i18n::date(sp.end, lang),
            (z - a).max(1.0),
        );
        if show {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" fill=\"#a33\">{}</text>",
                a + 1.0,
                t + 10.0,
                esc(&sp.label)
            );
            label_end = a + label_w + 4.0;
        }
        s.push_str("</g>");
    }
    // Y grid and ticks.
    let yticks: Vec<f64> = if log_scale {
        let (lo, hi) = (y0.floor() as i32, y1.ceil() as i32);
        let mut v = Vec::new();
        for e in lo..=hi {
            for m in if hi - lo <= 2 { &[1.0, 2.0, 5.0][..] } else { &[1.0][..] } {
                let x = m * 10f64.powi(e);
                if x.log10() >= y0 && x.log10() <= y1 {
                    v.push(x);
                }
            }
        }
        v
    } else {
        let st = nice_step(y1 - y0, 5.0);
        let mut v = Vec::new();
        let mut x = (y0 / st).ceil() * st;
        while x <= y1 + 1e-9 * st {
            v.push(if x.abs() < st * 1e-9 { 0.0 } else { x });
            x += st;
        }
        v
    };
    for y in &yticks {
        let yy = py(*y);
        let _ = write!(
            s,
            "<line x1=\"{l}\" x2=\"{:.1}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#e5e5e5\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555\">{}</text>",
            l + pw,
            l - 4.0,
            yy + 3.5,
            axis_num(*y)
        );
    }
    // X ticks: years (or months for short ranges).
    let d0 = NaiveDate::from_num_days_from_ce_opt(x0 as i32).unwrap_or_default();
    let d1 = NaiveDate::from_num_days_from_ce_opt(x1 as i32).unwrap_or_default();
    let span_years = (x1 - x0) / 365.25;
    if span_years >= 2.0 {
        let step = nice_step(span_years, 8.0).max(1.0) as i32;
        let mut y = (d0.year() + 1).div_euclid(step) * step;
        if y <= d0.year() {
            y += step;
        }
        while y <= d1.year() {
            if let Some(d) = NaiveDate::from_ymd_opt(y, 1, 1) {
                let xx = px(day_num(d));
                let _ = write!(
                    s,
                    "<line x1=\"{xx:.1}\" x2=\"{xx:.1}\" y1=\"{t}\" y2=\"{:.1}\" stroke=\"#f0f0f0\"/>\
                     <text x=\"{xx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
                    t + ph,
                    t + ph + 14.0,
                    if lang == Lang::Zh { format!("{y}年") } else { y.to_string() }
                );
            }
            y += step;
        }
    } else {
        let months = ((x1 - x0) / 30.4).max(1.0);
        let step = (months / 6.0).ceil().max(1.0) as u32;
        let mut d = NaiveDate::from_ymd_opt(d0.year(), d0.month(), 1).unwrap_or(d0);
        while d <= d1 {
            if d >= d0 {
                let xx = px(day_num(d));
                let _ = write!(
                    s,
                    "<text x=\"{xx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
                    t + ph + 14.0,
                    i18n::month(d, lang)
                );
            }
            d = d.checked_add_months(chrono::Months::new(step)).unwrap_or(d1 + chrono::Duration::days(1));
        }
    }
    // Reference lines.
    for (label, v) in hlines {
        if !v.is_finite() || (log_scale && *v <= 0.0) {
            continue;
        }
        let yy = py(*v);
        let _ = write!(
            s,
            "<line x1=\"{l}\" x2=\"{:.1}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#444\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"9\" fill=\"#444\">{}</text>",
            l + pw,
            l + pw - 2.0,
            yy - 3.0,
            esc(label)
        );
    }
    // Lines.
    let _ = write!(s, "<g clip-path=\"url(#{clip})\" fill=\"none\" stroke-width=\"1.3\">");
    for (k, pts) in series.iter().enumerate() {
        if pts.is_empty() {
            continue;
        }
        let mut d = String::with_capacity(pts.len() * 14);
        for (i, p) in pts.iter().enumerate() {
            let _ = write!(d, "{}{:.1},{:.1}", if i == 0 { "M" } else { "L" }, px(day_num(p.0)), py(p.1));
        }
        let _ = write!(s, "<path d=\"{d}\" stroke=\"{}\"/>", PALETTE[k % PALETTE.len()]);
    }
    s.push_str("</g>");
    // Frame and legend.
    let _ = write!(s, "<rect x=\"{l}\" y=\"{t}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#999\"/>");
    let mut lx = l;
    for (k, ln) in lines.iter().enumerate() {
        let _ = write!(
            s,
            "<rect x=\"{lx:.1}\" y=\"25\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{:.1}\" y=\"34\" fill=\"#333\">{}</text>",
            PALETTE[k % PALETTE.len()],
            lx + 13.0,
            esc(&ln.label)
        );
        lx += 24.0 + ln.label.chars().map(|c| if (c as u32) >= 0x2E80 { 11.5 } else { 6.5 }).sum::<f64>();
    }
    if log_scale {
        let _ = write!(s, "<text x=\"{:.1}\" y=\"34\" text-anchor=\"end\" fill=\"#777\">log</text>", W - r);
    }
    s.push_str("</svg>");
    s
}

/// Diverging colour for a value in [-1, 1]: blue (negative) – white – red (positive).
fn diverging(v: f64) -> String {
    let v = v.clamp(-1.0, 1.0);
    let (r, g, b) = if v >= 0.0 {
        (255.0, 255.0 - 175.0 * v, 255.0 - 190.0 * v)
    } else {
        (255.0 + 200.0 * v, 255.0 + 120.0 * v, 255.0)
    };
    format!("rgb({:.0},{:.0},{:.0})", r, g, b)
}

/// Labelled square matrix as coloured cells.
pub fn heatmap_svg(title: &str, labels: &[String], matrix: &[Vec<f64>], lang: Lang) -> String {
    let n = labels.len();
    let cell = if n == 0 { 20.0 } else { (560.0 / n as f64).clamp(10.0, 40.0) };
    let (l, t) = (120.0, 110.0);
    let h = t + cell * n as f64 + 30.0;
    let w = (l + cell * n as f64 + 40.0).max(420.0);
    let mut s = header(w, h, title);
    let scale = matrix.iter().flatten().filter(|v| v.is_finite()).fold(1.0f64, |m, v| m.max(v.abs()));
    for (i, row) in matrix.iter().enumerate().take(n) {
        for (j, v) in row.iter().enumerate().take(n) {
            let (x, y) = (l + j as f64 * cell, t + i as f64 * cell);
            let fill = if v.is_finite() { diverging(v / scale) } else { "#eeeeee".into() };
            let _ = write!(
                s,
                "<g><title>{} / {}: {}</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cell:.1}\" height=\"{cell:.1}\" fill=\"{fill}\" stroke=\"#fff\"/>",
                esc(&labels[i]),
                esc(&labels[j]),
                i18n::num(*v, lang)
            );
            if cell >= 24.0 && v.is_finite() {
                let _ = write!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"9\" fill=\"#222\">{:.2}</text>",
                    x + cell / 2.0,
                    y + cell / 2.0 + 3.0,
                    v
                );
            }
            s.push_str("</g>");
        }
    }
    for (i, lab) in labels.iter().enumerate() {
        let c = i as f64 * cell + cell / 2.0;
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#333\">{}</text>\
             <text transform=\"translate({:.1},{:.1}) rotate(-60)\" fill=\"#333\">{}</text>",
            l - 4.0,
            t + c + 3.5,
            esc(lab),
            l + c + 3.0,
            t - 4.0,
            esc(lab)
        );
    }
    s.push_str("</svg>");
    s
}

/// Directed weighted network on a circle; arrow widths by weight.
pub fn network_svg(id: &str, title: &str, nodes: &[String], edges: &[(String, String, f64)], lang: Lang) -> String {
    let (w, h) = (W, 460.0);
    let (cx, cy, rad, nr) = (W / 2.0, 250.0, 170.0, 16.0);
    let mut s = header(w, h, title);
    let marker = format!("arrow-{id}");
    let _ = write!(
        s,
        "<defs><marker id=\"{marker}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto-start-reverse\">\
         <path d=\"M0,0L10,5L0,10z\" fill=\"#b03a2e\"/></marker></defs>"
    );
    let n = nodes.len().max(1);
    let pos = |i: usize| {
        let a = -std::f64::consts::FRAC_PI_2 + 2.0 * std::f64::consts::PI * i as f64 / n as f64;
        (cx + rad * a.cos(), cy + rad * a.sin())
    };
    let maxw = edges.iter().map(|e| e.2.abs()).filter(|v| v.is_finite()).fold(0.0f64, f64::max);
    for (from, to, wt) in edges {
        let (Some(i), Some(j)) = (nodes.iter().position(|x| x == from), nodes.iter().position(|x| x == to)) else {
            continue;
        };
        if i == j || !wt.is_finite() {
            continue;
        }
        let ((x1, y1), (x2, y2)) = (pos(i), pos(j));
        let len = ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt().max(1e-9);
        let (ux, uy) = ((x2 - x1) / len, (y2 - y1) / len);
        let width = if maxw > 0.0 { 0.6 + 6.0 * wt.abs() / maxw } else { 1.0 };
        let _ = write!(
            s,
            "<g><title>{} → {}: {}</title><line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#b03a2e\" \
             stroke-opacity=\"0.6\" stroke-width=\"{width:.2}\" marker-end=\"url(#{marker})\"/></g>",
            esc(from),
            esc(to),
            i18n::num(*wt, lang),
            x1 + ux * nr,
            y1 + uy * nr,
            x2 - ux * (nr + 2.0),
            y2 - uy * (nr + 2.0)
        );
    }
    for (i, name) in nodes.iter().enumerate() {
        let (x, y) = pos(i);
        let (lx, ly) = (cx + (rad + 30.0) * (x - cx) / rad, cy + (rad + 30.0) * (y - cy) / rad);
        let _ = write!(
            s,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{nr}\" fill=\"#fdfdfd\" stroke=\"#333\"/>\
             <text x=\"{lx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#222\">{}</text>",
            ly + 4.0,
            esc(name)
        );
    }
    s.push_str("</svg>");
    s
}

/// A deal network on a circle: node area ∝ size (hollow when unknown), edges curved
/// (so that A→B and B→A stay apart), width ∝ amount (thin grey when undisclosed),
/// red when on a cycle, dash pattern by status.
pub fn deal_network_svg(id: &str, title: &str, nodes: &[NetNode], edges: &[NetEdge], lang: Lang) -> String {
    let (w, h) = (W, 560.0);
    let (cx, cy, rad) = (W / 2.0, 300.0, 210.0);
    let mut s = header(w, h, title);
    let _ = write!(
        s,
        "<defs><marker id=\"dn-c-{id}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#c0392b\"/></marker>\
         <marker id=\"dn-o-{id}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#5d6d7e\"/></marker></defs>"
    );
    let n = nodes.len().max(1);
    let pos = |i: usize| {
        let a = -std::f64::consts::FRAC_PI_2 + 2.0 * std::f64::consts::PI * i as f64 / n as f64;
        (cx + rad * a.cos(), cy + rad * a.sin())
    };
    let max_size = nodes.iter().filter_map(|x| x.size).filter(|v| v.is_finite() && *v > 0.0).fold(0.0f64, f64::max);
    let radius = |sz: Option<f64>| match sz {
        Some(v) if v.is_finite() && v > 0.0 && max_size > 0.0 => 7.0 + 21.0 * (v / max_size).sqrt(),
        _ => 7.0,
    };
    let max_amt = edges.iter().filter_map(|e| e.amount).filter(|v| v.is_finite()).fold(0.0f64, f64::max);
    let mut pair_count: std::collections::BTreeMap<(usize, usize), usize> = std::collections::BTreeMap::new();
    for e in edges {
        let (Some(i), Some(j)) = (nodes.iter().position(|x| x.id == e.from), nodes.iter().position(|x| x.id == e.to))
        else {
            continue;
        };
        if i == j {
            continue;
        }
        let k = pair_count.entry((i, j)).or_insert(0);
        *k += 1;
        let ((x1, y1), (x2, y2)) = (pos(i), pos(j));
        let len = ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt().max(1e-9);
        let (ux, uy) = ((x2 - x1) / len, (y2 - y1) / len);
        // bend to the right of the direction of travel; parallel deals bend further
        let bend = 0.12 * len * (1.0 + 0.5 * (*k as f64 - 1.0));
        let (mx, my) = ((x1 + x2) / 2.0 - uy * bend, (y1 + y2) / 2.0 + ux * bend);
        let (r1, r2) = (radius(nodes[i].size), radius(nodes[j].size));
        let (sx, sy) = (x1 + ux * r1, y1 + uy * r1);
        let (ex, ey) = (x2 - ux * (r2 + 3.0), y2 - uy * (r2 + 3.0));
        let width = match e.amount {
            Some(a) if max_amt > 0.0 && a.is_finite() => 0.8 + 7.0 * (a / max_amt).sqrt(),
            _ => 0.8,
        };
        let color = if e.in_cycle { "#c0392b" } else { "#5d6d7e" };
        let dash = match e.style.as_str() {
            "dashed" => " stroke-dasharray=\"6 4\"",
            "dotted" => " stroke-dasharray=\"1.5 3\"",
            _ => "",
        };
        let marker = if e.in_cycle { format!("dn-c-{id}") } else { format!("dn-o-{id}") };
        let amount =
            e.amount.map_or_else(|| lang.pick(&Text::new("undisclosed", "未披露")).to_string(), |a| i18n::num(a, lang));
        let _ = write!(
            s,
            "<g><title>{} ({})</title><path d=\"M{sx:.1},{sy:.1} Q{mx:.1},{my:.1} {ex:.1},{ey:.1}\" fill=\"none\" stroke=\"{color}\" \
             stroke-opacity=\"{}\" stroke-width=\"{width:.2}\"{dash} marker-end=\"url(#{marker})\"/></g>",
            esc(&e.label),
            esc(&amount),
            if e.amount.is_some() { "0.75" } else { "0.45" }
        );
    }
    for (i, node) in nodes.iter().enumerate() {
        let (x, y) = pos(i);
        let r = radius(node.size);
        let (lx, ly) = (cx + (rad + r + 16.0) * (x - cx) / rad, cy + (rad + r + 16.0) * (y - cy) / rad);
        let fill = if node.size.is_some() { "#f4d03f" } else { "#ffffff" };
        let size = node
            .size
            .map_or_else(|| lang.pick(&Text::new("size unknown", "规模未知")).to_string(), |v| i18n::num(v, lang));
        let _ = write!(
            s,
            "<g><title>{}: {}</title><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\" fill=\"{fill}\" fill-opacity=\"0.85\" stroke=\"#333\"/>\
             <text x=\"{lx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#222\">{}</text></g>",
            esc(&node.id),
            esc(&size),
            ly + 4.0,
            esc(&node.id)
        );
    }
    s.push_str("</svg>");
    s
}

/// Display width of a text in tenths of a lowercase Latin character (capitals and
/// digits wider, CJK double).
fn text_width(t: &str) -> usize {
    t.chars()
        .map(|c| match c {
            c if (c as u32) >= 0x2E80 => 20,
            'A'..='Z' | '0'..='9' | '%' | '$' | '—' => 13,
            _ => 10,
        })
        .sum::<usize>()
        .div_ceil(10)
}

/// Wraps `t` into lines of at most `max` width units (at spaces, `+`, `_`, or anywhere for CJK).
fn wrap(t: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut w = 0;
    for word in t.split_inclusive(|c: char| c == ' ' || c == '+' || c == '_' || (c as u32) >= 0x2E80) {
        let ww = text_width(word);
        if w + ww > max && !cur.is_empty() {
            lines.push(cur.trim_end().to_string());
            cur.clear();
            w = 0;
        }
        cur.push_str(word);
        w += ww;
    }
    if !cur.is_empty() {
        lines.push(cur.trim_end().to_string());
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// A table of text cells, long cells wrapped, in the chart's language.
pub fn table_svg(title: &str, columns: &[Text], rows: &[Vec<Text>], lang: Lang) -> String {
    const CH: f64 = 6.3; // px per width unit at font-size 11
    const LINE: f64 = 14.0;
    let ncol = columns.len().max(1);
    let budget = ((W - 16.0) / CH) as usize;
    let cell = |t: &Text| lang.pick(t).to_string();
    let mut want: Vec<usize> = columns.iter().map(|c| text_width(&cell(c))).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(ncol) {
            want[i] = want[i].max(text_width(&cell(c)));
        }
    }
    // every column but the widest gets what it needs up to 24 units; the widest gets the rest
    let widest = (0..ncol).max_by_key(|&i| want[i]).unwrap_or(0);
    let mut widths: Vec<usize> = want.iter().map(|&w| w.clamp(3, 24)).collect();
    let used: usize = (0..ncol).filter(|&i| i != widest).map(|i| widths[i] + 2).sum();
    widths[widest] = want[widest].min(budget.saturating_sub(used + 2)).max(12);
    let mut body = String::new();
    let mut y = 44.0;
    let mut xs = vec![8.0];
    for w in &widths {
        let last = *xs.last().unwrap_or(&8.0);
        xs.push(last + (*w as f64 + 2.0) * CH);
    }
    for (i, c) in columns.iter().enumerate() {
        let _ = write!(
            body,
            "<text x=\"{:.1}\" y=\"{y:.1}\" font-weight=\"600\" fill=\"#222\">{}</text>",
            xs[i],
            esc(&cell(c))
        );
    }
    y += 6.0;
    let _ = write!(body, "<line x1=\"8\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#999\"/>", W - 8.0);
    for (k, r) in rows.iter().enumerate() {
        let wrapped: Vec<Vec<String>> =
            r.iter().take(ncol).enumerate().map(|(i, c)| wrap(&cell(c), widths[i].max(1))).collect();
        let nlines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        if k % 2 == 1 {
            let _ = write!(
                body,
                "<rect x=\"8\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#f4f6f7\"/>",
                y + 2.0,
                W - 16.0,
                nlines as f64 * LINE + 4.0
            );
        }
        for (i, lines) in wrapped.iter().enumerate() {
            for (j, l) in lines.iter().enumerate() {
                let _ = write!(
                    body,
                    "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#333\">{}</text>",
                    xs[i],
                    y + LINE * (j as f64 + 1.0),
                    esc(l)
                );
            }
        }
        y += nlines as f64 * LINE + 4.0;
    }
    let h = y + 12.0;
    let mut s = header(W, h, title);
    s.push_str(&body);
    s.push_str("</svg>");
    s
}

/// Labelled horizontal bars (negative values to the left of zero).
pub fn bars_svg(title: &str, labels: &[String], values: &[f64], lang: Lang) -> String {
    let n = labels.len().min(values.len());
    let bh = 18.0;
    let (l, r, t) = (160.0, 80.0, 30.0);
    let h = t + bh * n as f64 + 16.0;
    let mut s = header(W, h, title);
    let lo = values.iter().copied().filter(|v| v.is_finite()).fold(0.0f64, f64::min);
    let hi = values.iter().copied().filter(|v| v.is_finite()).fold(0.0f64, f64::max);
    let span = (hi - lo).max(1e-12);
    let pw = W - l - r;
    let px = |v: f64| l + (v - lo) / span * pw;
    for i in 0..n {
        let v = values[i];
        let y = t + i as f64 * bh;
        let (a, z) = if v.is_finite() { (px(0.0).min(px(v)), px(0.0).max(px(v))) } else { (px(0.0), px(0.0)) };
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#333\">{}</text>\
             <rect x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#333\">{}</text>",
            l - 6.0,
            y + bh * 0.7,
            esc(&labels[i]),
            y + 2.0,
            (z - a).max(0.5),
            bh - 4.0,
            if v < 0.0 { "#4a7fb5" } else { "#c0504d" },
            z + 4.0,
            y + bh * 0.7,
            i18n::num(v, lang)
        );
    }
    let _ =
        write!(s, "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{t}\" y2=\"{1:.1}\" stroke=\"#666\"/>", px(0.0), h - 16.0);
    s.push_str("</svg>");
    s
}

/// Fan chart: nested quantile bands (widest first, lighter), the central path and
/// dashed reference lines over a numeric horizon.
#[allow(clippy::too_many_arguments)]
pub fn fan_svg(
    title: &str,
    x_label: &str,
    x: &[f64],
    center_label: &str,
    center: &[f64],
    bands: &[FanBand],
    lines: &[FanLine],
    unit: &str,
) -> String {
    let h = 320.0;
    let (l, r, t, b) = (64.0, 24.0, 44.0, 34.0);
    let (pw, ph) = (W - l - r, h - t - b);
    let mut s = header(W, h, title);
    let n = x.len();
    let finite = |v: &f64| v.is_finite();
    let mut ys: Vec<f64> = center.iter().copied().filter(finite).collect();
    for bd in bands {
        ys.extend(bd.lower.iter().chain(&bd.upper).copied().filter(finite));
    }
    for ln in lines {
        ys.extend(ln.values.iter().copied().filter(finite));
    }
    let xs: Vec<f64> = x.iter().copied().filter(finite).collect();
    if n < 2 || ys.is_empty() || xs.len() < 2 {
        let _ = write!(s, "<text x=\"{}\" y=\"{}\" fill=\"#888\">—</text></svg>", W / 2.0, h / 2.0);
        return s;
    }
    let (x0, x1) =
        (xs.iter().copied().fold(f64::INFINITY, f64::min), xs.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    let x1 = if x1 - x0 < 1e-12 { x0 + 1.0 } else { x1 };
    let mut y0 = ys.iter().copied().fold(f64::INFINITY, f64::min).min(0.0);
    let mut y1 = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max).max(0.0);
    if y1 - y0 < 1e-12 {
        y0 -= 1.0;
        y1 += 1.0;
    }
    let pad = 0.04 * (y1 - y0);
    y0 -= pad;
    y1 += pad;
    let px = |v: f64| l + (v - x0) / (x1 - x0) * pw;
    let py = |v: f64| t + (1.0 - (v - y0) / (y1 - y0)) * ph;
    let st = nice_step(y1 - y0, 5.0);
    let mut yv = (y0 / st).ceil() * st;
    while yv <= y1 + 1e-9 * st {
        let yy = py(yv);
        let _ = write!(
            s,
            "<line x1=\"{l}\" x2=\"{:.1}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555\">{}{}</text>",
            l + pw,
            if yv.abs() < st * 1e-9 { "#999" } else { "#e5e5e5" },
            l - 4.0,
            yy + 3.5,
            axis_num(if yv.abs() < st * 1e-9 { 0.0 } else { yv }),
            esc(unit)
        );
        yv += st;
    }
    let xst = nice_step(x1 - x0, 8.0).max(1e-12);
    let mut xv = (x0 / xst).ceil() * xst;
    while xv <= x1 + 1e-9 * xst {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
            px(xv),
            t + ph + 14.0,
            axis_num(xv)
        );
        xv += xst;
    }
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
        l + pw / 2.0,
        h - 4.0,
        esc(x_label)
    );
    let nb = bands.len().max(1) as f64;
    for (i, bd) in bands.iter().enumerate() {
        let mut d = String::new();
        let m = n.min(bd.lower.len()).min(bd.upper.len());
        let pts: Vec<usize> =
            (0..m).filter(|&k| x[k].is_finite() && bd.lower[k].is_finite() && bd.upper[k].is_finite()).collect();
        for (c, &k) in pts.iter().enumerate() {
            let _ = write!(d, "{}{:.1},{:.1}", if c == 0 { "M" } else { "L" }, px(x[k]), py(bd.upper[k]));
        }
        for &k in pts.iter().rev() {
            let _ = write!(d, "L{:.1},{:.1}", px(x[k]), py(bd.lower[k]));
        }
        if !pts.is_empty() {
            let op = 0.18 + 0.32 * (i as f64 + 1.0) / nb;
            let _ = write!(
                s,
                "<path d=\"{d}Z\" fill=\"#1f77b4\" fill-opacity=\"{op:.2}\" stroke=\"none\"><title>{}</title></path>",
                esc(&bd.label)
            );
        }
    }
    let path = |vals: &[f64]| {
        let mut d = String::new();
        let mut first = true;
        for k in 0..n.min(vals.len()) {
            if x[k].is_finite() && vals[k].is_finite() {
                let _ = write!(d, "{}{:.1},{:.1}", if first { "M" } else { "L" }, px(x[k]), py(vals[k]));
                first = false;
            }
        }
        d
    };
    for (i, ln) in lines.iter().enumerate() {
        let _ = write!(
            s,
            "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>",
            path(&ln.values),
            PALETTE[(i + 1) % PALETTE.len()]
        );
    }
    let _ = write!(s, "<path d=\"{}\" fill=\"none\" stroke=\"#0b3c6b\" stroke-width=\"2\"/>", path(center));
    let _ = write!(s, "<rect x=\"{l}\" y=\"{t}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#999\"/>");
    // Legend: centre, bands, lines.
    let mut lx = l;
    let mut item = |s: &mut String, color: &str, op: f64, label: &str| {
        let _ = write!(
            s,
            "<rect x=\"{lx:.1}\" y=\"25\" width=\"10\" height=\"10\" fill=\"{color}\" fill-opacity=\"{op:.2}\"/><text x=\"{:.1}\" y=\"34\" fill=\"#333\">{}</text>",
            lx + 13.0,
            esc(label)
        );
        lx += 24.0 + label.chars().map(|c| if (c as u32) >= 0x2E80 { 11.5 } else { 6.5 }).sum::<f64>();
    };
    item(&mut s, "#0b3c6b", 1.0, center_label);
    for (i, bd) in bands.iter().enumerate() {
        item(&mut s, "#1f77b4", 0.18 + 0.32 * (i as f64 + 1.0) / nb, &bd.label);
    }
    for (i, ln) in lines.iter().enumerate() {
        item(&mut s, PALETTE[(i + 1) % PALETTE.len()], 1.0, &ln.label);
    }
    s.push_str("</svg>");
    s
}

/// A 0–100 gauge meter: coloured bands, a needle at `value`, the state colour.
pub fn meter_svg(value: Option<f64>, color: &str, w: f64) -> String {
    let h = 26.0;
    let mut s = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" aria-hidden=\"true\">");
    for (a, z, c) in [(0.0, 80.0, "#d8eed8"), (80.0, 95.0, "#fbe3b0"), (95.0, 100.0, "#f5b5ad")] {
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"8\" width=\"{:.1}\" height=\"10\" fill=\"{c}\"/>",
            a / 100.0 * w,
            (z - a) / 100.0 * w
        );
    }
    if let Some(v) = value.filter(|v| v.is_finite()) {
        let x = v.clamp(0.0, 100.0) / 100.0 * w;
        let _ = write!(s, "<rect x=\"0\" y=\"11\" width=\"{x:.1}\" height=\"4\" fill=\"{color}\"/><rect x=\"{:.1}\" y=\"3\" width=\"3\" height=\"20\" fill=\"{color}\"/>", (x - 1.5).max(0.0));
    }
    s.push_str("</svg>");
    s
}

/// One curve of an [`xy_svg`] chart on the unit square.
pub struct XyCurve {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    /// Draw markers (reliability bins) instead of a line (ROC).
    pub markers: bool,
}

/// A chart on the unit square with the diagonal (ROC curves, reliability diagrams).
pub fn xy_svg(title: &str, x_label: &str, y_label: &str, curves: &[XyCurve]) -> String {
    let (sz, l, t, r) = (380.0, 52.0, 30.0, 230.0);
    let (w, h) = (l + sz + r, t + sz + 44.0);
    let mut s = header(w, h, title);
    let px = |x: f64| l + x.clamp(0.0, 1.0) * sz;
    let py = |y: f64| t + (1.0 - y.clamp(0.0, 1.0)) * sz;
    let _ = write!(s, "<rect x=\"{l}\" y=\"{t}\" width=\"{sz}\" height=\"{sz}\" fill=\"none\" stroke=\"#999\"/>");
    for k in 0..=5 {
        let v = k as f64 / 5.0;
        let _ = write!(
            s,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{t}\" y2=\"{1:.1}\" stroke=\"#eee\"/>\
             <line x1=\"{l}\" x2=\"{2:.1}\" y1=\"{3:.1}\" y2=\"{3:.1}\" stroke=\"#eee\"/>\
             <text x=\"{0:.1}\" y=\"{4:.1}\" text-anchor=\"middle\" fill=\"#555\">{v:.1}</text>\
             <text x=\"{5:.1}\" y=\"{6:.1}\" text-anchor=\"end\" fill=\"#555\">{v:.1}</text>",
            px(v),
            t + sz,
            l + sz,
            py(v),
            t + sz + 14.0,
            l - 4.0,
            py(v) + 4.0
        );
    }
    let _ = write!(
        s,
        "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#333\">{}</text>\
         <text transform=\"translate(14 {:.1}) rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
        px(0.0),
        py(0.0),
        px(1.0),
        py(1.0),
        l + sz / 2.0,
        t + sz + 32.0,
        esc(x_label),
        t + sz / 2.0,
        esc(y_label)
    );
    for (k, c) in curves.iter().enumerate() {
        let col = PALETTE[k % PALETTE.len()];
        if c.markers {
            for (x, y) in &c.points {
                let _ = write!(s, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{col}\"/>", px(*x), py(*y));
            }
        } else if !c.points.is_empty() {
            // at most ~400 vertices per curve
            let step = (c.points.len() / 400).max(1);
            let mut d = String::new();
            for (i, (x, y)) in c.points.iter().enumerate() {
                if i % step == 0 || i + 1 == c.points.len() {
                    let _ = write!(d, "{}{:.1},{:.1}", if d.is_empty() { "M" } else { " L" }, px(*x), py(*y));
                }
            }
            let _ = write!(s, "<path d=\"{d}\" fill=\"none\" stroke=\"{col}\" stroke-width=\"1.8\"/>");
        }
        let ly = t + 14.0 + 18.0 * k as f64;
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"12\" height=\"4\" fill=\"{col}\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#333\">{}</text>",
            l + sz + 12.0,
            ly - 4.0,
            l + sz + 28.0,
            ly + 1.0,
            esc(&c.label)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsample_keeps_extremes_and_ends() {
        let dates: Vec<NaiveDate> =
            (0..10_000).map(|i| NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Duration::days(i)).collect();
        let mut v: Vec<f64> = (0..10_000).map(|i| (i as f64 / 50.0).sin()).collect();
        v[4321] = 9.0;
        v[777] = -9.0;
        let d = downsample(&dates, &v, 1000);
        assert!(d.len() <= 1002);
        assert!(d.iter().any(|p| p.1 == 9.0) && d.iter().any(|p| p.1 == -9.0));
        assert_eq!(d.first().unwrap().0, dates[0]);
        assert_eq!(d.last().unwrap().0, dates[9999]);
    }

    #[test]
    fn every_kind_draws_valid_looking_svg() {
        let d = |i| NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(i);
        let charts = [
            ChartData::Lines {
                lines: vec![Line {
                    label: "a<b".into(),
                    dates: (0..800).map(d).collect(),
                    values: (0..800).map(|i| 1.0 + i as f64).collect(),
                }],
                spans: vec![Span { start: d(10), end: d(50), label: "x".into() }],
                hlines: vec![("P95".into(), 500.0)],
                log_scale: true,
            },
            ChartData::Heatmap { labels: vec!["A".into(), "B".into()], matrix: vec![vec![1.0, -0.5], vec![-0.5, 1.0]] },
            ChartData::Network { nodes: vec!["A".into(), "B".into()], edges: vec![("A".into(), "B".into(), 2.0)] },
            ChartData::Bars { labels: vec!["A".into(), "B".into()], values: vec![0.3, -0.1] },
            ChartData::DealNetwork {
                nodes: vec![NetNode { id: "A".into(), size: Some(10.0) }, NetNode { id: "B".into(), size: None }],
                edges: vec![NetEdge {
                    from: "A".into(),
                    to: "B".into(),
                    amount: None,
                    style: "dotted".into(),
                    in_cycle: true,
                    label: "A → B".into(),
                }],
            },
            ChartData::Table {
                columns: vec![Text::new("id", "编号"), Text::new("why", "理由")],
                rows: vec![vec![
                    Text::new("c1", "c1"),
                    Text::new("a long reason ".repeat(30), "很长的理由".repeat(30)),
                ]],
            },
            ChartData::Fan {
                x_label: "days".into(),
                x: vec![0.0, 1.0, 2.0],
                center_label: "median".into(),
                center: vec![0.0, -2.0, -3.0],
                bands: vec![FanBand {
                    label: "p05–p95".into(),
                    lower: vec![0.0, -5.0, -8.0],
                    upper: vec![0.0, 1.0, 2.0],
                }],
                lines: vec![FanLine { label: "no agents".into(), values: vec![0.0, -1.0, -1.0] }],
                unit: "%".into(),
            },
        ];
        for data in charts {
            let c = Chart {
                id: "t 1".into(),
                title: fissure_core::Text::new("T", "图"),
                caption: Default::default(),
                data,
            };
            let s = draw(&c, Lang::Zh);
            assert!(s.starts_with("<svg") && s.ends_with("</svg>"), "{s}");
            assert!(!s.contains("a<b"));
            assert!(!s.contains("NaN") && !s.contains("inf"), "{s}");
            assert_eq!(s.matches("<g").count(), s.matches("</g>").count());
        }
    }
}
