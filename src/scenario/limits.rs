//! Size limits that protect a machine from a hostile or mistaken scenario file.
//!
//! Each limit is generous for real analyses; the ones an analyst may need to raise have a flag.

/// The largest number of runs accepted when no `--max-runs` is given (`--max-runs` raises it,
/// up to the run indices the random streams address).
pub const DEFAULT_MAX_RUNS: u64 = 100_000_000;
/// Largest scenario file read, in bytes (`--max-file-size` raises it).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Most actors in a scenario.
pub const MAX_ACTORS: usize = 64;
/// Most levers (measures and acts together).
pub const MAX_LEVERS: usize = 512;
/// Most levels of one measure.
pub const MAX_LEVELS: usize = 32;
/// Most rungs of the ladder. A result counts every rung at every step (and in every variant
/// compared): 40,000 rungs over a 5,200-step horizon made a 2 MB file take 23 GB.
pub const MAX_RUNGS: usize = 64;
/// Most cells of the per-step level tables: the horizon times the measures' levels counted with
/// each measure's status quo. A result counts every level at every step; the largest file the
/// other limits allowed (512 measures of 32 levels over 5,200 steps) made a 1.4 GB summary and
/// 3.3 GB of memory from 20 runs.
pub const MAX_LEVEL_CELLS: u64 = 1_000_000;
/// Most events, variants' additions included.
pub const MAX_EVENTS: usize = 512;
/// Most temporary effects (`Modify`, `ShiftRelation` with a duration) the events and acts of
/// one arm can keep running at once, each counted as often as its event or act can fire within
/// its duration (once for a dated or `once` one, every `cooldown + 1` steps otherwise): each
/// running effect is held and reapplied. 512 events of 64 such effects, firing every step for
/// 5,200 steps, kept 170 million running and took hours a run and gigabytes.
pub const MAX_TEMPORARY_EFFECTS: u64 = 65_536;
/// Most lasting relation shifts (`ShiftRelation` without a duration) the events and acts of one
/// arm can apply in one step times the temporary relation shifts they can keep running: a
/// lasting shift changes a relation's base under the running shifts, which are applied again
/// before the relation is next read (10,752 lasting shifts a step, each read at once, under
/// 22,528 running took 1.9 s a step).
pub const MAX_LASTING_SHIFT_WORK: u64 = 1_000_000;
/// Most uncertain numbers (distributions) in a scenario: each is drawn every run, and each is a
/// column of `sensitivity`'s design. 60,000 of them made 200 runs take 25 s.
pub const MAX_UNCERTAIN: usize = 4096;
/// Most shared numbers.
pub const MAX_SHARED: usize = 1024;
/// Most pressures (each is updated at every step).
pub const MAX_PRESSURES: usize = 256;
/// Most effects in one list: an act's, an event's or one branch's. Each is applied whenever
/// the act or event happens (a hazard event may happen every step).
pub const MAX_EFFECTS: usize = 64;
/// Most branches of one event (one is drawn each time it fires).
pub const MAX_BRANCHES: usize = 64;
/// Most modifiers of one level of a measure (each applies every step the level is in force).
pub const MAX_MODIFIERS: usize = 64;
/// Most factors of one hazard (each condition is checked every step).
pub const MAX_FACTORS: usize = 64;
/// Most terms of one condition: itself and every condition inside its `All`, `Any`, `Not` and
/// `Sustained` (checked every step; nesting alone bounds only their depth).
pub const MAX_CONDITION_TERMS: usize = 256;
/// Most named outcomes.
pub const MAX_OUTCOMES: usize = 128;
/// Most variants.
pub const MAX_VARIANTS: usize = 256;
/// Longest horizon, in steps (100 years of weeks).
pub const MAX_HORIZON: i64 = 5200;
/// Most runs in one invocation (`--max-runs` style flags raise it per command).
pub const MAX_RUNS: u64 = 1_000_000_000_000;
/// Characters in a `step_unit` or `cost_unit` (they head table columns and chart axes).
pub const MAX_UNIT_CHARS: usize = 40;
/// Largest magnitude of any number in a scenario: beyond it, sums of costs lose meaning.
pub const MAX_ABS_NUMBER: f64 = 1e12;
/// Deepest nesting of conditions and brackets (deeper files are refused before parsing).
pub const MAX_NESTING: usize = 64;
/// Most columns `--per-run-steps` adds to the per-run table: the steps asked for times the
/// measures and the rung. A run's row is held whole while its chunk is in flight (16 bytes a
/// cell, 1,024 runs a chunk, several chunks at once) and Parquet keeps a page and a batch of
/// values per column: every step of a 5,200-step horizon for 96 measures (504,700 columns)
/// made 200 runs take 2.1 GB as CSV and 20 runs 5.8 GB as Parquet.
pub const MAX_PER_RUN_STEP_COLUMNS: u64 = 4096;
/// Most facts in one observed timeline.
pub const MAX_FACTS: usize = 1_000;
/// Most terms of the `Condition(...)` targets of one timeline's facts together (each followed
/// every step of every run): as many as a scenario's outcomes can hold (128 of 256 terms).
/// 1,000 facts of 256 terms each took 9 s a run.
pub const MAX_TIMELINE_TERMS: usize = 32_768;
