"""Appraisers' answers: append-only files, read, validated against the tool, appended to.

An appraiser's file is ``data/decisions/appraisal/<appraiser>.csv`` (long format, one row per
study and item: ``study_id, fingerprint, category, item_id, answer, comment, timestamp``);
adjudicators' settlements are ``_resolutions.csv`` beside it (the same columns and
``reviewer``). Like the screening ledgers, people only ever add rows: a changed answer is a
new row, and the latest row per study and item is the current one.

Every row is checked against the protocol's tool before anything is used or appended, and all
problems of a file are reported at once (file, row, field, value, what is allowed): the
category is one of the tool's; the item belongs to it (a screening item, one of its own, one of
a component's category, or ``overall``); the answer is one the tool allows for that item (an
overall level for ``overall``, whose comment, the justification, is required); a mixed methods
study takes the items of one category per component; a study's rows in one file name one
category. A sheet row may leave its category empty when the study's other rows, or the item
itself, say which it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from review.appraisal.tool import OVERALL, AppraisalTool
from review.decisions import (
    Problems,
    append_csv,
    now_utc,
    parse_timestamp,
    person_files,
    read_rows,
)
from review.decisions import text as cell_text
from review.tables import contract

LEDGER = contract("appraisal_ledger")
RESOLUTIONS = contract("appraisal_resolutions")
RESOLUTIONS_FILE = "_resolutions.csv"
#: The item id of a resolution that settles the study's category.
CATEGORY = "category"
SHEET_NAME = "appraisal"


@dataclass(frozen=True)
class Answer:
    """One validated row, with where it came from (file and row, header = row 1)."""

    study_id: str
    fingerprint: str
    category: str
    item_id: str
    answer: str
    comment: str
    timestamp: str
    appraiser: str
    source: str = ""
    row: int = 0
    #: The study id the file names, when carry-forward placed the row on another study.
    named_study_id: str = ""

    def to_ledger(self) -> dict[str, str]:
        return {c: getattr(self, c) for c in LEDGER.names}


def order_key(a: Answer) -> tuple[datetime, str, int]:
    """Answers sort by time; rows of the same second keep their file order."""
    return (parse_timestamp(a.timestamp) or datetime.min.replace(tzinfo=UTC), a.source, a.row)


def current(answers: Iterable[Answer]) -> dict[tuple[str, str, str], Answer]:
    """The latest answer per (appraiser, study, item)."""
    out: dict[tuple[str, str, str], Answer] = {}
    for a in sorted(answers, key=order_key):
        out[(a.appraiser, a.study_id, a.item_id)] = a
    return out


def lookup(choices: Iterable[tuple[str, str]], raw: str) -> str:
    """The id of the choice whose id or label is ``raw`` (case-insensitive); else ``""``."""
    folded = raw.casefold()
    return next((cid for cid, label in choices if folded in (cid.casefold(), label.casefold())), "")


def validate(
    rows: Sequence[tuple[int, Mapping[object, object]]],
    tool: AppraisalTool,
    *,
    source: str,
    appraiser: str,
    problems: Problems,
    known: Mapping[str, str] | None = None,
    resolutions: bool = False,
    fill_timestamp: str = "",
) -> list[Answer]:
    """Validated answers of one file; every problem is added to ``problems``.

    ``known`` (study id -> fingerprint), when given, is the studies an answer may name (an
    import names included main studies). ``fill_timestamp`` replaces empty timestamps (a sheet
    filled by hand has none). Rows whose answer and comment are both empty are skipped (a
    sheet row not answered yet).
    """
    answers = [(a.id, a.label) for a in tool.answers]
    levels = [(lv.id, lv.label) for lv in tool.overall_levels]
    cats = [(c.id, c.label) for c in tool.categories]
    staged: list[tuple[int, dict[str, str]]] = []
    for n, raw in rows:
        if None in raw:
            problems.add(source, n, None, "more cells than the header (a comma needs quotes)")
            continue
        cell = {k: cell_text(raw.get(k)).removeprefix("'") for k in RESOLUTIONS.names}
        if not cell["answer"] and not cell["comment"]:
            continue
        staged.append((n, cell))
    explicit: dict[str, set[str]] = {}
    implied: dict[str, set[str]] = {}
    for _n, cell in staged:
        category = lookup(cats, cell["category"]) if cell["category"] else ""
        if category:
            explicit.setdefault(cell["study_id"], set()).add(category)
        elif cell["item_id"] in tool.items_by_id and tool.item(cell["item_id"]).category:
            implied.setdefault(cell["study_id"], set()).add(tool.item(cell["item_id"]).category)
    for sid, found in implied.items():
        explicit.setdefault(sid, found)
    out: list[Answer] = []
    for n, cell in staged:
        sid, item = cell["study_id"], cell["item_id"]
        before = len(problems.messages)
        if not sid:
            problems.add(source, n, "study_id", "empty; every answer names its study")
        elif known is not None and sid not in known:
            problems.add(
                source,
                n,
                "study_id",
                f"{sid!r} is not a study included at full text (by its main study id); "
                "was the sheet made from another run?",
            )
        category = _category(cell, item, explicit.get(sid, set()), tool, cats, source, n, problems)
        if resolutions and item == CATEGORY:
            if not lookup(cats, cell["answer"]):
                problems.add(
                    source,
                    n,
                    "answer",
                    f"{cell['answer']!r} is not a category of {tool.id}; allowed: "
                    + ", ".join(tool.category_ids),
                )
            answer = lookup(cats, cell["answer"])
        elif item == OVERALL:
            answer = lookup(levels, cell["answer"])
            if not answer:
                problems.add(
                    source,
                    n,
                    "answer",
                    f"{cell['answer']!r} is not an overall level of {tool.id}; allowed: "
                    + ", ".join(tool.level_ids),
                )
            if not cell["comment"]:
                problems.add(
                    source, n, "comment", "empty; the overall level needs its justification"
                )
        else:
            answer = lookup(answers, cell["answer"])
            if category and item not in {it.id for it in tool.items_for(category)}:
                problems.add(
                    source,
                    n,
                    "item_id",
                    f"{item!r} is not an item of category {category}; allowed: "
                    + ", ".join([*(it.id for it in tool.items_for(category)), OVERALL]),
                )
            if not answer:
                problems.add(
                    source,
                    n,
                    "answer",
                    f"{cell['answer']!r} is not an answer of {tool.id}; allowed: "
                    + ", ".join(tool.answer_ids),
                )
        if resolutions and not cell["reviewer"]:
            problems.add(source, n, "reviewer", "empty; name the adjudicator who settled it")
        stamp = cell["timestamp"] or fill_timestamp
        if parse_timestamp(stamp) is None:
            problems.add(
                source,
                n,
                "timestamp",
                f"{cell['timestamp']!r} is not an ISO 8601 UTC time (e.g. 2026-11-29T07:07:01Z)",
            )
        if len(problems.messages) > before:
            continue
        fingerprint = cell["fingerprint"] or (known or {}).get(sid, "")
        who = cell["reviewer"] if resolutions else appraiser
        out.append(
            Answer(sid, fingerprint, category, item, answer, cell["comment"], stamp, who, source, n)
        )
    _check_components(out, tool, problems)
    return out


def _category(
    cell: Mapping[str, str],
    item: str,
    explicit: set[str],
    tool: AppraisalTool,
    cats: Sequence[tuple[str, str]],
    source: str,
    n: int,
    problems: Problems,
) -> str:
    """The row's category: its cell, else the one its study's other rows name, else the
    category the item belongs to; a problem when none (or several) apply."""
    if not item:
        problems.add(source, n, "item_id", "empty; name the item (or overall)")
        return ""
    if cell["category"]:
        found = lookup(cats, cell["category"])
        if not found:
            problems.add(
                source,
                n,
                "category",
                f"{cell['category']!r} is not a category of {tool.id}; allowed: "
                + ", ".join(tool.category_ids),
            )
        elif len(explicit) > 1:
            problems.add(
                source,
                n,
                "category",
                f"study {cell['study_id']} is put in several categories in this file "
                f"({', '.join(sorted(explicit))}); a study has one category",
            )
        return found
    if len(explicit) == 1:
        return next(iter(explicit))
    try:
        owner = tool.item(item).category
    except KeyError:
        owner = ""
    if owner:
        return owner
    if item != CATEGORY:
        problems.add(
            source,
            n,
            "category",
            f"empty, and no other row of study {cell['study_id']} names its category; "
            f"allowed: {', '.join(tool.category_ids)}",
        )
    return ""


def _check_components(answers: Sequence[Answer], tool: AppraisalTool, problems: Problems) -> None:
    """A study appraised with components (MMAT mixed methods) takes one category per component."""
    by_study: dict[tuple[str, str, str], dict[str, list[Answer]]] = {}
    for a in answers:
        if a.item_id in (OVERALL, CATEGORY) or not a.category:
            continue
        try:
            owner = tool.item(a.item_id).category
        except KeyError:
            continue
        by_study.setdefault((a.appraiser, a.study_id, a.category), {}).setdefault(owner, []).append(
            a
        )
    for (_who, sid, category), owners in by_study.items():
        for comp in tool.category(category).components:
            used = [c for c in comp.categories if c in owners]
            if len(used) > 1:
                first = owners[used[1]][0]
                problems.add(
                    first.source,
                    first.row,
                    "item_id",
                    f"study {sid} ({category}): the {comp.label} takes the items of one category; "
                    f"this file answers items of {', '.join(used)}",
                )


def read_file(path: str | Path, tool: AppraisalTool, problems: Problems) -> list[Answer]:
    """Validated answers of one appraiser's file (or of ``_resolutions.csv``)."""
    path = Path(path)
    is_resolution = path.name == RESOLUTIONS_FILE
    table = RESOLUTIONS if is_resolution else LEDGER
    header, rows = read_rows(path, sheet=SHEET_NAME)
    missing = [c for c in table.required if c not in header]
    if missing:
        for col in missing:
            problems.add(path, 1, col, f"missing column (expected: {', '.join(table.names)})")
        return []
    return validate(
        rows,
        tool,
        source=str(path),
        appraiser=path.stem,
        problems=problems,
        resolutions=is_resolution,
    )


@dataclass
class Ledgers:
    """Every appraiser's answers and the resolutions of a decisions folder."""

    answers: list[Answer]
    resolutions: list[Answer]
    files: list[Path]


def read_ledgers(folder: str | Path, tool: AppraisalTool) -> Ledgers:
    """Read ``<folder>/<appraiser>.csv`` and ``_resolutions.csv``; an absent folder: none yet.

    Every problem of every file is raised together (:class:`review.errors.DecisionError`).
    """
    folder = Path(folder)
    problems = Problems(what="appraisal")
    files = person_files(folder, suffixes=(".csv",))
    answers = [a for path in files for a in read_file(path, tool, problems)]
    resolutions: list[Answer] = []
    if (folder / RESOLUTIONS_FILE).is_file():
        resolutions = read_file(folder / RESOLUTIONS_FILE, tool, problems)
    problems.raise_if_any()
    return Ledgers(answers, resolutions, files)


def read_sheet(
    path: str | Path,
    tool: AppraisalTool,
    *,
    appraiser: str,
    known: Mapping[str, str],
) -> list[Answer]:
    """Validated answers of a filled sheet (CSV or XLSX) or ledger-shaped file, stamped with
    the import time where a row has none; raise listing every problem, appending nothing."""
    problems = Problems(what="appraisal")
    out: list[Answer] = []
    header, rows = read_rows(path, sheet=SHEET_NAME)
    for col in ("study_id", "item_id", "answer"):
        if col not in header:
            problems.add(path, 1, col, "missing column; expected an appraisal sheet or ledger")
    if not problems:
        out = validate(
            rows,
            tool,
            source=str(path),
            appraiser=appraiser,
            problems=problems,
            known=known,
            fill_timestamp=now_utc(),
        )
    problems.raise_if_any(consequence="nothing was appended")
    return out


def append(path: str | Path, answers: Sequence[Answer]) -> int:
    """Append ``answers`` to the appraiser's file, keeping its bytes."""
    return append_csv(path, (a.to_ledger() for a in answers), LEDGER.names)


def changed(new: Sequence[Answer], existing: Iterable[Answer]) -> list[Answer]:
    """The answers of ``new`` that differ from the appraiser's current ones (a sheet imported
    twice appends nothing the second time)."""
    now = current(existing)
    out = []
    for a in new:
        was = now.get((a.appraiser, a.study_id, a.item_id))
        same = was is not None and (was.category, was.answer, was.comment) == (
            a.category,
            a.answer,
            a.comment,
        )
        if not same:
            out.append(a)
    return out


def placed(answer: Answer, study_id: str) -> Answer:
    """``answer`` moved to ``study_id`` (carry-forward), remembering the id its file names."""
    if study_id == answer.study_id:
        return answer
    return replace(answer, study_id=study_id, named_study_id=answer.study_id)
