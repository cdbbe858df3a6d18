#!/usr/bin/env bash
# Proves the cluster route on a real Slurm: starts a throwaway single-node Slurm (Debian's
# packages) on this machine, queues the flagship scenario through deploy/slurm/submit.sh as
# 4 array tasks plus the merge job, and checks that the merged tables are byte-identical to one
# process's. Then checks the failure path: when a shard fails, Slurm cancels the merge.
#
#   sudo deploy/slurm/local-check.sh        # as root; CI runs it from .ci/run
#
# Installs slurmctld, slurmd, slurm-client and munge if missing. Everything it starts (munged,
# slurmctld, slurmd) uses a private config, key, socket, ports, state, spool, logs and pid files
# under one temporary folder; on exit it stops only those daemons, by the PIDs it recorded, and
# removes the folder. An already running munged or Slurm is left alone.
# Knobs: RUNS (default 20000), SEED (1), SHARDS (4), KEEP=1 keeps the temporary folder,
# TIMEOUT seconds per wait (240).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${RUNS:-20000}
SEED=${SEED:-1}
SHARDS=${SHARDS:-4}
TIMEOUT=${TIMEOUT:-240}
scenario=scenarios/russia_azerbaijan_2025.ron
started=$SECONDS

say() { printf '[local-check %3ds] %s\n' $((SECONDS - started)) "$*"; }
die() { say "FAILED: $*"; exit 1; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...: until COMMAND succeeds
    local limit=$1 what=$2 t0=$SECONDS
    shift 2
    until "$@"; do
        ((SECONDS - t0 < limit)) || die "timed out after ${limit}s waiting for $what"
        sleep 1
    done
}

[[ $(id -u) == 0 ]] || die "run as root (it installs packages and runs slurmd)"

# ---------------------------------------------------------------- cleanup
tmp=""      # our temporary folder, once made
policy=""   # a policy-rc.d we put in place for the install
pids=()     # daemons we started, in start order
jobs_ids=() # jobs we submitted

cleanup() {
    local rc=$?
    set +e
    [[ -n $policy ]] && rm -f "$policy"
    if ((${#jobs_ids[@]})); then
        scancel "${jobs_ids[@]}" 2>/dev/null
        # Let slurmd end any job step still running before the daemons go.
        for _ in $(seq 1 20); do
            [[ -z $(squeue -h -j "$(IFS=,; echo "${jobs_ids[*]}")" -t PD,R,CG,CF 2>/dev/null) ]] && break
            sleep 0.5
        done
    fi
    # A job step's slurmstepd keeps a socket in the spool folder until it has ended.
    for _ in $(seq 1 40); do
        [[ -z $tmp || -z $(find "$tmp/spool" -type s 2>/dev/null) ]] && break
        sleep 0.25
    done
    local i pid
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do # slurmd, slurmctld, munged
        pid=${pids[i]}
        kill -TERM "$pid" 2>/dev/null || continue
        for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    if ((rc)) && [[ -d $tmp/log ]]; then
        for f in "$tmp"/log/*.log "$tmp"/jobs/logs*/*.out; do
            [[ -s $f ]] || continue
            echo "---- last lines of $f"
            tail -n 25 "$f"
        done
    fi
    if [[ -z $tmp ]]; then :; elif [[ ${KEEP:-0} == 1 ]]; then say "kept $tmp"; else rm -rf "$tmp"; fi
    say "stopped the daemons it started (${pids[*]:-none}); exit $rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- packages
packages=(slurmctld slurmd slurm-client munge)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Install without starting the packages' own services (the standard Debian way): only when
    # no policy-rc.d is in place already, and removed right after.
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
    fi
    apt_install() { apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
    rc=0
    if apt-cache show "${missing[@]}" >/dev/null 2>&1; then apt_install || rc=$?; else rc=1; fi
    if ((rc)); then
        say "apt-get update (package lists missing or stale)"
        apt-get update -q >/dev/null || die "apt-get update"
        rc=0
        apt_install || rc=$?
    fi
    if [[ -n $policy ]]; then rm -f "$policy"; policy=""; fi
    ((rc == 0)) || die "apt-get install ${missing[*]}"
fi
for b in munged mungekey slurmctld slurmd sbatch squeue scontrol sinfo; do
    command -v "$b" >/dev/null || die "$b not found after installing ${packages[*]}"
done
say "slurm $(dpkg-query -W -f='${Version}' slurmctld), munge $(dpkg-query -W -f='${Version}' munge)"

# ---------------------------------------------------------------- munge (private)
tmp=$(mktemp -d /tmp/brink-slurm-check.XXXXXX)
chmod 700 "$tmp"
mkdir -m 700 "$tmp/log" "$tmp/state" "$tmp/spool" "$tmp/jobs"
mkdir -m 711 "$tmp/munge" # munged wants its socket's folder searchable; the key stays 0400
key=$tmp/munge/munge.key
socket=$tmp/munge/munge.socket
mungekey --create --keyfile="$key" 2>/dev/null ||
    dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
chmod 400 "$key"
munged --foreground --force --key-file="$key" --socket="$socket" \
    --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/log/munged.log" \
    --seed-file="$tmp/munge/munged.seed" >>"$tmp/log/munged.log" 2>&1 &
pids+=($!)
wait_for 20 munged bash -c "munge -S '$socket' -n 2>/dev/null | unmunge -S '$socket' >/dev/null 2>&1"

# ---------------------------------------------------------------- slurm.conf (private)
host=$(hostname -s)
cpus=$(nproc)
mem_avail_mb=$(($(awk '/^MemAvailable:/ {print $2}' /proc/meminfo) / 1024))
real_mb=$((mem_avail_mb * 8 / 10))
((real_mb >= 2048)) || die "only ${mem_avail_mb} MB available; need ~2.5 GB"
# Ports away from Slurm's defaults (6817/6818), so that a real Slurm here is not disturbed.
ctld_port=${CTLD_PORT:-16817}
slurmd_port=${SLURMD_PORT:-16818}
export SLURM_CONF=$tmp/slurm.conf
cat >"$SLURM_CONF" <<EOF
# Written by deploy/slurm/local-check.sh: a throwaway single-node cluster.
ClusterName=brinkcheck
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$tmp/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SlurmdParameters=config_overrides
DependencyParameters=kill_invalid_depend
ReturnToService=2
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$real_mb State=UNKNOWN
PartitionName=check Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
: >"$tmp/plugstack.conf"
say "slurm.conf: node $host, CPUs=$cpus, RealMemory=${real_mb}M, in $tmp"

slurmctld -D -i -f "$SLURM_CONF" >>"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
wait_for 30 slurmctld bash -c 'scontrol ping 2>/dev/null | grep -q "is UP"'
slurmd -D -N "$host" -f "$SLURM_CONF" >>"$tmp/log/slurmd.out" 2>&1 &
pids+=($!)
node_idle() { [[ $(sinfo -h -n "$host" -o %t 2>/dev/null) == idle ]]; }
wait_for 60 "node $host to be idle" node_idle
say "daemons up (munged, slurmctld, slurmd: PIDs ${pids[*]}); sinfo:"
sinfo

# ---------------------------------------------------------------- brink
say "cargo build --release"
(cd "$repo" && cargo build --release -q)
bin_dir=${CARGO_TARGET_DIR:-$repo/target}
[[ $bin_dir == /* ]] || bin_dir=$repo/$bin_dir
export PATH=$bin_dir/release:$PATH # sbatch passes the environment on to the jobs
[[ $(command -v brink) == "$bin_dir/release/brink" ]] || die "brink is not $bin_dir/release/brink"

# ---------------------------------------------------------------- jobs
job_state() { scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }
all_ended() { # every record of every job given has a final state
    local j s
    for j in "$@"; do
        s=$(job_state "$j")
        [[ -n $s ]] || return 1
        grep -qvE '^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE)$' <<<"$s" && return 1
    done
    return 0
}
show_states() { # one line per job record: id, name, state, reason, exit code
    local j
    for j in "$@"; do
        scontrol -o show job "$j" | tr ' ' '\n' |
            awk -F= '/^(JobId|ArrayTaskId|JobName|JobState|Reason|ExitCode)=/ {
                         if ($1 == "JobId" && line != "") { print line; line = "" }
                         line = line (line == "" ? "" : " ") $0 }
                     END { if (line != "") print line }' | sed 's/^/    /'
    done
}
submit() { # submit LABEL VAR=VALUE...: runs submit.sh from the repo root; sets $array, $merge
    local label=$1 out
    shift
    out=$(cd "$repo" && env "$@" LOGS="$tmp/jobs/logs-$label" CPUS_PER_TASK=1 MEM_PER_TASK=1G \
        deploy/slurm/submit.sh)
    echo "$out" | sed 's/^/    /'
    array=$(awk '/^shards:/ {print $2}' <<<"$out")
    merge=$(awk '/^merge:/ {print $2}' <<<"$out")
    [[ $array =~ ^[0-9]+$ && $merge =~ ^[0-9]+$ ]] || die "could not read the job ids from submit.sh"
    jobs_ids+=("$array" "$merge")
}

work=$tmp/jobs/work
out=$tmp/jobs/merged
say "submitting $scenario: RUNS=$RUNS SEED=$SEED SHARDS=$SHARDS (1 CPU, 1G each)"
submit ok SCENARIO="$scenario" RUNS="$RUNS" SEED="$SEED" SHARDS="$SHARDS" WORK="$work" OUT="$out"
t0=$SECONDS
wait_for "$TIMEOUT" "jobs $array and $merge to end" all_ended "$array" "$merge"
say "jobs ended after $((SECONDS - t0))s; final states (scontrol show job):"
show_states "$array" "$merge"
for s in $(job_state "$array") $(job_state "$merge"); do
    [[ $s == COMPLETED ]] || die "a job ended $s, not COMPLETED"
done
(( $(job_state "$array" | wc -l) == SHARDS )) || die "expected $SHARDS array tasks"
say "all $SHARDS array tasks and the merge job COMPLETED"

say "one process: brink run $scenario --runs $RUNS --seed $SEED --no-charts"
one=$tmp/jobs/one
(cd "$repo" && brink run "$scenario" --runs "$RUNS" --seed "$SEED" --no-charts --out "$one" >/dev/null)
for f in outcomes.csv timeseries.csv; do
    cmp "$one/$f" "$out/$f" || die "$f differs between one process and the Slurm merge"
    say "  $f identical ($(wc -c <"$out/$f") bytes)"
done
strip_command() { # summary.json without manifest.command (the one field that differs)
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
d["manifest"].pop("command")
json.dump(d, sys.stdout, indent=1, sort_keys=True)' "$1"
}
strip_command "$one/summary.json" >"$tmp/jobs/one.json"
strip_command "$out/summary.json" >"$tmp/jobs/merged.json"
cmp "$tmp/jobs/one.json" "$tmp/jobs/merged.json" ||
    die "summary.json differs (apart from the command line)"
say "  summary.json identical apart from its command line"
say "byte comparison passed: Slurm's ${SHARDS} shards + merge == one process"

# ---------------------------------------------------------------- failure path
say "failure path: 3 shards, the second one's --out already taken by a file brink did not write"
mkdir -p "$tmp/jobs/fail-work"
echo "an analyst's notes" >"$tmp/jobs/fail-work/shard-2"
submit fail SCENARIO="$scenario" RUNS=3000 SEED=1 SHARDS=3 \
    WORK="$tmp/jobs/fail-work" OUT="$tmp/jobs/fail-merged"
t0=$SECONDS
wait_for "$TIMEOUT" "jobs $array and $merge to end" all_ended "$array" "$merge"
say "jobs ended after $((SECONDS - t0))s; final states (scontrol show job):"
show_states "$array" "$merge"
(( $(job_state "$array" | grep -cx FAILED) == 1 )) || die "expected exactly one FAILED shard"
(( $(job_state "$array" | grep -cx COMPLETED) == 2 )) || die "expected two COMPLETED shards"
merge_state=$(job_state "$merge")
[[ $merge_state == CANCELLED || $merge_state == FAILED ]] || die "merge ended $merge_state"
[[ ! -e $tmp/jobs/fail-merged ]] || die "the merge of failed shards wrote an output"
[[ $(cat "$tmp/jobs/fail-work/shard-2") == "an analyst's notes" ]] || die "the file at shard 2's --out changed"
say "failure path passed: one shard FAILED (its --out was a user's file, left intact), the merge ended $merge_state (not pending forever)"

say "Slurm check passed in $((SECONDS - started))s"
