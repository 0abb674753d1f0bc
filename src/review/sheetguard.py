"""Never overwrite a sheet that holds decisions not yet imported.

Sheets are generated (a reviewer's screening sheet, the conflicts sheet, the coding sheet, an
appraisal sheet), but people fill them in place: a sheet regenerated over a filled one that was
not imported yet would lose that work. Every writer of a sheet first asks its stage which rows
of the existing file are not in the ledgers (:func:`refuse_or_back_up` takes that list): none,
and the sheet is rewritten; some, and the command stops naming the file, the rows and what to
do, unless ``force`` is given, which first keeps the file as ``<name>.backup-<UTC time>.<ext>``
beside it.

In the workflow the sheets are ``update()`` outputs, so Snakemake neither deletes them before
the rule runs nor keeps a failed rule's half-written file: the rule's own check runs on the
filled sheet, and a refusal leaves it as it was.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from review.errors import DecisionError

#: Rows listed in the refusal; the count says how many more there are.
MAX_LISTED = 10
BACKUP_MARK = ".backup-"


#: A row of an existing sheet that holds work no ledger has: the file, and what to show.
Unimported = tuple[Path, str]


class UnimportedWork(DecisionError):
    """A sheet about to be regenerated holds decisions that are in no ledger."""


def backup_name(path: Path, when: datetime | None = None) -> Path:
    """``<stem>.backup-<YYYYmmddTHHMMSSZ><suffix>`` beside ``path``, not yet taken."""
    stamp = (when or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.stem}{BACKUP_MARK}{stamp}{path.suffix}")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}{BACKUP_MARK}{stamp}-{n}{path.suffix}")
        n += 1
    return candidate


def original_stem(path: Path) -> str:
    """The stem of the sheet a backup was taken of (the stem itself for any other file)."""
    return path.stem.split(BACKUP_MARK, 1)[0]


def existing_rows(
    paths: Sequence[Path],
    read: Callable[[Path], Iterable[tuple[int, Mapping[Any, Any]]]],
    unimported: list[Unimported],
) -> Iterator[tuple[Path, int, Mapping[Any, Any]]]:
    """``(path, row number, cells)`` of every existing sheet of ``paths``; a sheet that cannot
    be read is added to ``unimported`` (it may hold work, so it is not overwritten either)."""
    for path in paths:
        if not path.exists():
            continue
        try:
            rows = list(read(path))
        except DecisionError as exc:
            unimported.append(
                (path, f"{path}: cannot be read to check it for unimported work ({exc})")
            )
            continue
        for n, cells in rows:
            yield path, n, cells


def refuse_or_back_up(
    paths: Sequence[Path],
    unimported: Sequence[Unimported],
    *,
    force: bool,
    how_to_import: str,
) -> list[Path]:
    """Raise :class:`UnimportedWork` when ``unimported`` lists rows of the sheet at ``paths``
    (its CSV and XLSX twins); with ``force``, copy each existing file to a backup first and
    return the backups."""
    if not unimported:
        return []
    holding = list(dict.fromkeys(path for path, _text in unimported))
    if not force:
        listed = "\n".join(text for _path, text in unimported[:MAX_LISTED])
        more = len(unimported) - MAX_LISTED
        tail = f"\n(and {more} more)" if more > 0 else ""
        raise UnimportedWork(
            f"{' and '.join(map(str, holding))} hold(s) {len(unimported)} decision(s) that are "
            f"in no ledger yet; not overwritten:\n{listed}{tail}\n"
            f"Import it first ({how_to_import}), or run again with --force to keep it as "
            f"{backup_name(holding[0]).name} and write a new one"
        )
    out = []
    for path in (p for p in paths if p.exists()):
        target = backup_name(path)
        shutil.copy2(path, target)
        out.append(target)
    return out
