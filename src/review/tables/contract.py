"""What a table that crosses a stage boundary holds: its columns, their types, and what they mean.

Each table has one contract, a YAML file shipped inside the package
(``review/schemas/tables/<name>.yaml``). The stage that writes the table and every stage that
reads it use the same contract (:mod:`review.tables.io`), and the data dictionary
(``docs/data-dictionary.md``) is generated from the same files, so a column is named, typed
and described in exactly one place. Adding a table is adding a YAML file.

A contract file::

    name: studies                         # what code calls it: contract("studies")
    file: data/interim/studies.csv        # where the workflow keeps it (CLI defaults)
    stage: dedup                          # the stage that writes it (groups the dictionary)
    kind: derived                         # derived | decisions (written by people) | report
    written_by: review dedup (rule deduplicate_records)
    read_by: [review screen state, review report]
    description: One row per study ...
    key: study_id                         # optional: non-empty and unique in every row
    spreadsheet_safe: true                # cells neutralised against formula injection; the
                                          # default for CSV: false only for a file no person
                                          # opens, with the reason in the description
    extra_columns: ...                    # optional: columns beyond these are allowed (why)
    columns:
      - name: study_id
        type: string                      # string | integer | number | list | enum | timestamp
        required: true                    # the header must have it (default true)
        nonempty: true                    # every row has a value (default false)
        values: [a, b]                    # enum: the allowed values ...
        values_from: review.states:ScreeningState   # ... or where they are defined in code
        pattern: "^st-[0-9a-f]+$"         # optional regular expression for non-empty cells
        description: ...
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from importlib import resources
from typing import Any

from review import yamlload
from review.errors import DecisionError, ReviewError, SchemaError

TYPES = ("string", "integer", "number", "list", "enum", "timestamp")
KINDS = ("derived", "decisions", "report")
_INTEGER = re.compile(r"^[+-]?\d+(?:\.0*)?$")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Column:
    """One column of a table."""

    name: str
    description: str
    type: str = "string"
    required: bool = True
    nonempty: bool = False
    values: tuple[str, ...] = ()
    value_descriptions: tuple[tuple[str, str], ...] = ()
    pattern: str = ""

    @property
    def checked(self) -> bool:
        """Whether a cell of this column can be wrong (plain text columns cannot)."""
        return self.nonempty or self.type != "string" or bool(self.pattern)

    def expected(self) -> str:
        """What a cell may hold, in words (for error messages and the data dictionary)."""
        if self.type == "integer":
            what = "a whole number"
        elif self.type == "number":
            what = "a number"
        elif self.type == "enum":
            what = "one of " + ", ".join(self.values)
        elif self.type == "timestamp":
            what = "an ISO 8601 date-time (e.g. 2026-11-29T07:07:01Z)"
        elif self.type == "list":
            what = 'values joined by "; "'
        elif self.pattern:
            what = f"text matching {self.pattern}"
        else:
            what = "text"
        return what if self.nonempty else f"{what} or empty"

    def problem(self, value: str) -> str | None:
        """Why ``value`` breaks this column's contract (``None`` when it does not)."""
        if not value:
            return "empty" if self.nonempty else None
        if self.type == "integer" and not _INTEGER.match(value):
            return "wrong"
        if self.type == "number" and not _NUMBER.match(value):
            return "wrong"
        if self.type == "enum" and value not in self.values:
            return "wrong"
        if self.type == "timestamp" and not _is_timestamp(value):
            return "wrong"
        if self.pattern and not re.search(self.pattern, value):
            return "wrong"
        return None


def _is_timestamp(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Contract:
    """A table's contract: see the module docstring for the file it is read from."""

    name: str
    file: str
    stage: str
    kind: str
    description: str
    written_by: str
    columns: tuple[Column, ...]
    read_by: tuple[str, ...] = ()
    key: str = ""
    format: str = "csv"
    spreadsheet_safe: bool = False
    extra_columns: str = ""
    _by_name: dict[str, Column] = field(default_factory=dict, repr=False, compare=False)

    @functools.cached_property
    def names(self) -> tuple[str, ...]:
        """Every column, in the order the writer writes them (kept: readers ask once a row)."""
        return tuple(c.name for c in self.columns)

    @functools.cached_property
    def required(self) -> tuple[str, ...]:
        """The columns a file must have for its readers to work."""
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        if not self._by_name:
            self._by_name.update({c.name: c for c in self.columns})
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"table {self.name!r} has no column {name!r}") from None

    @property
    def error(self) -> type[ReviewError]:
        """People's decision files break with a :class:`DecisionError`, the rest a SchemaError."""
        return DecisionError if self.kind == "decisions" else SchemaError

    def where(self, path: Any, number: int) -> str:
        """``path, row N`` for files people edit (as a spreadsheet counts them), else ``line N``."""
        return f"{path}, {'row' if self.kind == 'decisions' else 'line'} {number}"


def _enum_values(spec: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The values (and their descriptions, when the code has them) named by ``module:name``."""
    module, _, attr = spec.partition(":")
    obj = getattr(importlib.import_module(module), attr)
    values: Iterable[Any] = list(obj) if isinstance(obj, type) and issubclass(obj, Enum) else obj
    out = tuple(str(v.value if isinstance(v, Enum) else v) for v in values)
    described = tuple(
        (str(v.value), str(v.description))
        for v in values
        if isinstance(v, Enum) and hasattr(v, "description")
    )
    return out, described


COLUMN_KEYS = frozenset(
    ("name", "type", "required", "nonempty", "values", "values_from", "pattern", "description")
)
TABLE_KEYS = frozenset(
    (
        "name",
        "file",
        "stage",
        "kind",
        "format",
        "description",
        "written_by",
        "read_by",
        "key",
        "spreadsheet_safe",
        "extra_columns",
        "columns",
    )
)


def _column(table: str, raw: dict[str, Any]) -> Column:
    unknown = sorted(set(raw) - COLUMN_KEYS)
    if unknown:
        # A comma in an unquoted flow-style description splits it into keys: say so.
        raise SchemaError(
            f"contract {table!r}: column {raw.get('name')!r} has unknown key(s) "
            f"{', '.join(map(str, unknown))} (allowed: {', '.join(sorted(COLUMN_KEYS))})"
        )
    name = raw.get("name")
    kind = raw.get("type", "enum" if "values" in raw or "values_from" in raw else "string")
    if not name or kind not in TYPES or not raw.get("description"):
        raise SchemaError(
            f"contract {table!r}: column {raw!r} needs a name, a description and a type "
            f"({', '.join(TYPES)})"
        )
    values: tuple[str, ...] = tuple(str(v) for v in raw.get("values") or ())
    described: tuple[tuple[str, str], ...] = ()
    if raw.get("values_from"):
        values, described = _enum_values(str(raw["values_from"]))
    return Column(
        name=str(name),
        description=" ".join(str(raw["description"]).split()),
        type=kind,
        required=bool(raw.get("required", True)),
        nonempty=bool(raw.get("nonempty", False)),
        values=values,
        value_descriptions=described,
        pattern=str(raw.get("pattern") or ""),
    )


def _folder() -> Any:
    return resources.files("review").joinpath("schemas", "tables")


@functools.cache
def contract(name: str) -> Contract:
    """The contract of table ``name`` (``review/schemas/tables/<name>.yaml``)."""
    source = _folder().joinpath(f"{name}.yaml")
    if not source.is_file():
        known = ", ".join(sorted(contract_names()))
        raise SchemaError(f"no table contract named {name!r} (contracts: {known})")
    raw = yamlload.safe_load(source.read_text(encoding="utf-8"))
    unknown = sorted(set(raw) - TABLE_KEYS)
    if unknown:
        raise SchemaError(f"contract {name}.yaml: unknown key(s) {', '.join(unknown)}")
    if raw.get("name") != name or raw.get("kind") not in KINDS:
        raise SchemaError(
            f"contract {name}.yaml: 'name' must be {name!r} and 'kind' one of {', '.join(KINDS)}"
        )
    columns = tuple(_column(name, c) for c in raw.get("columns") or ())
    out = Contract(
        name=name,
        file=str(raw["file"]),
        stage=str(raw["stage"]),
        kind=str(raw["kind"]),
        description=" ".join(str(raw["description"]).split()),
        written_by=str(raw["written_by"]),
        columns=columns,
        read_by=tuple(raw.get("read_by") or ()),
        key=str(raw.get("key") or ""),
        format=str(raw.get("format", "csv")),
        # Every CSV may be opened in a spreadsheet (reviewers open studies.csv and their
        # ledgers): formula-safe unless its contract says otherwise.
        spreadsheet_safe=bool(raw.get("spreadsheet_safe", raw.get("format", "csv") == "csv")),
        extra_columns=" ".join(str(raw.get("extra_columns") or "").split()),
    )
    if out.key and out.key not in out.names:
        raise SchemaError(f"contract {name}.yaml: key {out.key!r} is not one of its columns")
    return out


def contract_names() -> list[str]:
    """Every table that has a contract."""
    return sorted(
        p.name.removesuffix(".yaml") for p in _folder().iterdir() if p.name.endswith(".yaml")
    )


def contracts() -> list[Contract]:
    return [contract(n) for n in contract_names()]
