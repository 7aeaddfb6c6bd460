#!/usr/bin/env bash
# Set up (Debian packages, Release build) and run the whole test suite with ctest.
# Exits non-zero if anything fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/test/bootstrap.sh"
ctest --test-dir "${VCLOS_BUILD_DIR:-$ROOT/build}" --output-on-failure -j"$(nproc)"
