//! The bundled demo goes into the store in one transaction: prices and deal book together.

use fissure_io::Store;

#[test]
fn a_failing_demo_deal_book_leaves_no_prices_stored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let mut st = Store::open(&path).unwrap();
    // stands for any failure while the deal book is written, after the prices
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "CREATE TRIGGER refuse_deals BEFORE INSERT ON deal_records BEGIN SELECT RAISE(ABORT, 'refused'); END;",
    )
    .unwrap();
    let err = fissure_app::ingest_demo(&mut st, "demo").unwrap_err();
    assert!(format!("{err}").contains("refused") || format!("{err:?}").contains("refused"), "{err:?}");
    assert!(st.list().unwrap().is_empty(), "no prices without the deal book");
    assert!(st.list_books().unwrap().is_empty());
    raw.execute_batch("DROP TRIGGER refuse_deals;").unwrap();
    fissure_app::ingest_demo(&mut st, "demo").unwrap();
    assert!(!st.list().unwrap().is_empty());
    assert_eq!(st.list_books().unwrap().len(), 1);
}
