//! The speed case, shared by `examples/speed.rs`, the criterion bench (`benches/spiral.rs`) and the
//! NumPy peer bench (`examples/spiral_peer_inputs.rs`, `tools/bench/spiral.sh`): a synthetic market of `k`
//! assets (σ 1.2% a day, ρ 0.4, ADV US$100bn each), every agent class trading every asset
//! ([`SpiralConfig::synthetic`]), a −5% shock on the first asset. A deliberately crowded market for timing,
//! not one to read (docs/spiral.md, "Speed").

use crate::{parse_spec, Market, Result, Shock, SpiralConfig, SpiralError};
use chrono::NaiveDate;

/// The configuration, market and shock of the speed case with `k` assets, `paths` paths and `steps` days.
pub fn speed_case(k: usize, paths: usize, steps: usize) -> Result<(SpiralConfig, Market, Shock)> {
    if k == 0 {
        return Err(SpiralError::Params("the speed case needs at least one asset".into()));
    }
    let ids: Vec<String> = (0..k).map(|i| format!("A{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut cfg = SpiralConfig::synthetic(&refs, 100.0);
    cfg.simulation.paths = paths;
    cfg.simulation.steps = steps;
    let start = NaiveDate::from_ymd_opt(2026, 1, 2).ok_or_else(|| SpiralError::Params("start date".into()))?;
    let m = Market::synthetic(&refs, 0.012, 0.4, 100.0, cfg.history_needed(), start);
    let sh = Shock::resolve(&[parse_spec("A0=-0.05")?], &m)?;
    Ok((cfg, m, sh))
}
