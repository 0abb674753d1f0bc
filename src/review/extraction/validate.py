"""Read and validate the coders' files and the resolutions file against the coding schema.

A coder's file is ``data/decisions/coding/<coder>.csv`` or ``.xlsx`` (the coder id is the file
name): ``study_id``, one column per protocol coding field, ``note``, ``timestamp``. A copy of
the generated coding sheet is accepted as is: its study, suggestion and evidence columns are
ignored, and its rows with every coded column (and the note) empty are "not coded yet".
Multiple-choice cells hold allowed value ids separated by ``;``. A later row for the same study
in the same file supersedes the earlier one (both stay in the coding events).

Every problem is reported at once, each naming the file, the row (as a spreadsheet shows it:
the header is row 1), the field, what was found and what is allowed; one bad row stops the
whole run, so nothing from a file with errors is ever merged.

``_resolutions.csv`` settles disagreements: ``study_id, field, value, resolver, note,
timestamp``, one row per settled (study, field); a later row for the same pair wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from review.carry import Locator
from review.decisions import Problems, person_files, read_rows
from review.decisions import text as _text
from review.extraction.agreement import same
from review.extraction.fields import CodingField, domain_problems, is_empty, parse_value
from review.extraction.sheet import CODER_COLUMNS, SHEET_NAME, STUDY_COLUMNS
from review.sheetguard import Unimported, existing_rows
from review.tables import contract

RESOLUTIONS_NAME = "_resolutions.csv"

Value = list[str] | str


@dataclass
class CodedRow:
    """One validated row of a coder's file."""

    coder: str
    path: str
    row: int
    study_id: str
    values: dict[str, Value]
    note: str = ""
    timestamp: str = ""
    superseded: bool = False
    #: The study's fingerprint when it was coded (the sheet's column; empty in older files).
    fingerprint: str = ""
    #: The study id the coder's row names, when carry-forward placed it on another study.
    named_study_id: str = ""
    #: How it reached its study (:mod:`review.carry`, or ``linked`` to its study's main report).
    how: str = "id"


@dataclass
class Resolution:
    study_id: str
    field: str
    value: Value
    resolver: str
    note: str
    timestamp: str
    path: str
    row: int
    named_study_id: str = ""
    how: str = "id"


def coder_files(folder: str | Path) -> list[Path]:
    """Coders' files in ``folder`` (``_``-prefixed files such as resolutions are not coders)."""
    return person_files(folder)


def read_cells(path: Path) -> tuple[list[str], list[tuple[int, dict[Any, Any]]]]:
    """Header and ``(row number, cells)`` of a CSV or of an XLSX's coding (or first) sheet."""
    return read_rows(path, sheet=SHEET_NAME)


def check_timestamp(raw: str) -> str | None:
    """``None`` when ``raw`` is empty or ISO 8601; else what is wrong."""
    if not raw:
        return None
    try:
        datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return f"{raw!r} is not an ISO 8601 date-time (e.g. 2026-11-29T07:12:07Z)"
    return None


def read_coder_file(
    path: Path, fields: Sequence[CodingField], problems: Problems, *, set_aside: bool = False
) -> list[CodedRow]:
    """Validated rows of one coder's file; problems are added to ``problems``.

    Which study a row belongs to now is settled later, by carry-forward
    (:func:`review.extraction.attach.attach_coding`)."""
    coder = path.stem
    header, rows = read_cells(path)
    names = [f.name for f in fields]
    known = {*STUDY_COLUMNS, *names, *CODER_COLUMNS, "status"}
    known |= {f"{p}_{n}" for n in names for p in ("suggested", "evidence")}
    before = len(problems.messages)
    if "study_id" not in header:
        problems.add(path, 1, "study_id", "missing column (the study id of each coded row)")
    for col in header:
        if col and col not in known:
            problems.add(
                path,
                1,
                col,
                f"unknown column (coding fields: {', '.join(names)}; also note, timestamp)",
            )
    for f in fields:
        if f.required and f.name not in header and not set_aside:
            problems.add(
                path, 1, f.name, f"missing column of a required field; expected {f.expected()}"
            )
    if len(problems.messages) > before:
        return []
    out: list[CodedRow] = []
    for n, cells in rows:
        if None in cells:
            problems.add(
                path,
                n,
                None,
                f"more cells than the header's {len(header)} columns "
                "(a value with a comma needs quotes)",
            )
            continue
        coded = [f for f in fields if not is_empty(cells.get(f.name))]
        note = _text(cells.get("note"))
        sid = _text(cells.get("study_id"))
        if not coded and not note:
            continue  # a sheet row nobody has coded yet
        if not sid:
            problems.add(path, n, "study_id", "empty; expected the id of an included study")
            continue
        values: dict[str, Value] = {}
        for f in fields:
            raw = cells.get(f.name)
            try:
                value = parse_value(f, raw)
            except ValueError as exc:
                problems.add(path, n, f.name, f"study {sid}: {exc}")
                continue
            if f.required and not value and not (set_aside and f.name not in header):
                problems.add(
                    path,
                    n,
                    f.name,
                    f"study {sid}: required field is empty; expected {f.expected()}",
                )
                continue
            values[f.name] = value
        for domain in dict.fromkeys(f.domain for f in fields if f.domain):
            for column, problem in domain_problems(values, domain):
                problems.add(path, n, column, f"study {sid}: {problem}")
        stamp = _text(cells.get("timestamp"))
        bad = check_timestamp(stamp)
        if bad:
            problems.add(path, n, "timestamp", f"study {sid}: {bad}")
        fingerprint = _text(cells.get("fingerprint"))
        out.append(CodedRow(coder, str(path), n, sid, values, note, stamp, fingerprint=fingerprint))
    latest: dict[str, CodedRow] = {}
    for row in out:
        if row.study_id in latest:
            latest[row.study_id].superseded = True
        latest[row.study_id] = row
    return out


def read_resolutions(
    path: Path, fields: Sequence[CodingField], problems: Problems
) -> list[Resolution]:
    """Validated rows of the resolutions file (the latest row per study and field wins)."""
    header, rows = read_cells(path)
    table = contract("coding_resolutions")
    missing = [c for c in table.required if c not in header]
    if missing:
        for col in missing:
            problems.add(path, 1, col, f"missing column (expected: {', '.join(table.names)})")
        return []
    by_name = {f.name: f for f in fields}
    out: dict[tuple[str, str], Resolution] = {}
    for n, cells in rows:
        sid, fname = _text(cells.get("study_id")), _text(cells.get("field"))
        if not sid and not fname:
            continue
        if not sid:
            problems.add(path, n, "study_id", "empty; expected the study the resolution settles")
            continue
        fdef = by_name.get(fname)
        if fdef is None:
            problems.add(
                path, n, "field", f"unknown coding field {fname!r} (fields: {', '.join(by_name)})"
            )
            continue
        try:
            value = parse_value(fdef, cells.get("value"))
        except ValueError as exc:
            problems.add(path, n, "value", f"study {sid}, field {fname}: {exc}")
            continue
        if fdef.required and not value:
            problems.add(
                path,
                n,
                "value",
                f"study {sid}, field {fname}: required field is empty; expected {fdef.expected()}",
            )
            continue
        resolver = _text(cells.get("resolver"))
        if not resolver:
            problems.add(path, n, "resolver", "empty; expected who settled the disagreement")
            continue
        stamp = _text(cells.get("timestamp"))
        bad = check_timestamp(stamp)
        if bad:
            problems.add(path, n, "timestamp", bad)
            continue
        out[(sid, fname)] = Resolution(
            sid, fname, value, resolver, _text(cells.get("note")), stamp, str(path), n
        )
    return list(out.values())


def unimported_coding(
    paths: Sequence[Path],
    fields: Sequence[CodingField],
    rows: Sequence[CodedRow],
    locator: Locator,
) -> list[Unimported]:
    """Rows of the existing coding sheet (``paths``: its CSV and XLSX) that hold coded values no
    coder's file has: a coder filled the generated sheet in place.

    A sheet row counts as saved when some coder's current row for its study (after
    carry-forward: ``rows`` are attached rows) has the same value in every coded column the
    sheet row fills (and the same note, when it has one). The generated sheet leaves those
    columns empty, so anything there was typed by a person. A sheet that cannot be read is
    reported too: it may hold work.
    """
    current: dict[str, list[CodedRow]] = {}
    for r in rows:
        if not r.superseded:
            current.setdefault(r.study_id, []).append(r)
    out: list[Unimported] = []
    for path, n, cells in existing_rows(paths, lambda p: read_cells(p)[1], out):
        filled = {f.name: cells.get(f.name) for f in fields if not is_empty(cells.get(f.name))}
        note = _text(cells.get("note"))
        if not filled and not note:
            continue
        sid = _text(cells.get("study_id"))
        placed = locator.place(sid, _text(cells.get("fingerprint")))
        if not any(_holds(r, fields, filled, note) for r in current.get(placed.study_id, [])):
            shown = ", ".join(sorted(filled)) or "note"
            out.append((path, f"{path}, row {n}: {sid} ({shown})"))
    return out


def _holds(
    row: CodedRow, fields: Sequence[CodingField], filled: Mapping[str, Any], note: str
) -> bool:
    """Whether a coder's row has every value (and the note) a sheet row was filled with."""
    if note and row.note != note:
        return False
    by_name = {f.name: f for f in fields}
    for name, raw in filled.items():
        try:
            value = parse_value(by_name[name], raw)
        except ValueError:
            return False  # a value no coder's file could hold
        if not same(value, row.values.get(name, [] if isinstance(value, list) else "")):
            return False
    return True
