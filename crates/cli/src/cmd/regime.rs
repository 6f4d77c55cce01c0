//! `fissure regime markov`: Markov-switching regressions and autoregressions (Hamilton 1989).

use crate::ctx::Ctx;
use crate::input::SeriesInput;
use crate::output::{print_json, print_table};
use crate::params;
use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use fissure_liquidity::markov::{markov_json, observations, FitOptions, MarkovSwitching, MsReturns, MsSpec};

#[derive(Debug, Subcommand)]
pub enum RegimeCmd {
    /// Fit a k-regime Markov-switching model (switching mean, optional AR(p) and switching variance) by EM + BFGS;
    /// filtered and smoothed regime probabilities, expected durations, standard errors.
    #[command(
        after_help = "Examples:\n  fissure regime markov FEDFUNDS\n  fissure regime markov SPX --weekly --returns log --scale 100 --switching-variance\n  fissure regime markov --file rgnp.csv --order 4 --json"
    )]
    Markov(MarkovArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReturnsArg {
    Log,
    Simple,
}

#[derive(Debug, Args)]
pub struct MarkovArgs {
    #[command(flatten)]
    input: SeriesInput,
    /// Number of regimes [range: 2..=5].
    #[arg(long, default_value_t = 2, value_parser = params::int::<2, 5>)]
    k: usize,
    /// Autoregressive order (statsmodels' MarkovAutoregression; conditions on the first P observations)
    /// [range: 0..=8; the filter tracks k^(order+1) joint states, at most 1024].
    #[arg(long, default_value_t = 0, value_parser = params::int::<0, 8>)]
    order: usize,
    /// Let the variance switch with the regime.
    #[arg(long)]
    switching_variance: bool,
    /// Let the AR coefficients switch with the regime.
    #[arg(long)]
    switching_ar: bool,
    /// Model the returns of a price series instead of the series itself.
    #[arg(long, value_enum)]
    returns: Option<ReturnsArg>,
    /// Multiply the modelled values (e.g. 100 for percent returns) [range: > 0].
    #[arg(long, default_value_t = 1.0, value_parser = params::positive)]
    scale: f64,
    /// Resample to weekly (Friday) closes first.
    #[arg(long)]
    weekly: bool,
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<NaiveDate>,
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: Option<NaiveDate>,
    /// Random starts besides the deterministic one [range: 0..=100].
    #[arg(long, default_value_t = 3, value_parser = params::int::<0, 100>)]
    starts: usize,
    /// Seed of the random starts.
    #[arg(long, default_value_t = 20_240_805)]
    seed: u64,
    /// Rows of probabilities to print (table mode) [range: 0..=100000].
    #[arg(long, default_value_t = 10, value_parser = params::int::<0, 100_000>)]
    tail: usize,
}

fn markov(ctx: &Ctx, a: &MarkovArgs) -> anyhow::Result<()> {
    let raw = ctx.load_series_from(&a.input, a.from)?.slice(a.from, a.to);
    let returns = a.returns.map(|r| match r {
        ReturnsArg::Log => MsReturns::Log,
        ReturnsArg::Simple => MsReturns::Simple,
    });
    let (s, y) =
        observations(&raw, a.weekly, returns, a.scale).with_context(|| format!("observations of {}", raw.id()))?;
    let spec = MsSpec::switching_intercept(a.k, a.order, a.switching_ar, a.switching_variance);
    let m = MarkovSwitching::with_constant(&y, spec.clone()).with_context(|| format!("model of {}", s.id()))?;
    let pb = crate::cmd::busy(ctx, "Markov-switching fit");
    let fit = m
        .fit(&FitOptions { random_starts: a.starts, seed: a.seed, ..Default::default() })
        .with_context(|| format!("fitting {}", s.id()));
    pb.finish_and_clear();
    let fit = fit?;
    if ctx.json {
        return print_json(&markov_json(&s, m.nobs(), &spec, returns, a.scale, &fit));
    }
    let dates = s.dates().get(a.order..).unwrap_or_default();
    println!(
        "Markov switching on {} ({} obs, k = {}, AR({}), {} variance): log-likelihood {:.5}, AIC {:.2}{}",
        s.id(),
        m.nobs(),
        a.k,
        a.order,
        if a.switching_variance { "switching" } else { "common" },
        fit.loglik,
        fit.aic,
        if fit.converged { "" } else { " (BFGS did not converge; EM result)" }
    );
    let rows: Vec<Vec<String>> = fit
        .param_names
        .iter()
        .zip(fit.params.iter().zip(&fit.std_errors))
        .map(|(n, (v, e))| vec![n.clone(), crate::cmd::bubble::num_or_na(*v, 6), crate::cmd::bubble::num_or_na(*e, 6)])
        .collect();
    print_table(&["parameter", "estimate", "std. error"], &rows);
    println!(
        "Expected durations: {}",
        fit.expected_durations
            .iter()
            .enumerate()
            .map(|(i, d)| format!("regime {i} {}", crate::cmd::bubble::num_or_na(*d, 2)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let n = dates.len();
    let mut headers = vec!["date".to_string()];
    for r in 0..a.k {
        headers.push(format!("filtered P{r}"));
        headers.push(format!("smoothed P{r}"));
    }
    let rows: Vec<Vec<String>> = (n.saturating_sub(a.tail)..n)
        .map(|i| {
            let mut row = vec![dates[i].to_string()];
            for r in 0..a.k {
                row.push(crate::cmd::bubble::num_or_na(fit.filtered[i][r], 4));
                row.push(crate::cmd::bubble::num_or_na(fit.smoothed[i][r], 4));
            }
            row
        })
        .collect();
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    print_table(&h, &rows);
    Ok(())
}

pub fn run(ctx: &Ctx, cmd: &RegimeCmd) -> anyhow::Result<()> {
    match cmd {
        RegimeCmd::Markov(a) => markov(ctx, a),
    }
}
