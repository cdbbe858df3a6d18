//! Streaming, mergeable statistics: memory does not grow with the number of runs, and merging
//! gives the same bits whatever the grouping (counts are integers; sums are exact).

mod exact;
mod histogram;
mod interval;
mod tally;

pub use exact::ExactSum;
pub use histogram::{Histogram, LogHistogram};
/// Reals written `null` in JSON where they are not finite (an interval's open end, a share of
/// nothing), for serde's `serialize_with` and `deserialize_with`.
pub(crate) use interval::bound as json_real;
pub(crate) use interval::bounded_mean_interval_of_sums;
pub use interval::{
    Interval, NO_INTERVAL, Z95, bounded_mean_interval, levels_mean_interval, mean_interval,
    newcombe_diff_interval, paired_diff_interval, wilson, wilson_effective,
};
#[cfg(test)]
pub(crate) use tally::tutorial_tally;
pub use tally::{Checkpoint, INDEX_BINS, Moments, Tally, is_checkpoint};
