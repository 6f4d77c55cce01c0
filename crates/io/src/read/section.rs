//! The snapshot layout: `snapshot_date,symbol,name,<text…>,<numeric…>` → one
//! [`CrossSection`] per (date, numeric field).
//!
//! Columns: the date column; the symbol (`symbol` or `ticker`); an optional name
//! (`name`, `company`, `security`); text columns skipped by name (`sector…`, `industry…`,
//! `gics…`, `description`); every other column is a numeric field (or only `value_col`).
//! An empty or missing-marker cell leaves the symbol out of that field's cross-section.
//! In the bundle's snapshots a price of exactly 0 means "no quote" (it always comes with an
//! empty market cap), so a zero in a price column (`price`, `close`) is treated as missing
//! and counted in a warning; a negative price is an error.

use super::date::parse_date;
use super::num::{parse_cell, Cell};
use super::table::{col, find_named, Lines, SYMBOL_NAMES};
use super::{default_id, ReadError, ReadOptions, ReadWarning};
use chrono::NaiveDate;
use fissure_core::{CrossSection, CrossSectionRow};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

struct Entry {
    date: NaiveDate,
    symbol: String,
    name: Option<String>,
    line: u64,
    values: Vec<Option<f64>>,
}

pub(super) struct Ctx<'a> {
    pub file: &'a Path,
    pub header: &'a [String],
    pub lower: &'a [String],
    pub header_line: u64,
    pub date: usize,
    pub opts: &'a ReadOptions,
}

fn is_text(name: &str) -> bool {
    name.starts_with("sector")
        || name.starts_with("industry")
        || name.starts_with("gics")
        || name.ends_with("sector")
        || matches!(name, "description" | "exchange" | "currency" | "country" | "cik" | "founded" | "headquarters")
}

pub(super) fn read(
    ctx: &Ctx<'_>,
    mut rdr: csv::Reader<&[u8]>,
    mut rec: csv::ByteRecord,
    mut lines: Lines<'_>,
) -> Result<(Vec<CrossSection>, Vec<ReadWarning>), ReadError> {
    let file = ctx.file;
    let lower = ctx.lower;
    let header = ctx.header;
    let symbol = SYMBOL_NAMES.iter().find_map(|n| lower.iter().position(|h| h == n)).unwrap_or(0);
    let name = ["name", "company", "security"].iter().find_map(|n| lower.iter().position(|h| h == n));
    let fields: Vec<usize> = match &ctx.opts.value_col {
        Some(v) => vec![find_named(header, lower, v).filter(|i| *i != ctx.date && *i != symbol).ok_or_else(|| {
            ReadError::NoValueColumn {
                file: file.to_path_buf(),
                line: ctx.header_line,
                expected: format!("the column `{v}` named as the value column"),
                found: super::echo_names(header),
            }
        })?],
        None => (0..header.len())
            .filter(|i| *i != ctx.date && *i != symbol && Some(*i) != name && !is_text(&lower[*i]))
            .collect(),
    };
    if fields.is_empty() {
        return Err(ReadError::NoValueColumn {
            file: file.to_path_buf(),
            line: ctx.header_line,
            expected: "at least one numeric field besides date, symbol, name and text columns".into(),
            found: super::echo_names(header),
        });
    }
    let price: Vec<bool> = fields.iter().map(|i| matches!(lower[*i].as_str(), "price" | "close")).collect();
    let id = default_id(file, ctx.opts);
    let ncols = header.len();
    // (date, field slot) → rows with their lines
    // One entry per (date, symbol), in file order, with one value per field.
    let mut table: Vec<Entry> = Vec::new();
    let mut index: HashMap<(NaiveDate, String), usize> = HashMap::new();
    let mut vals: Vec<Option<f64>> = vec![None; fields.len()];
    let mut missing = vec![0usize; fields.len()];
    let mut zero_price = 0usize;
    let mut dup_same = 0usize;
    let mut rows = 0usize;
    let mut last_line = ctx.header_line;
    loop {
        let more = rdr.read_byte_record(&mut rec).map_err(|e| ReadError::Malformed {
            file: file.to_path_buf(),
            line: last_line + 1,
            message: e.to_string(),
        })?;
        if !more {
            break;
        }
        let line = lines.of(&rec);
        last_line = line;
        if rec.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        if rec.len() != ncols {
            return Err(ReadError::FieldCount { file: file.to_path_buf(), line, expected: ncols, found: rec.len() });
        }
        let Some(date) = parse_date(&rec[ctx.date]) else {
            return Err(ReadError::BadDate {
                file: file.to_path_buf(),
                line,
                column: col(header, ctx.date),
                text: super::echo(&rec[ctx.date]),
            });
        };
        if ctx.opts.skip_before.is_some_and(|f| date < f) {
            continue;
        }
        super::table::check_date_range(file, line, &col(header, ctx.date), date, ctx.opts)?;
        let sym = String::from_utf8_lossy(rec[symbol].trim_ascii()).into_owned();
        if sym.is_empty() {
            return Err(ReadError::MissingSymbol { file: file.to_path_buf(), line, column: col(header, symbol) });
        }
        let nm = name.map(|i| String::from_utf8_lossy(rec[i].trim_ascii()).into_owned()).filter(|s| !s.is_empty());
        rows += 1;
        vals.fill(None);
        for (k, &fi) in fields.iter().enumerate() {
            let field = &rec[fi];
            let value = match parse_cell(field) {
                Cell::Missing => {
                    missing[k] += 1;
                    continue;
                }
                Cell::Value(v) if price[k] && v == 0.0 && !ctx.opts.allow_non_positive => {
                    zero_price += 1;
                    continue;
                }
                Cell::Value(v) if price[k] && v < 0.0 && !ctx.opts.allow_non_positive => {
                    return Err(ReadError::NonPositivePrice {
                        file: file.to_path_buf(),
                        line,
                        column: col(header, fi),
                        date,
                        value: v,
                        asset_class: None,
                    });
                }
                Cell::Value(v) => v,
                Cell::NonFinite => {
                    return Err(ReadError::NonFinite {
                        file: file.to_path_buf(),
                        line,
                        column: col(header, fi),
                        text: super::echo(field),
                    })
                }
                Cell::Bad => {
                    return Err(ReadError::BadNumber {
                        file: file.to_path_buf(),
                        line,
                        column: col(header, fi),
                        text: super::echo(field),
                    })
                }
            };
            vals[k] = Some(value);
        }
        match index.get(&(date, sym.clone())) {
            Some(&j) => {
                let first = &mut table[j];
                for (k, v) in vals.iter().enumerate() {
                    match (first.values[k], *v) {
                        (Some(a), Some(b)) if a != b => {
                            return Err(ReadError::DuplicateSymbol {
                                file: file.to_path_buf(),
                                line,
                                column: col(header, fields[k]),
                                symbol: super::echo(sym.as_bytes()),
                                date,
                                first_line: first.line,
                            })
                        }
                        (None, Some(b)) => first.values[k] = Some(b),
                        _ => {}
                    }
                }
                dup_same += 1;
            }
            None => {
                index.insert((date, sym.clone()), table.len());
                table.push(Entry { date, symbol: sym, name: nm, line, values: vals.clone() });
            }
        }
    }
    if rows == 0 {
        return Err(ReadError::HeaderOnly { file: file.to_path_buf(), line: ctx.header_line });
    }
    let mut warnings = Vec::new();
    let mut warn = |message: String| warnings.push(ReadWarning { file: file.to_path_buf(), message });
    for (k, &m) in missing.iter().enumerate() {
        if m > 0 {
            warn(format!("{m} row(s) with a missing `{}` left out of its cross-sections", header[fields[k]]));
        }
    }
    if zero_price > 0 {
        warn(format!("{zero_price} price(s) of 0 (no quote in the source) treated as missing"));
    }
    if dup_same > 0 {
        warn(format!("{dup_same} repeated (date, symbol) row(s) with identical values merged"));
    }
    let mut groups: BTreeMap<(NaiveDate, usize), Vec<CrossSectionRow>> = BTreeMap::new();
    for e in table {
        for (k, v) in e.values.iter().enumerate() {
            if let Some(value) = *v {
                groups.entry((e.date, k)).or_default().push(CrossSectionRow {
                    symbol: e.symbol.clone(),
                    name: e.name.clone(),
                    value,
                });
            }
        }
    }
    let sections: Vec<CrossSection> = groups
        .into_iter()
        .map(|((date, k), rows)| CrossSection { id: id.clone(), field: header[fields[k]].clone(), date, rows })
        .collect();
    if sections.is_empty() {
        return Err(ReadError::AllMissing {
            file: file.to_path_buf(),
            line: ctx.header_line,
            column: col(header, fields[0]),
        });
    }
    Ok((sections, warnings))
}
