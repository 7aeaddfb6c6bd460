#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Run the multi-tenant scenarios and draw every figure of doc/multi-tenant.rst.

Usage:
    /usr/bin/python3 scenarios/make_figures.py [--build DIR] [--out DIR]
                                               [--only census,packet,replay] [--seeds N]
                                               [--validation-seeds N] [--figures DIR]

Stages (all by default; each writes CSV files and PNG figures under --out, default results/):
  census  scenarios/motivation-32gpu: vclos-ecmp-collision over 1,000 run seeds (pure paths)
          -> motivation/census-*.csv, motivation-census.png
  packet  scenarios/motivation-32gpu: identical jobs at packet level, ecmp against vclos,
          lossy and lossless, --seeds seeds per cell -> motivation/packet.csv,
          motivation-packet.png
  replay  scenarios/replay-512gpu: the 80-job trace with the four placement policies
          (wall time and peak memory from /usr/bin/time -v) -> replay/*.db, replay/jobs.csv,
          replay/summary.csv, replay-jct.png
  validation  (only with --only) motivation-32gpu (--validation-seeds seeds) and
          replay-512gpu (seed 1) with vclos-sim --level both for vclos, ecmp (lossy and
          lossless PFC + DCQCN) and random-ecmp: |JCT error| of the flow level (maxmin)
          against the packet level -> validation/*.db, validation/summary.csv (the replay's
          packet runs take about half an hour together)
  paper   (only with --only) figures of doc/paper-claims.rst from scenarios/paper-scale.sh's
          results/paper/*.db -> results/paper/summary.csv, doc/figures/paper-<sharing>.png
  ocs     (only with --only) OCS-vClos at paper scale from paper-scale-ocs.sh's runs of
          ocs-vclos[:DELAY_MS] (0, 1, 10, 25, 50, 100), vclos@256x32, vclos and ecmp ->
          results/paper/ocs-summary.csv, doc/figures/paper-ocs.png
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


# --------------------------------------------------------------------------- helpers

LOSSLESS_NETWORK = {  # scenarios/lossless-dcqcn.json's network
    "mtu_bytes": 4096, "buffer_bytes": 12582912, "pfc": True,
    "ecn": {"kmin_bytes": 100000, "kmax_bytes": 400000, "pmax": 0.2},
    "congestion_control": "dcqcn", "retransmit_timeout_us": 1000,
}


def sim_exe(args):
    exe = os.path.join(args.build, "examples", "vclos-sim")
    if not os.path.isfile(exe):
        raise FigureError(f"{exe} not found: build the target vclos-sim first")
    return exe


def variant(base_path, out_json, policy=None, seed=None, network=None):
    """Write a copy of a scenario with another policy, seed or network; trace paths stay
    relative to the original scenario's directory."""
    with open(base_path) as f:
        s = json.load(f)
    if policy is not None:
        s["scheduler"]["policy"] = policy
    if seed is not None:
        s["seed"] = seed
    if network is not None:
        s["network"] = network
    if "trace" in s and not os.path.isabs(s["trace"]["file"]):
        s["trace"]["file"] = os.path.normpath(
            os.path.join(os.path.dirname(os.path.abspath(base_path)), s["trace"]["file"]))
    with open(out_json, "w") as f:
        json.dump(s, f, indent=1)


def job_rows(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute(
        "SELECT j.*, r.policy AS policy, r.scale AS scale, r.seed AS seed FROM jobs j "
        "JOIN runs r USING (run_id) ORDER BY job_id")]
    con.close()
    return rows


# --------------------------------------------------------------------------- packet

PACKET_POLICIES = ["vclos", "ecmp", "random-ecmp"]


def stage_packet(args):
    exe = sim_exe(args)
    base = os.path.join(ROOT, "scenarios", "motivation-32gpu", "identical-jobs.json")
    out = os.path.join(args.out, "motivation", "packet")
    os.makedirs(out, exist_ok=True)
    with open(base) as f:
        lossy = json.load(f)["network"]
    cells = [(p, fab, seed) for fab in ("lossy", "lossless") for p in PACKET_POLICIES
             for seed in range(1, args.seeds + 1)]
    if args.reverse:
        cells.reverse()

    def one(cell):
        policy, fabric, seed = cell
        tag = f"{fabric}-{policy}-{seed}"
        js, db = f"{out}/{tag}.json", f"{out}/{tag}.db"
        if not os.path.exists(db):
            variant(base, js, policy, seed, LOSSLESS_NETWORK if fabric == "lossless" else lossy)
            tmp = f"{db}.{os.getpid()}.tmp"
            run([exe, "--quiet", f"--scenario={js}", f"--db={tmp}"])
            os.replace(tmp, db)
        rows = job_rows(db)
        for r in rows:
            r["fabric"] = fabric
        return rows

    from concurrent.futures import ThreadPoolExecutor
    rows = []
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        for rs in pool.map(one, cells):
            rows += rs
    fields = ["fabric", "policy", "seed", "job_id", "name", "n_gpus", "gpus", "n_leaves",
              "n_spines", "start_s", "finish_s", "jrt_s", "isolated_s", "slowdown"]
    write_csv(os.path.join(args.out, "motivation", "packet.csv"), rows, fields)

    # per run: unfairness = max / min JRT of the identical jobs
    runs = {}
    for r in rows:
        runs.setdefault((r["fabric"], r["policy"], r["seed"]), []).append(r["jrt_s"])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    labels, slow, unfair, colours = [], [], [], []
    summary = []
    for fabric in ("lossy", "lossless"):
        for p in PACKET_POLICIES:
            sd = [r["slowdown"] for r in rows if r["fabric"] == fabric and r["policy"] == p]
            uf = [max(v) / min(v) for k, v in runs.items() if k[0] == fabric and k[1] == p]
            labels.append(f"{p}\n{fabric}")
            slow.append(sd)
            unfair.append(uf)
            colours.append(POLICY_COLOURS[p])
            summary.append({"fabric": fabric, "policy": p, "runs": len(uf),
                            "slowdown_mean": sum(sd) / len(sd),
                            "slowdown_p50": percentile(sd, 50),
                            "slowdown_max": max(sd), "unfairness_mean": sum(uf) / len(uf),
                            "unfairness_max": max(uf)})
    write_csv(os.path.join(args.out, "motivation", "packet-summary.csv"), summary,
              list(summary[0].keys()))
    for s_ in summary:
        print("  {fabric:8s} {policy:12s} runs {runs:3d}  slowdown mean {slowdown_mean:.3f} "
              "p50 {slowdown_p50:.3f} max {slowdown_max:.3f}  unfairness mean "
              "{unfairness_mean:.3f} max {unfairness_max:.3f}".format(**s_))
    for ax, data, title, ylabel in (
            (ax1, slow, "Slowdown of each job (JRT / isolated)", "slowdown"),
            (ax2, unfair, "Unfairness of identical jobs in one run", "max JRT / min JRT")):
        b = ax.boxplot(data, patch_artist=True, widths=0.6, showfliers=False)
        for patch, c in zip(b["boxes"], colours):
            patch.set_facecolor(c)
            patch.set_alpha(0.35)
        for i, (d, c) in enumerate(zip(data, colours)):
            xs = [i + 1 + 0.18 * (((k * 7919) % 100) / 100 - 0.5) for k in range(len(d))]
            ax.plot(xs, d, "o", color=c, markersize=3, alpha=0.7)
        ax.set_xticks(range(1, len(labels) + 1))
        ax.set_xticklabels(labels, fontsize=8)
        ax.axhline(1.0, color="k", lw=0.8, ls=":")
        ax.set_title(title)
        ax.set_ylabel(ylabel)
    fig.suptitle(f"Two identical 16-GPU halving-doubling jobs on 32 GPUs (4 leaves x 8, 8 spines), "
                 f"{args.seeds} run seeds per box", fontsize=10)
    fig.tight_layout()
    path = os.path.join(args.out, "motivation-packet.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"[figures] {path}")


# --------------------------------------------------------------------------- replay


def peak_and_wall(log):
    """(wall seconds, peak RSS MiB) from a /usr/bin/time -v log."""
    text = open(log).read()
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)",
                  text)
    wall = (int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))) if m else None
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    return wall, (int(m.group(1)) / 1024 if m else None)


def stage_replay(args):
    exe = sim_exe(args)
    base = os.path.join(ROOT, "scenarios", "replay-512gpu", "replay.json")
    out = os.path.join(args.out, "replay")
    os.makedirs(out, exist_ok=True)
    rows, summary = [], []
    total_wall, peak = 0.0, 0.0
    for p in POLICIES:
        js, db, log = f"{out}/{p}.json", f"{out}/{p}.db", f"{out}/{p}.time"
        if not os.path.exists(db):
            variant(base, js, p)
            run(["/usr/bin/time", "-v", exe, "--quiet", f"--scenario={js}", f"--db={db}.tmp"],
                log=log)
            os.replace(f"{db}.tmp", db)
        wall, rss = peak_and_wall(log)
        total_wall += wall or 0
        peak = max(peak, rss or 0)
        jobs = job_rows(db)
        rows += jobs
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        shared = con.execute(
            "SELECT COUNT(*) FROM link_job_bytes a JOIN link_job_bytes b ON a.run_id = b.run_id "
            "AND a.link_id = b.link_id AND a.job_id < b.job_id JOIN links l ON "
            "l.run_id = a.run_id AND l.link_id = a.link_id WHERE l.kind = 'fabric' AND "
            "a.first_s < b.last_s AND b.first_s < a.last_s").fetchone()[0]
        con.close()
        jct = [j["jct_s"] for j in jobs]
        jwt = [j["jwt_s"] for j in jobs]
        sd = [j["slowdown"] for j in jobs if j["slowdown"] is not None]
        summary.append({"policy": p, "jobs": len(jobs), "scale": jobs[0]["scale"],
                        "jct_mean_s": sum(jct) / len(jct), "jct_p99_s": percentile(jct, 99),
                        "jwt_mean_s": sum(jwt) / len(jwt), "jwt_p99_s": percentile(jwt, 99),
                        "slowdown_mean": sum(sd) / len(sd), "slowdown_max": max(sd),
                        "cross_leaf_jobs": sum(1 for j in jobs if (j["n_leaves"] or 0) > 1),
                        "fabric_link_job_pairs_overlapping": shared,
                        "wall_s": wall, "peak_rss_mib": rss})
    ref = {s_["policy"]: s_ for s_ in summary}
    for s_ in summary:
        s_["jct_mean_vs_ecmp"] = 1 - ref["vclos"]["jct_mean_s"] / s_["jct_mean_s"]
    write_csv(f"{out}/summary.csv", summary, list(summary[0].keys()))
    write_csv(f"{out}/jobs.csv", rows, ["policy", "scale", "job_id", "name", "n_gpus",
                                        "collective", "arrival_s", "start_s", "finish_s",
                                        "jwt_s", "jrt_s", "jct_s", "n_leaves", "n_spines",
                                        "isolated_s", "slowdown"])
    for s_ in summary:
        print("  {policy:12s} jobs {jobs}  JCT mean {jct_mean_s:.4f} s p99 {jct_p99_s:.4f} s  "
              "JWT mean {jwt_mean_s:.4f} s p99 {jwt_p99_s:.4f} s  slowdown mean "
              "{slowdown_mean:.3f} max {slowdown_max:.3f}  cross-leaf jobs {cross_leaf_jobs}  "
              "fabric links with two jobs at once {fabric_link_job_pairs_overlapping}  "
              "vclos's mean JCT {jct_mean_vs_ecmp:+.1%} lower  wall {wall_s:.0f} s  "
              "peak {peak_rss_mib:.0f} MiB".format(**s_))
    print(f"  whole replay: wall {total_wall:.0f} s, peak RSS {peak:.0f} MiB")

    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(15, 4.8),
                                        gridspec_kw={"width_ratios": [1.3, 1, 1]})
    styles = {"vclos": dict(lw=3.5, alpha=0.5), "ecmp": dict(lw=1.5),
              "static": dict(lw=1.2, ls="--"), "random-ecmp": dict(lw=1.5)}
    for p in POLICIES:
        jct = sorted(j["jct_s"] * 1e3 for j in rows if j["policy"] == p)
        ax1.step(jct, [(k + 1) / len(jct) for k in range(len(jct))], where="post",
                 color=POLICY_COLOURS[p], label=p, **styles[p])
    ax1.set_xscale("log")
    ax1.set_xlabel("JCT (ms, compressed time)")
    ax1.set_ylabel("fraction of jobs")
    ax1.set_title("JCT CDF, 80 jobs")
    ax1.legend()
    x = list(range(len(POLICIES)))
    w = 0.38
    for ax, keys, title in ((ax2, ("jct_mean_s", "jct_p99_s"), "JCT"),
                            (ax3, ("jwt_mean_s", "jwt_p99_s"), "JWT")):
        for k, (key, label) in enumerate(zip(keys, ("mean", "p99"))):
            vals = [max(0.0, ref[p][key]) * 1e3 for p in POLICIES]
            bars = ax.bar([i + (k - 0.5) * w for i in x], vals, w, label=f"{label} {title}",
                          color=[POLICY_COLOURS[p] for p in POLICIES],
                          alpha=0.45 if k == 0 else 0.9)
            for b, v in zip(bars, vals):
                ax.text(b.get_x() + b.get_width() / 2, v, f"{v:.1f}", ha="center",
                        va="bottom", fontsize=7)
        ax.set_xticks(x)
        ax.set_ylabel("ms (compressed time)")
        ax.legend(fontsize=8)
    ax2.set_xticklabels([p if p == "vclos" else
                         f"{p}\nvclos {ref[p]['jct_mean_vs_ecmp']:+.1%}" for p in POLICIES],
                        fontsize=8)
    ax3.set_xticklabels(POLICIES, fontsize=8)
    ax2.set_title("Mean (light) and p99 (dark) JCT; under a baseline: how much\nlower "
                  "vclos's mean JCT is (paper: up to 67.6% vs ECMP)", fontsize=9)
    ax3.set_title("Mean (light) and p99 (dark) JWT", fontsize=9)
    fig.suptitle(f"Replay of the first 80 trace jobs on 512 GPUs (32 leaves x 16, 16 spines), "
                 f"scale {summary[0]['scale']:g}", fontsize=10)
    fig.tight_layout()
    path = os.path.join(args.out, "replay-jct.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"[figures] {path}")


# --------------------------------------------------------------------------- validation

VALIDATION_CELLS = [("vclos", "lossy"), ("ecmp", "lossy"), ("ecmp", "lossless"),
                    ("random-ecmp", "lossy")]
VALIDATION_SCENARIOS = {
    "motivation": os.path.join("motivation-32gpu", "identical-jobs.json"),
    "replay": os.path.join("replay-512gpu", "replay.json"),
}


def level_errors(db):
    """Signed JCT errors (flow - packet) / packet of the last packet and flow runs of db."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    runs = {lvl: con.execute("SELECT max(run_id) FROM runs WHERE level = ? AND status = 'done'",
                             (lvl,)).fetchone()[0] for lvl in ("packet", "flow")}
    if None in runs.values():
        con.close()
        raise FigureError(f"{db}: needs a finished packet run and a finished flow run")
    rows = con.execute("SELECT p.jct_s, f.jct_s FROM jobs p JOIN jobs f ON f.job_id = p.job_id "
                       "WHERE p.run_id = ? AND f.run_id = ?",
                       (runs["packet"], runs["flow"])).fetchall()
    con.close()
    return [(f - p) / p for p, f in rows]


def stage_validation(args):
    """Flow (maxmin) against packet, per policy and fabric: mean, p90, max |JCT error|."""
    exe = sim_exe(args)
    out = os.path.join(args.out, "validation")
    os.makedirs(out, exist_ok=True)
    summary = []
    for name, rel in VALIDATION_SCENARIOS.items():
        base = os.path.join(ROOT, "scenarios", rel)
        seeds = range(1, args.validation_seeds + 1) if name == "motivation" else [1]
        for policy, fabric in VALIDATION_CELLS:
            errors = []
            for seed in seeds:
                tag = f"{name}-{policy}-{fabric}-s{seed}"
                db = f"{out}/{tag}.db"
                if not os.path.exists(db):
                    js = f"{out}/{tag}.json"
                    variant(base, js, policy, seed,
                            LOSSLESS_NETWORK if fabric == "lossless" else None)
                    if os.path.exists(f"{db}.tmp"):
                        os.remove(f"{db}.tmp")
                    run([exe, "--quiet", "--level=both", f"--scenario={js}", f"--db={db}.tmp"],
                        log=f"{out}/{tag}.log")
                    os.replace(f"{db}.tmp", db)
                errors += level_errors(db)
            a = sorted(abs(e) for e in errors)
            summary.append({"scenario": name, "policy": policy, "fabric": fabric,
                            "seeds": len(seeds), "jobs": len(a),
                            "mean_abs_pct": 100 * sum(a) / len(a),
                            "p90_abs_pct": 100 * a[max(1, math.ceil(0.9 * len(a))) - 1],
                            "max_abs_pct": 100 * a[-1],
                            "mean_signed_pct": 100 * sum(errors) / len(errors)})
    write_csv(f"{out}/summary.csv", summary, list(summary[0].keys()))
    for r in summary:
        print("  {scenario:10s} {policy:12s} {fabric:8s} seeds {seeds:2d} jobs {jobs:3d}  "
              "|JCT error| mean {mean_abs_pct:6.2f}% p90 {p90_abs_pct:6.2f}% max "
              "{max_abs_pct:6.2f}%  signed mean {mean_signed_pct:+6.2f}%".format(**r))


# --------------------------------------------------------------------------- paper

PAPER_SHARINGS = ["maxmin", "none", "step"]


def stage_paper(args):
    """Figures of doc/paper-claims.rst from scenarios/paper-scale.sh's results databases."""
    src = os.path.join(args.out, "paper")
    if not os.path.isdir(src):
        raise FigureError(f"{src} not found: run scenarios/paper-scale.sh first")
    figs = args.figures
    os.makedirs(figs, exist_ok=True)
    data = {}
    for sharing in PAPER_SHARINGS:
        for p in POLICIES:
            base = os.path.join(src, f"{p}-{sharing}")
            if not os.path.exists(base + ".db"):
                continue
            con = sqlite3.connect(f"file:{base}.db?mode=ro", uri=True)
            con.row_factory = sqlite3.Row
            run = con.execute("SELECT run_id, status FROM runs ORDER BY run_id DESC "
                              "LIMIT 1").fetchone()
            if run is None or run["status"] != "done":
                con.close()
                continue  # stopped by the timeout: left out
            jobs = [dict(r) for r in con.execute(
                "SELECT jct_s, jwt_s, jrt_s FROM jobs WHERE run_id = ? AND jct_s IS NOT NULL "
                "ORDER BY job_id", (run["run_id"],))]
            samples = [dict(r) for r in con.execute(
                "SELECT time_s, queued, busy_gpus FROM cluster_samples WHERE run_id = ? "
                "ORDER BY time_s", (run["run_id"],))]
            con.close()
            wall, rss = peak_and_wall(base + ".log")
            data[(p, sharing)] = (jobs, samples, wall, rss)
    if not data:
        raise FigureError(f"{src}: no finished run")
    rows = []
    for (p, sharing), (jobs, _, wall, rss) in sorted(data.items()):
        row = {"policy": p, "sharing": sharing, "jobs": len(jobs)}
        for k in ("jct", "jwt", "jrt"):
            v = [float(j[f"{k}_s"]) for j in jobs]
            row[f"{k}_mean_s"] = sum(v) / len(v)
            row[f"{k}_p99_s"] = percentile(v, 99)
        row["wall_s"], row["peak_rss_mib"] = wall, rss
        rows.append(row)
    write_csv(os.path.join(src, "summary.csv"), rows, list(rows[0].keys()))
    for r in rows:
        print("  {policy:12s} {sharing:7s} jobs {jobs}  JCT mean {jct_mean_s:9.0f} p99 "
              "{jct_p99_s:9.0f}  JWT mean {jwt_mean_s:9.0f} p99 {jwt_p99_s:9.0f}  JRT mean "
              "{jrt_mean_s:7.0f} p99 {jrt_p99_s:8.0f}".format(**r))
    days = 86400.0
    for sharing in PAPER_SHARINGS:
        present = [p for p in POLICIES if (p, sharing) in data]
        if not present:
            continue
        fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(16, 4.6))
        for p in present:
            jobs, samples, _, _ = data[(p, sharing)]
            # vclos wide and pale, static dashed on top: both show where they coincide.
            style = dict(color=POLICY_COLOURS[p], label=p, lw=3.5 if p == "vclos" else 1.2,
                         alpha=0.5 if p == "vclos" else 1, ls="--" if p == "static" else "-")
            jct = sorted(float(j["jct_s"]) / 3600 for j in jobs)
            ax1.step(jct, [(k + 1) / len(jct) for k in range(len(jct))], where="post", **style)
            t = [float(s_["time_s"]) / days for s_ in samples]
            ax2.step(t, [int(s_["queued"]) for s_ in samples], where="post", **style)
            ax3.step(t, [100 * int(s_["busy_gpus"]) / 8192 for s_ in samples], where="post",
                     **style)
        ax1.set_xscale("log")
        ax1.set_xlabel("JCT (hours)")
        ax1.set_ylabel("fraction of jobs")
        ax1.set_title("JCT CDF")
        ax2.set_xlabel("time (days)")
        ax2.set_ylabel("jobs queued")
        ax2.set_title("Queue length")
        ax3.set_xlabel("time (days)")
        ax3.set_ylabel("GPUs busy (%)")
        ax3.set_title("GPU utilisation")
        for ax in (ax1, ax2, ax3):
            ax.legend(fontsize=8)
        fig.suptitle(f"Paper scale: 5,000 trace jobs on 8,192 GPUs (128 leaves x 64, 64 "
                     f"spines), flow level, sharing {sharing}", fontsize=10)
        fig.tight_layout()
        path = os.path.join(figs, f"paper-{sharing}.png")
        fig.savefig(path, dpi=110)
        plt.close(fig)
        print(f"[figures] {path}")


OCS_DELAYS_MS = [0, 1, 10, 25, 50, 100]  # reconfiguration delays of the OCS sweep
PAPER_OCS_JWT_REDUCTION = 0.6565  # the paper's "about 65.65% lower average JWT" (OCS-vClos)


def stage_ocs(args):
    """OCS-vClos at paper scale from scenarios/paper-scale-ocs.sh's maxmin runs of ocs-vclos[:MS],
    vclos@256x32, vclos and ecmp -> results/paper/ocs-summary.csv, doc/figures/paper-ocs.png."""
    src = os.path.join(args.out, "paper")
    runs = {f"ocs-vclos:{d}" if d else "ocs-vclos": d for d in OCS_DELAYS_MS}
    # ocs-vclos-cap200k: delay 0 with VCLOS_OCS_NODE_CAP=200000 (the search's node cap).
    others = ["ocs-vclos-cap200k", "vclos@256x32", "vclos", "ecmp", "ecmp@256x32"]
    rows = []
    for name in list(runs) + others:
        path = os.path.join(src, f"{name}-maxmin.jobs.csv")
        if not os.path.exists(path):
            continue
        jobs = read_csv(path)
        done = [j for j in jobs if float(j["jct_s"]) >= 0]
        row = {"run": name, "delay_ms": runs.get(name, ""), "jobs": len(done),
               "unfinished": len(jobs) - len(done)}
        for k in ("jwt", "jct"):
            v = [float(j[f"{k}_s"]) for j in done]
            row[f"{k}_mean_s"] = sum(v) / len(v)
            row[f"{k}_p99_s"] = percentile(v, 99)
        # The paper's "ideal": every job alone and at once (the trace's uncontended time).
        ideal = [float(j["uncontended_s"]) for j in done]
        if ideal and min(ideal) > 0:
            row["jct_vs_ideal"] = row["jct_mean_s"] / (sum(ideal) / len(ideal)) - 1
        rows.append(row)
    if not rows:
        raise FigureError(f"{src}: no ocs-vclos run: run scenarios/paper-scale-ocs.sh first")
    by = {r["run"]: r for r in rows}
    for r in rows:
        for base in ("vclos@256x32", "vclos", "ecmp"):
            if base in by:
                r[f"jwt_vs_{base}"] = 1 - r["jwt_mean_s"] / by[base]["jwt_mean_s"]
    fields = []
    for r in rows:
        fields += [k for k in r if k not in fields]
    write_csv(os.path.join(src, "ocs-summary.csv"), rows, fields)
    for r in rows:
        print("  {run:14s} JWT mean {jwt_mean_s:8.0f} p99 {jwt_p99_s:8.0f}  JCT mean "
              "{jct_mean_s:8.0f} p99 {jct_p99_s:8.0f}  unfinished {unfinished}".format(**r))
    os.makedirs(args.figures, exist_ok=True)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.4))
    sweep = [r for r in rows if r["delay_ms"] != ""]
    sweep.sort(key=lambda r: r["delay_ms"])
    # Delay 0 sits at the left edge of the log axis.
    xs = [max(r["delay_ms"], 0.3) for r in sweep]
    for ax, k, title in ((ax1, "jwt", "average JWT"), (ax2, "jct", "average JCT")):
        ax.plot(xs, [r[f"{k}_mean_s"] / 3600 for r in sweep], "o-", color="tab:blue",
                label="ocs-vclos (256 x 32, OCS)")
        if "ocs-vclos-cap200k" in by:
            ax.plot([xs[0]], [by["ocs-vclos-cap200k"][f"{k}_mean_s"] / 3600], "x",
                    color="tab:blue", ms=9, label="ocs-vclos, node cap 200,000 (delay 0)")
        for base, colour in (("vclos@256x32", "tab:green"), ("vclos", "tab:olive"),
                             ("ecmp", "tab:red"), ("ecmp@256x32", "tab:pink")):
            if base in by:
                # vclos@256x32 wide and pale: it coincides with vclos on 128 x 64.
                wide = base == "vclos@256x32"
                ax.axhline(by[base][f"{k}_mean_s"] / 3600, color=colour, ls="-" if wide else "--",
                           lw=4 if wide else 1.2, alpha=0.4 if wide else 1,
                           label=base if "@" in base else base + " (128 x 64)")
        ax.set_xscale("log")
        ax.set_xticks(xs)
        ax.set_xticklabels([str(r["delay_ms"]) for r in sweep])
        ax.set_xlabel("OCS reconfiguration delay (ms)")
        ax.set_ylabel(f"{title} (hours)")
        ax.set_title(f"{title} (observed)")
        ax.legend(fontsize=8)
    fig.suptitle("OCS-vClos at paper scale: 5,000 trace jobs on 8,192 GPUs, flow level, "
                 "maxmin", fontsize=10)
    fig.tight_layout()
    path = os.path.join(args.figures, "paper-ocs.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"[figures] {path}")


# --------------------------------------------------------------------------- main

STAGES = {"census": stage_census, "packet": stage_packet, "replay": stage_replay,
          "validation": stage_validation, "paper": stage_paper, "ocs": stage_ocs}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.environ.get("VCLOS_BUILD_DIR",
                                                      os.path.join(ROOT, "build")))
    ap.add_argument("--out", default=os.path.join(ROOT, "results"))
    ap.add_argument("--only", default="census,packet,replay",
                    help="stages, comma-separated (default census,packet,replay; also "
                         "validation, paper and ocs)")
    ap.add_argument("--validation-seeds", type=int, default=10,
                    help="validation stage: run seeds of the 32-GPU motivation scenario")
    ap.add_argument("--figures", default=os.path.join(ROOT, "doc", "figures"),
                    help="paper stage: where its PNGs go (default doc/figures)")
    ap.add_argument("--seeds", type=int, default=20,
                    help="run seeds per cell of the packet stage (>= 1)")
    ap.add_argument("--workers", type=int, default=2,
                    help="simulations run at once in the packet stage (1 or 2)")
    ap.add_argument("--reverse", action="store_true",
                    help="packet stage: run the cells in reverse order (a second process "
                         "on the same --out shares the work; finished cells are reused)")
    args = ap.parse_args()
    if args.workers not in (1, 2):
        raise FigureError("--workers: expected 1 or 2")
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
