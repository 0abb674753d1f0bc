"""Time the report on a project folder: reading the stage outputs, the PRISMA check, rendering
every page. Run by hand: ``.venv/bin/python benchmarks/report_speed.py [PROJECT] [--repeat N]``.

Prints the size of the inputs, the best-of-N time of :func:`review.report.render.render_report`
(into a temporary folder, so the project's reports are untouched) and the size of each output.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

from review.protocol import load_protocol
from review.report.inputs import Paths
from review.report.render import Outputs, render_report


def rows(path: Path) -> str:
    if not path.is_file():
        return "absent"
    with path.open(encoding="utf-8", newline="") as fh:
        return str(sum(1 for _ in csv.DictReader(fh)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("project", nargs="?", type=Path, default=Path())
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = args.project
    protocol = load_protocol(root / "config" / "protocol.yaml")
    for rel in (
        "data/interim/records.csv",
        "data/interim/studies.csv",
        "data/interim/dedup_links.csv",
        "data/interim/screening.csv",
        "data/interim/screening_events.csv",
        "data/extracted/coded.csv",
    ):
        print(f"{rel}: {rows(root / rel)} rows")
    best = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            start = time.perf_counter()
            written = render_report(protocol, paths=Paths(root=root), outputs=Outputs(Path(tmp)))
            best = min(best, time.perf_counter() - start)
        for name, path in sorted(written.items()):
            print(f"{name}: {path.stat().st_size:,} bytes")
    print(f"render_report, best of {args.repeat}: {best:.3f} s")


if __name__ == "__main__":
    main()
