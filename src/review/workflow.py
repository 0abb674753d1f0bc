"""Helpers the Snakefile calls to list inputs, kept here so they are typed and tested.

Only the workflow imports this module; the logic modules never do (they meet only through the
files their contracts describe).
"""

from __future__ import annotations

from pathlib import Path

from review import atomic, names
from review.normalise import source_files
from review.protocol import Protocol


def raw_inputs(protocol: Protocol, *, root: Path | None = None) -> list[str]:
    """Every committed file a protocol source reads, so a new run or export retriggers the rules
    (:func:`review.normalise.source_files`), relative to the project; a file outside the
    project (an export read in place, named by its absolute path) keeps its absolute path."""
    root = root if root is not None else Path()
    return [
        (p.relative_to(root) if p.is_relative_to(root) else p).as_posix()
        for p in source_files(protocol, root=root)
    ]


def decision_files(
    folder: str | Path, *, suffixes: tuple[str, ...] = (".csv", ".xlsx")
) -> list[str]:
    """Every human decision file below ``folder`` (a new reviewer's file retriggers the rule).

    Their names are checked (:func:`review.names.decision_files`): a file named ``{x}.csv`` or
    ``<a>.csv`` would be read by Snakemake as a wildcard pattern and silently drop the rule, so
    it stops the workflow with its path instead. Temporary, lock and Office owner files are
    not decision files.
    """
    return [p.as_posix() for p in names.decision_files(folder, suffixes=suffixes)]


def check_decision_names(root: str | Path) -> None:
    """Refuse, while the Snakefile is read, any decision file below ``root`` whose name is not a
    safe name (:func:`review.names.decision_files`).

    Checking in a rule's input function is too late: when a rule's outputs exist, Snakemake
    drops a producer whose input function fails and reports "Nothing to be done", which is how
    a file named ``{x}.csv`` silently disabled a rule.
    """
    names.decision_files(root, suffixes=names.DECISION_SUFFIXES)


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
        if p.is_file()
        and p.name != "checkpoint.json"
        and not p.name.endswith(".part")
        and not atomic.is_transient(p)  # a killed write's temporary file is not data
    ]
