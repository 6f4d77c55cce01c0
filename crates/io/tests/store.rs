//! The store: revisions, identical re-ingest, merging, atomic batches, cross-sections, concurrency.

use chrono::NaiveDate;
use fissure_core::{AssetClass, CrossSection, CrossSectionRow, Frequency, Ohlcv, Series, SeriesMeta};
use fissure_io::store::{ChangeKind, IngestItem, IngestSection, Store, StoreError};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn series(id: &str, pts: &[(&str, f64)]) -> Series {
    let meta = SeriesMeta {
        id: id.into(),
        name: format!("{id} name"),
        asset_class: AssetClass::Etf,
        unit: "USD".into(),
        frequency: Frequency::Daily,
        source: "test".into(),
    };
    Series::new(meta, pts.iter().map(|p| d(p.0)).collect(), pts.iter().map(|p| p.1).collect()).unwrap()
}

fn item(s: Series) -> IngestItem {
    IngestItem { series: s, origin: "test.csv".into() }
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sub/store.sqlite")).unwrap();
    (dir, store)
}

#[test]
fn identical_reingest_changes_nothing() {
    let (_dir, mut st) = temp_store();
    let a = series("A", &[("2024-01-02", 1.0), ("2024-01-03", 2.0)]);
    let s1 = st.ingest("first", &[item(a.clone())], &[]).unwrap();
    assert_eq!(s1.series[0].kind, ChangeKind::New);
    let before = st.dump().unwrap();
    let s2 = st.ingest("again", &[item(a.clone())], &[]).unwrap();
    assert_eq!(s2.series[0].kind, ChangeKind::Unchanged);
    assert_eq!(st.dump().unwrap(), before, "identical data must leave the store unchanged");
    assert_eq!(st.load("A", None).unwrap(), a);
}

#[test]
fn changed_values_open_a_revision_and_keep_the_old_one() {
    let (_dir, mut st) = temp_store();
    let v1 = series("A", &[("2024-01-02", 1.0), ("2024-01-03", 2.0), ("2024-01-04", 3.0)]);
    st.ingest("v1", &[item(v1.clone())], &[]).unwrap();
    // a vendor correction on 01-03, a new day 01-05, and 01-02 absent from the new file
    let v2 = series("A", &[("2024-01-03", 2.5), ("2024-01-04", 3.0), ("2024-01-05", 4.0)]);
    let s = st.ingest("v2", &[item(v2)], &[]).unwrap();
    let c = &s.series[0];
    assert_eq!((c.kind, c.revision, c.added, c.changed, c.observations), (ChangeKind::Revised, 2, 1, 1, 4));
    let cur = st.load("A", None).unwrap();
    assert_eq!(cur.values(), &[1.0, 2.5, 3.0, 4.0], "merge keeps 01-02, corrects 01-03, adds 01-05");
    assert_eq!(st.load("A", Some(1)).unwrap(), v1, "revision 1 is still readable unchanged");
    assert_eq!(st.load("A", Some(2)).unwrap(), cur);
    assert!(matches!(st.load("A", Some(3)), Err(StoreError::RevisionNotFound { latest: 2, .. })));
    let revs = st.revisions("A").unwrap();
    assert_eq!(revs.iter().map(|r| (r.revision, r.added, r.changed)).collect::<Vec<_>>(), vec![(1, 3, 0), (2, 1, 1)]);
    assert_eq!(revs[1].label, "v2");
}

#[test]
fn ohlcv_round_trips_with_missing_parts() {
    let (_dir, mut st) = temp_store();
    let meta = SeriesMeta::new("X");
    let o = Ohlcv {
        open: vec![Some(1.0), None],
        high: vec![Some(2.0), Some(3.0)],
        low: vec![Some(0.5), Some(1.0)],
        volume: vec![None, Some(100.0)],
    };
    let s = Series::with_ohlcv(meta, vec![d("2024-01-02"), d("2024-01-03")], vec![1.5, 2.5], Some(o)).unwrap();
    st.ingest("x", &[item(s.clone())], &[]).unwrap();
    assert_eq!(st.load("X", None).unwrap(), s);
}

#[test]
fn a_batch_with_a_duplicate_id_stores_nothing() {
    let (_dir, mut st) = temp_store();
    st.ingest("seed", &[item(series("A", &[("2024-01-02", 1.0)]))], &[]).unwrap();
    let before = st.dump().unwrap();
    let batch = [
        item(series("B", &[("2024-01-02", 1.0)])),
        IngestItem { series: series("B", &[("2024-01-03", 1.0)]), origin: "other.csv".into() },
    ];
    let e = st.ingest("dup", &batch, &[]).unwrap_err();
    assert!(matches!(e, StoreError::DuplicateInBatch { .. }), "{e}");
    assert_eq!(st.dump().unwrap(), before);
}

#[test]
fn cross_sections_are_revisioned_too() {
    let (_dir, mut st) = temp_store();
    let sec = |date: &str, v: f64| IngestSection {
        section: CrossSection {
            id: "CAPS".into(),
            field: "market_cap".into(),
            date: d(date),
            rows: vec![
                CrossSectionRow { symbol: "AAA".into(), name: Some("A Inc".into()), value: v },
                CrossSectionRow { symbol: "BBB".into(), name: None, value: 2.0 },
            ],
        },
        origin: "caps.csv".into(),
    };
    let s = st.ingest("caps", &[], &[sec("2024-01-02", 1.0), sec("2024-02-02", 1.5)]).unwrap();
    assert_eq!(s.sections[0].kind, ChangeKind::New);
    assert_eq!(s.sections[0].observations, 4);
    let again = st.ingest("caps", &[], &[sec("2024-02-02", 1.5)]).unwrap();
    assert_eq!(again.sections[0].kind, ChangeKind::Unchanged);
    let rev = st.ingest("caps", &[], &[sec("2024-02-02", 9.0)]).unwrap();
    assert_eq!((rev.sections[0].kind, rev.sections[0].changed), (ChangeKind::Revised, 1));
    let loaded = st.load_sections("CAPS", "market_cap").unwrap();
    assert_eq!(loaded.len(), 2);
    assert_eq!(loaded[1].rows[0].value, 9.0);
    assert_eq!(loaded[0].rows[0].name.as_deref(), Some("A Inc"));
    let info = st.list_sections().unwrap();
    assert_eq!((info[0].revision, info[0].dates, info[0].rows), (2, 2, 4));
}

#[test]
fn concurrent_writers_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    Store::open(&path).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut st = Store::open(&path).unwrap();
                for k in 0..10 {
                    let id = format!("S{t}_{k}");
                    let pts: Vec<(String, f64)> =
                        (1..=28).map(|day| (format!("2024-02-{day:02}"), (t * 100 + k) as f64 + day as f64)).collect();
                    let pts: Vec<(&str, f64)> = pts.iter().map(|(a, b)| (a.as_str(), *b)).collect();
                    st.ingest(&id, &[item(series(&id, &pts))], &[]).unwrap();
                    // and every writer adds a date to one shared series
                    let day = (d("2024-03-01") + chrono::Days::new((t * 10 + k) as u64)).to_string();
                    st.ingest("shared", &[item(series("SHARED", &[(day.as_str(), 1.0)]))], &[]).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let st = Store::open(&path).unwrap();
    let list = st.list().unwrap();
    assert_eq!(list.len(), 41);
    assert!(list.iter().filter(|s| s.meta.id != "SHARED").all(|s| s.observations == 28));
    let shared = st.load("SHARED", None).unwrap();
    assert_eq!(shared.len(), 40, "every writer's date of the shared series survives");
    assert_eq!(st.revisions("SHARED").unwrap().len(), 40);
}

// ---- store integrity: metadata across updates, read-only opening, foreign files, ids ----

use fissure_io::store::Declared;

fn bare(id: &str, pts: &[(&str, f64)]) -> Series {
    // what a reader gives for a plain file: name = id, class unknown, inferred frequency
    Series::new(SeriesMeta::new(id), pts.iter().map(|p| d(p.0)).collect(), pts.iter().map(|p| p.1).collect()).unwrap()
}

#[test]
fn a_plain_file_never_resets_stored_metadata() {
    let (_dir, mut st) = temp_store();
    let full = series("SPX", &[("2024-01-02", 1.0), ("2024-01-03", 2.0), ("2024-01-04", 3.0), ("2024-01-05", 4.0)]);
    st.ingest("catalog", &[item(full.clone())], &[]).unwrap();
    // a corrected close and one appended day, from a file with no metadata at all
    let fix = bare("SPX", &[("2024-01-04", 3.5), ("2024-01-08", 5.0)]);
    let s = st.ingest_with("fix.csv", &[item(fix)], &[], &[Declared::NONE]).unwrap();
    assert_eq!(s.series[0].kind, ChangeKind::Revised);
    assert!(s.series[0].metadata.is_empty(), "{:?}", s.series[0].metadata);
    let (m, _) = st.meta("SPX").unwrap();
    assert_eq!(m, full.meta, "name, class, unit, frequency and source survive a data update");
    assert_eq!(st.meta_revisions("SPX").unwrap().len(), 1);
}

#[test]
fn a_stated_metadata_change_is_a_new_metadata_revision() {
    let (_dir, mut st) = temp_store();
    let a = series("A", &[("2024-01-02", 1.0), ("2024-01-03", 2.0)]);
    st.ingest("v1", &[item(a.clone())], &[]).unwrap();
    let mut b = a.clone();
    b.meta.asset_class = AssetClass::Stock;
    b.meta.frequency = Frequency::Weekly;
    let decl = Declared { asset_class: true, frequency: true, ..Declared::NONE };
    let s = st.ingest_with("reclass", &[item(b)], &[], &[decl]).unwrap();
    let c = &s.series[0];
    assert_eq!(c.kind, ChangeKind::Unchanged, "the data did not change");
    let fields: Vec<&str> = c.metadata.iter().map(|m| m.field).collect();
    assert_eq!(fields, ["asset_class", "frequency"]);
    assert_eq!(c.meta_revision, 2);
    let revs = st.meta_revisions("A").unwrap();
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[0].meta.asset_class, AssetClass::Etf);
    assert_eq!(revs[1].meta.asset_class, AssetClass::Stock);
    assert_eq!(revs[1].label.as_deref(), Some("reclass"));
    assert_eq!(st.meta("A").unwrap().0.asset_class, AssetClass::Stock);
    // the cache fingerprint moves with the metadata
    assert!(st.fingerprint(&["A"]).unwrap().ends_with("m2"));
    // restating the same metadata changes nothing at all
    let before = st.dump().unwrap();
    let mut b2 = a.clone();
    b2.meta.asset_class = AssetClass::Stock;
    b2.meta.frequency = Frequency::Weekly;
    st.ingest_with("again", &[item(b2)], &[], &[decl]).unwrap();
    assert_eq!(st.dump().unwrap(), before);
}

#[test]
fn read_only_opening_never_creates_or_changes_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo/store.sqlite");
    assert!(matches!(Store::open_read_only(&missing), Err(StoreError::NoStore { .. })));
    assert!(!missing.exists() && !dir.path().join("typo").exists(), "nothing created");

    // a foreign SQLite database: refused by readers AND writers, byte-identical afterwards
    let foreign = dir.path().join("other.sqlite");
    {
        let c = rusqlite::Connection::open(&foreign).unwrap();
        c.execute_batch("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('x');").unwrap();
    }
    let bytes = std::fs::read(&foreign).unwrap();
    let e = Store::open_read_only(&foreign).err().unwrap();
    assert!(matches!(e, StoreError::NotAStore { .. }) && e.to_string().contains("people"), "{e}");
    assert!(matches!(Store::open(&foreign), Err(StoreError::NotAStore { .. })));
    assert_eq!(std::fs::read(&foreign).unwrap(), bytes, "the foreign file is unchanged");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "no -wal/-shm files beside the foreign file: {names:?}");

    // any other file
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello, this is not a database at all........................................").unwrap();
    let e = Store::open_read_only(&text).err().unwrap();
    assert!(e.to_string().contains("not a Fissure store"), "{e}");
    assert!(matches!(Store::open(&text), Err(StoreError::NotAStore { .. })));

    // a real store: read-only handles read, and writing through them is impossible
    let path = dir.path().join("s.sqlite");
    Store::open(&path).unwrap().ingest("t", &[item(series("A", &[("2024-01-02", 1.0)]))], &[]).unwrap();
    let before = std::fs::read(&path).unwrap();
    let ro = Store::open_read_only(&path).unwrap();
    assert!(ro.is_read_only());
    assert_eq!(ro.list().unwrap().len(), 1);
    ro.cache_put("k", b"v").unwrap();
    assert_eq!(ro.cache_get("k").unwrap(), None, "a read-only handle writes no cache");
    drop(ro);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn read_only_opening_does_not_migrate_an_old_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.sqlite");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE series (id TEXT PRIMARY KEY, name TEXT NOT NULL, asset_class TEXT NOT NULL, unit TEXT NOT NULL,
               frequency TEXT NOT NULL, source TEXT NOT NULL, current_revision INTEGER NOT NULL);
             CREATE TABLE ingests (id INTEGER PRIMARY KEY, at TEXT NOT NULL, label TEXT NOT NULL);
             CREATE TABLE revisions (series_id TEXT, revision INTEGER, ingest_id INTEGER, added INTEGER, changed INTEGER);
             CREATE TABLE observations (series_id TEXT, date TEXT, rev_from INTEGER, rev_to INTEGER, value REAL,
               open REAL, high REAL, low REAL, volume REAL);
             CREATE TABLE sections (id TEXT, field TEXT, current_revision INTEGER);
             CREATE TABLE section_rows (section_id TEXT, field TEXT, date TEXT, symbol TEXT, rev_from INTEGER,
               rev_to INTEGER, name TEXT, value REAL);
             INSERT INTO series VALUES ('A','A','etf','USD','daily','t',1);
             INSERT INTO ingests VALUES (1,'2026-01-01T00:00:00Z','old');
             INSERT INTO revisions VALUES ('A',1,1,1,0);
             INSERT INTO observations VALUES ('A','2024-01-02',1,NULL,5.0,NULL,NULL,NULL,NULL);
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let ro = Store::open_read_only(&path).unwrap();
    assert_eq!(ro.schema_version().unwrap(), 1);
    assert_eq!(ro.load("A", None).unwrap().values(), &[5.0]);
    assert!(ro.meta_revisions("A").unwrap().is_empty());
    assert_eq!(ro.cache_get("x").unwrap(), None);
    drop(ro);
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "reading did not migrate");
}

#[test]
fn ids_outside_the_grammar_are_refused_and_nothing_is_stored() {
    let (_dir, mut st) = temp_store();
    let before = st.dump().unwrap();
    for bad in ["", "a b", "evil\n", "\u{1b}[31mred", "a/b", "x."] {
        let s = bare(bad, &[("2024-01-02", 1.0)]);
        let good = bare("GOOD", &[("2024-01-02", 1.0)]);
        let e = st.ingest("t", &[item(good), item(s)], &[]).err().unwrap_or_else(|| panic!("{bad:?} accepted"));
        assert!(matches!(e, StoreError::InvalidId { .. }), "{bad:?}: {e}");
        let msg = e.to_string();
        assert!(!msg.contains('\n') && !msg.contains('\u{1b}'), "the message echoes raw control characters: {msg:?}");
        assert_eq!(st.dump().unwrap(), before, "{bad:?}: something was stored");
    }
}
