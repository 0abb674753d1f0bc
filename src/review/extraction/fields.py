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
from review.vocabulary import MEASURED, Direction, DisagreementRule, EvidenceType

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
    #: For an outcome-domain column ``<domain>.<part>``: its domain id (else empty).
    domain: str = ""

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


@dataclass(frozen=True)
class OutcomeDomain:
    """One of the protocol's ``coding.outcome_domains``."""

    id: str
    label: str
    description: str = ""


#: The four columns each outcome domain adds to the coding sheet, in sheet order.
DOMAIN_PARTS = ("direction", "evidence_type", "sample_size", "evidence")


def outcome_domains(protocol: Protocol) -> list[OutcomeDomain]:
    """The protocol's outcome domains, in protocol order (none when it declares none)."""
    return [
        OutcomeDomain(str(d["id"]), str(d["label"]), str(d.get("description", "")).strip())
        for d in protocol.data["coding"].get("outcome_domains") or []
    ]


def domain_fields(domains: list[OutcomeDomain]) -> list[CodingField]:
    """The coding columns of the outcome domains: ``<d>.direction`` and ``<d>.evidence_type``
    (drop-downs of fixed vocabularies), ``<d>.sample_size`` and ``<d>.evidence``."""
    out = []
    for d in domains:
        what = f"{d.label}" + (f" ({d.description})" if d.description else "")
        out += [
            CodingField(
                f"{d.id}.direction",
                "single",
                f"{what}: direction of effect; not_measured when the study reports no effect "
                "in this domain",
                values=tuple(d.value for d in Direction),
                domain=d.id,
            ),
            CodingField(
                f"{d.id}.evidence_type",
                "single",
                f"{what}: what the direction rests on; proposal_only for a study that only "
                "proposes or recommends (its direction is not_measured)",
                values=tuple(e.value for e in EvidenceType),
                domain=d.id,
            ),
            CodingField(
                f"{d.id}.sample_size",
                "integer",
                f"{what}: number of participants (or units) the direction rests on, when given",
                domain=d.id,
            ),
            CodingField(
                f"{d.id}.evidence",
                "text",
                f"{what}: where the coder found it (a page of the full text, or record/summary)",
                domain=d.id,
            ),
        ]
    return out


def all_fields(protocol: Protocol) -> list[CodingField]:
    """The coding fields, then the outcome-domain columns: everything a coder may write."""
    return [*coding_fields(protocol), *domain_fields(outcome_domains(protocol))]


def disagreement_rule(protocol: Protocol) -> str:
    """The protocol's ``coding.disagreement_rule`` (default: adjudication)."""
    return str(protocol.data["coding"].get("disagreement_rule", DisagreementRule.ADJUDICATION))


def domain_problems(values: dict[str, Any], domain: str) -> list[tuple[str, str]]:
    """``(column, problem)`` for a domain's coded cells that break the coding rules: a
    measured direction needs an evidence type; proposal_only means not_measured; an evidence
    type or sample size needs a direction; a sample size is positive."""
    direction = values.get(f"{domain}.direction") or ""
    etype = values.get(f"{domain}.evidence_type") or ""
    size = values.get(f"{domain}.sample_size") or ""
    out = []
    if etype == EvidenceType.PROPOSAL_ONLY and direction != Direction.NOT_MEASURED:
        out.append(
            (
                f"{domain}.direction",
                f"{direction or 'empty'}, but the evidence type is proposal_only (a proposal "
                "or recommendation reports no effect); expected not_measured",
            )
        )
    elif direction in MEASURED and not etype:
        out.append(
            (
                f"{domain}.evidence_type",
                f"empty, but direction {direction} states an effect; expected one of: "
                + ", ".join(EvidenceType),
            )
        )
    elif not direction and (etype or size):
        out.append(
            (
                f"{domain}.direction",
                "empty, but the domain has an evidence type or sample size; expected one of: "
                + ", ".join(Direction),
            )
        )
    if size and int(size) <= 0:
        out.append((f"{domain}.sample_size", f"{size!r} is not a positive whole number"))
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
