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
from review.integrity import governing
from review.protocol import Protocol
from review.records import Record, run_order
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
    """The records of every source, what was accepted with a warning while reading them, and
    how many records each file of a file or website source gave (before a record found again
    by a later run of the same source replaced it)."""

    records: list[Record] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    read_counts: Counter[str] = field(default_factory=Counter)


def _latest_per_id(records: list[Record]) -> list[Record]:
    """A record another run of the same source found again is kept once, from the latest run
    (as database runs do), in the order of first sighting."""
    latest: dict[str, Record] = {}
    for rec in records:
        kept = latest.get(rec.record_id)
        if kept is None or run_order(rec.run_id) >= run_order(kept.run_id):
            latest[rec.record_id] = rec
    order = dict.fromkeys(r.record_id for r in records)
    return [latest[rid] for rid in order]


def source_records(
    source: dict[str, Any],
    *,
    root: Path,
    warnings: list[str] | None = None,
    raw_root: Path | None = None,
    read_counts: Counter[str] | None = None,
) -> list[Record]:
    """Records of one protocol source, read from the project's committed data.

    A file or folder source that holds no records stops the run unless the protocol says it
    may be empty (``may_be_empty: true``, e.g. a database export of a search with no hits): an
    empty export is more often a failed download or the wrong folder than a real result. Each
    file's records carry the run of the manifest that records the file; ``read_counts`` gets
    how many records each file gave.
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
    runs: dict[str, list[Path]] = {}
    for g in governing(source, root):  # each file's run: its manifest's
        runs.setdefault(g.run_id, []).append(g.path)
    out: list[Record] = []
    for run_id, run_files in runs.items():
        if fmt == "corpus_csv":
            out.extend(
                r
                for p in run_files
                if p.suffix.lower() == ".csv"
                for r in read_collection(p, source_id=source["id"], run_id=run_id, warnings=notes)
            )
        else:
            from review.importers import read_files

            results = read_files(
                run_files, source_id=source["id"], fmt=fmt, source_kind=kind, run_id=run_id
            )
            out.extend(r for result in results for r in result.records)
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
    if read_counts is not None:
        read_counts.update(r.prov_file for r in out)
    return _latest_per_id(out) if len(runs) > 1 else out


def gather_records(
    protocol: Protocol, *, root: Path | None = None, raw_root: Path | None = None
) -> Gathered:
    """All records of all sources, in protocol order, with the warnings of reading them;
    record ids must be unique."""
    root = root if root is not None else protocol.root
    gathered = Gathered()
    for source in protocol.sources:
        gathered.records.extend(
            source_records(
                source,
                root=root,
                warnings=gathered.warnings,
                raw_root=raw_root,
                read_counts=gathered.read_counts,
            )
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
