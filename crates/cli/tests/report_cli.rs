//! `fissure report` end to end on the bundled data: cold run (ingests the demo
//! into an empty store), warm run (every family from the cache), both
//! languages, every section and family, JSON = HTML, `--as-of` replay.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn fissure(store: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_fissure"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("running fissure");
    assert!(
        out.status.success(),
        "fissure {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Family keys the report must show: the families of the binary plus `baseline`.
fn expected_families(json: &Value) -> Vec<String> {
    json["families"].as_object().expect("families object").keys().cloned().collect()
}

#[test]
fn report_cold_then_cached_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.sqlite");
    let out_en = dir.path().join("en");
    let out_zh = dir.path().join("zh");

    // Cold: empty store → the demo is ingested, every family computed.
    let cold = fissure(&store, &["report", "--out", out_en.to_str().unwrap(), "--lang", "en"]);
    let text = String::from_utf8_lossy(&cold.stdout);
    assert!(text.contains("Overall fragility gauge"), "{text}");
    assert!(text.contains("Total time") && text.contains("Slowest steps"), "{text}");
    assert!(!text.contains("\x1b["), "NO_COLOR must disable colours");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(out_en.join("report.json")).unwrap()).unwrap();
    let fams = expected_families(&json);
    assert!(fams.contains(&"baseline".to_string()));
    assert!(json["families"].as_object().unwrap().values().all(|f| f["run"]["cached"] == false));
    assert!(json["composite"]["overall"]["latest"]["value"].is_number());
    assert!(!json["skill"]["events"].as_array().unwrap().is_empty());
    // The combined warning: a probability in [lo, hi], its method and real-time history.
    let w = &json["warning"];
    let p = w["probability"].as_f64().expect("a warning probability on the bundled data");
    assert!(w["lo"].as_f64().unwrap() <= p && p <= w["hi"].as_f64().unwrap(), "{w}");
    assert!(w["method"].as_str().unwrap().contains("expanding window"));
    assert!(w["history"].as_array().unwrap().len() > 1000);
    assert!(w["skill"]["auroc"]["12m"]["value"].is_number());
    assert!(json["composite"]["fragility"]["latest"]["value"].is_number());
    // The second view: bear markets, every signal and gauge scored against them too.
    let bear = &json["skill"]["bear_markets"];
    assert!(bear["equity_events"].as_array().unwrap().len() > json["skill"]["equity_events"].as_array().unwrap().len());
    assert!(w["skill_bear"]["auroc_12m"]["value"].is_number(), "{}", w["skill_bear"]);
    assert!(json["composite"]["fragility"]["skill_bear"]["auroc_12m"]["lo"].is_number());
    let scored = json["families"]["bubble"]["signals"].as_array().unwrap();
    assert!(scored
        .iter()
        .filter(|s| s["skill"]["auroc"]["12m"]["value"].is_number())
        .all(|s| s["skill_bear"]["auroc_12m"]["value"].is_number()));
    let html = std::fs::read_to_string(out_en.join("report.html")).unwrap();
    assert!(html.contains("Second view: bear markets") && html.contains("data-bear-auroc=\"0."));

    // Warm, in Chinese, as JSON on stdout: every family read from the cache.
    let warm = fissure(&store, &["--json", "report", "--out", out_zh.to_str().unwrap(), "--lang", "zh"]);
    let wj: Value = serde_json::from_slice(&warm.stdout).expect("--json prints JSON");
    for (k, f) in wj["families"].as_object().unwrap() {
        assert_eq!(f["run"]["cached"], true, "family {k} was recomputed with unchanged data");
    }
    assert_eq!(wj["lang"], "zh");
    assert!(wj["total_seconds"].is_number() && wj["timings"].is_array());
    // the skill study too
    assert!(wj["timings"].as_array().unwrap().iter().any(|t| t["key"] == "step_skill_cached"), "{}", wj["timings"]);
    assert_eq!(wj["warning"]["probability"], json["warning"]["probability"]);

    for (dir, lang, sections) in [
        (&out_en, "en", ["Summary", "What changed", "Skill of the warnings", "Data sources", "Methods"]),
        (&out_zh, "zh", ["摘要", "变化", "预警的历史表现", "数据来源", "方法"]),
    ] {
        let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
        let json: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
        assert_eq!(json["lang"], lang);
        for s in sections {
            assert!(html.contains(&format!(">{s}</h2>")), "{lang}: section {s}");
        }
        for id in ["summary", "changes", "skill", "sources", "methods"] {
            assert!(html.contains(&format!("<section id=\"{id}\"")), "{lang}: #{id}");
        }
        for (key, f) in json["families"].as_object().unwrap() {
            assert!(html.contains(&format!("<section id=\"family-{key}\"")), "{lang}: family {key}");
            let title = f["title"][lang].as_str().unwrap();
            assert!(html.contains(title), "{lang}: title {title}");
            for s in f["signals"].as_array().unwrap() {
                let id = s["id"].as_str().unwrap();
                let row_at = html.find(&format!("data-signal=\"{id}\"")).unwrap_or_else(|| panic!("{lang}: row {id}"));
                let row = &html[row_at..row_at + html[row_at..].find("</tr>").unwrap()];
                let explanation = s["explanation"][lang].as_str().unwrap();
                assert!(row.contains(&fissure_report::svg::esc(explanation)), "{lang}: {id} explanation");
                let state = s["latest"]["state"].as_str().unwrap_or("na");
                assert!(row.contains(&format!("s-{state}")), "{lang}: {id} state {state}");
                let value = s["latest"]["value"].as_f64().unwrap();
                let unit = s["unit"].as_str().unwrap();
                let l = fissure_report::Lang::parse(lang).unwrap();
                assert!(
                    row.contains(&fissure_report::svg::esc(&fissure_report::i18n::value_with_unit(value, unit, l))),
                    "{lang}: {id} value {value}"
                );
            }
            for c in f["charts"].as_array().unwrap() {
                assert!(dir.join(c["file"].as_str().unwrap()).is_file(), "{lang}: chart file {}", c["file"]);
            }
        }
        // Sources listed with their ranges.
        let sources = json["sources"].as_array().unwrap();
        assert!(sources.len() >= 40, "{} sources", sources.len());
        assert!(html.contains("SPX") && html.contains("S&amp;P 500 index"));
    }
    let zh = std::fs::read_to_string(out_zh.join("report.html")).unwrap();
    assert!(zh.contains("lang=\"zh-CN\"") && zh.contains("年") && zh.contains("月"));
    assert!(zh.contains("第二视角：熊市") && zh.contains("AUROC 12个月，熊市"));
    let zh_text = String::from_utf8_lossy(&warm.stderr);
    assert!(!zh_text.contains("panicked"), "{zh_text}");
}

#[test]
fn report_replays_a_past_date() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.sqlite");
    let out = dir.path().join("r");
    let run =
        fissure(&store, &["--json", "report", "--as-of", "2008-09-15", "--out", out.to_str().unwrap(), "--lang", "zh"]);
    let j: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(j["as_of"], "2008-09-15");
    for e in j["skill"]["events"].as_array().unwrap() {
        assert!(e["trough_date"].as_str().unwrap() <= "2008-09-15", "event from the future: {e}");
    }
    for s in j["sources"].as_array().unwrap() {
        assert!(s["last"].as_str().unwrap() <= "2008-09-15", "{s}");
    }
    for f in j["families"].as_object().unwrap().values() {
        for s in f["signals"].as_array().unwrap() {
            assert!(s["latest"]["date"].as_str().unwrap() <= "2008-09-15", "{s}");
        }
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("2008年9月15日"));
}
