"""Gather every source named in the protocol into one records table.

This is the only place that knows which reader serves which kind of source; the readers
themselves know nothing of the protocol. Nothing is written unless every source reads cleanly,
so a malformed file stops the run before anything downstream sees partial data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.errors import ProtocolError, SchemaError
from review.protocol import Protocol
from review.records import Record
from review.sources.corpus_csv import read_collection

RAW_DIR = Path("data/raw")


def _file_paths(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [path]


def source_files(protocol: Protocol, *, root: Path, raw_root: Path | None = None) -> list[Path]:
    """Every committed file the protocol's sources read: the files of each database source's
    run folders under ``raw_root/<id>/``, and each file or website source's ``path`` (every file
    below it when it is a folder). The workflow declares them, so a new run or export reruns it.
    """
    raw = raw_root if raw_root is not None else root / RAW_DIR
    out: list[Path] = []
    for source in protocol.sources:
        base = raw / source["id"] if source["kind"] == "database" else root / source["path"]
        if base.is_dir() or base.is_file():
            out.extend(_file_paths(base))
    return out


@dataclass(slots=True)
class Gathered:
    """The records of every source, and what was accepted with a warning while reading them."""

    records: list[Record] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def source_records(
    source: dict[str, Any],
    *,
    root: Path,
    warnings: list[str] | None = None,
    raw_root: Path | None = None,
) -> list[Record]:
    """Records of one protocol source, read from the project's committed data.

    A file or folder source that holds no records stops the run unless the protocol says it
    may be empty (``may_be_empty: true``, e.g. a database export of a search with no hits): an
    empty export is more often a failed download or the wrong folder than a real result.
    """
    notes = warnings if warnings is not None else []
    kind = source["kind"]
    raw = raw_root if raw_root is not None else root / RAW_DIR
    if kind == "database":
        if not (raw / source["id"]).is_dir():
            return []  # never searched: the search log says "not searched yet"
        from review.searchruns import records_from_runs

        return records_from_runs(source, raw)
    path = source.get("path")
    if not path:
        raise ProtocolError(f"source {source['id']!r} of kind {kind!r} needs a 'path'")
    full = root / path
    if not full.exists():
        raise ProtocolError(f"source {source['id']!r}: {path} does not exist")
    fmt = source.get("format", "auto")
    files = [p for p in _file_paths(full) if p.name != "manifest.json"]
    if fmt == "corpus_csv":
        out = [
            r
            for p in files
            if p.suffix.lower() == ".csv"
            for r in read_collection(p, source_id=source["id"], warnings=notes)
        ]
    else:
        from review.importers import read_files

        results = read_files(
            files, source_id=source["id"], fmt=fmt, source_kind=kind, run_id=_file_run(source, root)
        )
        out = [r for result in results for r in result.records]
        notes.extend(w for result in results for w in result.warnings)
    if not out:
        what = "an empty folder" if full.is_dir() and not files else "no records"
        message = f"source {source['id']!r}: {path} holds {what}"
        if not source.get("may_be_empty", False):
            raise ProtocolError(
                f"{message}; if the search really found nothing, say so in the protocol with "
                "'may_be_empty: true' on this source"
            )
        notes.append(f"{message} (the protocol says it may be empty)")
    # Provenance names the file as it is in the project, wherever the run was started from.
    for rec in out:
        path_of = Path(rec.prov_file)
        absolute = path_of if path_of.is_absolute() else (Path.cwd() / path_of)
        if absolute.resolve().is_relative_to(root.resolve()):
            rec.prov_file = absolute.resolve().relative_to(root.resolve()).as_posix()
    return out


def _file_run(source: dict[str, Any], root: Path) -> str:
    """The run id an export file's records carry: the ``run_id`` of the ``manifest.json``
    beside it (the search log reads the same file), else none.

    A record's run orders it among a study's members (:func:`review.records.anchor_key`): a
    record without one counts as found after every dated run, so an export added later never
    takes over a study's id; a manifest run id that begins with the export's date also orders
    exports among themselves.
    """
    from review.searchlog import collection_manifest
    from review.searchruns import read_json

    manifest = collection_manifest(source, root)
    return str(read_json(manifest).get("run_id") or "") if manifest is not None else ""


def gather_records(
    protocol: Protocol, *, root: Path | None = None, raw_root: Path | None = None
) -> Gathered:
    """All records of all sources, in protocol order, with the warnings of reading them;
    record ids must be unique."""
    root = root if root is not None else protocol.root
    gathered = Gathered()
    for source in protocol.sources:
        gathered.records.extend(
            source_records(source, root=root, warnings=gathered.warnings, raw_root=raw_root)
        )
    counts = Counter(r.record_id for r in gathered.records)
    repeated = [rid for rid, n in counts.items() if n > 1]
    if repeated:
        raise SchemaError(
            f"record id(s) appear more than once across sources: {', '.join(repeated[:5])}"
        )
    return gathered


def collect_records(
    protocol: Protocol, *, root: Path | None = None, raw_root: Path | None = None
) -> list[Record]:
    """All records of all sources, in protocol order (see :func:`gather_records`)."""
    return gather_records(protocol, root=root, raw_root=raw_root).records


def counts_by_source(records: list[Record]) -> dict[str, int]:
    return dict(Counter(r.source_id for r in records))
