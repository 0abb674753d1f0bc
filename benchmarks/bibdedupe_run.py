"""Run bib-dedupe on one records CSV; executed by its own venv (benchmarks/work/venv-bibdedupe).

Usage: venv-bibdedupe/bin/python benchmarks/bibdedupe_run.py IN.csv OUT.csv [CPU]
Writes OUT.csv with columns ID,cluster (one row per record that bib-dedupe put in a duplicate
set) and prints the wall time of prep+block+match+cluster in seconds as the last line.
"""

from __future__ import annotations

import csv
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

warnings.filterwarnings("ignore")

from bib_dedupe.bib_dedupe import block, cluster, match, prep  # noqa: E402


def main() -> None:
    src, out = sys.argv[1], sys.argv[2]
    cpu = int(sys.argv[3]) if len(sys.argv) > 3 else -1
    df = pd.read_csv(src, dtype=str, keep_default_na=False)
    start = time.perf_counter()
    prepped = prep(df, verbosity_level=0, cpu=cpu)
    pairs = block(prepped, verbosity_level=0, cpu=cpu)
    matched = match(pairs, verbosity_level=0, cpu=cpu)
    sets = cluster(matched, verbosity_level=0)
    elapsed = time.perf_counter() - start
    with Path(out).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "cluster"])
        for k, ids in enumerate(sets):
            for rid in ids:
                w.writerow([rid, k])
    print(f"{elapsed:.3f}")


if __name__ == "__main__":
    main()
