//! `fissure show`: one stored series, any revision.

use crate::ctx::Ctx;
use crate::outln;
use crate::output::{print_json, print_table, printable};
use chrono::NaiveDate;
use clap::Args;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  fissure show IXIC --from 2000-03-01 --to 2000-03-31\n  fissure show SPX --revisions\n  fissure show SPX --revision 1 --json"
)]
pub struct ShowArgs {
    /// Stored series id.
    pub id: String,
    /// First date shown.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last date shown.
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Revision to read (default: the current one).
    #[arg(long)]
    pub revision: Option<u32>,
    /// List the revisions instead of the data: data revisions, then metadata revisions
    /// (name, class, unit, frequency, source as changed by each ingest).
    #[arg(long)]
    pub revisions: bool,
    /// Print every row (tables otherwise show the last 30 of the range).
    #[arg(long)]
    pub all: bool,
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |x| format!("{x}"))
}

pub fn run(ctx: &Ctx, args: &ShowArgs) -> anyhow::Result<()> {
    crate::input::check_id(&args.id)?;
    let store = ctx.store()?;
    if args.revisions {
        let revs = store.revisions(&args.id)?;
        let metas = store.meta_revisions(&args.id)?;
        if ctx.json {
            return print_json(&serde_json::json!({ "data": revs, "metadata": metas }));
        }
        let rows: Vec<Vec<String>> = revs
            .iter()
            .map(|r| {
                vec![r.revision.to_string(), r.at.clone(), r.added.to_string(), r.changed.to_string(), r.label.clone()]
            })
            .collect();
        print_table(&["revision", "ingested at", "added", "changed", "from"], &rows);
        if !metas.is_empty() {
            outln!("\nmetadata revisions:")?;
            let rows: Vec<Vec<String>> = metas
                .iter()
                .map(|r| {
                    let m = &r.meta;
                    vec![
                        r.revision.to_string(),
                        r.at.clone().unwrap_or_else(|| "-".into()),
                        m.name.clone(),
                        m.asset_class.to_string(),
                        m.unit.clone(),
                        m.frequency.to_string(),
                        m.source.clone(),
                    ]
                })
                .collect();
            print_table(&["revision", "ingested at", "name", "class", "unit", "frequency", "source"], &rows);
        }
        return Ok(());
    }
    let s = store.load(&args.id, args.revision)?.slice(args.from, args.to);
    let (_, current) = store.meta(&args.id)?;
    let revision = args.revision.unwrap_or(current);
    if ctx.json {
        let obs: Vec<_> = s.observations().collect();
        return print_json(&serde_json::json!({
            "id": s.id(), "meta": s.meta, "revision": revision, "observations": obs,
        }));
    }
    let m = &s.meta;
    outln!(
        "{} — {} [{}; {}; {}] revision {revision}",
        m.id,
        printable(&m.name),
        m.asset_class,
        m.frequency,
        printable(&m.unit)
    )?;
    outln!("source: {}\n", printable(&m.source))?;
    let start = if args.all || s.len() <= 30 { 0 } else { s.len() - 30 };
    let with_ohlc = s.ohlcv().is_some();
    let rows: Vec<Vec<String>> = (start..s.len())
        .map(|i| {
            let o = s.observation(i);
            let mut r = vec![o.date.to_string(), format!("{}", o.value)];
            if with_ohlc {
                r.extend([num(o.open), num(o.high), num(o.low), num(o.volume)]);
            }
            r
        })
        .collect();
    if with_ohlc {
        print_table(&["date", "close", "open", "high", "low", "volume"], &rows);
    } else {
        print_table(&["date", "value"], &rows);
    }
    if start > 0 {
        outln!("({} earlier rows in range not shown; use --all or --from)", start)?;
    }
    Ok(())
}
