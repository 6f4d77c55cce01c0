//! The degenerate-input matrix (issue 9): every analysis command × degenerate series (constant, two
//! rows, ten rows, all missing, alternating, 1e-300 and 1e300 scales, one 1e12 spike, non-positive,
//! future dates) × boundary parameters.
//!
//! Every run must: not panic; end within a hard timeout (the child is killed, this is not a speed
//! test); exit 0 only with finite, documented output (no `NaN`/`inf` printed; JSON parses, missing
//! values are `null` or "n/a"); otherwise exit 1 with an `error:` message naming the series (or the
//! option) and the reason. Out-of-range parameters are usage errors (exit 2) naming the option.
//!
//! Cost: one binary (cargo's `CARGO_BIN_EXE_fissure`), inputs of at most 400 rows, no store, two
//! runs at a time.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Hard limit per run; a run still going is killed and reported as a hang.
const TIMEOUT: Duration = Duration::from_secs(90);
const ROWS: usize = 400;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
}

fn run(dir: &Path, args: &[String]) -> Run {
    run_with_store(&dir.join("no-store.sqlite"), args)
}

fn run_with_store(store: &Path, args: &[String]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fissure"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("FISSURE_CONFIG")
        .env_remove("FISSURE_STORE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn fissure");
    // drain the pipes on threads so a large output cannot block the child
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let to = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let te = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let t0 = Instant::now();
    let (code, timed_out) = loop {
        match child.try_wait().expect("wait") {
            Some(st) => break (st.code(), false),
            None if t0.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break (None, true);
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    Run { code, stdout: to.join().unwrap_or_default(), stderr: te.join().unwrap_or_default(), timed_out }
}

/// The last `ROWS` dates and closes of a bundled file (real data, the partner of degenerate series).
fn real(name: &str) -> (Vec<String>, Vec<f64>) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo/prices").join(name);
    let text = std::fs::read_to_string(&p).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let c = header.iter().position(|h| *h == "close").unwrap_or(1);
    let rows: Vec<(String, f64)> = lines
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some((f[0].to_string(), f.get(c)?.parse().ok()?))
        })
        .collect();
    let rows = &rows[rows.len() - ROWS..];
    (rows.iter().map(|r| r.0.clone()).collect(), rows.iter().map(|r| r.1).collect())
}

fn write(dir: &Path, stem: &str, dates: &[String], values: &[Option<f64>]) -> PathBuf {
    let mut s = String::from("date,close\n");
    for (d, v) in dates.iter().zip(values) {
        match v {
            Some(v) => s.push_str(&format!("{d},{v:e}\n")),
            None => s.push_str(&format!("{d},\n")),
        }
    }
    let p = dir.join(format!("{stem}.csv"));
    std::fs::write(&p, s).unwrap();
    p
}

/// A degenerate input: (name, values, dates).
type Degenerate = (&'static str, Vec<Option<f64>>, Vec<String>);

/// The degenerate inputs, each on the calendar of the real partner series.
fn degenerate(dates: &[String], base: &[f64]) -> Vec<Degenerate> {
    let n = dates.len();
    let some = |v: Vec<f64>| v.into_iter().map(Some).collect::<Vec<_>>();
    let mut spike = base.to_vec();
    spike[n / 2] = 1e12;
    let future: Vec<String> = (0..n)
        .map(|i| {
            let d = chrono::NaiveDate::from_ymd_opt(2099, 1, 1).unwrap() + chrono::Days::new(i as u64);
            d.to_string()
        })
        .collect();
    vec![
        ("constant", some(vec![18.93; n]), dates.to_vec()),
        ("two_rows", some(base[n - 2..].to_vec()), dates[n - 2..].to_vec()),
        ("ten_rows", some(base[n - 10..].to_vec()), dates[n - 10..].to_vec()),
        ("all_missing", vec![None; n], dates.to_vec()),
        ("alternating", some((0..n).map(|i| if i % 2 == 0 { 1.0 } else { 2.0 }).collect()), dates.to_vec()),
        ("tiny_scale", some(base.iter().map(|v| v * 1e-300).collect()), dates.to_vec()),
        ("huge_scale", some(base.iter().map(|v| v * 1e300).collect()), dates.to_vec()),
        ("spike_1e12", some(spike), dates.to_vec()),
        ("non_positive", some((0..n).map(|i| base[i] - base[n / 2]).collect()), dates.to_vec()),
        ("future_dates", some(base.to_vec()), future),
    ]
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// The analysis commands, each with the degenerate file `f` (and real partners where the command
/// needs several series), at default and at boundary parameters.
fn commands(f: &str, spy: &str, tlt: &str, gld: &str, btc: &str) -> Vec<Vec<String>> {
    let mut v = vec![
        s(&["bubble", "psy", "--file", f, "--cv", "none"]),
        s(&["bubble", "psy", "--file", f, "--reps", "10", "--mc-max-len", "50", "--json"]),
        s(&["bubble", "psy", "--file", f, "--cv", "none", "--lag", "10", "--min-window", "24"]),
        s(&["bubble", "psy", "--file", f, "--cv", "none", "--ic", "bic", "--max-lag", "2", "--transform", "none"]),
        s(&["bubble", "psy", "--file", f, "--cv", "wild", "--reps", "10", "--min-window", "4"]),
        s(&["bubble", "lppls", "--file", f, "--window", "20", "--starts", "1", "--screen", "4"]),
        s(&["bubble", "lppls-ci", "--file", f, "--max-window", "40", "--min-window", "20", "--step", "10"]),
        s(&["bubble", "valuation", "--file", f, "--min-history", "2", "--json"]),
        s(&["contagion", "garch", "--file", f]),
        s(&["contagion", "garch", "--file", f, "--dist", "t", "--gjr", "--returns", "log", "--json"]),
        s(&["contagion", "corr", "--file", f, "--file", spy, "--window", "4"]),
        s(&["contagion", "corr", "--file", f, "--file", spy, "--ewma", "0.94", "--json"]),
        s(&["contagion", "dcc", "--file", f, "--file", spy]),
        s(&["contagion", "absorption", "--file", f, "--file", spy, "--file", tlt, "--window", "10"]),
        s(&["contagion", "turbulence", "--file", f, "--file", spy, "--window", "10", "--json"]),
        s(&["contagion", "spillover", "--file", f, "--file", spy, "--lag", "1", "--horizon", "1"]),
        s(&["contagion", "spillover", "--file", f, "--file", spy, "--rolling", "30", "--json"]),
        s(&["contagion", "crowding", "--file", f, "--file", spy, "--window", "4"]),
        s(&[
            "contagion",
            "cocrash",
            "--file",
            f,
            "--file",
            spy,
            "--file",
            tlt,
            "--file",
            gld,
            "--file",
            btc,
            "--class",
            "SPY=equities",
            "--class",
            "TLT=long_bonds",
            "--class",
            "GLD=precious_metals",
            "--class",
            "BTC=crypto",
            "--vol-window",
            "3",
        ]),
        s(&["regime", "markov", "--file", f, "--returns", "log", "--scale", "100"]),
        s(&["regime", "markov", "--file", f, "--k", "5", "--order", "8"]),
        s(&["structure", "rotation", "--file", f, "--file", spy, "--window", "3", "--momentum", "1"]),
        s(&["structure", "concentration", "--file", f]),
    ];
    // cocrash's --class names the degenerate series as the energy class
    let stem = Path::new(f).file_stem().unwrap().to_string_lossy().to_string();
    let last = v.iter_mut().find(|c| c[1] == "cocrash").unwrap();
    last.extend(s(&["--class", &format!("{stem}=energy")]));
    let rot = v.iter_mut().find(|c| c[1] == "rotation").unwrap();
    rot.insert(2, format!("{stem}/SPY"));
    v
}

/// Out-of-range parameters: usage errors (exit 2) naming the option, for every class of parser.
fn out_of_range(spy: &str) -> Vec<(Vec<String>, &'static str)> {
    vec![
        (s(&["contagion", "corr", "--file", spy, "--file", spy, "--conf", "2"]), "--conf"),
        (s(&["contagion", "corr", "--file", spy, "--file", spy, "--conf", "0"]), "--conf"),
        (s(&["contagion", "corr", "--file", spy, "--file", spy, "--conf=-1"]), "--conf"),
        (s(&["contagion", "cocrash", "--threshold=-1.5"]), "--threshold"),
        (s(&["contagion", "cocrash", "--vol-window", "0"]), "--vol-window"),
        (s(&["bubble", "lppls-ci", "--file", spy, "--every", "0"]), "--every"),
        (s(&["bubble", "lppls", "--file", spy, "--starts", "1000000"]), "--starts"),
        (s(&["bubble", "psy", "--file", spy, "--reps", "100000000"]), "--reps"),
        (s(&["structure", "concentration", "--top", "0"]), "--top"),
        (s(&["contagion", "spillover", "--file", spy, "--horizon", "0"]), "--horizon"),
        (s(&["regime", "markov", "--file", spy, "--scale", "0"]), "--scale"),
        (s(&["regime", "markov", "--file", spy, "--scale", "NaN"]), "--scale"),
        (s(&["regime", "markov", "--file", spy, "--scale", "inf"]), "--scale"),
        (s(&["regime", "markov", "--file", spy, "--order", "100"]), "--order"),
        (s(&["liquidity", "carry", "--horizon", "0"]), "--horizon"),
        (s(&["contagion", "absorption", "--file", spy, "--fraction", "1.5"]), "--fraction"),
    ]
}

fn check(args: &[String], r: &Run, stem: &str) -> Option<String> {
    let cmd = args.join(" ");
    if r.timed_out {
        return Some(format!("{cmd}: killed after {TIMEOUT:?} (hang)"));
    }
    match r.code {
        Some(0) => {
            let printed = r.stdout.to_ascii_lowercase();
            if ["nan", "inf"].iter().any(|w| printed.split(|c: char| !c.is_alphanumeric()).any(|t| t == *w)) {
                return Some(format!("{cmd}: exit 0 with a non-finite number printed:\n{}", r.stdout));
            }
            if args.iter().any(|a| a == "--json") && serde_json::from_str::<serde_json::Value>(&r.stdout).is_err() {
                return Some(format!("{cmd}: --json output does not parse:\n{}", r.stdout));
            }
            None
        }
        Some(1) => {
            let e = r.stderr.trim();
            // warnings (e.g. a named ×100 spike at ingest) may come first; the refusal is the last line
            let last = e.lines().rev().find(|l| l.starts_with("error:")).unwrap_or("");
            if last.is_empty() || e.contains("panicked") {
                return Some(format!("{cmd}: exit 1 without an `error:` message:\n{e}"));
            }
            // the message names the series (its id is the file stem) or the file
            if !last.contains(stem) {
                return Some(format!("{cmd}: the error does not name the series `{stem}`:\n{e}"));
            }
            None
        }
        c => Some(format!("{cmd}: exit {c:?} (panic or usage error):\nstderr: {}", r.stderr)),
    }
}

#[test]
fn every_analysis_command_on_every_degenerate_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (dates, spy_v) = real("etf_spy_daily.csv");
    let partner = |stem: &str, file: &str| {
        let (dd, v) = real(file);
        write(d, stem, &dd, &v.into_iter().map(Some).collect::<Vec<_>>()).display().to_string()
    };
    let spy = partner("SPY", "etf_spy_daily.csv");
    let tlt = partner("TLT", "etf_tlt_daily.csv");
    let gld = partner("GLD", "etf_gld_daily.csv");
    let btc = partner("BTC", "btc_usd_daily.csv");
    let mut jobs: Vec<(Vec<String>, String)> = Vec::new();
    for (name, values, dd) in degenerate(&dates, &spy_v) {
        let f = write(d, name, &dd, &values).display().to_string();
        for c in commands(&f, &spy, &tlt, &gld, &btc) {
            jobs.push((c, name.to_string()));
        }
    }
    let total = jobs.len();
    let queue = Mutex::new(jobs);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|sc| {
        for _ in 0..2 {
            sc.spawn(|| loop {
                let Some((args, stem)) = queue.lock().unwrap().pop() else { break };
                let r = run(d, &args);
                if let Some(f) = check(&args, &r, &stem) {
                    failures.lock().unwrap().push(f);
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{} of {total} runs broke the rules:\n\n{}", failures.len(), failures.join("\n\n"));
}

/// The liquidity commands read the watchlist's roles from the store; each degenerate input replaces
/// one indicator (`--file VIX.csv`, `USDJPY.csv`, `US10Y.csv`) of the bundled data.
#[test]
fn liquidity_commands_with_a_degenerate_indicator() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("demo.sqlite");
    let r = run_with_store(&store, &s(&["ingest", "--demo", "--json"]));
    assert_eq!(r.code, Some(0), "ingest --demo: {}", r.stderr);
    let (dates, base) = real("etf_spy_daily.csv");
    let mut failures = Vec::new();
    for (name, values, dd) in degenerate(&dates, &base) {
        let sub = dir.path().join(name);
        std::fs::create_dir_all(&sub).unwrap();
        for (stem, cmd) in [
            ("VIX", s(&["liquidity", "index", "--min-weeks", "10", "--json"])),
            ("USDJPY", s(&["liquidity", "carry", "--window", "10", "--horizon", "1"])),
            ("US10Y", s(&["liquidity", "rates", "--window", "10"])),
        ] {
            let f = write(&sub, stem, &dd, &values).display().to_string();
            let mut args = cmd;
            args.extend(s(&["--file", &f]));
            let r = run_with_store(&store, &args);
            if let Some(e) = check(&args, &r, stem) {
                failures.push(format!("[{name}] {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn out_of_range_parameters_are_usage_errors_naming_the_option() {
    let dir = tempfile::tempdir().unwrap();
    let (dates, v) = real("etf_spy_daily.csv");
    let spy = write(dir.path(), "SPY", &dates, &v.into_iter().map(Some).collect::<Vec<_>>()).display().to_string();
    let mut bad = Vec::new();
    for (args, opt) in out_of_range(&spy) {
        let r = run(dir.path(), &args);
        if r.code != Some(2) || !r.stderr.contains(opt) {
            bad.push(format!("{}: exit {:?}, stderr: {}", args.join(" "), r.code, r.stderr));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn ranges_are_shown_in_help() {
    let dir = tempfile::tempdir().unwrap();
    for (cmd, opt) in [
        (s(&["contagion", "corr", "--help"]), "--conf"),
        (s(&["contagion", "cocrash", "--help"]), "--threshold"),
        (s(&["regime", "markov", "--help"]), "--order"),
        (s(&["bubble", "psy", "--help"]), "--reps"),
    ] {
        let r = run(dir.path(), &cmd);
        let text = r.stdout;
        let at = text.find(&format!("{opt} <")).unwrap_or_else(|| panic!("{opt} not in help"));
        let block: String = text[at..].lines().take(4).collect::<Vec<_>>().join(" ");
        assert!(block.contains("[range:"), "{}: {block}", cmd.join(" "));
    }
}
