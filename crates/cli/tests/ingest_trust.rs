//! Issue 9 through the binary: read commands never create or change a store; metadata
//! survives re-ingest (and changes are metadata revisions); future dates, ids, odd files and
//! OHLC rows are refused with the file and line; the report's as-of is the core series' last
//! date, stated; the watchlist is checked as a whole against the store; a closed pipe ends
//! the program quietly.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fissure_in(dir: &Path, store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fissure"))
        .current_dir(dir)
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("FISSURE_CONFIG")
        .output()
        .expect("run fissure")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn fails(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "stdout:\n{}\nstderr:\n{}", text(&out.stdout), text(&out.stderr));
    let e = text(&out.stderr);
    assert!(!e.contains("panicked"), "{e}");
    e
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The last `n` rows of a bundled file, with its header.
fn tail(rel: &str, n: usize) -> String {
    let all = std::fs::read_to_string(repo().join("data/demo").join(rel)).unwrap();
    let lines: Vec<&str> = all.lines().collect();
    let mut out = format!("{}\n", lines[0]);
    for l in &lines[lines.len() - n..] {
        out.push_str(l);
        out.push('\n');
    }
    out
}

struct Env {
    dir: tempfile::TempDir,
    store: PathBuf,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s.sqlite");
        Env { dir, store }
    }
    fn run(&self, args: &[&str]) -> Output {
        fissure_in(self.dir.path(), &self.store, args)
    }
    fn write(&self, name: &str, content: impl AsRef<[u8]>) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p.to_str().unwrap().to_string()
    }
}

#[test]
fn read_commands_never_create_or_change_a_store() {
    let e = Env::new();
    let missing = e.dir.path().join("typo/store.sqlite");
    let m = missing.to_str().unwrap();
    for args in [
        vec!["list"],
        vec!["show", "SPX"],
        vec!["export", "SPX", "--format", "csv", "--out", "x.csv"],
        vec!["bubble", "psy", "SPX"],
    ] {
        let out = fissure_in(e.dir.path(), &missing, &args);
        let err = fails(&out);
        assert!(err.contains("no store at") && err.contains(m), "{args:?}: {err}");
        assert!(!missing.exists() && !e.dir.path().join("typo").exists(), "{args:?} created a store");
        assert!(!e.dir.path().join("x.csv").exists(), "{args:?} left an output file");
    }
    // a foreign SQLite file: refused by readers and writers alike, left byte-identical
    let foreign = e.dir.path().join("app.db");
    {
        let c = rusqlite::Connection::open(&foreign).unwrap();
        c.execute_batch("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('ada');").unwrap();
    }
    let seed = e.write("seed.csv", "date,value\n2024-01-02,1\n2024-01-03,2\n");
    let before = std::fs::read(&foreign).unwrap();
    for args in [vec!["list"], vec!["show", "seed"], vec!["ingest", &seed], vec!["report", "--out", "r"]] {
        let err = fails(&fissure_in(e.dir.path(), &foreign, &args));
        assert!(err.contains("not a Fissure store"), "{args:?}: {err}");
        assert_eq!(std::fs::read(&foreign).unwrap(), before, "{args:?} changed the foreign file");
    }
    // a text file is not a store either
    let notes =
        e.write("notes.txt", "just some notes, long enough to be more than a page header of any kind....\n".repeat(20));
    let err = fails(&fissure_in(e.dir.path(), Path::new(&notes), &["list"]));
    assert!(err.contains("not a Fissure store"), "{err}");
}

#[test]
fn metadata_survives_a_plain_reingest_and_changes_are_revisions() {
    let e = Env::new();
    let full = e.write(
        "spx_full.csv",
        "date,close\n2024-01-02,4742.83\n2024-01-03,4704.81\n2024-01-04,4688.68\n2024-01-05,4697.24\n",
    );
    ok(&e.run(&[
        "ingest",
        &full,
        "--id",
        "SPX",
        "--name",
        "S&P 500 index",
        "--asset-class",
        "equity_index",
        "--frequency",
        "daily",
        "--unit",
        "index points",
    ]));
    // a corrected close and one appended day, from a file named after nothing
    let fix = e.write("fix.csv", "date,close\n2024-01-05,4697.25\n2024-01-08,4763.54\n");
    ok(&e.run(&["ingest", &fix, "--id", "SPX"]));
    let list: serde_json::Value = serde_json::from_str(&ok(&e.run(&["--json", "list"]))).unwrap();
    let spx = list["series"].as_array().unwrap().iter().find(|s| s["meta"]["id"] == "SPX").unwrap().clone();
    assert_eq!(spx["meta"]["name"], "S&P 500 index");
    assert_eq!(spx["meta"]["asset_class"], "equity_index");
    assert_eq!(spx["meta"]["frequency"], "daily");
    assert_eq!(spx["meta"]["unit"], "index points");
    assert_eq!(spx["revision"], 2);
    // a stated change is a metadata revision, shown by `show --revisions`
    let out = e.run(&["ingest", &fix, "--id", "SPX", "--asset-class", "stock"]);
    ok(&out);
    assert!(
        text(&out.stderr).contains("metadata revision 2: asset_class `equity_index` → `stock`"),
        "{}",
        text(&out.stderr)
    );
    let revs: serde_json::Value = serde_json::from_str(&ok(&e.run(&["--json", "show", "SPX", "--revisions"]))).unwrap();
    assert_eq!(revs["data"].as_array().unwrap().len(), 2);
    let meta = revs["metadata"].as_array().unwrap();
    assert_eq!(meta.len(), 2);
    assert_eq!(meta[0]["meta"]["asset_class"], "equity_index");
    assert_eq!(meta[1]["meta"]["asset_class"], "stock");
    let table = ok(&e.run(&["show", "SPX", "--revisions"]));
    assert!(table.contains("metadata revisions") && table.contains("stock"), "{table}");
    // the stored frequency checks a plain update: a 73-year hole in a daily series is refused
    let hole = e.write("hole.csv", "date,close\n2097-01-07,1\n2097-01-08,1\n2097-01-09,1\n");
    let err = fails(&e.run(&["ingest", &hole, "--id", "SPX", "--allow-future"]));
    assert!(err.contains("series `SPX` is stored as daily") && err.contains("gap of 26"), "{err}");
    assert!(err.contains("2024-01-08 → 2097-01-07"), "{err}");
}

#[test]
fn future_dates_are_refused_unless_allowed() {
    let e = Env::new();
    let f = e.write("fut.csv", "date,value\n2026-02-27,1\n2099-01-02,2\n");
    let err = fails(&e.run(&["ingest", &f]));
    assert!(err.contains("fut.csv: line 3") && err.contains("2099-01-02") && err.contains("--allow-future"), "{err}");
    assert!(!e.store.exists(), "nothing stored, not even an empty store");
    ok(&e.run(&["ingest", &f, "--allow-future"]));
    let out: serde_json::Value = serde_json::from_str(&ok(&e.run(&["--json", "show", "fut"]))).unwrap();
    assert_eq!(out["observations"][1]["date"], "2099-01-02");
}

#[test]
fn ids_outside_the_grammar_are_refused_with_a_clear_message() {
    let e = Env::new();
    let f = e.write("ok.csv", "date,value\n2024-01-02,1\n");
    for bad in ["", "a b", "a\nb", "\u{1b}[31mred", "a/b", "x."] {
        let err = fails(&e.run(&["ingest", &f, "--id", bad]));
        assert!(err.contains("not a valid series id"), "{bad:?}: {err}");
        assert!(!err.contains('\u{1b}'), "raw escape code echoed: {err:?}");
        assert!(!bad.contains('\n') || !err.contains(bad), "raw newline echoed: {err:?}");
        let err = fails(&e.run(&["show", bad]));
        assert!(err.contains("not a valid series id"), "{bad:?}: {err}");
    }
    // a file stem outside the grammar: the error names the file and suggests --id
    let spaced = e.write("my prices.csv", "date,value\n2024-01-02,1\n");
    let err = fails(&e.run(&["ingest", &spaced]));
    assert!(err.contains("my prices.csv") && err.contains("--id"), "{err}");
    ok(&e.run(&["ingest", &spaced, "--id", "MY_PRICES"]));
}

#[test]
fn odd_files_are_named_and_tsv_is_accepted() {
    let e = Env::new();
    // tab-separated: refused in a .csv with the flag to use; accepted with it, and as .tsv
    let tsv = "date\tvalue\n2024-01-02\t1.5\n2024-01-03\t2.5\n";
    let f = e.write("t.csv", tsv);
    let err = fails(&e.run(&["ingest", &f]));
    assert!(err.contains("t.csv: line 1") && err.contains("tab-separated; use --delimiter tab"), "{err}");
    ok(&e.run(&["ingest", &f, "--delimiter", "tab"]));
    ok(&e.run(&["ingest", &e.write("t2.tsv", tsv)]));
    // UTF-16 without a byte-order mark, NUL bytes
    let u16: Vec<u8> = "date,value\n2024-01-02,1\n".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let err = fails(&e.run(&["ingest", &e.write("u.csv", u16)]));
    assert!(err.contains("looks like UTF-16"), "{err}");
    let err = fails(&e.run(&["ingest", &e.write("n.csv", b"date,value\n2024-01-02,1\0\n")]));
    assert!(err.contains("n.csv: line 2") && err.contains("NUL byte"), "{err}");
    // a 5 MB cell is echoed as a short prefix
    let huge = format!("date,value\n2024-01-02,{}x\n", "9".repeat(5_000_000));
    let err = fails(&e.run(&["ingest", &e.write("h.csv", huge)]));
    assert!(err.len() < 1000, "{} bytes of error", err.len());
    // mixed and ambiguous dates
    let err = fails(&e.run(&["ingest", &e.write("m.csv", "date,value\n2024-01-02,1\n01/03/2024,2\n")]));
    assert!(err.contains("m.csv: line 3") && err.contains("one date format per file"), "{err}");
    let amb = e.write("dm.csv", "date,value\n01/03/2024,1\n02/03/2024,2\n03/03/2024,3\n");
    let err = fails(&e.run(&["ingest", &amb]));
    assert!(err.contains("--date-format"), "{err}");
    ok(&e.run(&["ingest", &amb, "--date-format", "dmy"]));
    let dm: serde_json::Value = serde_json::from_str(&ok(&e.run(&["--json", "show", "dm"]))).unwrap();
    assert_eq!(dm["observations"][0]["date"], "2024-03-01");
}

#[test]
fn ohlc_inconsistencies_are_refused_or_repaired_with_a_report() {
    let e = Env::new();
    let f = e.write(
        "o.csv",
        "date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10,11,9,12,100\n2024-01-04,10,11,9,10,-3\n",
    );
    let err = fails(&e.run(&["ingest", &f]));
    assert!(err.contains("o.csv: line 3") && err.contains("`close`") && err.contains("--repair-ohlc"), "{err}");
    let out = e.run(&["ingest", &f, "--repair-ohlc"]);
    ok(&out);
    assert!(text(&out.stderr).contains("repaired 2 row(s)"), "{}", text(&out.stderr));
    let s: serde_json::Value = serde_json::from_str(&ok(&e.run(&["--json", "show", "o"]))).unwrap();
    let row = &s["observations"][1];
    assert_eq!((row["value"].as_f64(), row["high"].as_f64()), (Some(12.0), Some(12.0)), "close kept, high widened");
    assert!(s["observations"][2]["volume"].is_null());
    // a 10^4 spike is stored as given and named in a warning
    let spike = e.write("sp.csv", "date,close\n2024-01-02,100\n2024-01-03,1000000\n2024-01-04,101\n");
    let out = e.run(&["ingest", &spike]);
    ok(&out);
    assert!(text(&out.stderr).contains("2024-01-03 (line 3: 100 → 1000000, ×10000)"), "{}", text(&out.stderr));
}

#[cfg(unix)]
#[test]
fn folders_name_every_entry_they_skip_and_refuse_symlink_loops() {
    let e = Env::new();
    let d = e.dir.path().join("data");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    std::fs::write(d.join("good.csv"), "date,value\n2024-01-02,1\n").unwrap();
    std::fs::write(d.join("notes.md"), "hello").unwrap();
    let out = e.run(&["ingest", d.to_str().unwrap()]);
    ok(&out);
    let err = text(&out.stderr);
    assert!(err.contains("sub: a folder") && err.contains("notes.md: not a data file"), "{err}");
    std::os::unix::fs::symlink(d.join("b.csv"), d.join("a.csv")).unwrap();
    std::os::unix::fs::symlink(d.join("a.csv"), d.join("b.csv")).unwrap();
    let err = fails(&e.run(&["ingest", d.to_str().unwrap()]));
    assert!(err.contains("a.csv") && err.contains("symbolic link that cannot be followed"), "{err}");
}

#[test]
fn from_skips_rows_before_validation_and_the_flag_allows_negative_prices() {
    let e = Env::new();
    // WTI crude, with its real settlement of -36.98 USD on 2020-04-20
    let wti = e.write("wti.csv", tail("prices/wti_crude_spot_daily.csv", 1700));
    let err = fails(&e.run(&["contagion", "garch", "--file", &wti]));
    assert!(err.contains("-36.98") || err.contains("non-positive"), "{err}");
    ok(&e.run(&["--json", "contagion", "garch", "--file", &wti, "--from", "2021-01-04"]));
    // the reader's price check: a close column refuses <= 0 unless allowed
    let neg = e.write("neg.csv", "date,close\n2020-04-17,18.27\n2020-04-20,-36.98\n2020-04-21,8.91\n");
    let err = fails(&e.run(&["ingest", &neg]));
    assert!(err.contains("neg.csv: line 3") && err.contains("-36.98"), "{err}");
    ok(&e.run(&["ingest", &neg, "--allow-non-positive"]));
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_program_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let e = Env::new();
    let mut rows = String::from("date,value\n");
    let start = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap();
    for i in 0..20_000 {
        rows.push_str(&format!("{},{}\n", start + chrono::Days::new(i), 100 + i % 7));
    }
    ok(&e.run(&["ingest", &e.write("long.csv", rows)]));
    for args in [vec!["--json", "show", "long"], vec!["show", "long", "--all"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fissure"))
            .arg("--store")
            .arg(&e.store)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut head = [0u8; 64];
        let mut stdout = child.stdout.take().unwrap();
        stdout.read_exact(&mut head).unwrap();
        drop(stdout); // `| head -c 64`
        let out = child.wait_with_output().unwrap();
        let err = text(&out.stderr);
        assert!(!err.contains("Broken pipe") && !err.contains("panicked") && err.is_empty(), "{args:?}: {err}");
        assert!(out.status.success() || out.status.signal() == Some(13), "{args:?}: {:?}", out.status);
    }
}

/// A small store for the report: 700 days of the S&P 500, the 10-year yield under its FRED
/// code, and a series with a row dated 2099.
fn report_env() -> (Env, String) {
    let e = Env::new();
    let spx = e.write("spx.csv", tail("prices/sp500_index_daily.csv", 700));
    ok(&e.run(&["ingest", &spx, "--id", "SPX", "--asset-class", "equity_index", "--frequency", "daily"]));
    let dgs = e.write("DGS10.csv", tail("macro/us10y_yield_daily.csv", 700));
    ok(&e.run(&["ingest", &dgs, "--asset-class", "rate"]));
    let fut = e.write("FCST.csv", "date,value\n2026-01-02,1\n2099-01-02,2\n");
    ok(&e.run(&["ingest", &fut, "--allow-future"]));
    let config = e.write(
        "w.toml",
        "[baskets]\nidx = [\"SPX\"]\n[roles]\nequity_index = \"SPX\"\nus10y = \"US10Y\"\n[report]\nbubble_assets = [\"SPX\"]\ndrawdown_events = { SPX = 0.2 }\n",
    );
    (e, config)
}

#[test]
fn the_report_as_of_is_the_core_series_last_date_and_is_stated() {
    let (e, config) = report_env();
    let spx_last =
        tail("prices/sp500_index_daily.csv", 1).lines().nth(1).unwrap().split(',').next().unwrap().to_string();
    let out = e.run(&["--config", &config, "--json", "report", "--out", "r1"]);
    let j: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(j["as_of"], spx_last.as_str(), "the 2099 row of a non-core series does not move the as-of");
    let notes: Vec<String> = j["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect();
    let all = notes.join("\n");
    assert!(all.contains(&format!("As of {spx_last}: the last date of the core series SPX")), "{all}");
    assert!(all.contains("`US10Y` is not in the store; using `DGS10`"), "a FRED code plays its role: {all}");
    let html = std::fs::read_to_string(e.dir.path().join("r1/report.html")).unwrap();
    assert!(html.contains("the last date of the core series SPX"), "stated in the HTML report");

    // after the end of the data: the same report date, readings keep their dates
    let late: serde_json::Value = serde_json::from_str(&ok(&e.run(&[
        "--config",
        &config,
        "--json",
        "report",
        "--as-of",
        "2099-06-01",
        "--out",
        "r2",
    ])))
    .unwrap();
    assert_eq!(late["as_of"], spx_last.as_str());
    assert!(late["notes"].to_string().contains("--as-of 2099-06-01 is after the last data"), "{}", late["notes"]);
    assert_eq!(late["composite"]["overall"], j["composite"]["overall"], "the gauges do not move");

    // before the data: an error, not an empty report
    let err = fails(&e.run(&["--config", &config, "report", "--as-of", "1990-01-02", "--out", "r3"]));
    assert!(err.contains("--as-of 1990-01-02 is before the data") && err.contains("SPX"), "{err}");
    assert!(!e.dir.path().join("r3/report.html").exists());
}

#[test]
fn the_watchlist_is_checked_as_a_whole() {
    let (e, _) = report_env();
    // every shape problem at once
    let bad = e.write("bad.toml", "[bogus]\nx = 1\n[portfolio]\nSPY = nan\n[report]\nlangue = \"en\"\n");
    let err = fails(&e.run(&["--config", &bad, "report", "--out", "r"]));
    assert!(err.contains("bogus") && err.contains("report.langue"), "{err}");
    let bad = e.write("bad2.toml", "[portfolio]\nSPX = nan\n[roles]\n[report]\nbubble_assets = []\n");
    let err = fails(&e.run(&["--config", &bad, "report", "--out", "r"]));
    for want in ["portfolio.SPX = NaN", "sum to NaN", "[roles] is empty", "report.bubble_assets is empty"] {
        assert!(err.contains(want), "missing {want:?}: {err}");
    }
    // every id the store does not know, at once, before anything is computed
    let unknown = e.write(
        "u.toml",
        "[baskets]\nidx = [\"SPX\", \"ZZZ1\"]\n[roles]\nequity_index = \"SPX\"\nvix = \"NOVIX\"\n[report]\nbubble_assets = [\"ZZZ2\"]\ndrawdown_events = { SPX = 0.2 }\n",
    );
    let err = fails(&e.run(&["--config", &unknown, "report", "--out", "r"]));
    for want in ["ZZZ1", "ZZZ2", "role `vix` = `NOVIX`", "VIXCLS", "[roles] vix"] {
        assert!(err.contains(want), "missing {want:?}: {err}");
    }
    assert!(!e.dir.path().join("r/report.html").exists());
}
