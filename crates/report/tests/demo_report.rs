//! The report on the bundled real data (data/demo), without the binary: every
//! section and family present in both languages, JSON = HTML, real-time safety,
//! and the store cache.

use chrono::NaiveDate;
use fissure_core::{FamilyInputs, SignalFamily};
use fissure_io::store::{IngestItem, IngestSection};
use fissure_io::{Store, Watchlist};
use fissure_report::baseline::BaselineFamily;
use fissure_report::{i18n, Lang, Progress, Report, ReportInput, SkillParams};
use std::sync::OnceLock;

fn demo() -> &'static fissure_io::demo::DemoData {
    static D: OnceLock<fissure_io::demo::DemoData> = OnceLock::new();
    D.get_or_init(|| fissure_io::demo::load().expect("bundled demo data"))
}

fn inputs(as_of: NaiveDate) -> FamilyInputs {
    let w = Watchlist::embedded();
    let mut inp = FamilyInputs { as_of: Some(as_of), ..Default::default() };
    for (s, _) in &demo().series {
        let s = fissure_io::publication::as_known(s).as_of(as_of);
        if !s.is_empty() {
            inp.series.insert(s.id().to_string(), s);
        }
    }
    for (c, _) in &demo().sections {
        if c.date <= as_of {
            inp.sections.entry(c.id.clone()).or_default().push(c.clone());
        }
    }
    for b in w.baskets.keys() {
        inp.baskets.insert(b.clone(), w.basket_weights(b).unwrap());
    }
    inp.roles = w.roles.clone();
    inp.bubble_assets = w.report.bubble_assets.clone();
    inp
}

fn events() -> Vec<(String, f64)> {
    Watchlist::embedded().report.drawdown_events.into_iter().collect()
}

fn last_date() -> NaiveDate {
    demo().series.iter().filter_map(|(s, _)| s.last_date()).max().unwrap()
}

fn build(as_of: NaiveDate, families: Vec<&dyn SignalFamily>, cache: Option<&dyn fissure_report::Cache>) -> Report {
    let input = ReportInput {
        families,
        inputs: inputs(as_of),
        events: events(),
        as_of,
        sources: vec![],
        skill_params: SkillParams::default(),
        code_id: "test".into(),
    };
    fissure_report::build(input, cache, &|_: Progress<'_>| {})
}

fn full() -> &'static Report {
    static R: OnceLock<Report> = OnceLock::new();
    R.get_or_init(|| build(last_date(), vec![], None))
}

#[test]
fn every_section_and_family_in_both_languages_and_json_matches_html() {
    let report = full();
    assert!(report.families.iter().any(|f| f.run.key == "baseline"));
    assert!(report.skill.events.len() >= 5, "{:?}", report.skill.events);
    for lang in [Lang::En, Lang::Zh] {
        let dir = tempfile::tempdir().unwrap();
        let written = fissure_report::write(report, dir.path(), lang).unwrap();
        let html = std::fs::read_to_string(&written.html).unwrap();
        for id in [
            "summary",
            "alarms",
            "changes",
            "skill",
            "skill-table",
            "events-table",
            "sources",
            "methods",
            "chart-composite_history",
        ] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{lang:?}: section {id} missing");
        }
        assert!(html.contains(i18n::t(lang, "report_title")));
        assert!(html.contains(&i18n::date(report.as_of, lang)));
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&written.json).unwrap()).unwrap();
        assert_eq!(json["as_of"], serde_json::json!(report.as_of));
        let fams = json["families"].as_object().unwrap();
        assert_eq!(fams.len(), report.families.len());
        for f in &report.families {
            assert!(html.contains(&format!("id=\"family-{}\"", f.run.key)), "family {} missing", f.run.key);
            assert!(html.contains(lang.pick(&f.run.title)));
            let jf = &fams[&f.run.key];
            let sigs = jf["signals"].as_array().unwrap();
            assert_eq!(sigs.len(), f.signals.len());
            for (js, s) in sigs.iter().zip(&f.signals) {
                // Every number of the JSON appears, formatted, in the HTML row of that signal.
                let row_start = html.find(&format!("data-signal=\"{}\"", s.id)).expect("signal row");
                let row = &html[row_start..row_start + html[row_start..].find("</tr>").unwrap()];
                let v = js["latest"]["value"].as_f64().unwrap();
                assert!(row.contains(&i18n::value_with_unit(v, &s.unit, lang)), "{}: {v} not in {row}", s.id);
                let p = js["latest"]["percentile"].as_f64();
                assert!(row.contains(&i18n::pct(p, lang)), "{}: percentile", s.id);
                let d: NaiveDate = serde_json::from_value(js["latest"]["date"].clone()).unwrap();
                assert!(row.contains(&i18n::date(d, lang)));
                let st = js["latest"]["state"].as_str().unwrap_or("na");
                assert!(row.contains(&format!("s-{st}")), "{}: state {st}", s.id);
                assert!(row.contains(&fissure_report::svg::esc(js["explanation"][lang.code()].as_str().unwrap())));
                let skill = html.find(&format!("data-skill=\"{}\"", s.id)).expect("skill row");
                let srow = &html[skill..skill + html[skill..].find("</tr>").unwrap()];
                if let Some(a) = js["skill"]["auroc"]["12m"]["value"].as_f64() {
                    assert!(srow.contains(&format!("{a:.2}")), "{}: AUROC {a} not in {srow}", s.id);
                    assert!(srow.contains(&format!("data-auroc=\"{a}\"")), "{}: AUROC", s.id);
                }
                let h = &js["history"];
                assert_eq!(h["dates"].as_array().unwrap().len(), s.dates.len(), "{}: history", s.id);
                assert_eq!(h["risk_percentile"].as_array().unwrap().len(), s.dates.len());
                assert_eq!(h["state"].as_array().unwrap().len(), s.dates.len());
            }
            for c in &f.output.charts {
                assert!(html.contains(&format!("id=\"chart-{}\"", fissure_report::svg::safe_id(&c.id))));
                assert!(dir
                    .path()
                    .join("charts")
                    .join(format!("{}.svg", fissure_report::svg::safe_id(&c.id)))
                    .is_file());
            }
        }
        // The baselines, and every gauge compared with them, shown in the skill table.
        let baselines = json["skill"]["baselines"].as_object().unwrap();
        assert_eq!(baselines.len(), 3, "{baselines:?}");
        assert!(baselines.contains_key("baseline.runup2y"));
        let sk = &json["composite"]["overall"]["skill"];
        for key in ["brier_skill", "usefulness", "noise_to_signal", "on_share", "events", "verdict"] {
            assert!(sk.get(key).is_some(), "skill.{key} missing: {sk}");
        }
        for h in ["3m", "6m", "12m", "24m"] {
            assert!(sk["auroc"][h].get("value").is_some(), "auroc {h}: {sk}");
        }
        let vs = sk["versus"].as_array().unwrap();
        assert_eq!(vs.len(), 3);
        let srow_at = html.find("data-skill=\"composite.overall\"").unwrap();
        let srow = &html[srow_at..srow_at + html[srow_at..].find("</tr>").unwrap()];
        for v in vs {
            let key = v["verdict"].as_str().unwrap();
            let key = if key == "not_comparable" { "na" } else { key };
            assert!(srow.contains(&format!("vs-{key}")), "{srow}");
        }
        // The combined warning: probability with its band at the top, history, method.
        let w = &json["warning"];
        for key in ["probability", "lo", "hi", "method", "history"] {
            assert!(w.get(key).is_some(), "warning.{key} missing");
        }
        if let Some(p) = w["probability"].as_f64() {
            assert!(html.contains(&format!("data-warning=\"{p}\"")));
            assert!(w["lo"].as_f64().unwrap() <= p + 1e-12 && p <= w["hi"].as_f64().unwrap() + 1e-12);
        }
        // (baselines only here: no fragility gauge, so no warning history; the CLI test has one)
        if report.composite.fragility.values.iter().any(Option::is_some) {
            assert!(!w["history"].as_array().unwrap().is_empty());
        }
        if report.skill.warning.skill.is_some() {
            assert!(html.contains("id=\"decade-table\""));
        }
        for id in ["warning", "chart-skill_roc", "chart-skill_reliability", "panel-table"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{lang:?}: {id} missing");
        }
        let overall = json["composite"]["overall"]["latest"]["value"].as_f64().unwrap();
        assert!(html.contains(&format!("{overall:.1}")));
        // Self-contained: nothing fetched by URL.
        let stripped = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        for bad in ["http://", "https://", "src=", "@import", "url(http", "<link", "<script"] {
            assert!(!stripped.contains(bad), "{lang:?}: HTML contains {bad}");
        }
        if lang == Lang::Zh {
            assert!(html.contains("年") && html.contains("lang=\"zh-CN\""));
            assert!(!html.contains(">Summary<"));
        }
    }
}

#[test]
fn the_report_is_real_time_safe() {
    let full = full();
    for t in ["2000-03-10", "2008-09-15", "2020-02-19"] {
        let t: NaiveDate = t.parse().unwrap();
        let cut = build(t, vec![], None);
        let fb = full.families.iter().find(|f| f.run.key == "baseline").unwrap();
        let cb = cut.families.iter().find(|f| f.run.key == "baseline").unwrap();
        let mut compared = 0;
        for s in &cb.signals {
            let fs = fb.signals.iter().find(|x| x.id == s.id).unwrap();
            let i = s.dates.len() - 1;
            let j = fs.index_at_or_before(s.dates[i]).unwrap();
            assert_eq!(fs.dates[j], s.dates[i]);
            // Same value, percentile and state at t as the full run.
            assert!((fs.values[j] - s.values[i]).abs() <= 1e-9 * s.values[i].abs().max(1.0), "{} at {t}", s.id);
            assert_eq!(fs.percentiles[j], s.percentiles[i], "{} at {t}", s.id);
            assert_eq!(fs.states[j], s.states[i], "{} at {t}", s.id);
            compared += 1;
        }
        assert!(compared >= 4, "{t}: {compared}");
        // The composite at t too.
        let cg = &cut.composite.overall;
        let k = full.composite.overall.dates.iter().position(|d| *d == *cg.dates.last().unwrap());
        if let Some(k) = k {
            assert_eq!(full.composite.overall.values[k], *cg.values.last().unwrap());
            assert_eq!(full.composite.overall.states[k], *cg.states.last().unwrap());
        }
        // Events after t are unknown at t.
        assert!(cut.skill.events.iter().all(|e| e.event_date <= t && e.trough_date <= t));
    }
}

#[test]
fn finds_the_major_drawdowns() {
    let ev = &full().skill.events;
    let has = |series: &str, y: i32| {
        ev.iter().any(|e| e.series == series && e.peak_date.format("%Y").to_string() == y.to_string())
    };
    // S&P 500: 2000 dot-com, 2007 GFC, 2020 Covid, 2022 (peaks 2000-03-24, 2007-10-09, 2020-02-19, 2022-01-03).
    for y in [2000, 2007, 2020, 2022] {
        assert!(has("SPX", y), "SPX {y}: {ev:?}");
    }
    let gfc = ev.iter().find(|e| e.series == "SPX" && e.peak_date.to_string() == "2007-10-09").expect("SPX 2007 peak");
    assert_eq!(gfc.trough_date.to_string(), "2009-03-09");
    assert!((gfc.drawdown - 0.5678).abs() < 0.001, "{}", gfc.drawdown);
    assert!(has("IXIC", 2000) && has("BTC", 2021));
}

#[test]
fn cache_reuses_results_and_recomputes_only_changed_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
    let items: Vec<IngestItem> =
        demo().series.iter().map(|(s, f)| IngestItem { series: s.clone(), origin: f.clone() }).collect();
    let secs: Vec<IngestSection> =
        demo().sections.iter().map(|(s, f)| IngestSection { section: s.clone(), origin: f.clone() }).collect();
    store.ingest("test", &items, &secs).unwrap();
    let spx = BaselineFamily::new(vec![("SPX".into(), 0.2)]);
    let btc = BaselineFamily::new(vec![("BTC".into(), 0.4)]);
    let as_of = last_date();
    let run = |store: &Store| build(as_of, vec![&spx, &btc], Some(store));
    let first = run(&store);
    assert!(first.families.iter().all(|f| !f.run.cached));
    let second = run(&store);
    assert!(
        second.families.iter().all(|f| f.run.cached),
        "{:?}",
        second.families.iter().map(|f| &f.run).collect::<Vec<_>>()
    );
    for (a, b) in first.families.iter().zip(&second.families) {
        assert!(a.output == b.output, "cached output differs from the computed one");
        assert!(a.signals == b.signals, "cached signals differ");
    }
    // Revise SPX: only the families reading SPX (the SPX baseline, the report's
    // own baseline on SPX/IXIC/BTC) are recomputed.
    let (s, f) = demo().series.iter().find(|(s, _)| s.id() == "SPX").unwrap();
    let mut v = s.values().to_vec();
    let n = v.len();
    v[n - 1] *= 1.001;
    let revised = fissure_core::Series::new(s.meta.clone(), s.dates().to_vec(), v).unwrap();
    store.ingest("revision", &[IngestItem { series: revised, origin: f.clone() }], &[]).unwrap();
    let third = run(&store);
    let cached: Vec<bool> = third.families.iter().map(|f| f.run.cached).collect();
    // [spx baseline, btc baseline, report baseline (SPX, IXIC, BTC)]
    assert_eq!(cached, vec![false, true, false]);
}

/// A family whose computation fails (test double for the error path).
struct Failing(bool);

impl SignalFamily for Failing {
    fn key(&self) -> &'static str {
        if self.0 {
            "panicking"
        } else {
            "failing"
        }
    }
    fn title(&self) -> fissure_core::Text {
        fissure_core::Text::new("Failing family", "失败的类别")
    }
    fn compute(&self, _: &FamilyInputs) -> Result<fissure_core::FamilyOutput, String> {
        if self.0 {
            panic!("index out of bounds in a family");
        }
        Err("series XYZ is too short (12 observations, need 250)".into())
    }
}

#[test]
fn a_failing_family_is_a_visible_note_not_a_crash() {
    let (err, panics) = (Failing(false), Failing(true));
    let report = build(last_date(), vec![&err, &panics], None);
    let f = report.families.iter().find(|f| f.run.key == "failing").unwrap();
    assert!(f.run.error.as_deref().unwrap().contains("too short"));
    let p = report.families.iter().find(|f| f.run.key == "panicking").unwrap();
    assert!(p.run.error.as_deref().unwrap().contains("index out of bounds"));
    // The other families are computed as usual.
    assert!(report.families.iter().any(|f| f.run.key == "baseline" && f.run.error.is_none() && !f.signals.is_empty()));
    for lang in [Lang::En, Lang::Zh] {
        let html = fissure_report::html::render(&report, lang);
        assert!(html.contains("series XYZ is too short (12 observations, need 250)"));
        assert!(html.contains(i18n::t(lang, "family_failed")));
        assert!(html.contains("id=\"family-failing\"") && html.contains("id=\"family-panicking\""));
        let text = fissure_report::terminal::summary(&report, lang, false);
        assert!(text.contains("too short"), "{text}");
    }
}

/// The second view: bear markets (Lunde–Timmermann phases, Pagan–Sossounov rules) on the
/// real S&P 500 and NASDAQ, and every warning scored against them.
#[test]
fn dates_the_bear_markets_and_scores_every_warning_against_them() {
    let r = full();
    let bear = &r.skill.bear;
    for e in bear.events.iter().filter(|e| e.series == "SPX" || e.series == "IXIC") {
        println!("{} {} → {} −{:.1}%", e.series, e.peak_date, e.trough_date, 100.0 * e.drawdown);
    }
    let has =
        |series: &str, peak: &str| bear.events.iter().any(|e| e.series == series && e.peak_date.to_string() == peak);
    // 1937 and the NASDAQ's 2007 start below an older high: bear markets, but no drawdown event
    let spx37 = bear.events.iter().find(|e| e.series == "SPX" && e.peak_date.format("%Y").to_string() == "1937");
    let spx37 = spx37.expect("SPX 1937 bear market");
    assert!(spx37.drawdown >= 0.2);
    assert!(!r.skill.events.iter().any(|e| e.series == "SPX" && e.peak_date.format("%Y").to_string() == "1937"));
    assert!(has("IXIC", "2007-10-31"), "IXIC 2007");
    assert!(!r.skill.events.iter().any(|e| e.series == "IXIC" && e.peak_date.format("%Y").to_string() == "2007"));
    // the GFC is one bear market (the Nov 2008 → Jan 2009 rally is a cycle shorter than 16 months)
    let gfc = bear.events.iter().find(|e| e.series == "SPX" && e.peak_date.to_string() == "2007-10-09").expect("GFC");
    assert_eq!(gfc.trough_date.to_string(), "2009-03-09");
    assert!(has("SPX", "2020-02-19") && has("SPX", "2022-01-03"));
    // simultaneous SPX and NASDAQ bear markets count once
    let merged = &bear.equity_events;
    let per = bear.events.iter().filter(|e| e.series == "SPX" || e.series == "IXIC").count();
    assert!(merged.len() < per && merged.len() > r.skill.equity_events.len(), "{} {per}", merged.len());
    assert!(merged.windows(2).all(|w| w[1].peak_date > w[0].trough_date));
    // every scored signal and gauge has a bear-market score, with a band around it
    let mut n = 0;
    for (id, k) in &r.skill.scores {
        if k.auroc12().is_none() {
            continue;
        }
        let b = r.skill.bear_of(id).unwrap_or_else(|| panic!("{id}: no bear-market score"));
        let a = b.auroc_12m.unwrap_or_else(|| panic!("{id}: no bear-market AUROC"));
        assert!((0.0..=1.0).contains(&a.value), "{id}: {a:?}");
        if let (Some(lo), Some(hi)) = (a.lo, a.hi) {
            assert!(lo <= a.value + 1e-12 && a.value <= hi + 1e-12, "{id}: {a:?}");
        }
        n += 1;
    }
    assert!(n >= 5, "{n} signals and gauges scored");
    // (this report runs the baseline family only: the gauges it has, the run-up, and the
    // warning when its features exist)
    for id in ["composite.overall", "composite.fragility", "warning", "baseline.runup2y", "baseline.vol21"] {
        if r.skill.get(id).and_then(|k| k.auroc12()).is_none() {
            continue;
        }
        let b = r.skill.bear_of(id).unwrap_or_else(|| panic!("{id}"));
        println!("{id}: {:?} Δ {:?} on {} bear markets", b.auroc_12m, b.delta_vs_runup, b.events);
        assert!(b.events >= 10, "{id}: {} events", b.events);
    }
    // report.json and the HTML show it, in both languages
    let j = fissure_report::json::to_json(r, Lang::En);
    assert_eq!(j["skill"]["bear_markets"]["equity_events"].as_array().unwrap().len(), merged.len());
    assert!(j["composite"]["overall"]["skill_bear"]["auroc_12m"]["value"].is_f64());
    let sig = j["families"]["baseline"]["signals"].as_array().unwrap();
    assert!(sig.iter().any(|s| s["skill_bear"]["auroc_12m"]["value"].is_f64()));
    for (lang, title) in [(Lang::En, "Second view: bear markets"), (Lang::Zh, "第二视角：熊市")] {
        let html = fissure_report::html::render(r, lang);
        assert!(html.contains(title) && html.contains("id=\"bear-events-table\""), "{lang:?}");
        assert!(html.contains("data-bear-auroc=\"0."), "{lang:?}");
    }
}
