#!/bin/sh
# Regenerate the OCS-vClos results of doc/paper-claims.rst and doc/ocs.rst: the shipped
# 5,000-job trace at flow level (max-min sharing) with test/benchmark/vclos-flow-bench, for
# ocs-vclos[:DELAY_MS] on the paper's OCS setup (256 leaves x 32 GPUs, 32 uplinks, 128 spines
# of 64 ports) and NAME@LEAVESxGPUS on a cabled Clos of that shape, beside vclos and ecmp on
# the packet-switched cluster. Writes results/paper/<run>-maxmin.jobs.csv, .samples.csv and
# .log (the bench's summary and /usr/bin/time -v: wall time, peak RSS), which the figure stage
# ocs reads. (The vclos-sim route of scenarios/paper-scale.sh does not run ocs-vclos at paper
# scale yet: the bench's NAME@LEAVESxGPUS and :DELAY_MS forms are its own.)
#
#   cmake --build build --target vclos-flow-bench
#   scenarios/paper-scale-ocs.sh [build dir] [runs]
#   /usr/bin/python3 scenarios/make_figures.py --only ocs
#
# Each run takes about half a minute to a few minutes on one core; a run still going after
# PAPER_TIMEOUT_S seconds (default 1200) is stopped (its log says so; the figure leaves it out).
set -e
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
policies=${2:-"ocs-vclos ocs-vclos:1 ocs-vclos:10 ocs-vclos:25 ocs-vclos:50 ocs-vclos:100 vclos@256x32 vclos ecmp"}
sharings=maxmin
timeout_s=${PAPER_TIMEOUT_S:-1200}
bench=$build/test/benchmark/vclos-flow-bench
trace=$here/traces/paper-8192gpu-5000jobs.csv
out=$here/../results/paper
[ -x "$bench" ] || { echo "error: $bench not found: build the target vclos-flow-bench" >&2; exit 2; }
mkdir -p "$out"
for sharing in $sharings; do
    for policy in $policies; do
        base=$out/$policy-$sharing
        echo "[paper] $policy $sharing"
        if ! /usr/bin/time -v timeout "$timeout_s" "$bench" "$trace" "$policy" "$sharing" all 1 \
            "$base.jobs.csv" "$base.samples.csv" > "$base.log" 2>&1; then
            echo "[paper] $policy $sharing: stopped or failed (see $base.log)"
            rm -f "$base.jobs.csv" "$base.samples.csv"
        fi
    done
done
