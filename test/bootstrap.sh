#!/usr/bin/env bash
# Install what vclos needs from Debian (if missing), then configure and build it (Release).
# Used by scenarios/run-default.sh, test/run-tests.sh and .ci/run. Idempotent.
#   --packages-only   install the packages, do not build
#   VCLOS_EXTRA_PACKAGES="clang ..."   more packages to install (the fuzzers need clang)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${VCLOS_BUILD_DIR:-$ROOT/build}"

PACKAGES=(cmake g++ make pkg-config libns3-dev ns3 libgsl-dev libsqlite3-dev sqlite3
          nlohmann-json3-dev libgtest-dev libbenchmark-dev python3 python3-matplotlib python3-docutils time parallel
          ${VCLOS_EXTRA_PACKAGES:-})
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    echo "[vclos] installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ "${1:-}" = "--packages-only" ]; then exit 0; fi

echo "[vclos] configuring and building in $BUILD (Release)"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE="${VCLOS_BUILD_TYPE:-Release}" >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
