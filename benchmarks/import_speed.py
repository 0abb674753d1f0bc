"""How fast the importers read real exports (run by hand; not part of the test suite).

    .venv/bin/python benchmarks/import_speed.py

Reads every real export in ``../shared`` that the importers support, three times each, and prints
the best time, records per second and what was read. Figures go in ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from review.importers import import_file

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FILES = (
    "corpus/umkm/exports/maxi07-getRISInfos__tests_data_importMultiple.ris",
    "corpus/umkm/exports/maxi07-getRISInfos__tests_data_importSingle.ris",
    "benchmarks/dedup/iebh_deduplicator/copper.xml",
    "benchmarks/dedup/iebh_deduplicator/tafenoquine.xml",
    "benchmarks/dedup/sra_rathbone2015/Respiratory_original_endnote.xml",
    "benchmarks/dedup/sra_rathbone2015/respiratory_records.csv",
    "benchmarks/dedup/sra_rathbone2015/cytology_screening_records.csv",
    "benchmarks/dedup/asysd_diabetes/labelled_test_set.csv",
)


def main() -> int:
    if not SHARED.is_dir():
        print("../shared is not beside the project", file=sys.stderr)
        return 1
    print("| file | format | encoding | records | best of 3 (s) | records/s |")
    print("| --- | --- | --- | ---: | ---: | ---: |")
    total_records = 0
    total_time = 0.0
    for relative in FILES:
        path = SHARED / relative
        if not path.is_file():
            continue
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            result = import_file(path, source_id="bench")
            best = min(best, time.perf_counter() - start)
        n = len(result.records)
        total_records += n
        total_time += best
        print(
            f"| {path.name} | {result.format} | {result.encoding} | {n} | {best:.3f} | "
            f"{n / best:,.0f} |"
        )
    print(f"| all | | | {total_records} | {total_time:.3f} | {total_records / total_time:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
