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


def large_project(root: Path, n: int) -> list[str]:
    """A project of ``n`` one-record studies (for concurrency and soak tests, not review data),
    with the fixture protocol; returns the study ids in order."""
    from review.records import study_id_for
    from review.tables import contract

    (root / "config").mkdir(parents=True)
    shutil.copy(FIXTURES / "protocol.yaml", root / "config" / "protocol.yaml")
    interim = root / "data" / "interim"
    interim.mkdir(parents=True)
    (root / "data" / "decisions" / "screening").mkdir(parents=True)
    ids = [study_id_for(f"src:{i}") for i in range(n)]
    with (interim / "studies.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, contract("studies").names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(
            {
                "study_id": sid,
                "record_ids": f"src:{i}",
                "n_records": 1,
                "source_ids": "src",
                "title": f"Study {i}",
                "year": 2020,
                "language": "en",
                "doi": f"10.1/{i}",
                "fingerprint": f"doi:10.1/{i}",
            }
            for i, sid in enumerate(ids)
        )
    with (interim / "clusters.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["record_id", "study_id"])
        writer.writerows((f"src:{i}", sid) for i, sid in enumerate(ids))
    return ids


def write_sheet(path: Path, ids: Sequence[str], decision: str, reason: str, note: str) -> Path:
    """A filled sheet: ``decision`` on every study of ``ids``."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["study_id", "decision", "reason", "note"])
        writer.writerows((sid, decision, reason, note) for sid in ids)
    return path
