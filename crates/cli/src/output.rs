//! Printing: JSON on stdout, aligned tables for people, progress bars on stderr.
//!
//! All of stdout goes through ONE buffered writer ([`stdout`]): a command prints with
//! [`outln!`](crate::outln) / [`out!`](crate::out) (like `println!`/`print!`, but buffered and
//! returning `io::Result` for `?`), [`print_json`] or [`print_table`]; `main` flushes it at
//! the end. `print_json` and `print_table` flush after writing, so a command that still uses
//! `println!` keeps its lines in order. A closed pipe (`fissure … | head`) ends the program
//! quietly, as Unix tools do (see `main.rs`).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use std::io::{BufWriter, IsTerminal, Stdout, Write};
use std::sync::{Mutex, MutexGuard, OnceLock};

static STDOUT: OnceLock<Mutex<BufWriter<Stdout>>> = OnceLock::new();

/// The process's buffered stdout (64 KiB). Do not hold the guard across another print call.
pub fn stdout() -> MutexGuard<'static, BufWriter<Stdout>> {
    let m = STDOUT.get_or_init(|| Mutex::new(BufWriter::with_capacity(1 << 16, std::io::stdout())));
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Flushes the buffered stdout.
pub fn flush() -> std::io::Result<()> {
    stdout().flush()
}

/// `println!` into the buffered stdout; evaluates to `std::io::Result<()>`.
#[macro_export]
macro_rules! outln {
    () => {{
        use std::io::Write as _;
        writeln!($crate::output::stdout())
    }};
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!($crate::output::stdout(), $($arg)*)
    }};
}

/// `print!` into the buffered stdout; evaluates to `std::io::Result<()>`.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!($crate::output::stdout(), $($arg)*)
    }};
}

thread_local! {
    /// Set by [`capture_json`]: `print_json` on this thread stores its value here instead of printing.
    static CAPTURE: std::cell::RefCell<Option<Option<serde_json::Value>>> = const { std::cell::RefCell::new(None) };
}

/// Runs a command with `--json` and returns what it would have printed with [`print_json`]
/// (the server's engine answers with the CLI's own JSON this way). `None` if it printed none.
#[cfg_attr(not(feature = "server"), allow(dead_code))]
pub fn capture_json(f: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<Option<serde_json::Value>> {
    CAPTURE.with(|c| *c.borrow_mut() = Some(None));
    let r = f();
    let v = CAPTURE.with(|c| c.borrow_mut().take()).flatten();
    r.map(|()| v)
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let captured = CAPTURE.with(|c| -> anyhow::Result<bool> {
        let mut slot = c.borrow_mut();
        match slot.as_mut() {
            Some(v) => {
                *v = Some(serde_json::to_value(value)?);
                Ok(true)
            }
            None => Ok(false),
        }
    })?;
    if captured {
        return Ok(());
    }
    let mut out = stdout();
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// A table cell made safe for a terminal: control characters (newlines, escape codes)
/// are shown escaped, never sent raw.
pub fn printable(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.chars().any(char::is_control) {
        std::borrow::Cow::Owned(cell.chars().flat_map(|c| c.escape_debug()).collect())
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Prints an aligned text table on stdout (numbers right-aligned; control characters
/// escaped). Write errors other than a closed pipe are reported on stderr.
pub fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| printable(c).into_owned()).collect()).collect();
    let mut width: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            if i < width.len() {
                width[i] = width[i].max(c.chars().count());
            }
        }
    }
    let numeric =
        |s: &str| s.parse::<f64>().is_ok() || s.ends_with('%') && s.trim_end_matches('%').parse::<f64>().is_ok();
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = width[i].saturating_sub(c.chars().count());
            if i > 0 {
                s.push_str("  ");
            }
            if numeric(c) {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            } else {
                s.push_str(c);
                if i + 1 < cells.len() {
                    s.push_str(&" ".repeat(pad));
                }
            }
        }
        s
    };
    let mut out = stdout();
    let mut write = || -> std::io::Result<()> {
        writeln!(out, "{}", line(headers.to_vec()))?;
        writeln!(out, "{}", width.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  "))?;
        for r in &rows {
            writeln!(out, "{}", line(r.iter().map(String::as_str).collect()))?;
        }
        out.flush()
    };
    if let Err(e) = write() {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: writing to stdout: {e}");
        }
    }
}

/// A progress bar on stderr; hidden when stderr is not a terminal.
pub fn progress(len: u64, msg: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    if !std::io::stderr().is_terminal() {
        pb.set_draw_target(ProgressDrawTarget::hidden());
    }
    pb.set_style(
        ProgressStyle::with_template("{msg:20} [{bar:30}] {pos}/{len} {elapsed_precise} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(msg.to_string());
    pb
}

/// Formats an optional date.
pub fn date_or_dash(d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "-".into(), |d| d.to_string())
}
