//! `fissure list`: what is in the store.

use crate::ctx::Ctx;
use crate::outln;
use crate::output::{date_or_dash, print_json, print_table};
use clap::Args;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  fissure list\n  fissure list --json\n\nReads only: a missing store is \"no store at PATH\", another file is \"not a Fissure store\"; nothing is created or changed."
)]
pub struct ListArgs {}

pub fn run(ctx: &Ctx, _args: &ListArgs) -> anyhow::Result<()> {
    let store = ctx.store()?;
    let series = store.list()?;
    let sections = store.list_sections()?;
    if ctx.json {
        return print_json(&serde_json::json!({
            "store": ctx.store_path,
            "schema_version": store.schema_version()?,
            "series": series,
            "sections": sections,
        }));
    }
    if series.is_empty() && sections.is_empty() {
        outln!("The store {} is empty. Load the bundled data with `fissure ingest --demo`.", ctx.store_path.display())?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = series
        .iter()
        .map(|s| {
            vec![
                s.meta.id.clone(),
                s.meta.name.clone(),
                s.meta.asset_class.to_string(),
                s.meta.frequency.to_string(),
                s.revision.to_string(),
                s.observations.to_string(),
                date_or_dash(s.first),
                date_or_dash(s.last),
            ]
        })
        .collect();
    print_table(&["id", "name", "class", "frequency", "rev", "obs", "first", "last"], &rows);
    if !sections.is_empty() {
        outln!()?;
        let rows: Vec<Vec<String>> = sections
            .iter()
            .map(|s| {
                vec![
                    format!("{}.{}", s.id, s.field),
                    s.revision.to_string(),
                    s.dates.to_string(),
                    s.rows.to_string(),
                    date_or_dash(s.first),
                    date_or_dash(s.last),
                ]
            })
            .collect();
        print_table(&["cross-section", "rev", "snapshots", "rows", "first", "last"], &rows);
    }
    outln!("\nstore: {}", ctx.store_path.display())?;
    Ok(())
}
