#!/usr/bin/env bash
# Writes the outputs of a fixed set of commands (flagship run, two variants, compare, sweep,
# sensitivity, trace, shards and merge) into DIR, with BRINK (default: target/release/brink).
# Refactors compare two snapshots byte for byte; the folder is part of every recorded command
# line, so write both to the same path:
#   scripts/snapshot.sh /tmp/snap && mv /tmp/snap /tmp/before
#   (change the code; cargo build --release)
#   scripts/snapshot.sh /tmp/snap && diff -r /tmp/before /tmp/snap
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: scripts/snapshot.sh DIR}
brink=${BRINK:-target/release/brink}
[[ -e $dir ]] && { echo "$dir exists; give a new folder" >&2; exit 2; }
mkdir -p "$dir"
fs=scenarios/russia_azerbaijan_2025.ron
q() { "$brink" "$@" >"$dir/$(echo "$*" | tr -c 'A-Za-z0-9._-' '_' | cut -c1-90).stdout"; }
q run $fs --runs 3000 --seed 3 --per-run --out "$dir/run"
q run $fs --runs 2000 --seed 3 --variant visa_regime --out "$dir/visa"
q run $fs --runs 2000 --seed 3 --variant mediation_push --out "$dir/mediation"
q run scenarios/examples/tutorial.ron --runs 2000 --seed 3 --out "$dir/tutorial"
q compare $fs --variants visa_regime,mediation_push --runs 1000 --seed 3 --out "$dir/compare"
q sweep $fs --set 'relations.russia->azerbaijan.fatigue=0.1..0.3:3' --runs 1000 --seed 3 --out "$dir/sweep"
q sensitivity $fs --runs 2000 --seed 3 --out "$dir/sensitivity"
q trace $fs --run 3 --seed 3 --out "$dir/trace"
q trace $fs --pick rupture --count 2 --seed 3 --json
for i in 1 2 3; do
    q run $fs --runs 2500 --seed 3 --per-run --no-charts --shard $i/3 --out "$dir/shard$i"
done
q merge "$dir/shard1" "$dir/shard2" "$dir/shard3" --out "$dir/merged"
"$brink" describe $fs >"$dir/describe.txt"
"$brink" describe --paths $fs >"$dir/paths.txt"
echo "snapshot in $dir"
