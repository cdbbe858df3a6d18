#!/usr/bin/env bash
# Queues a sharded brink run on a Slurm cluster: SHARDS array tasks, then one merge job that
# starts when every shard has succeeded.
#
#   SCENARIO=scenarios/russia_azerbaijan_2025.ron RUNS=100000000 SEED=0 SHARDS=100 \
#   WORK=$SCRATCH/brink-work OUT=$HOME/results/ra-1e8 deploy/slurm/submit.sh
#
# `brink` must be on the PATH of the compute nodes (e.g. `cargo install --path .`). The merged
# folder is byte-identical (apart from the command line in the manifest) to one machine's run
# of the same scenario, seed and runs.
set -euo pipefail
: "${SCENARIO:?}" "${RUNS:?}" "${SEED:?}" "${SHARDS:?}" "${WORK:?}" "${OUT:?}"
here=$(dirname "$0")
mkdir -p logs "$WORK"
export SCENARIO RUNS SEED SHARDS WORK OUT VARIANT
array=$(sbatch --parsable --array=0-$((SHARDS - 1)) "$here/shards.sbatch")
sbatch --dependency=afterok:"$array" "$here/merge.sbatch"
