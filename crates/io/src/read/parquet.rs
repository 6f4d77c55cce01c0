//! Parquet reader (cargo feature `parquet`): a date column and numeric columns, with the same
//! column rules as the CSV readers (OHLCV → one series valued at `close`/`adj close`; otherwise
//! one series per numeric column, or only `value_col`).
//!
//! - Date column: `date_col`, else a column named like a date (`date`, `observation_date`, …),
//!   else the first column of logical type DATE or TIMESTAMP. Accepted cells: DATE,
//!   TIMESTAMP (millis/micros, UTC date taken), strings in any date form the CSV readers accept,
//!   and integers written `YYYYMMDD`.
//! - Numeric columns: INT32/INT64/FLOAT/DOUBLE and DECIMAL; string, boolean and nested columns
//!   are skipped with a warning. Null and floating-point NaN (how pandas writes a missing float)
//!   are missing; ±infinity is an error.
//! - Compression: uncompressed and Snappy (the pandas/pyarrow default). Other codecs give a
//!   `Parquet` error naming the codec.
//! - For Parquet files, the `line` of an error is the 1-based row number.

use super::date::parse_date;
use super::num::{parse_cell, Cell};
use super::table::{self, col, find, find_named, Parsed, DATE_NAMES};
use super::{Format, ReadError, ReadOptions, ReadOutcome};
use chrono::NaiveDate;
use parquet::basic::{ConvertedType, LogicalType, TimeUnit, Type as PhysicalType};
use parquet::data_type::Decimal;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use std::path::Path;

fn perr(file: &Path, row: Option<u64>, column: &str, e: impl std::fmt::Display) -> ReadError {
    ReadError::Parquet {
        file: file.to_path_buf(),
        row,
        column_text: if column.is_empty() { String::new() } else { format!("column `{column}`: ") },
        message: e.to_string(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Date,
    Number,
    Text,
}

fn kind_of(t: &parquet::schema::types::Type) -> Kind {
    if !t.is_primitive() {
        return Kind::Text;
    }
    let info = t.get_basic_info();
    match info.logical_type_ref() {
        Some(LogicalType::Date | LogicalType::Timestamp(_)) => return Kind::Date,
        Some(LogicalType::Decimal(_)) => return Kind::Number,
        Some(LogicalType::String | LogicalType::Json | LogicalType::Uuid | LogicalType::Enum) => return Kind::Text,
        _ => {}
    }
    match info.converted_type() {
        ConvertedType::DATE | ConvertedType::TIMESTAMP_MILLIS | ConvertedType::TIMESTAMP_MICROS => return Kind::Date,
        ConvertedType::DECIMAL => return Kind::Number,
        ConvertedType::UTF8 | ConvertedType::ENUM | ConvertedType::JSON => return Kind::Text,
        _ => {}
    }
    match t.get_physical_type() {
        PhysicalType::INT32 | PhysicalType::INT64 | PhysicalType::FLOAT | PhysicalType::DOUBLE => Kind::Number,
        _ => Kind::Text,
    }
}

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

fn from_days(days: i64) -> Option<NaiveDate> {
    EPOCH.checked_add_signed(chrono::TimeDelta::try_days(days)?)
}

/// For a timestamp column stored as plain INT64 cells (nanosecond timestamps, as pandas writes
/// them), the number of units per day; 0 otherwise.
fn units_per_day(t: &parquet::schema::types::Type) -> i64 {
    let info = t.get_basic_info();
    match info.logical_type_ref() {
        Some(LogicalType::Timestamp(t)) => match t.unit {
            TimeUnit::MILLIS => 86_400_000,
            TimeUnit::MICROS => 86_400_000_000,
            TimeUnit::NANOS => 86_400_000_000_000,
        },
        _ => match info.converted_type() {
            ConvertedType::TIMESTAMP_MILLIS => 86_400_000,
            ConvertedType::TIMESTAMP_MICROS => 86_400_000_000,
            _ => 0,
        },
    }
}

fn to_date(f: &Field, per_day: i64) -> Option<NaiveDate> {
    match f {
        Field::Long(x) if per_day > 0 => from_days(x.div_euclid(per_day)),
        Field::Date(d) => from_days(*d as i64),
        Field::TimestampMillis(ms) => from_days(ms.div_euclid(86_400_000)),
        Field::TimestampMicros(us) => from_days(us.div_euclid(86_400_000_000)),
        Field::Str(s) => parse_date(s.as_bytes()),
        Field::Int(i) => parse_date(i.to_string().as_bytes()),
        Field::Long(i) => parse_date(i.to_string().as_bytes()),
        Field::UInt(i) => parse_date(i.to_string().as_bytes()),
        Field::ULong(i) => parse_date(i.to_string().as_bytes()),
        _ => None,
    }
}

fn decimal(d: &Decimal) -> Option<f64> {
    let bytes = d.data();
    if bytes.is_empty() || bytes.len() > 16 {
        return None;
    }
    let neg = bytes[0] & 0x80 != 0;
    let mut buf = if neg { [0xFFu8; 16] } else { [0u8; 16] };
    buf[16 - bytes.len()..].copy_from_slice(bytes);
    let unscaled = i128::from_be_bytes(buf) as f64;
    Some(unscaled / 10f64.powi(d.scale()))
}

/// A cell as text for an error message. (`Field`'s `Display` panics on out-of-range dates.)
fn field_text(f: &Field) -> String {
    match f {
        Field::Str(s) => super::echo(s.as_bytes()),
        other => super::echo(format!("{other:?}").as_bytes()),
    }
}

/// A numeric cell: Ok(None) missing, Err(text) for a non-finite or non-numeric value.
fn to_number(f: &Field) -> Result<Option<f64>, (bool, String)> {
    let v = match f {
        Field::Null => return Ok(None),
        Field::Byte(x) => *x as f64,
        Field::Short(x) => *x as f64,
        Field::Int(x) => *x as f64,
        Field::Long(x) => *x as f64,
        Field::UByte(x) => *x as f64,
        Field::UShort(x) => *x as f64,
        Field::UInt(x) => *x as f64,
        Field::ULong(x) => *x as f64,
        Field::Float(x) => *x as f64,
        Field::Double(x) => *x,
        Field::Float16(x) => f64::from(*x),
        Field::Decimal(d) => return decimal(d).map(Some).ok_or((false, "decimal".into())),
        Field::Str(s) => {
            return match parse_cell(s.as_bytes()) {
                Cell::Missing => Ok(None),
                Cell::Value(v) => Ok(Some(v)),
                Cell::NonFinite => Err((true, s.clone())),
                Cell::Bad => Err((false, s.clone())),
            }
        }
        other => return Err((false, field_text(other))),
    };
    if v.is_nan() {
        Ok(None)
    } else if v.is_infinite() {
        Err((true, v.to_string()))
    } else {
        Ok(Some(v))
    }
}

/// Reads a Parquet file. The `parquet` crate asserts on some corrupt inputs instead of returning
/// an error; column-chunk ranges are checked first, and any remaining panic inside the decoder is
/// caught and turned into a `Parquet` error, so a corrupt file never aborts the program.
pub(super) fn read(file: &Path, bytes: &[u8], opts: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_inner(file, bytes, opts))) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown failure".into());
            Err(perr(file, None, "", format!("the decoder failed on this file (corrupt or unsupported): {what}")))
        }
    }
}

/// Column chunks must lie inside the file (the decoder asserts on negative offsets).
fn check_ranges(file: &Path, reader: &SerializedFileReader<bytes::Bytes>, len: usize) -> Result<(), ReadError> {
    for (g, rg) in reader.metadata().row_groups().iter().enumerate() {
        for c in rg.columns() {
            let start = c.dictionary_page_offset().unwrap_or_else(|| c.data_page_offset());
            let size = c.compressed_size();
            let end = start.checked_add(size);
            if start < 0 || size < 0 || end.is_none_or(|e| e as u128 > len as u128) {
                return Err(perr(
                    file,
                    None,
                    c.column_path().string().as_str(),
                    format!(
                        "row group {}: column chunk at byte {start}, {size} bytes, lies outside the {len}-byte file",
                        g + 1
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn read_inner(file: &Path, bytes: &[u8], opts: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty { file: file.to_path_buf(), line: 1 });
    }
    let reader =
        SerializedFileReader::new(bytes::Bytes::copy_from_slice(bytes)).map_err(|e| perr(file, None, "", e))?;
    check_ranges(file, &reader, bytes.len())?;
    let schema = reader.metadata().file_metadata().schema_descr().root_schema();
    let fields = schema.get_fields();
    let header: Vec<String> = fields.iter().map(|f| f.name().to_string()).collect();
    let lower: Vec<String> = header.iter().map(|h| table::norm(h)).collect();
    let kinds: Vec<Kind> = fields.iter().map(|f| kind_of(f)).collect();
    let found = super::echo_names(&header);
    let date = match &opts.date_col {
        Some(name) => find_named(&header, &lower, name).ok_or_else(|| ReadError::MissingDateColumn {
            file: file.to_path_buf(),
            line: 1,
            expected: format!("the column `{name}` named as the date column"),
            found: found.clone(),
        })?,
        None => find(&lower, DATE_NAMES).or_else(|| kinds.iter().position(|k| *k == Kind::Date)).ok_or_else(|| {
            ReadError::MissingDateColumn {
                file: file.to_path_buf(),
                line: 1,
                expected: "a column named date (or observation_date, timestamp, …) or of type DATE/TIMESTAMP".into(),
                found,
            }
        })?,
    };
    let per_day = units_per_day(&fields[date]);
    let text: Vec<usize> = (0..header.len()).filter(|i| *i != date && kinds[*i] != Kind::Number).collect();
    let mut warnings = Vec::new();
    let (used, shape) =
        table::plan(file, &[], Some(&text), &header, &lower, 1, date, Format::Parquet, opts, &mut warnings)?;
    let mut p = Parsed { cols: vec![Vec::new(); used.len()], ..Default::default() };
    let rows = reader.get_row_iter(None).map_err(|e| perr(file, None, "", e))?;
    for (r, row) in rows.enumerate() {
        let line = r as u64 + 1;
        let row = row.map_err(|e| perr(file, Some(line), "", e))?;
        let cells: Vec<&Field> = row.get_column_iter().map(|(_, f)| f).collect();
        let dcell = cells.get(date).copied().unwrap_or(&Field::Null);
        let Some(d) = to_date(dcell, per_day) else {
            return Err(ReadError::BadDate {
                file: file.to_path_buf(),
                line,
                column: col(&header, date),
                text: field_text(dcell),
            });
        };
        if opts.skip_before.is_some_and(|f| d < f) {
            continue;
        }
        table::check_date_range(file, line, &col(&header, date), d, opts)?;
        for (k, uc) in used.iter().enumerate() {
            let cell = cells.get(uc.col.index - 1).copied().unwrap_or(&Field::Null);
            let v = match to_number(cell) {
                Ok(v) => v,
                Err((true, text)) => {
                    return Err(ReadError::NonFinite { file: file.to_path_buf(), line, column: uc.col.clone(), text })
                }
                Err((false, text)) => {
                    return Err(ReadError::BadNumber { file: file.to_path_buf(), line, column: uc.col.clone(), text })
                }
            };
            if let Some(x) = v {
                if uc.price && x <= 0.0 {
                    return Err(ReadError::NonPositivePrice {
                        file: file.to_path_buf(),
                        line,
                        column: uc.col.clone(),
                        date: d,
                        value: x,
                        asset_class: opts.meta.as_ref().map(|m| m.asset_class.to_string()),
                    });
                }
            }
            p.cols[k].push(v);
        }
        p.dates.push(d);
        p.lines.push(line);
    }
    if p.dates.is_empty() {
        return Err(ReadError::HeaderOnly { file: file.to_path_buf(), line: 1 });
    }
    let series = table::build(file, opts, &used, &shape, p, 1, &mut warnings)?;
    Ok(ReadOutcome { series, sections: Vec::new(), warnings, format: Format::Parquet })
}
