//! Reads every file under the given folders (default: the bundled `data/demo`) with
//! `read_file` and default options (plus `repair_ohlc`, which the bundle's continuous futures
//! need), and prints what it read and how long it took.
//!
//!     cargo run --release -p fissure-io --example read_bundle -- ../shared/data/prices ../shared/data/macro
//!
//! Used by tools/bench/io.sh to compare with pyarrow's CSV reader.

use fissure_io::read::{read_file, ReadOptions};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "csv") {
            out.push(p);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let repeat: usize = std::env::var("REPEAT").ok().and_then(|r| r.parse().ok()).unwrap_or(1);
    let dirs: Vec<PathBuf> = if args.is_empty() {
        vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo")]
    } else {
        args.iter().map(PathBuf::from).collect()
    };
    let mut list = Vec::new();
    for d in &dirs {
        files(d, &mut list);
    }
    let mut best = f64::INFINITY;
    let (mut n_series, mut n_obs, mut n_sections, mut n_err) = (0, 0, 0, 0);
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        (n_series, n_obs, n_sections, n_err) = (0, 0, 0, 0);
        for p in &list {
            match read_file(p, &ReadOptions { repair_ohlc: true, ..Default::default() }) {
                Ok(out) => {
                    n_series += out.series.len();
                    n_obs += out.series.iter().map(|s| s.len()).sum::<usize>();
                    n_sections += out.sections.len();
                }
                Err(e) => {
                    n_err += 1;
                    eprintln!("{e}");
                }
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "files {} series {n_series} observations {n_obs} cross-sections {n_sections} refused {n_err} seconds {best:.4}",
        list.len()
    );
}
