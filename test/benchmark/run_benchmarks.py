#!/usr/bin/python3
"""Benchmark workload W on the vclos data plane and on stock ns-3, in one run.

Usage: /usr/bin/python3 test/benchmark/run_benchmarks.py [--build DIR] [--quick] [--out FILE]
                                                          [--baseline DIR] [--cases a,b]

Runs every (case, MTU) of workload W (doc/performance.rst) with vclos-ring-bench (line rate,
and --lossless: shared buffers, PFC, ECN, DCQCN) and with stock-ns3-ring (UDP at line rate and
TCP BulkSend), each under /usr/bin/time -v, one at a time, and prints a Markdown table: wall
time, peak RSS, packet-hops per second, wall time per delivered data packet, and each build's
wall time relative to vclos at line rate. Wall times are the minimum of --repeat runs (the
machines are noisy; the slow TCP runs go once). --quick skips stock TCP at MTU 1448.
--baseline DIR also runs the vclos variants of another build (e.g. the previous commit's),
interleaved run by run with this build's, so their ratio is measured under the same load.
--cases lists vclos-ring-bench presets (a = W32, b = W256, W1024, W4096); stock-ns3-ring runs
only a and b (it has no larger presets), so it is skipped for W1024 and W4096.
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(cmd):
    """Run cmd under /usr/bin/time -v; return (key=value dict, peak RSS in KiB)."""
    proc = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    line = [l for l in proc.stdout.splitlines() if "wall_s=" in l][-1]
    values = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return values, rss


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--quick", action="store_true", help="skip stock TCP at MTU 1448")
    ap.add_argument("--out", help="also write the table to this file")
    ap.add_argument("--repeat", type=int, default=3, help="runs per fast variant (minimum wins)")
    ap.add_argument("--baseline", help="another build directory to compare vclos with")
    ap.add_argument("--cases", default="a,b",
                    help="comma-separated presets: a (W32), b (W256), W1024, W4096")
    args = ap.parse_args()
    cases = args.cases.split(",")
    for case in cases:
        if case not in ("a", "b", "W32", "W256", "W1024", "W4096"):
            sys.exit(f"error: --cases: {case!r} is not one of a, b, W32, W256, W1024, W4096")
    bench = os.path.join(args.build, "test", "benchmark")
    for prog in ("vclos-ring-bench", "stock-ns3-ring"):
        if not os.access(os.path.join(bench, prog), os.X_OK):
            sys.exit(f"error: {bench}/{prog} not built (run bash test/bootstrap.sh)")
    if not os.access("/usr/bin/time", os.X_OK):
        sys.exit("error: /usr/bin/time missing (apt-get install time)")

    rows = []
    for case in cases:
        stock_case = {"a": "a", "W32": "a", "b": "b", "W256": "b"}.get(case)
        for mtu in (1448, 4096):
            results = {}
            variants = [("vclos", [f"{bench}/vclos-ring-bench", f"--case={case}", f"--mtu={mtu}"]),
                        ("vclos-lossless", [f"{bench}/vclos-ring-bench", f"--case={case}",
                                            f"--mtu={mtu}", "--lossless"]),
                        ("stock-udp", [f"{bench}/stock-ns3-ring", f"--case={stock_case}",
                                       f"--mtu={mtu}", "--transport=udp"])]
            if stock_case is None:
                variants.pop()
            if args.baseline:
                base = os.path.join(args.baseline, "test", "benchmark", "vclos-ring-bench")
                # interleaved: baseline and this build alternate run by run
                variants[0:2] = [("vclos", variants[0][1], ("baseline", [base] + variants[0][1][1:])),
                                 ("vclos-lossless", variants[1][1],
                                  ("baseline-lossless", [base] + variants[1][1][1:]))]
            if stock_case is not None and not (args.quick and mtu == 1448):
                variants.append(("stock-tcp", [f"{bench}/stock-ns3-ring", f"--case={stock_case}",
                                               f"--mtu={mtu}", "--transport=tcp"]))
            for name, cmd, *other in variants:
                print(f"[bench] case {case} mtu {mtu} {name} ...", file=sys.stderr, flush=True)
                runs = 1 if name == "stock-tcp" else max(1, args.repeat)
                pairs = [(name, cmd)] + [tuple(o) for o in other]
                for _ in range(runs):
                    for n, c in pairs:
                        r = run(c)
                        if n not in results or float(r[0]["wall_s"]) < float(results[n][0]["wall_s"]):
                            results[n] = r
            v_wall = float(results["vclos"][0]["wall_s"])
            for name, (vals, rss) in results.items():
                wall = float(vals["wall_s"])
                pkts = int(vals["data_packets_delivered"])
                rows.append((case, mtu, name, wall, rss / 1024, float(vals["hops_per_s"]),
                             wall * 1e6 / pkts, wall / v_wall))
    lines = ["| case | MTU | build | wall s | peak RSS MiB | packet-hops/s | us per data packet "
             "| wall / vclos wall |",
             "|---|---|---|---|---|---|---|---|"]
    for case, mtu, name, wall, rss, hps, us, ratio in rows:
        lines.append(f"| {case} | {mtu} | {name} | {wall:.2f} | {rss:.1f} | {hps/1e6:.2f} M "
                     f"| {us:.2f} | {ratio:.1f} |")
    table = "\n".join(lines)
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
