//! `fissure capex`: the capex–revenue gap — intensity from a fundamentals table,
//! required revenue with its sensitivity and break-even assumptions, and the check
//! of the commentaries' claims.

use crate::cmd::network::{say, BookArgs};
use crate::ctx::Ctx;
use crate::output::{print_json, print_table};
use anyhow::Context;
use clap::{Args, Subcommand};
use fissure_core::CrossSection;
use fissure_network::capex::{self, Method};
use fissure_network::claims::{check_claims, Verdict};

#[derive(Debug, Subcommand)]
pub enum CapexCmd {
    /// Capex intensity (capex / revenue, capex / operating cash flow) and FCF after capex, by firm and period.
    #[command(
        after_help = "Examples:\n  fissure capex gap --fundamentals my-fundamentals.csv\n\nThe bundle has no audited financial statements: supply a fundamentals file (firm, period, period_end, capex_usd_bn, revenue_usd_bn, operating_cash_flow_usd_bn, free_cash_flow_usd_bn, ai_revenue_usd_bn, published, source)."
    )]
    Gap(GapArgs),
    /// The annual revenue at which capex C earns hurdle r over life n at margin m.
    #[command(
        name = "required-revenue",
        after_help = "Examples:\n  fissure capex required-revenue --capex 660 --hurdle 0.10 --life 5 --margin 0.5\n  fissure capex required-revenue --capex 4000 --hurdle 0.1 --life 6 --margin 0.4 --method straight-line\n  fissure capex required-revenue --capex 660 --hurdle 0.1 --life 5 --margin 0.5 --revenue 650 --json\n\nstraight-line: C·(1/n + r)/m; annuity: C·r/(1−(1+r)^−n)/m. JSON key: required_revenue_usd_bn."
    )]
    RequiredRevenue(RequiredArgs),
    /// Every claim of the claims table with what the data or the arithmetic says.
    #[command(
        after_help = "Examples:\n  fissure capex claims\n  fissure capex claims --claims ai_capex_claims.csv --fundamentals my-fundamentals.csv --json"
    )]
    Claims(ClaimsArgs),
}

#[derive(Debug, Args)]
pub struct GapArgs {
    #[command(flatten)]
    pub book: BookArgs,
}

fn positive(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(format!("{v}: expected a positive amount"))
    }
}

fn hurdle(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v}: expected a rate in [0, 1] (0.1 = 10%)"))
    }
}

fn life(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (1.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v}: expected 1 to 100 years"))
    }
}

fn margin(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if v > 0.0 && v <= 1.0 {
        Ok(v)
    } else {
        Err(format!("{v}: expected a margin in (0, 1] (0.5 = 50%)"))
    }
}

#[derive(Debug, Args)]
pub struct RequiredArgs {
    /// Capex C, USD bn (> 0).
    #[arg(long, value_name = "C", value_parser = positive)]
    pub capex: f64,
    /// Hurdle return r per year, in [0, 1].
    #[arg(long, value_name = "R", value_parser = hurdle)]
    pub hurdle: f64,
    /// Useful life n, years, in [1, 100].
    #[arg(long, value_name = "N", value_parser = life)]
    pub life: f64,
    /// Operating margin m on the revenue, in (0, 1].
    #[arg(long, value_name = "M", value_parser = margin)]
    pub margin: f64,
    /// straight-line or annuity.
    #[arg(long, value_name = "METHOD", default_value = "annuity")]
    pub method: Method,
    /// A stated revenue figure (USD bn a year): show the margins and lives under which it holds.
    #[arg(long, value_name = "R", value_parser = positive)]
    pub revenue: Option<f64>,
}

#[derive(Debug, Args)]
pub struct ClaimsArgs {
    #[command(flatten)]
    pub book: BookArgs,
}

pub fn run(ctx: &Ctx, cmd: &CapexCmd) -> anyhow::Result<()> {
    match cmd {
        CapexCmd::Gap(a) => gap(ctx, a),
        CapexCmd::RequiredRevenue(a) => required(ctx, a),
        CapexCmd::Claims(a) => claims(ctx, a),
    }
}

fn gap(ctx: &Ctx, a: &GapArgs) -> anyhow::Result<()> {
    let book = a.book.load(ctx)?;
    let rows = capex::intensity(&book.fundamentals);
    let note = rows.is_empty().then_some(fissure_network::json::NO_FUNDAMENTALS);
    if ctx.json {
        return print_json(&fissure_network::json::capex_gap(&rows));
    }
    if let Some(n) = note {
        say!("{n}");
        return Ok(());
    }
    let f = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{v:.2}"));
    let p = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{:.1}%", v * 100.0));
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.firm.clone(),
                r.period.clone(),
                f(r.capex_usd_bn),
                f(r.revenue_usd_bn),
                p(r.capex_to_revenue),
                p(r.capex_to_ocf),
                f(r.fcf_after_capex_usd_bn),
                f(r.fcf_reported_usd_bn),
                p(r.ai_revenue_to_capex),
            ]
        })
        .collect();
    print_table(
        &[
            "firm",
            "period",
            "capex $bn",
            "revenue $bn",
            "capex/rev",
            "capex/OCF",
            "OCF−capex $bn",
            "FCF rep. $bn",
            "AI rev/capex",
        ],
        &table,
    );
    Ok(())
}

fn required(ctx: &Ctx, a: &RequiredArgs) -> anyhow::Result<()> {
    let r = capex::required_revenue(a.capex, a.hurdle, a.life, a.margin, a.method)?;
    let other = match a.method {
        Method::Annuity => Method::StraightLine,
        Method::StraightLine => Method::Annuity,
    };
    let r_other = capex::required_revenue(a.capex, a.hurdle, a.life, a.margin, other)?;
    let sens = capex::sensitivity(a.capex, &capex::HURDLES, &capex::LIVES, &capex::MARGINS)?;
    let be = match a.revenue {
        Some(rev) => Some((
            capex::break_even(a.capex, rev, &capex::HURDLES, &capex::LIVES)?,
            capex::implied_life(a.capex, rev, a.hurdle, a.margin),
        )),
        None => None,
    };
    if ctx.json {
        return print_json(&fissure_network::json::required_revenue(
            a.capex, a.hurdle, a.life, a.margin, a.method, a.revenue,
        )?);
    }
    say!(
        "required revenue: ${r:.1}B a year ({}: capex ${}B, hurdle {:.1}%, life {} years, margin {:.0}%); {}: ${r_other:.1}B",
        match a.method {
            Method::Annuity => "annuity",
            Method::StraightLine => "straight-line",
        },
        a.capex,
        a.hurdle * 100.0,
        a.life,
        a.margin * 100.0,
        match other {
            Method::Annuity => "annuity",
            Method::StraightLine => "straight-line",
        }
    );
    say!("\nsensitivity (annuity, USD bn a year):");
    let mut rows = Vec::new();
    for &h in &capex::HURDLES {
        for &n in &capex::LIVES {
            let mut row = vec![format!("{:.0}%", h * 100.0), format!("{n:.0}")];
            for s in sens.iter().filter(|s| s.hurdle == h && s.life_years == n) {
                row.push(format!("{:.0}", s.annuity_usd_bn));
            }
            rows.push(row);
        }
    }
    let heads: Vec<String> = capex::MARGINS.iter().map(|m| format!("m={:.0}%", m * 100.0)).collect();
    let mut h: Vec<&str> = vec!["hurdle", "life"];
    h.extend(heads.iter().map(String::as_str));
    print_table(&h, &rows);
    if let (Some((b, n)), Some(rev)) = (be, a.revenue) {
        say!("\nbreak-even: ${rev}B a year on ${}B of capex holds at these margins:", a.capex);
        let rows: Vec<Vec<String>> = b
            .iter()
            .map(|x| {
                vec![
                    format!("{:.0}%", x.hurdle * 100.0),
                    format!("{:.0}", x.life_years),
                    format!("{:.1}%", x.implied_margin_annuity * 100.0),
                    format!("{:.1}%", x.implied_margin_straight_line * 100.0),
                ]
            })
            .collect();
        print_table(&["hurdle", "life", "margin (annuity)", "margin (straight-line)"], &rows);
        say!(
            "at hurdle {:.1}% and margin {:.0}% it needs a useful life of {}",
            a.hurdle * 100.0,
            a.margin * 100.0,
            n.map_or("more than any (even a perpetuity falls short)".to_string(), |n| format!("{n:.1} years"))
        );
    }
    Ok(())
}

fn claims(ctx: &Ctx, a: &ClaimsArgs) -> anyhow::Result<()> {
    let book = a.book.load(ctx)?;
    if book.claims.is_empty() {
        anyhow::bail!("no claims: the book has none; pass --claims FILE");
    }
    // the S&P 500 market-cap snapshots, when stored, check the Magnificent 7 share
    let caps: Vec<CrossSection> = match ctx.store() {
        Ok(s) if s.list_sections().map(|l| l.iter().any(|x| x.id == "SP500_MCAP")).unwrap_or(false) => {
            s.load_sections("SP500_MCAP", "market_cap_usd_bn").context("loading the S&P 500 market-cap snapshots")?
        }
        _ => vec![],
    };
    let checks = check_claims(&book.claims, &book.fundamentals, &book.firms, &caps);
    let count = |v: Verdict| checks.iter().filter(|c| c.verdict == v).count();
    if ctx.json {
        return print_json(&fissure_network::json::capex_claims(&checks));
    }
    for c in &checks {
        say!(
            "{}  {}  {} {} = {}  → {}\n    {}\n    why: {}\n",
            c.claim_id,
            c.subject,
            c.metric,
            c.period,
            c.value.map_or("—".into(), |v| format!("{v} {}", c.unit)),
            c.verdict.as_str(),
            c.claim,
            c.reason.en
        );
    }
    say!(
        "{} consistent, {} inconsistent, {} not checkable here (the bundle has no audited financial statements)",
        count(Verdict::Consistent),
        count(Verdict::Inconsistent),
        count(Verdict::NotCheckable)
    );
    Ok(())
}
