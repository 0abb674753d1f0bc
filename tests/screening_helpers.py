"""Shared set-up of the screening tests: the fixture protocol, studies and ledger writing."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from review.protocol import Protocol, load_protocol
from review.screening.ledger import LEDGER_COLUMNS, RESOLUTION_COLUMNS

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "screening"


def protocol() -> Protocol:
    return load_protocol(FIXTURES / "protocol.yaml")


def project(tmp: Path) -> Path:
    """A throw-away project with the fixture protocol, studies and clusters, and no ledgers."""
    (tmp / "config").mkdir(parents=True)
    shutil.copy(FIXTURES / "protocol.yaml", tmp / "config" / "protocol.yaml")
    interim = tmp / "data" / "interim"
    interim.mkdir(parents=True)
    shutil.copy(FIXTURES / "studies.csv", interim / "studies.csv")
    shutil.copy(FIXTURES / "clusters.csv", interim / "clusters.csv")
    shutil.copy(FIXTURES / "records.csv", interim / "records.csv")
    (tmp / "data" / "decisions" / "screening").mkdir(parents=True)
    return tmp


def write_ledger(
    folder: Path,
    stage: str,
    reviewer: str,
    rows: Iterable[Sequence[str]],
    *,
    resolver: bool = False,
) -> Path:
    """Write ``rows`` (tuples in ledger column order) as ``<folder>/<stage>/<reviewer>.csv``."""
    path = folder / stage / f"{reviewer}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = RESOLUTION_COLUMNS if resolver else LEDGER_COLUMNS
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
