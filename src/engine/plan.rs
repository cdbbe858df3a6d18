//! The plan of a job: which runs a process computes, cut into chunks, and shards (ranges of
//! runs computed by separate processes and merged exactly).

/// Runs per chunk: the unit of parallel work, of merging and of sharding.
pub const CHUNK_RUNS: u64 = 1024;

/// What to run.
#[derive(Debug, Clone)]
pub struct RunPlan {
    /// Master seed.
    pub seed: u64,
    /// Total runs of the whole job (all shards).
    pub runs: u64,
    /// The runs this process computes: `first_run..end_run` (a shard's share, or all).
    pub first_run: u64,
    /// End of this process's runs (excluded).
    pub end_run: u64,
    /// The chunks that hold them: `first_chunk..end_chunk`. A shard's first and last chunks
    /// may be partial; merging is exact, so where the cuts fall changes no result.
    pub first_chunk: u64,
    pub(crate) end_chunk: u64,
    /// Worker threads.
    pub threads: usize,
    /// Most chunks in flight (computed, not yet merged): `4 × threads` unless
    /// [`RunPlan::fitted`] lowered it to fit the memory budget.
    pub(crate) in_flight: usize,
}

/// Most memory the counts of the chunks in flight may take together, the merged total
/// included (see [`RunPlan::fitted`]): a scenario within every limit can still ask for per-step
/// tables of tens of megabytes, and a comparison keeps one per arm.
pub const COUNTS_BUDGET: u64 = 4 << 30;

/// The chunks in flight do not fit [`COUNTS_BUDGET`] even on one thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountsTooLarge {
    /// The bytes one chunk's counts take.
    pub slot_bytes: u64,
    /// The bytes the merged totals take.
    pub kept_bytes: u64,
}

impl CountsTooLarge {
    /// The message, with what would make the counts fit (`fewer`).
    pub fn expecting(&self, fewer: &str) -> String {
        format!("{self}; expected counts that fit: {fewer}")
    }
}

impl std::fmt::Display for CountsTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mib = |b: u64| b.div_ceil(1 << 20);
        write!(
            f,
            "the counts of one chunk of runs take {} MiB and the merged totals {} MiB \
             (per-step tables of H, rungs, levels, outcomes and events, for every arm or grid \
             point): more together than brink's budget of {} MiB for counts in memory",
            mib(self.slot_bytes),
            mib(self.kept_bytes),
            mib(COUNTS_BUDGET)
        )
    }
}

impl RunPlan {
    /// The plan of a job: its shard's runs, or all of them.
    pub fn of(shard: Option<ShardSpec>, seed: u64, runs: u64, threads: usize) -> Self {
        match shard {
            Some(spec) => {
                let (first_run, end_run) = spec.runs(runs);
                RunPlan::part(seed, runs, first_run, end_run, threads)
            }
            None => RunPlan::whole(seed, runs, threads),
        }
    }

    /// All runs, in one process.
    pub fn whole(seed: u64, runs: u64, threads: usize) -> Self {
        RunPlan {
            seed,
            runs,
            first_run: 0,
            end_run: runs,
            first_chunk: 0,
            end_chunk: chunks_for(runs),
            threads,
            in_flight: 4 * threads.max(1),
        }
    }

    /// The runs `first_run..end_run` of a job of `runs` runs.
    pub fn part(seed: u64, runs: u64, first_run: u64, end_run: u64, threads: usize) -> Self {
        let end_run = end_run.min(runs);
        let first_run = first_run.min(end_run);
        RunPlan {
            seed,
            runs,
            first_run,
            end_run,
            first_chunk: first_run / CHUNK_RUNS,
            end_chunk: if first_run == end_run {
                first_run / CHUNK_RUNS
            } else {
                chunks_for(end_run)
            },
            threads,
            in_flight: 4 * threads.max(1),
        }
    }

    /// A plan made for work in chunks other than runs' (`sweep`'s model and chunk pairs):
    /// `end_chunk` items of work, numbered from 0.
    pub(crate) fn items(seed: u64, runs: u64, items: u64, threads: usize) -> Self {
        RunPlan {
            end_chunk: items,
            ..RunPlan::whole(seed, runs, threads)
        }
    }

    /// The plan with its chunks in flight fitted to [`COUNTS_BUDGET`], one chunk's counts
    /// taking `slot_bytes` and the merged totals `kept_bytes` (one more slot's worth in a run
    /// or a comparison; every model's in a sweep): fewer chunks in flight, then fewer threads
    /// when even one chunk per thread does not fit. Neither changes a result (they are the
    /// same on any thread count); only the time.
    ///
    /// ```
    /// use brink::engine::{COUNTS_BUDGET, RunPlan};
    /// let plan = RunPlan::whole(1, 100_000, 8);
    /// assert_eq!(plan.clone().fitted(1 << 20, 1 << 20).unwrap().threads, 8);
    /// // Four chunks' counts fit beside the total: four threads, one chunk each.
    /// let b = COUNTS_BUDGET / 5;
    /// assert_eq!(plan.clone().fitted(b, b).unwrap().threads, 4);
    /// let b = COUNTS_BUDGET / 2 + 1;
    /// assert!(plan.fitted(b, b).is_err());
    /// ```
    pub fn fitted(mut self, slot_bytes: u64, kept_bytes: u64) -> Result<Self, CountsTooLarge> {
        let in_flight = COUNTS_BUDGET
            .checked_sub(kept_bytes)
            .map_or(0, |left| left / slot_bytes.max(1))
            .min(self.in_flight as u64) as usize;
        if in_flight == 0 {
            return Err(CountsTooLarge {
                slot_bytes,
                kept_bytes,
            });
        }
        self.in_flight = in_flight;
        self.threads = self.threads.clamp(1, in_flight);
        Ok(self)
    }

    /// Runs this plan covers.
    pub fn own_runs(&self) -> u64 {
        self.end_run - self.first_run
    }

    /// The runs of one of its chunks that this plan covers.
    pub fn chunk_range(&self, chunk: u64) -> std::ops::Range<u64> {
        let lo = (chunk * CHUNK_RUNS).max(self.first_run);
        let hi = ((chunk + 1) * CHUNK_RUNS).min(self.end_run);
        lo..hi.max(lo)
    }
}

/// Number of chunks for a number of runs.
pub fn chunks_for(runs: u64) -> u64 {
    runs.div_ceil(CHUNK_RUNS)
}

/// `--shard I/N`: this process computes shard I (1-based) of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSpec {
    /// I: the shard this process computes, from 1 to N.
    pub index: u64,
    /// N: the number of shards the job is cut into.
    pub count: u64,
}

/// The most shards (N of `--shard I/N`) a job may be cut into.
pub const MAX_SHARDS: u64 = 1_000_000;

impl std::str::FromStr for ShardSpec {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let err = || format!("expected I/N with 1 <= I <= N (e.g. 3/8), found {s:?}");
        let (i, n) = s.split_once('/').ok_or_else(err)?;
        // Digits alone (no sign, no space: a job's shards are named one way); digits beyond
        // a u64 are a number too large, not a malformed I/N.
        let whole = |t: &str| {
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err());
            }
            Ok(t.parse::<u64>().unwrap_or(u64::MAX))
        };
        let (index, count) = (whole(i)?, whole(n)?);
        if count > MAX_SHARDS {
            return Err(format!(
                "expected at most {MAX_SHARDS} shards (N), found {s:?}"
            ));
        }
        if count == 0 || index == 0 || index > count {
            return Err(err());
        }
        Ok(ShardSpec { index, count })
    }
}

impl ShardSpec {
    /// The runs of this shard, `first..end`, for a job of `runs` runs: an even split, so
    /// that shards differ by one run at most (`--runs 1000 --shard 1/4` holds 250 runs).
    ///
    /// ```
    /// let s: brink::engine::ShardSpec = "2/4".parse().unwrap();
    /// assert_eq!(s.runs(1000), (250, 500));
    /// ```
    pub fn runs(&self, runs: u64) -> (u64, u64) {
        let r = runs as u128;
        let (i, n) = ((self.index - 1) as u128, self.count as u128);
        ((r * i / n) as u64, (r * (i + 1) / n) as u64)
    }
}
