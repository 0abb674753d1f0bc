"""What every kind of human decision file shares: reading, checking, appending.

Screening ledgers, coders' files, appraisers' files and report links are all files people
write under ``data/decisions/``, as CSV or as a filled XLSX sheet. They share how a person's
file is named and found, how a sheet's rows are read (the header is row 1, as a spreadsheet
counts), how times are written and checked, how every problem of every file is collected and
reported at once (file, row, field, what was found and what is allowed), and how rows are
appended without rewriting a byte that is already there. One copy of each, used by every stage.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from review import atomic
from review.errors import DecisionError
from review.names import decision_files, safe_name
from review.spreadsheet import XLSX_ERRORS, safe_row, sniff_delimiter, unreadable_workbook

#: At most this many problems are listed in one error message; the count says how many more.
MAX_LISTED = 25

Cells = dict[Any, Any]


def now_utc() -> str:
    """The current time as decision files hold it (ISO 8601, UTC, seconds, ``Z``)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_timestamp(value: str) -> datetime | None:
    """An ISO 8601 timestamp with a UTC offset of zero, else ``None``.

    Local times without a zone are refused: decisions from people in different time zones
    must sort in the order they were made.
    """
    text = value.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None or parsed.utcoffset() != UTC.utcoffset(None):
        return None
    return parsed


def check_person(name: str, *, what: str = "reviewer") -> str:
    """``name`` when it can name a person's decision file; else a :class:`DecisionError`: the
    one name check (:func:`review.names.safe_name`: full match, no separators, no ``..``)."""
    return safe_name(name, what=what)


def person_files(
    folder: str | Path, *, suffixes: tuple[str, ...] = (".csv", ".xlsx"), skip_unsafe: bool = False
) -> list[Path]:
    """One file per person in ``folder`` (``_``-prefixed files, such as resolutions, dot files
    (temporary and lock files) and spreadsheet owner files are not people's); a file whose name
    cannot be a person's id is refused with its path, or with ``skip_unsafe`` left out
    (:func:`review.names.decision_files`)."""
    return [
        p
        for p in decision_files(folder, suffixes=suffixes, recursive=False, skip_unsafe=skip_unsafe)
        if not p.name.startswith("_")
    ]


@dataclass
class Problems:
    """Problems found across every file; raised together so a person fixes them in one pass."""

    what: str = "decision"
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

    def __bool__(self) -> bool:
        return bool(self.messages)

    def raise_if_any(self, *, consequence: str = "nothing was merged") -> None:
        if not self.messages:
            return
        shown = self.messages[:MAX_LISTED]
        more = len(self.messages) - len(shown)
        tail = f"\n(and {more} more)" if more else ""
        raise DecisionError(
            f"{len(self.messages)} problem(s) in {self.what} file(s) "
            f"{', '.join(sorted(self.files))}; {consequence}:\n" + "\n".join(shown) + tail
        )


def read_rows(path: str | Path, *, sheet: str = "") -> tuple[list[str], list[tuple[int, Cells]]]:
    """Header and ``(row number, cells)`` of a CSV, or of an XLSX's ``sheet`` (else its first).

    XLSX cells keep their types (a number stays a number); CSV cells are text, read with a CSV
    reader (a note keeps its line breaks), from UTF-8 with or without a BOM, their separator
    (``,``, ``;`` or a tab: Excel's default where the decimal mark is a comma is ``;``) found
    from the header (or Excel's ``sep=;`` first line). Cells beyond the header, or under a
    blank header cell, are kept under the key ``None``, so the caller can say which row lost its
    quotes; an unnamed first column is kept under ``""`` (ASReview LAB writes its row ids
    there). A truncated or hostile workbook, a file that is not UTF-8 or an old ``.xls`` is a
    :class:`DecisionError` naming the file, never a traceback.
    """
    path = Path(path)
    if not path.is_file():
        raise DecisionError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix in (".xls", ".ods", ".numbers"):
        raise DecisionError(f"{path}: {suffix} workbooks cannot be read; save it as .xlsx or .csv")
    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DecisionError(
            f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 ('CSV UTF-8')"
        ) from exc
    hint = content[:6].rstrip("\r\n")
    if hint.startswith("sep=") and len(hint) == 5:  # Excel's "sep=;" first line
        delimiter, content = hint[4], content.split("\n", 1)[1] if "\n" in content else ""
    else:
        delimiter = sniff_delimiter(content)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    rows = []
    try:
        header = [h.strip() for h in next(reader, [])]
        for n, cells in enumerate(reader, start=2):
            row: Cells = _named(header, cells)
            if len(cells) > len(header):
                row[None] = cells[len(header) :]
            rows.append((n, row))
    except csv.Error as exc:  # e.g. a cell larger than the CSV reader's field limit
        raise DecisionError(f"{path}, line {reader.line_num}: not readable as CSV ({exc})") from exc
    return header, rows


def _named(header: Sequence[str], cells: Sequence[Any]) -> Cells:
    """A row's cells by column name: named columns, and an unnamed first column under ``""``."""
    return {
        h: v
        for i, (h, v) in enumerate(zip(header, cells, strict=False))
        if h or (i == 0 and len(header) > 1)
    }


def _read_xlsx(path: Path, sheet: str) -> tuple[list[str], list[tuple[int, Cells]]]:
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        # Excel-made files carry extensions openpyxl cannot keep; reading values is unaffected.
        warnings.filterwarnings("ignore", message=".*extension is not supported.*")
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except XLSX_ERRORS as exc:
            raise unreadable_workbook(path, exc) from exc
    try:
        ws = wb[sheet] if sheet and sheet in wb.sheetnames else wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(it, ())]
        rows = []
        for n, cells in enumerate(it, start=2):
            row = _named(header, cells)
            # A value under no header (a blank header cell, or beyond the last) is kept for
            # the caller to refuse, never dropped.
            stray = [
                v
                for i, v in enumerate(cells)
                if v not in (None, "") and (i >= len(header) or (not header[i] and i > 0))
            ]
            if stray:
                row[None] = stray
            rows.append((n, row))
    except XLSX_ERRORS as exc:  # a truncated sheet, XML entities refused by defusedxml
        raise unreadable_workbook(path, exc) from exc
    finally:
        wb.close()
    return header, rows


def text(raw: Any) -> str:
    """A cell as text: ``None`` empty, whole floats without ``.0``, dates in ISO 8601."""
    if raw is None:
        return ""
    if isinstance(raw, datetime):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def append_csv(path: str | Path, rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> int:
    """Append ``rows`` to the CSV at ``path``; the existing bytes are kept exactly.

    The new file (old bytes + new lines) replaces the old one atomically, under the file's lock
    (:func:`review.atomic.locked`, re-entered when the caller holds it: hold it yourself from
    reading the file to this append, so a concurrent command's rows are never overwritten), so
    a crash never leaves a decision file half-written. Cells a spreadsheet would run as a
    formula get a leading ``'`` (people open these files in spreadsheets; the readers remove
    it). A file without a final newline gets one first; a new file gets the header.
    """
    with atomic.locked(path):
        return atomic.append_csv(path, (safe_row(dict(r)) for r in rows), columns)
