//! Data in and out: CSV/FRED/Yahoo/Stooq/Parquet readers, the embedded SQLite store, the watchlist and the bundled demo data.
