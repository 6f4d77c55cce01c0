//! What every command needs: the store, the watchlist, the output mode.

use anyhow::Context;
use fissure_io::{Store, Watchlist};
use std::cell::OnceCell;
use std::path::PathBuf;

pub struct Ctx {
    pub store_path: PathBuf,
    pub config: Option<PathBuf>,
    /// `--json`: machine-readable output on stdout.
    pub json: bool,
    store: OnceCell<Store>,
    watchlist: OnceCell<Watchlist>,
}

impl Ctx {
    pub fn new(store: Option<PathBuf>, config: Option<PathBuf>, json: bool) -> Ctx {
        Ctx {
            store_path: store.unwrap_or_else(fissure_io::default_store_path),
            config,
            json,
            store: OnceCell::new(),
            watchlist: OnceCell::new(),
        }
    }

    /// The store, opened READ-ONLY on first use: read commands (`list`, `show`, `export`,
    /// the analysis commands) never create, migrate or write a store. A missing path says
    /// "no store at PATH"; a file that is not a Fissure store says so.
    pub fn store(&self) -> anyhow::Result<&Store> {
        if let Some(s) = self.store.get() {
            return Ok(s);
        }
        let s = Store::open_read_only(&self.store_path)?;
        Ok(self.store.get_or_init(|| s))
    }

    /// A separate, writable handle on the store (ingestion, the report's cache): creates
    /// and migrates the store; refuses a file that is not a Fissure store.
    pub fn open_store_mut(&self) -> anyhow::Result<Store> {
        Store::open(&self.store_path).with_context(|| format!("opening the store {}", self.store_path.display()))
    }

    /// The watchlist: `--config FILE` or the embedded default.
    pub fn watchlist(&self) -> anyhow::Result<&Watchlist> {
        if let Some(w) = self.watchlist.get() {
            return Ok(w);
        }
        let w = match &self.config {
            Some(p) => Watchlist::from_file(p)?,
            None => Watchlist::embedded(),
        };
        Ok(self.watchlist.get_or_init(|| w))
    }
}
