//! Parquet export (cargo feature `parquet`), same layout as the CSV export: one series →
//! `date, open, high, low, close, volume` (or `date, value`); several → `date, <id1>, <id2>, …`
//! on the union of dates. `date` is `INT32 (DATE)`, required; values are optional `DOUBLE`
//! (null where there is no observation). Snappy-compressed, one row group.

use super::{check_ids, union_dates, WriteError};
use chrono::NaiveDate;
use fissure_core::Series;
use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{DoubleType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::path::Path;
use std::sync::Arc;

/// Named value columns, aligned on the dates.
type Columns = Vec<(String, Vec<Option<f64>>)>;

fn pq(e: impl std::fmt::Display) -> WriteError {
    WriteError::Parquet(e.to_string())
}

/// Writes series to a Parquet file at `path` (layout in the module documentation).
pub fn write_parquet(series: &[Series], path: &Path) -> Result<(), WriteError> {
    check_ids(series)?;
    // Columns: (name, values aligned on `dates`).
    let (dates, cols): (Vec<NaiveDate>, Columns) = match series {
        [s] => {
            let dates = s.dates().to_vec();
            let value: Vec<Option<f64>> = s.values().iter().map(|v| Some(*v)).collect();
            match s.ohlcv() {
                Some(o) => (
                    dates,
                    vec![
                        ("open".into(), o.open.clone()),
                        ("high".into(), o.high.clone()),
                        ("low".into(), o.low.clone()),
                        ("close".into(), value),
                        ("volume".into(), o.volume.clone()),
                    ],
                ),
                None => (dates, vec![("value".into(), value)]),
            }
        }
        _ => {
            let dates = union_dates(series);
            let cols = series
                .iter()
                .map(|s| {
                    let mut pos = 0;
                    let vals = dates
                        .iter()
                        .map(|d| match s.dates().get(pos) {
                            Some(x) if x == d => {
                                pos += 1;
                                Some(s.values()[pos - 1])
                            }
                            _ => None,
                        })
                        .collect();
                    (s.id().to_string(), vals)
                })
                .collect();
            (dates, cols)
        }
    };
    let mut fields = vec![Arc::new(
        Type::primitive_type_builder("date", PhysicalType::INT32)
            .with_logical_type(Some(LogicalType::Date))
            .with_repetition(Repetition::REQUIRED)
            .build()
            .map_err(pq)?,
    )];
    for (name, _) in &cols {
        fields.push(Arc::new(
            Type::primitive_type_builder(name, PhysicalType::DOUBLE)
                .with_repetition(Repetition::OPTIONAL)
                .build()
                .map_err(pq)?,
        ));
    }
    let schema = Arc::new(Type::group_type_builder("series").with_fields(fields).build().map_err(pq)?);
    let props = Arc::new(WriterProperties::builder().set_compression(Compression::SNAPPY).build());
    let file = std::fs::File::create(path)?;
    let mut writer = SerializedFileWriter::new(file, schema, props).map_err(pq)?;
    let mut rg = writer.next_row_group().map_err(pq)?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).ok_or_else(|| pq("epoch"))?;
    let days: Vec<i32> = dates.iter().map(|d| (*d - epoch).num_days() as i32).collect();
    let mut k = 0usize;
    while let Some(mut cw) = rg.next_column().map_err(pq)? {
        if k == 0 {
            cw.typed::<Int32Type>().write_batch(&days, None, None).map_err(pq)?;
        } else {
            let col = &cols[k - 1].1;
            let vals: Vec<f64> = col.iter().flatten().copied().collect();
            let defs: Vec<i16> = col.iter().map(|v| i16::from(v.is_some())).collect();
            cw.typed::<DoubleType>().write_batch(&vals, Some(&defs), None).map_err(pq)?;
        }
        cw.close().map_err(pq)?;
        k += 1;
    }
    rg.close().map_err(pq)?;
    writer.close().map_err(pq)?;
    Ok(())
}
