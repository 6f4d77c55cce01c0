//! Every file of the malformed-input corpus (crates/io/tests/malformed) is refused by
//! `fissure ingest` with exit code 1 and an error naming the file and line, and the
//! store is left exactly as it was — including when a good file is ingested together
//! with the bad one (all or nothing).

use fissure_io::Store;
use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../io/tests/malformed")
}

#[test]
fn malformed_inputs_leave_the_store_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    let good = dir.path().join("good.csv");
    std::fs::write(&good, "date,value\n2024-01-02,1.5\n2024-01-03,2.5\n2024-01-04,2.25\n").unwrap();
    let seed = dir.path().join("seed.csv");
    std::fs::write(
        &seed,
        "date,open,high,low,close,volume\n2024-01-02,1,2,0.5,1.5,100\n2024-01-03,1.5,2.6,1.4,2.5,120\n",
    )
    .unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        Command::new(env!("CARGO_BIN_EXE_fissure"))
            .arg("--store")
            .arg(&store)
            .arg("ingest")
            .args(args)
            .output()
            .unwrap()
    };
    assert!(run(&[seed.as_os_str()]).status.success());
    let before = Store::open(&store).unwrap().dump().unwrap();

    let expected: toml::Table =
        toml::from_str(&std::fs::read_to_string(corpus().join("expected.toml")).unwrap()).unwrap();
    let files = expected["files"].as_table().unwrap();
    assert!(files.len() >= 30, "the corpus has {} files", files.len());
    for (name, spec) in files {
        let bad = corpus().join(name);
        let mut args: Vec<std::ffi::OsString> = Vec::new();
        let opts = spec.get("options").and_then(|o| o.as_table());
        if let Some(opts) = opts {
            for (k, v) in opts {
                args.push(format!("--{}", k.replace('_', "-")).into());
                args.push(v.as_str().unwrap().into());
            }
        } else {
            // no reader options needed: prove all-or-nothing with a good file first
            args.push(good.clone().into());
        }
        args.push(bad.clone().into());
        let argv: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let out = run(&argv);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: expected exit 1\n{stderr}");
        assert!(stderr.contains(name.as_str()), "{name}: the error must name the file:\n{stderr}");
        let line = spec["line"].as_integer().unwrap();
        assert!(stderr.contains(&format!("line {line}")), "{name}: the error must name line {line}:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{name}: panic\n{stderr}");
        assert_eq!(Store::open(&store).unwrap().dump().unwrap(), before, "{name}: the store changed");
    }
}
