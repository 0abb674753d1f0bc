"""Read and write the tables between stages, each checked against its contract.

One reader for every table, so every stage reports a broken table the same way: the file, the
line (or, for files people edit in a spreadsheet, the row), the column, the value and what was
expected. A table that is present but breaks its contract stops the run; a report or a sheet
silently built on half a table would mislead whoever reads it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from review import atomic
from review.spreadsheet import FORMULA_PREFIXES, safe_row
from review.tables.contract import Column, Contract

Row = dict[str, str]


def unquote_cell(value: object) -> str:
    """A cell as text, without the ``'`` that neutralised a formula when the file was written."""
    text = ("" if value is None else str(value)).strip()
    if text[:1] == "'" and text[1:2] and text[1:2] in FORMULA_PREFIXES:
        return text[1:]
    return text


def _text(path: Path, contract: Contract) -> str:
    if not path.is_file():
        raise contract.error(
            f"{path}: file not found; the {contract.name} table is written by {contract.written_by}"
        )
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise contract.error(
            f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from exc


def check_header(path: str | Path, header: Sequence[str], contract: Contract) -> None:
    """Raise naming every required column of ``contract`` that ``header`` lacks."""
    missing = [c for c in contract.required if c not in header]
    if missing:
        raise contract.error(
            f"{contract.where(path, 1)}: missing column(s) {', '.join(missing)}; "
            f"the {contract.name} table has the columns {', '.join(contract.names)}"
        )


def read_cells(path: str | Path, contract: Contract) -> tuple[list[str], list[tuple[int, Row]]]:
    """The header and ``(row number, cells)`` of a CSV whose header is checked, rows as they are.

    For readers that check rows themselves, listing every problem at once (people's decision
    files); :func:`read_table` checks each row against the contract too.
    """
    path = Path(path)
    reader = csv.reader(io.StringIO(_text(path, contract), newline=""))
    header = [h.strip() for h in next(reader, [])]
    check_header(path, header, contract)
    rows: list[tuple[int, Row]] = []
    for number, cells in enumerate(reader, start=2):
        if not cells:
            continue  # a blank line
        line = number if contract.kind == "decisions" else reader.line_num
        if len(cells) > len(header):
            raise contract.error(
                f"{contract.where(path, line)}: more cells than the header's {len(header)} "
                "columns (a value with a comma needs quotes)"
            )
        row = {h: c for h, c in zip(header, cells, strict=False) if h}
        for name in contract.names:
            row.setdefault(name, "")
        rows.append((line, row))
    return header, rows


def read_table(path: str | Path, contract: Contract) -> list[Row]:
    """Every row of ``path`` as a dict of stripped strings, checked against ``contract``.

    Checks the header (required columns), each checked cell (type, allowed values, pattern,
    non-empty) and the key (non-empty, unique). Columns the contract names but the file lacks
    (optional ones) are ``""``; enum values are returned in their canonical spelling.
    """
    return [row for _number, row in read_numbered(path, contract)]


def read_numbered(path: str | Path, contract: Contract) -> list[tuple[int, Row]]:
    """:func:`read_table` with each row's line (or, for decision files, row) number, for
    readers whose own checks must say where a row is."""
    _header, numbered = read_cells(path, contract)
    checked = [c for c in contract.columns if c.checked]
    key = contract.key
    unquote = contract.spreadsheet_safe
    skip_empty = contract.kind == "decisions"
    seen: dict[str, int] = {}
    out: list[tuple[int, Row]] = []
    for number, raw in numbered:
        # Stripped first, unquoted only where a cell starts with the quote: most cells don't,
        # and a ledger or a studies table can hold millions of cells.
        row = {k: v.strip() for k, v in raw.items()}
        if unquote:
            for k, v in row.items():
                if v[:1] == "'":
                    row[k] = unquote_cell(v)
        if skip_empty and not any(row.values()):
            continue  # an empty spreadsheet row
        _check_cells(row, checked, contract, path, number)
        if key:
            value = row[key]
            if not value:
                raise contract.error(
                    f"{contract.where(path, number)}: field '{key}' is empty; every row needs one"
                )
            if value in seen:
                raise contract.error(
                    f"{contract.where(path, number)}: {key} {value!r} repeats "
                    f"{'row' if contract.kind == 'decisions' else 'line'} {seen[value]}"
                )
            seen[value] = number
        out.append((number, row))
    return out


def _check_cells(
    row: Row, checked: Sequence[Column], contract: Contract, path: str | Path, number: int
) -> None:
    for col in checked:
        value = row.get(col.name, "")
        if col.type == "enum" and value and value not in col.values:
            value = row[col.name] = _canonical(value, col.values)
        if col.problem(value) is not None:
            raise contract.error(
                f"{contract.where(path, number)}: field '{col.name}' is {value!r}; "
                f"expected {col.expected()}"
            )


def check_rows(rows: Iterable[Mapping[str, Any]], contract: Contract, *, path: str | Path) -> None:
    """Check rows about to be written (or built in memory) against the contract; line numbers
    are those the rows will have in ``path`` (header = line 1)."""
    checked = [c for c in contract.columns if c.checked]
    for number, row in enumerate(rows, start=2):
        cells = {k: "" if v is None else str(v) for k, v in row.items()}
        missing = [c for c in contract.required if c not in cells]
        if missing:
            raise contract.error(
                f"{contract.where(path, number)}: missing field(s) {', '.join(missing)}"
            )
        _check_cells(cells, checked, contract, path, number)


def _canonical(value: str, allowed: Sequence[str]) -> str:
    folded = value.casefold()
    return next((a for a in allowed if a.casefold() == folded), value)


def table_text(
    rows: Iterable[Mapping[str, Any]], contract: Contract, *, columns: Sequence[str] | None = None
) -> str:
    """The CSV text of ``rows`` in the contract's column order (or ``columns``, which must hold
    every required column of the contract: tables with protocol-defined columns insert theirs)."""
    names = list(columns) if columns is not None else list(contract.names)
    missing = [c for c in contract.required if c not in names]
    if missing:
        raise ValueError(
            f"{contract.name}: columns {', '.join(missing)} of the contract are missing"
        )
    if contract.spreadsheet_safe:
        rows = (safe_row(dict(r)) for r in rows)
    return atomic.csv_text(rows, names)


def write_table(
    path: str | Path,
    rows: Iterable[Mapping[str, Any]],
    contract: Contract,
    *,
    columns: Sequence[str] | None = None,
) -> Path:
    """Write ``rows`` atomically as the contract's table (see :func:`table_text`)."""
    atomic.write_text(path, table_text(rows, contract, columns=columns))
    return Path(path)


def read_json(path: str | Path, contract: Contract) -> dict[str, Any]:
    """A JSON document whose top-level keys are the contract's columns (required ones present)."""
    path = Path(path)
    try:
        data = json.loads(_text(path, contract))
    except json.JSONDecodeError as exc:
        raise contract.error(
            f"{path}, line {exc.lineno}: not valid JSON ({exc.msg}); expected the "
            f"{contract.name} written by {contract.written_by}"
        ) from exc
    if not isinstance(data, dict):
        raise contract.error(
            f"{path}: expected a JSON object with the keys {', '.join(contract.names)}"
        )
    missing = [c for c in contract.required if c not in data]
    if missing:
        raise contract.error(f"{path}: missing key(s) {', '.join(missing)}")
    return data


def write_json(path: str | Path, data: Mapping[str, Any], contract: Contract) -> Path:
    """Write ``data`` atomically as the contract's JSON document (required keys checked)."""
    missing = [c for c in contract.required if c not in data]
    if missing:
        raise ValueError(f"{contract.name}: keys {', '.join(missing)} of the contract are missing")
    atomic.write_json(path, data)
    return Path(path)


def jsonl_text(rows: Iterable[Mapping[str, Any]], contract: Contract, *, path: str | Path) -> str:
    """JSON Lines: one object per row, keys in the contract's order (rows checked first)."""
    rows = list(rows)
    check_rows(rows, contract, path=path)
    lines = [
        json.dumps({c: row.get(c, "") for c in contract.names}, ensure_ascii=False) for row in rows
    ]
    return "".join(line + "\n" for line in lines)


def write_jsonl(path: str | Path, rows: Iterable[Mapping[str, Any]], contract: Contract) -> Path:
    """Write ``rows`` atomically as the contract's JSON Lines file."""
    atomic.write_text(path, jsonl_text(rows, contract, path=path))
    return Path(path)


def read_jsonl(path: str | Path, contract: Contract) -> list[dict[str, Any]]:
    """Every line of a JSON Lines file as a dict, each checked against ``contract``.

    Values keep their JSON types (a page number stays an int); the checks see them as text,
    like CSV cells. A line that is not a JSON object, or lacks a required key, names its line.
    """
    path = Path(path)
    checked = [c for c in contract.columns if c.checked]
    out = []
    for number, line in enumerate(_text(path, contract).splitlines(), start=1):
        if not line.strip():
            continue
        where = contract.where(path, number)
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise contract.error(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(data, dict):
            raise contract.error(f"{where}: expected a JSON object")
        missing = [c for c in contract.required if c not in data]
        if missing:
            raise contract.error(f"{where}: missing key(s) {', '.join(missing)}")
        cells = {k: "" if v is None else str(v) for k, v in data.items()}
        _check_cells(cells, checked, contract, path, number)
        out.append(data)
    return out
