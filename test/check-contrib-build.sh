#!/usr/bin/env bash
# Runs the commands of doc/build-contrib.rst, as written there, for one ns-3 version: the
# commands are taken from the .rst (the literal block after each ".. check-contrib-build: STEP"
# comment), so the page and this check cannot drift apart. Then checks what the page promises:
# test.py lists one vclos-<name> suite per test/<name>-test.cc and passes them all, and
# vclos-sim runs the default scenario into a database.
#
#   test/check-contrib-build.sh [--ns3 3.37|3.48] [--ns3-tree DIR] [--work DIR] [--keep]
#
#   --ns3 V         ns-3 version (3.37, the default: Debian's source package; 3.48: the git tag)
#   --ns3-tree DIR  an ns-3 source tree of that version to use in place (a cached tree): skips
#                   the page's download step; contrib/vclos in it is replaced
#   --work DIR      where the page's WORK directory goes (default: a new directory in /tmp)
#   --keep          keep WORK afterwards (default: removed when the script made it)
#   VCLOS_CHECK_STEPS="copy configure ..."  run only these steps (debugging)
#
# Not part of .ci/run: a from-scratch ns-3 build takes 10-25 minutes on 2 cores (see the build
# time table of doc/build-contrib.rst). Exit status: non-zero if any command or check fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DOC="$ROOT/doc/build-contrib.rst"

NS3_VERSION=3.37
NS3_TREE=""
WORK=""
KEEP=0
while (($#)); do
    case "$1" in
    --ns3) NS3_VERSION="$2"; shift 2 ;;
    --ns3-tree) NS3_TREE="$(cd "$2" && pwd)"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: $0 [--ns3 3.37|3.48] [--ns3-tree DIR] [--work DIR] [--keep]" >&2; exit 2 ;;
    esac
done
case "$NS3_VERSION" in
3.37 | 3.48) ;;
*) echo "--ns3: 3.37 or 3.48, not '$NS3_VERSION'" >&2; exit 2 ;;
esac

# The literal block that follows ".. check-contrib-build: $1" in the page (its indentation
# removed), or a failure if there is none.
block() {
    awk -v step="$1" '
        $0 == ".. check-contrib-build: " step { found = 1; next }
        found == 1 && /::[ \t]*$/ { found = 2; next }
        found == 2 && /^[ \t]*$/ { if (started) { blank++ }; next }
        found == 2 && /^[ \t]/ {
            if (!started) { match($0, /^[ \t]+/); indent = RLENGTH; started = 1 }
            while (blank > 0) { print ""; blank-- }
            print substr($0, indent + 1); next }
        found == 2 && started { exit }
        END { if (!started) exit 1 }
    ' "$DOC" || { echo "check-contrib-build: no block for step '$1' in $DOC" >&2; return 1; }
}

MADE_WORK=0
if [ -z "$WORK" ]; then
    WORK="$(mktemp -d /tmp/vclos-contrib-check.XXXXXX)"
    MADE_WORK=1
fi
mkdir -p "$WORK"
LOG="$WORK/check-contrib-build.log"
cleanup() {
    if [ "$KEEP" = 0 ] && [ "$MADE_WORK" = 1 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

steps=(packages)
if [ -n "$NS3_TREE" ]; then
    echo "[check] ns-3 $NS3_VERSION: using the tree $NS3_TREE (the page's download step is skipped)"
else
    steps+=("source-$NS3_VERSION")
fi
steps+=(copy configure build list test run)
if [ -n "${VCLOS_CHECK_STEPS:-}" ]; then read -r -a steps <<<"$VCLOS_CHECK_STEPS"; fi

# One bash script from the page's blocks: VCLOS and WORK as the page defines them, NS3 set by the
# download step (or to the cached tree).
script="$WORK/commands.sh"
{
    echo "set -euo pipefail"
    echo "export VCLOS='$ROOT' WORK='$WORK'"
    if [ -n "$NS3_TREE" ]; then echo "export NS3='$NS3_TREE'"; fi
    for s in "${steps[@]}"; do
        if [ "$s" = packages ]; then
            # Install only when something is missing: an up-to-date machine needs no apt-get
            # update (which would refresh the machine's package lists).
            pk="$(block packages)"
            names="$(printf '%s\n' "$pk" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' |
                sed -n 's/.*apt-get install -y //p')"
            echo "missing=\$(for p in $names; do dpkg-query -W -f='\${Status}' \"\$p\" 2>/dev/null | grep -q 'install ok installed' || echo \"\$p\"; done)"
            echo "if [ -n \"\$missing\" ]; then"
            printf '%s\n' "$pk"
            echo "fi"
        else
            echo "echo '[check] step $s'; SECONDS=0"
            block "$s"
            echo "echo \"[check] time $s \$SECONDS s\""
        fi
    done
} >"$script"

echo "[check] running the commands of $DOC (ns-3 $NS3_VERSION) in $WORK; log: $LOG"
start=$(date +%s)
if ! (cd "$ROOT" && bash "$script") >"$LOG" 2>&1; then
    tail -n 40 "$LOG"
    echo "[check] FAILED: a command of the page failed (log: $LOG)" >&2
    KEEP=1
    exit 1
fi
echo "[check] the page's commands ran in $(($(date +%s) - start)) s; per step:"
grep -a '^\[check\] time ' "$LOG" | sed 's/^\[check\] time /[check]   /'

# What step $1 printed (without test.py's colours).
output() {
    sed 's/\x1b\[[0-9;]*m//g' "$LOG" |
        awk -v s="[check] step $1" '$0 == s { on = 1; next } /^\[check\] step / { on = 0 } on'
}

fail=0
# test.py --list names one vclos-<name> suite per test/<name>-test.cc.
# (but sweep-run-test.cc, which drives the standalone build's programs: the top-level
# CMakeLists.txt leaves it out of an ns-3 tree)
expected=$(cd "$ROOT/test" && ls -- *-test.cc | grep -vx 'sweep-run-test.cc' |
    sed -e 's/-test\.cc$//' -e 's/^vclos-//' -e 's/^/vclos-/' | sort)
listed=$(output list | grep -oE '(^|[[:space:]])vclos-[a-z0-9-]+' | sed 's/^[[:space:]]*//' | sort -u)
if [[ " ${steps[*]} " == *" list "* ]]; then
    if [ "$(comm -3 <(echo "$expected") <(echo "$listed") | wc -l)" != 0 ]; then
        echo "[check] test.py --list differs from test/*-test.cc:" >&2
        comm -3 <(echo "$expected") <(echo "$listed") >&2
        fail=1
    else
        echo "[check] test.py --list: $(echo "$expected" | wc -l) vclos suites, one per test/*-test.cc"
    fi
fi
if [[ " ${steps[*]} " == *" test "* ]]; then
    passed=$(output test | grep -cE '(^|\] )PASS: TestSuite vclos-' || true)
    if [ "$passed" != "$(echo "$expected" | wc -l)" ] || output test | grep -qE '(FAIL|CRASH|VALGR): TestSuite'; then
        echo "[check] test.py: $passed vclos suites passed, $(echo "$expected" | wc -l) expected" >&2
        output test | grep -E '(FAIL|CRASH): ' >&2 || true
        fail=1
    else
        echo "[check] test.py: all $passed vclos suites passed"
    fi
fi
if [[ " ${steps[*]} " == *" run "* ]]; then
    if output run | grep -qE '^results: ' && output run | grep -qE '^run 1 done: 2/2 jobs finished'; then
        echo "[check] vclos-sim: $(output run | grep -E '^run 1 done')"
    else
        echo "[check] vclos-sim did not finish the default scenario" >&2
        fail=1
    fi
fi
if [ "$fail" != 0 ]; then KEEP=1; echo "[check] FAILED (log: $LOG)" >&2; exit 1; fi
echo "[check] OK: doc/build-contrib.rst works for ns-3 $NS3_VERSION"
