#!/usr/bin/env bash
# Set up (Debian packages, Release build), run the multi-tenant scenarios
# (scenarios/motivation-32gpu, scenarios/replay-512gpu) and draw every figure into results/.
#   bash scenarios/make-figures.sh [--only census,packet,replay] [--seeds N] [--workers 1|2]
# Takes about 30 to 40 minutes on a 2-core machine (doc/multi-tenant.rst); a stage whose
# databases exist under results/ is not run again (delete them to rerun).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/test/bootstrap.sh"
/usr/bin/python3 "$ROOT/scenarios/make_figures.py" --build "${VCLOS_BUILD_DIR:-$ROOT/build}" "$@"
