#!/bin/sh
# Regenerate the paper-scale results of doc/paper-claims.rst: the shipped 5,000-job trace on
# the paper's packet-switched cluster (128 leaves x 64 GPUs, 64 spines, 4 GPUs per server,
# 100 Gbps links, 1000 Gbps inside a server) at flow level, per policy and sharing model,
# with vclos-sim and scenarios/paper-scale/paper-8192gpu.json (level "flow", payload model:
# the same numbers as test/benchmark/vclos-flow-bench). Writes, per run,
# results/paper/<policy>-<sharing>.json (the scenario with that policy and sharing model),
# .db (a results database: tables jobs, cluster_samples, ...) and .log (vclos-sim's progress
# and /usr/bin/time -v: wall time, peak RSS).
#
#   cmake --build build --target vclos-sim
#   scenarios/paper-scale.sh [build dir] [policies] [sharing models]
#   /usr/bin/python3 scenarios/make_figures.py --only paper
#
# OCS-vClos at paper scale: scenarios/paper-scale-ocs.sh (the flow-level bench).
#
# Each run takes about half a minute to a few minutes of CPU; a run still going after
# PAPER_TIMEOUT_S seconds (default 1200) is stopped (vclos-sim writes it as interrupted;
# its log says so and the figures leave it out).
set -e
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
policies=${2:-"vclos ecmp static random-ecmp"}
sharings=${3:-"maxmin none step"}
timeout_s=${PAPER_TIMEOUT_S:-1200}
sim=$build/examples/vclos-sim
base=$here/paper-scale/paper-8192gpu.json
trace=$here/traces/paper-8192gpu-5000jobs.csv
out=$here/../results/paper
[ -x "$sim" ] || { echo "error: $sim not found: build the target vclos-sim" >&2; exit 2; }
mkdir -p "$out"
for sharing in $sharings; do
    for policy in $policies; do
        run=$out/$policy-$sharing
        echo "[paper] $policy $sharing"
        # the base scenario with this policy and sharing model, its trace by absolute path
        sed -e "s|\"policy\": \"vclos\"|\"policy\": \"$policy\"|" \
            -e "s|\"sharing\": \"maxmin\"|\"sharing\": \"$sharing\"|" \
            -e "s|\"file\": \"[^\"]*\"|\"file\": \"$trace\"|" "$base" > "$run.json"
        rm -f "$run.db"
        if ! /usr/bin/time -v timeout -s INT "$timeout_s" "$sim" --scenario="$run.json" \
            --db="$run.db" > "$run.log" 2>&1; then
            echo "[paper] $policy $sharing: stopped or failed (see $run.log)"
        fi
    done
done
