//! `fissure serve`: the dashboard and the REST API over the store (crate `fissure-server`).
//!
//! The server knows no family: it gets an [`Engine`] that builds the report
//! exactly as `fissure report` does (same loading code, same `families()`).

use crate::cmd::report::{code_id, ingest_demo, load_inputs};
use crate::ctx::Ctx;
use anyhow::Context;
use chrono::NaiveDate;
use clap::Args;

use fissure_io::Store;
use fissure_report::Report;
use fissure_server::{Engine, ServerSettings};
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
