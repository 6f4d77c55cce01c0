//! Seeded, reproducible random numbers. Every random computation in Fissure
//! takes a `u64` seed; parallel work derives one stream per task with
//! [`stream`], so results do not depend on the number of threads.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The project's RNG: ChaCha8, portable and reproducible across platforms.
pub type Rng = ChaCha8Rng;

/// The generator for `seed`.
pub fn seeded(seed: u64) -> Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// An independent generator for task `index` of a computation seeded by `seed`
/// (ChaCha stream selection, so streams never overlap).
pub fn stream(seed: u64, index: u64) -> Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(index);
    r
}
