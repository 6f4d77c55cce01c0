//! `fissure serve`: the dashboard and the REST API over the store (crate `fissure-server`).
//!
//! The server knows no family: it gets an [`Engine`] that builds the report
//! exactly as `fissure report` does (same loading code, same `families()`).

use crate::cmd::report::{code_id, ingest_demo, load_inputs};
use crate::ctx::Ctx;
use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Parser};

use fissure_io::Store;
use fissure_report::Report;
use fissure_server::{Analysis, AnalysisError, Engine, ServerSettings};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  fissure serve                              dashboard at http://127.0.0.1:8750/\n  fissure --config watchlist.toml serve      alert rules, webhooks, schedule from its [server] section\n  fissure serve --bind 0.0.0.0:8750          every interface (set public_reads = false, put TLS in front)\n\nAPI: /api/v1 (documentation at /api/v1/docs, OpenAPI at /api/v1/openapi.json).\nWrites need a token: fissure token create --role write. Stop with Ctrl-C or SIGTERM."
)]
pub struct ServeArgs {
    /// Address and port to listen on (loopback by default).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8750")]
    pub bind: SocketAddr,
}

/// Builds reports for the server with the CLI's loading code and family list.
struct CliEngine {
    store_path: PathBuf,
    config: Option<PathBuf>,
    code_id: String,
}

impl CliEngine {
    fn build(&self, store: &Store, as_of: Option<NaiveDate>) -> anyhow::Result<Report> {
        let ctx = Ctx::new(Some(self.store_path.clone()), self.config.clone(), true);
        let watchlist = ctx.watchlist()?;
        let loaded = store.consistent_read(|s| load_inputs(s, &ctx, as_of))??;
        Ok(fissure_app::build_report(loaded, watchlist, store, self.code_id.clone(), &|_| {}))
    }
}

impl Engine for CliEngine {
    fn report(&self, store: &Store, as_of: Option<NaiveDate>) -> Result<Report, String> {
        self.build(store, as_of).map_err(|e| format!("{e:#}"))
    }

    /// Runs the CLI's own command (`fissure --json risk var --weights=…`) on this store and
    /// watchlist and returns the JSON it prints.
    fn analysis(&self, request: &Analysis) -> Result<Value, AnalysisError> {
        let argv = analysis_argv(request);
        let cli = crate::Cli::try_parse_from(&argv).map_err(clap_error)?;
        let ctx = Ctx::new(Some(self.store_path.clone()), self.config.clone(), true);
        let out = crate::output::capture_json(|| match &cli.command {
            crate::Command::Risk(c) => crate::cmd::risk::run(&ctx, c),
            crate::Command::Network(c) => crate::cmd::network::run(&ctx, c),
            _ => anyhow::bail!("not an analysis command"),
        })
        .map_err(|e| classify(request, &e))?;
        out.ok_or_else(|| AnalysisError::Internal(format!("`{}` printed no JSON", argv[2..].join(" "))))
    }
}

/// The command line of an analysis request: `--flag=value` only (a value can never be read as a
/// flag), and only the options the API offers (no file paths).
pub(crate) fn analysis_argv(request: &Analysis) -> Vec<String> {
    fn opt<T: std::fmt::Display>(v: &mut Vec<String>, flag: &str, x: Option<T>) {
        if let Some(x) = x {
            v.push(format!("--{flag}={x}"));
        }
    }
    fn switch(v: &mut Vec<String>, flag: &str, on: Option<bool>) {
        if on == Some(true) {
            v.push(format!("--{flag}"));
        }
    }
    fn pairs(m: &std::collections::BTreeMap<String, f64>) -> String {
        m.iter().map(|(k, x)| format!("{k}={x}")).collect::<Vec<_>>().join(",")
    }
    let mut v: Vec<String> = vec!["fissure".into(), "--json".into()];
    match request {
        Analysis::RiskVar(r) => {
            v.extend(["risk".into(), "var".into(), format!("--weights={}", pairs(&r.weights))]);
            opt(&mut v, "cash", r.cash);
            switch(&mut v, "normalise", r.normalise);
            opt(&mut v, "as-of", r.as_of);
            opt(&mut v, "level", r.level);
            opt(&mut v, "horizon", r.horizon);
            opt(&mut v, "method", r.method.map(|m| m.as_str()));
            opt(&mut v, "lookback", r.lookback);
            opt(&mut v, "evt-tail", r.evt_tail);
            opt(&mut v, "sims", r.sims);
            opt(&mut v, "corr", r.corr.map(|c| c.as_str()));
            opt(&mut v, "seed", r.seed);
        }
        Analysis::RiskScenarios(r) => {
            v.extend(["risk".into(), "scenarios".into(), format!("--weights={}", pairs(&r.weights))]);
            opt(&mut v, "cash", r.cash);
            switch(&mut v, "normalise", r.normalise);
            opt(&mut v, "as-of", r.as_of);
            for s in r.scenarios.iter().flatten() {
                v.push(format!("--scenario={s}"));
            }
            switch(&mut v, "no-cocrash", r.no_cocrash);
            switch(&mut v, "paths", r.paths);
        }
        Analysis::NetworkSummary(q) => {
            v.extend(["network".into(), "summary".into()]);
            opt(&mut v, "book", q.book.as_deref());
            opt(&mut v, "as-of", q.as_of);
            opt(&mut v, "revision", q.revision);
            opt(&mut v, "hops", q.hops);
            opt(&mut v, "max-len", q.max_len);
        }
        Analysis::NetworkDebtRank(r) => {
            v.extend(["network".into(), "debtrank".into()]);
            for (firm, loss) in &r.shocks {
                v.push(format!("--shock={firm}={loss}"));
            }
            switch(&mut v, "linear", r.linear);
            for (firm, size) in r.sizes.iter().flatten() {
                v.push(format!("--size={firm}={size}"));
            }
            opt(&mut v, "book", r.book.as_deref());
            opt(&mut v, "as-of", r.as_of);
            opt(&mut v, "revision", r.revision);
        }
    }
    v
}

/// A refused command line names the option as the request field (`--evt-tail` → `evt_tail`).
fn clap_error(e: clap::Error) -> AnalysisError {
    use clap::error::{ContextKind, ContextValue};
    let field = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(a)) => {
            a.trim_start_matches('-').split([' ', '=']).next().unwrap_or_default().replace('-', "_")
        }
        _ => "request".into(),
    };
    let detail = e.render().to_string();
    let detail = detail.lines().next().unwrap_or_default().trim_start_matches("error: ").to_string();
    AnalysisError::Invalid { field, detail }
}

/// The error of an analysis: an id the request names that the data lacks → `UnknownId`;
/// a store that cannot be read → `Internal`; any other refusal of the input → `Refused`.
fn classify(request: &Analysis, e: &anyhow::Error) -> AnalysisError {
    use fissure_io::StoreError;
    let detail = format!("{e:#}");
    for c in e.chain() {
        if let Some(fissure_risk::RiskError::UnknownAsset(id)) = c.downcast_ref() {
            let named = match request {
                Analysis::RiskVar(r) => r.weights.contains_key(id),
                Analysis::RiskScenarios(r) => r.weights.contains_key(id),
                _ => false,
            };
            if named {
                return AnalysisError::UnknownId { field: format!("weights.{id}"), detail };
            }
        }
        if let Some(fissure_network::NetworkError::UnknownFirm { firm, .. }) = c.downcast_ref() {
            if let Analysis::NetworkDebtRank(r) = request {
                let field = if r.shocks.contains_key(firm) { "shocks" } else { "sizes" };
                return AnalysisError::UnknownId { field: format!("{field}.{firm}"), detail };
            }
        }
        if let Some(s) = c.downcast_ref::<StoreError>() {
            return match s {
                StoreError::SeriesNotFound { .. }
                | StoreError::RevisionNotFound { .. }
                | StoreError::SectionNotFound { .. } => AnalysisError::Refused(detail),
                _ => AnalysisError::Internal(detail),
            };
        }
        if c.downcast_ref::<std::io::Error>().is_some() {
            return AnalysisError::Internal(detail);
        }
    }
    AnalysisError::Refused(detail)
}

pub fn run(ctx: &Ctx, args: &ServeArgs) -> anyhow::Result<()> {
    let watchlist = ctx.watchlist()?;
    let settings = ServerSettings::from_table(watchlist.server.as_ref())
        .with_context(|| format!("reading the watchlist {}", watchlist.origin.display()))?;
    {
        let mut store = ctx.open_store_mut()?;
        if store.list()?.is_empty() {
            eprintln!("The store is empty: ingesting the bundled demo data first.");
            ingest_demo(&mut store)?;
        }
    }
    if !args.bind.ip().is_loopback() {
        eprintln!(
            "warning: listening on {}, reachable from other machines{}; put a TLS proxy in front",
            args.bind,
            if settings.public_reads { " with public reads (set [server] public_reads = false)" } else { "" }
        );
    }
    fissure_server::init_logging();
    let engine =
        Arc::new(CliEngine { store_path: ctx.store_path.clone(), config: ctx.config.clone(), code_id: code_id() });
    fissure_server::serve(engine, ctx.store_path.clone(), settings, args.bind, |addr| {
        println!("fissure serve: dashboard at http://{addr}/  API docs at http://{addr}/api/v1/docs  (Ctrl-C stops)");
    })?;
    Ok(())
}
