//! Fuzz target: every reader (each `Format`, plus options that change the column rules) on
//! arbitrary bytes. A reader may refuse the input with a `ReadError`; it must never panic, and
//! what it accepts must be a valid series (sorted unique dates, finite values).
#![no_main]

use fissure_core::{AssetClass, Frequency, SeriesMeta};
use fissure_io::read::{read_bytes, Format, ReadOptions};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the options, the rest is the file.
    let (sel, bytes) = match data.split_first() {
        Some((s, rest)) => (*s, rest),
        None => (0, data),
    };
    let format = Format::ALL[(sel as usize) % Format::ALL.len()];
    let mut opts = ReadOptions { format, ..Default::default() };
    if sel & 0x10 != 0 {
        opts.meta = Some(SeriesMeta { asset_class: AssetClass::Stock, ..SeriesMeta::new("f") });
    }
    if sel & 0x20 != 0 {
        opts.frequency = Some(Frequency::Daily);
    }
    if sel & 0x40 != 0 {
        opts.value_col = Some("value".into());
    }
    if sel & 0x80 != 0 {
        opts.allow_non_positive = true;
    }
    let name = if format == Format::Parquet { "fuzz.parquet" } else { "fuzz.csv" };
    if let Ok(out) = read_bytes(Path::new(name), bytes, &opts) {
        for s in &out.series {
            assert!(s.dates().windows(2).all(|w| w[0] < w[1]));
            assert!(s.values().iter().all(|v| v.is_finite()));
        }
    }
});
