//! Deal books: readers for deals, firms, fundamentals and claims tables (CSV, or
//! `[[deal]]` / `[[firm]]` tables in TOML), and their storage with revisions.
//!
//! Reading validates everything first (all-or-nothing): an unknown `kind` or
//! `status`, a deal naming a firm that is not in the firms table, a negative or
//! non-numeric amount, or a malformed date is refused with file, line and column.
//! A missing amount is allowed (undisclosed, never zero).
//!
//! Storage: every record (deal, firm, fundamentals row, claim) of a book is a row of
//! `deal_records` with a validity interval of book revisions (`rev_from ≤ r < rev_to`),
//! like observations of a series: re-ingesting identical data writes nothing, a
//! changed amount or status closes the old row and opens a new revision, records
//! absent from a later file are kept. Each version carries `known_since` (the date
//! the information was public: the deal date, a `known_since` column, the valuation
//! date, the publication date), so `--as-of D` sees each record's latest version
//! known by D: the graph as it was known.

use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use fissure_core::{Claim, Deal, DealBook, DealKind, DealStatus, Firm, Fundamentals};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Why a deals, firms, fundamentals or claims file was refused.
#[derive(Debug, thiserror::Error)]
pub enum DealReadError {
    /// The reason is the source (printed after it by `{:#}`).
    #[error("reading {file}")]
    Io { file: PathBuf, source: std::io::Error },
    #[error("{file}:{line}: malformed CSV: {why}")]
    Csv { file: PathBuf, line: u64, why: String },
    #[error("{file}: missing column `{column}` (the header has: {header})")]
    MissingColumn { file: PathBuf, column: String, header: String },
    #[error("{file}:{line}:{column_index}: column `{column}`: {why}")]
    Invalid { file: PathBuf, line: u64, column: String, column_index: usize, why: String },
    #[error("{file}:{line}: `{key}` appears twice (first on line {first})")]
    Duplicate { file: PathBuf, line: u64, key: String, first: u64 },
    #[error("{file}: no rows")]
    Empty { file: PathBuf },
}

type Result<T> = std::result::Result<T, DealReadError>;

/// One parsed row: values by column name, with the line and column positions.
struct Row<'a> {
    file: &'a Path,
    line: u64,
    cols: &'a BTreeMap<String, usize>,
    rec: Vec<String>,
}

impl Row<'_> {
    fn invalid(&self, column: &str, why: String) -> DealReadError {
        DealReadError::Invalid {
            file: self.file.into(),
            line: self.line,
            column: column.into(),
            column_index: self.cols.get(column).map_or(0, |i| i + 1),
            why,
        }
    }

    fn get(&self, column: &str) -> Option<&str> {
        self.cols.get(column).and_then(|&i| self.rec.get(i)).map(|s| s.trim())
    }

    fn text(&self, column: &str) -> String {
        self.get(column).unwrap_or("").to_string()
    }

    fn required(&self, column: &str) -> Result<&str> {
        match self.get(column) {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(self.invalid(column, "empty; a value is required".into())),
        }
    }

    fn date(&self, column: &str) -> Result<NaiveDate> {
        let s = self.required(column)?;
        parse_iso(s).ok_or_else(|| self.invalid(column, format!("`{s}` is not a date (expected YYYY-MM-DD)")))
    }

    fn opt_date(&self, column: &str) -> Result<Option<NaiveDate>> {
        match self.get(column) {
            None | Some("") => Ok(None),
            Some(s) => parse_iso(s)
                .map(Some)
                .ok_or_else(|| self.invalid(column, format!("`{s}` is not a date (expected YYYY-MM-DD)"))),
        }
    }

    /// A number, or `None` when empty; `non_negative` refuses < 0.
    fn opt_num(&self, column: &str, non_negative: bool) -> Result<Option<f64>> {
        match self.get(column) {
            None | Some("") => Ok(None),
            Some(s) => {
                let v: f64 = s.parse().map_err(|_| self.invalid(column, format!("`{s}` is not a number")))?;
                if !v.is_finite() {
                    return Err(self.invalid(column, format!("`{s}` is not a finite number")));
                }
                if non_negative && v < 0.0 {
                    return Err(self.invalid(column, format!("{v} is negative; amounts must be ≥ 0")));
                }
                Ok(Some(v))
            }
        }
    }
}

fn parse_iso(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Reads a CSV table into rows, checking the required columns.
fn csv_rows<'a>(
    file: &'a Path,
    bytes: &[u8],
    required: &[&str],
    cols: &'a mut BTreeMap<String, usize>,
) -> Result<Vec<Row<'a>>> {
    let mut rdr = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let header =
        rdr.headers().map_err(|e| DealReadError::Csv { file: file.into(), line: 1, why: e.to_string() })?.clone();
    for (i, h) in header.iter().enumerate() {
        cols.insert(h.trim().trim_start_matches('\u{feff}').to_string(), i);
    }
    for r in required {
        if !cols.contains_key(*r) {
            return Err(DealReadError::MissingColumn {
                file: file.into(),
                column: (*r).into(),
                header: header.iter().collect::<Vec<_>>().join(","),
            });
        }
    }
    let mut raw = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| DealReadError::Csv {
            file: file.into(),
            line: e.position().map_or(0, |p| p.line()),
            why: e.to_string(),
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        raw.push((line, rec.iter().map(str::to_string).collect::<Vec<_>>()));
    }
    let cols: &'a BTreeMap<String, usize> = cols;
    Ok(raw.into_iter().map(|(line, rec)| Row { file, line, cols, rec }).collect())
}

fn firm_from_row(r: &Row) -> Result<Firm> {
    let listed = match r.get("listed").unwrap_or("") {
        "yes" | "true" | "1" => true,
        "no" | "false" | "0" | "" => false,
        s => return Err(r.invalid("listed", format!("`{s}` is not yes/no"))),
    };
    let valuation = r.opt_num("valuation_usd_bn", true)?;
    if valuation == Some(0.0) {
        return Err(r.invalid("valuation_usd_bn", "0 is not a size; leave it empty when unknown".into()));
    }
    let firm = r.required("firm")?.to_string();
    Ok(Firm {
        name: r.get("name").filter(|s| !s.is_empty()).unwrap_or(&firm).to_string(),
        firm,
        listed,
        valuation_usd_bn: valuation,
        valuation_date: r.opt_date("valuation_date")?,
        valuation_kind: r.text("valuation_kind"),
        source: r.text("source"),
    })
}

fn deal_from_row(r: &Row, firms: &BTreeSet<String>) -> Result<Deal> {
    let date = r.date("date")?;
    let precision = r.get("date_precision").filter(|s| !s.is_empty()).unwrap_or("day").to_string();
    if !matches!(precision.as_str(), "day" | "month" | "quarter" | "year") {
        return Err(r.invalid("date_precision", format!("`{precision}` (expected day, month, quarter or year)")));
    }
    let party = |col: &str| -> Result<String> {
        let f = r.required(col)?;
        if !firms.contains(f) {
            return Err(r.invalid(col, format!("firm `{f}` is not in the firms table")));
        }
        Ok(f.to_string())
    };
    let payer = party("payer")?;
    let payee = party("payee")?;
    if payer == payee {
        return Err(r.invalid("payee", format!("`{payee}` pays itself; a deal needs two firms")));
    }
    let kind: DealKind = r.required("kind")?.parse().map_err(|e: String| r.invalid("kind", e))?;
    let status: DealStatus = r.required("status")?.parse().map_err(|e: String| r.invalid("status", e))?;
    let known_since = r.opt_date("known_since")?.unwrap_or(date);
    if known_since < date {
        return Err(r.invalid("known_since", format!("{known_since} is before the deal date {date}")));
    }
    let id = match r.get("id").filter(|s| !s.is_empty()) {
        Some(id) => id.to_string(),
        None => format!("{date}:{payer}:{payee}:{kind}"),
    };
    Ok(Deal {
        id,
        date,
        date_precision: precision,
        payer,
        payee,
        kind,
        amount_usd_bn: r.opt_num("amount_usd_bn", true)?,
        status,
        description: r.text("description"),
        source: r.get("reported_by").or_else(|| r.get("source")).unwrap_or("").to_string(),
        known_since,
    })
}

fn no_duplicates<'a>(file: &Path, keys: impl Iterator<Item = (String, u64)> + 'a) -> Result<()> {
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for (k, line) in keys {
        if let Some(&first) = seen.get(&k) {
            return Err(DealReadError::Duplicate { file: file.into(), line, key: k, first });
        }
        seen.insert(k, line);
    }
    Ok(())
}

/// A file's bytes, or [`DealReadError::Io`] naming it.
fn read_file(file: &Path) -> Result<Vec<u8>> {
    std::fs::read(file).map_err(|source| DealReadError::Io { file: file.into(), source })
}

/// A deal book from a deals and a firms CSV file ([`read_deals`], [`read_firms`]); no claims or
/// fundamentals (see [`overlay_files`]).
pub fn read_book_files(deals: &Path, firms: &Path) -> Result<DealBook> {
    let firms_rows = read_firms(firms, &read_file(firms)?)?;
    let deal_rows = read_deals(deals, &read_file(deals)?, &firms_rows)?;
    Ok(DealBook { deals: deal_rows, firms: firms_rows, ..Default::default() })
}

/// The book with its claims and fundamentals replaced by those of the given CSV files, then seen as
/// of `as_of` when given ([`DealBook::as_of`]): what the commands read after choosing the book's source.
pub fn overlay_files(
    mut book: DealBook,
    claims: Option<&Path>,
    fundamentals: Option<&Path>,
    as_of: Option<NaiveDate>,
) -> Result<DealBook> {
    if let Some(c) = claims {
        book.claims = read_claims(c, &read_file(c)?)?;
    }
    if let Some(f) = fundamentals {
        book.fundamentals = read_fundamentals(f, &read_file(f)?)?;
    }
    Ok(match as_of {
        Some(d) => book.as_of(d),
        None => book,
    })
}

/// An exposure network's inputs from files: links `lender,borrower,amount` and sizes `firm,equity`.
pub fn read_exposure_files(exposures: &Path, equity: &Path) -> Result<ExposureInputs> {
    let links = read_links(exposures, &read_file(exposures)?, "lender", "borrower", "amount")?;
    let eq = read_keyed_numbers(equity, &read_file(equity)?, "firm", &["equity"])?;
    Ok((links, eq.into_iter().map(|(f, v)| (f, v[0])).collect()))
}

/// A clearing system's inputs from files: liabilities `debtor,creditor,amount` and
/// `firm,external_assets,external_liabilities`.
pub fn read_clearing_files(liabilities: &Path, external: &Path) -> Result<ClearingInputs> {
    let links = read_links(liabilities, &read_file(liabilities)?, "debtor", "creditor", "amount")?;
    let ext =
        read_keyed_numbers(external, &read_file(external)?, "firm", &["external_assets", "external_liabilities"])?;
    Ok((links, ext))
}

/// Exposures (lender, borrower, amount) and per-firm equity.
pub type ExposureInputs = (Vec<(String, String, f64)>, Vec<(String, f64)>);

/// Liabilities (debtor, creditor, amount) and per-firm [external assets, external liabilities].
pub type ClearingInputs = (Vec<(String, String, f64)>, Vec<(String, Vec<f64>)>);

/// Reads a firms table (`firm,name,listed,valuation_usd_bn,valuation_date,valuation_kind,source`;
/// only `firm` is required).
pub fn read_firms(file: &Path, bytes: &[u8]) -> Result<Vec<Firm>> {
    let mut cols = BTreeMap::new();
    let rows = csv_rows(file, bytes, &["firm"], &mut cols)?;
    if rows.is_empty() {
        return Err(DealReadError::Empty { file: file.into() });
    }
    no_duplicates(file, rows.iter().map(|r| (r.text("firm"), r.line)))?;
    rows.iter().map(firm_from_row).collect()
}

/// Reads a deals table (`date,payer,payee,kind,amount_usd_bn,status` required;
/// `id,date_precision,description,reported_by,known_since` optional). Every payer and
/// payee must be a firm of `firms`.
pub fn read_deals(file: &Path, bytes: &[u8], firms: &[Firm]) -> Result<Vec<Deal>> {
    let mut cols = BTreeMap::new();
    let rows = csv_rows(file, bytes, &["date", "payer", "payee", "kind", "amount_usd_bn", "status"], &mut cols)?;
    if rows.is_empty() {
        return Err(DealReadError::Empty { file: file.into() });
    }
    let names: BTreeSet<String> = firms.iter().map(|f| f.firm.clone()).collect();
    let deals: Vec<Deal> = rows.iter().map(|r| deal_from_row(r, &names)).collect::<Result<_>>()?;
    no_duplicates(file, deals.iter().zip(&rows).map(|(d, r)| (d.id.clone(), r.line)))?;
    Ok(deals)
}

/// Reads a fundamentals table (`firm,period,period_end,capex_usd_bn,revenue_usd_bn,
/// operating_cash_flow_usd_bn,free_cash_flow_usd_bn,ai_revenue_usd_bn,published,source`;
/// `firm,period,period_end,source` required: every row names its source).
pub fn read_fundamentals(file: &Path, bytes: &[u8]) -> Result<Vec<Fundamentals>> {
    let mut cols = BTreeMap::new();
    let rows = csv_rows(file, bytes, &["firm", "period", "period_end", "source"], &mut cols)?;
    if rows.is_empty() {
        return Err(DealReadError::Empty { file: file.into() });
    }
    no_duplicates(file, rows.iter().map(|r| (format!("{}:{}", r.text("firm"), r.text("period")), r.line)))?;
    rows.iter()
        .map(|r| {
            let period_end = r.date("period_end")?;
            let published = r.opt_date("published")?.unwrap_or(period_end);
            if published < period_end {
                return Err(r.invalid("published", format!("{published} is before the period end {period_end}")));
            }
            Ok(Fundamentals {
                firm: r.required("firm")?.into(),
                period: r.required("period")?.into(),
                period_end,
                capex_usd_bn: r.opt_num("capex_usd_bn", true)?,
                revenue_usd_bn: r.opt_num("revenue_usd_bn", true)?,
                operating_cash_flow_usd_bn: r.opt_num("operating_cash_flow_usd_bn", false)?,
                free_cash_flow_usd_bn: r.opt_num("free_cash_flow_usd_bn", false)?,
                ai_revenue_usd_bn: r.opt_num("ai_revenue_usd_bn", true)?,
                published,
                source: r.required("source")?.into(),
            })
        })
        .collect()
}

/// Reads a claims table (`claim_id,published,subject,metric,period,value,unit,low,high,claim,source`).
pub fn read_claims(file: &Path, bytes: &[u8]) -> Result<Vec<Claim>> {
    let mut cols = BTreeMap::new();
    let rows = csv_rows(file, bytes, &["claim_id", "published", "subject", "metric", "value"], &mut cols)?;
    if rows.is_empty() {
        return Err(DealReadError::Empty { file: file.into() });
    }
    no_duplicates(file, rows.iter().map(|r| (r.text("claim_id"), r.line)))?;
    rows.iter()
        .map(|r| {
            Ok(Claim {
                claim_id: r.required("claim_id")?.into(),
                published: r.date("published")?,
                subject: r.required("subject")?.into(),
                metric: r.required("metric")?.into(),
                period: r.text("period"),
                value: r.opt_num("value", false)?,
                unit: r.text("unit"),
                low: r.opt_num("low", false)?,
                high: r.opt_num("high", false)?,
                claim: r.text("claim"),
                source: r.text("source"),
            })
        })
        .collect()
}

/// One TOML table as a row: its header line, values and column positions.
type TomlRow = (u64, Vec<String>, BTreeMap<String, usize>);

/// Reads `[[firm]]` and `[[deal]]` tables (same fields as the CSV columns) from TOML
/// text (a watchlist or a file of its own). Errors name the line of the offending entry.
pub fn read_toml_book(file: &Path, text: &str) -> Result<(Vec<Firm>, Vec<Deal>)> {
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| DealReadError::Csv {
        file: file.into(),
        line: e.span().map_or(0, |s| text[..s.start.min(text.len())].lines().count() as u64),
        why: e.message().to_string(),
    })?;
    // lines of each `[[firm]]` / `[[deal]]` header, in order
    let header_lines = |name: &str| -> Vec<u64> {
        text.lines().enumerate().filter(|(_, l)| l.trim() == format!("[[{name}]]")).map(|(i, _)| i as u64 + 1).collect()
    };
    let tables = |name: &str| -> Result<Vec<TomlRow>> {
        let lines = header_lines(name);
        let Some(v) = doc.get(name) else { return Ok(vec![]) };
        let arr = v.as_array().ok_or_else(|| DealReadError::Csv {
            file: file.into(),
            line: 0,
            why: format!("`{name}` must be an array of tables ([[{name}]])"),
        })?;
        let mut out = Vec::new();
        for (k, t) in arr.iter().enumerate() {
            let line = lines.get(k).copied().unwrap_or(0);
            let t = t.as_table().ok_or_else(|| DealReadError::Csv {
                file: file.into(),
                line,
                why: format!("[[{name}]] entry {} is not a table", k + 1),
            })?;
            let mut cols = BTreeMap::new();
            let mut rec = Vec::new();
            for (i, (key, val)) in t.iter().enumerate() {
                cols.insert(key.clone(), i);
                rec.push(match val {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Float(f) => f.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    toml::Value::Datetime(d) => d.to_string(),
                    other => other.to_string(),
                });
            }
            out.push((line, rec, cols));
        }
        Ok(out)
    };
    let ft = tables("firm")?;
    let firms: Vec<Firm> = ft
        .iter()
        .map(|(line, rec, cols)| firm_from_row(&Row { file, line: *line, cols, rec: rec.clone() }))
        .collect::<Result<_>>()?;
    no_duplicates(file, firms.iter().zip(&ft).map(|(f, t)| (f.firm.clone(), t.0)))?;
    let names: BTreeSet<String> = firms.iter().map(|f| f.firm.clone()).collect();
    let dt = tables("deal")?;
    let deals: Vec<Deal> = dt
        .iter()
        .map(|(line, rec, cols)| {
            let row = Row { file, line: *line, cols, rec: rec.clone() };
            for c in ["date", "payer", "payee", "kind", "status"] {
                if !cols.contains_key(c) {
                    return Err(row.invalid(c, "missing; a value is required".into()));
                }
            }
            deal_from_row(&row, &names)
        })
        .collect::<Result<_>>()?;
    no_duplicates(file, deals.iter().zip(&dt).map(|(d, t)| (d.id.clone(), t.0)))?;
    Ok((firms, deals))
}

/// Reads a table of a text key and numeric columns (e.g. `firm,equity` or
/// `firm,external_assets,external_liabilities`); every number finite and ≥ 0, keys unique.
pub fn read_keyed_numbers(file: &Path, bytes: &[u8], key: &str, values: &[&str]) -> Result<Vec<(String, Vec<f64>)>> {
    let mut cols = BTreeMap::new();
    let mut req = vec![key];
    req.extend_from_slice(values);
    let rows = csv_rows(file, bytes, &req, &mut cols)?;
    if rows.is_empty() {
        return Err(DealReadError::Empty { file: file.into() });
    }
    no_duplicates(file, rows.iter().map(|r| (r.text(key), r.line)))?;
    rows.iter()
        .map(|r| {
            let k = r.required(key)?.to_string();
            let v = values
                .iter()
                .map(|c| r.opt_num(c, true)?.ok_or_else(|| r.invalid(c, "empty; a number is required".into())))
                .collect::<Result<Vec<f64>>>()?;
            Ok((k, v))
        })
        .collect()
}

/// Reads a table of links `from,to,amount` (e.g. `lender,borrower,amount` or
/// `debtor,creditor,amount`); amounts finite and ≥ 0.
pub fn read_links(file: &Path, bytes: &[u8], from: &str, to: &str, amount: &str) -> Result<Vec<(String, String, f64)>> {
    let mut cols = BTreeMap::new();
    let rows = csv_rows(file, bytes, &[from, to, amount], &mut cols)?;
    if rows.is_empty() {
        return Err(DealReadError::Empty { file: file.into() });
    }
    rows.iter()
        .map(|r| {
            let a = r.opt_num(amount, true)?.ok_or_else(|| r.invalid(amount, "empty; a number is required".into()))?;
            Ok((r.required(from)?.to_string(), r.required(to)?.to_string(), a))
        })
        .collect()
}

/// What one book ingest changed.
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct BookChange {
    pub book: String,
    /// The book's revision after the ingest (0 = no book).
    pub revision: u32,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// A stored book as listed.
#[derive(Debug, Clone, Serialize)]
pub struct BookInfo {
    pub book: String,
    pub revision: u32,
    pub deals: usize,
    pub firms: usize,
    pub fundamentals: usize,
    pub claims: usize,
    /// The earliest and latest date a current deal became known (`known_since`): the
    /// span of `--as-of` dates over which the graph changes. `None` without deals.
    pub first_known: Option<NaiveDate>,
    pub last_known: Option<NaiveDate>,
}

impl BookInfo {
    /// Parses the stored `known_since` span (ISO dates); the error names the bad value.
    fn with_known(mut self, first: Option<String>, last: Option<String>) -> std::result::Result<BookInfo, String> {
        let parse = |v: Option<String>| {
            v.map(|s| s.parse::<NaiveDate>().map_err(|err| format!("book {}: known_since `{s}`: {err}", self.book)))
                .transpose()
        };
        let (first, last) = (parse(first)?, parse(last)?);
        self.first_known = first;
        self.last_known = last;
        Ok(self)
    }
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn records(book: &DealBook) -> Vec<(&'static str, String, NaiveDate, String)> {
    let mut out = Vec::new();
    for d in &book.deals {
        out.push(("deal", d.id.clone(), d.known_since, json(d)));
    }
    for f in &book.firms {
        out.push(("firm", f.firm.clone(), f.valuation_date.unwrap_or(NaiveDate::MIN), json(f)));
    }
    for r in &book.fundamentals {
        out.push(("fundamentals", format!("{}:{}", r.firm, r.period), r.published, json(r)));
    }
    for c in &book.claims {
        out.push(("claim", c.claim_id.clone(), c.published, json(c)));
    }
    out
}

/// Writes one book inside an open ingest transaction (`ingest_id`: its row in the ingest
/// log): new and changed records open one new revision; identical data writes nothing.
pub(crate) fn ingest_book_in(
    tx: &rusqlite::Transaction<'_>,
    name: &str,
    book: &DealBook,
    ingest_id: i64,
) -> rusqlite::Result<BookChange> {
    let current: Option<u32> =
        tx.query_row("SELECT current_revision FROM deal_books WHERE book = ?1", [name], |r| r.get(0)).optional()?;
    let mut existing: BTreeMap<(String, String), String> = BTreeMap::new();
    {
        let mut stmt = tx.prepare("SELECT kind, key, record FROM deal_records WHERE book = ?1 AND rev_to IS NULL")?;
        let rows =
            stmt.query_map([name], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        for row in rows {
            let (k, key, rec) = row?;
            existing.insert((k, key), rec);
        }
    }
    let mut change = BookChange { book: name.into(), revision: current.unwrap_or(0), ..Default::default() };
    let mut todo = Vec::new();
    for (kind, key, known, json) in records(book) {
        match existing.get(&(kind.to_string(), key.clone())) {
            None => {
                change.added += 1;
                todo.push((kind, key, known, json, false));
            }
            Some(old) if *old != json => {
                change.changed += 1;
                todo.push((kind, key, known, json, true));
            }
            Some(_) => change.unchanged += 1,
        }
    }
    if todo.is_empty() {
        return Ok(change);
    }
    let rev = current.unwrap_or(0) + 1;
    tx.execute(
        "INSERT INTO deal_books (book, current_revision) VALUES (?1, ?2)
         ON CONFLICT(book) DO UPDATE SET current_revision = excluded.current_revision",
        params![name, rev],
    )?;
    tx.execute(
        "INSERT INTO deal_book_revisions (book, revision, ingest_id, added, changed) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![name, rev, ingest_id, change.added, change.changed],
    )?;
    for (kind, key, known, json, is_change) in todo {
        if is_change {
            tx.execute(
                "UPDATE deal_records SET rev_to = ?4 WHERE book = ?1 AND kind = ?2 AND key = ?3 AND rev_to IS NULL",
                params![name, kind, key, rev],
            )?;
        }
        tx.execute(
            "INSERT INTO deal_records (book, kind, key, rev_from, rev_to, known_since, record)
             VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6)",
            params![name, kind, key, rev, known.to_string(), json],
        )?;
    }
    change.revision = rev;
    Ok(change)
}

impl Store {
    /// Stores a book's records in one transaction (all or nothing): new records and
    /// changed ones open one new revision of the book; identical data writes nothing.
    /// To store a book with series in the same transaction, see [`Store::ingest_all`].
    pub fn ingest_book(
        &mut self,
        name: &str,
        label: &str,
        book: &DealBook,
    ) -> std::result::Result<BookChange, StoreError> {
        let summary = self.ingest_all(label, &[], &[], &[], &[(name, book)])?;
        Ok(summary.books.into_iter().next().unwrap_or_else(|| BookChange { book: name.into(), ..Default::default() }))
    }

    /// Stored books.
    pub fn list_books(&self) -> std::result::Result<Vec<BookInfo>, StoreError> {
        let conn = self.conn();
        let path = self.path().to_path_buf();
        let e = |source| StoreError::Sqlite { path: path.clone(), source };
        let mut stmt = conn
            .prepare(
                "SELECT b.book, b.current_revision,
                   SUM(r.kind = 'deal'), SUM(r.kind = 'firm'), SUM(r.kind = 'fundamentals'), SUM(r.kind = 'claim'),
                   MIN(CASE WHEN r.kind = 'deal' THEN r.known_since END),
                   MAX(CASE WHEN r.kind = 'deal' THEN r.known_since END)
                 FROM deal_books b LEFT JOIN deal_records r ON r.book = b.book AND r.rev_to IS NULL
                 GROUP BY b.book ORDER BY b.book",
            )
            .map_err(e)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(BookInfo {
                    book: r.get(0)?,
                    revision: r.get(1)?,
                    deals: r.get::<_, Option<usize>>(2)?.unwrap_or(0),
                    firms: r.get::<_, Option<usize>>(3)?.unwrap_or(0),
                    fundamentals: r.get::<_, Option<usize>>(4)?.unwrap_or(0),
                    claims: r.get::<_, Option<usize>>(5)?.unwrap_or(0),
                    first_known: None,
                    last_known: None,
                }
                .with_known(r.get::<_, Option<String>>(6)?, r.get::<_, Option<String>>(7)?))
            })
            .map_err(e)?;
        let books: Vec<std::result::Result<BookInfo, String>> =
            rows.map(|r| r.map_err(e)).collect::<std::result::Result<_, _>>()?;
        books
            .into_iter()
            .map(|b| b.map_err(|why| StoreError::Corrupt { path: self.path().into(), id: "deal books".into(), why }))
            .collect()
    }

    /// Loads a book at `revision` (default: current), each record in its latest version
    /// known by `as_of` (default: the latest version). `None` when the book is not stored.
    pub fn load_book(
        &self,
        name: &str,
        revision: Option<u32>,
        as_of: Option<NaiveDate>,
    ) -> std::result::Result<Option<DealBook>, StoreError> {
        let conn = self.conn();
        let path = self.path().to_path_buf();
        let e = |source| StoreError::Sqlite { path: path.clone(), source };
        let current: Option<u32> = conn
            .query_row("SELECT current_revision FROM deal_books WHERE book = ?1", [name], |r| r.get(0))
            .optional()
            .map_err(e)?;
        let Some(latest) = current else { return Ok(None) };
        let rev = revision.unwrap_or(latest);
        if rev == 0 || rev > latest {
            return Err(StoreError::RevisionNotFound { id: format!("deal book {name}"), revision: rev, latest });
        }
        let mut stmt = conn
            .prepare(
                "SELECT kind, key, rev_from, rev_to, known_since, record FROM deal_records
                 WHERE book = ?1 AND rev_from <= ?2 ORDER BY kind, key, rev_from",
            )
            .map_err(e)?;
        let rows = stmt
            .query_map(params![name, rev], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(2)?,
                    r.get::<_, Option<u32>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .map_err(e)?;
        // per (kind, key): the version valid at `rev`, or with as_of the latest known by then
        let mut pick: BTreeMap<(String, String), (NaiveDate, u32, String)> = BTreeMap::new();
        let mut fallback: BTreeMap<(String, String), (NaiveDate, u32, String)> = BTreeMap::new();
        for row in rows {
            let (kind, key, from, to, known, rec) = row.map_err(e)?;
            let known: NaiveDate = known.parse().map_err(|err| StoreError::Corrupt {
                path: self.path().into(),
                id: format!("deal book {name}: {kind} {key}"),
                why: format!("known_since: {err}"),
            })?;
            let valid_at_rev = to.is_none_or(|t| t > rev);
            let ok = match as_of {
                None => valid_at_rev,
                Some(d) => known <= d,
            };
            if !ok {
                // a firm exists before its valuation is known: keep its earliest version
                // (DealBook::as_of then blanks the valuation)
                if kind == "firm" {
                    let key2 = (kind.clone(), key.clone());
                    fallback.entry(key2).or_insert((known, from, rec));
                }
                continue;
            }
            let slot = pick.entry((kind, key)).or_insert((known, from, rec.clone()));
            if (known, from) >= (slot.0, slot.1) {
                *slot = (known, from, rec);
            }
        }
        for (k, v) in fallback {
            pick.entry(k).or_insert(v);
        }
        let mut book = DealBook::default();
        let corrupt = |kind: &str, key: &str, err: serde_json::Error| StoreError::Corrupt {
            path: self.path().into(),
            id: format!("deal book {name}: {kind} {key}"),
            why: err.to_string(),
        };
        for ((kind, key), (_, _, rec)) in pick {
            match kind.as_str() {
                "deal" => book.deals.push(serde_json::from_str(&rec).map_err(|x| corrupt(&kind, &key, x))?),
                "firm" => book.firms.push(serde_json::from_str(&rec).map_err(|x| corrupt(&kind, &key, x))?),
                "fundamentals" => {
                    book.fundamentals.push(serde_json::from_str(&rec).map_err(|x| corrupt(&kind, &key, x))?)
                }
                "claim" => book.claims.push(serde_json::from_str(&rec).map_err(|x| corrupt(&kind, &key, x))?),
                _ => {}
            }
        }
        if let Some(d) = as_of {
            book = book.as_of(d);
        }
        book.deals.sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
        Ok(Some(book))
    }
}
