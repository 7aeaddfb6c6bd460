#!/usr/bin/env bash
# A single-node Slurm (munged + slurmctld + slurmd, Debian's slurm-wlm and munge) started in a
# scratch directory with a generated slurm.conf, running a vclos sweep's job-array script with
# `sbatch --wait`, then merging and checking every run (doc/sweeps.rst, "Slurm").
#   test/slurm/run-slurm-test.sh VCLOS_SWEEP SWEEP_FILE [SCRATCH_DIR]
# Needs root (the daemons run as root here). Exit 77 (skipped) when Slurm, munge or root is
# missing; 0 when every run is done and merged; 1 otherwise.
set -uo pipefail
SWEEPER="$1"
SWEEP="$2"
TMP="${3:-$(mktemp -d /tmp/vclos-slurm.XXXXXX)}"
skip() { echo "SKIP: $*"; exit 77; }
for cmd in munged slurmctld slurmd sbatch; do
    command -v "$cmd" >/dev/null 2>&1 || skip "$cmd not installed (Debian: apt-get install slurm-wlm munge)"
done
[ "$(id -u)" -eq 0 ] || skip "the test starts slurmctld and slurmd as root"

rm -rf "$TMP"; mkdir -p "$TMP"/{state,spool,munge}
TMP="$(cd "$TMP" && pwd)"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    # the daemons wrote their own pid files
    for f in "$TMP/slurmd.pid" "$TMP/slurmctld.pid" "$TMP/munge/munged.pid"; do
        [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
    done
    true
}
trap cleanup EXIT

# munge: a fresh key and a private socket
dd if=/dev/urandom of="$TMP/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$TMP/munge/munge.key"
chmod 0700 "$TMP/munge"
munged --force --key-file="$TMP/munge/munge.key" --socket="$TMP/munge/munge.socket" \
    --pid-file="$TMP/munge/munged.pid" --log-file="$TMP/munge/munged.log" \
    --seed-file="$TMP/munge/munged.seed" || { cat "$TMP/munge/munged.log"; exit 1; }

HOST="$(hostname -s)"
# ports of our own, away from a system Slurm's 6817/6818
PORT=$((20000 + $$ % 20000))
cat >"$TMP/slurm.conf" <<CONF
ClusterName=vclostest
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$TMP/munge/munge.socket
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/slurmctld.log
SlurmdLogFile=$TMP/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=vclos Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$TMP/slurm.conf"
slurmctld -f "$SLURM_CONF" || { cat "$TMP/slurmctld.log"; exit 1; }
slurmd -f "$SLURM_CONF" || { cat "$TMP/slurmd.log"; exit 1; }
for _ in $(seq 100); do
    sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' && break
    sleep 0.2
done
sinfo -h -o "%P %t %D" || { tail -20 "$TMP"/slurm*.log; exit 1; }

OUT="$TMP/sweep"
"$SWEEPER" slurm "$SWEEP" --out "$OUT" || exit 1
timeout 600 sbatch --wait "$OUT/sweep.sbatch" || {
    echo "sbatch --wait failed"; tail -20 "$TMP"/slurmctld.log "$TMP"/slurmd.log; ls "$OUT/logs"
    exit 1
}
"$SWEEPER" merge "$OUT" --db "$TMP/merged.db" || exit 1
n=$(wc -l <"$OUT/keys.txt")
got=$(sqlite3 "$TMP/merged.db" "SELECT count(DISTINCT run_key) FROM sweep_runs JOIN runs USING (run_id) WHERE status = 'done'")
echo "Slurm ran $got of $n runs"
[ "$got" -eq "$n" ]
