#!/usr/bin/env bash
# Every command's report.html, opened in headless Chromium: a screenshot of its first screen
# (a 1366×900 laptop window) and a check, measured by the browser itself, that the page reads
# summary first on that screen.
#
#   scripts/screenshots.sh [OUT]        (default OUT: output/screens)
#
# For each report (the flagship's run, compare, sweep, sensitivity and experiment; the back-test and the
# calibration of the history cases; the combined report when `brink report` exists) it writes
# OUT/<kind>.png and checks, in the laid-out page:
#   - the summary section exists, starts in the top half of the first screen and ends on it;
#   - no chart (figure) comes before the summary;
#   - nothing is wider than the window (no sideways scrolling on a laptop), and no summary
#     table is wider than its place in the summary's grid (cut, with a sideways scroll);
#   - the screenshot is not blank.
# Installs Debian's chromium when it is missing and apt-get can (CI runs as root). Small runs:
# the figures do not matter here, the layout does. Exit 1 on the first failed check.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-output/screens}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing chromium (apt-get)"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            chromium fonts-dejavu-core >/dev/null
    else
        echo "chromium is missing and cannot be installed here (needs root and apt-get)" >&2
        exit 1
    fi
fi

# BRINK names a binary already built; otherwise this builds one.
if [ -z "${BRINK:-}" ]; then
    cargo build --release --quiet
fi
brink=${BRINK:-${CARGO_TARGET_DIR:-target}/release/brink}
# A fixed analysis date, so that the screenshots are the same from day to day.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1764547200}
flagship=scenarios/russia_azerbaijan_2025.ron
title="Russia–Azerbaijan: options for the next year"

# The results (quietly; any failure stops the script).
"$brink" run "$flagship" --runs 2000 --seed 1 --report-title "$title" --out "$work/run" >/dev/null
"$brink" compare "$flagship" --all --runs 1000 --seed 1 --report-title "$title" --out "$work/compare" >/dev/null
"$brink" sweep "$flagship" --set shared.fatigue.value=0.2..0.6:5 --runs 500 --seed 1 \
    --report-title "$title" --out "$work/sweep" >/dev/null
"$brink" sensitivity "$flagship" --runs 2000 --seed 1 --report-title "$title" --out "$work/sensitivity" >/dev/null
"$brink" experiment "$flagship" --design lhs --param shared.fatigue.value=0.3..0.6 \
    --param shared.reactivity.value=0.1..0.28 --points 12 --runs 200 --seed 1 \
    --variants missing_leader_contact --outcome rupture --report-title "$title" \
    --out "$work/experiment" >/dev/null
"$brink" backtest scenarios/history/*.timeline.ron --runs 300 --seed 1 --out "$work/backtest" >/dev/null
timelines=$(ls scenarios/history/*.timeline.ron | paste -sd, -)
"$brink" calibrate --timelines "$timelines" --params shared.fatigue.value,shared.reactivity.value,shared.rationality.value,shared.measure_persistence.value,shared.hawkishness.value --particles 40 --sims 2 \
    --max-generations 3 --seed 1 --out "$work/calibration" >/dev/null 2>"$work/calibrate.log" ||
    { cat "$work/calibrate.log" >&2; exit 1; }
kinds=(run compare sweep sensitivity experiment backtest calibration)
if "$brink" report --help >/dev/null 2>&1; then
    "$brink" report "$work/run" "$work/compare" "$work/sensitivity" --report-title "$title" \
        --out "$work/combined" >/dev/null
    kinds+=(combined)
fi

# Appended to a copy of each page: writes the laid-out positions into the DOM, which
# `--dump-dom` prints once the page has loaded.
probe='<script>addEventListener("load",function(){var s=document.getElementById("summary");var r=s?s.getBoundingClientRect():null;var f=document.querySelector("figure");var q=f?f.getBoundingClientRect():null;var p=document.createElement("pre");p.textContent="LAYOUT "+(r?Math.round(r.top):-1)+" "+(r?Math.round(r.bottom):-1)+" "+(q?Math.round(q.top):-1)+" "+document.documentElement.scrollWidth+" "+innerWidth+" "+innerHeight+" "+[].filter.call(document.querySelectorAll(".summary-grid>div"),function(d){return d.scrollWidth>d.clientWidth+1}).length;document.body.appendChild(p);});</script>'

# Chromium as the machine's probe runs it: no background networking on a closed network, a
# profile of its own.
chrome=(timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run
    --disable-background-networking --disable-component-update --disable-sync --disable-quic
    --user-data-dir="$work/profile" --window-size=1366,900)

mkdir -p "$out"
fail=0
for kind in "${kinds[@]}"; do
    page="$work/$kind/report.html"
    if [ ! -s "$page" ]; then
        echo "FAIL $kind: no report.html" >&2
        fail=1
        continue
    fi
    sed "s#</body>#${probe}</body>#" "$page" >"$work/$kind/probe.html"
    layout=$("${chrome[@]}" --dump-dom "file://$work/$kind/probe.html" 2>/dev/null |
        grep -o 'LAYOUT [-0-9 ]*' | tail -1 || true)
    "${chrome[@]}" --screenshot="$out/$kind.png" "file://$page" >/dev/null 2>&1 || true
    if [ -z "$layout" ]; then
        echo "FAIL $kind: Chromium did not lay the page out" >&2
        fail=1
        continue
    fi
    read -r _ top bottom figure width view_w _ cut <<<"$layout"
    # The screenshot's height: what the first screen shows (the DOM dump's own viewport is
    # smaller by the window's frame).
    view_h=900
    bytes=$(stat -c %s "$out/$kind.png" 2>/dev/null || echo 0)
    why=""
    [ "$top" -ge 0 ] || why="$why no summary section;"
    [ "$top" -lt $((view_h / 2)) ] || why="$why the summary starts at ${top}px, below the first half-screen;"
    [ "$bottom" -le "$view_h" ] || why="$why the summary ends at ${bottom}px, past the first screen (${view_h}px);"
    [ "$figure" -lt 0 ] || [ "$figure" -ge "$bottom" ] || why="$why a chart comes before the summary ends;"
    [ "$width" -le "$view_w" ] || why="$why the page is ${width}px wide in a ${view_w}px window;"
    [ "$bytes" -gt 20000 ] || why="$why the screenshot is blank or missing ($bytes bytes);"
    [ "${cut:-0}" -eq 0 ] || why="$why $cut summary table(s) wider than their place (cut, scrolled sideways);"
    if [ -n "$why" ]; then
        echo "FAIL $kind:$why" >&2
        fail=1
    else
        echo "ok   $kind: summary at ${top}–${bottom}px of ${view_h}px, first chart at ${figure}px, width ${width}px; $out/$kind.png"
    fi
done
exit $fail
