"""Record an export or a web collection as a run of a protocol source, with its manifest.

Database sources are searched (:mod:`review.searchruns`) and their runs recorded as they are
fetched; a file or website source's records arrive as files a person brings. This module gives
such files the same standing: a run folder (``<source folder>/<run-id>/``) holding the files as
they were, and a ``manifest.json`` with each file's sha256 and record count, the date of the
search and what was searched (PRISMA-S). From then on every run checks the files against it
(:mod:`review.integrity`), and the search log lists the run.

A run is never changed: new records are a new run beside the old ones (an update), whose
manifest names the run it follows. Files a source already holds that no manifest records can be
recorded where they are, once.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review import __version__, atomic
from review.errors import ProtocolError, ReviewError
from review.integrity import MANIFEST, governing
from review.protocol import Protocol
from review.records import sha256_file

RUN_SCHEMA = "review.file-run/1"
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


@dataclass(frozen=True)
class RecordedRun:
    """A run written by :func:`record_run`."""

    folder: Path
    manifest: dict[str, Any]
    #: when the protocol's ``path`` does not reach the new run: what to change
    protocol_note: str = ""


def _source(protocol: Protocol, source_id: str) -> dict[str, Any]:
    for source in protocol.sources:
        if source["id"] == source_id:
            if source["kind"] == "database":
                raise ProtocolError(
                    f"source {source_id!r} is a database: its runs are searches "
                    f"(`review search {source_id} --live`, `review update --live`)"
                )
            if not source.get("path"):
                raise ProtocolError(f"source {source_id!r} has no 'path' in the protocol")
            return source
    known = ", ".join(s["id"] for s in protocol.sources if s["kind"] != "database")
    raise ProtocolError(f"no file or website source {source_id!r} in the protocol ({known})")


def runs_folder(source: dict[str, Any], root: Path) -> Path:
    """Where a source's run folders live: its ``path`` when that is a folder (or names one not
    made yet); for a file in a run folder (a manifest beside it), the folder above; else the
    file's folder."""
    full = root / str(source["path"])
    if full.is_dir() or (not full.exists() and not full.suffix):
        return full  # a folder (made by the first run when it does not exist yet)
    if (full.parent / MANIFEST).is_file():
        return full.parent.parent
    return full.parent


def count_records(source: dict[str, Any], path: Path) -> int:
    """Records in ``path`` as the pipeline will read them (an unreadable file stops here)."""
    from review.importers import import_file

    result = import_file(
        path,
        source_id=str(source["id"]),
        fmt=str(source.get("format", "auto")),
        source_kind=str(source["kind"]),
    )
    return len(result.records)


def _earlier_runs(source: dict[str, Any], root: Path) -> list[dict[str, Any]]:
    from review.searchruns import read_json

    base = runs_folder(source, root)
    if not base.is_dir():
        return []
    found = [read_json(m) for m in sorted(base.rglob(MANIFEST))]
    return sorted(
        (m for m in found if m.get("source_id") in (None, "", source["id"])),
        key=lambda m: str(m.get("imported_at") or m.get("snapshot_taken") or m.get("run_id")),
    )


def _manifest(
    source: dict[str, Any],
    run_id: str,
    files: list[dict[str, Any]],
    earlier: list[dict[str, Any]],
    *,
    now: dt.datetime,
    searched_on: str | None,
    details: dict[str, Any],
) -> dict[str, Any]:
    previous = str(earlier[-1].get("run_id") or "") if earlier else ""
    total = sum(int(f["rows"]) for f in files)
    return {
        "schema": RUN_SCHEMA,
        "source_id": source["id"],
        "source_kind": source["kind"],
        "run_id": run_id,
        "run_kind": "update" if earlier else "initial",
        "previous_run_id": previous or None,
        "database": details.get("database") or source.get("database"),
        "platform": details.get("platform") or source.get("label"),
        "method": details.get("method") or source.get("method"),
        "query_as_executed": details.get("query") or source.get("query"),
        "filters": source.get("filters") or {},
        "date_last_searched": searched_on or now.date().isoformat(),
        "imported_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "records_reported": details.get("records_reported"),
        "records_retrieved": total,
        "files": files,
        "complete": True,
        "client": f"review import-run {__version__}",
    }


def record_run(
    protocol: Protocol,
    source_id: str,
    files: list[Path],
    *,
    root: Path | None = None,
    run_id: str | None = None,
    searched_on: str | None = None,
    details: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
    allow_empty: bool = False,
) -> RecordedRun:
    """Record ``files`` as a new run of ``source_id``: copied into a new run folder, or, when
    they already lie in the source's folder unrecorded, recorded where they are."""
    root = Path(root) if root is not None else Path(protocol.root)
    source = _source(protocol, source_id)
    now = now or dt.datetime.now(dt.UTC)
    if searched_on is not None:
        try:
            dt.date.fromisoformat(searched_on)
        except ValueError:
            raise ReviewError(
                f"--searched-on {searched_on!r}: expected a date (YYYY-MM-DD)"
            ) from None
    if not files:
        raise ReviewError("name at least one file to record")
    paths = [Path(f) for f in files]
    for p in paths:
        if not p.is_file():
            raise ReviewError(f"{p}: no such file")
    base = runs_folder(source, root).resolve()
    inside = [p.resolve().is_relative_to(base) for p in paths]
    earlier = _earlier_runs(source, root)
    if any(inside):
        if not all(inside):
            raise ReviewError(
                "some files are already in the source's folder and some are not: record a new "
                "run from files outside it, or the unrecorded files inside it, not both"
            )
        return _record_in_place(
            protocol,
            source,
            paths,
            root,
            run_id,
            earlier,
            now,
            searched_on,
            details or {},
            allow_empty,
        )
    run_id = run_id or now.strftime("%Y-%m-%dT%H%M%SZ")
    if not _SAFE.match(run_id):
        raise ReviewError(
            f"run id {run_id!r}: use letters, digits, '.', '_' or '-' (a folder name)"
        )
    folder = base / run_id
    if folder.exists():
        raise ReviewError(f"{folder}: a run with this id exists; a run is never changed")
    names = [p.name for p in paths]
    if len(set(names)) != len(names):
        raise ReviewError("two files have the same name; a run folder holds each name once")
    entries = []
    for p in paths:
        rows = count_records(source, p)
        if rows == 0 and not (allow_empty or source.get("may_be_empty")):
            raise ReviewError(
                f"{p}: holds no records; if the search really found nothing, pass --allow-empty"
            )
        entries.append({"path": p.name, "sha256": sha256_file(p), "rows": rows})
    manifest = _manifest(
        source, run_id, entries, earlier, now=now, searched_on=searched_on, details=details or {}
    )
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{run_id}.", suffix=".tmp", dir=base))
    try:
        for p in paths:
            shutil.copy2(p, tmp / p.name)
        atomic.write_json(tmp / MANIFEST, manifest)
        tmp.replace(folder)  # the run appears whole, or not at all
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return RecordedRun(folder, manifest, _protocol_note(source, root, folder))


def _record_in_place(
    protocol: Protocol,
    source: dict[str, Any],
    paths: list[Path],
    root: Path,
    run_id: str | None,
    earlier: list[dict[str, Any]],
    now: dt.datetime,
    searched_on: str | None,
    details: dict[str, Any],
    allow_empty: bool,
) -> RecordedRun:
    folders = {p.resolve().parent for p in paths}
    if len(folders) != 1:
        raise ReviewError("files recorded where they are must lie in one folder (one run)")
    folder = folders.pop()
    if (folder / MANIFEST).is_file():
        raise ReviewError(
            f"{folder / MANIFEST} exists: that run is recorded and is never changed; record new "
            "files as a new run, from outside the source's folder"
        )
    governed = {g.path.resolve(): g for g in governing(source, root)}
    for p in paths:
        g = governed.get(p.resolve())
        if g is None:
            raise ReviewError(f"{p}: not a file the protocol's source {source['id']!r} reads")
        if g.manifest_path is not None:
            raise ReviewError(f"{p}: already recorded in {g.manifest_path}")
    entries = []
    for p in sorted(paths):
        rows = count_records(source, p)
        if rows == 0 and not (allow_empty or source.get("may_be_empty")):
            raise ReviewError(
                f"{p}: holds no records; if the search really found nothing, pass --allow-empty"
            )
        rel = p.resolve().relative_to(folder).as_posix()
        entries.append({"path": rel, "sha256": sha256_file(p), "rows": rows})
    # A dated id, so that the runs that follow sort after it (:func:`review.records.run_order`).
    rid = run_id or searched_on or now.date().isoformat()
    manifest = _manifest(
        source, rid, entries, earlier, now=now, searched_on=searched_on, details=details
    )
    atomic.write_json(folder / MANIFEST, manifest)
    return RecordedRun(folder, manifest)


def _protocol_note(source: dict[str, Any], root: Path, folder: Path) -> str:
    full = (root / str(source["path"])).resolve()
    if full.is_dir() and folder.resolve().is_relative_to(full):
        return ""
    base = runs_folder(source, root)
    try:
        shown = base.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = base.as_posix()
    return (
        f"the protocol's source {source['id']!r} reads only {source['path']}: to read this run "
        f"too, set its path to {shown} (a change of the protocol: record it under "
        "'amendments' with the date, what changed and why)"
    )
