#!/usr/bin/env bash
# Set up (Debian packages, Release build) and run the whole test suite with ctest.
# Exits non-zero if anything fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/test/bootstrap.sh"
ctest --test-dir "${VCLOS_BUILD_DIR:-$ROOT/build}" --output-on-failure -j"$(nproc)"
# Then a labelled subset under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/):
# every core test, the fuzz regressions and a few packet-level simulations
# (doc/validation.rst, "Sanitizers"). VCLOS_CI_SANITIZE=0 skips it.
if [ "${VCLOS_CI_SANITIZE:-1}" != 0 ]; then
    echo "[vclos] sanitized subset (ASan + UBSan) in ${VCLOS_ASAN_BUILD_DIR:-$ROOT/build-asan}"
    VCLOS_ASAN_TARGETS="vclos-core-tests vclos-fuzz-replay vclos-sanitize-packet-tests" \
        bash "$ROOT/test/run-sanitized.sh" -L sanitize-subset
fi
