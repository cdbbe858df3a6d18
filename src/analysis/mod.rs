//! Analyses built on the engine: comparing variants and levers on common random numbers.

pub mod backtest;
pub mod calibrate;
pub mod compare;
pub mod design;
pub mod diff;
pub mod experiment;
pub mod prim;
pub mod sbc;
pub mod sensitivity;
pub mod summary;
pub mod sweep;
pub mod trace;
pub use summary::{Manifest, Summary};
