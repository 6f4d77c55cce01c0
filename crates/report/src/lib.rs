//! Synthesis and delivery: signal registry, composite gauge, skill backtest, bilingual HTML/SVG/PNG report.
