#!/usr/bin/env bash
# Build vclos and its tests with AddressSanitizer + UndefinedBehaviorSanitizer (gcc) in
# build-asan/ and run the test suite there.
#   test/run-sanitized.sh [CTEST_ARGS...]   e.g. -L sanitize-subset, or -R Scenario
#   VCLOS_ASAN_TARGETS="vclos-core-tests ..."   build only these targets (default: all)
# CI (test/run-tests.sh) runs the labelled subset: the core tests, the fuzz replays and
#   vclos-sanitize-packet-tests, with ctest -L sanitize-subset.
# Debian's ns-3 libraries are not instrumented; ASan still checks every access vclos's own
# code makes. Runtime options (why each is needed is in doc/validation.rst, "Sanitizers"):
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${VCLOS_ASAN_BUILD_DIR:-$ROOT/build-asan}"
bash "$ROOT/test/bootstrap.sh" --packages-only
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVCLOS_SANITIZE=ON \
    -DVCLOS_BUILD_BENCHMARKS=OFF >/dev/null
if [ -n "${VCLOS_ASAN_TARGETS:-}" ]; then
    cmake --build "$BUILD" -j"$(nproc)" $(printf -- "--target %s " $VCLOS_ASAN_TARGETS)
else
    cmake --build "$BUILD" -j"$(nproc)"
fi
# allocator_may_return_null=1: the loader's "out of memory" path (exit 5) is tested; without
#   it ASan aborts on the huge allocation instead of letting std::bad_alloc be thrown.
export ASAN_OPTIONS="${ASAN_OPTIONS:-allocator_may_return_null=1:detect_leaks=1:abort_on_error=0:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --test-dir "$BUILD" --output-on-failure -j"$(nproc)" "$@"
