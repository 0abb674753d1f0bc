"""Every committed raw file against its manifest, before anything is read from it.

The raw snapshot in ``data/raw/`` is the review's evidence: a record that changes there changes
the review. So every file a protocol source reads is recorded in a run manifest
(``manifest.json``) with its sha256 and, for files of records, how many it holds, and the run
stops when a file differs from its record, naming the file, what the manifest says and what the
file is now, and what to do. A run is never edited: new records are a new run with its own
manifest (``review import-run SOURCE FILE`` for exports and web collections, ``review search``
/ ``review update`` for databases), so the search log can say when each was added.

Layouts:

* a database source: ``data/raw/<source>/<run-id>/`` with the pages the manifest lists
  (``pages: [{file, sha256, records}]``; page bodies are hashed as received, before gzip);
* a file or website source: its ``path`` (a file, or a folder of files or of run folders). A
  file is governed by the nearest ``manifest.json`` in its folder or a folder above it, up to
  the source's folder, which lists it (``files: [{path, sha256, rows}]``, paths relative to the
  manifest's folder; ``rows`` is the number of records read from the file).

:func:`check_raw_files` hashes every file before it is read; :func:`check_record_counts`
compares, after reading, the records each file gave with its manifest. Both collect every
problem and raise one :class:`IntegrityError` naming them all.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review.errors import ReviewError
from review.protocol import Protocol
from review.records import sha256_file

MANIFEST = "manifest.json"
CHECKPOINT = "checkpoint.json"


class IntegrityError(ReviewError):
    """A committed raw file differs from its manifest, or is not recorded in one."""


@dataclass(frozen=True)
class RawFile:
    """One committed file a source reads, as its manifest records it and as it is now."""

    source_id: str
    kind: str
    run_id: str
    file: str  #: relative to the project
    sha256: str  #: of the file now (a database page: of its body, before gzip)
    records: int | None  #: records the manifest says the file holds (None: not recorded)
    manifest: str  #: the manifest that records it, relative to the project

    def row(self) -> dict[str, Any]:
        """Its row of ``raw_files.csv``."""
        return {
            "source_id": self.source_id,
            "kind": self.kind,
            "run_id": self.run_id,
            "file": self.file,
            "sha256": self.sha256,
            "records": "" if self.records is None else self.records,
            "manifest": self.manifest,
        }


@dataclass(frozen=True)
class Governed:
    """A file of a file or website source and the manifest that records it."""

    path: Path
    manifest_path: Path | None
    manifest: dict[str, Any]
    entry: dict[str, Any] | None  #: the manifest's ``files`` entry for this file

    @property
    def run_id(self) -> str:
        folder = self.manifest_path.parent.name if self.manifest_path else self.path.parent.name
        return str(self.manifest.get("run_id") or folder)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _read_manifest(path: Path) -> dict[str, Any]:
    from review.searchruns import read_json  # one reader of manifests, with its error

    return read_json(path)


def source_base(source: dict[str, Any], root: Path) -> Path:
    """The folder that holds a file or website source's files (and their manifests)."""
    full = root / str(source["path"])
    return full if full.is_dir() else full.parent


def source_data_files(source: dict[str, Any], root: Path) -> list[Path]:
    """The files of a file or website source: its ``path``, or every file below that folder
    (manifests and hidden files aside)."""
    full = root / str(source["path"])
    if full.is_file():
        return [full]
    if not full.is_dir():
        return []
    return sorted(
        p
        for p in full.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.name != MANIFEST
    )


def source_manifests(source: dict[str, Any], root: Path) -> list[Path]:
    """The manifests of a file or website source's runs: the one beside a file ``path``, or
    every one below a folder ``path`` (those of another source aside)."""
    full = root / str(source["path"])
    if full.is_file():
        found = [full.parent / MANIFEST] if (full.parent / MANIFEST).is_file() else []
    elif full.is_dir():
        found = sorted(full.rglob(MANIFEST))
    else:
        found = []
    return [m for m in found if _read_manifest(m).get("source_id") in (None, "", source["id"])]


def governing(source: dict[str, Any], root: Path) -> list[Governed]:
    """Each file of a file or website source with the manifest that governs it (the nearest in
    its folder or above, up to the source's folder) and that manifest's entry for it."""
    base = source_base(source, root).resolve()
    cache: dict[Path, dict[str, Any]] = {}
    out = []
    for path in source_data_files(source, root):
        folder = path.resolve().parent
        found: Path | None = None
        while True:
            if (folder / MANIFEST).is_file():
                found = folder / MANIFEST
                break
            if folder == base or base not in folder.parents:
                break
            folder = folder.parent
        if found is None:
            out.append(Governed(path, None, {}, None))
            continue
        if found not in cache:
            cache[found] = _read_manifest(found)
        manifest = cache[found]
        if manifest.get("source_id") not in (None, "", source["id"]):
            out.append(Governed(path, None, {}, None))  # another source's run
            continue
        rel = path.resolve().relative_to(found.parent).as_posix()
        entry = next(
            (f for f in manifest.get("files") or [] if str(f.get("path", "")) == rel), None
        )
        out.append(Governed(path, found, manifest, entry))
    return out


def _new_run_hint(source_id: str) -> str:
    return (
        "a committed raw file is never edited: restore it (e.g. `git checkout -- FILE`); new "
        f"records are a new run with its own manifest (`review import-run {source_id} FILE`)"
    )


def _collection_files(source: dict[str, Any], root: Path, problems: list[str]) -> list[RawFile]:
    sid = str(source["id"])
    out = []
    files = governing(source, root)
    for g in files:
        shown = _rel(g.path, root)
        if g.manifest_path is None:
            problems.append(
                f"{shown} (source {sid!r}) is not recorded in any {MANIFEST}; record it as a "
                f"run: `review import-run {sid} {shown}`"
            )
            continue
        manifest_shown = _rel(g.manifest_path, root)
        if g.entry is None:
            problems.append(
                f"{shown} (source {sid!r}) is not listed in {manifest_shown}; a run is never "
                f"changed after it is recorded: record the file as a new run "
                f"(`review import-run {sid} FILE` from outside the source's folder)"
            )
            continue
        actual = sha256_file(g.path)
        expected = str(g.entry.get("sha256", ""))
        if actual != expected:
            problems.append(
                f"{shown} (source {sid!r}) has sha256 {actual}, but {manifest_shown} records "
                f"{expected or 'none'}: the file was changed after it was recorded. "
                + _new_run_hint(sid)
            )
            continue
        rows = g.entry.get("rows")
        out.append(
            RawFile(
                sid,
                str(source["kind"]),
                g.run_id,
                shown,
                actual,
                int(rows) if isinstance(rows, int) else None,
                manifest_shown,
            )
        )
    # A file a manifest lists that is gone is a change too.
    for manifest_path in source_manifests(source, root):
        for entry in _read_manifest(manifest_path).get("files") or []:
            listed = manifest_path.parent / str(entry.get("path", ""))
            if not listed.is_file():
                problems.append(
                    f"{_rel(listed, root)} (source {sid!r}) is listed in "
                    f"{_rel(manifest_path, root)} but missing. " + _new_run_hint(sid)
                )
    return out


def _database_files(
    source: dict[str, Any], raw_root: Path, root: Path, problems: list[str]
) -> list[RawFile]:
    from review.searchruns import list_runs

    sid = str(source["id"])
    out = []
    for run in list_runs(raw_root, sid):
        if not run.complete:
            continue  # never read: an open run resumes (`review search`)
        manifest_shown = _rel(run.path / MANIFEST, root)
        listed = {str(p["file"]) for p in run.manifest.get("pages") or []}
        for extra in sorted(run.path.iterdir()):
            if extra.is_file() and extra.name not in listed | {MANIFEST, CHECKPOINT}:
                problems.append(
                    f"{_rel(extra, root)} (source {sid!r}) is not a page of {manifest_shown}; "
                    "a complete run is never changed: remove the file (a new search is a new "
                    f"run: `review update --live` or `review search {sid} --live`)"
                )
        for page in run.manifest.get("pages") or []:
            path = run.path / str(page["file"])
            shown = _rel(path, root)
            if not path.is_file():
                problems.append(
                    f"{shown} (source {sid!r}) is listed in {manifest_shown} but missing; "
                    "restore it from version control"
                )
                continue
            try:
                body = gzip.decompress(path.read_bytes())
            except (OSError, EOFError) as exc:
                problems.append(f"{shown} (source {sid!r}): not a gzip page ({exc})")
                continue
            actual = hashlib.sha256(body).hexdigest()
            if actual != page.get("sha256"):
                problems.append(
                    f"{shown} (source {sid!r}) has sha256 {actual}, but {manifest_shown} "
                    f"records {page.get('sha256')}; a stored page is the database's answer "
                    "as received and is never edited: restore it from version control"
                )
                continue
            records = page.get("records")
            out.append(
                RawFile(
                    sid,
                    "database",
                    run.run_id,
                    shown,
                    actual,
                    int(records) if isinstance(records, int) else None,
                    manifest_shown,
                )
            )
    return out


def check_raw_files(
    protocol: Protocol, *, root: Path | None = None, raw_root: Path | None = None
) -> list[RawFile]:
    """Every committed file the protocol's sources read, hashed and checked against its
    manifest before anything reads it; raises :class:`IntegrityError` listing every problem."""
    root = Path(root) if root is not None else Path(protocol.root)
    raw = Path(raw_root) if raw_root is not None else root / "data" / "raw"
    problems: list[str] = []
    out: list[RawFile] = []
    for source in protocol.sources:
        if source["kind"] == "database":
            out.extend(_database_files(source, raw, root, problems))
        elif source.get("path") and (root / str(source["path"])).exists():
            out.extend(_collection_files(source, root, problems))
    _raise(problems, "before reading")
    return out


def check_record_counts(files: Sequence[RawFile], read: Mapping[str, int]) -> None:
    """After reading: the records each file of a file or website source gave (``read``: by
    file, relative to the project) are as many as its manifest records. Database pages are
    counted as they are read (:func:`review.searchruns.records_from_runs`)."""
    problems = []
    for f in files:
        if f.kind == "database" or f.records is None:
            continue
        if read.get(f.file, 0) != f.records:
            problems.append(
                f"{f.file} (source {f.source_id!r}) gave {read.get(f.file, 0)} records, but "
                f"{f.manifest} records {f.records}. " + _new_run_hint(f.source_id)
            )
    _raise(problems, "after reading them")


def _raise(problems: list[str], when: str) -> None:
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise IntegrityError(
            f"{len(problems)} committed raw file(s) differ from their manifests ({when}); "
            f"nothing was written:\n{lines}"
        )
