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

import csv
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from review.errors import DecisionError
from review.extraction.fields import CodingField, is_empty, parse_value
from review.extraction.sheet import CODER_COLUMNS, SHEET_NAME, STUDY_COLUMNS
from review.tables import contract

RESOLUTIONS_NAME = "_resolutions.csv"
MAX_SHOWN = 25

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


@dataclass
class Problems:
    """Problems found across every file; raised together so a coder fixes them in one pass."""

    messages: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def add(self, path: str | Path, row: int | None, fname: str | None, problem: str) -> None:
        where = [str(path)]
        if row is not None:
            where.append(f"row {row}")
        if fname:
            where.append(f"field '{fname}'")
        self.messages.append(f"{', '.join(where)}: {problem}")
        if str(path) not in self.files:
            self.files.append(str(path))

    def raise_if_any(self) -> None:
        if not self.messages:
            return
        shown = self.messages[:MAX_SHOWN]
        more = len(self.messages) - len(shown)
        tail = f"\n(and {more} more)" if more else ""
        files = sorted(self.files)
        raise DecisionError(
            f"{len(self.messages)} problem(s) in coding file(s) {', '.join(files)}; nothing was "
            "merged:\n" + "\n".join(shown) + tail
        )


def coder_files(folder: str | Path) -> list[Path]:
    """Coders' files in ``folder`` (``_``-prefixed files such as resolutions are not coders)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.suffix.lower() in (".csv", ".xlsx")
        and not p.name.startswith(("_", ".", "~$"))
    )


def read_cells(path: Path) -> tuple[list[str], list[tuple[int, dict[Any, Any]]]]:
    """Header and ``(row number, cells)`` of a CSV or of an XLSX's coding (or first) sheet."""
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        rows = []
        for n, cells in enumerate(reader, start=2):
            row: dict[str | None, Any] = dict(zip(header, cells, strict=False))
            if len(cells) > len(header):
                row[None] = cells[len(header) :]
            rows.append((n, row))
    return header, rows


def _read_xlsx(path: Path) -> tuple[list[str], list[tuple[int, dict[Any, Any]]]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    with warnings.catch_warnings():
        # Excel-made files carry extensions openpyxl cannot keep; reading values is unaffected.
        warnings.filterwarnings("ignore", message=".*extension is not supported.*")
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except (BadZipFile, KeyError, OSError) as exc:
            raise DecisionError(f"{path}: not a readable XLSX workbook ({exc})") from exc
    try:
        ws = wb[SHEET_NAME] if SHEET_NAME in wb.sheetnames else wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(it, ())]
        rows = []
        for n, cells in enumerate(it, start=2):
            rows.append((n, dict(zip(header, cells, strict=False))))
    finally:
        wb.close()
    return header, rows


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, datetime):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


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
    path: Path,
    fields: Sequence[CodingField],
    studies: Mapping[str, object],
    problems: Problems,
    *,
    studies_path: str = "the studies table",
) -> list[CodedRow]:
    """Validated rows of one coder's file; problems are added to ``problems``."""
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
        if f.required and f.name not in header:
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
        if sid not in studies:
            problems.add(path, n, "study_id", f"unknown study {sid!r} (not in {studies_path})")
            continue
        values: dict[str, Value] = {}
        for f in fields:
            raw = cells.get(f.name)
            try:
                value = parse_value(f, raw)
            except ValueError as exc:
                problems.add(path, n, f.name, f"study {sid}: {exc}")
                continue
            if f.required and not value:
                problems.add(
                    path,
                    n,
                    f.name,
                    f"study {sid}: required field is empty; expected {f.expected()}",
                )
                continue
            values[f.name] = value
        stamp = _text(cells.get("timestamp"))
        bad = check_timestamp(stamp)
        if bad:
            problems.add(path, n, "timestamp", f"study {sid}: {bad}")
        out.append(CodedRow(coder, str(path), n, sid, values, note, stamp))
    latest: dict[str, CodedRow] = {}
    for row in out:
        if row.study_id in latest:
            latest[row.study_id].superseded = True
        latest[row.study_id] = row
    return out


def read_resolutions(
    path: Path,
    fields: Sequence[CodingField],
    studies: Mapping[str, object],
    problems: Problems,
    *,
    studies_path: str = "the studies table",
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
        if sid not in studies:
            problems.add(path, n, "study_id", f"unknown study {sid!r} (not in {studies_path})")
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
