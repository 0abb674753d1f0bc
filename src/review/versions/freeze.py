"""Freeze the review as it stands into ``versions/<name>/`` (``review version NAME``).

Only a review whose outputs are current can be frozen: the workflow's report must be newer
than the protocol, every raw file, every decision file and every earlier version, and the raw
files must still be those normalise read. The version is written into a hidden folder beside
the others and renamed into place when complete, so it appears whole or not at all, and an
existing version is never written again.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review import __version__, atomic, prisma
from review.integrity import check_raw_files
from review.protocol import Protocol
from review.records import read_records, sha256_file
from review.states import ScreeningState
from review.tables import contract, contracts, read_table
from review.versions.amendments import amendments, check_amendments
from review.versions.flow import flow_counts
from review.versions.store import (
    MANIFEST,
    PROTOCOL_COPY,
    REPORT,
    SCHEMA,
    TABLES,
    VERSIONS,
    Version,
    VersionError,
    check_name,
    list_versions,
    validate_manifest,
)

DECISIONS = Path("data/decisions")
REPORT_FILE = Path("reports/review.html")


@dataclass(frozen=True)
class Project:
    """Where the project's files are (the layout of the table contracts, under ``root``)."""

    root: Path
    versions: Path
    decisions: Path

    @classmethod
    def at(cls, root: Path) -> Project:
        return cls(root, root / VERSIONS, root / DECISIONS)

    def table(self, name: str) -> Path:
        return self.root / contract(name).file


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _csv_rows(path: Path) -> int | None:
    if path.suffix.lower() != ".csv":
        return None
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return max(sum(1 for _ in csv.reader(fh)) - 1, 0)


def decision_files(project: Project) -> list[dict[str, Any]]:
    """Every file people wrote under ``data/decisions/``, hashed (and its rows counted)."""
    folder = project.decisions
    if not folder.is_dir():
        return []
    return [
        {"file": _rel(p, project.root), "sha256": sha256_file(p), "rows": _csv_rows(p)}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    ]


def derived_tables(project: Project) -> list[tuple[str, Path]]:
    """Every derived table of the layout that the workflow has written: what a version keeps."""
    return [
        (c.name, project.root / c.file)
        for c in contracts()
        if c.kind == "derived" and "<" not in c.file and (project.root / c.file).is_file()
    ]


def check_current(project: Project, protocol: Protocol) -> None:
    """Refuse to freeze outputs older than what they were made from."""
    report = project.root / REPORT_FILE
    if not report.is_file():
        raise VersionError(
            f"{_rel(report, project.root)} does not exist: run the review (`review run`) "
            "before freezing it as a version"
        )
    made = report.stat().st_mtime
    from review.normalise import source_files

    inputs = [Path(protocol.path), *source_files(protocol, root=project.root)]
    if project.decisions.is_dir():
        inputs += [p for p in project.decisions.rglob("*") if p.is_file()]
    if project.versions.is_dir():
        inputs += list(project.versions.glob(f"*/{MANIFEST}"))
    newer = [p for p in inputs if p.stat().st_mtime > made]
    if newer:
        shown = ", ".join(_rel(p, project.root) for p in newer[:3])
        raise VersionError(
            f"{shown}{' …' if len(newer) > 3 else ''} changed after "
            f"{_rel(report, project.root)} was made: run the review (`review run`) first, so "
            "the version is what the report shows"
        )
    read = project.table("raw_files")
    if not read.is_file():
        raise VersionError(f"{_rel(read, project.root)} does not exist: run `review run` first")
    now = {(f.file, f.sha256) for f in check_raw_files(protocol, root=project.root)}
    then = {(r["file"], r["sha256"]) for r in read_table(read, contract("raw_files"))}
    if now != then:
        raise VersionError(
            "the raw files are not those the records were read from "
            f"({_rel(read, project.root)}): run `review run` first"
        )


def build_manifest(
    name: str,
    *,
    protocol: Protocol,
    project: Project,
    note: str,
    previous: Version | None,
    now: dt.datetime,
) -> dict[str, Any]:
    """What the version records (the tables, protocol copy and report are added by
    :func:`freeze` as it writes them)."""
    from review.report.methods import git_commit

    records = read_records(project.table("records"))
    studies = read_table(project.table("studies"), contract("studies"))
    screening_path = project.table("screening")
    screening = (
        read_table(screening_path, contract("screening")) if screening_path.is_file() else None
    )
    groups_path = project.root / "data" / "interim" / "study_groups.csv"
    main_of = None
    if groups_path.is_file():
        with groups_path.open(encoding="utf-8", newline="") as fh:
            main_of = {r["study_id"]: r["main_study_id"] for r in csv.DictReader(fh)}
    counts = flow_counts(protocol, records, studies, screening, previous, main_of=main_of)
    included = sorted(
        r["study_id"] for r in screening or [] if r["state"] == ScreeningState.INCLUDED_FT
    )
    read = read_table(project.table("raw_files"), contract("raw_files"))
    git = git_commit(project.root)
    numbers = {
        key: getattr(counts, key)
        for key in (
            "identified",
            "duplicates",
            "studies",
            "excluded_auto",
            "awaiting_screening",
            "screened",
            "excluded_ta",
            "undecided_ta",
            "sought",
            "not_retrieved",
            "awaiting_ft",
            "assessed",
            "excluded_ft",
            "included",
        )
    }
    return {
        "schema": SCHEMA,
        "name": name,
        "note": note,
        "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "previous_version": previous.name if previous is not None else None,
        "software": {
            "review": __version__,
            "git_commit": git.get("commit", ""),
            "git_dirty": bool(git.get("dirty")),
        },
        "protocol": {
            "file": _rel(Path(protocol.path), project.root),
            "sha256": protocol.sha256,
            "copy": PROTOCOL_COPY,
            "title": str(protocol.data.get("title", "")).strip(),
            "version": str(protocol.data.get("version", "")),
            "amendments": len(amendments(protocol.data)),
        },
        "inputs": [
            {
                "source_id": r["source_id"],
                "kind": r["kind"],
                "run_id": r["run_id"],
                "file": r["file"],
                "sha256": r["sha256"],
                "records": int(r["records"]) if r["records"] else None,
            }
            for r in read
        ],
        "records": {
            "total": len(records),
            "by_source": dict(sorted(Counter(r.source_id for r in records).items())),
        },
        "counts": numbers,
        "prisma": prisma.prisma_data(counts),
        "studies": {
            "total": len(studies),
            "included": included,
            "included_main": (
                sorted({main_of.get(s, s) for s in included}) if main_of is not None else None
            ),
        },
        "decisions": decision_files(project),
        "tables": [],
        "report": [],
    }


def freeze(
    name: str,
    *,
    protocol: Protocol,
    project: Project,
    render: Callable[[Path, Version | None], None],
    note: str = "",
    now: dt.datetime | None = None,
    check: bool = True,
) -> Version:
    """Write ``versions/<name>/``; ``render(folder, previous)`` writes the report into
    ``folder`` as version ``name``. Refuses an existing name, a stale review, and a protocol
    changed since the previous version without an amendment."""
    check_name(name)
    target = project.versions / name
    if target.exists():
        raise VersionError(f"{_rel(target, project.root)} exists: a version is never rewritten")
    versions = list_versions(project.versions)
    previous = versions[-1] if versions else None
    check_amendments(protocol, previous)
    if check:
        check_current(project, protocol)
    now = now or dt.datetime.now(dt.UTC)
    if previous is not None and now.strftime("%Y-%m-%dT%H:%M:%SZ") < previous.created_at:
        raise VersionError(f"version {previous.name} was made after {now}: check the clock")
    manifest = build_manifest(
        name, protocol=protocol, project=project, note=note, previous=previous, now=now
    )
    project.versions.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=project.versions))
    try:
        shutil.copy2(protocol.path, tmp / PROTOCOL_COPY)
        (tmp / TABLES).mkdir()
        for table, path in derived_tables(project):
            dest = tmp / TABLES / path.name
            shutil.copy2(path, dest)
            manifest["tables"].append(
                {
                    "name": table,
                    "file": f"{TABLES}/{path.name}",
                    "source": _rel(path, project.root),
                    "sha256": sha256_file(dest),
                    "rows": _csv_rows(dest),
                }
            )
        render(tmp / REPORT, previous)
        manifest["report"] = [
            {"file": _rel(p, tmp), "sha256": sha256_file(p)}
            for p in sorted((tmp / REPORT).rglob("*"))
            if p.is_file()
        ]
        validate_manifest(manifest, f"{name}/{MANIFEST}")
        atomic.write_json(tmp / MANIFEST, manifest)
        try:
            tmp.rename(target)  # the version appears whole, or not at all
        except OSError as exc:
            raise VersionError(f"{_rel(target, project.root)} exists: not rewritten") from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return Version(name, target, manifest)


def manifest_digest(version: Version) -> str:
    """A short fingerprint of a version's manifest (for listings)."""
    data = (version.folder / MANIFEST).read_bytes()
    return hashlib.sha256(data).hexdigest()[:12]
