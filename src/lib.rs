//! brink: a scenario simulation engine for escalation dynamics between states.
//!
//! The layout follows the data: [`scenario`] (schema, loading, validation, diagnostics) →
//! [`model`] (state and one step of dynamics) → [`engine`] (seeding, parallel runs, ordered
//! merge) → [`stats`] (mergeable accumulators, intervals) → [`report`] (CSV, JSON, charts, HTML).
//! [`cli`] holds the command line; `main.rs` only calls [`cli::run`].

#![warn(missing_docs)]

pub mod analysis;
pub mod engine;
pub mod error;
pub mod model;
pub mod numerics;
pub mod report;
pub mod scenario;
pub mod simulation;
pub mod stats;

pub use simulation::{Run, Simulation};
