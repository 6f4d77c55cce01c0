//! The malformed-input corpus (`tests/malformed/`): every file is refused with the error kind,
//! line and column listed in `tests/malformed/expected.toml`.

use fissure_core::{AssetClass, Frequency, SeriesMeta};
use fissure_io::read::{read_file, Format, ReadOptions};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(serde::Deserialize)]
struct Expected {
    files: BTreeMap<String, Case>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    kind: String,
    line: u64,
    column: Option<String>,
    #[serde(default)]
    options: Overrides,
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Overrides {
    format: Option<String>,
    date_col: Option<String>,
    value_col: Option<String>,
    frequency: Option<String>,
    asset_class: Option<String>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed")
}

fn options(o: &Overrides) -> ReadOptions {
    ReadOptions {
        format: o.format.as_deref().map_or(Format::Auto, |f| f.parse().unwrap()),
        date_col: o.date_col.clone(),
        value_col: o.value_col.clone(),
        frequency: o.frequency.as_deref().map(|f| f.parse::<Frequency>().unwrap()),
        meta: o
            .asset_class
            .as_deref()
            .map(|a| SeriesMeta { asset_class: a.parse::<AssetClass>().unwrap(), ..SeriesMeta::new("x") }),
        ..Default::default()
    }
}

#[test]
fn every_malformed_file_gets_its_error_kind_line_and_column() {
    let text = std::fs::read_to_string(dir().join("expected.toml")).unwrap();
    let expected: Expected = toml::from_str(&text).unwrap();
    assert!(expected.files.len() >= 30, "the corpus must hold at least 30 inputs");
    // Every file of the folder is listed, and every listed file exists.
    let on_disk: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "expected.toml" && n != "README.md")
        .collect();
    for n in &on_disk {
        assert!(expected.files.contains_key(n), "{n} is not listed in expected.toml");
    }
    assert_eq!(on_disk.len(), expected.files.len(), "a listed file is missing");

    let mut failures = Vec::new();
    for (name, case) in &expected.files {
        let got = read_file(&dir().join(name), &options(&case.options));
        match got {
            Ok(out) => failures.push(format!("{name}: read without error ({} series)", out.series.len())),
            Err(e) => {
                let msg = e.to_string();
                if e.kind() != case.kind || e.line() != Some(case.line) || e.column() != case.column {
                    failures.push(format!(
                        "{name}: expected {} line {} column {:?}, got {} line {:?} column {:?}: {msg}",
                        case.kind,
                        case.line,
                        case.column,
                        e.kind(),
                        e.line(),
                        e.column()
                    ));
                }
                // The message names the file and the line.
                if !msg.contains(name.as_str()) || !msg.contains(&format!("line {}", case.line)) {
                    failures.push(format!("{name}: message does not name the file and line: {msg}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}",
        failures.len(),
        expected.files.len(),
        failures.join("\n")
    );
}
