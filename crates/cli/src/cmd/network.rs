//! `fissure network`: the deal network — cycles, circulation, round-trip revenue,
//! concentration, the graph over time, and stress propagation (DebtRank,
//! Eisenberg–Noe clearing).

use crate::ctx::Ctx;
use crate::output::{print_json, print_table};
use anyhow::{bail, Context};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use fissure_core::{DealBook, DealStatus};
use fissure_io::deals;
use fissure_network::stress::{self, ClearingParams, ClearingSystem, DebtRankVariant, ExposureNetwork};
use fissure_network::summary::{summarize, timeline, SummaryParams};
use fissure_network::{DealGraph, StatusWeights};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `println!` that ignores a closed stdout (`| head`) instead of panicking.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}
pub(crate) use say;

/// Where the deal book comes from: files, or the store (default book `ai`).
#[derive(Debug, Args, Clone)]
pub struct BookArgs {
    /// Deals CSV (payer → payee; see docs/network.md); default: the watchlist's [[deal]] tables, else the stored book.
    #[arg(long, value_name = "FILE", requires = "firms")]
    pub deals: Option<PathBuf>,
    /// Firms CSV (firm, name, listed, valuation_usd_bn, valuation_date, …), needed with --deals.
    #[arg(long, value_name = "FILE")]
    pub firms: Option<PathBuf>,
    /// Claims CSV (as network/ai_capex_claims.csv).
    #[arg(long, value_name = "FILE")]
    pub claims: Option<PathBuf>,
    /// Fundamentals CSV (firm, period, period_end, capex_usd_bn, revenue_usd_bn, …, source).
    #[arg(long, value_name = "FILE")]
    pub fundamentals: Option<PathBuf>,
    /// Deal book in the store.
    #[arg(long, value_name = "NAME", default_value = "ai")]
    pub book: String,
    /// See the network as it was known on this date (deals dated and known by then).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// Store revision of the book (default: the current one).
    #[arg(long, value_name = "N")]
    pub revision: Option<u32>,
}

impl BookArgs {
    /// The book, from files or the store, as of `--as-of` (from the store: each record's
    /// latest version known by then).
    pub fn load(&self, ctx: &Ctx) -> anyhow::Result<DealBook> {
        let watchlist_deals = match &ctx.config {
            Some(p) if self.deals.is_none() && !ctx.watchlist()?.deal.is_empty() => Some(p.clone()),
            _ => None,
        };
        let book = if let Some(d) = &self.deals {
            let Some(f) = &self.firms else { bail!("--deals needs --firms (every payer and payee must be a firm)") };
            deals::read_book_files(d, f)?
        } else if let Some(p) = watchlist_deals {
            // the watchlist's [[firm]] and [[deal]] tables
            let text = std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
            let (firms, deal_rows) = deals::read_toml_book(&p, &text)?;
            DealBook { deals: deal_rows, firms, ..Default::default() }
        } else {
            ctx.store()?.load_book(&self.book, self.revision, self.as_of)?.with_context(|| {
                format!(
                    "no deal book `{}` in the store; run `fissure ingest --demo` or `fissure network ingest --deals F --firms F`, or pass --deals and --firms",
                    self.book
                )
            })?
        };
        Ok(deals::overlay_files(book, self.claims.as_deref(), self.fundamentals.as_deref(), self.as_of)?)
    }
}

fn parse_unit(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is outside [0, 1]"))
    }
}

fn parse_hops(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(k) if (1..=10).contains(&k) => Ok(k),
        _ => Err(format!("`{s}`: expected an integer in [1, 10]")),
    }
}

fn parse_len(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(k) if k >= 2 => Ok(k),
        _ => Err(format!("`{s}`: expected an integer ≥ 2 (a cycle needs two firms)")),
    }
}

/// `FIRM=VALUE` with VALUE in [0, 1].
fn parse_shock(s: &str) -> Result<(String, f64), String> {
    let (f, v) = s.split_once('=').ok_or_else(|| format!("`{s}`: expected FIRM=LOSS (e.g. OPENAI=0.5)"))?;
    Ok((f.trim().to_string(), parse_unit(v.trim())?))
}

/// `FIRM=SIZE` with SIZE > 0 (USD bn).
fn parse_size(s: &str) -> Result<(String, f64), String> {
    let (f, v) = s.split_once('=').ok_or_else(|| format!("`{s}`: expected FIRM=USD_BN (e.g. CRWV=60)"))?;
    let x: f64 = v.trim().parse().map_err(|_| format!("`{v}` is not a number"))?;
    if x.is_finite() && x > 0.0 {
        Ok((f.trim().to_string(), x))
    } else {
        Err(format!("{x}: a size must be > 0"))
    }
}

/// `STATUS=WEIGHT` with WEIGHT in [0, 1].
fn parse_weight(s: &str) -> Result<(DealStatus, f64), String> {
    let (k, v) =
        s.split_once('=').ok_or_else(|| format!("`{s}`: expected STATUS=WEIGHT (e.g. letter_of_intent=0.1)"))?;
    Ok((k.trim().parse()?, parse_unit(v.trim())?))
}

#[derive(Debug, Subcommand)]
pub enum NetworkCmd {
    /// Store a deal book (deals + firms, optional claims and fundamentals) with revisions (all or nothing).
    #[command(
        after_help = "Examples:\n  fissure network ingest --deals deals.csv --firms firms.csv\n  fissure network ingest --toml my-watchlist.toml --book mine\n\nA changed amount or status is a new revision; `--as-of` sees each deal as it was known."
    )]
    Ingest(IngestArgs),
    /// Nodes, edges, SCCs, maximum circulation, cycles, round-trip revenue, concentration, commitments.
    #[command(
        after_help = "Examples:\n  fissure network summary\n  fissure network summary --as-of 2025-06-30 --json\n  fissure network summary --deals deals.csv --firms firms.csv --hops 2 --status-weight letter_of_intent=0\n\nJSON keys: nodes, edges, sccs, circulation {amount_usd_bn, share}, cycles [{nodes, bottleneck_usd_bn, total_usd_bn}], round_trip [{firm, inflow_usd_bn, round_trip_usd_bn, share}], concentration [{firm, hhi, top_payer, top_share}], commitments."
    )]
    Summary(SummaryArgs),
    /// Every elementary cycle (Johnson 1975), optionally bounded in length, streamed.
    #[command(
        after_help = "Examples:\n  fissure network cycles\n  fissure network cycles --max-len 3 --json\n\nJSON keys: count, cycles [{nodes, bottleneck_usd_bn, total_usd_bn, undisclosed_edges}]."
    )]
    Cycles(CyclesArgs),
    /// The graph at every quarter end: flows, circular share, cycles and the new cycles.
    Timeline(TimelineArgs),
    /// DebtRank (or linear DebtRank) of initial equity losses FIRM=LOSS.
    #[command(
        after_help = "Examples:\n  fissure network debtrank --shock OPENAI=1\n  fissure network debtrank --shock OPENAI=0.5 --linear --size CRWV=60\n  fissure network debtrank --exposures ex.csv --equity eq.csv --shock B1=0.2\n\n`--shock X=1-q`: X honours only q of its commitments. Generic inputs: lender,borrower,amount and firm,equity.\nJSON keys: debtrank, h (firm → relative equity loss), rounds, equity_loss_usd_bn, defaults, price_shocks."
    )]
    Debtrank(DebtRankArgs),
    /// Eisenberg–Noe clearing with Rogers–Veraart default costs.
    #[command(
        after_help = "Examples:\n  fissure network clearing --liabilities L.csv --external E.csv\n  fissure network clearing --liabilities L.csv --external E.csv --alpha 0.5 --beta 0.9 --senior-external\n\nliabilities: debtor,creditor,amount; external: firm,external_assets,external_liabilities.\nJSON keys: payments (firm → total payment), interbank_payments, equity, defaults, recovery, rounds."
    )]
    Clearing(ClearingArgs),
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[arg(long, value_name = "FILE", requires = "firms", required_unless_present = "toml")]
    pub deals: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    pub firms: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    pub claims: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    pub fundamentals: Option<PathBuf>,
    /// A TOML file with [[firm]] and [[deal]] tables (the same fields as the CSV columns).
    #[arg(long, value_name = "FILE", conflicts_with = "deals")]
    pub toml: Option<PathBuf>,
    #[arg(long, value_name = "NAME", default_value = "ai")]
    pub book: String,
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    #[command(flatten)]
    pub book: BookArgs,
    /// Round-trip search depth: a funding deal, then up to K−1 further flows (1 = direct), in [1, 10].
    #[arg(long, value_name = "K", default_value = "3", value_parser = parse_hops)]
    pub hops: usize,
    /// Longest cycle listed (firms, ≥ 2); default: all.
    #[arg(long, value_name = "K", value_parser = parse_len)]
    pub max_len: Option<usize>,
    /// Status weight STATUS=W in [0, 1] (repeatable); defaults: completed 1, committed 0.9, announced 0.6, reported 0.4, letter_of_intent 0.2.
    #[arg(long = "status-weight", value_name = "STATUS=W", value_parser = parse_weight)]
    pub status_weight: Vec<(DealStatus, f64)>,
}

#[derive(Debug, Args)]
pub struct CyclesArgs {
    #[command(flatten)]
    pub book: BookArgs,
    /// Only cycles of at most K firms (≥ 2); exact (no cycle is missed).
    #[arg(long, value_name = "K", value_parser = parse_len)]
    pub max_len: Option<usize>,
    /// List at most N cycles (all are counted).
    #[arg(long, value_name = "N", default_value = "10000")]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    pub book: BookArgs,
}

#[derive(Debug, Args)]
pub struct DebtRankArgs {
    #[command(flatten)]
    pub book: BookArgs,
    /// Initial relative equity loss FIRM=LOSS, LOSS in [0, 1] (repeatable).
    #[arg(long, value_name = "FIRM=LOSS", required = true, value_parser = parse_shock)]
    pub shock: Vec<(String, f64)>,
    /// Linear DebtRank (Bardoscia et al. 2015): no once-only rule.
    #[arg(long)]
    pub linear: bool,
    /// Generic exposures CSV `lender,borrower,amount` (instead of the deal book).
    #[arg(long, value_name = "FILE", requires = "equity", conflicts_with = "deals")]
    pub exposures: Option<PathBuf>,
    /// Generic equity CSV `firm,equity`.
    #[arg(long, value_name = "FILE", requires = "exposures")]
    pub equity: Option<PathBuf>,
    /// Size FIRM=USD_BN for a firm whose size is unknown (or to override it; repeatable).
    #[arg(long, value_name = "FIRM=USD_BN", value_parser = parse_size)]
    pub size: Vec<(String, f64)>,
}

#[derive(Debug, Args)]
pub struct ClearingArgs {
    /// Liabilities CSV `debtor,creditor,amount`.
    #[arg(long, value_name = "FILE")]
    pub liabilities: PathBuf,
    /// External CSV `firm,external_assets,external_liabilities` (every firm of the system).
    #[arg(long, value_name = "FILE")]
    pub external: PathBuf,
    /// Share of external assets realised in default (Rogers–Veraart α), in [0, 1].
    #[arg(long, value_name = "A", default_value = "1", value_parser = parse_unit)]
    pub alpha: f64,
    /// Share of interbank assets realised in default (β), in [0, 1].
    #[arg(long, value_name = "B", default_value = "1", value_parser = parse_unit)]
    pub beta: f64,
    /// External liabilities are paid before interbank ones (default: pari passu).
    #[arg(long)]
    pub senior_external: bool,
}

fn opt(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "n/a".into(), |v| format!("{v:.digits$}"))
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".into(), |v| format!("{:.1}%", v * 100.0))
}

pub fn run(ctx: &Ctx, cmd: &NetworkCmd) -> anyhow::Result<()> {
    match cmd {
        NetworkCmd::Ingest(a) => ingest(ctx, a),
        NetworkCmd::Summary(a) => summary(ctx, a),
        NetworkCmd::Cycles(a) => cycles(ctx, a),
        NetworkCmd::Timeline(a) => timeline_cmd(ctx, a),
        NetworkCmd::Debtrank(a) => debtrank(ctx, a),
        NetworkCmd::Clearing(a) => clearing(ctx, a),
    }
}

fn ingest(ctx: &Ctx, a: &IngestArgs) -> anyhow::Result<()> {
    let book = if let Some(t) = &a.toml {
        let text = std::fs::read_to_string(t).with_context(|| format!("reading {}", t.display()))?;
        let (firms, d) = deals::read_toml_book(t, &text)?;
        if d.is_empty() {
            bail!("{}: no [[deal]] tables", t.display());
        }
        DealBook { deals: d, firms, ..Default::default() }
    } else if let (Some(d), Some(f)) = (&a.deals, &a.firms) {
        deals::read_book_files(d, f)?
    } else {
        DealBook::default()
    };
    let book = deals::overlay_files(book, a.claims.as_deref(), a.fundamentals.as_deref(), None)?;
    let mut store = ctx.open_store_mut()?;
    let ch = store.ingest_book(&a.book, "network ingest", &book)?;
    if ctx.json {
        print_json(&ch)?;
    } else {
        say!(
            "deal book `{}`: revision {} ({} added, {} changed, {} unchanged)",
            ch.book,
            ch.revision,
            ch.added,
            ch.changed,
            ch.unchanged
        );
    }
    Ok(())
}

fn summary(ctx: &Ctx, a: &SummaryArgs) -> anyhow::Result<()> {
    let book = a.book.load(ctx)?;
    let mut weights = StatusWeights::default();
    for (s, w) in &a.status_weight {
        weights.set(*s, *w)?;
    }
    let p = SummaryParams { hops: a.hops, max_len: a.max_len, weights, ..Default::default() };
    let s = summarize(&book, &p)?;
    if ctx.json {
        return print_json(&s);
    }
    say!(
        "{} firms, {} edges, {} deals ({} undisclosed); strongly connected: {}",
        s.nodes,
        s.edges,
        s.deals,
        s.undisclosed_deals,
        if s.sccs.is_empty() {
            "none".to_string()
        } else {
            s.sccs.iter().map(|c| format!("{{{}}}", c.join(", "))).collect::<Vec<_>>().join(" ")
        }
    );
    say!(
        "maximum circulation: ${:.1}B of ${:.1}B disclosed flows = {}",
        s.circulation.amount_usd_bn,
        s.circulation.total_flows_usd_bn,
        pct(s.circulation.share)
    );
    say!("\ncycles: {}", s.cycle_count);
    let rows: Vec<Vec<String>> = s
        .cycles
        .iter()
        .map(|c| {
            vec![
                c.nodes.join(" → "),
                c.bottleneck_usd_bn.map_or("undisclosed".into(), |b| format!("{b:.2}")),
                format!("{:.2}", c.total_usd_bn),
                c.undisclosed_edges.to_string(),
            ]
        })
        .collect();
    print_table(&["cycle", "bottleneck $bn", "total $bn", "undisclosed edges"], &rows);
    say!("\nround-trip revenue (funding, then up to {} hops):", s.hops);
    let rows: Vec<Vec<String>> = s
        .round_trip
        .iter()
        .map(|r| {
            vec![
                r.firm.clone(),
                format!("{:.2}", r.inflow_usd_bn),
                format!("{:.2}", r.round_trip_usd_bn),
                pct(r.share),
                pct(r.weighted_share),
                r.undisclosed_inflows.to_string(),
                r.via.join(", "),
            ]
        })
        .collect();
    print_table(&["firm", "inflow $bn", "round trip $bn", "share", "weighted", "undisclosed", "via"], &rows);
    say!("\ncounterparty concentration of inflows:");
    let rows: Vec<Vec<String>> = s
        .concentration
        .iter()
        .map(|c| {
            vec![
                c.firm.clone(),
                format!("{:.2}", c.inflow_usd_bn),
                format!("{:.3}", c.hhi),
                c.top_payer.clone(),
                format!("{:.1}%", c.top_share * 100.0),
                c.undisclosed_inflows.to_string(),
            ]
        })
        .collect();
    print_table(&["firm", "inflow $bn", "hhi", "top payer", "top share", "undisclosed"], &rows);
    say!("\nopen commitments against size:");
    let rows: Vec<Vec<String>> = s
        .commitments
        .iter()
        .map(|c| {
            vec![
                c.firm.clone(),
                format!("{:.2}", c.commitments_usd_bn),
                c.undisclosed.to_string(),
                opt(c.valuation_usd_bn, 1),
                c.to_size.map_or("n/a (size unknown)".into(), |x| format!("{:.1}%", x * 100.0)),
            ]
        })
        .collect();
    print_table(&["payer", "commitments $bn", "undisclosed", "valuation $bn", "to size"], &rows);
    Ok(())
}

fn cycles(ctx: &Ctx, a: &CyclesArgs) -> anyhow::Result<()> {
    let book = a.book.load(ctx)?;
    let g = DealGraph::new(&book);
    let (search, list) = g.first_cycles(a.max_len, a.limit);
    if ctx.json {
        return print_json(&fissure_network::json::cycles(&search, a.max_len, &list));
    }
    say!("{} cycles{}", search.count, a.max_len.map_or(String::new(), |k| format!(" of at most {k} firms")));
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                c.nodes.join(" → "),
                c.bottleneck_usd_bn.map_or("undisclosed".into(), |b| format!("{b:.2}")),
                format!("{:.2}", c.total_usd_bn),
            ]
        })
        .collect();
    print_table(&["cycle", "bottleneck $bn", "total $bn"], &rows);
    Ok(())
}

fn timeline_cmd(ctx: &Ctx, a: &TimelineArgs) -> anyhow::Result<()> {
    let book = a.book.load(ctx)?;
    let until = a.book.as_of.or_else(|| book.deals.iter().map(|d| d.known_since).max()).context("no deals")?;
    let t = timeline(&book, until, None)?;
    if ctx.json {
        return print_json(&t);
    }
    let rows: Vec<Vec<String>> = t
        .iter()
        .map(|q| {
            vec![
                q.quarter.clone(),
                q.deals.to_string(),
                format!("{:.1}", q.new_flows_usd_bn),
                format!("{:.1}", q.total_flows_usd_bn),
                format!("{:.1}", q.circulation_usd_bn),
                pct(q.circular_share),
                q.cycles.to_string(),
                q.new_cycles.iter().map(|c| c.join("→")).collect::<Vec<_>>().join("; "),
            ]
        })
        .collect();
    print_table(
        &["quarter", "deals", "new $bn", "total $bn", "circulation $bn", "circular", "cycles", "new cycles"],
        &rows,
    );
    Ok(())
}

fn debtrank(ctx: &Ctx, a: &DebtRankArgs) -> anyhow::Result<()> {
    let sizes: BTreeMap<String, f64> = a.size.iter().cloned().collect();
    let (net, skipped) = match (&a.exposures, &a.equity) {
        (Some(x), Some(e)) => {
            let (links, eq) = deals::read_exposure_files(x, e)?;
            let mut net = ExposureNetwork::from_rows(&links, &eq)
                .with_context(|| format!("{} and {}", x.display(), e.display()))?;
            for (f, s) in &sizes {
                let i = net.index(f)?;
                net.equity[i] = Some(*s);
            }
            (net, 0)
        }
        _ => {
            let book = a.book.load(ctx)?;
            ExposureNetwork::from_deals(&book, &sizes)?
        }
    };
    let shocks: Vec<(usize, f64)> =
        a.shock.iter().map(|(f, l)| Ok((net.index(f)?, *l))).collect::<Result<_, fissure_network::NetworkError>>()?;
    let variant = if a.linear { DebtRankVariant::Linear } else { DebtRankVariant::Original };
    let r = stress::debt_rank(&net, &shocks, variant)?;
    let h: BTreeMap<&str, Option<f64>> = net.names.iter().map(String::as_str).zip(r.h.iter().copied()).collect();
    let unknown: Vec<&str> =
        net.names.iter().zip(&net.equity).filter(|(_, e)| e.is_none()).map(|(n, _)| n.as_str()).collect();
    let defaults: Vec<&str> = r.defaults.iter().map(|&i| net.names[i].as_str()).collect();
    if ctx.json {
        return print_json(&fissure_network::json::debtrank(&net, &r, &a.shock, skipped));
    }
    say!(
        "DebtRank ({}): {:.4} of the network's equity beyond the initial shock; {} rounds{}",
        if a.linear { "linear" } else { "original, once-only" },
        r.debtrank,
        r.rounds,
        if r.converged { "" } else { " (not converged)" }
    );
    say!(
        "equity value lost: ${:.1}B (of which the initial shock ${:.1}B); wiped out: {}",
        r.equity_loss_usd_bn,
        r.initial_loss_usd_bn,
        if defaults.is_empty() { "none".to_string() } else { defaults.join(", ") }
    );
    let mut rows: Vec<Vec<String>> = h
        .iter()
        .map(|(f, v)| vec![f.to_string(), v.map_or("n/a (size unknown)".into(), |x| format!("{x:.4}"))])
        .collect();
    rows.sort_by(|x, y| y[1].cmp(&x[1]));
    print_table(&["firm", "h (relative equity loss)"], &rows);
    if skipped > 0 {
        say!("note: {skipped} deals without a disclosed amount carry no exposure");
    }
    if !unknown.is_empty() {
        say!("note: size unknown (absorb no loss; give one with --size FIRM=USD_BN): {}", unknown.join(", "));
    }
    Ok(())
}

fn clearing(ctx: &Ctx, a: &ClearingArgs) -> anyhow::Result<()> {
    let (links, ext) = deals::read_clearing_files(&a.liabilities, &a.external)?;
    let sys = ClearingSystem::from_named(&links, &ext)
        .with_context(|| format!("{} and {}", a.liabilities.display(), a.external.display()))?;
    let p = ClearingParams { alpha: a.alpha, beta: a.beta, senior_external: a.senior_external };
    let c = stress::clearing(&sys, &p)?;
    let defaults: Vec<&str> = c.defaults.iter().map(|&i| sys.names[i].as_str()).collect();
    if ctx.json {
        return print_json(&fissure_network::json::clearing(&sys, &p, &c));
    }
    say!(
        "clearing (α = {}, β = {}, external liabilities {}): {} rounds, defaults: {}",
        a.alpha,
        a.beta,
        if a.senior_external { "senior" } else { "pari passu" },
        c.rounds,
        if defaults.is_empty() { "none".to_string() } else { defaults.join(", ") }
    );
    let rows: Vec<Vec<String>> = (0..sys.names.len())
        .map(|i| {
            vec![
                sys.names[i].clone(),
                format!("{:.4}", c.payments[i]),
                format!("{:.4}", c.interbank_payments[i]),
                format!("{:.4}", c.equity[i]),
                opt(c.recovery[i], 4),
            ]
        })
        .collect();
    print_table(&["firm", "payment", "interbank", "equity", "recovery"], &rows);
    Ok(())
}
