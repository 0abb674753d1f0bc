"""The contract of ``coded.csv``: checked when written and when read by a later stage.

The table's generic shape (its columns, the status values) is its contract
(``review/schemas/tables/coded.yaml``); the protocol adds what a contract cannot know in
advance: one column per coding field, and the allowed values of each choice field. A row that
breaks either is a :class:`~review.errors.SchemaError` naming the file, the line and the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from review.errors import SchemaError
from review.extraction.fields import CodingField, parse_value
from review.tables import check_rows, contract, read_numbered


def _check_fields(row: Mapping[str, str], fields: Sequence[CodingField], where: str) -> None:
    for f in fields:
        if f.name not in row:
            raise SchemaError(f"{where}: field '{f.name}': missing column")
        try:
            parse_value(f, row[f.name])
        except ValueError as exc:
            raise SchemaError(f"{where}: field '{f.name}': {exc}") from exc


def check_coded(
    rows: Sequence[Mapping[str, str]], fields: Sequence[CodingField], *, where: str | Path
) -> None:
    """Raise :class:`SchemaError` at the first row that breaks the contract or the protocol."""
    table = contract("coded")
    check_rows(rows, table, path=where)
    for line, row in enumerate(rows, start=2):
        _check_fields(row, fields, table.where(where, line))


def read_coded(path: str | Path, fields: Sequence[CodingField]) -> list[dict[str, str]]:
    """``coded.csv`` checked against its contract and the protocol's coding fields."""
    table = contract("coded")
    out = []
    for line, row in read_numbered(path, table):
        _check_fields(row, fields, table.where(path, line))
        out.append(row)
    return out
