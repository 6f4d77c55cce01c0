//! `report.json`: every number the report shows, keyed as the HTML is laid out.

use crate::composite::{Gauge, GAUGE_THRESHOLDS};
use crate::i18n::Lang;
use crate::registry::{MIN_HISTORY_DAYS, MIN_HISTORY_OBS};
use crate::Report;
use serde_json::{json, Map, Value};

fn gauge_json(g: &Gauge, report: &Report) -> Value {
    json!({
        "id": g.id,
        "title": g.title,
        "latest": g.latest,
        "weights": g.weights.iter().map(|(k, w)| json!({"component": k, "weight": w})).collect::<Vec<_>>(),
        "skill": report.skill_of(&g.id),
        "skill_bear": report.skill.bear_of(&g.id),
    })
}

/// The JSON document.
pub fn to_json(report: &Report, lang: Lang) -> Value {
    let mut families = Map::new();
    for f in &report.families {
        let gauge = report.composite.families.iter().find(|g| g.id == format!("composite.{}", f.run.key));
        let weight = report.composite.overall.weights.iter().find(|(k, _)| *k == f.run.key).map(|x| x.1);
        let signals: Vec<Value> = f
            .signals
            .iter()
            .map(|s| {
                let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
                if let Value::Object(m) = &mut v {
                    m.insert("skill".into(), serde_json::to_value(report.skill_of(&s.id)).unwrap_or(Value::Null));
                    m.insert(
                        "skill_bear".into(),
                        serde_json::to_value(report.skill.bear_of(&s.id)).unwrap_or(Value::Null),
                    );
                    m.insert("observations".into(), json!(s.dates.len()));
                    m.insert("first_date".into(), json!(s.dates.first()));
                    m.insert("timing".into(), json!(crate::composite::timing(&s.id).key()));
                    m.insert(
                        "history".into(),
                        json!({
                            "dates": s.dates,
                            "values": s.values.iter().map(|v| v.is_finite().then_some(*v)).collect::<Vec<_>>(),
                            "risk_percentile": s.risk,
                            "state": s.states,
                        }),
                    );
                }
                v
            })
            .collect();
        families.insert(
            f.run.key.clone(),
            json!({
                "title": f.run.title,
                "run": f.run,
                "gauge": gauge.map(|g| gauge_json(g, report)),
                "weight_in_overall": weight,
                "signals": signals,
                "charts": f.output.charts.iter().map(|c| json!({"id": c.id, "title": c.title, "caption": c.caption, "file": format!("charts/{}.svg", crate::svg::safe_id(&c.id))})).collect::<Vec<_>>(),
                "methods": f.output.methods,
                "notes": f.output.notes,
            }),
        );
    }
    let c = &report.composite;
    let history: Map<String, Value> = std::iter::once(&c.overall)
        .chain(&c.families)
        .chain([&c.fragility, &c.stress_now])
        .map(|g| (g.id.clone(), json!(g.values)))
        .collect();
    let w = &report.skill.warning;
    let warning = json!({
        "probability": w.probability,
        "lo": w.lo,
        "hi": w.hi,
        "base_rate": w.base_rate,
        "method": w.method,
        "features": w.features,
        "coefficients": w.coefficients,
        "skill": w.skill,
        "skill_bear": report.skill.bear_of("warning"),
        "reliability": w.reliability,
        "history": w.dates.iter().zip(&w.history).map(|(d, p)| json!({"date": d, "probability": p})).collect::<Vec<_>>(),
    });
    json!({
        "as_of": report.as_of,
        "notes": report.notes.iter().map(|n| lang.pick(n)).collect::<Vec<_>>(),
        "lang": lang.code(),
        "version": env!("CARGO_PKG_VERSION"),
        "families": families,
        "composite": {
            "overall": gauge_json(&c.overall, report),
            "families": c.families.iter().map(|g| (g.id.clone(), gauge_json(g, report))).collect::<Map<_, _>>(),
            "fragility": gauge_json(&c.fragility, report),
            "stress_now": gauge_json(&c.stress_now, report),
            "thresholds": GAUGE_THRESHOLDS,
            "history": { "dates": c.overall.dates, "gauges": history },
        },
        "what_changed": c.changes,
        "warning": warning,
        "skill": {
            "params": report.skill.params,
            "events": report.skill.events,
            "equity_series": report.skill.equity_series,
            "equity_events": report.skill.equity_events,
            "scores": report.skill.scores,
            "baselines": report.skill.baselines,
            "panel": report.skill.panel,
            "roc": report.skill.roc,
            "bear_markets": report.skill.bear,
        },
        "registry": {
            "percentile": "share of the signal's own history up to each date that is <= the value (expanding, real-time safe)",
            "min_history_observations": MIN_HISTORY_OBS,
            "min_history_days": MIN_HISTORY_DAYS,
        },
        "sources": report.sources,
        "timings": report.steps,
    })
}
