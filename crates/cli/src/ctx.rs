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
    /// Roles the watchlist's loading mapped to a standard code, as sentences.
    role_notes: OnceCell<Vec<String>>,
}

impl Ctx {
    pub fn new(store: Option<PathBuf>, config: Option<PathBuf>, json: bool) -> Ctx {
        Ctx {
            store_path: store.unwrap_or_else(fissure_io::default_store_path),
            config,
            json,
            store: OnceCell::new(),
            watchlist: OnceCell::new(),
            role_notes: OnceCell::new(),
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

    /// The watchlist: `--config FILE` or the embedded default (every problem of the file
    /// listed at once). Its roles are resolved against the store when there is one: a role
    /// whose id is not stored is played by its standard code if that is stored (`DGS10` for
    /// `us10y`), said on stderr; roles are never dropped here (the report lists unknown ids).
    pub fn watchlist(&self) -> anyhow::Result<&Watchlist> {
        if let Some(w) = self.watchlist.get() {
            return Ok(w);
        }
        let mut w = match &self.config {
            Some(p) => Watchlist::from_file(p)?,
            None => Watchlist::embedded(),
        };
        let mut notes = Vec::new();
        if let Some(ids) = self.store().ok().and_then(|s| crate::input::stored_ids(s).ok()) {
            let resolved = w.resolve_roles(&|id: &str| ids.contains(id));
            notes.extend(resolved.notes.into_iter().filter(|n| n.contains("using `")));
            for (role, id) in resolved.roles {
                if w.roles.get(&role) != Some(&id) {
                    w.roles.insert(role, id);
                }
            }
            for n in &notes {
                eprintln!("note: {n}");
            }
        }
        let _ = self.role_notes.set(notes);
        Ok(self.watchlist.get_or_init(|| w))
    }

    /// The roles that loading the watchlist mapped to a standard code (empty before
    /// [`Ctx::watchlist`] or without a store).
    pub fn role_notes(&self) -> &[String] {
        self.role_notes.get().map_or(&[], Vec::as_slice)
    }
}
