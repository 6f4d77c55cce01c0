#!/usr/bin/env python3
"""Writes crates/io/tests/data/pyarrow_spx_2026.parquet with pyarrow (an independent Parquet
writer), from the real rows of crates/io/tests/data/stooq_spx_2026.csv (themselves copied from
data/demo/prices/sp500_index_daily.csv). Snappy compression and a DATE column, as pandas writes.
Also checks a file written by Fissure's `write_parquet` when given one (argv[1]): prints its
schema and first rows, read by pyarrow.

    python3 -m venv tools/reference/.venv-io
    tools/reference/.venv-io/bin/pip install -r tools/reference/io/requirements.txt
    tools/reference/.venv-io/bin/python tools/reference/io/make_parquet_fixture.py [fissure.parquet]
"""
import csv, datetime, pathlib, sys
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parents[3]
DATA = ROOT / "crates" / "io" / "tests" / "data"

rows = list(csv.DictReader(open(DATA / "stooq_spx_2026.csv", newline="")))
table = pa.table({
    "date": pa.array([datetime.date.fromisoformat(r["Date"]) for r in rows], pa.date32()),
    "open": pa.array([float(r["Open"]) for r in rows]),
    "high": pa.array([float(r["High"]) for r in rows]),
    "low": pa.array([float(r["Low"]) for r in rows]),
    "close": pa.array([float(r["Close"]) for r in rows]),
    "volume": pa.array([int(r["Volume"]) for r in rows], pa.int64()),
})
pq.write_table(table, DATA / "pyarrow_spx_2026.parquet", compression="snappy")
print("wrote", DATA / "pyarrow_spx_2026.parquet", table.num_rows, "rows")

if len(sys.argv) > 1:
    t = pq.read_table(sys.argv[1])
    print(t.schema)
    print(t.slice(0, 3).to_pylist())
    print("rows:", t.num_rows)
