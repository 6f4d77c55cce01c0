//! The embedded store: one SQLite file holding every series with its full revision
//! history, dated cross-sections (market-cap snapshots), and a result cache.
//!
//! Revisions are stored as validity intervals: each observation row carries the
//! revision that introduced it (`rev_from`) and the one that replaced it
//! (`rev_to`, NULL while current). Revision `r` of a series is the set of rows with
//! `rev_from <= r < rev_to`. Re-ingesting identical data writes nothing; changed or
//! new dates open a new revision; values are never overwritten or deleted, and dates
//! missing from a later file are kept (ingestion merges, it never loses data).
//!
//! Concurrency: WAL journal, a busy timeout, and every ingest in one
//! `BEGIN IMMEDIATE` transaction, so concurrent writers serialise and each one's
//! comparison sees the other's committed data.

use chrono::NaiveDate;
use fissure_core::{AssetClass, CrossSection, CrossSectionRow, Frequency, Ohlcv, Series, SeriesMeta};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Schema migrations, applied in order; the schema version is their count.
const MIGRATIONS: &[&str] = &[
    // 1: series, revisions, observations, cross-sections
    "CREATE TABLE series (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        asset_class TEXT NOT NULL,
        unit TEXT NOT NULL,
        frequency TEXT NOT NULL,
        source TEXT NOT NULL,
        current_revision INTEGER NOT NULL
     );
     CREATE TABLE ingests (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        label TEXT NOT NULL
     );
     CREATE TABLE revisions (
        series_id TEXT NOT NULL REFERENCES series(id),
        revision INTEGER NOT NULL,
        ingest_id INTEGER NOT NULL REFERENCES ingests(id),
        added INTEGER NOT NULL,
        changed INTEGER NOT NULL,
        PRIMARY KEY (series_id, revision)
     );
     CREATE TABLE observations (
        series_id TEXT NOT NULL,
        date TEXT NOT NULL,
        rev_from INTEGER NOT NULL,
        rev_to INTEGER,
        value REAL NOT NULL,
        open REAL, high REAL, low REAL, volume REAL,
        PRIMARY KEY (series_id, date, rev_from)
     ) WITHOUT ROWID;
     CREATE INDEX observations_current ON observations(series_id, rev_to, date);
     CREATE TABLE sections (
        id TEXT NOT NULL,
        field TEXT NOT NULL,
        current_revision INTEGER NOT NULL,
        PRIMARY KEY (id, field)
     );
     CREATE TABLE section_rows (
        section_id TEXT NOT NULL,
        field TEXT NOT NULL,
        date TEXT NOT NULL,
        symbol TEXT NOT NULL,
        rev_from INTEGER NOT NULL,
        rev_to INTEGER,
        name TEXT,
        value REAL NOT NULL,
        PRIMARY KEY (section_id, field, date, symbol, rev_from)
     ) WITHOUT ROWID;",
    // 2: cache of heavy intermediate results, keyed by data fingerprint and parameters
    "CREATE TABLE cache (
        key TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        value BLOB NOT NULL
     );",
    // 3: metadata revisions (name, class, unit, frequency, source as of each change);
    //    existing series get their current metadata as revision 1
    "CREATE TABLE meta_revisions (
        series_id TEXT NOT NULL REFERENCES series(id),
        revision INTEGER NOT NULL,
        ingest_id INTEGER REFERENCES ingests(id),
        name TEXT NOT NULL,
        asset_class TEXT NOT NULL,
        unit TEXT NOT NULL,
        frequency TEXT NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (series_id, revision)
     );
     INSERT INTO meta_revisions (series_id, revision, ingest_id, name, asset_class, unit, frequency, source)
       SELECT s.id, 1,
              (SELECT r.ingest_id FROM revisions r WHERE r.series_id = s.id ORDER BY r.revision LIMIT 1),
              s.name, s.asset_class, s.unit, s.frequency, s.source
       FROM series s;",
    // 4: API tokens of `fissure serve`, stored hashed (see `tokens.rs`)
    crate::tokens::MIGRATION,
    // 5: deal books (deals, firms, fundamentals, claims) with revisions; see deals.rs
    "CREATE TABLE deal_books (
        book TEXT PRIMARY KEY,
        current_revision INTEGER NOT NULL
     );
     CREATE TABLE deal_book_revisions (
        book TEXT NOT NULL REFERENCES deal_books(book),
        revision INTEGER NOT NULL,
        ingest_id INTEGER NOT NULL REFERENCES ingests(id),
        added INTEGER NOT NULL,
        changed INTEGER NOT NULL,
        PRIMARY KEY (book, revision)
     );
     CREATE TABLE deal_records (
        book TEXT NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        rev_from INTEGER NOT NULL,
        rev_to INTEGER,
        known_since TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (book, kind, key, rev_from)
     ) WITHOUT ROWID;",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Errors of the store. Every variant names the store file or the series.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {path}: {source}")]
    Sqlite { path: PathBuf, source: rusqlite::Error },
    #[error("store {path}: cannot create its directory: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("store {path}: schema version {found} is newer than this fissure supports ({supported}); upgrade fissure")]
    SchemaTooNew { path: PathBuf, found: u32, supported: u32 },
    #[error("no series `{id}` in the store (see `fissure list`)")]
    SeriesNotFound { id: String },
    #[error("series `{id}` has no revision {revision} (latest is {latest})")]
    RevisionNotFound { id: String, revision: u32, latest: u32 },
    #[error("no cross-section `{id}` in the store")]
    SectionNotFound { id: String },
    #[error("series id `{id}` is given twice in one ingest ({first} and {second})")]
    DuplicateInBatch { id: String, first: String, second: String },
    #[error("store {path}: stored data is invalid for `{id}`: {why}")]
    Corrupt { path: PathBuf, id: String, why: String },
    #[error("no store at {path}; create one with `fissure ingest` (or give the right --store / FISSURE_STORE)")]
    NoStore { path: PathBuf },
    #[error("{path} is not a Fissure store ({why}); it was left unchanged")]
    NotAStore { path: PathBuf, why: String },
    #[error("{origin}: invalid series id \"{id}\": {why} (choose one with --id)")]
    InvalidId { id: String, why: String, origin: String },
}

type Result<T> = std::result::Result<T, StoreError>;

/// One series to ingest, with the file it came from (for messages).
#[derive(Debug, Clone)]
pub struct IngestItem {
    pub series: Series,
    pub origin: String,
}

/// Which metadata fields of an ingested series were stated explicitly (a flag, the demo
/// catalog), as opposed to defaults a reader filled in (name = id, class `unknown`, the
/// inferred frequency, the file name as source). On an existing series only stated fields
/// can change the stored metadata, and each change is a new metadata revision; a field
/// left to its default keeps the stored value. (An inferred frequency replaces a stored
/// `irregular` one, since it was itself only inferred.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Declared {
    pub name: bool,
    pub asset_class: bool,
    pub unit: bool,
    pub frequency: bool,
    pub source: bool,
}

impl Declared {
    /// Every field stated (catalog entries; [`Store::ingest`]).
    pub const ALL: Declared = Declared { name: true, asset_class: true, unit: true, frequency: true, source: true };
    /// Nothing stated: data only (a plain file).
    pub const NONE: Declared =
        Declared { name: false, asset_class: false, unit: false, frequency: false, source: false };
}

/// One change of a metadata field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetaChange {
    pub field: &'static str,
    pub from: String,
    pub to: String,
}

/// One metadata revision of a series.
#[derive(Debug, Clone, Serialize)]
pub struct MetaRevisionInfo {
    pub revision: u32,
    /// When and by which ingest (absent for metadata carried over from a store older than
    /// metadata revisions).
    pub at: Option<String>,
    pub label: Option<String>,
    pub meta: SeriesMeta,
}

/// One cross-section to ingest.
#[derive(Debug, Clone)]
pub struct IngestSection {
    pub section: CrossSection,
    pub origin: String,
}

/// What happened to one series (or cross-section field) in an ingest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    New,
    Unchanged,
    Revised,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeriesChange {
    pub id: String,
    pub kind: ChangeKind,
    pub revision: u32,
    pub observations: usize,
    pub added: usize,
    pub changed: usize,
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
    /// Metadata fields changed by this ingest (a new metadata revision when not empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metadata: Vec<MetaChange>,
    /// The metadata revision after this ingest.
    pub meta_revision: u32,
}

/// The outcome of one ingest transaction.
#[derive(Debug, Clone, Serialize, Default)]
pub struct IngestSummary {
    pub series: Vec<SeriesChange>,
    pub sections: Vec<SeriesChange>,
    /// Deal books stored in the same transaction ([`Store::ingest_all`]).
    pub books: Vec<crate::deals::BookChange>,
}

/// A stored series as listed.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesInfo {
    pub meta: SeriesMeta,
    pub revision: u32,
    pub observations: usize,
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
}

/// One revision of a series.
#[derive(Debug, Clone, Serialize)]
pub struct RevisionInfo {
    pub revision: u32,
    pub at: String,
    pub label: String,
    pub added: usize,
    pub changed: usize,
}

/// A stored cross-section family as listed.
#[derive(Debug, Clone, Serialize)]
pub struct SectionInfo {
    pub id: String,
    pub field: String,
    pub revision: u32,
    pub dates: usize,
    pub rows: usize,
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
}

/// The per-user default store path (`$XDG_DATA_HOME/fissure/store.sqlite` on Linux).
pub fn default_store_path() -> PathBuf {
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("fissure").join("store.sqlite")
}

/// A handle on a store file.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Opened by [`Store::open_read_only`]: nothing is ever written.
    read_only: bool,
}

/// What a file holds, as far as the store is concerned.
enum Identity {
    /// An SQLite file with no table at all (new or zero-length).
    Empty,
    /// A Fissure store at this schema version.
    Fissure(u32),
}

fn sqlite_err(path: &Path, source: rusqlite::Error) -> StoreError {
    let not_db = matches!(&source, rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::NotADatabase);
    if not_db {
        StoreError::NotAStore { path: path.into(), why: "not an SQLite database".into() }
    } else {
        StoreError::Sqlite { path: path.into(), source }
    }
}

/// Tells a Fissure store from an empty file and from any other SQLite database, reading only.
fn identify(conn: &Connection, path: &Path) -> Result<Identity> {
    let e = |source| sqlite_err(path, source);
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(e)?;
    let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map_err(e)?;
    let tables: Vec<String> =
        stmt.query_map([], |r| r.get(0)).map_err(e)?.collect::<rusqlite::Result<_>>().map_err(e)?;
    let fissure = ["series", "ingests", "revisions", "observations"].iter().all(|t| tables.iter().any(|x| x == t));
    match (version, tables.is_empty(), fissure) {
        (0, true, _) => Ok(Identity::Empty),
        (v, _, true) if v > 0 => Ok(Identity::Fissure(v)),
        _ => {
            let shown: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
            let more = if tables.len() > 5 { format!(" and {} more", tables.len() - 5) } else { String::new() };
            Err(StoreError::NotAStore {
                path: path.into(),
                why: format!(
                    "an SQLite database with schema version {version} and tables {}{more}",
                    if shown.is_empty() { "none".to_string() } else { shown.join(", ") }
                ),
            })
        }
    }
}

type Row = (f64, Option<f64>, Option<f64>, Option<f64>, Option<f64>);

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x.to_bits() == y.to_bits(),
        (None, None) => true,
        _ => false,
    }
}

fn same_row(a: &Row, b: &Row) -> bool {
    a.0.to_bits() == b.0.to_bits() && same(a.1, b.1) && same(a.2, b.2) && same(a.3, b.3) && same(a.4, b.4)
}

impl Store {
    /// Opens (creating if needed) the store at `path` and migrates its schema forward: the
    /// writers' entry point (`ingest`, the report's cache). A file that is not a Fissure store
    /// (another SQLite database, any other file) is refused and left byte-for-byte unchanged.
    pub fn open(path: &Path) -> Result<Store> {
        if path.is_dir() {
            return Err(StoreError::NotAStore { path: path.into(), why: "a folder".into() });
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir { path: path.into(), source })?;
        }
        let conn = Connection::open(path).map_err(|source| StoreError::Sqlite { path: path.into(), source })?;
        conn.busy_timeout(Duration::from_secs(120)).map_err(|e| sqlite_err(path, e))?;
        // Identify before configuring: `journal_mode=WAL` would rewrite a foreign file's header.
        identify(&conn, path)?;
        let mut store = Store { conn, path: path.to_path_buf(), read_only: false };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing store for reading only: the read commands' entry point (`list`,
    /// `show`, `export`, the analysis commands). It never creates a file, never migrates the
    /// schema and never writes: a missing path is [`StoreError::NoStore`], a file that is not
    /// a Fissure store is [`StoreError::NotAStore`]. A store of an older schema is read as it
    /// is (what it lacks reads as empty); [`Store::cache_put`] is a no-op on such a handle.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        use rusqlite::OpenFlags;
        if !path.exists() {
            return Err(StoreError::NoStore { path: path.into() });
        }
        if path.is_dir() {
            return Err(StoreError::NotAStore { path: path.into(), why: "a folder".into() });
        }
        // Read-write without create (a WAL store needs its shared-memory file), made
        // query-only; a file the user cannot write is opened read-only instead.
        let flags = OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_READ_WRITE)
            .or_else(|_| Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_READ_ONLY))
            .map_err(|e| sqlite_err(path, e))?;
        conn.busy_timeout(Duration::from_secs(120)).map_err(|e| sqlite_err(path, e))?;
        conn.execute_batch("PRAGMA query_only = ON").map_err(|e| sqlite_err(path, e))?;
        match identify(&conn, path)? {
            Identity::Empty => {
                Err(StoreError::NotAStore { path: path.into(), why: "an empty file, not a store yet".into() })
            }
            Identity::Fissure(v) if v > SCHEMA_VERSION => {
                Err(StoreError::SchemaTooNew { path: path.into(), found: v, supported: SCHEMA_VERSION })
            }
            Identity::Fissure(_) => Ok(Store { conn, path: path.to_path_buf(), read_only: true }),
        }
    }

    /// True for a handle from [`Store::open_read_only`].
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn has_table(&self, name: &str) -> bool {
        self.conn
            .query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", [name], |_| Ok(()))
            .optional()
            .ok()
            .flatten()
            .is_some()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The SQLite connection, for the store's other modules (`tokens`, deal books).
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` inside one read transaction: every read it makes sees the same
    /// committed state (a WAL snapshot), even while another connection or
    /// process ingests, so a reader never sees part of an ingest.
    pub fn consistent_read<T>(&self, f: impl FnOnce(&Store) -> T) -> Result<T> {
        let r = self.conn.execute_batch("BEGIN DEFERRED");
        self.sql(r)?;
        let out = f(self);
        let r = self.conn.execute_batch("COMMIT");
        self.sql(r)?;
        Ok(out)
    }

    fn sql<T>(&self, r: rusqlite::Result<T>) -> Result<T> {
        r.map_err(|source| StoreError::Sqlite { path: self.path.clone(), source })
    }

    fn configure(&mut self) -> Result<()> {
        let r = self.conn.busy_timeout(Duration::from_secs(120));
        self.sql(r)?;
        let r = self.conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0));
        self.sql(r)?;
        let r = self.conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
        self.sql(r)
    }

    /// The schema version of the file (0 for a new file).
    pub fn schema_version(&self) -> Result<u32> {
        let r = self.conn.query_row("PRAGMA user_version", [], |r| r.get::<_, u32>(0));
        self.sql(r)
    }

    fn migrate(&mut self) -> Result<()> {
        if self.schema_version()? == SCHEMA_VERSION {
            return Ok(());
        }
        let path = self.path.clone();
        let e = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(e)?;
        let found: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(e)?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew { path: path.clone(), found, supported: SCHEMA_VERSION });
        }
        for sql in &MIGRATIONS[found as usize..] {
            tx.execute_batch(sql).map_err(e)?;
        }
        tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}")).map_err(e)?;
        tx.commit().map_err(e)
    }

    /// Ingests series and cross-sections in ONE transaction: everything is stored,
    /// or (on any error) nothing is. Every metadata field is taken as stated
    /// ([`Declared::ALL`]): a change is recorded as a new metadata revision.
    pub fn ingest(&mut self, label: &str, items: &[IngestItem], sections: &[IngestSection]) -> Result<IngestSummary> {
        self.ingest_with(label, items, sections, &[])
    }

    /// As [`Store::ingest`], with `declared[i]` telling which metadata fields of `items[i]`
    /// were stated (missing entries: [`Declared::ALL`]). Fields not stated keep the stored
    /// values of an existing series, so re-ingesting a plain file never resets a series'
    /// name, class or frequency.
    pub fn ingest_with(
        &mut self,
        label: &str,
        items: &[IngestItem],
        sections: &[IngestSection],
        declared: &[Declared],
    ) -> Result<IngestSummary> {
        self.ingest_all(label, items, sections, declared, &[])
    }

    /// As [`Store::ingest_with`], with deal books `(name, book)` in the SAME transaction:
    /// the series, cross-sections and books are all stored, or (on any error) none is.
    pub fn ingest_all(
        &mut self,
        label: &str,
        items: &[IngestItem],
        sections: &[IngestSection],
        declared: &[Declared],
        books: &[(&str, &fissure_core::DealBook)],
    ) -> Result<IngestSummary> {
        let invalid = |id: &str, why: String, origin: &str| StoreError::InvalidId {
            id: fissure_core::printable_id(id),
            why,
            origin: origin.to_string(),
        };
        for it in items {
            if let Some(why) = fissure_core::id_problem(it.series.id()) {
                return Err(invalid(it.series.id(), why, &it.origin));
            }
        }
        for s in sections {
            for part in [&s.section.id, &s.section.field] {
                if let Some(why) = fissure_core::id_problem(part) {
                    return Err(invalid(part, why, &s.origin));
                }
            }
        }
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for it in items {
            if let Some(first) = seen.insert(it.series.id(), &it.origin) {
                return Err(StoreError::DuplicateInBatch {
                    id: it.series.id().into(),
                    first: first.into(),
                    second: it.origin.clone(),
                });
            }
        }
        let mut seen_sec = HashSet::new();
        for s in sections {
            let key = (s.section.id.as_str(), s.section.field.as_str(), s.section.date);
            if !seen_sec.insert(key) {
                return Err(StoreError::DuplicateInBatch {
                    id: format!("{}.{} on {}", key.0, key.1, key.2),
                    first: s.origin.clone(),
                    second: s.origin.clone(),
                });
            }
        }
        let path = self.path.clone();
        let e = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(e)?;
        let now = chrono::Utc::now().to_rfc3339();
        tx.execute("INSERT INTO ingests (at, label) VALUES (?1, ?2)", params![now, label]).map_err(e)?;
        let ingest_id = tx.last_insert_rowid();
        let mut summary = IngestSummary::default();
        for (i, it) in items.iter().enumerate() {
            let decl = declared.get(i).copied().unwrap_or(Declared::ALL);
            summary.series.push(ingest_series(&tx, ingest_id, &it.series, decl).map_err(e)?);
        }
        // group cross-sections by (id, field): one revision per field per ingest
        let mut groups: BTreeMap<(String, String), Vec<&CrossSection>> = BTreeMap::new();
        for s in sections {
            groups.entry((s.section.id.clone(), s.section.field.clone())).or_default().push(&s.section);
        }
        for ((id, field), secs) in groups {
            summary.sections.push(ingest_section(&tx, &id, &field, &secs).map_err(e)?);
        }
        for (name, book) in books {
            summary.books.push(crate::deals::ingest_book_in(&tx, name, book, ingest_id).map_err(e)?);
        }
        let any_change = summary
            .series
            .iter()
            .chain(&summary.sections)
            .any(|c| c.kind != ChangeKind::Unchanged || !c.metadata.is_empty())
            || summary.books.iter().any(|b| b.added + b.changed > 0);
        if !any_change {
            // identical data: leave no trace, not even the ingest log row
            tx.rollback().map_err(e)?;
        } else {
            tx.commit().map_err(e)?;
        }
        Ok(summary)
    }

    /// Every stored series with its current revision and span.
    pub fn list(&self) -> Result<Vec<SeriesInfo>> {
        let mut stmt = self.sql(self.conn.prepare(
            "SELECT s.id, s.name, s.asset_class, s.unit, s.frequency, s.source, s.current_revision,
                    COUNT(o.date), MIN(o.date), MAX(o.date)
             FROM series s LEFT JOIN observations o ON o.series_id = s.id AND o.rev_to IS NULL
             GROUP BY s.id ORDER BY s.id",
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok((
                SeriesMeta {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    asset_class: r.get::<_, String>(2)?.parse().unwrap_or_default(),
                    unit: r.get(3)?,
                    frequency: r.get::<_, String>(4)?.parse().unwrap_or_default(),
                    source: r.get(5)?,
                },
                r.get::<_, u32>(6)?,
                r.get::<_, usize>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        });
        let rows = self.sql(rows)?;
        let mut out = Vec::new();
        for row in rows {
            let (meta, revision, observations, first, last) = self.sql(row)?;
            out.push(SeriesInfo {
                meta,
                revision,
                observations,
                first: first.and_then(|d| d.parse().ok()),
                last: last.and_then(|d| d.parse().ok()),
            });
        }
        Ok(out)
    }

    /// Metadata of one series and its current revision.
    pub fn meta(&self, id: &str) -> Result<(SeriesMeta, u32)> {
        let r = self
            .conn
            .query_row(
                "SELECT name, asset_class, unit, frequency, source, current_revision FROM series WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        SeriesMeta {
                            id: id.to_string(),
                            name: r.get(0)?,
                            asset_class: r.get::<_, String>(1)?.parse::<AssetClass>().unwrap_or_default(),
                            unit: r.get(2)?,
                            frequency: r.get::<_, String>(3)?.parse::<Frequency>().unwrap_or_default(),
                            source: r.get(4)?,
                        },
                        r.get::<_, u32>(5)?,
                    ))
                },
            )
            .optional();
        self.sql(r)?.ok_or_else(|| StoreError::SeriesNotFound { id: id.into() })
    }

    /// Loads a series at `revision` (default: the current one).
    pub fn load(&self, id: &str, revision: Option<u32>) -> Result<Series> {
        let (meta, latest) = self.meta(id)?;
        let rev = revision.unwrap_or(latest);
        if rev == 0 || rev > latest {
            return Err(StoreError::RevisionNotFound { id: id.into(), revision: rev, latest });
        }
        let mut stmt = self.sql(self.conn.prepare_cached(
            "SELECT date, value, open, high, low, volume FROM observations
             WHERE series_id = ?1 AND rev_from <= ?2 AND (rev_to IS NULL OR rev_to > ?2)
             ORDER BY date",
        ))?;
        let rows = stmt.query_map(params![id, rev], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, f64>(1)?,
                r.get::<_, Option<f64>>(2)?,
                r.get::<_, Option<f64>>(3)?,
                r.get::<_, Option<f64>>(4)?,
                r.get::<_, Option<f64>>(5)?,
            ))
        });
        let rows = self.sql(rows)?;
        let (mut dates, mut values) = (Vec::new(), Vec::new());
        let mut o = Ohlcv::default();
        for row in rows {
            let (d, v, op, hi, lo, vo) = self.sql(row)?;
            let date = d.parse::<NaiveDate>().map_err(|err| StoreError::Corrupt {
                path: self.path.clone(),
                id: id.into(),
                why: format!("date `{d}`: {err}"),
            })?;
            dates.push(date);
            values.push(v);
            o.open.push(op);
            o.high.push(hi);
            o.low.push(lo);
            o.volume.push(vo);
        }
        let has_ohlcv = [&o.open, &o.high, &o.low, &o.volume].iter().any(|c| c.iter().any(Option::is_some));
        Series::with_ohlcv(meta, dates, values, has_ohlcv.then_some(o)).map_err(|err| StoreError::Corrupt {
            path: self.path.clone(),
            id: id.into(),
            why: err.to_string(),
        })
    }

    /// The revision history of a series, oldest first.
    pub fn revisions(&self, id: &str) -> Result<Vec<RevisionInfo>> {
        self.meta(id)?;
        let mut stmt = self.sql(self.conn.prepare(
            "SELECT r.revision, i.at, i.label, r.added, r.changed FROM revisions r
             JOIN ingests i ON i.id = r.ingest_id WHERE r.series_id = ?1 ORDER BY r.revision",
        ))?;
        let rows = stmt.query_map([id], |r| {
            Ok(RevisionInfo {
                revision: r.get(0)?,
                at: r.get(1)?,
                label: r.get(2)?,
                added: r.get(3)?,
                changed: r.get(4)?,
            })
        });
        let rows = self.sql(rows)?;
        rows.map(|r| self.sql(r)).collect()
    }

    /// The metadata revisions of a series, oldest first (empty for a store older than
    /// metadata revisions, opened read-only).
    pub fn meta_revisions(&self, id: &str) -> Result<Vec<MetaRevisionInfo>> {
        self.meta(id)?;
        if !self.has_table("meta_revisions") {
            return Ok(Vec::new());
        }
        let mut stmt = self.sql(self.conn.prepare(
            "SELECT m.revision, i.at, i.label, m.name, m.asset_class, m.unit, m.frequency, m.source
             FROM meta_revisions m LEFT JOIN ingests i ON i.id = m.ingest_id
             WHERE m.series_id = ?1 ORDER BY m.revision",
        ))?;
        let rows = stmt.query_map([id], |r| {
            Ok(MetaRevisionInfo {
                revision: r.get(0)?,
                at: r.get(1)?,
                label: r.get(2)?,
                meta: SeriesMeta {
                    id: id.to_string(),
                    name: r.get(3)?,
                    asset_class: r.get::<_, String>(4)?.parse().unwrap_or_default(),
                    unit: r.get(5)?,
                    frequency: r.get::<_, String>(6)?.parse().unwrap_or_default(),
                    source: r.get(7)?,
                },
            })
        });
        let rows = self.sql(rows)?;
        rows.map(|r| self.sql(r)).collect()
    }

    /// Stored cross-section families.
    pub fn list_sections(&self) -> Result<Vec<SectionInfo>> {
        let mut stmt = self.sql(self.conn.prepare(
            "SELECT s.id, s.field, s.current_revision, COUNT(DISTINCT r.date), COUNT(r.symbol), MIN(r.date), MAX(r.date)
             FROM sections s LEFT JOIN section_rows r
               ON r.section_id = s.id AND r.field = s.field AND r.rev_to IS NULL
             GROUP BY s.id, s.field ORDER BY s.id, s.field",
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok(SectionInfo {
                id: r.get(0)?,
                field: r.get(1)?,
                revision: r.get(2)?,
                dates: r.get(3)?,
                rows: r.get(4)?,
                first: r.get::<_, Option<String>>(5)?.and_then(|d| d.parse().ok()),
                last: r.get::<_, Option<String>>(6)?.and_then(|d| d.parse().ok()),
            })
        });
        let rows = self.sql(rows)?;
        rows.map(|r| self.sql(r)).collect()
    }

    /// Every snapshot (current revision) of cross-section `id`, field `field`, by date.
    pub fn load_sections(&self, id: &str, field: &str) -> Result<Vec<CrossSection>> {
        let mut stmt = self.sql(self.conn.prepare_cached(
            "SELECT date, symbol, name, value FROM section_rows
             WHERE section_id = ?1 AND field = ?2 AND rev_to IS NULL ORDER BY date, symbol",
        ))?;
        let rows = stmt.query_map(params![id, field], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, f64>(3)?))
        });
        let rows = self.sql(rows)?;
        let mut out: Vec<CrossSection> = Vec::new();
        for row in rows {
            let (d, symbol, name, value) = self.sql(row)?;
            let date: NaiveDate = d.parse().map_err(|err| StoreError::Corrupt {
                path: self.path.clone(),
                id: id.into(),
                why: format!("date `{d}`: {err}"),
            })?;
            if out.last().map(|s| s.date) != Some(date) {
                out.push(CrossSection { id: id.into(), field: field.into(), date, rows: Vec::new() });
            }
            if let Some(s) = out.last_mut() {
                s.rows.push(CrossSectionRow { symbol, name, value });
            }
        }
        if out.is_empty() {
            return Err(StoreError::SectionNotFound { id: format!("{id}.{field}") });
        }
        Ok(out)
    }

    /// A fingerprint of the current data (every series' and section's current
    /// revision): changes exactly when any stored data changes. Used as a cache key.
    pub fn fingerprint(&self, ids: &[&str]) -> Result<String> {
        let mut parts = Vec::new();
        for id in ids {
            let rev = self
                .conn
                .query_row("SELECT current_revision FROM series WHERE id = ?1", [id], |r| r.get::<_, u32>(0))
                .optional();
            let mut part = format!("{id}@{}", self.sql(rev)?.unwrap_or(0));
            // a metadata change (e.g. the asset class) changes what the families compute
            if self.has_table("meta_revisions") {
                let m =
                    self.conn.query_row("SELECT MAX(revision) FROM meta_revisions WHERE series_id = ?1", [id], |r| {
                        r.get::<_, Option<u32>>(0)
                    });
                if let Some(m) = self.sql(m)?.filter(|m| *m > 1) {
                    part.push_str(&format!("m{m}"));
                }
            }
            parts.push(part);
        }
        Ok(parts.join(","))
    }

    /// A cached value, if present.
    pub fn cache_get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        if self.read_only && !self.has_table("cache") {
            return Ok(None);
        }
        let r =
            self.conn.query_row("SELECT value FROM cache WHERE key = ?1", [key], |r| r.get::<_, Vec<u8>>(0)).optional();
        self.sql(r)
    }

    /// Stores a cached value (replacing any previous one under the same key). On a
    /// read-only handle nothing is written (a cache is only an optimisation; read commands
    /// never write).
    pub fn cache_put(&self, key: &str, value: &[u8]) -> Result<()> {
        if self.read_only {
            return Ok(());
        }
        let now = chrono::Utc::now().to_rfc3339();
        let r = self.conn.execute(
            "INSERT INTO cache (key, created_at, value) VALUES (?1, ?2, ?3)
             ON CONFLICT(key) DO UPDATE SET created_at = excluded.created_at, value = excluded.value",
            params![key, now, value],
        );
        self.sql(r).map(|_| ())
    }

    /// The full stored content (every row of every data table, in a fixed order) as
    /// text: two dumps are equal exactly when the stored data are equal.
    pub fn dump(&self) -> Result<String> {
        let mut out = String::new();
        for (table, order) in [
            ("series", "id"),
            ("ingests", "id"),
            ("revisions", "series_id, revision"),
            ("observations", "series_id, date, rev_from"),
            ("sections", "id, field"),
            ("section_rows", "section_id, field, date, symbol, rev_from"),
            ("meta_revisions", "series_id, revision"),
            ("deal_books", "book"),
            ("deal_book_revisions", "book, revision"),
            ("deal_records", "book, kind, key, rev_from"),
        ] {
            if !self.has_table(table) {
                continue;
            }
            let mut stmt = self.sql(self.conn.prepare(&format!("SELECT * FROM {table} ORDER BY {order}")))?;
            let ncol = stmt.column_count();
            out.push_str(&format!("## {table}\n"));
            let rows = stmt.query_map([], |r| {
                let mut line = String::new();
                for i in 0..ncol {
                    let v: rusqlite::types::Value = r.get(i)?;
                    line.push_str(&format!("{v:?}|"));
                }
                Ok(line)
            });
            for line in self.sql(rows)? {
                out.push_str(&self.sql(line)?);
                out.push('\n');
            }
        }
        Ok(out)
    }
}

fn read_meta(tx: &rusqlite::Transaction<'_>, id: &str) -> rusqlite::Result<Option<(SeriesMeta, u32)>> {
    tx.query_row(
        "SELECT name, asset_class, unit, frequency, source, current_revision FROM series WHERE id = ?1",
        [id],
        |r| {
            Ok((
                SeriesMeta {
                    id: id.to_string(),
                    name: r.get(0)?,
                    asset_class: r.get::<_, String>(1)?.parse().unwrap_or_default(),
                    unit: r.get(2)?,
                    frequency: r.get::<_, String>(3)?.parse().unwrap_or_default(),
                    source: r.get(4)?,
                },
                r.get(5)?,
            ))
        },
    )
    .optional()
}

/// The stored metadata updated by the stated fields of `incoming`, and what changed.
fn merge_meta(stored: &SeriesMeta, incoming: &SeriesMeta, decl: Declared) -> (SeriesMeta, Vec<MetaChange>) {
    let mut m = stored.clone();
    let mut changes = Vec::new();
    let mut set = |field: &'static str, from: String, to: String| {
        if from != to {
            changes.push(MetaChange { field, from, to });
            true
        } else {
            false
        }
    };
    if decl.name && set("name", stored.name.clone(), incoming.name.clone()) {
        m.name = incoming.name.clone();
    }
    if decl.asset_class && set("asset_class", stored.asset_class.to_string(), incoming.asset_class.to_string()) {
        m.asset_class = incoming.asset_class;
    }
    if decl.unit && set("unit", stored.unit.clone(), incoming.unit.clone()) {
        m.unit = incoming.unit.clone();
    }
    let freq_stated = decl.frequency || (stored.frequency == Frequency::Irregular);
    if freq_stated && set("frequency", stored.frequency.to_string(), incoming.frequency.to_string()) {
        m.frequency = incoming.frequency;
    }
    if decl.source && set("source", stored.source.clone(), incoming.source.clone()) {
        m.source = incoming.source.clone();
    }
    (m, changes)
}

fn insert_meta_revision(tx: &rusqlite::Transaction<'_>, ingest_id: i64, m: &SeriesMeta) -> rusqlite::Result<u32> {
    let last: Option<u32> =
        tx.query_row("SELECT MAX(revision) FROM meta_revisions WHERE series_id = ?1", [&m.id], |r| r.get(0))?;
    let rev = last.unwrap_or(0) + 1;
    tx.execute(
        "INSERT INTO meta_revisions (series_id, revision, ingest_id, name, asset_class, unit, frequency, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![m.id, rev, ingest_id, m.name, m.asset_class.as_str(), m.unit, m.frequency.as_str(), m.source],
    )?;
    Ok(rev)
}

fn ingest_series(
    tx: &rusqlite::Transaction<'_>,
    ingest_id: i64,
    s: &Series,
    decl: Declared,
) -> rusqlite::Result<SeriesChange> {
    let id = s.id();
    let stored = read_meta(tx, id)?;
    let current = stored.as_ref().map(|x| x.1);
    let incoming: Vec<(NaiveDate, Row)> =
        s.observations().map(|o| (o.date, (o.value, o.open, o.high, o.low, o.volume))).collect();
    let mut existing: BTreeMap<NaiveDate, Row> = BTreeMap::new();
    if current.is_some() {
        let mut stmt = tx.prepare_cached(
            "SELECT date, value, open, high, low, volume FROM observations WHERE series_id = ?1 AND rev_to IS NULL",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        })?;
        for row in rows {
            let (d, v) = row?;
            if let Ok(date) = d.parse() {
                existing.insert(date, v);
            }
        }
    }
    let mut added = Vec::new();
    let mut changed = Vec::new();
    for (d, row) in &incoming {
        match existing.get(d) {
            None => added.push((*d, *row)),
            Some(old) if !same_row(old, row) => changed.push((*d, *row)),
            Some(_) => {}
        }
    }
    let (kind, revision) = match current {
        None => (ChangeKind::New, 1),
        Some(r) if added.is_empty() && changed.is_empty() => (ChangeKind::Unchanged, r),
        Some(r) => (ChangeKind::Revised, r + 1),
    };
    // Metadata: a new series takes the incoming metadata; an existing one keeps what was
    // not stated, and every change of a stated field is a new metadata revision.
    let (meta, meta_changes) = match &stored {
        None => (s.meta.clone(), Vec::new()),
        Some((old, _)) => merge_meta(old, &s.meta, decl),
    };
    tx.execute(
        "INSERT INTO series (id, name, asset_class, unit, frequency, source, current_revision)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, asset_class = excluded.asset_class,
           unit = excluded.unit, frequency = excluded.frequency, source = excluded.source,
           current_revision = excluded.current_revision
         WHERE series.name IS NOT excluded.name OR series.asset_class IS NOT excluded.asset_class
           OR series.unit IS NOT excluded.unit OR series.frequency IS NOT excluded.frequency
           OR series.source IS NOT excluded.source OR series.current_revision IS NOT excluded.current_revision",
        params![id, meta.name, meta.asset_class.as_str(), meta.unit, meta.frequency.as_str(), meta.source, revision],
    )?;
    let meta_revision = if stored.is_none() || !meta_changes.is_empty() {
        insert_meta_revision(tx, ingest_id, &meta)?
    } else {
        tx.query_row("SELECT MAX(revision) FROM meta_revisions WHERE series_id = ?1", [id], |r| {
            r.get::<_, Option<u32>>(0)
        })?
        .unwrap_or(1)
    };
    if kind != ChangeKind::Unchanged {
        tx.execute(
            "INSERT INTO revisions (series_id, revision, ingest_id, added, changed) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, revision, ingest_id, added.len(), changed.len()],
        )?;
        let mut close = tx.prepare_cached(
            "UPDATE observations SET rev_to = ?3 WHERE series_id = ?1 AND date = ?2 AND rev_to IS NULL",
        )?;
        for (d, _) in &changed {
            close.execute(params![id, d.to_string(), revision])?;
        }
        let mut ins = tx.prepare_cached(
            "INSERT INTO observations (series_id, date, rev_from, rev_to, value, open, high, low, volume)
             VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for (d, r) in added.iter().chain(&changed) {
            ins.execute(params![id, d.to_string(), revision, r.0, r.1, r.2, r.3, r.4])?;
        }
    }
    Ok(SeriesChange {
        id: id.into(),
        kind,
        revision,
        observations: existing.len() + added.len(),
        added: added.len(),
        changed: changed.len(),
        first: s.first_date().into_iter().chain(existing.keys().next().copied()).min(),
        last: s.last_date().into_iter().chain(existing.keys().next_back().copied()).max(),
        metadata: meta_changes,
        meta_revision,
    })
}

fn ingest_section(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    field: &str,
    secs: &[&CrossSection],
) -> rusqlite::Result<SeriesChange> {
    let current: Option<u32> = tx
        .query_row("SELECT current_revision FROM sections WHERE id = ?1 AND field = ?2", [id, field], |r| r.get(0))
        .optional()?;
    type Key = (NaiveDate, String);
    let mut existing: BTreeMap<Key, (Option<String>, f64)> = BTreeMap::new();
    if current.is_some() {
        let mut stmt = tx.prepare_cached(
            "SELECT date, symbol, name, value FROM section_rows WHERE section_id = ?1 AND field = ?2 AND rev_to IS NULL",
        )?;
        let rows = stmt.query_map([id, field], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, f64>(3)?))
        })?;
        for row in rows {
            let (d, sym, name, v) = row?;
            if let Ok(date) = d.parse() {
                existing.insert((date, sym), (name, v));
            }
        }
    }
    let mut added = Vec::new();
    let mut changed = Vec::new();
    for s in secs {
        for r in &s.rows {
            let key = (s.date, r.symbol.clone());
            match existing.get(&key) {
                None => added.push((key, r)),
                Some((name, v)) if v.to_bits() != r.value.to_bits() || *name != r.name => changed.push((key, r)),
                Some(_) => {}
            }
        }
    }
    let (kind, revision) = match current {
        None => (ChangeKind::New, 1),
        Some(r) if added.is_empty() && changed.is_empty() => (ChangeKind::Unchanged, r),
        Some(r) => (ChangeKind::Revised, r + 1),
    };
    if kind != ChangeKind::Unchanged {
        tx.execute(
            "INSERT INTO sections (id, field, current_revision) VALUES (?1, ?2, ?3)
             ON CONFLICT(id, field) DO UPDATE SET current_revision = excluded.current_revision",
            params![id, field, revision],
        )?;
        let mut close = tx.prepare_cached(
            "UPDATE section_rows SET rev_to = ?5 WHERE section_id = ?1 AND field = ?2 AND date = ?3 AND symbol = ?4 AND rev_to IS NULL",
        )?;
        for ((d, sym), _) in &changed {
            close.execute(params![id, field, d.to_string(), sym, revision])?;
        }
        let mut ins = tx.prepare_cached(
            "INSERT INTO section_rows (section_id, field, date, symbol, rev_from, rev_to, name, value)
             VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7)",
        )?;
        for ((d, sym), r) in added.iter().chain(&changed) {
            ins.execute(params![id, field, d.to_string(), sym, revision, r.name, r.value])?;
        }
    }
    let dates: Vec<NaiveDate> = existing.keys().map(|k| k.0).chain(added.iter().map(|a| a.0 .0)).collect();
    Ok(SeriesChange {
        id: format!("{id}.{field}"),
        kind,
        revision,
        observations: existing.len() + added.len(),
        added: added.len(),
        changed: changed.len(),
        first: dates.iter().min().copied(),
        last: dates.iter().max().copied(),
        metadata: Vec::new(),
        meta_revision: 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_forward_and_refuses_newer_schemas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        {
            // a store written by schema version 1
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch("PRAGMA user_version = 1").unwrap();
            conn.execute_batch(
                "INSERT INTO series VALUES ('A','A','etf','USD','daily','t',1);
                 INSERT INTO ingests VALUES (1,'2026-01-01T00:00:00Z','old');
                 INSERT INTO revisions VALUES ('A',1,1,1,0);
                 INSERT INTO observations VALUES ('A','2024-01-02',1,NULL,5.0,NULL,NULL,NULL,NULL);",
            )
            .unwrap();
        }
        let st = Store::open(&path).unwrap();
        assert_eq!(st.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(st.load("A", None).unwrap().values(), &[5.0]);
        st.cache_put("k", b"v").unwrap();
        assert_eq!(st.cache_get("k").unwrap().as_deref(), Some(&b"v"[..]));
        drop(st);
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
        drop(conn);
        assert!(matches!(Store::open(&path), Err(StoreError::SchemaTooNew { found: 99, .. })));
    }
}
