"""The data dictionary (``docs/data-dictionary.md``), generated from the table contracts.

Users meet these files in the project folders; the dictionary says, for every one of them,
what it is, who writes and reads it, and every column, from the same contracts the code reads
and writes the tables with, so it cannot drift from the code (a test regenerates it).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from review.states import Decision, ScreeningState, Stage
from review.tables.contract import Column, Contract, contracts

#: The stages in workflow order, and their headings.
STAGES = {
    "search": "Search",
    "normalise": "Normalise",
    "dedup": "Deduplication",
    "screen": "Screening",
    "fulltext": "Full text",
    "group": "Studies and their reports",
    "extract": "Extraction (coding)",
    "appraise": "Appraisal",
    "synthesise": "Synthesis (findings and narrative written by people)",
    "report": "Report",
    "version": "Versions",
}
KINDS = {
    "derived": "derived: rebuilt by the workflow, never edited",
    "decisions": "decisions: written by people, only read by the pipeline",
    "report": "for people: generated for reading or filling in",
}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _type(col: Column) -> str:
    if col.type == "enum":
        return "one of " + ", ".join(f"`{v}`" for v in col.values)
    return col.type + (f" (`{col.pattern}`)" if col.pattern else "")


def _presence(col: Column) -> str:
    if col.required and col.nonempty:
        return "required, never empty"
    return "required" if col.required else "optional"


def _table(contract: Contract) -> list[str]:
    where = {"csv": "key", "jsonl": "key of each JSON line"}.get(
        contract.format, "key of the JSON object"
    )
    out = [
        f"### `{contract.file}`",
        "",
        f"**{contract.name}** ({KINDS[contract.kind]}"
        + ("; formula-safe" if contract.spreadsheet_safe else "")
        + f"). {contract.description}",
        "",
        f"Written by {contract.written_by}."
        + (f" Read by {', '.join(contract.read_by)}." if contract.read_by else ""),
        "",
    ]
    if contract.key:
        out += [f"One row per `{contract.key}` (non-empty, unique).", ""]
    out += [f"| {where} | type | presence | meaning |", "| --- | --- | --- | --- |"]
    for col in contract.columns:
        out.append(
            f"| `{col.name}` | {_cell(_type(col))} | {_presence(col)} | {_cell(col.description)} |"
        )
    if contract.extra_columns:
        out += ["", f"Other columns: {contract.extra_columns}"]
    return [*out, ""]


def _values(title: str, values: Iterable[Enum], described: bool = False) -> list[str]:
    out = [f"### {title}", ""]
    if described:
        out += ["| value | meaning |", "| --- | --- |"]
        out += [f"| `{v.value}` | {_cell(getattr(v, 'description', ''))} |" for v in values]
    else:
        out.append(", ".join(f"`{v.value}`" for v in values))
    return [*out, ""]


def data_dictionary() -> str:
    """The whole dictionary as Markdown."""
    found = contracts()
    out = [
        "# Data dictionary",
        "",
        "Every file the pipeline reads or writes between its stages, and every column of each.",
        "Generated from the table contracts in `src/review/schemas/tables/` by",
        "`review dictionary -o docs/data-dictionary.md`; do not edit it by hand (a test checks",
        "that it is current). Paths are those of the project layout; `<stage>`, `<reviewer>`,",
        "`<coder>` and `<version>` stand for a screening stage, a reviewer's id, a coder's id",
        "and a published version's name.",
        "",
        "Cells are UTF-8 text; multi-valued cells join their values with `; `. In files marked",
        "formula-safe, a cell that a spreadsheet would run as a formula (starting with `=`, `+`,",
        "`-`, `@`, tab or carriage return) is written with a leading `'`.",
        "",
        "## Names",
        "",
        *_values("Screening states (`state`)", ScreeningState, described=True),
        *_values("Screening stages (`stage`)", Stage),
        *_values("Reviewers' decisions (`decision`)", Decision),
    ]
    for stage, heading in STAGES.items():
        tables = [c for c in found if c.stage == stage]
        if not tables:
            continue
        out += [f"## {heading}", ""]
        for contract in sorted(tables, key=lambda c: (list(KINDS).index(c.kind), c.file)):
            out += _table(contract)
    unknown = sorted({c.stage for c in found} - set(STAGES))
    if unknown:
        raise ValueError(f"contracts name stages the dictionary does not know: {unknown}")
    return "\n".join(out).rstrip("\n") + "\n"
