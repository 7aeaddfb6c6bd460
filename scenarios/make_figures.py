#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Run the multi-tenant scenarios and draw every figure of doc/multi-tenant.rst.

Usage:
    /usr/bin/python3 scenarios/make_figures.py [--build DIR] [--out DIR]
                                               [--only census,packet,replay] [--seeds N]

Stages (all by default; each writes CSV files and PNG figures under --out, default results/):
  census  scenarios/motivation-32gpu: vclos-ecmp-collision over 1,000 run seeds (pure paths)
          -> motivation/census-*.csv, motivation-census.png
  packet  scenarios/motivation-32gpu: identical jobs at packet level, ecmp against vclos,
          lossy and lossless, --seeds seeds per cell -> motivation/packet.csv,
          motivation-packet.png
  replay  scenarios/replay-512gpu: the 80-job trace with the four placement policies
          (wall time and peak memory from /usr/bin/time -v) -> replay/*.db, replay/jobs.csv,
          replay/summary.csv, replay-jct.png
"""

import argparse
import csv
import json
import math
import os
import re
import sqlite3
import subprocess
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAPER_COLLISION = 0.315  # the paper's chance of ECMP contention on its 32-GPU testbed
PAPER_JCT_REDUCTION = 0.676  # the paper's "up to 67.6% lower average JCT" (vclos vs ecmp)
POLICIES = ["vclos", "ecmp", "static", "random-ecmp"]
POLICY_COLOURS = {"vclos": "tab:green", "ecmp": "tab:red", "static": "tab:orange",
                  "random-ecmp": "tab:purple"}


class FigureError(Exception):
    """A user-facing error (printed without a traceback)."""


def run(cmd, log=None):
    """Run a command; raise FigureError with its output if it fails."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if log:
        with open(log, "w") as f:
            f.write(p.stdout)
    if p.returncode != 0:
        raise FigureError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout[-3000:]}")
    return p.stdout


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path, rows, fields):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in fields})


def percentile(values, q):
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    v = sorted(values)
    k = max(0, min(len(v) - 1, math.ceil(q / 100.0 * len(v)) - 1))
    return v[k]


# --------------------------------------------------------------------------- census


def stage_census(args):
    exe = os.path.join(args.build, "examples", "vclos-ecmp-collision")
    if not os.path.isfile(exe):
        raise FigureError(f"{exe} not found: build the target vclos-ecmp-collision first")
    out = os.path.join(args.out, "motivation")
    os.makedirs(out, exist_ok=True)
    print(run([exe, "--seeds=1000", f"--csv={out}/census-seeds.csv",
               f"--summary-csv={out}/census-summary.csv"]))
    sweep = []
    for u in (2, 4, 8, 16):
        path = f"{out}/census-spines-{u}.csv"
        run([exe, "--seeds=1000", f"--spines={u}", f"--summary-csv={path}"])
        sweep += read_csv(path)
        os.remove(path)
    write_csv(f"{out}/census-spines.csv", sweep, list(sweep[0].keys()))

    summary = [r for r in read_csv(f"{out}/census-summary.csv")]
    sets = ["two", "four", "random"]
    labels = {"two": "2 jobs, leaves 0-1\n(default.json placement)",
              "four": "4 jobs, leaves 0-1\nand 2-3",
              "random": "4 jobs, random\nserver pairs"}
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.38
    for i, metric in enumerate(["inter_job", "inter_job_control"]):
        rows = {r["jobs"]: r for r in summary if r["metric"] == metric}
        xs = [k + (i - 0.5) * width for k in range(len(sets))]
        p = [float(rows[s]["measured"]) for s in sets]
        lo = [p[k] - float(rows[s]["ci_low"]) for k, s in enumerate(sets)]
        hi = [float(rows[s]["ci_high"]) - p[k] for k, s in enumerate(sets)]
        name = ("data of two jobs on one fabric link" if metric == "inter_job"
                else "packets (data or ACKs) of two jobs")
        ax1.bar(xs, p, width, yerr=[lo, hi], capsize=4, label=name,
                color="tab:red" if i == 0 else "tab:gray")
        if metric == "inter_job":
            ideal = [float(rows[s]["ideal_hashing"]) for s in sets]
            ax1.plot(xs, ideal, "k_", markersize=22, markeredgewidth=2,
                     label="ideal hashing (exact)")
            for x, v in zip(xs, p):
                ax1.text(x, v + 0.04, f"{v:.1%}", ha="center", fontsize=8)
    ax1.axhline(PAPER_COLLISION, color="tab:blue", ls="--", label="paper: 31.5%")
    ax1.set_xticks(range(len(sets)))
    ax1.set_xticklabels([labels[s] for s in sets], fontsize=8)
    ax1.set_ylim(0, 1.05)
    ax1.set_ylabel("P(collision), 1,000 run seeds (95% CI)")
    ax1.set_title("ECMP on 4 leaves x 8 GPUs, 8 spines (8-GPU ring jobs)")
    ax1.legend(fontsize=8, loc="upper left")

    for s, colour in zip(sets, ["tab:red", "tab:brown", "tab:purple"]):
        rows = sorted((r for r in sweep if r["jobs"] == s and r["metric"] == "inter_job"),
                      key=lambda r: int(r["spines"]))
        u = [int(r["spines"]) for r in rows]
        p = [float(r["measured"]) for r in rows]
        err = [[p[k] - float(r["ci_low"]) for k, r in enumerate(rows)],
               [float(r["ci_high"]) - p[k] for k, r in enumerate(rows)]]
        ax2.errorbar(u, p, yerr=err, fmt="o", color=colour, capsize=3,
                     label=f"{s}: measured")
        ax2.plot(u, [float(r["ideal_hashing"]) for r in rows], "-", color=colour, alpha=0.6,
                 label=f"{s}: ideal hashing")
    ax2.axhline(PAPER_COLLISION, color="tab:blue", ls="--", label="paper: 31.5%")
    ax2.set_xscale("log", base=2)
    ax2.set_xticks([2, 4, 8, 16])
    ax2.set_xticklabels(["2", "4", "8\n(non-blocking)", "16"])
    ax2.set_xlabel("spines (uplinks per leaf)")
    ax2.set_ylabel("P(data of two jobs on one fabric link)")
    ax2.set_ylim(0, 1.05)
    ax2.set_title("Same jobs, other spine counts")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    path = os.path.join(args.out, "motivation-census.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"[figures] {path}")


# --------------------------------------------------------------------------- main

STAGES = {"census": stage_census}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.environ.get("VCLOS_BUILD_DIR",
                                                      os.path.join(ROOT, "build")))
    ap.add_argument("--out", default=os.path.join(ROOT, "results"))
    ap.add_argument("--only", default=",".join(STAGES))
    ap.add_argument("--seeds", type=int, default=20,
                    help="run seeds per cell of the packet stage (>= 1)")
    args = ap.parse_args()
    stages = [s for s in args.only.split(",") if s]
    for s in stages:
        if s not in STAGES:
            raise FigureError(f"--only: unknown stage {s!r}; expected some of "
                              f"{', '.join(STAGES)}")
    if args.seeds < 1:
        raise FigureError("--seeds: expected an integer >= 1")
    os.makedirs(args.out, exist_ok=True)
    for s in stages:
        t0 = time.time()
        STAGES[s](args)
        print(f"[figures] stage {s}: {time.time() - t0:.1f} s")


if __name__ == "__main__":
    try:
        main()
    except FigureError as e:
        print(f"make_figures.py: {e}", file=sys.stderr)
        sys.exit(1)
