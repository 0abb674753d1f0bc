"""People's names that become file names, and the reviewers a review knows.

A reviewer's (or coder's, appraiser's, resolver's) id names their decision files:
``data/decisions/screening/<stage>/<id>.csv``, ``data/decisions/coding/<id>.csv``, their
screening sheet ``data/screening_sheets/<stage>/<id>.xlsx``. Every command that turns a name
into a path, and every reader that turns a file name into a name, calls :func:`safe_name`: a
whole-string match (``\\Z``, so ``"abc\\n"`` is refused) of 1-64 letters, digits, ``.``, ``_``
and ``-``, starting with a letter or digit and not ending with ``.``: no path separator, no
``..``, no control character, no ``<…>``/``{…}`` (which Snakemake would read as a rule
pattern), no name Windows reserves (``con``, ``nul``, ``com1``…).

Which names a review knows: the ids of the protocol's ``reviewers`` list, and those a person
added knowingly with ``--new-reviewer`` (or ``review reviewers add``), which records them in
``data/decisions/reviewers.csv`` (the *registry*: decisions-side, append-only, committed like
every decision file; the protocol stays a file only people edit). A command that would create a
reviewer's first file refuses a name that is neither (a typo would otherwise silently start a
new reviewer), listing the known names and the closest match.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from review import atomic
from review.errors import DecisionError
from review.protocol import Protocol
from review.tables import contract, read_numbered

#: The pattern every name must match in full (see the module docstring).
SAFE_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9_-])?")
#: Names with a meaning of their own in the ledgers and events.
RESERVED = frozenset({"automation"})
_WINDOWS = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10)}
)
#: Every kind of file a rule takes from ``data/decisions/``: people's CSV and XLSX files, and
#: the authored synthesis (narrative Markdown, findings YAML).
DECISION_SUFFIXES = (".csv", ".xlsx", ".md", ".yaml")
REGISTRY = contract("reviewer_registry")
REGISTRY_FILE = Path(REGISTRY.file).name


class UnsafeNameError(DecisionError):
    """A name that cannot be used as a file name (or a decision file named so)."""


def name_problem(name: object) -> str | None:
    """Why ``name`` cannot name a file, or ``None``."""
    text = name if isinstance(name, str) else ""
    if not SAFE_NAME.fullmatch(text):
        return (
            "use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit "
            "(no spaces, path separators, brackets or control characters)"
        )
    if ".." in text:
        return "'..' is not allowed"
    if text.casefold() in RESERVED:
        return f"{text!r} is reserved"
    if text.split(".")[0].casefold() in _WINDOWS:
        return f"{text!r} is a device name on Windows"
    return None


def safe_name(name: object, *, what: str = "reviewer") -> str:
    """``name`` if it can name a decision file; else :class:`UnsafeNameError` saying why."""
    problem = name_problem(name)
    if problem is not None:
        raise UnsafeNameError(f"{what} name {name!r} cannot name a file: {problem}")
    return str(name)


def file_name_problem(path: Path) -> str | None:
    """Why the name of decision file ``path`` (without its suffix and a leading ``_``) cannot
    be a person's id, or ``None``."""
    return name_problem(path.stem[1:] if path.stem.startswith("_") else path.stem)


def safe_file_name(path: str | Path, *, what: str = "decision file") -> Path:
    """``path`` if its name (without the suffix) is a safe name, else an error naming the file.

    A decision file's name is a person's id; a name such as ``{x}.csv`` or ``<a>.csv`` would
    also become a wildcard pattern when the workflow lists it as an input.
    """
    path = Path(path)
    problem = file_name_problem(path)
    if problem is not None:
        raise UnsafeNameError(
            f"{path}: this {what}'s name cannot be a reviewer id ({problem}); rename the file "
            "(its name is the reviewer's id)"
        )
    return path


def candidate_files(
    folder: str | Path, *, suffixes: Iterable[str] = (".csv", ".xlsx"), recursive: bool = True
) -> list[Path]:
    """The files below ``folder`` that are decision files by kind, sorted, names not checked.

    Hidden files (``.``: temporary and lock files), Office owner files (``~$name.xlsx``, made
    while a workbook is open) and files with other suffixes are not decision files.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    wanted = tuple(s.lower() for s in suffixes)
    found = folder.rglob("*") if recursive else folder.iterdir()
    return [
        path
        for path in sorted(found)
        if path.is_file()
        and not path.name.startswith((".", "~$"))
        and path.suffix.lower() in wanted
    ]


def decision_files(
    folder: str | Path,
    *,
    suffixes: Iterable[str] = (".csv", ".xlsx"),
    recursive: bool = True,
    skip_unsafe: bool = False,
) -> list[Path]:
    """The human decision files below ``folder`` (:func:`candidate_files`), every name
    checked: a file whose name is not a safe name is refused with its path, never skipped
    (``skip_unsafe``: left out, for ``review check``, which reports each such name itself)."""
    found = candidate_files(folder, suffixes=suffixes, recursive=recursive)
    if skip_unsafe:
        return [p for p in found if file_name_problem(p) is None]
    return [safe_file_name(p) for p in found]


# ---------------------------------------------------------------------------------------------
# Known reviewers: the protocol's list and the registry
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Known:
    """The names a review knows, and where each is declared."""

    where: dict[str, str]

    def __contains__(self, name: object) -> bool:
        return name in self.where

    def names(self) -> list[str]:
        return sorted(self.where)


def registry_path(decisions: str | Path) -> Path:
    """The registry of a decisions folder: ``reviewers.csv`` in the decisions root (the parent
    of ``data/decisions/screening`` or ``data/decisions/coding``)."""
    return Path(decisions).parent / REGISTRY_FILE


def known_reviewers(protocol: Protocol, registry: str | Path | None) -> Known:
    """Every declared name: the protocol's ``reviewers`` ids and the registry's."""
    where: dict[str, str] = {}
    for r in protocol.data.get("reviewers") or []:
        rid = str(r.get("id", ""))
        if rid:
            where[safe_name(rid)] = f"{protocol.path}: reviewers"
    if registry is not None and Path(registry).is_file():
        for n, row in read_numbered(registry, REGISTRY):
            where.setdefault(safe_name(row["id"]), f"{registry}, row {n}")
    return Known(where)


def checked_reviewer(
    name: str,
    protocol: Protocol,
    *,
    registry: str | Path,
    new: bool = False,
    what: str = "reviewer",
    note: str = "",
) -> str:
    """``name`` if it is safe and declared; with ``new``, record an undeclared one in the
    registry (knowingly adding a reviewer) and return it.

    An undeclared name without ``new`` is refused with the known names and the closest one; a
    new name that differs from a known one only in case is refused too (on macOS and Windows
    both would name the same file).
    """
    safe_name(name, what=what)
    known = known_reviewers(protocol, registry)
    if name in known:
        return name
    folded = {k.casefold(): k for k in known.names()}
    if name.casefold() in folded:
        raise DecisionError(
            f"{what} {name!r} differs only in case from the declared {folded[name.casefold()]!r}; "
            "use that name"
        )
    if not new:
        close = difflib.get_close_matches(name, known.names(), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        listed = ", ".join(known.names()) or "none yet"
        raise DecisionError(
            f"{what} {name!r} is not declared (known: {listed}).{hint} A new {what}: add it to "
            f"the protocol's reviewers list, or pass --new-reviewer to record it in {registry}"
        )
    register(registry, name, note=note)
    return name


def register(registry: str | Path, name: str, *, note: str = "") -> Path:
    """Append ``name`` to the registry (created with its header when absent), under its lock."""
    from review.decisions import now_utc

    path = Path(registry)
    with atomic.locked(path):
        if path.is_file() and any(r["id"] == name for _n, r in read_numbered(path, REGISTRY)):
            return path
        atomic.append_csv(
            path, [{"id": safe_name(name), "added": now_utc(), "note": note}], REGISTRY.names
        )
    return path
