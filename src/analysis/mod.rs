//! Analyses built on the engine: comparing variants and levers on common random numbers.

pub mod compare;
pub mod sensitivity;
pub mod summary;
pub mod sweep;
pub mod trace;
pub use summary::{Manifest, Summary};
