"""Helpers the Snakefile calls to list inputs, kept here so they are typed and tested.

Only the workflow imports this module; the logic modules never do (they meet only through the
files their contracts describe).
"""

from __future__ import annotations

from pathlib import Path

from review.normalise import source_files
from review.protocol import Protocol


def raw_inputs(protocol: Protocol, *, root: Path | None = None) -> list[str]:
    """Every committed file a protocol source reads, so a new run or export retriggers the rules
    (:func:`review.normalise.source_files`), relative to the project."""
    root = root if root is not None else Path()
    return [p.relative_to(root).as_posix() for p in source_files(protocol, root=root)]


def decision_files(
    folder: str | Path, *, suffixes: tuple[str, ...] = (".csv", ".xlsx")
) -> list[str]:
    """Every human decision file below ``folder`` (a new reviewer's file retriggers the rule)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return [p.as_posix() for p in sorted(folder.rglob("*")) if p.suffix in suffixes and p.is_file()]


def decision_file(path: str | Path) -> list[str]:
    """A single human decision file as a rule input: ``[path]`` when it exists, else ``[]``
    (writing it later retriggers the rule; its absence means no decisions yet)."""
    return [Path(path).as_posix()] if Path(path).is_file() else []


def version_inputs(protocol: Protocol, folder: str | Path = "versions") -> list[str]:
    """The files of the published versions the report rules compare with, after checking that
    a protocol changed since the version it follows says why (an ``amendments`` entry): the
    workflow stops before any rule runs, as for a protocol that breaks its schema."""
    from review.versions.amendments import check_amendments
    from review.versions.store import select_previous, version_files

    previous = select_previous(Path(folder), protocol_data=protocol.data)
    check_amendments(protocol, previous)
    return version_files(folder)


def fulltext_files(folder: str | Path) -> list[str]:
    """The kept full texts and their manifest under ``folder`` (``data/raw/fulltext``): a new
    file, added or retrieved, retriggers the status rule. An open run's checkpoint and a
    partial copy are not inputs."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return [
        p.as_posix()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "checkpoint.json" and not p.name.endswith(".part")
    ]
