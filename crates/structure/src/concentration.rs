//! Concentration of index market capitalisation: top-k shares, the
//! Herfindahl–Hirschman index `HHI = Σ s_i²` (Hirschman 1964; Herfindahl 1950),
//! the effective number of constituents `1/HHI` (Adelman 1969), and the share of a
//! named group (the Magnificent 7), per snapshot.
//!
//! **Issuers, not share classes.** Dual share classes (GOOGL/GOOG, BRK.A/BRK.B,
//! FOXA/FOX, NWSA/NWS, DISCA/DISCK, UAA/UA, …) are merged into one issuer by
//! (1) a table of known pairs and (2) the company name with its class suffix
//! removed ("Alphabet Inc. (Class A)" ≡ "Alphabet Inc. (Class C)"). Symbols are
//! normalised (`BRK-B` → `BRK.B`) and renamed tickers mapped (`FB` → `META`).
//! In the bundled S&P 500 file every class row carries the issuer's *total*
//! market capitalisation (price × all shares: GOOGL 4,216 bn and GOOG 4,179 bn on
//! 2026-08-20), so the default merge keeps the largest row of an issuer
//! ([`MergeRule::Max`]); use [`MergeRule::Sum`] for sources that list each class's
//! own capitalisation. Rows without a positive market cap are dropped and counted.

use crate::error::{Result, StructureError};
use chrono::NaiveDate;
use fissure_core::CrossSection;
use serde::Serialize;
use std::collections::BTreeMap;

/// How the rows of one issuer are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeRule {
    /// Keep the largest row (each row already holds the issuer's total cap).
    Max,
    /// Add the rows (each row holds its own class's cap).
    Sum,
}

/// Settings of [`concentration`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConcentrationConfig {
    pub top_k: Vec<usize>,
    /// Named group: label and member tickers (issuer keys after merging).
    pub group_name: String,
    pub group: Vec<String>,
    pub merge: MergeRule,
}

impl Default for ConcentrationConfig {
    fn default() -> Self {
        ConcentrationConfig {
            top_k: vec![1, 5, 10],
            group_name: "mag7".into(),
            group: ["AAPL", "MSFT", "GOOGL", "AMZN", "META", "NVDA", "TSLA"].iter().map(|s| s.to_string()).collect(),
            merge: MergeRule::Max,
        }
    }
}

/// One issuer after merging share classes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issuer {
    pub key: String,
    pub name: Option<String>,
    pub symbols: Vec<String>,
    pub value: f64,
    pub share: f64,
}

/// Concentration of one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concentration {
    pub date: NaiveDate,
    pub total: f64,
    pub n_rows: usize,
    pub n_issuers: usize,
    /// Rows dropped for a missing or non-positive value.
    pub n_dropped: usize,
    /// (k, share of the k largest issuers).
    pub top_k: Vec<(usize, f64)>,
    /// Σ s_i² with shares as fractions (multiply by 10,000 for the antitrust scale).
    pub hhi: f64,
    /// 1 / HHI.
    pub effective_n: f64,
    pub group_name: String,
    pub group_share: f64,
    /// Group members found in the snapshot.
    pub group_found: Vec<String>,
    /// The largest issuers (up to the largest k of `top_k`).
    pub leaders: Vec<Issuer>,
}

/// Known dual-class / renamed tickers → issuer key.
const ALIASES: &[(&str, &str)] = &[
    ("GOOG", "GOOGL"),
    ("BRK.A", "BRK.B"),
    ("FOX", "FOXA"),
    ("NWS", "NWSA"),
    ("DISCK", "DISCA"),
    ("DISCB", "DISCA"),
    ("UA", "UAA"),
    ("CMCSK", "CMCSA"),
    ("VIA", "VIAB"),
    ("BF.A", "BF.B"),
    ("LEN.B", "LEN"),
    ("HEI.A", "HEI"),
    ("LBTYK", "LBTYA"),
    ("LBTYB", "LBTYA"),
    ("Z", "ZG"),
    ("FB", "META"),
];

/// Upper-case ticker with `-` and `/` share-class separators as `.`.
pub fn normalise_symbol(s: &str) -> String {
    s.trim().to_uppercase().replace(['-', '/'], ".")
}

/// Company name without its share-class suffix, lower-case and without punctuation.
pub fn issuer_name(name: &str) -> String {
    let mut n = name.to_lowercase();
    for pat in ["(class a)", "(class b)", "(class c)", "class a", "class b", "class c", "series a", "series c"] {
        n = n.replace(pat, "");
    }
    let n = n.trim_end_matches([' ', '-']);
    // a trailing "-A" / "-C" as in "Discovery Communications-A"
    let n = if n.len() > 2 && (n.ends_with("-a") || n.ends_with("-b") || n.ends_with("-c")) {
        &n[..n.len() - 2]
    } else {
        n
    };
    n.chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ')
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Merges share classes of one snapshot into issuers (see the module docs).
pub fn merge_issuers(section: &CrossSection, rule: MergeRule) -> (Vec<Issuer>, usize) {
    static ALIAS: std::sync::OnceLock<std::collections::HashMap<&'static str, &'static str>> =
        std::sync::OnceLock::new();
    let alias = ALIAS.get_or_init(|| ALIASES.iter().copied().collect());
    let mut dropped = 0usize;
    // first pass: ticker key; second: names with a class marker join the issuer of the same name
    let mut by_key: BTreeMap<String, Issuer> = BTreeMap::new();
    let mut name_to_key: BTreeMap<String, String> = BTreeMap::new();
    for row in &section.rows {
        if !(row.value.is_finite() && row.value > 0.0) {
            dropped += 1;
            continue;
        }
        let sym = normalise_symbol(&row.symbol);
        let mut key = alias.get(sym.as_str()).map(|s| s.to_string()).unwrap_or_else(|| sym.clone());
        if let Some(name) = &row.name {
            let nb = name.as_bytes();
            let has_class = nb.windows(6).any(|w| w.eq_ignore_ascii_case(b"class "))
                || (nb.len() > 2
                    && nb[nb.len() - 2] == b'-'
                    && matches!(nb[nb.len() - 1].to_ascii_lowercase(), b'a' | b'b' | b'c'));
            let norm = if has_class { issuer_name(name) } else { String::new() };
            if has_class && !norm.is_empty() {
                match name_to_key.get(&norm) {
                    Some(k) => key = k.clone(),
                    None => {
                        name_to_key.insert(norm, key.clone());
                    }
                }
            }
        }
        let e = by_key.entry(key.clone()).or_insert_with(|| Issuer {
            key: key.clone(),
            name: row.name.clone(),
            symbols: vec![],
            value: 0.0,
            share: 0.0,
        });
        e.symbols.push(sym);
        e.value = match rule {
            MergeRule::Max => e.value.max(row.value),
            MergeRule::Sum => e.value + row.value,
        };
    }
    let mut v: Vec<Issuer> = by_key.into_values().collect();
    let total: f64 = v.iter().map(|i| i.value).sum();
    for i in v.iter_mut() {
        i.share = i.value / total;
    }
    v.sort_by(|a, b| b.value.total_cmp(&a.value).then_with(|| a.key.cmp(&b.key)));
    (v, dropped)
}

/// Concentration measures of one snapshot.
pub fn concentration(section: &CrossSection, cfg: &ConcentrationConfig) -> Result<Concentration> {
    let (issuers, dropped) = merge_issuers(section, cfg.merge);
    if issuers.is_empty() {
        return Err(StructureError::Missing(format!(
            "snapshot {} of `{}` has no positive values",
            section.date, section.id
        )));
    }
    let total: f64 = issuers.iter().map(|i| i.value).sum();
    let hhi: f64 = issuers.iter().map(|i| i.share * i.share).sum();
    let top_k = cfg.top_k.iter().map(|&k| (k, issuers.iter().take(k).map(|i| i.share).sum::<f64>())).collect();
    let group: Vec<String> = cfg.group.iter().map(|s| normalise_symbol(s)).collect();
    let found: Vec<&Issuer> = issuers.iter().filter(|i| group.contains(&i.key)).collect();
    let kmax = cfg.top_k.iter().copied().max().unwrap_or(10);
    Ok(Concentration {
        date: section.date,
        total,
        n_rows: section.rows.len(),
        n_issuers: issuers.len(),
        n_dropped: dropped,
        top_k,
        hhi,
        effective_n: 1.0 / hhi,
        group_name: cfg.group_name.clone(),
        group_share: found.iter().map(|i| i.share).sum(),
        group_found: found.iter().map(|i| i.key.clone()).collect(),
        leaders: issuers.into_iter().take(kmax).collect(),
    })
}

/// Concentration of every snapshot, in date order.
pub fn concentration_history(sections: &[CrossSection], cfg: &ConcentrationConfig) -> Result<Vec<Concentration>> {
    let mut v: Vec<Concentration> = sections.iter().map(|s| concentration(s, cfg)).collect::<Result<_>>()?;
    v.sort_by_key(|c| c.date);
    Ok(v)
}
