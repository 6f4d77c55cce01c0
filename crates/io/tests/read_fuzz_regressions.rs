//! Inputs found by the fuzzer (`fuzz/`, target `read_csv`) that once made a reader panic,
//! replayed with the fuzz target's option selection, and with every format: none may panic.

use fissure_core::{AssetClass, Frequency, SeriesMeta};
use fissure_io::read::{read_bytes, Format, ReadOptions};
use std::path::Path;

/// The fuzz target's decoding: the first byte picks the options.
fn options(sel: u8, format: Format) -> ReadOptions {
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
    opts
}

#[test]
fn fuzz_findings_do_not_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        // `upstream-*`: asserts inside the parquet crate's decoders, which only the reader's
        // panic backstop can turn into an error.
        let upstream = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("upstream-"));
        let data = std::fs::read(&path).unwrap();
        let Some((sel, bytes)) = data.split_first() else { continue };
        for format in Format::ALL {
            for sel in [*sel, 0, 0x10, 0x20, 0x40, 0x80, 0xF0] {
                let name = if format == Format::Parquet { "f.parquet" } else { "f.csv" };
                match read_bytes(Path::new(name), bytes, &options(sel, format)) {
                    Ok(out) => {
                        for s in &out.series {
                            assert!(s.dates().windows(2).all(|w| w[0] < w[1]));
                        }
                    }
                    // Known findings are refused by checks, not by the panic backstop.
                    Err(e) => assert!(upstream || !e.to_string().contains("decoder failed"), "{e}"),
                }
            }
        }
        n += 1;
    }
    assert!(n >= 1);
}
