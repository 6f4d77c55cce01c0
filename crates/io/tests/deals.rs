//! Deal-book readers (refusals with file, line and column; undisclosed amounts) and the
//! revisioned storage (a changed status is a new revision; `as_of` sees the book as known).

use fissure_io::deals::{read_claims, read_deals, read_firms, read_toml_book, DealReadError};
use fissure_io::Store;
use std::path::Path;

const FIRMS: &str = "firm,name,listed,valuation_usd_bn,valuation_date,valuation_kind,source\n\
NVDA,Nvidia,yes,5269.52,2026-08-20,market_cap,s\nOPENAI,OpenAI,no,500,2025-11-06,private_round,s\nORCL,Oracle,yes,414.241,2026-08-20,market_cap,s\nCRWV,CoreWeave,yes,,,market_cap,s\n";

const DEALS: &str = "date,date_precision,payer,payee,kind,amount_usd_bn,status,description,reported_by\n\
2025-05-23,day,ORCL,NVDA,chip_purchase,40,reported,chips,FT\n\
2025-09-10,day,OPENAI,ORCL,cloud_contract,300,reported,compute,WSJ\n\
2025-09-22,day,NVDA,OPENAI,equity_investment,100,letter_of_intent,up to $100B,announcement\n\
2025-09-22,day,OPENAI,NVDA,chip_purchase,,letter_of_intent,10 GW,announcement\n";

fn firms() -> Vec<fissure_core::Firm> {
    read_firms(Path::new("firms.csv"), FIRMS.as_bytes()).unwrap()
}

fn refused(deals: &str) -> String {
    let e = read_deals(Path::new("deals.csv"), deals.as_bytes(), &firms()).unwrap_err();
    e.to_string()
}

#[test]
fn reads_the_deals_and_keeps_undisclosed_amounts_undisclosed() {
    let d = read_deals(Path::new("deals.csv"), DEALS.as_bytes(), &firms()).unwrap();
    assert_eq!(d.len(), 4);
    assert_eq!(d[3].amount_usd_bn, None);
    assert_eq!(d[1].amount_usd_bn, Some(300.0));
    assert_eq!(d[0].known_since, d[0].date);
    assert_eq!(d[2].id, "2025-09-22:NVDA:OPENAI:equity_investment");
    let f = firms();
    assert_eq!(f[3].valuation_usd_bn, None);
    assert!(f[0].listed && !f[1].listed);
}

#[test]
fn refuses_bad_rows_with_file_line_and_column() {
    let bad_kind = DEALS.replace("chip_purchase,40", "gift,40");
    let e = refused(&bad_kind);
    assert!(e.starts_with("deals.csv:2:5: column `kind`: unknown kind `gift`"), "{e}");
    let bad_status = DEALS.replace("300,reported", "300,rumoured");
    assert!(refused(&bad_status).starts_with("deals.csv:3:7: column `status`: unknown status `rumoured`"));
    let unknown_firm = DEALS.replace("2025-05-23,day,ORCL", "2025-05-23,day,XYZ");
    assert!(refused(&unknown_firm).starts_with("deals.csv:2:3: column `payer`: firm `XYZ` is not in the firms table"));
    let negative = DEALS.replace(",300,", ",-300,");
    assert!(refused(&negative).starts_with("deals.csv:3:6: column `amount_usd_bn`: -300 is negative"));
    let text = DEALS.replace(",300,", ",lots,");
    assert!(refused(&text).starts_with("deals.csv:3:6: column `amount_usd_bn`: `lots` is not a number"));
    let date = DEALS.replace("2025-09-10", "2025-13-10");
    assert!(refused(&date).starts_with("deals.csv:3:1: column `date`: `2025-13-10` is not a date"));
    let date2 = DEALS.replace("2025-09-10", "10/09/2025");
    assert!(refused(&date2).contains("is not a date"));
    let dup = format!("{DEALS}2025-05-23,day,ORCL,NVDA,chip_purchase,41,reported,again,FT\n");
    assert!(matches!(
        read_deals(Path::new("deals.csv"), dup.as_bytes(), &firms()),
        Err(DealReadError::Duplicate { line: 6, first: 2, .. })
    ));
    let missing = "date,payer,payee,kind,status\n2025-01-01,NVDA,ORCL,chip_purchase,completed\n";
    assert!(refused(missing).contains("missing column `amount_usd_bn`"));
    let bad_firms = FIRMS.replace("414.241", "-5");
    assert!(read_firms(Path::new("firms.csv"), bad_firms.as_bytes())
        .unwrap_err()
        .to_string()
        .starts_with("firms.csv:4:4:"));
}

#[test]
fn toml_tables_read_like_the_csv() {
    let t = "[[firm]]\nfirm = \"A\"\nvaluation_usd_bn = 10\n\n[[firm]]\nfirm = \"B\"\n\n[[deal]]\ndate = \"2025-01-02\"\npayer = \"A\"\npayee = \"B\"\nkind = \"chip_purchase\"\namount_usd_bn = 3.5\nstatus = \"completed\"\n\n[[deal]]\ndate = \"2025-02-02\"\npayer = \"B\"\npayee = \"C\"\nkind = \"warrant\"\nstatus = \"announced\"\n";
    let e = read_toml_book(Path::new("w.toml"), t).unwrap_err().to_string();
    assert!(e.starts_with("w.toml:16:"), "{e}");
    assert!(e.contains("firm `C` is not in the firms table"));
    let ok = t.replace("payee = \"C\"", "payee = \"A\"");
    let (f, d) = read_toml_book(Path::new("w.toml"), &ok).unwrap();
    assert_eq!((f.len(), d.len()), (2, 2));
    assert_eq!(d[0].amount_usd_bn, Some(3.5));
    assert_eq!(d[1].amount_usd_bn, None);
}

#[test]
fn stored_with_revisions_and_seen_as_known() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = Store::open(&dir.path().join("s.sqlite")).unwrap();
    let book = fissure_core::DealBook {
        deals: read_deals(Path::new("deals.csv"), DEALS.as_bytes(), &firms()).unwrap(),
        firms: firms(),
        ..Default::default()
    };
    let c1 = st.ingest_book("ai", "first", &book).unwrap();
    assert_eq!((c1.revision, c1.added, c1.changed), (1, 8, 0));
    let before = st.dump().unwrap();
    let same = st.ingest_book("ai", "again", &book).unwrap();
    assert_eq!((same.revision, same.added, same.changed), (1, 0, 0));
    assert_eq!(st.dump().unwrap(), before, "identical data writes nothing");
    // the Nvidia → OpenAI investment is later described as only an intention with a new amount,
    // known from 2026-02-04
    let revised = DEALS.replace(
        "equity_investment,100,letter_of_intent,up to $100B,announcement",
        "equity_investment,50,letter_of_intent,only an intention,commentary",
    );
    let revised = revised.replace(
        "date,date_precision,payer,payee,kind,amount_usd_bn,status,description,reported_by",
        "date,date_precision,payer,payee,kind,amount_usd_bn,status,description,reported_by,known_since",
    );
    let revised: String = revised
        .lines()
        .enumerate()
        .map(|(i, l)| match i {
            0 => format!("{l}\n"),
            3 => format!("{l},2026-02-04\n"),
            _ => format!("{l},\n"),
        })
        .collect();
    let mut book2 = book.clone();
    book2.deals = read_deals(Path::new("deals2.csv"), revised.as_bytes(), &firms()).unwrap();
    let c2 = st.ingest_book("ai", "revised", &book2).unwrap();
    assert_eq!((c2.revision, c2.added, c2.changed), (2, 0, 1));
    let now = st.load_book("ai", None, None).unwrap().unwrap();
    let nv = |b: &fissure_core::DealBook| b.deals.iter().find(|d| d.payer == "NVDA").unwrap().amount_usd_bn;
    assert_eq!(nv(&now), Some(50.0));
    assert_eq!(nv(&st.load_book("ai", Some(1), None).unwrap().unwrap()), Some(100.0), "revision 1 readable");
    let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    // as known in December 2025: the old version; in March 2026: the new one
    assert_eq!(nv(&st.load_book("ai", None, Some(d("2025-12-31"))).unwrap().unwrap()), Some(100.0));
    assert_eq!(nv(&st.load_book("ai", None, Some(d("2026-03-01"))).unwrap().unwrap()), Some(50.0));
    // in June 2025 the deal did not exist yet, and OpenAI's valuation (2025-11-06) was not known
    let june = st.load_book("ai", None, Some(d("2025-06-30"))).unwrap().unwrap();
    assert_eq!(june.deals.len(), 1);
    assert_eq!(june.firm("OPENAI").unwrap().valuation_usd_bn, None);
    assert_eq!(june.firms.len(), 4);
    assert!(st.load_book("nope", None, None).unwrap().is_none());
    assert_eq!(st.list_books().unwrap()[0].deals, 4);
}

#[test]
fn claims_read() {
    let c = read_claims(
        Path::new("c.csv"),
        b"claim_id,published,subject,metric,period,value,unit,low,high,claim,source\nc1,2026-02-04,M7,share,2026-02,,share,,,x,y\n",
    )
    .unwrap();
    assert_eq!(c[0].value, None);
}

/// Series and a deal book ingested together are one transaction: when writing the book
/// fails, the series are not stored either (and with the failure gone, both are, once).
#[test]
fn a_failing_deal_book_leaves_no_series_stored() {
    use fissure_io::store::IngestItem;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let mut st = Store::open(&path).unwrap();
    let book = fissure_core::DealBook {
        deals: read_deals(Path::new("deals.csv"), DEALS.as_bytes(), &firms()).unwrap(),
        firms: firms(),
        ..Default::default()
    };
    let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let prices = fissure_core::Series::new(
        fissure_core::SeriesMeta::new("NVDA"),
        vec![d("2025-01-02"), d("2025-01-03")],
        vec![138.3, 144.5],
    )
    .unwrap();
    let items = [IngestItem { series: prices, origin: "nvda.csv".into() }];
    // stands for any failure while the book's records are written
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "CREATE TRIGGER refuse_deals BEFORE INSERT ON deal_records BEGIN SELECT RAISE(ABORT, 'refused'); END;",
    )
    .unwrap();
    let err = st.ingest_all("demo", &items, &[], &[], &[("ai", &book)]).unwrap_err();
    assert!(err.to_string().contains("refused"), "{err}");
    assert!(st.list().unwrap().is_empty(), "the prices must not be stored without the book");
    assert!(st.list_books().unwrap().is_empty());
    raw.execute_batch("DROP TRIGGER refuse_deals;").unwrap();
    let s = st.ingest_all("demo", &items, &[], &[], &[("ai", &book)]).unwrap();
    assert_eq!((s.series.len(), s.books.len(), s.books[0].revision, s.books[0].added), (1, 1, 1, 8));
    assert_eq!(st.list().unwrap().len(), 1);
    assert_eq!(st.list_books().unwrap()[0].deals, 4);
    let ingests: i64 = raw.query_row("SELECT COUNT(*) FROM ingests", [], |r| r.get(0)).unwrap();
    assert_eq!(ingests, 1, "one ingest for the series and the book");
}

#[test]
fn book_files_and_their_overlay() {
    // the bundled book: 26 deals, claims replaced from a file, then seen as of a date
    let net = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo/network");
    let book =
        fissure_io::deals::read_book_files(&net.join("ai_deals_2023_2025.csv"), &net.join("ai_firms.csv")).unwrap();
    assert_eq!(book.deals.len(), 26);
    assert!(book.claims.is_empty() && book.fundamentals.is_empty());
    let claims = net.join("ai_capex_claims.csv");
    let all = fissure_io::deals::overlay_files(book.clone(), Some(&claims), None, None).unwrap();
    assert_eq!(all.claims.len(), 20);
    assert_eq!(all.deals.len(), 26);
    let early =
        fissure_io::deals::overlay_files(book.clone(), None, None, Some("2024-01-01".parse().unwrap())).unwrap();
    assert!(!early.deals.is_empty() && early.deals.len() < 26, "{} deals known by 2024", early.deals.len());
    assert!(early.deals.iter().all(|d| d.known_since <= "2024-01-01".parse().unwrap()));
    // a missing file is refused with its name
    let e = fissure_io::deals::overlay_files(book, Some(Path::new("no/such/claims.csv")), None, None).unwrap_err();
    assert!(matches!(e, DealReadError::Io { .. }) && e.to_string().contains("no/such/claims.csv"), "{e}");
    let e = fissure_io::deals::read_book_files(Path::new("no/deals.csv"), &net.join("ai_firms.csv")).unwrap_err();
    assert!(e.to_string().contains("no/deals.csv"), "{e}");
}
