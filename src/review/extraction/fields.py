"""The coding schema as typed objects, and the parsing of one coded cell against it.

The protocol's ``coding.fields`` is the only definition of what a coder may write; the sheet,
the drop-downs, the codebook, the validation of coders' files and the agreement figures are all
derived from it here, so a new field or value is a protocol edit and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from review.protocol import Protocol, field_keywords, field_values

CHOICE_TYPES = ("single", "multiple", "yes_no")
YES_NO = ("yes", "no")
_INTEGER = re.compile(r"^[+-]?\d+$")
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class CodingField:
    """One column of the coding sheet."""

    name: str
    type: str
    description: str = ""
    required: bool = False
    values: tuple[str, ...] = ()
    keywords: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def allowed(self) -> tuple[str, ...]:
        """Allowed values of a choice field (``yes``/``no`` for yes_no); empty otherwise."""
        return YES_NO if self.type == "yes_no" else self.values

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES

    @property
    def has_keywords(self) -> bool:
        return any(kws for _, kws in self.keywords)

    def expected(self) -> str:
        """What a cell of this field may hold, for error messages and the codebook."""
        if self.type == "multiple":
            return "one or more of: " + ", ".join(self.allowed) + ' (separated by ";")'
        if self.type in ("single", "yes_no"):
            return "one of: " + ", ".join(self.allowed)
        if self.type == "integer":
            return "a whole number"
        if self.type == "year":
            return "a four-digit year"
        return "free text"


def coding_fields(protocol: Protocol) -> list[CodingField]:
    """The protocol's coding fields, in protocol order."""
    out = []
    for f in protocol.coding_fields:
        kw = field_keywords(f)
        out.append(
            CodingField(
                name=f["name"],
                type=f["type"],
                description=str(f.get("description", "")).strip(),
                required=bool(f.get("required", False)),
                values=tuple(field_values(f)),
                keywords=tuple((v, tuple(kw.get(v, []))) for v in field_values(f)),
            )
        )
    return out


def separator(protocol: Protocol) -> str:
    """How multi-valued cells are joined (the protocol's ``coding.multi_value_separator``)."""
    return str(protocol.data["coding"].get("multi_value_separator", "; "))


def is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse_value(fdef: CodingField, raw: Any) -> list[str] | str:
    """Parse one cell; a list for a multiple-choice field, a string otherwise.

    Raises ``ValueError`` whose message says what was found and what is expected; the caller
    adds the file, row and field. Choice values are matched case-insensitively and returned as
    the protocol's ids; repeated values of a multiple-choice cell are kept once, in cell order.
    """
    if is_empty(raw):
        return [] if fdef.type == "multiple" else ""
    if fdef.type == "integer" or fdef.type == "year":
        return _parse_number(fdef, raw)
    text = str(raw).strip()
    if fdef.type == "text":
        return text
    lookup = {v.casefold(): v for v in fdef.allowed}
    if fdef.type == "multiple":
        out: list[str] = []
        for part in re.split(r"\s*;\s*", text):
            if not part:
                continue
            value = lookup.get(part.casefold())
            if value is None:
                raise ValueError(f"{part!r} is not an allowed value; expected {fdef.expected()}")
            if value not in out:
                out.append(value)
        return out
    value = lookup.get(text.casefold())
    if value is None:
        hint = " (one value only: this field is single choice)" if ";" in text else ""
        raise ValueError(f"{text!r} is not an allowed value{hint}; expected {fdef.expected()}")
    return value


def _parse_number(fdef: CodingField, raw: Any) -> str:
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not {fdef.expected()}")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    pattern = _YEAR if fdef.type == "year" else _INTEGER
    if not pattern.match(text):
        raise ValueError(f"{text!r} is not {fdef.expected()}")
    return str(int(text))


def format_value(value: list[str] | str, sep: str) -> str:
    """A parsed value as a cell: multiple-choice values joined by the protocol's separator."""
    return sep.join(value) if isinstance(value, list) else value
