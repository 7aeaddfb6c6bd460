#!/usr/bin/env bash
# Set up (Debian packages, Release build), run the default scenario, and draw its figures.
#   bash scenarios/run-default.sh [SCENARIO.json]
# Leaves results/<scenario>.db (SQLite) and results/figures/*.png.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCENARIO="${1:-$ROOT/scenarios/default.json}"
BUILD="${VCLOS_BUILD_DIR:-$ROOT/build}"
bash "$ROOT/test/bootstrap.sh"

NAME="$(basename "$SCENARIO" .json)"
mkdir -p "$ROOT/results/figures"
DB="$ROOT/results/$NAME.db"
"$BUILD/examples/vclos-sim" --scenario="$SCENARIO" --db="$DB"
/usr/bin/python3 "$ROOT/scenarios/plot_results.py" "$DB" --out "$ROOT/results/figures"
echo "[vclos] results database: $DB"
echo "[vclos] figures: $ROOT/results/figures/"
