#!/usr/bin/env bash
# Queues a sharded brink run on a Slurm cluster: SHARDS array tasks, then one merge job that
# starts when every shard has succeeded. If a shard fails, Slurm cancels the merge
# (`--kill-on-invalid-dep=yes`) instead of leaving it pending forever.
#
#   SCENARIO=scenarios/russia_azerbaijan_2025.ron RUNS=100000000 SEED=0 SHARDS=100 \
#   WORK=$SCRATCH/brink-work OUT=$HOME/results/ra-1e8 deploy/slurm/submit.sh
#
# Required: SCENARIO RUNS SEED SHARDS WORK OUT. Optional:
#   VARIANT        scenario variant to apply
#   LOGS           folder for the jobs' logs (default: logs, under the folder you submit from)
#   CPUS_PER_TASK  CPUs of each shard task (default: shards.sbatch's 8); also its --threads
#   MEM_PER_TASK   memory of each shard task and of the merge job, e.g. 1G (default: 2G)
# Partition, account and the like come from sbatch's own input variables (SBATCH_PARTITION,
# SBATCH_ACCOUNT, ...). Jobs run in the folder you submit from, with your environment.
#
# `brink` must be on the PATH of the compute nodes (e.g. `cargo install --path .`). The merged
# folder is byte-identical (apart from the command line in the manifest) to one machine's run
# of the same scenario, seed and runs. Prints the two job ids:
#   shards: <array job id>
#   merge: <merge job id>
# deploy/slurm/local-check.sh runs this on a throwaway single-node Slurm and checks all of it.
set -euo pipefail
usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    usage
    exit 0
fi
if [[ $# -gt 0 ]]; then
    echo "submit.sh: it takes no arguments, only environment variables (got: $*)" >&2
    usage >&2
    exit 2
fi
missing=""
for v in SCENARIO RUNS SEED SHARDS WORK OUT; do
    [[ -n ${!v:-} ]] || missing+=" $v"
done
if [[ -n $missing ]]; then
    echo "submit.sh: set the environment variable(s)$missing" >&2
    usage >&2
    exit 2
fi
here=$(dirname "$0")
LOGS=${LOGS:-logs}
mkdir -p "$LOGS" "$WORK"
export SCENARIO RUNS SEED SHARDS WORK OUT VARIANT
shard_opts=(--output="$LOGS/shard-%A_%a.out")
merge_opts=(--output="$LOGS/merge-%j.out")
if [[ -n ${CPUS_PER_TASK:-} ]]; then shard_opts+=(--cpus-per-task="$CPUS_PER_TASK"); fi
if [[ -n ${MEM_PER_TASK:-} ]]; then
    shard_opts+=(--mem="$MEM_PER_TASK")
    merge_opts+=(--mem="$MEM_PER_TASK")
fi
array=$(sbatch --parsable "${shard_opts[@]}" --array=0-$((SHARDS - 1)) "$here/shards.sbatch")
array=${array%%;*}   # --parsable prints "id" or "id;cluster"
merge=$(sbatch --parsable "${merge_opts[@]}" --dependency=afterok:"$array" \
    --kill-on-invalid-dep=yes "$here/merge.sbatch")
merge=${merge%%;*}
echo "shards: $array"
echo "merge: $merge"
