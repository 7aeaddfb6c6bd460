#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Make the small job traces of scenarios/traces/ (see README.md there).

Run from anywhere with /usr/bin/python3 (standard library only); it rewrites, byte for byte
reproducibly:
  paper-first80-512gpu.csv  the first 80 jobs of paper-8192gpu-5000jobs.csv with every
                            n_gpus divided by 16 (8192 -> 512 GPUs), at least 1; every other
                            field is copied verbatim (same header, same text).
  small-32gpu.csv           20 jobs for a 32-GPU fabric in the own format
                            arrival_s,gpus,collective,iterations,compute_s,bytes, drawn from
                            a fixed table (no randomness).
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
PAPER = os.path.join(HERE, "paper-8192gpu-5000jobs.csv")
GPU_DIVISOR = 16  # 8192 GPUs -> 512 GPUs
FIRST_JOBS = 80
PAPER_HEADER = ("taskid,arrival_s,n_gpus,comp_time_s,iterations,model_size_gbit,"
                "effective_model_size_gbit,collective,model_name,total_val_s,comm_ratio")
OWN_HEADER = "arrival_s,gpus,collective,iterations,compute_s,bytes"
MIB = 1 << 20


def paper_first80():
    with open(PAPER, newline="") as f:
        lines = f.read().splitlines()
    assert lines[0] == PAPER_HEADER, "unexpected header"
    out = [PAPER_HEADER]
    for line in lines[1:1 + FIRST_JOBS]:
        fields = line.split(",")
        fields[2] = str(max(1, int(fields[2]) // GPU_DIVISOR))
        out.append(",".join(fields))
    with open(os.path.join(HERE, "paper-first80-512gpu.csv"), "w", newline="") as f:
        f.write("\n".join(out) + "\n")


def small32():
    # 20 jobs, one every 0.5 ms; sizes cycle through 2, 4, 8, 16 GPUs, collectives through
    # the trace's three; 1..4 MiB per collective, 0.2..0.5 ms compute, 2..4 iterations.
    sizes = [2, 4, 8, 16]
    collectives = ["ring", "halving_doubling", "all2all_pairwise"]
    out = ["# 20 jobs for a 32-GPU fabric (make_small_traces.py)", OWN_HEADER]
    for i in range(20):
        arrival_us = 500 * i
        gpus = sizes[i % len(sizes)]
        coll = collectives[i % len(collectives)]
        iterations = 2 + i % 3
        compute_us = 200 + 100 * (i % 4)
        nbytes = (1 + i % 4) * MIB
        if coll == "all2all_pairwise":
            nbytes //= gpus  # every pair carries the full size: keep the volume comparable
        out.append("%g,%d,%s,%d,%g,%d" % (arrival_us * 1e-6, gpus, coll, iterations,
                                          compute_us * 1e-6, nbytes))
    with open(os.path.join(HERE, "small-32gpu.csv"), "w", newline="") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    paper_first80()
    small32()
