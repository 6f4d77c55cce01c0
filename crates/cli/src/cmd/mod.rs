//! One module per command group.

pub mod bubble;
pub mod capex;
pub mod contagion;
pub mod export;
pub mod ingest;
pub mod liquidity;
pub mod list;
pub mod network;
pub mod regime;
pub mod report;
pub mod risk;
#[cfg(feature = "server")]
pub mod serve;
pub mod show;
pub mod simulate;
pub mod structure;
#[cfg(feature = "server")]
pub mod token;

/// A spinner on stderr for work that can take more than a second without reporting progress
/// (a GARCH/DCC/Markov fit, rolling spillovers, a wide absorption ratio); hidden when stderr is not
/// a terminal or with `--json`. Call `finish_and_clear` when done.
pub fn busy(ctx: &crate::ctx::Ctx, msg: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    let pb = indicatif::ProgressBar::new_spinner();
    if ctx.json || !std::io::stderr().is_terminal() {
        pb.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    } else {
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
    }
    pb.set_message(msg.to_string());
    pb
}
