#!/usr/bin/env bash
# Regenerates every figure the docs quote from the current code, so that no document quotes a
# number the code no longer gives.
#
#   scripts/docs.sh           rewrite the generated blocks in place (and the README's images)
#   scripts/docs.sh --check   regenerate into a scratch copy and fail (exit 1, with a diff) if a
#                             committed block differs: CI runs this
#
# A generated block in a Markdown file sits between two markers,
#   <!-- docs.sh: NAME -->  …  <!-- /docs.sh: NAME -->
# and everything between them is replaced by what the function `block_NAME` below prints.
# Prose outside the blocks quotes no figure. docs/calibration.md is generated whole by
# scripts/calibration.sh (checked here too, its one timing line aside); docs/flagship-v2.md is a
# record pinned to an old commit (scripts/flagship-v2.sh) and docs/performance.md holds timings,
# which no check can repeat: neither is regenerated here.
# BRINK names a binary already built; otherwise this builds one. Every figure is bit-identical
# on any machine and thread count, so the check compares text exactly.
set -euo pipefail
cd "$(dirname "$0")/.."
check=false
[ "${1:-}" = "--check" ] && check=true
if [ -z "${BRINK:-}" ]; then
    cargo build --release --quiet
fi
brink=${BRINK:-${CARGO_TARGET_DIR:-target}/release/brink}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flagship=scenarios/russia_azerbaijan_2025.ron
mkdir -p "$work/blocks"

# Numbers as the docs print them: a true minus sign.
minus() { sed 's/-\([0-9]\)/−\1/g'; }

# The weeks of a trace's first run, from `before` weeks before the first week whose lines match
# `pattern` to that week (a week is its `week …` line and the indented lines under it).
weeks_before() {
    local pattern=$1 before=$2
    awk -v pat="$pattern" -v before="$before" '
        /^Run [0-9]+ of / { runs++ }
        runs != 1 { next }
        /^week / { n++; block[n] = $0; next }
        /^    / && n > 0 {
            block[n] = block[n] "\n" $0
            if (!found && $0 ~ pat) found = n
            next
        }
        END {
            if (!found) exit 1
            for (i = (found - before > 1 ? found - before : 1); i <= found; i++) print block[i]
        }'
}

# -- docs/analysis.md -------------------------------------------------------------------------

# Common random numbers against independent runs, for P(rupture), 10,000 runs per arm.
block_crn() {
    local d=$work/crn
    "$brink" compare "$flagship" --variants west_deepens_energy_ties,mediation_push --no-tornado \
        --runs 10000 --out "$d/paired" >/dev/null
    "$brink" run "$flagship" --runs 10000 --seed 1 --no-charts --out "$d/base" >/dev/null
    "$brink" run "$flagship" --runs 10000 --seed 2 --no-charts --variant west_deepens_energy_ties \
        --out "$d/west" >/dev/null
    "$brink" run "$flagship" --runs 10000 --seed 2 --no-charts --variant mediation_push \
        --out "$d/mediation" >/dev/null
    # outcomes.csv: the label may hold commas, so the numbers are counted from the end (the
    # probability is the 12th field from it).
    p_of() { awk -F, '$1 == "rupture" { print $(NF-11) }' "$1/outcomes.csv"; }
    local p1
    p1=$(p_of "$d/base")
    echo '| variant | P(rupture) base → variant | paired difference (95%) | paired width | independent width | ratio | runs saved |'
    echo '| --- | --- | --- | --- | --- | --- | --- |'
    for v in west_deepens_energy_ties mediation_push; do
        local dir=$d/west
        [ "$v" = mediation_push ] && dir=$d/mediation
        awk -F, -v v="$v" -v p1="$p1" -v p2="$(p_of "$dir")" '
            $1 == "base" && $4 == "rupture" { base = $(NF-7) }
            $1 == v && $4 == "rupture" { p = $(NF-7); d = $(NF-3) / 100; lo = $(NF-2) / 100; hi = $(NF-1) / 100 }
            END {
                n = 10000
                paired = hi - lo
                indep = 2 * 1.96 * sqrt(p1 * (1 - p1) / n + p2 * (1 - p2) / n)
                r = indep / paired
                # The probabilities as brink prints them: the decimal it wrote rounded half up
                # (0.5295 reads 0.530 in `compare`), where printf rounds the binary value
                # below it (0.52949…, 0.529). A nudge far below the CSV digits does that.
                printf "| `%s` | %.3f → %.3f | %+.4f (%+.4f to %+.4f) | %.4f | %.4f | **%.2f** | %.1f× |\n",
                    v, base + 1e-12, p + 1e-12, d, lo, hi, paired, indep, r, r * r
            }' "$d/paired/compare.csv"
    done | minus
    echo
    # compare.csv: the label may hold commas, so the numbers are counted from the end.
    # The figures the paragraph below the table reads, in points.
    awk -F, -v p1="$p1" -v p2w="$(p_of "$d/west")" -v p2m="$(p_of "$d/mediation")" '
        $1 == "west_deepens_energy_ties" && $4 == "rupture" { wd = $(NF-3) / 100; wlo = $(NF-2) / 100; whi = $(NF-1) / 100 }
        $1 == "mediation_push" && $4 == "rupture" { md = $(NF-3) / 100 }
        END {
            n = 10000
            wi = 1.96 * sqrt(p1 * (1 - p1) / n + p2w * (1 - p2w) / n)
            printf "The West'"'"'s energy ties move rupture by %+.1f points: the paired interval (%+.1f to %+.1f\n", 100 * wd, 100 * wlo, 100 * whi
            printf "points) and the independent one (±%.1f points around %+.1f) side by side. The mediation\n", 100 * wi, 100 * (p2w - p1)
            printf "push moves it by %+.1f points.\n", 100 * md
        }' "$d/paired/compare.csv" | minus
    # The same ratio for every outcome (paired width from compare.csv, independent width from the
    # seed-1 and seed-2 outcomes.csv): its lowest and highest, each with its outcome.
    ratio_range() {
        awk -F, -v v="$1" -v n=10000 '
            FILENAME == ARGV[1] && FNR > 1 { p1[$1] = $(NF-11) }
            FILENAME == ARGV[2] && FNR > 1 { p2[$1] = $(NF-11) }
            FILENAME == ARGV[3] && $1 == v {
                w = ($(NF-1) - $(NF-2)) / 100; o = $4
                if (w <= 0 || !(o in p1) || !(o in p2)) next
                r = 2 * 1.96 * sqrt(p1[o] * (1 - p1[o]) / n + p2[o] * (1 - p2[o]) / n) / w
                k++
                if (k == 1 || r < lo) { lo = r; lo_o = o }
                if (k == 1 || r > hi) { hi = r; hi_o = o }
            }
            END { printf "%d %.2f %s %.2f %s\n", k, lo, lo_o, hi, hi_o }' \
            "$d/base/outcomes.csv" "$2/outcomes.csv" "$d/paired/compare.csv"
    }
    local wk wlo wlo_o whi whi_o mlo mlo_o mhi mhi_o
    read -r wk wlo wlo_o whi whi_o < <(ratio_range west_deepens_energy_ties "$d/west")
    local mk
    read -r mk mlo mlo_o mhi mhi_o < <(ratio_range mediation_push "$d/mediation")
    # Both variants are read over the same outcomes (a width of 0 would drop one): one count.
    [ "$wk" = "$mk" ] || { echo "docs.sh: $wk outcomes for one variant, $mk for the other" >&2; exit 1; }
    echo
    echo "Over the flagship's $wk outcomes with a paired interval of some width (the same runs and"
    echo "seeds: the paired width from \`compare.csv\`, the independent width from the seed-1 and"
    echo "seed-2 probabilities in the \`outcomes.csv\` files of the commands below), the ratio ranges"
    echo "from $wlo (\`$wlo_o\`) to $whi (\`$whi_o\`) for \`west_deepens_energy_ties\` and"
    echo "from $mlo (\`$mlo_o\`) to $mhi (\`$mhi_o\`) for \`mediation_push\`$(
        awk -v a="$wlo" -v b="$mlo" 'BEGIN { if (a >= 1 && b >= 1) printf "; it never falls below 1" }')."
}

# The first run of `--pick OUTCOME` (seed 0): the `before` weeks before the first week the
# outcome holds, and that week, introduced by `what` ("the weeks up to …").
picked_weeks() {
    local outcome=$1 before=$2 what=$3 t=$work/trace_$1.txt
    "$brink" trace "$flagship" --pick "$outcome" --count 1 --seed 0 >"$t"
    echo "\`brink trace scenarios/russia_azerbaijan_2025.ron --pick $outcome --count 1 --seed 0\`"
    echo "($(sed -n 's/^Run \([0-9]*\) of .*/run \1/p' "$t" | head -1)), $what:"
    echo
    echo '```text'
    # The trace names the outcome by its label, up to any parenthesis.
    local label
    label=$(sed -n "s/.*(name: \"$outcome\", label: \"\([^\"(]*\).*/\1/p" "$flagship" | head -1)
    label=${label% }
    weeks_before "^    outcome +$label\$" "$before" <"$t"
    echo '```'
}

# One storyline of rupture: the weeks before the outcome first holds.
block_trace_rupture() {
    picked_weeks rupture 5 "the weeks up to the first week \`rupture\` holds"
}

# Among the first 10 runs with a leader meeting (seed 0), the first whose trace has a line
# matching PATTERN: its weeks up to that line (BEFORE weeks before it), after the words
# "(the first run of `--pick leader_meeting --count 10` in which WHICH)" and WHAT; NONE when
# no run has it.
meeting_run_weeks() {
    local pattern=$1 before=$2 which=$3 what=$4 none=$5
    local t=$work/trace_meetings.txt
    "$brink" trace "$flagship" --pick leader_meeting --count 10 --seed 0 >"$t"
    local run
    run=$(awk -v pat="$pattern" '/^Run [0-9]+ of / { r = $2 } $0 ~ pat { print r; exit }' "$t")
    if [ -z "$run" ]; then
        echo "$none"
        return
    fi
    "$brink" trace "$flagship" --run "$run" --seed 0 >"$work/trace_run.txt"
    echo "\`brink trace scenarios/russia_azerbaijan_2025.ron --run $run --seed 0\` (the first run of"
    echo "\`--pick leader_meeting --count 10\` in which $which), $what:"
    echo
    echo '```text'
    weeks_before "$pattern" "$before" <"$work/trace_run.txt"
    echo '```'
}

# An event's effects on levers: the week of the first meeting that is the leader_meeting event
# (a meeting may also be an accepted invitation, which is an act, shown below).
block_trace_meeting() {
    meeting_run_weeks '^    event .*Putin–Aliyev meeting fired' 0 "the meeting is the event" \
        "the week it fires" "No meeting in the first 10 runs with one (seed 0) was the event."
}

# The two-sided invitation: the first accepted offer among the first runs with a meeting.
block_trace_invitation() {
    meeting_run_weeks '^    .* accepts: ' 4 "an offer is accepted" \
        "the weeks up to the acceptance" \
        "No offer of contact was accepted in the first 10 runs with a meeting (seed 0)."
}

# Which assumptions drive rupture: the top five by PRCC, 4,000 runs, seed 0.
block_sensitivity() {
    local d=$work/sensitivity
    "$brink" sensitivity "$flagship" --runs 4000 --seed 0 --no-charts --out "$d" >"$work/sens.txt"
    echo 'On the flagship (4,000 runs, seed 0: `brink sensitivity'
    echo 'scenarios/russia_azerbaijan_2025.ron --runs 4000 --seed 0`), for `rupture` (the default'
    echo 'outcome):'
    echo
    echo '| rank | parameter | PRCC (95%) |'
    echo '| --- | --- | --- |'
    # sensitivity.csv: parameter, source (may hold commas), prcc, low, high, rank.
    awk -F, 'NR > 1 && $NF <= 5 {
            printf "| %d | `%s` | %+.3f (%+.3f to %+.3f) |\n", $NF, $1, $(NF-3), $(NF-2), $(NF-1)
        }' "$d/sensitivity.csv" | sort -t'|' -k2,2n | minus
    echo
    awk -F, 'NR > 1 { n++; if ($(NF-2) > 0 || $(NF-1) < 0) x++ }
        END { printf "%d of the %d intervals exclude 0.\n", x, n }' "$d/sensitivity.csv"
}

# An experiment on the flagship: fatigue × reciprocity, 40 Latin hypercube points, 1,000 runs
# each, the base and the missing-leader-contact hypothesis on common random numbers.
block_experiment() {
    local d=$work/experiment
    "$brink" experiment "$flagship" --design lhs --param shared.fatigue.value=0.3..0.6 \
        --param shared.reactivity.value=0.1..0.28 --points 40 --runs 1000 --seed 0 \
        --variants missing_leader_contact --outcome rupture --no-charts --out "$d" \
        >"$work/experiment.txt"
    echo '```text'
    # The variants' table: from its heading to the blank line after it.
    awk '/^P\(/ { on = 1 } on && /^$/ { exit } on { print }' "$work/experiment.txt"
    echo '```'
    echo
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "density") c = i }
        NR > 1 { n++ } END { printf "PRIM'"'"'s trajectory holds %d boxes (prim.csv): the box of every run, then %d peels.\n", n, n - 1 }' "$d/prim.csv"
    echo
    # The terminal's account of PRIM's box, and of the restrictions the runs do not support.
    echo '```text'
    grep -E '^(Scenario discovery|The runs do not support)' "$work/experiment.txt" | fold -s -w 100
    echo '```'
}

# `--precision` on the tutorial: the runs it took and why it stopped.
block_precision() {
    local d=$work/precision
    "$brink" run scenarios/examples/tutorial.ron --precision rupture=0.02 --no-charts \
        --out "$d" >"$work/precision.txt"
    echo '```'
    echo '$ brink run scenarios/examples/tutorial.ron --precision rupture=0.02'
    grep '^stopped: ' "$work/precision.txt"
    echo '```'
}

# -- the README's images ----------------------------------------------------------------------

images() {
    "$brink" run "$flagship" --runs 10000 --seed 0 --out "$work/readme" >/dev/null
    cp "$work/readme/index_fan.png" "$work/readme/outcome_probabilities.png" docs/images/
}

# -- splice -----------------------------------------------------------------------------------

# Replaces every generated block of file $1 (read from $2) into $3.
splice() {
    awk -v blocks="$work/blocks" '
        match($0, /^<!-- docs\.sh: [a-z_]+ -->$/) {
            name = substr($0, 15, length($0) - 18)
            print
            file = blocks "/" name
            while ((getline line < file) > 0) print line
            close(file)
            skipping = 1
            next
        }
        /^<!-- \/docs\.sh: [a-z_]+ -->$/ { skipping = 0 }
        !skipping { print }' "$2" >"$3"
}

files=(docs/analysis.md)
for f in "${files[@]}"; do
    for name in $(sed -n 's/^<!-- docs\.sh: \([a-z_]*\) -->$/\1/p' "$f"); do
        if ! declare -F "block_$name" >/dev/null; then
            echo "$f: no function block_$name for the block $name" >&2
            exit 1
        fi
        "block_$name" >"$work/blocks/$name"
    done
done

status=0
for f in "${files[@]}"; do
    splice "$f" "$f" "$work/new.md"
    if $check; then
        if ! diff -u "$f" "$work/new.md"; then
            echo "$f quotes figures the code no longer gives: run scripts/docs.sh and commit" >&2
            status=1
        fi
    else
        cp "$work/new.md" "$f"
    fi
done

# docs/calibration.md, whole, but for its timing line (DOCS_SKIP_CALIBRATION=1 skips it while
# editing the other blocks: it takes minutes).
if [ -n "${DOCS_SKIP_CALIBRATION:-}" ]; then
    $check && [ $status = 0 ] && echo "docs are current (docs/calibration.md not checked)"
    exit $status
fi
scripts/calibration.sh >"$work/calibration.md" 2>"$work/calibration.log" ||
    { cat "$work/calibration.log" >&2; exit 1; }
if $check; then
    # The one line that measures time: "N simulations in T s, R simulations per second".
    timing='simulations per second'
    if ! diff -u <(grep -v "$timing" docs/calibration.md) \
        <(grep -v "$timing" "$work/calibration.md"); then
        echo "docs/calibration.md is not current: run scripts/docs.sh and commit" >&2
        status=1
    fi
else
    cp "$work/calibration.md" docs/calibration.md
    images
fi
$check && [ $status = 0 ] && echo "docs are current"
exit $status
