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
        }
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

impl std::str::FromStr for ShardSpec {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let err = || format!("expected I/N with 1 <= I <= N (e.g. 3/8), found {s:?}");
        let (i, n) = s.split_once('/').ok_or_else(err)?;
        let (index, count): (u64, u64) = (
            i.trim().parse().map_err(|_| err())?,
            n.trim().parse().map_err(|_| err())?,
        );
        if count == 0 || index == 0 || index > count || count > 1_000_000 {
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
