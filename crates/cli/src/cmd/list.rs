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
    let books = store.list_books()?;
    if ctx.json {
        return print_json(&serde_json::json!({
            "store": ctx.store_path,
            "schema_version": store.schema_version()?,
            "series": series,
            "sections": sections,
            "deal_books": books,
        }));
    }
    if series.is_empty() && sections.is_empty() && books.is_empty() {
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
    if !books.is_empty() {
        outln!()?;
        let rows: Vec<Vec<String>> = books
            .iter()
            .map(|b| {
                vec![
                    b.book.clone(),
                    b.revision.to_string(),
                    b.deals.to_string(),
                    b.firms.to_string(),
                    b.fundamentals.to_string(),
                    b.claims.to_string(),
                    date_or_dash(b.first_known),
                    date_or_dash(b.last_known),
                ]
            })
            .collect();
        print_table(
            &["deal book", "rev", "deals", "firms", "fundamentals", "claims", "first known", "last known"],
            &rows,
        );
        outln!("(revisions 1..rev: `fissure network ... --revision N`; `--as-of DATE` sees a book as known on DATE)")?;
    }
    outln!("\nstore: {}", ctx.store_path.display())?;
    Ok(())
}
