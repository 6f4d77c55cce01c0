//! The text (CSV) readers: header analysis, format detection, row parsing, and the
//! columnar → [`Series`] builder shared with the Parquet reader.

use super::date::{date_form, parse_date, parse_date_with, slash_parts, DateForm, DateOrder};
use super::num::{parse_cell, Cell};
use super::{default_id, section, Col, Format, ReadError, ReadOptions, ReadOutcome, ReadWarning, MIN_YEAR};
use chrono::{Datelike, NaiveDate};
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

fn reader(bytes: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(bytes)
}

/// The field delimiter: `ReadOptions.delimiter`, else a tab for `.tsv`/`.tab` files, else `,`.
pub(super) fn delimiter(file: &Path, opts: &ReadOptions) -> u8 {
    opts.delimiter.unwrap_or_else(|| {
        let tab = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("tsv") || e.eq_ignore_ascii_case("tab"));
        if tab {
            b'\t'
        } else {
            b','
        }
    })
}

/// Refuses what is not UTF-8 text before parsing: UTF-16 (with or without a byte-order
/// mark: ASCII text in UTF-16 is full of NUL bytes, which are valid UTF-8) and binary files.
fn check_text(file: &Path, bytes: &[u8]) -> Result<(), ReadError> {
    let utf16 = |what: &str| ReadError::Utf16 { file: file.to_path_buf(), line: 1, what: what.into() };
    if bytes.starts_with(b"\xFF\xFE") {
        return Err(utf16("little-endian, with a byte-order mark"));
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Err(utf16("big-endian, with a byte-order mark"));
    }
    let Some(first_nul) = bytes.iter().position(|b| *b == 0) else {
        return Ok(());
    };
    let head = &bytes[..bytes.len().min(4096)];
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, b) in head.iter().enumerate() {
        if *b == 0 {
            if i % 2 == 0 {
                even += 1;
            } else {
                odd += 1;
            }
        }
    }
    let half = head.len() / 2;
    if half >= 2 && odd * 10 >= half * 4 && even * 10 < half {
        return Err(utf16("little-endian, without a byte-order mark"));
    }
    if half >= 2 && even * 10 >= half * 4 && odd * 10 < half {
        return Err(utf16("big-endian, without a byte-order mark"));
    }
    let line = 1 + bytes[..first_nul].iter().filter(|b| **b == b'\n').count() as u64;
    Err(ReadError::NulByte { file: file.to_path_buf(), line, offset: first_nul })
}

/// Decides the day/month order of a file's `a/b/YYYY` dates from all of them.
#[allow(clippy::too_many_arguments)]
fn slash_order(
    file: &Path,
    bytes: &[u8],
    delim: u8,
    header: &[String],
    date: usize,
    warnings: &mut Vec<ReadWarning>,
) -> Result<DateOrder, ReadError> {
    let mut rdr = reader(bytes, delim);
    let mut rec = csv::ByteRecord::new();
    let mut lines = Lines::new(bytes);
    let mut seen_header = false;
    let (mut dmy, mut mdy): (Option<(u64, String)>, Option<u64>) = (None, None);
    let mut first: Option<(u64, Vec<u8>)> = None;
    while rdr.read_byte_record(&mut rec).unwrap_or(false) {
        let line = lines.of(&rec);
        if is_blank(&rec) {
            continue;
        }
        if !seen_header {
            seen_header = true;
            continue;
        }
        let Some(f) = rec.get(date) else { continue };
        let Some((a, b)) = slash_parts(f) else {
            // another form in a slash-dated file: the mixed formats are the problem
            if let (Some(form), Some((first_line, _))) = (date_form(f), &first) {
                return Err(ReadError::MixedDateFormats {
                    file: file.to_path_buf(),
                    line,
                    column: col(header, date),
                    text: super::echo(f),
                    form,
                    first_line: *first_line,
                    first_form: DateForm::Slash,
                });
            }
            continue;
        };
        if first.is_none() {
            first = Some((line, f.to_vec()));
        }
        if a > 12 && dmy.is_none() {
            dmy = Some((line, super::echo(f)));
        }
        if b > 12 && mdy.is_none() {
            mdy = Some(line);
        }
    }
    match (dmy, mdy) {
        (Some((line, text)), Some(other_line)) => Err(ReadError::InconsistentDateOrder {
            file: file.to_path_buf(),
            line,
            column: col(header, date),
            text,
            other_line,
        }),
        (Some((line, text)), None) => {
            warnings.push(ReadWarning {
                file: file.to_path_buf(),
                message: format!(
                    "dates read day-first (D/M/YYYY): line {line} has {text:?}; pass --date-format mdy or dmy to say so"
                ),
            });
            Ok(DateOrder::Dmy)
        }
        (None, Some(_)) => Ok(DateOrder::Mdy),
        (None, None) => {
            let (line, f) = first.unwrap_or((0, Vec::new()));
            let show =
                |o| parse_date_with(&f, o).map_or_else(|| "?".to_string(), |d| d.format("%-d %B %Y").to_string());
            Err(ReadError::AmbiguousDates {
                file: file.to_path_buf(),
                line,
                column: col(header, date),
                text: super::echo(&f),
                readings: format!("{} or {}", show(DateOrder::Mdy), show(DateOrder::Dmy)),
            })
        }
    }
}

/// Refuses dates before [`MIN_YEAR`] and after `ReadOptions.not_after`.
pub(super) fn check_date_range(
    file: &Path,
    line: u64,
    column: &Col,
    d: NaiveDate,
    opts: &ReadOptions,
) -> Result<(), ReadError> {
    let why = if d.year() < MIN_YEAR {
        format!("is before the year {MIN_YEAR}: a placeholder or a typo (market data start later)")
    } else if let Some(limit) = opts.not_after.filter(|l| d > *l) {
        format!("is in the future (after {limit}): a typo or a forecast would move every \"as of\"; fix the file, or pass --allow-future")
    } else {
        return Ok(());
    };
    Err(ReadError::DateOutOfRange { file: file.to_path_buf(), line, column: column.clone(), date: d, why })
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
    check_text(file, bytes)?;
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(utf8_error(file, bytes, e.valid_up_to()));
    }
    if bytes.trim_ascii().is_empty() {
        return Err(ReadError::Empty { file: file.to_path_buf(), line: 1 });
    }
    let delim = delimiter(file, opts);
    let mut rdr = reader(bytes, delim);
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
    if opts.delimiter.is_none() && header.len() == 1 {
        for (c, name, flag) in [('\t', "tab", "tab"), (';', "semicolon", "';'"), ('|', "pipe", "'|'")] {
            let count = header[0].matches(c).count();
            if count > 0 {
                return Err(ReadError::WrongDelimiter {
                    file: file.to_path_buf(),
                    line: header_line,
                    name,
                    flag,
                    count,
                });
            }
        }
    }
    if let Some(first) = rec.get(0) {
        if parse_date(first).is_some() || matches!(parse_cell(first), Cell::Value(_)) {
            let text = super::echo(first);
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
    let date = date_column(file, bytes, delim, &header, &lower, header_line, format, opts)?;

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
    let mut order = opts.date_order;
    let mut first_form: Option<(DateForm, u64)> = None;
    let date_col = col(&header, date);
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
        let form = date_form(dfield);
        if let (Some(form), None) = (form, first_form) {
            if form == DateForm::Slash && order == DateOrder::Auto {
                order = slash_order(file, bytes, delim, &header, date, &mut warnings)?;
            }
        }
        let Some(d) = parse_date_with(dfield, order) else {
            let text = super::echo(dfield);
            return Err(ReadError::BadDate { file: file.to_path_buf(), line, column: date_col.clone(), text });
        };
        let form = form.unwrap_or(DateForm::Iso);
        match first_form {
            None => first_form = Some((form, line)),
            Some((f, first_line)) if f != form => {
                return Err(ReadError::MixedDateFormats {
                    file: file.to_path_buf(),
                    line,
                    column: date_col.clone(),
                    text: super::echo(dfield),
                    form,
                    first_line,
                    first_form: f,
                })
            }
            Some(_) => {}
        }
        if opts.skip_before.is_some_and(|f| d < f) {
            continue;
        }
        check_date_range(file, line, &date_col, d, opts)?;
        for (k, uc) in used.iter().enumerate() {
            let v = parse_value(file, line, uc, &rec[uc.col.index - 1], d, opts)?;
            p.cols[k].push(v);
        }
        p.dates.push(d);
        p.lines.push(line);
    }
    if p.dates.is_empty() {
        if let Some(from) = opts.skip_before {
            return Err(ReadError::DateOutOfRange {
                file: file.to_path_buf(),
                line: last_line,
                column: date_col,
                date: from,
                why: "(the first date asked for) is after every row of the file: nothing to read".into(),
            });
        }
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
            text: super::echo(field),
        }),
        Cell::Bad => Err(ReadError::BadNumber {
            file: file.to_path_buf(),
            line,
            column: uc.col.clone(),
            text: super::echo(field),
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
#[allow(clippy::too_many_arguments)]
fn date_column(
    file: &Path,
    bytes: &[u8],
    delim: u8,
    header: &[String],
    lower: &[String],
    header_line: u64,
    format: Format,
    opts: &ReadOptions,
) -> Result<usize, ReadError> {
    let found = super::echo_names(header);
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
        // … or the first column whose first data value is a written-out date, with `-` or
        // `/`. Compact digits (`YYYYMMDD`, `YYYYMM`) count only under a date-like name: a
        // column of 6- or 8-digit codes is not silently read as dates.
        let mut rdr = reader(bytes, delim);
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
            let found = rec.iter().take(header.len()).position(|f| {
                let f = f.trim_ascii();
                parse_date(f).is_some()
                    && f.iter().any(|b| matches!(b, b'-' | b'/'))
                    && !matches!(parse_cell(f), Cell::Value(_))
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
        found: super::echo_names(header),
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
        None if format == Format::Csv => text_columns(bytes, delimiter(file, opts), &candidates),
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
fn text_columns(bytes: &[u8], delim: u8, candidates: &[usize]) -> Vec<usize> {
    let mut rdr = reader(bytes, delim);
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

/// The longest gap (calendar days) a series declared at frequency `f` may have: a longer
/// one is a mistyped year or two files pasted together (a "daily" file with a 73-year hole).
/// Real series do pause for years (the Fed's reverse repo facility 2004–2007), so the limit
/// is ten years for daily to monthly data; gaps over a year are warned.
pub fn max_gap_days(f: Frequency) -> i64 {
    match f {
        Frequency::Daily | Frequency::CalendarDaily | Frequency::Weekly | Frequency::Monthly => 3653,
        Frequency::Quarterly => 7305,
        Frequency::Annual => 18262,
        Frequency::Irregular => i64::MAX,
    }
}

/// Gaps longer than this (calendar days) are warned, whatever the frequency.
pub const WARN_GAP_DAYS: i64 = 366;

/// A declared frequency: a gap beyond [`max_gap_days`] is an error. Any series: a gap
/// longer than a year and than 20 median gaps is reported (warning).
fn check_gaps(
    file: &Path,
    id: &str,
    declared: Option<Frequency>,
    frequency: Frequency,
    dates: &[NaiveDate],
    lines: &[u64],
    warnings: &mut Vec<ReadWarning>,
) -> Result<(), ReadError> {
    let Some((i, days)) =
        dates.windows(2).map(|w| (w[1] - w[0]).num_days()).enumerate().max_by_key(|&(i, g)| (g, std::cmp::Reverse(i)))
    else {
        return Ok(());
    };
    if let Some(f) = declared {
        let max_days = max_gap_days(f);
        if days > max_days {
            return Err(ReadError::GapTooLong {
                file: file.to_path_buf(),
                line: lines[i + 1],
                series: id.to_string(),
                declared: f,
                days,
                from: dates[i],
                to: dates[i + 1],
                from_line: lines[i],
                max_days,
            });
        }
    }
    let median = fissure_core::series::median_gap_days(dates).unwrap_or(1).max(1);
    if days > WARN_GAP_DAYS && days > 20 * median {
        warnings.push(ReadWarning {
            file: file.to_path_buf(),
            message: format!(
                "series `{id}`: a gap of {days} days ({} → {}, lines {}–{}) in data that look {frequency} (median gap {median} days): missing data or a mistyped year? (stored as given)",
                dates[i], dates[i + 1], lines[i], lines[i + 1]
            ),
        });
    }
    Ok(())
}

/// A one-step move by at least this factor (up or down) is reported at ingest.
pub const SPIKE_FACTOR: f64 = 100.0;

/// Warns (never alters) on one-step moves of ×[`SPIKE_FACTOR`] or more between positive
/// values: a misplaced decimal point or a unit change, almost never a market move.
fn warn_spikes(
    file: &Path,
    id: &str,
    dates: &[NaiveDate],
    values: &[f64],
    lines: &[u64],
    warnings: &mut Vec<ReadWarning>,
) {
    let spikes: Vec<usize> = (1..values.len())
        .filter(|&i| {
            let (a, b) = (values[i - 1], values[i]);
            a > 0.0 && b > 0.0 && (b / a >= SPIKE_FACTOR || a / b >= SPIKE_FACTOR)
        })
        .collect();
    if spikes.is_empty() {
        return;
    }
    let shown: Vec<String> = spikes
        .iter()
        .take(3)
        .map(|&i| {
            let (a, b) = (values[i - 1], values[i]);
            let factor = if b >= a { format!("×{:.0}", b / a) } else { format!("÷{:.0}", a / b) };
            format!("{} (line {}: {a} → {b}, {factor})", dates[i], lines[i])
        })
        .collect();
    let more = if spikes.len() > 3 { format!(" and {} more", spikes.len() - 3) } else { String::new() };
    warnings.push(ReadWarning {
        file: file.to_path_buf(),
        message: format!(
            "series `{id}`: {} one-step move(s) of ×{SPIKE_FACTOR:.0} or more: {}{more}; a misplaced decimal point or a unit change? (stored as given)",
            spikes.len(),
            shown.join(", ")
        ),
    });
}

/// The columns of an OHLCV series, for messages.
struct OhlcCols {
    open: Option<Col>,
    high: Option<Col>,
    close: Col,
    volume: Option<Col>,
}

/// Checks low ≤ open, close ≤ high and volume ≥ 0 on every row (the close only when the
/// value column is the raw `close`: Yahoo's `Adj Close` is not on the high/low scale).
/// With `repair`, high/low are widened (swapped if crossed) and a negative volume becomes
/// missing, never the close; the repairs are counted in a warning.
#[allow(clippy::too_many_arguments)]
fn check_ohlc(
    file: &Path,
    id: &str,
    o: &mut Ohlcv,
    close: Option<&[f64]>,
    dates: &[NaiveDate],
    lines: &[u64],
    cols: &OhlcCols,
    repair: bool,
    warnings: &mut Vec<ReadWarning>,
) -> Result<(), ReadError> {
    let mut repaired = 0usize;
    let mut first: Option<(u64, String)> = None;
    for i in 0..dates.len() {
        let (op, hi, lo, vo) = (o.open[i], o.high[i], o.low[i], o.volume[i]);
        let cl = close.map(|c| c[i]);
        let mut problem: Option<(Col, String)> = None;
        if let (Some(h), Some(l)) = (hi, lo) {
            let tol = 1e-9 * h.abs().max(l.abs());
            if h < l - tol {
                problem = cols.high.clone().map(|c| (c, format!("high {h} < low {l}")));
            }
            let outside = |x: f64| x < l.min(h) - tol || x > h.max(l) + tol;
            if problem.is_none() {
                if let Some(x) = op.filter(|x| outside(*x)) {
                    problem = cols.open.clone().map(|c| (c, format!("open {x} outside [low {l}, high {h}]")));
                }
            }
            if problem.is_none() {
                if let Some(x) = cl.filter(|x| outside(*x)) {
                    problem = Some((cols.close.clone(), format!("close {x} outside [low {l}, high {h}]")));
                }
            }
        }
        if problem.is_none() {
            if let Some(v) = vo.filter(|v| *v < 0.0) {
                problem = cols.volume.clone().map(|c| (c, format!("negative volume {v}")));
            }
        }
        let Some((column, detail)) = problem else { continue };
        if !repair {
            return Err(ReadError::OhlcInconsistent {
                file: file.to_path_buf(),
                line: lines[i],
                column,
                date: dates[i],
                detail,
            });
        }
        if first.is_none() {
            first = Some((lines[i], detail));
        }
        repaired += 1;
        if let (Some(h), Some(l)) = (hi, lo) {
            let (l, h) = (l.min(h), l.max(h));
            let mut all = vec![l, h];
            all.extend(op);
            all.extend(cl);
            o.high[i] = all.iter().copied().reduce(f64::max);
            o.low[i] = all.iter().copied().reduce(f64::min);
        }
        if vo.is_some_and(|v| v < 0.0) {
            o.volume[i] = None;
        }
    }
    if let Some((line, detail)) = first {
        warnings.push(ReadWarning {
            file: file.to_path_buf(),
            message: format!(
                "series `{id}`: --repair-ohlc repaired {repaired} row(s) (high/low widened to contain open and close, negative volume made missing; the close is never changed); first at line {line}: {detail}"
            ),
        });
    }
    Ok(())
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
        let id = if multi {
            let part = fissure_core::id::id_part(&vcol.col.name).unwrap_or_else(|| format!("col{}", vcol.col.index));
            if part != vcol.col.name {
                warnings.push(ReadWarning {
                    file: file.to_path_buf(),
                    message: format!(
                        "column {}: named `{base}.{part}` (an id holds letters, digits and _.-^=+@ only)",
                        vcol.col
                    ),
                });
            }
            format!("{base}.{part}")
        } else {
            base.clone()
        };
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
        check_gaps(file, &id, declared, frequency, &dates, &obs_lines, warnings)?;
        warn_spikes(file, &id, &dates, &values, &obs_lines, warnings);
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
                let mut o = Ohlcv { open: pick(open), high: pick(high), low: pick(low), volume: pick(volume) };
                let close_named = vcol.col.name.trim().eq_ignore_ascii_case("close");
                let close = close_named.then_some(&values[..]);
                let cols = OhlcCols {
                    open: open.map(|k| used[k].col.clone()),
                    high: high.map(|k| used[k].col.clone()),
                    close: vcol.col.clone(),
                    volume: volume.map(|k| used[k].col.clone()),
                };
                check_ohlc(file, &id, &mut o, close, &dates, &obs_lines, &cols, opts.repair_ohlc, warnings)?;
                Some(o)
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
