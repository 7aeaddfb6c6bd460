#!/usr/bin/env python3
"""Compare two vclos results databases table by table.

    test/compare-results-dbs.py A.db B.db

Every table of either database is compared row by row (rows sorted, so the order of inserts does
not matter), except the columns that describe the run rather than its results: in table runs
the ns-3 version, the start time, the wall-clock time and the number of simulator events (ns-3
>= 3.41 schedules one initialisation event per channel at t = 0, so event counts differ between
ns-3 versions while the simulated results do not). Prints one line per table and exits 1 if a
table differs (or exists in one database only), 2 on a usage error.
"""

import sqlite3
import sys

# Columns that describe how a run was made, not what it computed.
IGNORED = {
    "runs": {"ns3_version", "started_utc", "wall_time_s", "events"},
    "placements": {"search_s"},  # wall-clock time of the placement search
}


def tables(db):
    return {
        r[0]
        for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not r[0].startswith("sqlite_")
    }


def rows(db, table):
    cols = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
    kept = [c for c in cols if c not in IGNORED.get(table, set())]
    sql = "SELECT " + ", ".join(f'"{c}"' for c in kept) + f' FROM "{table}"'
    return kept, sorted(db.execute(sql).fetchall(), key=repr)


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    a = sqlite3.connect(f"file:{argv[1]}?mode=ro", uri=True)
    b = sqlite3.connect(f"file:{argv[2]}?mode=ro", uri=True)
    differ = 0
    for t in sorted(tables(a) | tables(b)):
        if t not in tables(a) or t not in tables(b):
            print(f"{t}: only in {argv[1] if t in tables(a) else argv[2]}")
            differ += 1
            continue
        ca, ra = rows(a, t)
        cb, rb = rows(b, t)
        ignored = sorted(IGNORED.get(t, set()))
        note = f" (ignoring {', '.join(ignored)})" if ignored else ""
        if ca != cb:
            print(f"{t}: columns differ: {ca} vs {cb}")
            differ += 1
        elif ra != rb:
            diff = len(set(ra) ^ set(rb))
            print(f"{t}: DIFFERENT, {len(ra)} vs {len(rb)} rows, {diff} rows in one only{note}")
            differ += 1
        else:
            print(f"{t}: identical, {len(ra)} rows{note}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
