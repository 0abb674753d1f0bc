"""What ``review dedup`` reads: records tables, or bibliographic export files of any format.

A records table (``data/interim/records.csv`` or the output of ``review import``) is read as
it is. An export file is imported with its format detected; its records are then named back by
the export's own id (or the record's row in the file when the export has none), so that
``clusters.csv`` joins back to the file the user gave.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from review.errors import InputFormatError
from review.records import RECORD_COLUMNS, Record, read_records

_HASH_ID = re.compile(r"^[0-9a-f]{12}$")  # review.records.content_id: the export had no id
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class DedupInputs:
    """The records to deduplicate, and how to name export records in ``clusters.csv``."""

    records: list[Record] = field(default_factory=list)
    #: record id -> (the export's own id, the export file), for records read from exports
    own_ids: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: what the importers accepted with a warning
    warnings: list[str] = field(default_factory=list)

    @property
    def n_files(self) -> int:
        return len({f for _own, f in self.own_ids.values()})

    def name_clusters(self, clusters: list[dict[str, str]]) -> bool:
        """Rename export records in ``clusters`` by their own ids (and file, when several
        exports were read); whether the ``file`` column is needed."""
        several = self.n_files > 1
        for row in clusters:
            own = self.own_ids.get(row["record_id"])
            if own:
                row["record_id"] = own[0]
                if several:
                    row["file"] = own[1]
        return several


def is_records_table(path: Path) -> bool:
    """Whether ``path`` is a records table rather than an export (its header is ours)."""
    if path.suffix.lower() != ".csv":
        return False
    with path.open("rb") as fh:
        first = fh.readline(65536).decode("utf-8-sig", errors="replace")
    header = next(csv.reader([first]), [])
    return {"record_id", "source_id", "prov_file"} <= set(header) and set(header) <= set(
        RECORD_COLUMNS
    )


def source_id_for(path: Path, used: set[str]) -> str:
    """A source id from the file name, unique among ``used`` (which it joins)."""
    base = _SAFE.sub("_", path.stem).strip("_.-") or "file"
    base = base if base[0].isalnum() else f"f{base}"
    sid, n = base, 1
    while sid in used:
        n += 1
        sid = f"{base}-{n}"
    used.add(sid)
    return sid


def own_id(record: Record) -> str:
    """The export's own id of a record, or its row number when the export gave none."""
    local = record.record_id.split(":", 1)[1] if ":" in record.record_id else record.record_id
    if _HASH_ID.match(local) and record.prov_position is not None:
        return str(record.prov_position)
    return local


def load_inputs(
    files: Sequence[Path], *, tables: Sequence[Path] = (), fmt: str = "auto"
) -> DedupInputs:
    """Every record of ``tables`` and of ``files`` (records tables or exports, told apart)."""
    from review.importers import import_file

    out = DedupInputs()
    used: set[str] = set()
    tables = list(tables)
    exports: list[Path] = []
    for path in files:
        if not path.is_file():
            raise InputFormatError("file not found", path=path)
        (tables if is_records_table(path) else exports).append(path)
    for path in tables:
        out.records.extend(read_records(path))
    for path in exports:
        result = import_file(path, source_id=source_id_for(path, used), fmt=fmt)
        out.warnings.extend(result.warnings)
        for rec in result.records:
            out.own_ids[rec.record_id] = (own_id(rec), str(path))
        out.records.extend(result.records)
    return out
