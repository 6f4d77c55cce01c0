//! Writes: uploaded files (`POST /api/v1/ingest`) and the scheduled folder,
//! read and validated exactly as `fissure ingest` does (the same readers and
//! messages), then stored in one transaction — all or nothing.

use crate::error::{ApiError, DataLocation};
use crate::state::AppState;
use axum::body::Bytes;
use fissure_io::store::{ChangeKind, IngestItem, IngestSection, IngestSummary};
use fissure_io::{read_bytes, read_file, ReadError, ReadOptions};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// File extensions read from a folder (as `fissure ingest DIR`).
const DATA_EXTENSIONS: &[&str] = &["csv", "txt", "tsv", "parquet"];

/// The name of an uploaded file: its last path component only (a client-sent
/// `../../x.csv` names `x.csv`; nothing is ever written under this name, it
/// only gives the default series id and the format hint).
pub fn upload_name(sent: Option<&str>) -> String {
    let last = sent.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("").trim();
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    if clean.is_empty() || clean == "." || clean == ".." {
        "upload.csv".into()
    } else {
        clean
    }
}

fn invalid(e: &ReadError) -> ApiError {
    let mut err = ApiError::bad_request(format!("{e}; nothing was stored"));
    err.code = "invalid_data";
    err.location = Some(Box::new(DataLocation {
        file: Some(e.file().display().to_string()),
        line: e.line(),
        column: e.column(),
        kind: Some(e.kind().to_string()),
    }));
    err
}

/// Stores what was read, in one transaction, and starts the report rebuild when data changed.
async fn store(
    state: &Arc<AppState>,
    label: String,
    items: Vec<IngestItem>,
    sections: Vec<IngestSection>,
    warnings: Vec<String>,
) -> Result<Value, ApiError> {
    let _one_at_a_time = state.ingest_lock.lock().await;
    let st = state.clone();
    let summary: IngestSummary =
        tokio::task::spawn_blocking(move || st.pool.with(|s| s.ingest(&label, &items, &sections)))
            .await
            .map_err(|e| ApiError::internal(format!("ingest stopped: {e}")))?
            .map_err(|e| ApiError::internal(e.to_string()))?
            .map_err(|e| match e {
                fissure_io::StoreError::DuplicateInBatch { .. } => {
                    ApiError::bad_request(format!("{e}; nothing was stored"))
                }
                other => ApiError::internal(format!("{other}; nothing was stored")),
            })?;
    let changed = summary.series.iter().chain(&summary.sections).any(|c| c.kind != ChangeKind::Unchanged);
    state.counters.ingests.fetch_add(1, Ordering::Relaxed);
    let generation = if changed {
        let g = state.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let st = state.clone();
        tokio::spawn(async move { st.refresh_latest().await });
        g
    } else {
        state.generation.load(Ordering::SeqCst)
    };
    tracing::info!(changed, generation, series = summary.series.len(), sections = summary.sections.len(), "ingest");
    Ok(json!({
        "changed": changed,
        "generation": generation,
        "report": if changed { "rebuilding" } else { "unchanged" },
        "series": summary.series,
        "sections": summary.sections,
        "warnings": warnings,
    }))
}

/// Reads uploaded files (every one validated before anything is stored) and stores them.
pub async fn ingest_uploads(
    state: &Arc<AppState>,
    files: Vec<(String, Bytes)>,
    id: Option<String>,
) -> Result<Value, ApiError> {
    if files.is_empty() {
        return Err(ApiError::bad_request("no `file` field in the upload; nothing was stored"));
    }
    if id.is_some() && files.len() != 1 {
        return Err(ApiError::bad_request(format!("`id` names one series, but {} files were sent", files.len())));
    }
    let (items, sections, warnings, label) = tokio::task::spawn_blocking(move || {
        let mut items = Vec::new();
        let mut sections = Vec::new();
        let mut warnings = Vec::new();
        let mut names = Vec::new();
        for (name, data) in &files {
            let opts = ReadOptions { id: id.clone(), ..Default::default() };
            let out = read_bytes(Path::new(name), data, &opts).map_err(|e| invalid(&e))?;
            warnings.extend(out.warnings.iter().map(|w| format!("{}: {}", w.file.display(), w.message)));
            let origin = format!("upload:{name}");
            items.extend(out.series.into_iter().map(|series| IngestItem { series, origin: origin.clone() }));
            sections.extend(out.sections.into_iter().map(|section| IngestSection { section, origin: origin.clone() }));
            names.push(origin);
        }
        Ok::<_, ApiError>((items, sections, warnings, format!("serve: {}", names.join(" "))))
    })
    .await
    .map_err(|e| ApiError::internal(format!("reading stopped: {e}")))??;
    if items.is_empty() && sections.is_empty() {
        return Err(ApiError::bad_request("the upload holds no series; nothing was stored"));
    }
    store(state, label, items, sections, warnings).await
}

/// Data files of a folder, sorted; hidden and other files are listed as skipped.
pub fn folder_files(folder: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(folder)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    let (mut files, mut skipped) = (Vec::new(), Vec::new());
    for e in entries {
        let hidden = e.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
        let data = e
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| DATA_EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()));
        if e.is_file() && data && !hidden {
            files.push(e);
        } else if e.is_file() {
            skipped.push(e);
        }
    }
    Ok((files, skipped))
}

/// Re-ingests every data file of `folder` (all or nothing).
pub async fn ingest_folder(state: &Arc<AppState>, folder: &Path) -> Result<Value, ApiError> {
    let folder = folder.to_path_buf();
    let (items, sections, warnings, label) = tokio::task::spawn_blocking(move || {
        let (files, skipped) = folder_files(&folder)
            .map_err(|e| ApiError::internal(format!("reading folder {}: {e}", folder.display())))?;
        let mut warnings: Vec<String> =
            skipped.iter().map(|s| format!("skipped {} (not a data file)", s.display())).collect();
        let (mut items, mut sections) = (Vec::new(), Vec::new());
        for path in &files {
            let out = read_file(path, &ReadOptions::default()).map_err(|e| invalid(&e))?;
            warnings.extend(out.warnings.iter().map(|w| format!("{}: {}", w.file.display(), w.message)));
            let origin = path.display().to_string();
            items.extend(out.series.into_iter().map(|series| IngestItem { series, origin: origin.clone() }));
            sections.extend(out.sections.into_iter().map(|section| IngestSection { section, origin: origin.clone() }));
        }
        Ok::<_, ApiError>((items, sections, warnings, format!("serve schedule: {}", folder.display())))
    })
    .await
    .map_err(|e| ApiError::internal(format!("reading stopped: {e}")))??;
    for w in &warnings {
        tracing::warn!(warning = %w, "scheduled ingest");
    }
    if items.is_empty() && sections.is_empty() {
        return Ok(json!({ "changed": false, "series": [], "sections": [], "warnings": warnings }));
    }
    store(state, label, items, sections, warnings).await
}

/// Re-ingests the scheduled folder every `every_minutes`, forever.
pub async fn run_schedule(state: Arc<AppState>, folder: PathBuf, every_minutes: f64) {
    let period = std::time::Duration::from_secs_f64(every_minutes * 60.0);
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await; // the first tick is immediate: the store is already loaded at start
    loop {
        tick.tick().await;
        match ingest_folder(&state, &folder).await {
            Ok(v) => tracing::info!(folder = %folder.display(), changed = %v["changed"], "scheduled ingest"),
            Err(e) => {
                tracing::error!(folder = %folder.display(), detail = %e.detail, "scheduled ingest failed; nothing was stored")
            }
        }
    }
}
