//! `fissure export`: stored series to CSV or Parquet.

use crate::ctx::Ctx;
use anyhow::Context;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Parquet,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  fissure export SPX IXIC --format csv --out indices.csv\n  fissure export BTC --format parquet --out btc.parquet"
)]
pub struct ExportArgs {
    /// Stored series ids.
    #[arg(required = true)]
    pub ids: Vec<String>,
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Output file.
    #[arg(long)]
    pub out: PathBuf,
    /// Revision to export (default: current; applies to every id).
    #[arg(long)]
    pub revision: Option<u32>,
}

pub fn run(ctx: &Ctx, args: &ExportArgs) -> anyhow::Result<()> {
    // read the store first: a missing or foreign store must not leave an empty output file
    let store = ctx.store()?;
    let series = args
        .ids
        .iter()
        .map(|id| {
            crate::input::check_id(id)?;
            store.load(id, args.revision).with_context(|| format!("loading `{id}`"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    match args.format {
        ExportFormat::Csv => {
            let mut f = std::fs::File::create(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
            fissure_io::write::write_csv(&series, &mut f).with_context(|| format!("writing {}", args.out.display()))?;
        }
        ExportFormat::Parquet => export_parquet(&series, &args.out)?,
    }
    if !ctx.json {
        eprintln!("wrote {} series to {}", series.len(), args.out.display());
    }
    Ok(())
}

#[cfg(feature = "parquet")]
fn export_parquet(series: &[fissure_core::Series], out: &std::path::Path) -> anyhow::Result<()> {
    fissure_io::write::write_parquet(series, out).with_context(|| format!("writing {}", out.display()))
}

#[cfg(not(feature = "parquet"))]
fn export_parquet(_: &[fissure_core::Series], _: &std::path::Path) -> anyhow::Result<()> {
    anyhow::bail!("this fissure was built without Parquet support; rebuild with `--features parquet`")
}
