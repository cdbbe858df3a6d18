//! brink: a scenario simulation engine for escalation dynamics between states.
//!
//! An analyst describes actors, the relations between them, the levers each can pull and the
//! shocks that can hit them in a RON scenario file, with every uncertain number as a
//! distribution and its source; brink plays the scenario out thousands of times on seeded
//! random streams and returns the distribution of outcomes with intervals. The same scenario,
//! seed and runs give the same bits on any number of threads, any split into shards and any
//! platform.
//!
//! ```
//! use brink::{Comparison, Simulation};
//!
//! let scenario = brink::scenario::load(
//!     "scenarios/russia_azerbaijan_2025.ron".as_ref(),
//!     Default::default(),
//! )?;
//! // 2,000 runs of the base scenario.
//! let run = Simulation::new(&scenario).runs(2_000).seed(7).run()?;
//! let rupture = &run.summary.outcomes[0];
//! println!(
//!     "P({}) = {:.3} ({:.3}–{:.3})",
//!     rupture.name, rupture.probability.estimate, rupture.probability.low, rupture.probability.high
//! );
//! // What a variant changes, paired on common random numbers.
//! let c = Comparison::new(&scenario).variants(["visa_regime"]).runs(2_000).seed(7).run()?;
//! println!("{}", brink::report::compare::text(&c.result, Some(&scenario.scenario)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The modules are layers that import one way (docs/architecture.md; `tests/layers.rs` checks
//! it): [`text`] (escaping for messages, a leaf) → [`numerics`] (random streams and the numerics, a leaf) → [`scenario`] (schema, typed
//! parameter registry, loading, validation, diagnostics) → [`model`] (compile, state, one step
//! of dynamics) → [`error`] → [`engine`] (plan of chunks and shards, parallel runs, ordered
//! merge) → [`stats`] (mergeable tallies, intervals) → [`analysis`] (results as values) →
//! [`report`] (every result's files and text) → [`Simulation`], [`Comparison`], [`Tracer`] (the
//! face). The `brink` command is a thin binary on top.

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
pub mod text;

pub use analysis::summary::BUILD;
pub use simulation::{Comparison, Run, Simulation, Tracer};
