"""The contract of ``coded.csv``: checked when written and when read by a later stage.

The table's generic shape (columns, status values) is ``workflow/schemas/coded.schema.yaml``;
the protocol adds what a JSON Schema cannot know in advance: one column per coding field, and
the allowed values of each choice field. A row that breaks either is a
:class:`~review.errors.SchemaError` naming the file, the line and the field.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from review.errors import SchemaError
from review.extraction.fields import CodingField, parse_value
from review.extraction.inputs import read_table

SCHEMA_RELATIVE = Path("workflow/schemas/coded.schema.yaml")


@functools.cache
def coded_schema() -> dict[str, Any]:
    """The coded.csv row schema, from the project (or beside the package source, editable)."""
    for base in (Path(__file__).resolve().parents[3], Path.cwd()):
        path = base / SCHEMA_RELATIVE
        if path.is_file():
            return yaml.safe_load(path.read_text(encoding="utf-8"))
    raise SchemaError(f"cannot find the coded table schema {SCHEMA_RELATIVE}")


def check_rows(
    rows: Sequence[dict[str, str]], fields: Sequence[CodingField], *, where: str | Path
) -> None:
    """Raise :class:`SchemaError` at the first row that breaks the schema or the protocol."""
    validator = jsonschema.Draft202012Validator(coded_schema())
    for line, row in enumerate(rows, start=2):
        error = jsonschema.exceptions.best_match(validator.iter_errors(row))
        if error is not None:
            key = ".".join(str(p) for p in error.absolute_path) or "(row)"
            raise SchemaError(f"{where}: line {line}: field '{key}': {error.message}")
        for f in fields:
            if f.name not in row:
                raise SchemaError(f"{where}: line {line}: field '{f.name}': missing column")
            try:
                parse_value(f, row[f.name])
            except ValueError as exc:
                raise SchemaError(f"{where}: line {line}: field '{f.name}': {exc}") from exc


def read_coded(path: str | Path, fields: Sequence[CodingField]) -> list[dict[str, str]]:
    """``coded.csv`` checked against its schema and the protocol's coding fields."""
    rows = read_table(path, ("study_id", "status", *(f.name for f in fields)))
    check_rows(rows, fields, where=path)
    return rows
