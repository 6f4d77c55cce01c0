#!/usr/bin/env python3
"""Re-writes real rows of the bundled data (data/demo) in the exact layouts of data vendors,
for the reader tests. Run from this directory: python3 make_vendor_files.py
No value is invented: every number is copied from the bundle file named beside it; only the
layout (header, date format, column order, missing markers, line endings) changes."""
import csv, datetime, pathlib

DEMO = pathlib.Path(__file__).resolve().parents[4] / "data" / "demo"

def rows(rel, start, end):
    with open(DEMO / rel, newline="") as f:
        r = csv.reader(f)
        next(r)
        return [x for x in r if start <= x[0] <= end]

def weekdays(start, end):
    d = datetime.date.fromisoformat(start)
    e = datetime.date.fromisoformat(end)
    while d <= e:
        if d.weekday() < 5:
            yield d.isoformat()
        d += datetime.timedelta(days=1)

# Yahoo Finance "Download" layout, NASDAQ Composite (^IXIC) around the 2000-03-10 peak.
# For an index Yahoo's Adj Close equals Close (no dividends or splits).
ixic = rows("prices/nasdaq_composite_daily.csv", "2000-02-28", "2000-03-24")
with open("yahoo_ixic_2000.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"])
    for d, o, h, l, c, v in ixic:
        w.writerow([d, o, h, l, c, c, v])

# Stooq daily download (https://stooq.com/q/d/l/?s=^spx&i=d): Date,Open,High,Low,Close,Volume, CRLF.
spx = rows("prices/sp500_index_daily.csv", "2026-02-02", "2026-02-27")
with open("stooq_spx_2026.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\r\n")
    w.writerow(["Date", "Open", "High", "Low", "Close", "Volume"])
    for r in spx:
        w.writerow(r)

# Stooq bulk "ASCII" layout (<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,…), same rows.
with open("stooq_spx_2026.txt", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["<TICKER>", "<PER>", "<DATE>", "<TIME>", "<OPEN>", "<HIGH>", "<LOW>", "<CLOSE>", "<VOL>", "<OPENINT>"])
    for d, o, h, l, c, v in spx:
        w.writerow(["^SPX", "D", d.replace("-", ""), "000000", o, h, l, c, v, "0"])

# FRED DGS10: the bundle keeps trading days only; FRED lists every weekday and writes "." on
# the bond-market holidays (2023-12-25, 2024-01-01, 2024-01-15), which are the dates missing here.
dgs = {d: v for d, v in rows("macro/us10y_yield_daily.csv", "2023-12-18", "2024-01-31")}
for name, date_col in [("fred_dgs10_observation_date.csv", "observation_date"), ("fred_dgs10_DATE.csv", "DATE")]:
    with open(name, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([date_col, "DGS10"])
        for d in weekdays("2023-12-18", "2024-01-31"):
            w.writerow([d, dgs.get(d, ".")])

# A spreadsheet export: UTF-8 BOM, CRLF, quoted fields, M/D/YYYY dates, a text column, blank
# trailing lines. Gold ETF (GLD) closes and volumes, 2020-03.
gld = rows("prices/etf_gld_daily.csv", "2020-03-02", "2020-03-31")
with open("generic_gld_2020.csv", "w", newline="", encoding="utf-8-sig") as f:
    w = csv.writer(f, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    w.writerow(["Symbol", "Trade Date", "Closing Price", "Shares Traded"])
    for d, o, h, l, c, v in gld:
        y, m, dd = d.split("-")
        w.writerow(["GLD", f"{int(m)}/{int(dd)}/{y}", c, v])
    f.write("\r\n\r\n")
