#!/bin/sh
# Regenerate the paper-scale results of doc/paper-claims.rst: the shipped 5,000-job trace on
# the paper's packet-switched cluster (128 leaves x 64 GPUs, 64 spines, 4 GPUs per server,
# 100 Gbps links, 1000 Gbps inside a server) at flow level, per policy and sharing model,
# with test/benchmark/vclos-flow-bench. Writes results/paper/<policy>-<sharing>.jobs.csv,
# .samples.csv and .log (the bench's summary and /usr/bin/time -v: wall time, peak RSS).
#
#   cmake --build build --target vclos-flow-bench
#   scenarios/paper-scale.sh [build dir] [policies] [sharing models]
#   /usr/bin/python3 scenarios/make_figures.py --only paper
#
# OCS-vClos (doc/ocs.rst, stage ocs): policies ocs-vclos[:DELAY_MS] run on the paper's OCS setup
# (256 leaves x 32 GPUs, 32 uplinks, 128 spines of 64 ports), NAME@LEAVESxGPUS on a cabled
# Clos of that shape, e.g.
#   scenarios/paper-scale.sh build "ocs-vclos vclos@256x32 vclos ecmp ocs-vclos:1 ocs-vclos:10 \
#       ocs-vclos:25 ocs-vclos:50 ocs-vclos:100" maxmin
#   /usr/bin/python3 scenarios/make_figures.py --only ocs
#
# Each run takes about half a minute to a few minutes on one core; random-ecmp under maxmin
# takes much longer and is stopped after PAPER_TIMEOUT_S seconds (default 1200; its log then
# says so and the figures leave it out).
set -e
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
policies=${2:-"vclos ecmp static random-ecmp"}
sharings=${3:-"maxmin none step"}
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
