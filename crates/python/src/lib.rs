//! `fissure._fissure`: the Rust half of the `fissure` Python package (built by maturin, see pyproject.toml).
//!
//! Each family is a thin module mirroring its CLI module (`crates/cli/src/cmd/<family>.rs`): options are a JSON
//! object with the CLI's names and defaults, results are the CLI's `--json` document. The Python half
//! (`python/fissure/`) turns pandas/polars/numpy inputs into `(name, days, values)` arrays and the dated parts
//! of the JSON into DataFrames. Every computation runs with the GIL released.

mod bubble;
mod common;
mod contagion;
mod liquidity;
mod network;
mod report;
mod risk;
mod scan;
mod spiral;
mod structure;

use pyo3::prelude::*;

#[pymodule]
fn _fissure(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(bubble::psy, m)?)?;
    m.add_function(wrap_pyfunction!(bubble::lppls, m)?)?;
    m.add_function(wrap_pyfunction!(bubble::lppls_confidence, m)?)?;
    m.add_function(wrap_pyfunction!(bubble::valuation, m)?)?;
    m.add_function(wrap_pyfunction!(bubble::bench_psy, m)?)?;
    m.add_function(wrap_pyfunction!(contagion::garch, m)?)?;
    m.add_function(wrap_pyfunction!(contagion::dcc, m)?)?;
    m.add_function(wrap_pyfunction!(contagion::correlations, m)?)?;
    m.add_function(wrap_pyfunction!(contagion::absorption_ratio, m)?)?;
    m.add_function(wrap_pyfunction!(contagion::turbulence, m)?)?;
    m.add_function(wrap_pyfunction!(contagion::spillover, m)?)?;
    m.add_function(wrap_pyfunction!(contagion::cocrash, m)?)?;
    m.add_function(wrap_pyfunction!(liquidity::stress_index, m)?)?;
    m.add_function(wrap_pyfunction!(liquidity::carry, m)?)?;
    m.add_function(wrap_pyfunction!(liquidity::markov, m)?)?;
    m.add_function(wrap_pyfunction!(structure::concentration, m)?)?;
    m.add_function(wrap_pyfunction!(structure::rotation, m)?)?;
    m.add_function(wrap_pyfunction!(network::network_summary, m)?)?;
    m.add_function(wrap_pyfunction!(network::network_cycles, m)?)?;
    m.add_function(wrap_pyfunction!(network::debtrank, m)?)?;
    m.add_function(wrap_pyfunction!(network::clearing, m)?)?;
    m.add_function(wrap_pyfunction!(network::capex_gap, m)?)?;
    m.add_function(wrap_pyfunction!(network::required_revenue, m)?)?;
    m.add_function(wrap_pyfunction!(network::capex_claims, m)?)?;
    m.add_function(wrap_pyfunction!(risk::risk_var, m)?)?;
    m.add_function(wrap_pyfunction!(risk::risk_backtest, m)?)?;
    m.add_function(wrap_pyfunction!(risk::risk_scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(risk::risk_shock, m)?)?;
    m.add_function(wrap_pyfunction!(risk::risk_reverse, m)?)?;
    m.add_function(wrap_pyfunction!(risk::risk_cash, m)?)?;
    m.add_function(wrap_pyfunction!(spiral::simulate_spiral, m)?)?;
    m.add_function(wrap_pyfunction!(spiral::simulate_replay, m)?)?;
    m.add_function(wrap_pyfunction!(report::report, m)?)?;
    m.add_function(wrap_pyfunction!(report::demo_data, m)?)?;
    m.add_function(wrap_pyfunction!(scan::psy_cv_keys, m)?)?;
    m.add_function(wrap_pyfunction!(scan::psy_cv, m)?)?;
    m.add_function(wrap_pyfunction!(scan::psy_scan, m)?)?;
    Ok(())
}
