//! The leaf every layer may use: random streams and the numerics brink computes with (its own
//! `exp`, the normal quantile, Beta tables). It imports nothing of brink.

pub mod chacha;
pub mod dist;
pub mod math;
pub mod rng;
