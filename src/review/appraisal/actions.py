"""What an appraiser does: get a sheet, hand it back (``review appraise sheet|import``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from review.appraisal import Inputs, attach, require
from review.appraisal.ledger import append, changed, read_ledgers, read_sheet
from review.appraisal.sheet import sheet_rows, write_sheet
from review.decisions import check_person
from review.protocol import Protocol


def write_appraiser_sheet(
    protocol: Protocol,
    inputs: Inputs,
    folder: str | Path,
    *,
    appraiser: str,
    csv_path: str | Path,
    xlsx_path: str | Path,
) -> tuple[int, int]:
    """Write ``appraiser``'s blind sheet; returns (rows, studies)."""
    config = require(protocol)
    check_person(appraiser, what="appraiser")
    answers, _res, _unmatched = attach(read_ledgers(folder, config.tool), inputs)
    rows = sheet_rows(config, inputs, answers, appraiser)
    write_sheet(rows, csv_path, xlsx_path, tool=config.tool, appraiser=appraiser)
    return len(rows), len({r["study_id"] for r in rows})


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
    answers = read_sheet(path, config.tool, appraiser=appraiser, known=inputs.known())
    existing, _res, _unmatched = attach(read_ledgers(folder, config.tool), inputs)
    new = changed(answers, [a for a in existing if a.appraiser == appraiser])
    ledger = Path(folder) / f"{appraiser}.csv"
    n = append(ledger, new) if new else 0
    return Imported(len(answers), n, ledger)
