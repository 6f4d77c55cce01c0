//! The text (CSV) readers: header analysis, format detection, row parsing, and the
//! columnar → [`Series`] builder shared with the Parquet reader.

use super::date::parse_date;
use super::num::{parse_cell, Cell};
use super::{default_id, section, Col, Format, ReadError, ReadOptions, ReadOutcome, ReadWarning};
use chrono::NaiveDate;
use fissure_core::{Frequency, Ohlcv, Series, SeriesMeta};
use std::path::Path;

/// Header names recognised as the date column, in order of preference.
pub(super) const DATE_NAMES: &[&str] =
    &["date", "observation_date", "snapshot_date", "datetime", "timestamp", "time", "day", "month", "period", "week"];
const ADJ_CLOSE: &[&str] = &["adj close", "adj_close", "adjclose", "adjusted close", "adjusted_close"];
const PRICE_NAMES: &[&str] =
    &["open", "high", "low", "close", "adj close", "adj_close", "adjclose", "adjusted close", "adjusted_close"];
/// Stooq columns that carry no observation.
const STOOQ_IGNORED: &[&str] = &["ticker", "per", "time", "openint"];
/// Columns of the snapshot layout.
pub(super) const SYMBOL_NAMES: &[&str] = &["symbol", "ticker"];

/// Lower-cased header name with Stooq's angle brackets removed.
pub(super) fn norm(name: &str) -> String {
    let t = name.trim();
    let t = t.strip_prefix('<').and_then(|x| x.strip_suffix('>')).unwrap_or(t);
    t.to_ascii_lowercase()
}

pub(super) fn col(header: &[String], i: usize) -> Col {
    Col { index: i + 1, name: header.get(i).cloned().unwrap_or_default() }
}

pub(super) fn find(lower: &[String], names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| lower.iter().position(|h| h == n))
}

/// Finds a column named by the user: exact match first, then case-insensitive.
pub(super) fn find_named(header: &[String], lower: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h == name).or_else(|| {
        let n = norm(name);
        lower.iter().position(|h| *h == n)
    })
}

/// Where a non-UTF-8 byte is: 1-based line and, when the header is readable, the column.
fn utf8_error(file: &Path, bytes: &[u8], offset: usize) -> ReadError {
    let before = &bytes[..offset];
    let line = 1 + before.iter().filter(|b| **b == b'\n').count() as u64;
    let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
    let mut in_quotes = false;
    let mut field = 0usize;
    for &b in &before[line_start..] {
        match b {
            b'"' => in_quotes = !in_quotes,
            b',' if !in_quotes => field += 1,
            _ => {}
        }
    }
    let column = if line > 1 {
        let header_end = bytes.iter().position(|b| *b == b'\n').unwrap_or(bytes.len());
        let header: Vec<String> = std::str::from_utf8(&bytes[..header_end])
            .map(|h| h.split(',').map(|s| s.trim().trim_matches('"').to_string()).collect())
            .unwrap_or_default();
        Some(col(&header, field))
    } else {
        Some(Col { index: field + 1, name: String::new() })
    };
    ReadError::NotUtf8 { file: file.to_path_buf(), line, column, offset }
}

fn is_blank(rec: &csv::ByteRecord) -> bool {
    rec.iter().all(|f| f.trim_ascii().is_empty())
}

/// Physical line numbers of records. The csv crate's own line count does not count CRLF
/// line ends or skipped blank lines as the file shows them, so lines are counted here from
/// each record's byte offset: a line ends at `\n`, or at a `\r` not followed by `\n`.
pub(super) struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Lines { bytes, pos: 0, line: 1 }
    }

    /// The line on which `rec` starts (records must be given in file order).
    pub(super) fn of(&mut self, rec: &csv::ByteRecord) -> u64 {
        let mut target = rec.position().map_or(self.pos, |p| p.byte() as usize).min(self.bytes.len());
        // A record's offset may point at the blank lines skipped before it.
        while target < self.bytes.len() && matches!(self.bytes[target], b'\r' | b'\n') {
            target += 1;
        }
        if target > self.pos {
            let chunk = &self.bytes[self.pos..target];
            let lf = chunk.iter().filter(|b| **b == b'\n').count();
            let cr = chunk.iter().filter(|b| **b == b'\r').count();
            // Only CR-only files pay for the pairwise scan.
            let lone_cr = if cr == 0 {
                0
            } else {
                let next = self.bytes.get(target).copied();
                chunk
                    .iter()
                    .enumerate()
                    .filter(|(i, b)| **b == b'\r' && chunk.get(i + 1).copied().or(next) != Some(b'\n'))
                    .count()
            };
            self.line += (lf + lone_cr) as u64;
            self.pos = target;
        }
        self.line
    }
}

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes)
}

fn next_record(
    file: &Path,
    rdr: &mut csv::Reader<&[u8]>,
    rec: &mut csv::ByteRecord,
    last_line: u64,
) -> Result<bool, ReadError> {
    rdr.read_byte_record(rec).map_err(|e| ReadError::Malformed {
        file: file.to_path_buf(),
        line: last_line + 1,
        message: e.to_string(),
    })
}

/// How the parsed columns become series.
#[derive(Debug, Clone)]
pub(crate) enum Shape {
    /// One series: value column plus optional open/high/low/volume (indexes into `Parsed::cols`).
    Ohlcv { value: usize, open: Option<usize>, high: Option<usize>, low: Option<usize>, volume: Option<usize> },
    /// One series per parsed column.
    Columns,
}

/// A value column to parse.
#[derive(Debug, Clone)]
pub(crate) struct UsedCol {
    pub col: Col,
    /// Values must be > 0.
    pub price: bool,
}

/// Rows parsed into columns, in file order.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub dates: Vec<NaiveDate>,
    /// Line (or Parquet row) of each row.
    pub lines: Vec<u64>,
    pub cols: Vec<Vec<Option<f64>>>,
}

/// Reads a text file (every format but Parquet).
pub(super) fn read_text(file: &Path, bytes: &[u8], opts: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(utf8_error(file, bytes, e.valid_up_to()));
    }
    if bytes.trim_ascii().is_empty() {
        return Err(ReadError::Empty { file: file.to_path_buf(), line: 1 });
    }
    let mut rdr = reader(bytes);
    let mut rec = csv::ByteRecord::new();
    let mut lines = Lines::new(bytes);
    // Header: the first non-blank record.
    let mut header_line = 0;
    loop {
        if !next_record(file, &mut rdr, &mut rec, header_line)? {
            return Err(ReadError::Empty { file: file.to_path_buf(), line: 1 });
        }
        header_line = lines.of(&rec);
        if !is_blank(&rec) {
            break;
        }
    }
    // The file is valid UTF-8, so every field is.
    let header: Vec<String> =
        rec.iter().map(|f| String::from_utf8_lossy(f).trim().trim_start_matches('\u{feff}').to_string()).collect();
    let lower: Vec<String> = header.iter().map(|h| norm(h)).collect();
    if let Some(first) = rec.get(0) {
        if parse_date(first).is_some() || matches!(parse_cell(first), Cell::Value(_)) {
            let text = String::from_utf8_lossy(first).into_owned();
            return Err(ReadError::NoHeader { file: file.to_path_buf(), line: header_line, text });
        }
    }
    for i in 0..lower.len() {
        if !lower[i].is_empty() && lower[..i].contains(&lower[i]) {
            return Err(ReadError::DuplicateColumn {
                file: file.to_path_buf(),
                line: header_line,
                column: col(&header, i),
            });
        }
    }

    let mut warnings = Vec::new();
    let format = match opts.format {
        Format::Auto => detect(&header, &lower),
        f => f,
    };
    let date = date_column(file, bytes, &header, &lower, header_line, format, opts)?;

    // Snapshot layout: a symbol column beside the date → cross-sections (bundle layout,
    // or a date column named `snapshot_date`). In a generic CSV a symbol column is text.
    let snapshot = format == Format::Bundle || lower[date] == "snapshot_date";
    if snapshot && format != Format::Stooq && find(&lower, SYMBOL_NAMES).is_some() {
        let ctx = section::Ctx { file, header: &header, lower: &lower, header_line, date, opts };
        let (sections, w) = section::read(&ctx, rdr, rec, lines)?;
        return Ok(ReadOutcome { series: Vec::new(), sections, warnings: w, format });
    }

    let (used, shape) = plan(file, bytes, None, &header, &lower, header_line, date, format, opts, &mut warnings)?;

    // Main pass.
    let ncols = header.len();
    let mut p = Parsed { cols: vec![Vec::new(); used.len()], ..Default::default() };
    let mut last_line = header_line;
    while next_record(file, &mut rdr, &mut rec, last_line)? {
        let line = lines.of(&rec);
        last_line = line;
        if is_blank(&rec) {
            continue;
        }
        if rec.len() != ncols {
            return Err(ReadError::FieldCount { file: file.to_path_buf(), line, expected: ncols, found: rec.len() });
        }
        let dfield = &rec[date];
        let Some(d) = parse_date(dfield) else {
            let text = String::from_utf8_lossy(dfield).into_owned();
            return Err(ReadError::BadDate { file: file.to_path_buf(), line, column: col(&header, date), text });
        };
        for (k, uc) in used.iter().enumerate() {
            let v = parse_value(file, line, uc, &rec[uc.col.index - 1], d, opts)?;
            p.cols[k].push(v);
        }
        p.dates.push(d);
        p.lines.push(line);
    }
    if p.dates.is_empty() {
        return Err(ReadError::HeaderOnly { file: file.to_path_buf(), line: header_line });
    }
    let series = build(file, opts, &used, &shape, p, header_line, &mut warnings)?;
    Ok(ReadOutcome { series, sections: Vec::new(), warnings, format })
}

/// Parses one value cell with the column's rules.
pub(super) fn parse_value(
    file: &Path,
    line: u64,
    uc: &UsedCol,
    field: &[u8],
    date: NaiveDate,
    opts: &ReadOptions,
) -> Result<Option<f64>, ReadError> {
    match parse_cell(field) {
        Cell::Value(v) => {
            if uc.price && v <= 0.0 {
                return Err(ReadError::NonPositivePrice {
                    file: file.to_path_buf(),
                    line,
                    column: uc.col.clone(),
                    date,
                    value: v,
                    asset_class: opts.meta.as_ref().map(|m| m.asset_class.to_string()),
                });
            }
            Ok(Some(v))
        }
        Cell::Missing => Ok(None),
        Cell::NonFinite => Err(ReadError::NonFinite {
            file: file.to_path_buf(),
            line,
            column: uc.col.clone(),
            text: String::from_utf8_lossy(field).into_owned(),
        }),
        Cell::Bad => Err(ReadError::BadNumber {
            file: file.to_path_buf(),
            line,
            column: uc.col.clone(),
            text: String::from_utf8_lossy(field).into_owned(),
        }),
    }
}

/// Guesses the layout from the header.
fn detect(header: &[String], lower: &[String]) -> Format {
    if header.iter().any(|h| h.starts_with('<') && h.ends_with('>')) {
        return Format::Stooq;
    }
    if find(lower, ADJ_CLOSE).is_some() {
        return Format::Yahoo;
    }
    if header.first().is_some_and(|h| h == "DATE" || h == "observation_date") {
        return Format::Fred;
    }
    let stooq = ["Date", "Open", "High", "Low", "Close", "Volume"];
    if header.len() >= 5 && header.iter().zip(stooq).all(|(h, s)| h == s) {
        return Format::Stooq;
    }
    let lower_case = header.iter().all(|h| !h.chars().any(|c| c.is_ascii_uppercase()));
    if lower_case && matches!(lower.first().map(String::as_str), Some("date" | "snapshot_date")) {
        return Format::Bundle;
    }
    Format::Csv
}

/// Finds the date column (0-based).
fn date_column(
    file: &Path,
    bytes: &[u8],
    header: &[String],
    lower: &[String],
    header_line: u64,
    format: Format,
    opts: &ReadOptions,
) -> Result<usize, ReadError> {
    let found = header.join(", ");
    if let Some(name) = &opts.date_col {
        return find_named(header, lower, name).ok_or_else(|| ReadError::MissingDateColumn {
            file: file.to_path_buf(),
            line: header_line,
            expected: format!("the column `{name}` named as the date column"),
            found,
        });
    }
    let (names, expected): (&[&str], &str) = match format {
        Format::Fred => (&["date", "observation_date"], "a `DATE` or `observation_date` column (FRED)"),
        Format::Stooq => (&["date"], "a `Date` or `<DATE>` column (Stooq)"),
        Format::Yahoo => (&["date", "datetime"], "a `Date` column (Yahoo)"),
        _ => (DATE_NAMES, "a column named date, observation_date, snapshot_date, datetime, timestamp, time, day, month, period or week, or a first column holding dates"),
    };
    if let Some(i) = find(lower, names) {
        return Ok(i);
    }
    if matches!(format, Format::Csv | Format::Auto) {
        // Generic CSV: a column whose name contains "date" (`Trade Date`, `as_of_date`)…
        if let Some(i) = lower.iter().position(|h| h.contains("date")) {
            return Ok(i);
        }
        // … or the first column whose first data value is a written-out date (with `-`, `/`
        // the first column may also be compact `YYYYMMDD` or `YYYY.MM`).
        let mut rdr = reader(bytes);
        let mut rec = csv::ByteRecord::new();
        let mut seen_header = false;
        while rdr.read_byte_record(&mut rec).unwrap_or(false) {
            if is_blank(&rec) {
                continue;
            }
            if !seen_header {
                seen_header = true;
                continue;
            }
            let found = rec.iter().take(header.len()).enumerate().position(|(i, f)| {
                let f = f.trim_ascii();
                parse_date(f).is_some()
                    && (i == 0
                        || (f.iter().any(|b| matches!(b, b'-' | b'/')) && !matches!(parse_cell(f), Cell::Value(_))))
            });
            if let Some(i) = found {
                return Ok(i);
            }
            break;
        }
    }
    Err(ReadError::MissingDateColumn { file: file.to_path_buf(), line: header_line, expected: expected.into(), found })
}

/// Chooses the value columns and the shape of the output.
#[allow(clippy::too_many_arguments)]
pub(super) fn plan(
    file: &Path,
    bytes: &[u8],
    known_text: Option<&[usize]>,
    header: &[String],
    lower: &[String],
    header_line: u64,
    date: usize,
    format: Format,
    opts: &ReadOptions,
    warnings: &mut Vec<ReadWarning>,
) -> Result<(Vec<UsedCol>, Shape), ReadError> {
    let declared_price = !opts.allow_non_positive && opts.meta.as_ref().is_some_and(|m| m.asset_class.is_price());
    let is_price_name = |i: usize| !opts.allow_non_positive && PRICE_NAMES.contains(&lower[i].as_str());
    let mk = |i: usize, price: bool| UsedCol { col: col(header, i), price };
    let no_value = |expected: String| ReadError::NoValueColumn {
        file: file.to_path_buf(),
        line: header_line,
        expected,
        found: header.join(", "),
    };
    let close = find(lower, &["close"]);
    let adj = find(lower, ADJ_CLOSE);
    let requested = match &opts.value_col {
        Some(name) => Some(
            find_named(header, lower, name)
                .filter(|i| *i != date)
                .ok_or_else(|| no_value(format!("the column `{name}` named as the value column")))?,
        ),
        None => None,
    };
    let ohlcv_value = match requested {
        None => adj.or(close),
        Some(i) if Some(i) == adj || Some(i) == close => Some(i),
        Some(_) => None,
    };
    if let Some(v) = ohlcv_value {
        if format == Format::Yahoo && adj.is_none() && requested.is_none() {
            warnings.push(ReadWarning {
                file: file.to_path_buf(),
                message: "no `Adj Close` column: the value is the unadjusted `Close`".into(),
            });
        }
        let mut used = vec![mk(v, !opts.allow_non_positive)];
        let slot = |names: &[&str], price: bool, used: &mut Vec<UsedCol>| {
            find(lower, names).filter(|i| *i != v).map(|i| {
                used.push(mk(i, price && is_price_name(i)));
                used.len() - 1
            })
        };
        let open = slot(&["open"], true, &mut used);
        let high = slot(&["high"], true, &mut used);
        let low = slot(&["low"], true, &mut used);
        let volume = slot(&["volume", "vol"], false, &mut used);
        let taken: Vec<usize> = used.iter().map(|u| u.col.index - 1).collect();
        let ignored: Vec<&str> = (0..header.len())
            .filter(|i| *i != date && !taken.contains(i))
            .filter(|i| !(format == Format::Stooq && STOOQ_IGNORED.contains(&lower[*i].as_str())))
            .filter(|i| !(Some(*i) == close && adj.is_some()))
            .map(|i| header[i].as_str())
            .collect();
        if !ignored.is_empty() {
            warnings.push(ReadWarning {
                file: file.to_path_buf(),
                message: format!("OHLCV layout: column(s) {} not read", ignored.join(", ")),
            });
        }
        return Ok((used, Shape::Ohlcv { value: 0, open, high, low, volume }));
    }
    if let Some(i) = requested {
        let volume = matches!(lower[i].as_str(), "volume" | "vol");
        return Ok((vec![mk(i, (declared_price && !volume) || is_price_name(i))], Shape::Columns));
    }
    let mut candidates: Vec<usize> = (0..header.len())
        .filter(|i| *i != date)
        .filter(|i| !(format == Format::Stooq && STOOQ_IGNORED.contains(&lower[*i].as_str())))
        .collect();
    let text = match known_text {
        Some(t) => t.iter().copied().filter(|i| candidates.contains(i)).collect(),
        None if format == Format::Csv => text_columns(bytes, &candidates),
        None => Vec::new(),
    };
    if !text.is_empty() {
        let names: Vec<&str> = text.iter().map(|i| header[*i].as_str()).collect();
        warnings.push(ReadWarning {
            file: file.to_path_buf(),
            message: format!("text column(s) {} skipped", names.join(", ")),
        });
        candidates.retain(|i| !text.contains(i));
    }
    if candidates.is_empty() {
        return Err(no_value("at least one numeric column besides the date".into()));
    }
    let used = candidates.into_iter().map(|i| mk(i, declared_price || is_price_name(i))).collect();
    Ok((used, Shape::Columns))
}

/// Generic CSV: columns whose first non-missing value is not a number hold text.
fn text_columns(bytes: &[u8], candidates: &[usize]) -> Vec<usize> {
    let mut rdr = reader(bytes);
    let mut rec = csv::ByteRecord::new();
    let mut undecided: Vec<usize> = candidates.to_vec();
    let mut text = Vec::new();
    let mut seen_header = false;
    while !undecided.is_empty() && rdr.read_byte_record(&mut rec).unwrap_or(false) {
        if is_blank(&rec) {
            continue;
        }
        if !seen_header {
            seen_header = true;
            continue;
        }
        undecided.retain(|&i| match rec.get(i).map(parse_cell) {
            None | Some(Cell::Missing) => true,
            Some(Cell::Value(_) | Cell::NonFinite) => false,
            Some(Cell::Bad) => {
                text.push(i);
                false
            }
        });
    }
    text.sort_unstable();
    text
}

/// Ranges of gaps (calendar days) typical of each frequency, to locate a contradiction.
fn gap_range(f: Frequency) -> (i64, i64) {
    match f {
        Frequency::Daily => (1, 5),
        Frequency::CalendarDaily => (1, 2),
        Frequency::Weekly => (5, 10),
        Frequency::Monthly => (27, 35),
        Frequency::Quarterly => (85, 97),
        Frequency::Annual => (360, 370),
        Frequency::Irregular => (i64::MIN, i64::MAX),
    }
}

/// Checks a declared frequency against the dates; on a mismatch returns the error.
fn check_frequency(
    file: &Path,
    id: &str,
    declared: Frequency,
    dates: &[NaiveDate],
    lines: &[u64],
) -> Result<(), ReadError> {
    let observed = Frequency::infer(dates);
    if observed == Frequency::Irregular || declared.accepts(observed) {
        return Ok(());
    }
    let (lo, hi) = gap_range(declared);
    let pos = dates.windows(2).position(|w| {
        let g = (w[1] - w[0]).num_days();
        g < lo || g > hi
    });
    let (line, detail) = match pos {
        Some(i) => (
            lines[i + 1],
            format!(
                "{} → {} ({} days, lines {}–{})",
                dates[i],
                dates[i + 1],
                (dates[i + 1] - dates[i]).num_days(),
                lines[i],
                lines[i + 1]
            ),
        ),
        None => (lines.first().copied().unwrap_or(0), "none outside the usual range".into()),
    };
    Err(ReadError::FrequencyMismatch {
        file: file.to_path_buf(),
        line,
        series: id.to_string(),
        declared,
        observed,
        median_gap_days: fissure_core::series::median_gap_days(dates).unwrap_or(0),
        detail,
    })
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "missing".into(), |x| x.to_string())
}

/// Builds validated series from parsed columns: sorts (with a warning), drops rows with a
/// missing value (counted), rejects conflicting duplicate dates, checks the frequency.
pub(crate) fn build(
    file: &Path,
    opts: &ReadOptions,
    used: &[UsedCol],
    shape: &Shape,
    p: Parsed,
    header_line: u64,
    warnings: &mut Vec<ReadWarning>,
) -> Result<Vec<Series>, ReadError> {
    let n = p.dates.len();
    let order: Option<Vec<usize>> = match p.dates.windows(2).position(|w| w[1] < w[0]) {
        None => None,
        Some(i) => {
            warnings.push(ReadWarning {
                file: file.to_path_buf(),
                message: format!(
                    "rows are not in date order (line {} dated {} comes after {}); sorted by date",
                    p.lines[i + 1],
                    p.dates[i + 1],
                    p.dates[i]
                ),
            });
            let mut o: Vec<usize> = (0..n).collect();
            o.sort_by_key(|&i| (p.dates[i], p.lines[i]));
            Some(o)
        }
    };
    let idx = |k: usize| order.as_ref().map_or(k, |o| o[k]);
    let base = default_id(file, opts);
    let declared = opts.frequency.or(opts.meta.as_ref().map(|m| m.frequency)).filter(|f| *f != Frequency::Irregular);
    let source = opts
        .meta
        .as_ref()
        .map(|m| m.source.clone())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default());

    // (value column, extra columns compared for duplicates, ohlcv slots)
    let jobs: Vec<(usize, Vec<usize>)> = match shape {
        Shape::Ohlcv { value, .. } => {
            vec![(*value, (0..used.len()).filter(|k| k != value).collect())]
        }
        Shape::Columns => (0..used.len()).map(|k| (k, Vec::new())).collect(),
    };
    let multi = jobs.len() > 1;
    let mut out = Vec::with_capacity(jobs.len());
    for (vk, others) in jobs {
        let vcol = &used[vk];
        let id = if multi { format!("{base}.{}", vcol.col.name) } else { base.clone() };
        let vals = &p.cols[vk];
        let mut dates = Vec::with_capacity(n);
        let mut values = Vec::with_capacity(n);
        let mut rows: Vec<usize> = Vec::with_capacity(n);
        let mut missing = 0usize;
        let mut first_missing = 0u64;
        let mut dup_same = 0usize;
        let mut first_dup = 0u64;
        for k in 0..n {
            let r = idx(k);
            let Some(v) = vals[r] else {
                if missing == 0 {
                    first_missing = p.lines[r];
                }
                missing += 1;
                continue;
            };
            let d = p.dates[r];
            if let (Some(&last_d), Some(&last_r)) = (dates.last(), rows.last()) {
                if last_d == d {
                    let same = values.last() == Some(&v) && others.iter().all(|&o| p.cols[o][last_r] == p.cols[o][r]);
                    if same {
                        if dup_same == 0 {
                            first_dup = p.lines[r];
                        }
                        dup_same += 1;
                        continue;
                    }
                    let o = if values.last() != Some(&v) {
                        vk
                    } else {
                        others.iter().find(|&&o| p.cols[o][last_r] != p.cols[o][r]).copied().unwrap_or(vk)
                    };
                    let first = if o == vk { values.last().copied() } else { p.cols[o][last_r] };
                    return Err(ReadError::DuplicateDate {
                        file: file.to_path_buf(),
                        line: p.lines[r],
                        column: used[o].col.clone(),
                        date: d,
                        first_line: p.lines[last_r],
                        values: format!("{} vs {}", fmt_opt(first), fmt_opt(p.cols[o][r])),
                    });
                }
            }
            dates.push(d);
            values.push(v);
            rows.push(r);
        }
        if missing > 0 {
            warnings.push(ReadWarning {
                file: file.to_path_buf(),
                message: format!(
                    "series `{id}`: {missing} row(s) with a missing {} skipped (first at line {first_missing})",
                    vcol.col.name
                ),
            });
        }
        if dup_same > 0 {
            warnings.push(ReadWarning {
                file: file.to_path_buf(),
                message: format!(
                    "series `{id}`: {dup_same} repeated row(s) with the same date and values dropped (first at line {first_dup})"
                ),
            });
        }
        if dates.is_empty() {
            if multi {
                warnings.push(ReadWarning {
                    file: file.to_path_buf(),
                    message: format!("column `{}` has no values; no series `{id}`", vcol.col.name),
                });
                continue;
            }
            return Err(ReadError::AllMissing {
                file: file.to_path_buf(),
                line: header_line,
                column: vcol.col.clone(),
            });
        }
        let obs_lines: Vec<u64> = rows.iter().map(|&r| p.lines[r]).collect();
        let frequency = match declared {
            Some(f) => {
                check_frequency(file, &id, f, &dates, &obs_lines)?;
                f
            }
            None => Frequency::infer(&dates),
        };
        let mut meta = SeriesMeta::new(id.clone());
        if let Some(m) = &opts.meta {
            if !m.name.is_empty() {
                meta.name = if multi { format!("{}: {}", m.name, vcol.col.name) } else { m.name.clone() };
            }
            meta.asset_class = m.asset_class;
            meta.unit = m.unit.clone();
        }
        meta.frequency = frequency;
        meta.source = source.clone();
        let ohlcv = match shape {
            Shape::Ohlcv { open, high, low, volume, .. } => {
                let pick = |slot: &Option<usize>| match slot {
                    Some(c) => rows.iter().map(|&r| p.cols[*c][r]).collect(),
                    None => vec![None; rows.len()],
                };
                Some(Ohlcv { open: pick(open), high: pick(high), low: pick(low), volume: pick(volume) })
            }
            Shape::Columns => None,
        };
        let first_line = obs_lines[0];
        let s = Series::with_ohlcv(meta, dates, values, ohlcv).map_err(|source| ReadError::Core {
            file: file.to_path_buf(),
            line: first_line,
            series: id.clone(),
            source: Box::new(source),
        })?;
        out.push(s);
    }
    if out.is_empty() {
        // Every column of a multi-column file was empty.
        return Err(ReadError::AllMissing { file: file.to_path_buf(), line: header_line, column: used[0].col.clone() });
    }
    Ok(out)
}
