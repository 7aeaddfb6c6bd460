#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Plot one run of a vclos results database.

Usage:
    /usr/bin/python3 scenarios/plot_results.py results.db [--run RUN_ID] [--out DIR]

Writes, for the chosen run (default: the newest one):
  run<ID>-iterations.png   communication time of every iteration, per job
  run<ID>-fabric-util.png  utilisation of every leaf<->spine link direction, sorted,
                           i.e. tx_bytes * 8 / (rate_bps * sim_time_s)
  run<ID>-ocs-dark.png     OCS fabric runs only (table ocs_reconfigurations): the dark
                           windows of every OCS (added circuits, time_s to lit_s) over the
                           run, under the busy GPUs (cluster_samples)
and prints the paths written.
"""

import argparse
import os
import sqlite3
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)


class PlotError(Exception):
    """A user-facing error (printed without a traceback)."""


def open_db(path):
    """Open the database read-only and check that it is a vclos results database."""
    if not os.path.isfile(path):
        raise PlotError(f"results database not found: {path}")
    uri = "file:" + os.path.abspath(path) + "?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True)
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error as e:
        raise PlotError(f"{path}: cannot read as SQLite database: {e}") from e
    missing = {"runs", "jobs", "iterations", "links"} - tables
    if missing:
        raise PlotError(f"{path}: not a vclos results database (missing tables: "
                        f"{', '.join(sorted(missing))})")
    return con


def pick_run(con, path, run_id):
    """Return the runs row (as a dict) for run_id, or for the newest run if None."""
    con.row_factory = sqlite3.Row
    if run_id is None:
        row = con.execute("SELECT * FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()
        if row is None:
            raise PlotError(f"{path}: the database holds no runs")
    else:
        row = con.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            ids = [r[0] for r in con.execute("SELECT run_id FROM runs ORDER BY run_id")]
            listing = ", ".join(map(str, ids[-20:])) if ids else "none"
            raise PlotError(f"{path}: no run with run_id {run_id} (runs: {listing})")
    return dict(row)


def plot_iterations(con, run, out_dir):
    """Grouped bars: communication time of each iteration, one colour per job."""
    rid = run["run_id"]
    jobs = con.execute("SELECT job_id, name, n_gpus, bytes FROM jobs WHERE run_id = ? "
                       "ORDER BY job_id", (rid,)).fetchall()
    names = {j["job_id"]: f'{j["name"]} ({j["n_gpus"]} GPUs, {j["bytes"] / 2**20:g} MiB)'
             for j in jobs}
    rows = con.execute("SELECT job_id, iteration, comm_s FROM iterations WHERE run_id = ? "
                       "ORDER BY job_id, iteration", (rid,)).fetchall()
    if not rows:
        print(f"warning: run {rid} has no iterations rows; skipping the iteration plot",
              file=sys.stderr)
        return None
    per_job = {}
    for r in rows:
        per_job.setdefault(r["job_id"], {})[r["iteration"]] = r["comm_s"]
    iters = sorted({r["iteration"] for r in rows})
    job_ids = sorted(per_job)
    width = 0.8 / len(job_ids)

    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 + 0.6 * len(iters) * len(job_ids)), 4.5))
    for k, jid in enumerate(job_ids):
        xs, ys = [], []
        for i in iters:
            v = per_job[jid].get(i)
            if v is not None:
                xs.append(iters.index(i) + (k - (len(job_ids) - 1) / 2) * width)
                ys.append(v * 1e3)
        bars = ax.bar(xs, ys, width=width * 0.95, label=names.get(jid, f"job {jid}"))
        if len(xs) * len(job_ids) <= 40:
            ax.bar_label(bars, fmt="%.3g", fontsize=7, padding=2)
    ax.set_xticks(range(len(iters)), [str(i) for i in iters])
    ax.set_xlabel("iteration")
    ax.set_ylabel("communication time (ms)")
    ax.set_title(f'Run {rid} "{run["scenario_name"]}": collective time per iteration')
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    ax.margins(y=0.12)
    fig.tight_layout()
    path = os.path.join(out_dir, f"run{rid}-iterations.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def run_duration(con, run):
    """Simulated time to average over: sim_time_s, else the last iteration end."""
    if run["sim_time_s"] is not None and run["sim_time_s"] > 0:
        return run["sim_time_s"]
    end = con.execute("SELECT max(end_s) FROM iterations WHERE run_id = ?",
                      (run["run_id"],)).fetchone()[0]
    if end is None or end <= 0:
        raise PlotError(f"run {run['run_id']} has no sim_time_s (status "
                        f"'{run['status']}') and no finished iterations; cannot compute "
                        "utilisation")
    print(f"warning: run {run['run_id']} has no sim_time_s; using the last iteration end "
          f"({end:g} s)", file=sys.stderr)
    return end


def plot_fabric(con, run, out_dir):
    """Sorted bars: utilisation of every fabric link direction."""
    rid = run["run_id"]
    rows = con.execute("SELECT link_id, src, dst, rate_bps, tx_bytes FROM links "
                       "WHERE run_id = ? AND kind = 'fabric'", (rid,)).fetchall()
    if not rows:
        print(f"warning: run {rid} has no fabric links rows; skipping the utilisation plot",
              file=sys.stderr)
        return None
    duration = run_duration(con, run)
    links = sorted(({"label": f'{r["src"]}\u2192{r["dst"]}',
                     "up": not str(r["src"]).startswith("spine"),
                     "util": r["tx_bytes"] * 8.0 / (r["rate_bps"] * duration)}
                    for r in rows), key=lambda d: -d["util"])
    utils = [d["util"] * 100 for d in links]
    mean = sum(utils) / len(utils)
    idle = sum(1 for u in utils if u == 0)

    fig, ax = plt.subplots(figsize=(max(7.0, 0.22 * len(links) + 2), 4.8))
    colors = ["tab:blue" if d["up"] else "tab:orange" for d in links]
    ax.bar(range(len(links)), utils, color=colors, width=0.85)
    ax.axhline(mean, color="black", linestyle="--", linewidth=1)
    ax.text(len(links) - 0.5, mean, f" mean {mean:.1f}%", va="bottom", ha="right", fontsize=8)
    if len(links) <= 96:
        ax.set_xticks(range(len(links)), [d["label"] for d in links], rotation=90, fontsize=6)
    else:
        ax.set_xticks([])
        ax.set_xlabel(f"{len(links)} fabric link directions, sorted")
    ax.set_ylabel(f"utilisation over {duration * 1e3:.3g} ms simulated (%)")
    imbalance = (max(utils) / mean) if mean > 0 else float("nan")
    ax.set_title(f'Run {rid} "{run["scenario_name"]}": fabric link utilisation\n'
                 f"max/mean = {imbalance:.2f}, idle {idle} of {len(links)}", fontsize=10)
    ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color="tab:blue"),
                       plt.Rectangle((0, 0), 1, 1, color="tab:orange")],
              labels=["leaf\u2192spine", "spine\u2192leaf"], fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path = os.path.join(out_dir, f"run{rid}-fabric-util.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_ocs(con, run, out_dir):
    """Dark windows of every OCS over the run (OCS fabric at packet level only)."""
    rid = run["run_id"]
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "ocs_reconfigurations" not in tables:
        return None
    rows = con.execute("SELECT time_s, ocs, added, lit_s FROM ocs_reconfigurations "
                       "WHERE run_id = ? AND added > 0 ORDER BY time_s", (rid,)).fetchall()
    if not rows:
        return None
    totals = con.execute("SELECT SUM(reconfigurations), SUM(circuits_changed), SUM(dark_s), "
                         "SUM(lost_packets) FROM ocs_switches WHERE run_id = ?",
                         (rid,)).fetchone()
    samples = con.execute("SELECT time_s, busy_gpus FROM cluster_samples WHERE run_id = ? "
                          "ORDER BY time_s", (rid,)).fetchall()
    fig, (top, ax) = plt.subplots(2, 1, sharex=True, figsize=(9, 5.5),
                                  gridspec_kw={"height_ratios": [1, 2.5]})
    if samples:
        top.step([r["time_s"] * 1e3 for r in samples], [r["busy_gpus"] for r in samples],
                 where="post", color="tab:blue")
    top.set_ylabel("busy GPUs")
    top.grid(alpha=0.3)
    for r in rows:
        ax.broken_barh([(r["time_s"] * 1e3, (r["lit_s"] - r["time_s"]) * 1e3)],
                       (r["ocs"] - 0.4, 0.8), color="tab:red")
    ax.set_xlabel("simulated time (ms)")
    ax.set_ylabel("OCS")
    ax.grid(alpha=0.3)
    top.set_title(f'Run {rid} "{run["scenario_name"]}": OCS dark windows (new circuits '
                  f"until lit)\n{totals[0]} reconfigurations, {totals[1]} circuits changed, "
                  f"{totals[2] * 1e3:.3g} ms dark in all, {totals[3]} packets lost", fontsize=10)
    fig.tight_layout()
    path = os.path.join(out_dir, f"run{rid}-ocs-dark.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Plot one run of a vclos results database.")
    parser.add_argument("db", help="the SQLite results file")
    parser.add_argument("--run", type=int, default=None,
                        help="run_id to plot (default: the newest run)")
    parser.add_argument("--out", default=".", help="directory for the PNG files (default: .)")
    args = parser.parse_args(argv)
    try:
        con = open_db(args.db)
        run = pick_run(con, args.db, args.run)
        if run["status"] != "done":
            print(f"warning: run {run['run_id']} has status '{run['status']}'",
                  file=sys.stderr)
        os.makedirs(args.out, exist_ok=True)
        written = [p for p in (plot_iterations(con, run, args.out),
                               plot_fabric(con, run, args.out),
                               plot_ocs(con, run, args.out)) if p]
    except PlotError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except sqlite3.Error as e:
        print(f"error: {args.db}: {e}", file=sys.stderr)
        return 1
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
