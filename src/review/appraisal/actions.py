"""What an appraiser does: get a sheet, hand it back (``review appraise sheet|import``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from review.appraisal import Inputs, attach, require
from review.appraisal.ledger import (
    SHEET_NAME,
    Answer,
    append,
    changed,
    current,
    lookup,
    read_ledgers,
    read_sheet,
)
from review.appraisal.sheet import sheet_rows, write_sheet
from review.appraisal.tool import OVERALL, AppraisalTool
from review.decisions import check_person, read_rows
from review.decisions import text as cell_text
from review.protocol import Protocol
from review.setaside import refuse_set_aside
from review.sheetguard import Unimported, existing_rows, refuse_or_back_up


def write_appraiser_sheet(
    protocol: Protocol,
    inputs: Inputs,
    folder: str | Path,
    *,
    appraiser: str,
    csv_path: str | Path,
    xlsx_path: str | Path,
    force: bool = False,
) -> Written:
    """Write ``appraiser``'s blind sheet.

    The sheet already at ``csv_path``/``xlsx_path`` is not overwritten while it holds an
    answer that is not the appraiser's current one in their file (``force``: backed up first).
    """
    config = require(protocol)
    check_person(appraiser, what="appraiser")
    refuse_set_aside(protocol, "appraisal", appraiser)
    answers, _res, _unmatched = attach(read_ledgers(folder, config.tool), inputs)
    paths = [Path(csv_path), Path(xlsx_path)]
    backups = refuse_or_back_up(
        paths,
        unimported_answers(paths, [a for a in answers if a.appraiser == appraiser], config.tool),
        force=force,
        how_to_import=f"review appraise import {xlsx_path} --appraiser {appraiser}",
    )
    rows = sheet_rows(config, inputs, answers, appraiser)
    write_sheet(rows, csv_path, xlsx_path, tool=config.tool, appraiser=appraiser)
    return Written(len(rows), len({r["study_id"] for r in rows}), backups)


@dataclass(frozen=True)
class Written:
    rows: int
    studies: int
    #: Copies of a sheet that held unimported answers (``force``), kept before it was rewritten.
    backups: list[Path]


SHEET_CELLS = ("study_id", "item_id", "answer", "comment")


def unimported_answers(
    paths: Sequence[Path], own: Iterable[Answer], tool: AppraisalTool
) -> list[Unimported]:
    """Rows of the existing sheet at ``paths`` (CSV and XLSX) whose filled answer and comment
    are not the appraiser's current ones (``own``: their validated answers), i.e. work an import
    has not saved yet. A sheet that cannot be read is reported too: it may hold work."""
    now = {(sid, item): a for (_w, sid, item), a in current(own).items()}
    out: list[Unimported] = []
    for path, n, row in existing_rows(paths, lambda p: read_rows(p, sheet=SHEET_NAME)[1], out):
        # read as an import reads it (:func:`review.appraisal.ledger.validate`)
        cell = {k: cell_text(row.get(k)).removeprefix("'") for k in SHEET_CELLS}
        raw, comment, sid, item = cell["answer"], cell["comment"], cell["study_id"], cell["item_id"]
        if not raw and not comment:
            continue
        choices = tool.overall_levels if item == OVERALL else tool.answers
        answer = lookup(((c.id, c.label) for c in choices), raw) or raw
        was = now.get((sid, item))
        if was is not None and (was.answer, was.comment) == (answer, comment):
            continue
        out.append((path, f"{path}, row {n}: {sid} item {item}: {raw or comment}"))
    return out


@dataclass(frozen=True)
class Imported:
    valid: int
    appended: int
    ledger: Path


def import_file(
    protocol: Protocol, inputs: Inputs, path: str | Path, folder: str | Path, *, appraiser: str
) -> Imported:
    """Validate a filled sheet (or ledger-shaped file) and append what changed to the
    appraiser's file; nothing is appended when any row has a problem."""
    config = require(protocol)
    check_person(appraiser, what="appraiser")
    refuse_set_aside(protocol, "appraisal", appraiser)
    answers = read_sheet(path, config.tool, appraiser=appraiser, known=inputs.known())
    existing, _res, _unmatched = attach(read_ledgers(folder, config.tool), inputs)
    new = changed(answers, [a for a in existing if a.appraiser == appraiser])
    ledger = Path(folder) / f"{appraiser}.csv"
    n = append(ledger, new) if new else 0
    return Imported(len(answers), n, ledger)
