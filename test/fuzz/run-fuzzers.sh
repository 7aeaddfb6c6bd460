#!/usr/bin/env bash
# Fuzz vclos's parsers with libFuzzer (clang from Debian), under ASan and UBSan.
#   test/fuzz/run-fuzzers.sh [SECONDS_PER_TARGET [TARGET...]]   (default 600; all targets:
#                                                            scenario trace sweep)
# Builds the core and the targets in build-fuzz/, seeds each working corpus from
# test/fuzz/corpus/<target>/ and the scenarios, and runs each target for the given time.
# A crash input is written to test/fuzz/regressions/<target>/: fix the parser, keep the file
# (ctest replays it in every build), re-run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${VCLOS_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SECONDS_PER_TARGET="${1:-600}"
shift || true
TARGETS=("$@")
if ((${#TARGETS[@]} == 0)); then TARGETS=(scenario trace sweep); fi

VCLOS_EXTRA_PACKAGES="clang libclang-rt-14-dev" bash "$ROOT/test/bootstrap.sh" --packages-only
cmake -S "$ROOT" -B "$BUILD" -DVCLOS_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DVCLOS_BUILD_TESTS=OFF -DVCLOS_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" $(printf -- "--target vclos-fuzz-%s " "${TARGETS[@]}")

status=0
for target in "${TARGETS[@]}"; do
    corpus="$BUILD/corpus/$target"
    mkdir -p "$corpus" "$ROOT/test/fuzz/regressions/$target"
    cp -n "$ROOT"/test/fuzz/corpus/$target/* "$corpus/"
    echo "[fuzz] $target: ${SECONDS_PER_TARGET} s (log: $BUILD/fuzz-$target.log)"
    # -rss_limit_mb: an input that makes a parser allocate without bound is a crash too.
    # -timeout: one input may take at most 10 s (a hang is a crash).
    rc=0
    "$BUILD/test/fuzz/vclos-fuzz-$target" "$corpus" \
        -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 \
        -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$ROOT/test/fuzz/regressions/$target/" >"$BUILD/fuzz-$target.log" 2>&1 || rc=$?
    grep -E "INITED|DONE|Done [0-9]+ runs|stat::|ERROR|SUMMARY|Test unit written" \
        "$BUILD/fuzz-$target.log" || true
    if [ "$rc" -ne 0 ]; then
        echo "[fuzz] $target FAILED (exit $rc): the input is in test/fuzz/regressions/$target/"
        status=1
    fi
done
exit "$status"
